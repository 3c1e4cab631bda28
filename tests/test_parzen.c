/*
** test_parzen.c: unit tests of the TPE estimators (tpe_parzen.c), of
** tpeSuggestTpe (tpe_tpe.c) and of tpeSuggestAnneal (tpe_anneal.c).
**
** Three kinds of checks:
**   - cases worked by hand (bandwidths, weights, posteriors);
**   - properties (densities integrate to one, quantized masses sum to
**     one, samples stay in bounds);
**   - golden numbers produced by hyperopt 0.3 itself (golden_parzen.h),
**     which the C code must reproduce to 1e-9.
** The spaces are built by hand so that nothing here needs the parser.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tpe_algo.h"
#include "tpe_parzen.h"
#include "sqlite3.h"

#include "golden_parzen.h"

/* Golden numbers must match to this, relative to max(1, |expected|). */
#define GOLD_TOL 1e-9

/* Largest relative error seen against the golden numbers. */
static double rMaxGoldErr = 0.0;

/* True if got is within tol of want, relative to max(1, |want|). */
static int tpeClose(double got, double want, double tol){
  double rScale = fabs(want) > 1.0 ? fabs(want) : 1.0;
  if( isnan(want) ) return isnan(got);
  if( isinf(want) ) return got == want;
  return fabs(got - want) <= tol * rScale;
}

/* As tpeClose, recording the error for the golden report. */
static int tpeGold(double got, double want){
  double rScale = fabs(want) > 1.0 ? fabs(want) : 1.0;
  if( isfinite(want) && isfinite(got) ){
    double e = fabs(got - want) / rScale;
    if( e > rMaxGoldErr ) rMaxGoldErr = e;
  }
  return tpeClose(got, want, GOLD_TOL);
}

#define assert_close(got, want, tol) do{ \
  double g_ = (got), w_ = (want); \
  if( !tpeClose(g_, w_, (tol)) ){ \
    fail_msg("%s = %.17g, want %.17g", #got, g_, w_); \
  } \
}while(0)

/* A numeric parameter with no parent. */
static TpeParam tpeTestParam(TpeKind eKind, double a, double b, double q){
  TpeParam p;
  memset(&p, 0, sizeof(p));
  p.eKind = eKind;
  p.a = a;
  p.b = b;
  p.q = q;
  p.iParent = -1;
  return p;
}

/* Fit parameter p to nObs values (not yet in model space). */
static void tpeTestFit(const TpeParam *p, const double *aVal, int nObs,
                       double rPriorWeight, TpeDomain *pDom,
                       TpeMixture *pMix, double *aBuf, int *aWork){
  TpeParzenCfg cfg;
  double aObs[256];
  int i;

  cfg.rPriorWeight = rPriorWeight;
  cfg.nForget = 25;
  tpeDomainInit(pDom, p);
  for(i = 0; i < nObs; i++) aObs[i] = tpeDomainObs(pDom, aVal[i]);
  pMix->aW = aBuf;
  pMix->aMu = aBuf + nObs + 1;
  pMix->aSigma = aBuf + 2*(nObs + 1);
  tpeParzenFit(aObs, nObs, pDom->rPriorMu, pDom->rPriorSigma, &cfg, aWork,
               pMix);
  tpeMixtureBound(pMix, pDom);
}

/**************************************************************************
** Worked by hand
*/

/* No observations: the prior alone. */
static void test_fit_0(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, -2.0, 3.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[3];
  int aWork[1];

  (void)state;
  tpeTestFit(&p, 0, 0, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.n, 1);
  assert_int_equal(mix.iPrior, 0);
  assert_close(mix.aMu[0], 0.5, 0);
  assert_close(mix.aSigma[0], 5.0, 0);
  assert_close(mix.aW[0], 1.0, 0);
}

/* One observation: half the prior's bandwidth, on its side of the prior;
** an observation equal to the prior mean goes first. */
static void test_fit_1(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, 0.0, 4.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[6], x;
  int aWork[1];

  (void)state;
  x = 3.0;
  tpeTestFit(&p, &x, 1, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.n, 2);
  assert_int_equal(mix.iPrior, 0);
  assert_close(mix.aMu[0], 2.0, 0);
  assert_close(mix.aMu[1], 3.0, 0);
  assert_close(mix.aSigma[0], 4.0, 0);
  assert_close(mix.aSigma[1], 2.0, 0);
  assert_close(mix.aW[0], 0.5, 0);
  assert_close(mix.aW[1], 0.5, 0);

  x = 2.0;
  tpeTestFit(&p, &x, 1, 3.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.iPrior, 1);
  assert_close(mix.aSigma[0], 2.0, 0);
  assert_close(mix.aSigma[1], 4.0, 0);
  assert_close(mix.aW[0], 0.25, 1e-15);
  assert_close(mix.aW[1], 0.75, 1e-15);
}

/* Two observations, 7 and 1, in uniform(0, 10): kernels at 1, 5 (prior),
** 7; gaps 4, max(4, 2), 2; the floor 10/min(100, 4) = 2.5 lifts the
** last; the prior is reset to 10. */
static void test_fit_2(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, 0.0, 10.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[9], aX[2] = { 7.0, 1.0 };
  int aWork[2], i;

  (void)state;
  tpeTestFit(&p, aX, 2, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.n, 3);
  assert_int_equal(mix.iPrior, 1);
  assert_close(mix.aMu[0], 1.0, 0);
  assert_close(mix.aMu[1], 5.0, 0);
  assert_close(mix.aMu[2], 7.0, 0);
  assert_close(mix.aSigma[0], 4.0, 0);
  assert_close(mix.aSigma[1], 10.0, 0);
  assert_close(mix.aSigma[2], 2.5, 0);
  for(i = 0; i < 3; i++) assert_close(mix.aW[i], 1.0/3.0, 1e-15);
}

/* Three observations 9, 2, 3 in uniform(0, 10): kernels 2, 3, 5, 9; gaps
** 1, max(1,2), max(2,4), 4; floor 10/5 = 2; prior reset to 10. */
static void test_fit_3(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, 0.0, 10.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[12], aX[3] = { 9.0, 2.0, 3.0 };
  double aSigma[4] = { 2.0, 2.0, 10.0, 4.0 };
  double aMu[4] = { 2.0, 3.0, 5.0, 9.0 };
  int aWork[3], i;

  (void)state;
  tpeTestFit(&p, aX, 3, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.n, 4);
  assert_int_equal(mix.iPrior, 2);
  for(i = 0; i < 4; i++){
    assert_close(mix.aMu[i], aMu[i], 0);
    assert_close(mix.aSigma[i], aSigma[i], 0);
    assert_close(mix.aW[i], 0.25, 0);
  }
}

/* Thirty observations 29, 28, ..., 0 (oldest first) in uniform(0, 30).
** The prior (mean 15) goes before the observation 15; every gap is 1,
** above the floor 30/32.  The five oldest observations (29..25) get the
** forgetting ramp linspace(1/30, 1, 5), the rest weight 1, the prior 1. */
static void test_fit_30(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, 0.0, 30.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[93], aX[30];
  double aRamp[5], rTot;
  int aWork[30], i;

  (void)state;
  for(i = 0; i < 30; i++) aX[i] = 29.0 - i;
  tpeTestFit(&p, aX, 30, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.n, 31);
  assert_int_equal(mix.iPrior, 15);
  for(i = 0; i < 5; i++) aRamp[i] = 1.0/30 + i * (1.0 - 1.0/30) / 4;
  rTot = aRamp[0] + aRamp[1] + aRamp[2] + aRamp[3] + aRamp[4] + 25 + 1;
  for(i = 0; i < 31; i++){
    int iObs = i < 15 ? i : i - 1;          /* the value of kernel i */
    double w = 1.0;
    if( i == 15 ){
      assert_close(mix.aMu[i], 15.0, 0);
      assert_close(mix.aSigma[i], 30.0, 0);
    }else{
      assert_close(mix.aMu[i], (double)iObs, 0);
      assert_close(mix.aSigma[i], 1.0, 0);
      /* value v was observation number 29 - v */
      if( 29 - iObs < 5 ) w = aRamp[29 - iObs];
    }
    assert_close(mix.aW[i], w / rTot, 1e-14);
  }
}

/* Many close observations: the floor is prior/100, not prior/(n+2). */
static void test_fit_floor(void **state){
  TpeParam p = tpeTestParam(TPE_NORMAL, 0.0, 1.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[3*121], aX[120];
  int aWork[120], i;

  (void)state;
  for(i = 0; i < 120; i++) aX[i] = 3.0 + i * 1e-6;
  tpeTestFit(&p, aX, 120, 1.0, &dom, &mix, aBuf, aWork);
  assert_int_equal(mix.iPrior, 0);
  assert_close(mix.aSigma[0], 1.0, 0);
  /* the first observation's gap to the prior, 3, is capped at 1 */
  assert_close(mix.aSigma[1], 1.0, 0);
  for(i = 2; i < 121; i++) assert_close(mix.aSigma[i], 0.01, 0);
}

/* Categorical posteriors: counts plus the prior pseudo-count. */
static void test_cat_hand(void **state){
  TpeParam p;
  TpeParzenCfg cfg = { 1.0, 25 };
  double aObs[3] = { 0, 0, 2 };
  double aProb[3] = { 0.5, 0.3, 0.2 };
  double aP[3], x1 = 1;

  (void)state;
  memset(&p, 0, sizeof(p));
  p.eKind = TPE_CHOICE;
  p.nLabel = 3;
  p.aProb = aProb;          /* ignored for choice: hyperopt uses randint */
  tpeCatPosterior(&p, aObs, 3, &cfg, aP);
  assert_close(aP[0], 3.0/6, 1e-15);
  assert_close(aP[1], 1.0/6, 1e-15);
  assert_close(aP[2], 2.0/6, 1e-15);

  p.eKind = TPE_PCHOICE;
  tpeCatPosterior(&p, &x1, 1, &cfg, aP);
  assert_close(aP[0], 1.5/4, 1e-15);
  assert_close(aP[1], 1.9/4, 1e-15);
  assert_close(aP[2], 0.6/4, 1e-15);

  p.eKind = TPE_RANDINT;
  p.aProb = 0;
  tpeCatPosterior(&p, 0, 0, &cfg, aP);
  assert_close(aP[0], 1.0/3, 1e-15);
}

/**************************************************************************
** Properties
*/

/* Simpson's rule for exp(lpdf) over [lo, hi] with n (even) intervals,
** in the variable u where x = exp(u) if bExp. */
static double tpeIntegrate(const TpeMixture *pMix, const TpeDomain *pDom,
                           double lo, double hi, int n, int bExp){
  double h = (hi - lo) / n, s = 0.0;
  int i;

  for(i = 0; i <= n; i++){
    double u = lo + i * h;
    double x = bExp ? exp(u) : u;
    double f = exp(tpeMixtureLogPdf(pMix, pDom, x)) * (bExp ? x : 1.0);
    s += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
  }
  return s * h / 3;
}

static const double aSomeObs[8] = {
  0.11, 0.52, 0.53, 0.9, 0.07, 0.61, 0.33, 0.95
};

static void test_integrate(void **state){
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[27], aX[8];
  int aWork[8], i;
  TpeParam p;

  (void)state;
  /* uniform: truncated to its bounds, normalized by Z */
  p = tpeTestParam(TPE_UNIFORM, -1.0, 2.0, 0.0);
  for(i = 0; i < 8; i++) aX[i] = 3 * aSomeObs[i] - 1;
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_true(mix.rZ < 1.0);
  assert_close(tpeIntegrate(&mix, &dom, -1.0, 2.0, 20000, 0), 1.0, 1e-8);

  /* normal: unbounded */
  p = tpeTestParam(TPE_NORMAL, 0.5, 2.0, 0.0);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeIntegrate(&mix, &dom, -30.0, 30.0, 40000, 0), 1.0, 1e-8);

  /* lognormal: a density of the value, so it integrates over (0, inf) */
  p = tpeTestParam(TPE_LOGNORMAL, 0.0, 1.0, 0.0);
  for(i = 0; i < 8; i++) aX[i] = exp(aX[i]);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeIntegrate(&mix, &dom, -15.0, 15.0, 40000, 1), 1.0, 1e-8);

  /* loguniform: hyperopt leaves out the division by the truncated mass,
  ** so over the bounds the density integrates to Z, not to 1 */
  p = tpeTestParam(TPE_LOGUNIFORM, 1e-3, 10.0, 0.0);
  for(i = 0; i < 8; i++) aX[i] = exp(-6.9 + 9.2 * aSomeObs[i]);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_true(mix.rZ < 0.99);
  assert_close(tpeIntegrate(&mix, &dom, log(1e-3), log(10.0), 40000, 1),
               mix.rZ, 1e-8);
}

/* Sum of the masses of the grid values lo, lo+q, ..., hi. */
static double tpeGridSum(const TpeMixture *pMix, const TpeDomain *pDom,
                         double lo, double hi, double q){
  double s = 0.0;
  int k, n = (int)rint((hi - lo) / q);

  for(k = 0; k <= n; k++){
    s += exp(tpeMixtureLogPdf(pMix, pDom, lo + k * q));
  }
  return s;
}

static void test_grid_mass(void **state){
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[27], aX[8];
  int aWork[8], i;
  TpeParam p;

  (void)state;
  /* quniform(0.3, 10.7, 0.5): draws round to 0.5 .. 10.5 */
  p = tpeTestParam(TPE_QUNIFORM, 0.3, 10.7, 0.5);
  for(i = 0; i < 8; i++) aX[i] = rint((0.3 + 10.4 * aSomeObs[i]) * 2) / 2;
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeGridSum(&mix, &dom, 0.5, 10.5, 0.5), 1.0, 1e-12);

  /* uniformint(1, 9) is quniform with q = 1 */
  p = tpeTestParam(TPE_UNIFORMINT, 1.0, 9.0, 0.0);
  for(i = 0; i < 8; i++) aX[i] = rint(1 + 8 * aSomeObs[i]);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeGridSum(&mix, &dom, 1.0, 9.0, 1.0), 1.0, 1e-12);

  /* qnormal(0, 5, 1) over a wide grid */
  p = tpeTestParam(TPE_QNORMAL, 0.0, 5.0, 1.0);
  for(i = 0; i < 8; i++) aX[i] = rint(10 * aSomeObs[i] - 5);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeGridSum(&mix, &dom, -60.0, 60.0, 1.0), 1.0, 1e-12);

  /* qloguniform(0.5, 100, 2): draws round to 0, 2, .., 100 */
  p = tpeTestParam(TPE_QLOGUNIFORM, 0.5, 100.0, 2.0);
  for(i = 0; i < 8; i++){
    aX[i] = 2 * rint(exp(log(0.5) + 5.3 * aSomeObs[i]) / 2);
  }
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeGridSum(&mix, &dom, 0.0, 100.0, 2.0), 1.0, 1e-12);

  /* qlognormal(1, 0.8, 0.5) from 0 into the far tail */
  p = tpeTestParam(TPE_QLOGNORMAL, 1.0, 0.8, 0.5);
  for(i = 0; i < 8; i++){
    aX[i] = 0.5 * rint(exp(1 + 2 * aSomeObs[i] - 1) / 0.5);
  }
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(tpeGridSum(&mix, &dom, 0.0, 5000.0, 0.5), 1.0, 1e-9);
}

/* Log kinds are scored in log space: the density of x is the mixture's
** density at log x times the Jacobian 1/x. */
static void test_log_space(void **state){
  TpeParam p = tpeTestParam(TPE_LOGUNIFORM, 1e-4, 1.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  double aBuf[27], aX[8];
  int aWork[8], i, k;

  (void)state;
  for(i = 0; i < 8; i++) aX[i] = exp(log(1e-4) * aSomeObs[i]);
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  assert_close(dom.rPriorMu, 0.5 * log(1e-4), 1e-15);
  assert_close(dom.rPriorSigma, -log(1e-4), 1e-15);
  for(i = 0; i < 8; i++){
    double x = aX[i] * 1.3, u = log(x), s = 0.0;
    for(k = 0; k < mix.n; k++){
      double z = (u - mix.aMu[k]) / mix.aSigma[k];
      s += mix.aW[k] * exp(-0.5*z*z)
         / (mix.aSigma[k] * sqrt(2*3.14159265358979));
    }
    assert_close(tpeMixtureLogPdf(&mix, &dom, x), log(s) - u, 1e-12);
  }
}

/* Draws stay in bounds, land on the grid, and follow the density. */
static void test_sample(void **state){
  TpeParam p = tpeTestParam(TPE_UNIFORM, -1.0, 2.0, 0.0);
  TpeDomain dom;
  TpeMixture mix;
  TpeRng rng;
  double aBuf[27], aX[8];
  int aWork[8], i, n = 200000, nIn = 0;
  double rWant;

  (void)state;
  for(i = 0; i < 8; i++) aX[i] = 3 * aSomeObs[i] - 1;
  tpeTestFit(&p, aX, 8, 1.0, &dom, &mix, aBuf, aWork);
  tpeRngInit(&rng, 1, 2, 3);
  for(i = 0; i < n; i++){
    double x = tpeMixtureSample(&mix, &dom, &rng);
    assert_true(x >= -1.0 && x < 2.0);
    if( x >= 0.4 && x < 0.7 ) nIn++;
  }
  rWant = tpeIntegrate(&mix, &dom, 0.4, 0.7, 2000, 0);
  assert_true(fabs((double)nIn / n - rWant) < 0.005);

  p = tpeTestParam(TPE_QLOGUNIFORM, 0.5, 100.0, 2.0);
  tpeTestFit(&p, aX, 0, 1.0, &dom, &mix, aBuf, aWork);
  for(i = 0; i < 10000; i++){
    double x = tpeMixtureSample(&mix, &dom, &rng);
    assert_true(x >= 0.0 && x <= 100.0);
    assert_true(fmod(x, 2.0) == 0.0);
  }
}

/**************************************************************************
** Golden numbers from hyperopt
*/

static void test_gold_forget(void **state){
  size_t i;
  int k;

  (void)state;
  for(i = 0; i < sizeof(aGoldForget)/sizeof(aGoldForget[0]); i++){
    const GoldForget *g = &aGoldForget[i];
    for(k = 0; k < g->n; k++){
      double w = tpeForgetWeight(k, g->n, 25);
      if( !tpeGold(w, g->aW[k]) ){
        fail_msg("forget n=%d k=%d: %.17g want %.17g", g->n, k, w, g->aW[k]);
      }
    }
  }
}

static void test_gold_argsort(void **state){
  size_t i;
  int aIdx[300];

  (void)state;
  for(i = 0; i < sizeof(aGoldSort)/sizeof(aGoldSort[0]); i++){
    const GoldSort *g = &aGoldSort[i];
    tpeArgsort(g->aIn, g->n, aIdx);
    assert_memory_equal(aIdx, g->aOut, sizeof(int) * g->n);
  }
}

static void test_gold_numeric(void **state){
  size_t i;
  int k;

  (void)state;
  for(i = 0; i < sizeof(aGoldNum)/sizeof(aGoldNum[0]); i++){
    const GoldNum *g = &aGoldNum[i];
    TpeParam p = tpeTestParam(g->eKind, g->a, g->b, g->q);
    TpeDomain dom;
    TpeMixture mix;
    double aBuf[3*64];
    int aWork[64];

    tpeTestFit(&p, g->aObs, g->nObs, g->rPriorWeight, &dom, &mix, aBuf,
               aWork);
    if( mix.n != g->nMix ) fail_msg("%s: %d kernels", g->zNote, mix.n);
    for(k = 0; k < mix.n; k++){
      if( !tpeGold(mix.aW[k], g->aW[k])
       || !tpeGold(mix.aMu[k], g->aMu[k])
       || !tpeGold(mix.aSigma[k], g->aSigma[k]) ){
        fail_msg("%s: kernel %d is (%.17g, %.17g, %.17g), want "
                 "(%.17g, %.17g, %.17g)", g->zNote, k, mix.aW[k],
                 mix.aMu[k], mix.aSigma[k], g->aW[k], g->aMu[k],
                 g->aSigma[k]);
      }
    }
    for(k = 0; k < g->nX; k++){
      double l = tpeMixtureLogPdf(&mix, &dom, g->aX[k]);
      if( !tpeGold(l, g->aLpdf[k]) ){
        fail_msg("%s: lpdf(%.17g) = %.17g, want %.17g", g->zNote, g->aX[k],
                 l, g->aLpdf[k]);
      }
    }
  }
}

static void test_gold_categorical(void **state){
  size_t i;
  int k;

  (void)state;
  for(i = 0; i < sizeof(aGoldCat)/sizeof(aGoldCat[0]); i++){
    const GoldCat *g = &aGoldCat[i];
    TpeParzenCfg cfg;
    TpeParam p;
    double aP[16];

    memset(&p, 0, sizeof(p));
    p.eKind = g->eKind;
    p.nLabel = g->nLabel;
    p.aProb = (double*)g->aProb;
    cfg.rPriorWeight = g->rPriorWeight;
    cfg.nForget = 25;
    tpeCatPosterior(&p, g->aObs, g->nObs, &cfg, aP);
    for(k = 0; k < g->nLabel; k++){
      if( !tpeGold(aP[k], g->aPost[k]) ){
        fail_msg("%s: p[%d] = %.17g, want %.17g", g->zNote, k, aP[k],
                 g->aPost[k]);
      }
    }
  }
}

/**************************************************************************
** End to end: tpeSuggestTpe and tpeSuggestAnneal on a hand-built space
**
**   x    uniform(0, 10)
**   opt  choice('a', 'b')
**   y    uniform(-5, 5)          WHEN opt = 'a'
**   z    loguniform(1e-3, 1)     WHEN opt = 'b'
**   n    quniform(0, 20, 1)
*/

typedef struct TestSpace TestSpace;
struct TestSpace {
  TpeSpace space;       /* the space, pointing into the arrays below */
  TpeParam aParam[5];   /* x, opt, y, z, n */
  int aOrder[5];        /* topological order */
  double aProb[2];      /* choice probabilities */
  unsigned char aWhenA[2];  /* opt = 'a' */
  unsigned char aWhenB[2];  /* opt = 'b' */
};

static void tpeTestSpace(TestSpace *t, TpeAlgo eAlgo, int bCompat){
  memset(t, 0, sizeof(*t));
  t->aParam[0] = tpeTestParam(TPE_UNIFORM, 0.0, 10.0, 0.0);
  t->aParam[1] = tpeTestParam(TPE_CHOICE, 0.0, 0.0, 0.0);
  t->aParam[1].nLabel = 2;
  t->aParam[1].aProb = t->aProb;
  t->aProb[0] = t->aProb[1] = 0.5;
  t->aParam[2] = tpeTestParam(TPE_UNIFORM, -5.0, 5.0, 0.0);
  t->aParam[2].iParent = 1;
  t->aParam[2].aWhen = t->aWhenA;
  t->aParam[2].iDepth = 1;
  t->aWhenA[0] = 1;
  t->aParam[3] = tpeTestParam(TPE_LOGUNIFORM, 1e-3, 1.0, 0.0);
  t->aParam[3].iParent = 1;
  t->aParam[3].aWhen = t->aWhenB;
  t->aParam[3].iDepth = 1;
  t->aWhenB[1] = 1;
  t->aParam[4] = tpeTestParam(TPE_QUNIFORM, 0.0, 20.0, 1.0);
  t->aOrder[0] = 0;
  t->aOrder[1] = 1;
  t->aOrder[2] = 2;
  t->aOrder[3] = 3;
  t->aOrder[4] = 4;
  t->space.zName = "t";
  t->space.nParam = 5;
  t->space.aParam = t->aParam;
  t->space.aOrder = t->aOrder;
  t->space.opt.iSeed = 42;
  t->space.opt.eAlgo = eAlgo;
  t->space.opt.bCompat = bCompat;
  t->space.opt.nStartup = 20;
  t->space.opt.nCandidates = 24;
  t->space.opt.rGamma = 0.25;
  t->space.opt.rPriorWeight = 1.0;
  t->space.opt.nForget = 25;
}

#define TEST_MAXTRIAL 400

typedef struct TestHist TestHist;
struct TestHist {
  TpeHistory h;                     /* the history, into the arrays below */
  int64_t aId[TEST_MAXTRIAL];       /* trial ids */
  int aStatus[TEST_MAXTRIAL];       /* states */
  double aLoss[TEST_MAXTRIAL];      /* losses */
  double aVal[TEST_MAXTRIAL*5];     /* values */
};

/* The loss the test optimizes: best at x = 7, opt = 'b', z = 0.01,
** n = 12. */
static double tpeTestLoss(const double *v){
  double l = (v[0] - 7.0) * (v[0] - 7.0) + 0.1 * fabs(v[4] - 12.0);
  if( v[1] == 0.0 ) return l + 1.0 + 0.1 * v[2] * v[2];
  return l + fabs(log10(v[3]) + 2.0);
}

/* nTrial trials: each drawn from the prior with a fixed stream, finished
** with its loss unless it is one of the last nPending, which stay
** pending, or a multiple of failEvery (if > 0), which failed. */
static void tpeTestHist(TestHist *t, const TestSpace *s, int nTrial,
                        int nPending, int failEvery){
  int i;

  memset(t, 0, sizeof(*t));
  t->h.nTrial = nTrial;
  t->h.nParam = 5;
  t->h.aId = t->aId;
  t->h.aStatus = t->aStatus;
  t->h.aLoss = t->aLoss;
  t->h.aVal = t->aVal;
  for(i = 0; i < nTrial; i++){
    TpeRng rng;
    double *v = &t->aVal[i*5];
    tpeRngInit(&rng, 7, i + 1, 99);
    tpeSuggestRand(&s->space, &t->h, &rng, v);
    t->aId[i] = i + 1;
    if( i >= nTrial - nPending ){
      t->aStatus[i] = TPE_PENDING;
      t->aLoss[i] = NAN;
    }else if( failEvery > 0 && (i % failEvery) == 0 ){
      t->aStatus[i] = TPE_FAIL;
      t->aLoss[i] = NAN;
    }else{
      t->aStatus[i] = TPE_OK;
      t->aLoss[i] = tpeTestLoss(v);
    }
  }
}

/* Append trial number nTrial with values v, finished. */
static void tpeTestAppend(TestHist *t, const double *v){
  int i = t->h.nTrial++;
  memcpy(&t->aVal[i*5], v, 5 * sizeof(double));
  t->aId[i] = i + 1;
  t->aStatus[i] = TPE_OK;
  t->aLoss[i] = tpeTestLoss(v);
}

/* Check that v is a valid point of the test space. */
static void tpeTestValid(const double *v){
  assert_true(v[0] >= 0.0 && v[0] < 10.0);
  assert_true(v[1] == 0.0 || v[1] == 1.0);
  if( v[1] == 0.0 ){
    assert_true(v[2] >= -5.0 && v[2] < 5.0);
    assert_true(isnan(v[3]));
  }else{
    assert_true(isnan(v[2]));
    assert_true(v[3] >= 1e-3 && v[3] <= 1.0);
  }
  assert_true(v[4] >= 0.0 && v[4] <= 20.0 && v[4] == rint(v[4]));
}

/* Fewer trials than n_startup: exactly the prior draw. */
static void test_tpe_startup(void **state){
  TestSpace s;
  static TestHist t;
  TpeRng r1, r2;
  double a1[5], a2[5];

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_TPE, 1);
  tpeTestHist(&t, &s, 19, 0, 0);
  tpeRngInit(&r1, 1, 20, 1);
  tpeRngInit(&r2, 1, 20, 1);
  assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &r1, a1), SQLITE_OK);
  assert_int_equal(tpeSuggestRand(&s.space, &t.h, &r2, a2), SQLITE_OK);
  assert_memory_equal(a1, a2, sizeof(a1));

  /* 20 trials of which 4 failed: compat counts them (models), the default
  ** does not (still the prior) */
  tpeTestHist(&t, &s, 20, 0, 5);
  tpeRngInit(&r1, 1, 21, 1);
  tpeRngInit(&r2, 1, 21, 1);
  tpeSuggestRand(&s.space, &t.h, &r2, a2);
  tpeSuggestTpe(&s.space, &t.h, &r1, a1);
  assert_memory_not_equal(a1, a2, sizeof(a1));
  s.space.opt.bCompat = 0;
  tpeRngInit(&r1, 1, 21, 1);
  tpeSuggestTpe(&s.space, &t.h, &r1, a1);
  assert_memory_equal(a1, a2, sizeof(a1));
}

/* Same inputs, same bits; valid points; inactive branch NaN. */
static void test_tpe_determinism(void **state){
  TestSpace s;
  static TestHist t;
  int iTrial;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_TPE, 1);
  tpeTestHist(&t, &s, 60, 3, 11);
  for(iTrial = 61; iTrial < 121; iTrial++){
    TpeRng r1, r2;
    double a1[5], a2[5];
    tpeRngInit(&r1, 5, iTrial, 1);
    tpeRngInit(&r2, 5, iTrial, 1);
    assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &r1, a1), SQLITE_OK);
    assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &r2, a2), SQLITE_OK);
    assert_memory_equal(a1, a2, sizeof(a1));
    tpeTestValid(a1);
  }
}

/* A history concentrated near the optimum draws suggestions near it, and
** a run of TPE improves on random search. */
static void test_tpe_converges(void **state){
  TestSpace s;
  static TestHist t;
  double rBest = INFINITY, aV[5];
  int i, nNear = 0;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_TPE, 1);
  tpeTestHist(&t, &s, 20, 0, 0);
  for(i = 0; i < 130; i++){
    TpeRng rng;
    tpeRngInit(&rng, 3, t.h.nTrial + 1, 1);
    assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &rng, aV), SQLITE_OK);
    tpeTestValid(aV);
    tpeTestAppend(&t, aV);
    if( t.aLoss[t.h.nTrial-1] < rBest ) rBest = t.aLoss[t.h.nTrial-1];
    if( i >= 100 && fabs(aV[0] - 7.0) < 1.0 ) nNear++;
  }
  /* Random search would put about 6 of the last 30 there. */
  assert_true(rBest < 0.3);
  assert_true(nNear >= 10);
}

/* With 200 trials whose loss is |x - 3|, suggestions gather near 3. */
static void test_tpe_concentrated(void **state){
  TestSpace s;
  static TestHist t;
  double rDist = 0.0;
  int i;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_TPE, 1);
  tpeTestHist(&t, &s, 200, 0, 0);
  for(i = 0; i < 200; i++) t.aLoss[i] = fabs(t.aVal[i*5] - 3.0);
  for(i = 0; i < 40; i++){
    TpeRng rng;
    double aV[5];
    tpeRngInit(&rng, 8, 201 + i, 1);
    assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &rng, aV), SQLITE_OK);
    tpeTestValid(aV);
    rDist += fabs(aV[0] - 3.0);
  }
  /* Random search: E|U(0,10) - 3| = 2.9. */
  assert_true(rDist / 40 < 1.0);
}

/* Categorical parameters are drawn from the good trials' labels, and a
** child only ever appears in the branch its parent chose. */
static void test_tpe_branch(void **state){
  TestSpace s;
  static TestHist t;
  int i, nB = 0;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_TPE, 0);
  tpeTestHist(&t, &s, 80, 0, 0);
  /* Make every opt = 'b' trial much better than every 'a' one. */
  for(i = 0; i < 80; i++){
    if( t.aVal[i*5+1] == 1.0 ) t.aLoss[i] -= 100.0;
  }
  for(i = 0; i < 40; i++){
    TpeRng rng;
    double aV[5];
    tpeRngInit(&rng, 11, 100 + i, 1);
    assert_int_equal(tpeSuggestTpe(&s.space, &t.h, &rng, aV), SQLITE_OK);
    tpeTestValid(aV);
    if( aV[1] == 1.0 ) nB++;
  }
  assert_true(nB >= 36);
}

static void test_anneal_basic(void **state){
  TestSpace s;
  static TestHist t;
  int iTrial;
  double aV[5];
  TpeRng rng;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_ANNEAL, 1);
  /* No history: the prior. */
  tpeTestHist(&t, &s, 0, 0, 0);
  for(iTrial = 1; iTrial < 50; iTrial++){
    tpeRngInit(&rng, 9, iTrial, 1);
    assert_int_equal(tpeSuggestAnneal(&s.space, &t.h, &rng, aV), SQLITE_OK);
    tpeTestValid(aV);
  }
  tpeTestHist(&t, &s, 60, 2, 13);
  for(iTrial = 61; iTrial < 200; iTrial++){
    TpeRng r1, r2;
    double a1[5], a2[5];
    tpeRngInit(&r1, 9, iTrial, 1);
    tpeRngInit(&r2, 9, iTrial, 1);
    assert_int_equal(tpeSuggestAnneal(&s.space, &t.h, &r1, a1), SQLITE_OK);
    assert_int_equal(tpeSuggestAnneal(&s.space, &t.h, &r2, a2), SQLITE_OK);
    assert_memory_equal(a1, a2, sizeof(a1));
    tpeTestValid(a1);
  }
}

/* The annealing window and label rule, worked by hand: ten trials, all
** at x = 9.9, opt = 'a' (label 0), n = 20.  The shrink factor is
** 1/(1 + 0.1*10) = 1/2, so x draws from a window of width 5 slid inside
** [0, 10], i.e. [5, 10); opt keeps 'a' with probability 1/2 + 1/4; n draws
** from [10, 20] rounded. */
static void test_anneal_hand(void **state){
  TestSpace s;
  static TestHist t;
  double aV[5] = { 9.9, 0.0, 1.0, NAN, 20.0 };
  int i, nA = 0, nDraw = 20000, nN20 = 0;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_ANNEAL, 1);
  tpeTestHist(&t, &s, 0, 0, 0);
  for(i = 0; i < 10; i++){
    aV[2] = -4.0 + i;       /* y differs so that the pick is visible */
    tpeTestAppend(&t, aV);
  }
  for(i = 0; i < nDraw; i++){
    TpeRng rng;
    double aOut[5];
    tpeRngInit(&rng, 1, 1000 + i, 1);
    assert_int_equal(tpeSuggestAnneal(&s.space, &t.h, &rng, aOut), SQLITE_OK);
    assert_true(aOut[0] >= 5.0 && aOut[0] < 10.0);
    assert_true(aOut[4] >= 10.0 && aOut[4] <= 20.0);
    if( aOut[4] == 20.0 ) nN20++;
    if( aOut[1] == 0.0 ){
      nA++;
      /* y's window, width 5, around a trial's y in -4..5 */
      assert_true(aOut[2] >= -5.0 && aOut[2] < 5.0);
    }else{
      assert_true(isnan(aOut[2]));
      /* z has no observations: drawn from the prior */
      assert_true(aOut[3] >= 1e-3 && aOut[3] <= 1.0);
    }
  }
  assert_true(fabs((double)nA / nDraw - 0.75) < 0.015);
  /* 20 is reached from [19.5, 20]: a twentieth of the window */
  assert_true(fabs((double)nN20 / nDraw - 0.05) < 0.01);
}

/* pchoice under annealing mixes the reference label with its prior:
** all ten trials chose label 2 of (0.5, 0.3, 0.2), shrink 1/2, so the
** probabilities are (0.25, 0.15, 0.6). */
static void test_anneal_pchoice(void **state){
  TpeSpace space;
  TpeParam param;
  TpeHistory h;
  double aProb[3] = { 0.5, 0.3, 0.2 };
  double aVal[10], aLoss[10];
  int64_t aId[10];
  int aStatus[10], aOrder[1] = { 0 }, aN[3] = { 0, 0, 0 };
  int i, nDraw = 30000;

  (void)state;
  memset(&space, 0, sizeof(space));
  param = tpeTestParam(TPE_PCHOICE, 0.0, 0.0, 0.0);
  param.nLabel = 3;
  param.aProb = aProb;
  space.nParam = 1;
  space.aParam = &param;
  space.aOrder = aOrder;
  space.opt.bCompat = 1;
  for(i = 0; i < 10; i++){
    aVal[i] = 2.0;
    aLoss[i] = i;
    aId[i] = i + 1;
    aStatus[i] = TPE_OK;
  }
  memset(&h, 0, sizeof(h));
  h.nTrial = 10;
  h.nParam = 1;
  h.aId = aId;
  h.aStatus = aStatus;
  h.aLoss = aLoss;
  h.aVal = aVal;
  for(i = 0; i < nDraw; i++){
    TpeRng rng;
    double v;
    tpeRngInit(&rng, 2, i, 1);
    assert_int_equal(tpeSuggestAnneal(&space, &h, &rng, &v), SQLITE_OK);
    aN[(int)v]++;
  }
  assert_true(fabs((double)aN[0] / nDraw - 0.25) < 0.01);
  assert_true(fabs((double)aN[1] / nDraw - 0.15) < 0.01);
  assert_true(fabs((double)aN[2] / nDraw - 0.60) < 0.01);
}

/* As trials accumulate, annealing samples ever closer to the best. */
static void test_anneal_converges(void **state){
  TestSpace s;
  static TestHist t;
  double rBest = INFINITY, aV[5];
  double rSpreadEarly = 0.0, rSpreadLate = 0.0;
  int i;

  (void)state;
  tpeTestSpace(&s, TPE_ALGO_ANNEAL, 1);
  tpeTestHist(&t, &s, 10, 0, 0);
  for(i = 0; i < 300; i++){
    TpeRng rng;
    tpeRngInit(&rng, 4, t.h.nTrial + 1, 1);
    assert_int_equal(tpeSuggestAnneal(&s.space, &t.h, &rng, aV), SQLITE_OK);
    tpeTestValid(aV);
    tpeTestAppend(&t, aV);
    if( t.aLoss[t.h.nTrial-1] < rBest ) rBest = t.aLoss[t.h.nTrial-1];
    if( i < 50 ) rSpreadEarly += fabs(aV[0] - 7.0);
    if( i >= 250 ) rSpreadLate += fabs(aV[0] - 7.0);
  }
  assert_true(rBest < 0.3);
  assert_true(rSpreadLate < 0.5 * rSpreadEarly);
  assert_true(rSpreadLate / 50 < 0.5);
}

int main(void){
  const struct CMUnitTest aHand[] = {
    cmocka_unit_test(test_fit_0),
    cmocka_unit_test(test_fit_1),
    cmocka_unit_test(test_fit_2),
    cmocka_unit_test(test_fit_3),
    cmocka_unit_test(test_fit_30),
    cmocka_unit_test(test_fit_floor),
    cmocka_unit_test(test_cat_hand),
  };
  const struct CMUnitTest aProp[] = {
    cmocka_unit_test(test_integrate),
    cmocka_unit_test(test_grid_mass),
    cmocka_unit_test(test_log_space),
    cmocka_unit_test(test_sample),
  };
  const struct CMUnitTest aGold[] = {
    cmocka_unit_test(test_gold_forget),
    cmocka_unit_test(test_gold_argsort),
    cmocka_unit_test(test_gold_numeric),
    cmocka_unit_test(test_gold_categorical),
  };
  const struct CMUnitTest aAlgo[] = {
    cmocka_unit_test(test_tpe_startup),
    cmocka_unit_test(test_tpe_determinism),
    cmocka_unit_test(test_tpe_converges),
    cmocka_unit_test(test_tpe_concentrated),
    cmocka_unit_test(test_tpe_branch),
    cmocka_unit_test(test_anneal_basic),
    cmocka_unit_test(test_anneal_hand),
    cmocka_unit_test(test_anneal_pchoice),
    cmocka_unit_test(test_anneal_converges),
  };
  int nFail = 0;

  nFail += cmocka_run_group_tests_name("parzen by hand", aHand, 0, 0);
  nFail += cmocka_run_group_tests_name("parzen properties", aProp, 0, 0);
  nFail += cmocka_run_group_tests_name("hyperopt golden", aGold, 0, 0);
  printf("largest relative error against hyperopt: %.3g\n", rMaxGoldErr);
  nFail += cmocka_run_group_tests_name("suggest", aAlgo, 0, 0);
  return nFail;
}
