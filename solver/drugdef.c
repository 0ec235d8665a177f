/* drugdef.c - drug definitions: the field table shared by library files and scenarios,
 * layering (library entry, then scenario overrides), basis conversion, library lookup. */
#include "drugdef.h"

#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(k) (offsetof(hs__drugdef, v) + sizeof(double) * (k))
#define Q(key, idx, kind, range) {key, HS_F_QTY, kind, V(idx), range, NULL, 0}

static const hs__field DRUG_FIELDS[HS_DK_N] = {
    [HS_DK_LIBRARY] = {"library", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs__drugdef, library),
                       HS_R_ANY, NULL, 64},
    [HS_DK_BP] = Q("blood_plasma_ratio", HS_DK_BP, HS_KIND_NUMBER, HS_R_POS),
    [HS_DK_KP_G] = Q("kp_gut", HS_DK_KP_G, HS_KIND_NUMBER, HS_R_POS),
    [HS_DK_KP_L] = Q("kp_liver", HS_DK_KP_L, HS_KIND_NUMBER, HS_R_POS),
    [HS_DK_KP_T] = Q("kp_tumor", HS_DK_KP_T, HS_KIND_NUMBER, HS_R_POS),
    [HS_DK_KP_R] = Q("kp_rest", HS_DK_KP_R, HS_KIND_NUMBER, HS_R_POS),
    [HS_DK_H_CL] = Q("hepatic_clint", HS_DK_H_CL, HS_KIND_FLOW, HS_R_NONNEG),
    [HS_DK_H_VMAX] = Q("hepatic_vmax", HS_DK_H_VMAX, HS_KIND_MASS_RATE, HS_R_NONNEG),
    [HS_DK_H_KM] = Q("hepatic_km", HS_DK_H_KM, HS_KIND_CONC, HS_R_POS),
    [HS_DK_X_CL] = Q("extrahepatic_cl", HS_DK_X_CL, HS_KIND_FLOW, HS_R_NONNEG),
    [HS_DK_X_VMAX] = Q("extrahepatic_vmax", HS_DK_X_VMAX, HS_KIND_MASS_RATE, HS_R_NONNEG),
    [HS_DK_X_KM] = Q("extrahepatic_km", HS_DK_X_KM, HS_KIND_CONC, HS_R_POS),
    [HS_DK_CL_R] = Q("renal_clearance", HS_DK_CL_R, HS_KIND_FLOW, HS_R_NONNEG),
    [HS_DK_CL_T] = Q("tumor_clearance", HS_DK_CL_T, HS_KIND_FLOW, HS_R_NONNEG),
    [HS_DK_K_REL] = Q("depot_release", HS_DK_K_REL, HS_KIND_PER_TIME, HS_R_NONNEG),
    [HS_DK_REGIMEN] = {"regimen", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    [HS_DK_NAME] = {"name", HS_F_TEXT, HS_KIND_NUMBER, offsetof(hs__drugdef, name), HS_R_ANY,
                    NULL, 64},
    [HS_DK_ALIASES] = {"aliases", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
    [HS_DK_DESCRIPTION] = {"description", HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0},
};
#undef Q
#undef V

int hs__drugdef_read(const hs__ydoc *d, hs__ynode map, const char *path, int library_file,
                     hs__drugdef *def, hs_error *err) {
  /* a library file may not carry a regimen or point at another entry; a scenario entry
   * has no name/aliases/description of its own */
  hs__field fields[HS_DK_N];
  int n = 0;
  for (int i = 0; i < HS_DK_N; i++) {
    int lib_only = i == HS_DK_NAME || i == HS_DK_ALIASES || i == HS_DK_DESCRIPTION;
    int scen_only = i == HS_DK_REGIMEN || i == HS_DK_LIBRARY;
    fields[n] = DRUG_FIELDS[i];
    if ((library_file && scen_only) || (!library_file && lib_only)) fields[n].key = "\x01";
    n++;
  }
  memset(def, 0, sizeof *def);
  return hs__ydoc_read(d, map, path, fields, n, def, def->info, library_file, err);
}

static int route_given(const hs__drugdef *x, int cl, int vmax, int km) {
  return x->info[cl].set || x->info[vmax].set || x->info[km].set;
}

/* A route written in top replaces the whole route of base. */
static void overlay_route(hs__drugdef *base, const hs__drugdef *top, int cl, int vmax, int km) {
  if (!route_given(top, cl, vmax, km)) return;
  int keys[3] = {cl, vmax, km};
  for (int i = 0; i < 3; i++) {
    base->v[keys[i]] = top->v[keys[i]];
    base->info[keys[i]] = top->info[keys[i]];
  }
}

int hs__drugdef_overlay(hs__drugdef *base, const hs__drugdef *top, const hs__ydoc *d,
                        hs__ynode where, const char *path, hs_error *err) {
  (void)d, (void)where, (void)path, (void)err;
  overlay_route(base, top, HS_DK_H_CL, HS_DK_H_VMAX, HS_DK_H_KM);
  overlay_route(base, top, HS_DK_X_CL, HS_DK_X_VMAX, HS_DK_X_KM);
  static const int plain[] = {HS_DK_BP,   HS_DK_KP_G, HS_DK_KP_L, HS_DK_KP_T,
                              HS_DK_KP_R, HS_DK_CL_R, HS_DK_CL_T, HS_DK_K_REL};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
    if (top->info[plain[i]].set) {
      base->v[plain[i]] = top->v[plain[i]];
      base->info[plain[i]] = top->info[plain[i]];
    }
  return HS_OK;
}

static double get(const hs__drugdef *x, int k, double dflt) {
  return x->info[k].set ? x->v[k] : dflt;
}

/* Blood-basis value: plasma clearances / BP; plasma Km * BP (C_B = BP C_P). */
static double blood(const hs__drugdef *x, int k, double bp, int is_km) {
  double v = x->v[k];
  if (!x->info[k].plasma) return v;
  return is_km ? v * bp : v / bp;
}

/* The node of `key` in mapping `where` when written there, else `where`. */
static hs__ynode at_key(const hs__ydoc *d, hs__ynode where, int key) {
  hs__ynode n = hs__ydoc_get(d, where, DRUG_FIELDS[key].key);
  return n ? n : where;
}

static int finish_route(const hs__drugdef *x, int cl, int vmax, int km, double bp,
                        hs_elimination *e, const hs__ydoc *d, hs__ynode where,
                        const char *path, hs_error *err) {
  const char *name = DRUG_FIELDS[cl].key;
  memset(e, 0, sizeof *e);
  if (x->info[cl].set && (x->info[vmax].set || x->info[km].set))
    return hs__ydoc_error(d, at_key(d, where, x->info[vmax].set ? vmax : km), path, err,
                          "give either %s or %s with %s, not both", name,
                          DRUG_FIELDS[vmax].key, DRUG_FIELDS[km].key);
  if (x->info[vmax].set != x->info[km].set)
    return hs__ydoc_error(d, at_key(d, where, x->info[vmax].set ? vmax : km), path, err,
                          "%s and %s must be given together", DRUG_FIELDS[vmax].key,
                          DRUG_FIELDS[km].key);
  if (x->info[vmax].set) {
    e->kind = HS_ELIM_MM;
    e->vmax = x->v[vmax];
    e->km = blood(x, km, bp, 1);
  } else {
    e->kind = HS_ELIM_LINEAR;
    e->cl = x->info[cl].set ? blood(x, cl, bp, 0) : 0.0;
  }
  return HS_OK;
}

int hs__drugdef_finish(const hs__drugdef *x, hs_drug *out, const hs__ydoc *d, hs__ynode where,
                       const char *path, hs_error *err) {
  if (!route_given(x, HS_DK_H_CL, HS_DK_H_VMAX, HS_DK_H_KM))
    return hs__ydoc_error(d, where, path, err,
                          "hepatic elimination is required: give hepatic_clint, or "
                          "hepatic_vmax with hepatic_km");
  if (!x->info[HS_DK_CL_R].set)
    return hs__ydoc_error(d, where, path, err, "renal_clearance is required (write '0 L/h' "
                                              "for none)");
  /* model.md defaults: BP 1, Kp 1, no extrahepatic, tumour or depot terms */
  out->bp = get(x, HS_DK_BP, 1.0);
  out->kp_g = get(x, HS_DK_KP_G, 1.0);
  out->kp_l = get(x, HS_DK_KP_L, 1.0);
  out->kp_t = get(x, HS_DK_KP_T, 1.0);
  out->kp_r = get(x, HS_DK_KP_R, 1.0);
  out->cl_r = x->info[HS_DK_CL_R].set ? blood(x, HS_DK_CL_R, out->bp, 0) : 0.0;
  out->cl_t = x->info[HS_DK_CL_T].set ? blood(x, HS_DK_CL_T, out->bp, 0) : 0.0;
  out->k_rel = get(x, HS_DK_K_REL, 0.0);
  int rc = finish_route(x, HS_DK_H_CL, HS_DK_H_VMAX, HS_DK_H_KM, out->bp, &out->hepatic, d,
                        where, path, err);
  if (rc) return rc;
  return finish_route(x, HS_DK_X_CL, HS_DK_X_VMAX, HS_DK_X_KM, out->bp, &out->extrahepatic, d,
                      where, path, err);
}

/* ---- the library on disk ------------------------------------------------------------ */

char *hs__read_file(const char *path, hs_error *err) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  if (!f) {
    hs_error_set(err, HS_EINPUT, "%s: cannot open file", path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0) goto fail;
  long n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) goto fail;
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) goto fail;
  buf[n] = '\0';
  if (strlen(buf) != (size_t)n) {
    hs_error_set(err, HS_EINPUT, "%s: not a text file (contains NUL bytes)", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  return buf;
fail:
  hs_error_set(err, HS_EINPUT, "%s: cannot read file (is it a directory?)", path);
  free(buf);
  fclose(f);
  return NULL;
}

/* Does library document `ld` answer to `name` (its name or one of its aliases)? */
static int entry_matches(const hs__ydoc *ld, const char *name, const char **names, int *n,
                         int cap) {
  hs__ynode root = hs__ydoc_root(ld);
  const char *own = hs__ydoc_scalar(ld, hs__ydoc_get(ld, root, "name"));
  int hit = own && !strcasecmp(own, name);
  if (own && *n < cap) names[(*n)++] = own;
  hs__ynode al = hs__ydoc_get(ld, root, "aliases");
  for (int i = 0; hs__ydoc_type(ld, al) == HS_Y_SEQ && i < hs__ydoc_len(ld, al); i++) {
    const char *a = hs__ydoc_scalar(ld, hs__ydoc_item(ld, al, i));
    if (a && !strcasecmp(a, name)) hit = 1;
    if (a && *n < cap) names[(*n)++] = a; /* aliases are suggested too */
  }
  return hit;
}

static int load_entry(const hs__ydoc *ld, hs__drugdef *def, hs_error *err) {
  return hs__drugdef_read(ld, hs__ydoc_root(ld), "", 1, def, err);
}

int hs__library_load(const char *data_dir, const char *name, hs__drugdef *def,
                     const hs__ydoc *d, hs__ynode where, const char *path, hs_error *err) {
  char dir[1024], file[1400];
  snprintf(dir, sizeof dir, "%s/drugs", data_dir);
  DIR *dp = opendir(dir);
  if (!dp) return hs_error_set(err, HS_EINPUT, "drug library not found: cannot open %s", dir);
  hs__ydoc *docs[128];
  const char *names[512];
  int nd = 0, nn = 0, rc = HS_EINPUT, found = 0;
  struct dirent *e;
  while (!found && nd < 128 && (e = readdir(dp))) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
    snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
    char *text = hs__read_file(file, err);
    if (!text) goto done;
    docs[nd] = hs__ydoc_parse(file, text, err);
    free(text);
    if (!docs[nd]) goto done;
    found = entry_matches(docs[nd], name, names, &nn, 512);
    if (found) rc = load_entry(docs[nd], def, err);
    nd++;
  }
  if (!found) {
    const char *best = hs__did_you_mean(name, names, nn);
    rc = hs__ydoc_error(d, where, path, err,
                        "unknown drug '%s'%s%s%s; to define a drug in the scenario, add "
                        "'library: none' and its parameters",
                        name, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
  }
done:
  for (int i = 0; i < nd; i++) hs__ydoc_free(docs[i]);
  closedir(dp);
  return rc;
}
