/*
** tpe_model.c: product-kernel densities for sqlite-tpe's own TPE and the
** Halton sequence of its start-up points (see tpe_model.h).
**
** Each kernel of a bounded dimension is a normal truncated to the bounds
** and normalised on its own, so that an observation next to a bound keeps
** all its mass inside the space instead of leaking half of it; the
** logarithm of that normaliser is computed once per fit (aLogZ).  Grid
** dimensions widen their bounds by half a step on each side, so that the
** cells [v - q/2, v + q/2] of the grid values tile the bounds exactly and
** their masses sum to one.
*/
#include "tpe_model.h"
#include "tpe_parzen.h"

#include <math.h>

#define TPE_LOG_SQRT_2PI 0.91893853320467274    /* log(sqrt(2 pi)) */
#define TPE_SQRT1_2 0.70710678118654752         /* 1/sqrt(2) */
#define TPE_MODEL_MAX_REJECT 64                 /* truncated-normal tries */

void tpeDimInit(TpeDim *pDim, const TpeParam *p){
  double q = p->q;

  pDim->pParam = p;
  pDim->bCat = 0;
  pDim->nLabel = 0;
  pDim->bLog = 0;
  pDim->bBounded = 1;
  pDim->rQ = pDim->rQVal = pDim->rFloor = 0.0;
  pDim->rGridLow = pDim->rGridHigh = 0.0;
  switch( p->eKind ){
    case TPE_CHOICE:
    case TPE_PCHOICE:
      pDim->bCat = 1;
      pDim->nLabel = p->nLabel;
      pDim->rLow = 0.0;
      pDim->rHigh = p->nLabel;
      break;
    case TPE_RANDINT:
      /* Labels low..high-1 are integers: ordered, a grid of step 1. */
      pDim->rQ = 1.0;
      pDim->rGridLow = 0.0;
      pDim->rGridHigh = p->nLabel - 1;
      break;
    case TPE_UNIFORMINT:
      pDim->rQ = 1.0;
      pDim->rGridLow = ceil(p->a);
      pDim->rGridHigh = floor(p->b);
      break;
    case TPE_QUNIFORM:
      pDim->rQ = q;
      pDim->rGridLow = rint(p->a / q) * q;
      pDim->rGridHigh = rint(p->b / q) * q;
      break;
    case TPE_QLOGUNIFORM:
      pDim->rQVal = q;
      pDim->rGridLow = rint(p->a / q) * q;
      pDim->rGridHigh = rint(p->b / q) * q;
      /* fall through */
    case TPE_LOGUNIFORM:
      pDim->bLog = 1;
      pDim->rFloor = p->a;
      pDim->rLow = log(p->a);
      pDim->rHigh = log(p->b);
      break;
    case TPE_QNORMAL:
    case TPE_NORMAL:
      pDim->bBounded = 0;
      if( p->eKind == TPE_QNORMAL ) pDim->rQ = q;
      pDim->rMid = p->a;
      pDim->rRange = p->b;
      return;
    case TPE_QLOGNORMAL:
    case TPE_LOGNORMAL:
      pDim->bBounded = 0;
      pDim->bLog = 1;
      pDim->rFloor = TPE_EPS;
      if( p->eKind == TPE_QLOGNORMAL ) pDim->rQVal = q;
      pDim->rMid = p->a;
      pDim->rRange = p->b;
      return;
    case TPE_UNIFORM:
    default:
      pDim->rLow = p->a;
      pDim->rHigh = p->b;
      break;
  }
  if( pDim->rQ > 0.0 ){
    pDim->rLow = pDim->rGridLow - 0.5 * pDim->rQ;
    pDim->rHigh = pDim->rGridHigh + 0.5 * pDim->rQ;
  }
  pDim->rMid = 0.5 * (pDim->rLow + pDim->rHigh);
  pDim->rRange = pDim->rHigh - pDim->rLow;
}

double tpeDimObs(const TpeDim *pDim, double v){
  if( pDim->bLog ){
    if( !(v >= pDim->rFloor) ) v = pDim->rFloor;
    return log(v);
  }
  return v;
}

double tpeDimValue(const TpeDim *pDim, double x){
  const TpeParam *p = pDim->pParam;
  double v;

  if( pDim->bCat ) return x;
  if( pDim->rQ > 0.0 ){
    v = rint(x / pDim->rQ) * pDim->rQ;
    if( pDim->bBounded ){
      if( v < pDim->rGridLow ) v = pDim->rGridLow;
      if( v > pDim->rGridHigh ) v = pDim->rGridHigh;
    }
    return v + 0.0;
  }
  if( !pDim->bLog ){
    if( pDim->bBounded ){
      if( x < p->a ) x = p->a;
      if( x > p->b ) x = p->b;
    }
    return x;
  }
  v = exp(x);
  if( pDim->rQVal > 0.0 ){
    v = rint(v / pDim->rQVal) * pDim->rQVal;
    if( pDim->bBounded ){
      if( v < pDim->rGridLow ) v = pDim->rGridLow;
      if( v > pDim->rGridHigh ) v = pDim->rGridHigh;
    }
    return v + 0.0;
  }
  if( pDim->bBounded ){
    /* exp(log(b)) can exceed b by an ulp. */
    if( v < p->a ) v = p->a;
    if( v > p->b ) v = p->b;
  }
  return v;
}

int64_t tpeKdeSize(int nObs, int nDim){
  int64_t nK = (int64_t)nObs + 1;
  return 2 * nK + 3 * nK * nDim;
}

void tpeKdeInit(TpeKde *pKde, const TpeDim *aDim, int nDim, int nObs,
                double *aBuf){
  int64_t nK = (int64_t)nObs + 1;

  pKde->nKernel = 0;
  pKde->nDim = nDim;
  pKde->aDim = aDim;
  pKde->rCatBase = 0.0;
  pKde->aW = aBuf;
  pKde->aLogW = aBuf + nK;
  pKde->aMu = aBuf + 2 * nK;
  pKde->aSigma = pKde->aMu + nK * nDim;
  pKde->aLogZ = pKde->aSigma + nK * nDim;
}

/* log(1 - exp(-a)) for a > 0, accurate for small and large a. */
static double tpeLog1mExp(double a){
  return a < 0.6931471805599453 ? log(-expm1(-a)) : log1p(-exp(-a));
}

/*
** log(Phi(b) - Phi(a)) for standardised a <= b.  Works on the side of the
** distribution where the difference is least exposed to cancellation.
*/
static double tpeLogPhiDiff(double a, double b){
  double pa, pb;

  if( a >= b ) return -INFINITY;
  if( a > 0.0 ){
    /* Both in the upper tail: upper-tail masses from erfc. */
    pa = 0.5 * erfc(a * TPE_SQRT1_2);
    pb = 0.5 * erfc(b * TPE_SQRT1_2);
  }else if( b < 0.0 ){
    pa = 0.5 * erfc(-b * TPE_SQRT1_2);
    pb = 0.5 * erfc(-a * TPE_SQRT1_2);
  }else{
    /* Straddles 0: one minus both tails. */
    return log1p(-0.5 * erfc(-a * TPE_SQRT1_2) - 0.5 * erfc(b * TPE_SQRT1_2));
  }
  if( pa <= 0.0 ) return -INFINITY;
  if( pb <= 0.0 ) return log(pa);
  return log(pa) + tpeLog1mExp(log(pa) - log(pb));
}

double tpeLogNormalMass(double lo, double hi, double mu, double sigma){
  if( lo == -INFINITY && hi == INFINITY ) return 0.0;
  return tpeLogPhiDiff((lo - mu) / sigma, (hi - mu) / sigma);
}

/*
** Univariate bandwidths of dimension d: the wider gap to a neighbouring
** observation.  With bConsiderEndpoints the bounds are neighbours too;
** otherwise the extreme observations look inward only (unless there is
** just one observation, which then looks at the bounds).
*/
static void tpeKdeGapSigma(TpeKde *pKde, int d, const double *aObs,
                           int nObs, const TpeKdeCfg *pCfg, double *aCol,
                           int *aIdx){
  const TpeDim *pDim = &pKde->aDim[d];
  int nDim = pKde->nDim;
  int i;

  for(i = 0; i < nObs; i++) aCol[i] = aObs[(int64_t)i * nDim + d];
  tpeArgsort(aCol, nObs, aIdx);
  for(i = 0; i < nObs; i++){
    double rLeft, rRight, s;
    int bEnd = pCfg->bConsiderEndpoints || nObs == 1;
    double x = aCol[aIdx[i]];
    if( i > 0 ){
      rLeft = x - aCol[aIdx[i-1]];
    }else{
      rLeft = (bEnd && pDim->bBounded) ? x - pDim->rLow : 0.0;
    }
    if( i < nObs - 1 ){
      rRight = aCol[aIdx[i+1]] - x;
    }else{
      rRight = (bEnd && pDim->bBounded) ? pDim->rHigh - x : 0.0;
    }
    s = rLeft > rRight ? rLeft : rRight;
    if( nObs == 1 && !pDim->bBounded ) s = pDim->rRange;
    pKde->aSigma[(int64_t)aIdx[i] * nDim + d] = s;
  }
}

void tpeKdeFit(TpeKde *pKde, const double *aObs, int nObs,
               const double *aWeight, const TpeKdeCfg *pCfg, double *aCol,
               int *aIdx){
  int nDim = pKde->nDim;
  int nK = nObs + 1;
  int k, d;
  double rSum = 0.0;

  pKde->nKernel = nK;
  pKde->rCatBase = pCfg->rPriorWeight / nK;

  /* Centres: the observations, then the prior. */
  for(k = 0; k < nObs; k++){
    for(d = 0; d < nDim; d++){
      pKde->aMu[(int64_t)k * nDim + d] = aObs[(int64_t)k * nDim + d];
    }
  }
  for(d = 0; d < nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    pKde->aMu[(int64_t)nObs * nDim + d] = pDim->bCat ? -1.0 : pDim->rMid;
  }

  /* Bandwidths, clipped, then the prior's. */
  for(d = 0; d < nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    double rCount = (pCfg->nClip > 0 ? pCfg->nClip : nK) + 1.0;
    double rMin = pDim->rRange / (rCount < 100.0 ? rCount : 100.0);
    double rMax = pDim->rRange;
    if( pDim->bCat ) continue;
    if( nObs > 0 ){
      tpeKdeGapSigma(pKde, d, aObs, nObs, pCfg, aCol, aIdx);
    }
    for(k = 0; k < nObs; k++){
      double *pS = &pKde->aSigma[(int64_t)k * nDim + d];
      if( !(*pS >= rMin) ) *pS = rMin;
      if( *pS > rMax ) *pS = rMax;
    }
    pKde->aSigma[(int64_t)nObs * nDim + d] = rMax;
  }

  /* Truncated masses. */
  for(k = 0; k < nK; k++){
    for(d = 0; d < nDim; d++){
      const TpeDim *pDim = &pKde->aDim[d];
      int64_t j = (int64_t)k * nDim + d;
      if( pDim->bCat || !pDim->bBounded ){
        pKde->aLogZ[j] = 0.0;
      }else{
        pKde->aLogZ[j] = tpeLogNormalMass(pDim->rLow, pDim->rHigh,
                                          pKde->aMu[j], pKde->aSigma[j]);
      }
    }
  }

  /* Weights: linear forgetting of the oldest, the prior's own weight. */
  for(k = 0; k < nObs; k++){
    pKde->aW[k] = aWeight ? aWeight[k]
                          : tpeForgetWeight(k, nObs, pCfg->nForget);
  }
  pKde->aW[nObs] = pCfg->rPriorWeight;
  for(k = 0; k < nK; k++) rSum += pKde->aW[k];
  for(k = 0; k < nK; k++){
    pKde->aW[k] /= rSum;
    pKde->aLogW[k] = log(pKde->aW[k]);
  }
}

/* Prior probability of label j of a bCat dimension. */
static double tpeDimPrior(const TpeDim *pDim, int j){
  const TpeParam *p = pDim->pParam;

  if( p->aProb ) return p->aProb[j];
  return 1.0 / pDim->nLabel;
}

double tpeKdeLogKernel(const TpeKde *pKde, int k, int d, double x){
  const TpeDim *pDim = &pKde->aDim[d];
  int64_t j = (int64_t)k * pKde->nDim + d;
  double mu = pKde->aMu[j];
  double s = pKde->aSigma[j];
  double z;

  if( pDim->bCat ){
    int iLabel = (int)x;
    double p0 = tpeDimPrior(pDim, iLabel);
    double b = pKde->rCatBase * pDim->nLabel;
    if( mu < 0.0 ) return log(p0);
    return log((b * p0 + (iLabel == (int)mu ? 1.0 : 0.0)) / (b + 1.0));
  }
  if( pDim->rQ > 0.0 ){
    double lo = x - 0.5 * pDim->rQ, hi = x + 0.5 * pDim->rQ;
    if( pDim->bBounded ){
      if( lo < pDim->rLow ) lo = pDim->rLow;
      if( hi > pDim->rHigh ) hi = pDim->rHigh;
    }
    return tpeLogNormalMass(lo, hi, mu, s) - pKde->aLogZ[j];
  }
  z = (x - mu) / s;
  return -0.5 * z * z - log(s) - TPE_LOG_SQRT_2PI - pKde->aLogZ[j];
}

double tpeKdeLogPdf(const TpeKde *pKde, const double *x){
  double rMax = -INFINITY, rSum = 0.0;
  int k, d;

  for(k = 0; k < pKde->nKernel; k++){
    double t = pKde->aLogW[k];
    for(d = 0; d < pKde->nDim && t > -INFINITY; d++){
      t += tpeKdeLogKernel(pKde, k, d, x[d]);
    }
    if( t == -INFINITY ) continue;
    if( t > rMax ){
      rSum = rSum * exp(rMax - t) + 1.0;
      rMax = t;
    }else{
      rSum += exp(t - rMax);
    }
  }
  if( rMax == -INFINITY ) return rMax;
  return log(rSum) + rMax;
}

/* One draw from the normal (mu, s) truncated to dimension pDim's bounds. */
static double tpeTruncNormal(const TpeDim *pDim, double mu, double s,
                             TpeRng *pRng){
  double x;
  int nTry;

  if( !pDim->bBounded ) return mu + s * tpeRngNormal(pRng);
  for(nTry = 0; nTry < TPE_MODEL_MAX_REJECT; nTry++){
    x = mu + s * tpeRngNormal(pRng);
    if( x >= pDim->rLow && x <= pDim->rHigh ) return x;
  }
  /* Shortcoming: a kernel with almost no mass inside the bounds falls
  ** back to a uniform draw; centres lie inside the bounds, so each try
  ** succeeds with probability above 0.3 and this is never reached in
  ** practice. */
  return pDim->rLow + (pDim->rHigh - pDim->rLow) * tpeRngUniform(pRng);
}

void tpeKdeSample(const TpeKde *pKde, TpeRng *pRng, double *x){
  int k = tpeRngCategorical(pRng, pKde->aW, pKde->nKernel);
  int d;

  for(d = 0; d < pKde->nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    int64_t j = (int64_t)k * pKde->nDim + d;
    double mu = pKde->aMu[j];
    if( pDim->bCat ){
      double b = pKde->rCatBase * pDim->nLabel;
      const TpeParam *p = pDim->pParam;
      /* The kernel is the observed label (weight 1) mixed with the
      ** prior (weight b). */
      if( mu >= 0.0 && tpeRngUniform(pRng) * (b + 1.0) < 1.0 ){
        x[d] = mu;
      }else if( p->aProb ){
        x[d] = tpeRngCategorical(pRng, p->aProb, pDim->nLabel);
      }else{
        x[d] = (double)tpeRngBelow(pRng, pDim->nLabel);
      }
      continue;
    }
    x[d] = tpeTruncNormal(pDim, mu, pKde->aSigma[j], pRng);
    if( pDim->rQ > 0.0 ) x[d] = tpeDimValue(pDim, x[d]);
  }
}

/* The (d+1)-th prime, d >= 0. */
static int tpePrime(int d){
  int n = 1, i, nFound = -1;

  while( nFound < d ){
    n++;
    for(i = 2; i * i <= n && n % i; i++){}
    if( i * i > n ) nFound++;
  }
  return n;
}

double tpeHalton(uint64_t k, int d){
  int b = tpePrime(d);
  double f = 1.0, r = 0.0;

  while( k > 0 ){
    f /= b;
    r += f * (double)(k % (uint64_t)b);
    k /= (uint64_t)b;
  }
  return r;
}
