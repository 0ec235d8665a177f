/* fuzz.h - the fuzz targets of tests/fuzz/ (issue 15): each is a libFuzzer entry point,
 * LLVMFuzzerTestOneInput, built twice: with clang's -fsanitize=fuzzer for `make fuzz`, and
 * with replay.c's main() for `make test`, which feeds it the seed corpus and every crash
 * ever found (tests/fixtures/fuzz/<target>/). The loaders read files, so an input is
 * written to a file of the target's own temporary directory first. */
#ifndef HS_FUZZ_H
#define HS_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The process's temporary directory (created on first use, removed at exit). */
const char *hs_fuzz_dir(void);

/* Write data to name inside hs_fuzz_dir() (subdirectories must exist); returns the path,
 * valid until the next call. Aborts if the file cannot be written (a harness fault). */
const char *hs_fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif
