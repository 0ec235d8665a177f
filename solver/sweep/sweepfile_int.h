/* sweepfile_int.h - private: what the pieces of the sweep file share: the handle
 * (sweepfile.c), create (sweepfile_create.c), resume (sweepfile_resume.c), info
 * (sweepfile_info.c) and merge (sweepfile_merge.c). */
#ifndef HS_SWEEPFILE_INT_H
#define HS_SWEEPFILE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include <hdf5.h>

#include "hs_error.h"
#include "hs_sweepfile.h"
#include "output/h5util.h"

#define HS_SF_NAME_MAX 255        /* parameter, metric and series names */
#define HS_SF_WHY_LEN 512         /* the reason a file is refused (resume, merge) */
#define HS_SF_CHUNK_MAX (1 << 20) /* bound on the read block of info for odd chunk_runs */
#define HS_SF_STR_LEN 256 /* drug names and reasons: fixed-length UTF-8, longer text is cut */

struct hs_sweepfile {
  char *path;
  hid_t file, status, reason, str_type;
  hid_t dxpl; /* writes: H5P_DEFAULT, or collective MPI-IO in the MPI build */
  hid_t *params, *metrics, *series; /* one dataset per parameter / metric / series */
  int n_params, n_metrics, n_series, n_drugs, n_time, chunk_runs, ts_float32;
  int64_t n_runs, run_first, run_end; /* the file holds runs [run_first, run_end) */
  void *scratch; /* chunk_runs rows of the widest block: transposes, float32, reasons */
};

/* ---- the layout (sweepfile.c) ---------------------------------------------------------- */

/* 1 when path exists (stat succeeds). */
int hs__sweepfile_path_exists(const char *path);

/* The runs a file of lay holds: [run_first, run_end), or [0, n_runs) for a whole sweep
 * whose slice is left 0/0. */
void hs__sweepfile_lay_slice(const hs_sweep_layout *lay, int64_t *first, int64_t *end);

/* The root attribute `shard`: "K/N", or "" for a whole sweep. */
typedef struct hs__shard_name {
  char s[32];
} hs__shard_name;

hs__shard_name hs__sweepfile_shard_str(int k, int n);

/* 1 when name is one of the reserved variables (run, drug, time, status, reason). */
int hs__sweepfile_is_reserved(const char *name);

/* 1 when a file of lay has a variable `name`: a reserved one or one of lay's. */
int hs__sweepfile_expects(const hs_sweep_layout *lay, const char *name);

/* HS_EINPUT naming path unless lay is complete, its names make distinct datasets and its
 * shard and run slice are chunk-aligned. */
int hs__sweepfile_check_layout(const char *path, const hs_sweep_layout *lay, hs_error *err);

/* Units of parameter, metric or series i (NULL arrays or entries give ""). */
const char *hs__sweepfile_unit_of(const char *const *units, int i);

/* s into a fixed-length field of HS_SF_STR_LEN bytes, NUL-padded; a longer text is cut
 * before a UTF-8 character boundary. */
void hs__sweepfile_fixed_copy(char *dst, const char *s);

/* ---- the handle (sweepfile.c) ---------------------------------------------------------- */

/* The file access of the writer: hs__h5_fapl's format (checksummed metadata), with (mpio,
 * MPI build) the MPI-IO driver on rank 0's own communicator; negative on failure. The
 * caller closes it. */
hid_t hs__sweepfile_writer_fapl(int mpio);

/* The file at path opened for writing through the writer's driver; negative on failure. */
hid_t hs__sweepfile_open_writer(const char *path, int mpio);

/* A file created through the serial driver, reopened through the writer's (lay->mpio):
 * every dataset closed, the file closed and opened again, the datasets reopened. */
int hs__sweepfile_reopen_writer(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay);

/* A handle with no HDF5 object open yet; NULL when out of memory. */
hs_sweepfile *hs__sweepfile_new(const char *path, const hs_sweep_layout *lay);

/* Closes what f holds and frees it; accepts NULL. */
void hs__sweepfile_free(hs_sweepfile *f);

/* Open every dataset written per block (after create, or on resume). */
/* Write the run scale 0 .. n_runs-1 of file, block by block; HS_ESTOPPED when lay->stop
 * was set before a block (the rest of the file is already in place). */
int hs__sweepfile_fill_run_scale(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay);

int hs__sweepfile_open_vars(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay);

/* Write buf to (read buf from) the hyperslab start + count of ds; the memory holds shape
 * count of mtype. */
int hs__sweepfile_write_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                             const hsize_t *count, hid_t mtype, const void *buf);
int hs__sweepfile_read_slab(const hs__h5ctx *c, hid_t ds, int rank, const hsize_t *start,
                            const hsize_t *count, hid_t mtype, void *buf);

/* Flush the data, then record the progress, then flush again. */
int hs__sweepfile_commit_progress(const hs__h5ctx *c, const hs_sweepfile *f, int64_t done_runs,
                                  int64_t failed);

/* ---- reading back (sweepfile.c) -------------------------------------------------------- */

/* A 1-D string dataset read whole (fixed-length, or variable-length in files of earlier
 * versions): *n strings, each allocated with H5allocate_memory; NULL on failure. Release
 * with hs__sweepfile_free_strings. */
char **hs__sweepfile_read_strings(hid_t file, const char *name, hsize_t *n);
void hs__sweepfile_free_strings(char **s, hsize_t n);

/* Name of link i at the root (creation order when tracked): its length, or -1. */
ssize_t hs__sweepfile_link_name(hid_t file, hsize_t i, char *buf, size_t n);

/* Rank of dataset `name`, -1 when it is no dataset. */
int hs__sweepfile_var_rank(hid_t file, const char *name);

/* ---- info's quantiles (sweepfile_quant.c) ---------------------------------------------- */

/* Print the 5, 25, 50, 75 and 95 % quantiles of every metric ([run, drug] float dataset)
 * per drug over runs [first, done), NaN left out; HDF5 failures as HS_EIO. */
int hs__sweepfile_info_quantiles(const hs__h5ctx *c, FILE *out, hid_t file, int64_t first,
                                 int64_t done, char **drugs, hsize_t n_drugs);

/* ---- what must match (sweepfile_resume.c) ---------------------------------------------- */

/* Write the reason into why (HS_SF_WHY_LEN bytes); returns 1 (refused). */
int hs__sweepfile_say(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 0 when the file holds (part of) the sweep lay describes: scenario, design, seed, runs,
 * variables with their shapes, types and units, tolerances. Else 1 with the reason in
 * why; ref names lay in it ("now" on resume). Shared by resume and merge. */
int hs__sweepfile_refused_sweep(hid_t file, const hs_sweep_layout *lay, const char *ref,
                                char *why);

/* A read of the file at path that may meet a damaged file: fn(path, out, err). */
typedef int (*hs__sweepfile_reader)(const char *path, FILE *out, hs_error *err);

/* Run fn in a forked child under a CPU-time limit, its output (out may be NULL) and its
 * hs_error passed back: fn's code and output when the child ended normally, HS_EINPUT
 * "<path> is damaged: ..." (nothing written to out) when HDF5 crashed or looped there.
 * Runs fn in this process when no pipe or child can be made. sweepfile_probe.c */
int hs__sweepfile_isolated(const char *path, hs__sweepfile_reader fn, FILE *out,
                           hs_error *err);

/* Walk the metadata of the file at path (links, objects, attributes) in an isolated read:
 * HS_EINPUT "<path> is damaged: ..." when HDF5 crashed or looped there, else HS_OK. Call
 * before opening a file that may be damaged in this process. sweepfile_probe.c */
int hs__sweepfile_probe(const char *path, hs_error *err);

/* ---- reading everything back (sweepfile_verify.c) ------------------------------------- */

/* Read every dataset of file (per-run ones over runs [first, done) of n_runs): 0 when all
 * read back (checksums match) and every stored run has a status and finite parameters;
 * else 1 with the dataset and the damage in why. n_sets (may be NULL) gets the datasets
 * read. */
int hs__sweepfile_verify(hid_t file, int64_t n_runs, int64_t first, int64_t done, int *n_sets,
                         char *why);

#endif
