/* output.c - HDF5, CSV, JSON and table output of a simulation (see hs_output.h).
 *
 * Every HDF5 call goes through HS_H5TRY / HS_H5ID (h5util.h), which turn a failure into
 * HS_EIO with the destination path, the operation and the innermost message of HDF5's
 * error stack; HDF5's own printing is switched off while we write.
 * Files are written to "<dest>.tmp.<pid>" and renamed into place when complete. */
#include "hs_output.h"
#include "hs_resolved.h"
#include "hs_simulate.h"
#include "hs_solver.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5util.h"
#include "output_int.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define CHUNK_MAX 4096

/* One time course of hs_trace: dataset / CSV column, units, description, member. */
typedef struct trace_var {
  const char *name, *csv, *units, *long_name;
  size_t offset; /* of the double * in hs_trace */
} trace_var;

#define TV(m, csv, u, ln) {#m, csv, u, ln, offsetof(hs_trace, m)}
static const trace_var TRACE_VARS[] = {
    TV(t, "time_h", "h", "time since the start of the simulation"),
    TV(plasma, "plasma_mg_per_L", "mg/L", "plasma concentration (C_B / BP)"),
    TV(blood, "blood_mg_per_L", "mg/L", "systemic blood concentration"),
    TV(liver, "liver_mg_per_L", "mg/L", "normal liver tissue concentration"),
    TV(tumor, "tumor_mg_per_L", "mg/L", "tumour tissue concentration"),
    TV(tumor_venous, "tumor_venous_mg_per_L", "mg/L", "tumour venous outflow concentration"),
    TV(hepatic_artery, "hepatic_artery_mg_per_L", "mg/L", "hepatic arterial inflow concentration"),
    TV(portal_vein, "portal_vein_mg_per_L", "mg/L", "portal venous inflow concentration"),
    TV(depot, "depot_mg", "mg", "amount in the TACE / bead depot"),
    TV(hepatic_vein, "hepatic_vein_mg_per_L", "mg/L",
       "hepatic venous plasma (liver and direct tumour outflow, upstream of any filter)"),
    TV(trapped_liver, "trapped_liver_mg", "mg",
       "drug held in the embolised normal-liver bed (stasis)"),
    TV(trapped_tumor, "trapped_tumor_mg", "mg", "drug held in the embolised tumour bed (stasis)"),
    TV(bound_liver, "bound_liver_mg", "mg", "drug bound in the normal liver (local retention)"),
    TV(bound_tumor, "bound_tumor_mg", "mg", "drug bound in the tumour (local retention)"),
};
#undef TV
#define N_TRACE_VARS ((int)(sizeof TRACE_VARS / sizeof TRACE_VARS[0]))

static const double *trace_array(const hs_trace *tr, const trace_var *v) {
  return *(double *const *)((const char *)tr + v->offset);
}

static int is_iv_metric(int k) { return k >= HS_METRICS_CORE && k < HS_METRICS_IV_END; }

/* A metric as reported: IV metrics are NaN for drugs without an IV comparator. */
static double metric_of(const hs_drug_result *d, const hs_metric_field *f, int k) {
  if (is_iv_metric(k) && !d->has_iv) return NAN;
  return hs_metric_value(&d->metrics, f);
}

/* Drug names become HDF5 link names and file names. */
static int check_names(const hs_results *res, hs_error *err) {
  for (int i = 0; i < res->n; i++) {
    const char *s = res->drugs[i].name;
    if (!s[0] || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
      return hs_error_set(err, HS_EINPUT, "drug name '%s' cannot name a file or an HDF5 group",
                          s);
  }
  return HS_OK;
}

/* ---- files: existence, temporary names, commit ----------------------------------- */

static int path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* "<path>.tmp.<pid>", malloc'ed; NULL on allocation failure. */
static char *tmp_name(const char *path) {
  size_t len = strlen(path) + 32;
  char *tmp = malloc(len);
  if (tmp) snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
  return tmp;
}

/* Move the complete temporary file onto path. Without force an existing path (even one
 * that appeared while we wrote) is kept: link() fails rather than replace. */
static int commit_tmp(const char *tmp, const char *path, int force, hs_error *err) {
  if (!force) {
    if (link(tmp, path) == 0) {
      unlink(tmp);
      return HS_OK;
    }
    if (errno == EEXIST)
      return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", path);
    /* no hard links on this file system: fall back to rename */
  }
  if (rename(tmp, path) != 0)
    return hs_error_set(err, HS_EIO, "%s: cannot rename %s into place: %s", path, tmp,
                        strerror(errno));
  return HS_OK;
}

/* mkdir -p. */
static int make_dirs(const char *dir, hs_error *err) {
  int rc = HS_OK;
  char *p;
  if (!dir[0]) return hs_error_set(err, HS_EINPUT, "empty output directory name");
  if (!(p = strdup(dir))) return hs_error_set(err, HS_ENOMEM, "%s: out of memory", dir);
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0') continue;
    char c = *s;
    *s = '\0';
    struct stat st;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      rc = hs_error_set(err, HS_EIO, "cannot create directory %s: %s", p, strerror(errno));
      goto done;
    }
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
      rc = hs_error_set(err, HS_EIO, "%s exists and is not a directory", p);
      goto done;
    }
    *s = c;
    if (c == '\0') break;
  }
done:
  free(p);
  return rc;
}

/* ---- HDF5 --------------------------------------------------------------------------- */

/* A double attribute in the native type (not hs__h5_attr_f64's explicit little-endian). */
static int attr_double(const hs__h5ctx *c, hid_t loc, const char *name, double v) {
  return hs__h5_attr_write(c, loc, name, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE, &v);
}

/* 1-D dataset of n elements of `type` (file and memory type alike). Compressed
 * (shuffle + deflate, chunked) when compress and n > 0. Returns the open dataset. */
static int dset_1d(const hs__h5ctx *c, hid_t loc, const char *name, hid_t type, const void *data,
                   hsize_t n, int compress, hid_t *out) {
  int rc = HS_OK;
  hid_t space = -1, dcpl = -1, ds = -1;
  hsize_t chunk = n < CHUNK_MAX ? n : CHUNK_MAX;
  HS_H5ID(space, H5Screate_simple(1, &n, NULL), "H5Screate_simple for '%s'", name);
  HS_H5ID(dcpl, H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate for '%s'", name);
  if (compress && n > 0 && (rc = hs__h5_compress(c, dcpl, 1, &chunk, name))) goto done;
  HS_H5ID(ds, H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
          "H5Dcreate2 '%s'", name);
  if (n > 0)
    HS_H5TRY(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite '%s'", name);
  *out = ds;
  ds = -1;
done:
  hs__h5_close(ds);
  hs__h5_close(dcpl);
  hs__h5_close(space);
  return rc;
}

/* A dimension scale: its dataset and its name. */
typedef struct h5dim {
  hid_t id;
  const char *name;
} h5dim;

/* A float64 variable with units and long_name, attached to the dimension scale dim
 * (and its dimension labelled with the scale's name, for h5py's .dims[0].label). */
static int write_var(const hs__h5ctx *c, hid_t loc, const char *name, const double *data, hsize_t n,
                     int compress, const char *units, const char *long_name, h5dim dim) {
  int rc;
  hid_t ds = -1;
  rc = dset_1d(c, loc, name, H5T_NATIVE_DOUBLE, data, n, compress, &ds);
  if (!rc) rc = hs__h5_attr_units(c, ds, units, long_name);
  if (rc) goto done;
  HS_H5TRY(H5DSattach_scale(ds, dim.id, 0), "H5DSattach_scale to '%s'", name);
  HS_H5TRY(H5DSset_label(ds, 0, dim.name), "H5DSset_label on '%s'", name);
done:
  hs__h5_close(ds);
  return rc;
}

/* A scalar float64 dataset with units and long_name. */
static int write_scalar(const hs__h5ctx *c, hid_t loc, const char *name, double v,
                        const char *units, const char *long_name) {
  int rc = HS_OK;
  hid_t space = -1, ds = -1;
  HS_H5ID(space, H5Screate(H5S_SCALAR), "H5Screate for '%s'", name);
  HS_H5ID(ds, H5Dcreate2(loc, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT), "H5Dcreate2 '%s'", name);
  HS_H5TRY(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "H5Dwrite '%s'",
           name);
  rc = hs__h5_attr_units(c, ds, units, long_name);
done:
  hs__h5_close(ds);
  hs__h5_close(space);
  return rc;
}

/* /drugs/<name>/parameters: the resolved model the run used (hs_resolved.h), one scalar
 * dataset per quantity. */
static int write_parameters(const hs__h5ctx *c, hid_t g, const hs_scenario_drug *sd,
                            const hs_scenario *sc) {
  int rc = HS_OK, n;
  hid_t pg = -1;
  hs_error err;
  double v[HS_RESOLVED_MAX];
  if (hs_simulate_resolved(sc, (int)(sd - sc->drugs), v, &err))
    return hs__h5_fail(c, "resolving the parameters of '%s': %s", sd->name, err.msg);
  const hs_resolved_field *f = hs_resolved_fields(&n);
  HS_H5ID(pg, H5Gcreate2(g, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          "H5Gcreate2 'parameters' of '%s'", sd->name);
  for (int i = 0; i < n && !rc; i++) rc = write_scalar(c, pg, f[i].name, v[i], f[i].unit, f[i].what);
done:
  hs__h5_close(pg);
  return rc;
}

static int write_root_attrs(const hs__h5ctx *c, hid_t file, const hs_scenario *sc) {
  hs_scenario none = {0};
  const hs_scenario *s = sc ? sc : &none;
  int iv = s->iv_comparator, rc;
  if ((rc = hs__h5_attr_str(c, file, "scenario_text", s->text))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "scenario_path", s->path))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "program_version", HS_VERSION))) return rc;
  if ((rc = attr_double(c, file, "rtol", s->sim.rtol))) return rc;
  if ((rc = attr_double(c, file, "atol", s->sim.atol))) return rc;
  if ((rc = attr_double(c, file, "t_end_h", s->sim.t_end))) return rc;
  if ((rc = attr_double(c, file, "dt_out_h", s->sim.dt_out))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "solver", hs_solver_method_names[s->sim.method % 3])))
    return rc;
  return hs__h5_attr_write(c, file, "iv_comparator", H5T_NATIVE_INT, H5T_NATIVE_INT, &iv);
}

/* The IV comparator's concentration time courses as <series>_iv on the same time scale. */
static int write_iv_courses(const hs__h5ctx *c, hid_t g, const hs_trace *iv, hsize_t n,
                            hid_t time) {
  int rc = HS_OK;
  for (int k = 1; k < N_TRACE_VARS && !rc; k++) {
    const trace_var *v = &TRACE_VARS[k];
    const double *a = trace_array(iv, v);
    char name[64], long_name[160];
    if (!a || strcmp(v->units, "mg/L")) continue; /* amounts held locally: none given IV */
    snprintf(name, sizeof name, "%s_iv", v->name);
    snprintf(long_name, sizeof long_name, "%s, IV comparator (the same doses given IV)",
             v->long_name);
    rc = write_var(c, g, name, a, n, 1, v->units, long_name, (h5dim){time, "time"});
  }
  return rc;
}

/* /drugs/<name>: time (dimension scale) and every recorded time course; gcpl creates
 * the group. */
static int write_drug(const hs__h5ctx *c, hid_t gcpl, hid_t drugs, const hs_drug_result *d,
                      const hs_scenario_drug *sd, const hs_scenario *sc) {
  int rc = HS_OK;
  hid_t g = -1, time = -1;
  const hs_trace *tr = &d->trace;
  hsize_t n = tr->n > 0 ? (hsize_t)tr->n : 0;
  HS_H5ID(g, H5Gcreate2(drugs, d->name, H5P_DEFAULT, gcpl, H5P_DEFAULT),
          "H5Gcreate2 '/drugs/%s'", d->name);
  if (d->warning[0] && (rc = hs__h5_attr_str(c, g, "warning", d->warning))) goto done;
  if (d->solver[0] && (rc = hs__h5_attr_str(c, g, "solver", d->solver))) goto done;
  if (sd && sd->parent >= 0) { /* a metabolite or bound species: what formed it */
    static const char *const ROUTE[] = {"hepatic", "extrahepatic", "binding"};
    if ((rc = hs__h5_attr_str(c, g, "formed_from", sc->drugs[sd->parent].name)) ||
        (rc = hs__h5_attr_str(c, g, "formed_by_route", ROUTE[sd->route])) ||
        (rc = attr_double(c, g, "mass_yield", sd->yield)))
      goto done;
  }
  if (sd && sc && (rc = write_parameters(c, g, sd, sc))) goto done;
  if (!tr->t) goto done; /* no time courses recorded (metrics only) */
  rc = dset_1d(c, g, "time", H5T_NATIVE_DOUBLE, tr->t, n, 1, &time);
  if (!rc) rc = hs__h5_attr_units(c, time, TRACE_VARS[0].units, TRACE_VARS[0].long_name);
  if (rc) goto done;
  HS_H5TRY(H5DSset_scale(time, "time"), "H5DSset_scale '/drugs/%s/time'", d->name);
  for (int k = 1; k < N_TRACE_VARS && !rc; k++) {
    const trace_var *v = &TRACE_VARS[k];
    const double *a = trace_array(tr, v);
    if (a) rc = write_var(c, g, v->name, a, n, 1, v->units, v->long_name, (h5dim){time, "time"});
  }
  if (!rc && d->trace_iv.t) rc = write_iv_courses(c, g, &d->trace_iv, n, time);
done:
  hs__h5_close(time);
  hs__h5_close(g);
  return rc;
}

/* /summary/drug: the drug names, dimension scale "drug". */
static int write_drug_scale(const hs__h5ctx *c, hid_t g, const hs_results *res, hid_t *out) {
  int rc = HS_OK;
  hid_t type = -1, ds = -1;
  const char **names = malloc(sizeof *names * (size_t)(res->n > 0 ? res->n : 1));
  if (!names) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  for (int i = 0; i < res->n; i++) names[i] = res->drugs[i].name;
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for '/summary/drug'");
  if ((rc = dset_1d(c, g, "drug", type, names, (hsize_t)res->n, 0, &ds))) goto done;
  if ((rc = hs__h5_attr_units(c, ds, "", "drug name"))) goto done;
  HS_H5TRY(H5DSset_scale(ds, "drug"), "H5DSset_scale '/summary/drug'");
  *out = ds;
  ds = -1;
done:
  hs__h5_close(ds);
  hs__h5_close(type);
  free(names);
  return rc;
}

/* /summary/<metric> for every metric of hs_metric_fields(), one value per drug; gcpl
 * creates the group. */
static int write_summary(const hs__h5ctx *c, hid_t gcpl, hid_t file, const hs_results *res) {
  int rc = HS_OK, nf;
  hid_t g = -1, drug = -1;
  const hs_metric_field *f = hs_metric_fields(&nf);
  double *v = malloc(sizeof *v * (size_t)(res->n > 0 ? res->n : 1));
  if (!v) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  HS_H5ID(g, H5Gcreate2(file, "summary", H5P_DEFAULT, gcpl, H5P_DEFAULT),
          "H5Gcreate2 '/summary'");
  if ((rc = write_drug_scale(c, g, res, &drug))) goto done;
  for (int k = 0; k < nf && !rc; k++) {
    for (int i = 0; i < res->n; i++) v[i] = metric_of(&res->drugs[i], &f[k], k);
    rc = write_var(c, g, f[k].name, v, (hsize_t)res->n, 0, f[k].unit, f[k].name,
                   (h5dim){drug, "drug"});
  }
done:
  hs__h5_close(drug);
  hs__h5_close(g);
  free(v);
  return rc;
}

static int write_h5(const hs__h5ctx *c, const char *tmp, const hs_scenario *sc,
                    const hs_results *res) {
  int rc = HS_OK;
  /* gcpl: group creation, link creation order tracked (netCDF-4 likes it) */
  hid_t fcpl = -1, gcpl = -1, fapl = -1, file = -1, drugs = -1;
  unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  HS_H5ID(fcpl, H5Pcreate(H5P_FILE_CREATE), "H5Pcreate (file)");
  HS_H5TRY(H5Pset_link_creation_order(fcpl, order), "H5Pset_link_creation_order");
  HS_H5ID(gcpl, H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate (group)");
  HS_H5TRY(H5Pset_link_creation_order(gcpl, order), "H5Pset_link_creation_order");
  HS_H5ID(fapl, hs__h5_fapl(), "H5Pset_libver_bounds");
  HS_H5ID(file, H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl), "H5Fcreate '%s'", tmp);
  if ((rc = write_root_attrs(c, file, sc))) goto done;
  HS_H5ID(drugs, H5Gcreate2(file, "drugs", H5P_DEFAULT, gcpl, H5P_DEFAULT),
          "H5Gcreate2 '/drugs'");
  for (int i = 0; i < res->n && !rc; i++)
    rc = write_drug(c, gcpl, drugs, &res->drugs[i], i < sc->n_drugs ? &sc->drugs[i] : NULL, sc);
  if (!rc) rc = write_summary(c, gcpl, file, res);
done:
  hs__h5_close(drugs);
  if (file >= 0 && H5Fclose(file) < 0 && !rc) rc = hs__h5_fail(c, "H5Fclose '%s'", tmp);
  hs__h5_close(fapl);
  hs__h5_close(gcpl);
  hs__h5_close(fcpl);
  return rc;
}

int hs_output_h5(const char *path, int force, const hs_scenario *sc, const hs_results *res,
                 hs_error *err) {
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  char *tmp;
  int rc = hs__output_begin(path, force, &tmp, err);
  if (rc) return rc;
  if (!(rc = check_names(res, err))) {
    hs__h5_quiet q = hs__h5_quiet_begin();
    rc = write_h5(&c, tmp, sc, res);
    hs__h5_quiet_end(q);
  }
  return hs__output_end(tmp, path, force, rc, err);
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* %.10g, with every NaN as "nan" (glibc would print "-nan" for a negative one). */
static void put_num(FILE *f, double v) {
  if (isnan(v))
    fputs("nan", f);
  else
    fprintf(f, "%.10g", v);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void put_csv_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void csv_drug(FILE *f, const hs_drug_result *d) {
  const hs_trace *tr = &d->trace;
  for (int k = 0; k < N_TRACE_VARS; k++) fprintf(f, "%s%s", k ? "," : "", TRACE_VARS[k].csv);
  fputc('\n', f);
  for (int j = 0; j < tr->n; j++) {
    for (int k = 0; k < N_TRACE_VARS; k++) {
      const double *a = trace_array(tr, &TRACE_VARS[k]);
      if (k) fputc(',', f);
      if (a) put_num(f, a[j]); /* a column not recorded stays empty */
    }
    fputc('\n', f);
  }
}

static void csv_summary(FILE *f, const hs_results *res) {
  int nf;
  const hs_metric_field *fl = hs_metric_fields(&nf);
  fputs("drug", f);
  for (int k = 0; k < nf; k++) fprintf(f, ",%s", fl[k].name);
  fputc('\n', f);
  for (int i = 0; i < res->n; i++) {
    put_csv_field(f, res->drugs[i].name);
    for (int k = 0; k < nf; k++) {
      fputc(',', f);
      put_num(f, metric_of(&res->drugs[i], &fl[k], k));
    }
    fputc('\n', f);
  }
}

/* DIR/<name>.csv into p (cap bytes). */
static void csv_name(char *p, size_t cap, const char *dir, const char *name) {
  snprintf(p, cap, "%s/%s.csv", dir, name);
}

/* DIR/<name>.csv, malloc'ed. */
static char *csv_path(const char *dir, const char *name) {
  size_t len = strlen(dir) + strlen(name) + 6;
  char *p = malloc(len);
  if (p) csv_name(p, len, dir, name);
  return p;
}

int hs__output_csv_file(const char *dir, const hs_scenario *sc, int i, char *path, size_t cap) {
  if (!sc || i > sc->n_drugs) return 0; /* the names are the scenario's drugs */
  csv_name(path, cap, dir, i < sc->n_drugs ? sc->drugs[i].name : "summary");
  return 1;
}

/* Write one CSV file through a temporary: drug i, or the summary when i < 0. */
static int csv_file(const char *dir, int force, const hs_results *res, int i, hs_error *err) {
  int rc = HS_OK;
  FILE *f = NULL;
  char *path = csv_path(dir, i < 0 ? "summary" : res->drugs[i].name);
  char *tmp = path ? tmp_name(path) : NULL;
  if (!tmp) {
    rc = hs_error_set(err, HS_ENOMEM, "%s: out of memory", dir);
    goto done;
  }
  if (!(f = fopen(tmp, "w"))) {
    rc = hs_error_set(err, HS_EIO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    goto done;
  }
  if (i < 0)
    csv_summary(f, res);
  else
    csv_drug(f, &res->drugs[i]);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) rc = hs_error_set(err, HS_EIO, "%s: write failed: %s", tmp,
                                               strerror(errno));
  f = NULL;
  if (!rc) rc = commit_tmp(tmp, path, force, err);
  if (rc) unlink(tmp);
done:
  free(tmp);
  free(path);
  return rc;
}

int hs_output_csv(const char *dir, int force, const hs_results *res, hs_error *err) {
  int rc;
  if ((rc = check_names(res, err))) return rc;
  for (int i = -1; i < res->n && !force; i++) {
    char *p = csv_path(dir, i < 0 ? "summary" : res->drugs[i].name);
    if (!p) return hs_error_set(err, HS_ENOMEM, "%s: out of memory", dir);
    int exists = path_exists(p);
    if (exists) hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", p);
    free(p);
    if (exists) return HS_EEXIST;
  }
  if ((rc = make_dirs(dir, err))) return rc;
  for (int i = 0; i < res->n && !rc; i++) rc = csv_file(dir, force, res, i, err);
  if (!rc) rc = csv_file(dir, force, res, -1, err);
  return rc;
}

/* ---- JSON --------------------------------------------------------------------------- */

static void put_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (*p < 0x20)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

void hs__output_json_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.10g", v);
  else
    fputs("null", f);
}

static void json_drug(FILE *f, const hs_drug_result *d) {
  int nf, first = 1;
  const hs_metric_field *fl = hs_metric_fields(&nf);
  fputs("    ", f);
  put_json_string(f, d->name);
  fputs(": {", f);
  for (int k = 0; k < nf; k++) {
    if (is_iv_metric(k) && !d->has_iv) continue;
    fprintf(f, "%s\n      \"%s\": ", first ? "" : ",", fl[k].name);
    hs__output_json_num(f, hs_metric_value(&d->metrics, &fl[k]));
    first = 0;
  }
  if (d->warning[0]) { /* what the run could not do (hepatic artery occlusion) */
    fprintf(f, "%s\n      \"warning\": ", first ? "" : ",");
    put_json_string(f, d->warning);
    first = 0;
  }
  fputs(first ? "}" : "\n    }", f);
}

void hs_output_json(FILE *f, const hs_results *res) {
  fputs("{\n  \"drugs\": {", f);
  for (int i = 0; i < res->n; i++) {
    fputs(i ? ",\n" : "\n", f);
    json_drug(f, &res->drugs[i]);
  }
  fputs(res->n ? "\n  }\n}\n" : "}\n}\n", f);
}

/* ---- table -------------------------------------------------------------------------- */

#define TABLE_NAME_W 32 /* longest metric name: fraction_eliminated_extrahepatic */
#define TABLE_UNIT_W 6
#define TABLE_COL_MIN 12
#define TABLE_COL_MAX 20

static int table_col_width(const hs_results *res) {
  int w = TABLE_COL_MIN;
  for (int i = 0; i < res->n; i++) {
    int len = (int)strlen(res->drugs[i].name);
    if (len > w) w = len;
  }
  return w < TABLE_COL_MAX ? w : TABLE_COL_MAX;
}

static void table_row(FILE *f, const hs_results *res, const hs_metric_field *fl, int k, int w) {
  fprintf(f, "%-*s  %-*s", TABLE_NAME_W, fl[k].name, TABLE_UNIT_W, fl[k].unit);
  for (int i = 0; i < res->n; i++) {
    const hs_drug_result *d = &res->drugs[i];
    double v = hs_metric_value(&d->metrics, &fl[k]);
    if (is_iv_metric(k) && !d->has_iv)
      fprintf(f, "  %*s", w, "-");
    else if (isnan(v))
      fprintf(f, "  %*s", w, "nan");
    else
      fprintf(f, "  %*.6g", w, v);
  }
  fputc('\n', f);
}

/* A diagnostic that no drug of the run has (territory and gastric metrics without those
 * options): left out of the summary table, kept in the files. */
static int all_nan(const hs_results *res, const hs_metric_field *m) {
  for (int i = 0; i < res->n; i++)
    if (!isnan(hs_metric_value(&res->drugs[i].metrics, m))) return 0;
  return 1;
}

void hs_output_table(FILE *f, const hs_scenario *sc, const hs_results *res) {
  int nf, any_iv = 0, w = table_col_width(res);
  const hs_metric_field *fl = hs_metric_fields(&nf);
  for (int i = 0; i < res->n; i++) any_iv |= res->drugs[i].has_iv;
  fprintf(f, "scenario: %s\n", sc && sc->path ? sc->path : "(none)");
  if (sc && sc->description[0]) fprintf(f, "description: %s\n", sc->description);
  fprintf(f, "\n%-*s  %-*s", TABLE_NAME_W, "metric", TABLE_UNIT_W, "unit");
  for (int i = 0; i < res->n; i++) fprintf(f, "  %*.*s", w, w, res->drugs[i].name);
  fputc('\n', f);
  for (int k = 0; k < nf; k++)
    if ((!is_iv_metric(k) || any_iv) && (k < HS_METRICS_IV_END || !all_nan(res, &fl[k])))
      table_row(f, res, fl, k, w);
  for (int i = 0; i < res->n; i++) /* footer: what a run could not do */
    if (res->drugs[i].warning[0]) fprintf(f, "\nwarning: %s\n", res->drugs[i].warning);
}

/* ---- the library's lifetime ----------------------------------------------------------- */

/* Why: a full disk makes H5Dclose/H5Fclose fail while flushing; HDF5 1.10.8 then leaves the
 * dataset's id registered with its object partly freed, and H5_term_library (run by atexit
 * at exit) closes it again and crashes in H5D_close. Closing ids in another order does not
 * help (the failed close is the dataset's own), so the program owns the cleanup: it runs
 * only after a clean run, where every id is already closed and it just frees memory. */
void hs_output_lib_init(void) { H5dont_atexit(); }

void hs_output_lib_close(int clean) {
  if (clean) H5close();
}

/* ---- shared with the other writers (output_int.h) ------------------------------------ */

int hs__output_begin(const char *path, int force, char **tmp, hs_error *err) {
  *tmp = NULL;
  if (!force && path_exists(path))
    return hs_error_set(err, HS_EEXIST, "%s exists; use --force to overwrite", path);
  if (!(*tmp = tmp_name(path))) return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  return HS_OK;
}

int hs__output_end(char *tmp, const char *path, int force, int rc, hs_error *err) {
  if (!rc) rc = commit_tmp(tmp, path, force, err);
  if (rc) unlink(tmp);
  free(tmp);
  return rc;
}

void hs__output_num(FILE *f, double v) { put_num(f, v); }
void hs__output_csv_field(FILE *f, const char *s) { put_csv_field(f, s); }
void hs__output_json_string(FILE *f, const char *s) { put_json_string(f, s); }

int hs__output_h5_dset(const hs__h5ctx *c, hid_t loc, const char *name, hid_t type,
                       const void *data, hsize_t n, hid_t *out) {
  return dset_1d(c, loc, name, type, data, n, 0, out);
}

int hs__output_h5_var(const hs__h5ctx *c, hid_t loc, const char *name, const double *data,
                      hsize_t n, const char *units, const char *long_name, hid_t dim,
                      const char *dim_name) {
  return write_var(c, loc, name, data, n, 0, units, long_name, (h5dim){dim, dim_name});
}
