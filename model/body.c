/* body.c - cardiac output, hepatic flow and liver volume with body size (hs_body.h): the
 * relations, written once, for the scenario loader and the sweep paths. */
#include "hs_body.h"

#include <math.h>

void hs_body_factors(const hs_body_relations *r, double from_m2, double to_m2, double f[3]) {
  double lv = (r->lv_slope * to_m2 + r->lv_intercept) / (r->lv_slope * from_m2 + r->lv_intercept);
  f[0] = pow(to_m2 / from_m2, r->k_co);
  f[1] = pow(to_m2 / from_m2, r->k_h);
  f[2] = lv;
}

void hs_body_anchor(hs_body_size *b, const hs_physiology *ph, double bsa_m2) {
  b->bsa_m2 = bsa_m2;
  b->q_co = ph->q_co;
  b->q_h = ph->q_h;
  b->v_l = ph->v_l;
}

void hs_body_rescale(const hs_body_size *b, double bsa_m2, hs_physiology *ph) {
  double f[3];
  if (!b->follow) return;
  hs_body_factors(&b->rel, b->bsa_m2, bsa_m2, f);
  if (b->follow & HS_BODY_QCO) ph->q_co = b->q_co * f[0];
  if (b->follow & HS_BODY_QH) ph->q_h = b->q_h * f[1];
  if (b->follow & HS_BODY_VL) ph->v_l = b->v_l * f[2];
}
