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

int hs_simulate_dose_cap(const hs_scenario *sc) {
  int cap = 1;
  for (int i = 0; i < sc->n_drugs; i++) {
    int n = hs_regimen_count(sc->drugs[i].regimen, sc->drugs[i].n_regimen);
    if (n > cap) cap = n;
  }
  return cap;
}

/* One drug: its run, then (when asked) the same doses given IV; a TACE dose becomes an
 * IV bolus of the same amount. */
static int run_drug(hs_solver *s, const hs_scenario *sc, const hs_scenario_drug *sd,
                    hs_dose *doses, int cap, hs_metrics *m, hs_trace *tr, hs_error *err) {
  hs_params p;
  int rc = hs_params_init(&p, &sc->phys, &sd->drug, sc->embo, sc->n_embo, err);
  if (!rc) rc = hs_params_set_filter(&p, sc->filter, sc->n_filter, err);
  if (!rc) rc = hs_regimen_check(sd->regimen, sd->n_regimen, sc->sim.t_end, err);
  if (rc) return rc;
  int n = hs_regimen_expand(sd->regimen, sd->n_regimen, &sc->patient, doses, cap, err);
  if (n < 0) return n;
  if ((rc = hs_solver_run(s, &p, doses, n, &sc->sim, tr, m, err)) || !sc->iv_comparator)
    return rc;
  hs_metrics iv;
  for (int i = 0; i < n; i++) doses[i].route = HS_ROUTE_IV;
  if ((rc = hs_solver_run(s, &p, doses, n, &sc->sim, NULL, &iv, err)))
    return hs_error_prefix(err, "IV comparator");
  m->auc_plasma_iv = iv.auc_plasma;
  m->auc_tumor_iv = iv.auc_tumor;
  /* model.md identity 4: R_d = [AUC_T(HA) / AUC_T(IV)] / [AUC_B(HA) / AUC_B(IV)] */
  m->regional_advantage = (m->auc_tumor / iv.auc_tumor) / (m->auc_blood / iv.auc_blood);
  return HS_OK;
}

int hs_simulate_metrics(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                        hs_metrics *m, hs_trace *traces, hs_error *err) {
  for (int i = 0; i < sc->n_drugs; i++) {
    int rc = run_drug(s, sc, &sc->drugs[i], doses, cap, &m[i], traces ? &traces[i] : NULL, err);
    if (rc) return hs_error_prefix(err, "drug '%s'", sc->drugs[i].name);
  }
  return HS_OK;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int results_alloc(const hs_scenario *sc, int with_traces, hs_results *res,
                         hs_metrics **m, hs_trace **tr, hs_dose **doses) {
  res->drugs = calloc((size_t)sc->n_drugs, sizeof *res->drugs);
  *m = calloc((size_t)sc->n_drugs, sizeof **m);
  *tr = with_traces ? calloc((size_t)sc->n_drugs, sizeof **tr) : NULL;
  *doses = calloc((size_t)hs_simulate_dose_cap(sc), sizeof **doses);
  if (!res->drugs || !*m || (with_traces && !*tr) || !*doses) return HS_ENOMEM;
  res->n = sc->n_drugs;
  for (int i = 0; with_traces && i < sc->n_drugs; i++)
    if (trace_alloc(&(*tr)[i], hs_solver_grid_size(&sc->sim))) return HS_ENOMEM;
  return HS_OK;
}

int hs_simulate(hs_solver *s, const hs_scenario *sc, int with_traces, hs_results *res,
                hs_error *err) {
  double t0 = now_s();
  hs_metrics *m = NULL;
  hs_trace *tr = NULL;
  hs_dose *doses = NULL;
  memset(res, 0, sizeof *res);
  int rc = results_alloc(sc, with_traces, res, &m, &tr, &doses);
  if (rc) hs_error_set(err, rc, "out of memory for the results of %s", sc->path);
  else rc = hs_simulate_metrics(s, sc, doses, hs_simulate_dose_cap(sc), m, tr, err);
  for (int i = 0; i < res->n; i++) {
    hs_drug_result *r = &res->drugs[i];
    memcpy(r->name, sc->drugs[i].name, sizeof r->name);
    r->metrics = m[i];
    r->has_iv = sc->iv_comparator;
    if (tr) r->trace = tr[i];
  }
  for (int i = 0; rc && !res->drugs && tr && i < sc->n_drugs; i++) free(tr[i].t);
  free(m);
  free(tr);
  free(doses);
  if (rc) {
    if (sc->path && rc != HS_ENOMEM) hs_error_prefix(err, "%s", sc->path);
    hs_results_release(res);
    return rc;
  }
  res->wall_s = now_s() - t0;
  return HS_OK;
}

void hs_results_release(hs_results *res) {
  if (!res) return;
  for (int i = 0; i < res->n; i++) free(res->drugs[i].trace.t); /* t owns the block */
  free(res->drugs);
  memset(res, 0, sizeof *res);
}
