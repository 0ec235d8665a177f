/* yamldoc.h - private: a loaded YAML document with file:line:col error reporting and
 * table-driven reading of mappings into structs. Only solver/input/yamldoc.c includes yaml.h. */
#ifndef HS_YAMLDOC_H
#define HS_YAMLDOC_H

#include <stddef.h>

#include "hs_error.h"
#include "hs_registry.h"
#include "hs_units.h"

typedef struct hs__ydoc hs__ydoc;
typedef int hs__ynode; /* node index in the document, 0 = none */

typedef enum hs__ytype { HS_Y_NONE, HS_Y_SCALAR, HS_Y_SEQ, HS_Y_MAP } hs__ytype;

/* Limits on a scenario or data file. Every file shipped is under 20 KB; the limits stop a
 * file given by mistake (a log, a binary, a generated one) before it costs seconds or
 * gigabytes: libyaml keeps the whole tree in memory at several times the file's size,
 * and its time grows with the square of the nesting depth (40,000 nested '[', 80 KB,
 * took 4.9 s). */
#define HS_YDOC_MAX_BYTES (4L << 20) /* 4 MiB */
#define HS_YDOC_MAX_DEPTH 64         /* lists and mappings inside one another */

/* Read the file at path into a NUL-terminated malloc'd string. Refuses (NULL, err set) a
 * file over HS_YDOC_MAX_BYTES before reading it, and one with a NUL byte, invalid UTF-8
 * or a UTF-16/UTF-32 byte-order mark with the line and column of the offending byte. */
char *hs__read_file(const char *path, hs_error *err);

/* Parse text (name is used in messages): one YAML document, at most HS_YDOC_MAX_DEPTH
 * deep, no aliases, the text checked as by hs__read_file. Returns NULL with err set
 * ("<name>:<line>:<col>: ...") on any refusal or syntax error. */
hs__ydoc *hs__ydoc_parse(const char *name, const char *text, hs_error *err);

/* hs__read_file and hs__ydoc_parse: NULL with err set on failure; free with hs__ydoc_free. */
hs__ydoc *hs__ydoc_load(const char *path, hs_error *err);
void hs__ydoc_free(hs__ydoc *d);

hs__ynode hs__ydoc_root(const hs__ydoc *d);
hs__ytype hs__ydoc_type(const hs__ydoc *d, hs__ynode n);
const char *hs__ydoc_scalar(const hs__ydoc *d, hs__ynode n); /* NULL unless scalar */
int hs__ydoc_line(const hs__ydoc *d, hs__ynode n);           /* 1-based */
int hs__ydoc_len(const hs__ydoc *d, hs__ynode n);            /* items of seq or map */
hs__ynode hs__ydoc_item(const hs__ydoc *d, hs__ynode seq, int i);
hs__ynode hs__ydoc_key(const hs__ydoc *d, hs__ynode map, int i);
hs__ynode hs__ydoc_value(const hs__ydoc *d, hs__ynode map, int i);
hs__ynode hs__ydoc_get(const hs__ydoc *d, hs__ynode map, const char *key);

/* Set err to "<file>:<line>:<col>: '<path>': <message>" at node n; returns HS_EINPUT. */
int hs__ydoc_error(const hs__ydoc *d, hs__ynode n, const char *path, hs_error *err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Field tables: how a mapping's keys are read into a struct. */
typedef enum hs__ftype {
  HS_F_QTY,  /* double, with a unit of `kind`, stored at offset */
  HS_F_INT,  /* int, a positive whole number */
  HS_F_BOOL, /* int 0/1 from true/false */
  HS_F_ENUM, /* int index into `options` (NULL-terminated) */
  HS_F_TEXT, /* char[size] */
  HS_F_SKIP  /* read by the caller */
} hs__ftype;

/* Range of a HS_F_QTY (hs_registry.h), optionally or'ed with HS_R_SCALED: per m2 / per kg
 * forms are accepted (hs_units_convert_scaled) and reported in hs__fieldinfo.norm. */
typedef hs_range hs__range;

/* A key of a mapping. A scenario quantity names its registry entry (reg), which gives its
 * key, kind and range; key may then be NULL (or "\x01" to disable it in one reading). */
typedef struct hs__field {
  const char *key;
  hs__ftype type;
  hs_kind kind;
  size_t offset;
  hs__range range;
  const char *const *options; /* HS_F_ENUM */
  size_t size;                /* HS_F_TEXT */
  const hs_reg_entry *reg;    /* the registry's declaration, or NULL */
} hs__field;

/* A quantity declared in the registry, read at offset: HS_REG(HS_REG_TUMOR_VOLUME, off). */
#define HS_REG(id, off) {NULL, HS_F_QTY, HS_KIND_NUMBER, off, HS_R_ANY, NULL, 0, &hs_registry[id]}
/* A registry quantity the caller reads itself. */
#define HS_REG_SKIP(id) {NULL, HS_F_SKIP, HS_KIND_NUMBER, 0, HS_R_ANY, NULL, 0, &hs_registry[id]}

/* Key, kind and range of a field (from its registry entry when it has one). */
static inline const char *hs__field_key(const hs__field *f) {
  return f->key ? f->key : f->reg->key;
}
static inline hs_kind hs__field_kind(const hs__field *f) { return f->reg ? f->reg->kind : f->kind; }
static inline int hs__field_range(const hs__field *f) { return f->reg ? f->reg->range : (int)f->range; }

/* The basis a concentration-dependent value was written on. */
typedef enum hs__basis { HS_BASIS_BLOOD = 0, HS_BASIS_PLASMA, HS_BASIS_UNBOUND } hs__basis;

/* How a value was written: its basis and normalisation. */
typedef struct hs__fieldinfo {
  int set;       /* the key was present */
  int line;      /* its line */
  hs__basis basis; /* value: {..., basis: plasma|blood|unbound} */
  hs_norm norm;  /* per m2 / per kg (fields with `scaled` only) */
} hs__fieldinfo;

/* Check the source and confidence of a sourced mapping {value..., source, confidence}:
 * both present, confidence one of high, medium, low, derived. */
int hs__ydoc_check_sourced(const hs__ydoc *d, hs__ynode map, const char *path, hs_error *err);

/* Read mapping `map` at `path` into base using fields[0..n). Unknown keys are refused
 * with a did-you-mean. info (may be NULL) receives per-field presence. With
 * need_source, every quantity must be written as {value, source, confidence}. A choice
 * (HS_F_ENUM) may be written either way; as a mapping it then needs the two as well. */
int hs__ydoc_read(const hs__ydoc *d, hs__ynode map, const char *path, const hs__field *fields,
                  int n, void *base, hs__fieldinfo *info, int need_source, hs_error *err);

/* Refuse x (internal units, written as text at node v) outside range: "must be > 0, got
 * '<text>'" at path. */
int hs__ydoc_check_range(const hs__ydoc *d, hs__ynode v, const char *path, double x,
                         const char *text, int range, hs_error *err);

/* names[0..n) (n < 0: up to a NULL) as "a, b or c" into buf. */
void hs__join_or(const char *const *names, int n, char *buf, size_t size);

/* The closest candidate to `word` within a small edit distance, or NULL. */
const char *hs__did_you_mean(const char *word, const char *const *cands, int n);

#endif
