/* scenario_patient.c - the patient and tumour sections over the reference adult of
 * model/data/physiology.yaml, the catheter territory and gastric misperfusion, and the
 * check that the resulting flows are physical. */
#include "scenario_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HS_DATA_DIR
#define HS_DATA_DIR "model/data"
#endif

const char *hs_scenario_data_dir(void) {
  const char *env = getenv("HEPATOSIM_DATA");
  return env && *env ? env : HS_DATA_DIR;
}

/* ---- field tables ------------------------------------------------------------------ */

static const char *const BSA_FORMULAS[] = {"mosteller", "dubois", "haycock", NULL};

#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0, NULL}

static const hs__field PATIENT_FIELDS[P_N] = {
    HS_REG(HS_REG_PATIENT_WEIGHT, offsetof(patient_in, weight)),
    HS_REG(HS_REG_PATIENT_HEIGHT, offsetof(patient_in, height)),
    HS_REG(HS_REG_PATIENT_BSA, offsetof(patient_in, bsa)),
    ENUM("bsa_formula", patient_in, bsa_formula, BSA_FORMULAS),
    HS_REG(HS_REG_PATIENT_QCO, offsetof(patient_in, q_co)),
    HS_REG(HS_REG_PATIENT_QH, offsetof(patient_in, q_h)),
    HS_REG(HS_REG_PATIENT_FHA, offsetof(patient_in, f_ha)),
    HS_REG(HS_REG_PATIENT_VB, offsetof(patient_in, v_b)),
    HS_REG(HS_REG_PATIENT_VG, offsetof(patient_in, v_g)),
    HS_REG(HS_REG_PATIENT_VL, offsetof(patient_in, v_l)),
    HS_REG(HS_REG_PATIENT_VR, offsetof(patient_in, v_r)),
};

static const hs__field TUMOR_FIELDS[T_N] = {
    HS_REG(HS_REG_TUMOR_VOLUME, offsetof(tumor_in, v_t)),
    HS_REG(HS_REG_TUMOR_PERFUSION, offsetof(tumor_in, p_t)),
    HS_REG(HS_REG_TUMOR_FTA, offsetof(tumor_in, f_ta)),
    HS_REG(HS_REG_TUMOR_FTD, offsetof(tumor_in, f_td)),
    HS_REG(HS_REG_TUMOR_NEC, offsetof(tumor_in, f_nec)),
    HS_REG(HS_REG_TUMOR_PS, offsetof(tumor_in, ps)),
    HS_REG(HS_REG_TUMOR_FVAS, offsetof(tumor_in, f_vas)),
};

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
typedef struct misperfusion_in {
  double share, phi;
} misperfusion_in;
enum { M_SHARE, M_PHI, M_N };
static const hs__field MISPERFUSION_FIELDS[M_N] = {
    HS_REG(HS_REG_MIS_SHARE, offsetof(misperfusion_in, share)),
    HS_REG(HS_REG_MIS_PHI, offsetof(misperfusion_in, phi)),
};
#undef ENUM

/* Reference-adult physiology and tumour defaults, every value sourced (model/data); phi
 * (may be NULL) gets the default gastric share of the splanchnic bed, NAN when the file
 * has none. */
static int read_defaults(const char *data_dir, patient_in *pat, tumor_in *tum, double *phi,
                         hs_error *err) {
  char file[1100];
  snprintf(file, sizeof file, "%s/physiology.yaml", data_dir);
  hs__ydoc *d = hs__ydoc_load(file, err);
  if (!d) return HS_EINPUT;
  hs__ynode root = hs__ydoc_root(d);
  misperfusion_in mis = {0};
  hs__fieldinfo info[M_N] = {{0}};
  int rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "patient"), "patient", PATIENT_FIELDS, P_N,
                         pat, NULL, 1, err);
  if (!rc)
    rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "tumor"), "tumor", TUMOR_FIELDS, T_N, tum,
                       NULL, 1, err);
  hs__ynode m = hs__ydoc_get(d, root, "misperfusion"); /* optional in a data directory */
  if (!rc && phi && m)
    rc = hs__ydoc_read(d, m, "misperfusion", MISPERFUSION_FIELDS, M_N, &mis, info, 1, err);
  if (phi) *phi = info[M_PHI].set ? mis.phi : NAN;
  hs__ydoc_free(d);
  return rc;
}

/* Each quantity of fields as read (in `in`) at its landing in s, the registry's. */
static void land(hs_scenario *s, const hs__field *fields, int n, const void *in) {
  for (int i = 0; i < n; i++)
    if (fields[i].reg && fields[i].reg->flags & (HS_P_SWEEP | HS_P_LANDS))
      *(double *)((char *)s + fields[i].reg->offset) =
          *(const double *)((const char *)in + fields[i].offset);
}

/* Model physiology and patient size from the sections as read (bsa_given: bsa was written);
 * the options of the physiology (vascular events, catheter, ...) start off. */
static void to_model(const patient_in *pat, const tumor_in *tum, int bsa_given, hs_patient *pt,
                     hs_physiology *ph) {
  hs_scenario s;
  memset(&s, 0, sizeof s);
  land(&s, PATIENT_FIELDS, P_N, pat);
  land(&s, TUMOR_FIELDS, T_N, tum); /* terr.ps stays 0 (flow-limited) unless given */
  s.patient.bsa_formula = (hs_bsa_formula)pat->bsa_formula;
  s.patient.bsa_given = bsa_given;
  if (!bsa_given)
    s.patient.bsa_m2 = hs_patient_bsa(s.patient.bsa_formula, pat->weight, pat->height);
  *pt = s.patient;
  *ph = s.phys;
}

int hs__reference_adult(const char *data_dir, hs__resolve *rs, hs_physiology *ph,
                        hs_error *err) {
  patient_in pat = {0};
  tumor_in tum = {0};
  int rc = read_defaults(data_dir, &pat, &tum, NULL, err);
  if (rc) return rc;
  to_model(&pat, &tum, pat.bsa > 0, &rs->pt, ph);
  return hs__q_l_eff(ph, &rs->q_l_eff, err);
}

int hs__load_defaults(loader *L) {
  int rc = read_defaults(L->data_dir, &L->pat, &L->tum, &L->gastric_phi, L->err);
  hs_physiology ph;
  if (rc) return rc;
  to_model(&L->pat, &L->tum, L->pat.bsa > 0, &L->ref.pt, &ph);
  return hs__q_l_eff(&ph, &L->ref.q_l_eff, L->err);
}

int hs__load_patient(loader *L) {
  hs__ynode p = hs__ydoc_get(L->d, L->root, "patient");
  hs__ynode t = hs__ydoc_get(L->d, L->root, "tumor");
  int rc;
  if (p && (rc = hs__ydoc_read(L->d, p, "patient", PATIENT_FIELDS, P_N, &L->pat, L->pinfo, 0,
                               L->err)))
    return rc;
  if (t && (rc = hs__ydoc_read(L->d, t, "tumor", TUMOR_FIELDS, T_N, &L->tum, L->tinfo, 0, L->err)))
    return rc;
  to_model(&L->pat, &L->tum, L->pinfo[P_BSA].set, &L->sc->patient, &L->sc->phys);
  L->rs = (hs__resolve){L->sc->patient, L->ref.q_l_eff};
  return HS_OK;
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
  int rc = hs__ydoc_read(L->d, s, "misperfusion", MISPERFUSION_FIELDS, M_N, &in, info, 0,
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
    if (strstr(e.msg, "permeability-limited")) /* Kp_T against the vascular fraction */
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, hs__ydoc_get(L->d, L->root, "tumor"),
                            "permeability_surface"), "tumor.permeability_surface", L->err,
                            "drug '%s': %s", L->sc->drugs[i].name, e.msg);
    int want_co = strstr(e.msg, "Q_CO") != NULL;
    for (size_t b = 0; b < sizeof blame / sizeof blame[0]; b++) {
      const hs__fieldinfo *fi = blame[b].tumor ? &L->tinfo[blame[b].idx] : &L->pinfo[blame[b].idx];
      /* Q_R = Q_CO - Q_H: neither the tumour nor f_HA can be the cause */
      if (!fi->set || (want_co && (blame[b].tumor || blame[b].idx == P_FHA))) continue;
      const char *key = hs__field_key(blame[b].tumor ? &TUMOR_FIELDS[blame[b].idx]
                                                     : &PATIENT_FIELDS[blame[b].idx]);
      hs__ynode sec = hs__ydoc_get(L->d, L->root, blame[b].sec);
      char path[64];
      snprintf(path, sizeof path, "%s.%s", blame[b].sec, key);
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, sec, key), path, L->err, "%s", e.msg);
    }
    return hs__ydoc_error(L->d, L->root, L->sc->drugs[i].name, L->err, "%s", e.msg);
  }
  return HS_OK;
}
