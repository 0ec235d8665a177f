/* check_solver.c - the solver against model.md's analytic identities, mass balance,
 * discontinuities and a tight-tolerance reference for nonlinear cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"
#include "hs_test.h"

/* A workspace and the reference patient with the s1 drug (f_HA 0.25, f_TD 0). */
static hs_solver *ref_setup(hs_params *p) {
  hs_error err;
  hs_physiology ph = hs_test_ref_phys(0.25, 0);
  hs_drug dr = hs_test_linear_drug();
  ck_assert_int_eq(hs_params_init(p, &ph, &dr, NULL, 0, &err), HS_OK);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_ptr_nonnull(s);
  return s;
}

static const hs_sim_opts OPTS = {.t_end = 60, .dt_out = 0.25, .rtol = 1e-8, .atol = 1e-10};

/* Identities 1-4 for f_HA in {0.2, 0.25, 0.3}, several infusion lengths, f_TD 0 and 0.6:
 * by CVODE (_i = 0) to 1e-3 (AUC(0-t) truncated 60 h after the dose), and solved exactly
 * (_i = 1, simulation.solver exact) over 2000 h to 1e-9. */
START_TEST(test_identities_1_to_4) {
  const double tol = _i ? 1e-9 : 1e-3;
  static const double f_has[] = {0.2, 0.25, 0.3}, t_infs[] = {0, 1.0 / 60, 2.0, 24.0};
  static const double f_tds[] = {0.0, 0.6};
  const double d = 238.5;
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 2; c++) {
        hs_params p;
        hs_physiology ph = hs_test_ref_phys(f_has[a], f_tds[c]);
        hs_drug dr = hs_test_linear_drug();
        ck_assert_int_eq(hs_params_init(&p, &ph, &dr, NULL, 0, &err), HS_OK);
        hs_analytic an;
        hs_model_analytic(&p, &an);
        hs_sim_opts o = OPTS;
        o.t_end = t_infs[b] + (_i ? 2000 : 60); /* > 15 terminal half-lives after the dose */
        o.method = _i ? HS_SOLVER_EXACT : HS_SOLVER_CVODE;
        hs_metrics ha = hs_test_run_one(s, &p, HS_ROUTE_HA, d, t_infs[b], &o, NULL);
        hs_solver_stats st;
        hs_solver_stats_get(s, &st);
        ck_assert_int_eq(st.exact_segments, _i ? st.segments : 0);
        hs_metrics iv = hs_test_run_one(s, &p, HS_ROUTE_IV, d, t_infs[b], &o, NULL);
        hs_metrics pv = hs_test_run_one(s, &p, HS_ROUTE_PV, d, t_infs[b], &o, NULL);
        HS_ASSERT_REL(iv.auc_blood, d / an.cl_tb, tol);                  /* identity 2 */
        HS_ASSERT_REL(ha.auc_blood / iv.auc_blood, an.f_ha_bioavail, tol); /* identity 1 */
        HS_ASSERT_REL(pv.auc_blood / iv.auc_blood, an.f_pv_bioavail, tol);
        HS_ASSERT_REL(ha.auc_tumor_venous,                                 /* identity 3 */
                      ha.auc_blood + ph.f_ta * d / p.fl.q_ha, tol);
        double rd = (ha.auc_tumor / iv.auc_tumor) / (ha.auc_blood / iv.auc_blood);
        HS_ASSERT_REL(rd, 1 + ph.f_ta * an.cl_tb / (p.fl.q_ha * an.f_ha_bioavail), tol); /* 4 */
        if (_i) ck_assert(ha.mass_balance_error < 1e-12 && iv.mass_balance_error < 1e-12);
      }
  hs_solver_free(s);
}
END_TEST

/* Identity 5: steady state of a constant IV infusion, C_B = I / CL_TB (this one tests
 * solver accuracy, not just linearity). */
START_TEST(test_identity_5_steady_state) {
  static const double f_has[] = {0.2, 0.25, 0.3};
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  for (int a = 0; a < 3; a++) {
    hs_params p;
    hs_physiology ph = hs_test_ref_phys(f_has[a], 0);
    hs_drug dr = hs_test_linear_drug();
    ck_assert_int_eq(hs_params_init(&p, &ph, &dr, NULL, 0, &err), HS_OK);
    hs_analytic an;
    hs_model_analytic(&p, &an);
    hs_sim_opts o = {.t_end = 100, .dt_out = 1, .rtol = 1e-8, .atol = 1e-10,
                     .method = _i ? HS_SOLVER_EXACT : HS_SOLVER_CVODE};
    int n = hs_solver_grid_size(&o);
    double *blood = calloc((size_t)n, sizeof *blood);
    hs_trace tr = {.cap = n, .blood = blood};
    const double rate = 2.385; /* mg/h for the whole run */
    hs_test_run_one(s, &p, HS_ROUTE_IV, rate * 100, 100, &o, &tr);
    ck_assert_int_eq(tr.n, n);
    HS_ASSERT_REL(blood[n - 1], rate / an.cl_tb, _i ? 1e-10 : 1e-4); /* _i: solved exactly */
    free(blood);
  }
  hs_solver_free(s);
}
END_TEST

static void load(const char *path, hs_scenario *sc) {
  hs_error err;
  int rc = hs_scenario_load(sc, path, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
}

static hs_metrics simulate(const hs_scenario *sc, hs_solver *s) {
  hs_results res;
  hs_error err;
  int rc = hs_simulate(s, sc, 0, &res, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  hs_metrics m = res.drugs[0].metrics;
  hs_results_release(&res);
  return m;
}

/* Mass balance to 1e-6 at every output time on s1-s4. */
START_TEST(test_mass_balance_reference) {
  char path[64];
  snprintf(path, sizeof path, "../scenarios/reference/s%d.yaml", _i + 1);
  hs_scenario sc;
  hs_error err;
  load(path, &sc);
  hs_solver *s = hs_solver_create(&err);
  hs_metrics m = simulate(&sc, s);
  ck_assert_msg(m.mass_balance_error < 1e-6, "%s: mass balance %g", path, m.mass_balance_error);
  ck_assert(m.dosed_mg > 0);
  HS_ASSERT_REL(m.fraction_eliminated_liver + m.fraction_eliminated_renal +
                    m.fraction_eliminated_extrahepatic + m.fraction_eliminated_tumor,
                1.0, 1e-4); /* everything is gone by the end of each reference case */
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* s4: the 1-minute infusion at 100 h delivers exactly 10 mg. */
START_TEST(test_s4_short_infusion) {
  hs_scenario sc;
  hs_error err;
  load("../scenarios/reference/s4.yaml", &sc);
  hs_params p;
  ck_assert_int_eq(hs_params_init(&p, &sc.phys, &sc.drugs[0].drug, NULL, 0, &err), HS_OK);
  hs_dose doses[4];
  int n = hs_regimen_expand(sc.drugs[0].regimen, sc.drugs[0].n_regimen, &sc.patient, doses, 4,
                            &err);
  ck_assert_int_eq(n, 2);
  int npts = hs_solver_grid_size(&sc.sim);
  double *y = calloc((size_t)npts * HS_NSTATE, sizeof *y);
  hs_trace tr = {.cap = npts, .y = y};
  hs_metrics m;
  hs_solver *s = hs_solver_create(&err);
  ck_assert_int_eq(hs_solver_run(s, &p, doses, n, &sc.sim, &tr, &m, &err), HS_OK);
  double before = y[100 * HS_NSTATE + HS_DOSED], after = y[101 * HS_NSTATE + HS_DOSED];
  HS_ASSERT_REL(before, 50.0, 1e-12); /* the grid point at 100 h precedes the infusion */
  HS_ASSERT_REL(after - before, 10.0, 1e-6);
  HS_ASSERT_REL(m.dosed_mg, 60.0, 1e-6);
  /* the infused 10 mg shows in the eliminated amounts: liver share as for the bolus */
  double el_101 = y[101 * HS_NSTATE + HS_EL_H] + y[101 * HS_NSTATE + HS_EL_R];
  double el_100 = y[100 * HS_NSTATE + HS_EL_H] + y[100 * HS_NSTATE + HS_EL_R];
  ck_assert_msg(el_101 - el_100 > 9.0, "infusion stepped over: %g mg eliminated", el_101 - el_100);
  free(y);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* Solver accuracy on nonlinear cases: default tolerances vs a tight-tolerance run. */
START_TEST(test_nonlinear_tight_tolerance) {
  const char *path = _i == 0 ? "../scenarios/reference/s2.yaml" : "../scenarios/reference/s3.yaml";
  hs_scenario sc;
  hs_error err;
  load(path, &sc);
  hs_solver *s = hs_solver_create(&err);
  hs_metrics a = simulate(&sc, s);
  sc.sim.rtol = 1e-12;
  sc.sim.atol = 1e-14;
  sc.sim.max_steps = 1000000;
  hs_metrics b = simulate(&sc, s);
  HS_ASSERT_REL(a.auc_plasma, b.auc_plasma, 1e-6);
  HS_ASSERT_REL(a.auc_tumor, b.auc_tumor, 1e-6);
  HS_ASSERT_REL(a.auc_liver, b.auc_liver, 1e-6);
  HS_ASSERT_REL(a.cmax_plasma, b.cmax_plasma, 1e-6);
  HS_ASSERT_REL(a.regional_advantage, b.regional_advantage, 1e-6);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* A workspace reused for many runs gives the same bits as a fresh one. */
START_TEST(test_workspace_reuse) {
  hs_scenario s2, s4;
  hs_error err;
  load("../scenarios/reference/s2.yaml", &s2);
  load("../scenarios/reference/s4.yaml", &s4);
  hs_solver *s = hs_solver_create(&err), *fresh = hs_solver_create(&err);
  hs_metrics first = simulate(&s2, s);
  simulate(&s4, s);
  hs_metrics again = simulate(&s2, s), other = simulate(&s2, fresh);
  ck_assert(memcmp(&first, &again, sizeof first) == 0);
  ck_assert(memcmp(&first, &other, sizeof first) == 0);
  hs_solver_free(s);
  hs_solver_free(fresh);
  hs_scenario_release(&s2);
  hs_scenario_release(&s4);
}
END_TEST

/* Embolisation raises tumour exposure of an HA dose; m_min = 1 changes nothing. */
START_TEST(test_embolization_effect) {
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_physiology ph = hs_test_ref_phys(0.25, 0);
  hs_drug dr = hs_test_linear_drug();
  hs_embolization none = {.target = HS_EMBO_WHOLE_LIVER, .t_e = 0, .m_min = 1, .t_half = 0.5};
  hs_embolization dsm = {.target = HS_EMBO_WHOLE_LIVER, .t_e = 0, .m_min = 0.1, .t_half = 0.5};
  hs_params p0, p1, p2;
  ck_assert_int_eq(hs_params_init(&p0, &ph, &dr, NULL, 0, &err), HS_OK);
  ck_assert_int_eq(hs_params_init(&p1, &ph, &dr, &none, 1, &err), HS_OK);
  ck_assert_int_eq(hs_params_init(&p2, &ph, &dr, &dsm, 1, &err), HS_OK);
  hs_metrics m0 = hs_test_run_one(s, &p0, HS_ROUTE_HA, 100, 2, &OPTS, NULL);
  hs_metrics m1 = hs_test_run_one(s, &p1, HS_ROUTE_HA, 100, 2, &OPTS, NULL);
  hs_metrics m2 = hs_test_run_one(s, &p2, HS_ROUTE_HA, 100, 2, &OPTS, NULL);
  HS_ASSERT_REL(m0.auc_tumor, m1.auc_tumor, 1e-9);
  ck_assert_msg(m2.auc_tumor > 1.2 * m0.auc_tumor, "embolised %g vs %g", m2.auc_tumor,
                m0.auc_tumor);
  ck_assert(m2.mass_balance_error < 1e-6);
  hs_solver_free(s);
}
END_TEST

/* A run and its comparator as one system (hs_solver_run_compared): each replica equals its
 * own run to the tolerance, the comparator reports exposure only, both balance, identity
 * 4 holds, and a comparator dosed at other times gets its own breakpoints. */
START_TEST(test_compared_run) {
  hs_params p;
  hs_solver *s = ref_setup(&p);
  hs_error err;
  hs_dose ha = {.route = HS_ROUTE_HA, .t_start = 0, .t_end = 2, .amount_mg = 100};
  hs_dose iv = ha, late = {.route = HS_ROUTE_IV, .t_start = 1, .t_end = 4, .amount_mg = 50};
  iv.route = HS_ROUTE_IV;
  hs_species_link none = {0};
  const hs_params *pp = &p;
  hs_metrics m, mc, a, b;
  ck_assert_int_eq(hs_solver_run_compared(s, &pp, &none, 1, &ha, 1, &iv, 1, &OPTS, NULL, &m,
                                          &mc, &err), HS_OK);
  ck_assert_int_eq(hs_solver_run(s, &p, &ha, 1, &OPTS, NULL, &a, &err), HS_OK);
  ck_assert_int_eq(hs_solver_run(s, &p, &iv, 1, &OPTS, NULL, &b, &err), HS_OK);
  HS_ASSERT_REL(m.auc_plasma, a.auc_plasma, 1e-6);
  HS_ASSERT_REL(m.auc_tumor, a.auc_tumor, 1e-6);
  HS_ASSERT_REL(m.cmax_tumor, a.cmax_tumor, 1e-6);
  ck_assert_double_eq(m.tmax_tumor, a.tmax_tumor);
  HS_ASSERT_REL(mc.auc_plasma, b.auc_plasma, 1e-6);
  HS_ASSERT_REL(mc.auc_tumor, b.auc_tumor, 1e-6);
  HS_ASSERT_REL(mc.fraction_eliminated_liver, b.fraction_eliminated_liver, 1e-6);
  ck_assert(isnan(mc.cmax_plasma) && isnan(mc.tmax_tumor));
  ck_assert(m.mass_balance_error < 1e-9 && mc.mass_balance_error < 1e-9);
  HS_ASSERT_REL(mc.dosed_mg, 100, 1e-12); /* the integrated infusion */
  hs_analytic an; /* identity 4 from the pair (60 h: > 15 terminal half-lives) */
  hs_model_analytic(&p, &an);
  HS_ASSERT_REL((m.auc_tumor / mc.auc_tumor) / (m.auc_blood / mc.auc_blood), an.r_d, 1e-3);
  ck_assert_int_eq(hs_solver_run_compared(s, &pp, &none, 1, &ha, 1, &late, 1, &OPTS, NULL, &m,
                                          &mc, &err), HS_OK);
  ck_assert_int_eq(hs_solver_run(s, &p, &late, 1, &OPTS, NULL, &b, &err), HS_OK);
  HS_ASSERT_REL(mc.auc_plasma, b.auc_plasma, 1e-6);
  HS_ASSERT_REL(m.auc_plasma, a.auc_plasma, 1e-6);
  hs_solver_free(s);
}
END_TEST

/* Cmax and tmax: a 2-h infusion peaks at its end; a bolus is seen at its own time (the
 * value after the dose); metrics-only runs find the same grid maximum as recorded ones. */
START_TEST(test_tmax_conventions) {
  hs_params p;
  hs_solver *s = ref_setup(&p);
  hs_sim_opts o = {.t_end = 24, .dt_out = 1.0 / 60, .rtol = 1e-8, .atol = 1e-10};
  int n = hs_solver_grid_size(&o);
  double *plasma = calloc((size_t)n, sizeof *plasma), *tumor = calloc((size_t)n, sizeof *tumor);
  hs_trace tr = {.cap = n, .plasma = plasma, .tumor = tumor};
  hs_metrics full = hs_test_run_one(s, &p, HS_ROUTE_HA, 238.5, 2, &o, &tr);
  hs_metrics lazy = hs_test_run_one(s, &p, HS_ROUTE_HA, 238.5, 2, &o, NULL);
  ck_assert_double_eq_tol(full.tmax_plasma, 2.0, 1e-12);
  double cmax = -1, ctmax = -1;
  for (int k = 0; k < n; k++) cmax = fmax(cmax, plasma[k]), ctmax = fmax(ctmax, tumor[k]);
  ck_assert_double_eq(full.cmax_plasma, cmax); /* the maximum over the recorded grid */
  ck_assert_double_eq(full.cmax_tumor, ctmax);
  ck_assert_double_eq(lazy.cmax_plasma, full.cmax_plasma); /* bit for bit */
  ck_assert_double_eq(lazy.cmax_tumor, full.cmax_tumor);
  ck_assert_double_eq(lazy.tmax_plasma, full.tmax_plasma);
  ck_assert_double_eq(lazy.tmax_tumor, full.tmax_tumor);
  hs_metrics m = hs_test_run_one(s, &p, HS_ROUTE_IV, 2.385, 0, &o, NULL);
  ck_assert_double_eq(m.tmax_plasma, 0);
  HS_ASSERT_REL(m.cmax_plasma, 2.385 / p.phys.v_b, 1e-12);
  free(plasma);
  free(tumor);
  hs_solver_free(s);
}
END_TEST

/* Chronomodulated HA infusion: the infused rate, seen as C_HA - C_B = R_HA(t) / Q_HA, is
 * r0 (1 + a cos(2 pi (t - peak) / 24 h)) at every output time in [start, end) (a value
 * at a breakpoint includes the infusion that starts there), and the whole dose is
 * delivered. 22:00-10:00 peaking at 04:00 (t = 28 h), a = 0.73. */
START_TEST(test_chronomodulated_profile) {
  hs_error err;
  hs_params p;
  hs_solver *s = ref_setup(&p);
  hs_dose d = {.route = HS_ROUTE_HA, .t_start = 22, .t_end = 34, .amount_mg = 238.5,
               .amplitude = 0.73, .peak = 4};
  hs_sim_opts o = {.t_end = 60, .dt_out = 0.25, .rtol = 1e-8, .atol = 1e-10};
  int n = hs_solver_grid_size(&o);
  double *ha = calloc((size_t)n, sizeof *ha), *blood = calloc((size_t)n, sizeof *blood);
  double *y = calloc((size_t)n * HS_NSTATE, sizeof *y);
  hs_trace tr = {.cap = n, .hepatic_artery = ha, .blood = blood, .y = y};
  hs_metrics m;
  ck_assert_int_eq(hs_solver_run(s, &p, &d, 1, &o, &tr, &m, &err), HS_OK);
  double r0 = hs_dose_base_rate(&d), w = 2 * M_PI / HS_DAY_H;
  /* r0 by hand: the integral of 1 + a cos(w (t - 4)) over [22, 34] */
  HS_ASSERT_REL(r0, 238.5 / (12 + 0.73 / w * (sin(w * 30) - sin(w * 18))), 1e-13);
  for (int k = 0; k < n; k++) {
    double t = 0.25 * k, want = t >= 22 && t < 34 ? r0 * (1 + 0.73 * cos(w * (t - 4))) : 0;
    ck_assert_msg(fabs((ha[k] - blood[k]) * p.fl.q_ha - want) <= 1e-9 * r0, "t = %g: %g vs %g",
                  t, (ha[k] - blood[k]) * p.fl.q_ha, want);
  }
  HS_ASSERT_REL(m.dosed_mg, 238.5, 1e-7);
  ck_assert(m.mass_balance_error < 1e-6);
  free(ha), free(blood), free(y);
  hs_solver_free(s);
}
END_TEST

/* A step-wise pump program: weights 1, 2, 4, 2, 1 over 10 h give rates in those
 * proportions, each for 2 h, and deliver the whole dose. */
START_TEST(test_step_profile) {
  hs_error err;
  hs_dose_spec spec = {.route = HS_ROUTE_PV, .amount = 2385, .duration = 10, .cycles = 1,
                       .profile = {.shape = HS_PROFILE_STEPS, .n_steps = 5,
                                   .weights = {1, 2, 4, 2, 1}}};
  hs_patient pt = {.weight_kg = 70, .height_cm = 176, .bsa_m2 = 1.85};
  hs_dose d[8];
  ck_assert_int_eq(hs_regimen_count(&spec, 1), 5);
  ck_assert_int_eq(hs_regimen_expand(&spec, 1, &pt, d, 8, &err), 5);
  static const double w[5] = {1, 2, 4, 2, 1};
  double total = 0;
  for (int j = 0; j < 5; j++) {
    HS_ASSERT_REL(d[j].t_start, 2.0 * j, 1e-15);
    HS_ASSERT_REL(d[j].t_end - d[j].t_start, 2.0, 1e-14);
    HS_ASSERT_REL(d[j].amount_mg, 2385 * w[j] / 10, 1e-14);
    total += d[j].amount_mg;
  }
  HS_ASSERT_REL(total, 2385, 1e-14);
  hs_solver *s = hs_solver_create(&err);
  hs_physiology ph = hs_test_ref_phys(0.25, 0);
  hs_drug dr = hs_test_linear_drug();
  hs_params p;
  ck_assert_int_eq(hs_params_init(&p, &ph, &dr, NULL, 0, &err), HS_OK);
  hs_sim_opts o = {.t_end = 48, .dt_out = 1, .rtol = 1e-8, .atol = 1e-10};
  hs_metrics m;
  ck_assert_int_eq(hs_solver_run(s, &p, d, 5, &o, NULL, &m, &err), HS_OK);
  HS_ASSERT_REL(m.dosed_mg, 2385, 1e-7);
  spec.duration = 0; /* a profile needs an infusion */
  ck_assert_int_eq(hs_regimen_check(&spec, 1, 48, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "regimen[0]: a rate profile needs an infusion (duration > 0)");
  hs_solver_free(s);
}
END_TEST

/* Six months of chronomodulated courses (9 cycles of 5 daily infusions) stay cheap: the
 * circadian rate is smooth within each infusion, so the solver restarts only at the
 * 90 infusion starts and stops, and takes few steps per infusion. */
START_TEST(test_long_chrono_schedule) {
  hs_scenario sc;
  hs_error err;
  load("../scenarios/chronomodulated_5fu.yaml", &sc);
  hs_solver *s = hs_solver_create(&err);
  hs_metrics m = simulate(&sc, s);
  hs_solver_stats st;
  hs_solver_stats_get(s, &st);
  ck_assert_int_eq(st.segments, 2 * 45 + 1);
  ck_assert_msg(st.steps < 1000 * 45, "%ld steps for 45 infusions", st.steps);
  HS_ASSERT_REL(m.dosed_mg, 45 * 700 * sc.patient.bsa_m2, 1e-7);
  ck_assert(m.mass_balance_error < 1e-6);
  ck_assert_double_eq_tol(fmod(m.tmax_plasma, 24.0), 4.0, 1e-9); /* the peak at 04:00 */
  hs_solver_free(s);
  hs_scenario_release(&sc);
}
END_TEST

/* Percutaneous hepatic perfusion: a filter of efficiency 0 changes nothing (to 1e-6) and
 * its HA infusion reaches the closed-form steady state C_B = I F_HA / CL_TB (1e-4);
 * with efficiency E over a whole IV infusion the steady state is C_B = I / CL', with
 * CL' = CL_R + CL_X + Q_L E_L + E (Q_L (1 - E_L) + Q_T) (f_TD = 0: the filter sees the
 * liver's outflow at C_B (1 - E_L) and the tumour's at C_B), and mass balance holds. */
START_TEST(test_hepatic_filter) {
  hs_error err;
  hs_params p;
  hs_solver *s = ref_setup(&p);
  hs_sim_opts o = {.t_end = 100, .dt_out = 1, .rtol = 1e-8, .atol = 1e-10};
  const double rate = 2.385;
  hs_metrics plain = hs_test_run_one(s, &p, HS_ROUTE_HA, rate * 100, 100, &o, NULL);
  hs_filter none = {0, 100, 0}, php = {0, 100, 0.77};
  ck_assert_int_eq(hs_params_set_filter(&p, &none, 1, &err), HS_OK);
  int n = hs_solver_grid_size(&o);
  double *blood = calloc((size_t)n, sizeof *blood);
  hs_trace tr = {.cap = n, .blood = blood};
  hs_metrics neutral = hs_test_run_one(s, &p, HS_ROUTE_HA, rate * 100, 100, &o, &tr);
  HS_ASSERT_REL(neutral.auc_plasma, plain.auc_plasma, 1e-6);
  HS_ASSERT_REL(neutral.auc_tumor, plain.auc_tumor, 1e-6);
  HS_ASSERT_REL(neutral.cmax_plasma, plain.cmax_plasma, 1e-6);
  ck_assert_double_eq(neutral.fraction_eliminated_filter, 0);
  hs_analytic an;
  hs_model_analytic(&p, &an);
  HS_ASSERT_REL(blood[n - 1], rate * an.f_ha_bioavail / an.cl_tb, 1e-4);
  ck_assert_int_eq(hs_params_set_filter(&p, &php, 1, &err), HS_OK);
  hs_metrics m = hs_test_run_one(s, &p, HS_ROUTE_IV, rate * 100, 100, &o, &tr);
  double cl = an.cl_tb + 0.77 * (p.fl.q_l * (1 - an.e_l) + p.fl.q_t);
  HS_ASSERT_REL(blood[n - 1], rate / cl, 1e-4);
  /* removed = E * integral of hv, and hv = C_B (Q_L (1 - E_L) + Q_T) once the tissues have
   * equilibrated: over 100 h the first hour's transient leaves a 3e-4 difference */
  HS_ASSERT_REL(m.fraction_eliminated_filter * m.dosed_mg,
                0.77 * (p.fl.q_l * (1 - an.e_l) + p.fl.q_t) * m.auc_blood, 1e-3);
  ck_assert(m.mass_balance_error < 1e-6);
  hs_filter bad = {5, 5, 0.5};
  ck_assert_int_eq(hs_params_set_filter(&p, &bad, 1, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "filter[0]: window [5, 5) h must start at >= 0 and not be empty");
  free(blood);
  hs_solver_free(s);
}
END_TEST

/* A necrotic share n of a tumour of volume V_T is a viable, perfused tumour of (1 - n) V_T:
 * the runs agree to round-off; n = 0 is the reference model itself. */
START_TEST(test_necrotic_share) {
  hs_error err;
  hs_params p1, p2;
  hs_solver *s = ref_setup(&p1);
  hs_physiology ph = p1.phys;
  hs_drug dr = p1.drug; /* hs_params_init clears its target first: pass a copy */
  ph.v_t = 0.2385, ph.f_nec = 0.4;
  ck_assert_int_eq(hs_params_init(&p1, &ph, &dr, NULL, 0, &err), HS_OK);
  ph.v_t = 0.2385 * 0.6, ph.f_nec = 0;
  ck_assert_int_eq(hs_params_init(&p2, &ph, &dr, NULL, 0, &err), HS_OK);
  hs_metrics a = hs_test_run_one(s, &p1, HS_ROUTE_HA, 238.5, 2, &OPTS, NULL);
  hs_metrics b = hs_test_run_one(s, &p2, HS_ROUTE_HA, 238.5, 2, &OPTS, NULL);
  HS_ASSERT_REL(a.auc_tumor, b.auc_tumor, 1e-9);
  HS_ASSERT_REL(a.auc_plasma, b.auc_plasma, 1e-9);
  HS_ASSERT_REL(a.cmax_tumor, b.cmax_tumor, 1e-9);
  ph.f_nec = 1;
  ck_assert_int_eq(hs_params_init(&p2, &ph, &dr, NULL, 0, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "necrotic share f_nec = 1 must lie in [0, 1)");
  hs_solver_free(s);
}
END_TEST

/* Bad options are refused with messages. */

/* ---- coupled species: metabolites and bound platinum --------------------------------- */

/* A parent (the s1 drug with renal, extrahepatic and binding routes) forming a hepatic
 * metabolite (species 1) and a bound species in blood (species 2). */
typedef struct coupled {
  hs_params p[3];
  const hs_params *pp[3];
  hs_species_link link[3];
} coupled;

static void coupled_setup(coupled *c, double y_met, double y_bnd) {
  hs_error err;
  hs_physiology ph = hs_test_ref_phys(0.25, 0.6);
  hs_drug par = hs_test_linear_drug(), met = hs_test_linear_drug(), bnd = hs_test_linear_drug();
  par.extrahepatic.cl = 12;
  par.cl_bind = 20;
  met.hepatic.cl = 40; /* a low-extraction metabolite, E_L ~ 0.3 */
  met.cl_r = 5;
  met.kp_r = 3;
  bnd.hepatic.cl = 0; /* bound platinum: slow renal loss only, slow tissue on */
  bnd.cl_r = 0.2;
  bnd.q_s = 2;
  bnd.v_s = 30;
  const hs_drug *d[3] = {&par, &met, &bnd};
  for (int k = 0; k < 3; k++) {
    ck_assert_int_eq(hs_params_init(&c->p[k], &ph, d[k], NULL, 0, &err), HS_OK);
    c->pp[k] = &c->p[k];
  }
  c->link[1] = (hs_species_link){.parent = 0, .route = HS_FORM_HEPATIC, .yield = y_met};
  c->link[2] = (hs_species_link){.parent = 0, .route = HS_FORM_BINDING, .yield = y_bnd};
}

/* What the parent loses by a route, the species formed from it gains, times the yield:
 * exactly (a linear invariant the integrator keeps), and every species balances. */
START_TEST(test_metabolite_balance) {
  coupled c;
  coupled_setup(&c, 0.62, 0.49);
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_dose dose = {.route = HS_ROUTE_HA, .t_start = 0, .t_end = 2, .amount_mg = 130};
  hs_sim_opts o = OPTS;
  o.t_end = 24;
  int npts = hs_solver_grid_size(&o);
  double *y[3];
  hs_trace tr[3], *trp[3];
  for (int k = 0; k < 3; k++) {
    y[k] = calloc((size_t)npts * HS_NSTATE, sizeof(double));
    tr[k] = (hs_trace){.cap = npts, .y = y[k]};
    trp[k] = &tr[k];
  }
  hs_metrics m[3];
  int rc = hs_solver_run_system(s, c.pp, c.link, 3, &dose, 1, &o, trp, m, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  for (int i = 0; i < npts; i += 7) {
    const double *yp = y[0] + (size_t)i * HS_NSTATE, *ym = y[1] + (size_t)i * HS_NSTATE,
                 *yb = y[2] + (size_t)i * HS_NSTATE;
    HS_ASSERT_REL(ym[HS_DOSED], 0.62 * yp[HS_EL_H], 1e-10);
    HS_ASSERT_REL(yb[HS_DOSED], 0.49 * yp[HS_EL_B], 1e-10);
  }
  for (int k = 0; k < 3; k++) {
    ck_assert_msg(m[k].mass_balance_error < 1e-6, "species %d: %g", k, m[k].mass_balance_error);
    ck_assert(m[k].dosed_mg > 0);
  }
  HS_ASSERT_REL(m[0].dosed_mg, 130, 1e-12);
  ck_assert(m[0].fraction_eliminated_binding > 0.01);
  /* the parent alone gives the same parent results */
  hs_metrics alone = hs_test_run_one(s, &c.p[0], HS_ROUTE_HA, 130, 2, &o, NULL);
  HS_ASSERT_REL(alone.auc_plasma, m[0].auc_plasma, 1e-7);
  HS_ASSERT_REL(alone.auc_tumor, m[0].auc_tumor, 1e-7);
  for (int k = 0; k < 3; k++) free(y[k]);
  hs_solver_free(s);
}
END_TEST

/* A metabolite formed in the liver escapes it with probability 1 - E_L(metabolite); once
 * everything is eliminated, its blood AUC is (1 - E_L) * formed / CL_TB (identity 2 with
 * the bioavailability of an input into the liver). */
START_TEST(test_metabolite_auc_identity) {
  coupled c;
  coupled_setup(&c, 1.0, 0.0);
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_dose dose = {.route = HS_ROUTE_IV, .t_start = 0, .t_end = 0.5, .amount_mg = 100};
  hs_sim_opts o = OPTS;
  o.t_end = 400; /* > 20 half-lives of the metabolite */
  hs_metrics m[2];
  int rc = hs_solver_run_system(s, c.pp, c.link, 2, &dose, 1, &o, NULL, m, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  hs_analytic an;
  hs_model_analytic(&c.p[1], &an);
  HS_ASSERT_REL(m[1].auc_blood, (1 - an.e_l) * m[1].dosed_mg / an.cl_tb, 1e-4);
  HS_ASSERT_REL(m[1].dosed_mg, m[0].fraction_eliminated_liver * 100, 1e-10);
  hs_solver_free(s);
}
END_TEST

/* Binding is a route of total body clearance (identity 2 with CL_bind), and the slow tissue
 * leaves the AUC of a linear drug unchanged while lengthening its terminal phase. */
START_TEST(test_binding_and_slow_tissue) {
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  hs_physiology ph = hs_test_ref_phys(0.25, 0);
  hs_drug d = hs_test_linear_drug();
  d.cl_bind = 25;
  hs_params p;
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, NULL, 0, &err), HS_OK);
  hs_analytic an;
  hs_model_analytic(&p, &an);
  hs_sim_opts o = OPTS;
  o.t_end = 30;
  hs_metrics iv = hs_test_run_one(s, &p, HS_ROUTE_IV, 100, 0, &o, NULL);
  HS_ASSERT_REL(iv.auc_blood, 100 / an.cl_tb, 1e-4);
  HS_ASSERT_REL(iv.fraction_eliminated_binding, 25 / an.cl_tb, 1e-4);
  d.q_s = 5;
  d.v_s = 400;
  hs_params ps;
  ck_assert_int_eq(hs_params_init(&ps, &ph, &d, NULL, 0, &err), HS_OK);
  o.t_end = 3000; /* the slow phase: V_S / (Q_S E) ~ days */
  o.dt_out = 2;
  hs_metrics slow = hs_test_run_one(s, &ps, HS_ROUTE_IV, 100, 0, &o, NULL);
  HS_ASSERT_REL(slow.auc_blood, 100 / an.cl_tb, 1e-4);
  ck_assert(slow.mass_balance_error < 1e-6);
  d.v_s = 0; /* a slow tissue needs a volume */
  ck_assert_int_eq(hs_params_init(&ps, &ph, &d, NULL, 0, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "slow-tissue volume V_S = 0 L must be > 0 when its exchange "
                            "clearance Q_S = 5 L/h is given");
  hs_solver_free(s);
}
END_TEST

START_TEST(test_bad_options) {
  hs_error err;
  hs_params p;
  hs_solver *s = ref_setup(&p);
  hs_dose late = {.route = HS_ROUTE_IV, .t_start = 70, .t_end = 70, .amount_mg = 1};
  hs_metrics m;
  ck_assert_int_eq(hs_solver_run(s, &p, &late, 1, &OPTS, NULL, &m, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "a dose at t = 70 h lies outside the simulation [0, 60) h");
  hs_sim_opts o = OPTS;
  o.dt_out = 0;
  ck_assert_int_eq(hs_solver_run(s, &p, NULL, 0, &o, NULL, &m, &err), HS_EINPUT);
  hs_trace tiny = {.cap = 3};
  ck_assert_int_eq(hs_solver_run(s, &p, NULL, 0, &OPTS, &tiny, &m, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "trace holds 3 points, the grid has 241");
  hs_solver_free(s);
}
END_TEST


Suite *hs_suite_solver(void) {
  Suite *s = suite_create("solver");
  TCase *tc = tcase_create("identities");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_identities_1_to_4, 0, 2);
  tcase_add_loop_test(tc, test_identity_5_steady_state, 0, 2);
  tcase_add_loop_test(tc, test_mass_balance_reference, 0, 4);
  tcase_add_test(tc, test_s4_short_infusion);
  tcase_add_loop_test(tc, test_nonlinear_tight_tolerance, 0, 2);
  tcase_add_test(tc, test_workspace_reuse);
  tcase_add_test(tc, test_embolization_effect);
  tcase_add_test(tc, test_bad_options);
  tcase_add_test(tc, test_tmax_conventions);
  tcase_add_test(tc, test_compared_run);
  tcase_add_test(tc, test_chronomodulated_profile);
  tcase_add_test(tc, test_step_profile);
  tcase_add_test(tc, test_long_chrono_schedule);
  tcase_add_test(tc, test_hepatic_filter);
  tcase_add_test(tc, test_necrotic_share);
  tcase_add_test(tc, test_metabolite_balance);
  tcase_add_test(tc, test_metabolite_auc_identity);
  tcase_add_test(tc, test_binding_and_slow_tissue);
  suite_add_tcase(s, tc);
  return s;
}
