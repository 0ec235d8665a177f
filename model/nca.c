/* nca.c - non-compartmental analysis (include/hs_nca.h). */
#include "hs_nca.h"

#include <math.h>
#include <string.h>

/* One interval's AUC and AUMC: log trapezoid when the concentration falls (exact for an
 * exponential), linear otherwise. */
static void interval(double t0, double t1, double c0, double c1, double *auc, double *aumc) {
  double dt = t1 - t0;
  if (c0 > 0 && c1 > 0 && c1 < c0 * (1 - 1e-12)) {
    double k = log(c0 / c1) / dt;
    *auc = (c0 - c1) / k;
    *aumc = (c0 * t0 - c1 * t1) / k + (c0 - c1) / (k * k);
  } else {
    *auc = dt * (c0 + c1) / 2;
    *aumc = dt * (c0 * t0 + c1 * t1) / 2;
  }
}

int hs_nca_compute(const double *t, const double *c, int n, double dose, double t_inf,
                   double fit_from, double fit_to, hs_nca *out, hs_error *err) {
  memset(out, 0, sizeof *out);
  if (n < 2) return hs_error_set(err, HS_EINPUT, "NCA: %d samples, need at least 2", n);
  double auc = 0, aumc = 0;
  for (int i = 1; i < n; i++) {
    if (!(t[i] > t[i - 1]))
      return hs_error_set(err, HS_EINPUT, "NCA: times not increasing at sample %d (t = %g)",
                          i, t[i]);
    double a, m;
    interval(t[i - 1], t[i], c[i - 1], c[i], &a, &m);
    auc += a;
    aumc += m;
  }
  /* log-linear least squares over the window */
  double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (t[i] < fit_from || t[i] > fit_to || !(c[i] > 0)) continue;
    double y = log(c[i]);
    sx += t[i], sy += y, sxx += t[i] * t[i], sxy += t[i] * y, syy += y * y;
    k++;
  }
  if (k < 3)
    return hs_error_set(err, HS_EINPUT,
                        "NCA: %d positive samples in the fit window [%g, %g], need 3", k,
                        fit_from, fit_to);
  double sxx_c = sxx - sx * sx / k, sxy_c = sxy - sx * sy / k, syy_c = syy - sy * sy / k;
  double lz = -sxy_c / sxx_c;
  if (!(lz > 0) || !isfinite(lz))
    return hs_error_set(err, HS_EINPUT,
                        "NCA: terminal slope over [%g, %g] is not decreasing (lambda_z = %g)",
                        fit_from, fit_to, lz);
  double c_last = c[n - 1], t_last = t[n - 1];
  out->auc_last = auc;
  out->aumc_last = aumc;
  out->lambda_z = lz;
  out->t_half = log(2.0) / lz;
  out->auc_inf = auc + c_last / lz;
  out->aumc_inf = aumc + c_last * t_last / lz + c_last / (lz * lz);
  out->cl = dose / out->auc_inf;
  out->mrt = out->aumc_inf / out->auc_inf - t_inf / 2;
  out->vss = out->cl * out->mrt;
  out->r2 = syy_c > 0 ? sxy_c * sxy_c / (sxx_c * syy_c) : 1.0;
  out->n_fit = k;
  return HS_OK;
}
