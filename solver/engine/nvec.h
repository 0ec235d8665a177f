/* nvec.h - compiled vector kernels for CVODE's serial N_Vector (solver-internal). */
#ifndef HS_NVEC_H
#define HS_NVEC_H

#include <sundials/sundials_nvector.h>

/* Replace the hot operations of the serial vector v (and of every clone made from it
 * afterwards) with kernels that give the same bits as SUNDIALS' own, compiled here. */
void hs__nvec_compiled_ops(N_Vector v);

#endif
