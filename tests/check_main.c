/* check_main.c - the one Check runner: every module's suite. Run from tests/. */
#include <stdlib.h>

#include "hs_test.h"

int main(void) {
  SRunner *sr = srunner_create(hs_suite_units());
  srunner_add_suite(sr, hs_suite_model());
  srunner_add_suite(sr, hs_suite_solver());
  srunner_add_suite(sr, hs_suite_scenario());
  srunner_add_suite(sr, hs_suite_library());
  srunner_add_suite(sr, hs_suite_output());
  srunner_add_suite(sr, hs_suite_cli());
  srunner_add_suite(sr, hs_suite_design());
  srunner_add_suite(sr, hs_suite_sweepfile());
  srunner_add_suite(sr, hs_suite_sweep());
  srunner_add_suite(sr, hs_suite_shard());
  srunner_add_suite(sr, hs_suite_mpi());
  srunner_add_suite(sr, hs_suite_nca());
  srunner_add_suite(sr, hs_suite_drugs());
  srunner_add_suite(sr, hs_suite_compare());
  srunner_add_suite(sr, hs_suite_regimens());
  srunner_add_suite(sr, hs_suite_liver());
  srunner_add_suite(sr, hs_suite_nvec());
  srunner_add_suite(sr, hs_suite_territory());
  srunner_add_suite(sr, hs_suite_registry());
  srunner_add_suite(sr, hs_suite_body());
  srunner_add_suite(sr, hs_suite_embolization());
  srunner_add_suite(sr, hs_suite_exact());
  srunner_add_suite(sr, hs_suite_sensitivity());
  srunner_add_suite(sr, hs_suite_patients());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
