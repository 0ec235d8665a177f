/* hs_regimen.h - dosing regimens and the patient's size.
 *
 * A regimen is a list of dose specifications as written in a scenario ("100 mg/m2 HA
 * over 2 h, every 21 d for 4 cycles"); hs_regimen_expand resolves per-m2 and per-kg
 * doses against the patient and unrolls cycles into dose events in mg. Pure and
 * thread-safe. */
#ifndef HS_REGIMEN_H
#define HS_REGIMEN_H

#include "hs_error.h"
#include "hs_units.h"

typedef enum hs_route { HS_ROUTE_IV = 0, HS_ROUTE_HA, HS_ROUTE_PV, HS_ROUTE_TACE } hs_route;

/* Name of a route as written in scenario files: "iv", "hai", "pv", "tace" ("unknown" out
 * of range); and back (-1 when unknown; case-sensitive). */
const char *hs_route_name(hs_route r);
int hs_route_parse(const char *name);

/* Every route name, in hs_route order, NULL-terminated (the one list; the scenario parser
 * reads it). */
extern const char *const hs_route_names[];

/* How an infusion's rate varies (default constant). */
typedef enum hs_profile_shape {
  HS_PROFILE_CONSTANT = 0,
  HS_PROFILE_CHRONO, /* rate proportional to 1 + a cos(2 pi (t - peak) / 24 h) */
  HS_PROFILE_STEPS   /* a pump program: equal sub-intervals with relative rates */
} hs_profile_shape;

#define HS_PROFILE_MAX_STEPS 48
typedef struct hs_profile {
  hs_profile_shape shape;
  double amplitude; /* chrono: a in [0, 1] (1: the rate falls to 0 twelve hours from the peak) */
  double peak;      /* chrono: simulation time (h) of one peak; peaks recur every 24 h */
  int n_steps;      /* steps: number of sub-intervals */
  double weights[HS_PROFILE_MAX_STEPS]; /* steps: relative rates, >= 0, not all 0 */
} hs_profile;

/* One regimen entry as written in the scenario. Exactly one of dose / rate is given. */
typedef struct hs_dose_spec {
  hs_route route;
  int by_rate;       /* 1: `rate` given (infusion), amount = rate * duration */
  double amount;     /* per administration: mg, or mg per m2 / per kg (see norm) */
  double rate;       /* mg/h, or per m2 / per kg (see norm) */
  hs_norm norm;      /* normalisation of amount or rate */
  double start;      /* first administration, h */
  double duration;   /* infusion length, h; 0 for a bolus */
  double every;      /* cycle length, h; 0 when not repeated */
  int cycles;        /* number of administrations, >= 1 */
  hs_profile profile; /* infusions only */
} hs_dose_spec;

/* One dose event in absolute terms. A bolus has t_end == t_start. */
typedef struct hs_dose {
  hs_route route;
  double t_start, t_end; /* h */
  double amount_mg;      /* total amount of this administration */
  double amplitude, peak; /* chronomodulated: rate ~ 1 + amplitude cos(2 pi (t - peak) / 24 h);
                             amplitude 0: constant rate */
} hs_dose;

/* The patient's size. */
typedef enum hs_bsa_formula { HS_BSA_MOSTELLER = 0, HS_BSA_DUBOIS, HS_BSA_HAYCOCK } hs_bsa_formula;
typedef struct hs_patient {
  double weight_kg;
  double height_cm;
  double bsa_m2; /* computed by the formula unless given explicitly */
  hs_bsa_formula bsa_formula;
  int bsa_given; /* 1: bsa_m2 was written in the scenario, not computed */
} hs_patient;

/* Body surface area in m2 from weight (kg) and height (cm). */
double hs_patient_bsa(hs_bsa_formula f, double weight_kg, double height_cm);

/* Number of dose events the specs unroll to. */
int hs_regimen_count(const hs_dose_spec *spec, int n_spec);

/* Unroll specs into out[0..cap), sorted by start time. Returns the count (>= 0) or a
 * negative code (HS_EINPUT: cap too small or a normalised dose without weight/BSA). */
int hs_regimen_expand(const hs_dose_spec *spec, int n_spec, const hs_patient *pt, hs_dose *out,
                      int cap, hs_error *err);

/* Check specs that may have been changed after loading (sweeps): amounts and rates > 0,
 * durations >= 0, cycle length >= duration, every start before t_end. HS_EINPUT naming
 * regimen[i] otherwise. */
int hs_regimen_check(const hs_dose_spec *spec, int n_spec, double t_end, hs_error *err);

/* The rate of a chronomodulated (or constant) infusion d: rate(t) = r0 (1 + a cos(w (t - p)))
 * with r0 chosen so that the infusion delivers exactly d->amount_mg; returns r0 (mg/h). */
double hs_dose_base_rate(const hs_dose *d);

/* Hepatic artery occlusion from t_occl (model.md extension "Liver disease and vascular
 * events"): hepatic-arterial doses that start at or after t_occl are removed, infusions
 * running at t_occl are cut off there (keeping their rate). Compacts d in place, returns
 * the new count and the amount not delivered (mg). */
int hs_regimen_withhold_ha(hs_dose *d, int n, double t_occl, double *undelivered_mg);

/* Total amount of the expanded doses, mg. */
double hs_regimen_total_mg(const hs_dose *doses, int n);

#endif
