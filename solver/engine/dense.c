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

/* The product row by row over the nonzeros of a's row and of b's rows (each b row's
 * nonzero columns listed first): the terms a_ik b_kj with b_kj = 0 add nothing, so for
 * finite a the sums are those of the dense product, bit for bit. Compartment matrices and
 * their exponentials are mostly zero (accounting states and inputs). */
#define HS_SPARSE_MAX 64
void hs__matmul(const double *a, const double *b, double *c, int n) {
  memset(c, 0, sizeof(double) * (size_t)n * (size_t)n);
  unsigned char cols[HS_SPARSE_MAX * HS_SPARSE_MAX];
  int cnt[HS_SPARSE_MAX], nnz = 0;
  for (int k = 0; n <= HS_SPARSE_MAX && k < n; k++) {
    cnt[k] = 0;
    for (int j = 0; j < n; j++)
      if (b[k * n + j] != 0) cols[k * HS_SPARSE_MAX + cnt[k]++] = (unsigned char)j;
    nnz += cnt[k];
  }
  const int sparse = n <= HS_SPARSE_MAX && 2 * nnz < n * n;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      const double aik = a[i * n + k], *bk = b + k * n;
      double *ci = c + i * n;
      if (aik == 0) continue;
      if (sparse) {
        const unsigned char *js = cols + k * HS_SPARSE_MAX;
        for (int q = 0; q < cnt[k]; q++) ci[js[q]] += aik * bk[js[q]];
      } else {
        for (int j = 0; j < n; j++) ci[j] += aik * bk[j];
      }
    }
}
