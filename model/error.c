/* error.c - the caller-owned error record (see hs_error.h). */
#include "hs_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hs_error_clear(hs_error *err) {
  if (!err) return;
  err->code = HS_OK;
  err->msg[0] = '\0';
}

int hs_error_set(hs_error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->code = code;
  return code;
}

int hs_error_prefix(hs_error *err, const char *fmt, ...) {
  if (!err) return HS_OK;
  char prefix[HS_ERROR_MSG_LEN], old[HS_ERROR_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t n = strlen(prefix), cap = sizeof err->msg;
  if (n > cap - 3) n = cap - 3;
  memcpy(err->msg, prefix, n);
  memcpy(err->msg + n, ": ", 2);
  size_t m = strlen(old);
  if (m > cap - n - 3) m = cap - n - 3; /* keep the context, truncate the tail */
  memcpy(err->msg + n + 2, old, m);
  err->msg[n + 2 + m] = '\0';
  return err->code;
}

int hs_error_exit_code(int code) {
  switch (code) {
  case HS_OK: return 0;
  case HS_EINPUT:
  case HS_EEXIST:
  case HS_EBUSY: return 2;
  case HS_ESOLVER: return 3;
  default: return 1;
  }
}
