/* hs_resolved.h - the resolved model of one drug: what a run actually used (body size,
 * flows, volumes, partition, clearances) and the analytic quantities of docs/model.md
 * (E_L, F_HA, CL_TB, R_d), by name and unit. `run --show-params` prints them and every
 * run file stores them (README, "Resolved parameters").
 *
 * Pure: reads an initialised hs_params and writes caller-owned memory. */
#ifndef HS_RESOLVED_H
#define HS_RESOLVED_H

#include "hs_model.h"

/* Upper bound of the number of fields, for callers' buffers. */
#define HS_RESOLVED_MAX 48

typedef struct hs_resolved_field {
  const char *name; /* dataset / column name, e.g. "q_ha" */
  const char *unit; /* internal unit, e.g. "L/h" */
  const char *what; /* meaning, e.g. "hepatic arterial flow Q_HA" */
} hs_resolved_field;

/* The fields in output order; *n gets their number. */
const hs_resolved_field *hs_resolved_fields(int *n);

/* The values of p's drug, v[n] in hs_resolved_fields order, bsa_m2 the patient's body
 * surface (NAN when unknown). Saturable elimination is reported by Vmax and Km and enters
 * E_L, CL_TB, F_HA and R_d at concentrations far below Km (CL = Vmax / Km); a linear
 * route's Vmax and Km are NAN. The analytic quantities are model.md's reference identities
 * (identities 1 and 4): exact for the reference configuration, indicative with the
 * extensions (territory, embolisation, stasis...). */
void hs_resolved(const hs_params *p, double bsa_m2, double *v);

#endif
