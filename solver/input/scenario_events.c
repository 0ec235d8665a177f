/* scenario_events.c - events and states of the liver's vessels: embolisation (embolic
 * agents, recanalisation, repeated sessions, carriers), percutaneous hepatic perfusion,
 * liver disease, portal vein thrombosis and hepatic artery occlusion; presets from
 * model/data. */
#include "scenario_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const EMBO_TARGETS[] = {"whole_liver", "tumor", NULL};
static const char *const EMBO_TYPES[] = {"degradable", "permanent", NULL};
static const char *const EMBO_CARRIERS[] = {"emulsion", "beads", NULL};

#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0, NULL}

typedef struct embo_in {
  int target, type, carrier;
  double onset, reduction, t_half;
  double t_hold, every, depot_half; /* recanalisation start, session interval, carrier */
  double f_imm;                     /* the carrier's immediate share of a TACE dose */
  double liver_reduction, sigma, t_ex; /* redistribution, stasis */
  int sessions;
} embo_in;

enum { E_TARGET, E_TYPE, E_ONSET, E_REDUCTION, E_THALF, E_AGENT, E_RECAN, E_EVERY, E_SESSIONS,
       E_DEPOT, E_IMM, E_CARRIER, E_LRED, E_SIGMA, E_TEX, E_DESC, E_N };
static const hs__field EMBO_FIELDS[E_N] = {
    ENUM("target", embo_in, target, EMBO_TARGETS),
    ENUM("type", embo_in, type, EMBO_TYPES),
    HS_REG(HS_REG_EMBO_ONSET, offsetof(embo_in, onset)),
    HS_REG(HS_REG_EMBO_REDUCTION, offsetof(embo_in, reduction)),
    HS_REG(HS_REG_EMBO_THALF, offsetof(embo_in, t_half)),
    /* embolic agents, recanalisation, repeated sessions, carriers */
    {"agent", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    HS_REG(HS_REG_EMBO_RECAN, offsetof(embo_in, t_hold)),
    HS_REG(HS_REG_EMBO_EVERY, offsetof(embo_in, every)),
    {"sessions", HS_F_INT, HS_KIND_NUMBER, offsetof(embo_in, sessions), HS_R_ANY, NULL, 0, NULL},
    HS_REG(HS_REG_EMBO_DEPOT, offsetof(embo_in, depot_half)),
    HS_REG(HS_REG_EMBO_IMMEDIATE, offsetof(embo_in, f_imm)),
    ENUM("carrier", embo_in, carrier, EMBO_CARRIERS),
    /* redistribution and stasis */
    HS_REG(HS_REG_EMBO_LIVER_REDUCTION, offsetof(embo_in, liver_reduction)),
    HS_REG(HS_REG_EMBO_STASIS, offsetof(embo_in, sigma)),
    HS_REG(HS_REG_EMBO_STASIS_EXCH, offsetof(embo_in, t_ex)),
    {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

typedef struct filter_in {
  double start, duration, efficiency;
} filter_in;
enum { X_START, X_DURATION, X_EFFICIENCY, X_N };
static const hs__field FILTER_FIELDS[X_N] = {
    HS_REG(HS_REG_FILTER_START, offsetof(filter_in, start)),
    HS_REG(HS_REG_FILTER_DURATION, offsetof(filter_in, duration)),
    HS_REG(HS_REG_FILTER_EFFICIENCY, offsetof(filter_in, efficiency)),
};
#undef ENUM
#undef ENUM

/* ---- presets, liver disease and vascular events ---------------------------------------- */

int hs__read_preset(loader *L, const char *file, hs__ynode name, const char *path,
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
    {"preset", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    HS_REG(HS_REG_LD_CO, offsetof(liver_in, co)),
    HS_REG(HS_REG_LD_PV, offsetof(liver_in, pv)),
    HS_REG(HS_REG_LD_HA, offsetof(liver_in, ha)),
    HS_REG(HS_REG_LD_VL, offsetof(liver_in, vl)),
    HS_REG(HS_REG_LD_SH, offsetof(liver_in, sh)),
    HS_REG(HS_REG_LD_LOSS, offsetof(liver_in, loss)),
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

int hs__load_liver_disease(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "liver_disease");
  if (!s) return HS_OK;
  liver_in in = {HS_REG_DEFAULT(HS_REG_LD_CO), HS_REG_DEFAULT(HS_REG_LD_PV),
                 HS_REG_DEFAULT(HS_REG_LD_HA), HS_REG_DEFAULT(HS_REG_LD_VL),
                 HS_REG_DEFAULT(HS_REG_LD_SH), HS_REG_DEFAULT(HS_REG_LD_LOSS)};
  hs__fieldinfo info[LD_N] = {{0}};
  hs__ynode preset = hs__ydoc_type(L->d, s) == HS_Y_MAP ? hs__ydoc_get(L->d, s, "preset") : 0;
  int rc = preset ? hs__read_preset(L, "liver_disease.yaml", preset, "liver_disease.preset",
                                LIVER_FIELDS, LD_N, &in, info) : 0;
  if (!rc) rc = hs__ydoc_read(L->d, s, "liver_disease", LIVER_FIELDS, LD_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (in.sh >= 1 || in.loss >= 1)
    return hs__ydoc_error(L->d, s, "liver_disease", L->err, "shunt_fraction and "
                          "intrinsic_clearance_loss must be below 100 %%");
  apply_liver_disease(&L->sc->phys, &in);
  /* the factors hold at any BSA: a sweep's new BSA rescales the diseased values */
  hs_body_anchor(&L->sc->body, &L->sc->phys, L->sc->patient.bsa_m2);
  return HS_OK;
}

/* `portal_vein_thrombosis: {obstruction, buffer_response}`. */
typedef struct pvt_in {
  double obstruction, habr;
} pvt_in;
static const hs__field PVT_FIELDS[2] = {
    HS_REG(HS_REG_PVT_OBSTRUCTION, offsetof(pvt_in, obstruction)),
    HS_REG(HS_REG_PVT_HABR, offsetof(pvt_in, habr)),
};

int hs__load_pvt(loader *L) {
  hs__ynode s = hs__ydoc_get(L->d, L->root, "portal_vein_thrombosis");
  if (!s) return HS_OK;
  pvt_in in = {0, HS_REG_DEFAULT(HS_REG_PVT_HABR)};
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
    HS_REG(HS_REG_HAO_ONSET, offsetof(hs_vascular, t_occl)),
};

int hs__load_ha_occlusion(loader *L) {
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

/* ---- embolization --------------------------------------------------------------------- */

/* The event's fields: its agent's preset (model/data/embolics.yaml), then its own keys. */
static int read_embo_fields(loader *L, hs__ynode e, const char *path, embo_in *in,
                            hs__fieldinfo *info) {
  hs__ynode agent = hs__ydoc_get(L->d, e, "agent");
  int rc = agent ? hs__read_preset(L, "embolics.yaml", agent, path, EMBO_FIELDS, E_N, in, info) : 0;
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
                            hs__field_key(&EMBO_FIELDS[required[i]]));
  if (in->reduction >= 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "flow_reduction"), path, L->err,
                          "flow_reduction must be below 100 %% (an occluded artery carries "
                          "no flow at all; use e.g. 99 %%)");
  if (info[E_LRED].set && in->liver_reduction >= 1)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "liver_flow_reduction"), path, L->err,
                          "liver_flow_reduction must be below 100 %% (use e.g. 99 %%)");
  if (info[E_LRED].set && in->target != HS_EMBO_WHOLE_LIVER)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "liver_flow_reduction"), path, L->err,
                          "liver_flow_reduction needs 'target: whole_liver' (a tumour-selective "
                          "event leaves the normal liver's flow alone)");
  if (in->type == 0 && !info[E_THALF].set)
    return hs__ydoc_error(L->d, e, path, L->err,
                          "a degradable embolisation needs 'recovery_half_life'");
  if (in->onset >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "onset"), path, L->err,
                          "onset %g h is at or after the simulation end %g h", in->onset,
                          L->sc->sim.t_end);
  if (info[E_DEPOT].set && (rc = set_depot_release(L, e, path, in->depot_half))) return rc;
  if (info[E_CARRIER].set && in->carrier == 1) L->beads = 1;
  if (hs__ydoc_get(L->d, e, "depot_release_half_life")) L->depot_written = 1;
  out->target = (hs_embo_target)in->target;
  out->t_e = in->onset;
  out->m_min = 1 - in->reduction;
  out->t_half = info[E_THALF].set ? in->t_half : INFINITY;
  out->t_hold = in->t_hold;
  /* a carrier: its immediate share (0 when it has a depot release only); NAN: none */
  out->f_imm = info[E_IMM].set ? in->f_imm : info[E_DEPOT].set ? 0.0 : NAN;
  out->m_min_l = info[E_LRED].set ? 1 - in->liver_reduction : 0.0;
  out->sigma = info[E_SIGMA].set ? in->sigma : 0.0;
  out->t_ex = info[E_TEX].set ? in->t_ex : 0.0;
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

int hs__load_embolization(loader *L) {
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
    embo_in in = {.t_hold = HS_REG_DEFAULT(HS_REG_EMBO_RECAN), .sessions = 1};
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
      return hs__ydoc_error(L->d, e, path, L->err, "'%s' is required", hs__field_key(&FILTER_FIELDS[i]));
  if (in.start >= L->sc->sim.t_end)
    return hs__ydoc_error(L->d, hs__ydoc_get(L->d, e, "start"), path, L->err,
                          "start %g h is at or after the simulation end %g h", in.start,
                          L->sc->sim.t_end);
  *out = (hs_filter){in.start, in.start + in.duration, in.efficiency};
  return HS_OK;
}

/* `hepatic_filtration:` a list of filter windows (percutaneous hepatic perfusion). */
int hs__load_filtration(loader *L) {
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
