/* dense.c - small dense linear algebra for the solver (see dense.h). */
#include "dense.h"

#include <math.h>
#include <string.h>

int hs__lu_factor(double *lu, int *piv, int n) {
  for (int k = 0; k < n; k++) {
    int p = k;
    for (int i = k + 1; i < n; i++)
      if (fabs(lu[i * n + k]) > fabs(lu[p * n + k])) p = i;
    if (lu[p * n + k] == 0) return -1;
    piv[k] = p;
    for (int j = 0; p != k && j < n; j++) {
      double tmp = lu[k * n + j];
      lu[k * n + j] = lu[p * n + j], lu[p * n + j] = tmp;
    }
    for (int i = k + 1; i < n; i++) {
      double f = lu[i * n + k] /= lu[k * n + k];
      for (int j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
    }
  }
  return 0;
}

void hs__lu_solve(const double *lu, const int *piv, int n, double *x) {
  for (int k = 0; k < n; k++)
    if (piv[k] != k) {
      double tmp = x[k];
      x[k] = x[piv[k]], x[piv[k]] = tmp;
    }
  for (int i = 1; i < n; i++)
    for (int j = 0; j < i; j++) x[i] -= lu[i * n + j] * x[j];
  for (int i = n - 1; i >= 0; i--) {
    for (int j = i + 1; j < n; j++) x[i] -= lu[i * n + j] * x[j];
    x[i] /= lu[i * n + i];
  }
}

void hs__matmul(const double *a, const double *b, double *c, int n) {
  memset(c, 0, sizeof(double) * (size_t)n * (size_t)n);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      const double aik = a[i * n + k];
      if (aik == 0) continue; /* compartment matrices are sparse */
      for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
}
