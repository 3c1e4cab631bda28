-- sqlite-tpe demo: minimize the Branin function inside SQLite.
--
-- Branin has three global minima (loss 0.397887) at (-pi, 12.275),
-- (pi, 2.275) and (9.42478, 2.475): a small picture of why a search can
-- report several "best" parameter sets with nearly the same loss.
-- Run it with `make demo`, or: sqlite3 -cmd '.load ./tpe' < sql/demo.sql

CREATE VIRTUAL TABLE branin USING tpe(
  x1 uniform(-5, 10),
  x2 uniform(0, 15),
  seed = 2026
);

-- The search space, as the extension understood it.
.mode box
SELECT name, kind, args FROM tpe_space('branin') WHERE kind <> 'option';
SELECT name, args AS value FROM tpe_space('branin')
 WHERE name IN ('algo', 'seed', 'n_startup', 'n_candidates', 'gamma');

-- 40 rounds of four suggestions each: 160 evaluations.
.mode list
.output /dev/null
.read sql/rounds10.sql
.read sql/rounds10.sql
.read sql/rounds10.sql
.read sql/rounds10.sql
.output stdout
.mode box

-- The five best trials: plain SQL.
SELECT trial, round(x1, 4) AS x1, round(x2, 4) AS x2, round(loss, 5) AS loss
  FROM branin WHERE status = 'ok' ORDER BY loss LIMIT 5;

-- How the best loss improved: the running minimum every 20 trials.
SELECT trial, round(best, 5) AS best_so_far
  FROM (SELECT trial, min(loss) OVER (ORDER BY trial) AS best FROM branin)
 WHERE trial % 20 = 0;

-- The best trial as JSON, as tpe_best returns it.
SELECT tpe_best('branin') AS best;
