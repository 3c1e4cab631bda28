/*
** tpe_rand.c: sampling from the prior, random search, and the dispatch of
** tpeSuggest() to the experiment's algorithm.
*/
#include "tpe_algo.h"

#include <math.h>

#include "tpe_sqlite.h"

/* exp of a uniform draw between log(low) and log(high), kept within
** [low, high]: exp(log(low)) can land one unit in the last place below
** low, which the value checks would call out of range. */
static double tpeLogUniform(const TpeParam *p, TpeRng *pRng){
  double v = exp(log(p->a) + (log(p->b) - log(p->a)) * tpeRngUniform(pRng));
  return v < p->a ? p->a : (v > p->b ? p->b : v);
}

double tpeSamplePrior(const TpeParam *p, TpeRng *pRng){
  double u;

  switch( p->eKind ){
    case TPE_UNIFORM:
      return p->a + (p->b - p->a) * tpeRngUniform(pRng);
    case TPE_QUNIFORM:
      u = p->a + (p->b - p->a) * tpeRngUniform(pRng);
      return rint(u / p->q) * p->q + 0.0;       /* + 0.0: never -0 */
    case TPE_LOGUNIFORM:
      return tpeLogUniform(p, pRng);
    case TPE_QLOGUNIFORM:
      return rint(tpeLogUniform(p, pRng) / p->q) * p->q;
    case TPE_NORMAL:
      return p->a + p->b * tpeRngNormal(pRng);
    case TPE_QNORMAL:
      return rint((p->a + p->b * tpeRngNormal(pRng)) / p->q) * p->q + 0.0;
    case TPE_LOGNORMAL:
      return exp(p->a + p->b * tpeRngNormal(pRng));
    case TPE_QLOGNORMAL:
      u = exp(p->a + p->b * tpeRngNormal(pRng));
      return rint(u / p->q) * p->q;
    case TPE_UNIFORMINT:
      /* hyperopt's uniformint is quniform(low, high, 1) cast to int. */
      return rint(p->a + (p->b - p->a) * tpeRngUniform(pRng)) + 0.0;
    case TPE_RANDINT:
      return (double)tpeRngBelow(pRng, p->nLabel);
    case TPE_CHOICE:
    case TPE_PCHOICE:
    default:
      return (double)tpeRngCategorical(pRng, p->aProb, p->nLabel);
  }
}

int tpeSuggestRand(const TpeSpace *pSpace, const TpeHistory *pHist,
                   TpeRng *pRng, double *aOut){
  int i;

  (void)pHist;
  for(i = 0; i < pSpace->nParam; i++) aOut[i] = NAN;
  for(i = 0; i < pSpace->nParam; i++){
    int iParam = pSpace->aOrder[i];
    if( tpeParamActive(pSpace, iParam, aOut) ){
      aOut[iParam] = tpeSamplePrior(&pSpace->aParam[iParam], pRng);
    }
  }
  return SQLITE_OK;
}

int tpeSuggest(const TpeSpace *pSpace, const TpeHistory *pHist,
               int64_t iTrial, double *aOut){
  TpeRng rng;

  tpeRngInit(&rng, pSpace->opt.iSeed, iTrial, TPE_STREAM_SUGGEST);
  switch( pSpace->opt.eAlgo ){
    case TPE_ALGO_RAND:   return tpeSuggestRand(pSpace, pHist, &rng, aOut);
    case TPE_ALGO_ANNEAL: return tpeSuggestAnneal(pSpace, pHist, &rng, aOut);
    case TPE_ALGO_TPE:
    default:              return tpeSuggestTpe(pSpace, pHist, &rng, aOut);
  }
}
