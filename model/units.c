/* units.c - the unit table and the parser for "<number> <unit>" quantities (hs_units.h). */
#include "hs_units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conversion factors to internal base units mg, dm (1 L = 1 dm3) and h. These are
 * definitions of the SI and of clock time, not pharmacological data. */
typedef struct unit_def {
  const char *name;
  double factor;
  int dim[3]; /* mass, length, time */
} unit_def;

static const unit_def UNITS[] = {
    {"mg", 1.0, {1, 0, 0}},      {"g", 1e3, {1, 0, 0}},        {"kg", 1e6, {1, 0, 0}},
    {"ug", 1e-3, {1, 0, 0}},     {"\xc2\xb5g", 1e-3, {1, 0, 0}}, {"mcg", 1e-3, {1, 0, 0}},
    {"ng", 1e-6, {1, 0, 0}},     {"L", 1.0, {0, 3, 0}},        {"l", 1.0, {0, 3, 0}},
    {"mL", 1e-3, {0, 3, 0}},     {"ml", 1e-3, {0, 3, 0}},      {"dL", 0.1, {0, 3, 0}},
    {"uL", 1e-6, {0, 3, 0}},     {"\xc2\xb5L", 1e-6, {0, 3, 0}}, {"m", 10.0, {0, 1, 0}},
    {"cm", 0.1, {0, 1, 0}},      {"mm", 0.01, {0, 1, 0}},      {"s", 1.0 / 3600, {0, 0, 1}},
    {"min", 1.0 / 60, {0, 0, 1}}, {"h", 1.0, {0, 0, 1}},       {"hr", 1.0, {0, 0, 1}},
    {"hour", 1.0, {0, 0, 1}},    {"hours", 1.0, {0, 0, 1}},    {"d", 24.0, {0, 0, 1}},
    {"day", 24.0, {0, 0, 1}},    {"days", 24.0, {0, 0, 1}},    {"wk", 168.0, {0, 0, 1}},
    {"week", 168.0, {0, 0, 1}},  {"weeks", 168.0, {0, 0, 1}},  {"%", 0.01, {0, 0, 0}},
    {"1", 1.0, {0, 0, 0}},
};

/* Spellings that are not units here, with what to write instead (a hint, not an alias:
 * "mins" or "months" read as units would hide a typo or an ambiguous calendar). */
#define NO_MONTH "no calendar units: write days, e.g. '30 d'"
static const char *const HINTS[][2] = {
    {"hrs", "did you mean 'h'?"},    {"mins", "did you mean 'min'?"},
    {"minute", "did you mean 'min'?"}, {"minutes", "did you mean 'min'?"},
    {"sec", "did you mean 's'?"},    {"secs", "did you mean 's'?"},
    {"second", "did you mean 's'?"}, {"seconds", "did you mean 's'?"},
    {"wks", "did you mean 'wk'?"},   {"month", NO_MONTH}, {"months", NO_MONTH},
    {"mo", NO_MONTH},                {"yr", NO_MONTH},    {"year", NO_MONTH},
    {"years", NO_MONTH},
};
#undef NO_MONTH

/* " (did you mean 'h'?)" for a known misspelling of a unit, else "". */
static const char *unit_hint(const char *name, size_t len, char *buf, size_t cap) {
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof HINTS / sizeof HINTS[0]; i++)
    if (strlen(HINTS[i][0]) == len && strncmp(HINTS[i][0], name, len) == 0)
      snprintf(buf, cap, " (%s)", HINTS[i][1]);
  return buf;
}

static const unit_def *unit_find(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
    if (strlen(UNITS[i].name) == len && strncmp(UNITS[i].name, name, len) == 0) return &UNITS[i];
  return NULL;
}

/* One factor: a unit name with an optional exponent ("m2", "m^2", "h-1", "m\xc2\xb2"). */
static int parse_factor(const char **pp, int sign, hs_quantity *q, const char *text,
                        hs_error *err) {
  const char *p = *pp, *start = p;
  while (*p && (isalpha((unsigned char)*p) || *p == '%' ||
                ((unsigned char)*p == 0xc2 && (unsigned char)p[1] == 0xb5) || /* micro sign */
                (*p == '1' && p == start)))
    p += ((unsigned char)*p == 0xc2 && (unsigned char)p[1] == 0xb5) ? 2 : 1;
  size_t len = (size_t)(p - start);
  if (len == 0)
    return hs_error_set(err, HS_EINPUT, "malformed unit in '%s'", text);
  const unit_def *u = unit_find(start, len);
  char hint[64];
  if (!u)
    return hs_error_set(err, HS_EINPUT, "unknown unit '%.*s' in '%s'%s", (int)len, start, text,
                        unit_hint(start, len, hint, sizeof hint));
  int expo = 1;
  if (*p == '^') p++;
  if ((unsigned char)p[0] == 0xc2 && ((unsigned char)p[1] == 0xb2 || (unsigned char)p[1] == 0xb3)) {
    expo = (unsigned char)p[1] == 0xb2 ? 2 : 3;
    p += 2;
  } else if (*p == '-' || isdigit((unsigned char)*p)) {
    char *end;
    long e = strtol(p, &end, 10);
    if (end == p || e == 0 || e < -4 || e > 4)
      return hs_error_set(err, HS_EINPUT, "bad exponent in '%s'", text);
    expo = (int)e;
    p = end;
  }
  expo *= sign;
  q->value *= pow(u->factor, expo);
  for (int k = 0; k < 3; k++) q->dim[k] += u->dim[k] * expo;
  if (u->dim[0] != 0 && expo < 0) q->mass_denom = 1;
  *pp = p;
  return HS_OK;
}

int hs_units_parse(const char *text, hs_quantity *q, hs_error *err) {
  memset(q, 0, sizeof *q);
  char *end;
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '\0') return hs_error_set(err, HS_EINPUT, "empty value");
  q->value = strtod(p, &end);
  if (end == p) return hs_error_set(err, HS_EINPUT, "'%s' is not a number with a unit", text);
  if (!isfinite(q->value)) return hs_error_set(err, HS_EINPUT, "'%s' is not finite", text);
  p = end;
  while (isspace((unsigned char)*p)) p++;
  int sign = 1;
  if (*p == '/') { /* a reciprocal unit: "24 /h" */
    sign = -1;
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0') return hs_error_set(err, HS_EINPUT, "malformed unit in '%s'", text);
  }
  while (*p) {
    int rc = parse_factor(&p, sign, q, text, err);
    if (rc) return rc;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0') break;
    if (*p == '/') sign = -1;
    else if (*p != '*' && *p != '.') /* a product keeps the current side */
      return hs_error_set(err, HS_EINPUT, "unexpected '%c' in unit of '%s'", *p, text);
    /* every factor after a '/' divides ("mL/min/mL"); '*' after '/' stays in the denominator */
    p++;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0') return hs_error_set(err, HS_EINPUT, "malformed unit in '%s'", text);
  }
  return HS_OK;
}

typedef struct kind_def {
  const char *name;
  int dim[3];
  int normalisable; /* accepts per-m2 and per-kg forms (1: always, 2: scaled only) */
  int bare_ok;      /* a bare number is accepted */
  double out_scale; /* internal value is multiplied by this on return */
} kind_def;

static const kind_def KINDS[] = {
    [HS_KIND_NUMBER] = {"a plain number (e.g. '1.2')", {0, 0, 0}, 0, 1, 1.0},
    [HS_KIND_FRACTION] = {"a fraction (e.g. '0.25' or '25 %')", {0, 0, 0}, 0, 1, 1.0},
    [HS_KIND_TIME] = {"a time (e.g. '35 min', '14 d')", {0, 0, 1}, 0, 0, 1.0},
    [HS_KIND_VOLUME] = {"a volume (e.g. '100 mL', '1.8 L')", {0, 3, 0}, 2, 0, 1.0},
    [HS_KIND_FLOW] = {"a flow (e.g. '1.5 L/min', '90 L/h')", {0, 3, -1}, 2, 0, 1.0},
    [HS_KIND_PER_TIME] = {"a flow per volume or rate constant (e.g. '0.4 mL/min/mL', '24 /h')",
                          {0, 0, -1}, 0, 0, 1.0},
    [HS_KIND_MASS] = {"an amount (e.g. '1000 mg')", {1, 0, 0}, 0, 0, 1.0},
    [HS_KIND_MASS_RATE] = {"an amount per time (e.g. '3000 mg/h')", {1, 0, -1}, 2, 0, 1.0},
    [HS_KIND_CONC] = {"a concentration (e.g. '5 mg/L')", {1, -3, 0}, 0, 0, 1.0},
    [HS_KIND_DOSE] = {"a dose (e.g. '1000 mg', '100 mg/m2', '2 mg/kg')", {1, 0, 0}, 1, 0, 1.0},
    [HS_KIND_DOSE_RATE] = {"a dose rate (e.g. '0.35 mg/h', '0.12 mg/kg/d', '1200 mg/m2/d')",
                           {1, 0, -1}, 1, 0, 1.0},
    [HS_KIND_LENGTH] = {"a length (e.g. '175 cm')", {0, 1, 0}, 0, 0, 10.0},
    [HS_KIND_BODY_MASS] = {"a body weight (e.g. '70 kg')", {1, 0, 0}, 0, 0, 1e-6},
    [HS_KIND_AREA] = {"an area (e.g. '1.8 m2')", {0, 2, 0}, 0, 0, 0.01},
    [HS_KIND_AUC] = {"an exposure (e.g. '20 mg*h/L', '20 ug*h/mL')", {1, -3, 1}, 0, 0, 1.0},
};

const char *hs_units_kind_name(hs_kind kind) { return KINDS[kind].name; }

static int dim_eq(const int a[3], const int b[3], int dmass, int dlen) {
  return a[0] == b[0] + dmass && a[1] == b[1] + dlen && a[2] == b[2];
}

static int convert(const char *text, hs_kind kind, double *value, hs_norm *norm, int scaled,
                   hs_error *err) {
  const kind_def *k = &KINDS[kind];
  int normalisable = k->normalisable == 1 || (k->normalisable == 2 && scaled);
  hs_quantity q;
  int rc = hs_units_parse(text, &q, err);
  if (rc) return rc;
  if (norm) *norm = HS_NORM_NONE;
  int bare = 1, letters = 0;
  for (const char *p = text; *p; p++)
    if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E') bare = 0, letters = 1;
  if (strchr(text, '%')) bare = 0;
  if (bare && !k->bare_ok)
    return hs_error_set(err, HS_EINPUT, "missing unit: expected %s, got '%s'", k->name, text);
  if ((kind == HS_KIND_NUMBER && !bare) || (kind == HS_KIND_FRACTION && letters))
    return hs_error_set(err, HS_EINPUT, "expected %s without a unit, got '%s'", k->name, text);
  if (dim_eq(q.dim, k->dim, 0, 0) && !(normalisable && q.mass_denom)) {
    *value = q.value * k->out_scale;
    return HS_OK;
  }
  if (normalisable && norm) {
    if (dim_eq(q.dim, k->dim, 0, -2)) { /* per area: internal dm2, report per m2 */
      *value = q.value * 100.0;
      *norm = HS_NORM_BSA;
      return HS_OK;
    }
    if (dim_eq(q.dim, k->dim, -1, 0) && q.mass_denom) { /* per body mass: mg/mg -> mg/kg */
      *value = q.value * 1e6;
      *norm = HS_NORM_WEIGHT;
      return HS_OK;
    }
  }
  return hs_error_set(err, HS_EINPUT, "expected %s, got '%s'", k->name, text);
}

int hs_units_convert(const char *text, hs_kind kind, double *value, hs_norm *norm,
                     hs_error *err) {
  return convert(text, kind, value, norm, 0, err);
}

int hs_units_convert_scaled(const char *text, hs_kind kind, double *value, hs_norm *norm,
                            hs_error *err) {
  return convert(text, kind, value, norm, 1, err);
}
