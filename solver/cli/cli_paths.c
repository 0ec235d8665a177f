/* cli_paths.c - `hepatosim paths`: every scenario quantity a sweep may write, with its
 * internal unit and allowed range, one per line, straight from the registry. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hs_registry.h"

static const char PATHS_USAGE[] =
    "usage: hepatosim paths [--all]\n"
    "\n"
    "Lists every scenario path a sweep may write (sweep.parameters), one per line:\n"
    "path, internal unit ('1': dimensionless), allowed range, description. Values may be\n"
    "written in any unit of the same dimension ('10 mL/min' for L/h). A dose or rate is\n"
    "swept per m2 or per kg when the scenario writes it so. Paths marked 'only with ...'\n"
    "need that section or form in the scenario.\n"
    "\n"
    "      --all             every numeric scenario quantity instead: path, unit, range,\n"
    "                        'sweep' or '-', and its default with the default's source\n"
    "  -h, --help            this help\n";

/* `--all`: every declared quantity with sweepability and default. */
static int print_all(void) {
  char path[96], dflt[160];
  for (int i = 0; i < HS_REG_N; i++) {
    const hs_reg_entry *p = &hs_registry[i];
    hs_reg_path(p, path, sizeof path);
    hs_reg_default_text(p, dflt, sizeof dflt);
    printf("%-44s %-5s %-7s %-5s %s\n", path, p->unit, hs_range_text(p->range),
           p->flags & HS_P_SWEEP ? "sweep" : "-", dflt);
  }
  return 0;
}

int hs__cmd_paths(int argc, char **argv) {
  if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")))
    return fputs(PATHS_USAGE, stdout), 0;
  if (argc == 1 && !strcmp(argv[0], "--all")) return print_all();
  if (argc > 0) {
    fprintf(stderr, "hepatosim: unknown argument '%s'\nTry 'hepatosim paths --help'.\n", argv[0]);
    return 2;
  }
  char line[256];
  for (int i = 0; i < HS_REG_N; i++)
    if (hs_registry[i].flags & HS_P_SWEEP) {
      hs_reg_format(&hs_registry[i], line, sizeof line);
      puts(line);
    }
  return 0;
}
