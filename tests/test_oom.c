/*
** test_oom.c: sqlite-tpe under out-of-memory faults.
**
** Every allocation goes through SQLite's allocator, so a wrapper installed
** with SQLITE_CONFIG_MALLOC sees all of them.  The scenario below (create
** an experiment, import, suggest with each algorithm, tell, query, drop)
** runs once with the N-th allocation failing, for N = 1, 2, ... until a
** run completes with no fault.  Each run must end without a crash, report
** failures as errors rather than wrong results, and free every byte.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sqlite3.h"

int sqlite3_tpe_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3_mem_methods sDefault;   /* SQLite's own allocator */
static int nCountdown = -1;            /* fail when it reaches 0; -1 never */
static int nFault = 0;                 /* faults injected in this run */

static void *oomMalloc(int n){
  if( nCountdown > 0 && --nCountdown == 0 ){
    nFault++;
    return 0;
  }
  return sDefault.xMalloc(n);
}

static void *oomRealloc(void *p, int n){
  if( nCountdown > 0 && --nCountdown == 0 ){
    nFault++;
    return 0;
  }
  return sDefault.xRealloc(p, n);
}

/* Run the scenario once.  Returns SQLITE_OK if every step succeeded, else
** the first error code; the connection is always closed. */
static int runScenario(void){
  static const char *const azSql[] = {
    "CREATE VIRTUAL TABLE e USING tpe(m choice('a', 'b'),"
    " x uniform(-5, 5) WHEN m = 'a', y loguniform(1e-3, 1),"
    " q quniform(0, 10, 2), seed = 1, n_startup = 2)",
    "INSERT INTO e(m, x, y, q, loss) VALUES ('a', 1, 0.5, 4, 2.0),"
    " ('b', NULL, 0.01, 6, 1.0), ('a', -2, 0.1, 0, 3.0)",
    "SELECT tpe_suggest('e')",
    "UPDATE e SET loss = 0.5 WHERE trial = 4",
    "SELECT tpe_suggest('e')",
    "UPDATE e SET status = 'fail' WHERE trial = 5",
    "SELECT tpe_best('e')",
    "SELECT * FROM e WHERE status = 'ok' ORDER BY loss LIMIT 2",
    "SELECT * FROM e WHERE trial = 2",
    "SELECT * FROM tpe_space('e')",
    "INSERT INTO e(m, x, y, q) VALUES ('a', 9, 0.5, 4)",   /* refused */
    "CREATE VIRTUAL TABLE r USING tpe(x uniform(0, 1), algo = 'rand')",
    "SELECT tpe_suggest('r')",
    "CREATE VIRTUAL TABLE n USING tpe(x uniform(0, 1), algo = 'anneal')",
    "INSERT INTO n(x, loss) VALUES (0.5, 1)",
    "SELECT tpe_suggest('n')",
    "ALTER TABLE e RENAME TO f",
    "SELECT tpe_suggest('f')",
    "DROP TABLE f",
  };
  sqlite3 *db = 0;
  int rc, i;

  rc = sqlite3_open(":memory:", &db);
  if( rc == SQLITE_OK ) rc = sqlite3_tpe_init(db, 0, 0);
  for(i = 0; rc == SQLITE_OK && i < (int)(sizeof(azSql)/sizeof(azSql[0]));
      i++){
    rc = sqlite3_exec(db, azSql[i], 0, 0, 0);
    if( i == 10 ){
      /* The out-of-range insert must be refused, unless memory ran out. */
      if( rc == SQLITE_CONSTRAINT ) rc = SQLITE_OK;
      else if( rc == SQLITE_OK ) rc = SQLITE_MISUSE;
    }
  }
  sqlite3_close(db);
  return rc;
}

static void test_oom_loop(void **state){
  sqlite3_mem_methods sWrap;
  int n, nRun = 0, nNomem = 0;

  (void)state;
  sqlite3_shutdown();
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sDefault);
  sWrap = sDefault;
  sWrap.xMalloc = oomMalloc;
  sWrap.xRealloc = oomRealloc;
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &sWrap), SQLITE_OK);
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0), SQLITE_OK);
  assert_int_equal(sqlite3_initialize(), SQLITE_OK);

  /* Without faults the scenario succeeds. */
  nCountdown = -1;
  assert_int_equal(runScenario(), SQLITE_OK);
  assert_int_equal(sqlite3_memory_used(), 0);

  for(n = 1; n < 100000; n++){
    int rc;
    nFault = 0;
    nCountdown = n;
    rc = runScenario();
    nCountdown = -1;
    nRun++;
    if( sqlite3_memory_used() != 0 ){
      fail_msg("fault at allocation %d: %lld bytes not freed", n,
               (long long)sqlite3_memory_used());
    }
    if( nFault == 0 ){
      assert_int_equal(rc, SQLITE_OK);
      break;
    }
    /* A fault may be absorbed (SQLite retries some allocations), or
    ** surface as an error; it never yields a wrong "refused" answer. */
    if( rc == SQLITE_NOMEM ) nNomem++;
    if( rc == SQLITE_MISUSE ){
      fail_msg("fault at allocation %d: a refused insert was accepted", n);
    }
  }
  assert_true(nRun > 100);
  assert_true(nNomem > 0);
  printf("oom: %d runs, %d ended in SQLITE_NOMEM\n", nRun, nNomem);
  sqlite3_shutdown();
  sqlite3_config(SQLITE_CONFIG_MALLOC, &sDefault);
}

int main(void){
  const struct CMUnitTest aTest[] = {
    cmocka_unit_test(test_oom_loop),
  };
  return cmocka_run_group_tests(aTest, 0, 0);
}
