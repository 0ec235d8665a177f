/* hs_units.h - physical quantities written with their unit ("1.5 L/min", "100 mg/m2").
 *
 * hepatosim uses a small, tested unit table rather than UDUNITS-2: the scenario files need
 * about twenty units, plus two dosing conventions UDUNITS cannot express (per m2 of body
 * surface area, per kg of body weight) that must be resolved against the patient.
 *
 * Internal units (model.md): time h, volume L, flow L/h, amount mg, concentration mg/L.
 * Length is held in dm internally so that 1 L = 1 dm3; AREA and LENGTH are returned in
 * m2 and cm, BODY_MASS in kg. All functions are pure and thread-safe. */
#ifndef HS_UNITS_H
#define HS_UNITS_H

#include "hs_error.h"

/* What a field expects. */
typedef enum hs_kind {
  HS_KIND_NUMBER,    /* dimensionless, bare number only (partition coefficient, count) */
  HS_KIND_FRACTION,  /* dimensionless, bare number or '%' */
  HS_KIND_TIME,      /* h */
  HS_KIND_VOLUME,    /* L */
  HS_KIND_FLOW,      /* L/h */
  HS_KIND_PER_TIME,  /* 1/h: perfusion (mL/min/mL), rate constants */
  HS_KIND_MASS,      /* mg, absolute only */
  HS_KIND_MASS_RATE, /* mg/h, absolute only (Vmax) */
  HS_KIND_CONC,      /* mg/L */
  HS_KIND_DOSE,      /* mg, or per m2 of BSA (mg/m2), or per kg of body weight (mg/kg) */
  HS_KIND_DOSE_RATE, /* mg/h, mg/m2/h, mg/kg/d ... */
  HS_KIND_LENGTH,    /* returned in cm (height) */
  HS_KIND_BODY_MASS, /* returned in kg (weight) */
  HS_KIND_AREA,      /* returned in m2 (BSA) */
  HS_KIND_AUC        /* mg*h/L: area under a concentration curve ("20 mg*h/L", "ug*h/mL") */
} hs_kind;

/* How a dose is normalised; the value is then per m2 or per kg. */
typedef enum hs_norm { HS_NORM_NONE = 0, HS_NORM_BSA, HS_NORM_WEIGHT } hs_norm;

/* A parsed quantity: value in internal units, exponents of mass, length, time. */
typedef struct hs_quantity {
  double value;
  int dim[3];     /* mass (mg), length (dm), time (h) */
  int mass_denom; /* 1 when a mass unit appears in the denominator (mg/kg) */
} hs_quantity;

/* Parse "<number> [unit]" into q. Returns HS_OK or HS_EINPUT with a message naming the
 * offending text ("unknown unit 'mgg'"). */
int hs_units_parse(const char *text, hs_quantity *q, hs_error *err);

/* Parse text and check it against kind; *value receives the internal-unit value
 * (per m2 or per kg where *norm says so; norm may be NULL for kinds without one).
 * Errors: HS_EINPUT "expected a flow (e.g. '1.5 L/min'), got '12 mg'". */
int hs_units_convert(const char *text, hs_kind kind, double *value, hs_norm *norm,
                     hs_error *err);

/* As hs_units_convert, and flows, volumes and amounts per time may also be written per m2
 * of body surface area or per kg of body weight ("20 L/h/m2", "0.26 L/kg", "9 mg/h/m2",
 * "1.2 L/h/kg"): *norm (not NULL) says which, and *value is then per m2 or per kg.
 * hs_units_convert keeps refusing those forms for these kinds. */
int hs_units_convert_scaled(const char *text, hs_kind kind, double *value, hs_norm *norm,
                            hs_error *err);

/* Short description and example of a kind, for messages ("a flow (e.g. '1.5 L/min')"). */
const char *hs_units_kind_name(hs_kind kind);

#endif
