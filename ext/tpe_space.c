/*
** tpe_space.c: parse an experiment's declaration into a TpeSpace.
**
**     CREATE VIRTUAL TABLE net USING tpe(
**       lr        loguniform(1e-5, 1e-1),
**       optimizer choice('adam', 'sgd'),
**       momentum  uniform(0, 0.99) WHEN optimizer = 'sgd',
**       seed = 12345
**     );
**
** SQLite hands the module one string per top-level comma-separated argument.
** Each string is tokenized (tpeLex), then read as an option (`key = value`)
** or as a parameter (`name kind(args) [WHEN parent = label | WHEN parent IN
** (label, ...)]`).  Parameters are checked one by one as they are read; the
** conditions are checked once all names are known, since a condition may
** name a parameter declared after it.  Nothing here touches a database.
*/
#include "tpe_space.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpe_sqlite.h"

/* Names that a parameter cannot take: the experiment's own columns. */
static const char *const azReserved[] = {
  "trial", "loss", "status", "suggested_at", "finished_at", "extra"
};

/* Largest number of values of a randint, modelled as a categorical. */
#define TPE_MAX_RANDINT 1000000

/**************************************************************************
** Kinds
*/
typedef struct TpeKindInfo TpeKindInfo;
struct TpeKindInfo {
  const char *zName;    /* name in declarations */
  int nArg;             /* numeric arguments; -1 for the label kinds */
  const char *zArgs;    /* argument names, for messages */
};

static const TpeKindInfo aKindInfo[TPE_NKIND] = {
  { "uniform",     2, "low, high" },
  { "quniform",    3, "low, high, q" },
  { "loguniform",  2, "low, high" },
  { "qloguniform", 3, "low, high, q" },
  { "normal",      2, "mu, sigma" },
  { "qnormal",     3, "mu, sigma, q" },
  { "lognormal",   2, "mu, sigma" },
  { "qlognormal",  3, "mu, sigma, q" },
  { "randint",     2, "low, high" },
  { "uniformint",  2, "low, high" },
  { "choice",     -1, "label, ..." },
  { "pchoice",    -1, "label = probability, ..." },
};

const char *tpeKindName(TpeKind e){
  return (e >= 0 && e < TPE_NKIND) ? aKindInfo[e].zName : "?";
}

const char *tpeAlgoName(TpeAlgo e){
  switch( e ){
    case TPE_ALGO_RAND:   return "rand";
    case TPE_ALGO_ANNEAL: return "anneal";
    default:              return "tpe";
  }
}

void tpeAppendReal(sqlite3_str *pStr, double r){
  char zBuf[40];

  /* The C library formats and reads doubles exactly; SQLite's own printf
  ** stops at 16 significant digits, which does not always round-trip.
  ** %g drops trailing zeros, so 16 digits already give "0.1" or "-5";
  ** values that need all 17 get them.  Both calls assume the "C" numeric
  ** locale (a decimal point), which is what programs have unless they
  ** call setlocale(LC_NUMERIC, ...). */
  snprintf(zBuf, sizeof(zBuf), "%.16g", r);
  if( strtod(zBuf, 0) != r ) snprintf(zBuf, sizeof(zBuf), "%.17g", r);
  sqlite3_str_appendall(pStr, zBuf);
}

int tpeKindIsCategorical(TpeKind e){
  return e == TPE_CHOICE || e == TPE_PCHOICE || e == TPE_RANDINT;
}

/**************************************************************************
** Tokenizer
*/
typedef enum TpeTok {
  TK_END = 0,           /* end of the argument */
  TK_IDENT,             /* bare or quoted identifier */
  TK_NUMBER,            /* numeric literal, possibly signed */
  TK_STRING,            /* 'text' */
  TK_PUNCT,             /* one of ( ) , = : */
  TK_BAD                /* anything else */
} TpeTok;

typedef struct TpeLexer TpeLexer;
struct TpeLexer {
  const char *z;        /* the argument text */
  int i;                /* offset of the next unread byte */
  TpeTok eTok;          /* type of the current token */
  int iStart;           /* offset of the current token */
  int n;                /* length of the current token */
  int bQuoted;          /* current identifier was quoted */
};

static int tpeIsIdentStart(char c){
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
      || (unsigned char)c >= 0x80;
}

static int tpeIsDigit(char c){
  return c >= '0' && c <= '9';
}

/* Length of the number starting at z, or 0 if none starts there. */
static int tpeNumberLen(const char *z){
  int i = 0, nDigit = 0;

  if( z[i] == '+' || z[i] == '-' ) i++;
  while( tpeIsDigit(z[i]) ){ i++; nDigit++; }
  if( z[i] == '.' ){
    i++;
    while( tpeIsDigit(z[i]) ){ i++; nDigit++; }
  }
  if( nDigit == 0 ) return 0;
  if( z[i] == 'e' || z[i] == 'E' ){
    int j = i + 1;
    if( z[j] == '+' || z[j] == '-' ) j++;
    if( tpeIsDigit(z[j]) ){
      while( tpeIsDigit(z[j]) ) j++;
      i = j;
    }
  }
  return i;
}

/* Advance to the next token. */
static void tpeLex(TpeLexer *p){
  const char *z = p->z;
  int i = p->i;

  while( z[i] == ' ' || z[i] == '\t' || z[i] == '\n' || z[i] == '\r' ) i++;
  p->iStart = i;
  p->bQuoted = 0;
  if( z[i] == 0 ){
    p->eTok = TK_END;
    p->n = 0;
  }else if( tpeIsIdentStart(z[i]) ){
    while( tpeIsIdentStart(z[i]) || tpeIsDigit(z[i]) ) i++;
    p->eTok = TK_IDENT;
  }else if( z[i] == '"' || z[i] == '`' || z[i] == '[' || z[i] == '\'' ){
    char cEnd = z[i] == '[' ? ']' : z[i];
    p->eTok = z[i] == '\'' ? TK_STRING : TK_IDENT;
    p->bQuoted = 1;
    for(i++; z[i]; i++){
      if( z[i] == cEnd ){
        if( cEnd != ']' && z[i+1] == cEnd ){ i++; continue; }
        break;
      }
    }
    if( z[i] == 0 ){
      p->eTok = TK_BAD;
    }else{
      i++;
    }
  }else if( tpeNumberLen(&z[i]) > 0 ){
    i += tpeNumberLen(&z[i]);
    p->eTok = (tpeIsIdentStart(z[i]) || tpeIsDigit(z[i])) ? TK_BAD : TK_NUMBER;
  }else if( strchr("(),=", z[i]) ){
    i++;
    p->eTok = TK_PUNCT;
  }else{
    i++;
    p->eTok = TK_BAD;
  }
  p->n = i - p->iStart;
  p->i = i;
}

static int tpeTokIs(const TpeLexer *p, char c){
  return p->eTok == TK_PUNCT && p->z[p->iStart] == c;
}

static int tpeTokKeyword(const TpeLexer *p, const char *zKw){
  return p->eTok == TK_IDENT && !p->bQuoted
      && (int)strlen(zKw) == p->n
      && sqlite3_strnicmp(&p->z[p->iStart], zKw, p->n) == 0;
}

/* Current token as new text, dequoted if quoted; NULL on out of memory. */
static char *tpeTokText(const TpeLexer *p){
  const char *z = &p->z[p->iStart];
  int n = p->n, i, j;
  char *zOut;

  if( p->bQuoted ){
    char cEnd = z[0] == '[' ? ']' : z[0];
    zOut = sqlite3_malloc64(n);
    if( zOut == 0 ) return 0;
    for(i = 1, j = 0; i < n - 1; i++){
      zOut[j++] = z[i];
      if( z[i] == cEnd && cEnd != ']' ) i++;
    }
    zOut[j] = 0;
    return zOut;
  }
  return sqlite3_mprintf("%.*s", n, z);
}

/* Current token quoted for a message: `'...'` or the word itself. */
static char *tpeTokShow(const TpeLexer *p){
  if( p->eTok == TK_END ) return sqlite3_mprintf("end of argument");
  if( p->eTok == TK_STRING ){
    return sqlite3_mprintf("%.*s", p->n, &p->z[p->iStart]);
  }
  return sqlite3_mprintf("'%.*s'", p->n, &p->z[p->iStart]);
}

/**************************************************************************
** Parse state and errors
*/
typedef struct TpeParse TpeParse;
struct TpeParse {
  TpeSpace *pSpace;     /* space under construction */
  int rc;               /* SQLITE_OK until the first fault */
  char *zErr;           /* message of the first fault, from sqlite3_mprintf */
  char **azParent;      /* per parameter: name in its WHEN, or NULL */
  int nAlloc;           /* allocated slots of aParam and azParent */
};

/* Record a fault about the whole experiment; keeps the first. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tpeErr(TpeParse *pP, const char *zFmt, ...){
  va_list ap;
  char *zMsg;

  if( pP->rc != SQLITE_OK ) return;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  pP->rc = zMsg ? SQLITE_ERROR : SQLITE_NOMEM;
  pP->zErr = zMsg ? sqlite3_mprintf("%s: %s", pP->pSpace->zName, zMsg) : 0;
  sqlite3_free(zMsg);
  if( pP->zErr == 0 ) pP->rc = SQLITE_NOMEM;
}

static void tpeErrNomem(TpeParse *pP){
  if( pP->rc == SQLITE_OK ) pP->rc = SQLITE_NOMEM;
}

/**************************************************************************
** Options
*/
typedef enum TpeOptType {
  OPT_INT,              /* integer within [rMin, rMax] */
  OPT_REAL,             /* real within (rMin, rMax] */
  OPT_BOOL,             /* true/false, on/off, 1/0 */
  OPT_ALGO,             /* 'tpe', 'rand' or 'anneal' */
  OPT_COMPAT            /* 'none' or 'hyperopt' */
} TpeOptType;

typedef struct TpeOptInfo TpeOptInfo;
struct TpeOptInfo {
  const char *zName;    /* key */
  TpeOptType eType;     /* how the value is read */
  double rMin, rMax;    /* bounds for numbers */
  size_t iOff;          /* offset of the field in TpeOptions */
};

#define OPTOFF(f) offsetof(TpeOptions, f)
static const TpeOptInfo aOptInfo[] = {
  { "seed",          OPT_INT,  -9.2233720368547758e18, 9.2233720368547758e18,
                     OPTOFF(iSeed) },
  { "algo",          OPT_ALGO, 0, 0, OPTOFF(eAlgo) },
  { "compat",        OPT_COMPAT, 0, 0, OPTOFF(bCompat) },
  { "n_startup",     OPT_INT,  0, 1e9, OPTOFF(nStartup) },
  { "n_candidates",  OPT_INT,  1, 1e6, OPTOFF(nCandidates) },
  { "gamma",         OPT_REAL, 0, 1, OPTOFF(rGamma) },
  { "prior_weight",  OPT_REAL, 0, 1e9, OPTOFF(rPriorWeight) },
  { "forgetting",    OPT_INT,  1, 1e9, OPTOFF(nForget) },
  { "multivariate",  OPT_BOOL, 0, 1, OPTOFF(bMultivariate) },
  { "consider_endpoints", OPT_BOOL, 0, 1, OPTOFF(bConsiderEndpoints) },
  { "max_history",   OPT_INT,  0, 2e9, OPTOFF(nMaxHistory) },
  { "rank_decay",    OPT_REAL, 0, 1e9, OPTOFF(rRankDecay) },
  { "quasi_random",  OPT_BOOL, 0, 1, OPTOFF(bQuasiRandom) },
  { "clip_by_trials", OPT_BOOL, 0, 1, OPTOFF(bClipByTrials) },
  { "univariate_every", OPT_INT, 0, 1e9, OPTOFF(nUnivariateEvery) },
};
#define TPE_NOPT ((int)(sizeof(aOptInfo)/sizeof(aOptInfo[0])))

int tpeOptionCount(void){ return TPE_NOPT; }
const char *tpeOptionName(int i){ return aOptInfo[i].zName; }

/* The defaults in effect when an option is not given. */
static void tpeOptionsDefault(TpeOptions *p){
  memset(p, 0, sizeof(*p));
  p->iSeed = 0;
  p->eAlgo = TPE_ALGO_TPE;
  p->bCompat = 0;
  p->nStartup = 20;
  p->nCandidates = 24;
  p->rGamma = 0.25;
  p->rPriorWeight = 1.0;
  p->nForget = 25;
  p->bMultivariate = 0;
  p->bConsiderEndpoints = 0;
  p->nMaxHistory = 0;
  p->rRankDecay = 0.3;
  p->bQuasiRandom = 1;
  p->bClipByTrials = 1;
  p->nUnivariateEvery = 2;
}

/* Defaults that depend on compat, for the options not given: hyperopt's
** n_startup = 20 and gamma = 0.25 (of sqrt N) with compat, else 10 and
** 0.15 (of N), with the joint model. */
static void tpeOptionsResolve(TpeSpace *pSpace){
  TpeOptions *p = &pSpace->opt;
  int i;

  for(i = 0; i < TPE_NOPT; i++){
    if( pSpace->mSet & (1u << i) ) continue;
    if( aOptInfo[i].iOff == OPTOFF(nStartup) ){
      p->nStartup = p->bCompat ? 20 : 10;
    }else if( aOptInfo[i].iOff == OPTOFF(rGamma) ){
      p->rGamma = p->bCompat ? 0.25 : 0.15;
    }else if( aOptInfo[i].iOff == OPTOFF(bMultivariate) ){
      p->bMultivariate = !p->bCompat;
    }else if( aOptInfo[i].iOff == OPTOFF(nMaxHistory) ){
      /* TPE's own model reads every good trial but only the 1,000 most
      ** recent bad ones, so that a suggestion costs about the same at a
      ** million trials as at a thousand. */
      p->nMaxHistory = (!p->bCompat && p->eAlgo == TPE_ALGO_TPE) ? 1000 : 0;
    }
  }
}

char *tpeOptionValue(const TpeSpace *p, int i){
  const TpeOptInfo *pInfo = &aOptInfo[i];
  const char *pField = (const char*)&p->opt + pInfo->iOff;

  switch( pInfo->eType ){
    case OPT_INT:
      if( pInfo->iOff == OPTOFF(iSeed) ){
        return sqlite3_mprintf("%lld", (long long)p->opt.iSeed);
      }
      return sqlite3_mprintf("%d", *(const int*)pField);
    case OPT_REAL: {
      sqlite3_str *pStr = sqlite3_str_new(0);
      tpeAppendReal(pStr, *(const double*)pField);
      return sqlite3_str_finish(pStr);
    }
    case OPT_BOOL:
      return sqlite3_mprintf("%s", *(const int*)pField ? "true" : "false");
    case OPT_ALGO:
      return sqlite3_mprintf("%s", tpeAlgoName(p->opt.eAlgo));
    case OPT_COMPAT:
    default:
      return sqlite3_mprintf("%s", p->opt.bCompat ? "hyperopt" : "none");
  }
}

/* Case-insensitive comparison of z with the n bytes at zTok. */
static int tpeWordIs(const char *zTok, int n, const char *z){
  return (int)strlen(z) == n && sqlite3_strnicmp(zTok, z, n) == 0;
}

/*
** Read the value of option pInfo from the lexer (positioned after '=') and
** store it.  Records a fault naming the option on a bad value.
*/
static void tpeParseOptionValue(TpeParse *pP, const TpeOptInfo *pInfo,
                                TpeLexer *pLex){
  TpeOptions *pOpt = &pP->pSpace->opt;
  char *pField = (char*)pOpt + pInfo->iOff;
  char *zVal = 0;
  const char *zTok;
  int n;

  tpeLex(pLex);
  zTok = &pLex->z[pLex->iStart];
  n = pLex->n;
  if( pLex->eTok == TK_STRING || (pLex->eTok == TK_IDENT && pLex->bQuoted) ){
    zTok++;
    n -= 2;
  }
  zVal = sqlite3_mprintf("%.*s", n, zTok);
  if( zVal == 0 ){ tpeErrNomem(pP); return; }

  switch( pInfo->eType ){
    case OPT_INT:
    case OPT_REAL: {
      double r;
      char *zEnd = 0;
      int bInt = pInfo->eType == OPT_INT;
      if( pLex->eTok != TK_NUMBER ){
        tpeErr(pP, "option %s: expected %s, got '%s'", pInfo->zName,
               bInt ? "an integer" : "a number", zVal);
        break;
      }
      r = strtod(zVal, &zEnd);
      if( bInt && (strchr(zVal, '.') || strchr(zVal, 'e')
                   || strchr(zVal, 'E')) ){
        tpeErr(pP, "option %s: expected an integer, got '%s'",
               pInfo->zName, zVal);
      }else if( pInfo->iOff == OPTOFF(iSeed) ){
        long long iSeed;
        errno = 0;
        iSeed = strtoll(zVal, 0, 10);
        if( errno == ERANGE ){
          tpeErr(pP, "option seed: expected a 64-bit integer, got %s", zVal);
        }else{
          pOpt->iSeed = (int64_t)iSeed;
        }
      }else if( bInt && (r < pInfo->rMin || r > pInfo->rMax) ){
        tpeErr(pP, "option %s: expected an integer in [%.15g, %.15g], "
               "got %s", pInfo->zName, pInfo->rMin, pInfo->rMax, zVal);
      }else if( !bInt && !(r > pInfo->rMin && r <= pInfo->rMax) ){
        tpeErr(pP, "option %s: expected a number in (%.15g, %.15g], "
               "got %s", pInfo->zName, pInfo->rMin, pInfo->rMax, zVal);
      }else if( bInt ){
        *(int*)pField = (int)r;
      }else{
        *(double*)pField = r;
      }
      break;
    }
    case OPT_BOOL:
      if( tpeWordIs(zVal, n, "true") || tpeWordIs(zVal, n, "on")
       || tpeWordIs(zVal, n, "1") ){
        *(int*)pField = 1;
      }else if( tpeWordIs(zVal, n, "false") || tpeWordIs(zVal, n, "off")
             || tpeWordIs(zVal, n, "0") ){
        *(int*)pField = 0;
      }else{
        tpeErr(pP, "option %s: expected true or false, got '%s'",
               pInfo->zName, zVal);
      }
      break;
    case OPT_ALGO:
      if( tpeWordIs(zVal, n, "tpe") ) pOpt->eAlgo = TPE_ALGO_TPE;
      else if( tpeWordIs(zVal, n, "rand") ) pOpt->eAlgo = TPE_ALGO_RAND;
      else if( tpeWordIs(zVal, n, "anneal") ) pOpt->eAlgo = TPE_ALGO_ANNEAL;
      else{
        tpeErr(pP, "option algo: expected 'tpe', 'rand' or 'anneal', "
               "got '%s'", zVal);
      }
      break;
    case OPT_COMPAT:
      if( tpeWordIs(zVal, n, "none") ) pOpt->bCompat = 0;
      else if( tpeWordIs(zVal, n, "hyperopt") ) pOpt->bCompat = 1;
      else{
        tpeErr(pP, "option compat: expected 'none' or 'hyperopt', got '%s'",
               zVal);
      }
      break;
  }
  sqlite3_free(zVal);
  if( pP->rc == SQLITE_OK ){
    tpeLex(pLex);
    if( pLex->eTok != TK_END ){
      char *zShow = tpeTokShow(pLex);
      tpeErr(pP, "option %s: unexpected %s after the value", pInfo->zName,
             zShow);
      sqlite3_free(zShow);
    }
  }
}

/* Parse `key = value`; the lexer holds the key. */
static void tpeParseOption(TpeParse *pP, TpeLexer *pLex){
  const char *zKey = &pLex->z[pLex->iStart];
  int nKey = pLex->n, i;

  for(i = 0; i < TPE_NOPT; i++){
    if( tpeWordIs(zKey, nKey, aOptInfo[i].zName) ) break;
  }
  if( i == TPE_NOPT ){
    sqlite3_str *pStr = sqlite3_str_new(0);
    char *zList;
    int j;
    for(j = 0; j < TPE_NOPT; j++){
      sqlite3_str_appendf(pStr, "%s%s", j ? ", " : "", aOptInfo[j].zName);
    }
    zList = sqlite3_str_finish(pStr);
    if( zList == 0 ){ tpeErrNomem(pP); return; }
    tpeErr(pP, "unknown option '%.*s'; options are %s", nKey, zKey, zList);
    sqlite3_free(zList);
    return;
  }
  if( pP->pSpace->mSet & (1u << i) ){
    tpeErr(pP, "option %s given twice", aOptInfo[i].zName);
    return;
  }
  pP->pSpace->mSet |= (1u << i);
  tpeLex(pLex);                           /* the '=' */
  tpeParseOptionValue(pP, &aOptInfo[i], pLex);
}

/**************************************************************************
** Parameters
*/

/* Free the contents of a label. */
static void tpeLabelClear(TpeLabel *p){
  sqlite3_free(p->z);
  memset(p, 0, sizeof(*p));
}

/* Are two labels the same value?  Numbers compare by value, text by
** bytes; a number never equals a text. */
static int tpeLabelEq(const TpeLabel *a, const TpeLabel *b){
  if( (a->eType == SQLITE_TEXT) != (b->eType == SQLITE_TEXT) ) return 0;
  if( a->eType == SQLITE_TEXT ) return strcmp(a->z, b->z) == 0;
  return a->r == b->r;
}

/* Read the label at the lexer's token into *pLabel.  Returns 0 if the
** token is not a label (the caller reports it). */
static int tpeReadLabel(TpeParse *pP, TpeLexer *pLex, TpeLabel *pLabel){
  memset(pLabel, 0, sizeof(*pLabel));
  if( pLex->eTok == TK_STRING ){
    pLabel->eType = SQLITE_TEXT;
    pLabel->z = tpeTokText(pLex);
    if( pLabel->z == 0 ) tpeErrNomem(pP);
    return 1;
  }
  if( pLex->eTok == TK_NUMBER ){
    char *z = sqlite3_mprintf("%.*s", pLex->n, &pLex->z[pLex->iStart]);
    if( z == 0 ){ tpeErrNomem(pP); return 1; }
    pLabel->r = strtod(z, 0);
    if( strpbrk(z, ".eE") == 0 && fabs(pLabel->r) < 9.0e15 ){
      pLabel->eType = SQLITE_INTEGER;
      pLabel->i = (int64_t)strtoll(z, 0, 10);
    }else{
      pLabel->eType = SQLITE_FLOAT;
    }
    sqlite3_free(z);
    return 1;
  }
  return 0;
}

/* Append label p to pStr as it would be written in SQL. */
static void tpeLabelAppend(sqlite3_str *pStr, const TpeLabel *p){
  if( p->eType == SQLITE_TEXT ) sqlite3_str_appendf(pStr, "%Q", p->z);
  else if( p->eType == SQLITE_INTEGER ){
    sqlite3_str_appendf(pStr, "%lld", (long long)p->i);
  }else tpeAppendReal(pStr, p->r);
}

/* Record a fault about column pParam. */
#define tpeErrCol(pP, pParam, zFmt, ...) \
  tpeErr(pP, "column %s: " zFmt, (pParam)->zName, __VA_ARGS__)

/*
** Refuse a numeric parameter some of whose draws or model computations
** would overflow a double.  A standard normal deviate from tpeRngNormal
** never exceeds 8.6 in magnitude, so 9 sigma bounds every draw.
*/
static void tpeCheckFinite(TpeParse *pP, TpeParam *p){
  const char *zK = tpeKindName(p->eKind);
  double rLim = 1e300, rMax;

  switch( p->eKind ){
    case TPE_LOGNORMAL: case TPE_QLOGNORMAL:
      if( p->a + 9 * p->b > 700 ){
        tpeErrCol(pP, p, "%s: exp(mu + 9 sigma) would overflow a double; "
                  "use a smaller mu or sigma", zK);
        return;
      }
      rMax = exp(p->a + 9 * p->b);
      break;
    case TPE_NORMAL: case TPE_QNORMAL:
      rMax = fabs(p->a) + 9 * p->b;
      break;
    default:
      rMax = fabs(p->b - p->a) + fabs(p->a) + fabs(p->b);
      break;
  }
  if( !(rMax < rLim) || (p->q > 0 && !(rMax / p->q < rLim)) ){
    tpeErrCol(pP, p, "%s: its values would overflow a double; narrow "
              "its range", zK);
  }
}

/* Check the numeric arguments a[0..2] of a numeric kind.  */
static void tpeCheckNumeric(TpeParse *pP, TpeParam *p, const double *a){
  const char *zK = tpeKindName(p->eKind);
  int bQ = p->eKind == TPE_QUNIFORM || p->eKind == TPE_QLOGUNIFORM
        || p->eKind == TPE_QNORMAL || p->eKind == TPE_QLOGNORMAL;

  p->a = a[0];
  p->b = a[1];
  p->q = bQ ? a[2] : 0.0;
  if( !isfinite(a[0]) || !isfinite(a[1]) || (bQ && !isfinite(a[2])) ){
    tpeErrCol(pP, p, "%s needs finite arguments", zK);
    return;
  }
  switch( p->eKind ){
    case TPE_UNIFORM: case TPE_QUNIFORM:
      if( !(p->a < p->b) ){
        tpeErrCol(pP, p, "%s needs low < high, got (%.15g, %.15g)",
                  zK, p->a, p->b);
      }
      break;
    case TPE_LOGUNIFORM: case TPE_QLOGUNIFORM:
      if( !(0 < p->a && p->a < p->b) ){
        tpeErrCol(pP, p, "%s needs 0 < low < high, got (%.15g, %.15g)",
                  zK, p->a, p->b);
      }
      break;
    case TPE_NORMAL: case TPE_QNORMAL:
    case TPE_LOGNORMAL: case TPE_QLOGNORMAL:
      if( !(p->b > 0) ){
        tpeErrCol(pP, p, "%s needs sigma > 0, got %.15g", zK, p->b);
      }
      break;
    case TPE_RANDINT: case TPE_UNIFORMINT:
      if( p->a != floor(p->a) || p->b != floor(p->b) ){
        tpeErrCol(pP, p, "%s needs integer bounds, got (%.15g, %.15g)",
                  zK, p->a, p->b);
      }else if( !(p->a < p->b) ){
        tpeErrCol(pP, p, "%s needs low < high, got (%.15g, %.15g)",
                  zK, p->a, p->b);
      }else if( fabs(p->a) > 9.0e15 || fabs(p->b) > 9.0e15 ){
        tpeErrCol(pP, p, "%s bounds must lie within +-9e15", zK);
      }else if( p->eKind == TPE_RANDINT && p->b - p->a > TPE_MAX_RANDINT ){
        tpeErrCol(pP, p, "randint takes at most %d values, got %.15g; "
                  "use uniformint for wide ranges",
                  TPE_MAX_RANDINT, p->b - p->a);
      }else if( p->eKind == TPE_RANDINT ){
        p->nLabel = (int)(p->b - p->a);
      }
      break;
    default:
      break;
  }
  if( pP->rc == SQLITE_OK && bQ && !(p->q > 0) ){
    tpeErrCol(pP, p, "%s needs q > 0, got %.15g", zK, p->q);
  }
  if( pP->rc == SQLITE_OK ) tpeCheckFinite(pP, p);
}

/* Parse the label list of choice or pchoice; the lexer is after '('. */
static void tpeParseLabels(TpeParse *pP, TpeParam *p, TpeLexer *pLex){
  int bP = p->eKind == TPE_PCHOICE;
  int nAlloc = 0, i;
  double rSum = 0.0;

  for(;;){
    TpeLabel lab;
    tpeLex(pLex);
    if( p->nLabel == 0 && tpeTokIs(pLex, ')') ) break;
    if( !tpeReadLabel(pP, pLex, &lab) ){
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "%s: expected a label (a 'string' or a number), "
                "got %s", tpeKindName(p->eKind), zShow);
      sqlite3_free(zShow);
      return;
    }
    if( pP->rc != SQLITE_OK ){ tpeLabelClear(&lab); return; }
    if( p->nLabel == nAlloc ){
      int nNew = nAlloc ? nAlloc * 2 : 4;
      TpeLabel *aNew = sqlite3_realloc64(p->aLabel, nNew * sizeof(TpeLabel));
      double *aProb = sqlite3_realloc64(p->aProb, nNew * sizeof(double));
      if( aNew ) p->aLabel = aNew;
      if( aProb ) p->aProb = aProb;
      if( aNew == 0 || aProb == 0 ){
        tpeLabelClear(&lab);
        tpeErrNomem(pP);
        return;
      }
      nAlloc = nNew;
    }
    for(i = 0; i < p->nLabel; i++){
      if( tpeLabelEq(&p->aLabel[i], &lab) ){
        sqlite3_str *pStr = sqlite3_str_new(0);
        char *z;
        tpeLabelAppend(pStr, &lab);
        z = sqlite3_str_finish(pStr);
        tpeErrCol(pP, p, "%s: label %s appears twice",
                  tpeKindName(p->eKind), z ? z : "");
        sqlite3_free(z);
        tpeLabelClear(&lab);
        return;
      }
    }
    p->aLabel[p->nLabel] = lab;
    p->aProb[p->nLabel] = 0.0;
    p->nLabel++;
    tpeLex(pLex);
    if( bP ){
      double r;
      char *z;
      if( !tpeTokIs(pLex, '=') ){
        tpeErrCol(pP, p, "pchoice: expected '=' and a probability after "
                  "label %d, as in pchoice('a' = 0.7, 'b' = 0.3)", p->nLabel);
        return;
      }
      tpeLex(pLex);
      if( pLex->eTok != TK_NUMBER ){
        tpeErrCol(pP, p, "pchoice: probability of label %d must be a "
                  "number", p->nLabel);
        return;
      }
      z = sqlite3_mprintf("%.*s", pLex->n, &pLex->z[pLex->iStart]);
      if( z == 0 ){ tpeErrNomem(pP); return; }
      r = strtod(z, 0);
      sqlite3_free(z);
      if( !(r >= 0.0 && r <= 1.0) ){
        tpeErrCol(pP, p, "pchoice: probability of label %d must lie in "
                  "[0, 1], got %.15g", p->nLabel, r);
        return;
      }
      p->aProb[p->nLabel-1] = r;
      rSum += r;
      tpeLex(pLex);
    }
    if( tpeTokIs(pLex, ')') ) break;
    if( !tpeTokIs(pLex, ',') ){
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "%s: expected ',' or ')', got %s",
                tpeKindName(p->eKind), zShow);
      sqlite3_free(zShow);
      return;
    }
  }
  if( p->nLabel == 0 ){
    tpeErrCol(pP, p, "%s needs at least one label", tpeKindName(p->eKind));
  }else if( bP && fabs(rSum - 1.0) > 1e-9 ){
    tpeErrCol(pP, p, "pchoice probabilities must sum to 1, got %.15g",
              rSum);
  }else if( !bP ){
    for(i = 0; i < p->nLabel; i++) p->aProb[i] = 1.0 / p->nLabel;
  }
}

/* Parse the numeric arguments of a numeric kind; lexer after '('. */
static void tpeParseNumbers(TpeParse *pP, TpeParam *p, TpeLexer *pLex){
  const TpeKindInfo *pK = &aKindInfo[p->eKind];
  double a[3] = {0, 0, 0};
  int n = 0;

  for(;;){
    tpeLex(pLex);
    if( n == 0 && tpeTokIs(pLex, ')') ) break;
    if( pLex->eTok == TK_NUMBER ){
      if( n < 3 ){
        char *z = sqlite3_mprintf("%.*s", pLex->n, &pLex->z[pLex->iStart]);
        if( z == 0 ){ tpeErrNomem(pP); return; }
        a[n] = strtod(z, 0);
        sqlite3_free(z);
      }
      n++;
    }else{
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "%s: argument %d must be a number, got %s",
                pK->zName, n + 1, zShow);
      sqlite3_free(zShow);
      return;
    }
    tpeLex(pLex);
    if( tpeTokIs(pLex, ')') ) break;
    if( !tpeTokIs(pLex, ',') ){
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "%s: expected ',' or ')', got %s", pK->zName, zShow);
      sqlite3_free(zShow);
      return;
    }
  }
  if( n != pK->nArg ){
    tpeErrCol(pP, p, "%s takes %d arguments (%s), got %d",
              pK->zName, pK->nArg, pK->zArgs, n);
    return;
  }
  tpeCheckNumeric(pP, p, a);
}

/* Canonical text of p's arguments, as tpe_space() shows them. */
static char *tpeParamArgsText(const TpeParam *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;

  if( p->aLabel ){
    for(i = 0; i < p->nLabel; i++){
      if( i ) sqlite3_str_appendall(pStr, ", ");
      tpeLabelAppend(pStr, &p->aLabel[i]);
      if( p->eKind == TPE_PCHOICE ){
        sqlite3_str_appendall(pStr, " = ");
        tpeAppendReal(pStr, p->aProb[i]);
      }
    }
  }else{
    tpeAppendReal(pStr, p->a);
    sqlite3_str_appendall(pStr, ", ");
    tpeAppendReal(pStr, p->b);
    if( p->q > 0 ){
      sqlite3_str_appendall(pStr, ", ");
      tpeAppendReal(pStr, p->q);
    }
  }
  return sqlite3_str_finish(pStr);
}

/* The labels named in a WHEN clause, kept until the parents are known. */
typedef struct TpeWhen TpeWhen;
struct TpeWhen {
  int nLabel;           /* number of labels */
  TpeLabel *aLabel;     /* labels, owned */
};

/*
** Parse `WHEN parent = label` or `WHEN parent IN (label, ...)`; the lexer
** holds WHEN.  Stores the parent's name in pP->azParent[iParam] and the
** labels in *pWhen.
*/
static void tpeParseWhen(TpeParse *pP, int iParam, TpeLexer *pLex,
                         TpeWhen *pWhen){
  TpeParam *p = &pP->pSpace->aParam[iParam];
  int bIn;

  tpeLex(pLex);
  if( pLex->eTok != TK_IDENT ){
    tpeErrCol(pP, p, "%s", "WHEN must name a parameter");
    return;
  }
  pP->azParent[iParam] = tpeTokText(pLex);
  if( pP->azParent[iParam] == 0 ){ tpeErrNomem(pP); return; }
  tpeLex(pLex);
  bIn = tpeTokKeyword(pLex, "in");
  if( !bIn && !tpeTokIs(pLex, '=') ){
    tpeErrCol(pP, p, "WHEN %s: expected '=' or IN", pP->azParent[iParam]);
    return;
  }
  if( bIn ){
    tpeLex(pLex);
    if( !tpeTokIs(pLex, '(') ){
      tpeErrCol(pP, p, "WHEN %s IN: expected '('", pP->azParent[iParam]);
      return;
    }
  }
  for(;;){
    TpeLabel *aNew;
    tpeLex(pLex);
    aNew = sqlite3_realloc64(pWhen->aLabel,
                             (pWhen->nLabel + 1) * sizeof(TpeLabel));
    if( aNew == 0 ){ tpeErrNomem(pP); return; }
    pWhen->aLabel = aNew;
    if( !tpeReadLabel(pP, pLex, &aNew[pWhen->nLabel]) ){
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "WHEN %s: expected a label, got %s",
                pP->azParent[iParam], zShow);
      sqlite3_free(zShow);
      return;
    }
    pWhen->nLabel++;
    if( pP->rc != SQLITE_OK || !bIn ) break;
    tpeLex(pLex);
    if( tpeTokIs(pLex, ')') ) break;
    if( !tpeTokIs(pLex, ',') ){
      tpeErrCol(pP, p, "WHEN %s IN: expected ',' or ')'",
                pP->azParent[iParam]);
      return;
    }
  }
  if( pP->rc == SQLITE_OK ){
    tpeLex(pLex);
    if( pLex->eTok != TK_END ){
      char *zShow = tpeTokShow(pLex);
      tpeErrCol(pP, p, "unexpected %s after the condition", zShow);
      sqlite3_free(zShow);
    }
  }
}

/* Make room for one more parameter; returns its index or -1. */
static int tpeNewParam(TpeParse *pP){
  TpeSpace *pS = pP->pSpace;

  if( pS->nParam == pP->nAlloc ){
    int nNew = pP->nAlloc ? pP->nAlloc * 2 : 8;
    TpeParam *aP = sqlite3_realloc64(pS->aParam, nNew * sizeof(TpeParam));
    char **az;
    if( aP == 0 ){ tpeErrNomem(pP); return -1; }
    pS->aParam = aP;
    az = sqlite3_realloc64(pP->azParent, nNew * sizeof(char*));
    if( az == 0 ){ tpeErrNomem(pP); return -1; }
    pP->azParent = az;
    pP->nAlloc = nNew;
  }
  memset(&pS->aParam[pS->nParam], 0, sizeof(TpeParam));
  pS->aParam[pS->nParam].iParent = -1;
  pP->azParent[pS->nParam] = 0;
  return pS->nParam++;
}

/* Parse a parameter declaration; the lexer holds its name. */
static void tpeParseParam(TpeParse *pP, TpeLexer *pLex, TpeWhen *pWhen){
  TpeSpace *pS = pP->pSpace;
  int iParam = tpeNewParam(pP), i;
  TpeParam *p;

  if( iParam < 0 ) return;
  p = &pS->aParam[iParam];
  p->zName = tpeTokText(pLex);
  if( p->zName == 0 ){ tpeErrNomem(pP); return; }
  if( p->zName[0] == 0 ){
    tpeErr(pP, "a column name is empty");
    return;
  }
  for(i = 0; i < (int)(sizeof(azReserved)/sizeof(azReserved[0])); i++){
    if( sqlite3_stricmp(p->zName, azReserved[i]) == 0 ){
      tpeErrCol(pP, p, "the name %s is reserved for the experiment's own "
                "column; rename the parameter", azReserved[i]);
      return;
    }
  }
  for(i = 0; i < iParam; i++){
    if( sqlite3_stricmp(p->zName, pS->aParam[i].zName) == 0 ){
      tpeErrCol(pP, p, "%s", "declared twice");
      return;
    }
  }

  tpeLex(pLex);
  if( pLex->eTok != TK_IDENT || pLex->bQuoted ){
    char *zShow = tpeTokShow(pLex);
    tpeErrCol(pP, p, "expected a kind such as uniform(low, high), got %s",
              zShow);
    sqlite3_free(zShow);
    return;
  }
  for(i = 0; i < TPE_NKIND; i++){
    if( tpeTokKeyword(pLex, aKindInfo[i].zName) ) break;
  }
  if( i == TPE_NKIND ){
    tpeErrCol(pP, p, "unknown kind '%.*s'; kinds are uniform, quniform, "
              "loguniform, qloguniform, normal, qnormal, lognormal, "
              "qlognormal, randint, uniformint, choice, pchoice",
              pLex->n, &pLex->z[pLex->iStart]);
    return;
  }
  p->eKind = (TpeKind)i;
  tpeLex(pLex);
  if( !tpeTokIs(pLex, '(') ){
    tpeErrCol(pP, p, "%s needs its arguments in parentheses: %s(%s)",
              aKindInfo[i].zName, aKindInfo[i].zName, aKindInfo[i].zArgs);
    return;
  }
  if( aKindInfo[i].nArg < 0 ) tpeParseLabels(pP, p, pLex);
  else tpeParseNumbers(pP, p, pLex);
  if( pP->rc != SQLITE_OK ) return;

  p->zArgs = tpeParamArgsText(p);
  if( p->zArgs == 0 ){ tpeErrNomem(pP); return; }
  tpeLex(pLex);
  if( tpeTokKeyword(pLex, "when") ){
    tpeParseWhen(pP, iParam, pLex, &pWhen[iParam]);
  }else if( pLex->eTok != TK_END ){
    char *zShow = tpeTokShow(pLex);
    tpeErrCol(pP, p, "unexpected %s after %s(...); a condition starts "
              "with WHEN", zShow, aKindInfo[i].zName);
    sqlite3_free(zShow);
  }
}

/* Parse one module argument. */
static void tpeParseArg(TpeParse *pP, const char *zArg, TpeWhen *aWhen){
  TpeLexer lex;

  memset(&lex, 0, sizeof(lex));
  lex.z = zArg;
  tpeLex(&lex);
  if( lex.eTok == TK_END ){
    tpeErr(pP, "an argument is empty");
    return;
  }
  if( lex.eTok != TK_IDENT ){
    tpeErr(pP, "cannot read argument '%s': expected a column name or an "
           "option", zArg);
    return;
  }
  {
    TpeLexer peek = lex;
    tpeLex(&peek);
    if( tpeTokIs(&peek, '=') && !lex.bQuoted ){
      tpeParseOption(pP, &lex);
      return;
    }
  }
  tpeParseParam(pP, &lex, aWhen);
}

/**************************************************************************
** Conditions
*/

/* Resolve each WHEN clause to a parent index and label flags. */
static void tpeResolveWhen(TpeParse *pP, TpeWhen *aWhen){
  TpeSpace *pS = pP->pSpace;
  int i, j, k;

  for(i = 0; i < pS->nParam && pP->rc == SQLITE_OK; i++){
    TpeParam *p = &pS->aParam[i];
    TpeParam *pPar;
    sqlite3_str *pStr;
    if( pP->azParent[i] == 0 ) continue;
    p->iParent = tpeSpaceFind(pS, pP->azParent[i]);
    if( p->iParent < 0 ){
      tpeErrCol(pP, p, "WHEN names unknown parameter %s", pP->azParent[i]);
      return;
    }
    if( p->iParent == i ){
      tpeErrCol(pP, p, "%s", "WHEN names the parameter itself");
      return;
    }
    pPar = &pS->aParam[p->iParent];
    if( pPar->eKind != TPE_CHOICE && pPar->eKind != TPE_PCHOICE ){
      tpeErrCol(pP, p, "WHEN needs a choice or pchoice parameter, but %s "
                "is %s", pPar->zName, tpeKindName(pPar->eKind));
      return;
    }
    p->aWhen = sqlite3_malloc64(pPar->nLabel);
    if( p->aWhen == 0 ){ tpeErrNomem(pP); return; }
    memset(p->aWhen, 0, pPar->nLabel);
    pStr = sqlite3_str_new(0);
    sqlite3_str_appendf(pStr, "%s %s", pPar->zName,
                        aWhen[i].nLabel > 1 ? "IN (" : "= ");
    for(j = 0; j < aWhen[i].nLabel; j++){
      const TpeLabel *pLab = &aWhen[i].aLabel[j];
      for(k = 0; k < pPar->nLabel; k++){
        if( tpeLabelEq(&pPar->aLabel[k], pLab) ) break;
      }
      if( j ) sqlite3_str_appendall(pStr, ", ");
      tpeLabelAppend(pStr, pLab);
      if( k == pPar->nLabel ){
        char *z = sqlite3_str_finish(pStr);
        sqlite3_str *pL = sqlite3_str_new(0);
        char *zLab;
        tpeLabelAppend(pL, pLab);
        zLab = sqlite3_str_finish(pL);
        tpeErrCol(pP, p, "WHEN %s: %s is not a label of %s (%s)",
                  pPar->zName, zLab ? zLab : "", pPar->zName, pPar->zArgs);
        sqlite3_free(zLab);
        sqlite3_free(z);
        return;
      }
      p->aWhen[k] = 1;
    }
    if( aWhen[i].nLabel > 1 ) sqlite3_str_appendall(pStr, ")");
    p->zWhen = sqlite3_str_finish(pStr);
    if( p->zWhen == 0 ){ tpeErrNomem(pP); return; }
  }
}

/* Compute depths, reject cycles, and fill aOrder parents-first. */
static void tpeOrderParams(TpeParse *pP){
  TpeSpace *pS = pP->pSpace;
  int i, j, n = 0, d;

  for(i = 0; i < pS->nParam; i++){
    int iCur = i, nStep = 0;
    while( pS->aParam[iCur].iParent >= 0 && nStep <= pS->nParam ){
      iCur = pS->aParam[iCur].iParent;
      nStep++;
    }
    if( nStep > pS->nParam ){
      sqlite3_str *pStr = sqlite3_str_new(0);
      char *z;
      /* After nParam steps the walk is on the cycle: name the cycle from
      ** its first-declared parameter. */
      i = iCur;
      for(j = 0; j < pS->nParam; j++){
        iCur = pS->aParam[iCur].iParent;
        if( iCur < i ) i = iCur;
      }
      iCur = i;
      for(j = 0; j <= pS->nParam; j++){
        sqlite3_str_appendf(pStr, "%s%s", j ? " -> " : "",
                            pS->aParam[iCur].zName);
        iCur = pS->aParam[iCur].iParent;
        if( iCur == i ){
          sqlite3_str_appendf(pStr, " -> %s", pS->aParam[i].zName);
          break;
        }
      }
      z = sqlite3_str_finish(pStr);
      tpeErrCol(pP, &pS->aParam[i], "conditions form a cycle: %s",
                z ? z : "");
      sqlite3_free(z);
      return;
    }
    pS->aParam[i].iDepth = nStep;
  }
  pS->aOrder = sqlite3_malloc64(sizeof(int) * (pS->nParam + 1));
  if( pS->aOrder == 0 ){ tpeErrNomem(pP); return; }
  for(d = 0; n < pS->nParam; d++){
    for(i = 0; i < pS->nParam; i++){
      if( pS->aParam[i].iDepth == d ) pS->aOrder[n++] = i;
    }
  }
}

/**************************************************************************
** Public interface
*/

int tpeSpaceFind(const TpeSpace *p, const char *zName){
  int i;
  for(i = 0; i < p->nParam; i++){
    if( sqlite3_stricmp(p->aParam[i].zName, zName) == 0 ) return i;
  }
  return -1;
}

void tpeSpaceFree(TpeSpace *p){
  int i, j;

  if( p == 0 ) return;
  for(i = 0; i < p->nParam; i++){
    TpeParam *pPar = &p->aParam[i];
    sqlite3_free(pPar->zName);
    if( pPar->aLabel ){
      for(j = 0; j < pPar->nLabel; j++) tpeLabelClear(&pPar->aLabel[j]);
    }
    sqlite3_free(pPar->aLabel);
    sqlite3_free(pPar->aProb);
    sqlite3_free(pPar->aWhen);
    sqlite3_free(pPar->zArgs);
    sqlite3_free(pPar->zWhen);
  }
  sqlite3_free(p->aParam);
  sqlite3_free(p->aOrder);
  sqlite3_free(p->zName);
  sqlite3_free(p);
}

int tpeSpaceParse(const char *zName, int nArg, const char *const *azArg,
                  TpeSpace **ppSpace, char **pzErr){
  TpeParse sParse;
  TpeWhen *aWhen = 0;
  int i, j;

  *ppSpace = 0;
  *pzErr = 0;
  memset(&sParse, 0, sizeof(sParse));
  sParse.pSpace = sqlite3_malloc64(sizeof(TpeSpace));
  if( sParse.pSpace == 0 ) return SQLITE_NOMEM;
  memset(sParse.pSpace, 0, sizeof(TpeSpace));
  tpeOptionsDefault(&sParse.pSpace->opt);
  sParse.pSpace->zName = sqlite3_mprintf("%s", zName);
  aWhen = sqlite3_malloc64(sizeof(TpeWhen) * (nArg + 1));
  if( aWhen ) memset(aWhen, 0, sizeof(TpeWhen) * (nArg + 1));
  if( sParse.pSpace->zName == 0 || aWhen == 0 ) sParse.rc = SQLITE_NOMEM;

  for(i = 0; i < nArg && sParse.rc == SQLITE_OK; i++){
    tpeParseArg(&sParse, azArg[i], aWhen);
  }
  if( sParse.rc == SQLITE_OK && sParse.pSpace->nParam == 0 ){
    tpeErr(&sParse, "no parameters declared; declare at least one, for "
           "example: x uniform(0, 1)");
  }
  if( sParse.rc == SQLITE_OK ) tpeOptionsResolve(sParse.pSpace);
  if( sParse.rc == SQLITE_OK ) tpeResolveWhen(&sParse, aWhen);
  if( sParse.rc == SQLITE_OK ) tpeOrderParams(&sParse);

  if( aWhen ){
    for(i = 0; i < nArg; i++){
      for(j = 0; j < aWhen[i].nLabel; j++) tpeLabelClear(&aWhen[i].aLabel[j]);
      sqlite3_free(aWhen[i].aLabel);
    }
    sqlite3_free(aWhen);
  }
  for(i = 0; i < sParse.pSpace->nParam; i++) sqlite3_free(sParse.azParent[i]);
  sqlite3_free(sParse.azParent);

  if( sParse.rc != SQLITE_OK ){
    tpeSpaceFree(sParse.pSpace);
    *pzErr = sParse.zErr;
    return sParse.rc;
  }
  *ppSpace = sParse.pSpace;
  return SQLITE_OK;
}

int tpeParamActive(const TpeSpace *p, int iParam, const double *aVal){
  const TpeParam *pPar = &p->aParam[iParam];
  double v;

  if( pPar->iParent < 0 ) return 1;
  v = aVal[pPar->iParent];
  if( isnan(v) ) return 0;
  return pPar->aWhen[(int)v] != 0;
}

/* Is v a multiple of q, up to rounding of decimal input? */
static int tpeOnGrid(double v, double q){
  double k = v / q;
  return fabs(k - rint(k)) <= 1e-9 * (fabs(k) > 1.0 ? fabs(k) : 1.0);
}

const char *tpeParamCheck(const TpeParam *p, double v){
  if( !isfinite(v) ) return "is not a finite number";
  switch( p->eKind ){
    case TPE_UNIFORM:
    case TPE_LOGUNIFORM:
      if( v < p->a || v > p->b ) return "is out of range";
      return 0;
    case TPE_QUNIFORM:
    case TPE_QLOGUNIFORM:
      /* Rounding to the grid can move a value past a bound by up to q/2,
      ** as in hyperopt: the grid points nearest the bounds are valid. */
      if( !tpeOnGrid(v, p->q) ) return "is off the grid";
      if( v < rint(p->a / p->q) * p->q - p->q * 1e-9
       || v > rint(p->b / p->q) * p->q + p->q * 1e-9 ){
        return "is out of range";
      }
      return 0;
    case TPE_NORMAL:
      return 0;
    case TPE_QNORMAL:
      return tpeOnGrid(v, p->q) ? 0 : "is off the grid";
    case TPE_LOGNORMAL:
      return v > 0 ? 0 : "is not positive";
    case TPE_QLOGNORMAL:
      if( !tpeOnGrid(v, p->q) ) return "is off the grid";
      return v >= 0 ? 0 : "is negative";
    case TPE_UNIFORMINT:
      if( v != floor(v) ) return "is not an integer";
      if( v < p->a || v > p->b ) return "is out of range";
      return 0;
    case TPE_RANDINT:
    case TPE_CHOICE:
    case TPE_PCHOICE:
    default:
      if( v != floor(v) || v < 0 || v >= p->nLabel ) return "is not a label";
      return 0;
  }
}
