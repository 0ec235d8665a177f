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
#define LONG "fixtures/sweep/long.yaml" /* 24000 runs in chunks of 50 */

#define ASSERT_LOG_HAS(log, s)                                                             \
  ck_assert_msg(strstr(hs_test_slurp(log), s) != NULL, "no '%s' in: %s", s, hs_test_slurp(log))

/* Nothing named *.tmp.* left in the test directory. */
static int no_temp_files(void) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -q '\\.tmp\\.'", hs_test_dir());
  return system(cmd) != 0;
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
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "-o", hs_test_path("full.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "--shard", "1/3", "-o", hs_test_path("s1.h5"), "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "--shard", "2/3", "-o", hs_test_path("s2.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", LHS, "--shard", "3/3", "-o", hs_test_path("s3.h5"), "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
}

/* ---- tests ------------------------------------------------------------------------- */

/* Shards merged in any order equal the unsharded sweep; info shows a shard's slice; an
 * existing output is replaced only with --force. */
START_TEST(test_merge_equals_unsharded) {
  hs_test_mkdir();
  const char *m = hs_test_path("merged.h5"), *log = hs_test_path("log.txt");
  make_lhs_shards();
  ck_assert_int_eq(hs_test_run((const char *[]){"info", hs_test_path("s2.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "shard 2/3: runs 96-191, 96 done of 96 (0 failed)\n");
  ck_assert(attr_str_is(hs_test_path("s2.h5"), "shard", "2/3"));
  ck_assert_int_eq(hs_test_attr_i64(hs_test_path("s2.h5"), "run_first"), 96);
  ck_assert_int_eq(hs_test_attr_i64(hs_test_path("s2.h5"), "run_end"), 192);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s3.h5"), hs_test_path("s1.h5"), hs_test_path("s2.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "merged 3 shards (300 runs, 0 failed) into ");
  hs_test_assert_same_datasets(hs_test_path("full.h5"), m);
  ck_assert_int_eq(hs_test_attr_i64(m, "runs_done"), 300);
  ck_assert_int_eq(hs_test_attr_i64(m, "complete"), 1);
  ck_assert_int_eq(hs_test_attr_i64(m, "run_first"), 0);
  ck_assert_int_eq(hs_test_attr_i64(m, "run_end"), 300);
  ck_assert(attr_str_is(m, "shard", ""));
  /* the solver asked for (the scenario's default, auto) is recorded and survives a merge */
  ck_assert(attr_str_is(hs_test_path("full.h5"), "solver", "auto"));
  ck_assert(attr_str_is(hs_test_path("s2.h5"), "solver", "auto"));
  ck_assert(attr_str_is(m, "solver", "auto"));
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("s2.h5"), hs_test_path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "exists; use --force to overwrite");
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("s2.h5"), hs_test_path("s3.h5"), "--force", NULL}, 0, 0, log), 0);
  hs_test_assert_same_datasets(hs_test_path("full.h5"), m);
  ck_assert(no_temp_files());
  hs_test_rmdir();
}
END_TEST

/* A missing slice, a shard given twice, a shard of another seed, a whole sweep: exit 2
 * with the reason, and no output or temporary file. */
START_TEST(test_merge_refusals) {
  hs_test_mkdir();
  const char *m = hs_test_path("merged.h5"), *log = hs_test_path("log.txt"), *seed7 = hs_test_path("seed7.yaml");
  char cmd[512];
  make_lhs_shards();
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "runs 96-191 are missing");
  ASSERT_LOG_HAS(log, "2/3");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", hs_test_path("s2.h5"), hs_test_path("s2copy.h5"));
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("s2.h5"), hs_test_path("s2copy.h5"), hs_test_path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "shard 2/3 is given twice");
  ASSERT_LOG_HAS(log, hs_test_path("s2.h5"));
  ASSERT_LOG_HAS(log, hs_test_path("s2copy.h5"));
  snprintf(cmd, sizeof cmd, "sed 's/seed: 20261126/seed: 7/' %s > %s", LHS, seed7);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", seed7, "--shard", "2/3", "-o", hs_test_path("x2.h5"), "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("x2.h5"), hs_test_path("s3.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, hs_test_path("x2.h5"));
  ASSERT_LOG_HAS(log, "seed differs");
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("full.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "is a whole sweep, not a shard");
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("s1.h5"), hs_test_path("none.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "none.h5");
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, NULL}, 0, 0, log), 2);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, "--bogus", hs_test_path("s1.h5"), NULL}, 0, 0, log), 2);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", "--help", NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "usage: hepatosim merge OUT.h5 SHARD.h5...");
  ck_assert(!hs_test_exists(m));
  ck_assert(no_temp_files());
  hs_test_rmdir();
}
END_TEST

/* A shard stopped by SIGTERM cannot be merged; resuming it as another shard is refused;
 * resumed as itself, it merges into the unsharded result. */
START_TEST(test_interrupted_shard) {
  hs_test_mkdir();
  const char *scen = hs_test_long_sweep("long8k.yaml", 8000), *m = hs_test_path("merged.h5"), *log = hs_test_path("log.txt");
  int st = hs_test_run((const char *[]){"sweep", scen, "--shard", "1/2", "-o", hs_test_path("l1.h5"), "-j", "1", "--quiet", NULL}, 250, SIGTERM, NULL);
  ck_assert_int_eq(st, 128 + SIGTERM);
  ck_assert(hs_test_exists(hs_test_path("l1.h5.partial")) && !hs_test_exists(hs_test_path("l1.h5")));
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", scen, "--shard", "2/2", "-o", hs_test_path("l2.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("l1.h5.partial"), hs_test_path("l2.h5"), NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "is not complete");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", scen, "--shard", "2/2", "-o", hs_test_path("l1.h5"), "--resume", NULL}, 0, 0, log), 2);
  ASSERT_LOG_HAS(log, "cannot be resumed safely: shard differs (file 1/2, now 2/2)");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", scen, "--shard", "1/2", "-o", hs_test_path("l1.h5"), "-j", "2", "--resume", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, hs_test_path("l2.h5"), hs_test_path("l1.h5"), NULL}, 0, 0, log), 0);
  ASSERT_LOG_HAS(log, "merged 2 shards (8000 runs, 0 failed)");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", scen, "-o", hs_test_path("full.h5"), "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(hs_test_path("full.h5"), m);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_shard(void) {
  Suite *s = suite_create("shard");
  TCase *tc = tcase_create("merge");
  tcase_set_timeout(tc, 1800); /* a backstop: hs_test_run waits on progress, not wall time */
  tcase_add_test(tc, test_merge_equals_unsharded);
  tcase_add_test(tc, test_merge_refusals);
  tcase_add_test(tc, test_interrupted_shard);
  suite_add_tcase(s, tc);
  return s;
}
