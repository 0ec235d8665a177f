/* hs_sensitivity.h - global sensitivity indices from the outputs of a saltelli or morris
 * design (hs_design.h): Sobol' first-order and total indices with bootstrap confidence
 * intervals, and Morris elementary-effects screening.
 *
 * Part of the model (pure mathematics over arrays of outputs, one per run in design order):
 * no I/O, no threads. The bootstrap draws its resamples from hs_design_uniform keyed by
 * (seed, replicate, draw), so the intervals are reproducible and independent of how the
 * runs were computed. Runs whose output is NaN (a failed run) drop their whole sample
 * (saltelli) or trajectory (morris); *n_used says how many were kept. Thread-safe. */
#ifndef HS_SENSITIVITY_H
#define HS_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "hs_design.h"
#include "hs_error.h"

/* 95 % percentile intervals from 1000 bootstrap replicates: the usual choice (Archer,
 * Saltelli & Sobol', J. Stat. Comput. Simul. 58 (1997) 99-120, doi:10.1080/00949659708811825;
 * SALib's default num_resamples = 1000). */
#define HS_SENS_BOOTSTRAP 1000
#define HS_SENS_LEVEL 0.95

typedef struct hs_sens_opts {
  int n_boot;    /* bootstrap replicates (0: no intervals, they are NaN) */
  double level;  /* confidence level of the intervals, e.g. 0.95 */
  uint64_t seed; /* of the resampling */
} hs_sens_opts;

/* One parameter's Sobol' indices for one output. s1: first order by the estimator of
 * Saltelli et al., Comput. Phys. Commun. 181 (2010) 259-270 (doi:10.1016/j.cpc.2009.09.018),
 * table 2 (b): V_i = mean(f(B) (f(AB_i) - f(A))), with f(B) centred on the mean of f(A)
 * and f(B) (as SALib does: the expectation is unchanged, and the variance no longer grows
 * with the output's mean); st: total by Jansen's estimator (same
 * table, (f)): V_Ti = mean((f(A) - f(AB_i))^2) / 2; both over V = the variance (1/(2N)) of
 * f(A) and f(B) together. _lo, _hi: the bootstrap percentile interval. NaN when V is 0
 * (below (1e-12 mean)^2: a constant output up to rounding). */
typedef struct hs_sobol_index {
  double s1, s1_lo, s1_hi;
  double st, st_lo, st_hi;
} hs_sobol_index;

/* One parameter's elementary effects (Morris, Technometrics 33 (1991) 161-174) over the
 * trajectories, in output units per unit of the parameter's quantile (its whole range is
 * 1): mu their mean, mu_star the mean of their absolute values (Campolongo, Cariboni &
 * Saltelli, Environ. Model. Softw. 22 (2007) 1509-1518, doi:10.1016/j.envsoft.2006.10.004),
 * sigma their standard deviation (n - 1 denominator; NaN with one trajectory), and the
 * bootstrap interval of mu_star. */
typedef struct hs_morris_index {
  double mu, mu_star, sigma, mu_star_lo, mu_star_hi;
} hs_morris_index;

/* Sobol' indices of the d parameters from y[i (d + 2) + k], the n base samples of a
 * saltelli design laid out as hs_design.h says (k = 0: A, 1: B, 2 + j: AB_j). out[d],
 * *var (the output's variance) and *n_used (samples without NaN) are filled. HS_EINPUT
 * for n < 1 or d < 1, HS_ENOMEM. With fewer than 2 samples used every index is NaN. */
int hs_sens_sobol(const double *y, int64_t n, int d, const hs_sens_opts *o, hs_sobol_index *out,
                  double *var, int64_t *n_used, hs_error *err);

/* Morris indices of design's d parameters from y[t (d + 1) + k], its n_base trajectories
 * (hs_design.h; design->kind must be HS_DESIGN_MORRIS, initialised). out[d] and *n_used
 * (trajectories without NaN) are filled. HS_EINPUT for another design, HS_ENOMEM. */
int hs_sens_morris(const hs_design *design, const double *y, const hs_sens_opts *o,
                   hs_morris_index *out, int64_t *n_used, hs_error *err);

/* The quantile p (0..1) of sorted[0..n), linear between order statistics (numpy's default,
 * Hyndman & Fan type 7, also R's quantile() default); NaN when n is 0. */
double hs_sens_quantile(const double *sorted, size_t n, double p);

#endif
