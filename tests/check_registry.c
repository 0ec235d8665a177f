/* check_registry.c - the parameter registry (hs_registry.h): its entries are consistent, every
 * sweepable path resolves and lands where the registry says, out-of-range values are refused
 * naming the path, `hepatosim paths` and the README's list agree with it, and the route and
 * design name tables round-trip. Run from tests/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_design.h"
#include "hs_registry.h"
#include "hs_regimen.h"
#include "hs_scenario.h"
#include "hs_test.h"

/* A scenario with every option a sweep path needs switched on: a permeability-limited
 * tumour, a lobar catheter, gastric misperfusion, liver disease, portal thrombosis, an
 * embolisation with a carrier, a drug with linear elimination dosed by amount and one with saturable
 * elimination dosed by rate. */
static const char EVERYTHING[] =
    "patient: {weight: 72.5 kg, height: 176 cm}\n"
    "tumor: {volume: 0.1 L, perfusion: 24 /h, arterial_fraction: 0.9, drainage_to_liver: 0,\n"
    "        permeability_surface: 2.385 L/h, vascular_fraction: 0.15}\n"
    "catheter: {position: lobar, liver_coverage: 60 %, tumor_coverage: 80 %}\n"
    "misperfusion: {share: 5 %}\n"
    "liver_disease: {shunt_fraction: 10 %}\n"
    "portal_vein_thrombosis: {obstruction: 30 %}\n"
    "embolization:\n"
    "  - {target: tumor, type: degradable, onset: 1 h, flow_reduction: 50 %,\n"
    "     recovery_half_life: 6 h, immediate_fraction: 20 %}\n"
    "drugs:\n"
    "  lin:\n"
    "    library: none\n"
    "    hepatic_clint: 100 L/h\n"
    "    extrahepatic_cl: 3 L/h\n"
    "    renal_clearance: 5 L/h\n"
    "    slow_tissue_clearance: 1 L/h\n"
    "    slow_tissue_volume: 10 L\n"
    "    regimen:\n"
    "      - {route: hai, dose: 100 mg/m2, start: 0 h, duration: 2 h, every: 24 h, cycles: 2}\n"
    "  sat:\n"
    "    library: none\n"
    "    hepatic_vmax: 50 mg/h\n"
    "    hepatic_km: 2 mg/L\n"
    "    extrahepatic_vmax: 5 mg/h\n"
    "    extrahepatic_km: 1 mg/L\n"
    "    renal_clearance: 2 L/h\n"
    "    regimen:\n"
    "      - {route: iv, rate: 10 mg/h, start: 0 h, duration: 4 h, every: 24 h}\n"
    "simulation: {end: 48 h, output_interval: 1 h}\n";

/* The registry's path pattern of entry p, written for the scenario above. */
static void concrete_path(const hs_reg_entry *p, char *buf, size_t n) {
  const char *pre = hs_scope_prefix(p->scope);
  const char *drug = p->flags & (HS_P_MM | HS_P_RATE) ? "sat" : "lin";
  if (p->scope == HS_SCOPE_DRUG)
    snprintf(buf, n, "drugs.%s.%s", drug, p->key);
  else if (p->scope == HS_SCOPE_DOSE)
    snprintf(buf, n, "drugs.%s.regimen[0].%s", drug, p->key);
  else if (p->scope == HS_SCOPE_EMBO)
    snprintf(buf, n, "embolization[0].%s", p->key);
  else
    snprintf(buf, n, "%s%s", pre, p->key);
}

/* Entries are complete, keys unique within a section, and the unit is the internal unit of
 * the dimension: "2.385 <unit>" converts to exactly 2.385. */
START_TEST(test_registry_consistent) {
  int n_sweep = 0;
  for (int i = 0; i < HS_REG_N; i++) {
    const hs_reg_entry *p = &hs_registry[i];
    ck_assert_msg(p->key && *p->key && p->unit && *p->unit && p->what && *p->what,
                  "entry %d is incomplete", i);
    for (int j = 0; j < i; j++)
      ck_assert_msg(hs_registry[j].scope != p->scope || strcmp(hs_registry[j].key, p->key),
                    "%s%s is declared twice", hs_scope_prefix(p->scope), p->key);
    char text[64];
    double v = 0;
    hs_norm norm = HS_NORM_NONE;
    hs_error err;
    if (!strcmp(p->unit, "1"))
      snprintf(text, sizeof text, "2.385");
    else
      snprintf(text, sizeof text, "2.385 %s", p->unit);
    ck_assert_msg(hs_units_convert(text, p->kind, &v, &norm, &err) == HS_OK, "%s%s: '%s': %s",
                  hs_scope_prefix(p->scope), p->key, text, err.msg);
    HS_ASSERT_REL(v, 2.385, 1e-12);
    ck_assert_int_eq(norm, HS_NORM_NONE);
    ck_assert_ptr_eq(hs_reg_find(p->scope, p->key, 0), p);
    if (p->flags & HS_P_SWEEP) {
      n_sweep++;
      ck_assert_ptr_eq(hs_reg_find(p->scope, p->key, 1), p);
    } else {
      ck_assert_ptr_null(hs_reg_find(p->scope, p->key, 1));
    }
  }
  ck_assert_int_eq(n_sweep, 61);
  ck_assert_ptr_null(hs_reg_find(HS_SCOPE_TUMOR, "perfusoin", 0));
  ck_assert_str_eq(hs_range_text(HS_R_NONNEG | HS_R_SCALED), ">= 0");
  ck_assert(hs_range_ok(HS_R_FRAC, 1.0) && !hs_range_ok(HS_R_FRAC, 1.0001));
  ck_assert(!hs_range_ok(HS_R_POS, 0.0) && hs_range_ok(HS_R_NONNEG, 0.0));
}
END_TEST

/* Every sweepable path resolves in a scenario that switches its option on, with the
 * registry's kind and range, and writes exactly the double the registry names. */
START_TEST(test_every_sweep_path_resolves) {
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(hs_scenario_load_text(&sc, "everything.yaml", EVERYTHING, "../model/data", &err) ==
                    HS_OK,
                "%s", err.msg);
  for (int i = 0; i < HS_REG_N; i++) {
    const hs_reg_entry *p = &hs_registry[i];
    if (!(p->flags & HS_P_SWEEP)) continue;
    char path[128];
    concrete_path(p, path, sizeof path);
    hs_scenario_slot slot;
    ck_assert_msg(hs_scenario_slot_find(&sc, path, &slot, &err) == HS_OK, "%s: %s", path,
                  err.msg);
    ck_assert_int_eq(slot.kind, p->kind);
    ck_assert_int_eq(slot.range, p->range & ~HS_R_SCALED);
    double v = p->range == HS_R_FRAC ? 0.2385 : 2.385;
    hs_scenario_slot_set(&sc, &slot, v);
    HS_ASSERT_REL(hs_scenario_slot_get(&slot), v, 1e-15);
    /* the landing: the double at the registry's offset in the scope's struct */
    const hs_scenario_drug *d = &sc.drugs[strstr(path, "sat") ? 1 : 0];
    const char *base = p->scope == HS_SCOPE_DRUG   ? (const char *)&d->drug
                       : p->scope == HS_SCOPE_DOSE ? (const char *)d->regimen
                       : p->scope == HS_SCOPE_EMBO ? (const char *)sc.embo
                                                   : (const char *)&sc;
    ck_assert_ptr_eq(slot.value, (const double *)(base + p->offset));
    double stored = *(const double *)(base + p->offset);
    HS_ASSERT_REL(stored, p->flags & HS_P_ONE_MINUS ? 1 - v : v, 1e-15);
    if (p->scope != HS_SCOPE_DOSE) ck_assert_str_eq(slot.unit, p->unit);
  }
  /* a per-m2 dose is swept per m2; the HDF5 unit says so */
  hs_scenario_slot slot;
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "drugs.lin.regimen[0].dose", &slot, &err), HS_OK);
  ck_assert_str_eq(slot.unit, "mg/m2");
  ck_assert_int_eq(slot.norm, HS_NORM_BSA);
  /* did-you-mean from the registry's sweepable keys of the section */
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "tumor.perfusoin", &slot, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "sweep parameter 'tumor.perfusoin': unknown quantity 'perfusoin' "
                            "(did you mean 'perfusion'?)");
  /* the regimen keys of the message are the registry's */
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "drugs.lin.regimen[x].dose", &slot, &err),
                   HS_EINPUT);
  ck_assert_str_eq(err.msg, "sweep parameter 'drugs.lin.regimen[x].dose': expected "
                            "drugs.<name>.regimen[<i>].<dose|rate|start|duration|every>");
  /* an unknown section: the sections and their prefixes come from the registry */
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "tumour.volume", &slot, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "sweep parameter 'tumour.volume': unknown section 'tumour' (did "
                            "you mean 'tumor'?); paths start with patient., tumor., "
                            "drugs.<name>., embolization[<i>]., catheter., misperfusion., "
                            "liver_disease. or portal_vein_thrombosis.");
  /* declared but not sweepable: refused like an unknown quantity */
  ck_assert_int_eq(hs_scenario_slot_find(&sc, "drugs.lin.fu_plasma", &slot, &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "unknown quantity 'fu_plasma'"));
  hs_scenario_release(&sc);
}
END_TEST

/* A sweep value outside the registry's range is refused when the scenario loads, at its
 * file:line:col and naming its path; so is a scenario value (the parser reads the same
 * range). */
static const struct {
  const char *section, *msg;
} OUT_OF_RANGE[] = {
    {"sweep: {design: grid, parameters: {tumor.perfusion: {values: [6 /h, -1 /h]}}}\n",
     "'sweep.parameters.tumor.perfusion': must be >= 0, got '-1 /h'"},
    {"sweep: {design: lhs, runs: 4, seed: 1, parameters: {patient.arterial_fraction: "
     "{from: 20 %, to: 130 %}}}\n",
     "'sweep.parameters.patient.arterial_fraction.to': must lie between 0 and 1 (0 % to 100 %), "
     "got '130 %'"},
    {"sweep: {design: grid, parameters: {'drugs.lin.regimen[0].every': {from: 0 h, to: 24 h, "
     "n: 3}}}\n",
     "'sweep.parameters.drugs.lin.regimen[0].every.from': must be > 0, got '0 h'"},
    {"sweep: {design: grid, parameters: {'embolization[0].flow_reduction': {values: [-5 %]}}}\n",
     "'sweep.parameters.embolization[0].flow_reduction': must lie between 0 and 1"},
};

START_TEST(test_out_of_range_refused) {
  char text[sizeof EVERYTHING + 256];
  snprintf(text, sizeof text, "%s%s", EVERYTHING, OUT_OF_RANGE[_i].section);
  hs_scenario sc;
  hs_error err;
  ck_assert_int_eq(hs_scenario_load_text(&sc, "range.yaml", text, "../model/data", &err),
                   HS_EINPUT);
  ck_assert_msg(strstr(err.msg, OUT_OF_RANGE[_i].msg) != NULL, "%s", err.msg);
  ck_assert_msg(!strncmp(err.msg, "range.yaml:", 11), "%s", err.msg);
}
END_TEST

/* The whole of a text file (NUL-terminated, malloc'd). */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char *buf = malloc(1 << 20);
  ck_assert_ptr_nonnull(buf);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

/* The sweepable entries as `hepatosim paths` prints them, one line each. */
static char *expected_paths(void) {
  size_t cap = 64 * 1024, len = 0;
  char *buf = malloc(cap);
  ck_assert_ptr_nonnull(buf);
  buf[0] = '\0';
  for (int i = 0; i < HS_REG_N; i++)
    if (hs_registry[i].flags & HS_P_SWEEP) {
      len += (size_t)hs_reg_format(&hs_registry[i], buf + len, cap - len);
      len += (size_t)snprintf(buf + len, cap - len, "\n");
      ck_assert(len < cap);
    }
  return buf;
}

START_TEST(test_paths_command) {
  hs_test_mkdir();
  const char *out = hs_test_path("paths.txt");
  const char *const args[] = {"paths", NULL};
  ck_assert_int_eq(hs_test_run(args, 0, 0, out), 0);
  char *want = expected_paths();
  char *got = read_text(out);
  ck_assert_str_eq(got, want);
  ck_assert_ptr_nonnull(strstr(got, "\ntumor.perfusion "));
  ck_assert_ptr_nonnull(strstr(got, "\ndrugs.<name>.regimen[<i>].duration "));
  /* not sweepable: not listed */
  ck_assert_ptr_null(strstr(got, "fu_plasma"));
  ck_assert_ptr_null(strstr(got, "simulation."));
  const char *const bad[] = {"paths", "--bogus", NULL};
  ck_assert_int_eq(hs_test_run(bad, 0, 0, NULL), 2);
  free(want);
  free(got);
  hs_test_rmdir();
}
END_TEST

/* The README's list of sweep paths is the registry's, line for line. */
START_TEST(test_readme_list_matches) {
  char *readme = read_text("../README.md");
  const char *begin = strstr(readme, "<!-- hepatosim paths: begin -->\n```text\n");
  const char *end = strstr(readme, "```\n<!-- hepatosim paths: end -->");
  ck_assert_msg(begin && end && end > begin, "README.md lacks the hepatosim paths markers");
  begin += strlen("<!-- hepatosim paths: begin -->\n```text\n");
  char *want = expected_paths();
  ck_assert_msg(strlen(want) == (size_t)(end - begin) && !strncmp(begin, want, strlen(want)),
                "README.md's list of sweep paths differs from the registry: paste the output "
                "of 'build/hepatosim paths' between its markers");
  free(want);
  free(readme);
}
END_TEST

/* The parser's defaults are the registry's: a scenario that omits them gets them. */
START_TEST(test_defaults_from_registry) {
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(hs_scenario_load_text(&sc, "everything.yaml", EVERYTHING, "../model/data", &err) ==
                    HS_OK,
                "%s", err.msg);
  ck_assert(sc.phys.vasc.habr == HS_REG_DEFAULT(HS_REG_PVT_HABR));
  HS_ASSERT_REL(sc.phys.vasc.habr, 0.255, 1e-15);
  ck_assert(sc.sim.rtol == HS_REG_DEFAULT(HS_REG_SIM_RTOL));
  ck_assert(sc.sim.atol == HS_REG_DEFAULT(HS_REG_SIM_ATOL));
  ck_assert(sc.drugs[0].drug.bp == HS_REG_DEFAULT(HS_REG_DRUG_BP));
  ck_assert(sc.drugs[1].drug.kp_t == HS_REG_DEFAULT(HS_REG_DRUG_KP_T));
  ck_assert(sc.drugs[0].drug.k_rel == HS_REG_DEFAULT(HS_REG_DRUG_K_REL));
  ck_assert(sc.drugs[1].regimen[0].profile.shape == HS_PROFILE_CONSTANT);
  /* liver disease factors default to the healthy patient: only the shunt changes */
  ck_assert(sc.phys.vasc.cl_int_loss == HS_REG_DEFAULT(HS_REG_LD_LOSS));
  HS_ASSERT_REL(sc.phys.vasc.f_sh, 0.10, 1e-15);
  ck_assert(sc.embo[0].t_hold == HS_REG_DEFAULT(HS_REG_EMBO_RECAN));
  hs_scenario_release(&sc);
  char text[64];
  hs_reg_default_text(&hs_registry[HS_REG_SIM_ATOL], text, sizeof text);
  ck_assert_str_eq(text, "1e-10 mg (tight enough for the identities of model.md)");
  hs_reg_default_text(&hs_registry[HS_REG_DRUG_FU], text, sizeof text);
  ck_assert_str_eq(text, "none");
}
END_TEST

/* `hepatosim paths --all`: every declared quantity, one line each, sweepable ones marked. */
START_TEST(test_paths_all) {
  hs_test_mkdir();
  const char *out = hs_test_path("all.txt");
  const char *const args[] = {"paths", "--all", NULL};
  ck_assert_int_eq(hs_test_run(args, 0, 0, out), 0);
  char *got = read_text(out);
  int lines = 0, swept = 0;
  for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n"), lines++)
    swept += strstr(line, " sweep ") != NULL;
  ck_assert_int_eq(lines, HS_REG_N);
  ck_assert_int_eq(swept, 61);
  free(got);
  got = read_text(out);
  ck_assert_ptr_nonnull(strstr(got, "simulation.rtol "));
  ck_assert_ptr_nonnull(strstr(got, "0.255 (Lautt"));
  ck_assert_ptr_nonnull(strstr(got, "patient.liver_volume"));
  ck_assert_ptr_nonnull(strstr(strstr(got, "patient.liver_volume"),
                               "physiology.yaml, scaled to the BSA (patient.scaling)"));
  free(got);
  hs_test_rmdir();
}
END_TEST

/* One table each for route and design names, read by the parser. */
START_TEST(test_route_and_design_names) {
  int n = 0;
  for (; hs_route_names[n]; n++) {
    ck_assert_int_eq(hs_route_parse(hs_route_names[n]), n);
    ck_assert_str_eq(hs_route_name((hs_route)n), hs_route_names[n]);
  }
  ck_assert_int_eq(n, 4);
  ck_assert_str_eq(hs_route_name(HS_ROUTE_TACE), "tace");
  ck_assert_int_eq(hs_route_parse("hai"), HS_ROUTE_HA);
  ck_assert_int_eq(hs_route_parse("HAI"), -1);
  ck_assert_int_eq(hs_route_parse(NULL), -1);
  ck_assert_str_eq(hs_route_name((hs_route)7), "unknown");
  for (n = 0; hs_design_kind_names[n]; n++)
    ck_assert_int_eq(hs_design_kind_parse(hs_design_kind_names[n]), n);
  ck_assert_int_eq(n, 8); /* ... population, saltelli, morris, table */
  /* the parser's did-you-mean reads the same tables */
  char text[sizeof EVERYTHING + 256];
  hs_scenario sc;
  hs_error err;
  snprintf(text, sizeof text, "%s%s", EVERYTHING,
           "sweep: {design: sobl, runs: 4, seed: 1, parameters: {tumor.volume: {from: 0.1 L, "
           "to: 0.2 L}}}\n");
  ck_assert_int_eq(hs_scenario_load_text(&sc, "d.yaml", text, "../model/data", &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, "unknown value 'sobl' (did you mean 'sobol'?)"), "%s", err.msg);
  char *hia = strdup(EVERYTHING);
  memcpy(strstr(hia, "route: hai"), "route: hia", 10);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "r.yaml", hia, "../model/data", &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, "unknown value 'hia' (did you mean 'hai'?)"), "%s", err.msg);
  /* a missing route: the message lists the table */
  char *p = strstr(hia, "route: hia, ");
  memmove(p, p + 12, strlen(p + 12) + 1);
  ck_assert_int_eq(hs_scenario_load_text(&sc, "r.yaml", hia, "../model/data", &err), HS_EINPUT);
  ck_assert_msg(strstr(err.msg, "'drugs.lin.regimen[0]': 'route' is required (iv, hai, pv or "
                                "tace)"),
                "%s", err.msg);
  free(hia);
}
END_TEST

Suite *hs_suite_registry(void) {
  Suite *s = suite_create("registry");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_registry_consistent);
  tcase_add_test(tc, test_every_sweep_path_resolves);
  tcase_add_loop_test(tc, test_out_of_range_refused, 0,
                      (int)(sizeof OUT_OF_RANGE / sizeof OUT_OF_RANGE[0]));
  tcase_add_test(tc, test_paths_command);
  tcase_add_test(tc, test_readme_list_matches);
  tcase_add_test(tc, test_defaults_from_registry);
  tcase_add_test(tc, test_paths_all);
  tcase_add_test(tc, test_route_and_design_names);
  suite_add_tcase(s, tc);
  return s;
}
