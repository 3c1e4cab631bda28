/*
** bench/quality.c: optimization quality of sqlite-tpe on the public
** problems.
**
**     make bench-quality                  every problem and configuration
**     ./build/bench_quality -p branin,camel -c default -s 5 -n 100
**     ./build/bench_quality --anchors --markdown > quality.md
**
** For each problem of ../shared/bench/PROBLEMS.md, each configuration of
** aConfig[] and each seed 0..19, the program opens a fresh in-memory
** database, registers sqlite-tpe with sqlite3_tpe_init(), and drives one
** experiment through SQL only, the way a user would:
**
**     CREATE VIRTUAL TABLE exp USING tpe(x uniform(-5, 5), ..., seed = 3);
**     SELECT tpe_suggest('exp');                 -- {"trial": 7, ...}
**     SELECT x, y FROM exp WHERE trial = 7;      -- read the point back
**     UPDATE exp SET loss = 0.42 WHERE trial = 7;
**
** 200 rounds of suggest, evaluate, record.  After k evaluations the
** reported best is what `SELECT ... WHERE status = 'ok' ORDER BY loss
** LIMIT 1` returns, the trial with the lowest OBSERVED loss; its regret is
** the noise-free f at its parameters minus f*.  A table cell is the median
** regret over the seeds, at k = 25, 50, 100 and 200.
**
** Noise.  The two noisy problems add noise * N(0, 1) to the loss the
** optimizer sees.  The normal deviates come from this program's own
** splitmix64 stream seeded with 10000 + seed, one per evaluation, so the
** output is the same on every run of the same binary.
**
** Workers.  With -j N the runs are dealt round-robin to N forked
** processes, which send one fixed-size record per run back through a
** pipe.  The parent files each record under its run's index, so the
** tables do not depend on the order in which runs finish.  Only the wall
** times, printed on stderr, vary from one invocation to the next.
**
** Checks.  Every SQLite result code is checked, and so is what the
** extension hands back: each suggested point must lie in its space (bounds,
** grids, integers, labels, and exactly the parameters of the chosen branch
** active), each UPDATE must change one row, and the trial ORDER BY loss
** returns must carry the lowest loss recorded so far.  Any failure ends
** the program with a message and exit status 1.
**
** Known shortcomings: the reference figures are hard-coded from
** ANCHORS.md and only exist at 50 and 200 evaluations over 20 seeds; with
** other -n or -s the --anchors columns compare unlike things, and the
** program says so.  The wall time includes the objective and SQL overhead
** and is taken under whatever else runs on the machine.
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "problems.h"

/* The entry point of sqlite-tpe, linked in from build/libtpe_core.a. */
int sqlite3_tpe_init(sqlite3 *db, char **pzErrMsg,
                     const sqlite3_api_routines *pApi);


/**************************************************************************
** Configurations.  Each is a column of the tables: the options appended
** to the declaration after `seed = <seed>`.  A new variant is one line.
*/
typedef struct BenchConfig BenchConfig;
struct BenchConfig {
  const char *zName;    /* column header and -c name, at most 10 chars */
  const char *zOpts;    /* options for CREATE VIRTUAL TABLE, "" for none */
};

static const BenchConfig aConfig[] = {
  { "rand",       "algo = 'rand'" },
  { "anneal",     "algo = 'anneal'" },
  { "hyperopt",   "algo = 'tpe', compat = 'hyperopt'" },
  { "default",    "" },
  { "univariate", "multivariate = false" },
  { "joint",      "univariate_every = 0" },
  { "endpoints",  "consider_endpoints = true" },
  { "flat",       "rank_decay = 1e-9" },
  { "kernclip",   "clip_by_trials = false" },
  { "randstart",  "quasi_random = false" },
  { "gamma.1",    "gamma = 0.1" },
  { "gamma.25",   "gamma = 0.25" },
  { "startup20",  "n_startup = 20" },
  { "cand64",     "n_candidates = 64" },
  { "cap50",      "max_history = 50" },
};
#define BENCH_NCONFIG ((int)(sizeof(aConfig) / sizeof(aConfig[0])))

/* The configuration the one-line summary speaks of. */
#define BENCH_HEADLINE "default"

/**************************************************************************
** Problems, exactly as ../shared/bench/PROBLEMS.md defines them.
**
** Each objective receives the parameters in the order of the problem's
** zCols: numbers as they are, a choice as the index of its label in
** azLabel, an inactive parameter as NaN.  It returns the noise-free f, or
** NaN if the point is not one the space can produce, which the harness
** reports as a fault of the extension.
*/
typedef struct BenchProblem BenchProblem;
struct BenchProblem {
  const char *zName;    /* name in PROBLEMS.md and for -p */
  const char *zSpace;   /* parameter declarations, in CREATE VIRTUAL TABLE */
  const char *zCols;    /* parameters to read back, comma-separated */
  int nCol;             /* number of names in zCols */
  const char *const *azLabel;  /* labels of the problem's one choice
                               ** parameter, NULL-terminated, or NULL */
  double (*xClean)(const double *a);  /* noise-free f, or NaN off-space */
  double rOpt;          /* f*, the known optimum */
  double rNoise;        /* standard deviation of the observation noise */
};


/* The optima are PROBLEMS.md's rounded figures at full precision, so that
** regret at a true optimum is 0 rather than a small negative number. */
/*
** Problems kept apart from the public nine (--extra): they check that a
** configuration chosen on the public problems does well elsewhere too.
*/

/* styblinski_tang4: 0.5 sum(x^4 - 16 x^2 + 5 x), minimum at -2.9035... */
static double benchStyblinskiTang4(const double *a){
  double f = 0.0;
  int i;

  for(i = 0; i < 4; i++){
    if( !benchIn(a[i], -5, 5) ) return NAN;
    f += a[i]*a[i]*a[i]*a[i] - 16*a[i]*a[i] + 5*a[i];
  }
  return 0.5 * f;
}

/* levy5 on [-10, 10]^5, minimum 0 at (1, ..., 1). */
static double benchLevy5(const double *a){
  const double pi = 3.14159265358979323846;
  double w[5], f, s;
  int i;

  for(i = 0; i < 5; i++){
    if( !benchIn(a[i], -10, 10) ) return NAN;
    w[i] = 1 + (a[i] - 1) / 4;
  }
  s = sin(pi * w[0]);
  f = s * s;
  for(i = 0; i < 4; i++){
    s = sin(pi * w[i] + 1);
    f += (w[i] - 1) * (w[i] - 1) * (1 + 10 * s * s);
  }
  s = sin(2 * pi * w[4]);
  return f + (w[4] - 1) * (w[4] - 1) * (1 + s * s);
}

static const char *const azBooster[] = { "gbtree", "dart", 0 };

/* boost: lr, depth, subsample, booster; noisy, optimum 0 at lr = 10^-1.3,
** depth 6, subsample 0.8, gbtree. */
static double benchBoost(const double *a){
  double u, v, w;

  if( !benchIn(a[0], 1e-4, 1) || !benchIn(a[1], 1, 12)
   || a[1] != rint(a[1]) || !benchIn(a[2], 0.3, 1)
   || !(a[3] == 0 || a[3] == 1) ){
    return NAN;
  }
  u = log10(a[0]) + 1.3;
  v = a[1] - 6;
  w = a[2] - 0.8;
  return u*u + v*v/36 + 2*w*w + 0.05*a[3];
}

static const BenchProblem aProblem[] = {
  { "seed_quadratic", "x uniform(-5, 5), y uniform(-5, 5)", "x, y", 2, 0,
    benchQuadratic, -20, 0.1 },
  { "seed_cubic", "x uniform(-5, 5), y uniform(-5, 5)", "x, y", 2, 0,
    benchCubic, -150, 0.2 },
  { "branin", BENCH_DECL_BRANIN, "x1, x2", 2, 0,
    benchBranin, 0.39788735772973816, 0 },
  { "camel", "x1 uniform(-3, 3), x2 uniform(-2, 2)", "x1, x2", 2, 0,
    benchCamel, -1.0316284534898774, 0 },
  { "hartmann6",
    BENCH_DECL_HARTMANN6,
    "x0, x1, x2, x3, x4, x5", 6, 0, benchHartmann6, -3.3223680114155155, 0 },
  { "rosenbrock4",
    "x0 uniform(-2, 2), x1 uniform(-2, 2), x2 uniform(-2, 2), "
    "x3 uniform(-2, 2)",
    "x0, x1, x2, x3", 4, 0, benchRosenbrock4, 0, 0 },
  { "ackley5",
    "x0 uniform(-32.768, 32.768), x1 uniform(-32.768, 32.768), "
    "x2 uniform(-32.768, 32.768), x3 uniform(-32.768, 32.768), "
    "x4 uniform(-32.768, 32.768)",
    "x0, x1, x2, x3, x4", 5, 0, benchAckley5, 0, 0 },
  { "mixed_ml",
    BENCH_DECL_MIXED_ML,
    "lr, units, optimizer, dropout", 4, azOptimizer, benchMixedMl, 0, 0 },
  { "conditional",
    BENCH_DECL_CONDITIONAL,
    "model, C, gamma, trees, depth, k", 6, azModel, benchConditional, 0, 0 },
  /* Extra problems, run only with --extra or when named with -p. */
  { "styblinski_tang4",
    "x0 uniform(-5, 5), x1 uniform(-5, 5), x2 uniform(-5, 5), "
    "x3 uniform(-5, 5)",
    "x0, x1, x2, x3", 4, 0, benchStyblinskiTang4, -156.66466281508568, 0 },
  { "levy5",
    "x0 uniform(-10, 10), x1 uniform(-10, 10), x2 uniform(-10, 10), "
    "x3 uniform(-10, 10), x4 uniform(-10, 10)",
    "x0, x1, x2, x3, x4", 5, 0, benchLevy5, 0, 0 },
  { "boost",
    "lr loguniform(1e-4, 1), depth uniformint(1, 12), "
    "subsample uniform(0.3, 1), booster choice('gbtree', 'dart')",
    "lr, depth, subsample, booster", 4, azBooster, benchBoost, 0, 0.02 },
};
#define BENCH_NPROBLEM ((int)(sizeof(aProblem) / sizeof(aProblem[0])))
#define BENCH_NPUBLIC 9         /* the first nine are PROBLEMS.md's */
#define BENCH_MAXCOL 6          /* largest nCol above */

/**************************************************************************
** Reference figures, copied by hand from ../shared/bench/ANCHORS.md (their
** only source): median regret over seeds 0..19 of hyperopt 0.3.0 and
** Optuna 5.0 (dev) under the same protocol, at 200 and 50 evaluations.
** They are published numbers, not measured by this program.
*/
typedef struct BenchRefCol BenchRefCol;
struct BenchRefCol {
  const char *zName;    /* column header in markdown */
  const char *zShort;   /* column header in plain text, at most 10 chars */
  int bRival;           /* 1: counts in "beats every reference" */
};

static const BenchRefCol aRefCol[] = {
  { "hyperopt TPE",          "ho-tpe",    1 },
  { "hyperopt rand",         "ho-rand",   0 },
  { "hyperopt anneal",       "ho-anneal", 1 },
  { "Optuna TPE (default)",  "op-tpe",    1 },
  { "Optuna TPE univariate", "op-univ",   1 },
};
#define BENCH_NREF ((int)(sizeof(aRefCol) / sizeof(aRefCol[0])))

typedef struct BenchRef BenchRef;
struct BenchRef {
  const char *zProblem; /* problem name */
  double a200[BENCH_NREF];  /* medians at 200 evaluations, aRefCol order */
  double a50[BENCH_NREF];   /* medians at 50 evaluations */
};

static const BenchRef aRef[] = {
  { "seed_quadratic", { 0.135, 1.75, 0.223, 0.0895, 0.0289 },
                      { 1.36, 3.94, 1.44, 0.332, 0.606 } },
  { "seed_cubic",     { 0.52, 12.7, 5.32, 0.391, 0.149 },
                      { 5.47, 25.4, 11.8, 2.75, 2.83 } },
  { "branin",         { 0.109, 0.172, 0.00458, 0.00305, 0.00482 },
                      { 0.603, 1.01, 0.148, 0.109, 0.426 } },
  { "camel",          { 0.0159, 0.0886, 0.00109, 0.000575, 0.00166 },
                      { 0.229, 0.225, 0.0205, 0.0496, 0.0707 } },
  { "hartmann6",      { 0.356, 1.03, 0.0101, 0.0307, 0.11 },
                      { 0.977, 1.34, 0.51, 0.33, 0.6 } },
  { "rosenbrock4",    { 6.87, 23.1, 2.5, 2.26, 2.68 },
                      { 19.7, 58.7, 7.09, 9.09, 14.9 } },
  { "ackley5",        { 11.1, 16.8, 3.55, 4.25, 6.87 },
                      { 16.7, 18.6, 10.4, 11.6, 14.8 } },
  { "mixed_ml",       { 0.0122, 0.0782, 8.38e-05, 0.000279, 0.000845 },
                      { 0.0849, 0.142, 0.0135, 0.0134, 0.0277 } },
  { "conditional",    { 0.0035, 0.015, 0, 0.0005, 0.0005 },
                      { 0.0463, 0.0467, 0.0182, 0.0503, 0.0503 } },
};
#define BENCH_REF_SEEDS 20      /* seeds behind the reference figures */

/* The reference medians of problem zName after k evaluations, or NULL
** where ANCHORS.md has none. */
static const double *benchRefRow(const char *zName, int k){
  int i;

  if( k != 50 && k != 200 ) return 0;
  for(i = 0; i < (int)(sizeof(aRef) / sizeof(aRef[0])); i++){
    if( strcmp(aRef[i].zProblem, zName) == 0 ){
      return k == 200 ? aRef[i].a200 : aRef[i].a50;
    }
  }
  return 0;
}

/**************************************************************************
** Errors.  This is a program, not a library: any failure prints one line
** and exits with status 1.
*/
static void benchDie(const char *zFmt, ...){
  va_list ap;

  fflush(stdout);
  fprintf(stderr, "bench_quality: ");
  va_start(ap, zFmt);
  vfprintf(stderr, zFmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  exit(1);
}

/* Allocate n zeroed bytes or die. */
static void *benchMalloc(sqlite3_int64 n){
  void *p = sqlite3_malloc64(n > 0 ? n : 1);

  if( p == 0 ) benchDie("out of memory (%lld bytes)", n);
  memset(p, 0, n > 0 ? n : 1);
  return p;
}

/**************************************************************************
** Noise: splitmix64 uniforms, Box-Muller normals.  One stream per run,
** seeded with 10000 + seed as in ANCHORS.md (whose numpy stream differs).
*/
typedef struct BenchNoise BenchNoise;
struct BenchNoise {
  uint64_t s;           /* splitmix64 state */
};

static uint64_t benchNoiseNext(BenchNoise *p){
  uint64_t z = (p->s += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform on the open interval (0, 1), 53 bits. */
static double benchNoiseUniform(BenchNoise *p){
  return ((double)(benchNoiseNext(p) >> 11) + 0.5)
         * (1.0 / 9007199254740992.0);      /* 2^-53 */
}

/* A standard normal deviate; the second of each Box-Muller pair is not
** kept, which costs nothing that matters here. */
static double benchNoiseNormal(BenchNoise *p){
  double u1 = benchNoiseUniform(p), u2 = benchNoiseUniform(p);

  return sqrt(-2 * log(u1)) * cos(2 * BENCH_PI * u2);
}

/**************************************************************************
** One run: a problem, a configuration and a seed, through SQL.
*/
#define BENCH_MAXCHECK 5        /* 25, 50, 100, 200 and a final -n */

typedef struct BenchResult BenchResult;
struct BenchResult {
  int iJob;             /* index of the run in the job list */
  int nCheck;           /* checkpoints filled in aRegret */
  double aRegret[BENCH_MAXCHECK];  /* regret at each checkpoint */
  double rSec;          /* wall time of the run in seconds */
};

typedef struct BenchRun BenchRun;
struct BenchRun {
  const BenchProblem *pProb;  /* problem */
  const BenchConfig *pCfg;    /* configuration */
  int iSeed;                  /* seed */
  sqlite3 *db;                /* fresh in-memory database, owned */
  sqlite3_stmt *pSuggest;     /* SELECT tpe_suggest('exp') */
  sqlite3_stmt *pRead;        /* SELECT <params> FROM exp WHERE trial = ? */
  sqlite3_stmt *pRecord;      /* UPDATE exp SET loss = ? WHERE trial = ? */
  sqlite3_stmt *pBest;        /* best ok trial by loss */
};

/* Die with the run's identity, zWhat and the connection's error. */
static void benchRunDie(BenchRun *p, const char *zWhat, int rc){
  benchDie("%s/%s/seed %d: %s: %s (rc %d)", p->pProb->zName,
           p->pCfg->zName, p->iSeed, zWhat,
           p->db ? sqlite3_errmsg(p->db) : sqlite3_errstr(rc), rc);
}

static sqlite3_stmt *benchPrepare(BenchRun *p, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);

  if( rc != SQLITE_OK ) benchRunDie(p, zSql, rc);
  return pStmt;
}

/* Open the database, register sqlite-tpe, create the experiment and
** prepare the statements of a run. */
static void benchRunOpen(BenchRun *p){
  char *zErr = 0;
  char *zSql;
  int rc;

  rc = sqlite3_open(":memory:", &p->db);
  if( rc != SQLITE_OK ) benchRunDie(p, "sqlite3_open", rc);
  rc = sqlite3_tpe_init(p->db, &zErr, 0);
  if( rc != SQLITE_OK ){
    benchDie("sqlite3_tpe_init: %s (rc %d)", zErr ? zErr : "?", rc);
  }

  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE exp USING tpe(%s, seed = %d"
                         "%s%s)", p->pProb->zSpace, p->iSeed,
                         p->pCfg->zOpts[0] ? ", " : "", p->pCfg->zOpts);
  if( zSql == 0 ) benchDie("out of memory");
  rc = sqlite3_exec(p->db, zSql, 0, 0, &zErr);
  if( rc != SQLITE_OK ){
    benchDie("%s/%s/seed %d: %s: %s (rc %d)", p->pProb->zName,
             p->pCfg->zName, p->iSeed, zSql, zErr ? zErr : "?", rc);
  }
  sqlite3_free(zSql);

  p->pSuggest = benchPrepare(p, "SELECT tpe_suggest('exp')");
  zSql = sqlite3_mprintf("SELECT %s FROM exp WHERE trial = ?1",
                         p->pProb->zCols);
  if( zSql == 0 ) benchDie("out of memory");
  p->pRead = benchPrepare(p, zSql);
  sqlite3_free(zSql);
  p->pRecord = benchPrepare(p, "UPDATE exp SET loss = ?1 WHERE trial = ?2");
  p->pBest = benchPrepare(p, "SELECT trial, loss FROM exp"
                             " WHERE status = 'ok' ORDER BY loss LIMIT 1");
}

static void benchRunClose(BenchRun *p){
  int rc;

  rc = sqlite3_finalize(p->pSuggest);
  if( rc == SQLITE_OK ) rc = sqlite3_finalize(p->pRead);
  if( rc == SQLITE_OK ) rc = sqlite3_finalize(p->pRecord);
  if( rc == SQLITE_OK ) rc = sqlite3_finalize(p->pBest);
  if( rc != SQLITE_OK ) benchRunDie(p, "sqlite3_finalize", rc);
  rc = sqlite3_close(p->db);
  if( rc != SQLITE_OK ) benchRunDie(p, "sqlite3_close", rc);
  p->db = 0;
}

/* The trial number at the start of tpe_suggest's JSON, {"trial": 7, ...},
** or -1 if the text does not start that way. */
static sqlite3_int64 benchJsonTrial(const char *z){
  static const char zKey[] = "{\"trial\":";
  char *zEnd = 0;
  long long iTrial;

  if( z == 0 || strncmp(z, zKey, sizeof(zKey) - 1) != 0 ) return -1;
  errno = 0;
  iTrial = strtoll(z + sizeof(zKey) - 1, &zEnd, 10);
  if( errno || zEnd == z + sizeof(zKey) - 1 ) return -1;
  if( *zEnd != ',' && *zEnd != '}' ) return -1;
  return iTrial;
}

/* Suggest a point: return its trial id and write its parameters to a[]. */
static sqlite3_int64 benchSuggest(BenchRun *p, double *a){
  const BenchProblem *pProb = p->pProb;
  sqlite3_int64 iTrial;
  int rc, i;

  rc = sqlite3_step(p->pSuggest);
  if( rc != SQLITE_ROW ) benchRunDie(p, "SELECT tpe_suggest('exp')", rc);
  iTrial = benchJsonTrial((const char*)sqlite3_column_text(p->pSuggest, 0));
  if( iTrial < 0 ){
    benchDie("%s/%s/seed %d: tpe_suggest returned %s", pProb->zName,
             p->pCfg->zName, p->iSeed,
             (const char*)sqlite3_column_text(p->pSuggest, 0));
  }
  rc = sqlite3_reset(p->pSuggest);
  if( rc != SQLITE_OK ) benchRunDie(p, "tpe_suggest", rc);

  rc = sqlite3_bind_int64(p->pRead, 1, iTrial);
  if( rc != SQLITE_OK ) benchRunDie(p, "binding the trial", rc);
  rc = sqlite3_step(p->pRead);
  if( rc != SQLITE_ROW ) benchRunDie(p, "reading the suggested trial", rc);
  for(i = 0; i < pProb->nCol; i++){
    int eType = sqlite3_column_type(p->pRead, i);
    if( eType == SQLITE_NULL ){
      a[i] = NAN;
    }else if( eType == SQLITE_TEXT && pProb->azLabel ){
      const char *z = (const char*)sqlite3_column_text(p->pRead, i);
      int j;
      for(j = 0; pProb->azLabel[j] && strcmp(pProb->azLabel[j], z); j++){}
      if( pProb->azLabel[j] == 0 ){
        benchDie("%s/%s/seed %d: trial %lld: unknown label '%s'",
                 pProb->zName, p->pCfg->zName, p->iSeed, iTrial, z);
      }
      a[i] = j;
    }else if( eType == SQLITE_INTEGER || eType == SQLITE_FLOAT ){
      a[i] = sqlite3_column_double(p->pRead, i);
    }else{
      benchDie("%s/%s/seed %d: trial %lld: column %d has type %d",
               pProb->zName, p->pCfg->zName, p->iSeed, iTrial, i, eType);
    }
  }
  rc = sqlite3_reset(p->pRead);
  if( rc != SQLITE_OK ) benchRunDie(p, "reading the suggested trial", rc);
  return iTrial;
}

/* Record the observed loss of trial iTrial. */
static void benchRecord(BenchRun *p, sqlite3_int64 iTrial, double rLoss){
  int rc;

  rc = sqlite3_bind_double(p->pRecord, 1, rLoss);
  if( rc == SQLITE_OK ) rc = sqlite3_bind_int64(p->pRecord, 2, iTrial);
  if( rc != SQLITE_OK ) benchRunDie(p, "binding the loss", rc);
  rc = sqlite3_step(p->pRecord);
  if( rc != SQLITE_DONE ) benchRunDie(p, "UPDATE exp SET loss", rc);
  rc = sqlite3_reset(p->pRecord);
  if( rc != SQLITE_OK ) benchRunDie(p, "UPDATE exp SET loss", rc);
  if( sqlite3_changes(p->db) != 1 ){
    benchDie("%s/%s/seed %d: UPDATE of trial %lld changed %d rows",
             p->pProb->zName, p->pCfg->zName, p->iSeed, iTrial,
             sqlite3_changes(p->db));
  }
}

/* The best trial by observed loss, as the extension reports it. */
static sqlite3_int64 benchBest(BenchRun *p, double *pLoss){
  sqlite3_int64 iTrial;
  int rc;

  rc = sqlite3_step(p->pBest);
  if( rc != SQLITE_ROW ) benchRunDie(p, "best trial by ORDER BY loss", rc);
  iTrial = sqlite3_column_int64(p->pBest, 0);
  *pLoss = sqlite3_column_double(p->pBest, 1);
  rc = sqlite3_reset(p->pBest);
  if( rc != SQLITE_OK ) benchRunDie(p, "best trial by ORDER BY loss", rc);
  return iTrial;
}

static double benchNow(void){
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
** Run problem pProb under configuration pCfg with seed iSeed for nEval
** evaluations.  aCheck[0..nCheck-1] are the ascending evaluation counts at
** which regret is taken, the last one nEval.  Fills pRes (except iJob).
*/
static void benchRunOne(const BenchProblem *pProb, const BenchConfig *pCfg,
                        int iSeed, int nEval, const int *aCheck, int nCheck,
                        BenchResult *pRes){
  BenchRun run;
  BenchNoise noise;
  sqlite3_int64 *aTrial;      /* trial id of each round */
  double *aClean;             /* noise-free f of each round */
  double a[BENCH_MAXCOL];
  double rMin = INFINITY, t0 = benchNow();
  int iRound, iCheck = 0;

  memset(&run, 0, sizeof(run));
  run.pProb = pProb;
  run.pCfg = pCfg;
  run.iSeed = iSeed;
  noise.s = 10000 + (uint64_t)iSeed;
  aTrial = benchMalloc(sizeof(sqlite3_int64) * nEval);
  aClean = benchMalloc(sizeof(double) * nEval);
  benchRunOpen(&run);

  for(iRound = 0; iRound < nEval; iRound++){
    sqlite3_int64 iTrial = benchSuggest(&run, a);
    double f = pProb->xClean(a), rLoss = f;

    if( f != f ){
      benchDie("%s/%s/seed %d: trial %lld: the suggested point is not in "
               "the space", pProb->zName, pCfg->zName, iSeed, iTrial);
    }
    if( pProb->rNoise > 0 ) rLoss += pProb->rNoise * benchNoiseNormal(&noise);
    benchRecord(&run, iTrial, rLoss);
    aTrial[iRound] = iTrial;
    aClean[iRound] = f;
    if( rLoss < rMin ) rMin = rLoss;

    /* At a checkpoint, ask the extension which trial is best. */
    if( iRound + 1 == aCheck[iCheck] ){
      double rBestLoss, rRegret;
      sqlite3_int64 iBest = benchBest(&run, &rBestLoss);
      int j;

      if( rBestLoss != rMin ){
        benchDie("%s/%s/seed %d: ORDER BY loss gave trial %lld with loss "
                 "%.17g, but the lowest recorded loss is %.17g",
                 pProb->zName, pCfg->zName, iSeed, iBest, rBestLoss, rMin);
      }
      for(j = 0; j <= iRound && aTrial[j] != iBest; j++){}
      if( j > iRound ){
        benchDie("%s/%s/seed %d: ORDER BY loss gave unknown trial %lld",
                 pProb->zName, pCfg->zName, iSeed, iBest);
      }
      rRegret = aClean[j] - pProb->rOpt;
      if( rRegret < 0 ){
        /* Only rounding can take f below the optimum. */
        if( rRegret < -1e-9 ){
          benchDie("%s: f = %.17g is below f* = %.17g", pProb->zName,
                   aClean[j], pProb->rOpt);
        }
        rRegret = 0;
      }
      pRes->aRegret[iCheck++] = rRegret;
    }
  }

  benchRunClose(&run);
  sqlite3_free(aTrial);
  sqlite3_free(aClean);
  pRes->nCheck = nCheck;
  pRes->rSec = benchNow() - t0;
}

/**************************************************************************
** The job list and the workers.
*/
typedef struct BenchPlan BenchPlan;
struct BenchPlan {
  int aProb[BENCH_NPROBLEM];  /* selected problems, indexes into aProblem */
  int nProb;                  /* number selected */
  int aCfg[BENCH_NCONFIG];    /* selected configurations, into aConfig */
  int nCfg;                   /* number selected */
  int nSeed;                  /* seeds 0..nSeed-1 */
  int nEval;                  /* evaluations per run */
  int aCheck[BENCH_MAXCHECK]; /* evaluation counts where regret is taken */
  int nCheck;                 /* number of checkpoints */
  int nWorker;                /* worker processes, 1 = none forked */
  int bMarkdown;              /* 1: GitHub-markdown tables */
  int bAnchors;               /* 1: reference columns and the summary */
  int bAllK;                  /* 1: tables at every checkpoint */
};

/* Job iJob of the plan: problem, configuration and seed, seed fastest. */
static void benchJob(const BenchPlan *pPlan, int iJob, int *piProb,
                     int *piCfg, int *piSeed){
  *piSeed = iJob % pPlan->nSeed;
  iJob /= pPlan->nSeed;
  *piCfg = pPlan->aCfg[iJob % pPlan->nCfg];
  *piProb = pPlan->aProb[iJob / pPlan->nCfg];
}

static void benchRunJob(const BenchPlan *pPlan, int iJob, BenchResult *pRes){
  int iProb, iCfg, iSeed;

  benchJob(pPlan, iJob, &iProb, &iCfg, &iSeed);
  memset(pRes, 0, sizeof(*pRes));
  pRes->iJob = iJob;
  benchRunOne(&aProblem[iProb], &aConfig[iCfg], iSeed, pPlan->nEval,
              pPlan->aCheck, pPlan->nCheck, pRes);
}

/* Write all n bytes of p to fd, or die. */
static void benchWriteAll(int fd, const void *p, size_t n){
  const char *z = (const char*)p;

  while( n > 0 ){
    ssize_t k = write(fd, z, n);
    if( k < 0 && errno == EINTR ) continue;
    if( k <= 0 ) benchDie("write to the parent: %s", strerror(errno));
    z += k;
    n -= (size_t)k;
  }
}

/* Read up to n bytes into p; returns the count, less than n only at end
** of file. */
static size_t benchReadAll(int fd, void *p, size_t n){
  char *z = (char*)p;
  size_t nGot = 0;

  while( nGot < n ){
    ssize_t k = read(fd, z + nGot, n - nGot);
    if( k < 0 && errno == EINTR ) continue;
    if( k < 0 ) benchDie("read from a worker: %s", strerror(errno));
    if( k == 0 ) break;
    nGot += (size_t)k;
  }
  return nGot;
}

/* File result r in aRes (indexed by job), refusing duplicates. */
static void benchFile(const BenchPlan *pPlan, BenchResult *aRes,
                      unsigned char *aDone, const BenchResult *r){
  int nJob = pPlan->nProb * pPlan->nCfg * pPlan->nSeed;

  if( r->iJob < 0 || r->iJob >= nJob || aDone[r->iJob] ){
    benchDie("a worker sent a bad or repeated result (job %d)", r->iJob);
  }
  aRes[r->iJob] = *r;
  aDone[r->iJob] = 1;
}

/*
** Run every job of the plan and fill aRes[0..nJob-1].  With one worker
** the jobs run in this process; otherwise job j runs in worker
** j % nWorker, which writes one BenchResult per job to its pipe.
*/
static void benchRunAll(const BenchPlan *pPlan, BenchResult *aRes){
  int nJob = pPlan->nProb * pPlan->nCfg * pPlan->nSeed;
  int nWorker = pPlan->nWorker < nJob ? pPlan->nWorker : nJob;
  unsigned char *aDone = benchMalloc(nJob);
  struct pollfd *aPoll;
  pid_t *aPid;
  int i, nOpen, nFail = 0;
  BenchResult r;

  if( nWorker <= 1 ){
    for(i = 0; i < nJob; i++){
      benchRunJob(pPlan, i, &r);
      benchFile(pPlan, aRes, aDone, &r);
    }
    sqlite3_free(aDone);
    return;
  }

  aPoll = benchMalloc(sizeof(struct pollfd) * nWorker);
  aPid = benchMalloc(sizeof(pid_t) * nWorker);
  for(i = 0; i < nWorker; i++){
    int aFd[2], j;

    if( pipe(aFd) != 0 ) benchDie("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    aPid[i] = fork();
    if( aPid[i] < 0 ) benchDie("fork: %s", strerror(errno));
    if( aPid[i] == 0 ){
      /* Worker: drop the read ends, run every nWorker-th job. */
      for(j = 0; j < i; j++) close(aPoll[j].fd);
      close(aFd[0]);
      for(j = i; j < nJob; j += nWorker){
        benchRunJob(pPlan, j, &r);
        benchWriteAll(aFd[1], &r, sizeof(r));
      }
      close(aFd[1]);
      _exit(0);
    }
    close(aFd[1]);
    aPoll[i].fd = aFd[0];
    aPoll[i].events = POLLIN;
  }

  /* Collect records as they come, so that no worker blocks on a full
  ** pipe, until every pipe is at end of file. */
  nOpen = nWorker;
  while( nOpen > 0 ){
    if( poll(aPoll, nWorker, -1) < 0 ){
      if( errno == EINTR ) continue;
      benchDie("poll: %s", strerror(errno));
    }
    for(i = 0; i < nWorker; i++){
      size_t n;
      if( aPoll[i].fd < 0 || aPoll[i].revents == 0 ) continue;
      n = benchReadAll(aPoll[i].fd, &r, sizeof(r));
      if( n == sizeof(r) ){
        benchFile(pPlan, aRes, aDone, &r);
      }else{
        close(aPoll[i].fd);
        aPoll[i].fd = -1;
        nOpen--;
      }
    }
  }
  for(i = 0; i < nWorker; i++){
    int st = 0;
    if( waitpid(aPid[i], &st, 0) < 0 ) benchDie("waitpid: %s",
                                                strerror(errno));
    if( !WIFEXITED(st) || WEXITSTATUS(st) != 0 ) nFail++;
  }
  if( nFail ) benchDie("%d worker(s) failed", nFail);
  for(i = 0; i < nJob; i++){
    if( !aDone[i] ) benchDie("no result for job %d", i);
  }
  sqlite3_free(aPoll);
  sqlite3_free(aPid);
  sqlite3_free(aDone);
}

/**************************************************************************
** Statistics and tables.
*/
static int benchCmpDouble(const void *pA, const void *pB){
  double a = *(const double*)pA, b = *(const double*)pB;

  return a < b ? -1 : a > b;
}

/* Median of a[0..n-1], sorting a; the mean of the middle two if n is
** even, as numpy's median. */
static double benchMedian(double *a, int n){
  qsort(a, n, sizeof(double), benchCmpDouble);
  return n % 2 ? a[n/2] : (a[n/2 - 1] + a[n/2]) / 2;
}

/* v rounded to 3 significant digits, as the tables print it, so that the
** summary agrees with what a reader sees. */
static double benchRound3(double v){
  char zBuf[32];

  snprintf(zBuf, sizeof(zBuf), "%.3g", v);
  return strtod(zBuf, 0);
}

/* Median regret of problem slot iP, configuration slot iC, checkpoint k
** (an index into aCheck), over the seeds. */
static double benchCell(const BenchPlan *pPlan, const BenchResult *aRes,
                        int iP, int iC, int iK, double *aScratch){
  int s, iJob0 = (iP * pPlan->nCfg + iC) * pPlan->nSeed;

  for(s = 0; s < pPlan->nSeed; s++){
    aScratch[s] = aRes[iJob0 + s].aRegret[iK];
  }
  return benchMedian(aScratch, pPlan->nSeed);
}

/* Print one cell: plain text right-aligned in 10 columns, or markdown,
** bold if bBold. */
static void benchPrintCell(const BenchPlan *pPlan, double v, int bBold){
  char zBuf[40];

  snprintf(zBuf, sizeof(zBuf), "%.3g", v);
  if( pPlan->bMarkdown ){
    printf(bBold ? " **%s** |" : " %s |", zBuf);
  }else{
    printf(" %10s", zBuf);
  }
}

/* The table of median regret after aCheck[iK] evaluations. */
static void benchPrintTable(const BenchPlan *pPlan, const BenchResult *aRes,
                            int iK){
  int k = pPlan->aCheck[iK];
  double *aScratch = benchMalloc(sizeof(double) * pPlan->nSeed);
  double aRow[BENCH_NCONFIG];
  int bRef = pPlan->bAnchors && (k == 50 || k == 200);
  int iP, iC, i;

  if( pPlan->bMarkdown ){
    printf("\n### Median regret after %d evaluations\n\n", k);
    printf("| problem |");
    for(iC = 0; iC < pPlan->nCfg; iC++){
      printf(" %s |", aConfig[pPlan->aCfg[iC]].zName);
    }
    for(i = 0; bRef && i < BENCH_NREF; i++){
      printf(" %s (ref) |", aRefCol[i].zName);
    }
    printf("\n|---|");
    for(iC = 0; iC < pPlan->nCfg + (bRef ? BENCH_NREF : 0); iC++){
      printf("---|");
    }
    printf("\n");
  }else{
    printf("\nMedian regret after %d evaluations\n%-15s", k, "problem");
    for(iC = 0; iC < pPlan->nCfg; iC++){
      printf(" %10s", aConfig[pPlan->aCfg[iC]].zName);
    }
    if( bRef ) printf("  |");
    for(i = 0; bRef && i < BENCH_NREF; i++){
      printf(" %10s", aRefCol[i].zShort);
    }
    printf("\n");
  }

  for(iP = 0; iP < pPlan->nProb; iP++){
    const char *zName = aProblem[pPlan->aProb[iP]].zName;
    const double *aR = bRef ? benchRefRow(zName, k) : 0;
    double rLow = INFINITY;

    /* The lowest printed median in the row gets bold in markdown. */
    for(iC = 0; iC < pPlan->nCfg; iC++){
      aRow[iC] = benchRound3(benchCell(pPlan, aRes, iP, iC, iK, aScratch));
      if( aRow[iC] < rLow ) rLow = aRow[iC];
    }
    for(i = 0; aR && i < BENCH_NREF; i++){
      if( aR[i] < rLow ) rLow = aR[i];
    }
    printf(pPlan->bMarkdown ? "| %s |" : "%-15s", zName);
    for(iC = 0; iC < pPlan->nCfg; iC++){
      benchPrintCell(pPlan, aRow[iC], aRow[iC] == rLow);
    }
    if( bRef && !pPlan->bMarkdown ) printf("  |");
    for(i = 0; bRef && i < BENCH_NREF; i++){
      if( aR ){
        benchPrintCell(pPlan, aR[i], aR[i] == rLow);
      }else{
        printf(pPlan->bMarkdown ? " - |" : " %10s", "-");
      }
    }
    printf("\n");
  }
  sqlite3_free(aScratch);
}

/*
** After aCheck[iK] evaluations, for each configuration: on how many
** problems it is no worse than every rival reference (ties count for us),
** on how many it beats each reference, and where it is worse than
** hyperopt's TPE.  Then the headline sentence for BENCH_HEADLINE.
*/
static void benchPrintSummary(const BenchPlan *pPlan,
                              const BenchResult *aRes, int iK){
  int k = pPlan->aCheck[iK];
  double *aScratch = benchMalloc(sizeof(double) * pPlan->nSeed);
  sqlite3_str *pHead = 0;
  int iP, iC, i;

  if( pPlan->bMarkdown ){
    printf("\n### Against the references after %d evaluations\n\n"
           "Problems (of %d) where the configuration's median is no worse "
           "than the reference's; the first column counts problems where it "
           "is no worse than all of hyperopt TPE, hyperopt anneal, Optuna "
           "TPE (default) and Optuna TPE univariate.\n\n"
           "| config | all |", k, pPlan->nProb);
    for(i = 0; i < BENCH_NREF; i++) printf(" %s |", aRefCol[i].zName);
    printf(" worse than hyperopt TPE on |\n|---|---|");
    for(i = 0; i < BENCH_NREF; i++) printf("---|");
    printf("---|\n");
  }else{
    printf("\nAgainst the references after %d evaluations: problems (of %d)"
           " where the median is\nno worse than the reference's; 'all' ="
           " no worse than every reference but ho-rand\n%-10s %5s", k,
           pPlan->nProb, "config", "all");
    for(i = 0; i < BENCH_NREF; i++) printf(" %9s", aRefCol[i].zShort);
    printf("  worse than ho-tpe on\n");
  }

  for(iC = 0; iC < pPlan->nCfg; iC++){
    const char *zCfg = aConfig[pPlan->aCfg[iC]].zName;
    int aWin[BENCH_NREF], nAll = 0;
    sqlite3_str *pWorse = sqlite3_str_new(0);
    char *zWorse;

    memset(aWin, 0, sizeof(aWin));
    for(iP = 0; iP < pPlan->nProb; iP++){
      const char *zProb = aProblem[pPlan->aProb[iP]].zName;
      const double *aR = benchRefRow(zProb, k);
      double v = benchRound3(benchCell(pPlan, aRes, iP, iC, iK, aScratch));
      int bAll = 1;
      if( aR == 0 ) continue;   /* every public problem has a row */
      for(i = 0; i < BENCH_NREF; i++){
        if( v <= aR[i] ){
          aWin[i]++;
        }else if( aRefCol[i].bRival ){
          bAll = 0;
        }
      }
      nAll += bAll;
      if( v > aR[0] ){
        sqlite3_str_appendf(pWorse, "%s%s",
                            sqlite3_str_length(pWorse) ? ", " : "", zProb);
      }
    }
    if( sqlite3_str_errcode(pWorse) != SQLITE_OK ) benchDie("out of memory");
    zWorse = sqlite3_str_finish(pWorse);   /* NULL if nothing appended */
    if( pPlan->bMarkdown ){
      printf("| %s | %d |", zCfg, nAll);
      for(i = 0; i < BENCH_NREF; i++) printf(" %d |", aWin[i]);
      printf(" %s |\n", zWorse ? zWorse : "none");
    }else{
      printf("%-10s %5d", zCfg, nAll);
      for(i = 0; i < BENCH_NREF; i++) printf(" %9d", aWin[i]);
      printf("  %s\n", zWorse ? zWorse : "none");
    }
    if( strcmp(zCfg, BENCH_HEADLINE) == 0 ){
      pHead = sqlite3_str_new(0);
      sqlite3_str_appendf(pHead, "%s beats or ties every reference on %d of"
                          " %d problems after %d evaluations; worse than"
                          " hyperopt tpe on: %s", zCfg, nAll, pPlan->nProb,
                          k, zWorse ? zWorse : "none");
    }
    sqlite3_free(zWorse);
  }
  if( pHead ){
    char *z = sqlite3_str_finish(pHead);
    if( z == 0 ) benchDie("out of memory");
    printf("\n%s\n", z);
    sqlite3_free(z);
  }
  sqlite3_free(aScratch);
}

/* Median and max wall time per run, per configuration, on stderr. */
static void benchPrintTimes(const BenchPlan *pPlan, const BenchResult *aRes){
  int nRun = pPlan->nProb * pPlan->nSeed;
  double *aT = benchMalloc(sizeof(double) * nRun);
  int iC, iP, s;

  fflush(stdout);
  if( pPlan->bMarkdown ){
    fprintf(stderr, "\n### Wall time per run (%d evaluations, measured with"
            " %d worker processes)\n\n| config | median s | max s |"
            " median ms per round |\n|---|---|---|---|\n", pPlan->nEval,
            pPlan->nWorker);
  }else{
    fprintf(stderr, "\nWall time per run of %d evaluations (measured, not"
            " deterministic; %d workers)\n%-10s %10s %10s %10s\n",
            pPlan->nEval, pPlan->nWorker, "config", "median s", "max s",
            "ms/round");
  }
  for(iC = 0; iC < pPlan->nCfg; iC++){
    double rMed, rMax = 0;
    int n = 0;
    for(iP = 0; iP < pPlan->nProb; iP++){
      for(s = 0; s < pPlan->nSeed; s++){
        double t = aRes[(iP * pPlan->nCfg + iC) * pPlan->nSeed + s].rSec;
        aT[n++] = t;
        if( t > rMax ) rMax = t;
      }
    }
    rMed = benchMedian(aT, n);
    fprintf(stderr, pPlan->bMarkdown ? "| %s | %.3f | %.3f | %.3f |\n"
                                     : "%-10s %10.3f %10.3f %10.3f\n",
            aConfig[pPlan->aCfg[iC]].zName, rMed, rMax,
            rMed * 1000 / pPlan->nEval);
  }
  sqlite3_free(aT);
}

/* The heading: protocol, and what each configuration column means. */
static void benchPrintHeading(const BenchPlan *pPlan){
  int iC;

  if( pPlan->bMarkdown ){
    printf("## sqlite-tpe optimization quality\n\n"
           "Median regret over seeds 0..%d, %d evaluations per run, the "
           "protocol of PROBLEMS.md (lower is better; bold = lowest in the "
           "row).\n\n| config | options after `seed = <seed>` |\n|---|---|\n",
           pPlan->nSeed - 1, pPlan->nEval);
    for(iC = 0; iC < pPlan->nCfg; iC++){
      const BenchConfig *p = &aConfig[pPlan->aCfg[iC]];
      printf("| %s | %s%s%s |\n", p->zName, p->zOpts[0] ? "`" : "",
             p->zOpts[0] ? p->zOpts : "(none)", p->zOpts[0] ? "`" : "");
    }
  }else{
    printf("sqlite-tpe optimization quality: median regret over seeds 0..%d,"
           " %d evaluations\nper run, protocol of ../shared/bench/PROBLEMS.md"
           " (lower is better)\n\n", pPlan->nSeed - 1, pPlan->nEval);
    for(iC = 0; iC < pPlan->nCfg; iC++){
      const BenchConfig *p = &aConfig[pPlan->aCfg[iC]];
      printf("  %-10s seed = <seed>%s%s\n", p->zName,
             p->zOpts[0] ? ", " : "", p->zOpts);
    }
  }
  if( pPlan->bAnchors ){
    printf("\nReference columns (ref): published medians from "
           "../shared/bench/ANCHORS.md over %d seeds%s.\n", BENCH_REF_SEEDS,
           pPlan->nSeed != BENCH_REF_SEEDS ?
           "; this run used a different number of seeds" : "");
  }
}

/**************************************************************************
** Command line.
*/
static void benchUsage(void){
  int i;

  fprintf(stderr,
    "usage: bench_quality [options]\n"
    "  -p NAME[,NAME...]  only these problems (repeatable)\n"
    "  -c NAME[,NAME...]  only these configurations (repeatable)\n"
    "  -s N               seeds 0..N-1 (default 20)\n"
    "  -n N               evaluations per run (default 200)\n"
    "  -j N               worker processes (default 2)\n"
    "  --markdown         GitHub-markdown tables\n"
    "  --anchors          reference columns of ANCHORS.md and a summary\n"
    "  --all              tables at 25 and 100 evaluations too\n"
    "  --extra            the problems kept apart from the public nine\n"
    "problems:");
  for(i = 0; i < BENCH_NPROBLEM; i++){
    fprintf(stderr, " %s", aProblem[i].zName);
  }
  fprintf(stderr, "\nconfigurations:");
  for(i = 0; i < BENCH_NCONFIG; i++){
    fprintf(stderr, " %s", aConfig[i].zName);
  }
  fprintf(stderr, "\n");
  exit(1);
}

/* Parse a positive integer option value or die. */
static int benchPositive(const char *zOpt, const char *zVal){
  char *zEnd = 0;
  long v;

  if( zVal == 0 ) benchDie("option %s needs a value", zOpt);
  errno = 0;
  v = strtol(zVal, &zEnd, 10);
  if( errno || zEnd == zVal || *zEnd || v < 1 || v > 1000000 ){
    benchDie("option %s: expected a positive integer, got '%s'", zOpt, zVal);
  }
  return (int)v;
}

/* Mark in aSel each name of the comma list zList found in the nName names
** of the array at aBase (stride nStride bytes, name pointer first). */
static void benchSelect(const char *zOpt, const char *zList,
                        const void *aBase, size_t nStride, int nName,
                        unsigned char *aSel){
  const char *z = zList;

  if( zList == 0 ) benchDie("option %s needs a value", zOpt);
  while( *z ){
    size_t n = strcspn(z, ",");
    int i;
    for(i = 0; i < nName; i++){
      const char *zName =
          *(const char *const*)((const char*)aBase + i * nStride);
      if( strlen(zName) == n && strncmp(zName, z, n) == 0 ) break;
    }
    if( i == nName ){
      benchDie("option %s: unknown name '%.*s' (run with -h for the list)",
               zOpt, (int)n, z);
    }
    aSel[i] = 1;
    z += n;
    if( *z == ',' ) z++;
  }
}

static void benchParseArgs(int argc, char **argv, BenchPlan *pPlan){
  static const int aStd[] = { 25, 50, 100, 200 };
  unsigned char aSelP[BENCH_NPROBLEM], aSelC[BENCH_NCONFIG];
  int bAnyP = 0, bAnyC = 0, bExtra = 0, i;

  memset(pPlan, 0, sizeof(*pPlan));
  memset(aSelP, 0, sizeof(aSelP));
  memset(aSelC, 0, sizeof(aSelC));
  pPlan->nSeed = 20;
  pPlan->nEval = 200;
  pPlan->nWorker = 2;
  for(i = 1; i < argc; i++){
    const char *z = argv[i];
    if( strcmp(z, "-p") == 0 ){
      benchSelect(z, argv[++i], aProblem, sizeof(aProblem[0]),
                  BENCH_NPROBLEM, aSelP);
      bAnyP = 1;
    }else if( strcmp(z, "-c") == 0 ){
      benchSelect(z, argv[++i], aConfig, sizeof(aConfig[0]),
                  BENCH_NCONFIG, aSelC);
      bAnyC = 1;
    }else if( strcmp(z, "-s") == 0 ){
      pPlan->nSeed = benchPositive(z, argv[++i]);
    }else if( strcmp(z, "-n") == 0 ){
      pPlan->nEval = benchPositive(z, argv[++i]);
    }else if( strcmp(z, "-j") == 0 ){
      pPlan->nWorker = benchPositive(z, argv[++i]);
    }else if( strcmp(z, "--markdown") == 0 ){
      pPlan->bMarkdown = 1;
    }else if( strcmp(z, "--anchors") == 0 ){
      pPlan->bAnchors = 1;
    }else if( strcmp(z, "--all") == 0 ){
      pPlan->bAllK = 1;
    }else if( strcmp(z, "--extra") == 0 ){
      bExtra = 1;
    }else{
      if( strcmp(z, "-h") != 0 && strcmp(z, "--help") != 0 ){
        fprintf(stderr, "bench_quality: unknown option '%s'\n", z);
      }
      benchUsage();
    }
  }

  /* Selections keep the order of the tables, whatever the command line. */
  for(i = 0; i < BENCH_NPROBLEM; i++){
    int bDefault = bExtra ? i >= BENCH_NPUBLIC : i < BENCH_NPUBLIC;
    if( bAnyP ? aSelP[i] : bDefault ) pPlan->aProb[pPlan->nProb++] = i;
  }
  for(i = 0; i < BENCH_NCONFIG; i++){
    if( !bAnyC || aSelC[i] ) pPlan->aCfg[pPlan->nCfg++] = i;
  }
  for(i = 0; i < (int)(sizeof(aStd) / sizeof(aStd[0])); i++){
    if( aStd[i] < pPlan->nEval ) pPlan->aCheck[pPlan->nCheck++] = aStd[i];
  }
  pPlan->aCheck[pPlan->nCheck++] = pPlan->nEval;
}

int main(int argc, char **argv){
  BenchPlan plan;
  BenchResult *aRes;
  int nJob, iK;

  benchParseArgs(argc, argv, &plan);
  nJob = plan.nProb * plan.nCfg * plan.nSeed;
  aRes = benchMalloc(sizeof(BenchResult) * nJob);
  benchRunAll(&plan, aRes);

  /* Main tables at 50 and at the last checkpoint; --all prints each. */
  benchPrintHeading(&plan);
  for(iK = 0; iK < plan.nCheck; iK++){
    int k = plan.aCheck[iK];
    if( plan.bAllK || k == 50 || iK == plan.nCheck - 1 ){
      benchPrintTable(&plan, aRes, iK);
    }
  }
  if( plan.bAnchors ){
    for(iK = 0; iK < plan.nCheck; iK++){
      int k = plan.aCheck[iK];
      if( k == 50 || k == 200 ) benchPrintSummary(&plan, aRes, iK);
    }
  }
  benchPrintTimes(&plan, aRes);
  sqlite3_free(aRes);
  return 0;
}
