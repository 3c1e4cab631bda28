/*
** test_kde_fast.c: the fast density of tpe_model.c against the plain sum.
**
** tpeKdeLogPdf skips kernels that cannot matter (sorted centres along one
** dimension, bounds on each kernel's factors, label factors computed once
** per point, a one-pass shortcut for a single label dimension).  Here it
** is held to tpeKdeLogPdfPlain, which sums every kernel, on random
** densities of every kind of dimension and size: scores must agree to
** 1e-12, relative, and so must the choice of the best of 24 candidates.
** tpeKdeLogPdfUntil, which may stop once the density reaches a level,
** gives the same number when it does not.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sqlite3.h"
#include "tpe_model.h"

/* Declarations the densities are built over: continuous, log, grid, ints
** and labels, alone and mixed. */
static const char *const azSpace[][4] = {
  { "a uniform(-5, 10)", 0, 0, 0 },
  { "a uniform(-5, 10)", "b uniform(0, 15)", 0, 0 },
  { "a loguniform(1e-5, 1)", "b quniform(16, 512, 16)",
    "c choice('x', 'y', 'z')", "d uniform(0, 0.8)" },
  { "a quniform(10, 1000, 10)", "b uniformint(2, 32)", 0, 0 },
  { "a choice('x', 'y', 'z')", 0, 0, 0 },
  { "a pchoice('x' = 0.7, 'y' = 0.2, 'z' = 0.1)", "b randint(0, 50)", 0, 0 },
  { "a normal(0, 2)", "b lognormal(0, 1)", "c qnormal(0, 3, 0.5)", 0 },
  { "a uniform(0, 1)", "b uniform(0, 1)", "c uniform(0, 1)",
    "d uniform(0, 1)" },
};

/* A clustered observation of dimension pDim: near one of a few centres,
** as a search that has found something produces, or anywhere. */
static double tpeTestObs(const TpeDim *pDim, TpeRng *pRng, int iCluster){
  const TpeParam *p = pDim->pParam;
  double u = tpeRngUniform(pRng), v;

  if( pDim->bCat ) return (double)tpeRngBelow(pRng, pDim->nLabel);
  if( p->eKind == TPE_RANDINT ) return (double)tpeRngBelow(pRng, p->nLabel);
  if( !pDim->bBounded ){
    v = p->a + p->b * (iCluster >= 0 ? 0.3 * iCluster - 0.5
                                     + 0.05 * tpeRngNormal(pRng)
                                     : tpeRngNormal(pRng));
    if( pDim->bLog ) v = exp(v);
  }else{
    double lo = p->a, hi = p->b;
    if( pDim->bLog ){ lo = log(lo); hi = log(hi); }
    if( iCluster >= 0 ){
      u = 0.2 + 0.25 * iCluster + 0.02 * tpeRngNormal(pRng);
      if( u < 0 ) u = 0;
      if( u > 1 ) u = 1;
    }
    v = lo + (hi - lo) * u;
    if( pDim->bLog ) v = exp(v);
  }
  if( p->q > 0 ) v = rint(v / p->q) * p->q;
  if( p->eKind == TPE_UNIFORMINT ) v = rint(v);
  return tpeDimObs(pDim, v);
}

static void test_fast_equals_plain(void **state){
  static const int anObs[] = { 0, 1, 5, 31, 32, 33, 100, 1000, 3000 };
  int iSpace, iN, iTrial, nCheck = 0, nSkipWin = 0;
  double rWorst = 0.0;

  (void)state;
  for(iSpace = 0; iSpace < (int)(sizeof(azSpace)/sizeof(azSpace[0]));
      iSpace++){
    const char *azArg[4];
    TpeSpace *pSpace = 0;
    char *zErr = 0;
    TpeDim aDim[4];
    int nDim = 0, d;

    for(d = 0; d < 4 && azSpace[iSpace][d]; d++){
      azArg[nDim++] = azSpace[iSpace][d];
    }
    assert_int_equal(tpeSpaceParse("k", nDim, azArg, &pSpace, &zErr),
                     SQLITE_OK);
    for(d = 0; d < nDim; d++) tpeDimInit(&aDim[d], &pSpace->aParam[d]);

    for(iN = 0; iN < (int)(sizeof(anObs)/sizeof(anObs[0])); iN++){
      int nObs = anObs[iN];
      for(iTrial = 0; iTrial < 3; iTrial++){
        TpeKde kde;
        TpeKdeCfg cfg;
        TpeRng rng;
        int64_t nBuf = tpeKdeSize(nObs, nDim);
        double *aBuf = sqlite3_malloc64(sizeof(double) * nBuf);
        double *aObs = sqlite3_malloc64(sizeof(double) * (nObs + 1) * nDim);
        double *aCol = sqlite3_malloc64(sizeof(double) * (nObs + 1));
        int *aIdx = sqlite3_malloc64(sizeof(int) * (nObs + 1) * (nDim + 1));
        int i, c, iBestFast = -1, iBestPlain = -1;
        double rBestFast = -INFINITY, rBestPlain = -INFINITY;

        assert_non_null(aBuf);
        assert_non_null(aObs);
        memset(&cfg, 0, sizeof(cfg));
        cfg.rPriorWeight = 1.0;
        cfg.nForget = 25;
        cfg.bConsiderEndpoints = iTrial == 2;
        cfg.nClip = iTrial == 1 ? 0 : nObs + 50;
        tpeRngInit(&rng, iSpace, nObs * 10 + iTrial, 7);
        for(i = 0; i < nObs; i++){
          int iCluster = iTrial == 0 ? -1 : (int)tpeRngBelow(&rng, 3);
          for(d = 0; d < nDim; d++){
            aObs[i * nDim + d] = tpeTestObs(&aDim[d], &rng, iCluster);
          }
        }
        tpeKdeInit(&kde, aDim, nDim, nObs, aBuf);
        tpeKdeSortObs(aDim, nDim, aObs, nObs, aCol, aIdx + nObs + 1, aIdx);
        tpeKdeFit(&kde, aObs, nObs, 0, &cfg, aIdx + nObs + 1);
        if( kde.iWin >= 0 ) nSkipWin++;

        /* Points drawn from the density itself, observations, and
        ** random points: 24 candidates, scored both ways. */
        for(c = 0; c < 72; c++){
          double x[4], rFast, rPlain, rTol;
          if( c < 24 ){
            tpeKdeSample(&kde, &rng, x);
          }else if( c < 48 && nObs > 0 ){
            int k = (int)tpeRngBelow(&rng, nObs);
            memcpy(x, &aObs[k * nDim], sizeof(double) * nDim);
          }else{
            for(d = 0; d < nDim; d++) x[d] = tpeTestObs(&aDim[d], &rng, -1);
          }
          rFast = tpeKdeLogPdf(&kde, x);
          rPlain = tpeKdeLogPdfPlain(&kde, x);
          rTol = 1e-12 * (fabs(rPlain) > 1.0 ? fabs(rPlain) : 1.0);
          if( !(fabs(rFast - rPlain) <= rTol) ){
            fail_msg("space %d, %d observations, trial %d, point %d: fast "
                     "%.17g, plain %.17g", iSpace, nObs, iTrial, c, rFast,
                     rPlain);
          }
          /* Stopping at a level: the same number below it, +inf at or
          ** above it. */
          assert_true(tpeKdeLogPdfUntil(&kde, x, INFINITY) == rFast);
          if( rFast > -INFINITY ){
            assert_true(tpeKdeLogPdfUntil(&kde, x, rFast + 0.5) == rFast);
            assert_true(tpeKdeLogPdfUntil(&kde, x, rFast - 0.5) == INFINITY);
            assert_true(tpeKdeLogPdfUntil(&kde, x, rFast - 30.0)
                        == INFINITY);
          }
          if( fabs(rFast - rPlain) / rTol * 1e-12 > rWorst ){
            rWorst = fabs(rFast - rPlain) / rTol * 1e-12;
          }
          if( c < 24 ){
            if( rFast > rBestFast ){ rBestFast = rFast; iBestFast = c; }
            if( rPlain > rBestPlain ){ rBestPlain = rPlain; iBestPlain = c; }
          }
          nCheck++;
        }
        assert_int_equal(iBestFast, iBestPlain);
        sqlite3_free(aBuf);
        sqlite3_free(aObs);
        sqlite3_free(aCol);
        sqlite3_free(aIdx);
      }
    }
    tpeSpaceFree(pSpace);
  }
  /* The windowed path was taken, not only the plain loop. */
  assert_true(nSkipWin > 50);
  printf("fast density: %d points, largest relative difference %.3g\n",
         nCheck, rWorst);
}

int main(void){
  const struct CMUnitTest aTest[] = {
    cmocka_unit_test(test_fast_equals_plain),
  };
  return cmocka_run_group_tests(aTest, 0, 0);
}
