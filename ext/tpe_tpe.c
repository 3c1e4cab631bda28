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
** Without compat the only difference for now is that failed trials are
** left out of the model altogether, while pending trials still count as
** +inf in the bad set (a "constant liar" that steers parallel workers
** apart).  Later improvements plug in through TpeTpeCfg.
**
** Memory: one block per suggestion, sized by the number of trials, holds
** every array; nothing is allocated per parameter or per candidate.
*/
#include "tpe_algo.h"
#include "tpe_parzen.h"

#include <math.h>
#include <string.h>

#include "tpe_sqlite.h"

/* hyperopt caps the good set at 25 trials (its gamma_cap). */
#define TPE_BELOW_CAP 25

/* Model settings of one suggestion, derived from TpeOptions. */
typedef struct TpeTpeCfg TpeTpeCfg;
struct TpeTpeCfg {
  int nStartup;         /* below this many trials, sample the prior */
  int nCandidates;      /* draws from l(x) per parameter, >= 1 */
  double rGamma;        /* good set size is ceil(rGamma * sqrt(N)) ... */
  int nBelowCap;        /* ... but at most this many trials */
  int bDropFailed;      /* 1: TPE_FAIL trials are not modelled at all */
  int nMaxHistory;      /* 0, or read only this many most recent trials */
  TpeParzenCfg parzen;  /* settings of the estimators */
};

/* Scratch of one suggestion: views into a single allocation. */
typedef struct TpeWork TpeWork;
struct TpeWork {
  int nUse;             /* number of trials the model reads */
  int *aUse;            /* their rows in the history, ascending id */
  unsigned char *aGood; /* aGood[i] is 1 if trial aUse[i] is good */
  int *aWork;           /* nUse ints of sorting scratch */
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
}

/*
** Choose the trials the model reads: all of them in compat mode, else all
** but the failed ones; then at most nMaxHistory of the most recent.
** Writes their rows to aUse and returns how many.
*/
static int tpeSelectTrials(const TpeTpeCfg *pCfg, const TpeHistory *pHist,
                           int *aUse){
  int i, n = 0;

  for(i = 0; i < pHist->nTrial; i++){
    if( pCfg->bDropFailed && pHist->aStatus[i] == TPE_FAIL ) continue;
    aUse[n++] = i;
  }
  if( pCfg->nMaxHistory > 0 && n > pCfg->nMaxHistory ){
    int nSkip = n - pCfg->nMaxHistory;
    memmove(aUse, aUse + nSkip, sizeof(int) * pCfg->nMaxHistory);
    n = pCfg->nMaxHistory;
  }
  return n;
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
  tpeArgsort(aLoss, n, pW->aWork);
  nBelow = (int)ceil(pCfg->rGamma * sqrt((double)n));
  if( nBelow > pCfg->nBelowCap ) nBelow = pCfg->nBelowCap;
  if( nBelow > n ) nBelow = n;
  if( nBelow < 0 ) nBelow = 0;
  memset(pW->aGood, 0, n);
  for(i = 0; i < nBelow; i++) pW->aGood[pW->aWork[i]] = 1;
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
  memset(pBlock, 0, nByte);
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
  int i, nLabel = 1;

  tpeTpeCfgInit(&cfg, &pSpace->opt);
  for(i = 0; i < pSpace->nParam; i++){
    const TpeParam *p = &pSpace->aParam[i];
    if( tpeKindIsCategorical(p->eKind) && p->nLabel > nLabel ){
      nLabel = p->nLabel;
    }
  }
  memset(&w, 0, sizeof(w));
  pBlock = tpeWorkAlloc(&w, pHist->nTrial, cfg.nCandidates, nLabel);
  if( pBlock == 0 ) return SQLITE_NOMEM;
  w.nUse = tpeSelectTrials(&cfg, pHist, w.aUse);
  if( w.nUse < cfg.nStartup ){
    sqlite3_free(pBlock);
    return tpeSuggestRand(pSpace, pHist, pRng, aOut);
  }

  /* The good observations' array doubles as the loss scratch. */
  tpeSplit(&cfg, pHist, &w, w.aObsG);

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
