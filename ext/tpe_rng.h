/*
** tpe_rng.h: the random streams of sqlite-tpe.
**
** Every suggestion draws from its own stream, keyed by the experiment's
** seed and the trial id it will get.  The stream of trial k depends on
** nothing else, so an experiment resumed from its file, or replayed on
** another machine, draws exactly the numbers an uninterrupted run drew.
**
** The generator is xoshiro256** seeded through splitmix64; normal
** deviates come from the Box-Muller transform, two per pair of uniforms.
*/
#ifndef TPE_RNG_H
#define TPE_RNG_H

#include <stdint.h>

typedef struct TpeRng TpeRng;
struct TpeRng {
  uint64_t s[4];        /* xoshiro256** state, never all zero */
  double rSpare;        /* second Box-Muller deviate, if bSpare */
  int bSpare;           /* true when rSpare holds an unused deviate */
};

/* Start the stream of trial iTrial of an experiment seeded with iSeed.
** iPurpose separates independent streams of the same trial (for example
** the sampler and a tie-break) so that they never overlap. */
void tpeRngInit(TpeRng *p, int64_t iSeed, int64_t iTrial, uint32_t iPurpose);

uint64_t tpeRngNext(TpeRng *p);          /* 64 uniform bits */
double tpeRngUniform(TpeRng *p);         /* uniform on [0, 1), 53 bits */
double tpeRngNormal(TpeRng *p);          /* standard normal */
int64_t tpeRngBelow(TpeRng *p, int64_t n);  /* uniform on 0..n-1, n > 0 */

/* Index drawn from the discrete distribution aW[0..n-1]; the weights are
** non-negative and need not sum to one.  Returns n-1 if they sum to 0. */
int tpeRngCategorical(TpeRng *p, const double *aW, int n);

#endif /* TPE_RNG_H */
