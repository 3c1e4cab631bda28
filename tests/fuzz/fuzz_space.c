/*
** fuzz_space.c: libFuzzer target for the declaration parser.
**
** The input is split at newlines into module arguments, as SQLite would
** hand them to CREATE VIRTUAL TABLE, and parsed; a space that parses is
** also sampled once per parameter, so the parser's output is exercised.
** Build and run with `make fuzz` (clang, ASan and UBSan).
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"
#include "tpe_algo.h"
#include "tpe_space.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  char *zCopy, *z;
  const char *azArg[64];
  int nArg = 0;
  TpeSpace *pSpace = 0;
  char *zErr = 0;

  if( nData > 4096 ) return 0;
  zCopy = malloc(nData + 1);
  if( zCopy == 0 ) return 0;
  memcpy(zCopy, aData, nData);
  zCopy[nData] = 0;
  for(z = zCopy; nArg < 64; ){
    char *zEnd = strchr(z, '\n');
    azArg[nArg++] = z;
    if( zEnd == 0 ) break;
    *zEnd = 0;
    z = zEnd + 1;
  }
  if( tpeSpaceParse("f", nArg, azArg, &pSpace, &zErr) == SQLITE_OK ){
    double aVal[64];
    TpeRng rng;
    int i;
    tpeRngInit(&rng, 1, 1, 1);
    if( pSpace->nParam <= 64 && tpeSuggestRand(pSpace, 0, &rng, aVal) == 0 ){
      for(i = 0; i < pSpace->nParam; i++){
        if( !isnan(aVal[i]) && tpeParamCheck(&pSpace->aParam[i], aVal[i]) ){
          /* A prior draw the value checks refuse is a bug. */
          abort();
        }
      }
    }
    tpeSpaceFree(pSpace);
  }
  sqlite3_free(zErr);
  free(zCopy);
  return 0;
}
