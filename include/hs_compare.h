/* hs_compare.h - comparing scenarios side by side (`hepatosim compare`).
 *
 * hs_compare_build turns one scenario's results into rows, one per drug: tumour, liver
 * and plasma exposure, the tumour/plasma AUC ratio, the regional advantage against the
 * IV comparator, the share eliminated by the liver, and the drug's systemic exposure
 * against its known target window (hs_exposure_target). Pure and thread-safe.
 * The writers (solver/output/compare_out.c) print the rows as a table or JSON, or write them to
 * CSV or HDF5 through a temporary file renamed when complete (as hs_output.h). */
#ifndef HS_COMPARE_H
#define HS_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "hs_error.h"
#include "hs_scenario.h"
#include "hs_simulate.h"

/* Where the drug's exposure lies against its target window. */
typedef enum hs_target_class {
  HS_TARGET_NONE = 0, /* no target known, or the exposure is not a number */
  HS_TARGET_BELOW,    /* exposure < low */
  HS_TARGET_IN,       /* low <= exposure <= high */
  HS_TARGET_ABOVE     /* exposure > high */
} hs_target_class;

/* "below", "in", "above", or "" for HS_TARGET_NONE. */
const char *hs_target_class_name(hs_target_class c);

typedef struct hs_compare_row {
  char scenario[HS_NAME_LEN]; /* file stem: "s2" for scenarios/reference/s2.yaml */
  char drug[HS_NAME_LEN];
  char parent[HS_NAME_LEN];   /* parent's name for a metabolite, "" for a dosed drug */
  double auc_tumor, cmax_tumor, auc_liver, auc_plasma, cmax_plasma; /* mg*h/L, mg/L */
  double tumor_plasma_ratio;  /* auc_tumor / auc_plasma */
  double regional_advantage;  /* NaN without an IV comparator (has_iv = 0) */
  double auc_tumor_iv, auc_plasma_iv; /* the IV comparator's own AUCs, NaN without one */
  int has_iv;
  double fraction_eliminated_liver; /* 0..1 */
  /* exposure against the target (target.present = 0: all NaN / "" / NONE) */
  hs_exposure_target target;
  double exposure;            /* target.measure per target.per, in the measure's unit */
  double n_cycles;            /* the divisor applied to a per-cycle AUC (1 per run) */
  hs_target_class target_class;
} hs_compare_row;

/* The systemic exposure of drug d (metrics m) that its target t is written against:
 * for measure "auc_plasma" per "cycle", AUC over the run / n with n = t_end / cycle_h when
 * t->cycle_h > 0, else the largest `cycles` of the drug's regimen entries (a metabolite
 * without a regimen: its parent's), at least 1; per "run", n = 1. For "cmax_plasma"
 * the run's peak (n = 1): the highest peak of any cycle. parent_spec: the parent's regimen
 * for a metabolite, else NULL. Returns HS_OK, or HS_EINPUT for an unknown measure or per
 * (message names the drug). */
int hs_compare_exposure(const hs_exposure_target *t, const hs_metrics *m,
                        const hs_scenario_drug *d, const hs_scenario_drug *parent,
                        double t_end_h, double *exposure, double *n_cycles, hs_error *err);

/* Where v lies against [low, high] (high may be INFINITY: a threshold only). */
hs_target_class hs_compare_classify(double v, double low, double high);

/* The file stem of path (no directory, no last extension) into out (cap bytes). */
void hs_compare_stem(const char *path, char *out, size_t cap);

/* Rows for every drug of sc and its results res (same order), rows[0..res->n); the
 * scenario column is the stem of sc->path. Returns HS_OK or HS_EINPUT (see
 * hs_compare_exposure; message names the scenario and the drug). */
int hs_compare_build(const hs_scenario *sc, const hs_results *res, hs_compare_row *rows,
                     hs_error *err);

/* The drug label of a table: "SN-38 (from irinotecan)" for a metabolite, else its name. */
void hs_compare_label(const hs_compare_row *r, char *out, size_t cap);

/* "24.1 in 20-30 /cycle", "41 > 30 (above) /cycle", "12 < 20 (below) /run",
 * "35 in >=20 /run" (threshold only), prefixed "Cmax " for a Cmax target; "-" without a
 * target. Numbers with 4 significant digits. */
void hs_compare_target_text(const hs_compare_row *r, char *out, size_t cap);

/* ---- writers (solver/output/compare_out.c) ------------------------------------------------- */

/* The table: two header lines (names, units), one line per row (followed, for a row with
 * an IV comparator, by a line "<drug> IV" with the comparator's tumour and plasma AUC and
 * their ratio), then footnotes (the abbreviations, "n/a" when a row has no IV comparator,
 * the exposure rule). The
 * "exposure vs target" column only when some row has a target. */
void hs_compare_table(FILE *f, const hs_compare_row *rows, int n);

/* {"rows": [{"scenario": ..., "drug": ..., "auc_tumor": ..., ...}, ...]}; non-finite
 * numbers as null, as `run --json`. */
void hs_compare_json(FILE *f, const hs_compare_row *rows, int n);

/* CSV with units in the column names (auc_tumor_mg_h_per_L, ...), missing values as
 * `nan` like `run --csv`. Returns as hs_output_csv (HS_EEXIST without force). */
int hs_compare_write_csv(const char *path, int force, const hs_compare_row *rows, int n,
                         hs_error *err);

/* HDF5: one 1-D dataset per column along the dimension scale /row, each with `units` and
 * `long_name`; root attributes scenario_files (the n_files paths) and program_version.
 * Returns as hs_output_h5. */
int hs_compare_write_h5(const char *path, int force, const hs_compare_row *rows, int n,
                        const char *const *files, int n_files, hs_error *err);

#endif
