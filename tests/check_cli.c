/* check_cli.c - the hepatosim command line, run as a child process: exit codes, messages,
 * refusal of malformed scenarios, outputs and --force. Run from tests/; the binary is
 * $HS_BIN or ../build/hepatosim. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "hs_library.h"
#include "hs_output.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_test.h"

#define BAD_DIR "fixtures/bad"
#define S2 "../scenarios/reference/s2.yaml"
#define S4 "../scenarios/reference/s4.yaml"
#define S1 "../scenarios/reference/s1.yaml"
#define CMP_CYCLES "fixtures/compare/cycles.yaml"
#define CMP_BAD "fixtures/compare/bad_unit.yaml"
#define CMP_FAIL "fixtures/compare/fail_steps.yaml"

/* A temporary directory: cap/ holds the child's stdout and stderr, out/ its outputs. */
typedef struct cli {
  char dir[64], out[96];
  char *stdout_text, *stderr_text; /* of the last run */
} cli;

static const char *bin(void) {
  const char *b = getenv("HS_BIN");
  return b && *b ? b : "../build/hepatosim";
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n + 4096 + 1 > cap && !(buf = realloc(buf, cap = 2 * cap + 4096 + 1))) break;
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  if (buf) buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

/* All of a test case's directories live under one root, removed by the case's
 * teardown, so a failing test leaves nothing behind either. */
static char root[32];

static void root_create(void) {
  snprintf(root, sizeof root, "/tmp/hs_cli_XXXXXX");
  if (!mkdtemp(root)) root[0] = '\0';
}

static void rm_tree(const char *path);
static void root_remove(void) {
  if (root[0]) rm_tree(root);
}

static void cli_open(cli *c) {
  memset(c, 0, sizeof *c);
  ck_assert_msg(root[0], "no temporary directory");
  snprintf(c->dir, sizeof c->dir, "%s/tXXXXXX", root);
  ck_assert_ptr_nonnull(mkdtemp(c->dir));
  char cap[96];
  snprintf(cap, sizeof cap, "%s/cap", c->dir);
  snprintf(c->out, sizeof c->out, "%s/out", c->dir);
  ck_assert(mkdir(cap, 0700) == 0 && mkdir(c->out, 0700) == 0);
}

static void rm_tree(const char *path) {
  DIR *dp = opendir(path);
  if (dp) {
    char sub[512];
    for (struct dirent *e; (e = readdir(dp));) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      rm_tree(sub);
    }
    closedir(dp);
    rmdir(path);
  } else {
    unlink(path);
  }
}

static void cli_close(cli *c) {
  free(c->stdout_text);
  free(c->stderr_text);
  rm_tree(c->dir);
}

/* Run the binary with args (NULL-terminated); returns its exit status. */
static int cli_run(cli *c, const char *const *args) {
  char out[128], err[128];
  const char *argv[16] = {bin()};
  int n = 1;
  while (args[n - 1] && n < 15) argv[n] = args[n - 1], n++;
  argv[n] = NULL;
  snprintf(out, sizeof out, "%s/cap/stdout", c->dir);
  snprintf(err, sizeof err, "%s/cap/stderr", c->dir);
  fflush(NULL);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(126);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg(WIFEXITED(status), "%s did not exit normally", argv[0]);
  ck_assert_msg(WEXITSTATUS(status) != 127, "cannot run %s (set HS_BIN?)", argv[0]);
  free(c->stdout_text);
  free(c->stderr_text);
  c->stdout_text = slurp(out, NULL);
  c->stderr_text = slurp(err, NULL);
  ck_assert(c->stdout_text && c->stderr_text);
  return WEXITSTATUS(status);
}

#define RUN(c, ...) cli_run(c, (const char *const[]){__VA_ARGS__, NULL})

static int n_entries(const char *dir) {
  DIR *dp = opendir(dir);
  int n = 0;
  if (!dp) return -1;
  for (struct dirent *e; (e = readdir(dp));) n += e->d_name[0] != '.';
  closedir(dp);
  return n;
}

/* ---- usage ---------------------------------------------------------------------------- */

START_TEST(test_version) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "--version"), 0);
  ck_assert_str_eq(c.stdout_text, "hepatosim 0.1.0\n");
  cli_close(&c);
}
END_TEST

static const char *const HELP[][2] = {
    {"--help", NULL}, {"run", "--help"}, {"run", "-h"}, {"compare", "--help"}};

START_TEST(test_help) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, HELP[_i][0], HELP[_i][1]), 0);
  ck_assert_msg(strstr(c.stdout_text, "--force"), "%s %s: no --force in\n%s", HELP[_i][0],
                HELP[_i][1] ? HELP[_i][1] : "", c.stdout_text);
  cli_close(&c);
}
END_TEST

/* Usage errors: exit 2 and a message naming the offending word. */
static const char *const USAGE_ERR[][4] = {
    {"simulate", S2, NULL, "unknown command 'simulate'"},
    {"--verbose", NULL, NULL, "unknown command '--verbose'"},
    {"run", S2, "--fast", "unknown or incomplete option --fast"},
    {"run", S2, "-o", "unknown or incomplete option -o"},
    {"run", NULL, NULL, "no scenario file given"},
    {"compare", NULL, NULL, "no scenario files given"},
    {"compare", S2, "--fast", "unknown or incomplete option --fast"},
    {"compare", S2, "-o", "unknown or incomplete option -o"},
};

START_TEST(test_usage_error) {
  cli c;
  cli_open(&c);
  const char *const *u = USAGE_ERR[_i];
  ck_assert_int_eq(RUN(&c, u[0], u[1], u[2]), 2);
  ck_assert_msg(strstr(c.stderr_text, u[3]), "want '%s' in '%s'", u[3], c.stderr_text);
  cli_close(&c);
}
END_TEST

START_TEST(test_missing_file) {
  cli c;
  cli_open(&c);
  char path[128];
  snprintf(path, sizeof path, "%s/no_such_scenario.yaml", c.dir);
  ck_assert_int_eq(RUN(&c, "run", path), 2);
  ck_assert_msg(strstr(c.stderr_text, path), "no '%s' in '%s'", path, c.stderr_text);
  cli_close(&c);
}
END_TEST

/* ---- malformed scenarios: exit 2, the file named, nothing written ---------------------- */

/* Files past the input limits, or not UTF-8 text: exit 2, the message with line and column
 * on one line, nothing written. */
static const struct {
  const char *head; /* then `deep` nested '[', then tail */
  size_t n_head;
  int deep;
  const char *tail, *want;
} LIMITS[] = {
    {"", 0, 40000, "", "1:65: lists and mappings nested deeper than 64 levels"},
    {"simulation: {end: 1 h}\n", 23, 0, "---\nbogus: 1\n",
     "2:1: a second YAML document ('---' after the first): only one document is allowed in a "
     "scenario or data file"},
    {"simulation:\n  end: 1\0 h\n", 24, 0, "", "2:9: NUL byte: not a text file (scenario and "
                                              "data files are UTF-8 text)"},
    {"\xFF\xFEs\0i\0", 6, 0, "", "1:1: the file is UTF-16 (it starts with a byte-order mark); "
                                 "save it as UTF-8"},
    {"simulation: {end: 1 h}\ndescription: 5 \xB5g\n", 39, 0, "",
     "2:16: invalid UTF-8 (byte 0xB5); save the file as UTF-8"},
};

START_TEST(test_input_limits) {
  cli c;
  cli_open(&c);
  char path[128], h5[128], want[512];
  snprintf(path, sizeof path, "%s/limits.yaml", c.dir);
  snprintf(h5, sizeof h5, "%s/out.h5", c.out);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  fwrite(LIMITS[_i].head, 1, LIMITS[_i].n_head, f);
  for (int k = 0; k < 2 * LIMITS[_i].deep; k++) fputc(k < LIMITS[_i].deep ? '[' : ']', f);
  fputs(LIMITS[_i].tail, f);
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_int_eq(RUN(&c, "run", path, "-o", h5), 2);
  snprintf(want, sizeof want, "hepatosim: error: %s:%s\n", path, LIMITS[_i].want);
  ck_assert_str_eq(c.stderr_text, want);
  ck_assert_int_eq(n_entries(c.out), 0);
  cli_close(&c);
}
END_TEST


static int is_yaml(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 5 && !strcmp(e->d_name + n - 5, ".yaml");
}

/* The i-th fixture (sorted) under fixtures/bad/ into name; the count of fixtures. */
static int bad_fixture(int i, char *name, size_t cap) {
  struct dirent **list;
  int n = scandir(BAD_DIR, &list, is_yaml, alphasort);
  for (int k = 0; k < n; k++) {
    if (k == i) snprintf(name, cap, "%s/%s", BAD_DIR, list[k]->d_name);
    free(list[k]);
  }
  if (n >= 0) free(list);
  return n;
}

START_TEST(test_bad_fixture) {
  char fixture[256], h5[128];
  ck_assert_int_ge(bad_fixture(_i, fixture, sizeof fixture), 30);
  cli c;
  cli_open(&c);
  snprintf(h5, sizeof h5, "%s/out.h5", c.out);
  ck_assert_int_eq(RUN(&c, "run", fixture, "-o", h5), 2);
  ck_assert_msg(strstr(c.stderr_text, fixture), "%s not named in '%s'", fixture, c.stderr_text);
  ck_assert_msg(!strchr(c.stderr_text, '\n') || strchr(c.stderr_text, '\n')[1] == '\0',
                "%s: want one line on stderr, got '%s'", fixture, c.stderr_text);
  ck_assert_int_eq(n_entries(c.out), 0); /* neither out.h5 nor a temporary file */
  cli_close(&c);
}
END_TEST

/* ---- outputs -------------------------------------------------------------------------- */

static const char *const METRICS[] = {
    "auc_plasma", "auc_tumor", "auc_liver", "auc_tumor_venous", "cmax_plasma",
    "tmax_plasma", "cmax_tumor", "tmax_tumor", "fraction_eliminated_liver",
    "fraction_eliminated_renal", "fraction_eliminated_extrahepatic", "mass_balance_error",
    "regional_advantage", "auc_plasma_iv", "auc_tumor_iv"};

/* The number after "\"key\":" in json. */
static double json_number(const char *json, const char *key) {
  char pat[96];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(json, pat);
  ck_assert_msg(p != NULL, "no %s in\n%s", pat, json);
  char *end;
  double v = strtod(p + strlen(pat), &end);
  ck_assert_msg(end != p + strlen(pat), "%s is not a number", key);
  return v;
}

/* s2's metrics through the library, as the CLI computes them. */
static hs_metrics s2_metrics(void) {
  hs_scenario sc;
  hs_results res = {0};
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(s != NULL, "%s", err.msg);
  ck_assert_int_eq(hs_scenario_load(&sc, S2, NULL, &err), HS_OK);
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
  hs_metrics m = res.drugs[0].metrics;
  ck_assert_int_eq(res.drugs[0].has_iv, 1);
  hs_results_release(&res);
  hs_scenario_release(&sc);
  hs_solver_free(s);
  return m;
}

START_TEST(test_json_metrics) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "run", S2, "--json"), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\"s2_saturable\""));
  for (size_t i = 0; i < sizeof METRICS / sizeof METRICS[0]; i++)
    json_number(c.stdout_text, METRICS[i]);
  hs_metrics m = s2_metrics();
  HS_ASSERT_REL(json_number(c.stdout_text, "auc_plasma"), m.auc_plasma, 1e-9);
  HS_ASSERT_REL(json_number(c.stdout_text, "auc_tumor"), m.auc_tumor, 1e-9);
  HS_ASSERT_REL(json_number(c.stdout_text, "regional_advantage"), m.regional_advantage, 1e-9);
  HS_ASSERT_REL(json_number(c.stdout_text, "fraction_eliminated_liver"),
                m.fraction_eliminated_liver, 1e-9);
  cli_close(&c);
}
END_TEST

/* The summary table leaves out diagnostics no drug has (gastric and uncovered-territory
 * metrics without those options) and shows them when the option is on. */
START_TEST(test_table_option_metrics) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "run", S2), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\nfraction_eliminated_binding "));
  ck_assert_ptr_null(strstr(c.stdout_text, "auc_gastric"));
  ck_assert_ptr_null(strstr(c.stdout_text, "auc_liver_uncovered"));
  ck_assert_ptr_null(strstr(c.stdout_text, "nan"));
  ck_assert_int_eq(RUN(&c, "run", "../scenarios/gastric_misperfusion.yaml"), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\nauc_gastric "));
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\ncmax_gastric "));
  cli_close(&c);
}
END_TEST

static const char SENTINEL[] = "not an HDF5 file: must survive a run without --force\n";

START_TEST(test_force) {
  cli c;
  cli_open(&c);
  char h5[128];
  snprintf(h5, sizeof h5, "%s/out.h5", c.out);
  FILE *f = fopen(h5, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(SENTINEL, f);
  fclose(f);
  ck_assert_int_eq(RUN(&c, "run", S4, "-o", h5), 2);
  ck_assert_msg(strstr(c.stderr_text, h5) && strstr(c.stderr_text, "--force"), "got '%s'",
                c.stderr_text);
  char *kept = slurp(h5, NULL);
  ck_assert_str_eq(kept, SENTINEL);
  free(kept);
  ck_assert_int_eq(RUN(&c, "run", S4, "-o", h5, "--force"), 0);
  size_t len;
  char *data = slurp(h5, &len);
  ck_assert(len > 8 && memcmp(data, "\x89HDF\r\n\x1a\n", 8) == 0);
  free(data);
  ck_assert_int_eq(n_entries(c.out), 1); /* no temporary file left behind */
  cli_close(&c);
}
END_TEST

/* A full disk (the child's file size limit) under `run -o` and `run --csv`: exit 1, not a
 * crash in HDF5's exit-time cleanup (HDF5 1.10.8 segfaulted there, exit 139), a message
 * naming the file and the cause, and no file left, neither final nor temporary. */
START_TEST(test_full_disk) {
  hs_test_mkdir();
  const char *h5 = hs_test_path("out/r.h5"), *csv = hs_test_path("out/csv"),
             *log = hs_test_path("log.txt");
  char out[128], want[256];
  snprintf(out, sizeof out, "%s/out", hs_test_dir());
  ck_assert_int_eq(mkdir(out, 0755), 0);
  ck_assert_int_eq(hs_test_run_fsize((const char *[]){"run", S4, "-o", h5, NULL}, 8 << 10, log), 1);
  snprintf(want, sizeof want, "hepatosim: error: %s: HDF5 ", h5);
  const char *text = hs_test_slurp(log);
  ck_assert_msg(!strncmp(text, want, strlen(want)) && strstr(text, "File too large"), "got: %s", text);
  ck_assert_int_eq(n_entries(out), 0);
  ck_assert_int_eq(hs_test_run_fsize((const char *[]){"run", S4, "--csv", csv, NULL}, 512, log), 1);
  snprintf(want, sizeof want, "hepatosim: error: %s/", csv);
  text = hs_test_slurp(log);
  ck_assert_msg(!strncmp(text, want, strlen(want)) && strstr(text, ".csv") &&
                strstr(text, "write failed: File too large"), "got: %s", text);
  ck_assert_int_eq(n_entries(csv), 0);
  hs_test_rmdir();
}
END_TEST

/* s2: 24 h at 1 min gives 1441 rows after the header. */
START_TEST(test_csv) {
  cli c;
  cli_open(&c);
  char dir[128], file[160];
  snprintf(dir, sizeof dir, "%s/csv", c.out);
  ck_assert_int_eq(RUN(&c, "run", S2, "--csv", dir), 0);
  snprintf(file, sizeof file, "%s/s2_saturable.csv", dir);
  char *text = slurp(file, NULL);
  ck_assert_msg(text != NULL, "no %s", file);
  ck_assert_msg(strncmp(text, "time", 4) == 0, "header: %.80s", text);
  int lines = 0;
  for (const char *p = text; *p; p++) lines += *p == '\n';
  ck_assert_int_eq(lines, 1 + 1441);
  free(text);
  /* existing CSV output: refused before any HDF5 file is written, kept without --force */
  char h5[160];
  snprintf(h5, sizeof h5, "%s/new.h5", c.out);
  ck_assert_int_eq(RUN(&c, "run", S2, "--csv", dir, "-o", h5), 2);
  ck_assert_msg(strstr(c.stderr_text, "s2_saturable.csv exists; use --force to overwrite"),
                "got '%s'", c.stderr_text);
  ck_assert_int_eq(access(h5, F_OK), -1);
  ck_assert_int_eq(RUN(&c, "run", S2, "--csv", dir, "-o", h5, "--force"), 0);
  cli_close(&c);
}
END_TEST

/* A solver failure (too few steps allowed) exits 3 and writes nothing. */
START_TEST(test_solver_failure) {
  cli c;
  cli_open(&c);
  char yaml[160], h5[160];
  snprintf(yaml, sizeof yaml, "%s/fail.yaml", c.out);
  snprintf(h5, sizeof h5, "%s/fail.h5", c.out);
  char *text = slurp(S2, NULL);
  FILE *f = fopen(yaml, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "%s  max_steps: 2\n", text);
  fclose(f);
  free(text);
  ck_assert_int_eq(RUN(&c, "run", yaml, "-o", h5), 3);
  ck_assert_msg(strstr(c.stderr_text, "CVODE failed"), "got '%s'", c.stderr_text);
  ck_assert_int_eq(access(h5, F_OK), -1);
  cli_close(&c);
}
END_TEST

/* Write text to path. */
static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_ge(fputs(text, f), 0);
  ck_assert_int_eq(fclose(f), 0);
}

/* ---- the table of output formats ------------------------------------------------------ */

/* The regular files under dir, recursively. */
static int n_files(const char *dir) {
  DIR *dp = opendir(dir);
  int n = 0;
  char sub[512];
  struct stat st;
  if (!dp) return 0;
  for (struct dirent *e; (e = readdir(dp));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    if (stat(sub, &st) == 0) n += S_ISDIR(st.st_mode) ? n_files(sub) : 1;
  }
  closedir(dp);
  return n;
}

/* The files format f writes at dest for the scenario of path; their count. */
static int format_files(const hs_output_format *f, const char *dest, const char *path,
                        char out[][256], int cap) {
  hs_scenario sc;
  hs_error err;
  int n = 0;
  ck_assert_msg(hs_scenario_load(&sc, path, NULL, &err) == HS_OK, "%s", err.msg);
  while (f->file && n < cap && f->file(dest, &sc, n, out[n], 256)) n++;
  hs_scenario_release(&sc);
  return n;
}

/* `run SCENARIO OPT [DEST] [--force]`: its exit status. */
static int run_format(cli *c, const char *scenario, const char *opt, const char *dest,
                      int force) {
  const char *args[6] = {"run", scenario, opt}, **a = args + 3;
  if (dest) *a++ = dest;
  if (force) *a++ = "--force";
  return cli_run(c, args);
}

/* Format row _i through `run`, by each of its option names. On a scenario of two drugs:
 * accepted, writes exactly the files the row lists (or prints in place of the table) and
 * reports them; refused when they exist, replaced with --force. On a scenario whose solve
 * fails: each listed file alone stops the run before the solver (exit 2, not 3). */
START_TEST(test_run_format) {
  int n;
  const hs_output_format *f = &hs_output_formats(&n)[_i];
  if (!f->option) return; /* the default summary: every other test */
  const char *names[2] = {f->option, f->short_option};
  for (int o = 0; o < 2 && names[o]; o++) {
    cli c;
    cli_open(&c);
    char dest[160], files[8][256], line[300];
    snprintf(dest, sizeof dest, "%s/dest", c.out);
    const char *d = f->arg ? dest : NULL, *opt = names[o];
    int nf = format_files(f, dest, CMP_CYCLES, files, 8);
    ck_assert_msg(run_format(&c, CMP_CYCLES, opt, d, 0) == 0, "%s: %s", opt, c.stderr_text);
    ck_assert_int_eq(n_files(c.out), nf);
    for (int i = 0; i < nf; i++) ck_assert_msg(access(files[i], F_OK) == 0, "no %s", files[i]);
    if (f->wrote) snprintf(line, sizeof line, f->wrote, dest);
    ck_assert_msg(!f->wrote || strstr(c.stderr_text, line), "%s: no '%s' in '%s'", opt, line,
                  c.stderr_text);
    ck_assert(c.stdout_text[0]); /* the table, or the format itself */
    ck_assert_int_eq(!strncmp(c.stdout_text, "scenario: ", 10), !f->to_stdout);
    ck_assert_int_eq(!strstr(c.stderr_text, "simulated in"), f->to_stdout);
    if (nf) {
      ck_assert_int_eq(run_format(&c, CMP_CYCLES, opt, d, 0), 2);
      ck_assert_int_eq(run_format(&c, CMP_CYCLES, opt, d, 1), 0);
      ck_assert_int_eq(n_files(c.out), nf);
    }
    for (int i = 0; i < nf; i++) unlink(files[i]);
    nf = format_files(f, dest, CMP_FAIL, files, 8);
    for (int k = 0; k < nf; k++) { /* only file k exists */
      for (int i = 0; i < nf; i++) unlink(files[i]);
      put_file(files[k], SENTINEL);
      ck_assert_int_eq(run_format(&c, CMP_FAIL, opt, d, 0), 2);
      snprintf(line, sizeof line, "hepatosim: error: %s exists; use --force to overwrite\n",
               files[k]);
      ck_assert_str_eq(c.stderr_text, line);
      ck_assert_str_eq(c.stdout_text, "");
      ck_assert_int_eq(n_files(c.out), 1);
      char *kept = slurp(files[k], NULL);
      ck_assert_str_eq(kept, SENTINEL);
      free(kept);
    }
    cli_close(&c);
  }
}
END_TEST

/* `run --help` names every format: in the synopsis and on a line with its help. */
START_TEST(test_run_usage_formats) {
  int n;
  const hs_output_format *f = hs_output_formats(&n);
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "run", "--help"), 0);
  const char *t = c.stdout_text;
  size_t synopsis = strcspn(t, "\n");
  for (int i = 0; i < n; i++) {
    if (!f[i].option) continue;
    char want[128], *p;
    snprintf(want, sizeof want, "[%s%s%s]", f[i].short_option ? f[i].short_option : f[i].option,
             f[i].arg ? " " : "", f[i].arg ? f[i].arg : "");
    ck_assert_msg((p = strstr(t, want)) && (size_t)(p - t) < synopsis, "no %s in %.*s", want,
                  (int)synopsis, t);
    snprintf(want, sizeof want, "%s%s%s ", f[i].option, f[i].arg ? " " : "",
             f[i].arg ? f[i].arg : "");
    ck_assert_msg((p = strstr(t, want)), "no '%s' in\n%s", want, t);
    p = strchr(p, '\n');
    ck_assert_msg(p && !strncmp(p - strlen(f[i].help), f[i].help, strlen(f[i].help)),
                  "%s: help line", f[i].option);
  }
  /* the top-level usage's line for run is the same synopsis */
  char line[512];
  snprintf(line, sizeof line, "\n  %.*s\n", (int)synopsis - (int)strlen("usage: hepatosim "),
           t + strlen("usage: hepatosim "));
  ck_assert_int_eq(RUN(&c, "--help"), 0);
  ck_assert_msg(strstr(c.stdout_text, line), "no '%s' in\n%s", line, c.stdout_text);
  cli_close(&c);
}
END_TEST

/* ---- compare ------------------------------------------------------------------------- */

START_TEST(test_compare_help) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "--help"), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "  compare SCENARIO.yaml... [-o FILE.csv|FILE.h5]"));
  ck_assert_int_eq(RUN(&c, "compare", "--help"), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "usage: hepatosim compare SCENARIO.yaml..."));
  ck_assert_int_eq(RUN(&c, "compare", S2, "-o", "out.txt"), 2);
  ck_assert_ptr_nonnull(strstr(c.stderr_text, "hepatosim: output must end in .csv or .h5: out.txt"));
  cli_close(&c);
}
END_TEST

/* The whitespace-separated field k (0-based) of the line of text starting with prefix. */
static void table_field(const char *text, const char *prefix, int k, char *out, size_t cap) {
  const char *line = text;
  while (line && strncmp(line, prefix, strlen(prefix)))
    line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
  ck_assert_msg(line != NULL, "no line '%s' in\n%s", prefix, text);
  for (int i = 0; i < k; i++) {
    line += strcspn(line, " \n");
    line += strspn(line, " ");
  }
  snprintf(out, cap, "%.*s", (int)strcspn(line, " \n"), line);
}

/* s1 and s2: one table, s2's regional advantage as `run --json` reports it (4 digits). */
START_TEST(test_compare_table) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "run", S2, "--json"), 0);
  char want[32], got[32], want_t_iv[32], want_p_iv[32];
  snprintf(want, sizeof want, "%.4g", json_number(c.stdout_text, "regional_advantage"));
  snprintf(want_t_iv, sizeof want_t_iv, "%.4g", json_number(c.stdout_text, "auc_tumor_iv"));
  snprintf(want_p_iv, sizeof want_p_iv, "%.4g", json_number(c.stdout_text, "auc_plasma_iv"));
  ck_assert_int_eq(RUN(&c, "compare", S1, S2), 0);
  const char *t = c.stdout_text;
  ck_assert_msg(strncmp(t, "scenario  drug", 14) == 0, "header: %.120s", t);
  ck_assert_ptr_nonnull(strstr(t, "T AUC"));
  ck_assert_ptr_nonnull(strstr(t, "mg*h/L"));
  ck_assert_ptr_null(strstr(t, "n/a")); /* both have an IV comparator */
  table_field(t, "s1 ", 1, got, sizeof got);
  ck_assert_str_eq(got, "s1_linear");
  table_field(t, "s2 ", 8, got, sizeof got); /* scenario, drug, 6 numbers, RA */
  ck_assert_str_eq(got, want);
  /* the IV comparator's own tumour and plasma AUC on the line under the arm */
  table_field(t, "s2        s2_saturable IV ", 3, got, sizeof got);
  ck_assert_str_eq(got, want_t_iv);
  table_field(t, "s2        s2_saturable IV ", 6, got, sizeof got);
  ck_assert_str_eq(got, want_p_iv);
  cli_close(&c);
}
END_TEST

/* Field k of a CSV line without quoted fields. */
static void csv_field(const char *line, int k, char *out, size_t cap) {
  for (int i = 0; i < k; i++) line = strchr(line, ',') + 1;
  snprintf(out, cap, "%.*s", (int)strcspn(line, ",\n"), line);
}

START_TEST(test_compare_csv) {
  cli c;
  cli_open(&c);
  char csv[160], f[64];
  snprintf(csv, sizeof csv, "%s/cmp.csv", c.out);
  ck_assert_int_eq(RUN(&c, "compare", CMP_CYCLES, S2, "-o", csv), 0);
  char *text = slurp(csv, NULL);
  ck_assert_ptr_nonnull(text);
  ck_assert_msg(strncmp(text, "scenario,drug,parent,auc_tumor_mg_h_per_L,cmax_tumor_mg_per_L,", 62)
                    == 0, "header: %.100s", text);
  int lines = 0;
  for (const char *p = text; *p; p++) lines += *p == '\n';
  ck_assert_int_eq(lines, 1 + 3); /* cycles: 2 drugs, s2: 1 */
  const char *row = strchr(text, '\n') + 1;
  csv_field(row, 1, f, sizeof f);
  ck_assert_str_eq(f, "daily_hai");
  csv_field(row, 9, f, sizeof f); /* regional_advantage: no IV comparator */
  ck_assert_str_eq(f, "nan");
  row = strstr(text, "\ns2,") + 1;
  csv_field(row, 9, f, sizeof f);
  ck_assert(strtod(f, NULL) > 1);
  free(text);
  ck_assert_int_eq(n_entries(c.out), 1); /* no temporary file */
  cli_close(&c);
}
END_TEST

/* A string attribute of loc as a malloc'ed copy. */
static char *h5_str_attr(hid_t loc, const char *name) {
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a);
  char *v = NULL, *copy;
  ck_assert_int_ge(a, 0);
  ck_assert_int_ge(H5Aread(a, t, &v), 0);
  copy = strdup(v);
  H5free_memory(v);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

START_TEST(test_compare_h5) {
  cli c;
  cli_open(&c);
  char h5[160];
  snprintf(h5, sizeof h5, "%s/cmp.h5", c.out);
  ck_assert_int_eq(RUN(&c, "compare", CMP_CYCLES, S2, "-o", h5), 0);
  hid_t file = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  hid_t row = H5Dopen2(file, "row", H5P_DEFAULT), ds = H5Dopen2(file, "auc_tumor", H5P_DEFAULT);
  ck_assert_int_gt(H5DSis_scale(row), 0);
  ck_assert_int_gt(H5DSis_attached(ds, row, 0), 0);
  hid_t space = H5Dget_space(ds);
  hsize_t n = 0;
  ck_assert_int_eq(H5Sget_simple_extent_ndims(space), 1);
  H5Sget_simple_extent_dims(space, &n, NULL);
  ck_assert_int_eq((int)n, 3);
  char *units = h5_str_attr(ds, "units");
  ck_assert_str_eq(units, "mg*h/L");
  free(units);
  double ra[3];
  hid_t rad = H5Dopen2(file, "regional_advantage", H5P_DEFAULT);
  ck_assert_int_ge(H5Dread(rad, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ra), 0);
  ck_assert(isnan(ra[0]) && isnan(ra[1]) && ra[2] > 1);
  hid_t fa = H5Aopen(file, "scenario_files", H5P_DEFAULT), fs = H5Aget_space(fa);
  ck_assert_int_eq((int)H5Sget_simple_extent_npoints(fs), 2);
  H5Sclose(fs);
  H5Aclose(fa);
  H5Dclose(rad);
  H5Sclose(space);
  H5Dclose(ds);
  H5Dclose(row);
  H5Fclose(file);
  cli_close(&c);
}
END_TEST

START_TEST(test_compare_force) {
  cli c;
  cli_open(&c);
  char csv[128];
  snprintf(csv, sizeof csv, "%s/cmp.csv", c.out);
  put_file(csv, SENTINEL);
  ck_assert_int_eq(RUN(&c, "compare", S2, "-o", csv), 2);
  char want[200];
  snprintf(want, sizeof want, "hepatosim: error: %s exists; use --force to overwrite\n", csv);
  ck_assert_str_eq(c.stderr_text, want);
  char *kept = slurp(csv, NULL);
  ck_assert_str_eq(kept, SENTINEL);
  free(kept);
  ck_assert_int_eq(RUN(&c, "compare", S2, "-o", csv, "--force"), 0);
  kept = slurp(csv, NULL);
  ck_assert_msg(strncmp(kept, "scenario,drug,", 14) == 0, "got %.40s", kept);
  free(kept);
  ck_assert_int_eq(n_entries(c.out), 1);
  cli_close(&c);
}
END_TEST

/* A scenario that does not load: exit 2, its file:line message, nothing written. */
START_TEST(test_compare_bad_scenario) {
  cli c;
  cli_open(&c);
  char h5[128];
  snprintf(h5, sizeof h5, "%s/cmp.h5", c.out);
  ck_assert_int_eq(RUN(&c, "compare", S2, CMP_BAD, "-o", h5), 2);
  ck_assert_msg(strstr(c.stderr_text, "hepatosim: error: " CMP_BAD ":25:22: "
                                      "'drugs.daily_hai.renal_clearance': missing unit"),
                "got '%s'", c.stderr_text);
  ck_assert_str_eq(c.stdout_text, "");
  ck_assert_int_eq(n_entries(c.out), 0);
  cli_close(&c);
}
END_TEST

/* A solver failure in the second scenario: exit 3, scenario and drug named, no file. */
START_TEST(test_compare_solver_failure) {
  cli c;
  cli_open(&c);
  char csv[160];
  snprintf(csv, sizeof csv, "%s/cmp.csv", c.out);
  ck_assert_int_eq(RUN(&c, "compare", S1, CMP_FAIL, "-o", csv), 3);
  const char *want = "hepatosim: error: " CMP_FAIL ": drug 's2_saturable': ";
  ck_assert_msg(strncmp(c.stderr_text, want, strlen(want)) == 0, "got '%s'", c.stderr_text);
  ck_assert_ptr_nonnull(strstr(c.stderr_text, "CVODE failed"));
  ck_assert_str_eq(c.stdout_text, "");
  ck_assert_int_eq(n_entries(c.out), 0);
  cli_close(&c);
}
END_TEST

/* ---- hepatosim drugs -------------------------------------------------------------------- */

/* The number printed after `label` on its line (e.g. "normal-liver extraction E_L  0.97"). */
static double labelled_number(const char *text, const char *label) {
  const char *p = strstr(text, label);
  ck_assert_msg(p != NULL, "no '%s' in\n%s", label, text);
  return strtod(p + strlen(label), NULL);
}

/* `drugs` lists every library file; `drugs show` finds an alias, prints sources and the
 * identities' predictions, which equal hs_model_analytic for the same drug. */
START_TEST(test_drugs_list_and_show) {
  cli c;
  cli_open(&c);
  ck_assert_int_eq(RUN(&c, "drugs"), 0);
  static char names[HS_LIB_MAX_DRUGS][64];
  hs_error err;
  int n = hs_library_names(NULL, names, HS_LIB_MAX_DRUGS, &err);
  ck_assert_int_ge(n, 16);
  for (int i = 0; i < n; i++) {
    char line[80];
    snprintf(line, sizeof line, "\n%s ", names[i]);
    ck_assert_msg(strstr(c.stdout_text, line) != NULL, "'%s' not listed", names[i]);
  }
  char count[64];
  snprintf(count, sizeof count, "%d entries in ", n);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, count));

  ck_assert_int_eq(RUN(&c, "drugs", "show", "fudr"), 0);
  const char *t = c.stdout_text;
  ck_assert_msg(!strncmp(t, "floxuridine (aliases: FUDR", 26), "%.80s", t);
  ck_assert_ptr_nonnull(strstr(t, "hepatic_clint"));
  ck_assert_ptr_nonnull(strstr(t, "Kanat"));   /* the source of its hepatic extraction */
  hs_drug d;
  ck_assert_int_eq(hs_library_drug(NULL, "floxuridine", NULL, &d, &err), HS_OK);
  hs_scenario sc;
  /* `drugs show` describes the reference adult of physiology.yaml: a scenario that
   * writes neither patient nor tumour */
  ck_assert_int_eq(hs_scenario_load_text(&sc, "ref.yaml",
                                         "drugs: {floxuridine: {regimen: [{route: hai, dose: "
                                         "1 mg}]}}\nsimulation: {end: 1 h, output_interval: "
                                         "1 h}\n", NULL, &err), HS_OK);
  hs_params p;
  ck_assert_int_eq(hs_params_init(&p, &sc.phys, &d, NULL, 0, &err), HS_OK);
  hs_analytic an;
  hs_model_analytic(&p, &an);
  HS_ASSERT_REL(labelled_number(t, "normal-liver extraction E_L"), an.e_l, 1e-3);
  HS_ASSERT_REL(labelled_number(t, "HA bioavailability F_HA"), an.f_ha_bioavail, 1e-3);
  HS_ASSERT_REL(labelled_number(t, "blood clearance CL_TB"), an.cl_tb, 1e-3);
  HS_ASSERT_REL(labelled_number(t, "regional advantage R_d"),
                1 + sc.phys.f_ta * an.cl_tb / (p.fl.q_ha * an.f_ha_bioavail), 1e-3);
  hs_scenario_release(&sc);

  ck_assert_int_eq(RUN(&c, "drugs", "show", "oxaliplatn"), 2);
  ck_assert_ptr_nonnull(strstr(c.stderr_text, "unknown drug 'oxaliplatn' (did you mean "
                                              "'oxaliplatin'?)"));
  ck_assert_int_eq(RUN(&c, "drugs", "show"), 2);
  ck_assert_ptr_nonnull(strstr(c.stderr_text, "hepatosim: 'drugs show' needs a drug name"));
  cli_close(&c);
}
END_TEST

/* A scalar float64 dataset of a file, with its units attribute into units. */
static double h5_scalar(const char *file, const char *path, char *units, size_t n) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_msg(f >= 0, "cannot open %s", file);
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  ck_assert_msg(ds >= 0, "no %s in %s", path, file);
  double v = NAN;
  ck_assert(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0);
  hid_t a = H5Aopen(ds, "units", H5P_DEFAULT), t = H5Aget_type(a);
  char *s = NULL;
  ck_assert(H5Aread(a, t, &s) >= 0);
  snprintf(units, n, "%s", s);
  H5free_memory(s);
  H5Tclose(t), H5Aclose(a), H5Dclose(ds), H5Fclose(f);
  return v;
}

/* run --show-params prints the resolved model; the run file stores it: s1's E_L = 0.95,
 * Q_LA = Q_HA - f_TA p_T V_T = 22.5 - 2.16 L/h, R_d as identity 4 gives it. */
START_TEST(test_show_params) {
  cli c;
  cli_open(&c);
  char out[256], units[32];
  snprintf(out, sizeof out, "%s/s1.h5", c.out);
  ck_assert_int_eq(RUN(&c, "run", S1, "--show-params", "-o", out), 0);
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "resolved parameters of 's1_linear'\n"
                                              "  drug: defined in the scenario\n"));
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\n  e_l                      0.95 1     "));
  ck_assert_ptr_nonnull(strstr(c.stdout_text, "\n  q_la                    20.34 L/h   "));
  HS_ASSERT_REL(h5_scalar(out, "/drugs/s1_linear/parameters/e_l", units, sizeof units), 0.95,
                1e-14);
  ck_assert_str_eq(units, "1");
  HS_ASSERT_REL(h5_scalar(out, "/drugs/s1_linear/parameters/q_la", units, sizeof units), 20.34,
                1e-14);
  ck_assert_str_eq(units, "L/h");
  /* identity 4: 1 + f_TA CL_TB / (Q_HA F_HA), CL_TB = 30 + 87.6 x 0.95 */
  const double cl_tb = 30 + 87.6 * 0.95, f_ha = 1 - (20.34 / 22.5) * 0.95;
  HS_ASSERT_REL(h5_scalar(out, "/drugs/s1_linear/parameters/r_d", units, sizeof units),
                1 + 0.9 * cl_tb / (22.5 * f_ha), 1e-12);
  cli_close(&c);
}
END_TEST

Suite *hs_suite_cli(void) {
  Suite *s = suite_create("cli");
  TCase *u = tcase_create("usage");
  tcase_add_unchecked_fixture(u, root_create, root_remove);
  tcase_add_test(u, test_version);
  tcase_add_loop_test(u, test_help, 0, (int)(sizeof HELP / sizeof HELP[0]));
  tcase_add_loop_test(u, test_usage_error, 0, (int)(sizeof USAGE_ERR / sizeof USAGE_ERR[0]));
  tcase_add_test(u, test_missing_file);
  tcase_add_loop_test(u, test_input_limits, 0, (int)(sizeof LIMITS / sizeof LIMITS[0]));
  suite_add_tcase(s, u);
  TCase *bad = tcase_create("malformed");
  tcase_add_unchecked_fixture(bad, root_create, root_remove);
  char name[256];
  int n = bad_fixture(-1, name, sizeof name);
  tcase_add_loop_test(bad, test_bad_fixture, 0, n < 30 ? 30 : n); /* too few: rows fail */
  suite_add_tcase(s, bad);
  TCase *out = tcase_create("outputs");
  tcase_add_unchecked_fixture(out, root_create, root_remove);
  tcase_set_timeout(out, 60);
  tcase_add_test(out, test_json_metrics);
  tcase_add_test(out, test_table_option_metrics);
  tcase_add_test(out, test_force);
  tcase_add_test(out, test_csv);
  tcase_add_test(out, test_full_disk);
  tcase_add_test(out, test_solver_failure);
  tcase_add_test(out, test_run_usage_formats);
  tcase_add_test(out, test_show_params);
  int n_formats;
  hs_output_formats(&n_formats);
  tcase_add_loop_test(out, test_run_format, 0, n_formats);
  suite_add_tcase(s, out);
  TCase *cmp = tcase_create("compare");
  tcase_add_unchecked_fixture(cmp, root_create, root_remove);
  tcase_set_timeout(cmp, 60);
  tcase_add_test(cmp, test_compare_help);
  tcase_add_test(cmp, test_compare_table);
  tcase_add_test(cmp, test_compare_csv);
  tcase_add_test(cmp, test_compare_h5);
  tcase_add_test(cmp, test_compare_force);
  tcase_add_test(cmp, test_compare_bad_scenario);
  tcase_add_test(cmp, test_compare_solver_failure);
  tcase_add_test(cmp, test_drugs_list_and_show);
  suite_add_tcase(s, cmp);
  return s;
}
