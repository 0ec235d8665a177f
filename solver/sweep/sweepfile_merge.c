/* sweepfile_merge.c - joining the shard files of a sweep into one file (see hs_sweepfile.h):
 * the layout read back from the first shard, every shard checked against it and the cover
 * of the runs, then each shard's slice copied into a new whole file. */
#include "hs_sweepfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "hs_design.h"
#include "output/h5util.h"
#include "sweepfile_int.h"

/* ---- merge: the layout of a file, read back ------------------------------------------ */

/* A layout read from a sweep file; owns every string and array its layout points to. */
typedef struct file_layout {
  hs_sweep_layout lay;
  const char **pn, **pu, **mn, **mu, **sn, **su; /* names and units of the variables */
  const char **ps;  /* parameters' scenario_units */
  double *pscale;   /* parameters' scenario_scale (0: none) */
  const char **drugs;
  char **own; /* every string above, strdup'd */
  int n_own, cap_own;
  double *time;
  char *ids; /* a patient table's ids (HS_DESIGN_ID_LEN bytes each), or NULL */
} file_layout;

static void file_layout_free(file_layout *fl) {
  for (int i = 0; i < fl->n_own; i++) free(fl->own[i]);
  free(fl->own);
  free(fl->pn), free(fl->pu), free(fl->mn), free(fl->mu), free(fl->sn), free(fl->su);
  free(fl->ps), free(fl->pscale);
  free(fl->drugs);
  free(fl->time), free(fl->ids);
}

/* A copy of s owned by fl; NULL when out of memory. */
static const char *keep(file_layout *fl, const char *s) {
  char *d = fl->n_own < fl->cap_own ? strdup(s ? s : "") : NULL;
  if (d) fl->own[fl->n_own++] = d;
  return d;
}

/* String attribute `name` of loc, kept by fl; NULL when missing or out of memory. */
static const char *keep_attr(file_layout *fl, hid_t loc, const char *name) {
  char *v = hs__h5_attr_get_str(loc, name);
  const char *k = v ? keep(fl, v) : NULL;
  if (v) H5free_memory(v);
  return k;
}

static int not_sweep(const hs__h5ctx *c, const char *what) {
  return hs_error_set(c->err, HS_EINPUT, "%s: not a sweep file (%s)", c->path, what);
}

/* Arrays for n_links variables and 2 n_links + n_drugs + 6 strings (5 provenance, solver). */
static int layout_alloc(const hs__h5ctx *c, file_layout *fl, hsize_t n_links, hsize_t n_drugs) {
  size_t n = (size_t)n_links + 1;
  const char ***arrays[] = {&fl->pn, &fl->pu, &fl->mn, &fl->mu, &fl->sn, &fl->su, &fl->ps};
  for (int i = 0; i < 7; i++)
    if (!(*arrays[i] = calloc(n, sizeof(char *)))) goto oom;
  if (!(fl->pscale = calloc(n, sizeof(double)))) goto oom;
  fl->cap_own = (int)(3 * n + n_drugs + 6);
  fl->drugs = calloc((size_t)n_drugs + 1, sizeof(char *));
  fl->own = calloc((size_t)fl->cap_own, sizeof(char *));
  if (fl->drugs && fl->own) return HS_OK;
oom:
  return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
}

/* Root attributes: provenance, n_runs, chunk_runs, seed, tolerances. */
static int read_provenance(const hs__h5ctx *c, hid_t file, file_layout *fl) {
  hs_sweep_layout *l = &fl->lay;
  int64_t n_runs, chunk;
  const char *const names[] = {"scenario_text", "scenario_path", "design", "design_text",
                               "program_version"};
  const char **dst[] = {&l->scenario_text, &l->scenario_path, &l->design_name,
                        &l->design_text, &l->version};
  for (int i = 0; i < 5; i++)
    if (!(*dst[i] = keep_attr(fl, file, names[i]))) return not_sweep(c, names[i]);
  if (hs__h5_attr_get(file, "n_runs", H5T_NATIVE_INT64, &n_runs) < 0 ||
      hs__h5_attr_get(file, "chunk_runs", H5T_NATIVE_INT64, &chunk) < 0 || n_runs < 1 ||
      chunk < 1 || chunk > HS_SF_CHUNK_MAX)
    return not_sweep(c, "n_runs or chunk_runs missing or out of range");
  if (hs__h5_attr_get(file, "seed", H5T_NATIVE_UINT64, &l->seed) < 0 ||
      hs__h5_attr_get(file, "rtol", H5T_NATIVE_DOUBLE, &l->rtol) < 0 ||
      hs__h5_attr_get(file, "atol", H5T_NATIVE_DOUBLE, &l->atol) < 0)
    return not_sweep(c, "seed or tolerances missing");
  if (H5Aexists(file, "solver") > 0 && !(l->solver = keep_attr(fl, file, "solver")))
    return not_sweep(c, "solver");
  l->n_runs = n_runs;
  l->chunk_runs = (int)chunk;
  return HS_OK;
}

/* The drug scale (already read into s) and, when there is one, the time scale. */
static int read_scales(const hs__h5ctx *c, hid_t file, file_layout *fl, char **s, hsize_t nd) {
  int rc = HS_OK;
  hid_t ds = -1, sp = -1;
  hsize_t nt = 0;
  for (hsize_t d = 0; d < nd; d++)
    if (!(fl->drugs[d] = keep(fl, s[d]))) return hs_error_set(c->err, HS_ENOMEM, "out of memory");
  fl->lay.drug_names = fl->drugs;
  fl->lay.n_drugs = (int)nd;
  htri_t has_time = H5Lexists(file, "time", H5P_DEFAULT);
  HS_H5TRY(has_time, "H5Lexists 'time'");
  if (!has_time) return HS_OK;
  HS_H5ID(ds, H5Dopen2(file, "time", H5P_DEFAULT), "H5Dopen2 'time'");
  HS_H5ID(sp, H5Dget_space(ds), "H5Dget_space 'time'");
  if (H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &nt, NULL) < 0 ||
      nt < 1 || nt > INT32_MAX || !(fl->time = malloc(sizeof(double) * nt))) {
    rc = not_sweep(c, "bad 'time' scale");
    goto done;
  }
  HS_H5TRY(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, fl->time),
           "H5Dread 'time'");
  fl->lay.timeseries = 1, fl->lay.n_time = (int)nt, fl->lay.time = fl->time;
done:
  hs__h5_close(sp);
  hs__h5_close(ds);
  return rc;
}

/* Variable `name` of rank 1 (parameter), 2 (metric) or 3 (series) into fl's layout. */
static int add_var(const hs__h5ctx *c, hid_t file, file_layout *fl, const char *name, int rank) {
  int rc = HS_OK;
  hs_sweep_layout *l = &fl->lay;
  hid_t ds = -1, ty = -1;
  const char *n = keep(fl, name), *u;
  HS_H5ID(ds, H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2 '%s'", name);
  if (!n || !(u = keep_attr(fl, ds, "units"))) {
    rc = not_sweep(c, "a variable without units");
    goto done;
  }
  if (rank == 1 && H5Aexists(ds, "scenario_scale") > 0) { /* older files have none */
    fl->ps[l->n_params] = keep_attr(fl, ds, "scenario_units");
    hs__h5_attr_get(ds, "scenario_scale", H5T_NATIVE_DOUBLE, &fl->pscale[l->n_params]);
  }
  if (rank == 1) fl->pn[l->n_params] = n, fl->pu[l->n_params++] = u;
  else if (rank == 2) fl->mn[l->n_metrics] = n, fl->mu[l->n_metrics++] = u;
  else if (rank == 3) fl->sn[l->n_series] = n, fl->su[l->n_series++] = u;
  else rc = not_sweep(c, "a variable of rank other than 1, 2 or 3");
  if (rank == 3) {
    HS_H5ID(ty, H5Dget_type(ds), "H5Dget_type '%s'", name);
    l->ts_float32 = H5Tget_size(ty) == 4;
  }
done:
  hs__h5_close(ty);
  hs__h5_close(ds);
  return rc;
}

/* Every variable at the root, in creation order, sorted into parameters, metrics, series. */
static int read_vars(const hs__h5ctx *c, hid_t file, file_layout *fl, hsize_t n_links) {
  int rc = HS_OK;
  char name[HS_SF_NAME_MAX + 2];
  hs_sweep_layout *l = &fl->lay;
  l->param_names = fl->pn, l->param_units = fl->pu;
  l->param_scenario_units = fl->ps, l->param_scenario_scale = fl->pscale;
  l->metric_names = fl->mn, l->metric_units = fl->mu;
  l->series_names = fl->sn, l->series_units = fl->su;
  for (hsize_t i = 0; i < n_links && !rc; i++) {
    if (hs__sweepfile_link_name(file, i, name, sizeof name) < 0)
      return not_sweep(c, "a name too long");
    if (!hs__sweepfile_is_reserved(name))
      rc = add_var(c, file, fl, name, hs__sweepfile_var_rank(file, name));
  }
  if (!rc && l->timeseries != (l->n_series > 0)) rc = not_sweep(c, "time scale without series");
  return rc;
}

/* A patient table's ids (dataset `id`), when the file has them. */
static int read_ids(const hs__h5ctx *c, hid_t file, file_layout *fl) {
  hsize_t n = 0;
  if (H5Lexists(file, "id", H5P_DEFAULT) <= 0) return HS_OK;
  char **ids = hs__sweepfile_read_strings(file, "id", &n);
  if (!ids || n != (hsize_t)fl->lay.n_runs) {
    hs__sweepfile_free_strings(ids, n);
    return not_sweep(c, "'id' is not one string a run");
  }
  if ((fl->ids = calloc((size_t)n, HS_DESIGN_ID_LEN)))
    for (hsize_t i = 0; i < n; i++)
      snprintf(fl->ids + i * HS_DESIGN_ID_LEN, HS_DESIGN_ID_LEN, "%s", ids[i]);
  hs__sweepfile_free_strings(ids, n);
  if (!fl->ids) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  fl->lay.run_ids = fl->ids, fl->lay.run_id_len = HS_DESIGN_ID_LEN;
  return HS_OK;
}

/* The layout of the sweep file `file` (a shard), as hs_sweepfile_create wants it. */
static int read_layout(const hs__h5ctx *c, hid_t file, file_layout *fl) {
  int rc;
  H5G_info_t gi;
  hsize_t nd = 0;
  char **drugs = hs__sweepfile_read_strings(file, "drug", &nd);
  if (!drugs || nd < 1 || nd > INT32_MAX) rc = not_sweep(c, "no 'drug' names");
  else if (H5Gget_info(file, &gi) < 0) rc = hs__h5_fail(c, "H5Gget_info '/'");
  else if (!(rc = layout_alloc(c, fl, gi.nlinks, nd)) && !(rc = read_provenance(c, file, fl)) &&
           !(rc = read_scales(c, file, fl, drugs, nd)) && !(rc = read_ids(c, file, fl)))
    rc = read_vars(c, file, fl, gi.nlinks);
  hs__sweepfile_free_strings(drugs, nd);
  return rc;
}

/* ---- merge: checking the shards ------------------------------------------------------ */

/* What merging needs to know of one shard. */
typedef struct shard_info {
  const char *path;
  int k, n;
  int64_t first, end, done, failed;
  int32_t complete;
} shard_info;

/* Shard attributes and progress of `file` into si. */
static int read_shard_attrs(const hs__h5ctx *c, hid_t file, shard_info *si) {
  char *shard = hs__h5_attr_get_str(file, "shard");
  int used = 0, ok = shard != NULL;
  if (ok && shard[0])
    ok = sscanf(shard, "%d/%d%n", &si->k, &si->n, &used) == 2 && !shard[used] && si->n >= 1 &&
         si->k >= 1 && si->k <= si->n;
  if (shard) H5free_memory(shard);
  if (!ok) return not_sweep(c, "attribute 'shard' missing or not K/N");
  if (hs__h5_attr_get(file, "run_first", H5T_NATIVE_INT64, &si->first) < 0 ||
      hs__h5_attr_get(file, "run_end", H5T_NATIVE_INT64, &si->end) < 0 ||
      hs__h5_attr_get(file, "runs_done", H5T_NATIVE_INT64, &si->done) < 0 ||
      hs__h5_attr_get(file, "runs_failed", H5T_NATIVE_INT64, &si->failed) < 0 ||
      hs__h5_attr_get(file, "complete", H5T_NATIVE_INT32, &si->complete) < 0)
    return not_sweep(c, "run slice or progress attributes missing");
  if (si->n == 0)
    return hs_error_set(c->err, HS_EINPUT,
                        "%s is a whole sweep, not a shard: there is nothing to merge", c->path);
  return HS_OK;
}

/* One shard against the layout of the first (ref): complete, same sweep, same N. */
static int check_shard(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                       const shard_info *ref, shard_info *si) {
  char why[HS_SF_WHY_LEN] = "";
  int rc = read_shard_attrs(c, file, si);
  if (rc) return rc;
  if (!si->complete || si->done != si->end)
    return hs_error_set(c->err, HS_EINPUT,
                        "%s is not complete (shard %d/%d: %lld of %lld runs done); finish it "
                        "with 'hepatosim sweep ... --shard %d/%d --resume'",
                        c->path, si->k, si->n, (long long)(si->done - si->first),
                        (long long)(si->end - si->first), si->k, si->n);
  if (hs__sweepfile_refused_sweep(file, lay, "first shard", why) ||
      (si->n != ref->n &&
       hs__sweepfile_say(why, "shard count differs (file %d/%d, first shard %d/%d)", si->k, si->n,
                         ref->k, ref->n)))
    return hs_error_set(c->err, HS_EINPUT, "%s is from a different sweep than %s: %s", c->path,
                        ref->path, why);
  if (si->first < 0 || si->first > si->end || si->end > lay->n_runs || si->failed < 0 ||
      si->failed > si->end - si->first)
    return not_sweep(c, "run slice or runs_failed out of range");
  return HS_OK;
}

/* Open shard i read-only; the first one also gives the layout. */
static int read_shard(const char *path, int i, file_layout *fl, shard_info *si, hs_error *err) {
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  hid_t file = -1;
  int rc = HS_OK;
  si[i].path = path;
  if (!hs__sweepfile_path_exists(path))
    return hs_error_set(err, HS_EINPUT, "%s: cannot open (%s)", path, strerror(errno));
  if ((rc = hs__sweepfile_probe(path, err))) return rc;
  if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
    return hs_error_set(err, HS_EINPUT, "%s: cannot open as HDF5 (%s)", path,
                        hs__h5_stack().top);
  if (i == 0) rc = read_layout(&c, file, fl);
  if (!rc) rc = check_shard(&c, file, &fl->lay, &si[0], &si[i]);
  if (H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(&c, "H5Fclose");
  return rc;
}

/* Chunk-aligned runs [*first, *end) of shard k of n (as sweep.c splits them). */
static void shard_slice(const hs_sweep_layout *lay, int k, int n, int64_t *first,
                        int64_t *end) {
  int64_t ck = lay->chunk_runs, nc = (lay->n_runs + ck - 1) / ck;
  *first = (int64_t)(k - 1) * nc / n * ck;
  *end = (int64_t)k * nc / n * ck;
  if (*end > lay->n_runs) *end = lay->n_runs;
}

/* The shard of n that holds run r. */
static int shard_of_run(const hs_sweep_layout *lay, int n, int64_t r) {
  int64_t first, end;
  for (int k = 1; k <= n; k++) {
    shard_slice(lay, k, n, &first, &end);
    if (r >= first && r < end) return k;
  }
  return n;
}

static int missing(const hs_sweep_layout *lay, int n, int64_t a, int64_t b, hs_error *err) {
  int ka = shard_of_run(lay, n, a), kb = shard_of_run(lay, n, b - 1);
  if (ka == kb)
    return hs_error_set(err, HS_EINPUT, "runs %lld-%lld are missing (shard %d/%d?)",
                        (long long)a, (long long)b - 1, ka, n);
  return hs_error_set(err, HS_EINPUT, "runs %lld-%lld are missing (shards %d/%d to %d/%d?)",
                      (long long)a, (long long)b - 1, ka, n, kb, n);
}

static int by_shard(const void *a, const void *b) {
  const shard_info *x = a, *y = b;
  return x->k != y->k ? (x->k > y->k) - (x->k < y->k) : strcmp(x->path, y->path);
}

/* Every run in exactly one shard; each shard holds its own slice. Sorts si by K. */
static int check_cover(shard_info *si, int n, const hs_sweep_layout *lay, hs_error *err) {
  int64_t pos = 0, first, end;
  qsort(si, (size_t)n, sizeof *si, by_shard);
  for (int i = 0; i < n; i++) {
    if (i > 0 && si[i].k == si[i - 1].k)
      return hs_error_set(err, HS_EINPUT, "shard %d/%d is given twice: %s, %s", si[i].k,
                          si[i].n, si[i - 1].path, si[i].path);
    shard_slice(lay, si[i].k, si[i].n, &first, &end);
    if (si[i].first != first || si[i].end != end)
      return hs_error_set(err, HS_EINPUT,
                          "%s: shard %d/%d holds runs [%lld, %lld), not [%lld, %lld)", si[i].path,
                          si[i].k, si[i].n, (long long)si[i].first, (long long)si[i].end,
                          (long long)first, (long long)end);
    if (first > pos) return missing(lay, si[i].n, pos, first, err);
    if (end > pos) pos = end;
  }
  return pos < lay->n_runs ? missing(lay, si[0].n, pos, lay->n_runs, err) : HS_OK;
}

/* ---- merge: copying ------------------------------------------------------------------ */

/* One dataset copied from a shard (src, named in sc) into the merged file (dst, in dc),
 * chunk runs at a time through buf. start/count beyond dimension 0 select the columns. */
typedef struct copy_job {
  const hs__h5ctx *sc, *dc;
  hid_t src, dst, mtype;
  int rank, is_str;
  hsize_t start[3], count[3];
} copy_job;

static const char EMPTY[] = "";

/* Runs [start[0], start[0] + count[0]): read, write; strings released. */
static int copy_block(const copy_job *j, void *buf) {
  int rc = hs__sweepfile_read_slab(j->sc, j->src, j->rank, j->start, j->count, j->mtype, buf);
  char **s = buf;
  for (hsize_t i = 0; !rc && j->is_str && i < j->count[0]; i++)
    if (!s[i]) s[i] = (char *)EMPTY; /* never written: read back as NULL */
  if (!rc) rc = hs__sweepfile_write_slab(j->dc, j->dst, j->rank, j->start, j->count, j->mtype, buf);
  for (hsize_t i = 0; j->is_str && i < j->count[0]; i++)
    if (s[i] && s[i] != EMPTY) H5free_memory(s[i]);
  return rc;
}

static int copy_runs(copy_job *j, const shard_info *si, int chunk, void *buf) {
  int rc = HS_OK;
  for (int64_t r = si->first; r < si->end && !rc; r += chunk) {
    j->start[0] = (hsize_t)r;
    j->count[0] = (hsize_t)(si->end - r < chunk ? si->end - r : chunk);
    if (j->is_str) memset(buf, 0, sizeof(char *) * j->count[0]);
    rc = copy_block(j, buf);
  }
  return rc;
}

/* Dataset `name` of the shard file into dst: all columns, or drug d of a series. */
static int copy_var(copy_job *j, hid_t file, const char *name, const shard_info *si,
                    const hs_sweepfile *f) {
  int rc = HS_OK;
  const hs__h5ctx *c = j->sc;
  HS_H5ID(j->src, H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2 '%s'", name);
  rc = copy_runs(j, si, f->chunk_runs, f->scratch);
done:
  hs__h5_close(j->src);
  j->src = -1;
  return rc;
}

static int copy_series(copy_job *j, hid_t file, const hs_sweep_layout *lay, const shard_info *si,
                       const hs_sweepfile *f) {
  int rc = HS_OK;
  *j = (copy_job){j->sc, j->dc, -1, -1, f->ts_float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE,
                  3, 0, {0}, {0, 1, (hsize_t)f->n_time}};
  for (int s = 0; s < f->n_series && !rc; s++) {
    j->dst = f->series[s];
    for (int d = 0; d < f->n_drugs && !rc; d++) {
      j->start[1] = (hsize_t)d;
      rc = copy_var(j, file, lay->series_names[s], si, f);
    }
  }
  return rc;
}

/* Parameters, metrics, status, reason and series of one shard's slice. */
static int copy_vars(copy_job *j, hid_t file, const hs_sweep_layout *lay, const shard_info *si,
                     const hs_sweepfile *f) {
  int rc = HS_OK;
  *j = (copy_job){j->sc, j->dc, -1, -1, H5T_NATIVE_DOUBLE, 1, 0, {0}, {0}};
  for (int p = 0; p < f->n_params && !rc; p++)
    j->dst = f->params[p], rc = copy_var(j, file, lay->param_names[p], si, f);
  *j = (copy_job){j->sc, j->dc, -1, -1, H5T_NATIVE_DOUBLE, 2, 0, {0}, {0, (hsize_t)f->n_drugs}};
  for (int m = 0; m < f->n_metrics && !rc; m++)
    j->dst = f->metrics[m], rc = copy_var(j, file, lay->metric_names[m], si, f);
  *j = (copy_job){j->sc, j->dc, -1, f->status, H5T_NATIVE_SCHAR, 1, 0, {0}, {0}};
  if (!rc) rc = copy_var(j, file, "status", si, f);
  *j = (copy_job){j->sc, j->dc, -1, f->reason, f->str_type, 1, 0, {0}, {0}}; /* fixed-length */
  if (!rc) rc = copy_var(j, file, "reason", si, f);
  return rc ? rc : copy_series(j, file, lay, si, f);
}

static int copy_shard(hs_sweepfile *f, const hs_sweep_layout *lay, const shard_info *si,
                      hs_error *err) {
  int rc = HS_OK;
  hs__h5ctx sctx = {si->path, err, H5P_DEFAULT}, dctx = {f->path, err, f->dxpl}, *c = &sctx;
  copy_job j = {.sc = &sctx, .dc = &dctx};
  hid_t file = -1;
  HS_H5ID(file, H5Fopen(si->path, H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  rc = copy_vars(&j, file, lay, si, f);
done:
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose");
  return rc;
}

/* The merged file at tmp: created whole, every shard's slice copied, marked complete. */
static int write_merged(const char *tmp, const shard_info *si, int n, const hs_sweep_layout *lay,
                        int64_t *failed_out, hs_error *err) {
  hs_sweep_layout whole = *lay;
  hs_sweepfile *f = NULL;
  int64_t failed = 0;
  whole.shard_k = whole.shard_n = 0;
  whole.run_first = 0, whole.run_end = lay->n_runs;
  whole.mpio = 0; /* merge writes serially */
  int rc = hs_sweepfile_create(tmp, &whole, &f, err);
  if (rc) return rc;
  hs__h5ctx c = {tmp, err, f->dxpl};
  for (int i = 0; i < n && !rc; i++) {
    rc = copy_shard(f, lay, &si[i], err);
    failed += si[i].failed;
  }
  if (!rc) rc = hs__sweepfile_commit_progress(&c, f, lay->n_runs, failed);
  int rc2 = hs_sweepfile_close(f, !rc, rc ? NULL : err);
  *failed_out = failed;
  return rc ? rc : rc2;
}

static int merge(const char *out, const char *const *shards, int n, int64_t counts[2],
                 hs_error *err) {
  char tmp[4200];
  file_layout fl = {0};
  shard_info *si = calloc((size_t)n, sizeof *si);
  int rc = si ? HS_OK : hs_error_set(err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n && !rc; i++) rc = read_shard(shards[i], i, &fl, si, err);
  if (!rc) rc = check_cover(si, n, &fl.lay, err);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
  if (!rc) {
    counts[0] = fl.lay.n_runs;
    if (!(rc = write_merged(tmp, si, n, &fl.lay, &counts[1], err)) && rename(tmp, out) != 0)
      rc = hs_error_set(err, HS_EIO, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
    if (rc && rc != HS_EEXIST) unlink(tmp); /* HS_EEXIST: tmp was there before, not ours */
  }
  free(si);
  file_layout_free(&fl);
  return rc;
}

int hs_sweepfile_merge(const char *out, const char *const *shards, int n_shards, int force,
                       int64_t *n_runs, int64_t *n_failed, hs_error *err) {
  if (!out || !shards || n_shards < 1)
    return hs_error_set(err, HS_EINPUT, "merge: no output file or no shards");
  for (int i = 0; i < n_shards; i++)
    if (!shards[i]) return hs_error_set(err, HS_EINPUT, "merge: shard %d has no name", i + 1);
  if (!force && hs__sweepfile_path_exists(out))
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", out);
  hs__h5_quiet q = hs__h5_quiet_begin();
  int64_t counts[2] = {0, 0};
  int rc = merge(out, shards, n_shards, counts, err);
  hs__h5_quiet_end(q);
  if (n_runs) *n_runs = counts[0];
  if (n_failed) *n_failed = counts[1];
  return rc;
}
