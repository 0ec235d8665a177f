/* hs_library.h - the drug library: one YAML file per drug under <data_dir>/drugs.
 *
 * Every value of a library file is written {value: "<number> <unit>", source: ...,
 * confidence: high|medium|low|derived, basis: plasma|blood|unbound, note: ...}. The code,
 * not the file, converts: per m2 / per kg values with the patient's BSA / weight, plasma
 * quantities to blood with the blood:plasma ratio, unbound quantities to plasma with
 * fu_plasma, an organ hepatic clearance to an intrinsic clearance at the reference adult's
 * liver flow. A file is looked up by its name or an alias, case-insensitively.
 *
 * Read-only data once loaded; thread-safe (no global state). */
#ifndef HS_LIBRARY_H
#define HS_LIBRARY_H

#include "hs_error.h"
#include "hs_model.h"
#include "hs_regimen.h"
#include "hs_scenario.h"

#define HS_LIB_MAX_DRUGS 128
#define HS_LIB_MAX_ALIASES 8
#define HS_LIB_MAX_METABOLITES 4

/* One value as written in the file, for `hepatosim drugs show`. */
typedef struct hs_library_value {
  char key[48];        /* "hepatic_clint", "reference_pk.clearance", ... */
  char text[64];       /* as written: "32.1 L/h/m2" */
  char source[512];
  char confidence[16]; /* high | medium | low | derived */
  char basis[16];      /* plasma | blood | unbound, or "" (dimensionless / not applicable) */
  char note[256];
} hs_library_value;

/* A literature value with its cited range, internal units after conversion for the
 * reference adult (model/data/physiology.yaml). */
typedef struct hs_pk_range {
  int present;
  double value, low, high;
  char text[128];      /* as written, e.g. "32.1 L/h/m2 (27.9-36.3)" */
  char source[512];
  char confidence[16];
} hs_pk_range;

/* The drug's own systemic pharmacokinetics after its usual IV dose (`reference_pk:`),
 * which the drug must reproduce (checked by `make test`). Plasma basis. */
typedef struct hs_library_pk {
  int present;
  double dose_mg;       /* usual IV dose for the reference adult, mg */
  double infusion_h;    /* infusion duration, h (0: bolus) */
  double follow_h;      /* simulated time after the start of the dose, h */
  double terminal_from_h, terminal_to_h; /* window of the log-linear terminal fit, h */
  hs_pk_range clearance; /* plasma clearance, L/h */
  hs_pk_range half_life; /* terminal half-life, h */
  hs_pk_range vss;       /* volume of distribution at steady state (plasma), L */
} hs_library_pk;

/* A metabolite (or bound species) a library drug forms. */
typedef struct hs_library_metabolite {
  char name[64];        /* library name of the metabolite's own entry */
  hs_form_route route;  /* elimination route of the parent that forms it */
  double fraction;      /* molar share of that route's elimination forming it, [0, 1] */
} hs_library_metabolite;

typedef struct hs_library_entry {
  char name[64];
  char file[1024];
  char description[256];
  char aliases[HS_LIB_MAX_ALIASES][64];
  int n_aliases;
  double mw;                 /* molecular weight, g/mol (0: not given) */
  hs_library_value *values;  /* owned: every value in file order */
  int n_values;
  hs_library_pk pk;
  hs_exposure_target target;
  hs_library_metabolite metabolites[HS_LIB_MAX_METABOLITES];
  int n_metabolites;
} hs_library_entry;

/* Names of every library entry, sorted; returns the count (<= cap) or a negative error
 * code with err set (unreadable directory, a file that does not parse or is invalid). */
int hs_library_names(const char *data_dir, char (*names)[64], int cap, hs_error *err);

/* Load the entry answering to name_or_alias. Unknown names: HS_EINPUT with a
 * did-you-mean. The entry owns memory: release it. */
int hs_library_get(const char *data_dir, const char *name_or_alias, hs_library_entry *e,
                   hs_error *err);
void hs_library_entry_release(hs_library_entry *e);

/* The entry's model parameters (internal units, blood basis) for patient pt (its BSA and
 * weight resolve per-m2 and per-kg values). pt NULL: the reference adult. data_dir NULL (in
 * every function here): hs_scenario_data_dir(). */
int hs_library_drug(const char *data_dir, const char *name_or_alias, const hs_patient *pt,
                    hs_drug *out, hs_error *err);

#endif
