/*
** tests/test_fast.c: the faster paths give the answers of the plain ones.
**
** History cache.  A connection keeps each experiment's trials between
** calls of tpe_suggest and applies its own writes to them in place
** (tpe_vtab.h).  These tests drive one experiment from a connection with
** a warm cache and, before every suggestion, ask a fresh connection on the
** same file for the suggestion it would make (inside a transaction rolled
** back afterwards).  The two JSON texts must be identical, byte for byte,
** through tells, failures, pending trials, user INSERTs, DELETEs,
** ROLLBACKs and writes from other connections; and the warm connection
** must really be warm (its cache valid) after its own writes.
**
** Skipping kernels.  tpeMixtureLogPdf skips kernels far from x; on many
** random mixtures (every numeric kind, clustered observations, 16 to
** 3,000 of them) it must equal tpeMixtureLogPdfPlain to the bit for the
** quantized kinds and within 1e-12 (relative to max(1, |value|)) for the
** continuous ones, pick the same best of 24 candidates, and
** tpeMixtureBound's shortcut must give rZ to the bit.
**
** Scan statements.  xFilter reuses prepared scans per plan; queries that
** reuse them, run two of the same plan at once, or follow a RENAME must
** return the exact rows.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "tpe_parzen.h"
#include "tpe_vtab.h"

/* A database file for one test, removed with its WAL at the end. */
static char zTestDb[64];

/* A connection on zTestDb with sqlite-tpe registered; its registry is
** returned through ppReg so that tests can look at the cache. */
static sqlite3 *tpeTestOpen(TpeRegistry **ppReg){
  sqlite3 *db = 0;
  TpeRegistry *pReg = 0;

  assert_int_equal(sqlite3_open(zTestDb, &db), SQLITE_OK);
  assert_int_equal(tpeVtabRegister(db, &pReg), SQLITE_OK);
  assert_int_equal(tpeFuncRegister(db, pReg), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  if( ppReg ) *ppReg = pReg;
  return db;
}

static void tpeTestExec(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  int rc = sqlite3_exec(db, zSql, 0, 0, &zErr);
  if( rc != SQLITE_OK ) fail_msg("%s: %s", zSql, zErr ? zErr : "?");
}

/* The text of the single value zSql returns, in a buffer the caller
** frees with sqlite3_free. */
static char *tpeTestText(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  char *z = 0;

  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) != SQLITE_OK ){
    fail_msg("%s: %s", zSql, sqlite3_errmsg(db));
  }
  if( sqlite3_step(pStmt) != SQLITE_ROW ){
    fail_msg("%s: %s", zSql, sqlite3_errmsg(db));
  }
  z = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
  sqlite3_finalize(pStmt);
  return z;
}

/* The suggestion a fresh connection makes now, left unrecorded. */
static char *tpeTestColdSuggest(void){
  sqlite3 *db = tpeTestOpen(0);
  char *z;

  tpeTestExec(db, "BEGIN");
  z = tpeTestText(db, "SELECT tpe_suggest('exp')");
  tpeTestExec(db, "ROLLBACK");
  sqlite3_close(db);
  return z;
}

/* The experiment "exp" as connection pReg sees it. */
static TpeTable *tpeTestTable(TpeRegistry *pReg){
  TpeTable *p = 0;
  char *zErr = 0;
  assert_int_equal(tpeTableFind(pReg, "exp", &p, &zErr), SQLITE_OK);
  return p;
}

/* Suggest from the warm connection and check it against a cold one;
** returns the trial id. */
static sqlite3_int64 tpeTestAsk(sqlite3 *db){
  char *zCold = tpeTestColdSuggest();
  char *zWarm = tpeTestText(db, "SELECT tpe_suggest('exp')");
  sqlite3_int64 iTrial;

  assert_string_equal(zWarm, zCold);
  assert_int_equal(strncmp(zWarm, "{\"trial\": ", 10), 0);
  iTrial = strtoll(zWarm + 10, 0, 10);
  sqlite3_free(zCold);
  sqlite3_free(zWarm);
  return iTrial;
}

static void tpeTestSetup(const char *zDecl){
  sqlite3 *db;
  char *zSql;

  snprintf(zTestDb, sizeof(zTestDb), "/tmp/tpe_test_fast_%d.db",
           (int)getpid());
  remove(zTestDb);
  db = tpeTestOpen(0);
  tpeTestExec(db, "PRAGMA journal_mode = WAL");
  zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE exp USING tpe(%s)", zDecl);
  tpeTestExec(db, zSql);
  sqlite3_free(zSql);
  sqlite3_close(db);
}

static void tpeTestTeardown(void){
  char zPath[80];
  remove(zTestDb);
  snprintf(zPath, sizeof(zPath), "%s-wal", zTestDb);
  remove(zPath);
  snprintf(zPath, sizeof(zPath), "%s-shm", zTestDb);
  remove(zPath);
}

/* Run nRound rounds of ask and tell on a warm connection, varying the
** kind of tell; every suggestion is checked against a cold one. */
static void tpeTestDrive(const char *zDecl, int nRound){
  TpeRegistry *pReg;
  sqlite3 *db;
  int i;

  tpeTestSetup(zDecl);
  db = tpeTestOpen(&pReg);
  for(i = 0; i < nRound; i++){
    sqlite3_int64 iTrial = tpeTestAsk(db);
    char *zSql;
    assert_int_equal(tpeTestTable(pReg)->bHist, 1);
    switch( i % 7 ){
      case 3:   /* the evaluation failed */
        zSql = sqlite3_mprintf("UPDATE exp SET status = 'fail' "
                               "WHERE trial = %lld", iTrial);
        break;
      case 5:   /* still running: stays pending */
        zSql = 0;
        break;
      default:  /* a loss that depends on the round */
        zSql = sqlite3_mprintf("UPDATE exp SET loss = %d.25 "
                               "WHERE trial = %lld", (i * 37) % 101, iTrial);
        break;
    }
    if( zSql ){
      tpeTestExec(db, zSql);
      sqlite3_free(zSql);
    }
    assert_int_equal(tpeTestTable(pReg)->bHist, 1);
  }
  sqlite3_close(db);
  tpeTestTeardown();
}

static void test_cache_branin(void **state){
  (void)state;
  tpeTestDrive("x1 uniform(-5, 10), x2 uniform(0, 15), seed = 3", 45);
}

static void test_cache_mixed(void **state){
  (void)state;
  tpeTestDrive("lr loguniform(1e-5, 1), units quniform(16, 512, 16), "
               "optimizer choice('adam', 'sgd', 'rmsprop'), "
               "dropout uniform(0, 0.8), n randint(3, 9), seed = 5", 45);
}

static void test_cache_conditional(void **state){
  (void)state;
  tpeTestDrive("model choice('svm', 'forest', 'knn'), "
               "C loguniform(1e-3, 1e3) WHEN model = 'svm', "
               "trees quniform(10, 1000, 10) WHEN model = 'forest', "
               "depth uniformint(2, 32) WHEN model = 'forest', "
               "k uniformint(1, 50) WHEN model = 'knn', "
               "compat = hyperopt, seed = 11", 45);
}

/* User INSERTs (automatic and explicit ids, older ids too), DELETEs and
** a ROLLBACK keep the warm connection's answers equal to a cold one's. */
static void test_cache_writes(void **state){
  TpeRegistry *pReg;
  sqlite3 *db;
  sqlite3_int64 iTrial, iAgain;
  int i;

  (void)state;
  tpeTestSetup("x uniform(-5, 5), y uniform(-5, 5), n_startup = 5");
  db = tpeTestOpen(&pReg);
  for(i = 0; i < 12; i++){
    char *zSql = sqlite3_mprintf("INSERT INTO exp(x, y, loss) "
                                 "VALUES(%d.5 / 3, %d / 4.0, %d)",
                                 i % 7 - 3, 9 - i % 19, (i * 13) % 17);
    tpeTestExec(db, zSql);
    sqlite3_free(zSql);
  }
  assert_int_equal(tpeTestTable(pReg)->bHist, 0);   /* never loaded */
  iTrial = tpeTestAsk(db);
  assert_int_equal(iTrial, 13);
  assert_int_equal(tpeTestTable(pReg)->bHist, 1);

  /* An INSERT with the next id joins the cache in place. */
  tpeTestExec(db, "INSERT INTO exp(trial, x, y, loss) "
                  "VALUES(20, 1, 2, 0.5)");
  assert_int_equal(tpeTestTable(pReg)->bHist, 1);
  assert_int_equal(tpeTestAsk(db), 21);

  /* An INSERT of an older id, then a DELETE, make it reload. */
  tpeTestExec(db, "INSERT INTO exp(trial, x, y, loss) "
                  "VALUES(15, -1, -2, 0.25)");
  assert_int_equal(tpeTestTable(pReg)->bHist, 0);
  assert_int_equal(tpeTestAsk(db), 22);
  tpeTestExec(db, "DELETE FROM exp WHERE trial = 3");
  assert_int_equal(tpeTestTable(pReg)->bHist, 0);
  assert_int_equal(tpeTestAsk(db), 23);
  tpeTestExec(db, "UPDATE exp SET loss = 4 WHERE trial = 23");

  /* A rolled-back suggestion leaves no trace: the next one takes its id
  ** and equals what a fresh connection suggests. */
  tpeTestExec(db, "BEGIN");
  iTrial = tpeTestAsk(db);
  tpeTestExec(db, "ROLLBACK");
  iAgain = tpeTestAsk(db);
  assert_int_equal(iAgain, iTrial);

  /* So does a rolled-back tell. */
  tpeTestExec(db, "SAVEPOINT s");
  tpeTestExec(db, "UPDATE exp SET loss = -100 WHERE trial = 24");
  tpeTestExec(db, "ROLLBACK TO s");
  tpeTestExec(db, "RELEASE s");
  assert_int_equal(tpeTestAsk(db), 25);
  sqlite3_close(db);
  tpeTestTeardown();
}

/* Writes from another connection are seen by the warm one. */
static void test_cache_other_connection(void **state){
  TpeRegistry *pReg;
  sqlite3 *db, *db2;
  char *z;
  int i;

  (void)state;
  tpeTestSetup("x uniform(0, 1), y loguniform(0.01, 100), n_startup = 3");
  db = tpeTestOpen(&pReg);
  db2 = tpeTestOpen(0);
  for(i = 0; i < 10; i++){
    sqlite3_int64 iTrial = tpeTestAsk(db);
    char *zSql = sqlite3_mprintf("UPDATE exp SET loss = %d WHERE trial = "
                                 "%lld", (i * 7) % 5, iTrial);
    tpeTestExec(db, zSql);
    sqlite3_free(zSql);
    /* The other connection suggests and tells too. */
    sqlite3_free(tpeTestText(db2, "SELECT tpe_suggest('exp')"));
    zSql = sqlite3_mprintf("UPDATE exp SET loss = %d WHERE trial = %lld",
                           (i * 3) % 4, iTrial + 1);
    tpeTestExec(db2, zSql);
    sqlite3_free(zSql);
  }
  z = tpeTestText(db, "SELECT count(*) FROM exp WHERE status = 'ok'");
  assert_string_equal(z, "20");
  sqlite3_free(z);
  sqlite3_close(db2);
  sqlite3_close(db);
  tpeTestTeardown();
}

/* Scans reuse statements per plan and return exact rows. */
static void test_scan_reuse(void **state){
  sqlite3 *db;
  char *z;
  int i;

  (void)state;
  tpeTestSetup("x uniform(0, 10)");
  db = tpeTestOpen(0);
  tpeTestExec(db, "INSERT INTO exp(x, loss) VALUES(1, 0.5), (2, 0.25),"
                  " (3, 0.75), (4, NULL)");
  for(i = 0; i < 3; i++){
    z = tpeTestText(db, "SELECT group_concat(trial || ':' || x, ' ') FROM "
                        "(SELECT * FROM exp WHERE status = 'ok' "
                        "ORDER BY loss LIMIT 2)");
    assert_string_equal(z, "2:2.0 1:1.0");
    sqlite3_free(z);
    z = tpeTestText(db, "SELECT x FROM exp WHERE trial = 3");
    assert_string_equal(z, "3.0");
    sqlite3_free(z);
  }
  /* Two open scans of the same plan at once. */
  z = tpeTestText(db, "SELECT group_concat(a.x || '-' || b.x, ' ') FROM "
                      "exp a, exp b WHERE a.trial = 1 AND b.trial = 4");
  assert_string_equal(z, "1.0-4.0");
  sqlite3_free(z);
  z = tpeTestText(db, "SELECT group_concat(a.trial || b.trial, ' ') FROM "
                      "exp a JOIN exp b ON b.trial = a.trial + 1 "
                      "ORDER BY a.trial");
  assert_string_equal(z, "12 23 34");
  sqlite3_free(z);
  /* A renamed experiment scans its renamed shadow table. */
  tpeTestExec(db, "ALTER TABLE exp RENAME TO exp2");
  z = tpeTestText(db, "SELECT x FROM exp2 WHERE trial = 3");
  assert_string_equal(z, "3.0");
  sqlite3_free(z);
  z = tpeTestText(db, "SELECT group_concat(trial, ' ') FROM "
                      "(SELECT * FROM exp2 WHERE status = 'ok' "
                      "ORDER BY loss)");
  assert_string_equal(z, "2 1 3");
  sqlite3_free(z);
  sqlite3_close(db);
  tpeTestTeardown();
}

/* A deterministic stream for the mixture tests (splitmix64). */
static uint64_t iTestState = 42;
static double tpeTestUniform(void){
  uint64_t z = (iTestState += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* Equal as the fast path promises: same bits (NaN equal to NaN) when
** bExact, else within 1e-12 of max(1, |rWant|). */
static void tpeTestSame(double rGot, double rWant, int bExact){
  if( rGot != rGot && rWant != rWant ) return;
  if( bExact || isinf(rWant) ){
    if( memcmp(&rGot, &rWant, sizeof(double)) != 0 ){
      fail_msg("fast %.17g != plain %.17g", rGot, rWant);
    }
  }else if( !(fabs(rGot - rWant) <= 1e-12 * fmax(1.0, fabs(rWant))) ){
    fail_msg("fast %.17g differs from plain %.17g", rGot, rWant);
  }
}

/* nObs observations of p, as values: a few narrow clusters and some
** spread over the prior, so that bandwidths vary widely. */
static void tpeTestObs(const TpeParam *p, double *aVal, int nObs){
  double aCentre[3];
  int i;
  TpeRng rng;

  tpeRngInit(&rng, (int64_t)(tpeTestUniform() * 1e9), nObs, 7);
  for(i = 0; i < 3; i++) aCentre[i] = tpeTestUniform();
  for(i = 0; i < nObs; i++){
    double u = tpeTestUniform();
    if( u < 0.7 ){
      double c = aCentre[i % 3] + 0.01 * (tpeTestUniform() - 0.5);
      /* Map the cluster position into the parameter's range. */
      double v;
      if( c < 0 ) c = 0;
      if( c > 0.999 ) c = 0.999;
      switch( p->eKind ){
        case TPE_NORMAL: case TPE_QNORMAL:
          v = p->a + p->b * (6 * c - 3);
          break;
        case TPE_LOGNORMAL: case TPE_QLOGNORMAL:
          v = exp(p->a + p->b * (6 * c - 3));
          break;
        case TPE_LOGUNIFORM: case TPE_QLOGUNIFORM:
          v = exp(log(p->a) + c * (log(p->b) - log(p->a)));
          break;
        default:
          v = p->a + c * (p->b - p->a);
          break;
      }
      if( p->q > 0 ) v = rint(v / p->q) * p->q;
      if( p->eKind == TPE_UNIFORMINT ) v = rint(v);
      aVal[i] = v;
    }else{
      aVal[i] = tpeSamplePrior(p, &rng);
    }
  }
}

static void test_skip_equals_plain(void **state){
  static const TpeParam aKind[] = {
    { 0, TPE_UNIFORM, -5, 10, 0, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_QUNIFORM, 16, 512, 16, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_UNIFORMINT, 2, 32, 0, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_LOGUNIFORM, 1e-5, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_QLOGUNIFORM, 1, 1000, 5, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_NORMAL, 1, 2, 0, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_QNORMAL, 0, 10, 0.5, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_LOGNORMAL, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0 },
    { 0, TPE_QLOGNORMAL, 2, 1, 1, 0, 0, 0, -1, 0, 0, 0, 0 },
  };
  static const int aSize[] = { 16, 17, 40, 200, 1000, 3000 };
  enum { NMAX = 3000, NCAND = 24 };
  static double aVal[2][NMAX], aObs[NMAX], aBuf[2][3 * (NMAX + 1)];
  static int aWork[NMAX];
  int iKind, iSize, iRep, nCompared = 0, nSkipped = 0;

  (void)state;
  for(iKind = 0; iKind < (int)(sizeof(aKind)/sizeof(aKind[0])); iKind++){
    const TpeParam *p = &aKind[iKind];
    int bExact = p->q > 0 || p->eKind == TPE_UNIFORMINT;
    TpeDomain dom;
    tpeDomainInit(&dom, p);
    for(iSize = 0; iSize < (int)(sizeof(aSize)/sizeof(aSize[0])); iSize++){
      for(iRep = 0; iRep < 3; iRep++){
        TpeMixture aMix[2];
        TpeParzenCfg cfg;
        TpeRng rng;
        double aScoreF[NCAND], aScoreP[NCAND];
        int n = aSize[iSize], m, c, k;
        cfg.rPriorWeight = iRep == 2 ? 0.3 : 1.0;
        cfg.nForget = iRep == 1 ? 0 : 25;
        for(m = 0; m < 2; m++){
          int nObs = m == 0 ? 16 + n / 40 : n;
          double rZ = 0.0;
          tpeTestObs(p, aVal[m], nObs);
          for(k = 0; k < nObs; k++) aObs[k] = tpeDomainObs(&dom, aVal[m][k]);
          aMix[m].aW = aBuf[m];
          aMix[m].aMu = aBuf[m] + nObs + 1;
          aMix[m].aSigma = aBuf[m] + 2 * (nObs + 1);
          tpeParzenFit(aObs, nObs, dom.rPriorMu, dom.rPriorSigma, &cfg,
                       aWork, &aMix[m]);
          tpeMixtureBound(&aMix[m], &dom);
          assert_int_equal(aMix[m].bFast, 1);
          if( dom.bBounded ){
            for(k = 0; k < aMix[m].n; k++){
              double s = aMix[m].aSigma[k], mu = aMix[m].aMu[k];
              rZ += aMix[m].aW[k] * (tpeNormalCdf(dom.rHigh, mu, s)
                                     - tpeNormalCdf(dom.rLow, mu, s));
            }
            tpeTestSame(aMix[m].rZ, rZ, 1);
          }
        }
        /* Candidates as TPE draws them, then points over the range. */
        tpeRngInit(&rng, 3, n * 10 + iRep, 1);
        for(c = 0; c < 2 * NCAND; c++){
          double x, rF[2], rP[2];
          if( c < NCAND ){
            x = tpeMixtureSample(&aMix[0], &dom, &rng);
          }else{
            x = tpeSamplePrior(p, &rng);
          }
          for(m = 0; m < 2; m++){
            rF[m] = tpeMixtureLogPdf(&aMix[m], &dom, x);
            rP[m] = tpeMixtureLogPdfPlain(&aMix[m], &dom, x);
            tpeTestSame(rF[m], rP[m], bExact);
            nCompared++;
          }
          if( c < NCAND ){
            aScoreF[c] = rF[0] - rF[1];
            aScoreP[c] = rP[0] - rP[1];
          }
        }
        /* The best candidate is the same one. */
        {
          int iF = 0, iP = 0;
          for(c = 1; c < NCAND; c++){
            if( aScoreF[c] > aScoreF[iF] ) iF = c;
            if( aScoreP[c] > aScoreP[iP] ) iP = c;
          }
          assert_int_equal(iF, iP);
        }
        nSkipped += n >= 1000;
      }
    }
  }
  assert_int_equal(nCompared, 9 * 6 * 3 * 2 * 2 * NCAND);
  assert_int_equal(nSkipped, 9 * 2 * 3);
}

int main(void){
  const struct CMUnitTest aTest[] = {
    cmocka_unit_test(test_cache_branin),
    cmocka_unit_test(test_cache_mixed),
    cmocka_unit_test(test_cache_conditional),
    cmocka_unit_test(test_cache_writes),
    cmocka_unit_test(test_cache_other_connection),
    cmocka_unit_test(test_scan_reuse),
    cmocka_unit_test(test_skip_equals_plain),
  };
  return cmocka_run_group_tests(aTest, 0, 0);
}
