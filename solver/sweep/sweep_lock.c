/* sweep_lock.c - one writer per sweep output (see sweep_int.h): an exclusive flock on
 * "<out>.lock" for the whole life of "<out>.partial", and the identity (device, inode) of
 * the .partial this process wrote, checked before it is renamed or removed.
 *
 * flock belongs to the open file description: the kernel releases it when the process
 * ends, also by SIGKILL, so a stale lock cannot outlive its writer (a left-over .lock file
 * is harmless). On Linux NFS clients flock is carried by NFS byte-range locks, so two
 * nodes writing one output are refused too (NFSv4, or v3 with lockd). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sweep_int.h"

#define LOCK_TRIES 8 /* a lock file removed and created again by its owner in between */

static void lock_path(const char *out, char *buf, size_t n) { snprintf(buf, n, "%s.lock", out); }

/* The pid another writer recorded in the lock file, or "?" . */
static void holder(const char *path, char *pid, size_t n) {
  FILE *f = fopen(path, "r");
  long v = 0;
  if (f && fscanf(f, "%ld", &v) == 1 && v > 0) snprintf(pid, n, "%ld", v);
  else snprintf(pid, n, "?");
  if (f) fclose(f);
}

/* 1 when fd is still the file at path (its owner may have removed it before we locked). */
static int still_there(int fd, const char *path) {
  struct stat a, b;
  return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

int hs__lock_acquire(hs__lock *l, const char *out, hs_error *err) {
  char path[4300], pid[32];
  lock_path(out, path, sizeof path);
  for (int i = 0; i < LOCK_TRIES; i++) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return hs_error_set(err, HS_EIO, "cannot create the lock file %s: %s", path,
                          strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      close(fd);
      if (e != EWOULDBLOCK)
        return hs_error_set(err, HS_EIO, "cannot lock %s: %s", path, strerror(e));
      holder(path, pid, sizeof pid);
      return hs_error_set(err, HS_EBUSY,
                          "%s is being written by another sweep (process %s holds %s); "
                          "wait for it or stop it, --force does not override this",
                          out, pid, path);
    }
    if (still_there(fd, path)) {
      char txt[32];
      int n = snprintf(txt, sizeof txt, "%ld\n", (long)getpid());
      if (ftruncate(fd, 0) != 0 || write(fd, txt, (size_t)n) != n) { /* only for messages */
      }
      l->held = 1, l->fd = fd;
      return HS_OK;
    }
    close(fd);
  }
  return hs_error_set(err, HS_EBUSY, "%s: cannot lock %s (it keeps being replaced)", out, path);
}

void hs__lock_release(hs__lock *l, const char *out) {
  char path[4300];
  if (!l->held) return;
  lock_path(out, path, sizeof path);
  unlink(path); /* while still held: a waiting writer then finds the path gone and retries */
  close(l->fd);
  l->held = 0;
}

void hs__lock_mark(hs__lock *l, const char *partial) {
  struct stat st;
  if (stat(partial, &st) == 0) l->dev = st.st_dev, l->ino = st.st_ino;
}

int hs__lock_is_ours(const hs__lock *l, const char *partial) {
  struct stat st;
  return l->held && stat(partial, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino;
}
