/* h5util.h - private: HDF5 helpers shared by output.c and the sweep file (sweepfile*.c):
 * checked calls that turn HDF5 failures into HS_EIO messages, quiet error printing, scalar
 * attributes. */
#ifndef HS_H5UTIL_H
#define HS_H5UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "hs_error.h"

/* Where messages go: the file named in them and the caller's error record. */
typedef struct hs__h5ctx {
  const char *path; /* for messages */
  hs_error *err;
  hid_t dxpl;       /* transfer properties of writes: H5P_DEFAULT (0), or collective MPI-IO */
} hs__h5ctx;

/* HDF5's error stack, walked downward: the API-level message and the innermost one. */
typedef struct hs__h5_why {
  char top[256], deep[256];
} hs__h5_why;

/* HDF5's automatic error printing as it was before hs__h5_quiet_begin. */
typedef struct hs__h5_quiet {
  H5E_auto2_t fn;
  void *data;
} hs__h5_quiet;

/* The messages on HDF5's current error stack ("" where there is none). */
hs__h5_why hs__h5_stack(void);

/* Sets c->err to HS_EIO naming c->path, the operation (printf-style) and HDF5's
 * messages; returns HS_EIO. */
int hs__h5_fail(const hs__h5ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checked calls: HS_H5TRY for herr_t/htri_t results, HS_H5ID for handles. Need int rc,
 * const hs__h5ctx *c and a label done in the caller. */
#define HS_H5TRY(call, ...)                                                                    \
  do {                                                                                         \
    if ((call) < 0) {                                                                          \
      rc = hs__h5_fail(c, __VA_ARGS__);                                                        \
      goto done;                                                                               \
    }                                                                                          \
  } while (0)
#define HS_H5ID(id, call, ...) HS_H5TRY((id) = (call), __VA_ARGS__)

/* Releases one reference to id; ignores invalid (negative) ids. */
void hs__h5_close(hid_t id);

/* Saves HDF5's automatic error printing and switches it off; undo with quiet_end. */
hs__h5_quiet hs__h5_quiet_begin(void);

/* Restores the error printing saved by hs__h5_quiet_begin. */
void hs__h5_quiet_end(hs__h5_quiet q);

/* File access of every file hepatosim writes: the HDF5 1.8 file format (readable by HDF5 >=
 * 1.8), whose superblock and object headers carry checksums, so damaged metadata is refused
 * instead of trusted. Not the 1.10 format: its superblock marks a file open for writing, and
 * the .partial of a killed sweep could then not be reopened for --resume without h5clear.
 * The caller closes it; negative on failure. */
hid_t hs__h5_fapl(void);

/* A new variable-length UTF-8 string type (h5py reads it as str); negative on failure. */
hid_t hs__h5_vlen_utf8(void);

/* Chunked (chunk[0..rank)), shuffled, deflated (level 4) and checksummed (Fletcher32; no
 * filter plugins needed) storage on dcpl for dataset `name`: the layout of every compressed
 * dataset hepatosim writes. HS_EIO naming the call on failure. */
int hs__h5_compress(const hs__h5ctx *c, hid_t dcpl, int rank, const hsize_t *chunk,
                    const char *name);

/* A fixed-length UTF-8 string type of len bytes (NUL-terminated, NUL-padded): parallel
 * HDF5 (the MPI-IO driver) cannot write variable-length strings. */
hid_t hs__h5_fixed_utf8(size_t len);

/* The name of the open object id into buf (n bytes, "?" if unknown); returns buf. */
const char *hs__h5_obj_name(hid_t id, char *buf, size_t n);

/* New scalar attribute `name` on loc: file type ftype, *value in memory type mtype. */
int hs__h5_attr_write(const hs__h5ctx *c, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                      const void *value);

/* New scalar UTF-8 string attribute (NULL value writes ""). */
int hs__h5_attr_str(const hs__h5ctx *c, hid_t loc, const char *name, const char *value);

/* New scalar attribute stored as little-endian int64. */
int hs__h5_attr_i64(const hs__h5ctx *c, hid_t loc, const char *name, int64_t v);

/* New scalar attribute stored as little-endian IEEE float64. */
int hs__h5_attr_f64(const hs__h5ctx *c, hid_t loc, const char *name, double v);

/* The string attributes "units" and "long_name" (CF conventions) on loc. */
int hs__h5_attr_units(const hs__h5ctx *c, hid_t loc, const char *units, const char *long_name);

/* Overwrites the existing scalar attribute `name` with *value of memory type mtype. */
int hs__h5_attr_set(const hs__h5ctx *c, hid_t loc, const char *name, hid_t mtype,
                    const void *value);

/* Reads a one-element attribute as mtype: 0, or -1 when missing, not scalar or unreadable. */
int hs__h5_attr_get(hid_t loc, const char *name, hid_t mtype, void *value);

/* A string attribute, allocated by HDF5 (release with H5free_memory); NULL if missing. */
char *hs__h5_attr_get_str(hid_t loc, const char *name);

/* 1 when string attribute `name` exists and equals want (NULL counts as ""), else 0. */
int hs__h5_attr_str_is(hid_t loc, const char *name, const char *want);

#endif
