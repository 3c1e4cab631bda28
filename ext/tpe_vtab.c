/*
** tpe_vtab.c: the "tpe" virtual-table module: experiments as tables.
**
**     CREATE VIRTUAL TABLE exp USING tpe(x uniform(-5, 5), y uniform(-5, 5));
**     SELECT tpe_suggest('exp');                 -- trial 1, now pending
**     UPDATE exp SET loss = 0.42 WHERE trial = 1; -- now ok
**     INSERT INTO exp(x, y, loss) VALUES (0.5, 1.5, 3.2);
**     SELECT * FROM exp WHERE status = 'ok' ORDER BY loss LIMIT 5;
**
** The columns are trial (the rowid), the parameters in declared order,
** loss, status, suggested_at, finished_at and extra.  Every row lives in
** the shadow table <name>_trials (tpe_store.c); a scan runs one SELECT on
** it, chosen by xBestIndex, and every write is validated against the
** space before the shadow table is touched.
**
** Query plans.  xBestIndex encodes a plan in idxNum; xFilter's argv holds
** the right-hand values of the used constraints in the order of the bits
** below (lowest bit first):
**
**     bit  0   trial = ?              bits 5-8   loss >, >=, <, <= ?
**     bits 1-4 trial >, >=, <, <= ?   bit  9     status = ?
**     bits 10-12 ORDER BY: 0 none, 1 trial, 2 trial DESC, 3 loss,
**                4 loss DESC (consumed: rows come back in that order)
**
** tpeScanSql() turns idxNum into the SELECT; SQLite's planner on the
** shadow table then uses its rowid and its index on loss.  A closed
** cursor leaves its prepared SELECT with the table (up to TPE_NSCAN of
** them) for the next scan of the same plan.
*/
#include "tpe_vtab.h"

#include <math.h>
#include <string.h>

#define TPE_PLAN_TRIAL_EQ    0x001
#define TPE_PLAN_TRIAL_GT    0x002
#define TPE_PLAN_TRIAL_GE    0x004
#define TPE_PLAN_TRIAL_LT    0x008
#define TPE_PLAN_TRIAL_LE    0x010
#define TPE_PLAN_LOSS_GT     0x020
#define TPE_PLAN_LOSS_GE     0x040
#define TPE_PLAN_LOSS_LT     0x080
#define TPE_PLAN_LOSS_LE     0x100
#define TPE_PLAN_STATUS_EQ   0x200
#define TPE_PLAN_NCONS       10        /* bits used by constraints */
#define TPE_PLAN_ORDER_SHIFT 10
#define TPE_ORDER_TRIAL      1
#define TPE_ORDER_TRIAL_DESC 2
#define TPE_ORDER_LOSS       3
#define TPE_ORDER_LOSS_DESC  4

typedef struct TpeCursor TpeCursor;
struct TpeCursor {
  sqlite3_vtab_cursor base;   /* base class; must be first */
  sqlite3_stmt *pStmt;        /* scan of the shadow table, owned while
                              ** the cursor is open (see tpeScanRelease) */
  int iPlan;                  /* idxNum of pStmt */
  int bEof;                   /* true after the last row */
};

/* Replace the table's error message with a new one from zFmt. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tpeVtabErr(TpeTable *p, const char *zFmt, ...){
  va_list ap;
  sqlite3_free(p->base.zErrMsg);
  va_start(ap, zFmt);
  p->base.zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/**************************************************************************
** Registry
*/
static void tpeRegistryAdd(TpeRegistry *pReg, TpeTable *p){
  p->pReg = pReg;
  p->pNext = pReg->pList;
  pReg->pList = p;
}

static void tpeRegistryRemove(TpeTable *p){
  TpeTable **pp;
  if( p->pReg == 0 ) return;
  for(pp = &p->pReg->pList; *pp; pp = &(*pp)->pNext){
    if( *pp == p ){
      *pp = p->pNext;
      break;
    }
  }
  p->pReg = 0;
}

/* Look zName up among the connected experiments. */
static TpeTable *tpeRegistryGet(TpeRegistry *pReg, const char *zDb,
                                const char *zName){
  TpeTable *p;
  for(p = pReg->pList; p; p = p->pNext){
    if( sqlite3_stricmp(p->zName, zName) == 0
     && (zDb == 0 || sqlite3_stricmp(p->zDb, zDb) == 0) ){
      return p;
    }
  }
  return 0;
}

int tpeTableFind(TpeRegistry *pReg, const char *zName, TpeTable **ppTab,
                 char **pzErr){
  const char *zDot = strchr(zName, '.');
  char *zDb = 0, *zSql;
  const char *zTab = zName;
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_ERROR;

  *ppTab = 0;
  if( zDot ){
    zDb = sqlite3_mprintf("%.*s", (int)(zDot - zName), zName);
    if( zDb == 0 ) return SQLITE_NOMEM;
    zTab = zDot + 1;
  }
  *ppTab = tpeRegistryGet(pReg, zDb, zTab);
  if( *ppTab == 0 ){
    /* Preparing a statement that names the table makes SQLite connect
    ** it (xConnect), which lists it in the registry. */
    if( zDb ){
      zSql = sqlite3_mprintf("SELECT 1 FROM \"%w\".\"%w\" LIMIT 0", zDb, zTab);
    }else{
      zSql = sqlite3_mprintf("SELECT 1 FROM \"%w\" LIMIT 0", zTab);
    }
    if( zSql == 0 ){ sqlite3_free(zDb); return SQLITE_NOMEM; }
    rc = sqlite3_prepare_v2(pReg->db, zSql, -1, &pStmt, 0);
    sqlite3_free(zSql);
    sqlite3_finalize(pStmt);
    if( rc == SQLITE_NOMEM ){ sqlite3_free(zDb); return rc; }
    *ppTab = tpeRegistryGet(pReg, zDb, zTab);
  }
  sqlite3_free(zDb);
  if( *ppTab == 0 ){
    if( rc == SQLITE_OK ){
      *pzErr = sqlite3_mprintf("%s is a table but not an experiment; "
          "create one with CREATE VIRTUAL TABLE ... USING tpe(...)", zName);
    }else{
      *pzErr = sqlite3_mprintf("no such experiment: %s", zName);
    }
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/**************************************************************************
** Creation and connection
*/

/* The CREATE TABLE statement that declares the experiment's columns. */
static char *tpeSchemaSql(const TpeSpace *pS){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;

  sqlite3_str_appendall(pStr, "CREATE TABLE x(trial INTEGER");
  for(i = 0; i < pS->nParam; i++){
    const TpeParam *p = &pS->aParam[i];
    const char *zType = tpeKindIsCategorical(p->eKind) ? "" : " REAL";
    if( p->eKind == TPE_RANDINT || p->eKind == TPE_UNIFORMINT ){
      zType = " INTEGER";
    }
    sqlite3_str_appendf(pStr, ", \"%w\"%s", p->zName, zType);
  }
  sqlite3_str_appendall(pStr, ", loss REAL, status TEXT, suggested_at TEXT,"
                        " finished_at TEXT, extra TEXT)");
  return sqlite3_str_finish(pStr);
}

static void tpeTableFree(TpeTable *p){
  if( p == 0 ) return;
  tpeRegistryRemove(p);
  tpeStoreFinalize(p);
  tpeHistoryFree(&p->hist);
  tpeSpaceFree(p->pSpace);
  sqlite3_free(p->zDb);
  sqlite3_free(p->zName);
  sqlite3_free(p);
}

/*
** xCreate and xConnect.  Parse the declaration, declare the columns and,
** for xCreate, make the shadow tables; for xConnect, check their format.
** On error leave *ppVtab NULL and *pzErr set; nothing has been written.
*/
static int tpeInit(sqlite3 *db, void *pAux, int argc,
                   const char *const *argv, sqlite3_vtab **ppVtab,
                   char **pzErr, int bCreate){
  TpeTable *p = 0;
  char *zSchema = 0;
  int rc;

  *ppVtab = 0;
  p = sqlite3_malloc64(sizeof(*p));
  if( p == 0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zDb = sqlite3_mprintf("%s", argv[1]);
  p->zName = sqlite3_mprintf("%s", argv[2]);
  if( p->zDb == 0 || p->zName == 0 ){
    rc = SQLITE_NOMEM;
    goto init_out;
  }
  rc = tpeSpaceParse(argv[2], argc - 3, argv + 3, &p->pSpace, pzErr);
  if( rc != SQLITE_OK ) goto init_out;

  zSchema = tpeSchemaSql(p->pSpace);
  if( zSchema == 0 ){
    rc = SQLITE_NOMEM;
    goto init_out;
  }
  rc = sqlite3_declare_vtab(db, zSchema);
  if( rc != SQLITE_OK ){
    if( rc != SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("%s: %s", argv[2], sqlite3_errmsg(db));
    }
    goto init_out;
  }
  /* Writes are validated and either fully applied or refused, so the
  ** table honours ON CONFLICT ABORT.  It reads and writes only its own
  ** shadow tables, as a plain table would, so it is harmless even in a
  ** schema the application does not trust. */
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);

  rc = bCreate ? tpeStoreCreate(p, pzErr) : tpeStoreCheck(p, pzErr);
  if( rc != SQLITE_OK ) goto init_out;

  tpeRegistryAdd((TpeRegistry*)pAux, p);
  *ppVtab = &p->base;
  p = 0;

init_out:
  sqlite3_free(zSchema);
  tpeTableFree(p);
  return rc;
}

static int tpeCreate(sqlite3 *db, void *pAux, int argc,
                     const char *const *argv, sqlite3_vtab **ppVtab,
                     char **pzErr){
  return tpeInit(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int tpeConnect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  return tpeInit(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int tpeDisconnect(sqlite3_vtab *pVtab){
  tpeTableFree((TpeTable*)pVtab);
  return SQLITE_OK;
}

static int tpeDestroy(sqlite3_vtab *pVtab){
  TpeTable *p = (TpeTable*)pVtab;
  int rc = tpeStoreDrop(p);
  if( rc == SQLITE_OK ) tpeTableFree(p);
  return rc;
}

static int tpeRename(sqlite3_vtab *pVtab, const char *zNew){
  TpeTable *p = (TpeTable*)pVtab;
  char *zName = sqlite3_mprintf("%s", zNew);
  int rc;

  if( zName == 0 ) return SQLITE_NOMEM;
  rc = tpeStoreRename(p, zNew);
  if( rc == SQLITE_OK ){
    sqlite3_free(p->zName);
    p->zName = zName;
  }else{
    sqlite3_free(zName);
  }
  return rc;
}

static int tpeShadowName(const char *zSuffix){
  return sqlite3_stricmp(zSuffix, "config") == 0
      || sqlite3_stricmp(zSuffix, "trials") == 0;
}

/**************************************************************************
** Scans
*/

/* Which plan bit a constraint on column iCol with operator op sets. */
static int tpeConstraintBit(int nParam, int iCol, int op){
  int iLoss = nParam + 1 + TPE_COL_LOSS;
  int iStatus = nParam + 1 + TPE_COL_STATUS;

  if( iCol == 0 || iCol < 0 ){
    switch( op ){
      case SQLITE_INDEX_CONSTRAINT_EQ: return TPE_PLAN_TRIAL_EQ;
      case SQLITE_INDEX_CONSTRAINT_GT: return TPE_PLAN_TRIAL_GT;
      case SQLITE_INDEX_CONSTRAINT_GE: return TPE_PLAN_TRIAL_GE;
      case SQLITE_INDEX_CONSTRAINT_LT: return TPE_PLAN_TRIAL_LT;
      case SQLITE_INDEX_CONSTRAINT_LE: return TPE_PLAN_TRIAL_LE;
    }
  }else if( iCol == iLoss ){
    switch( op ){
      case SQLITE_INDEX_CONSTRAINT_GT: return TPE_PLAN_LOSS_GT;
      case SQLITE_INDEX_CONSTRAINT_GE: return TPE_PLAN_LOSS_GE;
      case SQLITE_INDEX_CONSTRAINT_LT: return TPE_PLAN_LOSS_LT;
      case SQLITE_INDEX_CONSTRAINT_LE: return TPE_PLAN_LOSS_LE;
    }
  }else if( iCol == iStatus && op == SQLITE_INDEX_CONSTRAINT_EQ ){
    return TPE_PLAN_STATUS_EQ;
  }
  return 0;
}

static int tpeBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  TpeTable *p = (TpeTable*)pVtab;
  int nParam = p->pSpace->nParam;
  int aCons[TPE_PLAN_NCONS];   /* constraint index per plan bit, or -1 */
  int idxNum = 0, i, iArg = 1, eOrder = 0;
  double rCost = 1e6, rRows = 1e6;

  for(i = 0; i < TPE_PLAN_NCONS; i++) aCons[i] = -1;
  for(i = 0; i < pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int mBit, iBit;
    if( !pC->usable ) continue;
    mBit = tpeConstraintBit(nParam, pC->iColumn, pC->op);
    if( mBit == 0 || (idxNum & mBit) ) continue;
    for(iBit = 0; (1 << iBit) != mBit; iBit++){}
    aCons[iBit] = i;
    idxNum |= mBit;
  }
  /* An equality on trial makes every other constraint redundant work. */
  if( idxNum & TPE_PLAN_TRIAL_EQ ){
    for(i = 1; i < TPE_PLAN_NCONS; i++) aCons[i] = -1;
    idxNum = TPE_PLAN_TRIAL_EQ;
  }
  for(i = 0; i < TPE_PLAN_NCONS; i++){
    if( aCons[i] < 0 ) continue;
    pInfo->aConstraintUsage[aCons[i]].argvIndex = iArg++;
    pInfo->aConstraintUsage[aCons[i]].omit = 1;
  }

  if( pInfo->nOrderBy == 1 ){
    int iCol = pInfo->aOrderBy[0].iColumn;
    int bDesc = pInfo->aOrderBy[0].desc;
    if( iCol == 0 || iCol < 0 ){
      eOrder = bDesc ? TPE_ORDER_TRIAL_DESC : TPE_ORDER_TRIAL;
    }else if( iCol == nParam + 1 + TPE_COL_LOSS ){
      eOrder = bDesc ? TPE_ORDER_LOSS_DESC : TPE_ORDER_LOSS;
    }
    if( eOrder ) pInfo->orderByConsumed = 1;
  }
  idxNum |= eOrder << TPE_PLAN_ORDER_SHIFT;

  if( idxNum & TPE_PLAN_TRIAL_EQ ){
    rCost = 1;
    rRows = 1;
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  }else{
    if( idxNum & (TPE_PLAN_TRIAL_GT|TPE_PLAN_TRIAL_GE) ) rRows /= 4;
    if( idxNum & (TPE_PLAN_TRIAL_LT|TPE_PLAN_TRIAL_LE) ) rRows /= 4;
    if( idxNum & (TPE_PLAN_LOSS_GT|TPE_PLAN_LOSS_GE) ) rRows /= 4;
    if( idxNum & (TPE_PLAN_LOSS_LT|TPE_PLAN_LOSS_LE) ) rRows /= 4;
    if( idxNum & TPE_PLAN_STATUS_EQ ) rRows /= 2;
    rCost = rRows;
    /* Ordering by loss through the index, then filtering, beats a sort. */
    if( eOrder == 0 && pInfo->nOrderBy > 0 ) rCost += rRows * 4;
  }
  pInfo->idxNum = idxNum;
  pInfo->estimatedCost = rCost;
  pInfo->estimatedRows = (sqlite3_int64)rRows;
  return SQLITE_OK;
}

/* The SELECT on the shadow table that runs plan idxNum. */
static char *tpeScanSql(TpeTable *p, int idxNum){
  static const char *const azCons[TPE_PLAN_NCONS] = {
    "trial = ?", "trial > ?", "trial >= ?", "trial < ?", "trial <= ?",
    "loss > ?", "loss >= ?", "loss < ?", "loss <= ?", "status = ?"
  };
  static const char *const azOrder[] = {
    "", " ORDER BY trial", " ORDER BY trial DESC", " ORDER BY loss",
    " ORDER BY loss DESC"
  };
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  int i, nCons = 0, eOrder = (idxNum >> TPE_PLAN_ORDER_SHIFT) & 7;

  sqlite3_str_appendf(pStr, "SELECT * FROM \"%w\".\"%w_trials\"",
                      p->zDb, p->zName);
  for(i = 0; i < TPE_PLAN_NCONS; i++){
    if( idxNum & (1 << i) ){
      sqlite3_str_appendf(pStr, "%s%s", nCons++ ? " AND " : " WHERE ",
                          azCons[i]);
    }
  }
  if( eOrder < 0 || eOrder > 4 ) eOrder = 0;
  sqlite3_str_appendall(pStr, azOrder[eOrder]);
  return sqlite3_str_finish(pStr);
}

static int tpeOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  TpeCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  (void)pVtab;
  if( pCur == 0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/*
** Give the cursor's scan statement back to its table for the next scan
** of the same plan, or finalize it when the table keeps TPE_NSCAN idle
** statements already.  A statement belongs to at most one cursor at a
** time, so two open scans of the same plan never share one.
*/
static void tpeScanRelease(TpeCursor *pCur){
  TpeTable *p = (TpeTable*)pCur->base.pVtab;
  int i;

  if( pCur->pStmt == 0 ) return;
  sqlite3_reset(pCur->pStmt);
  sqlite3_clear_bindings(pCur->pStmt);
  for(i = 0; i < TPE_NSCAN && p->aScan[i]; i++){}
  if( i < TPE_NSCAN ){
    p->aScan[i] = pCur->pStmt;
    p->aScanPlan[i] = pCur->iPlan;
  }else{
    sqlite3_finalize(pCur->pStmt);
  }
  pCur->pStmt = 0;
}

static int tpeClose(sqlite3_vtab_cursor *pBase){
  TpeCursor *pCur = (TpeCursor*)pBase;
  tpeScanRelease(pCur);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int tpeNext(sqlite3_vtab_cursor *pBase){
  TpeCursor *pCur = (TpeCursor*)pBase;
  int rc = sqlite3_step(pCur->pStmt);

  if( rc == SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  if( rc == SQLITE_DONE ) return SQLITE_OK;
  rc = sqlite3_reset(pCur->pStmt);
  return rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

/*
** Start a scan of plan idxNum: take an idle statement of that plan from
** the table, or prepare one, and bind argv.  Preparing costs more than
** a lookup by trial itself, hence the reuse.
*/
static int tpeFilter(sqlite3_vtab_cursor *pBase, int idxNum,
                     const char *idxStr, int argc, sqlite3_value **argv){
  TpeCursor *pCur = (TpeCursor*)pBase;
  TpeTable *p = (TpeTable*)pBase->pVtab;
  char *zSql;
  int rc = SQLITE_OK, i;

  (void)idxStr;
  tpeScanRelease(pCur);
  pCur->bEof = 0;
  pCur->iPlan = idxNum;
  for(i = 0; i < TPE_NSCAN; i++){
    if( p->aScan[i] && p->aScanPlan[i] == idxNum ){
      pCur->pStmt = p->aScan[i];
      p->aScan[i] = 0;
      break;
    }
  }
  if( pCur->pStmt == 0 ){
    zSql = tpeScanSql(p, idxNum);
    if( zSql == 0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT,
                            &pCur->pStmt, 0);
    sqlite3_free(zSql);
  }
  if( rc != SQLITE_OK ){
    if( rc != SQLITE_NOMEM ){
      tpeVtabErr(p, "%s: %s", p->zName, sqlite3_errmsg(p->db));
    }
    return rc;
  }
  for(i = 0; i < argc && rc == SQLITE_OK; i++){
    rc = sqlite3_bind_value(pCur->pStmt, i + 1, argv[i]);
  }
  if( rc != SQLITE_OK ) return rc;
  return tpeNext(pBase);
}

static int tpeEof(sqlite3_vtab_cursor *pBase){
  return ((TpeCursor*)pBase)->bEof;
}

static int tpeColumn(sqlite3_vtab_cursor *pBase, sqlite3_context *ctx,
                     int iCol){
  TpeCursor *pCur = (TpeCursor*)pBase;
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, iCol));
  return SQLITE_OK;
}

static int tpeRowid(sqlite3_vtab_cursor *pBase, sqlite3_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((TpeCursor*)pBase)->pStmt, 0);
  return SQLITE_OK;
}

/**************************************************************************
** Writes
*/

/* How messages name the trial being written: "trial 7" or "new trial". */
static const char *tpeTrialLabel(sqlite3_int64 iTrial, char *zBuf){
  if( iTrial < 0 ) return "new trial";
  sqlite3_snprintf(32, zBuf, "trial %lld", iTrial);
  return zBuf;
}

/*
** Decide the status a written row takes.  eOld is the row's status before
** an UPDATE, or -1 for an INSERT.  pStatus and pLoss are the new column
** values.  Returns the status, or -1 with an error message left in p.
*/
static int tpeWriteStatus(TpeTable *p, sqlite3_int64 iTrial, int eOld,
                          sqlite3_value *pStatus, sqlite3_value *pLoss){
  char zBuf[32];
  const char *zTrial = tpeTrialLabel(iTrial, zBuf);
  int bLoss = sqlite3_value_type(pLoss) != SQLITE_NULL;
  int eNew;

  if( bLoss ){
    int eType = sqlite3_value_type(pLoss);
    double r = sqlite3_value_double(pLoss);
    if( eType != SQLITE_INTEGER && eType != SQLITE_FLOAT ){
      if( eType == SQLITE_TEXT ){
        tpeVtabErr(p, "%s: %s: loss must be a number, got text '%s'",
                   p->zName, zTrial, sqlite3_value_text(pLoss));
      }else{
        tpeVtabErr(p, "%s: %s: loss must be a number, got a blob",
                   p->zName, zTrial);
      }
      return -1;
    }
    if( !isfinite(r) ){
      tpeVtabErr(p, "%s: %s: loss must be finite, got %g",
                 p->zName, zTrial, r);
      return -1;
    }
  }
  if( sqlite3_value_type(pStatus) == SQLITE_NULL ){
    eNew = -2;
  }else{
    const char *z = (const char*)sqlite3_value_text(pStatus);
    eNew = z ? tpeStatusFromText(z) : -1;
    if( eNew < 0 ){
      tpeVtabErr(p, "%s: %s: status must be 'pending', 'ok' or "
                 "'fail', got '%s'", p->zName, zTrial, z ? z : "");
      return -1;
    }
  }
  /* A loss written to a pending trial is its result: the trial is ok.
  ** An INSERT without a status takes the same rule. */
  if( eNew == -2 || (eNew == TPE_PENDING && eOld == TPE_PENDING) ){
    eNew = bLoss ? TPE_OK : TPE_PENDING;
  }
  if( eNew == TPE_OK && !bLoss ){
    tpeVtabErr(p, "%s: %s: status 'ok' needs a loss", p->zName,
               zTrial);
    return -1;
  }
  if( eNew == TPE_PENDING && bLoss ){
    tpeVtabErr(p, "%s: %s: a pending trial has no loss; set "
               "status = 'ok' with it, or loss = NULL", p->zName, zTrial);
    return -1;
  }
  return eNew;
}

/*
** Validate the parameter values argv[3..] of a written row and encode
** them into aVal.  aOld is the stored row's encoding for an UPDATE (its
** parameters cannot change), or NULL.
*/
static int tpeWriteParams(TpeTable *p, sqlite3_int64 iTrial,
                          sqlite3_value **argv, const double *aOld,
                          double *aVal){
  char zBuf[32];
  const char *zTrial = tpeTrialLabel(iTrial, zBuf);
  const TpeSpace *pS = p->pSpace;
  int i, rc = SQLITE_OK;

  for(i = 0; i < pS->nParam && rc == SQLITE_OK; i++){
    char *zErr = 0;
    rc = tpeValueEncode(p, i, argv[3 + i], &aVal[i], &zErr);
    if( zErr ){
      sqlite3_free(p->base.zErrMsg);
      p->base.zErrMsg = zErr;
    }
  }
  if( rc != SQLITE_OK ) return rc;
  for(i = 0; i < pS->nParam; i++){
    int iParam = pS->aOrder[i];
    const TpeParam *pPar = &pS->aParam[iParam];
    int bActive = tpeParamActive(pS, iParam, aVal);
    if( aOld && !(aOld[iParam] == aVal[iParam]
                  || (isnan(aOld[iParam]) && isnan(aVal[iParam]))) ){
      tpeVtabErr(p, "%s: %s: column %s cannot change once "
                 "recorded; insert a new trial instead", p->zName, zTrial,
                 pPar->zName);
      return SQLITE_CONSTRAINT;
    }
    if( bActive && isnan(aVal[iParam]) ){
      tpeVtabErr(p, "%s: %s: column %s needs a value%s%s",
                 p->zName, zTrial, pPar->zName,
                 pPar->zWhen ? " when " : "", pPar->zWhen ? pPar->zWhen : "");
      return SQLITE_CONSTRAINT;
    }
    if( !bActive && !isnan(aVal[iParam]) ){
      tpeVtabErr(p, "%s: %s: column %s must be NULL unless %s",
                 p->zName, zTrial, pPar->zName, pPar->zWhen);
      return SQLITE_CONSTRAINT;
    }
  }
  return SQLITE_OK;
}

/* Read stored trial iTrial's parameters and status; SQLITE_DONE if the
** trial does not exist. */
static int tpeReadTrial(TpeTable *p, sqlite3_int64 iTrial, double *aVal,
                        int *peStatus, sqlite3_value **ppFinished){
  const TpeSpace *pS = p->pSpace;
  sqlite3_stmt *pGet;
  int rc = tpeStoreStmt(p, TPE_STMT_GET, &pGet), i;

  if( rc != SQLITE_OK ) return rc;
  sqlite3_bind_int64(pGet, 1, iTrial);
  rc = sqlite3_step(pGet);
  if( rc == SQLITE_ROW ){
    char *zErr = 0;
    const char *z;
    for(i = 0; i < pS->nParam && rc == SQLITE_ROW; i++){
      if( tpeValueEncode(p, i, sqlite3_column_value(pGet, i + 1), &aVal[i],
                         &zErr) != SQLITE_OK ){
        aVal[i] = NAN;
      }
      sqlite3_free(zErr);
      zErr = 0;
    }
    z = (const char*)sqlite3_column_text(pGet, pS->nParam + 1 +
                                         TPE_COL_STATUS);
    *peStatus = z ? tpeStatusFromText(z) : TPE_FAIL;
    *ppFinished = sqlite3_value_dup(sqlite3_column_value(pGet,
                                    pS->nParam + 1 + TPE_COL_FINISHED));
    rc = SQLITE_OK;
  }
  i = sqlite3_reset(pGet);
  return rc == SQLITE_ROW ? SQLITE_OK : (rc == SQLITE_OK ? i : rc);
}

static int tpeUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                     sqlite3_int64 *pRowid){
  TpeTable *p = (TpeTable*)pVtab;
  const TpeSpace *pS = p->pSpace;
  int nParam = pS->nParam;
  sqlite3_value **apTail;     /* loss, status, suggested_at, ... */
  sqlite3_value *pOldFinished = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iTrial;
  double *aVal = 0, *aOld = 0;
  sqlite3_int64 iGen;
  int rc, eStatus, eOld = -1, bInsert, bCached, i;
  char zNow[24];

  /* DELETE.  The cache is dropped: deletions are rare. */
  if( argc == 1 ){
    rc = tpeStoreStmt(p, TPE_STMT_DELETE, &pStmt);
    if( rc != SQLITE_OK ) return rc;
    sqlite3_bind_int64(pStmt, 1, sqlite3_value_int64(argv[0]));
    sqlite3_step(pStmt);
    rc = sqlite3_reset(pStmt);
    if( rc == SQLITE_OK ) rc = tpeGenBump(p, 0);
    return rc;
  }

  /* Whether the history cache matches the trials before this write. */
  rc = tpeGenRead(p, &iGen, &bCached);
  if( rc != SQLITE_OK ) return rc;

  bInsert = sqlite3_value_type(argv[0]) == SQLITE_NULL;
  apTail = &argv[3 + nParam];
  aVal = sqlite3_malloc64(sizeof(double) * 2 * (nParam + 1));
  if( aVal == 0 ) return SQLITE_NOMEM;
  aOld = &aVal[nParam + 1];

  /* Which trial: the rowid, else the trial column, else the next id. */
  if( bInsert ){
    if( sqlite3_value_type(argv[1]) != SQLITE_NULL ){
      iTrial = sqlite3_value_int64(argv[1]);
    }else if( sqlite3_value_type(argv[2]) != SQLITE_NULL ){
      iTrial = sqlite3_value_int64(argv[2]);
    }else{
      iTrial = -1;
    }
    if( iTrial != -1 && sqlite3_value_type(argv[2]) != SQLITE_NULL
     && sqlite3_value_type(argv[2]) != SQLITE_INTEGER ){
      tpeVtabErr(p, "%s: trial must be an integer", p->zName);
      rc = SQLITE_CONSTRAINT;
      goto update_out;
    }
  }else{
    iTrial = sqlite3_value_int64(argv[0]);
    if( sqlite3_value_int64(argv[1]) != iTrial
     || sqlite3_value_int64(argv[2]) != iTrial
     || sqlite3_value_type(argv[2]) != SQLITE_INTEGER ){
      tpeVtabErr(p, "%s: trial %lld: a trial's id cannot change",
                 p->zName, iTrial);
      rc = SQLITE_CONSTRAINT;
      goto update_out;
    }
    rc = tpeReadTrial(p, iTrial, aOld, &eOld, &pOldFinished);
    if( rc != SQLITE_OK ) goto update_out;
  }

  rc = tpeWriteParams(p, iTrial, argv, bInsert ? 0 : aOld, aVal);
  if( rc != SQLITE_OK ) goto update_out;
  eStatus = tpeWriteStatus(p, iTrial, eOld, apTail[TPE_COL_STATUS],
                           apTail[TPE_COL_LOSS]);
  if( eStatus < 0 ){
    rc = SQLITE_CONSTRAINT;
    goto update_out;
  }

  /* Write the whole row. */
  tpeNow(p->db, zNow);
  rc = tpeStoreStmt(p, bInsert ? TPE_STMT_INSERT : TPE_STMT_REPLACE, &pStmt);
  if( rc != SQLITE_OK ) goto update_out;
  if( iTrial == -1 ) sqlite3_bind_null(pStmt, 1);
  else sqlite3_bind_int64(pStmt, 1, iTrial);
  for(i = 0; i < nParam && rc == SQLITE_OK; i++){
    rc = tpeValueBind(pStmt, i + 2, &pS->aParam[i], aVal[i]);
  }
  i = nParam + 2;
  if( rc == SQLITE_OK ){
    sqlite3_value *pFin = apTail[TPE_COL_FINISHED];
    int bFinishNow = eStatus != TPE_PENDING
        && (bInsert ? sqlite3_value_type(pFin) == SQLITE_NULL
                    : (eOld == TPE_PENDING && pOldFinished
                       && sqlite3_value_type(pOldFinished) == SQLITE_NULL
                       && sqlite3_value_type(pFin) == SQLITE_NULL));
    sqlite3_bind_value(pStmt, i, apTail[TPE_COL_LOSS]);
    sqlite3_bind_text(pStmt, i + 1, tpeStatusName(eStatus), -1,
                      SQLITE_STATIC);
    if( bInsert && sqlite3_value_type(apTail[TPE_COL_SUGGESTED])
                   == SQLITE_NULL ){
      sqlite3_bind_text(pStmt, i + 2, zNow, -1, SQLITE_TRANSIENT);
    }else{
      sqlite3_bind_value(pStmt, i + 2, apTail[TPE_COL_SUGGESTED]);
    }
    if( bFinishNow ){
      sqlite3_bind_text(pStmt, i + 3, zNow, -1, SQLITE_TRANSIENT);
    }else{
      sqlite3_bind_value(pStmt, i + 3, apTail[TPE_COL_FINISHED]);
    }
    rc = sqlite3_bind_value(pStmt, i + 4, apTail[TPE_COL_EXTRA]);
  }
  if( rc == SQLITE_OK ){
    sqlite3_step(pStmt);
    rc = sqlite3_reset(pStmt);
    if( rc == SQLITE_OK && bInsert ){
      *pRowid = iTrial == -1 ? sqlite3_last_insert_rowid(p->db) : iTrial;
    }
    if( rc == SQLITE_OK ){
      /* The trial's parameters are as written; only a new trial, its
      ** status and its loss reach the history. */
      double rLoss = sqlite3_value_double(apTail[TPE_COL_LOSS]);
      rc = tpeGenBump(p, bCached);
      if( rc == SQLITE_OK && bInsert ){
        tpeHistoryAppend(p, *pRowid, aVal, eStatus, rLoss);
      }else if( rc == SQLITE_OK ){
        tpeHistorySet(p, iTrial, eStatus, rLoss);
      }
    }else if( rc == SQLITE_CONSTRAINT ){
      tpeVtabErr(p, "%s: trial %lld already exists", p->zName, iTrial);
    }else if( rc != SQLITE_OK && rc != SQLITE_NOMEM ){
      tpeVtabErr(p, "%s: %s", p->zName, sqlite3_errmsg(p->db));
    }
  }

update_out:
  sqlite3_value_free(pOldFinished);
  sqlite3_free(aVal);
  return rc;
}

/**************************************************************************
** Registration
*/

static sqlite3_module tpeModule = {
  .iVersion = 3,
  .xCreate = tpeCreate,
  .xConnect = tpeConnect,
  .xBestIndex = tpeBestIndex,
  .xDisconnect = tpeDisconnect,
  .xDestroy = tpeDestroy,
  .xOpen = tpeOpen,
  .xClose = tpeClose,
  .xFilter = tpeFilter,
  .xNext = tpeNext,
  .xEof = tpeEof,
  .xColumn = tpeColumn,
  .xRowid = tpeRowid,
  .xUpdate = tpeUpdate,
  .xRename = tpeRename,
  .xShadowName = tpeShadowName,
};

/* Free the registry once the module is gone (the connection closes). */
static void tpeRegistryFree(void *pArg){
  TpeRegistry *pReg = (TpeRegistry*)pArg;
  TpeTable *p;
  for(p = pReg->pList; p; p = p->pNext) p->pReg = 0;
  sqlite3_free(pReg);
}

int tpeVtabRegister(sqlite3 *db, TpeRegistry **ppReg){
  TpeRegistry *pReg = sqlite3_malloc64(sizeof(*pReg));
  int rc;

  *ppReg = 0;
  if( pReg == 0 ) return SQLITE_NOMEM;
  memset(pReg, 0, sizeof(*pReg));
  pReg->db = db;
  rc = sqlite3_create_module_v2(db, "tpe", &tpeModule, pReg,
                                tpeRegistryFree);
  if( rc == SQLITE_OK ) *ppReg = pReg;
  return rc;
}
