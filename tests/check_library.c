/* check_library.c - the drug library (hs_library.h) and library drugs in scenarios: broken
 * entries refused with exact messages, per-m2 / per-kg / basis conversions, hepatic_clearance,
 * re-resolution on sweeps, metabolites, targets. Fixtures: fixtures/lib2, fixtures/lib_bad. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_library.h"
#include "hs_scenario.h"
#include "hs_test.h"

#define LIB "fixtures/lib2"
#define BAD "fixtures/lib_bad"
#define BSA_REF 1.849924923 /* Mosteller, 70 kg and 176 cm (check_scenario.c) */
#define BSA_DUBOIS 1.855793609
#define Q_TAIL "every library value needs a source and a confidence (high, medium, low or derived)"

/* ---- broken library entries ------------------------------------------------------------- */

static const struct { const char *name, *msg; } BROKEN[] = {
    {"nounit", BAD "/drugs/nounit.yaml:2:24: 'hepatic_clint': missing unit: expected a flow "
               "(e.g. '1.5 L/min', '90 L/h'), got '20'"},
    {"nosource", BAD "/drugs/nosource.yaml:2:16: 'hepatic_clint': missing 'source': " Q_TAIL},
    {"noconfidence", BAD "/drugs/noconfidence.yaml:2:16: 'hepatic_clint': missing "
                     "'confidence': " Q_TAIL},
    {"badconfidence", BAD "/drugs/badconfidence.yaml:2:68: 'hepatic_clint': confidence must be "
                      "high, medium, low or derived, got 'certain'"},
    {"unbound_nofu", BAD "/drugs/unbound_nofu.yaml:3:18: 'renal_clearance': 'basis: unbound' "
                     "needs fu_plasma (the fraction unbound in plasma) to convert the value to "
                     "plasma"},
    {"clh_too_high", BAD "/drugs/clh_too_high.yaml:2:20: 'hepatic_clearance': 120 L/h (blood) "
                     "must be below the reference adult's effective liver blood flow Q_L' = "
                     "95.27 L/h"},
    {"met_nomw", BAD "/drugs/met_nomw.yaml:6:5: 'metabolites[0]': the yield of metabolite "
                 "'activemide' needs the molecular weights of both drugs: give "
                 "molecular_weight in " BAD "/drugs/activemide.yaml"},
    {"met_unknown", BAD "/drugs/met_unknown.yaml:6:12: 'metabolites[0]': unknown metabolite "
                    "'activemid' (did you mean 'activemide'?): it needs its own library entry"},
};

START_TEST(test_broken_entry) {
  hs_drug d;
  hs_error err;
  hs_error_clear(&err);
  ck_assert_int_eq(hs_library_drug(BAD, BROKEN[_i].name, NULL, &d, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, BROKEN[_i].msg);
}
END_TEST

/* A broken file makes the listing fail too, with the same message. */
START_TEST(test_names_broken) {
  char names[16][64];
  hs_error err;
  ck_assert_int_eq(hs_library_names(BAD, names, 16, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, BROKEN[3].msg); /* files in name order: badconfidence first */
}
END_TEST

/* ---- lookup ------------------------------------------------------------------------------ */

START_TEST(test_names_sorted) {
  char names[16][64];
  hs_error err;
  ck_assert_int_eq(hs_library_names(LIB, names, 16, &err), 4);
  ck_assert_str_eq(names[0], "activemide");
  ck_assert_str_eq(names[1], "inactivamide");
  ck_assert_str_eq(names[2], "organcl");
  ck_assert_str_eq(names[3], "parentamide");
  ck_assert_int_eq(hs_library_names(LIB, names, 3, &err), HS_EINPUT);
}
END_TEST

/* Every file of the shipped library is valid (names fails on the first invalid one). */
START_TEST(test_shipped_library) {
  char names[HS_LIB_MAX_DRUGS][64];
  hs_error err;
  hs_error_clear(&err);
  int n = hs_library_names("../model/data", names, HS_LIB_MAX_DRUGS, &err);
  ck_assert_msg(n >= 2, "%s", err.msg);
  int found = 0;
  for (int i = 0; i < n; i++) found += !strcmp(names[i], "fluorouracil");
  ck_assert_int_eq(found, 1);
  hs_drug d;
  ck_assert_int_eq(hs_library_drug("../model/data", "5fu", NULL, &d, &err), HS_OK);
  HS_ASSERT_REL(d.hepatic.vmax, 80.0, 1e-15);
}
END_TEST

START_TEST(test_did_you_mean) {
  hs_library_entry e;
  hs_error err;
  ck_assert_int_eq(hs_library_get(LIB, "parentamid", &e, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "unknown drug 'parentamid' (did you mean 'parentamide'?) in "
                            LIB "/drugs");
  ck_assert_ptr_null(e.values);
}
END_TEST

static void assert_value(const hs_library_value *v, const char *key, const char *text,
                         const char *confidence, const char *basis) {
  ck_assert_str_eq(v->key, key);
  ck_assert_str_eq(v->text, text);
  ck_assert_str_eq(v->source, "test fixture");
  ck_assert_str_eq(v->confidence, confidence);
  ck_assert_str_eq(v->basis, basis);
}

/* By alias, case-insensitively; values in file order; nested reference_pk values. */
START_TEST(test_get_by_alias) {
  hs_library_entry e;
  hs_error err;
  ck_assert_int_eq(hs_library_get(LIB, "pa-1", &e, &err), HS_OK);
  ck_assert_str_eq(e.name, "parentamide");
  ck_assert_str_eq(e.file, LIB "/drugs/parentamide.yaml");
  ck_assert_int_eq(e.n_aliases, 2);
  ck_assert_str_eq(e.aliases[1], "Parentex");
  ck_assert(e.mw == 586.68);
  ck_assert_int_eq(e.n_values, 13);
  assert_value(&e.values[0], "molecular_weight", "586.68", "low", "");
  assert_value(&e.values[3], "hepatic_clint", "23.85 L/h/m2", "low", "plasma");
  assert_value(&e.values[4], "renal_clearance", "2.385 L/h", "low", "unbound");
  ck_assert_str_eq(e.values[7].note, "V_S*Kp_S");
  assert_value(&e.values[8], "metabolites[0].fraction", "0.12", "low", "");
  assert_value(&e.values[9], "exposure_target", "20 ug*h/mL - 30 mg.h/L per cycle", "high", "");
  assert_value(&e.values[10], "reference_pk.clearance", "32.1 L/h/m2", "high", "");
  assert_value(&e.values[11], "reference_pk.half_life", "14.1 min", "medium", "");
  ck_assert_int_eq(e.n_metabolites, 1);
  ck_assert_str_eq(e.metabolites[0].name, "activemide"); /* written as its alias ACT-38 */
  ck_assert_int_eq(e.metabolites[0].route, HS_FORM_HEPATIC);
  ck_assert(e.metabolites[0].fraction == 0.12);
  hs_library_entry_release(&e);
  ck_assert_ptr_null(e.values);
}
END_TEST

/* reference_pk and exposure_target resolve for the reference adult (70 kg, 176 cm). */
START_TEST(test_reference_pk) {
  hs_library_entry e;
  hs_error err;
  ck_assert_int_eq(hs_library_get(LIB, "PARENTEX", &e, &err), HS_OK);
  const hs_library_pk *pk = &e.pk;
  ck_assert_int_eq(pk->present, 1);
  HS_ASSERT_REL(pk->dose_mg, 85 * BSA_REF, 1e-9);
  ck_assert(pk->infusion_h == 2 && pk->follow_h == 72);
  ck_assert(pk->terminal_from_h == 24 && pk->terminal_to_h == 72);
  HS_ASSERT_REL(pk->clearance.value, 32.1 * BSA_REF, 1e-9);
  HS_ASSERT_REL(pk->clearance.low, 27.9 * BSA_REF, 1e-9);
  HS_ASSERT_REL(pk->clearance.high, 36.3 * BSA_REF, 1e-9);
  ck_assert_str_eq(pk->clearance.text, "32.1 L/h/m2 (27.9 L/h/m2 - 36.3 L/h/m2)");
  HS_ASSERT_REL(pk->half_life.value, 14.1 / 60, 1e-14);
  HS_ASSERT_REL(pk->half_life.high, 24.5 / 60, 1e-14);
  HS_ASSERT_REL(pk->vss.value, 0.26 * 70, 1e-14);
  HS_ASSERT_REL(pk->vss.low, 0.20 * 70, 1e-14);
  ck_assert_str_eq(pk->vss.confidence, "low");
  ck_assert_int_eq(e.target.present, 1);
  ck_assert_str_eq(e.target.measure, "auc_plasma");
  ck_assert_str_eq(e.target.per, "cycle");
  HS_ASSERT_REL(e.target.low, 20, 1e-14); /* 20 ug*h/mL */
  HS_ASSERT_REL(e.target.high, 30, 1e-14); /* 30 mg.h/L */
  hs_library_entry_release(&e);
}
END_TEST

/* ---- conversions ------------------------------------------------------------------------- */

/* 23.85 L/h/m2 plasma at BP 1.25, resolved with Mosteller and DuBois BSA of 70 kg, 176 cm. */
START_TEST(test_per_m2_bsa) {
  static const struct { hs_bsa_formula f; double m2; } C[] = {{HS_BSA_MOSTELLER, BSA_REF},
                                                              {HS_BSA_DUBOIS, BSA_DUBOIS}};
  hs_patient pt = {.weight_kg = 70, .height_cm = 176, .bsa_formula = C[_i].f};
  pt.bsa_m2 = hs_patient_bsa(pt.bsa_formula, 70, 176);
  hs_drug d;
  hs_error err;
  ck_assert_int_eq(hs_library_drug(LIB, "parentamide", &pt, &d, &err), HS_OK);
  HS_ASSERT_REL(d.hepatic.cl, 23.85 / 1.25 * C[_i].m2, 1e-9);
}
END_TEST

/* Per kg volume (plasma), unbound -> plasma -> blood clearance and Km, plain keys. */
START_TEST(test_basis_and_per_kg) {
  hs_drug d;
  hs_error err;
  ck_assert_int_eq(hs_library_drug(LIB, "parentamide", NULL, &d, &err), HS_OK);
  HS_ASSERT_REL(d.bp, 1.25, 1e-15);
  HS_ASSERT_REL(d.v_s, 4.2 * 70 / 1.25, 1e-14);
  HS_ASSERT_REL(d.cl_r, 2.385 * 0.35 / 1.25, 1e-14);
  HS_ASSERT_REL(d.cl_bind, 7.3 / 1.25, 1e-14);
  HS_ASSERT_REL(d.q_s, 40.5, 1e-15);
  HS_ASSERT_REL(d.hepatic.cl, 23.85 / 1.25 * BSA_REF, 1e-9);
  ck_assert_int_eq(hs_library_drug(LIB, "activemide", NULL, &d, &err), HS_OK);
  ck_assert_int_eq(d.extrahepatic.kind, HS_ELIM_MM);
  HS_ASSERT_REL(d.extrahepatic.km, 2.5 / 0.4 * 0.9, 1e-14);
  HS_ASSERT_REL(d.extrahepatic.vmax, 9.4 * BSA_REF, 1e-9); /* no basis for an amount rate */
}
END_TEST

static void load_text(hs_scenario *sc, const char *patient, const char *drugs) {
  char text[2048];
  hs_error err;
  snprintf(text, sizeof text, "%s\ndrugs:\n%ssimulation: {end: 48 h, output_interval: 1 h}\n",
           patient, drugs);
  int rc = hs_scenario_load_text(sc, "inline.yaml", text, LIB, &err);
  ck_assert_msg(rc == HS_OK, "%s\n---\n%s", err.msg, text);
}

/* hepatic_clearance 41.3 L/h (plasma, BP 1.2): the model's E_L Q_L' gives CL_H back. */
START_TEST(test_hepatic_clearance) {
  hs_scenario sc;
  hs_params p;
  hs_analytic a;
  hs_error err;
  load_text(&sc, "", "  organcl:\n    regimen: [{route: iv, dose: 10 mg}]\n");
  ck_assert_int_eq(hs_params_init(&p, &sc.phys, &sc.drugs[0].drug, NULL, 0, &err), HS_OK);
  hs_model_analytic(&p, &a);
  ck_assert(sc.phys.f_td > 0); /* Q_L' differs from Q_L */
  HS_ASSERT_REL(a.e_l * a.q_l_eff, 41.3 / 1.2, 1e-12);
  hs_drug d;
  ck_assert_int_eq(hs_library_drug(LIB, "organcl", NULL, &d, &err), HS_OK);
  HS_ASSERT_REL(d.hepatic.cl, sc.drugs[0].drug.hepatic.cl, 1e-15);
  hs_scenario_release(&sc);
}
END_TEST

static hs_scenario_slot slot(hs_scenario *sc, const char *path) {
  hs_scenario_slot s;
  hs_error err;
  ck_assert_msg(hs_scenario_slot_find(sc, path, &s, &err) == HS_OK, "%s: %s", path, err.msg);
  return s;
}

/* A sweep writing the weight re-resolves per-m2 and per-kg values exactly; a swept drug
 * value stays as written. */
START_TEST(test_rescale_on_weight) {
  hs_scenario sc;
  load_text(&sc, "patient: {weight: 70 kg, height: 176 cm}",
            "  PA-1:\n    regimen: [{route: hai, dose: 85 mg/m2, duration: 2 h}]\n");
  const hs_drug *d = &sc.drugs[0].drug;
  HS_ASSERT_REL(d->v_s, 4.2 * 70 / 1.25, 1e-14);
  hs_scenario_slot w = slot(&sc, "patient.weight");
  hs_scenario_slot_set(&sc, &w, 80);
  HS_ASSERT_REL(d->v_s, 4.2 * 80 / 1.25, 1e-14);
  HS_ASSERT_REL(d->hepatic.cl, 23.85 / 1.25 * sqrt(80 * 176 / 3600.0), 1e-13);
  hs_scenario_slot c = slot(&sc, "drugs.PA-1.hepatic_clint");
  hs_scenario_slot_set(&sc, &c, 412.7);
  hs_scenario_slot_set(&sc, &w, 61.3);
  HS_ASSERT_REL(d->hepatic.cl, 412.7, 1e-15);
  HS_ASSERT_REL(d->v_s, 4.2 * 61.3 / 1.25, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* ---- metabolites ------------------------------------------------------------------------- */

START_TEST(test_metabolite_added) {
  hs_scenario sc;
  load_text(&sc, "", "  PA-1:\n    regimen: [{route: iv, dose: 100 mg}]\n");
  ck_assert_int_eq(sc.n_drugs, 2); /* activemide's own inactivamide is not followed */
  ck_assert_int_eq(sc.drugs[0].parent, -1);
  HS_ASSERT_REL(sc.drugs[0].mw, 586.68, 1e-15);
  const hs_scenario_drug *m = &sc.drugs[1];
  ck_assert_str_eq(m->name, "activemide");
  ck_assert_str_eq(m->source, "activemide");
  ck_assert_int_eq(m->parent, 0);
  ck_assert_int_eq(m->route, HS_FORM_HEPATIC);
  HS_ASSERT_REL(m->yield, 0.12 * 392.4 / 586.68, 1e-14);
  HS_ASSERT_REL(m->mw, 392.4, 1e-15);
  ck_assert_int_eq(m->n_regimen, 0);
  HS_ASSERT_REL(m->drug.hepatic.cl, 61.7, 1e-15);
  /* sweep paths reach the metabolite and the new keys */
  hs_scenario_slot s = slot(&sc, "drugs.activemide.renal_clearance");
  ck_assert(s.value == &sc.drugs[1].drug.cl_r);
  s = slot(&sc, "drugs.PA-1.slow_tissue_volume");
  ck_assert(s.value == &sc.drugs[0].drug.v_s);
  s = slot(&sc, "drugs.PA-1.binding_clearance");
  HS_ASSERT_REL(hs_scenario_slot_get(&s), 7.3 / 1.25, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* A scenario entry named like the metabolite overrides its parameters. */
START_TEST(test_metabolite_override) {
  hs_scenario sc;
  load_text(&sc, "", "  ACT-38:\n    library: activemide\n    renal_clearance: 9.1 L/h\n"
                     "  parentamide:\n    regimen: [{route: iv, dose: 100 mg}]\n");
  ck_assert_int_eq(sc.n_drugs, 2);
  ck_assert_str_eq(sc.drugs[0].name, "ACT-38");
  ck_assert_int_eq(sc.drugs[0].parent, 1);
  HS_ASSERT_REL(sc.drugs[0].drug.cl_r, 9.1, 1e-15);
  HS_ASSERT_REL(sc.drugs[0].drug.hepatic.cl, 61.7, 1e-15);
  HS_ASSERT_REL(sc.drugs[0].yield, 0.12 * 392.4 / 586.68, 1e-14);
  ck_assert_int_eq(sc.drugs[1].parent, -1);
  hs_scenario_release(&sc);
}
END_TEST

START_TEST(test_metabolite_with_regimen) {
  hs_scenario sc;
  hs_error err;
  static const char text[] = "drugs:\n"
                             "  parentamide:\n    regimen: [{route: iv, dose: 100 mg}]\n"
                             "  activemide:\n    regimen: [{route: iv, dose: 5 mg}]\n"
                             "simulation: {end: 48 h, output_interval: 1 h}\n";
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, LIB, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "inline.yaml:5:14: 'drugs.activemide.regimen': 'activemide' is "
                            "formed from 'parentamide' (a metabolite in its library entry): "
                            "give it no regimen");
}
END_TEST

/* A scenario's exposure_target replaces the library's; a threshold has no upper bound. */
START_TEST(test_target_override) {
  hs_scenario sc;
  load_text(&sc, "", "  PA-1:\n    exposure_target: {measure: cmax_plasma, low: 2.385 ug/mL, "
                     "per: run}\n    regimen: [{route: iv, dose: 100 mg}]\n");
  const hs_exposure_target *t = &sc.drugs[0].target;
  ck_assert_int_eq(t->present, 1);
  ck_assert_str_eq(t->measure, "cmax_plasma");
  ck_assert_str_eq(t->per, "run");
  HS_ASSERT_REL(t->low, 2.385, 1e-14);
  ck_assert(isinf(t->high));
  ck_assert_int_eq(sc.drugs[1].target.present, 0);
  hs_scenario_release(&sc);
}
END_TEST

Suite *hs_suite_library(void) {
  Suite *s = suite_create("library");
  TCase *bad = tcase_create("broken");
  tcase_add_loop_test(bad, test_broken_entry, 0, (int)(sizeof BROKEN / sizeof BROKEN[0]));
  tcase_add_test(bad, test_names_broken);
  suite_add_tcase(s, bad);
  TCase *look = tcase_create("lookup");
  tcase_add_test(look, test_names_sorted);
  tcase_add_test(look, test_shipped_library);
  tcase_add_test(look, test_did_you_mean);
  tcase_add_test(look, test_get_by_alias);
  tcase_add_test(look, test_reference_pk);
  suite_add_tcase(s, look);
  TCase *conv = tcase_create("conversions");
  tcase_add_loop_test(conv, test_per_m2_bsa, 0, 2);
  tcase_add_test(conv, test_basis_and_per_kg);
  tcase_add_test(conv, test_hepatic_clearance);
  tcase_add_test(conv, test_rescale_on_weight);
  suite_add_tcase(s, conv);
  TCase *met = tcase_create("metabolites");
  tcase_add_test(met, test_metabolite_added);
  tcase_add_test(met, test_metabolite_override);
  tcase_add_test(met, test_metabolite_with_regimen);
  tcase_add_test(met, test_target_override);
  suite_add_tcase(s, met);
  return s;
}
