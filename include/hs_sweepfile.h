/* hs_sweepfile.h - the HDF5 file of a parameter sweep, written in run order by one writer.
 *
 * Layout (all at the root, so `xarray.open_dataset(FILE, engine="h5netcdf")` sees every
 * variable with named dimensions):
 *   run                 int64 [run]            dimension scale "run" (0 .. n_runs-1)
 *   drug                string [drug]          dimension scale "drug"
 *   time                float64 [time]         dimension scale "time" (--timeseries only)
 *   <parameter path>    float64 [run]          e.g. "tumor.perfusion", units attribute
 *   <metric>            float64 [run, drug]    every hs_metric_fields() metric
 *   id                  string [run]           a patient table's row ids (design table only)
 *   status              int8 [run]             HS_RUN_* below
 *   reason              string [run]           "" for runs that succeeded
 *   <series>            float32|64 [run, drug, time]  plasma, blood, liver, tumor,
 *                       tumor_venous, hepatic_artery, portal_vein, depot, hepatic_vein,
 *                       trapped_liver, trapped_tumor, bound_liver, bound_tumor
 *                       (--timeseries)
 * Every dataset has `units` (and `long_name`); a parameter's values are in internal units
 * (`units`) and it also carries `scenario_units`, the unit the scenario (or the table's
 * header) wrote it in, with `scenario_scale`: value in scenario_units = value * scale.
 * Datasets are chunked along run
 * (chunk_runs), shuffle+deflate+Fletcher32 checksum, in the HDF5 1.10 format (checksummed
 * metadata). Root attributes: scenario_text, scenario_path, design,
 * design_text, seed, n_runs, chunk_runs, program_version, rtol, atol, solver (the
 * simulation.solver asked for: auto, cvode or exact; absent in files before 0.1.0's exact
 * solver), runs_done, runs_failed, complete (0/1).
 *
 * Crash safety: hs_sweepfile_write flushes the file and then records runs_done, so after
 * an interruption (even SIGKILL between writes) the file holds runs [run_first, runs_done)
 * and a resume rewrites from there. Shards add the attributes shard ("K/N"), run_first
 * and run_end; `hs_sweepfile_merge` joins shards into one file. Not thread-safe: one writer. Only solver/ files include hdf5.h. */
#ifndef HS_SWEEPFILE_H
#define HS_SWEEPFILE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "hs_error.h"

/* Per-run status codes stored in `status`. */
enum hs_run_status {
  HS_RUN_OK = 0,
  HS_RUN_INVALID = 1, /* the sampled parameters break a constraint (e.g. a negative flow) */
  HS_RUN_SOLVER = 2,  /* CVODE failed */
  HS_RUN_NOT_RUN = -1 /* fill value: not computed yet */
};

typedef struct hs_sweep_layout {
  int64_t n_runs;
  int chunk_runs; /* runs per HDF5 chunk and per write (the last write may be shorter) */
  int n_params;
  const char *const *param_names; /* scenario paths */
  const char *const *param_units; /* internal units, e.g. "L/h" */
  const char *const *param_scenario_units; /* as the scenario wrote them ("mL"), or NULL */
  const double *param_scenario_scale;      /* scenario-unit value = stored * scale, or NULL */
  const char *run_ids; /* design table: n_runs ids of run_id_len bytes each, or NULL */
  int run_id_len;
  int n_drugs;
  const char *const *drug_names;
  int n_metrics;
  const char *const *metric_names;
  const char *const *metric_units;
  int timeseries;     /* 0: scalars only */
  int ts_float32;     /* 1: series stored as float32, else float64 */
  int n_time;
  const double *time; /* h, n_time values */
  int n_series;
  const char *const *series_names;
  const char *const *series_units;
  /* provenance */
  const char *scenario_text, *scenario_path, *design_name, *design_text, *version;
  const char *solver; /* simulation.solver as requested (auto, cvode, exact); NULL: none */
  uint64_t seed;
  double rtol, atol;
  /* job-array shards: shard_k of shard_n (1-based; 0/0 for a whole sweep) holds runs
   * [run_first, run_end), chunk-aligned; a whole sweep has [0, n_runs). Datasets are
   * always n_runs long; a shard writes only its slice. */
  int shard_k, shard_n;
  int64_t run_first, run_end;
  /* 1: write through parallel HDF5's MPI-IO driver (set by the MPI engine for its rank-0
   * writer; honoured only in the MPI build, `make mpi`) */
  int mpio;
  /* set asynchronously (a signal) to stop writing the run scale, the one step of creating
   * or resuming a file whose time grows with n_runs; NULL: never stops */
  volatile sig_atomic_t *stop;
} hs_sweep_layout;

typedef struct hs_sweepfile hs_sweepfile;

/* Create a new file at path (must not exist: the caller handles --force and temporary
 * names). All datasets are created at full size with fill values (NaN, status -1); the
 * run scale is written last. HS_ESTOPPED when lay->stop stopped that: the file is kept,
 * closed, with no run done, and hs_sweepfile_open_resume writes the scale again. */
int hs_sweepfile_create(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                        hs_error *err);

/* Open an interrupted file for resuming. Refuses (HS_EINPUT, "<path> cannot be resumed
 * safely: ...") unless the file opens, is not complete, and its scenario_text, design,
 * design_text, seed, n_runs, chunk_runs, parameters, drugs, metrics, timeseries settings,
 * tolerances, shard and run slice equal lay's. *runs_done receives where to continue.
 * With no run done yet, the run scale is written again (a creation may have been stopped
 * while writing it): HS_ESTOPPED, file closed, when lay->stop stops that. */
int hs_sweepfile_open_resume(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                             int64_t *runs_done, int64_t *runs_failed, hs_error *err);

/* Write runs [first, first + n): params n x n_params, metrics n x n_drugs x n_metrics,
 * status n, reasons n strings (NULL entries = ""), series (NULL without timeseries)
 * n x n_drugs x n_series x n_time doubles (converted to float32 if asked). Then flush,
 * then set runs_done = first + n and runs_failed, and flush again. */
int hs_sweepfile_write(hs_sweepfile *f, int64_t first, int n, const double *params,
                       const double *metrics, const signed char *status,
                       const char *const *reasons, const double *series, int64_t runs_failed,
                       hs_error *err);

/* Close; complete = 1 marks the file complete (attribute) before closing. Accepts NULL. */
int hs_sweepfile_close(hs_sweepfile *f, int complete, hs_error *err);

/* Print what a sweep file holds: scenario path, design and seed, runs completed / failed
 * / total, complete or not, parameter ranges (min, max over done runs) and metric ranges
 * per drug (min, max, NaN count). Reads chunk_runs rows at a time. */
int hs_sweepfile_info(const char *path, FILE *out, hs_error *err);

/* Read every dataset of a sweep file back (per-run ones over the runs stored), so HDF5
 * checks each chunk's Fletcher32 checksum; a stored run must have a status and finite
 * parameters. Prints "verified: N datasets read back, ..." to out, or returns HS_EINPUT
 * "<path>: verify failed: dataset '<name>' is damaged (rows a-b: <HDF5's reason>)". The
 * same check runs before --resume trusts a .partial. */
int hs_sweepfile_verify(const char *path, FILE *out, hs_error *err);

/* Join complete shard files into out (written to "<out>.tmp.<pid>" and renamed; an
 * existing out is replaced only with force). The shards must come from the same scenario,
 * design, seed, tolerances and layout, and cover every run exactly once; otherwise
 * HS_EINPUT naming the file and what is wrong ("runs 2000-2999 are missing (shard 2/3?)",
 * "shard 2/3 is given twice: a.h5, b.h5", "b.h5 is not complete"). The datasets of out
 * equal those of the unsharded sweep; runs_done = n_runs and complete = 1. n_runs and
 * n_failed (may be NULL) receive the merged file's runs and failed runs. */
int hs_sweepfile_merge(const char *out, const char *const *shards, int n_shards, int force,
                       int64_t *n_runs, int64_t *n_failed, hs_error *err);

#endif
