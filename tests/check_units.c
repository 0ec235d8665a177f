/* check_units.c - table-driven tests of the unit parser and converter (hs_units.h):
 * every unit form the scenario files use, and every rejection with its message. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_test.h"
#include "hs_units.h"

/* ---- accepted forms --------------------------------------------------------------- */

typedef struct ok_case {
  const char *text;
  hs_kind kind;
  double want; /* internal units (LENGTH cm, BODY_MASS kg, AREA m2) */
  hs_norm norm;
} ok_case;

static const ok_case OK_CASES[] = {
    /* flows, L/h */
    {"1.5 L/min", HS_KIND_FLOW, 90.0, HS_NORM_NONE},
    {"2.385 L/min", HS_KIND_FLOW, 143.1, HS_NORM_NONE},
    {"90 L/h", HS_KIND_FLOW, 90.0, HS_NORM_NONE},
    {"87.6 l/hr", HS_KIND_FLOW, 87.6, HS_NORM_NONE},
    {"1385 mL/min", HS_KIND_FLOW, 83.1, HS_NORM_NONE},
    {"  336 L/h  ", HS_KIND_FLOW, 336.0, HS_NORM_NONE},
    {"1.5E2 L/h", HS_KIND_FLOW, 150.0, HS_NORM_NONE},
    /* volumes, L */
    {"100 mL", HS_KIND_VOLUME, 0.1, HS_NORM_NONE},
    {"2.385 mL", HS_KIND_VOLUME, 0.002385, HS_NORM_NONE},
    {"1.8 L", HS_KIND_VOLUME, 1.8, HS_NORM_NONE},
    {"4.7 dL", HS_KIND_VOLUME, 0.47, HS_NORM_NONE},
    {"2.385e-1 L", HS_KIND_VOLUME, 0.2385, HS_NORM_NONE},
    /* perfusion and rate constants, 1/h */
    {"0.4 mL/min/mL", HS_KIND_PER_TIME, 24.0, HS_NORM_NONE},
    {"2.385 mL/min/mL", HS_KIND_PER_TIME, 143.1, HS_NORM_NONE},
    {"24 /h", HS_KIND_PER_TIME, 24.0, HS_NORM_NONE},
    {"0.3/h", HS_KIND_PER_TIME, 0.3, HS_NORM_NONE},
    {"24 1/h", HS_KIND_PER_TIME, 24.0, HS_NORM_NONE},
    {"24 h-1", HS_KIND_PER_TIME, 24.0, HS_NORM_NONE},
    {"2.385 h^-1", HS_KIND_PER_TIME, 2.385, HS_NORM_NONE},
    {"0.0715 /min", HS_KIND_PER_TIME, 4.29, HS_NORM_NONE},
    /* times, h */
    {"35 min", HS_KIND_TIME, 35.0 / 60.0, HS_NORM_NONE},
    {"14 d", HS_KIND_TIME, 336.0, HS_NORM_NONE},
    {"2 wk", HS_KIND_TIME, 336.0, HS_NORM_NONE},
    {"30 s", HS_KIND_TIME, 30.0 / 3600.0, HS_NORM_NONE},
    {"2.385 h", HS_KIND_TIME, 2.385, HS_NORM_NONE},
    {"1.5 day", HS_KIND_TIME, 36.0, HS_NORM_NONE},
    {"3 week", HS_KIND_TIME, 504.0, HS_NORM_NONE},
    {"6 weeks", HS_KIND_TIME, 1008.0, HS_NORM_NONE},
    {"2.385 days", HS_KIND_TIME, 57.24, HS_NORM_NONE},
    {"1 hour", HS_KIND_TIME, 1.0, HS_NORM_NONE},
    {"2.385 hours", HS_KIND_TIME, 2.385, HS_NORM_NONE},
    {"0.12 mg/kg/days", HS_KIND_DOSE_RATE, 0.005, HS_NORM_WEIGHT},
    /* amounts and doses, mg */
    {"1000 mg", HS_KIND_MASS, 1000.0, HS_NORM_NONE},
    {"1 g", HS_KIND_MASS, 1000.0, HS_NORM_NONE},
    {"500 ug", HS_KIND_MASS, 0.5, HS_NORM_NONE},
    {"500 \xc2\xb5g", HS_KIND_MASS, 0.5, HS_NORM_NONE},
    {"2385 mcg", HS_KIND_MASS, 2.385, HS_NORM_NONE},
    {"1e3 mg", HS_KIND_MASS, 1000.0, HS_NORM_NONE},
    {"2.385 g", HS_KIND_DOSE, 2385.0, HS_NORM_NONE},
    {"1000 mg", HS_KIND_DOSE, 1000.0, HS_NORM_NONE},
    {"100 mg/m2", HS_KIND_DOSE, 100.0, HS_NORM_BSA},
    {"100 mg/m^2", HS_KIND_DOSE, 100.0, HS_NORM_BSA},
    {"238.5 mg/m\xc2\xb2", HS_KIND_DOSE, 238.5, HS_NORM_BSA},
    {"2 mg/kg", HS_KIND_DOSE, 2.0, HS_NORM_WEIGHT},
    {"7.5 mg/kg", HS_KIND_DOSE, 7.5, HS_NORM_WEIGHT},
    /* dose rates, mg/h (per m2 or per kg where normalised) */
    {"0.12 mg/kg/d", HS_KIND_DOSE_RATE, 0.005, HS_NORM_WEIGHT},
    {"2.385 mg/kg/day", HS_KIND_DOSE_RATE, 2.385 / 24, HS_NORM_WEIGHT},
    {"1200 mg/m2/d", HS_KIND_DOSE_RATE, 50.0, HS_NORM_BSA},
    {"2.385 mg/m2/h", HS_KIND_DOSE_RATE, 2.385, HS_NORM_BSA},
    {"0.35 mg/h", HS_KIND_DOSE_RATE, 0.35, HS_NORM_NONE},
    {"2400 mg/d", HS_KIND_DOSE_RATE, 100.0, HS_NORM_NONE},
    /* absolute mass rates (Vmax), mg/h */
    {"3000 mg/h", HS_KIND_MASS_RATE, 3000.0, HS_NORM_NONE},
    {"2.385 g/h", HS_KIND_MASS_RATE, 2385.0, HS_NORM_NONE},
    {"9.4 mg/min", HS_KIND_MASS_RATE, 564.0, HS_NORM_NONE},
    /* concentrations, mg/L */
    {"5 mg/L", HS_KIND_CONC, 5.0, HS_NORM_NONE},
    {"5 ug/mL", HS_KIND_CONC, 5.0, HS_NORM_NONE},
    {"5.57 mg/L", HS_KIND_CONC, 5.57, HS_NORM_NONE},
    {"2.385 ng/mL", HS_KIND_CONC, 2.385e-3, HS_NORM_NONE},
    /* fractions and plain numbers */
    {"25 %", HS_KIND_FRACTION, 0.25, HS_NORM_NONE},
    {"23.85%", HS_KIND_FRACTION, 0.2385, HS_NORM_NONE},
    {"0.25", HS_KIND_FRACTION, 0.25, HS_NORM_NONE},
    {"1.2", HS_KIND_NUMBER, 1.2, HS_NORM_NONE},
    {"2.385e0", HS_KIND_NUMBER, 2.385, HS_NORM_NONE},
    /* patient: height cm, weight kg, BSA m2 */
    {"175 cm", HS_KIND_LENGTH, 175.0, HS_NORM_NONE},
    {"1.75 m", HS_KIND_LENGTH, 175.0, HS_NORM_NONE},
    {"1753 mm", HS_KIND_LENGTH, 175.3, HS_NORM_NONE},
    {"70 kg", HS_KIND_BODY_MASS, 70.0, HS_NORM_NONE},
    {"72385 g", HS_KIND_BODY_MASS, 72.385, HS_NORM_NONE},
    {"1.8 m2", HS_KIND_AREA, 1.8, HS_NORM_NONE},
    {"2.385 m^2", HS_KIND_AREA, 2.385, HS_NORM_NONE},
    /* exposure (AUC), mg*h/L */
    {"20 mg*h/L", HS_KIND_AUC, 20.0, HS_NORM_NONE},
    {"23.85 ug*h/mL", HS_KIND_AUC, 23.85, HS_NORM_NONE},
    {"2.385 mg.h/L", HS_KIND_AUC, 2.385, HS_NORM_NONE},
    {"1431 mg*min/L", HS_KIND_AUC, 23.85, HS_NORM_NONE},
};

/* hs_units_convert_scaled: flows, volumes and amounts per time per m2 / per kg too. */
static const ok_case SCALED_CASES[] = {
    {"32.1 L/h/m2", HS_KIND_FLOW, 32.1, HS_NORM_BSA},
    {"2.385 mL/min/m2", HS_KIND_FLOW, 0.1431, HS_NORM_BSA},
    {"1.2 L/h/kg", HS_KIND_FLOW, 1.2, HS_NORM_WEIGHT},
    {"0.26 L/kg", HS_KIND_VOLUME, 0.26, HS_NORM_WEIGHT},
    {"2.385 L/m2", HS_KIND_VOLUME, 2.385, HS_NORM_BSA},
    {"9.4 mg/h/m2", HS_KIND_MASS_RATE, 9.4, HS_NORM_BSA},
    {"2.385 mg/min/kg", HS_KIND_MASS_RATE, 143.1, HS_NORM_WEIGHT},
    {"90 L/h", HS_KIND_FLOW, 90.0, HS_NORM_NONE},
    {"3000 mg/h", HS_KIND_MASS_RATE, 3000.0, HS_NORM_NONE},
    {"1.8 L", HS_KIND_VOLUME, 1.8, HS_NORM_NONE},
};

static void check_ok(const ok_case *c, int scaled) {
  hs_error err = {0};
  double v = -1;
  hs_norm norm = (hs_norm)-1;
  int rc = scaled ? hs_units_convert_scaled(c->text, c->kind, &v, &norm, &err)
                  : hs_units_convert(c->text, c->kind, &v, &norm, &err);
  ck_assert_msg(rc == HS_OK, "'%s': rc %d, %s", c->text, rc, err.msg);
  HS_ASSERT_REL(v, c->want, 1e-13);
  ck_assert_msg(norm == c->norm, "'%s': norm %d, want %d", c->text, (int)norm, (int)c->norm);
}

START_TEST(test_convert_ok) { check_ok(&OK_CASES[_i], 0); }
END_TEST

START_TEST(test_convert_scaled) {
  const ok_case *c = &SCALED_CASES[_i];
  check_ok(c, 1);
  /* hs_units_convert still refuses the per-m2 / per-kg forms of these kinds */
  if (c->norm == HS_NORM_NONE) return;
  hs_error err = {0};
  hs_norm norm;
  double v;
  char want[160];
  snprintf(want, sizeof want, "expected %s, got '%s'", hs_units_kind_name(c->kind), c->text);
  ck_assert_int_eq(hs_units_convert(c->text, c->kind, &v, &norm, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, want);
  ck_assert_int_eq(hs_units_convert(c->text, c->kind, &v, NULL, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, want);
}
END_TEST

/* Kinds without a normalisation accept norm == NULL. */
START_TEST(test_convert_null_norm) {
  double v = 0;
  ck_assert_int_eq(hs_units_convert("1.5 L/min", HS_KIND_FLOW, &v, NULL, NULL), HS_OK);
  HS_ASSERT_REL(v, 90.0, 1e-14);
  ck_assert_int_eq(hs_units_convert("2385 mg", HS_KIND_DOSE, &v, NULL, NULL), HS_OK);
  HS_ASSERT_REL(v, 2385.0, 1e-14);
  /* a normalised dose cannot be reported without norm: rejected, not misread */
  ck_assert_int_eq(hs_units_convert("100 mg/m2", HS_KIND_DOSE, &v, NULL, NULL), HS_EINPUT);
}
END_TEST

/* ---- the raw parser: value and dimension exponents -------------------------------- */

typedef struct parse_case {
  const char *text;
  double value; /* mg, dm, h */
  int dim[3];
  int mass_denom;
} parse_case;

static const parse_case PARSE_CASES[] = {
    {"1.5 L/min", 90.0, {0, 3, -1}, 0},
    {"0.4 mL/min/mL", 24.0, {0, 0, -1}, 0},
    {"2.385 mg/kg", 2.385e-6, {0, 0, 0}, 1},
    {"100 mg/m2", 1.0, {1, -2, 0}, 0},
    {"5 ug/mL", 5.0, {1, -3, 0}, 0},
    {"1.8 m2", 180.0, {0, 2, 0}, 0},
    {"2.385", 2.385, {0, 0, 0}, 0},
    {"0.12 mg/kg/d", 0.12e-6 / 24.0, {0, 0, -1}, 1},
    {"3 mg*h", 3.0, {1, 0, 1}, 0},
};

START_TEST(test_parse_dims) {
  const parse_case *c = &PARSE_CASES[_i];
  hs_quantity q;
  hs_error err = {0};
  ck_assert_msg(hs_units_parse(c->text, &q, &err) == HS_OK, "'%s': %s", c->text, err.msg);
  HS_ASSERT_REL(q.value, c->value, 1e-13);
  for (int k = 0; k < 3; k++)
    ck_assert_msg(q.dim[k] == c->dim[k], "'%s': dim[%d] = %d, want %d", c->text, k, q.dim[k],
                  c->dim[k]);
  ck_assert_int_eq(q.mass_denom, c->mass_denom);
}
END_TEST

START_TEST(test_kind_names) {
  for (int k = HS_KIND_NUMBER; k <= HS_KIND_AUC; k++) {
    const char *name = hs_units_kind_name((hs_kind)k);
    ck_assert_ptr_nonnull(name);
    ck_assert_msg(strstr(name, "(e.g. '") != NULL, "kind %d: '%s' has no example", k, name);
  }
  ck_assert_str_eq(hs_units_kind_name(HS_KIND_FLOW), "a flow (e.g. '1.5 L/min', '90 L/h')");
}
END_TEST

/* ---- rejections ------------------------------------------------------------------- */

typedef enum match { EXACT, PREFIX, CONTAINS } match;

typedef struct bad_case {
  const char *text;
  hs_kind kind;
  match how;
  const char *msg;
} bad_case;

static const bad_case BAD_CASES[] = {
    {"20 mg/L", HS_KIND_AUC, EXACT, "expected an exposure (e.g. '20 mg*h/L', '20 ug*h/mL'), "
                                    "got '20 mg/L'"},
    {"20 mg*h/L/m2", HS_KIND_AUC, PREFIX, "expected an exposure"},
    {"12 mgg", HS_KIND_MASS, EXACT, "unknown unit 'mgg' in '12 mgg'"},
    {"12 hrs", HS_KIND_TIME, EXACT, "unknown unit 'hrs' in '12 hrs' (did you mean 'h'?)"},
    {"6 wks", HS_KIND_TIME, EXACT, "unknown unit 'wks' in '6 wks' (did you mean 'wk'?)"},
    {"30 minutes", HS_KIND_TIME, EXACT,
     "unknown unit 'minutes' in '30 minutes' (did you mean 'min'?)"},
    {"2 months", HS_KIND_TIME, EXACT,
     "unknown unit 'months' in '2 months' (no calendar units: write days, e.g. '30 d')"},
    {"1 mg/sec", HS_KIND_DOSE_RATE, CONTAINS, "unknown unit 'sec' in '1 mg/sec' (did you mean"},
    {"12 mgg", HS_KIND_DOSE, CONTAINS, "unknown unit 'mgg'"},
    {"3 L/mn", HS_KIND_FLOW, EXACT, "unknown unit 'mn' in '3 L/mn'"},
    {"12 mg", HS_KIND_FLOW, EXACT, "expected a flow (e.g. '1.5 L/min', '90 L/h'), got '12 mg'"},
    {"1.5 L/min", HS_KIND_VOLUME, EXACT,
     "expected a volume (e.g. '100 mL', '1.8 L'), got '1.5 L/min'"},
    {"5 mg/L", HS_KIND_MASS_RATE, EXACT,
     "expected an amount per time (e.g. '3000 mg/h'), got '5 mg/L'"},
    {"90", HS_KIND_FLOW, PREFIX, "missing unit"},
    {"90", HS_KIND_FLOW, EXACT,
     "missing unit: expected a flow (e.g. '1.5 L/min', '90 L/h'), got '90'"},
    {"2.385e2", HS_KIND_TIME, PREFIX, "missing unit"},
    {"1.2 mg", HS_KIND_NUMBER, EXACT,
     "expected a plain number (e.g. '1.2') without a unit, got '1.2 mg'"},
    {"25 %", HS_KIND_NUMBER, PREFIX, "expected a plain number (e.g. '1.2') without a unit"},
    {"", HS_KIND_FLOW, EXACT, "empty value"},
    {"   ", HS_KIND_NUMBER, EXACT, "empty value"},
    {"abc", HS_KIND_FLOW, EXACT, "'abc' is not a number with a unit"},
    {"L/h", HS_KIND_FLOW, EXACT, "'L/h' is not a number with a unit"},
    {"25 %", HS_KIND_DOSE, EXACT,
     "expected a dose (e.g. '1000 mg', '100 mg/m2', '2 mg/kg'), got '25 %'"},
    {"25 mg", HS_KIND_FRACTION, PREFIX, "expected a fraction"},
    {"3 mg/m2/h", HS_KIND_MASS_RATE, EXACT,
     "expected an amount per time (e.g. '3000 mg/h'), got '3 mg/m2/h'"},
    {"3 mg/kg/h", HS_KIND_MASS_RATE, PREFIX, "expected an amount per time"},
    {"2 mg/kg", HS_KIND_MASS, EXACT, "expected an amount (e.g. '1000 mg'), got '2 mg/kg'"},
    {"100 mg/m2", HS_KIND_MASS, PREFIX, "expected an amount"},
    {"100 mg/m3", HS_KIND_DOSE, PREFIX, "expected a dose"},
    {"2.385 mg*mg/kg", HS_KIND_DOSE, PREFIX, "expected a dose"}, /* mass per kg is no dose */
    {"inf mg", HS_KIND_MASS, EXACT, "'inf mg' is not finite"},
    {"90 L/", HS_KIND_VOLUME, EXACT, "malformed unit in '90 L/'"},
    {"0.25 mg/kg", HS_KIND_FRACTION, EXACT,
     "expected a fraction (e.g. '0.25' or '25 %') without a unit, got '0.25 mg/kg'"},
    {"nan mg", HS_KIND_MASS, EXACT, "'nan mg' is not finite"},
    {"1e999 mg", HS_KIND_MASS, EXACT, "'1e999 mg' is not finite"},
    {"12 mg^9", HS_KIND_MASS, EXACT, "bad exponent in '12 mg^9'"},
    {"12 mg^0", HS_KIND_MASS, EXACT, "bad exponent in '12 mg^0'"},
    {"12 mg+L", HS_KIND_CONC, EXACT, "unexpected '+' in unit of '12 mg+L'"},
    {"12 /", HS_KIND_PER_TIME, EXACT, "malformed unit in '12 /'"},
    {"12 mg//L", HS_KIND_CONC, EXACT, "malformed unit in '12 mg//L'"},
};

static void check_msg(const bad_case *c, const char *msg) {
  size_t n = strlen(c->msg);
  int ok = c->how == EXACT    ? strcmp(msg, c->msg) == 0
           : c->how == PREFIX ? strncmp(msg, c->msg, n) == 0
                              : strstr(msg, c->msg) != NULL;
  ck_assert_msg(ok, "'%s': message '%s' does not match '%s'", c->text, msg, c->msg);
}

START_TEST(test_convert_bad) {
  const bad_case *c = &BAD_CASES[_i];
  hs_error err = {0};
  double v = 2.385;
  hs_norm norm = HS_NORM_NONE;
  int rc = hs_units_convert(c->text, c->kind, &v, &norm, &err);
  ck_assert_msg(rc == HS_EINPUT, "'%s' accepted (rc %d, value %g)", c->text, rc, v);
  ck_assert_int_eq(err.code, HS_EINPUT);
  check_msg(c, err.msg);
}
END_TEST

/* A NULL error record still gives the status code. */
START_TEST(test_convert_bad_null_err) {
  double v = 0;
  ck_assert_int_eq(hs_units_convert("12 mgg", HS_KIND_MASS, &v, NULL, NULL), HS_EINPUT);
  hs_quantity q;
  ck_assert_int_eq(hs_units_parse("", &q, NULL), HS_EINPUT);
}
END_TEST

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *hs_suite_units(void) {
  Suite *s = suite_create("units");
  TCase *tc = tcase_create("convert");
  tcase_add_loop_test(tc, test_convert_ok, 0, NCASES(OK_CASES));
  tcase_add_loop_test(tc, test_convert_scaled, 0, NCASES(SCALED_CASES));
  tcase_add_test(tc, test_convert_null_norm);
  tcase_add_loop_test(tc, test_parse_dims, 0, NCASES(PARSE_CASES));
  tcase_add_test(tc, test_kind_names);
  suite_add_tcase(s, tc);
  tc = tcase_create("reject");
  tcase_add_loop_test(tc, test_convert_bad, 0, NCASES(BAD_CASES));
  tcase_add_test(tc, test_convert_bad_null_err);
  suite_add_tcase(s, tc);
  return s;
}
