/* regimen.c - unrolling dosing regimens and computing body surface area (hs_regimen.h). */
#include "hs_regimen.h"

#include "hs_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double hs_patient_bsa(hs_bsa_formula f, double w, double h) {
  switch (f) {
  case HS_BSA_DUBOIS: /* Du Bois & Du Bois 1916, Arch Intern Med 17:863 */
    return 0.007184 * pow(w, 0.425) * pow(h, 0.725);
  case HS_BSA_HAYCOCK: /* Haycock et al. 1978, J Pediatr 93:62 */
    return 0.024265 * pow(w, 0.5378) * pow(h, 0.3964);
  case HS_BSA_MOSTELLER: /* Mosteller 1987, N Engl J Med 317:1098 */
  default:
    return sqrt(w * h / 3600.0);
  }
}

/* Dose events one administration of s becomes. */
static int events_per_administration(const hs_dose_spec *s) {
  return s->profile.shape == HS_PROFILE_STEPS ? s->profile.n_steps : 1;
}

int hs_regimen_count(const hs_dose_spec *spec, int n_spec) {
  int n = 0;
  for (int i = 0; i < n_spec; i++) n += spec[i].cycles * events_per_administration(&spec[i]);
  return n;
}

double hs_dose_base_rate(const hs_dose *d) {
  double len = d->t_end - d->t_start, w = 2 * M_PI / HS_DAY_H;
  if (!(d->amplitude > 0)) return d->amount_mg / len;
  /* integral of 1 + a cos(w (t - p)) over [t_start, t_end] */
  double integral = len + d->amplitude / w *
                              (sin(w * (d->t_end - d->peak)) - sin(w * (d->t_start - d->peak)));
  return d->amount_mg / integral;
}

/* Write the dose events of one administration (start t0, amount) into out; returns count. */
static int administration(const hs_dose_spec *s, double t0, double amount, hs_dose *out) {
  const hs_profile *pf = &s->profile;
  if (pf->shape != HS_PROFILE_STEPS) {
    int chrono = pf->shape == HS_PROFILE_CHRONO;
    out[0] = (hs_dose){s->route, t0, t0 + s->duration, amount, chrono ? pf->amplitude : 0,
                       chrono ? pf->peak : 0};
    return 1;
  }
  double sum = 0, len = s->duration / pf->n_steps;
  for (int j = 0; j < pf->n_steps; j++) sum += pf->weights[j];
  for (int j = 0; j < pf->n_steps; j++)
    out[j] = (hs_dose){s->route, t0 + j * len, j + 1 == pf->n_steps ? t0 + s->duration
                                                                     : t0 + (j + 1) * len,
                       amount * pf->weights[j] / sum, 0, 0};
  return pf->n_steps;
}

static double norm_factor(hs_norm norm, const hs_patient *pt) {
  switch (norm) {
  case HS_NORM_BSA: return pt->bsa_m2;
  case HS_NORM_WEIGHT: return pt->weight_kg;
  default: return 1.0;
  }
}

/* Stable insertion sort by start time: the unrolled cycles are nearly sorted already, and
 * unlike qsort it never allocates (sweeps expand regimens inside every run). */
static void sort_doses(hs_dose *d, int n) {
  for (int i = 1; i < n; i++) {
    hs_dose x = d[i];
    int j = i;
    for (; j > 0 && d[j - 1].t_start > x.t_start; j--) d[j] = d[j - 1];
    d[j] = x;
  }
}

int hs_regimen_expand(const hs_dose_spec *spec, int n_spec, const hs_patient *pt, hs_dose *out,
                      int cap, hs_error *err) {
  int n = 0;
  for (int i = 0; i < n_spec; i++) {
    const hs_dose_spec *s = &spec[i];
    double scale = norm_factor(s->norm, pt);
    if (!(scale > 0))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: a per-%s dose needs the patient's %s", i,
                          s->norm == HS_NORM_BSA ? "m2" : "kg",
                          s->norm == HS_NORM_BSA ? "BSA" : "weight");
    double amount = s->by_rate ? s->rate * s->duration * scale : s->amount * scale;
    int per = events_per_administration(s);
    for (int k = 0; k < s->cycles; k++) {
      if (n + per > cap) return hs_error_set(err, HS_EINPUT, "regimen: more than %d dose events", cap);
      n += administration(s, s->start + k * s->every, amount, out + n);
    }
  }
  sort_doses(out, n);
  return n;
}

int hs_regimen_check(const hs_dose_spec *spec, int n_spec, double t_end, hs_error *err) {
  for (int i = 0; i < n_spec; i++) {
    const hs_dose_spec *s = &spec[i];
    double amount = s->by_rate ? s->rate : s->amount;
    if (!(amount > 0) || !isfinite(amount))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: %s %g must be > 0", i,
                          s->by_rate ? "rate" : "dose", amount);
    if (!(s->duration >= 0) || (s->by_rate && !(s->duration > 0)))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: duration %g h must be %s", i,
                          s->duration, s->by_rate ? "> 0" : ">= 0");
    if (!(s->start >= 0))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: start %g h must be >= 0", i, s->start);
    if (s->cycles > 1 && !(s->every >= s->duration))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: cycle length %g h is shorter than the "
                          "infusion (%g h)", i, s->every, s->duration);
    if (s->profile.shape != HS_PROFILE_CONSTANT && !(s->duration > 0))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: a rate profile needs an infusion "
                          "(duration > 0)", i);
    if (s->profile.shape == HS_PROFILE_CHRONO &&
        !(s->profile.amplitude >= 0 && s->profile.amplitude <= 1))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: profile amplitude %g must lie in [0, 1]",
                          i, s->profile.amplitude);
    double last = s->start + (s->cycles - 1) * s->every;
    if (!(last < t_end))
      return hs_error_set(err, HS_EINPUT, "regimen[%d]: the dose at %g h starts at or after "
                          "the simulation end %g h", i, last, t_end);
  }
  return HS_OK;
}

double hs_regimen_total_mg(const hs_dose *doses, int n) {
  double sum = 0;
  for (int i = 0; i < n; i++) sum += doses[i].amount_mg;
  return sum;
}
