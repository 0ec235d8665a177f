/* test_util.c - helpers shared by the suites that run the binary and compare sweep files. */
#include <dirent.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_test.h"

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

/* Bit for bit; fixed-length (null-terminated) strings by value: the bytes after the
 * terminator are padding, not data. */
static int same_bytes(hid_t a, hid_t b, hsize_t n) {
  hid_t ft = H5Dget_type(a), mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
  size_t sz = H5Tget_size(mt);
  const int text = H5Tget_class(ft) == H5T_STRING;
  char *x = malloc(n * sz), *y = malloc(n * sz);
  int same = H5Dread(a, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
             H5Dread(b, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0;
  for (hsize_t i = 0; same && text && i < n; i++) same = !strncmp(x + i * sz, y + i * sz, sz);
  if (same && !text) same = !memcmp(x, y, n * sz);
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
void hs_test_assert_same_datasets(const char *fa, const char *fb) {
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

long long hs_test_attr_i64(const char *file, const char *name) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  long long v = -1;
  H5Aread(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a), H5Fclose(f);
  return v;
}


const char *hs_test_attr_str(const char *file, const char *name, char *buf, size_t n) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = f >= 0 ? H5Aopen(f, name, H5P_DEFAULT) : -1, t = H5Tcopy(H5T_C_S1);
  char *v = NULL;
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  snprintf(buf, n, "%s", a >= 0 && H5Aread(a, t, &v) >= 0 && v ? v : "");
  if (v) H5free_memory(v);
  H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  if (f >= 0) H5Fclose(f);
  return buf;
}

/* ---- running the binary, temporary directories ------------------------------------------ */

static const char *bin(void) {
  const char *b = getenv("HS_BIN");
  return b && *b ? b : "../build/hepatosim";
}

/* Fork and exec the binary with args, output to log; max_bytes > 0 limits the file size. */
static pid_t spawn(const char *const *args, long max_bytes, const char *log) {
  const char *argv[24] = {bin()};
  int n = 1;
  for (; args[n - 1] && n < 23; n++) argv[n] = args[n - 1];
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(log ? log : "/dev/null", "w", stderr) == NULL) _exit(126);
    if (dup2(fileno(stderr), STDOUT_FILENO) < 0) _exit(126);
    if (max_bytes > 0) {
      struct rlimit rl = {(rlim_t)max_bytes, (rlim_t)max_bytes};
      signal(SIGXFSZ, SIG_IGN); /* kept across exec: writes fail with EFBIG instead */
      if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
    }
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  return pid;
}

int hs_test_wait(int pid) {
  int st;
  waitpid((pid_t)pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int hs_test_start(const char *const *args, const char *log) { return (int)spawn(args, 0, log); }

int hs_test_run_fsize(const char *const *args, long max_bytes, const char *log) {
  return hs_test_wait(spawn(args, max_bytes, log));
}

int hs_test_run(const char *const *args, int kill_ms, int sig, const char *log) {
  pid_t pid = spawn(args, 0, log);
  int st, gone = 0;
  struct timespec tick = {0, 5000000L};
  if (kill_ms > 0) {
    while (!(gone = waitpid(pid, &st, WNOHANG) == pid) && hs_test_cpu_s(pid, 0) < kill_ms / 1000.0)
      nanosleep(&tick, NULL);
    if (!gone) kill(pid, sig);
  }
  if (!gone) return hs_test_wait_progress(pid); /* -1 if it hangs, however loaded the machine */
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* fixture with its `runs: <from>` line set to `runs: <to>`, as name in the test directory. */
static const char *sweep_copy(const char *fixture, const char *from, const char *to,
                              const char *name) {
  const char *path = hs_test_path(name);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "sed 's/runs: %s/runs: %s/' %s > '%s'", from, to, fixture, path);
  ck_assert_int_eq(system(cmd), 0);
  return path;
}

const char *hs_test_long_sweep(const char *name, int runs) {
  char to[32];
  snprintf(to, sizeof to, "%d", runs);
  return sweep_copy("fixtures/sweep/long.yaml", "24000", to, name);
}

void hs_test_assert_stopped_creation(const char *partial, const char *log) {
  char want[512], lock[256];
  snprintf(want, sizeof want, "interrupted: %s holds no run yet; finish with the same "
           "command and --resume", partial);
  const char *text = hs_test_slurp(log);
  ck_assert_msg(strstr(text, want), "got: %s", text);
  ck_assert_int_eq(hs_test_attr_i64(partial, "runs_done"), 0);
  ck_assert_int_eq(hs_test_attr_i64(partial, "complete"), 0);
  size_t n = strlen(partial) - strlen(".partial");
  snprintf(lock, sizeof lock, "%.*s.lock", (int)n, partial);
  ck_assert_msg(!hs_test_exists(lock), "%s left behind", lock);
}

const char *hs_test_lhs_sweep(const char *name, const char *runs) {
  return sweep_copy("fixtures/sweep/lhs.yaml", "300", runs, name);
}

/* CPU ticks of one /proc/<pid>/stat (user, system, reaped children) and its parent. */
static long long stat_ticks(const char *pid, long *ppid) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(line, 1, sizeof line - 1, f) : 0;
  if (f) fclose(f);
  line[n] = '\0';
  const char *p = strrchr(line, ')'); /* the command name may hold spaces */
  unsigned long long ut, st;
  long long cut, cst;
  if (!p || sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", ppid,
                   &ut, &st, &cut, &cst) != 5)
    return -1;
  return (long long)(ut + st) + cut + cst;
}

/* Every process: pid, parent and CPU ticks (n returned, at most cap). */
typedef struct proc_row {
  long pid, ppid;
  long long ticks;
} proc_row;

static int proc_table(proc_row *rows, int cap) {
  int n = 0;
  DIR *d = opendir("/proc");
  for (struct dirent *e; d && n < cap && (e = readdir(d));)
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
        (rows[n].ticks = stat_ticks(e->d_name, &rows[n].ppid)) >= 0)
      rows[n].pid = atol(e->d_name), n++;
  if (d) closedir(d);
  return n;
}

/* Whether row i descends from root (or is it). */
static int in_tree(const proc_row *rows, int n, int i, long root) {
  for (int depth = 0; i >= 0 && depth < 64; depth++) {
    if (rows[i].pid == root) return 1;
    long up = rows[i].ppid;
    i = -1;
    for (int j = 0; j < n; j++)
      if (rows[j].pid == up) i = j;
  }
  return 0;
}

double hs_test_cpu_s(pid_t pid, int tree) {
  static proc_row rows[4096];
  int n = proc_table(rows, 4096);
  long long ticks = 0;
  for (int i = 0; i < n; i++)
    if (rows[i].pid == pid || (tree && in_tree(rows, n, i, pid))) ticks += rows[i].ticks;
  return (double)ticks / sysconf(_SC_CLK_TCK);
}

/* SIGKILL pid and every process below it. */
static void kill_tree(pid_t pid) {
  static proc_row rows[4096];
  int n = proc_table(rows, 4096);
  for (int i = 0; i < n; i++)
    if (in_tree(rows, n, i, pid)) kill((pid_t)rows[i].pid, SIGKILL);
}

int hs_test_wait_progress(pid_t pid) {
  struct timespec tick = {0, 50000000L};
  double cpu0 = hs_test_cpu_s(pid, 1);
  for (int i = 1;; i++) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    nanosleep(&tick, NULL);
    if (i % 1200) continue; /* every 60 s: has the group used at least 0.5 s of CPU? */
    double cpu = hs_test_cpu_s(pid, 1);
    if (cpu - cpu0 < 0.5) break;
    cpu0 = cpu;
  }
  kill_tree(pid);
  waitpid(pid, NULL, 0);
  return -1;
}

static char tmpdir[64];

void hs_test_mkdir(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/hs_test_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

void hs_test_rmdir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  ck_assert_int_eq(system(cmd), 0);
}

const char *hs_test_dir(void) { return tmpdir; }

const char *hs_test_path(const char *name) {
  static char buf[32][160];
  static int i;
  i = (i + 1) % 32;
  snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
  return buf[i];
}

int hs_test_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

const char *hs_test_slurp(const char *p) {
  static char text[8192];
  FILE *f = fopen(p, "r");
  text[0] = '\0';
  if (!f) return text;
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

/* ---- the reference patient and one-dose runs (check_solver.c, check_territory.c) ---- */

/* model.md reference patient and the s1 drug (E_L = 0.95). */
hs_physiology hs_test_ref_phys(double f_ha, double f_td) {
  return (hs_physiology){.q_co = 336, .q_h = 90, .f_ha = f_ha, .v_b = 5.0, .v_g = 1.5,
                         .v_l = 1.8, .v_r = 40, .v_t = 0.1, .p_t = 24, .f_ta = 0.9,
                         .f_td = f_td};
}

hs_drug hs_test_linear_drug(void) {
  return (hs_drug){.bp = 1, .kp_g = 1, .kp_l = 1, .kp_t = 1, .kp_r = 1,
                   .hepatic = {.kind = HS_ELIM_LINEAR, .cl = 1664.4}, .cl_r = 30};
}

/* One infusion (or bolus when t_inf = 0) of d mg by route r from t = 0. */
hs_metrics hs_test_run_one(hs_solver *s, const hs_params *p, hs_route r, double d, double t_inf,
                           const hs_sim_opts *o, hs_trace *tr) {
  hs_dose dose = {.route = r, .t_start = 0, .t_end = t_inf, .amount_mg = d};
  hs_metrics m;
  hs_error err;
  int rc = hs_solver_run(s, p, &dose, 1, o, tr, &m, &err);
  ck_assert_msg(rc == HS_OK, "run failed: %s", err.msg);
  return m;
}


void hs_test_set_attr(const char *file, const char *name, long long v) {
  hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT), a = H5Aopen(f, name, H5P_DEFAULT);
  int32_t v32 = (int32_t)v;
  int64_t v64 = v;
  herr_t st = !strcmp(name, "complete") ? H5Awrite(a, H5T_NATIVE_INT32, &v32)
                                        : H5Awrite(a, H5T_NATIVE_INT64, &v64);
  ck_assert_msg(f >= 0 && a >= 0 && st >= 0, "cannot set %s of %s", name, file);
  H5Aclose(a);
  H5Fclose(f);
}
