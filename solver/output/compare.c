/* compare.c - rows of `hepatosim compare` from a scenario's results (see hs_compare.h). */
#include "hs_compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const CLASS_NAMES[] = {"", "below", "in", "above"};

const char *hs_target_class_name(hs_target_class c) {
  return c >= HS_TARGET_NONE && c <= HS_TARGET_ABOVE ? CLASS_NAMES[c] : "";
}

hs_target_class hs_compare_classify(double v, double low, double high) {
  if (isnan(v)) return HS_TARGET_NONE;
  if (v < low) return HS_TARGET_BELOW;
  if (v > high) return HS_TARGET_ABOVE;
  return HS_TARGET_IN;
}

/* The largest `cycles` of d's regimen entries (0 without a regimen). */
static int max_cycles(const hs_scenario_drug *d) {
  int n = 0;
  for (int i = 0; d && i < d->n_regimen; i++)
    if (d->regimen[i].cycles > n) n = d->regimen[i].cycles;
  return n;
}

/* The divisor of a per-cycle AUC (see hs_compare_exposure). */
static double cycles_of(const hs_exposure_target *t, const hs_scenario_drug *d,
                        const hs_scenario_drug *parent, double t_end_h) {
  if (t->cycle_h > 0) return t_end_h / t->cycle_h;
  int n = d->n_regimen > 0 ? max_cycles(d) : max_cycles(parent);
  return n > 0 ? n : 1;
}

int hs_compare_exposure(const hs_exposure_target *t, const hs_metrics *m,
                        const hs_scenario_drug *d, const hs_scenario_drug *parent,
                        double t_end_h, double *exposure, double *n_cycles, hs_error *err) {
  int per_cycle = !strcmp(t->per, "cycle");
  if (!per_cycle && strcmp(t->per, "run"))
    return hs_error_set(err, HS_EINPUT, "drug '%s': target per '%s': expected 'cycle' or 'run'",
                        d->name, t->per);
  if (!strcmp(t->measure, "cmax_plasma")) {
    *n_cycles = 1;
    *exposure = m->cmax_plasma;
    return HS_OK;
  }
  if (strcmp(t->measure, "auc_plasma"))
    return hs_error_set(err, HS_EINPUT,
                        "drug '%s': target measure '%s': expected 'auc_plasma' or 'cmax_plasma'",
                        d->name, t->measure);
  *n_cycles = per_cycle ? cycles_of(t, d, parent, t_end_h) : 1;
  *exposure = m->auc_plasma / *n_cycles;
  return HS_OK;
}

void hs_compare_stem(const char *path, char *out, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
  snprintf(out, cap, "%.*s", (int)len, base);
}

/* The target part of row r for drug i of sc. */
static int fill_target(hs_compare_row *r, const hs_scenario *sc, int i, const hs_metrics *m,
                       hs_error *err) {
  const hs_scenario_drug *d = &sc->drugs[i];
  const hs_scenario_drug *parent = d->parent >= 0 ? &sc->drugs[d->parent] : NULL;
  r->target = d->target;
  r->exposure = r->n_cycles = NAN;
  r->target_class = HS_TARGET_NONE;
  if (!d->target.present) {
    r->target.low = r->target.high = NAN; /* written as missing values */
    return HS_OK;
  }
  int rc = hs_compare_exposure(&d->target, m, d, parent, sc->sim.t_end, &r->exposure,
                               &r->n_cycles, err);
  if (!rc) r->target_class = hs_compare_classify(r->exposure, d->target.low, d->target.high);
  return rc;
}

int hs_compare_build(const hs_scenario *sc, const hs_results *res, hs_compare_row *rows,
                     hs_error *err) {
  char stem[HS_NAME_LEN];
  hs_compare_stem(sc->path ? sc->path : "", stem, sizeof stem);
  for (int i = 0; i < res->n; i++) {
    const hs_drug_result *d = &res->drugs[i];
    const hs_metrics *m = &d->metrics;
    hs_compare_row *r = &rows[i];
    memset(r, 0, sizeof *r);
    memcpy(r->scenario, stem, sizeof r->scenario);
    memcpy(r->drug, d->name, sizeof r->drug);
    if (sc->drugs[i].parent >= 0)
      memcpy(r->parent, sc->drugs[sc->drugs[i].parent].name, sizeof r->parent);
    r->auc_tumor = m->auc_tumor;
    r->cmax_tumor = m->cmax_tumor;
    r->auc_liver = m->auc_liver;
    r->auc_plasma = m->auc_plasma;
    r->cmax_plasma = m->cmax_plasma;
    r->tumor_plasma_ratio = m->auc_tumor / m->auc_plasma;
    r->has_iv = d->has_iv;
    r->regional_advantage = d->has_iv ? m->regional_advantage : NAN;
    r->auc_tumor_iv = d->has_iv ? m->auc_tumor_iv : NAN;
    r->auc_plasma_iv = d->has_iv ? m->auc_plasma_iv : NAN;
    r->fraction_eliminated_liver = m->fraction_eliminated_liver;
    if (fill_target(r, sc, i, m, err)) return hs_error_prefix(err, "%s", stem);
  }
  return HS_OK;
}

void hs_compare_label(const hs_compare_row *r, char *out, size_t cap) {
  if (r->parent[0])
    snprintf(out, cap, "%s (from %s)", r->drug, r->parent);
  else
    snprintf(out, cap, "%s", r->drug);
}

void hs_compare_target_text(const hs_compare_row *r, char *out, size_t cap) {
  const hs_exposure_target *t = &r->target;
  const char *cmax = strcmp(t->measure, "cmax_plasma") ? "" : "Cmax ";
  char window[64];
  if (!t->present || r->target_class == HS_TARGET_NONE) {
    snprintf(out, cap, "-");
    return;
  }
  if (isinf(t->high))
    snprintf(window, sizeof window, ">=%.4g", t->low);
  else
    snprintf(window, sizeof window, "%.4g-%.4g", t->low, t->high);
  switch (r->target_class) {
  case HS_TARGET_BELOW:
    snprintf(out, cap, "%s%.4g < %.4g (below) /%s", cmax, r->exposure, t->low, t->per);
    break;
  case HS_TARGET_ABOVE:
    snprintf(out, cap, "%s%.4g > %.4g (above) /%s", cmax, r->exposure, t->high, t->per);
    break;
  default:
    snprintf(out, cap, "%s%.4g in %s /%s", cmax, r->exposure, window, t->per);
  }
}
