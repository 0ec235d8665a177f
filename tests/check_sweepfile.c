/* check_sweepfile.c - the sweep file: layout, block writes, resume checks and info.
 *
 * A small sweep (10 runs in chunks of 4, 2 parameters, 2 drugs, 3 metrics, optionally 2
 * time series of 5 points as float32 or float64) is written in three blocks and read back
 * with the HDF5 C API; resume is provoked with every kind of mismatch; a 10^6-run file
 * checks that creation is fast and memory bounded (HS_TEST_QUICK=1 shrinks it to 10^4,
 * for valgrind). Every test works in its own mkdtemp directory under /tmp. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "hs_sweepfile.h"
#include "hs_test.h"


#define NR 10
#define CK 4
#define NP 2
#define ND 2
#define NM 3
#define NS 2
#define NT 5
#define FAILED_RUN 7

static char tmpdir[64];

static const char *const PARAMS[NP] = {"tumor.perfusion", "liver.volume"};
static const char *const PARAM_UNITS[NP] = {"1/h", "L"};
static const char *const DRUGS[ND] = {"doxorubicin", "cisplatin"};
static const char *const METRICS[NM] = {"auc_plasma", "cmax_tumor", "t_max_tumor"};
static const char *const METRIC_UNITS[NM] = {"mg*h/L", "mg/L", "h"};
static const char *const SERIES[NS] = {"plasma", "tumor"};
static const char *const SERIES_UNITS[NS] = {"mg/L", "mg/L"};
static const double TIMES[NT] = {0.0, 0.5, 1.25, 3.0, 6.5};

/* "High-entropy" values: nothing cancels, float32 rounding is visible. */
static double param_v(int i, int p) { return 2.385 * (p + 1) + 0.731 * i; }
static double metric_v(int i, int d, int k) {
  return i == FAILED_RUN ? NAN : 1.37 * (k + 1) + 0.2519 * d + 0.0193 * i;
}
static double series_v(int i, int d, int s, int t) {
  return 3.14159265358979 + 1.1 * i + 0.37 * d + 2.9 * s + 0.0131 * t;
}

static hs_sweep_layout make_layout(int timeseries, int f32) {
  hs_sweep_layout l = {.n_runs = NR,
                       .chunk_runs = CK,
                       .n_params = NP,
                       .param_names = PARAMS,
                       .param_units = PARAM_UNITS,
                       .n_drugs = ND,
                       .drug_names = DRUGS,
                       .n_metrics = NM,
                       .metric_names = METRICS,
                       .metric_units = METRIC_UNITS,
                       .timeseries = timeseries,
                       .ts_float32 = f32,
                       .n_time = timeseries ? NT : 0,
                       .time = timeseries ? TIMES : NULL,
                       .n_series = timeseries ? NS : 0,
                       .series_names = SERIES,
                       .series_units = SERIES_UNITS,
                       .scenario_text = "# scenario\nsimulation: {t_end: 24 h}\n",
                       .scenario_path = "s1.yaml",
                       .design_name = "lhs",
                       .design_text = "lhs: {n: 10}\n",
                       .version = "test",
                       .seed = 12345678901234567ull,
                       .rtol = 1.25e-8,
                       .atol = 3.5e-12};
  return l;
}

static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[512];
  if (!d) return;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/hs_check_sweepfile_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { rm_tree(tmpdir); }

static void path_in(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "%s/%s", tmpdir, name);
}

/* Write runs [first, first + n) with the values above; failed counts runs so far. */
static void write_block(hs_sweepfile *f, const hs_sweep_layout *l, int first, int n) {
  double params[CK * NP], metrics[CK * ND * NM], series[CK * ND * NS * NT];
  signed char status[CK];
  const char *reasons[CK];
  hs_error err;
  for (int r = 0; r < n; r++) {
    int i = first + r;
    for (int p = 0; p < NP; p++) params[r * NP + p] = param_v(i, p);
    for (int d = 0; d < ND; d++)
      for (int k = 0; k < NM; k++) metrics[(r * ND + d) * NM + k] = metric_v(i, d, k);
    for (int d = 0; d < ND; d++)
      for (int s = 0; s < NS; s++)
        for (int t = 0; t < NT; t++)
          series[((r * ND + d) * NS + s) * NT + t] = series_v(i, d, s, t);
    status[r] = i == FAILED_RUN ? HS_RUN_SOLVER : HS_RUN_OK;
    reasons[r] = i == FAILED_RUN ? "CVODE failed at t = 1.5 h" : (i % 2 ? NULL : "");
  }
  int failed = first + n > FAILED_RUN ? 1 : 0;
  int rc = hs_sweepfile_write(f, first, n, params, metrics, status, reasons,
                              l->timeseries ? series : NULL, failed, &err);
  ck_assert_msg(rc == 0, "write [%d, %d): %s", first, first + n, err.msg);
}

/* Create path and write runs [0, upto) in blocks of CK; close (complete or not). */
static void make_file(const char *path, const hs_sweep_layout *l, int upto, int complete) {
  hs_sweepfile *f = NULL;
  hs_error err;
  ck_assert_msg(hs_sweepfile_create(path, l, &f, &err) == 0, "create: %s", err.msg);
  for (int first = 0; first < upto; first += CK)
    write_block(f, l, first, upto - first < CK ? upto - first : CK);
  ck_assert_msg(hs_sweepfile_close(f, complete, &err) == 0, "close: %s", err.msg);
}

/* ---- reading back with the C API ---------------------------------------------------- */

static void read_all(hid_t file, const char *name, hid_t mtype, void *buf) {
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  ck_assert_msg(ds >= 0, "no dataset '%s'", name);
  ck_assert_int_ge(H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
  H5Dclose(ds);
}

static int64_t attr_i64(hid_t loc, const char *name) {
  int64_t v = -99;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  ck_assert_msg(a >= 0, "no attribute '%s'", name);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_INT64, &v), 0);
  H5Aclose(a);
  return v;
}

/* A string attribute: checks it is a variable-length UTF-8 string, copies it to buf. */
static void attr_str(hid_t loc, const char *name, char *buf, size_t n) {
  char *v = NULL;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
  ck_assert_msg(a >= 0, "no attribute '%s'", name);
  ck_assert_int_gt(H5Tis_variable_str(t), 0);
  ck_assert_int_eq(H5Tget_cset(t), H5T_CSET_UTF8);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5T_CSET_UTF8);
  ck_assert_int_ge(H5Aread(a, mt, &v), 0);
  snprintf(buf, n, "%s", v);
  H5free_memory(v);
  H5Tclose(mt);
  H5Tclose(t);
  H5Aclose(a);
}

/* Dataset `name` has units `units` and dimension i attached to the scale dims[i]. */
static void check_var_meta(hid_t file, const char *name, const char *units, int rank,
                           const char *const *dims) {
  char buf[64];
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), sp = H5Dget_space(ds);
  ck_assert_int_eq(H5Sget_simple_extent_ndims(sp), rank);
  attr_str(ds, "units", buf, sizeof buf);
  ck_assert_str_eq(buf, units);
  ck_assert_int_eq(H5Aexists(ds, "long_name"), 1);
  for (int i = 0; i < rank; i++) {
    hid_t sc = H5Dopen2(file, dims[i], H5P_DEFAULT);
    ck_assert_int_eq(H5DSis_scale(sc), 1);
    ck_assert_msg(H5DSis_attached(ds, sc, (unsigned)i) == 1, "%s: dim %d not attached to %s",
                  name, i, dims[i]);
    ck_assert_int_gt(H5DSget_scale_name(sc, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, dims[i]);
    H5Dclose(sc);
  }
  H5Sclose(sp);
  H5Dclose(ds);
}

/* reason: fixed-length (256-byte) UTF-8 strings with `_Encoding` (parallel HDF5 cannot
 * write variable-length strings), read into re. */
static void read_reasons(hid_t file, char (*re)[256]) {
  hid_t ds = H5Dopen2(file, "reason", H5P_DEFAULT), ft = H5Dget_type(ds);
  ck_assert_int_eq(H5Tget_class(ft), H5T_STRING);
  ck_assert_int_eq(H5Tis_variable_str(ft), 0);
  ck_assert_int_eq((int)H5Tget_size(ft), 256);
  ck_assert_int_eq(H5Tget_cset(ft), H5T_CSET_UTF8);
  ck_assert_int_gt(H5Aexists(ds, "_Encoding"), 0);
  H5Tclose(ft);
  H5Dclose(ds);
  hid_t mt = H5Tcopy(H5T_C_S1);
  H5Tset_size(mt, 256);
  H5Tset_cset(mt, H5T_CSET_UTF8);
  read_all(file, "reason", mt, re);
  H5Tclose(mt);
}

static void check_scalars(hid_t file) {
  double p[NR], m[NR * ND];
  signed char st[NR];
  int64_t run[NR];
  char re[NR][256];
  read_all(file, "liver.volume", H5T_NATIVE_DOUBLE, p);
  for (int i = 0; i < NR; i++) ck_assert_double_eq(p[i], param_v(i, 1));
  read_all(file, "cmax_tumor", H5T_NATIVE_DOUBLE, m);
  for (int i = 0; i < NR; i++)
    for (int d = 0; d < ND; d++)
      if (i == FAILED_RUN)
        ck_assert(isnan(m[i * ND + d]));
      else
        ck_assert_double_eq(m[i * ND + d], metric_v(i, d, 1));
  read_all(file, "status", H5T_NATIVE_SCHAR, st);
  read_all(file, "run", H5T_NATIVE_INT64, run);
  read_reasons(file, re);
  for (int i = 0; i < NR; i++) {
    ck_assert_int_eq(st[i], i == FAILED_RUN ? HS_RUN_SOLVER : HS_RUN_OK);
    ck_assert_int_eq(run[i], i);
    ck_assert_str_eq(re[i], i == FAILED_RUN ? "CVODE failed at t = 1.5 h" : "");
  }
}

static void check_root_attrs(hid_t file) {
  char buf[128];
  uint64_t seed = 0;
  hid_t a = H5Aopen(file, "seed", H5P_DEFAULT), t = H5Aget_type(a);
  ck_assert(H5Tequal(t, H5T_STD_U64LE) > 0);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_UINT64, &seed), 0);
  ck_assert(seed == 12345678901234567ull);
  H5Tclose(t);
  H5Aclose(a);
  ck_assert_int_eq(attr_i64(file, "n_runs"), NR);
  ck_assert_int_eq(attr_i64(file, "chunk_runs"), CK);
  ck_assert_int_eq(attr_i64(file, "runs_done"), NR);
  ck_assert_int_eq(attr_i64(file, "runs_failed"), 1);
  ck_assert_int_eq(attr_i64(file, "complete"), 1);
  attr_str(file, "design", buf, sizeof buf);
  ck_assert_str_eq(buf, "lhs");
  attr_str(file, "scenario_path", buf, sizeof buf);
  ck_assert_str_eq(buf, "s1.yaml");
  attr_str(file, "program_version", buf, sizeof buf);
  ck_assert_str_eq(buf, "test");
  ck_assert_int_eq(H5Aexists(file, "scenario_text"), 1);
  ck_assert_int_eq(H5Aexists(file, "design_text"), 1);
  ck_assert_int_eq(H5Aexists(file, "rtol"), 1);
  ck_assert_int_eq(H5Aexists(file, "atol"), 1);
}

/* Chunk dimensions and the shuffle + deflate (level 1) + Fletcher32 filters of dataset
 * name, the checksum last (so first on reading). */
static void check_chunks(hid_t file, const char *name, int rank, const hsize_t *want) {
  hsize_t ck[3];
  unsigned flags;
  size_t nv = 0;
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), dcpl = H5Dget_create_plist(ds);
  ck_assert_int_eq(H5Pget_chunk(dcpl, rank, ck), rank);
  for (int i = 0; i < rank; i++) ck_assert_uint_eq(ck[i], want[i]);
  ck_assert_int_eq(H5Pget_nfilters(dcpl), 3);
  ck_assert_int_eq(H5Pget_filter2(dcpl, 0, &flags, &nv, NULL, 0, NULL, NULL), H5Z_FILTER_SHUFFLE);
  unsigned level[1] = {0};
  nv = 1;
  ck_assert_int_eq(H5Pget_filter2(dcpl, 1, &flags, &nv, level, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
  ck_assert_uint_eq(level[0], 1); /* the cheapest gzip level (h5util.c) */
  nv = 0;
  ck_assert_int_eq(H5Pget_filter2(dcpl, 2, &flags, &nv, NULL, 0, NULL, NULL), H5Z_FILTER_FLETCHER32);
  H5Pclose(dcpl);
  H5Dclose(ds);
}

START_TEST(test_scalars_roundtrip) {
  char path[128];
  hs_sweep_layout l = make_layout(0, 0);
  path_in(path, sizeof path, "scalars.h5");
  make_file(path, &l, NR, 1);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  check_scalars(file);
  check_root_attrs(file);
  const char *const run[] = {"run"}, *const run_drug[] = {"run", "drug"};
  check_var_meta(file, "tumor.perfusion", "1/h", 1, run);
  check_var_meta(file, "auc_plasma", "mg*h/L", 2, run_drug);
  check_var_meta(file, "t_max_tumor", "h", 2, run_drug);
  check_var_meta(file, "status", "1", 1, run);
  check_var_meta(file, "reason", "", 1, run);
  check_chunks(file, "auc_plasma", 2, (hsize_t[]){CK, ND});
  check_chunks(file, "liver.volume", 1, (hsize_t[]){CK});
  ck_assert_int_eq(H5Lexists(file, "time", H5P_DEFAULT), 0);
  ck_assert_int_eq(H5Lexists(file, "plasma", H5P_DEFAULT), 0);
  H5Fclose(file);
}
END_TEST

/* Series in float32 (rounded once) or float64 (exact), dims run, drug, time. */
static void check_series(int f32) {
  char path[128];
  hs_sweep_layout l = make_layout(1, f32);
  float v32[NR * ND * NT];
  double v64[NR * ND * NT], t[NT];
  path_in(path, sizeof path, "series.h5");
  make_file(path, &l, NR, 1);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = H5Dopen2(file, "tumor", H5P_DEFAULT), ty = H5Dget_type(ds);
  ck_assert_uint_eq(H5Tget_size(ty), f32 ? 4 : 8);
  H5Tclose(ty);
  H5Dclose(ds);
  read_all(file, "tumor", H5T_NATIVE_FLOAT, v32);
  read_all(file, "tumor", H5T_NATIVE_DOUBLE, v64);
  for (int i = 0; i < NR; i++)
    for (int d = 0; d < ND; d++)
      for (int k = 0; k < NT; k++) {
        double want = series_v(i, d, 1, k);
        ck_assert_float_eq(v32[(i * ND + d) * NT + k], (float)want);
        if (!f32) ck_assert_double_eq(v64[(i * ND + d) * NT + k], want);
      }
  read_all(file, "time", H5T_NATIVE_DOUBLE, t);
  for (int k = 0; k < NT; k++) ck_assert_double_eq(t[k], TIMES[k]);
  const char *const dims[] = {"run", "drug", "time"};
  char units[16];
  check_var_meta(file, "plasma", "mg/L", 3, dims);
  hid_t time = H5Dopen2(file, "time", H5P_DEFAULT);
  attr_str(time, "units", units, sizeof units);
  ck_assert_str_eq(units, "h");
  ck_assert_int_eq(H5DSis_scale(time), 1);
  H5Dclose(time);
  check_chunks(file, "plasma", 3, (hsize_t[]){CK, 1, NT});
  check_scalars(file);
  H5Fclose(file);
}

START_TEST(test_series_float32) { check_series(1); }
END_TEST

START_TEST(test_series_float64) { check_series(0); }
END_TEST

/* Unwritten runs read as the fill values: NaN, status -1, reason "". */
START_TEST(test_fill_values) {
  char path[128], re[NR][256];
  hs_sweep_layout l = make_layout(1, 1);
  double p[NR];
  float s[NR * ND * NT];
  signed char st[NR];
  path_in(path, sizeof path, "fill.h5");
  make_file(path, &l, CK, 0);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  read_all(file, "tumor.perfusion", H5T_NATIVE_DOUBLE, p);
  read_all(file, "status", H5T_NATIVE_SCHAR, st);
  read_all(file, "plasma", H5T_NATIVE_FLOAT, s);
  read_reasons(file, re);
  for (int i = 0; i < NR; i++) {
    ck_assert(i < CK ? p[i] == param_v(i, 0) : isnan(p[i]));
    ck_assert_int_eq(st[i], i < CK ? HS_RUN_OK : HS_RUN_NOT_RUN);
    ck_assert(i < CK ? !isnan(s[i * ND * NT]) : isnan(s[i * ND * NT]));
    ck_assert_str_eq(re[i], "");
  }
  ck_assert_int_eq(attr_i64(file, "runs_done"), CK);
  ck_assert_int_eq(attr_i64(file, "complete"), 0);
  H5Fclose(file);
}
END_TEST

/* ---- resume ------------------------------------------------------------------------- */

START_TEST(test_resume_continues) {
  char path[128];
  hs_sweep_layout l = make_layout(1, 1);
  hs_sweepfile *f = NULL;
  hs_error err;
  int64_t done = -1, failed = -1;
  path_in(path, sizeof path, "resume.h5");
  make_file(path, &l, CK, 0);
  ck_assert_msg(hs_sweepfile_open_resume(path, &l, &f, &done, &failed, &err) == 0, "%s",
                err.msg);
  ck_assert_int_eq(done, CK);
  ck_assert_int_eq(failed, 0);
  write_block(f, &l, CK, CK);
  write_block(f, &l, 2 * CK, NR - 2 * CK);
  ck_assert_int_eq(hs_sweepfile_close(f, 1, &err), 0);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_scalars(file);
  check_root_attrs(file);
  H5Fclose(file);
}
END_TEST

/* The run scale of path, which must read 0 .. NR-1. */
static void check_run_scale(const char *path) {
  long long run[NR];
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), ds = H5Dopen2(file, "run", H5P_DEFAULT);
  ck_assert(H5Dread(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, run) >= 0);
  H5Dclose(ds), H5Fclose(file);
  for (int i = 0; i < NR; i++) ck_assert_int_eq(run[i], i);
}

/* A stop (signal) while the run scale is written, at creation or again at resume: the file
 * stays, closed, with no run done, and a resume without a stop writes the scale. */
START_TEST(test_stopped_create_resumes) {
  char path[128];
  volatile sig_atomic_t stop = SIGTERM;
  hs_sweep_layout l = make_layout(0, 0);
  hs_sweepfile *f = (hs_sweepfile *)&f;
  hs_error err;
  int64_t done = -1, failed = -1;
  path_in(path, sizeof path, "stopped.h5");
  l.stop = &stop;
  ck_assert_int_eq(hs_sweepfile_create(path, &l, &f, &err), HS_ESTOPPED);
  ck_assert_ptr_null(f);
  ck_assert(access(path, F_OK) == 0);
  ck_assert_int_eq(hs_sweepfile_open_resume(path, &l, &f, &done, &failed, &err), HS_ESTOPPED);
  ck_assert_ptr_null(f);
  l.stop = NULL;
  ck_assert_msg(hs_sweepfile_open_resume(path, &l, &f, &done, &failed, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(done, 0);
  ck_assert_int_eq(failed, 0);
  for (int first = 0; first < NR; first += CK) write_block(f, &l, first, NR - first < CK ? NR - first : CK);
  ck_assert_int_eq(hs_sweepfile_close(f, 1, &err), 0);
  check_run_scale(path);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  check_scalars(file);
  H5Fclose(file);
}
END_TEST

/* open_resume refuses with "<path> cannot be resumed safely: <reason>". */
static void expect_refusal(const char *path, const hs_sweep_layout *l, const char *reason) {
  hs_sweepfile *f = (hs_sweepfile *)&f; /* must be reset to NULL */
  hs_error err;
  char want[512];
  int64_t done = -1, failed = -1;
  hs_error_clear(&err);
  int rc = hs_sweepfile_open_resume(path, l, &f, &done, &failed, &err);
  ck_assert_int_eq(rc, HS_EINPUT);
  ck_assert_ptr_null(f);
  snprintf(want, sizeof want, "%s cannot be resumed safely: %s", path, reason);
  ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "got '%s', want '%s...'", err.msg, want);
}

START_TEST(test_resume_refusals) {
  char path[128];
  hs_sweep_layout l = make_layout(0, 0), m;
  const char *const other_params[NP] = {"tumor.perfusion", "liver.flow"};
  const char *const other_units[NP] = {"1/h", "mL"};
  const char *const other_drugs[ND] = {"doxorubicin", "epirubicin"};
  const char *const other_metrics[NM] = {"auc_plasma", "cmax_tumor", "t_half"};
  path_in(path, sizeof path, "part.h5");
  make_file(path, &l, CK, 0);
  m = l, m.seed = 1, expect_refusal(path, &m, "seed differs");
  m = l, m.scenario_text = "# edited\n", expect_refusal(path, &m, "scenario_text differs");
  m = l, m.n_runs = NR + 1, expect_refusal(path, &m, "n_runs differs");
  m = l, m.design_name = "sobol", expect_refusal(path, &m, "design differs");
  m = l, m.design_text = "lhs: {n: 11}\n", expect_refusal(path, &m, "design differs");
  m = l, m.chunk_runs = CK + 1, expect_refusal(path, &m, "chunk_runs differs");
  m = l, m.param_names = other_params, expect_refusal(path, &m, "parameters differ");
  m = l, m.param_units = other_units, expect_refusal(path, &m, "parameters differ");
  m = l, m.n_params = 1, expect_refusal(path, &m, "parameters differ ('liver.volume'");
  m = l, m.drug_names = other_drugs, expect_refusal(path, &m, "drugs differ");
  m = l, m.n_drugs = 1, expect_refusal(path, &m, "drugs differ");
  m = l, m.metric_names = other_metrics, expect_refusal(path, &m, "metrics differ");
  m = l, m.n_metrics = 2, expect_refusal(path, &m, "metrics differ ('t_max_tumor'");
  m = make_layout(1, 1), expect_refusal(path, &m, "timeseries settings differ");
  m = l, m.rtol = 1e-6, expect_refusal(path, &m, "tolerances differ");
  m = l, m.atol = 1e-9, expect_refusal(path, &m, "tolerances differ");
  /* a file of an earlier version, with variable-length reasons */
  hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), vl = H5Tcopy(H5T_C_S1);
  hsize_t n = NR;
  H5Tset_size(vl, H5T_VARIABLE);
  hid_t sp = H5Screate_simple(1, &n, NULL);
  ck_assert_int_ge(H5Ldelete(file, "reason", H5P_DEFAULT), 0);
  hid_t ds = H5Dcreate2(file, "reason", vl, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(ds, 0);
  H5Dclose(ds), H5Sclose(sp), H5Tclose(vl), H5Fclose(file);
  expect_refusal(path, &l, "its strings are variable-length (written by an earlier version)");
}
END_TEST

START_TEST(test_resume_refuses_series_changes) {
  char path[128];
  const double other_times[NT] = {0.0, 0.5, 1.25, 3.0, 7.0};
  hs_sweep_layout l = make_layout(1, 1), m;
  path_in(path, sizeof path, "part_ts.h5");
  make_file(path, &l, CK, 0);
  m = make_layout(0, 0), expect_refusal(path, &m, "timeseries settings differ");
  m = l, m.ts_float32 = 0, expect_refusal(path, &m, "timeseries settings differ");
  m = l, m.time = other_times, expect_refusal(path, &m, "timeseries settings differ");
  m = l, m.n_series = 1, expect_refusal(path, &m, "timeseries settings differ ('tumor'");
}
END_TEST

START_TEST(test_resume_refuses_files) {
  char path[128], junk[128], none[128];
  hs_sweep_layout l = make_layout(0, 0);
  path_in(path, sizeof path, "done.h5");
  path_in(junk, sizeof junk, "junk.h5");
  path_in(none, sizeof none, "none.h5");
  make_file(path, &l, NR, 1);
  expect_refusal(path, &l, "already complete");
  FILE *fp = fopen(junk, "w");
  ck_assert_ptr_nonnull(fp);
  fputs("not an HDF5 file\n", fp);
  fclose(fp);
  expect_refusal(junk, &l, "cannot open as HDF5");
  expect_refusal(none, &l, "cannot open as HDF5 (No such file");
  /* an HDF5 file that is no sweep file */
  hid_t file = H5Fcreate(none, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  H5Fclose(file);
  expect_refusal(none, &l, "runs_done attribute missing");
}
END_TEST

/* ---- errors ------------------------------------------------------------------------- */

START_TEST(test_input_errors) {
  char path[128], other[128];
  hs_sweep_layout l = make_layout(0, 0), m;
  hs_sweepfile *f = NULL;
  hs_error err;
  double buf[64] = {0};
  signed char st[64] = {0};
  const char *const dup[NM] = {"auc_plasma", "tumor.perfusion", "t"};
  const char *const bad[NM] = {"auc_plasma", "a/b", "t"};
  const char *const reserved[NM] = {"auc_plasma", "status", "t"};
  path_in(path, sizeof path, "err.h5");
  path_in(other, sizeof other, "other.h5");
  ck_assert_int_eq(hs_sweepfile_create(path, &l, &f, &err), 0);
  ck_assert_int_eq(hs_sweepfile_write(f, -1, 1, buf, buf, st, NULL, NULL, 0, &err), HS_EINPUT);
  ck_assert_int_eq(hs_sweepfile_write(f, 8, 3, buf, buf, st, NULL, NULL, 0, &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "err.h5"));
  ck_assert_int_eq(hs_sweepfile_write(f, 11, 0, buf, buf, st, NULL, NULL, 0, &err), HS_EINPUT);
  ck_assert_int_eq(hs_sweepfile_write(f, 0, -1, buf, buf, st, NULL, NULL, 0, &err), HS_EINPUT);
  ck_assert_int_eq(hs_sweepfile_write(f, 0, 1, buf, buf, NULL, NULL, NULL, 0, &err), HS_EINPUT);
  ck_assert_int_eq(hs_sweepfile_write(f, 10, 0, buf, buf, st, NULL, NULL, 0, &err), 0);
  ck_assert_int_eq(hs_sweepfile_close(f, 0, &err), 0);
  ck_assert_int_eq(hs_sweepfile_close(NULL, 1, &err), 0);
  ck_assert_int_eq(hs_sweepfile_create(path, &l, &f, &err), HS_EEXIST);
  ck_assert_ptr_null(f);
  m = l, m.metric_names = dup;
  ck_assert_int_eq(hs_sweepfile_create(other, &m, &f, &err), HS_EINPUT);
  m = l, m.metric_names = bad;
  ck_assert_int_eq(hs_sweepfile_create(other, &m, &f, &err), HS_EINPUT);
  m = l, m.metric_names = reserved;
  ck_assert_int_eq(hs_sweepfile_create(other, &m, &f, &err), HS_EINPUT);
  m = l, m.n_runs = 0;
  ck_assert_int_eq(hs_sweepfile_create(other, &m, &f, &err), HS_EINPUT);
  ck_assert_int_eq(access(other, F_OK), -1);
  /* HDF5 failure: a directory that does not exist */
  ck_assert_int_eq(hs_sweepfile_create("/nonexistent_dir/x.h5", &l, &f, &err), HS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent_dir/x.h5: HDF5 H5Fcreate failed"));
  ck_assert_int_eq(hs_sweepfile_info(other, stdout, &err), HS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "H5Fopen"));
}
END_TEST

/* A write larger than chunk_runs is split; chunk_runs larger than n_runs is clamped. */
START_TEST(test_big_write_small_file) {
  char path[128];
  hs_sweep_layout l = make_layout(1, 0);
  hs_sweepfile *f = NULL;
  hs_error err;
  l.chunk_runs = 3;
  path_in(path, sizeof path, "split.h5");
  ck_assert_int_eq(hs_sweepfile_create(path, &l, &f, &err), 0);
  double params[NR * NP], metrics[NR * ND * NM], series[NR * ND * NS * NT];
  signed char st[NR];
  for (int i = 0; i < NR; i++) {
    st[i] = 0;
    for (int p = 0; p < NP; p++) params[i * NP + p] = param_v(i, p);
    for (int j = 0; j < ND * NM; j++) metrics[i * ND * NM + j] = 1.5 * i + j;
    for (int j = 0; j < ND * NS * NT; j++) series[i * ND * NS * NT + j] = 0.25 * i + j;
  }
  ck_assert_msg(hs_sweepfile_write(f, 0, NR, params, metrics, st, NULL, series, 0, &err) == 0,
                "%s", err.msg);
  ck_assert_int_eq(hs_sweepfile_close(f, 1, &err), 0);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double p[NR], s[NR * ND * NT];
  read_all(file, "tumor.perfusion", H5T_NATIVE_DOUBLE, p);
  read_all(file, "tumor", H5T_NATIVE_DOUBLE, s);
  for (int i = 0; i < NR; i++) ck_assert_double_eq(p[i], param_v(i, 0));
  /* run 9, drug 1, series 1 (tumor), time 4 */
  ck_assert_double_eq(s[(9 * ND + 1) * NT + 4], 0.25 * 9 + ((1 * NS + 1) * NT + 4));
  H5Fclose(file);
  l.chunk_runs = 64;
  path_in(path, sizeof path, "clamp.h5");
  make_file(path, &l, 0, 0);
}
END_TEST

/* ---- info --------------------------------------------------------------------------- */

static char *capture_info(const char *path) {
  char *buf = NULL;
  size_t len = 0;
  hs_error err;
  FILE *out = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(out);
  int rc = hs_sweepfile_info(path, out, &err);
  fclose(out);
  ck_assert_msg(rc == 0, "info: %s", err.msg);
  return buf;
}

START_TEST(test_info) {
  char path[128], line[256];
  hs_sweep_layout l = make_layout(1, 1);
  path_in(path, sizeof path, "info.h5");
  make_file(path, &l, NR, 1);
  char *s = capture_info(path);
  ck_assert_ptr_nonnull(strstr(s, "scenario: s1.yaml\n"));
  ck_assert_ptr_nonnull(strstr(s, "design: lhs, seed 12345678901234567\n"));
  ck_assert_ptr_nonnull(strstr(s, "runs: 10 done of 10 (1 failed)\n"));
  ck_assert_ptr_nonnull(strstr(s, "complete: yes\n"));
  /* liver.volume = 4.77 + 0.731 i over i = 0..9 */
  snprintf(line, sizeof line, "%-32s %-10s %14.6g %14.6g\n", "liver.volume", "L", param_v(0, 1),
           param_v(NR - 1, 1));
  ck_assert_msg(strstr(s, line) != NULL, "no '%s' in\n%s", line, s);
  /* cmax_tumor of cisplatin: run 7 is NaN, the others 2.74 + 0.2519 + 0.0193 i */
  snprintf(line, sizeof line, "%-32s %-16s %-10s %14.6g %14.6g %8d\n", "cmax_tumor",
           "cisplatin", "mg/L", metric_v(0, 1, 1), metric_v(9, 1, 1), 1);
  ck_assert_msg(strstr(s, line) != NULL, "no '%s' in\n%s", line, s);
  ck_assert_ptr_null(strstr(s, "\nplasma")); /* series are not listed */
  /* The quantiles of the same metric: nine values (run 7 is NaN) linear in the run, so
   * p (n - 1) = 8 p picks order statistics by hand: 5 % 0.4 of the way from run 0 to 1,
   * 25 % run 2, 50 % run 4, 75 % run 6, 95 % 0.6 of the way from run 8 to run 9. */
  double v0 = metric_v(0, 1, 1), v1 = metric_v(1, 1, 1), v8 = metric_v(8, 1, 1),
         v9 = metric_v(9, 1, 1);
  ck_assert_ptr_nonnull(strstr(s, "\nquantiles over the runs done (NaN left out; linear, as "
                                  "numpy.percentile)\n"));
  snprintf(line, sizeof line, "%-32s %-16s %-10s %12.6g %12.6g %12.6g %12.6g %12.6g\n",
           "cmax_tumor", "cisplatin", "mg/L", v0 + 0.4 * (v1 - v0), metric_v(2, 1, 1),
           metric_v(4, 1, 1), metric_v(6, 1, 1), v8 + 0.6 * (v9 - v8));
  ck_assert_msg(strstr(s, line) != NULL, "no '%s' in\n%s", line, s);
  free(s);
}
END_TEST

START_TEST(test_info_partial) {
  char path[128], line[256];
  hs_sweep_layout l = make_layout(0, 0);
  path_in(path, sizeof path, "info_part.h5");
  make_file(path, &l, CK, 0);
  char *s = capture_info(path);
  ck_assert_ptr_nonnull(strstr(s, "runs: 4 done of 10 (0 failed)\n"));
  ck_assert_ptr_nonnull(strstr(s, "complete: no\n"));
  snprintf(line, sizeof line, "%-32s %-10s %14.6g %14.6g\n", "tumor.perfusion", "1/h",
           param_v(0, 0), param_v(CK - 1, 0));
  ck_assert_msg(strstr(s, line) != NULL, "no '%s' in\n%s", line, s);
  free(s);
  path_in(path, sizeof path, "info_empty.h5");
  make_file(path, &l, 0, 0);
  s = capture_info(path);
  snprintf(line, sizeof line, "%-32s %-16s %-10s %14s %14s %8d\n", "auc_plasma", "doxorubicin",
           "mg*h/L", "-", "-", 0);
  ck_assert_msg(strstr(s, line) != NULL, "no '%s' in\n%s", line, s);
  free(s);
}
END_TEST

/* ---- a large file: fast, bounded memory ---------------------------------------------- */

static long max_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

START_TEST(test_large_create) {
  enum { NMET = 15, CHUNK = 1024 };
  const char *quick = getenv("HS_TEST_QUICK");
  int64_t n_runs = quick && quick[0] == '1' ? 10000 : 1000000;
  const char *mnames[NMET], *munits[NMET];
  char names[NMET][16], path[128];
  for (int k = 0; k < NMET; k++) {
    snprintf(names[k], sizeof names[k], "metric_%02d", k);
    mnames[k] = names[k];
    munits[k] = "mg/L";
  }
  hs_sweep_layout l = make_layout(0, 0);
  l.n_runs = n_runs, l.chunk_runs = CHUNK, l.n_drugs = 1, l.n_metrics = NMET;
  l.metric_names = mnames, l.metric_units = munits;
  path_in(path, sizeof path, "large.h5");
  hs_sweepfile *f = NULL;
  hs_error err;
  struct timespec t0, t1;
  long rss0 = max_rss_kib();
  /* CPU time, not wall time: a loaded machine slows the clock on the wall, not the work */
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  ck_assert_msg(hs_sweepfile_create(path, &l, &f, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(hs_sweepfile_close(f, 0, &err), 0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  long grown = max_rss_kib() - rss0;
  ck_assert_msg(s < 2.0, "creating %lld runs took %.2f s of CPU", (long long)n_runs, s);
  ck_assert_msg(grown < 100 * 1024, "peak RSS grew by %ld KiB", grown);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  int64_t last = -1;
  hid_t ds = H5Dopen2(file, "run", H5P_DEFAULT), sp = H5Dget_space(ds);
  hsize_t at = (hsize_t)n_runs - 1, one = 1;
  hid_t ms = H5Screate_simple(1, &one, NULL);
  H5Sselect_hyperslab(sp, H5S_SELECT_SET, &at, NULL, &one, NULL);
  ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_INT64, ms, sp, H5P_DEFAULT, &last), 0);
  ck_assert_int_eq(last, n_runs - 1);
  H5Sclose(ms), H5Sclose(sp), H5Dclose(ds), H5Fclose(file);
}
END_TEST

Suite *hs_suite_sweepfile(void) {
  Suite *s = suite_create("sweepfile");
  TCase *tc = tcase_create("sweepfile");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_scalars_roundtrip);
  tcase_add_test(tc, test_series_float32);
  tcase_add_test(tc, test_series_float64);
  tcase_add_test(tc, test_fill_values);
  tcase_add_test(tc, test_resume_continues);
  tcase_add_test(tc, test_stopped_create_resumes);
  tcase_add_test(tc, test_resume_refusals);
  tcase_add_test(tc, test_resume_refuses_series_changes);
  tcase_add_test(tc, test_resume_refuses_files);
  tcase_add_test(tc, test_input_errors);
  tcase_add_test(tc, test_big_write_small_file);
  tcase_add_test(tc, test_info);
  tcase_add_test(tc, test_info_partial);
  tcase_add_test(tc, test_large_create);
  suite_add_tcase(s, tc);
  return s;
}
