/*
** tpe_anneal.c: hyperopt 0.3's annealing, tpeSuggestAnneal().
**
** Annealing is random search that drifts toward good trials.  For each
** active parameter, in parents-first order:
**
**   1. If no trial has a value for it, draw from the prior.
**   2. Otherwise pick a reference trial.  Reuse the first trial already
**      picked for an earlier parameter that also has this one active (so
**      that a point follows one trial's branch); failing that, rank the
**      trials that have the parameter by loss and take rank k, k + 1
**      geometric with mean avg_best_idx = 2 (rank 0 half the time),
**      clipped to the last rank.
**   3. Draw near the reference value with a width that shrinks with the
**      number T of trials having the parameter, by 1 / (1 + 0.1 T):
**      uniform kinds draw uniformly in a window of that fraction of the
**      range, centred on the value and slid inside the bounds; normal
**      kinds draw a normal of that fraction of sigma around it; log kinds
**      do both in log space; quantized kinds round the draw to q.
**      Categorical kinds keep the reference label with probability
**      1 - 1/(1 + 0.1 T) and otherwise draw from the prior.
**
** Trials without a result rank as +inf.  Without compat, failed trials are
** left out, as in tpe_tpe.c.  Unlike TPE there is no startup phase:
** hyperopt's annealing models from the first trial.
*/
#include "tpe_algo.h"
#include "tpe_parzen.h"

#include <math.h>
#include <string.h>

#include "tpe_sqlite.h"

#define TPE_ANNEAL_AVG_BEST 2.0   /* hyperopt's avg_best_idx */
#define TPE_ANNEAL_SHRINK 0.1     /* hyperopt's shrink_coef */

/* Scratch of one suggestion: views into a single allocation. */
typedef struct TpeAnneal TpeAnneal;
struct TpeAnneal {
  int nUse;             /* trials read */
  int *aUse;            /* their rows in the history, ascending id */
  double *aLoss;        /* their losses, +inf without a result */
  int *aHas;            /* positions (in aUse) having one parameter */
  double *aHasLoss;     /* losses of those trials */
  int *aOrder;          /* argsort of aHasLoss */
  int *aPick;           /* reference trials picked so far, positions */
  int nPick;            /* entries in aPick */
  double *aP;           /* label probabilities, nLabel */
};

/* A geometric deviate on 1, 2, ... with success probability p. */
static int64_t tpeRngGeometric(TpeRng *pRng, double p){
  double v, k;

  if( p >= 1.0 ) return 1;
  v = 1.0 - tpeRngUniform(pRng);          /* in (0, 1] */
  k = floor(log(v) / log1p(-p)) + 1.0;
  return k < 9.0e18 ? (int64_t)k : INT64_MAX;
}

/* Value of parameter iParam in trial at position i of aUse. */
static double tpeAnnealVal(const TpeHistory *pHist, const TpeAnneal *pA,
                           int i, int iParam){
  return pHist->aVal[(int64_t)pA->aUse[i] * pHist->nParam + iParam];
}

/*
** Choose the reference trial for parameter iParam among the nHas trials
** pA->aHas that have it; return its position in aUse.
*/
static int tpeAnnealPick(const TpeHistory *pHist, TpeAnneal *pA,
                         int iParam, int nHas, TpeRng *pRng){
  int i, k;
  int64_t iGood;

  for(i = 0; i < pA->nPick; i++){
    if( !isnan(tpeAnnealVal(pHist, pA, pA->aPick[i], iParam)) ){
      return pA->aPick[i];
    }
  }
  iGood = tpeRngGeometric(pRng, 1.0 / TPE_ANNEAL_AVG_BEST) - 1;
  if( iGood > nHas - 1 ) iGood = nHas - 1;
  if( iGood < 0 ) iGood = 0;
  for(k = 0; k < nHas; k++) pA->aHasLoss[k] = pA->aLoss[pA->aHas[k]];
  tpeArgsort(pA->aHasLoss, nHas, pA->aOrder);
  k = pA->aHas[pA->aOrder[iGood]];
  pA->aPick[pA->nPick++] = k;
  return k;
}

/*
** Draw a value of parameter p near the reference value v, with the width
** scaled by rShrink, as hyperopt's hp_* handlers of AnnealingAlgo.
*/
static double tpeAnnealDraw(const TpeParam *p, double v, double rShrink,
                            TpeAnneal *pA, TpeRng *pRng){
  double lo, hi, mid, half, x, q = p->q;
  int j;

  switch( p->eKind ){
    case TPE_UNIFORM:
    case TPE_QUNIFORM:
    case TPE_UNIFORMINT:
    case TPE_LOGUNIFORM:
    case TPE_QLOGUNIFORM: {
      int bLog = p->eKind == TPE_LOGUNIFORM || p->eKind == TPE_QLOGUNIFORM;
      lo = bLog ? log(p->a) : p->a;
      hi = bLog ? log(p->b) : p->b;
      mid = bLog ? log(v) : v;
      half = 0.5 * ((hi - lo) * rShrink);
      /* Slide the window inside the bounds (numpy's clip). */
      if( mid < lo + half ) mid = lo + half;
      if( mid > hi - half ) mid = hi - half;
      lo = mid - half;
      hi = mid + half;
      x = lo + (hi - lo) * tpeRngUniform(pRng);
      if( bLog ) x = exp(x);
      if( p->eKind == TPE_UNIFORMINT ) q = 1.0;
      if( p->eKind != TPE_UNIFORM && p->eKind != TPE_LOGUNIFORM ){
        x = tpeQuantize(x, q);
      }
      return x;
    }
    case TPE_NORMAL:
      return v + (p->b * rShrink) * tpeRngNormal(pRng);
    case TPE_QNORMAL:
      x = v + (p->b * rShrink) * tpeRngNormal(pRng);
      return tpeQuantize(x, q);
    case TPE_LOGNORMAL:
      return exp(log(v) + (p->b * rShrink) * tpeRngNormal(pRng));
    case TPE_QLOGNORMAL:
      /* The offset keeps log finite for a value rounded to 0. */
      x = exp(log(1e-16 + v) + (p->b * rShrink) * tpeRngNormal(pRng));
      return tpeQuantize(x, q);
    case TPE_RANDINT:
    case TPE_CHOICE:
    case TPE_PCHOICE:
    default:
      /* Mix the reference label (weight 1 - shrink) with the prior.
      ** hyperopt's choice is a randint, so its prior is uniform. */
      for(j = 0; j < p->nLabel; j++){
        double rPrior = (p->eKind == TPE_PCHOICE && p->aProb)
                      ? rShrink * p->aProb[j] : rShrink / p->nLabel;
        pA->aP[j] = (1.0 - rShrink) * (j == (int)v ? 1.0 : 0.0) + rPrior;
      }
      return (double)tpeRngCategorical(pRng, pA->aP, p->nLabel);
  }
}

/*
** Suggest a point by annealing (see the file header).  Fills
** aOut[0..nParam-1] in the encoding of tpe_space.h.  Returns SQLITE_OK,
** or SQLITE_NOMEM with aOut unspecified.
*/
int tpeSuggestAnneal(const TpeSpace *pSpace, const TpeHistory *pHist,
                     TpeRng *pRng, double *aOut){
  TpeAnneal a;
  sqlite3_int64 nByte;
  void *pBlock;
  int nTrial = pHist->nTrial;
  int nLabel = 1;
  int i, k;

  for(i = 0; i < pSpace->nParam; i++){
    if( pSpace->aParam[i].nLabel > nLabel ) nLabel = pSpace->aParam[i].nLabel;
  }
  nByte = ((sqlite3_int64)2 * nTrial + nLabel) * sizeof(double)
        + ((sqlite3_int64)3 * nTrial + pSpace->nParam + 1) * sizeof(int);
  pBlock = sqlite3_malloc64(nByte);
  if( pBlock == 0 ) return SQLITE_NOMEM;
  memset(&a, 0, sizeof(a));
  a.aLoss = (double*)pBlock;
  a.aHasLoss = a.aLoss + nTrial;
  a.aP = a.aHasLoss + nTrial;
  a.aUse = (int*)(a.aP + nLabel);
  a.aHas = a.aUse + nTrial;
  a.aOrder = a.aHas + nTrial;
  a.aPick = a.aOrder + nTrial;

  /* The trials read, as in tpe_tpe.c. */
  for(i = 0; i < nTrial; i++){
    if( !pSpace->opt.bCompat && pHist->aStatus[i] == TPE_FAIL ) continue;
    a.aUse[a.nUse++] = i;
  }
  if( pSpace->opt.nMaxHistory > 0 && a.nUse > pSpace->opt.nMaxHistory ){
    int nSkip = a.nUse - pSpace->opt.nMaxHistory;
    memmove(a.aUse, a.aUse + nSkip, sizeof(int) * pSpace->opt.nMaxHistory);
    a.nUse = pSpace->opt.nMaxHistory;
  }
  for(i = 0; i < a.nUse; i++){
    int r = a.aUse[i];
    a.aLoss[i] = pHist->aStatus[r] == TPE_OK ? pHist->aLoss[r] : INFINITY;
  }

  for(i = 0; i < pSpace->nParam; i++) aOut[i] = NAN;
  for(i = 0; i < pSpace->nParam; i++){
    int iParam = pSpace->aOrder[i];
    const TpeParam *p = &pSpace->aParam[iParam];
    int nHas = 0, iRef;
    double rShrink;

    if( !tpeParamActive(pSpace, iParam, aOut) ) continue;
    for(k = 0; k < a.nUse; k++){
      if( !isnan(tpeAnnealVal(pHist, &a, k, iParam)) ) a.aHas[nHas++] = k;
    }
    if( nHas == 0 ){
      aOut[iParam] = tpeSamplePrior(p, pRng);
      continue;
    }
    iRef = tpeAnnealPick(pHist, &a, iParam, nHas, pRng);
    rShrink = 1.0 / (1.0 + nHas * TPE_ANNEAL_SHRINK);
    aOut[iParam] = tpeAnnealDraw(p, tpeAnnealVal(pHist, &a, iRef, iParam),
                                 rShrink, &a, pRng);
  }
  sqlite3_free(pBlock);
  return SQLITE_OK;
}
