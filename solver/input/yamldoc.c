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
#include <yaml.h>

struct hs__ydoc {
  yaml_document_t doc;
  char name[512];
};

static yaml_node_t *node(const hs__ydoc *d, hs__ynode n) {
  return n > 0 ? yaml_document_get_node((yaml_document_t *)&d->doc, n) : NULL;
}

hs__ydoc *hs__ydoc_parse(const char *name, const char *text, hs_error *err) {
  hs__ydoc *d = calloc(1, sizeof *d);
  yaml_parser_t parser;
  if (!d) {
    hs_error_set(err, HS_ENOMEM, "%s: out of memory", name);
    return NULL;
  }
  snprintf(d->name, sizeof d->name, "%s", name);
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  if (!yaml_parser_load(&parser, &d->doc)) {
    yaml_mark_t m = parser.problem_mark, c = parser.context_mark;
    char where[96] = ""; /* where the construct that failed began, if elsewhere */
    const char *pr = parser.problem ? parser.problem : "";
    if (parser.context && c.line != m.line && !strstr(parser.context, "plain scalar"))
      snprintf(where, sizeof where, " that starts at line %zu, column %zu", c.line + 1,
               c.column + 1);
    if (strstr(pr, "tab character"))
      snprintf(where, sizeof where, " (indent with spaces, not tabs)");
    else if (strstr(pr, "mapping values are not allowed"))
      snprintf(where, sizeof where, " (check this line's indentation, or quote a value "
               "that contains ': ')");
    hs_error_set(err, HS_EINPUT, "%s:%zu:%zu: YAML syntax error: %s%s%s%s", name, m.line + 1,
                 m.column + 1, parser.problem ? parser.problem : "unreadable",
                 parser.context ? " " : "", parser.context ? parser.context : "", where);
    yaml_parser_delete(&parser);
    free(d);
    return NULL;
  }
  yaml_parser_delete(&parser);
  if (!yaml_document_get_root_node(&d->doc)) {
    hs_error_set(err, HS_EINPUT, "%s:1:1: the file is empty", name);
    hs__ydoc_free(d);
    return NULL;
  }
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
