/* table.h - private: patient tables (`sweep: {design: table, file: ...}`) and the unit a
 * scenario wrote a swept value in. */
#ifndef HS_TABLE_H
#define HS_TABLE_H

#include "hs_scenario.h"

/* Read the CSV at file (relative to the scenario's directory) into sc->sweep.design: one
 * run a row, ids into design.ids, every other column "<scenario path> [<unit>]" a
 * parameter whose list holds the column's values in internal units. HS_EINPUT
 * "<file>:<line>:<col>: ..." for a missing id column, an unknown path, a unit the path does
 * not take, a repeated column, an empty, non-numeric or out-of-range cell, an empty or too
 * long id, a repeated id (naming the row it repeats), or a table without rows. *hash gets
 * the file's hs__csv hash. */
int hs__table_read(hs_scenario *sc, const char *file, uint64_t *hash, hs_error *err);

/* The unit of text ("50 mL" -> "mL"; a bare number -> the slot's internal unit) into
 * p->unit, and p->unit_scale = 1 / (the internal value of one such unit). Nothing when the
 * unit does not convert. */
void hs__param_note_unit(hs_design_param *p, const char *text, const hs_scenario_slot *slot);

/* An id and its row, ordered by id then row (qsort, bsearch). */
typedef struct hs__id_row {
  const char *id;
  int row;
} hs__id_row;
int hs__id_row_cmp(const void *a, const void *b);

#endif
