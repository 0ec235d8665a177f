/* cli_sweep.c - `hepatosim sweep` and `hepatosim info`: option parsing, signals, summary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hs_sweep.h"
#include "hs_sweepfile.h"

#ifdef HS_MPI
#include <mpi.h>
#endif

static const char SWEEP_USAGE[] =
    "usage: hepatosim sweep SCENARIO.yaml [-o FILE.h5] [-j N] [--resume] [--force]\n"
    "                       [--timeseries] [--quiet] [--shard K/N] [--data DIR]\n"
    "\n"
    "Runs the design of the scenario's 'sweep:' section and writes one HDF5 file: per run\n"
    "the parameter values, every metric per drug, a status code and the reason of a failure.\n"
    "\n"
    "  -o, --output FILE.h5  result file (default: <scenario name>_sweep.h5); work goes to\n"
    "                        FILE.h5.partial until the sweep is complete\n"
    "  -j, --threads N       OpenMP threads (default: OMP_NUM_THREADS or all cores)\n"
    "      --resume          finish an interrupted sweep (FILE.h5.partial)\n"
    "      --force           replace an existing FILE.h5 or FILE.h5.partial (not one\n"
    "                        that another sweep is writing: FILE.h5.lock is held)\n"
    "      --timeseries      also store every run's concentration time courses\n"
    "      --quiet           no progress output\n"
    "      --shard K/N       compute only the K-th of N contiguous slices (job arrays);\n"
    "                        join the shard files with 'hepatosim merge'\n"
    "      --data DIR        drug library and physiology defaults\n"
    "  -h, --help            this help\n"
    "\n"
    "SIGINT or SIGTERM stop the sweep after storing the runs done so far; --resume finishes\n"
    "it, also after SIGKILL. Exit status: 0 complete (also when runs failed: each failed\n"
    "run's status and reason are in the file, and a line on stderr, even with --quiet,\n"
    "counts them), 2 bad input (also: the output is being written by another sweep, or\n"
    "the .partial is damaged), 1 other failure (a full disk), 128 + signal number when\n"
    "interrupted.\n";

/* The one piece of process-wide state: set by the signal handler, read by the engine. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) { stop_signal = sig; }

typedef struct sweep_args {
  const char *scenario, *out, *data;
  hs_sweep_opts o;
} sweep_args;

static int usage(const char *msg, const char *arg, const char *cmd) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim %s --help'.\n", msg, arg ? " " : "",
          arg ? arg : "", cmd);
  return 2;
}

static int parse_sweep(int argc, char **argv, sweep_args *a) {
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    int next = i + 1 < argc;
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(SWEEP_USAGE, stdout), 0;
    else if (!strcmp(s, "--resume")) a->o.resume = 1;
    else if (!strcmp(s, "--force")) a->o.force = 1;
    else if (!strcmp(s, "--timeseries")) a->o.timeseries = 1;
    else if (!strcmp(s, "--quiet")) a->o.quiet = 1;
    else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && next) a->out = argv[++i];
    else if (!strcmp(s, "--data") && next) a->data = argv[++i];
    else if (!strcmp(s, "--shard") && next) {
      int k, n, used = 0;
      if (sscanf(argv[++i], "%d/%d%n", &k, &n, &used) != 2 || argv[i][used] || n < 1 || k < 1 || k > n)
        return usage("--shard needs K/N with 1 <= K <= N, got", argv[i], "sweep");
      a->o.shard_k = k, a->o.shard_n = n;
    }
    else if ((!strcmp(s, "-j") || !strcmp(s, "--threads")) && next) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > 4096) return usage("-j needs a thread count, got", argv[i], "sweep");
      a->o.threads = (int)n;
    } else if (s[0] == '-' && s[1]) return usage("unknown or incomplete option", s, "sweep");
    else if (a->scenario) return usage("more than one scenario given:", s, "sweep");
    else a->scenario = s;
  }
  if (!a->scenario) return usage("no scenario file given", NULL, "sweep");
  if (a->o.resume && a->o.force) return usage("--resume and --force exclude each other", NULL, "sweep");
  return -1;
}

/* "dir/name.yaml" -> "name_sweep.h5" */
static void default_out(const char *scenario, char *out, size_t cap) {
  const char *base = strrchr(scenario, '/');
  base = base ? base + 1 : scenario;
  size_t n = strcspn(base, ".");
  snprintf(out, cap, "%.*s_sweep.h5", (int)n, base);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Whether this process prints (rank 0 of an MPI job, or the only process). */
static int rank0(void) {
#ifdef HS_MPI
  int rank = 0, init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
#else
  return 1;
#endif
}

/* The threaded engine, or with more than one MPI rank the MPI engine (whose rank 0 writes
 * the file through MPI-IO from its server thread). */
static int run_sweep(const hs_scenario *sc, const hs_sweep_opts *o, hs_sweep_report *rep,
                     hs_error *err) {
#ifdef HS_MPI
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  if (n > 1) return hs_sweep_run_mpi(sc, o, rep, err);
#endif
  return hs_sweep_run(sc, o, rep, err);
}

int hs__sweep_with_signals(const hs_scenario *sc, hs_sweep_opts *o, hs_sweep_report *rep,
                           int all_ranks, hs_error *err) {
  install_handlers();
  o->stop = &stop_signal;
  o->log = stderr;
  return all_ranks ? run_sweep(sc, o, rep, err) : hs_sweep_run(sc, o, rep, err);
}

int hs__sweep_stopped_status(void) { return 128 + (stop_signal ? (int)stop_signal : SIGTERM); }

int hs__cmd_sweep(int argc, char **argv) {
  sweep_args a = {0};
  int status = parse_sweep(argc, argv, &a);
  if (status >= 0) return status;
  char out[4096];
  if (!a.out) default_out(a.scenario, out, sizeof out), a.out = out;
  hs_error err;
  hs_error_clear(&err);
  hs_scenario sc;
  hs_sweep_report rep;
  int rc = hs_scenario_load(&sc, a.scenario, a.data, &err);
  if (!rc) {
    a.o.out_path = a.out;
    rc = hs__sweep_with_signals(&sc, &a.o, &rep, 1, &err);
    hs_scenario_release(&sc);
  }
  int lead = rank0();
  if (rc) {
    if (lead) fprintf(stderr, "hepatosim: error: %s\n", err.msg);
    return hs_error_exit_code(rc);
  }
  if (lead && (!a.o.quiet || rep.interrupted)) hs_sweep_report_print(stderr, &rep, a.out);
  else if (lead && rep.failed > 0) /* --quiet still says so: failures are data, exit 0 */
    fprintf(stderr, "hepatosim: %lld of %lld runs failed (see /status and /reason in %s)\n",
            (long long)rep.failed, (long long)(rep.run_end - rep.run_first), a.out);
  return rep.interrupted ? hs__sweep_stopped_status() : 0;
}

int hs__cmd_info(int argc, char **argv) {
  if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")))
    return puts("usage: hepatosim info FILE.h5 [--verify]\n\nPrints what a sweep file holds: "
                "design, runs completed and failed, ranges of parameters and metrics, quantiles "
                "(5, 25, 50, 75, 95 %) of every metric per drug.\n"
                "  --verify  also read every dataset back (checksums); exit 2 naming the "
                "first damaged one"), 0;
  int verify = argc == 2 && !strcmp(argv[1], "--verify");
  if (argc == 2 && !verify && !strcmp(argv[0], "--verify")) verify = 1, argv[0] = argv[1];
  if (argc != 1 && !verify) return usage("info takes one sweep file (and --verify)", NULL, "info");
  hs_error err;
  int rc = verify ? hs_sweepfile_verify(argv[0], stdout, &err) : HS_OK;
  if (!rc) rc = hs_sweepfile_info(argv[0], stdout, &err);
  if (rc) fprintf(stderr, "hepatosim: error: %s\n", err.msg);
  return hs_error_exit_code(rc);
}
