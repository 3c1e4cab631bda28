"""bench/speed.py: one ask and tell through Python's sqlite3 module.

    make bench                           (after build/bench_speed)
    /usr/bin/python3 bench/speed.py -s 100,1000 -r 21

What a user of Python runs per evaluation, on a database FILE in WAL mode
with the module's default transaction handling:

    cur = conn.execute("SELECT tpe_suggest('exp')")   # ask, autocommitted
    conn.execute("UPDATE exp SET loss = ? WHERE trial = ?", ...)
    conn.commit()                                     # tell

Each space and size runs in a child process (this script with --child) so
that the peak resident size is its own.  The history is n random points
with random losses, INSERTed in one transaction.  The table shows the
median over the rounds after a first, cold one, beside Optuna's TPE with
SQLite storage from ../shared/bench/ANCHORS.md.  Each case runs with
synchronous = FULL (SQLite's default: every commit syncs the WAL, two
syncs per round) and NORMAL (the usual setting with WAL: commits do not
sync, a power loss may lose the last ones); -y picks one.
"""
import getopt
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

SPACES = {
    "branin": ("x1 uniform(-5, 10), x2 uniform(0, 15)",
               lambda r: {"x1": r.uniform(-5, 10), "x2": r.uniform(0, 15)},
               (41.8, 47.5)),
    "hartmann6": (", ".join("x%d uniform(0, 1)" % i for i in range(6)),
                  lambda r: {"x%d" % i: r.random() for i in range(6)},
                  (42.5, 57.5)),
    "mixed_ml": ("lr loguniform(1e-5, 1), units quniform(16, 512, 16), "
                 "optimizer choice('adam', 'sgd', 'rmsprop'), "
                 "dropout uniform(0, 0.8)",
                 lambda r: {"lr": 10 ** r.uniform(-5, 0),
                            "units": 16 * r.randint(1, 32),
                            "optimizer": r.choice(["adam", "sgd", "rmsprop"]),
                            "dropout": r.uniform(0, 0.8)},
                 (41.8, 55.1)),
    "conditional": ("model choice('svm', 'forest', 'knn'), "
                    "C loguniform(1e-3, 1e3) WHEN model = 'svm', "
                    "gamma loguniform(1e-5, 1) WHEN model = 'svm', "
                    "trees quniform(10, 1000, 10) WHEN model = 'forest', "
                    "depth uniformint(2, 32) WHEN model = 'forest', "
                    "k uniformint(1, 50) WHEN model = 'knn'",
                    None, (41.9, 73.8)),
}


def conditional_point(r):
    m = r.choice(["svm", "forest", "knn"])
    if m == "svm":
        return {"model": m, "C": 10 ** r.uniform(-3, 3),
                "gamma": 10 ** r.uniform(-5, 0)}
    if m == "forest":
        return {"model": m, "trees": 10 * r.randint(1, 100),
                "depth": r.randint(2, 32)}
    return {"model": m, "k": r.randint(1, 50)}


def child(space, n, rounds, ext, sync):
    decl, point, _ = SPACES[space]
    point = point or conditional_point
    rnd = random.Random(n)
    d = tempfile.mkdtemp(prefix="tpe_speed_")
    path = os.path.join(d, "exp.db")
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    conn.load_extension(ext)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = %s" % sync)
    conn.execute("CREATE VIRTUAL TABLE exp USING tpe(%s)" % decl)
    with conn:
        for _ in range(n):
            p = point(rnd)
            cols = ", ".join(p)
            conn.execute("INSERT INTO exp(%s, loss) VALUES(%s)"
                         % (cols, ", ".join("?" * (len(p) + 1))),
                         list(p.values()) + [rnd.random()])
    times = []
    for i in range(rounds + 1):
        t0 = time.perf_counter()
        s = conn.execute("SELECT tpe_suggest('exp')").fetchone()[0]
        trial = json.loads(s)["trial"]
        conn.execute("UPDATE exp SET loss = ? WHERE trial = ?",
                     (rnd.random(), trial))
        conn.commit()
        times.append(time.perf_counter() - t0)
    conn.close()
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    os.rmdir(d)
    cold, rest = times[0], sorted(times[1:])
    med = rest[len(rest) // 2]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"cold": cold, "med": med, "min": rest[0],
                      "max": rest[-1], "peak": peak}))


def main():
    opts, _ = getopt.getopt(sys.argv[1:], "p:s:r:y:",
                            ["child=", "ext="])
    opts = dict(opts)
    ext = opts.get("--ext", os.path.abspath("tpe"))
    rounds = int(opts.get("-r", "31"))
    if "--child" in opts:
        space, n, sync = opts["--child"].split(":")
        child(space, int(n), rounds, ext, sync)
        return
    spaces = opts.get("-p", ",".join(SPACES)).split(",")
    sizes = [int(x) for x in opts.get("-s", "100,1000,10000").split(",")]
    print("## One ask and tell, Python sqlite3 (SQLite %s), file in WAL "
          "mode\n" % sqlite3.sqlite_version)
    print("Median over %d rounds after one cold round, each round "
          "committed; us =\nmicroseconds.  Reference: Optuna TPE (default) "
          "with SQLite storage, ms,\nfrom ANCHORS.md; speed-up = reference "
          "/ our median.\n" % rounds)
    syncs = opts.get("-y", "FULL,NORMAL").split(",")
    print("| space | trials | synchronous | ask+tell us | [min-max] us "
          "| cold us | peak MiB | Optuna SQLite ms | speed-up |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for space, n, sync in [(p, n, y) for p in spaces for n in sizes
                           for y in syncs]:
        out = subprocess.run(
            [sys.executable, __file__, "--child",
             "%s:%d:%s" % (space, n, sync), "-r", str(rounds),
             "--ext", ext],
            check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        ref = dict(zip((100, 1000), SPACES[space][2])).get(n)
        cells = ("%.2f | %.0fx" % (ref, ref * 1e-3 / r["med"])
                 if ref else "- | -")
        print("| %s | %d | %s | %.1f | %.1f-%.1f | %.0f | %.1f | %s |"
              % (space, n, sync, r["med"] * 1e6, r["min"] * 1e6,
                 r["max"] * 1e6, r["cold"] * 1e6, r["peak"], cells),
              flush=True)
    print()


if __name__ == "__main__":
    main()
