/* check_territory.c - the catheter territory, gastric misperfusion and permeability-
 * limited tumour (docs/model.md extension) through the solver: neutral settings against
 * the identities in closed form, lobar and segmental infusion, the misperfusion identity,
 * the permeability limit, extension states in traces. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hs_scenario.h"
#include "hs_solver.h"
#include "hs_test.h"

static const hs_sim_opts OPTS = {.t_end = 60, .dt_out = 0.25, .rtol = 1e-8, .atol = 1e-10};


/* The reference patient with f_TD 0.6 and the s1 drug, with the territory options t. */
static void terr_params(hs_params *p, const hs_territory *t) {
  hs_error err;
  hs_physiology ph = hs_test_ref_phys(0.25, 0.6);
  ph.terr = *t;
  hs_drug dr = hs_test_linear_drug();
  dr.kp_t = 1.9; /* Kp_T above the vascular fraction: a permeability-limited tumour is valid */
  ck_assert_msg(hs_params_init(p, &ph, &dr, NULL, 0, &err) == HS_OK, "%s", err.msg);
}

static void assert_same_metrics(const hs_metrics *a, const hs_metrics *b, double tol,
                                const char *what) {
  const double x[] = {a->auc_plasma, a->auc_tumor, a->auc_liver, a->auc_tumor_venous,
                      a->cmax_plasma, a->cmax_tumor, a->fraction_eliminated_liver};
  const double y[] = {b->auc_plasma, b->auc_tumor, b->auc_liver, b->auc_tumor_venous,
                      b->cmax_plasma, b->cmax_tumor, b->fraction_eliminated_liver};
  for (int i = 0; i < 7; i++)
    ck_assert_msg(fabs(x[i] - y[i]) <= tol * fabs(y[i]), "%s: metric %d: %.12g vs reference "
                  "%.12g", what, i, x[i], y[i]);
}

/* No option, and each option at its neutral setting (coverage 1, misperfusion 0 with the
 * gastric compartment present, PS very large), gives model.md's identities 1-3 for an HA
 * infusion in closed form (hs_model_analytic, not the ODE code) to 1e-6, and the options
 * give the no-option run's Cmax and tumour AUC to 1e-6; an IV dose, which reaches both
 * territories alike, is unchanged by a 60 %/70 % territory split. */
START_TEST(test_territory_neutral) {
  static const hs_territory neutral[] = {
      {0},
      {.catheter = 1, .position = HS_CATH_PROPER, .liver_cov = 1, .tumor_cov = 1},
      {.gastric = 1, .mis_share = 0, .phi_gs = 1 / 19.0},
      {.ps = 1e7, .f_vas = 0.1}};
  static const char *what[] = {"no option", "coverage 1", "share 0", "PS 1e7"};
  static const hs_sim_opts o = {.t_end = 48, .dt_out = 0.25, .rtol = 1e-10, .atol = 1e-12};
  const double d = 238.5;
  hs_params ref, p;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  terr_params(&ref, &(hs_territory){0});
  hs_metrics want = hs_test_run_one(s, &ref, HS_ROUTE_HA, d, 2.0, &o, NULL);
  for (int i = 0; i < 4; i++) {
    terr_params(&p, &neutral[i]);
    ck_assert_int_eq(p.ext, i > 1); /* coverage 1 lays out the reference model's one part */
    hs_analytic an;
    hs_model_analytic(&p, &an);
    hs_metrics got = hs_test_run_one(s, &p, HS_ROUTE_HA, d, 2.0, &o, NULL);
    ck_assert_msg(fabs(got.auc_blood / (d * an.f_ha_bioavail / an.cl_tb) - 1) <= 1e-6,
                  "%s: AUC_B %.12g, identities 1-2 %.12g", what[i], got.auc_blood,
                  d * an.f_ha_bioavail / an.cl_tb);
    const double tv = got.auc_blood + p.phys.f_ta * d / p.fl.q_ha; /* identity 3 */
    ck_assert_msg(fabs(got.auc_tumor_venous / tv - 1) <= 1e-6, "%s: AUC_Tv %.12g, identity "
                  "3 %.12g", what[i], got.auc_tumor_venous, tv);
    assert_same_metrics(&got, &want, 1e-6, what[i]);
  }
  hs_metrics iv_ref = hs_test_run_one(s, &ref, HS_ROUTE_IV, 238.5, 2.0, &o, NULL);
  terr_params(&p, &(hs_territory){.catheter = 1, .liver_cov = 0.6, .tumor_cov = 0.7});
  hs_metrics iv = hs_test_run_one(s, &p, HS_ROUTE_IV, 238.5, 2.0, &o, NULL);
  assert_same_metrics(&iv, &iv_ref, 1e-6, "IV dose, split territory");
  /* with equal shares of liver and tumour the two territories are identical */
  terr_params(&p, &(hs_territory){.catheter = 1, .liver_cov = 0.6, .tumor_cov = 0.6});
  iv = hs_test_run_one(s, &p, HS_ROUTE_IV, 238.5, 2.0, &o, NULL);
  HS_ASSERT_REL(iv.auc_liver_covered, iv.auc_liver_uncovered, 1e-6);
  HS_ASSERT_REL(iv.auc_tumor_covered, iv.auc_tumor_uncovered, 1e-6);
  hs_solver_free(s);
}
END_TEST

/* Lobar infusion (60 % of the liver, all the tumour) vs whole-liver infusion of the same
 * dose: the covered liver sees more, the uncovered less; the tumour (all covered) more. */
START_TEST(test_lobar_infusion) {
  hs_params whole, lobar, seg;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  terr_params(&whole, &(hs_territory){0});
  terr_params(&lobar, &(hs_territory){.catheter = 1, .position = HS_CATH_LOBAR,
                                      .liver_cov = 0.6, .tumor_cov = 1});
  terr_params(&seg, &(hs_territory){.catheter = 1, .position = HS_CATH_SEGMENTAL,
                                    .liver_cov = 0.2, .tumor_cov = 0.5});
  hs_metrics w = hs_test_run_one(s, &whole, HS_ROUTE_HA, 238.5, 2.0, &OPTS, NULL);
  hs_metrics l = hs_test_run_one(s, &lobar, HS_ROUTE_HA, 238.5, 2.0, &OPTS, NULL);
  hs_metrics g = hs_test_run_one(s, &seg, HS_ROUTE_HA, 238.5, 2.0, &OPTS, NULL);
  ck_assert(isnan(w.auc_liver_uncovered) && isnan(l.auc_tumor_uncovered));
  HS_ASSERT_REL(w.auc_liver_covered, w.auc_liver, 1e-15);
  ck_assert_msg(l.auc_liver_covered > 1.2 * w.auc_liver, "covered %g vs whole %g",
                l.auc_liver_covered, w.auc_liver);
  ck_assert_msg(l.auc_liver_uncovered < 0.5 * w.auc_liver, "uncovered %g vs whole %g",
                l.auc_liver_uncovered, w.auc_liver);
  ck_assert_msg(l.auc_tumor > w.auc_tumor, "tumour %g vs %g", l.auc_tumor, w.auc_tumor);
  /* the whole-organ AUC is the volume-weighted mean of the territories */
  HS_ASSERT_REL(0.6 * l.auc_liver_covered + 0.4 * l.auc_liver_uncovered, l.auc_liver, 1e-12);
  ck_assert(g.auc_tumor_covered > w.auc_tumor && g.auc_tumor_uncovered < w.auc_tumor);
  ck_assert(g.auc_liver_covered > l.auc_liver_covered);
  ck_assert_msg(l.mass_balance_error < 1e-6 && g.mass_balance_error < 1e-6, "%g %g",
                l.mass_balance_error, g.mass_balance_error);
  hs_solver_free(s);
}
END_TEST

/* A share s of an HA dose misperfused to the stomach leaves it by the portal vein, so for a
 * linear drug AUC_B = D / CL_TB * ((1 - s) F_HA + s F_PV) (identities 1 and 2). */
START_TEST(test_gastric_misperfusion) {
  hs_params p, ref;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  const double d = 238.5, share = 0.2;
  terr_params(&ref, &(hs_territory){0});
  terr_params(&p, &(hs_territory){.gastric = 1, .mis_share = share, .phi_gs = 1 / 19.0});
  hs_analytic an;
  hs_model_analytic(&p, &an);
  static const hs_sim_opts o = {.t_end = 80, .dt_out = 0.25, .rtol = 1e-9, .atol = 1e-12};
  for (int k = 0; k < 2; k++) { /* bolus and 2-h infusion */
    hs_metrics m = hs_test_run_one(s, &p, HS_ROUTE_HA, d, k ? 2.0 : 0.0, &o, NULL);
    hs_metrics r = hs_test_run_one(s, &ref, HS_ROUTE_HA, d, k ? 2.0 : 0.0, &o, NULL);
    HS_ASSERT_REL(m.auc_blood, d / an.cl_tb * ((1 - share) * an.f_ha_bioavail +
                                               share * an.f_pv_bioavail), 1e-4);
    ck_assert(m.auc_gastric > 0 && m.cmax_gastric > 0);
    ck_assert(isnan(r.auc_gastric) && isnan(r.cmax_gastric));
    ck_assert_msg(m.auc_tumor < r.auc_tumor, "tumour %g vs %g", m.auc_tumor, r.auc_tumor);
    ck_assert(m.mass_balance_error < 1e-6);
  }
  hs_solver_free(s);
}
END_TEST

/* A small PS slows exchange with the extravascular space: a lower tumour Cmax, and with
 * tumour clearance (which acts there) a lower AUC. Without tumour clearance the tumour AUC
 * does not depend on PS (the net exchange integrates to 0), the AUC the flows fix. Kp_T
 * at or below f_vas is refused. */
START_TEST(test_permeability_limited) {
  hs_params flow, perm, bad;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  static const hs_sim_opts o = {.t_end = 200, .dt_out = 0.25, .rtol = 1e-9, .atol = 1e-12};
  const hs_territory ps = {.ps = 0.05, .f_vas = 0.1};
  terr_params(&flow, &(hs_territory){0});
  terr_params(&perm, &ps);
  hs_metrics f = hs_test_run_one(s, &flow, HS_ROUTE_HA, 238.5, 2.0, &o, NULL);
  hs_metrics m = hs_test_run_one(s, &perm, HS_ROUTE_HA, 238.5, 2.0, &o, NULL);
  HS_ASSERT_REL(m.auc_tumor, f.auc_tumor, 1e-4);
  ck_assert_msg(m.cmax_tumor < 0.5 * f.cmax_tumor, "PS 0.05 L/h: Cmax %g vs flow-limited %g",
                m.cmax_tumor, f.cmax_tumor);
  ck_assert(m.mass_balance_error < 1e-6);
  flow.drug.cl_t = perm.drug.cl_t = 0.5; /* tumour clearance, L/h */
  f = hs_test_run_one(s, &flow, HS_ROUTE_HA, 238.5, 2.0, &o, NULL);
  m = hs_test_run_one(s, &perm, HS_ROUTE_HA, 238.5, 2.0, &o, NULL);
  ck_assert_msg(m.auc_tumor < 0.9 * f.auc_tumor, "with CL_T: AUC %g vs flow-limited %g",
                m.auc_tumor, f.auc_tumor);
  ck_assert_msg(m.fraction_eliminated_tumor < f.fraction_eliminated_tumor, "%g vs %g",
                m.fraction_eliminated_tumor, f.fraction_eliminated_tumor);
  hs_physiology ph = hs_test_ref_phys(0.25, 0.6);
  ph.terr = (hs_territory){.ps = 2, .f_vas = 0.1};
  hs_drug dr = hs_test_linear_drug();
  dr.kp_t = 0.08;
  ck_assert_int_eq(hs_params_init(&bad, &ph, &dr, NULL, 0, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "permeability-limited tumour: Kp_T = 0.08 must exceed the vascular "
                   "fraction f_vas = 0.1 (Kp_ev = (Kp_T - f_vas) / (1 - f_vas) must be > 0)");
  hs_solver_free(s);
}
END_TEST

/* ---- permeability-limited liver ------------------------------------------------------ */

/* The reference patient (f_TD 0.6) and a linear drug with Kp_L 4 whose liver is
 * permeability-limited with PS_L (0: flow-limited) and vascular share 0.2; cl_int its
 * intrinsic clearance. */
static void liver_params_embo(hs_params *p, double ps_l, double cl_int,
                              const hs_embolization *e, int n_embo) {
  hs_error err;
  hs_physiology ph = hs_test_ref_phys(0.25, 0.6);
  ph.f_vas_l = 0.2;
  hs_drug dr = hs_test_linear_drug();
  dr.kp_l = 4.0, dr.ps_l = ps_l, dr.hepatic.cl = cl_int;
  ck_assert_msg(hs_params_init(p, &ph, &dr, e, n_embo, &err) == HS_OK, "%s", err.msg);
}

static void liver_params(hs_params *p, double ps_l, double cl_int) {
  liver_params_embo(p, ps_l, cl_int, NULL, 0);
}

/* Over all time the hepatocytes take up PS (AUC_v - AUC_e) and eliminate CL_int AUC_e, so
 * AUC_e = PS AUC_v / (PS + CL_int): in every AUC the permeability-limited liver is the
 * flow-limited one with CL_int' = PS CL_int / (PS + CL_int). Identities 1, 2 and 4 with
 * CL_int' in closed form (hs_model_analytic), solved exactly over 2000 h, to 1e-9; and by
 * CVODE for the IV dose to 1e-4. */
START_TEST(test_liver_permeability_identities) {
  const double ps = 37.0, cl_int = 160.0, cl_eff = ps * cl_int / (ps + cl_int), d = 238.5;
  hs_params p, twin;
  liver_params(&p, ps, cl_int);
  liver_params(&twin, 0.0, cl_eff);
  hs_analytic an;
  hs_model_analytic(&twin, &an);
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_sim_opts o = OPTS;
  o.t_end = 2000, o.method = HS_SOLVER_EXACT;
  hs_metrics ha = hs_test_run_one(s, &p, HS_ROUTE_HA, d, 2.0, &o, NULL);
  hs_metrics iv = hs_test_run_one(s, &p, HS_ROUTE_IV, d, 2.0, &o, NULL);
  HS_ASSERT_REL(iv.auc_blood, d / an.cl_tb, 1e-9);                       /* identity 2 */
  HS_ASSERT_REL(ha.auc_blood / iv.auc_blood, an.f_ha_bioavail, 1e-9);     /* identity 1 */
  double rd = (ha.auc_tumor / iv.auc_tumor) / (ha.auc_blood / iv.auc_blood);
  HS_ASSERT_REL(rd, 1 + p.phys.f_ta * an.cl_tb / (p.fl.q_ha * an.f_ha_bioavail),
                1e-9);                                                      /* identity 4 */
  ck_assert(ha.mass_balance_error < 1e-12 && iv.mass_balance_error < 1e-12);
  o.t_end = 60, o.method = HS_SOLVER_CVODE;
  hs_metrics cv = hs_test_run_one(s, &p, HS_ROUTE_IV, d, 2.0, &o, NULL);
  HS_ASSERT_REL(cv.auc_blood, d / an.cl_tb, 1e-3); /* AUC(0-60 h): > 15 half-lives */
  ck_assert(cv.mass_balance_error < 1e-6);
  hs_solver_free(s);
}
END_TEST

/* PS_L very large (1e9 L/h) is the flow-limited liver with CL_int' (every metric to 1e-6;
 * the hepatocytes lag the sinusoids by CL_int / PS); a small PS_L lets an arterial bolus
 * pass the liver: the plasma peak rises well above the flow-limited one, and a lower share
 * of the dose is eliminated by the liver. Refused: Kp_L at or below the vascular share, a
 * vascular share outside (0, 1), and whole-liver stasis with saturable hepatic elimination;
 * whole-liver stasis with linear elimination and tumour stasis are accepted. */
START_TEST(test_liver_permeability_limits) {
  hs_params flow, twin, big, small;
  liver_params(&flow, 0.0, 160.0);
  liver_params(&twin, 0.0, 1e9 * 160.0 / (1e9 + 160.0));
  liver_params(&big, 1e9, 160.0);
  liver_params(&small, 5.0, 160.0);
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_sim_opts o = OPTS;
  o.method = HS_SOLVER_EXACT, o.dt_out = 1.0 / 60;
  hs_metrics f = hs_test_run_one(s, &flow, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
  hs_metrics t = hs_test_run_one(s, &twin, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
  hs_metrics b = hs_test_run_one(s, &big, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
  hs_metrics m = hs_test_run_one(s, &small, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
  assert_same_metrics(&b, &t, 1e-6, "PS_L 1e9 L/h");
  ck_assert_msg(m.cmax_plasma > 2 * f.cmax_plasma, "PS_L 5 L/h: Cmax %g vs flow-limited %g",
                m.cmax_plasma, f.cmax_plasma);
  ck_assert_msg(m.fraction_eliminated_liver < f.fraction_eliminated_liver, "%g vs %g",
                m.fraction_eliminated_liver, f.fraction_eliminated_liver);
  hs_physiology ph = hs_test_ref_phys(0.25, 0.6);
  hs_drug dr = hs_test_linear_drug();
  dr.ps_l = 5.0;
  ph.f_vas_l = 1.2;
  ck_assert_int_eq(hs_params_init(&small, &ph, &dr, NULL, 0, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "liver vascular fraction f_vas,L = 1.2 must lie in (0, 1) with a "
                   "permeability-limited liver");
  ph.f_vas_l = 0.2, dr.kp_l = 0.15;
  ck_assert_int_eq(hs_params_init(&small, &ph, &dr, NULL, 0, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "permeability-limited liver: Kp_L = 0.15 must exceed the liver "
                   "vascular fraction f_vas,L = 0.2 (Kp_ev,L = (Kp_L - f_vas,L) / (1 - "
                   "f_vas,L) must be > 0)");
  dr.kp_l = 4.0;
  hs_embolization e = {HS_EMBO_WHOLE_LIVER, 0.0, 0.3, 0.5, 0, NAN, 0, 0.6, 0.3};
  ck_assert_msg(hs_params_init(&small, &ph, &dr, &e, 1, &err) == HS_OK, "%s", err.msg);
  dr.hepatic = (hs_elimination){HS_ELIM_MM, 0, 40.0, 2.0}; /* saturable */
  ck_assert_int_eq(hs_params_init(&small, &ph, &dr, &e, 1, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "embolization[0]: stasis in the normal liver (a whole-liver event) "
                   "with a permeability-limited liver needs linear hepatic elimination "
                   "(hepatic_clint), not a saturable one (hepatic_vmax, hepatic_km)");
  e.target = HS_EMBO_TUMOR; /* stasis in the tumour's bed only: accepted */
  ck_assert_msg(hs_params_init(&small, &ph, &dr, &e, 1, &err) == HS_OK, "%s", err.msg);
  hs_solver_free(s);
}
END_TEST

/* Stasis with a permeability-limited liver: a tumour-selective event (70 % flow reduction,
 * held 1 h, then recovering with a 0.5 h half-life, holding 60 % of what its occluded
 * vessels receive, exchange half-life 0.3 h), and a whole-liver one (80 % held, the
 * normal liver to 25 %), whose stagnant liver drug is cleared at CL_int' as an
 * equilibrated bed. Either way PS_L 1e9 L/h is the flow-limited liver with CL_int' in
 * every metric (1e-6; by CVODE 1e-4; the recovering flow is solved by CVODE on both
 * paths), and the dose balances. */
START_TEST(test_liver_permeability_stasis) {
  const hs_embolization ev[2] = {{HS_EMBO_TUMOR, 0.0, 0.3, 0.5, 1.0, NAN, 0, 0.6, 0.3},
                                 {HS_EMBO_WHOLE_LIVER, 0.0, 0.1, 0.5, 0, NAN, 0.25, 0.8, 0.9}};
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_sim_opts o = OPTS;
  o.dt_out = 1.0 / 60;
  for (int k = 0; k < 2; k++) {
    hs_params twin, big;
    liver_params_embo(&twin, 0.0, 1e9 * 160.0 / (1e9 + 160.0), &ev[k], 1);
    liver_params_embo(&big, 1e9, 160.0, &ev[k], 1);
    for (int m = 0; m < 2; m++) {
      o.method = m ? HS_SOLVER_CVODE : HS_SOLVER_EXACT;
      hs_metrics t = hs_test_run_one(s, &twin, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
      hs_metrics b = hs_test_run_one(s, &big, HS_ROUTE_HA, 50.0, 0.0, &o, NULL);
      assert_same_metrics(&b, &t, m ? 1e-4 : 1e-6, k ? "whole-liver stasis" : "tumour stasis");
      ck_assert_msg(b.mass_balance_error < 1e-6, "balance %g", b.mass_balance_error);
    }
  }
  hs_solver_free(s);
}
END_TEST

/* The scenario keys: drugs.<name>.liver_permeability and patient.liver_vascular_fraction
 * land in the model (the vascular share defaults to model/data's 16.5 %), and a refused
 * combination names the drug's key with its line. */
static int load_liver_elim(const char *patient, const char *drug, const char *elim,
                           const char *embo, hs_scenario *sc, hs_error *err) {
  char text[1024];
  snprintf(text, sizeof text,
           "description: t\npatient:\n  weight: 70 kg\n  height: 176 cm\n%s%s"
           "drugs:\n  x:\n    library: none\n    blood_plasma_ratio: 1\n    kp_liver: %s\n"
           "%s    renal_clearance: 1 L/h\n"
           "    liver_permeability: 30 L/h\n"
           "    regimen:\n      - {route: hai, dose: 50 mg, start: 0 h}\n"
           "simulation:\n  end: 2 h\n  output_interval: 1 min\n",
           patient, embo, drug, elim);
  return hs_scenario_load_text(sc, "t.yaml", text, NULL, err);
}

static int load_liver(const char *patient, const char *drug, const char *embo, hs_scenario *sc,
                      hs_error *err) {
  return load_liver_elim(patient, drug, "    hepatic_clint: 10 L/h\n", embo, sc, err);
}

START_TEST(test_liver_permeability_keys) {
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load_liver("  liver_vascular_fraction: 18 %\n", "4", "", &sc, &err) == HS_OK,
                "%s", err.msg);
  HS_ASSERT_REL(sc.drugs[0].drug.ps_l, 30, 1e-15);
  HS_ASSERT_REL(sc.phys.f_vas_l, 0.18, 1e-15);
  hs_scenario_release(&sc);
  ck_assert_msg(load_liver("", "4", "", &sc, &err) == HS_OK, "%s", err.msg);
  HS_ASSERT_REL(sc.phys.f_vas_l, 0.165, 1e-15);
  hs_scenario_release(&sc);
  ck_assert_int_eq(load_liver("", "0.1", "", &sc, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "t.yaml:12:25: 'drugs.x.liver_permeability': permeability-limited "
                   "liver: Kp_L = 0.1 must exceed the liver vascular fraction f_vas,L = 0.165 "
                   "(Kp_ev,L = (Kp_L - f_vas,L) / (1 - f_vas,L) must be > 0)");
  const char *dsm = "embolization:\n  - {agent: dsm, onset: 0 h}\n";
  ck_assert_int_eq(load_liver_elim("", "4", "    hepatic_vmax: 40 mg/h\n    hepatic_km: 2 mg/L\n",
                                   dsm, &sc, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "t.yaml:15:25: 'drugs.x.liver_permeability': embolization[0]: "
                   "stasis in the normal liver (a whole-liver event) with a permeability-limited "
                   "liver needs linear hepatic elimination (hepatic_clint), not a saturable one "
                   "(hepatic_vmax, hepatic_km)");
  /* whole-liver (dsm) and tumour-selective (ctace) stasis with linear elimination */
  ck_assert_msg(load_liver("", "4", dsm, &sc, &err) == HS_OK, "%s", err.msg);
  hs_scenario_release(&sc);
  ck_assert_msg(load_liver("", "4", "embolization:\n  - {agent: ctace, onset: 0 h}\n", &sc,
                           &err) == HS_OK, "%s", err.msg);
  hs_scenario_release(&sc);
}
END_TEST

/* Without extensions a run integrates 18 states; its trace rows still hold HS_NSTATE states
 * (the extension ones 0), and a run with extensions on the same workspace fills them. */
START_TEST(test_trace_extension_states) {
  hs_params ref, lob;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  terr_params(&ref, &(hs_territory){0});
  terr_params(&lob, &(hs_territory){.catheter = 1, .liver_cov = 0.6, .tumor_cov = 1});
  int n = hs_solver_grid_size(&OPTS);
  double *y = malloc(sizeof(double) * (size_t)n * HS_NSTATE);
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < n * HS_NSTATE; i++) y[i] = -1;
    hs_trace tr = {.cap = n, .y = y};
    hs_test_run_one(s, pass ? &lob : &ref, HS_ROUTE_HA, 238.5, 2.0, &OPTS, &tr);
    const double *row = y + (size_t)8 * HS_NSTATE; /* t = 2 h */
    ck_assert(row[HS_DOSED] > 238);
    if (pass) ck_assert(row[HS_A_L2] > 0 && row[HS_AUC_L2] > 0);
    else
      for (int i = HS_NSTATE_BASE; i < HS_NSTATE; i++) ck_assert(row[i] == 0);
  }
  free(y);
  hs_solver_free(s);
}
END_TEST

Suite *hs_suite_territory(void) {
  Suite *s = suite_create("territory");
  TCase *tc = tcase_create("parts");
  tcase_add_test(tc, test_territory_neutral);
  tcase_add_test(tc, test_lobar_infusion);
  tcase_add_test(tc, test_gastric_misperfusion);
  tcase_add_test(tc, test_permeability_limited);
  tcase_add_test(tc, test_liver_permeability_identities);
  tcase_add_test(tc, test_liver_permeability_limits);
  tcase_add_test(tc, test_liver_permeability_stasis);
  tcase_add_test(tc, test_liver_permeability_keys);
  tcase_add_test(tc, test_trace_extension_states);
  suite_add_tcase(s, tc);
  return s;
}
