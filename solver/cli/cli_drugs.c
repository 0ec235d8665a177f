/* cli_drugs.c - `hepatosim drugs` (list the library) and `hepatosim drugs show NAME` (every
 * value with unit, basis, source and confidence, and what model.md's identities predict
 * for the drug in the reference adult). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hs_library.h"
#include "hs_model.h"
#include "hs_scenario.h"

static const char DRUGS_USAGE[] =
    "usage: hepatosim drugs [--data DIR]\n"
    "       hepatosim drugs show NAME [--data DIR]\n"
    "\n"
    "Lists the drug library (model/data/drugs: one YAML file per drug), or shows one drug,\n"
    "found by name or alias (case-insensitive): every value as written, with its unit,\n"
    "basis (plasma, blood or unbound), confidence and source, then the quantities derived\n"
    "for the reference adult (model/data/physiology.yaml): blood clearance by route,\n"
    "normal-liver extraction E_L, hepatic-arterial bioavailability F_HA (model.md identity\n"
    "1) and regional advantage R_d (identity 4), its metabolites, exposure target and the\n"
    "IV pharmacokinetics it is tested against.\n"
    "\n"
    "      --data DIR        drug library and physiology defaults (default: $HEPATOSIM_DATA\n"
    "                        or the source tree's model/data)\n"
    "  -h, --help            this help\n";

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim drugs --help'.\n", msg, arg ? " " : "",
          arg ? arg : "");
  return 2;
}

static int fail(const hs_error *err) {
  fprintf(stderr, "hepatosim: error: %s\n", err->msg);
  return hs_error_exit_code(err->code);
}

/* Count of values by confidence, high/medium/low/derived: "5/2/1/4". */
static void confidence_summary(const hs_library_entry *e, char *buf, size_t n) {
  static const char *const level[] = {"high", "medium", "low", "derived"};
  int c[4] = {0};
  for (int i = 0; i < e->n_values; i++)
    for (int k = 0; k < 4; k++)
      if (!strcmp(e->values[i].confidence, level[k])) c[k]++;
  snprintf(buf, n, "%d/%d/%d/%d", c[0], c[1], c[2], c[3]);
}

static int list_drugs(const char *data) {
  static char names[HS_LIB_MAX_DRUGS][64];
  hs_error err;
  hs_error_clear(&err);
  int n = hs_library_names(data, names, HS_LIB_MAX_DRUGS, &err);
  if (n < 0) return fail(&err);
  printf("%-22s %-10s %s\n", "drug", "h/m/l/d", "aliases; description");
  for (int i = 0; i < n; i++) {
    hs_library_entry e;
    if (hs_library_get(data, names[i], &e, &err)) return fail(&err);
    char al[256] = "", conf[96];
    for (int k = 0; k < e.n_aliases; k++)
      snprintf(al + strlen(al), sizeof al - strlen(al), "%s%s", k ? ", " : "", e.aliases[k]);
    confidence_summary(&e, conf, sizeof conf);
    printf("%-22s %-10s %s\n", e.name, conf, al);
    if (e.description[0]) printf("%-33s %s\n", "", e.description);
    hs_library_entry_release(&e);
  }
  printf("\n%d entries in %s/drugs; h/m/l/d: values of high, medium, low and derived\n"
         "confidence. 'hepatosim drugs show NAME' prints one with its sources.\n",
         n, data ? data : hs_scenario_data_dir());
  return 0;
}

static void print_values(const hs_library_entry *e) {
  printf("%-34s %-18s %-8s %-8s %s\n", "parameter", "value", "basis", "conf.", "source");
  for (int i = 0; i < e->n_values; i++) {
    const hs_library_value *v = &e->values[i];
    printf("%-34s %-18s %-8s %-8s %s\n", v->key, v->text, v->basis[0] ? v->basis : "-",
           v->confidence, v->source);
    if (v->note[0]) printf("%-34s %-18s %-8s %-8s note: %s\n", "", "", "", "", v->note);
  }
}

/* The drug loaded as a scenario for the reference adult: physiology and resolved drug (the
 * token regimen and simulation are never run). */
static int reference_scenario(const char *data, const char *name, hs_scenario *sc,
                              hs_error *err) {
  char text[512];
  snprintf(text, sizeof text,
           "drugs:\n  drug:\n    library: \"%s\"\n"
           "    regimen: [{route: iv, dose: 1 mg}]\n"
           "simulation: {end: 1 h, output_interval: 1 h}\n", name);
  return hs_scenario_load_text(sc, "(reference adult)", text, data, err);
}

static void print_derived(const hs_scenario *sc) {
  const hs_drug *d = &sc->drugs[0].drug;
  hs_params p;
  hs_error err;
  if (hs_params_init(&p, &sc->phys, d, NULL, 0, &err)) {
    printf("  (not derivable: %s)\n", err.msg);
    return;
  }
  hs_drug lin = *d; /* identities are for linear elimination: CL = Vmax / Km at low C */
  int mm = d->hepatic.kind == HS_ELIM_MM || d->extrahepatic.kind == HS_ELIM_MM;
  if (d->hepatic.kind == HS_ELIM_MM) lin.hepatic.cl = d->hepatic.vmax / d->hepatic.km;
  if (d->extrahepatic.kind == HS_ELIM_MM)
    lin.extrahepatic.cl = d->extrahepatic.vmax / d->extrahepatic.km;
  p.drug = lin;
  hs_analytic an;
  hs_model_analytic(&p, &an);
  double hep = an.q_l_eff * an.e_l;
  printf("  blood clearance CL_TB          %9.4g L/h  (hepatic Q_L' E_L %.4g, renal %.4g, "
         "extrahepatic %.4g, binding %.4g)\n",
         an.cl_tb, hep, lin.cl_r, lin.extrahepatic.cl, lin.cl_bind);
  printf("  plasma clearance CL_TB x BP    %9.4g L/h  (BP %.4g)\n", an.cl_tb * lin.bp, lin.bp);
  printf("  intrinsic clearance CL_int     %9.4g L/h\n", lin.hepatic.cl);
  printf("  normal-liver extraction E_L    %9.4g      (Q_L' %.4g L/h)\n", an.e_l, an.q_l_eff);
  printf("  HA bioavailability F_HA        %9.4g      (identity 1)\n", an.f_ha_bioavail);
  printf("  regional advantage R_d         %9.4g      (identity 4, reference tumour: f_TA "
         "%.3g, Q_HA %.4g L/h)\n", an.r_d, sc->phys.f_ta, p.fl.q_ha);
  if (d->q_s > 0)
    printf("  slow tissue                    Q_S %.4g L/h, V_S %.4g L\n", d->q_s, d->v_s);
  if (mm)
    printf("  (saturable elimination: linearised at low concentration, CL = Vmax/Km; the\n"
           "   simulated extraction falls as concentrations approach Km)\n");
  printf("  (reference adult: %.4g kg, BSA %.4g m2, Q_H %.4g L/h, f_HA %.3g)\n",
         sc->patient.weight_kg, sc->patient.bsa_m2, sc->phys.q_h, sc->phys.f_ha);
}

static const char *route_name(hs_form_route r) {
  return r == HS_FORM_HEPATIC ? "hepatic" : r == HS_FORM_EXTRAHEPATIC ? "extrahepatic" : "binding";
}

static void print_range(const char *what, const hs_pk_range *r) {
  if (r->present) printf("  %-12s %s  [%s; %s]\n", what, r->text, r->confidence, r->source);
}

static void print_extras(const hs_library_entry *e, const hs_scenario *sc) {
  for (int i = 0; i < e->n_metabolites; i++)
    printf("Forms %s from its %s elimination (molar fraction %.4g)\n", e->metabolites[i].name,
           route_name(e->metabolites[i].route), e->metabolites[i].fraction);
  for (int i = 1; i < sc->n_drugs; i++)
    if (sc->drugs[i].parent == 0)
      printf("  %s: mass yield %.4g mg per mg of %s eliminated by that route\n",
             sc->drugs[i].name, sc->drugs[i].yield, e->name);
  const hs_exposure_target *t = &e->target;
  if (t->present) {
    printf("Exposure target: %s %.4g", t->measure, t->low);
    if (isfinite(t->high)) printf("-%.4g", t->high);
    printf(" %s per %s [%s]\n", strcmp(t->measure, "cmax_plasma") ? "mg*h/L" : "mg/L", t->per,
           t->source);
  }
  if (e->pk.present) {
    printf("Reference IV pharmacokinetics (plasma; tested by make test): %.4g mg over %.4g h\n",
           e->pk.dose_mg, e->pk.infusion_h);
    print_range("clearance", &e->pk.clearance);
    print_range("half-life", &e->pk.half_life);
    print_range("Vss", &e->pk.vss);
  }
}

static int show_drug(const char *data, const char *name) {
  hs_error err;
  hs_error_clear(&err);
  hs_library_entry e;
  if (hs_library_get(data, name, &e, &err)) return fail(&err);
  hs_scenario sc = {0};
  int rc = reference_scenario(data, e.name, &sc, &err);
  printf("%s", e.name);
  for (int k = 0; k < e.n_aliases; k++) printf("%s%s", k ? ", " : " (aliases: ", e.aliases[k]);
  printf("%s\n", e.n_aliases ? ")" : "");
  if (e.description[0]) printf("%s\n", e.description);
  printf("file: %s\n", e.file);
  if (e.mw > 0) printf("molecular weight: %.5g g/mol\n", e.mw);
  printf("\n");
  print_values(&e);
  printf("\nDerived for the reference adult (model.md identities; blood basis):\n");
  if (!rc) print_derived(&sc);
  else printf("  (cannot load the drug for the reference adult: %s)\n", err.msg);
  printf("\n");
  if (!rc) print_extras(&e, &sc);
  hs_scenario_release(&sc);
  hs_library_entry_release(&e);
  return rc ? fail(&err) : 0;
}

int hs__cmd_drugs(int argc, char **argv) {
  const char *data = NULL, *show = NULL;
  int want_show = 0;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(DRUGS_USAGE, stdout), 0;
    else if (!strcmp(s, "--data") && i + 1 < argc) data = argv[++i];
    else if (s[0] == '-' && s[1]) return usage("unknown or incomplete option", s);
    else if (!want_show && !strcmp(s, "show")) want_show = 1;
    else if (want_show && !show) show = s;
    else return usage("unexpected argument", s);
  }
  if (want_show && !show) return usage("'drugs show' needs a drug name", NULL);
  return show ? show_drug(data, show) : list_drugs(data);
}
