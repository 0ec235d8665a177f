/* check_sweep.c - the sweep engine through the CLI (OpenMP stays out of the Check
 * process): thread-count independence, interrupt and resume, invalid runs, refusals. */
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_sweepfile.h"
#include "hs_test.h"

#define LHS "fixtures/sweep/lhs.yaml"
#define LONG "fixtures/sweep/long.yaml"
#define INVALID "fixtures/sweep/invalid.yaml"

static const char *bin(void) {
  const char *b = getenv("HS_BIN");
  return b && *b ? b : "../build/hepatosim";
}

/* Run the binary with args (NULL-terminated); after kill_ms > 0 send sig. Returns the
 * exit status, or 128 + signal when killed. stderr goes to err_path when not NULL. */
static int run(const char *const *args, int kill_ms, int sig, const char *err_path) {
  const char *argv[24] = {bin()};
  int n = 1;
  for (; args[n - 1] && n < 23; n++) argv[n] = args[n - 1];
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(err_path ? err_path : "/dev/null", "w", stderr) == NULL) _exit(126);
    if (freopen("/dev/null", "w", stdout) == NULL) _exit(126);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  if (kill_ms > 0) {
    struct timespec ts = {kill_ms / 1000, (long)(kill_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, sig);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char dir[64];

static void mkroot(void) {
  snprintf(dir, sizeof dir, "/tmp/hs_sweep_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rmroot(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* dir/name; a ring of 32 buffers, more than any test holds at once. */
static const char *path(const char *name) {
  static char buf[32][160];
  static int i;
  i = (i + 1) % 32;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* ---- comparing two sweep files dataset by dataset, bit for bit ------------------------ */

typedef struct cmp_ctx {
  hid_t other;
  int n, differ;
  char first[128];
} cmp_ctx;

static int same_strings(hid_t a, hid_t b, hsize_t n) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  char **x = calloc(n, sizeof *x), **y = calloc(n, sizeof *y);
  int same = H5Dread(a, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
             H5Dread(b, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0;
  for (hsize_t i = 0; same && i < n; i++) same = !strcmp(x[i] ? x[i] : "", y[i] ? y[i] : "");
  for (hsize_t i = 0; i < n; i++) free(x[i]), free(y[i]); /* libc malloc'd by HDF5 */
  free(x), free(y);
  H5Tclose(t);
  return same;
}

static int same_bytes(hid_t a, hid_t b, hsize_t n) {
  hid_t ft = H5Dget_type(a), mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
  size_t sz = H5Tget_size(mt);
  char *x = malloc(n * sz), *y = malloc(n * sz);
  int same = H5Dread(a, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
             H5Dread(b, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0 && !memcmp(x, y, n * sz);
  free(x), free(y);
  H5Tclose(mt), H5Tclose(ft);
  return same;
}

static herr_t cmp_one(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  (void)info;
  cmp_ctx *c = op;
  hid_t a = H5Dopen2(g, name, H5P_DEFAULT), b = H5Dopen2(c->other, name, H5P_DEFAULT);
  int same = 0;
  if (a >= 0 && b >= 0) {
    hid_t sa = H5Dget_space(a), sb = H5Dget_space(b), ft = H5Dget_type(a);
    hssize_t n = H5Sget_simple_extent_npoints(sa);
    same = n == H5Sget_simple_extent_npoints(sb) &&
           (H5Tis_variable_str(ft) > 0 ? same_strings(a, b, (hsize_t)n) : same_bytes(a, b, (hsize_t)n));
    H5Sclose(sa), H5Sclose(sb), H5Tclose(ft);
  }
  if (a >= 0) H5Dclose(a);
  if (b >= 0) H5Dclose(b);
  c->n++;
  if (!same && !c->differ++) snprintf(c->first, sizeof c->first, "%s", name);
  return 0;
}

/* Every dataset of a equals b's (and they have as many). */
static void assert_same_datasets(const char *fa, const char *fb) {
  hid_t a = H5Fopen(fa, H5F_ACC_RDONLY, H5P_DEFAULT), b = H5Fopen(fb, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_msg(a >= 0 && b >= 0, "cannot open %s or %s", fa, fb);
  cmp_ctx c = {.other = b};
  hsize_t idx = 0;
  H5Literate(a, H5_INDEX_NAME, H5_ITER_INC, &idx, cmp_one, &c);
  H5G_info_t ia, ib;
  H5Gget_info(a, &ia), H5Gget_info(b, &ib);
  H5Fclose(a), H5Fclose(b);
  ck_assert_msg(c.n > 10 && ia.nlinks == ib.nlinks, "%d datasets vs %llu links", c.n,
                (unsigned long long)ib.nlinks);
  ck_assert_msg(c.differ == 0, "%d datasets differ between %s and %s, first '%s'", c.differ, fa,
                fb, c.first);
}

static double read_attr_i64(const char *file, const char *name) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  long long v = -1;
  H5Aread(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a), H5Fclose(f);
  return (double)v;
}

/* ---- tests ------------------------------------------------------------------------- */

/* -j 1, -j 2 and -j 16 give identical datasets; the file is complete and renamed. */
START_TEST(test_thread_count_independent) {
  mkroot();
  const char *a = path("j1.h5"), *b = path("j2.h5"), *c = path("j16.h5");
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", a, "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", b, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", c, "-j", "16", "--quiet", NULL}, 0, 0, NULL), 0);
  assert_same_datasets(a, b);
  assert_same_datasets(a, c);
  ck_assert_double_eq(read_attr_i64(a, "runs_done"), 300);
  ck_assert_double_eq(read_attr_i64(a, "runs_failed"), 0);
  ck_assert(!exists(path("j1.h5.partial")));
  rmroot();
}
END_TEST

/* Interrupted by SIGTERM (exit 143, partial file kept) or SIGKILL, then resumed with
 * another thread count: the result equals an uninterrupted sweep. */
START_TEST(test_interrupt_and_resume) {
  int sig = _i == 0 ? SIGTERM : SIGKILL;
  mkroot();
  const char *ref = path("ref.h5"), *out = path("out.h5"), *log = path("log.txt");
  ck_assert_int_eq(run((const char *[]){"sweep", LONG, "-o", ref, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  int st = run((const char *[]){"sweep", LONG, "-o", out, "-j", "2", NULL}, 700, sig, log);
  ck_assert_int_eq(st, 128 + sig);
  ck_assert_msg(exists(path("out.h5.partial")) && !exists(out), "no partial file left");
  if (sig == SIGTERM) {
    FILE *f = fopen(log, "r");
    char text[4096] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(text, "--resume"), "no resume hint in: %s", text);
  }
  double done = read_attr_i64(path("out.h5.partial"), "runs_done");
  ck_assert_msg(done < 6000, "the sweep was not interrupted (%g runs done)", done);
  ck_assert_int_eq(run((const char *[]){"sweep", LONG, "-o", out, "-j", "1", "--resume", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert(!exists(path("out.h5.partial")));
  assert_same_datasets(ref, out);
  rmroot();
}
END_TEST

/* Runs whose sampled parameters break a flow constraint carry status 1 and the reason;
 * the others equal a single simulation with the same values. */
START_TEST(test_invalid_runs_recorded) {
  mkroot();
  const char *out = path("inv.h5");
  ck_assert_int_eq(run((const char *[]){"sweep", INVALID, "-o", out, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
  double vt[20], pt[20], auc[20];
  signed char status[20];
  hid_t d;
  d = H5Dopen2(f, "tumor.volume", H5P_DEFAULT), H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, vt), H5Dclose(d);
  d = H5Dopen2(f, "tumor.perfusion", H5P_DEFAULT), H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, pt), H5Dclose(d);
  d = H5Dopen2(f, "auc_tumor", H5P_DEFAULT), H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, auc), H5Dclose(d);
  d = H5Dopen2(f, "status", H5P_DEFAULT), H5Dread(d, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, status), H5Dclose(d);
  H5Fclose(f);
  hs_scenario sc;
  hs_error err;
  ck_assert_int_eq(hs_scenario_load(&sc, INVALID, NULL, &err), HS_OK);
  hs_solver *s = hs_solver_create(&err);
  int invalid = 0;
  for (int r = 0; r < 20; r++) {
    double q_la = 0.25 * 90 - 0.9 * pt[r] * vt[r]; /* model.md: Q_LA = f_HA Q_H - f_TA p_T V_T */
    ck_assert_int_eq(status[r], q_la > 0 ? HS_RUN_OK : HS_RUN_INVALID);
    invalid += q_la <= 0;
    if (q_la <= 0) {
      ck_assert(isnan(auc[r]));
      continue;
    }
    sc.phys.v_t = vt[r], sc.phys.p_t = pt[r];
    hs_dose doses[4];
    hs_metrics m;
    ck_assert_int_eq(hs_simulate_metrics(s, &sc, doses, 4, &m, NULL, &err), HS_OK);
    ck_assert_double_eq(auc[r], m.auc_tumor); /* bit for bit: the same computation */
  }
  ck_assert_int_eq(invalid, 7);
  ck_assert_double_eq(read_attr_i64(out, "runs_failed"), 7);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  rmroot();
}
END_TEST

/* Refusals: an existing result without --force, nothing to resume, a changed scenario. */
START_TEST(test_refusals) {
  mkroot();
  const char *out = path("r.h5"), *log = path("log.txt"), *changed = path("changed.yaml");
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", out, "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", out, "--quiet", NULL}, 0, 0, log), 2);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", out, "--resume", NULL}, 0, 0, log), 2);
  ck_assert_int_eq(run((const char *[]){"sweep", LONG, "-o", path("p.h5"), "-j", "1", NULL}, 300, SIGTERM, NULL), 128 + SIGTERM);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "sed 's/seed: 20261126/seed: 7/' %s > %s", LONG, changed);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", changed, "-o", path("p.h5"), "--resume", NULL}, 0, 0, log), 2);
  FILE *f = fopen(log, "r");
  char text[2048] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  ck_assert_msg(strstr(text, "cannot be resumed safely"), "got: %s", text);
  rmroot();
}
END_TEST

Suite *hs_suite_sweep(void) {
  Suite *s = suite_create("sweep");
  TCase *tc = tcase_create("engine");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_thread_count_independent);
  tcase_add_loop_test(tc, test_interrupt_and_resume, 0, 2);
  tcase_add_test(tc, test_invalid_runs_recorded);
  tcase_add_test(tc, test_refusals);
  suite_add_tcase(s, tc);
  return s;
}
