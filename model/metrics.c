/* metrics.c - what a run reports (model.md "Conventions for reported metrics"): the
 * metrics by name, the tracked concentrations, the mass balance, and the metrics of a
 * species from its final state. */
#include "hs_metrics.h"

#include <math.h>

#define METRIC(name, unit) {#name, unit, offsetof(hs_metrics, name)}
static const hs_metric_field METRIC_FIELDS[] = {
    METRIC(auc_plasma, "mg*h/L"),
    METRIC(auc_tumor, "mg*h/L"),
    METRIC(auc_liver, "mg*h/L"),
    METRIC(auc_tumor_venous, "mg*h/L"),
    METRIC(cmax_plasma, "mg/L"),
    METRIC(tmax_plasma, "h"),
    METRIC(cmax_tumor, "mg/L"),
    METRIC(tmax_tumor, "h"),
    METRIC(fraction_eliminated_liver, "1"),
    METRIC(fraction_eliminated_renal, "1"),
    METRIC(fraction_eliminated_extrahepatic, "1"),
    METRIC(mass_balance_error, "1"),
    METRIC(regional_advantage, "1"),
    METRIC(auc_plasma_iv, "mg*h/L"),
    METRIC(auc_tumor_iv, "mg*h/L"),
    METRIC(fraction_eliminated_tumor, "1"),
    METRIC(fraction_eliminated_filter, "1"),
    METRIC(fraction_eliminated_binding, "1"),
    METRIC(auc_blood, "mg*h/L"),
    METRIC(dosed_mg, "mg"),
    METRIC(dose_undelivered_mg, "mg"),
    METRIC(auc_liver_covered, "mg*h/L"),
    METRIC(auc_liver_uncovered, "mg*h/L"),
    METRIC(auc_tumor_covered, "mg*h/L"),
    METRIC(auc_tumor_uncovered, "mg*h/L"),
    METRIC(auc_gastric, "mg*h/L"),
    METRIC(cmax_gastric, "mg/L"),
};
#undef METRIC

const hs_metric_field *hs_metric_fields(int *n) {
  *n = (int)(sizeof METRIC_FIELDS / sizeof METRIC_FIELDS[0]);
  return METRIC_FIELDS;
}

double hs_metric_value(const hs_metrics *m, const hs_metric_field *f) {
  return *(const double *)((const char *)m + f->offset);
}

int hs_model_is_amount(const hs_params *p, int i) {
  return i < HS_N_AMOUNTS || (p->ext && i >= HS_A_L2 && i < HS_A_L2 + HS_N_EXT_AMOUNTS);
}

double hs_model_mass_residual(const hs_params *p, const double *y) {
  double present = 0, gone = y[HS_EL_H] + y[HS_EL_R] + y[HS_EL_X] + y[HS_EL_T] + y[HS_EL_F] +
                             y[HS_EL_B];
  for (int i = 0; i < HS_N_AMOUNTS; i++) present += y[i];
  for (int i = HS_A_L2; p->ext && i < HS_A_L2 + HS_N_EXT_AMOUNTS; i++) present += y[i];
  return fabs(y[HS_DOSED] - present - gone);
}

/* Covered and uncovered territory AUCs and gastric exposure (model.md extension): the
 * whole organ's AUC is the volume-weighted mean of its parts'. NaN where a part or the
 * gastric compartment does not exist. */
static void territory_metrics(const hs_params *p, const double *y, const hs_track *tk,
                              hs_metrics *m) {
  m->auc_liver_covered = m->auc_liver;
  m->auc_tumor_covered = m->auc_tumor;
  m->auc_liver_uncovered = m->auc_tumor_uncovered = NAN;
  m->auc_gastric = m->cmax_gastric = NAN;
  for (int k = 1; k < p->n_parts; k++) {
    const hs_part *q = &p->part[k];
    if (q->w_l > 0) {
      m->auc_liver_uncovered = y[q->i_auc_l];
      m->auc_liver_covered = (y[HS_AUC_L] - q->w_l * y[q->i_auc_l]) / p->part[0].w_l;
    }
    if (q->w_t > 0) {
      m->auc_tumor_uncovered = y[q->i_auc_t];
      m->auc_tumor_covered = (y[HS_AUC_T] - q->w_t * y[q->i_auc_t]) / p->part[0].w_t;
    }
  }
  if (p->i_gs >= 0) {
    m->auc_gastric = y[HS_AUC_GS];
    m->cmax_gastric = tk->cmax[HS_TRACK_GASTRIC];
  }
}

void hs_model_metrics(const hs_params *p, const double *y, const hs_track *tk, hs_metrics *m) {
  double dosed = y[HS_DOSED], bp = p->drug.bp;
  m->auc_plasma = y[HS_AUC_P];
  m->auc_blood = y[HS_AUC_P] * bp;
  m->auc_tumor = y[HS_AUC_T];
  m->auc_liver = y[HS_AUC_L];
  m->auc_tumor_venous = y[HS_AUC_TV];
  m->cmax_plasma = tk->cmax[HS_TRACK_PLASMA];
  m->tmax_plasma = tk->tmax[HS_TRACK_PLASMA];
  m->cmax_tumor = tk->cmax[HS_TRACK_TUMOR];
  m->tmax_tumor = tk->tmax[HS_TRACK_TUMOR];
  m->dosed_mg = dosed;
  m->fraction_eliminated_liver = dosed > 0 ? y[HS_EL_H] / dosed : 0;
  m->fraction_eliminated_renal = dosed > 0 ? y[HS_EL_R] / dosed : 0;
  m->fraction_eliminated_extrahepatic = dosed > 0 ? y[HS_EL_X] / dosed : 0;
  m->fraction_eliminated_tumor = dosed > 0 ? y[HS_EL_T] / dosed : 0;
  m->fraction_eliminated_filter = dosed > 0 ? y[HS_EL_F] / dosed : 0;
  m->fraction_eliminated_binding = dosed > 0 ? y[HS_EL_B] / dosed : 0;
  m->mass_balance_error = dosed > 0 ? tk->mb_max / dosed : tk->mb_max;
  m->regional_advantage = m->auc_plasma_iv = m->auc_tumor_iv = NAN;
  m->dose_undelivered_mg = 0; /* the driver knows what it withheld */
  territory_metrics(p, y, tk, m);
}
