/* vascular.h - private: liver disease and vascular events in the model's derived flows
 * (model.md extension "Liver disease and vascular events"). */
#ifndef HS_VASCULAR_H
#define HS_VASCULAR_H

#include "hs_model.h"

/* Check the fields of v (shares in range, occlusion onset >= 0). */
int hs__vascular_check(const hs_vascular *v, hs_error *err);

/* Apply shunting, portal thrombosis and the buffer response to the healthy flows f, then
 * check Q_R > 0 again. */
int hs__vascular_flows(const hs_physiology *ph, hs_flows *f, hs_error *err);

/* Scale the hepatic elimination by (1 - cl_int_loss). */
void hs__vascular_clearance(const hs_vascular *v, hs_elimination *e);

/* 1 while the hepatic artery carries flow in a segment starting at t0, 0 once occluded. */
double hs__vascular_arterial(const hs_vascular *v, double t0);

#endif
