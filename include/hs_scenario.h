/* hs_scenario.h - scenario files: YAML with comments, every quantity with its unit.
 *
 * hs_scenario_load reads a file once, converts every value to internal units, fills
 * defaults from the reference-adult physiology file and the drug library, and validates
 * the result. Errors name the file, line, column and key:
 *   "s1.yaml:14:3: 'tumor.perfusion': expected a flow per volume ..., got '12 mg'".
 * A loaded scenario is read-only data: many threads may run it at once. */
#ifndef HS_SCENARIO_H
#define HS_SCENARIO_H

#include "hs_body.h"
#include "hs_design.h"
#include "hs_error.h"
#include "hs_model.h"
#include "hs_regimen.h"
#include "hs_registry.h"
#include "hs_units.h"

#include <stddef.h>
#include <stdint.h>

#define HS_NAME_LEN 64

/* A drug's known systemic exposure target or toxicity threshold from the library, e.g.
 * 5-FU plasma AUC 20-30 mg*h/L per cycle. */
typedef struct hs_exposure_target {
  int present;
  char measure[32]; /* "auc_plasma" (mg*h/L) or "cmax_plasma" (mg/L) */
  double low, high; /* window in internal units; high may be INFINITY (threshold only) */
  char per[16];     /* "cycle" (per dosing cycle) or "run" (whole simulation) */
  double cycle_h;   /* length of a cycle, h, when per = "cycle" (0: from the regimen) */
  char source[256];
} hs_exposure_target;

/* A drug parameter written per m2 of BSA or per kg of body weight ("20 L/h/m2", "0.26 L/kg"),
 * kept so that it can be resolved again when a sweep changes the patient's size. */
#define HS_MAX_SCALED 12
typedef struct hs_scaled {
  size_t offset;   /* of the double in hs_drug it resolves to */
  hs_norm norm;    /* HS_NORM_BSA or HS_NORM_WEIGHT */
  double per_unit; /* internal units, blood basis, per m2 or per kg */
  double q_l_eff;  /* > 0: an organ hepatic clearance CL_H, stored as the intrinsic clearance
                      Q CL_H / (Q - CL_H) at this effective liver blood flow Q, L/h */
} hs_scaled;

/* A drug's doses read from a CSV of NONMEM-style records (`records:`), grouped by ID
 * (README, Dosing records). Read-only once loaded. */
typedef struct hs_dose_records {
  int n_ids;
  char *ids;           /* n_ids ids of HS_DESIGN_ID_LEN bytes, in order of first appearance */
  int *first, *count;  /* id k: spec[first[k] .. first[k] + count[k]) */
  hs_dose_spec *spec;  /* every dose, grouped by id */
  int max_count;       /* most specs of one id */
  int max_events;      /* most dose events of one id (hs_regimen_count) */
  int *of_run;         /* with a patient table: id index of each run (n_runs), else NULL */
  uint64_t hash;       /* FNV-1a of the file (provenance) */
} hs_dose_records;

typedef struct hs_scenario_drug {
  char name[HS_NAME_LEN]; /* as reported (key of the drug in the scenario) */
  char source[HS_NAME_LEN]; /* library entry it started from, "" if defined inline */
  hs_drug drug;           /* internal units, blood basis */
  hs_dose_spec *regimen;  /* owned; from `records:` the doses of one id (see below) */
  int n_regimen;
  hs_dose_records *records; /* owned; NULL unless the doses come from `records:`. With a
                               patient table the regimen is that of the first row's id and
                               each run takes its own (hs_scenario_use_records) */
  int line;               /* line of the drug's entry, for messages */
  /* a metabolite (or bound species) formed from another drug of the scenario; it has no
   * regimen of its own. parent = -1 for a dosed drug. */
  int parent;             /* index in hs_scenario.drugs of the parent, or -1 */
  hs_form_route route;    /* which elimination of the parent forms it */
  double yield;           /* mg formed per mg of parent eliminated by that route
                             (molar fraction * MW_metabolite / MW_parent) */
  double mw;              /* molecular weight, g/mol (0: not given) */
  hs_exposure_target target; /* known systemic target or toxicity window (present = 0: none) */
  hs_scaled scaled[HS_MAX_SCALED]; /* parameters resolved from per-m2 / per-kg values */
  int n_scaled;
} hs_scenario_drug;

/* The most runs a sweep may have (`sweep.runs`, or the points of a grid), refused at load.
 * A sweep file holds at least 265 bytes a run before any metric (the run scale's 8, written
 * whole when the file is created, status 1, the fixed-length reason 256): 265 GB at 10^9
 * runs, plus 8 bytes a run per metric and drug, and 10^9 runs at the measured 5756 runs/s
 * on two cores take two days. 1000 times the benchmark's 10^6-run LHS. */
#define HS_SWEEP_MAX_RUNS 1000000000LL

/* The optional `sweep:` section: a design over scenario paths (params[i].path), values
 * already converted to internal units. */
typedef struct hs_sweep_spec {
  int present;
  hs_design design;
  int ts_float32; /* time courses stored as float32 (default) or float64 */
  int chunk_runs; /* runs per chunk of work and of HDF5 storage */
  char text[512]; /* one-line description of the design, for provenance */
} hs_sweep_spec;

typedef struct hs_scenario {
  char *path;        /* owned copy of the file name */
  char *text;        /* owned copy of the file text (provenance for outputs) */
  char description[256];
  hs_patient patient;
  hs_physiology phys;
  hs_body_size body; /* `patient.scaling: body_size`: which of Q_CO, Q_H, V_L follow the BSA */
  hs_scenario_drug *drugs; /* owned */
  int n_drugs;
  hs_embolization *embo;   /* owned */
  int n_embo;
  hs_filter *filter;       /* owned: percutaneous hepatic perfusion (`hepatic_filtration:`) */
  int n_filter;
  hs_sim_opts sim;
  int iv_comparator; /* 1: also run every dose given IV and report regional advantage */
  hs_sweep_spec sweep;
} hs_scenario;

/* Directory of the drug library and physiology defaults: $HEPATOSIM_DATA if set, else the
 * directory compiled in (the source tree's model/data). */
const char *hs_scenario_data_dir(void);

/* Load and validate path. data_dir NULL means hs_scenario_data_dir(). On failure the
 * scenario is left empty (nothing to release) and err names file:line:col and key. */
int hs_scenario_load(hs_scenario *sc, const char *path, const char *data_dir, hs_error *err);

/* Same from text in memory; name is used in messages. */
int hs_scenario_load_text(hs_scenario *sc, const char *name, const char *text,
                          const char *data_dir, hs_error *err);

/* A numeric quantity of a loaded scenario addressed by its path, as sweeps write it:
 * "patient.arterial_fraction", "tumor.perfusion", "drugs.<name>.hepatic_vmax",
 * "drugs.<name>.regimen[0].duration", "embolization[0].flow_reduction", ... */
typedef struct hs_scenario_slot {
  double *value;    /* the stored quantity inside one scenario (or its clone) */
  hs_kind kind;     /* what a written value must be (units are converted to internal) */
  hs_norm norm;     /* doses and rates: the normalisation the value carries */
  int one_minus;    /* flow_reduction is stored as m_min = 1 - value */
  int affects_bsa;  /* weight and height: BSA is recomputed unless given */
  const char *unit; /* internal unit, for output attributes ("L/h", "1", ...) */
  int range;        /* hs_range a written value must lie in (hs_registry.h) */
} hs_scenario_slot;

/* Resolve path in sc. HS_EINPUT with a did-you-mean for unknown paths, and a message for
 * quantities that cannot be swept (e.g. hepatic_vmax of a drug with linear elimination). */
int hs_scenario_slot_find(hs_scenario *sc, const char *path, hs_scenario_slot *slot,
                          hs_error *err);

/* Read the current value (in the units a written value has). */
double hs_scenario_slot_get(const hs_scenario_slot *slot);

/* Write v (internal units) and update what depends on it: BSA from weight and height, every
 * drug parameter written per m2 or per kg (hs_scaled), and the cardiac output, hepatic flow
 * and liver volume that follow the BSA (hs_body_size). A drug parameter or one of those
 * three written by a sweep is absolute from then on. No validation: the run validates flows
 * and regimens. */
void hs_scenario_slot_set(hs_scenario *sc, const hs_scenario_slot *slot, double v);

/* Give dst (a clone of src) the doses of run `run`'s id for every drug whose records src
 * holds with a patient table; nothing for other drugs. dst's regimens have room for them
 * (hs_scenario_clone). Pure; no allocation. */
void hs_scenario_use_records(hs_scenario *dst, const hs_scenario *src, int64_t run);

/* Deep copy (drugs, regimens, embolisation events; text and path shared as copies). The
 * copy holds no records (records = NULL): hs_scenario_use_records reads src's. */
int hs_scenario_clone(hs_scenario *dst, const hs_scenario *src, hs_error *err);

/* Release what a loaded scenario owns; accepts a zeroed scenario. */
void hs_scenario_release(hs_scenario *sc);

#endif
