/* sweepfile_create.c - a new sweep file (see hs_sweepfile.h): root attributes, the dimension
 * scales run, drug and time, and every per-run variable at full size with fill values. */
#include "hs_sweepfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "output/h5util.h"
#include "sweepfile_int.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

#define SERIES_CHUNK_ELEMS ((hsize_t)1 << 20) /* 8 MiB of float64 per series chunk */
#define RUN_BLOCK 65536                       /* the run scale is written in such blocks */
#define MAX_COMPACT_LINKS 65535 /* HDF5's limit for links kept in the object header */

/* A dataset to create: chunk[0] == 0 means contiguous and uncompressed. Each dimension
 * is attached to scales[i] (when >= 0) and labelled with its name. */
typedef struct var_spec {
  const char *name, *units, *long_name;
  hid_t ftype, fill_type; /* file type; memory type of *fill */
  const void *fill;       /* NULL: HDF5's default */
  int rank;
  hsize_t dims[3], chunk[3];
  hid_t scales[3];
} var_spec;

static const char *const DIM_NAMES[3] = {"run", "drug", "time"};

static int make_dcpl(const hs__h5ctx *c, const var_spec *v, hid_t *out) {
  int rc = HS_OK;
  hid_t dcpl = -1;
  HS_H5ID(dcpl, H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate for '%s'", v->name);
  if (v->chunk[0] > 0 && (rc = hs__h5_compress(c, dcpl, v->rank, v->chunk, v->name)))
    goto done;
  if (v->fill)
    HS_H5TRY(H5Pset_fill_value(dcpl, v->fill_type, v->fill), "H5Pset_fill_value for '%s'", v->name);
  *out = dcpl;
  dcpl = -1;
done:
  hs__h5_close(dcpl);
  return rc;
}

/* Create v with units and long_name, attached to its scales; *out gets it open. */
static int make_var(const hs__h5ctx *c, hid_t file, const var_spec *v, hid_t *out) {
  int rc = HS_OK;
  hid_t space = -1, dcpl = -1, ds = -1;
  HS_H5ID(space, H5Screate_simple(v->rank, v->dims, NULL), "H5Screate_simple for '%s'", v->name);
  if ((rc = make_dcpl(c, v, &dcpl))) goto done;
  HS_H5ID(ds, H5Dcreate2(file, v->name, v->ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
          "H5Dcreate2 '%s'", v->name);
  if ((rc = hs__h5_attr_units(c, ds, v->units, v->long_name))) goto done;
  for (int i = 0; i < v->rank; i++) {
    if (v->scales[i] < 0) continue;
    HS_H5TRY(H5DSattach_scale(ds, v->scales[i], (unsigned)i), "H5DSattach_scale '%s' to '%s'",
             DIM_NAMES[i], v->name);
    HS_H5TRY(H5DSset_label(ds, (unsigned)i, DIM_NAMES[i]), "H5DSset_label on '%s'", v->name);
  }
  if (out) *out = ds;
  if (out) ds = -1;
done:
  hs__h5_close(ds);
  hs__h5_close(dcpl);
  hs__h5_close(space);
  return rc;
}

static int write_root_attrs(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay) {
  int rc;
  int32_t complete = 0;
  if ((rc = hs__h5_attr_str(c, file, "scenario_text", lay->scenario_text))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "scenario_path", lay->scenario_path))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "design", lay->design_name))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "design_text", lay->design_text))) return rc;
  if ((rc = hs__h5_attr_write(c, file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &lay->seed)))
    return rc;
  if ((rc = hs__h5_attr_i64(c, file, "n_runs", lay->n_runs))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "chunk_runs", lay->chunk_runs))) return rc;
  if ((rc = hs__h5_attr_str(c, file, "program_version", lay->version ? lay->version : HS_VERSION)))
    return rc;
  if ((rc = hs__h5_attr_f64(c, file, "rtol", lay->rtol))) return rc;
  if ((rc = hs__h5_attr_f64(c, file, "atol", lay->atol))) return rc;
  if (lay->solver && (rc = hs__h5_attr_str(c, file, "solver", lay->solver))) return rc;
  int64_t first, end;
  hs__sweepfile_lay_slice(lay, &first, &end);
  if ((rc = hs__h5_attr_str(c, file, "shard",
                            hs__sweepfile_shard_str(lay->shard_k, lay->shard_n).s)))
    return rc;
  if ((rc = hs__h5_attr_i64(c, file, "run_first", first))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "run_end", end))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "runs_done", first))) return rc;
  if ((rc = hs__h5_attr_i64(c, file, "runs_failed", 0))) return rc;
  return hs__h5_attr_write(c, file, "complete", H5T_STD_I32LE, H5T_NATIVE_INT32, &complete);
}

static hsize_t run_chunk(const hs_sweep_layout *lay) {
  return (hsize_t)lay->chunk_runs < (hsize_t)lay->n_runs ? (hsize_t)lay->chunk_runs
                                                         : (hsize_t)lay->n_runs;
}

/* Chunk (and write block) of the run scale: a multiple of chunk_runs near RUN_BLOCK. It
 * is written whole at create time, so small chunks would only cost time and metadata. */
static hsize_t run_scale_chunk(const hs_sweep_layout *lay) {
  hsize_t ck = run_chunk(lay), blk = ck * (RUN_BLOCK / ck > 0 ? RUN_BLOCK / ck : 1);
  return blk < (hsize_t)lay->n_runs ? blk : (hsize_t)lay->n_runs;
}

/* Fill the run scale with 0 .. n_runs-1, one block at a time, checking lay->stop before
 * each block: a stopped fill returns HS_ESTOPPED and a resume writes the scale again. */
int hs__sweepfile_fill_run_scale(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay) {
  int rc = HS_OK;
  hid_t ds = -1, fs = -1, ms = -1;
  hsize_t blk = run_scale_chunk(lay);
  int64_t *buf = malloc(sizeof *buf * blk);
  if (!buf) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  HS_H5ID(ds, H5Dopen2(file, "run", H5P_DEFAULT), "H5Dopen2 'run'");
  HS_H5ID(fs, H5Dget_space(ds), "H5Dget_space 'run'");
  for (hsize_t r = 0; r < (hsize_t)lay->n_runs; r += blk) {
    if (lay->stop && *lay->stop) {
      rc = hs_error_set(c->err, HS_ESTOPPED, "%s: stopped while writing the run scale (run %llu "
                        "of %lld)", c->path, (unsigned long long)r, (long long)lay->n_runs);
      goto done;
    }
    hsize_t m = (hsize_t)lay->n_runs - r < blk ? (hsize_t)lay->n_runs - r : blk;
    for (hsize_t i = 0; i < m; i++) buf[i] = (int64_t)(r + i);
    HS_H5ID(ms, H5Screate_simple(1, &m, NULL), "H5Screate_simple for 'run'");
    HS_H5TRY(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &r, NULL, &m, NULL),
             "H5Sselect_hyperslab 'run'");
    HS_H5TRY(H5Dwrite(ds, H5T_NATIVE_INT64, ms, fs, c->dxpl, buf), "H5Dwrite 'run'");
    hs__h5_close(ms);
    ms = -1;
  }
done:
  hs__h5_close(ms);
  hs__h5_close(fs);
  hs__h5_close(ds);
  free(buf);
  return rc;
}

/* Make ds the dimension scale i, write data (unless NULL) as mtype. */
static int make_scale(const hs__h5ctx *c, hid_t file, const var_spec *v, hid_t mtype,
                      const void *data, hid_t *out) {
  int rc = make_var(c, file, v, out);
  if (rc) return rc;
  if (data)
    HS_H5TRY(H5Dwrite(*out, mtype, H5S_ALL, H5S_ALL, c->dxpl, data), "H5Dwrite '%s'", v->name);
  HS_H5TRY(H5DSset_scale(*out, v->name), "H5DSset_scale '%s'", v->name);
done:
  return rc;
}

/* The scales run, drug and time (sc[2] stays -1 without time series). */
static int create_scales(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay, hid_t sc[3],
                         hid_t str) {
  int rc;
  var_spec run = {.name = "run",
                  .units = "1",
                  .long_name = "run index",
                  .ftype = H5T_STD_I64LE,
                  .rank = 1,
                  .dims = {(hsize_t)lay->n_runs},
                  .chunk = {run_scale_chunk(lay)},
                  .scales = {-1, -1, -1}};
  var_spec drug = {.name = "drug",
                   .units = "",
                   .long_name = "drug name",
                   .ftype = str,
                   .rank = 1,
                   .dims = {(hsize_t)lay->n_drugs},
                   .scales = {-1, -1, -1}};
  var_spec time = {.name = "time",
                   .units = "h",
                   .long_name = "time since the start of the simulation",
                   .ftype = H5T_IEEE_F64LE,
                   .rank = 1,
                   .dims = {(hsize_t)lay->n_time},
                   .scales = {-1, -1, -1}};
  if ((rc = make_scale(c, file, &run, -1, NULL, &sc[0]))) return rc;
  char *names = calloc((size_t)lay->n_drugs, HS_SF_STR_LEN);
  if (!names) return hs_error_set(c->err, HS_ENOMEM, "%s: out of memory", c->path);
  for (int i = 0; i < lay->n_drugs; i++)
    hs__sweepfile_fixed_copy(names + (size_t)i * HS_SF_STR_LEN, lay->drug_names[i]);
  rc = make_scale(c, file, &drug, str, names, &sc[1]);
  free(names);
  if (rc || (rc = hs__h5_attr_str(c, sc[1], "_Encoding", "utf-8"))) return rc;
  if (!lay->timeseries) return HS_OK;
  return make_scale(c, file, &time, H5T_NATIVE_DOUBLE, lay->time, &sc[2]);
}

static const double FILL_F64 = NAN;
static const float FILL_F32 = NAN;
static const signed char FILL_STATUS = HS_RUN_NOT_RUN;

/* A per-run float64 variable, NaN-filled, of rank 1 [run], 2 [run, drug] or 3 [run, drug,
 * time]; chunks of chunk_runs runs (series: at most SERIES_CHUNK_ELEMS values a chunk). */
static var_spec run_var(const hs_sweep_layout *lay, const hid_t sc[3], int rank,
                        const char *name, const char *units) {
  hsize_t nt = rank == 3 ? (hsize_t)lay->n_time : 1, ck = run_chunk(lay);
  hsize_t ts_ck = SERIES_CHUNK_ELEMS / nt < ck ? SERIES_CHUNK_ELEMS / nt : ck;
  var_spec v = {.name = name,
                .units = units,
                .long_name = name,
                .ftype = H5T_IEEE_F64LE,
                .fill_type = H5T_NATIVE_DOUBLE,
                .fill = &FILL_F64,
                .rank = rank,
                .dims = {(hsize_t)lay->n_runs, (hsize_t)lay->n_drugs, nt},
                .chunk = {rank == 3 ? (ts_ck > 0 ? ts_ck : 1) : ck, (hsize_t)lay->n_drugs, nt},
                .scales = {sc[0], sc[1], sc[2]}};
  if (rank == 3) v.chunk[1] = 1;
  return v;
}

/* status (int8, fill -1) and reason (fixed-length UTF-8 strings, fill: empty; `_Encoding`
 * makes xarray decode them to str). */
static int create_status(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                         const hid_t sc[3], hid_t str) {
  var_spec st = run_var(lay, sc, 1, "status", "1");
  var_spec re = run_var(lay, sc, 1, "reason", "");
  st.long_name = "run status: 0 ok, 1 invalid parameters, 2 solver failure, -1 not run";
  st.ftype = H5T_STD_I8LE;
  st.fill_type = H5T_NATIVE_SCHAR;
  st.fill = &FILL_STATUS;
  re.long_name = "why the run failed (empty when it succeeded)";
  re.ftype = str;
  re.fill = NULL;
  hid_t ds = -1;
  int rc = make_var(c, file, &st, NULL);
  if (!rc) rc = make_var(c, file, &re, &ds);
  if (!rc) rc = hs__h5_attr_str(c, ds, "_Encoding", "utf-8");
  hs__h5_close(ds);
  return rc;
}

/* The unit the scenario wrote parameter i in, beside its internal one (hs_sweepfile.h). */
static int scenario_units(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay, int i) {
  if (!lay->param_scenario_units || !lay->param_scenario_units[i] ||
      !lay->param_scenario_scale || !(lay->param_scenario_scale[i] > 0))
    return HS_OK;
  int rc = HS_OK;
  hid_t ds = -1;
  HS_H5ID(ds, H5Dopen2(file, lay->param_names[i], H5P_DEFAULT), "H5Dopen2 '%s'",
          lay->param_names[i]);
  if (!(rc = hs__h5_attr_str(c, ds, "scenario_units", lay->param_scenario_units[i])))
    rc = hs__h5_attr_f64(c, ds, "scenario_scale", lay->param_scenario_scale[i]);
done:
  hs__h5_close(ds);
  return rc;
}

/* A patient table's row ids: fixed-length UTF-8 strings [run], written whole. */
static int create_ids(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                      const hid_t sc[3]) {
  int rc = HS_OK;
  hid_t ty = -1, ds = -1;
  if (!lay->run_ids) return HS_OK;
  HS_H5ID(ty, hs__h5_fixed_utf8((size_t)lay->run_id_len), "H5Tcopy (id type)");
  var_spec v = run_var(lay, sc, 1, "id", "");
  v.long_name = "id of the patient table's row (one run a row)";
  v.ftype = ty;
  v.fill = NULL;
  if ((rc = make_var(c, file, &v, &ds)) || (rc = hs__h5_attr_str(c, ds, "_Encoding", "utf-8")))
    goto done;
  HS_H5TRY(H5Dwrite(ds, ty, H5S_ALL, H5S_ALL, c->dxpl, lay->run_ids), "H5Dwrite 'id'");
done:
  hs__h5_close(ds);
  hs__h5_close(ty);
  return rc;
}

/* Every per-run variable: parameters, metrics, status, reason, series. */
static int create_vars(const hs__h5ctx *c, hid_t file, const hs_sweep_layout *lay,
                       const hid_t sc[3], hid_t str) {
  int rc = HS_OK;
  for (int i = 0; i < lay->n_params && !rc; i++) {
    var_spec v =
        run_var(lay, sc, 1, lay->param_names[i], hs__sweepfile_unit_of(lay->param_units, i));
    if (!(rc = make_var(c, file, &v, NULL))) rc = scenario_units(c, file, lay, i);
  }
  if (!rc) rc = create_ids(c, file, lay, sc);
  for (int i = 0; i < lay->n_metrics && !rc; i++) {
    var_spec v =
        run_var(lay, sc, 2, lay->metric_names[i], hs__sweepfile_unit_of(lay->metric_units, i));
    rc = make_var(c, file, &v, NULL);
  }
  if (!rc) rc = create_status(c, file, lay, sc, str);
  for (int i = 0; lay->timeseries && i < lay->n_series && !rc; i++) {
    var_spec v =
        run_var(lay, sc, 3, lay->series_names[i], hs__sweepfile_unit_of(lay->series_units, i));
    if (lay->ts_float32) {
      v.ftype = H5T_IEEE_F32LE;
      v.fill_type = H5T_NATIVE_FLOAT;
      v.fill = &FILL_F32;
    }
    rc = make_var(c, file, &v, NULL);
  }
  return rc;
}

static int create_file(const hs__h5ctx *c, hs_sweepfile *f, const hs_sweep_layout *lay,
                       int *created) {
  int rc = HS_OK;
  hid_t fcpl = -1, fapl = -1, sc[3] = {-1, -1, -1};
  unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  HS_H5ID(f->str_type, hs__h5_fixed_utf8(HS_SF_STR_LEN), "H5Tcopy (string type)");
  HS_H5ID(fcpl, H5Pcreate(H5P_FILE_CREATE), "H5Pcreate (file)");
  HS_H5TRY(H5Pset_link_creation_order(fcpl, order), "H5Pset_link_creation_order");
  /* every link in the root's object header (checksummed) rather than in a fractal heap and
   * B-trees beside it: less for a damaged file to get wrong */
  HS_H5TRY(H5Pset_link_phase_change(fcpl, MAX_COMPACT_LINKS, MAX_COMPACT_LINKS - 1),
           "H5Pset_link_phase_change");
  /* created through the serial driver even for the MPI writer: parallel HDF5 would allocate
   * every chunk at creation, a long step that no signal stops (issue 15); the file is
   * then opened again through MPI-IO to be written */
  HS_H5ID(fapl, hs__sweepfile_writer_fapl(0), "H5Pcreate (file access)");
  HS_H5ID(f->file, H5Fcreate(c->path, H5F_ACC_EXCL, fcpl, fapl), "H5Fcreate");
  *created = 1;
  if ((rc = write_root_attrs(c, f->file, lay))) goto done;
  if ((rc = hs__h5_attr_str(c, f->file, "hdf5_driver", lay->mpio ? "mpio" : "sec2"))) goto done;
  if ((rc = create_scales(c, f->file, lay, sc, f->str_type))) goto done;
  if ((rc = create_vars(c, f->file, lay, sc, f->str_type))) goto done;
  hs__h5_close(f->str_type); /* hs__sweepfile_open_vars makes its own */
  f->str_type = -1;
  rc = hs__sweepfile_open_vars(c, f, lay);
  if (!rc) HS_H5TRY(H5Fflush(f->file, H5F_SCOPE_GLOBAL), "H5Fflush");
  /* last, as the one step whose time grows with n_runs: every dataset exists when it stops */
  if ((rc = hs__sweepfile_fill_run_scale(c, f->file, lay))) goto done;
  HS_H5TRY(H5Fflush(f->file, H5F_SCOPE_GLOBAL), "H5Fflush");
  if (lay->mpio) rc = hs__sweepfile_reopen_writer(c, f, lay);
done:
  for (int i = 0; i < 3; i++) hs__h5_close(sc[i]);
  hs__h5_close(fcpl);
  if (fapl > 0) H5Pclose(fapl);
  return rc;
}

int hs_sweepfile_create(const char *path, const hs_sweep_layout *lay, hs_sweepfile **out,
                        hs_error *err) {
  int rc, created = 0;
  hs__h5ctx c = {path, err, H5P_DEFAULT};
  hs_sweepfile *f;
  if (!out) return hs_error_set(err, HS_EINPUT, "sweep file: no handle to return");
  *out = NULL;
  if ((rc = hs__sweepfile_check_layout(path, lay, err))) return rc;
  if (hs__sweepfile_path_exists(path)) return hs_error_set(err, HS_EEXIST, "%s exists", path);
  if (!(f = hs__sweepfile_new(path, lay)))
    return hs_error_set(err, HS_ENOMEM, "%s: out of memory", path);
  c.dxpl = H5P_DEFAULT; /* created through the serial driver (create_file) */
  hs__h5_quiet q = hs__h5_quiet_begin();
  rc = create_file(&c, f, lay, &created);
  if (rc == HS_ESTOPPED) hs_sweepfile_close(f, 0, NULL); /* kept: a resume completes it */
  else if (rc) hs__sweepfile_free(f);
  hs__h5_quiet_end(q);
  if (rc && rc != HS_ESTOPPED && created) unlink(path); /* H5F_ACC_EXCL: the file is ours */
  if (!rc) *out = f;
  return rc;
}
