/* check_model.c - tests of the dual-supply liver model (hs_model.h) against docs/model.md:
 * derived flows and their validation, the right-hand side written out from the equations,
 * a finite-difference check of the Jacobian, mass conservation, embolisation multipliers
 * and the analytic quantities of the reference configuration. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hs_model.h"
#include "hs_resolved.h"
#include "hs_test.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- fixtures ---------------------------------------------------------------------- */

/* The reference patient of the brief: Q_L = 87.6 L/h. */
static hs_physiology ref_phys(void) {
  hs_physiology ph = {.q_co = 336, .q_h = 90, .f_ha = 0.25, .v_b = 5, .v_g = 1.5,
                      .v_l = 1.8, .v_r = 40, .v_t = 0.1, .p_t = 24, .f_ta = 0.9, .f_td = 0};
  return ph;
}

/* Reference drug: linear hepatic CL_int 1664.4 L/h (E_L = 0.95), all Kp and BP 1. */
static hs_drug ref_drug(void) {
  hs_drug d = {.bp = 1, .kp_g = 1, .kp_l = 1, .kp_t = 1, .kp_r = 1,
               .hepatic = {HS_ELIM_LINEAR, 1664.4, 0, 0},
               .extrahepatic = {HS_ELIM_LINEAR, 0, 0, 0}};
  return d;
}

/* Everything on: non-unit Kp and BP, tumour clearance, depot release, renal clearance. */
static hs_drug full_drug(hs_elim_kind kind) {
  hs_drug d = {.bp = 1.37, .kp_g = 2.385, .kp_l = 0.7, .kp_t = 1.9, .kp_r = 3.1,
               .cl_r = 7.1, .cl_t = 0.8, .k_rel = 0.3};
  if (kind == HS_ELIM_MM) {
    d.hepatic = (hs_elimination){HS_ELIM_MM, 0, 3000, 5};
    d.extrahepatic = (hs_elimination){HS_ELIM_MM, 0, 2000, 5};
  } else {
    d.hepatic = (hs_elimination){HS_ELIM_LINEAR, 1664.4, 0, 0};
    d.extrahepatic = (hs_elimination){HS_ELIM_LINEAR, 12.3, 0, 0};
  }
  return d;
}

static hs_physiology full_phys(void) {
  hs_physiology ph = ref_phys();
  ph.f_td = 0.6;
  return ph;
}

static const hs_embolization WHOLE_LIVER = {HS_EMBO_WHOLE_LIVER, 0.0, 0.1, 0.5, 0, NAN, 0, 0, 0};

static void init_ok(hs_params *p, const hs_physiology *ph, const hs_drug *d,
                    const hs_embolization *e, int n) {
  hs_error err = {0};
  int rc = hs_params_init(p, ph, d, e, n, &err);
  ck_assert_msg(rc == HS_OK, "hs_params_init: %s", err.msg);
}

/* Fixed-seed xorshift64: reproducible states, independent of rand(). */
static double rnd(uint64_t *s, double lo, double hi) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return lo + (hi - lo) * (double)(*s >> 11) * 0x1p-53;
}

static void random_state(uint64_t *s, double *y) {
  for (int i = 0; i < HS_NSTATE; i++) y[i] = rnd(s, 0.05, 40.0);
}

/* ---- derived flows and validation --------------------------------------------------- */

START_TEST(test_flows_reference) {
  hs_params p;
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  init_ok(&p, &ph, &d, NULL, 0);
  const double want[] = {22.5, 67.5, 2.4, 2.16, 0.24, 20.34, 67.26, 87.6, 246.0};
  const double got[] = {p.fl.q_ha, p.fl.q_pv, p.fl.q_t,  p.fl.q_ta, p.fl.q_tp,
                        p.fl.q_la, p.fl.q_lp, p.fl.q_l, p.fl.q_r};
  for (int i = 0; i < NCASES(want); i++) HS_ASSERT_REL(got[i], want[i], 1e-13);
  /* a purely arterial tumour (f_TA = 1) is allowed: Q_TP = 0 */
  ph.f_ta = 1;
  init_ok(&p, &ph, &d, NULL, 0);
  ck_assert(p.fl.q_tp == 0);
  HS_ASSERT_REL(p.fl.q_lp, 67.5, 1e-14);
}
END_TEST

/* One bad value in the physiology or the drug, and the words its message must contain. */
typedef struct bad_param {
  int mm;        /* saturable elimination on both routes (Km 5 mg/L) */
  int in_drug;   /* 0: offset into hs_physiology, 1: into hs_drug */
  size_t offset; /* of a double field */
  double value;
  const char *want1, *want2;
} bad_param;

#define PH(f) 0, offsetof(hs_physiology, f)
#define DR(f) 1, offsetof(hs_drug, f)
static const bad_param BAD_PARAMS[] = {
    {0, PH(v_t), 1.2, "Q_LA", "f_HA"},   /* big tumour takes more than the artery gives */
    {0, PH(p_t), 300, "Q_LA", "p_T"},    /* over-perfused tumour */
    {0, PH(f_ha), 0, "Q_LA", "f_HA"},    /* no arterial supply at all */
    {0, PH(f_ha), 0.998, "Q_LP", "f_TA"}, /* portal flow below the tumour's portal share */
    {0, PH(f_ha), 1, "Q_LP", "f_HA"},    /* no portal supply */
    {0, PH(q_h), 400, "Q_R", "Q_CO"},    /* Q_H > Q_CO */
    {0, PH(q_co), 90, "Q_R", "Q_CO"},    /* Q_H = Q_CO */
    {0, PH(v_l), -1.8, "V_L", "> 0"},    /* negative volume */
    {0, PH(v_b), 0, "V_B", "> 0"},
    {0, PH(v_t), NAN, "V_T", "> 0"},
    {0, PH(f_ha), 1.2, "f_HA", "[0, 1]"}, /* fractions > 1 or < 0 */
    {0, PH(f_td), 1.5, "f_TD", "[0, 1]"},
    {0, PH(f_ta), -0.1, "f_TA", "[0, 1]"},
    {0, PH(p_t), -24, "p_T", ">= 0"},
    {0, PH(q_co), INFINITY, "Q_CO", "> 0"},
    {0, DR(bp), 0, "BP", "> 0"},
    {0, DR(kp_t), -1.9, "Kp_T", "> 0"},
    {0, DR(cl_r), -7.1, "CL_R", ">= 0"},
    {0, DR(cl_t), -0.8, "CL_T", ">= 0"},
    {0, DR(k_rel), -0.3, "k_rel", ">= 0"},
    {0, DR(hepatic.cl), -1664.4, "hepatic clearance", ">= 0"},
    {1, DR(hepatic.km), 0, "hepatic Km", "> 0"},
    {1, DR(extrahepatic.km), -5, "extrahepatic Km", "> 0"},
    {1, DR(hepatic.vmax), -3000, "hepatic Vmax", ">= 0"},
};

START_TEST(test_params_reject) {
  const bad_param *c = &BAD_PARAMS[_i];
  hs_physiology ph = ref_phys();
  hs_drug d = c->mm ? full_drug(HS_ELIM_MM) : ref_drug();
  *(double *)((char *)(c->in_drug ? (void *)&d : (void *)&ph) + c->offset) = c->value;
  hs_params p;
  hs_error err = {0};
  int rc = hs_params_init(&p, &ph, &d, NULL, 0, &err);
  ck_assert_msg(rc == HS_EINPUT, "case %d accepted", _i);
  ck_assert_int_eq(err.code, HS_EINPUT);
  ck_assert_msg(strstr(err.msg, c->want1) && strstr(err.msg, c->want2),
                "case %d: '%s' lacks '%s' or '%s'", _i, err.msg, c->want1, c->want2);
}
END_TEST

typedef struct bad_embo {
  hs_embolization e;
  const char *want;
} bad_embo;

static const bad_embo BAD_EMBO[] = {
    {{HS_EMBO_WHOLE_LIVER, 1.0, 0.0, 0.5, 0, NAN, 0, 0, 0}, "embolization[1]: m_min = 0 must lie in (0, 1]"},
    {{HS_EMBO_TUMOR, 1.0, 1.5, 0.5, 0, NAN, 0, 0, 0}, "embolization[1]: m_min = 1.5 must lie in (0, 1]"},
    {{HS_EMBO_TUMOR, 1.0, -0.2, 0.5, 0, NAN, 0, 0, 0}, "embolization[1]: m_min = -0.2 must lie in (0, 1]"},
    {{HS_EMBO_TUMOR, 1.0, 0.3, 0.0, 0, NAN, 0, 0, 0},
     "embolization[1]: recovery half-life = 0 h must be > 0"},
    {{HS_EMBO_TUMOR, -2.5, 0.3, 0.5, 0, NAN, 0, 0, 0}, "embolization[1]: onset = -2.5 h must be >= 0"},
    {{HS_EMBO_TUMOR, 1.0, 0.3, 0.5, 0, 1.2385, 0, 0, 0},
     "embolization[1]: immediate fraction = 1.2385 of a TACE dose must lie in [0, 1]"},
    {{HS_EMBO_TUMOR, 1.0, 0.3, 0.5, 0, -0.1, 0, 0, 0},
     "embolization[1]: immediate fraction = -0.1 of a TACE dose must lie in [0, 1]"},
};

START_TEST(test_embo_reject) {
  hs_embolization ev[2] = {WHOLE_LIVER, BAD_EMBO[_i].e};
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  hs_params p;
  hs_error err = {0};
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, ev, 2, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, BAD_EMBO[_i].want);
}
END_TEST

/* ---- right-hand side, written out from model.md ----------------------------------- */

static double elim(const hs_elimination *e, double c) {
  return e->kind == HS_ELIM_LINEAR ? e->cl * c : e->vmax * c / (e->km + c);
}

/* One territory of the liver and tumour (docs/model.md extension "Catheter territory"):
 * volumes, flows and inflow concentration written out from the extension's text. */
typedef struct md_terr {
  double v_l, v_t, q_la, q_lp, q_ta, q_tp, c_in; /* its volumes, flows, arterial blood */
  int l, t, te, le;                              /* its states */
} md_terr;

/* model.md "Equations" and its extensions, transcribed independently of model/model.c;
 * the covered territory's multipliers m_l, m_t, the arterial multiplier m_o of the
 * uncovered territory (0 once the hepatic artery is occluded, else 1) and the
 * hepatic-venous filter efficiency e_f (PHP) given. */
static void model_md_rhs(const hs_params *p, const hs_segment *s, double m_l, double m_t,
                         double m_o, double e_f, const double *y, double *dy) {
  const hs_physiology *ph = &p->phys;
  const hs_drug *d = &p->drug;
  const hs_territory *tr = &ph->terr;
  const hs_vascular *v = &ph->vasc; /* liver disease extension: shunt, thrombosis, HABR */
  const double s_pv = (1 - v->f_sh) * (1 - v->pvt_obstruction);
  const double v_tv = (1 - ph->f_nec) * ph->v_t; /* the viable, perfused tumour */
  const double q_pv = (1 - ph->f_ha) * ph->q_h, f_td = ph->f_td, q_sh = (1 - s_pv) * q_pv;
  const double q_la = ph->f_ha * ph->q_h - ph->f_ta * ph->p_t * v_tv +
                      v->habr * (1 - v->f_sh) * v->pvt_obstruction * q_pv;
  const double q_ta = ph->f_ta * ph->p_t * v_tv, q_tp = s_pv * (1 - ph->f_ta) * ph->p_t * v_tv;
  const double q_lp = s_pv * (q_pv - (1 - ph->f_ta) * ph->p_t * v_tv);
  /* p->drug: CL_int or Vmax already reduced by the disease's clearance loss (checked in
   * the liver suite) */
  /* catheter coverage, gastric share phi and misperfused share, permeability */
  const double cov_l = tr->catheter ? tr->liver_cov : 1, cov_t = tr->catheter ? tr->tumor_cov : 1;
  const double phi = tr->gastric ? tr->phi_gs : 0, mis = tr->gastric ? tr->mis_share : 0;
  const int ps = tr->ps > 0;
  const double f_vas = tr->f_vas, kp_ev = ps ? (d->kp_t - f_vas) / (1 - f_vas) : 0;
  /* permeability-limited liver: sinusoids f_l V_L (blood), hepatocytes (1 - f_l) V_L Kp_evl */
  const int psl = d->ps_l > 0;
  const double f_l = ph->f_vas_l, kp_evl = psl ? (d->kp_l - f_l) / (1 - f_l) : 0;
  const double c_b = y[HS_A_B] / ph->v_b;
  const double c_gv = y[HS_A_G] / ((1 - phi) * ph->v_g * d->kp_g);
  const double c_gsv = phi > 0 ? y[HS_A_GS] / (phi * ph->v_g * d->kp_g) : 0;
  const double c_rv = y[HS_A_R] / ph->v_r / d->kp_r;
  const double c_pv = (1 - phi) * c_gv + phi * c_gsv + s->r_pv / q_pv;
  const double q_ha_cov = m_l * cov_l * q_la + m_t * cov_t * q_ta;
  const md_terr terr[2] = {
      {cov_l * ph->v_l, cov_t * v_tv, m_l * cov_l * q_la, cov_l * q_lp, m_t * cov_t * q_ta,
       cov_t * q_tp, c_b + (q_ha_cov > 0 ? (1 - mis) * s->r_ha / q_ha_cov : 0), HS_A_L, HS_A_T,
       HS_A_TE, HS_A_LE},
      {(1 - cov_l) * ph->v_l, (1 - cov_t) * v_tv, m_o * (1 - cov_l) * q_la, (1 - cov_l) * q_lp,
       m_o * (1 - cov_t) * q_ta, (1 - cov_t) * q_tp, c_b, HS_A_L2, HS_A_T2, HS_A_TE2, HS_A_LE2}};
  const double q_ha_t = q_ha_cov + m_o * (1 - cov_l) * q_la + m_o * (1 - cov_t) * q_ta;
  const double q_r_t = ph->q_co - q_ha_t - q_pv;
  const double e_x = elim(&d->extrahepatic, c_b);
  const double c_s = d->q_s > 0 ? y[HS_A_S] / d->v_s : 0; /* slow tissue (option) */
  double hv = 0, e_h = 0, el_t = 0, auc_tv = 0, a_t = 0, a_l = 0;
  memset(dy, 0, sizeof(double) * HS_NSTATE);
  for (int k = 0; k < 2; k++) {
    const md_terr *z = &terr[k];
    if (!(z->v_l > 0)) continue; /* no uncovered territory */
    const double q_t = z->q_ta + z->q_tp, w_t = z->v_t / v_tv, w_l = z->v_l / ph->v_l;
    double c_tv = 0, c_e = 0;
    if (z->v_t > 0) {
      c_tv = ps ? y[z->t] / (f_vas * z->v_t) : y[z->t] / (z->v_t * d->kp_t);
      c_e = ps ? y[z->te] / ((1 - f_vas) * z->v_t * kp_ev) : 0;
    }
    const double c_lv = psl ? y[z->l] / (f_l * z->v_l) : y[z->l] / (z->v_l * d->kp_l);
    const double c_le = psl ? y[z->le] / ((1 - f_l) * z->v_l * kp_evl) : 0;
    /* intrinsic clearance and Vmax in proportion to the territory's liver volume; the
     * hepatocytes eliminate */
    const double eh = w_l * elim(&d->hepatic, psl ? c_le : c_lv);
    const double lout = z->q_la + z->q_lp + f_td * q_t;
    const double flux_l = psl ? w_l * d->ps_l * (c_lv - c_le) : 0;
    const double depot = k == 0 ? d->k_rel * y[HS_A_D] : 0;
    const double tin = z->q_ta * z->c_in + z->q_tp * c_pv - q_t * c_tv;
    if (ps) {
      const double flux = w_t * tr->ps * (c_tv - c_e);
      dy[z->t] = tin - flux;
      dy[z->te] = flux - w_t * d->cl_t * c_e + depot;
      el_t += w_t * d->cl_t * c_e;
    } else {
      dy[z->t] = tin - w_t * d->cl_t * c_tv + depot;
      el_t += w_t * d->cl_t * c_tv;
    }
    dy[z->l] = z->q_la * z->c_in + z->q_lp * c_pv + f_td * q_t * c_tv - lout * c_lv -
               (psl ? flux_l : eh);
    if (psl) dy[z->le] = flux_l - eh;
    hv += lout * c_lv + (1 - f_td) * q_t * c_tv;
    e_h += eh;
    auc_tv += w_t * c_tv;
    a_t += y[z->t] + (ps ? y[z->te] : 0); /* the territory's tumour: every space of it */
    a_l += y[z->l] + (psl ? y[z->le] : 0);
  }
  dy[HS_A_G] = (1 - phi) * q_pv * (c_b - c_gv);
  dy[HS_A_GS] = phi * q_pv * (c_b - c_gsv) + mis * s->r_ha;
  dy[HS_A_R] = q_r_t * (c_b - c_rv);
  dy[HS_A_D] = -d->k_rel * y[HS_A_D];
  dy[HS_A_S] = d->q_s * (c_b - c_s);
  dy[HS_A_B] = s->r_iv + (1 - e_f) * hv + q_r_t * c_rv - ph->q_co * c_b - d->cl_r * c_b - e_x -
               d->cl_bind * c_b - d->q_s * (c_b - c_s) + q_sh * c_pv;
  dy[HS_AUC_P] = c_b / d->bp;
  dy[HS_AUC_T] = a_t / v_tv;
  dy[HS_AUC_L] = a_l / ph->v_l;
  dy[HS_AUC_TV] = auc_tv;
  if (cov_l < 1) dy[HS_AUC_L2] = (y[HS_A_L2] + (psl ? y[HS_A_LE2] : 0)) / terr[1].v_l;
  if (cov_t < 1) dy[HS_AUC_T2] = (y[HS_A_T2] + (ps ? y[HS_A_TE2] : 0)) / terr[1].v_t;
  if (phi > 0) dy[HS_AUC_GS] = y[HS_A_GS] / (phi * ph->v_g);
  dy[HS_EL_H] = e_h;
  dy[HS_EL_R] = d->cl_r * c_b;
  dy[HS_EL_X] = e_x;
  dy[HS_EL_T] = el_t;
  dy[HS_EL_F] = e_f * hv;
  dy[HS_EL_B] = d->cl_bind * c_b;
  dy[HS_DOSED] = s->r_iv + s->r_ha + s->r_pv;
}

/* Configurations used by the RHS, Jacobian and conservation tests. */
enum { TERR_SPLIT = 1, TERR_GASTRIC = 2, TERR_PS = 4, /* model.md extension options */
       STASIS = 8, BIND = 16, /* embolisation: redistribution and stasis; local retention */
       LIVER_PS = 32 };       /* a permeability-limited liver */
enum { OCCLUDED = 1, NO_TUMOR_FLOW = 2 }; /* zero-flow events */
typedef struct config {
  const char *name;
  hs_elim_kind kind;
  int embolised, filtered;
  double t;
  int terr; /* TERR_* options */
  int zero; /* zero-flow events: an occluded hepatic artery, an unperfused tumour */
} config;

static const config CONFIGS[] = {
    {"linear", HS_ELIM_LINEAR, 0, 0, 2.385, 0, 0},
    {"michaelis-menten", HS_ELIM_MM, 0, 0, 2.385, 0, 0},
    {"linear, embolised", HS_ELIM_LINEAR, 1, 0, 0.37, 0, 0},
    {"michaelis-menten, embolised", HS_ELIM_MM, 1, 0, 0.37, 0, 0},
    {"linear, filtered", HS_ELIM_LINEAR, 0, 1, 2.385, 0, 0},
    {"linear, lobar catheter territory", HS_ELIM_LINEAR, 0, 0, 2.385, TERR_SPLIT, 0},
    {"michaelis-menten, embolised, gastric misperfusion", HS_ELIM_MM, 1, 0, 0.37, TERR_GASTRIC, 0},
    {"linear, permeability-limited tumour", HS_ELIM_LINEAR, 0, 0, 2.385, TERR_PS, 0},
    {"linear, lobar catheter territory, hepatic artery occluded", HS_ELIM_LINEAR, 0, 0, 2.385,
     TERR_SPLIT, OCCLUDED},
    {"michaelis-menten, gastric misperfusion, hepatic artery occluded", HS_ELIM_MM, 1, 0, 0.37,
     TERR_GASTRIC, OCCLUDED},
    {"linear, permeability-limited tumour, hepatic artery occluded", HS_ELIM_LINEAR, 0, 0,
     2.385, TERR_PS, OCCLUDED},
    {"michaelis-menten, territory, gastric, permeability, unperfused tumour", HS_ELIM_MM, 0, 0,
     2.385, TERR_SPLIT | TERR_GASTRIC | TERR_PS, NO_TUMOR_FLOW},
    {"linear, permeability-limited liver", HS_ELIM_LINEAR, 0, 0, 2.385, LIVER_PS, 0},
    {"michaelis-menten, permeability-limited liver, lobar territory", HS_ELIM_MM, 0, 0, 2.385,
     LIVER_PS | TERR_SPLIT, 0},
    {"michaelis-menten, embolised, filtered, necrotic, territory, gastric, permeability, "
     "permeability-limited liver, hepatic artery occluded (every option and event on)",
     HS_ELIM_MM, 1, 1, 0.37, TERR_SPLIT | TERR_GASTRIC | TERR_PS | LIVER_PS, OCCLUDED},
    {"michaelis-menten, embolised, filtered, necrotic, territory, gastric, permeability, "
     "permeability-limited liver (every option on)", HS_ELIM_MM, 1, 1, 0.37,
     TERR_SPLIT | TERR_GASTRIC | TERR_PS | LIVER_PS, 0},
    /* from here on: options the model.md transcription above (model_md_rhs) does not know */
    {"linear, redistribution and stasis", HS_ELIM_LINEAR, 1, 0, 0.37, STASIS, 0},
    {"michaelis-menten, stasis, local retention", HS_ELIM_MM, 1, 0, 0.37, STASIS | BIND, 0},
    {"linear, local retention, territory, permeability", HS_ELIM_LINEAR, 0, 0, 2.385,
     BIND | TERR_SPLIT | TERR_PS, 0},
    {"michaelis-menten, local retention, territory, permeability-limited liver",
     HS_ELIM_MM, 0, 0, 2.385, BIND | TERR_SPLIT | LIVER_PS, 0},
    {"michaelis-menten, stasis during the hold, permeability", HS_ELIM_MM, 1, 0, 1.5,
     STASIS | BIND | TERR_PS, 0},
    /* a permeability-limited liver with stasis (saturable: in the tumour's bed only) */
    {"linear, redistribution and stasis during the hold, permeability-limited liver",
     HS_ELIM_LINEAR, 1, 0, 1.5, STASIS | LIVER_PS | BIND, 0},
    {"michaelis-menten, tumour stasis, permeability-limited liver and tumour, territory, local "
     "retention", HS_ELIM_MM, 0, 1, 0.37, STASIS | LIVER_PS | TERR_PS | TERR_SPLIT | BIND, 0},
    {"michaelis-menten, every option on with stasis and local retention", HS_ELIM_MM, 1, 1,
     0.37, TERR_SPLIT | TERR_GASTRIC | TERR_PS | STASIS | BIND, 0}, /* last: the system test */
};
enum { N_ORACLE = 16 }; /* the configurations model_md_rhs covers */

/* Redistribution and stasis: a whole-liver event holding 80 % of what its occluded vessels
 * receive (liver reduced to 25 %, tumour to 10 %), and a permanent tumour-selective one held
 * for 1 h holding 60 %, whose exchange half-life (0.3 h) applies from its onset. */
static const hs_embolization STASIS_EVENTS[] = {
    {HS_EMBO_WHOLE_LIVER, 0.0, 0.1, 0.5, 0, NAN, 0.25, 0.8, 0.9},
    {HS_EMBO_TUMOR, 0.0, 0.3, INFINITY, 2.0, NAN, 0, 0.6, 0.3},
};

/* Catheter territory (60 % of the liver, 70 % of the tumour), 8 % of the arterial infusate
 * misperfused to a gastric compartment of 1/19 of the splanchnic bed, PS 2.2 L/h with a
 * vascular fraction 12 %: the options of config.terr. */
static void config_territory(int terr, hs_physiology *ph) {
  if (terr & TERR_SPLIT)
    ph->terr.catheter = 1, ph->terr.position = HS_CATH_LOBAR, ph->terr.liver_cov = 0.6,
    ph->terr.tumor_cov = 0.7;
  if (terr & TERR_GASTRIC) ph->terr.gastric = 1, ph->terr.mis_share = 0.08, ph->terr.phi_gs = 1 / 19.0;
  if (terr & TERR_PS) ph->terr.ps = 2.2, ph->terr.f_vas = 0.12;
  if (terr & LIVER_PS) ph->f_vas_l = 0.17;
}

/* A hepatic-venous filter (percutaneous hepatic perfusion) over [0, 10) h. */
static const hs_filter FILTER = {0.0, 10.0, 0.77};

static void config_setup(const config *c, hs_params *p, hs_rhs_ctx *ctx) {
  hs_physiology ph = full_phys();
  hs_drug d = full_drug(c->kind);
  hs_error err;
  if (c->filtered) { /* "every option on": a necrotic core, binding and a slow tissue */
    ph.f_nec = 0.35;
    d.cl_bind = 3.7;
    d.q_s = 9.4;
    d.v_s = 310.0;
    /* cirrhosis with a shunt and a portal thrombosis buffered by the artery */
    ph.vasc = (hs_vascular){.f_sh = 0.27, .pvt_obstruction = 0.37, .habr = 0.255,
                            .cl_int_loss = 0.3};
  }
  config_territory(c->terr, &ph);
  if (c->terr & BIND) d.k_bind_l = 0.9, d.k_bind_t = 1.7, d.k_unbind_l = 0.2;
  if (c->terr & LIVER_PS) d.ps_l = 41.0;
  if (c->zero & OCCLUDED) ph.vasc.ha_occluded = 1, ph.vasc.t_occl = 0.0;
  if (c->zero & NO_TUMOR_FLOW) ph.p_t = 0.0;
  if ((c->terr & STASIS) && (c->terr & LIVER_PS) && c->kind == HS_ELIM_MM)
    init_ok(p, &ph, &d, &STASIS_EVENTS[1], 1); /* saturable: whole-liver stasis refused */
  else if (c->terr & STASIS) init_ok(p, &ph, &d, STASIS_EVENTS, NCASES(STASIS_EVENTS));
  else init_ok(p, &ph, &d, &WHOLE_LIVER, c->embolised ? 1 : 0);
  if (c->filtered) ck_assert_int_eq(hs_params_set_filter(p, &FILTER, 1, &err), HS_OK);
  HS_ASSERT_REL(p->drug.hepatic.cl + p->drug.hepatic.vmax,
                (1 - ph.vasc.cl_int_loss) * (d.hepatic.cl + d.hepatic.vmax), 1e-15);
  ctx->p = p;
  ctx->seg = (hs_segment){.r_iv = 11.3, .r_ha = 47.9, .r_pv = 23.1, .t0 = 0.0};
  /* an occluded artery is given no infusion (hs_regimen_withhold_ha) */
  if (c->zero & OCCLUDED) ctx->seg.r_iv += ctx->seg.r_ha, ctx->seg.r_ha = 0.0;
}

START_TEST(test_rhs_equations) {
  const config *c = &CONFIGS[_i];
  hs_params p;
  hs_rhs_ctx ctx;
  config_setup(c, &p, &ctx);
  double m_l = 1, m_t = 1, m_o = c->zero & OCCLUDED ? 0 : 1;
  if (c->embolised) m_l = m_t = 1 - 0.9 * exp(-M_LN2 * c->t / 0.5);
  m_l *= m_o, m_t *= m_o;
  uint64_t seed = 0x9e3779b97f4a7c15u;
  for (int k = 0; k < 5; k++) {
    double y[HS_NSTATE], dy[HS_NSTATE], want[HS_NSTATE];
    random_state(&seed, y);
    ck_assert_int_eq(hs_model_rhs(c->t, y, dy, &ctx), 0);
    model_md_rhs(&p, &ctx.seg, m_l, m_t, m_o, c->filtered ? FILTER.efficiency : 0, y, want);
    for (int i = 0; i < HS_NSTATE; i++)
      ck_assert_msg(fabs(dy[i] - want[i]) <= 1e-12 * (fabs(want[i]) + 1e3),
                    "%s: dy[%d] = %.15g, model.md %.15g", c->name, i, dy[i], want[i]);
  }
}
END_TEST

/* ---- Jacobian against central differences ------------------------------------------ */

static void jac_fd_check(double t, double *y, const hs_rhs_ctx *ctx) {
  double jac[HS_NSTATE * HS_NSTATE], fp[HS_NSTATE], fm[HS_NSTATE];
  ck_assert_int_eq(hs_model_jac(t, y, jac, ctx), 0);
  for (int j = 0; j < HS_NSTATE; j++) {
    const double yj = y[j], h = 1e-6 * fmax(fabs(yj), 1.0);
    y[j] = yj + h;
    hs_model_rhs(t, y, fp, ctx);
    y[j] = yj - h;
    hs_model_rhs(t, y, fm, ctx);
    y[j] = yj;
    for (int i = 0; i < HS_NSTATE; i++) {
      const double fd = (fp[i] - fm[i]) / (2 * h), an = jac[i * HS_NSTATE + j];
      /* a central difference cannot resolve better than the rounding of f itself, which
       * matters in the small uncovered vascular tumour space (mg in mL: |f| ~ 1e4) */
      const double round = 4 * DBL_EPSILON * fmax(fabs(fp[i]), fabs(fm[i])) / h;
      const double e = fmax(fabs(fd - an) - round, 0) / fmax(fmax(fabs(fd), fabs(an)), 1.0);
      ck_assert_msg(e <= 1e-6, "J[%d][%d] = %.12g, finite difference %.12g", i, j, an, fd);
    }
  }
}

START_TEST(test_jacobian_fd) {
  const config *c = &CONFIGS[_i];
  hs_params p;
  hs_rhs_ctx ctx;
  config_setup(c, &p, &ctx);
  uint64_t seed = 0x2545f4914f6cdd1du + (uint64_t)_i;
  for (int k = 0; k < 8; k++) {
    double y[HS_NSTATE];
    random_state(&seed, y);
    jac_fd_check(c->t, y, &ctx);
  }
}
END_TEST

/* ---- conservation ------------------------------------------------------------------- */

/* Sum of dA/dt plus sum of d(eliminated)/dt equals d(dosed)/dt. */
START_TEST(test_rhs_conserves_mass) {
  const config *c = &CONFIGS[_i];
  hs_params p;
  hs_rhs_ctx ctx;
  config_setup(c, &p, &ctx);
  const int terms[] = {HS_A_B,  HS_A_G,  HS_A_L,  HS_A_T,   HS_A_R,  HS_A_D,  HS_A_S,
                       HS_A_L2, HS_A_T2, HS_A_TE, HS_A_TE2, HS_A_GS, HS_A_SL, HS_A_ST,
                       HS_A_BL, HS_A_BT, HS_A_BL2, HS_A_BT2, HS_A_LE, HS_A_LE2, HS_EL_H, HS_EL_R,
                       HS_EL_X, HS_EL_T, HS_EL_F, HS_EL_B};
  uint64_t seed = 0xdeadbeefcafef00du + (uint64_t)_i;
  for (int k = 0; k < 20; k++) {
    double y[HS_NSTATE], dy[HS_NSTATE], sum = 0, mag = 0;
    random_state(&seed, y);
    hs_model_rhs(c->t, y, dy, &ctx);
    for (int i = 0; i < NCASES(terms); i++) {
      sum += dy[terms[i]];
      mag += fabs(dy[terms[i]]);
    }
    HS_ASSERT_REL(dy[HS_DOSED], 11.3 + 47.9 + 23.1, 1e-15);
    ck_assert_msg(fabs(sum - dy[HS_DOSED]) <= 1e-12 * fmax(fabs(dy[HS_DOSED]), mag),
                  "%s: balance %.17g vs dosed %.17g", c->name, sum, dy[HS_DOSED]);
  }
}
END_TEST

/* ---- embolisation --------------------------------------------------------------------- */

static double m_shape(double m_min, double t_half, double dt) {
  return 1 - (1 - m_min) * exp(-M_LN2 * dt / t_half);
}

typedef struct embo_case {
  hs_embolization ev[2];
  int n;
  double t, t0, want_l, want_t;
} embo_case;

#define WL HS_EMBO_WHOLE_LIVER
#define TU HS_EMBO_TUMOR
static const embo_case EMBO_CASES[] = {
    /* whole liver: at onset m = m_min, one half-life later halfway back */
    {{{WL, 1.5, 0.2, 0.75, 0, NAN, 0, 0, 0}}, 1, 1.5, 1.5, 0.2, 0.2},
    {{{WL, 1.5, 0.2, 0.75, 0, NAN, 0, 0, 0}}, 1, 2.25, 1.5, 0.6, 0.6},
    /* 1 - 0.8 * 2^(-0.885 / 0.75), segment started after onset */
    {{{WL, 1.5, 0.2, 0.75, 0, NAN, 0, 0, 0}}, 1, 2.385, 2.0, 0.646918801483738, 0.646918801483738},
    /* not active before onset: the segment starts before t_e */
    {{{WL, 1.5, 0.2, 0.75, 0, NAN, 0, 0, 0}}, 1, 2.385, 1.0, 1, 1},
    /* permanent occlusion stays at m_min */
    {{{WL, 0.5, 0.137, INFINITY, 0, NAN, 0, 0, 0}}, 1, 238.5, 0.5, 0.137, 0.137},
    /* tumour-selective moves m_T only */
    {{{TU, 0.0, 0.3, 2.0, 0, NAN, 0, 0, 0}}, 1, 2.0, 0.0, 1, 0.65},
    /* two events multiply; the second only once its segment has begun */
    {{{WL, 0.0, 0.1, 0.5, 0, NAN, 0, 0, 0}, {TU, 1.0, 0.3, INFINITY, 0, NAN, 0, 0, 0}}, 2, 0.5, 0.0, 0.55, 0.55},
    {{{WL, 0.0, 0.1, 0.5, 0, NAN, 0, 0, 0}, {TU, 1.0, 0.3, INFINITY, 0, NAN, 0, 0, 0}}, 2, 1.5, 1.0, 0.8875,
     0.8875 * 0.3},
    {{{WL, 0.0, 0.1, 0.5, 0, NAN, 0, 0, 0}, {WL, 1.0, 0.5, 1.0, 0, NAN, 0, 0, 0}}, 2, 2.0, 1.0, 0.94375 * 0.75,
     0.94375 * 0.75},
};

START_TEST(test_multipliers) {
  const embo_case *c = &EMBO_CASES[_i];
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  hs_params p;
  init_ok(&p, &ph, &d, c->ev, c->n);
  double m_l = 0, m_t = 0;
  hs_model_multipliers(&p, c->t, c->t0, &m_l, &m_t);
  HS_ASSERT_REL(m_l, c->want_l, 1e-14);
  HS_ASSERT_REL(m_t, c->want_t, 1e-14);
  /* an HA bolus splits m_L Q_LA : m_T Q_TA */
  HS_ASSERT_REL(hs_model_ha_liver_share(&p, c->t, c->t0),
                m_l * 20.34 / (m_l * 20.34 + m_t * 2.16), 1e-13);
}
END_TEST

START_TEST(test_shares_reference) {
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  hs_params p;
  init_ok(&p, &ph, &d, NULL, 0);
  HS_ASSERT_REL(hs_model_ha_liver_share(&p, 2.385, 0), 20.34 / 22.5, 1e-14);
  HS_ASSERT_REL(hs_model_pv_liver_share(&p), 67.26 / 67.5, 1e-14);
}
END_TEST

/* A TACE dose takes the immediate share of the carrier event in effect (the latest onset at
 * or before the dose; before every carrier, the earliest one), events without a carrier
 * (NAN) being passed over; that share enters exactly as an HA bolus, the rest the depot. */
START_TEST(test_tace_carrier_split) {
  hs_embolization ev[3] = {{TU, 5.0, 0.3, INFINITY, 0, 0.6, 0, 0, 0},
                           {WL, 2.0, 0.5, 1.0, 0, NAN, 0, 0, 0},
                           {TU, 1.0, 0.2, INFINITY, 0, 0.2385, 0, 0, 0}};
  static const double t[] = {0.5, 1.0, 3.0, 4.999, 5.0, 7.0};
  static const double want[] = {0.2385, 0.2385, 0.2385, 0.2385, 0.6, 0.6};
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  hs_params p;
  init_ok(&p, &ph, &d, ev, 3);
  for (int i = 0; i < NCASES(t); i++)
    ck_assert_msg(hs_model_tace_immediate(&p, t[i]) == want[i], "t = %g", t[i]);
  double y[HS_NSTATE] = {0}, ha[HS_NSTATE] = {0};
  hs_model_dose(&p, HS_ROUTE_TACE, 3.0, 238.5, y);
  hs_model_dose(&p, HS_ROUTE_HA, 3.0, 0.2385 * 238.5, ha);
  ck_assert(y[HS_A_L] == ha[HS_A_L] && y[HS_A_T] == ha[HS_A_T]);
  HS_ASSERT_REL(y[HS_A_L], hs_model_ha_liver_share(&p, 3.0, 3.0) * 0.2385 * 238.5, 1e-15);
  HS_ASSERT_REL(y[HS_A_D], (1 - 0.2385) * 238.5, 1e-15);
  HS_ASSERT_REL(y[HS_A_L] + y[HS_A_T] + y[HS_A_D], 238.5, 1e-15);
  ck_assert(y[HS_DOSED] == 238.5 && y[HS_A_B] == 0 && y[HS_A_G] == 0);
  /* share 0: the whole dose in the depot, to the bit; share 1: the HA bolus, to the bit */
  const double share[2] = {0, 1};
  for (int k = 0; k < 2; k++) {
    ev[0].f_imm = ev[2].f_imm = share[k];
    init_ok(&p, &ph, &d, ev, 3);
    double got[HS_NSTATE] = {0}, ref[HS_NSTATE] = {0};
    hs_model_dose(&p, HS_ROUTE_TACE, 6.0, 238.5, got);
    if (k == 0) ref[HS_A_D] = ref[HS_DOSED] = 238.5;
    else hs_model_dose(&p, HS_ROUTE_HA, 6.0, 238.5, ref);
    ck_assert(memcmp(got, ref, sizeof got) == 0);
  }
  /* no carrier event: the depot takes the whole dose */
  init_ok(&p, &ph, &d, &ev[1], 1);
  ck_assert(hs_model_tace_immediate(&p, 3.0) == 0);
  init_ok(&p, &ph, &d, NULL, 0);
  ck_assert(hs_model_tace_immediate(&p, 3.0) == 0);
}
END_TEST

/* With blood only, embolised arterial flow is returned to the rest of body and the
 * organs together still receive Q_CO C_B. */
START_TEST(test_cardiac_output_conserved) {
  hs_embolization ev[2] = {{WL, 0.0, 0.1, 0.5, 0, NAN, 0, 0, 0}, {TU, 0.2, 0.35, INFINITY, 0, NAN, 0, 0, 0}};
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  d.hepatic.cl = 0;
  hs_params p;
  init_ok(&p, &ph, &d, ev, 2);
  hs_rhs_ctx ctx = {&p, {.t0 = 0.25}};
  double y[HS_NSTATE] = {0}, dy[HS_NSTATE], m_l, m_t;
  y[HS_A_B] = 2.385 * ph.v_b; /* C_B = 2.385 mg/L */
  hs_model_rhs(0.37, y, dy, &ctx);
  hs_model_multipliers(&p, 0.37, 0.25, &m_l, &m_t);
  HS_ASSERT_REL(m_l, m_shape(0.1, 0.5, 0.37), 1e-14);
  HS_ASSERT_REL(m_t, m_shape(0.1, 0.5, 0.37) * 0.35, 1e-14);
  const double q_ha_t = m_l * 20.34 + m_t * 2.16;
  HS_ASSERT_REL(dy[HS_A_L], m_l * 20.34 * 2.385, 1e-13);
  HS_ASSERT_REL(dy[HS_A_T], m_t * 2.16 * 2.385, 1e-13);
  HS_ASSERT_REL(dy[HS_A_G], 67.5 * 2.385, 1e-13);
  HS_ASSERT_REL(dy[HS_A_R], (336 - q_ha_t - 67.5) * 2.385, 1e-13);
  HS_ASSERT_REL(dy[HS_A_L] + dy[HS_A_T] + dy[HS_A_G] + dy[HS_A_R], 336 * 2.385, 1e-13);
  HS_ASSERT_REL(dy[HS_A_B], -336 * 2.385, 1e-13);
}
END_TEST

/* ---- analytic quantities -------------------------------------------------------------- */

typedef struct analytic_case {
  double f_td, cl_int, cl_r, cl_x;
  double q_l_eff, phi_l, pv_share; /* Q_L', phi_L, (Q_LP + f_TD Q_TP) / Q_PV */
} analytic_case;

static const analytic_case ANALYTIC[] = {
    {0.0, 1664.4, 0, 0, 87.6, 20.34 / 22.5, 67.26 / 67.5},
    {0.0, 61.3, 7.1, 12.3, 87.6, 20.34 / 22.5, 67.26 / 67.5},
    {0.6, 1664.4, 7.1, 12.3, 89.04, 21.636 / 22.5, 67.404 / 67.5},
    {1.0, 238.5, 0, 2.385, 90.0, 1.0, 1.0},
};

START_TEST(test_analytic) {
  const analytic_case *c = &ANALYTIC[_i];
  hs_physiology ph = ref_phys();
  hs_drug d = ref_drug();
  ph.f_td = c->f_td;
  d.hepatic.cl = c->cl_int;
  d.cl_r = c->cl_r;
  d.extrahepatic.cl = c->cl_x;
  hs_params p;
  init_ok(&p, &ph, &d, NULL, 0);
  hs_analytic a;
  hs_model_analytic(&p, &a);
  const double e_l = c->cl_int / (c->q_l_eff + c->cl_int);
  HS_ASSERT_REL(a.q_l_eff, c->q_l_eff, 1e-14);
  HS_ASSERT_REL(a.e_l, e_l, 1e-14);
  HS_ASSERT_REL(a.cl_tb, c->cl_r + c->cl_x + c->q_l_eff * e_l, 1e-14);
  HS_ASSERT_REL(a.phi_l, c->phi_l, 1e-14);
  HS_ASSERT_REL(a.f_ha_bioavail, 1 - c->phi_l * e_l, 1e-13);
  HS_ASSERT_REL(a.f_pv_bioavail, 1 - c->pv_share * e_l, 1e-13);
  if (_i == 0) HS_ASSERT_REL(a.e_l, 0.95, 1e-14);
}
END_TEST

/* ---- reported concentrations ---------------------------------------------------------- */

START_TEST(test_concentrations) {
  const config *c = &CONFIGS[3]; /* MM, embolised */
  hs_params p;
  hs_rhs_ctx ctx;
  config_setup(c, &p, &ctx);
  const double y[HS_NSTATE] = {[HS_A_B] = 23.85, [HS_A_G] = 4.7, [HS_A_L] = 6.1,
                               [HS_A_T] = 0.9, [HS_A_R] = 51.3, [HS_A_D] = 12.5};
  hs_conc cc;
  hs_model_concentrations(c->t, y, &ctx, &cc);
  const double m = m_shape(0.1, 0.5, c->t), c_b = 23.85 / 5;
  HS_ASSERT_REL(cc.blood, c_b, 1e-14);
  HS_ASSERT_REL(cc.plasma, c_b / 1.37, 1e-14);
  HS_ASSERT_REL(cc.liver, 6.1 / 1.8, 1e-14);
  HS_ASSERT_REL(cc.tumor, 0.9 / 0.1, 1e-14);
  HS_ASSERT_REL(cc.tumor_venous, 0.9 / 0.1 / 1.9, 1e-14);
  HS_ASSERT_REL(cc.hepatic_artery, c_b + 47.9 / (m * 20.34 + m * 2.16), 1e-14);
  HS_ASSERT_REL(cc.portal_vein, 4.7 / 1.5 / 2.385 + 23.1 / 67.5, 1e-14);
  HS_ASSERT_REL(cc.depot_mg, 12.5, 1e-15);
  /* hepatic veins: the liver's outflow (f_TD 0.6 of the tumour's through it) and the
   * tumour's direct share 0.4, mixed by flow, as plasma */
  const double q_tout = m * 2.16 + 0.24, q_lout = m * 20.34 + 67.26 + 0.6 * q_tout;
  const double c_lv = 6.1 / 1.8 / 0.7, c_tv = 0.9 / 0.1 / 1.9;
  HS_ASSERT_REL(cc.hepatic_vein,
                (q_lout * c_lv + 0.4 * q_tout * c_tv) / (q_lout + 0.4 * q_tout) / 1.37, 1e-13);
}
END_TEST

/* ---- coupled species ----------------------------------------------------------------- */

/* Every option on for the parent (saturable, embolised, filtered, binding, slow tissue,
 * catheter territory, gastric misperfusion, permeability-limited tumour), a
 * metabolite formed by its hepatic route and a bound species formed by binding. */
static void system_setup(const config *c, hs_params p[3], hs_system_ctx *ctx) {
  hs_rhs_ctx one;
  config_setup(c, &p[0], &one);
  hs_physiology ph = p[0].phys;
  hs_drug met = full_drug(HS_ELIM_LINEAR), bnd = full_drug(HS_ELIM_MM);
  met.q_s = 3.3, met.v_s = 77;
  if (c->terr & LIVER_PS) met.ps_l = 23.0; /* forms in, and leaves, its own hepatocytes */
  bnd.cl_bind = 0.4;
  init_ok(&p[1], &ph, &met, &WHOLE_LIVER, 1);
  init_ok(&p[2], &ph, &bnd, &WHOLE_LIVER, 1);
  memset(ctx, 0, sizeof *ctx);
  ctx->ns = 3;
  for (int k = 0; k < 3; k++) ctx->sp[k] = (hs_rhs_ctx){.p = &p[k], .seg = {.t0 = 0}};
  ctx->sp[0].seg = one.seg;
  ctx->link[1] = (hs_species_link){0, HS_FORM_HEPATIC, 0.73};
  ctx->link[2] = (hs_species_link){0, HS_FORM_BINDING, 0.49};
}

START_TEST(test_system_jacobian_and_balance) {
  enum { N = 3 * HS_NSTATE };
  hs_params p[3];
  hs_system_ctx ctx;
  /* every option on, without and with an occluded hepatic artery, and with stasis and
   * local retention */
  const int which[] = {N_ORACLE - 1, N_ORACLE - 2, NCASES(CONFIGS) - 1};
  system_setup(&CONFIGS[which[_i]], p, &ctx);
  uint64_t seed = 0x51ab1e5eedu;
  static double jac[N * N];
  for (int k = 0; k < 4; k++) {
    double y[N], f0[N], fp[N], fm[N];
    for (int b = 0; b < 3; b++) random_state(&seed, y + b * HS_NSTATE);
    hs_system_rhs(0.37, y, f0, &ctx);
    hs_system_jac(0.37, y, jac, &ctx);
    for (int j = 0; j < N; j++) {
      const double yj = y[j], h = 1e-6 * fmax(fabs(yj), 1.0);
      y[j] = yj + h;
      hs_system_rhs(0.37, y, fp, &ctx);
      y[j] = yj - h;
      hs_system_rhs(0.37, y, fm, &ctx);
      y[j] = yj;
      for (int i = 0; i < N; i++) {
        const double fd = (fp[i] - fm[i]) / (2 * h), an = jac[i * N + j];
        ck_assert_msg(fabs(fd - an) / fmax(fmax(fabs(fd), fabs(an)), 1.0) <= 1e-6,
                      "J[%d][%d] = %.12g, finite difference %.12g", i, j, an, fd);
      }
    }
    /* each species balances with its formation as input; formation = yield * route */
    for (int b = 0; b < 3; b++) {
      const double *d = f0 + b * HS_NSTATE;
      double sum = d[HS_EL_H] + d[HS_EL_R] + d[HS_EL_X] + d[HS_EL_T] + d[HS_EL_F] + d[HS_EL_B];
      for (int i = 0; i < HS_N_AMOUNTS; i++) sum += d[i];
      for (int i = HS_A_L2; i <= HS_A_LE2; i++) sum += d[i]; /* the extensions' amounts */
      ck_assert_msg(fabs(sum - d[HS_DOSED]) <= 1e-10 * fabs(d[HS_DOSED]),
                    "species %d: %.17g vs %.17g", b, sum, d[HS_DOSED]);
    }
    HS_ASSERT_REL(f0[HS_NSTATE + HS_DOSED], 0.73 * f0[HS_EL_H], 1e-15);
    HS_ASSERT_REL(f0[2 * HS_NSTATE + HS_DOSED], 0.49 * f0[HS_EL_B], 1e-15);
  }
}
END_TEST

/* The resolved model (hs_resolved.h): every field named once; a saturable drug reports Vmax
 * and Km and enters the identities with CL = Vmax / Km; a linear one has NaN there. */
START_TEST(test_resolved) {
  int n;
  const hs_resolved_field *f = hs_resolved_fields(&n);
  ck_assert_int_le(n, HS_RESOLVED_MAX);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) ck_assert_str_ne(f[i].name, f[j].name);
  hs_physiology ph = full_phys();
  hs_drug mm = full_drug(HS_ELIM_MM), lin = mm;
  lin.hepatic = (hs_elimination){HS_ELIM_LINEAR, 3000.0 / 5, 0, 0};
  lin.extrahepatic = (hs_elimination){HS_ELIM_LINEAR, 2000.0 / 5, 0, 0};
  hs_params pm, pl;
  init_ok(&pm, &ph, &mm, NULL, 0);
  init_ok(&pl, &ph, &lin, NULL, 0);
  double vm[HS_RESOLVED_MAX], vl[HS_RESOLVED_MAX];
  hs_resolved(&pm, 1.85, vm);
  hs_resolved(&pl, 1.85, vl);
  hs_analytic a;
  hs_model_analytic(&pl, &a);
  for (int i = 0; i < n; i++) {
    double want = !strcmp(f[i].name, "e_l") ? a.e_l : !strcmp(f[i].name, "r_d") ? a.r_d
                : !strcmp(f[i].name, "cl_tb") ? a.cl_tb : !strcmp(f[i].name, "q_ta") ? pl.fl.q_ta
                : !strcmp(f[i].name, "bsa") ? 1.85 : NAN;
    if (!isnan(want)) HS_ASSERT_REL(vl[i], want, 1e-15);
    if (!strcmp(f[i].name, "vmax_hepatic")) ck_assert(vm[i] == 3000 && isnan(vl[i]));
    else if (!strcmp(f[i].name, "km_hepatic")) ck_assert(vm[i] == 5 && isnan(vl[i]));
    else HS_ASSERT_REL(vm[i], vl[i], 1e-15); /* below Km the two drugs are one */
  }
}
END_TEST

Suite *hs_suite_model(void) {
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("params");
  tcase_add_test(tc, test_flows_reference);
  tcase_add_loop_test(tc, test_params_reject, 0, NCASES(BAD_PARAMS));
  tcase_add_loop_test(tc, test_embo_reject, 0, NCASES(BAD_EMBO));
  suite_add_tcase(s, tc);
  tc = tcase_create("rhs");
  tcase_add_loop_test(tc, test_rhs_equations, 0, N_ORACLE);
  tcase_add_loop_test(tc, test_jacobian_fd, 0, NCASES(CONFIGS));
  tcase_add_loop_test(tc, test_system_jacobian_and_balance, 0, 3);
  tcase_add_loop_test(tc, test_rhs_conserves_mass, 0, NCASES(CONFIGS));
  tcase_add_test(tc, test_concentrations);
  suite_add_tcase(s, tc);
  tc = tcase_create("embolisation");
  tcase_add_loop_test(tc, test_multipliers, 0, NCASES(EMBO_CASES));
  tcase_add_test(tc, test_shares_reference);
  tcase_add_test(tc, test_tace_carrier_split);
  tcase_add_test(tc, test_cardiac_output_conserved);
  suite_add_tcase(s, tc);
  tc = tcase_create("analytic");
  tcase_add_loop_test(tc, test_analytic, 0, NCASES(ANALYTIC));
  tcase_add_test(tc, test_resolved);
  suite_add_tcase(s, tc);
  return s;
}
