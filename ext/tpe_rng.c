/*
** tpe_rng.c: counter-keyed random streams (see tpe_rng.h).
**
** A stream is xoshiro256** whose 256-bit state is filled by splitmix64
** started from a hash of (seed, trial, purpose).  Only integer arithmetic
** and IEEE-754 operations with libm's log, sqrt, sin and cos are used, so
** the same key gives the same numbers on every platform whose libm rounds
** those four functions the same way.
*/
#include "tpe_rng.h"

#include <math.h>

#define TPE_TWO_PI 6.283185307179586476925286766559

static uint64_t splitmix64(uint64_t *pX){
  uint64_t z = (*pX += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k){
  return (x << k) | (x >> (64 - k));
}

void tpeRngInit(TpeRng *p, int64_t iSeed, int64_t iTrial, uint32_t iPurpose){
  uint64_t x = (uint64_t)iSeed;
  int i;

  /* Fold each key part through a full splitmix64 round so that nearby
  ** seeds and trial ids give unrelated states. */
  x = splitmix64(&x) ^ (uint64_t)iTrial;
  x = splitmix64(&x) ^ (uint64_t)iPurpose;
  for(i = 0; i < 4; i++) p->s[i] = splitmix64(&x);
  if( (p->s[0] | p->s[1] | p->s[2] | p->s[3]) == 0 ) p->s[0] = 1;
  p->bSpare = 0;
  p->rSpare = 0.0;
}

uint64_t tpeRngNext(TpeRng *p){
  uint64_t *s = p->s;
  uint64_t r = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return r;
}

double tpeRngUniform(TpeRng *p){
  return (double)(tpeRngNext(p) >> 11) * 0x1.0p-53;
}

double tpeRngNormal(TpeRng *p){
  double u1, u2, r;

  if( p->bSpare ){
    p->bSpare = 0;
    return p->rSpare;
  }
  /* 1 - U lies in (0, 1], so the logarithm is finite. */
  u1 = 1.0 - tpeRngUniform(p);
  u2 = tpeRngUniform(p);
  r = sqrt(-2.0 * log(u1));
  p->rSpare = r * sin(TPE_TWO_PI * u2);
  p->bSpare = 1;
  return r * cos(TPE_TWO_PI * u2);
}

int64_t tpeRngBelow(TpeRng *p, int64_t n){
  uint64_t un = (uint64_t)n;
  uint64_t lim = UINT64_MAX - (UINT64_MAX % un);
  uint64_t x;

  /* Rejection keeps every value exactly equally likely. */
  do{ x = tpeRngNext(p); }while( x >= lim );
  return (int64_t)(x % un);
}

int tpeRngCategorical(TpeRng *p, const double *aW, int n){
  double tot = 0.0, u, acc = 0.0;
  int i;

  for(i = 0; i < n; i++) tot += aW[i];
  if( !(tot > 0.0) ) return n - 1;
  u = tpeRngUniform(p) * tot;
  for(i = 0; i < n - 1; i++){
    acc += aW[i];
    if( u < acc ) return i;
  }
  return n - 1;
}
