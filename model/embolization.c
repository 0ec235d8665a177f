/* embolization.c - what embolisation does to the arterial beds over time (docs/model.md
 * "Embolisation" and the extension "Embolisation: redistribution, stasis, local
 * retention"): the flow multipliers m_L(t), m_T(t) and the stasis of the covered beds. */
#include "hs_model.h"

#include "vascular.h"

#include <math.h>

/* m(t) of one event from its value at onset m0: m0 until t_e + t_hold, then recovery
 * with t_half (model.md). */
static double embo_m(const hs_embolization *e, double m0, double t) {
  double t_r = e->t_e + e->t_hold;
  double dt = t > t_r ? t - t_r : 0.0;
  return 1.0 - (1.0 - m0) * exp(-M_LN2 * dt / e->t_half);
}

/* dm/dt of one event (0 while held and for a permanent occlusion). */
static double embo_dm(const hs_embolization *e, double m, double t) {
  return t > e->t_e + e->t_hold ? (1.0 - m) * M_LN2 / e->t_half : 0.0;
}

/* The normal liver's multiplier at onset: a whole-liver event's own (redistribution) or
 * the tumour's. */
static double liver_m0(const hs_embolization *e) { return e->m_min_l > 0 ? e->m_min_l : e->m_min; }

void hs_model_multipliers(const hs_params *p, double t, double t0, double *m_l, double *m_t) {
  *m_l = 1.0;
  *m_t = 1.0;
  for (int i = 0; i < p->n_embo; i++) {
    const hs_embolization *e = &p->embo[i];
    if (t0 < e->t_e) continue; /* not yet active in this segment */
    *m_t *= embo_m(e, e->m_min, t);
    if (e->target == HS_EMBO_WHOLE_LIVER) *m_l *= embo_m(e, liver_m0(e), t);
  }
  double occ = hs__vascular_arterial(&p->phys.vasc, t0); /* hepatic artery occlusion */
  *m_l *= occ;
  *m_t *= occ;
}

int hs_model_time_invariant(const hs_params *p) { return p->n_embo == 0; }

/* One bed's stasis: u = 1 - P with P = prod(1 - s_i), s_i = sigma_i (1 - m_i); the drain
 * rate -du/dt / u = P sum(sigma_i dm_i/dt / (1 - s_i)) / u. */
typedef struct bed {
  double p, dp; /* P and sum(sigma_i dm_i/dt / (1 - s_i)) */
} bed;

static void bed_add(bed *b, const hs_embolization *e, double m0, double t) {
  double m = embo_m(e, m0, t), s = e->sigma * (1 - m);
  b->p *= 1 - s;
  b->dp += e->sigma * embo_dm(e, m, t) / (1 - s);
}

static double bed_drain(const bed *b) {
  double u = 1 - b->p;
  return u > 0 ? b->p * b->dp / u : 0.0;
}

void hs_model_stasis(const hs_params *p, double t, double t0, hs_stasis *s) {
  bed l = {1, 0}, tu = {1, 0};
  const hs_embolization *ex = NULL; /* the stasis event in effect */
  *s = (hs_stasis){0};
  for (int i = 0; i < p->n_embo; i++) {
    const hs_embolization *e = &p->embo[i];
    if (t0 < e->t_e || !(e->sigma > 0)) continue;
    bed_add(&tu, e, e->m_min, t);
    if (e->target == HS_EMBO_WHOLE_LIVER) bed_add(&l, e, liver_m0(e), t);
    if (!ex || e->t_e > ex->t_e) ex = e;
  }
  if (!ex) return;
  s->u_l = 1 - l.p;
  s->u_t = 1 - tu.p;
  s->kd_l = bed_drain(&l);
  s->kd_t = bed_drain(&tu);
  s->k_ex = ex->t_ex > 0 && isfinite(ex->t_ex) ? M_LN2 / ex->t_ex : 0.0;
  /* the beds' shares of the covered arterial inflow before embolisation */
  const hs_part *c = &p->part[0];
  double q_l = c->w_l * p->fl.q_la, q_t = c->w_t * p->fl.q_ta;
  s->trap_l = s->u_l * q_l / (q_l + q_t);
  s->trap_t = s->u_t * q_t / (q_l + q_t);
}
