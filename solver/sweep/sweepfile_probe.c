/* sweepfile_probe.c - a sweep file's metadata read once in a child process before info,
 * merge, verify or resume use it (see sweepfile_int.h).
 *
 * Why a child: HDF5 1.10.8 trusts some of what it reads. A damaged file can make it free
 * or copy through garbage (seen: SIGSEGV in H5G__dense_get_name_by_idx while listing the
 * root, and in H5HG_read for a string attribute whose global-heap entry was damaged), and
 * no check from outside the library can see that coming. So a forked child walks every
 * link (by name and by creation order), every object's header and every attribute value,
 * the reads that went wrong; if it dies by a signal the file is refused, and if it
 * survives, the same reads in this process are safe (they are deterministic). Raw chunks
 * are not read there: each carries a Fletcher32 checksum, checked before it is inflated.
 * Cost: one fork and a pass over the metadata (milliseconds). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

/* Read attribute `name` of loc whole, with its own type (strings as strings). */
static herr_t read_attr(hid_t loc, const char *name, const H5A_info_t *ai, void *op) {
  (void)ai, (void)op;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT), ty = a >= 0 ? H5Aget_type(a) : -1;
  hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
  hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  size_t sz = ty >= 0 ? H5Tget_size(ty) : 0;
  void *buf = n >= 0 && sz > 0 && (size_t)n < ((size_t)1 << 28) / sz ? calloc((size_t)n + 1, sz) : NULL;
  if (buf && H5Aread(a, ty, buf) >= 0 &&
      (H5Tis_variable_str(ty) > 0 || H5Tdetect_class(ty, H5T_VLEN) > 0))
    H5Dvlen_reclaim(ty, sp, H5P_DEFAULT, buf);
  free(buf);
  hs__h5_close(sp);
  hs__h5_close(ty);
  hs__h5_close(a);
  return 0;
}

/* An object: its header, attributes, and for a dataset its space, type and creation
 * properties (the filter pipeline). */
static herr_t walk_link(hid_t g, const char *name, const H5L_info_t *li, void *op) {
  (void)li, (void)op;
  H5O_info_t oi;
  if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_ALL, H5P_DEFAULT) < 0) return 0;
  hid_t o = H5Oopen(g, name, H5P_DEFAULT);
  if (o < 0) return 0;
  H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, read_attr, NULL);
  if (oi.type == H5O_TYPE_DATASET) {
    hid_t sp = H5Dget_space(o), ty = H5Dget_type(o), dcpl = H5Dget_create_plist(o);
    hsize_t d[H5S_MAX_RANK];
    if (sp >= 0) H5Sget_simple_extent_dims(sp, d, NULL);
    if (dcpl >= 0) H5Pget_nfilters(dcpl);
    hs__h5_close(dcpl), hs__h5_close(ty), hs__h5_close(sp);
  }
  hs__h5_close(o);
  return 0;
}

/* The child: every root link by both indexes, every object and attribute. */
static void walk(const char *path) {
  char name[HS_SF_NAME_MAX + 2];
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  H5G_info_t gi;
  if (file >= 0 && H5Gget_info(file, &gi) >= 0) {
    H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, NULL, read_attr, NULL);
    for (hsize_t i = 0; i < gi.nlinks; i++) hs__sweepfile_link_name(file, i, name, sizeof name);
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, walk_link, NULL);
    hsize_t n = 0;
    char **drugs = hs__sweepfile_read_strings(file, "drug", &n);
    hs__sweepfile_free_strings(drugs, n);
  }
  if (file >= 0) H5Fclose(file); /* tidy for valgrind; the child ends with _exit next */
}

int hs__sweepfile_probe(const char *path, hs_error *err) {
  fflush(NULL); /* nothing buffered twice */
  pid_t pid = fork();
  if (pid == 0) {
    walk(path);
    _exit(0); /* no exit handlers: the parent owns the files and HDF5's state */
  }
  if (pid < 0) return HS_OK; /* no child to spare: read in this process as before */
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return HS_OK;
  if (WIFSIGNALED(st)) /* or a sanitizer's report (the child exits 0 otherwise) */
    return hs_error_set(err, HS_EINPUT, "%s is damaged: reading its metadata crashed the HDF5 "
                        "library (signal %d in a test read); the file is not used", path,
                        WTERMSIG(st));
  if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
    return hs_error_set(err, HS_EINPUT, "%s is damaged: reading its metadata failed in a test "
                        "read (exit %d); the file is not used", path, WEXITSTATUS(st));
  return HS_OK;
}
