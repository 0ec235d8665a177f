/* hs_metrics.h - what a run reports and how the model defines it: the per-drug metrics,
 * the concentrations whose maxima are tracked, which states are amounts, the mass balance.
 *
 * Part of the model (pure mathematics over a state vector laid out as in hs_model.h): the
 * solver integrates and calls these; it knows no compartment names. Thread-safe. */
#ifndef HS_METRICS_H
#define HS_METRICS_H

#include <stddef.h>

#include "hs_model.h"

/* Per-drug summary metrics (model.md "Conventions"); units mg*h/L, mg/L, h, fractions.
 * The IV-comparator fields are NAN until filled by the scenario driver. */
typedef struct hs_metrics {
  double auc_plasma, auc_tumor, auc_liver, auc_tumor_venous, auc_blood;
  double cmax_plasma, tmax_plasma, cmax_tumor, tmax_tumor; /* tmax: first grid time at
                                                            which Cmax is reached */
  double fraction_eliminated_liver, fraction_eliminated_renal;
  double fraction_eliminated_extrahepatic, fraction_eliminated_tumor;
  double fraction_eliminated_filter; /* removed by a hepatic-venous filter (PHP) */
  double fraction_eliminated_binding; /* irreversibly bound in blood (platinum) */
  double mass_balance_error; /* max over output times of |dosed - present - eliminated|,
                              divided by the amount dosed by the end */
  double dosed_mg;
  double dose_undelivered_mg; /* hepatic-arterial doses not given: the artery was occluded
                                 (model.md extension); 0 otherwise. Set by the driver. */
  double regional_advantage, auc_plasma_iv, auc_tumor_iv;
  /* catheter territory and gastric misperfusion (model.md extension): AUCs of the covered
   * and uncovered liver and tumour (NaN when that territory is empty), gastric tissue AUC
   * and Cmax (NaN without a gastric compartment) */
  double auc_liver_covered, auc_liver_uncovered, auc_tumor_covered, auc_tumor_uncovered;
  double auc_gastric, cmax_gastric;
} hs_metrics;

/* The metrics by name, in reporting order: name as in the CLI/JSON/HDF5 output, unit,
 * offset in hs_metrics. The first 12 are always reported; regional_advantage,
 * auc_plasma_iv and auc_tumor_iv only with an IV comparator; the rest are extra
 * diagnostics (fraction_eliminated_tumor, fraction_eliminated_filter, auc_blood, dosed_mg,
 * dose_undelivered_mg, the covered/uncovered territory AUCs, auc_gastric, cmax_gastric). */
typedef struct hs_metric_field {
  const char *name;
  const char *unit;
  size_t offset;
} hs_metric_field;
#define HS_METRICS_CORE 12
#define HS_METRICS_IV_END 15
const hs_metric_field *hs_metric_fields(int *n);
double hs_metric_value(const hs_metrics *m, const hs_metric_field *f);

/* Whether state i of a species is an amount (a compartment, mg) rather than an
 * accounting state (AUC, eliminated or dosed amount), which no equation reads. */
int hs_model_is_amount(const hs_params *p, int i);

/* |dosed - present - eliminated| of one species' state y, mg (model.md "Mass balance"). */
double hs_model_mass_residual(const hs_params *p, const double *y);

/* What a run tracked for one species: maxima of the tracked concentrations over the grid
 * (cmax -INFINITY and tmax 0 when nothing was recorded; NaN for an exposure-only run) and
 * the largest mass-balance residual seen, mg. */
typedef struct hs_track {
  double cmax[HS_N_TRACKED], tmax[HS_N_TRACKED];
  double mb_max;
} hs_track;

/* The metrics of one species from its final state y and what was tracked. The IV
 * comparator fields are NaN and dose_undelivered_mg 0: the driver fills them. */
void hs_model_metrics(const hs_params *p, const double *y, const hs_track *tk, hs_metrics *m);

#endif
