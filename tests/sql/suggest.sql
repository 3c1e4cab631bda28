-- Ask and tell from SQL: suggestions are JSON with the trial id and one
-- key per active parameter, recorded as pending rows; labels come back as
-- labels; tpe_best reports the lowest loss.
.headers on
.mode list
SELECT name FROM pragma_function_list WHERE name LIKE 'tpe%' ORDER BY name;
SELECT name FROM pragma_module_list WHERE name LIKE 'tpe%' ORDER BY name;

CREATE VIRTUAL TABLE m USING tpe(
  model  choice('svm', 'forest', 3),
  C      loguniform(1e-3, 1e3) WHEN model = 'svm',
  trees  quniform(10, 1000, 10) WHEN model = 'forest',
  depth  uniformint(2, 32) WHEN model = 'forest',
  k      randint(1, 50) WHEN model = 3,
  seed = 42, algo = 'rand'
);
SELECT tpe_best('m') AS best_of_nothing;
SELECT tpe_suggest('m') AS s FROM generate_series(1, 6);
SELECT trial, model, C, trees, depth, k, loss, status FROM m;
-- Each suggestion's JSON matches its row.
CREATE TEMP TABLE asked AS SELECT tpe_suggest('m') AS j FROM generate_series(1, 20);
SELECT count(*) AS mismatches FROM asked JOIN m ON m.trial = j ->> 'trial'
 WHERE m.model IS NOT j ->> 'model' OR m.C IS NOT j ->> 'C'
    OR m.trees IS NOT j ->> 'trees' OR m.depth IS NOT j ->> 'depth'
    OR m.k IS NOT j ->> 'k' OR m.status <> 'pending';
SELECT count(*) AS asked FROM asked;
-- Tell: results and a failure.
UPDATE m SET loss = trial * 0.5 WHERE trial % 2 = 1;
UPDATE m SET loss = 0.1 WHERE trial = 4;
UPDATE m SET status = 'fail' WHERE trial = 6;
SELECT tpe_best('m') AS best;
SELECT trial, loss, status FROM m WHERE status = 'ok' ORDER BY loss LIMIT 2;

-- The same seed and history give the same suggestion; another seed does
-- not.
CREATE VIRTUAL TABLE a USING tpe(x uniform(-5, 5), seed = 1, algo = 'rand');
CREATE VIRTUAL TABLE b USING tpe(x uniform(-5, 5), seed = 1, algo = 'rand');
CREATE VIRTUAL TABLE c USING tpe(x uniform(-5, 5), seed = 2, algo = 'rand');
SELECT tpe_suggest('a') = tpe_suggest('b') AS same_seed,
       tpe_suggest('a') = tpe_suggest('c') AS other_seed;

-- Errors name what is wrong.
SELECT tpe_suggest('nope');
CREATE TABLE plain(x);
SELECT tpe_suggest('plain');
SELECT tpe_suggest(42);
SELECT tpe_suggest(NULL);
SELECT tpe_best('nope');
SELECT * FROM tpe_space('nope');
SELECT * FROM tpe_space;
SELECT tpe_suggest('main.m') IS NOT NULL AS schema_qualified;
SELECT tpe_suggest('temp.m');
-- tpe_suggest writes, so a view or trigger may not call it.
CREATE VIEW v AS SELECT tpe_suggest('a');
SELECT * FROM v;
