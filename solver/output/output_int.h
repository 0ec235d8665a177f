/* output_int.h - private: pieces of output.c shared with the other writers
 * (compare_out.c) and the format table (formats.c), so that files are committed, named
 * and values written one way. */
#ifndef HS_OUTPUT_INT_H
#define HS_OUTPUT_INT_H

#include <stdio.h>

#include <hdf5.h>

#include "h5util.h"
#include "hs_error.h"
#include "hs_scenario.h"

/* Start writing path: HS_EEXIST when it exists and !force, else *tmp = the malloc'ed
 * temporary name "<path>.tmp.<pid>" to write instead (HS_ENOMEM when it cannot). */
int hs__output_begin(const char *path, int force, char **tmp, hs_error *err);

/* Finish: when rc is HS_OK move tmp onto path (without force an existing path is kept:
 * HS_EEXIST), otherwise, or when that fails, remove tmp. Frees tmp; returns the status. */
int hs__output_end(char *tmp, const char *path, int force, int rc, hs_error *err);

/* File i of `run --csv DIR` for scenario sc: DIR/<drug>.csv for each drug, then
 * DIR/summary.csv (an hs_output_file_fn: none while sc is NULL). */
int hs__output_csv_file(const char *dir, const hs_scenario *sc, int i, char *path, size_t cap);

/* A number as `run --csv` writes it (%.10g, NaN as "nan"); a CSV field quoted as needed;
 * a JSON string with escapes. */
void hs__output_num(FILE *f, double v);
void hs__output_csv_field(FILE *f, const char *s);
void hs__output_json_string(FILE *f, const char *s);

/* A JSON number as `run --json` writes it: %.10g, non-finite as null. */
void hs__output_json_num(FILE *f, double v);

/* 1-D dataset of n elements of type (file and memory alike), uncompressed; *out is the
 * open dataset. */
int hs__output_h5_dset(const hs__h5ctx *c, hid_t loc, const char *name, hid_t type,
                       const void *data, hsize_t n, hid_t *out);

/* A float64 variable with units and long_name attached to the dimension scale dim. */
int hs__output_h5_var(const hs__h5ctx *c, hid_t loc, const char *name, const double *data,
                      hsize_t n, const char *units, const char *long_name, hid_t dim,
                      const char *dim_name);

#endif
