/* check_compare.c - rows of `hepatosim compare`: built from hs_simulate's results, the
 * exposure-per-cycle rule and the target classification (hand-computed numbers), the
 * labels and the table. Run from tests/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_compare.h"
#include "hs_test.h"

#define S2 "../scenarios/reference/s2.yaml"
#define CYCLES "fixtures/compare/cycles.yaml"

/* Load path and simulate it (with_traces 0: metrics only). */
static void simulate_path(const char *path, int with_traces, hs_scenario *sc, hs_results *res) {
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(s != NULL, "%s", err.msg);
  ck_assert_msg(hs_scenario_load(sc, path, NULL, &err) == HS_OK, "%s", err.msg);
  ck_assert_msg(hs_simulate(s, sc, with_traces, res, &err) == HS_OK, "%s", err.msg);
  hs_solver_free(s);
}

static void load_run(const char *path, hs_scenario *sc, hs_results *res) {
  simulate_path(path, 0, sc, res);
  ck_assert_int_le(res->n, 4);
}

/* ---- the IV comparator's time courses ----------------------------------------------------- */

/* s with every occurrence of from replaced by to, into out (n bytes). */
static void replace_all(const char *s, const char *from, const char *to, char *out, size_t n) {
  size_t k = 0, lf = strlen(from), lt = strlen(to);
  while (*s && k + lt + 1 < n) {
    if (!strncmp(s, from, lf)) {
      memcpy(out + k, to, lt), k += lt, s += lf;
    } else {
      out[k++] = *s++;
    }
  }
  out[k] = 0;
}

/* With the IV comparator, a traced run also holds the comparator's time courses: the same
 * values, bit for bit, as the run of a scenario that gives the doses IV; their trapezoid
 * AUC agrees with the comparator's auc_plasma_iv (integrated alongside the run) to the
 * grid's accuracy. Without the comparator there are none. */
START_TEST(test_iv_time_courses) {
  hs_scenario a, b;
  hs_results ra, rb;
  static char text[8192], iv[8192], iv2[8192];
  hs_test_mkdir();
  snprintf(text, sizeof text, "%s", hs_test_slurp(S2));
  replace_all(text, "route: hai", "route: iv", iv, sizeof iv);
  replace_all(iv, "iv_comparator: true", "iv_comparator: false", iv2, sizeof iv2);
  ck_assert(strstr(iv2, "route: iv") && strstr(iv2, "iv_comparator: false"));
  const char *path = hs_test_path("s2_iv.yaml");
  FILE *f = fopen(path, "w");
  ck_assert(f && fputs(iv2, f) >= 0);
  fclose(f);
  simulate_path(S2, 1, &a, &ra);
  simulate_path(path, 1, &b, &rb);
  const hs_trace *t = &ra.drugs[0].trace_iv, *u = &rb.drugs[0].trace;
  ck_assert_ptr_nonnull(t->t);
  ck_assert_ptr_null(rb.drugs[0].trace_iv.t);
  ck_assert_int_eq(t->n, u->n);
  ck_assert_int_gt(t->n, 1000);
  double auc = 0;
  for (int k = 0; k < t->n; k++) {
    ck_assert(t->t[k] == u->t[k] && t->plasma[k] == u->plasma[k] && t->liver[k] == u->liver[k] &&
              t->tumor[k] == u->tumor[k]);
    if (k) auc += 0.5 * (t->t[k] - t->t[k - 1]) * (t->plasma[k] + t->plasma[k - 1]);
  }
  double want = ra.drugs[0].metrics.auc_plasma_iv;
  ck_assert_msg(fabs(auc / want - 1) < 1e-4, "trapezoid AUC %g vs auc_plasma_iv %g", auc, want);
  ck_assert_msg(fabs(ra.drugs[0].trace.plasma[60] - t->plasma[60]) > 1e-6 * t->plasma[60],
                "the HA run's plasma course differs from the IV one");
  hs_results_release(&ra);
  hs_results_release(&rb);
  hs_scenario_release(&a);
  hs_scenario_release(&b);
  hs_test_rmdir();
}
END_TEST

/* A metabolite listed before the drug that forms it is simulated with it: its metrics equal
 * those of the same scenario in the other order, bit for bit (it was left at zero). */
START_TEST(test_metabolite_listed_first) {
  static const char *const order[2] = {
      "drugs:\n  irinotecan:\n    regimen: [{route: hai, dose: 100 mg, start: 0 h, duration: "
      "1 h}]\n  SN-38: {}\nsimulation: {end: 24 h, output_interval: 1 h}\n",
      "drugs:\n  SN-38: {}\n  irinotecan:\n    regimen: [{route: hai, dose: 100 mg, start: "
      "0 h, duration: 1 h}]\nsimulation: {end: 24 h, output_interval: 1 h}\n"};
  hs_metrics sn38[2];
  for (int k = 0; k < 2; k++) {
    hs_scenario sc;
    hs_results res;
    hs_error err;
    hs_solver *s = hs_solver_create(&err);
    ck_assert_msg(hs_scenario_load_text(&sc, "t.yaml", order[k], NULL, &err) == HS_OK, "%s", err.msg);
    ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
    int i = !strcmp(res.drugs[0].name, "SN-38") ? 0 : 1;
    ck_assert_str_eq(res.drugs[i].name, "SN-38");
    sn38[k] = res.drugs[i].metrics;
    hs_results_release(&res);
    hs_scenario_release(&sc);
    hs_solver_free(s);
  }
  ck_assert(sn38[0].auc_plasma > 0);
  ck_assert(sn38[1].auc_plasma == sn38[0].auc_plasma && sn38[1].auc_tumor == sn38[0].auc_tumor &&
            sn38[1].cmax_plasma == sn38[0].cmax_plasma);
}
END_TEST

/* ---- rows from results ---------------------------------------------------------------- */

START_TEST(test_build_s2) {
  hs_scenario sc;
  hs_results res;
  hs_compare_row rows[4];
  hs_error err;
  load_run(S2, &sc, &res);
  ck_assert_msg(hs_compare_build(&sc, &res, rows, &err) == HS_OK, "%s", err.msg);
  const hs_metrics *m = &res.drugs[0].metrics;
  const hs_compare_row *r = &rows[0];
  ck_assert_str_eq(r->scenario, "s2");
  ck_assert_str_eq(r->drug, "s2_saturable");
  ck_assert_str_eq(r->parent, "");
  ck_assert_double_eq(r->auc_tumor, m->auc_tumor);
  ck_assert_double_eq(r->cmax_tumor, m->cmax_tumor);
  ck_assert_double_eq(r->auc_liver, m->auc_liver);
  ck_assert_double_eq(r->auc_plasma, m->auc_plasma);
  ck_assert_double_eq(r->cmax_plasma, m->cmax_plasma);
  ck_assert_double_eq(r->tumor_plasma_ratio, m->auc_tumor / m->auc_plasma);
  ck_assert_int_eq(r->has_iv, 1);
  ck_assert(isfinite(m->regional_advantage) && m->regional_advantage > 1);
  ck_assert_double_eq(r->regional_advantage, m->regional_advantage);
  ck_assert_double_eq(r->auc_tumor_iv, m->auc_tumor_iv); /* the comparator's own values */
  ck_assert_double_eq(r->auc_plasma_iv, m->auc_plasma_iv);
  ck_assert(r->auc_tumor_iv > 0 && r->auc_tumor_iv < r->auc_tumor);
  ck_assert_double_eq(r->fraction_eliminated_liver, m->fraction_eliminated_liver);
  /* no target: missing values, no class, "-" */
  ck_assert_int_eq(r->target_class, HS_TARGET_NONE);
  ck_assert(isnan(r->exposure) && isnan(r->target.low) && isnan(r->target.high));
  char text[64];
  hs_compare_target_text(r, text, sizeof text);
  ck_assert_str_eq(text, "-");
  hs_results_release(&res);
  hs_scenario_release(&sc);
}
END_TEST

/* Two drugs, no IV comparator: regional advantage NaN; a target set on the loaded
 * scenario: exposure per cycle = AUC / 3 (the regimen's 3 cycles). */
START_TEST(test_build_cycles_target) {
  hs_scenario sc;
  hs_results res;
  hs_compare_row rows[4];
  hs_error err;
  load_run(CYCLES, &sc, &res);
  double auc = res.drugs[0].metrics.auc_plasma;
  sc.drugs[0].target = (hs_exposure_target){
      .present = 1, .measure = "auc_plasma", .low = auc / 3 * 0.5, .high = auc / 3 * 0.9,
      .per = "cycle"};
  sc.drugs[1].target = (hs_exposure_target){
      .present = 1, .measure = "auc_plasma", .low = 0.5 * auc, .high = INFINITY, .per = "run"};
  sc.drugs[1].parent = 0; /* labelled as formed from daily_hai; rows read only names */
  ck_assert_msg(hs_compare_build(&sc, &res, rows, &err) == HS_OK, "%s", err.msg);
  ck_assert_str_eq(rows[0].scenario, "cycles");
  ck_assert_int_eq(rows[0].has_iv, 0);
  ck_assert(isnan(rows[0].regional_advantage));
  ck_assert(isnan(rows[0].auc_tumor_iv) && isnan(rows[0].auc_plasma_iv));
  ck_assert_double_eq(rows[0].n_cycles, 3);
  ck_assert_double_eq(rows[0].exposure, auc / 3);
  ck_assert_int_eq(rows[0].target_class, HS_TARGET_ABOVE);
  ck_assert_str_eq(rows[1].parent, "daily_hai");
  ck_assert_double_eq(rows[1].n_cycles, 1);
  ck_assert_double_eq(rows[1].exposure, res.drugs[1].metrics.auc_plasma);
  ck_assert(res.drugs[1].metrics.auc_plasma > 0.5 * auc); /* 0.0967 vs 0.0187 mg*h/L */
  ck_assert_int_eq(rows[1].target_class, HS_TARGET_IN);
  char label[128];
  hs_compare_label(&rows[1], label, sizeof label);
  ck_assert_str_eq(label, "once_iv (from daily_hai)");
  hs_results_release(&res);
  hs_scenario_release(&sc);
}
END_TEST

/* ---- classification --------------------------------------------------------------------- */

static const struct {
  double v, low, high;
  hs_target_class want;
} CLASSIFY[] = {
    {24.1, 20, 30, HS_TARGET_IN},         {20, 20, 30, HS_TARGET_IN},
    {30, 20, 30, HS_TARGET_IN},           {19.99, 20, 30, HS_TARGET_BELOW},
    {30.01, 20, 30, HS_TARGET_ABOVE},     {41.0, 20, 30, HS_TARGET_ABOVE},
    {1e9, 20, INFINITY, HS_TARGET_IN},    {7.385, 20, INFINITY, HS_TARGET_BELOW},
    {NAN, 20, 30, HS_TARGET_NONE},
};

START_TEST(test_classify) {
  ck_assert_int_eq(hs_compare_classify(CLASSIFY[_i].v, CLASSIFY[_i].low, CLASSIFY[_i].high),
                   CLASSIFY[_i].want);
}
END_TEST

/* ---- exposure per cycle / per run, hand-computed ------------------------------------------ */

static hs_dose_spec SPECS[2] = {{.cycles = 4}, {.cycles = 6}};

typedef struct exposure_case {
  const char *measure, *per;
  double cycle_h, t_end_h;
  int metabolite; /* the drug has no regimen; its parent has SPECS */
  double low, high;
  double want_exposure, want_cycles;
  const char *want_text;
} exposure_case;

/* auc_plasma 144.6 mg*h/L, cmax_plasma 2.385 mg/L. */
static const exposure_case EXPOSURE[] = {
    /* largest cycles of the regimen: 6 -> 24.1 */
    {"auc_plasma", "cycle", 0, 1008, 0, 20, 30, 24.1, 6, "24.1 in 20-30 /cycle"},
    /* cycle_h given: 504 h / 168 h = 3 cycles -> 48.2 */
    {"auc_plasma", "cycle", 168, 504, 0, 20, 30, 48.2, 3, "48.2 > 30 (above) /cycle"},
    /* per run: the whole AUC */
    {"auc_plasma", "run", 168, 504, 0, 150, 300, 144.6, 1, "144.6 < 150 (below) /run"},
    /* threshold only */
    {"auc_plasma", "run", 0, 504, 0, 100, INFINITY, 144.6, 1, "144.6 in >=100 /run"},
    /* a metabolite: its parent's 6 cycles */
    {"auc_plasma", "cycle", 0, 504, 1, 20, 30, 24.1, 6, "24.1 in 20-30 /cycle"},
    /* Cmax: the run's peak, not divided */
    {"cmax_plasma", "cycle", 0, 504, 0, 1, 2, 2.385, 1, "Cmax 2.385 > 2 (above) /cycle"},
};

START_TEST(test_exposure) {
  const exposure_case *c = &EXPOSURE[_i];
  hs_scenario_drug parent = {.name = "irinotecan", .regimen = SPECS, .n_regimen = 2};
  hs_scenario_drug d = {.name = "x", .regimen = SPECS, .n_regimen = 2, .parent = -1};
  if (c->metabolite) d.regimen = NULL, d.n_regimen = 0, d.parent = 0;
  hs_metrics m = {.auc_plasma = 144.6, .cmax_plasma = 2.385};
  hs_compare_row r = {.target = {.present = 1, .low = c->low, .high = c->high,
                                 .cycle_h = c->cycle_h}};
  snprintf(r.target.measure, sizeof r.target.measure, "%s", c->measure);
  snprintf(r.target.per, sizeof r.target.per, "%s", c->per);
  hs_error err;
  ck_assert_int_eq(hs_compare_exposure(&r.target, &m, &d, c->metabolite ? &parent : NULL,
                                       c->t_end_h, &r.exposure, &r.n_cycles, &err),
                   HS_OK);
  HS_ASSERT_REL(r.exposure, c->want_exposure, 1e-14);
  ck_assert_double_eq(r.n_cycles, c->want_cycles);
  r.target_class = hs_compare_classify(r.exposure, c->low, c->high);
  char text[64];
  hs_compare_target_text(&r, text, sizeof text);
  ck_assert_str_eq(text, c->want_text);
}
END_TEST

START_TEST(test_exposure_errors) {
  hs_scenario_drug d = {.name = "fluorouracil", .parent = -1};
  hs_metrics m = {.auc_plasma = 1};
  hs_exposure_target t = {.present = 1, .measure = "auc_tumor", .per = "cycle"};
  double e, n;
  hs_error err;
  ck_assert_int_eq(hs_compare_exposure(&t, &m, &d, NULL, 24, &e, &n, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "drug 'fluorouracil': target measure 'auc_tumor': expected "
                            "'auc_plasma' or 'cmax_plasma'");
  snprintf(t.per, sizeof t.per, "week");
  ck_assert_int_eq(hs_compare_exposure(&t, &m, &d, NULL, 24, &e, &n, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "drug 'fluorouracil': target per 'week': expected 'cycle' or 'run'");
}
END_TEST

/* A bad target on a loaded scenario: the build fails naming scenario and drug. */
START_TEST(test_build_error) {
  hs_scenario sc;
  hs_results res;
  hs_compare_row rows[4];
  hs_error err;
  load_run(S2, &sc, &res);
  sc.drugs[0].target = (hs_exposure_target){.present = 1, .measure = "auc_plasma", .per = "day"};
  ck_assert_int_eq(hs_compare_build(&sc, &res, rows, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "s2: drug 's2_saturable': target per 'day': expected 'cycle' or 'run'");
  hs_results_release(&res);
  hs_scenario_release(&sc);
}
END_TEST

/* ---- stems and the table ---------------------------------------------------------------- */

static const char *const STEMS[][2] = {
    {"../scenarios/reference/s2.yaml", "s2"}, {"a.b.yaml", "a.b"}, {"noext", "noext"},
    {"dir/.hidden", ".hidden"},               {"dir/", ""},
};

START_TEST(test_stem) {
  char out[HS_NAME_LEN];
  hs_compare_stem(STEMS[_i][0], out, sizeof out);
  ck_assert_str_eq(out, STEMS[_i][1]);
}
END_TEST

/* Widths by hand: scenario 9, drug 23 (the metabolite label), T AUC 6 ("mg*h/L"),
 * T Cmax .. P Cmax 7 ("0.02385"), T/P 5, RA 5 ("vs IV"), liver 6 ("elim %"), target 24. */
static const char TABLE_TARGET[] =
    "scenario   drug                      T AUC   T Cmax    L AUC    P AUC   P Cmax    T/P     RA"
    "   liver  exposure vs target\n"
    "                                    mg*h/L     mg/L   mg*h/L   mg*h/L     mg/L    AUC  vs IV"
    "  elim %  (see below)\n"
    "regimen_a  irinotecan                12.35    2.385    4.567    3.142    1.234  3.931  2.718"
    "    61.8  -\n"
    "regimen_a  irinotecan IV             1.235        -        -      0.5        -  2.469      -"
    "       -\n"
    "regimen_b  SN-38 (from irinotecan)  0.1235  0.02385  0.04567  0.03142  0.01234  3.931    n/a"
    "       0  0.03142 < 20 (below) /run\n"
    "\n";

static hs_compare_row table_rows[2] = {
    {.scenario = "regimen_a", .drug = "irinotecan", .auc_tumor = 12.3456, .cmax_tumor = 2.385,
     .auc_liver = 4.5671, .auc_plasma = 3.14159, .cmax_plasma = 1.2341,
     .tumor_plasma_ratio = 3.93103, .regional_advantage = 2.71828, .has_iv = 1,
     .auc_tumor_iv = 1.23456, .auc_plasma_iv = 0.5, .fraction_eliminated_liver = 0.618},
    {.scenario = "regimen_b", .drug = "SN-38", .parent = "irinotecan", .auc_tumor = 0.123456,
     .cmax_tumor = 0.02385, .auc_liver = 0.045671, .auc_plasma = 0.0314159,
     .cmax_plasma = 0.012341, .tumor_plasma_ratio = 3.93103, .regional_advantage = NAN,
     .target = {.present = 1, .measure = "auc_plasma", .low = 20, .high = 30, .per = "run"},
     .exposure = 0.0314159, .n_cycles = 1, .target_class = HS_TARGET_BELOW},
};

/* The table of rows[0..n) as a malloc'ed string. */
static char *table_text(const hs_compare_row *rows, int n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  hs_compare_table(f, rows, n);
  fclose(f);
  return buf;
}

START_TEST(test_table_target) {
  char *t = table_text(table_rows, 2);
  ck_assert_msg(strncmp(t, TABLE_TARGET, strlen(TABLE_TARGET)) == 0, "got\n%s\nwant\n%s", t,
                TABLE_TARGET);
  ck_assert_ptr_nonnull(strstr(t, "\nn/a: the scenario has no IV comparator"));
  ck_assert_ptr_nonnull(strstr(t, "\nExposure vs target: the drug's plasma AUC (mg*h/L) per"));
  free(t);
}
END_TEST

/* No target known: no target column; with the names above it fits 100 columns. */
START_TEST(test_table_no_target) {
  hs_compare_row rows[2] = {table_rows[0], table_rows[1]};
  rows[1].target.present = 0;
  rows[1].target_class = HS_TARGET_NONE;
  char *t = table_text(rows, 2);
  ck_assert_ptr_null(strstr(t, "exposure vs target"));
  ck_assert_ptr_null(strstr(t, "Exposure vs target"));
  ck_assert_ptr_nonnull(strstr(t, "\nregimen_b  SN-38 (from irinotecan)  0.1235  0.02385"));
  for (char *line = t, *nl; (nl = strchr(line, '\n')); line = nl + 1)
    ck_assert_msg(nl - line <= 100, "longer than 100 columns: %.*s", (int)(nl - line), line);
  free(t);
  /* every row with an IV comparator: no n/a and no footnote for it */
  t = table_text(rows, 1);
  ck_assert_ptr_null(strstr(t, "n/a"));
  free(t);
}
END_TEST

Suite *hs_suite_compare(void) {
  Suite *s = suite_create("compare");
  TCase *rows = tcase_create("rows");
  tcase_set_timeout(rows, 30);
  tcase_add_test(rows, test_build_s2);
  tcase_add_test(rows, test_iv_time_courses);
  tcase_add_test(rows, test_metabolite_listed_first);
  tcase_add_test(rows, test_build_cycles_target);
  tcase_add_test(rows, test_build_error);
  suite_add_tcase(s, rows);
  TCase *target = tcase_create("target");
  tcase_add_loop_test(target, test_classify, 0, (int)(sizeof CLASSIFY / sizeof CLASSIFY[0]));
  tcase_add_loop_test(target, test_exposure, 0, (int)(sizeof EXPOSURE / sizeof EXPOSURE[0]));
  tcase_add_test(target, test_exposure_errors);
  suite_add_tcase(s, target);
  TCase *text = tcase_create("text");
  tcase_add_loop_test(text, test_stem, 0, (int)(sizeof STEMS / sizeof STEMS[0]));
  tcase_add_test(text, test_table_target);
  tcase_add_test(text, test_table_no_target);
  suite_add_tcase(s, text);
  return s;
}
