/* libro_registry: the write queue (not API). Writes from many threads are handed to one
 * writer thread, which owns the only writing connection: it takes every job queued, runs them
 * in one write transaction, each in a savepoint of its own (a job that fails is rolled back
 * alone and answered with its own error), commits once (one fsync for the group), and only
 * then wakes each job's submitter with its result. No write is acknowledged before the commit
 * that holds it, and the writers of one process never wait on SQLite's lock for each other. */
#ifndef LIBRO_REGISTRY_WRITER_H
#define LIBRO_REGISTRY_WRITER_H

#include "registry_int.h"

/* Jobs one group takes at most: a bound on what one failed commit can fail. */
#define LIBRO_REGISTRY_WRITER_MAX_GROUP 256u

typedef struct libro_registry_writer libro_registry_writer;

/** A job: ordinary libro_registry_* calls on `r`, the writer's own handle, whose transactions
 *  are savepoints of the group. It runs on the writer thread, while its submitter waits: what
 *  `ctx` points to stays valid. It must leave no transaction of its own open. Whatever it
 *  returns other than LIBRO_OK rolls back all it wrote. */
typedef libro_code (*libro_registry_job_fn)(libro_registry *r, void *ctx, libro_error *err);

/** Open the registry database at `db_path` on a new handle and start the writer thread.
 *  `prepare` (NULL: none) is called with `prepare_ctx` and the writer's handle before the
 *  thread starts, to install its status observer (libro_registry__set_status_observer): the
 *  observer then hears each group's changes once its COMMIT succeeded, on the writer thread,
 *  before the group's submitters wake (so a write is acknowledged after memory that mirrors
 *  the lists has it), and never a change of a job rolled back. Caller closes *out. The codes
 *  of libro_registry_open, LIBRO_ERR_NOMEM when no thread starts. */
LIBRO_NODISCARD libro_code libro_registry_writer_open(libro_registry_writer **out,
                                                      const char *db_path,
                                                      void (*prepare)(void *ctx, libro_registry *r),
                                                      void *prepare_ctx, libro_error *err);

/** Run `fn(r, ctx, err)` in the next group and wait until the group committed or failed.
 *  LIBRO_OK only when the job succeeded and its group's commit did; else the job's own error,
 *  or the error of the group (a commit that failed fails every job of its group; an I/O error
 *  poisons the writer's handle and every later job fails with LIBRO_ERR_IO). A group that
 *  meets LIBRO_ERR_CONFLICT (in a job or at its commit) is rolled back whole and all its jobs
 *  run again, up to LIBRO_RETRY_ATTEMPTS attempts: a job must leave nothing in `ctx` that its
 *  next run depends on. After the last, each job fails with LIBRO_ERR_CONFLICT. Safe from any
 *  number of threads; never from a job. */
LIBRO_NODISCARD libro_code libro_registry_writer_submit(libro_registry_writer *w,
                                                        libro_registry_job_fn fn, void *ctx,
                                                        libro_error *err);

/** Whether the writer's handle saw an I/O error on a write or fsync (libro_registry_poisoned). */
bool libro_registry_writer_poisoned(libro_registry_writer *w);

/** Groups settled (committed or failed) and jobs run since the writer opened, and the jobs
 *  waiting for a group now (for tests and benches). */
void libro_registry_writer_counts(libro_registry_writer *w, uint64_t *groups, uint64_t *jobs,
                                  uint64_t *queued);

/** Run the jobs still queued, stop the thread and close the handle. NULL is a no-op. */
void libro_registry_writer_close(libro_registry_writer *w);

/** Open a group on `r`'s store (store.h, group_begin): until libro_registry__group_end, each
 *  write transaction of `r` is a savepoint of one transaction. LIBRO_ERR_INVALID_ARG while a
 *  transaction is open; the codes of the store's begin. */
LIBRO_NODISCARD libro_code libro_registry__group_begin(libro_registry *r, libro_error *err);
/** Commit the group (`commit`), or roll it back; on a failed commit nothing of it is kept. */
LIBRO_NODISCARD libro_code libro_registry__group_end(libro_registry *r, bool commit,
                                                     libro_error *err);

#endif
