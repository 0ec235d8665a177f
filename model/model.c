/* model.c - right-hand side, analytic Jacobian and derived flows of the dual-supply
 * liver model. Each equation is written as in docs/model.md. */
#include "hs_model.h"
#include "territory.h"

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
      (rc = check_nonneg(d->q_s, "slow-tissue exchange clearance Q_S (L/h)", err)))
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
  return hs__territory_init(p, err);
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

/* ---- time-dependent multipliers and inputs ------------------------------------- */

/* m(t) of one event: m_min until t_e + t_hold, then recovery with t_half (model.md). */
static double embo_m(const hs_embolization *e, double t) {
  double t_r = e->t_e + e->t_hold;
  double dt = t > t_r ? t - t_r : 0.0;
  return 1.0 - (1.0 - e->m_min) * exp(-M_LN2 * dt / e->t_half);
}

void hs_model_multipliers(const hs_params *p, double t, double t0, double *m_l, double *m_t) {
  *m_l = 1.0;
  *m_t = 1.0;
  for (int i = 0; i < p->n_embo; i++) {
    const hs_embolization *e = &p->embo[i];
    if (t0 < e->t_e) continue; /* not yet active in this segment */
    double m = embo_m(e, t);
    *m_t *= m;
    if (e->target == HS_EMBO_WHOLE_LIVER) *m_l *= m;
  }
  double occ = hs__vascular_arterial(&p->phys.vasc, t0); /* hepatic artery occlusion */
  *m_l *= occ;
  *m_t *= occ;
}

double hs_model_ha_liver_share(const hs_params *p, double t, double t0) {
  double m_l, m_t;
  hs_model_multipliers(p, t, t0, &m_l, &m_t);
  /* the covered territory's arterial flows (c_L = c_T = 1 without a catheter territory) */
  double q_l = m_l * p->c_l * p->fl.q_la, q_t = m_t * p->c_t * p->fl.q_ta;
  return q_l + q_t > 0 ? q_l / (q_l + q_t) : 1.0; /* occluded: no arterial dose is given */
}

double hs_model_pv_liver_share(const hs_params *p) { return p->fl.q_lp / p->fl.q_pv; }

void hs_model_ha_bolus(const hs_params *p, double t, double amt, double *y) {
  if (p->ext && p->phys.terr.gastric) { /* the misperfused share reaches the stomach */
    y[HS_A_GS] += p->phys.terr.mis_share * amt;
    amt *= 1 - p->phys.terr.mis_share;
  }
  double share = hs_model_ha_liver_share(p, t, t);
  y[HS_A_L] += share * amt;
  y[HS_A_T] += (1 - share) * amt; /* covered tumour (its vascular space) */
}

void hs_model_pv_bolus(const hs_params *p, double amt, double *y) {
  const hs_flows *f = &p->fl;
  y[HS_A_B] += f->q_sh / f->q_pv * amt; /* past the liver: shunt, thrombosis collaterals */
  if (!p->ext) {
    y[HS_A_L] += f->q_lp / f->q_pv * amt;
    y[HS_A_T] += f->q_tp / f->q_pv * amt;
    return;
  }
  /* portal flow reaches both territories, Q_LP : Q_TP each */
  y[HS_A_L] += p->c_l * f->q_lp / f->q_pv * amt;
  y[HS_A_L2] += (1 - p->c_l) * f->q_lp / f->q_pv * amt;
  y[HS_A_T] += p->c_t * f->q_tp / f->q_pv * amt;
  y[HS_A_T2] += (1 - p->c_t) * f->q_tp / f->q_pv * amt;
}

double hs_model_tumor_amount(const hs_params *p, const double *y) {
  return p->ext ? y[HS_A_T] + y[HS_A_T2] + y[HS_A_TE] + y[HS_A_TE2] : y[HS_A_T];
}

void hs_model_rates(const hs_segment *seg, double t, double *r_iv, double *r_ha, double *r_pv) {
  *r_iv = seg->r_iv, *r_ha = seg->r_ha, *r_pv = seg->r_pv;
  if (!seg->cos_iv && !seg->sin_iv && !seg->cos_ha && !seg->sin_ha && !seg->cos_pv &&
      !seg->sin_pv)
    return; /* no chronomodulated infusion in this segment */
  double w = 2 * M_PI * t / HS_DAY_H, c = cos(w), s = sin(w);
  *r_iv = seg->r_iv + seg->cos_iv * c + seg->sin_iv * s;
  *r_ha = seg->r_ha + seg->cos_ha * c + seg->sin_ha * s;
  *r_pv = seg->r_pv + seg->cos_pv * c + seg->sin_pv * s;
}

/* Saturable or linear elimination rate and its derivative with respect to C. */
double hs__elim_rate(const hs_elimination *e, double c, double *dr_dc) {
  if (e->kind == HS_ELIM_LINEAR) {
    *dr_dc = e->cl;
    return e->cl * c;
  }
  double den = e->km + c;
  *dr_dc = e->vmax * e->km / (den * den);
  return e->vmax * c / den;
}

/* Everything the equations read at time t, named as in model.md. */
typedef struct terms {
  double q_la_e, q_ta_e, q_ha_t, q_t_t, q_r_t;      /* embolised flows */
  double c_b, c_gv, c_lv, c_tv, c_rv, c_ha, c_pv; /* concentrations */
  double c_s;                                      /* slow tissue, blood-equivalent */
  double e_h, de_h, e_x, de_x;                     /* eliminations, d/dC */
  double r_iv, r_ha, r_pv;                         /* infusion rates at t */
  double e_f;                                      /* hepatic-venous filter efficiency */
} terms;

static void eval_terms(double t, const double *y, const hs_rhs_ctx *ctx, terms *w) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  double m_l, m_t;
  hs_model_multipliers(p, t, ctx->seg.t0, &m_l, &m_t);
  w->q_la_e = m_l * f->q_la;
  w->q_ta_e = m_t * f->q_ta;
  w->q_ha_t = w->q_la_e + w->q_ta_e;             /* Q_HA(t) = m_L Q_LA + m_T Q_TA */
  w->q_t_t = w->q_ta_e + f->q_tp;                /* Q_T(t) = m_T Q_TA + Q_TP */
  w->q_r_t = ph->q_co - w->q_ha_t - f->q_pv;     /* Q_R(t) = Q_CO - Q_HA(t) - Q_PV */
  w->c_b = y[HS_A_B] / ph->v_b;
  w->c_gv = y[HS_A_G] / (ph->v_g * d->kp_g);
  w->c_lv = y[HS_A_L] / (ph->v_l * d->kp_l);
  w->c_tv = y[HS_A_T] / (f->v_tv * d->kp_t);
  w->c_rv = y[HS_A_R] / (ph->v_r * d->kp_r);
  w->c_s = d->q_s > 0 ? y[HS_A_S] / d->v_s : 0.0;
  hs_model_rates(&ctx->seg, t, &w->r_iv, &w->r_ha, &w->r_pv);
  /* C_HA = C_B + R_HA / Q_HA(t); an occluded artery (Q_HA(t) = 0) is given no dose */
  w->c_ha = w->c_b + (w->q_ha_t > 0 ? w->r_ha / w->q_ha_t : 0.0);
  w->c_pv = w->c_gv + w->r_pv / f->q_pv;         /* C_PV = C_Gv + R_PV / Q_PV */
  w->e_h = hs__elim_rate(&d->hepatic, w->c_lv, &w->de_h);
  w->e_x = hs__elim_rate(&d->extrahepatic, w->c_b, &w->de_x);
  w->e_f = p->n_filter ? hs_model_filter(p, ctx->seg.t0) : 0.0;
}

/* model.md "Equations": the HS_NSTATE_BASE states of the reference model. */
static void base_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  const double f_td = p->phys.f_td;
  terms w;
  eval_terms(t, y, ctx, &w);
  double q_lout = w.q_la_e + f->q_lp + f_td * w.q_t_t; /* blood leaving the normal liver */

  dy[HS_A_G] = f->q_pv * (w.c_b - w.c_gv);
  dy[HS_A_L] = w.q_la_e * w.c_ha + f->q_lp * w.c_pv + f_td * w.q_t_t * w.c_tv -
               q_lout * w.c_lv - w.e_h;
  dy[HS_A_T] = w.q_ta_e * w.c_ha + f->q_tp * w.c_pv - (w.q_ta_e + f->q_tp) * w.c_tv -
               d->cl_t * w.c_tv + d->k_rel * y[HS_A_D];
  dy[HS_A_R] = w.q_r_t * (w.c_b - w.c_rv);
  dy[HS_A_D] = -d->k_rel * y[HS_A_D];
  dy[HS_A_S] = d->q_s * (w.c_b - w.c_s); /* slow tissue: Q_S (C_B - A_S / V_S) */
  /* hepatic venous return: normal-liver outflow and the tumour's direct outflow, of which
   * a filter (PHP) removes the share e_f */
  double hv = q_lout * w.c_lv + (1 - f_td) * w.q_t_t * w.c_tv;
  dy[HS_A_B] = w.r_iv + (1 - w.e_f) * hv + w.q_r_t * w.c_rv - p->phys.q_co * w.c_b -
               d->cl_r * w.c_b - w.e_x - d->cl_bind * w.c_b - dy[HS_A_S];
  dy[HS_A_B] += f->q_sh * w.c_pv; /* portal blood past the liver: shunt, collaterals */

  dy[HS_AUC_P] = w.c_b / d->bp;
  dy[HS_AUC_T] = y[HS_A_T] / f->v_tv;
  dy[HS_AUC_L] = y[HS_A_L] / p->phys.v_l;
  dy[HS_AUC_TV] = w.c_tv;
  dy[HS_EL_H] = w.e_h;
  dy[HS_EL_R] = d->cl_r * w.c_b;
  dy[HS_EL_X] = w.e_x;
  dy[HS_EL_T] = d->cl_t * w.c_tv;
  dy[HS_EL_F] = w.e_f * hv;
  dy[HS_EL_B] = d->cl_bind * w.c_b;
  dy[HS_DOSED] = w.r_iv + w.r_ha + w.r_pv;
}

/* dy/dt of one species; full: write all HS_NSTATE states (the extension ones are 0 when
 * no extension is on), else only the HS_NSTATE_BASE states of the reference model. */
static void species_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx, int full) {
  if (ctx->p->ext) {
    hs__ext_rhs(t, y, dy, ctx);
    return;
  }
  base_rhs(t, y, dy, ctx);
  if (full) memset(dy + HS_NSTATE_BASE, 0, sizeof(double) * (HS_NSTATE - HS_NSTATE_BASE));
}

int hs_model_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx) {
  species_rhs(t, y, dy, ctx, 1);
  return 0;
}

#define J(i, j) jac[(i) * ld + (j)]

/* The reference model's Jacobian entries, added to a zeroed matrix of leading dimension ld. */
static void base_jac(double t, const double *y, double *jac, int ld, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  const double f_td = ph->f_td;
  terms w;
  eval_terms(t, y, ctx, &w);
  /* dC/dA for each compartment */
  const double cb = 1 / ph->v_b, cg = 1 / (ph->v_g * d->kp_g), cl = 1 / (ph->v_l * d->kp_l),
               ct = 1 / (f->v_tv * d->kp_t), cr = 1 / (ph->v_r * d->kp_r);
  double q_lout = w.q_la_e + f->q_lp + f_td * w.q_t_t;

  J(HS_A_G, HS_A_B) = f->q_pv * cb;
  J(HS_A_G, HS_A_G) = -f->q_pv * cg;

  J(HS_A_L, HS_A_B) = w.q_la_e * cb;
  J(HS_A_L, HS_A_G) = f->q_lp * cg;
  J(HS_A_L, HS_A_T) = f_td * w.q_t_t * ct;
  J(HS_A_L, HS_A_L) = -q_lout * cl - w.de_h * cl;

  J(HS_A_T, HS_A_B) = w.q_ta_e * cb;
  J(HS_A_T, HS_A_G) = f->q_tp * cg;
  J(HS_A_T, HS_A_T) = -(w.q_ta_e + f->q_tp + d->cl_t) * ct;
  J(HS_A_T, HS_A_D) = d->k_rel;

  J(HS_A_R, HS_A_B) = w.q_r_t * cb;
  J(HS_A_R, HS_A_R) = -w.q_r_t * cr;

  J(HS_A_D, HS_A_D) = -d->k_rel;

  const double cs = d->q_s > 0 ? 1 / d->v_s : 0.0;
  J(HS_A_S, HS_A_B) = d->q_s * cb;
  J(HS_A_S, HS_A_S) = -d->q_s * cs;
  J(HS_A_B, HS_A_S) = d->q_s * cs;

  J(HS_A_B, HS_A_L) = (1 - w.e_f) * q_lout * cl;
  J(HS_A_B, HS_A_T) = (1 - w.e_f) * (1 - f_td) * w.q_t_t * ct;
  J(HS_A_B, HS_A_R) = w.q_r_t * cr;
  J(HS_A_B, HS_A_G) = f->q_sh * cg;
  J(HS_A_B, HS_A_B) = -(ph->q_co + d->cl_r + d->cl_bind + d->q_s) * cb - w.de_x * cb;

  J(HS_AUC_P, HS_A_B) = cb / d->bp;
  J(HS_AUC_T, HS_A_T) = 1 / f->v_tv;
  J(HS_AUC_L, HS_A_L) = 1 / ph->v_l;
  J(HS_AUC_TV, HS_A_T) = ct;
  J(HS_EL_H, HS_A_L) = w.de_h * cl;
  J(HS_EL_R, HS_A_B) = d->cl_r * cb;
  J(HS_EL_X, HS_A_B) = w.de_x * cb;
  J(HS_EL_T, HS_A_T) = d->cl_t * ct;
  J(HS_EL_F, HS_A_L) = w.e_f * q_lout * cl;
  J(HS_EL_F, HS_A_T) = w.e_f * (1 - f_td) * w.q_t_t * ct;
  J(HS_EL_B, HS_A_B) = d->cl_bind * cb;
}

#undef J

static void species_jac(double t, const double *y, double *jac, int ld, const hs_rhs_ctx *ctx) {
  if (ctx->p->ext) hs__ext_jac(t, y, jac, ld, ctx);
  else base_jac(t, y, jac, ld, ctx);
}

int hs_model_jac(double t, const double *y, double *jac, const hs_rhs_ctx *ctx) {
  memset(jac, 0, sizeof(double) * HS_NSTATE * HS_NSTATE);
  species_jac(t, y, jac, HS_NSTATE, ctx);
  return 0;
}

/* ---- coupled species ----------------------------------------------------------------- */

/* The elimination state of the parent that forms a species, and the compartment it forms
 * in (model.md extension "Metabolites"). */
static void formation_states(hs_form_route r, int *el, int *into) {
  *el = r == HS_FORM_HEPATIC ? HS_EL_H : r == HS_FORM_EXTRAHEPATIC ? HS_EL_X : HS_EL_B;
  *into = r == HS_FORM_HEPATIC ? HS_A_L : HS_A_B;
}

static int stride_of(const hs_system_ctx *ctx) { return ctx->stride ? ctx->stride : HS_NSTATE; }

/* A hepatically formed species forms in the liver of the territory its parent eliminated
 * it in: the parent's uncovered-territory elimination goes to the species' A_L2. */
static int split_formation(const hs_system_ctx *ctx, const hs_species_link *l) {
  return l->route == HS_FORM_HEPATIC && ctx->sp[l->parent].p->c_l < 1;
}

int hs_system_rhs(double t, const double *y, double *dy, const hs_system_ctx *ctx) {
  const int st = stride_of(ctx);
  for (int k = 0; k < ctx->ns; k++) {
    species_rhs(t, y + k * st, dy + k * st, &ctx->sp[k], st == HS_NSTATE);
    if (k == 0) continue;
    const hs_species_link *l = &ctx->link[k];
    int el, into;
    formation_states(l->route, &el, &into);
    /* formation = yield * the parent's elimination rate by the route */
    double form = l->yield * dy[l->parent * st + el], unc = 0.0, d;
    if (split_formation(ctx, l)) {
      unc = l->yield * hs__ext_hepatic_uncovered(y + l->parent * st, ctx->sp[l->parent].p, &d);
      dy[k * st + HS_A_L2] += unc;
    }
    dy[k * st + into] += form - unc;
    dy[k * st + HS_DOSED] += form;
  }
  return 0;
}

int hs_system_jac(double t, const double *y, double *jac, const hs_system_ctx *ctx) {
  const int st = stride_of(ctx), n = ctx->ns * st;
  memset(jac, 0, sizeof(double) * (size_t)n * (size_t)n);
  for (int k = 0; k < ctx->ns; k++)
    species_jac(t, y + k * st, jac + (size_t)(k * st) * n + k * st, n, &ctx->sp[k]);
  for (int k = 1; k < ctx->ns; k++) { /* formation rows copy the parent's elimination row */
    const hs_species_link *l = &ctx->link[k];
    int el, into;
    formation_states(l->route, &el, &into);
    const double *src = jac + (size_t)(l->parent * st + el) * n;
    double *r1 = jac + (size_t)(k * st + into) * n;
    double *r2 = jac + (size_t)(k * st + HS_DOSED) * n;
    int unc = split_formation(ctx, l) ? l->parent * st + HS_A_L2 : -1; /* its column */
    for (int j = 0; j < n; j++) {
      if (j != unc) r1[j] += l->yield * src[j];
      r2[j] += l->yield * src[j];
    }
    if (unc >= 0) jac[(size_t)(k * st + HS_A_L2) * n + unc] += l->yield * src[unc];
  }
  return 0;
}

void hs_model_concentrations(double t, const double *y, const hs_rhs_ctx *ctx, hs_conc *c) {
  if (ctx->p->ext) {
    hs__ext_concentrations(t, y, ctx, c);
    return;
  }
  terms w;
  eval_terms(t, y, ctx, &w);
  c->blood = w.c_b;
  c->plasma = w.c_b / ctx->p->drug.bp;
  c->liver = y[HS_A_L] / ctx->p->phys.v_l;
  c->tumor = y[HS_A_T] / ctx->p->fl.v_tv;
  c->tumor_venous = w.c_tv;
  c->hepatic_artery = w.c_ha;
  c->portal_vein = w.c_pv;
  c->depot_mg = y[HS_A_D];
  c->gastric = 0.0;
}

void hs_model_analytic(const hs_params *p, hs_analytic *a) {
  const hs_flows *f = &p->fl;
  const double f_td = p->phys.f_td, cl_int = p->drug.hepatic.cl;
  a->q_l_eff = f->q_l + f_td * f->q_t;                          /* Q_L' */
  a->e_l = cl_int / (a->q_l_eff + cl_int);                      /* E_L */
  a->cl_tb = p->drug.cl_r + p->drug.extrahepatic.cl + p->drug.cl_bind +
              a->q_l_eff * a->e_l; /* CL_TB */
  a->phi_l = (f->q_la + f_td * f->q_ta) / f->q_ha;              /* phi_L */
  a->f_ha_bioavail = 1 - a->phi_l * a->e_l;                     /* identity 1, HA */
  a->f_pv_bioavail = 1 - ((f->q_lp + f_td * f->q_tp) / f->q_pv) * a->e_l; /* identity 1, PV */
  a->r_d = 1 + p->phys.f_ta * a->cl_tb / (f->q_ha * a->f_ha_bioavail); /* identity 4 */
}
