/* physiology.h - private to solver/input: the reference adult of physiology.yaml, the data
 * directory, and the patient, tumour and misperfusion sections as read (physiology.c). */
#ifndef HS_PHYSIOLOGY_H
#define HS_PHYSIOLOGY_H

#include "drugdef.h"
#include "hs_body.h"
#include "hs_scenario.h"
#include "yamldoc.h"

/* The `patient:` and `tumor:` sections as read (defaults from physiology.yaml first). */
typedef struct patient_in {
  double weight, height, bsa;
  int bsa_formula;
  double q_co, q_h, f_ha, v_b, v_g, v_l, v_r;
  double f_vas_l; /* sinusoidal share of V_L (a permeability-limited liver) */
  int scaling; /* SCALING_*: whether Q_CO, Q_H and V_L follow the BSA (hs_body.h) */
} patient_in;

typedef struct tumor_in {
  double v_t, p_t, f_ta, f_td, f_nec;
  double ps, f_vas; /* permeability-limited tumour (model.md extension; ps 0: off) */
} tumor_in;
enum { P_WEIGHT, P_HEIGHT, P_BSA, P_FORMULA, P_QCO, P_QH, P_FHA, P_VB, P_VG, P_VL, P_VR, P_FVL,
       P_SCALING, P_N };
enum { SCALING_BODY_SIZE, SCALING_NONE }; /* `patient.scaling`, in the order of its names */
enum { T_VOLUME, T_PERFUSION, T_FTA, T_FTD, T_NEC, T_PS, T_FVAS, T_TYPE, T_N };

typedef struct misperfusion_in {
  double share, phi;
} misperfusion_in;
enum { M_SHARE, M_PHI, M_N };

/* The sections' fields: keys, kinds and ranges from the registry. */
extern const hs__field hs__patient_fields[P_N];
extern const hs__field hs__tumor_fields[T_N];
extern const hs__field hs__misperfusion_fields[M_N];

/* Reference-adult physiology and tumour defaults of data_dir/physiology.yaml; phi (may be
 * NULL) gets the default gastric share of the splanchnic bed, NAN when the file has none;
 * rel (may be NULL) the constants of its `body_size:` section, k_co NAN when it has none.
 * A file without `patient.scaling` defaults to none. */
int hs__physiology_defaults(const char *data_dir, patient_in *pat, tumor_in *tum, double *phi,
                            hs_body_relations *rel, hs_error *err);

/* Model physiology and patient size from the sections as read (bsa_given: bsa was
 * written); the options of the physiology (vascular events, catheter, ...) start off. */
void hs__physiology_to_model(const patient_in *pat, const tumor_in *tum, int bsa_given,
                             hs_patient *pt, hs_physiology *ph);

#endif
