/* cli_plot.c - `hepatosim plot FILE.h5 [-o OUT.png] [...]`: runs the plotting script
 * shipped beside this file (solver/cli/hs_plot.py) with Debian's Python, which reads the
 * run or sweep file with h5py and draws it with matplotlib. The script's path is compiled
 * in (HS_PLOT_SCRIPT, like HS_DATA_DIR); $HEPATOSIM_PLOT_SCRIPT and $HEPATOSIM_PYTHON
 * override the script and the interpreter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef HS_PLOT_SCRIPT
#define HS_PLOT_SCRIPT "solver/cli/hs_plot.py"
#endif
#define PLOT_PYTHON "/usr/bin/python3"

static const char *env_or(const char *name, const char *fallback) {
  const char *v = getenv(name);
  return v && *v ? v : fallback;
}

/* The script's exit status, or 1 (with a message) when it cannot be started or dies. */
int hs__cmd_plot(int argc, char **argv) {
  const char *py = env_or("HEPATOSIM_PYTHON", PLOT_PYTHON);
  const char *script = env_or("HEPATOSIM_PLOT_SCRIPT", HS_PLOT_SCRIPT);
  if (access(script, R_OK) != 0)
    return fprintf(stderr,
                   "hepatosim: error: plot: cannot read the plotting script %s: %s "
                   "(set HEPATOSIM_PLOT_SCRIPT)\n",
                   script, strerror(errno)),
           1;
  char **args = calloc((size_t)argc + 3, sizeof *args);
  if (!args) return fputs("hepatosim: error: out of memory\n", stderr), 1;
  args[0] = (char *)py, args[1] = (char *)script;
  for (int i = 0; i < argc; i++) args[i + 2] = argv[i];
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execv(py, args);
    fprintf(stderr,
            "hepatosim: error: plot: cannot run %s: %s (install python3-matplotlib "
            "and python3-h5py, or set HEPATOSIM_PYTHON)\n",
            py, strerror(errno));
    _exit(1);
  }
  free(args);
  int st = 0;
  if (pid < 0) return fprintf(stderr, "hepatosim: error: plot: fork: %s\n", strerror(errno)), 1;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return fprintf(stderr, "hepatosim: error: plot: waitpid: %s\n", strerror(errno)), 1;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  fprintf(stderr, "hepatosim: error: plot: %s stopped by signal %d\n", py, WTERMSIG(st));
  return 1;
}
