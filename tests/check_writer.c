/* The write queue (registry/src/writer.c) and the store's groups: many threads share one
 * writer; jobs queued while a group runs share the next group's commit; a job that fails is
 * rolled back alone; a commit that fails fails every job of its group and poisons the handle
 * (a real failed fsync: this suite links tests/fault/fault.c), while a full disk fails the
 * group without poisoning; a job is acknowledged only once its group committed (a child
 * process that dies the moment submit returns leaves the row on disk); the status observer
 * hears a group's changes after its commit, never a failed job's; sixteen concurrent writers
 * never meet a busy database. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../registry/src/writer.h"
#include "fault/fault.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "test_db.h"
#include "test_roundtable.h"
#include "test_util.h"

#define Y2026 INT64_C(1767225600)
#define Y2040 INT64_C(2208988800)

static rt_fixture F;
static char fsync_flag[320];
static char enospc_flag[320];
static libro_registry_writer *writer;

static void
setup(void)
{
    rt_setup(&F, Y2026, Y2040, 0, RT_LIST_BASE);
    ck_assert_int_gt(snprintf(fsync_flag, sizeof fsync_flag, "%s/fsync.flag", F.dir), 0);
    ck_assert_int_eq(setenv(LIBRO_FAULT_FSYNC_ENV, fsync_flag, 1), 0);
    ck_assert_int_gt(snprintf(enospc_flag, sizeof enospc_flag, "%s/enospc.flag", F.dir), 0);
    ck_assert_int_eq(setenv(LIBRO_FAULT_ENOSPC_ENV, enospc_flag, 1), 0);
}

static void
teardown(void)
{
    libro_registry_writer_close(writer);
    writer = NULL;
    (void) unlink(fsync_flag);
    (void) unlink(enospc_flag);
    (void) unsetenv(LIBRO_FAULT_FSYNC_ENV);
    (void) unsetenv(LIBRO_FAULT_ENOSPC_ENV);
    rt_teardown(&F);
}

static void
open_writer(void (*prepare)(void *ctx, libro_registry *r), void *ctx)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_registry_writer_open(&writer, F.db_path, prepare, ctx, &err), &err, "writer");
}

/* ------------------------------------------------------------------ jobs */

/* A job's type id (jobs take a void *, literals are const). */
typedef struct type_id {
    const char *id;
} type_id;

/* Define license type `id`: a real write (the type row and its log leaf). */
static libro_code
define(libro_registry *r, const char *id, libro_error *err)
{
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_code rc;

    t.id = libro_strndup(id, strlen(id));
    if (t.id == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    rc = libro_registry_define_type(r, NULL, &t, "ops", err);
    libro_free(t.id);
    return rc;
}

static libro_code
define_job(libro_registry *r, void *ctx, libro_error *err)
{
    return define(r, ((const type_id *) ctx)->id, err);
}

/* Define the type, then refuse: what it wrote must go with it. */
static libro_code
define_then_fail_job(libro_registry *r, void *ctx, libro_error *err)
{
    libro_code rc = define_job(r, ctx, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    return libro_error_set(err, LIBRO_ERR_DENIED, "job refused after its write");
}

/* A job that holds its group open until released, then defines its type. */
typedef struct blocker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool entered;
    bool released;
    const char *type;
} blocker;

static libro_code
blocker_job(libro_registry *r, void *ctx, libro_error *err)
{
    blocker *b = ctx;

    (void) pthread_mutex_lock(&b->lock);
    b->entered = true;
    (void) pthread_cond_broadcast(&b->cond);
    while (!b->released) {
        (void) pthread_cond_wait(&b->cond, &b->lock);
    }
    (void) pthread_mutex_unlock(&b->lock);
    return define(r, b->type, err);
}

/* A submission on a thread of its own. */
typedef struct sub {
    pthread_t thread;
    libro_registry_job_fn fn;
    void *ctx;
    libro_code rc;
    libro_error err;
} sub;

static void *
sub_main(void *arg)
{
    sub *s = arg;

    s->err = (libro_error) LIBRO_ERROR_INIT;
    s->rc = libro_registry_writer_submit(writer, s->fn, s->ctx, &s->err);
    return NULL;
}

static void
start(sub *s, libro_registry_job_fn fn, void *ctx)
{
    s->fn = fn;
    s->ctx = ctx;
    ck_assert_int_eq(pthread_create(&s->thread, NULL, sub_main, s), 0);
}

static void
join(sub *s)
{
    ck_assert_int_eq(pthread_join(s->thread, NULL), 0);
}

static void
blocker_init(blocker *b, const char *type)
{
    memset(b, 0, sizeof *b);
    ck_assert_int_eq(pthread_mutex_init(&b->lock, NULL), 0);
    ck_assert_int_eq(pthread_cond_init(&b->cond, NULL), 0);
    b->type = type;
}

static void
blocker_wait_entered(blocker *b)
{
    (void) pthread_mutex_lock(&b->lock);
    while (!b->entered) {
        (void) pthread_cond_wait(&b->cond, &b->lock);
    }
    (void) pthread_mutex_unlock(&b->lock);
}

static void
blocker_release(blocker *b)
{
    (void) pthread_mutex_lock(&b->lock);
    b->released = true;
    (void) pthread_cond_broadcast(&b->cond);
    (void) pthread_mutex_unlock(&b->lock);
}

static void
blocker_destroy(blocker *b)
{
    (void) pthread_cond_destroy(&b->cond);
    (void) pthread_mutex_destroy(&b->lock);
}

/* Wait until `n` jobs wait in the queue (their submitters are asleep in submit). */
static void
wait_queued(uint64_t n)
{
    uint64_t groups = 0;
    uint64_t jobs = 0;
    uint64_t queued = 0;

    for (;;) {
        libro_registry_writer_counts(writer, &groups, &jobs, &queued);
        if (queued >= n) {
            break;
        }
        (void) sched_yield();
    }
    ck_assert_uint_eq(queued, n);
}

/* Submit on a thread of its own, and wait until the job waits in the queue behind `ahead`
 * others (the order of a group is the order of its queue). */
static void
start_queued(sub *s, libro_registry_job_fn fn, void *ctx, uint64_t ahead)
{
    start(s, fn, ctx);
    wait_queued(ahead + 1);
}

static void
counts(uint64_t *groups, uint64_t *jobs)
{
    uint64_t queued = 0;

    libro_registry_writer_counts(writer, groups, jobs, &queued);
    ck_assert_uint_eq(queued, 0);
}

/* Whether type `id` is on disk, read on a handle of its own. */
static bool
has_type(const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {0};
    libro_code rc;

    must(libro_registry_open(&r, F.db_path, &err), &err, "open");
    rc = libro_registry_get_type(r, &t, id, &err);
    ck_assert_msg(rc == LIBRO_OK || rc == LIBRO_ERR_NOT_FOUND, "get type %s: %s", id, err.msg);
    libro_license_type_clear(&t);
    libro_registry_close(r);
    return rc == LIBRO_OK;
}

/* ------------------------------------------------------------------ groups */

#define THREADS 8
#define PER_THREAD 25
#define WRITERS 16
#define PER_WRITER 12

/* A thread that submits `count` writes, types "<prefix><n>-<i>", one after the other. */
typedef struct many {
    pthread_t thread;
    const char *prefix;
    int n;
    int count;
    int failed;
    int busy;
    libro_error err;
} many;

static void *
many_main(void *arg)
{
    many *m = arg;
    char id[32];
    type_id job = {id};

    for (int i = 0; i < m->count; i++) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_code rc;

        (void) snprintf(id, sizeof id, "%s%d-%d", m->prefix, m->n, i);
        rc = libro_registry_writer_submit(writer, define_job, &job, &err);
        if (rc != LIBRO_OK) {
            m->failed++;
            m->busy += rc == LIBRO_ERR_BUSY;
            m->err = err;
        }
    }
    return NULL;
}

/* `threads` threads of `count` writes each at once: every write acknowledged, none busy. */
static void
run_many(many *m, int threads, const char *prefix, int count)
{
    uint64_t groups = 0;
    uint64_t jobs = 0;

    for (int t = 0; t < threads; t++) {
        memset(&m[t], 0, sizeof m[t]);
        m[t].prefix = prefix;
        m[t].n = t;
        m[t].count = count;
        ck_assert_int_eq(pthread_create(&m[t].thread, NULL, many_main, &m[t]), 0);
    }
    for (int t = 0; t < threads; t++) {
        ck_assert_int_eq(pthread_join(m[t].thread, NULL), 0);
        ck_assert_msg(m[t].busy == 0, "thread %d: %d busy", t, m[t].busy);
        ck_assert_msg(m[t].failed == 0, "thread %d: %d failed (%s)", t, m[t].failed, m[t].err.msg);
    }
    counts(&groups, &jobs);
    ck_assert_uint_eq(jobs, (uint64_t) threads * (uint64_t) count);
    ck_assert_uint_ge(groups, 1);
    ck_assert_uint_le(groups, jobs);
}

/* Threads writing at once through one writer: every write is acknowledged and on disk, and
 * the writer made no more commits than writes. */
START_TEST(test_many_threads)
{
    many m[THREADS];
    char id[32];

    open_writer(NULL, NULL);
    run_many(m, THREADS, "t", PER_THREAD);
    for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < PER_THREAD; i += 6) {
            (void) snprintf(id, sizeof id, "t%d-%d", t, i);
            ck_assert_msg(has_type(id), "%s acknowledged but not on disk", id);
        }
    }
}
END_TEST

/* Jobs queued while a group runs share the next group: one commit for all of them. */
START_TEST(test_queued_jobs_share_a_commit)
{
    static type_id ids[] = {{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}};
    sub s[LIBRO_NELEM(ids)];
    sub first;
    blocker b;
    uint64_t groups = 0;
    uint64_t jobs = 0;

    open_writer(NULL, NULL);
    blocker_init(&b, "first");
    start(&first, blocker_job, &b);
    blocker_wait_entered(&b);
    for (size_t i = 0; i < LIBRO_NELEM(ids); i++) {
        start(&s[i], define_job, &ids[i]);
    }
    wait_queued(LIBRO_NELEM(ids));
    blocker_release(&b);
    join(&first);
    must(first.rc, &first.err, "first");
    for (size_t i = 0; i < LIBRO_NELEM(ids); i++) {
        join(&s[i]);
        must(s[i].rc, &s[i].err, ids[i].id);
        ck_assert(has_type(ids[i].id));
    }
    counts(&groups, &jobs);
    ck_assert_uint_eq(jobs, 1 + LIBRO_NELEM(ids));
    ck_assert_uint_eq(groups, 2);
    blocker_destroy(&b);
}
END_TEST

/* A job that fails in a group is rolled back alone, with its own error; the others of its
 * group commit. */
START_TEST(test_failing_job_fails_alone)
{
    sub first;
    sub good1;
    sub bad;
    sub good2;
    blocker b;
    type_id id_good1 = {"good-1"};
    type_id id_bad = {"bad"};
    type_id id_good2 = {"good-2"};
    uint64_t groups = 0;
    uint64_t jobs = 0;

    open_writer(NULL, NULL);
    blocker_init(&b, "first");
    start(&first, blocker_job, &b);
    blocker_wait_entered(&b);
    start_queued(&good1, define_job, &id_good1, 0);
    start_queued(&bad, define_then_fail_job, &id_bad, 1);
    start_queued(&good2, define_job, &id_good2, 2);
    blocker_release(&b);
    join(&first);
    join(&good1);
    join(&bad);
    join(&good2);
    must(good1.rc, &good1.err, "good-1");
    must(good2.rc, &good2.err, "good-2");
    LIBRO_ASSERT_CODE(bad.rc, LIBRO_ERR_DENIED, &bad.err, "job refused after its write");
    counts(&groups, &jobs);
    ck_assert_uint_eq(groups, 2); /* the three shared a group */
    ck_assert(has_type("good-1"));
    ck_assert(has_type("good-2"));
    ck_assert(!has_type("bad"));
    blocker_destroy(&b);
}
END_TEST

static void
flag(const char *path, bool on)
{
    if (on) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(close(fd), 0);
    } else {
        ck_assert_int_eq(unlink(path), 0);
    }
}

/* A group whose COMMIT fails (its fsync) fails every job of it, none is on disk, and the
 * writer takes no more writes: the handle is poisoned, as a connection's is. */
START_TEST(test_commit_failure_fails_the_group)
{
    libro_error err = LIBRO_ERROR_INIT;
    sub first;
    sub second;
    sub a;
    sub c;
    blocker b1;
    blocker b2;
    type_id id_a = {"during-a"};
    type_id id_c = {"during-c"};
    type_id id_after = {"after"};

    if (test_db_sqlite_only("a failing fsync of the database file (libro_fault)")) {
        return;
    }
    open_writer(NULL, NULL);
    blocker_init(&b1, "before");
    blocker_init(&b2, "during");
    start(&first, blocker_job, &b1);
    blocker_wait_entered(&b1);
    start_queued(&second, blocker_job, &b2, 0);
    start_queued(&a, define_job, &id_a, 1);
    start_queued(&c, define_job, &id_c, 2);
    blocker_release(&b1);
    join(&first);
    must(first.rc, &first.err, "the group before the fault");
    blocker_wait_entered(&b2); /* the second group runs: its commit meets the fault */
    flag(fsync_flag, true);
    blocker_release(&b2);
    join(&second);
    join(&a);
    join(&c);
    LIBRO_ASSERT_CODE(second.rc, LIBRO_ERR_IO, &second.err,
                      "commit: disk I/O error (fsync failed)");
    LIBRO_ASSERT_CODE(a.rc, LIBRO_ERR_IO, &a.err, "commit: disk I/O error (fsync failed)");
    LIBRO_ASSERT_CODE(c.rc, LIBRO_ERR_IO, &c.err, "commit: disk I/O error (fsync failed)");
    ck_assert(libro_registry_writer_poisoned(writer));
    flag(fsync_flag, false);
    LIBRO_ASSERT_CODE(libro_registry_writer_submit(writer, define_job, &id_after, &err),
                      LIBRO_ERR_IO, &err,
                      "database: writes stopped after an I/O error; restart to re-check");
    libro_registry_writer_close(writer);
    writer = NULL;
    ck_assert(has_type("before"));
    ck_assert(!has_type("during"));
    ck_assert(!has_type("during-a"));
    ck_assert(!has_type("during-c"));
    ck_assert(!has_type("after"));
    blocker_destroy(&b1);
    blocker_destroy(&b2);
}
END_TEST

/* A full disk at a group's COMMIT fails every job of it with LIBRO_ERR_FULL, writes nothing,
 * and poisons nothing: once space is freed the writer takes writes again. */
START_TEST(test_full_disk_fails_the_group)
{
    libro_error err = LIBRO_ERROR_INIT;
    sub first;
    sub second;
    sub a;
    blocker b1;
    blocker b2;
    type_id id_a = {"full-a"};
    type_id id_after = {"after"};

    if (test_db_sqlite_only("a full disk under the database file (libro_fault)")) {
        return;
    }
    open_writer(NULL, NULL);
    blocker_init(&b1, "before");
    blocker_init(&b2, "full");
    start(&first, blocker_job, &b1);
    blocker_wait_entered(&b1);
    start_queued(&second, blocker_job, &b2, 0);
    start_queued(&a, define_job, &id_a, 1);
    blocker_release(&b1);
    join(&first);
    must(first.rc, &first.err, "the group before the disk fills");
    blocker_wait_entered(&b2);
    flag(enospc_flag, true);
    blocker_release(&b2);
    join(&second);
    join(&a);
    LIBRO_ASSERT_CODE(second.rc, LIBRO_ERR_FULL, &second.err, "database or disk is full");
    LIBRO_ASSERT_CODE(a.rc, LIBRO_ERR_FULL, &a.err, "database or disk is full");
    ck_assert(!libro_registry_writer_poisoned(writer));
    flag(enospc_flag, false);
    must(libro_registry_writer_submit(writer, define_job, &id_after, &err), &err,
         "a write after space is freed");
    ck_assert(has_type("before"));
    ck_assert(!has_type("full"));
    ck_assert(!has_type("full-a"));
    ck_assert(has_type("after"));
    blocker_destroy(&b1);
    blocker_destroy(&b2);
}
END_TEST

/* ------------------------------------------------------------------ acknowledgement */

#define CHILD_THREADS 8

typedef struct acker {
    pthread_t thread;
    int n;
    int fd;
} acker;

/* Submit, and the moment submit answers, say so on the pipe and end the whole process: no
 * close, no flush, nothing after the acknowledgement. */
static void *
acker_main(void *arg)
{
    acker *k = arg;
    libro_error err = LIBRO_ERROR_INIT;
    char id[32];
    type_id job = {id};
    unsigned char n = (unsigned char) k->n;

    (void) snprintf(id, sizeof id, "acked-%d", k->n);
    if (libro_registry_writer_submit(writer, define_job, &job, &err) == LIBRO_OK) {
        if (write(k->fd, &n, 1) != 1) {
            _exit(3);
        }
        _exit(0);
    }
    _exit(2);
}

/* What was acknowledged is on disk, even when the process dies right after: the writer
 * answers only once the group's COMMIT returned. */
START_TEST(test_acknowledged_means_committed)
{
    int fds[2];
    pid_t pid;
    int status = 0;
    unsigned char got[CHILD_THREADS];
    ssize_t n;
    char id[32];

    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        libro_error err = LIBRO_ERROR_INIT;
        acker k[CHILD_THREADS];

        (void) close(fds[0]);
        if (libro_registry_writer_open(&writer, F.db_path, NULL, NULL, &err) != LIBRO_OK) {
            _exit(4);
        }
        for (int i = 0; i < CHILD_THREADS; i++) {
            k[i].n = i;
            k[i].fd = fds[1];
            if (pthread_create(&k[i].thread, NULL, acker_main, &k[i]) != 0) {
                _exit(5);
            }
        }
        for (;;) {
            (void) pause(); /* the first acknowledged thread ends the process */
        }
    }
    (void) close(fds[1]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    n = read(fds[0], got, sizeof got);
    (void) close(fds[0]);
    ck_assert_int_ge(n, 1);
    for (ssize_t i = 0; i < n; i++) {
        (void) snprintf(id, sizeof id, "acked-%u", (unsigned) got[i]);
        ck_assert_msg(has_type(id), "%s was acknowledged and is not on disk", id);
    }
}
END_TEST

/* ------------------------------------------------------------------ the observer */

#define MAX_HEARD 16

typedef struct hearing {
    pthread_mutex_t lock;
    size_t n;
    uint32_t index[MAX_HEARD];
    uint64_t version[MAX_HEARD];
} hearing;

static hearing heard;

static void
observe(void *ctx, libro_store_space space, uint32_t list, uint32_t index, int purpose,
        unsigned value, uint64_t version)
{
    hearing *h = ctx;

    (void) space;
    (void) list;
    (void) purpose;
    (void) value;
    (void) pthread_mutex_lock(&h->lock);
    if (h->n < MAX_HEARD) {
        h->index[h->n] = index;
        h->version[h->n] = version;
    }
    h->n++;
    (void) pthread_mutex_unlock(&h->lock);
}

static void
prepare_observer(void *ctx, libro_registry *r)
{
    libro_registry__set_status_observer(r, observe, ctx);
}

static size_t
heard_count(void)
{
    size_t n;

    (void) pthread_mutex_lock(&heard.lock);
    n = heard.n;
    (void) pthread_mutex_unlock(&heard.lock);
    return n;
}

static libro_code
reserve_job(libro_registry *r, void *ctx, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    (void) ctx;
    for (uint32_t i = 0; rc == LIBRO_OK && i < 4; i++) {
        rc = r->store.ops->slot_reserve(r->store.h, LIBRO_SPACE_LICENSES, 0, i, err);
    }
    return rc;
}

/* Revoke index *ctx in list 0, in a transaction of the job's own. */
static libro_code
revoke_job(libro_registry *r, void *ctx, libro_error *err)
{
    const uint32_t *index = ctx;
    libro_code rc = r->store.ops->begin(r->store.h, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->status_set(r->store.h, LIBRO_SPACE_LICENSES, 0, *index,
                                  LIBRO_STATUS_REVOCATION, 1, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

static libro_code
revoke_then_fail_job(libro_registry *r, void *ctx, libro_error *err)
{
    libro_code rc = revoke_job(r, ctx, err);

    return rc != LIBRO_OK ? rc : libro_error_set(err, LIBRO_ERR_DENIED, "refused");
}

/* Whether the observer had heard anything while the group was still open. */
static size_t heard_inside;

static libro_code
probe_job(libro_registry *r, void *ctx, libro_error *err)
{
    (void) r;
    (void) ctx;
    (void) err;
    heard_inside = heard_count();
    return LIBRO_OK;
}

/* The observer hears a group's changes once its COMMIT succeeded, before the submitters
 * wake, and never a change of a job that failed. */
START_TEST(test_observer_after_commit)
{
    libro_error err = LIBRO_ERROR_INIT;
    static uint32_t idx[] = {0, 1, 2};
    sub first;
    sub s0;
    sub s1;
    sub probe;
    sub s2;
    blocker b;

    memset(&heard, 0, sizeof heard);
    ck_assert_int_eq(pthread_mutex_init(&heard.lock, NULL), 0);
    open_writer(prepare_observer, &heard);
    must(libro_registry_writer_submit(writer, reserve_job, NULL, &err), &err, "reserve");
    blocker_init(&b, "first");
    start(&first, blocker_job, &b);
    blocker_wait_entered(&b);
    start_queued(&s0, revoke_job, &idx[0], 0);
    start_queued(&s1, revoke_then_fail_job, &idx[1], 1);
    start_queued(&probe, probe_job, NULL, 2);
    start_queued(&s2, revoke_job, &idx[2], 3);
    heard_inside = 99;
    blocker_release(&b);
    join(&first);
    join(&s0);
    join(&s1);
    join(&probe);
    join(&s2);
    must(s0.rc, &s0.err, "revoke 0");
    LIBRO_ASSERT_CODE(s1.rc, LIBRO_ERR_DENIED, &s1.err, "refused");
    must(s2.rc, &s2.err, "revoke 2");
    ck_assert_uint_eq(heard_inside, 0); /* index 0 was set, not yet committed */
    ck_assert_uint_eq(heard_count(), 2);
    ck_assert_uint_eq(heard.index[0], 0);
    ck_assert_uint_eq(heard.version[0], 1);
    ck_assert_uint_eq(heard.index[1], 2);
    ck_assert_uint_eq(heard.version[1], 2); /* index 1's bump was rolled back with it */
    blocker_destroy(&b);
    (void) pthread_mutex_destroy(&heard.lock);
}
END_TEST

/* ------------------------------------------------------------------ no busy writers */

/* Sixteen writers at once: none waits on SQLite's lock, so none is told "busy". */
START_TEST(test_sixteen_writers_never_busy)
{
    many m[WRITERS];

    open_writer(NULL, NULL);
    run_many(m, WRITERS, "w", PER_WRITER);
    ck_assert(has_type("w0-0"));
    ck_assert(has_type("w15-11"));
}
END_TEST

/* ------------------------------------------------------------------ the store's groups */

/* Without a queue: a group on one handle, savepoints inside it, misuse refused. */
START_TEST(test_group_on_a_handle)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;

    must(libro_registry_open(&r, F.db_path, &err), &err, "open");
    LIBRO_ASSERT_CODE(libro_registry__group_end(r, true, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "commit: no group is open");
    must(libro_registry__group_begin(r, &err), &err, "group begin");
    LIBRO_ASSERT_CODE(libro_registry__group_begin(r, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "begin: a transaction is open");
    must(define(r, "kept", &err), &err, "define kept");
    /* A savepoint rolled back takes the write nested in it (released into it) along. */
    must(r->store.ops->begin(r->store.h, &err), &err, "savepoint");
    must(define(r, "undone", &err), &err, "define undone");
    r->store.ops->rollback(r->store.h);
    ck_assert(!has_type("kept")); /* not committed yet: another handle does not see it */
    must(libro_registry__group_end(r, true, &err), &err, "group end");
    ck_assert(has_type("kept"));
    ck_assert(!has_type("undone"));
    /* A group rolled back keeps nothing. */
    must(libro_registry__group_begin(r, &err), &err, "group begin");
    must(define(r, "dropped", &err), &err, "define dropped");
    must(libro_registry__group_end(r, false, &err), &err, "group rollback");
    ck_assert(!has_type("dropped"));
    /* Nesting is bounded. */
    must(libro_registry__group_begin(r, &err), &err, "group begin");
    for (unsigned i = 0; i < LIBRO_STORE_MAX_DEPTH; i++) {
        must(r->store.ops->begin(r->store.h, &err), &err, "savepoint");
    }
    LIBRO_ASSERT_CODE(r->store.ops->begin(r->store.h, &err), LIBRO_ERR_LIMIT, &err,
                      "begin: savepoints nested too deep");
    LIBRO_ASSERT_CODE(libro_registry__group_end(r, true, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "commit: a savepoint is still open");
    /* ... and that group was rolled back: a plain write works again. */
    must(define(r, "plain", &err), &err, "a plain write after the group");
    ck_assert(has_type("plain"));
    libro_registry_close(r);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("queue");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_many_threads);
    tcase_add_test(tc, test_queued_jobs_share_a_commit);
    tcase_add_test(tc, test_failing_job_fails_alone);
    tcase_add_test(tc, test_commit_failure_fails_the_group);
    tcase_add_test(tc, test_full_disk_fails_the_group);
    tcase_add_test(tc, test_acknowledged_means_committed);
    tcase_add_test(tc, test_observer_after_commit);
    tcase_add_test(tc, test_sixteen_writers_never_busy);
    tcase_add_test(tc, test_group_on_a_handle);
    suite_add_tcase(s, tc);
    return s;
}
