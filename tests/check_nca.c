/* check_nca.c - non-compartmental analysis (model/nca.c) on analytic curves. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_nca.h"
#include "hs_test.h"

#define NMAX 20001

/* Bolus D into a two-compartment model: C = A e^{-a t} + B e^{-b t}. Exact:
 * AUC = A/a + B/b, AUMC = A/a^2 + B/b^2, CL = D/AUC, Vss = D AUMC/AUC^2, t1/2 = ln2/b. */
START_TEST(test_biexponential_bolus) {
  static double t[NMAX], c[NMAX];
  const double dose = 100, A = 10, a = 2, B = 1, b = 0.1;
  int n = 10001;
  for (int i = 0; i < n; i++) {
    t[i] = 0.01 * i;
    c[i] = A * exp(-a * t[i]) + B * exp(-b * t[i]);
  }
  hs_nca r;
  hs_error err = {0};
  ck_assert_int_eq(hs_nca_compute(t, c, n, dose, 0, 40, 100, &r, &err), HS_OK);
  double auc = A / a + B / b, aumc = A / (a * a) + B / (b * b);
  HS_ASSERT_REL(r.auc_inf, auc, 1e-3);
  HS_ASSERT_REL(r.aumc_inf, aumc, 1e-3);
  HS_ASSERT_REL(r.cl, dose / auc, 1e-3);
  HS_ASSERT_REL(r.vss, dose * aumc / (auc * auc), 1e-3);
  HS_ASSERT_REL(r.t_half, log(2) / b, 1e-3);
  ck_assert(r.r2 > 0.999999);
}
END_TEST

/* Constant-rate infusion over T into one compartment (V, k): CL = k V, Vss = V. The MRT
 * correction T/2 must be applied; samples are not aligned with the end of the infusion. */
START_TEST(test_one_compartment_infusion) {
  static double t[NMAX], c[NMAX];
  const double dose = 50, T = 2, V = 20, k = 0.5, R = dose / T;
  int n = 2001;
  for (int i = 0; i < n; i++) {
    t[i] = 0.0137 * i;
    double ti = t[i];
    c[i] = ti <= T ? R / (k * V) * (1 - exp(-k * ti))
                   : R / (k * V) * (1 - exp(-k * T)) * exp(-k * (ti - T));
  }
  hs_nca r;
  hs_error err = {0};
  ck_assert_int_eq(hs_nca_compute(t, c, n, dose, T, 5, 27, &r, &err), HS_OK);
  HS_ASSERT_REL(r.cl, k * V, 1e-3);
  HS_ASSERT_REL(r.vss, V, 1e-3);
  HS_ASSERT_REL(r.t_half, log(2) / k, 1e-9);
  HS_ASSERT_REL(r.mrt, 1 / k, 1e-3);
}
END_TEST

/* A pure exponential is integrated exactly by the log-down rule, on any grid. */
START_TEST(test_exponential_exact) {
  double t[] = {0, 0.3, 1, 2.5, 4, 7, 10}, c[7];
  for (int i = 0; i < 7; i++) c[i] = 8 * exp(-0.4 * t[i]);
  hs_nca r;
  hs_error err = {0};
  ck_assert_int_eq(hs_nca_compute(t, c, 7, 40, 0, 2, 10, &r, &err), HS_OK);
  HS_ASSERT_REL(r.auc_inf, 8 / 0.4, 1e-12);
  HS_ASSERT_REL(r.aumc_inf, 8 / (0.4 * 0.4), 1e-12);
  HS_ASSERT_REL(r.vss, 40 / 8.0, 1e-12);
  ck_assert_int_eq(r.n_fit, 4);
}
END_TEST

START_TEST(test_rejects) {
  double t[] = {0, 1, 2, 3}, up[] = {1, 2, 3, 4}, c[] = {4, 2, 1, 0.5}, tb[] = {0, 1, 1, 3};
  hs_nca r;
  hs_error err = {0};
  ck_assert_int_eq(hs_nca_compute(t, c, 1, 1, 0, 0, 3, &r, &err), HS_EINPUT);
  ck_assert_int_eq(hs_nca_compute(t, up, 4, 1, 0, 0, 3, &r, &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "lambda_z"));
  ck_assert_int_eq(hs_nca_compute(t, c, 4, 1, 0, 2, 3, &r, &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "fit window"));
  ck_assert_int_eq(hs_nca_compute(tb, c, 4, 1, 0, 0, 3, &r, &err), HS_EINPUT);
}
END_TEST

Suite *hs_suite_nca(void) {
  Suite *s = suite_create("nca");
  TCase *tc = tcase_create("nca");
  tcase_add_test(tc, test_biexponential_bolus);
  tcase_add_test(tc, test_one_compartment_infusion);
  tcase_add_test(tc, test_exponential_exact);
  tcase_add_test(tc, test_rejects);
  suite_add_tcase(s, tc);
  return s;
}
