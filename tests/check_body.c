/* check_body.c - the physiology's scaling with body size (`patient.scaling`, hs_body.h):
 * the reference adult unchanged, the relations in closed form, written keys left alone,
 * sweeps over weight equal to files with that weight, liver disease on top, the regional
 * advantage at two sizes, `scaling: none`, and the error for an unknown value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_test.h"

#define BODY_SWEEP "fixtures/sweep/body.yaml"

/* The reference adult of model/data/physiology.yaml (Mosteller BSA of 70 kg, 176 cm). */
#define Q_CO_REF (6.5 * 60) /* L/h */
#define Q_H_REF (1.6 * 60)  /* L/h */
#define V_L_REF 1.8         /* L */

/* Closed forms, transcribed from physiology.yaml's body_size section independently of the
 * code: Q_CO ~ BSA, V_L ~ Heinemann's LV (mL) = 1072.8 BSA - 345.7, Q_H ~ BSA. */
static double bsa_ref(void) { return sqrt(70.0 * 176.0 / 3600.0); }
static double lv_ratio(double bsa) {
  return (1072.8 * bsa - 345.7) / (1072.8 * bsa_ref() - 345.7);
}
static const hs_physiology REF = {.q_co = Q_CO_REF, .q_h = Q_H_REF, .v_l = V_L_REF};

/* a's Q_CO, Q_H and V_L are b's taken from the reference size to BSA bsa by the closed
 * forms, within tol (relative). */
static void assert_scaled(const hs_physiology *a, const hs_physiology *b, double bsa, double tol) {
  HS_ASSERT_REL(a->q_co, b->q_co * bsa / bsa_ref(), tol);
  HS_ASSERT_REL(a->q_h, b->q_h * bsa / bsa_ref(), tol);
  HS_ASSERT_REL(a->v_l, b->v_l * lv_ratio(bsa), tol);
}

/* An oxaliplatin HAI scenario (100 mg/m2 over 2 h, IV comparator) for the patient line. */
static void scenario_text(char *buf, size_t n, const char *patient, const char *extra) {
  snprintf(buf, n,
           "%s\n%s"
           "drugs:\n"
           "  oxaliplatin:\n"
           "    regimen: [{route: hai, dose: 100 mg/m2, start: 0 h, duration: 2 h}]\n"
           "simulation: {end: 7 d, output_interval: 1 h, iv_comparator: true}\n",
           patient, extra ? extra : "");
}

static void load(hs_scenario *sc, const char *patient, const char *extra) {
  char text[2048];
  hs_error err;
  hs_error_clear(&err);
  scenario_text(text, sizeof text, patient, extra);
  int rc = hs_scenario_load_text(sc, "inline.yaml", text, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s\n---\n%s", err.msg, text);
}

/* Q_CO, Q_H and V_L of a and b within tol (relative; 0: bit for bit). */
static void assert_same_flows(const hs_physiology *a, const hs_physiology *b, double tol) {
  HS_ASSERT_REL(a->q_co, b->q_co, tol);
  HS_ASSERT_REL(a->q_h, b->q_h, tol);
  HS_ASSERT_REL(a->v_l, b->v_l, tol);
}

/* (a) At the reference size the physiology is the reference adult's, bit for bit, whatever
 * the scaling; the reference cases write their flows and follow nothing. */
START_TEST(test_reference_size_unchanged) {
  hs_scenario a, b, c;
  load(&a, "patient: {weight: 70 kg, height: 176 cm}", NULL);
  load(&b, "patient: {weight: 70 kg, height: 176 cm, scaling: none}", NULL);
  load(&c, "patient: {weight: 70 kg}", NULL); /* height from physiology.yaml */
  ck_assert_uint_eq(a.body.follow, HS_BODY_QCO | HS_BODY_QH | HS_BODY_VL);
  ck_assert_uint_eq(b.body.follow, 0);
  ck_assert(a.phys.q_co == Q_CO_REF && a.phys.q_h == Q_H_REF && a.phys.v_l == V_L_REF);
  ck_assert_int_eq(memcmp(&a.phys, &b.phys, sizeof a.phys), 0);
  ck_assert_int_eq(memcmp(&a.phys, &c.phys, sizeof a.phys), 0);
  hs_scenario_release(&a), hs_scenario_release(&b), hs_scenario_release(&c);
  static const char *const cases[] = {"s1", "s2", "s3", "s4"};
  for (int i = 0; i < 4; i++) {
    char path[128];
    hs_error err;
    snprintf(path, sizeof path, "../scenarios/reference/%s.yaml", cases[i]);
    ck_assert_int_eq(hs_scenario_load(&a, path, NULL, &err), HS_OK);
    ck_assert_uint_eq(a.body.follow, 0);
    ck_assert(a.phys.q_co == 336 && a.phys.q_h == 90 && a.phys.v_l == 1.8);
    hs_scenario_release(&a);
  }
}
END_TEST

/* (b) BSA 2.2 m2, given or from 96.8 kg and 180 cm: Q_CO, Q_H, V_L by the closed forms. */
START_TEST(test_relations_closed_form) {
  static const char *const patients[] = {"patient: {bsa: 2.2 m2}",
                                         "patient: {weight: 96.8 kg, height: 180 cm}"};
  hs_scenario sc;
  load(&sc, patients[_i], NULL);
  HS_ASSERT_REL(sc.patient.bsa_m2, 2.2, 1e-15);
  assert_scaled(&sc.phys, &REF, 2.2, 1e-12);
  ck_assert(sc.phys.v_b == 5.6 && sc.phys.v_g == 1.44 && sc.phys.v_r == 40); /* not scaled */
  ck_assert(sc.phys.f_ha == 0.25);
  hs_scenario_release(&sc);
}
END_TEST

/* (c) Keys the scenario writes are never scaled; the others still are. */
START_TEST(test_written_keys_untouched) {
  hs_scenario sc;
  load(&sc, "patient: {bsa: 2.2 m2, cardiac_output: 7.3 L/min, liver_volume: 1.55 L}", NULL);
  ck_assert_uint_eq(sc.body.follow, HS_BODY_QH);
  ck_assert(sc.phys.q_co == 7.3 * 60 && sc.phys.v_l == 1.55);
  HS_ASSERT_REL(sc.phys.q_h, Q_H_REF * 2.2 / bsa_ref(), 1e-12);
  hs_scenario_release(&sc);
  load(&sc, "patient: {bsa: 1.43 m2, hepatic_flow: 1.385 L/min}", NULL);
  ck_assert_uint_eq(sc.body.follow, HS_BODY_QCO | HS_BODY_VL);
  ck_assert(sc.phys.q_h == 1.385 * 60);
  HS_ASSERT_REL(sc.phys.q_co, Q_CO_REF * 1.43 / bsa_ref(), 1e-12);
  HS_ASSERT_REL(sc.phys.v_l, V_L_REF * lv_ratio(1.43), 1e-12);
  hs_scenario_release(&sc);
}
END_TEST

static void slot_set(hs_scenario *sc, const char *path, double v) {
  hs_scenario_slot slot;
  hs_error err;
  ck_assert_msg(hs_scenario_slot_find(sc, path, &slot, &err) == HS_OK, "%s", err.msg);
  hs_scenario_slot_set(sc, &slot, v);
}

/* A sweep's copy of base, its weight and height then set as a run sets them. */
static void sweep_size(hs_scenario *run, const hs_scenario *base, double kg, double cm) {
  hs_error err;
  ck_assert_int_eq(hs_scenario_clone(run, base, &err), HS_OK);
  slot_set(run, "patient.weight", kg);
  slot_set(run, "patient.height", cm);
}

/* (d) A sweep writing weight and height gives the physiology of a file written with them:
 * bit for bit from the reference size, whatever was written before (a thread's earlier
 * runs), and to round-off from another size. */
START_TEST(test_sweep_equals_file) {
  hs_scenario base, run, file;
  load(&base, "patient: {weight: 70 kg, height: 176 cm}", NULL);
  load(&file, "patient: {weight: 96.8 kg, height: 180 cm}", NULL);
  sweep_size(&run, &base, 43.7, 151); /* an earlier run of the same thread */
  slot_set(&run, "patient.weight", 96.8);
  slot_set(&run, "patient.height", 180);
  ck_assert(run.patient.bsa_m2 == file.patient.bsa_m2);
  assert_same_flows(&run.phys, &file.phys, 0);
  ck_assert_int_eq(memcmp(&run.phys, &file.phys, sizeof run.phys), 0);
  ck_assert(run.drugs[0].regimen[0].amount == file.drugs[0].regimen[0].amount);
  hs_scenario_release(&run);
  hs_scenario_release(&base);
  load(&base, "patient: {weight: 56.25 kg, height: 144 cm}", NULL); /* BSA 1.5 m2 */
  sweep_size(&run, &base, 96.8, 180);
  assert_same_flows(&run.phys, &file.phys, 1e-14);
  slot_set(&run, "patient.bsa", 1.5); /* a swept BSA rescales too */
  assert_same_flows(&run.phys, &base.phys, 1e-14);
  hs_scenario_release(&run), hs_scenario_release(&base), hs_scenario_release(&file);
}
END_TEST

/* A sweep that writes a flow or the liver volume takes it out of the scaling; the other
 * two still follow the BSA. */
START_TEST(test_sweep_written_unfollows) {
  static const char *const path[] = {"patient.cardiac_output", "patient.hepatic_flow",
                                     "patient.liver_volume"};
  static const unsigned bit[] = {HS_BODY_QCO, HS_BODY_QH, HS_BODY_VL};
  static const double value[] = {401.3, 83.9, 1.615};
  hs_scenario base, run;
  load(&base, "patient: {weight: 70 kg, height: 176 cm}", NULL);
  slot_set(&base, path[_i], value[_i]);
  sweep_size(&run, &base, 96.8, 180);
  ck_assert_uint_eq(run.body.follow, (HS_BODY_QCO | HS_BODY_QH | HS_BODY_VL) & ~bit[_i]);
  hs_physiology want = {.q_co = REF.q_co * 2.2 / bsa_ref(), .q_h = REF.q_h * 2.2 / bsa_ref(),
                        .v_l = REF.v_l * lv_ratio(2.2)};
  double *written[] = {&want.q_co, &want.q_h, &want.v_l}; /* in the order of path[] */
  *written[_i] = value[_i];
  assert_same_flows(&run.phys, &want, 1e-12);
  hs_scenario_release(&base), hs_scenario_release(&run);
}
END_TEST

/* Liver disease on top of the scaling: its factors hold at any size, in a file and in a
 * sweep (the order of the two does not matter). */
START_TEST(test_liver_disease_composes) {
  static const char cpb[] = "liver_disease: {preset: child_pugh_b}\n";
  hs_scenario ref, big, run;
  load(&ref, "patient: {weight: 70 kg, height: 176 cm}", cpb);
  load(&big, "patient: {weight: 96.8 kg, height: 180 cm}", cpb);
  HS_ASSERT_REL(ref.phys.q_co, Q_CO_REF * 1.2, 1e-14); /* Li 2015, child_pugh_b */
  assert_scaled(&big.phys, &ref.phys, 2.2, 1e-13);
  HS_ASSERT_REL(big.phys.f_ha, ref.phys.f_ha, 1e-15);
  sweep_size(&run, &ref, 96.8, 180);
  assert_same_flows(&run.phys, &big.phys, 1e-14);
  hs_scenario_release(&ref), hs_scenario_release(&big), hs_scenario_release(&run);
}
END_TEST

/* (f) `scaling: none`: the reference adult's flows and liver volume at any size, also when
 * a sweep changes the size. */
START_TEST(test_scaling_none) {
  hs_scenario sc;
  load(&sc, "patient: {bsa: 2.2 m2, scaling: none}", NULL);
  ck_assert_uint_eq(sc.body.follow, 0);
  ck_assert(sc.phys.q_co == Q_CO_REF && sc.phys.q_h == Q_H_REF && sc.phys.v_l == V_L_REF);
  slot_set(&sc, "patient.bsa", 1.5);
  ck_assert(sc.phys.q_co == Q_CO_REF && sc.phys.q_h == Q_H_REF && sc.phys.v_l == V_L_REF);
  hs_scenario_release(&sc);
}
END_TEST

/* Regional advantage of the oxaliplatin scenario at BSA b (same mg/m2). */
static double regional_advantage(double b, const char *scaling) {
  char patient[128];
  snprintf(patient, sizeof patient, "patient: {bsa: %g m2, scaling: %s}", b, scaling);
  hs_scenario sc;
  hs_results res;
  hs_error err;
  load(&sc, patient, NULL);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_ptr_nonnull(s);
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
  ck_assert_str_eq(res.drugs[0].name, "oxaliplatin");
  double ra = res.drugs[0].metrics.regional_advantage;
  if (getenv("HS_TEST_VERBOSE"))
    printf("oxaliplatin HAI, BSA %g m2, scaling %s: regional advantage %.6g, auc_tumor %.6g\n",
           b, scaling, ra, res.drugs[0].metrics.auc_tumor);
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return ra;
}

/* (e) The same mg/m2 at BSA 1.5 and 2.2 m2: with the physiology scaled the regional
 * advantage is the same (2.8557: per-m2 clearances, cardiac output and hepatic flow all
 * scale with BSA); unscaled it rose by 28 % (2.5047 vs 3.2069). */
START_TEST(test_regional_advantage_size_independent) {
  double small = regional_advantage(1.5, "body_size"), large = regional_advantage(2.2, "body_size");
  ck_assert_msg(fabs(large / small - 1) < 1e-3, "RA %g at 1.5 m2 vs %g at 2.2 m2", small, large);
  HS_ASSERT_REL(small, 2.8557, 1e-4);
  double small0 = regional_advantage(1.5, "none"), large0 = regional_advantage(2.2, "none");
  HS_ASSERT_REL(small0, 2.5047, 1e-4);
  HS_ASSERT_REL(large0, 3.2069, 1e-4);
}
END_TEST

/* (g) An unknown value names file:line:column and the allowed values; a data directory
 * without the relations refuses body_size and defaults to none. */
START_TEST(test_scaling_errors) {
  char text[2048];
  hs_scenario sc;
  hs_error err;
  scenario_text(text, sizeof text, "patient:\n  weight: 70 kg\n  scaling: allometric", NULL);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, NULL, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "inline.yaml:3:12: 'patient.scaling': unknown value 'allometric'; "
                            "expected one of 'body_size', 'none'");
  static const char fmt[] = "patient: {%s}\n"
                            "drugs: {lin: {library: none, hepatic_clint: 41 L/h, "
                            "renal_clearance: 9 L/h, regimen: [{route: hai, dose: 85 mg/m2}]}}\n"
                            "simulation: {end: 24 h, output_interval: 1 h}\n";
  snprintf(text, sizeof text, fmt, "weight: 70 kg, scaling: body_size");
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, "fixtures/lib", &err),
                   HS_EINPUT);
  ck_assert_str_eq(err.msg, "fixtures/lib/physiology.yaml: patient.scaling 'body_size' needs "
                            "the 'body_size:' section (the relations' constants)");
  snprintf(text, sizeof text, fmt, "bsa: 2.2 m2");
  ck_assert_msg(hs_scenario_load_text(&sc, "inline.yaml", text, "fixtures/lib", &err) == HS_OK,
                "%s", err.msg);
  ck_assert_uint_eq(sc.body.follow, 0);
  ck_assert(sc.phys.q_co == Q_CO_REF);
  hs_scenario_release(&sc);
}
END_TEST

/* A data directory whose body_size section misnames or lacks a constant, or gives the liver
 * volume's slope without its per m2: refused naming the key. */
START_TEST(test_relations_file_errors) {
  static const struct { const char *from, *to, *want; } cases[] = {
      {"  hepatic_flow_bsa_exponent:\n", "  hepatic_flow_exponent:\n",
       "'body_size': unknown key 'hepatic_flow_exponent'; known keys: "
       "cardiac_output_bsa_exponent, liver_volume_per_bsa, liver_volume_intercept, "
       "hepatic_flow_bsa_exponent"},
      {"    value: 1072.8 mL/m2\n", "    value: 1072.8 mL\n",
       "'body_size.liver_volume_per_bsa': expected a volume per m2 of BSA (e.g. '706.2 mL/m2')"},
      {"  liver_volume_intercept:\n", NULL, /* NULL: the whole entry left out */
       "'body_size': 'liver_volume_intercept' is required"},
  };
  static char text[32768];
  FILE *f = fopen("../model/data/physiology.yaml", "r");
  ck_assert_ptr_nonnull(f);
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  char *at = strstr(text, cases[_i].from);
  ck_assert_ptr_nonnull(at);
  const char *rest = cases[_i].to ? at + strlen(cases[_i].from)
                                  : strstr(at, "  hepatic_flow_bsa_exponent:");
  hs_test_mkdir();
  f = fopen(hs_test_path("physiology.yaml"), "w");
  fprintf(f, "%.*s%s%s", (int)(at - text), text, cases[_i].to ? cases[_i].to : "", rest);
  fclose(f);
  hs_scenario sc;
  hs_error err;
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", "simulation: {end: 1 h}\n",
                                         hs_test_dir(), &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, cases[_i].want), "got '%s'", err.msg);
  hs_test_rmdir();
}
END_TEST

/* The model function itself: exactly 1 at the same BSA, the closed forms otherwise. */
START_TEST(test_factors) {
  hs_body_relations r = {.k_co = 1, .lv_slope = 0.7062, .lv_intercept = 0.0024, .k_h = 1};
  double f[3];
  hs_body_factors(&r, 1.849924923, 1.849924923, f);
  ck_assert(f[0] == 1 && f[1] == 1 && f[2] == 1);
  hs_body_factors(&r, 1.5, 2.2, f);
  HS_ASSERT_REL(f[0], 2.2 / 1.5, 1e-15);
  HS_ASSERT_REL(f[2], (706.2 * 2.2 + 2.4) / (706.2 * 1.5 + 2.4), 1e-14);
  ck_assert(f[1] == f[0]);
  r.k_co = 0.75, r.k_h = 0.5;
  hs_body_factors(&r, 1.5, 2.2, f);
  HS_ASSERT_REL(f[0], pow(2.2 / 1.5, 0.75), 1e-15);
  HS_ASSERT_REL(f[1], sqrt(2.2 / 1.5), 1e-15);
}
END_TEST

/* A sweep over weight and height: -j 1 and -j 2 give identical files. */
START_TEST(test_sweep_thread_count_independent) {
  hs_test_mkdir();
  const char *a = hs_test_path("j1.h5"), *b = hs_test_path("j2.h5");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", BODY_SWEEP, "-o", a, "-j", "1",
                                                "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", BODY_SWEEP, "-o", b, "-j", "2",
                                                "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(a, b);
  ck_assert_int_eq(hs_test_attr_i64(a, "runs_failed"), 0);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_body(void) {
  const struct { const TTest *test; int loops; } tests[] = {
      {test_reference_size_unchanged, 1}, {test_relations_closed_form, 2},
      {test_written_keys_untouched, 1},   {test_sweep_equals_file, 1},
      {test_sweep_written_unfollows, 3},  {test_liver_disease_composes, 1},
      {test_scaling_none, 1},             {test_regional_advantage_size_independent, 1},
      {test_scaling_errors, 1},           {test_relations_file_errors, 3},
      {test_factors, 1},
      {test_sweep_thread_count_independent, 1}};
  Suite *s = suite_create("body");
  TCase *tc = tcase_create("body");
  tcase_set_timeout(tc, 120);
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
    tcase_add_loop_test(tc, tests[i].test, 0, tests[i].loops);
  suite_add_tcase(s, tc);
  return s;
}
