/*
** tpe_algo.h: the suggestion algorithms and the history they read.
**
** The virtual table loads an experiment's trials into a TpeHistory and asks
** tpeSuggest() for the next point.  The algorithms are pure functions of
** the space, the history and the random stream of the new trial, so that
** the same seed and the same history always give the same suggestion.
*/
#ifndef TPE_ALGO_H
#define TPE_ALGO_H

#include <stdint.h>

#include "tpe_rng.h"
#include "tpe_space.h"

/* Trial states, as stored. */
#define TPE_PENDING 0   /* suggested or inserted, no result yet */
#define TPE_OK      1   /* evaluated, has a finite loss */
#define TPE_FAIL    2   /* evaluation failed; kept but not modelled */

/* Streams of one trial (the iPurpose argument of tpeRngInit). */
#define TPE_STREAM_SUGGEST 1

typedef struct TpeHistory TpeHistory;
struct TpeHistory {
  int nTrial;           /* number of trials */
  int nParam;           /* parameters per trial (the space's nParam) */
  int64_t *aId;         /* trial ids, ascending */
  int *aStatus;         /* TPE_PENDING, TPE_OK or TPE_FAIL per trial */
  double *aLoss;        /* loss of TPE_OK trials, NaN otherwise */
  double *aVal;         /* nTrial x nParam values, row-major, in the
                        ** encoding of tpe_space.h (NaN if inactive) */
  int *aByLoss;         /* NULL, or the nByLoss rows whose status is
                        ** TPE_OK and loss below +inf, by ascending loss,
                        ** ties by row, so that TPE can split the trials
                        ** without reading every one */
  int nByLoss;          /* with aByLoss: its entries */
  int nFail;            /* with aByLoss: trials whose status is TPE_FAIL */
  int *aOrd;            /* NULL (always NULL without aByLoss), or per
                        ** parameter p, at aOrd + p * nOrdStride, the
                        ** anOrd[p] rows among the newest nOrdWin where p
                        ** is active, by ascending model-space value
                        ** (tpe_model.h's tpeDimObs), ties by row: kept by
                        ** the cache so that TPE's fits need not sort */
  int *anOrd;           /* with aOrd: entries per parameter */
  int nOrdStride;       /* with aOrd: distance between parameters */
  int nOrdWin;          /* with aOrd: rows ordered (tpeHistoryOrderWindow),
                        ** INT_MAX for every row */
};

/*
** Give the history pHist, whose arrays hold nAlloc trials, its loss order
** (aByLoss, nByLoss, nFail) and, if tpeHistoryOrderWindow says so, its
** per-parameter orders (aOrd, anOrd, nOrdStride, nOrdWin); the arrays are
** freed with sqlite3_free.  Returns SQLITE_OK or SQLITE_NOMEM, leaving the
** arrays to free either way.
*/
int tpeHistoryOrder(const TpeSpace *pS, TpeHistory *pHist, int nAlloc);

/* Insert row iRow, just added after every other row, into the orders of
** pHist, which has a loss order and room for the row; the row that leaves
** the window of the per-parameter orders leaves them. */
void tpeHistoryOrderAppend(const TpeSpace *pS, TpeHistory *pHist, int iRow);

/* Give row iRow of pHist, which has a loss order, the status eStatus and
** the loss rLoss (NaN unless eStatus is TPE_OK), keeping aByLoss and
** nFail. */
void tpeHistoryOrderSet(TpeHistory *pHist, int iRow, int eStatus,
                        double rLoss);

/*
** How many of the newest rows of a history in space pS tpeSuggestTpe
** wants kept sorted per parameter: 0 for none (compat and the other
** algorithms never read them), INT_MAX for every row (a model without
** max_history reads every trial), else a window that holds the trials a
** capped model reads unless many of the newest failed.
*/
int tpeHistoryOrderWindow(const TpeSpace *pS);

/*
** Suggest the point for trial iTrial: fill aOut[0..nParam-1] in the
** encoding of tpe_space.h.  The random stream is (seed, iTrial).  Returns
** SQLITE_OK or SQLITE_NOMEM; nothing else can go wrong once a space parsed.
*/
int tpeSuggest(const TpeSpace *pSpace, const TpeHistory *pHist,
               int64_t iTrial, double *aOut);

/* The algorithms behind tpeSuggest(), each drawing from pRng. */
int tpeSuggestRand(const TpeSpace*, const TpeHistory*, TpeRng*, double*);
int tpeSuggestTpe(const TpeSpace*, const TpeHistory*, TpeRng*, double*);
int tpeSuggestAnneal(const TpeSpace*, const TpeHistory*, TpeRng*, double*);

/* One draw from parameter p's prior, in the encoding of tpe_space.h, with
** hyperopt's semantics (quantized kinds rounded to multiples of q, log
** kinds exp of a uniform or normal, labels by their probabilities). */
double tpeSamplePrior(const TpeParam *p, TpeRng *pRng);

#endif /* TPE_ALGO_H */
