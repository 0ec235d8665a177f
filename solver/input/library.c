/* library.c - the drug library on disk (hs_library.h): a catalog of the parsed files of
 * <data_dir>/drugs, lookup by name or alias, validation of an entry (metabolites, reference
 * pharmacokinetics) and the values as written, for display. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drugdef.h"
#include "hs_library.h"

struct hs__catalog {
  char dir[1024];
  int n;
  hs__ydoc *docs[HS_LIB_MAX_DRUGS];
  char files[HS_LIB_MAX_DRUGS][1100];
};

void hs__catalog_free(hs__catalog *c) {
  if (!c) return;
  for (int i = 0; i < c->n; i++) hs__ydoc_free(c->docs[i]);
  free(c);
}

static int is_yaml(const char *name) {
  size_t len = strlen(name);
  return len >= 6 && !strcmp(name + len - 5, ".yaml");
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

int hs__catalog_open(const char *data_dir, hs__catalog **out, hs_error *err) {
  hs__catalog *c = calloc(1, sizeof *c);
  if (!c) return hs_error_set(err, HS_ENOMEM, "out of memory");
  snprintf(c->dir, sizeof c->dir, "%s/drugs", data_dir);
  DIR *dp = opendir(c->dir);
  int rc = HS_OK;
  if (!dp) {
    rc = hs_error_set(err, HS_EINPUT, "drug library not found: cannot open %s", c->dir);
    goto done;
  }
  for (struct dirent *e; (e = readdir(dp));) {
    if (!is_yaml(e->d_name)) continue;
    if (c->n == HS_LIB_MAX_DRUGS) {
      rc = hs_error_set(err, HS_EINPUT, "%s: more than %d library files", c->dir,
                        HS_LIB_MAX_DRUGS);
      break;
    }
    char file[sizeof c->files[0]];
    snprintf(file, sizeof file, "%s/%s", c->dir, e->d_name);
    memcpy(c->files[c->n], file, sizeof file);
    c->n++;
  }
  closedir(dp);
  qsort(c->files, (size_t)c->n, sizeof c->files[0], cmp_str); /* readdir order varies */
  for (int i = 0; !rc && i < c->n; i++) {
    c->docs[i] = hs__ydoc_load(c->files[i], err);
    if (!c->docs[i]) rc = err ? err->code : HS_EINPUT;
  }
done:
  if (rc) {
    for (int i = 0; i < c->n; i++)
      if (!c->docs[i]) c->n = i; /* free only what was parsed */
    hs__catalog_free(c);
    c = NULL;
  }
  *out = c;
  return rc;
}

/* Calls f(text, arg) on entry i's name and aliases; stops at the first nonzero. */
static int each_name(const hs__catalog *c, int i, int (*f)(const char *, void *), void *arg) {
  const hs__ydoc *d = c->docs[i];
  hs__ynode root = hs__ydoc_root(d);
  const char *own = hs__ydoc_scalar(d, hs__ydoc_get(d, root, "name"));
  if (own && f(own, arg)) return 1;
  hs__ynode al = hs__ydoc_get(d, root, "aliases");
  for (int k = 0; hs__ydoc_type(d, al) == HS_Y_SEQ && k < hs__ydoc_len(d, al); k++) {
    const char *a = hs__ydoc_scalar(d, hs__ydoc_item(d, al, k));
    if (a && f(a, arg)) return 1;
  }
  return 0;
}

static int same_name(const char *text, void *name) { return !strcasecmp(text, name); }

typedef struct name_list {
  const char *v[4 * HS_LIB_MAX_DRUGS];
  int n;
} name_list;

static int collect(const char *text, void *arg) {
  name_list *l = arg;
  if (l->n < 4 * HS_LIB_MAX_DRUGS) l->v[l->n++] = text;
  return 0;
}

int hs__catalog_find(const hs__catalog *c, const char *name, const char **best) {
  name_list l = {.n = 0};
  for (int i = 0; i < c->n; i++)
    if (each_name(c, i, same_name, (void *)name)) return i;
  for (int i = 0; i < c->n; i++) each_name(c, i, collect, &l);
  if (best) *best = hs__did_you_mean(name, l.v, l.n);
  return -1;
}

/* ---- metabolites ------------------------------------------------------------------------ */

static const char *const FORM_ROUTES[] = {"hepatic", "extrahepatic", "binding", NULL};

typedef struct met_in {
  char name[64];
  int route;
  double fraction;
} met_in;

enum { M_NAME, M_ROUTE, M_FRACTION, M_N };
static const hs__field MET_FIELDS[M_N] = {
    {"name", HS_F_TEXT, HS_KIND_NUMBER, offsetof(met_in, name), HS_R_ANY, NULL, 64, NULL},
    {"route", HS_F_ENUM, HS_KIND_NUMBER, offsetof(met_in, route), HS_R_ANY, FORM_ROUTES, 0, NULL},
    {"fraction", HS_F_QTY, HS_KIND_FRACTION, offsetof(met_in, fraction), HS_R_FRAC, NULL, 0, NULL},
};

/* Does entry i give a molecular weight? */
static int has_mw(const hs__catalog *c, int i) {
  return hs__ydoc_get(c->docs[i], hs__ydoc_root(c->docs[i]), "molecular_weight") != 0;
}

static int read_metabolite(const hs__catalog *c, int parent, hs__ynode n, const char *path,
                           hs_library_metabolite *m, hs_error *err) {
  const hs__ydoc *d = c->docs[parent];
  met_in in = {.route = -1};
  hs__fieldinfo info[M_N] = {{0}};
  int rc = hs__ydoc_read(d, n, path, MET_FIELDS, M_N, &in, info, 1, err);
  if (rc) return rc;
  for (int k = 0; k < M_N; k++)
    if (!info[k].set)
      return hs__ydoc_error(d, n, path, err, "'%s' is required", MET_FIELDS[k].key);
  const char *best = NULL;
  int i = hs__catalog_find(c, in.name, &best);
  hs__ynode nn = hs__ydoc_get(d, n, "name");
  if (i < 0)
    return hs__ydoc_error(d, nn, path, err, "unknown metabolite '%s'%s%s%s: it needs its own "
                          "library entry", in.name, best ? " (did you mean '" : "",
                          best ? best : "", best ? "'?)" : "");
  const char *own = hs__ydoc_scalar(c->docs[i], hs__ydoc_get(c->docs[i],
                                    hs__ydoc_root(c->docs[i]), "name"));
  if (!has_mw(c, parent) || !has_mw(c, i))
    return hs__ydoc_error(d, n, path, err, "the yield of metabolite '%s' needs the molecular "
                          "weights of both drugs: give molecular_weight in %s",
                          own ? own : in.name, has_mw(c, parent) ? c->files[i] : c->files[parent]);
  snprintf(m->name, sizeof m->name, "%s", own ? own : in.name);
  m->route = (hs_form_route)in.route;
  m->fraction = in.fraction;
  return HS_OK;
}

static int read_metabolites(const hs__catalog *c, int i, hs__libdrug *out, hs_error *err) {
  const hs__ydoc *d = c->docs[i];
  hs__ynode s = hs__ydoc_get(d, hs__ydoc_root(d), "metabolites");
  if (!s) return HS_OK;
  int n = hs__ydoc_len(d, s);
  if (hs__ydoc_type(d, s) != HS_Y_SEQ || n > HS_LIB_MAX_METABOLITES)
    return hs__ydoc_error(d, s, "metabolites", err, "expected a list of at most %d entries "
                          "('- name: ...')", HS_LIB_MAX_METABOLITES);
  for (int k = 0; k < n; k++) {
    char path[48];
    snprintf(path, sizeof path, "metabolites[%d]", k);
    int rc = read_metabolite(c, i, hs__ydoc_item(d, s, k), path, &out->met[k], err);
    if (rc) return rc;
    out->n_met++;
  }
  return HS_OK;
}

int hs__catalog_read(const hs__catalog *c, int i, const hs__resolve *rs, hs__libdrug *out,
                     hs_error *err) {
  memset(out, 0, sizeof *out);
  out->doc = c->docs[i];
  hs__ynode root = hs__ydoc_root(out->doc);
  int rc = hs__drugdef_read(out->doc, root, "", 1, &out->def, err);
  if (!rc && !out->def.name[0])
    rc = hs__ydoc_error(out->doc, root, "", err, "a library entry needs a 'name'");
  hs_scenario_drug check;
  if (!rc) rc = hs__drugdef_finish(&out->def, rs, &check, out->doc, root, "", err);
  if (!rc) rc = read_metabolites(c, i, out, err);
  return rc;
}

/* ---- reference pharmacokinetics (`reference_pk:`) --------------------------------------- */

static double resolve_norm(double v, hs_norm norm, const hs_patient *pt) {
  return norm == HS_NORM_BSA ? v * pt->bsa_m2 : norm == HS_NORM_WEIGHT ? v * pt->weight_kg : v;
}

/* A scalar quantity of `kind` (per m2 / per kg allowed) resolved for pt. */
static int pk_scalar(const hs__ydoc *d, hs__ynode n, const char *path, hs_kind kind,
                     const hs_patient *pt, double *v, hs_error *err) {
  const char *t = hs__ydoc_scalar(d, n);
  hs_norm norm = HS_NORM_NONE;
  hs_error e;
  if (!t) return hs__ydoc_error(d, n, path, err, "expected %s", hs_units_kind_name(kind));
  int rc = kind == HS_KIND_DOSE ? hs_units_convert(t, kind, v, &norm, &e)
                                : hs_units_convert_scaled(t, kind, v, &norm, &e);
  if (rc) return hs__ydoc_error(d, n, path, err, "%s", e.msg);
  if (!(*v >= 0)) return hs__ydoc_error(d, n, path, err, "must be >= 0, got '%s'", t);
  *v = resolve_norm(*v, norm, pt);
  return HS_OK;
}

typedef struct range_in {
  char source[512], confidence[16];
} range_in;
enum { RG_VALUE, RG_LOW, RG_HIGH, RG_SOURCE, RG_CONF, RG_NOTE, RG_N };
static const hs__field RANGE_FIELDS[RG_N] = {
    {"value", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"low", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"high", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"source", HS_F_TEXT, HS_KIND_NUMBER, offsetof(range_in, source), HS_R_ANY, NULL, 512, NULL},
    {"confidence", HS_F_TEXT, HS_KIND_NUMBER, offsetof(range_in, confidence), HS_R_ANY, NULL, 16, NULL},
    {"note", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

/* {value, low, high, source, confidence}: low and high default to the value. */
static int pk_range(const hs__ydoc *d, hs__ynode pk, const char *key, hs_kind kind,
                    const hs_patient *pt, hs_pk_range *r, hs_error *err) {
  hs__ynode n = hs__ydoc_get(d, pk, key);
  char path[64];
  snprintf(path, sizeof path, "reference_pk.%s", key);
  memset(r, 0, sizeof *r);
  if (!n) return HS_OK;
  range_in in;
  memset(&in, 0, sizeof in);
  int rc = hs__ydoc_read(d, n, path, RANGE_FIELDS, RG_N, &in, NULL, 0, err);
  if (!rc) rc = hs__ydoc_check_sourced(d, n, path, err);
  hs__ynode v = hs__ydoc_get(d, n, "value"), lo = hs__ydoc_get(d, n, "low"),
            hi = hs__ydoc_get(d, n, "high");
  if (!rc && !v) rc = hs__ydoc_error(d, n, path, err, "missing 'value'");
  if (rc || (rc = pk_scalar(d, v, path, kind, pt, &r->value, err))) return rc;
  r->low = r->high = r->value;
  if ((lo && (rc = pk_scalar(d, lo, path, kind, pt, &r->low, err))) ||
      (hi && (rc = pk_scalar(d, hi, path, kind, pt, &r->high, err))))
    return rc;
  r->present = 1;
  snprintf(r->text, sizeof r->text, "%s", hs__ydoc_scalar(d, v));
  if (lo && hi)
    snprintf(r->text, sizeof r->text, "%s (%s - %s)", hs__ydoc_scalar(d, v),
             hs__ydoc_scalar(d, lo), hs__ydoc_scalar(d, hi));
  snprintf(r->source, sizeof r->source, "%s", in.source);
  snprintf(r->confidence, sizeof r->confidence, "%s", in.confidence);
  return HS_OK;
}

typedef struct pk_in {
  double infusion, follow;
} pk_in;
enum { K_DOSE, K_INFUSION, K_FOLLOW, K_WINDOW, K_CL, K_THALF, K_VSS, K_N };
static const hs__field PK_FIELDS[K_N] = {
    {"dose", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"infusion", HS_F_QTY, HS_KIND_TIME, offsetof(pk_in, infusion), HS_R_NONNEG, NULL, 0, NULL},
    {"follow", HS_F_QTY, HS_KIND_TIME, offsetof(pk_in, follow), HS_R_POS, NULL, 0, NULL},
    {"terminal_window", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"clearance", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"half_life", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
    {"vss", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, NULL},
};

static int pk_window(const hs__ydoc *d, hs__ynode pk, hs_library_pk *out, hs_error *err) {
  hs__ynode w = hs__ydoc_get(d, pk, "terminal_window");
  const char *path = "reference_pk.terminal_window";
  int rc;
  if (hs__ydoc_type(d, w) != HS_Y_SEQ || hs__ydoc_len(d, w) != 2)
    return hs__ydoc_error(d, w ? w : pk, path, err, "expected [<from>, <to>] (e.g. [24 h, 72 h])");
  if ((rc = pk_scalar(d, hs__ydoc_item(d, w, 0), path, HS_KIND_TIME, NULL, &out->terminal_from_h,
                      err)) ||
      (rc = pk_scalar(d, hs__ydoc_item(d, w, 1), path, HS_KIND_TIME, NULL, &out->terminal_to_h,
                      err)))
    return rc;
  if (!(out->terminal_to_h > out->terminal_from_h && out->terminal_to_h <= out->follow_h))
    return hs__ydoc_error(d, w, path, err, "the window must be increasing and end within "
                          "'follow' (%g h)", out->follow_h);
  return HS_OK;
}

static int read_pk(const hs__ydoc *d, const hs_patient *ref, hs_library_pk *out, hs_error *err) {
  hs__ynode pk = hs__ydoc_get(d, hs__ydoc_root(d), "reference_pk");
  memset(out, 0, sizeof *out);
  if (!pk) return HS_OK;
  pk_in in = {0};
  hs__fieldinfo info[K_N] = {{0}};
  int rc = hs__ydoc_read(d, pk, "reference_pk", PK_FIELDS, K_N, &in, info, 0, err);
  if (rc) return rc;
  if (!hs__ydoc_get(d, pk, "dose") || !info[K_FOLLOW].set)
    return hs__ydoc_error(d, pk, "reference_pk", err, "'dose' and 'follow' are required");
  out->infusion_h = in.infusion;
  out->follow_h = in.follow;
  if ((rc = pk_scalar(d, hs__ydoc_get(d, pk, "dose"), "reference_pk.dose", HS_KIND_DOSE, ref,
                      &out->dose_mg, err)) ||
      (rc = pk_window(d, pk, out, err)) ||
      (rc = pk_range(d, pk, "clearance", HS_KIND_FLOW, ref, &out->clearance, err)) ||
      (rc = pk_range(d, pk, "half_life", HS_KIND_TIME, ref, &out->half_life, err)) ||
      (rc = pk_range(d, pk, "vss", HS_KIND_VOLUME, ref, &out->vss, err)))
    return rc;
  out->present = 1;
  return HS_OK;
}

/* ---- values as written ------------------------------------------------------------------ */

typedef struct value_list {
  hs_library_value *v;
  int n, cap;
} value_list;

static hs_library_value *value_add(value_list *l) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 32;
    hs_library_value *v = realloc(l->v, sizeof *v * (size_t)cap);
    if (!v) return NULL;
    l->v = v, l->cap = cap;
  }
  hs_library_value *x = &l->v[l->n++];
  memset(x, 0, sizeof *x);
  return x;
}

static void copy_text(const hs__ydoc *d, hs__ynode map, const char *key, char *dst, size_t n) {
  const char *t = hs__ydoc_scalar(d, hs__ydoc_get(d, map, key));
  snprintf(dst, n, "%s", t ? t : "");
}

/* A sourced mapping at node n (with `value`, or an exposure target's low/high). */
static int add_value(value_list *l, const hs__ydoc *d, hs__ynode n, const char *key) {
  hs_library_value *x = value_add(l);
  if (!x) return HS_ENOMEM;
  snprintf(x->key, sizeof x->key, "%s", key);
  copy_text(d, n, "value", x->text, sizeof x->text);
  if (!hs__ydoc_get(d, n, "value")) { /* exposure target: "low - high measure per" */
    char low[32], high[32], per[16];
    copy_text(d, n, "low", low, sizeof low);
    copy_text(d, n, "high", high, sizeof high);
    copy_text(d, n, "per", per, sizeof per);
    snprintf(x->text, sizeof x->text, "%s%s%s per %s", low, *high ? " - " : "", high, per);
  }
  copy_text(d, n, "source", x->source, sizeof x->source);
  copy_text(d, n, "confidence", x->confidence, sizeof x->confidence);
  copy_text(d, n, "basis", x->basis, sizeof x->basis);
  copy_text(d, n, "note", x->note, sizeof x->note);
  return HS_OK;
}

/* Sourced values of mapping `map` in file order; nested mappings as "<prefix>.<key>",
 * list items as "<prefix>[i]". */
static int walk_values(value_list *l, const hs__ydoc *d, hs__ynode map, const char *prefix) {
  int rc = HS_OK;
  for (int i = 0; !rc && i < hs__ydoc_len(d, map); i++) {
    const char *k = hs__ydoc_scalar(d, hs__ydoc_key(d, map, i));
    hs__ynode v = hs__ydoc_value(d, map, i);
    char key[64];
    snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k ? k : "");
    if (hs__ydoc_type(d, v) == HS_Y_MAP && hs__ydoc_get(d, v, "source"))
      rc = add_value(l, d, v, key);
    else if (hs__ydoc_type(d, v) == HS_Y_MAP)
      rc = walk_values(l, d, v, key);
    for (int j = 0; !rc && hs__ydoc_type(d, v) == HS_Y_SEQ && j < hs__ydoc_len(d, v); j++) {
      char item[64];
      snprintf(item, sizeof item, "%s[%d]", key, j);
      if (hs__ydoc_type(d, hs__ydoc_item(d, v, j)) == HS_Y_MAP)
        rc = walk_values(l, d, hs__ydoc_item(d, v, j), item);
    }
  }
  return rc;
}

/* ---- the public interface --------------------------------------------------------------- */

/* Open the catalog and the reference adult; find name_or_alias (index in *i, -1 if no name). */
static int lib_open(const char *data_dir, const char *name, hs__catalog **c, hs__resolve *rs,
                    int *i, hs_error *err) {
  if (!data_dir) data_dir = hs_scenario_data_dir(); /* NULL: the default library */
  hs_physiology ph;
  const char *best = NULL;
  int rc = hs__reference_adult(data_dir, rs, &ph, err);
  if (!rc) rc = hs__catalog_open(data_dir, c, err);
  if (rc || !name) return rc;
  *i = hs__catalog_find(*c, name, &best);
  if (*i >= 0) return HS_OK;
  rc = hs_error_set(err, HS_EINPUT, "unknown drug '%s'%s%s%s in %s", name,
                    best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "",
                    (*c)->dir);
  hs__catalog_free(*c);
  *c = NULL;
  return rc;
}

int hs_library_names(const char *data_dir, char (*names)[64], int cap, hs_error *err) {
  hs__catalog *c = NULL;
  hs__resolve rs;
  hs__libdrug e;
  int rc = lib_open(data_dir, NULL, &c, &rs, NULL, err);
  if (rc) return rc;
  if (c->n > cap) rc = hs_error_set(err, HS_EINPUT, "%s: %d entries, room for %d", c->dir, c->n, cap);
  for (int i = 0; !rc && i < c->n; i++) {
    rc = hs__catalog_read(c, i, &rs, &e, err);
    snprintf(names[i], 64, "%s", e.def.name);
  }
  int n = c->n;
  hs__catalog_free(c);
  if (rc) return rc;
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  return n;
}

static void fill_entry(const hs__catalog *c, int i, const hs__libdrug *ld, hs_library_entry *e) {
  const hs__ydoc *d = ld->doc;
  hs__ynode root = hs__ydoc_root(d), al = hs__ydoc_get(d, root, "aliases");
  snprintf(e->name, sizeof e->name, "%s", ld->def.name);
  snprintf(e->file, sizeof e->file, "%s", c->files[i]);
  copy_text(d, root, "description", e->description, sizeof e->description);
  for (int k = 0; hs__ydoc_type(d, al) == HS_Y_SEQ && k < hs__ydoc_len(d, al) &&
                  e->n_aliases < HS_LIB_MAX_ALIASES; k++) {
    const char *a = hs__ydoc_scalar(d, hs__ydoc_item(d, al, k));
    if (a) snprintf(e->aliases[e->n_aliases++], sizeof e->aliases[0], "%s", a);
  }
  e->mw = ld->def.info[HS_DK_MW].set ? ld->def.v[HS_DK_MW] : 0;
  e->target = ld->def.target;
  memcpy(e->metabolites, ld->met, sizeof ld->met);
  e->n_metabolites = ld->n_met;
}

int hs_library_get(const char *data_dir, const char *name_or_alias, hs_library_entry *e,
                   hs_error *err) {
  hs__catalog *c = NULL;
  hs__resolve rs;
  hs__libdrug ld;
  int i = -1;
  memset(e, 0, sizeof *e);
  int rc = lib_open(data_dir, name_or_alias, &c, &rs, &i, err);
  if (rc) return rc;
  rc = hs__catalog_read(c, i, &rs, &ld, err);
  if (!rc) rc = read_pk(ld.doc, &rs.pt, &e->pk, err);
  value_list l = {0};
  if (!rc && walk_values(&l, ld.doc, hs__ydoc_root(ld.doc), ""))
    rc = hs_error_set(err, HS_ENOMEM, "out of memory");
  if (!rc) fill_entry(c, i, &ld, e);
  e->values = l.v;
  e->n_values = l.n;
  hs__catalog_free(c);
  if (rc) hs_library_entry_release(e);
  return rc;
}

void hs_library_entry_release(hs_library_entry *e) {
  if (!e) return;
  free(e->values);
  memset(e, 0, sizeof *e);
}

int hs_library_drug(const char *data_dir, const char *name_or_alias, const hs_patient *pt,
                    hs_drug *out, hs_error *err) {
  hs__catalog *c = NULL;
  hs__resolve rs;
  hs__libdrug ld;
  hs_scenario_drug sd;
  int i = -1;
  int rc = lib_open(data_dir, name_or_alias, &c, &rs, &i, err);
  if (rc) return rc;
  rc = hs__catalog_read(c, i, &rs, &ld, err);
  if (pt) rs.pt = *pt;
  if (!rc) rc = hs__drugdef_finish(&ld.def, &rs, &sd, ld.doc, hs__ydoc_root(ld.doc), "", err);
  if (!rc) *out = sd.drug;
  hs__catalog_free(c);
  return rc;
}
