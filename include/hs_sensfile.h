/* hs_sensfile.h - the HDF5 file of a global sensitivity analysis (`hepatosim sensitivity`),
 * and reading one metric of the sweep file that holds its model runs.
 *
 * Layout (all at the root; every array has a dimension scale on every axis, so
 * `xarray.open_dataset(FILE, engine="h5netcdf")`, h5py and R's hdf5r open it as it is):
 *   parameter        string [parameter]   dimension scale: the scenario paths, in the order
 *                                         of the scenario's sweep block
 *   metric           string [metric]      dimension scale: the metrics analysed
 *   drug             string [drug]        dimension scale
 *   parameter_units  string [parameter]   internal units of the swept values
 *   metric_units     string [metric]
 *   saltelli design (method "sobol"), float64 [parameter, metric, drug], units "1":
 *     S1, S1_lo, S1_hi   first-order index and its bootstrap interval
 *     ST, ST_lo, ST_hi   total index and its bootstrap interval
 *     variance           float64 [metric, drug]: the output's variance (metric units^2)
 *   morris design (method "morris"), float64 [parameter, metric, drug], in the metric's
 *   units per unit of the parameter's range (its quantile: the range is 1):
 *     mu_star, mu_star_lo, mu_star_hi, mu, sigma
 *   n_used           int64 [metric, drug]: samples (trajectories) without a failed run
 * Axis order is C order as written: h5py and xarray read [parameter, metric, drug]; R's
 * hdf5r (Fortran order) returns [drug, metric, parameter]. Root attributes: method, design,
 * n_base, n_runs, seed, levels (morris), bootstrap, confidence_level, bootstrap_seed,
 * runs_file, scenario_path, scenario_text, design_text, program_version, axis_order.
 * Written to "<path>.tmp.<pid>" and renamed; an existing file is replaced only with force.
 * Not thread-safe (HDF5). */
#ifndef HS_SENSFILE_H
#define HS_SENSFILE_H

#include <stdint.h>

#include "hs_design.h"
#include "hs_error.h"
#include "hs_sensitivity.h"

typedef struct hs_sens_table {
  hs_design_kind design; /* HS_DESIGN_SALTELLI (sobol[] set) or HS_DESIGN_MORRIS (morris[]) */
  int n_params, n_metrics, n_drugs;
  const char *const *param_names, *const *param_units;
  const char *const *metric_names, *const *metric_units;
  const char *const *drug_names;
  hs_sobol_index *sobol;   /* [parameter][metric][drug] */
  hs_morris_index *morris; /* [parameter][metric][drug] */
  double *variance;        /* [metric][drug], saltelli */
  int64_t *n_used;         /* [metric][drug] */
  /* provenance */
  const char *scenario_text, *scenario_path, *design_text, *runs_path;
  int64_t n_base, n_runs;
  uint64_t seed;
  int levels;
  hs_sens_opts opts;
} hs_sens_table;

/* Write t to path (layout above). HS_EEXIST when path exists and !force; HS_EIO. */
int hs_sensfile_write(const char *path, int force, const hs_sens_table *t, hs_error *err);

/* Metric `metric` of a complete sweep file of n_runs runs and n_drugs drugs into
 * y[drug * n_runs + run] (each drug's outputs contiguous, in run order); runs whose status
 * is not 0 read as NaN. HS_EINPUT naming the file when it is not a complete sweep of that
 * shape or has no such metric; HS_EIO. */
int hs_sensfile_read_metric(const char *runs_path, const char *metric, int64_t n_runs,
                            int n_drugs, double *y, hs_error *err);

/* 1 when the sweep file at runs_path is complete and was made from exactly scenario_text
 * (the same design, seed and model), so its runs can be used again; else 0 (also when it
 * does not exist or cannot be read). */
int hs_sensfile_runs_reusable(const char *runs_path, const char *scenario_text);

#endif
