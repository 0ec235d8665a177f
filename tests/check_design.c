/* check_design.c - tests of the sweep designs (hs_design.h): exact grids, Latin hypercube
 * strata, Sobol' points against the published table and its net property, the inverse
 * normal against 20-digit references, population statistics, and every init error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_design.h"
#include "hs_test.h"

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- helpers ----------------------------------------------------------------------------- */

/* A design of n_params linear ranges [0, 1] named "p0", "p1", ..., params owned. */
static void make(hs_design *d, hs_design_kind kind, int n_params, int64_t n_runs, uint64_t seed) {
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->seed = seed;
  d->n_runs = n_runs;
  d->n_params = n_params;
  d->params = calloc((size_t)n_params, sizeof *d->params);
  ck_assert_ptr_nonnull(d->params);
  for (int j = 0; j < n_params; j++) {
    hs_design_param *p = &d->params[j];
    snprintf(p->path, sizeof p->path, "p%d", j);
    p->dist = HS_DIST_RANGE;
    p->lo = 0.0;
    p->hi = 1.0;
    p->n = 2;
  }
}

/* Make parameter p a list of the n values v (owned by the design). */
static void set_list(hs_design_param *p, int n, const double *v) {
  p->dist = HS_DIST_LIST;
  p->n_values = n;
  p->values = malloc(sizeof *p->values * (size_t)n);
  ck_assert_ptr_nonnull(p->values);
  memcpy(p->values, v, sizeof *v * (size_t)n);
}

/* Make parameter p lognormal with the given median and cv. */
static void set_lognormal(hs_design_param *p, double median, double cv) {
  p->dist = HS_DIST_LOGNORMAL;
  p->mean = median;
  p->cv = cv;
}

static void init_ok(hs_design *d) {
  hs_error err = {0};
  int rc = hs_design_init(d, &err);
  ck_assert_msg(rc == HS_OK, "hs_design_init failed: %s", err.msg);
}

/* All runs into a fresh n_runs x n_params array (caller frees). */
static double *all_points(const hs_design *d, int reverse) {
  double *v = malloc(sizeof *v * (size_t)d->n_runs * (size_t)d->n_params);
  ck_assert_ptr_nonnull(v);
  for (int64_t r = 0; r < d->n_runs; r++) {
    int64_t run = reverse ? d->n_runs - 1 - r : r;
    hs_design_point(d, run, v + run * d->n_params);
  }
  return v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ---- names, hash, uniform ---------------------------------------------------------------- */

START_TEST(test_kind_names) {
  const char *names[] = {"grid", "lhs", "sobol", "random", "population", "saltelli", "morris",
                         "table"};
  for (int k = 0; k < 8; k++) {
    ck_assert_str_eq(hs_design_kind_name((hs_design_kind)k), names[k]);
    ck_assert_int_eq(hs_design_kind_parse(names[k]), k);
  }
  ck_assert_int_eq(hs_design_kind_parse("Sobol"), -1);
  ck_assert_int_eq(hs_design_kind_parse(""), -1);
  ck_assert_int_eq(hs_design_kind_parse(NULL), -1);
  ck_assert_str_eq(hs_design_kind_name((hs_design_kind)8), "unknown");
}
END_TEST

START_TEST(test_hash) {
  uint64_t h = hs_design_hash(2385, 17, 4);
  ck_assert_uint_eq(h, hs_design_hash(2385, 17, 4));
  ck_assert_uint_ne(h, hs_design_hash(2386, 17, 4));
  ck_assert_uint_ne(h, hs_design_hash(2385, 18, 4));
  ck_assert_uint_ne(h, hs_design_hash(2385, 17, 5));
  ck_assert_uint_ne(hs_design_hash(0, 1, 2), hs_design_hash(0, 2, 1));
  /* Avalanche: flipping one input bit flips about half the output bits. */
  double flips = 0;
  for (int bit = 0; bit < 64; bit++)
    flips += __builtin_popcountll(h ^ hs_design_hash(2385, 17, 4 ^ (1ULL << bit)));
  ck_assert_msg(fabs(flips / 64 - 32) < 3, "mean flipped bits %g", flips / 64);
}
END_TEST

START_TEST(test_uniform) {
  double sum = 0, lo = 1, hi = 0;
  const int n = 100000;
  for (int i = 0; i < n; i++) {
    double u = hs_design_uniform(99, (uint64_t)i, 3);
    ck_assert(u > 0.0 && u < 1.0);
    double k = u * 4503599627370496.0 - 0.5; /* on the lattice (k + 1/2) 2^-52 */
    ck_assert(k == floor(k));
    sum += u;
    lo = fmin(lo, u);
    hi = fmax(hi, u);
  }
  ck_assert_msg(fabs(sum / n - 0.5) < 0.003, "mean %g", sum / n);
  ck_assert(lo < 1e-4 && hi > 1 - 1e-4);
  ck_assert(hs_design_uniform(1, 2, 3) == hs_design_uniform(1, 2, 3));
}
END_TEST

/* ---- inverse normal ------------------------------------------------------------------------ */

/* References: mpmath at 50 digits, root of Phi(x) = p for the double p. */
static const struct {
  double p, x;
} NORM_REF[] = {
    {1e-300, -37.047096299361199237},
    {1e-100, -21.273453560965324294},
    {1e-20, -9.2623400897984075796},
    {1e-10, -6.3613409024040561991},
    {0.001, -3.0902323061678135354},
    {0.02425, -1.9729610513118848376},
    {0.025, -1.9599639845400542118},
    {0.1, -1.2815515655446004353},
    {0.3, -0.52440051270804081597},
    {0.4999999999990905, -2.2797651350911114627e-12},
    {0.5000000001, 2.5066284820303539022e-10},
    {0.7, 0.52440051270804065631},
    {0.975, 1.9599639845400538556},
    {0.999, 3.0902323061678132778},
    {0.9999999999, 6.3613408896974218642},
    {0.9999999999999999, 8.2095361516013868556},
};

START_TEST(test_norm_inv_ref) {
  HS_ASSERT_REL(hs_design_norm_inv(NORM_REF[_i].p), NORM_REF[_i].x, 1e-12);
}
END_TEST

START_TEST(test_norm_inv_edges) {
  ck_assert(fabs(hs_design_norm_inv(0.975) - 1.959963984540054) < 1e-12);
  ck_assert(hs_design_norm_inv(0.5) == 0.0);
  ck_assert(isinf(hs_design_norm_inv(0.0)) && hs_design_norm_inv(0.0) < 0);
  ck_assert(isinf(hs_design_norm_inv(1.0)) && hs_design_norm_inv(1.0) > 0);
  ck_assert(isinf(hs_design_norm_inv(-0.5)) && isinf(hs_design_norm_inv(1.5)));
  ck_assert(isnan(hs_design_norm_inv(NAN)));
  ck_assert(isfinite(hs_design_norm_inv(5e-324))); /* denormal: Acklam alone, still finite */
  /* Exact symmetry (1 - p is exact for p >= 1/2). */
  const double ps[] = {0.5000001, 0.6, 0.8413, 0.975, 0.99999, 1 - 1e-12};
  for (int i = 0; i < NCASES(ps); i++)
    ck_assert(hs_design_norm_inv(ps[i]) == -hs_design_norm_inv(1.0 - ps[i]));
  /* Round trip through erfc over 300 decades and the centre. Rounding x to a double alone
   * moves Phi(x) by a relative x^2 * 2^-52, hence the tolerance. */
  for (int k = 1; k <= 300; k++) {
    double p = pow(10.0, -k), x = hs_design_norm_inv(p);
    HS_ASSERT_REL(0.5 * erfc(-x / sqrt(2.0)), p, 1e-14 + 4.5e-16 * x * x);
  }
  for (int k = 1; k < 100; k++) {
    double p = k / 100.0, x = hs_design_norm_inv(p);
    HS_ASSERT_REL(0.5 * erfc(-x / sqrt(2.0)), p, 1e-14);
  }
}
END_TEST

/* ---- permutation --------------------------------------------------------------------------- */

START_TEST(test_permute_bijection) {
  const uint64_t ns[] = {1, 2, 3, 7, 1000, 4097};
  unsigned char *seen = malloc(4097);
  ck_assert_ptr_nonnull(seen);
  for (int c = 0; c < NCASES(ns); c++)
    for (uint64_t key = 0; key < 3; key++) {
      uint64_t n = ns[c];
      memset(seen, 0, n);
      for (uint64_t i = 0; i < n; i++) {
        uint64_t y = hs_design_permute(i, n, 2385, key);
        ck_assert_msg(y < n, "n %llu: %llu -> %llu", (unsigned long long)n,
                      (unsigned long long)i, (unsigned long long)y);
        ck_assert_msg(!seen[y], "n %llu: %llu hit twice", (unsigned long long)n,
                      (unsigned long long)y);
        seen[y] = 1;
      }
    }
  free(seen);
}
END_TEST

START_TEST(test_permute_keys) {
  /* Different keys and seeds give different permutations. */
  int diff_key = 0, diff_seed = 0, fixed = 0;
  for (uint64_t i = 0; i < 1000; i++) {
    uint64_t y = hs_design_permute(i, 1000, 7, 0);
    diff_key += y != hs_design_permute(i, 1000, 7, 1);
    diff_seed += y != hs_design_permute(i, 1000, 8, 0);
    fixed += y == i;
  }
  ck_assert_msg(diff_key > 900 && diff_seed > 900, "%d %d", diff_key, diff_seed);
  ck_assert_msg(fixed < 10, "%d fixed points", fixed);
  int differ = 0; /* n = 2 has two permutations: both appear among 16 keys */
  for (uint64_t key = 1; key < 16; key++)
    differ += hs_design_permute(0, 2, 7, key) != hs_design_permute(0, 2, 7, 0);
  ck_assert(differ > 0 && differ < 15);
  /* The largest domain, and the out-of-range precondition. */
  const uint64_t big = 1ULL << 53;
  uint64_t a = hs_design_permute(0, big, 1, 2), b = hs_design_permute(big - 1, big, 1, 2);
  ck_assert(a < big && b < big && a != b);
  ck_assert_uint_eq(hs_design_permute(5, 5, 1, 2), 5);
  ck_assert_uint_eq(hs_design_permute(0, 0, 1, 2), 0);
}
END_TEST

/* ---- Sobol' ------------------------------------------------------------------------------ */

/* Joe & Kuo's sobol.cc output (Gray-code order, their dims 1..5 = ours 0..4) for points
 * 0..7; dims 0 and 1 are also SciPy's documented qmc.Sobol(d=2, scramble=False) points. */
static const double SOBOL_GRAY[5][8] = {
    {0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125},
    {0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625},
    {0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375},
    {0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125},
    {0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125},
};

/* Joe & Kuo's sobol.cc algorithm (32-bit, Gray-code order, sequential X_i = X_(i-1) ^ V_c)
 * run in Python on the rows d = 2..21 of new-joe-kuo-6.21201.txt: point X / 2^32 at these
 * Gray-order positions, every dimension. The last position exercises all 32 direction
 * integers, so the recurrence and the bit order of `a` are checked, not only the m_i. */
static const uint64_t SOBOL_GRAY_POS[6] = {5, 77, 1000, 12345, 999999, 2147495993ULL};
static const uint32_t SOBOL_JK32[HS_SOBOL_MAX_DIM][6] = {
    {0xe0000000, 0xd6000000, 0x38400000, 0xa4140000, 0x04c71000, 0xa4140003},
    {0xe0000000, 0xd6000000, 0x18c00000, 0xd03c0000, 0xe5d9f000, 0x85695555},
    {0x20000000, 0x02000000, 0x84c00000, 0x290c0000, 0x5df79000, 0x620cbbbb},
    {0x60000000, 0xc6000000, 0xad400000, 0x86dc0000, 0x09123000, 0xf6db0031},
    {0xe0000000, 0xd6000000, 0x47c00000, 0xe3740000, 0xdaefd000, 0x73766de7},
    {0xa0000000, 0x82000000, 0xe8400000, 0x0f140000, 0x9d893000, 0xcf796d6d},
    {0xe0000000, 0x3a000000, 0x0bc00000, 0x20940000, 0xc682d000, 0x60a4bc11},
    {0x60000000, 0xa6000000, 0xe6400000, 0x1d040000, 0x164c9000, 0x56f236c3},
    {0x60000000, 0x2e000000, 0x80400000, 0xcd440000, 0x26e81000, 0xc17b02b3},
    {0x20000000, 0x6e000000, 0x11c00000, 0x6dfc0000, 0xcb207000, 0x569191d3},
    {0x60000000, 0x22000000, 0x15c00000, 0x13040000, 0x3d69b000, 0x4d740e37},
    {0xe0000000, 0xca000000, 0x41400000, 0x994c0000, 0x78619000, 0xd06930df},
    {0xe0000000, 0x7e000000, 0x29400000, 0xee540000, 0xa7f19000, 0xa1a501ad},
    {0x20000000, 0x56000000, 0x62400000, 0xf11c0000, 0xca893000, 0x69ec00e1},
    {0xe0000000, 0xfe000000, 0x24c00000, 0x08d40000, 0x3c2bd000, 0x04e4c307},
    {0x60000000, 0x12000000, 0x5ec00000, 0xa40c0000, 0xf1521000, 0x2b4bb533},
    {0xe0000000, 0xd2000000, 0xb8400000, 0x10040000, 0x87693000, 0x62cb7941},
    {0x60000000, 0xe2000000, 0x58400000, 0x0d0c0000, 0x77ea9000, 0xe9df4d8b},
    {0x60000000, 0xca000000, 0xfdc00000, 0x51c40000, 0x39c7f000, 0xfdcf90e5},
    {0xa0000000, 0x02000000, 0xb9c00000, 0x57ec0000, 0xafddf000, 0x88ec0005},
    {0xa0000000, 0x26000000, 0x85c00000, 0x33040000, 0x8045f000, 0x98050003},
};

START_TEST(test_sobol_joe_kuo_all_dims) {
  for (int dim = 0; dim < HS_SOBOL_MAX_DIM; dim++)
    for (int c = 0; c < NCASES(SOBOL_GRAY_POS); c++) {
      uint64_t g = SOBOL_GRAY_POS[c];
      double got = ldexp(hs_design_sobol(g ^ (g >> 1), dim), 32);
      ck_assert_msg(got == (double)SOBOL_JK32[dim][c], "dim %d position %llu: %.0f vs %u", dim,
                    (unsigned long long)g, got, (unsigned)SOBOL_JK32[dim][c]);
    }
}
END_TEST

START_TEST(test_sobol_published) {
  /* Natural order: point i is the Gray-order point g with g ^ (g >> 1) = i. */
  for (int dim = 0; dim < 5; dim++)
    for (uint64_t g = 0; g < 8; g++)
      ck_assert_msg(hs_design_sobol(g ^ (g >> 1), dim) == SOBOL_GRAY[dim][g],
                    "dim %d gray %d: %g vs %g", dim, (int)g, hs_design_sobol(g ^ (g >> 1), dim),
                    SOBOL_GRAY[dim][g]);
  /* Dim 0 is van der Corput: bit reversal of the index. */
  const double vdc[] = {0, 0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.0625};
  for (int i = 0; i < NCASES(vdc); i++) ck_assert(hs_design_sobol((uint64_t)i, 0) == vdc[i]);
  /* dim 2, natural order, as listed in the task: 0.5, 0.75, 0.25, 0.375, 0.875 */
  const double d2[] = {0.5, 0.75, 0.25, 0.375, 0.875};
  for (int i = 0; i < NCASES(d2); i++) ck_assert(hs_design_sobol((uint64_t)i + 1, 2) == d2[i]);
  ck_assert(hs_design_sobol(1ULL << 40, 0) == ldexp(1.0, -41));
  ck_assert(hs_design_sobol(3, HS_SOBOL_MAX_DIM) == 0.0);
  ck_assert(hs_design_sobol(3, -1) == 0.0);
}
END_TEST

/* The first 2^k values of a coordinate put exactly 2^(k-m) in each [i 2^-m, (i+1) 2^-m). */
static void check_strata_1d(const double *x, int stride, int k, const char *what) {
  int count[1 << 12];
  for (int m = 0; m <= k; m++) {
    memset(count, 0, sizeof(int) << m);
    for (int i = 0; i < (1 << k); i++) count[(int)ldexp(x[i * stride], m)]++;
    for (int c = 0; c < (1 << m); c++)
      ck_assert_msg(count[c] == 1 << (k - m), "%s: k %d m %d cell %d holds %d", what, k, m, c,
                    count[c]);
  }
}

/* (0, k, 2)-net: every box of 2^-a x 2^-(k-a) holds exactly one of the first 2^k points. */
static void check_net_2d(const double *x, const double *y, int stride, int k, const char *what) {
  int count[1 << 12];
  for (int a = 0; a <= k; a++) {
    memset(count, 0, sizeof(int) << k);
    for (int i = 0; i < (1 << k); i++) {
      int cx = (int)ldexp(x[i * stride], a), cy = (int)ldexp(y[i * stride], k - a);
      count[(cx << (k - a)) | cy]++;
    }
    for (int c = 0; c < (1 << k); c++)
      ck_assert_msg(count[c] == 1, "%s: k %d a %d box %d holds %d", what, k, a, c, count[c]);
  }
}

START_TEST(test_sobol_net) {
  enum { K = 12 };
  double *x = malloc(sizeof *x * HS_SOBOL_MAX_DIM << K);
  ck_assert_ptr_nonnull(x);
  for (int i = 0; i < 1 << K; i++)
    for (int dim = 0; dim < HS_SOBOL_MAX_DIM; dim++)
      x[i * HS_SOBOL_MAX_DIM + dim] = hs_design_sobol((uint64_t)i, dim);
  for (int dim = 0; dim < HS_SOBOL_MAX_DIM; dim++)
    for (int k = 0; k <= K; k++) check_strata_1d(x + dim, HS_SOBOL_MAX_DIM, k, "sobol 1-D");
  for (int k = 0; k <= K; k++) check_net_2d(x, x + 1, HS_SOBOL_MAX_DIM, k, "sobol dims 0,1");
  free(x);
}
END_TEST

/* The design's digital shift keeps the net property, origin included, and leaves (0, 1). */
START_TEST(test_sobol_design) {
  enum { K = 10 };
  hs_design d;
  make(&d, HS_DESIGN_SOBOL, 5, 1 << K, 2385);
  init_ok(&d);
  double *v = all_points(&d, 0);
  for (int i = 0; i < (5 << K); i++) ck_assert(v[i] > 0.0 && v[i] < 1.0);
  for (int j = 0; j < 5; j++)
    for (int k = 0; k <= K; k++) check_strata_1d(v + j, 5, k, "sobol design 1-D");
  for (int k = 0; k <= K; k++) check_net_2d(v, v + 1, 5, k, "sobol design dims 0,1");
  ck_assert(v[0] != v[1]); /* run 0 is shifted off the origin, differently per dim */
  free(v);
  hs_design_release(&d);
}
END_TEST

/* ---- grid ---------------------------------------------------------------------------------- */

START_TEST(test_grid) {
  hs_design d;
  make(&d, HS_DESIGN_GRID, 3, 0, 0);
  d.params[0].lo = 2.385; /* linear, 4 points */
  d.params[0].hi = 7.5;
  d.params[0].n = 4;
  const double list[] = {0.3, 1.7};
  set_list(&d.params[1], 2, list);
  d.params[2].log_scale = 1; /* 0.1 .. 1000 in 5 decades-spaced points */
  d.params[2].lo = 0.1;
  d.params[2].hi = 1000.0;
  d.params[2].n = 5;
  init_ok(&d);
  ck_assert_int_eq(d.n_runs, 40);
  const double lin[] = {2.385, 2.385 + (7.5 - 2.385) / 3, 2.385 + 2 * (7.5 - 2.385) / 3, 7.5};
  const double lg[] = {0.1, 1.0, 10.0, 100.0, 1000.0};
  double v[3];
  for (int64_t run = 0; run < 40; run++) {
    hs_design_point(&d, run, v);
    int k0 = (int)(run / 10), k1 = (int)(run / 5 % 2), k2 = (int)(run % 5);
    HS_ASSERT_REL(v[0], lin[k0], 1e-15);
    ck_assert(v[1] == list[k1]);
    HS_ASSERT_REL(v[2], lg[k2], 1e-14);
    if (k0 == 0 || k0 == 3) ck_assert(v[0] == lin[k0]); /* exact ends */
    if (k2 == 0 || k2 == 4) ck_assert(v[2] == lg[k2]);
  }
  hs_design_point(&d, 9, v); /* last parameter fastest: run 9 = (0, 1, 4) */
  ck_assert(v[0] == 2.385 && v[1] == 1.7 && v[2] == 1000.0);
  hs_design_release(&d);
}
END_TEST

START_TEST(test_grid_single_and_max) {
  hs_design d;
  make(&d, HS_DESIGN_GRID, 2, 0, 0);
  d.params[0].n = 1; /* one point: lo */
  d.params[0].lo = 0.35;
  d.params[1].n = 3;
  d.params[1].lo = -1.0;
  d.params[1].hi = 2.385;
  init_ok(&d);
  ck_assert_int_eq(d.n_runs, 3);
  double v[4];
  hs_design_point(&d, 2, v);
  ck_assert(v[0] == 0.35 && v[1] == 2.385);
  hs_design_release(&d);
  /* exactly 2^53 runs is allowed */
  make(&d, HS_DESIGN_GRID, 4, 0, 0);
  for (int j = 0; j < 4; j++) d.params[j].n = j == 3 ? 16384 : 8192;
  init_ok(&d);
  ck_assert(d.n_runs == (int64_t)1 << 53);
  hs_design_point(&d, d.n_runs - 1, v);
  ck_assert(v[0] == 1.0 && v[1] == 1.0);
  hs_design_release(&d);
}
END_TEST

/* ---- Latin hypercube ------------------------------------------------------------------------ */

START_TEST(test_lhs_strata) {
  enum { N = 1000 };
  hs_design d;
  make(&d, HS_DESIGN_LHS, 4, N, 2385);
  const double list[] = {1.5, 2.5, 3.5, 4.5};
  set_list(&d.params[3], 4, list);
  init_ok(&d);
  double *v = all_points(&d, 0);
  for (int j = 0; j < 3; j++) {
    int used[N] = {0};
    for (int r = 0; r < N; r++) {
      double u = v[r * 4 + j];
      ck_assert(u > 0.0 && u < 1.0);
      used[(int)floor(u * N)]++;
    }
    for (int s = 0; s < N; s++)
      ck_assert_msg(used[s] == 1, "param %d stratum %d used %d", j, s, used[s]);
  }
  /* Independent permutations: strata match neither the run order nor each other. */
  int same01 = 0, same02 = 0, in_order = 0;
  double c01 = 0;
  for (int r = 0; r < N; r++) {
    int s0 = (int)floor(v[r * 4] * N), s1 = (int)floor(v[r * 4 + 1] * N);
    same01 += s0 == s1;
    same02 += s0 == (int)floor(v[r * 4 + 2] * N);
    in_order += s0 == r;
    c01 += (v[r * 4] - 0.5) * (v[r * 4 + 1] - 0.5);
  }
  ck_assert_msg(same01 < 10 && same02 < 10 && in_order < 10, "%d %d %d", same01, same02, in_order);
  ck_assert_msg(fabs(c01 / N * 12) < 0.1, "correlation of params 0 and 1: %g", c01 / N * 12);
  int picks[4] = {0}; /* a list of 4 under 1000 strata: each value exactly 250 times */
  for (int r = 0; r < N; r++) picks[(int)(v[r * 4 + 3] - 1.5)]++;
  for (int k = 0; k < 4; k++) ck_assert_int_eq(picks[k], 250);
  free(v);
  hs_design_release(&d);
}
END_TEST

/* Normal, lognormal and log-range mappings through the LHS quantiles. */
START_TEST(test_lhs_distributions) {
  enum { N = 4000 };
  hs_design d;
  make(&d, HS_DESIGN_LHS, 3, N, 11);
  d.params[0].dist = HS_DIST_NORMAL;
  d.params[0].mean = 2.385;
  d.params[0].sd = 0.5;
  set_lognormal(&d.params[1], 13.7, 0.4);
  d.params[2].log_scale = 1;
  d.params[2].lo = 0.01;
  d.params[2].hi = 100.0;
  init_ok(&d);
  double *v = all_points(&d, 0);
  double s0 = 0, q0 = 0, s1 = 0, q1 = 0, below1 = 0;
  for (int r = 0; r < N; r++) {
    s0 += v[r * 3];
    q0 += v[r * 3] * v[r * 3];
    double l = log(v[r * 3 + 1]);
    s1 += l;
    q1 += l * l;
    ck_assert(v[r * 3 + 2] > 0.01 && v[r * 3 + 2] < 100.0);
    below1 += v[r * 3 + 2] < 1.0;
  }
  double m0 = s0 / N, sd0 = sqrt(q0 / N - m0 * m0), m1 = s1 / N, sd1 = sqrt(q1 / N - m1 * m1);
  ck_assert_msg(fabs(m0 - 2.385) < 1e-3, "normal mean %g", m0);
  HS_ASSERT_REL(sd0, 0.5, 0.01);
  HS_ASSERT_REL(exp(m1), 13.7, 1e-3);
  HS_ASSERT_REL(sd1, sqrt(log(1.16)), 0.01);
  ck_assert_int_eq((int)below1, N / 2); /* log scale: the geometric midpoint splits strata */
  free(v);
  hs_design_release(&d);
}
END_TEST

/* ---- random, reproducibility, run order ---------------------------------------------------- */

START_TEST(test_random_mean) {
  enum { N = 20000 };
  hs_design d;
  make(&d, HS_DESIGN_RANDOM, 2, N, 5);
  init_ok(&d);
  double *v = all_points(&d, 0);
  double s[2] = {0}, q[2] = {0};
  for (int r = 0; r < N; r++)
    for (int j = 0; j < 2; j++) {
      s[j] += v[r * 2 + j];
      q[j] += v[r * 2 + j] * v[r * 2 + j];
    }
  for (int j = 0; j < 2; j++) {
    ck_assert_msg(fabs(s[j] / N - 0.5) < 0.01, "mean %g", s[j] / N);
    double var = q[j] / N - (s[j] / N) * (s[j] / N);
    ck_assert_msg(fabs(var - 1.0 / 12) < 0.003, "variance %g", var);
  }
  free(v);
  hs_design_release(&d);
}
END_TEST

/* A design of each sampled kind with mixed distributions (population: lognormal only). */
static void make_mixed(hs_design *d, hs_design_kind kind, uint64_t seed) {
  make(d, kind, 3, 257, seed);
  if (kind == HS_DESIGN_POPULATION) {
    for (int j = 0; j < 3; j++) set_lognormal(&d->params[j], 1.0 + j, 0.3);
  } else {
    const double list[] = {-1, 0, 1};
    set_list(&d->params[1], 3, list);
    set_lognormal(&d->params[2], 2.385, 0.25);
  }
  init_ok(d);
}

START_TEST(test_reproducible) {
  const hs_design_kind kinds[] = {HS_DESIGN_LHS, HS_DESIGN_SOBOL, HS_DESIGN_RANDOM,
                                  HS_DESIGN_POPULATION};
  hs_design a, b, c;
  make_mixed(&a, kinds[_i], 42);
  make_mixed(&b, kinds[_i], 42);
  make_mixed(&c, kinds[_i], 43);
  double *va = all_points(&a, 0), *vb = all_points(&b, 0), *vc = all_points(&c, 0);
  double *vr = all_points(&a, 1); /* reverse run order */
  size_t bytes = sizeof *va * 257 * 3;
  ck_assert(memcmp(va, vb, bytes) == 0);
  ck_assert(memcmp(va, vr, bytes) == 0);
  int differ = 0;
  for (int i = 0; i < 257 * 3; i++) differ += va[i] != vc[i];
  ck_assert_msg(differ > 257 * 3 / 2, "%s: only %d values differ between seeds",
                hs_design_kind_name(kinds[_i]), differ);
  free(va);
  free(vb);
  free(vc);
  free(vr);
  hs_design_release(&a);
  hs_design_release(&b);
  hs_design_release(&c);
}
END_TEST

START_TEST(test_grid_reverse) {
  hs_design d;
  make(&d, HS_DESIGN_GRID, 3, 0, 0);
  for (int j = 0; j < 3; j++) d.params[j].n = 3 + j;
  init_ok(&d);
  double *f = all_points(&d, 0), *r = all_points(&d, 1);
  ck_assert(memcmp(f, r, sizeof *f * (size_t)d.n_runs * 3) == 0);
  free(f);
  free(r);
  hs_design_release(&d);
}
END_TEST

/* ---- population ------------------------------------------------------------------------------ */

/* Log-SD, median of each parameter and the correlation of the logs over n runs. */
static void population_stats(const hs_design *d, double *sd, double *median, double *corr) {
  int n = (int)d->n_runs;
  double *v = all_points(d, 0), *col = malloc(sizeof *col * (size_t)n);
  ck_assert_ptr_nonnull(col);
  double m[2] = {0}, q[2] = {0}, cross = 0;
  for (int r = 0; r < n; r++) {
    double l0 = log(v[r * 2]), l1 = log(v[r * 2 + 1]);
    m[0] += l0, m[1] += l1, q[0] += l0 * l0, q[1] += l1 * l1, cross += l0 * l1;
  }
  for (int j = 0; j < 2; j++) {
    m[j] /= n;
    sd[j] = sqrt(q[j] / n - m[j] * m[j]);
    for (int r = 0; r < n; r++) col[r] = v[r * 2 + j];
    qsort(col, (size_t)n, sizeof *col, cmp_double);
    median[j] = 0.5 * (col[n / 2 - 1] + col[n / 2]);
  }
  *corr = (cross / n - m[0] * m[1]) / (sd[0] * sd[1]);
  free(col);
  free(v);
}

START_TEST(test_population) {
  /* Without correlation the second parameter has cv 80 %: omega = 0.703, not 0.8, so a
   * missing log(1 + cv^2) cannot hide inside the 3 % tolerance as it could at cv 30 %. */
  const double base[2] = {2.385, 0.0715};
  for (int with_corr = 0; with_corr < 2; with_corr++) {
    const double cv[2] = {0.3, with_corr ? 0.3 : 0.8};
    hs_design d;
    make(&d, HS_DESIGN_POPULATION, 2, 20000, 2385);
    for (int j = 0; j < 2; j++) set_lognormal(&d.params[j], base[j], cv[j]);
    if (with_corr) {
      d.corr = malloc(sizeof *d.corr * 4);
      ck_assert_ptr_nonnull(d.corr);
      d.corr[0] = d.corr[3] = 1.0;
      d.corr[1] = d.corr[2] = 0.6;
    }
    init_ok(&d);
    ck_assert(with_corr ? d.chol != NULL : d.chol == NULL);
    double sd[2], median[2], corr;
    population_stats(&d, sd, median, &corr);
    for (int j = 0; j < 2; j++) {
      HS_ASSERT_REL(sd[j], sqrt(log(1.0 + cv[j] * cv[j])), 0.03);
      HS_ASSERT_REL(median[j], base[j], 0.02);
    }
    ck_assert_msg(fabs(corr - (with_corr ? 0.6 : 0.0)) < 0.03, "corr %g", corr);
    hs_design_release(&d);
  }
}
END_TEST

/* ---- init errors ------------------------------------------------------------------------- */

typedef void (*mutate_fn)(hs_design *d);

static void m_lo_hi(hs_design *d) {
  snprintf(d->params[1].path, sizeof d->params[1].path, "tumor.perfusion");
  d->params[1].lo = 60;
  d->params[1].hi = 6;
}
static void m_inf(hs_design *d) { d->params[0].hi = INFINITY; }
static void m_log_lo(hs_design *d) {
  snprintf(d->params[0].path, sizeof d->params[0].path, "liver.volume");
  d->params[0].log_scale = 1;
}
static void m_grid_normal(hs_design *d) {
  d->kind = HS_DESIGN_GRID;
  d->params[1].dist = HS_DIST_NORMAL;
  d->params[1].sd = 1;
}
static void m_grid_lognormal(hs_design *d) {
  d->kind = HS_DESIGN_GRID;
  set_lognormal(&d->params[0], 1, 0.3);
}
static void m_grid_n0(hs_design *d) {
  d->kind = HS_DESIGN_GRID;
  d->params[1].n = 0;
}
static void m_grid_huge(hs_design *d) {
  d->kind = HS_DESIGN_GRID;
  d->params[0].n = 1 << 27;
  d->params[1].n = (1 << 26) + 1;
}
static void m_list_empty(hs_design *d) {
  d->params[0].dist = HS_DIST_LIST; /* values NULL, n_values 0 */
}
static void m_list_nan(hs_design *d) {
  const double v[] = {1, NAN};
  set_list(&d->params[1], 2, v);
}
static void m_normal_sd(hs_design *d) {
  d->params[0].dist = HS_DIST_NORMAL;
  d->params[0].mean = 1;
  d->params[0].sd = -0.5;
}
static void m_lognormal_median(hs_design *d) { set_lognormal(&d->params[1], 0, 0.3); }
static void m_lognormal_cv(hs_design *d) { set_lognormal(&d->params[0], 2.385, -0.1); }
static void m_population_range(hs_design *d) {
  d->kind = HS_DESIGN_POPULATION;
  set_lognormal(&d->params[0], 1, 0.3);
}
static void m_sobol_dims(hs_design *d) {
  free(d->params);
  make(d, HS_DESIGN_SOBOL, 22, 64, 1);
}
static void m_runs_zero(hs_design *d) { d->n_runs = 0; }
static void m_runs_huge(hs_design *d) { d->n_runs = ((int64_t)1 << 53) + 1; }
static void m_sobol_runs(hs_design *d) {
  d->kind = HS_DESIGN_SOBOL;
  d->n_runs = (int64_t)1 << 52;
}
static void m_no_params(hs_design *d) { d->n_params = 0; }
static void m_bad_kind(hs_design *d) { d->kind = (hs_design_kind)9; }
static void set_corr(hs_design *d, double c01, double d00) {
  d->kind = HS_DESIGN_POPULATION;
  for (int j = 0; j < 2; j++) set_lognormal(&d->params[j], 1, 0.3);
  d->corr = malloc(sizeof *d->corr * 4);
  ck_assert_ptr_nonnull(d->corr);
  d->corr[0] = d00;
  d->corr[1] = d->corr[2] = c01;
  d->corr[3] = 1.0;
}
static void m_corr_singular(hs_design *d) { set_corr(d, 1.0, 1.0); }
static void m_corr_indefinite(hs_design *d) { set_corr(d, 1.2, 1.0); }
static void m_corr_diag(hs_design *d) { set_corr(d, 0.5, 0.9); }
static void m_corr_asym(hs_design *d) {
  set_corr(d, 0.5, 1.0);
  d->corr[2] = 0.4;
}
static void m_corr_lhs(hs_design *d) {
  set_corr(d, 0.5, 1.0);
  d->kind = HS_DESIGN_LHS;
}

static const struct {
  mutate_fn mutate;
  const char *msg;
} BAD[] = {
    {m_lo_hi, "sweep parameter 'tumor.perfusion': lo 60 must be below hi 6"},
    {m_inf, "sweep parameter 'p0': lo 0 and hi inf must be finite"},
    {m_log_lo, "sweep parameter 'liver.volume': log scale needs lo > 0, got 0"},
    {m_grid_normal, "sweep parameter 'p1': design 'grid' takes ranges with n points or lists, "
                    "not a normal distribution"},
    {m_grid_lognormal, "sweep parameter 'p0': design 'grid' takes ranges with n points or lists, "
                       "not a lognormal distribution"},
    {m_grid_n0, "sweep parameter 'p1': a grid range needs n >= 1 points, got 0"},
    {m_grid_huge, "the grid has more than 2^53 runs"},
    {m_list_empty, "sweep parameter 'p0': the list is empty"},
    {m_list_nan, "sweep parameter 'p1': list value 2 is nan"},
    {m_normal_sd, "sweep parameter 'p0': normal needs a finite mean and sd >= 0, got 1, -0.5"},
    {m_lognormal_median, "sweep parameter 'p1': lognormal needs a median > 0, got 0"},
    {m_lognormal_cv, "sweep parameter 'p0': cv must be >= 0, got -0.1"},
    {m_population_range, "sweep parameter 'p1': design 'population' takes lognormal variability "
                         "(a cv), not a range"},
    {m_sobol_dims, "design 'sobol' supports at most 21 parameters, got 22"},
    {m_runs_zero, "design 'lhs' needs n_runs >= 1, got 0"},
    {m_runs_huge, "design 'lhs' supports at most 9007199254740992 runs, got 9007199254740993"},
    {m_sobol_runs, "design 'sobol' supports at most 4503599627370495 runs, got 4503599627370496"},
    {m_no_params, "design 'lhs' has no parameters"},
    {m_bad_kind, "unknown design kind 9"},
    {m_corr_singular, "correlation matrix is not positive definite"},
    {m_corr_indefinite, "correlation matrix is not positive definite"},
    {m_corr_diag, "correlation matrix must be symmetric with 1 on the diagonal"},
    {m_corr_asym, "correlation matrix must be symmetric with 1 on the diagonal"},
    {m_corr_lhs, "a correlation matrix needs design 'population', not 'lhs'"},
};

START_TEST(test_init_errors) {
  hs_design d;
  make(&d, HS_DESIGN_LHS, 2, 100, 1);
  BAD[_i].mutate(&d);
  hs_error err = {0};
  ck_assert_int_eq(hs_design_init(&d, &err), HS_EINPUT);
  ck_assert_int_eq(err.code, HS_EINPUT);
  ck_assert_msg(strcmp(err.msg, BAD[_i].msg) == 0, "message '%s', want '%s'", err.msg,
                BAD[_i].msg);
  ck_assert_ptr_null(d.chol);
  ck_assert_int_eq(hs_design_init(&d, NULL), HS_EINPUT); /* no error record: same status */
  int n = d.n_params;
  d.n_params = n > 0 ? n : 2; /* m_no_params: let release free both */
  hs_design_release(&d);
  ck_assert_ptr_null(d.params);
}
END_TEST

START_TEST(test_release_zeroed) {
  hs_design d = {0};
  hs_design_release(&d);
  hs_design_release(NULL);
  make(&d, HS_DESIGN_POPULATION, 2, 10, 1);
  set_corr(&d, 0.3, 1.0);
  init_ok(&d);
  init_ok(&d); /* a second init replaces the factor */
  hs_design_release(&d);
  ck_assert_ptr_null(d.corr);
  ck_assert_ptr_null(d.chol);
  ck_assert_int_eq(d.n_params, 0);
}
END_TEST

Suite *hs_suite_design(void) {
  Suite *s = suite_create("design");
  TCase *tc = tcase_create("blocks");
  tcase_add_test(tc, test_kind_names);
  tcase_add_test(tc, test_hash);
  tcase_add_test(tc, test_uniform);
  tcase_add_loop_test(tc, test_norm_inv_ref, 0, NCASES(NORM_REF));
  tcase_add_test(tc, test_norm_inv_edges);
  tcase_add_test(tc, test_permute_bijection);
  tcase_add_test(tc, test_permute_keys);
  tcase_add_test(tc, test_sobol_published);
  tcase_add_test(tc, test_sobol_joe_kuo_all_dims);
  tcase_add_test(tc, test_sobol_net);
  suite_add_tcase(s, tc);
  tc = tcase_create("designs");
  tcase_add_test(tc, test_sobol_design);
  tcase_add_test(tc, test_grid);
  tcase_add_test(tc, test_grid_single_and_max);
  tcase_add_test(tc, test_grid_reverse);
  tcase_add_test(tc, test_lhs_strata);
  tcase_add_test(tc, test_lhs_distributions);
  tcase_add_test(tc, test_random_mean);
  tcase_add_loop_test(tc, test_reproducible, 0, 4);
  tcase_add_test(tc, test_population);
  suite_add_tcase(s, tc);
  tc = tcase_create("errors");
  tcase_add_loop_test(tc, test_init_errors, 0, NCASES(BAD));
  tcase_add_test(tc, test_release_zeroed);
  suite_add_tcase(s, tc);
  return s;
}
