/* params.c - derived flows, the parts of the liver, and the checks of every parameter the
 * model reads (docs/model.md "Flows" and the constraints under it; the extensions'
 * ranges). Runs once per run, before integration: the right-hand side validates nothing. */
#include "hs_model.h"

#include "vascular.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- derived flows and validation ------------------------------------------------ */

static int check_positive(double v, const char *what, hs_error *err) {
  if (!(v > 0) || !isfinite(v))
    return hs_error_set(err, HS_EINPUT, "%s = %g must be > 0", what, v);
  return HS_OK;
}

static int check_nonneg(double v, const char *what, hs_error *err) {
  if (!(v >= 0) || !isfinite(v))
    return hs_error_set(err, HS_EINPUT, "%s = %g must be >= 0", what, v);
  return HS_OK;
}

static int check_fraction(double v, const char *what, hs_error *err) {
  if (!(v >= 0 && v <= 1))
    return hs_error_set(err, HS_EINPUT, "%s = %g must lie in [0, 1]", what, v);
  return HS_OK;
}

static int check_physiology(const hs_physiology *ph, hs_error *err) {
  int rc;
  if ((rc = check_positive(ph->q_co, "cardiac output Q_CO (L/h)", err)) ||
      (rc = check_positive(ph->q_h, "hepatic inflow Q_H (L/h)", err)) ||
      (rc = check_positive(ph->v_b, "blood volume V_B (L)", err)) ||
      (rc = check_positive(ph->v_g, "splanchnic volume V_G (L)", err)) ||
      (rc = check_positive(ph->v_l, "liver volume V_L (L)", err)) ||
      (rc = check_positive(ph->v_r, "rest-of-body volume V_R (L)", err)) ||
      (rc = check_positive(ph->v_t, "tumour volume V_T (L)", err)) ||
      (rc = check_nonneg(ph->p_t, "tumour perfusion p_T (1/h)", err)) ||
      (rc = check_fraction(ph->f_ha, "arterial fraction f_HA", err)) ||
      (rc = check_fraction(ph->f_ta, "tumour arterial fraction f_TA", err)) ||
      (rc = check_fraction(ph->f_td, "tumour drainage to liver f_TD", err)))
    return rc;
  if (!(ph->f_nec >= 0 && ph->f_nec < 1))
    return hs_error_set(err, HS_EINPUT, "necrotic share f_nec = %g must lie in [0, 1)",
                        ph->f_nec);
  return HS_OK;
}

static int check_elimination(const hs_elimination *e, const char *route, hs_error *err) {
  char what[96];
  if (e->kind == HS_ELIM_LINEAR) {
    snprintf(what, sizeof what, "%s clearance (L/h)", route);
    return check_nonneg(e->cl, what, err);
  }
  snprintf(what, sizeof what, "%s Vmax (mg/h)", route);
  int rc = check_nonneg(e->vmax, what, err);
  if (rc) return rc;
  snprintf(what, sizeof what, "%s Km (mg/L)", route);
  return check_positive(e->km, what, err);
}

static int check_drug(const hs_drug *d, hs_error *err) {
  int rc;
  if ((rc = check_positive(d->bp, "blood:plasma ratio BP", err)) ||
      (rc = check_positive(d->kp_g, "partition coefficient Kp_G", err)) ||
      (rc = check_positive(d->kp_l, "partition coefficient Kp_L", err)) ||
      (rc = check_positive(d->kp_t, "partition coefficient Kp_T", err)) ||
      (rc = check_positive(d->kp_r, "partition coefficient Kp_R", err)) ||
      (rc = check_elimination(&d->hepatic, "hepatic", err)) ||
      (rc = check_elimination(&d->extrahepatic, "extrahepatic", err)) ||
      (rc = check_nonneg(d->cl_r, "renal clearance CL_R (L/h)", err)) ||
      (rc = check_nonneg(d->cl_t, "tumour clearance CL_T (L/h)", err)) ||
      (rc = check_nonneg(d->k_rel, "depot release rate k_rel (1/h)", err)) ||
      (rc = check_nonneg(d->cl_bind, "binding clearance CL_bind (L/h)", err)) ||
      (rc = check_nonneg(d->q_s, "slow-tissue exchange clearance Q_S (L/h)", err)) ||
      (rc = check_nonneg(d->k_bind_l, "liver binding rate (1/h)", err)) ||
      (rc = check_nonneg(d->k_bind_t, "tumour binding rate (1/h)", err)) ||
      (rc = check_nonneg(d->k_unbind_l, "liver release rate of bound drug (1/h)", err)) ||
      (rc = check_nonneg(d->k_unbind_t, "tumour release rate of bound drug (1/h)", err)) ||
      (rc = check_nonneg(d->ps_l, "liver permeability-surface product PS_L (L/h)", err)))
    return rc;
  if (d->q_s > 0 && !(d->v_s > 0 && isfinite(d->v_s)))
    return hs_error_set(err, HS_EINPUT, "slow-tissue volume V_S = %g L must be > 0 when its "
                        "exchange clearance Q_S = %g L/h is given", d->v_s, d->q_s);
  return HS_OK;
}

static int check_embolization(const hs_embolization *e, int i, hs_error *err) {
  if (!(e->m_min > 0 && e->m_min <= 1))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: m_min = %g must lie in (0, 1]", i,
                        e->m_min);
  if (!(e->t_half > 0))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: recovery half-life = %g h must be > 0",
                        i, e->t_half);
  if (!(e->t_e >= 0) || !isfinite(e->t_e))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: onset = %g h must be >= 0", i, e->t_e);
  if (!(e->t_hold >= 0) || !isfinite(e->t_hold))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: recanalisation start = %g h after "
                        "onset must be >= 0", i, e->t_hold);
  if (!(e->m_min_l >= 0 && e->m_min_l <= 1))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: normal-liver multiplier at onset = %g "
                        "must lie in (0, 1] (liver_flow_reduction below 100 %%)", i, e->m_min_l);
  if (!(e->sigma >= 0 && e->sigma <= 1))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: stasis share = %g must lie in "
                        "[0, 1]", i, e->sigma);
  if (!(e->t_ex >= 0))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: stasis exchange half-life = %g h "
                        "must be > 0", i, e->t_ex);
  if (!isnan(e->f_imm) && !(e->f_imm >= 0 && e->f_imm <= 1))
    return hs_error_set(err, HS_EINPUT, "embolization[%d]: immediate fraction = %g of a TACE "
                        "dose must lie in [0, 1]", i, e->f_imm);
  return HS_OK;
}

/* model.md "Flows": Q_HA, Q_PV, Q_T, Q_TA, Q_TP, Q_LA, Q_LP, Q_L, Q_R and their signs. */
static int derive_flows(const hs_physiology *ph, hs_flows *f, hs_error *err) {
  f->q_ha = ph->f_ha * ph->q_h;
  f->q_pv = (1 - ph->f_ha) * ph->q_h;
  f->v_tv = (1 - ph->f_nec) * ph->v_t;   /* the viable, perfused part */
  f->q_t = ph->p_t * f->v_tv;
  f->q_ta = ph->f_ta * f->q_t;
  f->q_tp = (1 - ph->f_ta) * f->q_t;
  f->q_la = f->q_ha - f->q_ta;
  f->q_lp = f->q_pv - f->q_tp;
  f->q_l = f->q_la + f->q_lp;
  f->q_r = ph->q_co - f->q_ha - f->q_pv;
  if (!(f->q_la > 0))
    return hs_error_set(err, HS_EINPUT,
                        "normal-liver arterial flow Q_LA = f_HA*Q_H - f_TA*p_T*V_T = %g L/h "
                        "must be > 0 (f_HA %g, Q_H %g L/h, f_TA %g, p_T %g /h, V_T %g L%s)",
                        f->q_la, ph->f_ha, ph->q_h, ph->f_ta, ph->p_t, ph->v_t,
                        ph->f_nec > 0 ? ", of which the necrotic share is not perfused" : "");
  if (!(f->q_lp > 0))
    return hs_error_set(err, HS_EINPUT,
                        "normal-liver portal flow Q_LP = (1-f_HA)*Q_H - (1-f_TA)*p_T*V_T = %g "
                        "L/h must be > 0 (f_HA %g, Q_H %g L/h, f_TA %g, p_T %g /h, V_T %g L%s)",
                        f->q_lp, ph->f_ha, ph->q_h, ph->f_ta, ph->p_t, ph->v_t,
                        ph->f_nec > 0 ? ", of which the necrotic share is not perfused" : "");
  if (!(f->q_r > 0))
    return hs_error_set(err, HS_EINPUT,
                        "rest-of-body flow Q_R = Q_CO - Q_H = %g L/h must be > 0 "
                        "(Q_CO %g L/h, Q_H %g L/h)",
                        f->q_r, ph->q_co, ph->q_h);
  return HS_OK;
}

/* ---- catheter territory, gastric misperfusion, permeability-limited tumour ---------- */

static int check_catheter(const hs_territory *r, hs_error *err) {
  if (!(r->liver_cov > 0 && r->liver_cov <= 1))
    return hs_error_set(err, HS_EINPUT, "catheter liver coverage c_L = %g must lie in (0, 1]",
                        r->liver_cov);
  if (!(r->tumor_cov > 0 && r->tumor_cov <= 1))
    return hs_error_set(err, HS_EINPUT, "catheter tumour coverage c_T = %g must lie in (0, 1]",
                        r->tumor_cov);
  if (r->tumor_cov < 1 && r->liver_cov == 1)
    return hs_error_set(err, HS_EINPUT, "catheter tumour coverage c_T = %g below 1 needs a liver "
                        "coverage c_L below 1 (the uncovered tumour drains into the uncovered "
                        "liver), got c_L = 1", r->tumor_cov);
  return HS_OK;
}

static int check_gastric(const hs_territory *r, hs_error *err) {
  if (!(r->mis_share >= 0 && r->mis_share <= 1))
    return hs_error_set(err, HS_EINPUT, "misperfused share of the arterial infusate %g must lie "
                        "in [0, 1]", r->mis_share);
  if (!(r->phi_gs > 0 && r->phi_gs < 1))
    return hs_error_set(err, HS_EINPUT, "gastric share of the splanchnic bed phi = %g must lie "
                        "in (0, 1)", r->phi_gs);
  return HS_OK;
}

static int check_permeability(const hs_territory *r, hs_error *err) {
  if (!(r->ps > 0) || !isfinite(r->ps))
    return hs_error_set(err, HS_EINPUT, "tumour permeability-surface product PS = %g L/h must "
                        "be > 0 and finite", r->ps);
  if (!(r->f_vas > 0 && r->f_vas < 1))
    return hs_error_set(err, HS_EINPUT, "tumour vascular fraction f_vas = %g must lie in (0, 1)",
                        r->f_vas);
  return HS_OK;
}

/* The names a permeability-limited organ's messages use. */
typedef struct ev_names {
  const char *organ, *kp, *fraction, *f, *ev;
} ev_names;
static const ev_names TUMOR_EV = {"tumour", "Kp_T", "vascular fraction f_vas", "f_vas", "Kp_ev"};
static const ev_names LIVER_EV = {"liver", "Kp_L", "liver vascular fraction f_vas,L", "f_vas,L",
                                  "Kp_ev,L"};

/* The partition coefficient of a permeability-limited organ's extravascular space,
 * Kp_ev = (Kp - f) / (1 - f) for vascular share f: as PS -> inf the organ holds
 * (f + (1 - f) Kp_ev) V C = Kp V C, the flow-limited organ. Refused unless Kp > f. */
static int kp_extravascular(double kp, double f, const ev_names *n, double *kp_ev,
                            hs_error *err) {
  if (!(kp > f))
    return hs_error_set(err, HS_EINPUT, "permeability-limited %s: %s = %g must exceed the %s = "
                        "%g (%s = (%s - %s) / (1 - %s) must be > 0)", n->organ, n->kp, kp,
                        n->fraction, f, n->ev, n->kp, n->f, n->f);
  *kp_ev = (kp - f) / (1 - f);
  return HS_OK;
}

/* A permeability-limited liver (drug ps_l > 0): its vascular share and Kp_ev,L. Stasis in
 * the normal liver's bed (a whole-liver event) is eliminated at CL_int' (model.c,
 * stagnant_hepatic), which needs linear hepatic elimination. */
static int check_liver_permeability(hs_params *p, hs_error *err) {
  const double f = p->phys.f_vas_l, kp = p->drug.kp_l;
  if (!(p->drug.ps_l > 0)) return HS_OK;
  if (!isfinite(p->drug.ps_l))
    return hs_error_set(err, HS_EINPUT, "liver permeability-surface product PS_L = %g L/h "
                        "must be finite", p->drug.ps_l);
  if (!(f > 0 && f < 1))
    return hs_error_set(err, HS_EINPUT, "liver vascular fraction f_vas,L = %g must lie in (0, 1) "
                        "with a permeability-limited liver", f);
  for (int i = 0; i < p->n_embo; i++)
    if (p->embo[i].sigma > 0 && p->embo[i].target == HS_EMBO_WHOLE_LIVER &&
        p->drug.hepatic.kind != HS_ELIM_LINEAR)
      return hs_error_set(err, HS_EINPUT, "embolization[%d]: stasis in the normal liver (a "
                          "whole-liver event) with a permeability-limited liver needs linear "
                          "hepatic elimination (hepatic_clint), not a saturable one "
                          "(hepatic_vmax, hepatic_km)", i);
  return kp_extravascular(kp, f, &LIVER_EV, &p->kp_ev_l, err);
}

/* The parts of the liver and tumour and the extension states (hs_part): one part, the
 * reference model, unless a catheter covers less than the whole liver or tumour. */
static void layout_parts(hs_params *p, double c_l, double c_t) {
  const int ps = p->phys.terr.ps > 0, psl = p->drug.ps_l > 0;
  const hs_drug *d = &p->drug;
  const int bind = d->k_bind_l > 0 || d->k_bind_t > 0 || d->k_unbind_l > 0 || d->k_unbind_t > 0;
  int stasis = 0;
  for (int i = 0; i < p->n_embo; i++) stasis |= p->embo[i].sigma > 0;
  p->n_parts = 1;
  p->part[0] = (hs_part){.w_l = c_l, .w_t = c_t, .covered = 1, .i_l = HS_A_L,
                         .i_t = HS_A_T, .i_te = ps ? HS_A_TE : -1,
                         .i_le = psl ? HS_A_LE : -1, .i_auc_l = -1,
                         .i_auc_t = -1, .i_bl = bind ? HS_A_BL : -1,
                         .i_bt = bind ? HS_A_BT : -1, .i_sl = stasis ? HS_A_SL : -1,
                         .i_st = stasis ? HS_A_ST : -1};
  if (c_l < 1 || c_t < 1)
    p->part[p->n_parts++] =
        (hs_part){.w_l = 1 - c_l, .w_t = 1 - c_t, .covered = 0, .i_l = HS_A_L2,
                  .i_t = HS_A_T2, .i_te = ps ? HS_A_TE2 : -1,
                  .i_le = psl ? HS_A_LE2 : -1, .i_auc_l = HS_AUC_L2,
                  .i_auc_t = HS_AUC_T2, .i_bl = bind ? HS_A_BL2 : -1,
                  .i_bt = bind ? HS_A_BT2 : -1, .i_sl = -1, .i_st = -1};
  p->i_gs = p->phys.terr.gastric ? HS_A_GS : -1;
  p->ext = p->n_parts > 1 || p->i_gs >= 0 || ps || bind || stasis || psl;
  const double f_vas = p->phys.terr.f_vas, f_l = p->phys.f_vas_l;
  for (int k = 0; k < p->n_parts; k++) {
    hs_part *q = &p->part[k];
    const double v_t = q->w_t * p->fl.v_tv, v_l = q->w_l * p->phys.v_l;
    q->v_lk = v_l * (psl ? f_l : p->drug.kp_l);
    q->v_lek = psl ? (1 - f_l) * v_l * p->kp_ev_l : 0.0;
    q->v_tk = v_t * (ps ? f_vas : p->drug.kp_t);
    q->v_ek = ps ? (1 - f_vas) * v_t * p->kp_ev : 0.0;
  }
}

/* Validate p->phys.terr against the drug; set Kp_ev and the parts. */
static int territory_init(hs_params *p, hs_error *err) {
  const hs_territory *r = &p->phys.terr;
  int rc;
  double c_l = 1.0, c_t = 1.0; /* coverage of the normal liver and the viable tumour */
  if (r->catheter) {
    if ((rc = check_catheter(r, err))) return rc;
    c_l = r->liver_cov;
    c_t = r->tumor_cov;
  }
  if (r->gastric && (rc = check_gastric(r, err))) return rc;
  if (r->ps != 0) {
    if ((rc = check_permeability(r, err)) ||
        (rc = kp_extravascular(p->drug.kp_t, r->f_vas, &TUMOR_EV, &p->kp_ev, err)))
      return rc;
  }
  if ((rc = check_liver_permeability(p, err))) return rc;
  layout_parts(p, c_l, c_t);
  return HS_OK;
}

int hs_params_init(hs_params *p, const hs_physiology *phys, const hs_drug *drug,
                   const hs_embolization *embo, int n_embo, hs_error *err) {
  int rc;
  memset(p, 0, sizeof *p);
  p->phys = *phys;
  p->drug = *drug;
  p->embo = embo;
  p->n_embo = n_embo;
  if ((rc = check_physiology(phys, err)) || (rc = check_drug(drug, err)) ||
      (rc = hs__vascular_check(&phys->vasc, err)))
    return rc;
  for (int i = 0; i < n_embo; i++)
    if ((rc = check_embolization(&embo[i], i, err))) return rc;
  hs__vascular_clearance(&phys->vasc, &p->drug.hepatic);
  if ((rc = derive_flows(phys, &p->fl, err)) || (rc = hs__vascular_flows(phys, &p->fl, err)))
    return rc;
  return territory_init(p, err);
}

int hs_params_set_filter(hs_params *p, const hs_filter *f, int n, hs_error *err) {
  for (int i = 0; i < n; i++) {
    if (!(f[i].efficiency >= 0 && f[i].efficiency <= 1))
      return hs_error_set(err, HS_EINPUT, "filter[%d]: efficiency %g must lie in [0, 1]", i,
                          f[i].efficiency);
    if (!(f[i].t_on >= 0) || !(f[i].t_off > f[i].t_on))
      return hs_error_set(err, HS_EINPUT, "filter[%d]: window [%g, %g) h must start at >= 0 "
                          "and not be empty", i, f[i].t_on, f[i].t_off);
  }
  p->filter = f;
  p->n_filter = n;
  return HS_OK;
}

double hs_model_filter(const hs_params *p, double t0) {
  double pass = 1.0;
  for (int i = 0; i < p->n_filter; i++)
    if (t0 >= p->filter[i].t_on && t0 < p->filter[i].t_off) pass *= 1 - p->filter[i].efficiency;
  return 1 - pass;
}

