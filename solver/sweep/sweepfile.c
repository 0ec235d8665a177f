/* sweepfile.c - the HDF5 file of a parameter sweep (see hs_sweepfile.h).
 *
 * Every variable sits at the root, is created at full size along run (chunked by
 * chunk_runs, shuffle + deflate, NaN / -1 fill) and is written one block of runs at a time
 * as hyperslabs; runs_done is recorded only after the data are flushed. Memory stays
 * bounded by chunk_runs: nothing is ever allocated per run of the sweep. Every HDF5 call
 * goes through HS_H5TRY / HS_H5ID (h5util.h: HS_EIO naming the path and the operation);
 * HDF5's own error printing is switched off inside every public function. */
#include "hs_sweepfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "output/h5util.h"

#ifdef HS_MPI
#include <mpi.h>
#endif

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define SERIES_CHUNK_ELEMS ((hsize_t)1 << 20) /* 8 MiB of float64 per series chunk */
#define RUN_BLOCK 65536                       /* the run scale is written in such blocks */
#define NAME_MAX_LEN 255                      /* parameter, metric and series names */
#define WHY_LEN 512
#define INFO_CHUNK_MAX (1 << 20) /* bound on the read block of info for odd chunk_runs */
#define STR_LEN 256 /* drug names and reasons: fixed-length UTF-8, longer text is cut */

struct hs_sweepfile {
  char *path;
  hid_t file, status, reason, str_type;
  hid_t dxpl; /* writes: H5P_DEFAULT, or collective MPI-IO in the MPI build */
  hid_t *params, *metrics, *series; /* one dataset per parameter / metric / series */
  int n_params, n_metrics, n_series, n_drugs, n_time, chunk_runs, ts_float32;
  int64_t n_runs, run_first, run_end; /* the file holds runs [run_first, run_end) */
  void *scratch; /* chunk_runs rows of the widest block: transposes, float32, reasons */
};

/* A block of runs handed to hs_sweepfile_write (see there for the layouts). */
typedef struct block {
  int64_t first;
  int n;
  const double *params, *metrics, *series;
  const signed char *status;
  const char *const *reasons;
} block;

static const char *str_or_empty(const char *s) { return s ? s : ""; }

static int path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* The runs a file of lay holds: [run_first, run_end), or [0, n_runs) for a whole sweep
 * whose slice is left 0/0. */
static void lay_slice(const hs_sweep_layout *lay, int64_t *first, int64_t *end) {
  int whole = lay->shard_n == 0 && lay->run_first == 0 && lay->run_end == 0;
  *first = lay->run_first;
  *end = whole ? lay->n_runs : lay->run_end;
}

/* The root attribute `shard`: "K/N", or "" for a whole sweep. */
typedef struct shard_name {
  char s[32];
} shard_name;

static shard_name shard_str(int k, int n) {
  shard_name r = {""};
  if (n > 0) snprintf(r.s, sizeof r.s, "%d/%d", k, n);
  return r;
}

/* ---- layout checks ------------------------------------------------------------------ */

static const char *const RESERVED[] = {"run", "drug", "time", "status", "reason"};
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

/* A variable name must make a link name at the root, distinct from all others. */
static int check_var_name(const char *path, const hs_sweep_layout *lay, int i, hs_error *err) {
  const char *s = var_name_at(lay, i);
  if (!s || !s[0] || strchr(s, '/') || !strcmp(s, ".") || strlen(s) > NAME_MAX_LEN)
    return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' cannot name an HDF5 dataset",
                        path, s ? s : "(null)");
  for (int k = 0; k < N_RESERVED; k++)
    if (!strcmp(s, RESERVED[k]))
      return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' is reserved", path, s);
  for (int j = 0; j < i; j++)
    if (!strcmp(s, var_name_at(lay, j)))
      return hs_error_set(err, HS_EINPUT, "%s: variable name '%s' appears twice", path, s);
  return HS_OK;
}

/* Shard k of n (or 0/0) holds a chunk-aligned slice of the runs; a whole sweep all. */
static int check_slice(const char *path, const hs_sweep_layout *lay, hs_error *err) {
  int64_t first, end, ck = lay->chunk_runs;
  lay_slice(lay, &first, &end);
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

static int check_layout(const char *path, const hs_sweep_layout *lay, hs_error *err) {
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
static const char *unit_of(const char *const *units, int i) {
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
  size_t row = w * sizeof(double) > STR_LEN ? w * sizeof(double) : STR_LEN;
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
static hid_t writer_fapl(int mpio) {
#ifdef HS_MPI
  if (!mpio) return H5P_DEFAULT;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_fapl_mpio(fapl, MPI_COMM_SELF, MPI_INFO_NULL) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
#else
  (void)mpio;
  return H5P_DEFAULT;
#endif
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

/* The HDF5 driver a file was opened with, for provenance: "mpio" (parallel HDF5's MPI-IO)
 * or "sec2" (POSIX). */
static const char *file_driver(hid_t file) {
#ifdef HS_MPI
  hid_t fapl = H5Fget_access_plist(file);
  int mpio = fapl >= 0 && H5Pget_driver(fapl) == H5FD_MPIO;
  if (fapl >= 0) H5Pclose(fapl);
  return mpio ? "mpio" : "sec2";
#else
  (void)file;
  return "sec2";
#endif
}

static void sweepfile_free(hs_sweepfile *f) {
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
static hs_sweepfile *sweepfile_new(const char *path, const hs_sweep_layout *lay) {
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
  lay_slice(lay, &f->run_first, &f->run_end);
  f->path = strdup(path);
  f->params = new_ids(f->n_params);
  f->metrics = new_ids(f->n_metrics);
  f->series = new_ids(f->n_series);
  f->scratch = malloc(scratch_bytes(lay));
  if (!f->path || !f->params || !f->metrics || !f->series || !f->scratch || f->dxpl < 0) {
    sweepfile_free(f);
    return NULL;
  }
  return f;
}

/* Open every dataset written per block (after create, or on resume). */
static int open_vars(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay) {
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
  HS_H5ID(f->str_type, hs__h5_fixed_utf8(STR_LEN), "H5Tcopy (string type)");
done:
  return rc;
}

/* ---- create ------------------------------------------------------------------------- */

/* A dataset to create: chunk[0] == 0 means contiguous and uncompressed. Each dimension
 * is attached to scales[i] (when >= 0) and labelled with its name. */
typedef struct var_spec {
  const char *name, *units, *long_name;
  hid_t ftype, fill_type; /* file type; memory type of *fill */
  const void *fill;       /* NULL: HDF5's default */
  int rank;
  hsize_t dims[3], chunk[3];
  hid_t scales[3];
} var_spec;

static const char *const DIM_NAMES[3] = {"run", "drug", "time"};

static int make_dcpl(const hs__h5ctx *c, const var_spec *v, hid_t *out) {
  int rc = HS_OK;
  hid_t dcpl = -1;
  HS_H5ID(dcpl, H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate for '%s'", v->name);
  if (v->chunk[0] > 0 && (rc = hs__h5_compress(c, dcpl, v->rank, v->chunk, v->name)))
    goto done;
  if (v->fill)
    HS_H5TRY(H5Pset_fill_value(dcpl, v->fill_type, v->fill), "H5Pset_fill_value for '%s'", v->name);
  *out = dcpl;
  dcpl = -1;
done:
  hs__h5_close(dcpl);
  return rc;
}

/* Create v with units and long_name, attached to its scales; *out gets it open. */
static int make_var(const hs__h5ctx *c, hid_t file, const var_spec *v, hid_t *out) {
  int rc = HS_OK;
  hid_t space = -1, dcpl = -1, ds = -1;
  HS_H5ID(space, H5Screate_simple(v->rank, v->dims, NULL), "H5Screate_simple for '%s'", v->name);
  if ((rc = make_dcpl(c, v, &dcpl))) goto done;
  HS_H5ID(ds, H5Dcreate2(file, v->name, v->ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
          "H5Dcreate2 '%s'", v->name);
  if ((rc = hs__h5_attr_units(c, ds, v->units, v->long_name))) goto done;
  for (int i = 0; i < v->rank; i++) {
    if (v->scales[i] < 0) continue;
    HS_H5TRY(H5DSattach_scale(ds, v->scales[i], (unsigned)i), "H5DSattach_scale '%s' to '%s'",
             DIM_NAMES[i], v->name);
    HS_H5TRY(H5DSset_label(ds, (unsigned)i, DIM_NAMES[i]), "H5DSset_label on '%s'", v->name);
  }
  if (out) *out = ds;
  if (out) ds = -1;
done:
  hs__h5_close(ds);
  hs__h5_close(dcpl);
  hs__h5_close(space);
  return rc;
}

static int write_root_attrs(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay) {
  int rc;
  int32_t complete = 0;
  if ((rc = hs__h5_attr_str(c, file, "scenario_text", lay->scenario_text))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "scenario_path", lay->scenario_path))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "design", lay->design_name))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "design_text", lay->design_text))) return rc;
  if ((rc = hs__h5_attr_write(c, file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &lay->seed)))
    return rc;
  if ((rc = hs__h5_attr_i64(c, file, "n_runs", lay->n_runs))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "chunk_runs", lay->chunk_runs))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "program_version", lay->version ? lay->version : HS_VERSION)))
    return rc;
  if ((rc = hs__h5_attr_f64(c, file, "rtol", lay->rtol))) return rc;
  if ((rc = hs__h5_attr_f64(c, file, "atol", lay->atol))) return rc;
  int64_t first, end;
  lay_slice(lay, &first, &end);
  if ((rc = hs__h5_attr_str(c, file, "shard", shard_str(lay->shard_k, lay->shard_n).s)))
    return rc;
  if ((rc = hs__h5_attr_i64(c, file, "run_first", first))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "run_end", end))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "runs_done", first))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "runs_failed", 0))) return rc;
  return hs__h5_attr_write(c, file, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, &complete);
}

static hsize_t run_chunk(const hs_sweep_layout *lay) {
  return (hsize_t)lay->chunk_runs < (hsize_t)lay->n_runs ? (hsize_t)lay->chunk_runs
                                                         : (hsize_t)lay->n_runs;
}

/* Chunk (and write block) of the run scale: a multiple of chunk_runs near RUN_BLOCK. It
 * is written whole at create time, so small chunks would only cost time and metadata. */
static hsize_t run_scale_chunk(const hs_sweep_layout *lay) {
  hsize_t ck = run_chunk(lay), blk = ck * (RUN_BLOCK / ck > 0 ? RUN_BLOCK / ck : 1);
  return blk < (hsize_t)lay->n_runs ? blk : (hsize_t)lay->n_runs;
}

/* Fill the run scale with 0 .. n_runs-1, one chunk at a time. */
static int fill_run_scale(const hs__h5ctx *c, hid_t ds, const hs_sweep_layout *lay) {
  int rc = HS_OK;
  hid_t fs = -1, ms = -1;
  hsize_t blk = run_scale_chunk(lay);
  int64_t *buf = malloc(sizeof *buf * blk);
  if (!buf) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space 'run'");
  for (hsize_t r = 0; r < (hsize_t)lay->n_runs; r += blk) {
    hsize_t m = (hsize_t)lay->n_runs - r < blk ? (hsize_t)lay->n_runs - r : blk;
    for (hsize_t i = 0; i < m; i++) buf[i] = (int64_t)(r + i);
    HS_H5ID(ms, H5Screate_simple(1, &m, NULL), "H5Screate_simple for 'run'");
    HS_H5TRY(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &r, NULL, &m, NULL),
             "H5Sselect_hyperslab 'run'");
    HS_H5TRY(H5Dwrite(ds, H5T_NATIVE_INT64, ms, fs, c->dxpl, buf), "H5Dwrite 'run'");
    hs__h5_close(ms);
    ms = -1;
  }
done:
  hs__h5_close(ms);
  hs__h5_close(fs);
  free(buf);
  return rc;
}

/* s into a fixed-length field of STR_LEN bytes, NUL-padded; a longer text is cut before a
 * UTF-8 character boundary. */
static void fixed_copy(char *dst, const char *s) {
  size_t n = strlen(str_or_empty(s));
  if (n > STR_LEN - 1) {
    n = STR_LEN - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* inside a character */
  }
  memset(dst, 0, STR_LEN);
  memcpy(dst, str_or_empty(s), n);
}

/* Make ds the dimension scale i, write data (unless NULL) as mtype. */
static int make_scale(const hs__h5ctx *c, hid_t file, const var_spec *v, hid_t mtype,
                      const void *data, hid_t *out) {
  int rc = make_var(c, file, v, out);
  if (rc) return rc;
  if (data)
    HS_H5TRY(H5Dwrite(*out, mtype, H5S_ALL, H5S_ALL, c->dxpl, data), "H5Dwrite '%s'", v->name);
  HS_H5TRY(H5DSset_scale(*out, v->name), "H5DSset_scale '%s'", v->name);
done:
  return rc;
}

/* The scales run, drug and time (sc[2] stays -1 without time series). */
static int create_scales(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay, hid_t sc[3],
                         hid_t str) {
  int rc;
  var_spec run = {.name = "run",
                  .units = "1",
                  .long_name = "run index",
                  .ftype = H5T_STD_I64LE,
                  .rank = 1,
                  .dims = {(hsize_t)lay->n_runs},
                  .chunk = {run_scale_chunk(lay)},
                  .scales = {-1, -1, -1}};
  var_spec drug = {.name = "drug",
                   .units = "",
                   .long_name = "drug name",
                   .ftype = str,
                   .rank = 1,
                   .dims = {(hsize_t)lay->n_drugs},
                   .scales = {-1, -1, -1}};
  var_spec time = {.name = "time",
                   .units = "h",
                   .long_name = "time since the start of the simulation",
                   .ftype = H5T_IEEE_F64LE,
                   .rank = 1,
                   .dims = {(hsize_t)lay->n_time},
                   .scales = {-1, -1, -1}};
  if ((rc = make_scale(c, file, &run, -1, NULL, &sc[0]))) return rc;
  if ((rc = fill_run_scale(c, sc[0], lay))) return rc;
  char *names = calloc((size_t)lay->n_drugs, STR_LEN);
  if (!names) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  for (int i = 0; i < lay->n_drugs; i++) fixed_copy(names + (size_t)i * STR_LEN, lay->drug_names[i]);
  rc = make_scale(c, file, &drug, str, names, &sc[1]);
  free(names);
  if (rc || (rc = hs__h5_attr_str(c, sc[1], "_Encoding", "utf-8"))) return rc;
  if (!lay->timeseries) return HS_OK;
  return make_scale(c, file, &time, H5T_NATIVE_DOUBLE, lay->time, &sc[2]);
}

static const double FILL_F64 = NAN;
static const float FILL_F32 = NAN;
static const signed char FILL_STATUS = HS_RUN_NOT_RUN;

/* A per-run float64 variable, NaN-filled, of rank 1 [run], 2 [run, drug] or 3 [run, drug,
 * time]; chunks of chunk_runs runs (series: at most SERIES_CHUNK_ELEMS values a chunk). */
static var_spec run_var(const hs_sweep_layout *lay, const hid_t sc[3], int rank,
                        const char *name, const char *units) {
  hsize_t nt = rank == 3 ? (hsize_t)lay->n_time : 1, ck = run_chunk(lay);
  hsize_t ts_ck = SERIES_CHUNK_ELEMS / nt < ck ? SERIES_CHUNK_ELEMS / nt : ck;
  var_spec v = {.name = name,
                .units = units,
                .long_name = name,
                .ftype = H5T_IEEE_F64LE,
                .fill_type = H5T_NATIVE_DOUBLE,
                .fill = &FILL_F64,
                .rank = rank,
                .dims = {(hsize_t)lay->n_runs, (hsize_t)lay->n_drugs, nt},
                .chunk = {rank == 3 ? (ts_ck > 0 ? ts_ck : 1) : ck, (hsize_t)lay->n_drugs, nt},
                .scales = {sc[0], sc[1], sc[2]}};
  if (rank == 3) v.chunk[1] = 1;
  return v;
}

/* status (int8, fill -1) and reason (fixed-length UTF-8 strings, fill: empty; `_Encoding`
 * makes xarray decode them to str). */
static int create_status(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                         const hid_t sc[3], hid_t str) {
  var_spec st = run_var(lay, sc, 1, "status", "1");
  var_spec re = run_var(lay, sc, 1, "reason", "");
  st.long_name = "run status: 0 ok, 1 invalid parameters, 2 solver failure, -1 not run";
  st.ftype = H5T_STD_I8LE;
  st.fill_type = H5T_NATIVE_SCHAR;
  st.fill = &FILL_STATUS;
  re.long_name = "why the run failed (empty when it succeeded)";
  re.ftype = str;
  re.fill = NULL;
  hid_t ds = -1;
  int rc = make_var(c, file, &st, NULL);
  if (!rc) rc = make_var(c, file, &re, &ds);
  if (!rc) rc = hs__h5_attr_str(c, ds, "_Encoding", "utf-8");
  hs__h5_close(ds);
  return rc;
}

/* Every per-run variable: parameters, metrics, status, reason, series. */
static int create_vars(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                       const hid_t sc[3], hid_t str) {
  int rc = HS_OK;
  for (int i = 0; i < lay->n_params && !rc; i++) {
    var_spec v = run_var(lay, sc, 1, lay->param_names[i], unit_of(lay->param_units, i));
    rc = make_var(c, file, &v, NULL);
  }
  for (int i = 0; i < lay->n_metrics && !rc; i++) {
    var_spec v = run_var(lay, sc, 2, lay->metric_names[i], unit_of(lay->metric_units, i));
    rc = make_var(c, file, &v, NULL);
  }
  if (!rc) rc = create_status(c, file, lay, sc, str);
  for (int i = 0; lay->timeseries && i < lay->n_series && !rc; i++) {
    var_spec v = run_var(lay, sc, 3, lay->series_names[i], unit_of(lay->series_units, i));
    if (lay->ts_float32) {
      v.ftype = H5T_IEEE_F32LE;
      v.fill_type = H5T_NATIVE_FLOAT;
      v.fill = &FILL_F32;
    }
    rc = make_var(c, file, &v, NULL);
  }
  return rc;
}

static int create_file(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay,
                       int *created) {
  int rc = HS_OK;
  hid_t fcpl = -1, fapl = -1, sc[3] = {-1, -1, -1};
  unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  HS_H5ID(f->str_type, hs__h5_fixed_utf8(STR_LEN), "H5Tcopy (string type)");
  HS_H5ID(fcpl, H5Pcreate(H5P_FILE_CREATE), "H5Pcreate (file)");
  HS_H5TRY(H5Pset_link_creation_order(fcpl, order), "H5Pset_link_creation_order");
  HS_H5ID(fapl, writer_fapl(lay->mpio), "H5Pset_fapl_mpio");
  HS_H5ID(f->file, H5Fcreate(c->path, H5F_ACC_EXCL, fcpl, fapl), "H5Fcreate");
  *created = 1;
  if ((rc = write_root_attrs(c, f->file, lay))) goto done;
  if ((rc = hs__h5_attr_str(c, f->file, "hdf5_driver", file_driver(f->file)))) goto done;
  if ((rc = create_scales(c, f->file, lay, sc, f->str_type))) goto done;
  if ((rc = create_vars(c, f->file, lay, sc, f->str_type))) goto done;
  hs__h5_close(f->str_type); /* open_vars makes its own */
  f->str_type = -1;
  rc = open_vars(c, f, lay);
  if (!rc) HS_H5TRY(H5Fflush(f->file, H5F_SCOPE_GLOBAL), "H5Fflush");
done:
  for (int i = 0; i < 3; i++) hs__h5_close(sc[i]);
  hs__h5_close(fcpl);
  if (fapl > 0) H5Pclose(fapl);
  return rc;
}

int hs_sweepfile_create(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                        hs_error *err) {
  int rc, created = 0;
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  hs_sweepfile *f;
  if (!out) return hs_error_set(err, HS_EINPUT, "sweep file: no handle to return");
  *out = NULL;
  if ((rc = check_layout(path, lay, err))) return rc;
  if (path_exists(path)) return hs_error_set(err, HS_EEXIST, "%s exists", path);
  if (!(f = sweepfile_new(path, lay)))
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  c.dxpl = f->dxpl;
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = create_file(&c, f, lay, &created);
  if (rc) sweepfile_free(f);
  hs__h5_quiet_end(q);
  if (rc && created) unlink(path); /* H5F_ACC_EXCL: the file is ours */
  if (!rc) *out = f;
  return rc;
}

/* ---- write -------------------------------------------------------------------------- */

/* Write wbuf to, or (wbuf NULL) read rbuf from, the hyperslab start + count of ds; the
 * memory holds shape count of mtype. */
static int slab_io(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                   const hsize_t *count, hid_t mtype, const void *wbuf, void *rbuf) {
  int rc = HS_OK;
  hid_t fs = -1, ms = -1;
  char nb[NAME_MAX_LEN + 2];
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

static int write_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                      const hsize_t *count, hid_t mtype, const void *buf) {
  return slab_io(c, ds, rank, start, count, mtype, buf, NULL);
}

static int read_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
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
    rc = write_slab(c, f->params[p], 1, &start, &count, H5T_NATIVE_DOUBLE, t);
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
    rc = write_slab(c, f->metrics[k], 2, start, count, H5T_NATIVE_DOUBLE, t);
  }
  return rc;
}

static int write_status(const hs__h5ctx *c, const hs_sweepfile *f, const block *b) {
  char *r = f->scratch;
  hsize_t start = (hsize_t)b->first, count = (hsize_t)b->n;
  int rc = write_slab(c, f->status, 1, &start, &count, H5T_NATIVE_SCHAR, b->status);
  if (rc) return rc;
  for (int i = 0; i < b->n; i++) fixed_copy(r + (size_t)i * STR_LEN, b->reasons ? b->reasons[i] : "");
  return write_slab(c, f->reason, 1, &start, &count, f->str_type, r);
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
  return write_slab(c, f->series[s], 3, start, count,
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
static int commit_progress(const hs__h5ctx *c, const hs_sweepfile *f, int64_t done_runs,
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
  if (!rc) rc = commit_progress(&c, f, first + n, runs_failed);
  hs__h5_quiet_end(q);
  return rc;
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
  sweepfile_free(f);
  return rc;
}

/* ---- resume: what must match -------------------------------------------------------- */

/* Write the reason into why; returns 1 (refused). */
static int say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(char *why, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, WHY_LEN, fmt, ap);
  va_end(ap);
  return 1;
}

/* runs_done, runs_failed, complete. prog[0..1] receive runs_done and runs_failed. */
static int refused_progress(hid_t file, int64_t prog[2], char *why) {
  int32_t complete = 0;
  if (hs__h5_attr_get(file, "runs_done", H5T_NATIVE_INT64, &prog[0]) < 0)
    return say(why, "runs_done attribute missing");
  if (hs__h5_attr_get(file, "runs_failed", H5T_NATIVE_INT64, &prog[1]) < 0)
    return say(why, "runs_failed attribute missing");
  if (hs__h5_attr_get(file, "complete", H5T_NATIVE_INT32, &complete) < 0)
    return say(why, "complete attribute missing");
  if (complete) return say(why, "already complete");
  return 0;
}

/* Seed, n_runs, chunk_runs, design and scenario of lay, the most telling first (a new seed
 * also changes the scenario text); ref names lay in messages. */
static int refused_provenance(hid_t file, const hs_sweep_layout *lay, const char *ref,
                              char *why) {
  uint64_t seed;
  int64_t n_runs, chunk;
  if (hs__h5_attr_get(file, "seed", H5T_NATIVE_UINT64, &seed) < 0)
    return say(why, "seed differs (none in file)");
  if (seed != lay->seed)
    return say(why, "seed differs (file %llu, %s %llu)", (unsigned long long)seed, ref,
               (unsigned long long)lay->seed);
  if (hs__h5_attr_get(file, "n_runs", H5T_NATIVE_INT64, &n_runs) < 0 || n_runs != lay->n_runs)
    return say(why, "n_runs differs (%s %lld)", ref, (long long)lay->n_runs);
  if (hs__h5_attr_get(file, "chunk_runs", H5T_NATIVE_INT64, &chunk) < 0 || chunk != lay->chunk_runs)
    return say(why, "chunk_runs differs (%s %d)", ref, lay->chunk_runs);
  if (!hs__h5_attr_str_is(file, "design", lay->design_name)) return say(why, "design differs");
  if (!hs__h5_attr_str_is(file, "design_text", lay->design_text))
    return say(why, "design differs (design_text)");
  if (!hs__h5_attr_str_is(file, "scenario_text", lay->scenario_text))
    return say(why, "scenario_text differs");
  return 0;
}

/* The shard and its run slice equal lay's; runs_done lies in the slice. */
static int refused_slice(hid_t file, const hs_sweep_layout *lay, const int64_t prog[2],
                         char *why) {
  int64_t first, end, ff = -1, fe = -1;
  shard_name want = shard_str(lay->shard_k, lay->shard_n);
  char *have = hs__h5_attr_get_str(file, "shard");
  int same = have && !strcmp(have, want.s);
  if (!same)
    say(why, "shard differs (file %s, now %s)", !have ? "none" : have[0] ? have : "whole sweep",
        want.s[0] ? want.s : "whole sweep");
  if (have) H5free_memory(have);
  if (!same) return 1;
  lay_slice(lay, &first, &end);
  if (hs__h5_attr_get(file, "run_first", H5T_NATIVE_INT64, &ff) < 0 ||
      hs__h5_attr_get(file, "run_end", H5T_NATIVE_INT64, &fe) < 0 || ff != first || fe != end)
    return say(why, "run slice differs (file [%lld, %lld), now [%lld, %lld))", (long long)ff,
               (long long)fe, (long long)first, (long long)end);
  if (prog[0] < first || prog[0] > end || prog[1] < 0 || prog[1] > prog[0] - first)
    return say(why, "runs_done %lld / runs_failed %lld out of range", (long long)prog[0],
               (long long)prog[1]);
  return 0;
}

/* 1 when dataset `name` has this rank and shape, float elements of fsize bytes, units. */
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
  ok = hs__h5_attr_str_is(ds, "units", units);
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
           H5Tget_size(ty) == STR_LEN;
  hs__h5_close(ty);
  hs__h5_close(ds);
  return ok;
}

/* A 1-D string dataset read whole (fixed-length, or variable-length in files of earlier
 * versions): *n strings, each allocated with H5allocate_memory; NULL on failure. */
static char **read_strings(hid_t file, const char *name, hsize_t *n) {
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

static void free_strings(char **s, hsize_t n) {
  for (hsize_t i = 0; s && i < n; i++)
    if (s[i]) H5free_memory(s[i]);
  free(s);
}

static int drugs_match(hid_t file, const hs_sweep_layout *lay) {
  hsize_t n;
  char **s = read_strings(file, "drug", &n);
  int same = s && n == (hsize_t)lay->n_drugs;
  for (hsize_t i = 0; same && i < n; i++) same = s[i] && !strcmp(s[i], lay->drug_names[i]);
  free_strings(s, n);
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
    return say(why, "timeseries settings differ (time series %s)",
               lay->timeseries ? "asked for, none in file" : "in file, none asked for");
  if (!lay->timeseries) return 0;
  if (!times_match(file, lay)) return say(why, "timeseries settings differ (time points)");
  for (int i = 0; i < lay->n_series; i++)
    if (!var_matches(file, lay->series_names[i], 3, dims, lay->ts_float32 ? 4 : 8,
                     unit_of(lay->series_units, i)))
      return say(why, "timeseries settings differ ('%s' missing or changed)",
                 lay->series_names[i]);
  return 0;
}

static int refused_vars(hid_t file, const hs_sweep_layout *lay, char *why) {
  hsize_t dims[2] = {(hsize_t)lay->n_runs, (hsize_t)lay->n_drugs};
  for (int i = 0; i < lay->n_params; i++)
    if (!var_matches(file, lay->param_names[i], 1, dims, 8, unit_of(lay->param_units, i)))
      return say(why, "parameters differ ('%s' missing or changed)", lay->param_names[i]);
  if (!drugs_match(file, lay)) return say(why, "drugs differ");
  if (!fixed_strings(file, "reason"))
    return say(why, "its strings are variable-length (written by an earlier version)");
  for (int i = 0; i < lay->n_metrics; i++)
    if (!var_matches(file, lay->metric_names[i], 2, dims, 8, unit_of(lay->metric_units, i)))
      return say(why, "metrics differ ('%s' missing or changed)", lay->metric_names[i]);
  return refused_series(file, lay, why);
}

static int is_expected(const hs_sweep_layout *lay, const char *name) {
  for (int k = 0; k < N_RESERVED; k++)
    if (!strcmp(name, RESERVED[k])) return 1;
  for (int i = 0; i < n_var_names(lay); i++)
    if (!strcmp(name, var_name_at(lay, i))) return 1;
  return 0;
}

/* Name of link i at the root (creation order when tracked): its length, or -1. */
static ssize_t link_name(hid_t file, hsize_t i, char *buf, size_t n) {
  ssize_t len =
      H5Lget_name_by_idx(file, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, buf, n, H5P_DEFAULT);
  if (len < 0)
    len = H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, n, H5P_DEFAULT);
  return len < 0 || (size_t)len >= n ? -1 : len;
}

/* Rank of dataset `name`, -1 when it is no dataset. */
static int var_rank(hid_t file, const char *name) {
  int rank = -1;
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
  if (sp >= 0) rank = H5Sget_simple_extent_ndims(sp);
  hs__h5_close(sp);
  hs__h5_close(ds);
  return rank;
}

/* Variables in the file that lay does not have. */
static int refused_extras(hid_t file, const hs_sweep_layout *lay, char *why) {
  H5G_info_t gi;
  char name[NAME_MAX_LEN + 2];
  if (H5Gget_info(file, &gi) < 0) return say(why, "cannot list the variables");
  for (hsize_t i = 0; i < gi.nlinks; i++) {
    if (link_name(file, i, name, sizeof name) < 0)
      return say(why, "parameters differ (a name over %d characters)", NAME_MAX_LEN);
    if (is_expected(lay, name)) continue;
    int rank = var_rank(file, name);
    return say(why, "%s differ ('%s' is not in this sweep)",
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
    return say(why, "tolerances differ (%s rtol %g, atol %g)", ref, lay->rtol, lay->atol);
  return 0;
}

/* 0 when the file holds (part of) the sweep lay describes: scenario, design, seed, runs,
 * variables with their shapes, types and units, tolerances. Else 1 with the reason in
 * why; ref names lay in it ("now" on resume). Shared by resume and merge. */
static int refused_sweep(hid_t file, const hs_sweep_layout *lay, const char *ref, char *why) {
  return refused_provenance(file, lay, ref, why) || refused_vars(file, lay, why) ||
         refused_extras(file, lay, why) || refused_tolerances(file, lay, ref, why);
}

/* 0 when the file may be resumed with lay, else 1 with the reason in why. */
static int refused(hid_t file, const hs_sweep_layout *lay, int64_t prog[2], char *why) {
  return refused_progress(file, prog, why) || refused_sweep(file, lay, "now", why) ||
         refused_slice(file, lay, prog, why);
}

/* The file opened for writing through the writer's driver. */
static hid_t open_rdwr(const char *path, int mpio) {
  hid_t fapl = writer_fapl(mpio);
  hid_t file = fapl < 0 ? -1 : H5Fopen(path, H5F_ACC_RDWR, fapl);
  if (fapl > 0) H5Pclose(fapl);
  return file;
}

static int open_file(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay,
                     int64_t prog[2]) {
  char why[WHY_LEN] = "";
  if (!path_exists(c->path))
    say(why, "cannot open as HDF5 (%s)", strerror(errno));
  else if ((f->file = open_rdwr(c->path, lay->mpio)) < 0)
    say(why, "cannot open as HDF5 (%s)", hs__h5_stack().top);
  else
    refused(f->file, lay, prog, why);
  if (why[0])
    return hs_error_set(c->err, HS_EINPUT, "%s cannot be resumed safely: %s", c->path, why);
  return open_vars(c, f, lay);
}

int hs_sweepfile_open_resume(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                             int64_t *runs_done, int64_t *runs_failed, hs_error *err) {
  int rc;
  int64_t prog[2] = {0, 0};
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  hs_sweepfile *f;
  if (!out) return hs_error_set(err, HS_EINPUT, "sweep file: no handle to return");
  *out = NULL;
  if ((rc = check_layout(path, lay, err))) return rc;
  if (!(f = sweepfile_new(path, lay)))
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = open_file(&c, f, lay, prog);
  if (rc) sweepfile_free(f);
  hs__h5_quiet_end(q);
  if (rc) return rc;
  if (runs_done) *runs_done = prog[0];
  if (runs_failed) *runs_failed = prog[1];
  *out = f;
  return HS_OK;
}

/* ---- info --------------------------------------------------------------------------- */

#define INFO_NAME_W 32
#define INFO_DRUG_W 16
#define INFO_UNIT_W 10
#define INFO_NUM_W 14

typedef struct info_hdr {
  int64_t n_runs, chunk, done, failed;
  int64_t first, end; /* the slice of a shard; [0, n_runs) for a whole sweep */
  shard_name shard;   /* "" for a whole sweep */
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
  if (h->chunk < 1 || h->chunk > INFO_CHUNK_MAX) h->chunk = 4096;
  if (!(h->drugs = read_strings(file, "drug", &h->n_drugs)))
    return hs_error_set(c->err, HS_EINPUT, "%s: not a sweep file (no 'drug' names)", c->path);
  return HS_OK;
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
  char nb[NAME_MAX_LEN + 2];
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

/* One row per parameter (rank 1) or per metric and drug (rank 2). */
static int info_var(const hs__h5ctx *c, FILE *out, hid_t file, const char *name, int rank,
                    const info_hdr *h, double *buf, stats *st) {
  int rc = HS_OK;
  hid_t ds = -1;
  char *units = NULL;
  HS_H5ID(ds, H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2 '%s'", name);
  if (!is_stat_var(ds, name, rank, h)) goto done;
  if ((rc = var_stats(c, ds, rank, h, buf, st))) goto done;
  units = hs__h5_attr_get_str(ds, "units");
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
  char name[NAME_MAX_LEN + 2];
  HS_H5TRY(H5Gget_info(file, &gi), "H5Gget_info '/'");
  fprintf(out, "\n%-*s", INFO_NAME_W, rank == 1 ? "parameter" : "metric");
  if (rank == 2) fprintf(out, " %-*s", INFO_DRUG_W, "drug");
  fprintf(out, " %-*s %*s %*s%s\n", INFO_UNIT_W, "units", INFO_NUM_W, "min", INFO_NUM_W, "max",
          rank == 2 ? "      nan" : "");
  for (hsize_t i = 0; i < gi.nlinks && !rc; i++) {
    if (link_name(file, i, name, sizeof name) < 0) continue; /* not one of ours */
    if (var_rank(file, name) == rank) rc = info_var(c, out, file, name, rank, h, buf, st);
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
done:
  free(st);
  free(buf);
  free_strings(h.drugs, h.n_drugs);
  return rc;
}

int hs_sweepfile_info(const char *path, FILE *out, hs_error *err) {
  int rc = HS_OK;
  hs__h5ctx ctx = {path, err, H5P_DEFAULT}, *c = &ctx;
  hid_t file = -1;
  if (!path || !out) return hs_error_set(err, HS_EINPUT, "sweep file info: no path or stream");
  hs__h5_quiet q = hs__h5_quiet_begin();
  HS_H5ID(file, H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen");
  rc = info_file(c, file, out);
done:
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose");
  hs__h5_quiet_end(q);
  return rc;
}

/* ---- merge: the layout of a file, read back ------------------------------------------ */

/* A layout read from a sweep file; owns every string and array its layout points to. */
typedef struct file_layout {
  hs_sweep_layout lay;
  const char **pn, **pu, **mn, **mu, **sn, **su; /* names and units of the variables */
  const char **drugs;
  char **own; /* every string above, strdup'd */
  int n_own, cap_own;
  double *time;
} file_layout;

static void file_layout_free(file_layout *fl) {
  for (int i = 0; i < fl->n_own; i++) free(fl->own[i]);
  free(fl->own);
  free(fl->pn), free(fl->pu), free(fl->mn), free(fl->mu), free(fl->sn), free(fl->su);
  free(fl->drugs);
  free(fl->time);
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

/* Arrays for n_links variables and 2 n_links + n_drugs + 5 strings. */
static int layout_alloc(const hs__h5ctx *c, file_layout *fl, hsize_t n_links, hsize_t n_drugs) {
  size_t n = (size_t)n_links + 1;
  const char ***arrays[] = {&fl->pn, &fl->pu, &fl->mn, &fl->mu, &fl->sn, &fl->su};
  for (int i = 0; i < 6; i++)
    if (!(*arrays[i] = calloc(n, sizeof(char *)))) goto oom;
  fl->cap_own = (int)(2 * n + n_drugs + 5);
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
      chunk < 1 || chunk > INFO_CHUNK_MAX)
    return not_sweep(c, "n_runs or chunk_runs missing or out of range");
  if (hs__h5_attr_get(file, "seed", H5T_NATIVE_UINT64, &l->seed) < 0 ||
      hs__h5_attr_get(file, "rtol", H5T_NATIVE_DOUBLE, &l->rtol) < 0 ||
      hs__h5_attr_get(file, "atol", H5T_NATIVE_DOUBLE, &l->atol) < 0)
    return not_sweep(c, "seed or tolerances missing");
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
  char name[NAME_MAX_LEN + 2];
  hs_sweep_layout *l = &fl->lay;
  l->param_names = fl->pn, l->param_units = fl->pu;
  l->metric_names = fl->mn, l->metric_units = fl->mu;
  l->series_names = fl->sn, l->series_units = fl->su;
  for (hsize_t i = 0; i < n_links && !rc; i++) {
    if (link_name(file, i, name, sizeof name) < 0) return not_sweep(c, "a name too long");
    int reserved = 0;
    for (int k = 0; k < N_RESERVED; k++) reserved |= !strcmp(name, RESERVED[k]);
    if (!reserved) rc = add_var(c, file, fl, name, var_rank(file, name));
  }
  if (!rc && l->timeseries != (l->n_series > 0)) rc = not_sweep(c, "time scale without series");
  return rc;
}

/* The layout of the sweep file `file` (a shard), as hs_sweepfile_create wants it. */
static int read_layout(const hs__h5ctx *c, hid_t file, file_layout *fl) {
  int rc;
  H5G_info_t gi;
  hsize_t nd = 0;
  char **drugs = read_strings(file, "drug", &nd);
  if (!drugs || nd < 1 || nd > INT32_MAX) rc = not_sweep(c, "no 'drug' names");
  else if (H5Gget_info(file, &gi) < 0) rc = hs__h5_fail(c, "H5Gget_info '/'");
  else if (!(rc = layout_alloc(c, fl, gi.nlinks, nd)) && !(rc = read_provenance(c, file, fl)) &&
           !(rc = read_scales(c, file, fl, drugs, nd)))
    rc = read_vars(c, file, fl, gi.nlinks);
  free_strings(drugs, nd);
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
  char why[WHY_LEN] = "";
  int rc = read_shard_attrs(c, file, si);
  if (rc) return rc;
  if (!si->complete || si->done != si->end)
    return hs_error_set(c->err, HS_EINPUT,
                        "%s is not complete (shard %d/%d: %lld of %lld runs done); finish it "
                        "with 'hepatosim sweep ... --shard %d/%d --resume'",
                        c->path, si->k, si->n, (long long)(si->done - si->first),
                        (long long)(si->end - si->first), si->k, si->n);
  if (refused_sweep(file, lay, "first shard", why) ||
      (si->n != ref->n && say(why, "shard count differs (file %d/%d, first shard %d/%d)", si->k,
                              si->n, ref->k, ref->n)))
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
  if (!path_exists(path))
    return hs_error_set(err, HS_EINPUT, "%s: cannot open (%s)", path, strerror(errno));
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
      return hs_error_set(err, HS_EINPUT, "%s: shard %d/%d holds runs [%lld, %lld), not [%lld, %lld)",
                          si[i].path, si[i].k, si[i].n, (long long)si[i].first,
                          (long long)si[i].end, (long long)first, (long long)end);
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
  int rc = read_slab(j->sc, j->src, j->rank, j->start, j->count, j->mtype, buf);
  char **s = buf;
  for (hsize_t i = 0; !rc && j->is_str && i < j->count[0]; i++)
    if (!s[i]) s[i] = (char *)EMPTY; /* never written: read back as NULL */
  if (!rc) rc = write_slab(j->dc, j->dst, j->rank, j->start, j->count, j->mtype, buf);
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
  if (!rc) rc = commit_progress(&c, f, lay->n_runs, failed);
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
  if (!force && path_exists(out))
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", out);
  hs__h5_quiet q = hs__h5_quiet_begin();
  int64_t counts[2] = {0, 0};
  int rc = merge(out, shards, n_shards, counts, err);
  hs__h5_quiet_end(q);
  if (n_runs) *n_runs = counts[0];
  if (n_failed) *n_failed = counts[1];
  return rc;
}
