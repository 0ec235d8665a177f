/* expm.h - the matrix exponential (scaling and squaring with the [13/13] Pade approximant,
 * Higham 2005, doi:10.1137/04061101X) and the cached one-step propagators of an affine
 * system with constant coefficients, for the exact solution of linear drugs (solver.c).
 * Solver-internal; no allocation in hs__expm, no global state. */
#ifndef HS_EXPM_H
#define HS_EXPM_H

/* Scratch doubles hs__expm needs for an n x n matrix. */
#define HS_EXPM_WORK(n) (7 * (size_t)(n) * (size_t)(n))

/* e = exp(a), n x n row-major. work: HS_EXPM_WORK(n) doubles, piv: n ints. Returns 0, or
 * -1 when a is not finite or the Pade denominator is singular (not for finite a). */
int hs__expm(const double *a, int n, double *e, double *work, int *piv);

/* Propagators of dy/dt = A y + B u over a step h with u constant: the exponential of the
 * augmented matrix h [[A, B], [0, 0]] is [[E, G], [0, I]], E = exp(A h),
 * G = int_0^h exp(A s) ds B, so y(t + h) = E y(t) + G u. A few are kept, keyed by (A, B, h),
 * and reused: across the segments of a run with the same matrices (cycles) and for the
 * steps of an output grid. The exponential is taken over the states that take part (a
 * nonzero row or column of [A B]; the others keep their value), and a step that is N >= 2
 * times a cached one of the same system is that propagator to the N-th power (squarings,
 * as in the exponential's own squaring phase) instead of a new exponential. */
typedef struct hs__props hs__props;

hs__props *hs__props_create(void);
void hs__props_free(hs__props *c); /* accepts NULL */

/* Forget every cached propagator (a new run: the matrices changed). */
void hs__props_clear(hs__props *c);

/* The propagator [E G] for step h: n rows of n + m values (row-major). a: n x n, b: n x m
 * (row-major). Returns NULL when out of memory or the exponential failed. Valid until
 * the next call. n + m <= HS_PROPS_MAX. */
#define HS_PROPS_MAX 128
const double *hs__props_get(hs__props *c, const double *a, const double *b, int n, int m,
                            double h);

#endif
