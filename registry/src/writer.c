/* libro_registry: the write queue (writer.h). One mutex guards the queue; the writer thread
 * sleeps on `work` until a job arrives (no polling), takes every job queued (up to
 * LIBRO_REGISTRY_WRITER_MAX_GROUP) and runs them as one group while more arrive for the next
 * one: the longer a commit takes, the more jobs the next commit carries. Submitters sleep on
 * `done` until their group is settled. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "libro/retry_int.h"
#include "libro/util.h"
#include "writer.h"

typedef struct job {
    libro_registry_job_fn fn;
    void *ctx;
    libro_code rc;
    libro_error err;
    bool done;
    struct job *next;
} job;

struct libro_registry_writer {
    libro_registry *reg; /* used by the writer thread only, once it runs */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was queued, or the writer is stopping */
    pthread_cond_t done; /* a group was settled */
    job *head;           /* the queue, oldest first */
    job *tail;
    bool stopping;
    atomic_bool poisoned;
    uint64_t groups; /* under `lock` */
    uint64_t jobs;
    uint64_t queued;
};

libro_code
libro_registry__group_begin(libro_registry *r, libro_error *err)
{
    libro_code rc = r->store.ops->group_begin(r->store.h, err);

    if (rc == LIBRO_OK) {
        r->grouped = true;
    }
    return rc;
}

libro_code
libro_registry__group_end(libro_registry *r, bool commit, libro_error *err)
{
    r->grouped = false;
    return r->store.ops->group_end(r->store.h, commit, err);
}

/* Run one job in a savepoint of its own: what a failed job wrote is rolled back, the rest of
 * the group stays. */
static void
run_job(libro_registry *r, job *j)
{
    j->rc = r->store.ops->begin(r->store.h, &j->err);
    if (j->rc != LIBRO_OK) {
        return;
    }
    j->rc = j->fn(r, j->ctx, &j->err);
    if (j->rc == LIBRO_OK) {
        j->rc = r->store.ops->commit(r->store.h, &j->err);
    }
    if (j->rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
}

/* One attempt at the group of `first` and the jobs after it; each ends with its result. A job
 * that meets LIBRO_ERR_CONFLICT lost the whole group's transaction (the database refused it for
 * a concurrent one): the group is rolled back and LIBRO_ERR_CONFLICT returned, for all its
 * jobs to run again. Any other failure of a job fails that job alone. */
static libro_code
run_group_once(libro_registry_writer *w, job *first, libro_error *err)
{
    libro_code rc = libro_registry__group_begin(w->reg, err);
    job *j;

    for (j = first; j != NULL; j = j->next) {
        j->rc = LIBRO_OK;
        j->err = (libro_error) LIBRO_ERROR_INIT;
    }
    for (j = first; rc == LIBRO_OK && j != NULL; j = j->next) {
        run_job(w->reg, j);
        if (j->rc == LIBRO_ERR_CONFLICT) {
            libro_error ignored = LIBRO_ERROR_INIT;
            libro_code end = libro_registry__group_end(w->reg, false, &ignored);

            (void) end; /* rolled back either way */
            *err = j->err;
            rc = LIBRO_ERR_CONFLICT;
        }
    }
    /* Jobs that failed were rolled back to their savepoints: the group holds nothing of
     * theirs, and its commit settles the others. */
    if (rc == LIBRO_OK) {
        rc = libro_registry__group_end(w->reg, true, err);
    }
    for (j = first; rc != LIBRO_OK && j != NULL; j = j->next) {
        if (j->rc == LIBRO_OK || rc == LIBRO_ERR_CONFLICT) {
            j->rc = rc;
            j->err = *err;
        }
    }
    return rc;
}

/* Run `first` and the jobs after it as one group, again (bounded) while it meets
 * LIBRO_ERR_CONFLICT: the group was rolled back whole, so every job runs again from nothing
 * it left. After the last attempt each job fails with LIBRO_ERR_CONFLICT. */
static void
run_group(libro_registry_writer *w, job *first)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned attempt = 0;
    libro_code rc;

    do {
        err = (libro_error) LIBRO_ERROR_INIT;
        rc = run_group_once(w, first, &err);
    } while (libro_retry__again(rc, &attempt, &err));
    if (rc == LIBRO_ERR_CONFLICT) {
        for (job *j = first; j != NULL; j = j->next) {
            j->err = err; /* the message now says how many attempts were made */
        }
    }
}

static void *
writer_main(void *arg)
{
    libro_registry_writer *w = arg;

    (void) pthread_mutex_lock(&w->lock);
    for (;;) {
        job *first;
        job *last;
        uint64_t n = 1;

        while (w->head == NULL && !w->stopping) {
            (void) pthread_cond_wait(&w->work, &w->lock);
        }
        if (w->head == NULL) {
            break; /* stopping, and nothing left to run */
        }
        first = w->head;
        last = first;
        while (last->next != NULL && n < LIBRO_REGISTRY_WRITER_MAX_GROUP) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        w->queued -= n;
        if (w->head == NULL) {
            w->tail = NULL;
        }
        last->next = NULL;
        (void) pthread_mutex_unlock(&w->lock);

        run_group(w, first);
        if (libro_registry_poisoned(w->reg)) {
            atomic_store(&w->poisoned, true);
        }

        (void) pthread_mutex_lock(&w->lock);
        w->groups++;
        w->jobs += n;
        /* `next` is read before `done` is set: a submitter woken frees its job. */
        while (first != NULL) {
            job *next = first->next;

            first->done = true;
            first = next;
        }
        (void) pthread_cond_broadcast(&w->done);
    }
    (void) pthread_mutex_unlock(&w->lock);
    return NULL;
}

libro_code
libro_registry_writer_open(libro_registry_writer **out, const char *db_path,
                           void (*prepare)(void *ctx, libro_registry *r), void *prepare_ctx,
                           libro_error *err)
{
    libro_registry_writer *w = NULL;
    bool lock_ready = false;
    bool work_ready = false;
    bool done_ready = false;
    libro_code rc;

    if (out == NULL || db_path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "writer: NULL argument");
    }
    *out = NULL;
    w = libro_calloc(1, sizeof *w);
    if (w == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    atomic_init(&w->poisoned, false);
    rc = libro_registry_open(&w->reg, db_path, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (prepare != NULL) {
        prepare(prepare_ctx, w->reg);
    }
    lock_ready = pthread_mutex_init(&w->lock, NULL) == 0;
    work_ready = lock_ready && pthread_cond_init(&w->work, NULL) == 0;
    done_ready = work_ready && pthread_cond_init(&w->done, NULL) == 0;
    if (!done_ready || pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "writer: cannot start its thread");
        goto out;
    }
    *out = w;
    w = NULL; /* moved to caller */
out:
    if (w != NULL) {
        if (done_ready) {
            (void) pthread_cond_destroy(&w->done);
        }
        if (work_ready) {
            (void) pthread_cond_destroy(&w->work);
        }
        if (lock_ready) {
            (void) pthread_mutex_destroy(&w->lock);
        }
        libro_registry_close(w->reg);
        libro_free(w);
    }
    return rc;
}

libro_code
libro_registry_writer_submit(libro_registry_writer *w, libro_registry_job_fn fn, void *ctx,
                             libro_error *err)
{
    job j;

    if (w == NULL || fn == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "writer: NULL argument");
    }
    memset(&j, 0, sizeof j);
    j.fn = fn;
    j.ctx = ctx;
    j.err = (libro_error) LIBRO_ERROR_INIT;
    (void) pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        (void) pthread_mutex_unlock(&w->lock);
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "writer: closed");
    }
    if (w->tail == NULL) {
        w->head = &j;
    } else {
        w->tail->next = &j;
    }
    w->tail = &j;
    w->queued++;
    (void) pthread_cond_signal(&w->work);
    while (!j.done) {
        (void) pthread_cond_wait(&w->done, &w->lock);
    }
    (void) pthread_mutex_unlock(&w->lock);
    if (j.rc != LIBRO_OK && err != NULL) {
        *err = j.err;
    }
    return j.rc;
}

bool
libro_registry_writer_poisoned(libro_registry_writer *w)
{
    return w != NULL && atomic_load(&w->poisoned);
}

void
libro_registry_writer_counts(libro_registry_writer *w, uint64_t *groups, uint64_t *jobs,
                             uint64_t *queued)
{
    (void) pthread_mutex_lock(&w->lock);
    *groups = w->groups;
    *jobs = w->jobs;
    *queued = w->queued;
    (void) pthread_mutex_unlock(&w->lock);
}

void
libro_registry_writer_close(libro_registry_writer *w)
{
    if (w == NULL) {
        return;
    }
    (void) pthread_mutex_lock(&w->lock);
    w->stopping = true;
    (void) pthread_cond_signal(&w->work);
    (void) pthread_mutex_unlock(&w->lock);
    (void) pthread_join(w->thread, NULL);
    (void) pthread_cond_destroy(&w->done);
    (void) pthread_cond_destroy(&w->work);
    (void) pthread_mutex_destroy(&w->lock);
    libro_registry_close(w->reg);
    libro_free(w);
}
