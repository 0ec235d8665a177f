/* vascular.c - liver disease and vascular events: portosystemic shunting, portal vein
 * thrombosis with the hepatic arterial buffer response, loss of intrinsic clearance and
 * hepatic artery occlusion (model.md extension "Liver disease and vascular events"). */
#include "vascular.h"

#include <math.h>

#include "hs_regimen.h"

int hs__vascular_check(const hs_vascular *v, hs_error *err) {
  if (!(v->f_sh >= 0 && v->f_sh < 1))
    return hs_error_set(err, HS_EINPUT, "portosystemic shunt share f_sh = %g must lie in [0, 1)",
                        v->f_sh);
  if (!(v->pvt_obstruction >= 0 && v->pvt_obstruction < 1))
    return hs_error_set(err, HS_EINPUT, "portal vein obstruction = %g must lie in [0, 1)",
                        v->pvt_obstruction);
  if (!(v->habr >= 0 && v->habr <= 1))
    return hs_error_set(err, HS_EINPUT, "buffer response k = %g must lie in [0, 1]", v->habr);
  if (!(v->cl_int_loss >= 0 && v->cl_int_loss < 1))
    return hs_error_set(err, HS_EINPUT, "intrinsic clearance loss = %g must lie in [0, 1)",
                        v->cl_int_loss);
  if (v->ha_occluded && !(v->t_occl >= 0 && isfinite(v->t_occl)))
    return hs_error_set(err, HS_EINPUT, "hepatic artery occlusion onset = %g h must be >= 0",
                        v->t_occl);
  return HS_OK;
}

/* s = (1 - f_sh)(1 - obstruction) of Q_PV reaches the liver and tumour; the thrombosis
 * blocks dQ_PV = (1 - f_sh) obstruction Q_PV, of which the buffer response k returns to the
 * normal liver as arterial flow, taken from the rest of body. */
int hs__vascular_flows(const hs_physiology *ph, hs_flows *f, hs_error *err) {
  const hs_vascular *v = &ph->vasc;
  double s = (1 - v->f_sh) * (1 - v->pvt_obstruction);
  double dq_pv = (1 - v->f_sh) * v->pvt_obstruction * f->q_pv;
  f->q_lp *= s;
  f->q_tp *= s;
  f->q_sh = (1 - s) * f->q_pv;
  f->q_la += v->habr * dq_pv;
  f->q_ha = f->q_la + f->q_ta;
  f->q_l = f->q_la + f->q_lp;
  f->q_r = ph->q_co - f->q_ha - f->q_pv;
  if (!(f->q_r > 0))
    return hs_error_set(err, HS_EINPUT,
                        "rest-of-body flow Q_R = Q_CO - Q_HA' - Q_PV = %g L/h must be > 0 with "
                        "the buffer response (k %g raises Q_HA by %g L/h)",
                        f->q_r, v->habr, v->habr * dq_pv);
  return HS_OK;
}

void hs__vascular_clearance(const hs_vascular *v, hs_elimination *e) {
  e->cl *= 1 - v->cl_int_loss;
  e->vmax *= 1 - v->cl_int_loss;
}

double hs__vascular_arterial(const hs_vascular *v, double t0) {
  return v->ha_occluded && t0 >= v->t_occl ? 0.0 : 1.0;
}

/* The amount a (chronomodulated or constant) infusion delivers over [a, b). */
static double infused(const hs_dose *d, double a, double b) {
  double r0 = hs_dose_base_rate(d), w = 2 * M_PI / HS_DAY_H;
  return r0 * ((b - a) + d->amplitude / w * (sin(w * (b - d->peak)) - sin(w * (a - d->peak))));
}

int hs_regimen_withhold_ha(hs_dose *d, int n, double t_occl, double *undelivered_mg) {
  int k = 0;
  *undelivered_mg = 0;
  for (int i = 0; i < n; i++) {
    hs_dose x = d[i];
    if (x.route == HS_ROUTE_HA && x.t_start >= t_occl) {
      *undelivered_mg += x.amount_mg; /* not given at all */
      continue;
    }
    if (x.route == HS_ROUTE_HA && x.t_end > t_occl) { /* cut off at the occlusion */
      double given = infused(&x, x.t_start, t_occl);
      *undelivered_mg += x.amount_mg - given;
      x.amount_mg = given;
      x.t_end = t_occl;
    }
    d[k++] = x;
  }
  return k;
}
