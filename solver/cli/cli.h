/* cli.h - private: the subcommands of the hepatosim command line beyond `run`. */
#ifndef HS_CLI_H
#define HS_CLI_H

/* `hepatosim sweep SCENARIO.yaml [...]` and `hepatosim info FILE.h5`; argv excludes the
 * command name. Return the exit status. */
int hs__cmd_sweep(int argc, char **argv);
int hs__cmd_info(int argc, char **argv);

/* `hepatosim sensitivity SCENARIO.yaml [...]`: the scenario's saltelli or morris sweep,
 * then Sobol' or Morris indices into an HDF5 file and a table (solver/cli/cli_sens.c). */
int hs__cmd_sensitivity(int argc, char **argv);

/* `hepatosim merge OUT.h5 SHARD.h5... [--force]` (solver/cli/cli_merge.c). */
int hs__cmd_merge(int argc, char **argv);

/* `hepatosim compare SCENARIO.yaml... [-o FILE.csv|FILE.h5] [--force] [--json]`
 * (solver/cli/cli_compare.c). */
int hs__cmd_compare(int argc, char **argv);

/* `hepatosim drugs [show NAME]` (solver/cli/cli_drugs.c). */
int hs__cmd_drugs(int argc, char **argv);

/* `hepatosim paths`: every sweepable scenario path with unit and range (cli_paths.c). */
int hs__cmd_paths(int argc, char **argv);

/* `hepatosim plot FILE.h5 [-o OUT.png] [...]`: runs solver/cli/hs_plot.py with Debian's
 * Python and returns its exit status (solver/cli/cli_plot.c). */
int hs__cmd_plot(int argc, char **argv);

/* `run --show-params`: each drug's resolved model (hs_resolved.h) with units and where the
 * values come from, on f (cli_params.c). HS_EINPUT when a drug's parameters are invalid. */
#include <stdio.h>

#include "hs_error.h"
#include "hs_scenario.h"
#include "hs_sweep.h"
int hs__print_params(FILE *f, const hs_scenario *sc, hs_error *err);


/* The sweep of sc with o (solver/cli/cli_sweep.c): SIGINT and SIGTERM handlers installed,
 * o->stop and o->log (stderr) set; with all_ranks (every rank calls it) the MPI engine
 * when there is more than one rank, else the threaded engine of this process. */
int hs__sweep_with_signals(const hs_scenario *sc, hs_sweep_opts *o, hs_sweep_report *rep,
                           int all_ranks, hs_error *err);

/* The exit status of a sweep stopped by a signal: 128 + its number. */
int hs__sweep_stopped_status(void);

#endif
