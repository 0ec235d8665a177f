/* dense.h - small dense linear algebra for the solver (row-major, no allocation): the LU
 * of the block Newton solver (solver.c) and of the Pade solve (expm.c). Solver-internal. */
#ifndef HS_DENSE_H
#define HS_DENSE_H

/* LU with partial pivoting of the n x n row-major matrix lu, in place; -1 if singular. */
int hs__lu_factor(double *lu, int *piv, int n);

/* x = M^-1 x for the LU of hs__lu_factor (one right-hand side of n values). */
void hs__lu_solve(const double *lu, const int *piv, int n, double *x);

/* c = a b for n x n row-major matrices (c must not alias a or b); zeros of a and b are
 * skipped, so with non-finite entries 0 * inf terms are left out. */
void hs__matmul(const double *a, const double *b, double *c, int n);

#endif
