/* The PostgreSQL store (registry/src/postgres) against a real server: $LIBRO_TEST_PG, a libpq
 * URI of a database the test may create schemas in. Each test case works in a fresh schema of
 * its own (options=-csearch_path), made and dropped here with libpq. Without LIBRO_TEST_PG
 * the suite skips (77), loudly; under LIBRO_TEST_STRICT=1 it fails instead. */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "test_util.h"

static char schema[64];
static char uri[1024];
static char raw_uri[1024]; /* the same schema, another application_name */
static char app[64];
static unsigned case_no;

/* A raw connection to the test's schema, for what the store does not do (triggers, kills). */
static PGconn *
raw_connect(void)
{
    PGconn *c = PQconnectdb(raw_uri);

    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    return c;
}

/* The server's notices (DROP ... CASCADE lists what it drops) are not the test's output. */
static void
quiet(void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

static void
raw_sql_on(const char *base, const char *sql)
{
    PGconn *c = PQconnectdb(base);
    PGresult *r;

    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    (void) PQsetNoticeProcessor(c, quiet, NULL);
    r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void
raw_sql(const char *sql)
{
    raw_sql_on(raw_uri, sql);
}

/* One integer answer of `sql` on the test's schema. */
static long long
raw_int(const char *sql)
{
    PGconn *c = raw_connect();
    PGresult *r = PQexec(c, sql);
    long long v;

    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQerrorMessage(c));
    v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return v;
}

/* `base` with one more URI parameter. */
static void
with_param(char *out, size_t size, const char *base, const char *param)
{
    int n = snprintf(out, size, "%s%c%s", base, strchr(base, '?') != NULL ? '&' : '?', param);

    ck_assert(n > 0 && (size_t) n < size);
}

static void
setup(void)
{
    const char *base = getenv("LIBRO_TEST_PG");
    char sql[160];
    char opt[128];
    char tmp[900];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_gt(snprintf(schema, sizeof schema, "t_store_pg_%ld_%u_%ld", (long) getpid(),
                              case_no++, (long) time(NULL) % 100000),
                     0);
    ck_assert_int_gt(snprintf(app, sizeof app, "libro_%s", schema), 0);
    ck_assert_int_gt(snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema), 0);
    raw_sql_on(base, sql);
    ck_assert_int_gt(snprintf(opt, sizeof opt, "options=-csearch_path%%3D%s", schema), 0);
    with_param(tmp, sizeof tmp, base, opt);
    with_param(raw_uri, sizeof raw_uri, tmp, "application_name=libro_test_raw");
    ck_assert_int_gt(snprintf(opt, sizeof opt, "application_name=%s", app), 0);
    with_param(uri, sizeof uri, tmp, opt);
}

static void
teardown(void)
{
    char sql[160];

    ck_assert_int_gt(snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema), 0);
    raw_sql_on(getenv("LIBRO_TEST_PG"), sql);
}

static const char *const meta[] = {LIBRO_STORE_META_CHARTER, "the charter", NULL};

static libro_store
create(void)
{
    libro_store s = {NULL, NULL};
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_store__create(&s, uri, meta, &err), &err, "create");
    return s;
}

static libro_store
open_store(bool read_only)
{
    libro_store s = {NULL, NULL};
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_store__open(&s, uri, read_only, &err), &err, "open");
    return s;
}

/* Terminate the backends of this test's store connections (not the raw ones). */
static void
kill_store_connections(void)
{
    char sql[256];

    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              " WHERE application_name = '%s'",
                              app),
                     0);
    ck_assert_int_ge(raw_int(sql), 1);
    /* Until they are gone (each has said so on its socket before it exits): bounded. */
    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'",
                              app),
                     0);
    for (int i = 0; i < 1000 && raw_int(sql) > 0; i++) {
        struct timespec pause = {0, 2000000L};

        (void) nanosleep(&pause, NULL);
    }
    ck_assert_int_eq(raw_int(sql), 0);
}

/* ---- create and open ---------------------------------------------------------------------- */

START_TEST(test_create_open)
{
    libro_store s = create();
    libro_store again = {NULL, NULL};
    libro_error err = LIBRO_ERROR_INIT;
    char *v = NULL;

    ck_assert_int_eq(s.ops->schema_version(s.h), libro_store__pg_latest());
    must(s.ops->meta_get(s.h, &v, LIBRO_STORE_META_CHARTER, &err), &err, "meta");
    ck_assert_str_eq(v, "the charter");
    libro_free(v);
    LIBRO_ASSERT_CODE(s.ops->meta_get(s.h, &v, "nothing", &err), LIBRO_ERR_NOT_FOUND, &err,
                      "database has no nothing");
    must(s.ops->integrity_check(s.h, &err), &err, "integrity");
    s.ops->close(s.h);
    LIBRO_ASSERT_CODE(libro_store__create(&again, uri, meta, &err), LIBRO_ERR_EXISTS, &err,
                      "already holds a registry");
    ck_assert_ptr_null(again.h);
    s = open_store(false);
    must(s.ops->meta_get(s.h, &v, LIBRO_STORE_META_CHARTER, &err), &err, "meta");
    ck_assert_str_eq(v, "the charter");
    libro_free(v);
    s.ops->close(s.h);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM libro_schema_version"),
                     libro_store__pg_latest());
}
END_TEST

START_TEST(test_open_missing)
{
    libro_store s = {NULL, NULL};
    libro_error err = LIBRO_ERROR_INIT;
    char bad[1100];

    LIBRO_ASSERT_CODE(libro_store__open(&s, uri, false, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no registry at postgres");
    ck_assert_ptr_null(s.h);
    /* No database of that name: NOT_FOUND too. */
    ck_assert_int_gt(snprintf(bad, sizeof bad, "postgresql:///libro_no_such_db_%ld?%s",
                              (long) getpid(), strchr(uri, '?') + 1),
                     0);
    LIBRO_ASSERT_CODE(libro_store__open(&s, bad, false, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "does not exist");
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;

    s.ops->close(s.h);
    raw_sql("INSERT INTO libro_schema_version (version, applied_at) VALUES (99, 0)");
    LIBRO_ASSERT_CODE(libro_store__open(&s, uri, false, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "newer than this libro knows");
    LIBRO_ASSERT_CODE(libro_store__open(&s, uri, true, &err), LIBRO_ERR_UNSUPPORTED, &err, "newer");
}
END_TEST

START_TEST(test_read_only)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t size = 0;

    s.ops->close(s.h);
    s = open_store(true);
    /* 25006: read_only_sql_transaction. */
    must(s.ops->begin(s.h, &err), &err, "begin");
    LIBRO_ASSERT_CODE(s.ops->meta_put(s.h, "k", "v", &err), LIBRO_ERR_READONLY, &err, "25006");
    s.ops->rollback(s.h);
    must(s.ops->begin_read(s.h, &err), &err, "begin read");
    must(s.ops->log_size(s.h, &size, &err), &err, "log size");
    must(s.ops->commit(s.h, &err), &err, "commit");
    s.ops->close(s.h);
    /* An older schema is refused rather than migrated. */
    raw_sql("DELETE FROM libro_schema_version");
    LIBRO_ASSERT_CODE(libro_store__open(&s, uri, true, &err), LIBRO_ERR_READONLY, &err,
                      "older than this libro's");
}
END_TEST

START_TEST(test_password_refused)
{
    static const char *const uris[] = {
        "postgresql://libro:secret@localhost/db",
        "postgresql:///db?host=/tmp&password=secret",
        "postgres://u:pw@h/db",
    };
    libro_store s = {NULL, NULL};
    libro_error err = LIBRO_ERROR_INIT;

    for (size_t i = 0; i < LIBRO_NELEM(uris); i++) {
        LIBRO_ASSERT_CODE(libro_store__open(&s, uris[i], false, &err), LIBRO_ERR_INVALID_ARG, &err,
                          "a password in the database URI would show in the process list");
        ck_assert_ptr_null(strstr(err.msg, "secret"));
        LIBRO_ASSERT_CODE(libro_store__create(&s, uris[i], meta, &err), LIBRO_ERR_INVALID_ARG, &err,
                          "use PGPASSFILE");
    }
}
END_TEST

/* Four processes open a registry whose schema is older (here: none of its migrations ran) at
 * once: each succeeds, and the migration ran once. */
START_TEST(test_migrate_concurrently)
{
    pid_t kids[4];

    raw_sql("CREATE TABLE libro_schema_version (version integer PRIMARY KEY,"
            " applied_at int8 NOT NULL)");
    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            libro_store s = {NULL, NULL};
            libro_error err = LIBRO_ERROR_INIT;
            libro_code rc = libro_store__open(&s, uri, false, &err);

            if (rc != LIBRO_OK) {
                fprintf(stderr, "child: %s\n", err.msg);
                _exit(1);
            }
            s.ops->close(s.h);
            _exit(0);
        }
    }
    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        int status = 0;

        ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %zu failed", i);
    }
    ck_assert_int_eq(raw_int("SELECT count(*) FROM libro_schema_version"),
                     libro_store__pg_latest());
    ck_assert_int_eq(raw_int("SELECT size FROM libro_sequencer"), 0);
}
END_TEST

/* Four processes create the same registry at once: one wins, the others find it. */
START_TEST(test_create_concurrently)
{
    pid_t kids[4];
    int won = 0;

    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            libro_store s = {NULL, NULL};
            libro_error err = LIBRO_ERROR_INIT;
            libro_code rc = libro_store__create(&s, uri, meta, &err);

            if (rc == LIBRO_OK) {
                s.ops->close(s.h);
                _exit(0);
            }
            _exit(rc == LIBRO_ERR_EXISTS ? 3 : 1);
        }
    }
    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        int status = 0;

        ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
        ck_assert(WIFEXITED(status));
        ck_assert(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3);
        won += WEXITSTATUS(status) == 0;
    }
    ck_assert_int_eq(won, 1);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM libro_schema_version"),
                     libro_store__pg_latest());
    ck_assert_int_eq(raw_int("SELECT count(*) FROM meta"), 1);
}
END_TEST

/* ---- the store.h contract ----------------------------------------------------------------- */

static const libro_license_type a_type = {(char *) (uintptr_t) "driving", 365, 30, 10, NULL, 0};

static libro_license_record
a_license(const char *number, uint32_t index)
{
    libro_license_record r = {0};

    r.number = (char *) (uintptr_t) number;
    r.version = 1;
    r.state = LIBRO_STATE_ACTIVE;
    r.license_type = (char *) (uintptr_t) "driving";
    r.holder_name = (char *) (uintptr_t) "Ada";
    r.issuer = (char *) (uintptr_t) "did:example:issuer";
    r.valid_from = 1000;
    r.valid_until = 2000;
    r.status_list = 0;
    r.status_index = index;
    r.credential = (char *) (uintptr_t) "jws.of.license";
    return r;
}

/* EXISTS and NOT_FOUND come from row counts: the transaction goes on after them. */
START_TEST(test_expected_outcomes_keep_the_transaction)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record r = a_license("L-1", 7);
    libro_license_record other = a_license("L-2", 7);
    libro_license_record missing = a_license("L-9", 8);
    libro_license_record got = {0};
    bool known = false;

    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->type_put(s.h, &a_type, "{}", "admin", &err), &err, "type");
    LIBRO_ASSERT_CODE(s.ops->license_put(s.h, &r, true, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "status index not reserved");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 7, &err), &err, "slot");
    LIBRO_ASSERT_CODE(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 7, &err), LIBRO_ERR_EXISTS,
                      &err, "status index 7 of list 0 is taken");
    must(s.ops->license_put(s.h, &r, true, &err), &err, "license");
    LIBRO_ASSERT_CODE(s.ops->license_put(s.h, &r, true, &err), LIBRO_ERR_EXISTS, &err,
                      "already registered");
    LIBRO_ASSERT_CODE(s.ops->license_put(s.h, &other, true, &err), LIBRO_ERR_EXISTS, &err,
                      "already registered");
    LIBRO_ASSERT_CODE(s.ops->license_put(s.h, &missing, false, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no license L-9");
    LIBRO_ASSERT_CODE(s.ops->license_get(s.h, &got, "L-9", &err), LIBRO_ERR_NOT_FOUND, &err,
                      "no license L-9");
    must(s.ops->request_record(s.h, "jti-1", "kid", 100, 50, &err), &err, "request");
    LIBRO_ASSERT_CODE(s.ops->request_record(s.h, "jti-1", "kid", 100, 50, &err), LIBRO_ERR_EXISTS,
                      &err, "a replay");
    r.credential = (char *) (uintptr_t) "another.jws";
    LIBRO_ASSERT_CODE(s.ops->license_put(s.h, &r, false, &err), LIBRO_ERR_EXISTS, &err,
                      "already has another credential");
    must(s.ops->commit(s.h, &err), &err, "commit after expected failures");
    must(s.ops->license_get(s.h, &got, "L-1", &err), &err, "get");
    ck_assert_str_eq(got.credential, "jws.of.license");
    ck_assert_uint_eq(got.status_index, 7);
    libro_license_record_clear(&got);
    must(s.ops->request_known(s.h, "jti-1", &known, &err), &err, "known");
    ck_assert(known);
    s.ops->close(s.h);
}
END_TEST

/* An event of no license: the server refuses it (a foreign key), a failed statement. */
static const libro_store_event orphan_event = {
    5, LIBRO_ACTION_ISSUE, "admin", NULL, 0, LIBRO_STATE_ACTIVE, 1, NULL, NULL};

/* A statement that fails in the server aborts the transaction: COMMIT then answers ROLLBACK,
 * which is a failure, and nothing of it stays. */
START_TEST(test_commit_of_aborted_transaction_fails)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    char *v = NULL;

    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->meta_put(s.h, "k", "v", &err), &err, "meta");
    /* An event of no license: a foreign key violation. */
    LIBRO_ASSERT_CODE(s.ops->event_append(s.h, "nobody", &orphan_event, &err), LIBRO_ERR_IO, &err,
                      "SQLSTATE 23503");
    LIBRO_ASSERT_CODE(s.ops->commit(s.h, &err), LIBRO_ERR_IO, &err, "rolled the transaction back");
    s.ops->rollback(s.h);
    LIBRO_ASSERT_CODE(s.ops->meta_get(s.h, &v, "k", &err), LIBRO_ERR_NOT_FOUND, &err, NULL);
    /* The handle goes on. */
    must(s.ops->begin(s.h, &err), &err, "begin again");
    must(s.ops->meta_put(s.h, "k", "w", &err), &err, "meta");
    must(s.ops->commit(s.h, &err), &err, "commit");
    s.ops->close(s.h);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM meta WHERE key = 'k' AND value = 'w'"), 1);
}
END_TEST

/* A group: each job in a savepoint; a job whose statement failed is undone alone. */
START_TEST(test_group_savepoints)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;

    must(s.ops->group_begin(s.h, &err), &err, "group");
    LIBRO_ASSERT_CODE(s.ops->group_begin(s.h, &err), LIBRO_ERR_INVALID_ARG, &err, "is open");
    must(s.ops->begin(s.h, &err), &err, "job 1");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 1, &err), &err, "slot 1");
    must(s.ops->commit(s.h, &err), &err, "job 1 done");
    must(s.ops->begin(s.h, &err), &err, "job 2");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 2, &err), &err, "slot 2");
    LIBRO_ASSERT_CODE(s.ops->event_append(s.h, "nobody", &orphan_event, &err), LIBRO_ERR_IO, &err,
                      "23503");
    s.ops->rollback(s.h);
    must(s.ops->begin(s.h, &err), &err, "job 3");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 3, &err), &err, "slot 3");
    /* A nested savepoint, released, inside the job. */
    must(s.ops->begin(s.h, &err), &err, "job 3 inner");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 4, &err), &err, "slot 4");
    must(s.ops->commit(s.h, &err), &err, "inner done");
    must(s.ops->commit(s.h, &err), &err, "job 3 done");
    must(s.ops->group_end(s.h, true, &err), &err, "group end");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM status_slot"), 3);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM status_slot WHERE idx = 2"), 0);
    ck_assert_int_eq(raw_int("SELECT used FROM status_list_usage WHERE list = 0"), 3);
    /* group_end with a savepoint open rolls everything back. */
    must(s.ops->group_begin(s.h, &err), &err, "group");
    must(s.ops->begin(s.h, &err), &err, "job");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 9, &err), &err, "slot 9");
    LIBRO_ASSERT_CODE(s.ops->group_end(s.h, true, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "a savepoint is still open");
    s.ops->close(s.h);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM status_slot"), 3);
}
END_TEST

/* The expiring walk reads pages of 1000 rows in one snapshot: 2,500 licenses (with equal
 * valid_until across a page's end, and expired ones in their grace period among them) come
 * once each, in order; a walk stopped by its callback stops. */
typedef struct walk {
    size_t n;
    size_t stop_at;
    int64_t last_until;
    char last_number[32];
    bool in_order;
} walk;

static libro_code
walk_one(void *ctx, const libro_license_record *rec, libro_error *err)
{
    walk *w = ctx;

    if (w->n > 0 &&
        (rec->valid_until < w->last_until ||
         (rec->valid_until == w->last_until && strcmp(rec->number, w->last_number) <= 0))) {
        w->in_order = false;
    }
    w->last_until = rec->valid_until;
    ck_assert_int_gt(snprintf(w->last_number, sizeof w->last_number, "%s", rec->number), 0);
    if (++w->n == w->stop_at) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "enough");
    }
    return LIBRO_OK;
}

START_TEST(test_expiring_pages)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    walk w = {0, 0, 0, "", true};

    raw_sql("INSERT INTO license_type VALUES ('driving', 365, 30, 10, '', 'admin');"
            "INSERT INTO status_slot SELECT 0, i FROM generate_series(0, 2599) i;"
            "INSERT INTO license SELECT 'L-' || i, 1, CASE WHEN i % 10 = 0 THEN 4 ELSE 1 END,"
            " 'driving', 'Ada', 'issuer', 0, 100000 + (i / 7) * 60, 0, i"
            " FROM generate_series(0, 2599) i;"
            "INSERT INTO license_credential SELECT number, 1, 'jws-' || number FROM license;");
    /* Every license: the expired ones are within their grace period at 100000. */
    must(s.ops->license_expiring_each(s.h, 100000, 100000 + 86400, INT64_MIN, "", true, walk_one,
                                      &w, &err),
         &err, "walk");
    ck_assert_uint_eq(w.n, 2600);
    ck_assert(w.in_order);
    /* After a row, within a transaction of the caller's. */
    w = (walk){0, 0, 0, "", true};
    must(s.ops->begin_read(s.h, &err), &err, "begin read");
    must(s.ops->license_expiring_each(s.h, 100000, 100000 + 86400, 100000 + 100 * 60, "L-700",
                                      false, walk_one, &w, &err),
         &err, "walk after");
    must(s.ops->commit(s.h, &err), &err, "commit");
    ck_assert_uint_eq(w.n, (size_t) raw_int("SELECT count(*) FROM license"
                                            " WHERE (valid_until, number) > (106000, 'L-700')"));
    ck_assert(w.in_order);
    /* Stopped by the callback: its code comes back, and the handle goes on. */
    w = (walk){0, 1500, 0, "", true};
    LIBRO_ASSERT_CODE(s.ops->license_expiring_each(s.h, 100000, 100000 + 86400, INT64_MIN, "",
                                                   false, walk_one, &w, &err),
                      LIBRO_ERR_LIMIT, &err, "enough");
    ck_assert_uint_eq(w.n, 1500);
    must(s.ops->begin(s.h, &err), &err, "begin after the stop");
    must(s.ops->commit(s.h, &err), &err, "commit");
    s.ops->close(s.h);
}
END_TEST

/* ---- the sequencer ------------------------------------------------------------------------ */

#define LEAVES_PER_PROCESS 40

static void
append_leaves(const char *who)
{
    libro_store s = open_store(false);
    libro_error err = LIBRO_ERROR_INIT;

    for (int i = 0; i < LEAVES_PER_PROCESS; i++) {
        uint64_t size = 0;
        char data[64];

        must(s.ops->begin(s.h, &err), &err, "begin");
        must(s.ops->log_size(s.h, &size, &err), &err, "size");
        ck_assert_int_gt(snprintf(data, sizeof data, "%s %d", who, i), 0);
        must(s.ops->log_leaf_put(s.h, size, data, &err), &err, "leaf");
        must(s.ops->commit(s.h, &err), &err, "commit");
    }
    s.ops->close(s.h);
}

START_TEST(test_sequencer_gap_free)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    pid_t kids[2];
    uint64_t size = 0;

    s.ops->close(s.h);
    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            append_leaves(i == 0 ? "a" : "b");
            _exit(0);
        }
    }
    for (size_t i = 0; i < LIBRO_NELEM(kids); i++) {
        int status = 0;

        ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "appender %zu failed", i);
    }
    s = open_store(false);
    must(s.ops->log_size(s.h, &size, &err), &err, "size");
    ck_assert_uint_eq(size, 2 * LEAVES_PER_PROCESS);
    must(s.ops->integrity_check(s.h, &err), &err, "integrity");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM log_leaf WHERE data LIKE 'a %'"),
                     LEAVES_PER_PROCESS);
    ck_assert_int_eq(raw_int("SELECT max(idx) + 1 - count(*) FROM log_leaf"), 0);
    /* A leaf only at the head. */
    must(s.ops->begin(s.h, &err), &err, "begin");
    LIBRO_ASSERT_CODE(s.ops->log_leaf_put(s.h, 3, "again", &err), LIBRO_ERR_EXISTS, &err,
                      "leaf 3 exists");
    LIBRO_ASSERT_CODE(s.ops->log_leaf_put(s.h, size + 1, "gap", &err), LIBRO_ERR_INVALID_ARG, &err,
                      "would leave a gap");
    s.ops->rollback(s.h);
    /* A head that disagrees with the leaves is found. */
    raw_sql("UPDATE libro_sequencer SET size = size + 1");
    LIBRO_ASSERT_CODE(s.ops->integrity_check(s.h, &err), LIBRO_ERR_CORRUPT, &err,
                      "the log's head says");
    s.ops->close(s.h);
}
END_TEST

/* A writer waits for the sequencer 5 s at most, as for SQLite's write lock: then BUSY. */
START_TEST(test_sequencer_busy)
{
    libro_store a = create();
    libro_store b = open_store(false);
    libro_error err = LIBRO_ERROR_INIT;

    must(a.ops->begin(a.h, &err), &err, "begin");
    LIBRO_ASSERT_CODE(b.ops->begin(b.h, &err), LIBRO_ERR_BUSY, &err, "SQLSTATE 55P03");
    a.ops->rollback(a.h);
    must(b.ops->begin(b.h, &err), &err, "begin once free");
    must(b.ops->commit(b.h, &err), &err, "commit");
    a.ops->close(a.h);
    b.ops->close(b.h);
}
END_TEST

START_TEST(test_log_nodes)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char hash[32];
    unsigned char got[32];

    for (size_t i = 0; i < sizeof hash; i++) {
        hash[i] = (unsigned char) (i * 7 + 1);
    }
    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->log_node_put(s.h, 3, 5, hash, &err), &err, "node");
    must(s.ops->commit(s.h, &err), &err, "commit");
    must(s.ops->log_node_get(s.h, 3, 5, got, &err), &err, "node get");
    ck_assert_mem_eq(got, hash, 32);
    LIBRO_ASSERT_CODE(s.ops->log_node_get(s.h, 3, 6, got, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "is missing");
    s.ops->close(s.h);
}
END_TEST

/* ---- data_version ------------------------------------------------------------------------- */

/* Ask until the value differs from `was` (a notification is delivered asynchronously, soon
 * after the other connection's COMMIT returned): bounded, 2 s at most. */
static uint64_t
version_moved_from(libro_store *s, uint64_t was)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct timespec pause = {0, 2000000L};
    uint64_t v = was;

    for (int i = 0; i < 1000 && v == was; i++) {
        must(s->ops->data_version(s->h, &v, &err), &err, "data version");
        if (v == was) {
            (void) nanosleep(&pause, NULL);
        }
    }
    return v;
}

START_TEST(test_data_version)
{
    libro_store a = create();
    libro_store b = open_store(false);
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t v0 = 0;
    uint64_t v = 0;

    must(a.ops->data_version(a.h, &v0, &err), &err, "data version");
    must(a.ops->data_version(a.h, &v, &err), &err, "data version");
    ck_assert_uint_eq(v, v0);
    /* A's own commit does not move it. */
    must(a.ops->begin(a.h, &err), &err, "begin");
    must(a.ops->meta_put(a.h, "k", "a", &err), &err, "meta");
    must(a.ops->commit(a.h, &err), &err, "commit");
    /* B's does. */
    must(b.ops->begin(b.h, &err), &err, "begin");
    must(b.ops->meta_put(b.h, "k", "b", &err), &err, "meta");
    must(b.ops->commit(b.h, &err), &err, "commit");
    v = version_moved_from(&a, v0);
    ck_assert_uint_ne(v, v0);
    v0 = v;
    /* A read of B's moves nothing; a rolled back write neither. */
    must(b.ops->begin_read(b.h, &err), &err, "begin read");
    must(b.ops->commit(b.h, &err), &err, "commit read");
    must(b.ops->begin(b.h, &err), &err, "begin");
    must(b.ops->meta_put(b.h, "k", "c", &err), &err, "meta");
    b.ops->rollback(b.h);
    /* A round trip of A's own, after B's, and the value still stands. */
    must(a.ops->begin_read(a.h, &err), &err, "begin read");
    must(a.ops->commit(a.h, &err), &err, "commit read");
    must(a.ops->data_version(a.h, &v, &err), &err, "data version");
    ck_assert_uint_eq(v, v0);
    /* After A lost its connection, it reconnects, and the value moves (notifications may have
     * been lost meanwhile). */
    b.ops->close(b.h);
    kill_store_connections();
    v = version_moved_from(&a, v0);
    ck_assert_uint_ne(v, v0);
    a.ops->close(a.h);
}
END_TEST

/* ---- connection loss ---------------------------------------------------------------------- */

START_TEST(test_connection_lost_in_transaction)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    char *v = NULL;

    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->meta_put(s.h, "k", "lost", &err), &err, "meta");
    kill_store_connections();
    LIBRO_ASSERT_CODE(s.ops->meta_put(s.h, "k", "lost", &err), LIBRO_ERR_UNAVAILABLE, &err,
                      "connection was lost");
    s.ops->rollback(s.h);
    /* The next begin reconnects, and the handle works; nothing of the lost one stayed. */
    must(s.ops->begin(s.h, &err), &err, "begin after the loss");
    LIBRO_ASSERT_CODE(s.ops->meta_get(s.h, &v, "k", &err), LIBRO_ERR_NOT_FOUND, &err, NULL);
    must(s.ops->meta_put(s.h, "k", "kept", &err), &err, "meta");
    must(s.ops->commit(s.h, &err), &err, "commit");
    ck_assert_int_eq(raw_int("SELECT count(*) FROM meta WHERE value = 'kept'"), 1);
    /* Lost at COMMIT: the outcome is unknown, and said so. */
    must(s.ops->begin(s.h, &err), &err, "begin");
    kill_store_connections();
    LIBRO_ASSERT_CODE(s.ops->commit(s.h, &err), LIBRO_ERR_UNAVAILABLE, &err,
                      "the outcome of the write is unknown");
    s.ops->rollback(s.h);
    s.ops->close(s.h);
}
END_TEST

START_TEST(test_idle_connection_reconnected)
{
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t size = 0;

    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->log_leaf_put(s.h, 0, "first", &err), &err, "leaf");
    must(s.ops->commit(s.h, &err), &err, "commit");
    kill_store_connections();
    /* Killed while idle: begin finds out, reconnects and begins; the prepared statements are
     * prepared again. */
    must(s.ops->begin(s.h, &err), &err, "begin after the kill");
    must(s.ops->log_size(s.h, &size, &err), &err, "size");
    ck_assert_uint_eq(size, 1);
    must(s.ops->log_leaf_put(s.h, 1, "second", &err), &err, "leaf");
    must(s.ops->commit(s.h, &err), &err, "commit");
    kill_store_connections();
    must(s.ops->begin_read(s.h, &err), &err, "begin read after the kill");
    must(s.ops->log_size(s.h, &size, &err), &err, "size");
    ck_assert_uint_eq(size, 2);
    must(s.ops->commit(s.h, &err), &err, "commit");
    /* A statement outside a transaction reconnects too: the server said it was closing. */
    kill_store_connections();
    must(s.ops->log_size(s.h, &size, &err), &err, "size outside a transaction");
    ck_assert_uint_eq(size, 2);
    s.ops->close(s.h);
}
END_TEST

/* The server restarted (its connections cut) between two transactions and during one: the
 * next begin connects again. Needs $LIBRO_TEST_PG_RESTART (scripts/pg-cluster env prints it);
 * without it the case says so and checks nothing. */
START_TEST(test_server_restarted)
{
    const char *restart = getenv("LIBRO_TEST_PG_RESTART");
    libro_store s;
    libro_error err = LIBRO_ERROR_INIT;
    uint64_t size = 0;

    if (restart == NULL || restart[0] == '\0') {
        fprintf(stderr, "SKIP test_server_restarted: LIBRO_TEST_PG_RESTART is not set\n");
        return;
    }
    s = create();
    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->log_leaf_put(s.h, 0, "before", &err), &err, "leaf");
    must(s.ops->commit(s.h, &err), &err, "commit");
    ck_assert_int_eq(system(restart), 0);
    must(s.ops->begin(s.h, &err), &err, "begin after the restart");
    must(s.ops->log_leaf_put(s.h, 1, "after", &err), &err, "leaf");
    must(s.ops->commit(s.h, &err), &err, "commit");
    must(s.ops->begin(s.h, &err), &err, "begin");
    ck_assert_int_eq(system(restart), 0);
    LIBRO_ASSERT_CODE(s.ops->log_size(s.h, &size, &err), LIBRO_ERR_UNAVAILABLE, &err,
                      "connection was lost");
    s.ops->rollback(s.h);
    must(s.ops->begin_read(s.h, &err), &err, "begin read after the second restart");
    must(s.ops->log_size(s.h, &size, &err), &err, "size");
    ck_assert_uint_eq(size, 2);
    must(s.ops->commit(s.h, &err), &err, "commit");
    s.ops->close(s.h);
}
END_TEST

/* ---- SQLSTATEs ---------------------------------------------------------------------------- */

/* A trigger on status_slot that raises `errcode` on each insert. */
static void
raise_on_slot(const char *errcode, bool deferred)
{
    char sql[700];

    ck_assert_int_gt(snprintf(sql, sizeof sql,
                              "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
                              " BEGIN RAISE EXCEPTION 'refused by the test'"
                              " USING ERRCODE = '%s'; END $$;"
                              "CREATE %s TRIGGER refuse AFTER INSERT ON status_slot %s"
                              " FOR EACH ROW EXECUTE FUNCTION refuse()",
                              errcode, deferred ? "CONSTRAINT" : "",
                              deferred ? "DEFERRABLE INITIALLY DEFERRED" : ""),
                     0);
    raw_sql(sql);
}

START_TEST(test_sqlstate_conflict)
{
    static const char *const states[] = {"40001", "40P01"};
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;

    for (size_t i = 0; i < LIBRO_NELEM(states); i++) {
        char want[32];

        raise_on_slot(states[i], false);
        ck_assert_int_gt(snprintf(want, sizeof want, "SQLSTATE %s", states[i]), 0);
        must(s.ops->begin(s.h, &err), &err, "begin");
        LIBRO_ASSERT_CODE(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 1, &err),
                          LIBRO_ERR_CONFLICT, &err, want);
        ck_assert_ptr_nonnull(strstr(err.msg, "run it again"));
        s.ops->rollback(s.h);
        /* In a group, a conflict loses the whole group, even inside a savepoint. */
        must(s.ops->group_begin(s.h, &err), &err, "group");
        must(s.ops->begin(s.h, &err), &err, "job");
        LIBRO_ASSERT_CODE(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 1, &err),
                          LIBRO_ERR_CONFLICT, &err, want);
        s.ops->rollback(s.h);
        LIBRO_ASSERT_CODE(s.ops->begin(s.h, &err), LIBRO_ERR_CONFLICT, &err, want);
        LIBRO_ASSERT_CODE(s.ops->group_end(s.h, true, &err), LIBRO_ERR_CONFLICT, &err, want);
        raw_sql("DROP TRIGGER refuse ON status_slot; DROP FUNCTION refuse()");
    }
    /* A deferred constraint trigger fails at COMMIT. */
    raise_on_slot("40001", true);
    must(s.ops->begin(s.h, &err), &err, "begin");
    must(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 1, &err), &err, "slot");
    LIBRO_ASSERT_CODE(s.ops->commit(s.h, &err), LIBRO_ERR_CONFLICT, &err, "SQLSTATE 40001");
    s.ops->rollback(s.h);
    s.ops->close(s.h);
    ck_assert_int_eq(raw_int("SELECT count(*) FROM status_slot"), 0);
}
END_TEST

START_TEST(test_sqlstate_map)
{
    static const struct {
        const char *state;
        libro_code want;
    } cases[] = {
        {"53100", LIBRO_ERR_FULL},        {"53200", LIBRO_ERR_BUSY},
        {"53300", LIBRO_ERR_BUSY},        {"55P03", LIBRO_ERR_BUSY},
        {"28000", LIBRO_ERR_DENIED},      {"57P01", LIBRO_ERR_UNAVAILABLE},
        {"08006", LIBRO_ERR_UNAVAILABLE}, {"3D000", LIBRO_ERR_NOT_FOUND},
        {"25006", LIBRO_ERR_READONLY},    {"22012", LIBRO_ERR_IO},
    };
    libro_store s = create();
    libro_error err = LIBRO_ERROR_INIT;

    /* Raised by the server, as it would raise them, through a trigger. */
    for (size_t i = 0; i < LIBRO_NELEM(cases); i++) {
        char want[32];

        raise_on_slot(cases[i].state, false);
        ck_assert_int_gt(snprintf(want, sizeof want, "SQLSTATE %s", cases[i].state), 0);
        must(s.ops->begin(s.h, &err), &err, "begin");
        LIBRO_ASSERT_CODE(s.ops->slot_reserve(s.h, LIBRO_SPACE_LICENSES, 0, 1, &err), cases[i].want,
                          &err, want);
        s.ops->rollback(s.h);
        raw_sql("DROP TRIGGER refuse ON status_slot; DROP FUNCTION refuse()");
    }
    s.ops->close(s.h);
}
END_TEST

START_TEST(test_strict_without_server)
{
    ck_abort_msg("LIBRO_TEST_PG is not set and LIBRO_TEST_STRICT=1: the PostgreSQL store "
                 "cannot be tested");
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("store_pg");
    TCase *tc = tcase_create("store_pg");
    const char *strict = getenv("LIBRO_TEST_STRICT");

    suite_add_tcase(s, tc);
    if (getenv("LIBRO_TEST_PG") == NULL || getenv("LIBRO_TEST_PG")[0] == '\0') {
        if (strict != NULL && strcmp(strict, "1") == 0) {
            tcase_add_test(tc, test_strict_without_server);
            return s;
        }
        fprintf(stderr, "\n*** SKIPPED: store_pg: LIBRO_TEST_PG is not set (a libpq URI of a "
                        "test database) ***\n\n");
        exit(LIBRO_TEST_SKIP);
    }
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_open);
    tcase_add_test(tc, test_open_missing);
    tcase_add_test(tc, test_newer_schema_refused);
    tcase_add_test(tc, test_read_only);
    tcase_add_test(tc, test_password_refused);
    tcase_add_test(tc, test_migrate_concurrently);
    tcase_add_test(tc, test_create_concurrently);
    tcase_add_test(tc, test_expected_outcomes_keep_the_transaction);
    tcase_add_test(tc, test_commit_of_aborted_transaction_fails);
    tcase_add_test(tc, test_group_savepoints);
    tcase_add_test(tc, test_expiring_pages);
    tcase_add_test(tc, test_sequencer_gap_free);
    tcase_add_test(tc, test_sequencer_busy);
    tcase_add_test(tc, test_log_nodes);
    tcase_add_test(tc, test_data_version);
    tcase_add_test(tc, test_connection_lost_in_transaction);
    tcase_add_test(tc, test_idle_connection_reconnected);
    tcase_add_test(tc, test_server_restarted);
    tcase_add_test(tc, test_sqlstate_conflict);
    tcase_add_test(tc, test_sqlstate_map);
    return s;
}
