/* check_mpi.c - the MPI sweep (build/hepatosim-mpi from `make mpi`) under mpirun on this
 * machine: datasets equal the serial sweep's for -np 2 and -np 3, resume with another
 * rank count after SIGTERM, and a rank killed with SIGKILL ends the job (no hang) with a
 * resumable file. Run through fork/exec: no MPI or OpenMP in the Check process. */
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

#define LHS "fixtures/sweep/lhs.yaml"
#define LONG "fixtures/sweep/long.yaml"
#define MPIBIN "../build/hepatosim-mpi"

static char dir[64];

static const char *path(const char *name) {
  static char buf[32][160];
  static int i;
  i = (i + 1) % 32;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Start argv (NULL-terminated) with stdout/stderr to log; returns the pid. */
static pid_t start(const char *const *argv, const char *log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (!freopen(log ? log : "/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
      _exit(126);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  return pid;
}

/* Wait at most limit_s; returns the exit status (128 + signal), or -1 on a hang. */
static int wait_for(pid_t pid, int limit_s) {
  for (int i = 0; i < limit_s * 20; i++) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    sleep_ms(50);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

/* mpirun -np n hepatosim-mpi sweep scenario -o out [extra...] */
static pid_t mpirun(int n, const char *scenario, const char *out, const char *extra,
                    const char *log) {
  char np[8];
  snprintf(np, sizeof np, "%d", n);
  const char *argv[] = {"mpirun", "--oversubscribe", "--allow-run-as-root", "-np", np, MPIBIN,
                        "sweep", scenario, "-o", out, "-j", "1", "--quiet", extra, NULL};
  return start(argv, log);
}

static int serial(const char *scenario, const char *out) {
  const char *argv[] = {"../build/hepatosim", "sweep", scenario, "-o", out, "-j", "2", "--quiet", NULL};
  return wait_for(start(argv, NULL), 120);
}

/* Bit-for-bit comparison of every dataset (numeric types; strings by value). */
static herr_t cmp_one(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  (void)info;
  hid_t *other = op, a = H5Dopen2(g, name, H5P_DEFAULT), b = H5Dopen2(other[0], name, H5P_DEFAULT);
  hid_t ft = H5Dget_type(a), sp = H5Dget_space(a);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  int same;
  if (H5Tis_variable_str(ft) > 0) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char **x = calloc((size_t)n, sizeof *x), **y = calloc((size_t)n, sizeof *y);
    same = H5Dread(a, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
           H5Dread(b, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0;
    for (hssize_t i = 0; i < n; i++) {
      same = same && !strcmp(x[i] ? x[i] : "", y[i] ? y[i] : "");
      free(x[i]), free(y[i]);
    }
    free(x), free(y), H5Tclose(t);
  } else {
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    size_t sz = H5Tget_size(mt) * (size_t)n;
    char *x = malloc(sz), *y = malloc(sz);
    same = H5Dread(a, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0 &&
           H5Dread(b, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0 && !memcmp(x, y, sz);
    free(x), free(y), H5Tclose(mt);
  }
  H5Tclose(ft), H5Sclose(sp), H5Dclose(a), H5Dclose(b);
  if (!same && other[1]++ == 0) fprintf(stderr, "check_mpi: dataset '%s' differs\n", name);
  return 0;
}

static void assert_same(const char *fa, const char *fb) {
  hid_t a = H5Fopen(fa, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ctx[2] = {H5Fopen(fb, H5F_ACC_RDONLY, H5P_DEFAULT), 0};
  ck_assert_msg(a >= 0 && ctx[0] >= 0, "cannot open %s or %s", fa, fb);
  hsize_t idx = 0;
  H5Literate(a, H5_INDEX_NAME, H5_ITER_INC, &idx, cmp_one, ctx);
  H5Fclose(a), H5Fclose(ctx[0]);
  ck_assert_msg(ctx[1] == 0, "%d datasets differ between %s and %s", (int)ctx[1], fa, fb);
}

static long long runs_done(const char *file) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t a = H5Aopen(f, "runs_done", H5P_DEFAULT);
  long long v = -1;
  H5Aread(a, H5T_NATIVE_LLONG, &v);
  H5Aclose(a), H5Fclose(f);
  return v;
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/hs_mpi_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

/* -np 2 and -np 3 (an uneven split of the chunks) equal the serial sweep. */
START_TEST(test_mpi_equals_serial) {
  setup();
  const char *ref = path("serial.h5");
  ck_assert_int_eq(serial(LHS, ref), 0);
  for (int n = 2; n <= 3; n++) {
    char name[32];
    snprintf(name, sizeof name, "np%d.h5", n);
    const char *out = path(name), *log = path("log.txt");
    int st = wait_for(mpirun(n, LHS, out, NULL, log), 120);
    ck_assert_msg(st == 0, "mpirun -np %d exited %d (see %s)", n, st, log);
    assert_same(ref, out);
  }
  teardown();
}
END_TEST

/* SIGTERM to the job part-way, then --resume with another rank count: equal to serial. */
START_TEST(test_mpi_resume_other_rank_count) {
  setup();
  const char *ref = path("serial.h5"), *out = path("out.h5"), *partial = path("out.h5.partial");
  ck_assert_int_eq(serial(LONG, ref), 0);
  pid_t pid = mpirun(2, LONG, out, NULL, path("log1.txt"));
  sleep_ms(1500);
  kill(pid, SIGTERM);
  ck_assert_int_ne(wait_for(pid, 60), -1);
  ck_assert_msg(access(partial, F_OK) == 0, "no resumable file left");
  long long done = runs_done(partial);
  ck_assert_msg(done < 6000, "not interrupted: %lld runs done", done);
  int st = wait_for(mpirun(3, LONG, out, "--resume", path("log2.txt")), 120);
  ck_assert_int_eq(st, 0);
  assert_same(ref, out);
  teardown();
}
END_TEST

/* A rank killed with SIGKILL: the job ends (no hang), mpirun says which rank died, and
 * the file is resumable. */
START_TEST(test_mpi_rank_death) {
  setup();
  const char *out = path("out.h5"), *log = path("log.txt");
  pid_t pid = mpirun(3, LONG, out, NULL, log);
  sleep_ms(1500);
  char cmd[256];
  /* the newest matching process is a rank; "[h]" keeps this shell's own command line
   * from matching the pattern */
  snprintf(cmd, sizeof cmd, "pkill -KILL -n -f '[h]epatosim-mpi sweep %s'", LONG);
  ck_assert_int_eq(system(cmd), 0);
  int st = wait_for(pid, 60);
  ck_assert_msg(st != -1, "the job hung after a rank died");
  ck_assert_int_ne(st, 0);
  FILE *f = fopen(log, "r");
  char text[8192] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  ck_assert_msg(strstr(text, "signal 9") || strstr(text, "Killed"), "no report of the dead rank: %s", text);
  st = wait_for(mpirun(2, LONG, out, "--resume", path("log2.txt")), 120);
  ck_assert_int_eq(st, 0);
  teardown();
}
END_TEST

Suite *hs_suite_mpi(void) {
  Suite *s = suite_create("mpi");
  TCase *tc = tcase_create("mpirun");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_mpi_equals_serial);
  tcase_add_test(tc, test_mpi_resume_other_rank_count);
  tcase_add_test(tc, test_mpi_rank_death);
  suite_add_tcase(s, tc);
  return s;
}
