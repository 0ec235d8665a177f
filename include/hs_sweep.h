/* hs_sweep.h - the parallel sweep engine: a scenario's `sweep:` design run over OpenMP
 * threads and streamed, in run order, to one HDF5 file (layout in hs_sweepfile.h).
 *
 * Each thread owns a copy of the scenario, a solver workspace and one chunk of result
 * buffers, all created before the first run and reused (no allocation and no HDF5 call
 * inside a run). Chunks of runs are scheduled dynamically; one writer at a time stores
 * them in run order. Results do not depend on the thread count. Work goes to
 * "<out>.partial", renamed to <out> when the sweep is complete; an interrupted sweep
 * (stop flag, e.g. from SIGTERM; or SIGKILL) is finished with resume = 1. */
#ifndef HS_SWEEP_H
#define HS_SWEEP_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "hs_error.h"
#include "hs_scenario.h"

typedef struct hs_sweep_opts {
  const char *out_path;              /* the complete file's name */
  int threads;                       /* <= 0: OpenMP's default */
  int resume;                        /* continue <out>.partial */
  int force;                         /* replace an existing <out> or <out>.partial */
  int timeseries;                    /* store every run's time courses */
  int quiet;                         /* no progress output */
  int shard_k, shard_n;              /* compute only shard k of n (1-based; 0 = whole sweep) */
  volatile sig_atomic_t *stop;       /* set asynchronously to stop after the current runs */
  FILE *log;                         /* progress (NULL: none) */
} hs_sweep_opts;

#define HS_SWEEP_MAX_REASONS 16
typedef struct hs_sweep_report {
  int64_t n_runs, done, failed, resumed_from;
  int64_t run_first, run_end; /* the runs this invocation owns (a shard's slice) */
  int threads, chunk_runs, interrupted;
  double wall_s, write_s; /* total and HDF5-writing wall time of this invocation */
  int n_reasons;          /* failures by reason (digits of messages replaced by '#') */
  char reason[HS_SWEEP_MAX_REASONS][160];
  int64_t reason_count[HS_SWEEP_MAX_REASONS];
} hs_sweep_report;

/* Run sc's sweep. Returns HS_OK also when interrupted (report->interrupted = 1, the
 * partial file resumable); HS_EINPUT (no sweep section, cannot resume), HS_EEXIST,
 * HS_EBUSY (another process holds <out>.lock: one writer per output), HS_EIO (a failed
 * write; the .partial is then removed) or HS_ENOMEM otherwise. Per-run failures are data, not errors. */
int hs_sweep_run(const hs_scenario *sc, const hs_sweep_opts *opts, hs_sweep_report *report,
                 hs_error *err);

#ifdef HS_MPI
/* The same sweep across the ranks of MPI_COMM_WORLD (MPI_Init_thread with at least
 * MPI_THREAD_FUNNELED done by the caller), each with opts->threads OpenMP threads. Every
 * rank calls it; rank 0 writes the file and prints; all ranks return the same status. */
int hs_sweep_run_mpi(const hs_scenario *sc, const hs_sweep_opts *opts, hs_sweep_report *report,
                     hs_error *err);
#endif

/* Print the end-of-sweep summary (runs, failures by reason, timing). */
void hs_sweep_report_print(FILE *f, const hs_sweep_report *r, const char *out_path);

#endif
