/* drugdef.c - drug definitions: the field table shared by library files and scenarios,
 * layering (library entry, then scenario overrides), basis conversion, library lookup. */
#include "drugdef.h"

#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(k) (offsetof(hs__drugdef, v) + sizeof(double) * (k))
/* key, dimension, range and per-m2 / per-kg acceptance from the registry */
#define Q(idx, id) HS_REG(id, V(idx))
#define SKIP(key) {key, HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL}

static const hs__field DRUG_FIELDS[HS_DK_N] = {
    [HS_DK_LIBRARY] = {"library", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs__drugdef, library),
                       HS_R_ANY, NULL, 64, NULL},
    [HS_DK_BP] = Q(HS_DK_BP, HS_REG_DRUG_BP),
    [HS_DK_FU] = Q(HS_DK_FU, HS_REG_DRUG_FU),
    [HS_DK_MW] = Q(HS_DK_MW, HS_REG_DRUG_MW),
    [HS_DK_KP_G] = Q(HS_DK_KP_G, HS_REG_DRUG_KP_G),
    [HS_DK_KP_L] = Q(HS_DK_KP_L, HS_REG_DRUG_KP_L),
    [HS_DK_KP_T] = Q(HS_DK_KP_T, HS_REG_DRUG_KP_T),
    [HS_DK_KP_R] = Q(HS_DK_KP_R, HS_REG_DRUG_KP_R),
    [HS_DK_H_CL] = Q(HS_DK_H_CL, HS_REG_DRUG_H_CL),
    [HS_DK_H_CLH] = Q(HS_DK_H_CLH, HS_REG_DRUG_H_CLH),
    [HS_DK_H_VMAX] = Q(HS_DK_H_VMAX, HS_REG_DRUG_H_VMAX),
    [HS_DK_H_KM] = Q(HS_DK_H_KM, HS_REG_DRUG_H_KM),
    [HS_DK_X_CL] = Q(HS_DK_X_CL, HS_REG_DRUG_X_CL),
    [HS_DK_X_VMAX] = Q(HS_DK_X_VMAX, HS_REG_DRUG_X_VMAX),
    [HS_DK_X_KM] = Q(HS_DK_X_KM, HS_REG_DRUG_X_KM),
    [HS_DK_CL_R] = Q(HS_DK_CL_R, HS_REG_DRUG_CL_R),
    [HS_DK_CL_T] = Q(HS_DK_CL_T, HS_REG_DRUG_CL_T),
    [HS_DK_K_REL] = Q(HS_DK_K_REL, HS_REG_DRUG_K_REL),
    [HS_DK_K_REL_BEADS] = Q(HS_DK_K_REL_BEADS, HS_REG_DRUG_K_REL_BEADS),
    [HS_DK_CL_BIND] = Q(HS_DK_CL_BIND, HS_REG_DRUG_CL_BIND),
    [HS_DK_Q_S] = Q(HS_DK_Q_S, HS_REG_DRUG_Q_S),
    [HS_DK_V_S] = Q(HS_DK_V_S, HS_REG_DRUG_V_S),
    [HS_DK_KB_L] = Q(HS_DK_KB_L, HS_REG_DRUG_KB_L),
    [HS_DK_KB_T] = Q(HS_DK_KB_T, HS_REG_DRUG_KB_T),
    [HS_DK_KU_L] = Q(HS_DK_KU_L, HS_REG_DRUG_KU_L),
    [HS_DK_KU_T] = Q(HS_DK_KU_T, HS_REG_DRUG_KU_T),
    [HS_DK_PS_L] = Q(HS_DK_PS_L, HS_REG_DRUG_PS_L),
    [HS_DK_REGIMEN] = SKIP("regimen"),
    [HS_DK_RECORDS] = SKIP("records"),
    [HS_DK_RECORDS_ID] = SKIP("records_id"),
    [HS_DK_NAME] = {"name", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs__drugdef, name), HS_R_ANY,
                    NULL, 64, NULL},
    [HS_DK_ALIASES] = SKIP("aliases"),
    [HS_DK_DESCRIPTION] = SKIP("description"),
    [HS_DK_METABOLITES] = SKIP("metabolites"),
    [HS_DK_TARGET] = SKIP("exposure_target"),
    [HS_DK_REF_PK] = SKIP("reference_pk"),
};
#undef SKIP
#undef Q
#undef V

const char *hs__drugdef_key(int k) { return hs__field_key(&DRUG_FIELDS[k]); }

int hs__drugdef_read(const hs__ydoc *d, hs__ynode map, const char *path, int library_file,
                     hs__drugdef *def, hs_error *err) {
  /* a library file may not carry a regimen or point at another entry; a scenario entry
   * has no name/aliases/description/metabolites/reference_pk of its own */
  hs__field fields[HS_DK_N];
  for (int i = 0; i < HS_DK_N; i++) {
    int lib_only = i == HS_DK_NAME || i == HS_DK_ALIASES || i == HS_DK_DESCRIPTION ||
                   i == HS_DK_METABOLITES || i == HS_DK_REF_PK;
    int scen_only = i == HS_DK_REGIMEN || i == HS_DK_LIBRARY || i == HS_DK_RECORDS ||
                    i == HS_DK_RECORDS_ID;
    fields[i] = DRUG_FIELDS[i];
    if ((library_file && scen_only) || (!library_file && lib_only)) fields[i].key = "\x01";
  }
  memset(def, 0, sizeof *def);
  int rc = hs__ydoc_read(d, map, path, fields, HS_DK_N, def, def->info, library_file, err);
  hs__ynode t = hs__ydoc_get(d, map, "exposure_target");
  if (rc || !t) return rc;
  char sub[200];
  snprintf(sub, sizeof sub, "%s%sexposure_target", path, *path ? "." : "");
  return hs__target_read(d, t, sub, library_file, &def->target, err);
}

/* Route groups: a route written in top replaces the whole route of base. */
static const int HEPATIC[] = {HS_DK_H_CL, HS_DK_H_CLH, HS_DK_H_VMAX, HS_DK_H_KM, -1};
static const int EXTRAHEPATIC[] = {HS_DK_X_CL, HS_DK_X_VMAX, HS_DK_X_KM, -1};

static int route_given(const hs__drugdef *x, const int *keys) {
  int n = 0;
  for (; *keys >= 0; keys++) n += x->info[*keys].set;
  return n;
}

static void copy_key(hs__drugdef *base, const hs__drugdef *top, int k) {
  base->v[k] = top->v[k];
  base->info[k] = top->info[k];
}

static void overlay_route(hs__drugdef *base, const hs__drugdef *top, const int *keys) {
  if (!route_given(top, keys)) return;
  for (; *keys >= 0; keys++) copy_key(base, top, *keys);
}

void hs__drugdef_overlay(hs__drugdef *base, const hs__drugdef *top) {
  overlay_route(base, top, HEPATIC);
  overlay_route(base, top, EXTRAHEPATIC);
  static const int plain[] = {HS_DK_BP,   HS_DK_FU,   HS_DK_MW,    HS_DK_KP_G,
                              HS_DK_KP_L, HS_DK_KP_T, HS_DK_KP_R,  HS_DK_CL_R,
                              HS_DK_CL_T, HS_DK_K_REL, HS_DK_K_REL_BEADS, HS_DK_CL_BIND,
                              HS_DK_Q_S, HS_DK_V_S,
                              HS_DK_KB_L, HS_DK_KB_T, HS_DK_KU_L, HS_DK_KU_T, HS_DK_PS_L};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
    if (top->info[plain[i]].set) copy_key(base, top, plain[i]);
  if (top->target.present) base->target = top->target;
}

static double get(const hs__drugdef *x, int k, double dflt) {
  return x->info[k].set ? x->v[k] : dflt;
}

/* The node of `key` in mapping `where` when written there, else `where`. */
static hs__ynode at_key(const hs__ydoc *d, hs__ynode where, int key) {
  hs__ynode n = hs__ydoc_get(d, where, hs__drugdef_key(key));
  return n ? n : where;
}

/* Error at key k: "<path>.<key>" at its node (or at `where` when written elsewhere). */
static int key_error(const hs__ydoc *d, hs__ynode where, const char *path, int k, hs_error *err,
                     const char *msg) {
  char sub[200];
  snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", hs__drugdef_key(k));
  return hs__ydoc_error(d, at_key(d, where, k), sub, err, "%s", msg);
}

/* Which elimination of a route was written; refuses mixtures. */
static int route_kind(const hs__drugdef *x, int cl, int clh, int vmax, int km,
                      hs_elimination *e, const hs__ydoc *d, hs__ynode where, const char *path,
                      hs_error *err) {
  const char *name = hs__drugdef_key(cl);
  int lin = x->info[cl].set, org = clh >= 0 && x->info[clh].set;
  memset(e, 0, sizeof *e);
  if (lin && org)
    return hs__ydoc_error(d, at_key(d, where, clh), path, err, "give either %s or %s, not both",
                          name, hs__drugdef_key(clh));
  if ((lin || org) && (x->info[vmax].set || x->info[km].set))
    return hs__ydoc_error(d, at_key(d, where, x->info[vmax].set ? vmax : km), path, err,
                          "give either %s or %s with %s, not both",
                          hs__drugdef_key(lin ? cl : clh), hs__drugdef_key(vmax),
                          hs__drugdef_key(km));
  if (x->info[vmax].set != x->info[km].set)
    return hs__ydoc_error(d, at_key(d, where, x->info[vmax].set ? vmax : km), path, err,
                          "%s and %s must be given together", hs__drugdef_key(vmax),
                          hs__drugdef_key(km));
  e->kind = x->info[vmax].set ? HS_ELIM_MM : HS_ELIM_LINEAR;
  return HS_OK;
}

/* Parameters that land in hs_drug (at their registry landing): how the basis converts them
 * (clearances and volumes scale with the unbound fraction and 1/BP, Km inversely; amounts
 * per time not at all). */
enum { C_NONE, C_CLEARANCE, C_KM };
static const struct param {
  int key;
  int conv;
} PARAMS[] = {
    {HS_DK_H_CL, C_CLEARANCE},  {HS_DK_H_CLH, C_CLEARANCE},   {HS_DK_H_VMAX, C_NONE},
    {HS_DK_H_KM, C_KM},         {HS_DK_X_CL, C_CLEARANCE},    {HS_DK_X_VMAX, C_NONE},
    {HS_DK_X_KM, C_KM},         {HS_DK_CL_R, C_CLEARANCE},    {HS_DK_CL_T, C_CLEARANCE},
    {HS_DK_CL_BIND, C_CLEARANCE}, {HS_DK_Q_S, C_CLEARANCE},   {HS_DK_V_S, C_CLEARANCE},
    {HS_DK_KB_L, C_NONE},       {HS_DK_KB_T, C_NONE},         {HS_DK_KU_L, C_NONE},
    {HS_DK_KU_T, C_NONE},       {HS_DK_PS_L, C_CLEARANCE},
};

/* Where parameter p lands in hs_drug. */
static size_t landing(const struct param *p) { return DRUG_FIELDS[p->key].reg->offset; }

/* Blood-basis value of parameter p: unbound -> plasma (CL x fu, Km / fu), then plasma ->
 * blood (CL / BP, Km x BP; C_B = BP C_P). */
static int to_blood(const hs__drugdef *x, const struct param *p, double bp, double *v,
                    const hs__ydoc *d, hs__ynode where, const char *path, hs_error *err) {
  hs__basis b = x->info[p->key].basis;
  *v = x->v[p->key];
  if (p->conv == C_NONE || b == HS_BASIS_BLOOD) return HS_OK;
  if (b == HS_BASIS_UNBOUND) {
    if (!x->info[HS_DK_FU].set)
      return key_error(d, where, path, p->key, err, "'basis: unbound' needs fu_plasma (the "
                       "fraction unbound in plasma) to convert the value to plasma");
    double fu = x->v[HS_DK_FU];
    if (!(fu > 0))
      return key_error(d, where, path, HS_DK_FU, err, "must be > 0 to convert unbound values");
    *v = p->conv == C_KM ? *v / fu : *v * fu;
  }
  *v = p->conv == C_KM ? *v * bp : *v / bp;
  return HS_OK;
}

double hs__scaled_value(const hs_scaled *s, const hs_patient *pt) {
  double v = s->per_unit * (s->norm == HS_NORM_BSA ? pt->bsa_m2 : pt->weight_kg);
  return s->q_l_eff > 0 ? s->q_l_eff * v / (s->q_l_eff - v) : v;
}

/* Per m2 / per kg: the patient's size; hepatic_clearance: CL_int = Q CL_H / (Q - CL_H). */
static int place(const hs__drugdef *x, const struct param *p, double v, const hs__resolve *rs,
                 hs_scenario_drug *out, const hs__ydoc *d, hs__ynode where, const char *path,
                 hs_error *err) {
  hs_scaled s = {landing(p), x->info[p->key].norm, v, p->key == HS_DK_H_CLH ? rs->q_l_eff : 0};
  char msg[200];
  if (s.norm != HS_NORM_NONE) {
    double size = s.norm == HS_NORM_BSA ? rs->pt.bsa_m2 : rs->pt.weight_kg;
    if (!(size > 0))
      return key_error(d, where, path, p->key, err, s.norm == HS_NORM_BSA
                       ? "a per-m2 value needs the patient's bsa, or weight and height"
                       : "a per-kg value needs the patient's weight");
    v *= size;
    out->scaled[out->n_scaled++] = s;
  }
  if (p->key == HS_DK_H_CLH) {
    snprintf(msg, sizeof msg, "%.4g L/h (blood) must be below the reference adult's effective "
             "liver blood flow Q_L' = %.4g L/h", v, rs->q_l_eff);
    if (!(v < rs->q_l_eff)) return key_error(d, where, path, p->key, err, msg);
    v = rs->q_l_eff * v / (rs->q_l_eff - v);
  }
  *(double *)((char *)&out->drug + landing(p)) = v;
  return HS_OK;
}

static int check_required(const hs__drugdef *x, const hs__ydoc *d, hs__ynode where,
                          const char *path, hs_error *err) {
  if (!route_given(x, HEPATIC))
    return hs__ydoc_error(d, where, path, err,
                          "hepatic elimination is required: give hepatic_clint, "
                          "hepatic_clearance, or hepatic_vmax with hepatic_km");
  if (!x->info[HS_DK_CL_R].set)
    return hs__ydoc_error(d, where, path, err, "renal_clearance is required (write '0 L/h' "
                                              "for none)");
  return HS_OK;
}

int hs__drugdef_finish(const hs__drugdef *x, const hs__resolve *rs, hs_scenario_drug *out,
                       const hs__ydoc *d, hs__ynode where, const char *path, hs_error *err) {
  int rc = check_required(x, d, where, path, err);
  if (rc) return rc;
  hs_drug *dr = &out->drug;
  memset(dr, 0, sizeof *dr);
  out->n_scaled = 0;
  /* the registry's defaults (model.md): BP 1, Kp 1, no depot release; the terms left out
     (extrahepatic, tumour, binding, slow tissue) stay 0 */
  dr->bp = get(x, HS_DK_BP, DRUG_FIELDS[HS_DK_BP].reg->dflt);
  dr->kp_g = get(x, HS_DK_KP_G, DRUG_FIELDS[HS_DK_KP_G].reg->dflt);
  dr->kp_l = get(x, HS_DK_KP_L, DRUG_FIELDS[HS_DK_KP_L].reg->dflt);
  dr->kp_t = get(x, HS_DK_KP_T, DRUG_FIELDS[HS_DK_KP_T].reg->dflt);
  dr->kp_r = get(x, HS_DK_KP_R, DRUG_FIELDS[HS_DK_KP_R].reg->dflt);
  dr->k_rel = get(x, HS_DK_K_REL, DRUG_FIELDS[HS_DK_K_REL].reg->dflt);
  dr->k_rel_beads = get(x, HS_DK_K_REL_BEADS, DRUG_FIELDS[HS_DK_K_REL_BEADS].reg->dflt);
  out->mw = get(x, HS_DK_MW, 0.0);
  out->target = x->target;
  if ((rc = route_kind(x, HS_DK_H_CL, HS_DK_H_CLH, HS_DK_H_VMAX, HS_DK_H_KM, &dr->hepatic, d,
                       where, path, err)) ||
      (rc = route_kind(x, HS_DK_X_CL, -1, HS_DK_X_VMAX, HS_DK_X_KM, &dr->extrahepatic, d, where,
                       path, err)))
    return rc;
  for (size_t i = 0; i < sizeof PARAMS / sizeof PARAMS[0]; i++) {
    double v;
    if (!x->info[PARAMS[i].key].set) continue;
    if ((rc = to_blood(x, &PARAMS[i], dr->bp, &v, d, where, path, err)) ||
        (rc = place(x, &PARAMS[i], v, rs, out, d, where, path, err)))
      return rc;
  }
  if (dr->q_s > 0 && !x->info[HS_DK_V_S].set)
    return key_error(d, where, path, HS_DK_Q_S, err, "needs slow_tissue_volume (V_S*Kp_S)");
  return HS_OK;
}

int hs__q_l_eff(const hs_physiology *ph, double *q, hs_error *err) {
  hs_drug unit = {.bp = 1, .kp_g = 1, .kp_l = 1, .kp_t = 1, .kp_r = 1};
  hs_params p;
  hs_analytic a;
  int rc = hs_params_init(&p, ph, &unit, NULL, 0, err);
  if (rc) return rc;
  hs_model_analytic(&p, &a);
  *q = a.q_l_eff;
  return HS_OK;
}

/* ---- exposure targets ------------------------------------------------------------------ */

static const char *const MEASURES[] = {"auc_plasma", "cmax_plasma", NULL};
static const char *const PERS[] = {"cycle", "run", NULL};

typedef struct target_in {
  int measure, per;
  double cycle;
  char source[256];
} target_in;

enum { G_MEASURE, G_LOW, G_HIGH, G_PER, G_CYCLE, G_SOURCE, G_CONF, G_N };
static const hs__field TARGET_FIELDS[G_N] = {
    {"measure", HS_F_ENUM, HS_KIND_NUMBER, offsetof(target_in, measure), HS_R_ANY, MEASURES, 0, NULL},
    {"low", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"high", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"per", HS_F_ENUM, HS_KIND_NUMBER, offsetof(target_in, per), HS_R_ANY, PERS, 0, NULL},
    {"cycle", HS_F_QTY, HS_KIND_TIME, offsetof(target_in, cycle), HS_R_POS, NULL, 0, NULL},
    {"source", HS_F_TEXT, HS_KIND_NUMBER, offsetof(target_in, source), HS_R_ANY, NULL, 256, NULL},
    {"confidence", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

static int target_bound(const hs__ydoc *d, hs__ynode n, const char *path, const char *key,
                        hs_kind kind, double *v, hs_error *err) {
  hs__ynode b = hs__ydoc_get(d, n, key);
  const char *t = hs__ydoc_scalar(d, b);
  char sub[220];
  hs_error e;
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  if (!t) return hs__ydoc_error(d, b ? b : n, sub, err, "expected %s", hs_units_kind_name(kind));
  if (hs_units_convert(t, kind, v, NULL, &e)) return hs__ydoc_error(d, b, sub, err, "%s", e.msg);
  if (!(*v >= 0)) return hs__ydoc_error(d, b, sub, err, "must be >= 0, got '%s'", t);
  return HS_OK;
}

int hs__target_read(const hs__ydoc *d, hs__ynode n, const char *path, int need_source,
                    hs_exposure_target *t, hs_error *err) {
  target_in in = {0};
  hs__fieldinfo info[G_N] = {{0}};
  int rc = hs__ydoc_read(d, n, path, TARGET_FIELDS, G_N, &in, info, 0, err);
  if (rc) return rc;
  static const int required[] = {G_MEASURE, G_LOW, G_PER};
  for (int i = 0; i < 3; i++)
    if (!hs__ydoc_get(d, n, TARGET_FIELDS[required[i]].key))
      return hs__ydoc_error(d, n, path, err, "'%s' is required",
                            TARGET_FIELDS[required[i]].key);
  if (need_source && (rc = hs__ydoc_check_sourced(d, n, path, err))) return rc;
  hs_kind kind = in.measure == 0 ? HS_KIND_AUC : HS_KIND_CONC;
  memset(t, 0, sizeof *t);
  t->high = INFINITY;
  if ((rc = target_bound(d, n, path, "low", kind, &t->low, err)) ||
      (hs__ydoc_get(d, n, "high") && (rc = target_bound(d, n, path, "high", kind, &t->high, err))))
    return rc;
  if (!(t->high > t->low))
    return hs__ydoc_error(d, hs__ydoc_get(d, n, "high"), path, err,
                          "high must be above low");
  t->present = 1;
  snprintf(t->measure, sizeof t->measure, "%s", MEASURES[in.measure]);
  snprintf(t->per, sizeof t->per, "%s", PERS[in.per]);
  t->cycle_h = info[G_CYCLE].set ? in.cycle : 0;
  snprintf(t->source, sizeof t->source, "%s", in.source);
  return HS_OK;
}
