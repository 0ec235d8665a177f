/* csv.h - private: a small CSV reader (RFC 4180) with line:column positions, for patient
 * tables and dosing records. */
#ifndef HS_CSV_H
#define HS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "hs_error.h"

/* A table of text cells. Row 0 is the header. Fields are separated by ','; a field in
 * double quotes may hold commas, line breaks and "" (one quote); spaces and tabs around an
 * unquoted field are dropped; lines end in LF, CRLF or CR; blank lines and lines whose
 * first character is '#' are skipped. Every row has as many cells as the header. The file
 * is read by hs__read_file (size limit, UTF-8 checked; a UTF-8 byte-order mark skipped). */
typedef struct hs__csv {
  char *path;   /* owned copy, for messages */
  char *buf;    /* owned: every cell, NUL-terminated */
  int n_rows;   /* rows including the header */
  int n_cols;
  char **cell;  /* n_rows x n_cols, into buf */
  int *line;    /* n_rows x n_cols: line of the cell's first character (1-based) */
  int *col;     /* n_rows x n_cols: its column (1-based, characters) */
  uint64_t hash; /* FNV-1a (64 bits) of the file's bytes: provenance, --resume checks */
} hs__csv;

/* Read path into t. HS_EINPUT "<path>:<line>:<col>: ..." for an unterminated quote, text
 * after a closing quote, a row with more or fewer cells than the header, or a file with no
 * header; HS_ENOMEM. On failure t is empty (nothing to release). */
int hs__csv_load(hs__csv *t, const char *path, hs_error *err);

/* Cell (row, c) and "<path>:<line>:<col>: " + message at it (returns HS_EINPUT). */
const char *hs__csv_cell(const hs__csv *t, int row, int c);
int hs__csv_error(const hs__csv *t, int row, int c, hs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

void hs__csv_release(hs__csv *t);

/* dir of `base` (a scenario file's name) joined with rel, unless rel is absolute or base
 * has no directory, into out. HS_EINPUT when it does not fit. */
int hs__csv_path(const char *base, const char *rel, char *out, size_t size, hs_error *err);

#endif
