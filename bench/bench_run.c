/* bench_run.c - time single simulations of a scenario with one reused solver workspace.
 * usage: bench_run SCENARIO.yaml [repeats]. Prints one JSON object on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds per hs_simulate call over `reps` calls, metrics only or with time courses. */
static double time_runs(hs_solver *s, const hs_scenario *sc, int traces, int reps,
                        hs_error *err) {
  double t0 = now_s();
  for (int i = 0; i < reps; i++) {
    hs_results res;
    if (hs_simulate(s, sc, traces, &res, err)) return -1;
    hs_results_release(&res);
  }
  return (now_s() - t0) / reps;
}

int main(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: bench_run SCENARIO.yaml [repeats]\n"), 2;
  int reps = argc > 2 ? atoi(argv[2]) : 200;
  hs_error err;
  hs_scenario sc;
  if (hs_scenario_load(&sc, argv[1], NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
  hs_solver *s = hs_solver_create(&err);
  if (!s) return fprintf(stderr, "%s\n", err.msg), 1;
  double metrics = time_runs(s, &sc, 0, reps, &err);
  double traces = time_runs(s, &sc, 1, reps, &err);
  if (metrics < 0 || traces < 0) return fprintf(stderr, "%s\n", err.msg), 3;
  hs_solver_stats st; /* of the last run (the last drug's): the cost that does not vary */
  hs_solver_stats_get(s, &st);
  printf("{\"scenario\": \"%s\", \"repeats\": %d, \"ms_per_run_metrics_only\": %.4f, "
         "\"ms_per_run_with_timecourses\": %.4f, \"iv_comparator\": %s, \"steps\": %ld, "
         "\"rhs_evals\": %ld, \"lin_setups\": %ld, \"segments\": %ld, "
         "\"exact_segments\": %ld}\n",
         argv[1], reps, 1e3 * metrics, 1e3 * traces, sc.iv_comparator ? "true" : "false",
         st.steps, st.rhs_evals, st.lin_setups, st.segments, st.exact_segments);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return 0;
}
