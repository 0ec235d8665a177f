/* resolved.c - the resolved model of one drug (hs_resolved.h): the quantities a run used
 * and model.md's analytic identities, in one table. */
#include "hs_resolved.h"

#include <math.h>

enum {
  R_BSA, R_Q_CO, R_Q_H, R_Q_HA, R_Q_PV, R_Q_LA, R_Q_LP, R_Q_TA, R_Q_TP, R_Q_R,
  R_V_B, R_V_G, R_V_L, R_V_R, R_V_T, R_V_TV, R_BP, R_KP_G, R_KP_L, R_KP_T, R_KP_R,
  R_CL_INT, R_VMAX_H, R_KM_H, R_CL_X, R_CL_R, R_CL_T, R_CL_BIND, R_K_REL, R_KB_L, R_KB_T,
  R_E_L, R_F_HA, R_CL_TB, R_R_D, R_N
};

_Static_assert(R_N <= HS_RESOLVED_MAX, "HS_RESOLVED_MAX too small");

static const hs_resolved_field FIELDS[R_N] = {
    [R_BSA] = {"bsa", "m2", "body surface area"},
    [R_Q_CO] = {"q_co", "L/h", "cardiac output Q_CO"},
    [R_Q_H] = {"q_h", "L/h", "total hepatic inflow Q_H"},
    [R_Q_HA] = {"q_ha", "L/h", "hepatic arterial flow Q_HA"},
    [R_Q_PV] = {"q_pv", "L/h", "portal venous flow Q_PV"},
    [R_Q_LA] = {"q_la", "L/h", "normal-liver arterial flow Q_LA"},
    [R_Q_LP] = {"q_lp", "L/h", "normal-liver portal flow Q_LP"},
    [R_Q_TA] = {"q_ta", "L/h", "tumour arterial flow Q_TA"},
    [R_Q_TP] = {"q_tp", "L/h", "tumour portal flow Q_TP"},
    [R_Q_R] = {"q_r", "L/h", "rest-of-body flow Q_R"},
    [R_V_B] = {"v_b", "L", "blood volume V_B"},
    [R_V_G] = {"v_g", "L", "splanchnic volume V_G"},
    [R_V_L] = {"v_l", "L", "liver volume V_L"},
    [R_V_R] = {"v_r", "L", "rest-of-body volume V_R"},
    [R_V_T] = {"v_t", "L", "tumour volume V_T"},
    [R_V_TV] = {"v_tv", "L", "viable (perfused) tumour volume"},
    [R_BP] = {"bp", "1", "blood:plasma ratio BP"},
    [R_KP_G] = {"kp_g", "1", "splanchnic partition coefficient"},
    [R_KP_L] = {"kp_l", "1", "liver partition coefficient"},
    [R_KP_T] = {"kp_t", "1", "tumour partition coefficient"},
    [R_KP_R] = {"kp_r", "1", "rest-of-body partition coefficient"},
    [R_CL_INT] = {"cl_int", "L/h", "hepatic intrinsic clearance (saturable: Vmax / Km)"},
    [R_VMAX_H] = {"vmax_hepatic", "mg/h", "hepatic Vmax (NaN: linear)"},
    [R_KM_H] = {"km_hepatic", "mg/L", "hepatic Km (NaN: linear)"},
    [R_CL_X] = {"cl_extrahepatic", "L/h", "extrahepatic clearance (saturable: Vmax / Km)"},
    [R_CL_R] = {"cl_renal", "L/h", "renal clearance (blood)"},
    [R_CL_T] = {"cl_tumor", "L/h", "tumour clearance"},
    [R_CL_BIND] = {"cl_bind", "L/h", "irreversible binding clearance in blood"},
    [R_K_REL] = {"k_rel", "1/h", "depot release rate"},
    [R_KB_L] = {"k_bind_liver", "1/h", "binding rate in the liver (local retention)"},
    [R_KB_T] = {"k_bind_tumor", "1/h", "binding rate in the tumour (local retention)"},
    [R_E_L] = {"e_l", "1", "hepatic extraction E_L (model.md)"},
    [R_F_HA] = {"f_ha", "1", "hepatic-arterial availability F_HA = 1 - phi_L E_L (identity 1)"},
    [R_CL_TB] = {"cl_tb", "L/h", "total blood clearance CL_TB (model.md)"},
    [R_R_D] = {"r_d", "1", "regional advantage R_d of identity 4"},
};

const hs_resolved_field *hs_resolved_fields(int *n) {
  *n = R_N;
  return FIELDS;
}

/* A route's clearance at concentrations far below Km. */
static double low_conc_cl(const hs_elimination *e) {
  return e->kind == HS_ELIM_LINEAR ? e->cl : e->vmax / e->km;
}

void hs_resolved(const hs_params *p, double bsa_m2, double *v) {
  const hs_physiology *ph = &p->phys;
  const hs_flows *f = &p->fl;
  const hs_drug *d = &p->drug;
  const int mm = d->hepatic.kind == HS_ELIM_MM;
  double flows[] = {ph->q_co, ph->q_h, f->q_ha, f->q_pv, f->q_la, f->q_lp, f->q_ta, f->q_tp,
                    f->q_r};
  double vols[] = {ph->v_b, ph->v_g, ph->v_l, ph->v_r, ph->v_t, f->v_tv};
  v[R_BSA] = bsa_m2;
  for (int i = 0; i < 9; i++) v[R_Q_CO + i] = flows[i];
  for (int i = 0; i < 6; i++) v[R_V_B + i] = vols[i];
  v[R_BP] = d->bp, v[R_KP_G] = d->kp_g, v[R_KP_L] = d->kp_l, v[R_KP_T] = d->kp_t;
  v[R_KP_R] = d->kp_r;
  v[R_CL_INT] = low_conc_cl(&d->hepatic);
  v[R_VMAX_H] = mm ? d->hepatic.vmax : NAN;
  v[R_KM_H] = mm ? d->hepatic.km : NAN;
  v[R_CL_X] = low_conc_cl(&d->extrahepatic);
  v[R_CL_R] = d->cl_r, v[R_CL_T] = d->cl_t, v[R_CL_BIND] = d->cl_bind, v[R_K_REL] = d->k_rel;
  v[R_KB_L] = d->k_bind_l, v[R_KB_T] = d->k_bind_t;
  hs_params lin = *p; /* the analytic identities are linear: saturable routes below Km */
  lin.drug.hepatic = (hs_elimination){HS_ELIM_LINEAR, v[R_CL_INT], 0, 0};
  lin.drug.extrahepatic = (hs_elimination){HS_ELIM_LINEAR, v[R_CL_X], 0, 0};
  hs_analytic a;
  hs_model_analytic(&lin, &a);
  v[R_E_L] = a.e_l, v[R_F_HA] = a.f_ha_bioavail, v[R_CL_TB] = a.cl_tb, v[R_R_D] = a.r_d;
}
