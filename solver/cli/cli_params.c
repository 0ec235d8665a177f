/* cli_params.c - `run --show-params`: the resolved model of every drug of a scenario
 * (hs_resolved.h) with units and where the values come from. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "hs_resolved.h"
#include "hs_scenario.h"
#include "hs_simulate.h"

/* Where a drug's and the patient's values come from. */
static void print_sources(FILE *f, const hs_scenario *sc, const hs_scenario_drug *sd) {
  if (sd->parent >= 0)
    fprintf(f, "  formed from '%s' (yield %g mg per mg eliminated)\n",
            sc->drugs[sd->parent].name, sd->yield);
  if (sd->source[0])
    fprintf(f, "  drug: library entry '%s' with the scenario's overrides (each library value's "
               "source: hepatosim drugs show %s)\n", sd->source, sd->source);
  else
    fprintf(f, "  drug: defined in the scenario\n");
  fprintf(f, "  patient: the scenario's values, else model/data/physiology.yaml%s\n",
          sc->body.follow ? "; cardiac output, hepatic flow and liver volume not written "
                            "follow the BSA (patient.scaling: body_size)" : "");
}

int hs__print_params(FILE *f, const hs_scenario *sc, hs_error *err) {
  int n;
  const hs_resolved_field *fl = hs_resolved_fields(&n);
  for (int i = 0; i < sc->n_drugs; i++) {
    const hs_scenario_drug *sd = &sc->drugs[i];
    double v[HS_RESOLVED_MAX];
    if (hs_simulate_resolved(sc, i, v, err)) return hs_error_prefix(err, "drug '%s'", sd->name);
    fprintf(f, "%sresolved parameters of '%s'\n", i ? "\n" : "", sd->name);
    print_sources(f, sc, sd);
    for (int k = 0; k < n; k++)
      fprintf(f, "  %-16s %12.6g %-5s %s\n", fl[k].name, v[k], fl[k].unit, fl[k].what);
  }
  return HS_OK;
}
