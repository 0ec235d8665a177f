/* compare_out.c - the rows of `hepatosim compare` as a table, JSON, CSV and HDF5 (see
 * hs_compare.h). One column list drives JSON, CSV and HDF5; files go through output.c's
 * temporary-name-and-rename (output_int.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5util.h"
#include "hs_compare.h"
#include "output_int.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

/* ---- columns -------------------------------------------------------------------------- */

/* A column of the machine-readable outputs: a double of hs_compare_row at offset, or a
 * string when str is set. */
typedef struct cmp_col {
  const char *name, *csv, *units, *long_name;
  size_t offset;
  const char *(*str)(const hs_compare_row *r);
} cmp_col;

static const char *col_scenario(const hs_compare_row *r) { return r->scenario; }
static const char *col_drug(const hs_compare_row *r) { return r->drug; }
static const char *col_parent(const hs_compare_row *r) { return r->parent; }
static const char *col_measure(const hs_compare_row *r) { return r->target.measure; }
static const char *col_per(const hs_compare_row *r) { return r->target.per; }
static const char *col_status(const hs_compare_row *r) {
  return hs_target_class_name(r->target_class);
}

#define STR(n, f, ln) {n, n, "", ln, 0, f}
#define NUM(m, csv, u, ln) {#m, csv, u, ln, offsetof(hs_compare_row, m), NULL}
#define NUM_AS(n, m, u, ln) {n, n, u, ln, offsetof(hs_compare_row, m), NULL}
static const cmp_col COLS[] = {
    STR("scenario", col_scenario, "scenario file stem"),
    STR("drug", col_drug, "drug name"),
    STR("parent", col_parent, "parent drug of a metabolite (empty for a dosed drug)"),
    NUM(auc_tumor, "auc_tumor_mg_h_per_L", "mg*h/L", "AUC of tumour tissue concentration"),
    NUM(cmax_tumor, "cmax_tumor_mg_per_L", "mg/L", "peak tumour tissue concentration"),
    NUM(auc_liver, "auc_liver_mg_h_per_L", "mg*h/L", "AUC of normal liver concentration"),
    NUM(auc_plasma, "auc_plasma_mg_h_per_L", "mg*h/L", "AUC of plasma concentration"),
    NUM(cmax_plasma, "cmax_plasma_mg_per_L", "mg/L", "peak plasma concentration"),
    NUM(tumor_plasma_ratio, "tumor_plasma_auc_ratio", "1", "auc_tumor / auc_plasma"),
    NUM(regional_advantage, "regional_advantage", "1",
        "regional advantage against the IV comparator (NaN without one)"),
    NUM(auc_tumor_iv, "auc_tumor_iv_mg_h_per_L", "mg*h/L",
        "auc_tumor of the IV comparator (NaN without one)"),
    NUM(auc_plasma_iv, "auc_plasma_iv_mg_h_per_L", "mg*h/L",
        "auc_plasma of the IV comparator (NaN without one)"),
    NUM(fraction_eliminated_liver, "fraction_eliminated_liver", "1",
        "share of the dose eliminated by the liver"),
    STR("target_measure", col_measure, "metric the exposure target is written for"),
    STR("target_per", col_per, "target per dosing cycle or per run"),
    NUM_AS("target_exposure", exposure, "mg*h/L (auc_plasma) or mg/L (cmax_plasma)",
        "systemic exposure per target_per"),
    NUM_AS("target_low", target.low, "mg*h/L (auc_plasma) or mg/L (cmax_plasma)",
        "lower end of the target window"),
    NUM_AS("target_high", target.high, "mg*h/L (auc_plasma) or mg/L (cmax_plasma)",
        "upper end of the target window (inf: threshold only)"),
    NUM_AS("target_cycles", n_cycles, "1", "cycles a per-cycle AUC is divided by"),
    STR("target_status", col_status, "exposure below, in or above the target window"),
};
#undef STR
#undef NUM
#undef NUM_AS
#define N_COLS ((int)(sizeof COLS / sizeof COLS[0]))

static double col_num(const hs_compare_row *r, const cmp_col *c) {
  return *(const double *)((const char *)r + c->offset);
}

/* ---- table ---------------------------------------------------------------------------- */

#define T_COLS 11
#define CELL 96
static const char *const T_HEAD[T_COLS] = {"scenario", "drug",  "T AUC", "T Cmax",
                                           "L AUC",    "P AUC", "P Cmax", "T/P",
                                           "RA",       "liver", "exposure vs target"};
static const char *const T_UNIT[T_COLS] = {"", "", "mg*h/L", "mg/L", "mg*h/L", "mg*h/L",
                                           "mg/L", "AUC", "vs IV", "elim %", "(see below)"};

static const char T_NOTES[] =
    "T tumour, L normal liver, P plasma. T/P: T AUC / P AUC. RA: regional advantage,\n"
    "  (T AUC / T AUC with the same doses IV) / (blood AUC / blood AUC IV). liver: share of\n"
    "  the dose eliminated by the liver. <drug> IV: the IV comparator of the row above (the\n"
    "  same doses given intravenously), its tumour and plasma AUC ('-': not recorded).\n";
static const char T_NOTE_NA[] =
    "n/a: the scenario has no IV comparator (set simulation: iv_comparator: true).\n";
static const char T_NOTE_TARGET[] =
    "Exposure vs target: the drug's plasma AUC (mg*h/L) per cycle = AUC over the run /\n"
    "  cycles, where cycles is the largest 'cycles' of the drug's regimen entries (of its\n"
    "  parent's for a metabolite), or t_end / cycle_h when the target gives a cycle length;\n"
    "  per run: the whole AUC. A Cmax target (mg/L) is met by the run's peak. '-': no known\n"
    "  target. (The column is left out when no drug has a known target.)\n";

static void num_cell(char *cell, double v) { snprintf(cell, CELL, "%.4g", v); }

static void row_cells(const hs_compare_row *r, char cells[T_COLS][CELL]) {
  snprintf(cells[0], CELL, "%s", r->scenario);
  hs_compare_label(r, cells[1], CELL);
  num_cell(cells[2], r->auc_tumor);
  num_cell(cells[3], r->cmax_tumor);
  num_cell(cells[4], r->auc_liver);
  num_cell(cells[5], r->auc_plasma);
  num_cell(cells[6], r->cmax_plasma);
  num_cell(cells[7], r->tumor_plasma_ratio);
  if (r->has_iv)
    num_cell(cells[8], r->regional_advantage);
  else
    snprintf(cells[8], CELL, "n/a");
  num_cell(cells[9], 100 * r->fraction_eliminated_liver);
  hs_compare_target_text(r, cells[10], CELL);
}

/* The line under a row with an IV comparator: its own tumour and plasma AUC and ratio. */
static void iv_cells(const hs_compare_row *r, char cells[T_COLS][CELL]) {
  char label[CELL];
  hs_compare_label(r, label, sizeof label);
  for (int k = 0; k < T_COLS; k++) snprintf(cells[k], CELL, "%s", k == T_COLS - 1 ? "" : "-");
  snprintf(cells[0], CELL, "%s", r->scenario);
  snprintf(cells[1], CELL, "%.*s IV", CELL - 4, label);
  num_cell(cells[2], r->auc_tumor_iv);
  num_cell(cells[5], r->auc_plasma_iv);
  num_cell(cells[7], r->auc_tumor_iv / r->auc_plasma_iv);
}

/* The first ncols cells: text (scenario, drug, target) left-aligned, numbers
 * right-aligned; no trailing blanks. */
static void put_line(FILE *f, const char *const *cells, const int *w, int ncols) {
  char line[T_COLS * (CELL + 2) + 1];
  size_t at = 0;
  for (int k = 0; k < ncols; k++) {
    int left = k < 2 || k == T_COLS - 1;
    at += (size_t)snprintf(line + at, sizeof line - at, "%s%*s", k ? "  " : "",
                           left ? -w[k] : w[k], cells[k]);
  }
  while (at > 0 && line[at - 1] == ' ') at--;
  fprintf(f, "%.*s\n", (int)at, line);
}

void hs_compare_table(FILE *f, const hs_compare_row *rows, int n) {
  int w[T_COLS], any_na = 0, any_target = 0;
  int n_lines = 0; /* rows and their IV lines */
  char(*cells)[T_COLS][CELL] = calloc((size_t)(n > 0 ? 2 * n : 1), sizeof *cells);
  if (!cells) {
    fputs("(out of memory for the table)\n", f);
    return;
  }
  for (int k = 0; k < T_COLS; k++)
    w[k] = (int)(strlen(T_HEAD[k]) > strlen(T_UNIT[k]) ? strlen(T_HEAD[k]) : strlen(T_UNIT[k]));
  for (int i = 0; i < n; i++) {
    row_cells(&rows[i], cells[n_lines++]);
    if (rows[i].has_iv) iv_cells(&rows[i], cells[n_lines++]);
    any_na |= !rows[i].has_iv;
    any_target |= rows[i].target.present;
  }
  for (int i = 0; i < n_lines; i++)
    for (int k = 0; k < T_COLS; k++)
      if ((int)strlen(cells[i][k]) > w[k]) w[k] = (int)strlen(cells[i][k]);
  int ncols = any_target ? T_COLS : T_COLS - 1; /* no target known: no target column */
  put_line(f, T_HEAD, w, ncols);
  put_line(f, T_UNIT, w, ncols);
  for (int i = 0; i < n_lines; i++) {
    const char *line[T_COLS];
    for (int k = 0; k < T_COLS; k++) line[k] = cells[i][k];
    put_line(f, line, w, ncols);
  }
  fprintf(f, "\n%s%s%s", T_NOTES, any_na ? T_NOTE_NA : "", any_target ? T_NOTE_TARGET : "");
  free(cells);
}

/* ---- JSON ----------------------------------------------------------------------------- */

/* A string column: "" as null. A number: non-finite as null. */
static void json_value(FILE *f, const hs_compare_row *r, const cmp_col *c) {
  if (c->str) {
    const char *s = c->str(r);
    if (s[0])
      hs__output_json_string(f, s);
    else
      fputs("null", f);
    return;
  }
  hs__output_json_num(f, col_num(r, c));
}

void hs_compare_json(FILE *f, const hs_compare_row *rows, int n) {
  fputs("{\n  \"rows\": [", f);
  for (int i = 0; i < n; i++) {
    fputs(i ? ",\n    {" : "\n    {", f);
    for (int k = 0; k < N_COLS; k++) {
      fprintf(f, "%s\n      \"%s\": ", k ? "," : "", COLS[k].name);
      json_value(f, &rows[i], &COLS[k]);
    }
    fputs("\n    }", f);
  }
  fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void csv_rows(FILE *f, const hs_compare_row *rows, int n) {
  for (int k = 0; k < N_COLS; k++) fprintf(f, "%s%s", k ? "," : "", COLS[k].csv);
  fputc('\n', f);
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < N_COLS; k++) {
      if (k) fputc(',', f);
      if (COLS[k].str)
        hs__output_csv_field(f, COLS[k].str(&rows[i]));
      else
        hs__output_num(f, col_num(&rows[i], &COLS[k]));
    }
    fputc('\n', f);
  }
}

int hs_compare_write_csv(const char *path, int force, const hs_compare_row *rows, int n,
                         hs_error *err) {
  char *tmp;
  int rc = hs__output_begin(path, force, &tmp, err);
  if (rc) return rc;
  FILE *f = fopen(tmp, "w");
  if (!f) {
    rc = hs_error_set(err, HS_EIO, "%s: cannot create %s: %s", path, tmp,
                      strerror(errno));
  } else {
    csv_rows(f, rows, n);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) rc = hs_error_set(err, HS_EIO, "%s: write failed: %s", tmp,
                                                  strerror(errno));
  }
  return hs__output_end(tmp, path, force, rc, err);
}

/* ---- HDF5 ----------------------------------------------------------------------------- */

/* /row: 0..n-1, the dimension scale of every column. */
static int h5_row_scale(const hs__h5ctx *c, hid_t file, int n, hid_t *out) {
  int rc = HS_OK;
  long long *idx = malloc(sizeof *idx * (size_t)(n > 0 ? n : 1));
  if (!idx) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  for (int i = 0; i < n; i++) idx[i] = i;
  if ((rc = hs__output_h5_dset(c, file, "row", H5T_NATIVE_LLONG, idx, (hsize_t)n, out))) goto done;
  if ((rc = hs__h5_attr_units(c, *out, "1", "row: one per (scenario, drug)"))) goto done;
  HS_H5TRY(H5DSset_scale(*out, "row"), "H5DSset_scale '/row'");
done:
  free(idx);
  return rc;
}

/* Column col along /row: float64, or variable-length UTF-8 strings. */
static int h5_col(const hs__h5ctx *c, hid_t file, const cmp_col *col, const hs_compare_row *rows,
                  int n, hid_t row) {
  int rc = HS_OK;
  hid_t type = -1, ds = -1;
  size_t cell = sizeof(double) > sizeof(char *) ? sizeof(double) : sizeof(char *);
  void *buf = malloc(cell * (size_t)(n > 0 ? n : 1)); /* n doubles or n strings */
  double *v = buf;
  const char **s = buf;
  if (!buf) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  for (int i = 0; i < n; i++) {
    if (col->str) s[i] = col->str(&rows[i]);
    else v[i] = col_num(&rows[i], col);
  }
  if (!col->str) {
    rc = hs__output_h5_var(c, file, col->name, v, (hsize_t)n, col->units, col->long_name, row,
                           "row");
    goto done;
  }
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for '%s'", col->name);
  if ((rc = hs__output_h5_dset(c, file, col->name, type, s, (hsize_t)n, &ds))) goto done;
  if ((rc = hs__h5_attr_units(c, ds, col->units, col->long_name))) goto done;
  HS_H5TRY(H5DSattach_scale(ds, row, 0), "H5DSattach_scale to '%s'", col->name);
  HS_H5TRY(H5DSset_label(ds, 0, "row"), "H5DSset_label on '%s'", col->name);
done:
  hs__h5_close(ds);
  hs__h5_close(type);
  free(buf);
  return rc;
}

/* Root attribute scenario_files: the scenario paths, a 1-D array of UTF-8 strings. */
static int h5_files_attr(const hs__h5ctx *c, hid_t file, const char *const *files, int n) {
  int rc = HS_OK;
  hid_t type = -1, space = -1, a = -1;
  hsize_t dim = (hsize_t)n;
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for 'scenario_files'");
  HS_H5ID(space, H5Screate_simple(1, &dim, NULL), "H5Screate_simple for 'scenario_files'");
  HS_H5ID(a, H5Acreate2(file, "scenario_files", type, space, H5P_DEFAULT, H5P_DEFAULT),
          "H5Acreate2 'scenario_files'");
  HS_H5TRY(H5Awrite(a, type, files), "H5Awrite 'scenario_files'");
done:
  hs__h5_close(a);
  hs__h5_close(space);
  hs__h5_close(type);
  return rc;
}

static int h5_write(const hs__h5ctx *c, const char *tmp, const hs_compare_row *rows, int n,
                    const char *const *files, int n_files) {
  int rc = HS_OK;
  hid_t file = -1, row = -1;
  HS_H5ID(file, H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate '%s'", tmp);
  if ((rc = hs__h5_attr_str(c, file, "program_version", HS_VERSION))) goto done;
  if ((rc = h5_files_attr(c, file, files, n_files))) goto done;
  if ((rc = h5_row_scale(c, file, n, &row))) goto done;
  for (int k = 0; k < N_COLS && !rc; k++) rc = h5_col(c, file, &COLS[k], rows, n, row);
done:
  hs__h5_close(row);
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose '%s'", tmp);
  return rc;
}

int hs_compare_write_h5(const char *path, int force, const hs_compare_row *rows, int n,
                        const char *const *files, int n_files, hs_error *err) {
  char *tmp;
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  int rc = hs__output_begin(path, force, &tmp, err);
  if (rc) return rc;
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = h5_write(&c, tmp, rows, n, files, n_files);
  hs__h5_quiet_end(q);
  return hs__output_end(tmp, path, force, rc, err);
}
