/* simulate.c - running a scenario: each drug, its IV comparator, regional advantage. */
#include "hs_simulate.h"

#include "hs_resolved.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRACE_SERIES 14 /* t, plasma, blood, liver, tumor, tumor_venous, ha, pv, depot, hv,
                           trapped and bound in liver and tumour */

static int trace_alloc(hs_trace *tr, int n) {
  double *buf = calloc((size_t)n * TRACE_SERIES, sizeof(double));
  if (!buf) return HS_ENOMEM;
  double **series[TRACE_SERIES] = {&tr->t,     &tr->plasma,       &tr->blood,
                                   &tr->liver, &tr->tumor,        &tr->tumor_venous,
                                   &tr->hepatic_artery, &tr->portal_vein, &tr->depot,
                                   &tr->hepatic_vein, &tr->trapped_liver,
                                   &tr->trapped_tumor, &tr->bound_liver, &tr->bound_tumor};
  for (int i = 0; i < TRACE_SERIES; i++) *series[i] = buf + (size_t)i * n;
  tr->cap = n;
  return HS_OK;
}

int hs_simulate_dose_cap(const hs_scenario *sc) {
  int cap = 1;
  for (int i = 0; i < sc->n_drugs; i++) {
    const hs_dose_records *r = sc->drugs[i].records; /* every id's, for sweeps */
    int n = hs_regimen_count(sc->drugs[i].regimen, sc->drugs[i].n_regimen);
    if (n > cap) cap = n;
    if (r && r->max_events > cap) cap = r->max_events;
  }
  return sc->iv_comparator ? 2 * cap : cap; /* the IV comparator's copies follow */
}

/* A dosed drug and the species its eliminations form (scenario entries whose parent it is;
 * one level): their scenario indices, parameters and links. */
typedef struct drug_system {
  int ns, idx[HS_MAX_SPECIES];
  hs_params p[HS_MAX_SPECIES];
  const hs_params *pp[HS_MAX_SPECIES];
  hs_species_link link[HS_MAX_SPECIES];
} drug_system;

static int build_system(const hs_scenario *sc, int i, drug_system *sys, hs_error *err) {
  sys->ns = 0;
  for (int t = -1; t < sc->n_drugs; t++) { /* drug i first, then its species, wherever listed */
    int j = t < 0 ? i : t;
    const hs_scenario_drug *sd = &sc->drugs[j];
    if (t >= 0 && (j == i || sd->parent != i)) continue;
    if (sys->ns == HS_MAX_SPECIES)
      return hs_error_set(err, HS_EINPUT, "drug '%s' forms more than %d species",
                          sc->drugs[i].name, HS_MAX_SPECIES - 1);
    int k = sys->ns++, rc;
    sys->idx[k] = j;
    sys->pp[k] = &sys->p[k];
    sys->link[k] = (hs_species_link){.parent = 0, .route = sd->route, .yield = sd->yield};
    if ((rc = hs_params_init(&sys->p[k], &sc->phys, &sd->drug, sc->embo, sc->n_embo, err)) ||
        (rc = hs_params_set_filter(&sys->p[k], sc->filter, sc->n_filter, err)))
      return j == i ? rc : hs_error_prefix(err, "species '%s'", sd->name);
  }
  return HS_OK;
}

/* The BSA a resolved row reports (NaN when the scenario has none). */
static double bsa_of(const hs_scenario *sc) {
  return sc->patient.bsa_m2 > 0 ? sc->patient.bsa_m2 : NAN;
}

int hs_simulate_resolved(const hs_scenario *sc, int i, double *v, hs_error *err) {
  hs_params p;
  const hs_scenario_drug *sd = &sc->drugs[i];
  int rc = hs_params_init(&p, &sc->phys, &sd->drug, sc->embo, sc->n_embo, err);
  if (rc) return rc;
  hs_resolved(&p, bsa_of(sc), v);
  return HS_OK;
}

/* Where a run's results go (each may be NULL): metrics m[drug], time courses, the IV
 * comparator's time courses, which solver ran (out[drug].solver), and the resolved model,
 * row resolved + drug * stride. */
typedef struct run_out {
  hs_metrics *m;
  hs_trace *traces, *iv_traces;
  hs_drug_result *out;
  double *resolved;
  int stride;
} run_out;

/* The IV comparator's time courses: the IV doses run alone into iv_traces[idx]. */
static int run_iv_traces(hs_solver *s, const hs_scenario *sc, const drug_system *sys,
                         const hs_dose *ivd, int n, hs_trace *iv_traces, hs_error *err) {
  hs_metrics scratch[HS_MAX_SPECIES];
  hs_trace *tr[HS_MAX_SPECIES];
  for (int k = 0; k < sys->ns; k++) tr[k] = &iv_traces[sys->idx[k]];
  int rc = hs_solver_run_system(s, sys->pp, sys->link, sys->ns, ivd, n, &sc->sim, tr, scratch,
                                err);
  return rc ? hs_error_prefix(err, "IV comparator's time courses") : HS_OK;
}

/* One dosed drug with the species it forms: its run, then (when asked) the same doses
 * given IV; a TACE dose becomes an IV bolus of the same amount. Metrics go to m[idx];
 * iv_traces (NULL: none) get the comparator's time courses. */
static int run_drug(hs_solver *s, const hs_scenario *sc, int i, hs_dose *doses, int cap,
                    const run_out *o, hs_error *err) {
  const hs_scenario_drug *sd = &sc->drugs[i];
  hs_trace *traces = o->traces;
  drug_system sys;
  int rc = build_system(sc, i, &sys, err);
  for (int k = 0; !rc && o->resolved && k < sys.ns; k++) /* the parameters the run uses */
    hs_resolved(&sys.p[k], bsa_of(sc), o->resolved + (size_t)sys.idx[k] * o->stride);
  if (!rc) rc = hs_regimen_check(sd->regimen, sd->n_regimen, sc->sim.t_end, err);
  if (rc) return rc;
  int n = hs_regimen_expand(sd->regimen, sd->n_regimen, &sc->patient, doses, cap, err);
  if (n < 0) return n;
  double undelivered = 0; /* hepatic artery occlusion: arterial doses are not given */
  if (sc->phys.vasc.ha_occluded)
    n = hs_regimen_withhold_ha(doses, n, sc->phys.vasc.t_occl, &undelivered);
  hs_metrics ms[HS_MAX_SPECIES], iv[HS_MAX_SPECIES];
  hs_trace *tr[HS_MAX_SPECIES];
  for (int k = 0; k < sys.ns; k++) tr[k] = traces ? &traces[sys.idx[k]] : NULL;
  if (!sc->iv_comparator) {
    rc = hs_solver_run_system(s, sys.pp, sys.link, sys.ns, doses, n, &sc->sim,
                              traces ? tr : NULL, ms, err);
  } else { /* the same doses IV (after the arterial ones), integrated alongside */
    if (2 * n > cap)
      return hs_error_set(err, HS_EINPUT, "%d doses and their IV copies exceed room for %d",
                          n, cap);
    hs_dose *ivd = doses + n;
    for (int j = 0; j < n; j++) ivd[j] = doses[j], ivd[j].route = HS_ROUTE_IV;
    rc = hs_solver_run_compared(s, sys.pp, sys.link, sys.ns, doses, n, ivd, n, &sc->sim,
                                traces ? tr : NULL, ms, iv, err);
  }
  if (!rc && sc->iv_comparator) {
    for (int k = 0; k < sys.ns; k++) {
      ms[k].auc_plasma_iv = iv[k].auc_plasma;
      ms[k].auc_tumor_iv = iv[k].auc_tumor;
      /* model.md identity 4: R_d = [AUC_T(HA) / AUC_T(IV)] / [AUC_B(HA) / AUC_B(IV)] */
      ms[k].regional_advantage =
          (ms[k].auc_tumor / iv[k].auc_tumor) / (ms[k].auc_blood / iv[k].auc_blood);
    }
  }
  ms[0].dose_undelivered_mg = undelivered;
  for (int k = 0; !rc && k < sys.ns; k++) o->m[sys.idx[k]] = ms[k];
  hs_solver_stats st;
  hs_solver_stats_get(s, &st);
  for (int k = 0; !rc && o->out && k < sys.ns; k++) /* which method integrated the segments */
    snprintf(o->out[sys.idx[k]].solver, sizeof o->out->solver, "%s",
             st.exact_segments == 0 ? "cvode" : st.exact_segments == st.segments ? "exact" : "mixed");
  if (!rc && o->iv_traces && sc->iv_comparator)
    rc = run_iv_traces(s, sc, &sys, doses + n, n, o->iv_traces, err);
  return rc;
}

/* Every dosed drug (with the species it forms). */
static int run_drugs(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                     const run_out *o, hs_error *err) {
  for (int i = 0; i < sc->n_drugs; i++) {
    if (sc->drugs[i].parent >= 0) continue; /* run with its parent */
    int rc = run_drug(s, sc, i, doses, cap, o, err);
    if (rc) return hs_error_prefix(err, "drug '%s'", sc->drugs[i].name);
  }
  return HS_OK;
}

int hs_simulate_metrics(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                        hs_metrics *m, hs_trace *traces, hs_error *err) {
  return run_drugs(s, sc, doses, cap, &(run_out){.m = m, .traces = traces}, err);
}

int hs_simulate_metrics_resolved(hs_solver *s, const hs_scenario *sc, hs_dose *doses, int cap,
                                 hs_metrics *m, hs_trace *traces, double *resolved, int stride,
                                 hs_error *err) {
  run_out o = {.m = m, .traces = traces, .resolved = resolved, .stride = stride};
  int rc = run_drugs(s, sc, doses, cap, &o, err);
  int n_res;
  hs_resolved_fields(&n_res);
  for (int d = 0; rc && d < sc->n_drugs; d++) { /* a failed run: each drug on its own */
    hs_error e;
    double *v = resolved + (size_t)d * stride;
    if (hs_simulate_resolved(sc, d, v, &e))
      for (int j = 0; j < n_res; j++) v[j] = NAN;
  }
  return rc;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* tr[0..n_drugs) the runs' time courses, tr[n_drugs..2 n_drugs) the IV comparator's (when
 * the scenario has one), with_traces only. */
static int results_alloc(const hs_scenario *sc, int with_traces, hs_results *res,
                         hs_metrics **m, hs_trace **tr, hs_dose **doses) {
  int n_tr = with_traces ? (sc->iv_comparator ? 2 : 1) * sc->n_drugs : 0;
  res->drugs = calloc((size_t)sc->n_drugs, sizeof *res->drugs);
  *m = calloc((size_t)sc->n_drugs, sizeof **m);
  *tr = n_tr ? calloc((size_t)n_tr, sizeof **tr) : NULL;
  *doses = calloc((size_t)hs_simulate_dose_cap(sc), sizeof **doses);
  if (!res->drugs || !*m || (n_tr && !*tr) || !*doses) return HS_ENOMEM;
  res->n = sc->n_drugs;
  for (int i = 0; i < n_tr; i++)
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
  else
    rc = run_drugs(s, sc, doses, hs_simulate_dose_cap(sc),
                   &(run_out){.m = m, .traces = tr,
                              .iv_traces = tr && sc->iv_comparator ? tr + sc->n_drugs : NULL,
                              .out = res->drugs}, err);
  for (int i = 0; i < res->n; i++) {
    hs_drug_result *r = &res->drugs[i];
    memcpy(r->name, sc->drugs[i].name, sizeof r->name);
    r->metrics = m[i];
    r->has_iv = sc->iv_comparator;
    if (tr) r->trace = tr[i];
    if (tr && sc->iv_comparator) r->trace_iv = tr[sc->n_drugs + i];
    if (!rc && m[i].dose_undelivered_mg > 0)
      snprintf(r->warning, sizeof r->warning, "hepatic artery occluded from t = %g h: %g mg of "
               "hepatic arterial doses of '%s' not delivered", sc->phys.vasc.t_occl,
               m[i].dose_undelivered_mg, r->name);
  }
  for (int i = 0; rc && !res->drugs && tr && i < (sc->iv_comparator ? 2 : 1) * sc->n_drugs; i++)
    free(tr[i].t);
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
  for (int i = 0; i < res->n; i++) { /* t owns the block */
    free(res->drugs[i].trace.t);
    free(res->drugs[i].trace_iv.t);
  }
  free(res->drugs);
  memset(res, 0, sizeof *res);
}
