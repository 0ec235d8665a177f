/* fuzz_sweepfile.c - fuzz target: the sweep-file reader behind `hepatosim info` (opening,
 * layout validation, attributes, names, ranges read a chunk at a time) on any bytes as an
 * HDF5 file. */
#include <stdio.h>

#include "fuzz.h"
#include "hs_sweepfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *out = fopen("/dev/null", "w");
  hs_error err;
  if (!out) return 0;
  hs_sweepfile_info(hs_fuzz_write("sweep.h5", data, size), out, &err);
  fclose(out);
  return 0;
}
