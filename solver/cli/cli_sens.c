/* cli_sens.c - `hepatosim sensitivity`: the scenario's saltelli or morris design run as an
 * ordinary sweep file (threads, --resume, --force as `sweep`), then Sobol' or Morris
 * indices per parameter x metric x drug into an HDF5 file (hs_sensfile.h) and a table
 * sorted by the total index (mu* for Morris). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hs_metrics.h"
#include "hs_resolved.h"
#include "hs_sensfile.h"
#include "hs_sensitivity.h"
#include "hs_sweep.h"

#define MAX_METRICS 64
#define MAX_PARAMS 256 /* morris screening; saltelli allows HS_SALTELLI_MAX_PARAMS */

static const char USAGE[] =
    "usage: hepatosim sensitivity SCENARIO.yaml [-o FILE.h5] [--metrics A,B,...] [-j N]\n"
    "                             [--bootstrap B] [--resume] [--force] [--quiet] [--data DIR]\n"
    "\n"
    "Global sensitivity of the chosen metrics to the parameters of the scenario's 'sweep:'\n"
    "block (their ranges and units as for 'sweep'), with design 'saltelli' (runs: N base\n"
    "samples, N (d + 2) model runs for d parameters: Sobol' first-order S1 and total ST\n"
    "indices) or 'morris' (runs: r trajectories, r (d + 1) runs: elementary effects mu*,\n"
    "mu, sigma). The runs go to an ordinary sweep file, FILE_runs.h5, which a complete\n"
    "earlier call of the same scenario leaves to be used again (with MPI: make it with\n"
    "'mpirun hepatosim-mpi sweep SCENARIO.yaml -o FILE_runs.h5'; this command runs on\n"
    "rank 0 alone).\n"
    "\n"
    "  -o, --output FILE.h5  indices (default: <scenario name>_sensitivity.h5)\n"
    "      --metrics LIST    metrics, comma-separated (default: auc_tumor,auc_liver,\n"
    "                        auc_plasma,cmax_plasma); any per-drug metric of a sweep file\n"
    "      --bootstrap B     bootstrap replicates of the 95 % intervals (default 1000; 0: none)\n"
    "  -j, --threads N       OpenMP threads of the runs\n"
    "      --resume          finish the interrupted runs (FILE_runs.h5.partial)\n"
    "      --force           replace FILE.h5 and compute the runs again\n"
    "      --quiet           no progress output\n"
    "      --data DIR        drug library and physiology defaults\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 success, 2 bad input (not a saltelli or morris sweep, unknown metric,\n"
    "existing output), 1 other failure, 128 + signal number when interrupted (--resume\n"
    "continues).\n";

static const char *const DEFAULT_METRICS[] = {"auc_tumor", "auc_liver", "auc_plasma",
                                              "cmax_plasma"};

typedef struct sens_args {
  const char *scenario, *out, *data;
  char *metrics[MAX_METRICS];
  int n_metrics, n_boot;
  char metric_buf[1024];
  hs_sweep_opts o;
} sens_args;

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim sensitivity --help'.\n", msg,
          arg ? " " : "", arg ? arg : "");
  return 2;
}

/* The unit of a per-drug metric of a sweep file (hs_metric_fields, then the resolved
 * parameters), or NULL when there is no such metric. */
static const char *metric_unit(const char *name) {
  int n, nr;
  const hs_metric_field *m = hs_metric_fields(&n);
  const hs_resolved_field *r = hs_resolved_fields(&nr);
  for (int i = 0; i < n; i++)
    if (!strcmp(m[i].name, name)) return m[i].unit;
  for (int i = 0; i < nr; i++)
    if (!strcmp(r[i].name, name)) return r[i].unit;
  return NULL;
}

static int parse_metrics(sens_args *a, const char *list) {
  if (strlen(list) >= sizeof a->metric_buf) return usage("--metrics list too long:", list);
  snprintf(a->metric_buf, sizeof a->metric_buf, "%s", list);
  a->n_metrics = 0;
  for (char *save, *m = strtok_r(a->metric_buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
    if (!metric_unit(m)) {
      fprintf(stderr, "hepatosim: unknown metric '%s' (the metrics are listed by 'hepatosim "
              "run --help')\n", m);
      return 2;
    }
    if (a->n_metrics == MAX_METRICS) return usage("more than 64 metrics in", list);
    a->metrics[a->n_metrics++] = m;
  }
  return a->n_metrics ? -1 : usage("--metrics needs at least one metric", NULL);
}

static int parse_int(const char *s, long lo, long hi, long *v) {
  char *end;
  *v = strtol(s, &end, 10);
  return *s && !*end && *v >= lo && *v <= hi;
}

static int parse(int argc, char **argv, sens_args *a) {
  long v;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    int next = i + 1 < argc, rc;
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(USAGE, stdout), 0;
    else if (!strcmp(s, "--resume")) a->o.resume = 1;
    else if (!strcmp(s, "--force")) a->o.force = 1;
    else if (!strcmp(s, "--quiet")) a->o.quiet = 1;
    else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && next) a->out = argv[++i];
    else if (!strcmp(s, "--data") && next) a->data = argv[++i];
    else if (!strcmp(s, "--metrics") && next) {
      if ((rc = parse_metrics(a, argv[++i])) >= 0) return rc;
    } else if (!strcmp(s, "--bootstrap") && next) {
      if (!parse_int(argv[++i], 0, 1000000, &v))
        return usage("--bootstrap needs a count from 0 to 1000000, got", argv[i]);
      a->n_boot = (int)v;
    } else if ((!strcmp(s, "-j") || !strcmp(s, "--threads")) && next) {
      if (!parse_int(argv[++i], 1, 4096, &v)) return usage("-j needs a thread count, got", argv[i]);
      a->o.threads = (int)v;
    } else if (s[0] == '-' && s[1]) return usage("unknown or incomplete option", s);
    else if (a->scenario) return usage("more than one scenario given:", s);
    else a->scenario = s;
  }
  if (!a->scenario) return usage("no scenario file given", NULL);
  if (a->o.resume && a->o.force) return usage("--resume and --force exclude each other", NULL);
  return -1;
}

/* "dir/name.yaml" -> "name_sensitivity.h5"; "x.h5" -> "x_runs.h5". */
static void derive(const char *from, const char *cut, const char *suffix, char *out, size_t cap) {
  const char *base = strrchr(from, '/');
  base = !strcmp(cut, ".") && base ? base + 1 : from;
  size_t n = strlen(base), k = strlen(cut);
  if (!strcmp(cut, ".")) n = strcspn(base, ".");
  else if (n >= k && !strcmp(base + n - k, cut)) n -= k;
  snprintf(out, cap, "%.*s%s", (int)n, base, suffix);
}

/* ---- the indices ---------------------------------------------------------------------------- */

typedef struct sens_run {
  const hs_scenario *sc;
  const sens_args *a;
  const char *runs_path;
  hs_sens_table t;
  const char *param_names[MAX_PARAMS], *param_units[MAX_PARAMS], *drug_names[64];
  const char *metric_units[MAX_METRICS];
} sens_run;

/* Indices of one metric for every drug, from the runs file; y holds n_drugs x n_runs. */
static int metric_indices(sens_run *s, int m, double *y, hs_error *err) {
  hs_sens_table *t = &s->t;
  const hs_design *dz = &s->sc->sweep.design;
  int rc = hs_sensfile_read_metric(s->runs_path, t->metric_names[m], dz->n_runs, t->n_drugs, y,
                                   err);
  for (int k = 0; !rc && k < t->n_drugs; k++) {
    hs_sobol_index si[HS_SALTELLI_MAX_PARAMS];
    hs_morris_index *mi = malloc(sizeof *mi * (size_t)t->n_params);
    const double *yk = y + (size_t)k * dz->n_runs;
    int64_t *used = &t->n_used[m * t->n_drugs + k];
    if (!mi) return hs_error_set(err, HS_ENOMEM, "out of memory");
    rc = t->design == HS_DESIGN_SALTELLI
             ? hs_sens_sobol(yk, dz->n_base, t->n_params, &t->opts, si,
                             &t->variance[m * t->n_drugs + k], used, err)
             : hs_sens_morris(dz, yk, &t->opts, mi, used, err);
    for (int j = 0; !rc && j < t->n_params; j++) {
      size_t at = ((size_t)j * t->n_metrics + m) * t->n_drugs + k;
      if (t->design == HS_DESIGN_SALTELLI) t->sobol[at] = si[j];
      else t->morris[at] = mi[j];
    }
    free(mi);
  }
  return rc;
}

static int compute(sens_run *s, hs_error *err) {
  hs_sens_table *t = &s->t;
  size_t n = (size_t)t->n_params * t->n_metrics * t->n_drugs, md = (size_t)t->n_metrics * t->n_drugs;
  double *y = malloc(sizeof *y * (size_t)s->sc->sweep.design.n_runs * t->n_drugs);
  t->n_used = calloc(md, sizeof *t->n_used);
  t->variance = calloc(md, sizeof *t->variance);
  if (t->design == HS_DESIGN_SALTELLI) t->sobol = calloc(n, sizeof *t->sobol);
  else t->morris = calloc(n, sizeof *t->morris);
  int rc = (!y || !t->n_used || !t->variance || !(t->sobol || t->morris))
               ? hs_error_set(err, HS_ENOMEM, "out of memory for the indices")
               : HS_OK;
  for (int m = 0; !rc && m < t->n_metrics; m++) rc = metric_indices(s, m, y, err);
  free(y);
  return rc;
}

/* ---- the table ------------------------------------------------------------------------------ */

typedef struct ranked {
  int j;
  double key;
} ranked;

static int by_key_desc(const void *a, const void *b) {
  double x = ((const ranked *)a)->key, y = ((const ranked *)b)->key;
  if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
  return (x < y) - (x > y);
}

static void print_block(FILE *f, const hs_sens_table *t, int m, int k) {
  int sobol = t->design == HS_DESIGN_SALTELLI;
  ranked r[MAX_PARAMS];
  int np = t->n_params;
  for (int j = 0; j < np; j++) {
    size_t at = ((size_t)j * t->n_metrics + m) * t->n_drugs + k;
    r[j] = (ranked){j, sobol ? t->sobol[at].st : t->morris[at].mu_star};
  }
  qsort(r, (size_t)np, sizeof *r, by_key_desc);
  fprintf(f, "\n%s (%s) of %s: %lld of %lld %s used\n", t->metric_names[m], t->metric_units[m],
          t->drug_names[k], (long long)t->n_used[m * t->n_drugs + k], (long long)t->n_base,
          sobol ? "samples" : "trajectories");
  if (sobol)
    fprintf(f, "%-36s %9s %-21s %9s %-21s\n", "parameter", "ST", " interval", "S1", " interval");
  else
    fprintf(f, "%-36s %11s %-27s %11s %11s\n", "parameter", "mu*", " interval", "mu", "sigma");
  for (int i = 0; i < np; i++) {
    size_t at = ((size_t)r[i].j * t->n_metrics + m) * t->n_drugs + k;
    if (sobol) {
      const hs_sobol_index *x = &t->sobol[at];
      fprintf(f, "%-36s %9.4f [%8.4f, %8.4f]  %9.4f [%8.4f, %8.4f]\n", t->param_names[r[i].j],
              x->st, x->st_lo, x->st_hi, x->s1, x->s1_lo, x->s1_hi);
    } else {
      const hs_morris_index *x = &t->morris[at];
      fprintf(f, "%-36s %11.4g [%11.4g, %11.4g]  %11.4g %11.4g\n", t->param_names[r[i].j],
              x->mu_star, x->mu_star_lo, x->mu_star_hi, x->mu, x->sigma);
    }
  }
}

static void print_table(FILE *f, const hs_sens_table *t) {
  int sobol = t->design == HS_DESIGN_SALTELLI;
  fprintf(f, "%s indices, %lld model runs; [..]: %g %% bootstrap intervals (%d replicates); "
          "rows sorted by %s\n", sobol ? "Sobol'" : "Morris", (long long)t->n_runs,
          100 * t->opts.level, t->opts.n_boot, sobol ? "the total index ST" : "mu*");
  if (!sobol)
    fputs("(mu*, mu, sigma in the metric's units per unit of the parameter's range)\n", f);
  for (int m = 0; m < t->n_metrics; m++)
    for (int k = 0; k < t->n_drugs; k++) print_block(f, t, m, k);
}

/* ---- the command ---------------------------------------------------------------------------- */

/* The table's names and provenance from the scenario; HS_EINPUT unless its sweep is a
 * saltelli or morris design. */
static int setup(sens_run *s, hs_error *err) {
  const hs_scenario *sc = s->sc;
  const hs_design *dz = &sc->sweep.design;
  hs_sens_table *t = &s->t;
  if (!sc->sweep.present)
    return hs_error_set(err, HS_EINPUT, "%s: sensitivity needs a 'sweep:' block with design "
                        "'saltelli' (Sobol' indices) or 'morris' (screening); the scenario has "
                        "none", sc->path);
  if (dz->kind != HS_DESIGN_SALTELLI && dz->kind != HS_DESIGN_MORRIS)
    return hs_error_set(err, HS_EINPUT, "%s: sensitivity needs a 'sweep:' block with design "
                        "'saltelli' (Sobol' indices) or 'morris' (screening), not '%s'",
                        sc->path, hs_design_kind_name(dz->kind));
  if (dz->n_params > (int)(sizeof s->param_units / sizeof s->param_units[0]) ||
      sc->n_drugs > (int)(sizeof s->drug_names / sizeof s->drug_names[0]))
    return hs_error_set(err, HS_EINPUT, "%s: too many parameters or drugs for one analysis",
                        sc->path);
  for (int j = 0; j < dz->n_params; j++) {
    hs_scenario_slot slot;
    if (hs_scenario_slot_find((hs_scenario *)sc, dz->params[j].path, &slot, err)) return err->code;
    s->param_names[j] = dz->params[j].path;
    s->param_units[j] = slot.unit;
  }
  for (int k = 0; k < sc->n_drugs; k++) s->drug_names[k] = sc->drugs[k].name;
  for (int m = 0; m < s->a->n_metrics; m++) s->metric_units[m] = metric_unit(s->a->metrics[m]);
  *t = (hs_sens_table){
      .design = dz->kind, .n_params = dz->n_params, .n_metrics = s->a->n_metrics,
      .n_drugs = sc->n_drugs, .param_names = s->param_names, .param_units = s->param_units,
      .metric_names = (const char *const *)s->a->metrics, .metric_units = s->metric_units,
      .drug_names = s->drug_names, .scenario_text = sc->text, .scenario_path = sc->path,
      .design_text = sc->sweep.text, .runs_path = s->runs_path, .n_base = dz->n_base,
      .n_runs = dz->n_runs, .seed = dz->seed, .levels = dz->levels,
      .opts = {s->a->n_boot, HS_SENS_LEVEL, dz->seed}};
  return HS_OK;
}

static void release(sens_run *s) {
  free(s->t.sobol);
  free(s->t.morris);
  free(s->t.variance);
  free(s->t.n_used);
}

/* The runs: used again when a complete file of this very scenario is there (not with
 * --force or --resume), else computed (or resumed) by the sweep engine. HS_OK (with
 * *stopped = the exit status when a signal stopped them) or an error code. */
static int runs(sens_run *s, hs_sweep_opts *o, int *stopped, hs_error *err) {
  hs_sweep_report rep;
  if (!o->force && !o->resume && hs_sensfile_runs_reusable(s->runs_path, s->sc->text)) {
    if (!o->quiet)
      fprintf(stderr, "using the %lld runs of %s\n", (long long)s->t.n_runs, s->runs_path);
    return HS_OK;
  }
  o->out_path = s->runs_path;
  int rc = hs__sweep_with_signals(s->sc, o, &rep, 0, err); /* rank 0 only under MPI */
  if (rc) return rc;
  if (!o->quiet || rep.interrupted) hs_sweep_report_print(stderr, &rep, s->runs_path);
  else if (rep.failed > 0)
    fprintf(stderr, "hepatosim: %lld of %lld runs failed (see /status and /reason in %s)\n",
            (long long)rep.failed, (long long)rep.n_runs, s->runs_path);
  if (rep.interrupted) *stopped = hs__sweep_stopped_status();
  return HS_OK;
}

static int analyse(sens_args *a, const hs_scenario *sc, const char *runs_path, int *stopped,
                   hs_error *err) {
  sens_run s = {.sc = sc, .a = a, .runs_path = runs_path};
  int rc = setup(&s, err);
  if (!rc) rc = runs(&s, &a->o, stopped, err);
  if (!rc && !*stopped && !(rc = compute(&s, err)) &&
      !(rc = hs_sensfile_write(a->out, a->o.force, &s.t, err))) {
    print_table(stdout, &s.t);
    if (!a->o.quiet) fprintf(stderr, "wrote %s\n", a->out);
  }
  release(&s);
  return rc;
}

int hs__cmd_sensitivity(int argc, char **argv) {
  sens_args a = {.n_boot = HS_SENS_BOOTSTRAP};
  int status = parse(argc, argv, &a);
  if (status >= 0) return status;
  if (!a.n_metrics)
    for (size_t i = 0; i < sizeof DEFAULT_METRICS / sizeof *DEFAULT_METRICS; i++)
      a.metrics[a.n_metrics++] = (char *)DEFAULT_METRICS[i];
  char out[4096], runs_path[4096 + 16];
  if (!a.out) derive(a.scenario, ".", "_sensitivity.h5", out, sizeof out), a.out = out;
  derive(a.out, ".h5", "_runs.h5", runs_path, sizeof runs_path);
  hs_error err;
  hs_error_clear(&err);
  struct stat st;
  if (!a.o.force && stat(a.out, &st) == 0) {
    fprintf(stderr, "hepatosim: error: %s exists; use --force to overwrite\n", a.out);
    return 2;
  }
  hs_scenario sc;
  int stopped = 0, rc = hs_scenario_load(&sc, a.scenario, a.data, &err);
  if (!rc) {
    rc = analyse(&a, &sc, runs_path, &stopped, &err);
    hs_scenario_release(&sc);
  }
  if (!rc && stopped) return stopped;
  if (rc) fprintf(stderr, "hepatosim: error: %s\n", err.msg);
  return hs_error_exit_code(rc);
}
