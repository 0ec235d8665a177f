/* simulate.c - running a scenario: each drug, its IV comparator, regional advantage. */
#include "hs_simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRACE_SERIES 9 /* t, plasma, blood, liver, tumor, tumor_venous, ha, pv, depot */

static int trace_alloc(hs_trace *tr, int n) {
  double *buf = calloc((size_t)n * TRACE_SERIES, sizeof(double));
  if (!buf) return HS_ENOMEM;
  double **series[TRACE_SERIES] = {&tr->t,     &tr->plasma,       &tr->blood,
                                   &tr->liver, &tr->tumor,        &tr->tumor_venous,
                                   &tr->hepatic_artery, &tr->portal_vein, &tr->depot};
  for (int i = 0; i < TRACE_SERIES; i++) *series[i] = buf + (size_t)i * n;
  tr->cap = n;
  return HS_OK;
}

/* The same doses given IV (a TACE dose becomes an IV bolus of the same amount). */
static void to_iv(hs_dose *d, int n) {
  for (int i = 0; i < n; i++) d[i].route = HS_ROUTE_IV;
}

static int run_drug(hs_solver *s, const hs_scenario *sc, const hs_scenario_drug *sd,
                    int with_traces, hs_drug_result *r, hs_error *err) {
  hs_params p;
  int rc = hs_params_init(&p, &sc->phys, &sd->drug, sc->embo, sc->n_embo, err);
  if (rc) return rc;
  int n = hs_regimen_count(sd->regimen, sd->n_regimen);
  hs_dose *doses = calloc((size_t)(n ? n : 1), sizeof *doses);
  if (!doses) return hs_error_set(err, HS_ENOMEM, "out of memory for %d doses", n);
  n = hs_regimen_expand(sd->regimen, sd->n_regimen, &sc->patient, doses, n, err);
  if (n < 0) {
    rc = n;
    goto done;
  }
  if (with_traces && (rc = trace_alloc(&r->trace, hs_solver_grid_size(&sc->sim)))) {
    hs_error_set(err, rc, "out of memory for the time courses");
    goto done;
  }
  rc = hs_solver_run(s, &p, doses, n, &sc->sim, with_traces ? &r->trace : NULL, &r->metrics, err);
  if (rc || !sc->iv_comparator) goto done;
  hs_metrics iv;
  to_iv(doses, n);
  if ((rc = hs_solver_run(s, &p, doses, n, &sc->sim, NULL, &iv, err))) {
    hs_error_prefix(err, "IV comparator");
    goto done;
  }
  r->has_iv = 1;
  r->metrics.auc_plasma_iv = iv.auc_plasma;
  r->metrics.auc_tumor_iv = iv.auc_tumor;
  /* model.md identity 4: R_d = [AUC_T(HA) / AUC_T(IV)] / [AUC_B(HA) / AUC_B(IV)] */
  r->metrics.regional_advantage =
      (r->metrics.auc_tumor / iv.auc_tumor) / (r->metrics.auc_blood / iv.auc_blood);
done:
  free(doses);
  return rc;
}

int hs_simulate(hs_solver *s, const hs_scenario *sc, int with_traces, hs_results *res,
                hs_error *err) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  memset(res, 0, sizeof *res);
  res->drugs = calloc((size_t)sc->n_drugs, sizeof *res->drugs);
  if (!res->drugs) return hs_error_set(err, HS_ENOMEM, "out of memory for results");
  res->n = sc->n_drugs;
  for (int i = 0; i < sc->n_drugs; i++) {
    hs_drug_result *r = &res->drugs[i];
    memcpy(r->name, sc->drugs[i].name, sizeof r->name);
    int rc = run_drug(s, sc, &sc->drugs[i], with_traces, r, err);
    if (rc) {
      hs_error_prefix(err, "%s: drug '%s'", sc->path ? sc->path : "scenario", r->name);
      hs_results_release(res);
      return rc;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  return HS_OK;
}

void hs_results_release(hs_results *res) {
  if (!res) return;
  for (int i = 0; i < res->n; i++) free(res->drugs[i].trace.t); /* t owns the block */
  free(res->drugs);
  memset(res, 0, sizeof *res);
}
