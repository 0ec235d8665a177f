/* check_exact.c - the exact solution of linear drugs (simulation.solver: auto | exact):
 * the matrix exponential against known exponentials, exact against CVODE at rtol 1e-12 on
 * every scenario and regimen file, mass balance, and the fall-backs (model.md's identities
 * solved exactly: tests/check_solver.c test_identities_1_to_4) (saturable drugs, time-varying segments). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expm.h"
#include "hs_output.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"
#include "hs_test.h"

static void expect_expm(const double *a, const double *want, int n, double tol) {
  double e[16], work[HS_EXPM_WORK(4)];
  int piv[4];
  ck_assert_int_eq(hs__expm(a, n, e, work, piv), 0);
  for (int i = 0; i < n * n; i++)
    ck_assert_msg(fabs(e[i] - want[i]) <= tol * fmax(1.0, fabs(want[i])),
                  "exp entry %d: %.17g, want %.17g", i, e[i], want[i]);
}

/* Known exponentials: diagonal, rotation, a Jordan block, a large-norm non-normal matrix
 * (Moler and Van Loan 1978, doi:10.1137/1020098: eigenvalues -1 and -17), zero. */
START_TEST(test_expm_known) {
  const double d[4] = {-3, 0, 0, 0.5}, dw[4] = {exp(-3.0), 0, 0, exp(0.5)};
  expect_expm(d, dw, 2, 1e-14);
  const double w = 7.3, r[4] = {0, -w, w, 0}, rw[4] = {cos(w), -sin(w), sin(w), cos(w)};
  expect_expm(r, rw, 2, 1e-13);
  const double j[4] = {-50, 1, 0, -50}, jw[4] = {exp(-50.0), exp(-50.0), 0, exp(-50.0)};
  expect_expm(j, jw, 2, 1e-13);
  /* A = V diag(-1, -17) V^-1 with V = [[1, 3], [2, 4]] */
  const double mv[4] = {-49, 24, -64, 31}, e1 = exp(-1.0), e17 = exp(-17.0);
  const double mw[4] = {-2 * e1 + 3 * e17, 1.5 * e1 - 1.5 * e17, -4 * e1 + 4 * e17,
                        3 * e1 - 2 * e17};
  expect_expm(mv, mw, 2, 1e-13);
  const double z[9] = {0}, id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  expect_expm(z, id, 3, 0);
  const double bad[1] = {NAN};
  double e[1], work[HS_EXPM_WORK(1)];
  int piv[1];
  ck_assert_int_eq(hs__expm(bad, 1, e, work, piv), -1);
}
END_TEST

/* The propagator [E G] of h [[A, B], [0, 0]] taken directly (all states, hs__expm). */
static void direct_props(const double *a, const double *b, int n, int m, double h, double *p) {
  const int k = n + m;
  double aug[64] = {0}, e[64], work[HS_EXPM_WORK(8)];
  int piv[8];
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) aug[i * k + j] = h * a[i * n + j];
    for (int q = 0; q < m; q++) aug[i * k + n + q] = h * b[i * m + q];
  }
  ck_assert_int_eq(hs__expm(aug, k, e, work, piv), 0);
  for (int i = 0; i < n; i++) memcpy(p + i * k, e + i * k, sizeof(double) * (size_t)k);
}

/* The cache's propagators against direct exponentials: a state that takes no part (zero
 * row and column: it keeps its value) is left out of the exponential, and a step N times
 * a cached one (N = 336, a 14-day segment on an hourly grid; N = 3) is that propagator
 * to the N-th power, both to 1e-10 (the two roundings differ at 1e-12). Stiff: rates
 * from 0.01 to 500 /h; the slow one is far from its steady state at 336 h. */
START_TEST(test_props_power_live) {
  enum { N = 5, M = 2 };
  const double a[N * N] = {-500, 0, 40, 0, 0.013, /* blood */
                           450, -50, 0, 0, 0,   /* liver, eliminating */
                           50, 0, -41, 0, 0,    /* rest */
                           0, 0, 0, 0, 0,       /* a state without inputs or outputs */
                           0, 0, 1, 0, -0.013}; /* slow tissue: half-life 53 h */
  const double b[N * M] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  hs__props *c = hs__props_create();
  ck_assert_ptr_nonnull(c);
  const double steps[4] = {1.0, 336.0, 0.25, 0.75};
  for (int t = 0; t < 4; t++) {
    const double *p = hs__props_get(c, a, b, N, M, steps[t]);
    ck_assert_ptr_nonnull(p);
    double want[N * (N + M)];
    direct_props(a, b, N, M, steps[t], want);
    for (int i = 0; i < N * (N + M); i++)
      ck_assert_msg(fabs(p[i] - want[i]) <= 1e-10 * fmax(1e-3, fabs(want[i])),
                    "h %g entry %d: %.17g, direct %.17g", steps[t], i, p[i], want[i]);
    for (int j = 0; j < N + M; j++) /* the idle state keeps its value exactly */
      ck_assert(p[3 * (N + M) + j] == (j == 3 ? 1.0 : 0.0));
  }
  hs__props_free(c);
}
END_TEST

/* A scenario's metrics with method m, at rtol (and atol 1e-14 mg for CVODE), and the
 * run's solver statistics. */
static void run_scenario(hs_scenario *sc, int method, double rtol, hs_metrics *m,
                         hs_solver_stats *st) {
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  ck_assert_ptr_nonnull(s);
  sc->sim.method = method;
  sc->sim.rtol = rtol;
  sc->sim.atol = 1e-14;
  sc->sim.max_steps = 10000000;
  hs_dose *d = calloc((size_t)hs_simulate_dose_cap(sc), sizeof *d);
  int rc = hs_simulate_metrics(s, sc, d, hs_simulate_dose_cap(sc), m, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s: %s", sc->path, err.msg);
  if (st) hs_solver_stats_get(s, st);
  free(d);
  hs_solver_free(s);
}

static const char *const FILES[] = {
    "reference/s1.yaml", "reference/s2.yaml", "reference/s3.yaml", "reference/s4.yaml",
    "default.yaml", "chronomodulated_5fu.yaml", "cirrhosis_child_pugh_b.yaml",
    "ctace_doxorubicin.yaml", "dsm_fudr.yaml", "gastric_misperfusion.yaml",
    "gelfoam_recanalisation.yaml", "ha_occlusion.yaml", "lobar_infusion.yaml",
    "permeability_limited_tumor.yaml", "php_melphalan.yaml", "pvtt_habr.yaml",
    "repeated_deb_sessions.yaml", "regimens/deb_tace_doxorubicin.yaml",
    "regimens/docetaxel_hai.yaml", "regimens/fem_hai.yaml", "regimens/fotemustine_weekly.yaml",
    "regimens/fu_haic.yaml", "regimens/fu_lv_haic.yaml", "regimens/fudr_pump_mskcc.yaml",
    "regimens/gemcitabine_fudr.yaml", "regimens/haic_folfox.yaml", "regimens/low_dose_fp.yaml",
    "regimens/melphalan_php.yaml", "regimens/mitomycin_dsm.yaml",
    "regimens/monthly_cisplatin_5fu.yaml", "regimens/oxaliplatin_hai_5fu_iv.yaml",
    "regimens/paclitaxel_hai.yaml", "regimens/raltitrexed_oxaliplatin_hai.yaml"};
#define N_FILES ((int)(sizeof FILES / sizeof *FILES))

/* Whether the system drug d runs in (its dosed drug and the species that forms) has a
 * saturable elimination. */
static int saturable(const hs_scenario *sc, int d) {
  const int root = sc->drugs[d].parent >= 0 ? sc->drugs[d].parent : d;
  for (int i = 0; i < sc->n_drugs; i++) {
    const hs_drug *x = &sc->drugs[i].drug;
    if ((i == root || sc->drugs[i].parent == root) &&
        (x->hepatic.kind == HS_ELIM_MM || x->extrahepatic.kind == HS_ELIM_MM))
      return 1;
  }
  return 0;
}

/* Scenario file i of FILES, loaded (its path in path[256]). */
static void load_file(int i, char *path, hs_scenario *sc) {
  hs_error err;
  snprintf(path, 256, "../scenarios/%s", FILES[i]);
  ck_assert_msg(hs_scenario_load(sc, path, NULL, &err) == HS_OK, "%s", err.msg);
}

/* Every scenario and regimen file: auto (exact where it applies, CVODE at rtol 1e-12
 * elsewhere) against CVODE at rtol 1e-12 throughout, every metric of a linear drug within 1e-8 (relative; tmax the same grid time
 * unless the two Cmax candidates tie to 1e-8), mass balance to 1e-10 of the dose. A drug
 * with a saturable elimination in its system runs CVODE under auto: the same bits as
 * method cvode. Segments with a recovering embolisation fall back to CVODE. */
START_TEST(test_exact_vs_cvode) {
  char path[256];
  hs_scenario sc;
  load_file(_i, path, &sc);
  hs_metrics ex[8], cv[8]; /* rtol 1e-12: also for the segments that fall back to CVODE */
  run_scenario(&sc, HS_SOLVER_AUTO, 1e-12, ex, NULL);
  run_scenario(&sc, HS_SOLVER_CVODE, 1e-12, cv, NULL);
  int nf;
  const hs_metric_field *f = hs_metric_fields(&nf);
  for (int d = 0; d < sc.n_drugs; d++) {
    if (saturable(&sc, d)) {
      ck_assert_msg(!memcmp(&ex[d], &cv[d], sizeof ex[d]), "%s drug %d", path, d);
      continue;
    }
    for (int j = 0; j < nf; j++) {
      double x = hs_metric_value(&ex[d], &f[j]), y = hs_metric_value(&cv[d], &f[j]);
      if (!strcmp(f[j].name, "mass_balance_error") || (isnan(x) && isnan(y))) continue;
      if (strstr(f[j].name, "tmax")) continue; /* below, with its Cmax */
      ck_assert_msg(fabs(x - y) <= 1e-8 * fabs(y) + 1e-13 * (1 + ex[d].dosed_mg),
                    "%s drug %d %s: exact %.12g cvode %.12g", path, d, f[j].name, x, y);
    }
    ck_assert_msg(ex[d].tmax_plasma == cv[d].tmax_plasma ||
                      fabs(ex[d].cmax_plasma - cv[d].cmax_plasma) <= 1e-8 * cv[d].cmax_plasma,
                  "%s: tmax_plasma %g vs %g", path, ex[d].tmax_plasma, cv[d].tmax_plasma);
    ck_assert_msg(ex[d].mass_balance_error < 1e-10, "%s: mass balance %g", path,
                  ex[d].mass_balance_error);
  }
  hs_scenario_release(&sc);
}
END_TEST

/* The value of series v at grid time t (the trace's own times). */
static double trace_at(const hs_trace *tr, const double *v, double t) {
  for (int i = 0; i < tr->n; i++)
    if (tr->t[i] == t) return v[i];
  return NAN;
}

/* A tracked maximum of a metrics-only run (which passes grid points that provably hold no
 * new maximum) against the run with time courses (every point evaluated): the same Cmax
 * to rounding, at a grid time where the time course reaches it. */
static void expect_same_max(const char *path, const char *what, double cmax, double tmax,
                            double cmax_tr, const hs_trace *tr, const double *series) {
  if (isnan(cmax) && isnan(cmax_tr)) return; /* no such compartment */
  ck_assert_msg(fabs(cmax - cmax_tr) <= 1e-12 * fabs(cmax_tr), "%s %s: Cmax %.17g, traced %.17g",
                path, what, cmax, cmax_tr);
  if (!series || !(cmax_tr > 0)) return;
  double v = trace_at(tr, series, tmax);
  ck_assert_msg(fabs(v - cmax_tr) <= 1e-12 * cmax_tr, "%s %s: at tmax %g h the trace holds "
                "%.17g, its maximum %.17g", path, what, tmax, v, cmax_tr);
}

/* Every scenario and regimen file solved exactly throughout (auto): the metrics-only
 * run's maxima against the same run with time courses; in the FUDR pump scenario most
 * grid points are passed (plateaus and washouts), and none of them held a maximum. */
START_TEST(test_exact_grid_skips) {
  char path[256];
  hs_scenario sc;
  hs_error err;
  load_file(_i, path, &sc);
  hs_metrics m[8];
  hs_solver_stats st;
  run_scenario(&sc, HS_SOLVER_AUTO, sc.sim.rtol, m, &st);
  if (st.exact_segments < st.segments) { /* CVODE somewhere: its own maxima search */
    ck_assert_msg(strcmp(FILES[_i], "default.yaml"), "the default scenario is exact");
    hs_scenario_release(&sc);
    return;
  }
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  ck_assert_msg(hs_simulate(s, &sc, 1, &res, &err) == HS_OK, "%s: %s", path, err.msg);
  for (int d = 0; d < sc.n_drugs; d++) {
    const hs_metrics *t = &res.drugs[d].metrics;
    const hs_trace *tr = &res.drugs[d].trace;
    expect_same_max(path, "plasma", m[d].cmax_plasma, m[d].tmax_plasma, t->cmax_plasma, tr,
                    tr->plasma);
    expect_same_max(path, "tumour", m[d].cmax_tumor, m[d].tmax_tumor, t->cmax_tumor, tr,
                    tr->tumor);
    expect_same_max(path, "gastric", m[d].cmax_gastric, 0, t->cmax_gastric, tr, NULL);
  }
  if (!strcmp(FILES[_i], "default.yaml")) {
    const int nk = hs_solver_grid_size(&sc.sim);
    ck_assert_msg(st.grid_skipped > nk / 2, "%ld of %d grid points passed", st.grid_skipped, nk);
  }
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* Fall-backs: 'exact' refuses a saturable drug with a message; an embolisation that
 * recovers makes its segments CVODE's while the others stay exact; the time courses of
 * an exact run are those of CVODE at rtol 1e-12, point by point. */
START_TEST(test_exact_fallbacks) {
  hs_scenario sc;
  hs_error err;
  ck_assert_int_eq(hs_scenario_load(&sc, "../scenarios/reference/s2.yaml", NULL, &err), HS_OK);
  ck_assert_int_eq(sc.sim.method, HS_SOLVER_AUTO); /* the scenario default */
  sc.sim.method = HS_SOLVER_EXACT;
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  ck_assert_int_eq(hs_simulate(s, &sc, 0, &res, &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, "drug 's2_saturable'") &&
                    strstr(err.msg, "simulation.solver 'exact' needs linear elimination"),
                "%s", err.msg);
  hs_scenario_release(&sc);
  ck_assert_int_eq(hs_scenario_load(&sc, "../scenarios/dsm_fudr.yaml", NULL, &err), HS_OK);
  hs_metrics m[4];
  hs_solver_stats st;
  run_scenario(&sc, HS_SOLVER_EXACT, 1e-10, m, &st);
  ck_assert_msg(st.exact_segments == 0, "recovering from t = 0: %ld exact", st.exact_segments);
  hs_scenario_release(&sc);
  ck_assert_int_eq(hs_scenario_load(&sc, "../scenarios/gelfoam_recanalisation.yaml", NULL, &err),
                   HS_OK);
  run_scenario(&sc, HS_SOLVER_EXACT, 1e-10, m, &st);
  ck_assert_msg(st.exact_segments > 0 && st.exact_segments < st.segments,
                "%ld of %ld segments exact", st.exact_segments, st.segments);
  hs_scenario_release(&sc);
  /* time courses: s1 with traces, exact against CVODE at 1e-12 */
  ck_assert_int_eq(hs_scenario_load(&sc, "../scenarios/reference/s1.yaml", NULL, &err), HS_OK);
  hs_results a, b;
  sc.sim.method = HS_SOLVER_EXACT;
  ck_assert_int_eq(hs_simulate(s, &sc, 1, &a, &err), HS_OK);
  sc.sim.method = HS_SOLVER_CVODE, sc.sim.rtol = 1e-12, sc.sim.atol = 1e-14;
  ck_assert_int_eq(hs_simulate(s, &sc, 1, &b, &err), HS_OK);
  const hs_trace *x = &a.drugs[0].trace, *y = &b.drugs[0].trace;
  ck_assert_int_eq(x->n, y->n);
  double peak = a.drugs[0].metrics.cmax_plasma;
  for (int i = 0; i < x->n; i++) {
    ck_assert(x->t[i] == y->t[i]);
    ck_assert_msg(fabs(x->plasma[i] - y->plasma[i]) <= 1e-8 * peak, "plasma at %g h: %g vs %g",
                  x->t[i], x->plasma[i], y->plasma[i]);
    ck_assert(fabs(x->liver[i] - y->liver[i]) <= 1e-8 * fabs(y->liver[i]) + 1e-12 * peak);
  }
  hs_results_release(&a);
  hs_results_release(&b);
  hs_scenario_release(&sc);
  hs_solver_free(s);
}
END_TEST

/* simulation.solver: read from the scenario (a misspelling refused with a did-you-mean),
 * recorded in the HDF5 output (root attribute) and per drug (which method ran). */
START_TEST(test_solver_key) {
  hs_test_mkdir();
  char text[8192];
  FILE *f = fopen("../scenarios/reference/s1.yaml", "r");
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  const char *at = strstr(text, "simulation:\n") + strlen("simulation:\n");
  const char *vals[] = {"exakt", "cvode", "exact"};
  hs_scenario sc;
  hs_error err;
  for (int v = 0; v < 3; v++) {
    const char *path = hs_test_path("t.yaml");
    f = fopen(path, "w");
    fprintf(f, "%.*s  solver: %s\n%s", (int)(at - text), text, vals[v], at);
    fclose(f);
    int rc = hs_scenario_load(&sc, path, NULL, &err);
    if (v == 0) {
      ck_assert_int_eq(rc, HS_EINPUT);
      ck_assert_msg(strstr(err.msg, "'simulation.solver': unknown value 'exakt' (did you mean "
                                    "'exact'?)"), "%s", err.msg);
      continue;
    }
    ck_assert_int_eq(rc, HS_OK);
    ck_assert_int_eq(sc.sim.method, v == 1 ? HS_SOLVER_CVODE : HS_SOLVER_EXACT);
    hs_solver *s = hs_solver_create(&err);
    hs_results res;
    ck_assert_int_eq(hs_simulate(s, &sc, 1, &res, &err), HS_OK);
    ck_assert_str_eq(res.drugs[0].solver, v == 1 ? "cvode" : "exact");
    const char *out = hs_test_path("o.h5");
    ck_assert_int_eq(hs_output_h5(out, 1, &sc, &res, &err), HS_OK);
    char buf[16];
    ck_assert_str_eq(hs_test_attr_str(out, "solver", buf, sizeof buf), vals[v]);
    hs_results_release(&res);
    hs_solver_free(s);
    hs_scenario_release(&sc);
  }
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_exact(void) {
  Suite *s = suite_create("exact");
  TCase *tc = tcase_create("exact");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_expm_known);
  tcase_add_test(tc, test_props_power_live);
  tcase_add_loop_test(tc, test_exact_vs_cvode, 0, N_FILES);
  tcase_add_loop_test(tc, test_exact_grid_skips, 0, N_FILES);
  tcase_add_test(tc, test_exact_fallbacks);
  tcase_add_test(tc, test_solver_key);
  suite_add_tcase(s, tc);
  return s;
}
