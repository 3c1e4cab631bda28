/*
** tpe_store.c: the shadow tables of an experiment.
**
** Creates, checks, renames and drops <name>_config and <name>_trials,
** prepares the statements the module and the functions run on them,
** converts parameter values between SQL and the encoding of tpe_space.h,
** and loads a history for the algorithms.  See tpe_vtab.h for the schema.
*/
#include "tpe_vtab.h"
#include "tpe_model.h"

#include <math.h>
#include <string.h>

/**************************************************************************
** Shadow tables
*/

/* Declared SQL type of a parameter's column. */
static const char *tpeParamType(const TpeParam *p){
  switch( p->eKind ){
    case TPE_RANDINT:
    case TPE_UNIFORMINT:
      return " INTEGER";
    case TPE_CHOICE:
    case TPE_PCHOICE:
      return "";
    default:
      return " REAL";
  }
}

/* Comma-separated quoted parameter names, each prefixed by zPre. */
static void tpeAppendParams(sqlite3_str *pStr, const TpeSpace *pS,
                            const char *zPre){
  int i;
  for(i = 0; i < pS->nParam; i++){
    sqlite3_str_appendf(pStr, ", %s\"%w\"", zPre, pS->aParam[i].zName);
  }
}

int tpeStoreCreate(TpeTable *p, char **pzErr){
  const TpeSpace *pS = p->pSpace;
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  char *zSql;
  int rc, i;

  sqlite3_str_appendf(pStr,
      "CREATE TABLE \"%w\".\"%w_config\"(key TEXT PRIMARY KEY, value) "
      "WITHOUT ROWID;"
      "INSERT INTO \"%w\".\"%w_config\" VALUES('version', %d),"
      " ('generation', random());"
      "CREATE TABLE \"%w\".\"%w_trials\"(trial INTEGER PRIMARY KEY",
      p->zDb, p->zName, p->zDb, p->zName, TPE_FORMAT_VERSION,
      p->zDb, p->zName);
  for(i = 0; i < pS->nParam; i++){
    sqlite3_str_appendf(pStr, ", \"%w\"%s", pS->aParam[i].zName,
                        tpeParamType(&pS->aParam[i]));
  }
  sqlite3_str_appendf(pStr,
      ", loss REAL, status TEXT NOT NULL, suggested_at TEXT, "
      "finished_at TEXT, extra TEXT);"
      "CREATE INDEX \"%w\".\"%w_trials_loss\" ON \"%w_trials\"(loss);",
      p->zDb, p->zName, p->zName);
  zSql = sqlite3_str_finish(pStr);
  if( zSql == 0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(p->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc != SQLITE_OK && rc != SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("%s: cannot create its shadow tables: %s",
                             p->zName, sqlite3_errmsg(p->db));
  }
  return rc;
}

int tpeStoreCheck(TpeTable *p, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  char *zSql;
  int rc;

  zSql = sqlite3_mprintf(
      "SELECT value FROM \"%w\".\"%w_config\" WHERE key = 'version'",
      p->zDb, p->zName);
  if( zSql == 0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc == SQLITE_OK ){
    if( sqlite3_step(pStmt) == SQLITE_ROW ){
      int iVersion = sqlite3_column_int(pStmt, 0);
      if( iVersion != TPE_FORMAT_VERSION ){
        *pzErr = sqlite3_mprintf("%s: stored format version %d is not "
            "supported; this sqlite-tpe reads version %d",
            p->zName, iVersion, TPE_FORMAT_VERSION);
        rc = SQLITE_ERROR;
      }
    }else{
      *pzErr = sqlite3_mprintf("%s: its shadow table %s_config has no "
          "version", p->zName, p->zName);
      rc = SQLITE_CORRUPT_VTAB;
    }
    rc = sqlite3_finalize(pStmt) == SQLITE_NOMEM ? SQLITE_NOMEM : rc;
  }else if( rc != SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("%s: cannot read its shadow tables: %s",
                             p->zName, sqlite3_errmsg(p->db));
  }
  return rc;
}

void tpeStoreFinalize(TpeTable *p){
  int i;
  for(i = 0; i < TPE_NSTMT; i++){
    sqlite3_finalize(p->aStmt[i]);
    p->aStmt[i] = 0;
  }
  for(i = 0; i < TPE_NSCAN; i++){
    sqlite3_finalize(p->aScan[i]);
    p->aScan[i] = 0;
  }
}

int tpeStoreDrop(TpeTable *p){
  char *zSql;
  int rc;

  tpeStoreFinalize(p);
  zSql = sqlite3_mprintf(
      "DROP TABLE IF EXISTS \"%w\".\"%w_trials\";"
      "DROP TABLE IF EXISTS \"%w\".\"%w_config\";",
      p->zDb, p->zName, p->zDb, p->zName);
  if( zSql == 0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(p->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return rc;
}

int tpeStoreRename(TpeTable *p, const char *zNew){
  char *zSql;
  int rc;

  tpeStoreFinalize(p);
  zSql = sqlite3_mprintf(
      "ALTER TABLE \"%w\".\"%w_trials\" RENAME TO \"%w_trials\";"
      "ALTER TABLE \"%w\".\"%w_config\" RENAME TO \"%w_config\";",
      p->zDb, p->zName, zNew, p->zDb, p->zName, zNew);
  if( zSql == 0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(p->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return rc;
}

/* Text of statement eStmt on p's shadow tables. */
static char *tpeStmtSql(TpeTable *p, int eStmt){
  const TpeSpace *pS = p->pSpace;
  sqlite3_str *pStr = sqlite3_str_new(p->db);
  int i, nCol = pS->nParam + TPE_NTAIL + 1;

  switch( eStmt ){
    case TPE_STMT_INSERT:
      sqlite3_str_appendf(pStr, "INSERT INTO \"%w\".\"%w_trials\" "
                          "VALUES(?1", p->zDb, p->zName);
      for(i = 2; i <= nCol; i++) sqlite3_str_appendf(pStr, ", ?%d", i);
      sqlite3_str_appendall(pStr, ")");
      break;
    case TPE_STMT_REPLACE:
      sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w_trials\" SET ",
                          p->zDb, p->zName);
      for(i = 0; i < pS->nParam; i++){
        sqlite3_str_appendf(pStr, "\"%w\" = ?%d, ", pS->aParam[i].zName, i+2);
      }
      i = pS->nParam + 2;
      sqlite3_str_appendf(pStr, "loss = ?%d, status = ?%d, "
          "suggested_at = ?%d, finished_at = ?%d, extra = ?%d "
          "WHERE trial = ?1", i, i+1, i+2, i+3, i+4);
      break;
    case TPE_STMT_DELETE:
      sqlite3_str_appendf(pStr, "DELETE FROM \"%w\".\"%w_trials\" "
                          "WHERE trial = ?1", p->zDb, p->zName);
      break;
    case TPE_STMT_GET:
      sqlite3_str_appendf(pStr, "SELECT * FROM \"%w\".\"%w_trials\" "
                          "WHERE trial = ?1", p->zDb, p->zName);
      break;
    case TPE_STMT_HISTORY:
      sqlite3_str_appendall(pStr, "SELECT trial");
      tpeAppendParams(pStr, pS, "");
      sqlite3_str_appendf(pStr, ", loss, status FROM \"%w\".\"%w_trials\" "
                          "ORDER BY trial", p->zDb, p->zName);
      break;
    case TPE_STMT_GEN_GET:
      sqlite3_str_appendf(pStr, "SELECT value FROM \"%w\".\"%w_config\" "
                          "WHERE key = 'generation'", p->zDb, p->zName);
      break;
    case TPE_STMT_GEN_SET:
      sqlite3_str_appendf(pStr, "INSERT OR REPLACE INTO \"%w\".\"%w_config\""
                          "(key, value) VALUES('generation', ?1)",
                          p->zDb, p->zName);
      break;
    case TPE_STMT_LOCK:
      sqlite3_str_appendf(pStr, "UPDATE \"%w\".\"%w_config\" SET value = value "
                          "WHERE key = 'version'", p->zDb, p->zName);
      break;
    case TPE_STMT_SAVEPOINT:
      sqlite3_str_appendall(pStr, "SAVEPOINT tpe_suggest");
      break;
    case TPE_STMT_RELEASE:
      sqlite3_str_appendall(pStr, "RELEASE tpe_suggest");
      break;
    case TPE_STMT_ROLLBACK_TO:
      sqlite3_str_appendall(pStr, "ROLLBACK TO tpe_suggest");
      break;
    case TPE_STMT_BEST:
    default:
      sqlite3_str_appendf(pStr, "SELECT * FROM \"%w\".\"%w_trials\" "
          "WHERE status = 'ok' AND loss IS NOT NULL ORDER BY loss, trial "
          "LIMIT 1", p->zDb, p->zName);
      break;
  }
  return sqlite3_str_finish(pStr);
}

/*
** Set *ppStmt to cached statement eStmt, preparing it on first use.  The
** statement stays owned by p; the caller resets it when done.
*/
int tpeStoreStmt(TpeTable *p, int eStmt, sqlite3_stmt **ppStmt){
  if( p->aStmt[eStmt] == 0 ){
    char *zSql = tpeStmtSql(p, eStmt);
    int rc;
    if( zSql == 0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT,
                            &p->aStmt[eStmt], 0);
    sqlite3_free(zSql);
    if( rc != SQLITE_OK ) return rc;
  }
  *ppStmt = p->aStmt[eStmt];
  return SQLITE_OK;
}

int tpeStoreRun(TpeTable *p, int eStmt){
  sqlite3_stmt *pStmt;
  int rc = tpeStoreStmt(p, eStmt, &pStmt);

  if( rc != SQLITE_OK ) return rc;
  sqlite3_step(pStmt);
  return sqlite3_reset(pStmt);
}

/**************************************************************************
** Values
*/

/* Index of the label of pPar equal to pVal, or -1. */
static int tpeLabelFind(const TpeParam *pPar, sqlite3_value *pVal){
  int eType = sqlite3_value_type(pVal), j;

  for(j = 0; j < pPar->nLabel; j++){
    const TpeLabel *pL = &pPar->aLabel[j];
    if( eType == SQLITE_TEXT && pL->eType == SQLITE_TEXT ){
      const char *z = (const char*)sqlite3_value_text(pVal);
      if( z && strcmp(z, pL->z) == 0 ) return j;
    }else if( (eType == SQLITE_INTEGER || eType == SQLITE_FLOAT)
           && pL->eType != SQLITE_TEXT ){
      if( sqlite3_value_double(pVal) == pL->r ) return j;
    }
  }
  return -1;
}

int tpeValueEncode(TpeTable *p, int iParam, sqlite3_value *pVal,
                   double *pOut, char **pzErr){
  const TpeParam *pPar = &p->pSpace->aParam[iParam];
  int eType = sqlite3_value_type(pVal);
  const char *zWhy = 0;
  double v;

  if( eType == SQLITE_NULL ){
    *pOut = NAN;
    return SQLITE_OK;
  }
  if( pPar->eKind == TPE_CHOICE || pPar->eKind == TPE_PCHOICE ){
    int j = tpeLabelFind(pPar, pVal);
    if( j < 0 ){
      *pzErr = sqlite3_mprintf("%s: column %s: %s%s%s is not a label of "
          "%s(%s)", p->zName, pPar->zName,
          eType == SQLITE_TEXT ? "'" : "", sqlite3_value_text(pVal),
          eType == SQLITE_TEXT ? "'" : "", tpeKindName(pPar->eKind),
          pPar->zArgs);
      return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
    }
    *pOut = (double)j;
    return SQLITE_OK;
  }
  if( eType != SQLITE_INTEGER && eType != SQLITE_FLOAT ){
    if( eType == SQLITE_TEXT ){
      *pzErr = sqlite3_mprintf("%s: column %s: expected a number, got text "
          "'%s'", p->zName, pPar->zName, sqlite3_value_text(pVal));
    }else{
      *pzErr = sqlite3_mprintf("%s: column %s: expected a number, got a "
          "blob", p->zName, pPar->zName);
    }
    return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
  }
  v = sqlite3_value_double(pVal);
  if( pPar->eKind == TPE_RANDINT ){
    if( v != floor(v) ) zWhy = "is not an integer";
    else if( v < pPar->a || v >= pPar->b ) zWhy = "is out of range";
    else v -= pPar->a;
  }
  if( zWhy == 0 ) zWhy = tpeParamCheck(pPar, v);
  if( zWhy ){
    *pzErr = sqlite3_mprintf("%s: column %s: %s %s for %s(%s)",
        p->zName, pPar->zName, sqlite3_value_text(pVal), zWhy,
        tpeKindName(pPar->eKind), pPar->zArgs);
    return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
  }
  *pOut = v;
  return SQLITE_OK;
}

int tpeValueBind(sqlite3_stmt *pStmt, int iCol, const TpeParam *pPar,
                 double v){
  if( isnan(v) ) return sqlite3_bind_null(pStmt, iCol);
  switch( pPar->eKind ){
    case TPE_CHOICE:
    case TPE_PCHOICE: {
      const TpeLabel *pL = &pPar->aLabel[(int)v];
      if( pL->eType == SQLITE_TEXT ){
        return sqlite3_bind_text(pStmt, iCol, pL->z, -1, SQLITE_STATIC);
      }
      if( pL->eType == SQLITE_INTEGER ){
        return sqlite3_bind_int64(pStmt, iCol, pL->i);
      }
      return sqlite3_bind_double(pStmt, iCol, pL->r);
    }
    case TPE_RANDINT:
      return sqlite3_bind_int64(pStmt, iCol, (sqlite3_int64)(pPar->a + v));
    case TPE_UNIFORMINT:
      return sqlite3_bind_int64(pStmt, iCol, (sqlite3_int64)v);
    default:
      return sqlite3_bind_double(pStmt, iCol, v);
  }
}

void tpeJsonString(sqlite3_str *pStr, const char *zText){
  const unsigned char *z = (const unsigned char*)zText;

  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *z; z++){
    if( *z == '"' || *z == '\\' ){
      sqlite3_str_appendf(pStr, "\\%c", *z);
    }else if( *z < 0x20 ){
      sqlite3_str_appendf(pStr, "\\u%04x", *z);
    }else{
      sqlite3_str_appendchar(pStr, 1, (char)*z);
    }
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

void tpeValueJson(sqlite3_str *pStr, const TpeParam *pPar, double v){
  switch( pPar->eKind ){
    case TPE_CHOICE:
    case TPE_PCHOICE: {
      const TpeLabel *pL = &pPar->aLabel[(int)v];
      if( pL->eType == SQLITE_TEXT ){
        tpeJsonString(pStr, pL->z);
      }else if( pL->eType == SQLITE_INTEGER ){
        sqlite3_str_appendf(pStr, "%lld", (long long)pL->i);
      }else{
        tpeAppendReal(pStr, pL->r);
      }
      break;
    }
    case TPE_RANDINT:
      sqlite3_str_appendf(pStr, "%lld", (long long)(pPar->a + v));
      break;
    case TPE_UNIFORMINT:
      sqlite3_str_appendf(pStr, "%lld", (long long)v);
      break;
    default:
      tpeAppendReal(pStr, v);
      break;
  }
}

/* Decode column iCol of a row of the trials table into parameter iParam's
** encoding.  A stored value is valid by construction; one that no longer
** matches a label (the file edited by hand) reads as NaN. */
static double tpeColumnDecode(TpeTable *p, int iParam, sqlite3_stmt *pStmt,
                              int iCol){
  const TpeParam *pPar = &p->pSpace->aParam[iParam];
  sqlite3_value *pVal = sqlite3_column_value(pStmt, iCol);

  switch( sqlite3_value_type(pVal) ){
    case SQLITE_NULL:
      return NAN;
    default:
      if( pPar->eKind == TPE_CHOICE || pPar->eKind == TPE_PCHOICE ){
        int j = tpeLabelFind(pPar, pVal);
        return j < 0 ? NAN : (double)j;
      }
      if( pPar->eKind == TPE_RANDINT ){
        return sqlite3_value_double(pVal) - pPar->a;
      }
      return sqlite3_value_double(pVal);
  }
}

/**************************************************************************
** History
*/

void tpeHistoryFree(TpeHistory *pHist){
  sqlite3_free(pHist->aOrd);
  sqlite3_free(pHist->anOrd);
  sqlite3_free(pHist->aByLoss);
  sqlite3_free(pHist->aId);
  sqlite3_free(pHist->aStatus);
  sqlite3_free(pHist->aLoss);
  sqlite3_free(pHist->aVal);
  memset(pHist, 0, sizeof(*pHist));
}

/* Grow the arrays of pHist to hold nNew trials. */
static int tpeHistoryGrow(TpeHistory *pHist, int nNew){
  int64_t *aId = sqlite3_realloc64(pHist->aId, sizeof(int64_t) * nNew);
  int *aStatus;
  double *aLoss, *aVal;

  if( aId == 0 ) return SQLITE_NOMEM;
  pHist->aId = aId;
  aStatus = sqlite3_realloc64(pHist->aStatus, sizeof(int) * nNew);
  if( aStatus == 0 ) return SQLITE_NOMEM;
  pHist->aStatus = aStatus;
  aLoss = sqlite3_realloc64(pHist->aLoss, sizeof(double) * nNew);
  if( aLoss == 0 ) return SQLITE_NOMEM;
  pHist->aLoss = aLoss;
  aVal = sqlite3_realloc64(pHist->aVal,
                           sizeof(double) * nNew * (pHist->nParam + 1));
  if( aVal == 0 ) return SQLITE_NOMEM;
  pHist->aVal = aVal;
  if( pHist->aOrd && pHist->nOrdStride < pHist->nOrdWin ){
    int nStride = nNew < pHist->nOrdWin ? nNew : pHist->nOrdWin;
    int *aOrd = sqlite3_malloc64(sizeof(int) * nStride * pHist->nParam);
    int i;
    if( aOrd == 0 ) return SQLITE_NOMEM;
    for(i = 0; i < pHist->nParam; i++){
      memcpy(&aOrd[(size_t)i * nStride],
             &pHist->aOrd[(size_t)i * pHist->nOrdStride],
             sizeof(int) * pHist->anOrd[i]);
    }
    sqlite3_free(pHist->aOrd);
    pHist->aOrd = aOrd;
    pHist->nOrdStride = nStride;
  }
  if( pHist->aByLoss ){
    int *aByLoss = sqlite3_realloc64(pHist->aByLoss, sizeof(int) * nNew);
    if( aByLoss == 0 ) return SQLITE_NOMEM;
    pHist->aByLoss = aByLoss;
  }
  return SQLITE_OK;
}

int tpeHistoryOrder(const TpeSpace *pS, TpeHistory *pHist, int nAlloc){
  int n = pHist->nTrial, i, j;
  double *aKey = sqlite3_malloc64(sizeof(double) * (n + 1));
  int *aPos = sqlite3_malloc64(sizeof(int) * 2 * (n + 1));
  int rc = SQLITE_NOMEM, nWin = tpeHistoryOrderWindow(pS);
  int nStride, iFirst;

  if( nAlloc < 1 ) nAlloc = 1;
  nStride = nAlloc < nWin ? nAlloc : nWin;
  iFirst = n > nWin ? n - nWin : 0;
  pHist->aByLoss = sqlite3_malloc64(sizeof(int) * nAlloc);
  pHist->aOrd = pHist->anOrd = 0;
  pHist->nOrdStride = pHist->nOrdWin = 0;
  if( nWin > 0 ){
    pHist->aOrd = sqlite3_malloc64(sizeof(int) * nStride * pS->nParam);
    pHist->anOrd = sqlite3_malloc64(sizeof(int) * (pS->nParam + 1));
    pHist->nOrdStride = nStride;
    pHist->nOrdWin = nWin;
  }
  if( aKey && aPos && pHist->aByLoss
   && (nWin == 0 || (pHist->aOrd && pHist->anOrd)) ){
    int *aTmp = aPos + n + 1;
    int nOk = 0;
    /* The modelled results by loss, ties by row. */
    pHist->nFail = 0;
    for(j = 0; j < n; j++){
      pHist->nFail += pHist->aStatus[j] == TPE_FAIL;
      if( pHist->aStatus[j] != TPE_OK || !(pHist->aLoss[j] < INFINITY) ){
        continue;
      }
      pHist->aByLoss[nOk] = j;
      aKey[nOk++] = pHist->aLoss[j];
    }
    tpeSortByKey(aKey, nOk, aPos, aTmp);
    for(j = 0; j < nOk; j++) aTmp[j] = pHist->aByLoss[aPos[j]];
    memcpy(pHist->aByLoss, aTmp, sizeof(int) * nOk);
    pHist->nByLoss = nOk;
    for(i = 0; pHist->aOrd && i < pS->nParam; i++){
      int *aOrd = &pHist->aOrd[(size_t)i * nStride];
      TpeDim dim;
      int nAct = 0;
      tpeDimInit(&dim, &pS->aParam[i]);
      /* The active rows of the window, ascending, and their keys; sorting
      ** positions among them keeps ties in row order. */
      for(j = iFirst; j < n; j++){
        double v = pHist->aVal[(size_t)j * pS->nParam + i];
        if( v != v ) continue;
        aOrd[nAct] = j;
        aKey[nAct++] = tpeDimObs(&dim, v);
      }
      tpeSortByKey(aKey, nAct, aPos, aTmp);
      for(j = 0; j < nAct; j++) aTmp[j] = aOrd[aPos[j]];
      memcpy(aOrd, aTmp, sizeof(int) * nAct);
      pHist->anOrd[i] = nAct;
    }
    rc = SQLITE_OK;
  }
  sqlite3_free(aKey);
  sqlite3_free(aPos);
  return rc;
}

static void tpeByLossInsert(TpeHistory *pHist, int iRow);

/* Position in parameter i's order aOrd (nOrd entries) of the first entry
** not below (rKey, iRow): a larger key, or the same key and a row not
** smaller. */
static int tpeOrdFind(const TpeHistory *pHist, const TpeDim *pDim, int i,
                      const int *aOrd, int nOrd, double rKey, int iRow){
  int lo = 0, hi = nOrd;

  while( lo < hi ){
    int mid = lo + (hi - lo) / 2;
    int r = aOrd[mid];
    double u = tpeDimObs(pDim, pHist->aVal[(size_t)r * pHist->nParam + i]);
    if( u < rKey || (u == rKey && r < iRow) ) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The row that leaves the window leaves each order; the newest row goes
** after every row whose key is not larger, since ties go by row. */
void tpeHistoryOrderAppend(const TpeSpace *pS, TpeHistory *pHist, int n){
  int i;

  for(i = 0; pHist->aOrd && i < pS->nParam; i++){
    int *aOrd = &pHist->aOrd[(size_t)i * pHist->nOrdStride];
    int iOld = n - pHist->nOrdWin, j;
    double v = pHist->aVal[(size_t)n * pS->nParam + i], w;
    TpeDim dim;
    tpeDimInit(&dim, &pS->aParam[i]);
    w = iOld >= 0 ? pHist->aVal[(size_t)iOld * pS->nParam + i] : NAN;
    if( w == w ){
      j = tpeOrdFind(pHist, &dim, i, aOrd, pHist->anOrd[i],
                     tpeDimObs(&dim, w), iOld);
      if( j == pHist->anOrd[i] || aOrd[j] != iOld ){
        /* Cannot happen while the orders match the values; if they ever
        ** did not, TPE sorts without them. */
        sqlite3_free(pHist->aOrd);
        sqlite3_free(pHist->anOrd);
        pHist->aOrd = pHist->anOrd = 0;
        break;
      }
      pHist->anOrd[i]--;
      memmove(&aOrd[j], &aOrd[j + 1], sizeof(int) * (pHist->anOrd[i] - j));
    }
    if( v != v ) continue;
    j = tpeOrdFind(pHist, &dim, i, aOrd, pHist->anOrd[i],
                   tpeDimObs(&dim, v), n);
    memmove(&aOrd[j + 1], &aOrd[j], sizeof(int) * (pHist->anOrd[i] - j));
    aOrd[j] = n;
    pHist->anOrd[i]++;
  }
  pHist->nFail += pHist->aStatus[n] == TPE_FAIL;
  if( pHist->aStatus[n] == TPE_OK ) tpeByLossInsert(pHist, n);
}

/* Position in aByLoss of the first row that comes after (rLoss, iRow):
** a larger loss, or the same loss and a larger row. */
static int tpeByLossFind(const TpeHistory *pHist, double rLoss, int iRow){
  int lo = 0, hi = pHist->nByLoss;

  while( lo < hi ){
    int mid = lo + (hi - lo) / 2;
    int r = pHist->aByLoss[mid];
    double w = pHist->aLoss[r];
    if( w < rLoss || (w == rLoss && r <= iRow) ) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Add row iRow (status TPE_OK, its loss in aLoss) to aByLoss. */
static void tpeByLossInsert(TpeHistory *pHist, int iRow){
  double rLoss = pHist->aLoss[iRow];
  int i;

  if( !(rLoss < INFINITY) ) return;
  i = tpeByLossFind(pHist, rLoss, iRow);
  memmove(&pHist->aByLoss[i + 1], &pHist->aByLoss[i],
          sizeof(int) * (pHist->nByLoss - i));
  pHist->aByLoss[i] = iRow;
  pHist->nByLoss++;
}

void tpeHistoryOrderSet(TpeHistory *pHist, int iRow, int eStatus,
                        double rLoss){
  int eOld = pHist->aStatus[iRow];
  double rOld = pHist->aLoss[iRow];

  if( eOld == TPE_OK && rOld < INFINITY ){
    /* Row iRow is the entry just before the first one after it. */
    int i = tpeByLossFind(pHist, rOld, iRow) - 1;
    memmove(&pHist->aByLoss[i], &pHist->aByLoss[i + 1],
            sizeof(int) * (pHist->nByLoss - i - 1));
    pHist->nByLoss--;
  }
  pHist->nFail += (eStatus == TPE_FAIL) - (eOld == TPE_FAIL);
  pHist->aStatus[iRow] = eStatus;
  pHist->aLoss[iRow] = eStatus == TPE_OK ? rLoss : NAN;
  if( eStatus == TPE_OK ) tpeByLossInsert(pHist, iRow);
}

/*
** Read every trial, ascending by id, into the empty history pHist, whose
** arrays end up able to hold *pnAlloc trials.  On error pHist is freed.
*/
static int tpeHistoryFill(TpeTable *p, TpeHistory *pHist, int *pnAlloc){
  const TpeSpace *pS = p->pSpace;
  sqlite3_stmt *pStmt = 0;
  int rc, nAlloc = 0, i;

  memset(pHist, 0, sizeof(*pHist));
  pHist->nParam = pS->nParam;
  rc = tpeStoreStmt(p, TPE_STMT_HISTORY, &pStmt);
  while( rc == SQLITE_OK && sqlite3_step(pStmt) == SQLITE_ROW ){
    int n = pHist->nTrial;
    double *aRow;
    const char *zStatus;
    if( n == nAlloc ){
      nAlloc = nAlloc ? nAlloc * 2 : 64;
      rc = tpeHistoryGrow(pHist, nAlloc);
      if( rc != SQLITE_OK ) break;
    }
    aRow = &pHist->aVal[(size_t)n * pS->nParam];
    pHist->aId[n] = sqlite3_column_int64(pStmt, 0);
    for(i = 0; i < pS->nParam; i++){
      aRow[i] = tpeColumnDecode(p, i, pStmt, i + 1);
    }
    zStatus = (const char*)sqlite3_column_text(pStmt, pS->nParam + 2);
    pHist->aStatus[n] = zStatus ? tpeStatusFromText(zStatus) : -1;
    if( pHist->aStatus[n] < 0 ) pHist->aStatus[n] = TPE_FAIL;
    if( pHist->aStatus[n] == TPE_OK ){
      pHist->aLoss[n] = sqlite3_column_double(pStmt, pS->nParam + 1);
    }else{
      pHist->aLoss[n] = NAN;
    }
    pHist->nTrial++;
  }
  if( pStmt ){
    int rc2 = sqlite3_reset(pStmt);
    if( rc == SQLITE_OK ) rc = rc2;
  }
  if( rc == SQLITE_OK ) rc = tpeHistoryOrder(pS, pHist, nAlloc);
  if( rc != SQLITE_OK ) tpeHistoryFree(pHist);
  *pnAlloc = rc == SQLITE_OK ? nAlloc : 0;
  return rc;
}

int tpeHistoryLoad(TpeTable *p, TpeHistory *pHist){
  int nAlloc;
  return tpeHistoryFill(p, pHist, &nAlloc);
}

/*
** Read the stored generation into *piGen; *pbPresent is 0 if
** <name>_config has none (an experiment sqlite-tpe never wrote to since
** generations exist), in which case no cache can be trusted.
*/
static int tpeGenFetch(TpeTable *p, sqlite3_int64 *piGen, int *pbPresent){
  sqlite3_stmt *pStmt;
  int rc = tpeStoreStmt(p, TPE_STMT_GEN_GET, &pStmt);

  *piGen = 0;
  *pbPresent = 0;
  if( rc != SQLITE_OK ) return rc;
  if( sqlite3_step(pStmt) == SQLITE_ROW
   && sqlite3_column_type(pStmt, 0) == SQLITE_INTEGER ){
    *piGen = sqlite3_column_int64(pStmt, 0);
    *pbPresent = 1;
  }
  return sqlite3_reset(pStmt);
}

int tpeGenRead(TpeTable *p, sqlite3_int64 *piGen, int *pbCached){
  int bPresent, rc = tpeGenFetch(p, piGen, &bPresent);

  *pbCached = rc == SQLITE_OK && bPresent && p->bHist && *piGen == p->iGen;
  return rc;
}

int tpeGenBump(TpeTable *p, int bKeep){
  sqlite3_stmt *pStmt;
  sqlite3_int64 iGen;
  int rc = tpeStoreStmt(p, TPE_STMT_GEN_SET, &pStmt);

  if( rc != SQLITE_OK ){
    p->bHist = 0;
    return rc;
  }
  sqlite3_randomness(sizeof(iGen), &iGen);
  sqlite3_bind_int64(pStmt, 1, iGen);
  sqlite3_step(pStmt);
  rc = sqlite3_reset(pStmt);
  if( rc == SQLITE_OK && bKeep && p->bHist ){
    p->iGen = iGen;
  }else{
    p->bHist = 0;
  }
  return rc;
}

int tpeHistoryGet(TpeTable *p, const TpeHistory **ppHist){
  sqlite3_int64 iGen;
  TpeHistory hist;
  int rc, bPresent, nAlloc;

  *ppHist = 0;
  rc = tpeGenFetch(p, &iGen, &bPresent);
  if( rc != SQLITE_OK ) return rc;
  if( !(bPresent && p->bHist && iGen == p->iGen) ){
    p->bHist = 0;
    rc = tpeHistoryFill(p, &hist, &nAlloc);
    if( rc != SQLITE_OK ) return rc;
    tpeHistoryFree(&p->hist);
    p->hist = hist;
    p->nHistAlloc = nAlloc;
    p->bHist = bPresent;
    p->iGen = iGen;
  }
  *ppHist = &p->hist;
  return SQLITE_OK;
}

void tpeHistoryAppend(TpeTable *p, sqlite3_int64 iTrial, const double *aVal,
                      int eStatus, double rLoss){
  TpeHistory *pHist = &p->hist;
  int n = pHist->nTrial;

  if( !p->bHist ) return;
  if( n > 0 && iTrial <= pHist->aId[n - 1] ){
    /* Not the newest trial: reloading is simpler than inserting. */
    p->bHist = 0;
    return;
  }
  if( n == p->nHistAlloc ){
    int nNew = n ? 2 * n : 64;
    if( tpeHistoryGrow(pHist, nNew) != SQLITE_OK ){
      p->bHist = 0;
      return;
    }
    p->nHistAlloc = nNew;
  }
  pHist->aId[n] = iTrial;
  pHist->aStatus[n] = eStatus;
  pHist->aLoss[n] = eStatus == TPE_OK ? rLoss : NAN;
  memcpy(&pHist->aVal[(size_t)n * pHist->nParam], aVal,
         sizeof(double) * pHist->nParam);
  if( pHist->aByLoss ) tpeHistoryOrderAppend(p->pSpace, pHist, n);
  pHist->nTrial++;
}

void tpeHistorySet(TpeTable *p, sqlite3_int64 iTrial, int eStatus,
                   double rLoss){
  TpeHistory *pHist = &p->hist;
  int lo = 0, hi = pHist->nTrial - 1;

  if( !p->bHist ) return;
  while( lo <= hi ){
    int mid = lo + (hi - lo) / 2;
    if( pHist->aId[mid] < iTrial ){
      lo = mid + 1;
    }else if( pHist->aId[mid] > iTrial ){
      hi = mid - 1;
    }else if( pHist->aByLoss ){
      tpeHistoryOrderSet(pHist, mid, eStatus, rLoss);
      return;
    }else{
      pHist->aStatus[mid] = eStatus;
      pHist->aLoss[mid] = eStatus == TPE_OK ? rLoss : NAN;
      return;
    }
  }
  p->bHist = 0;
}

/**************************************************************************
** Small helpers
*/

const char *tpeStatusName(int eStatus){
  switch( eStatus ){
    case TPE_PENDING: return "pending";
    case TPE_OK:      return "ok";
    case TPE_FAIL:    return "fail";
    default:          return 0;
  }
}

int tpeStatusFromText(const char *z){
  if( strcmp(z, "pending") == 0 ) return TPE_PENDING;
  if( strcmp(z, "ok") == 0 ) return TPE_OK;
  if( strcmp(z, "fail") == 0 ) return TPE_FAIL;
  return -1;
}

void tpeNow(sqlite3 *db, char *zBuf){
  sqlite3_vfs *pVfs = sqlite3_vfs_find(0);
  sqlite3_int64 iMs = 0;      /* milliseconds since the Julian epoch */
  sqlite3_int64 iDay, iMsDay, a, b, c, d, e, m;
  int Y, M, D;

  (void)db;
  if( pVfs && pVfs->iVersion >= 2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &iMs);
  }else if( pVfs ){
    double r = 0;
    pVfs->xCurrentTime(pVfs, &r);
    iMs = (sqlite3_int64)(r * 86400000.0);
  }
  /* Julian day to civil date (the algorithm SQLite's date.c also uses,
  ** from Meeus), noon-based days shifted by half a day. */
  iDay = (iMs + 43200000) / 86400000;
  iMsDay = (iMs + 43200000) % 86400000;
  a = iDay + 32044;
  b = (4 * a + 3) / 146097;
  c = a - 146097 * b / 4;
  d = (4 * c + 3) / 1461;
  e = c - 1461 * d / 4;
  m = (5 * e + 2) / 153;
  D = (int)(e - (153 * m + 2) / 5 + 1);
  M = (int)(m + 3 - 12 * (m / 10));
  Y = (int)(100 * b + d - 4800 + m / 10);
  sqlite3_snprintf(24, zBuf, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
                   Y, M, D, (int)(iMsDay / 3600000),
                   (int)(iMsDay / 60000 % 60), (int)(iMsDay / 1000 % 60),
                   (int)(iMsDay % 1000));
}
