/* check_sweep.c - the sweep engine through the CLI (OpenMP stays out of the Check
 * process): thread-count independence, interrupt and resume, invalid runs, refusals; one
 * writer per output, checksums, full disks and damaged files. */
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

/* ---- tests ------------------------------------------------------------------------- */

/* -j 1, -j 2 and -j 16 give identical datasets; the file is complete and renamed. */
START_TEST(test_thread_count_independent) {
  hs_test_mkdir();
  const char *a = hs_test_path("j1.h5"), *b = hs_test_path("j2.h5"), *c = hs_test_path("j16.h5");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", a, "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", b, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", c, "-j", "16", "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(a, b);
  hs_test_assert_same_datasets(a, c);
  ck_assert_double_eq(hs_test_attr_i64(a, "runs_done"), 300);
  ck_assert_double_eq(hs_test_attr_i64(a, "runs_failed"), 0);
  ck_assert(!hs_test_exists(hs_test_path("j1.h5.partial")));
  hs_test_rmdir();
}
END_TEST

/* Interrupted by SIGTERM (exit 143, partial file kept) or SIGKILL, then resumed with
 * another thread count: the result equals an uninterrupted sweep. */
START_TEST(test_interrupt_and_resume) {
  int sig = _i == 0 ? SIGTERM : SIGKILL;
  hs_test_mkdir();
  const char *ref = hs_test_path("ref.h5"), *out = hs_test_path("out.h5"), *log = hs_test_path("log.txt");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LONG, "-o", ref, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  int st = hs_test_run((const char *[]){"sweep", LONG, "-o", out, "-j", "2", NULL}, 700, sig, log);
  ck_assert_int_eq(st, 128 + sig);
  ck_assert_msg(hs_test_exists(hs_test_path("out.h5.partial")) && !hs_test_exists(out), "no partial file left");
  if (sig == SIGTERM) {
    FILE *f = fopen(log, "r");
    char text[4096] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(text, "--resume"), "no resume hint in: %s", text);
  }
  double done = hs_test_attr_i64(hs_test_path("out.h5.partial"), "runs_done");
  ck_assert_msg(done < 24000, "the sweep was not interrupted (%g runs done)", done);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LONG, "-o", out, "-j", "1", "--resume", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert(!hs_test_exists(hs_test_path("out.h5.partial")));
  hs_test_assert_same_datasets(ref, out);
  hs_test_rmdir();
}
END_TEST

/* Runs whose sampled parameters break a flow constraint carry status 1 and the reason;
 * the others equal a single simulation with the same values. */
START_TEST(test_invalid_runs_recorded) {
  hs_test_mkdir();
  const char *out = hs_test_path("inv.h5");
  char log[4096], want[4200];
  snprintf(log, sizeof log, "%s", hs_test_path("inv.log"));
  /* failed runs are data: exit 0, and even --quiet says how many failed, in one line */
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", INVALID, "-o", out, "-j", "2", "--quiet", NULL}, 0, 0, log), 0);
  snprintf(want, sizeof want, "hepatosim: 7 of 20 runs failed (see /status and /reason in %s)\n", out);
  ck_assert_str_eq(hs_test_slurp(log), want);
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
  ck_assert_double_eq(hs_test_attr_i64(out, "runs_failed"), 7);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  hs_test_rmdir();
}
END_TEST

/* Refusals: an existing result without --force, nothing to resume, a changed scenario. */
START_TEST(test_refusals) {
  hs_test_mkdir();
  const char *out = hs_test_path("r.h5"), *log = hs_test_path("log.txt"), *changed = hs_test_path("changed.yaml");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", out, "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", out, "--quiet", NULL}, 0, 0, log), 2);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", out, "--resume", NULL}, 0, 0, log), 2);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LONG, "-o", hs_test_path("p.h5"), "-j", "1", NULL}, 300, SIGTERM, NULL), 128 + SIGTERM);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "sed 's/seed: 20261126/seed: 7/' %s > %s", LONG, changed);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", changed, "-o", hs_test_path("p.h5"), "--resume", NULL}, 0, 0, log), 2);
  FILE *f = fopen(log, "r");
  char text[2048] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  ck_assert_msg(strstr(text, "cannot be resumed safely"), "got: %s", text);
  hs_test_rmdir();
}
END_TEST

/* `sweep.runs` above HS_SWEEP_MAX_RUNS, and a grid with more points, are refused at load
 * naming the key, the value and the limit; the limit itself loads. */
START_TEST(test_runs_limit) {
  hs_test_mkdir();
  const char *big = hs_test_path("big.yaml"), *max = hs_test_path("max.yaml"),
             *grid = hs_test_path("grid.yaml"), *log = hs_test_path("log.txt");
  char cmd[1024], want[512];
  snprintf(cmd, sizeof cmd, "sed 's/runs: 300/runs: 1e12/' %s > %s && sed 's/runs: 300/runs: 1e9/' "
           "%s > %s && sed -e 's/design: lhs/design: grid/' -e '/runs: 300/d' -e 's/to: 30 %%}/to: 30 %%, "
           "n: 1000}/' -e 's/scale: log}/scale: log, n: 1000}/' -e 's/to: 6 h}/to: 6 h, n: 1001}/' %s > %s",
           LHS, big, LHS, max, LHS, grid);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", big, "-o", hs_test_path("b.h5"), NULL}, 0, 0, log), 2);
  snprintf(want, sizeof want, "hepatosim: error: %s:35:9: 'sweep.runs': 1000000000000 runs exceed the "
           "limit of 1000000000 (see README, Sweeps)\n", big);
  ck_assert_str_eq(hs_test_slurp(log), want);
  ck_assert(!hs_test_exists(hs_test_path("b.h5.partial")));
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(hs_scenario_load(&sc, max, NULL, &err) == HS_OK, "%s", err.msg);
  ck_assert(sc.sweep.design.n_runs == HS_SWEEP_MAX_RUNS);
  hs_scenario_release(&sc);
  ck_assert_int_eq(hs_scenario_load(&sc, grid, NULL, &err), HS_EINPUT);
  snprintf(want, sizeof want, "%s:38:5: 'sweep.parameters': the grid has 1001000000 points (runs), "
           "above the limit of 1000000000 (see README, Sweeps)", grid);
  ck_assert_str_eq(err.msg, want);
  hs_test_rmdir();
}
END_TEST

/* SIGTERM while the file is being created (the run scale of 9e8 runs takes far longer to
 * write than the signal to arrive): the sweep stops there, exits 143, says that no run is
 * stored and how to resume, and leaves a closed partial file with runs_done 0. The signal
 * is sent as soon as the partial file exists (polled; the bound only guards a hang). */
START_TEST(test_sigterm_while_creating) {
  hs_test_mkdir();
  const char *huge = hs_test_lhs_sweep("huge.yaml", "9e8"), *out = hs_test_path("h.h5"),
             *partial = hs_test_path("h.h5.partial"), *log = hs_test_path("log.txt");
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(log, "w", stderr) == NULL) _exit(126);
    const char *bin = getenv("HS_BIN") && *getenv("HS_BIN") ? getenv("HS_BIN") : "../build/hepatosim";
    execl(bin, bin, "sweep", huge, "-o", out, "-j", "1", (char *)NULL);
    _exit(127);
  }
  struct timespec tick = {0, 5000000L};
  for (int i = 0; i < 24000 && !hs_test_exists(partial); i++) nanosleep(&tick, NULL);
  ck_assert_msg(hs_test_exists(partial), "no partial file after 120 s");
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status %d", st);
  hs_test_assert_stopped_creation(partial, log);
  hs_test_rmdir();
}
END_TEST


/* ---- hardening: one writer, checksums, full disks, damaged files ---------------------- */

static void copy_file(const char *from, const char *to) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
  ck_assert_int_eq(system(cmd), 0);
}

/* A complete LHS sweep (300 runs, chunks of 32) at ref, and the same file turned into the
 * .partial of an interrupted sweep with runs 0-95 stored at partial. */
static void make_partial(const char *ref, const char *partial) {
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", ref, "--quiet", NULL}, 0, 0, NULL), 0);
  copy_file(ref, partial);
  hs_test_set_attr(partial, "complete", 0);
  hs_test_set_attr(partial, "runs_done", 96);
}

/* Sweep B on the output of a running sweep A is refused with exit 2 and a message naming
 * A's pid and lock file, with --force too and with --resume; A then finishes and its file
 * equals an undisturbed sweep. A is paused (SIGSTOP) once its .partial exists, so B runs
 * while A certainly holds the file. */
START_TEST(test_one_writer) {
  hs_test_mkdir();
  const char *mid = hs_test_path("mid.yaml"), *out = hs_test_path("o.h5"),
             *partial = hs_test_path("o.h5.partial"), *lock = hs_test_path("o.h5.lock"),
             *ref = hs_test_path("ref.h5"), *log = hs_test_path("b.txt");
  char want[1024];
  hs_test_long_sweep("mid.yaml", 3000);
  int a = hs_test_start((const char *[]){"sweep", mid, "-o", out, "-j", "1", "--quiet", NULL}, NULL);
  struct timespec tick = {0, 1000000L};
  for (int i = 0; i < 120000 && !hs_test_exists(partial); i++) nanosleep(&tick, NULL);
  kill(a, SIGSTOP);
  ck_assert_msg(hs_test_exists(partial) && !hs_test_exists(out), "sweep A is not running");
  snprintf(want, sizeof want, "hepatosim: error: %s is being written by another sweep (process %d "
           "holds %s); wait for it or stop it, --force does not override this\n", out, a, lock);
  const char *const b_runs[][8] = {{"sweep", mid, "-o", out, "--force", "--quiet", NULL},
                                   {"sweep", mid, "-o", out, "--quiet", NULL},
                                   {"sweep", mid, "-o", out, "--resume", NULL}};
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(hs_test_run(b_runs[i], 0, 0, log), 2);
    ck_assert_str_eq(hs_test_slurp(log), want);
    ck_assert(hs_test_exists(partial));
  }
  kill(a, SIGCONT);
  ck_assert_int_eq(hs_test_wait(a), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", mid, "-o", ref, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(out, ref);
  ck_assert_int_eq(hs_test_attr_i64(out, "runs_done"), 3000);
  ck_assert(!hs_test_exists(partial) && !hs_test_exists(lock));
  hs_test_rmdir();
}
END_TEST

/* One flipped byte in a stored chunk of a .partial: --resume refuses it naming the dataset
 * (Fletcher32), leaves it as it is, and `info --verify` fails the same way; the undamaged
 * .partial resumes to the complete sweep, which verifies. */
START_TEST(test_damaged_chunk) {
  hs_test_mkdir();
  const char *ref = hs_test_path("ref.h5"), *base = hs_test_path("p.h5.partial"),
             *bad = hs_test_path("d.h5.partial"), *log = hs_test_path("log.txt");
  make_partial(ref, base);
  copy_file(base, bad);
  hsize_t at[2] = {0, 0}, size = 0;
  haddr_t addr = 0;
  unsigned mask;
  hid_t f = H5Fopen(bad, H5F_ACC_RDONLY, H5P_DEFAULT), ds = H5Dopen2(f, "auc_tumor_iv", H5P_DEFAULT);
  ck_assert(H5Dget_chunk_info_by_coord(ds, at, &mask, &addr, &size) >= 0 && size > 8);
  H5Dclose(ds);
  H5Fclose(f);
  FILE *fp = fopen(bad, "r+b");
  ck_assert(fp && fseek(fp, (long)(addr + size / 2), SEEK_SET) == 0);
  int byte = fgetc(fp);
  fseek(fp, (long)(addr + size / 2), SEEK_SET);
  fputc(byte ^ 0x20, fp);
  fclose(fp);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", hs_test_path("d.h5"), "--resume", NULL}, 0, 0, log), 2);
  char want[512];
  snprintf(want, sizeof want, "hepatosim: error: %s cannot be resumed safely: dataset "
           "'auc_tumor_iv' is damaged (rows 0-", bad);
  const char *text = hs_test_slurp(log);
  ck_assert_msg(!strncmp(text, want, strlen(want)) && strstr(text, "Fletcher32 checksum") &&
                strstr(text, "start again with --force"), "got: %s", text);
  ck_assert(hs_test_exists(bad) && !hs_test_exists(hs_test_path("d.h5")));
  ck_assert_int_eq(hs_test_attr_i64(bad, "runs_done"), 96);
  ck_assert_int_eq(hs_test_run((const char *[]){"info", bad, "--verify", NULL}, 0, 0, log), 2);
  snprintf(want, sizeof want, "hepatosim: error: %s: verify failed: dataset 'auc_tumor_iv' is "
           "damaged (rows 0-", bad);
  text = hs_test_slurp(log);
  ck_assert_msg(!strncmp(text, want, strlen(want)), "got: %s", text);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", hs_test_path("p.h5"), "--resume", "--quiet", NULL}, 0, 0, log), 0);
  hs_test_assert_same_datasets(hs_test_path("p.h5"), ref);
  ck_assert_int_eq(hs_test_run((const char *[]){"info", "--verify", ref, NULL}, 0, 0, log), 0);
  ck_assert_msg(strstr(hs_test_slurp(log), "checksums match, runs 0-299 stored"), "got: %s",
                hs_test_slurp(log));
  hs_test_rmdir();
}
END_TEST

/* A full disk (the file size limit of the child) while the sweep writes runs, and while it
 * creates its file: exit 1 (no crash in HDF5's exit-time cleanup) naming the file and the
 * cause; no result, no .partial (HDF5 leaves no consistent file after a failed write), no
 * lock file. */
START_TEST(test_full_disk_sweep) {
  static const long LIMIT[2] = {400 << 10, 32 << 10};
  hs_test_mkdir();
  const char *out = hs_test_path("o.h5"), *partial = hs_test_path("o.h5.partial"),
             *log = hs_test_path("log.txt");
  for (int i = 0; i < 2; i++) {
    int st = hs_test_run_fsize((const char *[]){"sweep", LONG, "-o", out, "-j", "2", "--quiet", NULL}, LIMIT[i], log);
    const char *text = hs_test_slurp(log);
    ck_assert_msg(st == 1, "exit %d: %s", st, text);
    char want[256];
    snprintf(want, sizeof want, "hepatosim: error: %s: HDF5 ", partial);
    ck_assert_msg(!strncmp(text, want, strlen(want)) && strstr(text, "File too large"), "got: %s", text);
    ck_assert_msg(i == 1 || strstr(text, "removed (HDF5 leaves no consistent file"), "got: %s", text);
    ck_assert(!hs_test_exists(out) && !hs_test_exists(partial));
    ck_assert(!hs_test_exists(hs_test_path("o.h5.lock")));
  }
  hs_test_rmdir();
}
END_TEST

/* A copy of from at to, damaged: kind 0, 1, 4 or 16 random bit flips anywhere; 1 cut to
 * half its length; 2 the superblock overwritten; 3 24 random bytes early in the file, where
 * the root object header lies. */
static void damage(const char *from, const char *to, int kind, unsigned *seed) {
  size_t n;
  FILE *f = fopen(from, "rb");
  fseek(f, 0, SEEK_END);
  n = (size_t)ftell(f);
  rewind(f);
  unsigned char *b = malloc(n);
  ck_assert(b && fread(b, 1, n, f) == n);
  fclose(f);
  if (kind == 0) {
    int flips = 1 << (2 * (rand_r(seed) % 3)); /* 1, 4 or 16 */
    for (int i = 0; i < flips; i++) b[(size_t)rand_r(seed) % n] ^= (unsigned char)(1u << (rand_r(seed) % 8));
  } else if (kind == 1) {
    n /= 2;
  } else {
    size_t at = kind == 2 ? 8 : 48 + (size_t)rand_r(seed) % 512; /* after the signature */
    for (size_t i = at; i < at + 24 && i < n; i++) b[i] = (unsigned char)rand_r(seed);
  }
  f = fopen(to, "wb");
  ck_assert(f && fwrite(b, 1, n, f) == n);
  fclose(f);
  free(b);
}

/* exit 0, 1 or 2 with a message; else the damaged file is kept in /tmp for a look. */
static void assert_clean_exit(int st, const char *log, const char *what, int k, const char *file) {
  char keep[64];
  snprintf(keep, sizeof keep, "/tmp/hs_damaged_%d.h5", k);
  if (st != 0 && st != 1 && st != 2) copy_file(file, keep);
  ck_assert_msg(st == 0 || st == 1 || st == 2, "%s, damaged copy %d: exit %d (kept as %s)", what,
                k, st, keep);
  const char *text = hs_test_slurp(log); /* its end, where a sanitizer's report would be */
  const char *end = text + (strlen(text) > 600 ? strlen(text) - 600 : 0);
  if (st) ck_assert_msg(strstr(text, "hepatosim: error: "), "%s, copy %d: exit %d, no message; log ends: %s", what, k, st, end);
}

/* Damaged files through info, info --verify, merge and --resume, each in a child: 48 copies
 * damaged by damage() with a fixed seed. Never a signal: exit 0, or 1 or 2 with an error
 * message; a merge or resume that exits 0 gives exactly the undamaged sweep's datasets. */
START_TEST(test_damaged_files) {
  hs_test_mkdir();
  const char *ref = hs_test_path("ref.h5"), *base = hs_test_path("base.partial"),
             *c = hs_test_path("c.h5"), *out = hs_test_path("x.h5"),
             *partial = hs_test_path("x.h5.partial"), *log = hs_test_path("log.txt"),
             *half2 = hs_test_path("s2.h5");
  make_partial(ref, base);
  /* hs_test_path's ring of 32 buffers wraps inside the loop: keep every path in the loop */
  char s1[256], merged[256];
  snprintf(s1, sizeof s1, "%s", hs_test_path("s1.h5"));
  snprintf(merged, sizeof merged, "%s", hs_test_path("m.h5"));
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", s1, "--shard", "1/2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", half2, "--shard", "2/2", "--quiet", NULL}, 0, 0, NULL), 0);
  unsigned seed = 20261203;
  for (int k = 0; k < 48; k++) {
    int kind = k < 36 ? 0 : 1 + (k - 36) % 3;
    damage(s1, c, kind, &seed);
    assert_clean_exit(hs_test_run((const char *[]){"info", c, NULL}, 0, 0, log), log, "info", k, c);
    assert_clean_exit(hs_test_run((const char *[]){"info", c, "--verify", NULL}, 0, 0, log), log, "info --verify", k, c);
    int st = hs_test_run((const char *[]){"merge", merged, c, half2, "--force", NULL}, 0, 0, log);
    assert_clean_exit(st, log, "merge", k, c);
    if (st == 0) hs_test_assert_same_datasets(merged, ref);
    damage(base, partial, kind, &seed);
    st = hs_test_run((const char *[]){"sweep", LHS, "-o", out, "--resume", "--quiet", NULL}, 0, 0, log);
    assert_clean_exit(st, log, "resume", k, partial);
    if (st == 0) {
      hs_test_assert_same_datasets(out, ref);
      remove(out);
    }
    remove(partial);
  }
  hs_test_rmdir();
}
END_TEST

/* The last n - 1 bytes (at most) of the file at path, NUL-terminated, into buf. */
static const char *tail_of(const char *path, char *buf, size_t n) {
  FILE *f = fopen(path, "rb");
  size_t got = 0;
  if (f && fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    fseek(f, size > (long)n - 1 ? size - ((long)n - 1) : 0, SEEK_SET);
    got = fread(buf, 1, n - 1, f);
  }
  if (f) fclose(f);
  buf[got] = 0;
  return buf;
}

/* The files on which make fuzz crashed or hung HDF5 (tests/fixtures/fuzz/sweepfile/):
 * `info` refuses each with its reason and one exit code, writes nothing on stdout for a
 * refused file, and ends even where the library loops (the isolated read's CPU limit). */
START_TEST(test_fuzz_found_files) {
  static const struct {
    const char *name;
    int status;
    const char *says; /* after "hepatosim: error: fixtures/fuzz/sweepfile/<name>" */
  } files[] = {
      {"crash-0a348b16a2ea2eb12694f89f5fbd6b304a9f2dc5", 2,
       " is damaged: reading it crashed the HDF5 library (signal 11 in an isolated read); "
       "the file is not used"},
      {"crash-3fae0ad1ca09974be9cccddc5493412443dd8f24", 2,
       " is damaged: reading it crashed the HDF5 library (signal 11 in an isolated read); "
       "the file is not used"},
      {"timeout-0c06e5e9dab4b37f7acafab893e82c0d98afee29", 2,
       " is damaged: reading it did not end within 10 s of CPU time (the HDF5 library "
       "looped); the file is not used"},
      {"crash-4918848db28bf40ba3f0aaceb022754a912de54d", 1,
       ": HDF5 H5Dread '/dose_undelivered_mg' failed"},
      {"leak-b95f72c766511d8274cf75c0542b76fe523427ce", 1,
       ": HDF5 H5Dread '/fraction_eliminated_extrahepatic' failed"},
  };
  hs_test_mkdir();
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[160], want[400];
    const char *log = hs_test_path("log.txt");
    snprintf(path, sizeof path, "fixtures/fuzz/sweepfile/%s", files[i].name);
    snprintf(want, sizeof want, "hepatosim: error: %s%s\n", path, files[i].says);
    int st = hs_test_run((const char *[]){"info", path, NULL}, 0, 0, log);
    const char *text = hs_test_slurp(log); /* stdout and stderr: refused = the error alone */
    /* under ASan (make sanitize) HDF5's bad reads are caught in the isolated child too,
     * also in the two files the native build survives: it prints its report, exits 1, and
     * the file is refused with exit 2 */
    char san[400], end[512];
    snprintf(san, sizeof san, "hepatosim: error: %s is damaged: reading it failed in an isolated "
             "read (exit 1); the file is not used\n", path);
    tail_of(log, end, sizeof end);
    size_t n = strlen(end), ns = strlen(san);
    int san_ok = st == 2 && strstr(text, "AddressSanitizer") && n >= ns &&
                 !strcmp(end + n - ns, san);
    if (san_ok) continue;
    ck_assert_msg(st == files[i].status, "%s: exit %d, log %s", files[i].name, st, text);
    if (files[i].status == 2)
      ck_assert_str_eq(text, want);
    else
      ck_assert_msg(strstr(text, want), "%s: got %s", files[i].name, text);
  }
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_sweep(void) {
  Suite *s = suite_create("sweep");
  TCase *tc = tcase_create("engine");
  tcase_set_timeout(tc, 1800); /* a backstop: hs_test_run waits on progress, not wall time */
  tcase_add_test(tc, test_thread_count_independent);
  tcase_add_loop_test(tc, test_interrupt_and_resume, 0, 2);
  tcase_add_test(tc, test_invalid_runs_recorded);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_runs_limit);
  tcase_add_test(tc, test_sigterm_while_creating);
  suite_add_tcase(s, tc);
  TCase *hard = tcase_create("harden");
  tcase_set_timeout(hard, 300);
  tcase_add_test(hard, test_one_writer);
  tcase_add_test(hard, test_damaged_chunk);
  tcase_add_test(hard, test_full_disk_sweep);
  tcase_add_test(hard, test_damaged_files);
  tcase_add_test(hard, test_fuzz_found_files);
  suite_add_tcase(s, hard);
  return s;
}
