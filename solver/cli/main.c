/* main.c - the hepatosim command line: `hepatosim run SCENARIO.yaml [options]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The top-level usage: USAGE_HEAD, the run synopsis (from the output formats), USAGE. */
static const char USAGE_HEAD[] =
    "hepatosim - drug delivery through the liver's dual blood supply\n"
    "\n"
    "usage: hepatosim <command> [options]\n"
    "       hepatosim --help | --version\n"
    "\n"
    "commands:\n";
static const char USAGE[] =
    "                      simulate a scenario, print its summary, write results\n"
    "                      (--force: overwrite existing output files)\n"
    "  sweep SCENARIO.yaml [-o FILE.h5] [-j N] [--resume] [--force] [--timeseries] [--quiet]\n"
    "                      run the scenario's sweep: design over OpenMP threads into HDF5\n"
    "  info FILE.h5        what a sweep file holds: design, runs done and failed, ranges\n"
    "  sensitivity SCENARIO.yaml [-o FILE.h5] [--metrics A,B] [-j N] [--resume] [--force]\n"
    "                      Sobol' (design saltelli) or Morris (design morris) indices of\n"
    "                      the metrics to the sweep's parameters, into HDF5 and a table\n"
    "  merge OUT.h5 SHARD.h5... [--force]\n"
    "                      join the shard files of 'sweep --shard K/N' into one sweep file\n"
    "  compare SCENARIO.yaml... [-o FILE.csv|FILE.h5] [--json] [--force]\n"
    "                      run several scenarios, print one table to compare them\n"
    "  drugs [show NAME]   list the drug library, or one drug with its sources and the\n"
    "                      extraction, bioavailability and regional advantage it predicts\n"
    "  paths               every scenario path a sweep may write, with its unit and range\n"
    "  plot FILE.h5 [-o OUT.png] [--force] [--log] [...]\n"
    "                      a PNG of a run's time courses or of a sweep's metric against\n"
    "                      one or two parameters (Python with matplotlib)\n"
    "\n"
    "Run 'hepatosim <command> --help' (run, sweep, sensitivity, merge, compare, drugs, paths,\n"
    "plot) for their options.\n"
    "Exit status: 0 success, 2 bad input (file, syntax, unit, value, existing output),\n"
    "3 solver failure, 1 other failure (e.g. cannot write output).\n";

/* `run --help` after the synopsis and the output formats' lines (hs_output_formats). */
static const char RUN_USAGE[] =
    "      --force           overwrite existing output files\n"
    "      --show-params     print each drug's resolved model first (body size, flows,\n"
    "                        volumes, partition, clearances, E_L, F_HA, CL_TB, R_d) with\n"
    "                        units and where the values come from; run files store them\n"
    "                        under /drugs/<name>/parameters\n"
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

/* The chosen output formats: on[i] and dest[i] (the argument) for hs_output_formats()[i]. */
typedef struct run_args {
  const char *scenario, *data;
  int force;
  int show_params; /* --show-params */
  int quiet; /* a chosen format writes on stdout: no timing line */
  char on[HS_OUTPUT_MAX_FORMATS];
  const char *dest[HS_OUTPUT_MAX_FORMATS];
} run_args;

/* "run SCENARIO.yaml [-o FILE.h5] ... [--force]": the options from the output formats. */
static void run_synopsis(FILE *f) {
  int n;
  const hs_output_format *fm = hs_output_formats(&n);
  fputs("run SCENARIO.yaml", f);
  for (int i = 0; i < n; i++)
    if (fm[i].option)
      fprintf(f, " [%s%s%s]", fm[i].short_option ? fm[i].short_option : fm[i].option,
              fm[i].arg ? " " : "", fm[i].arg ? fm[i].arg : "");
  fputs(" [--force]\n", f);
}

static void usage(FILE *f) {
  fputs(USAGE_HEAD, f);
  fputs("  ", f);
  run_synopsis(f);
  fputs(USAGE, f);
}

static void run_usage(FILE *f) {
  int n;
  const hs_output_format *fm = hs_output_formats(&n);
  char opt[64];
  fputs("usage: hepatosim ", f);
  run_synopsis(f);
  fputs("\n", f);
  for (int i = 0; i < n; i++) {
    if (!fm[i].option) continue;
    snprintf(opt, sizeof opt, "%s%s%s", fm[i].option, fm[i].arg ? " " : "",
             fm[i].arg ? fm[i].arg : "");
    fprintf(f, "  %-2s%s %-17s %s\n", fm[i].short_option ? fm[i].short_option : "",
            fm[i].short_option ? "," : " ", opt, fm[i].help);
  }
  fputs(RUN_USAGE, f);
}

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim run --help'.\n", msg, arg ? " " : "",
          arg ? arg : "");
  return 2;
}

/* The output format of fm[0..n) whose option s is (with its argument when it takes
 * one), or -1. */
static int format_option(const hs_output_format *fm, int n, const char *s, int has_next) {
  for (int i = 0; i < n; i++) {
    int named = fm[i].option && (!strcmp(s, fm[i].option) ||
                                 (fm[i].short_option && !strcmp(s, fm[i].short_option)));
    if (named && (!fm[i].arg || has_next)) return i;
  }
  return -1;
}

/* The default summary (formats without an option) unless a chosen format writes on stdout. */
static void choose_default_formats(run_args *a) {
  int n;
  const hs_output_format *fm = hs_output_formats(&n);
  for (int i = 0; i < n; i++) a->quiet |= a->on[i] && fm[i].to_stdout;
  for (int i = 0; i < n; i++)
    if (!fm[i].option && !a->quiet) a->on[i] = 1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_run_args(int argc, char **argv, run_args *a) {
  int n;
  const hs_output_format *fm = hs_output_formats(&n);
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    int has_next = i + 1 < argc, k;
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return run_usage(stdout), 0;
    else if ((k = format_option(fm, n, s, has_next)) >= 0) {
      a->on[k] = 1;
      if (fm[k].arg) a->dest[k] = argv[++i];
    } else if (!strcmp(s, "--force")) a->force = 1;
    else if (!strcmp(s, "--show-params")) a->show_params = 1;
    else if (!strcmp(s, "--data") && has_next) a->data = argv[++i];
    else if (s[0] == '-' && s[1]) return usage_error("unknown or incomplete option", s);
    else if (a->scenario) return usage_error("more than one scenario given:", s);
    else a->scenario = s;
  }
  if (!a->scenario) return usage_error("no scenario file given", NULL);
  choose_default_formats(a);
  return -1;
}

static int fail(const hs_error *err) {
  fprintf(stderr, "hepatosim: error: %s\n", err->msg);
  return hs_error_exit_code(err->code);
}

/* Refuse to replace an existing output: before any work (sc NULL) the files named
 * without the scenario, and all of them once it is loaded (those named by its drugs). */
static int check_outputs(const run_args *a, const hs_scenario *sc, hs_error *err) {
  int n, rc = HS_OK;
  const hs_output_format *fm = hs_output_formats(&n);
  for (int i = 0; i < n && !rc && !a->force; i++)
    if (a->on[i]) rc = hs_output_refuse_existing(&fm[i], a->dest[i], sc, err);
  return rc;
}

/* Whether a chosen format needs the time courses. */
static int wants_traces(const run_args *a) {
  int n, any = 0;
  const hs_output_format *fm = hs_output_formats(&n);
  for (int i = 0; i < n; i++) any |= a->on[i] && fm[i].traces;
  return any;
}

static int write_outputs(const run_args *a, const hs_scenario *sc, const hs_results *res,
                         hs_error *err) {
  int n, rc = HS_OK;
  const hs_output_format *fm = hs_output_formats(&n);
  for (int i = 0; i < n && !rc; i++)
    if (a->on[i]) rc = fm[i].write(a->dest[i], a->force, sc, res, stdout, err);
  if (rc) return rc;
  if (fflush(stdout) != 0 || ferror(stdout))
    return hs_error_set(err, HS_EIO, "cannot write the summary to standard output");
  for (int i = 0; i < n; i++)
    if (a->on[i] && fm[i].wrote) fprintf(stderr, fm[i].wrote, a->dest[i]);
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
  int rc = check_outputs(&a, NULL, &err);
  if (!rc) rc = hs_scenario_load(&sc, a.scenario, a.data, &err);
  if (!rc) rc = check_outputs(&a, &sc, &err);
  if (!rc && a.show_params) rc = hs__print_params(stdout, &sc, &err);
  if (!rc && !(s = hs_solver_create(&err))) rc = err.code;
  if (!rc) rc = hs_simulate(s, &sc, wants_traces(&a), &res, &err);
  if (!rc) rc = write_outputs(&a, &sc, &res, &err);
  if (!rc && !a.quiet) fprintf(stderr, "simulated in %.3f s\n", res.wall_s);
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return rc ? fail(&err) : 0;
}

static int dispatch(int argc, char **argv) {
  if (argc < 2) return usage(stderr), 2;
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
    return usage(stdout), 0;
  if (!strcmp(cmd, "--version")) return printf("hepatosim %s\n", HS_VERSION), 0;
  if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
  if (!strcmp(cmd, "sweep")) return hs__cmd_sweep(argc - 2, argv + 2);
  if (!strcmp(cmd, "info")) return hs__cmd_info(argc - 2, argv + 2);
  if (!strcmp(cmd, "sensitivity")) return hs__cmd_sensitivity(argc - 2, argv + 2);
  if (!strcmp(cmd, "merge")) return hs__cmd_merge(argc - 2, argv + 2);
  if (!strcmp(cmd, "drugs")) return hs__cmd_drugs(argc - 2, argv + 2);
  if (!strcmp(cmd, "paths")) return hs__cmd_paths(argc - 2, argv + 2);
  if (!strcmp(cmd, "compare")) return hs__cmd_compare(argc - 2, argv + 2);
  if (!strcmp(cmd, "plot")) return hs__cmd_plot(argc - 2, argv + 2);
  fprintf(stderr, "hepatosim: unknown command '%s'\n", cmd);
  usage(stderr);
  return 2;
}

/* With MPI (`make mpi`), every rank runs `sweep`; other commands run on rank 0 only. */
int main(int argc, char **argv) {
#ifdef HS_MPI
  int provided, rank;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int all = argc > 1 && !strcmp(argv[1], "sweep");
  hs_output_lib_init();
  int rc = all || rank == 0 ? dispatch(argc, argv) : 0;
  hs_output_lib_close(rc == 0);
  MPI_Finalize();
  return rc;
#else
  hs_output_lib_init(); /* see hs_output.h: no HDF5 cleanup at exit after a failure */
  int rc = dispatch(argc, argv);
  hs_output_lib_close(rc == 0);
  return rc;
#endif
}
