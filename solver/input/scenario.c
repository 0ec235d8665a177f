/* scenario.c - loading scenario files: the top-level keys, the simulation section and the
 * drugs (library entries, overrides, metabolites); the other sections are read by
 * scenario_patient.c, scenario_events.c and scenario_doses.c. Errors carry file:line:col. */
#include "scenario_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_solver.h"
#include "sweepspec.h"


enum { S_END, S_DT, S_RTOL, S_ATOL, S_MAXSTEPS, S_IV, S_CLOCK, S_SOLVER, S_N };
typedef struct sim_in {
  hs_sim_opts o;
  int max_steps, iv, method;
  double clock0;
} sim_in;

static const hs__field SIM_FIELDS[S_N] = {
    HS_REG(HS_REG_SIM_END, offsetof(sim_in, o.t_end)),
    HS_REG(HS_REG_SIM_DT, offsetof(sim_in, o.dt_out)),
    HS_REG(HS_REG_SIM_RTOL, offsetof(sim_in, o.rtol)),
    HS_REG(HS_REG_SIM_ATOL, offsetof(sim_in, o.atol)),
    {"max_steps", HS_F_INT, HS_KIND_NUMBER, offsetof(sim_in, max_steps), HS_R_ANY, NULL, 0, NULL},
    {"iv_comparator", HS_F_BOOL, HS_KIND_NUMBER, offsetof(sim_in, iv), HS_R_ANY, NULL, 0, NULL},
    HS_REG(HS_REG_SIM_CLOCK, offsetof(sim_in, clock0)),
    {"solver", HS_F_ENUM, HS_KIND_NUMBER, offsetof(sim_in, method), HS_R_ANY,
     hs_solver_method_names, 0, NULL},
};

enum { K_DESC, K_PATIENT, K_TUMOR, K_DRUGS, K_EMBO, K_SIM, K_SWEEP, K_FILTER, K_LIVER, K_PVT,
       K_HAO, K_CATHETER, K_MISPERFUSION, K_N };
static const hs__field TOP_FIELDS[K_N] = {
    {"description", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs_scenario, description), HS_R_ANY,
     NULL, sizeof(((hs_scenario *)0)->description), NULL},
    {"patient", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"tumor", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"drugs", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"embolization", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"simulation", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"sweep", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"hepatic_filtration", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"liver_disease", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"portal_vein_thrombosis", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"hepatic_artery_occlusion", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"catheter", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"misperfusion", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

static int load_simulation(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "simulation");
  if (!s) return hs__ydoc_error(L->d, L->root, "simulation", L->err, "section is required "
                                "(simulation: {end: ..., output_interval: ...})");
  sim_in in = {.o = {.rtol = HS_REG_DEFAULT(HS_REG_SIM_RTOL),
                     .atol = HS_REG_DEFAULT(HS_REG_SIM_ATOL)},
               .max_steps = 100000, .clock0 = HS_REG_DEFAULT(HS_REG_SIM_CLOCK),
               .method = HS_SOLVER_AUTO};
  hs__fieldinfo info[S_N] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "simulation", SIM_FIELDS, S_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[S_END].set)
    return hs__ydoc_error(L->d, s, "simulation.end", L->err, "is required (e.g. 'end: 24 h')");
  if (!info[S_DT].set)
    return hs__ydoc_error(L->d, s, "simulation.output_interval", L->err,
                          "is required (e.g. 'output_interval: 1 min')");
  if (in.o.dt_out > in.o.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "output_interval"),
                          "simulation.output_interval", L->err,
                          "%g h is longer than the simulation (end %g h)", in.o.dt_out, in.o.t_end);
  if (in.o.t_end / in.o.dt_out > 1e7)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "output_interval"),
                          "simulation.output_interval", L->err,
                          "gives %.0f output points; at most 1e7", in.o.t_end / in.o.dt_out);
  if (in.o.rtol >= 1e-2)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "rtol"), "simulation.rtol", L->err,
                          "%g is too loose (must be < 1e-2)", in.o.rtol);
  in.o.max_steps = in.max_steps;
  in.o.method = in.method;
  L->sc->sim = in.o;
  L->sc->iv_comparator = in.iv;
  if (in.clock0 >= HS_DAY_H)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "time_of_day_at_start"),
                          "simulation.time_of_day_at_start", L->err, "must be below 24 h");
  L->clock0 = in.clock0;
  return HS_OK;
}

/* ---- drugs ---------------------------------------------------------------------------- */

/* Per scenario entry while loading: the metabolites its library entry forms. */
typedef struct drug_load {
  hs_library_metabolite met[HS_LIB_MAX_METABOLITES];
  int n_met;
  hs__ynode key, map, regimen, records;
} drug_load;

static int valid_name(const char *name) {
  return strlen(name) > 0 && strlen(name) < HS_NAME_LEN && !strpbrk(name, "/.\"\\ ");
}

static int open_library(loader *L) {
  return L->cat ? HS_OK : hs__catalog_open(L->data_dir, &L->cat, L->err);
}

/* The library entry `lib`, refused with a did-you-mean at node `where`. */
static int library_entry(loader *L, const char *lib, hs__ynode where, const char *path,
                         hs__libdrug *ld) {
  const char *best = NULL;
  int rc = open_library(L), i = rc ? -1 : hs__catalog_find(L->cat, lib, &best);
  if (rc) return rc;
  if (i < 0)
    return hs__ydoc_error(L->d, where, path, L->err,
                          "unknown drug '%s'%s%s%s; to define a drug in the scenario, add "
                          "'library: none' and its parameters",
                          lib, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
  return hs__catalog_read(L->cat, i, &L->ref, ld, L->err);
}

/* A drug's parameters: its library entry (unless 'library: none') under its own keys. */
static int load_drug_params(loader *L, drug_load *dl, hs_scenario_drug *sd) {
  const char *name = hs__ydoc_scalar(L->d, dl->key);
  char path[128];
  snprintf(path, sizeof path, "drugs.%s", name);
  if (!valid_name(name))
    return hs__ydoc_error(L->d, dl->key, path, L->err, "drug names must be 1-%d characters "
                          "without '/', '.', spaces or quotes", HS_NAME_LEN - 1);
  snprintf(sd->name, sizeof sd->name, "%s", name);
  sd->line = hs__ydoc_line(L->d, dl->key);
  sd->parent = -1;
  hs__drugdef top;
  hs__libdrug ld;
  int rc = hs__drugdef_read(L->d, dl->map, path, 0, &top, L->err);
  if (rc) return rc;
  const char *lib = top.info[HS_DK_LIBRARY].set ? top.library : name;
  memset(&ld, 0, sizeof ld);
  if (strcmp(lib, "none") != 0) {
    hs__ynode where = top.info[HS_DK_LIBRARY].set ? hs__ydoc_get(L->d, dl->map, "library")
                                                  : dl->key;
    if ((rc = library_entry(L, lib, where, path, &ld))) return rc;
    snprintf(sd->source, sizeof sd->source, "%s", ld.def.name);
    memcpy(dl->met, ld.met, sizeof ld.met);
    dl->n_met = ld.n_met;
  }
  hs__drugdef_overlay(&ld.def, &top);
  return hs__drugdef_finish(&ld.def, &L->rs, sd, L->d, dl->map, path, L->err);
}

/* An embolic carrier (cTACE emulsion, drug-eluting beads) sets the depot release of every
 * drug given by TACE: k_rel = ln 2 / depot_release_half_life (model.md extension). Beads
 * release each drug at its own rate (bead_release in its library entry: irinotecan leaves
 * them within hours, doxorubicin over weeks) unless the scenario writes the half-life. */
static void apply_carrier(loader *L, hs_scenario_drug *sd, const hs_dose_spec *s, int n) {
  double k = L->depot_k_rel;
  if (L->beads && !L->depot_written && sd->drug.k_rel_beads > 0) k = sd->drug.k_rel_beads;
  for (int i = 0; L->depot_k_rel > 0 && i < n; i++)
    if (s[i].route == HS_ROUTE_TACE) sd->drug.k_rel = k;
}

static int load_drug_regimen(loader *L, const drug_load *dl, hs_scenario_drug *sd) {
  char path[160];
  snprintf(path, sizeof path, "drugs.%s.%s", sd->name, dl->records ? "records" : "regimen");
  int rc = dl->records ? hs__load_records(L, dl->records, dl->map, path, sd)
                       : hs__load_regimen(L, dl->regimen, dl->key, path, sd);
  if (rc) return rc;
  /* records: every id's doses, not only the chosen one's */
  const hs_dose_spec *s = sd->records ? sd->records->spec : sd->regimen;
  int n = sd->records ? sd->records->first[sd->records->n_ids - 1] +
                        sd->records->count[sd->records->n_ids - 1] : sd->n_regimen;
  apply_carrier(L, sd, s, n);
  for (int i = 0; i < n; i++)
    if (s[i].route == HS_ROUTE_TACE && !(sd->drug.k_rel > 0)) {
      if (!dl->records) snprintf(path, sizeof path, "drugs.%s.regimen[%d]", sd->name, i);
      return hs__ydoc_error(L->d, dl->records ? dl->records : hs__ydoc_item(L->d, dl->regimen, i),
                            path, L->err, "a 'tace' dose loads the tumour depot, which this drug "
                            "never releases: give the drug a 'depot_release' (e.g. '0.1 /h')");
    }
  return HS_OK;
}

/* Is scenario drug sd the metabolite m (by its key or the library entry it came from)? */
static int is_metabolite(const hs_scenario_drug *sd, const hs_library_metabolite *m) {
  return !strcasecmp(sd->name, m->name) || !strcmp(sd->source, m->name);
}

/* The dosed entry (one with a regimen) whose library entry forms drug i, or -1. */
static int parent_of(loader *L, const drug_load *dl, int n, int i) {
  for (int j = 0; j < n; j++)
    for (int k = 0; j != i && (dl[j].regimen || dl[j].records) && k < dl[j].n_met; k++)
      if (is_metabolite(&L->sc->drugs[i], &dl[j].met[k])) return j;
  return -1;
}

/* A metabolite the scenario does not list: appended with its library parameters. */
static int append_metabolite(loader *L, const hs_library_metabolite *m, int parent) {
  hs__libdrug ld;
  hs_scenario_drug *sd = &L->sc->drugs[L->sc->n_drugs];
  char path[160];
  snprintf(path, sizeof path, "drugs.%s", L->sc->drugs[parent].name);
  if (!valid_name(m->name))
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, hs__ydoc_get(L->d, L->root, "drugs"),
                          L->sc->drugs[parent].name), path, L->err, "metabolite name '%s' "
                          "cannot name a drug (no '/', '.', spaces or quotes)", m->name);
  int rc = library_entry(L, m->name, L->root, path, &ld);
  if (rc) return rc;
  memset(sd, 0, sizeof *sd);
  sd->parent = -1; /* linked by the caller */
  L->sc->n_drugs++;
  snprintf(sd->name, sizeof sd->name, "%s", m->name);
  snprintf(sd->source, sizeof sd->source, "%s", ld.def.name);
  sd->line = L->sc->drugs[parent].line;
  return hs__drugdef_finish(&ld.def, &L->rs, sd, ld.doc, hs__ydoc_root(ld.doc), "", L->err);
}

/* Link metabolite m of dosed drug j (appending it unless the scenario lists it). */
static int link_metabolite(loader *L, const drug_load *dl, int j, const hs_library_metabolite *m) {
  hs_scenario *sc = L->sc;
  int k = 0, rc;
  while (k < sc->n_drugs && !is_metabolite(&sc->drugs[k], m)) k++;
  if (k == sc->n_drugs && (rc = append_metabolite(L, m, j))) return rc;
  hs_scenario_drug *met = &sc->drugs[k], *par = &sc->drugs[j];
  char path[160];
  snprintf(path, sizeof path, "drugs.%s", par->name);
  if (met->parent >= 0 && met->parent != j)
    return hs__ydoc_error(L->d, dl[j].key, path, L->err, "'%s' is already formed from '%s'; "
                          "a metabolite has one parent", met->name, sc->drugs[met->parent].name);
  if (!(met->mw > 0 && par->mw > 0))
    return hs__ydoc_error(L->d, dl[j].key, path, L->err, "the yield of metabolite '%s' needs "
                          "the molecular weights of both '%s' and '%s'", met->name, par->name,
                          met->name);
  met->parent = j;
  met->route = m->route;
  met->yield = m->fraction * met->mw / par->mw;
  return HS_OK;
}

/* Regimens: dosed entries need one; metabolites of a dosed entry may not have one. */
static int load_regimens(loader *L, const drug_load *dl, int n) {
  for (int i = 0; i < n; i++) {
    int p = parent_of(L, dl, n, i), rc;
    hs_scenario_drug *sd = &L->sc->drugs[i];
    char path[160];
    snprintf(path, sizeof path, "drugs.%s.regimen", sd->name);
    if (p >= 0 && (dl[i].regimen || dl[i].records))
      return hs__ydoc_error(L->d, dl[i].regimen ? dl[i].regimen : dl[i].records, path, L->err, "'%s' is formed from '%s' (a "
                            "metabolite in its library entry): give it no regimen", sd->name,
                            L->sc->drugs[p].name);
    if (p < 0 && (rc = load_drug_regimen(L, &dl[i], sd))) return rc;
  }
  return HS_OK;
}

static int load_drug_list(loader *L, hs__ynode s, drug_load *dl, int n) {
  int rc;
  for (int i = 0; i < n; i++) {
    hs__ynode k = hs__ydoc_key(L->d, s, i);
    if (!hs__ydoc_scalar(L->d, k))
      return hs__ydoc_error(L->d, k, "drugs", L->err, "drug names must be plain text");
    for (int j = 0; j < i; j++)
      if (!strcmp(L->sc->drugs[j].name, hs__ydoc_scalar(L->d, k)))
        return hs__ydoc_error(L->d, k, "drugs", L->err, "duplicate drug '%s'",
                              hs__ydoc_scalar(L->d, k));
    dl[i].key = k;
    dl[i].map = hs__ydoc_value(L->d, s, i);
    dl[i].regimen = hs__ydoc_get(L->d, dl[i].map, "regimen");
    dl[i].records = hs__ydoc_get(L->d, dl[i].map, "records");
    rc = load_drug_params(L, &dl[i], &L->sc->drugs[i]);
    L->sc->n_drugs++;
    if (rc) return rc;
  }
  if ((rc = load_regimens(L, dl, n))) return rc;
  for (int j = 0; j < n; j++)
    for (int m = 0; (dl[j].regimen || dl[j].records) && m < dl[j].n_met; m++)
      if ((rc = link_metabolite(L, dl, j, &dl[j].met[m]))) return rc;
  return HS_OK;
}

static int load_drugs(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "drugs");
  if (!s || hs__ydoc_type(L->d, s) != HS_Y_MAP || hs__ydoc_len(L->d, s) == 0)
    return hs__ydoc_error(L->d, s ? s : L->root, "drugs", L->err,
                          "at least one drug is required (drugs: {<name>: {regimen: ...}})");
  int n = hs__ydoc_len(L->d, s);
  L->sc->drugs = calloc((size_t)n * (1 + HS_LIB_MAX_METABOLITES), sizeof *L->sc->drugs);
  drug_load *dl = calloc((size_t)n, sizeof *dl);
  int rc = L->sc->drugs && dl ? load_drug_list(L, s, dl, n)
                              : hs_error_set(L->err, HS_ENOMEM, "out of memory");
  free(dl);
  return rc;
}


/* ---- entry points --------------------------------------------------------------------- */

static int load_all(loader *L) {
  int rc;
  if (hs__ydoc_type(L->d, L->root) != HS_Y_MAP)
    return hs__ydoc_error(L->d, L->root, "", L->err, "a scenario is a mapping of sections "
                          "(patient, tumor, drugs, embolization, simulation)");
  if ((rc = hs__ydoc_read(L->d, L->root, "", TOP_FIELDS, K_N, L->sc, NULL, 0, L->err)) ||
      (rc = hs__load_defaults(L)) || (rc = hs__load_patient(L)) || (rc = load_simulation(L)) ||
      (rc = hs__load_liver_disease(L)) || (rc = hs__load_pvt(L)) || (rc = hs__load_ha_occlusion(L)) ||
      (rc = hs__load_embolization(L)) || (rc = hs__load_filtration(L)) || (rc = hs__load_catheter(L)) ||
      (rc = hs__load_misperfusion(L)) || (rc = load_drugs(L)) ||
      (rc = hs__check_flows(L)))
    return rc;
  hs__ynode sweep = hs__ydoc_get(L->d, L->root, "sweep");
  if (sweep && (rc = hs__sweep_read(L->d, sweep, L->sc, L->err))) return rc;
  return hs__records_link(L);
}

int hs_scenario_load_text(hs_scenario *sc, const char *name, const char *text,
                          const char *data_dir, hs_error *err) {
  memset(sc, 0, sizeof *sc);
  hs__ydoc *d = hs__ydoc_parse(name, text, err);
  if (!d) return err ? err->code : HS_EINPUT;
  loader L = {.d = d, .data_dir = data_dir ? data_dir : hs_scenario_data_dir(), .err = err,
              .sc = sc, .root = hs__ydoc_root(d)};
  sc->path = strdup(name); /* files the scenario names are relative to it */
  int rc = sc->path ? load_all(&L) : hs_error_set(err, HS_ENOMEM, "out of memory");
  hs__catalog_free(L.cat);
  hs__ydoc_free(d);
  if (!rc) {
    sc->text = strdup(text);
    if (!sc->text) rc = hs_error_set(err, HS_ENOMEM, "out of memory");
  }
  if (rc) hs_scenario_release(sc);
  return rc;
}

int hs_scenario_load(hs_scenario *sc, const char *path, const char *data_dir, hs_error *err) {
  memset(sc, 0, sizeof *sc);
  char *text = hs__read_file(path, err);
  if (!text) return HS_EINPUT;
  int rc = hs_scenario_load_text(sc, path, text, data_dir, err);
  free(text);
  return rc;
}
