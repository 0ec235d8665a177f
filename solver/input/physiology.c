/* physiology.c - the reference adult of model/data/physiology.yaml (every value sourced)
 * and the data directory it lives in; the field tables of the `patient:`, `tumor:` and
 * `misperfusion:` sections, which the scenario loader reads with the same tables. Used by
 * the scenario loader and by the drug library (per-m2 values, hepatic_clearance). */
#include "physiology.h"

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
static const char *const SCALINGS[] = {"body_size", "none", NULL}; /* SCALING_* */

#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0, NULL}

const hs__field hs__patient_fields[P_N] = {
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
    HS_REG(HS_REG_PATIENT_FVL, offsetof(patient_in, f_vas_l)),
    ENUM("scaling", patient_in, scaling, SCALINGS),
};

const hs__field hs__tumor_fields[T_N] = {
    HS_REG(HS_REG_TUMOR_VOLUME, offsetof(tumor_in, v_t)),
    HS_REG(HS_REG_TUMOR_PERFUSION, offsetof(tumor_in, p_t)),
    HS_REG(HS_REG_TUMOR_FTA, offsetof(tumor_in, f_ta)),
    HS_REG(HS_REG_TUMOR_FTD, offsetof(tumor_in, f_td)),
    HS_REG(HS_REG_TUMOR_NEC, offsetof(tumor_in, f_nec)),
    HS_REG(HS_REG_TUMOR_PS, offsetof(tumor_in, ps)),
    HS_REG(HS_REG_TUMOR_FVAS, offsetof(tumor_in, f_vas)),
    {"type", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL}, /* a tumour_types preset */
};

const hs__field hs__misperfusion_fields[M_N] = {
    HS_REG(HS_REG_MIS_SHARE, offsetof(misperfusion_in, share)),
    HS_REG(HS_REG_MIS_PHI, offsetof(misperfusion_in, phi)),
};
#undef ENUM

/* `body_size:` the constants of the relations of patient.scaling: body_size (hs_body.h). */
#define BODY(key, kind, mem, range) {key, HS_F_QTY, kind, offsetof(hs_body_relations, mem), range, NULL, 0, NULL}
enum { B_KCO, B_SLOPE, B_INTERCEPT, B_KH, B_N };
static const hs__field BODY_FIELDS[B_N] = {
    BODY("cardiac_output_bsa_exponent", HS_KIND_NUMBER, k_co, HS_R_NONNEG),
    BODY("liver_volume_per_bsa", HS_KIND_VOLUME, lv_slope, HS_R_POS | HS_R_SCALED),
    BODY("liver_volume_intercept", HS_KIND_VOLUME, lv_intercept, HS_R_ANY),
    BODY("hepatic_flow_bsa_exponent", HS_KIND_NUMBER, k_h, HS_R_NONNEG),
};
#undef BODY

/* The `body_size:` section m (optional in a data directory: rel->k_co NAN without it). */
static int read_body_size(const hs__ydoc *d, hs__ynode m, hs_body_relations *rel, hs_error *err) {
  hs__fieldinfo info[B_N] = {{0}};
  rel->k_co = NAN;
  if (!m) return HS_OK;
  hs_body_relations in = {0};
  int rc = hs__ydoc_read(d, m, "body_size", BODY_FIELDS, B_N, &in, info, 1, err);
  for (int i = 0; !rc && i < B_N; i++)
    if (!info[i].set)
      rc = hs__ydoc_error(d, m, "body_size", err, "'%s' is required", BODY_FIELDS[i].key);
  if (!rc && info[B_SLOPE].norm != HS_NORM_BSA)
    rc = hs__ydoc_error(d, hs__ydoc_get(d, m, BODY_FIELDS[B_SLOPE].key),
                        "body_size.liver_volume_per_bsa", err,
                        "expected a volume per m2 of BSA (e.g. '706.2 mL/m2')");
  if (!rc) *rel = in;
  return rc;
}

/* Reference-adult physiology and tumour defaults, every value sourced (model/data); phi
 * (may be NULL) gets the default gastric share of the splanchnic bed, NAN when the file
 * has none; rel (may be NULL) the relations of body size, k_co NAN when the file has none. */
int hs__physiology_defaults(const char *data_dir, patient_in *pat, tumor_in *tum, double *phi,
                            hs_body_relations *rel, hs_error *err) {
  char file[1100];
  snprintf(file, sizeof file, "%s/physiology.yaml", data_dir);
  hs__ydoc *d = hs__ydoc_load(file, err);
  if (!d) return HS_EINPUT;
  hs__ynode root = hs__ydoc_root(d);
  misperfusion_in mis = {0};
  hs__fieldinfo info[M_N] = {{0}};
  pat->scaling = SCALING_NONE; /* a data directory from before body-size scaling */
  int rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "patient"), "patient", hs__patient_fields, P_N,
                         pat, NULL, 1, err);
  if (!rc)
    rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "tumor"), "tumor", hs__tumor_fields, T_N, tum,
                       NULL, 1, err);
  hs__ynode m = hs__ydoc_get(d, root, "misperfusion"); /* optional in a data directory */
  if (!rc && phi && m)
    rc = hs__ydoc_read(d, m, "misperfusion", hs__misperfusion_fields, M_N, &mis, info, 1, err);
  if (phi) *phi = info[M_PHI].set ? mis.phi : NAN;
  if (!rc && rel) rc = read_body_size(d, hs__ydoc_get(d, root, "body_size"), rel, err);
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
void hs__physiology_to_model(const patient_in *pat, const tumor_in *tum, int bsa_given, hs_patient *pt,
                     hs_physiology *ph) {
  hs_scenario s;
  memset(&s, 0, sizeof s);
  land(&s, hs__patient_fields, P_N, pat);
  land(&s, hs__tumor_fields, T_N, tum); /* terr.ps stays 0 (flow-limited) unless given */
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
  int rc = hs__physiology_defaults(data_dir, &pat, &tum, NULL, NULL, err);
  if (rc) return rc;
  hs__physiology_to_model(&pat, &tum, pat.bsa > 0, &rs->pt, ph);
  return hs__q_l_eff(ph, &rs->q_l_eff, err);
}

