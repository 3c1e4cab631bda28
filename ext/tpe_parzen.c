/*
** tpe_parzen.c: adaptive Parzen estimators, their densities and samplers
** (see tpe_parzen.h).
**
** The arithmetic mirrors hyperopt 0.3's tpe.py step by step (which side of
** a subtraction is scaled first, where EPS floors apply, which kinds divide
** by the truncated mass) because the unit tests compare against numbers
** hyperopt itself produced.  Where hyperopt's behaviour looks accidental,
** such as log kinds ignoring truncation in their density, it is kept and
** the comment says so.
*/
#include "tpe_parzen.h"

#include <math.h>

#define TPE_PI 3.141592653589793          /* pi as a double */
#define TPE_SQRT2 1.4142135623730951      /* sqrt(2) as a double */
#define TPE_SQRT_2PI 2.5066282746310002   /* sqrt(2*pi) as numpy rounds it */
#define TPE_QS_SMALL 15                   /* numpy's SMALL_QUICKSORT */
#define TPE_MAX_REJECT 1000               /* redraws before giving up */
#define TPE_FAST_MIN 16                   /* kernels before skipping pays */
#define TPE_ERF_ONE 6.0                   /* erf(x) rounds to 1 from here */
#define TPE_SKIP_Q 6.5                    /* quantized window, in units of
                                          ** sqrt(2)*sigma: past it both
                                          ** CDFs are exactly 0 or 1 */
#define TPE_SKIP_LOG 64.0                 /* continuous: skip terms below
                                          ** exp(-64) of the largest */

/*
** numpy's ordering of doubles: NaN sorts after everything.
*/
static int tpeLess(double a, double b){
  return a < b || (b != b && a == a);
}

/*
** Heapsort of the index range aIdx[0..n-1] by a[], numpy's fallback when
** quicksort recurses too deep.  Kept identical in its comparisons so ties
** land where numpy puts them.
*/
/* Sift h[i] down the 1-based heap h[1..n] ordered by a[]. */
static void tpeArgSift(const double *a, int *h, int i, int n){
  int tmp = h[i], j;

  for(j = i << 1; j <= n; ){
    if( j < n && tpeLess(a[h[j]], a[h[j+1]]) ) j++;
    if( !tpeLess(a[tmp], a[h[j]]) ) break;
    h[i] = h[j];
    i = j;
    j += j;
  }
  h[i] = tmp;
}

static void tpeArgHeapsort(const double *a, int *aIdx, int n){
  int *h = aIdx - 1;      /* 1-based heap */
  int l, tmp;

  for(l = n>>1; l > 0; l--) tpeArgSift(a, h, l, n);
  for(; n > 1; ){
    tmp = h[n];
    h[n] = h[1];
    h[1] = tmp;
    n--;
    tpeArgSift(a, h, 1, n);
  }
}

#define TPE_SWAP(x, y) { int t_ = (x); (x) = (y); (y) = t_; }

void tpeArgsort(const double *a, int n, int *aIdx){
  int *aStack[128];       /* pending partitions, (left, right) pairs */
  int aDepth[64];         /* depth budget of each pending partition */
  int **pSp = aStack;
  int *pDp = aDepth;
  int *pl, *pr, *pm, *pi, *pj, *pk;
  int cdepth = 0;
  int i, vi;
  double vp;

  for(i = 0; i < n; i++) aIdx[i] = i;
  if( n < 2 ) return;
  for(i = n; i > 1; i >>= 1) cdepth++;
  cdepth *= 2;
  pl = aIdx;
  pr = aIdx + n - 1;
  for(;;){
    if( cdepth < 0 ){
      tpeArgHeapsort(a, pl, (int)(pr - pl) + 1);
      goto pop;
    }
    while( (pr - pl) > TPE_QS_SMALL ){
      /* Median of three, the pivot parked at pr-1. */
      pm = pl + ((pr - pl) >> 1);
      if( tpeLess(a[*pm], a[*pl]) ) TPE_SWAP(*pm, *pl);
      if( tpeLess(a[*pr], a[*pm]) ) TPE_SWAP(*pr, *pm);
      if( tpeLess(a[*pm], a[*pl]) ) TPE_SWAP(*pm, *pl);
      vp = a[*pm];
      pi = pl;
      pj = pr - 1;
      TPE_SWAP(*pm, *pj);
      for(;;){
        do{ pi++; }while( tpeLess(a[*pi], vp) );
        do{ pj--; }while( tpeLess(vp, a[*pj]) );
        if( pi >= pj ) break;
        TPE_SWAP(*pi, *pj);
      }
      pk = pr - 1;
      TPE_SWAP(*pi, *pk);
      /* Push the larger side, continue with the smaller. */
      if( pi - pl < pr - pi ){
        *pSp++ = pi + 1;
        *pSp++ = pr;
        pr = pi - 1;
      }else{
        *pSp++ = pl;
        *pSp++ = pi - 1;
        pl = pi + 1;
      }
      *pDp++ = --cdepth;
    }

    /* Insertion sort of the short range. */
    for(pi = pl + 1; pi <= pr; pi++){
      vi = *pi;
      vp = a[vi];
      pj = pi;
      pk = pi - 1;
      while( pj > pl && tpeLess(vp, a[*pk]) ){
        *pj-- = *pk--;
      }
      *pj = vi;
    }
pop:
    if( pSp == aStack ) break;
    pr = *(--pSp);
    pl = *(--pSp);
    cdepth = *(--pDp);
  }
}

double tpeForgetWeight(int i, int n, int nForget){
  int nRamp;
  double rStart, rStep;

  if( nForget <= 0 || n <= nForget ) return 1.0;
  nRamp = n - nForget;
  if( i >= nRamp ) return 1.0;
  /* numpy's linspace(1/n, 1, nRamp): start + i*step, exact last point. */
  rStart = 1.0 / n;
  if( nRamp == 1 ) return rStart;
  if( i == nRamp - 1 ) return 1.0;
  rStep = (1.0 - rStart) / (nRamp - 1);
  return (double)i * rStep + rStart;
}

void tpeDomainInit(TpeDomain *pDom, const TpeParam *p){
  pDom->eKind = p->eKind;
  pDom->bLog = 0;
  pDom->bBounded = 0;
  pDom->rLow = pDom->rHigh = 0.0;
  pDom->rLowNat = pDom->rHighNat = 0.0;
  pDom->rQ = 0.0;
  pDom->rFloor = 0.0;
  switch( p->eKind ){
    case TPE_QLOGUNIFORM:
      pDom->rQ = p->q;
      /* Values rounded down to 0 would have no logarithm: raise them to
      ** the lower bound, as hyperopt does. */
      pDom->rFloor = p->a > TPE_EPS ? p->a : TPE_EPS;
      /* fall through */
    case TPE_LOGUNIFORM:
      pDom->bLog = 1;
      pDom->bBounded = 1;
      pDom->rLow = log(p->a);
      pDom->rHigh = log(p->b);
      pDom->rLowNat = p->a;
      pDom->rHighNat = p->b;
      pDom->rPriorMu = 0.5 * (pDom->rHigh + pDom->rLow);
      pDom->rPriorSigma = pDom->rHigh - pDom->rLow;
      break;
    case TPE_QNORMAL:
      pDom->rQ = p->q;
      pDom->rPriorMu = p->a;
      pDom->rPriorSigma = p->b;
      break;
    case TPE_QLOGNORMAL:
      pDom->rQ = p->q;
      pDom->rFloor = TPE_EPS;
      /* fall through */
    case TPE_LOGNORMAL:
      pDom->bLog = 1;
      pDom->rPriorMu = p->a;
      pDom->rPriorSigma = p->b;
      break;
    case TPE_NORMAL:
      pDom->rPriorMu = p->a;
      pDom->rPriorSigma = p->b;
      break;
    case TPE_UNIFORMINT:
    case TPE_QUNIFORM:
    case TPE_UNIFORM:
    default:
      /* hyperopt's uniformint is quniform with q = 1. */
      if( p->eKind == TPE_UNIFORMINT ) pDom->rQ = 1.0;
      if( p->eKind == TPE_QUNIFORM ) pDom->rQ = p->q;
      pDom->bBounded = 1;
      pDom->rLow = pDom->rLowNat = p->a;
      pDom->rHigh = pDom->rHighNat = p->b;
      pDom->rPriorMu = 0.5 * (p->b + p->a);
      pDom->rPriorSigma = 1.0 * (p->b - p->a);
      break;
  }
}

double tpeDomainObs(const TpeDomain *pDom, double x){
  if( !pDom->bLog ) return x;
  if( pDom->rFloor > 0.0 && !(x >= pDom->rFloor) ) x = pDom->rFloor;
  return log(x);
}

/*
** Record what the skipping density needs: the largest weight, and the
** smallest and largest bandwidths, of the kernels other than the prior
** (which is always evaluated).  Leaves bFast 0 for small mixtures and for
** means that do not ascend (a NaN observation).
*/
static void tpeMixtureStats(TpeMixture *pMix){
  int i;

  pMix->bFast = 0;
  pMix->rWMax = 0.0;
  pMix->rSMin = INFINITY;
  pMix->rSMax = 0.0;
  if( pMix->n < TPE_FAST_MIN ) return;
  for(i = 0; i < pMix->n; i++){
    if( i > 0 && !(pMix->aMu[i] >= pMix->aMu[i-1]) ) return;
    if( i == pMix->iPrior ) continue;
    if( pMix->aW[i] > pMix->rWMax ) pMix->rWMax = pMix->aW[i];
    if( pMix->aSigma[i] < pMix->rSMin ) pMix->rSMin = pMix->aSigma[i];
    if( pMix->aSigma[i] > pMix->rSMax ) pMix->rSMax = pMix->aSigma[i];
  }
  /* Bandwidths floored by EPS would break the bounds used to skip. */
  pMix->bFast = pMix->rSMin >= TPE_EPS;
}

void tpeParzenFit(const double *aObs, int nObs, double rPriorMu,
                  double rPriorSigma, const TpeParzenCfg *pCfg,
                  int *aWork, TpeMixture *pMix){
  double *aMu = pMix->aMu;
  double *aSigma = pMix->aSigma;
  double *aW = pMix->aW;
  int n = nObs + 1;
  int iPrior = 0;
  int i, j;
  double rMin, rSum;

  if( nObs == 0 ){
    aMu[0] = rPriorMu;
    aSigma[0] = rPriorSigma;
    aW[0] = 1.0;
  }else if( nObs == 1 ){
    iPrior = rPriorMu < aObs[0] ? 0 : 1;
    aMu[iPrior] = rPriorMu;
    aSigma[iPrior] = rPriorSigma;
    aMu[1 - iPrior] = aObs[0];
    aSigma[1 - iPrior] = rPriorSigma * 0.5;
    aW[0] = aW[1] = 1.0;
  }else{
    /* Sort, then insert the prior before the first observation that is
    ** not below it (numpy's searchsorted, side left). */
    tpeArgsort(aObs, nObs, aWork);
    for(iPrior = 0; iPrior < nObs; iPrior++){
      if( !(aObs[aWork[iPrior]] < rPriorMu) ) break;
    }
    for(i = j = 0; i < n; i++){
      if( i == iPrior ){
        aMu[i] = rPriorMu;
        aW[i] = 1.0;
      }else{
        aMu[i] = aObs[aWork[j]];
        aW[i] = tpeForgetWeight(aWork[j], nObs, pCfg->nForget);
        j++;
      }
    }
    for(i = 1; i < n - 1; i++){
      double rLeft = aMu[i] - aMu[i-1];
      double rRight = aMu[i+1] - aMu[i];
      aSigma[i] = rLeft > rRight ? rLeft : rRight;
    }
    aSigma[0] = aMu[1] - aMu[0];
    aSigma[n-1] = aMu[n-1] - aMu[n-2];
  }
  aW[iPrior] = pCfg->rPriorWeight;

  /* The minimum bandwidth shrinks with the number of kernels, down to one
  ** hundredth of the prior's. */
  rMin = rPriorSigma / (n + 1.0 < 100.0 ? n + 1.0 : 100.0);
  for(i = 0; i < n; i++){
    if( aSigma[i] < rMin ) aSigma[i] = rMin;
    if( aSigma[i] > rPriorSigma ) aSigma[i] = rPriorSigma;
  }
  aSigma[iPrior] = rPriorSigma;

  rSum = 0.0;
  for(i = 0; i < n; i++) rSum += aW[i];
  for(i = 0; i < n; i++) aW[i] /= rSum;

  pMix->n = n;
  pMix->iPrior = iPrior;
  pMix->rZ = 1.0;
  tpeMixtureStats(pMix);
}

double tpeQuantize(double x, double q){
  /* Adding +0 turns a -0 (from rounding a small negative) into 0. */
  return rint(x / q) * q + 0.0;
}

double tpeNormalCdf(double x, double mu, double sigma){
  double rBottom = TPE_SQRT2 * sigma;

  if( !(rBottom >= TPE_EPS) ) rBottom = TPE_EPS;
  return 0.5 * (1.0 + erf((x - mu) / rBottom));
}

/*
** tpeNormalCdf() without calling erf where erf is exactly +-1: past 6,
** 1 - erf is below 2.2e-17, under half an ulp of 1, so erf rounds to 1
** and 0.5 * (1 + erf) is exactly 1 (or 0 on the left).  Same bits.
*/
static double tpeNormalCdfFast(double x, double mu, double sigma){
  double rBottom = TPE_SQRT2 * sigma;
  double a;

  if( !(rBottom >= TPE_EPS) ) rBottom = TPE_EPS;
  a = (x - mu) / rBottom;
  if( a >= TPE_ERF_ONE ) return 1.0;
  if( a <= -TPE_ERF_ONE ) return 0.0;
  return 0.5 * (1.0 + erf(a));
}

/* hyperopt's lognormal_cdf: CDF of exp(N(mu, sigma)) at x >= 0. */
static double tpeLogNormalCdf(double x, double mu, double sigma){
  double rBottom = TPE_SQRT2 * sigma;

  if( !(rBottom >= TPE_EPS) ) rBottom = TPE_EPS;
  if( !(x >= TPE_EPS) ) x = TPE_EPS;
  return 0.5 + 0.5 * erf((log(x) - mu) / rBottom);
}

void tpeMixtureBound(TpeMixture *pMix, const TpeDomain *pDom){
  double rZ = 0.0;
  int k;

  if( !pDom->bBounded ){
    pMix->rZ = 1.0;
    return;
  }
  for(k = 0; k < pMix->n; k++){
    double s = pMix->aSigma[k], mu = pMix->aMu[k];
    rZ += pMix->aW[k] * (tpeNormalCdfFast(pDom->rHigh, mu, s)
                         - tpeNormalCdfFast(pDom->rLow, mu, s));
  }
  pMix->rZ = rZ;
}

/* First index k of the ascending a[0..n-1] with !(a[k] < v). */
static int tpeLowerBound(const double *a, int n, double v){
  int lo = 0, hi = n;
  while( lo < hi ){
    int mid = lo + (hi - lo) / 2;
    if( a[mid] < v ) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/* First index k of the ascending a[0..n-1] with a[k] > v. */
static int tpeUpperBound(const double *a, int n, double v){
  int lo = 0, hi = n;
  while( lo < hi ){
    int mid = lo + (hi - lo) / 2;
    if( a[mid] <= v ) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/*
** Term k of the continuous log density at x (rLogX = log(x) for log
** kinds): the log of kernel k's weighted density, as hyperopt's GMM1_lpdf
** and LGMM1_lpdf compute it.
**
** Shortcoming: the logarithms of the weight and of the coefficient are
** recomputed for every kernel visited; caching them per mixture needs
** arrays the caller does not provide today, so each visited kernel costs
** two logarithms and one exponential.
*/
static double tpeKernelTerm(const TpeMixture *pMix, const TpeDomain *pDom,
                            int k, double x, double rLogX){
  double w = pMix->aW[k], mu = pMix->aMu[k], s = pMix->aSigma[k];
  double sf = s > TPE_EPS ? s : TPE_EPS;
  double z;

  if( pDom->bLog ){
    /* Density of the value itself: the Jacobian 1/x is included and the
    ** truncated mass is not (hyperopt's LGMM1_lpdf). */
    z = (rLogX - mu) / sf;
    return -(0.5 * (z * z)) - log(sf * x * TPE_SQRT_2PI) + log(w);
  }else{
    double coef = w / sqrt(2.0 * TPE_PI * (s * s)) / pMix->rZ;
    z = (x - mu) / sf;
    return -0.5 * (z * z) + log(coef);
  }
}

/*
** The kernels a skipping density must visit for the continuous kinds:
** [*pkLo, *pkHi), plus the prior wherever it is.  Every kernel outside
** has a term below the largest term minus TPE_SKIP_LOG, because its term
** is at most log of the largest coefficient minus (d/rSMax)^2/2 at
** distance d, and the window reaches as far as that bound stays above a
** term already known (the prior's or x's neighbours').
*/
static void tpeDensityWindow(const TpeMixture *pMix, const TpeDomain *pDom,
                             double x, double rLogX, int *pkLo, int *pkHi){
  double xm = pDom->bLog ? rLogX : x;
  int n = pMix->n;
  int i0 = tpeLowerBound(pMix->aMu, n, xm);
  double tRef = tpeKernelTerm(pMix, pDom, pMix->iPrior, x, rLogX);
  double rTop, rGap, dCut;

  if( i0 < n ){
    double t = tpeKernelTerm(pMix, pDom, i0, x, rLogX);
    if( t > tRef ) tRef = t;
  }
  if( i0 > 0 ){
    double t = tpeKernelTerm(pMix, pDom, i0 - 1, x, rLogX);
    if( t > tRef ) tRef = t;
  }
  if( pDom->bLog ){
    rTop = log(pMix->rWMax) - log(pMix->rSMin * x * TPE_SQRT_2PI);
  }else{
    rTop = log(pMix->rWMax) - log(TPE_SQRT_2PI * pMix->rSMin)
         - log(pMix->rZ);
  }
  rGap = rTop - (tRef - TPE_SKIP_LOG);
  /* The slack covers rounding in the bound itself. */
  dCut = rGap > 0.0 ? pMix->rSMax * sqrt(2.0 * rGap) * (1.0 + 1e-9) : 0.0;
  *pkLo = tpeLowerBound(pMix->aMu, n, xm - dCut);
  *pkHi = tpeUpperBound(pMix->aMu, n, xm + dCut);
}

/* Add term t to a log-sum-exp kept against a running maximum. */
static void tpeLseAdd(double t, double *pMax, double *pSum){
  if( t > *pMax ){
    *pSum = *pSum * exp(*pMax - t) + 1.0;
    *pMax = t;
  }else{
    *pSum += exp(t - *pMax);
  }
}

/*
** Log density of the continuous kinds: the log of the sum over kernels of
** exp(term), accumulated in one pass against a running maximum so that
** no kernel underflows and nothing is allocated.  hyperopt shifts by the
** maximum in a second pass instead; the two agree to rounding.  Unless
** bPlain, kernels outside tpeDensityWindow() are skipped; the others are
** visited in the same order as without skipping.
*/
static double tpeMixtureLogDensity(const TpeMixture *pMix,
                                   const TpeDomain *pDom, double x,
                                   int bPlain){
  double rMax = -INFINITY, rSum = 0.0, t;
  double rLogX = pDom->bLog ? log(x) : 0.0;
  int iPrior = pMix->iPrior;
  int kLo = 0, kHi = pMix->n, k;

  if( !bPlain && pMix->bFast && isfinite(x) && isfinite(rLogX)
   && pMix->rZ > 0.0 && isfinite(pMix->rZ) && pMix->rWMax > 0.0 ){
    tpeDensityWindow(pMix, pDom, x, rLogX, &kLo, &kHi);
  }
  if( iPrior < kLo ){
    t = tpeKernelTerm(pMix, pDom, iPrior, x, rLogX);
    if( t != t ) return t;
    tpeLseAdd(t, &rMax, &rSum);
  }
  for(k = kLo; k < kHi; k++){
    t = tpeKernelTerm(pMix, pDom, k, x, rLogX);
    if( t != t ) return t;
    tpeLseAdd(t, &rMax, &rSum);
  }
  if( iPrior >= kHi ){
    t = tpeKernelTerm(pMix, pDom, iPrior, x, rLogX);
    if( t != t ) return t;
    tpeLseAdd(t, &rMax, &rSum);
  }
  if( rMax == -INFINITY ) return rMax;
  return log(rSum) + rMax;
}

/* Kernel k's mass on [lb, ub] (values; lb >= 0 for log kinds), times its
** weight, in hyperopt's order of operations. */
static double tpeKernelMass(const TpeMixture *pMix, const TpeDomain *pDom,
                            int k, double lb, double ub){
  double w = pMix->aW[k], mu = pMix->aMu[k], s = pMix->aSigma[k];
  double inc;

  if( pDom->bLog ){
    inc = w * tpeLogNormalCdf(ub, mu, s);
    inc -= w * tpeLogNormalCdf(lb, mu, s);
  }else{
    inc = w * tpeNormalCdf(ub, mu, s);
    inc -= w * tpeNormalCdf(lb, mu, s);
  }
  return inc;
}

/*
** Log probability of the quantized kinds (see tpeMixtureLogPdf).  Unless
** bPlain, kernels whose both CDFs at lb and ub are exactly 0 or exactly
** 1 (arguments of erf past TPE_ERF_ONE, see tpeNormalCdfFast) are
** skipped: each would add exactly 0, so the sum keeps every bit.
*/
static double tpeMixtureLogMass(const TpeMixture *pMix,
                                const TpeDomain *pDom, double x,
                                int bPlain){
  double q = pDom->rQ;
  double ub = x + q / 2, lb = x - q / 2, rProb = 0.0;
  int iPrior = pMix->iPrior;
  int kLo = 0, kHi = pMix->n, k;

  if( pDom->bBounded ){
    if( ub > pDom->rHighNat ) ub = pDom->rHighNat;
    if( lb < pDom->rLowNat ) lb = pDom->rLowNat;
  }
  if( pDom->bLog && lb < 0.0 ) lb = 0.0;
  if( !bPlain && pMix->bFast && lb <= ub && isfinite(lb) && isfinite(ub) ){
    double lbm = lb, ubm = ub;
    double rReach = TPE_SKIP_Q * TPE_SQRT2 * pMix->rSMax;
    if( pDom->bLog ){
      lbm = log(lb >= TPE_EPS ? lb : TPE_EPS);
      ubm = log(ub >= TPE_EPS ? ub : TPE_EPS);
    }
    kLo = tpeLowerBound(pMix->aMu, pMix->n, lbm - rReach);
    kHi = tpeUpperBound(pMix->aMu, pMix->n, ubm + rReach);
  }
  if( iPrior < kLo ) rProb += tpeKernelMass(pMix, pDom, iPrior, lb, ub);
  for(k = kLo; k < kHi; k++){
    rProb += tpeKernelMass(pMix, pDom, k, lb, ub);
  }
  if( iPrior >= kHi ) rProb += tpeKernelMass(pMix, pDom, iPrior, lb, ub);
  return log(rProb) - log(pMix->rZ);
}

double tpeMixtureLogPdf(const TpeMixture *pMix, const TpeDomain *pDom,
                        double x){
  if( pDom->rQ <= 0.0 ) return tpeMixtureLogDensity(pMix, pDom, x, 0);
  return tpeMixtureLogMass(pMix, pDom, x, 0);
}

double tpeMixtureLogPdfPlain(const TpeMixture *pMix, const TpeDomain *pDom,
                             double x){
  if( pDom->rQ <= 0.0 ) return tpeMixtureLogDensity(pMix, pDom, x, 1);
  return tpeMixtureLogMass(pMix, pDom, x, 1);
}

double tpeMixtureSample(const TpeMixture *pMix, const TpeDomain *pDom,
                        TpeRng *pRng){
  double x;
  int k, nTry;

  for(nTry = 0; ; nTry++){
    k = tpeRngCategorical(pRng, pMix->aW, pMix->n);
    x = pMix->aMu[k] + pMix->aSigma[k] * tpeRngNormal(pRng);
    if( !pDom->bBounded ) break;
    if( pDom->rLow <= x && x < pDom->rHigh ) break;
    if( nTry >= TPE_MAX_REJECT ){
      /* Shortcoming: hyperopt would keep redrawing forever.  This only
      ** happens when almost all mass lies outside the bounds; take a
      ** uniform point inside them instead. */
      x = pDom->rLow + (pDom->rHigh - pDom->rLow) * tpeRngUniform(pRng);
      break;
    }
  }
  if( pDom->bLog ) x = exp(x);
  if( pDom->rQ > 0.0 ) x = tpeQuantize(x, pDom->rQ);
  return x;
}

void tpeCatPosterior(const TpeParam *p, const double *aObs, int nObs,
                     const TpeParzenCfg *pCfg, double *aP){
  int nLabel = p->nLabel;
  int i;
  double rSum = 0.0;

  for(i = 0; i < nLabel; i++) aP[i] = 0.0;
  for(i = 0; i < nObs; i++){
    int j = (int)aObs[i];
    if( j >= 0 && j < nLabel ){
      aP[j] += tpeForgetWeight(i, nObs, pCfg->nForget);
    }
  }
  for(i = 0; i < nLabel; i++){
    /* hyperopt models choice as randint, so only pchoice scales the
    ** pseudo-count by the label's prior probability. */
    if( p->eKind == TPE_PCHOICE && p->aProb ){
      aP[i] += nLabel * (pCfg->rPriorWeight * p->aProb[i]);
    }else{
      aP[i] += pCfg->rPriorWeight;
    }
  }
  for(i = 0; i < nLabel; i++) rSum += aP[i];
  for(i = 0; i < nLabel; i++) aP[i] /= rSum;
}
