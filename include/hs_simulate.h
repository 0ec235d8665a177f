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
  int has_iv;     /* IV-comparator metrics are filled */
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

/* Free what hs_simulate allocated; accepts a zeroed hs_results. */
void hs_results_release(hs_results *res);

#endif
