/* check_shard.c - job-array shards (`sweep --shard K/N`) and `hepatosim merge`, through the
 * CLI binary ($HS_BIN or ../build/hepatosim; OpenMP stays out of the Check process): the
 * merge of shards equals the unsharded sweep bit for bit; missing, doubled, foreign and
 * unfinished shards and an existing output are refused; an interrupted shard resumes. */
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_test.h"

#define LHS "fixtures/sweep/lhs.yaml"   /* 300 runs in chunks of 32: 10 chunks */
#define LONG "fixtures/sweep/long.yaml" /* 6000 runs in chunks of 50 */

static const char *bin(void) {
  const char *b = getenv("HS_BIN");
  return b && *b ? b : "../build/hepatosim";
}

/* Run the binary with args (NULL-terminated); after kill_ms > 0 send sig. Returns the
 * exit status, or 128 + signal when killed. stdout and stderr go to log (or /dev/null). */
static int run(const char *const *args, int kill_ms, int sig, const char *log) {
  const char *argv[24] = {bin()};
  int n = 1;
  for (; args[n - 1] && n < 23; n++) argv[n] = args[n - 1];
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(log ? log : "/dev/null", "w", stderr) == NULL) _exit(126);
    if (dup2(fileno(stderr), STDOUT_FILENO) < 0) _exit(126);
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
  snprintf(dir, sizeof dir, "/tmp/hs_shard_XXXXXX");
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

/* The text of file p (first 4 KiB). */
static const char *slurp(const char *p) {
  static char text[4096];
  FILE *f = fopen(p, "r");
  text[0] = '\0';
  if (!f) return text;
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

#define ASSERT_LOG_HAS(log, s)                                                             \
  ck_assert_msg(strstr(slurp(log), s) != NULL, "no '%s' in: %s", s, slurp(log))

/* Nothing named *.tmp.* left in dir. */
static int no_temp_files(void) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -q '\\.tmp\\.'", dir);
  return system(cmd) != 0;
}

/* ---- comparing two sweep files dataset by dataset, bit for bit (from check_sweep.c) --- */

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

static long long attr_i64(const char *file, const char *name) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  long long v = -1;
  H5Aread(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a), H5Fclose(f);
  return v;
}

/* The string attribute `name` of file equals want. */
static int attr_str_is(const char *file, const char *name, const char *want) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen(f, name, H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  char *v = NULL;
  int same = a >= 0 && H5Aread(a, t, &v) >= 0 && v && !strcmp(v, want);
  free(v);
  H5Tclose(t), H5Aclose(a), H5Fclose(f);
  return same;
}

/* Shards 1/3..3/3 of LHS as s1.h5..s3.h5 (threads -j 1, 2, 1) and the whole sweep. */
static void make_lhs_shards(void) {
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "-o", path("full.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "--shard", "1/3", "-o", path("s1.h5"), "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "--shard", "2/3", "-o", path("s2.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", LHS, "--shard", "3/3", "-o", path("s3.h5"), "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
}

/* ---- tests ------------------------------------------------------------------------- */

/* Shards merged in any order equal the unsharded sweep; info shows a shard's slice; an
 * existing output is replaced only with --force. */
START_TEST(test_merge_equals_unsharded) {
  mkroot();
  const char *m = path("merged.h5"), *log = path("log.txt");
  make_lhs_shards();
  ck_assert_int_eq(run((const char *[]){"info", path("s2.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "shard 2/3: runs 96-191, 96 done of 96 (0 failed)\n");
  ck_assert(attr_str_is(path("s2.h5"), "shard", "2/3"));
  ck_assert_int_eq(attr_i64(path("s2.h5"), "run_first"), 96);
  ck_assert_int_eq(attr_i64(path("s2.h5"), "run_end"), 192);
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s3.h5"), path("s1.h5"), path("s2.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "merged 3 shards (300 runs, 0 failed) into ");
  assert_same_datasets(path("full.h5"), m);
  ck_assert_int_eq(attr_i64(m, "runs_done"), 300);
  ck_assert_int_eq(attr_i64(m, "complete"), 1);
  ck_assert_int_eq(attr_i64(m, "run_first"), 0);
  ck_assert_int_eq(attr_i64(m, "run_end"), 300);
  ck_assert(attr_str_is(m, "shard", ""));
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("s2.h5"), path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "exists; use --force to overwrite");
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("s2.h5"), path("s3.h5"), "--force", NULL}, 0, 0, log), 0);
  assert_same_datasets(path("full.h5"), m);
  ck_assert(no_temp_files());
  rmroot();
}
END_TEST

/* A missing slice, a shard given twice, a shard of another seed, a whole sweep: exit 2
 * with the reason, and no output or temporary file. */
START_TEST(test_merge_refusals) {
  mkroot();
  const char *m = path("merged.h5"), *log = path("log.txt"), *seed7 = path("seed7.yaml");
  char cmd[512];
  make_lhs_shards();
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "runs 96-191 are missing");
  ASSERT_LOG_HAS(log, "2/3");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path("s2.h5"), path("s2copy.h5"));
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("s2.h5"), path("s2copy.h5"), path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "shard 2/3 is given twice");
  ASSERT_LOG_HAS(log, path("s2.h5"));
  ASSERT_LOG_HAS(log, path("s2copy.h5"));
  snprintf(cmd, sizeof cmd, "sed 's/seed: 20261126/seed: 7/' %s > %s", LHS, seed7);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(run((const char *[]){"sweep", seed7, "--shard", "2/3", "-o", path("x2.h5"), "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("x2.h5"), path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, path("x2.h5"));
  ASSERT_LOG_HAS(log, "seed differs");
  ck_assert_int_eq(run((const char *[]){"merge", m, path("full.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "is a whole sweep, not a shard");
  ck_assert_int_eq(run((const char *[]){"merge", m, path("s1.h5"), path("none.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "none.h5");
  ck_assert_int_eq(run((const char *[]){"merge", m, NULL}, 0, 0, log), 2);
  ck_assert_int_eq(run((const char *[]){"merge", m, "--bogus", path("s1.h5"), NULL}, 0, 0, log), 2);
  ck_assert_int_eq(run((const char *[]){"merge", "--help", NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "usage: hepatosim merge OUT.h5 SHARD.h5...");
  ck_assert(!exists(m));
  ck_assert(no_temp_files());
  rmroot();
}
END_TEST

/* A shard stopped by SIGTERM cannot be merged; resuming it as another shard is refused;
 * resumed as itself, it merges into the unsharded result. */
START_TEST(test_interrupted_shard) {
  mkroot();
  const char *scen = path("long3k.yaml"), *m = path("merged.h5"), *log = path("log.txt");
  char cmd[512];
  snprintf(cmd, sizeof cmd, "sed 's/runs: 6000/runs: 3000/' %s > %s", LONG, scen);
  ck_assert_int_eq(system(cmd), 0);
  int st = run((const char *[]){"sweep", scen, "--shard", "1/2", "-o", path("l1.h5"), "-j", "1", "--quiet", NULL}, 250, SIGTERM, NULL);
  ck_assert_int_eq(st, 128 + SIGTERM);
  ck_assert(exists(path("l1.h5.partial")) && !exists(path("l1.h5")));
  ck_assert_int_eq(run((const char *[]){"sweep", scen, "--shard", "2/2", "-o", path("l2.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"merge", m, path("l1.h5.partial"), path("l2.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "is not complete");
  ck_assert_int_eq(run((const char *[]){"sweep", scen, "--shard", "2/2", "-o", path("l1.h5"), "--resume", NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "cannot be resumed safely: shard differs (file 1/2, now 2/2)");
  ck_assert_int_eq(run((const char *[]){"sweep", scen, "--shard", "1/2", "-o", path("l1.h5"), "-j", "2", "--resume", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(run((const char *[]){"merge", m, path("l2.h5"), path("l1.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "merged 2 shards (3000 runs, 0 failed)");
  ck_assert_int_eq(run((const char *[]){"sweep", scen, "-o", path("full.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  assert_same_datasets(path("full.h5"), m);
  rmroot();
}
END_TEST

Suite *hs_suite_shard(void) {
  Suite *s = suite_create("shard");
  TCase *tc = tcase_create("merge");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_merge_equals_unsharded);
  tcase_add_test(tc, test_merge_refusals);
  tcase_add_test(tc, test_interrupted_shard);
  suite_add_tcase(s, tc);
  return s;
}
