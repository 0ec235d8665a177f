/* h5util.c - HDF5 helpers shared by output.c and the sweep file's sweepfile*.c (see
 * h5util.h): HDF5 errors as HS_EIO messages, quiet error printing, scalar attributes written
 * and read. */
#include "h5util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------------------- */

static herr_t collect_error(unsigned n, const H5E_error2_t *e, void *data) {
  hs__h5_why *w = data;
  if (!e->desc) return 0;
  char *dst = n == 0 ? w->top : w->deep;
  snprintf(dst, sizeof w->top, "%s", e->desc);
  for (char *p = dst; *p; p++) /* HDF5's write errors carry a ctime() line break */
    if (*p == '\n') *p = ' ';
  return 0;
}

hs__h5_why hs__h5_stack(void) {
  hs__h5_why w = {"", ""};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &w);
  return w;
}

int hs__h5_fail(const hs__h5ctx *c, const char *fmt, ...) {
  char op[256];
  hs__h5_why w = hs__h5_stack();
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(op, sizeof op, fmt, ap);
  va_end(ap);
  return hs_error_set(c->err, HS_EIO, "%s: HDF5 %s failed%s%s%s%s%s", c->path, op,
                      w.top[0] ? ": " : "", w.top, w.deep[0] ? " (" : "", w.deep,
                      w.deep[0] ? ")" : "");
}

void hs__h5_close(hid_t id) {
  if (id >= 0) H5Idec_ref(id);
}

hs__h5_quiet hs__h5_quiet_begin(void) {
  hs__h5_quiet q = {NULL, NULL};
  H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return q;
}

void hs__h5_quiet_end(hs__h5_quiet q) { H5Eset_auto2(H5E_DEFAULT, q.fn, q.data); }

/* ---- types and names ---------------------------------------------------------------- */

hid_t hs__h5_vlen_utf8(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return t;
  if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    H5Tclose(t);
    return -1;
  }
  return t;
}

int hs__h5_compress(const hs__h5ctx *c, hid_t dcpl, int rank, const hsize_t *chunk,
                    const char *name) {
  int rc = HS_OK;
  HS_H5TRY(H5Pset_chunk(dcpl, rank, chunk), "H5Pset_chunk for '%s'", name);
  HS_H5TRY(H5Pset_shuffle(dcpl), "H5Pset_shuffle for '%s'", name);
  /* level 1: in a 3000-run sweep (FUDR LHS, callgrind) level 4 costs 35 % more
   * instructions in the writer for files 0.7 % smaller */
  HS_H5TRY(H5Pset_deflate(dcpl, 1), "H5Pset_deflate for '%s'", name);
  /* last in the write pipeline, so first on reading: the checksum covers the stored
   * (compressed) bytes and a damaged chunk is refused before it is inflated (h5py orders
   * its filters the same way) */
  HS_H5TRY(H5Pset_fletcher32(dcpl), "H5Pset_fletcher32 for '%s'", name);
done:
  return rc;
}

hid_t hs__h5_fapl(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

hid_t hs__h5_fixed_utf8(size_t len) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return t;
  if (H5Tset_size(t, len) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
      H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    H5Tclose(t);
    return -1;
  }
  return t;
}

const char *hs__h5_obj_name(hid_t id, char *buf, size_t n) {
  if (H5Iget_name(id, buf, n) <= 0) snprintf(buf, n, "?");
  return buf;
}

/* ---- attributes --------------------------------------------------------------------- */

int hs__h5_attr_write(const hs__h5ctx *c, hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                      const void *value) {
  int rc = HS_OK;
  hid_t space = -1, attr = -1;
  HS_H5ID(space, H5Screate(H5S_SCALAR), "H5Screate for attribute '%s'", name);
  HS_H5ID(attr, H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT),
          "H5Acreate2 '%s'", name);
  HS_H5TRY(H5Awrite(attr, mtype, value), "H5Awrite '%s'", name);
done:
  hs__h5_close(attr);
  hs__h5_close(space);
  return rc;
}

int hs__h5_attr_str(const hs__h5ctx *c, hid_t loc, const char *name, const char *value) {
  int rc = HS_OK;
  hid_t type = -1;
  const char *v = value ? value : "";
  HS_H5ID(type, hs__h5_vlen_utf8(), "H5Tcopy (string type) for '%s'", name);
  rc = hs__h5_attr_write(c, loc, name, type, type, &v);
done:
  hs__h5_close(type);
  return rc;
}

int hs__h5_attr_i64(const hs__h5ctx *c, hid_t loc, const char *name, int64_t v) {
  return hs__h5_attr_write(c, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

int hs__h5_attr_f64(const hs__h5ctx *c, hid_t loc, const char *name, double v) {
  return hs__h5_attr_write(c, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

int hs__h5_attr_units(const hs__h5ctx *c, hid_t loc, const char *units, const char *long_name) {
  int rc = hs__h5_attr_str(c, loc, "units", units);
  return rc ? rc : hs__h5_attr_str(c, loc, "long_name", long_name);
}

int hs__h5_attr_set(const hs__h5ctx *c, hid_t loc, const char *name, hid_t mtype,
                    const void *value) {
  int rc = HS_OK;
  hid_t attr = -1;
  HS_H5ID(attr, H5Aopen(loc, name, H5P_DEFAULT), "H5Aopen '%s'", name);
  HS_H5TRY(H5Awrite(attr, mtype, value), "H5Awrite '%s'", name);
done:
  hs__h5_close(attr);
  return rc;
}

int hs__h5_attr_get(hid_t loc, const char *name, hid_t mtype, void *value) {
  int ok = 0;
  hid_t attr = -1, space = -1;
  if (H5Aexists(loc, name) <= 0) return -1;
  if ((attr = H5Aopen(loc, name, H5P_DEFAULT)) >= 0 && (space = H5Aget_space(attr)) >= 0)
    ok = H5Sget_simple_extent_npoints(space) == 1 && H5Aread(attr, mtype, value) >= 0;
  hs__h5_close(space);
  hs__h5_close(attr);
  return ok ? 0 : -1;
}

char *hs__h5_attr_get_str(hid_t loc, const char *name) {
  char *v = NULL;
  hid_t type = hs__h5_vlen_utf8();
  if (type < 0 || hs__h5_attr_get(loc, name, type, &v) < 0) v = NULL;
  hs__h5_close(type);
  return v;
}

int hs__h5_attr_str_is(hid_t loc, const char *name, const char *want) {
  char *v = hs__h5_attr_get_str(loc, name);
  int same = v && !strcmp(v, want ? want : "");
  if (v) H5free_memory(v);
  return same;
}
