-- Writes: imports, results and failures are validated against the space;
-- a refused write leaves the experiment exactly as it was.
.headers on
.mode list
CREATE VIRTUAL TABLE net USING tpe(
  lr        loguniform(1e-5, 1e-1),
  units     quniform(16, 512, 16),
  layers    uniformint(1, 8),
  opt       choice('adam', 'sgd', 'rmsprop'),
  momentum  uniform(0, 0.99) WHEN opt = 'sgd',
  nesterov  choice(0, 1) WHEN opt = 'sgd',
  dampening uniform(0, 1) WHEN nesterov = 0,
  r         randint(3, 7),
  seed = 7, algo = 'rand'
);
-- Good imports: a result, a pending trial to evaluate, an explicit id,
-- a failure, and a trial with JSON attached.
INSERT INTO net(lr, units, layers, opt, r, loss)
  VALUES (0.001, 128, 3, 'adam', 3, 0.25);
INSERT INTO net(lr, units, layers, opt, momentum, nesterov, dampening, r)
  VALUES (0.01, 64.0, 8, 'sgd', 0.9, 0, 0.5, 6);
INSERT INTO net(trial, lr, units, layers, opt, momentum, nesterov, r, loss)
  VALUES (10, 1e-5, 512, 1, 'sgd', 0, 1, 4, 1.5);
INSERT INTO net(lr, units, layers, opt, r, status, extra)
  VALUES (0.1, 16, 2, 'rmsprop', 5, 'fail', '{"error": "diverged"}');
SELECT trial, lr, units, layers, opt, momentum, nesterov, dampening, r, loss,
       status, extra, suggested_at IS NOT NULL AS has_suggested,
       finished_at IS NOT NULL AS has_finished
  FROM net;

-- Each refused insert.
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.5, 128, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 100, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 528, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3.5, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 9, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3, 'adamw', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3, 1, 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3, 'adam', 7);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3, 'adam', 2);
INSERT INTO net(lr, units, layers, opt, r) VALUES ('fast', 128, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (x'00', 128, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, momentum, r)
  VALUES (0.001, 128, 3, 'adam', 0.5, 3);
INSERT INTO net(lr, units, layers, opt, r) VALUES (0.001, 128, 3, 'sgd', 3);
INSERT INTO net(lr, units, layers, opt, momentum, nesterov, r)
  VALUES (0.001, 128, 3, 'sgd', 0.5, 0, 3);
INSERT INTO net(lr, units, layers, opt, momentum, nesterov, dampening, r)
  VALUES (0.001, 128, 3, 'sgd', 0.5, 1, 0.5, 3);
INSERT INTO net(units, layers, opt, r) VALUES (128, 3, 'adam', 3);
INSERT INTO net(lr, units, layers, opt, r, loss)
  VALUES (0.001, 128, 3, 'adam', 3, 'low');
INSERT INTO net(lr, units, layers, opt, r, loss)
  VALUES (0.001, 128, 3, 'adam', 3, 1e999);
INSERT INTO net(lr, units, layers, opt, r, loss)
  VALUES (0.001, 128, 3, 'adam', 3, -1e999);
-- (SQLite stores a NaN as NULL, so a NaN loss reaches the table as "no
-- result yet"; see test_python.py.)
INSERT INTO net(lr, units, layers, opt, r, loss)
  VALUES (0.001, 128, 3, 'adam', 3, x'ff');
INSERT INTO net(lr, units, layers, opt, r, status)
  VALUES (0.001, 128, 3, 'adam', 3, 'ok');
INSERT INTO net(lr, units, layers, opt, r, status)
  VALUES (0.001, 128, 3, 'adam', 3, 'done');
INSERT INTO net(lr, units, layers, opt, r, status, loss)
  VALUES (0.001, 128, 3, 'adam', 3, 'pending', 1);
INSERT INTO net(trial, lr, units, layers, opt, r)
  VALUES (10, 0.001, 128, 3, 'adam', 3);
INSERT INTO net(trial, lr, units, layers, opt, r)
  VALUES ('ten', 0.001, 128, 3, 'adam', 3);
-- A multi-row insert whose last row is bad inserts nothing.
INSERT INTO net(lr, units, layers, opt, r) VALUES
  (0.001, 128, 3, 'adam', 3), (0.002, 128, 3, 'adam', 3),
  (0.003, 128, 3, 'nadam', 3);
SELECT count(*) AS trials, max(trial) AS last FROM net;

-- Results: a loss makes a pending trial ok; a failure is kept.
UPDATE net SET loss = 0.75 WHERE trial = 2;
SELECT trial, loss, status, finished_at IS NOT NULL AS has_finished
  FROM net WHERE trial = 2;
-- Each refused update.
UPDATE net SET lr = 0.002 WHERE trial = 2;
UPDATE net SET opt = 'adam', momentum = NULL, nesterov = NULL,
  dampening = NULL WHERE trial = 2;
UPDATE net SET trial = 99 WHERE trial = 2;
UPDATE net SET loss = 'inf' WHERE trial = 2;
UPDATE net SET loss = 1e999 WHERE trial = 2;
UPDATE net SET loss = NULL WHERE trial = 2;
UPDATE net SET status = 'finished' WHERE trial = 2;
UPDATE net SET status = 'pending' WHERE trial = 2;
-- A multi-row update that fails on one row changes no row.
UPDATE net SET loss = CASE trial WHEN 10 THEN 'x' ELSE 9 END;
SELECT trial, lr, loss, status FROM net;
-- Corrections that are allowed: a new loss, reopening, failing, notes.
UPDATE net SET loss = 0.5 WHERE trial = 2;
UPDATE net SET status = 'pending', loss = NULL WHERE trial = 10;
UPDATE net SET status = 'fail' WHERE trial = 10;
UPDATE net SET extra = json_object('epochs', 12) WHERE trial = 1;
SELECT trial, loss, status, extra FROM net;
-- Deleting a trial is the user's choice.
DELETE FROM net WHERE trial = 10;
SELECT count(*) AS trials FROM net;
-- The shadow tables are the experiment's: with defensive mode on, they
-- cannot be written directly.
.dbconfig defensive on
INSERT INTO net_trials(trial, status) VALUES (100, 'ok');
DELETE FROM net_config;
SELECT count(*) AS trials FROM net;
