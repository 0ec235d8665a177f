/* registry.c - the one table of scenario quantities (hs_registry.h): every path, dimension,
 * unit, range, default, sweepability and landing is written here and nowhere else. */
#include "hs_registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_scenario.h"

#define PHYS "model/data/physiology.yaml"
#define PHYS_BSA PHYS ", scaled to the BSA (patient.scaling)"
#define AT(st, mem) offsetof(st, mem)
#define SC(mem) AT(hs_scenario, mem)
#define DR(mem) AT(hs_drug, mem)
#define DS(mem) AT(hs_dose_spec, mem)
#define EM(mem) AT(hs_embolization, mem)
#define SW HS_P_SWEEP
#define PS (HS_P_SWEEP | HS_P_NEED_PS)
#define CATH (HS_P_SWEEP | HS_P_NEED_CATHETER)
#define GAST (HS_P_SWEEP | HS_P_NEED_GASTRIC)
#define CLS (HS_R_NONNEG | HS_R_SCALED)
#define T HS_KIND_TIME
#define FR HS_KIND_FRACTION
#define NUM HS_KIND_NUMBER
#define FLOW HS_KIND_FLOW
#define VOL HS_KIND_VOLUME

/* Columns: section, key, dimension, internal unit, range, flags (SW: sweepable), landing,
 * description, default (NAN: none written here), where the default comes from. */
const hs_reg_entry hs_registry[HS_REG_N] = {
    [HS_REG_PATIENT_WEIGHT] = {HS_SCOPE_PATIENT, "weight", HS_KIND_BODY_MASS, "kg", HS_R_POS,
        SW | HS_P_BSA, SC(patient.weight_kg), "body weight", NAN, PHYS},
    [HS_REG_PATIENT_HEIGHT] = {HS_SCOPE_PATIENT, "height", HS_KIND_LENGTH, "cm", HS_R_POS,
        SW | HS_P_BSA, SC(patient.height_cm), "height", NAN, PHYS},
    [HS_REG_PATIENT_BSA] = {HS_SCOPE_PATIENT, "bsa", HS_KIND_AREA, "m2", HS_R_POS, SW,
        SC(patient.bsa_m2), "body surface area", NAN, "from weight and height (bsa_formula)"},
    [HS_REG_PATIENT_QCO] = {HS_SCOPE_PATIENT, "cardiac_output", FLOW, "L/h", HS_R_POS, SW,
        SC(phys.q_co), "cardiac output Q_CO", NAN, PHYS_BSA},
    [HS_REG_PATIENT_QH] = {HS_SCOPE_PATIENT, "hepatic_flow", FLOW, "L/h", HS_R_POS, SW,
        SC(phys.q_h), "total hepatic blood flow Q_H", NAN, PHYS_BSA},
    [HS_REG_PATIENT_FHA] = {HS_SCOPE_PATIENT, "arterial_fraction", FR, "1", HS_R_FRAC, SW,
        SC(phys.f_ha), "hepatic-arterial share f_HA of Q_H", NAN, PHYS},
    [HS_REG_PATIENT_VB] = {HS_SCOPE_PATIENT, "blood_volume", VOL, "L", HS_R_POS, SW,
        SC(phys.v_b), "blood volume V_B", NAN, PHYS},
    [HS_REG_PATIENT_VG] = {HS_SCOPE_PATIENT, "splanchnic_volume", VOL, "L", HS_R_POS, SW,
        SC(phys.v_g), "splanchnic (gut, spleen) volume V_G", NAN, PHYS},
    [HS_REG_PATIENT_VL] = {HS_SCOPE_PATIENT, "liver_volume", VOL, "L", HS_R_POS, SW,
        SC(phys.v_l), "liver volume V_L", NAN, PHYS_BSA},
    [HS_REG_PATIENT_VR] = {HS_SCOPE_PATIENT, "rest_volume", VOL, "L", HS_R_POS, SW,
        SC(phys.v_r), "rest-of-body volume V_R", NAN, PHYS},
    [HS_REG_PATIENT_FVL] = {HS_SCOPE_PATIENT, "liver_vascular_fraction", FR, "1", HS_R_FRAC, SW,
        SC(phys.f_vas_l),
        "sinusoidal share of the liver volume (read with a drug's liver_permeability)", NAN,
        PHYS},

    [HS_REG_TUMOR_VOLUME] = {HS_SCOPE_TUMOR, "volume", VOL, "L", HS_R_POS, SW, SC(phys.v_t),
        "tumour volume V_T", NAN, PHYS},
    [HS_REG_TUMOR_PERFUSION] = {HS_SCOPE_TUMOR, "perfusion", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, SC(phys.p_t), "tumour perfusion p_T (flow per volume)", NAN, PHYS},
    [HS_REG_TUMOR_FTA] = {HS_SCOPE_TUMOR, "arterial_fraction", FR, "1", HS_R_FRAC, SW,
        SC(phys.f_ta), "arterial share f_TA of tumour inflow", NAN, PHYS},
    [HS_REG_TUMOR_FTD] = {HS_SCOPE_TUMOR, "drainage_to_liver", FR, "1", HS_R_FRAC, SW,
        SC(phys.f_td), "share f_TD of tumour outflow draining into the liver", NAN, PHYS},
    [HS_REG_TUMOR_NEC] = {HS_SCOPE_TUMOR, "necrotic_fraction", FR, "1", HS_R_FRAC, SW,
        SC(phys.f_nec), "necrotic share f_nec of the tumour", NAN, PHYS},
    [HS_REG_TUMOR_PS] = {HS_SCOPE_TUMOR, "permeability_surface", FLOW, "L/h", HS_R_POS, PS,
        SC(phys.terr.ps),
        "permeability-surface product (only with a permeability-limited tumour)", NAN,
        "none: flow-limited"},
    [HS_REG_TUMOR_FVAS] = {HS_SCOPE_TUMOR, "vascular_fraction", FR, "1", HS_R_FRAC, PS,
        SC(phys.terr.f_vas),
        "vascular fraction of the viable tumour (only with a permeability-limited tumour)", NAN,
        PHYS},

    [HS_REG_CATHETER_LIVER] = {HS_SCOPE_CATHETER, "liver_coverage", FR, "1", HS_R_FRAC, CATH,
        SC(phys.terr.liver_cov),
        "share of the liver the catheter perfuses (only with catheter:)", 1,
        "a catheter at the proper hepatic artery"},
    [HS_REG_CATHETER_TUMOR] = {HS_SCOPE_CATHETER, "tumor_coverage", FR, "1", HS_R_FRAC, CATH,
        SC(phys.terr.tumor_cov),
        "share of the tumour the catheter perfuses (only with catheter:)", 1,
        "the whole tumour"},
    [HS_REG_MIS_SHARE] = {HS_SCOPE_MISPERFUSION, "share", FR, "1", HS_R_FRAC, GAST,
        SC(phys.terr.mis_share),
        "share of the arterial infusate reaching the stomach (only with misperfusion:)", NAN,
        NULL},
    [HS_REG_MIS_PHI] = {HS_SCOPE_MISPERFUSION, "gastric_flow_share", FR, "1", HS_R_FRAC, GAST,
        SC(phys.terr.phi_gs), "gastric share of the splanchnic bed (only with misperfusion:)",
        NAN, PHYS},

    [HS_REG_LD_CO] = {HS_SCOPE_LIVER_DISEASE, "cardiac_output_factor", NUM, "1", HS_R_POS, 0, 0,
        "multiplier of the healthy cardiac output", 1,
        "healthy, or the preset of model/data/liver_disease.yaml"},
    [HS_REG_LD_PV] = {HS_SCOPE_LIVER_DISEASE, "portal_flow_factor", NUM, "1", HS_R_POS, 0, 0,
        "multiplier of the healthy portal flow", 1, "healthy, or the preset"},
    [HS_REG_LD_HA] = {HS_SCOPE_LIVER_DISEASE, "arterial_flow_factor", NUM, "1", HS_R_POS, 0, 0,
        "multiplier of the healthy hepatic-arterial flow", 1, "healthy, or the preset"},
    [HS_REG_LD_VL] = {HS_SCOPE_LIVER_DISEASE, "liver_volume_factor", NUM, "1", HS_R_POS, 0, 0,
        "multiplier of the healthy liver volume", 1, "healthy, or the preset"},
    [HS_REG_LD_SH] = {HS_SCOPE_LIVER_DISEASE, "shunt_fraction", FR, "1", HS_R_FRAC, SW,
        SC(phys.vasc.f_sh), "portosystemic shunt: share of portal outflow bypassing the liver",
        0, "healthy, or the preset"},
    [HS_REG_LD_LOSS] = {HS_SCOPE_LIVER_DISEASE, "intrinsic_clearance_loss", FR, "1", HS_R_FRAC,
        SW, SC(phys.vasc.cl_int_loss), "fractional loss of hepatic intrinsic clearance", 0,
        "healthy, or the preset"},
    [HS_REG_PVT_OBSTRUCTION] = {HS_SCOPE_PVT, "obstruction", FR, "1", HS_R_FRAC, SW,
        SC(phys.vasc.pvt_obstruction), "share of portal inflow blocked by the thrombus", NAN,
        NULL},
    [HS_REG_PVT_HABR] = {HS_SCOPE_PVT, "buffer_response", FR, "1", HS_R_FRAC, SW,
        SC(phys.vasc.habr), "hepatic arterial buffer response: arterial rise per portal fall",
        0.255, "Lautt, cat: 25.5 +- 2.7 % of the portal decrease, notes 3.4"},
    [HS_REG_HAO_ONSET] = {HS_SCOPE_HAO, "onset", T, "h", HS_R_NONNEG, 0, 0,
        "time the hepatic artery is occluded (permanent)", NAN, NULL},

    [HS_REG_SIM_END] = {HS_SCOPE_SIMULATION, "end", T, "h", HS_R_POS, 0, 0, "simulated time",
        NAN, NULL},
    [HS_REG_SIM_DT] = {HS_SCOPE_SIMULATION, "output_interval", T, "h", HS_R_POS, 0, 0,
        "output grid spacing", NAN, NULL},
    [HS_REG_SIM_RTOL] = {HS_SCOPE_SIMULATION, "rtol", NUM, "1", HS_R_POS, 0, 0,
        "relative tolerance", 1e-8, "tight enough for the identities of model.md"},
    [HS_REG_SIM_ATOL] = {HS_SCOPE_SIMULATION, "atol", HS_KIND_MASS, "mg", HS_R_POS, 0, 0,
        "absolute tolerance", 1e-10, "tight enough for the identities of model.md"},
    [HS_REG_SIM_CLOCK] = {HS_SCOPE_SIMULATION, "time_of_day_at_start", T, "h", HS_R_NONNEG, 0,
        0, "time of day at t = 0 (chronomodulated profiles)", 0, "midnight"},

    [HS_REG_DRUG_BP] = {HS_SCOPE_DRUG, "blood_plasma_ratio", NUM, "1", HS_R_POS, SW, DR(bp),
        "blood-to-plasma concentration ratio BP", 1, "model.md"},
    [HS_REG_DRUG_FU] = {HS_SCOPE_DRUG, "fu_plasma", FR, "1", HS_R_FRAC, 0, 0,
        "fraction unbound in plasma (converts 'basis: unbound' values)", NAN, NULL},
    [HS_REG_DRUG_MW] = {HS_SCOPE_DRUG, "molecular_weight", NUM, "1", HS_R_POS, 0, 0,
        "molecular weight, g/mol (metabolite yields)", NAN, NULL},
    [HS_REG_DRUG_KP_G] = {HS_SCOPE_DRUG, "kp_gut", NUM, "1", HS_R_POS, SW, DR(kp_g),
        "splanchnic tissue-to-blood partition coefficient", 1, "model.md"},
    [HS_REG_DRUG_KP_L] = {HS_SCOPE_DRUG, "kp_liver", NUM, "1", HS_R_POS, SW, DR(kp_l),
        "liver tissue-to-blood partition coefficient", 1, "model.md"},
    [HS_REG_DRUG_KP_T] = {HS_SCOPE_DRUG, "kp_tumor", NUM, "1", HS_R_POS, SW, DR(kp_t),
        "tumour tissue-to-blood partition coefficient", 1, "model.md"},
    [HS_REG_DRUG_KP_R] = {HS_SCOPE_DRUG, "kp_rest", NUM, "1", HS_R_POS, SW, DR(kp_r),
        "rest-of-body tissue-to-blood partition coefficient", 1, "model.md"},
    [HS_REG_DRUG_H_CL] = {HS_SCOPE_DRUG, "hepatic_clint", FLOW, "L/h", CLS, SW | HS_P_LINEAR,
        DR(hepatic.cl), "hepatic intrinsic clearance (only with linear hepatic elimination)",
        NAN, "the library entry"},
    [HS_REG_DRUG_H_CLH] = {HS_SCOPE_DRUG, "hepatic_clearance", FLOW, "L/h", CLS, HS_P_LANDS,
        DR(hepatic.cl),
        "organ hepatic clearance, stored as CL_int at the reference adult's Q_L'", NAN, NULL},
    [HS_REG_DRUG_H_VMAX] = {HS_SCOPE_DRUG, "hepatic_vmax", HS_KIND_MASS_RATE, "mg/h", CLS,
        SW | HS_P_MM, DR(hepatic.vmax),
        "hepatic Vmax (only with saturable hepatic elimination)", NAN, "the library entry"},
    [HS_REG_DRUG_H_KM] = {HS_SCOPE_DRUG, "hepatic_km", HS_KIND_CONC, "mg/L", HS_R_POS,
        SW | HS_P_MM, DR(hepatic.km), "hepatic Km (only with saturable hepatic elimination)",
        NAN, "the library entry"},
    [HS_REG_DRUG_X_CL] = {HS_SCOPE_DRUG, "extrahepatic_cl", FLOW, "L/h", CLS, SW | HS_P_LINEAR,
        DR(extrahepatic.cl),
        "extrahepatic clearance (only with linear extrahepatic elimination)", 0,
        "model.md: no extrahepatic elimination"},
    [HS_REG_DRUG_X_VMAX] = {HS_SCOPE_DRUG, "extrahepatic_vmax", HS_KIND_MASS_RATE, "mg/h", CLS,
        SW | HS_P_MM, DR(extrahepatic.vmax),
        "extrahepatic Vmax (only with saturable extrahepatic elimination)", NAN, NULL},
    [HS_REG_DRUG_X_KM] = {HS_SCOPE_DRUG, "extrahepatic_km", HS_KIND_CONC, "mg/L", HS_R_POS,
        SW | HS_P_MM, DR(extrahepatic.km),
        "extrahepatic Km (only with saturable extrahepatic elimination)", NAN, NULL},
    [HS_REG_DRUG_CL_R] = {HS_SCOPE_DRUG, "renal_clearance", FLOW, "L/h", CLS, SW, DR(cl_r),
        "renal clearance", NAN, "the library entry"},
    [HS_REG_DRUG_CL_T] = {HS_SCOPE_DRUG, "tumor_clearance", FLOW, "L/h", CLS, SW, DR(cl_t),
        "clearance within the tumour", 0, "model.md"},
    [HS_REG_DRUG_K_REL] = {HS_SCOPE_DRUG, "depot_release", HS_KIND_PER_TIME, "1/h", HS_R_NONNEG,
        SW, DR(k_rel), "release rate of the tumour depot (TACE)", 0,
        "model.md: no depot release"},
    [HS_REG_DRUG_K_REL_BEADS] = {HS_SCOPE_DRUG, "bead_release", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, DR(k_rel_beads),
        "release rate from drug-eluting beads (the depot's rate under a bead carrier)", 0,
        "the carrier's depot_release_half_life"},
    [HS_REG_DRUG_CL_BIND] = {HS_SCOPE_DRUG, "binding_clearance", FLOW, "L/h", CLS, SW,
        DR(cl_bind), "irreversible binding clearance in blood", 0, "model.md"},
    [HS_REG_DRUG_Q_S] = {HS_SCOPE_DRUG, "slow_tissue_clearance", FLOW, "L/h", CLS, SW, DR(q_s),
        "exchange clearance with a slow tissue compartment", 0, "model.md"},
    [HS_REG_DRUG_V_S] = {HS_SCOPE_DRUG, "slow_tissue_volume", VOL, "L", HS_R_POS | HS_R_SCALED,
        SW, DR(v_s), "slow tissue volume V_S*Kp_S", NAN, NULL},
    [HS_REG_DRUG_KB_L] = {HS_SCOPE_DRUG, "tissue_binding_liver", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, DR(k_bind_l), "binding rate of the free drug in the normal liver", 0,
        "model.md: no local retention"},
    [HS_REG_DRUG_KB_T] = {HS_SCOPE_DRUG, "tissue_binding_tumor", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, DR(k_bind_t), "binding rate of the free drug in the tumour", 0,
        "model.md: no local retention"},
    [HS_REG_DRUG_KU_L] = {HS_SCOPE_DRUG, "tissue_release_liver", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, DR(k_unbind_l), "release rate of drug bound in the normal liver", 0,
        "irreversible binding"},
    [HS_REG_DRUG_KU_T] = {HS_SCOPE_DRUG, "tissue_release_tumor", HS_KIND_PER_TIME, "1/h",
        HS_R_NONNEG, SW, DR(k_unbind_t), "release rate of drug bound in the tumour", 0,
        "irreversible binding"},
    [HS_REG_DRUG_PS_L] = {HS_SCOPE_DRUG, "liver_permeability", FLOW, "L/h", CLS, SW, DR(ps_l),
        "permeability-surface product between sinusoidal blood and hepatocytes (a "
        "permeability-limited liver)", 0, "model.md: a flow-limited liver"},

    [HS_REG_DOSE_DOSE] = {HS_SCOPE_DOSE, "dose", HS_KIND_DOSE, "mg", HS_R_POS, SW | HS_P_BOLUS,
        DS(amount),
        "amount per administration (only for a 'dose' entry; per m2 or per kg as written)", NAN,
        NULL},
    [HS_REG_DOSE_RATE] = {HS_SCOPE_DOSE, "rate", HS_KIND_DOSE_RATE, "mg/h", HS_R_POS,
        SW | HS_P_RATE, DS(rate),
        "infusion rate (only for a 'rate' entry; per m2 or per kg as written)", NAN, NULL},
    [HS_REG_DOSE_START] = {HS_SCOPE_DOSE, "start", T, "h", HS_R_NONNEG, SW, DS(start),
        "first administration", 0, "the start of the simulation"},
    [HS_REG_DOSE_DURATION] = {HS_SCOPE_DOSE, "duration", T, "h", HS_R_NONNEG, SW, DS(duration),
        "infusion length (0: bolus)", 0, "a bolus"},
    [HS_REG_DOSE_EVERY] = {HS_SCOPE_DOSE, "every", T, "h", HS_R_POS, SW, DS(every),
        "cycle length", NAN, NULL},
    [HS_REG_PROFILE_PEAK] = {HS_SCOPE_PROFILE, "peak", T, "h", HS_R_NONNEG, 0, 0,
        "time of day of the highest rate (chronomodulated)", NAN, NULL},
    [HS_REG_PROFILE_AMPLITUDE] = {HS_SCOPE_PROFILE, "amplitude", FR, "1", HS_R_FRAC, 0, 0,
        "relative amplitude of the daily rate cosine", 1,
        "the rate falls to 0 twelve hours from the peak"},

    [HS_REG_EMBO_ONSET] = {HS_SCOPE_EMBO, "onset", T, "h", HS_R_NONNEG, SW, EM(t_e),
        "time of the embolisation", NAN, NULL},
    [HS_REG_EMBO_REDUCTION] = {HS_SCOPE_EMBO, "flow_reduction", FR, "1", HS_R_FRAC,
        SW | HS_P_ONE_MINUS, EM(m_min), "share of arterial flow removed", NAN,
        "the agent's preset"},
    [HS_REG_EMBO_THALF] = {HS_SCOPE_EMBO, "recovery_half_life", T, "h", HS_R_POS, SW,
        EM(t_half), "half-life of flow recovery (degradable agents)", NAN,
        "the agent's preset"},
    [HS_REG_EMBO_RECAN] = {HS_SCOPE_EMBO, "recanalization_start", T, "h", HS_R_NONNEG, 0, 0,
        "time after onset before recovery begins", 0,
        "recovery from onset, or the agent's preset in model/data/embolics.yaml"},
    [HS_REG_EMBO_EVERY] = {HS_SCOPE_EMBO, "every", T, "h", HS_R_POS, 0, 0,
        "interval between repeated sessions", NAN, NULL},
    [HS_REG_EMBO_DEPOT] = {HS_SCOPE_EMBO, "depot_release_half_life", T, "h", HS_R_POS, 0, 0,
        "half-life of the carrier's depot release (TACE doses)", NAN, "the agent's preset"},
    [HS_REG_EMBO_IMMEDIATE] = {HS_SCOPE_EMBO, "immediate_fraction", FR, "1", HS_R_FRAC,
        SW | HS_P_NEED_CARRIER, EM(f_imm),
        "share of a TACE dose given at once as an arterial bolus (only for an event with a "
        "carrier)", NAN,
        "the agent's preset; 0 for a carrier without one"},
    [HS_REG_EMBO_LIVER_REDUCTION] = {HS_SCOPE_EMBO, "liver_flow_reduction", FR, "1",
        HS_R_FRAC, SW | HS_P_ONE_MINUS, EM(m_min_l),
        "share of normal-liver arterial flow removed (whole-liver events; redistribution)", NAN,
        "flow_reduction, or the agent's preset"},
    [HS_REG_EMBO_STASIS] = {HS_SCOPE_EMBO, "stasis", FR, "1", HS_R_FRAC, SW, EM(sigma),
        "share of the drug delivered into the occluded vessels that they hold", 0,
        "none, or the agent's preset"},
    [HS_REG_EMBO_STASIS_EXCH] = {HS_SCOPE_EMBO, "stasis_exchange_half_life", T, "h", HS_R_POS,
        SW, EM(t_ex), "half-life of the held drug's passage into the tissue of its bed", NAN,
        "none (it leaves as the flow recovers), or the agent's preset"},

    [HS_REG_FILTER_START] = {HS_SCOPE_FILTER, "start", T, "h", HS_R_NONNEG, 0, 0,
        "start of the filter window", NAN, NULL},
    [HS_REG_FILTER_DURATION] = {HS_SCOPE_FILTER, "duration", T, "h", HS_R_POS, 0, 0,
        "length of the filter window", NAN, NULL},
    [HS_REG_FILTER_EFFICIENCY] = {HS_SCOPE_FILTER, "efficiency", FR, "1", HS_R_FRAC, 0, 0,
        "share of drug removed from the hepatic venous blood", NAN, NULL},
};

const char *hs_scope_prefix(hs_scope s) {
  static const char *const prefix[HS_SCOPE_N] = {
      [HS_SCOPE_PATIENT] = "patient.",
      [HS_SCOPE_TUMOR] = "tumor.",
      [HS_SCOPE_CATHETER] = "catheter.",
      [HS_SCOPE_MISPERFUSION] = "misperfusion.",
      [HS_SCOPE_LIVER_DISEASE] = "liver_disease.",
      [HS_SCOPE_PVT] = "portal_vein_thrombosis.",
      [HS_SCOPE_HAO] = "hepatic_artery_occlusion.",
      [HS_SCOPE_SIMULATION] = "simulation.",
      [HS_SCOPE_DRUG] = "drugs.<name>.",
      [HS_SCOPE_DOSE] = "drugs.<name>.regimen[<i>].",
      [HS_SCOPE_PROFILE] = "drugs.<name>.regimen[<i>].profile.",
      [HS_SCOPE_EMBO] = "embolization[<i>].",
      [HS_SCOPE_FILTER] = "hepatic_filtration[<i>].",
  };
  return (int)s >= 0 && s < HS_SCOPE_N ? prefix[s] : "";
}

const hs_reg_entry *hs_reg_find(hs_scope s, const char *key, int sweepable) {
  for (int i = 0; key && i < HS_REG_N; i++)
    if (hs_registry[i].scope == s && !strcmp(hs_registry[i].key, key) &&
        (!sweepable || hs_registry[i].flags & HS_P_SWEEP))
      return &hs_registry[i];
  return NULL;
}

const char *hs_range_text(int range) {
  switch (range & ~HS_R_SCALED) {
  case HS_R_POS: return "> 0";
  case HS_R_NONNEG: return ">= 0";
  case HS_R_FRAC: return "0 to 1";
  default: return "any";
  }
}

int hs_range_ok(int range, double v) {
  switch (range & ~HS_R_SCALED) {
  case HS_R_POS: return v > 0;
  case HS_R_NONNEG: return v >= 0;
  case HS_R_FRAC: return v >= 0 && v <= 1;
  default: return 1;
  }
}

void hs_reg_path(const hs_reg_entry *p, char *buf, size_t n) {
  snprintf(buf, n, "%s%s", hs_scope_prefix(p->scope), p->key);
}

void hs_reg_default_text(const hs_reg_entry *p, char *buf, size_t n) {
  int unitless = !strcmp(p->unit, "1");
  if (!isnan(p->dflt))
    snprintf(buf, n, "%g%s%s%s%s%s", p->dflt, unitless ? "" : " ", unitless ? "" : p->unit,
             p->dflt_from ? " (" : "", p->dflt_from ? p->dflt_from : "", p->dflt_from ? ")" : "");
  else
    snprintf(buf, n, "%s", p->dflt_from ? p->dflt_from : "none");
}

int hs_reg_format(const hs_reg_entry *p, char *buf, size_t n) {
  char path[96];
  hs_reg_path(p, path, sizeof path);
  return snprintf(buf, n, "%-40s %-5s %-7s %s", path, p->unit, hs_range_text(p->range), p->what);
}
