/* scenario_doses.c - a drug's regimen: routes, doses or rates (per m2, per kg), start,
 * cycles, and infusion profiles (chronomodulated, step-wise pump programs). */
#include "scenario_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define ENUM(key, st, mem, opts) {key, HS_F_ENUM, HS_KIND_NUMBER, offsetof(st, mem), HS_R_ANY, opts, 0, NULL}

typedef struct dose_in {
  int route;
  double start, duration, every;
  int cycles;
} dose_in;

enum { D_ROUTE, D_DOSE, D_RATE, D_START, D_DURATION, D_EVERY, D_CYCLES, D_PROFILE, D_N };
static const hs__field DOSE_FIELDS[D_N] = {
    ENUM("route", dose_in, route, hs_route_names),
    HS_REG_SKIP(HS_REG_DOSE_DOSE),
    HS_REG_SKIP(HS_REG_DOSE_RATE),
    HS_REG(HS_REG_DOSE_START, offsetof(dose_in, start)),
    HS_REG(HS_REG_DOSE_DURATION, offsetof(dose_in, duration)),
    HS_REG(HS_REG_DOSE_EVERY, offsetof(dose_in, every)),
    {"cycles", HS_F_INT, HS_KIND_NUMBER, offsetof(dose_in, cycles), HS_R_ANY, NULL, 0, NULL},
    {"profile", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

static const char *const SHAPES[] = {"constant", "chronomodulated", "steps", NULL};
typedef struct profile_in {
  int shape;
  double peak, amplitude;
} profile_in;
enum { F_SHAPE, F_PEAK, F_AMPLITUDE, F_WEIGHTS, F_N };
static const hs__field PROFILE_FIELDS[F_N] = {
    {"shape", HS_F_ENUM, HS_KIND_NUMBER, offsetof(profile_in, shape), HS_R_ANY, SHAPES, 0, NULL},
    HS_REG(HS_REG_PROFILE_PEAK, offsetof(profile_in, peak)),
    HS_REG(HS_REG_PROFILE_AMPLITUDE, offsetof(profile_in, amplitude)),
    {"weights", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};
#undef ENUM

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

/* An infusion's `profile:` (chronomodulated and step-wise pump profiles). */
static int load_profile(loader *L, hs__ynode e, const char *path, hs_dose_spec *s) {
  hs__ynode node = hs__ydoc_get(L->d, e, "profile");
  if (!node) return HS_OK;
  char sub[200];
  snprintf(sub, sizeof sub, "%s.profile", path);
  profile_in in = {.amplitude = HS_REG_DEFAULT(HS_REG_PROFILE_AMPLITUDE)};
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
  dose_in in = {.start = HS_REG_DEFAULT(HS_REG_DOSE_START),
                .duration = HS_REG_DEFAULT(HS_REG_DOSE_DURATION), .cycles = 1};
  hs__fieldinfo info[D_N] = {{0}};
  int rc = hs__ydoc_read(L->d, e, path, DOSE_FIELDS, D_N, &in, info, 0, L->err);
  if (rc) return rc;
  if (!info[D_ROUTE].set) {
    char routes[64];
    hs__join_or(hs_route_names, -1, routes, sizeof routes);
    return hs__ydoc_error(L->d, e, path, L->err, "'route' is required (%s)", routes);
  }
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

int hs__load_regimen(loader *L, hs__ynode reg, hs__ynode drug, const char *path,
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
