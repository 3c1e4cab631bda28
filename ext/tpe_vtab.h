/*
** tpe_vtab.h: the experiment virtual table and its stored trials.
**
** An experiment is a virtual table of module "tpe" whose rows are trials.
** Its state lives in two shadow tables in the same database:
**
**   <name>_config(key TEXT PRIMARY KEY, value)   format version and the
**                                                declaration, as text
**   <name>_trials(trial INTEGER PRIMARY KEY,     one row per trial, with
**                 <parameters...>, loss,         the columns of the
**                 status, suggested_at,          experiment in the same
**                 finished_at, extra)            order; index on loss
**
** tpe_vtab.c holds the module (declaration, scans, writes); tpe_store.c
** holds the shadow-table statements, the conversion of values between SQL
** and the encoding of tpe_space.h, and the loading of a history;
** tpe_func.c holds the SQL functions that reach an experiment by name.
*/
#ifndef TPE_VTAB_H
#define TPE_VTAB_H

#include "tpe_sqlite.h"
#include "tpe_algo.h"
#include "tpe_space.h"

/* Columns of an experiment after its parameters, in order. */
#define TPE_COL_LOSS        0   /* offset from nParam + 1 */
#define TPE_COL_STATUS      1
#define TPE_COL_SUGGESTED   2
#define TPE_COL_FINISHED    3
#define TPE_COL_EXTRA       4
#define TPE_NTAIL           5

/* The stored format; xConnect refuses any other. */
#define TPE_FORMAT_VERSION  1

/* Statements on the shadow tables, prepared once per connection. */
enum {
  TPE_STMT_INSERT = 0,  /* INSERT a whole trial row */
  TPE_STMT_REPLACE,     /* UPDATE a whole trial row by trial id */
  TPE_STMT_DELETE,      /* DELETE a trial by id */
  TPE_STMT_GET,         /* SELECT a whole trial row by id */
  TPE_STMT_HISTORY,     /* SELECT trial, params, loss, status by id */
  TPE_STMT_BEST,        /* SELECT the best ok trial */
  TPE_NSTMT
};

typedef struct TpeRegistry TpeRegistry;
typedef struct TpeTable TpeTable;

struct TpeTable {
  sqlite3_vtab base;    /* base class; must be first */
  sqlite3 *db;          /* connection */
  char *zDb;            /* schema name ("main", ...), owned */
  char *zName;          /* experiment (table) name, owned */
  TpeSpace *pSpace;     /* parsed declaration, owned */
  TpeRegistry *pReg;    /* registry this table is listed in */
  TpeTable *pNext;      /* next table in pReg */
  sqlite3_stmt *aStmt[TPE_NSTMT];  /* cached statements, or NULL */
};

/* The experiments connected on one database connection, so that SQL
** functions can find one by name.  Owned by the module (its client
** data), shared with the functions. */
struct TpeRegistry {
  sqlite3 *db;          /* connection */
  TpeTable *pList;      /* connected experiments */
};

/* Register module "tpe" and return its registry through *ppReg. */
int tpeVtabRegister(sqlite3 *db, TpeRegistry **ppReg);

/*
** Find experiment zName ("table" or "schema.table") on the registry's
** connection, connecting it if needed.  Returns SQLITE_OK and sets *ppTab,
** or returns an error code with *pzErr set (sqlite3_mprintf) to a message
** such as "no such experiment: exp".
*/
int tpeTableFind(TpeRegistry *pReg, const char *zName, TpeTable **ppTab,
                 char **pzErr);

/* tpe_store.c */
int tpeStoreCreate(TpeTable *p, char **pzErr);
int tpeStoreCheck(TpeTable *p, char **pzErr);
int tpeStoreDrop(TpeTable *p);
int tpeStoreRename(TpeTable *p, const char *zNew);
void tpeStoreFinalize(TpeTable *p);
int tpeStoreStmt(TpeTable *p, int eStmt, sqlite3_stmt **ppStmt);

/*
** Read column values as the encoding of tpe_space.h.  tpeValueEncode
** converts pVal for parameter iParam; on a value the parameter cannot take
** it returns SQLITE_CONSTRAINT with *pzErr naming the column, the value and
** the reason.  tpeValueResult and tpeValueBind do the opposite.
*/
int tpeValueEncode(TpeTable *p, int iParam, sqlite3_value *pVal,
                   double *pOut, char **pzErr);
int tpeValueBind(sqlite3_stmt *pStmt, int iCol, const TpeParam *pPar,
                 double v);
void tpeValueJson(sqlite3_str *pStr, const TpeParam *pPar, double v);

/* Load every trial, ascending by id, into a new history the caller frees
** with tpeHistoryFree().  Returns SQLITE_OK or an error code. */
int tpeHistoryLoad(TpeTable *p, TpeHistory *pHist);
void tpeHistoryFree(TpeHistory *pHist);

/* Current time as "YYYY-MM-DD HH:MM:SS.SSS" UTC in zBuf[24]. */
void tpeNow(sqlite3 *db, char *zBuf);

/* Status text <-> TPE_PENDING, TPE_OK, TPE_FAIL; -1 if unknown. */
const char *tpeStatusName(int eStatus);
int tpeStatusFromText(const char *z);

/* tpe_func.c */
int tpeFuncRegister(sqlite3 *db, TpeRegistry *pReg);

#endif /* TPE_VTAB_H */
