/* sweepfile.c - the HDF5 file of a parameter sweep (see hs_sweepfile.h): the layout checks,
 * the handle, block writes and close, and the helpers that read a file back. Creating a file
 * is sweepfile_create.c, resuming one sweepfile_resume.c, `info` sweepfile_info.c and
 * joining shards sweepfile_merge.c; sweepfile_int.h is what they share.
 *
 * Every variable sits at the root, is created at full size along run (chunked by
 * chunk_runs, shuffle + deflate, NaN / -1 fill) and is written one block of runs at a time
 * as hyperslabs; runs_done is recorded only after the data are flushed. Memory stays
 * bounded by chunk_runs: nothing is ever allocated per run of the sweep. Every HDF5 call
 * goes through HS_H5TRY / HS_H5ID (h5util.h: HS_EIO naming the path and the operation);
 * HDF5's own error printing is switched off inside every public function. */
#include "hs_sweepfile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

#ifdef HS_MPI
#include <mpi.h>
#endif

/* A block of runs handed to hs_sweepfile_write (see there for the layouts). */
typedef struct block {
  int64_t first;
  int n;
  const double *params, *metrics, *series;
  const signed char *status;
  const char *const *reasons;
} block;

static const char *str_or_empty(const char *s) { return s ? s : ""; }

int hs__sweepfile_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* The runs a file of lay holds: [run_first, run_end), or [0, n_runs) for a whole sweep
 * whose slice is left 0/0. */
void hs__sweepfile_lay_slice(const hs_sweep_layout *lay, int64_t *first, int64_t *end) {
  int whole = lay->shard_n == 0 && lay->run_first == 0 && lay->run_end == 0;
  *first = lay->run_first;
  *end = whole ? lay->n_runs : lay->run_end;
}

hs__shard_name hs__sweepfile_shard_str(int k, int n) {
  hs__shard_name r = {""};
  if (n > 0) snprintf(r.s, sizeof r.s, "%d/%d", k, n);
  return r;
}

/* ---- layout checks ------------------------------------------------------------------ */

static const char *const RESERVED[] = {"run", "drug", "time", "status", "reason", "id"};
#define N_RESERVED ((int)(sizeof RESERVED / sizeof RESERVED[0]))

/* Variable names (parameters, metrics, series) in one sequence; NULL past the end. */
static const char *var_name_at(const hs_sweep_layout *lay, int i) {
  if (i < lay->n_params) return lay->param_names[i];
  i -= lay->n_params;
  if (i < lay->n_metrics) return lay->metric_names[i];
  i -= lay->n_metrics;
  return lay->timeseries && i < lay->n_series ? lay->series_names[i] : NULL;
}

static int n_var_names(const hs_sweep_layout *lay) {
  return lay->n_params + lay->n_metrics + (lay->timeseries ? lay->n_series : 0);
}

int hs__sweepfile_is_reserved(const char *name) {
  for (int k = 0; k < N_RESERVED; k++)
    if (!strcmp(name, RESERVED[k])) return 1;
  return 0;
}

int hs__sweepfile_expects(const hs_sweep_layout *lay, const char *name) {
  if (hs__sweepfile_is_reserved(name)) return 1;
  for (int i = 0; i < n_var_names(lay); i++)
    if (!strcmp(name, var_name_at(lay, i))) return 1;
  return 0;
}

/* A variable name must make a link name at the root, distinct from all others. */
static int check_var_name(const char *path, const hs_sweep_layout *lay, int i, hs_error *err) {
  const char *s = var_name_at(lay, i);
  if (!s || !s[0] || strchr(s, '/') || !strcmp(s, ".") || strlen(s) > HS_SF_NAME_MAX)
    return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' cannot name an HDF5 dataset",
                        path, s ? s : "(null)");
  if (hs__sweepfile_is_reserved(s))
    return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' is reserved", path, s);
  for (int j = 0; j < i; j++)
    if (!strcmp(s, var_name_at(lay, j)))
      return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' appears twice", path, s);
  return HS_OK;
}

/* Shard k of n (or 0/0) holds a chunk-aligned slice of the runs; a whole sweep all. */
static int check_slice(const char *path, const hs_sweep_layout *lay, hs_error *err) {
  int64_t first, end, ck = lay->chunk_runs;
  hs__sweepfile_lay_slice(lay, &first, &end);
  if (lay->shard_n < 0 || (lay->shard_n == 0 && lay->shard_k != 0) ||
      (lay->shard_n > 0 && (lay->shard_k < 1 || lay->shard_k > lay->shard_n)))
    return hs_error_set(err, HS_EINPUT, "%s: bad shard %d/%d", path, lay->shard_k,
                        lay->shard_n);
  if (first < 0 || first > end || end > lay->n_runs || first % ck != 0 ||
      (end % ck != 0 && end != lay->n_runs) ||
      (lay->shard_n == 0 && (first != 0 || end != lay->n_runs)))
    return hs_error_set(err, HS_EINPUT,
                        "%s: bad run slice [%lld, %lld) of %lld runs in chunks of %d "
                        "(shard %d/%d)",
                        path, (long long)first, (long long)end, (long long)lay->n_runs,
                        lay->chunk_runs, lay->shard_k, lay->shard_n);
  return HS_OK;
}

int hs__sweepfile_check_layout(const char *path, const hs_sweep_layout *lay, hs_error *err) {
  int rc = HS_OK;
  if (!path || !lay) return hs_error_set(err, HS_EINPUT, "sweep file: no path or layout");
  if (lay->n_runs < 1 || lay->chunk_runs < 1 || lay->n_drugs < 1 || lay->n_params < 0 ||
      lay->n_metrics < 0 || (lay->timeseries && (lay->n_time < 1 || lay->n_series < 0)))
    return hs_error_set(err, HS_EINPUT,
                        "%s: bad sweep layout (n_runs %lld, chunk_runs %d, %d drugs, "
                        "%d parameters, %d metrics, n_time %d)",
                        path, (long long)lay->n_runs, lay->chunk_runs, lay->n_drugs,
                        lay->n_params, lay->n_metrics, lay->n_time);
  if (!lay->drug_names || (lay->n_params && !lay->param_names) ||
      (lay->n_metrics && !lay->metric_names) ||
      (lay->timeseries && (!lay->time || (lay->n_series && !lay->series_names))))
    return hs_error_set(err, HS_EINPUT, "%s: sweep layout lacks names or times", path);
  for (int d = 0; d < lay->n_drugs; d++)
    if (!lay->drug_names[d])
      return hs_error_set(err, HS_EINPUT, "%s: drug %d has no name", path, d);
  for (int i = 0; i < n_var_names(lay) && !rc; i++) rc = check_var_name(path, lay, i, err);
  return rc ? rc : check_slice(path, lay, err);
}

/* Units of parameter, metric or series i (NULL arrays or entries give ""). */
const char *hs__sweepfile_unit_of(const char *const *units, int i) {
  return units ? str_or_empty(units[i]) : "";
}

/* ---- the handle --------------------------------------------------------------------- */

static hid_t *new_ids(int n) {
  hid_t *ids = malloc(sizeof *ids * (size_t)(n > 0 ? n : 1));
  for (int i = 0; ids && i < n; i++) ids[i] = -1;
  return ids;
}

/* Scratch bytes: chunk_runs rows of the widest per-write block (doubles or strings). */
static size_t scratch_bytes(const hs_sweep_layout *lay) {
  size_t w = (size_t)lay->n_drugs;
  if (lay->timeseries && (size_t)lay->n_time > w) w = (size_t)lay->n_time;
  size_t row = w * sizeof(double) > HS_SF_STR_LEN ? w * sizeof(double) : HS_SF_STR_LEN;
  return row * (size_t)lay->chunk_runs;
}

static void close_ids(hid_t *ids, int n) {
  for (int i = 0; ids && i < n; i++) {
    hs__h5_close(ids[i]);
    ids[i] = -1;
  }
}

/* Close every dataset and type of f (not the file). */
static void close_vars(hs_sweepfile *f) {
  close_ids(f->params, f->n_params);
  close_ids(f->metrics, f->n_metrics);
  close_ids(f->series, f->n_series);
  close_ids(&f->status, 1);
  close_ids(&f->reason, 1);
  close_ids(&f->str_type, 1);
}

/* The file access of the writer. With lay->mpio (the MPI engine, more than one rank), rank
 * 0 writes through the MPI-IO driver of parallel HDF5 on its own communicator: the other
 * ranks send it their results (sweep_mpi.c), so writes stay in run order and the file
 * equals the serial one. */
hid_t hs__sweepfile_writer_fapl(int mpio) {
  hid_t fapl = hs__h5_fapl();
#ifdef HS_MPI
  if (fapl >= 0 && mpio && H5Pset_fapl_mpio(fapl, MPI_COMM_SELF, MPI_INFO_NULL) < 0) {
    H5Pclose(fapl);
    return -1;
  }
#else
  (void)mpio;
#endif
  return fapl;
}

/* Transfer properties of the writer's H5Dwrite: parallel HDF5 writes compressed (filtered)
 * datasets only collectively. */
static hid_t writer_dxpl(int mpio) {
#ifdef HS_MPI
  if (!mpio) return H5P_DEFAULT;
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) {
    H5Pclose(dxpl);
    return -1;
  }
  return dxpl;
#else
  (void)mpio;
  return H5P_DEFAULT;
#endif
}

void hs__sweepfile_free(hs_sweepfile *f) {
  if (!f) return;
  close_vars(f);
  hs__h5_close(f->file);
  if (f->dxpl > 0) H5Pclose(f->dxpl);
  free(f->params);
  free(f->metrics);
  free(f->series);
  free(f->scratch);
  free(f->path);
  free(f);
}

/* A handle with no HDF5 object open yet; NULL when out of memory. */
hs_sweepfile *hs__sweepfile_new(const char *path, const hs_sweep_layout *lay) {
  hs_sweepfile *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->file = f->status = f->reason = f->str_type = -1;
  f->dxpl = writer_dxpl(lay->mpio);
  f->n_params = lay->n_params;
  f->n_metrics = lay->n_metrics;
  f->n_series = lay->timeseries ? lay->n_series : 0;
  f->n_drugs = lay->n_drugs;
  f->n_time = lay->timeseries ? lay->n_time : 0;
  f->chunk_runs = lay->chunk_runs;
  f->ts_float32 = lay->ts_float32;
  f->n_runs = lay->n_runs;
  hs__sweepfile_lay_slice(lay, &f->run_first, &f->run_end);
  f->path = strdup(path);
  f->params = new_ids(f->n_params);
  f->metrics = new_ids(f->n_metrics);
  f->series = new_ids(f->n_series);
  f->scratch = malloc(scratch_bytes(lay));
  if (!f->path || !f->params || !f->metrics || !f->series || !f->scratch || f->dxpl < 0) {
    hs__sweepfile_free(f);
    return NULL;
  }
  return f;
}

/* Open every dataset written per block (after create, or on resume). */
int hs__sweepfile_open_vars(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay) {
  int rc = HS_OK;
  for (int i = 0; i < f->n_params; i++)
    HS_H5ID(f->params[i], H5Dopen2(f->file, lay->param_names[i], H5P_DEFAULT), "H5Dopen2 '%s'",
            lay->param_names[i]);
  for (int i = 0; i < f->n_metrics; i++)
    HS_H5ID(f->metrics[i], H5Dopen2(f->file, lay->metric_names[i], H5P_DEFAULT), "H5Dopen2 '%s'",
            lay->metric_names[i]);
  for (int i = 0; i < f->n_series; i++)
    HS_H5ID(f->series[i], H5Dopen2(f->file, lay->series_names[i], H5P_DEFAULT), "H5Dopen2 '%s'",
            lay->series_names[i]);
  HS_H5ID(f->status, H5Dopen2(f->file, "status", H5P_DEFAULT), "H5Dopen2 'status'");
  HS_H5ID(f->reason, H5Dopen2(f->file, "reason", H5P_DEFAULT), "H5Dopen2 'reason'");
  HS_H5ID(f->str_type, hs__h5_fixed_utf8(HS_SF_STR_LEN), "H5Tcopy (string type)");
done:
  return rc;
}

/* s into a fixed-length field of HS_SF_STR_LEN bytes, NUL-padded; a longer text is cut before a
 * UTF-8 character boundary. */
void hs__sweepfile_fixed_copy(char *dst, const char *s) {
  size_t n = strlen(str_or_empty(s));
  if (n > HS_SF_STR_LEN - 1) {
    n = HS_SF_STR_LEN - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* inside a character */
  }
  memset(dst, 0, HS_SF_STR_LEN);
  memcpy(dst, str_or_empty(s), n);
}

/* ---- write -------------------------------------------------------------------------- */

/* Write wbuf to, or (wbuf NULL) read rbuf from, the hyperslab start + count of ds; the
 * memory holds shape count of mtype. */
static int slab_io(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                   const hsize_t *count, hid_t mtype, const void *wbuf, void *rbuf) {
  int rc = HS_OK;
  hid_t fs = -1, ms = -1;
  char nb[HS_SF_NAME_MAX + 2];
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space '%s'", hs__h5_obj_name(ds, nb, sizeof nb));
  HS_H5TRY(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL),
           "H5Sselect_hyperslab '%s'", hs__h5_obj_name(ds, nb, sizeof nb));
  HS_H5ID(ms, H5Screate_simple(rank, count, NULL), "H5Screate_simple for '%s'",
          hs__h5_obj_name(ds, nb, sizeof nb));
  HS_H5TRY(wbuf ? H5Dwrite(ds, mtype, ms, fs, c->dxpl, wbuf)
                : H5Dread(ds, mtype, ms, fs, H5P_DEFAULT, rbuf),
           "%s '%s' runs [%llu, %llu)", wbuf ? "H5Dwrite" : "H5Dread",
           hs__h5_obj_name(ds, nb, sizeof nb), (unsigned long long)start[0],
           (unsigned long long)(start[0] + count[0]));
done:
  hs__h5_close(ms);
  hs__h5_close(fs);
  return rc;
}

int hs__sweepfile_write_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                             const hsize_t *count, hid_t mtype, const void *buf) {
  return slab_io(c, ds, rank, start, count, mtype, buf, NULL);
}

int hs__sweepfile_read_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                            const hsize_t *count, hid_t mtype, void *buf) {
  return slab_io(c, ds, rank, start, count, mtype, NULL, buf);
}

/* One dataset per parameter: column p of the row-major n x n_params block. */
static int write_params(const hs__h5ctx *c, const hs_sweepfile *f, const block *b) {
  int rc = HS_OK;
  double *t = f->scratch;
  hsize_t start = (hsize_t)b->first, count = (hsize_t)b->n;
  for (int p = 0; p < f->n_params && !rc; p++) {
    for (int i = 0; i < b->n; i++) t[i] = b->params[(size_t)i * f->n_params + p];
    rc = hs__sweepfile_write_slab(c, f->params[p], 1, &start, &count, H5T_NATIVE_DOUBLE, t);
  }
  return rc;
}

/* One [run, drug] dataset per metric from the n x n_drugs x n_metrics block. */
static int write_metrics(const hs__h5ctx *c, const hs_sweepfile *f, const block *b) {
  int rc = HS_OK;
  double *t = f->scratch;
  size_t nd = (size_t)f->n_drugs, nm = (size_t)f->n_metrics, rows = (size_t)b->n * nd;
  hsize_t start[2] = {(hsize_t)b->first, 0}, count[2] = {(hsize_t)b->n, nd};
  for (size_t k = 0; k < nm && !rc; k++) {
    for (size_t r = 0; r < rows; r++) t[r] = b->metrics[r * nm + k];
    rc = hs__sweepfile_write_slab(c, f->metrics[k], 2, start, count, H5T_NATIVE_DOUBLE, t);
  }
  return rc;
}

static int write_status(const hs__h5ctx *c, const hs_sweepfile *f, const block *b) {
  char *r = f->scratch;
  hsize_t start = (hsize_t)b->first, count = (hsize_t)b->n;
  int rc = hs__sweepfile_write_slab(c, f->status, 1, &start, &count, H5T_NATIVE_SCHAR, b->status);
  if (rc) return rc;
  for (int i = 0; i < b->n; i++)
    hs__sweepfile_fixed_copy(r + (size_t)i * HS_SF_STR_LEN, b->reasons ? b->reasons[i] : "");
  return hs__sweepfile_write_slab(c, f->reason, 1, &start, &count, f->str_type, r);
}

/* Series s of drug d: n x n_time values gathered (as float32 if asked) into scratch. */
static int write_series_drug(const hs__h5ctx *c, const hs_sweepfile *f, const block *b, int s,
                             int d) {
  size_t nd = (size_t)f->n_drugs, ns = (size_t)f->n_series, nt = (size_t)f->n_time;
  hsize_t start[3] = {(hsize_t)b->first, (hsize_t)d, 0}, count[3] = {(hsize_t)b->n, 1, nt};
  for (size_t i = 0; i < (size_t)b->n; i++) {
    const double *src = b->series + ((i * nd + (size_t)d) * ns + (size_t)s) * nt;
    if (f->ts_float32)
      for (size_t j = 0; j < nt; j++) ((float *)f->scratch)[i * nt + j] = (float)src[j];
    else
      memcpy((double *)f->scratch + i * nt, src, nt * sizeof *src);
  }
  return hs__sweepfile_write_slab(c, f->series[s], 3, start, count,
                                  f->ts_float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, f->scratch);
}

/* b->n <= chunk_runs: everything fits the scratch buffer. */
static int write_piece(const hs__h5ctx *c, const hs_sweepfile *f, const block *b) {
  int rc = write_params(c, f, b);
  if (!rc) rc = write_metrics(c, f, b);
  if (!rc) rc = write_status(c, f, b);
  for (int s = 0; s < f->n_series && !rc; s++)
    for (int d = 0; d < f->n_drugs && !rc; d++) rc = write_series_drug(c, f, b, s, d);
  return rc;
}

/* Flush the data, then record the progress, then flush again. */
int hs__sweepfile_commit_progress(const hs__h5ctx *c, const hs_sweepfile *f, int64_t done_runs,
                                  int64_t failed) {
  int rc = HS_OK;
  HS_H5TRY(H5Fflush(f->file, H5F_SCOPE_GLOBAL), "H5Fflush");
  if ((rc = hs__h5_attr_set(c, f->file, "runs_done", H5T_NATIVE_INT64, &done_runs))) goto done;
  if ((rc = hs__h5_attr_set(c, f->file, "runs_failed", H5T_NATIVE_INT64, &failed))) goto done;
  HS_H5TRY(H5Fflush(f->file, H5F_SCOPE_GLOBAL), "H5Fflush (progress)");
done:
  return rc;
}

static int check_block(const hs_sweepfile *f, const block *b, int64_t failed, hs_error *err) {
  if (b->first < f->run_first || b->n < 0 || b->first > f->run_end ||
      b->n > f->run_end - b->first)
    return hs_error_set(err, HS_EINPUT,
                        "%s: cannot write %d runs from run %lld: the file holds runs [%lld, %lld)",
                        f->path, b->n, (long long)b->first, (long long)f->run_first,
                        (long long)f->run_end);
  if (failed < 0 || failed > b->first + b->n - f->run_first)
    return hs_error_set(err, HS_EINPUT, "%s: runs_failed %lld out of range", f->path,
                        (long long)failed);
  if (b->n > 0 && (!b->status || (f->n_params && !b->params) || (f->n_metrics && !b->metrics) ||
                   (f->n_series && !b->series)))
    return hs_error_set(err, HS_EINPUT, "%s: write of %d runs lacks %s", f->path, b->n,
                        !b->status                    ? "status"
                        : !b->params && f->n_params   ? "params"
                        : !b->metrics && f->n_metrics ? "metrics"
                                                      : "series");
  return HS_OK;
}

int hs_sweepfile_write(hs_sweepfile *f, int64_t first, int n, const double *params,
                       const double *metrics, const signed char *status,
                       const char *const *reasons, const double *series, int64_t runs_failed,
                       hs_error *err) {
  int rc;
  block b = {first, n, params, metrics, series, status, reasons};
  if (!f) return hs_error_set(err, HS_EINPUT, "sweep file: write to a NULL handle");
  if ((rc = check_block(f, &b, runs_failed, err))) return rc;
  hs__h5ctx c = {f->path, err, f->dxpl};
  hs__h5_quiet q = hs__h5_quiet_begin();
  for (int off = 0; off < n && !rc; off += f->chunk_runs) {
    size_t o = (size_t)off;
    block p = {first + off,
               n - off < f->chunk_runs ? n - off : f->chunk_runs,
               params ? params + o * (size_t)f->n_params : NULL,
               metrics ? metrics + o * (size_t)f->n_drugs * (size_t)f->n_metrics : NULL,
               series
                   ? series + o * (size_t)f->n_drugs * (size_t)f->n_series * (size_t)f->n_time
                   : NULL,
               status + o,
               reasons ? reasons + o : NULL};
    rc = write_piece(&c, f, &p);
  }
  if (!rc) rc = hs__sweepfile_commit_progress(&c, f, first + n, runs_failed);
  hs__h5_quiet_end(q);
  return rc;
}

/* ---- the writer's driver after a serial creation ------------------------------------ */

hid_t hs__sweepfile_open_writer(const char *path, int mpio) {
  hid_t fapl = hs__sweepfile_writer_fapl(mpio);
  hid_t file = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDWR, fapl);
  if (fapl > 0) H5Pclose(fapl);
  return file;
}

int hs__sweepfile_reopen_writer(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay) {
  close_vars(f);
  if (H5Fclose(f->file) < 0) return hs__h5_fail(c, "H5Fclose (before reopening)");
  if ((f->file = hs__sweepfile_open_writer(c->path, lay->mpio)) < 0)
    return hs__h5_fail(c, "H5Fopen (the writer's driver)");
  return hs__sweepfile_open_vars(c, f, lay);
}

/* ---- close -------------------------------------------------------------------------- */

int hs_sweepfile_close(hs_sweepfile *f, int complete, hs_error *err) {
  int rc = HS_OK;
  int32_t one = 1;
  if (!f) return HS_OK;
  hs__h5ctx c = {f->path, err, f->dxpl};
  hs__h5_quiet q = hs__h5_quiet_begin();
  if (complete) rc = hs__h5_attr_set(&c, f->file, "complete", H5T_NATIVE_INT32, &one);
  close_vars(f); /* every dataset before the file, so that H5Fclose really closes it */
  if (H5Fclose(f->file) < 0 && !rc) rc = hs__h5_fail(&c, "H5Fclose");
  f->file = -1;
  hs__h5_quiet_end(q);
  hs__sweepfile_free(f);
  return rc;
}

/* ---- reading back -------------------------------------------------------------------- */

/* A 1-D string dataset read whole (fixed-length, or variable-length in files of earlier
 * versions): *n strings, each allocated with H5allocate_memory; NULL on failure. */
char **hs__sweepfile_read_strings(hid_t file, const char *name, hsize_t *n) {
  char **s = NULL, *buf = NULL;
  hid_t ds = -1, sp = -1, ft = -1, ty = -1;
  *n = 0;
  if ((ds = H5Dopen2(file, name, H5P_DEFAULT)) < 0 || (sp = H5Dget_space(ds)) < 0 ||
      H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, n, NULL) < 0 ||
      (ft = H5Dget_type(ds)) < 0 || H5Tget_class(ft) != H5T_STRING)
    goto done;
  int vlen = H5Tis_variable_str(ft) > 0;
  size_t len = vlen ? 0 : H5Tget_size(ft);
  if ((ty = vlen ? hs__h5_vlen_utf8() : hs__h5_fixed_utf8(len + 1)) < 0 ||
      !(s = calloc(*n > 0 ? *n : 1, sizeof *s)))
    goto done;
  if (vlen) {
    if (H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, s) < 0) free(s), s = NULL;
    goto done;
  }
  if (!(buf = calloc(*n > 0 ? *n : 1, len + 1)) ||
      H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    free(s), s = NULL;
    goto done;
  }
  for (hsize_t i = 0; i < *n; i++) {
    const char *src = buf + i * (len + 1);
    if ((s[i] = H5allocate_memory(strlen(src) + 1, 0))) strcpy(s[i], src);
  }
done:
  free(buf);
  hs__h5_close(ty);
  hs__h5_close(ft);
  hs__h5_close(sp);
  hs__h5_close(ds);
  return s;
}

void hs__sweepfile_free_strings(char **s, hsize_t n) {
  for (hsize_t i = 0; s && i < n; i++)
    if (s[i]) H5free_memory(s[i]);
  free(s);
}

/* Name of link i at the root (creation order when tracked): its length, or -1. The creation
 * order index is walked in its native order (increasing): H5_ITER_INC would make HDF5 1.10.8
 * build a sorted table of all links, and when a damaged link fails that build it frees
 * uninitialised table entries (SIGSEGV in H5G__link_release_table). */
ssize_t hs__sweepfile_link_name(hid_t file, hsize_t i, char *buf, size_t n) {
  ssize_t len =
      H5Lget_name_by_idx(file, ".", H5_INDEX_CRT_ORDER, H5_ITER_NATIVE, i, buf, n, H5P_DEFAULT);
  if (len < 0)
    len = H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, n, H5P_DEFAULT);
  return len < 0 || (size_t)len >= n ? -1 : len;
}

/* Rank of dataset `name`, -1 when it is no dataset. */
int hs__sweepfile_var_rank(hid_t file, const char *name) {
  int rank = -1;
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
  if (sp >= 0) rank = H5Sget_simple_extent_ndims(sp);
  hs__h5_close(sp);
  hs__h5_close(ds);
  return rank;
}
