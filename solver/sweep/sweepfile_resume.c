/* sweepfile_resume.c - reopening an interrupted sweep file (see hs_sweepfile.h): what must
 * match the sweep being resumed, and why a file is refused. The sweep checks serve merge too. */
#include "hs_sweepfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

/* Write the reason into why; returns 1 (refused). */
int hs__sweepfile_say(char *why, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, HS_SF_WHY_LEN, fmt, ap);
  va_end(ap);
  return 1;
}

/* runs_done, runs_failed, complete. prog[0..1] receive runs_done and runs_failed. */
static int refused_progress(hid_t file, int64_t prog[2], char *why) {
  int32_t complete = 0;
  if (hs__h5_attr_get(file, "runs_done", H5T_NATIVE_INT64, &prog[0]) < 0)
    return hs__sweepfile_say(why, "runs_done attribute missing");
  if (hs__h5_attr_get(file, "runs_failed", H5T_NATIVE_INT64, &prog[1]) < 0)
    return hs__sweepfile_say(why, "runs_failed attribute missing");
  if (hs__h5_attr_get(file, "complete", H5T_NATIVE_INT32, &complete) < 0)
    return hs__sweepfile_say(why, "complete attribute missing");
  if (complete) return hs__sweepfile_say(why, "already complete");
  return 0;
}

/* Seed, n_runs, chunk_runs, design and scenario of lay, the most telling first (a new seed
 * also changes the scenario text); ref names lay in messages. */
static int refused_provenance(hid_t file, const hs_sweep_layout *lay, const char *ref,
                              char *why) {
  uint64_t seed;
  int64_t n_runs, chunk;
  if (hs__h5_attr_get(file, "seed", H5T_NATIVE_UINT64, &seed) < 0)
    return hs__sweepfile_say(why, "seed differs (none in file)");
  if (seed != lay->seed)
    return hs__sweepfile_say(why, "seed differs (file %llu, %s %llu)", (unsigned long long)seed,
                             ref, (unsigned long long)lay->seed);
  if (hs__h5_attr_get(file, "n_runs", H5T_NATIVE_INT64, &n_runs) < 0 || n_runs != lay->n_runs)
    return hs__sweepfile_say(why, "n_runs differs (%s %lld)", ref, (long long)lay->n_runs);
  if (hs__h5_attr_get(file, "chunk_runs", H5T_NATIVE_INT64, &chunk) < 0 || chunk != lay->chunk_runs)
    return hs__sweepfile_say(why, "chunk_runs differs (%s %d)", ref, lay->chunk_runs);
  if (!hs__h5_attr_str_is(file, "design", lay->design_name))
    return hs__sweepfile_say(why, "design differs");
  if (!hs__h5_attr_str_is(file, "design_text", lay->design_text))
    return hs__sweepfile_say(why, "design differs (design_text)");
  if (!hs__h5_attr_str_is(file, "scenario_text", lay->scenario_text))
    return hs__sweepfile_say(why, "scenario_text differs");
  return 0;
}

/* The shard and its run slice equal lay's; runs_done lies in the slice. */
static int refused_slice(hid_t file, const hs_sweep_layout *lay, const int64_t prog[2],
                         char *why) {
  int64_t first, end, ff = -1, fe = -1;
  hs__shard_name want = hs__sweepfile_shard_str(lay->shard_k, lay->shard_n);
  char *have = hs__h5_attr_get_str(file, "shard");
  int same = have && !strcmp(have, want.s);
  if (!same)
    hs__sweepfile_say(why, "shard differs (file %s, now %s)",
                      !have     ? "none"
                      : have[0] ? have
                                : "whole sweep",
                      want.s[0] ? want.s : "whole sweep");
  if (have) H5free_memory(have);
  if (!same) return 1;
  hs__sweepfile_lay_slice(lay, &first, &end);
  if (hs__h5_attr_get(file, "run_first", H5T_NATIVE_INT64, &ff) < 0 ||
      hs__h5_attr_get(file, "run_end", H5T_NATIVE_INT64, &fe) < 0 || ff != first || fe != end)
    return hs__sweepfile_say(why, "run slice differs (file [%lld, %lld), now [%lld, %lld))",
                             (long long)ff, (long long)fe, (long long)first, (long long)end);
  if (prog[0] < first || prog[0] > end || prog[1] < 0 || prog[1] > prog[0] - first)
    return hs__sweepfile_say(why, "runs_done %lld / runs_failed %lld out of range",
                             (long long)prog[0], (long long)prog[1]);
  return 0;
}

/* 1 when dataset `name` has this rank and shape, float elements of fsize bytes, units, and
 * (a per-run variable) its name as long_name: string attributes live in HDF5's global heap,
 * which carries no checksum, so they are compared, not trusted. */
static int var_matches(hid_t file, const char *name, int rank, const hsize_t *dims,
                       size_t fsize, const char *units) {
  int ok = 0;
  hid_t ds = -1, sp = -1, ty = -1;
  hsize_t d[H5S_MAX_RANK];
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return 0;
  if ((ds = H5Dopen2(file, name, H5P_DEFAULT)) < 0) return 0;
  if ((sp = H5Dget_space(ds)) < 0 || (ty = H5Dget_type(ds)) < 0) goto done;
  if (H5Sget_simple_extent_ndims(sp) != rank || H5Sget_simple_extent_dims(sp, d, NULL) < 0)
    goto done;
  for (int i = 0; i < rank; i++)
    if (d[i] != dims[i]) goto done;
  if (H5Tget_class(ty) != H5T_FLOAT || H5Tget_size(ty) != fsize) goto done;
  ok = hs__h5_attr_str_is(ds, "units", units) &&
       (!strcmp(name, "time") || hs__h5_attr_str_is(ds, "long_name", name));
done:
  hs__h5_close(ty);
  hs__h5_close(sp);
  hs__h5_close(ds);
  return ok;
}

/* Whether dataset `name` holds fixed-length strings of this version's size. */
static int fixed_strings(hid_t file, const char *name) {
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), ty = ds >= 0 ? H5Dget_type(ds) : -1;
  int ok = ty >= 0 && H5Tget_class(ty) == H5T_STRING && H5Tis_variable_str(ty) == 0 &&
           H5Tget_size(ty) == HS_SF_STR_LEN;
  hs__h5_close(ty);
  hs__h5_close(ds);
  return ok;
}

static int drugs_match(hid_t file, const hs_sweep_layout *lay) {
  hsize_t n;
  char **s = hs__sweepfile_read_strings(file, "drug", &n);
  int same = s && n == (hsize_t)lay->n_drugs;
  for (hsize_t i = 0; same && i < n; i++) same = s[i] && !strcmp(s[i], lay->drug_names[i]);
  hs__sweepfile_free_strings(s, n);
  return same;
}

/* 1 when the file's time scale equals lay's time points exactly. */
static int times_match(hid_t file, const hs_sweep_layout *lay) {
  hsize_t nt = (hsize_t)lay->n_time;
  int same = 0;
  double *t = malloc(sizeof *t * nt);
  hid_t ds = -1;
  if (t && var_matches(file, "time", 1, &nt, 8, "h") &&
      (ds = H5Dopen2(file, "time", H5P_DEFAULT)) >= 0 &&
      H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) >= 0)
    same = !memcmp(t, lay->time, sizeof *t * nt);
  hs__h5_close(ds);
  free(t);
  return same;
}

static int refused_series(hid_t file, const hs_sweep_layout *lay, char *why) {
  hsize_t dims[3] = {(hsize_t)lay->n_runs, (hsize_t)lay->n_drugs, (hsize_t)lay->n_time};
  htri_t has_time = H5Lexists(file, "time", H5P_DEFAULT);
  if (has_time < 0 || (has_time > 0) != (lay->timeseries != 0))
    return hs__sweepfile_say(why, "timeseries settings differ (time series %s)",
                             lay->timeseries ? "asked for, none in file"
                                             : "in file, none asked for");
  if (!lay->timeseries) return 0;
  if (!times_match(file, lay))
    return hs__sweepfile_say(why, "timeseries settings differ (time points)");
  for (int i = 0; i < lay->n_series; i++)
    if (!var_matches(file, lay->series_names[i], 3, dims, lay->ts_float32 ? 4 : 8,
                     hs__sweepfile_unit_of(lay->series_units, i)))
      return hs__sweepfile_say(why, "timeseries settings differ ('%s' missing or changed)",
                               lay->series_names[i]);
  return 0;
}

static int refused_vars(hid_t file, const hs_sweep_layout *lay, char *why) {
  hsize_t dims[2] = {(hsize_t)lay->n_runs, (hsize_t)lay->n_drugs};
  for (int i = 0; i < lay->n_params; i++)
    if (!var_matches(file, lay->param_names[i], 1, dims, 8,
                     hs__sweepfile_unit_of(lay->param_units, i)))
      return hs__sweepfile_say(why, "parameters differ ('%s' missing or changed)",
                               lay->param_names[i]);
  if (!drugs_match(file, lay)) return hs__sweepfile_say(why, "drugs differ");
  if (!fixed_strings(file, "reason"))
    return hs__sweepfile_say(why,
                             "its strings are variable-length (written by an earlier version)");
  for (int i = 0; i < lay->n_metrics; i++)
    if (!var_matches(file, lay->metric_names[i], 2, dims, 8,
                     hs__sweepfile_unit_of(lay->metric_units, i)))
      return hs__sweepfile_say(why, "metrics differ ('%s' missing or changed)",
                               lay->metric_names[i]);
  return refused_series(file, lay, why);
}

/* Variables in the file that lay does not have. */
static int refused_extras(hid_t file, const hs_sweep_layout *lay, char *why) {
  H5G_info_t gi;
  char name[HS_SF_NAME_MAX + 2];
  if (H5Gget_info(file, &gi) < 0) return hs__sweepfile_say(why, "cannot list the variables");
  for (hsize_t i = 0; i < gi.nlinks; i++) {
    if (hs__sweepfile_link_name(file, i, name, sizeof name) < 0)
      return hs__sweepfile_say(why, "parameters differ (a name over %d characters)",
                               HS_SF_NAME_MAX);
    if (hs__sweepfile_expects(lay, name)) continue;
    int rank = hs__sweepfile_var_rank(file, name);
    return hs__sweepfile_say(why, "%s differ ('%s' is not in this sweep)",
                             rank == 2   ? "metrics"
                             : rank == 3 ? "timeseries settings"
                                         : "parameters",
                             name);
  }
  return 0;
}

static int refused_tolerances(hid_t file, const hs_sweep_layout *lay, const char *ref,
                              char *why) {
  double rtol, atol;
  if (hs__h5_attr_get(file, "rtol", H5T_NATIVE_DOUBLE, &rtol) < 0 ||
      hs__h5_attr_get(file, "atol", H5T_NATIVE_DOUBLE, &atol) < 0 || rtol != lay->rtol ||
      atol != lay->atol)
    return hs__sweepfile_say(why, "tolerances differ (%s rtol %g, atol %g)", ref, lay->rtol,
                             lay->atol);
  return 0;
}

/* 0 when the file holds (part of) the sweep lay describes: scenario, design, seed, runs,
 * variables with their shapes, types and units, tolerances. Else 1 with the reason in
 * why; ref names lay in it ("now" on resume). Shared by resume and merge. */
int hs__sweepfile_refused_sweep(hid_t file, const hs_sweep_layout *lay, const char *ref,
                                char *why) {
  return refused_provenance(file, lay, ref, why) || refused_vars(file, lay, why) ||
         refused_extras(file, lay, why) || refused_tolerances(file, lay, ref, why);
}

/* 0 when the file may be resumed with lay, else 1 with the reason in why. */
static int refused(hid_t file, const hs_sweep_layout *lay, int64_t prog[2], char *why) {
  return refused_progress(file, prog, why) || hs__sweepfile_refused_sweep(file, lay, "now", why) ||
         refused_slice(file, lay, prog, why);
}

/* Every dataset reads back over the runs stored, [run_first, done): else 1, the damage in
 * why (the file is then no base to resume from). */
static int verified(hid_t file, const hs_sweep_layout *lay, int64_t done, char *why) {
  int64_t first, end;
  char what[HS_SF_WHY_LEN];
  hs__sweepfile_lay_slice(lay, &first, &end);
  if (!hs__sweepfile_verify(file, lay->n_runs, first, done, NULL, what)) return 0;
  return hs__sweepfile_say(why, "%.400s; start again with --force", what);
}

static int open_file(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay,
                     int64_t prog[2]) {
  char why[HS_SF_WHY_LEN] = "";
  hs_error probe;
  if (!hs__sweepfile_path_exists(c->path))
    hs__sweepfile_say(why, "cannot open as HDF5 (%s)", strerror(errno));
  else if (!lay->mpio && hs__sweepfile_probe(c->path, &probe)) /* no fork in an MPI job */
    hs__sweepfile_say(why, "reading its metadata crashed or hung the HDF5 library in an isolated read");
  else if ((f->file = hs__sweepfile_open_writer(c->path, lay->mpio)) < 0)
    hs__sweepfile_say(why, "cannot open as HDF5 (%s)", hs__h5_stack().top);
  else if (!refused(f->file, lay, prog, why))
    verified(f->file, lay, prog[0], why);
  if (why[0])
    return hs_error_set(c->err, HS_EINPUT, "%s cannot be resumed safely: %s", c->path, why);
  return hs__sweepfile_open_vars(c, f, lay);
}

int hs_sweepfile_open_resume(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                             int64_t *runs_done, int64_t *runs_failed, hs_error *err) {
  int rc;
  int64_t prog[2] = {0, 0};
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  hs_sweepfile *f;
  if (!out) return hs_error_set(err, HS_EINPUT, "sweep file: no handle to return");
  *out = NULL;
  if ((rc = hs__sweepfile_check_layout(path, lay, err))) return rc;
  if (!(f = hs__sweepfile_new(path, lay)))
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = open_file(&c, f, lay, prog);
  if (!rc && prog[0] == lay->run_first) /* a creation stopped while writing the run scale */
    rc = hs__sweepfile_fill_run_scale(&c, f->file, lay);
  if (rc == HS_ESTOPPED) hs_sweepfile_close(f, 0, NULL);
  else if (rc) hs__sweepfile_free(f);
  hs__h5_quiet_end(q);
  if (rc) return rc;
  if (runs_done) *runs_done = prog[0];
  if (runs_failed) *runs_failed = prog[1];
  *out = f;
  return HS_OK;
}
