/* check_scenario.c - scenario loading: every malformed file under fixtures/bad/ is refused
 * with file:line and its key; valid files convert to internal units. Run from tests/. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_scenario.h"
#include "hs_test.h"

#define BAD_DIR "fixtures/bad/"
#define S1 "../scenarios/reference/s1.yaml"
#define DEFAULT_SCENARIO "../scenarios/default.yaml"

/* ---- malformed scenarios ----------------------------------------------------------- */

typedef struct bad_case {
  const char *file; /* fixtures/bad/<file>.yaml */
  int line;         /* line the message points at */
  const char *key;  /* key path quoted in the message; NULL: the document as a whole */
  const char *what; /* substring of the message */
} bad_case;

#define R0 "drugs.s1_linear.regimen[0]"
static const bad_case BAD[] = {
    {"yaml_unclosed_quote", 24, NULL, "quoted scalar that starts at line 2"},
    {"yaml_tab_indent", 5, NULL, "indent with spaces, not tabs"},
    {"yaml_bad_indent", 5, NULL, "check this line's indentation"},
    {"empty_file", 1, NULL, "the file is empty"},
    {"not_a_mapping", 2, NULL, "a scenario is a mapping of sections"},
    {"top_unknown_key", 21, NULL, "unknown key 'simulaton' (did you mean 'simulation'?)"},
    {"patient_unknown_key", 4, "patient", "did you mean 'cardiac_output'?"},
    {"dose_unknown_key", 20, R0, "unknown key 'duraton' (did you mean 'duration'?)"},
    {"duplicate_key", 7, "patient", "duplicate key 'hepatic_flow'"},
    {"description_too_long", 2, "description", "longer than 255 characters"},
    {"profile_on_bolus", 20, R0 ".profile", "a rate profile needs an infusion"},
    {"profile_no_peak", 21, R0 ".profile", "a chronomodulated profile needs 'peak'"},
    {"profile_no_weights", 21, R0 ".profile", "a step profile needs 'weights'"},
    {"profile_amplitude", 21, R0 ".profile.amplitude", "must lie between 0 and 1"},
    {"filtration_efficiency", 25, "hepatic_filtration[0].efficiency", "must lie between 0 and 1"},
    {"filtration_no_duration", 25, "hepatic_filtration[0]", "'duration' is required"},
    {"missing_unit", 5, "patient.hepatic_flow", "missing unit: expected a flow"},
    {"unknown_unit", 5, "patient.hepatic_flow", "unknown unit 'hrs' in '90 L/hrs'"},
    {"unit_exponent", 5, "patient.hepatic_flow", "expected a flow (e.g. '1.5 L/min', '90 L/h'), "
                                                 "got '90 L/hr2'"},
    {"wrong_dimension", 9, "tumor.perfusion", "expected a flow per volume or rate constant"},
    {"negative_volume", 8, "tumor.volume", "must be > 0, got '-0.1 L'"},
    {"fraction_above_one", 6, "patient.arterial_fraction", "must lie between 0 and 1"},
    {"fraction_percent", 6, "patient.arterial_fraction", "got '130 %'"},
    {"unknown_bsa_formula", 7, "patient.bsa_formula", "did you mean 'mosteller'?"},
    {"bsa_zero", 7, "patient.bsa", "must be > 0, got '0 m2'"},
    {"tumor_too_large", 9, "tumor.perfusion", "Q_LA = f_HA*Q_H - f_TA*p_T*V_T = -20.7 L/h"},
    {"hepatic_above_cardiac", 5, "patient.hepatic_flow", "Q_R = Q_CO - Q_H = -64 L/h"},
    {"drug_unknown", 12, "drugs.floxuridin", "unknown drug 'floxuridin' (did you mean "
                                             "'floxuridine'?)"},
    {"drug_name_dot", 12, "drugs.s1.linear", "drug names must be"},
    {"clint_and_vmax", 15, "drugs.s1_linear", "give either hepatic_clint or hepatic_vmax"},
    {"vmax_no_km", 14, "drugs.s1_linear", "hepatic_vmax and hepatic_km must be given together"},
    {"no_renal_clearance", 13, "drugs.s1_linear", "renal_clearance is required"},
    {"regimen_empty", 16, "drugs.s1_linear.regimen", "a non-empty list of doses is required"},
    {"regimen_missing", 12, "drugs.s1_linear.regimen", "a non-empty list of doses is required"},
    {"route_unknown", 17, R0 ".route", "unknown value 'hia' (did you mean 'hai'?)"},
    {"dose_and_rate", 17, R0, "give exactly one of 'dose'"},
    {"rate_no_duration", 17, R0, "a 'rate' needs a 'duration' > 0"},
    {"tace_duration", 20, R0, "a 'tace' dose loads the depot at once"},
    {"cycles_no_every", 17, R0, "2 cycles need 'every'"},
    {"every_too_short", 21, R0, "cycle length 4 h is shorter than the infusion (6 h)"},
    {"cycles_zero", 21, R0 ".cycles", "expected a whole number >= 1, got '0'"},
    {"tace_no_release", 17, R0, "which this drug never releases: give the drug a "
                                "'depot_release'"},
    {"unknown_alias", 12, "drugs.FUDRR", "unknown drug 'FUDRR' (did you mean 'FUDR'?)"},
    {"dose_after_end", 17, R0, "the dose at 30 h (cycle 1 of 1) starts at or after the "
                               "simulation end"},
    {"simulation_missing", 2, "simulation", "section is required"},
    {"simulation_no_end", 22, "simulation.end", "is required"},
    {"output_interval_too_long", 23, "simulation.output_interval", "48 h is longer than the "
                                                                   "simulation (end 24 h)"},
    {"iv_comparator_not_bool", 24, "simulation.iv_comparator", "expected true or false"},
    {"embo_full_occlusion", 28, "embolization[0]", "flow_reduction must be below 100 %"},
    {"embo_no_half_life", 25, "embolization[0]", "needs 'recovery_half_life'"},
    {"embo_onset_after_end", 27, "embolization[0]", "onset 30 h is at or after the simulation "
                                                    "end 24 h"},
};
#undef R0
#define N_BAD ((int)(sizeof BAD / sizeof BAD[0]))

START_TEST(test_bad_fixture) {
  const bad_case *c = &BAD[_i];
  char path[256], prefix[300], key[128];
  snprintf(path, sizeof path, BAD_DIR "%s.yaml", c->file);
  snprintf(prefix, sizeof prefix, "%s:%d:", path, c->line);
  hs_scenario sc;
  hs_error err;
  hs_error_clear(&err);
  ck_assert_int_eq(hs_scenario_load(&sc, path, NULL, &err), HS_EINPUT);
  ck_assert_int_eq(err.code, HS_EINPUT);
  ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "%s: want prefix '%s', got '%s'",
                c->file, prefix, err.msg);
  if (c->key) {
    snprintf(key, sizeof key, "'%s'", c->key);
    ck_assert_msg(strstr(err.msg, key), "%s: no %s in '%s'", c->file, key, err.msg);
  }
  ck_assert_msg(strstr(err.msg, c->what), "%s: no '%s' in '%s'", c->file, c->what, err.msg);
  ck_assert_ptr_null(sc.path); /* nothing left to release */
  ck_assert_ptr_null(sc.drugs);
  ck_assert_int_eq(sc.n_drugs, 0);
}
END_TEST

static int in_table(const char *file) {
  for (int i = 0; i < N_BAD; i++) {
    size_t n = strlen(BAD[i].file);
    if (!strncmp(file, BAD[i].file, n) && !strcmp(file + n, ".yaml")) return 1;
  }
  return 0;
}

/* Every fixture on disk has a row (the CLI suite runs them all) and there are enough. */
START_TEST(test_bad_table_complete) {
  DIR *dp = opendir(BAD_DIR);
  ck_assert_ptr_nonnull(dp);
  int n = 0;
  for (struct dirent *e; (e = readdir(dp));) {
    if (e->d_name[0] == '.') continue;
    ck_assert_msg(in_table(e->d_name), "fixture %s has no row in BAD[]", e->d_name);
    n++;
  }
  closedir(dp);
  ck_assert_int_eq(n, N_BAD);
  ck_assert_int_ge(n, 30);
}
END_TEST

/* ---- valid scenarios --------------------------------------------------------------- */

static void load_ok(hs_scenario *sc, const char *path, const char *data_dir) {
  hs_error err;
  hs_error_clear(&err);
  int rc = hs_scenario_load(sc, path, data_dir, &err);
  ck_assert_msg(rc == HS_OK, "%s: %s", path, err.msg);
}

static void load_text_ok(hs_scenario *sc, const char *text, const char *data_dir) {
  hs_error err;
  hs_error_clear(&err);
  int rc = hs_scenario_load_text(sc, "inline.yaml", text, data_dir, &err);
  ck_assert_msg(rc == HS_OK, "%s\n---\n%s", err.msg, text);
}

START_TEST(test_s1_physiology) {
  hs_scenario sc;
  load_ok(&sc, S1, NULL);
  const hs_physiology *p = &sc.phys;
  HS_ASSERT_REL(p->q_co, 336.0, 1e-14);
  HS_ASSERT_REL(p->q_h, 90.0, 1e-14);
  HS_ASSERT_REL(p->f_ha, 0.25, 1e-14);
  HS_ASSERT_REL(p->v_b, 5.0, 1e-14);
  HS_ASSERT_REL(p->v_g, 1.5, 1e-14);
  HS_ASSERT_REL(p->v_l, 1.8, 1e-14);
  HS_ASSERT_REL(p->v_r, 40.0, 1e-14);
  HS_ASSERT_REL(p->v_t, 0.1, 1e-14);
  HS_ASSERT_REL(p->p_t, 24.0, 1e-14);
  HS_ASSERT_REL(p->f_ta, 0.9, 1e-14);
  ck_assert(p->f_td == 0.0);
  HS_ASSERT_REL(sc.sim.t_end, 504.0, 1e-14);
  HS_ASSERT_REL(sc.sim.dt_out, 1.0, 1e-14);
  ck_assert_int_eq(sc.iv_comparator, 1);
  ck_assert_str_eq(sc.path, S1);
  ck_assert_ptr_nonnull(strstr(sc.text, "s1_linear:"));
  hs_scenario_release(&sc);
}
END_TEST

START_TEST(test_s1_drug_and_regimen) {
  hs_scenario sc;
  load_ok(&sc, S1, NULL);
  ck_assert_int_eq(sc.n_drugs, 1);
  const hs_scenario_drug *d = &sc.drugs[0];
  ck_assert_str_eq(d->name, "s1_linear");
  ck_assert_str_eq(d->source, "");
  ck_assert_int_eq(d->drug.hepatic.kind, HS_ELIM_LINEAR);
  HS_ASSERT_REL(d->drug.hepatic.cl, 1664.4, 1e-14);
  HS_ASSERT_REL(d->drug.cl_r, 30.0, 1e-14);
  ck_assert(d->drug.extrahepatic.kind == HS_ELIM_LINEAR && d->drug.extrahepatic.cl == 0.0);
  ck_assert_int_eq(d->n_regimen, 1);
  const hs_dose_spec *s = &d->regimen[0];
  ck_assert_int_eq(s->route, HS_ROUTE_HA);
  ck_assert_int_eq(s->by_rate, 1);
  ck_assert_int_eq(s->norm, HS_NORM_NONE);
  HS_ASSERT_REL(s->rate, 0.35, 1e-14);
  HS_ASSERT_REL(s->duration, 336.0, 1e-14);
  ck_assert(s->start == 0.0 && s->every == 0.0);
  ck_assert_int_eq(s->cycles, 1);
  hs_scenario_release(&sc);
}
END_TEST

/* A scenario of the given sections plus a simulation block. */
static void scenario_text(char *buf, size_t cap, const char *patient, const char *drugs) {
  snprintf(buf, cap, "%s\n%s\nsimulation: {end: 48 h, output_interval: 10 min}\n", patient,
           drugs);
}

#define INLINE_DRUG                                                                     \
  "drugs:\n  lin:\n    library: none\n    hepatic_clint: 412.7 L/h\n"                    \
  "    renal_clearance: 17.3 L/h\n    regimen: [{route: iv, dose: 238.5 mg}]\n"

/* Units other than the internal ones convert: L/min, mL, mL/min/mL, %, min. */
START_TEST(test_unit_conversion) {
  char text[1024];
  scenario_text(text, sizeof text,
                "patient: {cardiac_output: 5.6 L/min, hepatic_flow: 1450 mL/min}\n"
                "tumor: {volume: 85 mL, perfusion: 0.41 mL/min/mL, arterial_fraction: 83.5 %}",
                INLINE_DRUG);
  hs_scenario sc;
  load_text_ok(&sc, text, NULL);
  HS_ASSERT_REL(sc.phys.q_co, 336.0, 1e-14);
  HS_ASSERT_REL(sc.phys.q_h, 87.0, 1e-14);
  HS_ASSERT_REL(sc.phys.v_t, 0.085, 1e-14);
  HS_ASSERT_REL(sc.phys.p_t, 24.6, 1e-14);
  HS_ASSERT_REL(sc.phys.f_ta, 0.835, 1e-14);
  HS_ASSERT_REL(sc.sim.dt_out, 1.0 / 6.0, 1e-14);
  HS_ASSERT_REL(sc.drugs[0].regimen[0].amount, 238.5, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* What a library drug resolved to. */
static void load_library_drug(hs_scenario *sc, const char *drug_yaml, const char *data_dir) {
  char text[1024];
  scenario_text(text, sizeof text, "patient: {weight: 70 kg}", drug_yaml);
  load_text_ok(sc, text, data_dir);
}

START_TEST(test_library_alias) {
  hs_scenario sc;
  load_library_drug(&sc, "drugs:\n  5-FU:\n    regimen: [{route: iv, dose: 400 mg}]\n", NULL);
  ck_assert_str_eq(sc.drugs[0].name, "5-FU");
  ck_assert_str_eq(sc.drugs[0].source, "fluorouracil");
  ck_assert_int_eq(sc.drugs[0].drug.hepatic.kind, HS_ELIM_MM);
  HS_ASSERT_REL(sc.drugs[0].drug.hepatic.vmax, 80.0, 1e-14);
  hs_scenario_release(&sc);
  load_library_drug(&sc, "drugs:\n  pump:\n    library: FUDR\n"
                         "    regimen: [{route: hai, dose: 5 mg}]\n", NULL);
  ck_assert_str_eq(sc.drugs[0].name, "pump");
  ck_assert_str_eq(sc.drugs[0].source, "floxuridine");
  HS_ASSERT_REL(sc.drugs[0].drug.hepatic.cl, 3080.0, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* Overriding renal_clearance leaves every other library value as it was. */
START_TEST(test_library_override_one) {
  hs_scenario sc;
  load_library_drug(&sc, "drugs:\n  floxuridine:\n    renal_clearance: 7.35 L/h\n"
                         "    regimen: [{route: hai, dose: 5 mg}]\n", NULL);
  const hs_drug *d = &sc.drugs[0].drug;
  HS_ASSERT_REL(d->cl_r, 7.35, 1e-14);
  ck_assert_int_eq(d->hepatic.kind, HS_ELIM_LINEAR);
  HS_ASSERT_REL(d->hepatic.cl, 3080.0, 1e-14);
  ck_assert_int_eq(d->extrahepatic.kind, HS_ELIM_LINEAR);
  HS_ASSERT_REL(d->extrahepatic.cl, 88.0, 1e-14);
  ck_assert(d->bp == 1.0 && d->kp_l == 1.0 && d->cl_t == 0.0);
  hs_scenario_release(&sc);
}
END_TEST

/* hepatic_clint replaces fluorouracil's saturable hepatic route; the extrahepatic one stays. */
START_TEST(test_library_override_route) {
  hs_scenario sc;
  load_library_drug(&sc, "drugs:\n  fluorouracil:\n    hepatic_clint: 412.7 L/h\n"
                         "    regimen: [{route: hai, dose: 5 mg}]\n", NULL);
  const hs_drug *d = &sc.drugs[0].drug;
  ck_assert_int_eq(d->hepatic.kind, HS_ELIM_LINEAR);
  HS_ASSERT_REL(d->hepatic.cl, 412.7, 1e-14);
  ck_assert_int_eq(d->extrahepatic.kind, HS_ELIM_MM);
  HS_ASSERT_REL(d->extrahepatic.vmax, 1070.0, 1e-14);
  HS_ASSERT_REL(d->extrahepatic.km, 5.57, 1e-14);
  HS_ASSERT_REL(d->cl_r, 13.0, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* fixtures/lib/drugs/plasmadrug.yaml: BP 2; plasma CL / BP and plasma Km * BP. */
START_TEST(test_library_plasma_basis) {
  hs_scenario sc;
  load_library_drug(&sc, "drugs:\n  PD-2:\n    regimen: [{route: iv, dose: 50 mg}]\n",
                    "fixtures/lib");
  ck_assert_str_eq(sc.drugs[0].source, "plasmadrug");
  const hs_drug *d = &sc.drugs[0].drug;
  ck_assert(d->bp == 2.0);
  ck_assert_int_eq(d->hepatic.kind, HS_ELIM_MM);
  HS_ASSERT_REL(d->hepatic.vmax, 612.5, 1e-14); /* an amount per time: no basis */
  HS_ASSERT_REL(d->hepatic.km, 3.85 * 2, 1e-14);
  HS_ASSERT_REL(d->extrahepatic.cl, 47.3 / 2, 1e-14);
  HS_ASSERT_REL(d->cl_r, 12.7 / 2, 1e-14);
  HS_ASSERT_REL(d->cl_t, 0.83, 1e-14); /* blood basis as written */
  HS_ASSERT_REL(sc.phys.q_co, 6.5 * 60, 1e-14); /* fixtures/lib/physiology.yaml */
  hs_scenario_release(&sc);
}
END_TEST

static void load_fails(const char *drug_yaml, const char *data_dir, const char *want1,
                       const char *want2) {
  char text[1024];
  hs_scenario sc;
  hs_error err;
  scenario_text(text, sizeof text, "patient: {weight: 70 kg}", drug_yaml);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, data_dir, &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, want1) && strstr(err.msg, want2), "got '%s'", err.msg);
}

START_TEST(test_library_needs_source) {
  load_fails("drugs:\n  nosource:\n    regimen: [{route: iv, dose: 50 mg}]\n",
             "fixtures/lib_nosource", "drugs/nosource.yaml:12:18: 'renal_clearance'",
             "library values need a source");
}
END_TEST

START_TEST(test_library_dir_missing) {
  load_fails("drugs:\n  floxuridine:\n    regimen: [{route: iv, dose: 50 mg}]\n",
             "fixtures/no_such_dir", "fixtures/no_such_dir/physiology.yaml", "cannot open");
}
END_TEST

/* 0.12 mg/kg/d x 70 kg x 14 d = 117.6 mg per cycle, cycles at 0 and 28 d = 672 h. */
START_TEST(test_default_expands) {
  hs_scenario sc;
  load_ok(&sc, DEFAULT_SCENARIO, NULL);
  const hs_scenario_drug *d = &sc.drugs[0];
  ck_assert_str_eq(d->source, "floxuridine");
  ck_assert_int_eq(d->regimen[0].norm, HS_NORM_WEIGHT);
  hs_dose doses[4];
  hs_error err;
  int n = hs_regimen_expand(d->regimen, d->n_regimen, &sc.patient, doses, 4, &err);
  ck_assert_int_eq(n, 2);
  for (int i = 0; i < 2; i++) {
    ck_assert_int_eq(doses[i].route, HS_ROUTE_HA);
    HS_ASSERT_REL(doses[i].amount_mg, 117.6, 1e-13);
    ck_assert(doses[i].t_start == 672.0 * i);
    HS_ASSERT_REL(doses[i].t_end, 336.0 + 672.0 * i, 1e-14);
  }
  HS_ASSERT_REL(sc.sim.t_end, 56 * 24.0, 1e-14);
  hs_scenario_release(&sc);
}
END_TEST

/* 70 kg, 176 cm by hand: Mosteller sqrt(70 * 176 / 3600) = sqrt(3.422222...);
 * DuBois 0.007184 * 70^0.425 * 176^0.725 = 0.007184 * 6.083549 * 42.45083;
 * Haycock 0.024265 * 70^0.5378 * 176^0.3964 = 0.024265 * 9.841566 * 7.750633. */
static const struct { const char *name; hs_bsa_formula f; double m2; } BSA[] = {
    {"mosteller", HS_BSA_MOSTELLER, 1.849924923},
    {"dubois", HS_BSA_DUBOIS, 1.855793609},
    {"haycock", HS_BSA_HAYCOCK, 1.850952369},
};

START_TEST(test_bsa_formula) {
  HS_ASSERT_REL(hs_patient_bsa(BSA[_i].f, 70.0, 176.0), BSA[_i].m2, 1e-9);
  char patient[128], text[1024];
  snprintf(patient, sizeof patient, "patient: {weight: 70 kg, height: 1.76 m, bsa_formula: %s}",
           BSA[_i].name);
  scenario_text(text, sizeof text, patient, INLINE_DRUG);
  hs_scenario sc;
  load_text_ok(&sc, text, NULL);
  ck_assert_int_eq(sc.patient.bsa_formula, BSA[_i].f);
  HS_ASSERT_REL(sc.patient.bsa_m2, BSA[_i].m2, 1e-9);
  hs_scenario_release(&sc);
}
END_TEST

/* 238.5 mg/m2 given to the computed BSA, and to an explicit one. */
static double per_m2_dose(const char *patient) {
  char text[1024];
  scenario_text(text, sizeof text, patient,
                "drugs:\n  lin:\n    library: none\n    hepatic_clint: 412.7 L/h\n"
                "    renal_clearance: 17.3 L/h\n"
                "    regimen: [{route: hai, dose: 238.5 mg/m2, duration: 2 h}]\n");
  hs_scenario sc;
  hs_dose dose;
  hs_error err;
  load_text_ok(&sc, text, NULL);
  ck_assert_int_eq(sc.drugs[0].regimen[0].norm, HS_NORM_BSA);
  ck_assert_int_eq(hs_regimen_expand(sc.drugs[0].regimen, 1, &sc.patient, &dose, 1, &err), 1);
  hs_scenario_release(&sc);
  return dose.amount_mg;
}

START_TEST(test_per_m2_scales) {
  HS_ASSERT_REL(per_m2_dose("patient: {weight: 70 kg, height: 176 cm}"), 238.5 * 1.849924923,
                1e-9);
  HS_ASSERT_REL(per_m2_dose("patient: {bsa: 2.17 m2}"), 238.5 * 2.17, 1e-13);
}
END_TEST

/* Rate profiles: the peak's time of day becomes simulation time through
 * time_of_day_at_start; step weights are read in order. */
START_TEST(test_rate_profiles) {
  static const char text[] =
      "drugs:\n"
      "  s1_linear:\n"
      "    library: none\n"
      "    hepatic_clint: 1664.4 L/h\n"
      "    renal_clearance: 30 L/h\n"
      "    regimen:\n"
      "      - {route: hai, dose: 238.5 mg, start: 0 h, duration: 12 h,\n"
      "         profile: {shape: chronomodulated, peak: 4 h, amplitude: 73 %}}\n"
      "      - {route: pv, dose: 10 mg, start: 24 h, duration: 3 h,\n"
      "         profile: {shape: steps, weights: [1, 2.385, 0]}}\n"
      "simulation: {end: 48 h, output_interval: 1 h, time_of_day_at_start: 22 h}\n";
  hs_scenario sc;
  load_text_ok(&sc, text, NULL);
  const hs_profile *c = &sc.drugs[0].regimen[0].profile, *st = &sc.drugs[0].regimen[1].profile;
  ck_assert_int_eq(c->shape, HS_PROFILE_CHRONO);
  HS_ASSERT_REL(c->amplitude, 0.73, 1e-15);
  HS_ASSERT_REL(c->peak, 4.0 - 22.0, 1e-15); /* 04:00 is 6 h after a 22:00 start */
  ck_assert_int_eq(st->shape, HS_PROFILE_STEPS);
  ck_assert_int_eq(st->n_steps, 3);
  HS_ASSERT_REL(st->weights[1], 2.385, 1e-15);
  ck_assert_int_eq(hs_regimen_count(sc.drugs[0].regimen, sc.drugs[0].n_regimen), 4);
  hs_scenario_release(&sc);
}
END_TEST


/* ---- catheter territory, misperfusion, permeability (model.md extension) ------------ */

#define TERR_TAIL "drugs:\n  fluorouracil:\n    regimen:\n      - {route: hai, dose: 100 mg}\n" \
                  "simulation: {end: 24 h, output_interval: 1 h}\n"

START_TEST(test_territory_keys) {
  hs_scenario sc;
  load_text_ok(&sc, "catheter: {position: lobar, liver_coverage: 60 %, tumor_coverage: 80 %}\n"
                    "misperfusion: {share: 5 %}\n"
                    "tumor: {permeability_surface: 2 L/h}\n" TERR_TAIL, NULL);
  const hs_territory *t = &sc.phys.terr;
  ck_assert(t->catheter == 1 && t->position == HS_CATH_LOBAR);
  HS_ASSERT_REL(t->liver_cov, 0.6, 1e-15);
  HS_ASSERT_REL(t->tumor_cov, 0.8, 1e-15);
  ck_assert(t->gastric == 1);
  HS_ASSERT_REL(t->mis_share, 0.05, 1e-15);
  HS_ASSERT_REL(t->phi_gs, 0.0526, 1e-15); /* physiology.yaml: 1/19 */
  HS_ASSERT_REL(t->ps, 2.0, 1e-15);
  HS_ASSERT_REL(t->f_vas, 0.225, 1e-15);   /* physiology.yaml default */
  hs_scenario_release(&sc);
  load_text_ok(&sc, TERR_TAIL, NULL); /* none given: all off */
  ck_assert(!sc.phys.terr.catheter && !sc.phys.terr.gastric && sc.phys.terr.ps == 0);
  hs_scenario_release(&sc);
}
END_TEST

static const char *const TERR_BAD[][2] = {
    {"catheter: {position: proper_hepatic, liver_coverage: 60 %}\n",
     "inline.yaml:1:11: 'catheter': a catheter at the proper hepatic artery perfuses the whole "
     "liver: coverage must be 100 % (got liver 60 %, tumour 100 %)"},
    {"catheter: {position: segmental}\n",
     "inline.yaml:1:11: 'catheter': a segmental catheter needs 'liver_coverage', the share of "
     "the liver volume its branch perfuses"},
    {"catheter: {position: lobar, liver_coverage: 100 %, tumor_coverage: 50 %}\n",
     "inline.yaml:1:68: 'catheter': tumor_coverage below 100 % needs liver_coverage below "
     "100 %: the tumour outside the territory drains into the liver outside it"},
    {"misperfusion: {gastric_flow_share: 5 %}\n",
     "inline.yaml:1:15: 'misperfusion': 'share' is required (the share of the hepatic-arterial "
     "infusate reaching the stomach, e.g. 5 %)"},
    {"tumor: {permeability_surface: 2 L/h, vascular_fraction: 99 %}\n"
     "drugs:\n  fluorouracil:\n    kp_tumor: 0.9\n    regimen:\n      - {route: hai, dose: "
     "100 mg}\nsimulation: {end: 24 h, output_interval: 1 h}\n",
     "inline.yaml:1:31: 'tumor.permeability_surface': drug 'fluorouracil': permeability-limited "
     "tumour: Kp_T = 0.9 must exceed the vascular fraction f_vas = 0.99 (Kp_ev = (Kp_T - "
     "f_vas) / (1 - f_vas) must be > 0)"},
};

START_TEST(test_territory_reject) {
  char text[1024];
  int own = strstr(TERR_BAD[_i][0], "drugs:") != NULL; /* a case with its own drug */
  snprintf(text, sizeof text, "%s%s", TERR_BAD[_i][0], own ? "" : TERR_TAIL);
  hs_scenario sc;
  hs_error err = {0};
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, NULL, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, TERR_BAD[_i][1]);
}
END_TEST

/* ---- input limits ------------------------------------------------------------------- */

/* n opening brackets, then n closing ones, into a malloc'd string. */
static char *brackets(int n) {
  char *t = malloc(2 * (size_t)n + 2);
  ck_assert_ptr_nonnull(t);
  memset(t, '[', (size_t)n);
  memset(t + n, ']', (size_t)n);
  strcpy(t + 2 * n, "\n");
  return t;
}

/* n mappings inside one another by indentation: "k1:\n k2:\n  k3: ..." */
static char *indented(int n) {
  char *t = malloc((size_t)n * (n + 8) + 16), *p = t;
  ck_assert_ptr_nonnull(t);
  for (int i = 1; i <= n; i++) p += sprintf(p, "%*sk%d:\n", i - 1, "", i);
  sprintf(p, "%*sx\n", n, "");
  return t;
}

static const char *load_text_fails(const char *text) {
  static hs_error err;
  hs_scenario sc;
  hs_error_clear(&err);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", text, NULL, &err), HS_EINPUT);
  ck_assert_ptr_null(sc.path);
  return err.msg;
}

#define ONE_DOC "only one document is allowed in a scenario or data file"
#define NOT_UTF8 "; save the file as UTF-8"
/* {text, the exact message}: each refused where the offending byte or event is */
static const char *const LIMIT_TEXT[][2] = {
    {"patient: {weight: 70 kg}\n---\nbogus: 1\n",
     "inline.yaml:2:1: a second YAML document ('---' after the first): " ONE_DOC},
    {"--- {patient: {weight: 70 kg}}\n--- {bogus: 1}\n",
     "inline.yaml:2:1: a second YAML document ('---' after the first): " ONE_DOC},
    {"patient: {weight: 70 kg}\n...\n---\n",
     "inline.yaml:3:1: a second YAML document ('---' after the first): " ONE_DOC},
    {"a: &w 70 kg\npatient: {weight: *w}\n",
     "inline.yaml:2:19: alias '*w': YAML aliases are not supported in scenario and data files; "
     "write the value out"},
    {"drugs: &d [*d]\n", /* an alias inside its own anchor: a cycle */
     "inline.yaml:1:12: alias '*d': YAML aliases are not supported in scenario and data files; "
     "write the value out"},
    {"\xFF\xFEp", "inline.yaml:1:1: the file is UTF-16 (it starts with a byte-order mark); "
                  "save it as UTF-8"},
    {"\xFE\xFF", "inline.yaml:1:1: the file is UTF-16 (it starts with a byte-order mark); "
                 "save it as UTF-8"},
    {"description: x\npatient: {weight: 70 \xB5g}\n",
     "inline.yaml:2:22: invalid UTF-8 (byte 0xB5)" NOT_UTF8},
    {"description: \xC2\xB5\xC2\xB5 \xE2\x86\x92 \xC0\xAF\n", /* overlong '/' after µµ → */
     "inline.yaml:1:19: invalid UTF-8 (byte 0xC0)" NOT_UTF8},
    {"\xEF\xBB\xBF" "description: \xED\xA0\x80\n", /* a surrogate, after a UTF-8 BOM */
     "inline.yaml:1:14: invalid UTF-8 (byte 0xED)" NOT_UTF8},
    {"description: \xF4\x90\x80\x80\n", "inline.yaml:1:14: invalid UTF-8 (byte 0xF4)" NOT_UTF8},
    {"description: \xE2\x86\n", "inline.yaml:1:14: invalid UTF-8 (byte 0xE2)" NOT_UTF8},
    {"description: a\r\nb: \x01\n",
     "inline.yaml:2:4: control characters are not allowed (character code 0x1)"},
};

START_TEST(test_limit_text) {
  ck_assert_str_eq(load_text_fails(LIMIT_TEXT[_i][0]), LIMIT_TEXT[_i][1]);
}
END_TEST

/* 40,000 nested '[' (80 KB) are refused at the 65th, as are 65 mappings nested by
 * indentation; 64 levels are read (and refused later: not a mapping of sections). */
START_TEST(test_limit_depth) {
  char *t = brackets(40000);
  ck_assert_str_eq(load_text_fails(t),
                   "inline.yaml:1:65: lists and mappings nested deeper than 64 levels");
  free(t);
  t = brackets(64);
  ck_assert_str_eq(load_text_fails(t), "inline.yaml:1:1: a scenario is a mapping of sections "
                                       "(patient, tumor, drugs, embolization, simulation)");
  free(t);
  t = indented(65);
  ck_assert_str_eq(load_text_fails(t),
                   "inline.yaml:65:65: lists and mappings nested deeper than 64 levels");
  free(t);
  t = indented(64);
  const char *msg = load_text_fails(t);
  ck_assert_msg(!strncmp(msg, "inline.yaml:1:1: unknown key 'k1';", 34), "got '%s'", msg);
  free(t);
}
END_TEST

/* Bytes a string cannot carry, and the size limit, from files; load's message exactly. */
static void write_bytes(const char *path, const char *bytes, size_t n) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

static const char *load_file_fails(const char *path) {
  static hs_error err;
  static char msg[HS_ERROR_MSG_LEN];
  hs_scenario sc;
  hs_error_clear(&err);
  ck_assert_int_eq(hs_scenario_load(&sc, path, NULL, &err), HS_EINPUT);
  ck_assert_ptr_null(sc.path);
  /* the temporary directory's name is not part of what is checked */
  snprintf(msg, sizeof msg, "%s", err.msg + strlen(hs_test_dir()) + 1);
  return msg;
}

static const struct {
  const char *bytes;
  size_t n;
  const char *want;
} LIMIT_FILE[] = {
    {"patient: {weight: 70 kg}\ndescription: a\0b\n", 42,
     "t.yaml:2:15: NUL byte: not a text file (scenario and data files are UTF-8 text)"},
    {"p\0a\0t\0", 6, "t.yaml:1:2: NUL byte: not a text file (scenario and data files are UTF-8 "
                     "text)"}, /* UTF-16 without a byte-order mark */
    {"\xFF\xFEp\0a\0", 6, "t.yaml:1:1: the file is UTF-16 (it starts with a byte-order mark); "
                          "save it as UTF-8"},
    {"\xFF\xFE\0\0p\0\0\0", 8, "t.yaml:1:1: the file is UTF-32 (it starts with a byte-order "
                               "mark); save it as UTF-8"},
    {"\0\0\xFE\xFF\0\0\0p", 8, "t.yaml:1:1: the file is UTF-32 (it starts with a byte-order "
                               "mark); save it as UTF-8"},
};

START_TEST(test_limit_file) {
  hs_test_mkdir();
  write_bytes(hs_test_path("t.yaml"), LIMIT_FILE[_i].bytes, LIMIT_FILE[_i].n);
  ck_assert_str_eq(load_file_fails(hs_test_path("t.yaml")), LIMIT_FILE[_i].want);
  hs_test_rmdir();
}
END_TEST

/* A file over 4 MiB is refused before it is read; one of exactly 4 MiB is read. */
START_TEST(test_limit_size) {
  size_t n = (size_t)4 << 20;
  char *t = malloc(n + 2);
  ck_assert_ptr_nonnull(t);
  memset(t, '#', n + 1);
  t[n - 1] = '\n';
  hs_test_mkdir();
  write_bytes(hs_test_path("t.yaml"), t, n + 1);
  ck_assert_str_eq(load_file_fails(hs_test_path("t.yaml")),
                   "t.yaml: file is 4194305 bytes, larger than the limit of 4194304 bytes for a "
                   "scenario or data file");
  write_bytes(hs_test_path("t.yaml"), t, n); /* comments only */
  ck_assert_str_eq(load_file_fails(hs_test_path("t.yaml")), "t.yaml:1:1: the file is empty");
  t[n + 1] = '\0'; /* text given directly is held to the same limit */
  ck_assert_str_eq(load_text_fails(t), "inline.yaml: file is 4194305 bytes, larger than the "
                                       "limit of 4194304 bytes for a scenario or data file");
  free(t);
  hs_test_rmdir();
}
END_TEST

/* A directory is no file to read, whatever size the file system gives it. */
START_TEST(test_limit_directory) {
  hs_test_mkdir();
  ck_assert_int_eq(mkdir(hs_test_path("d.yaml"), 0700), 0);
  ck_assert_str_eq(load_file_fails(hs_test_path("d.yaml")),
                   "d.yaml: cannot read file (is it a directory?)");
  hs_test_rmdir();
}
END_TEST

/* The data files go through the same checks: a second document in physiology.yaml. */
START_TEST(test_limit_data_file) {
  const char *text = hs_test_slurp("../model/data/physiology.yaml");
  size_t n = strlen(text);
  ck_assert(n > 1000 && n < 8191); /* whole (hs_test_slurp reads up to 8 KiB) */
  int lines = 0;
  for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
  hs_test_mkdir();
  FILE *f = fopen(hs_test_path("physiology.yaml"), "w");
  fprintf(f, "%s---\nbogus: 1\n", text);
  fclose(f);
  hs_scenario sc;
  hs_error err;
  char want[HS_ERROR_MSG_LEN];
  ck_assert_int_eq(hs_scenario_load_text(&sc, "inline.yaml", "simulation: {end: 1 h}\n",
                                         hs_test_dir(), &err), HS_EINPUT);
  snprintf(want, sizeof want, "%s/physiology.yaml:%d:1: a second YAML document ('---' after "
           "the first): " ONE_DOC, hs_test_dir(), lines + 1);
  ck_assert_str_eq(err.msg, want);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_scenario(void) {
  Suite *s = suite_create("scenario");
  TCase *bad = tcase_create("malformed");
  tcase_add_loop_test(bad, test_bad_fixture, 0, N_BAD);
  tcase_add_test(bad, test_bad_table_complete);
  tcase_add_loop_test(bad, test_territory_reject, 0, (int)(sizeof TERR_BAD / sizeof TERR_BAD[0]));
  tcase_add_test(bad, test_territory_keys);
  suite_add_tcase(s, bad);
  TCase *ok = tcase_create("valid");
  tcase_add_test(ok, test_s1_physiology);
  tcase_add_test(ok, test_s1_drug_and_regimen);
  tcase_add_test(ok, test_unit_conversion);
  tcase_add_test(ok, test_default_expands);
  tcase_add_loop_test(ok, test_bsa_formula, 0, (int)(sizeof BSA / sizeof BSA[0]));
  tcase_add_test(ok, test_per_m2_scales);
  tcase_add_test(ok, test_rate_profiles);
  suite_add_tcase(s, ok);
  TCase *lib = tcase_create("library");
  tcase_add_test(lib, test_library_alias);
  tcase_add_test(lib, test_library_override_one);
  tcase_add_test(lib, test_library_override_route);
  tcase_add_test(lib, test_library_plasma_basis);
  tcase_add_test(lib, test_library_needs_source);
  tcase_add_test(lib, test_library_dir_missing);
  suite_add_tcase(s, lib);
  TCase *lim = tcase_create("limits");
  tcase_add_loop_test(lim, test_limit_text, 0, (int)(sizeof LIMIT_TEXT / sizeof LIMIT_TEXT[0]));
  tcase_add_test(lim, test_limit_depth);
  tcase_add_loop_test(lim, test_limit_file, 0, (int)(sizeof LIMIT_FILE / sizeof LIMIT_FILE[0]));
  tcase_add_test(lim, test_limit_size);
  tcase_add_test(lim, test_limit_directory);
  tcase_add_test(lim, test_limit_data_file);
  suite_add_tcase(s, lim);
  return s;
}
