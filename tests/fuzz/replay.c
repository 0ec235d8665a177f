/* replay.c - main() for a fuzz target without libFuzzer (`make test`): every file named on
 * the command line, or found directly in a directory named there, is given to the target
 * once, in sorted order. A crash or sanitizer report fails the run; otherwise it prints
 * how many inputs ran. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return perror(path), 1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  if (!buf || got != (size_t)n) return free(buf), fprintf(stderr, "%s: unreadable\n", path), 1;
  LLVMFuzzerTestOneInput(buf, got);
  free(buf);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files directly in dir, sorted; returns the number replayed, -1 on error. */
static int replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  char *names[4096];
  int n = 0, done = 0;
  if (!d) return perror(dir), -1;
  for (struct dirent *e; (e = readdir(d)) && n < 4096;)
    if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  for (int i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!stat(path, &st) && S_ISREG(st.st_mode)) {
      if (replay_file(path)) done = -1;
      else if (done >= 0) done++;
    }
    free(names[i]);
  }
  return done;
}

int main(int argc, char **argv) {
  int total = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    int n = stat(argv[i], &st) ? -1 : S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) ? -1 : 1;
    if (n < 0) return fprintf(stderr, "replay: %s failed\n", argv[i]), 1;
    total += n;
  }
  printf("replay %s: %d inputs, no crash\n", argv[0], total);
  return total > 0 ? 0 : 1;
}
