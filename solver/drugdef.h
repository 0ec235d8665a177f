/* drugdef.h - private: reading drug definitions (library files and scenario entries)
 * into hs_drug, with per-value basis and layered overrides. */
#ifndef HS_DRUGDEF_H
#define HS_DRUGDEF_H

#include "hs_model.h"
#include "yamldoc.h"

/* Keys of a drug definition, in field-table order. */
enum {
  HS_DK_LIBRARY, HS_DK_BP, HS_DK_KP_G, HS_DK_KP_L, HS_DK_KP_T, HS_DK_KP_R,
  HS_DK_H_CL, HS_DK_H_VMAX, HS_DK_H_KM, HS_DK_X_CL, HS_DK_X_VMAX, HS_DK_X_KM,
  HS_DK_CL_R, HS_DK_CL_T, HS_DK_K_REL, HS_DK_REGIMEN, HS_DK_NAME, HS_DK_ALIASES,
  HS_DK_DESCRIPTION, HS_DK_N
};

/* A drug definition being assembled: values in internal units, with per-key flags. */
typedef struct hs__drugdef {
  char library[64];
  char name[64];
  double v[HS_DK_N];          /* numeric values indexed by HS_DK_* */
  hs__fieldinfo info[HS_DK_N]; /* set / line / plasma basis */
} hs__drugdef;

/* Read a drug mapping. library_file: 1 for a library entry (sources required, no
 * regimen), 0 for a scenario entry. */
int hs__drugdef_read(const hs__ydoc *d, hs__ynode map, const char *path, int library_file,
                     hs__drugdef *def, hs_error *err);

/* Apply layer `top` over `base` (a route given in top replaces the route in base). */
int hs__drugdef_overlay(hs__drugdef *base, const hs__drugdef *top, const hs__ydoc *d,
                        hs__ynode where, const char *path, hs_error *err);

/* Resolve to an hs_drug (blood basis: plasma clearances / BP, plasma Km * BP).
 * complete: require hepatic elimination and renal clearance to be given. */
int hs__drugdef_finish(const hs__drugdef *def, hs_drug *out, const hs__ydoc *d,
                       hs__ynode where, const char *path, hs_error *err);

/* Find a library entry by name or alias (case-insensitive) in data_dir/drugs and read
 * it. Unknown names are refused with a did-you-mean, at node `where`. */
int hs__library_load(const char *data_dir, const char *name, hs__drugdef *def,
                     const hs__ydoc *d, hs__ynode where, const char *path, hs_error *err);

/* Read a whole file into a NUL-terminated malloc'd string. */
char *hs__read_file(const char *path, hs_error *err);

#endif
