/* csv.c - a small CSV reader (csv.h): RFC 4180 quoting, LF/CRLF/CR line ends, blank and
 * '#' comment lines, positions for every cell. */
#include "csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"

typedef struct parser {
  const char *s; /* the text */
  size_t i;      /* next byte */
  int line, col; /* of s[i] */
  char *out;     /* next free byte of the cell buffer */
  hs__csv *t;
  int cap;       /* cells allocated */
  int n;         /* cells stored */
  hs_error *err;
} parser;

static int at_eol(const parser *p) { return p->s[p->i] == '\n' || p->s[p->i] == '\r'; }

static void advance(parser *p) {
  unsigned char b = (unsigned char)p->s[p->i];
  if (b == '\n' || (b == '\r' && p->s[p->i + 1] != '\n')) p->line++, p->col = 1;
  else if ((b & 0xC0) != 0x80 && b != '\r') p->col++;
  p->i++;
}

static int fail(parser *p, int line, int col, const char *msg) {
  return hs_error_set(p->err, HS_EINPUT, "%s:%d:%d: %s", p->t->path, line, col, msg);
}

static int push(parser *p, char *cell, int line, int col) {
  if (p->n == p->cap) {
    int cap = p->cap ? 2 * p->cap : 64;
    char **c = realloc(p->t->cell, sizeof *c * (size_t)cap);
    if (c) p->t->cell = c;
    int *l = c ? realloc(p->t->line, sizeof *l * (size_t)cap) : NULL;
    if (l) p->t->line = l;
    int *k = l ? realloc(p->t->col, sizeof *k * (size_t)cap) : NULL;
    if (!k) return hs_error_set(p->err, HS_ENOMEM, "%s: out of memory", p->t->path);
    p->t->col = k;
    p->cap = cap;
  }
  p->t->cell[p->n] = cell, p->t->line[p->n] = line, p->t->col[p->n++] = col;
  return HS_OK;
}

/* One field from s[i] up to (not past) the ',' or line end that ends it. */
static int field(parser *p) {
  while (p->s[p->i] == ' ' || p->s[p->i] == '\t') advance(p);
  int line = p->line, col = p->col;
  char *cell = p->out;
  if (p->s[p->i] == '"') {
    advance(p);
    for (;;) {
      if (!p->s[p->i]) return fail(p, line, col, "a quoted field is not closed");
      if (p->s[p->i] == '"' && p->s[p->i + 1] != '"') break;
      if (p->s[p->i] == '"') advance(p);
      *p->out++ = p->s[p->i];
      advance(p);
    }
    advance(p);
    while (p->s[p->i] == ' ' || p->s[p->i] == '\t') advance(p);
    if (p->s[p->i] && p->s[p->i] != ',' && !at_eol(p))
      return fail(p, p->line, p->col, "text after a closing quote (quote the whole field)");
  } else {
    char *last = p->out;
    while (p->s[p->i] && p->s[p->i] != ',' && !at_eol(p)) {
      if (p->s[p->i] == '"') return fail(p, p->line, p->col, "a quote inside an unquoted field");
      *p->out++ = p->s[p->i];
      if (p->s[p->i] != ' ' && p->s[p->i] != '\t') last = p->out;
      advance(p);
    }
    p->out = last;
  }
  *p->out++ = '\0';
  return push(p, cell, line, col);
}

/* A blank line or a '#' comment line at s[i]: skip it. */
static int skip_line(parser *p) {
  size_t j = p->i;
  while (p->s[j] == ' ' || p->s[j] == '\t') j++;
  if (p->s[j] != '#' && p->s[j] != '\n' && p->s[j] != '\r' && p->s[j]) return 0;
  while (p->s[p->i] && !at_eol(p)) advance(p);
  if (p->s[p->i] == '\r') advance(p);
  if (p->s[p->i] == '\n') advance(p);
  return 1;
}

static int row(parser *p) {
  int first = p->n, line = p->line;
  for (;;) {
    int rc = field(p);
    if (rc) return rc;
    if (p->s[p->i] != ',') break;
    advance(p);
  }
  int n = p->n - first;
  if (p->t->n_rows == 0) p->t->n_cols = n;
  else if (n != p->t->n_cols) {
    char msg[160];
    snprintf(msg, sizeof msg, "%d cells where the header has %d%s", n, p->t->n_cols,
             n < p->t->n_cols ? " (a missing cell?)" : " (an extra ',' or an unquoted comma?)");
    return n < p->t->n_cols ? fail(p, p->line, p->col, msg)
                            : fail(p, line, p->t->col[first + p->t->n_cols], msg);
  }
  p->t->n_rows++;
  if (p->s[p->i] == '\r') advance(p);
  if (p->s[p->i] == '\n') advance(p);
  return HS_OK;
}

int hs__csv_load(hs__csv *t, const char *path, hs_error *err) {
  memset(t, 0, sizeof *t);
  char *text = hs__read_file(path, err);
  if (!text) return err ? err->code : HS_EINPUT;
  size_t len = strlen(text);
  t->hash = 0xcbf29ce484222325ULL; /* FNV-1a offset basis and prime (Fowler, Noll, Vo) */
  for (size_t k = 0; k < len; k++) t->hash = (t->hash ^ (unsigned char)text[k]) * 0x100000001b3ULL;
  parser p = {text, 0, 1, 1, NULL, t, 0, 0, err};
  t->path = strdup(path);
  t->buf = malloc(len + 2);
  int rc = HS_OK;
  if (!t->path || !t->buf) rc = hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  p.out = t->buf;
  if (!rc && strncmp(text, "\xEF\xBB\xBF", 3) == 0) p.i = 3;
  while (!rc && text[p.i])
    if (!skip_line(&p)) rc = row(&p);
  if (!rc && t->n_rows == 0) rc = hs_error_set(err, HS_EINPUT, "%s: no header line", path);
  free(text);
  if (rc) hs__csv_release(t);
  return rc;
}

const char *hs__csv_cell(const hs__csv *t, int row, int c) {
  return t->cell[(size_t)row * t->n_cols + c];
}

int hs__csv_error(const hs__csv *t, int row, int c, hs_error *err, const char *fmt, ...) {
  char msg[HS_ERROR_MSG_LEN - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t k = (size_t)row * t->n_cols + c;
  return hs_error_set(err, HS_EINPUT, "%s:%d:%d: %s", t->path, t->line[k], t->col[k], msg);
}

void hs__csv_release(hs__csv *t) {
  free(t->path), free(t->buf), free(t->cell), free(t->line), free(t->col);
  memset(t, 0, sizeof *t);
}

int hs__csv_path(const char *base, const char *rel, char *out, size_t size, hs_error *err) {
  const char *slash = base ? strrchr(base, '/') : NULL;
  int n = rel[0] == '/' || !slash ? snprintf(out, size, "%s", rel)
                                  : snprintf(out, size, "%.*s/%s", (int)(slash - base), base, rel);
  if (n < 0 || (size_t)n >= size)
    return hs_error_set(err, HS_EINPUT, "file name too long: '%s'", rel);
  return HS_OK;
}
