/* hs_test.h - the suites of the single Check runner (tests/check_main.c) and helpers. */
#ifndef HS_TEST_H
#define HS_TEST_H

#include <check.h>

Suite *hs_suite_units(void);
Suite *hs_suite_model(void);
Suite *hs_suite_solver(void);
Suite *hs_suite_scenario(void);
Suite *hs_suite_output(void);
Suite *hs_suite_cli(void);
Suite *hs_suite_design(void);
Suite *hs_suite_sweepfile(void);
Suite *hs_suite_sweep(void);
Suite *hs_suite_shard(void);
Suite *hs_suite_mpi(void);

/* Relative closeness |a - b| <= tol * max(|a|, |b|, tiny). */
#define HS_ASSERT_REL(a, b, tol)                                                          \
  do {                                                                                    \
    double hs_a_ = (a), hs_b_ = (b);                                                      \
    double hs_s_ = fabs(hs_a_) > fabs(hs_b_) ? fabs(hs_a_) : fabs(hs_b_);                 \
    ck_assert_msg(fabs(hs_a_ - hs_b_) <= (tol) * (hs_s_ > 1e-300 ? hs_s_ : 1e-300),       \
                  "%s = %.12g vs %s = %.12g (rel diff %.3g > %g)", #a, hs_a_, #b, hs_b_,  \
                  fabs(hs_a_ - hs_b_) / (hs_s_ > 1e-300 ? hs_s_ : 1e-300), (double)(tol)); \
  } while (0)

#endif
