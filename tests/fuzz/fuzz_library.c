/* fuzz_library.c - fuzz target: the drug-library loader on any bytes as the one drug file
 * of a library (the reference adult from the shipped physiology.yaml): the catalog, every
 * entry by name, its PK section and its model parameters for the reference adult. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "hs_library.h"
#include "hs_scenario.h"

/* <dir>/lib with drugs/ and a link to the shipped physiology.yaml (made once). */
static const char *library_dir(void) {
  static char lib[160];
  if (lib[0]) return lib;
  char sub[200], phys[1200];
  snprintf(lib, sizeof lib, "%s/lib", hs_fuzz_dir());
  snprintf(sub, sizeof sub, "%s/drugs", lib);
  snprintf(phys, sizeof phys, "%s/physiology.yaml", hs_scenario_data_dir());
  if (mkdir(lib, 0700) || mkdir(sub, 0700)) abort();
  snprintf(sub, sizeof sub, "%s/physiology.yaml", lib);
  if (symlink(phys, sub)) abort();
  return lib;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *lib = library_dir();
  static char names[8][64];
  hs_error err;
  hs_fuzz_write("lib/drugs/fuzz.yaml", data, size);
  int n = hs_library_names(lib, names, 8, &err);
  for (int i = 0; i < n; i++) {
    hs_library_entry e;
    hs_drug d;
    if (hs_library_get(lib, names[i], &e, &err) == HS_OK) hs_library_entry_release(&e);
    hs_library_drug(lib, names[i], NULL, &d, &err);
  }
  return 0;
}
