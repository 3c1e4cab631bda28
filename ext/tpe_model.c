/*
** tpe_model.c: product-kernel densities for sqlite-tpe's own TPE and the
** Halton sequence of its start-up points (see tpe_model.h).
**
** Each kernel of a bounded dimension is a normal truncated to the bounds
** and normalised on its own, so that an observation next to a bound keeps
** all its mass inside the space instead of leaking half of it; the
** logarithm of that normaliser (aLogZ), like that of the kernel's weight,
** is computed when a point first comes near the kernel, as most kernels
** of a long history are never visited.  Grid dimensions widen their
** bounds by half a step on each side, so that the cells [v - q/2, v + q/2]
** of the grid values tile the bounds exactly and their masses sum to one.
*/
#include "tpe_model.h"
#include "tpe_parzen.h"

#include <math.h>
#include <string.h>

#define TPE_LOG_SQRT_2PI 0.91893853320467274    /* log(sqrt(2 pi)) */
#define TPE_SQRT1_2 0.70710678118654752         /* 1/sqrt(2) */
#define TPE_MODEL_MAX_REJECT 64                 /* truncated-normal tries */
#define TPE_KDE_MIN_WIN 32     /* fewer observations: visit every kernel */
#define TPE_KDE_FAR 9.0        /* bandwidths from a bound: mass 1 there */
#define TPE_KDE_TOL 30.0       /* skipped kernels sum below exp(-30) of the
                               ** density (see tpeKdeLogPdf) */
/* A kernel centred inside the bounds with a bandwidth of at most the
** range keeps at least Phi(1) - Phi(0) = 0.3413 of its mass inside, so
** minus the log of that mass is at most log(1 / 0.3413) = 1.0750: the
** bound used for masses not computed yet. */
#define TPE_KDE_ZMAX 1.0751

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
  return 9 * nK + 8 * nK * nDim + 2 * nDim + nK / 8 + 1;
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
  pKde->aInvSigma = pKde->aLogZ + nK * nDim;
  pKde->aLogC = pKde->aInvSigma + nK * nDim;
  pKde->aSLogC = pKde->aLogC + nK;
  pKde->aOrd = (int*)(pKde->aSLogC + nK);      /* nK ints in nK doubles */
  pKde->aWinBound = (double*)(pKde->aOrd) + nK;
  pKde->aCatLog = pKde->aWinBound + 4 * nK;
  pKde->aSMu = pKde->aCatLog + 2 * nDim;
  pKde->aSInv = pKde->aSMu + nK * nDim;
  pKde->aGridC = pKde->aSInv + nK * nDim;
  pKde->aLogSig = pKde->aGridC + nK * nDim;
  pKde->aPend = (unsigned char*)(pKde->aLogSig + nK * nDim);
  pKde->iWin = -1;
  pKde->bPlain = 0;
  pKde->rTol = TPE_KDE_TOL;
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

void tpeSortByKey(const double *aKey, int n, int *aIdx, int *aTmp){
  int i, w;
  int *aSrc = aIdx, *aDst = aTmp;

  /* Runs of 8 by insertion, then bottom-up merges; a merge takes from the
  ** right run only when strictly smaller, which keeps ties in index
  ** order. */
  for(i = 0; i < n; i++){
    int j = i, k = i;
    if( i % 8 ){
      while( j > i - i % 8 && aKey[aIdx[j-1]] > aKey[k] ){
        aIdx[j] = aIdx[j-1];
        j--;
      }
    }
    aIdx[j] = k;
  }
  for(w = 8; w < n; w *= 2){
    for(i = 0; i < n; i += 2 * w){
      int a = i, aEnd = i + w < n ? i + w : n;
      int b = aEnd, bEnd = i + 2 * w < n ? i + 2 * w : n;
      int o = i;
      while( a < aEnd && b < bEnd ){
        if( aKey[aSrc[b]] < aKey[aSrc[a]] ) aDst[o++] = aSrc[b++];
        else aDst[o++] = aSrc[a++];
      }
      while( a < aEnd ) aDst[o++] = aSrc[a++];
      while( b < bEnd ) aDst[o++] = aSrc[b++];
    }
    { int *t = aSrc; aSrc = aDst; aDst = t; }
  }
  if( aSrc != aIdx ) memcpy(aIdx, aSrc, sizeof(int) * (size_t)n);
}

void tpeKdeSortObs(const TpeDim *aDim, int nDim, const double *aObs,
                   int nObs, double *aCol, int *aOrd, int *aTmp){
  int d, i;

  for(d = 0; d < nDim; d++){
    if( aDim[d].bCat ) continue;
    for(i = 0; i < nObs; i++) aCol[i] = aObs[(int64_t)i * nDim + d];
    tpeSortByKey(aCol, nObs, &aOrd[(int64_t)d * nObs], aTmp);
  }
}

/*
** For a grid dimension d, the constant part of a bound on kernel k's log
** factor: the mass of a cell of width q is at most q times the largest
** density in the cell, so the factor is at most
**   log q - log sigma - log sqrt(2 pi) - logZ - z^2 / 2
** with z the distance from the centre to the cell's nearest point.
** Returns that bound without the -z^2/2; 0 for other dimensions (their
** constants are in aLogC already).
*/
static double tpeKdeGridBound(const TpeKde *pKde, int k, int d){
  const TpeDim *pDim = &pKde->aDim[d];
  int64_t j = (int64_t)k * pKde->nDim + d;
  double rLogZ = pKde->aLogZ[j];

  if( pDim->bCat || pDim->rQ == 0.0 ) return 0.0;
  return pKde->aGridC[j] - (rLogZ == rLogZ ? rLogZ : -TPE_KDE_ZMAX);
}

/*
** Kernel k's constant (aLogC) from its weight, bandwidths and truncated
** masses, once its weight's logarithm is known; a mass not computed yet
** (NaN) counts as its bound.
*/
static double tpeKdeConstant(const TpeKde *pKde, int k){
  int nDim = pKde->nDim, d;
  double t = pKde->aLogW[k];

  for(d = 0; d < nDim; d++){
    int64_t j = (int64_t)k * nDim + d;
    double rLogZ = pKde->aLogZ[j];
    if( pKde->aDim[d].bCat || pKde->aDim[d].rQ != 0.0 ) continue;
    if( rLogZ != rLogZ ) rLogZ = -TPE_KDE_ZMAX;
    t -= pKde->aLogSig[j] + TPE_LOG_SQRT_2PI + rLogZ;
  }
  return t;
}

/* Mass inside the bounds of kernel k along dimension d, as a logarithm. */
static double tpeKdeLogZ(const TpeKde *pKde, int64_t j, int d){
  const TpeDim *pDim = &pKde->aDim[d];
  return tpeLogNormalMass(pDim->rLow, pDim->rHigh, pKde->aMu[j],
                          pKde->aSigma[j]);
}

/*
** Make *pC, kernel k's constant or the copy of it tpeKdeLogPdf uses (each
** kernel is reached through one copy only), exact: compute the logarithm
** of its weight and the truncated masses it still lacks.  Call only while
** pKde->aPend[k] is set.
*/
static void tpeKdeExact(const TpeKde *pKde, int k, double *pC){
  int nDim = pKde->nDim, d;

  pKde->aPend[k] = 0;
  if( pKde->aLogW[k] != pKde->aLogW[k] ) pKde->aLogW[k] = log(pKde->aW[k]);
  for(d = 0; d < nDim; d++){
    int64_t j = (int64_t)k * nDim + d;
    if( pKde->aLogZ[j] != pKde->aLogZ[j] ){
      pKde->aLogZ[j] = tpeKdeLogZ(pKde, j, d);
    }
  }
  pKde->aLogC[k] = tpeKdeConstant(pKde, k);
  *pC = pKde->aLogC[k];
}

/*
** Dimension d of a fit: each observation's bandwidth is the wider gap to
** its neighbours in aOrdD (the observations by ascending coordinate d);
** with bConsiderEndpoints the bounds are neighbours too, otherwise the
** extreme observations look inward only (unless there is just one
** observation, which then looks at the bounds).  Bandwidths are clipped
** to [rMin, range], the prior kernel takes the range.  In the same pass:
** inverse bandwidths, whether the truncated mass is needed (NaN: not
** computed yet) and the dimension's share of each kernel's constant.
** Most bandwidths sit at the clip, so a logarithm is reused while the
** bandwidth repeats.
*/
static void tpeKdeFitDim(TpeKde *pKde, int d, int nObs, double rMin,
                         const TpeKdeCfg *pCfg, const int *aOrdD){
  const TpeDim *pDim = &pKde->aDim[d];
  const int nDim = pKde->nDim;
  const double *aMu = pKde->aMu;
  double *aSigma = pKde->aSigma, *aInv = pKde->aInvSigma;
  double *aLogZ = pKde->aLogZ, *aLogSig = pKde->aLogSig;
  double *aLogC = pKde->aLogC, *aGridC = pKde->aGridC;
  const int bEnd = (pCfg->bConsiderEndpoints || nObs == 1) && pDim->bBounded;
  const int bGrid = pDim->rQ != 0.0, bBounded = pDim->bBounded;
  const double rLow = pDim->rLow, rHigh = pDim->rHigh;
  const double rRange = pDim->rRange, rFar = TPE_KDE_FAR;
  double rLastS = -1.0, rLastLog = 0.0, rLastC = 0.0;
  double xPrev = 0.0, x = 0.0, xNext = 0.0;
  int i;

  if( nObs > 0 ) xNext = aMu[(int64_t)aOrdD[0] * nDim + d];
  for(i = 0; i <= nObs; i++){
    int k;
    int64_t j;
    double s, rLogZ;
    if( i < nObs ){
      double rLeft, rRight;
      k = aOrdD[i];
      xPrev = x;
      x = xNext;
      if( i < nObs - 1 ) xNext = aMu[(int64_t)aOrdD[i+1] * nDim + d];
      rLeft = i > 0 ? x - xPrev : (bEnd ? x - rLow : 0.0);
      rRight = i < nObs - 1 ? xNext - x : (bEnd ? rHigh - x : 0.0);
      s = rLeft > rRight ? rLeft : rRight;
      if( nObs == 1 && !bBounded ) s = rRange;
      if( !(s >= rMin) ) s = rMin;
      if( s > rRange ) s = rRange;
    }else{
      /* The prior kernel. */
      k = nObs;
      x = pDim->rMid;
      s = rRange;
    }
    j = (int64_t)k * nDim + d;
    aSigma[j] = s;
    aInv[j] = 1.0 / s;
    /* A kernel more than TPE_KDE_FAR bandwidths inside both bounds has
    ** mass 1 - O(1e-19) there, whose logarithm rounds to nothing next to
    ** the terms it is added to. */
    if( !bBounded || (x - rLow > rFar * s && rHigh - x > rFar * s) ){
      rLogZ = aLogZ[j] = 0.0;
    }else{
      aLogZ[j] = NAN;
      rLogZ = -TPE_KDE_ZMAX;
    }
    if( s != rLastS ){
      rLastS = s;
      rLastLog = log(s);
      if( bGrid ) rLastC = log(pDim->rQ * aInv[j]) - TPE_LOG_SQRT_2PI;
    }
    aLogSig[j] = rLastLog;
    if( bGrid ){
      aGridC[j] = rLastC;
    }else{
      aLogC[k] -= rLastLog + TPE_LOG_SQRT_2PI + rLogZ;
    }
  }
}

/*
** Lay the observation kernels' centres, inverse bandwidths and constants
** out in the order of their centres on iWin, for tpeKdeLogPdf's walk, and
** the running maxima of bandwidth (kept as the smallest inverse) and
** constant along that order, from each end, so that a walk from x can
** stop as soon as no kernel left in its direction can matter.
*/
static void tpeKdeWindow(TpeKde *pKde){
  int nDim = pKde->nDim, nK = pKde->nKernel, nObs = nK - 1, k, d, i;
  int iWin = pKde->iWin, bGrid = pKde->aDim[iWin].rQ != 0.0;
  double *aRS = pKde->aWinBound, *aRC = aRS + nK;     /* right of i */
  double *aLS = aRC + nK, *aLC = aLS + nK;            /* left of i */

  for(i = 0; i < nObs; i++){
    int64_t jS = (int64_t)i * nDim, jK;
    k = pKde->aOrd[i];
    jK = (int64_t)k * nDim;
    for(d = 0; d < nDim; d++){
      pKde->aSMu[jS + d] = pKde->aMu[jK + d];
      pKde->aSInv[jS + d] = pKde->aInvSigma[jK + d];
    }
    pKde->aSLogC[i] = pKde->aLogC[k];
    aRS[i] = aLS[i] = pKde->aSInv[jS + iWin];
    aRC[i] = aLC[i] = pKde->aSLogC[i]
                    + (bGrid ? tpeKdeGridBound(pKde, k, iWin) : 0.0);
  }
  for(i = nObs - 2; i >= 0; i--){
    if( aRS[i+1] < aRS[i] ) aRS[i] = aRS[i+1];
    if( aRC[i+1] > aRC[i] ) aRC[i] = aRC[i+1];
  }
  for(i = 1; i < nObs; i++){
    if( aLS[i-1] < aLS[i] ) aLS[i] = aLS[i-1];
    if( aLC[i-1] > aLC[i] ) aLC[i] = aLC[i-1];
  }
}

void tpeKdeFit(TpeKde *pKde, const double *aObs, int nObs,
               const double *aWeight, const TpeKdeCfg *pCfg,
               const int *aOrd){
  int nDim = pKde->nDim;
  int nK = nObs + 1;
  int k, d;
  double rSum = 0.0, rMax = 0.0;
  double rCount = (pCfg->nClip > 0 ? pCfg->nClip : nK) + 1.0;

  pKde->nKernel = nK;
  pKde->rCatBase = pCfg->rPriorWeight / nK;

  /* Centres: the observations, then the prior. */
  memcpy(pKde->aMu, aObs, sizeof(double) * (size_t)nObs * (size_t)nDim);
  for(d = 0; d < nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    pKde->aMu[(int64_t)nObs * nDim + d] = pDim->bCat ? -1.0 : pDim->rMid;
  }

  /* The first continuous dimension, if any, orders the kernels for
  ** tpeKdeLogPdf; small densities are cheaper to sum whole. */
  pKde->iWin = -1;
  for(d = 0; d < nDim && nObs >= TPE_KDE_MIN_WIN; d++){
    if( pKde->aDim[d].bCat ) continue;
    if( pKde->iWin < 0 || pKde->aDim[pKde->iWin].rQ != 0.0 ) pKde->iWin = d;
  }
  if( pKde->iWin >= 0 ){
    memcpy(pKde->aOrd, &aOrd[(int64_t)pKde->iWin * nObs],
           sizeof(int) * (size_t)nObs);
  }

  /* Weights: linear forgetting of the oldest (tpeForgetWeight, its
  ** arithmetic step for step), the prior's own weight.  Their logarithms
  ** wait until a kernel is visited (tpeKdeExact); until then the log of
  ** the largest bounds them. */
  if( aWeight ){
    for(k = 0; k < nObs; k++) pKde->aW[k] = aWeight[k];
  }else{
    int nRamp = pCfg->nForget > 0 && nObs > pCfg->nForget
              ? nObs - pCfg->nForget : 0;
    for(k = 0; k < nObs; k++) pKde->aW[k] = 1.0;
    if( nRamp == 1 ) pKde->aW[0] = 1.0 / nObs;
    if( nRamp > 1 ){
      double rStart = 1.0 / nObs;
      double rStep = (1.0 - rStart) / (nRamp - 1);
      for(k = 0; k < nRamp - 1; k++){
        pKde->aW[k] = (double)k * rStep + rStart;
      }
    }
  }
  pKde->aW[nObs] = pCfg->rPriorWeight;
  for(k = 0; k < nK; k++) rSum += pKde->aW[k];
  for(k = 0; k < nK; k++){
    pKde->aW[k] /= rSum;
    pKde->aLogW[k] = NAN;
    pKde->aPend[k] = 1;
    if( pKde->aW[k] > rMax ) rMax = pKde->aW[k];
  }
  /* log is monotone to within an ulp; the margin keeps the bound above
  ** every weight's logarithm as computed. */
  pKde->rLogWMax = log(rMax) + 1e-12;

  /* Bandwidths and constants a dimension at a time (the constants start
  ** from the bound on the log weight); label dimensions need neither. */
  pKde->bPlain = 1;
  for(k = 0; k < nK; k++) pKde->aLogC[k] = pKde->rLogWMax;
  for(d = 0; d < nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    if( pDim->bCat || pDim->rQ != 0.0 ) pKde->bPlain = 0;
    if( pDim->bCat ){
      for(k = 0; k < nK; k++) pKde->aLogZ[(int64_t)k * nDim + d] = 0.0;
      continue;
    }
    tpeKdeFitDim(pKde, d, nObs,
                 pDim->rRange / (rCount < 100.0 ? rCount : 100.0), pCfg,
                 &aOrd[(int64_t)d * nObs]);
  }
  pKde->rTol = TPE_KDE_TOL + log((double)nK);
  if( pKde->iWin >= 0 ) tpeKdeWindow(pKde);
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
  double rLogZ = pKde->aLogZ[j];
  double z;

  if( pDim->bCat ){
    int iLabel = (int)x;
    double p0 = tpeDimPrior(pDim, iLabel);
    double b = pKde->rCatBase * pDim->nLabel;
    if( mu < 0.0 ) return log(p0);
    return log((b * p0 + (iLabel == (int)mu ? 1.0 : 0.0)) / (b + 1.0));
  }
  if( rLogZ != rLogZ ) rLogZ = tpeKdeLogZ(pKde, j, d);
  if( pDim->rQ > 0.0 ){
    double lo = x - 0.5 * pDim->rQ, hi = x + 0.5 * pDim->rQ;
    if( pDim->bBounded ){
      if( lo < pDim->rLow ) lo = pDim->rLow;
      if( hi > pDim->rHigh ) hi = pDim->rHigh;
    }
    return tpeLogNormalMass(lo, hi, mu, s) - rLogZ;
  }
  z = (x - mu) / s;
  return -0.5 * z * z - log(s) - TPE_LOG_SQRT_2PI - rLogZ;
}

double tpeKdeLogPdfPlain(const TpeKde *pKde, const double *x){
  double rMax = -INFINITY, rSum = 0.0;
  int k, d;

  for(k = 0; k < pKde->nKernel; k++){
    double t = log(pKde->aW[k]);
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

/* Running log-sum-exp: the sum is exp(pAcc[0]) * pAcc[1]. */
static inline void tpeLseAdd(double *pAcc, double t){
  if( t > pAcc[0] ){
    pAcc[1] = pAcc[1] * exp(pAcc[0] - t) + 1.0;
    pAcc[0] = t;
  }else{
    pAcc[1] += exp(t - pAcc[0]);
  }
}

/*
** Kernel k's log density at x, or -INFINITY once it falls below rCut on
** the way: continuous dimensions first (a multiply each), then the grid
** and label ones (a normal mass or a logarithm each).  aMu and aInv are
** the kernel's centres and inverse bandwidths, *pC its constant (aLogC[k]
** or its sorted copy), which is made exact, and kept so, once the kernel
** first passes the cut-off.
*/
static double tpeKdeMixedTerm(const TpeKde *pKde, int k, const double *aMu,
                              const double *aInv, double *pC,
                              const double *x, double rCut){
  int nDim = pKde->nDim, d;
  double t;

  for(;;){
    t = *pC;
    for(d = 0; d < nDim; d++){
      const TpeDim *pDim = &pKde->aDim[d];
      if( pDim->bCat ){
        /* The observed label, or the prior kernel (centre -1). */
        if( aMu[d] < 0.0 ) t += tpeKdeLogKernel(pKde, k, d, x[d]);
        else t += pKde->aCatLog[2 * d + ((int)aMu[d] == (int)x[d] ? 0 : 1)];
      }else if( pDim->rQ == 0.0 ){
        double z = (x[d] - aMu[d]) * aInv[d];
        t -= 0.5 * z * z;
      }
      if( t < rCut ) return -INFINITY;
    }
    if( !pKde->aPend[k] ) break;
    /* Weight or masses missing: start again from the exact constant. */
    tpeKdeExact(pKde, k, pC);
  }
  for(d = 0; d < nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    double z;
    if( pDim->bCat || pDim->rQ == 0.0 ) continue;
    /* Bound the cell's mass before computing it. */
    z = fabs(x[d] - aMu[d]) - 0.5 * pDim->rQ;
    z = z > 0.0 ? z * aInv[d] : 0.0;
    if( t + tpeKdeGridBound(pKde, k, d) - 0.5 * z * z < rCut ){
      return -INFINITY;
    }
    t += tpeKdeLogKernel(pKde, k, d, x[d]);
    if( !(t >= rCut) ) return -INFINITY;
  }
  return t;
}

/*
** The same as tpeKdeMixedTerm where every dimension is continuous
** (pKde->bPlain): a multiply and a subtraction per dimension.
*/
static inline double tpeKdeTerm(const TpeKde *pKde, int k, const double *aMu,
                                const double *aInv, double *pC,
                                const double *x, double rCut){
  int nDim = pKde->nDim, d;
  double t;

  if( !pKde->bPlain ) return tpeKdeMixedTerm(pKde, k, aMu, aInv, pC, x, rCut);
  for(;;){
    t = *pC;
    for(d = 0; d < nDim; d++){
      double z = (x[d] - aMu[d]) * aInv[d];
      t -= 0.5 * z * z;
      if( t < rCut ) return -INFINITY;
    }
    if( !pKde->aPend[k] ) return t;
    tpeKdeExact(pKde, k, pC);
  }
}

/* Log density of a one-dimensional label density at label x: the
** kernels on label x contribute (b p0 + 1) / (b + 1) each, the others
** b p0 / (b + 1), the prior p0; only the weight on x needs a pass. */
static double tpeKdeLogPdfCat(const TpeKde *pKde, double x){
  const TpeDim *pDim = &pKde->aDim[0];
  int nObs = pKde->nKernel - 1, k, iLabel = (int)x;
  double p0 = pDim->pParam->aProb ? pDim->pParam->aProb[iLabel]
                                  : 1.0 / pDim->nLabel;
  double b = pKde->rCatBase * pDim->nLabel;
  double rOn = 0.0, rAll = 0.0;

  for(k = 0; k < nObs; k++){
    rAll += pKde->aW[k];
    if( (int)pKde->aMu[k] == iLabel ) rOn += pKde->aW[k];
  }
  return log((rOn * (b * p0 + 1.0) + (rAll - rOn) * b * p0) / (b + 1.0)
             + pKde->aW[nObs] * p0);
}

/*
** Add to the running sum pAcc the observation kernels outwards from x
** along iWin, starting at sorted position lo (the first centre at or
** beyond x[iWin]) and lo - 1, always taking next the side whose next
** centre is nearer, so that the largest terms come first.  A side ends
** at the first kernel so far from x that no kernel from it outwards can
** reach the cut-off below the running maximum (aWinBound: the right half
** for positions >= lo, the left for the others); the cut-off only rises,
** so an ended side stays ended.  Stops early, and returns 1, once the sum
** reaches exp(rStop).  Written for the compiler: every array in a local,
** the continuous-only kernel inline.
*/
static int tpeKdeWalk(const TpeKde *pKde, const double *x, int lo,
                      double rStop, double *pAcc){
  const int nK = pKde->nKernel, nObs = nK - 1, nDim = pKde->nDim;
  const int iWin = pKde->iWin, bPlain = pKde->bPlain;
  const double *aSMu = pKde->aSMu, *aSInv = pKde->aSInv;
  const double *aRB = pKde->aWinBound, *aLB = pKde->aWinBound + 2 * nK;
  double *aSLogC = pKde->aSLogC;
  const int *aOrd = pKde->aOrd;
  const unsigned char *aPend = pKde->aPend;
  const double x0 = x[iWin], rHalfQ = 0.5 * pKde->aDim[iWin].rQ;
  const double rTol = pKde->rTol;
  double rM = pAcc[0], rS = pAcc[1];
  double rLim = exp(rStop - rM);  /* the sum reaches rStop at rS >= this */
  int iR = lo, iL = lo - 1;       /* next position on each side, or past
                                  ** the end once the side is done */

  while( rS < rLim && (iR < nObs || iL >= 0) ){
    const double *aB;
    const double *aMu;
    double rCut = rM - rTol, z, t;
    int64_t j;
    int i, d;
    if( iR < nObs
     && (iL < 0 || aSMu[(int64_t)iR * nDim + iWin] - x0
                   <= x0 - aSMu[(int64_t)iL * nDim + iWin]) ){
      i = iR++;
      aB = aRB;
      z = aSMu[(int64_t)i * nDim + iWin] - x0 - rHalfQ;
    }else{
      i = iL--;
      aB = aLB;
      z = x0 - aSMu[(int64_t)i * nDim + iWin] - rHalfQ;
    }
    z = z > 0.0 ? z * aB[i] : 0.0;
    if( aB[nK + i] - 0.5 * z * z < rCut ){
      /* This side is done. */
      if( aB == aRB ) iR = nObs; else iL = -1;
      continue;
    }
    j = (int64_t)i * nDim;
    aMu = &aSMu[j];
    if( bPlain ){
      const double *aInv = &aSInv[j];
      for(;;){
        t = aSLogC[i];
        for(d = 0; d < nDim; d++){
          double u = (x[d] - aMu[d]) * aInv[d];
          t -= 0.5 * u * u;
          if( t < rCut ) break;
        }
        if( d < nDim || !aPend[aOrd[i]] ) break;
        tpeKdeExact(pKde, aOrd[i], &aSLogC[i]);
      }
      if( d < nDim ) continue;
    }else{
      t = tpeKdeMixedTerm(pKde, aOrd[i], aMu, &aSInv[j], &aSLogC[i], x,
                          rCut);
      if( t == -INFINITY ) continue;
    }
    if( t > rM ){
      rS = rS * exp(rM - t) + 1.0;
      rM = t;
      rLim = exp(rStop - rM);
    }else{
      rS += exp(t - rM);
    }
  }
  pAcc[0] = rM;
  pAcc[1] = rS;
  return rS >= rLim;
}

double tpeKdeLogPdf(const TpeKde *pKde, const double *x){
  return tpeKdeLogPdfUntil(pKde, x, INFINITY);
}

double tpeKdeLogPdfUntil(const TpeKde *pKde, const double *x, double rStop){
  double aAcc[2] = { -INFINITY, 0.0 };
  double r;
  int nK = pKde->nKernel, nObs = nK - 1, nDim = pKde->nDim;
  int iWin = pKde->iWin;
  double t;
  int lo, hi, i, d;

  if( pKde->nDim == 1 && pKde->aDim[0].bCat ){
    r = tpeKdeLogPdfCat(pKde, x[0]);
    return r < rStop ? r : INFINITY;
  }
  for(d = 0; d < pKde->nDim; d++){
    const TpeDim *pDim = &pKde->aDim[d];
    if( pDim->bCat ){
      int iLabel = (int)x[d];
      double p0 = pDim->pParam->aProb ? pDim->pParam->aProb[iLabel]
                                      : 1.0 / pDim->nLabel;
      double b = pKde->rCatBase * pDim->nLabel;
      pKde->aCatLog[2 * d] = log((b * p0 + 1.0) / (b + 1.0));
      pKde->aCatLog[2 * d + 1] = log(b * p0 / (b + 1.0));
    }
  }
  if( iWin < 0 ){
    for(i = 0; i < nK; i++){
      int64_t j = (int64_t)i * nDim;
      t = tpeKdeTerm(pKde, i, &pKde->aMu[j], &pKde->aInvSigma[j],
                     &pKde->aLogC[i], x, aAcc[0] - pKde->rTol);
      if( t > -INFINITY ) tpeLseAdd(aAcc, t);
      if( rStop < INFINITY && log(aAcc[1]) + aAcc[0] >= rStop ){
        return INFINITY;
      }
    }
  }else{
    /* The prior kernel, then outwards from x along iWin. */
    const double *aSMu = pKde->aSMu + iWin;
    int64_t j = (int64_t)nObs * nDim;
    t = tpeKdeTerm(pKde, nObs, &pKde->aMu[j], &pKde->aInvSigma[j],
                   &pKde->aLogC[nObs], x, -INFINITY);
    if( t > -INFINITY ) tpeLseAdd(aAcc, t);
    lo = 0;
    hi = nObs;
    while( lo < hi ){
      int mid = (lo + hi) / 2;
      if( aSMu[(int64_t)mid * nDim] < x[iWin] ) lo = mid + 1;
      else hi = mid;
    }
    if( tpeKdeWalk(pKde, x, lo, rStop, aAcc) ) return INFINITY;
  }
  if( aAcc[0] == -INFINITY ) return aAcc[0];
  r = log(aAcc[1]) + aAcc[0];
  return r < rStop ? r : INFINITY;
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
