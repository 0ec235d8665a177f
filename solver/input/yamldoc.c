/* yamldoc.c - YAML documents (libyaml) with positions, and table-driven field reading.
 * The only file that includes yaml.h. */
#include "yamldoc.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

struct hs__ydoc {
  yaml_document_t doc;
  char name[512];
};

static yaml_node_t *node(const hs__ydoc *d, hs__ynode n) {
  return n > 0 ? yaml_document_get_node((yaml_document_t *)&d->doc, n) : NULL;
}

/* ---- reading and checking the text ------------------------------------------------- */

/* Line and column (1-based) of byte off of text. Columns count characters, as libyaml's
 * do, and a UTF-8 byte-order mark is not one. */
static void text_pos(const char *text, size_t off, size_t *line, size_t *col) {
  size_t i = strncmp(text, "\xEF\xBB\xBF", 3) == 0 && off >= 3 ? 3 : 0;
  *line = 1, *col = 1;
  for (; i < off; i++) {
    unsigned char b = (unsigned char)text[i];
    if (b == '\n' || (b == '\r' && text[i + 1] != '\n')) ++*line, *col = 1;
    else if ((b & 0xC0) != 0x80 && b != '\r') ++*col;
  }
}

/* Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0 (RFC 3629:
 * no overlong forms, surrogates or code points above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned char b = s[0], lo = 0x80, hi = 0xBF;
  size_t len = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
             : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
  if (!len || len > n) return 0;
  if (b == 0xE0) lo = 0xA0;
  else if (b == 0xED) hi = 0x9F;
  else if (b == 0xF0) lo = 0x90;
  else if (b == 0xF4) hi = 0x8F;
  if (len > 1 && (s[1] < lo || s[1] > hi)) return 0;
  for (size_t k = 2; k < len; k++)
    if ((s[k] & 0xC0) != 0x80) return 0;
  return len;
}

static int too_big(const char *name, size_t n, hs_error *err) {
  return hs_error_set(err, HS_EINPUT, "%s: file is %zu bytes, larger than the limit of %ld "
                      "bytes for a scenario or data file", name, n, (long)HS_YDOC_MAX_BYTES);
}

/* Refuse text of n bytes that is too large, not UTF-8, or holds a NUL byte, naming the
 * line and column of the first offending byte. */
static int check_text(const char *name, const char *text, size_t n, hs_error *err) {
  const unsigned char *s = (const unsigned char *)text;
  size_t line, col, len;
  if (n > HS_YDOC_MAX_BYTES) return too_big(name, n, err);
  const char *enc = n >= 4 && (!memcmp(s, "\0\0\xFE\xFF", 4) || !memcmp(s, "\xFF\xFE\0\0", 4))
                        ? "UTF-32"
                    : n >= 2 && (!memcmp(s, "\xFE\xFF", 2) || !memcmp(s, "\xFF\xFE", 2))
                        ? "UTF-16"
                        : NULL;
  if (enc)
    return hs_error_set(err, HS_EINPUT, "%s:1:1: the file is %s (it starts with a "
                        "byte-order mark); save it as UTF-8", name, enc);
  for (size_t i = 0; i < n; i += len) {
    len = s[i] ? utf8_len(s + i, n - i) : 0;
    if (len) continue;
    text_pos(text, i, &line, &col);
    if (!s[i])
      return hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: NUL byte: not a text file (scenario "
                          "and data files are UTF-8 text)", name, line, col);
    return hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: invalid UTF-8 (byte 0x%02X); save the "
                        "file as UTF-8", name, line, col, s[i]);
  }
  return HS_OK;
}

char *hs__read_file(const char *path, hs_error *err) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  if (!f) {
    hs_error_set(err, HS_EINPUT, "%s: cannot open file", path);
    return NULL;
  }
  struct stat st; /* a directory's size is not its text's */
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || fseek(f, 0, SEEK_END) != 0)
    goto fail;
  long n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) goto fail;
  if (n > HS_YDOC_MAX_BYTES) { /* before reading it */
    too_big(path, (size_t)n, err);
    fclose(f);
    return NULL;
  }
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) goto fail;
  buf[n] = '\0';
  fclose(f);
  if (check_text(path, buf, (size_t)n, err)) {
    free(buf);
    return NULL;
  }
  return buf;
fail:
  hs_error_set(err, HS_EINPUT, "%s: cannot read file (is it a directory?)", path);
  free(buf);
  fclose(f);
  return NULL;
}

/* ---- parsing ------------------------------------------------------------------------ */

static int syntax_error(const yaml_parser_t *p, const char *name, const char *text,
                        hs_error *err) {
  yaml_mark_t m = p->problem_mark, c = p->context_mark;
  char where[96] = ""; /* where the construct that failed began, if elsewhere */
  const char *pr = p->problem ? p->problem : "";
  if (p->error == YAML_READER_ERROR) { /* libyaml gives a byte offset, not a mark */
    size_t line, col;
    text_pos(text, p->problem_offset, &line, &col);
    return hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: %s (character code 0x%X)", name, line,
                        col, pr, (unsigned)p->problem_value);
  }
  if (p->error == YAML_MEMORY_ERROR)
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory", name);
  if (p->context && c.line != m.line && !strstr(p->context, "plain scalar"))
    snprintf(where, sizeof where, " that starts at line %zu, column %zu", c.line + 1,
             c.column + 1);
  if (strstr(pr, "tab character"))
    snprintf(where, sizeof where, " (indent with spaces, not tabs)");
  else if (strstr(pr, "mapping values are not allowed"))
    snprintf(where, sizeof where, " (check this line's indentation, or quote a value "
             "that contains ': ')");
  return hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: YAML syntax error: %s%s%s%s", name,
                      m.line + 1, m.column + 1, p->problem ? p->problem : "unreadable",
                      p->context ? " " : "", p->context ? p->context : "", where);
}

static int refuse_at(const char *name, yaml_mark_t m, hs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse_at(const char *name, yaml_mark_t m, hs_error *err, const char *fmt, ...) {
  char msg[HS_ERROR_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: %s", name, m.line + 1, m.column + 1, msg);
}

/* Adds node id to the sequence or mapping being read (top; NULL: id is the root). */
static int attach(yaml_document_t *doc, int *top, int *key, int id) {
  if (!top) return 1;
  if (doc->nodes.start[*top - 1].type == YAML_SEQUENCE_NODE)
    return yaml_document_append_sequence_item(doc, *top, id);
  if (!*key) return *key = id, 1; /* a key: its value comes next */
  int ok = yaml_document_append_mapping_pair(doc, *top, *key, id);
  *key = 0;
  return ok;
}

/* A node for event ev (0: out of memory, or not a node event). */
static int add_node(yaml_document_t *doc, const yaml_event_t *ev) {
  int id = 0;
  if (ev->type == YAML_SCALAR_EVENT)
    id = yaml_document_add_scalar(doc, ev->data.scalar.tag, ev->data.scalar.value,
                                  (int)ev->data.scalar.length, ev->data.scalar.style);
  else if (ev->type == YAML_SEQUENCE_START_EVENT)
    id = yaml_document_add_sequence(doc, ev->data.sequence_start.tag,
                                    ev->data.sequence_start.style);
  else if (ev->type == YAML_MAPPING_START_EVENT)
    id = yaml_document_add_mapping(doc, ev->data.mapping_start.tag,
                                   ev->data.mapping_start.style);
  if (id) doc->nodes.start[id - 1].start_mark = ev->start_mark;
  return id;
}

/* What one event does to the document: a node, the end of one, or a refusal. stack[0..
 * *depth) are the open sequences and mappings, keys[] their pending keys. */
static int on_event(hs__ydoc *d, const yaml_event_t *ev, int *stack, int *keys, int *depth,
                    int *docs, hs_error *err) {
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++*docs > 1)
      return refuse_at(d->name, ev->start_mark, err, "a second YAML document ('---' after "
                       "the first): only one document is allowed in a scenario or data file");
    return HS_OK;
  case YAML_ALIAS_EVENT: /* a shared node would be read once per alias (or, inside its own
                          * anchor, forever): refused rather than expanded */
    return refuse_at(d->name, ev->start_mark, err, "alias '*%s': YAML aliases are not "
                     "supported in scenario and data files; write the value out",
                     (const char *)ev->data.alias.anchor);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    d->doc.nodes.start[stack[--*depth] - 1].end_mark = ev->end_mark;
    return HS_OK;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    if (*depth == HS_YDOC_MAX_DEPTH)
      return refuse_at(d->name, ev->start_mark, err, "lists and mappings nested deeper "
                       "than %d levels", HS_YDOC_MAX_DEPTH);
    /* fall through */
  case YAML_SCALAR_EVENT: {
    int top = *depth ? *depth - 1 : -1, id = add_node(&d->doc, ev);
    if (!id || !attach(&d->doc, top < 0 ? NULL : &stack[top], top < 0 ? NULL : &keys[top], id))
      return hs_error_set(err, HS_ENOMEM, "%s: out of memory", d->name);
    if (ev->type != YAML_SCALAR_EVENT) stack[*depth] = id, keys[(*depth)++] = 0;
    return HS_OK;
  }
  default: return HS_OK;
  }
}

/* Reads the events of text into d->doc, one document, refusing aliases and nesting
 * deeper than HS_YDOC_MAX_DEPTH as they come (libyaml's time grows with the square of
 * the depth, so a deep file is stopped at the limit, not read to its end first). */
static int load_events(hs__ydoc *d, const char *text, hs_error *err) {
  yaml_parser_t parser;
  yaml_event_t ev;
  int stack[HS_YDOC_MAX_DEPTH], keys[HS_YDOC_MAX_DEPTH], depth = 0, docs = 0, rc = HS_OK;
  if (!yaml_parser_initialize(&parser)) return hs_error_set(err, HS_ENOMEM, "out of memory");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  for (int end = 0; !end && !rc;) {
    if (!yaml_parser_parse(&parser, &ev)) {
      rc = syntax_error(&parser, d->name, text, err);
      break;
    }
    end = ev.type == YAML_STREAM_END_EVENT;
    rc = on_event(d, &ev, stack, keys, &depth, &docs, err);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return rc;
}

hs__ydoc *hs__ydoc_parse(const char *name, const char *text, hs_error *err) {
  hs__ydoc *d = calloc(1, sizeof *d);
  if (!d || !yaml_document_initialize(&d->doc, NULL, NULL, NULL, 1, 1)) {
    hs_error_set(err, HS_ENOMEM, "%s: out of memory", name);
    free(d);
    return NULL;
  }
  snprintf(d->name, sizeof d->name, "%s", name);
  if (check_text(name, text, strlen(text), err) || load_events(d, text, err)) {
    hs__ydoc_free(d);
    return NULL;
  }
  if (!yaml_document_get_root_node(&d->doc)) {
    hs_error_set(err, HS_EINPUT, "%s:1:1: the file is empty", name);
    hs__ydoc_free(d);
    return NULL;
  }
  return d;
}

hs__ydoc *hs__ydoc_load(const char *path, hs_error *err) {
  char *text = hs__read_file(path, err);
  hs__ydoc *d = text ? hs__ydoc_parse(path, text, err) : NULL;
  free(text);
  return d;
}

void hs__ydoc_free(hs__ydoc *d) {
  if (!d) return;
  yaml_document_delete(&d->doc);
  free(d);
}

hs__ynode hs__ydoc_root(const hs__ydoc *d) { return node(d, 1) ? 1 : 0; }

hs__ytype hs__ydoc_type(const hs__ydoc *d, hs__ynode n) {
  yaml_node_t *y = node(d, n);
  if (!y) return HS_Y_NONE;
  switch (y->type) {
  case YAML_SCALAR_NODE: return HS_Y_SCALAR;
  case YAML_SEQUENCE_NODE: return HS_Y_SEQ;
  case YAML_MAPPING_NODE: return HS_Y_MAP;
  default: return HS_Y_NONE;
  }
}

const char *hs__ydoc_scalar(const hs__ydoc *d, hs__ynode n) {
  yaml_node_t *y = node(d, n);
  return y && y->type == YAML_SCALAR_NODE ? (const char *)y->data.scalar.value : NULL;
}

int hs__ydoc_line(const hs__ydoc *d, hs__ynode n) {
  yaml_node_t *y = node(d, n);
  return y ? (int)y->start_mark.line + 1 : 0;
}

static int ydoc_col(const hs__ydoc *d, hs__ynode n) {
  yaml_node_t *y = node(d, n);
  return y ? (int)y->start_mark.column + 1 : 0;
}

int hs__ydoc_len(const hs__ydoc *d, hs__ynode n) {
  yaml_node_t *y = node(d, n);
  if (!y) return 0;
  if (y->type == YAML_SEQUENCE_NODE)
    return (int)(y->data.sequence.items.top - y->data.sequence.items.start);
  if (y->type == YAML_MAPPING_NODE)
    return (int)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
  return 0;
}

hs__ynode hs__ydoc_item(const hs__ydoc *d, hs__ynode seq, int i) {
  return node(d, seq)->data.sequence.items.start[i];
}

hs__ynode hs__ydoc_key(const hs__ydoc *d, hs__ynode map, int i) {
  return node(d, map)->data.mapping.pairs.start[i].key;
}

hs__ynode hs__ydoc_value(const hs__ydoc *d, hs__ynode map, int i) {
  return node(d, map)->data.mapping.pairs.start[i].value;
}

hs__ynode hs__ydoc_get(const hs__ydoc *d, hs__ynode map, const char *key) {
  if (hs__ydoc_type(d, map) != HS_Y_MAP) return 0;
  for (int i = 0; i < hs__ydoc_len(d, map); i++) {
    const char *k = hs__ydoc_scalar(d, hs__ydoc_key(d, map, i));
    if (k && strcmp(k, key) == 0) return hs__ydoc_value(d, map, i);
  }
  return 0;
}

int hs__ydoc_error(const hs__ydoc *d, hs__ynode n, const char *path, hs_error *err,
                   const char *fmt, ...) {
  char msg[HS_ERROR_MSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (!*path) /* the document itself: no key to name */
    return hs_error_set(err, HS_EINPUT, "%s:%d:%d: %s", d->name, hs__ydoc_line(d, n),
                        ydoc_col(d, n), msg);
  return hs_error_set(err, HS_EINPUT, "%s:%d:%d: '%s': %s", d->name, hs__ydoc_line(d, n),
                      ydoc_col(d, n), path, msg);
}

/* ---- did you mean ----------------------------------------------------------------- */

static int same(char x, char y) { return tolower((unsigned char)x) == tolower((unsigned char)y); }

/* Edit distance counting a swap of two neighbours as one edit ("hia" is 1 from "hai"). */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int pprev[64] = {0}, prev[64], cur[64];
  for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int sub = prev[j - 1] + !same(a[i - 1], b[j - 1]);
      int del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) &&
          pprev[j - 2] + 1 < cur[j])
        cur[j] = pprev[j - 2] + 1;
    }
    memcpy(pprev, prev, sizeof(int) * (lb + 1));
    memcpy(prev, cur, sizeof(int) * (lb + 1));
  }
  return prev[lb];
}

const char *hs__did_you_mean(const char *word, const char *const *cands, int n) {
  const char *best = NULL;
  int best_d = 99, limit = (int)strlen(word) / 3 + 1;
  if (limit > 3) limit = 3;
  for (int i = 0; i < n; i++) {
    int dist = edit_distance(word, cands[i]);
    if (dist < best_d) best_d = dist, best = cands[i];
  }
  return best_d <= limit ? best : NULL;
}

void hs__join_or(const char *const *names, int n, char *buf, size_t size) {
  if (n < 0)
    for (n = 0; names[n]; n++) continue;
  buf[0] = '\0';
  for (int k = 0; k < n; k++)
    snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
             k == 0 ? "" : k == n - 1 ? " or " : ", ", names[k]);
}

/* ---- field tables ------------------------------------------------------------------ */

static int unknown_key(const hs__ydoc *d, hs__ynode k, const char *path, const hs__field *f,
                       int n, hs_error *err) {
  const char *cands[64] = {0}, *key = hs__ydoc_scalar(d, k);
  char list[512] = "";
  int m = 0;
  for (int i = 0; i < n && m < 64; i++)
    if (hs__field_key(&f[i])[0] != '\x01') cands[m++] = hs__field_key(&f[i]); /* \x01: disabled */
  const char *best = hs__did_you_mean(key, cands, m);
  if (best)
    return hs__ydoc_error(d, k, path, err, "unknown key '%s' (did you mean '%s'?)", key, best);
  for (int i = 0; i < m; i++) {
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", cands[i]);
  }
  return hs__ydoc_error(d, k, path, err, "unknown key '%s'; known keys: %s", key, list);
}

/* text: the value as written, quoted in messages ("got '130 %'") */
int hs__ydoc_check_range(const hs__ydoc *d, hs__ynode v, const char *path, double x,
                         const char *text, int range, hs_error *err) {
  if (hs_range_ok(range, x)) return HS_OK;
  switch (range & ~HS_R_SCALED) {
  case HS_R_POS: return hs__ydoc_error(d, v, path, err, "must be > 0, got '%s'", text);
  case HS_R_NONNEG: return hs__ydoc_error(d, v, path, err, "must be >= 0, got '%s'", text);
  default:
    return hs__ydoc_error(d, v, path, err, "must lie between 0 and 1 (0 %% to 100 %%), got '%s'",
                          text);
  }
}

static int read_qty(const hs__ydoc *d, hs__ynode v, const char *path, const hs__field *f,
                    double *out, hs_norm *norm, hs_error *err) {
  const char *text = hs__ydoc_scalar(d, v);
  hs_kind kind = hs__field_kind(f);
  int range = hs__field_range(f);
  if (!text) return hs__ydoc_error(d, v, path, err, "expected %s", hs_units_kind_name(kind));
  hs_error e;
  int rc = (range & HS_R_SCALED) ? hs_units_convert_scaled(text, kind, out, norm, &e)
                                 : hs_units_convert(text, kind, out, NULL, &e);
  if (rc) return hs__ydoc_error(d, v, path, err, "%s", e.msg);
  return hs__ydoc_check_range(d, v, path, *out, text, range, err);
}

static int read_int(const hs__ydoc *d, hs__ynode v, const char *path, int *out, hs_error *err) {
  const char *t = hs__ydoc_scalar(d, v);
  char *end = NULL;
  long x = t ? strtol(t, &end, 10) : 0;
  if (!t || end == t || *end || x < 1 || x > 1000000)
    return hs__ydoc_error(d, v, path, err, "expected a whole number >= 1, got '%s'", t ? t : "");
  *out = (int)x;
  return HS_OK;
}

static int read_enum(const hs__ydoc *d, hs__ynode v, const char *path, const hs__field *f,
                     int *out, hs_error *err) {
  const char *t = hs__ydoc_scalar(d, v);
  int n = 0;
  char list[256] = "";
  for (; f->options[n]; n++) {
    if (t && strcasecmp(t, f->options[n]) == 0) return *out = n, HS_OK;
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s'%s'", n ? ", " : "", f->options[n]);
  }
  const char *best = t ? hs__did_you_mean(t, f->options, n) : NULL;
  if (best)
    return hs__ydoc_error(d, v, path, err, "unknown value '%s' (did you mean '%s'?)", t, best);
  return hs__ydoc_error(d, v, path, err, "unknown value '%s'; expected one of %s", t ? t : "",
                        list);
}

static int read_bool(const hs__ydoc *d, hs__ynode v, const char *path, int *out, hs_error *err) {
  const char *t = hs__ydoc_scalar(d, v);
  if (t && (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on"))) return *out = 1, HS_OK;
  if (t && (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off"))) return *out = 0, HS_OK;
  return hs__ydoc_error(d, v, path, err, "expected true or false, got '%s'", t ? t : "");
}

int hs__ydoc_check_sourced(const hs__ydoc *d, hs__ynode map, const char *path, hs_error *err) {
  static const char *const levels[] = {"high", "medium", "low", "derived"};
  static const char tail[] = "every library value needs a source and a confidence (high, "
                             "medium, low or derived)";
  if (!hs__ydoc_scalar(d, hs__ydoc_get(d, map, "source")))
    return hs__ydoc_error(d, map, path, err, "missing 'source': %s", tail);
  hs__ynode cn = hs__ydoc_get(d, map, "confidence");
  const char *c = hs__ydoc_scalar(d, cn);
  if (!c) return hs__ydoc_error(d, map, path, err, "missing 'confidence': %s", tail);
  for (int i = 0; i < 4; i++)
    if (!strcmp(c, levels[i])) return HS_OK;
  return hs__ydoc_error(d, cn, path, err, "confidence must be high, medium, low or derived, "
                        "got '%s'", c);
}

static int check_keys(const hs__ydoc *d, hs__ynode map, const char *path,
                      const char *const *keys, int n, hs_error *err) {
  for (int i = 0; i < hs__ydoc_len(d, map); i++) {
    const char *k = hs__ydoc_scalar(d, hs__ydoc_key(d, map, i));
    int ok = 0;
    for (int j = 0; j < n; j++) ok |= k && !strcmp(k, keys[j]);
    if (ok) continue;
    const char *best = k ? hs__did_you_mean(k, keys, n) : NULL;
    return hs__ydoc_error(d, hs__ydoc_key(d, map, i), path, err, "unknown key '%s'%s%s%s",
                          k ? k : "", best ? " (did you mean '" : "", best ? best : "",
                          best ? "'?)" : "");
  }
  return HS_OK;
}

static int read_basis(const hs__ydoc *d, hs__ynode v, const char *path, hs__basis *out,
                      hs_error *err) {
  static const char *const names[] = {"blood", "plasma", "unbound"};
  hs__ynode basis = hs__ydoc_get(d, v, "basis");
  const char *b = hs__ydoc_scalar(d, basis);
  *out = HS_BASIS_BLOOD;
  if (!basis) return HS_OK;
  for (int i = 0; b && i < 3; i++)
    if (!strcmp(b, names[i])) return *out = (hs__basis)i, HS_OK;
  return hs__ydoc_error(d, basis, path, err, "basis must be 'plasma', 'blood' or 'unbound', "
                        "got '%s'", b ? b : "");
}

/* {value: ..., source: ..., confidence: ..., basis: plasma|blood|unbound, note: ...,
 *  fitted_to: the validation observation(s) the value was fitted to} */
static int unwrap_sourced(const hs__ydoc *d, hs__ynode *v, const char *path, int need_source,
                          hs__basis *basis, hs_error *err) {
  static const char *const keys[] = {"value", "source", "confidence", "basis", "note",
                                     "fitted_to"};
  if (hs__ydoc_type(d, *v) != HS_Y_MAP) {
    if (need_source)
      return hs__ydoc_error(d, *v, path, err,
                            "library values need a source: write {value: ..., source: ..., "
                            "confidence: ...}");
    return HS_OK;
  }
  int rc = check_keys(d, *v, path, keys, 6, err);
  if (!rc) rc = read_basis(d, *v, path, basis, err);
  if (rc) return rc;
  hs__ynode val = hs__ydoc_get(d, *v, "value");
  if (!val) return hs__ydoc_error(d, *v, path, err, "missing 'value'");
  if (need_source && (rc = hs__ydoc_check_sourced(d, *v, path, err))) return rc;
  *v = val;
  return HS_OK;
}

static int read_one(const hs__ydoc *d, hs__ynode v, const char *path, const hs__field *f,
                    char *base, int need_source, hs__fieldinfo *info, hs_error *err) {
  hs__basis basis = HS_BASIS_BLOOD;
  hs_norm norm = HS_NORM_NONE;
  int rc = HS_OK;
  /* a quantity, or a choice written with its source ({value: body_size, source: ...}) */
  int sourced = f->type == HS_F_QTY || (f->type == HS_F_ENUM && hs__ydoc_type(d, v) == HS_Y_MAP);
  if (sourced && (rc = unwrap_sourced(d, &v, path, need_source, &basis, err))) return rc;
  void *dst = base + f->offset;
  switch (f->type) {
  case HS_F_QTY: rc = read_qty(d, v, path, f, dst, &norm, err); break;
  case HS_F_INT: rc = read_int(d, v, path, dst, err); break;
  case HS_F_BOOL: rc = read_bool(d, v, path, dst, err); break;
  case HS_F_ENUM: rc = read_enum(d, v, path, f, dst, err); break;
  case HS_F_TEXT: {
    const char *t = hs__ydoc_scalar(d, v);
    if (!t) return hs__ydoc_error(d, v, path, err, "expected text");
    if (strlen(t) >= f->size)
      return hs__ydoc_error(d, v, path, err, "longer than %zu characters", f->size - 1);
    snprintf(dst, f->size, "%s", t);
    break;
  }
  case HS_F_SKIP: break;
  }
  if (!rc && info)
    *info = (hs__fieldinfo){.set = 1, .line = hs__ydoc_line(d, v), .basis = basis, .norm = norm};
  return rc;
}

int hs__ydoc_read(const hs__ydoc *d, hs__ynode map, const char *path, const hs__field *fields,
                  int n, void *base, hs__fieldinfo *info, int need_source, hs_error *err) {
  if (hs__ydoc_type(d, map) != HS_Y_MAP)
    return hs__ydoc_error(d, map, path, err, "expected a mapping of keys to values");
  for (int i = 0; i < hs__ydoc_len(d, map); i++) {
    hs__ynode k = hs__ydoc_key(d, map, i), v = hs__ydoc_value(d, map, i);
    const char *key = hs__ydoc_scalar(d, k);
    if (!key) return hs__ydoc_error(d, k, path, err, "keys must be plain names");
    int j = 0;
    while (j < n && !(key && strcmp(key, hs__field_key(&fields[j])) == 0)) j++;
    if (j == n) return unknown_key(d, k, path, fields, n, err);
    for (int p = 0; p < i; p++)
      if (!strcmp(key, hs__ydoc_scalar(d, hs__ydoc_key(d, map, p))))
        return hs__ydoc_error(d, k, path, err, "duplicate key '%s'", key);
    char sub[256];
    snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
    int rc = read_one(d, v, sub, &fields[j], base, need_source, info ? &info[j] : NULL, err);
    if (rc) return rc;
  }
  return HS_OK;
}
