/* sweepfile_probe.c - reads of a possibly damaged sweep file in a child process: info runs
 * whole there; merge, verify and resume first walk the metadata there (see sweepfile_int.h).
 *
 * Why a child: HDF5 1.10.8 trusts some of what it reads. A damaged file can make it free
 * or copy through garbage (seen: SIGSEGV in H5G__dense_get_name_by_idx while listing the
 * root, and in H5HG_read for a string attribute whose global-heap entry was damaged), and
 * no check from outside the library can see that coming. So a forked child walks every
 * link (by name and by creation order), every object's header and every attribute value,
 * the reads that went wrong; if it dies by a signal the file is refused, and if it
 * survives, the same reads in this process are safe (they are deterministic; the readers'
 * string attributes are read by name as the readers read them). Raw chunks are not read
 * there: each carries a Fletcher32 checksum, checked before it is inflated. A child has a
 * CPU-time limit: a damaged global heap made the library loop forever.
 * Cost: one fork and a pass over the metadata (milliseconds). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/* The string attributes the readers read by name, read as they read them (a variable-length
 * UTF-8 string): an iteration over the attributes can stop early on a damaged one, and a
 * damaged global heap behind such a string made that conversion loop forever. */
static const char *const root_strings[] = {"shard", "design", "design_text", "scenario_text",
                                           "scenario_path", NULL};
static const char *const var_strings[] = {"units", "long_name", "scenario_units", NULL};

static void read_strings(hid_t loc, const char *const *names) {
  for (int i = 0; names[i]; i++) {
    char *v = hs__h5_attr_get_str(loc, names[i]);
    if (v) H5free_memory(v);
  }
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
    read_strings(o, var_strings);
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
    read_strings(file, root_strings);
    for (hsize_t i = 0; i < gi.nlinks; i++) hs__sweepfile_link_name(file, i, name, sizeof name);
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, walk_link, NULL);
    hsize_t n = 0;
    char **drugs = hs__sweepfile_read_strings(file, "drug", &n);
    hs__sweepfile_free_strings(drugs, n);
  }
  if (file >= 0) H5Fclose(file); /* tidy for valgrind; the child ends with _exit next */
}

/* CPU seconds an isolated read may take: 10 s plus one second per 10 MB of file
 * (reading and inflating runs at 100 MB/s and more). CPU time, not wall time, so a loaded
 * machine never refuses a sound file; an endless loop in the library ends with SIGXCPU. */
static rlim_t cpu_limit(const char *path) {
  struct stat sb;
  off_t size = stat(path, &sb) == 0 ? sb.st_size : 0;
  return 10 + (rlim_t)(size / 10000000);
}

/* The child's side: run fn with its output into fd_out, then send the hs_error whole. */
static void child(const char *path, hs__sweepfile_reader fn, int fd_out, int fd_err) {
  hs_error e;
  memset(&e, 0, sizeof e); /* sent whole: no byte of it left undefined */
  rlim_t lim = cpu_limit(path);
  struct rlimit cpu = {lim, lim + 1};
  setrlimit(RLIMIT_CPU, &cpu);
  FILE *out = fd_out >= 0 ? fdopen(fd_out, "w") : NULL;
  fn(path, out, &e);
  if (out) fclose(out);
  for (size_t at = 0; at < sizeof e;) {
    ssize_t w = write(fd_err, (char *)&e + at, sizeof e - at);
    if (w <= 0 && errno != EINTR) break;
    if (w > 0) at += (size_t)w;
  }
  _exit(0); /* no exit handlers: the parent owns the files and HDF5's state */
}

/* Everything readable from fd into a growing buffer (*len bytes). */
static char *slurp(int fd, size_t *len) {
  size_t cap = 4096;
  char *buf = malloc(cap);
  *len = 0;
  for (;;) {
    if (!buf) return NULL;
    if (*len == cap) {
      char *b = realloc(buf, cap *= 2);
      if (!b) free(buf);
      buf = b;
      continue;
    }
    ssize_t r = read(fd, buf + *len, cap - *len);
    if (r == 0 || (r < 0 && errno != EINTR)) return buf;
    if (r > 0) *len += (size_t)r;
  }
}

/* The verdict on a child that ended with status st. */
static int judge(const char *path, int st, hs_error *err) {
  if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU || WTERMSIG(st) == SIGKILL))
    return hs_error_set(err, HS_EINPUT, "%s is damaged: reading it did not end within %llu s "
                        "of CPU time (the HDF5 library looped); the file is not used", path,
                        (unsigned long long)cpu_limit(path));
  if (WIFSIGNALED(st))
    return hs_error_set(err, HS_EINPUT, "%s is damaged: reading it crashed the HDF5 library "
                        "(signal %d in an isolated read); the file is not used", path,
                        WTERMSIG(st));
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) /* a sanitizer's report */
    return hs_error_set(err, HS_EINPUT, "%s is damaged: reading it failed in an isolated read "
                        "(exit %d); the file is not used", path, WEXITSTATUS(st));
  return HS_OK;
}

int hs__sweepfile_isolated(const char *path, hs__sweepfile_reader fn, FILE *out,
                           hs_error *err) {
  int po[2] = {-1, -1}, pe[2];
  fflush(NULL); /* nothing buffered twice */
  if (pipe(pe) < 0) return fn(path, out, err); /* no pipe or child to spare: read here */
  if (out && pipe(po) < 0) po[0] = po[1] = -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(pe[0]);
    if (po[0] >= 0) close(po[0]);
    child(path, fn, out ? po[1] : -1, pe[1]);
  }
  close(pe[1]);
  if (po[1] >= 0) close(po[1]);
  if (pid < 0 || (out && po[0] < 0)) {
    close(pe[0]);
    if (po[0] >= 0) close(po[0]);
    if (pid > 0) waitpid(pid, NULL, 0);
    return fn(path, out, err);
  }
  size_t n_out = 0, n_err = 0;
  char *text = po[0] >= 0 ? slurp(po[0], &n_out) : NULL; /* to EOF: the child has ended */
  char *e = slurp(pe[0], &n_err);
  if (po[0] >= 0) close(po[0]);
  close(pe[0]);
  int st = 0, rc;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) break;
  if ((rc = judge(path, st, err))) {
  } else if (!e || n_err != sizeof(hs_error)) {
    rc = hs_error_set(err, HS_EINPUT, "%s: an isolated read ended without its verdict", path);
  } else {
    if (text && n_out) fwrite(text, 1, n_out, out);
    if ((rc = ((hs_error *)e)->code) != HS_OK && err) *err = *(hs_error *)e;
  }
  free(text);
  free(e);
  return rc;
}

static int walk_reader(const char *path, FILE *out, hs_error *err) {
  (void)out, (void)err;
  walk(path);
  return HS_OK;
}

int hs__sweepfile_probe(const char *path, hs_error *err) {
  return hs__sweepfile_isolated(path, walk_reader, NULL, err);
}
