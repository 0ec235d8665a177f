/* hs_simulate.h - running a loaded scenario: every drug, and its IV comparator.
 *
 * The driver between a scenario and the solver: builds each drug's parameters, unrolls its
 * regimen, runs it (and the same doses given IV when the scenario asks), and fills the
 * metrics including regional_advantage (model.md identity 4). */
#ifndef HS_SIMULATE_H
#define HS_SIMULATE_H

#include "hs_error.h"
#include "hs_scenario.h"
#include "hs_solver.h"

typedef struct hs_drug_result {
  char name[HS_NAME_LEN];
  hs_metrics metrics;
  hs_trace trace; /* time courses on the output grid (arrays owned by the result) */
  hs_trace trace_iv; /* the IV comparator's time courses (t NULL when there are none): the
                        same doses given IV, run alone (run files; metrics come from the
                        run integrated alongside, so they agree to the tolerances) */
  int has_iv;     /* IV-comparator metrics are filled */
  char solver[8]; /* which method integrated it (simulation.solver): "cvode", "exact" (every
                     segment solved exactly) or "mixed" */
  char warning[256]; /* "" or what the run could not do, e.g. "hepatic artery occluded from
                        t = 0 h: 100 mg of hepatic arterial doses of 'x' not delivered" */
} hs_drug_result;

typedef struct hs_results {
  hs_drug_result *drugs; /* owned, one per scenario drug, same order */
  int n;
  double wall_s;         /* wall time of the whole simulation */
} hs_results;

/* Run every drug of sc with the workspace s. with_traces 0 skips the time courses
 * (metrics only). Returns HS_OK, HS_EINPUT (flows break model.md's constraints) or
 * HS_ESOLVER; err says which drug. On failure res holds nothing to release. */
int hs_simulate(hs_solver *s, const hs_scenario *sc, int with_traces, hs_results *res,
                hs_error *err);

/* The allocation-free core of hs_simulate, for repeated runs (sweeps): metrics of every
 * drug into m[0..sc->n_drugs), time courses into traces[0..n_drugs) when traces is not
 * NULL (caller-owned arrays, cap >= the grid size). doses is scratch space for at least
 * hs_simulate_dose_cap(sc) dose events. Validates the (possibly modified) regimens and
 * flows on every call. Returns as hs_simulate; err names the drug. */
int hs_simulate_metrics(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                        hs_metrics *m, hs_trace *traces, hs_error *err);

/* hs_simulate_metrics, and each drug's resolved model (hs_resolved.h) as its run used it
 * into resolved + drug * stride (a sweep's per-run rows): from the run's own parameters,
 * or, when the run fails, as hs_simulate_resolved gives it (NaN where that fails too). */
int hs_simulate_metrics_resolved(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                                 hs_metrics *m, hs_trace *traces, double *resolved, int stride,
                                 hs_error *err);

/* Dose events needed by hs_simulate_metrics for sc (the largest regimen of any drug, twice
 * with the IV comparator, whose copies of the doses follow them). */
int hs_simulate_dose_cap(const hs_scenario *sc);

/* The resolved model (hs_resolved.h) of drug i of sc as a run would use it:
 * v[hs_resolved_fields count]. HS_EINPUT (err says why) when its parameters are invalid. */
int hs_simulate_resolved(const hs_scenario *sc, int i, double *v, hs_error *err);

/* Free what hs_simulate allocated; accepts a zeroed hs_results. */
void hs_results_release(hs_results *res);

#endif
