/* check_drugs.c - every library drug reproduces its own cited IV pharmacokinetics.
 *
 * For each entry of the drug library with reference_pk: an IV dose of reference_pk.dose
 * over reference_pk.infusion for the reference adult, followed for reference_pk.follow;
 * non-compartmental analysis (model/nca.c) of the plasma trace with the terminal fit over
 * reference_pk.terminal_window; CL, t1/2 and Vss must lie in the cited [low, high].
 * docs/derive_drug_parameters.py does the same in Python and explains the derivations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_library.h"
#include "hs_nca.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"
#include "hs_test.h"

#define GRID 2000 /* output points over `follow` (docs/derive_drug_parameters.py: same) */

/* Check one quantity against its cited range; returns 1 when outside (message appended). */
static int check_range(const char *drug, const char *what, double v, const hs_pk_range *r,
                       char *msg, size_t cap) {
  if (!r->present) return 0;
  if (v >= r->low && v <= r->high) return 0;
  size_t len = strlen(msg);
  snprintf(msg + len, cap - len, "%s: %s %.5g outside the cited range [%.5g, %.5g] (%s; %s)\n",
           drug, what, v, r->low, r->high, r->text, r->source);
  return 1;
}

/* Simulate entry e's reference_pk and compare; returns the number of failures. */
static int check_drug(hs_solver *s, const char *data_dir, const hs_library_entry *e, char *msg,
                      size_t cap) {
  const hs_library_pk *pk = &e->pk;
  char text[1024], dur[64] = "";
  if (pk->infusion_h > 0) snprintf(dur, sizeof dur, "        duration: %.10g h\n", pk->infusion_h);
  snprintf(text, sizeof text,
           "drugs:\n  d:\n    library: \"%s\"\n    regimen:\n      - route: iv\n"
           "        dose: %.10g mg\n        start: 0 h\n%s"
           "simulation:\n  end: %.10g h\n  output_interval: %.10g h\n  iv_comparator: false\n",
           e->name, pk->dose_mg, dur, pk->follow_h, pk->follow_h / GRID);
  hs_scenario sc;
  hs_error err = {0};
  hs_results res = {0};
  size_t len = strlen(msg);
  if (hs_scenario_load_text(&sc, e->name, text, data_dir, &err) != HS_OK) {
    snprintf(msg + len, cap - len, "%s: scenario refused: %s\n", e->name, err.msg);
    return 1;
  }
  int fails = 0;
  if (hs_simulate(s, &sc, 1, &res, &err) != HS_OK) {
    snprintf(msg + len, cap - len, "%s: simulation failed: %s\n", e->name, err.msg);
    fails = 1;
    goto done;
  }
  const hs_trace *tr = &res.drugs[0].trace;
  hs_nca r;
  if (hs_nca_compute(tr->t, tr->plasma, tr->n, pk->dose_mg, pk->infusion_h, pk->terminal_from_h,
                     pk->terminal_to_h, &r, &err) != HS_OK) {
    snprintf(msg + len, cap - len, "%s: %s\n", e->name, err.msg);
    fails = 1;
    goto done;
  }
  if (getenv("HS_TEST_VERBOSE")) /* the table of the drug library's summary */
    printf("%-22s CL %8.4g L/h  t1/2 %8.4g h  Vss %8.4g L  (lambda_z fit on %d points)\n",
           e->name, r.cl, r.t_half, r.vss, r.n_fit);
  fails += check_range(e->name, "clearance (L/h)", r.cl, &pk->clearance, msg, cap);
  fails += check_range(e->name, "half-life (h)", r.t_half, &pk->half_life, msg, cap);
  fails += check_range(e->name, "Vss (L)", r.vss, &pk->vss, msg, cap);
done:
  hs_results_release(&res);
  hs_scenario_release(&sc);
  return fails;
}

START_TEST(test_reference_pk) {
  const char *dir = hs_scenario_data_dir();
  static char names[HS_LIB_MAX_DRUGS][64];
  static char msg[16384];
  msg[0] = '\0';
  hs_error err = {0};
  int n = hs_library_names(dir, names, HS_LIB_MAX_DRUGS, &err);
  ck_assert_msg(n > 0, "library: %s", err.msg);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_ptr_nonnull(s);
  int fails = 0, checked = 0;
  for (int i = 0; i < n; i++) {
    hs_library_entry e;
    ck_assert_msg(hs_library_get(dir, names[i], &e, &err) == HS_OK, "%s: %s", names[i], err.msg);
    if (e.pk.present) {
      fails += check_drug(s, dir, &e, msg, sizeof msg);
      checked++;
    }
    hs_library_entry_release(&e);
  }
  hs_solver_free(s);
  ck_assert_msg(fails == 0, "%d reference-PK checks failed:\n%s", fails, msg);
  ck_assert_int_ge(checked, 14);
}
END_TEST

/* The drugs of hepatic arterial chemotherapy (5-FU, FUDR, platinum, anthracyclines,
 * mitomycin C, ...) are all in the library, by name or alias, with reference_pk. */
START_TEST(test_hai_drugs_present) {
  static const char *want[] = {"fluorouracil", "floxuridine", "oxaliplatin", "cisplatin",
                               "doxorubicin",  "epirubicin",  "mitomycin C", "irinotecan",
                               "SN-38",        "gemcitabine", "docetaxel",   "paclitaxel",
                               "melphalan",    "raltitrexed", "fotemustine"};
  const char *dir = hs_scenario_data_dir();
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    hs_library_entry e;
    hs_error err = {0};
    ck_assert_msg(hs_library_get(dir, want[i], &e, &err) == HS_OK, "%s: %s", want[i], err.msg);
    ck_assert_msg(e.pk.present, "%s has no reference_pk", want[i]);
    ck_assert_msg(e.pk.half_life.present, "%s: reference_pk without a half-life", want[i]);
    hs_library_entry_release(&e);
  }
}
END_TEST

Suite *hs_suite_drugs(void) {
  Suite *s = suite_create("drugs");
  TCase *tc = tcase_create("drugs");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_reference_pk);
  tcase_add_test(tc, test_hai_drugs_present);
  suite_add_tcase(s, tc);
  return s;
}
