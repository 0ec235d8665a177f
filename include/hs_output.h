/* hs_output.h - writing results: HDF5 (serial), CSV time courses, JSON and a text table.
 *
 * Files are written to a temporary name in the destination directory and renamed when
 * complete; an existing destination is never replaced unless force is set (HS_EEXIST).
 * HDF5 layout (documented in README.md): /drugs/<name>/{time, plasma, blood, liver, tumor,
 * tumor_venous, hepatic_artery, portal_vein, depot} with a `units` attribute on each and
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

/* Write the HDF5 file. */
int hs_output_h5(const char *path, int force, const hs_scenario *sc, const hs_results *res,
                 hs_error *err);

/* Write one CSV per drug, DIR/<drug>.csv, and DIR/summary.csv. DIR is created if needed. */
int hs_output_csv(const char *dir, int force, const hs_results *res, hs_error *err);

/* {"drugs": {"<name>": {"<metric>": value, ...}}} - IV metrics only when has_iv. */
void hs_output_json(FILE *f, const hs_results *res);

/* A readable table of the metrics, one column per drug. */
void hs_output_table(FILE *f, const hs_scenario *sc, const hs_results *res);

#endif
