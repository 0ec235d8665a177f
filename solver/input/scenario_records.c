/* scenario_records.c - a drug's doses from a CSV of NONMEM-style event records (`records:`):
 * ID, TIME, AMT, RATE or DUR, CMT (a route name), EVID, ADDL, II; grouped by ID and matched
 * to a patient table's ids. README, Dosing records. */
#include "scenario_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "table.h"

/* The columns read; others (DV, MDV, covariates ...) are ignored. */
enum { C_ID, C_TIME, C_AMT, C_RATE, C_DUR, C_CMT, C_EVID, C_ADDL, C_II, C_N };
typedef struct rec_col {
  const char *name;
  hs_kind kind;      /* HS_KIND_NUMBER: a plain number without unit */
  const char *unit;  /* default unit of the values */
  int required;
} rec_col;
static const rec_col COLS[C_N] = {
    {"ID", HS_KIND_NUMBER, "", 1},         {"TIME", HS_KIND_TIME, "h", 1},
    {"AMT", HS_KIND_DOSE, "mg", 1},        {"RATE", HS_KIND_DOSE_RATE, "mg/h", 0},
    {"DUR", HS_KIND_TIME, "h", 0},         {"CMT", HS_KIND_NUMBER, "", 1},
    {"EVID", HS_KIND_NUMBER, "", 0},       {"ADDL", HS_KIND_NUMBER, "", 0},
    {"II", HS_KIND_TIME, "h", 0},
};

typedef struct rec_file {
  hs__csv t;
  int col[C_N];       /* column of each, -1 when absent */
  char unit[C_N][24]; /* unit of each quantity column */
} rec_file;

/* Header "AMT [mg/m2]": which column, and its unit (the default when none is given). */
static int read_header(rec_file *f, hs_error *err) {
  for (int k = 0; k < C_N; k++) f->col[k] = -1, snprintf(f->unit[k], 24, "%s", COLS[k].unit);
  for (int c = 0; c < f->t.n_cols; c++) {
    const char *h = hs__csv_cell(&f->t, 0, c), *open = strchr(h, '[');
    size_t n = open ? (size_t)(open - h) : strlen(h);
    while (n > 0 && isspace((unsigned char)h[n - 1])) n--;
    int k = 0;
    while (k < C_N && (strlen(COLS[k].name) != n || strncasecmp(h, COLS[k].name, n))) k++;
    if (k == C_N) continue;
    if (f->col[k] >= 0) return hs__csv_error(&f->t, 0, c, err, "a second '%s' column", COLS[k].name);
    f->col[k] = c;
    if (!open) continue;
    const char *close = strchr(open, ']');
    size_t u = close ? (size_t)(close - open - 1) : 0;
    double x;
    hs_norm norm;
    hs_error e;
    char one[48];
    snprintf(one, sizeof one, "1 %.*s", (int)u, open + 1);
    if (!close || close[1] || u == 0 || u >= 24 || COLS[k].kind == HS_KIND_NUMBER ||
        hs_units_convert(one, COLS[k].kind, &x, &norm, &e))
      return hs__csv_error(&f->t, 0, c, err, "'%s': %s", h, COLS[k].kind == HS_KIND_NUMBER
                           ? "this column takes no unit" : "expected a unit in brackets like "
                           "'[h]', '[mg]', '[mg/m2]' or '[mg/h]'");
    snprintf(f->unit[k], 24, "%.*s", (int)u, open + 1);
  }
  for (int k = 0; k < C_N; k++)
    if (COLS[k].required && f->col[k] < 0)
      return hs__csv_error(&f->t, 0, 0, err, "no '%s' column (records need ID, TIME, AMT "
                           "and CMT; RATE or DUR, EVID, ADDL and II are optional)", COLS[k].name);
  return HS_OK;
}

static const char *cell(const rec_file *f, int row, int k) {
  if (f->col[k] < 0) return "";
  const char *s = hs__csv_cell(&f->t, row, f->col[k]);
  return strcmp(s, ".") ? s : ""; /* NONMEM's '.' is an empty cell */
}

/* A quantity cell in its column's unit, into internal units (0 when empty and optional). */
static int quantity(const rec_file *f, int row, int k, double *v, hs_norm *norm, hs_error *err) {
  const char *s = cell(f, row, k);
  char *end, text[96];
  hs_error e;
  *v = 0;
  if (norm) *norm = HS_NORM_NONE;
  if (!*s && !COLS[k].required) return HS_OK;
  double x = strtod(s, &end);
  if (!*s || end == s || *end || !isfinite(x) || x < 0)
    return hs__csv_error(&f->t, row, f->col[k], err, "%s: expected a number >= 0, got '%s'",
                         COLS[k].name, s);
  snprintf(text, sizeof text, "%s %s", s, f->unit[k]);
  if (hs_units_convert(text, COLS[k].kind, v, norm, &e))
    return hs__csv_error(&f->t, row, f->col[k], err, "%s: %s", COLS[k].name, e.msg);
  return HS_OK;
}

/* EVID, ADDL: a whole number (default def when empty). */
static int whole(const rec_file *f, int row, int k, int def, int *v, hs_error *err) {
  const char *s = cell(f, row, k);
  char *end;
  *v = def;
  if (!*s) return HS_OK;
  long x = strtol(s, &end, 10);
  if (end == s || *end || x < 0 || x > 1000000)
    return hs__csv_error(&f->t, row, f->col[k], err, "%s: expected a whole number from 0 to "
                         "10^6, got '%s'", COLS[k].name, s);
  *v = (int)x;
  return HS_OK;
}

/* The infusion of a record: DUR, or AMT / RATE; 0 for a bolus. */
static int duration(const rec_file *f, int row, const hs_dose_spec *s, double *dur,
                    hs_error *err) {
  double rate, d;
  hs_norm norm;
  int rc = quantity(f, row, C_RATE, &rate, &norm, err);
  if (!rc) rc = quantity(f, row, C_DUR, &d, NULL, err);
  if (rc) return rc;
  if (rate > 0 && d > 0)
    return hs__csv_error(&f->t, row, f->col[C_DUR], err, "give RATE or DUR, not both");
  if (rate > 0 && norm != s->norm)
    return hs__csv_error(&f->t, row, f->col[C_RATE], err, "RATE in %s but AMT in %s: write both "
                         "per m2, per kg or absolute", f->unit[C_RATE], f->unit[C_AMT]);
  *dur = rate > 0 ? s->amount / rate : d;
  return HS_OK;
}

/* CMT: the route by its scenario name. */
static int route(const rec_file *f, int row, hs_route *r, hs_error *err) {
  const char *s = cell(f, row, C_CMT);
  int k = hs_route_parse(s);
  char names[64];
  if (k >= 0) return (*r = (hs_route)k), HS_OK;
  hs__join_or(hs_route_names, -1, names, sizeof names);
  return hs__csv_error(&f->t, row, f->col[C_CMT], err, "CMT '%s': give the route by name (%s)",
                       s, names);
}

/* Checks a YAML regimen entry also gets (scenario_doses.c), at the record's cells. */
static int check_dose(loader *L, const rec_file *f, int row, const hs_dose_spec *s,
                      hs_error *err) {
  const hs_patient *pt = &L->sc->patient;
  if (!(s->amount > 0))
    return hs__csv_error(&f->t, row, f->col[C_AMT], err, "AMT must be > 0 for a dose (EVID 1)");
  if ((s->norm == HS_NORM_BSA && !(pt->bsa_m2 > 0)) ||
      (s->norm == HS_NORM_WEIGHT && !(pt->weight_kg > 0)))
    return hs__csv_error(&f->t, row, f->col[C_AMT], err, "a dose per %s needs the patient's %s",
                         s->norm == HS_NORM_BSA ? "m2" : "kg",
                         s->norm == HS_NORM_BSA ? "bsa, or weight and height" : "weight");
  if (s->route == HS_ROUTE_TACE && s->duration > 0)
    return hs__csv_error(&f->t, row, f->col[C_CMT], err, "a 'tace' dose loads the depot at "
                         "once: give no RATE or DUR");
  if (s->cycles > 1 && !(s->every > 0))
    return hs__csv_error(&f->t, row, f->col[C_ADDL], err, "ADDL %d needs II > 0 (the interval)",
                         s->cycles - 1);
  if (s->cycles > 1 && s->every < s->duration)
    return hs__csv_error(&f->t, row, f->col[C_II], err, "II %g h is shorter than the infusion "
                         "(%g h)", s->every, s->duration);
  double last = s->start + (s->cycles - 1) * s->every;
  if (last >= L->sc->sim.t_end)
    return hs__csv_error(&f->t, row, f->col[C_TIME], err, "the dose at %g h starts at or after "
                         "the simulation end (simulation.end = %g h)", last, L->sc->sim.t_end);
  return HS_OK;
}

/* One record: 0 and a spec for a dose; 1 for a row without a dose (EVID 0 or 2). */
static int read_record(loader *L, const rec_file *f, int row, hs_dose_spec *s, hs_error *err) {
  int evid, addl, rc;
  double dur = 0;
  if ((rc = whole(f, row, C_EVID, 1, &evid, err))) return rc;
  if (evid == 0 || evid == 2) return 1;
  if (evid != 1)
    return hs__csv_error(&f->t, row, f->col[C_EVID], err, "EVID %d (a reset) is not supported: "
                         "1 doses; 0 and 2 (observations, other events) are skipped", evid);
  if (!*cell(f, row, C_ID)) return hs__csv_error(&f->t, row, f->col[C_ID], err, "missing ID");
  if (strlen(cell(f, row, C_ID)) >= HS_DESIGN_ID_LEN)
    return hs__csv_error(&f->t, row, f->col[C_ID], err, "ID longer than %d bytes",
                         HS_DESIGN_ID_LEN - 1);
  memset(s, 0, sizeof *s);
  if ((rc = route(f, row, &s->route, err)) || (rc = quantity(f, row, C_TIME, &s->start, NULL, err)) ||
      (rc = quantity(f, row, C_AMT, &s->amount, &s->norm, err)) ||
      (rc = duration(f, row, s, &dur, err)) || (rc = whole(f, row, C_ADDL, 0, &addl, err)) ||
      (rc = quantity(f, row, C_II, &s->every, NULL, err)))
    return rc;
  s->duration = dur;
  s->cycles = addl + 1;
  if (addl == 0) s->every = 0;
  return check_dose(L, f, row, s, err);
}

/* Index of id in r (-1 when absent). */
static int find_id(const hs_dose_records *r, const char *id) {
  for (int k = 0; k < r->n_ids; k++)
    if (!strcmp(r->ids + (size_t)k * HS_DESIGN_ID_LEN, id)) return k;
  return -1;
}

/* Every dose record into r, grouped by ID in order of first appearance. */
static int read_records(loader *L, const rec_file *f, hs_dose_records *r, hs_error *err) {
  int n = f->t.n_rows - 1, rc = HS_OK, m = 0;
  hs_dose_spec *tmp = calloc((size_t)(n ? n : 1), sizeof *tmp);
  int *of = calloc((size_t)(n ? n : 1), sizeof *of);
  r->ids = calloc((size_t)(n ? n : 1), HS_DESIGN_ID_LEN);
  r->first = calloc((size_t)(n ? n : 1), sizeof *r->first);
  r->count = calloc((size_t)(n ? n : 1), sizeof *r->count);
  r->spec = calloc((size_t)(n ? n : 1), sizeof *r->spec);
  if (!tmp || !of || !r->ids || !r->first || !r->count || !r->spec) {
    rc = hs_error_set(err, HS_ENOMEM, "out of memory");
    goto done;
  }
  for (int row = 1; row <= n && !rc; row++) {
    int skip = read_record(L, f, row, &tmp[m], err);
    if (skip < 0) rc = skip;
    if (skip) continue;
    const char *id = cell(f, row, C_ID); /* records come grouped by ID: try the last first */
    int k = m && !strcmp(r->ids + (size_t)of[m - 1] * HS_DESIGN_ID_LEN, id) ? of[m - 1]
                                                                              : find_id(r, id);
    if (k < 0) snprintf(r->ids + (size_t)(k = r->n_ids++) * HS_DESIGN_ID_LEN, HS_DESIGN_ID_LEN, "%s", id);
    r->count[k]++;
    of[m++] = k;
  }
  if (!rc && m == 0) rc = hs_error_set(err, HS_EINPUT, "%s: no dose records (rows with EVID 1)", f->t.path);
  for (int k = 1; !rc && k < r->n_ids; k++) r->first[k] = r->first[k - 1] + r->count[k - 1];
  for (int k = 0; !rc && k < r->n_ids; k++) r->count[k] = 0;
  for (int i = 0; !rc && i < m; i++) r->spec[r->first[of[i]] + r->count[of[i]]++] = tmp[i];
  for (int k = 0; !rc && k < r->n_ids; k++) {
    int events = hs_regimen_count(r->spec + r->first[k], r->count[k]);
    if (events > 1000000)
      rc = hs_error_set(err, HS_EINPUT, "%s: ID '%s' has more than 10^6 dose events", f->t.path,
                        r->ids + (size_t)k * HS_DESIGN_ID_LEN);
    if (r->count[k] > r->max_count) r->max_count = r->count[k];
    if (events > r->max_events) r->max_events = events;
  }
done:
  free(tmp), free(of);
  return rc;
}

/* The doses of id k as the drug's regimen. */
static int use_id(hs_scenario_drug *sd, int k, hs_error *err) {
  const hs_dose_records *r = sd->records;
  free(sd->regimen);
  sd->regimen = calloc((size_t)r->max_count, sizeof *sd->regimen);
  if (!sd->regimen) return hs_error_set(err, HS_ENOMEM, "out of memory");
  memcpy(sd->regimen, r->spec + r->first[k], sizeof *sd->regimen * (size_t)r->count[k]);
  sd->n_regimen = r->count[k];
  return HS_OK;
}

/* Does the scenario's sweep use a patient table? (Read before the sweep section is.) */
static int has_table(loader *L) {
  hs__ynode sw = hs__ydoc_get(L->d, L->root, "sweep");
  const char *design = hs__ydoc_scalar(L->d, hs__ydoc_get(L->d, sw, "design"));
  return design && !strcmp(design, "table");
}

/* Without a patient table: the one ID of the file, or the one `records_id` names. */
static int choose_id(loader *L, hs__ynode drug, const char *path, hs_scenario_drug *sd) {
  hs__ynode idn = hs__ydoc_get(L->d, drug, "records_id");
  const char *id = hs__ydoc_scalar(L->d, idn);
  const hs_dose_records *r = sd->records;
  char sub[160];
  snprintf(sub, sizeof sub, "%s_id", path);
  if (idn && has_table(L))
    return hs__ydoc_error(L->d, idn, sub, L->err, "with a patient table each run takes the "
                          "records of its own id: remove 'records_id'");
  if (idn && (!id || find_id(r, id) < 0))
    return hs__ydoc_error(L->d, idn, sub, L->err, "no dose records for ID '%s' (the file holds "
                          "%d IDs, the first '%s')", id ? id : "", r->n_ids, r->ids);
  if (idn) return use_id(sd, find_id(r, id), L->err);
  if (r->n_ids == 1 || has_table(L)) return use_id(sd, 0, L->err); /* a table: see link */
  return hs__ydoc_error(L->d, hs__ydoc_get(L->d, drug, "records"), path, L->err, "the records "
                        "hold %d IDs ('%s', '%s', ...): name one with 'records_id', or run a "
                        "patient table (sweep: {design: table})", r->n_ids, r->ids,
                        r->ids + HS_DESIGN_ID_LEN);
}

int hs__load_records(loader *L, hs__ynode records, hs__ynode drug, const char *path,
                     hs_scenario_drug *sd) {
  const char *name = hs__ydoc_scalar(L->d, records);
  char file[1024];
  rec_file f;
  int rc;
  if (hs__ydoc_get(L->d, drug, "regimen"))
    return hs__ydoc_error(L->d, records, path, L->err, "give 'regimen' or 'records', not both");
  if (!name || !*name)
    return hs__ydoc_error(L->d, records, path, L->err, "expected the name of a CSV of dose "
                          "records (ID, TIME, AMT, CMT, ...; README, Dosing records)");
  if ((rc = hs__csv_path(L->sc->path, name, file, sizeof file, L->err)) ||
      (rc = hs__csv_load(&f.t, file, L->err)))
    return rc;
  if (!(sd->records = calloc(1, sizeof *sd->records))) rc = hs_error_set(L->err, HS_ENOMEM, "out of memory");
  if (!rc && !(rc = read_header(&f, L->err)) && !(rc = read_records(L, &f, sd->records, L->err)))
    rc = choose_id(L, drug, path, sd);
  if (!rc) sd->records->hash = f.t.hash;
  hs__csv_release(&f.t);
  return rc;
}

/* By id only (ids of a records file are distinct). */
static int id_cmp(const void *a, const void *b) {
  return strcmp(((const hs__id_row *)a)->id, ((const hs__id_row *)b)->id);
}

/* Drug sd's records to the runs of table design d. */
static int link_drug(loader *L, hs_scenario_drug *sd, const hs_design *d) {
  hs_dose_records *r = sd->records;
  char prefix[HS_NAME_LEN + 24];
  snprintf(prefix, sizeof prefix, "drugs.%s.regimen[", sd->name);
  for (int j = 0; j < d->n_params; j++)
    if (!strncmp(d->params[j].path, prefix, strlen(prefix)))
      return hs_error_set(L->err, HS_EINPUT, "patient table: '%s': drug '%s' takes its doses "
                          "from records, one regimen a patient; change the dose in the records",
                          d->params[j].path, sd->name);
  hs__id_row *sorted = malloc(sizeof *sorted * (size_t)r->n_ids); /* ids, for bsearch */
  if (!sorted || !(r->of_run = calloc((size_t)d->n_runs, sizeof *r->of_run))) {
    free(sorted);
    return hs_error_set(L->err, HS_ENOMEM, "out of memory");
  }
  for (int k = 0; k < r->n_ids; k++) sorted[k] = (hs__id_row){r->ids + (size_t)k * HS_DESIGN_ID_LEN, k};
  qsort(sorted, (size_t)r->n_ids, sizeof *sorted, id_cmp);
  int rc = HS_OK;
  for (int64_t run = 0; run < d->n_runs && !rc; run++) {
    hs__id_row key = {hs_design_id(d, run), 0};
    const hs__id_row *hit = bsearch(&key, sorted, (size_t)r->n_ids, sizeof *sorted, id_cmp);
    if (hit) r->of_run[run] = hit->row;
    else rc = hs_error_set(L->err, HS_EINPUT, "patient table row %lld (id '%s') has no dose "
                           "records for drug '%s'", (long long)run + 1, key.id, sd->name);
  }
  free(sorted);
  return rc ? rc : use_id(sd, r->of_run[0], L->err);
}

int hs__records_link(loader *L) {
  hs_scenario *sc = L->sc;
  for (int i = 0; i < sc->n_drugs; i++) {
    hs_scenario_drug *sd = &sc->drugs[i];
    if (!sd->records || !sc->sweep.present) continue;
    int rc = sc->sweep.design.kind == HS_DESIGN_TABLE ? link_drug(L, sd, &sc->sweep.design) : 0;
    size_t len = strlen(sc->sweep.text); /* changed records: another sweep (--resume) */
    snprintf(sc->sweep.text + len, sizeof sc->sweep.text - len, "; %s records FNV-1a %016llx",
             sd->name, (unsigned long long)sd->records->hash);
    if (rc) return rc;
  }
  return HS_OK;
}

void hs_scenario_use_records(hs_scenario *dst, const hs_scenario *src, int64_t run) {
  for (int i = 0; i < src->n_drugs && i < dst->n_drugs; i++) {
    const hs_dose_records *r = src->drugs[i].records;
    if (!r || !r->of_run) continue;
    int k = r->of_run[run];
    memcpy(dst->drugs[i].regimen, r->spec + r->first[k],
           sizeof *r->spec * (size_t)r->count[k]);
    dst->drugs[i].n_regimen = r->count[k];
  }
}
