/*
** tpe_model.h: the kernel density estimators of sqlite-tpe's own TPE.
**
** Without compat = 'hyperopt', TPE models the good and the bad trials
** with product-kernel densities: one kernel per observed trial plus one
** for the prior, each kernel a product over the parameters it covers of
**
**   - a normal truncated to the parameter's bounds and normalised on its
**     own (numeric kinds; log kinds in log space);
**   - the mass such a normal puts on the cell [v - q/2, v + q/2] of a grid
**     value v (quniform, uniformint and randint, whose values are ordered);
**   - a smoothed indicator of the observed label (choice, pchoice).
**
** A density covers one parameter (univariate TPE) or a group of
** parameters active together (multivariate TPE), so that a suggestion can
** score whole points rather than each parameter on its own.
**
** Bandwidths: along each numeric dimension, an observation's kernel takes
** the wider gap to its neighbouring observations (the bounds count as
** neighbours when endpoints are considered).  Bandwidths are clipped to
** [range / min(100, count + 1), range], where count is the number of
** kernels or, with TpeKdeCfg.nClip, a larger count such as all the trials
** of the experiment, so that the kernels can keep narrowing after the good
** set stops growing.  The prior kernel has the whole range.
**
** The file also holds the randomly shifted Halton sequence used for
** quasi-random start-up points.
**
** Memory.  Nothing here allocates.  A TpeKde points into arrays the caller
** owns (see tpeKdeSize).
*/
#ifndef TPE_MODEL_H
#define TPE_MODEL_H

#include <math.h>

#include "tpe_rng.h"
#include "tpe_space.h"

/* How one parameter is represented in model space. */
typedef struct TpeDim TpeDim;
struct TpeDim {
  const TpeParam *pParam; /* the parameter, not owned */
  int bCat;             /* 1: unordered labels (choice, pchoice) */
  int nLabel;           /* number of labels if bCat */
  int bLog;             /* 1: modelled as the logarithm of the value */
  int bBounded;         /* 1: kernels truncated to [rLow, rHigh] */
  double rLow;          /* lower bound in model space, if bBounded */
  double rHigh;         /* upper bound in model space, if bBounded */
  double rQ;            /* grid step in model space (ordered grid kinds:
                        ** quniform, qnormal, uniformint, randint), else 0 */
  double rGridLow;      /* first grid value, if rQ > 0 and bBounded */
  double rGridHigh;     /* last grid value, if rQ > 0 and bBounded */
  double rQVal;         /* step applied to the value after exp (q-log
                        ** kinds), else 0 */
  double rFloor;        /* log kinds: values are raised to this before the
                        ** logarithm */
  double rMid;          /* centre of the prior kernel, model space */
  double rRange;        /* width of the prior kernel, model space: the
                        ** bounded range, or sigma for normal kinds */
};

/* Settings of one fit. */
typedef struct TpeKdeCfg TpeKdeCfg;
struct TpeKdeCfg {
  int bConsiderEndpoints; /* univariate rule: bounds count as neighbours */
  double rPriorWeight;  /* weight of the prior kernel, > 0 */
  int nForget;          /* observations weighted fully (0: all) */
  int nClip;            /* 0, or the count used instead of the number of
                        ** kernels in the minimum bandwidth (see below) */
};

/* A product-kernel density over nDim dimensions.  Kernel k, dimension d
** lives at index k*nDim + d of the per-kernel arrays.  The last kernel is
** the prior. */
typedef struct TpeKde TpeKde;
struct TpeKde {
  int nKernel;          /* observations + 1 */
  int nDim;             /* dimensions covered */
  const TpeDim *aDim;   /* nDim dimensions, not owned */
  double rCatBase;      /* label smoothing: each observation's kernel puts
                        ** mass rCatBase * nLabel * prior on the prior */
  double *aW;           /* nKernel weights, summing to one */
  double *aLogW;        /* their logarithms, NaN until tpeKdeLogPdf first
                        ** needs them */
  double rLogWMax;      /* bound on every aLogW: log of the largest
                        ** weight, rounded up */
  double *aMu;          /* centres (label index for bCat; -1 for the
                        ** prior kernel of a bCat dimension) */
  double *aSigma;       /* bandwidths, > 0 (unused for bCat) */
  double *aLogZ;        /* log of each kernel's mass inside the bounds;
                        ** NaN until tpeKdeLogPdf first needs it */
  double *aInvSigma;    /* 1 / aSigma (unused for bCat) */
  double *aLogC;        /* per kernel: log weight plus the parts of the
                        ** continuous dimensions' log densities that do
                        ** not depend on the point; an upper bound while
                        ** its log weight or some of its truncated masses
                        ** are not computed (aPend), exact once they are */
  int iWin;             /* numeric dimension whose sorted centres bound
                        ** the kernels worth visiting, or -1 */
  int bPlain;           /* 1: every dimension continuous, no grid */
  double rTol;          /* kernels below exp(-rTol) of the running
                        ** maximum are skipped */
  int *aOrd;            /* observation kernels sorted by centre on iWin */
  double *aSMu;         /* aMu of the kernels in aOrd order */
  double *aSInv;        /* aInvSigma in aOrd order */
  double *aSLogC;       /* aLogC in aOrd order */
  double *aGridC;       /* grid dimensions: log(q / sigma) - log(sqrt(2
                        ** pi)) per kernel and dimension */
  double *aLogSig;      /* log of aSigma (continuous dimensions) */
  unsigned char *aPend; /* per kernel: 1 while its log weight or some
                        ** truncated mass of it is not computed */
  double *aCatLog;      /* 2 x nDim scratch of tpeKdeLogPdf: per label
                        ** dimension, the log factor of a kernel on the
                        ** point's label and of one on another label */
  double *aWinBound;    /* 4 x nKernel: for sorted position i, the
                        ** inverse of the widest bandwidth on iWin and
                        ** the largest aLogC among positions >= i, then
                        ** among positions <= i */
};

/* Fill *pDim for parameter p. */
void tpeDimInit(TpeDim *pDim, const TpeParam *p);

/* Model-space coordinate of value v (label index for labels).  Inline:
** it is called for every value a fit reads. */
static inline double tpeDimObs(const TpeDim *pDim, double v){
  if( pDim->bLog ){
    if( !(v >= pDim->rFloor) ) v = pDim->rFloor;
    return log(v);
  }
  return v;
}

/* The value (in the encoding of tpe_space.h) of model-space coordinate
** x, rounded to the grid and kept inside the space. */
double tpeDimValue(const TpeDim *pDim, double x);

/* Number of doubles a TpeKde of nObs observations over nDim dimensions
** needs (see tpeKdeInit). */
int64_t tpeKdeSize(int nObs, int nDim);

/* Point the arrays of *pKde into aBuf, tpeKdeSize(nObs, nDim) doubles. */
void tpeKdeInit(TpeKde *pKde, const TpeDim *aDim, int nDim, int nObs,
                double *aBuf);

/*
** Sort the observations along each dimension that is not a label one:
** aOrd[d*nObs .. d*nObs + nObs-1] gets the indices of aObs's rows (nObs x
** nDim, row-major) by ascending coordinate d, ties by index.  aCol (nObs
** doubles) and aTmp (nObs ints) are scratch.
*/
void tpeKdeSortObs(const TpeDim *aDim, int nDim, const double *aObs,
                   int nObs, double *aCol, int *aOrd, int *aTmp);

/* Sort 0..n-1 by aKey ascending, ties by index, into aIdx; aTmp is n ints
** of scratch. */
void tpeSortByKey(const double *aKey, int n, int *aIdx, int *aTmp);

/*
** Fit pKde to nObs observations aObs (row-major, nObs x nDim, model
** space, oldest first), sorted along each dimension as tpeKdeSortObs
** sorts them (aOrd; any source giving the same order will do).  The
** observations are weighted by aWeight (nObs values) or, if aWeight is
** NULL, by linear forgetting of the oldest.  pKde must come from
** tpeKdeInit with at least nObs.
*/
void tpeKdeFit(TpeKde *pKde, const double *aObs, int nObs,
               const double *aWeight, const TpeKdeCfg *pCfg,
               const int *aOrd);

/*
** Log density (log mass for grid and label dimensions) of model-space
** point x[0..nDim-1].  Kernels below exp(-rTol) = exp(-30) / nKernel of
** the largest are skipped (the centres sorted along dimension iWin bound
** them without visiting them), so the result differs from the sum over
** every kernel by less than exp(-30), about 1e-13, relative.  Truncated
** masses first needed here are computed and kept in pKde, so the call
** writes to pKde's arrays although the result depends only on the fit.
*/
double tpeKdeLogPdf(const TpeKde *pKde, const double *x);

/*
** The same for a caller that needs the log density only where it is below
** rStop: returns it there, as tpeKdeLogPdf computes it, to the bit, and
** +INFINITY elsewhere, as soon as the kernels summed so far reach rStop
** (they never sum above the density).
*/
double tpeKdeLogPdfUntil(const TpeKde *pKde, const double *x, double rStop);

/* The same density summed over every kernel, the plain way: the reference
** the tests hold tpeKdeLogPdf to. */
double tpeKdeLogPdfPlain(const TpeKde *pKde, const double *x);

/* Log of kernel k's factor for dimension d at model-space coordinate x. */
double tpeKdeLogKernel(const TpeKde *pKde, int k, int d, double x);

/* Draw a model-space point into x[0..nDim-1], on the grid for grid
** dimensions. */
void tpeKdeSample(const TpeKde *pKde, TpeRng *pRng, double *x);

/* Log of the mass a normal (mu, sigma) puts on [lo, hi], lo <= hi,
** accurate in both tails. */
double tpeLogNormalMass(double lo, double hi, double mu, double sigma);

/* The k-th point (k >= 0) of the Halton sequence in dimension d (base:
** the (d+1)-th prime), in [0, 1). */
double tpeHalton(uint64_t k, int d);

#endif /* TPE_MODEL_H */
