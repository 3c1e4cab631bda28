/*
** tpe_vtab.h: the experiment virtual table and its stored trials.
**
** An experiment is a virtual table of module "tpe" whose rows are trials.
** Its state lives in two shadow tables in the same database:
**
**   <name>_config(key TEXT PRIMARY KEY, value)   'version': the stored
**                                                format; 'generation':
**                                                changed by every write
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
  TPE_STMT_GEN_GET,     /* SELECT the generation from <name>_config */
  TPE_STMT_GEN_SET,     /* store a new generation in <name>_config */
  TPE_STMT_LOCK,        /* a write that changes nothing: takes the lock */
  TPE_STMT_SAVEPOINT,   /* SAVEPOINT tpe_suggest */
  TPE_STMT_RELEASE,     /* RELEASE tpe_suggest */
  TPE_STMT_ROLLBACK_TO, /* ROLLBACK TO tpe_suggest */
  TPE_NSTMT
};

/* Scan statements of xFilter kept for reuse, per table (see tpe_vtab.c). */
#define TPE_NSCAN 4

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
  sqlite3_stmt *aScan[TPE_NSCAN];  /* idle scan statements, or NULL */
  int aScanPlan[TPE_NSCAN];        /* idxNum each aScan[] entry runs */
  TpeHistory hist;      /* cached trials, meaningful only if bHist */
  int nHistAlloc;       /* trials hist's arrays can hold */
  int bHist;            /* 1: hist equals the stored trials whenever the
                        ** stored generation equals iGen */
  sqlite3_int64 iGen;   /* generation hist reflects, if bHist */
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

/* Run cached statement eStmt, which takes no parameters and returns no
** rows, to completion; returns its result code. */
int tpeStoreRun(TpeTable *p, int eStmt);

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

/* Append zText to pStr as a JSON string, quoted and escaped. */
void tpeJsonString(sqlite3_str *pStr, const char *zText);

/* Load every trial, ascending by id, into a new history the caller frees
** with tpeHistoryFree().  Returns SQLITE_OK or an error code. */
int tpeHistoryLoad(TpeTable *p, TpeHistory *pHist);
void tpeHistoryFree(TpeHistory *pHist);

/*
** The history cache.  Every write sqlite-tpe makes to an experiment's
** trials also stores a new random 64-bit generation in <name>_config,
** in the same statement, so that ROLLBACK restores the old one and any
** other connection or process that writes through sqlite-tpe changes it.
** p->hist is trusted only while the stored generation equals p->iGen.
**
** tpeHistoryGet sets *ppHist to p's history as stored now, reloading it
** if the generation moved; the history stays owned by p and is valid
** until the next write.  tpeGenRead reads the stored generation into
** *piGen and sets *pbCached to 1 if it equals p->iGen and the cache is
** valid.  tpeGenBump stores a new generation; with bKeep (the cache
** was valid before the write and the caller updates p->hist to match)
** the cache follows it, else the cache is dropped.
** tpeHistoryAppend adds one trial with the next id at the end of p->hist;
** tpeHistorySet changes a cached trial's status and loss.  Both drop the
** cache rather than fail.
**
** Known shortcoming: a write that bypasses sqlite-tpe, such as an INSERT
** straight into <name>_trials from a connection without defensive mode,
** leaves the generation as it was; connections with a warm cache then
** keep suggesting from the trials they knew until sqlite-tpe next writes.
*/
int tpeHistoryGet(TpeTable *p, const TpeHistory **ppHist);
int tpeGenRead(TpeTable *p, sqlite3_int64 *piGen, int *pbCached);
int tpeGenBump(TpeTable *p, int bKeep);
void tpeHistoryAppend(TpeTable *p, sqlite3_int64 iTrial, const double *aVal,
                      int eStatus, double rLoss);
void tpeHistorySet(TpeTable *p, sqlite3_int64 iTrial, int eStatus,
                   double rLoss);

/* Current time as "YYYY-MM-DD HH:MM:SS.SSS" UTC in zBuf[24]. */
void tpeNow(sqlite3 *db, char *zBuf);

/* Status text <-> TPE_PENDING, TPE_OK, TPE_FAIL; -1 if unknown. */
const char *tpeStatusName(int eStatus);
int tpeStatusFromText(const char *z);

/* tpe_func.c */
int tpeFuncRegister(sqlite3 *db, TpeRegistry *pReg);

#endif /* TPE_VTAB_H */
