/*
** problems.h: the public benchmark problems of ../shared/bench/PROBLEMS.md,
** shared by bench/quality.c (which scores optimizers on them) and
** bench/speed.c (which uses them as the losses of its histories).
**
** Each objective receives the parameters in the order of the problem's
** declaration: numbers as they are, a choice as the index of its label in
** the label array, an inactive parameter as NaN.  It returns the
** noise-free f, or NaN if the point is not one the space can produce.
*/
#ifndef BENCH_PROBLEMS_H
#define BENCH_PROBLEMS_H

#include <math.h>

#define BENCH_PI 3.14159265358979323846

/* The declarations of the spaces both benchmarks use, in PROBLEMS.md's
** parameter order. */
#define BENCH_DECL_BRANIN \
  "x1 uniform(-5, 10), x2 uniform(0, 15)"
#define BENCH_DECL_HARTMANN6 \
  "x0 uniform(0, 1), x1 uniform(0, 1), x2 uniform(0, 1), " \
  "x3 uniform(0, 1), x4 uniform(0, 1), x5 uniform(0, 1)"
#define BENCH_DECL_MIXED_ML \
  "lr loguniform(1e-5, 1), units quniform(16, 512, 16), " \
  "optimizer choice('adam', 'sgd', 'rmsprop'), dropout uniform(0, 0.8)"
#define BENCH_DECL_CONDITIONAL \
  "model choice('svm', 'forest', 'knn'), " \
  "C loguniform(1e-3, 1e3) WHEN model = 'svm', " \
  "gamma loguniform(1e-5, 1) WHEN model = 'svm', " \
  "trees quniform(10, 1000, 10) WHEN model = 'forest', " \
  "depth uniformint(2, 32) WHEN model = 'forest', " \
  "k uniformint(1, 50) WHEN model = 'knn'"

/* True if v lies in [lo, hi], allowing for rounding at the ends. */
static inline int benchIn(double v, double lo, double hi){
  double tol = 1e-12 * (fabs(lo) + fabs(hi));
  return v >= lo - tol && v <= hi + tol;
}

/* True if all n values of a lie in [lo, hi]. */
static inline int benchBox(const double *a, int n, double lo, double hi){
  int i;

  for(i = 0; i < n; i++){
    if( !benchIn(a[i], lo, hi) ) return 0;
  }
  return 1;
}

/* True if v is a multiple of q, allowing for rounding. */
static inline int benchOnGrid(double v, double q){
  return fabs(v / q - rint(v / q)) < 1e-9;
}

static inline double benchQuadratic(const double *a){
  double x = a[0], y = a[1];

  if( !benchBox(a, 2, -5, 5) ) return NAN;
  return x*x + y*y - 2*x*y + 2*x + 2*y;
}

static inline double benchCubic(const double *a){
  double x = a[0], y = a[1];

  if( !benchBox(a, 2, -5, 5) ) return NAN;
  return x*x + y*y*y - 2*x*y;
}

/* Branin-Hoo with a=1, b=5.1/(4 pi^2), c=5/pi, r=6, s=10, t=1/(8 pi). */
static inline double benchBranin(const double *a){
  double x1 = a[0], x2 = a[1];
  double b = 5.1 / (4 * BENCH_PI * BENCH_PI), c = 5 / BENCH_PI;
  double t = 1 / (8 * BENCH_PI), u;

  if( !benchIn(x1, -5, 10) || !benchIn(x2, 0, 15) ) return NAN;
  u = x2 - b*x1*x1 + c*x1 - 6;
  return u*u + 10*(1 - t)*cos(x1) + 10;
}

/* Six-hump camel. */
static inline double benchCamel(const double *a){
  double x1 = a[0], x2 = a[1];
  double x1s = x1*x1, x2s = x2*x2;

  if( !benchIn(x1, -3, 3) || !benchIn(x2, -2, 2) ) return NAN;
  return (4 - 2.1*x1s + x1s*x1s/3)*x1s + x1*x2 + (-4 + 4*x2s)*x2s;
}

/* Hartmann 6-D with the standard alpha, A and P. */
static inline double benchHartmann6(const double *a){
  static const double aAlpha[4] = { 1.0, 1.2, 3.0, 3.2 };
  static const double aA[4][6] = {
    { 10,   3,    17,   3.5,  1.7,  8  },
    { 0.05, 10,   17,   0.1,  8,    14 },
    { 3,    3.5,  1.7,  10,   17,   8  },
    { 17,   8,    0.05, 10,   0.1,  14 },
  };
  static const double aP[4][6] = {
    { 1312, 1696, 5569, 124,  8283, 5886 },
    { 2329, 4135, 8307, 3736, 1004, 9991 },
    { 2348, 1451, 3522, 2883, 3047, 6650 },
    { 4047, 8828, 8732, 5743, 1091, 381  },
  };
  double f = 0;
  int i, j;

  if( !benchBox(a, 6, 0, 1) ) return NAN;
  for(i = 0; i < 4; i++){
    double s = 0;
    for(j = 0; j < 6; j++){
      double d = a[j] - aP[i][j] * 1e-4;
      s += aA[i][j] * d * d;
    }
    f -= aAlpha[i] * exp(-s);
  }
  return f;
}

/* Rosenbrock in 4-D. */
static inline double benchRosenbrock4(const double *a){
  double f = 0;
  int i;

  if( !benchBox(a, 4, -2, 2) ) return NAN;
  for(i = 0; i < 3; i++){
    double u = a[i+1] - a[i]*a[i], v = 1 - a[i];
    f += 100*u*u + v*v;
  }
  return f;
}

/* Ackley in 5-D with a=20, b=0.2, c=2 pi. */
static inline double benchAckley5(const double *a){
  double s2 = 0, sc = 0;
  int i;

  if( !benchBox(a, 5, -32.768, 32.768) ) return NAN;
  for(i = 0; i < 5; i++){
    s2 += a[i]*a[i];
    sc += cos(2*BENCH_PI*a[i]);
  }
  return -20*exp(-0.2*sqrt(s2/5)) - exp(sc/5) + 20 + exp(1.0);
}

static const char *const azOptimizer[] = { "adam", "sgd", "rmsprop", 0 };

/* mixed_ml: lr, units, optimizer, dropout. */
static inline double benchMixedMl(const double *a){
  static const double aBestLr[3] = { -3, -1.5, -2.5 };
  static const double aOffset[3] = { 0, 0.3, 0.1 };
  double lr = a[0], units = a[1], dropout = a[3], u, v, w;
  int iOpt;

  if( !benchIn(lr, 1e-5, 1) || !benchIn(units, 16, 512)
   || !benchOnGrid(units, 16) || !benchIn(dropout, 0, 0.8)
   || !(a[2] >= 0 && a[2] <= 2) ){
    return NAN;
  }
  iOpt = (int)a[2];
  u = log10(lr) - aBestLr[iOpt];
  v = log2(units) - 7;
  w = dropout - 0.2;
  return u*u/2 + v*v/8 + w*w + aOffset[iOpt];
}

static const char *const azModel[] = { "svm", "forest", "knn", 0 };

/* True if exactly the parameters a[iFirst..iLast] of a[1..5] are set. */
static inline int benchBranch(const double *a, int iFirst, int iLast){
  int i;

  for(i = 1; i <= 5; i++){
    int bWant = i >= iFirst && i <= iLast;
    if( bWant == (a[i] != a[i]) ) return 0;
  }
  return 1;
}

/* conditional: model, C, gamma, trees, depth, k. */
static inline double benchConditional(const double *a){
  double u, v;

  if( a[0] == 0 ){
    if( !benchBranch(a, 1, 2) || !benchIn(a[1], 1e-3, 1e3)
     || !benchIn(a[2], 1e-5, 1) ){
      return NAN;
    }
    u = log10(a[1]) - 1;
    v = log10(a[2]) + 2;
    return 0.05 + u*u/10 + v*v/10;
  }
  if( a[0] == 1 ){
    if( !benchBranch(a, 3, 4) || !benchIn(a[3], 10, 1000)
     || !benchOnGrid(a[3], 10) || !benchIn(a[4], 2, 32)
     || a[4] != rint(a[4]) ){
      return NAN;
    }
    u = a[3] - 300;
    v = a[4] - 12;
    return u*u/1e5 + v*v/400;
  }
  if( a[0] == 2 ){
    if( !benchBranch(a, 5, 5) || !benchIn(a[5], 1, 50)
     || a[5] != rint(a[5]) ){
      return NAN;
    }
    u = a[5] - 7;
    return 0.15 + u*u/100;
  }
  return NAN;
}

#endif /* BENCH_PROBLEMS_H */
