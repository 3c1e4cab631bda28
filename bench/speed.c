/*
** bench/speed.c: how long one suggestion takes, how memory grows with the
** history, and how fast the analysis queries run, through the C API.
**
**     make bench                               the default run
**     ./build/bench_speed -p branin -s 100,1000 -r 15      a quick run
**     ./build/bench_speed -p hartmann6 -s 100000,300000,1000000 -q 0
**
** Latency.  For each space of ../shared/bench/PROBLEMS.md named with -p
** and each history size n of -s, a child process opens an in-memory
** database, registers sqlite-tpe with sqlite3_tpe_init(), creates the
** experiment with default options and INSERTs n random points of the
** space, each with its problem's loss, in one transaction.  Then it times
** rounds of what a user does per evaluation:
**
**     SELECT tpe_suggest('exp');                   -- ask
**     UPDATE exp SET loss = ? WHERE trial = ?;     -- tell
**
** where the loss is the problem's function at the suggested point, read
** back from the JSON.  The first round is reported apart ("cold": it
** loads the history); the table shows the median of the -r rounds after
** it, and the fastest and slowest.  The history grows by one trial per
** round, so a row of size n covers n+1 .. n+r+1 trials.  Each size runs
** in its own process so that the peak resident size (ru_maxrss) is that
** of this size alone; it includes SQLite's page cache of the in-memory
** database.
**
** Queries.  With -q N (default 1,000,000; 0 skips), a child fills an
** experiment of the 2-D space with N trials and a plain table with the
** same rows and an index on loss, and times each of
**
**     SELECT * FROM exp WHERE status = 'ok' ORDER BY loss LIMIT 5
**     SELECT * FROM exp WHERE trial = ?       -- a random trial
**
** on both, stepping every row and reading every column.
**
** Memory.  With -m R (default 100,000; 0 skips), a child grows an
** experiment of the 2-D space from 1,000 trials by R asks and tells and
** prints SQLite's count of allocated bytes on the way (sqlite-tpe
** allocates through SQLite), less its page cache, per trial; then the
** count before and after 1,000,000 calls that add nothing, and what stays
** allocated after sqlite3_close().
**
** References.  hyperopt's and Optuna's per-suggestion medians come from
** ../shared/bench/ANCHORS.md (copied by hand below); the ratio columns
** divide them by our ask-and-tell median at the same n.  They were taken
** on the same kind of machine but not in the same run, and their
** protocol counts a cheap objective and bookkeeping as we count the tell.
**
** Known shortcomings: the random prefill is not the history a real
** optimization leaves (it is spread over the whole space instead of
** crowding near the optimum); the timings are those of whatever else
** runs on the machine, so compare medians of repeated runs.
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "problems.h"

/* The entry point of sqlite-tpe, linked in from build/libtpe_core.a. */
int sqlite3_tpe_init(sqlite3 *db, char **pzErrMsg,
                     const sqlite3_api_routines *pApi);

#define BENCH_MAXCOL 6          /* most parameters of a space */
#define BENCH_MAXSIZE 16        /* most history sizes per run */

/**************************************************************************
** Random numbers: splitmix64, so every run fills the same histories.
*/
static uint64_t benchState = 0x5eed;

static double benchUniform(void){
  uint64_t z = (benchState += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static double benchInt(int lo, int hi){
  return lo + floor(benchUniform() * (hi - lo + 1));
}

/* exp of a uniform draw between log(lo) and log(hi). */
static double benchLogUniform(double lo, double hi){
  return exp(log(lo) + (log(hi) - log(lo)) * benchUniform());
}

/**************************************************************************
** The four spaces, their random points and their losses.  A point is an
** array of doubles in declared order: label indexes for choices, NaN for
** parameters of branches not taken.
*/
typedef struct BenchSpace BenchSpace;
struct BenchSpace {
  const char *zName;          /* name used by -p */
  const char *zDecl;          /* the declaration */
  int nCol;                   /* number of parameters */
  const char *azCol[BENCH_MAXCOL];   /* their names */
  const char *const *azLabel; /* labels of the choice parameter, or 0 */
  int iChoice;                /* which parameter is the choice, or -1 */
  void (*xRandom)(double*);   /* fill a random point */
  double (*xLoss)(const double*);    /* the problem's loss at a point */
  double aRef[3][3];          /* ANCHORS.md ms at 100/1000/5000: hyperopt
                              ** TPE, Optuna memory, Optuna SQLite */
};

static void benchRandBranin(double *a){
  a[0] = -5 + 15 * benchUniform();
  a[1] = 15 * benchUniform();
}

static void benchRandHartmann6(double *a){
  int i;
  for(i = 0; i < 6; i++) a[i] = benchUniform();
}


static void benchRandMixedMl(double *a){
  a[0] = benchLogUniform(1e-5, 1);
  a[1] = 16 * benchInt(1, 32);
  a[2] = benchInt(0, 2);
  a[3] = 0.8 * benchUniform();
}


static void benchRandConditional(double *a){
  int i;
  for(i = 1; i < 6; i++) a[i] = NAN;
  a[0] = benchInt(0, 2);
  if( a[0] == 0 ){
    a[1] = benchLogUniform(1e-3, 1e3);
    a[2] = benchLogUniform(1e-5, 1);
  }else if( a[0] == 1 ){
    a[3] = 10 * benchInt(1, 100);
    a[4] = benchInt(2, 32);
  }else{
    a[5] = benchInt(1, 50);
  }
}

/* ANCHORS.md, "Per-suggestion latency": hyperopt TPE, Optuna TPE default
** in memory, Optuna TPE default with SQLite (no 5,000 figure: 0). */
static const BenchSpace aSpace[] = {
  { "branin", BENCH_DECL_BRANIN, 2,
    { "x1", "x2" }, 0, -1, benchRandBranin, benchBranin,
    { { 2.85, 7.10, 44.2 }, { 2.49, 8.89, 32.2 }, { 41.8, 47.5, 0 } } },
  { "hartmann6",
    BENCH_DECL_HARTMANN6, 6,
    { "x0", "x1", "x2", "x3", "x4", "x5" }, 0, -1,
    benchRandHartmann6, benchHartmann6,
    { { 6.64, 20.1, 69.7 }, { 3.60, 11.7, 61.0 }, { 42.5, 57.5, 0 } } },
  { "mixed_ml",
    BENCH_DECL_MIXED_ML,
    4, { "lr", "units", "optimizer", "dropout" }, azOptimizer, 2,
    benchRandMixedMl, benchMixedMl,
    { { 5.03, 26.6, 134 }, { 2.83, 9.43, 35.3 }, { 41.8, 55.1, 0 } } },
  { "conditional",
    BENCH_DECL_CONDITIONAL, 6,
    { "model", "C", "gamma", "trees", "depth", "k" }, azModel, 0,
    benchRandConditional, benchConditional,
    { { 5.73, 26.7, 122 }, { 3.24, 11.6, 76.6 }, { 41.9, 73.8, 0 } } },
};
#define BENCH_NSPACE ((int)(sizeof(aSpace) / sizeof(aSpace[0])))

/**************************************************************************
** Helpers
*/

/* Stop the program: a benchmark that hits an error measures nothing. */
static void benchDie(sqlite3 *db, const char *zWhat){
  fprintf(stderr, "bench_speed: %s: %s\n", zWhat,
          db ? sqlite3_errmsg(db) : "failed");
  exit(1);
}

static double benchNow(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int benchCmp(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* Median of a[0..n-1]; sorts a. */
static double benchMedian(double *a, int n){
  qsort(a, n, sizeof(double), benchCmp);
  return n % 2 ? a[n/2] : 0.5 * (a[n/2 - 1] + a[n/2]);
}

static void benchExec(sqlite3 *db, const char *zSql){
  if( sqlite3_exec(db, zSql, 0, 0, 0) != SQLITE_OK ) benchDie(db, zSql);
}

static sqlite3_stmt *benchPrepare(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) != SQLITE_OK ){
    benchDie(db, zSql);
  }
  return pStmt;
}

/* Peak resident size of this process in MiB. */
static double benchPeakMiB(void){
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* Options appended to every declaration (-o), "" for the defaults. */
static const char *zBenchOpts = "";

/* An in-memory database with sqlite-tpe and experiment "exp" of pS. */
static sqlite3 *benchOpen(const BenchSpace *pS){
  sqlite3 *db = 0;
  char *zSql;

  if( sqlite3_open(":memory:", &db) != SQLITE_OK ) benchDie(db, "open");
  if( sqlite3_tpe_init(db, 0, 0) != SQLITE_OK ) benchDie(db, "init");
  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE exp USING tpe(%s%s%s)",
                         pS->zDecl, zBenchOpts[0] ? ", " : "", zBenchOpts);
  benchExec(db, zSql);
  sqlite3_free(zSql);
  return db;
}

/* Bind point a of space pS to parameters 1..nCol of pStmt. */
static void benchBindPoint(sqlite3_stmt *pStmt, const BenchSpace *pS,
                           const double *a){
  int i;
  for(i = 0; i < pS->nCol; i++){
    if( a[i] != a[i] ){
      sqlite3_bind_null(pStmt, i + 1);
    }else if( i == pS->iChoice ){
      sqlite3_bind_text(pStmt, i + 1, pS->azLabel[(int)a[i]], -1,
                        SQLITE_STATIC);
    }else{
      sqlite3_bind_double(pStmt, i + 1, a[i]);
    }
  }
}

/* Add n random points with their losses in one transaction, through the
** virtual table (zTab "exp") or a plain table with the same columns. */
static void benchFill(sqlite3 *db, const BenchSpace *pS, const char *zTab,
                      int n){
  sqlite3_str *pStr = sqlite3_str_new(db);
  sqlite3_stmt *pStmt;
  char *zSql;
  double a[BENCH_MAXCOL];
  int i;

  sqlite3_str_appendf(pStr, "INSERT INTO %s(", zTab);
  for(i = 0; i < pS->nCol; i++) sqlite3_str_appendf(pStr, "%s, ",
                                                    pS->azCol[i]);
  sqlite3_str_appendall(pStr, "loss) VALUES(");
  for(i = 0; i < pS->nCol; i++) sqlite3_str_appendall(pStr, "?, ");
  sqlite3_str_appendall(pStr, "?)");
  zSql = sqlite3_str_finish(pStr);
  pStmt = benchPrepare(db, zSql);
  sqlite3_free(zSql);
  benchExec(db, "BEGIN");
  for(i = 0; i < n; i++){
    pS->xRandom(a);
    benchBindPoint(pStmt, pS, a);
    sqlite3_bind_double(pStmt, pS->nCol + 1, pS->xLoss(a));
    if( sqlite3_step(pStmt) != SQLITE_DONE ) benchDie(db, "prefill");
    sqlite3_reset(pStmt);
  }
  benchExec(db, "COMMIT");
  sqlite3_finalize(pStmt);
}

/*
** Read the point of a suggestion's JSON z into a[] and return its trial
** id.  The JSON is the extension's own: {"trial": 7, "x": 1.5, ...}, with
** inactive parameters left out.
*/
static sqlite3_int64 benchParse(const BenchSpace *pS, const char *z,
                                double *a){
  char zKey[40];
  int i, j;

  for(i = 0; i < pS->nCol; i++){
    const char *zAt;
    snprintf(zKey, sizeof(zKey), "\"%s\": ", pS->azCol[i]);
    zAt = strstr(z, zKey);
    a[i] = NAN;
    if( zAt == 0 ) continue;
    zAt += strlen(zKey);
    if( i == pS->iChoice ){
      for(j = 0; pS->azLabel[j]; j++){
        size_t nL = strlen(pS->azLabel[j]);
        if( zAt[0] == '"' && strncmp(zAt + 1, pS->azLabel[j], nL) == 0
         && zAt[nL + 1] == '"' ){
          a[i] = j;
        }
      }
    }else{
      a[i] = strtod(zAt, 0);
    }
  }
  if( strncmp(z, "{\"trial\": ", 10) != 0 ) benchDie(0, z);
  return strtoll(z + 10, 0, 10);
}

/**************************************************************************
** Latency of ask and tell
*/

/* What a child measured for one space and size, sent to the parent. */
typedef struct BenchResult BenchResult;
struct BenchResult {
  double rCold;         /* first ask and tell after the prefill, s */
  double rMed;          /* median ask and tell, s */
  double rMin;          /* fastest ask and tell, s */
  double rMax;          /* slowest ask and tell, s */
  double rAsk;          /* median ask alone, s */
  double rTell;         /* median tell alone, s */
  double rFill;         /* time to prefill, s */
  double rPeakMiB;      /* peak resident size of the child, MiB */
};

/* One ask and tell on db; returns the time of each through the args. */
static void benchRound(sqlite3 *db, const BenchSpace *pS,
                       sqlite3_stmt *pAsk, sqlite3_stmt *pTell,
                       double *prAsk, double *prTell){
  double a[BENCH_MAXCOL], t0, t1, t2;
  sqlite3_int64 iTrial;

  t0 = benchNow();
  if( sqlite3_step(pAsk) != SQLITE_ROW ) benchDie(db, "tpe_suggest");
  iTrial = benchParse(pS, (const char*)sqlite3_column_text(pAsk, 0), a);
  sqlite3_reset(pAsk);
  t1 = benchNow();
  sqlite3_bind_double(pTell, 1, pS->xLoss(a));
  sqlite3_bind_int64(pTell, 2, iTrial);
  if( sqlite3_step(pTell) != SQLITE_DONE ) benchDie(db, "UPDATE");
  sqlite3_reset(pTell);
  t2 = benchNow();
  if( sqlite3_changes(db) != 1 ) benchDie(db, "UPDATE changed no row");
  *prAsk = t1 - t0;
  *prTell = t2 - t1;
}

/* Measure one space at one size in this process. */
static void benchLatency(const BenchSpace *pS, int n, int nRound,
                         BenchResult *pRes){
  sqlite3 *db = benchOpen(pS);
  sqlite3_stmt *pAsk, *pTell;
  double *aAll, *aAsk, *aTell, t0, rAsk, rTell;
  int i;

  aAll = malloc(sizeof(double) * 3 * nRound);
  if( aAll == 0 ) benchDie(0, "malloc");
  aAsk = aAll + nRound;
  aTell = aAll + 2 * nRound;
  t0 = benchNow();
  benchFill(db, pS, "exp", n);
  pRes->rFill = benchNow() - t0;
  pAsk = benchPrepare(db, "SELECT tpe_suggest('exp')");
  pTell = benchPrepare(db, "UPDATE exp SET loss = ? WHERE trial = ?");
  benchRound(db, pS, pAsk, pTell, &rAsk, &rTell);
  pRes->rCold = rAsk + rTell;
  for(i = 0; i < nRound; i++){
    benchRound(db, pS, pAsk, pTell, &aAsk[i], &aTell[i]);
    aAll[i] = aAsk[i] + aTell[i];
  }
  pRes->rMed = benchMedian(aAll, nRound);
  pRes->rMin = aAll[0];
  pRes->rMax = aAll[nRound - 1];
  pRes->rAsk = benchMedian(aAsk, nRound);
  pRes->rTell = benchMedian(aTell, nRound);
  pRes->rPeakMiB = benchPeakMiB();
  sqlite3_finalize(pAsk);
  sqlite3_finalize(pTell);
  sqlite3_close(db);
  free(aAll);
}

/* Run benchLatency in a child so that its peak memory is its own. */
static void benchLatencyChild(const BenchSpace *pS, int n, int nRound,
                              BenchResult *pRes){
  int aFd[2], st;
  pid_t pid;

  if( pipe(aFd) != 0 ) benchDie(0, "pipe");
  fflush(stdout);
  pid = fork();
  if( pid < 0 ) benchDie(0, "fork");
  if( pid == 0 ){
    close(aFd[0]);
    benchLatency(pS, n, nRound, pRes);
    if( write(aFd[1], pRes, sizeof(*pRes)) != (ssize_t)sizeof(*pRes) ){
      _exit(1);
    }
    _exit(0);
  }
  close(aFd[1]);
  if( read(aFd[0], pRes, sizeof(*pRes)) != (ssize_t)sizeof(*pRes) ){
    benchDie(0, "child measured nothing");
  }
  close(aFd[0]);
  waitpid(pid, &st, 0);
}

/* The ANCHORS.md figure (ms) for reference iRef at size n, or 0. */
static double benchRef(const BenchSpace *pS, int iRef, int n){
  switch( n ){
    case 100:  return pS->aRef[iRef][0];
    case 1000: return pS->aRef[iRef][1];
    case 5000: return pS->aRef[iRef][2];
  }
  return 0;
}

/* Print "12.3 ms  1234x" style cells for one reference, or dashes. */
static void benchRefCells(double rRefMs, double rOurs){
  if( rRefMs > 0 ){
    printf(" %8.2f | %7.0fx |", rRefMs, rRefMs * 1e-3 / rOurs);
  }else{
    printf(" %8s | %8s |", "-", "-");
  }
}

static void benchLatencyTable(const int *aiSpace, int nSpace,
                              const int *aSize, int nSize, int nRound){
  int i, j;

  printf("## One ask and tell, C API, in-memory database\n\n");
  printf("Median over %d rounds after one cold round; us = microseconds."
         " References in ms\nfrom ANCHORS.md (hyperopt TPE; Optuna TPE "
         "default, in memory); ratio =\nreference / our median.\n\n",
         nRound);
  printf("| space | trials | ask+tell us | [min-max] us | ask us | tell us "
         "| cold us | peak MiB | hyperopt ms | speed-up | Optuna ms "
         "| speed-up |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for(i = 0; i < nSpace; i++){
    const BenchSpace *pS = &aSpace[aiSpace[i]];
    for(j = 0; j < nSize; j++){
      BenchResult res;
      memset(&res, 0, sizeof(res));
      benchLatencyChild(pS, aSize[j], nRound, &res);
      printf("| %s | %d | %.1f | %.1f-%.1f | %.1f | %.1f | %.0f | %.1f |",
             pS->zName, aSize[j], res.rMed * 1e6, res.rMin * 1e6,
             res.rMax * 1e6, res.rAsk * 1e6, res.rTell * 1e6,
             res.rCold * 1e6, res.rPeakMiB);
      benchRefCells(benchRef(pS, 0, aSize[j]), res.rMed);
      benchRefCells(benchRef(pS, 1, aSize[j]), res.rMed);
      printf("\n");
      fflush(stdout);
    }
  }
  printf("\n");
}

/**************************************************************************
** Analysis queries against their plain-table floor
*/

/* Median time of running pStmt nRep times (rebinding a random trial id
** in 1..nRow first if it has a parameter), stepping every row. */
static double benchQuery(sqlite3 *db, sqlite3_stmt *pStmt, int nRow,
                         int nRep){
  double *a = malloc(sizeof(double) * nRep), r;
  int i, j, nCol = sqlite3_column_count(pStmt), nSeen = 0;

  if( a == 0 ) benchDie(0, "malloc");
  for(i = 0; i < nRep; i++){
    double t0;
    if( sqlite3_bind_parameter_count(pStmt) > 0 ){
      sqlite3_bind_int64(pStmt, 1, 1 + (sqlite3_int64)(benchUniform()*nRow));
    }
    t0 = benchNow();
    while( sqlite3_step(pStmt) == SQLITE_ROW ){
      for(j = 0; j < nCol; j++) sqlite3_column_value(pStmt, j);
      nSeen++;
    }
    if( sqlite3_reset(pStmt) != SQLITE_OK ) benchDie(db, "query");
    a[i] = benchNow() - t0;
  }
  if( nSeen < nRep ) benchDie(0, "query returned too few rows");
  r = benchMedian(a, nRep);
  free(a);
  return r;
}

static void benchQueries(int nRow){
  static const char *const azSql[] = {
    "SELECT * FROM %s WHERE status = 'ok' ORDER BY loss LIMIT 5",
    "SELECT * FROM %s WHERE trial = ?",
  };
  static const int aRep[] = { 2001, 20001 };
  const BenchSpace *pS = &aSpace[0];
  sqlite3 *db = benchOpen(pS);
  double t0;
  int i;

  printf("## Analysis queries at %d trials (%s space)\n\n", nRow,
         pS->zName);
  t0 = benchNow();
  benchFill(db, pS, "exp", nRow);
  printf("Prefill through the virtual table: %.1f s.  Floor: a plain "
         "table with the same\nrows (exp_trials copied) and an index on "
         "loss.  Median over repetitions.\n\n", benchNow() - t0);
  /* The same schema as the shadow table (trial is the rowid). */
  benchExec(db, "CREATE TABLE plain(trial INTEGER PRIMARY KEY, x1 REAL, "
                "x2 REAL, loss REAL, status TEXT NOT NULL, suggested_at "
                "TEXT, finished_at TEXT, extra TEXT);"
                "INSERT INTO plain SELECT * FROM exp_trials;"
                "CREATE INDEX plain_loss ON plain(loss);");
  printf("| query | experiment us | plain table us | ratio |\n");
  printf("|---|---:|---:|---:|\n");
  for(i = 0; i < 2; i++){
    char *zExp = sqlite3_mprintf(azSql[i], "exp");
    char *zPlain = sqlite3_mprintf(azSql[i], "plain");
    sqlite3_stmt *pExp = benchPrepare(db, zExp);
    sqlite3_stmt *pPlain = benchPrepare(db, zPlain);
    double rPlain, rExp;
    /* Alternate to share the machine's mood between the two. */
    rExp = benchQuery(db, pExp, nRow, aRep[i]);
    rPlain = benchQuery(db, pPlain, nRow, aRep[i]);
    rExp = fmin(rExp, benchQuery(db, pExp, nRow, aRep[i]));
    rPlain = fmin(rPlain, benchQuery(db, pPlain, nRow, aRep[i]));
    printf("| `%s` | %.2f | %.2f | %.2f |\n", zExp, rExp * 1e6,
           rPlain * 1e6, rExp / rPlain);
    sqlite3_finalize(pExp);
    sqlite3_finalize(pPlain);
    sqlite3_free(zExp);
    sqlite3_free(zPlain);
  }
  printf("\n(each figure is the lower of two medians, the two tables "
         "measured in turn)\n\n");
  sqlite3_close(db);
}

/**************************************************************************
** Memory over many calls
*/

/* Bytes SQLite has allocated in this process, and its page cache's share
** for db. */
static void benchMemory(sqlite3 *db, double *prUsed, double *prCache){
  int iCur = 0, iHi = 0;
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &iCur, &iHi, 0);
  *prUsed = (double)sqlite3_memory_used();
  *prCache = iCur;
}

/*
** In a child: an experiment of branin's space with 1,000 trials, then
** nRound asks and tells, with SQLite's memory (every allocation of
** sqlite-tpe goes through it) at five points on the way; then 1,000,000
** calls of tpe_best and of a lookup by trial, which add nothing, with the
** memory before and after; then what is left allocated once the
** connection is closed.
*/
static void benchMemoryRun(int nRound){
  const BenchSpace *pS = &aSpace[0];
  sqlite3 *db;
  sqlite3_stmt *pAsk, *pTell, *pBest, *pGet;
  double rBase = (double)sqlite3_memory_used(), rUsed, rCache, rUsed0 = 0;
  double rAsk, rTell;
  int i, nStart = 1000, nCall = 1000000;

  db = benchOpen(pS);
  benchFill(db, pS, "exp", nStart);
  pAsk = benchPrepare(db, "SELECT tpe_suggest('exp')");
  pTell = benchPrepare(db, "UPDATE exp SET loss = ? WHERE trial = ?");
  printf("## Memory over many calls (%s space, default options)\n\n",
         pS->zName);
  printf("SQLite's own count of allocated bytes (sqlite-tpe allocates "
         "through it): in use,\nits page cache of the in-memory database, "
         "and the rest per trial.\n\n");
  printf("| trials | asks so far | in use MiB | page cache MiB "
         "| rest bytes/trial | peak RSS MiB |\n");
  printf("|---:|---:|---:|---:|---:|---:|\n");
  for(i = 0; i <= nRound; i++){
    if( i % (nRound / 5 > 0 ? nRound / 5 : 1) == 0 || i == nRound ){
      benchMemory(db, &rUsed, &rCache);
      printf("| %d | %d | %.1f | %.1f | %.0f | %.1f |\n", nStart + i, i,
             (rUsed - rBase) / 1048576.0, rCache / 1048576.0,
             (rUsed - rBase - rCache) / (nStart + i), benchPeakMiB());
      fflush(stdout);
    }
    if( i < nRound ) benchRound(db, pS, pAsk, pTell, &rAsk, &rTell);
  }
  sqlite3_finalize(pAsk);
  sqlite3_finalize(pTell);

  /* The first thousand calls warm the statements up; then the count
  ** must not move. */
  pBest = benchPrepare(db, "SELECT tpe_best('exp')");
  pGet = benchPrepare(db, "SELECT * FROM exp WHERE trial = ?");
  for(i = 0; i < nCall; i++){
    sqlite3_stmt *p = i % 2 ? pGet : pBest;
    if( i == 1000 ) benchMemory(db, &rUsed0, &rCache);
    if( p == pGet ) sqlite3_bind_int64(pGet, 1, 1 + i % (nStart + nRound));
    while( sqlite3_step(p) == SQLITE_ROW ){}
    if( sqlite3_reset(p) != SQLITE_OK ) benchDie(db, "read");
  }
  benchMemory(db, &rUsed, &rCache);
  printf("\n%d calls of tpe_best and lookups by trial: %.0f bytes in use "
         "after the first 1,000,\n%.0f after the last.\n", nCall,
         rUsed0 - rBase, rUsed - rBase);
  sqlite3_finalize(pBest);
  sqlite3_finalize(pGet);
  sqlite3_close(db);
  printf("After sqlite3_close: %.0f bytes still allocated.\n\n",
         (double)sqlite3_memory_used() - rBase);
}

static void benchMemoryChild(int nRound){
  int st;
  pid_t pid;

  fflush(stdout);
  pid = fork();
  if( pid < 0 ) benchDie(0, "fork");
  if( pid == 0 ){
    benchMemoryRun(nRound);
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, &st, 0);
  if( !WIFEXITED(st) || WEXITSTATUS(st) != 0 ){
    benchDie(0, "memory run failed");
  }
}

/**************************************************************************
** Main
*/

static void benchUsage(void){
  fprintf(stderr,
    "usage: bench_speed [-p SPACES] [-s SIZES] [-r ROUNDS] [-q ROWS] "
    "[-m ROUNDS] [-o OPTIONS]\n"
    "  -p  comma-separated spaces: branin,hartmann6,mixed_ml,conditional\n"
    "      (default all)\n"
    "  -s  comma-separated history sizes (default "
    "100,1000,5000,10000,100000)\n"
    "  -r  timed rounds per size after the cold one (default 31)\n"
    "  -q  trials of the query comparison, 0 to skip (default 1000000)\n"
    "  -m  asks of the memory run, 0 to skip (default 100000)\n"
    "  -o  options added to each declaration, e.g. \"compat = hyperopt\"\n");
  exit(2);
}

int main(int argc, char **argv){
  int aiSpace[BENCH_NSPACE], nSpace = 0;
  int aSize[BENCH_MAXSIZE], nSize = 0;
  int nRound = 31, nQuery = 1000000, nMemory = 100000;
  int i, c;

  while( (c = getopt(argc, argv, "p:s:r:q:m:o:")) != -1 ){
    char *z, *zTok, *zSave = 0;
    switch( c ){
      case 'p':
        for(z = optarg; (zTok = strtok_r(z, ",", &zSave)) != 0; z = 0){
          for(i = 0; i < BENCH_NSPACE; i++){
            if( strcmp(zTok, aSpace[i].zName) == 0 ) break;
          }
          if( i == BENCH_NSPACE || nSpace == BENCH_NSPACE ) benchUsage();
          aiSpace[nSpace++] = i;
        }
        break;
      case 's':
        for(z = optarg; (zTok = strtok_r(z, ",", &zSave)) != 0; z = 0){
          if( nSize == BENCH_MAXSIZE || atoi(zTok) < 0 ) benchUsage();
          aSize[nSize++] = atoi(zTok);
        }
        break;
      case 'r':
        nRound = atoi(optarg);
        if( nRound < 1 ) benchUsage();
        break;
      case 'q':
        nQuery = atoi(optarg);
        break;
      case 'm':
        nMemory = atoi(optarg);
        break;
      case 'o':
        zBenchOpts = optarg;
        break;
      default:
        benchUsage();
    }
  }
  if( nSpace == 0 ){
    for(i = 0; i < BENCH_NSPACE; i++) aiSpace[nSpace++] = i;
  }
  if( nSize == 0 ){
    static const int aDefault[] = { 100, 1000, 5000, 10000, 100000 };
    for(i = 0; i < 5; i++) aSize[nSize++] = aDefault[i];
  }
  printf("# sqlite-tpe speed (SQLite %s, options: %s)\n\n",
         sqlite3_libversion(), zBenchOpts[0] ? zBenchOpts : "defaults");
  benchLatencyTable(aiSpace, nSpace, aSize, nSize, nRound);
  if( nMemory > 0 ) benchMemoryChild(nMemory);
  if( nQuery > 0 ) benchQueries(nQuery);
  return 0;
}
