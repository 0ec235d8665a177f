/* sensfile.c - the sensitivity file (hs_sensfile.h): indices per parameter x metric x drug
 * with dimension scales, and one metric read back from the sweep file of the model runs. */
#include "hs_sensfile.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "output/h5util.h"
#include "output/output_int.h"
#include "sweepfile_int.h"

/* One index of hs_sobol_index or hs_morris_index stored as a dataset. */
typedef struct sens_var {
  const char *name, *long_name;
  size_t offset;
} sens_var;

static const sens_var SOBOL_VARS[] = {
    {"S1", "first-order Sobol' index (Saltelli et al. 2010)", offsetof(hs_sobol_index, s1)},
    {"S1_lo", "lower end of the bootstrap interval of S1", offsetof(hs_sobol_index, s1_lo)},
    {"S1_hi", "upper end of the bootstrap interval of S1", offsetof(hs_sobol_index, s1_hi)},
    {"ST", "total Sobol' index (Jansen 1999)", offsetof(hs_sobol_index, st)},
    {"ST_lo", "lower end of the bootstrap interval of ST", offsetof(hs_sobol_index, st_lo)},
    {"ST_hi", "upper end of the bootstrap interval of ST", offsetof(hs_sobol_index, st_hi)},
};
static const sens_var MORRIS_VARS[] = {
    {"mu_star", "mean absolute elementary effect (Campolongo et al. 2007)",
     offsetof(hs_morris_index, mu_star)},
    {"mu_star_lo", "lower end of the bootstrap interval of mu_star",
     offsetof(hs_morris_index, mu_star_lo)},
    {"mu_star_hi", "upper end of the bootstrap interval of mu_star",
     offsetof(hs_morris_index, mu_star_hi)},
    {"mu", "mean elementary effect (Morris 1991)", offsetof(hs_morris_index, mu)},
    {"sigma", "standard deviation of the elementary effects", offsetof(hs_morris_index, sigma)},
};
#define N_SOBOL_VARS ((int)(sizeof SOBOL_VARS / sizeof SOBOL_VARS[0]))
#define N_MORRIS_VARS ((int)(sizeof MORRIS_VARS / sizeof MORRIS_VARS[0]))

static const char AXIS_ORDER[] =
    "[parameter, metric, drug] in C order (h5py, xarray); R's hdf5r reads [drug, metric, "
    "parameter]";

/* A string scale `name` of n labels (variable-length UTF-8) into *out. */
static int string_scale(const hs__h5ctx *c, hid_t file, const char *name, const char *const *s,
                        int n, const char *long_name, hid_t *out) {
  int rc = HS_OK;
  hid_t type = -1;
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for '%s'", name);
  if ((rc = hs__output_h5_dset(c, file, name, type, s, (hsize_t)n, out))) goto done;
  if ((rc = hs__h5_attr_units(c, *out, "", long_name))) goto done;
  HS_H5TRY(H5DSset_scale(*out, name), "H5DSset_scale '%s'", name);
done:
  hs__h5_close(type);
  return rc;
}

/* A string variable along scale `dim` (units of parameters or metrics). */
static int string_var(const hs__h5ctx *c, hid_t file, const char *name, const char *const *s,
                      int n, const char *long_name, hid_t dim, const char *dim_name) {
  int rc = HS_OK;
  hid_t type = -1, ds = -1;
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for '%s'", name);
  if ((rc = hs__output_h5_dset(c, file, name, type, s, (hsize_t)n, &ds))) goto done;
  if ((rc = hs__h5_attr_units(c, ds, "", long_name))) goto done;
  HS_H5TRY(H5DSattach_scale(ds, dim, 0), "H5DSattach_scale to '%s'", name);
  HS_H5TRY(H5DSset_label(ds, 0, dim_name), "H5DSset_label on '%s'", name);
done:
  hs__h5_close(ds);
  hs__h5_close(type);
  return rc;
}

/* An array of rank 2 ([metric, drug]) or 3 ([parameter, metric, drug]) of mtype, with
 * units, long_name and the scales sc[3 - rank ..] attached. */
static int array_var(const hs__h5ctx *c, hid_t file, const char *name, int rank,
                     const hsize_t *dims, hid_t ftype, hid_t mtype, const void *data,
                     const char *units, const char *long_name, const hid_t sc[3]) {
  static const char *const DIMS[3] = {"parameter", "metric", "drug"};
  int rc = HS_OK, first = 3 - rank;
  hid_t space = -1, ds = -1;
  HS_H5ID(space, H5Screate_simple(rank, dims, NULL), "H5Screate_simple for '%s'", name);
  HS_H5ID(ds, H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "H5Dcreate2 '%s'", name);
  HS_H5TRY(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite '%s'", name);
  if ((rc = hs__h5_attr_units(c, ds, units, long_name))) goto done;
  for (int k = 0; k < rank; k++) {
    HS_H5TRY(H5DSattach_scale(ds, sc[first + k], (unsigned)k), "H5DSattach_scale to '%s'", name);
    HS_H5TRY(H5DSset_label(ds, (unsigned)k, DIMS[first + k]), "H5DSset_label on '%s'", name);
  }
done:
  hs__h5_close(ds);
  hs__h5_close(space);
  return rc;
}

/* Every index dataset of t's method, gathered field by field from the structs. */
static int index_vars(const hs__h5ctx *c, hid_t file, const hs_sens_table *t, const hid_t sc[3]) {
  int sobol = t->design == HS_DESIGN_SALTELLI, nv = sobol ? N_SOBOL_VARS : N_MORRIS_VARS;
  const sens_var *vars = sobol ? SOBOL_VARS : MORRIS_VARS;
  size_t n = (size_t)t->n_params * t->n_metrics * t->n_drugs, size = sobol ? sizeof *t->sobol
                                                                        : sizeof *t->morris;
  const char *base = sobol ? (const char *)t->sobol : (const char *)t->morris;
  const char *units = sobol ? "1" : "metric_units per unit of the parameter's range";
  hsize_t dims[3] = {(hsize_t)t->n_params, (hsize_t)t->n_metrics, (hsize_t)t->n_drugs};
  double *v = malloc(sizeof *v * (n ? n : 1));
  if (!v) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  int rc = HS_OK;
  for (int k = 0; k < nv && !rc; k++) {
    for (size_t i = 0; i < n; i++) memcpy(&v[i], base + i * size + vars[k].offset, sizeof *v);
    rc = array_var(c, file, vars[k].name, 3, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, units,
                   vars[k].long_name, sc);
  }
  free(v);
  return rc;
}

static int root_attrs(const hs__h5ctx *c, hid_t file, const hs_sens_table *t) {
  int sobol = t->design == HS_DESIGN_SALTELLI, rc;
  if ((rc = hs__h5_attr_str(c, file, "method", sobol ? "sobol" : "morris")) ||
      (rc = hs__h5_attr_str(c, file, "design", hs_design_kind_name(t->design))) ||
      (rc = hs__h5_attr_i64(c, file, "n_base", t->n_base)) ||
      (rc = hs__h5_attr_i64(c, file, "n_runs", t->n_runs)) ||
      (rc = hs__h5_attr_i64(c, file, "seed", (int64_t)t->seed)) ||
      (rc = hs__h5_attr_i64(c, file, "bootstrap", t->opts.n_boot)) ||
      (rc = hs__h5_attr_f64(c, file, "confidence_level", t->opts.level)) ||
      (rc = hs__h5_attr_i64(c, file, "bootstrap_seed", (int64_t)t->opts.seed)) ||
      (rc = hs__h5_attr_str(c, file, "runs_file", t->runs_path)) ||
      (rc = hs__h5_attr_str(c, file, "scenario_path", t->scenario_path)) ||
      (rc = hs__h5_attr_str(c, file, "scenario_text", t->scenario_text)) ||
      (rc = hs__h5_attr_str(c, file, "design_text", t->design_text)) ||
      (rc = hs__h5_attr_str(c, file, "program_version", HS_VERSION)) ||
      (rc = hs__h5_attr_str(c, file, "axis_order", AXIS_ORDER)))
    return rc;
  return sobol ? HS_OK : hs__h5_attr_i64(c, file, "levels", t->levels);
}

static int write_file(const hs__h5ctx *c, const char *tmp, const hs_sens_table *t) {
  int rc = HS_OK;
  hid_t file = -1, fapl = -1, sc[3] = {-1, -1, -1};
  hsize_t md[2] = {(hsize_t)t->n_metrics, (hsize_t)t->n_drugs};
  HS_H5ID(fapl, hs__h5_fapl(), "file access properties");
  HS_H5ID(file, H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "H5Fcreate '%s'", tmp);
  if ((rc = root_attrs(c, file, t)) ||
      (rc = string_scale(c, file, "parameter", t->param_names, t->n_params,
                         "swept scenario path", &sc[0])) ||
      (rc = string_scale(c, file, "metric", t->metric_names, t->n_metrics, "metric", &sc[1])) ||
      (rc = string_scale(c, file, "drug", t->drug_names, t->n_drugs, "drug name", &sc[2])) ||
      (rc = string_var(c, file, "parameter_units", t->param_units, t->n_params,
                       "internal units of the swept values", sc[0], "parameter")) ||
      (rc = string_var(c, file, "metric_units", t->metric_units, t->n_metrics,
                       "units of the metric", sc[1], "metric")) ||
      (rc = index_vars(c, file, t, sc)) ||
      (rc = array_var(c, file, "n_used", 2, md, H5T_STD_I64LE, H5T_NATIVE_INT64, t->n_used, "1",
                      "samples (saltelli) or trajectories (morris) without a failed run", sc)))
    goto done;
  if (t->design == HS_DESIGN_SALTELLI)
    rc = array_var(c, file, "variance", 2, md, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t->variance,
                   "metric_units^2", "variance of the metric over the A and B samples", sc);
done:
  for (int k = 0; k < 3; k++) hs__h5_close(sc[k]);
  hs__h5_close(fapl);
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose '%s'", tmp);
  return rc;
}

int hs_sensfile_write(const char *path, int force, const hs_sens_table *t, hs_error *err) {
  char *tmp;
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  int rc = hs__output_begin(path, force, &tmp, err);
  if (rc) return rc;
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = write_file(&c, tmp, t);
  hs__h5_quiet_end(q);
  return hs__output_end(tmp, path, force, rc, err);
}

/* ---- reading the runs back ---------------------------------------------------------------- */

/* Whether file is a complete sweep of n_runs runs (attributes complete and n_runs). */
static int complete_sweep(hid_t file, int64_t n_runs) {
  long long done = 0, n = -1;
  return hs__h5_attr_get(file, "complete", H5T_NATIVE_LLONG, &done) == 0 && done == 1 &&
         hs__h5_attr_get(file, "n_runs", H5T_NATIVE_LLONG, &n) == 0 && (n_runs < 0 || n == n_runs);
}

/* The metric [n_runs, n_drugs] and status [n_runs] into y (transposed) and st. */
static int read_into(const hs__h5ctx *c, hid_t file, const char *metric, int64_t n_runs,
                     int n_drugs, double *y, double *rows, signed char *st) {
  int rc = HS_OK;
  hid_t ds = -1, fs = -1, ss = -1;
  hsize_t d[2] = {0, 0};
  if (!complete_sweep(file, n_runs))
    return hs_error_set(c->err, HS_EINPUT, "%s: not a complete sweep of %lld runs", c->path,
                        (long long)n_runs);
  if (hs__sweepfile_var_rank(file, metric) != 2)
    return hs_error_set(c->err, HS_EINPUT, "%s: no metric '%s'", c->path, metric);
  HS_H5ID(ds, H5Dopen2(file, metric, H5P_DEFAULT), "H5Dopen2 '%s'", metric);
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space '%s'", metric);
  H5Sget_simple_extent_dims(fs, d, NULL);
  if (d[0] != (hsize_t)n_runs || d[1] != (hsize_t)n_drugs) {
    rc = hs_error_set(c->err, HS_EINPUT, "%s: metric '%s' is %llu x %llu, expected %lld runs x "
                      "%d drugs", c->path, metric, (unsigned long long)d[0],
                      (unsigned long long)d[1], (long long)n_runs, n_drugs);
    goto done;
  }
  HS_H5TRY(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), "H5Dread '%s'",
           metric);
  HS_H5ID(ss, H5Dopen2(file, "status", H5P_DEFAULT), "H5Dopen2 'status'");
  HS_H5TRY(H5Dread(ss, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, st), "H5Dread 'status'");
  for (int64_t r = 0; r < n_runs; r++)
    for (int k = 0; k < n_drugs; k++)
      y[k * n_runs + r] = st[r] == HS_RUN_OK ? rows[r * n_drugs + k] : NAN;
done:
  hs__h5_close(ss);
  hs__h5_close(fs);
  hs__h5_close(ds);
  return rc;
}

int hs_sensfile_read_metric(const char *runs_path, const char *metric, int64_t n_runs,
                            int n_drugs, double *y, hs_error *err) {
  hs__h5ctx c = {runs_path, err, H5P_DEFAULT};
  double *rows = malloc(sizeof *rows * (size_t)n_runs * (size_t)n_drugs);
  signed char *st = malloc((size_t)n_runs);
  if (!rows || !st) {
    free(rows), free(st);
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory for metric '%s'", runs_path, metric);
  }
  hs__h5_quiet q = hs__h5_quiet_begin();
  hid_t file = H5Fopen(runs_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  int rc = file < 0 ? hs__h5_fail(&c, "H5Fopen '%s'", runs_path)
                    : read_into(&c, file, metric, n_runs, n_drugs, y, rows, st);
  hs__h5_close(file);
  hs__h5_quiet_end(q);
  free(st);
  free(rows);
  return rc;
}

int hs_sensfile_runs_reusable(const char *runs_path, const char *scenario_text) {
  if (!hs__sweepfile_path_exists(runs_path)) return 0;
  hs__h5_quiet q = hs__h5_quiet_begin();
  hid_t file = H5Fopen(runs_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  int ok = file >= 0 && complete_sweep(file, -1) &&
           hs__h5_attr_str_is(file, "scenario_text", scenario_text);
  hs__h5_close(file);
  hs__h5_quiet_end(q);
  return ok;
}
