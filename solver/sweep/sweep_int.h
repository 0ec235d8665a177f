/* sweep_int.h - private: the pieces of the sweep engine (solver/sweep/sweep.c) that the MPI
 * engine (solver/sweep/sweep_mpi.c) reuses: the plan, per-thread workers, chunk buffers, the
 * single in-order writer. */
#ifndef HS_SWEEP_INT_H
#define HS_SWEEP_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "hs_resolved.h"
#include "hs_simulate.h"
#include "hs_solver.h"
#include "hs_sweep.h"
#include "hs_sweepfile.h"

#define HS_SWEEP_N_SERIES 13
#define HS_SWEEP_REASON_LEN 256

/* What every worker and the writer share, read-only during the sweep. */
typedef struct hs__plan {
  const hs_scenario *sc;
  const hs_design *design;
  int n_params, n_drugs, n_metrics, n_time, chunk, timeseries;
  int n_metric_fields; /* the first n_metric_fields of the n_metrics columns are the run's
                          metrics (metrics), the rest its resolved parameters (resolved) */
  int64_t n_runs, n_chunks;
  int64_t k_first, k_end; /* the chunks this invocation (shard) owns */
  int shard_k, shard_n;
  const hs_metric_field *metrics;
  const hs_resolved_field *resolved;
} hs__plan;

/* One chunk of results, in the layout hs_sweepfile_write takes. */
typedef struct hs__chunk {
  double *params;         /* chunk x n_params */
  double *metrics;        /* chunk x n_drugs x n_metrics */
  double *series;         /* chunk x n_drugs x N_SERIES x n_time, or NULL */
  signed char *status;    /* chunk */
  char *reason_buf;       /* chunk x REASON_LEN */
  const char **reasons;   /* chunk pointers into reason_buf */
  int n;                  /* runs in the chunk */
  int64_t first, failed;  /* first run of the chunk, failures in it */
  int ok;                 /* computed completely */
} hs__chunk;

/* One thread's workspace: its scenario copy, solver and one chunk of results. */
typedef struct hs__worker {
  hs_scenario sc;
  hs_scenario_slot *slots;
  hs_solver *solver;
  hs_dose *doses;
  int dose_cap;
  hs_metrics *m;  /* n_drugs */
  hs_trace *tr;   /* n_drugs, pointed into `out.series` per run */
  double *values; /* n_params, one run */
  hs__chunk out;  /* the chunk being computed */
} hs__worker;

/* The exclusive lock on an output (<out>.lock, flock) and the identity of the work file
 * this process opened (<out>.partial): held from before the file is created or resumed
 * until it is renamed or left for a resume. */
typedef struct hs__lock {
  int held, fd;
  dev_t dev; /* the .partial this process created or resumed */
  ino_t ino;
} hs__lock;

/* The single writer: stores chunks in run order, counts failures, prints progress. */
typedef struct hs__writer {
  hs_sweepfile *f;
  hs__lock lock;
  int64_t done, failed, start_done;
  int halted, rc;
  hs_error err;
  double t0, t_print, write_s;
  int tty;
  FILE *log;
  hs_sweep_report *rep;
} hs__writer;

/* The sweep file's names and units, owned here, pointed to by the layout. */
typedef struct hs__names {
  const char **param, **param_units, **drug, **metric, **metric_units, **param_scen_units;
  double *time, *param_scen_scale;
} hs__names;

void hs__sweep_plan(const hs_scenario *sc, const hs_sweep_opts *o, hs__plan *pl);
/* The runs [first, end) of the plan's chunks (a shard's slice, or all runs). */
void hs__plan_slice(const hs__plan *pl, int64_t *first, int64_t *end);
int hs__chunk_alloc(hs__chunk *c, const hs__plan *pl);
void hs__chunk_free(hs__chunk *c);
int hs__worker_init(hs__worker *w, const hs__plan *pl, hs_error *err);
void hs__worker_free(hs__worker *w);
/* Compute chunk k into w->out unless *stop becomes set (then w->out.ok = 0). */
void hs__run_chunk(hs__worker *w, const hs__plan *pl, int64_t k, volatile sig_atomic_t *stop);
/* Store chunk c (the next in run order); a missing chunk (ok = 0) halts the writer. */
void hs__writer_take(hs__writer *wr, const hs__chunk *c, const hs__plan *pl);
void hs__progress(hs__writer *wr, const hs__plan *pl, int final);
int hs__make_layout(const hs__plan *pl, const hs__worker *w0, hs__names *nm,
                    hs_sweep_layout *lay, hs_error *err);
void hs__names_free(hs__names *nm);
/* Take the lock of output out: HS_EBUSY naming the holder's pid when another process holds
 * it; release (also removes <out>.lock); record the .partial written; whether the .partial
 * at that path is still it (and the lock held). sweep_lock.c. */
int hs__lock_acquire(hs__lock *l, const char *out, hs_error *err);
void hs__lock_release(hs__lock *l, const char *out);
void hs__lock_mark(hs__lock *l, const char *partial);
int hs__lock_is_ours(const hs__lock *l, const char *partial);
/* Lock <out>.lock (HS_EBUSY while another process holds it), then create <out>.partial or
 * open it for resuming; wr->done and wr->failed say where to go on. On failure (also
 * HS_ESTOPPED, the file then kept closed) the lock is released. */
int hs__open_file(const hs_sweep_opts *o, const char *partial, const hs_sweep_layout *lay,
                  hs__writer *wr, hs_error *err);
/* Close; mark complete and rename when every run of the slice is stored and the .partial
 * is still the file this process wrote. A failed write (HS_EIO) removes the .partial: HDF5
 * leaves no consistent file after one. Releases the lock. Returns the sweep's status:
 * wr->rc with its message, else the close's or rename's. */
int hs__finish(hs__writer *wr, const hs_sweep_layout *lay, const char *partial,
               const char *out, hs_error *err);
double hs__now_s(void);

#endif
