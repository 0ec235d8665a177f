/* sweepfile_verify.c - reading back every dataset of a sweep file (see hs_sweepfile.h):
 * `hepatosim info --verify` and the check `--resume` makes before trusting a .partial.
 *
 * Each dataset is read in blocks of whole chunks, so HDF5 checks every stored chunk's
 * Fletcher32 checksum (and inflates it); a per-run dataset only over the runs stored,
 * [run_first, runs_done): later chunks of an interrupted file may be unwritten. Beyond the
 * checksums, a stored run must have a status of 0, 1 or 2 and finite parameter values
 * (NaN there means the chunk was lost: HDF5 gives fill values for a chunk it cannot find). */
#include "hs_sweepfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

#define VERIFY_BLOCK_BYTES ((size_t)8 << 20) /* read buffer per dataset */
#define VERIFY_ROW_MAX ((size_t)1 << 30)     /* a larger row of one run is no file of ours */

typedef struct span {
  int64_t n_runs, first, done; /* per-run datasets are read over [first, done) */
  int n_sets;                  /* datasets read */
  char *why;
} span;

/* Rows [r0, r0 + m) of ds (row = dimension 0) into buf with the file's own type; on failure
 * *w gets HDF5's reason. */
static int read_rows(hid_t ds, hid_t fs, hid_t ty, int rank, const hsize_t *dims, hsize_t r0,
                     hsize_t m, void *buf, hs__h5_why *w) {
  hsize_t start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
  for (int i = 0; i < rank; i++) count[i] = dims[i];
  start[0] = r0, count[0] = m;
  hid_t ms = H5Screate_simple(rank, count, NULL);
  int ok = ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
           H5Dread(ds, ty, ms, fs, H5P_DEFAULT, buf) >= 0;
  if (!ok) *w = hs__h5_stack(); /* before the next call clears the stack */
  if (ok && (H5Tdetect_class(ty, H5T_VLEN) > 0 || H5Tis_variable_str(ty) > 0))
    H5Dvlen_reclaim(ty, ms, H5P_DEFAULT, buf); /* strings of earlier versions */
  hs__h5_close(ms);
  return ok ? 0 : -1;
}

/* A stored run (row r of status or of a parameter) that holds no result. */
static int bad_value(const char *name, hid_t ty, int rank, const void *buf, hsize_t i) {
  if (rank != 1) return 0;
  if (!strcmp(name, "status") && H5Tequal(ty, H5T_NATIVE_SCHAR) > 0) {
    signed char s = ((const signed char *)buf)[i];
    return s != HS_RUN_OK && s != HS_RUN_INVALID && s != HS_RUN_SOLVER;
  }
  if (strcmp(name, "time") && strcmp(name, "run") && H5Tequal(ty, H5T_NATIVE_DOUBLE) > 0)
    return isnan(((const double *)buf)[i]);
  return 0;
}

/* Every chunk of a per-run dataset ds that holds stored rows [r0, r1) exists, with all its
 * filters applied: a damaged chunk index can lose one (reads then give the fill value, which
 * a metric's NaN cannot tell from a failed run) or mark its filters skipped. 1 when so. */
static int chunks_ok(hid_t ds, const char *name, int rank, const hsize_t *dims, hsize_t r0,
                     hsize_t r1, char *why) {
  hsize_t ck[H5S_MAX_RANK] = {0}, at[H5S_MAX_RANK] = {0}, size;
  hid_t dcpl = H5Dget_create_plist(ds);
  int chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
                H5Pget_chunk(dcpl, rank, ck) == rank;
  hs__h5_close(dcpl);
  if (!chunked || r0 >= r1) return 1;
  for (at[0] = r0 / ck[0] * ck[0]; at[0] < r1;) {
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    if (H5Dget_chunk_info_by_coord(ds, at, &mask, &addr, &size) < 0 || addr == HADDR_UNDEF ||
        mask != 0)
      return !hs__sweepfile_say(why, "dataset '%s' holds no result for stored run %llu (a lost "
                                "chunk)", name, (unsigned long long)(at[0] > r0 ? at[0] : r0));
    int i = rank - 1; /* the next chunk: the last dimension fastest */
    while (i > 0 && (at[i] += ck[i]) >= dims[i]) at[i--] = 0;
    if (i == 0) at[0] += ck[0];
  }
  return 1;
}

/* Rows per read: whole chunks of dimension 0, about VERIFY_BLOCK_BYTES. */
static hsize_t block_rows(hid_t ds, size_t row_bytes) {
  hsize_t ck[H5S_MAX_RANK] = {0}, n = VERIFY_BLOCK_BYTES / row_bytes;
  hid_t dcpl = H5Dget_create_plist(ds);
  int chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
                H5Pget_chunk(dcpl, H5S_MAX_RANK, ck) > 0 && ck[0] > 0;
  hs__h5_close(dcpl);
  if (n < 1) n = 1;
  if (chunked) n = n < ck[0] ? ck[0] : n / ck[0] * ck[0];
  return n;
}

/* The bytes of one row of ds (elements of dimensions 1.. times the type's size), 0 when
 * implausible. */
static size_t row_size(int rank, const hsize_t *dims, size_t elem) {
  size_t row = elem;
  for (int i = 1; i < rank; i++) {
    if (dims[i] && row > VERIFY_ROW_MAX / dims[i]) return 0;
    row *= (size_t)dims[i];
  }
  return row > VERIFY_ROW_MAX ? 0 : row;
}

static int verify_open(hid_t ds, const char *name, span *v) {
  int bad = 0, rank;
  hid_t fs = H5Dget_space(ds), ty = H5Dget_type(ds);
  hsize_t dims[H5S_MAX_RANK] = {0};
  void *buf = NULL;
  if (fs < 0 || ty < 0 || (rank = H5Sget_simple_extent_ndims(fs)) < 0 ||
      H5Sget_simple_extent_dims(fs, dims, NULL) < 0) {
    bad = hs__sweepfile_say(v->why, "dataset '%s': its shape or type cannot be read (%s)", name,
                            hs__h5_stack().top);
    goto done;
  }
  if (rank == 0) { /* no dataset of ours; read it whole */
    if (!(buf = malloc(H5Tget_size(ty) + 1)) || H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
      bad = hs__sweepfile_say(v->why, "dataset '%s' is damaged", name);
    goto done;
  }
  size_t elem = H5Tget_size(ty), row = row_size(rank, dims, elem);
  int per_run = dims[0] == (hsize_t)v->n_runs;
  hsize_t r0 = per_run ? (hsize_t)v->first : 0, r1 = per_run ? (hsize_t)v->done : dims[0];
  hsize_t blk = row ? block_rows(ds, row) : 0;
  if (!elem || !row || !(buf = malloc(blk * row))) {
    bad = hs__sweepfile_say(v->why, "dataset '%s' has an implausible shape", name);
    goto done;
  }
  if (per_run && !chunks_ok(ds, name, rank, dims, r0, r1, v->why)) {
    bad = 1;
    goto done;
  }
  for (hsize_t r = per_run && blk ? r0 / blk * blk : r0; r < r1 && !bad; r += blk) {
    hsize_t m = r1 - r < blk ? r1 - r : blk;
    hs__h5_why w;
    if (read_rows(ds, fs, ty, rank, dims, r, m, buf, &w) < 0) {
      bad = hs__sweepfile_say(v->why, "dataset '%s' is damaged (rows %llu-%llu: %s%s%s)", name,
                              (unsigned long long)r, (unsigned long long)(r + m - 1), w.top,
                              w.deep[0] ? ": " : "", w.deep);
    }
    for (hsize_t i = 0; i < m && !bad && per_run; i++)
      if (r + i >= r0 && bad_value(name, ty, rank, buf, i))
        bad = hs__sweepfile_say(v->why, "dataset '%s' holds no result for stored run %llu "
                                "(a lost chunk)", name, (unsigned long long)(r + i));
  }
done:
  free(buf);
  hs__h5_close(ty);
  hs__h5_close(fs);
  return bad;
}

/* Dimension i of ds is labelled DIM_NAMES[i] and attached to that scale (the references
 * of both sides resolve): string attributes and references live in HDF5's global heap,
 * which has no checksum. */
static int scales_ok(hid_t g, hid_t ds, const char *name, int rank, char *why) {
  static const char *const DIM_NAMES[3] = {"run", "drug", "time"};
  char label[16];
  if (H5DSis_scale(ds) > 0) return 1;
  for (int i = 0; i < rank; i++) {
    int ok = i < 3 && H5DSget_label(ds, (unsigned)i, label, sizeof label) > 0 &&
             !strcmp(label, DIM_NAMES[i]);
    hid_t sc = ok ? H5Dopen2(g, DIM_NAMES[i], H5P_DEFAULT) : -1;
    ok = sc >= 0 && H5DSis_attached(ds, sc, (unsigned)i) > 0;
    hs__h5_close(sc);
    if (!ok)
      return !hs__sweepfile_say(why, "dataset '%s': dimension %d is not labelled and attached "
                                "as '%s'", name, i, i < 3 ? DIM_NAMES[i] : "?");
  }
  return 1;
}

static herr_t verify_link(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  span *v = op;
  H5O_info_t oi;
  (void)info;
  if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    return hs__sweepfile_say(v->why, "'%s' cannot be opened (%s)", name, hs__h5_stack().top);
  if (oi.type != H5O_TYPE_DATASET) return 0;
  hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
  if (ds < 0)
    return hs__sweepfile_say(v->why, "dataset '%s' cannot be opened (%s)", name,
                             hs__h5_stack().top);
  int bad = verify_open(ds, name, v);
  if (!bad) {
    hid_t sp = H5Dget_space(ds);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hs__h5_close(sp);
    bad = rank < 0 || !scales_ok(g, ds, name, rank, v->why);
    if (rank < 0) hs__sweepfile_say(v->why, "dataset '%s': its shape cannot be read", name);
  }
  hs__h5_close(ds);
  v->n_sets++;
  return bad;
}

int hs__sweepfile_verify(hid_t file, int64_t n_runs, int64_t first, int64_t done, int *n_sets,
                         char *why) {
  span v = {n_runs, first, done, 0, why};
  why[0] = '\0';
  herr_t st = H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, verify_link, &v);
  if (n_sets) *n_sets = v.n_sets;
  if (st < 0 && !why[0])
    hs__sweepfile_say(why, "its variables cannot be listed (%s)", hs__h5_stack().top);
  return why[0] != '\0';
}

/* n_runs, run_first and runs_done of a sweep file, checked against each other. */
static int read_span(const hs__h5ctx *c, hid_t file, int64_t v[3]) {
  const char *const names[3] = {"n_runs", "run_first", "runs_done"};
  for (int i = 0; i < 3; i++)
    if (hs__h5_attr_get(file, names[i], H5T_NATIVE_INT64, &v[i]) < 0)
      return hs_error_set(c->err, HS_EINPUT, "%s: not a sweep file (attribute '%s' missing)",
                          c->path, names[i]);
  if (v[0] < 1 || v[1] < 0 || v[1] > v[2] || v[2] > v[0])
    return hs_error_set(c->err, HS_EINPUT, "%s: runs_done %lld, run_first %lld or n_runs %lld "
                        "out of range", c->path, (long long)v[2], (long long)v[1], (long long)v[0]);
  return HS_OK;
}

int hs_sweepfile_verify(const char *path, FILE *out, hs_error *err) {
  int rc = HS_OK, n_sets = 0;
  int64_t v[3];
  char why[HS_SF_WHY_LEN];
  hs__h5ctx ctx = {path, err, H5P_DEFAULT}, *c = &ctx;
  hid_t file = -1;
  if (!path || !out) return hs_error_set(err, HS_EINPUT, "sweep file verify: no path or stream");
  if ((rc = hs__sweepfile_probe(path, err))) return rc;
  hs__h5_quiet q = hs__h5_quiet_begin();
  if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
    rc = hs_error_set(err, HS_EINPUT, "%s: cannot open as HDF5 (%s)", path, hs__h5_stack().top);
  else if (!(rc = read_span(c, file, v)) &&
           hs__sweepfile_verify(file, v[0], v[1], v[2], &n_sets, why))
    rc = hs_error_set(err, HS_EINPUT, "%s: verify failed: %s", path, why);
  if (!rc)
    fprintf(out, "verified: %d datasets read back, checksums match, runs %lld-%lld stored\n",
            n_sets, (long long)v[1], (long long)v[2] - 1);
  if (file >= 0) H5Fclose(file);
  hs__h5_quiet_end(q);
  return rc;
}
