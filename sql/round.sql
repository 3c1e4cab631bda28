-- One round of ask and tell for the demo: suggest four points, then
-- evaluate every pending trial with the Branin function, in SQL.
SELECT tpe_suggest('branin') FROM generate_series(1, 4);
UPDATE branin
   SET loss = power(x2 - 5.1 / (4 * pi() * pi()) * x1 * x1
                       + 5 / pi() * x1 - 6, 2)
              + 10 * (1 - 1 / (8 * pi())) * cos(x1) + 10
 WHERE status = 'pending';
