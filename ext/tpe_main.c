/*
** tpe_main.c: the entry point of sqlite-tpe.
**
**     .load ./tpe                          -- sqlite3 shell
**     SELECT load_extension('./tpe');       -- SQL
**     conn.load_extension('./tpe')          # Python's sqlite3 module
**     sqlite3_tpe_init(db, &zErr, 0);       // a program linking SQLite
**
** Registers the "tpe" virtual-table module (experiments), the functions
** tpe_suggest and tpe_best, and the table-valued function tpe_space.
*/
#define TPE_MAIN_C
#include "tpe_vtab.h"
SQLITE_EXTENSION_INIT1

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
int sqlite3_tpe_init(sqlite3 *db, char **pzErrMsg,
                     const sqlite3_api_routines *pApi){
  TpeRegistry *pReg = 0;
  int rc;

  SQLITE_EXTENSION_INIT2(pApi);
  rc = tpeVtabRegister(db, &pReg);
  if( rc == SQLITE_OK ) rc = tpeFuncRegister(db, pReg);
  if( rc != SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("sqlite-tpe: cannot register: %s",
                                sqlite3_errstr(rc));
  }
  return rc;
}
