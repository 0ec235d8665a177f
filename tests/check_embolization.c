/* check_embolization.c - docs/model.md extension "Embolisation: redistribution, stasis,
 * local retention": the redistributed multipliers, the stagnant shares and drain rates in
 * closed form, the analytic limits (instant degradation is no stasis; permanent stasis
 * without local elimination delays but releases everything; stasis with no way out but
 * elimination removes exactly the held share), reversible binding's equilibrium, and the
 * scenario keys. The finite-difference Jacobian and the balance of every option are in
 * check_model.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_model.h"
#include "hs_scenario.h"
#include "hs_solver.h"
#include "hs_test.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

static hs_physiology phys(void) {
  hs_physiology ph = {.q_co = 336, .q_h = 90, .f_ha = 0.25, .v_b = 5, .v_g = 1.5,
                      .v_l = 1.8, .v_r = 40, .v_t = 0.1, .p_t = 24, .f_ta = 0.9, .f_td = 0.3};
  return ph;
}

static hs_drug drug(double cl_int) {
  hs_drug d = {.bp = 1, .kp_g = 1, .kp_l = 1.3, .kp_t = 1.7, .kp_r = 1, .cl_r = 5.3,
               .hepatic = {HS_ELIM_LINEAR, cl_int, 0, 0}};
  return d;
}

static hs_embolization event(hs_embo_target target, double m_min, double t_half) {
  hs_embolization e = {target, 0.0, m_min, t_half, 0, NAN, 0, 0, 0};
  return e;
}

static void init_ok(hs_params *p, const hs_drug *d, const hs_embolization *e, int n) {
  hs_error err = {0};
  hs_physiology ph = phys();
  int rc = hs_params_init(p, &ph, d, e, n, &err);
  ck_assert_msg(rc == HS_OK, "hs_params_init: %s", err.msg);
}

/* One run of doses to t_end; the final state in y_end when given. */
static hs_metrics run(const hs_params *p, const hs_dose *doses, int n, double t_end,
                      double *y_end) {
  hs_error err = {0};
  hs_solver *s = hs_solver_create(&err);
  hs_sim_opts o = {.t_end = t_end, .dt_out = t_end / 50, .rtol = 1e-10, .atol = 1e-12,
                   .max_steps = 200000};
  int cap = hs_solver_grid_size(&o);
  double *y = calloc((size_t)cap * HS_NSTATE, sizeof *y);
  hs_trace tr = {.cap = cap, .y = y};
  hs_metrics m;
  int rc = hs_solver_run(s, p, doses, n, &o, &tr, &m, &err);
  ck_assert_msg(rc == HS_OK, "run: %s", err.msg);
  ck_assert_msg(m.mass_balance_error < 1e-9, "mass balance %g", m.mass_balance_error);
  if (y_end) memcpy(y_end, y + (size_t)(tr.n - 1) * HS_NSTATE, sizeof(double) * HS_NSTATE);
  free(y);
  hs_solver_free(s);
  return m;
}

/* hs_model_time_invariant (the exact solver then compares A and B at a segment's start
 * only): without embolisation dy/dt at one state is the same at any time of a segment;
 * with a recovering event it is not, and the predicate says so. */
START_TEST(test_time_invariant_without_embolisation) {
  hs_drug d = drug(50);
  hs_embolization e = event(HS_EMBO_TUMOR, 0.3, 0.5);
  hs_params none, embo;
  init_ok(&none, &d, NULL, 0);
  init_ok(&embo, &d, &e, 1);
  ck_assert(hs_model_time_invariant(&none));
  ck_assert(!hs_model_time_invariant(&embo));
  double y[HS_NSTATE], f0[HS_NSTATE], f1[HS_NSTATE];
  for (int i = 0; i < HS_NSTATE; i++) y[i] = 1.0 + 0.1 * i;
  hs_rhs_ctx c = {.p = &none, .seg = {.t0 = 0.0, .r_ha = 2.0}};
  hs_model_rhs(0.3, y, f0, &c);
  hs_model_rhs(77.0, y, f1, &c);
  ck_assert(memcmp(f0, f1, sizeof f0) == 0);
  c.p = &embo;
  hs_model_rhs(0.3, y, f0, &c);
  hs_model_rhs(77.0, y, f1, &c);
  ck_assert(memcmp(f0, f1, sizeof f0) != 0);
}
END_TEST

/* ---- redistribution and the stagnant shares in closed form -------------------------- */

/* A whole-liver event with its own liver reduction: m_L and m_T recover from their own
 * onset values with one half-life; an HA bolus splits m_L Q_LA : m_T Q_TA. */
START_TEST(test_redistribution) {
  hs_embolization e = event(HS_EMBO_WHOLE_LIVER, 0.3, 0.5);
  e.m_min_l = 0.1;
  hs_drug d = drug(50);
  hs_params p;
  init_ok(&p, &d, &e, 1);
  double m_l, m_t;
  hs_model_multipliers(&p, 0.5, 0.0, &m_l, &m_t);
  HS_ASSERT_REL(m_l, 1 - 0.9 * 0.5, 1e-15);
  HS_ASSERT_REL(m_t, 1 - 0.7 * 0.5, 1e-15);
  hs_model_multipliers(&p, 0.0, 0.0, &m_l, &m_t);
  const double q_la = p.fl.q_la, q_ta = p.fl.q_ta;
  HS_ASSERT_REL(hs_model_ha_liver_share(&p, 0.0, 0.0), 0.1 * q_la / (0.1 * q_la + 0.3 * q_ta),
                1e-15);
  /* the trapped-tracer tumour/normal ratio per volume rises by m_T / m_L = 3 */
  double s0 = hs_model_ha_liver_share(&p, 0.0, 0.0);
  HS_ASSERT_REL(((1 - s0) / 0.1) / (s0 / 1.8), 3 * (q_ta / 0.1) / (q_la / 1.8), 1e-13);
  /* liver_flow_reduction equal to flow_reduction is the plain whole-liver event, bit for bit */
  hs_embolization same = event(HS_EMBO_WHOLE_LIVER, 0.3, 0.5), plain = same;
  same.m_min_l = 0.3;
  hs_params a, b;
  init_ok(&a, &d, &same, 1);
  init_ok(&b, &d, &plain, 1);
  double la, ta, lb, tb;
  hs_model_multipliers(&a, 0.77, 0.0, &la, &ta);
  hs_model_multipliers(&b, 0.77, 0.0, &lb, &tb);
  ck_assert(la == lb && ta == tb);
}
END_TEST

/* One event: u = sigma (1 - m), drain -du/dt / u = ln2 / t_half once recovering; two
 * events: u = 1 - (1 - s1)(1 - s2); trap shares are u times the unembolised flow shares. */
START_TEST(test_stasis_shares) {
  hs_embolization e[2] = {event(HS_EMBO_WHOLE_LIVER, 0.1, 0.5), event(HS_EMBO_TUMOR, 0.4, INFINITY)};
  e[0].m_min_l = 0.25, e[0].sigma = 0.8, e[0].t_ex = 0.9;
  e[1].sigma = 0.5, e[1].t_e = 1.0, e[1].t_ex = 0.3;
  hs_drug d = drug(50);
  hs_params p;
  init_ok(&p, &d, e, 2);
  hs_stasis st;
  hs_model_stasis(&p, 0.5, 0.0, &st); /* the first event only, one half-life after onset */
  const double q_la = p.fl.q_la, q_ta = p.fl.q_ta, u_l = 0.8 * 0.75 * 0.5, u_t = 0.8 * 0.9 * 0.5;
  HS_ASSERT_REL(st.u_l, u_l, 1e-14);
  HS_ASSERT_REL(st.u_t, u_t, 1e-14);
  HS_ASSERT_REL(st.kd_l, M_LN2 / 0.5, 1e-12);
  HS_ASSERT_REL(st.kd_t, M_LN2 / 0.5, 1e-12);
  HS_ASSERT_REL(st.k_ex, M_LN2 / 0.9, 1e-15);
  HS_ASSERT_REL(st.trap_l, u_l * q_la / (q_la + q_ta), 1e-14);
  HS_ASSERT_REL(st.trap_t, u_t * q_ta / (q_la + q_ta), 1e-14);
  hs_model_stasis(&p, 1.5, 1.0, &st); /* both; the later onset's exchange */
  const double s1 = 0.8 * 0.9 * 0.125, s2 = 0.5 * 0.6; /* m_T of the first at 1.5 h: 0.8875 */
  const double u2 = 1 - (1 - s1) * (1 - s2);
  HS_ASSERT_REL(st.u_t, u2, 1e-14);
  HS_ASSERT_REL(st.u_l, 0.8 * 0.75 * 0.125, 1e-14);
  /* only the first recovers: -du/dt / u = (1 - s2) s1 ln2 / t_half / u */
  HS_ASSERT_REL(st.kd_t, (1 - s2) * s1 * (M_LN2 / 0.5) / u2, 1e-12);
  HS_ASSERT_REL(st.k_ex, M_LN2 / 0.3, 1e-15);
  hs_model_stasis(&p, 0.5, 0.0, &st);
  e[0].sigma = e[1].sigma = 0; /* no stasis event: all zero */
  init_ok(&p, &d, e, 2);
  hs_model_stasis(&p, 1.5, 1.0, &st);
  ck_assert(st.u_l == 0 && st.u_t == 0 && st.trap_l == 0 && st.kd_t == 0 && st.k_ex == 0);
  ck_assert_int_eq(p.part[0].i_sl, -1);
}
END_TEST

/* ---- analytic limits ------------------------------------------------------------------ */

static const hs_dose HA_INF = {.route = HS_ROUTE_HA, .t_start = 0.0, .t_end = 1.0,
                               .amount_mg = 100};

/* A bed that recovers at once holds nothing: stasis with instant degradation is the run
 * without the event. */
START_TEST(test_instant_degradation_is_no_stasis) {
  hs_embolization e = event(HS_EMBO_WHOLE_LIVER, 0.1, 1e-5);
  e.sigma = 1, e.t_ex = 0.5;
  hs_drug d = drug(50);
  hs_params with, without;
  init_ok(&with, &d, &e, 1);
  init_ok(&without, &d, NULL, 0);
  hs_metrics a = run(&with, &HA_INF, 1, 24, NULL), b = run(&without, &HA_INF, 1, 24, NULL);
  HS_ASSERT_REL(a.auc_plasma, b.auc_plasma, 1e-6);
  HS_ASSERT_REL(a.auc_tumor, b.auc_tumor, 1e-6);
  HS_ASSERT_REL(a.fraction_eliminated_liver, b.fraction_eliminated_liver, 1e-6);
}
END_TEST

/* Permanent stasis, no local elimination: everything held is released in the end (by the
 * exchange), so AUC_P(0-inf) = dose / CL_R as without stasis. */
START_TEST(test_permanent_stasis_releases_all) {
  hs_embolization e = event(HS_EMBO_WHOLE_LIVER, 0.1, INFINITY), plain = e;
  e.sigma = 1, e.t_ex = 0.5;
  hs_drug d = drug(0);
  hs_params with, without;
  init_ok(&with, &d, &e, 1);
  init_ok(&without, &d, &plain, 1);
  double y[HS_NSTATE];
  hs_metrics a = run(&with, &HA_INF, 1, 400, y), b = run(&without, &HA_INF, 1, 400, NULL);
  HS_ASSERT_REL(a.auc_blood, 100 / 5.3, 1e-6);
  HS_ASSERT_REL(b.auc_blood, 100 / 5.3, 1e-6);
  HS_ASSERT_REL(a.fraction_eliminated_renal, 1.0, 1e-6);
  ck_assert(y[HS_A_SL] < 1e-9 && y[HS_A_ST] < 1e-9);
  run(&with, &HA_INF, 1, 1.0, y); /* held at the end of the infusion */
  ck_assert_msg(y[HS_A_SL] > 10 && y[HS_A_ST] > 0.1, "held %g, %g mg", y[HS_A_SL], y[HS_A_ST]);
}
END_TEST

/* Permanent stasis, no exchange, no tumour clearance: the held share never reaches the
 * blood (the liver's is eliminated there, the tumour's stays), so by superposition
 * AUC_P = (1 - trap_L - trap_T) of the same bolus without stasis. */
START_TEST(test_held_share_never_reaches_blood) {
  hs_embolization e = event(HS_EMBO_WHOLE_LIVER, 0.2, INFINITY), plain = e;
  e.m_min_l = 0.05, e.sigma = 0.7;
  plain.m_min_l = 0.05;
  hs_drug d = drug(80);
  hs_params with, without;
  init_ok(&with, &d, &e, 1);
  init_ok(&without, &d, &plain, 1);
  hs_dose bolus = {.route = HS_ROUTE_HA, .t_start = 0.5, .t_end = 0.5, .amount_mg = 100};
  double y[HS_NSTATE];
  hs_metrics a = run(&with, &bolus, 1, 300, y), b = run(&without, &bolus, 1, 300, NULL);
  hs_stasis st;
  hs_model_stasis(&with, 0.5, 0.5, &st);
  HS_ASSERT_REL(st.u_l, 0.7 * 0.95, 1e-15);
  HS_ASSERT_REL(a.auc_plasma, (1 - st.trap_l - st.trap_t) * b.auc_plasma, 1e-6);
  HS_ASSERT_REL(y[HS_A_ST], 100 * st.trap_t, 1e-6); /* held in the tumour for good */
  ck_assert(y[HS_A_SL] < 1e-9);                      /* eliminated where it is held */
}
END_TEST

/* ---- local retention --------------------------------------------------------------- */

/* Reversible binding: under a constant infusion bound and free liver drug reach
 * B_L / A_L = k_on / k_off; irreversible binding keeps what it took (balance closes). */
START_TEST(test_binding_equilibrium) {
  hs_drug d = drug(20);
  d.k_bind_l = 0.8, d.k_unbind_l = 0.2, d.k_bind_t = 1.5, d.k_unbind_t = 0.5;
  hs_params p;
  init_ok(&p, &d, NULL, 0);
  hs_dose inf = {.route = HS_ROUTE_IV, .t_start = 0, .t_end = 200, .amount_mg = 2000};
  double y[HS_NSTATE];
  run(&p, &inf, 1, 200, y);
  HS_ASSERT_REL(y[HS_A_BL] / y[HS_A_L], 0.8 / 0.2, 1e-6);
  HS_ASSERT_REL(y[HS_A_BT] / y[HS_A_T], 1.5 / 0.5, 1e-6);
  d.k_unbind_l = d.k_unbind_t = 0; /* irreversible: the bound amount only grows */
  init_ok(&p, &d, NULL, 0);
  hs_dose bolus = {.route = HS_ROUTE_HA, .t_start = 0, .t_end = 0, .amount_mg = 100};
  hs_metrics m = run(&p, &bolus, 1, 300, y);
  ck_assert(y[HS_A_BL] > 1 && y[HS_A_BT] > 0.1);
  HS_ASSERT_REL(y[HS_A_BL] + y[HS_A_BT] + 100 * (m.fraction_eliminated_liver +
                m.fraction_eliminated_renal), 100, 1e-6);
}
END_TEST

/* ---- scenario keys ------------------------------------------------------------------- */

static const char *SCEN =
    "patient: {weight: 70 kg, height: 175 cm}\n"
    "drugs:\n"
    "  mitomycin:\n"
    "    regimen: [{route: hai, dose: 10 mg/m2, duration: 5 min}]\n"
    "simulation: {end: 24 h, output_interval: 0.1 h}\n"
    "embolization:\n"
    "  - agent: dsm\n"
    "    onset: 0 h\n"
    "%s";

static int load(const char *extra, hs_scenario *sc, hs_error *err) {
  char text[2048];
  snprintf(text, sizeof text, SCEN, extra);
  return hs_scenario_load_text(sc, "t.yaml", text, NULL, err);
}

START_TEST(test_scenario_keys) {
  hs_scenario sc;
  hs_error err;
  int rc = load("    liver_flow_reduction: 95 %\n    stasis: 0.6\n"
                "    stasis_exchange_half_life: 12 min\n", &sc, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
  ck_assert_int_eq(sc.n_embo, 1);
  HS_ASSERT_REL(sc.embo[0].m_min_l, 0.05, 1e-14);
  HS_ASSERT_REL(sc.embo[0].sigma, 0.6, 1e-15);
  HS_ASSERT_REL(sc.embo[0].t_ex, 0.2, 1e-14);
  hs_scenario_release(&sc);
  ck_assert_int_eq(load("    target: tumor\n    liver_flow_reduction: 95 %\n", &sc, &err),
                   HS_EINPUT);
  ck_assert_str_eq(err.msg, "t.yaml:10:27: 'embolization[0]': liver_flow_reduction needs "
                            "'target: whole_liver' (a tumour-selective event leaves the "
                            "normal liver's flow alone)");
}
END_TEST

/* Each drug's bead elution: under a bead carrier (deb: carrier beads) a drug with a
 * bead_release in its library entry (irinotecan, 0.41 /h) leaves the beads at that rate,
 * one without (doxorubicin) at the preset's 274 h half-life; a half-life written in the
 * scenario's event wins over both; an emulsion carrier (ctace) ignores bead_release; a
 * scenario may override a drug's bead_release. */
START_TEST(test_bead_release_per_drug) {
  static const struct {
    const char *agent, *event_extra, *drug_extra;
    double k_iri, k_dox; /* 1/h */
  } cases[] = {
      {"deb", "", "", 0.41, M_LN2 / 274},
      {"deb", "    depot_release_half_life: 10 h\n", "", M_LN2 / 10, M_LN2 / 10},
      {"ctace", "", "", M_LN2 / 24, M_LN2 / 24},
      {"deb", "", "    bead_release: 0.2 /h\n", 0.2, M_LN2 / 274},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text,
             "drugs:\n"
             "  irinotecan:\n%s"
             "    regimen: [{route: tace, dose: 100 mg, start: 0 h}]\n"
             "  doxorubicin:\n"
             "    regimen: [{route: tace, dose: 50 mg, start: 0 h}]\n"
             "simulation: {end: 24 h, output_interval: 1 h}\n"
             "embolization:\n"
             "  - agent: %s\n"
             "    onset: 0 h\n%s",
             cases[i].drug_extra, cases[i].agent, cases[i].event_extra);
    hs_scenario sc;
    hs_error err;
    ck_assert_msg(hs_scenario_load_text(&sc, "t.yaml", text, NULL, &err) == HS_OK, "%s", err.msg);
    ck_assert_str_eq(sc.drugs[0].name, "irinotecan");
    int dox = !strcmp(sc.drugs[1].name, "doxorubicin") ? 1 : 2; /* after SN-38 when formed */
    ck_assert_str_eq(sc.drugs[dox].name, "doxorubicin");
    HS_ASSERT_REL(sc.drugs[0].drug.k_rel, cases[i].k_iri, 1e-12);
    HS_ASSERT_REL(sc.drugs[dox].drug.k_rel, cases[i].k_dox, 1e-12);
    hs_scenario_release(&sc);
  }
}
END_TEST

Suite *hs_suite_embolization(void) {
  Suite *s = suite_create("embolization");
  TCase *tc = tcase_create("closed form");
  tcase_add_test(tc, test_redistribution);
  tcase_add_test(tc, test_time_invariant_without_embolisation);
  tcase_add_test(tc, test_stasis_shares);
  suite_add_tcase(s, tc);
  tc = tcase_create("limits");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_instant_degradation_is_no_stasis);
  tcase_add_test(tc, test_permanent_stasis_releases_all);
  tcase_add_test(tc, test_held_share_never_reaches_blood);
  tcase_add_test(tc, test_binding_equilibrium);
  suite_add_tcase(s, tc);
  tc = tcase_create("scenario");
  tcase_add_test(tc, test_scenario_keys);
  tcase_add_test(tc, test_bead_release_per_drug);
  suite_add_tcase(s, tc);
  return s;
}
