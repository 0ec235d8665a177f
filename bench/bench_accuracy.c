/* bench_accuracy.c - accuracy kept by a sweep's tolerances: every n-th run of the design
 * simulated at the scenario's tolerances and at rtol 1e-10, atol 1e-14 mg; prints the
 * largest relative difference over the metrics (tmax is a grid time and
 * mass_balance_error round-off, so both are reported apart), and how far the metrics-only
 * Cmax (the sweep's) is from the maximum of the recorded time course of the same run.
 * usage: SCENARIO.yaml [every] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"

static int simulate(hs_solver *s, hs_scenario *sc, hs_dose *d, int cap, hs_metrics *m) {
  hs_error e;
  int rc = hs_simulate_metrics(s, sc, d, cap, m, NULL, &e);
  if (rc) fprintf(stderr, "%s\n", e.msg);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: bench_accuracy SCENARIO.yaml [every]\n"), 2;
  hs_error err;
  hs_scenario sc;
  if (hs_scenario_load(&sc, argv[1], NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
  const hs_design *dz = &sc.sweep.design;
  int64_t every = argc > 2 ? atoll(argv[2]) : 200;
  hs_scenario_slot slots[64];
  double v[64], worst = 0, tmax_diff = 0, lazy = 0;
  const char *worst_name = "-";
  for (int p = 0; p < dz->n_params; p++) hs_scenario_slot_find(&sc, dz->params[p].path, &slots[p], &err);
  hs_solver *s = hs_solver_create(&err);
  int cap = hs_simulate_dose_cap(&sc), nf, runs = 0;
  hs_dose *d = calloc((size_t)cap, sizeof *d);
  hs_metrics a[8], b[8];
  const hs_metric_field *f = hs_metric_fields(&nf);
  hs_sim_opts loose = sc.sim, tight = sc.sim;
  tight.rtol = 1e-10, tight.atol = 1e-14, tight.max_steps = 10000000;
  for (int64_t run = 0; run < dz->n_runs; run += every, runs++) {
    hs_design_point(dz, run, v);
    for (int p = 0; p < dz->n_params; p++) hs_scenario_slot_set(&sc, &slots[p], v[p]);
    sc.sim = loose;
    if (simulate(s, &sc, d, cap, a)) continue;
    hs_results traced;
    if (hs_simulate(s, &sc, 1, &traced, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    for (int i = 0; i < sc.n_drugs; i++) {
      const hs_metrics *t = &traced.drugs[i].metrics;
      lazy = fmax(lazy, fabs(a[i].cmax_plasma - t->cmax_plasma) / t->cmax_plasma);
      lazy = fmax(lazy, fabs(a[i].cmax_tumor - t->cmax_tumor) / t->cmax_tumor);
    }
    hs_results_release(&traced);
    sc.sim = tight;
    if (simulate(s, &sc, d, cap, b)) continue;
    for (int i = 0; i < sc.n_drugs; i++)
      for (int j = 0; j < nf; j++) {
        double x = hs_metric_value(&a[i], &f[j]), y = hs_metric_value(&b[i], &f[j]);
        if (strstr(f[j].name, "tmax")) tmax_diff = fmax(tmax_diff, fabs(x - y));
        if (strstr(f[j].name, "tmax") || !strcmp(f[j].name, "mass_balance_error") || isnan(y)) continue;
        double rel = y != 0 ? fabs(x - y) / fabs(y) : fabs(x);
        if (rel > worst) worst = rel, worst_name = f[j].name;
      }
  }
  printf("{\"runs_checked\": %d, \"max_rel_error\": %.3g, \"worst_metric\": \"%s\", "
         "\"max_tmax_diff_h\": %.6g, \"output_interval_h\": %.6g, "
         "\"cmax_metrics_only_vs_traced_max_rel\": %.3g}\n",
         runs, worst, worst_name, tmax_diff, sc.sim.dt_out, lazy);
  free(d);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return 0;
}
