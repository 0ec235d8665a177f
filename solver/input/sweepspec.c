/* sweepspec.c - the `sweep:` section of a scenario: design, runs, seed, parameters with
 * units, correlation; converted once at load time into an hs_design. */
#include "sweepspec.h"

#include "table.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const PRECISIONS[] = {"float32", "float64", NULL};
static const char *const SCALES[] = {"linear", "log", NULL};
static const char *const DISTS[] = {"uniform", "normal", "lognormal", NULL};

typedef struct sweep_in {
  int design, precision;
  double runs, seed;
  int chunk;
} sweep_in;

enum { W_DESIGN, W_RUNS, W_SEED, W_PRECISION, W_CHUNK, W_PARAMS, W_CORR, W_FILE, W_N };
static const hs__field SWEEP_FIELDS[W_N] = {
    {"design", HS_F_ENUM, HS_KIND_NUMBER, offsetof(sweep_in, design), HS_R_ANY, hs_design_kind_names, 0, NULL},
    {"runs", HS_F_QTY, HS_KIND_NUMBER, offsetof(sweep_in, runs), HS_R_POS, NULL, 0, NULL},
    {"seed", HS_F_QTY, HS_KIND_NUMBER, offsetof(sweep_in, seed), HS_R_NONNEG, NULL, 0, NULL},
    {"timeseries_precision", HS_F_ENUM, HS_KIND_NUMBER, offsetof(sweep_in, precision), HS_R_ANY,
     PRECISIONS, 0, NULL},
    {"chunk", HS_F_INT, HS_KIND_NUMBER, offsetof(sweep_in, chunk), HS_R_ANY, NULL, 0, NULL},
    {"parameters", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"correlation", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"file", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

/* A parameter's entry: {from, to, n, scale} | {values} | {distribution, ...} | {cv}. */
typedef struct param_in {
  int n, scale, dist;
  double cv;
} param_in;
enum { Q_FROM, Q_TO, Q_N, Q_SCALE, Q_VALUES, Q_DIST, Q_MEAN, Q_SD, Q_MEDIAN, Q_CV, Q_COUNT };
static const hs__field PARAM_FIELDS[Q_COUNT] = {
    {"from", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"to", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"n", HS_F_INT, HS_KIND_NUMBER, offsetof(param_in, n), HS_R_ANY, NULL, 0, NULL},
    {"scale", HS_F_ENUM, HS_KIND_NUMBER, offsetof(param_in, scale), HS_R_ANY, SCALES, 0, NULL},
    {"values", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"distribution", HS_F_ENUM, HS_KIND_NUMBER, offsetof(param_in, dist), HS_R_ANY, DISTS, 0, NULL},
    {"mean", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"sd", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"median", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"cv", HS_F_QTY, HS_KIND_FRACTION, offsetof(param_in, cv), HS_R_POS, NULL, 0, NULL},
};

typedef struct ctx {
  const hs__ydoc *d;
  hs_scenario *sc;
  hs_error *err;
} ctx;

/* A value of the parameter's kind (units converted; doses must carry the slot's norm) inside
 * the range the registry declares for it. */
static int read_value(ctx *c, hs__ynode n, const char *path, const hs_scenario_slot *slot,
                      double *out, hs_design_param *p) {
  const char *text = hs__ydoc_scalar(c->d, n);
  hs_norm norm = HS_NORM_NONE;
  hs_error e;
  if (!text) return hs__ydoc_error(c->d, n, path, c->err, "expected %s", hs_units_kind_name(slot->kind));
  if (hs_units_convert(text, slot->kind, out, &norm, &e))
    return hs__ydoc_error(c->d, n, path, c->err, "%s", e.msg);
  if (norm != slot->norm)
    return hs__ydoc_error(c->d, n, path, c->err, "'%s' must be in %s like the scenario's dose",
                          text, slot->unit);
  if (!(p->unit_scale > 0)) hs__param_note_unit(p, text, slot); /* the first value's unit */
  return hs__ydoc_check_range(c->d, n, path, *out, text, slot->range, c->err);
}

static int read_key_value(ctx *c, hs__ynode map, const char *key, const char *path,
                          const hs_scenario_slot *slot, double *out, hs_design_param *p) {
  char sub[200];
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  return read_value(c, hs__ydoc_get(c->d, map, key), sub, slot, out, p);
}

static int read_list(ctx *c, hs__ynode list, const char *path, const hs_scenario_slot *slot,
                     hs_design_param *p) {
  int n = hs__ydoc_len(c->d, list);
  if (hs__ydoc_type(c->d, list) != HS_Y_SEQ || n == 0)
    return hs__ydoc_error(c->d, list, path, c->err, "'values' must be a non-empty list");
  p->values = calloc((size_t)n, sizeof *p->values);
  if (!p->values) return hs_error_set(c->err, HS_ENOMEM, "out of memory");
  p->dist = HS_DIST_LIST;
  for (int i = 0; i < n; i++, p->n_values++) {
    int rc = read_value(c, hs__ydoc_item(c->d, list, i), path, slot, &p->values[i], p);
    if (rc) return rc;
  }
  return HS_OK;
}

static int read_distribution(ctx *c, hs__ynode map, const char *path, const param_in *in,
                             const hs__fieldinfo *info, const hs_scenario_slot *slot,
                             hs_design_param *p) {
  int rc = HS_OK;
  switch (in->dist) {
  case 0: /* uniform */
    p->dist = HS_DIST_RANGE;
    if (!(rc = read_key_value(c, map, "from", path, slot, &p->lo, p)))
      rc = read_key_value(c, map, "to", path, slot, &p->hi, p);
    break;
  case 1: /* normal */
    p->dist = HS_DIST_NORMAL;
    if (!(rc = read_key_value(c, map, "mean", path, slot, &p->mean, p)))
      rc = read_key_value(c, map, "sd", path, slot, &p->sd, p);
    break;
  default: /* lognormal */
    p->dist = HS_DIST_LOGNORMAL;
    p->cv = in->cv;
    if (!info[Q_CV].set) return hs__ydoc_error(c->d, map, path, c->err, "a lognormal needs 'cv'");
    if (hs__ydoc_get(c->d, map, "median"))
      rc = read_key_value(c, map, "median", path, slot, &p->mean, p);
    else
      p->mean = hs_scenario_slot_get(slot); /* centred on the scenario's own value */
  }
  return rc;
}

static int read_param(ctx *c, hs__ynode key, hs__ynode map, hs_design_param *p, int grid) {
  const char *path = hs__ydoc_scalar(c->d, key);
  hs_scenario_slot slot;
  hs_error e;
  if (!path || strlen(path) >= sizeof p->path)
    return hs__ydoc_error(c->d, key, "sweep.parameters", c->err, "expected a scenario path");
  snprintf(p->path, sizeof p->path, "%s", path);
  if (hs_scenario_slot_find(c->sc, path, &slot, &e))
    return hs__ydoc_error(c->d, key, "sweep.parameters", c->err, "%s", e.msg);
  param_in in = {0};
  hs__fieldinfo info[Q_COUNT] = {{0}};
  char sub[200];
  snprintf(sub, sizeof sub, "sweep.parameters.%s", path);
  int rc = hs__ydoc_read(c->d, map, sub, PARAM_FIELDS, Q_COUNT, &in, info, 0, c->err);
  if (rc) return rc;
  int has[Q_COUNT];
  for (int i = 0; i < Q_COUNT; i++) has[i] = hs__ydoc_get(c->d, map, PARAM_FIELDS[i].key) != 0;
  if (has[Q_N] && !grid)
    return hs__ydoc_error(c->d, map, sub, c->err, "'n' (points) is only used by grid designs");
  if (has[Q_VALUES]) return read_list(c, hs__ydoc_get(c->d, map, "values"), sub, &slot, p);
  if (has[Q_DIST]) return read_distribution(c, map, sub, &in, info, &slot, p);
  if (has[Q_CV]) {
    in.dist = 2;
    return read_distribution(c, map, sub, &in, info, &slot, p);
  }
  if (!has[Q_FROM] || !has[Q_TO])
    return hs__ydoc_error(c->d, map, sub, c->err, "give 'from' and 'to' (and 'n' on a grid), "
                          "'values', 'distribution', or 'cv'");
  if (grid && !has[Q_N]) return hs__ydoc_error(c->d, map, sub, c->err, "a grid range needs 'n'");
  p->dist = HS_DIST_RANGE;
  p->n = in.n;
  p->log_scale = in.scale == 1;
  if ((rc = read_key_value(c, map, "from", sub, &slot, &p->lo, p))) return rc;
  return read_key_value(c, map, "to", sub, &slot, &p->hi, p);
}

static int read_params(ctx *c, hs__ynode map, int grid) {
  hs_design *dz = &c->sc->sweep.design;
  int n = hs__ydoc_len(c->d, map);
  if (hs__ydoc_type(c->d, map) != HS_Y_MAP || n == 0)
    return hs__ydoc_error(c->d, map, "sweep.parameters", c->err,
                          "a mapping of scenario paths to ranges, lists or distributions");
  dz->params = calloc((size_t)n, sizeof *dz->params);
  if (!dz->params) return hs_error_set(c->err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    dz->n_params++;
    int rc = read_param(c, hs__ydoc_key(c->d, map, i), hs__ydoc_value(c->d, map, i),
                        &dz->params[i], grid);
    if (rc) return rc;
    for (int j = 0; j < i; j++)
      if (!strcmp(dz->params[j].path, dz->params[i].path))
        return hs__ydoc_error(c->d, hs__ydoc_key(c->d, map, i), "sweep.parameters", c->err,
                              "'%s' is listed twice", dz->params[i].path);
  }
  return HS_OK;
}

static int read_correlation(ctx *c, hs__ynode m) {
  hs_design *dz = &c->sc->sweep.design;
  int n = dz->n_params;
  if (hs__ydoc_type(c->d, m) != HS_Y_SEQ || hs__ydoc_len(c->d, m) != n)
    return hs__ydoc_error(c->d, m, "sweep.correlation", c->err,
                          "expected %d rows of %d numbers (one per parameter, in order)", n, n);
  dz->corr = calloc((size_t)n * n, sizeof *dz->corr);
  if (!dz->corr) return hs_error_set(c->err, HS_ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) {
    hs__ynode row = hs__ydoc_item(c->d, m, i);
    if (hs__ydoc_type(c->d, row) != HS_Y_SEQ || hs__ydoc_len(c->d, row) != n)
      return hs__ydoc_error(c->d, row, "sweep.correlation", c->err, "row %d needs %d numbers",
                            i + 1, n);
    for (int j = 0; j < n; j++) {
      hs_error e;
      hs__ynode v = hs__ydoc_item(c->d, row, j);
      const char *t = hs__ydoc_scalar(c->d, v);
      if (!t || hs_units_convert(t, HS_KIND_NUMBER, &dz->corr[i * n + j], NULL, &e))
        return hs__ydoc_error(c->d, v, "sweep.correlation", c->err, "expected a number");
    }
  }
  return HS_OK;
}

static void describe(hs_sweep_spec *w) {
  const hs_design *dz = &w->design;
  int len = snprintf(w->text, sizeof w->text, "%s, %lld runs, seed %llu, parameters:",
                     hs_design_kind_name(dz->kind), (long long)dz->n_runs,
                     (unsigned long long)dz->seed);
  for (int i = 0; i < dz->n_params && len < (int)sizeof w->text; i++)
    len += snprintf(w->text + len, sizeof w->text - (size_t)len, "%s %s", i ? "," : "",
                    dz->params[i].path);
}

/* `design: table`: `file` names the patient table, which gives the runs and parameters. */
static int read_table(ctx *c, hs__ynode node) {
  static const char *const not_here[] = {"runs", "seed", "parameters", "correlation", NULL};
  hs_design *dz = &c->sc->sweep.design;
  hs__ynode file = hs__ydoc_get(c->d, node, "file");
  const char *name = hs__ydoc_scalar(c->d, file);
  hs_error e;
  if (dz->kind != HS_DESIGN_TABLE)
    return hs__ydoc_error(c->d, file, "sweep.file", c->err, "a 'file' is read by design "
                          "'table' only");
  if (!name || !*name)
    return hs__ydoc_error(c->d, file ? file : node, "sweep.file", c->err, "design 'table' "
                          "needs 'file', a CSV with an 'id' column (see README, Patient tables)");
  for (int i = 0; not_here[i]; i++)
    if (hs__ydoc_get(c->d, node, not_here[i]))
      return hs__ydoc_error(c->d, hs__ydoc_get(c->d, node, not_here[i]), "sweep", c->err,
                            "a table design takes its runs and parameters from '%s': remove "
                            "'%s'", name, not_here[i]);
  uint64_t hash = 0;
  int rc = hs__table_read(c->sc, name, &hash, c->err); /* messages name the table's lines */
  if (rc) return rc;
  if (hs_design_init(dz, &e)) return hs__ydoc_error(c->d, node, "sweep", c->err, "%s", e.msg);
  describe(&c->sc->sweep);
  size_t len = strlen(c->sc->sweep.text); /* a changed table is another design (--resume) */
  snprintf(c->sc->sweep.text + len, sizeof c->sc->sweep.text - len, "; file %s, FNV-1a %016llx",
           name, (unsigned long long)hash);
  return HS_OK;
}

/* Whole numbers only, exactly representable. */
static int whole(double x) { return x == floor(x) && x >= 0 && x <= 9007199254740992.0; }

int hs__sweep_read(const hs__ydoc *d, hs__ynode node, hs_scenario *sc, hs_error *err) {
  ctx c = {d, sc, err};
  sweep_in in = {.chunk = 0};
  hs__fieldinfo info[W_N] = {{0}};
  int rc = hs__ydoc_read(d, node, "sweep", SWEEP_FIELDS, W_N, &in, info, 0, err);
  if (rc) return rc;
  hs_sweep_spec *w = &sc->sweep;
  w->present = 1;
  w->design.kind = (hs_design_kind)in.design;
  int grid = w->design.kind == HS_DESIGN_GRID;
  if (!info[W_DESIGN].set) return hs__ydoc_error(d, node, "sweep.design", err, "is required");
  w->ts_float32 = in.precision == 0;
  w->chunk_runs = info[W_CHUNK].set ? in.chunk : 1024;
  if (w->design.kind == HS_DESIGN_TABLE || hs__ydoc_get(d, node, "file"))
    return read_table(&c, node);
  if (!grid && !info[W_RUNS].set)
    return hs__ydoc_error(d, node, "sweep.runs", err, "is required for a '%s' design",
                          hs_design_kind_names[in.design]);
  if (grid && info[W_RUNS].set)
    return hs__ydoc_error(d, hs__ydoc_get(d, node, "runs"), "sweep.runs", err,
                          "a grid has as many runs as points: remove 'runs'");
  if (!grid && !info[W_SEED].set)
    return hs__ydoc_error(d, node, "sweep.seed", err, "is required for a '%s' design "
                          "(the same seed gives the same runs everywhere)", hs_design_kind_names[in.design]);
  if (info[W_RUNS].set && in.runs > (double)HS_SWEEP_MAX_RUNS)
    return hs__ydoc_error(d, hs__ydoc_get(d, node, "runs"), "sweep.runs", err,
                          "%.17g runs exceed the limit of %lld (see README, Sweeps)", in.runs,
                          HS_SWEEP_MAX_RUNS);
  if ((info[W_RUNS].set && !whole(in.runs)) || (info[W_SEED].set && !whole(in.seed)))
    return hs__ydoc_error(d, node, "sweep", err, "runs and seed must be whole numbers below 2^53");
  int gsa = w->design.kind == HS_DESIGN_SALTELLI || w->design.kind == HS_DESIGN_MORRIS;
  w->design.n_runs = gsa ? 0 : (int64_t)in.runs; /* saltelli, morris: runs = N, r (base) */
  w->design.n_base = gsa ? (int64_t)in.runs : 0;
  w->design.seed = (uint64_t)in.seed;
  hs__ynode params = hs__ydoc_get(d, node, "parameters");
  if (!params) return hs__ydoc_error(d, node, "sweep.parameters", err, "is required");
  if ((rc = read_params(&c, params, grid))) return rc;
  hs__ynode corr = hs__ydoc_get(d, node, "correlation");
  if (corr && w->design.kind != HS_DESIGN_POPULATION)
    return hs__ydoc_error(d, corr, "sweep.correlation", err, "only a population design "
                          "takes a correlation matrix");
  if (corr && (rc = read_correlation(&c, corr))) return rc;
  hs_error e;
  if (hs_design_init(&w->design, &e)) return hs__ydoc_error(d, node, "sweep", err, "%s", e.msg);
  if (grid && w->design.n_runs > HS_SWEEP_MAX_RUNS)
    return hs__ydoc_error(d, params, "sweep.parameters", err, "the grid has %lld points (runs), "
                          "above the limit of %lld (see README, Sweeps)",
                          (long long)w->design.n_runs, HS_SWEEP_MAX_RUNS);
  if (gsa && w->design.n_runs > HS_SWEEP_MAX_RUNS)
    return hs__ydoc_error(d, hs__ydoc_get(d, node, "runs"), "sweep.runs", err, "design '%s' "
                          "makes %lld runs, above the limit of %lld (see README, Sweeps)",
                          hs_design_kind_name(w->design.kind), (long long)w->design.n_runs,
                          HS_SWEEP_MAX_RUNS);
  describe(w);
  return HS_OK;
}
