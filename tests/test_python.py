"""sqlite-tpe from Python's sqlite3 module: load, ask and tell, files,
other processes, reproducibility and resumption.

Run with Debian's /usr/bin/python3, whose sqlite3 module can load
extensions:  /usr/bin/python3 tests/test_python.py
"""
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXT = os.path.join(ROOT, "tpe")

SPACE = """x uniform(-5, 5), y loguniform(1e-3, 10),
           opt choice('adam', 'sgd'),
           momentum uniform(0, 0.99) WHEN opt = 'sgd',
           seed = 11"""


def connect(path=":memory:"):
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    conn.load_extension(EXT)
    conn.enable_load_extension(False)
    return conn


def objective(p):
    loss = (p["x"] - 1.0) ** 2 + math.log10(p["y"]) ** 2
    if p["opt"] == "sgd":
        loss += (p["momentum"] - 0.9) ** 2
    return loss + 0.5 * (p["opt"] == "adam")


def step(conn, name="exp"):
    """One ask and tell; returns the suggestion."""
    p = json.loads(conn.execute("SELECT tpe_suggest(?)", (name,))
                   .fetchone()[0])
    conn.execute(f'UPDATE "{name}" SET loss = ? WHERE trial = ?',
                 (objective(p), p["trial"]))
    conn.commit()
    return p


def rows(conn, name="exp"):
    return conn.execute(f'SELECT trial, x, y, opt, momentum, loss, status '
                        f'FROM "{name}" ORDER BY trial').fetchall()


class TpeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "tune.db")

    def tearDown(self):
        self.dir.cleanup()

    def create(self, path=None, space=SPACE, name="exp"):
        conn = connect(path or self.path)
        conn.execute(f'CREATE VIRTUAL TABLE "{name}" USING tpe({space})')
        conn.commit()
        return conn

    def test_ask_and_tell(self):
        conn = self.create()
        for i in range(30):
            p = step(conn)
            self.assertEqual(p["trial"], i + 1)
            self.assertEqual("momentum" in p, p["opt"] == "sgd")
            self.assertIn(p["opt"], ("adam", "sgd"))
        best = json.loads(conn.execute("SELECT tpe_best('exp')").fetchone()[0])
        lowest = conn.execute("SELECT trial, loss FROM exp WHERE status = 'ok' "
                              "ORDER BY loss LIMIT 1").fetchone()
        self.assertEqual((best["trial"], best["loss"]), lowest)

    def test_reopen_and_other_process(self):
        conn = self.create()
        for _ in range(5):
            step(conn)
        before = rows(conn)
        conn.close()
        conn = connect(self.path)
        self.assertEqual(rows(conn), before)
        space = conn.execute("SELECT name, kind, args, condition "
                             "FROM tpe_space('exp') WHERE kind <> 'option'"
                             ).fetchall()
        self.assertEqual(space, [("x", "uniform", "-5, 5", None),
                                 ("y", "loguniform", "0.001, 10", None),
                                 ("opt", "choice", "'adam', 'sgd'", None),
                                 ("momentum", "uniform", "0, 0.99",
                                  "opt = 'sgd'")])
        conn.close()
        # Another process suggests and tells through the same file.
        code = ("import sys; sys.path.insert(0, %r); import test_python as t;"
                "c = t.connect(%r); t.step(c); c.close()"
                % (os.path.dirname(__file__), self.path))
        subprocess.run([sys.executable, "-c", code], check=True)
        conn = connect(self.path)
        after = rows(conn)
        self.assertEqual(after[:5], before)
        self.assertEqual(len(after), 6)
        self.assertEqual(after[5][6], "ok")

    def test_same_seed_same_suggestions(self):
        a = self.create(":memory:")
        b = self.create(os.path.join(self.dir.name, "b.db"))
        for _ in range(30):
            self.assertEqual(step(a), step(b))
        c = self.create(":memory:", SPACE.replace("seed = 11", "seed = 12"))
        self.assertNotEqual(step(c), rows(a)[0])

    def test_resume_gives_the_rows_of_an_uninterrupted_run(self):
        for algo in ("tpe", "rand", "anneal"):
            space = SPACE + f", algo = '{algo}'"
            whole = self.create(":memory:", space)
            for _ in range(45):
                step(whole)
            path = os.path.join(self.dir.name, f"resumed-{algo}.db")
            conn = self.create(path, space)
            for n in (7, 13, 1, 24):
                for _ in range(n):
                    step(conn)
                conn.close()
                conn = connect(path)
            self.assertEqual(rows(conn), rows(whole), algo)

    def test_two_connections_see_each_other(self):
        one = self.create()
        one.execute("PRAGMA journal_mode = WAL")
        two = connect(self.path)
        for _ in range(25):
            step(one)
        p = json.loads(one.execute("SELECT tpe_suggest('exp')").fetchone()[0])
        one.commit()
        # The other connection records the result; the first one's next
        # suggestion must condition on it, exactly as a fresh connection's.
        two.execute("UPDATE exp SET loss = 0 WHERE trial = ?", (p["trial"],))
        two.commit()
        fresh = connect(self.path)
        # Python opens no transaction for a SELECT: BEGIN makes the
        # suggestions below undoable.
        one.execute("BEGIN")
        mine = json.loads(one.execute("SELECT tpe_suggest('exp')").fetchone()[0])
        one.rollback()
        fresh.execute("BEGIN")
        theirs = json.loads(fresh.execute("SELECT tpe_suggest('exp')")
                            .fetchone()[0])
        fresh.rollback()
        self.assertEqual(mine, theirs)
        self.assertEqual(mine["trial"], p["trial"] + 1)
        # A suggestion rolled back leaves no trial behind, and the next one
        # is the same point.
        again = json.loads(one.execute("SELECT tpe_suggest('exp')").fetchone()[0])
        self.assertEqual(again, mine)
        self.assertEqual(len(rows(fresh)), p["trial"] + 1)

    def test_bad_writes_raise_and_change_nothing(self):
        conn = self.create()
        step(conn)
        before = rows(conn)
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            conn.execute("INSERT INTO exp(x, y, opt) VALUES (9, 1, 'adam')")
        self.assertEqual(str(cm.exception),
                         "exp: column x: 9 is out of range for uniform(-5, 5)")
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            conn.execute("UPDATE exp SET loss = 'low' WHERE trial = 1")
        self.assertEqual(str(cm.exception),
                         "exp: trial 1: loss must be a number, got text 'low'")
        # SQLite stores a NaN as NULL: a NaN result is refused for an ok
        # trial and leaves a pending one pending.
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            conn.execute("UPDATE exp SET loss = ? WHERE trial = 1",
                         (float("nan"),))
        self.assertEqual(str(cm.exception),
                         "exp: trial 1: status 'ok' needs a loss")
        conn.rollback()
        self.assertEqual(rows(conn), before)
        with self.assertRaises(sqlite3.OperationalError) as cm:
            conn.execute("SELECT tpe_suggest('nope')")
        self.assertEqual(str(cm.exception), "no such experiment: nope")

    def test_processes_suggest_at_once(self):
        # Several processes suggesting in autocommit mode on one WAL file
        # never number two trials alike and never fail.
        conn = self.create()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
        code = ("import sys, json; sys.path.insert(0, %r); import test_python"
                " as t\nc = t.connect(%r)\nc.isolation_level = None\n"
                "for _ in range(30): t.step(c)\n" %
                (os.path.dirname(__file__), self.path))
        procs = [subprocess.Popen([sys.executable, "-c", code])
                 for _ in range(3)]
        for proc in procs:
            self.assertEqual(proc.wait(), 0)
        conn = connect(self.path)
        self.assertEqual(conn.execute(
            "SELECT count(*), count(DISTINCT trial), max(trial), "
            "sum(status = 'ok') FROM exp").fetchone(), (90, 90, 90, 90))

    def test_max_history(self):
        # A cap larger than the history changes nothing; a small one
        # changes the model, and the point stays in the space.
        space = "x uniform(-5, 5), y uniform(-5, 5), seed = 3"
        conns = {}
        for cap in (0, 100000, 5):
            conn = self.create(":memory:", f"{space}, max_history = {cap}")
            conn.executemany("INSERT INTO exp(x, y, loss) VALUES (?, ?, ?)",
                             [((i * 37 % 100) / 10 - 5, (i * 53 % 100) / 10 - 5,
                               float(i % 17)) for i in range(60)])
            conns[cap] = json.loads(conn.execute(
                "SELECT tpe_suggest('exp')").fetchone()[0])
        self.assertEqual(conns[0], conns[100000])
        self.assertNotEqual(conns[0], conns[5])
        self.assertTrue(-5 <= conns[5]["x"] <= 5 and -5 <= conns[5]["y"] <= 5)

    def test_drop_removes_everything(self):
        conn = self.create()
        step(conn)
        conn.execute("DROP TABLE exp")
        conn.commit()
        left = conn.execute("SELECT name FROM sqlite_schema").fetchall()
        self.assertEqual(left, [])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"python: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
