/*
** tpe_space.h: an experiment's search space and options.
**
** The declaration of an experiment is the argument list of its CREATE
** VIRTUAL TABLE statement.  Each argument is either a parameter,
**
**     lr loguniform(1e-5, 1e-1)
**     momentum uniform(0, 0.99) WHEN optimizer = 'sgd'
**
** or an option, `key = value`.  tpeSpaceParse() turns the arguments into a
** TpeSpace, which the samplers, the algorithms and the virtual table share.
** This file knows nothing of SQLite's virtual-table machinery.
**
** Values.  Inside sqlite-tpe a point of the space is an array of doubles,
** one per parameter in declared order.  A numeric parameter holds its value;
** a choice, pchoice or randint parameter holds the index of its label (for
** randint, value - low); an inactive parameter holds NaN.  Labels become SQL
** values again only at the edges (rows and JSON).
*/
#ifndef TPE_SPACE_H
#define TPE_SPACE_H

#include <stdint.h>

typedef enum TpeKind {
  TPE_UNIFORM = 0,      /* uniform(low, high) */
  TPE_QUNIFORM,         /* quniform(low, high, q) */
  TPE_LOGUNIFORM,       /* loguniform(low, high), natural bounds */
  TPE_QLOGUNIFORM,      /* qloguniform(low, high, q) */
  TPE_NORMAL,           /* normal(mu, sigma) */
  TPE_QNORMAL,          /* qnormal(mu, sigma, q) */
  TPE_LOGNORMAL,        /* lognormal(mu, sigma), of the logarithm */
  TPE_QLOGNORMAL,       /* qlognormal(mu, sigma, q) */
  TPE_RANDINT,          /* randint(low, high): integers low <= v < high */
  TPE_UNIFORMINT,       /* uniformint(low, high): integers, both ends */
  TPE_CHOICE,           /* choice(label, ...) */
  TPE_PCHOICE,          /* pchoice(label = p, ...) */
  TPE_NKIND
} TpeKind;

/* The algorithms an experiment can use. */
typedef enum TpeAlgo {
  TPE_ALGO_TPE = 0,     /* Tree-structured Parzen Estimator, the default */
  TPE_ALGO_RAND,        /* independent draws from the prior */
  TPE_ALGO_ANNEAL       /* hyperopt's annealing */
} TpeAlgo;

typedef struct TpeLabel TpeLabel;
struct TpeLabel {
  int eType;            /* SQLITE_INTEGER, SQLITE_FLOAT or SQLITE_TEXT */
  int64_t i;            /* value if SQLITE_INTEGER */
  double r;             /* value if SQLITE_FLOAT or SQLITE_INTEGER */
  char *z;              /* nul-terminated text if SQLITE_TEXT, owned */
};

typedef struct TpeParam TpeParam;
struct TpeParam {
  char *zName;          /* column name as declared (dequoted), owned */
  TpeKind eKind;        /* which distribution */
  double a;             /* low, or mu for the normal kinds */
  double b;             /* high, or sigma for the normal kinds */
  double q;             /* quantum of the q-kinds, else 0 */
  int nLabel;           /* number of labels (choice kinds; randint: high-low) */
  TpeLabel *aLabel;     /* choice/pchoice labels, owned; NULL for randint */
  double *aProb;        /* label probabilities (sum 1), owned, for choice
                        ** (uniform) and pchoice; NULL for randint, whose
                        ** nLabel values are equally likely */
  int iParent;          /* parameter gating this one, or -1 */
  unsigned char *aWhen; /* aWhen[j] != 0 if parent label j activates this
                        ** parameter; nLabel of the parent, owned */
  int iDepth;           /* 0 for unconditional, parent's depth + 1 */
  char *zArgs;          /* canonical text of the arguments, owned */
  char *zWhen;          /* canonical text of the condition or NULL, owned */
};

/* Options of an experiment, each a `key = value` argument. */
typedef struct TpeOptions TpeOptions;
struct TpeOptions {
  int64_t iSeed;        /* seed; the random stream of trial k is (seed, k) */
  TpeAlgo eAlgo;        /* which algorithm suggests */
  int bCompat;          /* 1: behave exactly as hyperopt 0.3's tpe.suggest */
  int nStartup;         /* trials drawn from the prior before modelling */
  int nCandidates;      /* candidates drawn from l(x) per suggestion */
  double rGamma;        /* fraction of trials in the good set (see algo) */
  double rPriorWeight;  /* weight of the prior component */
  int nForget;          /* linear forgetting: trials weighted fully */
  int bMultivariate;    /* 1: joint model over parameters active together */
  int bConsiderEndpoints; /* 1: bandwidth of the extreme observations uses
                          ** the distance to the bounds */
  int nMaxHistory;      /* 0 or a cap on the trials the model reads */
  double rRankDecay;    /* good trial of loss rank r weighs exp(-r*this)
                        ** in l(x); not with compat */
  int bQuasiRandom;     /* 1: start-up points from a shifted Halton
                        ** sequence; not with compat */
  int bClipByTrials;    /* 1: minimum bandwidth shrinks with all trials,
                        ** not the kernels of one density; not with compat */
  int nUnivariateEvery; /* with multivariate, every this-many-th
                        ** suggestion models parameters alone; 0 never */
  int bExhaustive;      /* 1: score every candidate in full rather than
                        ** stop once it cannot be the best; the same
                        ** suggestion, slower.  Not an SQL option: for the
                        ** tests that compare the two */
};

typedef struct TpeSpace TpeSpace;
struct TpeSpace {
  char *zName;          /* experiment (table) name, owned */
  int nParam;           /* number of parameters */
  TpeParam *aParam;     /* parameters in declared order, owned */
  int *aOrder;          /* parameter indexes, every parent before its
                        ** children (a topological order), owned */
  TpeOptions opt;       /* options in effect */
  unsigned int mSet;    /* bit i set if option i was given explicitly */
};

/* Append r to pStr in a short decimal form, 16 or 17 significant digits
** less trailing zeros, that reads back as the same double ("0.1", "-5",
** "1e-05", "0.30000000000000004"). */
struct sqlite3_str;
void tpeAppendReal(struct sqlite3_str *pStr, double r);

/* Names of the kinds, indexed by TpeKind, and of the algorithms. */
const char *tpeKindName(TpeKind e);
const char *tpeAlgoName(TpeAlgo e);

/* True if the kind's value is a label index (choice, pchoice, randint). */
int tpeKindIsCategorical(TpeKind e);

/*
** Parse the declaration of experiment zName from its nArg arguments (the
** module arguments of CREATE VIRTUAL TABLE, after module, schema and table
** name).  On success return SQLITE_OK and set *ppSpace to a new space the
** caller frees with tpeSpaceFree().  On a bad declaration return
** SQLITE_ERROR with *ppSpace NULL and *pzErr a message from sqlite3_mprintf
** naming the experiment, the column and the fault, for example
** "net: column lr: loguniform needs 0 < low < high, got (0, 1)".  On out of
** memory return SQLITE_NOMEM.
*/
int tpeSpaceParse(const char *zName, int nArg, const char *const *azArg,
                  TpeSpace **ppSpace, char **pzErr);
void tpeSpaceFree(TpeSpace *p);

/* Index of the parameter named zName (compared as SQL compares names,
** ASCII case-insensitively), or -1. */
int tpeSpaceFind(const TpeSpace *p, const char *zName);

/* Option names and their current values as text, for tpe_space().  Returns
** the number of options; i in 0..n-1 selects one.  *pzValue is owned by the
** caller (sqlite3_free). */
int tpeOptionCount(void);
const char *tpeOptionName(int i);
char *tpeOptionValue(const TpeSpace *p, int i);

/*
** Given a point whose parents are already decided, is parameter iParam
** active?  aVal holds label indexes for categorical parents and NaN for
** inactive ones.  Call in the order aOrder so parents come first.
*/
int tpeParamActive(const TpeSpace *p, int iParam, const double *aVal);

/* Return NULL if v is a value parameter p can take (a label index for the
** categorical kinds), else a static phrase saying why not, such as
** "is off the grid of step 16". */
const char *tpeParamCheck(const TpeParam *p, double v);

#endif /* TPE_SPACE_H */
