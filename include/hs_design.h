/* hs_design.h - experimental designs for parameter sweeps: grid, Latin hypercube, Sobol',
 * random, population (log-normal inter-individual variability), the two designs of
 * global sensitivity analysis (hs_sensitivity.h): saltelli (A, B, AB_i) and morris
 * (one-at-a-time trajectories), and table (a stored list of individuals, one row per run).
 *
 * A design maps a run index to one value per parameter, as a pure function of
 * (design, seed, run): any thread or MPI rank computes any run, in any order, and gets the
 * same values, so results never depend on the thread or rank count. No state is kept
 * between calls and nothing is allocated per run. Values are in internal units (the
 * caller converts units when the design is read). */
#ifndef HS_DESIGN_H
#define HS_DESIGN_H

#include <stdint.h>

#include "hs_error.h"

typedef enum hs_design_kind {
  HS_DESIGN_GRID = 0,   /* Cartesian product of each parameter's points */
  HS_DESIGN_LHS,        /* Latin hypercube: each of n strata used once per parameter */
  HS_DESIGN_SOBOL,      /* Sobol' sequence (Joe-Kuo direction numbers), digitally shifted by the seed */
  HS_DESIGN_RANDOM,     /* independent uniform draws */
  HS_DESIGN_POPULATION, /* value = base * exp(eta), eta ~ N(0, omega^2), correlated */
  HS_DESIGN_SALTELLI,   /* n_base samples of d + 2 runs: A, B, AB_1 .. AB_d (below) */
  HS_DESIGN_MORRIS,     /* n_base trajectories of d + 1 runs on a `levels`-level grid */
  HS_DESIGN_TABLE       /* run i takes value i of every parameter's list (a patient table) */
} hs_design_kind;

/* How one parameter is spread. */
typedef enum hs_dist_kind {
  HS_DIST_RANGE = 0, /* lo .. hi, linear or log scale; on a grid: n points incl. both ends */
  HS_DIST_LIST,      /* explicit values; on a grid each value once; otherwise picked uniformly */
  HS_DIST_NORMAL,    /* mean, sd (not for grid) */
  HS_DIST_LOGNORMAL  /* median `mean` and cv (not for grid); population uses this with
                        median = the scenario value */
} hs_dist_kind;

typedef struct hs_design_param {
  char path[128];   /* scenario path, e.g. "tumor.perfusion" */
  hs_dist_kind dist;
  int log_scale;    /* HS_DIST_RANGE: 1 for logarithmic spacing (lo, hi > 0) */
  double lo, hi;    /* HS_DIST_RANGE */
  int n;            /* HS_DIST_RANGE on a grid: number of points (>= 1) */
  double *values;   /* HS_DIST_LIST: owned by the design */
  int n_values;
  double mean, sd;  /* HS_DIST_NORMAL; HS_DIST_LOGNORMAL: mean = median */
  double cv;        /* HS_DIST_LOGNORMAL: coefficient of variation (0.3 = 30 %); */
  char unit[24];    /* the unit the scenario wrote the values in ("mL"); "" when none */
  double unit_scale; /* a value in `unit` = internal value * unit_scale (0: not recorded) */
} hs_design_param;

#define HS_DESIGN_ID_LEN 64 /* bytes of a table row's id, NUL included */

typedef struct hs_design {
  hs_design_kind kind;
  uint64_t seed;
  int64_t n_runs;          /* given for lhs/sobol/random/population; computed for grid,
                              saltelli (n_base (d + 2)) and morris (n_base (d + 1)) */
  int64_t n_base;          /* saltelli: base samples N; morris: trajectories r */
  int levels;              /* morris: grid levels p (even; 0 means HS_MORRIS_LEVELS) */
  int n_params;
  hs_design_param *params; /* owned */
  double *corr;            /* population: n_params x n_params correlation matrix or NULL */
  double *chol;            /* derived by hs_design_init: lower Cholesky factor of corr */
  char *ids;               /* table: n_runs ids of HS_DESIGN_ID_LEN bytes (owned), or NULL */
} hs_design;

/* Name of a design kind as written in scenario files: "grid", "lhs", "sobol", "random",
 * "population", "table"; and back (returns -1 when unknown). */
const char *hs_design_kind_name(hs_design_kind k);
int hs_design_kind_parse(const char *name);

/* Every design name, in hs_design_kind order, NULL-terminated (the one list; the scenario
 * parser reads it). */
extern const char *const hs_design_kind_names[];

/* Validate and derive: grid size (overflow-checked, <= 2^53), Cholesky factor of the
 * correlation (must be symmetric with unit diagonal and positive definite), ranges
 * (lo < hi, positive for log scale), a distribution allowed by the design (grid: ranges
 * and lists only; sobol: at most HS_SOBOL_MAX_DIM parameters, saltelli at most
 * HS_SALTELLI_MAX_PARAMS; morris: ranges only, n_base >= 2, even levels; population: lognormal
 * only; table: lists of n_runs values each, and it may have no parameter at all). HS_EINPUT
 * with a message naming the parameter's path. */
int hs_design_init(hs_design *d, hs_error *err);

#define HS_SOBOL_MAX_DIM 21
/* saltelli draws A and B from one Sobol' sequence of dimension 2 d */
#define HS_SALTELLI_MAX_PARAMS (HS_SOBOL_MAX_DIM / 2)
/* Morris levels p = 4, the value Saltelli et al., Global Sensitivity Analysis: The Primer
 * (Wiley 2008), sec. 3.3, recommend with r = 10-20 trajectories; step delta = p / (2 (p-1)) */
#define HS_MORRIS_LEVELS 4

/* saltelli: run = i (d + 2) + k of base sample i holds, for k = 0, A_i (quantiles from
 * Sobol' dimensions 0 .. d-1); k = 1, B_i (dimensions d .. 2d-1); k = 2 + j, AB_j,i (A_i
 * with parameter j taken from B_i). morris: run = t (d + 1) + k is point k of trajectory t;
 * point k + 1 differs from point k in one parameter, hs_design_morris_step's. */

/* The parameter values of run `run` (0 <= run < n_runs) into values[0..n_params). Pure. */
void hs_design_point(const hs_design *d, int64_t run, double *values);

/* Morris trajectory t, step k (1 <= k <= d, from point k - 1 to point k): the parameter
 * that moves into *param and its move in quantile units (+-delta) into *du. Pure. */
void hs_design_morris_step(const hs_design *d, int64_t t, int k, int *param, double *du);

/* Id of run `run` of a table design ("" for other designs). */
const char *hs_design_id(const hs_design *d, int64_t run);

/* Release what the design owns (params, their value lists, corr, chol, ids); accepts zeroed. */
void hs_design_release(hs_design *d);

/* Building blocks, exposed for tests. */
uint64_t hs_design_hash(uint64_t seed, uint64_t a, uint64_t b); /* splitmix64-based mix */
double hs_design_uniform(uint64_t seed, uint64_t a, uint64_t b); /* in (0, 1) */
/* A bijection of [0, n) keyed by (seed, key): cycle-walking Feistel network, O(1) memory. */
uint64_t hs_design_permute(uint64_t i, uint64_t n, uint64_t seed, uint64_t key);
/* Unshifted Sobol' point in natural (not Gray-code) order; index 0 is the origin. Runs use
 * index = run with a digital shift keyed by the seed, so no point is dropped (Owen 2020). */
double hs_design_sobol(uint64_t index, int dim);
double hs_design_norm_inv(double p);              /* inverse standard normal CDF */

#endif
