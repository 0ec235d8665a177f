/* sweepfile_quant.c - the quantiles section of `hepatosim info`: 5, 25, 50, 75 and 95 %
 * of every metric per drug over the runs done, NaN (failed runs) left out. Quantiles are
 * interpolated linearly between order statistics, as numpy.percentile's default (Hyndman
 * and Fan's type 7, also R's quantile() default): q(p) = x[k] + f (x[k+1] - x[k]) with
 * k + f = p (n - 1) on the sorted values x[0..n) (hs_sens_quantile). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "hs_sensitivity.h"
#include "output/h5util.h"
#include "sweepfile_int.h"

#define Q_N          5
#define Q_MAX_VALUES ((hsize_t)1 << 27) /* 1 GiB of doubles: beyond, the section is skipped */
static const double Q_P[Q_N] = {0.05, 0.25, 0.50, 0.75, 0.95};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Column j of the rows x cols block v, without NaN, sorted, into col; its length. */
static size_t sorted_column(const double *v, hsize_t rows, hsize_t cols, hsize_t j, double *col) {
  size_t n = 0;
  for (hsize_t r = 0; r < rows; r++)
    if (!isnan(v[r * cols + j])) col[n++] = v[r * cols + j];
  qsort(col, n, sizeof *col, cmp_double);
  return n;
}

static void print_row(FILE *out, const char *name, const char *drug, const char *units,
                      const double *col, size_t n) {
  fprintf(out, "%-32s %-16s %-10s", name, drug, units ? units : "");
  for (int i = 0; i < Q_N; i++) {
    if (n)
      fprintf(out, " %12.6g", hs_sens_quantile(col, n, Q_P[i]));
    else
      fprintf(out, " %12s", "-");
  }
  fputc('\n', out);
}

/* Rows [first, done) of metric `name` (float, [n_runs, n_drugs]) into v; 0 when it is not
 * such a dataset, 1 when read, rc < 0 on an HDF5 failure. */
static int read_metric(const hs__h5ctx *c, hid_t ds, hsize_t first, hsize_t rows, hsize_t n_drugs,
                       double *v, char **units) {
  int rc = HS_OK;
  hid_t fs = -1, ty = -1, ms = -1;
  hsize_t d[2], start[2] = {first, 0}, count[2] = {rows, n_drugs};
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space");
  HS_H5ID(ty, H5Dget_type(ds), "H5Dget_type");
  if (H5Tget_class(ty) != H5T_FLOAT || H5Sget_simple_extent_ndims(fs) != 2 ||
      H5Sget_simple_extent_dims(fs, d, NULL) < 0 || d[1] != n_drugs || d[0] < first + rows)
    goto done; /* rc 0: not a metric */
  HS_H5TRY(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL), "hyperslab");
  HS_H5ID(ms, H5Screate_simple(2, count, NULL), "H5Screate_simple");
  HS_H5TRY(H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, v), "H5Dread");
  *units = hs__h5_attr_get_str(ds, "units");
  rc = 1;
done:
  hs__h5_close(ms);
  hs__h5_close(ty);
  hs__h5_close(fs);
  return rc;
}

static int quant_var(const hs__h5ctx *c, FILE *out, hid_t file, const char *name, hsize_t first,
                     hsize_t rows, char **drugs, hsize_t n_drugs, double *v, double *col) {
  char *units = NULL;
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  if (ds < 0) return hs__h5_fail(c, "H5Dopen2 '%s'", name);
  int rc = read_metric(c, ds, first, rows, n_drugs, v, &units);
  for (hsize_t j = 0; rc == 1 && j < n_drugs; j++)
    print_row(out, name, drugs[j], units, col, sorted_column(v, rows, n_drugs, j, col));
  if (units) H5free_memory(units);
  hs__h5_close(ds);
  return rc < 0 ? rc : HS_OK;
}

int hs__sweepfile_info_quantiles(const hs__h5ctx *c, FILE *out, hid_t file, int64_t first,
                                 int64_t done, char **drugs, hsize_t n_drugs) {
  hsize_t rows = done > first ? (hsize_t)(done - first) : 0;
  int rc = HS_OK;
  H5G_info_t gi;
  char name[HS_SF_NAME_MAX + 2];
  fprintf(out,
          "\nquantiles over the runs done (NaN left out; linear, as numpy.percentile)\n"
          "%-32s %-16s %-10s %12s %12s %12s %12s %12s\n",
          "metric", "drug", "units", "5 %", "25 %", "50 %", "75 %", "95 %");
  if (rows == 0 || n_drugs == 0) return fputs("(no run done)\n", out), HS_OK;
  if (rows * n_drugs > Q_MAX_VALUES)
    return fprintf(out, "(skipped: %llu values per metric, more than %llu)\n",
                   (unsigned long long)(rows * n_drugs), (unsigned long long)Q_MAX_VALUES),
           HS_OK;
  double *v = malloc(sizeof *v * rows * n_drugs), *col = malloc(sizeof *col * rows);
  if (!v || !col) rc = hs_error_set(c->err, HS_ENOMEM, "%s: out of memory for quantiles", c->path);
  if (!rc && H5Gget_info(file, &gi) < 0) rc = hs__h5_fail(c, "H5Gget_info '/'");
  for (hsize_t i = 0; !rc && i < gi.nlinks; i++)
    if (hs__sweepfile_link_name(file, i, name, sizeof name) >= 0 &&
        hs__sweepfile_var_rank(file, name) == 2)
      rc = quant_var(c, out, file, name, (hsize_t)first, rows, drugs, n_drugs, v, col);
  free(col);
  free(v);
  return rc;
}
