/* design.c - experimental designs for parameter sweeps (hs_design.h): every run's values
 * are a pure function of (design, seed, run), so any thread or rank computes any run. */
#include "hs_design.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_POW_52 4503599627370496.0  /* 2^52 */
#define TWO_POW_53 9007199254740992.0  /* 2^53 */
#define SOBOL_BITS 52                  /* direction integers v_k = m_k 2^(52-k) */
#define SOBOL_SHIFT_KEY 0x50B0150B01ULL /* hash key of the digital shift ("SOBOL") */
#define LHS_JITTER_KEY 1000             /* hs_design_uniform(seed, run, j + 1000) */
#define MORRIS_DIR_KEY 0x4D4F525249ULL  /* morris: direction of parameter j ("MORRI") */
#define MORRIS_PERM_KEY 0x4D4F525253ULL /* morris: order of the moves ("MORRS") */
#define FEISTEL_ROUNDS 6
#define CHOL_MIN_PIVOT 1e-12 /* a smaller pivot: the correlation is singular in practice */
#define CORR_TOL 1e-12       /* symmetry and unit-diagonal tolerance */

/* ---- hashing and uniforms ---------------------------------------------------------- */

/* The splitmix64 output function (Steele, Lea & Flood 2014): a bijection of 64 bits. */
static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* A hash chain: for fixed (seed, a) a bijection of b. */
uint64_t hs_design_hash(uint64_t seed, uint64_t a, uint64_t b) {
  return mix64(mix64(mix64(seed) ^ a) ^ b);
}

/* (k + 1/2) 2^-52 for the top 52 bits k of the hash: exact, symmetric about 1/2, and in the
 * open interval (0, 1). (53 bits plus 1/2 would round the top value to exactly 1.) */
double hs_design_uniform(uint64_t seed, uint64_t a, uint64_t b) {
  return ((double)(hs_design_hash(seed, a, b) >> 12) + 0.5) / TWO_POW_52;
}

/* ---- keyed permutation --------------------------------------------------------------- */

/* One balanced Feistel network on 2 * half bits: a bijection of [0, 2^(2 half)). */
static uint64_t feistel(uint64_t x, int half, const uint64_t *keys) {
  uint64_t mask = (half >= 32) ? 0xffffffffULL : ((1ULL << half) - 1);
  uint64_t l = x >> half, r = x & mask;
  for (int k = 0; k < FEISTEL_ROUNDS; k++) {
    uint64_t t = l ^ (mix64(r ^ keys[k]) & mask);
    l = r;
    r = t;
  }
  return (l << half) | r;
}

/* Cycle-walking keeps the Feistel bijection inside [0, n): the walk from i < n returns
 * below n before it can come back to i. Domain 2^(2 half) < 4 n, so the walk is short.
 * Returns i unchanged when i >= n (a precondition violation). */
uint64_t hs_design_permute(uint64_t i, uint64_t n, uint64_t seed, uint64_t key) {
  if (i >= n) return i;
  int half = 1;
  while (half < 32 && (1ULL << (2 * half)) < n) half++;
  uint64_t keys[FEISTEL_ROUNDS];
  for (int k = 0; k < FEISTEL_ROUNDS; k++) keys[k] = hs_design_hash(seed, key, (uint64_t)k);
  uint64_t x = feistel(i, half, keys);
  while (x >= n) x = feistel(x, half, keys);
  return x;
}

/* ---- Sobol' sequence ----------------------------------------------------------------- */

/* Direction numbers for dimensions 2..21 of S. Joe and F. Y. Kuo, "Constructing Sobol
 * sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
 * 2635-2654, file new-joe-kuo-6.21201.txt: degree s of the primitive polynomial, its
 * coefficients a (bits a_1..a_{s-1}, a_1 highest) and initial m_1..m_s. Dimension 1 (our
 * dim 0) is van der Corput and needs none. Mathematical constants, not model data. */
typedef struct sobol_dir {
  int s, a;
  int m[7];
} sobol_dir;

static const sobol_dir SOBOL_DIRS[HS_SOBOL_MAX_DIM - 1] = {
    {1, 0, {1}},                        {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},                  {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},               {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},           {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},          {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},          {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},        {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},     {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},     {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}}, {7, 4, {1, 3, 7, 13, 13, 15, 69}},
};

/* Direction integers v[1..kmax] of dimension dim (Bratley & Fox 1988 recurrence). */
static void sobol_directions(int dim, int kmax, uint64_t *v) {
  if (dim == 0) {
    for (int k = 1; k <= kmax; k++) v[k] = 1ULL << (SOBOL_BITS - k);
    return;
  }
  const sobol_dir *d = &SOBOL_DIRS[dim - 1];
  for (int k = 1; k <= kmax && k <= d->s; k++) v[k] = (uint64_t)d->m[k - 1] << (SOBOL_BITS - k);
  for (int k = d->s + 1; k <= kmax; k++) {
    uint64_t x = v[k - d->s] ^ (v[k - d->s] >> d->s);
    for (int i = 1; i < d->s; i++)
      if ((d->a >> (d->s - 1 - i)) & 1) x ^= v[k - i];
    v[k] = x;
  }
}

/* The 52-bit Sobol' integer of `index` (natural order, bits above 52 ignored). */
static uint64_t sobol_int(uint64_t index, int dim) {
  uint64_t v[SOBOL_BITS + 1];
  int kmax = 0;
  index &= (1ULL << SOBOL_BITS) - 1;
  for (uint64_t t = index; t; t >>= 1) kmax++;
  sobol_directions(dim, kmax, v);
  uint64_t x = 0;
  for (int k = 1; k <= kmax; k++)
    if ((index >> (k - 1)) & 1) x ^= v[k];
  return x;
}

/* Point `index` in natural (not Gray-code) order: index 0 is the origin. 0 if dim is out of
 * range. */
double hs_design_sobol(uint64_t index, int dim) {
  if (dim < 0 || dim >= HS_SOBOL_MAX_DIM) return 0.0;
  return (double)sobol_int(index, dim) / TWO_POW_52;
}

/* ---- inverse normal CDF ---------------------------------------------------------------- */

#define NI_P_LOW 0.02425
#define SQRT_2PI 2.50662827463100050242
#define SQRT_HALF 0.70710678118654752440

/* P. J. Acklam's rational approximation of Phi^-1 (relative error 1.15e-9). */
static const double ACK_A[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
static const double ACK_B[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
static const double ACK_C[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
static const double ACK_D[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};

/* Acklam's approximation for p <= 1/2: the tail below NI_P_LOW, else the central part. */
static double acklam_lower(double p) {
  const double *a = ACK_A, *b = ACK_B, *c = ACK_C, *d = ACK_D;
  if (p < NI_P_LOW) {
    double q = sqrt(-2.0 * log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

/* Phi^-1(p) for p <= 1/2: Acklam, then one Halley step on Phi(x) - p. The residual uses
 * erf(x / sqrt 2) / 2 - (p - 1/2) near the centre (p - 1/2 is exact there) and
 * erfc(-x / sqrt 2) / 2 - p in the tail, so it keeps its relative accuracy in both. */
static double norm_inv_lower(double p) {
  double x = acklam_lower(p);
  double e = (p < NI_P_LOW) ? 0.5 * erfc(-x * SQRT_HALF) - p : 0.5 * erf(x * SQRT_HALF) - (p - 0.5);
  if (x * x > 1400.0) return x; /* p < ~1e-304: exp(x^2/2) would overflow; Acklam alone */
  double u = e * SQRT_2PI * exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

/* Upper half by symmetry: 1 - p is exact for p >= 1/2. */
double hs_design_norm_inv(double p) {
  if (isnan(p)) return p;
  if (p <= 0.0) return -INFINITY;
  if (p >= 1.0) return INFINITY;
  return (p <= 0.5) ? norm_inv_lower(p) : -norm_inv_lower(1.0 - p);
}

/* ---- names ------------------------------------------------------------------------------ */

/* The one table of design names, in hs_design_kind order. */
const char *const hs_design_kind_names[] = {"grid",       "lhs",      "sobol",  "random",
                                            "population", "saltelli", "morris", "table",
                                            NULL};
#define N_KINDS ((int)(sizeof hs_design_kind_names / sizeof hs_design_kind_names[0]) - 1)

/* "grid", "lhs", ...; "unknown" outside the enum. */
const char *hs_design_kind_name(hs_design_kind k) {
  return ((int)k >= 0 && (int)k < N_KINDS) ? hs_design_kind_names[k] : "unknown";
}

/* The kind named `name`, or -1. */
int hs_design_kind_parse(const char *name) {
  for (int k = 0; name && k < N_KINDS; k++)
    if (strcmp(name, hs_design_kind_names[k]) == 0) return k;
  return -1;
}

/* "a range", "a list", ... for messages. */
static const char *dist_phrase(hs_dist_kind k) {
  switch (k) {
  case HS_DIST_RANGE: return "a range";
  case HS_DIST_LIST: return "a list";
  case HS_DIST_NORMAL: return "a normal distribution";
  case HS_DIST_LOGNORMAL: return "a lognormal distribution";
  }
  return "an unknown distribution";
}

/* ---- validation ------------------------------------------------------------------------- */

/* The parameter's own numbers: ranges, lists, normal and lognormal shapes. */
static int check_dist(const hs_design_param *p, hs_error *err) {
  switch (p->dist) {
  case HS_DIST_RANGE:
    if (!isfinite(p->lo) || !isfinite(p->hi))
      return hs_error_set(err, HS_EINPUT, "lo %g and hi %g must be finite", p->lo, p->hi);
    if (!(p->lo < p->hi))
      return hs_error_set(err, HS_EINPUT, "lo %g must be below hi %g", p->lo, p->hi);
    if (p->log_scale && !(p->lo > 0))
      return hs_error_set(err, HS_EINPUT, "log scale needs lo > 0, got %g", p->lo);
    return HS_OK;
  case HS_DIST_LIST:
    if (!p->values || p->n_values < 1) return hs_error_set(err, HS_EINPUT, "the list is empty");
    for (int i = 0; i < p->n_values; i++)
      if (!isfinite(p->values[i]))
        return hs_error_set(err, HS_EINPUT, "list value %d is %g", i + 1, p->values[i]);
    return HS_OK;
  case HS_DIST_NORMAL:
    if (!isfinite(p->mean) || !isfinite(p->sd) || p->sd < 0)
      return hs_error_set(err, HS_EINPUT, "normal needs a finite mean and sd >= 0, got %g, %g",
                          p->mean, p->sd);
    return HS_OK;
  case HS_DIST_LOGNORMAL:
    if (!isfinite(p->mean) || !(p->mean > 0))
      return hs_error_set(err, HS_EINPUT, "lognormal needs a median > 0, got %g", p->mean);
    if (!isfinite(p->cv) || p->cv < 0)
      return hs_error_set(err, HS_EINPUT, "cv must be >= 0, got %g", p->cv);
    return HS_OK;
  }
  return hs_error_set(err, HS_EINPUT, "unknown distribution %d", (int)p->dist);
}

/* Whether the design accepts the parameter's distribution. */
static int check_allowed(const hs_design *d, const hs_design_param *p, hs_error *err) {
  if (d->kind == HS_DESIGN_GRID && p->dist != HS_DIST_RANGE && p->dist != HS_DIST_LIST)
    return hs_error_set(err, HS_EINPUT, "design 'grid' takes ranges with n points or lists, not %s",
                        dist_phrase(p->dist));
  if (d->kind == HS_DESIGN_GRID && p->dist == HS_DIST_RANGE && p->n < 1)
    return hs_error_set(err, HS_EINPUT, "a grid range needs n >= 1 points, got %d", p->n);
  if (d->kind == HS_DESIGN_TABLE && (p->dist != HS_DIST_LIST || p->n_values != d->n_runs))
    return hs_error_set(err, HS_EINPUT, "design 'table' takes one value a run (%lld), not %s "
                        "of %d", (long long)d->n_runs, dist_phrase(p->dist), p->n_values);
  if (d->kind == HS_DESIGN_POPULATION && p->dist != HS_DIST_LOGNORMAL)
    return hs_error_set(err, HS_EINPUT,
                        "design 'population' takes lognormal variability (a cv), not %s",
                        dist_phrase(p->dist));
  if (d->kind == HS_DESIGN_MORRIS && p->dist != HS_DIST_RANGE)
    return hs_error_set(err, HS_EINPUT, "design 'morris' takes ranges (from, to), not %s",
                        dist_phrase(p->dist));
  return HS_OK;
}

/* saltelli and morris: n_runs = n_base (d + 2) or n_base (d + 1), at most 2^52 - 1 (the
 * Sobol' points' reach); morris needs two trajectories (sigma) and an even level count. */
static int gsa_size(hs_design *d, hs_error *err) {
  const char *name = hs_design_kind_name(d->kind);
  int64_t per = d->n_params + (d->kind == HS_DESIGN_SALTELLI ? 2 : 1);
  int64_t min = d->kind == HS_DESIGN_MORRIS ? 2 : 1;
  if (d->kind == HS_DESIGN_MORRIS && d->levels == 0) d->levels = HS_MORRIS_LEVELS;
  if (d->kind == HS_DESIGN_MORRIS && (d->levels < 2 || d->levels % 2))
    return hs_error_set(err, HS_EINPUT, "design 'morris' needs an even number of levels >= 2, "
                        "got %d", d->levels);
  if (d->n_base < min)
    return hs_error_set(err, HS_EINPUT, "design '%s' needs at least %lld %s, got %lld", name,
                        (long long)min, d->kind == HS_DESIGN_MORRIS ? "trajectories" : "samples",
                        (long long)d->n_base);
  if (d->n_base > ((((int64_t)1 << 52) - 1) / per))
    return hs_error_set(err, HS_EINPUT, "design '%s': %lld x %lld runs exceed 2^52", name,
                        (long long)d->n_base, (long long)per);
  d->n_runs = d->n_base * per;
  return HS_OK;
}

/* The product of the grid's point counts, refused above 2^53. */
static int grid_size(hs_design *d, hs_error *err) {
  const int64_t max = (int64_t)1 << 53;
  int64_t n = 1;
  for (int j = 0; j < d->n_params; j++) {
    const hs_design_param *p = &d->params[j];
    int64_t c = (p->dist == HS_DIST_LIST) ? p->n_values : p->n;
    if (n > max / c) return hs_error_set(err, HS_EINPUT, "the grid has more than 2^53 runs");
    n *= c;
  }
  d->n_runs = n;
  return HS_OK;
}

/* n_runs of a sampled design: 1 .. 2^53 (sobol: 2^52 - 1, the direction integers' reach). */
static int check_runs(const hs_design *d, hs_error *err) {
  const int64_t max = d->kind == HS_DESIGN_SOBOL ? ((int64_t)1 << 52) - 1 : (int64_t)1 << 53;
  const char *name = hs_design_kind_name(d->kind);
  if (d->n_runs < 1)
    return hs_error_set(err, HS_EINPUT, "design '%s' needs n_runs >= 1, got %lld", name,
                        (long long)d->n_runs);
  if (d->n_runs > max)
    return hs_error_set(err, HS_EINPUT, "design '%s' supports at most %lld runs, got %lld", name,
                        (long long)max, (long long)d->n_runs);
  return HS_OK;
}

/* Symmetric, unit diagonal, finite; then the lower Cholesky factor into l (n x n). */
static int cholesky(const double *c, int n, double *l, hs_error *err) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++)
      if (!isfinite(c[i * n + j]) || fabs(c[i * n + j] - c[j * n + i]) > CORR_TOL ||
          (i == j && fabs(c[i * n + i] - 1.0) > CORR_TOL))
        return hs_error_set(err, HS_EINPUT,
                            "correlation matrix must be symmetric with 1 on the diagonal");
  memset(l, 0, sizeof *l * (size_t)n * (size_t)n);
  for (int j = 0; j < n; j++) {
    double s = c[j * n + j];
    for (int k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > CHOL_MIN_PIVOT))
      return hs_error_set(err, HS_EINPUT, "correlation matrix is not positive definite");
    l[j * n + j] = sqrt(s);
    for (int i = j + 1; i < n; i++) {
      double t = c[i * n + j];
      for (int k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / l[j * n + j];
    }
  }
  return HS_OK;
}

/* The correlation's Cholesky factor into d->chol (owned), or none without a matrix. */
static int init_chol(hs_design *d, hs_error *err) {
  if (!d->corr) return HS_OK;
  if (d->kind != HS_DESIGN_POPULATION)
    return hs_error_set(err, HS_EINPUT, "a correlation matrix needs design 'population', not '%s'",
                        hs_design_kind_name(d->kind));
  size_t n = (size_t)d->n_params;
  d->chol = malloc(sizeof *d->chol * n * n);
  if (!d->chol) return hs_error_set(err, HS_ENOMEM, "out of memory for the correlation factor");
  int rc = cholesky(d->corr, d->n_params, d->chol, err);
  if (rc) {
    free(d->chol);
    d->chol = NULL;
  }
  return rc;
}

/* Validate every parameter, then the size and correlation (see hs_design.h); replaces any
 * factor left by an earlier init. On failure d->chol is NULL. */
int hs_design_init(hs_design *d, hs_error *err) {
  free(d->chol);
  d->chol = NULL;
  if ((int)d->kind < 0 || (int)d->kind >= N_KINDS)
    return hs_error_set(err, HS_EINPUT, "unknown design kind %d", (int)d->kind);
  if ((d->n_params < 1 || !d->params) && d->kind != HS_DESIGN_TABLE)
    return hs_error_set(err, HS_EINPUT, "design '%s' has no parameters",
                        hs_design_kind_name(d->kind));
  if (d->kind == HS_DESIGN_SOBOL && d->n_params > HS_SOBOL_MAX_DIM)
    return hs_error_set(err, HS_EINPUT, "design 'sobol' supports at most %d parameters, got %d",
                        HS_SOBOL_MAX_DIM, d->n_params);
  if (d->kind == HS_DESIGN_SALTELLI && d->n_params > HS_SALTELLI_MAX_PARAMS)
    return hs_error_set(err, HS_EINPUT, "design 'saltelli' supports at most %d parameters "
                        "(a Sobol' sequence of twice the dimension), got %d; screen more with "
                        "design 'morris'", HS_SALTELLI_MAX_PARAMS, d->n_params);
  for (int j = 0; j < d->n_params; j++) {
    const hs_design_param *p = &d->params[j];
    int rc = check_allowed(d, p, err);
    if (!rc) rc = check_dist(p, err);
    if (rc) {
      hs_error_prefix(err, "sweep parameter '%s'", p->path); /* returns OK for err == NULL */
      return rc;
    }
  }
  int gsa = d->kind == HS_DESIGN_SALTELLI || d->kind == HS_DESIGN_MORRIS;
  int rc = (d->kind == HS_DESIGN_GRID) ? grid_size(d, err) : gsa ? gsa_size(d, err)
                                                                 : check_runs(d, err);
  return rc ? rc : init_chol(d, err);
}

/* ---- points ----------------------------------------------------------------------------- */

/* The value at quantile u in (0, 1) of the parameter's distribution. */
static double map_u(const hs_design_param *p, double u) {
  switch (p->dist) {
  case HS_DIST_RANGE:
    if (p->log_scale) return exp(log(p->lo) + (log(p->hi) - log(p->lo)) * u);
    return p->lo + (p->hi - p->lo) * u;
  case HS_DIST_LIST: {
    double k = floor(u * p->n_values);
    return p->values[k < p->n_values - 1 ? (int)k : p->n_values - 1];
  }
  case HS_DIST_NORMAL: return p->mean + p->sd * hs_design_norm_inv(u);
  case HS_DIST_LOGNORMAL:
    return p->mean * exp(sqrt(log1p(p->cv * p->cv)) * hs_design_norm_inv(u));
  }
  return NAN;
}

/* Point k of n on a grid range; both ends exact. */
static double grid_value(const hs_design_param *p, int64_t k) {
  if (p->dist == HS_DIST_LIST) return p->values[k];
  if (k == 0 || p->n == 1) return p->lo;
  if (k == p->n - 1) return p->hi;
  double t = (double)k / (double)(p->n - 1);
  if (p->log_scale) return exp(log(p->lo) + (log(p->hi) - log(p->lo)) * t);
  return p->lo + (p->hi - p->lo) * t;
}

/* Mixed radix, the last parameter varying fastest. */
static void grid_point(const hs_design *d, int64_t run, double *values) {
  for (int j = d->n_params - 1; j >= 0; j--) {
    const hs_design_param *p = &d->params[j];
    int64_t c = (p->dist == HS_DIST_LIST) ? p->n_values : p->n;
    values[j] = grid_value(p, run % c);
    run /= c;
  }
}

/* Stratum permute(run) of n, jittered inside the stratum; never rounds up to the next. */
static double lhs_u(const hs_design *d, int64_t run, int j) {
  uint64_t n = (uint64_t)d->n_runs;
  uint64_t s = hs_design_permute((uint64_t)run, n, d->seed, (uint64_t)j);
  double x = (double)s + hs_design_uniform(d->seed, (uint64_t)run, (uint64_t)j + LHS_JITTER_KEY);
  if (x >= (double)s + 1.0) x = nextafter((double)s + 1.0, 0.0);
  double u = x / (double)n;
  return u < 1.0 ? u : nextafter(1.0, 0.0);
}

/* Sobol' point `run` (the origin included: the shift moves it off 0), digitally shifted:
 * XOR with 52 seed-keyed bits, then the cell's midpoint. The shift keeps every (t,m,s)-net
 * property of the sequence and u stays in the open (0, 1). */
static double sobol_u(const hs_design *d, int64_t run, int j) {
  uint64_t shift = hs_design_hash(d->seed, SOBOL_SHIFT_KEY, (uint64_t)j) >> 12;
  return ((double)(sobol_int((uint64_t)run, j) ^ shift) + 0.5) / TWO_POW_52;
}

/* saltelli: sample i = run / (d + 2); row k = 0 is A, 1 is B, 2 + j is AB_j (hs_design.h).
 * A's parameter j is Sobol' dimension j, B's is dimension d + j, both at index i. */
static void saltelli_point(const hs_design *d, int64_t run, double *values) {
  int n = d->n_params;
  int64_t i = run / (n + 2);
  int k = (int)(run % (n + 2));
  for (int j = 0; j < n; j++) {
    int from_b = k == 1 || k == 2 + j;
    values[j] = map_u(&d->params[j], sobol_u(d, i, from_b ? n + j : j));
  }
}

/* Morris trajectory t, parameter j: the quantile it starts from (a level l / (p - 1) with
 * l < p / 2, moved up by delta when the parameter goes down), its signed move and its
 * place in the order of moves (0 .. d-1). */
static void morris_param(const hs_design *d, int64_t t, int j, double *start, double *du,
                         int *pos) {
  int p = d->levels;
  double delta = (double)p / (2.0 * (p - 1));
  int level = (int)(hs_design_uniform(d->seed, (uint64_t)t, (uint64_t)j) * (p / 2));
  int up = hs_design_uniform(d->seed, (uint64_t)t, MORRIS_DIR_KEY + (uint64_t)j) < 0.5;
  *start = (double)level / (p - 1) + (up ? 0.0 : delta);
  *du = up ? delta : -delta;
  *pos = (int)hs_design_permute((uint64_t)j, (uint64_t)d->n_params,
                                hs_design_hash(d->seed, MORRIS_PERM_KEY, (uint64_t)t), 0);
}

/* Point k of trajectory t: the parameters placed before k have moved. */
static void morris_point(const hs_design *d, int64_t run, double *values) {
  int n = d->n_params;
  int64_t t = run / (n + 1);
  int k = (int)(run % (n + 1));
  for (int j = 0; j < n; j++) {
    double u, du;
    int pos;
    morris_param(d, t, j, &u, &du, &pos);
    if (pos < k) u += du;
    values[j] = map_u(&d->params[j], u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u);
  }
}

void hs_design_morris_step(const hs_design *d, int64_t t, int k, int *param, double *du) {
  *param = -1;
  *du = NAN;
  for (int j = 0; j < d->n_params; j++) {
    double u, step;
    int pos;
    morris_param(d, t, j, &u, &step, &pos);
    if (pos == k - 1) *param = j, *du = step;
  }
}

/* eta = L z with z_j = Phi^-1(u_j), in place from the last row up; then median exp(omega eta). */
static void population_point(const hs_design *d, int64_t run, double *values) {
  int n = d->n_params;
  for (int j = 0; j < n; j++)
    values[j] = hs_design_norm_inv(hs_design_uniform(d->seed, (uint64_t)run, (uint64_t)j));
  for (int i = n - 1; i >= 0; i--) {
    double eta = values[i];
    if (d->chol) {
      eta = 0.0;
      for (int k = 0; k <= i; k++) eta += d->chol[i * n + k] * values[k];
    }
    const hs_design_param *p = &d->params[i];
    values[i] = p->mean * exp(sqrt(log1p(p->cv * p->cv)) * eta);
  }
}

/* The quantile of parameter j in run `run` of an lhs, sobol or random design. */
static double sampled_u(const hs_design *d, int64_t run, int j) {
  if (d->kind == HS_DESIGN_LHS) return lhs_u(d, run, j);
  if (d->kind == HS_DESIGN_SOBOL) return sobol_u(d, run, j);
  return hs_design_uniform(d->seed, (uint64_t)run, (uint64_t)j);
}

/* The values of run `run` (see hs_design.h). */
void hs_design_point(const hs_design *d, int64_t run, double *values) {
  if (d->kind == HS_DESIGN_TABLE) {
    for (int j = 0; j < d->n_params; j++) values[j] = d->params[j].values[run];
    return;
  }
  if (d->kind == HS_DESIGN_GRID) {
    grid_point(d, run, values);
    return;
  }
  if (d->kind == HS_DESIGN_POPULATION) {
    population_point(d, run, values);
    return;
  }
  if (d->kind == HS_DESIGN_SALTELLI || d->kind == HS_DESIGN_MORRIS) {
    (d->kind == HS_DESIGN_SALTELLI ? saltelli_point : morris_point)(d, run, values);
    return;
  }
  for (int j = 0; j < d->n_params; j++) values[j] = map_u(&d->params[j], sampled_u(d, run, j));
}

const char *hs_design_id(const hs_design *d, int64_t run) {
  return d->ids && run >= 0 && run < d->n_runs ? d->ids + (size_t)run * HS_DESIGN_ID_LEN : "";
}

/* Free what the design owns and zero it; accepts a zeroed design. */
void hs_design_release(hs_design *d) {
  if (!d) return;
  for (int j = 0; d->params && j < d->n_params; j++) free(d->params[j].values);
  free(d->params);
  free(d->corr);
  free(d->chol);
  free(d->ids);
  memset(d, 0, sizeof *d);
}
