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
  int live[HS_PROPS_MAX]; /* the states that take part in the step (live_states) */
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

/* The states that take part in a step of [A B]: a nonzero row or column. The others keep
 * their value (a zero row) and act on none (a zero column): for a single drug the depot,
 * the slow tissue and the accounting states of options that are off. */
static int live_states(const double *a, const double *b, int n, int m, int *live) {
  int nl = 0;
  for (int i = 0; i < n; i++) {
    int on = 0;
    for (int j = 0; !on && j < n; j++) on = a[i * n + j] != 0 || a[j * n + i] != 0;
    for (int q = 0; !on && q < m; q++) on = b[i * m + q] != 0;
    if (on) live[nl++] = i;
  }
  return nl;
}

/* c->e = exp(h [[A, B], [0, 0]]) over the live states and the inputs (k = nl + m). */
static int expm_live(hs__props *c, const double *a, const double *b, int n, int m, int nl,
                     double h) {
  const int k = nl + m;
  const int *lv = c->live;
  memset(c->aug, 0, sizeof(double) * (size_t)k * k);
  for (int i = 0; i < nl; i++) {
    for (int j = 0; j < nl; j++) c->aug[i * k + j] = h * a[lv[i] * n + lv[j]];
    for (int q = 0; q < m; q++) c->aug[i * k + nl + q] = h * b[lv[i] * m + q];
  }
  return hs__expm(c->aug, k, c->e, c->work, c->piv);
}

/* The live part of the propagator p = [E G] (n x (n + m)) as the square exponential of the
 * augmented matrix into e (k x k, k = nl + m): its input rows are [0 I]. */
static void gather_live(const int *lv, int nl, const double *p, int n, int m, double *e) {
  const int k = nl + m, na = n + m;
  memset(e, 0, sizeof(double) * (size_t)k * k);
  for (int i = 0; i < nl; i++) {
    for (int j = 0; j < nl; j++) e[i * k + j] = p[lv[i] * na + lv[j]];
    for (int q = 0; q < m; q++) e[i * k + nl + q] = p[lv[i] * na + n + q];
  }
  for (int q = 0; q < m; q++) e[(nl + q) * k + nl + q] = 1.0;
}

/* The propagator [E G] of all n states from the live exponential e (k x k): a state that
 * does not take part keeps its value. */
static void scatter_live(const int *lv, int nl, const double *e, int n, int m, double *p) {
  const int k = nl + m, na = n + m;
  memset(p, 0, sizeof(double) * (size_t)n * na);
  for (int i = 0; i < n; i++) p[i * na + i] = 1.0;
  for (int i = 0; i < nl; i++) {
    double *row = p + (size_t)lv[i] * na;
    for (int j = 0; j < nl; j++) row[lv[j]] = e[i * k + j];
    for (int q = 0; q < m; q++) row[n + q] = e[i * k + nl + q];
  }
}

/* e = e^N (k x k, N >= 1) by repeated squaring: the exponential for N steps from the one
 * for one step, exp(N X) = exp(X)^N, as the squaring phase of hs__expm does it.
 * work: 3 k^2 doubles. */
static void power(double *e, int k, long N, double *work) {
  const size_t kk = (size_t)k * k;
  double *base = work, *acc = base + kk, *t = acc + kk;
  int have = 0;
  memcpy(base, e, sizeof(double) * kk);
  for (;;) {
    if (N & 1) {
      if (have) {
        hs__matmul(acc, base, t, k);
        memcpy(acc, t, sizeof(double) * kk);
      } else {
        memcpy(acc, base, sizeof(double) * kk);
        have = 1;
      }
    }
    N >>= 1;
    if (!N) break;
    hs__matmul(base, base, t, k);
    memcpy(base, t, sizeof(double) * kk);
  }
  memcpy(e, acc, sizeof(double) * kk);
}

/* A cached propagator of the same system whose step divides h: h = N h_base with an
 * integer N >= 2 (the largest such step); NULL if none. */
static const slot *divisor(const hs__props *c, const double *a, const double *b, int n, int m,
                           double h, long *N) {
  const slot *best = NULL;
  for (int i = 0; i < N_SLOTS; i++) {
    const slot *z = &c->sl[i];
    if (!z->used || !(z->h > 0) || !(h > z->h) || (best && z->h <= best->h)) continue;
    double q = h / z->h, r = nearbyint(q);
    if (r < 2 || r > 1e9 || !same_step(r * z->h, h) || !matches(z, a, b, n, m, z->h)) continue;
    best = z, *N = (long)r;
  }
  return best;
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
  const int nl = live_states(a, b, n, m, c->live), k = nl + m;
  long N = 0;
  const slot *base = divisor(c, a, b, n, m, h, &N);
  if (base) { /* N steps of a cached propagator: a few squarings, no Pade solve */
    gather_live(c->live, nl, base->p, n, m, c->e);
    power(c->e, k, N, c->work);
  } else if (expm_live(c, a, b, n, m, nl, h))
    return NULL;
  slot *z = victim(c, n, m);
  if (!z) return NULL;
  scatter_live(c->live, nl, c->e, n, m, z->p);
  memcpy(z->key, a, sizeof(double) * (size_t)n * n);
  memcpy(z->key + (size_t)n * n, b, sizeof(double) * (size_t)n * m);
  z->n = n, z->m = m, z->h = h, z->used = 1, z->stamp = c->clock;
  return z->p;
}
