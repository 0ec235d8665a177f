/* check_patients.c - patient tables (sweep design `table`), NONMEM-style dose records
 * (`records:`), the CSV reader under both, and what sweep files store of them: row ids and
 * the units the scenario wrote. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_scenario.h"
#include "hs_simulate.h"
#include "hs_test.h"
#include "input/csv.h"

/* A quick linear drug (s1 of model.md) and a reference patient; %s: the drug's doses
 * (regimen or records) and what follows (a sweep section or nothing). */
static const char *const BASE =
    "patient: {weight: 70 kg, height: 176 cm, cardiac_output: 336 L/h, hepatic_flow: 90 L/h,\n"
    "          arterial_fraction: 0.25, blood_volume: 5.0 L, splanchnic_volume: 1.5 L,\n"
    "          rest_volume: 40 L}\n"
    "tumor: {volume: 100 mL, perfusion: 24 /h, arterial_fraction: 0.9, drainage_to_liver: 0}\n"
    "drugs:\n"
    "  s1:\n"
    "    library: none\n"
    "    hepatic_clint: 1664.4 L/h\n"
    "    renal_clearance: 30 L/h\n"
    "%s"
    "simulation: {end: 30 d, output_interval: 1 h, iv_comparator: true}\n"
    "%s";

static void write_file(const char *name, const char *text) {
  FILE *f = fopen(hs_test_path(name), "wb");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* Write scen.yaml from BASE with doses and tail; load it. */
static int load(hs_scenario *sc, const char *doses, const char *tail, hs_error *err) {
  char text[4096];
  snprintf(text, sizeof text, BASE, doses, tail);
  write_file("scen.yaml", text);
  return hs_scenario_load(sc, hs_test_path("scen.yaml"), NULL, err);
}

/* Refusals, table-driven: each case's text written to `file`, then try() must fail with
 * the case's message (%s: the file's path). */
typedef struct error_case {
  const char *text, *msg;
} error_case;

static void expect_errors(const error_case *cases, size_t n, const char *file,
                          int (*try)(const char *path, hs_error *err)) {
  for (size_t i = 0; i < n; i++) {
    hs_error err;
    char want[700];
    write_file(file, cases[i].text);
    snprintf(want, sizeof want, cases[i].msg, hs_test_path(file));
    ck_assert_msg(try(hs_test_path(file), &err) == HS_EINPUT, "case %zu is accepted", i);
    ck_assert_str_eq(err.msg, want);
  }
}

/* ---- the CSV reader ------------------------------------------------------------------ */

/* Quoted commas, doubled quotes and line breaks; CRLF; blank and '#' lines; a BOM; spaces
 * around unquoted fields; positions of every cell. */
START_TEST(test_csv_reader) {
  hs_test_mkdir();
  write_file("a.csv", "\xEF\xBB\xBF# comment, with a comma\r\nid , x\r\n\r\n"
                      "\"a,1\", 2.5 \r\n  # indented comment\n\"say \"\"hi\"\"\",\"two\nlines\"\rlast,\n");
  hs__csv t;
  hs_error err;
  ck_assert_int_eq(hs__csv_load(&t, hs_test_path("a.csv"), &err), HS_OK);
  ck_assert_int_eq(t.n_rows, 4);
  ck_assert_int_eq(t.n_cols, 2);
  const char *want[4][2] = {{"id", "x"}, {"a,1", "2.5"}, {"say \"hi\"", "two\nlines"}, {"last", ""}};
  const int line[4][2] = {{2, 2}, {4, 4}, {6, 6}, {8, 8}}, col[4][2] = {{1, 6}, {1, 8}, {1, 14}, {1, 6}};
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 2; c++) {
      ck_assert_str_eq(hs__csv_cell(&t, r, c), want[r][c]);
      ck_assert_int_eq(t.line[r * 2 + c], line[r][c]);
      ck_assert_int_eq(t.col[r * 2 + c], col[r][c]);
    }
  hs__csv_release(&t);
  hs_test_rmdir();
}
END_TEST

static int try_csv(const char *path, hs_error *err) {
  hs__csv t;
  int rc = hs__csv_load(&t, path, err);
  if (!rc) hs__csv_release(&t);
  return rc;
}

START_TEST(test_csv_errors) {
  static const error_case cases[] = {
      {"a,b\n1,\"open\n", "%s:2:3: a quoted field is not closed"},
      {"a,b\n1\n", "%s:2:2: 1 cells where the header has 2 (a missing cell?)"},
      {"a,b\n1,2,3\n", "%s:2:5: 3 cells where the header has 2 (an extra ',' or an unquoted comma?)"},
      {"a,b\n\"1\"x,2\n", "%s:2:4: text after a closing quote (quote the whole field)"},
      {"a,b\n1,2\"\n", "%s:2:4: a quote inside an unquoted field"},
      {"# only a comment\n\n", "%s: no header line"},
  };
  hs_test_mkdir();
  expect_errors(cases, sizeof cases / sizeof cases[0], "e.csv", try_csv);
  hs_test_rmdir();
}
END_TEST

/* ---- patient tables ------------------------------------------------------------------ */

static const char *const TABLE_SWEEP = "sweep: {design: table, file: p.csv}\n";
static const char *const ONE_DOSE =
    "    regimen: [{route: hai, dose: 100 mg/m2, start: 0 h, duration: 2 h}]\n";

/* One run a row, ids in order, every cell converted from the header's unit exactly as the
 * same text in a scenario; each parameter keeps the unit the table wrote. */
START_TEST(test_table_reads_rows) {
  hs_test_mkdir();
  write_file("p.csv", "id,patient.weight [kg],tumor.volume [mL],drugs.s1.regimen[0].dose [mg/m2],"
                      "patient.arterial_fraction\nA7,58.5,35,85,0.21\nB2,92,240.5,100,0.3\n");
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load(&sc, ONE_DOSE, TABLE_SWEEP, &err) == HS_OK, "%s", err.msg);
  const hs_design *d = &sc.sweep.design;
  ck_assert_int_eq(d->kind, HS_DESIGN_TABLE);
  ck_assert_int_eq(d->n_runs, 2);
  ck_assert_int_eq(d->n_params, 4);
  ck_assert_str_eq(hs_design_id(d, 0), "A7");
  ck_assert_str_eq(hs_design_id(d, 1), "B2");
  const char *cells[2][4] = {{"58.5 kg", "35 mL", "85 mg/m2", "0.21"}, {"92 kg", "240.5 mL", "100 mg/m2", "0.3"}};
  const hs_kind kinds[4] = {HS_KIND_BODY_MASS, HS_KIND_VOLUME, HS_KIND_DOSE, HS_KIND_FRACTION};
  for (int r = 0; r < 2; r++) {
    double v[4], want;
    hs_design_point(d, r, v);
    for (int j = 0; j < 4; j++) {
      hs_norm norm;
      ck_assert_int_eq(hs_units_convert(cells[r][j], kinds[j], &want, &norm, &err), HS_OK);
      ck_assert_double_eq(v[j], want);
    }
  }
  ck_assert_str_eq(d->params[1].unit, "mL");
  ck_assert_double_eq_tol(d->params[1].unit_scale, 1000, 1e-9);
  ck_assert_str_eq(d->params[2].unit, "mg/m2");
  ck_assert_double_eq(d->params[2].unit_scale, 1);
  ck_assert_str_eq(d->params[3].unit, "1"); /* no unit written: the internal one */
  ck_assert_ptr_nonnull(strstr(sc.sweep.text, "file p.csv, FNV-1a "));
  hs_scenario_release(&sc);
  hs_test_rmdir();
}
END_TEST

static int try_table(const char *path, hs_error *err) {
  hs_scenario sc;
  (void)path;
  int rc = load(&sc, ONE_DOSE, TABLE_SWEEP, err);
  if (!rc) hs_scenario_release(&sc);
  return rc;
}

/* Every refusal names the table's file, line and column. */
START_TEST(test_table_errors) {
  static const error_case cases[] = {
      {"id,patient.weight [kg]\nA,70\nB,heavy\n", "%s:3:3: 'patient.weight': expected a number, got 'heavy'"},
      {"id,patient.weight [kg]\nA,70\nB,\n", "%s:3:3: missing value of 'patient.weight'"},
      {"id,patient.weight [kg],tumor.volume [mL]\nA,70\n", "%s:2:5: 2 cells where the header has 3 (a missing cell?)"},
      {"id,patient.wieght [kg]\nA,70\n", "%s:1:4: sweep parameter 'patient.wieght': unknown quantity 'wieght' (did you mean 'weight'?)"},
      {"id,tumor.volume [mg]\nA,70\n", "%s:1:4: unit 'mg' is not allowed for 'tumor.volume' (expected a volume (e.g. '100 mL', '1.8 L'))"},
      {"id,tumor.volume\nA,70\n", "%s:1:4: 'tumor.volume' needs its unit in the header, e.g. 'tumor.volume [L]'"},
      {"id,drugs.s1.regimen[0].dose [mg]\nA,70\n", "%s:1:4: unit 'mg' is not allowed for 'drugs.s1.regimen[0].dose': the scenario writes that dose in mg/m2"},
      {"id,tumor.volume [mL],tumor.volume [L]\nA,70,1\n", "%s:1:22: 'tumor.volume' has two columns"},
      {"id,patient.weight [kg]\nA,70\n# a comment\nB,71\nA,72\n", "%s:5:1: duplicate id 'A' (first on line 2)"},
      {"id,patient.weight [kg]\n", "%s: the table has no rows (one a patient below the header)"},
      {"name,patient.weight [kg]\nA,70\n", "%s:1:1: sweep parameter 'name': unknown section 'name'; paths start with patient., tumor., drugs.<name>., embolization[<i>]., catheter., misperfusion., liver_disease. or portal_vein_thrombosis."},
      {"patient.weight [kg]\n70\n", "%s:1:1: no 'id' column (one row an individual, named in a column headed 'id')"},
      {"id,patient.weight [kg]\nA,-70\n", "%s:2:3: 'patient.weight' must be > 0, got '-70 kg'"},
      {"id,patient.weight [kg]\n,70\n", "%s:2:1: missing id"},
  };
  hs_test_mkdir();
  expect_errors(cases, sizeof cases / sizeof cases[0], "p.csv", try_table);
  hs_scenario sc;
  hs_error err;
  write_file("p.csv", "id,patient.weight [kg]\nA,70\n");
  ck_assert_int_eq(load(&sc, ONE_DOSE, "sweep: {design: table, file: p.csv, runs: 3}\n", &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, ": 'sweep': a table design takes its runs and parameters from 'p.csv': remove 'runs'"));
  ck_assert_int_eq(load(&sc, ONE_DOSE, "sweep: {design: table}\n", &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "'sweep.file': design 'table' needs 'file'"));
  hs_test_rmdir();
}
END_TEST

/* ---- dose records ------------------------------------------------------------------- */

/* Every metric (IV comparator included) and the plasma and tumour courses of drug 0 of a
 * and b are the same bits. */
static void assert_same_results(const hs_results *a, const hs_results *b) {
  int n;
  const hs_metric_field *f = hs_metric_fields(&n);
  const hs_drug_result *x = &a->drugs[0], *y = &b->drugs[0];
  for (int j = 0; j < n; j++) {
    double u = hs_metric_value(&x->metrics, &f[j]), v = hs_metric_value(&y->metrics, &f[j]);
    ck_assert_msg(memcmp(&u, &v, sizeof u) == 0, "%s: %.17g != %.17g", f[j].name, u, v);
  }
  ck_assert_int_eq(x->trace.n, y->trace.n);
  ck_assert(memcmp(x->trace.plasma, y->trace.plasma, sizeof(double) * (size_t)x->trace.n) == 0);
  ck_assert(memcmp(x->trace.tumor, y->trace.tumor, sizeof(double) * (size_t)x->trace.n) == 0);
  ck_assert(x->metrics.auc_tumor > 0);
}

static void simulate(const char *doses, hs_results *res) {
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load(&sc, doses, "", &err) == HS_OK, "%s", err.msg);
  hs_solver *s = hs_solver_create(&err);
  ck_assert_msg(hs_simulate(s, &sc, 1, res, &err) == HS_OK, "%s", err.msg);
  hs_solver_free(s);
  hs_scenario_release(&sc);
}

/* Records and the equivalent YAML regimen give bit-identical results: per-m2 doses with
 * ADDL/II (II in days), an infusion by DUR, one by RATE, a bolus, an observation row
 * (EVID 0) and another ID skipped; absolute doses with the default units (mg, mg/h, h). */
START_TEST(test_records_equal_regimen) {
  hs_test_mkdir();
  write_file("d.csv", "ID,TIME,AMT [mg/m2],RATE [mg/m2/h],DUR [h],CMT,EVID,ADDL,II [d],DV\n"
                      "7,0,85,.,2,hai,1,2,7,.\n"
                      "7,12,.,.,.,iv,0,.,.,1.3\n"
                      "9,0,1,.,.,iv,1,0,.,.\n"
                      "7,30,60,40,,iv,1,0,,\n"
                      "7,400,12.5,0,0,hai,1,0,0,\n");
  write_file("d2.csv", "id,time,amt,rate,cmt\n7,30,120,80,iv\n7,400,12.5,0,hai\n");
  hs_results a, b;
  simulate("    regimen:\n"
           "      - {route: hai, dose: 85 mg/m2, start: 0 h, duration: 2 h, every: 7 d, cycles: 3}\n"
           "      - {route: iv, dose: 60 mg/m2, start: 30 h, duration: 1.5 h}\n"
           "      - {route: hai, dose: 12.5 mg/m2, start: 400 h}\n", &a);
  simulate("    records: d.csv\n    records_id: 7\n", &b);
  assert_same_results(&a, &b);
  hs_results_release(&a), hs_results_release(&b);
  simulate("    regimen:\n      - {route: iv, rate: 80 mg/h, start: 30 h, duration: 1.5 h}\n"
           "      - {route: hai, dose: 12.5 mg, start: 400 h}\n", &a);
  simulate("    records: d2.csv\n", &b); /* one ID: no records_id needed */
  assert_same_results(&a, &b);
  hs_results_release(&a), hs_results_release(&b);
  hs_test_rmdir();
}
END_TEST

static int try_records(const char *path, hs_error *err) {
  hs_scenario sc;
  (void)path;
  int rc = load(&sc, "    records: d.csv\n", "", err);
  if (!rc) hs_scenario_release(&sc);
  return rc;
}

/* Every refusal of a records file names its line and column. */
START_TEST(test_records_errors) {
  static const error_case cases[] = {
      {"ID,TIME,AMT,CMT\n1,0,100,2\n", "%s:2:9: CMT '2': give the route by name (iv, hai, pv or tace)"},
      {"ID,TIME,AMT,CMT,EVID\n1,0,100,hai,4\n", "%s:2:13: EVID 4 (a reset) is not supported: 1 doses; 0 and 2 (observations, other events) are skipped"},
      {"ID,TIME,AMT,RATE,DUR,CMT\n1,0,100,50,2,hai\n", "%s:2:12: give RATE or DUR, not both"},
      {"ID,TIME,AMT,CMT,ADDL\n1,0,100,hai,3\n", "%s:2:13: ADDL 3 needs II > 0 (the interval)"},
      {"ID,TIME,AMT,DUR,CMT,ADDL,II\n1,0,100,5,hai,1,4\n", "%s:2:17: II 4 h is shorter than the infusion (5 h)"},
      {"ID,TIME,CMT\n1,0,hai\n", "%s:1:1: no 'AMT' column (records need ID, TIME, AMT and CMT; RATE or DUR, EVID, ADDL and II are optional)"},
      {"ID,TIME,AMT [mL],CMT\n1,0,100,hai\n", "%s:1:9: 'AMT [mL]': expected a unit in brackets like '[h]', '[mg]', '[mg/m2]' or '[mg/h]'"},
      {"ID,TIME,AMT,CMT\n1,soon,100,hai\n", "%s:2:3: TIME: expected a number >= 0, got 'soon'"},
      {"ID,TIME,AMT,CMT\n1,0,0,hai\n", "%s:2:5: AMT must be > 0 for a dose (EVID 1)"},
      {"ID,TIME [d],AMT,CMT\n1,31,100,hai\n", "%s:2:3: the dose at 744 h starts at or after the simulation end (simulation.end = 720 h)"},
      {"ID,TIME [d],AMT [mg/m2],RATE [mg/h],CMT\n1,0,100,20,hai\n", "%s:2:9: RATE in mg/h but AMT in mg/m2: write both per m2, per kg or absolute"},
      {"ID,TIME,AMT,CMT,EVID\n1,0,100,hai,0\n", "%s: no dose records (rows with EVID 1)"},
  };
  hs_test_mkdir();
  expect_errors(cases, sizeof cases / sizeof cases[0], "d.csv", try_records);
  hs_scenario sc;
  hs_error err;
  write_file("d.csv", "ID,TIME,AMT,CMT\nA,0,100,hai\nB,0,50,hai\n");
  ck_assert_int_eq(load(&sc, "    records: d.csv\n", "", &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "'drugs.s1.records': the records hold 2 IDs ('A', 'B', ...): name one with 'records_id', or run a patient table"));
  ck_assert_int_eq(load(&sc, "    records: d.csv\n    records_id: C\n", "", &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "'drugs.s1.records_id': no dose records for ID 'C' (the file holds 2 IDs, the first 'A')"));
  ck_assert_int_eq(load(&sc, "    records: d.csv\n    regimen: [{route: hai, dose: 1 mg}]\n", "", &err), HS_EINPUT);
  ck_assert_ptr_nonnull(strstr(err.msg, "give 'regimen' or 'records', not both"));
  write_file("p.csv", "id,patient.weight [kg]\nA,70\nZ,80\n");
  ck_assert_int_eq(load(&sc, "    records: d.csv\n", TABLE_SWEEP, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "patient table row 2 (id 'Z') has no dose records for drug 's1'");
  write_file("p.csv", "id,drugs.s1.regimen[0].dose [mg]\nA,70\nB,80\n");
  ck_assert_int_eq(load(&sc, "    records: d.csv\n", TABLE_SWEEP, &err), HS_EINPUT);
  ck_assert_str_eq(err.msg, "patient table: 'drugs.s1.regimen[0].dose': drug 's1' takes its doses from records, one regimen a patient; change the dose in the records");
  hs_test_rmdir();
}
END_TEST

/* ---- sweeps of a table -------------------------------------------------------------- */

static void read_doubles(hid_t f, const char *name, double *v) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  ck_assert(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Dclose(d);
}

/* A table with per-ID records, swept with 1 and 2 threads: the same file; `id` holds the
 * rows' ids; each run equals a single simulation of its row (records_id, the row's values
 * written in the scenario); tumor.volume carries the table's unit. */
START_TEST(test_table_sweep_with_records) {
  hs_test_mkdir();
  write_file("p.csv", "id,patient.weight [kg],tumor.volume [mL]\nP1,58.5,35\nP2,92,240\nP3,70,100\n");
  write_file("d.csv", "ID,TIME,AMT [mg/m2],DUR,CMT,ADDL,II\n"
                      "P2,0,100,2,hai,1,168\nP1,0,85,2,hai,0,\nP3,10,50,0,iv,0,\nP1,48,20,1,iv,0,\n");
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load(&sc, "    records: d.csv\n", "sweep: {design: table, file: p.csv, chunk: 1}\n",
                     &err) == HS_OK, "%s", err.msg);
  ck_assert_int_eq(sc.drugs[0].n_regimen, 2); /* the first row's (P1) as the scenario's */
  hs_scenario_release(&sc);
  const char *a = hs_test_path("a.h5"), *b = hs_test_path("b.h5"), *y = hs_test_path("scen.yaml");
  const char *s1 = hs_test_path("s1.h5"), *s2 = hs_test_path("s2.h5"), *m = hs_test_path("m.h5");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", a, "-j", "1", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", b, "-j", "2", "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(a, b);
  /* shards 1/2 (runs 0) and 2/2 (runs 1-2), merged: the whole file again, ids included */
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", s1, "--shard", "1/2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", s2, "--shard", "2/2", "--quiet", NULL}, 0, 0, NULL), 0);
  ck_assert_int_eq(hs_test_run((const char *[]){"merge", m, s2, s1, NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(a, m);
  hid_t f = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, "id", H5P_DEFAULT);
  hid_t ty = H5Dget_type(d);
  char ids[3][HS_DESIGN_ID_LEN];
  ck_assert_int_eq((int)H5Tget_size(ty), HS_DESIGN_ID_LEN);
  ck_assert(H5Dread(d, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids) >= 0);
  H5Tclose(ty), H5Dclose(d);
  double auc[3], vol[3], scale; /* one drug */
  read_doubles(f, "auc_tumor", auc);
  read_doubles(f, "tumor.volume", vol);
  d = H5Dopen2(f, "tumor.volume", H5P_DEFAULT);
  hid_t at = H5Aopen(d, "scenario_scale", H5P_DEFAULT);
  H5Aread(at, H5T_NATIVE_DOUBLE, &scale);
  H5Aclose(at), H5Dclose(d), H5Fclose(f);
  ck_assert_double_eq_tol(vol[1] * scale, 240, 1e-9);
  const char *rows[3][3] = {{"P1", "58.5", "35"}, {"P2", "92", "240"}, {"P3", "70", "100"}};
  hs_solver *s = hs_solver_create(&err);
  for (int r = 0; r < 3; r++) {
    char doses[128], text[4096];
    ck_assert_str_eq(ids[r], rows[r][0]);
    snprintf(doses, sizeof doses, "    records: d.csv\n    records_id: %s\n", rows[r][0]);
    snprintf(text, sizeof text, BASE, doses, "");
    char *p = strstr(text, "weight: 70 kg"), *q = strstr(text, "volume: 100 mL");
    char fixed[4096];
    snprintf(fixed, sizeof fixed, "%.*sweight: %s kg%.*svolume: %s mL%s", (int)(p - text), text,
             rows[r][1], (int)(q - p - 13), p + 13, rows[r][2], q + 14);
    write_file("one.yaml", fixed);
    ck_assert_msg(hs_scenario_load(&sc, hs_test_path("one.yaml"), NULL, &err) == HS_OK, "%s", err.msg);
    hs_results res;
    ck_assert_msg(hs_simulate(s, &sc, 0, &res, &err) == HS_OK, "%s", err.msg);
    ck_assert_msg(auc[r] == res.drugs[0].metrics.auc_tumor, "run %d: %.17g != %.17g", r,
                  auc[r], res.drugs[0].metrics.auc_tumor);
    hs_results_release(&res);
    hs_scenario_release(&sc);
  }
  hs_solver_free(s);
  hs_test_rmdir();
}
END_TEST

/* A table sweep interrupted after its first chunk resumes to the whole file; after a cell
 * of the table changes, --resume is refused (the table's hash is part of design_text). */
START_TEST(test_table_resume) {
  hs_test_mkdir();
  write_file("p.csv", "id,patient.weight [kg]\nA,58.5\nB,92\nC,70\n");
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load(&sc, ONE_DOSE, "sweep: {design: table, file: p.csv, chunk: 1}\n", &err) == HS_OK,
                "%s", err.msg);
  hs_scenario_release(&sc);
  const char *y = hs_test_path("scen.yaml"), *ref = hs_test_path("ref.h5"),
             *out = hs_test_path("o.h5"), *partial = hs_test_path("o.h5.partial"),
             *log = hs_test_path("log.txt");
  char cmd[1024];
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", ref, "--quiet", NULL}, 0, 0, NULL), 0);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", ref, partial);
  ck_assert_int_eq(system(cmd), 0);
  hs_test_set_attr(partial, "complete", 0);
  hs_test_set_attr(partial, "runs_done", 1);
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", out, "--resume", "--quiet", NULL}, 0, 0, NULL), 0);
  hs_test_assert_same_datasets(ref, out);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", ref, partial);
  ck_assert_int_eq(system(cmd), 0);
  hs_test_set_attr(partial, "complete", 0);
  hs_test_set_attr(partial, "runs_done", 1);
  write_file("p.csv", "id,patient.weight [kg]\nA,58.5\nB,93\nC,70\n");
  ck_assert_int_eq(hs_test_run((const char *[]){"sweep", y, "-o", out, "--resume", "--quiet", NULL}, 0, 0, log), 2);
  ck_assert_msg(strstr(hs_test_slurp(log), "cannot be resumed safely") &&
                strstr(hs_test_slurp(log), "design_text"), "%s", hs_test_slurp(log));
  hs_test_rmdir();
}
END_TEST

/* A YAML sweep's parameters keep the unit of their first value for the sweep file. */
START_TEST(test_yaml_sweep_units) {
  hs_test_mkdir();
  hs_scenario sc;
  hs_error err;
  ck_assert_msg(load(&sc, ONE_DOSE, "sweep: {design: lhs, runs: 4, seed: 1, parameters: {"
                     "tumor.volume: {from: 50 mL, to: 0.15 L}, tumor.perfusion: {from: 0.2 mL/min/mL, "
                     "to: 0.5 mL/min/mL}, patient.arterial_fraction: {values: [20 %, 0.3]}}}\n",
                     &err) == HS_OK, "%s", err.msg);
  const hs_design_param *p = sc.sweep.design.params;
  ck_assert_str_eq(p[0].unit, "mL");
  ck_assert_double_eq_tol(p[0].unit_scale, 1000, 1e-9);
  ck_assert_str_eq(p[1].unit, "mL/min/mL");
  ck_assert_double_eq_tol(p[1].unit_scale, 1.0 / 60, 1e-12);
  ck_assert_str_eq(p[2].unit, "%");
  ck_assert_double_eq_tol(p[2].unit_scale, 100, 1e-9);
  hs_scenario_release(&sc);
  hs_test_rmdir();
}
END_TEST

Suite *hs_suite_patients(void) {
  Suite *s = suite_create("patients");
  TCase *tc = tcase_create("patients");
  tcase_set_timeout(tc, 600); /* a backstop: hs_test_run waits on progress */
  tcase_add_test(tc, test_csv_reader);
  tcase_add_test(tc, test_csv_errors);
  tcase_add_test(tc, test_table_reads_rows);
  tcase_add_test(tc, test_table_errors);
  tcase_add_test(tc, test_records_equal_regimen);
  tcase_add_test(tc, test_records_errors);
  tcase_add_test(tc, test_table_sweep_with_records);
  tcase_add_test(tc, test_table_resume);
  tcase_add_test(tc, test_yaml_sweep_units);
  suite_add_tcase(s, tc);
  return s;
}
