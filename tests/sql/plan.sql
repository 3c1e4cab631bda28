-- Query plans: lookups by trial and scans ordered by loss are handed to the
-- shadow table's rowid and loss index; every plan returns what a full scan
-- returns.
.headers on
.mode list
CREATE VIRTUAL TABLE exp USING tpe(x uniform(0, 100), seed = 3, algo = 'rand');
INSERT INTO exp(x, loss)
  SELECT value, CASE WHEN value % 7 = 0 THEN NULL ELSE (value * 37) % 101 END
    FROM generate_series(1, 99);
UPDATE exp SET status = 'fail' WHERE trial % 10 = 0 AND loss IS NOT NULL;
CREATE TABLE plain AS SELECT * FROM exp;

-- The plan numbers are the idxNum bits documented in ext/tpe_vtab.c.
EXPLAIN QUERY PLAN SELECT * FROM exp WHERE trial = 5;
EXPLAIN QUERY PLAN SELECT * FROM exp WHERE status = 'ok' ORDER BY loss LIMIT 5;
EXPLAIN QUERY PLAN SELECT * FROM exp ORDER BY loss DESC LIMIT 5;
EXPLAIN QUERY PLAN SELECT * FROM exp WHERE trial > 10 AND trial <= 20;
EXPLAIN QUERY PLAN SELECT * FROM exp WHERE loss < 3 ORDER BY trial DESC;
EXPLAIN QUERY PLAN SELECT * FROM exp ORDER BY x;
-- The shadow table's own plans for the SELECTs above.
EXPLAIN QUERY PLAN SELECT * FROM exp_trials WHERE status = 'ok' ORDER BY loss;
EXPLAIN QUERY PLAN SELECT * FROM exp_trials WHERE trial = 5;

-- Every plan agrees with the plain copy.
SELECT count(*) AS differ FROM (
  SELECT * FROM (SELECT * FROM exp WHERE status = 'ok' ORDER BY loss LIMIT 5)
  EXCEPT
  SELECT * FROM (SELECT * FROM plain WHERE status = 'ok'
                 ORDER BY loss, trial LIMIT 5));
SELECT group_concat(trial) AS top5 FROM
  (SELECT trial FROM exp WHERE status = 'ok' ORDER BY loss LIMIT 5);
SELECT group_concat(trial) AS top5_plain FROM
  (SELECT trial FROM plain WHERE status = 'ok' ORDER BY loss LIMIT 5);
SELECT group_concat(trial) AS worst3 FROM
  (SELECT trial FROM exp ORDER BY loss DESC LIMIT 3);
SELECT group_concat(trial) AS worst3_plain FROM
  (SELECT trial FROM plain ORDER BY loss DESC LIMIT 3);
SELECT (SELECT group_concat(trial) FROM exp WHERE trial > 10 AND trial <= 20)
     = (SELECT group_concat(trial) FROM plain WHERE trial > 10 AND trial <= 20)
       AS range_same,
       (SELECT group_concat(trial) FROM exp WHERE trial >= 95)
     = (SELECT group_concat(trial) FROM plain WHERE trial >= 95) AS ge_same,
       (SELECT group_concat(trial) FROM exp WHERE trial < 4) AS lt,
       (SELECT group_concat(trial) FROM
          (SELECT trial FROM exp WHERE loss < 3 ORDER BY trial DESC))
     = (SELECT group_concat(trial) FROM
          (SELECT trial FROM plain WHERE loss < 3 ORDER BY trial DESC))
       AS loss_range_same,
       (SELECT count(*) FROM exp WHERE loss >= 50 AND loss <= 60)
     = (SELECT count(*) FROM plain WHERE loss >= 50 AND loss <= 60)
       AS loss_between_same,
       (SELECT count(*) FROM exp WHERE status = 'pending')
     = (SELECT count(*) FROM plain WHERE status = 'pending') AS pending_same,
       (SELECT x FROM exp WHERE trial = 42) AS x42,
       (SELECT count(*) FROM exp WHERE trial = 420) AS none;
-- Constraints the table does not handle are left to SQLite.
SELECT count(*) AS x_over_90 FROM exp WHERE x > 90;
SELECT count(*) AS status_in FROM exp WHERE status IN ('ok', 'fail');
-- A join probes by trial.
SELECT count(*) AS joined FROM plain JOIN exp USING (trial)
 WHERE exp.loss IS plain.loss;
