/* sweepspec.h - private: reading a scenario's `sweep:` section into sc->sweep. */
#ifndef HS_SWEEPSPEC_H
#define HS_SWEEPSPEC_H

#include "hs_scenario.h"
#include "yamldoc.h"

/* Read node (the value of `sweep:`) into sc->sweep, resolving every parameter path in sc
 * and converting its values with the path's unit kind. Errors carry file:line:col. */
int hs__sweep_read(const hs__ydoc *d, hs__ynode node, hs_scenario *sc, hs_error *err);

#endif
