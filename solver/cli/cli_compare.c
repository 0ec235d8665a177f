/* cli_compare.c - `hepatosim compare A.yaml B.yaml ... [-o FILE.csv|FILE.h5] [--force]
 * [--json]`: run every scenario and print one table, one row per (scenario, drug). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hs_compare.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"

static const char COMPARE_USAGE[] =
    "usage: hepatosim compare SCENARIO.yaml... [-o FILE.csv|FILE.h5] [--force] [--json]\n"
    "\n"
    "Runs every scenario (with its IV comparator where the scenario enables\n"
    "simulation.iv_comparator) and prints one table, one row per scenario and drug:\n"
    "tumour AUC and Cmax, liver AUC, plasma AUC and Cmax, tumour/plasma AUC ratio, regional\n"
    "advantage against the IV comparator (n/a without one), share eliminated by the liver,\n"
    "and the systemic exposure per cycle against the drug's known target window.\n"
    "\n"
    "  -o, --output FILE     also write the rows to FILE.csv (units in the column names) or\n"
    "                        FILE.h5 (one dataset per column along the dimension 'row')\n"
    "      --json            print the rows as JSON on stdout instead of the table\n"
    "      --force           overwrite an existing output file\n"
    "      --data DIR        drug library and physiology defaults\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 success, 2 bad input (usage, a scenario that does not load, an existing\n"
    "output without --force), 3 solver failure, 1 other failure. Nothing is written unless\n"
    "every scenario ran.\n";

typedef enum out_kind { OUT_NONE = 0, OUT_CSV, OUT_H5 } out_kind;

typedef struct compare_args {
  const char **files; /* room for argc names */
  int n_files, force, json;
  const char *out, *data;
  out_kind kind;
} compare_args;

typedef struct compare_run {
  hs_scenario *sc;    /* one per file */
  hs_compare_row *rows;
  int n_loaded, n_rows;
} compare_run;

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim compare --help'.\n", msg, arg ? " " : "",
          arg ? arg : "");
  return 2;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n > k && !strcmp(s + n - k, suffix);
}

static out_kind output_kind(const char *path) {
  if (ends_with(path, ".csv")) return OUT_CSV;
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return OUT_H5;
  return OUT_NONE;
}

/* Returns -1 to go on, or an exit status. */
static int parse_compare(int argc, char **argv, compare_args *a) {
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    int has_next = i + 1 < argc;
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(COMPARE_USAGE, stdout), 0;
    else if (!strcmp(s, "--json")) a->json = 1;
    else if (!strcmp(s, "--force")) a->force = 1;
    else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && has_next) a->out = argv[++i];
    else if (!strcmp(s, "--data") && has_next) a->data = argv[++i];
    else if (s[0] == '-' && s[1]) return usage("unknown or incomplete option", s);
    else a->files[a->n_files++] = s;
  }
  if (a->n_files < 1) return usage("no scenario files given", NULL);
  if (a->out && !(a->kind = output_kind(a->out)))
    return usage("output must end in .csv or .h5:", a->out);
  return -1;
}

/* Refuse early, before any work, to replace an existing output. */
static int check_output(const compare_args *a, hs_error *err) {
  struct stat st;
  if (a->out && !a->force && stat(a->out, &st) == 0)
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", a->out);
  return HS_OK;
}

static int load_all(const compare_args *a, compare_run *r, hs_error *err) {
  if (!(r->sc = calloc((size_t)a->n_files, sizeof *r->sc)))
    return hs_error_set(err, HS_ENOMEM, "out of memory for %d scenarios", a->n_files);
  for (; r->n_loaded < a->n_files; r->n_loaded++) {
    int rc = hs_scenario_load(&r->sc[r->n_loaded], a->files[r->n_loaded], a->data, err);
    if (rc) return rc;
    r->n_rows += r->sc[r->n_loaded].n_drugs;
  }
  if (!(r->rows = calloc((size_t)(r->n_rows > 0 ? r->n_rows : 1), sizeof *r->rows)))
    return hs_error_set(err, HS_ENOMEM, "out of memory for %d rows", r->n_rows);
  return HS_OK;
}

/* Run every scenario (metrics only) and fill the rows; err names scenario and drug. */
static int run_all(compare_run *r, hs_error *err) {
  int rc = HS_OK, at = 0;
  hs_solver *s = hs_solver_create(err);
  if (!s) return err->code;
  for (int i = 0; i < r->n_loaded && !rc; i++) {
    hs_results res = {0};
    rc = hs_simulate(s, &r->sc[i], 0, &res, err);
    if (!rc) rc = hs_compare_build(&r->sc[i], &res, r->rows + at, err);
    at += res.n;
    hs_results_release(&res);
  }
  hs_solver_free(s);
  return rc;
}

static int write_all(const compare_args *a, const compare_run *r, hs_error *err) {
  int rc = HS_OK;
  if (a->kind == OUT_CSV) rc = hs_compare_write_csv(a->out, a->force, r->rows, r->n_rows, err);
  if (a->kind == OUT_H5)
    rc = hs_compare_write_h5(a->out, a->force, r->rows, r->n_rows, a->files, a->n_files, err);
  if (rc) return rc;
  if (a->json) hs_compare_json(stdout, r->rows, r->n_rows);
  else hs_compare_table(stdout, r->rows, r->n_rows);
  if (fflush(stdout) != 0 || ferror(stdout))
    return hs_error_set(err, HS_EIO, "cannot write the table to standard output");
  if (a->out) fprintf(stderr, "wrote %s\n", a->out);
  return HS_OK;
}

static void run_release(compare_run *r) {
  for (int i = 0; r->sc && i < r->n_loaded; i++) hs_scenario_release(&r->sc[i]);
  free(r->sc);
  free(r->rows);
}

int hs__cmd_compare(int argc, char **argv) {
  compare_args a = {0};
  compare_run r = {0};
  hs_error err;
  hs_error_clear(&err);
  if (!(a.files = calloc((size_t)argc + 1, sizeof *a.files)))
    return fputs("hepatosim: error: out of memory\n", stderr), 1;
  int status = parse_compare(argc, argv, &a);
  if (status < 0) {
    int rc = check_output(&a, &err);
    if (!rc) rc = load_all(&a, &r, &err);
    if (!rc) rc = run_all(&r, &err);
    if (!rc) rc = write_all(&a, &r, &err);
    if (rc) fprintf(stderr, "hepatosim: error: %s\n", err.msg);
    status = hs_error_exit_code(rc);
  }
  run_release(&r);
  free(a.files);
  return status;
}
