/* scenario_path.c - numeric scenario quantities addressed by path (for sweeps), deep copies
 * of scenarios so that every thread owns the one it modifies, and their release. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drugdef.h"
#include "hs_scenario.h"
#include "yamldoc.h"

typedef struct path_field {
  const char *key;
  size_t offset;
  hs_kind kind;
  const char *unit;
  int flags;
} path_field;

enum { F_BSA = 1, F_ONE_MINUS = 2, F_LINEAR = 4, F_MM = 8, F_BOLUS = 16, F_RATE = 32,
       F_NEED_PS = 64, F_NEED_CATHETER = 128, F_NEED_GASTRIC = 256 };

#define PF(key, st, mem, kind, unit, flags) {key, offsetof(st, mem), kind, unit, flags}
static const path_field PATIENT[] = {
    PF("weight", hs_scenario, patient.weight_kg, HS_KIND_BODY_MASS, "kg", F_BSA),
    PF("height", hs_scenario, patient.height_cm, HS_KIND_LENGTH, "cm", F_BSA),
    PF("bsa", hs_scenario, patient.bsa_m2, HS_KIND_AREA, "m2", 0),
    PF("cardiac_output", hs_scenario, phys.q_co, HS_KIND_FLOW, "L/h", 0),
    PF("hepatic_flow", hs_scenario, phys.q_h, HS_KIND_FLOW, "L/h", 0),
    PF("arterial_fraction", hs_scenario, phys.f_ha, HS_KIND_FRACTION, "1", 0),
    PF("blood_volume", hs_scenario, phys.v_b, HS_KIND_VOLUME, "L", 0),
    PF("splanchnic_volume", hs_scenario, phys.v_g, HS_KIND_VOLUME, "L", 0),
    PF("liver_volume", hs_scenario, phys.v_l, HS_KIND_VOLUME, "L", 0),
    PF("rest_volume", hs_scenario, phys.v_r, HS_KIND_VOLUME, "L", 0),
};
static const path_field TUMOR[] = {
    PF("volume", hs_scenario, phys.v_t, HS_KIND_VOLUME, "L", 0),
    PF("perfusion", hs_scenario, phys.p_t, HS_KIND_PER_TIME, "1/h", 0),
    PF("arterial_fraction", hs_scenario, phys.f_ta, HS_KIND_FRACTION, "1", 0),
    PF("drainage_to_liver", hs_scenario, phys.f_td, HS_KIND_FRACTION, "1", 0),
    PF("necrotic_fraction", hs_scenario, phys.f_nec, HS_KIND_FRACTION, "1", 0),
    PF("permeability_surface", hs_scenario, phys.terr.ps, HS_KIND_FLOW, "L/h", F_NEED_PS),
    PF("vascular_fraction", hs_scenario, phys.terr.f_vas, HS_KIND_FRACTION, "1", F_NEED_PS),
};
/* Options of issue 4 (docs/model.md extensions); values are checked by every run. */
static const path_field CATHETER[] = {
    PF("liver_coverage", hs_scenario, phys.terr.liver_cov, HS_KIND_FRACTION, "1", F_NEED_CATHETER),
    PF("tumor_coverage", hs_scenario, phys.terr.tumor_cov, HS_KIND_FRACTION, "1", F_NEED_CATHETER),
};
static const path_field MISPERFUSION[] = {
    PF("share", hs_scenario, phys.terr.mis_share, HS_KIND_FRACTION, "1", F_NEED_GASTRIC),
    PF("gastric_flow_share", hs_scenario, phys.terr.phi_gs, HS_KIND_FRACTION, "1", F_NEED_GASTRIC),
};
static const path_field LIVER_DISEASE[] = {
    PF("shunt_fraction", hs_scenario, phys.vasc.f_sh, HS_KIND_FRACTION, "1", 0),
    PF("intrinsic_clearance_loss", hs_scenario, phys.vasc.cl_int_loss, HS_KIND_FRACTION, "1", 0),
};
static const path_field PVT[] = {
    PF("obstruction", hs_scenario, phys.vasc.pvt_obstruction, HS_KIND_FRACTION, "1", 0),
    PF("buffer_response", hs_scenario, phys.vasc.habr, HS_KIND_FRACTION, "1", 0),
};
static const path_field DRUG[] = {
    PF("blood_plasma_ratio", hs_drug, bp, HS_KIND_NUMBER, "1", 0),
    PF("kp_gut", hs_drug, kp_g, HS_KIND_NUMBER, "1", 0),
    PF("kp_liver", hs_drug, kp_l, HS_KIND_NUMBER, "1", 0),
    PF("kp_tumor", hs_drug, kp_t, HS_KIND_NUMBER, "1", 0),
    PF("kp_rest", hs_drug, kp_r, HS_KIND_NUMBER, "1", 0),
    PF("hepatic_clint", hs_drug, hepatic.cl, HS_KIND_FLOW, "L/h", F_LINEAR),
    PF("hepatic_vmax", hs_drug, hepatic.vmax, HS_KIND_MASS_RATE, "mg/h", F_MM),
    PF("hepatic_km", hs_drug, hepatic.km, HS_KIND_CONC, "mg/L", F_MM),
    PF("extrahepatic_cl", hs_drug, extrahepatic.cl, HS_KIND_FLOW, "L/h", F_LINEAR),
    PF("extrahepatic_vmax", hs_drug, extrahepatic.vmax, HS_KIND_MASS_RATE, "mg/h", F_MM),
    PF("extrahepatic_km", hs_drug, extrahepatic.km, HS_KIND_CONC, "mg/L", F_MM),
    PF("renal_clearance", hs_drug, cl_r, HS_KIND_FLOW, "L/h", 0),
    PF("tumor_clearance", hs_drug, cl_t, HS_KIND_FLOW, "L/h", 0),
    PF("depot_release", hs_drug, k_rel, HS_KIND_PER_TIME, "1/h", 0),
    PF("binding_clearance", hs_drug, cl_bind, HS_KIND_FLOW, "L/h", 0),
    PF("slow_tissue_clearance", hs_drug, q_s, HS_KIND_FLOW, "L/h", 0),
    PF("slow_tissue_volume", hs_drug, v_s, HS_KIND_VOLUME, "L", 0),
};
static const path_field DOSE[] = {
    PF("dose", hs_dose_spec, amount, HS_KIND_DOSE, "mg", F_BOLUS),
    PF("rate", hs_dose_spec, rate, HS_KIND_DOSE_RATE, "mg/h", F_RATE),
    PF("start", hs_dose_spec, start, HS_KIND_TIME, "h", 0),
    PF("duration", hs_dose_spec, duration, HS_KIND_TIME, "h", 0),
    PF("every", hs_dose_spec, every, HS_KIND_TIME, "h", 0),
};
static const path_field EMBO[] = {
    PF("onset", hs_embolization, t_e, HS_KIND_TIME, "h", 0),
    PF("flow_reduction", hs_embolization, m_min, HS_KIND_FRACTION, "1", F_ONE_MINUS),
    PF("recovery_half_life", hs_embolization, t_half, HS_KIND_TIME, "h", 0),
};
#undef PF
#define N(a) ((int)(sizeof a / sizeof a[0]))

/* Find key among fields, or fail with a did-you-mean naming `where`. */
static const path_field *lookup(const path_field *f, int n, const char *key, const char *path,
                                hs_error *err) {
  const char *cands[32];
  for (int i = 0; i < n; i++) {
    if (!strcmp(f[i].key, key)) return &f[i];
    cands[i] = f[i].key;
  }
  const char *best = hs__did_you_mean(key, cands, n);
  hs_error_set(err, HS_EINPUT, "sweep parameter '%s': unknown quantity '%s'%s%s%s", path, key,
               best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
  return NULL;
}

/* "regimen[3].duration" -> index 3 and key "duration"; returns -1 when malformed. */
static int split_index(const char *s, const char *prefix, const char **key) {
  size_t n = strlen(prefix);
  if (strncmp(s, prefix, n) || s[n] != '[') return -1;
  char *end;
  long i = strtol(s + n + 1, &end, 10);
  if (end == s + n + 1 || *end != ']' || end[1] != '.' || i < 0 || i > 1000000) return -1;
  *key = end + 2;
  return (int)i;
}

/* An option's quantity is swept only in a scenario that switches the option on: otherwise
 * the written value would change nothing. */
static int option_on(const hs_scenario *sc, const path_field *f, const char *path,
                     hs_error *err) {
  const hs_territory *t = &sc->phys.terr;
  if (f->flags & F_NEED_PS && !(t->ps > 0))
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the tumour is flow-limited; "
                        "give tumor.permeability_surface in the scenario to sweep it", path);
  if (f->flags & F_NEED_CATHETER && !t->catheter)
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has no "
                        "'catheter:' section", path);
  if (f->flags & F_NEED_GASTRIC && !t->gastric)
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has no "
                        "'misperfusion:' section", path);
  return HS_OK;
}

static int fill(hs_scenario_slot *slot, void *base, const path_field *f) {
  memset(slot, 0, sizeof *slot);
  slot->value = (double *)((char *)base + f->offset);
  slot->kind = f->kind;
  slot->unit = f->unit;
  slot->one_minus = (f->flags & F_ONE_MINUS) != 0;
  slot->affects_bsa = (f->flags & F_BSA) != 0;
  return HS_OK;
}

static int find_dose(hs_scenario_drug *d, const char *rest, const char *path,
                     hs_scenario_slot *slot, hs_error *err) {
  const char *key;
  int i = split_index(rest, "regimen", &key);
  if (i < 0) return HS_EINPUT;
  if (i >= d->n_regimen)
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': drug '%s' has %d regimen "
                        "entries (regimen[0] .. regimen[%d])", path, d->name, d->n_regimen,
                        d->n_regimen - 1);
  const path_field *f = lookup(DOSE, N(DOSE), key, path, err);
  if (!f) return HS_EINPUT;
  hs_dose_spec *s = &d->regimen[i];
  if ((f->flags & F_BOLUS && s->by_rate) || (f->flags & F_RATE && !s->by_rate))
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': regimen[%d] is given as a "
                        "'%s'; sweep that instead", path, i, s->by_rate ? "rate" : "dose");
  fill(slot, s, f);
  slot->norm = (f->flags & (F_BOLUS | F_RATE)) ? s->norm : HS_NORM_NONE;
  static const char *const units[2][3] = {{"mg", "mg/m2", "mg/kg"}, {"mg/h", "mg/m2/h", "mg/kg/h"}};
  if (f->flags & (F_BOLUS | F_RATE)) slot->unit = units[s->by_rate][slot->norm];
  return HS_OK;
}

static int find_drug(hs_scenario *sc, const char *rest, const char *path, hs_scenario_slot *slot,
                     hs_error *err) {
  const char *dot = strchr(rest, '.'), *names[256];
  size_t len = dot ? (size_t)(dot - rest) : strlen(rest);
  for (int i = 0; i < sc->n_drugs; i++) {
    hs_scenario_drug *d = &sc->drugs[i];
    names[i < 256 ? i : 255] = d->name;
    if (strlen(d->name) != len || strncmp(d->name, rest, len) || !dot) continue;
    if (!strncmp(dot + 1, "regimen", 7)) {
      int rc = find_dose(d, dot + 1, path, slot, err);
      if (rc && !err->msg[0])
        hs_error_set(err, HS_EINPUT, "sweep parameter '%s': expected "
                     "drugs.<name>.regimen[<i>].<dose|rate|start|duration|every>", path);
      return rc;
    }
    const path_field *f = lookup(DRUG, N(DRUG), dot + 1, path, err);
    if (!f) return HS_EINPUT;
    const hs_elimination *e = f->offset < offsetof(hs_drug, extrahepatic) ? &d->drug.hepatic
                                                                            : &d->drug.extrahepatic;
    if ((f->flags & F_LINEAR && e->kind != HS_ELIM_LINEAR) || (f->flags & F_MM && e->kind != HS_ELIM_MM))
      return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': drug '%s' has %s elimination "
                          "on this route", path, d->name,
                          e->kind == HS_ELIM_MM ? "saturable (vmax, km)" : "linear (clint/cl)");
    return fill(slot, &d->drug, f);
  }
  char name[HS_NAME_LEN];
  snprintf(name, sizeof name, "%.*s", (int)len, rest);
  const char *best = hs__did_you_mean(name, names, sc->n_drugs < 256 ? sc->n_drugs : 256);
  return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': %s%s%s%s", path,
                      dot ? "no drug named '" : "expected drugs.<name>.<quantity>",
                      dot ? name : "", dot ? "'" : "",
                      best && dot ? " (check the drug's key under drugs:)" : "");
}

int hs_scenario_slot_find(hs_scenario *sc, const char *path, hs_scenario_slot *slot,
                          hs_error *err) {
  static const char *const sections[] = {"patient", "tumor", "drugs", "embolization",
                                         "catheter", "misperfusion", "liver_disease",
                                         "portal_vein_thrombosis"};
  hs_error_clear(err);
  const path_field *f = NULL;
  const char *key;
  int i;
  static const struct {
    const char *prefix;
    const path_field *fields;
    int n;
  } SECTIONS[] = {
      {"patient.", PATIENT, N(PATIENT)},
      {"tumor.", TUMOR, N(TUMOR)},
      {"catheter.", CATHETER, N(CATHETER)},
      {"misperfusion.", MISPERFUSION, N(MISPERFUSION)},
      {"liver_disease.", LIVER_DISEASE, N(LIVER_DISEASE)},
      {"portal_vein_thrombosis.", PVT, N(PVT)},
  };
  for (size_t k = 0; k < sizeof SECTIONS / sizeof SECTIONS[0]; k++) {
    size_t n = strlen(SECTIONS[k].prefix);
    if (strncmp(path, SECTIONS[k].prefix, n)) continue;
    if (!(f = lookup(SECTIONS[k].fields, SECTIONS[k].n, path + n, path, err))) return HS_EINPUT;
    int rc = option_on(sc, f, path, err);
    return rc ? rc : fill(slot, sc, f);
  }
  if (!strncmp(path, "drugs.", 6)) return find_drug(sc, path + 6, path, slot, err);
  if ((i = split_index(path, "embolization", &key)) >= 0) {
    if (i >= sc->n_embo)
      return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has %d "
                          "embolization events", path, sc->n_embo);
    if (!(f = lookup(EMBO, N(EMBO), key, path, err))) return HS_EINPUT;
    return fill(slot, &sc->embo[i], f);
  }
  if (f == NULL && err->msg[0]) return HS_EINPUT;
  char sec[32];
  snprintf(sec, sizeof sec, "%.*s", (int)strcspn(path, ".["), path);
  const char *best = hs__did_you_mean(sec, sections, 8);
  return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': unknown section '%s'%s%s%s; "
                      "paths start with patient., tumor., drugs.<name>., embolization[<i>]., "
                      "catheter., misperfusion., liver_disease. or portal_vein_thrombosis.",
                      path, sec, best ? " (did you mean '" : "", best ? best : "",
                      best ? "'?)" : "");
}

double hs_scenario_slot_get(const hs_scenario_slot *slot) {
  return slot->one_minus ? 1 - *slot->value : *slot->value;
}

/* A drug parameter written by a sweep is no longer resolved from its per-m2 / per-kg value. */
static void unscale(hs_scenario_drug *d, const double *value) {
  for (int k = 0; k < d->n_scaled; k++)
    if ((const char *)value == (const char *)&d->drug + d->scaled[k].offset)
      d->scaled[k--] = d->scaled[--d->n_scaled];
}

static void rescale(hs_scenario_drug *d, const hs_patient *pt) {
  for (int k = 0; k < d->n_scaled; k++)
    *(double *)((char *)&d->drug + d->scaled[k].offset) = hs__scaled_value(&d->scaled[k], pt);
}

void hs_scenario_slot_set(hs_scenario *sc, const hs_scenario_slot *slot, double v) {
  *slot->value = slot->one_minus ? 1 - v : v;
  for (int i = 0; i < sc->n_drugs; i++) unscale(&sc->drugs[i], slot->value);
  if (slot->affects_bsa && !sc->patient.bsa_given)
    sc->patient.bsa_m2 = hs_patient_bsa(sc->patient.bsa_formula, sc->patient.weight_kg,
                                        sc->patient.height_cm);
  if (slot->affects_bsa || slot->value == &sc->patient.bsa_m2)
    for (int i = 0; i < sc->n_drugs; i++) rescale(&sc->drugs[i], &sc->patient);
}

int hs_scenario_clone(hs_scenario *dst, const hs_scenario *src, hs_error *err) {
  *dst = *src;
  dst->path = NULL, dst->text = NULL, dst->drugs = NULL, dst->embo = NULL, dst->n_drugs = 0;
  dst->filter = NULL;
  memset(&dst->sweep, 0, sizeof dst->sweep);
  dst->path = strdup(src->path ? src->path : "");
  dst->text = strdup(src->text ? src->text : "");
  dst->embo = calloc((size_t)(src->n_embo ? src->n_embo : 1), sizeof *dst->embo);
  dst->drugs = calloc((size_t)(src->n_drugs ? src->n_drugs : 1), sizeof *dst->drugs);
  if (!dst->path || !dst->text || !dst->embo || !dst->drugs) goto oom;
  if (src->n_embo) memcpy(dst->embo, src->embo, sizeof *dst->embo * (size_t)src->n_embo);
  dst->filter = calloc((size_t)(src->n_filter ? src->n_filter : 1), sizeof *dst->filter);
  if (!dst->filter) goto oom;
  if (src->n_filter)
    memcpy(dst->filter, src->filter, sizeof *dst->filter * (size_t)src->n_filter);
  for (int i = 0; i < src->n_drugs; i++) {
    hs_scenario_drug *d = &dst->drugs[i];
    *d = src->drugs[i];
    d->regimen = calloc((size_t)(d->n_regimen ? d->n_regimen : 1), sizeof *d->regimen);
    dst->n_drugs++;
    if (!d->regimen) goto oom;
    memcpy(d->regimen, src->drugs[i].regimen, sizeof *d->regimen * (size_t)d->n_regimen);
  }
  return HS_OK;
oom:
  hs_scenario_release(dst);
  return hs_error_set(err, HS_ENOMEM, "out of memory copying the scenario");
}
void hs_scenario_release(hs_scenario *sc) {
  if (!sc) return;
  for (int i = 0; i < sc->n_drugs; i++) free(sc->drugs[i].regimen);
  free(sc->drugs);
  free(sc->embo);
  free(sc->filter);
  hs_design_release(&sc->sweep.design);
  free(sc->path);
  free(sc->text);
  memset(sc, 0, sizeof *sc);
}