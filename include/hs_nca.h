/* hs_nca.h - non-compartmental analysis of a plasma time course after an IV dose.
 *
 * AUC and AUMC by linear-up / log-down trapezoids over the samples, extrapolated to
 * infinity with lambda_z from a log-linear least-squares fit of the positive samples in
 * [fit_from, fit_to]:
 *   AUC_inf  = AUC_last  + C_last / lambda_z
 *   AUMC_inf = AUMC_last + C_last t_last / lambda_z + C_last / lambda_z^2
 *   CL = dose / AUC_inf,  MRT = AUMC_inf / AUC_inf - T_inf / 2,  Vss = CL MRT,
 *   t1/2 = ln 2 / lambda_z.
 * Units are the caller's (internal: h, mg, mg/L give L/h, h and L). Pure, thread-safe. */
#ifndef HS_NCA_H
#define HS_NCA_H

#include "hs_error.h"

typedef struct hs_nca {
  double auc_last, aumc_last; /* to the last sample */
  double auc_inf, aumc_inf;   /* extrapolated to infinity */
  double lambda_z;            /* terminal rate constant, 1/time */
  double t_half;              /* ln 2 / lambda_z */
  double cl;                  /* dose / AUC_inf */
  double mrt;                 /* AUMC_inf / AUC_inf - t_inf / 2 */
  double vss;                 /* cl * mrt */
  double r2;                  /* coefficient of determination of the log-linear fit */
  int n_fit;                  /* samples used by the fit */
} hs_nca;

/* NCA of c[0..n) at increasing times t[0..n) after `dose` infused over t_inf (0: bolus).
 * Returns HS_OK, or HS_EINPUT (err says why) for n < 2, times not increasing, fewer than
 * 3 positive samples in the fit window, or a lambda_z that is not positive. */
int hs_nca_compute(const double *t, const double *c, int n, double dose, double t_inf,
                   double fit_from, double fit_to, hs_nca *out, hs_error *err);

#endif
