/* solver.c - the CVODE wrapper: one workspace per thread, integration restarted at every
 * discontinuity of the inputs. The only file that includes SUNDIALS headers. */
#include "hs_solver.h"

#include <cvode/cvode.h>
#include <math.h>
#include <stddef.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_types.h>
#include <sundials/sundials_version.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#if SUNDIALS_VERSION_MAJOR >= 7
#define HS_SUN_COMM SUN_COMM_NULL
#else
#define HS_SUN_COMM NULL
#endif

struct hs_solver {
  SUNContext sunctx;
  void *cvode;
  N_Vector y;
  SUNMatrix A;
  SUNLinearSolver ls;
  hs_rhs_ctx rctx;
  double jac[HS_NSTATE * HS_NSTATE];
  double *bp; /* breakpoints, grown as needed, reused between runs */
  int bp_cap;
  char cv_msg[512]; /* last message from CVODE's error handler */
  hs_solver_stats stats;
};

/* ---- callbacks: CVODE <-> the pure model ---------------------------------------- */

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud) {
  hs_solver *s = ud;
  return hs_model_rhs(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot), &s->rctx);
}

static int cv_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1,
                  N_Vector t2, N_Vector t3) {
  (void)fy, (void)t1, (void)t2, (void)t3;
  hs_solver *s = ud;
  int rc = hs_model_jac(t, N_VGetArrayPointer(y), s->jac, &s->rctx);
  for (int i = 0; i < HS_NSTATE; i++)
    for (int j = 0; j < HS_NSTATE; j++) SM_ELEMENT_D(J, i, j) = s->jac[i * HS_NSTATE + j];
  return rc;
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
  s->y = N_VNew_Serial(HS_NSTATE, s->sunctx);
  s->cvode = CVodeCreate(CV_BDF, s->sunctx);
  s->A = SUNDenseMatrix(HS_NSTATE, HS_NSTATE, s->sunctx);
  if (!s->y || !s->cvode || !s->A) {
    hs_error_set(err, HS_ENOMEM, "out of memory creating CVODE objects");
    goto fail;
  }
  s->ls = SUNLinSol_Dense(s->y, s->A, s->sunctx);
  if (!s->ls) {
    hs_error_set(err, HS_ENOMEM, "out of memory creating the dense linear solver");
    goto fail;
  }
  N_VConst(0.0, s->y);
#if SUNDIALS_VERSION_MAJOR < 7
  CV_CHECK(CVodeSetErrHandlerFn(s->cvode, cv_err_handler, s));
#endif
  CV_CHECK(CVodeInit(s->cvode, cv_rhs, 0.0, s->y));
  CV_CHECK(CVodeSetUserData(s->cvode, s));
  CV_CHECK(CVodeSetLinearSolver(s->cvode, s->ls, s->A));
  CV_CHECK(CVodeSetJacFn(s->cvode, cv_jac));
  return s;
fail:
  hs_solver_free(s);
  return NULL;
}

void hs_solver_free(hs_solver *s) {
  if (!s) return;
  if (s->cvode) CVodeFree(&s->cvode);
  if (s->ls) SUNLinSolFree(s->ls);
  if (s->A) SUNMatDestroy(s->A);
  if (s->y) N_VDestroy(s->y);
  if (s->sunctx) SUNContext_Free(&s->sunctx);
  free(s->bp);
  free(s);
}

void hs_solver_stats_get(const hs_solver *s, hs_solver_stats *st) { *st = s->stats; }

#define METRIC(name, unit) {#name, unit, offsetof(hs_metrics, name)}
static const hs_metric_field METRIC_FIELDS[] = {
    METRIC(auc_plasma, "mg*h/L"),
    METRIC(auc_tumor, "mg*h/L"),
    METRIC(auc_liver, "mg*h/L"),
    METRIC(auc_tumor_venous, "mg*h/L"),
    METRIC(cmax_plasma, "mg/L"),
    METRIC(tmax_plasma, "h"),
    METRIC(cmax_tumor, "mg/L"),
    METRIC(tmax_tumor, "h"),
    METRIC(fraction_eliminated_liver, "1"),
    METRIC(fraction_eliminated_renal, "1"),
    METRIC(fraction_eliminated_extrahepatic, "1"),
    METRIC(mass_balance_error, "1"),
    METRIC(regional_advantage, "1"),
    METRIC(auc_plasma_iv, "mg*h/L"),
    METRIC(auc_tumor_iv, "mg*h/L"),
    METRIC(fraction_eliminated_tumor, "1"),
    METRIC(auc_blood, "mg*h/L"),
    METRIC(dosed_mg, "mg"),
};
#undef METRIC

const hs_metric_field *hs_metric_fields(int *n) {
  *n = (int)(sizeof METRIC_FIELDS / sizeof METRIC_FIELDS[0]);
  return METRIC_FIELDS;
}

double hs_metric_value(const hs_metrics *m, const hs_metric_field *f) {
  return *(const double *)((const char *)m + f->offset);
}

/* ---- the output grid and the breakpoints ---------------------------------------- */

int hs_solver_grid_size(const hs_sim_opts *o) {
  return (int)ceil(o->t_end / o->dt_out - 1e-9) + 1;
}

static double grid_time(const hs_sim_opts *o, int k) {
  double t = k * o->dt_out;
  return t > o->t_end ? o->t_end : t;
}

static int same_time(double a, double b) { return fabs(a - b) <= 1e-10 * fmax(1.0, fabs(a)); }

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sorted, merged breakpoints in [0, t_end]: 0, t_end, dose starts and ends, onsets. */
static int build_breakpoints(hs_solver *s, const hs_params *p, const hs_dose *d, int n,
                             double t_end, hs_error *err) {
  int need = 2 + 2 * n + p->n_embo;
  if (need > s->bp_cap) {
    double *nb = realloc(s->bp, sizeof(double) * (size_t)need);
    if (!nb) return hs_error_set(err, HS_ENOMEM, "out of memory for %d breakpoints", need);
    s->bp = nb;
    s->bp_cap = need;
  }
  int m = 0;
  s->bp[m++] = 0.0;
  s->bp[m++] = t_end;
  for (int i = 0; i < n; i++) {
    s->bp[m++] = d[i].t_start;
    s->bp[m++] = d[i].t_end;
  }
  for (int i = 0; i < p->n_embo; i++) s->bp[m++] = p->embo[i].t_e;
  qsort(s->bp, (size_t)m, sizeof(double), cmp_double);
  int k = 0;
  for (int i = 0; i < m; i++) {
    if (s->bp[i] < 0 || s->bp[i] > t_end) continue;
    if (k > 0 && same_time(s->bp[i], s->bp[k - 1])) continue;
    s->bp[k++] = s->bp[i];
  }
  return k;
}

/* ---- one run -------------------------------------------------------------------- */

/* Instantaneous doses at time a (model.md "Inputs"). */
static void apply_boluses(const hs_params *p, const hs_dose *d, int n, double a, double *y) {
  for (int i = 0; i < n; i++) {
    if (d[i].t_end != d[i].t_start || !same_time(d[i].t_start, a)) continue;
    double amt = d[i].amount_mg, share;
    switch (d[i].route) {
    case HS_ROUTE_IV: y[HS_A_B] += amt; break;
    case HS_ROUTE_HA:
      share = hs_model_ha_liver_share(p, a, a);
      y[HS_A_L] += share * amt;
      y[HS_A_T] += (1 - share) * amt;
      break;
    case HS_ROUTE_PV:
      share = hs_model_pv_liver_share(p);
      y[HS_A_L] += share * amt;
      y[HS_A_T] += (1 - share) * amt;
      break;
    case HS_ROUTE_TACE: y[HS_A_D] += amt; break;
    }
    y[HS_DOSED] += amt;
  }
}

/* Infusion rates over the segment [a, b] (constant there by construction). */
static void segment_rates(const hs_dose *d, int n, double a, double b, hs_segment *seg) {
  double mid = 0.5 * (a + b);
  seg->r_iv = seg->r_ha = seg->r_pv = 0;
  seg->t0 = a;
  for (int i = 0; i < n; i++) {
    if (d[i].t_end == d[i].t_start || mid < d[i].t_start || mid > d[i].t_end) continue;
    double rate = d[i].amount_mg / (d[i].t_end - d[i].t_start);
    if (d[i].route == HS_ROUTE_IV) seg->r_iv += rate;
    else if (d[i].route == HS_ROUTE_HA) seg->r_ha += rate;
    else if (d[i].route == HS_ROUTE_PV) seg->r_pv += rate;
    /* TACE doses are boluses into the depot; the scenario loader rejects TACE infusions */
  }
}

typedef struct run_acc {
  double mb_max, cmax_p, tmax_p, cmax_t, tmax_t;
} run_acc;

static void set_trace(double *arr, int k, double v) {
  if (arr) arr[k] = v;
}

/* Cmax over the grid; tmax is the first time the maximum is reached to within 1e-6
 * (relative), so that a plateau (steady infusion) reports its start, not solver noise. */
static void track_max(double c, double t, double *cmax, double *tmax) {
  if (c > *cmax * (1 + 1e-6) || *cmax == -INFINITY) *tmax = t;
  if (c > *cmax) *cmax = c;
}

static void record(hs_solver *s, double t, const double *y, hs_trace *tr, int k, run_acc *acc) {
  hs_conc c;
  hs_model_concentrations(t, y, &s->rctx, &c);
  track_max(c.plasma, t, &acc->cmax_p, &acc->tmax_p);
  track_max(c.tumor, t, &acc->cmax_t, &acc->tmax_t);
  double present = 0, gone = y[HS_EL_H] + y[HS_EL_R] + y[HS_EL_X] + y[HS_EL_T];
  for (int i = 0; i < HS_N_AMOUNTS; i++) present += y[i];
  double mb = fabs(y[HS_DOSED] - present - gone);
  if (mb > acc->mb_max) acc->mb_max = mb;
  if (!tr) return;
  set_trace(tr->t, k, t);
  set_trace(tr->plasma, k, c.plasma);
  set_trace(tr->blood, k, c.blood);
  set_trace(tr->liver, k, c.liver);
  set_trace(tr->tumor, k, c.tumor);
  set_trace(tr->tumor_venous, k, c.tumor_venous);
  set_trace(tr->hepatic_artery, k, c.hepatic_artery);
  set_trace(tr->portal_vein, k, c.portal_vein);
  set_trace(tr->depot, k, c.depot_mg);
  if (tr->y) memcpy(tr->y + (size_t)k * HS_NSTATE, y, sizeof(double) * HS_NSTATE);
  tr->n = k + 1;
}

static int check_opts(const hs_sim_opts *o, const hs_dose *d, int n, const hs_trace *tr,
                      hs_error *err) {
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
  if (tr && tr->cap < hs_solver_grid_size(o))
    return hs_error_set(err, HS_EINPUT, "trace holds %d points, the grid has %d", tr->cap,
                        hs_solver_grid_size(o));
  return HS_OK;
}

static void add_stats(hs_solver *s) {
  long v;
  if (CVodeGetNumSteps(s->cvode, &v) == 0) s->stats.steps += v;
  if (CVodeGetNumRhsEvals(s->cvode, &v) == 0) s->stats.rhs_evals += v;
  if (CVodeGetNumJacEvals(s->cvode, &v) == 0) s->stats.jac_evals += v;
  s->stats.segments++;
}

/* Integrate to tout (within the current segment). */
static int advance(hs_solver *s, double tout, sunrealtype *tret, hs_error *err) {
  int flag = CVode(s->cvode, tout, s->y, tret, CV_NORMAL);
  if (flag >= 0) return HS_OK;
  add_stats(s);
  return hs_error_set(err, HS_ESOLVER, "CVODE failed near t = %g h (flag %d): %s", *tret, flag,
                      s->cv_msg);
}

/* Integrate over [a, b], recording grid points in [a, b) (and b when it is the end). */
static int integrate_segment(hs_solver *s, double a, double b, int last, const hs_sim_opts *o,
                             hs_trace *tr, int *k, run_acc *acc, hs_error *err) {
  double *y = N_VGetArrayPointer(s->y);
  int nk = hs_solver_grid_size(o);
  sunrealtype tret = a;
  if (CVodeReInit(s->cvode, a, s->y) != 0 || CVodeSetStopTime(s->cvode, b) != 0)
    return hs_error_set(err, HS_ESOLVER, "CVODE restart at t = %g h failed: %s", a, s->cv_msg);
  while (*k < nk) {
    double tk = grid_time(o, *k);
    int in_seg = last ? tk <= b || same_time(tk, b) : tk < b && !same_time(tk, b);
    if (!in_seg) break;
    int rc = same_time(tk, tret) ? HS_OK : advance(s, tk, &tret, err);
    if (rc) return rc;
    record(s, tk, y, tr, *k, acc);
    (*k)++;
  }
  int rc = same_time(tret, b) ? HS_OK : advance(s, b, &tret, err);
  if (!rc) add_stats(s);
  return rc;
}

static void finish_metrics(const double *y, const run_acc *acc, double bp,
                           hs_metrics *m) {
  double dosed = y[HS_DOSED];
  m->auc_plasma = y[HS_AUC_P];
  m->auc_blood = y[HS_AUC_P] * bp;
  m->auc_tumor = y[HS_AUC_T];
  m->auc_liver = y[HS_AUC_L];
  m->auc_tumor_venous = y[HS_AUC_TV];
  m->cmax_plasma = acc->cmax_p;
  m->tmax_plasma = acc->tmax_p;
  m->cmax_tumor = acc->cmax_t;
  m->tmax_tumor = acc->tmax_t;
  m->dosed_mg = dosed;
  m->fraction_eliminated_liver = dosed > 0 ? y[HS_EL_H] / dosed : 0;
  m->fraction_eliminated_renal = dosed > 0 ? y[HS_EL_R] / dosed : 0;
  m->fraction_eliminated_extrahepatic = dosed > 0 ? y[HS_EL_X] / dosed : 0;
  m->fraction_eliminated_tumor = dosed > 0 ? y[HS_EL_T] / dosed : 0;
  m->mass_balance_error = dosed > 0 ? acc->mb_max / dosed : acc->mb_max;
  m->regional_advantage = m->auc_plasma_iv = m->auc_tumor_iv = NAN;
}

int hs_solver_run(hs_solver *s, const hs_params *p, const hs_dose *doses, int n_doses,
                  const hs_sim_opts *o, hs_trace *tr, hs_metrics *m, hs_error *err) {
  int rc = check_opts(o, doses, n_doses, tr, err);
  if (rc) return rc;
  int nbp = build_breakpoints(s, p, doses, n_doses, o->t_end, err);
  if (nbp < 0) return nbp;
  memset(&s->stats, 0, sizeof s->stats);
  s->cv_msg[0] = '\0';
  s->rctx.p = p;
  if (CVodeSStolerances(s->cvode, o->rtol, o->atol) != 0 ||
      CVodeSetMaxNumSteps(s->cvode, o->max_steps > 0 ? o->max_steps : 100000) != 0)
    return hs_error_set(err, HS_ESOLVER, "CVODE options rejected: %s", s->cv_msg);
  double *y = N_VGetArrayPointer(s->y);
  memset(y, 0, sizeof(double) * HS_NSTATE);
  run_acc acc = {0, -INFINITY, 0, -INFINITY, 0};
  int k = 0;
  for (int i = 0; i + 1 < nbp; i++) {
    double a = s->bp[i], b = s->bp[i + 1];
    apply_boluses(p, doses, n_doses, a, y);
    segment_rates(doses, n_doses, a, b, &s->rctx.seg);
    rc = integrate_segment(s, a, b, i + 2 == nbp, o, tr, &k, &acc, err);
    if (rc) return rc;
  }
  finish_metrics(y, &acc, p->drug.bp, m);
  return HS_OK;
}
