/* solver.c - the CVODE wrapper: one workspace per thread, integration restarted at every
 * discontinuity of the inputs. With nvec.c, the only files that include SUNDIALS headers. */
#include "hs_solver.h"
#include "dense.h"
#include "expm.h"
#include "nvec.h"

#include <cvode/cvode.h>
#include <math.h>
#include <stddef.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_types.h>
#include <sundials/sundials_version.h>
#include <sundials/sundials_linearsolver.h>
#include <cvode/cvode_ls.h>
#include <sunmatrix/sunmatrix_dense.h>

#if SUNDIALS_VERSION_MAJOR >= 7
#define HS_SUN_COMM SUN_COMM_NULL
#else
#define HS_SUN_COMM NULL
#endif

#define HS_MAX_REP 2 /* replicas: a run and its comparator (hs_solver_run_compared) */
#define HS_MAX_N (HS_MAX_SPECIES * HS_NSTATE)  /* states of one replica */
#define HS_MAX_NA (HS_MAX_SPECIES * (HS_N_AMOUNTS + HS_N_EXT_AMOUNTS))
#define HS_N_ENGINES (HS_MAX_REP * (HS_MAX_SPECIES + 1)) /* one per system size in use */

/* CVODE objects for systems of one size (n states); created when first needed. */
typedef struct cv_engine {
  int n;
  void *cvode;
  N_Vector y;
  N_Vector ydky; /* interpolated state at output times */
  SUNMatrix A;
  SUNLinearSolver ls;
} cv_engine;

struct hs_solver {
  SUNContext sunctx;
  cv_engine eng[HS_N_ENGINES];   /* one per system size, keyed by state count */
  cv_engine *cur;                /* the engine of the current run */
  int ns, nr, na;  /* species, states and amount states of one replica of the current run */
  int nrep, n;     /* replicas (1, or 2 with a comparator) and states of the whole system */
  int stride;      /* states per species: HS_NSTATE_BASE or HS_NSTATE */
  hs_system_ctx sctx[HS_MAX_REP]; /* replica r: states [r nr, (r + 1) nr) */
  double jac[HS_MAX_REP][HS_MAX_N * HS_MAX_N];
  double f[HS_MAX_N]; /* dy/dt of replica 0 at the last step, for locating maxima */
  double gamma;                     /* of the last Newton matrix set-up */
  double lu[HS_MAX_REP][HS_MAX_NA * HS_MAX_NA]; /* LU of each replica's amounts block */
  int piv[HS_MAX_REP][HS_MAX_NA];
  double m21[HS_MAX_REP * HS_MAX_N * HS_MAX_NA]; /* nonzeros of -gamma J in the accounting */
  int m21_row[HS_MAX_REP * HS_MAX_N * HS_MAX_NA]; /* rows and amount columns: state index, */
  int m21_col[HS_MAX_REP * HS_MAX_N * HS_MAX_NA]; /* index into x1 (r na + amount), count */
  int n21;
  int amt[HS_MAX_NA]; /* state index (in a replica) of each amount */
  int acc[HS_MAX_N];  /* state index (in a replica) of each accounting state */
  hs__props *props; /* cached propagators of the exact solution (created on first use) */
  double xa[HS_MAX_N * HS_MAX_N], xj[HS_MAX_N * HS_MAX_N]; /* its A, and scratch */
  double xb[HS_MAX_N * 3];               /* its input columns (one per infusion route) */
  double xy[HS_MAX_N], xf[HS_MAX_N], xg[HS_MAX_N]; /* scratch states */
  int xidx[HS_MAX_N];                              /* states a grid step carries */
  double *bp; /* breakpoints, grown as needed, reused between runs */
  int bp_cap;
  char cv_msg[512]; /* last message from CVODE's error handler */
  hs_solver_stats stats;
};

const char *const hs_solver_method_names[] = {"cvode", "auto", "exact", NULL};

/* ---- callbacks: CVODE <-> the pure model ---------------------------------------- */

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud) {
  hs_solver *s = ud;
  const double *x = N_VGetArrayPointer(y);
  double *dx = N_VGetArrayPointer(ydot);
  for (int r = 0; r < s->nrep; r++)
    if (hs_system_rhs(t, x + r * s->nr, dx + r * s->nr, &s->sctx[r]) != 0) return -1;
  return 0;
}

/* The Newton matrix M = I - gamma J. No equation depends on an accounting state (AUCs,
 * eliminated and dosed amounts), so the columns of J for those states are zero and
 *   M = [ M11  0 ]   M11 = I - gamma J11 (amounts of every species, na square)
 *       [ M21  I ]   M21 = -gamma J21
 * M x = b is then solved as M11 x1 = b1 (a small LU) and x2 = b2 - M21 x1 (M21 sparse).
 * The block solver below owns M: linsys keeps J and gamma, setup forms and factors the
 * blocks from them, and CVODE's dense SUNMatrix is never written. */
static int cv_linsys(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix A, sunbooleantype jok,
                     sunbooleantype *jcur, sunrealtype gamma, void *ud, N_Vector t1, N_Vector t2,
                     N_Vector t3) {
  (void)fy, (void)A, (void)t1, (void)t2, (void)t3;
  hs_solver *s = ud;
  *jcur = !jok;
  for (int r = 0; !jok && r < s->nrep; r++) /* replicas do not interact: J is block diagonal */
    if (hs_system_jac(t, N_VGetArrayPointer(y) + r * s->nr, s->jac[r], &s->sctx[r]) != 0)
      return -1;
  s->gamma = gamma;
  return 0;
}

static SUNLinearSolver_Type bls_type(SUNLinearSolver S) {
  (void)S;
  return SUNLINEARSOLVER_DIRECT;
}

static SUNLinearSolver_ID bls_id(SUNLinearSolver S) {
  (void)S;
  return SUNLINEARSOLVER_CUSTOM;
}

static int bls_init(SUNLinearSolver S) {
  (void)S;
  return SUNLS_SUCCESS;
}

/* M21 = -gamma J21 (its nonzeros, row by row), and the LU of M11, for each replica. */
static int bls_setup(SUNLinearSolver S, SUNMatrix A) {
  (void)A;
  hs_solver *s = S->content;
  const int n = s->na, nt = s->nr, nacc = nt - n;
  const double g = s->gamma;
  s->n21 = 0;
  for (int q = 0; q < s->nrep; q++) {
    const double *jac = s->jac[q];
    double *lu = s->lu[q];
    int *piv = s->piv[q];
    for (int r = 0; r < nacc; r++) /* sparse: each accounting rate reads one or two amounts */
      for (int j = 0; j < n; j++) {
        double v = 0 - g * jac[s->acc[r] * nt + s->amt[j]];
        if (v == 0) continue;
        s->m21[s->n21] = v, s->m21_row[s->n21] = q * nt + s->acc[r];
        s->m21_col[s->n21++] = q * n + j;
      }
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) lu[i * n + j] = (i == j) - g * jac[s->amt[i] * nt + s->amt[j]];
    if (hs__lu_factor(lu, piv, n)) return SUNLS_LUFACT_FAIL;
  }
  return SUNLS_SUCCESS;
}

static int bls_solve(SUNLinearSolver S, SUNMatrix A, N_Vector xv, N_Vector bv, sunrealtype tol) {
  (void)A, (void)tol;
  hs_solver *s = S->content;
  const int n = s->na, nt = s->nr, nacc = nt - n, *amt = s->amt, *acc = s->acc;
  const double *b = N_VGetArrayPointer(bv);
  double *x = N_VGetArrayPointer(xv), x1[HS_MAX_REP * HS_MAX_NA];
  for (int q = 0; q < s->nrep; q++) {
    for (int i = 0; i < n; i++) x1[q * n + i] = b[q * nt + amt[i]];
    hs__lu_solve(s->lu[q], s->piv[q], n, x1 + q * n);
    for (int r = 0; r < nacc; r++) x[q * nt + acc[r]] = b[q * nt + acc[r]]; /* x2 = b2 ... */
  }
  for (int e = 0; e < s->n21; e++) x[s->m21_row[e]] -= s->m21[e] * x1[s->m21_col[e]];
  for (int q = 0; q < s->nrep; q++)                                       /* ... - M21 x1 */
    for (int i = 0; i < n; i++) x[q * nt + amt[i]] = x1[q * n + i];
  return SUNLS_SUCCESS;
}

static int bls_free(SUNLinearSolver S) {
  SUNLinSolFreeEmpty(S); /* the content is the workspace, freed with it */
  return SUNLS_SUCCESS;
}

static SUNLinearSolver block_solver(hs_solver *s) {
  SUNLinearSolver S = SUNLinSolNewEmpty(s->sunctx);
  if (!S) return NULL;
  S->content = s;
  S->ops->gettype = bls_type;
  S->ops->getid = bls_id;
  S->ops->initialize = bls_init;
  S->ops->setup = bls_setup;
  S->ops->solve = bls_solve;
  S->ops->free = bls_free;
  return S;
}

#if SUNDIALS_VERSION_MAJOR >= 7
static void cv_err_handler(int line, const char *func, const char *file, const char *msg,
                           SUNErrCode code, void *ud, SUNContext ctx) {
  (void)line, (void)file, (void)code, (void)ctx;
  hs_solver *s = ud;
  snprintf(s->cv_msg, sizeof s->cv_msg, "%s: %s", func, msg);
}
#else
static void cv_err_handler(int code, const char *module, const char *func, char *msg, void *ud) {
  (void)code, (void)module;
  hs_solver *s = ud;
  snprintf(s->cv_msg, sizeof s->cv_msg, "%s: %s", func, msg);
}
#endif

/* ---- lifecycle ----------------------------------------------------------------- */

#define CV_CHECK(call)                                                                    \
  do {                                                                                    \
    if ((call) != 0) {                                                                    \
      hs_error_set(err, HS_ESOLVER, "CVODE set-up failed in %s: %s", #call, s->cv_msg);   \
      goto fail;                                                                          \
    }                                                                                     \
  } while (0)

static void engine_free(cv_engine *e) {
  if (e->cvode) CVodeFree(&e->cvode);
  if (e->ls) SUNLinSolFree(e->ls);
  if (e->A) SUNMatDestroy(e->A);
  if (e->y) N_VDestroy(e->y);
  if (e->ydky) N_VDestroy(e->ydky);
  memset(e, 0, sizeof *e);
}

/* CVODE objects for n states (BDF, the block linear solver, CVodeSetLinSysFn). */
static int engine_create(hs_solver *s, cv_engine *e, int n, hs_error *err) {
  int rc = HS_ESOLVER; /* CV_CHECK failures */
  e->y = N_VNew_Serial(n, s->sunctx);
  e->cvode = CVodeCreate(CV_BDF, s->sunctx);
  e->A = SUNDenseMatrix(n, n, s->sunctx);
  e->ydky = N_VNew_Serial(n, s->sunctx);
  e->ls = block_solver(s);
  if (!e->y || !e->cvode || !e->A || !e->ydky || !e->ls) {
    rc = hs_error_set(err, HS_ENOMEM, "out of memory creating CVODE objects for %d states", n);
    goto fail;
  }
  hs__nvec_compiled_ops(e->y); /* before CVodeInit clones it */
  hs__nvec_compiled_ops(e->ydky);
  N_VConst(0.0, e->y);
  e->n = n;
#if SUNDIALS_VERSION_MAJOR < 7
  CV_CHECK(CVodeSetErrHandlerFn(e->cvode, cv_err_handler, s));
#endif
  CV_CHECK(CVodeInit(e->cvode, cv_rhs, 0.0, e->y));
  CV_CHECK(CVodeSetUserData(e->cvode, s));
  CV_CHECK(CVodeSetLinearSolver(e->cvode, e->ls, e->A));
  CV_CHECK(CVodeSetLinSysFn(e->cvode, cv_linsys));
  return HS_OK;
fail:
  engine_free(e);
  return rc;
}

hs_solver *hs_solver_create(hs_error *err) {
  hs_solver *s = calloc(1, sizeof *s);
  if (!s) {
    hs_error_set(err, HS_ENOMEM, "out of memory creating a solver workspace");
    return NULL;
  }
  if (SUNContext_Create(HS_SUN_COMM, &s->sunctx) != 0) {
    hs_error_set(err, HS_ESOLVER, "SUNContext_Create failed");
    free(s);
    return NULL;
  }
#if SUNDIALS_VERSION_MAJOR >= 7
  SUNContext_ClearErrHandlers(s->sunctx);
  SUNContext_PushErrHandler(s->sunctx, cv_err_handler, s);
#endif
  if (engine_create(s, &s->eng[0], HS_NSTATE_BASE, err)) { /* single drugs: always needed */
    hs_solver_free(s);
    return NULL;
  }
  return s;
}

void hs_solver_free(hs_solver *s) {
  if (!s) return;
  for (int k = 0; k < HS_N_ENGINES; k++) engine_free(&s->eng[k]);
  if (s->sunctx) SUNContext_Free(&s->sunctx);
  free(s->bp);
  hs__props_free(s->props);
  free(s);
}

void hs_solver_stats_get(const hs_solver *s, hs_solver_stats *st) { *st = s->stats; }

/* ---- the output grid and the breakpoints ---------------------------------------- */

int hs_solver_grid_size(const hs_sim_opts *o) {
  return (int)ceil(o->t_end / o->dt_out - 1e-9) + 1;
}

static double grid_time(const hs_sim_opts *o, int k) {
  double t = k * o->dt_out;
  return t > o->t_end ? o->t_end : t;
}

static int same_time(double a, double b) { return fabs(a - b) <= 1e-10 * fmax(1.0, fabs(a)); }

/* Insertion sort: breakpoints come nearly sorted from sorted doses, and no allocation. */
static void sort_times(double *t, int n) {
  for (int i = 1; i < n; i++) {
    double x = t[i];
    int j = i;
    for (; j > 0 && t[j - 1] > x; j--) t[j] = t[j - 1];
    t[j] = x;
  }
}

/* Recanalisation starts and the hepatic artery occlusion onset (model.md extensions);
 * writes at most n_embo + 1 times to bp, returns how many. */
static int vascular_breakpoints(const hs_params *p, double *bp) {
  int m = 0;
  for (int i = 0; i < p->n_embo; i++)
    if (p->embo[i].t_hold > 0) bp[m++] = p->embo[i].t_e + p->embo[i].t_hold;
  if (p->phys.vasc.ha_occluded) bp[m++] = p->phys.vasc.t_occl;
  return m;
}

/* Sorted, merged breakpoints in [0, t_end]: 0, t_end, dose starts and ends (of every
 * replica's doses), embolisation onsets, filter windows. */
static int build_breakpoints(hs_solver *s, const hs_params *p, const hs_dose *const *dl,
                             const int *nl, int nrep, double t_end, hs_error *err) {
  int need = 2 + 2 * p->n_embo + 2 * p->n_filter + 1;
  for (int r = 0; r < nrep; r++) need += 2 * nl[r];
  if (need > s->bp_cap) {
    double *nb = realloc(s->bp, sizeof(double) * (size_t)need);
    if (!nb) return hs_error_set(err, HS_ENOMEM, "out of memory for %d breakpoints", need);
    s->bp = nb;
    s->bp_cap = need;
  }
  int m = 0;
  s->bp[m++] = 0.0;
  s->bp[m++] = t_end;
  for (int r = 0; r < nrep; r++) /* a comparator's dose at the same times adds nothing */
    for (int i = 0; i < nl[r]; i++) {
      const hs_dose *d = &dl[r][i], *d0 = r > 0 && i < nl[0] ? &dl[0][i] : NULL;
      if (d0 && d0->t_start == d->t_start && d0->t_end == d->t_end) continue;
      s->bp[m++] = d->t_start;
      s->bp[m++] = d->t_end;
    }
  for (int i = 0; i < p->n_embo; i++) s->bp[m++] = p->embo[i].t_e;
  for (int i = 0; i < p->n_filter; i++) {
    s->bp[m++] = p->filter[i].t_on;
    s->bp[m++] = p->filter[i].t_off;
  }
  m += vascular_breakpoints(p, s->bp + m);
  sort_times(s->bp, m);
  int k = 0;
  for (int i = 0; i < m; i++) {
    if (s->bp[i] < 0 || s->bp[i] > t_end) continue;
    if (k > 0 && same_time(s->bp[i], s->bp[k - 1])) continue;
    s->bp[k++] = s->bp[i];
  }
  return k;
}

/* ---- one run -------------------------------------------------------------------- */

/* Instantaneous doses at time a. */
static void apply_boluses(const hs_params *p, const hs_dose *d, int n, double a, double *y) {
  for (int i = 0; i < n; i++)
    if (d[i].t_end == d[i].t_start && same_time(d[i].t_start, a))
      hs_model_dose(p, d[i].route, a, d[i].amount_mg, y);
}

/* Per-species accumulators of a run. */
typedef struct run_acc {
  hs_track tk[HS_MAX_SPECIES]; /* maxima of the tracked concentrations, mass balance */
  double t_prev; /* the last step's end, where c_prev and d_prev were taken */
  double c_prev[HS_N_TRACKED * HS_MAX_SPECIES], d_prev[HS_N_TRACKED * HS_MAX_SPECIES]; /* the
                     tracked concentrations and rates of each species at the last step */
} run_acc;

static void set_trace(double *arr, int k, double v) {
  if (arr) arr[k] = v;
}

/* Cmax over the grid and tmax, the first grid time at which it is reached; whether c
 * raised it. */
static int track_max(double c, double t, double *cmax, double *tmax) {
  if (!(c > *cmax)) return 0;
  *cmax = c, *tmax = t;
  return 1;
}

/* Whether grid time tk belongs to the segment ending at b: [a, b), and b itself when the
 * segment is the last. */
static int in_segment(double tk, double b, int last) {
  return last ? tk <= b || same_time(tk, b) : tk < b && !same_time(tk, b);
}

static void mass_balance(hs_solver *s, const double *y, run_acc *acc);

static void record_species(hs_solver *s, int sp, double t, const double *y, hs_trace *tr, int k,
                           run_acc *acc) {
  const hs_rhs_ctx *ctx = &s->sctx[0].sp[sp];
  double c[HS_N_TRACKED];
  hs_model_tracked(ctx->p, y, c);
  for (int j = 0; j < HS_N_TRACKED; j++)
    track_max(c[j], t, &acc->tk[sp].cmax[j], &acc->tk[sp].tmax[j]);
  if (!tr) return;
  hs_conc cc;
  hs_model_concentrations(t, y, ctx, &cc);
  if (!tr) return;
  set_trace(tr->t, k, t);
  set_trace(tr->plasma, k, cc.plasma);
  set_trace(tr->blood, k, cc.blood);
  set_trace(tr->liver, k, cc.liver);
  set_trace(tr->tumor, k, cc.tumor);
  set_trace(tr->tumor_venous, k, cc.tumor_venous);
  set_trace(tr->hepatic_artery, k, cc.hepatic_artery);
  set_trace(tr->portal_vein, k, cc.portal_vein);
  set_trace(tr->depot, k, cc.depot_mg);
  set_trace(tr->hepatic_vein, k, cc.hepatic_vein);
  set_trace(tr->trapped_liver, k, cc.trapped_liver_mg);
  set_trace(tr->trapped_tumor, k, cc.trapped_tumor_mg);
  set_trace(tr->bound_liver, k, cc.bound_liver_mg);
  set_trace(tr->bound_tumor, k, cc.bound_tumor_mg);
  if (tr->y) { /* HS_NSTATE per row; extension states not integrated are 0 */
    double *row = tr->y + (size_t)k * HS_NSTATE;
    memcpy(row, y, sizeof(double) * (size_t)s->stride);
    memset(row + s->stride, 0, sizeof(double) * (size_t)(HS_NSTATE - s->stride));
  }
  tr->n = k + 1;
}

static void record(hs_solver *s, double t, const double *y, hs_trace *const *tr, int k,
                   run_acc *acc) {
  if (tr) mass_balance(s, y, acc);
  for (int sp = 0; sp < s->ns; sp++)
    record_species(s, sp, t, y + sp * s->stride, tr ? tr[sp] : NULL, k, acc);
}

static int check_opts(const hs_sim_opts *o, const hs_dose *d, int n, hs_trace *const *tr,
                      int ns, hs_error *err) {
  if (!(o->t_end > 0) || !isfinite(o->t_end))
    return hs_error_set(err, HS_EINPUT, "simulation end %g h must be > 0", o->t_end);
  if (!(o->dt_out > 0) || o->dt_out > o->t_end)
    return hs_error_set(err, HS_EINPUT, "output interval %g h must lie in (0, end = %g h]",
                        o->dt_out, o->t_end);
  if (!(o->rtol > 0 && o->rtol < 1) || !(o->atol > 0))
    return hs_error_set(err, HS_EINPUT, "tolerances rtol %g and atol %g must be positive",
                        o->rtol, o->atol);
  for (int i = 0; i < n; i++)
    if (d[i].t_start >= o->t_end || d[i].t_start < 0)
      return hs_error_set(err, HS_EINPUT, "a dose at t = %g h lies outside the simulation [0, %g) h",
                          d[i].t_start, o->t_end);
  for (int k = 0; tr && k < ns; k++)
    if (tr[k] && tr[k]->cap < hs_solver_grid_size(o))
      return hs_error_set(err, HS_EINPUT, "trace holds %d points, the grid has %d", tr[k]->cap,
                          hs_solver_grid_size(o));
  return HS_OK;
}

static void add_stats(hs_solver *s) {
  long v;
  void *cvode = s->cur->cvode;
  if (CVodeGetNumSteps(cvode, &v) == 0) s->stats.steps += v;
  if (CVodeGetNumRhsEvals(cvode, &v) == 0) s->stats.rhs_evals += v;
  if (CVodeGetNumJacEvals(cvode, &v) == 0) s->stats.jac_evals += v;
  if (CVodeGetNumLinSolvSetups(cvode, &v) == 0) s->stats.lin_setups += v;
  if (CVodeGetNumNonlinSolvIters(cvode, &v) == 0) s->stats.newton_iters += v;
  if (CVodeGetNumErrTestFails(cvode, &v) == 0) s->stats.err_test_fails += v;
  s->stats.segments++;
}

static void mass_balance(hs_solver *s, const double *y, run_acc *acc) {
  for (int sp = 0; sp < s->ns; sp++) {
    double mb = hs_model_mass_residual(s->sctx[0].sp[sp].p, y + sp * s->stride);
    if (mb > acc->tk[sp].mb_max) acc->tk[sp].mb_max = mb;
  }
}

/* The tracked concentrations of each species and their rates: c[HS_N_TRACKED sp + j]. */
static void conc_rates(hs_solver *s, double t, const double *y, double *c, double *d) {
  hs_system_rhs(t, y, s->f, &s->sctx[0]);
  for (int sp = 0; sp < s->ns; sp++) {
    const hs_params *p = s->sctx[0].sp[sp].p;
    hs_model_tracked(p, y + sp * s->stride, c + HS_N_TRACKED * sp);
    hs_model_tracked(p, s->f + sp * s->stride, d + HS_N_TRACKED * sp);
  }
}

/* Grid point k, reached by the last step (tret): from the state at tret itself, else from
 * CVODE's interpolating polynomial. */
static int record_point(hs_solver *s, const hs_sim_opts *o, int k, double tret,
                        hs_trace *const *tr, run_acc *acc, hs_error *err) {
  double tk = grid_time(o, k);
  N_Vector v = s->cur->y;
  if (!same_time(tk, tret)) {
    if (CVodeGetDky(s->cur->cvode, tk, 0, s->cur->ydky) != 0)
      return hs_error_set(err, HS_ESOLVER, "CVODE interpolation at t = %g h failed: %s", tk,
                          s->cv_msg);
    v = s->cur->ydky;
  }
  record(s, tk, N_VGetArrayPointer(v), tr, k, acc);
  return HS_OK;
}

/* The maximum tracked so far of concentration j (c[j] of conc_rates). */
static double tracked_max(const run_acc *acc, int j) {
  return acc->tk[j / HS_N_TRACKED].cmax[j % HS_N_TRACKED];
}

/* Whether a grid value bounded by v can raise the maximum cmax (with a margin for the
 * rounding between conc_rates and hs_model_concentrations). */
static int may_reach(double v, double cmax) { return v >= cmax - 1e-12 * fabs(cmax); }

/* After a step to tret: record the grid points it passed (those in the segment: [a, b),
 * and b when it is the end). With time courses every point is recorded; for metrics only,
 * Cmax needs just the points where a maximum can be: the last point of a rising step,
 * the first of a falling one, and all points of a step whose rate turns from rising to
 * falling; and of those only the ones whose bound reaches the maximum so far (the step's
 * end value when rising, its start value when falling, and for a turn the larger end
 * value plus the step length times the larger end slope). These are the values a full
 * recording gives wherever the interpolant is monotone between two step ends and a turn
 * stays within that bound; on a numerically flat plateau (wiggles of solver-noise size)
 * the maximum found can be lower than the recorded grid's by that noise (checked by
 * bench_accuracy), at a fraction of the cost. */
static int process_step(hs_solver *s, double tret, double b, int last, const hs_sim_opts *o,
                        hs_trace *const *tr, int *k, run_acc *acc, hs_error *err) {
  int nk = hs_solver_grid_size(o), kend = *k, rc = HS_OK;
  for (; kend < nk; kend++) {
    double tk = grid_time(o, kend);
    if (!in_segment(tk, b, last) || (tk > tret && !same_time(tk, tret))) break;
  }
  double c[HS_N_TRACKED * HS_MAX_SPECIES], d[HS_N_TRACKED * HS_MAX_SPECIES];
  const double *y = N_VGetArrayPointer(s->cur->y);
  conc_rates(s, tret, y, c, d);
  for (int r = 0; r < s->nrep; r++) mass_balance(s, y + r * s->nr, &acc[r]); /* acc[nrep] */
  int all = tr != NULL, first = 0, lastp = 0;
  for (int j = 0; j < HS_N_TRACKED * s->ns; j++) {
    if (c[j] == 0 && d[j] == 0) continue; /* identically 0 (no gastric compartment) */
    double cmax = tracked_max(acc, j);
    if (acc->d_prev[j] > 0 && d[j] < 0) /* a turn: the step's maximum is inside it */
      all |= may_reach(fmax(c[j], acc->c_prev[j]) +
                           (tret - acc->t_prev) * fmax(acc->d_prev[j], -d[j]), cmax);
    else if (c[j] > acc->c_prev[j]) lastp |= may_reach(c[j], cmax);
    else first |= may_reach(acc->c_prev[j], cmax);
  }
  for (int i = *k; !rc && i < kend; i++)
    if (all || (i == *k && first) || (i == kend - 1 && lastp))
      rc = record_point(s, o, i, tret, tr, acc, err);
  *k = kend;
  acc->t_prev = tret;
  memcpy(acc->c_prev, c, sizeof(double) * HS_N_TRACKED * (size_t)s->ns);
  memcpy(acc->d_prev, d, sizeof(double) * HS_N_TRACKED * (size_t)s->ns);
  return rc;
}

/* Integrate over [a, b] one step at a time (never past b), recording the grid points in
 * [a, b) (and b when it is the end) as they are passed. */
static int integrate_segment(hs_solver *s, double a, double b, int last, const hs_sim_opts *o,
                             hs_trace *const *tr, int *k, run_acc *acc, hs_error *err) {
  sunrealtype tret = a;
  long steps = 0, max_steps = o->max_steps > 0 ? o->max_steps : 100000;
  void *cv = s->cur->cvode;
  if (CVodeReInit(cv, a, s->cur->y) != 0 || CVodeSetStopTime(cv, b) != 0)
    return hs_error_set(err, HS_ESOLVER, "CVODE restart at t = %g h failed: %s", a, s->cv_msg);
  int rc = process_step(s, tret, b, last, o, tr, k, acc, err);
  while (!rc && !same_time(tret, b)) {
    int flag = CVode(cv, b, s->cur->y, &tret, CV_ONE_STEP);
    if (flag < 0 || ++steps > max_steps)
      rc = hs_error_set(err, HS_ESOLVER, "CVODE failed near t = %g h (flag %d): %s", tret, flag,
                        flag < 0 ? s->cv_msg : "more steps than simulation.max_steps");
    else
      rc = process_step(s, tret, b, last, o, tr, k, acc, err);
  }
  add_stats(s);
  return rc;
}

/* ---- exact segments (linear drugs, constant coefficients) -------------------------- */

#define HS_N_ROUTES 3 /* infusion routes, the augmented inputs: IV, HA, PV */

/* The infusion rates of replica r's dosed species over the current segment. */
static void route_rates(const hs_solver *s, int r, double *u) {
  const hs_segment *g = &s->sctx[r].sp[0].seg;
  u[0] = g->r_iv, u[1] = g->r_ha, u[2] = g->r_pv;
}

/* The input columns of replica 0's system at time t: dy/dt at y = 0 under a unit rate of
 * each route (nr x HS_N_ROUTES, row-major); every other input zero. */
static void unit_inputs(hs_solver *s, double t, double *b) {
  hs_system_ctx c = s->sctx[0];
  double *z = s->xy, *f = s->xf;
  memset(z, 0, sizeof(double) * (size_t)s->nr);
  for (int q = 0; q < HS_N_ROUTES; q++) {
    c.sp[0].seg = (hs_segment){.t0 = c.sp[0].seg.t0};
    double *rate = q == 0 ? &c.sp[0].seg.r_iv : q == 1 ? &c.sp[0].seg.r_ha : &c.sp[0].seg.r_pv;
    *rate = 1.0;
    hs_system_rhs(t, z, f, &c);
    for (int i = 0; i < s->nr; i++) b[i * HS_N_ROUTES + q] = f[i];
  }
}

/* Whether |x - y| is within rounding of the scale sc. */
static int close_to(double x, double y, double sc) { return fabs(x - y) <= 1e-10 * sc + 1e-300; }

/* The right-hand side of replica r at (t, y) is A y + B u_r, checked at y = 0 and at unit
 * amounts: the model is affine in the state and the inputs as the exact solution assumes
 * (a safety net behind the elimination kinds). */
static int affine_ok(hs_solver *s, int r, double t) {
  const int n = s->nr;
  double *z = s->xy, *f = s->xf, u[HS_N_ROUTES];
  route_rates(s, r, u);
  memset(z, 0, sizeof(double) * (size_t)n);
  hs_system_rhs(t, z, f, &s->sctx[r]);
  for (int i = 0; i < n; i++) {
    double bu = 0, sc = 0;
    for (int q = 0; q < HS_N_ROUTES; q++)
      bu += s->xb[i * HS_N_ROUTES + q] * u[q], sc += fabs(s->xb[i * HS_N_ROUTES + q] * u[q]);
    if (!close_to(f[i], bu, sc)) return 0;
  }
  for (int i = 0; i < s->na; i++) z[s->amt[i]] = 1.0;
  double *g = s->xg;
  hs_system_rhs(t, z, g, &s->sctx[r]);
  for (int i = 0; i < n; i++) {
    double ay = 0, sc = fabs(f[i]);
    for (int j = 0; j < s->na; j++) {
      ay += s->xa[i * n + s->amt[j]];
      sc += fabs(s->xa[i * n + s->amt[j]]);
    }
    if (!close_to(g[i] - f[i], ay, sc)) return 0;
  }
  return 1;
}

/* Whether the system matrix and input columns of every species are the same at every
 * time of a segment (hs_model_time_invariant); else exact_applies compares them. */
static int time_invariant(const hs_solver *s) {
  for (int sp = 0; sp < s->ns; sp++)
    if (!hs_model_time_invariant(s->sctx[0].sp[sp].p)) return 0;
  return 1;
}

/* Whether [a, b] can be solved exactly: no chronomodulated rate, and the system matrix
 * (A = the Jacobian) and input columns (B) the same at a, b and inside (embolisation
 * recovery changes them in time; without embolisation they are taken at a only); A and B
 * into s->xa, s->xb. */
static int exact_applies(hs_solver *s, double a, double b) {
  const int n = s->nr;
  const size_t ja = sizeof(double) * (size_t)n * n, jb = sizeof(double) * (size_t)n * HS_N_ROUTES;
  for (int r = 0; r < s->nrep; r++) {
    const hs_segment *g = &s->sctx[r].sp[0].seg;
    if (g->cos_iv || g->sin_iv || g->cos_ha || g->sin_ha || g->cos_pv || g->sin_pv) return 0;
  }
  double *y = N_VGetArrayPointer(s->cur->y);
  hs_system_jac(a, y, s->xa, &s->sctx[0]);
  unit_inputs(s, a, s->xb);
  const double inside[3] = {a + 0.381966 * (b - a), a + 0.7236 * (b - a), b};
  const int n_inside = time_invariant(s) ? 0 : 3;
  for (int i = 0; i < n_inside; i++) {
    hs_system_jac(inside[i], y, s->xj, &s->sctx[0]);
    if (memcmp(s->xj, s->xa, ja)) return 0;
    unit_inputs(s, inside[i], s->xj);
    if (memcmp(s->xj, s->xb, jb)) return 0;
  }
  for (int r = 1; r < s->nrep; r++) { /* replicas differ in their doses only */
    hs_system_jac(a, y + r * n, s->xj, &s->sctx[r]);
    if (memcmp(s->xj, s->xa, ja)) return 0;
  }
  for (int r = 0; r < s->nrep; r++)
    if (!affine_ok(s, r, a)) return 0;
  return 1;
}

/* y = E y + G u for the propagator p = [E G] (n x (n + HS_N_ROUTES)). */
static void propagate(const double *p, int n, const double *u, double *y, double *tmp) {
  const int ld = n + HS_N_ROUTES;
  for (int i = 0; i < n; i++) {
    const double *row = p + (size_t)i * ld;
    double v = row[n] * u[0] + row[n + 1] * u[1] + row[n + 2] * u[2];
    for (int j = 0; j < n; j++) v += row[j] * y[j];
    tmp[i] = v;
  }
  memcpy(y, tmp, sizeof(double) * (size_t)n);
}

static int props_failed(double t, hs_error *err) {
  return hs_error_set(err, HS_ESOLVER, "exact solution at t = %g h: no matrix exponential "
                      "(out of memory or a non-finite system matrix)", t);
}

/* The amounts that change over the segment (a nonzero row of [A B]): the states the grid
 * steps carry without time courses (no amount reads an accounting state). */
static int active_amounts(const hs_solver *s, int *idx) {
  int m = 0;
  for (int ii = 0; ii < s->na; ii++) {
    const int i = s->amt[ii];
    int on = 0;
    for (int j = 0; !on && j < s->nr; j++) on = s->xa[i * s->nr + j] != 0;
    for (int q = 0; !on && q < HS_N_ROUTES; q++) on = s->xb[i * HS_N_ROUTES + q] != 0;
    if (on) idx[m++] = i;
  }
  return m;
}

/* The propagator p (n states) restricted to the states idx[0..m), contiguous and by
 * columns (column jj at pc + jj m), then the input term G u of each row in c. */
static void compact(const double *p, int n, const int *idx, int m, const double *u, double *pc,
                    double *c) {
  const int ld = n + HS_N_ROUTES;
  for (int ii = 0; ii < m; ii++) {
    const double *row = p + (size_t)idx[ii] * ld;
    for (int jj = 0; jj < m; jj++) pc[jj * m + ii] = row[idx[jj]];
    c[ii] = row[n] * u[0] + row[n + 1] * u[1] + row[n + 2] * u[2];
  }
}

/* out = c + P y for the compact propagator (column-major, m x m): the rows accumulate
 * side by side. */
static void grid_step(const double *restrict pc, const double *restrict c, int m,
                      const double *restrict y, double *restrict out) {
  memcpy(out, c, sizeof(double) * (size_t)m);
  for (int j = 0; j < m; j++) {
    const double yj = y[j], *col = pc + (size_t)j * m;
    for (int i = 0; i < m; i++) out[i] += col[i] * yj;
  }
}

/* The metrics-only grid (no time courses) steps the carried states and the tracked
 * concentrations of every species as one product of width w (8 or 16): out = ce + pe y,
 * pe column-major w x w, rows [0, m) the states after the step, rows [m, m + nt) the
 * tracked concentrations there, the other rows 0. */
#define HS_GRID_W 16
#define HS_GRID_BLOCK 16 /* grid steps a block skip covers (a power of 2) */
typedef struct grid_op {
  int m, nt, w;
  double tr[HS_N_TRACKED * HS_MAX_SPECIES * HS_MAX_N]; /* T: tracked per unit state, nt x m */
  double pe[HS_GRID_W * HS_GRID_W], ce[HS_GRID_W];
  /* a block of HS_GRID_BLOCK full steps (valid for the step in pe): over its points, the
   * largest and smallest coefficient of each state in each tracked concentration and the
   * largest input term; and the block's own propagator y -> pk y + ck (column-major) */
  int blk;
  double hi[HS_GRID_W * HS_GRID_W], lo[HS_GRID_W * HS_GRID_W], hic[HS_GRID_W];
  double pk[HS_GRID_W * HS_GRID_W], ck[HS_GRID_W];
  int null_row[HS_GRID_W]; /* the tracked concentration is 0 whatever the state */
  int retry;               /* the grid point from which a block is tried again */
  double buf[2][HS_MAX_N + HS_GRID_W], *yc, *nv; /* the carried states, and the next */
} grid_op;

/* T of op (hs_model_tracked is linear in the state): column jj from a unit amount of the
 * carried state idx[jj]; and the rows of T that are 0 (a concentration that stays 0). */
static void tracked_rows(const hs_solver *s, const int *idx, grid_op *op) {
  double z[HS_MAX_N] = {0}, cc[HS_N_TRACKED];
  for (int jj = 0; jj < op->m; jj++) {
    z[idx[jj]] = 1.0;
    for (int sp = 0; sp < s->ns; sp++) {
      hs_model_tracked(s->sctx[0].sp[sp].p, z + sp * s->stride, cc);
      for (int j = 0; j < HS_N_TRACKED; j++) op->tr[(sp * HS_N_TRACKED + j) * op->m + jj] = cc[j];
    }
    z[idx[jj]] = 0.0;
  }
  for (int r = 0; r < op->nt; r++) {
    int zero = 1;
    for (int j = 0; j < op->m; j++) zero &= op->tr[r * op->m + j] == 0;
    op->null_row[r] = zero;
  }
}

/* v[m + r] = (T x)_r for the nt tracked rows of op. */
static void tracked_of(const grid_op *op, const double *x, double *v) {
  for (int r = 0; r < op->nt; r++) {
    double acc = 0;
    for (int i = 0; i < op->m; i++) acc += op->tr[r * op->m + i] * x[i];
    v[op->m + r] = acc;
  }
}

/* pe and ce of op from the compact propagator pc, c of a step: [P; T P] and [c; T c]. */
static void grid_extend(const double *pc, const double *c, grid_op *op) {
  const int m = op->m, w = op->w;
  op->blk = 0; /* the block bounds belong to the previous step */
  memset(op->pe, 0, sizeof op->pe);
  memset(op->ce, 0, sizeof op->ce);
  for (int j = 0; j <= m; j++) { /* column j of P, and c as column m */
    const double *col = j < m ? pc + (size_t)j * m : c;
    double *out = j < m ? op->pe + (size_t)j * w : op->ce;
    memcpy(out, col, sizeof(double) * (size_t)m);
    tracked_of(op, col, out);
  }
}

/* out = ce + pe y over width w (a constant where inlined: the rows vectorise). */
static inline void grid_op_step(int w, int m, const double *restrict pe,
                                const double *restrict ce, const double *restrict y,
                                double *restrict out) {
  for (int i = 0; i < w; i++) out[i] = ce[i];
  for (int j = 0; j < m; j++)
    for (int i = 0; i < w; i++) out[i] += pe[j * w + i] * y[j];
}

/* The affine step y -> A y + a (A column-major, m x m) composed with itself. */
static void affine_square(double *A, double *a, int m) {
  double t[HS_GRID_W * HS_GRID_W], v[HS_GRID_W];
  for (int i = 0; i < m; i++) {
    double w = a[i];
    for (int l = 0; l < m; l++) w += A[l * m + i] * a[l];
    v[i] = w;
    for (int j = 0; j < m; j++) {
      double x = 0;
      for (int l = 0; l < m; l++) x += A[l * m + i] * A[j * m + l];
      t[j * m + i] = x;
    }
  }
  memcpy(A, t, sizeof(double) * (size_t)m * m);
  memcpy(a, v, sizeof(double) * (size_t)m);
}

/* The block bounds of op for its step (pc, c): point i of the block is y -> P^i y + c_i,
 * c_i = sum_(l < i) P^l c, so its tracked rows are R_i = T P^i = R_(i-1) P and
 * T c_i = T c_(i-1) + R_(i-1) c. The block's propagator (P^K, c_K) by squaring. */
static void grid_block(grid_op *op, const double *pc, const double *c) {
  const int m = op->m, nt = op->nt;
  double R[HS_GRID_W * HS_GRID_W], Rn[HS_GRID_W * HS_GRID_W], rc[HS_GRID_W] = {0};
  memcpy(R, op->tr, sizeof(double) * (size_t)nt * m);
  for (int i = 1; i <= HS_GRID_BLOCK; i++) {
    for (int r = 0; r < nt; r++) {
      const double *row = R + r * m;
      for (int l = 0; l < m; l++) rc[r] += row[l] * c[l];
      for (int j = 0; j < m; j++) {
        double x = 0;
        for (int l = 0; l < m; l++) x += row[l] * pc[j * m + l];
        Rn[r * m + j] = x;
        if (i == 1 || x > op->hi[r * m + j]) op->hi[r * m + j] = x;
        if (i == 1 || x < op->lo[r * m + j]) op->lo[r * m + j] = x;
      }
      if (i == 1 || rc[r] > op->hic[r]) op->hic[r] = rc[r];
    }
    memcpy(R, Rn, sizeof(double) * (size_t)nt * m);
  }
  memcpy(op->pk, pc, sizeof(double) * (size_t)m * m);
  memcpy(op->ck, c, sizeof(double) * (size_t)m);
  for (int k = 1; k < HS_GRID_BLOCK; k *= 2) affine_square(op->pk, op->ck, m);
  op->blk = 1;
}

/* Whether no point of the next block can raise a tracked maximum: for each concentration
 * the bound sum_j max(hi_j y_j, lo_j y_j) + hic (any sign of y) stays below the maximum so
 * far by more than rounding. */
static int grid_block_below(const grid_op *op, const double *y, const run_acc *acc) {
  for (int r = 0; r < op->nt; r++) {
    if (op->null_row[r]) continue;
    double bound = op->hic[r], cmax = tracked_max(acc, r);
    for (int j = 0; j < op->m; j++)
      bound += (y[j] >= 0 ? op->hi[r * op->m + j] : op->lo[r * op->m + j]) * y[j];
    if (!(bound < cmax - 1e-12 * fabs(cmax))) return 0;
  }
  return 1;
}

/* One point of the metrics-only grid at t: the step from the carried states y[0..m) into
 * out (none when not stepped), and the tracked maxima there. Returns whether a maximum
 * rose. */
static int grid_op_point(const hs_solver *s, const grid_op *op, int stepped, double t,
                          const double *y, double *out, run_acc *acc) {
  if (!stepped) {
    memcpy(out, y, sizeof(double) * (size_t)op->m);
    tracked_of(op, y, out);
  } else if (op->w == 8)
    grid_op_step(8, op->m, op->pe, op->ce, y, out);
  else
    grid_op_step(HS_GRID_W, op->m, op->pe, op->ce, y, out);
  int rose = 0;
  for (int sp = 0; sp < s->ns; sp++)
    for (int j = 0; j < HS_N_TRACKED; j++)
      rose |= track_max(out[op->m + sp * HS_N_TRACKED + j], t, &acc->tk[sp].cmax[j],
                        &acc->tk[sp].tmax[j]);
  return rose;
}

/* Whether grid point k is reached by a full step and lies inside [a, b] (b included when
 * it is the end). */
static int full_step_in(const hs_sim_opts *o, int k, double b, int last) {
  const double tk = k * o->dt_out;
  return k < hs_solver_grid_size(o) && tk <= o->t_end && in_segment(tk, b, last);
}

/* Whether the HS_GRID_BLOCK grid points after point k are full steps inside [a, b]. */
static int block_fits(const hs_sim_opts *o, int k, double b, int last) {
  return full_step_in(o, k + HS_GRID_BLOCK, b, last);
}

static void grid_swap(grid_op *op) {
  double *t = op->yc;
  op->yc = op->nv, op->nv = t;
}

/* Grid point *k of the metrics-only grid (at t, stepped from the previous point or not),
 * then the points after it that provably hold no new maximum, passed without evaluation
 * (full: the step in op is the grid interval; those points are full steps in [a, b]):
 * - after a step that leaves the carried states unchanged to the last bit (a fixed point
 *   of the step, as on a plateau), every later point of the segment repeats this one;
 * - a block of HS_GRID_BLOCK points whose bound stays below every maximum (decay) is one
 *   step of the block's propagator; none is tried while a maximum rises, and after a
 *   block that may reach one the next try is a block later.
 * *k ends at the last point passed. */
static void grid_walk(hs_solver *s, grid_op *op, int stepped, double t, int full, double b,
                      int last, const hs_sim_opts *o, int *k, run_acc *acc, const double *pc,
                      const double *c) {
  const int k0 = *k;
  const int rose = grid_op_point(s, op, stepped, t, op->yc, op->nv, acc);
  const int fixed = stepped && !memcmp(op->yc, op->nv, sizeof(double) * (size_t)op->m);
  grid_swap(op);
  if (!full) return;
  if (fixed && full_step_in(o, *k + 1, b, last)) { /* to the last such point of [a, b] */
    int j = (int)fmin(b / o->dt_out + 1.0, (double)hs_solver_grid_size(o));
    while (j > *k + 1 && !full_step_in(o, j, b, last)) j--;
    *k = j;
  }
  if (!rose && *k >= op->retry)
    while (block_fits(o, *k, b, last)) {
      if (!op->blk) grid_block(op, pc, c);
      if (!grid_block_below(op, op->yc, acc)) {
        op->retry = *k + HS_GRID_BLOCK;
        break;
      }
      grid_step(op->pk, op->ck, op->m, op->yc, op->nv);
      grid_swap(op);
      *k += HS_GRID_BLOCK;
    }
  s->stats.grid_skipped += *k - k0;
}

/* The grid points of [a, b] (as process_step takes them) from the state at a, each one
 * step of the one-step propagator from the previous: the amounts that change (with time
 * courses every state). For metrics only, the states and the tracked concentrations step
 * as one product (grid_op) when they fit its width. */
static int exact_grid(hs_solver *s, double a, double b, int last, const hs_sim_opts *o,
                      hs_trace *const *tr, int *k, run_acc *acc, hs_error *err) {
  const int n = s->nr, nk = hs_solver_grid_size(o);
  int *idx = s->xidx, m = n;
  double u[HS_N_ROUTES], *y = s->xy, *pc = s->xj, *c = s->xf, t = a;
  route_rates(s, 0, u);
  memcpy(y, N_VGetArrayPointer(s->cur->y), sizeof(double) * (size_t)n);
  if (tr)
    for (int i = 0; i < n; i++) idx[i] = i;
  else
    m = active_amounts(s, idx);
  grid_op op; /* not zeroed: tracked_rows and grid_extend fill what a step reads */
  op.m = m, op.nt = HS_N_TRACKED * s->ns;
  const int fast = !tr && m + op.nt <= HS_GRID_W;
  op.w = m + op.nt <= 8 ? 8 : HS_GRID_W;
  op.blk = 0, op.retry = 0, op.yc = op.buf[0], op.nv = op.buf[1];
  double *yc = op.yc, *nv = op.nv;
  for (int i = 0; i < m; i++) yc[i] = y[idx[i]];
  if (fast) tracked_rows(s, idx, &op);
  int on_grid = 0; /* t is a grid time: a full interval to the next is dt exactly */
  double h_p = NAN; /* the step of the propagator in pc */
  for (; *k < nk; ++*k) {
    double tk = grid_time(o, *k);
    if (!in_segment(tk, b, last)) break;
    const int stepped = !same_time(tk, t);
    double h = on_grid && tk == *k * o->dt_out ? o->dt_out : tk - t;
    if (stepped && h != h_p) {
      const double *p = hs__props_get(s->props, s->xa, s->xb, n, HS_N_ROUTES, h);
      if (!p) return props_failed(tk, err);
      compact(p, n, idx, m, u, pc, c);
      if (fast) grid_extend(pc, c, &op);
      h_p = h;
    }
    if (fast) {
      grid_walk(s, &op, stepped, tk, h_p == o->dt_out, b, last, o, k, acc, pc, c);
      tk = grid_time(o, *k);
    } else {
      if (stepped) {
        grid_step(pc, c, m, yc, nv);
        memcpy(yc, nv, sizeof(double) * (size_t)m);
        for (int i = 0; i < m; i++) y[idx[i]] = yc[i];
      }
      record(s, tk, y, tr, *k, acc);
    }
    t = tk, on_grid = 1;
  }
  return HS_OK;
}

/* The segment [a, b] solved exactly: the grid points it holds, then every replica's state
 * at b by one propagator over the whole segment. */
static int exact_segment(hs_solver *s, double a, double b, int last, const hs_sim_opts *o,
                         hs_trace *const *tr, int *k, run_acc *acc, hs_error *err) {
  int rc = exact_grid(s, a, b, last, o, tr, k, acc, err);
  if (rc) return rc;
  const double *p = hs__props_get(s->props, s->xa, s->xb, s->nr, HS_N_ROUTES, b - a);
  if (!p) return props_failed(b, err);
  double *y = N_VGetArrayPointer(s->cur->y), u[HS_N_ROUTES];
  for (int r = 0; r < s->nrep; r++) {
    route_rates(s, r, u);
    propagate(p, s->nr, u, y + r * s->nr, s->xf);
    mass_balance(s, y + r * s->nr, &acc[r]);
  }
  s->stats.segments++;
  s->stats.exact_segments++;
  return HS_OK;
}

/* Whether every species of the run eliminates linearly (the exact solution's condition on
 * the drug; the time-dependent terms are checked per segment). */
static int run_is_linear(const hs_solver *s) {
  for (int k = 0; k < s->ns; k++) {
    const hs_drug *d = &s->sctx[0].sp[k].p->drug;
    if (d->hepatic.kind != HS_ELIM_LINEAR || d->extrahepatic.kind != HS_ELIM_LINEAR) return 0;
  }
  return 1;
}

/* The method of the run: 1 when segments may be solved exactly, 0 for CVODE throughout. */
static int exact_wanted(hs_solver *s, const hs_sim_opts *o, hs_error *err) {
  if (o->method == HS_SOLVER_CVODE) return 0;
  if (o->method != HS_SOLVER_AUTO && o->method != HS_SOLVER_EXACT)
    return hs_error_set(err, HS_EINPUT, "unknown solver method %d", o->method);
  if (!run_is_linear(s)) {
    if (o->method == HS_SOLVER_AUTO) return 0;
    return hs_error_set(err, HS_EINPUT, "simulation.solver 'exact' needs linear elimination; "
                        "a saturable (Michaelis-Menten) elimination was given (use 'auto' or "
                        "'cvode')");
  }
  if (!s->props && !(s->props = hs__props_create()))
    return hs_error_set(err, HS_ENOMEM, "out of memory for the exact solver's matrices");
  hs__props_clear(s->props);
  return 1;
}

/* The engine for systems of n states: the one created for n, or a new one. */
static int select_engine(hs_solver *s, int n, hs_error *err) {
  cv_engine *free_slot = NULL;
  for (int i = 0; i < HS_N_ENGINES; i++) {
    if (s->eng[i].cvode && s->eng[i].n == n) {
      s->cur = &s->eng[i];
      return HS_OK;
    }
    if (!s->eng[i].cvode && !free_slot) free_slot = &s->eng[i];
  }
  if (!free_slot) return hs_error_set(err, HS_EINPUT, "no CVODE engine for %d states", n);
  int rc = engine_create(s, free_slot, n, err);
  if (!rc) s->cur = free_slot;
  return rc;
}

/* State indices of the amounts (the block solver's M11) and of the accounting states. */
static void index_states(hs_solver *s) {
  int na = 0, nacc = 0;
  for (int k = 0; k < s->ns; k++) {
    const hs_params *p = s->sctx[0].sp[k].p;
    for (int i = 0; i < s->stride; i++) {
      if (hs_model_is_amount(p, i)) s->amt[na++] = k * s->stride + i;
      else s->acc[nacc++] = k * s->stride + i;
    }
  }
  s->na = na;
}

/* Select (creating on first use) the engine for nrep replicas of ns species and set up
 * the system. */
static int setup_system(hs_solver *s, const hs_params *const *sp, const hs_species_link *link,
                        int ns, int nrep, hs_error *err) {
  if (ns < 1 || ns > HS_MAX_SPECIES)
    return hs_error_set(err, HS_EINPUT, "%d coupled species; at most %d are supported", ns,
                        HS_MAX_SPECIES);
  for (int k = 1; k < ns; k++)
    if (link[k].parent < 0 || link[k].parent >= k || !(link[k].yield >= 0))
      return hs_error_set(err, HS_EINPUT, "species %d: parent %d must precede it and yield "
                          "%g must be >= 0", k, link[k].parent, link[k].yield);
  int ext = 0, rc;
  for (int k = 0; k < ns; k++) ext |= sp[k]->ext;
  /* one species without extensions: only the reference model's states (speed) */
  s->stride = ns == 1 && !ext ? HS_NSTATE_BASE : HS_NSTATE;
  if ((rc = select_engine(s, nrep * ns * s->stride, err))) return rc;
  s->ns = ns;
  s->nrep = nrep;
  s->nr = ns * s->stride;
  s->n = nrep * s->nr;
  for (int r = 0; r < nrep; r++) {
    hs_system_ctx *c = &s->sctx[r];
    memset(c, 0, sizeof *c);
    c->ns = ns;
    c->stride = s->stride;
    for (int k = 0; k < ns; k++) {
      c->sp[k].p = sp[k];
      if (k > 0) c->link[k] = link[k];
    }
  }
  index_states(s);
  return HS_OK;
}

/* Boluses at a and the infusion rates over [a, b] of replica r (its species 0 is dosed). */
static void start_segment(hs_solver *s, int r, const hs_params *p, const hs_dose *d, int n,
                          double a, double b) {
  hs_system_ctx *c = &s->sctx[r];
  apply_boluses(p, d, n, a, N_VGetArrayPointer(s->cur->y) + r * s->nr);
  hs_model_segment(d, n, a, b, &c->sp[0].seg);
  for (int j = 1; j < s->ns; j++) c->sp[j].seg = (hs_segment){.t0 = a}; /* not dosed */
}

/* The run of replica 0 under doses[0] (recorded: trace, Cmax) and, with nrep = 2, its
 * comparator, replica 1 under doses[1] (exposure only), integrated as one system. */
static int run_replicas(hs_solver *s, const hs_params *const *sp, const hs_species_link *link,
                        int ns, int nrep, const hs_dose *const *doses, const int *n_doses,
                        const hs_sim_opts *o, hs_trace *const *tr, hs_metrics *const *m,
                        hs_error *err) {
  int rc = HS_OK;
  for (int r = 0; !rc && r < nrep; r++) rc = check_opts(o, doses[r], n_doses[r], tr, ns, err);
  if (!rc) rc = setup_system(s, sp, link, ns, nrep, err);
  if (rc) return rc;
  const hs_params *p = sp[0]; /* doses, embolisation and filters: the dosed drug's */
  int nbp = build_breakpoints(s, p, doses, n_doses, nrep, o->t_end, err);
  if (nbp < 0) return nbp;
  memset(&s->stats, 0, sizeof s->stats);
  s->cv_msg[0] = '\0';
  if (CVodeSStolerances(s->cur->cvode, o->rtol, o->atol) != 0)
    return hs_error_set(err, HS_ESOLVER, "CVODE options rejected: %s", s->cv_msg);
  double *y = N_VGetArrayPointer(s->cur->y);
  memset(y, 0, sizeof(double) * (size_t)s->n);
  run_acc acc[HS_MAX_REP]; /* maxima: replica 0's only; mass balance: every replica's */
  memset(acc, 0, sizeof acc);
  for (int k = 0; k < ns; k++)
    for (int j = 0; j < HS_N_TRACKED; j++) acc[0].tk[k].cmax[j] = -INFINITY;
  int k = 0, exact = exact_wanted(s, o, err);
  if (exact < 0) return exact;
  for (int i = 0; i + 1 < nbp; i++) {
    double a = s->bp[i], b = s->bp[i + 1];
    for (int r = 0; r < nrep; r++) start_segment(s, r, p, doses[r], n_doses[r], a, b);
    if (exact && exact_applies(s, a, b))
      rc = exact_segment(s, a, b, i + 2 == nbp, o, tr, &k, acc, err);
    else
      rc = integrate_segment(s, a, b, i + 2 == nbp, o, tr, &k, acc, err);
    if (rc) return rc;
  }
  for (int r = 0; r < nrep; r++) {
    run_acc *ra = &acc[r];
    for (int j = 0; j < ns; j++) {
      for (int i = 0; r > 0 && i < HS_N_TRACKED; i++) /* the comparator: exposure only */
        ra->tk[j].cmax[i] = ra->tk[j].tmax[i] = NAN;
      hs_model_metrics(sp[j], y + r * s->nr + j * s->stride, &ra->tk[j], &m[r][j]);
    }
  }
  return HS_OK;
}

int hs_solver_run_system(hs_solver *s, const hs_params *const *sp, const hs_species_link *link,
                         int ns, const hs_dose *doses, int n_doses, const hs_sim_opts *o,
                         hs_trace *const *tr, hs_metrics *m, hs_error *err) {
  const hs_dose *d[1] = {doses};
  hs_metrics *mm[1] = {m};
  return run_replicas(s, sp, link, ns, 1, d, &n_doses, o, tr, mm, err);
}

int hs_solver_run_compared(hs_solver *s, const hs_params *const *sp,
                           const hs_species_link *link, int ns, const hs_dose *doses,
                           int n_doses, const hs_dose *cmp_doses, int n_cmp,
                           const hs_sim_opts *o, hs_trace *const *tr, hs_metrics *m,
                           hs_metrics *m_cmp, hs_error *err) {
  const hs_dose *d[2] = {doses, cmp_doses};
  int n[2] = {n_doses, n_cmp};
  hs_metrics *mm[2] = {m, m_cmp};
  return run_replicas(s, sp, link, ns, 2, d, n, o, tr, mm, err);
}

int hs_solver_run(hs_solver *s, const hs_params *p, const hs_dose *doses, int n_doses,
                  const hs_sim_opts *o, hs_trace *tr, hs_metrics *m, hs_error *err) {
  hs_species_link none = {0};
  return hs_solver_run_system(s, &p, &none, 1, doses, n_doses, o, tr ? &tr : NULL, m, err);
}
