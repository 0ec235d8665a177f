/* scenario.c - loading scenario files: sections patient, tumor, drugs, embolization,
 * simulation; defaults from model/data; validation with file:line:col messages. */
#include "hs_scenario.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drugdef.h"
#include "sweepspec.h"
#include "yamldoc.h"

#ifndef HS_DATA_DIR
#define HS_DATA_DIR "model/data"
#endif

const char *hs_scenario_data_dir(void) {
  const char *env = getenv("HEPATOSIM_DATA");
  return env && *env ? env : HS_DATA_DIR;
}

/* ---- field tables ------------------------------------------------------------------ */

typedef struct patient_in {
  double weight, height, bsa;
  int bsa_formula;
  double q_co, q_h, f_ha, v_b, v_g, v_l, v_r;
} patient_in;

typedef struct tumor_in {
  double v_t, p_t, f_ta, f_td, f_nec;
  double ps, f_vas; /* permeability-limited tumour (model.md extension; ps 0: off) */
} tumor_in;

static const char *const BSA_FORMULAS[] = {"mosteller", "dubois", "haycock", NULL};
static const char *const ROUTES[] = {"iv", "hai", "pv", "tace", NULL};
static const char *const EMBO_TARGETS[] = {"whole_liver", "tumor", NULL};
static const char *const EMBO_TYPES[] = {"degradable", "permanent", NULL};

#define QTY(key, st, mem, kind, range) {key, HS_F_QTY, kind, offsetof(st, mem), range, NULL, 0}
#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0}

enum { P_WEIGHT, P_HEIGHT, P_BSA, P_FORMULA, P_QCO, P_QH, P_FHA, P_VB, P_VG, P_VL, P_VR, P_N };
static const hs__field PATIENT_FIELDS[P_N] = {
    QTY("weight", patient_in, weight, HS_KIND_BODY_MASS, HS_R_POS),
    QTY("height", patient_in, height, HS_KIND_LENGTH, HS_R_POS),
    QTY("bsa", patient_in, bsa, HS_KIND_AREA, HS_R_POS),
    ENUM("bsa_formula", patient_in, bsa_formula, BSA_FORMULAS),
    QTY("cardiac_output", patient_in, q_co, HS_KIND_FLOW, HS_R_POS),
    QTY("hepatic_flow", patient_in, q_h, HS_KIND_FLOW, HS_R_POS),
    QTY("arterial_fraction", patient_in, f_ha, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("blood_volume", patient_in, v_b, HS_KIND_VOLUME, HS_R_POS),
    QTY("splanchnic_volume", patient_in, v_g, HS_KIND_VOLUME, HS_R_POS),
    QTY("liver_volume", patient_in, v_l, HS_KIND_VOLUME, HS_R_POS),
    QTY("rest_volume", patient_in, v_r, HS_KIND_VOLUME, HS_R_POS),
};

enum { T_VOLUME, T_PERFUSION, T_FTA, T_FTD, T_NEC, T_PS, T_FVAS, T_N };
static const hs__field TUMOR_FIELDS[T_N] = {
    QTY("volume", tumor_in, v_t, HS_KIND_VOLUME, HS_R_POS),
    QTY("perfusion", tumor_in, p_t, HS_KIND_PER_TIME, HS_R_NONNEG),
    QTY("arterial_fraction", tumor_in, f_ta, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("drainage_to_liver", tumor_in, f_td, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("necrotic_fraction", tumor_in, f_nec, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("permeability_surface", tumor_in, ps, HS_KIND_FLOW, HS_R_POS),
    QTY("vascular_fraction", tumor_in, f_vas, HS_KIND_FRACTION, HS_R_FRAC),
};

/* `catheter:` and `misperfusion:` (model.md extension "Catheter territory, gastric
 * misperfusion and permeability-limited tumour"). */
static const char *const CATHETER_POSITIONS[] = {"proper_hepatic", "lobar", "segmental", NULL};
typedef struct catheter_in {
  int position;
  double liver_cov, tumor_cov;
} catheter_in;
enum { C_POSITION, C_LIVER, C_TUMOR, C_N };
static const hs__field CATHETER_FIELDS[C_N] = {
    ENUM("position", catheter_in, position, CATHETER_POSITIONS),
    QTY("liver_coverage", catheter_in, liver_cov, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("tumor_coverage", catheter_in, tumor_cov, HS_KIND_FRACTION, HS_R_FRAC),
};
typedef struct misperfusion_in {
  double share, phi;
} misperfusion_in;
enum { M_SHARE, M_PHI, M_N };
static const hs__field MISPERFUSION_FIELDS[M_N] = {
    QTY("share", misperfusion_in, share, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("gastric_flow_share", misperfusion_in, phi, HS_KIND_FRACTION, HS_R_FRAC),
};

typedef struct dose_in {
  int route;
  double start, duration, every;
  int cycles;
} dose_in;

enum { D_ROUTE, D_DOSE, D_RATE, D_START, D_DURATION, D_EVERY, D_CYCLES, D_PROFILE, D_N };
static const hs__field DOSE_FIELDS[D_N] = {
    ENUM("route", dose_in, route, ROUTES),
    {"dose", HS_F_SKIP, HS_KIND_DOSE, 0, HS_R_ANY, NULL, 0},
    {"rate", HS_F_SKIP, HS_KIND_DOSE_RATE, 0, HS_R_ANY, NULL, 0},
    QTY("start", dose_in, start, HS_KIND_TIME, HS_R_NONNEG),
    QTY("duration", dose_in, duration, HS_KIND_TIME, HS_R_NONNEG),
    QTY("every", dose_in, every, HS_KIND_TIME, HS_R_POS),
    {"cycles", HS_F_INT, HS_KIND_NUMBER, offsetof(dose_in, cycles), HS_R_ANY, NULL, 0},
    {"profile", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
};

static const char *const SHAPES[] = {"constant", "chronomodulated", "steps", NULL};
typedef struct profile_in {
  int shape;
  double peak, amplitude;
} profile_in;
enum { F_SHAPE, F_PEAK, F_AMPLITUDE, F_WEIGHTS, F_N };
static const hs__field PROFILE_FIELDS[F_N] = {
    {"shape", HS_F_ENUM, HS_KIND_NUMBER, offsetof(profile_in, shape), HS_R_ANY, SHAPES, 0},
    {"peak", HS_F_QTY, HS_KIND_TIME, offsetof(profile_in, peak), HS_R_NONNEG, NULL, 0},
    {"amplitude", HS_F_QTY, HS_KIND_FRACTION, offsetof(profile_in, amplitude), HS_R_FRAC, NULL, 0},
    {"weights", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
};

typedef struct embo_in {
  int target, type;
  double onset, reduction, t_half;
  double t_hold, every, depot_half; /* recanalisation start, session interval, carrier */
  int sessions;
} embo_in;

enum { E_TARGET, E_TYPE, E_ONSET, E_REDUCTION, E_THALF, E_AGENT, E_RECAN, E_EVERY, E_SESSIONS,
       E_DEPOT, E_DESC, E_N };
static const hs__field EMBO_FIELDS[E_N] = {
    ENUM("target", embo_in, target, EMBO_TARGETS),
    ENUM("type", embo_in, type, EMBO_TYPES),
    QTY("onset", embo_in, onset, HS_KIND_TIME, HS_R_NONNEG),
    QTY("flow_reduction", embo_in, reduction, HS_KIND_FRACTION, HS_R_FRAC),
    QTY("recovery_half_life", embo_in, t_half, HS_KIND_TIME, HS_R_POS),
    /* issue 4, item 3: embolic agents, recanalisation, repeated sessions, carriers */
    {"agent", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    QTY("recanalization_start", embo_in, t_hold, HS_KIND_TIME, HS_R_NONNEG),
    QTY("every", embo_in, every, HS_KIND_TIME, HS_R_POS),
    {"sessions", HS_F_INT, HS_KIND_NUMBER, offsetof(embo_in, sessions), HS_R_ANY, NULL, 0},
    QTY("depot_release_half_life", embo_in, depot_half, HS_KIND_TIME, HS_R_POS),
    {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
};

enum { S_END, S_DT, S_RTOL, S_ATOL, S_MAXSTEPS, S_IV, S_CLOCK, S_N };
typedef struct sim_in {
  hs_sim_opts o;
  int max_steps, iv;
  double clock0;
} sim_in;
static const hs__field SIM_FIELDS[S_N] = {
    QTY("end", sim_in, o.t_end, HS_KIND_TIME, HS_R_POS),
    QTY("output_interval", sim_in, o.dt_out, HS_KIND_TIME, HS_R_POS),
    QTY("rtol", sim_in, o.rtol, HS_KIND_NUMBER, HS_R_POS),
    QTY("atol", sim_in, o.atol, HS_KIND_MASS, HS_R_POS),
    {"max_steps", HS_F_INT, HS_KIND_NUMBER, offsetof(sim_in, max_steps), HS_R_ANY, NULL, 0},
    {"iv_comparator", HS_F_BOOL, HS_KIND_NUMBER, offsetof(sim_in, iv), HS_R_ANY, NULL, 0},
    QTY("time_of_day_at_start", sim_in, clock0, HS_KIND_TIME, HS_R_NONNEG),
};

enum { K_DESC, K_PATIENT, K_TUMOR, K_DRUGS, K_EMBO, K_SIM, K_SWEEP, K_FILTER, K_LIVER, K_PVT,
       K_HAO, K_CATHETER, K_MISPERFUSION, K_N };
static const hs__field TOP_FIELDS[K_N] = {
    {"description", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs_scenario, description), HS_R_ANY,
     NULL, sizeof(((hs_scenario *)0)->description)},
    {"patient", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"tumor", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"drugs", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"embolization", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"simulation", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"sweep", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"hepatic_filtration", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"liver_disease", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"portal_vein_thrombosis", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"hepatic_artery_occlusion", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"catheter", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"misperfusion", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
};

typedef struct filter_in {
  double start, duration, efficiency;
} filter_in;
enum { X_START, X_DURATION, X_EFFICIENCY, X_N };
static const hs__field FILTER_FIELDS[X_N] = {
    {"start", HS_F_QTY, HS_KIND_TIME, offsetof(filter_in, start), HS_R_NONNEG, NULL, 0},
    {"duration", HS_F_QTY, HS_KIND_TIME, offsetof(filter_in, duration), HS_R_POS, NULL, 0},
    {"efficiency", HS_F_QTY, HS_KIND_FRACTION, offsetof(filter_in, efficiency), HS_R_FRAC, NULL,
     0},
};
#undef QTY
#undef ENUM

/* ---- loading state ------------------------------------------------------------------ */

typedef struct loader {
  const hs__ydoc *d;
  const char *data_dir;
  hs_error *err;
  hs_scenario *sc;
  patient_in pat;
  tumor_in tum;
  hs__fieldinfo pinfo[P_N], tinfo[T_N], sinfo[S_N];
  hs__ynode root;
  double clock0;   /* time of day at t = 0, h */
  hs__resolve ref; /* the reference adult: hepatic_clearance converts at its Q_L' */
  hs__resolve rs;  /* this scenario's patient, for per-m2 / per-kg drug values */
  hs__catalog *cat; /* the drug library, opened when a drug needs it */
  double depot_k_rel; /* > 0: an embolic carrier's depot release rate for TACE doses, 1/h */
  int embo_cap;       /* allocated events (repeated sessions expand) */
  double gastric_phi; /* physiology.yaml's gastric share of the splanchnic bed (NAN: none) */
} loader;

/* Reference-adult physiology and tumour defaults, every value sourced (model/data); phi
 * (may be NULL) gets the default gastric share of the splanchnic bed, NAN when the file
 * has none. */
static int read_defaults(const char *data_dir, patient_in *pat, tumor_in *tum, double *phi,
                         hs_error *err) {
  char file[1100];
  snprintf(file, sizeof file, "%s/physiology.yaml", data_dir);
  hs__ydoc *d = hs__ydoc_load(file, err);
  if (!d) return HS_EINPUT;
  hs__ynode root = hs__ydoc_root(d);
  misperfusion_in mis = {0};
  hs__fieldinfo info[M_N] = {{0}};
  int rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "patient"), "patient", PATIENT_FIELDS, P_N,
                         pat, NULL, 1, err);
  if (!rc)
    rc = hs__ydoc_read(d, hs__ydoc_get(d, root, "tumor"), "tumor", TUMOR_FIELDS, T_N, tum,
                       NULL, 1, err);
  hs__ynode m = hs__ydoc_get(d, root, "misperfusion"); /* optional in a data directory */
  if (!rc && phi && m)
    rc = hs__ydoc_read(d, m, "misperfusion", MISPERFUSION_FIELDS, M_N, &mis, info, 1, err);
  if (phi) *phi = info[M_PHI].set ? mis.phi : NAN;
  hs__ydoc_free(d);
  return rc;
}

/* Model physiology and patient size from the sections as read (bsa_given: bsa was written). */
static void to_model(const patient_in *pat, const tumor_in *tum, int bsa_given, hs_patient *pt,
                     hs_physiology *ph) {
  *ph = (hs_physiology){.q_co = pat->q_co, .q_h = pat->q_h, .f_ha = pat->f_ha, .v_b = pat->v_b,
                        .v_g = pat->v_g, .v_l = pat->v_l, .v_r = pat->v_r, .v_t = tum->v_t,
                        .p_t = tum->p_t, .f_ta = tum->f_ta, .f_td = tum->f_td,
                        .f_nec = tum->f_nec};
  ph->terr.ps = tum->ps; /* 0 unless `tumor.permeability_surface` is given */
  ph->terr.f_vas = tum->f_vas;
  pt->weight_kg = pat->weight;
  pt->height_cm = pat->height;
  pt->bsa_formula = (hs_bsa_formula)pat->bsa_formula;
  pt->bsa_given = bsa_given;
  pt->bsa_m2 = bsa_given ? pat->bsa : hs_patient_bsa(pt->bsa_formula, pat->weight, pat->height);
}

int hs__reference_adult(const char *data_dir, hs__resolve *rs, hs_physiology *ph,
                        hs_error *err) {
  patient_in pat = {0};
  tumor_in tum = {0};
  int rc = read_defaults(data_dir, &pat, &tum, NULL, err);
  if (rc) return rc;
  to_model(&pat, &tum, pat.bsa > 0, &rs->pt, ph);
  return hs__q_l_eff(ph, &rs->q_l_eff, err);
}

static int load_defaults(loader *L) {
  int rc = read_defaults(L->data_dir, &L->pat, &L->tum, &L->gastric_phi, L->err);
  hs_physiology ph;
  if (rc) return rc;
  to_model(&L->pat, &L->tum, L->pat.bsa > 0, &L->ref.pt, &ph);
  return hs__q_l_eff(&ph, &L->ref.q_l_eff, L->err);
}

static int load_patient(loader *L) {
  hs__ynode p = hs__ydoc_get(L->d, L->root, "patient");
  hs__ynode t = hs__ydoc_get(L->d, L->root, "tumor");
  int rc;
  if (p && (rc = hs__ydoc_read(L->d, p, "patient", PATIENT_FIELDS, P_N, &L->pat, L->pinfo, 0,
                               L->err)))
    return rc;
  if (t && (rc = hs__ydoc_read(L->d, t, "tumor", TUMOR_FIELDS, T_N, &L->tum, L->tinfo, 0, L->err)))
    return rc;
  to_model(&L->pat, &L->tum, L->pinfo[P_BSA].set, &L->sc->patient, &L->sc->phys);
  L->rs = (hs__resolve){L->sc->patient, L->ref.q_l_eff};
  return HS_OK;
}

static int load_simulation(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "simulation");
  if (!s) return hs__ydoc_error(L->d, L->root, "simulation", L->err, "section is required "
                                "(simulation: {end: ..., output_interval: ...})");
  sim_in in = {.o = {.rtol = 1e-8, .atol = 1e-10}, .max_steps = 100000};
  int rc = hs__ydoc_read(L->d, s, "simulation", SIM_FIELDS, S_N, &in, L->sinfo, 0, L->err);
  if (rc) return rc;
  if (!L->sinfo[S_END].set)
    return hs__ydoc_error(L->d, s, "simulation.end", L->err, "is required (e.g. 'end: 24 h')");
  if (!L->sinfo[S_DT].set)
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
  L->sc->sim = in.o;
  L->sc->iv_comparator = in.iv;
  if (in.clock0 >= HS_DAY_H)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "time_of_day_at_start"),
                          "simulation.time_of_day_at_start", L->err, "must be below 24 h");
  L->clock0 = in.clock0;
  return HS_OK;
}

/* ---- embolization --------------------------------------------------------------------- */

static int read_preset(loader *L, const char *file, hs__ynode name, const char *path,
                       const hs__field *fields, int n, void *base, hs__fieldinfo *info);

/* The event's fields: its agent's preset (model/data/embolics.yaml), then its own keys. */
static int read_embo_fields(loader *L, hs__ynode e, const char *path, embo_in *in,
                            hs__fieldinfo *info) {
  hs__ynode agent = hs__ydoc_get(L->d, e, "agent");
  int rc = agent ? read_preset(L, "embolics.yaml", agent, path, EMBO_FIELDS, E_N, in, info) : 0;
  if (!rc) rc = hs__ydoc_read(L->d, e, path, EMBO_FIELDS, E_N, in, info, 0, L->err);
  return rc;
}

/* A carrier's depot release (cTACE emulsion, drug-eluting beads): one rate for the run. */
static int set_depot_release(loader *L, hs__ynode e, const char *path, double t_half) {
  double k = M_LN2 / t_half;
  if (L->depot_k_rel > 0 && fabs(k - L->depot_k_rel) > 1e-12 * k)
    return hs__ydoc_error(L->d, e, path, L->err, "depot_release_half_life %g h differs from "
                          "that of an earlier event (%g h); the tumour depot has one release "
                          "rate", t_half, M_LN2 / L->depot_k_rel);
  L->depot_k_rel = k;
  return HS_OK;
}

static int load_embo_one(loader *L, hs__ynode e, const char *path, hs_embolization *out,
                         embo_in *in) {
  hs__fieldinfo info[E_N] = {{0}};
  int rc = read_embo_fields(L, e, path, in, info);
  if (rc) return rc;
  static const int required[] = {E_TARGET, E_TYPE, E_ONSET, E_REDUCTION};
  for (int i = 0; i < 4; i++)
    if (!info[required[i]].set)
      return hs__ydoc_error(L->d, e, path, L->err, "'%s' is required",
                            EMBO_FIELDS[required[i]].key);
  if (in->reduction >= 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "flow_reduction"), path, L->err,
                          "flow_reduction must be below 100 %% (an occluded artery carries "
                          "no flow at all; use e.g. 99 %%)");
  if (in->type == 0 && !info[E_THALF].set)
    return hs__ydoc_error(L->d, e, path, L->err,
                          "a degradable embolisation needs 'recovery_half_life'");
  if (in->onset >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "onset"), path, L->err,
                          "onset %g h is at or after the simulation end %g h", in->onset,
                          L->sc->sim.t_end);
  if (info[E_DEPOT].set && (rc = set_depot_release(L, e, path, in->depot_half))) return rc;
  out->target = (hs_embo_target)in->target;
  out->t_e = in->onset;
  out->m_min = 1 - in->reduction;
  out->t_half = info[E_THALF].set ? in->t_half : INFINITY;
  out->t_hold = in->t_hold;
  return HS_OK;
}

/* Repeated sessions (`every`, `sessions`): copies of the event, like regimen cycles. */
static int add_sessions(loader *L, hs__ynode e, const char *path, const hs_embolization *ev,
                        const embo_in *in) {
  int n = in->sessions > 0 ? in->sessions : 1;
  if (n > 1 && !(in->every > 0))
    return hs__ydoc_error(L->d, e, path, L->err, "%d sessions need 'every' (the interval)", n);
  double last = ev->t_e + (n - 1) * in->every;
  if (n > 1 && last >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, e, path, L->err, "session %d of %d at %g h is at or after the "
                          "simulation end %g h", n, n, last, L->sc->sim.t_end);
  if (L->sc->n_embo + n > L->embo_cap) {
    int cap = 2 * (L->sc->n_embo + n);
    hs_embolization *a = realloc(L->sc->embo, (size_t)cap * sizeof *a);
    if (!a) return hs_error_set(L->err, HS_ENOMEM, "out of memory");
    L->sc->embo = a;
    L->embo_cap = cap;
  }
  for (int k = 0; k < n; k++) {
    hs_embolization *x = &L->sc->embo[L->sc->n_embo++];
    *x = *ev;
    x->t_e += k * in->every;
  }
  return HS_OK;
}

static int load_embolization(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "embolization");
  if (!s) return HS_OK;
  if (hs__ydoc_type(L->d, s) != HS_Y_SEQ)
    return hs__ydoc_error(L->d, s, "embolization", L->err, "expected a list of events ('- ...')");
  int n = hs__ydoc_len(L->d, s);
  L->embo_cap = n ? n : 1;
  L->sc->embo = calloc((size_t)L->embo_cap, sizeof *L->sc->embo);
  if (!L->sc->embo) return hs_error_set(L->err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    char path[64];
    snprintf(path, sizeof path, "embolization[%d]", i);
    hs__ynode e = hs__ydoc_item(L->d, s, i);
    hs_embolization ev;
    embo_in in = {.sessions = 1};
    int rc = load_embo_one(L, e, path, &ev, &in);
    if (!rc) rc = add_sessions(L, e, path, &ev, &in);
    if (rc) return rc;
  }
  return HS_OK;
}

/* ---- percutaneous hepatic perfusion ---------------------------------------------------- */

static int load_filter_one(loader *L, hs__ynode e, const char *path, hs_filter *out) {
  filter_in in = {0};
  hs__fieldinfo info[X_N] = {{0}};
  int rc = hs__ydoc_read(L->d, e, path, FILTER_FIELDS, X_N, &in, info, 0, L->err);
  if (rc) return rc;
  for (int i = 0; i < X_N; i++)
    if (!info[i].set)
      return hs__ydoc_error(L->d, e, path, L->err, "'%s' is required", FILTER_FIELDS[i].key);
  if (in.start >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "start"), path, L->err,
                          "start %g h is at or after the simulation end %g h", in.start,
                          L->sc->sim.t_end);
  *out = (hs_filter){in.start, in.start + in.duration, in.efficiency};
  return HS_OK;
}

/* `hepatic_filtration:` a list of filter windows (issue 4, item 6). */
static int load_filtration(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "hepatic_filtration");
  if (!s) return HS_OK;
  if (hs__ydoc_type(L->d, s) != HS_Y_SEQ)
    return hs__ydoc_error(L->d, s, "hepatic_filtration", L->err,
                          "expected a list of filter windows ('- start: ...')");
  int n = hs__ydoc_len(L->d, s);
  L->sc->filter = calloc((size_t)(n ? n : 1), sizeof *L->sc->filter);
  if (!L->sc->filter) return hs_error_set(L->err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    char path[64];
    snprintf(path, sizeof path, "hepatic_filtration[%d]", i);
    int rc = load_filter_one(L, hs__ydoc_item(L->d, s, i), path, &L->sc->filter[i]);
    if (rc) return rc;
    L->sc->n_filter++;
  }
  return HS_OK;
}

/* ---- catheter territory and gastric misperfusion -------------------------------------- */

/* `catheter: {position, liver_coverage, tumor_coverage}`: the shares are the model inputs,
 * the position says where the catheter sits and is checked against them. */
static int load_catheter(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "catheter");
  if (!s) return HS_OK;
  catheter_in in = {.liver_cov = 1, .tumor_cov = 1};
  hs__fieldinfo info[C_N] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "catheter", CATHETER_FIELDS, C_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[C_POSITION].set)
    return hs__ydoc_error(L->d, s, "catheter", L->err, "'position' is required "
                          "(proper_hepatic, lobar or segmental)");
  if (in.position == HS_CATH_PROPER && (in.liver_cov < 1 || in.tumor_cov < 1))
    return hs__ydoc_error(L->d, s, "catheter", L->err, "a catheter at the proper hepatic artery "
                          "perfuses the whole liver: coverage must be 100 %% (got liver %g %%, "
                          "tumour %g %%)", 100 * in.liver_cov, 100 * in.tumor_cov);
  if (in.position != HS_CATH_PROPER && !info[C_LIVER].set)
    return hs__ydoc_error(L->d, s, "catheter", L->err, "a %s catheter needs 'liver_coverage', "
                          "the share of the liver volume its branch perfuses",
                          CATHETER_POSITIONS[in.position]);
  const char *zero = !(in.liver_cov > 0) ? "liver_coverage" : !(in.tumor_cov > 0) ? "tumor_coverage" : NULL;
  if (zero)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, zero), "catheter", L->err, "%s must be "
                          "above 0 %% (a territory the catheter perfuses)", zero);
  if (in.tumor_cov < 1 && in.liver_cov == 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "tumor_coverage"), "catheter", L->err,
                          "tumor_coverage below 100 %% needs liver_coverage below 100 %%: the "
                          "tumour outside the territory drains into the liver outside it");
  hs_territory *t = &L->sc->phys.terr;
  t->catheter = 1;
  t->position = (hs_catheter_pos)in.position;
  t->liver_cov = in.liver_cov;
  t->tumor_cov = in.tumor_cov;
  return HS_OK;
}

/* `misperfusion: {share, gastric_flow_share}`; the gastric share of the splanchnic bed
 * defaults to the sourced value in physiology.yaml (`misperfusion.gastric_flow_share`). */
static int load_misperfusion(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "misperfusion");
  if (!s) return HS_OK;
  misperfusion_in in = {0};
  hs__fieldinfo info[M_N] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "misperfusion", MISPERFUSION_FIELDS, M_N, &in, info, 0,
                         L->err);
  if (rc) return rc;
  if (!info[M_SHARE].set)
    return hs__ydoc_error(L->d, s, "misperfusion", L->err, "'share' is required (the share of "
                          "the hepatic-arterial infusate reaching the stomach, e.g. 5 %%)");
  if (!info[M_PHI].set && isnan(in.phi = L->gastric_phi))
    return hs_error_set(L->err, HS_EINPUT, "%s/physiology.yaml: misperfusion.gastric_flow_share "
                        "is missing", L->data_dir);
  if (!(in.phi > 0 && in.phi < 1))
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "gastric_flow_share"), "misperfusion",
                          L->err, "gastric_flow_share must lie strictly between 0 and 100 %%");
  hs_territory *t = &L->sc->phys.terr;
  t->gastric = 1;
  t->mis_share = in.share;
  t->phi_gs = in.phi;
  return HS_OK;
}

/* ---- regimens ------------------------------------------------------------------------- */

static int read_amount(loader *L, hs__ynode e, const char *path, const char *key, hs_kind kind,
                       double *v, hs_norm *norm) {
  hs__ynode n = hs__ydoc_get(L->d, e, key);
  const char *text = hs__ydoc_scalar(L->d, n);
  char sub[160];
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  hs_error e2;
  if (!text) return hs__ydoc_error(L->d, n, sub, L->err, "expected %s", hs_units_kind_name(kind));
  if (hs_units_convert(text, kind, v, norm, &e2))
    return hs__ydoc_error(L->d, n, sub, L->err, "%s", e2.msg);
  if (!(*v > 0)) return hs__ydoc_error(L->d, n, sub, L->err, "must be > 0, got '%s'", text);
  if (*norm == HS_NORM_BSA && !(L->sc->patient.bsa_m2 > 0))
    return hs__ydoc_error(L->d, n, sub, L->err, "a per-m2 dose needs the patient's bsa, or "
                                                 "weight and height");
  if (*norm == HS_NORM_WEIGHT && !(L->sc->patient.weight_kg > 0))
    return hs__ydoc_error(L->d, n, sub, L->err, "a per-kg dose needs the patient's weight");
  return HS_OK;
}

static int check_dose_times(loader *L, hs__ynode e, const char *path, const hs_dose_spec *s) {
  if (s->route == HS_ROUTE_TACE && s->duration > 0)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "duration"), path, L->err,
                          "a 'tace' dose loads the depot at once: give no duration");
  if (s->cycles > 1 && !(s->every > 0))
    return hs__ydoc_error(L->d, e, path, L->err, "%d cycles need 'every' (the cycle length)",
                          s->cycles);
  if (s->cycles > 1 && s->every < s->duration)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "every"), path, L->err,
                          "cycle length %g h is shorter than the infusion (%g h)", s->every,
                          s->duration);
  double last = s->start + (s->cycles - 1) * s->every;
  if (last >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, e, path, L->err,
                          "the dose at %g h (cycle %d of %d) starts at or after the simulation "
                          "end (simulation.end = %g h)",
                          last, s->cycles, s->cycles, L->sc->sim.t_end);
  return HS_OK;
}

/* The relative rates of a pump program: 1 to HS_PROFILE_MAX_STEPS numbers >= 0. */
static int load_weights(loader *L, hs__ynode profile, const char *path, hs_profile *pf) {
  hs__ynode w = hs__ydoc_get(L->d, profile, "weights");
  int n = hs__ydoc_len(L->d, w);
  double sum = 0;
  if (hs__ydoc_type(L->d, w) != HS_Y_SEQ || n < 1 || n > HS_PROFILE_MAX_STEPS)
    return hs__ydoc_error(L->d, w ? w : profile, path, L->err, "a step profile needs "
                          "'weights': a list of 1 to %d relative rates", HS_PROFILE_MAX_STEPS);
  for (int i = 0; i < n; i++) {
    hs__ynode v = hs__ydoc_item(L->d, w, i);
    const char *t = hs__ydoc_scalar(L->d, v);
    hs_error e;
    if (!t || hs_units_convert(t, HS_KIND_NUMBER, &pf->weights[i], NULL, &e) ||
        !(pf->weights[i] >= 0))
      return hs__ydoc_error(L->d, v, path, L->err, "weights are numbers >= 0, got '%s'",
                            t ? t : "");
    sum += pf->weights[i];
  }
  if (!(sum > 0)) return hs__ydoc_error(L->d, w, path, L->err, "the weights are all 0");
  pf->n_steps = n;
  return HS_OK;
}

/* An infusion's `profile:` (issue 4: chronomodulated and step-wise pump profiles). */
static int load_profile(loader *L, hs__ynode e, const char *path, hs_dose_spec *s) {
  hs__ynode node = hs__ydoc_get(L->d, e, "profile");
  if (!node) return HS_OK;
  char sub[200];
  snprintf(sub, sizeof sub, "%s.profile", path);
  profile_in in = {.amplitude = 1.0};
  hs__fieldinfo info[F_N] = {{0}};
  int rc = hs__ydoc_read(L->d, node, sub, PROFILE_FIELDS, F_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!(s->duration > 0))
    return hs__ydoc_error(L->d, node, sub, L->err, "a rate profile needs an infusion (a "
                          "'duration' > 0)");
  hs_profile *pf = &s->profile;
  pf->shape = (hs_profile_shape)in.shape;
  if (pf->shape == HS_PROFILE_CHRONO) {
    if (!info[F_PEAK].set || in.peak >= HS_DAY_H)
      return hs__ydoc_error(L->d, node, sub, L->err, "a chronomodulated profile needs "
                            "'peak', the time of day of the highest rate (0 h to 24 h)");
    pf->amplitude = in.amplitude;
    pf->peak = in.peak - L->clock0; /* simulation time of a peak */
  }
  if (pf->shape == HS_PROFILE_STEPS)
    return load_weights(L, node, sub, pf);
  return HS_OK;
}

static int load_dose(loader *L, hs__ynode e, const char *path, hs_dose_spec *s) {
  dose_in in = {.cycles = 1};
  hs__fieldinfo info[D_N] = {{0}};
  int rc = hs__ydoc_read(L->d, e, path, DOSE_FIELDS, D_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[D_ROUTE].set)
    return hs__ydoc_error(L->d, e, path, L->err, "'route' is required (iv, hai, pv or tace)");
  int has_dose = hs__ydoc_get(L->d, e, "dose") != 0, has_rate = hs__ydoc_get(L->d, e, "rate") != 0;
  if (has_dose == has_rate)
    return hs__ydoc_error(L->d, e, path, L->err, "give exactly one of 'dose' (amount per "
                                                 "administration) or 'rate' (with 'duration')");
  memset(s, 0, sizeof *s);
  s->route = (hs_route)in.route;
  s->by_rate = has_rate;
  rc = has_rate ? read_amount(L, e, path, "rate", HS_KIND_DOSE_RATE, &s->rate, &s->norm)
                : read_amount(L, e, path, "dose", HS_KIND_DOSE, &s->amount, &s->norm);
  if (rc) return rc;
  if (has_rate && !(in.duration > 0))
    return hs__ydoc_error(L->d, e, path, L->err, "a 'rate' needs a 'duration' > 0");
  s->start = in.start;
  s->duration = in.duration;
  s->every = info[D_EVERY].set ? in.every : 0;
  s->cycles = in.cycles;
  if ((rc = load_profile(L, e, path, s))) return rc;
  return check_dose_times(L, e, path, s);
}

/* drug: the drug's node, blamed when the regimen is missing */
static int load_regimen(loader *L, hs__ynode reg, hs__ynode drug, const char *path,
                        hs_scenario_drug *sd) {
  if (!reg || hs__ydoc_type(L->d, reg) != HS_Y_SEQ || hs__ydoc_len(L->d, reg) == 0)
    return hs__ydoc_error(L->d, reg ? reg : drug, path, L->err,
                          "a non-empty list of doses is required ('- route: hai ...')");
  int n = hs__ydoc_len(L->d, reg);
  sd->regimen = calloc((size_t)n, sizeof *sd->regimen);
  if (!sd->regimen) return hs_error_set(L->err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    char sub[160];
    snprintf(sub, sizeof sub, "%s[%d]", path, i);
    int rc = load_dose(L, hs__ydoc_item(L->d, reg, i), sub, &sd->regimen[i]);
    if (rc) return rc;
    sd->n_regimen++;
  }
  if (hs_regimen_count(sd->regimen, n) > 1000000)
    return hs__ydoc_error(L->d, reg, path, L->err, "more than 10^6 dose events");
  return HS_OK;
}

/* ---- drugs ---------------------------------------------------------------------------- */

/* Per scenario entry while loading: the metabolites its library entry forms. */
typedef struct drug_load {
  hs_library_metabolite met[HS_LIB_MAX_METABOLITES];
  int n_met;
  hs__ynode key, map, regimen;
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
 * drug given by TACE: k_rel = ln 2 / depot_release_half_life (model.md extension). */
static void apply_carrier(loader *L, hs_scenario_drug *sd) {
  for (int i = 0; L->depot_k_rel > 0 && i < sd->n_regimen; i++)
    if (sd->regimen[i].route == HS_ROUTE_TACE) sd->drug.k_rel = L->depot_k_rel;
}

static int load_drug_regimen(loader *L, const drug_load *dl, hs_scenario_drug *sd) {
  char path[160];
  snprintf(path, sizeof path, "drugs.%s.regimen", sd->name);
  int rc = load_regimen(L, dl->regimen, dl->key, path, sd);
  if (rc) return rc;
  apply_carrier(L, sd);
  for (int i = 0; i < sd->n_regimen; i++)
    if (sd->regimen[i].route == HS_ROUTE_TACE && !(sd->drug.k_rel > 0)) {
      snprintf(path, sizeof path, "drugs.%s.regimen[%d]", sd->name, i);
      return hs__ydoc_error(L->d, hs__ydoc_item(L->d, dl->regimen, i), path, L->err,
                            "a 'tace' dose loads the tumour depot, which this drug never "
                            "releases: give the drug a 'depot_release' (e.g. '0.1 /h')");
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
    for (int k = 0; j != i && dl[j].regimen && k < dl[j].n_met; k++)
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
    if (p >= 0 && dl[i].regimen)
      return hs__ydoc_error(L->d, dl[i].regimen, path, L->err, "'%s' is formed from '%s' (a "
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
    rc = load_drug_params(L, &dl[i], &L->sc->drugs[i]);
    L->sc->n_drugs++;
    if (rc) return rc;
  }
  if ((rc = load_regimens(L, dl, n))) return rc;
  for (int j = 0; j < n; j++)
    for (int m = 0; dl[j].regimen && m < dl[j].n_met; m++)
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

/* Flows that break model.md's constraints: point at the key most likely responsible. */
static int check_flows(loader *L) {
  static const struct { const char *sec; int idx; int tumor; } blame[] = {
      {"tumor", T_PERFUSION, 1}, {"tumor", T_VOLUME, 1}, {"tumor", T_FTA, 1},
      {"patient", P_FHA, 0},     {"patient", P_QH, 0},   {"patient", P_QCO, 0}};
  for (int i = 0; i < L->sc->n_drugs; i++) {
    hs_params p;
    hs_error e;
    if (!hs_params_init(&p, &L->sc->phys, &L->sc->drugs[i].drug, L->sc->embo, L->sc->n_embo, &e))
      continue;
    if (strstr(e.msg, "permeability-limited")) /* Kp_T against the vascular fraction */
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, hs__ydoc_get(L->d, L->root, "tumor"),
                            "permeability_surface"), "tumor.permeability_surface", L->err,
                            "drug '%s': %s", L->sc->drugs[i].name, e.msg);
    int want_co = strstr(e.msg, "Q_CO") != NULL;
    for (size_t b = 0; b < sizeof blame / sizeof blame[0]; b++) {
      const hs__fieldinfo *fi = blame[b].tumor ? &L->tinfo[blame[b].idx] : &L->pinfo[blame[b].idx];
      /* Q_R = Q_CO - Q_H: neither the tumour nor f_HA can be the cause */
      if (!fi->set || (want_co && (blame[b].tumor || blame[b].idx == P_FHA))) continue;
      const char *key = blame[b].tumor ? TUMOR_FIELDS[blame[b].idx].key
                                       : PATIENT_FIELDS[blame[b].idx].key;
      hs__ynode sec = hs__ydoc_get(L->d, L->root, blame[b].sec);
      char path[64];
      snprintf(path, sizeof path, "%s.%s", blame[b].sec, key);
      return hs__ydoc_error(L->d, hs__ydoc_get(L->d, sec, key), path, L->err, "%s", e.msg);
    }
    return hs__ydoc_error(L->d, L->root, L->sc->drugs[i].name, L->err, "%s", e.msg);
  }
  return HS_OK;
}

/* ---- liver disease and vascular events (issue 4, items 3 and 4) ----------------------- */

/* The mapping `name` of data file `file` (model/data), read with sources into base/info;
 * an unknown name is refused at the scenario's node with a did-you-mean. */
static int read_preset(loader *L, const char *file, hs__ynode name, const char *path,
                       const hs__field *fields, int n, void *base, hs__fieldinfo *info) {
  const char *want = hs__ydoc_scalar(L->d, name);
  if (!want) return hs__ydoc_error(L->d, name, path, L->err, "expected a preset name");
  char fpath[1100];
  snprintf(fpath, sizeof fpath, "%s/%s", L->data_dir, file);
  hs__ydoc *d = hs__ydoc_load(fpath, L->err);
  if (!d) return HS_EINPUT;
  hs__ynode root = hs__ydoc_root(d), m = hs__ydoc_get(d, root, want);
  int rc;
  if (m) {
    rc = hs__ydoc_read(d, m, want, fields, n, base, info, 1, L->err);
  } else {
    const char *names[64];
    char list[512] = "";
    int k = 0;
    for (; k < hs__ydoc_len(d, root) && k < 64; k++) {
      names[k] = hs__ydoc_scalar(d, hs__ydoc_key(d, root, k));
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", names[k] ? names[k] : "");
    }
    const char *best = hs__did_you_mean(want, names, k);
    rc = hs__ydoc_error(L->d, name, path, L->err, "unknown preset '%s'%s%s%s; %s has: %s", want,
                        best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "",
                        file, list);
  }
  hs__ydoc_free(d);
  return rc;
}

/* `liver_disease:` multipliers of the healthy patient, shunt share and clearance loss. */
typedef struct liver_in {
  double co, pv, ha, vl, sh, loss;
} liver_in;
enum { LD_PRESET, LD_DESC, LD_CO, LD_PV, LD_HA, LD_VL, LD_SH, LD_LOSS, LD_N };
static const hs__field LIVER_FIELDS[LD_N] = {
    {"preset", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    {"cardiac_output_factor", HS_F_QTY, HS_KIND_NUMBER, offsetof(liver_in, co), HS_R_POS, NULL, 0},
    {"portal_flow_factor", HS_F_QTY, HS_KIND_NUMBER, offsetof(liver_in, pv), HS_R_POS, NULL, 0},
    {"arterial_flow_factor", HS_F_QTY, HS_KIND_NUMBER, offsetof(liver_in, ha), HS_R_POS, NULL, 0},
    {"liver_volume_factor", HS_F_QTY, HS_KIND_NUMBER, offsetof(liver_in, vl), HS_R_POS, NULL, 0},
    {"shunt_fraction", HS_F_QTY, HS_KIND_FRACTION, offsetof(liver_in, sh), HS_R_FRAC, NULL, 0},
    {"intrinsic_clearance_loss", HS_F_QTY, HS_KIND_FRACTION, offsetof(liver_in, loss), HS_R_FRAC,
     NULL, 0},
};

/* Q_HA and Q_PV scaled separately (so Q_H and f_HA change), Q_CO and V_L scaled. */
static void apply_liver_disease(hs_physiology *ph, const liver_in *in) {
  double q_ha = in->ha * ph->f_ha * ph->q_h, q_pv = in->pv * (1 - ph->f_ha) * ph->q_h;
  ph->q_co *= in->co;
  ph->q_h = q_ha + q_pv;
  ph->f_ha = q_ha / ph->q_h;
  ph->v_l *= in->vl;
  ph->vasc.f_sh = in->sh;
  ph->vasc.cl_int_loss = in->loss;
}

static int load_liver_disease(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "liver_disease");
  if (!s) return HS_OK;
  liver_in in = {1, 1, 1, 1, 0, 0};
  hs__fieldinfo info[LD_N] = {{0}};
  hs__ynode preset = hs__ydoc_type(L->d, s) == HS_Y_MAP ? hs__ydoc_get(L->d, s, "preset") : 0;
  int rc = preset ? read_preset(L, "liver_disease.yaml", preset, "liver_disease.preset",
                                LIVER_FIELDS, LD_N, &in, info) : 0;
  if (!rc) rc = hs__ydoc_read(L->d, s, "liver_disease", LIVER_FIELDS, LD_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (in.sh >= 1 || in.loss >= 1)
    return hs__ydoc_error(L->d, s, "liver_disease", L->err, "shunt_fraction and "
                          "intrinsic_clearance_loss must be below 100 %%");
  apply_liver_disease(&L->sc->phys, &in);
  return HS_OK;
}

/* `portal_vein_thrombosis: {obstruction, buffer_response}`. */
typedef struct pvt_in {
  double obstruction, habr;
} pvt_in;
static const hs__field PVT_FIELDS[2] = {
    {"obstruction", HS_F_QTY, HS_KIND_FRACTION, offsetof(pvt_in, obstruction), HS_R_FRAC, NULL, 0},
    {"buffer_response", HS_F_QTY, HS_KIND_FRACTION, offsetof(pvt_in, habr), HS_R_FRAC, NULL, 0},
};
#define HABR_DEFAULT 0.255 /* Lautt, cat: 25.5 +- 2.7 % of the portal decrease (notes §3.4) */

static int load_pvt(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "portal_vein_thrombosis");
  if (!s) return HS_OK;
  pvt_in in = {0, HABR_DEFAULT};
  hs__fieldinfo info[2] = {{0}};
  int rc = hs__ydoc_read(L->d, s, "portal_vein_thrombosis", PVT_FIELDS, 2, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[0].set)
    return hs__ydoc_error(L->d, s, "portal_vein_thrombosis", L->err, "'obstruction' is "
                          "required (the share of portal inflow blocked, e.g. 60 %%)");
  if (in.obstruction >= 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "obstruction"),
                          "portal_vein_thrombosis.obstruction", L->err, "must be below 100 %%");
  L->sc->phys.vasc.pvt_obstruction = in.obstruction;
  L->sc->phys.vasc.habr = in.habr;
  return HS_OK;
}

/* `hepatic_artery_occlusion: {onset}`: permanent from onset. */
static const hs__field HAO_FIELDS[1] = {
    {"onset", HS_F_QTY, HS_KIND_TIME, offsetof(hs_vascular, t_occl), HS_R_NONNEG, NULL, 0},
};

static int load_ha_occlusion(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "hepatic_artery_occlusion");
  if (!s) return HS_OK;
  hs_vascular *v = &L->sc->phys.vasc;
  int rc = hs__ydoc_read(L->d, s, "hepatic_artery_occlusion", HAO_FIELDS, 1, v, NULL, 0, L->err);
  if (rc) return rc;
  if (v->t_occl >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, s, "onset"), "hepatic_artery_occlusion.onset",
                          L->err, "%g h is at or after the simulation end %g h", v->t_occl,
                          L->sc->sim.t_end);
  v->ha_occluded = 1;
  return HS_OK;
}

/* ---- entry points --------------------------------------------------------------------- */

static int load_all(loader *L) {
  int rc;
  if (hs__ydoc_type(L->d, L->root) != HS_Y_MAP)
    return hs__ydoc_error(L->d, L->root, "", L->err, "a scenario is a mapping of sections "
                          "(patient, tumor, drugs, embolization, simulation)");
  if ((rc = hs__ydoc_read(L->d, L->root, "", TOP_FIELDS, K_N, L->sc, NULL, 0, L->err)) ||
      (rc = load_defaults(L)) || (rc = load_patient(L)) || (rc = load_simulation(L)) ||
      (rc = load_liver_disease(L)) || (rc = load_pvt(L)) || (rc = load_ha_occlusion(L)) ||
      (rc = load_embolization(L)) || (rc = load_filtration(L)) || (rc = load_catheter(L)) ||
      (rc = load_misperfusion(L)) || (rc = load_drugs(L)) ||
      (rc = check_flows(L)))
    return rc;
  hs__ynode sweep = hs__ydoc_get(L->d, L->root, "sweep");
  if (sweep && (rc = hs__sweep_read(L->d, sweep, L->sc, L->err))) return rc;
  return HS_OK;
}

int hs_scenario_load_text(hs_scenario *sc, const char *name, const char *text,
                          const char *data_dir, hs_error *err) {
  memset(sc, 0, sizeof *sc);
  hs__ydoc *d = hs__ydoc_parse(name, text, err);
  if (!d) return err ? err->code : HS_EINPUT;
  loader L = {.d = d, .data_dir = data_dir ? data_dir : hs_scenario_data_dir(), .err = err,
              .sc = sc, .root = hs__ydoc_root(d)};
  int rc = load_all(&L);
  hs__catalog_free(L.cat);
  hs__ydoc_free(d);
  if (!rc) {
    sc->path = strdup(name);
    sc->text = strdup(text);
    if (!sc->path || !sc->text) rc = hs_error_set(err, HS_ENOMEM, "out of memory");
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

void hs_scenario_release(hs_scenario *sc) {
  if (!sc) return;
  for (int i = 0; i < sc->n_drugs; i++) free(sc->drugs[i].regimen);
  free(sc->drugs);
  free(sc->embo);
  free(sc->filter);
  hs_design_release(&sc->sweep.design);
  free(sc->path);
  free(sc->text);
  memset(sc, 0, sizeof *sc);
}
