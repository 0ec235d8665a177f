/* hs_model.h - the dual-supply liver model of docs/model.md: parameters, derived flows,
 * right-hand side and analytic Jacobian.
 *
 * Pure mathematics: no SUNDIALS, HDF5 or OpenMP. Units are model.md's internal units
 * (h, L, L/h, mg, mg/L). Everything here is thread-safe: functions read their arguments
 * and write only to caller-owned memory. */
#ifndef HS_MODEL_H
#define HS_MODEL_H

#include "hs_error.h"
#include "hs_regimen.h"

/* State vector of one drug: the amounts of model.md, then the accounting states. */
enum hs_state {
  HS_A_B,    /* systemic blood pool, mg */
  HS_A_G,    /* splanchnic organs draining to the portal vein, mg */
  HS_A_L,    /* normal liver, mg */
  HS_A_T,    /* tumour, mg */
  HS_A_R,    /* rest of body, mg */
  HS_A_D,    /* TACE / bead depot in the tumour bed, mg */
  HS_A_S,    /* slow rest-of-body tissue (option, off by default: Q_S = 0), mg */
  HS_AUC_P,  /* integral of C_P = C_B / BP, mg*h/L */
  HS_AUC_T,  /* integral of C_T, mg*h/L */
  HS_AUC_L,  /* integral of C_L, mg*h/L */
  HS_AUC_TV, /* integral of C_Tv = C_T / Kp_T, mg*h/L */
  HS_EL_H,   /* eliminated by the liver, mg */
  HS_EL_R,   /* eliminated renally, mg */
  HS_EL_X,   /* eliminated by the extrahepatic route, mg */
  HS_EL_T,   /* eliminated in the tumour, mg */
  HS_EL_F,   /* removed by an extracorporeal hepatic-venous filter (PHP), mg */
  HS_EL_B,   /* irreversibly bound in blood (platinum to plasma proteins and red cells), mg */
  HS_DOSED,  /* total amount dosed, mg */
  /* extension states (model.md "Catheter territory, gastric misperfusion, permeability-
   * limited tumour"): integrated only when one of those options is on (hs_params.ext) or
   * the system has several species; otherwise a run integrates HS_NSTATE_BASE states */
  HS_NSTATE_BASE,
  HS_A_L2 = HS_NSTATE_BASE, /* normal liver outside the catheter territory, mg */
  HS_A_T2,   /* tumour outside the catheter territory (its vascular space when
                permeability-limited), mg */
  HS_A_TE,   /* extravascular space of the covered tumour (permeability-limited), mg */
  HS_A_TE2,  /* extravascular space of the uncovered tumour, mg */
  HS_A_GS,   /* gastric compartment (stomach and duodenum) of the splanchnic bed, mg */
  HS_A_SL,   /* stasis: drug held in the embolised bed of the covered normal liver, mg */
  HS_A_ST,   /* stasis: drug held in the embolised bed of the covered tumour, mg */
  HS_A_BL,   /* local retention: bound in the (covered) normal liver, mg */
  HS_A_BT,   /* local retention: bound in the (covered) tumour, mg */
  HS_A_BL2,  /* local retention: bound in the uncovered normal liver, mg */
  HS_A_BT2,  /* local retention: bound in the uncovered tumour, mg */
  HS_A_LE,   /* hepatocytes (extravascular space) of the covered normal liver
                (permeability-limited liver), mg */
  HS_A_LE2,  /* hepatocytes of the uncovered normal liver, mg */
  HS_AUC_L2, /* integral of the uncovered liver's C_L2 = A_L2 / ((1 - c_L) V_L), mg*h/L */
  HS_AUC_T2, /* integral of the uncovered tumour's concentration, mg*h/L */
  HS_AUC_GS, /* integral of the gastric tissue concentration A_GS / V_GS, mg*h/L */
  HS_NSTATE
};
#define HS_N_AMOUNTS 7     /* HS_A_B .. HS_A_S */
#define HS_N_EXT_AMOUNTS 13 /* HS_A_L2 .. HS_A_LE2 */

/* Catheter territory, extrahepatic (gastric) misperfusion and a permeability-limited
 * tumour (model.md extension "Catheter territory, gastric misperfusion, permeability-
 * limited tumour"). A zeroed struct is "all off": the reference model. */
typedef enum hs_catheter_pos {
  HS_CATH_PROPER = 0, /* proper hepatic artery: the whole liver */
  HS_CATH_LOBAR,      /* a lobar branch */
  HS_CATH_SEGMENTAL   /* a segmental branch */
} hs_catheter_pos;
typedef struct hs_territory {
  int catheter;              /* 1: a catheter position and coverage were given */
  hs_catheter_pos position;  /* descriptive; the shares below are the model inputs */
  double liver_cov, tumor_cov; /* shares c_L of V_L and c_T of V_Tv the catheter perfuses */
  int gastric;               /* 1: a gastric compartment is carved out of the splanchnic bed */
  double mis_share;          /* share of the hepatic-arterial infusate reaching it, [0, 1] */
  double phi_gs;             /* its share of V_G and of Q_PV, (0, 1) */
  double ps;                 /* tumour permeability-surface product, L/h (0: flow-limited) */
  double f_vas;              /* vascular fraction of the viable tumour (with ps > 0) */
} hs_territory;

/* Patient physiology (model.md "Flows" and "Compartments"). */
/* Liver disease and vascular events (model.md extension "Liver disease and vascular
 * events"). Every field 0 is the healthy reference: nothing changes. */
typedef struct hs_vascular {
  double f_sh;        /* portosystemic shunt: share of the portal venous outflow Q_PV that
                         bypasses the liver into systemic blood, [0, 1) */
  double pvt_obstruction; /* portal vein thrombosis: share of the (unshunted) portal inflow
                             to the liver blocked, reaching blood by collaterals, [0, 1) */
  double habr;        /* hepatic arterial buffer response k: Q_HA rises by k times the portal
                         inflow lost to the thrombosis, [0, 1] */
  double cl_int_loss; /* fractional loss of hepatic intrinsic clearance (CL_int or Vmax_H),
                         [0, 1) */
  int ha_occluded;    /* 1: the hepatic artery is occluded from t_occl on */
  double t_occl;      /* h */
} hs_vascular;

typedef struct hs_physiology {
  double q_co; /* cardiac output, L/h */
  double q_h;  /* total hepatic inflow (liver + tumour), L/h */
  double f_ha; /* arterial share of Q_H */
  double v_b, v_g, v_l, v_r, v_t; /* volumes, L */
  double f_vas_l; /* vascular (sinusoidal) share of V_L; read only with a permeability-
                     limited liver (hs_drug.ps_l > 0) */
  double p_t;  /* tumour perfusion, L/h per L of tumour */
  double f_ta; /* arterial share of tumour inflow */
  double f_td; /* share of tumour outflow draining into the normal-liver sinusoids */
  double f_nec; /* necrotic, non-perfused share of V_T (default 0): the tumour compartment
                   is the viable part, perfused at p_T */
  hs_vascular vasc; /* liver disease and vascular events (default all 0: none) */
  hs_territory terr; /* catheter territory, misperfusion, permeability (default: off) */
} hs_physiology;

/* Linear (CL) or saturable (Vmax, Km) elimination; all blood quantities. */
typedef enum hs_elim_kind { HS_ELIM_LINEAR = 0, HS_ELIM_MM } hs_elim_kind;
typedef struct hs_elimination {
  hs_elim_kind kind;
  double cl;   /* L/h, linear */
  double vmax; /* mg/h, saturable */
  double km;   /* mg/L of blood (venous for the liver), saturable */
} hs_elimination;

/* Drug properties, internal units, blood basis. */
typedef struct hs_drug {
  double bp;                     /* blood:plasma concentration ratio */
  double kp_g, kp_l, kp_t, kp_r; /* tissue:blood partition coefficients */
  hs_elimination hepatic;        /* E_H from C_Lv (CL is CL_int) */
  hs_elimination extrahepatic;   /* E_X from C_B */
  double cl_r;                   /* renal blood clearance, L/h */
  double cl_t;                   /* tumour clearance from C_Tv, L/h */
  double k_rel;                  /* first-order release from the depot, 1/h */
  double k_rel_beads;            /* the drug's release from drug-eluting beads, 1/h: k_rel
                                    under a bead carrier (0: the carrier's own rate) */
  double cl_bind;                /* irreversible binding in blood, L/h from C_B (default 0) */
  double q_s, v_s;               /* slow rest-of-body tissue: exchange clearance with blood,
                                    L/h, and apparent volume V_S*Kp_S, L (q_s = 0: off) */
  /* local retention (model.md extension "Embolisation: redistribution, stasis, local
   * retention"): first-order binding of the free drug in the normal liver and the tumour,
   * 1/h, and release of the bound drug back to the free, 1/h (0: irreversible). All 0: off */
  double k_bind_l, k_bind_t, k_unbind_l, k_unbind_t;
  /* permeability-limited normal liver (model.md extension): the permeability-surface
   * product between the sinusoidal blood and the hepatocytes, L/h (0: flow-limited) */
  double ps_l;
} hs_drug;

/* Elimination routes a metabolite (or a bound species) can be formed from. */
typedef enum hs_form_route {
  HS_FORM_HEPATIC = 0, /* the parent's hepatic elimination E_H, formed in the liver */
  HS_FORM_EXTRAHEPATIC, /* the parent's extrahepatic elimination E_X, formed in blood */
  HS_FORM_BINDING       /* the parent's irreversible binding CL_bind C_B, formed in blood */
} hs_form_route;

/* Derived flows (L/h), computed and validated once per run by hs_params_init. */
typedef struct hs_flows {
  double q_ha, q_pv, q_t, q_ta, q_tp, q_la, q_lp, q_l, q_r;
  double v_tv; /* viable tumour volume (1 - f_nec) V_T, L */
  double q_sh; /* portal venous blood reaching systemic blood past the liver (shunt and
                  thrombosis collaterals), L/h; Q_LP and Q_TP carry the rest */
} hs_flows;

/* Embolisation: multiplier m(t) = 1 - (1 - m_min) exp(-ln2 (t - t_e) / t_half) for
 * t >= t_e; t_half = INFINITY gives permanent occlusion. Several events multiply. */
typedef enum hs_embo_target { HS_EMBO_WHOLE_LIVER = 0, HS_EMBO_TUMOR } hs_embo_target;
typedef struct hs_embolization {
  hs_embo_target target; /* whole liver moves m_L and m_T; tumour-selective m_T only */
  double t_e;            /* onset, h */
  double m_min;          /* multiplier reached at onset, (0, 1] */
  double t_half;         /* recovery half-life, h (INFINITY: permanent) */
  double t_hold;         /* recanalisation: m stays m_min until t_e + t_hold, then recovers
                            with t_half (model.md extension; default 0) */
  double f_imm;          /* carrier (cTACE emulsion, drug-eluting beads): the share of a TACE
                            dose it does not retain, given at once as a hepatic-arterial bolus
                            (model.md extension), [0, 1]; NAN: the event carries no drug.
                            A zeroed event is a carrier with share 0: nothing changes */
  /* redistribution and stasis (model.md extension "Embolisation: redistribution, stasis,
   * local retention"); a zeroed field changes nothing */
  double m_min_l;        /* whole-liver event: the normal liver's multiplier at onset, (0, 1];
                            0: m_min (the same reduction as the tumour) */
  double sigma;          /* stasis: share of the drug delivered into the occluded vessels that
                            they hold, [0, 1]; the bed's stagnant share is sigma (1 - m(t)) */
  double t_ex;           /* half-life of the stagnant drug's passage into the flowing tissue of
                            its bed, h; 0 or INFINITY: none (it leaves as the flow recovers) */
} hs_embolization;

/* Percutaneous hepatic perfusion (chemosaturation): during [t_on, t_off) the hepatic
 * venous blood (normal-liver outflow and the tumour's direct outflow) passes an
 * extracorporeal filter that removes a share `efficiency` of the drug before the blood
 * returns to the body. Overlapping filters combine as 1 - prod(1 - E). Default: none. */
typedef struct hs_filter {
  double t_on, t_off; /* h */
  double efficiency;  /* [0, 1] */
} hs_filter;

/* One part of the liver and tumour. The reference model has one: the whole normal liver
 * and viable tumour. A catheter territory (model.md extension) splits them into the part
 * the catheter perfuses (covered) and the rest (uncovered). Each part owns its share of
 * the volumes and flows and the states named here; the equations loop over the parts. */
#define HS_MAX_PARTS 2
typedef struct hs_part {
  double w_l, w_t;      /* its shares of V_L and of the viable tumour volume V_Tv */
  int covered;          /* 1: arterial infusate and catheter embolisation reach it */
  int i_l, i_t;         /* its normal-liver state; its tumour state (the vascular space
                           when the tumour is permeability-limited) */
  int i_te;             /* its extravascular tumour state; -1: flow-limited tumour */
  int i_le;             /* its hepatocyte state (the normal liver's extravascular space);
                           -1: flow-limited liver */
  int i_auc_l, i_auc_t; /* its own AUC states; -1: none (the covered part's AUC follows
                           from the whole organ's) */
  int i_bl, i_bt;       /* its bound-drug states (local retention); -1: no binding */
  int i_sl, i_st;       /* its stagnant states (stasis; the covered part only); -1: none */
  double v_lk, v_tk, v_ek; /* apparent volumes, L (0: the part has none): its liver
                              w_L V_L Kp_L (the sinusoidal space w_L V_L f_vas,L when
                              permeability-limited); its tumour w_T V_Tv Kp_T (the vascular
                              space w_T V_Tv f_vas when permeability-limited); its
                              extravascular space (1 - f_vas) w_T V_Tv Kp_ev */
  double v_lek;         /* its hepatocytes (1 - f_vas,L) w_L V_L Kp_ev,L; 0: flow-limited */
} hs_part;

/* Everything the right-hand side reads. */
typedef struct hs_params {
  hs_physiology phys;
  hs_drug drug;
  hs_flows fl;
  const hs_embolization *embo; /* not owned */
  int n_embo;
  const hs_filter *filter; /* not owned; NULL/0 by default, see hs_params_set_filter */
  int n_filter;
  int ext;        /* an extension state is used (a territory split, a gastric compartment
                     or a permeability-limited tumour): HS_NSTATE states per species */
  int n_parts;    /* 1 (reference) or 2 (covered and uncovered territory) */
  hs_part part[HS_MAX_PARTS];
  int i_gs;       /* the gastric compartment's state, -1 without one */
  double kp_ev;   /* permeability-limited tumour: extravascular partition coefficient */
  double kp_ev_l; /* permeability-limited liver: the hepatocytes' partition coefficient */
} hs_params;

/* Constant inputs over one integration segment (the solver restarts at each change). */
#define HS_DAY_H 24.0 /* period of chronomodulated (circadian) infusion profiles, h */

typedef struct hs_segment {
  double r_iv, r_ha, r_pv; /* zero-order infusion rates, mg/h */
  /* chronomodulated infusions (default 0): the rate of route x at time t is
   * r_x + cos_x cos(2 pi t / HS_DAY_H) + sin_x sin(2 pi t / HS_DAY_H) */
  double cos_iv, sin_iv, cos_ha, sin_ha, cos_pv, sin_pv;
  double t0;               /* segment start: events with t_e <= t0 are active */
} hs_segment;

/* Right-hand side context: parameters plus the current segment. */
typedef struct hs_rhs_ctx {
  const hs_params *p;
  hs_segment seg;
} hs_rhs_ctx;

/* Derive flows and check model.md's constraints (Q_LA, Q_LP, Q_R > 0; Q_TA, Q_TP >= 0;
 * positive volumes; fractions in range; drug parameters non-negative). On violation
 * returns HS_EINPUT with a message naming the parameters, e.g.
 * "normal-liver arterial flow Q_LA = f_HA*Q_H - f_TA*p_T*V_T = -3 L/h must be > 0". */
int hs_params_init(hs_params *p, const hs_physiology *phys, const hs_drug *drug,
                   const hs_embolization *embo, int n_embo, hs_error *err);

/* Stasis of the covered part at time t of a segment starting at t0 (model.md extension
 * "Embolisation: redistribution, stasis, local retention"): the stagnant shares u_L, u_T of
 * the covered liver and tumour beds (1 - prod(1 - sigma_i (1 - m_i(t))) over the events
 * acting on the bed), the shares trap_L, trap_T of the covered arterial infusate the bed's
 * occluded vessels hold (u times the bed's share of the unembolised arterial flow), the
 * drain rates -d ln u / dt as the flow recovers (1/h) and the exchange rate of stagnant drug
 * into the flowing tissue (1/h; that of the stasis event with the latest onset <= t0).
 * All 0 without an event with sigma > 0. */
typedef struct hs_stasis {
  double u_l, u_t, trap_l, trap_t, kd_l, kd_t, k_ex;
} hs_stasis;
void hs_model_stasis(const hs_params *p, double t, double t0, hs_stasis *s);

/* Infusion rates (mg/h) of a segment at time t, by route. */
void hs_model_rates(const hs_segment *seg, double t, double *r_iv, double *r_ha, double *r_pv);

/* Attach hepatic-venous filters (after hs_params_init). HS_EINPUT for an efficiency outside
 * [0, 1] or an empty or negative window, naming filter[i]. */
int hs_params_set_filter(hs_params *p, const hs_filter *f, int n, hs_error *err);

/* The filter efficiency acting in a segment starting at t0 (0 when none). */
double hs_model_filter(const hs_params *p, double t0);

/* Embolisation multipliers at time t for a segment starting at t0. */
void hs_model_multipliers(const hs_params *p, double t, double t0, double *m_l, double *m_t);

/* Whether the right-hand side depends on time inside a segment only through the infusion
 * rates: true without embolisation (multipliers and stasis are the model's only other
 * time dependence; filters and arterial occlusion act from a segment's start). */
int hs_model_time_invariant(const hs_params *p);

/* dy/dt at (t, y). Pure; returns 0 (CVODE's convention). */
int hs_model_rhs(double t, const double *y, double *dydt, const hs_rhs_ctx *ctx);

/* Analytic dense Jacobian d(dy/dt)/dy, row-major: jac[i * HS_NSTATE + j] = df_i/dy_j. */
int hs_model_jac(double t, const double *y, double *jac, const hs_rhs_ctx *ctx);

/* Split of an instantaneous hepatic-arterial dose between liver and tumour at time t:
 * share going to the normal liver (m_L Q_LA : m_T Q_TA). Same for portal (Q_LP : Q_TP).
 * With a catheter territory, the HA share is that of the covered territory. */
double hs_model_ha_liver_share(const hs_params *p, double t, double t0);
double hs_model_pv_liver_share(const hs_params *p);

/* The share of a TACE dose at time t that its carrier does not retain (model.md extension
 * "Carriers"): f_imm of the carrier event in effect, the one with the latest onset <= t (the
 * first listed among equal onsets); for a dose before every carrier event, that of the
 * earliest one; 0 without a carrier event. */
double hs_model_tace_immediate(const hs_params *p, double t);

/* Add an instantaneous dose of amt mg by route at time t to the state y of the dosed
 * species, and count it in HS_DOSED (model.md "Inputs"; with the extensions the gastric
 * share and the catheter territory): IV into A_B, HA split between the covered liver and
 * tumour, PV over the parts and past the liver, TACE into the depot A_D but for the share
 * hs_model_tace_immediate, which enters as an HA bolus. */
void hs_model_dose(const hs_params *p, hs_route route, double t, double amt, double *y);

/* The infusion rates of the doses d[0..n) over the segment [a, b], in which they are
 * constant by construction (apart from the smooth circadian part of chronomodulated
 * infusions); TACE doses are boluses into the depot only. */
void hs_model_segment(const hs_dose *d, int n, double a, double b, hs_segment *seg);

/* Whole-tumour amount (every part and space of it), mg. */
double hs_model_tumor_amount(const hs_params *p, const double *y);

/* Concentrations whose maximum over the output grid a run reports, in this order:
 * plasma C_P, whole-tumour C_T, gastric tissue (0 without a gastric compartment). */
enum { HS_TRACK_PLASMA, HS_TRACK_TUMOR, HS_TRACK_GASTRIC, HS_N_TRACKED };

/* The tracked concentrations of state y (mg/L), c[HS_N_TRACKED]. They are linear in y, so
 * given dy/dt instead of y this gives their rates of change. */
void hs_model_tracked(const hs_params *p, const double *y, double *c);

/* Concentrations reported at a state (mg/L). */
typedef struct hs_conc {
  double plasma, blood, liver, tumor, tumor_venous, hepatic_artery, portal_vein, depot_mg;
  double gastric; /* gastric tissue concentration (0 without the gastric compartment) */
  double hepatic_vein; /* plasma in the hepatic veins, upstream of any filter: the liver's
                          and the tumour's direct venous outflow mixed, / BP */
  double trapped_liver_mg, trapped_tumor_mg; /* stasis: held in the embolised beds, mg */
  double bound_liver_mg, bound_tumor_mg;     /* local retention: bound, mg (all parts) */
} hs_conc;
void hs_model_concentrations(double t, const double *y, const hs_rhs_ctx *ctx, hs_conc *c);

/* Analytic quantities of model.md's reference configuration (linear, f_TD allowed):
 * E_L, phi_L, CL_TB, the bioavailabilities of identity 1 and the regional advantage R_d of
 * identity 4. Valid only for linear elimination. */
typedef struct hs_analytic {
  double q_l_eff, e_l, cl_tb, phi_l, f_ha_bioavail, f_pv_bioavail, r_d;
} hs_analytic;
void hs_model_analytic(const hs_params *p, hs_analytic *a);

/* ---- coupled species: a dosed drug and what its eliminations form -------------------
 * A system holds up to HS_MAX_SPECIES species, each with the HS_NSTATE states above, laid
 * out one block after another. Species 0 is the dosed drug; species k >= 1 is formed from
 * species link[k].parent < k at the rate yield * (its elimination by link[k].route): in
 * the liver (A_L) for hepatic formation, in blood (A_B) otherwise. The formed amount is
 * the species' input, so its HS_DOSED state counts it and its mass balance closes. */
#define HS_MAX_SPECIES 3

typedef struct hs_species_link {
  int parent;          /* index of the forming species, < this species' index */
  hs_form_route route; /* which elimination of the parent forms it */
  double yield;        /* mg formed per mg of parent eliminated by that route */
} hs_species_link;

typedef struct hs_system_ctx {
  int ns;
  int stride; /* states per species: HS_NSTATE_BASE (one species, no extension) or
                 HS_NSTATE; 0 means HS_NSTATE */
  hs_rhs_ctx sp[HS_MAX_SPECIES];        /* species k: its parameters and inputs (doses go
                                           to species 0 only) */
  hs_species_link link[HS_MAX_SPECIES]; /* link[0] unused */
} hs_system_ctx;

/* dy/dt of the whole system (ns * stride states). */
int hs_system_rhs(double t, const double *y, double *dydt, const hs_system_ctx *ctx);

/* Dense Jacobian of the system, row-major, (ns * stride)^2. */
int hs_system_jac(double t, const double *y, double *jac, const hs_system_ctx *ctx);

/* Integration settings of one run. */
typedef struct hs_sim_opts {
  double t_end;   /* simulation end, h */
  double dt_out;  /* output interval, h */
  double rtol;    /* CVODE relative tolerance */
  double atol;    /* CVODE absolute tolerance, mg (amounts) */
  long max_steps; /* CVODE steps allowed between two stops */
  int method;     /* hs_solver_method (hs_solver.h); 0 (a zeroed struct): CVODE */
} hs_sim_opts;

#endif
