/* check_output.c - HDF5, CSV, JSON and table output on a small synthetic result.
 *
 * Two drugs, five output times, "high-entropy" values; the HDF5 file is read back with
 * the HDF5 C API (values, units, dimension scales, provenance). Every test works in its
 * own mkdtemp directory under /tmp, removed afterwards. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "hs_output.h"
#include "hs_test.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define NT 5
#define NVAR 14 /* t and the thirteen time courses */
#define DEPOT_VAR 8 /* its index among them */

typedef struct fixture {
  double data[2][NVAR][NT];
  hs_drug_result drugs[2];
  hs_results res;
  hs_scenario sc;
  char path[32], text[64];
} fixture;

static char tmpdir[64];

/* Value k of time course j of drug i: distinct everywhere, nothing cancels. */
static double value(int i, int j, int k) {
  if (j == 0) return 0.375 * k;
  return 2.385 * (j + 1) + 0.731 * k + 1.0e-3 * k * k + 17.29 * i;
}

static void fill_trace(fixture *fx, int i) {
  hs_trace *tr = &fx->drugs[i].trace;
  double **slots[NVAR] = {&tr->t,    &tr->plasma,         &tr->blood,
                          &tr->liver, &tr->tumor,         &tr->tumor_venous,
                          &tr->hepatic_artery, &tr->portal_vein, &tr->depot,
                          &tr->hepatic_vein, &tr->trapped_liver, &tr->trapped_tumor,
                          &tr->bound_liver, &tr->bound_tumor};
  tr->cap = tr->n = NT;
  for (int j = 0; j < NVAR; j++) {
    for (int k = 0; k < NT; k++) fx->data[i][j][k] = value(i, j, k);
    *slots[j] = fx->data[i][j];
  }
}

static void fill_metrics(hs_metrics *m, int i, int has_iv) {
  int nf;
  const hs_metric_field *f = hs_metric_fields(&nf);
  for (int k = 0; k < nf; k++)
    *(double *)((char *)m + f[k].offset) = 2.385 * (k + 1) + 0.5 * i;
  if (!has_iv) m->regional_advantage = m->auc_plasma_iv = m->auc_tumor_iv = NAN;
}

/* doxorubicin with an IV comparator, cisplatin without (and with no depot trace). */
static void make_results(fixture *fx) {
  memset(fx, 0, sizeof *fx);
  const char *names[2] = {"doxorubicin", "cisplatin"};
  for (int i = 0; i < 2; i++) {
    snprintf(fx->drugs[i].name, sizeof fx->drugs[i].name, "%s", names[i]);
    fx->drugs[i].has_iv = i == 0;
    fill_trace(fx, i);
    fill_metrics(&fx->drugs[i].metrics, i, i == 0);
  }
  fx->drugs[1].trace.depot = NULL;
  fx->res.drugs = fx->drugs;
  fx->res.n = 2;
  snprintf(fx->path, sizeof fx->path, "s1.yaml");
  snprintf(fx->text, sizeof fx->text, "# scenario\nsimulation: {t_end: 24 h}\n");
  fx->sc.path = fx->path;
  fx->sc.text = fx->text;
  fx->sc.sim.rtol = 1.25e-8;
  fx->sc.sim.atol = 3.5e-10;
  fx->sc.sim.t_end = 24;
  fx->sc.sim.dt_out = 0.375;
  fx->sc.iv_comparator = 1;
}

/* ---- temporary directory ------------------------------------------------------------ */

static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[512];
  struct stat st;
  if (!d) return;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      rm_tree(p);
    else
      unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/hs_check_output_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { rm_tree(tmpdir); }

/* Number of entries of dir whose name contains ".tmp". */
static int count_tmp(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".tmp")) n++;
  closedir(d);
  return n;
}

/* Whole file, malloc'ed and NUL-terminated; *len its size. */
static char *slurp(const char *path, long *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  ck_assert_ptr_nonnull(buf);
  ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
  buf[n] = '\0';
  fclose(f);
  if (len) *len = n;
  return buf;
}

/* ---- HDF5 read-back helpers --------------------------------------------------------- */

static void read_doubles(hid_t file, const char *name, double *out, hsize_t n) {
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  ck_assert_msg(ds >= 0, "no dataset %s", name);
  hid_t space = H5Dget_space(ds);
  hsize_t dim = 0;
  ck_assert_int_eq(H5Sget_simple_extent_ndims(space), 1);
  H5Sget_simple_extent_dims(space, &dim, NULL);
  ck_assert_int_eq((int)dim, (int)n);
  ck_assert_int_ge(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
  H5Sclose(space);
  H5Dclose(ds);
}

/* A variable-length string attribute of object obj, compared with expect. */
static void check_str_attr(hid_t file, const char *obj, const char *name, const char *expect) {
  hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_msg(a >= 0, "no attribute %s on %s", name, obj);
  hid_t ft = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
  ck_assert_int_gt(H5Tis_variable_str(ft), 0);
  ck_assert_int_eq(H5Tget_cset(ft), H5T_CSET_UTF8);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5T_CSET_UTF8);
  char *s = NULL;
  ck_assert_int_ge(H5Aread(a, mt, &s), 0);
  ck_assert_str_eq(s, expect);
  H5free_memory(s);
  H5Tclose(mt);
  H5Tclose(ft);
  H5Aclose(a);
}

static double read_double_attr(hid_t file, const char *name) {
  double v = NAN;
  hid_t a = H5Aopen(file, name, H5P_DEFAULT);
  ck_assert_msg(a >= 0, "no root attribute %s", name);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
  H5Aclose(a);
  return v;
}

/* dim is a dimension scale and attached to dimension 0 of var. */
static void check_scale(hid_t file, const char *var, const char *dim) {
  hid_t v = H5Dopen2(file, var, H5P_DEFAULT), d = H5Dopen2(file, dim, H5P_DEFAULT);
  ck_assert(v >= 0 && d >= 0);
  ck_assert_int_gt(H5DSis_scale(d), 0);
  ck_assert_msg(H5DSis_attached(v, d, 0) > 0, "%s not attached to %s", dim, var);
  H5Dclose(d);
  H5Dclose(v);
}

static void h5_path(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* ---- HDF5 --------------------------------------------------------------------------- */

START_TEST(test_h5_values) {
  fixture fx;
  hs_error err = {0};
  char path[128];
  double buf[NT], sum[2];
  make_results(&fx);
  h5_path(path, sizeof path, "out.h5");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  read_doubles(f, "/drugs/doxorubicin/plasma", buf, NT);
  for (int k = 0; k < NT; k++) ck_assert(buf[k] == value(0, 1, k));
  read_doubles(f, "/drugs/cisplatin/time", buf, NT);
  for (int k = 0; k < NT; k++) ck_assert(buf[k] == value(1, 0, k));
  read_doubles(f, "/summary/auc_plasma", sum, 2);
  ck_assert(sum[0] == fx.drugs[0].metrics.auc_plasma && sum[1] == fx.drugs[1].metrics.auc_plasma);
  read_doubles(f, "/summary/regional_advantage", sum, 2);
  ck_assert(sum[0] == fx.drugs[0].metrics.regional_advantage && isnan(sum[1]));
  ck_assert_int_eq(H5Lexists(f, "/drugs/cisplatin/depot", H5P_DEFAULT), 0);
  ck_assert_int_gt(H5Lexists(f, "/drugs/doxorubicin/depot", H5P_DEFAULT), 0);
  H5Fclose(f);
}
END_TEST

START_TEST(test_h5_attributes) {
  fixture fx;
  hs_error err = {0};
  char path[128];
  make_results(&fx);
  h5_path(path, sizeof path, "out.h5");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  check_str_attr(f, "/drugs/doxorubicin/time", "units", "h");
  check_str_attr(f, "/drugs/doxorubicin/plasma", "units", "mg/L");
  check_str_attr(f, "/drugs/doxorubicin/depot", "units", "mg");
  check_str_attr(f, "/summary/auc_plasma", "units", "mg*h/L");
  check_str_attr(f, "/", "scenario_text", fx.text);
  check_str_attr(f, "/", "scenario_path", "s1.yaml");
  check_str_attr(f, "/", "program_version", HS_VERSION);
  ck_assert(read_double_attr(f, "rtol") == 1.25e-8);
  ck_assert(read_double_attr(f, "dt_out_h") == 0.375);
  check_scale(f, "/drugs/doxorubicin/plasma", "/drugs/doxorubicin/time");
  check_scale(f, "/drugs/cisplatin/portal_vein", "/drugs/cisplatin/time");
  check_scale(f, "/summary/auc_plasma", "/summary/drug");
  check_scale(f, "/summary/auc_tumor_iv", "/summary/drug");
  H5Fclose(f);
}
END_TEST

START_TEST(test_h5_force) {
  fixture fx;
  hs_error err = {0};
  char path[128];
  long n0, n1;
  make_results(&fx);
  h5_path(path, sizeof path, "out.h5");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_OK);
  char *before = slurp(path, &n0);
  fx.drugs[0].metrics.auc_plasma = 99.5;
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_EEXIST);
  ck_assert_ptr_nonnull(strstr(err.msg, "exists; use --force to overwrite"));
  ck_assert_ptr_nonnull(strstr(err.msg, path));
  char *after = slurp(path, &n1);
  ck_assert(n0 == n1 && memcmp(before, after, (size_t)n0) == 0);
  ck_assert_int_eq(hs_output_h5(path, 1, &fx.sc, &fx.res, &err), HS_OK);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double sum[2];
  read_doubles(f, "/summary/auc_plasma", sum, 2);
  ck_assert(sum[0] == 99.5);
  H5Fclose(f);
  ck_assert_int_eq(count_tmp(tmpdir), 0);
  free(before);
  free(after);
}
END_TEST

START_TEST(test_h5_errors) {
  fixture fx;
  hs_error err = {0};
  char path[128];
  make_results(&fx);
  h5_path(path, sizeof path, "missing/out.h5");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, path));
  ck_assert_ptr_nonnull(strstr(err.msg, "H5Fcreate"));
  /* two drugs of one name: the second group cannot be created */
  snprintf(fx.drugs[1].name, sizeof fx.drugs[1].name, "doxorubicin");
  h5_path(path, sizeof path, "dup.h5");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "H5Gcreate2 '/drugs/doxorubicin'"));
  ck_assert_int_eq(access(path, F_OK), -1);
  ck_assert_int_eq(count_tmp(tmpdir), 0);
  snprintf(fx.drugs[1].name, sizeof fx.drugs[1].name, "a/b");
  ck_assert_int_eq(hs_output_h5(path, 0, &fx.sc, &fx.res, &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "'a/b'"));
}
END_TEST

/* ---- CSV ---------------------------------------------------------------------------- */

static void check_line(const char *text, int line, const char *expect) {
  const char *p = text;
  for (int i = 0; i < line && p; i++) p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
  ck_assert_ptr_nonnull(p);
  size_t n = strcspn(p, "\n");
  ck_assert_msg(strlen(expect) == n && !strncmp(p, expect, n), "line %d: '%.*s' != '%s'", line,
                (int)n, p, expect);
}

/* Row k of drug i's CSV as hs_output_csv should write it. */
static void expected_row(const fixture *fx, int i, int k, char *buf, size_t len) {
  size_t o = 0;
  for (int j = 0; j < NVAR; j++) {
    o += (size_t)snprintf(buf + o, len - o, "%s", j ? "," : "");
    if (j != DEPOT_VAR || fx->drugs[i].trace.depot)
      o += (size_t)snprintf(buf + o, len - o, "%.10g", value(i, j, k));
  }
}

START_TEST(test_csv) {
  fixture fx;
  hs_error err = {0};
  char dir[128], p[192], row[512];
  make_results(&fx);
  snprintf(dir, sizeof dir, "%s/csv/run1", tmpdir);
  ck_assert_int_eq(hs_output_csv(dir, 0, &fx.res, &err), HS_OK);
  snprintf(p, sizeof p, "%s/doxorubicin.csv", dir);
  char *text = slurp(p, NULL);
  check_line(text, 0, "time_h,plasma_mg_per_L,blood_mg_per_L,liver_mg_per_L,tumor_mg_per_L,"
                      "tumor_venous_mg_per_L,hepatic_artery_mg_per_L,portal_vein_mg_per_L,"
                      "depot_mg,hepatic_vein_mg_per_L,trapped_liver_mg,trapped_tumor_mg,"
                      "bound_liver_mg,bound_tumor_mg");
  expected_row(&fx, 0, 3, row, sizeof row);
  check_line(text, 4, row);
  free(text);
  snprintf(p, sizeof p, "%s/cisplatin.csv", dir);
  text = slurp(p, NULL);
  expected_row(&fx, 1, 2, row, sizeof row);
  check_line(text, 3, row); /* depot not recorded: an empty column */
  ck_assert_ptr_nonnull(strstr(row, ",,"));
  free(text);
  snprintf(p, sizeof p, "%s/summary.csv", dir);
  text = slurp(p, NULL);
  ck_assert_int_eq(strncmp(text, "drug,auc_plasma,auc_tumor,auc_liver,", 36), 0);
  int nf;
  const hs_metric_field *f = hs_metric_fields(&nf);
  for (int k = 0; k < nf; k++) ck_assert_ptr_nonnull(strstr(text, f[k].name));
  snprintf(row, sizeof row, "doxorubicin,%.10g,", fx.drugs[0].metrics.auc_plasma);
  ck_assert_ptr_nonnull(strstr(text, row));
  ck_assert_ptr_nonnull(strstr(text, ",nan,nan,nan,")); /* cisplatin's IV metrics */
  free(text);
  ck_assert_int_eq(count_tmp(dir), 0);
}
END_TEST

START_TEST(test_csv_force) {
  fixture fx;
  hs_error err = {0};
  char dir[128], p[192];
  make_results(&fx);
  snprintf(dir, sizeof dir, "%s/csv", tmpdir);
  ck_assert_int_eq(hs_output_csv(dir, 0, &fx.res, &err), HS_OK);
  /* some targets exist: nothing at all is written */
  snprintf(p, sizeof p, "%s/doxorubicin.csv", dir);
  ck_assert_int_eq(unlink(p), 0);
  ck_assert_int_eq(hs_output_csv(dir, 0, &fx.res, &err), HS_EEXIST);
  ck_assert_ptr_nonnull(strstr(err.msg, ".csv exists; use --force to overwrite"));
  ck_assert_int_eq(access(p, F_OK), -1);
  ck_assert_int_eq(hs_output_csv(dir, 1, &fx.res, &err), HS_OK);
  ck_assert_int_eq(access(p, F_OK), 0);
  ck_assert_int_eq(count_tmp(dir), 0);
  /* a file where the directory should be */
  snprintf(p, sizeof p, "%s/doxorubicin.csv/sub", dir);
  ck_assert_int_eq(hs_output_csv(p, 1, &fx.res, &err), HS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "not a directory"));
}
END_TEST

/* ---- JSON and table ----------------------------------------------------------------- */

/* Everything written to the temporary file f, malloc'ed; closes f. */
static char *read_back(FILE *f) {
  long n = ftell(f);
  ck_assert_int_ge(n, 0);
  char *buf = malloc((size_t)n + 1);
  ck_assert_ptr_nonnull(buf);
  rewind(f);
  ck_assert_int_eq((long)fread(buf, 1, (size_t)n, f), n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static char *capture_json(const hs_results *res) {
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  hs_output_json(f, res);
  return read_back(f);
}

START_TEST(test_json) {
  fixture fx;
  char want[128];
  make_results(&fx);
  fx.drugs[1].metrics.tmax_tumor = NAN;
  fx.drugs[1].metrics.cmax_tumor = INFINITY;
  snprintf(fx.drugs[1].name, sizeof fx.drugs[1].name, "cis\"platin\\");
  char *s = capture_json(&fx.res);
  snprintf(want, sizeof want,
           "{\n  \"drugs\": {\n    \"doxorubicin\": {\n      \"auc_plasma\": %.10g,\n",
           fx.drugs[0].metrics.auc_plasma);
  ck_assert_int_eq(strncmp(s, want, strlen(want)), 0);
  char *second = strstr(s, "\"cis\\\"platin\\\\\": {");
  ck_assert_ptr_nonnull(second);
  char *ra = strstr(s, "\"regional_advantage\": ");
  ck_assert(ra != NULL && ra < second); /* only the drug with an IV comparator */
  ck_assert_ptr_null(strstr(second, "regional_advantage"));
  ck_assert_ptr_null(strstr(second, "auc_plasma_iv"));
  ck_assert_ptr_nonnull(strstr(second, "\"tmax_tumor\": null,"));
  ck_assert_ptr_nonnull(strstr(second, "\"cmax_tumor\": null,"));
  ck_assert_ptr_nonnull(strstr(second, "\"dosed_mg\": "));
  ck_assert_ptr_null(strstr(s, "nan"));
  const char *end = "\n    }\n  }\n}\n";
  ck_assert_str_eq(s + strlen(s) - strlen(end), end);
  free(s);
  fx.res.n = 0;
  s = capture_json(&fx.res);
  ck_assert_str_eq(s, "{\n  \"drugs\": {}\n}\n");
  free(s);
}
END_TEST

static char *capture_table(const hs_scenario *sc, const hs_results *res) {
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  hs_output_table(f, sc, res);
  return read_back(f);
}

START_TEST(test_table) {
  fixture fx;
  int nf;
  const hs_metric_field *f = hs_metric_fields(&nf);
  make_results(&fx);
  snprintf(fx.sc.description, sizeof fx.sc.description, "two drugs");
  char *s = capture_table(&fx.sc, &fx.res);
  ck_assert_int_eq(strncmp(s, "scenario: s1.yaml\ndescription: two drugs\n", 41), 0);
  for (int k = 0; k < nf; k++) ck_assert_ptr_nonnull(strstr(s, f[k].name));
  ck_assert_ptr_nonnull(strstr(s, "cisplatin"));
  for (char *l = s; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != '\0'))
    ck_assert_int_lt((int)strcspn(l, "\n"), 100);
  char *ra = strstr(s, "regional_advantage");
  ck_assert_int_eq(ra[strcspn(ra, "\n") - 1], '-'); /* cisplatin has no IV comparator */
  free(s);
  fx.drugs[0].has_iv = 0;
  s = capture_table(&fx.sc, &fx.res);
  ck_assert_ptr_null(strstr(s, "regional_advantage"));
  ck_assert_ptr_null(strstr(s, "auc_tumor_iv"));
  ck_assert_ptr_nonnull(strstr(s, "mass_balance_error"));
  free(s);
}
END_TEST

/* ---- the table of output formats ----------------------------------------------------- */

/* The options of `run` that are not output formats. */
static const char *const RUN_OWN[] = {"--force", "--data", "-h", "--help"};

/* Every row is complete and every option is unique: `run` can parse, check, write and
 * report each from its row alone. */
START_TEST(test_formats_rows) {
  int n, n_default = 0;
  const hs_output_format *f = hs_output_formats(&n);
  ck_assert(n >= 4 && n <= HS_OUTPUT_MAX_FORMATS);
  for (int i = 0; i < n; i++) {
    ck_assert_ptr_nonnull(f[i].write);
    ck_assert_msg(!f[i].arg == !f[i].file, "row %d: a destination lists its files", i);
    ck_assert_msg(!f[i].arg == !f[i].wrote, "row %d: a destination is reported", i);
    ck_assert_msg(!(f[i].arg && f[i].to_stdout), "row %d: a file or stdout", i);
    if (!f[i].option) { /* the default summary */
      ck_assert(f[i].to_stdout && !f[i].short_option && !f[i].arg);
      n_default++;
      continue;
    }
    ck_assert_msg(!strncmp(f[i].option, "--", 2), "%s", f[i].option);
    ck_assert_msg(!f[i].short_option || (f[i].short_option[0] == '-' &&
                                         strlen(f[i].short_option) == 2), "%s", f[i].option);
    ck_assert_msg(f[i].help && f[i].help[0] && !strchr(f[i].help, '\n'), "%s", f[i].option);
    const char *mine[2] = {f[i].option, f[i].short_option};
    for (int m = 0; m < 2 && mine[m]; m++) {
      for (size_t r = 0; r < sizeof RUN_OWN / sizeof RUN_OWN[0]; r++)
        ck_assert_str_ne(mine[m], RUN_OWN[r]);
      for (int j = 0; j < i; j++)
        ck_assert_msg(!(f[j].option && !strcmp(mine[m], f[j].option)) &&
                          !(f[j].short_option && !strcmp(mine[m], f[j].short_option)),
                      "%s twice", mine[m]);
    }
  }
  ck_assert_int_eq(n_default, 1);
}
END_TEST

/* The regular files under dir (recursively), appended to out[*n]. */
static void find_files(const char *dir, char out[][256], int *n, int cap) {
  DIR *d = opendir(dir);
  struct dirent *e;
  struct stat st;
  char p[256];
  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    ck_assert_int_eq(lstat(p, &st), 0);
    if (S_ISDIR(st.st_mode)) {
      find_files(p, out, n, cap);
    } else {
      ck_assert_int_lt(*n, cap);
      snprintf(out[(*n)++], 256, "%s", p);
    }
  }
  closedir(d);
}

/* The files format f lists at dest for sc into out; their count. */
static int listed_files(const hs_output_format *f, const char *dest, const hs_scenario *sc,
                        char out[][256], int cap) {
  int n = 0;
  while (n < cap && f->file(dest, sc, n, out[n], 256)) n++;
  return n;
}

static int among(const char *p, char list[][256], int n) {
  for (int i = 0; i < n; i++)
    if (!strcmp(p, list[i])) return 1;
  return 0;
}

/* Each format that writes files writes exactly the files it lists, and the --force check
 * (hs_output_refuse_existing) refuses each of them alone; the writer keeps it. */
START_TEST(test_formats_files) {
  int n;
  const hs_output_format *f = &hs_output_formats(&n)[_i];
  if (!f->file) return;
  fixture fx;
  hs_error err = {0};
  hs_scenario_drug sd[2];
  char dest[128], want[8][256], got[8][256], none[8][256];
  make_results(&fx);
  memset(sd, 0, sizeof sd);
  for (int i = 0; i < 2; i++) { /* valid parameters: run files store the resolved model */
    snprintf(sd[i].name, sizeof sd[i].name, "%s", fx.drugs[i].name);
    sd[i].parent = -1;
    sd[i].drug = (hs_drug){.bp = 1, .kp_g = 1, .kp_l = 1, .kp_t = 1, .kp_r = 1,
                           .hepatic = {HS_ELIM_LINEAR, 50, 0, 0}};
  }
  fx.sc.phys = (hs_physiology){.q_co = 336, .q_h = 90, .f_ha = 0.25, .v_b = 5, .v_g = 1.5,
                               .v_l = 1.8, .v_r = 40, .v_t = 0.1, .p_t = 24, .f_ta = 0.9};
  fx.sc.drugs = sd;
  fx.sc.n_drugs = 2;
  snprintf(dest, sizeof dest, "%s/dest", tmpdir);
  int nw = listed_files(f, dest, &fx.sc, want, 8), ng = 0;
  ck_assert_int_ge(nw, 1);
  int nn = listed_files(f, dest, NULL, none, 8); /* before the scenario: a subset */
  for (int i = 0; i < nn; i++) ck_assert_msg(among(none[i], want, nw), "%s", none[i]);
  ck_assert_int_eq(hs_output_refuse_existing(f, dest, &fx.sc, &err), HS_OK);
  ck_assert_msg(f->write(dest, 0, &fx.sc, &fx.res, NULL, &err) == HS_OK, "%s", err.msg);
  find_files(tmpdir, got, &ng, 8);
  ck_assert_int_eq(ng, nw);
  for (int i = 0; i < ng; i++) ck_assert_msg(among(got[i], want, nw), "%s not listed", got[i]);
  for (int k = 0; k < nw; k++) { /* only file k exists */
    for (int i = 0; i < nw; i++) unlink(want[i]);
    FILE *s = fopen(want[k], "w");
    ck_assert_ptr_nonnull(s);
    fputs("kept", s);
    fclose(s);
    ck_assert_int_eq(hs_output_refuse_existing(f, dest, &fx.sc, &err), HS_EEXIST);
    char msg[300];
    snprintf(msg, sizeof msg, "%s exists; use --force to overwrite", want[k]);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_int_eq(f->write(dest, 0, &fx.sc, &fx.res, NULL, &err), HS_EEXIST);
    char *kept = slurp(want[k], NULL);
    ck_assert_str_eq(kept, "kept");
    free(kept);
    ng = 0;
    find_files(tmpdir, got, &ng, 8);
    ck_assert_int_eq(ng, 1); /* nothing else written either */
  }
}
END_TEST

Suite *hs_suite_output(void) {
  Suite *s = suite_create("output");
  TCase *tc = tcase_create("output");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_h5_values);
  tcase_add_test(tc, test_h5_attributes);
  tcase_add_test(tc, test_h5_force);
  tcase_add_test(tc, test_h5_errors);
  tcase_add_test(tc, test_csv);
  tcase_add_test(tc, test_csv_force);
  tcase_add_test(tc, test_json);
  tcase_add_test(tc, test_table);
  tcase_add_test(tc, test_formats_rows);
  int n;
  hs_output_formats(&n);
  tcase_add_loop_test(tc, test_formats_files, 0, n);
  suite_add_tcase(s, tc);
  return s;
}
