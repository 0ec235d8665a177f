/* expm.c - matrix exponential by scaling and squaring with the [13/13] Pade approximant
 * (N. J. Higham, "The scaling and squaring method for the matrix exponential revisited",
 * SIAM J. Matrix Anal. Appl. 26(4):1179-1193, 2005, doi:10.1137/04061101X, Algorithm 2.3
 * with m = 13 throughout), and the propagator cache of expm.h. */
#include "expm.h"

#include "dense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coefficients b_0..b_13 of the [13/13] Pade approximant and theta_13 (Higham 2005,
 * Table 2.3 and equation 2.10). */
static const double PADE13[14] = {64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
                                  1187353796428800.0,  129060195264000.0,   10559470521600.0,
                                  670442572800.0,      33522128640.0,       1323241920.0,
                                  40840800.0,          960960.0,            16380.0,
                                  182.0,               1.0};
static const double THETA13 = 5.371920351148152;

static double norm1(const double *a, int n) {
  double best = 0;
  for (int j = 0; j < n; j++) {
    double s = 0;
    for (int i = 0; i < n; i++) s += fabs(a[i * n + j]);
    if (!(s <= best)) best = s; /* NaN propagates */
  }
  return best;
}

/* x = c0 p + c1 q + c2 r (+ c3 on the diagonal) over n x n. */
static void combine(double *x, int n, double c0, const double *p, double c1, const double *q,
                    double c2, const double *r, double c3) {
  for (int i = 0; i < n * n; i++) x[i] = c0 * p[i] + c1 * q[i] + c2 * r[i];
  for (int i = 0; i < n; i++) x[i * n + i] += c3;
}

/* Solve (V - U) X = V + U for X into e, column by column (the LU solves one vector). */
static int pade_solve(double *u, double *v, double *e, double *col, int *piv, int n) {
  for (int i = 0; i < n * n; i++) {
    double p = v[i] + u[i];
    v[i] -= u[i]; /* v: the denominator V - U, factored in place */
    u[i] = p;     /* u: the numerator V + U */
  }
  if (hs__lu_factor(v, piv, n)) return -1;
  for (int j = 0; j < n; j++) {
    for (int i = 0; i < n; i++) col[i] = u[i * n + j];
    hs__lu_solve(v, piv, n, col);
    for (int i = 0; i < n; i++) e[i * n + j] = col[i];
  }
  return 0;
}

int hs__expm(const double *a0, int n, double *e, double *work, int *piv) {
  const size_t nn = (size_t)n * (size_t)n;
  double *a = work, *a2 = a + nn, *a4 = a2 + nn, *a6 = a4 + nn, *u = a6 + nn, *v = u + nn,
         *t = v + nn;
  const double *b = PADE13;
  double nrm = norm1(a0, n);
  if (!isfinite(nrm)) return -1;
  int s = nrm > THETA13 ? (int)ceil(log2(nrm / THETA13)) : 0;
  const double scale = ldexp(1.0, -s);
  for (size_t i = 0; i < nn; i++) a[i] = a0[i] * scale;
  hs__matmul(a, a, a2, n);
  hs__matmul(a2, a2, a4, n);
  hs__matmul(a4, a2, a6, n);
  /* U = A [A6 (b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I] */
  combine(t, n, b[13], a6, b[11], a4, b[9], a2, 0.0);
  hs__matmul(a6, t, u, n);
  combine(t, n, b[7], a6, b[5], a4, b[3], a2, b[1]);
  for (size_t i = 0; i < nn; i++) t[i] += u[i];
  hs__matmul(a, t, u, n);
  /* V = A6 (b12 A6 + b10 A4 + b8 A2) + b6 A6 + b4 A4 + b2 A2 + b0 I */
  combine(t, n, b[12], a6, b[10], a4, b[8], a2, 0.0);
  hs__matmul(a6, t, v, n);
  combine(t, n, b[6], a6, b[4], a4, b[2], a2, b[0]);
  for (size_t i = 0; i < nn; i++) v[i] += t[i];
  if (pade_solve(u, v, e, t, piv, n)) return -1;
  for (int k = 0; k < s; k++) { /* square s times */
    hs__matmul(e, e, t, n);
    memcpy(e, t, sizeof(double) * nn);
  }
  return 0;
}

/* ---- propagator cache ------------------------------------------------------------- */

#define N_SLOTS 6

typedef struct slot {
  int n, m, used;
  double h;
  double *key; /* A (n x n) then B (n x m) */
  double *p;   /* [E G], n x (n + m) */
  long stamp;
} slot;

struct hs__props {
  slot sl[N_SLOTS];
  long clock;
  double *aug, *e, *work; /* (n + m)^2, (n + m)^2, HS_EXPM_WORK(n + m) */
  int piv[HS_PROPS_MAX];
};

hs__props *hs__props_create(void) {
  hs__props *c = calloc(1, sizeof *c);
  const size_t big = (size_t)HS_PROPS_MAX * HS_PROPS_MAX;
  if (!c) return NULL;
  c->aug = malloc(sizeof(double) * big);
  c->e = malloc(sizeof(double) * big);
  c->work = malloc(sizeof(double) * HS_EXPM_WORK(HS_PROPS_MAX));
  if (!c->aug || !c->e || !c->work) {
    hs__props_free(c);
    return NULL;
  }
  return c;
}

void hs__props_free(hs__props *c) {
  if (!c) return;
  for (int i = 0; i < N_SLOTS; i++) free(c->sl[i].key), free(c->sl[i].p);
  free(c->aug), free(c->e), free(c->work);
  free(c);
}

void hs__props_clear(hs__props *c) {
  for (int i = 0; i < N_SLOTS; i++) c->sl[i].used = 0;
}

/* Steps equal to 1e-12 (relative) share a propagator: the grid's steps differ by rounding. */
static int same_step(double a, double b) { return fabs(a - b) <= 1e-12 * fabs(b); }

static int matches(const slot *z, const double *a, const double *b, int n, int m, double h) {
  return z->used && z->n == n && z->m == m && same_step(h, z->h) &&
         !memcmp(z->key, a, sizeof(double) * (size_t)n * n) &&
         !memcmp(z->key + (size_t)n * n, b, sizeof(double) * (size_t)n * m);
}

/* The slot to overwrite (unused, else least recently used), with room for n, m. */
static slot *victim(hs__props *c, int n, int m) {
  slot *z = &c->sl[0];
  for (int i = 0; i < N_SLOTS; i++) {
    if (!c->sl[i].used) { z = &c->sl[i]; break; }
    if (c->sl[i].stamp < z->stamp) z = &c->sl[i];
  }
  if (!z->key || z->n * (z->n + z->m) < n * (n + m)) { /* grow; sizes fixed per run */
    free(z->key), free(z->p);
    z->key = malloc(sizeof(double) * (size_t)n * (size_t)(n + m));
    z->p = malloc(sizeof(double) * (size_t)n * (size_t)(n + m));
    z->used = 0;
    if (!z->key || !z->p) return NULL;
  }
  return z;
}

const double *hs__props_get(hs__props *c, const double *a, const double *b, int n, int m,
                            double h) {
  const int na = n + m;
  if (na > HS_PROPS_MAX) return NULL;
  c->clock++;
  for (int i = 0; i < N_SLOTS; i++)
    if (matches(&c->sl[i], a, b, n, m, h)) {
      c->sl[i].stamp = c->clock;
      return c->sl[i].p;
    }
  slot *z = victim(c, n, m);
  if (!z) return NULL;
  memset(c->aug, 0, sizeof(double) * (size_t)na * na); /* h [[A, B], [0, 0]] */
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) c->aug[i * na + j] = h * a[i * n + j];
    for (int j = 0; j < m; j++) c->aug[i * na + n + j] = h * b[i * m + j];
  }
  if (hs__expm(c->aug, na, c->e, c->work, c->piv)) return NULL;
  for (int i = 0; i < n; i++) memcpy(z->p + (size_t)i * na, c->e + (size_t)i * na,
                                     sizeof(double) * (size_t)na);
  memcpy(z->key, a, sizeof(double) * (size_t)n * n);
  memcpy(z->key + (size_t)n * n, b, sizeof(double) * (size_t)n * m);
  z->n = n, z->m = m, z->h = h, z->used = 1, z->stamp = c->clock;
  return z->p;
}
