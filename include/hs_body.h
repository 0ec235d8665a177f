/* hs_body.h - the physiology's scaling with body size (`patient.scaling: body_size`).
 *
 * Cardiac output, total hepatic blood flow and liver volume follow the patient's body
 * surface area B, each as a ratio to a value known at another BSA (the reference adult's,
 * at B_ref, when a scenario loads):
 *   Q_CO(B) = Q_CO(B0) (B / B0)^k_CO              k_CO = 1: a constant cardiac index
 *   V_L(B)  = V_L(B0) LV(B) / LV(B0),  LV(B) = a B + b   (Urata et al. 1995)
 *   Q_H(B)  = Q_H(B0) (V_L(B) / V_L(B0))^k_H      k_H = 1: constant perfusion per volume
 * The constants (k_CO, a, b, k_H) are data: model/data/physiology.yaml's `body_size:`
 * section, each with its source. At B = B0 every factor is exactly 1, so the reference
 * adult keeps its values bit for bit. Pure and thread-safe. */
#ifndef HS_BODY_H
#define HS_BODY_H

#include "hs_model.h"

/* The relations' constants. */
typedef struct hs_body_relations {
  double k_co;         /* Q_CO proportional to BSA^k_co */
  double lv_slope;     /* a: liver volume per m2 of BSA, L/m2 */
  double lv_intercept; /* b: liver volume at BSA 0, L */
  double k_h;          /* Q_H proportional to BSA^k_h */
} hs_body_relations;

/* Which quantities follow the BSA (those a scenario does not write). */
enum { HS_BODY_QCO = 1, HS_BODY_QH = 2, HS_BODY_VL = 4 };

/* The scaling of one scenario: the quantities that follow the BSA and an anchor, their
 * values at one BSA. A new BSA sets each from the anchor, never from the last value set,
 * so that a sweep's runs do not depend on which runs a thread did before. */
typedef struct hs_body_size {
  unsigned follow;        /* HS_BODY_* that follow the BSA; 0: `scaling: none` */
  hs_body_relations rel;
  double bsa_m2;          /* the BSA at which the anchor holds */
  double q_co, q_h, v_l;  /* the anchor: Q_CO, Q_H (L/h) and V_L (L) at bsa_m2 */
} hs_body_size;

/* The factors by which Q_CO (f[0]), Q_H (f[1]) and V_L (f[2]) at BSA from_m2 become those at
 * BSA to_m2. */
void hs_body_factors(const hs_body_relations *r, double from_m2, double to_m2, double f[3]);

/* Record ph's Q_CO, Q_H and V_L as the anchor, holding at BSA bsa_m2. */
void hs_body_anchor(hs_body_size *b, const hs_physiology *ph, double bsa_m2);

/* Set the quantities of ph that follow the BSA to their values at bsa_m2: the anchor times
 * the factors from the anchor's BSA. Those that do not follow are left as they are. */
void hs_body_rescale(const hs_body_size *b, double bsa_m2, hs_physiology *ph);

#endif
