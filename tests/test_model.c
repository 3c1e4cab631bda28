/*
** test_model.c: unit tests of sqlite-tpe's own TPE model (tpe_model.c and
** the compat = 'none' path of tpe_tpe.c).
**
** Cases worked by hand (bandwidths of a tiny multivariate fit, label
** kernels, grid bounds), properties with exact tolerances (truncated
** kernels integrate to one, grid masses sum to one, start-up points are
** stratified), option parsing and validation, and suggestions that are
** deterministic and stay inside their space.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tpe_algo.h"
#include "tpe_model.h"
#include "sqlite3.h"

/* Fit pKde (from tpeKdeInit) to nObs <= 8 observations, sorting them
** first as TPE would. */
static void tpeTestFit(TpeKde *pKde, const double *aObs, int nObs,
                       const double *aW, const TpeKdeCfg *pCfg){
  double aCol[8];
  int aOrd[8 * 4], aTmp[8];

  assert_true(nObs <= 8 && pKde->nDim <= 4);
  tpeKdeSortObs(pKde->aDim, pKde->nDim, aObs, nObs, aCol, aOrd, aTmp);
  tpeKdeFit(pKde, aObs, nObs, aW, pCfg, aOrd);
}

#define N_ELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define assert_near(got, want, tol) do{ \
  double g_ = (got), w_ = (want); \
  if( !(fabs(g_ - w_) <= (tol)) ){ \
    fail_msg("%s = %.17g, want %.17g", #got, g_, w_); \
  } \
}while(0)

/* A parameter with no parent. */
static TpeParam tpeTestParam(TpeKind eKind, double a, double b, double q,
                             int nLabel){
  TpeParam p;

  memset(&p, 0, sizeof(p));
  p.eKind = eKind;
  p.a = a;
  p.b = b;
  p.q = q;
  p.nLabel = nLabel;
  p.iParent = -1;
  return p;
}

/* Settings with the minimum bandwidth at range/100. */
static TpeKdeCfg tpeTestCfg(int bEndpoints){
  TpeKdeCfg cfg;

  memset(&cfg, 0, sizeof(cfg));
  cfg.bConsiderEndpoints = bEndpoints;
  cfg.rPriorWeight = 1.0;
  cfg.nForget = 25;
  cfg.nClip = 99;
  return cfg;
}

/* Grid kinds widen their bounds by half a step; log kinds take logs. */
static void test_dim_init(void **state){
  TpeParam p;
  TpeDim d;

  (void)state;
  p = tpeTestParam(TPE_QUNIFORM, 16, 512, 16, 0);
  tpeDimInit(&d, &p);
  assert_true(d.rQ == 16 && d.rGridLow == 16 && d.rGridHigh == 512);
  assert_true(d.rLow == 8 && d.rHigh == 520 && d.rRange == 512);
  assert_true(tpeDimValue(&d, 530.0) == 512 && tpeDimValue(&d, 23.9) == 16);
  assert_true(tpeDimValue(&d, 24.1) == 32);

  p = tpeTestParam(TPE_RANDINT, 3, 8, 0, 5);
  tpeDimInit(&d, &p);
  assert_true(!d.bCat && d.rQ == 1 && d.rLow == -0.5 && d.rHigh == 4.5);

  p = tpeTestParam(TPE_LOGUNIFORM, 1e-3, 1e3, 0, 0);
  tpeDimInit(&d, &p);
  assert_true(d.bLog && d.rMid == 0.0);
  assert_near(d.rRange, log(1e6), 1e-12);
  assert_true(tpeDimValue(&d, d.rHigh + 1) == 1e3);
  assert_near(tpeDimObs(&d, 1e-5), log(1e-3), 1e-12);
}

/*
** Three observations in two dimensions, worked by hand.  x in [0, 10]:
** 1, 3, 4 sorted; without endpoints the extremes look inward: 2, 2, 1.
** y in [0, 1]: 0.5, 0.2, 0.9; sorted 0.2, 0.5, 0.9 give 0.3, 0.4, 0.4.
** With endpoints x = 4 sees the bound 6 away and y = 0.2 sees 0.2 < 0.3.
*/
static void test_bandwidth_hand(void **state){
  static const double aObs[] = { 1, 0.5,  3, 0.2,  4, 0.9 };
  static const double aNoEnd[] = { 2, 0.4,  2, 0.3,  1, 0.4,  10, 1 };
  static const double aEnd[] = { 2, 0.4,  2, 0.3,  6, 0.4,  10, 1 };
  TpeParam ap[2];
  TpeDim ad[2];
  TpeKde kde;
  TpeKdeCfg cfg;
  double aBuf[128];
  int i, b;

  (void)state;
  ap[0] = tpeTestParam(TPE_UNIFORM, 0, 10, 0, 0);
  ap[1] = tpeTestParam(TPE_UNIFORM, 0, 1, 0, 0);
  tpeDimInit(&ad[0], &ap[0]);
  tpeDimInit(&ad[1], &ap[1]);
  assert_true(tpeKdeSize(3, 2) <= N_ELEM(aBuf));
  for(b = 0; b < 2; b++){
    const double *aWant = b ? aEnd : aNoEnd;
    cfg = tpeTestCfg(b);
    tpeKdeInit(&kde, ad, 2, 3, aBuf);
    tpeTestFit(&kde, aObs, 3, 0, &cfg);
    assert_int_equal(kde.nKernel, 4);
    for(i = 0; i < 8; i++) assert_near(kde.aSigma[i], aWant[i], 1e-15);
    assert_true(kde.aMu[6] == 5 && kde.aMu[7] == 0.5);
    for(i = 0; i < 4; i++) assert_near(kde.aW[i], 0.25, 1e-15);
  }

  /* The minimum bandwidth: with 4 kernels and no nClip, range/5. */
  cfg = tpeTestCfg(0);
  cfg.nClip = 0;
  tpeKdeInit(&kde, ad, 2, 3, aBuf);
  tpeTestFit(&kde, aObs, 3, 0, &cfg);
  assert_near(kde.aSigma[0], 2, 1e-15);
  assert_near(kde.aSigma[4], 2, 1e-15);
  assert_near(kde.aSigma[1], 0.4, 1e-15);
  assert_near(kde.aSigma[3], 0.3, 1e-15);

  /* Explicit weights replace forgetting; the prior keeps its own. */
  {
    static const double aW[] = { 1, 0.5, 0.5 };
    tpeTestFit(&kde, aObs, 3, aW, &cfg);
    assert_near(kde.aW[0], 1 / 3.0, 1e-15);
    assert_near(kde.aW[1], 1 / 6.0, 1e-15);
    assert_near(kde.aW[3], 1 / 3.0, 1e-15);
  }
}

/* The joint density at a point is the weighted sum of products of
** truncated normals, computed here from erf directly. */
static void test_joint_density(void **state){
  static const double aObs[] = { 1, 0.5,  3, 0.2,  4, 0.9 };
  static const double x[] = { 2.5, 0.3 };
  TpeParam ap[2];
  TpeDim ad[2];
  TpeKde kde;
  TpeKdeCfg cfg = tpeTestCfg(0);
  double aBuf[128], rWant = 0.0;
  int k, d;

  (void)state;
  ap[0] = tpeTestParam(TPE_UNIFORM, 0, 10, 0, 0);
  ap[1] = tpeTestParam(TPE_UNIFORM, 0, 1, 0, 0);
  tpeDimInit(&ad[0], &ap[0]);
  tpeDimInit(&ad[1], &ap[1]);
  tpeKdeInit(&kde, ad, 2, 3, aBuf);
  tpeTestFit(&kde, aObs, 3, 0, &cfg);
  for(k = 0; k < 4; k++){
    double t = 0.25;
    for(d = 0; d < 2; d++){
      double mu = kde.aMu[2*k+d], s = kde.aSigma[2*k+d];
      double lo = ap[d].a, hi = ap[d].b;
      double z = 0.5 * (erf((hi - mu) / (s * sqrt(2.0)))
                      - erf((lo - mu) / (s * sqrt(2.0))));
      double u = (x[d] - mu) / s;
      t *= exp(-0.5 * u * u) / (s * sqrt(2 * 3.14159265358979324)) / z;
    }
    rWant += t;
  }
  assert_near(tpeKdeLogPdf(&kde, x), log(rWant), 1e-12);
}

/* A truncated kernel integrates to one over its bounds, wherever it
** sits; so does a two-dimensional product (midpoint rule). */
static void test_integrate(void **state){
  static const double aObs1[] = { 0.02, 0.9, 0.97 };
  static const double aObs2[] = { 0.1, -4.9,  0.95, -1.0 };
  TpeParam ap[2];
  TpeDim ad[2];
  TpeKde kde;
  TpeKdeCfg cfg = tpeTestCfg(0);
  double aBuf[128], x[2], rSum = 0.0;
  int i, j, n = 100000;

  (void)state;
  ap[0] = tpeTestParam(TPE_UNIFORM, 0, 1, 0, 0);
  ap[1] = tpeTestParam(TPE_UNIFORM, -5, 0, 0, 0);
  tpeDimInit(&ad[0], &ap[0]);
  tpeDimInit(&ad[1], &ap[1]);
  tpeKdeInit(&kde, ad, 1, 3, aBuf);
  tpeTestFit(&kde, aObs1, 3, 0, &cfg);
  for(i = 0; i < n; i++){
    x[0] = (i + 0.5) / n;
    rSum += exp(tpeKdeLogPdf(&kde, x)) / n;
  }
  assert_near(rSum, 1.0, 1e-6);

  n = 600;
  rSum = 0.0;
  tpeKdeInit(&kde, ad, 2, 2, aBuf);
  tpeTestFit(&kde, aObs2, 2, 0, &cfg);
  for(i = 0; i < n; i++){
    for(j = 0; j < n; j++){
      x[0] = (i + 0.5) / n;
      x[1] = -5.0 + 5.0 * (j + 0.5) / n;
      rSum += exp(tpeKdeLogPdf(&kde, x)) * (5.0 / n / n);
    }
  }
  assert_near(rSum, 1.0, 1e-4);
}

/* Grid masses sum to one, for quniform and uniformint. */
static void test_grid_mass(void **state){
  static const double aObs[] = { 0, 4, 10 };
  TpeParam p;
  TpeDim d;
  TpeKde kde;
  TpeKdeCfg cfg = tpeTestCfg(0);
  double aBuf[128], x, rSum;
  int b;

  (void)state;
  for(b = 0; b < 2; b++){
    p = b ? tpeTestParam(TPE_UNIFORMINT, 0, 10, 0, 0)
          : tpeTestParam(TPE_QUNIFORM, 0, 10, 2, 0);
    tpeDimInit(&d, &p);
    tpeKdeInit(&kde, &d, 1, 3, aBuf);
    tpeTestFit(&kde, aObs, 3, 0, &cfg);
    rSum = 0.0;
    for(x = d.rGridLow; x <= d.rGridHigh; x += d.rQ){
      rSum += exp(tpeKdeLogPdf(&kde, &x));
    }
    assert_near(rSum, 1.0, 1e-12);
  }
}

/*
** Label kernels by hand: choice of 3, observations 0, 0, 2, prior
** weight 1.  Four kernels, so each observation's kernel gives the others
** 1/4 and its own label 1 + 1/4, over 1.75; the prior kernel is uniform.
*/
static void test_labels_hand(void **state){
  static const double aObs[] = { 0, 0, 2 };
  static const double aProb[] = { 1 / 3.0, 1 / 3.0, 1 / 3.0 };
  TpeParam p;
  TpeDim d;
  TpeKde kde;
  TpeKdeCfg cfg = tpeTestCfg(0);
  double aBuf[128], x, rSum = 0.0;

  (void)state;
  p = tpeTestParam(TPE_CHOICE, 0, 0, 0, 3);
  p.aProb = (double*)aProb;
  tpeDimInit(&d, &p);
  assert_true(d.bCat);
  tpeKdeInit(&kde, &d, 1, 3, aBuf);
  tpeTestFit(&kde, aObs, 3, 0, &cfg);
  x = 0;
  assert_near(exp(tpeKdeLogPdf(&kde, &x)),
              0.25 * (2 * 1.25 / 1.75 + 0.25 / 1.75 + 1 / 3.0), 1e-15);
  x = 1;
  assert_near(exp(tpeKdeLogPdf(&kde, &x)),
              0.25 * (3 * 0.25 / 1.75 + 1 / 3.0), 1e-15);
  for(x = 0; x < 3; x++) rSum += exp(tpeKdeLogPdf(&kde, &x));
  assert_near(rSum, 1.0, 1e-15);
}

/* Masses far in a tail keep their digits. */
static void test_tail_mass(void **state){
  (void)state;
  assert_near(tpeLogNormalMass(10, 11, 0, 1), -53.231310225583115, 1e-9);
  assert_near(tpeLogNormalMass(-11, -10, 0, 1), -53.231310225583115, 1e-9);
  assert_near(tpeLogNormalMass(-1, 1, 0, 1), log(erf(1 / sqrt(2.0))),
              1e-15);
  assert_true(tpeLogNormalMass(-INFINITY, INFINITY, 3, 2) == 0.0);
}

/* Halton points: the first values by hand, and 2^k (3^k) consecutive
** points from a multiple of 2^k (3^k) fill every interval of width 2^-k
** (3^-k) exactly once. */
static void test_halton(void **state){
  int aSeen[27];
  int k;

  (void)state;
  assert_true(tpeHalton(0, 0) == 0.0 && tpeHalton(1, 0) == 0.5);
  assert_true(tpeHalton(2, 0) == 0.25 && tpeHalton(3, 0) == 0.75);
  assert_near(tpeHalton(1, 1), 1 / 3.0, 1e-16);
  assert_near(tpeHalton(3, 1), 1 / 9.0, 1e-16);
  assert_near(tpeHalton(1, 2), 1 / 5.0, 1e-16);
  memset(aSeen, 0, sizeof(aSeen));
  for(k = 0; k < 16; k++) aSeen[(int)(tpeHalton(k + 16, 0) * 16)]++;
  for(k = 0; k < 16; k++) assert_int_equal(aSeen[k], 1);
  memset(aSeen, 0, sizeof(aSeen));
  for(k = 0; k < 27; k++) aSeen[(int)(tpeHalton(k, 1) * 27 + 1e-9)]++;
  for(k = 0; k < 27; k++) assert_int_equal(aSeen[k], 1);
}

/* Parse a declaration; fail the test on error. */
static TpeSpace *tpeTestSpace(int nArg, const char *const *azArg){
  TpeSpace *p = 0;
  char *zErr = 0;
  int rc = tpeSpaceParse("net", nArg, azArg, &p, &zErr);

  if( rc != SQLITE_OK ) fail_msg("parse: %s", zErr ? zErr : "nomem");
  return p;
}

/* New options: validation messages and compat-dependent defaults. */
static void test_options(void **state){
  static const struct { const char *zOpt, *zErr; } aCase[] = {
    { "rank_decay = 0",
      "net: option rank_decay: expected a number in (0, 1000000000], got 0" },
    { "univariate_every = -1",
      "net: option univariate_every: expected an integer in "
      "[0, 1000000000], got -1" },
    { "quasi_random = maybe",
      "net: option quasi_random: expected true or false, got 'maybe'" },
    { "clip_by_trials = 2",
      "net: option clip_by_trials: expected true or false, got '2'" },
  };
  const char *azArg[2];
  TpeSpace *p;
  int i;

  (void)state;
  for(i = 0; i < N_ELEM(aCase); i++){
    char *zErr = 0;
    azArg[0] = "x uniform(0, 1)";
    azArg[1] = aCase[i].zOpt;
    p = 0;
    assert_int_equal(tpeSpaceParse("net", 2, azArg, &p, &zErr), SQLITE_ERROR);
    assert_null(p);
    assert_string_equal(zErr, aCase[i].zErr);
    sqlite3_free(zErr);
  }

  azArg[0] = "x uniform(0, 1)";
  azArg[1] = "compat = 'hyperopt'";
  p = tpeTestSpace(2, azArg);
  assert_int_equal(p->opt.nStartup, 20);
  assert_true(p->opt.rGamma == 0.25 && p->opt.bMultivariate == 0);
  tpeSpaceFree(p);
  p = tpeTestSpace(1, azArg);
  assert_int_equal(p->opt.nStartup, 10);
  assert_true(p->opt.rGamma == 0.15 && p->opt.bMultivariate == 1);
  assert_true(p->opt.rRankDecay == 0.3 && p->opt.nUnivariateEvery == 2);
  assert_true(p->opt.bQuasiRandom == 1 && p->opt.bClipByTrials == 1);
  tpeSpaceFree(p);
  azArg[1] = "gamma = 0.5";
  p = tpeTestSpace(2, azArg);
  assert_true(p->opt.rGamma == 0.5 && p->opt.nStartup == 10);
  tpeSpaceFree(p);
}

/* An empty history of nParam parameters over the caller's arrays. */
static void tpeTestHistory(TpeHistory *pH, int nParam, int64_t *aId,
                           int *aStatus, double *aLoss, double *aVal){
  memset(pH, 0, sizeof(*pH));
  pH->nParam = nParam;
  pH->aId = aId;
  pH->aStatus = aStatus;
  pH->aLoss = aLoss;
  pH->aVal = aVal;
}

/*
** Suggest for trial pH->nTrial from pH, which keeps sorted orders, into
** aOut (the space's nParam values), and check that the same history
** without its orders gives the same point, bit for bit.
*/
static void tpeTestSuggestOrdered(const TpeSpace *p, const TpeHistory *pH,
                                  int64_t iSeed, double *aOut){
  TpeHistory h2 = *pH;
  double aOut2[16];
  TpeRng rng;

  assert_true(p->nParam <= 16);
  h2.aOrd = 0;
  h2.aByLoss = 0;
  tpeRngInit(&rng, iSeed, pH->nTrial, TPE_STREAM_SUGGEST);
  assert_int_equal(tpeSuggestTpe(p, pH, &rng, aOut), SQLITE_OK);
  tpeRngInit(&rng, iSeed, pH->nTrial, TPE_STREAM_SUGGEST);
  assert_int_equal(tpeSuggestTpe(p, &h2, &rng, aOut2), SQLITE_OK);
  assert_true(memcmp(aOut, aOut2, sizeof(double) * p->nParam) == 0);
}

/*
** Start-up points come from the shifted Halton sequence: the first 8
** suggestions for one uniform parameter fall one in each eighth.
*/
static void test_quasi_startup(void **state){
  const char *azArg[] = { "x uniform(0, 8)", "n_startup = 100" };
  double aVal[8], aLoss[8];
  int64_t aId[8];
  int aStatus[8], aSeen[8], k;
  TpeSpace *p;
  TpeHistory h;

  (void)state;
  memset(&h, 0, sizeof(h));
  p = tpeTestSpace(2, azArg);
  memset(aSeen, 0, sizeof(aSeen));
  for(k = 0; k < 8; k++){
    TpeRng rng;
    double x;
    h.nTrial = k;
    h.nParam = 1;
    h.aId = aId;
    h.aStatus = aStatus;
    h.aLoss = aLoss;
    h.aVal = aVal;
    tpeRngInit(&rng, 0, k, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(p, &h, &rng, &x), SQLITE_OK);
    assert_true(x >= 0 && x < 8);
    aSeen[(int)x]++;
    aId[k] = k;
    aStatus[k] = TPE_OK;
    aLoss[k] = x;
    aVal[k] = x;
  }
  for(k = 0; k < 8; k++) assert_int_equal(aSeen[k], 1);
  tpeSpaceFree(p);
}

/*
** Suggestions after start-up: deterministic, inside the space, with
** exactly the chosen branch active, and failed trials ignored.
*/
static void test_suggest_space(void **state){
  const char *azArg[] = {
    "m choice('a', 'b')", "lr loguniform(1e-4, 1) WHEN m = 'a'",
    "u quniform(16, 512, 16) WHEN m = 'a'", "k uniformint(1, 9) WHEN m = 'b'",
    "r randint(0, 4)", "w qloguniform(1, 100, 5)", "n normal(0, 1)",
  };
  enum { N = 40, P = 7 };
  double aVal[N * P], aLoss[N], aOut[P], aOut2[P];
  int64_t aId[N];
  int aStatus[N], i, j, t;
  TpeSpace *p;
  TpeHistory h;

  (void)state;
  p = tpeTestSpace(N_ELEM(azArg), azArg);
  tpeTestHistory(&h, P, aId, aStatus, aLoss, aVal);
  for(t = 0; t < N; t++){
    TpeRng rng;
    h.nTrial = t;
    tpeRngInit(&rng, 7, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(p, &h, &rng, aOut), SQLITE_OK);
    tpeRngInit(&rng, 7, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(p, &h, &rng, aOut2), SQLITE_OK);
    for(i = 0; i < P; i++){
      const TpeParam *pPar = &p->aParam[i];
      int bActive = pPar->iParent < 0
                 || pPar->aWhen[(int)aOut[pPar->iParent]];
      assert_true(memcmp(&aOut[i], &aOut2[i], sizeof(double)) == 0);
      if( !bActive ){
        assert_true(isnan(aOut[i]));
      }else if( tpeParamCheck(pPar, aOut[i]) ){
        fail_msg("trial %d, %s = %g %s", t, pPar->zName, aOut[i],
                 tpeParamCheck(pPar, aOut[i]));
      }
    }
    for(j = 0; j < P; j++) aVal[t * P + j] = aOut[j];
    aId[t] = t;
    /* Every fifth trial fails; the others score by branch and lr. */
    aStatus[t] = t % 5 == 4 ? TPE_FAIL : TPE_OK;
    aLoss[t] = aStatus[t] == TPE_OK
             ? (aOut[0] == 0 ? fabs(log10(aOut[1]) + 2) : 3.0) : NAN;
  }
  tpeSpaceFree(p);
}

/*
** The sorted orders a history keeps (built whole, then one row at a
** time, as the cache does, with results, failures and rewritten losses
** arriving later) equal a fresh sort, and TPE suggests exactly the same
** point with them as without them (a pass over every trial to split and
** cap them, a sort of each density's observations), and with every
** candidate scored in full, in joint and in univariate models, with ties
** (grids, integers, equal losses) and inactive parameters.
*/
static void test_sorted_history(void **state){
  const char *azArg[] = {
    "m choice('a', 'b')", "lr loguniform(1e-4, 1) WHEN m = 'a'",
    "u quniform(16, 512, 16) WHEN m = 'a'", "k uniformint(1, 9) WHEN m = 'b'",
    "r randint(0, 4)", "x uniform(-1, 1)", "n normal(0, 1)",
    "max_history = 150",
  };
  enum { N = 400, P = 7 };
  static double aVal[N * P], aLoss[N];
  static int64_t aId[N];
  static int aStatus[N];
  double aOut[P], aOut2[P];
  int i, j, t;
  TpeSpace *p;
  TpeHistory h;

  (void)state;
  p = tpeTestSpace(N_ELEM(azArg), azArg);
  tpeTestHistory(&h, P, aId, aStatus, aLoss, aVal);
  assert_int_equal(tpeHistoryOrder(p, &h, N), SQLITE_OK);
  for(t = 0; t < N; t++){
    TpeRng rng;
    h.nTrial = t;
    tpeTestSuggestOrdered(p, &h, 3, aOut);
    /* Every candidate scored in full: the same point. */
    p->opt.bExhaustive = 1;
    tpeRngInit(&rng, 3, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(p, &h, &rng, aOut2), SQLITE_OK);
    p->opt.bExhaustive = 0;
    assert_true(memcmp(aOut, aOut2, sizeof(aOut)) == 0);
    if( t % 97 == 0 ){
      /* A fresh sort of the same rows. */
      TpeHistory h3 = h;
      h3.aOrd = 0;
      h3.aByLoss = 0;
      assert_int_equal(tpeHistoryOrder(p, &h3, t + 1), SQLITE_OK);
      for(i = 0; i < P; i++){
        assert_int_equal(h3.anOrd[i], h.anOrd[i]);
        assert_true(memcmp(&h3.aOrd[i * h3.nOrdStride],
                           &h.aOrd[i * h.nOrdStride],
                           sizeof(int) * h.anOrd[i]) == 0);
      }
      assert_int_equal(h3.nByLoss, h.nByLoss);
      assert_int_equal(h3.nFail, h.nFail);
      assert_true(memcmp(h3.aByLoss, h.aByLoss,
                         sizeof(int) * h.nByLoss) == 0);
      sqlite3_free(h3.aOrd);
      sqlite3_free(h3.anOrd);
      sqlite3_free(h3.aByLoss);
    }
    for(j = 0; j < P; j++) aVal[t * P + j] = aOut[j];
    /* A few repeated values on the continuous parameter, for ties. */
    if( t % 7 == 3 ) aVal[t * P + 5] = 0.25;
    aId[t] = t;
    aStatus[t] = t % 11 == 10 ? TPE_FAIL : t % 13 == 12 ? TPE_PENDING
                                                       : TPE_OK;
    aLoss[t] = aStatus[t] == TPE_OK
             ? (aOut[0] == 0 ? fabs(log10(aOut[1]) + 2) : 1.0 + aOut[3])
               + aVal[t * P + 5] * aVal[t * P + 5] : NAN;
    /* Equal losses, for ties in the loss order. */
    if( t % 5 == 0 ) aLoss[t] = rint(aLoss[t] * 4.0) / 4.0;
    tpeHistoryOrderAppend(p, &h, t);
    h.nTrial = t + 1;
    /* Results arriving later, failures, and a loss rewritten, as the
    ** cache sees them. */
    if( t >= 4 && aStatus[t - 4] == TPE_PENDING ){
      tpeHistoryOrderSet(&h, t - 4, TPE_OK, 0.5);
    }
    if( t % 31 == 30 ) tpeHistoryOrderSet(&h, t - 20, TPE_FAIL, NAN);
    if( t % 37 == 36 ) tpeHistoryOrderSet(&h, t - 30, TPE_OK, 0.25);
  }
  sqlite3_free(h.aOrd);
  sqlite3_free(h.anOrd);
  sqlite3_free(h.aByLoss);
  tpeSpaceFree(p);
}

/*
** Candidates stop being scored once they cannot be the best: on
** continuous spaces of 2 and 6 dimensions, searched for a few hundred
** trials, the suggestion is the same, bit for bit, as with every
** candidate scored in full.
*/
static void test_pruned_scoring(void **state){
  const char *azArg[] = {
    "a uniform(-5, 10)", "b uniform(0, 15)", "c uniform(0, 1)",
    "d uniform(0, 1)", "e loguniform(1e-3, 1)", "f uniform(0, 1)",
  };
  enum { N = 300, P = 6 };
  static double aVal[N * P], aLoss[N];
  static int64_t aId[N];
  static int aStatus[N];
  int anDim[2] = { 2, 6 }, iCase;

  (void)state;
  for(iCase = 0; iCase < 2; iCase++){
    int nDim = anDim[iCase], t, j;
    TpeSpace *p = tpeTestSpace(nDim, azArg);
    TpeHistory h;
    tpeTestHistory(&h, nDim, aId, aStatus, aLoss, aVal);
    assert_int_equal(tpeHistoryOrder(p, &h, N), SQLITE_OK);
    for(t = 0; t < N; t++){
      double aOut[P], aOut2[P];
      TpeRng rng;
      h.nTrial = t;
      tpeRngInit(&rng, 5, t, TPE_STREAM_SUGGEST);
      assert_int_equal(tpeSuggestTpe(p, &h, &rng, aOut), SQLITE_OK);
      p->opt.bExhaustive = 1;
      tpeRngInit(&rng, 5, t, TPE_STREAM_SUGGEST);
      assert_int_equal(tpeSuggestTpe(p, &h, &rng, aOut2), SQLITE_OK);
      p->opt.bExhaustive = 0;
      assert_true(memcmp(aOut, aOut2, sizeof(double) * nDim) == 0);
      aLoss[t] = 0.0;
      for(j = 0; j < nDim; j++){
        double v = aOut[j] - (j == 0 ? 3.0 : j == 4 ? 0.01 : 0.3);
        aVal[t * nDim + j] = aOut[j];
        aLoss[t] += v * v;
      }
      aId[t] = t;
      aStatus[t] = t % 17 == 16 ? TPE_PENDING : TPE_OK;
      if( aStatus[t] != TPE_OK ) aLoss[t] = NAN;
      tpeHistoryOrderAppend(p, &h, t);
    }
    sqlite3_free(h.aOrd);
    sqlite3_free(h.anOrd);
    sqlite3_free(h.aByLoss);
    tpeSpaceFree(p);
  }
}

/*
** univariate_every counts every trial read, also those max_history leaves
** out of the model: with a cap of 30 bad trials, suggestions made while an
** even number of trials is read are those of multivariate = false, the
** others those of univariate_every = 0, on and past the cap.
*/
static void test_univariate_every_capped(void **state){
  const char *azAlt[] = { "x uniform(0, 1)", "y uniform(-2, 2)",
                          "max_history = 30" };
  const char *azUni[] = { "x uniform(0, 1)", "y uniform(-2, 2)",
                          "max_history = 30", "multivariate = false" };
  const char *azJoint[] = { "x uniform(0, 1)", "y uniform(-2, 2)",
                            "max_history = 30", "univariate_every = 0" };
  enum { N = 120 };
  static double aVal[N * 2], aLoss[N];
  static int64_t aId[N];
  static int aStatus[N];
  TpeSpace *pAlt = tpeTestSpace(3, azAlt);
  TpeSpace *pUni = tpeTestSpace(4, azUni);
  TpeSpace *pJoint = tpeTestSpace(4, azJoint);
  TpeHistory h;
  TpeRng rng;
  int t, nDiff = 0;

  (void)state;
  tpeTestHistory(&h, 2, aId, aStatus, aLoss, aVal);
  tpeRngInit(&rng, 11, 0, 0);
  for(t = 0; t < N; t++){
    aVal[2 * t] = tpeRngUniform(&rng);
    aVal[2 * t + 1] = 4.0 * tpeRngUniform(&rng) - 2.0;
    aLoss[t] = fabs(aVal[2 * t] - 0.3) + fabs(aVal[2 * t + 1]);
    aId[t] = t;
    aStatus[t] = TPE_OK;
  }
  for(t = 40; t < N; t++){
    double aOut[2], aUniOut[2], aJointOut[2];
    h.nTrial = t;
    tpeRngInit(&rng, 2, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(pAlt, &h, &rng, aOut), SQLITE_OK);
    tpeRngInit(&rng, 2, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(pUni, &h, &rng, aUniOut), SQLITE_OK);
    tpeRngInit(&rng, 2, t, TPE_STREAM_SUGGEST);
    assert_int_equal(tpeSuggestTpe(pJoint, &h, &rng, aJointOut),
                     SQLITE_OK);
    if( t % 2 == 0 ){
      assert_true(memcmp(aOut, aUniOut, sizeof(aOut)) == 0);
    }else{
      assert_true(memcmp(aOut, aJointOut, sizeof(aOut)) == 0);
    }
    nDiff += memcmp(aUniOut, aJointOut, sizeof(aOut)) != 0;
  }
  /* The two models do suggest different points. */
  assert_true(nDiff > 40);
  tpeSpaceFree(pAlt);
  tpeSpaceFree(pUni);
  tpeSpaceFree(pJoint);
}

/*
** With max_history = 4 the cache keeps sorted only the newest 2 x (4 + 25)
** rows: after every new row the orders are those of a fresh sort of that
** window, the loss order still holds every row, and suggestions, which
** walk the window where it holds every good or every bad trial and sort
** the others, are those of a history without any order.  Compat and random
** search get no per-parameter orders.
*/
static void test_order_window(void **state){
  const char *azArg[] = { "x uniform(0, 1)", "y quniform(-2, 2, 0.25)",
                          "max_history = 4" };
  const char *azOther[][2] = {
    { "x uniform(0, 1)", "compat = 'hyperopt'" },
    { "x uniform(0, 1)", "algo = 'rand'" },
  };
  enum { N = 300, WIN = 2 * (4 + 25) };
  static double aVal[N * 2], aLoss[N];
  static int64_t aId[N];
  static int aStatus[N];
  TpeSpace *p = tpeTestSpace(3, azArg);
  TpeHistory h, h2;
  TpeRng rngFill;
  int t, i, nOk = 0;

  (void)state;
  assert_int_equal(tpeHistoryOrderWindow(p), WIN);
  tpeTestHistory(&h, 2, aId, aStatus, aLoss, aVal);
  assert_int_equal(tpeHistoryOrder(p, &h, N), SQLITE_OK);
  tpeRngInit(&rngFill, 7, 0, 0);
  for(t = 0; t < N; t++){
    double aOut[2];
    aVal[2 * t] = tpeRngUniform(&rngFill);
    aVal[2 * t + 1] = rint(16.0 * tpeRngUniform(&rngFill) - 8.0) / 4.0;
    /* Rows where x is inactive, for windows of unequal length. */
    if( t % 6 == 5 ) aVal[2 * t] = NAN;
    aId[t] = t;
    /* A run of failures longer than the window leaves the newest bad
    ** trials before it. */
    aStatus[t] = t % 9 == 8 || (t >= 200 && t < 270) ? TPE_FAIL
               : t % 10 == 9 ? TPE_PENDING : TPE_OK;
    aLoss[t] = aStatus[t] == TPE_OK ? fabs(aVal[2 * t + 1] - 0.5)
                                      + (t % 6 == 5 ? 1.0 : aVal[2 * t])
                                    : NAN;
    nOk += aStatus[t] == TPE_OK;
    tpeHistoryOrderAppend(p, &h, t);
    h.nTrial = t + 1;
    assert_non_null(h.aOrd);
    assert_int_equal(h.nByLoss, nOk);

    /* The orders are those of a fresh sort of the window. */
    h2 = h;
    assert_int_equal(tpeHistoryOrder(p, &h2, N), SQLITE_OK);
    for(i = 0; i < 2; i++){
      assert_int_equal(h2.anOrd[i], h.anOrd[i]);
      assert_true(memcmp(&h2.aOrd[i * h2.nOrdStride],
                         &h.aOrd[i * h.nOrdStride],
                         sizeof(int) * h.anOrd[i]) == 0);
    }
    assert_int_equal(h.anOrd[1], t + 1 < WIN ? t + 1 : WIN);
    sqlite3_free(h2.aOrd);
    sqlite3_free(h2.anOrd);
    sqlite3_free(h2.aByLoss);

    if( t > 20 ) tpeTestSuggestOrdered(p, &h, 4, aOut);
  }
  sqlite3_free(h.aOrd);
  sqlite3_free(h.anOrd);
  sqlite3_free(h.aByLoss);
  tpeSpaceFree(p);

  for(i = 0; i < N_ELEM(azOther); i++){
    p = tpeTestSpace(2, azOther[i]);
    assert_int_equal(tpeHistoryOrderWindow(p), 0);
    tpeTestHistory(&h, 2, aId, aStatus, aLoss, aVal);
    h.nTrial = 10;
    assert_int_equal(tpeHistoryOrder(p, &h, N), SQLITE_OK);
    assert_null(h.aOrd);
    assert_int_equal(h.nByLoss, 8);
    sqlite3_free(h.aByLoss);
    tpeSpaceFree(p);
  }
}

int main(void){
  const struct CMUnitTest aTest[] = {
    cmocka_unit_test(test_dim_init),
    cmocka_unit_test(test_bandwidth_hand),
    cmocka_unit_test(test_joint_density),
    cmocka_unit_test(test_integrate),
    cmocka_unit_test(test_grid_mass),
    cmocka_unit_test(test_labels_hand),
    cmocka_unit_test(test_tail_mass),
    cmocka_unit_test(test_halton),
    cmocka_unit_test(test_options),
    cmocka_unit_test(test_quasi_startup),
    cmocka_unit_test(test_suggest_space),
    cmocka_unit_test(test_sorted_history),
    cmocka_unit_test(test_pruned_scoring),
    cmocka_unit_test(test_univariate_every_capped),
    cmocka_unit_test(test_order_window),
  };
  return cmocka_run_group_tests(aTest, 0, 0);
}
