/* cli_merge.c - `hepatosim merge OUT.h5 SHARD.h5... [--force]`: join the shard files of a
 * job array (`hepatosim sweep --shard K/N`) into one sweep file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hs_sweepfile.h"

static const char MERGE_USAGE[] =
    "usage: hepatosim merge OUT.h5 SHARD.h5... [--force]\n"
    "\n"
    "Joins the files of 'hepatosim sweep --shard K/N' (K = 1..N, in any order) into one\n"
    "sweep file, equal to the one an unsharded sweep writes. Every shard must be complete\n"
    "and come from the same scenario, design, seed and tolerances, and together they must\n"
    "hold every run exactly once. OUT.h5 is written as OUT.h5.tmp.<pid> and renamed when\n"
    "complete.\n"
    "\n"
    "      --force           replace an existing OUT.h5\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 merged, 2 bad input (a shard missing, given twice, incomplete or from\n"
    "another sweep; OUT.h5 exists without --force), 1 other failure.\n";

typedef struct merge_args {
  const char *out;
  const char **shards;
  int n_shards, force;
} merge_args;

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "hepatosim: %s%s%s\nTry 'hepatosim merge --help'.\n", msg, arg ? " " : "",
          arg ? arg : "");
  return 2;
}

/* Returns -1 to go on, or an exit status. a->shards has room for argc names. */
static int parse_merge(int argc, char **argv, merge_args *a) {
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "-h") || !strcmp(s, "--help")) return fputs(MERGE_USAGE, stdout), 0;
    else if (!strcmp(s, "--force")) a->force = 1;
    else if (s[0] == '-' && s[1]) return usage("unknown option", s);
    else if (!a->out) a->out = s;
    else a->shards[a->n_shards++] = s;
  }
  if (!a->out) return usage("no output file given", NULL);
  if (a->n_shards < 1) return usage("no shard files given", NULL);
  return -1;
}

int hs__cmd_merge(int argc, char **argv) {
  merge_args a = {0};
  a.shards = calloc((size_t)argc + 1, sizeof *a.shards);
  if (!a.shards) return fputs("hepatosim: error: out of memory\n", stderr), 1;
  int status = parse_merge(argc, argv, &a);
  if (status < 0) {
    hs_error err;
    hs_error_clear(&err);
    int64_t runs, failed;
    int rc = hs_sweepfile_merge(a.out, a.shards, a.n_shards, a.force, &runs, &failed, &err);
    if (rc) fprintf(stderr, "hepatosim: error: %s\n", err.msg);
    else fprintf(stderr, "merged %d shards (%lld runs, %lld failed) into %s\n", a.n_shards,
                 (long long)runs, (long long)failed, a.out);
    status = hs_error_exit_code(rc);
  }
  free(a.shards);
  return status;
}
