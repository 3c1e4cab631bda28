/*
** tpe_func.c: the SQL functions that reach an experiment by name.
**
**     SELECT tpe_suggest('exp');   -- {"trial": 7, "x": 1.23, "y": -0.5}
**     SELECT tpe_best('exp');      -- {"trial": 3, "x": ..., "loss": 0.1}
**     SELECT * FROM tpe_space('exp');
**
** tpe_suggest takes the experiment's history from its per-connection
** cache (reloaded only when another write moved it, see tpe_vtab.h),
** asks the experiment's algorithm for a point (tpe_algo.h) and records it
** as a pending trial in the caller's transaction, all within one call.
** tpe_space is an eponymous table-valued function listing parameters and
** options.
*/
#include "tpe_vtab.h"

#include <math.h>
#include <string.h>

/* Fail the function call with rc and, unless out of memory, zErr. */
static void tpeResultErr(sqlite3_context *ctx, int rc, char *zErr){
  if( rc == SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, zErr ? zErr : "sqlite-tpe: error", -1);
    sqlite3_result_error_code(ctx, rc);
  }
  sqlite3_free(zErr);
}

/* The experiment named by argv[0], or NULL with the error set. */
static TpeTable *tpeFuncTable(sqlite3_context *ctx, sqlite3_value *pArg){
  TpeRegistry *pReg = (TpeRegistry*)sqlite3_user_data(ctx);
  const char *zName = (const char*)sqlite3_value_text(pArg);
  TpeTable *p = 0;
  char *zErr = 0;
  int rc;

  if( sqlite3_value_type(pArg) != SQLITE_TEXT || zName == 0 ){
    sqlite3_result_error(ctx, "expected the name of an experiment as text",
                         -1);
    return 0;
  }
  rc = tpeTableFind(pReg, zName, &p, &zErr);
  if( rc != SQLITE_OK ){
    tpeResultErr(ctx, rc, zErr);
    return 0;
  }
  return p;
}

/* Append the JSON object of a point: trial, active parameters, and the
** loss if bLoss. */
static void tpePointJson(sqlite3_str *pStr, const TpeSpace *pS,
                         sqlite3_int64 iTrial, const double *aVal,
                         int bLoss, double rLoss){
  int i;

  sqlite3_str_appendf(pStr, "{\"trial\": %lld", iTrial);
  for(i = 0; i < pS->nParam; i++){
    if( isnan(aVal[i]) ) continue;
    sqlite3_str_appendall(pStr, ", ");
    tpeJsonString(pStr, pS->aParam[i].zName);
    sqlite3_str_appendall(pStr, ": ");
    tpeValueJson(pStr, &pS->aParam[i], aVal[i]);
  }
  if( bLoss ){
    sqlite3_str_appendall(pStr, ", \"loss\": ");
    tpeAppendReal(pStr, rLoss);
  }
  sqlite3_str_appendchar(pStr, 1, '}');
}

/* Insert the suggested point aVal as pending trial iTrial. */
static int tpeRecordPending(TpeTable *p, sqlite3_int64 iTrial,
                            const double *aVal){
  const TpeSpace *pS = p->pSpace;
  sqlite3_stmt *pStmt;
  char zNow[24];
  int rc = tpeStoreStmt(p, TPE_STMT_INSERT, &pStmt), i;

  if( rc != SQLITE_OK ) return rc;
  tpeNow(p->db, zNow);
  sqlite3_bind_int64(pStmt, 1, iTrial);
  for(i = 0; i < pS->nParam && rc == SQLITE_OK; i++){
    rc = tpeValueBind(pStmt, i + 2, &pS->aParam[i], aVal[i]);
  }
  i = pS->nParam + 2;
  if( rc == SQLITE_OK ){
    sqlite3_bind_null(pStmt, i);
    sqlite3_bind_text(pStmt, i + 1, "pending", -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, i + 2, zNow, -1, SQLITE_TRANSIENT);
    sqlite3_bind_null(pStmt, i + 3);
    rc = sqlite3_bind_null(pStmt, i + 4);
  }
  if( rc == SQLITE_OK ){
    sqlite3_step(pStmt);
    rc = sqlite3_reset(pStmt);
  }else{
    sqlite3_reset(pStmt);
  }
  return rc;
}

/* True if a statement that writes is running on db (besides, possibly,
** the caller's read-only one). */
static int tpeWriteActive(sqlite3 *db){
  sqlite3_stmt *pStmt;
  for(pStmt = sqlite3_next_stmt(db, 0); pStmt;
      pStmt = sqlite3_next_stmt(db, pStmt)){
    if( sqlite3_stmt_busy(pStmt) && !sqlite3_stmt_readonly(pStmt) ) return 1;
  }
  return 0;
}

/*
** Begin the transaction a suggestion runs in, when the caller has none.
** A suggestion reads the history, then writes a trial numbered after the
** last one; in autocommit mode each of those steps would be a transaction
** of its own, and two processes could number their trials alike.  So a
** savepoint holds them together, and a write that changes nothing takes
** the write lock first (waiting as the busy timeout allows), so that the
** history read is the latest.  Sets *pbTxn if it began one.
*/
static int tpeSuggestBegin(TpeTable *p, int *pbTxn){
  int rc;

  *pbTxn = 0;
  if( !sqlite3_get_autocommit(p->db) || tpeWriteActive(p->db) ){
    /* An open transaction, or a writing statement, already holds the
    ** snapshot the suggestion reads and writes. */
    return SQLITE_OK;
  }
  rc = tpeStoreRun(p, TPE_STMT_SAVEPOINT);
  if( rc != SQLITE_OK ) return rc;
  *pbTxn = 1;
  return tpeStoreRun(p, TPE_STMT_LOCK);
}

/* End the transaction tpeSuggestBegin began: commit it after success,
** undo it after an error (whose code rc is returned unchanged). */
static int tpeSuggestEnd(TpeTable *p, int bTxn, int rc){
  if( !bTxn ) return rc;
  if( rc == SQLITE_OK ){
    rc = tpeStoreRun(p, TPE_STMT_RELEASE);
    if( rc == SQLITE_OK ) return rc;
  }
  p->bHist = 0;
  tpeStoreRun(p, TPE_STMT_ROLLBACK_TO);
  tpeStoreRun(p, TPE_STMT_RELEASE);
  return rc;
}

/*
** tpe_suggest(EXPERIMENT): suggest the next trial, record it as pending,
** and return it as JSON text.  The history comes from the experiment's
** cache (tpeHistoryGet), which the new pending trial then joins.
*/
static void tpeSuggestFunc(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  TpeTable *p = tpeFuncTable(ctx, argv[0]);
  const TpeHistory *pHist = 0;
  sqlite3_int64 iTrial = 0;
  sqlite3_str *pStr;
  double *aVal = 0;
  char *zErr = 0;
  int rc, bKeep, bTxn;

  (void)argc;
  if( p == 0 ) return;
  rc = tpeSuggestBegin(p, &bTxn);
  if( rc == SQLITE_OK ) rc = tpeHistoryGet(p, &pHist);
  if( rc == SQLITE_OK ){
    aVal = sqlite3_malloc64(sizeof(double) * (p->pSpace->nParam + 1));
    if( aVal == 0 ) rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK ){
    iTrial = pHist->nTrial ? pHist->aId[pHist->nTrial - 1] + 1 : 1;
    rc = tpeSuggest(p->pSpace, pHist, iTrial, aVal);
  }
  if( rc == SQLITE_OK ){
    /* The cache matched the stored trials; after this write it matches
    ** them plus the new pending trial. */
    bKeep = p->bHist;
    rc = tpeRecordPending(p, iTrial, aVal);
    if( rc == SQLITE_OK ) rc = tpeGenBump(p, bKeep);
    if( rc == SQLITE_OK && bKeep ){
      tpeHistoryAppend(p, iTrial, aVal, TPE_PENDING, NAN);
    }
  }
  rc = tpeSuggestEnd(p, bTxn, rc);
  if( rc == SQLITE_OK ){
    pStr = sqlite3_str_new(p->db);
    tpePointJson(pStr, p->pSpace, iTrial, aVal, 0, 0.0);
    rc = sqlite3_str_errcode(pStr);
    if( rc == SQLITE_OK ){
      sqlite3_result_text(ctx, sqlite3_str_finish(pStr), -1, sqlite3_free);
    }else{
      sqlite3_free(sqlite3_str_finish(pStr));
    }
  }
  if( rc != SQLITE_OK && rc != SQLITE_NOMEM ){
    zErr = sqlite3_mprintf("tpe_suggest: %s: %s", p->zName,
                           sqlite3_errmsg(p->db));
  }
  if( rc != SQLITE_OK ) tpeResultErr(ctx, rc, zErr);
  sqlite3_free(aVal);
}

/*
** tpe_best(EXPERIMENT): the ok trial with the lowest loss as JSON, or NULL
** if no trial has a result yet.  Ties go to the earliest trial.
*/
static void tpeBestFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  TpeTable *p = tpeFuncTable(ctx, argv[0]);
  sqlite3_stmt *pStmt = 0;
  double *aVal = 0;
  int rc, i;

  (void)argc;
  if( p == 0 ) return;
  rc = tpeStoreStmt(p, TPE_STMT_BEST, &pStmt);
  if( rc == SQLITE_OK ){
    aVal = sqlite3_malloc64(sizeof(double) * (p->pSpace->nParam + 1));
    if( aVal == 0 ) rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK && sqlite3_step(pStmt) == SQLITE_ROW ){
    sqlite3_str *pStr = sqlite3_str_new(p->db);
    for(i = 0; i < p->pSpace->nParam; i++){
      char *zErr = 0;
      if( tpeValueEncode(p, i, sqlite3_column_value(pStmt, i + 1), &aVal[i],
                         &zErr) != SQLITE_OK ){
        aVal[i] = NAN;
      }
      sqlite3_free(zErr);
    }
    tpePointJson(pStr, p->pSpace, sqlite3_column_int64(pStmt, 0), aVal, 1,
                 sqlite3_column_double(pStmt, p->pSpace->nParam + 1));
    if( sqlite3_str_errcode(pStr) == SQLITE_OK ){
      sqlite3_result_text(ctx, sqlite3_str_finish(pStr), -1, sqlite3_free);
    }else{
      sqlite3_free(sqlite3_str_finish(pStr));
      rc = SQLITE_NOMEM;
    }
  }
  if( pStmt ){
    int rc2 = sqlite3_reset(pStmt);
    if( rc == SQLITE_OK ) rc = rc2;
  }
  if( rc != SQLITE_OK ){
    tpeResultErr(ctx, rc, rc == SQLITE_NOMEM ? 0 :
                 sqlite3_mprintf("tpe_best: %s: %s", p->zName,
                                 sqlite3_errmsg(p->db)));
  }
  sqlite3_free(aVal);
}

/**************************************************************************
** tpe_space(EXPERIMENT): one row per parameter, then one per option.
**
**   position  1-based order of declaration; options follow the parameters
**   name      parameter or option name
**   kind      the parameter's kind, or 'option'
**   args      the parameter's arguments, or the option's value, as text
**   condition the parameter's WHEN condition, or NULL
**   depth     nesting depth of the condition (0 if none)
*/
#define TPE_SPACE_COL_POSITION   0
#define TPE_SPACE_COL_NAME       1
#define TPE_SPACE_COL_KIND       2
#define TPE_SPACE_COL_ARGS       3
#define TPE_SPACE_COL_CONDITION  4
#define TPE_SPACE_COL_DEPTH      5
#define TPE_SPACE_COL_EXPERIMENT 6   /* hidden: the argument */

typedef struct TpeSpaceVtab TpeSpaceVtab;
struct TpeSpaceVtab {
  sqlite3_vtab base;    /* base class; must be first */
  TpeRegistry *pReg;    /* where experiments are found */
};

typedef struct TpeSpaceCursor TpeSpaceCursor;
struct TpeSpaceCursor {
  sqlite3_vtab_cursor base;  /* base class; must be first */
  const TpeSpace *pSpace;    /* space listed; owned by its TpeTable */
  int iRow;                  /* 0-based current row */
  int nRow;                  /* parameters plus options */
};

static int tpeSpaceConnect(sqlite3 *db, void *pAux, int argc,
                           const char *const *argv, sqlite3_vtab **ppVtab,
                           char **pzErr){
  TpeSpaceVtab *p;
  int rc;

  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(position INTEGER, name TEXT,"
      " kind TEXT, args TEXT, condition TEXT, depth INTEGER,"
      " experiment HIDDEN)");
  if( rc != SQLITE_OK ) return rc;
  p = sqlite3_malloc64(sizeof(*p));
  if( p == 0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->pReg = (TpeRegistry*)pAux;
  /* It only reads declarations the user made. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int tpeSpaceDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* The experiment argument is required: a plan without it is refused. */
static int tpeSpaceBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  (void)pVtab;
  for(i = 0; i < pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->iColumn != TPE_SPACE_COL_EXPERIMENT ) continue;
    if( pC->op != SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( !pC->usable ) return SQLITE_CONSTRAINT;
    pInfo->aConstraintUsage[i].argvIndex = 1;
    pInfo->aConstraintUsage[i].omit = 1;
    pInfo->estimatedCost = 10;
    pInfo->estimatedRows = 10;
    pInfo->idxNum = 1;
    return SQLITE_OK;
  }
  pInfo->estimatedCost = 1e99;
  pInfo->idxNum = 0;
  return SQLITE_OK;
}

static int tpeSpaceOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  TpeSpaceCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur == 0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int tpeSpaceClose(sqlite3_vtab_cursor *pCur){
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int tpeSpaceFilter(sqlite3_vtab_cursor *pBase, int idxNum,
                          const char *idxStr, int argc,
                          sqlite3_value **argv){
  TpeSpaceCursor *pCur = (TpeSpaceCursor*)pBase;
  TpeSpaceVtab *pVtab = (TpeSpaceVtab*)pBase->pVtab;
  TpeTable *p = 0;
  const char *zName;
  char *zErr = 0;
  int rc;

  (void)idxStr;
  pCur->pSpace = 0;
  pCur->iRow = pCur->nRow = 0;
  if( idxNum == 0 || argc < 1 ){
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = sqlite3_mprintf(
        "tpe_space: name the experiment, as in tpe_space('exp')");
    return SQLITE_ERROR;
  }
  zName = (const char*)sqlite3_value_text(argv[0]);
  if( zName == 0 ){
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = sqlite3_mprintf(
        "tpe_space: expected the name of an experiment as text");
    return SQLITE_ERROR;
  }
  rc = tpeTableFind(pVtab->pReg, zName, &p, &zErr);
  if( rc != SQLITE_OK ){
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = zErr;
    return rc;
  }
  pCur->pSpace = p->pSpace;
  pCur->nRow = p->pSpace->nParam + tpeOptionCount();
  return SQLITE_OK;
}

static int tpeSpaceNext(sqlite3_vtab_cursor *pBase){
  ((TpeSpaceCursor*)pBase)->iRow++;
  return SQLITE_OK;
}

static int tpeSpaceEof(sqlite3_vtab_cursor *pBase){
  TpeSpaceCursor *pCur = (TpeSpaceCursor*)pBase;
  return pCur->iRow >= pCur->nRow;
}

static int tpeSpaceColumn(sqlite3_vtab_cursor *pBase, sqlite3_context *ctx,
                          int iCol){
  TpeSpaceCursor *pCur = (TpeSpaceCursor*)pBase;
  const TpeSpace *pS = pCur->pSpace;
  int iRow = pCur->iRow;
  int bOpt = iRow >= pS->nParam;
  const TpeParam *pPar = bOpt ? 0 : &pS->aParam[iRow];

  switch( iCol ){
    case TPE_SPACE_COL_POSITION:
      sqlite3_result_int(ctx, iRow + 1);
      break;
    case TPE_SPACE_COL_NAME:
      sqlite3_result_text(ctx, bOpt ? tpeOptionName(iRow - pS->nParam)
                          : pPar->zName, -1, SQLITE_STATIC);
      break;
    case TPE_SPACE_COL_KIND:
      sqlite3_result_text(ctx, bOpt ? "option" : tpeKindName(pPar->eKind),
                          -1, SQLITE_STATIC);
      break;
    case TPE_SPACE_COL_ARGS:
      if( bOpt ){
        char *z = tpeOptionValue(pS, iRow - pS->nParam);
        if( z == 0 ) return SQLITE_NOMEM;
        sqlite3_result_text(ctx, z, -1, sqlite3_free);
      }else{
        sqlite3_result_text(ctx, pPar->zArgs, -1, SQLITE_TRANSIENT);
      }
      break;
    case TPE_SPACE_COL_CONDITION:
      if( pPar && pPar->zWhen ){
        sqlite3_result_text(ctx, pPar->zWhen, -1, SQLITE_TRANSIENT);
      }
      break;
    case TPE_SPACE_COL_DEPTH:
      sqlite3_result_int(ctx, pPar ? pPar->iDepth : 0);
      break;
    default:
      break;
  }
  return SQLITE_OK;
}

static int tpeSpaceRowid(sqlite3_vtab_cursor *pBase, sqlite3_int64 *pRowid){
  *pRowid = ((TpeSpaceCursor*)pBase)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module tpeSpaceModule = {
  .xConnect = tpeSpaceConnect,
  .xBestIndex = tpeSpaceBestIndex,
  .xDisconnect = tpeSpaceDisconnect,
  .xOpen = tpeSpaceOpen,
  .xClose = tpeSpaceClose,
  .xFilter = tpeSpaceFilter,
  .xNext = tpeSpaceNext,
  .xEof = tpeSpaceEof,
  .xColumn = tpeSpaceColumn,
  .xRowid = tpeSpaceRowid,
};

/**************************************************************************
** Registration
*/
int tpeFuncRegister(sqlite3 *db, TpeRegistry *pReg){
  /* tpe_suggest draws at random and writes a trial; tpe_best reads a table
  ** named by its argument.  Neither may run from a view or a trigger of a
  ** schema the application does not control, hence DIRECTONLY. */
  static const struct {
    const char *zName;
    void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  } aFunc[] = {
    { "tpe_suggest", tpeSuggestFunc },
    { "tpe_best",    tpeBestFunc },
  };
  int rc = SQLITE_OK, i;

  for(i = 0; i < (int)(sizeof(aFunc)/sizeof(aFunc[0])) && rc == SQLITE_OK;
      i++){
    rc = sqlite3_create_function_v2(db, aFunc[i].zName, 1,
        SQLITE_UTF8 | SQLITE_DIRECTONLY, pReg, aFunc[i].xFunc, 0, 0, 0);
  }
  if( rc == SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "tpe_space", &tpeSpaceModule, pReg, 0);
  }
  return rc;
}
