/* check_regimens.c - the shipped clinical regimens (scenarios/regimens) and dose arithmetic:
 * every regimen file loads, runs with its IV comparator and keeps mass balance for every
 * species; per-m2 (Mosteller, DuBois), per-kg, pump-rate and cyclic doses total what a
 * pharmacist computes by hand. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "hs_output.h"
#include "hs_regimen.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_test.h"

#define REGIMEN_DIR "../scenarios/regimens"

/* The 16 clinical regimens shipped under scenarios/regimens (file stems). */
static const char *const REGIMENS[] = {
    "fudr_pump_mskcc",   "fu_haic",          "fu_lv_haic",
    "haic_folfox",       "oxaliplatin_hai_5fu_iv", "raltitrexed_oxaliplatin_hai",
    "fem_hai",           "low_dose_fp",      "monthly_cisplatin_5fu",
    "docetaxel_hai",     "gemcitabine_fudr", "paclitaxel_hai",
    "fotemustine_weekly", "melphalan_php",   "mitomycin_dsm",
    "deb_tace_doxorubicin",
};
#define N_REGIMENS ((int)(sizeof REGIMENS / sizeof REGIMENS[0]))

/* The directory holds exactly these files (a new regimen is added to the list above). */
START_TEST(test_regimen_files_listed) {
  DIR *d = opendir(REGIMEN_DIR);
  ck_assert_ptr_nonnull(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
    int known = 0;
    for (int i = 0; i < N_REGIMENS; i++)
      if (strlen(REGIMENS[i]) == len - 5 && !strncmp(e->d_name, REGIMENS[i], len - 5)) known = 1;
    ck_assert_msg(known, "%s is not in the regimen list of tests/check_regimens.c", e->d_name);
    n++;
  }
  closedir(d);
  ck_assert_int_eq(n, N_REGIMENS);
}
END_TEST

/* Each regimen: loads, names its setting in a description, every drug has an IV
 * comparator result, doses > 0, mass balance to 1e-6 for every species (metabolites and
 * bound platinum included). */
START_TEST(test_regimen_runs) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s.yaml", REGIMEN_DIR, REGIMENS[_i]);
  hs_scenario sc;
  hs_error err;
  int rc = hs_scenario_load(&sc, path, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  ck_assert_msg(strlen(sc.description) > 20, "%s: no description", path);
  ck_assert_msg(sc.iv_comparator, "%s: no IV comparator", path);
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  rc = hs_simulate(s, &sc, 0, &res, &err);
  ck_assert_msg(rc == HS_OK, "%s: %s", path, err.msg);
  for (int i = 0; i < res.n; i++) {
    const hs_metrics *m = &res.drugs[i].metrics;
    ck_assert_msg(m->dosed_mg > 0, "%s: %s: nothing dosed or formed", path, res.drugs[i].name);
    ck_assert_msg(m->mass_balance_error < 1e-6, "%s: %s: mass balance %g", path,
                  res.drugs[i].name, m->mass_balance_error);
    ck_assert_msg(isfinite(m->regional_advantage) && m->regional_advantage > 0,
                  "%s: %s: regional advantage %g", path, res.drugs[i].name,
                  m->regional_advantage);
    ck_assert_msg(m->auc_plasma > 0 && m->auc_tumor > 0, "%s: %s", path, res.drugs[i].name);
  }
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* ---- dose arithmetic ------------------------------------------------------------------ */

/* Total dosed (mg) of the first drug of a scenario text, by simulation. */
static double total_dosed(const char *text) {
  hs_scenario sc;
  hs_error err;
  int rc = hs_scenario_load_text(&sc, "dose.yaml", text, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  rc = hs_simulate(s, &sc, 0, &res, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  double d = res.drugs[0].metrics.dosed_mg;
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return d;
}

#define LIN_DRUG "drugs:\n  lin:\n    library: none\n    hepatic_clint: 412.7 L/h\n" \
                 "    renal_clearance: 17.3 L/h\n    regimen:\n"

/* HAIC-FOLFOX's 5-FU, 400 mg/m2 bolus + 2400 mg/m2 over 46 h every 21 d x 3, for 82 kg,
 * 169 cm: DuBois 0.007184 * 82^0.425 * 169^0.725 = 0.007184 * 6.506851 * 41.23043 =
 * 1.927326 m2 -> 3 * 2800 * 1.927326 = 16189.53 mg. Mosteller sqrt(82 * 169 / 3600) =
 * 1.962000 m2 -> 16480.80 mg. */
START_TEST(test_dose_per_m2_cycles) {
  static const char *const fmt =
      "patient: {weight: 82 kg, height: 169 cm, bsa_formula: %s}\n" LIN_DRUG
      "      - {route: hai, dose: 400 mg/m2, start: 0 h, duration: 10 min, every: 21 d, cycles: 3}\n"
      "      - {route: hai, dose: 2400 mg/m2, start: 15 min, duration: 46 h, every: 21 d, cycles: 3}\n"
      "simulation: {end: 63 d, output_interval: 6 h}\n";
  char text[1024];
  snprintf(text, sizeof text, fmt, "dubois");
  HS_ASSERT_REL(total_dosed(text), 3 * 2800 * 0.007184 * pow(82, 0.425) * pow(169, 0.725), 1e-9);
  HS_ASSERT_REL(total_dosed(text), 16189.53, 1e-6);
  snprintf(text, sizeof text, fmt, "mosteller");
  HS_ASSERT_REL(total_dosed(text), 3 * 2800 * sqrt(82.0 * 169 / 3600), 1e-9);
  HS_ASSERT_REL(total_dosed(text), 16480.80, 1e-6);
}
END_TEST

/* FUDR pump 0.12 mg/kg/d for 14 of 28 days, 3 cycles, 64 kg: 3 * 0.12 * 64 * 14 = 322.56 mg;
 * a 3 mg/kg bolus for 64 kg: 192 mg; an absolute 10 mg x 5 days x 4 weeks: 200 mg. */
START_TEST(test_dose_per_kg_and_pump) {
  HS_ASSERT_REL(total_dosed("patient: {weight: 64 kg, height: 170 cm}\n" LIN_DRUG
                            "      - {route: hai, rate: 0.12 mg/kg/d, start: 0 d, duration: 14 d,"
                            " every: 28 d, cycles: 3}\n"
                            "simulation: {end: 84 d, output_interval: 12 h}\n"),
                322.56, 1e-9);
  HS_ASSERT_REL(total_dosed("patient: {weight: 64 kg, height: 170 cm}\n" LIN_DRUG
                            "      - {route: hai, dose: 3 mg/kg, start: 0 h, duration: 30 min}\n"
                            "simulation: {end: 24 h, output_interval: 1 h}\n"),
                192.0, 1e-9);
  char text[2048] = "patient: {weight: 64 kg, height: 170 cm}\n" LIN_DRUG;
  for (int w = 0; w < 4; w++)
    snprintf(text + strlen(text), sizeof text - strlen(text),
             "      - {route: hai, dose: 10 mg, start: %d d, duration: 1 h, every: 24 h, "
             "cycles: 5}\n", 7 * w);
  strcat(text, "simulation: {end: 28 d, output_interval: 12 h}\n");
  HS_ASSERT_REL(total_dosed(text), 200.0, 1e-9);
}
END_TEST

/* A formed species says in the run's HDF5 file what formed it. */
START_TEST(test_species_provenance_h5) {
  hs_scenario sc;
  hs_error err;
  ck_assert_int_eq(hs_scenario_load(&sc, REGIMEN_DIR "/haic_folfox.yaml", NULL, &err), HS_OK);
  sc.sim.t_end = 48; /* one treatment is enough here */
  for (int i = 0; i < sc.n_drugs; i++)
    for (int k = 0; k < sc.drugs[i].n_regimen; k++) sc.drugs[i].regimen[k].cycles = 1;
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  ck_assert_msg(hs_simulate(s, &sc, 1, &res, &err) == HS_OK, "%s", err.msg);
  hs_test_mkdir();
  const char *out = hs_test_path("folfox.h5");
  ck_assert_msg(hs_output_h5(out, 0, &sc, &res, &err) == HS_OK, "%s", err.msg);
  hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  char *v = NULL;
  hid_t a = H5Aopen_by_name(f, "drugs/pt_bound_oxaliplatin", "formed_from", H5P_DEFAULT,
                            H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  ck_assert_int_ge(H5Aread(a, t, &v), 0);
  ck_assert_str_eq(v, "oxaliplatin");
  H5free_memory(v);
  H5Aclose(a);
  double y = 0;
  a = H5Aopen_by_name(f, "drugs/pt_bound_oxaliplatin", "mass_yield", H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_DOUBLE, &y), 0);
  HS_ASSERT_REL(y, 195.08 / 397.3, 1e-3); /* Pt per oxaliplatin, molar fraction 1 */
  H5Aclose(a);
  ck_assert_int_eq(H5Aexists_by_name(f, "drugs/oxaliplatin", "formed_from", H5P_DEFAULT), 0);
  H5Tclose(t);
  H5Fclose(f);
  hs_test_rmdir();
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

Suite *hs_suite_regimens(void) {
  Suite *s = suite_create("regimens");
  TCase *tc = tcase_create("regimens");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_regimen_files_listed);
  tcase_add_loop_test(tc, test_regimen_runs, 0, N_REGIMENS);
  tcase_add_test(tc, test_dose_per_m2_cycles);
  tcase_add_test(tc, test_dose_per_kg_and_pump);
  tcase_add_test(tc, test_species_provenance_h5);
  suite_add_tcase(s, tc);
  return s;
}
