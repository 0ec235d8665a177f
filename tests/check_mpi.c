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

/* -np 2 and -np 3 (an uneven split of the chunks) equal the serial sweep; rank 0 wrote
 * them through parallel HDF5's MPI-IO driver. */
START_TEST(test_mpi_equals_serial) {
  hs_test_mkdir();
  const char *ref = hs_test_path("serial.h5");
  ck_assert_int_eq(serial(LHS, ref), 0);
  for (int n = 2; n <= 3; n++) {
    char name[32];
    snprintf(name, sizeof name, "np%d.h5", n);
    const char *out = hs_test_path(name), *log = hs_test_path("log.txt");
    int st = wait_for(mpirun(n, LHS, out, NULL, log), 120);
    ck_assert_msg(st == 0, "mpirun -np %d exited %d (see %s)", n, st, log);
    hs_test_assert_same_datasets(ref, out);
    char drv[16];
    ck_assert_str_eq(hs_test_attr_str(out, "hdf5_driver", drv, sizeof drv), "mpio");
  }
  char drv[16];
  ck_assert_str_eq(hs_test_attr_str(ref, "hdf5_driver", drv, sizeof drv), "sec2");
  hs_test_rmdir();
}
END_TEST

/* SIGTERM to the job part-way, then --resume with another rank count: equal to serial. */
START_TEST(test_mpi_resume_other_rank_count) {
  hs_test_mkdir();
  const char *ref = hs_test_path("serial.h5"), *out = hs_test_path("out.h5"), *partial = hs_test_path("out.h5.partial");
  ck_assert_int_eq(serial(LONG, ref), 0);
  pid_t pid = mpirun(2, LONG, out, NULL, hs_test_path("log1.txt"));
  sleep_ms(1500);
  kill(pid, SIGTERM);
  ck_assert_int_ne(wait_for(pid, 60), -1);
  ck_assert_msg(hs_test_exists(partial), "no resumable file left");
  long long done = hs_test_attr_i64(partial, "runs_done");
  ck_assert_msg(done < 24000, "not interrupted: %lld runs done", done);
  int st = wait_for(mpirun(3, LONG, out, "--resume", hs_test_path("log2.txt")), 120);
  ck_assert_int_eq(st, 0);
  hs_test_assert_same_datasets(ref, out);
  hs_test_rmdir();
}
END_TEST

/* A rank killed with SIGKILL: the job ends (no hang), mpirun says which rank died, and
 * the file is resumable. */
START_TEST(test_mpi_rank_death) {
  hs_test_mkdir();
  const char *out = hs_test_path("out.h5"), *log = hs_test_path("log.txt");
  pid_t pid = mpirun(3, LONG, out, NULL, log);
  sleep_ms(1500);
  char cmd[512];
  /* the newest matching process is a rank of this job (its output path is unique to this
   * test's directory, so other jobs on the machine are never hit); "[h]" keeps this
   * shell's own command line from matching the pattern */
  snprintf(cmd, sizeof cmd, "pkill -KILL -n -f '[h]epatosim-mpi sweep %s -o %s'", LONG, out);
  ck_assert_int_eq(system(cmd), 0);
  int st = wait_for(pid, 60);
  ck_assert_msg(st != -1, "the job hung after a rank died");
  ck_assert_int_ne(st, 0);
  const char *text = hs_test_slurp(log);
  ck_assert_msg(strstr(text, "signal 9") || strstr(text, "Killed"), "no report of the dead rank: %s", text);
  st = wait_for(mpirun(2, LONG, out, "--resume", hs_test_path("log2.txt")), 120);
  ck_assert_int_eq(st, 0);
  hs_test_rmdir();
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
