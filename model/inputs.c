/* inputs.c - the dosing routes and where their doses enter the model (docs/model.md
 * "Inputs"): the route names, the instantaneous doses of each route (a TACE dose split by
 * its carrier) and the infusion rates of an integration segment. A new route entering an
 * existing place is its hs_route constant (include/hs_regimen.h) and its name and landing
 * here. */
#include "hs_model.h"

#include <math.h>
#include <string.h>

/* The one table of route names, in hs_route order. */
const char *const hs_route_names[] = {"iv", "hai", "pv", "tace", NULL};
#define N_ROUTES ((int)(sizeof hs_route_names / sizeof hs_route_names[0]) - 1)

const char *hs_route_name(hs_route r) {
  return (int)r >= 0 && (int)r < N_ROUTES ? hs_route_names[r] : "unknown";
}

int hs_route_parse(const char *name) {
  for (int r = 0; name && r < N_ROUTES; r++)
    if (strcmp(name, hs_route_names[r]) == 0) return r;
  return -1;
}

double hs_model_ha_liver_share(const hs_params *p, double t, double t0) {
  double m_l, m_t;
  hs_model_multipliers(p, t, t0, &m_l, &m_t);
  /* the covered part's arterial flows (its shares are 1 without a catheter territory) */
  const hs_part *c = &p->part[0];
  double q_l = m_l * c->w_l * p->fl.q_la, q_t = m_t * c->w_t * p->fl.q_ta;
  return q_l + q_t > 0 ? q_l / (q_l + q_t) : 1.0; /* occluded: no arterial dose is given */
}

double hs_model_pv_liver_share(const hs_params *p) { return p->fl.q_lp / p->fl.q_pv; }

/* A hepatic-arterial bolus: the misperfused share to the stomach, the shares the occluded
 * vessels of embolised beds hold to their stagnant drug (stasis), the rest to the covered
 * liver and tumour as m_L Q_LA : m_T Q_TA. */
static void ha_bolus(const hs_params *p, double t, double amt, double *y) {
  if (p->i_gs >= 0) {
    y[p->i_gs] += p->phys.terr.mis_share * amt;
    amt *= 1 - p->phys.terr.mis_share;
  }
  if (p->part[0].i_sl >= 0) {
    hs_stasis st;
    hs_model_stasis(p, t, t, &st);
    y[p->part[0].i_sl] += st.trap_l * amt;
    y[p->part[0].i_st] += st.trap_t * amt;
    amt *= 1 - st.trap_l - st.trap_t;
  }
  double share = hs_model_ha_liver_share(p, t, t);
  y[p->part[0].i_l] += share * amt;
  y[p->part[0].i_t] += (1 - share) * amt; /* the tumour's vascular space */
}

/* A portal bolus: past the liver Q_SH, to each part's liver w_L Q_LP and tumour w_T Q_TP
 * (of Q_PV). */
static void pv_bolus(const hs_params *p, double amt, double *y) {
  const hs_flows *f = &p->fl;
  y[HS_A_B] += f->q_sh / f->q_pv * amt; /* shunt, thrombosis collaterals */
  for (int k = 0; k < p->n_parts; k++) {
    const hs_part *q = &p->part[k];
    y[q->i_l] += q->w_l * f->q_lp / f->q_pv * amt;
    y[q->i_t] += q->w_t * f->q_tp / f->q_pv * amt;
  }
}

double hs_model_tace_immediate(const hs_params *p, double t) {
  const hs_embolization *now = NULL, *first = NULL;
  for (int i = 0; i < p->n_embo; i++) {
    const hs_embolization *e = &p->embo[i];
    if (isnan(e->f_imm)) continue; /* no carrier */
    if (!first || e->t_e < first->t_e) first = e;
    if (e->t_e <= t && (!now || e->t_e > now->t_e)) now = e;
  }
  const hs_embolization *c = now ? now : first;
  return c ? c->f_imm : 0.0;
}

/* A TACE dose: the carrier's immediate share is injected through the catheter like an HA
 * bolus, the rest loads the depot A_D. */
static void tace_dose(const hs_params *p, double t, double amt, double *y) {
  double f = hs_model_tace_immediate(p, t);
  if (f > 0) ha_bolus(p, t, f * amt, y);
  y[HS_A_D] += (1 - f) * amt;
}

void hs_model_dose(const hs_params *p, hs_route route, double t, double amt, double *y) {
  switch (route) {
  case HS_ROUTE_IV: y[HS_A_B] += amt; break;
  case HS_ROUTE_HA: ha_bolus(p, t, amt, y); break;
  case HS_ROUTE_PV: pv_bolus(p, amt, y); break;
  case HS_ROUTE_TACE: tace_dose(p, t, amt, y); break;
  }
  y[HS_DOSED] += amt;
}

void hs_model_segment(const hs_dose *d, int n, double a, double b, hs_segment *seg) {
  double mid = 0.5 * (a + b), w = 2 * M_PI / HS_DAY_H;
  memset(seg, 0, sizeof *seg);
  seg->t0 = a;
  for (int i = 0; i < n; i++) {
    if (d[i].t_end == d[i].t_start || mid < d[i].t_start || mid > d[i].t_end) continue;
    if (d[i].route == HS_ROUTE_TACE) continue; /* boluses into the depot only (loader) */
    double r0 = hs_dose_base_rate(&d[i]), rc = r0 * d[i].amplitude * cos(w * d[i].peak),
           rs = r0 * d[i].amplitude * sin(w * d[i].peak);
    double *dst[3][3] = {{&seg->r_iv, &seg->cos_iv, &seg->sin_iv},
                         {&seg->r_ha, &seg->cos_ha, &seg->sin_ha},
                         {&seg->r_pv, &seg->cos_pv, &seg->sin_pv}};
    double **x = dst[d[i].route]; /* HS_ROUTE_IV, _HA, _PV are 0, 1, 2 */
    *x[0] += r0, *x[1] += rc, *x[2] += rs;
  }
}
