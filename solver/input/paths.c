/* paths.c - numeric scenario quantities addressed by path (for sweeps), deep copies
 * of scenarios so that every thread owns the one it modifies, and their release. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drugdef.h"
#include "hs_scenario.h"
#include "yamldoc.h"

/* The sweepable quantity `key` of scope sc, or fail with a did-you-mean among the scope's
 * sweepable keys. */
static const hs_reg_entry *lookup(hs_scope scope, const char *key, const char *path,
                                  hs_error *err) {
  const hs_reg_entry *f = hs_reg_find(scope, key, 1);
  const char *cands[HS_REG_N];
  int n = 0;
  if (f) return f;
  for (int i = 0; i < HS_REG_N; i++)
    if (hs_registry[i].scope == scope && hs_registry[i].flags & HS_P_SWEEP)
      cands[n++] = hs_registry[i].key;
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
static int option_on(const hs_scenario *sc, const hs_reg_entry *f, const char *path,
                     hs_error *err) {
  const hs_territory *t = &sc->phys.terr;
  if (f->flags & HS_P_NEED_PS && !(t->ps > 0))
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the tumour is flow-limited; "
                        "give tumor.permeability_surface in the scenario to sweep it", path);
  if (f->flags & HS_P_NEED_CATHETER && !t->catheter)
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has no "
                        "'catheter:' section", path);
  if (f->flags & HS_P_NEED_GASTRIC && !t->gastric)
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has no "
                        "'misperfusion:' section", path);
  return HS_OK;
}

static int fill(hs_scenario_slot *slot, void *base, const hs_reg_entry *f) {
  memset(slot, 0, sizeof *slot);
  slot->value = (double *)((char *)base + f->offset);
  slot->kind = f->kind;
  slot->unit = f->unit;
  slot->range = f->range & ~HS_R_SCALED;
  slot->one_minus = (f->flags & HS_P_ONE_MINUS) != 0;
  slot->affects_bsa = (f->flags & HS_P_BSA) != 0;
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
  const hs_reg_entry *f = lookup(HS_SCOPE_DOSE, key, path, err);
  if (!f) return HS_EINPUT;
  hs_dose_spec *s = &d->regimen[i];
  if ((f->flags & HS_P_BOLUS && s->by_rate) || (f->flags & HS_P_RATE && !s->by_rate))
    return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': regimen[%d] is given as a "
                        "'%s'; sweep that instead", path, i, s->by_rate ? "rate" : "dose");
  fill(slot, s, f);
  slot->norm = (f->flags & (HS_P_BOLUS | HS_P_RATE)) ? s->norm : HS_NORM_NONE;
  static const char *const units[2][3] = {{"mg", "mg/m2", "mg/kg"}, {"mg/h", "mg/m2/h", "mg/kg/h"}};
  if (f->flags & (HS_P_BOLUS | HS_P_RATE)) slot->unit = units[s->by_rate][slot->norm];
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
      if (rc && !err->msg[0]) {
        char keys[128] = "";
        for (int k = 0; k < HS_REG_N; k++)
          if (hs_registry[k].scope == HS_SCOPE_DOSE && hs_registry[k].flags & HS_P_SWEEP)
            snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", *keys ? "|" : "",
                     hs_registry[k].key);
        hs_error_set(err, HS_EINPUT, "sweep parameter '%s': expected "
                     "drugs.<name>.regimen[<i>].<%s>", path, keys);
      }
      return rc;
    }
    const hs_reg_entry *f = lookup(HS_SCOPE_DRUG, dot + 1, path, err);
    if (!f) return HS_EINPUT;
    const hs_elimination *e = f->offset < offsetof(hs_drug, extrahepatic) ? &d->drug.hepatic
                                                                            : &d->drug.extrahepatic;
    if ((f->flags & HS_P_LINEAR && e->kind != HS_ELIM_LINEAR) ||
        (f->flags & HS_P_MM && e->kind != HS_ELIM_MM))
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

/* An unknown section: did-you-mean among the sections with sweepable quantities, and the
 * list of their path prefixes, both from the registry. */
static int unknown_section(const char *path, hs_error *err) {
  char names[HS_SCOPE_N][32], list[400] = "", sec[32];
  const char *cands[HS_SCOPE_N], *prefixes[HS_SCOPE_N];
  int n = 0;
  for (int s = 0; s < HS_SCOPE_N; s++) {
    const char *prefix = hs_scope_prefix((hs_scope)s);
    int swept = 0;
    for (int i = 0; i < HS_REG_N; i++)
      swept |= hs_registry[i].scope == (hs_scope)s && hs_registry[i].flags & HS_P_SWEEP;
    snprintf(names[n], sizeof names[n], "%.*s", (int)strcspn(prefix, ".["), prefix);
    if (!swept || (n && !strcmp(names[n], names[n - 1]))) continue; /* regimen: drugs. */
    cands[n] = names[n];
    prefixes[n++] = prefix;
  }
  hs__join_or(prefixes, n, list, sizeof list);
  snprintf(sec, sizeof sec, "%.*s", (int)strcspn(path, ".["), path);
  const char *best = hs__did_you_mean(sec, cands, n);
  return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': unknown section '%s'%s%s%s; "
                      "paths start with %s", path, sec, best ? " (did you mean '" : "",
                      best ? best : "", best ? "'?)" : "", list);
}

int hs_scenario_slot_find(hs_scenario *sc, const char *path, hs_scenario_slot *slot,
                          hs_error *err) {
  /* the sections whose quantities land in hs_scenario itself */
  static const hs_scope in_scenario[] = {HS_SCOPE_PATIENT, HS_SCOPE_TUMOR, HS_SCOPE_CATHETER,
                                         HS_SCOPE_MISPERFUSION, HS_SCOPE_LIVER_DISEASE,
                                         HS_SCOPE_PVT};
  hs_error_clear(err);
  const hs_reg_entry *f = NULL;
  const char *key;
  int i;
  for (size_t k = 0; k < sizeof in_scenario / sizeof in_scenario[0]; k++) {
    const char *prefix = hs_scope_prefix(in_scenario[k]);
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n)) continue;
    if (!(f = lookup(in_scenario[k], path + n, path, err))) return HS_EINPUT;
    int rc = option_on(sc, f, path, err);
    return rc ? rc : fill(slot, sc, f);
  }
  if (!strncmp(path, "drugs.", 6)) return find_drug(sc, path + 6, path, slot, err);
  if ((i = split_index(path, "embolization", &key)) >= 0) {
    if (i >= sc->n_embo)
      return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': the scenario has %d "
                          "embolization events", path, sc->n_embo);
    if (!(f = lookup(HS_SCOPE_EMBO, key, path, err))) return HS_EINPUT;
    if (f->flags & HS_P_NEED_CARRIER && isnan(sc->embo[i].f_imm))
      return hs_error_set(err, HS_EINPUT, "sweep parameter '%s': embolization[%d] carries no "
                          "drug (no agent with a carrier, 'depot_release_half_life' or "
                          "'immediate_fraction')", path, i);
    return fill(slot, &sc->embo[i], f);
  }
  if (f == NULL && err->msg[0]) return HS_EINPUT;
  return unknown_section(path, err);
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

/* Cardiac output, hepatic flow or liver volume written by a sweep no longer follow the BSA. */
static void unfollow(hs_scenario *sc, const double *value) {
  const hs_physiology *ph = &sc->phys;
  sc->body.follow &= ~(value == &ph->q_co ? HS_BODY_QCO : value == &ph->q_h ? HS_BODY_QH
                       : value == &ph->v_l ? HS_BODY_VL : 0u);
}

void hs_scenario_slot_set(hs_scenario *sc, const hs_scenario_slot *slot, double v) {
  *slot->value = slot->one_minus ? 1 - v : v;
  for (int i = 0; i < sc->n_drugs; i++) unscale(&sc->drugs[i], slot->value);
  unfollow(sc, slot->value);
  if (slot->affects_bsa && !sc->patient.bsa_given)
    sc->patient.bsa_m2 = hs_patient_bsa(sc->patient.bsa_formula, sc->patient.weight_kg,
                                        sc->patient.height_cm);
  if (slot->affects_bsa || slot->value == &sc->patient.bsa_m2) {
    for (int i = 0; i < sc->n_drugs; i++) rescale(&sc->drugs[i], &sc->patient);
    hs_body_rescale(&sc->body, sc->patient.bsa_m2, &sc->phys);
  }
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
    int cap = d->records && d->records->max_count > d->n_regimen ? d->records->max_count
                                                                  : d->n_regimen;
    d->records = NULL; /* read from src by hs_scenario_use_records */
    d->regimen = calloc((size_t)(cap ? cap : 1), sizeof *d->regimen);
    dst->n_drugs++;
    if (!d->regimen) goto oom;
    if (d->n_regimen) /* a metabolite has none (regimen NULL) */
      memcpy(d->regimen, src->drugs[i].regimen, sizeof *d->regimen * (size_t)d->n_regimen);
  }
  return HS_OK;
oom:
  hs_scenario_release(dst);
  return hs_error_set(err, HS_ENOMEM, "out of memory copying the scenario");
}
static void records_free(hs_dose_records *r) {
  if (!r) return;
  free(r->ids), free(r->first), free(r->count), free(r->spec), free(r->of_run);
  free(r);
}

void hs_scenario_release(hs_scenario *sc) {
  if (!sc) return;
  for (int i = 0; i < sc->n_drugs; i++) {
    free(sc->drugs[i].regimen);
    records_free(sc->drugs[i].records);
  }
  free(sc->drugs);
  free(sc->embo);
  free(sc->filter);
  hs_design_release(&sc->sweep.design);
  free(sc->path);
  free(sc->text);
  memset(sc, 0, sizeof *sc);
}