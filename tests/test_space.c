/*
** test_space.c: unit tests of the search space, its samplers and the
** random streams (ext/tpe_space.c, ext/tpe_rand.c, ext/tpe_rng.c).
**
**     make unit          builds build/test_space and runs it
**
** Four groups: the random streams, every sampler through tpeSamplePrior(),
** conditional parameters through tpeSuggestRand(), and the declaration
** parser (exact error text, canonical text, order, options, value checks).
**
** The statistical checks draw 30,000 to 100,000 values from fixed keys,
** so each run draws the same numbers and a check either always passes or
** always fails.
** A tolerance is five standard errors of the quantity checked, computed
** from the distribution's true moments: a sample mean is within
** 5*sigma/sqrt(n), a sample variance within 5*sqrt((mu4 - sigma^4)/n), a
** bin count within 5*sqrt(n*p*(1-p)).  A histogram also passes a
** chi-square test whose bound is the 5-sigma quantile of chi-square with
** k-1 degrees of freedom (Wilson-Hilferty).  Five sigma keeps the fixed
** seeds far from the edge yet catches a wrong bound, a lost half-mass at a
** grid end, or a variance off by a few percent.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "tpe_algo.h"

#define N_DRAW   100000       /* draws per statistical check */
#define N_SIGMA  5.0          /* tolerance in standard errors */
#define N_BIN_MAX 64          /* most bins a histogram check takes */

/* One buffer of draws, shared by the tests (cmocka runs them in turn). */
static double aDraw[N_DRAW];

/**************************************************************************
** Statistical helpers
*/

/* Fail unless |rGot - rWant| <= rTol, saying what was measured. */
static void checkNear(const char *zWhat, double rGot, double rWant,
                      double rTol){
  if( !(fabs(rGot - rWant) <= rTol) ){
    print_error("%s: got %.9g, want %.9g +- %.3g\n",
                zWhat, rGot, rWant, rTol);
    fail();
  }
}

/*
** Check the mean and the variance of a[0..n-1] against a distribution of
** mean rMu, variance rVar and fourth central moment rMu4.
*/
static void checkMoments(const char *zWhat, const double *a, int n,
                         double rMu, double rVar, double rMu4){
  double rSum = 0.0, rSq = 0.0, rMean, rSampleVar;
  char zBuf[128];
  int i;

  for(i = 0; i < n; i++) rSum += a[i];
  rMean = rSum / n;
  for(i = 0; i < n; i++) rSq += (a[i] - rMean) * (a[i] - rMean);
  rSampleVar = rSq / (n - 1);

  snprintf(zBuf, sizeof(zBuf), "%s: mean", zWhat);
  checkNear(zBuf, rMean, rMu, N_SIGMA * sqrt(rVar / n));
  snprintf(zBuf, sizeof(zBuf), "%s: variance", zWhat);
  checkNear(zBuf, rSampleVar, rVar,
            N_SIGMA * sqrt((rMu4 - rVar * rVar) / n));
}

/* The 5-sigma upper quantile of chi-square with nDf degrees of freedom,
** by the Wilson-Hilferty cube-root approximation. */
static double chiSquareBound(int nDf){
  double c = 2.0 / (9.0 * nDf);
  double t = 1.0 - c + N_SIGMA * sqrt(c);

  return nDf * t * t * t;
}

/*
** Check observed counts aCount[0..nBin-1] of n draws against the
** probabilities aP: a bin of probability 0 must be empty, every other bin
** must be within N_SIGMA binomial standard errors, and the chi-square
** statistic over the other bins must stay under its 5-sigma bound.
*/
static void checkCounts(const char *zWhat, const int64_t *aCount,
                        const double *aP, int nBin, int n){
  double rChi = 0.0;
  int i, nDf = -1, nBad = 0;

  for(i = 0; i < nBin; i++){
    double rExp = aP[i] * n;
    double rTol = N_SIGMA * sqrt(n * aP[i] * (1.0 - aP[i]));
    if( aP[i] <= 0.0 ){
      if( aCount[i] != 0 ){
        print_error("%s: bin %d has probability 0 but %lld draws\n",
                    zWhat, i, (long long)aCount[i]);
        nBad++;
      }
      continue;
    }
    if( fabs(aCount[i] - rExp) > rTol ){
      print_error("%s: bin %d: got %lld draws, want %.1f +- %.1f\n",
                  zWhat, i, (long long)aCount[i], rExp, rTol);
      nBad++;
    }
    rChi += (aCount[i] - rExp) * (aCount[i] - rExp) / rExp;
    nDf++;
  }
  if( nDf > 0 && rChi > chiSquareBound(nDf) ){
    print_error("%s: chi-square %.2f with %d degrees of freedom, "
                "bound %.2f\n", zWhat, rChi, nDf, chiSquareBound(nDf));
    nBad++;
  }
  if( nBad ) fail();
}

/* Distribution function of the continuous variable behind parameter p
** (before any rounding to a grid). */
typedef double (*CdfFunc)(const TpeParam *p, double x);

static double cdfUniform(const TpeParam *p, double x){
  double r = (x - p->a) / (p->b - p->a);
  return r < 0.0 ? 0.0 : (r > 1.0 ? 1.0 : r);
}

static double cdfLogUniform(const TpeParam *p, double x){
  double r;

  if( x <= p->a ) return 0.0;
  r = (log(x) - log(p->a)) / (log(p->b) - log(p->a));
  return r > 1.0 ? 1.0 : r;
}

static double stdNormalCdf(double z){
  return 0.5 * erfc(-z / sqrt(2.0));
}

static double cdfNormal(const TpeParam *p, double x){
  return stdNormalCdf((x - p->a) / p->b);
}

static double cdfLogNormal(const TpeParam *p, double x){
  if( x <= 0.0 ) return 0.0;
  return stdNormalCdf((log(x) - p->a) / p->b);
}

/*
** Histogram check of a[0..n-1] over the nEdge ascending edges aEdge: bins
** (-inf, e0), [e0, e1), ..., [e_last, inf), with probabilities from
** xCdf.  The outer bins double as a range check for bounded kinds.
*/
static void checkHistogram(const char *zWhat, const double *a, int n,
                           const double *aEdge, int nEdge,
                           const TpeParam *p, CdfFunc xCdf){
  int64_t aCount[N_BIN_MAX];
  double aP[N_BIN_MAX];
  int i, j, nBin = nEdge + 1;

  assert_true(nBin <= N_BIN_MAX);
  memset(aCount, 0, sizeof(aCount));
  for(i = 0; i < n; i++){
    for(j = 0; j < nEdge && a[i] >= aEdge[j]; j++){}
    aCount[j]++;
  }
  for(j = 0; j < nBin; j++){
    double rLo = j == 0 ? 0.0 : xCdf(p, aEdge[j-1]);
    double rHi = j == nEdge ? 1.0 : xCdf(p, aEdge[j]);
    aP[j] = rHi - rLo;
  }
  checkCounts(zWhat, aCount, aP, nBin, n);
}

/* Histogram of a continuous parameter over nBin equal bins of [lo, hi). */
static void checkEvenHistogram(const char *zWhat, const double *a, int n,
                               double lo, double hi, int nBin,
                               const TpeParam *p, CdfFunc xCdf){
  double aEdge[N_BIN_MAX];
  int j;

  for(j = 0; j <= nBin; j++) aEdge[j] = lo + (hi - lo) * j / nBin;
  checkHistogram(zWhat, a, n, aEdge, nBin + 1, p, xCdf);
}

/*
** Check a quantized parameter: every draw is exactly rint(v/q)*q, is not
** -0 (rounding a small negative gives -0, which would show as "-0.0"),
** and is accepted by tpeParamCheck(); grid points kLo*q..kHi*q (plus a
** bin below and one above) have the frequencies of the rounded variable.
*/
static void checkGrid(const char *zWhat, const double *a, int n,
                      const TpeParam *p, int kLo, int kHi, CdfFunc xCdf){
  double aEdge[N_BIN_MAX];
  int i, k;

  for(i = 0; i < n; i++){
    const char *zWhy = tpeParamCheck(p, a[i]);
    if( a[i] != rint(a[i] / p->q) * p->q || zWhy ){
      print_error("%s: draw %d is %.17g, off the grid of step %g (%s)\n",
                  zWhat, i, a[i], p->q, zWhy ? zWhy : "exact check");
      fail();
    }
    if( a[i] == 0.0 && signbit(a[i]) ){
      print_error("%s: draw %d is -0\n", zWhat, i);
      fail();
    }
  }
  assert_true(kHi - kLo + 2 < N_BIN_MAX);
  for(k = kLo; k <= kHi + 1; k++) aEdge[k - kLo] = (k - 0.5) * p->q;
  checkHistogram(zWhat, a, n, aEdge, kHi - kLo + 2, p, xCdf);
}

/*
** Check that draws uniform on [lo, hi) come close to both ends: the least
** is within 20/n of the range above lo and the greatest 20/n below hi.
** Each falls short with probability (1 - 20/n)^n < e^-20, so a range cut
** short by one part in 5,000 fails while a correct sampler never does.
*/
static void checkReachesEnds(const char *zWhat, const double *a, int n,
                             double lo, double hi){
  double rMin = a[0], rMax = a[0], rGap = 20.0 / n * (hi - lo);
  int i;

  for(i = 1; i < n; i++){
    if( a[i] < rMin ) rMin = a[i];
    if( a[i] > rMax ) rMax = a[i];
  }
  if( rMin > lo + rGap || rMax < hi - rGap ){
    print_error("%s: draws span [%.9g, %.9g], want within %.3g of "
                "[%.9g, %.9g]\n", zWhat, rMin, rMax, rGap, lo, hi);
    fail();
  }
}

/* Lag-1 correlation of a[0..n-1], which is within 5/sqrt(n) of zero for
** independent draws. */
static void checkNoLagCorrelation(const char *zWhat, const double *a,
                                  int n){
  double rMean = 0.0, rCov = 0.0, rVar = 0.0;
  int i;

  for(i = 0; i < n; i++) rMean += a[i];
  rMean /= n;
  for(i = 0; i < n; i++){
    rVar += (a[i] - rMean) * (a[i] - rMean);
    if( i ) rCov += (a[i] - rMean) * (a[i-1] - rMean);
  }
  checkNear(zWhat, rCov / rVar, 0.0, N_SIGMA / sqrt((double)n));
}

/**************************************************************************
** Space helpers
*/

/* Parse azArg as experiment "net"; fail with the message on error. */
static TpeSpace *spaceOk(int nArg, const char *const *azArg){
  TpeSpace *pSpace = 0;
  char *zErr = 0;
  int rc = tpeSpaceParse("net", nArg, azArg, &pSpace, &zErr);

  if( rc != SQLITE_OK || pSpace == 0 ){
    print_error("declaration of %s failed: rc=%d %s\n", azArg[0], rc,
                zErr ? zErr : "(no message)");
    sqlite3_free(zErr);
    fail();
  }
  assert_null(zErr);
  return pSpace;
}

#define N_ELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SPACE_OK(...) spaceOk( \
    N_ELEM(((const char *const[]){__VA_ARGS__})), \
    (const char *const[]){__VA_ARGS__})

/* Draw n values of the single parameter of the declaration zDecl from
** the stream (seed 42, trial iTrial, purpose 7) into aDraw. */
static TpeSpace *drawPrior(const char *zDecl, int64_t iTrial, int n){
  TpeSpace *pSpace = SPACE_OK(zDecl);
  TpeRng rng;
  int i;

  assert_int_equal(pSpace->nParam, 1);
  tpeRngInit(&rng, 42, iTrial, 7);
  for(i = 0; i < n; i++) aDraw[i] = tpeSamplePrior(&pSpace->aParam[0], &rng);
  return pSpace;
}

/* Counts of the integer values lo..hi in aDraw[0..n-1]; any other value,
** -0 included, fails the test. */
static void countIntegers(const char *zWhat, int n, int lo, int hi,
                          int64_t *aCount){
  int i;

  memset(aCount, 0, sizeof(int64_t) * (hi - lo + 1));
  for(i = 0; i < n; i++){
    double v = aDraw[i];
    if( v != floor(v) || v < lo || v > hi || (v == 0.0 && signbit(v)) ){
      print_error("%s: draw %d is %.17g, not an integer in [%d, %d]\n",
                  zWhat, i, v, lo, hi);
      fail();
    }
    aCount[(int)v - lo]++;
  }
}

/**************************************************************************
** 1. Random streams
*/

/* Streams are a pure function of (seed, trial, purpose), and the key
** matches an independent implementation of splitmix64 + xoshiro256**. */
static void test_rng_streams(void **state){
  static const struct {
    int64_t iSeed, iTrial;
    uint32_t iPurpose;
    uint64_t aWant[3];
  } aKnown[] = {
    { 12345, 7, 1, { 0x0b391fcdb369bb9fULL, 0x374ef0b580ac110aULL,
                     0x043ca2e68ce42afcULL } },
    { 0, 0, 0,     { 0x8c4986f3f0e565d5ULL, 0xf4547fdf5c2f56b6ULL,
                     0x6a9e0d6a14f022fbULL } },
    { -1, 3, 2,    { 0xd2c31e674bfbffc7ULL, 0x8c09b95cd7941009ULL,
                     0x9fd74e03ec123779ULL } },
  };
  static const struct { int64_t iSeed, iTrial; uint32_t iPurpose; } aKey[] = {
    { 42, 1, 1 }, { 42, 2, 1 }, { 43, 1, 1 }, { 42, 1, 2 },
    { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 1 }, { 42, 1000001, 1 },
  };
  TpeRng r1, r2;
  int i, j, k;

  (void)state;
  for(i = 0; i < N_ELEM(aKnown); i++){
    tpeRngInit(&r1, aKnown[i].iSeed, aKnown[i].iTrial, aKnown[i].iPurpose);
    for(j = 0; j < 3; j++){
      assert_int_equal(tpeRngNext(&r1), aKnown[i].aWant[j]);
    }
  }

  /* The same key gives the same sequence, normals included. */
  tpeRngInit(&r1, 42, 1, 1);
  tpeRngInit(&r2, 42, 1, 1);
  for(i = 0; i < 1000; i++){
    assert_int_equal(tpeRngNext(&r1), tpeRngNext(&r2));
    assert_true(tpeRngNormal(&r1) == tpeRngNormal(&r2));
    assert_true(tpeRngUniform(&r1) == tpeRngUniform(&r2));
  }

  /* Re-initialising drops a spare normal deviate. */
  tpeRngInit(&r1, 42, 1, 1);
  tpeRngInit(&r2, 42, 1, 1);
  (void)tpeRngNormal(&r2);
  tpeRngInit(&r2, 42, 1, 1);
  assert_true(tpeRngNormal(&r1) == tpeRngNormal(&r2));

  /* Keys differing in one part give unrelated streams: no output of one
  ** appears at the same position in another. */
  for(i = 0; i < N_ELEM(aKey); i++){
    for(j = i + 1; j < N_ELEM(aKey); j++){
      int nSame = 0;
      tpeRngInit(&r1, aKey[i].iSeed, aKey[i].iTrial, aKey[i].iPurpose);
      tpeRngInit(&r2, aKey[j].iSeed, aKey[j].iTrial, aKey[j].iPurpose);
      for(k = 0; k < 1000; k++) nSame += tpeRngNext(&r1) == tpeRngNext(&r2);
      if( nSame ){
        print_error("keys %d and %d share %d outputs\n", i, j, nSame);
        fail();
      }
    }
  }
}

/* tpeRngUniform: [0, 1) reaching both ends, 53-bit multiples, mean 1/2,
** variance 1/12, flat over 20 bins, no lag-1 correlation. */
static void test_rng_uniform(void **state){
  TpeParam unit;
  TpeRng rng;
  int i, nOdd = 0;

  (void)state;
  tpeRngInit(&rng, 1, 2, 3);
  for(i = 0; i < N_DRAW; i++){
    double u = tpeRngUniform(&rng);
    double r53 = u * 9007199254740992.0;      /* 2^53 */
    if( !(u >= 0.0 && u < 1.0) || r53 != floor(r53) ){
      print_error("uniform draw %d is %.17g\n", i, u);
      fail();
    }
    nOdd += fmod(r53, 2.0) != 0.0;
    aDraw[i] = u;
  }

  /* The last of the 53 bits is random too. */
  checkNear("rng uniform: fraction with the 53rd bit set",
            (double)nOdd / N_DRAW, 0.5, N_SIGMA * sqrt(0.25 / N_DRAW));
  checkMoments("rng uniform", aDraw, N_DRAW, 0.5, 1.0/12, 1.0/80);
  checkReachesEnds("rng uniform", aDraw, N_DRAW, 0.0, 1.0);
  memset(&unit, 0, sizeof(unit));
  unit.a = 0.0;
  unit.b = 1.0;
  checkEvenHistogram("rng uniform histogram", aDraw, N_DRAW, 0.0, 1.0, 20,
                     &unit, cdfUniform);
  checkNoLagCorrelation("rng uniform lag-1 correlation", aDraw, N_DRAW);
}

/* tpeRngNormal: mean 0, sd 1 (fourth moment 3), |z| > 2 in 4.55% and
** |z| > 3 in 0.27% of draws, the normal histogram, no correlation
** between the two deviates of a Box-Muller pair. */
static void test_rng_normal(void **state){
  static const double aTail[] = { 1.0, 2.0, 3.0 };
  double aEdge[14];
  TpeParam std;
  TpeRng rng;
  int i, j;

  (void)state;
  tpeRngInit(&rng, 1, 2, 4);
  for(i = 0; i < N_DRAW; i++){
    aDraw[i] = tpeRngNormal(&rng);
    if( !isfinite(aDraw[i]) ){
      print_error("normal draw %d is %g\n", i, aDraw[i]);
      fail();
    }
  }
  checkMoments("rng normal", aDraw, N_DRAW, 0.0, 1.0, 3.0);
  for(j = 0; j < N_ELEM(aTail); j++){
    double p = 2.0 * stdNormalCdf(-aTail[j]);
    int nOut = 0;
    char zBuf[64];
    for(i = 0; i < N_DRAW; i++) nOut += fabs(aDraw[i]) > aTail[j];
    snprintf(zBuf, sizeof(zBuf), "rng normal: fraction |z| > %g", aTail[j]);
    checkNear(zBuf, (double)nOut / N_DRAW, p,
              N_SIGMA * sqrt(p * (1 - p) / N_DRAW));
  }
  memset(&std, 0, sizeof(std));
  std.a = 0.0;
  std.b = 1.0;
  for(j = 0; j < N_ELEM(aEdge); j++) aEdge[j] = -3.25 + 0.5 * j;
  checkHistogram("rng normal histogram", aDraw, N_DRAW, aEdge,
                 N_ELEM(aEdge), &std, cdfNormal);
  checkNoLagCorrelation("rng normal lag-1 correlation", aDraw, N_DRAW);
}

/* tpeRngBelow: uniform over 0..n-1 for small n (chi-square), always 0 for
** n = 1, and unbiased for an n near 2^63 where plain modulo is biased. */
static void test_rng_below(void **state){
  static const int64_t aN[] = { 2, 3, 5, 7, 10, 16, 33 };
  const int64_t nBig = ((int64_t)1 << 62) + ((int64_t)1 << 61);
  int64_t aCount[N_BIN_MAX];
  double aP[N_BIN_MAX];
  TpeRng rng;
  int i, j, nLow = 0;
  char zBuf[64];

  (void)state;
  tpeRngInit(&rng, 9, 9, 9);
  for(i = 0; i < 1000; i++) assert_int_equal(tpeRngBelow(&rng, 1), 0);
  for(j = 0; j < N_ELEM(aN); j++){
    memset(aCount, 0, sizeof(aCount));
    for(i = 0; i < N_DRAW; i++){
      int64_t v = tpeRngBelow(&rng, aN[j]);
      assert_true(v >= 0 && v < aN[j]);
      aCount[v]++;
    }
    for(i = 0; i < aN[j]; i++) aP[i] = 1.0 / aN[j];
    snprintf(zBuf, sizeof(zBuf), "tpeRngBelow(%lld)", (long long)aN[j]);
    checkCounts(zBuf, aCount, aP, (int)aN[j], N_DRAW);
  }

  /* 2^64 = 2*nBig + 2/3*nBig: without rejection the values below
  ** 2/3*nBig would be 3/2 times as likely as the others, and P(v < 2/3
  ** nBig) would be 3/4 instead of 2/3. */
  tpeRngInit(&rng, 10, 9, 9);
  for(i = 0; i < N_DRAW; i++){
    int64_t v = tpeRngBelow(&rng, nBig);
    assert_true(v >= 0 && v < nBig);
    nLow += v < nBig / 3 * 2;
  }
  checkNear("tpeRngBelow(3*2^61): fraction below 2/3", (double)nLow / N_DRAW,
            2.0 / 3, N_SIGMA * sqrt(2.0 / 9 / N_DRAW));
}

/* tpeRngCategorical: frequencies proportional to unnormalised weights,
** zero weights never drawn, n-1 when all weights are zero. */
static void test_rng_categorical(void **state){
  static const double aW1[] = { 1, 2, 3, 4 };
  static const double aW2[] = { 0, 0.5, 0, 1.5, 0 };
  static const double aZero[] = { 0, 0, 0 };
  static const double aOne[] = { 7 };
  int64_t aCount[8];
  double aP[8];
  TpeRng rng;
  int i;

  (void)state;
  tpeRngInit(&rng, 5, 6, 7);
  memset(aCount, 0, sizeof(aCount));
  for(i = 0; i < N_DRAW; i++) aCount[tpeRngCategorical(&rng, aW1, 4)]++;
  for(i = 0; i < 4; i++) aP[i] = aW1[i] / 10;
  checkCounts("categorical 1:2:3:4", aCount, aP, 4, N_DRAW);

  memset(aCount, 0, sizeof(aCount));
  for(i = 0; i < N_DRAW; i++) aCount[tpeRngCategorical(&rng, aW2, 5)]++;
  for(i = 0; i < 5; i++) aP[i] = aW2[i] / 2;
  checkCounts("categorical with zero weights", aCount, aP, 5, N_DRAW);

  for(i = 0; i < 100; i++){
    assert_int_equal(tpeRngCategorical(&rng, aZero, 3), 2);
    assert_int_equal(tpeRngCategorical(&rng, aOne, 1), 0);
  }
}

/**************************************************************************
** 2. Samplers (tpeSamplePrior on parsed spaces)
*/

/* uniform(-5, 5): inside [-5, 5) and reaching both ends, mean 0,
** variance 100/12, flat. */
static void test_sample_uniform(void **state){
  TpeSpace *p = drawPrior("x uniform(-5, 5)", 1, N_DRAW);
  const TpeParam *pX = &p->aParam[0];
  int i;

  (void)state;
  for(i = 0; i < N_DRAW; i++){
    if( !(aDraw[i] >= -5.0 && aDraw[i] < 5.0) || tpeParamCheck(pX, aDraw[i])){
      print_error("uniform(-5, 5) draw %d is %.17g\n", i, aDraw[i]);
      fail();
    }
  }
  checkMoments("uniform(-5, 5)", aDraw, N_DRAW, 0.0, 100.0/12, 1e4/80);
  checkReachesEnds("uniform(-5, 5)", aDraw, N_DRAW, -5.0, 5.0);
  checkEvenHistogram("uniform(-5, 5) histogram", aDraw, N_DRAW, -5, 5, 20,
                     pX, cdfUniform);
  tpeSpaceFree(p);
}

/* quniform: exact multiples of q within [q*rint(low/q), q*rint(high/q)];
** with bounds on the grid the end points get half the mass of the others
** (hyperopt rounds a uniform), with bounds off the grid all are equal. */
static void test_sample_quniform(void **state){
  TpeSpace *p;

  (void)state;
  /* 0, 2.5, 5, 7.5, 10 with mass 1/8, 1/4, 1/4, 1/4, 1/8. */
  p = drawPrior("x quniform(0, 10, 2.5)", 2, N_DRAW);
  checkGrid("quniform(0, 10, 2.5)", aDraw, N_DRAW, &p->aParam[0], 0, 4,
            cdfUniform);
  checkMoments("quniform(0, 10, 2.5)", aDraw, N_DRAW, 5.0,
               2.5*2.5 * (2*0.125*4 + 2*0.25*1), 2.5*2.5*2.5*2.5 *
               (2*0.125*16 + 2*0.25*1));
  tpeSpaceFree(p);

  /* low/q = -0.5 and high/q = 4.5 round (to even) to 0 and 4: the grid
  ** is 0..8 with five equally likely points. */
  p = drawPrior("x quniform(-1, 9, 2)", 3, N_DRAW);
  checkGrid("quniform(-1, 9, 2)", aDraw, N_DRAW, &p->aParam[0], 0, 4,
            cdfUniform);
  tpeSpaceFree(p);

  /* A decimal step: 0.1 .. 0.9, nine equally likely points. */
  p = drawPrior("x quniform(0.05, 0.95, 0.1)", 4, N_DRAW);
  checkGrid("quniform(0.05, 0.95, 0.1)", aDraw, N_DRAW, &p->aParam[0], 1, 9,
            cdfUniform);
  tpeSpaceFree(p);
}

/* loguniform(1e-3, 1e3): inside the bounds; log v is uniform on
** [log 1e-3, log 1e3]: mean 0, variance (log 1e6)^2/12, flat in 20 bins,
** reaching both ends. */
static void test_sample_loguniform(void **state){
  TpeSpace *p = drawPrior("x loguniform(1e-3, 1e3)", 5, N_DRAW);
  const TpeParam *pX = &p->aParam[0];
  double w = log(1e6), aEdge[21];
  int i;

  (void)state;
  for(i = 0; i < N_DRAW; i++){
    if( tpeParamCheck(pX, aDraw[i]) ){
      print_error("loguniform draw %d is %.17g\n", i, aDraw[i]);
      fail();
    }
  }
  for(i = 0; i <= 20; i++) aEdge[i] = 1e-3 * pow(1e6, i / 20.0);
  checkHistogram("loguniform histogram", aDraw, N_DRAW, aEdge, 21, pX,
                 cdfLogUniform);
  for(i = 0; i < N_DRAW; i++) aDraw[i] = log(aDraw[i]);
  checkMoments("log of loguniform(1e-3, 1e3)", aDraw, N_DRAW, 0.0,
               w * w / 12, w * w * w * w / 80);
  checkReachesEnds("log of loguniform(1e-3, 1e3)", aDraw, N_DRAW,
                   log(1e-3), log(1e3));
  tpeSpaceFree(p);
}

/* qloguniform(1, 100, 5): multiples of 5 in [0, 100], each with the
** probability that exp(U) rounds to it (0 gets [1, 2.5), 100 gets
** [97.5, 100]). */
static void test_sample_qloguniform(void **state){
  TpeSpace *p = drawPrior("x qloguniform(1, 100, 5)", 6, N_DRAW);

  (void)state;
  checkGrid("qloguniform(1, 100, 5)", aDraw, N_DRAW, &p->aParam[0], 0, 20,
            cdfLogUniform);
  tpeSpaceFree(p);
}

/* normal(3, 2): mean 3, variance 4, fourth moment 48, normal histogram. */
static void test_sample_normal(void **state){
  TpeSpace *p = drawPrior("x normal(3, 2)", 7, N_DRAW);
  double aEdge[13];
  int i;

  (void)state;
  checkMoments("normal(3, 2)", aDraw, N_DRAW, 3.0, 4.0, 48.0);
  for(i = 0; i < 13; i++) aEdge[i] = 3.0 + 2.0 * (-3.0 + 0.5 * i);
  checkHistogram("normal(3, 2) histogram", aDraw, N_DRAW, aEdge, 13,
                 &p->aParam[0], cdfNormal);
  tpeSpaceFree(p);
}

/* qnormal(10, 3, 2): multiples of 2 with the mass of the normal around
** each, mean 10 (mu is on the grid, so rounding is symmetric). */
static void test_sample_qnormal(void **state){
  TpeSpace *p = drawPrior("x qnormal(10, 3, 2)", 8, N_DRAW);
  double rVar = 9.0 + 4.0 / 12;           /* Sheppard: sigma^2 + q^2/12 */
  double rSum = 0.0;
  int i;

  (void)state;
  checkGrid("qnormal(10, 3, 2)", aDraw, N_DRAW, &p->aParam[0], 0, 10,
            cdfNormal);
  for(i = 0; i < N_DRAW; i++) rSum += aDraw[i];
  checkNear("qnormal(10, 3, 2): mean", rSum / N_DRAW, 10.0,
            N_SIGMA * sqrt(rVar / N_DRAW));
  tpeSpaceFree(p);
}

/* lognormal(-1, 0.5): positive; log v has mean -1 and sd 0.5. */
static void test_sample_lognormal(void **state){
  TpeSpace *p = drawPrior("x lognormal(-1, 0.5)", 9, N_DRAW);
  int i;

  (void)state;
  for(i = 0; i < N_DRAW; i++){
    if( !(aDraw[i] > 0.0) || tpeParamCheck(&p->aParam[0], aDraw[i]) ){
      print_error("lognormal draw %d is %.17g\n", i, aDraw[i]);
      fail();
    }
    aDraw[i] = log(aDraw[i]);
  }
  checkMoments("log of lognormal(-1, 0.5)", aDraw, N_DRAW, -1.0, 0.25,
               3 * 0.0625);
  tpeSpaceFree(p);
}

/* qlognormal(0, 1, 2): non-negative multiples of 2; P(0) = P(e^Z < 1)
** = 1/2, and each grid point has the lognormal mass around it. */
static void test_sample_qlognormal(void **state){
  TpeSpace *p = drawPrior("x qlognormal(0, 1, 2)", 10, N_DRAW);
  int i, nZero = 0;

  (void)state;
  for(i = 0; i < N_DRAW; i++){
    assert_true(aDraw[i] >= 0.0);
    nZero += aDraw[i] == 0.0;
  }
  checkNear("qlognormal(0, 1, 2): fraction at 0", (double)nZero / N_DRAW,
            0.5, N_SIGMA * sqrt(0.25 / N_DRAW));
  checkGrid("qlognormal(0, 1, 2)", aDraw, N_DRAW, &p->aParam[0], 0, 8,
            cdfLogNormal);
  tpeSpaceFree(p);
}

/* randint(3, 8): label indexes 0..4 (value - low), equally likely. */
static void test_sample_randint(void **state){
  TpeSpace *p = drawPrior("x randint(3, 8)", 11, N_DRAW);
  int64_t aCount[5];
  double aP[5] = { 0.2, 0.2, 0.2, 0.2, 0.2 };

  (void)state;
  assert_int_equal(p->aParam[0].nLabel, 5);
  assert_true(tpeKindIsCategorical(p->aParam[0].eKind));
  countIntegers("randint(3, 8)", N_DRAW, 0, 4, aCount);
  checkCounts("randint(3, 8)", aCount, aP, 5, N_DRAW);
  tpeSpaceFree(p);
}

/* uniformint(low, high): the integers low..high as hyperopt draws them,
** rint(uniform(low, high)): interior values 1/(high-low), the ends half. */
static void test_sample_uniformint(void **state){
  TpeSpace *p;
  int64_t aCount[5];
  double aP4[5] = { 0.125, 0.25, 0.25, 0.25, 0.125 };
  double aP3[4] = { 1.0/6, 1.0/3, 1.0/3, 1.0/6 };

  (void)state;
  p = drawPrior("x uniformint(0, 4)", 12, N_DRAW);
  assert_false(tpeKindIsCategorical(p->aParam[0].eKind));
  countIntegers("uniformint(0, 4)", N_DRAW, 0, 4, aCount);
  checkCounts("uniformint(0, 4)", aCount, aP4, 5, N_DRAW);
  tpeSpaceFree(p);

  p = drawPrior("x uniformint(-2, 1)", 13, N_DRAW);
  countIntegers("uniformint(-2, 1)", N_DRAW, -2, 1, aCount);
  checkCounts("uniformint(-2, 1)", aCount, aP3, 4, N_DRAW);
  tpeSpaceFree(p);
}

/* choice: label indexes, equally likely. */
static void test_sample_choice(void **state){
  TpeSpace *p = drawPrior("x choice('a', 'b', 'c', 'd')", 14, N_DRAW);
  int64_t aCount[4];
  double aP[4] = { 0.25, 0.25, 0.25, 0.25 };

  (void)state;
  assert_int_equal(p->aParam[0].nLabel, 4);
  countIntegers("choice of 4", N_DRAW, 0, 3, aCount);
  checkCounts("choice of 4", aCount, aP, 4, N_DRAW);
  tpeSpaceFree(p);
}

/* pchoice: label indexes with the declared probabilities; a label of
** probability 0 is never drawn. */
static void test_sample_pchoice(void **state){
  TpeSpace *p;
  int64_t aCount[4];
  double aP3[3] = { 0.5, 0.3, 0.2 };
  double aP4[4] = { 0.0, 0.75, 0.0, 0.25 };

  (void)state;
  p = drawPrior("opt pchoice('adam' = 0.5, 'sgd' = 0.3, 'rmsprop' = 0.2)",
                15, N_DRAW);
  countIntegers("pchoice 0.5/0.3/0.2", N_DRAW, 0, 2, aCount);
  checkCounts("pchoice 0.5/0.3/0.2", aCount, aP3, 3, N_DRAW);
  tpeSpaceFree(p);

  p = drawPrior("x pchoice(1 = 0, 2 = 0.75, 3 = 0, 4 = 0.25)", 16, N_DRAW);
  countIntegers("pchoice with zeros", N_DRAW, 0, 3, aCount);
  checkCounts("pchoice with zeros", aCount, aP4, 4, N_DRAW);
  tpeSpaceFree(p);
}

/* Draws depend only on the stream: the same stream gives the same values,
** for every kind. */
static void test_sample_repeatable(void **state){
  TpeSpace *p = SPACE_OK(
    "a uniform(-5, 5)", "b quniform(0, 10, 2.5)", "c loguniform(1e-3, 1)",
    "d qloguniform(1, 100, 5)", "e normal(0, 1)", "f qnormal(0, 1, 0.5)",
    "g lognormal(0, 1)", "h qlognormal(0, 1, 2)", "i randint(0, 10)",
    "j uniformint(1, 6)", "k choice('x', 'y')", "l pchoice(1 = 0.4, 2 = 0.6)"
  );
  TpeRng r1, r2;
  int i, k;

  (void)state;
  assert_int_equal(p->nParam, TPE_NKIND);
  for(k = 0; k < TPE_NKIND; k++){
    assert_int_equal(p->aParam[k].eKind, k);
    tpeRngInit(&r1, 77, k, TPE_STREAM_SUGGEST);
    tpeRngInit(&r2, 77, k, TPE_STREAM_SUGGEST);
    for(i = 0; i < 100; i++){
      double v1 = tpeSamplePrior(&p->aParam[k], &r1);
      double v2 = tpeSamplePrior(&p->aParam[k], &r2);
      assert_true(v1 == v2);
      assert_null(tpeParamCheck(&p->aParam[k], v1));
    }
  }
  tpeSpaceFree(p);
}

/**************************************************************************
** 3. Conditional parameters (tpeSuggestRand)
*/

/*
** Draw nTrial points of the svm/forest space with tpeSuggest (algo rand)
** and check every draw: a parameter holds a value exactly when its
** condition holds, and that value passes tpeParamCheck.  Then the branch
** frequencies: svm and forest 1/2 each, poly 1/4 (so degree is active in
** a quarter of the draws) and degree's values 2..5 as uniformint's.
*/
static void checkSvmForest(TpeSpace *p, int nTrial){
  int iModel = tpeSpaceFind(p, "model"), iC = tpeSpaceFind(p, "c");
  int iKernel = tpeSpaceFind(p, "KERNEL"), iDeg = tpeSpaceFind(p, "degree");
  int iTrees = tpeSpaceFind(p, "trees");
  int64_t nSvm = 0, nPoly = 0, aDeg[4] = { 0, 0, 0, 0 };
  double aP[4] = { 1.0/6, 1.0/3, 1.0/3, 1.0/6 };
  double aVal[8], aVal2[8];
  TpeRng rng;
  int i, t;

  assert_int_equal(p->nParam, 5);
  assert_true(iModel >= 0 && iC >= 0 && iKernel >= 0 && iDeg >= 0
              && iTrees >= 0);
  for(t = 0; t < nTrial; t++){
    int bSvm, bPoly;
    int abWant[8];
    assert_int_equal(tpeSuggest(p, 0, t, aVal), SQLITE_OK);
    if( t < 50 ){
      /* tpeSuggest(algo rand) is tpeSuggestRand on the trial's stream. */
      tpeRngInit(&rng, p->opt.iSeed, t, TPE_STREAM_SUGGEST);
      assert_int_equal(tpeSuggestRand(p, 0, &rng, aVal2), SQLITE_OK);
      for(i = 0; i < 5; i++){
        assert_true(aVal[i] == aVal2[i] || (isnan(aVal[i])
                                            && isnan(aVal2[i])));
      }
    }
    assert_true(aVal[iModel] == 0.0 || aVal[iModel] == 1.0);
    bSvm = aVal[iModel] == 0.0;
    bPoly = bSvm && aVal[iKernel] == 1.0;
    abWant[iModel] = 1;
    abWant[iC] = bSvm;
    abWant[iKernel] = bSvm;
    abWant[iDeg] = bPoly;
    abWant[iTrees] = !bSvm;
    for(i = 0; i < 5; i++){
      int bActive = !isnan(aVal[i]);
      if( bActive != abWant[i] || tpeParamActive(p, i, aVal) != abWant[i] ){
        print_error("trial %d: %s is %g but should be %s\n", t,
                    p->aParam[i].zName, aVal[i],
                    abWant[i] ? "active" : "inactive (NaN)");
        fail();
      }
      if( bActive && tpeParamCheck(&p->aParam[i], aVal[i]) ){
        print_error("trial %d: %s = %.17g %s\n", t, p->aParam[i].zName,
                    aVal[i], tpeParamCheck(&p->aParam[i], aVal[i]));
        fail();
      }
    }
    nSvm += bSvm;
    nPoly += bPoly;
    if( bPoly ) aDeg[(int)aVal[iDeg] - 2]++;
  }
  checkNear("fraction svm", (double)nSvm / nTrial, 0.5,
            N_SIGMA * sqrt(0.25 / nTrial));
  checkNear("fraction poly", (double)nPoly / nTrial, 0.25,
            N_SIGMA * sqrt(0.1875 / nTrial));
  checkCounts("degree given poly", aDeg, aP, 4, (int)nPoly);
}

/* The space declared parents first. */
static void test_cond_nested(void **state){
  TpeSpace *p = SPACE_OK(
    "model choice('svm', 'forest')",
    "C loguniform(1e-3, 1e3) WHEN model = 'svm'",
    "kernel choice('rbf', 'poly') WHEN model = 'svm'",
    "degree uniformint(2, 5) WHEN kernel = 'poly'",
    "trees quniform(10, 1000, 10) WHEN model = 'forest'",
    "algo = 'rand'", "seed = 2024"
  );

  (void)state;
  checkSvmForest(p, 40000);
  tpeSpaceFree(p);
}

/* The same space declared children first: sampling follows aOrder, so a
** child still sees its parent's value. */
static void test_cond_children_first(void **state){
  TpeSpace *p = SPACE_OK(
    "degree uniformint(2, 5) WHEN kernel = 'poly'",
    "trees quniform(10, 1000, 10) WHEN model = 'forest'",
    "kernel choice('rbf', 'poly') WHEN model = 'svm'",
    "C loguniform(1e-3, 1e3) WHEN model = 'svm'",
    "model choice('svm', 'forest')",
    "algo = 'rand'", "seed = 99"
  );

  (void)state;
  checkSvmForest(p, 40000);
  tpeSpaceFree(p);
}

/* WHEN x IN (...): y is active for two labels of three, z for the third,
** w (a child of a pchoice) for the label of probability 0.8. */
static void test_cond_in(void **state){
  TpeSpace *p = SPACE_OK(
    "x choice('a', 'b', 'c')",
    "y uniform(0, 1) WHEN x IN ('a', 'b')",
    "z normal(0, 1) WHEN x IN ('c')",
    "v pchoice('on' = 0.8, 'off' = 0.2)",
    "w randint(0, 3) WHEN v = 'on'",
    "algo = 'rand'"
  );
  int64_t nY = 0, nW = 0;
  double aVal[5];
  int t, n = 30000;

  (void)state;
  for(t = 0; t < n; t++){
    int bY, bW;
    assert_int_equal(tpeSuggest(p, 0, t, aVal), SQLITE_OK);
    bY = aVal[0] == 0.0 || aVal[0] == 1.0;
    bW = aVal[3] == 0.0;
    assert_int_equal(!isnan(aVal[1]), bY);
    assert_int_equal(!isnan(aVal[2]), !bY);
    assert_int_equal(!isnan(aVal[4]), bW);
    nY += bY;
    nW += bW;
  }
  checkNear("fraction x IN ('a', 'b')", (double)nY / n, 2.0 / 3,
            N_SIGMA * sqrt(2.0 / 9 / n));
  checkNear("fraction v = 'on'", (double)nW / n, 0.8,
            N_SIGMA * sqrt(0.16 / n));
  tpeSpaceFree(p);
}

/**************************************************************************
** 4. The declaration parser
*/

typedef struct BadDecl BadDecl;
struct BadDecl {
  const char *azArg[4];       /* the arguments, NULL-terminated */
  const char *zErr;           /* the exact message expected */
};

/* Each bad declaration of experiment "net" and its exact message. */
static const BadDecl aBad[] = {
  /* kinds and arguments */
  { { "x foo(1, 2)" },
    "net: column x: unknown kind 'foo'; kinds are uniform, quniform, "
    "loguniform, qloguniform, normal, qnormal, lognormal, qlognormal, "
    "randint, uniformint, choice, pchoice" },
  { { "x uniform(1)" },
    "net: column x: uniform takes 2 arguments (low, high), got 1" },
  { { "x uniform(1, 2, 3)" },
    "net: column x: uniform takes 2 arguments (low, high), got 3" },
  { { "x uniform()" },
    "net: column x: uniform takes 2 arguments (low, high), got 0" },
  { { "x quniform(0, 1)" },
    "net: column x: quniform takes 3 arguments (low, high, q), got 2" },
  { { "x qlognormal(0, 1)" },
    "net: column x: qlognormal takes 3 arguments (mu, sigma, q), got 2" },
  { { "x choice" },
    "net: column x: choice needs its arguments in parentheses: "
    "choice(label, ...)" },
  { { "x 'uniform'(0, 1)" },
    "net: column x: expected a kind such as uniform(low, high), "
    "got 'uniform'" },
  { { "x uniform('a', 1)" },
    "net: column x: uniform: argument 1 must be a number, got 'a'" },
  { { "x normal(0, 'b')" },
    "net: column x: normal: argument 2 must be a number, got 'b'" },
  { { "x uniform(0, 1" },
    "net: column x: uniform: expected ',' or ')', got end of argument" },
  { { "x uniform(1e400, 2)" },
    "net: column x: uniform needs finite arguments" },
  { { "x uniform(0, 1) junk" },
    "net: column x: unexpected 'junk' after uniform(...); a condition "
    "starts with WHEN" },
  /* ranges */
  { { "x uniform(5, 5)" },
    "net: column x: uniform needs low < high, got (5, 5)" },
  { { "x quniform(6, 5, 1)" },
    "net: column x: quniform needs low < high, got (6, 5)" },
  { { "lr loguniform(0, 1)" },
    "net: column lr: loguniform needs 0 < low < high, got (0, 1)" },
  { { "lr qloguniform(-1, 1, 0.1)" },
    "net: column lr: qloguniform needs 0 < low < high, got (-1, 1)" },
  { { "lr loguniform(1, 0.5)" },
    "net: column lr: loguniform needs 0 < low < high, got (1, 0.5)" },
  { { "x quniform(0, 1, 0)" },
    "net: column x: quniform needs q > 0, got 0" },
  { { "x qnormal(0, 1, -0.5)" },
    "net: column x: qnormal needs q > 0, got -0.5" },
  { { "x normal(0, 0)" },
    "net: column x: normal needs sigma > 0, got 0" },
  { { "x lognormal(0, -1)" },
    "net: column x: lognormal needs sigma > 0, got -1" },
  { { "x randint(0.5, 3)" },
    "net: column x: randint needs integer bounds, got (0.5, 3)" },
  { { "x uniformint(0, 2.5)" },
    "net: column x: uniformint needs integer bounds, got (0, 2.5)" },
  { { "x randint(3, 3)" },
    "net: column x: randint needs low < high, got (3, 3)" },
  { { "x randint(0, 2000000)" },
    "net: column x: randint takes at most 1000000 values, got 2000000; "
    "use uniformint for wide ranges" },
  /* names */
  { { "x uniform(0, 1)", "X uniform(0, 1)" },
    "net: column X: declared twice" },
  { { "trial uniform(0, 1)" },
    "net: column trial: the name trial is reserved for the experiment's "
    "own column; rename the parameter" },
  { { "LOSS uniform(0, 1)" },
    "net: column LOSS: the name loss is reserved for the experiment's "
    "own column; rename the parameter" },
  { { "Status uniform(0, 1)" },
    "net: column Status: the name status is reserved for the "
    "experiment's own column; rename the parameter" },
  { { "suggested_at uniform(0, 1)" },
    "net: column suggested_at: the name suggested_at is reserved for the "
    "experiment's own column; rename the parameter" },
  { { "Finished_At uniform(0, 1)" },
    "net: column Finished_At: the name finished_at is reserved for the "
    "experiment's own column; rename the parameter" },
  { { "\"extra\" uniform(0, 1)" },
    "net: column extra: the name extra is reserved for the experiment's "
    "own column; rename the parameter" },
  { { "\"\" uniform(0, 1)" },
    "net: a column name is empty" },
  { { "'x' uniform(0, 1)" },
    "net: cannot read argument ''x' uniform(0, 1)': expected a column "
    "name or an option" },
  { { "x uniform(0, 1)", "" },
    "net: an argument is empty" },
  { { "seed = 1" },
    "net: no parameters declared; declare at least one, for example: "
    "x uniform(0, 1)" },
  /* conditions */
  { { "x uniform(0, 1) WHEN y = 'a'" },
    "net: column x: WHEN names unknown parameter y" },
  { { "x uniform(0, 1) WHEN y = 'a'", "y uniform(0, 1)" },
    "net: column x: WHEN needs a choice or pchoice parameter, but y is "
    "uniform" },
  { { "x uniform(0, 1) WHEN y = 0", "y randint(0, 3)" },
    "net: column x: WHEN needs a choice or pchoice parameter, but y is "
    "randint" },
  { { "x uniform(0, 1) WHEN y = 'c'", "y choice('a', 'b')" },
    "net: column x: WHEN y: 'c' is not a label of y ('a', 'b')" },
  { { "x uniform(0, 1) WHEN y IN ('a', 'z')", "y choice('a', 'b')" },
    "net: column x: WHEN y: 'z' is not a label of y ('a', 'b')" },
  { { "x uniform(0, 1) WHEN y = '1'", "y choice(1, 2)" },
    "net: column x: WHEN y: '1' is not a label of y (1, 2)" },
  { { "a choice('u', 'v') WHEN b = 'u'", "b choice('u', 'v') WHEN a = 'u'" },
    "net: column a: conditions form a cycle: a -> b -> a" },
  { { "a choice('u', 'v') WHEN a = 'u'" },
    "net: column a: WHEN names the parameter itself" },
  { { "x uniform(0, 1) WHEN" },
    "net: column x: WHEN must name a parameter" },
  { { "x uniform(0, 1) WHEN y" },
    "net: column x: WHEN y: expected '=' or IN" },
  { { "x uniform(0, 1) WHEN y IN 'a'" },
    "net: column x: WHEN y IN: expected '('" },
  { { "x uniform(0, 1) WHEN y =" },
    "net: column x: WHEN y: expected a label, got end of argument" },
  /* options */
  { { "x uniform(0, 1)", "foo = 1" },
    "net: unknown option 'foo'; options are seed, algo, compat, "
    "n_startup, n_candidates, gamma, prior_weight, forgetting, "
    "multivariate, consider_endpoints, max_history, rank_decay, "
    "quasi_random, clip_by_trials, univariate_every" },
  { { "x uniform(0, 1)", "seed = 1", "SEED = 2" },
    "net: option seed given twice" },
  { { "x uniform(0, 1)", "seed = 'abc'" },
    "net: option seed: expected an integer, got 'abc'" },
  { { "x uniform(0, 1)", "seed = 1.5" },
    "net: option seed: expected an integer, got '1.5'" },
  { { "x uniform(0, 1)", "seed = 1 2" },
    "net: option seed: unexpected '2' after the value" },
  { { "x uniform(0, 1)", "algo = 'foo'" },
    "net: option algo: expected 'tpe', 'rand' or 'anneal', got 'foo'" },
  { { "x uniform(0, 1)", "compat = 'x'" },
    "net: option compat: expected 'none' or 'hyperopt', got 'x'" },
  { { "x uniform(0, 1)", "gamma = 0" },
    "net: option gamma: expected a number in (0, 1], got 0" },
  { { "x uniform(0, 1)", "gamma = 2" },
    "net: option gamma: expected a number in (0, 1], got 2" },
  { { "x uniform(0, 1)", "n_candidates = 0" },
    "net: option n_candidates: expected an integer in [1, 1000000], "
    "got 0" },
  { { "x uniform(0, 1)", "multivariate = maybe" },
    "net: option multivariate: expected true or false, got 'maybe'" },
  /* labels */
  { { "opt pchoice('adam' = 0.5, 'sgd' = 0.3, 'rmsprop' = 0.3)" },
    "net: column opt: pchoice probabilities must sum to 1, got 1.1" },
  { { "opt pchoice('adam' = 0.5, 'sgd')" },
    "net: column opt: pchoice: expected '=' and a probability after "
    "label 2, as in pchoice('a' = 0.7, 'b' = 0.3)" },
  { { "opt pchoice('adam' = 1.5, 'sgd' = -0.5)" },
    "net: column opt: pchoice: probability of label 1 must lie in "
    "[0, 1], got 1.5" },
  { { "opt pchoice('adam' = 'sgd')" },
    "net: column opt: pchoice: probability of label 1 must be a number" },
  { { "opt choice('a', 'b', 'a')" },
    "net: column opt: choice: label 'a' appears twice" },
  { { "opt choice(1, 1.0)" },
    "net: column opt: choice: label 1 appears twice" },
  { { "opt choice()" },
    "net: column opt: choice needs at least one label" },
  { { "opt pchoice()" },
    "net: column opt: pchoice needs at least one label" },
};

/* Every bad declaration fails with SQLITE_ERROR, no space, and its exact
** message; all mismatches are printed before the test fails. */
static void test_parse_errors(void **state){
  static TpeSpace sentinel;
  int i, nBad = 0;

  (void)state;
  for(i = 0; i < N_ELEM(aBad); i++){
    TpeSpace *pSpace = &sentinel;             /* must be reset to NULL */
    char *zErr = 0;
    int nArg = 0, rc;
    while( nArg < 4 && aBad[i].azArg[nArg] ) nArg++;
    rc = tpeSpaceParse("net", nArg, aBad[i].azArg, &pSpace, &zErr);
    if( rc != SQLITE_ERROR || pSpace != 0 || zErr == 0
     || strcmp(zErr, aBad[i].zErr) != 0 ){
      print_error("declaration %d (%s%s):\n  rc   %d\n  want %s\n"
                  "  got  %s\n", i, aBad[i].azArg[0],
                  nArg > 1 ? ", ..." : "", rc, aBad[i].zErr,
                  zErr ? zErr : "(no message)");
      nBad++;
      if( rc == SQLITE_OK && pSpace ) tpeSpaceFree(pSpace);
    }
    sqlite3_free(zErr);
  }
  assert_int_equal(nBad, 0);
}

/* Fields of a good declaration: kinds, bounds, canonical argument text,
** labels and their probabilities. */
static void test_parse_params(void **state){
  TpeSpace *p = SPACE_OK(
    "x uniform(-5, 5)",
    "lr loguniform(1e-5, 1e-1)",
    "opt choice('adam', 'sgd')",
    "momentum uniform(0, 0.99) WHEN optimizer = 'sgd'",
    "optimizer pchoice('adam' = 0.5, 'sgd' = 0.3, 'rmsprop' = 0.2)",
    "q quniform(0, 1, 0.1)",
    "n randint(3, 8)",
    "k uniformint(-2, 1)",
    "\"my col\" normal(+1.5, 2E0)",
    "[b c] qlognormal(0, 1, 2)",
    "`d` choice(1, 2.5, 'it''s', -3)"
  );
  const TpeParam *a = p->aParam;

  (void)state;
  assert_string_equal(p->zName, "net");
  assert_int_equal(p->nParam, 11);

  assert_string_equal(a[0].zName, "x");
  assert_int_equal(a[0].eKind, TPE_UNIFORM);
  assert_true(a[0].a == -5.0 && a[0].b == 5.0 && a[0].q == 0.0);
  assert_string_equal(a[0].zArgs, "-5, 5");
  assert_int_equal(a[0].iParent, -1);
  assert_null(a[0].zWhen);
  assert_null(a[0].aLabel);

  assert_int_equal(a[1].eKind, TPE_LOGUNIFORM);
  assert_true(a[1].a == 1e-5 && a[1].b == 0.1);
  assert_string_equal(a[1].zArgs, "1e-05, 0.1");

  assert_int_equal(a[2].eKind, TPE_CHOICE);
  assert_int_equal(a[2].nLabel, 2);
  assert_int_equal(a[2].aLabel[0].eType, SQLITE_TEXT);
  assert_string_equal(a[2].aLabel[0].z, "adam");
  assert_string_equal(a[2].aLabel[1].z, "sgd");
  assert_true(a[2].aProb[0] == 0.5 && a[2].aProb[1] == 0.5);
  assert_string_equal(a[2].zArgs, "'adam', 'sgd'");

  /* momentum depends on optimizer, declared after it. */
  assert_int_equal(a[3].iParent, 4);
  assert_int_equal(a[3].iDepth, 1);
  assert_string_equal(a[3].zWhen, "optimizer = 'sgd'");
  assert_true(a[3].aWhen[0] == 0 && a[3].aWhen[1] != 0
              && a[3].aWhen[2] == 0);

  assert_int_equal(a[4].eKind, TPE_PCHOICE);
  assert_int_equal(a[4].nLabel, 3);
  assert_true(a[4].aProb[0] == 0.5 && a[4].aProb[1] == 0.3
              && a[4].aProb[2] == 0.2);
  assert_string_equal(a[4].zArgs,
                      "'adam' = 0.5, 'sgd' = 0.3, 'rmsprop' = 0.2");

  assert_int_equal(a[5].eKind, TPE_QUNIFORM);
  assert_true(a[5].q == 0.1);
  assert_string_equal(a[5].zArgs, "0, 1, 0.1");

  assert_int_equal(a[6].eKind, TPE_RANDINT);
  assert_int_equal(a[6].nLabel, 5);
  assert_null(a[6].aLabel);
  assert_string_equal(a[6].zArgs, "3, 8");

  assert_int_equal(a[7].eKind, TPE_UNIFORMINT);
  assert_string_equal(a[7].zArgs, "-2, 1");

  /* Quoted identifiers are dequoted; numbers read with sign and exponent. */
  assert_string_equal(a[8].zName, "my col");
  assert_int_equal(a[8].eKind, TPE_NORMAL);
  assert_string_equal(a[8].zArgs, "1.5, 2");
  assert_string_equal(a[9].zName, "b c");
  assert_string_equal(a[9].zArgs, "0, 1, 2");
  assert_string_equal(a[10].zName, "d");

  /* Labels keep their types: integer, real, text (quote doubled), -3. */
  assert_int_equal(a[10].nLabel, 4);
  assert_int_equal(a[10].aLabel[0].eType, SQLITE_INTEGER);
  assert_int_equal(a[10].aLabel[0].i, 1);
  assert_int_equal(a[10].aLabel[1].eType, SQLITE_FLOAT);
  assert_true(a[10].aLabel[1].r == 2.5);
  assert_string_equal(a[10].aLabel[2].z, "it's");
  assert_int_equal(a[10].aLabel[3].i, -3);
  assert_string_equal(a[10].zArgs, "1, 2.5, 'it''s', -3");

  /* Names are found as SQL finds them, ignoring ASCII case. */
  assert_int_equal(tpeSpaceFind(p, "LR"), 1);
  assert_int_equal(tpeSpaceFind(p, "My Col"), 8);
  assert_int_equal(tpeSpaceFind(p, "nope"), -1);
  assert_string_equal(tpeKindName(TPE_QLOGNORMAL), "qlognormal");
  tpeSpaceFree(p);
}

/* Conditions: canonical text, label flags, depth, numeric labels, and an
** aOrder with every parent before its children whatever the order of
** declaration. */
static void test_parse_conditions(void **state){
  TpeSpace *p = SPACE_OK(
    "degree uniformint(2, 5) WHEN kernel = 'poly'",
    "kernel choice('rbf', 'poly', 'linear') WHEN model IN ('svm', 'svc')",
    "model choice('svm', 'forest', 'svc')",
    "trees quniform(10, 1000, 10) when Model in ('forest')",
    "depth choice('a', 'b') WHEN n = 2.0",
    "n choice(1, 2, 'three')"
  );
  int aPos[6];
  int i;

  (void)state;
  assert_string_equal(p->aParam[0].zWhen, "kernel = 'poly'");
  assert_string_equal(p->aParam[1].zWhen, "model IN ('svm', 'svc')");
  assert_null(p->aParam[2].zWhen);
  assert_string_equal(p->aParam[3].zWhen, "model = 'forest'");
  assert_string_equal(p->aParam[4].zWhen, "n = 2");

  assert_int_equal(p->aParam[0].iParent, 1);
  assert_int_equal(p->aParam[1].iParent, 2);
  assert_int_equal(p->aParam[2].iParent, -1);
  assert_int_equal(p->aParam[3].iParent, 2);
  assert_int_equal(p->aParam[4].iParent, 5);
  assert_int_equal(p->aParam[0].iDepth, 2);
  assert_int_equal(p->aParam[1].iDepth, 1);
  assert_int_equal(p->aParam[2].iDepth, 0);
  assert_int_equal(p->aParam[3].iDepth, 1);
  assert_true(p->aParam[1].aWhen[0] && !p->aParam[1].aWhen[1]
              && p->aParam[1].aWhen[2]);
  assert_true(!p->aParam[4].aWhen[0] && p->aParam[4].aWhen[1]
              && !p->aParam[4].aWhen[2]);

  /* aOrder is a permutation with parents first. */
  for(i = 0; i < 6; i++) aPos[i] = -1;
  for(i = 0; i < 6; i++){
    assert_true(p->aOrder[i] >= 0 && p->aOrder[i] < 6);
    assert_int_equal(aPos[p->aOrder[i]], -1);
    aPos[p->aOrder[i]] = i;
  }
  for(i = 0; i < 6; i++){
    if( p->aParam[i].iParent >= 0 ){
      assert_true(aPos[p->aParam[i].iParent] < aPos[i]);
    }
  }
  tpeSpaceFree(p);
}

/* Options: defaults, values given in any case, and their text. */
static void test_parse_options(void **state){
  static const char *const azDefault[] = {
    "seed", "0", "algo", "tpe", "compat", "none", "n_startup", "10",
    "n_candidates", "24", "gamma", "0.15", "prior_weight", "1",
    "forgetting", "25", "multivariate", "true",
    "consider_endpoints", "false", "max_history", "1000",
    "rank_decay", "0.3", "quasi_random", "true", "clip_by_trials", "true",
    "univariate_every", "2",
  };
  static const char *const azSet[] = {
    "seed", "-9223372036854775808", "algo", "anneal", "compat",
    "hyperopt", "n_startup", "5", "n_candidates", "1000000", "gamma",
    "1", "prior_weight", "0.5", "forgetting", "1", "multivariate", "true",
    "consider_endpoints", "false", "max_history", "100",
    "rank_decay", "2", "quasi_random", "false", "clip_by_trials", "false",
    "univariate_every", "0",
  };
  TpeSpace *p;
  int i;

  (void)state;
  assert_int_equal(tpeOptionCount(), N_ELEM(azDefault) / 2);
  p = SPACE_OK("x uniform(0, 1)");
  assert_int_equal(p->mSet, 0);
  for(i = 0; i < tpeOptionCount(); i++){
    char *z = tpeOptionValue(p, i);
    assert_string_equal(tpeOptionName(i), azDefault[2*i]);
    assert_string_equal(z, azDefault[2*i+1]);
    sqlite3_free(z);
  }
  tpeSpaceFree(p);

  p = SPACE_OK("SEED = -9223372036854775808", "x uniform(0, 1)",
               "Algo = ANNEAL", "compat = 'hyperopt'", "n_startup = 5",
               "n_candidates = 1000000", "gamma = 1", "prior_weight = 0.5",
               "forgetting = 1", "multivariate = on",
               "consider_endpoints = 0", "max_history = 100",
               "rank_decay = 2", "quasi_random = off",
               "clip_by_trials = false", "univariate_every = 0");
  assert_true(p->opt.iSeed == INT64_MIN);
  assert_int_equal(p->opt.eAlgo, TPE_ALGO_ANNEAL);
  assert_int_equal(p->opt.bCompat, 1);
  assert_int_equal(p->opt.nStartup, 5);
  assert_int_equal(p->opt.nCandidates, 1000000);
  assert_true(p->opt.rGamma == 1.0 && p->opt.rPriorWeight == 0.5);
  assert_int_equal(p->opt.bMultivariate, 1);
  assert_int_equal(p->opt.bConsiderEndpoints, 0);
  assert_int_equal(p->mSet, (1u << tpeOptionCount()) - 1);
  for(i = 0; i < tpeOptionCount(); i++){
    char *z = tpeOptionValue(p, i);
    assert_string_equal(z, azSet[2*i+1]);
    sqlite3_free(z);
  }
  tpeSpaceFree(p);

  p = SPACE_OK("x uniform(0, 1)", "seed = 9223372036854775807",
               "algo = rand", "multivariate = FALSE");
  assert_true(p->opt.iSeed == INT64_MAX);
  assert_int_equal(p->opt.eAlgo, TPE_ALGO_RAND);
  assert_string_equal(tpeAlgoName(p->opt.eAlgo), "rand");
  assert_int_equal(p->mSet, (1u << 0) | (1u << 1) | (1u << 8));
  tpeSpaceFree(p);

  /* A quoted key is a column name, not an option. */
  p = SPACE_OK("x uniform(0, 1)", "\"seed\" uniform(0, 1)");
  assert_int_equal(p->nParam, 2);
  assert_int_equal(p->mSet, 0);
  tpeSpaceFree(p);
}

/* tpeParamCheck: NULL for a value the parameter can take, else why not. */
static void test_param_check(void **state){
  static const struct {
    int iParam;               /* parameter of the space below */
    double v;                 /* value */
    const char *zWhy;         /* expected phrase, or NULL */
  } aCase[] = {
    { 0, 0.0, 0 }, { 0, -5.0, 0 }, { 0, 5.0, 0 },
    { 0, 5.0001, "is out of range" }, { 0, -6.0, "is out of range" },
    { 0, NAN, "is not a finite number" },
    { 0, INFINITY, "is not a finite number" },
    { 1, 7.5, 0 }, { 1, 0.0, 0 }, { 1, 10.0, 0 },
    { 1, 7.4, "is off the grid" }, { 1, 12.5, "is out of range" },
    { 1, -2.5, "is out of range" },
    { 2, 0.3, 0 }, { 2, 0.9, 0 }, { 2, 0.1, 0 },
    { 2, 1.0, "is out of range" }, { 2, 0.0, 0 },
    { 2, -0.1, "is out of range" },
    { 2, 0.35, "is off the grid" },
    { 3, 1.0, 0 }, { 3, 1e-3, 0 }, { 3, 0.0, "is out of range" },
    { 3, 1.5, "is out of range" },
    { 4, 0.0, 0 }, { 4, 100.0, 0 }, { 4, 3.0, "is off the grid" },
    { 4, 105.0, "is out of range" },
    { 5, -1e300, 0 }, { 5, -INFINITY, "is not a finite number" },
    { 6, -1.5, 0 }, { 6, 0.25, "is off the grid" },
    { 7, 2.0, 0 }, { 7, 0.0, "is not positive" },
    { 7, -1.0, "is not positive" },
    { 8, 0.0, 0 }, { 8, 4.0, 0 }, { 8, -2.0, "is negative" },
    { 8, 3.0, "is off the grid" },
    { 9, -2.0, 0 }, { 9, 1.0, 0 }, { 9, 0.5, "is not an integer" },
    { 9, 2.0, "is out of range" }, { 9, -3.0, "is out of range" },
    { 10, 0.0, 0 }, { 10, 4.0, 0 }, { 10, 5.0, "is not a label" },
    { 10, -1.0, "is not a label" }, { 10, 0.5, "is not a label" },
    { 11, 2.0, 0 }, { 11, 3.0, "is not a label" },
    { 12, 1.0, 0 }, { 12, 2.0, "is not a label" },
  };
  TpeSpace *p = SPACE_OK(
    "a uniform(-5, 5)", "b quniform(0, 10, 2.5)",
    "c quniform(0.05, 0.95, 0.1)", "d loguniform(1e-3, 1)",
    "e qloguniform(1, 100, 5)", "f normal(0, 1)", "g qnormal(0, 1, 0.5)",
    "h lognormal(0, 1)", "i qlognormal(0, 1, 2)", "j uniformint(-2, 1)",
    "k randint(3, 8)", "l choice('x', 'y', 'z')",
    "m pchoice('x' = 0.5, 'y' = 0.5)"
  );
  int i, nBad = 0;

  (void)state;
  for(i = 0; i < N_ELEM(aCase); i++){
    const TpeParam *pP = &p->aParam[aCase[i].iParam];
    const char *zGot = tpeParamCheck(pP, aCase[i].v);
    if( (zGot == 0) != (aCase[i].zWhy == 0)
     || (zGot && strcmp(zGot, aCase[i].zWhy) != 0) ){
      print_error("tpeParamCheck(%s %s(%s), %.17g): want %s, got %s\n",
                  pP->zName, tpeKindName(pP->eKind), pP->zArgs,
                  aCase[i].v, aCase[i].zWhy ? aCase[i].zWhy : "NULL",
                  zGot ? zGot : "NULL");
      nBad++;
    }
  }
  assert_int_equal(nBad, 0);
  tpeSpaceFree(p);
}

/* Text of r by tpeAppendReal(); the caller frees it with sqlite3_free. */
static char *appendRealText(double r){
  sqlite3_str *pStr = sqlite3_str_new(0);

  tpeAppendReal(pStr, r);
  return sqlite3_str_finish(pStr);
}

/*
** tpeAppendReal: the shortest text that reads back as the same double.
** Suggestions reach users as JSON through it, so a draw that does not
** survive the trip would be a different point from the one stored.  Half
** of all doubles need 17 significant digits.
*/
static void test_append_real(void **state){
  static const struct { double r; const char *zWant; } aCase[] = {
    { 0.1, "0.1" }, { -5.0, "-5" }, { 1e-5, "1e-05" }, { 0.99, "0.99" },
    { 1e300, "1e+300" }, { 0.25, "0.25" }, { 0.0, "0" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 0.2 / 0.9999999999999999, "0.20000000000000004" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" },
    { 1.0695279462336525e201, "1.0695279462336525e+201" },
  };
  TpeRng rng;
  int i, nBad = 0;

  (void)state;
  for(i = 0; i < N_ELEM(aCase); i++){
    char *z = appendRealText(aCase[i].r);
    assert_non_null(z);
    if( strcmp(z, aCase[i].zWant) != 0 ){
      print_error("tpeAppendReal(%.17g): want %s, got %s\n", aCase[i].r,
                  aCase[i].zWant, z);
      nBad++;
    }
    sqlite3_free(z);
  }

  /* Draws of uniform(-5, 5), and of a log-uniform over 1e-300..1e308. */
  tpeRngInit(&rng, 3, 1, 4);
  for(i = 0; i < 20000; i++){
    double r = (i & 1) ? -5.0 + 10.0 * tpeRngUniform(&rng)
                       : pow(10.0, -300.0 + 608.0 * tpeRngUniform(&rng));
    char *z = appendRealText(r);
    assert_non_null(z);
    if( strtod(z, 0) != r ){
      if( nBad < 10 ){
        print_error("tpeAppendReal(%.17g) gave %s\n", r, z);
      }
      nBad++;
    }
    sqlite3_free(z);
  }
  assert_int_equal(nBad, 0);
}

int main(void){
  const struct CMUnitTest aRng[] = {
    cmocka_unit_test(test_rng_streams),
    cmocka_unit_test(test_rng_uniform),
    cmocka_unit_test(test_rng_normal),
    cmocka_unit_test(test_rng_below),
    cmocka_unit_test(test_rng_categorical),
  };
  const struct CMUnitTest aSample[] = {
    cmocka_unit_test(test_sample_uniform),
    cmocka_unit_test(test_sample_quniform),
    cmocka_unit_test(test_sample_loguniform),
    cmocka_unit_test(test_sample_qloguniform),
    cmocka_unit_test(test_sample_normal),
    cmocka_unit_test(test_sample_qnormal),
    cmocka_unit_test(test_sample_lognormal),
    cmocka_unit_test(test_sample_qlognormal),
    cmocka_unit_test(test_sample_randint),
    cmocka_unit_test(test_sample_uniformint),
    cmocka_unit_test(test_sample_choice),
    cmocka_unit_test(test_sample_pchoice),
    cmocka_unit_test(test_sample_repeatable),
  };
  const struct CMUnitTest aCond[] = {
    cmocka_unit_test(test_cond_nested),
    cmocka_unit_test(test_cond_children_first),
    cmocka_unit_test(test_cond_in),
  };
  const struct CMUnitTest aParse[] = {
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_parse_params),
    cmocka_unit_test(test_parse_conditions),
    cmocka_unit_test(test_parse_options),
    cmocka_unit_test(test_param_check),
    cmocka_unit_test(test_append_real),
  };
  int nFail = 0;

  nFail += cmocka_run_group_tests_name("rng", aRng, NULL, NULL);
  nFail += cmocka_run_group_tests_name("samplers", aSample, NULL, NULL);
  nFail += cmocka_run_group_tests_name("conditions", aCond, NULL, NULL);
  nFail += cmocka_run_group_tests_name("parser", aParse, NULL, NULL);
  return nFail;
}
