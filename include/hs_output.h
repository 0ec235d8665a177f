/* hs_output.h - writing results: HDF5 (serial), CSV time courses, JSON and a text table,
 * and the table of output formats that `hepatosim run` offers.
 *
 * Files are written to a temporary name in the destination directory and renamed when
 * complete; an existing destination is never replaced unless force is set (HS_EEXIST).
 * HDF5 layout (documented in README.md): /drugs/<name>/{time, plasma, blood, liver, tumor,
 * tumor_venous, hepatic_artery, portal_vein, depot, hepatic_vein, trapped_liver,
 * trapped_tumor, bound_liver, bound_tumor} with a `units` attribute on each and
 * `time` as dimension scale; /summary/drug (dimension scale) and /summary/<metric>;
 * root attributes scenario_text, scenario_path, program_version, rtol, atol, t_end_h,
 * dt_out_h, iv_comparator; `units` and `long_name` on every dataset. Drug names must be
 * usable as group and file names (no '/', not '.' or '..').
 * Returns HS_OK, HS_EEXIST, HS_EIO (HDF5 or file system, message names the operation),
 * HS_ENOMEM, or HS_EINPUT for an unusable drug name.
 * Only this module includes hdf5.h. Not thread-safe (HDF5 is not): one writer. */
#ifndef HS_OUTPUT_H
#define HS_OUTPUT_H

#include <stdio.h>

#include "hs_error.h"
#include "hs_scenario.h"
#include "hs_simulate.h"

/* HDF5's exit-time cleanup, taken over by the program: hs_output_lib_init (first, before
 * any HDF5 call) turns HDF5's atexit hook off; hs_output_lib_close(clean) runs the cleanup
 * only when clean is set (no failure). After a failed write, HDF5 1.10.8 (Debian 12) keeps
 * half-freed datasets registered and its cleanup crashes (SIGSEGV); skipping it there
 * loses nothing, since the process ends and every file it wrote is closed or discarded. */
void hs_output_lib_init(void);
void hs_output_lib_close(int clean);

/* Write the HDF5 file. */
int hs_output_h5(const char *path, int force, const hs_scenario *sc, const hs_results *res,
                 hs_error *err);

/* Write one CSV per drug, DIR/<drug>.csv, and DIR/summary.csv. DIR is created if needed. */
int hs_output_csv(const char *dir, int force, const hs_results *res, hs_error *err);

/* {"drugs": {"<name>": {"<metric>": value, ...}}} - IV metrics only when has_iv. */
void hs_output_json(FILE *f, const hs_results *res);

/* A readable table of the metrics, one column per drug. */
void hs_output_table(FILE *f, const hs_scenario *sc, const hs_results *res);

/* ---- the output formats of `hepatosim run` (solver/output/formats.c) -------------------
 * One row per format: its option, argument, help line, the files it writes and its
 * writer. The command line parses, checks, writes, reports and prints its usage from
 * this table alone; README.md ("Adding an output format") says how to add a row. */

/* Write res (the results of scenario sc) in one format: at dest, the option's argument
 * (NULL for a format without one), or on out (standard output). force: replace existing
 * files. Returns HS_OK or a status with err filled, as the writers above. */
typedef int hs_output_write_fn(const char *dest, int force, const hs_scenario *sc,
                               const hs_results *res, FILE *out, hs_error *err);

/* File i (0, 1, ...) that a format writes at dest, into path (cap bytes, truncated);
 * returns 1, or 0 once i is past the last. sc is NULL before the scenario is loaded: then
 * only the files that can be named without it (none for one file per drug). */
typedef int hs_output_file_fn(const char *dest, const hs_scenario *sc, int i, char *path,
                              size_t cap);

#define HS_OUTPUT_MAX_FORMATS 16

typedef struct hs_output_format {
  const char *option;       /* long option, "--csv"; NULL: the default summary, written on
                               standard output when no chosen format writes there */
  const char *short_option; /* "-o", or NULL */
  const char *arg;          /* the option's argument as usage names it ("DIR"); NULL: a flag */
  const char *help;         /* one line for `run --help` */
  int to_stdout;            /* writes on standard output (in place of the default summary) */
  int traces;               /* needs the time courses recorded, not just the metrics */
  hs_output_file_fn *file;  /* the files it writes, for the --force check; NULL: none */
  hs_output_write_fn *write;
  const char *wrote;        /* printed on stderr once written, %s the argument; NULL: nothing */
} hs_output_format;

/* The formats, in the order they are written and reported (files before standard
 * output); *n their count (at most HS_OUTPUT_MAX_FORMATS). Static data: thread-safe. */
const hs_output_format *hs_output_formats(int *n);

/* HS_EEXIST with "<path> exists; use --force to overwrite" for the first file of format f
 * at dest that exists (sc may be NULL, as for hs_output_file_fn); HS_OK when none does. */
int hs_output_refuse_existing(const hs_output_format *f, const char *dest,
                              const hs_scenario *sc, hs_error *err);

#endif
