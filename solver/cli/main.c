/* main.c - the hepatosim command line: `hepatosim run SCENARIO.yaml [options]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#ifdef HS_MPI
#include <mpi.h>
#endif
#include "hs_error.h"
#include "hs_output.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

static const char USAGE[] =
    "hepatosim - drug delivery through the liver's dual blood supply\n"
    "\n"
    "usage: hepatosim <command> [options]\n"
    "       hepatosim --help | --version\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml [-o FILE.h5] [--csv DIR] [--json] [--force]\n"
    "                      simulate a scenario, print its summary, write results\n"
    "                      (--force: overwrite existing output files)\n"
    "  sweep SCENARIO.yaml [-o FILE.h5] [-j N] [--resume] [--force] [--timeseries] [--quiet]\n"
    "                      run the scenario's sweep: design over OpenMP threads into HDF5\n"
    "  info FILE.h5        what a sweep file holds: design, runs done and failed, ranges\n"
    "  merge OUT.h5 SHARD.h5... [--force]\n"
    "                      join the shard files of 'sweep --shard K/N' into one sweep file\n"
    "  compare SCENARIO.yaml... [-o FILE.csv|FILE.h5] [--json] [--force]\n"
    "                      run several scenarios, print one table to compare them\n"
    "  drugs [show NAME]   list the drug library, or one drug with its sources and the\n"
    "                      extraction, bioavailability and regional advantage it predicts\n"
    "  paths               every scenario path a sweep may write, with its unit and range\n"
    "\n"
    "Run 'hepatosim <command> --help' (run, sweep, merge, compare, drugs, paths) for\n"
    "their options.\n"
    "Exit status: 0 success, 2 bad input (file, syntax, unit, value, existing output),\n"
    "3 solver failure, 1 other failure (e.g. cannot write output).\n";

static const char RUN_USAGE[] =
    "usage: hepatosim run SCENARIO.yaml [-o FILE.h5] [--csv DIR] [--json] [--force]\n"
    "\n"
    "  -o, --output FILE.h5  write time courses, summary and provenance to HDF5\n"
    "      --csv DIR         write DIR/<drug>.csv time courses and DIR/summary.csv\n"
    "      --json            print the metrics as JSON on stdout instead of a table\n"
    "      --force           overwrite existing output files\n"
    "      --data DIR        drug library and physiology defaults (default: $HEPATOSIM_DATA\n"
    "                        or the source tree's model/data)\n"
    "  -h, --help            this help\n"
    "\n"
    "Metrics (per drug): auc_plasma, auc_tumor, auc_liver, auc_tumor_venous (mg*h/L),\n"
    "cmax_plasma, cmax_tumor (mg/L), tmax_plasma, tmax_tumor (h), fraction_eliminated_liver,\n"
    "fraction_eliminated_renal, fraction_eliminated_extrahepatic, mass_balance_error, and\n"
    "with 'simulation: {iv_comparator: true}' regional_advantage, auc_plasma_iv, auc_tumor_iv;\n"
    "diagnostics: fraction_eliminated_tumor, _filter, _binding, auc_blood, dosed_mg (for a\n"
    "formed species: the amount formed), dose_undelivered_mg, and with the options that use\n"
    "them auc_liver_covered, auc_liver_uncovered, auc_tumor_covered, auc_tumor_uncovered,\n"
    "auc_gastric, cmax_gastric. The README's Metrics table defines each.\n";

typedef struct run_args {
  const char *scenario, *h5, *csv, *data;
  int json, force;
} run_args;

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim run --help'.\n", msg, arg ? " " : "",
          arg ? arg : "");
  return 2;
}

/* Returns -1 to go on, or an exit status. */
static int parse_run_args(int argc, char **argv, run_args *a) {
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    int has_next = i + 1 < argc;
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(RUN_USAGE, stdout), 0;
    else if (!strcmp(s, "--json")) a->json = 1;
    else if (!strcmp(s, "--force")) a->force = 1;
    else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && has_next) a->h5 = argv[++i];
    else if (!strcmp(s, "--csv") && has_next) a->csv = argv[++i];
    else if (!strcmp(s, "--data") && has_next) a->data = argv[++i];
    else if (s[0] == '-' && s[1]) return usage_error("unknown or incomplete option", s);
    else if (a->scenario) return usage_error("more than one scenario given:", s);
    else a->scenario = s;
  }
  if (!a->scenario) return usage_error("no scenario file given", NULL);
  return -1;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int fail(const hs_error *err) {
  fprintf(stderr, "hepatosim: error: %s\n", err->msg);
  return hs_error_exit_code(err->code);
}

/* Refuse early, before any work, to replace an existing output. */
static int check_outputs(const run_args *a, hs_error *err) {
  if (a->force) return HS_OK;
  if (a->h5 && exists(a->h5))
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", a->h5);
  return HS_OK;
}

/* The CSV files depend on the drug names: checked once the scenario is loaded. */
static int check_csv_outputs(const run_args *a, const hs_scenario *sc, hs_error *err) {
  char path[4200];
  if (a->force || !a->csv) return HS_OK;
  for (int i = 0; i <= sc->n_drugs; i++) {
    snprintf(path, sizeof path, "%s/%s.csv", a->csv,
             i < sc->n_drugs ? sc->drugs[i].name : "summary");
    if (exists(path))
      return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", path);
  }
  return HS_OK;
}

static int write_outputs(const run_args *a, const hs_scenario *sc, const hs_results *res,
                         hs_error *err) {
  int rc;
  if (a->h5 && (rc = hs_output_h5(a->h5, a->force, sc, res, err))) return rc;
  if (a->csv && (rc = hs_output_csv(a->csv, a->force, res, err))) return rc;
  if (a->json) hs_output_json(stdout, res);
  else hs_output_table(stdout, sc, res);
  if (fflush(stdout) != 0 || ferror(stdout))
    return hs_error_set(err, HS_EIO, "cannot write the summary to standard output");
  if (a->h5) fprintf(stderr, "wrote %s\n", a->h5);
  if (a->csv) fprintf(stderr, "wrote %s/\n", a->csv);
  return HS_OK;
}

static int cmd_run(int argc, char **argv) {
  run_args a = {0};
  int status = parse_run_args(argc, argv, &a);
  if (status >= 0) return status;
  hs_error err;
  hs_error_clear(&err);
  hs_scenario sc = {0};
  hs_results res = {0};
  hs_solver *s = NULL;
  int rc = check_outputs(&a, &err);
  if (!rc) rc = hs_scenario_load(&sc, a.scenario, a.data, &err);
  if (!rc) rc = check_csv_outputs(&a, &sc, &err);
  if (!rc && !(s = hs_solver_create(&err))) rc = err.code;
  if (!rc) rc = hs_simulate(s, &sc, a.h5 || a.csv, &res, &err);
  if (!rc) rc = write_outputs(&a, &sc, &res, &err);
  if (!rc && !a.json) fprintf(stderr, "simulated in %.3f s\n", res.wall_s);
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return rc ? fail(&err) : 0;
}

static int dispatch(int argc, char **argv) {
  if (argc < 2) return fputs(USAGE, stderr), 2;
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
    return fputs(USAGE, stdout), 0;
  if (!strcmp(cmd, "--version")) return printf("hepatosim %s\n", HS_VERSION), 0;
  if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
  if (!strcmp(cmd, "sweep")) return hs__cmd_sweep(argc - 2, argv + 2);
  if (!strcmp(cmd, "info")) return hs__cmd_info(argc - 2, argv + 2);
  if (!strcmp(cmd, "merge")) return hs__cmd_merge(argc - 2, argv + 2);
  if (!strcmp(cmd, "drugs")) return hs__cmd_drugs(argc - 2, argv + 2);
  if (!strcmp(cmd, "paths")) return hs__cmd_paths(argc - 2, argv + 2);
  if (!strcmp(cmd, "compare")) return hs__cmd_compare(argc - 2, argv + 2);
  fprintf(stderr, "hepatosim: unknown command '%s'\n%s", cmd, USAGE);
  return 2;
}

/* With MPI (`make mpi`), every rank runs `sweep`; other commands run on rank 0 only. */
int main(int argc, char **argv) {
#ifdef HS_MPI
  int provided, rank;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int all = argc > 1 && !strcmp(argv[1], "sweep");
  int rc = all || rank == 0 ? dispatch(argc, argv) : 0;
  MPI_Finalize();
  return rc;
#else
  return dispatch(argc, argv);
#endif
}
