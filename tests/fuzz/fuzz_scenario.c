/* fuzz_scenario.c - fuzz target: the scenario loader (hs_scenario_load: the file's size and
 * encoding checks, YAML, every section's validation, the sweep section) on any bytes. */
#include "fuzz.h"
#include "hs_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hs_scenario sc;
  hs_error err;
  if (hs_scenario_load(&sc, hs_fuzz_write("scenario.yaml", data, size), NULL, &err) == HS_OK)
    hs_scenario_release(&sc);
  return 0;
}
