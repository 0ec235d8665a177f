/* model.c - the right-hand side and analytic Jacobian of the dual-supply liver model, one
 * transcription of docs/model.md "Equations" and its extensions.
 *
 * The liver and tumour are described as parts (hs_part, laid out by params.c): the
 * reference model is the one-part instance, a catheter territory adds an uncovered part.
 * Each part has its share w_L of V_L and w_T of the viable tumour V_Tv and of their
 * arterial and portal flows; infusate and catheter embolisation reach the covered part
 * only, the uncovered part receives systemic arterial blood (C_B); each tumour part drains
 * (f_TD) into the liver of its part. Options on top: a gastric compartment carved out of
 * the splanchnic bed receiving a share of the arterial infusate, and a permeability-
 * limited tumour (a vascular space, f_vas of each part's tumour volume, exchanging with
 * an extravascular space by PS). With one part and every option off the arithmetic is
 * model.md's reference equations term by term. */
#include "hs_model.h"

#include "vascular.h"

#include <math.h>
#include <string.h>

/* ---- time-dependent multipliers and inputs ------------------------------------- */

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
static double elim_rate(const hs_elimination *e, double c, double *dr_dc) {
  if (e->kind == HS_ELIM_LINEAR) {
    *dr_dc = e->cl;
    return e->cl * c;
  }
  double den = e->km + c;
  *dr_dc = e->vmax * e->km / (den * den);
  return e->vmax * c / den;
}

/* ---- the terms of the equations at time t, named as in model.md ---------------------- */

/* One part (hs_part) at time t. */
typedef struct part_terms {
  double q_la, q_lp, q_ta, q_tp; /* its flows at t (embolised and occluded) */
  double q_tout, q_lout;         /* its tumour outflow Q_T(t); blood leaving its liver */
  double c_a;                    /* arterial inflow concentration: C_HA or C_B */
  double cl, ct, ce, cle;        /* dC_Lv/dA_L, dC_Tv/dA_T, dC_ev/dA_TE, dC_le/dA_LE */
  double c_lv, c_tv, c_ev;       /* liver venous, tumour venous, extravascular / Kp_ev */
  double c_le;                   /* hepatocytes / Kp_ev,L (permeability-limited liver) */
  double e_h, de_h;              /* its hepatic elimination and d/dC of what it reads */
} part_terms;

typedef struct terms {
  part_terms pt[HS_MAX_PARTS];
  double q_ha_t, q_r_t;          /* Q_HA(t), Q_R(t) = Q_CO - Q_HA(t) - Q_PV */
  double phi, mis;               /* gastric share of the splanchnic bed; misperfused share */
  double c_b, c_gv, c_gsv, c_rv, c_s, c_ha, c_pv; /* concentrations (blood basis) */
  double cb, cg, cgs, cr, cs;    /* dC/dA: blood, splanchnic (rest), gastric, rest, slow */
  double r_iv, r_ha, r_pv;       /* infusion rates at t */
  double e_x, de_x;              /* extrahepatic elimination and d/dC_B */
  double e_f;                    /* hepatic-venous filter efficiency */
  hs_stasis st;                  /* stasis of the covered beds (all 0: none) */
  double r_sl, r_st;             /* arterial infusate the covered beds' occluded vessels hold */
} terms;

/* The free liver state that eliminates, binds and forms metabolites: the hepatocytes of a
 * permeability-limited liver, else the liver. */
static int liver_tissue(const hs_part *q) { return q->i_le >= 0 ? q->i_le : q->i_l; }

/* A part's hepatic elimination, from the concentration of liver_tissue(q) (C_le of the
 * hepatocytes when permeability-limited, else C_Lv); *de: its derivative by that
 * concentration; *v: the state's apparent volume (0: the part has no liver). */
static double part_elimination(const hs_params *p, const hs_part *q, const double *y,
                               double *de, double *v) {
  *v = q->i_le >= 0 ? q->v_lek : q->v_lk;
  const double c = *v > 0 ? y[liver_tissue(q)] / *v : 0.0;
  const double e = elim_rate(&p->drug.hepatic, c, de);
  *de *= q->w_l;
  return q->w_l * e;
}

/* A part's flows, concentrations and hepatic elimination; m_l and m_t are its arterial
 * multipliers; slopes: also dC/dA (the Jacobian's). Intrinsic clearance (or Vmax) is
 * shared in proportion to liver volume. */
static void eval_part(const hs_params *p, const hs_part *q, double m_l, double m_t,
                      const double *y, int slopes, part_terms *w) {
  const hs_flows *f = &p->fl;
  w->q_la = m_l * q->w_l * f->q_la;
  w->q_lp = q->w_l * f->q_lp;
  w->q_ta = m_t * q->w_t * f->q_ta;
  w->q_tp = q->w_t * f->q_tp;
  w->q_tout = w->q_ta + w->q_tp;                          /* Q_T(t) = m_T Q_TA + Q_TP */
  w->q_lout = w->q_la + w->q_lp + p->phys.f_td * w->q_tout; /* m_L Q_LA + Q_LP + f_TD Q_T(t) */
  w->c_lv = q->v_lk > 0 ? y[q->i_l] / q->v_lk : 0.0;      /* C_Lv = A_L / (V_L Kp_L) */
  w->c_tv = q->v_tk > 0 ? y[q->i_t] / q->v_tk : 0.0;      /* C_Tv = A_T / (V_Tv Kp_T) */
  w->c_ev = q->v_ek > 0 ? y[q->i_te] / q->v_ek : 0.0;     /* C_ev / Kp_ev */
  w->c_le = q->v_lek > 0 ? y[q->i_le] / q->v_lek : 0.0;   /* C_le / Kp_ev,L */
  if (slopes) {
    w->cl = q->v_lk > 0 ? 1 / q->v_lk : 0.0;
    w->ct = q->v_tk > 0 ? 1 / q->v_tk : 0.0;
    w->ce = q->v_ek > 0 ? 1 / q->v_ek : 0.0;
    w->cle = q->v_lek > 0 ? 1 / q->v_lek : 0.0;
  }
  double v;
  w->e_h = part_elimination(p, q, y, &w->de_h, &v);
}

/* Everything the equations read at time t; slopes: also the dC/dA the Jacobian reads. */
static void eval_terms(double t, const double *y, const hs_rhs_ctx *ctx, int slopes,
                       terms *w) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  double m_l, m_t;
  hs_model_multipliers(p, t, ctx->seg.t0, &m_l, &m_t);
  /* catheter embolisation acts on the covered part; an occluded hepatic artery on all */
  const double occ = p->n_parts > 1 ? hs__vascular_arterial(&ph->vasc, ctx->seg.t0) : 1.0;
  w->q_ha_t = 0.0;
  for (int k = 0; k < p->n_parts; k++) {
    const hs_part *q = &p->part[k];
    eval_part(p, q, q->covered ? m_l : occ, q->covered ? m_t : occ, y, slopes, &w->pt[k]);
    w->q_ha_t += w->pt[k].q_la + w->pt[k].q_ta;        /* Q_HA(t) = m_L Q_LA + m_T Q_TA */
  }
  w->q_r_t = ph->q_co - w->q_ha_t - f->q_pv;
  w->phi = p->i_gs >= 0 ? ph->terr.phi_gs : 0.0;
  w->mis = p->i_gs >= 0 ? ph->terr.mis_share : 0.0;
  if (slopes) {
    w->cb = 1 / ph->v_b;
    w->cg = 1 / ((1 - w->phi) * ph->v_g * d->kp_g);    /* the splanchnic bed (its rest) */
    w->cgs = w->phi > 0 ? 1 / (w->phi * ph->v_g * d->kp_g) : 0.0; /* V_GS = phi V_G */
    w->cr = 1 / (ph->v_r * d->kp_r);
    w->cs = d->q_s > 0 ? 1 / d->v_s : 0.0;
  }
  w->c_b = y[HS_A_B] / ph->v_b;
  w->c_gv = y[HS_A_G] / ((1 - w->phi) * ph->v_g * d->kp_g);
  w->c_gsv = p->i_gs >= 0 ? y[p->i_gs] / (w->phi * ph->v_g * d->kp_g) : 0.0;
  w->c_rv = y[HS_A_R] / (ph->v_r * d->kp_r);
  w->c_s = d->q_s > 0 ? y[HS_A_S] / d->v_s : 0.0;      /* slow tissue, blood-equivalent */
  hs_model_rates(&ctx->seg, t, &w->r_iv, &w->r_ha, &w->r_pv);
  /* stasis: the occluded vessels of the covered beds hold their share of the infusate */
  if (p->part[0].i_sl >= 0) hs_model_stasis(p, t, ctx->seg.t0, &w->st);
  else w->st = (hs_stasis){0};
  const double r_cov = (1 - w->mis) * w->r_ha; /* arterial infusate reaching the liver */
  w->r_sl = w->st.trap_l * r_cov;
  w->r_st = w->st.trap_t * r_cov;
  /* C_HA = C_B + (1 - s) R_HA / Q_HA,cov(t), the covered part's arterial flow, less what the
   * stagnant vessels hold; an occluded artery (no flow) is given no dose */
  const double q_cov = w->pt[0].q_la + w->pt[0].q_ta;
  w->c_ha = w->c_b + (q_cov > 0 ? (r_cov - w->r_sl - w->r_st) / q_cov : 0.0);
  for (int k = 0; k < p->n_parts; k++) w->pt[k].c_a = p->part[k].covered ? w->c_ha : w->c_b;
  /* C_PV = (1 - phi) C_Gv + phi C_GSv + R_PV / Q_PV */
  w->c_pv = p->i_gs >= 0 ? (1 - w->phi) * w->c_gv + w->phi * w->c_gsv + w->r_pv / f->q_pv
                         : w->c_gv + w->r_pv / f->q_pv;
  w->e_x = elim_rate(&d->extrahepatic, w->c_b, &w->de_x);
  w->e_f = p->n_filter ? hs_model_filter(p, ctx->seg.t0) : 0.0;
}

/* ---- right-hand side --------------------------------------------------------------- */

/* A part's tumour amount: vascular and extravascular, stagnant and bound. */
static double part_tumor(const hs_part *q, const double *y) {
  double a = q->i_te >= 0 ? y[q->i_t] + y[q->i_te] : y[q->i_t];
  if (q->i_st >= 0) a += y[q->i_st];
  if (q->i_bt >= 0) a += y[q->i_bt];
  return a;
}

/* A part's normal-liver amount: flowing (and its hepatocytes'), stagnant and bound. */
static double part_liver(const hs_part *q, const double *y) {
  double a = q->i_le >= 0 ? y[q->i_l] + y[q->i_le] : y[q->i_l];
  if (q->i_sl >= 0) a += y[q->i_sl];
  if (q->i_bl >= 0) a += y[q->i_bl];
  return a;
}

/* The free tumour state that binding and the stagnant drug's exchange act on: the
 * extravascular space of a permeability-limited tumour, else the tumour. */
static int tumor_tissue(const hs_part *q) { return q->i_te >= 0 ? q->i_te : q->i_t; }

/* Hepatic elimination of the stagnant liver drug a: the liver's own over the stagnant share
 * u of the bed, at the stagnant concentration a / (u V_Lk); *d: d/da (no 1/u). With a
 * permeability-limited liver the stagnant bed's sinusoids and hepatocytes are taken as
 * equilibrated: apparent volume Kp_L V_Lk, linear clearance CL_int' = PS_L CL_int / (PS_L +
 * CL_int) (hs_params_init refuses a saturable one), so that PS_L -> inf is the flow-limited
 * liver. */
static double stagnant_hepatic(const hs_params *p, const hs_part *q, double u, double a,
                               double *d) {
  *d = 0.0;
  if (!(u > 0)) return 0.0;
  hs_elimination h = p->drug.hepatic;
  double v = q->v_lk;
  if (q->i_le >= 0) {
    h.cl = p->drug.ps_l * h.cl / (p->drug.ps_l + h.cl);
    v += q->v_lek;
  }
  double de, e = u * q->w_l * elim_rate(&h, a / (u * v), &de);
  *d = q->w_l * de / v;
  return e;
}

/* Tumour clearance of the stagnant tumour drug, a rate constant (1/h): CL_T over the bed's
 * apparent volume (the stagnant share cancels). */
static double stagnant_k_t(const hs_params *p, const hs_part *q) {
  return q->w_t * p->drug.cl_t / (q->v_tk + q->v_ek);
}

/* Local retention: binding of the free drug of the part's liver and tumour and release of
 * the bound (model.md extension). Sets the bound states' rates. */
static void binding_rhs(const hs_params *p, const hs_part *q, const double *y, double *dy) {
  const hs_drug *d = &p->drug;
  const int it = tumor_tissue(q), il = liver_tissue(q);
  const double jl = d->k_bind_l * y[il] - d->k_unbind_l * y[q->i_bl];
  const double jt = d->k_bind_t * y[it] - d->k_unbind_t * y[q->i_bt];
  dy[il] -= jl;
  dy[q->i_bl] = jl;
  dy[it] -= jt;
  dy[q->i_bt] = jt;
}

/* Stasis in the covered part: the stagnant drug of each bed receives the infusate its
 * occluded vessels hold (and the tumour's the depot's release into them), drains into the
 * flowing bed as the flow recovers (k_d) and passes into its tissue (k_ex), and is
 * eliminated and bound as the tissue's own drug. Sets the stagnant states' rates. */
static void stasis_rhs(const hs_params *p, const terms *w, const hs_part *q, const double *y,
                       double *dy) {
  const hs_stasis *st = &w->st;
  const double s_l = y[q->i_sl], s_t = y[q->i_st];
  const double kb_l = p->drug.k_bind_l, kb_t = p->drug.k_bind_t;
  double d, e_l = stagnant_hepatic(p, q, st->u_l, s_l, &d), e_t = stagnant_k_t(p, q) * s_t;
  dy[q->i_sl] = w->r_sl - (st->kd_l + st->k_ex + kb_l) * s_l - e_l;
  dy[q->i_st] = w->r_st + st->u_t * p->drug.k_rel * y[HS_A_D] -
                (st->kd_t + st->k_ex + kb_t) * s_t - e_t;
  if (q->i_le >= 0) /* the flow returns through its vessels; k_ex: into the tissue */
    dy[q->i_l] += st->kd_l * s_l, dy[q->i_le] += st->k_ex * s_l;
  else
    dy[q->i_l] += (st->kd_l + st->k_ex) * s_l;
  dy[q->i_t] += st->kd_t * s_t;
  dy[tumor_tissue(q)] += st->k_ex * s_t;
  dy[HS_EL_H] += e_l;
  dy[HS_EL_T] += e_t;
  if (q->i_bl >= 0) dy[q->i_bl] += kb_l * s_l, dy[q->i_bt] += kb_t * s_t;
}

/* Blood a part returns by the hepatic veins (L/h): its liver outflow and its tumour's
 * direct outflow; *flux gets the drug they carry (mg/h). */
static double part_hv(const hs_params *p, const part_terms *z, double *flux) {
  const double f_td = p->phys.f_td;
  *flux = z->q_lout * z->c_lv + (1 - f_td) * z->q_tout * z->c_tv;
  return z->q_lout + (1 - f_td) * z->q_tout;
}

/* A part's tumour and liver equations and its share of the accounting: adds its hepatic
 * venous outflow flux to *hv, its tumour and hepatic elimination to EL_T and EL_H, its
 * amounts to the whole organs' AUC rates (AUC_L, AUC_T: amounts, divided by the volumes
 * after the loop) and its C_Tv to AUC_TV; writes its own AUC states. */
static void part_rhs(const hs_params *p, const terms *w, const hs_part *q, const part_terms *z,
                     const double *y, double *dy, double *hv) {
  const double f_td = p->phys.f_td, cl_t = p->drug.cl_t;
  /* the depot sits in the covered tumour; the stagnant share u_T of its bed holds its release */
  const double depot = q->covered ? (1 - w->st.u_t) * p->drug.k_rel * y[HS_A_D] : 0.0;
  double in_t = z->q_ta * z->c_a + z->q_tp * w->c_pv - z->q_tout * z->c_tv;
  if (q->i_te >= 0) { /* vascular A_T, extravascular A_TE: PS (C_vas - C_ev / Kp_ev) */
    double j = q->w_t * p->phys.terr.ps * (z->c_tv - z->c_ev);
    dy[q->i_t] = in_t - j;
    dy[q->i_te] = j - q->w_t * cl_t * z->c_ev + depot;
    dy[HS_EL_T] += q->w_t * cl_t * z->c_ev;
  } else {
    dy[q->i_t] = in_t - q->w_t * cl_t * z->c_tv + depot;
    dy[HS_EL_T] += q->w_t * cl_t * z->c_tv;
  }
  dy[q->i_l] = z->q_la * z->c_a + z->q_lp * w->c_pv + f_td * z->q_tout * z->c_tv -
               z->q_lout * z->c_lv;
  if (q->i_le >= 0) { /* sinusoids A_L, hepatocytes A_LE: PS_L (C_Lv - C_le / Kp_ev,L) */
    double j = q->w_l * p->drug.ps_l * (z->c_lv - z->c_le);
    dy[q->i_l] -= j;
    dy[q->i_le] = j - z->e_h;
  } else {
    dy[q->i_l] -= z->e_h;
  }
  dy[HS_EL_H] += z->e_h;
  if (q->i_bl >= 0) binding_rhs(p, q, y, dy);
  if (q->i_sl >= 0) stasis_rhs(p, w, q, y, dy);
  double flux;
  part_hv(p, z, &flux);
  *hv += flux;
  const double a_t = part_tumor(q, y), a_l = part_liver(q, y);
  dy[HS_AUC_T] += a_t;
  dy[HS_AUC_L] += a_l;
  dy[HS_AUC_TV] += q->w_t * z->c_tv;
  if (q->i_auc_l >= 0) dy[q->i_auc_l] = q->w_l > 0 ? a_l / (q->w_l * p->phys.v_l) : 0.0;
  if (q->i_auc_t >= 0) dy[q->i_auc_t] = q->w_t > 0 ? a_t / (q->w_t * p->fl.v_tv) : 0.0;
}

/* The accounting states of the whole body: AUC of C_P and of the gastric tissue, amounts
 * eliminated (model.md "Accounting states"), dosed. */
static void accounting_rhs(const hs_params *p, const terms *w, const double *y, double *dy,
                           double hv) {
  const hs_drug *d = &p->drug;
  dy[HS_AUC_P] = w->c_b / d->bp;
  if (p->i_gs >= 0) dy[HS_AUC_GS] = y[p->i_gs] / (w->phi * p->phys.v_g);
  dy[HS_EL_R] = d->cl_r * w->c_b;
  dy[HS_EL_X] = w->e_x;
  dy[HS_EL_F] = w->e_f * hv;
  dy[HS_EL_B] = d->cl_bind * w->c_b;
  dy[HS_DOSED] = w->r_iv + w->r_ha + w->r_pv;
}

/* dy/dt of one species, n (HS_NSTATE_BASE or HS_NSTATE) states; states of the layout that
 * this species does not use have derivative 0. */
static void species_rhs(double t, const double *y, double *dy, int n, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  terms w;
  eval_terms(t, y, ctx, 0, &w);
  if (n > HS_NSTATE_BASE)
    memset(dy + HS_NSTATE_BASE, 0, sizeof(double) * (size_t)(n - HS_NSTATE_BASE));
  dy[HS_A_G] = (1 - w.phi) * f->q_pv * (w.c_b - w.c_gv);
  if (p->i_gs >= 0) dy[p->i_gs] = w.phi * f->q_pv * (w.c_b - w.c_gsv) + w.mis * w.r_ha;
  dy[HS_A_R] = w.q_r_t * (w.c_b - w.c_rv);
  dy[HS_A_D] = -d->k_rel * y[HS_A_D];
  dy[HS_A_S] = d->q_s * (w.c_b - w.c_s); /* slow tissue: Q_S (C_B - A_S / V_S) */
  double hv = 0.0; /* hepatic venous return: every part's liver outflow and the tumour's
                      direct outflow, of which a filter (PHP) removes the share e_f */
  dy[HS_EL_T] = dy[HS_EL_H] = dy[HS_AUC_T] = dy[HS_AUC_L] = dy[HS_AUC_TV] = 0.0;
  for (int k = 0; k < p->n_parts; k++) part_rhs(p, &w, &p->part[k], &w.pt[k], y, dy, &hv);
  dy[HS_AUC_T] /= f->v_tv; /* whole-organ AUC rates: amounts over the volumes */
  dy[HS_AUC_L] /= ph->v_l;
  dy[HS_A_B] = w.r_iv + (1 - w.e_f) * hv + w.q_r_t * w.c_rv - ph->q_co * w.c_b -
               d->cl_r * w.c_b - w.e_x - d->cl_bind * w.c_b - dy[HS_A_S] +
               f->q_sh * w.c_pv; /* portal blood past the liver: shunt, collaterals */
  accounting_rhs(p, &w, y, dy, hv);
}

int hs_model_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx) {
  species_rhs(t, y, dy, HS_NSTATE, ctx);
  return 0;
}

/* ---- Jacobian ---------------------------------------------------------------------- */

#define J(i, j) jac[(i) * ld + (j)]

/* Local retention (binding_rhs). */
static void binding_jac(const hs_params *p, const hs_part *q, double *jac, int ld) {
  const hs_drug *d = &p->drug;
  const int it = tumor_tissue(q), il = liver_tissue(q);
  J(il, il) -= d->k_bind_l;
  J(il, q->i_bl) += d->k_unbind_l;
  J(q->i_bl, il) += d->k_bind_l;
  J(q->i_bl, q->i_bl) -= d->k_unbind_l;
  J(it, it) -= d->k_bind_t;
  J(it, q->i_bt) += d->k_unbind_t;
  J(q->i_bt, it) += d->k_bind_t;
  J(q->i_bt, q->i_bt) -= d->k_unbind_t;
}

/* Stasis (stasis_rhs). */
static void stasis_jac(const hs_params *p, const terms *w, const hs_part *q, const double *y,
                       double *jac, int ld) {
  const hs_stasis *st = &w->st;
  const double kb_l = p->drug.k_bind_l, kb_t = p->drug.k_bind_t, kt = stagnant_k_t(p, q);
  const int sl = q->i_sl, s_t = q->i_st;
  double d;
  stagnant_hepatic(p, q, st->u_l, y[sl], &d);
  J(sl, sl) = -(st->kd_l + st->k_ex + kb_l) - d;
  J(s_t, s_t) = -(st->kd_t + st->k_ex + kb_t) - kt;
  J(s_t, HS_A_D) = st->u_t * p->drug.k_rel;
  if (q->i_le >= 0)
    J(q->i_l, sl) += st->kd_l, J(q->i_le, sl) += st->k_ex;
  else
    J(q->i_l, sl) += st->kd_l + st->k_ex;
  J(q->i_t, s_t) += st->kd_t;
  J(tumor_tissue(q), s_t) += st->k_ex;
  J(HS_EL_H, sl) += d;
  J(HS_EL_T, s_t) += kt;
  if (q->i_bl >= 0) J(q->i_bl, sl) += kb_l, J(q->i_bt, s_t) += kb_t;
}

/* The AUC rows of a part's extravascular, stagnant and bound states (amounts of its liver
 * and tumour besides the flowing ones). */
static void retained_auc_jac(const hs_params *p, const hs_part *q, double *jac, int ld) {
  const int il[3] = {q->i_sl, q->i_bl, q->i_le}, it[3] = {q->i_st, q->i_bt, q->i_te};
  for (int k = 0; k < 3; k++) {
    if (il[k] >= 0) {
      J(HS_AUC_L, il[k]) = 1 / p->phys.v_l;
      if (q->i_auc_l >= 0 && q->w_l > 0) J(q->i_auc_l, il[k]) = 1 / (q->w_l * p->phys.v_l);
    }
    if (it[k] >= 0) {
      J(HS_AUC_T, it[k]) = 1 / p->fl.v_tv;
      if (q->i_auc_t >= 0 && q->w_t > 0) J(q->i_auc_t, it[k]) = 1 / (q->w_t * p->fl.v_tv);
    }
  }
}

static void part_jac(const hs_params *p, const terms *w, const hs_part *q, const part_terms *z,
                     const double *y, double *jac, int ld) {
  const double f_td = p->phys.f_td, cl_t = p->drug.cl_t;
  const double k_rel = (1 - w->st.u_t) * p->drug.k_rel; /* into the flowing tumour */
  const double gp = (1 - w->phi) * w->cg, gsp = w->phi * w->cgs; /* dC_PV/dA_G, /dA_GS */
  const int it = q->i_t, il = q->i_l, ie = q->i_te, gs = p->i_gs;
  J(it, HS_A_B) = z->q_ta * w->cb; /* C_HA and C_B both move with A_B at slope 1 / V_B */
  J(it, HS_A_G) = z->q_tp * gp;
  if (ie >= 0) {
    const double pw = q->w_t * p->phys.terr.ps;
    J(it, it) = -(z->q_tout + pw) * z->ct;
    J(it, ie) = pw * z->ce;
    J(ie, it) = pw * z->ct;
    J(ie, ie) = -(pw + q->w_t * cl_t) * z->ce;
    if (q->covered) J(ie, HS_A_D) = k_rel;
    J(HS_EL_T, ie) = q->w_t * cl_t * z->ce;
  } else {
    J(it, it) = -(z->q_tout + q->w_t * cl_t) * z->ct;
    if (q->covered) J(it, HS_A_D) = k_rel;
    J(HS_EL_T, it) = q->w_t * cl_t * z->ct;
  }
  J(il, HS_A_B) = z->q_la * w->cb;
  J(il, HS_A_G) = z->q_lp * gp;
  J(il, it) = f_td * z->q_tout * z->ct;
  if (q->i_le >= 0) { /* the exchange PS_L (C_Lv - C_le); the hepatocytes eliminate */
    const double pw = q->w_l * p->drug.ps_l;
    const int le = q->i_le;
    J(il, il) = -(z->q_lout + pw) * z->cl;
    J(il, le) = pw * z->cle;
    J(le, il) = pw * z->cl;
    J(le, le) = -(pw + z->de_h) * z->cle;
    J(HS_EL_H, le) = z->de_h * z->cle;
  } else {
    J(il, il) = -z->q_lout * z->cl - z->de_h * z->cl;
    J(HS_EL_H, il) = z->de_h * z->cl;
  }
  if (gs >= 0) J(it, gs) = z->q_tp * gsp, J(il, gs) = z->q_lp * gsp;
  J(HS_A_B, il) = (1 - w->e_f) * z->q_lout * z->cl;
  J(HS_A_B, it) = (1 - w->e_f) * (1 - f_td) * z->q_tout * z->ct;
  J(HS_EL_F, il) = w->e_f * z->q_lout * z->cl;
  J(HS_EL_F, it) = w->e_f * (1 - f_td) * z->q_tout * z->ct;
  J(HS_AUC_TV, it) = q->w_t * z->ct;
  J(HS_AUC_L, il) = 1 / p->phys.v_l;
  J(HS_AUC_T, it) = 1 / p->fl.v_tv;
  if (q->i_auc_l >= 0 && q->w_l > 0) J(q->i_auc_l, il) = 1 / (q->w_l * p->phys.v_l);
  if (q->i_auc_t >= 0 && q->w_t > 0) J(q->i_auc_t, it) = 1 / (q->w_t * p->fl.v_tv);
  if (q->i_bl >= 0) binding_jac(p, q, jac, ld);
  if (q->i_sl >= 0) stasis_jac(p, w, q, y, jac, ld);
  retained_auc_jac(p, q, jac, ld);
}

/* The Jacobian entries of one species, added to a zeroed matrix of leading dimension ld. */
static void species_jac(double t, const double *y, double *jac, int ld, const hs_rhs_ctx *ctx) {
  const hs_params *p = ctx->p;
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_flows *f = &p->fl;
  const int gs = p->i_gs;
  terms w;
  eval_terms(t, y, ctx, 1, &w);
  J(HS_A_G, HS_A_B) = (1 - w.phi) * f->q_pv * w.cb;
  J(HS_A_G, HS_A_G) = -(1 - w.phi) * f->q_pv * w.cg;
  if (gs >= 0) {
    J(gs, HS_A_B) = w.phi * f->q_pv * w.cb;
    J(gs, gs) = -w.phi * f->q_pv * w.cgs;
    J(HS_A_B, gs) = f->q_sh * w.phi * w.cgs; /* shunt: d(Q_SH C_PV)/dA_GS */
    J(HS_AUC_GS, gs) = 1 / (w.phi * ph->v_g);
  }
  J(HS_A_R, HS_A_B) = w.q_r_t * w.cb;
  J(HS_A_R, HS_A_R) = -w.q_r_t * w.cr;
  J(HS_A_D, HS_A_D) = -d->k_rel;
  J(HS_A_S, HS_A_B) = d->q_s * w.cb;
  J(HS_A_S, HS_A_S) = -d->q_s * w.cs;
  J(HS_A_B, HS_A_S) = d->q_s * w.cs;
  J(HS_A_B, HS_A_R) = w.q_r_t * w.cr;
  J(HS_A_B, HS_A_G) = f->q_sh * (1 - w.phi) * w.cg;
  J(HS_A_B, HS_A_B) = -(ph->q_co + d->cl_r + d->cl_bind + d->q_s) * w.cb - w.de_x * w.cb;
  for (int k = 0; k < p->n_parts; k++) part_jac(p, &w, &p->part[k], &w.pt[k], y, jac, ld);
  J(HS_AUC_P, HS_A_B) = w.cb / d->bp;
  J(HS_EL_R, HS_A_B) = d->cl_r * w.cb;
  J(HS_EL_X, HS_A_B) = w.de_x * w.cb;
  J(HS_EL_B, HS_A_B) = d->cl_bind * w.cb;
}

#undef J

int hs_model_jac(double t, const double *y, double *jac, const hs_rhs_ctx *ctx) {
  memset(jac, 0, sizeof(double) * HS_NSTATE * HS_NSTATE);
  species_jac(t, y, jac, HS_NSTATE, ctx);
  return 0;
}

/* ---- coupled species ----------------------------------------------------------------- */

/* The elimination state of the parent that forms species k, and the compartment it forms
 * in (model.md extension "Metabolites"): the free liver of the covered part (the
 * hepatocytes of a permeability-limited liver) or the blood. */
static void formation_states(const hs_system_ctx *ctx, int k, int *el, int *into) {
  const hs_form_route r = ctx->link[k].route;
  *el = r == HS_FORM_HEPATIC ? HS_EL_H : r == HS_FORM_EXTRAHEPATIC ? HS_EL_X : HS_EL_B;
  *into = r == HS_FORM_HEPATIC ? liver_tissue(&ctx->sp[k].p->part[0]) : HS_A_B;
}

static int stride_of(const hs_system_ctx *ctx) { return ctx->stride ? ctx->stride : HS_NSTATE; }

/* A hepatically formed species forms in the liver of the part its parent eliminated it
 * in: each part after the first sends its share to that part's liver state. */
static int split_formation(const hs_system_ctx *ctx, const hs_species_link *l) {
  return l->route == HS_FORM_HEPATIC && ctx->sp[l->parent].p->n_parts > 1;
}

/* Hepatic elimination of part k (its rate; *d_da: d/dA of its liver state). */
static double part_hepatic(const hs_params *p, int k, const double *y, double *d_da) {
  double de, v, e = part_elimination(p, &p->part[k], y, &de, &v);
  *d_da = v > 0 ? de / v : 0.0;
  return e;
}

int hs_system_rhs(double t, const double *y, double *dy, const hs_system_ctx *ctx) {
  const int st = stride_of(ctx);
  for (int k = 0; k < ctx->ns; k++) {
    species_rhs(t, y + k * st, dy + k * st, st, &ctx->sp[k]);
    if (k == 0) continue;
    const hs_species_link *l = &ctx->link[k];
    const hs_params *pp = ctx->sp[l->parent].p;
    int el, into;
    formation_states(ctx, k, &el, &into);
    /* formation = yield * the parent's elimination rate by the route */
    double form = l->yield * dy[l->parent * st + el], other = 0.0, d;
    for (int q = 1; split_formation(ctx, l) && q < pp->n_parts; q++) {
      double f_q = l->yield * part_hepatic(pp, q, y + l->parent * st, &d);
      dy[k * st + liver_tissue(&ctx->sp[k].p->part[q])] += f_q;
      other += f_q;
    }
    dy[k * st + into] += form - other;
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
    const hs_params *pp = ctx->sp[l->parent].p;
    int el, into;
    formation_states(ctx, k, &el, &into);
    const double *src = jac + (size_t)(l->parent * st + el) * n;
    double *r1 = jac + (size_t)(k * st + into) * n;
    double *r2 = jac + (size_t)(k * st + HS_DOSED) * n;
    for (int j = 0; j < n; j++) r1[j] += l->yield * src[j], r2[j] += l->yield * src[j];
    for (int q = 1; split_formation(ctx, l) && q < pp->n_parts; q++) {
      /* the parent's free-liver column of part q forms into the species' of part q */
      const int c = l->parent * st + liver_tissue(&pp->part[q]);
      r1[c] -= l->yield * src[c];
      jac[(size_t)(k * st + liver_tissue(&ctx->sp[k].p->part[q])) * n + c] += l->yield * src[c];
    }
  }
  return 0;
}

/* ---- reported quantities ----------------------------------------------------------- */

double hs_model_tumor_amount(const hs_params *p, const double *y) {
  double a = 0.0;
  for (int k = 0; k < p->n_parts; k++) a += part_tumor(&p->part[k], y);
  return a;
}

void hs_model_tracked(const hs_params *p, const double *y, double *c) {
  c[HS_TRACK_PLASMA] = y[HS_A_B] / p->phys.v_b / p->drug.bp;
  c[HS_TRACK_TUMOR] = hs_model_tumor_amount(p, y) / p->fl.v_tv;
  c[HS_TRACK_GASTRIC] = p->i_gs >= 0 ? y[p->i_gs] / (p->phys.terr.phi_gs * p->phys.v_g) : 0.0;
}

void hs_model_concentrations(double t, const double *y, const hs_rhs_ctx *ctx, hs_conc *c) {
  const hs_params *p = ctx->p;
  terms w;
  double tr[HS_N_TRACKED];
  eval_terms(t, y, ctx, 0, &w);
  hs_model_tracked(p, y, tr);
  c->blood = w.c_b;
  c->plasma = tr[HS_TRACK_PLASMA];
  c->liver = 0.0;
  c->tumor_venous = 0.0;
  c->trapped_liver_mg = c->trapped_tumor_mg = c->bound_liver_mg = c->bound_tumor_mg = 0.0;
  double hv = 0.0, q_hv = 0.0;
  for (int k = 0; k < p->n_parts; k++) {
    double flux;
    const hs_part *q = &p->part[k];
    c->liver += part_liver(q, y);
    if (q->i_sl >= 0) c->trapped_liver_mg += y[q->i_sl], c->trapped_tumor_mg += y[q->i_st];
    if (q->i_bl >= 0) c->bound_liver_mg += y[q->i_bl], c->bound_tumor_mg += y[q->i_bt];
    c->tumor_venous += p->part[k].w_t * w.pt[k].c_tv;
    q_hv += part_hv(p, &w.pt[k], &flux);
    hv += flux;
  }
  c->liver /= p->phys.v_l;
  c->hepatic_vein = q_hv > 0 ? hv / q_hv / p->drug.bp : 0.0; /* before any filter */
  c->tumor = tr[HS_TRACK_TUMOR];
  c->hepatic_artery = w.c_ha; /* the catheter's part */
  c->portal_vein = w.c_pv;
  c->depot_mg = y[HS_A_D];
  c->gastric = tr[HS_TRACK_GASTRIC];
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
