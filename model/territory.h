/* territory.h - private to model/: the extended right-hand side (catheter territory,
 * gastric misperfusion, permeability-limited tumour) that model.c dispatches to when
 * hs_params.ext is set, and the pieces of model.c it shares. */
#ifndef HS_TERRITORY_H
#define HS_TERRITORY_H

#include "hs_model.h"

/* Linear or saturable elimination rate and its derivative with respect to C (model.c). */
double hs__elim_rate(const hs_elimination *e, double c, double *dr_dc);

/* Validate p->phys.terr against the drug and set p->ext, c_l, c_t, kp_ev. */
int hs__territory_init(hs_params *p, hs_error *err);

/* dy/dt and the Jacobian (leading dimension ld) of the extended model: all HS_NSTATE
 * states. The Jacobian entries are added to a zeroed matrix. */
void hs__ext_rhs(double t, const double *y, double *dy, const hs_rhs_ctx *ctx);
void hs__ext_jac(double t, const double *y, double *jac, int ld, const hs_rhs_ctx *ctx);
void hs__ext_concentrations(double t, const double *y, const hs_rhs_ctx *ctx, hs_conc *c);

/* Hepatic elimination in the uncovered territory (0 without a territory split) and its
 * derivative with respect to A_L2: metabolites formed there go to their own A_L2. */
double hs__ext_hepatic_uncovered(const double *y, const hs_params *p, double *d_da);

#endif
