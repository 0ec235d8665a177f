/* sensitivity.c - Sobol' (Saltelli 2010 first order, Jansen total) and Morris indices from
 * a saltelli or morris design's outputs, with seeded bootstrap intervals (hs_sensitivity.h). */
#include "hs_sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_KEY 0xB0075ULL /* hs_design_uniform(seed ^ BOOT_KEY, replicate, draw) */
#define VAR_MIN 1e-24       /* a variance below (1e-12 mean)^2 is rounding: no indices */

double hs_sens_quantile(const double *sorted, size_t n, double p) {
  if (n == 0) return NAN;
  double h = p * (double)(n - 1);
  size_t k = (size_t)floor(h);
  if (k + 1 >= n) return sorted[n - 1];
  return sorted[k] + (h - (double)k) * (sorted[k + 1] - sorted[k]);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The interval of the n replicates v (NaN left out; v is sorted in place). */
static void interval(double *v, int n, double level, double *lo, double *hi) {
  int m = 0;
  for (int b = 0; b < n; b++)
    if (!isnan(v[b])) v[m++] = v[b];
  qsort(v, (size_t)m, sizeof *v, cmp_double);
  *lo = hs_sens_quantile(v, (size_t)m, 0.5 * (1.0 - level));
  *hi = hs_sens_quantile(v, (size_t)m, 0.5 * (1.0 + level));
}

/* The rows (of `width` values) of y without NaN: their indices into keep; their count. */
static int64_t complete_rows(const double *y, int64_t n, int width, int64_t *keep) {
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++) {
    int ok = 1;
    for (int k = 0; k < width; k++) ok &= !isnan(y[i * width + k]);
    if (ok) keep[m++] = i;
  }
  return m;
}

/* Bootstrap replicate b: draw m of the m kept rows with replacement into idx. */
static void resample(const int64_t *keep, int64_t m, uint64_t seed, int b, int64_t *idx) {
  for (int64_t i = 0; i < m; i++) {
    double u = hs_design_uniform(seed ^ BOOT_KEY, (uint64_t)b, (uint64_t)i);
    int64_t k = (int64_t)(u * (double)m);
    idx[i] = keep[k < m ? k : m - 1];
  }
}

/* S1 and ST of every parameter over the samples idx[0..m) (repeats allowed); the variance. */
static double sobol_once(const double *y, int d, const int64_t *idx, int64_t m, double *s1,
                         double *st) {
  const int w = d + 2;
  double mean = 0.0, var = 0.0;
  for (int64_t i = 0; i < m; i++) mean += y[idx[i] * w] + y[idx[i] * w + 1];
  mean /= (double)(2 * m);
  for (int64_t i = 0; i < m; i++) {
    double a = y[idx[i] * w] - mean, b = y[idx[i] * w + 1] - mean;
    var += a * a + b * b;
  }
  var /= (double)(2 * m);
  for (int j = 0; j < d; j++) {
    double v1 = 0.0, vt = 0.0;
    for (int64_t i = 0; i < m; i++) {
      const double *r = y + idx[i] * w;
      v1 += (r[1] - mean) * (r[2 + j] - r[0]); /* f(B) centred: same mean, less noise */
      vt += (r[0] - r[2 + j]) * (r[0] - r[2 + j]);
    }
    s1[j] = var > VAR_MIN * mean * mean ? v1 / (double)m / var : NAN;
    st[j] = var > VAR_MIN * mean * mean ? 0.5 * vt / (double)m / var : NAN;
  }
  return var;
}

int hs_sens_sobol(const double *y, int64_t n, int d, const hs_sens_opts *o, hs_sobol_index *out,
                  double *var, int64_t *n_used, hs_error *err) {
  if (n < 1 || d < 1)
    return hs_error_set(err, HS_EINPUT, "Sobol' indices need samples and parameters, got %lld "
                        "and %d", (long long)n, d);
  int nb = o->n_boot > 0 ? o->n_boot : 0;
  int64_t *keep = malloc(sizeof *keep * (size_t)n * 2);
  double *s1 = malloc(sizeof *s1 * (size_t)d * (size_t)(2 * nb + 4));
  if (!keep || !s1) {
    free(keep), free(s1);
    return hs_error_set(err, HS_ENOMEM, "out of memory for Sobol' indices (%lld samples)",
                        (long long)n);
  }
  /* s1, st: the estimates; rs1, rst: one replicate's; bs1[j nb + b], bst: all replicates */
  double *st = s1 + d, *rs1 = st + d, *rst = rs1 + d, *bs1 = rst + d, *bst = bs1 + (size_t)d * nb;
  int64_t m = complete_rows(y, n, d + 2, keep), *idx = keep + n;
  *n_used = m;
  *var = m >= 2 ? sobol_once(y, d, keep, m, s1, st) : NAN;
  for (int b = 0; m >= 2 && b < nb; b++) {
    resample(keep, m, o->seed, b, idx);
    sobol_once(y, d, idx, m, rs1, rst);
    for (int j = 0; j < d; j++) bs1[(size_t)j * nb + b] = rs1[j], bst[(size_t)j * nb + b] = rst[j];
  }
  for (int j = 0; j < d; j++) {
    hs_sobol_index *r = &out[j];
    r->s1 = m >= 2 ? s1[j] : NAN;
    r->st = m >= 2 ? st[j] : NAN;
    r->s1_lo = r->s1_hi = r->st_lo = r->st_hi = NAN;
    if (m < 2 || nb == 0) continue;
    interval(bs1 + (size_t)j * nb, nb, o->level, &r->s1_lo, &r->s1_hi);
    interval(bst + (size_t)j * nb, nb, o->level, &r->st_lo, &r->st_hi);
  }
  free(s1);
  free(keep);
  return HS_OK;
}

/* ---- Morris ------------------------------------------------------------------------------ */

/* Mean of |ee| over the trajectories idx[0..m) for parameter j (ee: r x d). */
static double mean_abs(const double *ee, int d, int j, const int64_t *idx, int64_t m) {
  double s = 0.0;
  for (int64_t i = 0; i < m; i++) s += fabs(ee[idx[i] * d + j]);
  return s / (double)m;
}

/* The elementary effects ee[t d + j] of every trajectory t; NaN in a dropped one. */
static void effects(const hs_design *dz, const double *y, double *ee) {
  int d = dz->n_params;
  for (int64_t t = 0; t < dz->n_base; t++)
    for (int k = 1; k <= d; k++) {
      int j;
      double du;
      hs_design_morris_step(dz, t, k, &j, &du);
      const double *r = y + t * (d + 1);
      if (j >= 0) ee[t * d + j] = (r[k] - r[k - 1]) / du;
    }
}

int hs_sens_morris(const hs_design *dz, const double *y, const hs_sens_opts *o,
                   hs_morris_index *out, int64_t *n_used, hs_error *err) {
  if (dz->kind != HS_DESIGN_MORRIS || dz->n_params < 1 || dz->n_base < 1)
    return hs_error_set(err, HS_EINPUT, "Morris indices need an initialised morris design");
  int d = dz->n_params, nb = o->n_boot > 0 ? o->n_boot : 0;
  int64_t r = dz->n_base;
  int64_t *keep = malloc(sizeof *keep * (size_t)r * 2);
  double *ee = malloc(sizeof *ee * ((size_t)r * d + (size_t)d * nb));
  if (!keep || !ee) {
    free(keep), free(ee);
    return hs_error_set(err, HS_ENOMEM, "out of memory for Morris indices (%lld trajectories)",
                        (long long)r);
  }
  int64_t m = complete_rows(y, r, d + 1, keep), *idx = keep + r;
  double *boot = ee + (size_t)r * d; /* boot[j nb + b] */
  *n_used = m;
  effects(dz, y, ee);
  for (int b = 0; m >= 2 && b < nb; b++) {
    resample(keep, m, o->seed, b, idx);
    for (int j = 0; j < d; j++) boot[(size_t)j * nb + b] = mean_abs(ee, d, j, idx, m);
  }
  for (int j = 0; j < d; j++) {
    hs_morris_index *x = &out[j];
    double s = 0.0, ss = 0.0;
    for (int64_t i = 0; i < m; i++) s += ee[keep[i] * d + j];
    x->mu = m ? s / (double)m : NAN;
    for (int64_t i = 0; i < m; i++) ss += pow(ee[keep[i] * d + j] - x->mu, 2);
    x->sigma = m >= 2 ? sqrt(ss / (double)(m - 1)) : NAN;
    x->mu_star = m ? mean_abs(ee, d, j, keep, m) : NAN;
    x->mu_star_lo = x->mu_star_hi = NAN;
    if (m >= 2 && nb) interval(boot + (size_t)j * nb, nb, o->level, &x->mu_star_lo, &x->mu_star_hi);
  }
  free(ee);
  free(keep);
  return HS_OK;
}
