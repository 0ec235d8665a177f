/* check_mpi.c - the MPI sweep (build/hepatosim-mpi from `make mpi`) under mpirun on this
 * machine: datasets equal the serial sweep's for -np 2 and -np 3, resume with another
 * rank count after SIGTERM, a rank killed with SIGKILL ends the job (no hang) with a
 * resumable file, and a waiting rank sleeps (no busy-polling) on a loaded machine. Run
 * through fork/exec: no MPI or OpenMP in the Check process. Every wait is on progress (CPU
 * used by the job), never on wall time, so the suite holds on a loaded machine. */
#include <dirent.h>
#include <hdf5.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_test.h"

#define LHS "fixtures/sweep/lhs.yaml"
#define LONG "fixtures/sweep/long.yaml"
#define TABLE "fixtures/sweep/table.yaml"
#define MPIBIN "../build/hepatosim-mpi"

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Start argv (NULL-terminated) in its own process group with stdout/stderr to log;
 * returns the pid. */
static pid_t start(const char *const *argv, const char *log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (!freopen(log ? log : "/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
      _exit(126);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  setpgid(pid, pid); /* also here: the group must exist before its CPU is read */
  return pid;
}

/* Wait until the job started as pid has used cpu_s seconds of CPU (progress, whatever the
 * load) and, if file is not NULL, file exists. */
static void wait_cpu(pid_t pid, double cpu_s, const char *file) {
  while (hs_test_cpu_s(pid, 1) < cpu_s || (file && !hs_test_exists(file))) {
    ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "the job ended early");
    sleep_ms(20);
  }
}

/* mpirun -np n hepatosim-mpi sweep scenario -o out [extra...] */
static pid_t mpirun(int n, const char *scenario, const char *out, const char *extra,
                    const char *log) {
  char np[8];
  snprintf(np, sizeof np, "%d", n);
  const char *argv[] = {"mpirun", "--oversubscribe", "--allow-run-as-root", "-np", np, MPIBIN,
                        "sweep", scenario, "-o", out, "-j", "1", "--quiet", extra, NULL};
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 1); /* as a shared node should run it */
  return start(argv, log);
}

static int serial(const char *scenario, const char *out) {
  const char *bin = getenv("HS_BIN") && *getenv("HS_BIN") ? getenv("HS_BIN") : "../build/hepatosim";
  const char *argv[] = {bin, "sweep", scenario, "-o", out, "-j", "2", "--quiet", NULL};
  return hs_test_wait_progress(start(argv, NULL));
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
    int st = hs_test_wait_progress(mpirun(n, LHS, out, NULL, log));
    ck_assert_msg(st == 0, "mpirun -np %d exited %d (see %s)", n, st, log);
    hs_test_assert_same_datasets(ref, out);
    char drv[16];
    ck_assert_str_eq(hs_test_attr_str(out, "hdf5_driver", drv, sizeof drv), "mpio");
  }
  char drv[16];
  ck_assert_str_eq(hs_test_attr_str(ref, "hdf5_driver", drv, sizeof drv), "sec2");
  /* a patient table with per-ID dose records (design table) */
  const char *tref = hs_test_path("table_serial.h5"), *tout = hs_test_path("table_np3.h5");
  ck_assert_int_eq(serial(TABLE, tref), 0);
  ck_assert_int_eq(hs_test_wait_progress(mpirun(3, TABLE, tout, NULL, NULL)), 0);
  hs_test_assert_same_datasets(tref, tout);
  hs_test_rmdir();
}
END_TEST

/* SIGTERM to the job part-way, then --resume with another rank count: equal to serial. */
START_TEST(test_mpi_resume_other_rank_count) {
  hs_test_mkdir();
  const char *ref = hs_test_path("serial.h5"), *out = hs_test_path("out.h5"), *partial = hs_test_path("out.h5.partial");
  ck_assert_int_eq(serial(LONG, ref), 0);
  pid_t pid = mpirun(2, LONG, out, NULL, hs_test_path("log1.txt"));
  wait_cpu(pid, 1.5, partial); /* of the ~16 s of CPU the sweep needs */
  kill(pid, SIGTERM);
  ck_assert_int_ne(hs_test_wait_progress(pid), -1);
  ck_assert_msg(hs_test_exists(partial), "no resumable file left");
  long long done = hs_test_attr_i64(partial, "runs_done");
  ck_assert_msg(done < 24000, "not interrupted: %lld runs done", done);
  int st = hs_test_wait_progress(mpirun(3, LONG, out, "--resume", hs_test_path("log2.txt")));
  ck_assert_int_eq(st, 0);
  hs_test_assert_same_datasets(ref, out);
  hs_test_rmdir();
}
END_TEST

/* SIGTERM while rank 0 creates the file of a huge sweep (9e8 runs): the job stops there
 * (the file is created through the serial driver, whose allocation is incremental, and the
 * run scale's blocks look at the signal), keeps a resumable partial file with no run done,
 * says so, and leaves no lock. Parallel HDF5's creation allocated every chunk first and
 * ignored the signal. */
START_TEST(test_mpi_sigterm_while_creating) {
  hs_test_mkdir();
  const char *out = hs_test_path("h.h5"), *partial = hs_test_path("h.h5.partial"),
             *log = hs_test_path("log.txt");
  char huge[256];
  snprintf(huge, sizeof huge, "%s", hs_test_lhs_sweep("huge.yaml", "9e8"));
  pid_t pid = mpirun(2, huge, out, NULL, log);
  wait_cpu(pid, 0.0, partial);
  kill(pid, SIGTERM);
  ck_assert_int_ne(hs_test_wait_progress(pid), -1);
  hs_test_assert_stopped_creation(partial, log);
  ck_assert_int_eq(hs_test_attr_i64(partial, "n_runs"), 900000000);
  hs_test_rmdir();
}
END_TEST

/* A rank killed with SIGKILL: the job ends (no hang), mpirun says which rank died, and
 * the file is resumable. */
START_TEST(test_mpi_rank_death) {
  hs_test_mkdir();
  const char *out = hs_test_path("out.h5"), *log = hs_test_path("log.txt");
  pid_t pid = mpirun(3, LONG, out, NULL, log);
  wait_cpu(pid, 1.5, NULL);
  char cmd[512];
  /* the newest matching process is a rank of this job (its output path is unique to this
   * test's directory, so other jobs on the machine are never hit); "[h]" keeps this
   * shell's own command line from matching the pattern */
  snprintf(cmd, sizeof cmd, "pkill -KILL -n -f '[h]epatosim-mpi sweep %s -o %s'", LONG, out);
  ck_assert_int_eq(system(cmd), 0);
  int st = hs_test_wait_progress(pid);
  ck_assert_msg(st != -1, "the job hung after a rank died");
  ck_assert_int_ne(st, 0);
  const char *text = hs_test_slurp(log);
  ck_assert_msg(strstr(text, "signal 9") || strstr(text, "Killed"), "no report of the dead rank: %s", text);
  st = hs_test_wait_progress(mpirun(2, LONG, out, "--resume", hs_test_path("log2.txt")));
  ck_assert_int_eq(st, 0);
  hs_test_rmdir();
}
END_TEST

/* The pid of MPI rank `rank` among mpirun's children (from OMPI_COMM_WORLD_RANK), or -1. */
static pid_t rank_pid(pid_t mpirun_pid, int rank) {
  char want[40], path[64], buf[16384];
  snprintf(want, sizeof want, "OMPI_COMM_WORLD_RANK=%d", rank);
  pid_t found = -1;
  DIR *d = opendir("/proc");
  for (struct dirent *e; found < 0 && d && (e = readdir(d));) {
    long ppid = 0;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = e->d_name[0] >= '1' && e->d_name[0] <= '9' ? fopen(path, "r") : NULL;
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1 || ppid != mpirun_pid) continue;
    snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
    f = fopen(path, "r");
    n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
      if (!strcmp(buf + i, want)) found = (pid_t)atol(e->d_name);
  }
  if (d) closedir(d);
  return found;
}

/* A process that keeps one core busy until killed (or its parent ends). */
static pid_t busy_loop(void) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(1800); /* never outlive a broken run */
    for (volatile unsigned long i = 0;; i++) {
    }
  }
  return pid;
}

/* Issue 15, finding 8: with both cores busy, stop rank 0 part-way; rank 1, which waits
 * for it, must sleep rather than poll (OpenMPI's blocking calls spun at ~65 % of a core
 * here, starving the rank they waited for), and the job finishes once rank 0 goes on. The
 * bound is on CPU used while waiting (< 5 % of the interval; polling with backoff uses
 * ~1 %, the old spinning 15-65 % depending on the load), not on speed. */
START_TEST(test_mpi_waiting_rank_sleeps) {
  hs_test_mkdir();
  const char *scen = hs_test_long_sweep("l6k.yaml", 6000), *out = hs_test_path("out.h5"), *log = hs_test_path("log.txt");
  pid_t busy[2] = {busy_loop(), busy_loop()};
  pid_t pid = mpirun(2, scen, out, NULL, log);
  wait_cpu(pid, 1.0, hs_test_path("out.h5.partial"));
  pid_t r0 = rank_pid(pid, 0), r1 = rank_pid(pid, 1);
  ck_assert_msg(r0 > 0 && r1 > 0, "ranks not found (%d, %d)", (int)r0, (int)r1);
  kill(r0, SIGSTOP);
  /* rank 1 finishes the chunk it holds: until its CPU stops growing (a loaded machine only
   * makes that later), at most 100 looks (a spinning rank never stops growing) */
  for (int i = 0, grew = 1; grew && i < 100; i++) {
    double c = hs_test_cpu_s(r1, 0);
    sleep_ms(200);
    grew = hs_test_cpu_s(r1, 0) - c > 0.005;
  }
  double c0 = hs_test_cpu_s(r1, 0);
  sleep_ms(2000);
  double used = hs_test_cpu_s(r1, 0) - c0;
  kill(r0, SIGCONT);
  int st = hs_test_wait_progress(pid);
  for (int i = 0; i < 2; i++) kill(busy[i], SIGKILL), waitpid(busy[i], NULL, 0);
  ck_assert_msg(used < 0.1, "rank 1 used %.2f s of CPU in 2 s waiting for a stopped rank 0", used);
  ck_assert_msg(st == 0, "mpirun exited %d (see %s)", st, log);
  ck_assert_int_eq(hs_test_attr_i64(out, "runs_done"), 6000);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_mpi(void) {
  Suite *s = suite_create("mpi");
  TCase *tc = tcase_create("mpirun");
  tcase_set_timeout(tc, 1800); /* a backstop only: every wait above is on progress */
  tcase_add_test(tc, test_mpi_equals_serial);
  tcase_add_test(tc, test_mpi_resume_other_rank_count);
  tcase_add_test(tc, test_mpi_sigterm_while_creating);
  tcase_add_test(tc, test_mpi_rank_death);
  tcase_add_test(tc, test_mpi_waiting_rank_sleeps);
  suite_add_tcase(s, tc);
  return s;
}
