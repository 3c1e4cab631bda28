/*
** tpe_parzen.h: the adaptive Parzen estimators behind TPE.
**
** TPE models each parameter twice, once from the values of the good trials
** and once from the bad ones.  A numeric parameter is modelled by a mixture
** of normal kernels: one kernel per observation plus one for the prior,
** with bandwidths taken from the gaps between neighbouring observations
** (tpeParzenFit).  A categorical parameter is modelled by smoothed counts
** (tpeCatPosterior).  Both follow hyperopt 0.3 exactly, down to the order
** of floating-point operations where that is cheap, so that hyperopt's
** numbers can serve as golden data.
**
** Model space.  Log kinds (loguniform, lognormal and their q-forms) are
** modelled on the logarithm of the value; the others on the value itself.
** A TpeDomain, derived from a TpeParam, says how a value maps into model
** space, which bounds truncate the mixture and which quantum applies.
**
** Memory.  Nothing here allocates.  A TpeMixture points into arrays the
** caller owns, sized for the number of observations plus one.
**
** Speed.  A fitted mixture's means ascend, so a density at x only visits
** the kernels near x, found by binary search (see tpeMixtureLogPdf).
*/
#ifndef TPE_PARZEN_H
#define TPE_PARZEN_H

#include "tpe_rng.h"
#include "tpe_space.h"

/* Floor that keeps logarithms and divisions finite, as hyperopt's EPS. */
#define TPE_EPS 1e-12

/* How one numeric parameter is modelled. */
typedef struct TpeDomain TpeDomain;
struct TpeDomain {
  TpeKind eKind;        /* the parameter's kind */
  int bLog;             /* 1 if modelled as the logarithm of the value */
  int bBounded;         /* 1 if the mixture is truncated to [rLow, rHigh) */
  double rLow;          /* lower bound in model space, if bBounded */
  double rHigh;         /* upper bound in model space, if bBounded */
  double rLowNat;       /* lower bound as a value (exp(rLow) for log kinds) */
  double rHighNat;      /* upper bound as a value */
  double rQ;            /* quantum as a value, 0 for continuous kinds */
  double rFloor;        /* values are raised to this before the logarithm
                        ** (q-log kinds only, else 0) */
  double rPriorMu;      /* mean of the prior kernel, model space */
  double rPriorSigma;   /* bandwidth of the prior kernel, model space */
};

/* A mixture of normal kernels in model space.  The arrays are not owned. */
typedef struct TpeMixture TpeMixture;
struct TpeMixture {
  int n;                /* number of kernels: observations + 1 */
  int iPrior;           /* index of the prior kernel */
  double *aW;           /* n weights, summing to one */
  double *aMu;          /* n means, ascending */
  double *aSigma;       /* n bandwidths, all > 0 */
  double rZ;            /* the mixture's mass inside the bounds of the
                        ** domain, 1 when unbounded; see tpeMixtureBound() */
  int bFast;            /* 1 if the fields below hold and aMu ascends: the
                        ** density may skip far kernels (tpe_parzen.c) */
  double rWMax;         /* largest weight, the prior's left out */
  double rSMin;         /* smallest bandwidth, the prior's left out */
  double rSMax;         /* largest bandwidth, the prior's left out */
};

/* Settings of the estimators, derived from the experiment's options. */
typedef struct TpeParzenCfg TpeParzenCfg;
struct TpeParzenCfg {
  double rPriorWeight;  /* weight of the prior kernel or pseudo-count */
  int nForget;          /* observations weighted fully; older ones ramp
                        ** down linearly.  0 turns forgetting off */
};

/*
** Sort indexes 0..n-1 of a[] by value into aIdx[], NaN last, with the
** same algorithm as numpy's default argsort (introsort: median-of-three
** quicksort, insertion sort below 17 elements, heapsort past a depth
** limit).  Ties therefore come out in the order numpy 1.24 gives them,
** which decides hyperopt's good/bad split when losses tie.
*/
void tpeArgsort(const double *a, int n, int *aIdx);

/* Weight of observation i (0 is the oldest) of n under linear forgetting
** with nForget fully weighted observations. */
double tpeForgetWeight(int i, int n, int nForget);

/* Fill *pDom for numeric parameter p (not for categorical kinds). */
void tpeDomainInit(TpeDomain *pDom, const TpeParam *p);

/* Map value x of the parameter into model space. */
double tpeDomainObs(const TpeDomain *pDom, double x);

/*
** Fit the adaptive Parzen estimator to the nObs model-space observations
** aObs (oldest first).  The prior kernel (rPriorMu, rPriorSigma) is
** inserted among the sorted observations; each bandwidth is the larger
** gap to a neighbour, clipped to [rPriorSigma/min(100, nObs+2),
** rPriorSigma], and the prior keeps rPriorSigma.  Weights are the
** forgetting weights with rPriorWeight for the prior, normalized.
**
** Writes pMix->n = nObs + 1 kernels into pMix->aW, aMu and aSigma, which
** must hold nObs + 1 doubles each; aWork must hold nObs ints.  Sets
** rZ to 1; call tpeMixtureBound() for truncated domains.
*/
void tpeParzenFit(const double *aObs, int nObs, double rPriorMu,
                  double rPriorSigma, const TpeParzenCfg *pCfg,
                  int *aWork, TpeMixture *pMix);

/* Set pMix->rZ from the domain's bounds (1 if unbounded). */
void tpeMixtureBound(TpeMixture *pMix, const TpeDomain *pDom);

/* x rounded to the nearest multiple of q, halves to even (numpy's
** round), with -0 returned as 0. */
double tpeQuantize(double x, double q);

/* Normal CDF with the EPS floor on the scale, as hyperopt computes it. */
double tpeNormalCdf(double x, double mu, double sigma);

/*
** Log density (or, for quantized kinds, log probability mass of the
** quantum around x) of value x under the mixture, as hyperopt's
** GMM1_lpdf and LGMM1_lpdf compute it: continuous bounded kinds divide
** by the mass inside the bounds, log kinds score in log space (density of
** the value, without that division), quantized kinds integrate over
** [x - q/2, x + q/2] clipped to the bounds.  x is a value, not in model
** space.  May return -inf (no mass) or NaN.
*/
double tpeMixtureLogPdf(const TpeMixture *pMix, const TpeDomain *pDom,
                        double x);

/*
** The same log density evaluated over every kernel, as written above.
** tpeMixtureLogPdf() skips the kernels too far from x to matter: for
** quantized kinds only those whose mass at x rounds to exactly 0, so the
** result is the same to the bit; for continuous kinds those below
** exp(-64) of the largest term, so the result agrees to about 1e-15.
** tests/test_fast.c checks both claims against this function.
*/
double tpeMixtureLogPdfPlain(const TpeMixture *pMix, const TpeDomain *pDom,
                             double x);

/*
** One value drawn from the mixture: a kernel by weight, then a normal
** deviate; truncated domains redraw both until the deviate falls in
** [rLow, rHigh).  Log kinds return exp of the draw, quantized kinds round
** to a multiple of q (half to even).
*/
double tpeMixtureSample(const TpeMixture *pMix, const TpeDomain *pDom,
                        TpeRng *pRng);

/*
** Posterior probabilities of the nLabel labels of categorical parameter p
** given nObs observed label indexes aObs (oldest first): forgetting
** weights summed per label, plus rPriorWeight per label (choice,
** randint) or nLabel*rPriorWeight*prob (pchoice), normalized.  Writes
** aP[0..nLabel-1].
*/
void tpeCatPosterior(const TpeParam *p, const double *aObs, int nObs,
                     const TpeParzenCfg *pCfg, double *aP);

#endif /* TPE_PARZEN_H */
