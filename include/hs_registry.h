/* hs_registry.h - every numeric scenario quantity, declared once: its section and key (and
 * so its path), physical dimension (and so its accepted units), internal unit, allowed
 * range, default, whether a sweep may write it, and where it lands in the model.
 *
 * The scenario and drug parsers take key, kind, range, default and (patient, tumour, drug
 * parameters) landing from here; the sweep paths take key, kind, unit, range, landing and
 * conditions, and their did-you-mean lists; `hepatosim paths` prints every sweepable path
 * (`--all`: every quantity with its default); the README's list of sweep paths is checked
 * against it by a test. The table is read-only data: thread-safe. */
#ifndef HS_REGISTRY_H
#define HS_REGISTRY_H

#include <stddef.h>

#include "hs_units.h"

/* Allowed range of a value, optionally or'ed with HS_R_SCALED: per m2 / per kg forms are
 * accepted in scenario and library files ("20 L/h/m2"). */
typedef enum hs_range {
  HS_R_ANY, HS_R_POS, HS_R_NONNEG, HS_R_FRAC, HS_R_SCALED = 16
} hs_range;

/* The section a quantity belongs to, and the struct its landing is an offset in; in the
 * order sweep messages list them. */
typedef enum hs_scope {
  HS_SCOPE_PATIENT,       /* patient.                    hs_scenario */
  HS_SCOPE_TUMOR,         /* tumor.                      hs_scenario */
  HS_SCOPE_DRUG,          /* drugs.<name>.               hs_drug */
  HS_SCOPE_DOSE,          /* drugs.<name>.regimen[<i>].  hs_dose_spec */
  HS_SCOPE_EMBO,          /* embolization[<i>].          hs_embolization */
  HS_SCOPE_CATHETER,      /* catheter.                   hs_scenario */
  HS_SCOPE_MISPERFUSION,  /* misperfusion.               hs_scenario */
  HS_SCOPE_LIVER_DISEASE, /* liver_disease.              hs_scenario */
  HS_SCOPE_PVT,           /* portal_vein_thrombosis.     hs_scenario */
  HS_SCOPE_HAO,           /* hepatic_artery_occlusion.   (not swept) */
  HS_SCOPE_SIMULATION,    /* simulation.                 (not swept) */
  HS_SCOPE_PROFILE,       /* drugs.<name>.regimen[<i>].profile.  (not swept) */
  HS_SCOPE_FILTER,        /* hepatic_filtration[<i>].    (not swept) */
  HS_SCOPE_N
} hs_scope;

/* What a sweep may do with a quantity, and what writing it entails. */
enum {
  HS_P_SWEEP = 1,            /* a sweep may write it (at `offset` in its scope's struct) */
  HS_P_BSA = 2,              /* weight, height: BSA is recomputed unless given */
  HS_P_ONE_MINUS = 4,        /* stored as 1 - value (flow_reduction as m_min) */
  HS_P_LINEAR = 8,           /* only for a route with linear elimination */
  HS_P_MM = 16,              /* only for a route with saturable elimination */
  HS_P_BOLUS = 32,           /* only for a regimen entry given as a 'dose' */
  HS_P_RATE = 64,            /* only for a regimen entry given as a 'rate' */
  HS_P_NEED_PS = 128,        /* only with a permeability-limited tumour */
  HS_P_NEED_CATHETER = 256,  /* only in a scenario with a 'catheter:' section */
  HS_P_NEED_GASTRIC = 512,   /* only in a scenario with a 'misperfusion:' section */
  HS_P_LANDS = 1024,         /* `offset` is valid though the quantity is not swept */
  HS_P_NEED_CARRIER = 2048   /* only for an embolisation event with a carrier (cTACE emulsion,
                                drug-eluting beads) */
};

typedef struct hs_reg_entry {
  hs_scope scope;
  const char *key;   /* within its section: "perfusion", "hepatic_clint" */
  hs_kind kind;      /* dimension: what units a written value may carry */
  const char *unit;  /* internal unit ("L/h", "1" for dimensionless) */
  int range;         /* hs_range, or'ed with HS_R_SCALED */
  int flags;         /* HS_P_* */
  size_t offset;     /* landing (HS_P_SWEEP or HS_P_LANDS): the double in the scope's struct */
  const char *what;  /* one line: what it is */
  double dflt;       /* default in internal units when the scenario omits it; NAN: none
                        written here (required, or from a data file or other quantities) */
  const char *dflt_from; /* the default's source or where it comes from; NULL: none (required,
                            or optional and then absent) */
} hs_reg_entry;

/* Index of every quantity in hs_registry. */
typedef enum hs_reg_id {
  HS_REG_PATIENT_WEIGHT, HS_REG_PATIENT_HEIGHT, HS_REG_PATIENT_BSA,
  HS_REG_PATIENT_QCO, HS_REG_PATIENT_QH, HS_REG_PATIENT_FHA, HS_REG_PATIENT_VB,
  HS_REG_PATIENT_VG, HS_REG_PATIENT_VL, HS_REG_PATIENT_VR, HS_REG_PATIENT_FVL,
  HS_REG_TUMOR_VOLUME, HS_REG_TUMOR_PERFUSION, HS_REG_TUMOR_FTA, HS_REG_TUMOR_FTD,
  HS_REG_TUMOR_NEC, HS_REG_TUMOR_PS, HS_REG_TUMOR_FVAS,
  HS_REG_CATHETER_LIVER, HS_REG_CATHETER_TUMOR,
  HS_REG_MIS_SHARE, HS_REG_MIS_PHI,
  HS_REG_LD_CO, HS_REG_LD_PV, HS_REG_LD_HA, HS_REG_LD_VL, HS_REG_LD_SH,
  HS_REG_LD_LOSS,
  HS_REG_PVT_OBSTRUCTION, HS_REG_PVT_HABR,
  HS_REG_HAO_ONSET,
  HS_REG_SIM_END, HS_REG_SIM_DT, HS_REG_SIM_RTOL, HS_REG_SIM_ATOL, HS_REG_SIM_CLOCK,
  HS_REG_DRUG_BP, HS_REG_DRUG_FU, HS_REG_DRUG_MW, HS_REG_DRUG_KP_G,
  HS_REG_DRUG_KP_L, HS_REG_DRUG_KP_T, HS_REG_DRUG_KP_R, HS_REG_DRUG_H_CL,
  HS_REG_DRUG_H_CLH, HS_REG_DRUG_H_VMAX, HS_REG_DRUG_H_KM, HS_REG_DRUG_X_CL,
  HS_REG_DRUG_X_VMAX, HS_REG_DRUG_X_KM, HS_REG_DRUG_CL_R, HS_REG_DRUG_CL_T,
  HS_REG_DRUG_K_REL, HS_REG_DRUG_K_REL_BEADS, HS_REG_DRUG_CL_BIND, HS_REG_DRUG_Q_S, HS_REG_DRUG_V_S,
  HS_REG_DRUG_KB_L, HS_REG_DRUG_KB_T, HS_REG_DRUG_KU_L, HS_REG_DRUG_KU_T, HS_REG_DRUG_PS_L,
  HS_REG_DOSE_DOSE, HS_REG_DOSE_RATE, HS_REG_DOSE_START, HS_REG_DOSE_DURATION,
  HS_REG_DOSE_EVERY,
  HS_REG_PROFILE_PEAK, HS_REG_PROFILE_AMPLITUDE,
  HS_REG_EMBO_ONSET, HS_REG_EMBO_REDUCTION, HS_REG_EMBO_THALF, HS_REG_EMBO_RECAN,
  HS_REG_EMBO_EVERY, HS_REG_EMBO_DEPOT, HS_REG_EMBO_IMMEDIATE, HS_REG_EMBO_LIVER_REDUCTION,
  HS_REG_EMBO_STASIS, HS_REG_EMBO_STASIS_EXCH,
  HS_REG_FILTER_START, HS_REG_FILTER_DURATION, HS_REG_FILTER_EFFICIENCY,
  HS_REG_N
} hs_reg_id;

/* The registry, indexed by hs_reg_id. */
extern const hs_reg_entry hs_registry[HS_REG_N];

/* The default of quantity id in internal units (NAN where none is written in the table). */
#define HS_REG_DEFAULT(id) (hs_registry[id].dflt)

/* Path prefix of a scope as written in sweeps: "patient.", "drugs.<name>.regimen[<i>].". */
const char *hs_scope_prefix(hs_scope s);

/* The quantity `key` of scope s; with sweepable, only one a sweep may write. NULL if none. */
const hs_reg_entry *hs_reg_find(hs_scope s, const char *key, int sweepable);

/* The range as text: "> 0", ">= 0", "0 to 1", "any". */
const char *hs_range_text(int range);

/* Is v (internal units) inside range? */
int hs_range_ok(int range, double v);

/* The path of p as written in sweeps ("drugs.<name>.hepatic_clint") into buf. */
void hs_reg_path(const hs_reg_entry *p, char *buf, size_t n);

/* p's default as text into buf: "0.255 (Lautt ...)", "1e-10 mg (...)", where it comes from
 * ("model/data/physiology.yaml"), or "none". */
void hs_reg_default_text(const hs_reg_entry *p, char *buf, size_t n);

/* One line of `hepatosim paths` for p into buf (size n, always terminated): path, unit,
 * range and description in aligned columns. Returns the length it needed. */
int hs_reg_format(const hs_reg_entry *p, char *buf, size_t n);

#endif
