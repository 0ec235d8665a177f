/* check_nvec.c - the compiled vector kernels (solver/engine/nvec.c) give bit for bit what
 * SUNDIALS' serial N_Vector gives, in place and out of place, for every special case of
 * N_VLinearSum and the generic fallbacks of the fused operations. */
#include <nvector/nvector_serial.h>
#include <stdint.h>
#include <string.h>
#include <sundials/sundials_version.h>

#include "engine/nvec.h"
#include "hs_test.h"

#if SUNDIALS_VERSION_MAJOR >= 7
#define HS_TEST_SUN_COMM SUN_COMM_NULL
#else
#define HS_TEST_SUN_COMM NULL
#endif

#define NV 5  /* vectors per set */
#define LEN 23 /* odd, so vectorised loops also run their scalar tail */

typedef struct vset {
  SUNContext ctx;
  N_Vector v[NV];
} vset;

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) { /* xorshift64: reproducible values in [-2, 2), some exact zeros */
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  double u = (double)(rng_state >> 11) / 9007199254740992.0;
  return u < 0.05 ? 0.0 : 4 * u - 2;
}

/* Two sets with the same values: ref (SUNDIALS' kernels) and fast (hs__nvec_compiled_ops;
 * its clones inherit the kernels). */
static void make_sets(vset *ref, vset *fast) {
  ck_assert_int_eq(SUNContext_Create(HS_TEST_SUN_COMM, &ref->ctx), 0);
  ck_assert_int_eq(SUNContext_Create(HS_TEST_SUN_COMM, &fast->ctx), 0);
  N_Vector tmpl = N_VNew_Serial(LEN, fast->ctx);
  hs__nvec_compiled_ops(tmpl);
  for (int k = 0; k < NV; k++) {
    ref->v[k] = N_VNew_Serial(LEN, ref->ctx);
    fast->v[k] = N_VClone(tmpl);
    for (int i = 0; i < LEN; i++)
      NV_Ith_S(ref->v[k], i) = NV_Ith_S(fast->v[k], i) = k == 4 ? 0.5 + (i % 3) : rnd();
  }
  N_VDestroy(tmpl);
}

static void free_set(vset *s) {
  for (int k = 0; k < NV; k++) N_VDestroy(s->v[k]);
  SUNContext_Free(&s->ctx);
}

static void assert_same(const vset *a, const vset *b, const char *what) {
  for (int k = 0; k < NV; k++)
    if (memcmp(NV_DATA_S(a->v[k]), NV_DATA_S(b->v[k]), sizeof(double) * LEN) != 0)
      ck_abort_msg("%s: vector %d differs from SUNDIALS' result", what, k);
}

/* The (a, b) pairs that select each branch of N_VLinearSum_Serial. */
static const double AB[][2] = {{1, 1},    {1, -1},   {-1, 1},  {0.3, 1}, {1, 0.3},
                               {-1, 0.3}, {0.3, -1}, {-1, -1}, {0.7, 0.7}, {0.7, -0.7},
                               {0.3, 0.6}, {0, 0},   {2, 0}};

START_TEST(test_linearsum_branches) {
  vset r, f;
  make_sets(&r, &f);
  for (size_t c = 0; c < sizeof AB / sizeof AB[0]; c++)
    for (int out = 0; out < 3; out++) { /* z separate, z = x, z = y */
      int z = out == 0 ? 2 : out == 1 ? 0 : 1;
      N_VLinearSum(AB[c][0], r.v[0], AB[c][1], r.v[1], r.v[z]);
      N_VLinearSum(AB[c][0], f.v[0], AB[c][1], f.v[1], f.v[z]);
      assert_same(&r, &f, "N_VLinearSum");
    }
  free_set(&r), free_set(&f);
}
END_TEST

START_TEST(test_elementwise_and_norms) {
  vset r, f;
  make_sets(&r, &f);
  vset *s[2] = {&r, &f};
  double norms[2][6];
  for (int k = 0; k < 2; k++) {
    N_Vector *v = s[k]->v;
    N_VScale(1.7, v[0], v[2]);
    N_VScale(-1, v[1], v[1]);
    N_VProd(v[0], v[1], v[3]);
    N_VDiv(v[2], v[4], v[2]);
    N_VAbs(v[3], v[3]);
    N_VAddConst(v[1], 0.25, v[1]);
    N_VCompare(0.9, v[0], v[0]);
    norms[k][0] = N_VWrmsNorm(v[1], v[4]);
    norms[k][1] = N_VWrmsNormMask(v[2], v[4], v[0]);
    norms[k][2] = N_VMaxNorm(v[3]);
    norms[k][3] = N_VMin(v[2]);
    norms[k][4] = N_VInvTest(v[4], v[4]);
    N_VInv(v[4], v[4]);
    norms[k][5] = N_VInvTest(v[3], v[2]); /* v[3] has zeros: false */
  }
  assert_same(&r, &f, "elementwise operations");
  ck_assert_mem_eq(norms[0], norms[1], sizeof norms[0]);
  ck_assert_double_eq(norms[0][5], 0);
  N_VConst(0.125, r.v[1]), N_VConst(0.125, f.v[1]);
  assert_same(&r, &f, "N_VConst");
  free_set(&r), free_set(&f);
}
END_TEST

/* N_VLinearCombination against the generic fallback (fused operations are off in the
 * serial vector): z apart, z = X[0], and z = X[j] further on; c = +-1 and equal pairs. */
START_TEST(test_fused_operations) {
  vset r, f;
  make_sets(&r, &f);
  double c[4][4] = {{0.5, -1.5, 2.0, 0.25}, {1, 1, -1, 0.3}, {0.7, 0.7, 0.7, -1}, {-1, 1, 1, 1}};
  for (int nv = 1; nv <= 4; nv++)
    for (int ci = 0; ci < 4; ci++)
      for (int z = 0; z < 3; z++) { /* 0: X[0] is z, 1: X[1] is z, 2: z apart */
        int zi = z == 2 ? 4 : z;
        N_Vector xr[4] = {r.v[0], r.v[1], r.v[2], r.v[3]}, xf[4] = {f.v[0], f.v[1], f.v[2], f.v[3]};
        ck_assert_int_eq(N_VLinearCombination(nv, c[ci], xr, r.v[zi]), 0);
        ck_assert_int_eq(N_VLinearCombination(nv, c[ci], xf, f.v[zi]), 0);
        assert_same(&r, &f, "N_VLinearCombination");
      }
  double a[3] = {0.3, 1, -2};
  N_Vector yr[3] = {r.v[1], r.v[2], r.v[3]}, yf[3] = {f.v[1], f.v[2], f.v[3]};
  N_Vector zr[3] = {r.v[1], r.v[4], r.v[3]}, zf[3] = {f.v[1], f.v[4], f.v[3]};
  ck_assert_int_eq(N_VScaleAddMulti(3, a, r.v[0], yr, zr), 0);
  ck_assert_int_eq(N_VScaleAddMulti(3, a, f.v[0], yf, zf), 0);
  assert_same(&r, &f, "N_VScaleAddMulti");
  free_set(&r), free_set(&f);
}
END_TEST

Suite *hs_suite_nvec(void) {
  Suite *s = suite_create("nvec");
  TCase *tc = tcase_create("kernels");
  tcase_add_test(tc, test_linearsum_branches);
  tcase_add_test(tc, test_elementwise_and_norms);
  tcase_add_test(tc, test_fused_operations);
  suite_add_tcase(s, tc);
  return s;
}
