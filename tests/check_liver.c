/* check_liver.c - liver disease, vascular events and embolic agents (docs/model.md
 * extensions "Liver disease and vascular events", "Embolic agents" and "Carriers"):
 * analytic shunt identities, the buffer response's flow balance, hepatic artery occlusion,
 * recanalisation, repeated sessions, the presets, the carriers' immediate share of a TACE
 * dose and the example scenarios. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_model.h"
#include "hs_output.h"
#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_solver.h"
#include "hs_test.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The reference patient of check_model.c with a purely arterial tumour (Q_TP = 0). */
static hs_physiology phys(double f_sh) {
  hs_physiology ph = {.q_co = 336, .q_h = 90, .f_ha = 0.25, .v_b = 5, .v_g = 1.5,
                      .v_l = 1.8, .v_r = 40, .v_t = 0.1, .p_t = 24, .f_ta = 1.0};
  ph.vasc.f_sh = f_sh;
  return ph;
}

static hs_drug drug(void) {
  hs_drug d = {.bp = 1, .kp_g = 1, .kp_l = 1, .kp_t = 1, .kp_r = 1, .cl_r = 5.3,
               .hepatic = {HS_ELIM_LINEAR, 123.4, 0, 0}};
  return d;
}

/* AUC_B (mg*h/L) of a 100 mg bolus by route, to 400 h. */
static double auc_b(const hs_physiology *ph, hs_route route) {
  hs_params p;
  hs_error err;
  hs_drug d = drug();
  ck_assert_int_eq(hs_params_init(&p, ph, &d, NULL, 0, &err), HS_OK);
  hs_solver *s = hs_solver_create(&err);
  hs_dose dose = {.route = route, .t_start = 0, .t_end = 0, .amount_mg = 100};
  hs_sim_opts o = {.t_end = 400, .dt_out = 10, .rtol = 1e-10, .atol = 1e-12, .max_steps = 100000};
  hs_metrics m;
  ck_assert_int_eq(hs_solver_run(s, &p, &dose, 1, &o, NULL, &m, &err), HS_OK);
  ck_assert(m.mass_balance_error < 1e-9);
  hs_solver_free(s);
  return m.auc_blood;
}

/* model.md: F_PV = f_sh + (1 - f_sh)(1 - E_L'), CL_TB = CL_R + Q_L' E_L' with
 * Q_L' = Q_LA + (1 - f_sh) Q_LP and E_L' = CL_int / (Q_L' + CL_int); written out here. */
START_TEST(test_shunt_identities) {
  const double f_sh = 0.27, q_la = 0.25 * 90 - 2.4, q_lp = 0.75 * 90, cl_int = 123.4;
  double f_pv[2], cl_tb[2];
  for (int k = 0; k < 2; k++) {
    double sh = k ? f_sh : 0, q_l = q_la + (1 - sh) * q_lp, e_l = cl_int / (q_l + cl_int);
    f_pv[k] = sh + (1 - sh) * (1 - e_l);
    cl_tb[k] = 5.3 + q_l * e_l;
    hs_physiology ph = phys(sh);
    double iv = auc_b(&ph, HS_ROUTE_IV), pv = auc_b(&ph, HS_ROUTE_PV);
    HS_ASSERT_REL(pv / iv, f_pv[k], 1e-3);
    HS_ASSERT_REL(100 / iv, cl_tb[k], 1e-3);
  }
  /* the shunt raises the portal dose's availability and lowers the IV clearance */
  ck_assert(f_pv[1] > f_pv[0] + 0.1 && cl_tb[1] < cl_tb[0] - 5);
  hs_physiology ph = phys(f_sh);
  hs_params p;
  hs_error err;
  hs_drug d = drug();
  hs_analytic an;
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, NULL, 0, &err), HS_OK);
  hs_model_analytic(&p, &an);
  HS_ASSERT_REL(an.f_pv_bioavail, f_pv[1], 1e-12);
  HS_ASSERT_REL(an.cl_tb, cl_tb[1], 1e-12);
}
END_TEST

/* Q_HA' + Q_PV,liver' = Q_H - (1 - k) dQ_PV, dQ_PV = obstruction Q_PV; Q_CO unchanged. */
START_TEST(test_buffer_conserves_hepatic_flow) {
  static const double ks[] = {0, 0.255, 0.44, 1};
  hs_physiology ph = phys(0);
  ph.f_ta = 0.9;
  ph.vasc.pvt_obstruction = 0.6;
  ph.vasc.habr = ks[_i];
  hs_params p;
  hs_error err;
  hs_drug d = drug();
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, NULL, 0, &err), HS_OK);
  const hs_flows *f = &p.fl;
  double dq = 0.6 * 0.75 * 90, total = f->q_ha + f->q_lp + f->q_tp;
  HS_ASSERT_REL(total, 90 - (1 - ks[_i]) * dq, 1e-14);
  if (ks[_i] == 1) HS_ASSERT_REL(total, 90, 1e-15); /* k = 1 conserves Q_H */
  HS_ASSERT_REL(f->q_ha, 22.5 + ks[_i] * dq, 1e-14);
  HS_ASSERT_REL(f->q_sh, dq, 1e-14);
  HS_ASSERT_REL(f->q_ha + f->q_pv + f->q_r, 336, 1e-14); /* cardiac output */
  HS_ASSERT_REL(f->q_lp + f->q_tp + f->q_sh, f->q_pv, 1e-14); /* the gut's outflow */
}
END_TEST

/* Neutral settings reproduce the reference run: obstruction 0 with the buffer response
 * set, shunt 0, clearance loss 0, recanalisation start 0; without the embolisation, both
 * give identities 1-3 in closed form (hs_model_analytic of the reference physiology). */
START_TEST(test_neutral_settings) {
  hs_physiology ref = phys(0), neu = phys(0);
  ref.f_ta = neu.f_ta = 0.9;
  neu.vasc.habr = 0.255;
  hs_embolization e = {HS_EMBO_TUMOR, 1.0, 0.2, 3.0, 0, NAN, 0, 0, 0};
  hs_drug d = drug();
  hs_dose dose = {.route = HS_ROUTE_HA, .t_start = 0, .t_end = 2, .amount_mg = 238.5};
  hs_sim_opts o = {.t_end = 100, .dt_out = 1, .rtol = 1e-10, .atol = 1e-12, .max_steps = 100000};
  hs_metrics m[2];
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  for (int k = 0; k < 2; k++) {
    hs_params p;
    ck_assert_int_eq(hs_params_init(&p, k ? &neu : &ref, &d, &e, 1, &err), HS_OK);
    ck_assert_int_eq(hs_solver_run(s, &p, &dose, 1, &o, NULL, &m[k], &err), HS_OK);
  }
  HS_ASSERT_REL(m[1].auc_plasma, m[0].auc_plasma, 1e-6);
  HS_ASSERT_REL(m[1].auc_tumor, m[0].auc_tumor, 1e-6);
  HS_ASSERT_REL(m[1].auc_liver, m[0].auc_liver, 1e-6);
  HS_ASSERT_REL(m[1].cmax_plasma, m[0].cmax_plasma, 1e-6);
  hs_params pr;
  hs_analytic an;
  ck_assert_int_eq(hs_params_init(&pr, &ref, &d, NULL, 0, &err), HS_OK);
  hs_model_analytic(&pr, &an);
  for (int k = 0; k < 2; k++) {
    hs_params p;
    ck_assert_int_eq(hs_params_init(&p, k ? &neu : &ref, &d, NULL, 0, &err), HS_OK);
    ck_assert_int_eq(hs_solver_run(s, &p, &dose, 1, &o, NULL, &m[k], &err), HS_OK);
    HS_ASSERT_REL(m[k].auc_blood, 238.5 * an.f_ha_bioavail / an.cl_tb, 1e-6); /* 1, 2 */
    HS_ASSERT_REL(m[k].auc_tumor_venous, m[k].auc_blood + ref.f_ta * 238.5 / pr.fl.q_ha,
                  1e-6); /* identity 3 */
  }
  hs_solver_free(s);
}
END_TEST

/* Recanalisation: m_min held until t_e + t_hold, then 1 - (1 - m_min) 2^(-(t - t_r)/t_half). */
START_TEST(test_recanalisation_shape) {
  static const double t[] = {2, 50, 74, 98, 122, 74 + 24 * 3.7};
  static const double want[] = {0.1, 0.1, 0.1, 0.55, 0.775, 1 - 0.9 * 0.076946525834057};
  hs_embolization e = {HS_EMBO_WHOLE_LIVER, 2.0, 0.1, 24.0, 72.0, NAN, 0, 0, 0};
  hs_physiology ph = phys(0);
  hs_drug d = drug();
  hs_params p;
  hs_error err;
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, &e, 1, &err), HS_OK);
  for (int i = 0; i < NCASES(t); i++) {
    double m_l, m_t;
    hs_model_multipliers(&p, t[i], 2.0, &m_l, &m_t);
    HS_ASSERT_REL(m_l, want[i], 1e-13);
    HS_ASSERT_REL(m_t, want[i], 1e-13);
  }
  e.t_hold = -1;
  ck_assert_int_eq(hs_params_init(&p, &ph, &d, &e, 1, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "embolization[0]: recanalisation start = -1 h after onset must "
                            "be >= 0");
}
END_TEST

/* ---- scenarios ---------------------------------------------------------------------- */

static void load_ok(hs_scenario *sc, const char *text) {
  hs_error err;
  int rc = hs_scenario_load_text(sc, "t.yaml", text, NULL, &err);
  ck_assert_msg(rc == HS_OK, "%s", err.msg);
}

static const char *load_fail(const char *text) {
  static hs_error err; /* test-only: read right after the call */
  hs_scenario sc;
  ck_assert_int_eq(hs_scenario_load_text(&sc, "t.yaml", text, NULL, &err), HS_EINPUT);
  return err.msg;
}

#define DRUG_HA "drugs: {fluorouracil: {regimen: [{route: hai, dose: 100 mg, start: 1 h}]}}\n"
#define SIM "simulation: {end: 48 h, output_interval: 1 h}\n"
#define DRUG_INLINE "drugs: {x: {library: none, hepatic_clint: 1 L/h, renal_clearance: 1 L/h, " \
                    "regimen: [{route: iv, dose: 1 mg}]}}\n"

/* An occluded artery delivers nothing to the liver and says so. */
START_TEST(test_occlusion_delivers_nothing) {
  hs_scenario sc;
  hs_results res;
  hs_error err;
  load_ok(&sc, "hepatic_artery_occlusion: {onset: 0 h}\n" DRUG_HA SIM);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_int_eq(hs_simulate(s, &sc, 0, &res, &err), HS_OK);
  const hs_metrics *m = &res.drugs[0].metrics;
  ck_assert(m->auc_liver == 0 && m->auc_tumor == 0 && m->dosed_mg == 0);
  ck_assert(m->dose_undelivered_mg == 100);
  ck_assert_str_eq(res.drugs[0].warning, "hepatic artery occluded from t = 0 h: 100 mg of "
                                         "hepatic arterial doses of 'fluorouracil' not delivered");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hs_output_json(f, &res);
  hs_output_table(f, &sc, &res);
  fclose(f);
  ck_assert_ptr_nonnull(strstr(buf, "\"warning\": \"hepatic artery occluded from t = 0 h"));
  ck_assert_ptr_nonnull(strstr(buf, "\nwarning: hepatic artery occluded"));
  ck_assert_ptr_nonnull(strstr(buf, "\"dose_undelivered_mg\": 100"));
  free(buf);
  hs_results_release(&res);
  hs_scenario_release(&sc);
  hs_solver_free(s);
}
END_TEST

/* With an IV dose too, the liver sees only what recirculates: the same as the IV dose
 * alone in the occluded liver; an infusion running at the onset is cut off there. */
START_TEST(test_occlusion_recirculation_and_cutoff) {
  static const char *occ = "hepatic_artery_occlusion: {onset: 4 h}\n";
  static const char *both = "drugs: {fluorouracil: {regimen: [{route: iv, dose: 50 mg, start: 0 h},"
                            " {route: hai, dose: 100 mg, start: 5 h}]}}\n";
  static const char *iv = "drugs: {fluorouracil: {regimen: [{route: iv, dose: 50 mg, start: 0 h}]}}\n";
  static const char *inf = "drugs: {fluorouracil: {regimen: [{route: hai, dose: 10 mg, start: 0 h,"
                           " duration: 10 h}]}}\n";
  char text[3][512];
  snprintf(text[0], sizeof text[0], "%s%s%s", occ, both, SIM);
  snprintf(text[1], sizeof text[1], "%s%s%s", occ, iv, SIM);
  snprintf(text[2], sizeof text[2], "%s%s%s", occ, inf, SIM);
  hs_metrics m[3];
  hs_error err;
  hs_solver *s = hs_solver_create(&err);
  for (int k = 0; k < 3; k++) {
    hs_scenario sc;
    hs_results res;
    load_ok(&sc, text[k]);
    ck_assert_int_eq(hs_simulate(s, &sc, 0, &res, &err), HS_OK);
    m[k] = res.drugs[0].metrics;
    ck_assert(m[k].mass_balance_error < 1e-6);
    hs_results_release(&res);
    hs_scenario_release(&sc);
  }
  hs_solver_free(s);
  ck_assert(m[0].auc_liver > 0);
  HS_ASSERT_REL(m[0].auc_liver, m[1].auc_liver, 1e-9);
  ck_assert(m[0].dose_undelivered_mg == 100 && m[1].dose_undelivered_mg == 0);
  HS_ASSERT_REL(m[2].dosed_mg, 4, 1e-9);
  HS_ASSERT_REL(m[2].dose_undelivered_mg, 6, 1e-9);
}
END_TEST

/* An occluded hepatic artery with each extension of the liver's parts (a lobar catheter
 * territory, gastric misperfusion, a permeability-limited tumour, and all three): an HA
 * infusion cut at the onset runs, with its IV comparator, and balances mass; after an IV
 * dose into an artery occluded from the start, the liver's exposure does not depend on
 * the catheter's territory (no arterial flow reaches either part). */
static const struct {
  const char *ext, *same_without_catheter;
} OCCLUDED_PARTS[] = {
    {"catheter: {position: lobar, liver_coverage: 60 %, tumor_coverage: 100 %}\n", ""},
    {"misperfusion: {share: 5 %}\n", ""},
    {"tumor: {permeability_surface: 2 L/h}\n", NULL},
    {"catheter: {position: segmental, liver_coverage: 30 %, tumor_coverage: 70 %}\n"
     "misperfusion: {share: 5 %}\ntumor: {permeability_surface: 2 L/h}\n",
     "misperfusion: {share: 5 %}\ntumor: {permeability_surface: 2 L/h}\n"},
};

static hs_metrics occluded_run(const char *ext, const char *occ, const char *drug) {
  char text[1024];
  snprintf(text, sizeof text, "%s%s%s" "simulation: {end: 48 h, output_interval: 15 min, "
           "iv_comparator: true}\n", ext, occ, drug);
  hs_scenario sc;
  hs_results res;
  hs_error err;
  load_ok(&sc, text);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s: %s", ext, err.msg);
  hs_metrics m = res.drugs[0].metrics;
  ck_assert_msg(m.mass_balance_error < 1e-6, "%s: mass balance %g", ext, m.mass_balance_error);
  ck_assert_msg(isfinite(m.auc_plasma_iv) && m.auc_plasma > 0, "%s", ext);
  hs_results_release(&res);
  hs_scenario_release(&sc);
  hs_solver_free(s);
  return m;
}

START_TEST(test_occlusion_with_extensions) {
  static const char *hai = "drugs: {fluorouracil: {regimen: [{route: hai, dose: 1200 mg, "
                           "duration: 24 h}]}}\n";
  static const char *iv = "drugs: {fluorouracil: {regimen: [{route: iv, dose: 50 mg}]}}\n";
  const char *ext = OCCLUDED_PARTS[_i].ext, *base = OCCLUDED_PARTS[_i].same_without_catheter;
  hs_metrics m = occluded_run(ext, "hepatic_artery_occlusion: {onset: 12 h}\n", hai);
  HS_ASSERT_REL(m.dosed_mg, 600, 1e-9); /* half the infusion, the rest withheld */
  HS_ASSERT_REL(m.dose_undelivered_mg, 600, 1e-9);
  const char *from0 = "hepatic_artery_occlusion: {onset: 0 h}\n";
  hs_metrics a = occluded_run(ext, from0, iv);
  if (!base) return;
  hs_metrics b = occluded_run(base, from0, iv);
  /* to the default tolerances' accuracy (a few 1e-6) */
  HS_ASSERT_REL(a.auc_plasma, b.auc_plasma, 2e-5);
  HS_ASSERT_REL(a.auc_liver, b.auc_liver, 2e-5);
  HS_ASSERT_REL(a.auc_tumor, b.auc_tumor, 2e-5);
}
END_TEST

/* Each embolic agent loads with the values model/data/embolics.yaml documents. */
static const struct {
  const char *agent;
  hs_embo_target target;
  double m_min, t_half_h, t_hold_h, depot_half_h, f_imm; /* f_imm NAN: not a carrier */
  double m_min_l, sigma, t_ex_h; /* redistribution, stasis (0: none) */
} AGENTS[] = {
    {"dsm", HS_EMBO_WHOLE_LIVER, 0.23, 35.0 / 60, 0, 0, NAN, 0.135, 1, 0.05},
    {"ctace", HS_EMBO_TUMOR, 0.10, 60, 72, 24, 0.24, 0, 1, 0},
    {"deb", HS_EMBO_TUMOR, 0.44, INFINITY, 0, 274, 0.0078, 0, 0, 0},
    {"bland", HS_EMBO_TUMOR, 0.275, INFINITY, 0, 0, NAN, 0, 0, 0},
    {"gelfoam", HS_EMBO_TUMOR, 0.10, 60, 72, 0, NAN, 0, 1, 0},
    {"resorbable", HS_EMBO_TUMOR, 0.10, 1.6 * 24, 72, 0, NAN, 0, 1, 0},
};

START_TEST(test_agent_presets) {
  char text[512];
  snprintf(text, sizeof text, "embolization: [{agent: %s, onset: 0 h}]\n"
           "drugs: {doxorubicin: {depot_release: 0.05 /h, regimen: [{route: tace, dose: 50 mg}]}}\n"
           "simulation: {end: 20 d, output_interval: 1 h}\n", AGENTS[_i].agent);
  hs_scenario sc;
  load_ok(&sc, text);
  ck_assert_int_eq(sc.n_embo, 1);
  const hs_embolization *e = &sc.embo[0];
  ck_assert_int_eq(e->target, AGENTS[_i].target);
  HS_ASSERT_REL(e->m_min, AGENTS[_i].m_min, 1e-12);
  HS_ASSERT_REL(e->m_min_l + 1, AGENTS[_i].m_min_l + 1, 1e-12);
  HS_ASSERT_REL(e->sigma + 1, AGENTS[_i].sigma + 1, 1e-12);
  HS_ASSERT_REL(e->t_ex + 1, AGENTS[_i].t_ex_h + 1, 1e-12);
  if (isinf(AGENTS[_i].t_half_h)) ck_assert(isinf(e->t_half));
  else HS_ASSERT_REL(e->t_half, AGENTS[_i].t_half_h, 1e-12);
  HS_ASSERT_REL(e->t_hold + 1, AGENTS[_i].t_hold_h + 1, 1e-12);
  double k_rel = AGENTS[_i].depot_half_h > 0 ? M_LN2 / AGENTS[_i].depot_half_h : 0.05;
  HS_ASSERT_REL(sc.drugs[0].drug.k_rel, k_rel, 1e-12); /* the carrier's release wins */
  if (isnan(AGENTS[_i].f_imm)) ck_assert(isnan(e->f_imm));
  else HS_ASSERT_REL(e->f_imm + 1, AGENTS[_i].f_imm + 1, 1e-12);
  hs_scenario_release(&sc);
}
END_TEST

START_TEST(test_agent_override_and_errors) {
  hs_scenario sc;
  load_ok(&sc, "embolization: [{agent: dsm, onset: 0 h, flow_reduction: 50 %}]\n" DRUG_HA SIM);
  HS_ASSERT_REL(sc.embo[0].m_min, 0.5, 1e-15);
  HS_ASSERT_REL(sc.embo[0].t_half, 35.0 / 60, 1e-12);
  hs_scenario_release(&sc);
  ck_assert_str_eq(load_fail("embolization: [{agent: gelfom, onset: 0 h}]\n" DRUG_HA SIM),
                   "t.yaml:1:24: 'embolization[0]': unknown preset 'gelfom' (did you mean "
                   "'gelfoam'?); embolics.yaml has: dsm, ctace, deb, bland, gelfoam, resorbable");
}
END_TEST

/* `every: 4 wk, sessions: 3` expands into three events, like regimen cycles. */
START_TEST(test_sessions_expand) {
  hs_scenario sc;
  load_ok(&sc, "embolization: [{agent: bland, onset: 2 h, every: 4 wk, sessions: 3},"
               " {target: whole_liver, type: permanent, onset: 1 h, flow_reduction: 10 %}]\n"
               DRUG_HA "simulation: {end: 12 wk, output_interval: 1 d}\n");
  ck_assert_int_eq(sc.n_embo, 4);
  for (int k = 0; k < 3; k++) {
    HS_ASSERT_REL(sc.embo[k].t_e, 2 + k * 672.0, 1e-15);
    HS_ASSERT_REL(sc.embo[k].m_min, 0.275, 1e-12); /* the bland preset: 72.5 % */
  }
  HS_ASSERT_REL(sc.embo[3].t_e, 1, 1e-15);
  hs_scenario_release(&sc);
  ck_assert_str_eq(load_fail("embolization: [{agent: bland, onset: 0 h, sessions: 2}]\n" DRUG_HA SIM),
                   "t.yaml:1:16: 'embolization[0]': 2 sessions need 'every' (the interval)");
  ck_assert_ptr_nonnull(strstr(
      load_fail("embolization: [{agent: bland, onset: 0 h, every: 1 d, sessions: 3}]\n" DRUG_HA SIM),
      "session 3 of 3 at 48 h is at or after the simulation end 48 h"));
}
END_TEST

/* ---- carriers: the immediate share of a TACE dose ---------------------------------- */

/* The metrics of drug 0 of a scenario, with mass balance to round-off. */
static hs_metrics run_text(const char *text) {
  hs_scenario sc;
  hs_results res;
  hs_error err;
  load_ok(&sc, text);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
  hs_metrics m = res.drugs[0].metrics;
  /* 1e-12: the exact solution (simulation.solver auto) squares its exponential about 20
   * times over a segment of days; CVODE's runs close to about 1e-14 */
  ck_assert_msg(m.mass_balance_error < 1e-12, "mass balance %g", m.mass_balance_error);
  hs_results_release(&res);
  hs_scenario_release(&sc);
  hs_solver_free(s);
  return m;
}

/* A linear drug given by `route` at 1 h, a carrier event at 1 h, optional physiology. */
static hs_metrics carrier_run(const char *phys, const char *event, const char *route) {
  char text[1024];
  snprintf(text, sizeof text, "%sembolization: [%s]\n"
           "drugs: {lin: {library: none, hepatic_clint: 61.3 L/h, renal_clearance: 7.1 L/h, "
           "kp_tumor: 2.385, depot_release: 0.05 /h, regimen: [{route: %s, dose: 238.5 mg, "
           "start: 1 h}]}}\n"
           "simulation: {end: 10 d, output_interval: 1 h, rtol: 1e-12, atol: 1e-14 mg}\n",
           phys, event, route);
  return run_text(text);
}

/* Carrier share 0 gives the depot-only dose, bit for bit: the same as a carrier with a
 * depot release alone, and as no carrier with the drug's own release at the same rate. */
START_TEST(test_carrier_share_zero_is_depot) {
  static const char *ev = "{target: tumor, type: permanent, onset: 1 h, flow_reduction: 95 %";
  char with0[256], depot[256], none[256], text[1024];
  snprintf(with0, sizeof with0, "%s, depot_release_half_life: 3 d, immediate_fraction: 0}", ev);
  snprintf(depot, sizeof depot, "%s, depot_release_half_life: 3 d}", ev);
  snprintf(none, sizeof none, "%s}", ev);
  hs_metrics a = carrier_run("", with0, "tace"), b = carrier_run("", depot, "tace");
  snprintf(text, sizeof text, "embolization: [%s]\n"
           "drugs: {lin: {library: none, hepatic_clint: 61.3 L/h, renal_clearance: 7.1 L/h, "
           "kp_tumor: 2.385, depot_release: %.17g /h, regimen: [{route: tace, dose: 238.5 mg, "
           "start: 1 h}]}}\n"
           "simulation: {end: 10 d, output_interval: 1 h, rtol: 1e-12, atol: 1e-14 mg}\n",
           none, M_LN2 / 72);
  hs_metrics c = run_text(text);
  ck_assert(memcmp(&a, &b, sizeof a) == 0);
  ck_assert(memcmp(&a, &c, sizeof a) == 0);
  ck_assert(a.auc_plasma > 0 && a.dosed_mg == 238.5);
}
END_TEST

/* Share 1 is an HA bolus of the dose (also in a lobar catheter's territory with gastric
 * misperfusion); 0 < f < 1 is f times it plus (1 - f) times the depot-only dose. */
static const char *const CARRIER_PHYS[] = {
    "",
    "catheter: {position: lobar, liver_coverage: 60 %, tumor_coverage: 100 %}\n"
    "misperfusion: {share: 5 %}\n",
};

START_TEST(test_carrier_share_superposition) {
  static const char *ev = "{agent: ctace, onset: 1 h, immediate_fraction: %s}";
  char e0[128], e1[128], ef[128];
  snprintf(e0, sizeof e0, ev, "0");
  snprintf(e1, sizeof e1, ev, "100 %");
  snprintf(ef, sizeof ef, ev, "23.85 %");
  const char *ph = CARRIER_PHYS[_i];
  hs_metrics depot = carrier_run(ph, e0, "tace"), full = carrier_run(ph, e1, "tace"),
             hai = carrier_run(ph, e1, "hai"), mix = carrier_run(ph, ef, "tace");
  int n;
  const hs_metric_field *f = hs_metric_fields(&n);
  for (int i = 0; i < n; i++) {
    double v = hs_metric_value(&full, &f[i]), h = hs_metric_value(&hai, &f[i]);
    if (isnan(h)) { ck_assert_msg(isnan(v), "%s", f[i].name); continue; }
    if (!strcmp(f[i].name, "mass_balance_error")) continue;
    ck_assert_msg(fabs(v - h) <= 1e-10 * fmax(fabs(h), 1e-300), "%s: %.15g vs HA bolus %.15g",
                  f[i].name, v, h);
    if (strncmp(f[i].name, "auc_", 4) && strncmp(f[i].name, "fraction_", 9)) continue;
    double want = 0.2385 * v + (1 - 0.2385) * hs_metric_value(&depot, &f[i]);
    double got = hs_metric_value(&mix, &f[i]);
    ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(fabs(want), 1e-300), "%s: %.15g vs %.15g",
                  f[i].name, got, want);
  }
  ck_assert(full.cmax_plasma > mix.cmax_plasma && mix.cmax_plasma > depot.cmax_plasma);
}
END_TEST

/* The key overrides the agent's preset, every session carries it, an event without a
 * carrier has none; out-of-range values are refused at their place in the scenario or in
 * the data file; the share is swept only for an event with a carrier. */
START_TEST(test_carrier_keys_and_errors) {
  hs_scenario sc;
  load_ok(&sc, "embolization: [{agent: ctace, onset: 0 h, every: 1 d, sessions: 2, "
               "immediate_fraction: 12.5 %}, {agent: gelfoam, onset: 1 h}]\n" DRUG_HA SIM);
  ck_assert(sc.embo[0].f_imm == 0.125 && sc.embo[1].f_imm == 0.125 && isnan(sc.embo[2].f_imm));
  hs_scenario_slot slot;
  hs_error err;
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "embolization[1].immediate_fraction", &slot, &err),
                   HS_OK);
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "embolization[2].immediate_fraction", &slot, &err),
                   HS_EINPUT);
  ck_assert_str_eq(err.msg, "sweep parameter 'embolization[2].immediate_fraction': "
                            "embolization[2] carries no drug (no agent with a carrier, "
                            "'depot_release_half_life' or 'immediate_fraction')");
  hs_scenario_release(&sc);
  ck_assert_str_eq(load_fail("embolization: [{agent: deb, onset: 0 h, immediate_fraction: "
                             "130 %}]\n" DRUG_HA SIM),
                   "t.yaml:1:61: 'embolization[0].immediate_fraction': must lie between 0 and "
                   "1 (0 % to 100 %), got '130 %'");
  /* a preset with a share out of range: the data file's line and column */
  hs_test_mkdir();
  FILE *f = fopen(hs_test_path("embolics.yaml"), "w");
  fprintf(f, "beads:\n  target: tumor\n  type: permanent\n"
             "  flow_reduction: {value: 95 %%, source: test, confidence: low}\n"
             "  immediate_fraction: {value: -0.2385, source: test, confidence: low}\n");
  fclose(f);
  char cmd[1200], want[1400];
  snprintf(cmd, sizeof cmd, "cp ../model/data/physiology.yaml %s/", hs_test_dir());
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "t.yaml", "embolization: [{agent: beads, onset: "
                                         "0 h}]\n" DRUG_INLINE SIM, hs_test_dir(), &err),
                   HS_EINPUT);
  snprintf(want, sizeof want, "%s/embolics.yaml:5:31: 'beads.immediate_fraction': must lie "
           "between 0 and 1 (0 %% to 100 %%), got '-0.2385'", hs_test_dir());
  ck_assert_str_eq(err.msg, want);
  hs_test_rmdir();
}
END_TEST

/* Child-Pugh presets scale the patient as liver_disease.yaml documents; overrides win. */
START_TEST(test_liver_disease_presets) {
  static const char *names[] = {"child_pugh_a", "child_pugh_b", "child_pugh_c"};
  static const double co[] = {1.1, 1.2, 1.3}, pv[] = {0.72, 0.60, 0.13}, ha[] = {1.5, 1.7, 2.1},
                      vl[] = {0.91, 0.81, 0.64}, sh[] = {0.10, 0.27, 0.72}, loss[] = {0.15, 0.3, 0.5};
  hs_scenario ref, sc;
  load_ok(&ref, DRUG_HA SIM);
  const hs_physiology *r = &ref.phys;
  char text[512];
  snprintf(text, sizeof text, "liver_disease: {preset: %s}\n" DRUG_HA SIM, names[_i]);
  load_ok(&sc, text);
  const hs_physiology *p = &sc.phys;
  HS_ASSERT_REL(p->q_co, co[_i] * r->q_co, 1e-12);
  HS_ASSERT_REL(p->f_ha * p->q_h, ha[_i] * r->f_ha * r->q_h, 1e-12);
  HS_ASSERT_REL((1 - p->f_ha) * p->q_h, pv[_i] * (1 - r->f_ha) * r->q_h, 1e-12);
  HS_ASSERT_REL(p->v_l, vl[_i] * r->v_l, 1e-12);
  HS_ASSERT_REL(p->vasc.f_sh, sh[_i], 1e-12);
  HS_ASSERT_REL(p->vasc.cl_int_loss, loss[_i], 1e-12);
  hs_scenario_release(&sc);
  snprintf(text, sizeof text, "liver_disease: {preset: %s, shunt_fraction: 5 %%}\n" DRUG_HA SIM,
           names[_i]);
  load_ok(&sc, text);
  HS_ASSERT_REL(sc.phys.vasc.f_sh, 0.05, 1e-12);
  HS_ASSERT_REL(sc.phys.v_l, vl[_i] * r->v_l, 1e-12);
  hs_scenario_release(&sc);
  hs_scenario_release(&ref);
}
END_TEST

/* Tumour types: the hcc preset is the reference tumour of physiology.yaml (early HCC);
 * every preset moves the tumour's flows and nothing else; written keys win. */
START_TEST(test_tumor_types) {
  static const char *types[] = {"hcc", "colorectal_metastasis", "breast_metastasis",
                                "gastric_metastasis", "neuroendocrine_metastasis"};
  hs_scenario ref, sc;
  char text[512];
  load_ok(&ref, DRUG_HA SIM);
  snprintf(text, sizeof text, "tumor: {type: %s}\n" DRUG_HA SIM, types[_i]);
  load_ok(&sc, text);
  const hs_physiology *r = &ref.phys, *p = &sc.phys;
  if (_i == 0) {
    HS_ASSERT_REL(p->p_t, r->p_t, 1e-15);
    HS_ASSERT_REL(p->f_ta, r->f_ta, 1e-15);
    HS_ASSERT_REL(p->f_td, r->f_td, 1e-15);
  }
  ck_assert(p->p_t > 0 && p->f_ta > 0 && p->f_ta <= 1 && p->f_td >= 0 && p->f_td <= 1);
  HS_ASSERT_REL(p->v_t, r->v_t, 1e-15); /* the volume is the patient's, not the type's */
  HS_ASSERT_REL(p->q_h, r->q_h, 1e-15);
  hs_scenario_release(&sc);
  snprintf(text, sizeof text, "tumor: {type: %s, arterial_fraction: 50 %%, perfusion: 0.2 "
           "mL/min/mL}\n" DRUG_HA SIM, types[_i]);
  load_ok(&sc, text);
  HS_ASSERT_REL(sc.phys.f_ta, 0.5, 1e-15);
  HS_ASSERT_REL(sc.phys.p_t, 12.0, 1e-12);
  hs_scenario_release(&sc);
  hs_scenario_release(&ref);
}
END_TEST

START_TEST(test_liver_disease_errors) {
  ck_assert_str_eq(load_fail("tumor: {type: colorectal_metastases}\n" DRUG_HA SIM),
                   "t.yaml:1:15: 'tumor.type': unknown preset 'colorectal_metastases' (did you "
                   "mean 'colorectal_metastasis'?); tumor_types.yaml has: hcc, "
                   "colorectal_metastasis, breast_metastasis, gastric_metastasis, "
                   "neuroendocrine_metastasis");
  ck_assert_str_eq(load_fail("liver_disease: {preset: child_pugh_d}\n" DRUG_HA SIM),
                   "t.yaml:1:25: 'liver_disease.preset': unknown preset 'child_pugh_d' (did you "
                   "mean 'child_pugh_a'?); liver_disease.yaml has: child_pugh_a, child_pugh_b, "
                   "child_pugh_c");
  ck_assert_str_eq(load_fail("portal_vein_thrombosis: {buffer_response: 30 %}\n" DRUG_HA SIM),
                   "t.yaml:1:25: 'portal_vein_thrombosis': 'obstruction' is required (the share "
                   "of portal inflow blocked, e.g. 60 %)");
  ck_assert_ptr_nonnull(strstr(load_fail("hepatic_artery_occlusion: {onset: 3 d}\n" DRUG_HA SIM),
                               "'hepatic_artery_occlusion.onset': 72 h is at or after the "
                               "simulation end 48 h"));
}
END_TEST

/* Every example scenario of these situations loads and runs with mass balance < 1e-6. */
static const char *const EXAMPLES[] = {
    "cirrhosis_child_pugh_b", "pvtt_habr", "ha_occlusion", "ctace_doxorubicin",
    "gelfoam_recanalisation", "repeated_deb_sessions", "dsm_fudr",
};

START_TEST(test_example_scenarios) {
  char path[256];
  snprintf(path, sizeof path, "../scenarios/%s.yaml", EXAMPLES[_i]);
  hs_scenario sc;
  hs_results res;
  hs_error err;
  ck_assert_msg(hs_scenario_load(&sc, path, NULL, &err) == HS_OK, "%s", err.msg);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
  for (int i = 0; i < res.n; i++)
    ck_assert_msg(res.drugs[i].metrics.mass_balance_error < 1e-6, "%s: %s: %g", path,
                  res.drugs[i].name, res.drugs[i].metrics.mass_balance_error);
  hs_results_release(&res);
  hs_scenario_release(&sc);
  hs_solver_free(s);
}
END_TEST

/* The model's extension options can be swept: their paths resolve in scenarios that switch them on,
 * a written value changes the run, and a path for an option the scenario leaves off is
 * refused (it would change nothing). */
static double swept_metric(const char *file, const char *path, double v, size_t off) {
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(hs_scenario_load(&sc, file, NULL, &err) == HS_OK, "%s", err.msg);
  hs_scenario_slot slot;
  ck_assert_msg(hs_scenario_slot_find(&sc, path, &slot, &err) == HS_OK, "%s", err.msg);
  if (!isnan(v)) hs_scenario_slot_set(&sc, &slot, v);
  hs_solver *s = hs_solver_create(&err);
  hs_results res;
  ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
  double m = *(const double *)((const char *)&res.drugs[0].metrics + off);
  hs_results_release(&res);
  hs_solver_free(s);
  hs_scenario_release(&sc);
  return m;
}

START_TEST(test_extension_sweep_paths) {
  static const char *lobar = "../scenarios/lobar_infusion.yaml";
  const size_t cov = offsetof(hs_metrics, auc_liver_covered);
  /* covering more of the liver dilutes the infusate over more tissue */
  ck_assert(swept_metric(lobar, "catheter.liver_coverage", 0.9, cov) <
            swept_metric(lobar, "catheter.liver_coverage", NAN, cov));
  const size_t gas = offsetof(hs_metrics, auc_gastric);
  ck_assert(swept_metric("../scenarios/gastric_misperfusion.yaml", "misperfusion.share", 0.2,
                         gas) >
            swept_metric("../scenarios/gastric_misperfusion.yaml", "misperfusion.share", NAN, gas));
  const size_t pl = offsetof(hs_metrics, auc_plasma);
  static const char *s1 = "../scenarios/reference/s1.yaml"; /* an HA dose, E_L 0.95 */
  /* recirculating drug from the gut bypasses the liver: CL_TB falls, systemic AUC rises */
  ck_assert(swept_metric(s1, "liver_disease.shunt_fraction", 0.3, pl) >
            swept_metric(s1, "liver_disease.shunt_fraction", NAN, pl));
  ck_assert(swept_metric(s1, "liver_disease.intrinsic_clearance_loss", 0.5, pl) >
            swept_metric(s1, "liver_disease.intrinsic_clearance_loss", NAN, pl));
  ck_assert(swept_metric(s1, "portal_vein_thrombosis.obstruction", 0.6, pl) > 0);
  /* a carrier that holds less of the dose gives a higher early plasma peak */
  static const char *ctace = "../scenarios/ctace_doxorubicin.yaml";
  const size_t cmax = offsetof(hs_metrics, cmax_plasma);
  ck_assert(swept_metric(ctace, "embolization[0].immediate_fraction", 0.9, cmax) >
            1.5 * swept_metric(ctace, "embolization[0].immediate_fraction", NAN, cmax));

  hs_scenario sc;
  hs_error err;
  hs_scenario_slot slot;
  ck_assert_int_eq(hs_scenario_load(&sc, s1, NULL, &err), HS_OK);
  static const struct { const char *path, *msg; } BAD[] = {
      {"catheter.liver_coverage", "sweep parameter 'catheter.liver_coverage': the scenario has "
                                  "no 'catheter:' section"},
      {"misperfusion.share", "sweep parameter 'misperfusion.share': the scenario has no "
                             "'misperfusion:' section"},
      {"tumor.permeability_surface", "sweep parameter 'tumor.permeability_surface': the tumour "
                                     "is flow-limited; give tumor.permeability_surface in the "
                                     "scenario to sweep it"},
      {"catheter.liver_cover", "sweep parameter 'catheter.liver_cover': unknown quantity "
                               "'liver_cover' (did you mean 'liver_coverage'?)"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    ck_assert_int_eq(hs_scenario_slot_find(&sc, BAD[i].path, &slot, &err), HS_EINPUT);
    ck_assert_str_eq(err.msg, BAD[i].msg);
  }
  hs_scenario_release(&sc);
}
END_TEST

Suite *hs_suite_liver(void) {
  Suite *s = suite_create("liver");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_shunt_identities);
  tcase_add_loop_test(tc, test_buffer_conserves_hepatic_flow, 0, 4);
  tcase_add_test(tc, test_neutral_settings);
  tcase_add_test(tc, test_recanalisation_shape);
  tcase_add_test(tc, test_occlusion_delivers_nothing);
  tcase_add_test(tc, test_occlusion_recirculation_and_cutoff);
  tcase_add_loop_test(tc, test_occlusion_with_extensions, 0,
                      (int)(sizeof OCCLUDED_PARTS / sizeof OCCLUDED_PARTS[0]));
  tcase_add_loop_test(tc, test_agent_presets, 0, NCASES(AGENTS));
  tcase_add_test(tc, test_agent_override_and_errors);
  tcase_add_test(tc, test_sessions_expand);
  tcase_add_test(tc, test_carrier_share_zero_is_depot);
  tcase_add_loop_test(tc, test_carrier_share_superposition, 0, NCASES(CARRIER_PHYS));
  tcase_add_test(tc, test_carrier_keys_and_errors);
  tcase_add_loop_test(tc, test_liver_disease_presets, 0, 3);
  tcase_add_loop_test(tc, test_tumor_types, 0, 5);
  tcase_add_test(tc, test_liver_disease_errors);
  tcase_add_test(tc, test_extension_sweep_paths);
  tcase_add_loop_test(tc, test_example_scenarios, 0, NCASES(EXAMPLES));
  suite_add_tcase(s, tc);
  return s;
}
