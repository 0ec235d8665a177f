/* hs_test.h - the suites of the single Check runner (tests/check_main.c) and helpers. */
#ifndef HS_TEST_H
#define HS_TEST_H

#include <check.h>
#include <stddef.h>

#include "hs_solver.h"

Suite *hs_suite_units(void);
Suite *hs_suite_model(void);
Suite *hs_suite_solver(void);
Suite *hs_suite_scenario(void);
Suite *hs_suite_output(void);
Suite *hs_suite_cli(void);
Suite *hs_suite_design(void);
Suite *hs_suite_sweepfile(void);
Suite *hs_suite_sweep(void);
Suite *hs_suite_shard(void);
Suite *hs_suite_mpi(void);
Suite *hs_suite_library(void);
Suite *hs_suite_compare(void);
Suite *hs_suite_nca(void);
Suite *hs_suite_drugs(void);
Suite *hs_suite_regimens(void);
Suite *hs_suite_liver(void);
Suite *hs_suite_nvec(void);
Suite *hs_suite_territory(void);
Suite *hs_suite_registry(void);
Suite *hs_suite_body(void);
Suite *hs_suite_embolization(void);
Suite *hs_suite_exact(void);
Suite *hs_suite_sensitivity(void);
Suite *hs_suite_patients(void);

/* Every dataset of sweep file a equals b's, bit for bit (strings by value); fails the
 * test naming the first that differs (tests/test_util.c). */
void hs_test_assert_same_datasets(const char *a, const char *b);

/* An int64 root attribute of an HDF5 file, -1 when missing. */
long long hs_test_attr_i64(const char *file, const char *name);

/* Root attribute `name` of an existing file set to v (int64, or int32 for `complete`). */
void hs_test_set_attr(const char *file, const char *name, long long v);

/* A string root attribute of an HDF5 file into buf ("" when missing); returns buf. */
const char *hs_test_attr_str(const char *file, const char *name, char *buf, size_t n);

/* Run the binary ($HS_BIN, else ../build/hepatosim) with args (NULL-terminated); once it
 * has used kill_ms > 0 milliseconds of CPU, send sig (CPU, not wall time: a loaded machine
 * delays a process's progress and this wait alike). Returns the exit status, or 128 +
 * signal, or -1 if the process hangs (hs_test_wait_progress). stdout and stderr go to log
 * (or /dev/null). */
int hs_test_run(const char *const *args, int kill_ms, int sig, const char *log);

/* hs_test_run with the child's file size limited to max_bytes (RLIMIT_FSIZE) and SIGXFSZ
 * ignored, so writes beyond it fail with EFBIG as on a full disk. */
int hs_test_run_fsize(const char *const *args, long max_bytes, const char *log);

/* Start the binary with args (stdout and stderr to log) and return its pid, without
 * waiting; hs_test_wait gives its exit status (or 128 + signal). */
int hs_test_start(const char *const *args, const char *log);
int hs_test_wait(int pid);

/* A copy of fixtures/sweep/long.yaml (24000 runs) with `runs` runs, in the test
 * directory as name; returns its path. */
const char *hs_test_long_sweep(const char *name, int runs);

/* A copy of fixtures/sweep/lhs.yaml (300 runs) with `runs: <runs>` (e.g. "9e8"), in the
 * test directory as name; returns its path. */
const char *hs_test_lhs_sweep(const char *name, const char *runs);

/* A sweep stopped while creating its file: log says "interrupted: <partial> holds no run
 * yet; ...", the partial file has runs_done 0 and complete 0, and no lock is left. */
void hs_test_assert_stopped_creation(const char *partial, const char *log);

/* CPU seconds (user + system, reaped children included) of process pid, with tree = 1
 * also of every process below it (mpirun's ranks); 0 when none is found (from /proc). */
double hs_test_cpu_s(pid_t pid, int tree);

/* Wait for the exit of child pid as long as it (and the processes below it) make
 * progress: fails (kills them, returns -1) only when they used less than 0.5 s of CPU in
 * 60 s, a hang on any machine, however loaded. Returns the exit status or 128 + signal. */
int hs_test_wait_progress(pid_t pid);

/* A fresh temporary directory per test (hs_test_mkdir / hs_test_rmdir), paths in it from
 * a ring of 32 buffers, existence, and a file's first 8 KiB of text. */
void hs_test_mkdir(void);
void hs_test_rmdir(void);
const char *hs_test_dir(void);
const char *hs_test_path(const char *name);
int hs_test_exists(const char *path);
const char *hs_test_slurp(const char *path);

/* Relative closeness |a - b| <= tol * max(|a|, |b|, tiny). */
#define HS_ASSERT_REL(a, b, tol)                                                          \
  do {                                                                                    \
    double hs_a_ = (a), hs_b_ = (b);                                                      \
    double hs_s_ = fabs(hs_a_) > fabs(hs_b_) ? fabs(hs_a_) : fabs(hs_b_);                 \
    ck_assert_msg(fabs(hs_a_ - hs_b_) <= (tol) * (hs_s_ > 1e-300 ? hs_s_ : 1e-300),       \
                  "%s = %.12g vs %s = %.12g (rel diff %.3g > %g)", #a, hs_a_, #b, hs_b_,  \
                  fabs(hs_a_ - hs_b_) / (hs_s_ > 1e-300 ? hs_s_ : 1e-300), (double)(tol)); \
  } while (0)

/* The reference patient of model.md (f_HA, f_TD given) and the s1 drug (linear, E_L 0.95,
 * renal CL 30 L/h); one dose of d mg by route r from t = 0 over t_inf h (0: a bolus),
 * asserting that the run succeeds (tests/test_util.c). */
hs_physiology hs_test_ref_phys(double f_ha, double f_td);
hs_drug hs_test_linear_drug(void);
hs_metrics hs_test_run_one(hs_solver *s, const hs_params *p, hs_route r, double d, double t_inf,
                           const hs_sim_opts *o, hs_trace *tr);

#endif
