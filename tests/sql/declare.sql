-- Declarations: every malformed one fails CREATE with a message naming
-- the experiment, the column and the fault, and leaves nothing behind.
.headers on
.mode list
CREATE VIRTUAL TABLE net USING tpe(lr loguniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(x unifrom(0, 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1, 2));
CREATE VIRTUAL TABLE e USING tpe(x quniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform('a', 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform(1, 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform(2, 1));
CREATE VIRTUAL TABLE e USING tpe(x quniform(0, 10, 0));
CREATE VIRTUAL TABLE e USING tpe(x quniform(0, 10, -1));
CREATE VIRTUAL TABLE e USING tpe(x qloguniform(1, 10, 0));
CREATE VIRTUAL TABLE e USING tpe(x normal(0, 0));
CREATE VIRTUAL TABLE e USING tpe(x lognormal(0, -1));
CREATE VIRTUAL TABLE e USING tpe(x qnormal(0, 1, 0));
CREATE VIRTUAL TABLE e USING tpe(x qlognormal(0, 0, 1));
CREATE VIRTUAL TABLE e USING tpe(x qlognormal(5, 1100, 1));
CREATE VIRTUAL TABLE e USING tpe(x normal(0, 1e300));
CREATE VIRTUAL TABLE e USING tpe(x uniform(-1e308, 1e308));
CREATE VIRTUAL TABLE e USING tpe(x quniform(0, 1e10, 1e-300));
CREATE VIRTUAL TABLE e USING tpe(x randint(0.5, 3));
CREATE VIRTUAL TABLE e USING tpe(x randint(3, 3));
CREATE VIRTUAL TABLE e USING tpe(x uniformint(5, 1));
CREATE VIRTUAL TABLE e USING tpe(x randint(0, 100000000));
CREATE VIRTUAL TABLE e USING tpe(x choice());
CREATE VIRTUAL TABLE e USING tpe(x choice('a', 'a'));
CREATE VIRTUAL TABLE e USING tpe(x choice('a', b));
CREATE VIRTUAL TABLE e USING tpe(x pchoice('a' = 0.5, 'b' = 0.4));
CREATE VIRTUAL TABLE e USING tpe(x pchoice('a', 'b'));
CREATE VIRTUAL TABLE e USING tpe(x pchoice('a' = 1.5, 'b' = -0.5));
CREATE VIRTUAL TABLE e USING tpe(x uniform);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1) extra);
CREATE VIRTUAL TABLE e USING tpe(x);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), X uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), "x" choice(1, 2));
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1) WHEN m = 'a');
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), y uniform(0, 1) WHEN x = 1);
CREATE VIRTUAL TABLE e USING tpe(m choice('a', 'b'), y uniform(0, 1) WHEN m = 'c');
CREATE VIRTUAL TABLE e USING tpe(m choice('a', 'b'), y uniform(0, 1) WHEN m IN ('a', 'z'));
CREATE VIRTUAL TABLE e USING tpe(m choice('a', 'b'), y uniform(0, 1) WHEN m = 1);
CREATE VIRTUAL TABLE e USING tpe(m choice('a', 'b') WHEN m = 'a');
CREATE VIRTUAL TABLE e USING tpe(a choice('x', 'y') WHEN b = 'x', b choice('x', 'y') WHEN a = 'y');
CREATE VIRTUAL TABLE e USING tpe(a choice('x') WHEN c = 'x', b choice('x') WHEN a = 'x', c choice('x') WHEN b = 'x');
CREATE VIRTUAL TABLE e USING tpe(c uniform(0, 1) WHEN a = 'u', a choice('u', 'v') WHEN b = 'u', b choice('u', 'v') WHEN a = 'u');
CREATE VIRTUAL TABLE e USING tpe(m choice('a'), y uniform(0, 1) WHEN m 'a');
CREATE VIRTUAL TABLE e USING tpe(trial uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(LOSS uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(status choice('a'));
CREATE VIRTUAL TABLE e USING tpe(suggested_at uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(finished_at uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(extra uniform(0, 1));
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), sed = 1);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), seed = 1, seed = 2);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), seed = 'abc');
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), seed = 1.5);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), seed = 9223372036854775808);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), algo = 'grid');
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), compat = 'optuna');
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), gamma = 0);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), gamma = 1.5);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), n_candidates = 0);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), n_startup = -1);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), prior_weight = 0);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), forgetting = 0);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), multivariate = maybe);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), consider_endpoints = 2);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), max_history = -1);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), rank_decay = 0);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), quasi_random = yes);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), clip_by_trials = 'no');
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), univariate_every = 1.5);
CREATE VIRTUAL TABLE e USING tpe(x uniform(0, 1), seed = 1 2);
CREATE VIRTUAL TABLE e USING tpe(seed = 1);
CREATE VIRTUAL TABLE e USING tpe();
-- Nothing was created by any of the above.
SELECT count(*) AS objects FROM sqlite_schema;

-- A good declaration with every kind, conditions nested two deep, a child
-- declared before its parent, quoted names and options.
CREATE VIRTUAL TABLE net USING tpe(
  lr        loguniform(1e-5, 1e-1),
  units     quniform(16, 512, 16),
  layers    uniformint(1, 8),
  "drop out" uniform(0, 0.8),
  degree    randint(2, 6) WHEN kernel = 'poly',
  kernel    choice('rbf', 'poly') WHEN optimizer IN ('sgd', 'rmsprop'),
  optimizer choice('adam', 'sgd', 'rmsprop'),
  momentum  uniform(0, 0.99) WHEN optimizer = 'sgd',
  w         qloguniform(1, 100, 1),
  n         normal(0, 1),
  qn        qnormal(0, 10, 0.5),
  ln        lognormal(0, 1),
  qln       qlognormal(1, 0.5, 2),
  act       pchoice('relu' = 0.5, 'tanh' = 0.3, 'gelu' = 0.2),
  bits      choice(8, 16, 32.5),
  seed = 12345,
  algo = 'rand',
  gamma = 0.3
);
SELECT * FROM tpe_space('net');
SELECT name, type FROM pragma_table_list WHERE name LIKE 'net%' ORDER BY name;
-- Probabilities are shown as declared; the seed takes the whole int64 range.
CREATE VIRTUAL TABLE p USING tpe(x pchoice('a' = 0.2, 'b' = 0.7, 'c' = 0.1),
                                 seed = -9223372036854775808);
SELECT name, args FROM tpe_space('p') WHERE name IN ('x', 'seed');
SELECT name, type FROM pragma_table_xinfo('net');
