/* check_sensitivity.c - the saltelli and morris designs (hs_design.h) and the estimators of
 * hs_sensitivity.h on functions with known indices: Ishigami, Sobol' G, a linear model
 * derived by hand, and a Morris screening case with a known ranking and a zero effect; the
 * command `hepatosim sensitivity` interrupted and resumed (the rest of the command is
 * tested end to end by tests/check_sens_py.py). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_design.h"
#include "hs_sensitivity.h"
#include "hs_test.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A design of n linear ranges [lo[j], hi[j]] named "x1", "x2", ...; initialised. */
static void make(hs_design *d, hs_design_kind kind, int n, int64_t n_base, const double *lo,
                 const double *hi) {
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->seed = 2385;
  d->n_base = n_base;
  d->n_params = n;
  d->params = calloc((size_t)n, sizeof *d->params);
  ck_assert_ptr_nonnull(d->params);
  for (int j = 0; j < n; j++) {
    snprintf(d->params[j].path, sizeof d->params[j].path, "x%d", j + 1);
    d->params[j].dist = HS_DIST_RANGE;
    d->params[j].lo = lo[j];
    d->params[j].hi = hi[j];
  }
  hs_error err = {0};
  int rc = hs_design_init(d, &err);
  ck_assert_msg(rc == HS_OK, "hs_design_init: %s", err.msg);
}

typedef double (*model_fn)(const double *x, const void *arg);

/* f at every run of the design, in run order (caller frees). */
static double *outputs(const hs_design *d, model_fn f, const void *arg) {
  double *y = malloc(sizeof *y * (size_t)d->n_runs), x[32];
  ck_assert_ptr_nonnull(y);
  for (int64_t r = 0; r < d->n_runs; r++) {
    hs_design_point(d, r, x);
    y[r] = f(x, arg);
  }
  return y;
}

static const hs_sens_opts OPTS = {HS_SENS_BOOTSTRAP, HS_SENS_LEVEL, 17};

static void sobol(const hs_design *d, const double *y, hs_sobol_index *out) {
  hs_error err = {0};
  double var;
  int64_t used;
  ck_assert_int_eq(hs_sens_sobol(y, d->n_base, d->n_params, &OPTS, out, &var, &used, &err), HS_OK);
  ck_assert_int_eq(used, d->n_base);
}

/* The estimate within tol of the truth, inside its own interval. */
static void near(const char *what, int j, double got, double lo, double hi, double want,
                 double tol) {
  ck_assert_msg(fabs(got - want) <= tol, "%s%d = %.5f, want %.4f +- %.3f", what, j + 1, got, want,
                tol);
  ck_assert_msg(lo <= got && got <= hi, "%s%d = %.5f outside its interval [%.5f, %.5f]", what,
                j + 1, got, lo, hi);
}

/* Sobol' indices of f over n parameters with N samples of a saltelli design on [lo, hi];
 * each within tol of s1[j], st[j] and inside its own interval. */
static void sobol_of(model_fn f, int n, int64_t N, const double *lo, const double *hi,
                     const double *s1, const double *st, double tol, hs_sobol_index *out) {
  hs_design d;
  make(&d, HS_DESIGN_SALTELLI, n, N, lo, hi);
  double *y = outputs(&d, f, NULL);
  sobol(&d, y, out);
  for (int j = 0; j < n; j++) {
    near("S", j, out[j].s1, out[j].s1_lo, out[j].s1_hi, s1[j], tol);
    near("ST", j, out[j].st, out[j].st_lo, out[j].st_hi, st[j], tol);
  }
  free(y);
  hs_design_release(&d);
}

/* ---- designs ------------------------------------------------------------------------------ */

START_TEST(test_names) {
  ck_assert_str_eq(hs_design_kind_name(HS_DESIGN_SALTELLI), "saltelli");
  ck_assert_str_eq(hs_design_kind_name(HS_DESIGN_MORRIS), "morris");
  ck_assert_int_eq(hs_design_kind_parse("saltelli"), HS_DESIGN_SALTELLI);
  ck_assert_int_eq(hs_design_kind_parse("morris"), HS_DESIGN_MORRIS);
}
END_TEST

/* A, B and AB_j of each sample: AB_j is A with x_j from B; runs = N (d + 2). */
START_TEST(test_saltelli_layout) {
  const double lo[3] = {-1.5, 2.385, 0}, hi[3] = {1.5, 7.0, 1e-3};
  hs_design d;
  make(&d, HS_DESIGN_SALTELLI, 3, 37, lo, hi);
  ck_assert_int_eq(d.n_runs, 37 * 5);
  for (int64_t i = 0; i < 37; i++) {
    double a[3], b[3], ab[3];
    hs_design_point(&d, i * 5, a);
    hs_design_point(&d, i * 5 + 1, b);
    for (int j = 0; j < 3; j++) {
      ck_assert(a[j] > lo[j] && a[j] < hi[j] && b[j] > lo[j] && b[j] < hi[j]);
      ck_assert(a[j] != b[j]);
      hs_design_point(&d, i * 5 + 2 + j, ab);
      for (int k = 0; k < 3; k++) ck_assert(ab[k] == (k == j ? b[k] : a[k]));
    }
  }
  hs_design_release(&d);
}
END_TEST

/* Each step of a trajectory moves the one parameter hs_design_morris_step names, by
 * +-delta (2/3 of its range with 4 levels), and every parameter moves once; all points lie
 * on the 4-level grid. */
START_TEST(test_morris_layout) {
  const double lo[4] = {0, 10, -2, 1}, hi[4] = {1, 40, 2, 2.385};
  hs_design d;
  make(&d, HS_DESIGN_MORRIS, 4, 25, lo, hi);
  ck_assert_int_eq(d.n_runs, 25 * 5);
  ck_assert_int_eq(d.levels, HS_MORRIS_LEVELS);
  int up = 0, down = 0;
  for (int64_t t = 0; t < 25; t++) {
    int moved[4] = {0};
    double prev[4], x[4];
    hs_design_point(&d, t * 5, prev);
    for (int k = 1; k <= 4; k++) {
      int j;
      double du;
      hs_design_point(&d, t * 5 + k, x);
      hs_design_morris_step(&d, t, k, &j, &du);
      ck_assert(j >= 0 && j < 4);
      ck_assert_double_eq_tol(fabs(du), 2.0 / 3.0, 1e-15);
      moved[j]++;
      up += du > 0, down += du < 0;
      for (int i = 0; i < 4; i++) {
        double u = (x[i] - lo[i]) / (hi[i] - lo[i]);
        ck_assert_double_eq_tol(u * 3, round(u * 3), 1e-12);
        if (i == j) ck_assert_double_eq_tol(x[i] - prev[i], du * (hi[i] - lo[i]), 1e-12);
        else ck_assert(x[i] == prev[i]);
      }
      memcpy(prev, x, sizeof x);
    }
    for (int j = 0; j < 4; j++) ck_assert_int_eq(moved[j], 1);
  }
  ck_assert(up > 20 && down > 20); /* 100 moves, both directions drawn */
  hs_design_release(&d);
}
END_TEST

/* Every new error: one message each. */
START_TEST(test_design_errors) {
  const double lo[11] = {0}, hi[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  hs_design d;
  hs_error err = {0};
  make(&d, HS_DESIGN_SALTELLI, 10, 4, lo, hi);
  hs_design_release(&d);
  struct {
    hs_design_kind kind;
    int n;
    int64_t base;
    int levels, list;
    const char *msg;
  } bad[] = {
      {HS_DESIGN_SALTELLI, 11, 4, 0, 0, "design 'saltelli' supports at most 10 parameters "
       "(a Sobol' sequence of twice the dimension), got 11; screen more with design 'morris'"},
      {HS_DESIGN_SALTELLI, 2, 0, 0, 0, "design 'saltelli' needs at least 1 samples, got 0"},
      {HS_DESIGN_MORRIS, 2, 1, 0, 0, "design 'morris' needs at least 2 trajectories, got 1"},
      {HS_DESIGN_MORRIS, 2, 4, 5, 0, "design 'morris' needs an even number of levels >= 2, got 5"},
      {HS_DESIGN_MORRIS, 2, 4, 0, 1, "sweep parameter 'x1': design 'morris' takes ranges (from, "
       "to), not a list"},
      {HS_DESIGN_SALTELLI, 2, (int64_t)1 << 51, 0, 0, "design 'saltelli': 2251799813685248 x 4 "
       "runs exceed 2^52"},
  };
  for (int i = 0; i < NCASES(bad); i++) {
    memset(&d, 0, sizeof d);
    d.kind = bad[i].kind;
    d.n_params = bad[i].n;
    d.n_base = bad[i].base;
    d.levels = bad[i].levels;
    d.params = calloc((size_t)bad[i].n, sizeof *d.params);
    for (int j = 0; j < bad[i].n; j++) {
      snprintf(d.params[j].path, sizeof d.params[j].path, "x%d", j + 1);
      d.params[j].hi = 1;
    }
    if (bad[i].list) {
      d.params[0].dist = HS_DIST_LIST;
      d.params[0].n_values = 1;
      d.params[0].values = calloc(1, sizeof(double));
    }
    ck_assert_int_eq(hs_design_init(&d, &err), HS_EINPUT);
    ck_assert_str_eq(err.msg, bad[i].msg);
    hs_design_release(&d);
  }
}
END_TEST

/* ---- Sobol' indices on known functions ------------------------------------------------- */

/* Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3. V = a^2/8 + b pi^4/5 +
 * b^2 pi^8/18 + 1/2; S1 = 0.3139, S2 = 0.4424, S3 = 0, ST1 = 0.5576, ST2 = 0.4424,
 * ST3 = 0.2437 (Saltelli et al., Global Sensitivity Analysis: The Primer, 2008, sec. 4.8;
 * the reference values of SALib's tests). */
static double ishigami(const double *x, const void *arg) {
  (void)arg;
  return sin(x[0]) + 7.0 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

/* N = 2^13 Sobol' samples (40960 runs). The bootstrap half-widths are 0.03 (S1) and 0.005
 * to 0.03 (ST) at this N (they treat the samples as independent, so they overstate a
 * quasi-random design's error: the estimates come within 0.002 of the truth). Tolerance
 * 0.02, below one half-width; every estimate must lie inside its own interval, and the
 * intervals must be that narrow (width < 0.08). S3 = 0 although ST3 is not: x3 acts only
 * through its interaction with x1. */
START_TEST(test_ishigami) {
  const double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI};
  const double s1[3] = {0.3139, 0.4424, 0.0}, st[3] = {0.5576, 0.4424, 0.2437};
  hs_sobol_index out[3];
  sobol_of(ishigami, 3, 1 << 13, lo, hi, s1, st, 0.02, out);
  for (int j = 0; j < 3; j++) {
    ck_assert(out[j].s1_hi - out[j].s1_lo < 0.08 && out[j].st_hi - out[j].st_lo < 0.08);
    printf("ishigami x%d: S1 %.4f [%.4f, %.4f] ST %.4f [%.4f, %.4f]\n", j + 1, out[j].s1,
           out[j].s1_lo, out[j].s1_hi, out[j].st, out[j].st_lo, out[j].st_hi);
  }
  ck_assert(out[0].st > out[1].st && out[1].st > out[2].st); /* ranking by total */
}
END_TEST

/* Sobol's G function prod (|4 x_i - 2| + a_i) / (1 + a_i) on [0, 1]^6 with
 * a = (0, 1, 4.5, 9, 99, 99): V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1,
 * S_i = V_i / V, ST_i = V_i prod_{k != i} (1 + V_k) / V (Saltelli et al. 2010, sec. 4). */
static const double G_A[6] = {0, 1, 4.5, 9, 99, 99};

static double g_function(const double *x, const void *arg) {
  (void)arg;
  double p = 1.0;
  for (int i = 0; i < 6; i++) p *= (fabs(4.0 * x[i] - 2.0) + G_A[i]) / (1.0 + G_A[i]);
  return p;
}

/* N = 2^12 (32768 runs): intervals of about +-0.03 for x1; tolerance 0.03. The negligible
 * x5 and x6 (S = 3e-5) must come out below 0.005 in both indices. */
START_TEST(test_g_function) {
  const double lo[6] = {0}, hi[6] = {1, 1, 1, 1, 1, 1};
  double vi[6], v = 1.0, s1[6], st[6];
  for (int i = 0; i < 6; i++) vi[i] = 1.0 / (3.0 * (1 + G_A[i]) * (1 + G_A[i])), v *= 1 + vi[i];
  v -= 1.0;
  for (int j = 0; j < 6; j++) {
    s1[j] = st[j] = vi[j] / v;
    for (int k = 0; k < 6; k++) st[j] *= k == j ? 1.0 : 1.0 + vi[k];
  }
  hs_sobol_index out[6];
  sobol_of(g_function, 6, 1 << 12, lo, hi, s1, st, 0.03, out);
  for (int j = 4; j < 6; j++) ck_assert(fabs(out[j].s1) < 0.005 && out[j].st < 0.005);
}
END_TEST

/* Y = sum c_i X_i, X_i uniform on [lo_i, hi_i]: var_i = (hi_i - lo_i)^2 / 12 and, without
 * interactions, S_i = ST_i = c_i^2 var_i / sum_k c_k^2 var_k. With c = (2.385, -1, 0.5)
 * and widths (1, 3, 0.2): c^2 w^2 = 5.688225, 9, 0.01; sum 14.698225, so S = 0.387000,
 * 0.612320, 0.000680 (the 1/12 cancels). Jansen's total is exact for an additive model up
 * to the sample's variance; tolerance 0.01 at N = 2^12. */
static double linear(const double *x, const void *arg) {
  (void)arg;
  return 2.385 * x[0] - x[1] + 0.5 * x[2] + 10.0;
}

START_TEST(test_linear) {
  const double lo[3] = {1, -2, 5}, hi[3] = {2, 1, 5.2};
  const double want[3] = {5.688225 / 14.698225, 9.0 / 14.698225, 0.01 / 14.698225};
  hs_sobol_index out[3];
  sobol_of(linear, 3, 1 << 12, lo, hi, want, want, 0.01, out);
}
END_TEST

/* Failed runs (NaN) drop their sample; the same seed gives the same intervals, another
 * seed other ones; a constant output has no indices (NaN). */
START_TEST(test_sobol_nan_and_seed) {
  const double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI};
  hs_design d;
  make(&d, HS_DESIGN_SALTELLI, 3, 512, lo, hi);
  double *y = outputs(&d, ishigami, NULL);
  hs_sobol_index a[3], b[3], c[3];
  hs_error err = {0};
  double var;
  int64_t used;
  hs_sens_opts o = OPTS;
  y[7 * 5 + 3] = NAN; /* sample 7's AB_2 */
  y[100 * 5] = NAN;   /* sample 100's A */
  ck_assert_int_eq(hs_sens_sobol(y, 512, 3, &o, a, &var, &used, &err), HS_OK);
  ck_assert_int_eq(used, 510);
  ck_assert(isfinite(a[0].s1) && isfinite(var) && var > 10);
  ck_assert_int_eq(hs_sens_sobol(y, 512, 3, &o, b, &var, &used, &err), HS_OK);
  ck_assert(memcmp(a, b, sizeof a) == 0);
  o.seed = 18;
  ck_assert_int_eq(hs_sens_sobol(y, 512, 3, &o, c, &var, &used, &err), HS_OK);
  ck_assert(a[0].s1 == c[0].s1 && a[0].s1_lo != c[0].s1_lo);
  for (int64_t r = 0; r < d.n_runs; r++) y[r] = 2.385;
  ck_assert_int_eq(hs_sens_sobol(y, 512, 3, &o, a, &var, &used, &err), HS_OK);
  ck_assert(var < 1e-20 && isnan(a[1].s1) && isnan(a[1].st_hi));
  ck_assert_int_eq(hs_sens_sobol(y, 0, 3, &o, a, &var, &used, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "Sobol' indices need samples and parameters, got 0 and 3");
  free(y);
  hs_design_release(&d);
}
END_TEST

/* ---- Morris ------------------------------------------------------------------------------ */

/* Y = 10 x1 + 3 x2^2 + 0 x3 + x1 x4 on x1 in [2, 4], x2 in [0, 1], x3 in [-5, 5], x4 in
 * [0, 0.1]. In quantile units (each range is 1) the effect of x1 is (10 + x4) * 2: mu* is
 * between 20 and 20.2; of x2, 3 ((u + delta)^2 - u^2) / delta = 3 (2u + delta), one of
 * 3 (2/3), 3 (4/3), 3 (2/3 + 2 (1/3)) ...: between 2 and 6; of x3 exactly 0 (mu*, sigma);
 * of x4, x1 * 0.1 between 0.2 and 0.4. Ranking x1 > x2 > x4 > x3. */
static double screening(const double *x, const void *arg) {
  (void)arg;
  return 10.0 * x[0] + 3.0 * x[1] * x[1] + 0.0 * x[2] + x[0] * x[3];
}

START_TEST(test_morris) {
  const double lo[4] = {2, 0, -5, 0}, hi[4] = {4, 1, 5, 0.1};
  hs_design d;
  make(&d, HS_DESIGN_MORRIS, 4, 40, lo, hi);
  double *y = outputs(&d, screening, NULL);
  hs_morris_index m[4];
  hs_error err = {0};
  int64_t used;
  ck_assert_int_eq(hs_sens_morris(&d, y, &OPTS, m, &used, &err), HS_OK);
  ck_assert_int_eq(used, 40);
  ck_assert(m[0].mu_star >= 20.0 - 1e-9 && m[0].mu_star <= 20.2 + 1e-9);
  ck_assert_double_eq_tol(m[0].mu, m[0].mu_star, 1e-9); /* monotone: all effects positive */
  ck_assert(m[0].sigma < 0.1);
  ck_assert(m[1].mu_star >= 2.0 - 1e-9 && m[1].mu_star <= 6.0 + 1e-9 && m[1].sigma > 0.5);
  ck_assert(m[2].mu_star == 0.0 && m[2].sigma == 0.0 && m[2].mu_star_hi == 0.0);
  ck_assert(m[3].mu_star >= 0.2 - 1e-9 && m[3].mu_star <= 0.4 + 1e-9);
  ck_assert(m[0].mu_star > m[1].mu_star && m[1].mu_star > m[3].mu_star &&
            m[3].mu_star > m[2].mu_star);
  for (int j = 0; j < 4; j++)
    ck_assert(m[j].mu_star_lo <= m[j].mu_star && m[j].mu_star <= m[j].mu_star_hi);
  y[3 * 5 + 2] = NAN; /* one failed run drops trajectory 3 */
  ck_assert_int_eq(hs_sens_morris(&d, y, &OPTS, m, &used, &err), HS_OK);
  ck_assert_int_eq(used, 39);
  d.kind = HS_DESIGN_SALTELLI;
  ck_assert_int_eq(hs_sens_morris(&d, y, &OPTS, m, &used, &err), HS_EINPUT);
  d.kind = HS_DESIGN_MORRIS;
  free(y);
  hs_design_release(&d);
}
END_TEST

START_TEST(test_quantile) {
  const double v[5] = {1, 2, 4, 8, 16};
  ck_assert_double_eq(hs_sens_quantile(v, 5, 0.0), 1);
  ck_assert_double_eq(hs_sens_quantile(v, 5, 0.25), 2);
  ck_assert_double_eq(hs_sens_quantile(v, 5, 0.375), 3); /* h = 1.5: halfway 2 .. 4 */
  ck_assert_double_eq(hs_sens_quantile(v, 5, 1.0), 16);
  ck_assert(isnan(hs_sens_quantile(v, 0, 0.5)));
}
END_TEST

/* ---- the command: interrupted and resumed ---------------------------------------------- */

/* fixtures/sweep/sens_sobol.yaml with N = 2048 (10240 runs) into the test folder. */
static const char *long_scenario(void) {
  const char *text = hs_test_slurp("fixtures/sweep/sens_sobol.yaml");
  const char *at = strstr(text, "runs: 64\n");
  ck_assert_ptr_nonnull(at);
  const char *path = hs_test_path("long.yaml");
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "%.*sruns: 2048\n%s", (int)(at - text), text, at + strlen("runs: 64\n"));
  fclose(f);
  return path;
}

/* SIGTERM while the runs are computed: exit 143, the runs' .partial kept and no result;
 * --resume (another thread count) finishes them, and runs and indices equal an
 * uninterrupted analysis's. */
START_TEST(test_interrupt_and_resume) {
  hs_test_mkdir();
  const char *scen = long_scenario(), *ref = hs_test_path("ref.h5"), *out = hs_test_path("out.h5");
  const char *log = hs_test_path("log.txt");
  ck_assert_int_eq(hs_test_run((const char *[]){"sensitivity", scen, "-o", ref, "-j", "2",
                                                "--metrics", "auc_plasma", "--quiet", NULL},
                               0, 0, NULL), 0);
  int st = hs_test_run((const char *[]){"sensitivity", scen, "-o", out, "-j", "2", "--metrics",
                                        "auc_plasma", NULL}, 400, SIGTERM, log);
  ck_assert_int_eq(st, 128 + SIGTERM);
  ck_assert(hs_test_exists(hs_test_path("out_runs.h5.partial")) && !hs_test_exists(out));
  ck_assert_msg(strstr(hs_test_slurp(log), "--resume"), "no resume hint: %s", hs_test_slurp(log));
  double done = hs_test_attr_i64(hs_test_path("out_runs.h5.partial"), "runs_done");
  ck_assert_msg(done < 10240, "the runs were not interrupted (%g done)", done);
  ck_assert_int_eq(hs_test_run((const char *[]){"sensitivity", scen, "-o", out, "-j", "1",
                                                "--metrics", "auc_plasma", "--resume", "--quiet",
                                                NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(hs_test_path("ref_runs.h5"), hs_test_path("out_runs.h5"));
  hs_test_assert_same_datasets(ref, out);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_sensitivity(void) {
  Suite *s = suite_create("sensitivity");
  TCase *tc = tcase_create("designs");
  tcase_add_test(tc, test_names);
  tcase_add_test(tc, test_saltelli_layout);
  tcase_add_test(tc, test_morris_layout);
  tcase_add_test(tc, test_design_errors);
  suite_add_tcase(s, tc);
  tc = tcase_create("estimators");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_ishigami);
  tcase_add_test(tc, test_g_function);
  tcase_add_test(tc, test_linear);
  tcase_add_test(tc, test_sobol_nan_and_seed);
  tcase_add_test(tc, test_morris);
  tcase_add_test(tc, test_quantile);
  suite_add_tcase(s, tc);
  tc = tcase_create("command");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_interrupt_and_resume);
  suite_add_tcase(s, tc);
  return s;
}
