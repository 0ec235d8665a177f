/* sweep.c - the parallel sweep engine (hs_sweep.h). The only file with #pragma omp. */
#include "hs_sweep.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sweep_int.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define N_SERIES HS_SWEEP_N_SERIES
#define REASON_LEN HS_SWEEP_REASON_LEN
static const char *const SERIES[N_SERIES] = {"plasma", "blood", "liver", "tumor",
                                             "tumor_venous", "hepatic_artery", "portal_vein",
                                             "depot", "hepatic_vein", "trapped_liver",
                                             "trapped_tumor", "bound_liver", "bound_tumor"};
static const char *const SERIES_UNITS[N_SERIES] = {"mg/L", "mg/L", "mg/L", "mg/L", "mg/L",
                                                   "mg/L", "mg/L", "mg",   "mg/L", "mg",
                                                   "mg",   "mg",   "mg"};

int hs__chunk_alloc(hs__chunk *c, const hs__plan *pl) {
  size_t n = (size_t)pl->chunk, d = (size_t)pl->n_drugs;
  memset(c, 0, sizeof *c);
  c->params = calloc(n * (size_t)pl->n_params + 1, sizeof *c->params);
  c->metrics = calloc(n * d * (size_t)pl->n_metrics, sizeof *c->metrics);
  c->series = pl->timeseries ? calloc(n * d * N_SERIES * (size_t)pl->n_time, sizeof(double)) : NULL;
  c->status = calloc(n, 1);
  c->reason_buf = calloc(n, REASON_LEN);
  c->reasons = calloc(n, sizeof *c->reasons);
  if (!c->params || !c->metrics || (pl->timeseries && !c->series) || !c->status ||
      !c->reason_buf || !c->reasons)
    return HS_ENOMEM;
  for (size_t i = 0; i < n; i++) c->reasons[i] = c->reason_buf + i * REASON_LEN;
  return HS_OK;
}

void hs__chunk_free(hs__chunk *c) {
  free(c->params), free(c->metrics), free(c->series), free(c->status);
  free(c->reason_buf), free(c->reasons);
  memset(c, 0, sizeof *c);
}

void hs__worker_free(hs__worker *w) {
  if (!w) return;
  hs_solver_free(w->solver);
  hs_scenario_release(&w->sc);
  free(w->slots), free(w->doses), free(w->m), free(w->tr), free(w->values);
  hs__chunk_free(&w->out);
  memset(w, 0, sizeof *w);
}

int hs__worker_init(hs__worker *w, const hs__plan *pl, hs_error *err) {
  size_t d = (size_t)pl->n_drugs;
  memset(w, 0, sizeof *w);
  int rc = hs_scenario_clone(&w->sc, pl->sc, err);
  if (rc) return rc;
  if (!(w->solver = hs_solver_create(err))) return err->code;
  w->dose_cap = hs_simulate_dose_cap(pl->sc); /* the clone holds no records */
  w->slots = calloc((size_t)pl->n_params + 1, sizeof *w->slots);
  w->doses = calloc((size_t)w->dose_cap, sizeof *w->doses);
  w->m = calloc(d, sizeof *w->m);
  w->tr = calloc(d, sizeof *w->tr);
  w->values = calloc((size_t)pl->n_params + 1, sizeof *w->values);
  if (!w->slots || !w->doses || !w->m || !w->tr || !w->values || hs__chunk_alloc(&w->out, pl))
    return hs_error_set(err, HS_ENOMEM, "out of memory for a sweep worker (chunk %d runs)",
                        pl->chunk);
  for (int p = 0; p < pl->n_params; p++)
    if ((rc = hs_scenario_slot_find(&w->sc, pl->design->params[p].path, &w->slots[p], err)))
      return rc;
  return HS_OK;
}

/* Point the traces of run r (within the chunk) at its place in the series buffer. */
static void point_traces(hs__worker *w, const hs__plan *pl, int r) {
  for (int d = 0; d < pl->n_drugs; d++) {
    double *base = w->out.series + (((size_t)r * pl->n_drugs + d) * N_SERIES) * pl->n_time;
    double **dst[N_SERIES] = {&w->tr[d].plasma, &w->tr[d].blood, &w->tr[d].liver,
                              &w->tr[d].tumor, &w->tr[d].tumor_venous,
                              &w->tr[d].hepatic_artery, &w->tr[d].portal_vein, &w->tr[d].depot,
                              &w->tr[d].hepatic_vein, &w->tr[d].trapped_liver,
                              &w->tr[d].trapped_tumor, &w->tr[d].bound_liver,
                              &w->tr[d].bound_tumor};
    for (int s = 0; s < N_SERIES; s++) *dst[s] = base + (size_t)s * pl->n_time;
    w->tr[d].cap = pl->n_time;
    w->tr[d].t = NULL;
    w->tr[d].y = NULL;
  }
}

/* One run: set the design point in the worker's scenario, simulate, store. */
static void run_one(hs__worker *w, const hs__plan *pl, int64_t run, int r) {
  hs_error e;
  hs_design_point(pl->design, run, w->values);
  hs_scenario_use_records(&w->sc, pl->sc, run);
  for (int p = 0; p < pl->n_params; p++) {
    hs_scenario_slot_set(&w->sc, &w->slots[p], w->values[p]);
    w->out.params[(size_t)r * pl->n_params + p] = w->values[p];
  }
  if (pl->timeseries) point_traces(w, pl, r);
  double *row = w->out.metrics + (size_t)r * pl->n_drugs * pl->n_metrics;
  const int nf = pl->n_metric_fields; /* then the resolved model, filled by the run */
  int rc = hs_simulate_metrics_resolved(w->solver, &w->sc, w->doses, w->dose_cap, w->m,
                                        pl->timeseries ? w->tr : NULL, row + nf, pl->n_metrics,
                                        &e);
  for (int d = 0; d < pl->n_drugs; d++)
    for (int j = 0; j < nf; j++)
      row[d * pl->n_metrics + j] = rc ? NAN : hs_metric_value(&w->m[d], &pl->metrics[j]);
  w->out.status[r] = rc == HS_OK ? HS_RUN_OK : rc == HS_EINPUT ? HS_RUN_INVALID : HS_RUN_SOLVER;
  snprintf(w->out.reason_buf + (size_t)r * REASON_LEN, REASON_LEN, "%s", rc ? e.msg : "");
  if (rc && pl->timeseries) {
    size_t per_run = (size_t)pl->n_drugs * N_SERIES * pl->n_time;
    for (size_t i = 0; i < per_run; i++) w->out.series[(size_t)r * per_run + i] = NAN;
  }
  w->out.failed += rc != 0;
}

/* Compute chunk k unless stopped; w->out.ok says whether it is complete. */
void hs__run_chunk(hs__worker *w, const hs__plan *pl, int64_t k, volatile sig_atomic_t *stop) {
  w->out.first = k * pl->chunk;
  w->out.n = (int)(pl->n_runs - w->out.first < pl->chunk ? pl->n_runs - w->out.first : pl->chunk);
  w->out.failed = 0;
  w->out.ok = 0;
  for (int r = 0; r < w->out.n; r++) {
    if (stop && *stop) return;
    run_one(w, pl, w->out.first + r, r);
  }
  w->out.ok = 1;
}

/* ---- the single writer ------------------------------------------------------------- */


double hs__now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Failures are counted by message with digits replaced, so "Q_LA = -3.2" and "Q_LA = -1"
 * fall under one reason. */
static void count_reason(hs_sweep_report *rep, const char *msg) {
  char key[160];
  size_t k = 0;
  for (const char *p = msg; *p && k + 1 < sizeof key;) {
    int ident = k > 0 && (isalpha((unsigned char)key[k - 1]) || key[k - 1] == '_');
    if (!isdigit((unsigned char)*p) || ident) { /* digits inside names are kept: "s1_x" */
      key[k++] = *p++;
      continue;
    }
    key[k++] = '#';
    while (isdigit((unsigned char)*p) || (*p && strchr(".eE+-", *p))) p++;
  }
  key[k] = '\0';
  int i = 0;
  while (i < rep->n_reasons && strcmp(rep->reason[i], key)) i++;
  if (i == rep->n_reasons && rep->n_reasons < HS_SWEEP_MAX_REASONS)
    snprintf(rep->reason[rep->n_reasons++], sizeof rep->reason[0], "%s", key);
  else if (i == rep->n_reasons)
    i = HS_SWEEP_MAX_REASONS - 1, snprintf(rep->reason[i], sizeof rep->reason[0], "other reasons");
  rep->reason_count[i]++;
}

void hs__plan_slice(const hs__plan *pl, int64_t *first, int64_t *end) {
  *first = pl->k_first * pl->chunk;
  *end = pl->k_end * pl->chunk < pl->n_runs ? pl->k_end * pl->chunk : pl->n_runs;
}

void hs__progress(hs__writer *wr, const hs__plan *pl, int final) {
  if (!wr->log) return;
  int64_t first, end;
  hs__plan_slice(pl, &first, &end);
  double t = hs__now_s(), rate = (wr->done - wr->start_done) / fmax(t - wr->t0, 1e-9);
  if (!final && t - wr->t_print < (wr->tty ? 0.2 : 30.0)) return;
  wr->t_print = t;
  int64_t done = wr->done - first, total = end - first;
  double eta = rate > 0 ? (total - done) / rate : 0;
  int pct = total > 0 ? (int)(100.0 * done / total) : 100, bar = pct / 5;
  if (wr->tty)
    fprintf(wr->log, "\r[%.*s%*s] %3d%% %lld/%lld runs, %.0f runs/s, %lld failed, ETA %02d:%02d:%02d%s",
            bar, "####################", 20 - bar, "", pct, (long long)done, (long long)total,
            rate, (long long)wr->failed, (int)(eta / 3600), (int)fmod(eta / 60, 60),
            (int)fmod(eta, 60), final ? "\n" : "");
  else
    fprintf(wr->log, "sweep: %lld/%lld runs (%d%%), %.0f runs/s, %lld failed, ETA %.0f s\n",
            (long long)done, (long long)total, pct, rate, (long long)wr->failed, eta);
  fflush(wr->log);
}

/* Store a computed chunk; called in run order. Once a chunk is missing (stopped) or a
 * write failed, nothing more is stored, so the file always holds runs [0, done). */
static void halt(hs__writer *wr) {
#pragma omp atomic write
  wr->halted = 1;
}

void hs__writer_take(hs__writer *wr, const hs__chunk *c, const hs__plan *pl) {
  if (wr->halted || !c->ok) {
    halt(wr);
    return;
  }
  double t0 = hs__now_s();
  int rc = hs_sweepfile_write(wr->f, c->first, c->n, c->params, c->metrics, c->status,
                              c->reasons, c->series, wr->failed + c->failed, &wr->err);
  wr->write_s += hs__now_s() - t0;
  if (rc) {
    wr->rc = rc;
    halt(wr);
    return;
  }
  wr->done = c->first + c->n;
  wr->failed += c->failed;
  for (int r = 0; r < c->n; r++)
    if (c->status[r] != HS_RUN_OK) count_reason(wr->rep, c->reasons[r]);
  hs__progress(wr, pl, 0);
}

/* ---- set-up ------------------------------------------------------------------------ */


void hs__names_free(hs__names *n) {
  free(n->param), free(n->param_units), free(n->drug), free(n->metric), free(n->metric_units);
  free(n->time), free(n->param_scen_units), free(n->param_scen_scale);
}

int hs__make_layout(const hs__plan *pl, const hs__worker *w0, hs__names *nm, hs_sweep_layout *lay,
                       hs_error *err) {
  const hs_scenario *sc = pl->sc;
  memset(nm, 0, sizeof *nm);
  nm->param = calloc((size_t)pl->n_params + 1, sizeof(char *));
  nm->param_units = calloc((size_t)pl->n_params + 1, sizeof(char *));
  nm->drug = calloc((size_t)pl->n_drugs, sizeof(char *));
  nm->metric = calloc((size_t)pl->n_metrics, sizeof(char *));
  nm->metric_units = calloc((size_t)pl->n_metrics, sizeof(char *));
  nm->time = calloc((size_t)pl->n_time, sizeof(double));
  nm->param_scen_units = calloc((size_t)pl->n_params + 1, sizeof(char *));
  nm->param_scen_scale = calloc((size_t)pl->n_params + 1, sizeof(double));
  if (!nm->param || !nm->param_units || !nm->drug || !nm->metric || !nm->metric_units ||
      !nm->time || !nm->param_scen_units || !nm->param_scen_scale)
    return hs_error_set(err, HS_ENOMEM, "out of memory");
  for (int p = 0; p < pl->n_params; p++) {
    const hs_design_param *dp = &pl->design->params[p];
    nm->param[p] = dp->path, nm->param_units[p] = w0->slots[p].unit;
    nm->param_scen_units[p] = dp->unit_scale > 0 ? dp->unit : w0->slots[p].unit;
    nm->param_scen_scale[p] = dp->unit_scale > 0 ? dp->unit_scale : 1;
  }
  for (int d = 0; d < pl->n_drugs; d++) nm->drug[d] = sc->drugs[d].name;
  for (int j = 0; j < pl->n_metrics; j++) {
    const int k = j - pl->n_metric_fields; /* the resolved parameters after the metrics */
    nm->metric[j] = k < 0 ? pl->metrics[j].name : pl->resolved[k].name;
    nm->metric_units[j] = k < 0 ? pl->metrics[j].unit : pl->resolved[k].unit;
  }
  for (int k = 0; k < pl->n_time; k++) nm->time[k] = fmin(k * sc->sim.dt_out, sc->sim.t_end);
  *lay = (hs_sweep_layout){
      .n_runs = pl->n_runs, .chunk_runs = pl->chunk, .n_params = pl->n_params,
      .param_names = nm->param, .param_units = nm->param_units,
      .param_scenario_units = nm->param_scen_units, .param_scenario_scale = nm->param_scen_scale,
      .run_ids = pl->design->ids, .run_id_len = HS_DESIGN_ID_LEN, .n_drugs = pl->n_drugs,
      .drug_names = nm->drug, .n_metrics = pl->n_metrics, .metric_names = nm->metric,
      .metric_units = nm->metric_units, .timeseries = pl->timeseries,
      .ts_float32 = sc->sweep.ts_float32, .n_time = pl->n_time, .time = nm->time,
      .n_series = N_SERIES, .series_names = SERIES, .series_units = SERIES_UNITS,
      .scenario_text = sc->text, .scenario_path = sc->path,
      .design_name = hs_design_kind_name(pl->design->kind), .design_text = sc->sweep.text,
      .version = HS_VERSION, .seed = pl->design->seed, .rtol = sc->sim.rtol, .atol = sc->sim.atol,
      .solver = hs_solver_method_names[sc->sim.method], .shard_k = pl->shard_k, .shard_n = pl->shard_n};
  hs__plan_slice(pl, &lay->run_first, &lay->run_end);
  return HS_OK;
}

/* Shard k of n owns chunks [(k-1) nc / n, k nc / n): contiguous, chunk-aligned slices. */
void hs__sweep_plan(const hs_scenario *sc, const hs_sweep_opts *o, hs__plan *pl) {
  int timeseries = o->timeseries;
  memset(pl, 0, sizeof *pl);
  pl->sc = sc;
  pl->design = &sc->sweep.design;
  pl->n_params = pl->design->n_params;
  pl->n_drugs = sc->n_drugs;
  int n_res;
  pl->metrics = hs_metric_fields(&pl->n_metric_fields);
  pl->resolved = hs_resolved_fields(&n_res);
  pl->n_metrics = pl->n_metric_fields + n_res;
  pl->n_time = hs_solver_grid_size(&sc->sim);
  pl->timeseries = timeseries;
  pl->n_runs = pl->design->n_runs;
  pl->chunk = sc->sweep.chunk_runs > 0 ? sc->sweep.chunk_runs : 1024;
  if (timeseries) { /* keep a worker's chunk of time courses near 16 MiB */
    long per_run = (long)pl->n_drugs * N_SERIES * pl->n_time;
    long cap = (2L << 20) / (per_run > 0 ? per_run : 1);
    if (cap < 1) cap = 1;
    if (pl->chunk > cap) pl->chunk = (int)cap;
  }
  pl->n_chunks = (pl->n_runs + pl->chunk - 1) / pl->chunk;
  pl->shard_k = o->shard_n > 0 ? o->shard_k : 0;
  pl->shard_n = o->shard_n > 0 ? o->shard_n : 0;
  pl->k_first = pl->shard_n ? (pl->shard_k - 1) * pl->n_chunks / pl->shard_n : 0;
  pl->k_end = pl->shard_n ? pl->shard_k * pl->n_chunks / pl->shard_n : pl->n_chunks;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Create <out>.partial, or open it for resuming; *done says where to continue. */
static int open_locked(const hs_sweep_opts *o, const char *partial, const hs_sweep_layout *lay,
                       hs__writer *wr, hs_error *err) {
  wr->done = wr->failed = 0;
  if (o->resume) {
    if (!exists(partial))
      return hs_error_set(err, HS_EINPUT, "%s: no interrupted sweep to resume (%s)%s",
                          o->out_path, partial, exists(o->out_path) ? "; the file is complete" : "");
    return hs_sweepfile_open_resume(partial, lay, &wr->f, &wr->done, &wr->failed, err);
  }
  if (!o->force && exists(o->out_path))
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", o->out_path);
  if (!o->force && exists(partial))
    return hs_error_set(err, HS_EEXIST, "%s exists (an interrupted sweep): finish it with "
                        "--resume, or start again with --force", partial);
  if (o->force && exists(partial) && unlink(partial) != 0)
    return hs_error_set(err, HS_EIO, "cannot remove %s: %s", partial, strerror(errno));
  return hs_sweepfile_create(partial, lay, &wr->f, err);
}

int hs__open_file(const hs_sweep_opts *o, const char *partial, const hs_sweep_layout *lay,
                  hs__writer *wr, hs_error *err) {
  int rc = hs__lock_acquire(&wr->lock, o->out_path, err);
  if (rc) return rc;
  rc = open_locked(o, partial, lay, wr, err);
  if (!rc) hs__lock_mark(&wr->lock, partial);
  else hs__lock_release(&wr->lock, o->out_path); /* a stopped creation is closed, kept */
  return rc;
}

/* ---- the sweep ----------------------------------------------------------------------- */

static int init_workers(hs__worker *ws, int n, const hs__plan *pl, hs_error *err) {
  for (int t = 0; t < n; t++) {
    int rc = hs__worker_init(&ws[t], pl, err);
    if (rc) return rc;
  }
  return HS_OK;
}

/* Chunks [k0, n_chunks) over the threads; chunk results reach the writer in run order. */
static void run_loop(hs__worker *ws, int threads, const hs__plan *pl, int64_t k0, hs__writer *wr,
                     volatile sig_atomic_t *stop) {
#pragma omp parallel for schedule(dynamic, 1) ordered num_threads(threads)
  for (int64_t k = k0; k < pl->k_end; k++) {
    hs__worker *w = &ws[omp_get_thread_num()];
    int halted;
#pragma omp atomic read
    halted = wr->halted;
    if (halted) w->out.ok = 0;
    else hs__run_chunk(w, pl, k, stop);
#pragma omp ordered
    hs__writer_take(wr, &w->out, pl);
  }
}

int hs__finish(hs__writer *wr, const hs_sweep_layout *lay, const char *partial, const char *out,
               hs_error *err) {
  int rc = wr->rc ? hs_error_set(err, wr->rc, "%s", wr->err.msg) : HS_OK;
  int complete = !rc && wr->done == lay->run_end;
  int rc2 = hs_sweepfile_close(wr->f, complete, rc ? NULL : err);
  wr->f = NULL;
  if (!rc) rc = rc2;
  int ours = hs__lock_is_ours(&wr->lock, partial);
  if (rc == HS_EIO && ours && unlink(partial) == 0) { /* a full disk, typically */
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n, "; %s removed (HDF5 leaves no consistent file "
             "after a failed write): free space and start again", partial);
  } else if (!rc && complete && !ours) {
    rc = hs_error_set(err, HS_EIO, "%s is no longer the file this sweep wrote: not renamed to %s",
                      partial, out);
  } else if (!rc && complete && rename(partial, out) != 0) {
    rc = hs_error_set(err, HS_EIO, "cannot rename %s to %s: %s", partial, out, strerror(errno));
  }
  hs__lock_release(&wr->lock, out);
  return rc;
}

int hs_sweep_run(const hs_scenario *sc, const hs_sweep_opts *o, hs_sweep_report *rep,
                 hs_error *err) {
  memset(rep, 0, sizeof *rep);
  if (!sc->sweep.present)
    return hs_error_set(err, HS_EINPUT, "%s: no 'sweep:' section to run", sc->path);
  hs__plan pl;
  if (o->shard_n && (o->shard_k < 1 || o->shard_k > o->shard_n))
    return hs_error_set(err, HS_EINPUT, "--shard %d/%d: K must lie in 1..N", o->shard_k, o->shard_n);
  hs__sweep_plan(sc, o, &pl);
  int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
  char partial[4200];
  snprintf(partial, sizeof partial, "%s.partial", o->out_path);
  double t0 = hs__now_s();
  hs__names nm = {0};
  hs_sweep_layout lay;
  hs__writer wr = {.rep = rep, .log = o->quiet ? NULL : o->log};
  hs__worker *ws = calloc((size_t)threads, sizeof *ws);
  int rc = ws ? init_workers(ws, threads, &pl, err) : hs_error_set(err, HS_ENOMEM, "out of memory");
  if (!rc) rc = hs__make_layout(&pl, &ws[0], &nm, &lay, err);
  lay.stop = o->stop; /* the run scale of a huge sweep takes a while to write */
  if (!rc) rc = hs__open_file(o, partial, &lay, &wr, err);
  if (rc == HS_ESTOPPED) { /* <out>.partial exists with no run done: resumable */
    rc = HS_OK;
    wr.done = wr.start_done = rep->resumed_from = lay.run_first;
  } else if (!rc) {
    wr.t0 = wr.t_print = hs__now_s();
    wr.tty = wr.log && isatty(fileno(wr.log));
    if (!o->resume) wr.done = lay.run_first;
    rep->resumed_from = wr.start_done = wr.done;
    run_loop(ws, threads, &pl, wr.done / pl.chunk, &wr, o->stop);
    hs__progress(&wr, &pl, 1);
    rc = hs__finish(&wr, &lay, partial, o->out_path, err);
  }
  for (int t = 0; ws && t < threads; t++) hs__worker_free(&ws[t]);
  free(ws);
  hs__names_free(&nm);
  rep->n_runs = pl.n_runs, rep->done = wr.done, rep->failed = wr.failed;
  rep->threads = threads, rep->chunk_runs = pl.chunk;
  hs__plan_slice(&pl, &rep->run_first, &rep->run_end);
  rep->interrupted = !rc && wr.done < rep->run_end;
  rep->wall_s = hs__now_s() - t0, rep->write_s = wr.write_s;
  return rc;
}

void hs_sweep_report_print(FILE *f, const hs_sweep_report *r, const char *out_path) {
  double rate = (r->done - r->resumed_from) / fmax(r->wall_s, 1e-9);
  fprintf(f, "sweep: %lld of %lld runs done (%lld failed), %d thread%s, %.1f s, %.0f runs/s, "
          "HDF5 writing %.1f %% of wall time\n",
          (long long)(r->done - r->run_first), (long long)(r->run_end - r->run_first),
          (long long)r->failed, r->threads, r->threads == 1 ? "" : "s", r->wall_s, rate,
          100 * r->write_s / fmax(r->wall_s, 1e-9));
  for (int i = 0; i < r->n_reasons; i++)
    fprintf(f, "  %lld failed: %s\n", (long long)r->reason_count[i], r->reason[i]);
  if (r->interrupted && r->done == r->run_first)
    fprintf(f, "interrupted: %s.partial holds no run yet; finish with the same command and "
            "--resume\n", out_path);
  else if (r->interrupted)
    fprintf(f, "interrupted: %s.partial holds runs %lld-%lld; finish with the same command and "
            "--resume\n", out_path, (long long)r->run_first, (long long)r->done - 1);
  else
    fprintf(f, "wrote %s\n", out_path);
}
