/* scenario_int.h - private: the state of one scenario load, shared by the files that read
 * its sections (scenario.c, scenario_patient.c, scenario_events.c, scenario_doses.c). */
#ifndef HS_SCENARIO_INT_H
#define HS_SCENARIO_INT_H

#include "drugdef.h"
#include "physiology.h"
#include "hs_scenario.h"
#include "yamldoc.h"

typedef struct loader {
  const hs__ydoc *d;
  const char *data_dir;
  hs_error *err;
  hs_scenario *sc;
  patient_in pat;
  tumor_in tum;
  hs__fieldinfo pinfo[P_N], tinfo[T_N]; /* which patient and tumour keys were written */
  hs__ynode root;
  double clock0;   /* time of day at t = 0, h */
  hs__resolve ref; /* the reference adult: hepatic_clearance converts at its Q_L' */
  hs__resolve rs;  /* this scenario's patient, for per-m2 / per-kg drug values */
  hs__catalog *cat; /* the drug library, opened when a drug needs it */
  double depot_k_rel; /* > 0: an embolic carrier's depot release rate for TACE doses, 1/h */
  int beads;          /* the carrier is drug-eluting beads (`carrier: beads`) */
  int depot_written;  /* the scenario wrote depot_release_half_life (not a preset) */
  int embo_cap;       /* allocated events (repeated sessions expand) */
  double gastric_phi; /* physiology.yaml's gastric share of the splanchnic bed (NAN: none) */
  hs_body_relations body_rel; /* physiology.yaml's relations of body size (k_co NAN: none) */
} loader;

/* The mapping `name` of data file `file` (model/data), read with sources into base/info;
 * an unknown name is refused at the scenario's node with a did-you-mean (scenario_events.c). */
int hs__read_preset(loader *L, const char *file, hs__ynode name, const char *path,
                    const hs__field *fields, int n, void *base, hs__fieldinfo *info);

/* ---- patient, tumour and options of the physiology (scenario_patient.c) ---------------- */

/* The reference adult of physiology.yaml into L->pat, L->tum, L->ref, L->gastric_phi,
 * L->body_rel. */
int hs__load_defaults(loader *L);
/* `patient:` and `tumor:` over the defaults, into sc->patient and sc->phys; with
 * `scaling: body_size` the Q_CO, Q_H and V_L not written follow the BSA (sc->body). */
int hs__load_patient(loader *L);
/* `catheter:` (catheter territory) and `misperfusion:` (gastric misperfusion). */
int hs__load_catheter(loader *L);
int hs__load_misperfusion(loader *L);
/* Flows that break model.md's constraints, blamed on the key most likely responsible. */
int hs__check_flows(loader *L);

/* ---- events and liver disease (scenario_events.c) ------------------------------------- */

/* `embolization:` (embolic agents, recanalisation, repeated sessions, carriers). */
int hs__load_embolization(loader *L);
/* `hepatic_filtration:` (percutaneous hepatic perfusion windows). */
int hs__load_filtration(loader *L);
/* `liver_disease:`, `portal_vein_thrombosis:` and `hepatic_artery_occlusion:`. */
int hs__load_liver_disease(loader *L);
int hs__load_pvt(loader *L);
int hs__load_ha_occlusion(loader *L);

/* ---- regimens (scenario_doses.c) ------------------------------------------------------ */

/* The list of doses at node reg into sd->regimen; drug: the drug's node, blamed when the
 * regimen is missing. */
int hs__load_regimen(loader *L, hs__ynode reg, hs__ynode drug, const char *path,
                     hs_scenario_drug *sd);

/* ---- dosing records (scenario_records.c) ----------------------------------------------- */

/* `records: FILE.csv` (and `records_id:`) of drug entry `drug` into sd->records and the
 * regimen of the chosen id into sd->regimen; with a patient table (`sweep: {design:
 * table}`) the choice waits for hs__records_link. Errors name the CSV's line and column. */
int hs__load_records(loader *L, hs__ynode records, hs__ynode drug, const char *path,
                     hs_scenario_drug *sd);
/* After the sweep section: each run of a patient table to its id's records (every id must
 * have some), the first row's regimen as the scenario's, regimen paths of such drugs
 * refused, and the records' hashes added to the sweep's description (--resume). */
int hs__records_link(loader *L);

#endif
