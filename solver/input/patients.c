/* patients.c - patient tables (table.h): a CSV with an id column and one column a scenario
 * path, read into a `table` design (one run a row). */
#include "table.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

typedef struct column {
  char path[128];
  char unit[24];
  hs_scenario_slot slot;
} column;

void hs__param_note_unit(hs_design_param *p, const char *text, const hs_scenario_slot *slot) {
  char *end, one[48];
  double x;
  hs_norm norm;
  hs_error e;
  strtod(text, &end);
  while (isspace((unsigned char)*end)) end++;
  if (!*end) { /* a bare number is in the internal unit */
    snprintf(p->unit, sizeof p->unit, "%s", slot->unit ? slot->unit : "");
    p->unit_scale = 1;
    return;
  }
  snprintf(one, sizeof one, "1 %s", end);
  if (strlen(end) >= sizeof p->unit || hs_units_convert(one, slot->kind, &x, &norm, &e) ||
      !(x > 0))
    return;
  snprintf(p->unit, sizeof p->unit, "%s", end);
  p->unit_scale = 1 / x;
}

/* "patient.weight [kg]" -> path and unit (unit "" without brackets). */
static int split_header(const hs__csv *t, int c, column *col, hs_error *err) {
  const char *h = hs__csv_cell(t, 0, c), *open = strrchr(h, '[');
  if (open && (open == h || !isspace((unsigned char)open[-1]))) open = NULL; /* regimen[0] */
  size_t n = open ? (size_t)(open - h) : strlen(h);
  while (n > 0 && isspace((unsigned char)h[n - 1])) n--;
  if (n == 0 || n >= sizeof col->path)
    return hs__csv_error(t, 0, c, err, "expected a scenario path like 'patient.weight [kg]', "
                         "got '%s'", h);
  snprintf(col->path, sizeof col->path, "%.*s", (int)n, h);
  col->unit[0] = '\0';
  if (!open) return HS_OK;
  const char *close = strchr(open, ']');
  size_t u = close ? (size_t)(close - open - 1) : 0;
  if (!close || close[1] || u == 0 || u >= sizeof col->unit)
    return hs__csv_error(t, 0, c, err, "'%s': write the unit in brackets at the end, e.g. "
                         "'%s [kg]'", h, col->path);
  snprintf(col->unit, sizeof col->unit, "%.*s", (int)u, open + 1);
  return HS_OK;
}

/* A cell with the column's unit ("35 mL"), as hs_units_convert reads it. */
static void with_unit(const column *col, const char *cell, char *buf, size_t size) {
  snprintf(buf, size, "%s%s%s", cell, col->unit[0] ? " " : "", col->unit);
}

/* A header cell naming a scenario path whose kind takes the column's unit. */
static int read_header(hs_scenario *sc, const hs__csv *t, int c, column *col,
                       hs_design_param *p, hs_error *err) {
  hs_error e;
  int rc = split_header(t, c, col, err);
  if (rc) return rc;
  if (hs_scenario_slot_find(sc, col->path, &col->slot, &e))
    return hs__csv_error(t, 0, c, err, "%s", e.msg);
  char one[48];
  double x;
  hs_norm norm = HS_NORM_NONE;
  with_unit(col, "1", one, sizeof one);
  int bad = hs_units_convert(one, col->slot.kind, &x, &norm, &e);
  if ((bad || norm != col->slot.norm) && !col->unit[0])
    return hs__csv_error(t, 0, c, err, "'%s' needs its unit in the header, e.g. '%s [%s]'",
                         col->path, col->path, col->slot.unit);
  if (bad)
    return hs__csv_error(t, 0, c, err, "unit '%s' is not allowed for '%s' (expected %s)",
                         col->unit, col->path, hs_units_kind_name(col->slot.kind));
  if (norm != col->slot.norm)
    return hs__csv_error(t, 0, c, err, "unit '%s' is not allowed for '%s': the scenario "
                         "writes that dose in %s", col->unit, col->path, col->slot.unit);
  snprintf(p->path, sizeof p->path, "%s", col->path);
  hs__param_note_unit(p, one, &col->slot);
  return HS_OK;
}

/* The columns: exactly one `id`, the others distinct scenario paths. */
static int read_headers(hs_scenario *sc, const hs__csv *t, column *cols, int *id_col,
                        hs_error *err) {
  hs_design *d = &sc->sweep.design;
  *id_col = -1;
  for (int c = 0; c < t->n_cols; c++) {
    if (!strcmp(hs__csv_cell(t, 0, c), "id")) {
      if (*id_col >= 0) return hs__csv_error(t, 0, c, err, "a second 'id' column");
      *id_col = c;
      continue;
    }
    int rc = read_header(sc, t, c, &cols[c], &d->params[d->n_params], err);
    if (rc) return rc;
    for (int j = 0; j < d->n_params; j++)
      if (!strcmp(d->params[j].path, cols[c].path))
        return hs__csv_error(t, 0, c, err, "'%s' has two columns", cols[c].path);
    d->params[d->n_params].dist = HS_DIST_LIST;
    d->n_params++;
  }
  if (*id_col < 0) return hs__csv_error(t, 0, 0, err, "no 'id' column (one row an individual, "
                                        "named in a column headed 'id')");
  return HS_OK;
}

/* Cell (row, c) as a value of the column's path, in internal units. */
static int read_cell(const hs__csv *t, int row, int c, const column *col, double *v,
                     hs_error *err) {
  const char *cell = hs__csv_cell(t, row, c);
  char *end, text[160];
  hs_norm norm;
  hs_error e;
  if (!*cell) return hs__csv_error(t, row, c, err, "missing value of '%s'", col->path);
  double x = strtod(cell, &end);
  if (end == cell || *end || !isfinite(x))
    return hs__csv_error(t, row, c, err, "'%s': expected a number, got '%s'", col->path, cell);
  with_unit(col, cell, text, sizeof text);
  if (hs_units_convert(text, col->slot.kind, v, &norm, &e))
    return hs__csv_error(t, row, c, err, "'%s': %s", col->path, e.msg);
  if (!hs_range_ok(col->slot.range, *v))
    return hs__csv_error(t, row, c, err, "'%s' must be %s, got '%s'", col->path,
                         hs_range_text(col->slot.range), text);
  return HS_OK;
}

int hs__id_row_cmp(const void *a, const void *b) {
  const hs__id_row *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Ids: non-empty, shorter than HS_DESIGN_ID_LEN, distinct (the first repeat in file order
 * is named, with the line of the id's first row). */
static int read_ids(const hs__csv *t, int id_col, char *ids, int n, hs_error *err) {
  for (int r = 0; r < n; r++) {
    const char *s = hs__csv_cell(t, r + 1, id_col);
    if (!*s) return hs__csv_error(t, r + 1, id_col, err, "missing id");
    if (strlen(s) >= HS_DESIGN_ID_LEN)
      return hs__csv_error(t, r + 1, id_col, err, "id longer than %d bytes", HS_DESIGN_ID_LEN - 1);
    snprintf(ids + (size_t)r * HS_DESIGN_ID_LEN, HS_DESIGN_ID_LEN, "%s", s);
  }
  hs__id_row *o = malloc(sizeof *o * (size_t)n);
  int dup = -1, first = -1;
  if (!o) return hs_error_set(err, HS_ENOMEM, "out of memory");
  for (int r = 0; r < n; r++) o[r].id = ids + (size_t)r * HS_DESIGN_ID_LEN, o[r].row = r;
  qsort(o, (size_t)n, sizeof *o, hs__id_row_cmp);
  for (int k = 1, g = 0; k < n; k++) {
    if (strcmp(o[k].id, o[g].id)) g = k;
    else if (dup < 0 || o[k].row < dup) dup = o[k].row, first = o[g].row;
  }
  free(o);
  if (dup < 0) return HS_OK;
  return hs__csv_error(t, dup + 1, id_col, err, "duplicate id '%s' (first on line %d)",
                       hs__csv_cell(t, dup + 1, id_col), t->line[(size_t)(first + 1) * t->n_cols]);
}

static int read_table(hs_scenario *sc, const hs__csv *t, hs_error *err) {
  hs_design *d = &sc->sweep.design;
  int n = t->n_rows - 1, id_col, rc;
  column *cols = calloc((size_t)t->n_cols, sizeof *cols);
  d->params = calloc((size_t)t->n_cols, sizeof *d->params);
  if (!cols || !d->params) {
    free(cols);
    return hs_error_set(err, HS_ENOMEM, "out of memory");
  }
  if ((rc = read_headers(sc, t, cols, &id_col, err))) goto done;
  if (n < 1) {
    rc = hs_error_set(err, HS_EINPUT, "%s: the table has no rows (one a patient below the "
                      "header)", t->path);
    goto done;
  }
  d->n_runs = n;
  d->ids = calloc((size_t)n, HS_DESIGN_ID_LEN);
  for (int j = 0; j < d->n_params && d->ids; j++)
    if ((d->params[j].values = calloc((size_t)n, sizeof(double)))) d->params[j].n_values = n;
  if (!d->ids || (d->n_params && !d->params[d->n_params - 1].values)) {
    rc = hs_error_set(err, HS_ENOMEM, "out of memory for a table of %d rows", n);
    goto done;
  }
  if ((rc = read_ids(t, id_col, d->ids, n, err))) goto done;
  for (int r = 0; r < n && !rc; r++)
    for (int c = 0, j = 0; c < t->n_cols && !rc; c++)
      if (c != id_col) rc = read_cell(t, r + 1, c, &cols[c], &d->params[j++].values[r], err);
done:
  free(cols);
  return rc;
}

int hs__table_read(hs_scenario *sc, const char *file, uint64_t *hash, hs_error *err) {
  char path[1024];
  hs__csv t;
  int rc = hs__csv_path(sc->path, file, path, sizeof path, err);
  if (rc || (rc = hs__csv_load(&t, path, err))) return rc;
  rc = read_table(sc, &t, err);
  *hash = t.hash;
  hs__csv_release(&t);
  return rc;
}
