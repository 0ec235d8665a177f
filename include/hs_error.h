/* hs_error.h - status codes and the caller-owned error record shared by all modules.
 *
 * Every hepatosim function that can fail returns 0 or a negative HS_E* code and, on
 * failure, fills an hs_error with a message that names what failed, on what, with which
 * value ("s1.yaml:14:3: 'tumor.perfusion': expected ..."). Library code never prints,
 * exits or aborts. An hs_error is plain data: one per thread, no global state. */
#ifndef HS_ERROR_H
#define HS_ERROR_H

#include <stddef.h>

enum hs_status {
  HS_OK = 0,
  HS_EINPUT = -2,  /* bad input: file, syntax, unit, value (CLI exit code 2) */
  HS_ESOLVER = -3, /* integration failed (CLI exit code 3) */
  HS_EIO = -4,     /* file system or HDF5 failure */
  HS_ENOMEM = -5,  /* allocation failed */
  HS_EEXIST = -6,  /* output exists and --force was not given */
  HS_ESTOPPED = -7, /* stopped by the caller's stop flag (SIGINT, SIGTERM) */
  HS_EBUSY = -8     /* the output is being written by another process (CLI exit code 2) */
};

#define HS_ERROR_MSG_LEN 1024

typedef struct hs_error {
  int code;                   /* last status, HS_OK when none */
  char msg[HS_ERROR_MSG_LEN]; /* human-readable, NUL-terminated */
} hs_error;

/* Reset to HS_OK with an empty message. Accepts NULL. */
void hs_error_clear(hs_error *err);

/* Set code and printf-style message; returns code so callers can `return hs_error_set(...)`.
 * Accepts err == NULL (the code is still returned). */
int hs_error_set(hs_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "prefix: " to the current message (adds context on the way up). */
int hs_error_prefix(hs_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit status for the CLI: 0, 2 for input, 3 for solver, 1 otherwise. */
int hs_error_exit_code(int code);

#endif
