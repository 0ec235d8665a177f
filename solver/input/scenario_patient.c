/* scenario_patient.c - the patient and tumour sections over the reference adult of
 * model/data/physiology.yaml, the catheter territory and gastric misperfusion, and the
 * check that the resulting flows are physical. */
#include "scenario_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0, NULL}

/* `catheter:` and `misperfusion:` (model.md extension "Catheter territory, gastric
 * misperfusion and permeability-limited tumour"). */
static const char *const CATHETER_POSITIONS[] = {"proper_hepatic", "lobar", "segmental", NULL};
typedef struct catheter_in {
  int position;
  double liver_cov, tumor_cov;
} catheter_in;
enum { C_POSITION, C_LIVER, C_TUMOR, C_N };
static const hs__field CATHETER_FIELDS[C_N] = {
    ENUM("position", catheter_in, position, CATHETER_POSITIONS),
    HS_REG(HS_REG_CATHETER_LIVER, offsetof(catheter_in, liver_cov)),
    HS_REG(HS_REG_CATHETER_TUMOR, offsetof(catheter_in, tumor_cov)),
};
#undef ENUM

int hs__load_defaults(loader *L) {
  int rc = hs__physiology_defaults(L->data_dir, &L->pat, &L->tum, &L->gastric_phi, &L->body_rel,
                                   L->err);
  hs_physiology ph;
  if (rc) return rc;
  hs__physiology_to_model(&L->pat, &L->tum, L->pat.bsa > 0, &L->ref.pt, &ph);
  return hs__q_l_eff(&ph, &L->ref.q_l_eff, L->err);
}

/* `tumor.type`: a preset of model/data/tumor_types.yaml (perfusion, arterial share, venous
 * drainage, vascular fraction), under the tumour keys the scenario writes. */
enum { TT_DESC, TT_SETTING, TT_TN, TT_PERFUSION, TT_FTA, TT_FTD, TT_FVAS, TT_N };
static const hs__field TYPE_FIELDS[TT_N] = {
    {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"clinical_setting", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"tumor_normal_ratio", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    HS_REG(HS_REG_TUMOR_PERFUSION, offsetof(tumor_in, p_t)),
    HS_REG(HS_REG_TUMOR_FTA, offsetof(tumor_in, f_ta)),
    HS_REG(HS_REG_TUMOR_FTD, offsetof(tumor_in, f_td)),
    HS_REG(HS_REG_TUMOR_FVAS, offsetof(tumor_in, f_vas)),
};

static int load_tumor_type(loader *L, hs__ynode t) {
  hs__ynode type = hs__ydoc_type(L->d, t) == HS_Y_MAP ? hs__ydoc_get(L->d, t, "type") : 0;
  hs__fieldinfo info[TT_N] = {{0}};
  if (!type) return HS_OK;
  int rc = hs__read_preset(L, "tumor_types.yaml", type, "tumor.type", TYPE_FIELDS, TT_N,
                           &L->tum, info);
  for (int k = TT_PERFUSION; !rc && k <= TT_FTD; k++)
    if (!info[k].set)
      rc = hs_error_set(L->err, HS_EINPUT, "%s/tumor_types.yaml: %s: '%s' is missing",
                        L->data_dir, hs__ydoc_scalar(L->d, type), hs__field_key(&TYPE_FIELDS[k]));
  return rc;
}

/* `patient.scaling: body_size`: the cardiac output, hepatic flow and liver volume the
 * scenario does not write go from the reference adult's BSA to the patient's (hs_body.h). */
static int load_body_size(loader *L) {
  static const struct { int key; unsigned bit; } q[] = {
      {P_QCO, HS_BODY_QCO}, {P_QH, HS_BODY_QH}, {P_VL, HS_BODY_VL}};
  hs_body_size *b = &L->sc->body;
  memset(b, 0, sizeof *b);
  if (L->pat.scaling != SCALING_BODY_SIZE) return HS_OK;
  if (isnan(L->body_rel.k_co))
    return hs_error_set(L->err, HS_EINPUT, "%s/physiology.yaml: patient.scaling 'body_size' "
                        "needs the 'body_size:' section (the relations' constants)", L->data_dir);
  b->rel = L->body_rel;
  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    if (!L->pinfo[q[i].key].set) b->follow |= q[i].bit;
  hs_body_anchor(b, &L->sc->phys, L->ref.pt.bsa_m2);
  hs_body_rescale(b, L->sc->patient.bsa_m2, &L->sc->phys);
  hs_body_anchor(b, &L->sc->phys, L->sc->patient.bsa_m2);
  return HS_OK;
}

int hs__load_patient(loader *L) {
  hs__ynode p = hs__ydoc_get(L->d, L->root, "patient");
  hs__ynode t = hs__ydoc_get(L->d, L->root, "tumor");
  int rc;
  if (p && (rc = hs__ydoc_read(L->d, p, "patient", hs__patient_fields, P_N, &L->pat, L->pinfo, 0,
                               L->err)))
    return rc;
  if (t && (rc = load_tumor_type(L, t))) return rc;
  if (t && (rc = hs__ydoc_read(L->d, t, "tumor", hs__tumor_fields, T_N, &L->tum, L->tinfo, 0, L->err)))
    return rc;
  hs__physiology_to_model(&L->pat, &L->tum, L->pinfo[P_BSA].set, &L->sc->patient, &L->sc->phys);
  L->rs = (hs__resolve){L->sc->patient, L->ref.q_l_eff};
  return load_body_size(L);
}

/* ---- catheter territory and gastric misperfusion -------------------------------------- */

/* `catheter: {position, liver_coverage, tumor_coverage}`: the shares are the model inputs,
 * the position says where the catheter sits and is checked against them. */
int hs__load_catheter(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "catheter");
  if (!s) return HS_OK;
  catheter_in in = {.liver_cov = HS_REG_DEFAULT(HS_REG_CATHETER_LIVER),
                    .tumor_cov = HS_REG_DEFAULT(HS_REG_CATHETER_TUMOR)};
  hs__fieldinfo info[C_N] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "catheter", CATHETER_FIELDS, C_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[C_POSITION].set) {
    char positions[80];
    hs__join_or(CATHETER_POSITIONS, -1, positions, sizeof positions);
    return hs__ydoc_error(L->d, s, "catheter", L->err, "'position' is required (%s)", positions);
  }
  if (in.position == HS_CATH_PROPER && (in.liver_cov < 1 || in.tumor_cov < 1))
    return hs__ydoc_error(L->d, s, "catheter", L->err, "a catheter at the proper hepatic artery "
                          "perfuses the whole liver: coverage must be 100 %% (got liver %g %%, "
                          "tumour %g %%)", 100 * in.liver_cov, 100 * in.tumor_cov);
  if (in.position != HS_CATH_PROPER && !info[C_LIVER].set)
    return hs__ydoc_error(L->d, s, "catheter", L->err, "a %s catheter needs 'liver_coverage', "
                          "the share of the liver volume its branch perfuses",
                          CATHETER_POSITIONS[in.position]);
  const char *zero = !(in.liver_cov > 0) ? "liver_coverage" : !(in.tumor_cov > 0) ? "tumor_coverage" : NULL;
  if (zero)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, zero), "catheter", L->err, "%s must be "
                          "above 0 %% (a territory the catheter perfuses)", zero);
  if (in.tumor_cov < 1 && in.liver_cov == 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "tumor_coverage"), "catheter", L->err,
                          "tumor_coverage below 100 %% needs liver_coverage below 100 %%: the "
                          "tumour outside the territory drains into the liver outside it");
  hs_territory *t = &L->sc->phys.terr;
  t->catheter = 1;
  t->position = (hs_catheter_pos)in.position;
  t->liver_cov = in.liver_cov;
  t->tumor_cov = in.tumor_cov;
  return HS_OK;
}

/* `misperfusion: {share, gastric_flow_share}`; the gastric share of the splanchnic bed
 * defaults to the sourced value in physiology.yaml (`misperfusion.gastric_flow_share`). */
int hs__load_misperfusion(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "misperfusion");
  if (!s) return HS_OK;
  misperfusion_in in = {0};
  hs__fieldinfo info[M_N] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "misperfusion", hs__misperfusion_fields, M_N, &in, info, 0,
                         L->err);
  if (rc) return rc;
  if (!info[M_SHARE].set)
    return hs__ydoc_error(L->d, s, "misperfusion", L->err, "'share' is required (the share of "
                          "the hepatic-arterial infusate reaching the stomach, e.g. 5 %%)");
  if (!info[M_PHI].set && isnan(in.phi = L->gastric_phi))
    return hs_error_set(L->err, HS_EINPUT, "%s/physiology.yaml: misperfusion.gastric_flow_share "
                        "is missing", L->data_dir);
  if (!(in.phi > 0 && in.phi < 1))
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "gastric_flow_share"), "misperfusion",
                          L->err, "gastric_flow_share must lie strictly between 0 and 100 %%");
  hs_territory *t = &L->sc->phys.terr;
  t->gastric = 1;
  t->mis_share = in.share;
  t->phi_gs = in.phi;
  return HS_OK;
}

/* A permeability-limited liver refused (its vascular share, Kp_L, stasis): at the drug's
 * liver_permeability where the scenario writes it, else at the drug. */
static int liver_permeability_error(loader *L, int i, const hs_error *e) {
  const char *name = L->sc->drugs[i].name;
  hs__ynode drug = hs__ydoc_get(L->d, hs__ydoc_get(L->d, L->root, "drugs"), name);
  hs__ynode key = hs__ydoc_get(L->d, drug, "liver_permeability");
  char path[128];
  snprintf(path, sizeof path, "drugs.%s%s", name, key ? ".liver_permeability" : "");
  return hs__ydoc_error(L->d, key ? key : drug ? drug : L->root, path, L->err, "%s", e->msg);
}

/* Flows that break model.md's constraints: point at the key most likely responsible. */
int hs__check_flows(loader *L) {
  static const struct { const char *sec; int idx; int tumor; } blame[] = {
      {"tumor", T_PERFUSION, 1}, {"tumor", T_VOLUME, 1}, {"tumor", T_FTA, 1},
      {"patient", P_FHA, 0},     {"patient", P_QH, 0},   {"patient", P_QCO, 0}};
  for (int i = 0; i < L->sc->n_drugs; i++) {
    hs_params p;
    hs_error e;
    if (!hs_params_init(&p, &L->sc->phys, &L->sc->drugs[i].drug, L->sc->embo, L->sc->n_embo, &e))
      continue;
    if (strstr(e.msg, "permeability-limited liver") || strstr(e.msg, "liver vascular fraction"))
      return liver_permeability_error(L, i, &e);
    if (strstr(e.msg, "permeability-limited")) /* Kp_T against the vascular fraction */
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, hs__ydoc_get(L->d, L->root, "tumor"),
                            "permeability_surface"), "tumor.permeability_surface", L->err,
                            "drug '%s': %s", L->sc->drugs[i].name, e.msg);
    int want_co = strstr(e.msg, "Q_CO") != NULL;
    for (size_t b = 0; b < sizeof blame / sizeof blame[0]; b++) {
      const hs__fieldinfo *fi = blame[b].tumor ? &L->tinfo[blame[b].idx] : &L->pinfo[blame[b].idx];
      /* Q_R = Q_CO - Q_H: neither the tumour nor f_HA can be the cause */
      if (!fi->set || (want_co && (blame[b].tumor || blame[b].idx == P_FHA))) continue;
      const char *key = hs__field_key(blame[b].tumor ? &hs__tumor_fields[blame[b].idx]
                                                     : &hs__patient_fields[blame[b].idx]);
      hs__ynode sec = hs__ydoc_get(L->d, L->root, blame[b].sec);
      char path[64];
      snprintf(path, sizeof path, "%s.%s", blame[b].sec, key);
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, sec, key), path, L->err, "%s", e.msg);
    }
    return hs__ydoc_error(L->d, L->root, L->sc->drugs[i].name, L->err, "%s", e.msg);
  }
  return HS_OK;
}
