/* sweep_mpi.c - the sweep engine across MPI ranks (built only with -DHS_MPI: `make mpi`).
 *
 * Every rank runs T OpenMP threads that take chunks of runs; rank 0 hands out chunk
 * indices in increasing order (dynamic load balancing), receives finished chunks and
 * writes them in run order through the same single writer as the threaded engine, so the
 * datasets equal the serial sweep's bit for bit for any number of ranks and threads.
 * Rank 0's thread 0 is the server (all MPI calls, MPI_THREAD_FUNNELED); threads 1..T
 * compute. A pool of chunk buffers, one more than the threads of all ranks, bounds memory;
 * chunks are handed out only within a window of that many after the next chunk to write,
 * so the pool can always take the chunk the writer waits for (without the window, fast
 * threads filled the pool with later chunks while a slow rank held the next one: a
 * deadlock).
 *
 * No wait spins: OpenMPI's blocking calls poll at full speed, which on a shared or loaded
 * node takes the core from the very thread being waited for (issue 15: 50 runs in 60 s).
 * Every wait here polls (MPI_Test, MPI_Iprobe) and sleeps between polls, from 20 us
 * doubling to 1 ms: at most ~1000 wake-ups a second, about 1 ms added per round trip. */
#ifdef HS_MPI
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sweep_int.h"

/* Worker -> rank 0: a request for up to `cap` chunks on TAG_REQ; a chunk header {k, n,
 * failed, ok} on TAG_HDR followed by its data on TAG_DATA. Rank 0 -> worker: chunk
 * indices on TAG_WORK (none: stop). Rank 0 counts the chunks handed to and received from
 * each rank, so a rank is done when it was told to stop and all its chunks are in. */
enum { TAG_REQ = 11, TAG_HDR = 12, TAG_DATA = 13, TAG_WORK = 14 };
#define FREE_SLOT (-1)
#define RESERVED_SLOT (-2)

/* ---- waiting without spinning ------------------------------------------------------------ */

#define BACKOFF_MIN_NS 20000L  /* first sleep: 20 us, about one chunk hand-out */
#define BACKOFF_MAX_NS 1000000L /* longest: 1 ms, small against a chunk's compute time */

/* Sleep *ns, then double it up to the cap; a caller that found work resets it. */
static void backoff(long *ns) {
  nanosleep(&(struct timespec){0, *ns}, NULL);
  *ns = *ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : *ns * 2;
}

/* Wait for n requests to complete (st: the first one's status, or NULL). */
static void wait_all(int n, MPI_Request *r, MPI_Status *st) {
  MPI_Status sts[8];
  for (long ns = BACKOFF_MIN_NS;; backoff(&ns)) {
    int done = 0;
    MPI_Testall(n, r, &done, sts);
    if (!done) continue;
    if (st) *st = sts[0];
    return;
  }
}

static void send_wait(const void *buf, int n, MPI_Datatype t, int dst, int tag) {
  MPI_Request r;
  MPI_Isend(buf, n, t, dst, tag, MPI_COMM_WORLD, &r);
  wait_all(1, &r, NULL);
}

static void recv_wait(void *buf, int n, MPI_Datatype t, int src, int tag, MPI_Status *st) {
  MPI_Request r;
  MPI_Irecv(buf, n, t, src, tag, MPI_COMM_WORLD, &r);
  wait_all(1, &r, st);
}

static void bcast_wait(int64_t *buf, int n) {
  MPI_Request r;
  MPI_Ibcast(buf, n, MPI_INT64_T, 0, MPI_COMM_WORLD, &r);
  wait_all(1, &r, NULL);
}

typedef struct pool {
  hs__chunk *buf;
  int64_t *k; /* chunk index held, -1 free */
  int n;
} pool;

/* State of rank 0 shared by its server and compute threads (under `lock`). */
typedef struct server {
  omp_lock_t lock;
  pool pl;
  int64_t next_k, next_write; /* next chunk to hand out, next chunk to store */
  int stopping, local_left;
  int nranks;
  int64_t *handed, *received; /* per rank */
  int *quit;                  /* per rank: answered with no work */
  int64_t *pending;           /* per rank: chunks asked for, not yet answered (-1: none) */
  hs__writer *wr;
  const hs__plan *plan;
} server;

static int pool_init(pool *p, int n, const hs__plan *pl) {
  p->n = n;
  p->buf = calloc((size_t)n, sizeof *p->buf);
  p->k = malloc(sizeof *p->k * (size_t)n);
  if (!p->buf || !p->k) return HS_ENOMEM;
  for (int i = 0; i < n; i++)
    if ((p->k[i] = FREE_SLOT, hs__chunk_alloc(&p->buf[i], pl))) return HS_ENOMEM;
  return HS_OK;
}

static void pool_free(pool *p) {
  for (int i = 0; p->buf && i < p->n; i++) hs__chunk_free(&p->buf[i]);
  free(p->buf), free(p->k);
}

static int pool_free_slot(const pool *p) {
  for (int i = 0; i < p->n; i++)
    if (p->k[i] == FREE_SLOT) return i;
  return -1;
}

/* ---- rank 0 --------------------------------------------------------------------------- */

/* Store every pooled chunk that is next in run order (lock held). */
static void drain(server *s) {
  for (int again = 1; again;) {
    again = 0;
    for (int i = 0; i < s->pl.n; i++)
      if (s->pl.k[i] == s->next_write) {
        hs__writer_take(s->wr, &s->pl.buf[i], s->plan);
        s->pl.k[i] = FREE_SLOT;
        s->next_write++;
        again = 1;
      }
  }
  if (s->wr->halted) s->stopping = 1;
}

/* Next chunk for anyone; -1: none left (or stopping); WAIT: not yet, every pool slot may
 * be needed by chunks already handed out (lock held). */
#define WAIT (-2)
static int64_t hand_out(server *s) {
  if (s->stopping || s->next_k >= s->plan->k_end) return -1;
  if (s->next_k - s->next_write >= s->pl.n) return WAIT;
  return s->next_k++;
}

/* A compute thread of rank 0 gives its finished chunk to the pool (swapping buffers); the
 * server thread writes it (the file is written through MPI-IO: MPI calls stay on thread 0,
 * MPI_THREAD_FUNNELED). */
static void deposit(server *s, hs__worker *w, int64_t k) {
  for (long ns = BACKOFF_MIN_NS;; backoff(&ns)) {
    omp_set_lock(&s->lock);
    int i = pool_free_slot(&s->pl);
    if (i >= 0) {
      hs__chunk tmp = s->pl.buf[i];
      s->pl.buf[i] = w->out, w->out = tmp;
      s->pl.k[i] = k;
      omp_unset_lock(&s->lock);
      return;
    }
    omp_unset_lock(&s->lock);
  }
}

static void compute_local(server *s, hs__worker *w, volatile sig_atomic_t *stop) {
  for (long ns = BACKOFF_MIN_NS;;) {
    omp_set_lock(&s->lock);
    if (stop && *stop) s->stopping = 1;
    int64_t k = hand_out(s);
    omp_unset_lock(&s->lock);
    if (k == WAIT) {
      backoff(&ns);
      continue;
    }
    if (k < 0) break;
    ns = BACKOFF_MIN_NS;
    hs__run_chunk(w, s->plan, k, stop);
    deposit(s, w, k);
  }
#pragma omp atomic
  s->local_left--;
}

/* The buffers of a chunk, as (pointer, count, type) triples for MPI. */
static int chunk_parts(const hs__chunk *c, const hs__plan *pl, void *ptr[5], int cnt[5],
                       MPI_Datatype type[5]) {
  int n = c->n, k = 0;
  ptr[k] = c->params, cnt[k] = n * pl->n_params, type[k++] = MPI_DOUBLE;
  ptr[k] = c->metrics, cnt[k] = n * pl->n_drugs * pl->n_metrics, type[k++] = MPI_DOUBLE;
  ptr[k] = c->status, cnt[k] = n, type[k++] = MPI_SIGNED_CHAR;
  ptr[k] = c->reason_buf, cnt[k] = n * HS_SWEEP_REASON_LEN, type[k++] = MPI_CHAR;
  if (pl->timeseries)
    ptr[k] = c->series, cnt[k] = n * pl->n_drugs * HS_SWEEP_N_SERIES * pl->n_time,
    type[k++] = MPI_DOUBLE;
  return k;
}

/* Receive the chunk announced by hdr from src into pool slot i (reserved by the caller). */
static void recv_chunk(server *s, int src, int i, const int64_t hdr[4]) {
  hs__chunk *c = &s->pl.buf[i];
  c->first = hdr[0] * s->plan->chunk, c->n = (int)hdr[1], c->failed = hdr[2], c->ok = (int)hdr[3];
  void *ptr[5];
  int cnt[5];
  MPI_Datatype type[5];
  int parts = c->ok ? chunk_parts(c, s->plan, ptr, cnt, type) : 0;
  MPI_Request r[5];
  for (int p = 0; p < parts; p++)
    MPI_Irecv(ptr[p], cnt[p], type[p], src, TAG_DATA, MPI_COMM_WORLD, &r[p]);
  wait_all(parts, r, NULL);
  omp_set_lock(&s->lock);
  s->pl.k[i] = hdr[0];
  s->received[src]++;
  drain(s);
  omp_unset_lock(&s->lock);
}

/* Answer src's pending request for up to `cap` chunks, unless the window is full and it
 * would get none yet; an empty answer ends that rank's work. Returns 1 if answered. */
static int answer(server *s, int src, volatile sig_atomic_t *stop) {
  int64_t ks[64], k = -1, cap = s->pending[src];
  int c = 0;
  if (cap < 0) return 0;
  omp_set_lock(&s->lock);
  if (stop && *stop) s->stopping = 1;
  while (c < cap && c < 64 && (k = hand_out(s)) >= 0) ks[c++] = k;
  if (c == 0 && k == WAIT) {
    omp_unset_lock(&s->lock);
    return 0;
  }
  if (c == 0) s->quit[src] = 1;
  s->handed[src] += c;
  omp_unset_lock(&s->lock);
  s->pending[src] = -1;
  send_wait(ks, c, MPI_INT64_T, src, TAG_WORK);
  return 1;
}

/* Handle what src has sent: requests at once; a chunk only while the pool has room
 * (a rank that died leaves a gap the writer waits on; then nothing more is taken in and
 * the job ends when MPI reports the dead process). */
static int serve_one(server *s, int src, volatile sig_atomic_t *stop) {
  int flag, busy = 0;
  int64_t msg[4];
  MPI_Iprobe(src, TAG_REQ, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
  if (flag) {
    recv_wait(msg, 1, MPI_INT64_T, src, TAG_REQ, NULL);
    s->pending[src] = msg[0];
  }
  busy = answer(s, src, stop);
  MPI_Iprobe(src, TAG_HDR, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
  if (!flag) return busy;
  omp_set_lock(&s->lock); /* reserve a slot before taking the header */
  int i = pool_free_slot(&s->pl);
  if (i >= 0) s->pl.k[i] = RESERVED_SLOT;
  omp_unset_lock(&s->lock);
  if (i < 0) return busy;
  recv_wait(msg, 4, MPI_INT64_T, src, TAG_HDR, NULL);
  recv_chunk(s, src, i, msg);
  return 1;
}

/* Every other rank was told to stop and delivered every chunk it was given (lock held). */
static int ranks_done(const server *s) {
  for (int r = 1; r < s->nranks; r++)
    if (!s->quit[r] || s->received[r] < s->handed[r]) return 0;
  return 1;
}

/* Rank 0, thread 0: serve the other ranks until they and the local threads are done. */
static void serve(server *s, volatile sig_atomic_t *stop) {
  for (long ns = BACKOFF_MIN_NS;;) {
    int busy = 0, local_left;
    for (int src = 1; src < s->nranks; src++) busy |= serve_one(s, src, stop);
#pragma omp atomic read
    local_left = s->local_left;
    omp_set_lock(&s->lock);
    if (stop && *stop) s->stopping = 1;
    int done = local_left == 0 && ranks_done(s);
    drain(s); /* every chunk that is next in run order, local or remote */
    omp_unset_lock(&s->lock);
    if (done) return;
    if (busy) ns = BACKOFF_MIN_NS;
    else backoff(&ns);
  }
}

/* ---- the other ranks -------------------------------------------------------------------- */

static void send_chunk(const hs__chunk *c, int64_t k, const hs__plan *pl) {
  int64_t hdr[4] = {k, c->n, c->failed, c->ok};
  void *ptr[5];
  int cnt[5];
  MPI_Datatype type[5];
  MPI_Request r[6];
  int parts = c->ok ? chunk_parts(c, pl, ptr, cnt, type) : 0;
  MPI_Isend(hdr, 4, MPI_INT64_T, 0, TAG_HDR, MPI_COMM_WORLD, &r[0]);
  for (int p = 0; p < parts; p++)
    MPI_Isend(ptr[p], cnt[p], type[p], 0, TAG_DATA, MPI_COMM_WORLD, &r[p + 1]);
  wait_all(parts + 1, r, NULL);
}

/* Ask rank 0 for up to T chunks, compute them on T threads (chunk i on thread i), send
 * them back; stop when rank 0 answers with none. */
static void work(const hs__plan *pl, hs__worker *ws, int T, volatile sig_atomic_t *stop) {
  int64_t ks[64];
  for (;;) {
    int64_t cap = (stop && *stop) ? 0 : T;
    MPI_Status st;
    int c;
    send_wait(&cap, 1, MPI_INT64_T, 0, TAG_REQ);
    recv_wait(ks, 64, MPI_INT64_T, 0, TAG_WORK, &st);
    MPI_Get_count(&st, MPI_INT64_T, &c);
    if (c == 0) return;
#pragma omp parallel for schedule(static, 1) num_threads(T)
    for (int i = 0; i < c; i++) hs__run_chunk(&ws[omp_get_thread_num()], pl, ks[i], stop);
    for (int i = 0; i < c; i++) send_chunk(&ws[i].out, ks[i], pl);
  }
}

/* ---- the whole sweep ---------------------------------------------------------------------- */

/* Rank 0: T compute threads (1..T) and the server (thread 0). */
static void run_rank0(server *s, hs__worker *ws, int T, volatile sig_atomic_t *stop) {
#pragma omp parallel num_threads(T + 1)
  {
    int t = omp_get_thread_num();
    if (t == 0) serve(s, stop);
    else compute_local(s, &ws[t - 1], stop);
  }
}

static int init_workers(hs__worker *ws, int n, const hs__plan *pl, hs_error *err) {
  for (int t = 0; t < n; t++) {
    int rc = hs__worker_init(&ws[t], pl, err);
    if (rc) return rc;
  }
  return HS_OK;
}

/* Rank 0 opens the file and everyone learns whether to go on and from which chunk. */
static int open_and_share(int rank, const hs_sweep_opts *o, const char *partial,
                          const hs_sweep_layout *lay, hs__writer *wr, const hs__plan *pl,
                          int rc, int64_t *k0, hs_error *err) {
  int64_t msg[2] = {rc, 0};
  if (rank == 0 && !rc) {
    msg[0] = hs__open_file(o, partial, lay, wr, err);
    if (!msg[0] && !o->resume) wr->done = lay->run_first;
    msg[1] = wr->done / pl->chunk;
  }
  bcast_wait(msg, 2); /* the others sleep while rank 0 creates the file */
  *k0 = msg[1];
  if (msg[0] && !err->msg[0]) hs_error_set(err, (int)msg[0], "rank 0 could not open %s", partial);
  return (int)msg[0];
}

int hs_sweep_run_mpi(const hs_scenario *sc, const hs_sweep_opts *o, hs_sweep_report *rep,
                     hs_error *err) {
  int rank, nranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  memset(rep, 0, sizeof *rep);
  hs_error_clear(err);
  if (!sc->sweep.present)
    return hs_error_set(err, HS_EINPUT, "%s: no 'sweep:' section to run", sc->path);
  hs__plan pl;
  hs__sweep_plan(sc, o, &pl);
  int T = o->threads > 0 ? o->threads : omp_get_max_threads();
  if (T > 64) T = 64;
  char partial[4200];
  snprintf(partial, sizeof partial, "%s.partial", o->out_path);
  double t0 = hs__now_s();
  hs__names nm = {0};
  hs_sweep_layout lay;
  hs__writer wr = {.rep = rep, .log = (o->quiet || rank) ? NULL : o->log};
  server s = {.plan = &pl, .wr = &wr, .local_left = T, .nranks = nranks};
  s.handed = calloc((size_t)nranks, sizeof *s.handed);
  s.received = calloc((size_t)nranks, sizeof *s.received);
  s.quit = calloc((size_t)nranks, sizeof *s.quit);
  s.pending = malloc(sizeof *s.pending * (size_t)nranks);
  for (int r = 0; s.pending && r < nranks; r++) s.pending[r] = -1;
  hs__worker *ws = calloc((size_t)T, sizeof *ws);
  int rc = ws && s.handed && s.received && s.quit && s.pending
               ? init_workers(ws, T, &pl, err)
               : hs_error_set(err, HS_ENOMEM, "out of memory");
  if (!rc && rank == 0) rc = hs__make_layout(&pl, &ws[0], &nm, &lay, err);
  if (!rc && rank == 0) lay.mpio = 1; /* its server thread writes through MPI-IO */
  if (!rc && rank == 0) lay.stop = o->stop; /* creating a huge file stops on a signal */
  if (!rc && rank == 0) rc = pool_init(&s.pl, nranks * T + 1, &pl) ? hs_error_set(err, HS_ENOMEM, "out of memory") : HS_OK;
  int64_t k0;
  rc = open_and_share(rank, o, partial, &lay, &wr, &pl, rc, &k0, err);
  int64_t first, end;
  hs__plan_slice(&pl, &first, &end);
  int stopped = rc == HS_ESTOPPED; /* a signal while rank 0 created the file: it is kept */
  if (stopped) {                   /* with no run done, resumable, as in hs_sweep_run */
    rc = HS_OK;
    hs_error_clear(err);
    wr.done = wr.start_done = rep->resumed_from = first;
  }
  if (!rc && !stopped && rank == 0) {
    omp_init_lock(&s.lock);
    s.next_k = s.next_write = k0;
    rep->resumed_from = wr.start_done = wr.done;
    wr.t0 = wr.t_print = hs__now_s();
    wr.tty = wr.log && isatty(fileno(wr.log));
    run_rank0(&s, ws, T, o->stop);
    hs__progress(&wr, &pl, 1);
    omp_destroy_lock(&s.lock);
    rc = hs__finish(&wr, &lay, partial, o->out_path, err);
  } else if (!rc && !stopped) {
    work(&pl, ws, T, o->stop);
  }
  int64_t fin[3] = {rc, wr.done, wr.failed};
  bcast_wait(fin, 3); /* the others sleep while rank 0 closes the file */
  if (rank && fin[0] && !rc) rc = hs_error_set(err, (int)fin[0], "rank 0 failed");
  for (int t = 0; ws && t < T; t++) hs__worker_free(&ws[t]);
  free(ws);
  pool_free(&s.pl);
  free(s.handed), free(s.received), free(s.quit), free(s.pending);
  hs__names_free(&nm);
  rep->n_runs = pl.n_runs, rep->done = fin[1], rep->failed = fin[2];
  rep->run_first = first, rep->run_end = end;
  rep->threads = T * nranks, rep->chunk_runs = pl.chunk;
  rep->interrupted = !rc && fin[1] < end;
  rep->wall_s = hs__now_s() - t0, rep->write_s = wr.write_s;
  return rc;
}

#else
typedef int hs__sweep_mpi_unused; /* ISO C: a translation unit must not be empty */
#endif
