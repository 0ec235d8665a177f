/* hs_scenario.h - scenario files: YAML with comments, every quantity with its unit.
 *
 * hs_scenario_load reads a file once, converts every value to internal units, fills
 * defaults from the reference-adult physiology file and the drug library, and validates
 * the result. Errors name the file, line, column and key:
 *   "s1.yaml:14:3: 'tumor.perfusion': expected a flow per volume ..., got '12 mg'".
 * A loaded scenario is read-only data: many threads may run it at once. */
#ifndef HS_SCENARIO_H
#define HS_SCENARIO_H

#include "hs_error.h"
#include "hs_model.h"
#include "hs_regimen.h"

#define HS_NAME_LEN 64

typedef struct hs_scenario_drug {
  char name[HS_NAME_LEN]; /* as reported (key of the drug in the scenario) */
  char source[HS_NAME_LEN]; /* library entry it started from, "" if defined inline */
  hs_drug drug;           /* internal units, blood basis */
  hs_dose_spec *regimen;  /* owned */
  int n_regimen;
  int line;               /* line of the drug's entry, for messages */
} hs_scenario_drug;

typedef struct hs_scenario {
  char *path;        /* owned copy of the file name */
  char *text;        /* owned copy of the file text (provenance for outputs) */
  char description[256];
  hs_patient patient;
  hs_physiology phys;
  hs_scenario_drug *drugs; /* owned */
  int n_drugs;
  hs_embolization *embo;   /* owned */
  int n_embo;
  hs_sim_opts sim;
  int iv_comparator; /* 1: also run every dose given IV and report regional advantage */
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

/* Release what a loaded scenario owns; accepts a zeroed scenario. */
void hs_scenario_release(hs_scenario *sc);

#endif
