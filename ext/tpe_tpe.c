/*
** tpe_tpe.c: the Tree-structured Parzen Estimator, tpeSuggestTpe().
**
** With the option compat = 1 this is hyperopt 0.3's tpe.suggest:
**
**   1. Read the trials in id order.  A trial without a loss (pending or
**      failed) counts with loss +inf.  Fewer than n_startup trials: draw
**      from the prior instead.
**   2. Rank the losses (numpy's argsort, ties included) and call the first
**      min(ceil(gamma*sqrt(N)), 25) trials good, the rest bad.
**   3. Walk the parameters parents first.  For an active parameter, fit
**      one estimator to its values in the good trials where it was active,
**      and one to its values in the bad ones (tpe_parzen.c); draw
**      n_candidates values from the good one and keep the value with the
**      highest log l(x) - log g(x), the first on ties.  A choice is fixed
**      before its children are considered, so only the chosen branch is
**      drawn; parameters of other branches stay NaN.
**
** Without compat (the default) the same skeleton drives the densities of
** tpe_model.c, with these differences, each an option:
**
**   - start-up: the first n_startup (10) points come from a Halton
**     sequence shifted once per experiment (quasi_random);
**   - split: the good set is ceil(gamma * N) trials (gamma = 0.15), at
**     most 25; failed trials are left out; pending trials still count as
**     +inf in the bad set (a "constant liar" that steers parallel workers
**     apart) and are never good;
**   - l(x) weighs the good trial of loss rank r by exp(-r * rank_decay);
**   - kernels are truncated normals normalised one by one, grid kinds and
**     randint are ordered grids, the minimum bandwidth shrinks with all the
**     trials read (clip_by_trials) rather than with the good set alone;
**   - multivariate: parameters are taken in waves, each wave the
**     parameters whose parent is decided (all unconditional parameters
**     first, then the children of the chosen labels), and a wave is
**     modelled by one joint density and scored as whole points; every
**     univariate_every-th suggestion (by number of trials read, counted
**     before max_history leaves the oldest bad ones out) models each
**     parameter alone instead, which helps when the best point sits on a
**     bound.
**
** Memory: a block or two per suggestion, sized by the number of trials the
** model reads (with max_history, not by the history), hold every array;
** nothing is allocated per parameter or per candidate.
*/
#include "tpe_algo.h"
#include "tpe_model.h"
#include "tpe_parzen.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "tpe_sqlite.h"

/* hyperopt caps the good set at 25 trials (its gamma_cap). */
#define TPE_BELOW_CAP 25

/* The own model walks the history's per-parameter orders rather than sort
** its observations while the orders hold at most this many times the
** trials of a density pair (tpeOwnOrders). */
#define TPE_ORD_RATIO 8

/* With max_history, the history keeps sorted only its newest rows, this
** many times the trials a capped model reads. */
#define TPE_ORD_WINDOW 2

/* A candidate whose score is known to fall this far below the best so far
** is not scored further: scores are differences of log densities of order
** one to a hundred, whose rounding errors are below 1e-13. */
#define TPE_PRUNE_MARGIN 1e-9

/* Model settings of one suggestion, derived from TpeOptions. */
typedef struct TpeTpeCfg TpeTpeCfg;
struct TpeTpeCfg {
  int nStartup;         /* below this many trials, sample the prior */
  int nCandidates;      /* draws from l(x) per parameter, >= 1 */
  double rGamma;        /* good set size is ceil(rGamma * sqrt(N)) ... */
  int nBelowCap;        /* ... but at most this many trials */
  int bDropFailed;      /* 1: TPE_FAIL trials are not modelled at all */
  int nMaxHistory;      /* 0, or model only this many most recent bad
                        ** trials (every good trial is kept) */
  TpeParzenCfg parzen;  /* settings of the estimators */
  int bCompat;          /* 1: hyperopt's estimators; 0: tpe_model.c's */
  int bLinearSplit;     /* 1: good set is ceil(rGamma * N), capped */
  int bQuasiStartup;    /* 1: start-up points from a shifted Halton
                        ** sequence instead of the prior */
  int bMultivariate;    /* 1: model parameters active together jointly */
  int nUnivariateEvery; /* with bMultivariate, suggestions made while the
                        ** number of trials read (TpeWork.nRead) is a
                        ** multiple of this model each parameter alone;
                        ** 0: never */
  int bClipByTrials;    /* 1: minimum bandwidth from all trials read */
  double rRankDecay;    /* good trial of loss rank r weighs
                        ** exp(-r * rRankDecay) in l(x) */
  TpeKdeCfg kde;        /* settings of tpe_model.c's densities */
  int bExhaustive;      /* 1: score every candidate in full */
};

/* Scratch of one suggestion: views into a single allocation. */
typedef struct TpeWork TpeWork;
struct TpeWork {
  int nUse;             /* number of trials the model reads */
  int nRead;            /* trials read before max_history left out the
                        ** oldest bad ones */
  int *aUse;            /* their rows in the history, ascending id */
  unsigned char *aGood; /* aGood[i] is 1 if trial aUse[i] is good */
  int *aWork;           /* nUse ints: positions by ascending loss after
                        ** tpeSplit (only the good ones in order, without
                        ** compat) */
  int nGood;            /* good trials, the first nGood of aWork */
  double *aObsG;        /* one parameter's good observations */
  double *aObsB;        /* one parameter's bad observations */
  TpeMixture mixG;      /* l(x), arrays of nUse + 1 */
  TpeMixture mixB;      /* g(x), arrays of nUse + 1 */
  double *aCand;        /* nCandidates candidate values */
  double *aScore;       /* their scores */
  double *aPG;          /* categorical posterior of the good trials */
  double *aPB;          /* categorical posterior of the bad trials */
};

static void tpeTpeCfgInit(TpeTpeCfg *pCfg, const TpeOptions *pOpt){
  memset(pCfg, 0, sizeof(*pCfg));
  pCfg->nStartup = pOpt->nStartup;
  pCfg->nCandidates = pOpt->nCandidates > 0 ? pOpt->nCandidates : 1;
  pCfg->rGamma = pOpt->rGamma;
  pCfg->nBelowCap = TPE_BELOW_CAP;
  pCfg->bDropFailed = !pOpt->bCompat;
  pCfg->nMaxHistory = pOpt->nMaxHistory;
  pCfg->parzen.rPriorWeight = pOpt->rPriorWeight;
  pCfg->parzen.nForget = pOpt->nForget;
  pCfg->bCompat = pOpt->bCompat;
  pCfg->bLinearSplit = !pOpt->bCompat;
  pCfg->bQuasiStartup = !pOpt->bCompat && pOpt->bQuasiRandom;
  pCfg->bMultivariate = pOpt->bMultivariate;
  pCfg->nUnivariateEvery = pOpt->nUnivariateEvery;
  pCfg->bClipByTrials = pOpt->bClipByTrials;
  pCfg->rRankDecay = pOpt->rRankDecay;
  pCfg->kde.bConsiderEndpoints = pOpt->bConsiderEndpoints;
  pCfg->kde.rPriorWeight = pOpt->rPriorWeight;
  pCfg->kde.nForget = pOpt->nForget;
  pCfg->bExhaustive = pOpt->bExhaustive;
}

/*
** Choose the trials the model reads: all of them in compat mode, else all
** but the failed ones.  Writes their rows to aUse and returns how many.
*/
static int tpeSelectTrials(const TpeTpeCfg *pCfg, const TpeHistory *pHist,
                           int *aUse){
  int i, n = 0;

  for(i = 0; i < pHist->nTrial; i++){
    if( pCfg->bDropFailed && pHist->aStatus[i] == TPE_FAIL ) continue;
    aUse[n++] = i;
  }
  return n;
}

/*
** With max_history, keep every good trial but only the nMaxHistory most
** recent bad ones, so that the cost of a suggestion stops growing with
** the history while the best trials found so far stay in the model.
*/
static void tpeCapBad(const TpeTpeCfg *pCfg, TpeWork *pW){
  double *aNew = pW->aObsB;     /* free until tpeGather: new positions */
  int i, n = 0, nBad = 0, nSkip;

  if( pCfg->nMaxHistory <= 0 ) return;
  for(i = 0; i < pW->nUse; i++) nBad += !pW->aGood[i];
  nSkip = nBad - pCfg->nMaxHistory;
  if( nSkip <= 0 ) return;
  for(i = 0; i < pW->nUse; i++){
    if( !pW->aGood[i] && nSkip > 0 ){
      nSkip--;
      aNew[i] = -1;
      continue;
    }
    aNew[i] = n;
    pW->aUse[n] = pW->aUse[i];
    pW->aGood[n] = pW->aGood[i];
    n++;
  }
  /* Keep the loss order of the trials that remain (tpeSplit's aWork). */
  for(i = 0, nBad = 0; i < pW->nUse; i++){
    double rNew = aNew[pW->aWork[i]];
    if( rNew >= 0 ) pW->aWork[nBad++] = (int)rNew;
  }
  pW->nUse = n;
}

/*
** The split without compat: the ceil(gamma n) lowest losses (at most the
** cap, never a trial without a loss) are good, ties going to the earlier
** trial.  Only the good trials need an order, so they are selected in
** one pass instead of sorting the whole history: aWork gets the good
** positions by ascending loss, then the others in trial order.
*/
static void tpeSplitSelect(const TpeTpeCfg *pCfg, TpeWork *pW,
                           const double *aLoss){
  int n = pW->nUse, nOk = 0, nSel = 0, nBelow, i, j;
  int *aSel = pW->aWork;

  for(i = 0; i < n; i++) nOk += aLoss[i] < INFINITY;
  nBelow = (int)ceil(pCfg->rGamma * (double)n);
  if( nBelow > nOk ) nBelow = nOk;
  if( nBelow > pCfg->nBelowCap ) nBelow = pCfg->nBelowCap;
  if( nBelow < 0 ) nBelow = 0;
  for(i = 0; i < n && nBelow > 0; i++){
    if( !(aLoss[i] < INFINITY) ) continue;
    if( nSel == nBelow && !(aLoss[i] < aLoss[aSel[nSel - 1]]) ) continue;
    if( nSel < nBelow ) nSel++;
    for(j = nSel - 1; j > 0 && aLoss[aSel[j - 1]] > aLoss[i]; j--){
      aSel[j] = aSel[j - 1];
    }
    aSel[j] = i;
  }
  memset(pW->aGood, 0, n);
  for(i = 0; i < nSel; i++) pW->aGood[aSel[i]] = 1;
  for(i = 0, j = nSel; i < n; i++){
    if( !pW->aGood[i] ) aSel[j++] = i;
  }
  pW->nGood = nSel;
}

/*
** Split the trials into good and bad by loss, as hyperopt's
** ap_split_trials: trials without a result rank as +inf, and numpy's
** argsort decides among equal losses.  aLoss is nUse doubles of scratch.
*/
static void tpeSplit(const TpeTpeCfg *pCfg, const TpeHistory *pHist,
                     TpeWork *pW, double *aLoss){
  int n = pW->nUse;
  int i, nBelow;

  for(i = 0; i < n; i++){
    int r = pW->aUse[i];
    aLoss[i] = pHist->aStatus[r] == TPE_OK ? pHist->aLoss[r] : INFINITY;
  }
  if( pCfg->bLinearSplit ){
    tpeSplitSelect(pCfg, pW, aLoss);
    return;
  }
  tpeArgsort(aLoss, n, pW->aWork);
  nBelow = (int)ceil(pCfg->rGamma * sqrt((double)n));
  if( nBelow > pCfg->nBelowCap ) nBelow = pCfg->nBelowCap;
  if( nBelow > n ) nBelow = n;
  if( nBelow < 0 ) nBelow = 0;
  memset(pW->aGood, 0, n);
  for(i = 0; i < nBelow; i++) pW->aGood[pW->aWork[i]] = 1;
  pW->nGood = nBelow;
}

/*
** tpeSelectTrials, tpeSplit and tpeCapBad at once, without compat and with
** max_history, from the history's loss order rather than a pass over
** every trial: the good trials are the first of aByLoss, and the bad ones
** kept the nMaxHistory newest trials that neither failed nor are good.
** pW ends up exactly as the three would leave it; the cost is that of
** the trials kept (and of failed ones among them), not of the history.
*/
static void tpeSelectRecent(const TpeTpeCfg *pCfg, const TpeHistory *pHist,
                            TpeWork *pW){
  int aGood[TPE_BELOW_CAP];     /* good rows by ascending row */
  int nRead = pHist->nTrial - pHist->nFail;
  int nBelow = (int)ceil(pCfg->rGamma * (double)nRead);
  int nUse = 0, nBad = 0, g, r, i, j;

  if( nBelow > pHist->nByLoss ) nBelow = pHist->nByLoss;
  if( nBelow > pCfg->nBelowCap ) nBelow = pCfg->nBelowCap;
  if( nBelow < 0 ) nBelow = 0;
  for(i = 0; i < nBelow; i++){
    int iRow = pHist->aByLoss[i];
    for(j = i; j > 0 && aGood[j - 1] > iRow; j--) aGood[j] = aGood[j - 1];
    aGood[j] = iRow;
  }

  /* Newest first into aUse, then reversed: bad rows until the cap, with
  ** the good rows among them; once the cap is reached, the good rows
  ** older than the last one taken. */
  g = nBelow - 1;
  for(r = pHist->nTrial - 1; r >= 0 && (nBad < pCfg->nMaxHistory || g >= 0);
      r--){
    if( g >= 0 && aGood[g] == r ){
      pW->aGood[nUse] = 1;
      pW->aUse[nUse++] = r;
      g--;
    }else if( nBad == pCfg->nMaxHistory ){
      r = aGood[g] + 1;
    }else if( pHist->aStatus[r] != TPE_FAIL ){
      pW->aGood[nUse] = 0;
      pW->aUse[nUse++] = r;
      nBad++;
    }
  }
  for(i = 0, j = nUse - 1; i < j; i++, j--){
    int t = pW->aUse[i];
    unsigned char c = pW->aGood[i];
    pW->aUse[i] = pW->aUse[j];
    pW->aUse[j] = t;
    pW->aGood[i] = pW->aGood[j];
    pW->aGood[j] = c;
  }

  /* aWork: the good positions by ascending loss, then the others. */
  for(i = 0; i < nBelow; i++){
    int lo = 0, hi = nUse - 1, iRow = pHist->aByLoss[i];
    while( pW->aUse[(lo + hi) / 2] != iRow ){
      if( pW->aUse[(lo + hi) / 2] < iRow ) lo = (lo + hi) / 2 + 1;
      else hi = (lo + hi) / 2 - 1;
    }
    pW->aWork[i] = (lo + hi) / 2;
  }
  for(i = 0, j = nBelow; i < nUse; i++){
    if( !pW->aGood[i] ) pW->aWork[j++] = i;
  }
  pW->nUse = nUse;
  pW->nRead = nRead;
  pW->nGood = nBelow;
}

/*
** Index of the highest score, the first on ties, as numpy's argmax: a NaN
** counts as the highest, so the first NaN wins.
*/
static int tpeArgmax(const double *a, int n){
  int i, iBest = 0;

  if( a[0] != a[0] ) return 0;
  for(i = 1; i < n; i++){
    if( a[i] != a[i] ) return i;
    if( a[i] > a[iBest] ) iBest = i;
  }
  return iBest;
}

/*
** Collect parameter iParam's values from the trials where it was active,
** oldest first, into aObsG (good trials) and aObsB (bad), mapped into
** model space through pDom unless pDom is NULL.
*/
static void tpeGather(const TpeHistory *pHist, const TpeWork *pW,
                      int iParam, const TpeDomain *pDom,
                      int *pnG, int *pnB){
  int i, nG = 0, nB = 0;

  for(i = 0; i < pW->nUse; i++){
    double v = pHist->aVal[(int64_t)pW->aUse[i] * pHist->nParam + iParam];
    if( v != v ) continue;
    if( pDom ) v = tpeDomainObs(pDom, v);
    if( pW->aGood[i] ){
      pW->aObsG[nG++] = v;
    }else{
      pW->aObsB[nB++] = v;
    }
  }
  *pnG = nG;
  *pnB = nB;
}

/* Best of the candidates for a choice, pchoice or randint parameter. */
static double tpeBestCategorical(const TpeTpeCfg *pCfg,
                                 const TpeHistory *pHist, TpeWork *pW,
                                 const TpeParam *p, int iParam,
                                 TpeRng *pRng){
  int nG, nB, i;
  int nCand = pCfg->nCandidates;

  tpeGather(pHist, pW, iParam, 0, &nG, &nB);
  tpeCatPosterior(p, pW->aObsG, nG, &pCfg->parzen, pW->aPG);
  tpeCatPosterior(p, pW->aObsB, nB, &pCfg->parzen, pW->aPB);
  for(i = 0; i < nCand; i++){
    int j = tpeRngCategorical(pRng, pW->aPG, p->nLabel);
    pW->aCand[i] = (double)j;
    pW->aScore[i] = log(pW->aPG[j]) - log(pW->aPB[j]);
  }
  return pW->aCand[tpeArgmax(pW->aScore, nCand)];
}

/* Best of the candidates for a numeric parameter. */
static double tpeBestNumeric(const TpeTpeCfg *pCfg, const TpeHistory *pHist,
                             TpeWork *pW, const TpeParam *p, int iParam,
                             TpeRng *pRng){
  TpeDomain dom;
  int nG, nB, i;
  int nCand = pCfg->nCandidates;

  tpeDomainInit(&dom, p);
  tpeGather(pHist, pW, iParam, &dom, &nG, &nB);
  tpeParzenFit(pW->aObsG, nG, dom.rPriorMu, dom.rPriorSigma, &pCfg->parzen,
               pW->aWork, &pW->mixG);
  tpeParzenFit(pW->aObsB, nB, dom.rPriorMu, dom.rPriorSigma, &pCfg->parzen,
               pW->aWork, &pW->mixB);
  tpeMixtureBound(&pW->mixG, &dom);
  tpeMixtureBound(&pW->mixB, &dom);
  for(i = 0; i < nCand; i++){
    double x = tpeMixtureSample(&pW->mixG, &dom, pRng);
    pW->aCand[i] = x;
    pW->aScore[i] = tpeMixtureLogPdf(&pW->mixG, &dom, x)
                  - tpeMixtureLogPdf(&pW->mixB, &dom, x);
  }
  return pW->aCand[tpeArgmax(pW->aScore, nCand)];
}

/*
** Carve the scratch arrays for nUse trials out of one allocation, which
** is returned (free with sqlite3_free) or NULL on out of memory.
*/
static void *tpeWorkAlloc(TpeWork *pW, int nUse, int nCand, int nLabel){
  sqlite3_int64 nDbl, nByte;
  double *aD;
  int *aI;
  void *pBlock;

  nDbl = 2 * (sqlite3_int64)nUse + 6 * ((sqlite3_int64)nUse + 1)
       + 2 * (sqlite3_int64)nCand + 2 * (sqlite3_int64)nLabel;
  nByte = nDbl * sizeof(double) + 2 * (sqlite3_int64)nUse * sizeof(int)
        + nUse + 1;
  pBlock = sqlite3_malloc64(nByte);
  if( pBlock == 0 ) return 0;
  /* Not cleared: every array is written before it is read. */
  aD = (double*)pBlock;
  pW->aObsG = aD;           aD += nUse;
  pW->aObsB = aD;           aD += nUse;
  pW->mixG.aW = aD;         aD += nUse + 1;
  pW->mixG.aMu = aD;        aD += nUse + 1;
  pW->mixG.aSigma = aD;     aD += nUse + 1;
  pW->mixB.aW = aD;         aD += nUse + 1;
  pW->mixB.aMu = aD;        aD += nUse + 1;
  pW->mixB.aSigma = aD;     aD += nUse + 1;
  pW->aCand = aD;           aD += nCand;
  pW->aScore = aD;          aD += nCand;
  pW->aPG = aD;             aD += nLabel;
  pW->aPB = aD;             aD += nLabel;
  aI = (int*)aD;
  pW->aUse = aI;            aI += nUse;
  pW->aWork = aI;           aI += nUse;
  pW->aGood = (unsigned char*)aI;
  return pBlock;
}

/**************************************************************************
** sqlite-tpe's own TPE (compat = 'none'): the product-kernel densities of
** tpe_model.c over groups of parameters active together.
*/

/* Purpose of the stream that shifts the Halton sequence of an experiment:
** one stream per experiment, shared by all its start-up points. */
#define TPE_STREAM_HALTON 0x48414c54

/* Scratch of one suggestion by the own model: views into one block. */
typedef struct TpeOwn TpeOwn;
struct TpeOwn {
  TpeDim *aDim;         /* dimensions of the current group */
  int *aGroup;          /* parameters of the current group */
  int *aIdx;            /* nUse ints of scratch for the sorts */
  int *aRowKer;         /* NULL, or per row of the history's ordered
                        ** window, from iRowBase on: its good kernel k as
                        ** -2 - k, its bad kernel k as k, or -1 */
  int iRowBase;         /* the window's first row; INT_MAX without
                        ** aRowKer, so that no row maps */
  int *aOrdG;           /* good observations sorted per dimension */
  int *aOrdB;           /* bad observations sorted per dimension */
  unsigned char *aDone; /* 1: parameter decided in an earlier wave, 2: in
                        ** the current one, 0: not yet */
  double *aObsG;        /* good observations, nUse x group size */
  double *aWG;          /* weights of the good observations, or NULL */
  double *aRankW;       /* weight of each used trial by its loss rank */
  double *aObsB;        /* bad observations, nUse x group size */
  double *aCand;        /* nCandidates candidates, group size each */
  double *aCandL;       /* their log l(x), NaN for a repeated point */
  double *aCandKey;     /* sort keys of the candidates after the first */
  int *aCandOrd;        /* the distinct candidates, by index */
  int *aCandIdx;        /* their scoring order (see tpeOwnGroup) */
  int *aCandTmp;        /* scratch of the sort */
  double *aBest;        /* the best candidate so far, group size */
  double *aCol;         /* nUse doubles of scratch for the fit */
  double *aKdeG;        /* buffer of l(x) */
  double *aKdeB;        /* buffer of g(x) */
};

/*
** A start-up point: coordinate i of point k of the Halton sequence,
** shifted modulo 1 by an offset drawn once per experiment, mapped through
** each parameter's bounds.  Normal kinds, which have no bounds, draw from
** their prior.  k is the number of trials already in the history.
*/
static void tpeQuasiPoint(const TpeSpace *pSpace, int64_t k, TpeRng *pRng,
                          double *aOut){
  TpeRng shift;
  int i;

  tpeRngInit(&shift, pSpace->opt.iSeed, 0, TPE_STREAM_HALTON);
  for(i = 0; i < pSpace->nParam; i++){
    const TpeParam *p = &pSpace->aParam[i];
    double u = tpeHalton((uint64_t)k, i) + tpeRngUniform(&shift);
    TpeDim dim;
    if( u >= 1.0 ) u -= 1.0;
    tpeDimInit(&dim, p);
    aOut[i] = NAN;
    if( dim.bCat ){
      double acc = 0.0;
      int j;
      for(j = 0; j < p->nLabel - 1; j++){
        acc += p->aProb ? p->aProb[j] : 1.0 / p->nLabel;
        if( u < acc ) break;
      }
      aOut[i] = j;
    }else if( dim.bBounded ){
      aOut[i] = tpeDimValue(&dim, dim.rLow + (dim.rHigh - dim.rLow) * u);
    }
  }
  for(i = 0; i < pSpace->nParam; i++){
    int iParam = pSpace->aOrder[i];
    const TpeParam *p = &pSpace->aParam[iParam];
    if( !tpeParamActive(pSpace, iParam, aOut) ){
      aOut[iParam] = NAN;
    }else if( p->eKind >= TPE_NORMAL && p->eKind <= TPE_QLOGNORMAL ){
      aOut[iParam] = tpeSamplePrior(p, pRng);
    }
  }
}

/*
** Sort the good and the bad observations of the current group along each
** numeric dimension (as tpeKdeSortObs would) into pO->aOrdG and aOrdB.
** Where the history keeps the rows of every good (or bad) observation
** sorted (pHist->aOrd, its window) and the group's observations are not a
** small part of them, one walk through those rows does it; otherwise the
** observations are sorted here.  Kernels and rows go in the same order,
** so both ways break ties alike.
*/
static void tpeOwnOrders(const TpeHistory *pHist, TpeOwn *pO, int nGroup,
                         int nG, int nB){
  int d, i;

  for(d = 0; d < nGroup; d++){
    int iParam = pO->aGroup[d];
    int *aG = &pO->aOrdG[(int64_t)d * nG];
    int *aB = &pO->aOrdB[(int64_t)d * nB];
    int g = 0, b = 0;
    if( pO->aDim[d].bCat ) continue;
    if( pO->aRowKer && pHist->anOrd[iParam] <= TPE_ORD_RATIO * (nG + nB) ){
      /* Every kernel whose row is in the window, in order; a side with a
      ** kernel before the window is sorted over below. */
      const int *aRow = &pHist->aOrd[(int64_t)iParam * pHist->nOrdStride];
      const int *aRowKer = pO->aRowKer, iBase = pO->iRowBase;
      const int nRow = pHist->anOrd[iParam];
      for(i = 0; i < nRow; i++){
        int k = aRowKer[aRow[i] - iBase];
        if( k >= 0 ) aB[b++] = k;
        else if( k <= -2 ) aG[g++] = -2 - k;
      }
    }
    if( g < nG ){
      for(i = 0; i < nG; i++) pO->aCol[i] = pO->aObsG[(int64_t)i*nGroup + d];
      tpeSortByKey(pO->aCol, nG, aG, pO->aIdx);
    }
    if( b < nB ){
      for(i = 0; i < nB; i++) pO->aCol[i] = pO->aObsB[(int64_t)i*nGroup + d];
      tpeSortByKey(pO->aCol, nB, aB, pO->aIdx);
    }
  }
}

/* INT_MAX, or the cap plus the good trials (TPE_BELOW_CAP), times
** TPE_ORD_WINDOW. */
int tpeHistoryOrderWindow(const TpeSpace *pS){
  const TpeOptions *pOpt = &pS->opt;
  int64_t nWin;

  if( pOpt->eAlgo != TPE_ALGO_TPE || pOpt->bCompat ) return 0;
  if( pOpt->nMaxHistory <= 0 ) return INT_MAX;
  nWin = TPE_ORD_WINDOW * ((int64_t)pOpt->nMaxHistory + TPE_BELOW_CAP);
  return nWin < INT_MAX ? (int)nWin : INT_MAX;
}

/*
** Model the nGroup parameters pO->aGroup with one density over all of
** them and write the best of the candidates drawn from l(x) into aOut.
** A trial is an observation when every parameter of the group was active
** in it.
*/
static void tpeOwnGroup(const TpeTpeCfg *pCfg, const TpeSpace *pSpace,
                        const TpeHistory *pHist, const TpeWork *pW,
                        TpeOwn *pO, int nGroup, TpeRng *pRng,
                        double *aOut){
  TpeKde kdeG, kdeB;
  TpeKdeCfg kcfg = pCfg->kde;
  int nCand = pCfg->nCandidates;
  int nG = 0, nB = 0, i, d, c, nDistinct, iBest = -1, iFirst;
  int *aRowKer = pO->aRowKer, iBase = pO->iRowBase;
  double rBest = -INFINITY;

  for(d = 0; d < nGroup; d++){
    tpeDimInit(&pO->aDim[d], &pSpace->aParam[pO->aGroup[d]]);
  }
  for(i = 0; i < pW->nUse; i++){
    const double *aRow = &pHist->aVal[(int64_t)pW->aUse[i] * pHist->nParam];
    int r = pW->aUse[i] - iBase;
    double *aDst;
    for(d = 0; d < nGroup && !isnan(aRow[pO->aGroup[d]]); d++){}
    if( d < nGroup ) continue;
    if( pW->aGood[i] ){
      pO->aWG[nG] = pO->aRankW[i];
      if( r >= 0 ) aRowKer[r] = -2 - nG;
      aDst = &pO->aObsG[(int64_t)nG++ * nGroup];
    }else{
      if( r >= 0 ) aRowKer[r] = nB;
      aDst = &pO->aObsB[(int64_t)nB++ * nGroup];
    }
    for(d = 0; d < nGroup; d++){
      aDst[d] = tpeDimObs(&pO->aDim[d], aRow[pO->aGroup[d]]);
    }
  }

  /* Shortcoming: both densities are refitted for every suggestion
  ** (bandwidths, forgetting weights, constants: linear in the trials
  ** read), although one new trial changes few kernels.  Keeping them up
  ** to date between suggestions is what per-suggestion costs of tens of
  ** microseconds at 1,000 trials would need. */
  if( pCfg->bClipByTrials ) kcfg.nClip = nG + nB;
  tpeKdeInit(&kdeG, pO->aDim, nGroup, nG, pO->aKdeG);
  tpeKdeInit(&kdeB, pO->aDim, nGroup, nB, pO->aKdeB);
  tpeOwnOrders(pHist, pO, nGroup, nG, nB);
  for(i = 0; aRowKer && i < pW->nUse; i++){
    if( pW->aUse[i] >= iBase ) aRowKer[pW->aUse[i] - iBase] = -1;
  }
  tpeKdeFit(&kdeG, pO->aObsG, nG, pO->aWG, &kcfg, pO->aOrdG);
  tpeKdeFit(&kdeB, pO->aObsB, nB, 0, &kcfg, pO->aOrdB);
  /* Draw every candidate and its log l(x); a point drawn again (grid and
  ** label spaces) is left out, as it would score the same and lose the
  ** tie to its first draw. */
  for(c = nDistinct = 0; c < nCand; c++){
    double *aCand = &pO->aCand[(int64_t)c * nGroup];
    int e;
    tpeKdeSample(&kdeG, pRng, aCand);
    for(e = 0; e < c; e++){
      if( memcmp(&pO->aCand[(int64_t)e * nGroup], aCand,
                 sizeof(double) * nGroup) == 0 ) break;
    }
    pO->aCandL[c] = e < c ? NAN : tpeKdeLogPdf(&kdeG, aCand);
    if( e == c ) pO->aCandOrd[nDistinct++] = c;
  }

  /* The best is the highest log l(x) - log g(x), the first on ties; a NaN
  ** score of the first candidate makes it the best, as a comparison with
  ** NaN is false.  Candidates are scored by descending l(x) (the first
  ** one first if its l(x) is not finite, as only then can its score be
  ** NaN), the first of them in full, the others only until g(x) has grown
  ** enough that they score below the best so far (by a margin far above
  ** rounding), which cannot change the choice (an infinite best could
  ** tie: no stopping then).  With bExhaustive every score is in full. */
  iFirst = isfinite(pO->aCandL[0]) ? 0 : 1;
  for(c = iFirst; c < nDistinct; c++){
    pO->aCandKey[c - iFirst] = -pO->aCandL[pO->aCandOrd[c]];
  }
  tpeSortByKey(pO->aCandKey, nDistinct - iFirst, pO->aCandIdx,
               pO->aCandTmp);
  for(i = 0; i < nDistinct; i++){
    int iCand = i < iFirst ? 0
              : pO->aCandOrd[iFirst + pO->aCandIdx[i - iFirst]];
    const double *aCand = &pO->aCand[(int64_t)iCand * nGroup];
    double rL = pO->aCandL[iCand], rG, s;
    if( iBest < 0 || pCfg->bExhaustive || rBest == INFINITY ){
      rG = tpeKdeLogPdf(&kdeB, aCand);
    }else{
      rG = tpeKdeLogPdfUntil(&kdeB, aCand, rL - rBest + TPE_PRUNE_MARGIN);
      if( rG == INFINITY ) continue;
    }
    s = rL - rG;
    if( s != s ){
      if( iCand > 0 ) continue;
      iBest = 0;
      break;
    }
    if( iBest < 0 || s > rBest || (s == rBest && iCand < iBest) ){
      rBest = s;
      iBest = iCand;
    }
  }
  if( iBest < 0 ) iBest = 0;
  memcpy(pO->aBest, &pO->aCand[(int64_t)iBest * nGroup],
         sizeof(double) * nGroup);
  for(d = 0; d < nGroup; d++){
    aOut[pO->aGroup[d]] = tpeDimValue(&pO->aDim[d], pO->aBest[d]);
  }
}

/*
** Suggest by the own model once the split is made: walk the parameters in
** waves, each wave the parameters whose parent is decided, and model a
** wave jointly (multivariate) or each of its parameters alone.
*/
static int tpeOwnSuggest(const TpeTpeCfg *pCfg, const TpeSpace *pSpace,
                         const TpeHistory *pHist, const TpeWork *pW,
                         TpeRng *pRng, double *aOut){
  int nParam = pSpace->nParam;
  int nUse = pW->nUse;
  int bJoint = pCfg->bMultivariate
            && !(pCfg->nUnivariateEvery > 0
                 && pW->nRead % pCfg->nUnivariateEvery == 0);
  sqlite3_int64 nKde = tpeKdeSize(nUse, nParam);
  sqlite3_int64 nByte;
  /* Rows of the history's ordered window that map to kernels: only for
  ** walking its sorted orders, which pays when the model reads a large
  ** part of the window (see tpeOwnOrders). */
  int nWin = pHist->aOrd == 0 ? 0
           : pHist->nTrial < pHist->nOrdWin ? pHist->nTrial
           : pHist->nOrdWin;
  int nRowKer = nWin > 0 && nWin <= TPE_ORD_RATIO * nUse ? nWin : 0;
  TpeOwn o;
  char *pBlock;
  int i;

  nByte = sizeof(TpeDim) * (sqlite3_int64)nParam
        + sizeof(double) * (2 * (sqlite3_int64)nUse * nParam + 2 * nParam
                            + 3 * (sqlite3_int64)nUse + 2 * nKde
                            + (sqlite3_int64)pCfg->nCandidates
                              * (nParam + 2))
        + sizeof(int) * ((sqlite3_int64)nParam + nUse + nRowKer
                         + 2 * (sqlite3_int64)nUse * nParam
                         + 3 * (sqlite3_int64)pCfg->nCandidates) + nParam;
  pBlock = sqlite3_malloc64(nByte);
  if( pBlock == 0 ) return SQLITE_NOMEM;
  o.aDim = (TpeDim*)pBlock;
  o.aObsG = (double*)(o.aDim + nParam);
  o.aObsB = o.aObsG + (sqlite3_int64)nUse * nParam;
  o.aCand = o.aObsB + (sqlite3_int64)nUse * nParam;
  o.aBest = o.aCand + (sqlite3_int64)pCfg->nCandidates * nParam;
  o.aCol = o.aBest + nParam;
  o.aKdeG = o.aCol + nUse;
  o.aKdeB = o.aKdeG + nKde;
  o.aWG = o.aKdeB + nKde;
  o.aRankW = o.aWG + nUse;
  o.aCandL = o.aRankW + nUse;
  o.aCandKey = o.aCandL + pCfg->nCandidates;
  o.aGroup = (int*)(o.aCandKey + pCfg->nCandidates);
  o.aIdx = o.aGroup + nParam;
  o.aRowKer = nRowKer ? o.aIdx + nUse : 0;
  o.aOrdG = o.aIdx + nUse + nRowKer;
  o.aOrdB = o.aOrdG + (sqlite3_int64)nUse * nParam;
  o.aCandOrd = o.aOrdB + (sqlite3_int64)nUse * nParam;
  o.aCandIdx = o.aCandOrd + pCfg->nCandidates;
  o.aCandTmp = o.aCandIdx + pCfg->nCandidates;
  o.aDone = (unsigned char*)(o.aCandTmp + pCfg->nCandidates);
  o.iRowBase = nRowKer ? pHist->nTrial - nWin : INT_MAX;
  if( o.aRowKer ) memset(o.aRowKer, 0xff, sizeof(int) * nRowKer);
  memset(o.aDone, 0, nParam);
  for(i = 0; i < pW->nGood; i++){
    /* pW->aWork holds the good trials by ascending loss (tpeSplit); only
    ** their weights are read. */
    o.aRankW[pW->aWork[i]] = exp(-(double)i * pCfg->rRankDecay);
  }

  for(i = 0; i < nParam; i++) aOut[i] = NAN;
  for(;;){
    int nGroup = 0;
    for(i = 0; i < nParam; i++){
      int iParam = pSpace->aOrder[i];
      int iParent = pSpace->aParam[iParam].iParent;
      if( o.aDone[iParam] ) continue;
      /* A parent decided in this wave has no value yet: wait. */
      if( iParent >= 0 && o.aDone[iParent] != 1 ) continue;
      o.aDone[iParam] = 2;
      if( tpeParamActive(pSpace, iParam, aOut) ) o.aGroup[nGroup++] = iParam;
    }
    for(i = 0; i < nParam; i++){
      if( o.aDone[i] == 2 ) o.aDone[i] = 1;
    }
    if( nGroup == 0 ) break;
    if( bJoint ){
      tpeOwnGroup(pCfg, pSpace, pHist, pW, &o, nGroup, pRng, aOut);
    }else{
      int *aAll = o.aGroup;
      for(i = 0; i < nGroup; i++){
        o.aGroup = &aAll[i];
        tpeOwnGroup(pCfg, pSpace, pHist, pW, &o, 1, pRng, aOut);
      }
      o.aGroup = aAll;
    }
  }
  sqlite3_free(pBlock);
  return SQLITE_OK;
}

/*
** Suggest a point by TPE (see the file header).  Fills aOut[0..nParam-1]
** in the encoding of tpe_space.h.  Returns SQLITE_OK, or SQLITE_NOMEM
** with aOut unspecified.
*/
int tpeSuggestTpe(const TpeSpace *pSpace, const TpeHistory *pHist,
                  TpeRng *pRng, double *aOut){
  TpeTpeCfg cfg;
  TpeWork w;
  void *pBlock;
  int i, nLabel = 1, nWork, bRecent;

  tpeTpeCfgInit(&cfg, &pSpace->opt);
  for(i = 0; i < pSpace->nParam; i++){
    const TpeParam *p = &pSpace->aParam[i];
    if( tpeKindIsCategorical(p->eKind) && p->nLabel > nLabel ){
      nLabel = p->nLabel;
    }
  }
  memset(&w, 0, sizeof(w));
  /* A capped model of a history that keeps its loss order reads only the
  ** trials it models; otherwise every trial is read. */
  bRecent = !cfg.bCompat && cfg.nMaxHistory > 0 && pHist->aByLoss;
  nWork = pHist->nTrial;
  if( bRecent && nWork > cfg.nBelowCap + cfg.nMaxHistory ){
    nWork = cfg.nBelowCap + cfg.nMaxHistory;
  }
  pBlock = tpeWorkAlloc(&w, nWork, cfg.nCandidates, nLabel);
  if( pBlock == 0 ) return SQLITE_NOMEM;
  if( bRecent ){
    tpeSelectRecent(&cfg, pHist, &w);
  }else{
    w.nUse = w.nRead = tpeSelectTrials(&cfg, pHist, w.aUse);
  }
  if( w.nRead < cfg.nStartup ){
    sqlite3_free(pBlock);
    if( cfg.bQuasiStartup ){
      tpeQuasiPoint(pSpace, pHist->nTrial, pRng, aOut);
      return SQLITE_OK;
    }
    return tpeSuggestRand(pSpace, pHist, pRng, aOut);
  }

  if( !bRecent ){
    /* The good observations' array doubles as the loss scratch. */
    tpeSplit(&cfg, pHist, &w, w.aObsG);
    tpeCapBad(&cfg, &w);
  }
  if( !cfg.bCompat ){
    int rc = tpeOwnSuggest(&cfg, pSpace, pHist, &w, pRng, aOut);
    sqlite3_free(pBlock);
    return rc;
  }

  for(i = 0; i < pSpace->nParam; i++) aOut[i] = NAN;
  for(i = 0; i < pSpace->nParam; i++){
    int iParam = pSpace->aOrder[i];
    const TpeParam *p = &pSpace->aParam[iParam];
    if( !tpeParamActive(pSpace, iParam, aOut) ) continue;
    if( tpeKindIsCategorical(p->eKind) ){
      aOut[iParam] = tpeBestCategorical(&cfg, pHist, &w, p, iParam, pRng);
    }else{
      aOut[iParam] = tpeBestNumeric(&cfg, pHist, &w, p, iParam, pRng);
    }
  }
  sqlite3_free(pBlock);
  return SQLITE_OK;
}
