/*
** embed.c: sqlite-tpe built into a program that links SQLite itself.
**
** The extension's sources are compiled with -DSQLITE_CORE and linked with
** SQLite's static library; the program registers sqlite-tpe by calling
** sqlite3_tpe_init() directly, then runs a short ask-and-tell loop and
** checks what it reads back.  Prints "N passed, N failed".
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sqlite3.h"

int sqlite3_tpe_init(sqlite3*, char**, const sqlite3_api_routines*);

static int nPass = 0;
static int nFail = 0;

static void check(int bOk, const char *zWhat){
  if( bOk ){
    nPass++;
  }else{
    nFail++;
    printf("FAIL: %s\n", zWhat);
  }
}

/* Run zSql and return the first column of its first row as a double. */
static double queryReal(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  double r = NAN;

  if( sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) == SQLITE_OK
   && sqlite3_step(pStmt) == SQLITE_ROW ){
    r = sqlite3_column_double(pStmt, 0);
  }else{
    printf("error in %s: %s\n", zSql, sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return r;
}

int main(void){
  sqlite3 *db = 0;
  sqlite3_stmt *pAsk = 0, *pTell = 0;
  char *zErr = 0;
  int rc, i;

  rc = sqlite3_open(":memory:", &db);
  check(rc == SQLITE_OK, "open");
  rc = sqlite3_tpe_init(db, &zErr, 0);
  check(rc == SQLITE_OK && zErr == 0, "sqlite3_tpe_init");
  check(strcmp(sqlite3_libversion(), SQLITE_VERSION) == 0,
        "linked with the SQLite it was compiled against");

  rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE exp USING tpe("
                    "x uniform(-5, 5), y uniform(-5, 5), seed = 1)",
                    0, 0, &zErr);
  check(rc == SQLITE_OK, "create experiment");

  /* Ask and tell: minimize (x-1)^2 + (y+2)^2 for 60 trials. */
  rc = sqlite3_prepare_v2(db,
      "SELECT t.value ->> 'trial', t.value ->> 'x', t.value ->> 'y' "
      "FROM (SELECT tpe_suggest('exp') AS value) AS t", -1, &pAsk, 0);
  check(rc == SQLITE_OK, "prepare ask");
  rc = sqlite3_prepare_v2(db, "UPDATE exp SET loss = ?2 WHERE trial = ?1",
                          -1, &pTell, 0);
  check(rc == SQLITE_OK, "prepare tell");
  for(i = 0; i < 60 && rc == SQLITE_OK; i++){
    double x, y;
    sqlite3_int64 iTrial;
    if( sqlite3_step(pAsk) != SQLITE_ROW ){
      rc = SQLITE_ERROR;
      break;
    }
    iTrial = sqlite3_column_int64(pAsk, 0);
    x = sqlite3_column_double(pAsk, 1);
    y = sqlite3_column_double(pAsk, 2);
    sqlite3_reset(pAsk);
    check(iTrial == i + 1, "trial ids count up from 1");
    sqlite3_bind_int64(pTell, 1, iTrial);
    sqlite3_bind_double(pTell, 2, (x - 1) * (x - 1) + (y + 2) * (y + 2));
    sqlite3_step(pTell);
    rc = sqlite3_reset(pTell);
  }
  check(rc == SQLITE_OK, "60 rounds of ask and tell");
  check(queryReal(db, "SELECT count(*) FROM exp WHERE status = 'ok'") == 60,
        "60 ok trials");
  check(queryReal(db, "SELECT min(loss) FROM exp") < 1.0,
        "the search found a loss below 1");
  check(queryReal(db, "SELECT tpe_best('exp') ->> 'loss'")
        == queryReal(db, "SELECT min(loss) FROM exp"),
        "tpe_best reports the lowest loss");

  sqlite3_finalize(pAsk);
  sqlite3_finalize(pTell);
  sqlite3_free(zErr);
  check(sqlite3_close(db) == SQLITE_OK, "close");
  printf("embed: %d passed, %d failed\n", nPass, nFail);
  return nFail != 0;
}
