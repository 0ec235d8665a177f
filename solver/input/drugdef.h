/* drugdef.h - private: reading drug definitions (library files and scenario entries)
 * into hs_drug, with per-value basis, per-m2 / per-kg values and layered overrides; the
 * library directory as a catalog of parsed files. */
#ifndef HS_DRUGDEF_H
#define HS_DRUGDEF_H

#include "hs_library.h"
#include "hs_model.h"
#include "hs_scenario.h"
#include "yamldoc.h"

/* Keys of a drug definition, in field-table order. */
enum {
  HS_DK_LIBRARY, HS_DK_BP, HS_DK_FU, HS_DK_MW, HS_DK_KP_G, HS_DK_KP_L, HS_DK_KP_T, HS_DK_KP_R,
  HS_DK_H_CL, HS_DK_H_CLH, HS_DK_H_VMAX, HS_DK_H_KM, HS_DK_X_CL, HS_DK_X_VMAX, HS_DK_X_KM,
  HS_DK_CL_R, HS_DK_CL_T, HS_DK_K_REL, HS_DK_K_REL_BEADS, HS_DK_CL_BIND, HS_DK_Q_S, HS_DK_V_S,
  HS_DK_KB_L, HS_DK_KB_T, HS_DK_KU_L, HS_DK_KU_T, HS_DK_PS_L, HS_DK_REGIMEN,
  HS_DK_RECORDS, HS_DK_RECORDS_ID,
  HS_DK_NAME, HS_DK_ALIASES, HS_DK_DESCRIPTION, HS_DK_METABOLITES, HS_DK_TARGET, HS_DK_REF_PK,
  HS_DK_N
};

/* A drug definition being assembled: values in internal units as written (basis and
 * normalisation in info), with per-key flags. */
typedef struct hs__drugdef {
  char library[64];
  char name[64];
  double v[HS_DK_N];           /* numeric values indexed by HS_DK_* */
  hs__fieldinfo info[HS_DK_N]; /* set / line / basis / norm */
  hs_exposure_target target;   /* `exposure_target:` (present = 0: not given) */
} hs__drugdef;

/* What per-m2 / per-kg values and hepatic_clearance resolve against: the patient's size
 * and the reference adult's effective liver blood flow Q_L' (model.md). */
typedef struct hs__resolve {
  hs_patient pt;
  double q_l_eff; /* L/h */
} hs__resolve;

/* Key name of HS_DK_* k ("hepatic_clint"). */
const char *hs__drugdef_key(int k);

/* Read a drug mapping. library_file: 1 for a library entry (sources required, no
 * regimen), 0 for a scenario entry. */
int hs__drugdef_read(const hs__ydoc *d, hs__ynode map, const char *path, int library_file,
                     hs__drugdef *def, hs_error *err);

/* Apply layer `top` over `base` (a route given in top replaces the route in base). */
void hs__drugdef_overlay(hs__drugdef *base, const hs__drugdef *top);

/* Resolve to out->drug (blood basis: unbound -> plasma with fu_plasma, plasma -> blood with
 * BP; per m2 / per kg with rs->pt; hepatic_clearance to CL_int at rs->q_l_eff), and fill
 * out->scaled, out->mw and out->target. Errors at node `where` of d. */
int hs__drugdef_finish(const hs__drugdef *def, const hs__resolve *rs, hs_scenario_drug *out,
                       const hs__ydoc *d, hs__ynode where, const char *path, hs_error *err);

/* The value a per-m2 / per-kg parameter takes for patient pt. */
double hs__scaled_value(const hs_scaled *s, const hs_patient *pt);

/* `exposure_target:` mapping at node n into t (need_source: library files). */
int hs__target_read(const hs__ydoc *d, hs__ynode n, const char *path, int need_source,
                    hs_exposure_target *t, hs_error *err);

/* The reference adult of data_dir/physiology.yaml: size, physiology and Q_L'
 * (physiology.c). */
int hs__reference_adult(const char *data_dir, hs__resolve *rs, hs_physiology *ph,
                        hs_error *err);

/* Q_L' = Q_L + f_TD Q_T of physiology ph, L/h. */
int hs__q_l_eff(const hs_physiology *ph, double *q, hs_error *err);

/* ---- the library directory (library.c) ------------------------------------------------ */

typedef struct hs__catalog hs__catalog;

/* A library entry read and validated for the reference adult. */
typedef struct hs__libdrug {
  const hs__ydoc *doc; /* owned by the catalog */
  hs__drugdef def;
  hs_library_metabolite met[HS_LIB_MAX_METABOLITES];
  int n_met;
} hs__libdrug;

/* Parse every *.yaml file of data_dir/drugs (YAML syntax only). */
int hs__catalog_open(const char *data_dir, hs__catalog **out, hs_error *err);
void hs__catalog_free(hs__catalog *c);

/* Index of the entry answering to name (its name or an alias, case-insensitively), or -1;
 * *best: the closest name or alias when none answers (NULL if none is close). */
int hs__catalog_find(const hs__catalog *c, const char *name, const char **best);

/* Read entry i and validate it (metabolites exist and have molecular weights; the entry
 * resolves for reference rs). */
int hs__catalog_read(const hs__catalog *c, int i, const hs__resolve *rs, hs__libdrug *out,
                     hs_error *err);

#endif
