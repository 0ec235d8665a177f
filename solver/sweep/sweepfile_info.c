/* sweepfile_info.c - `hepatosim info`: what a sweep file holds, its progress and the range
 * of every parameter and metric over the runs done, read chunk_runs rows at a time. */
#include "hs_sweepfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

#define INFO_NAME_W 32
#define INFO_DRUG_W 16
#define INFO_UNIT_W 10
#define INFO_NUM_W 14

typedef struct info_hdr {
  int64_t n_runs, chunk, done, failed;
  int64_t first, end;   /* the slice of a shard; [0, n_runs) for a whole sweep */
  hs__shard_name shard; /* "" for a whole sweep */
  int32_t complete;
  char **drugs;
  hsize_t n_drugs;
} info_hdr;

typedef struct stats {
  double min, max;
  int64_t nan;
} stats;

static void stats_add(stats *s, double v) {
  if (isnan(v)) {
    s->nan++;
    return;
  }
  if (v < s->min) s->min = v;
  if (v > s->max) s->max = v;
}

static void put_num(FILE *out, double v, int any) {
  if (any)
    fprintf(out, " %*.6g", INFO_NUM_W, v);
  else
    fprintf(out, " %*s", INFO_NUM_W, "-");
}

/* shard, run_first and run_end of h's file into h. */
static int read_slice(const hs__h5ctx *c, hid_t file, info_hdr *h) {
  char *shard = hs__h5_attr_get_str(file, "shard");
  int ok = shard && strlen(shard) < sizeof h->shard.s &&
           hs__h5_attr_get(file, "run_first", H5T_NATIVE_INT64, &h->first) == 0 &&
           hs__h5_attr_get(file, "run_end", H5T_NATIVE_INT64, &h->end) == 0;
  if (ok) snprintf(h->shard.s, sizeof h->shard.s, "%s", shard);
  if (shard) H5free_memory(shard);
  if (!ok)
    return hs_error_set(c->err, HS_EINPUT,
                        "%s: not a sweep file of this version (attribute 'shard', 'run_first' "
                        "or 'run_end' missing)",
                        c->path);
  if (h->first < 0 || h->first > h->end || h->end > h->n_runs)
    return hs_error_set(c->err, HS_EINPUT, "%s: run slice [%lld, %lld) out of range", c->path,
                        (long long)h->first, (long long)h->end);
  return HS_OK;
}

static int read_header(const hs__h5ctx *c, hid_t file, info_hdr *h) {
  int rc;
  const char *const names[] = {"n_runs", "chunk_runs", "runs_done", "runs_failed"};
  int64_t *vals[] = {&h->n_runs, &h->chunk, &h->done, &h->failed};
  for (int i = 0; i < 4; i++)
    if (hs__h5_attr_get(file, names[i], H5T_NATIVE_INT64, vals[i]) < 0)
      return hs_error_set(c->err, HS_EINPUT, "%s: not a sweep file (attribute '%s' missing)",
                          c->path, names[i]);
  if (hs__h5_attr_get(file, "complete", H5T_NATIVE_INT32, &h->complete) < 0)
    return hs_error_set(c->err, HS_EINPUT,
                        "%s: not a sweep file (attribute 'complete' missing)", c->path);
  if ((rc = read_slice(c, file, h))) return rc;
  if (h->done < h->first || h->done > h->end)
    return hs_error_set(c->err, HS_EINPUT, "%s: runs_done %lld out of range", c->path,
                        (long long)h->done);
  if (h->chunk < 1 || h->chunk > HS_SF_CHUNK_MAX) h->chunk = 4096;
  if (!(h->drugs = hs__sweepfile_read_strings(file, "drug", &h->n_drugs)))
    return hs_error_set(c->err, HS_EINPUT, "%s: not a sweep file (no 'drug' names)", c->path);
  return HS_OK;
}

/* A patient table's ids: how many, and the first few. */
static void print_ids(FILE *out, hid_t file) {
  hsize_t n = 0;
  if (H5Lexists(file, "id", H5P_DEFAULT) <= 0) return;
  char **ids = hs__sweepfile_read_strings(file, "id", &n);
  if (!ids) return;
  fprintf(out, "ids: %llu (", (unsigned long long)n);
  for (hsize_t i = 0; i < n && i < 5; i++) fprintf(out, "%s%s", i ? ", " : "", ids[i]);
  fprintf(out, "%s)\n", n > 5 ? ", ..." : "");
  hs__sweepfile_free_strings(ids, n);
}

static void print_header(FILE *out, const char *path, hid_t file, const info_hdr *h) {
  char *scen = hs__h5_attr_get_str(file, "scenario_path");
  char *design = hs__h5_attr_get_str(file, "design");
  uint64_t seed = 0;
  int has_seed = hs__h5_attr_get(file, "seed", H5T_NATIVE_UINT64, &seed) == 0;
  fprintf(out, "sweep file: %s\n", path);
  fprintf(out, "scenario: %s\n", scen ? scen : "?");
  fprintf(out, "design: %s, seed %llu%s\n", design ? design : "?", (unsigned long long)seed,
          has_seed ? "" : " (missing)");
  print_ids(out, file);
  if (h->shard.s[0] && h->end > h->first)
    fprintf(out, "shard %s: runs %lld-%lld, %lld done of %lld (%lld failed)\n", h->shard.s,
            (long long)h->first, (long long)h->end - 1, (long long)(h->done - h->first),
            (long long)(h->end - h->first), (long long)h->failed);
  else if (h->shard.s[0])
    fprintf(out, "shard %s: no runs (more shards than chunks of runs)\n", h->shard.s);
  else
    fprintf(out, "runs: %lld done of %lld (%lld failed)\n", (long long)h->done,
            (long long)h->n_runs, (long long)h->failed);
  fprintf(out, "complete: %s\n", h->complete ? "yes" : "no");
  if (scen) H5free_memory(scen);
  if (design) H5free_memory(design);
}

/* Statistics over runs [first, done) of a [run] or [run, drug] dataset, per column,
 * reading chunk runs at a time into buf (chunk x ncol doubles). */
static int var_stats(const hs__h5ctx *c, hid_t ds, int rank, const info_hdr *h, double *buf,
                     stats *st) {
  int rc = HS_OK;
  hid_t fs = -1, ms = -1;
  hsize_t ncol = rank == 2 ? h->n_drugs : 1;
  char nb[HS_SF_NAME_MAX + 2];
  for (hsize_t j = 0; j < ncol; j++) st[j] = (stats){INFINITY, -INFINITY, 0};
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space '%s'", hs__h5_obj_name(ds, nb, sizeof nb));
  for (hsize_t r = (hsize_t)h->first; r < (hsize_t)h->done; r += (hsize_t)h->chunk) {
    hsize_t m = (hsize_t)h->done - r, start[2] = {r, 0}, count[2] = {0, ncol};
    count[0] = m < (hsize_t)h->chunk ? m : (hsize_t)h->chunk;
    HS_H5TRY(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL),
             "H5Sselect_hyperslab '%s'", hs__h5_obj_name(ds, nb, sizeof nb));
    HS_H5ID(ms, H5Screate_simple(rank, count, NULL), "H5Screate_simple");
    HS_H5TRY(H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf), "H5Dread '%s'",
             hs__h5_obj_name(ds, nb, sizeof nb));
    hs__h5_close(ms);
    ms = -1;
    for (hsize_t i = 0; i < count[0] * ncol; i++) stats_add(&st[i % ncol], buf[i]);
  }
done:
  hs__h5_close(ms);
  hs__h5_close(fs);
  return rc;
}

/* A parameter (rank 1) or metric (rank 2): float, run along dimension 0. */
static int is_stat_var(hid_t ds, const char *name, int rank, const info_hdr *h) {
  hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t d[H5S_MAX_RANK];
  int ok = sp >= 0 && ty >= 0 && H5Tget_class(ty) == H5T_FLOAT &&
           H5Sget_simple_extent_ndims(sp) == rank &&
           H5Sget_simple_extent_dims(sp, d, NULL) >= 0 && d[0] == (hsize_t)h->n_runs &&
           (rank == 1 || d[1] == h->n_drugs) && strcmp(name, "time") && strcmp(name, "run");
  hs__h5_close(ty);
  hs__h5_close(sp);
  return ok;
}

static void print_stats(FILE *out, const char *name, const char *drug, const char *units,
                        const stats *s, int with_nan) {
  fprintf(out, "%-*s", INFO_NAME_W, name);
  if (drug) fprintf(out, " %-*s", INFO_DRUG_W, drug);
  fprintf(out, " %-*s", INFO_UNIT_W, units ? units : "");
  put_num(out, s->min, s->min <= s->max);
  put_num(out, s->max, s->min <= s->max);
  if (with_nan) fprintf(out, " %8lld", (long long)s->nan);
  fputc('\n', out);
}

/* A parameter's range in the unit the scenario wrote it in (the dataset's scenario_units
 * and scenario_scale; files without them keep the internal unit in *units). */
static void scenario_unit(hid_t ds, char **units, stats *s) {
  double scale;
  char *su = hs__h5_attr_get_str(ds, "scenario_units");
  if (su && hs__h5_attr_get(ds, "scenario_scale", H5T_NATIVE_DOUBLE, &scale) == 0 &&
      scale > 0 && isfinite(scale)) {
    s->min *= scale, s->max *= scale;
    if (*units) H5free_memory(*units);
    *units = su;
  } else if (su) {
    H5free_memory(su);
  }
}

/* One row per parameter (rank 1, in the scenario's unit) or per metric and drug (rank 2). */
static int info_var(const hs__h5ctx *c, FILE *out, hid_t file, const char *name, int rank,
                    const info_hdr *h, double *buf, stats *st) {
  int rc = HS_OK;
  hid_t ds = -1;
  char *units = NULL;
  HS_H5ID(ds, H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2 '%s'", name);
  if (!is_stat_var(ds, name, rank, h)) goto done;
  if ((rc = var_stats(c, ds, rank, h, buf, st))) goto done;
  units = hs__h5_attr_get_str(ds, "units");
  if (rank == 1) scenario_unit(ds, &units, st);
  if (rank == 1) print_stats(out, name, NULL, units, st, 0);
  for (hsize_t d = 0; rank == 2 && d < h->n_drugs; d++)
    print_stats(out, name, h->drugs[d], units, &st[d], 1);
done:
  if (units) H5free_memory(units);
  hs__h5_close(ds);
  return rc;
}

/* Every rank-`rank` variable in creation order, after a heading. */
static int info_vars(const hs__h5ctx *c, FILE *out, hid_t file, int rank, const info_hdr *h,
                     double *buf, stats *st) {
  int rc = HS_OK;
  H5G_info_t gi;
  char name[HS_SF_NAME_MAX + 2];
  HS_H5TRY(H5Gget_info(file, &gi), "H5Gget_info '/'");
  fprintf(out, "\n%-*s", INFO_NAME_W, rank == 1 ? "parameter" : "metric");
  if (rank == 2) fprintf(out, " %-*s", INFO_DRUG_W, "drug");
  fprintf(out, " %-*s %*s %*s%s\n", INFO_UNIT_W, "units", INFO_NUM_W, "min", INFO_NUM_W, "max",
          rank == 2 ? "      nan" : "");
  for (hsize_t i = 0; i < gi.nlinks && !rc; i++) {
    if (hs__sweepfile_link_name(file, i, name, sizeof name) < 0) continue; /* not one of ours */
    if (hs__sweepfile_var_rank(file, name) == rank)
      rc = info_var(c, out, file, name, rank, h, buf, st);
  }
done:
  return rc;
}

static int info_file(const hs__h5ctx *c, hid_t file, FILE *out) {
  int rc;
  info_hdr h = {0};
  double *buf = NULL;
  stats *st = NULL;
  if ((rc = read_header(c, file, &h))) goto done;
  buf = malloc(sizeof *buf * (size_t)h.chunk * (h.n_drugs > 0 ? h.n_drugs : 1));
  st = malloc(sizeof *st * (h.n_drugs > 0 ? h.n_drugs : 1));
  if (!buf || !st) {
    rc = hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
    goto done;
  }
  print_header(out, c->path, file, &h);
  if (!(rc = info_vars(c, out, file, 1, &h, buf, st)))
    rc = info_vars(c, out, file, 2, &h, buf, st);
  if (!rc) rc = hs__sweepfile_info_quantiles(c, out, file, h.first, h.done, h.drugs, h.n_drugs);
done:
  free(st);
  free(buf);
  hs__sweepfile_free_strings(h.drugs, h.n_drugs);
  return rc;
}

static int info_here(const char *path, FILE *out, hs_error *err) {
  int rc = HS_OK;
  hs__h5ctx ctx = {path, err, H5P_DEFAULT}, *c = &ctx;
  hid_t file = -1;
  hs__h5_quiet q = hs__h5_quiet_begin();
  HS_H5ID(file, H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  rc = info_file(c, file, out);
done:
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose");
  hs__h5_quiet_end(q);
  return rc;
}

/* The whole of info runs in an isolated child (sweepfile_probe.c): a damaged file can
 * crash or hang HDF5 in reads no metadata walk repeats in the same order (a damaged
 * global heap looped in the header's string read only after the other attributes had
 * been read), and the output comes back through a pipe, so nothing is read twice. */
int hs_sweepfile_info(const char *path, FILE *out, hs_error *err) {
  if (!path || !out) return hs_error_set(err, HS_EINPUT, "sweep file info: no path or stream");
  return hs__sweepfile_isolated(path, info_here, out, err);
}
