/* hs_solver.h - integrating one drug's model with SUNDIALS CVODE (BDF, Newton, dense).
 *
 * An hs_solver is a workspace: CVODE memory, vectors, matrix, linear solver, scratch
 * buffers and its own error record. Create one per thread (or rank) once and reuse it for
 * many runs; it is not shared between threads and there is no global state. The run
 * restarts integration at every discontinuity: infusion start and stop, bolus,
 * embolisation onset, so short events are never stepped over. */
#ifndef HS_SOLVER_H
#define HS_SOLVER_H

#include <stddef.h>

#include "hs_error.h"
#include "hs_metrics.h"
#include "hs_model.h"
#include "hs_regimen.h"

typedef struct hs_solver hs_solver;

/* How a run is integrated (hs_sim_opts.method; scenario key simulation.solver).
 * CVODE: BDF throughout. EXACT: every segment between two events over which the system is
 * linear with constant coefficients (linear elimination of every species, no time-varying
 * embolisation multiplier, no chronomodulated rate) is solved by the exponential of its
 * system matrix (from hs_system_jac; the infusion rates as augmented states), the other
 * segments by CVODE; a saturable drug is refused (HS_EINPUT). AUTO: as EXACT, but a
 * saturable drug is integrated by CVODE throughout. */
typedef enum hs_solver_method { HS_SOLVER_CVODE = 0, HS_SOLVER_AUTO, HS_SOLVER_EXACT } hs_solver_method;
/* Their names in scenario files and outputs, by value, NULL-terminated. */
extern const char *const hs_solver_method_names[];

/* Optional time courses on the output grid, caller-owned arrays of length `cap`.
 * Any array may be NULL (not recorded). n is set by the run. */
typedef struct hs_trace {
  int cap, n;
  double *t;
  double *plasma, *blood, *liver, *tumor, *tumor_venous, *hepatic_artery, *portal_vein;
  double *depot;  /* mg */
  double *hepatic_vein; /* plasma basis, upstream of a hepatic-venous filter */
  double *trapped_liver, *trapped_tumor; /* stasis: held in the embolised beds, mg */
  double *bound_liver, *bound_tumor;     /* local retention: bound, mg */
  double *y;      /* full state, n x HS_NSTATE row-major, may be NULL (extension states
                     that a run does not integrate are 0) */
} hs_trace;

/* Number of output points of a run: 0, dt, 2 dt, ... and t_end. */
int hs_solver_grid_size(const hs_sim_opts *opts);

/* Create a workspace. Returns NULL on allocation failure (err says why). */
hs_solver *hs_solver_create(hs_error *err);

/* Release a workspace; accepts NULL. */
void hs_solver_free(hs_solver *s);

/* Integrate from t = 0 (all amounts 0) to opts->t_end under the doses (sorted by
 * start), recording the trace when trace != NULL and computing the metrics.
 * Returns HS_OK, HS_EINPUT (bad options, dose after the end, trace too small) or
 * HS_ESOLVER (CVODE failed; err carries CVODE's message and the time). */
int hs_solver_run(hs_solver *s, const hs_params *p, const hs_dose *doses, int n_doses,
                  const hs_sim_opts *opts, hs_trace *trace, hs_metrics *m, hs_error *err);

/* A coupled system: species 0 (sp[0]) receives the doses; species k >= 1 is formed from
 * link[k] (hs_model.h). tr: NULL, or ns trace pointers (each may be NULL); m: ns metrics.
 * A formed species' dosed_mg is the amount formed. Same returns as hs_solver_run. */
int hs_solver_run_system(hs_solver *s, const hs_params *const *sp, const hs_species_link *link,
                         int ns, const hs_dose *doses, int n_doses, const hs_sim_opts *opts,
                         hs_trace *const *tr, hs_metrics *m, hs_error *err);

/* A run and its comparator (the same system under cmp_doses, e.g. the IV comparator)
 * integrated side by side as one CVODE system: one step sequence for both, with error
 * control over both, at about 60 % of the cost of two runs. m: as hs_solver_run_system;
 * m_cmp: the comparator's ns metrics, exposure only (Cmax and tmax NaN, mass balance at
 * the end). Same returns as hs_solver_run. */
int hs_solver_run_compared(hs_solver *s, const hs_params *const *sp,
                           const hs_species_link *link, int ns, const hs_dose *doses,
                           int n_doses, const hs_dose *cmp_doses, int n_cmp,
                           const hs_sim_opts *opts, hs_trace *const *tr, hs_metrics *m,
                           hs_metrics *m_cmp, hs_error *err);

/* Statistics of the last run (steps, RHS and Jacobian evaluations, restarts). */
typedef struct hs_solver_stats {
  long steps, rhs_evals, jac_evals, segments, lin_setups, newton_iters, err_test_fails;
  long exact_segments; /* segments solved exactly (hs_solver_method); the rest by CVODE */
  long grid_skipped;   /* output grid points an exact metrics-only run passed without
                          evaluating them: they provably hold no new maximum */
} hs_solver_stats;
void hs_solver_stats_get(const hs_solver *s, hs_solver_stats *st);

#endif
