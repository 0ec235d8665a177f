/* nvec.c - compiled vector kernels for CVODE's serial N_Vector.
 *
 * Debian 12's SUNDIALS 6.4.1 is built without optimisation: its N_Vector kernels keep every
 * loop variable on the stack, and with the 18 to 78 states of hepatosim's systems CVODE
 * spent about 60 % of a run in them (callgrind, README "Performance"). SUNDIALS lets an
 * application supply vector operations through the documented N_Vector ops table; this
 * file replaces the serial vector's hot kernels with the same arithmetic compiled by us.
 *
 * Each kernel gives bit-for-bit the result of the SUNDIALS code path it replaces (the
 * serial kernel, or the generic fallback for the fused operations, which stay disabled in
 * nvector_serial by default): tests/check_solver.c compares them on random vectors, in
 * place and out of place. Clones inherit the table (N_VCloneEmpty copies the ops). */
#include "nvec.h"

#include <math.h>
#include <nvector/nvector_serial.h>

/* Elementwise loops: an output may be one of the inputs (in place) but never overlaps it
 * otherwise, so iterations are independent and the loops vectorise without the run-time
 * overlap test (which fails for in-place calls, CVODE's most common). */
#define HS_SIMD _Pragma("omp simd")

#define DATA(v) NV_DATA_S(v)
#define LEN(v) NV_LENGTH_S(v)

static void k_linearsum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z) {
  const sunindextype n = LEN(x);
  const sunrealtype *xd = DATA(x), *yd = DATA(y);
  sunrealtype *zd = DATA(z);
  /* the special cases of N_VLinearSum_Serial, which round differently from a x + b y */
  if (a == b && a != 1 && a != -1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = a * (xd[i] + yd[i]);
  } else if (a == -b && a != 1 && a != -1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = a * (xd[i] - yd[i]);
  } else if (b == 1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = a * xd[i] + yd[i];
  } else if (a == 1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = b * yd[i] + xd[i];
  } else if (b == -1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = a * xd[i] - yd[i];
  } else if (a == -1) {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = b * yd[i] - xd[i];
  } else {
    HS_SIMD
    for (sunindextype i = 0; i < n; i++) zd[i] = a * xd[i] + b * yd[i];
  }
}

static void k_const(sunrealtype c, N_Vector z) {
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(z);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = c;
}

static void k_prod(N_Vector x, N_Vector y, N_Vector z) {
  const sunrealtype *xd = DATA(x), *yd = DATA(y);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] * yd[i];
}

static void k_div(N_Vector x, N_Vector y, N_Vector z) {
  const sunrealtype *xd = DATA(x), *yd = DATA(y);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] / yd[i];
}

static void k_scale(sunrealtype c, N_Vector x, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = c * xd[i];
}

static void k_abs(N_Vector x, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = fabs(xd[i]);
}

static void k_inv(N_Vector x, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = 1.0 / xd[i];
}

static void k_addconst(N_Vector x, sunrealtype b, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = xd[i] + b;
}

static sunrealtype k_maxnorm(N_Vector x) {
  const sunrealtype *xd = DATA(x);
  sunrealtype m = 0;
  for (sunindextype i = 0, n = LEN(x); i < n; i++)
    if (fabs(xd[i]) > m) m = fabs(xd[i]);
  return m;
}

static sunrealtype k_wrmsnorm(N_Vector x, N_Vector w) {
  const sunrealtype *xd = DATA(x), *wd = DATA(w);
  const sunindextype n = LEN(x);
  sunrealtype sum = 0;
  for (sunindextype i = 0; i < n; i++) {
    sunrealtype p = xd[i] * wd[i];
    sum += p * p;
  }
  return sqrt(sum / (sunrealtype)n);
}

static sunrealtype k_wrmsnormmask(N_Vector x, N_Vector w, N_Vector id) {
  const sunrealtype *xd = DATA(x), *wd = DATA(w), *idd = DATA(id);
  const sunindextype n = LEN(x);
  sunrealtype sum = 0;
  for (sunindextype i = 0; i < n; i++)
    if (idd[i] > 0) {
      sunrealtype p = xd[i] * wd[i];
      sum += p * p;
    }
  return sqrt(sum / (sunrealtype)n);
}

static sunrealtype k_min(N_Vector x) {
  const sunrealtype *xd = DATA(x);
  sunrealtype m = xd[0];
  for (sunindextype i = 1, n = LEN(x); i < n; i++)
    if (xd[i] < m) m = xd[i];
  return m;
}

static void k_compare(sunrealtype c, N_Vector x, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  const sunindextype n = LEN(x);
  HS_SIMD
  for (sunindextype i = 0; i < n; i++) zd[i] = fabs(xd[i]) >= c ? 1.0 : 0.0;
}

static sunbooleantype k_invtest(N_Vector x, N_Vector z) {
  const sunrealtype *xd = DATA(x);
  sunrealtype *zd = DATA(z);
  sunbooleantype ok = SUNTRUE;
  for (sunindextype i = 0, n = LEN(x); i < n; i++) {
    if (xd[i] == 0) ok = SUNFALSE;
    else zd[i] = 1.0 / xd[i];
  }
  return ok;
}

/* z = sum_j c_j X_j as the generic fallback forms it: z = c_0 X_0, then z = c_j X_j + z
 * term by term (so a term X_j, j >= 1, that is z itself is read as the fallback reads it). */
static int k_linearcombination(int nv, sunrealtype *c, N_Vector *X, N_Vector z) {
  k_scale(c[0], X[0], z);
  for (int j = 1; j < nv; j++) k_linearsum(c[j], X[j], 1.0, z, z);
  return 0;
}

/* Z_j = a_j x + Y_j, as the fallback's N_VLinearSum(a_j, x, 1, Y_j, Z_j). */
static int k_scaleaddmulti(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z) {
  for (int j = 0; j < nv; j++) k_linearsum(a[j], x, 1.0, Y[j], Z[j]);
  return 0;
}

void hs__nvec_compiled_ops(N_Vector v) {
  N_Vector_Ops o = v->ops;
  o->nvlinearsum = k_linearsum;
  o->nvconst = k_const;
  o->nvprod = k_prod;
  o->nvdiv = k_div;
  o->nvscale = k_scale;
  o->nvabs = k_abs;
  o->nvinv = k_inv;
  o->nvaddconst = k_addconst;
  o->nvmaxnorm = k_maxnorm;
  o->nvwrmsnorm = k_wrmsnorm;
  o->nvwrmsnormmask = k_wrmsnormmask;
  o->nvmin = k_min;
  o->nvcompare = k_compare;
  o->nvinvtest = k_invtest;
  o->nvlinearcombination = k_linearcombination;
  o->nvscaleaddmulti = k_scaleaddmulti;
}
