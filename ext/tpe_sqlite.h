/*
** tpe_sqlite.h: how every source file of sqlite-tpe reaches SQLite.
**
** Built as a loadable extension, SQLite's functions are reached through
** the sqlite3_api table that sqlite3_tpe_init() receives; built into a
** program with -DSQLITE_CORE, they are called directly.  tpe_main.c
** defines the table (SQLITE_EXTENSION_INIT1); every other file includes
** this header, which declares it.
*/
#ifndef TPE_SQLITE_H
#define TPE_SQLITE_H

#include "sqlite3ext.h"
#ifndef TPE_MAIN_C
SQLITE_EXTENSION_INIT3
#endif

#endif /* TPE_SQLITE_H */
