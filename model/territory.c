/* territory.c - the extended model of docs/model.md, "Catheter territory, gastric
 * misperfusion and permeability-limited tumour" (issue 4, items 1, 2 and 7).
 *
 * The normal liver and the viable tumour are each split into the part the catheter
 * perfuses (covered, shares c_L and c_T) and the rest (uncovered): each part has its share
 * of the volume and of the arterial and portal flows. Infusate reaches the covered part
 * only, the uncovered part receives systemic arterial blood (C_B), embolisation acts on the
 * covered part, and each tumour part drains (f_TD) into the liver part of its territory.
 * A share of the hepatic-arterial infusate may escape into a gastric compartment carved out
 * of the splanchnic bed. The tumour may be permeability-limited: a vascular space (f_vas of
 * its volume) exchanging with an extravascular space by PS. With every option neutral the
 * equations are model.md's reference equations term by term. */
#include "territory.h"

#include <math.h>
#include <string.h>

/* ---- validation ---------------------------------------------------------------------- */

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

static int check_permeability(const hs_territory *r, double kp_t, hs_error *err) {
  if (!(r->ps > 0) || !isfinite(r->ps))
    return hs_error_set(err, HS_EINPUT, "tumour permeability-surface product PS = %g L/h must "
                        "be > 0 and finite", r->ps);
  if (!(r->f_vas > 0 && r->f_vas < 1))
    return hs_error_set(err, HS_EINPUT, "tumour vascular fraction f_vas = %g must lie in (0, 1)",
                        r->f_vas);
  if (!(kp_t > r->f_vas))
    return hs_error_set(err, HS_EINPUT, "permeability-limited tumour: Kp_T = %g must exceed the "
                        "vascular fraction f_vas = %g (Kp_ev = (Kp_T - f_vas) / (1 - f_vas) "
                        "must be > 0)", kp_t, r->f_vas);
  return HS_OK;
}

int hs__territory_init(hs_params *p, hs_error *err) {
  const hs_territory *r = &p->phys.terr;
  int rc;
  p->c_l = p->c_t = 1.0;
  if (r->catheter) {
    if ((rc = check_catheter(r, err))) return rc;
    p->c_l = r->liver_cov;
    p->c_t = r->tumor_cov;
  }
  if (r->gastric && (rc = check_gastric(r, err))) return rc;
  if (r->ps != 0) {
    if ((rc = check_permeability(r, p->drug.kp_t, err))) return rc;
    p->kp_ev = (p->drug.kp_t - r->f_vas) / (1 - r->f_vas); /* PS -> inf: flow-limited Kp_T */
  }
  p->ext = p->c_l < 1 || p->c_t < 1 || r->gastric || r->ps > 0;
  return HS_OK;
}

/* ---- the terms of the extended equations ------------------------------------------- */

/* One territory: covered (the catheter's) or uncovered. */
typedef struct part {
  double w_l, w_t;                 /* its shares of V_L and V_Tv */
  double q_la, q_lp, q_ta, q_tp;   /* its flows at t (embolised when covered) */
  double q_tout, q_lout;           /* tumour outflow; blood leaving its normal liver */
  double c_a;                      /* arterial inflow concentration */
  double cl, ct, ce;               /* dC_Lv/dA_L, dC_Tv/dA_T, dC_ev/dA_TE (blood basis) */
  double c_lv, c_tv, c_ev;         /* liver venous, tumour venous (vascular), extravascular */
  double e_h, de_h;                /* its hepatic elimination, d/dC_Lv */
  int i_l, i_t, i_te;              /* its states */
} part;

typedef struct ext_terms {
  part pt[2];                      /* covered, uncovered */
  double q_r_t, phi, mis, ps;
  double c_b, c_gv, c_gsv, c_rv, c_s, c_ha, c_pv;
  double cb, cg, cgs, cr, cs;      /* dC/dA of blood, splanchnic rest, gastric, rest, slow */
  double r_iv, r_ha, r_pv, e_x, de_x, e_f;
} ext_terms;

static void eval_part(const hs_params *p, int cov, double m_l, double m_t, const double *y,
                      part *q) {
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  const double f_vas = ph->terr.f_vas;
  const int ps = ph->terr.ps > 0;
  q->w_l = cov ? p->c_l : 1 - p->c_l;
  q->w_t = cov ? p->c_t : 1 - p->c_t;
  q->i_l = cov ? HS_A_L : HS_A_L2;
  q->i_t = cov ? HS_A_T : HS_A_T2;
  q->i_te = cov ? HS_A_TE : HS_A_TE2;
  q->q_la = m_l * q->w_l * f->q_la;
  q->q_lp = q->w_l * f->q_lp;
  q->q_ta = m_t * q->w_t * f->q_ta;
  q->q_tp = q->w_t * f->q_tp;
  q->q_tout = q->q_ta + q->q_tp;
  q->q_lout = q->q_la + q->q_lp + ph->f_td * q->q_tout;
  const double v_t = q->w_t * f->v_tv;
  q->cl = q->w_l > 0 ? 1 / (q->w_l * ph->v_l * d->kp_l) : 0.0;
  q->ct = v_t > 0 ? 1 / (v_t * (ps ? f_vas : d->kp_t)) : 0.0;   /* C_Tv = A_T / (V Kp_T) */
  q->ce = v_t > 0 && ps ? 1 / ((1 - f_vas) * v_t * p->kp_ev) : 0.0; /* C_ev / Kp_ev */
  q->c_lv = y[q->i_l] * q->cl;
  q->c_tv = y[q->i_t] * q->ct;
  q->c_ev = y[q->i_te] * q->ce;
  double de;
  q->e_h = q->w_l * hs__elim_rate(&d->hepatic, q->c_lv, &de); /* intrinsic clearance (or
                                                     Vmax) in proportion to liver volume */
  q->de_h = q->w_l * de;
}

static void eval_ext(double t, const double *y, const hs_rhs_ctx *ctx, ext_terms *w) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  double m_l, m_t;
  hs_model_multipliers(p, t, ctx->seg.t0, &m_l, &m_t);
  eval_part(p, 1, m_l, m_t, y, &w->pt[0]);
  eval_part(p, 0, 1.0, 1.0, y, &w->pt[1]);
  const part *c = &w->pt[0], *u = &w->pt[1];
  double q_ha_t = c->q_la + c->q_ta + u->q_la + u->q_ta; /* Q_HA(t) */
  w->q_r_t = ph->q_co - q_ha_t - p->fl.q_pv;              /* Q_R(t) = Q_CO - Q_HA(t) - Q_PV */
  w->phi = ph->terr.gastric ? ph->terr.phi_gs : 0.0;
  w->mis = ph->terr.gastric ? ph->terr.mis_share : 0.0;
  w->ps = ph->terr.ps;
  w->cb = 1 / ph->v_b;
  w->cg = 1 / ((1 - w->phi) * ph->v_g * d->kp_g);        /* rest of the splanchnic bed */
  w->cgs = w->phi > 0 ? 1 / (w->phi * ph->v_g * d->kp_g) : 0.0; /* V_GS = phi V_G */
  w->cr = 1 / (ph->v_r * d->kp_r);
  w->cs = d->q_s > 0 ? 1 / d->v_s : 0.0;
  w->c_b = y[HS_A_B] * w->cb;
  w->c_gv = y[HS_A_G] * w->cg;
  w->c_gsv = y[HS_A_GS] * w->cgs;
  w->c_rv = y[HS_A_R] * w->cr;
  w->c_s = y[HS_A_S] * w->cs;
  hs_model_rates(&ctx->seg, t, &w->r_iv, &w->r_ha, &w->r_pv);
  /* C_HA,cov = C_B + (1 - s) R_HA / Q_HA,cov; the uncovered territory gets C_B */
  w->c_ha = w->c_b + (1 - w->mis) * w->r_ha / (c->q_la + c->q_ta);
  w->pt[0].c_a = w->c_ha;
  w->pt[1].c_a = w->c_b;
  /* C_PV = (1 - phi) C_Gv + phi C_GSv + R_PV / Q_PV */
  w->c_pv = (1 - w->phi) * w->c_gv + w->phi * w->c_gsv + w->r_pv / p->fl.q_pv;
  w->e_x = hs__elim_rate(&d->extrahepatic, w->c_b, &w->de_x);
  w->e_f = p->n_filter ? hs_model_filter(p, ctx->seg.t0) : 0.0;
}

/* ---- right-hand side --------------------------------------------------------------- */

/* A territory's tumour and liver; adds its hepatic venous flux and tumour elimination to
 * *hv and *el_t. */
static void part_rhs(const hs_params *p, const ext_terms *w, const part *q, double depot,
                     double *dy, double *hv, double *el_t) {
  const double f_td = p->phys.f_td, cl_t = p->drug.cl_t;
  double in_t = q->q_ta * q->c_a + q->q_tp * w->c_pv - q->q_tout * q->c_tv;
  if (w->ps > 0) { /* vascular space A_T, extravascular A_TE: PS (C_vas - C_ev / Kp_ev) */
    double j = q->w_t * w->ps * (q->c_tv - q->c_ev), el = q->w_t * cl_t * q->c_ev;
    dy[q->i_t] = in_t - j;
    dy[q->i_te] = j - el + depot;
    *el_t += el;
  } else {
    double el = q->w_t * cl_t * q->c_tv;
    dy[q->i_t] = in_t - el + depot;
    dy[q->i_te] = 0.0;
    *el_t += el;
  }
  dy[q->i_l] = q->q_la * q->c_a + q->q_lp * w->c_pv + f_td * q->q_tout * q->c_tv -
               q->q_lout * q->c_lv - q->e_h;
  *hv += q->q_lout * q->c_lv + (1 - f_td) * q->q_tout * q->c_tv;
}

void hs__ext_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  ext_terms w;
  eval_ext(t, y, ctx, &w);
  const part *u = &w.pt[1];
  double hv = 0.0, el_t = 0.0;
  dy[HS_A_G] = (1 - w.phi) * f->q_pv * (w.c_b - w.c_gv);
  dy[HS_A_GS] = w.phi * f->q_pv * (w.c_b - w.c_gsv) + w.mis * w.r_ha;
  dy[HS_A_R] = w.q_r_t * (w.c_b - w.c_rv);
  dy[HS_A_D] = -d->k_rel * y[HS_A_D];
  dy[HS_A_S] = d->q_s * (w.c_b - w.c_s);
  part_rhs(p, &w, &w.pt[0], d->k_rel * y[HS_A_D], dy, &hv, &el_t); /* depot: covered */
  part_rhs(p, &w, u, 0.0, dy, &hv, &el_t);
  dy[HS_A_B] = w.r_iv + (1 - w.e_f) * hv + w.q_r_t * w.c_rv - ph->q_co * w.c_b -
               d->cl_r * w.c_b - w.e_x - d->cl_bind * w.c_b - dy[HS_A_S] +
               f->q_sh * w.c_pv; /* portal blood past the liver: shunt, collaterals */

  dy[HS_AUC_P] = w.c_b / d->bp;
  dy[HS_AUC_T] = hs_model_tumor_amount(p, y) / f->v_tv;
  dy[HS_AUC_L] = (y[HS_A_L] + y[HS_A_L2]) / ph->v_l;
  dy[HS_AUC_TV] = w.pt[0].w_t * w.pt[0].c_tv + u->w_t * u->c_tv;
  dy[HS_AUC_L2] = u->w_l > 0 ? y[HS_A_L2] / (u->w_l * ph->v_l) : 0.0;
  dy[HS_AUC_T2] = u->w_t > 0 ? (y[HS_A_T2] + y[HS_A_TE2]) / (u->w_t * f->v_tv) : 0.0;
  dy[HS_AUC_GS] = w.phi > 0 ? y[HS_A_GS] / (w.phi * ph->v_g) : 0.0;
  dy[HS_EL_H] = w.pt[0].e_h + u->e_h;
  dy[HS_EL_R] = d->cl_r * w.c_b;
  dy[HS_EL_X] = w.e_x;
  dy[HS_EL_T] = el_t;
  dy[HS_EL_F] = w.e_f * hv;
  dy[HS_EL_B] = d->cl_bind * w.c_b;
  dy[HS_DOSED] = w.r_iv + w.r_ha + w.r_pv;
}

/* ---- Jacobian ---------------------------------------------------------------------- */

#define J(i, j) jac[(i) * ld + (j)]

static void part_jac(const hs_params *p, const ext_terms *w, const part *q, int cov, double *jac,
                     int ld) {
  const double f_td = p->phys.f_td, cl_t = p->drug.cl_t, k_rel = p->drug.k_rel;
  const double gp = (1 - w->phi) * w->cg, gsp = w->phi * w->cgs; /* dC_PV/dA_G, /dA_GS */
  const int it = q->i_t, il = q->i_l, ie = q->i_te;
  J(it, HS_A_B) = q->q_ta * w->cb; /* C_HA and C_B both move with A_B at slope 1 / V_B */
  J(it, HS_A_G) = q->q_tp * gp;
  J(it, HS_A_GS) = q->q_tp * gsp;
  J(it, it) = -q->q_tout * q->ct;
  if (w->ps > 0) {
    const double pw = q->w_t * w->ps;
    J(it, it) -= pw * q->ct;
    J(it, ie) = pw * q->ce;
    J(ie, it) = pw * q->ct;
    J(ie, ie) = -(pw + q->w_t * cl_t) * q->ce;
    if (cov) J(ie, HS_A_D) = k_rel;
    J(HS_EL_T, ie) = q->w_t * cl_t * q->ce;
  } else {
    J(it, it) -= q->w_t * cl_t * q->ct;
    if (cov) J(it, HS_A_D) = k_rel;
    J(HS_EL_T, it) = q->w_t * cl_t * q->ct;
  }
  J(il, HS_A_B) = q->q_la * w->cb;
  J(il, HS_A_G) = q->q_lp * gp;
  J(il, HS_A_GS) = q->q_lp * gsp;
  J(il, it) = f_td * q->q_tout * q->ct;
  J(il, il) = -(q->q_lout + q->de_h) * q->cl;
  J(HS_A_B, il) = (1 - w->e_f) * q->q_lout * q->cl;
  J(HS_A_B, it) = (1 - w->e_f) * (1 - f_td) * q->q_tout * q->ct;
  J(HS_EL_H, il) = q->de_h * q->cl;
  J(HS_EL_F, il) = w->e_f * q->q_lout * q->cl;
  J(HS_EL_F, it) = w->e_f * (1 - f_td) * q->q_tout * q->ct;
  J(HS_AUC_TV, it) = q->w_t * q->ct;
}

void hs__ext_jac(double t, const double *y, double *jac, int ld, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  ext_terms w;
  eval_ext(t, y, ctx, &w);
  const part *u = &w.pt[1];
  J(HS_A_G, HS_A_B) = (1 - w.phi) * f->q_pv * w.cb;
  J(HS_A_G, HS_A_G) = -(1 - w.phi) * f->q_pv * w.cg;
  J(HS_A_GS, HS_A_B) = w.phi * f->q_pv * w.cb;
  J(HS_A_GS, HS_A_GS) = -w.phi * f->q_pv * w.cgs;
  J(HS_A_R, HS_A_B) = w.q_r_t * w.cb;
  J(HS_A_R, HS_A_R) = -w.q_r_t * w.cr;
  J(HS_A_D, HS_A_D) = -d->k_rel;
  J(HS_A_S, HS_A_B) = d->q_s * w.cb;
  J(HS_A_S, HS_A_S) = -d->q_s * w.cs;
  J(HS_A_B, HS_A_S) = d->q_s * w.cs;
  J(HS_A_B, HS_A_R) = w.q_r_t * w.cr;
  J(HS_A_B, HS_A_B) = -(ph->q_co + d->cl_r + d->cl_bind + d->q_s) * w.cb - w.de_x * w.cb;
  J(HS_A_B, HS_A_G) = f->q_sh * (1 - w.phi) * w.cg; /* shunt: d(q_sh C_PV)/dA_G, /dA_GS */
  J(HS_A_B, HS_A_GS) = f->q_sh * w.phi * w.cgs;
  part_jac(p, &w, &w.pt[0], 1, jac, ld);
  part_jac(p, &w, u, 0, jac, ld);

  J(HS_AUC_P, HS_A_B) = w.cb / d->bp;
  J(HS_AUC_T, HS_A_T) = J(HS_AUC_T, HS_A_T2) = 1 / f->v_tv;
  J(HS_AUC_T, HS_A_TE) = J(HS_AUC_T, HS_A_TE2) = 1 / f->v_tv;
  J(HS_AUC_L, HS_A_L) = J(HS_AUC_L, HS_A_L2) = 1 / ph->v_l;
  if (u->w_l > 0) J(HS_AUC_L2, HS_A_L2) = 1 / (u->w_l * ph->v_l);
  if (u->w_t > 0) J(HS_AUC_T2, HS_A_T2) = J(HS_AUC_T2, HS_A_TE2) = 1 / (u->w_t * f->v_tv);
  if (w.phi > 0) J(HS_AUC_GS, HS_A_GS) = 1 / (w.phi * ph->v_g);
  J(HS_EL_R, HS_A_B) = d->cl_r * w.cb;
  J(HS_EL_X, HS_A_B) = w.de_x * w.cb;
  J(HS_EL_B, HS_A_B) = d->cl_bind * w.cb;
}

#undef J

/* ---- reported quantities ----------------------------------------------------------- */

void hs__ext_concentrations(double t, const double *y, const hs_rhs_ctx *ctx, hs_conc *c) {
  const hs_params *p = ctx->p;
  ext_terms w;
  eval_ext(t, y, ctx, &w);
  c->blood = w.c_b;
  c->plasma = w.c_b / p->drug.bp;
  c->liver = (y[HS_A_L] + y[HS_A_L2]) / p->phys.v_l;
  c->tumor = hs_model_tumor_amount(p, y) / p->fl.v_tv;
  c->tumor_venous = w.pt[0].w_t * w.pt[0].c_tv + w.pt[1].w_t * w.pt[1].c_tv;
  c->hepatic_artery = w.c_ha; /* the catheter's territory */
  c->portal_vein = w.c_pv;
  c->depot_mg = y[HS_A_D];
  c->gastric = w.phi > 0 ? y[HS_A_GS] / (w.phi * p->phys.v_g) : 0.0;
}

double hs__ext_hepatic_uncovered(const double *y, const hs_params *p, double *d_da) {
  const double w = 1 - p->c_l;
  *d_da = 0.0;
  if (!(w > 0)) return 0.0;
  const double cl = 1 / (w * p->phys.v_l * p->drug.kp_l);
  double de, e = w * hs__elim_rate(&p->drug.hepatic, y[HS_A_L2] * cl, &de);
  *d_da = w * de * cl;
  return e;
}
