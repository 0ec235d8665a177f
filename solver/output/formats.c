/* formats.c - the output formats of `hepatosim run`, one row each (see hs_output.h):
 * option, argument, help line, the files written, the writer and the report line.
 *
 * Adding a format is its writer file under solver/output/ and one row here (README.md,
 * "Adding an output format"). A new writer is declared below, beside its row, with the
 * hs_output_write_fn type rather than in a header, so that a format stays two files; its
 * own file repeats that one-line declaration, and the compiler checks the definition
 * against it. */
#include "hs_output.h"

#include <sys/stat.h>

#include "output_int.h"

/* Room for a path under a destination: PATH_MAX and a file name. */
#define PATH_CAP 4200

/* The one file of a single-file format: the destination itself. */
static int file_dest(const char *dest, const hs_scenario *sc, int i, char *path, size_t cap) {
  (void)sc;
  if (i > 0) return 0;
  snprintf(path, cap, "%s", dest);
  return 1;
}

/* The writers of hs_output.h in the table's form. */
static int write_h5(const char *dest, int force, const hs_scenario *sc, const hs_results *res,
                    FILE *out, hs_error *err) {
  (void)out;
  return hs_output_h5(dest, force, sc, res, err);
}

static int write_csv(const char *dest, int force, const hs_scenario *sc, const hs_results *res,
                     FILE *out, hs_error *err) {
  (void)sc, (void)out;
  return hs_output_csv(dest, force, res, err);
}

static int write_json(const char *dest, int force, const hs_scenario *sc, const hs_results *res,
                      FILE *out, hs_error *err) {
  (void)dest, (void)force, (void)sc, (void)err;
  hs_output_json(out, res);
  return HS_OK;
}

static int write_table(const char *dest, int force, const hs_scenario *sc, const hs_results *res,
                       FILE *out, hs_error *err) {
  (void)dest, (void)force, (void)err;
  hs_output_table(out, sc, res);
  return HS_OK;
}

/* Files before standard output: the order of writing and of the "wrote" lines. */
static const hs_output_format FORMATS[] = {
    {.option = "--output",
     .short_option = "-o",
     .arg = "FILE.h5",
     .help = "write time courses, summary and provenance to HDF5",
     .traces = 1,
     .file = file_dest,
     .write = write_h5,
     .wrote = "wrote %s\n"},
    {.option = "--csv",
     .arg = "DIR",
     .help = "write DIR/<drug>.csv time courses and DIR/summary.csv",
     .traces = 1,
     .file = hs__output_csv_file,
     .write = write_csv,
     .wrote = "wrote %s/\n"},
    {.option = "--json",
     .help = "print the metrics as JSON on stdout instead of a table",
     .to_stdout = 1,
     .write = write_json},
    {.option = NULL, .to_stdout = 1, .write = write_table}, /* the default summary */
};
#define N_FORMATS ((int)(sizeof FORMATS / sizeof FORMATS[0]))
_Static_assert(N_FORMATS <= HS_OUTPUT_MAX_FORMATS, "raise HS_OUTPUT_MAX_FORMATS");

const hs_output_format *hs_output_formats(int *n) {
  *n = N_FORMATS;
  return FORMATS;
}

int hs_output_refuse_existing(const hs_output_format *f, const char *dest, const hs_scenario *sc,
                              hs_error *err) {
  char path[PATH_CAP];
  struct stat st;
  for (int i = 0; f->file && f->file(dest, sc, i, path, sizeof path); i++)
    if (stat(path, &st) == 0)
      return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", path);
  return HS_OK;
}
