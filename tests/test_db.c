#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "test_db.h"

/* The parameter test_db_new appends: the schema name follows it. */
#define SEARCH_PATH "options=-csearch_path%3D"

static const char *
env_of(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool
test_db_is_pg(void)
{
    const char *db = env_of("LIBRO_TEST_DB");

    return db != NULL && strcmp(db, "postgresql") == 0;
}

void
test_db_require(void)
{
    const char *db = env_of("LIBRO_TEST_DB");

    if (db != NULL && strcmp(db, "sqlite") != 0 && strcmp(db, "postgresql") != 0) {
        fprintf(stderr, "FAIL: LIBRO_TEST_DB=%.64s: want sqlite or postgresql\n", db);
        exit(EXIT_FAILURE);
    }
    if (!test_db_is_pg() || env_of("LIBRO_TEST_PG") != NULL) {
        return;
    }
    if (env_of("LIBRO_TEST_STRICT") != NULL) {
        fprintf(stderr, "FAIL: LIBRO_TEST_DB=postgresql but LIBRO_TEST_PG is not set "
                        "(scripts/pg-cluster env DIR prints it)\n");
        exit(EXIT_FAILURE);
    }
    fprintf(stderr, "\n*** SKIPPED: LIBRO_TEST_DB=postgresql but LIBRO_TEST_PG is not set "
                    "(start a cluster with scripts/pg-cluster start DIR, then eval "
                    "\"$(scripts/pg-cluster env DIR)\") ***\n\n");
    exit(77);
}

static void
quiet(void *arg, const char *message)
{
    (void) arg;
    (void) message; /* "drop cascades to ...": nothing a test reads */
}

/* A connection to `uri`, or ck_abort naming `what`. */
static PGconn *
pg_connect(const char *uri, const char *what)
{
    PGconn *c = PQconnectdb(uri);

    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];

        (void) snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQfinish(c);
        ck_abort_msg("%s: cannot connect to %s: %s", what, uri, msg);
    }
    (void) PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

/* Run `sql` on `c` and return its result; ck_abort (the connection closed) when it fails. */
static PGresult *
pg_exec(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *res = PQexec(c, sql);

    if (PQresultStatus(res) != want) {
        char msg[512];

        (void) snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
        PQclear(res);
        PQfinish(c);
        ck_abort_msg("%.200s: %s", sql, msg);
    }
    return res;
}

char *
test_db_new(const char *dir, const char *name)
{
    static unsigned counter;
    const char *base;
    char *loc;
    char schema[64];
    char ddl[128];
    uint32_t rnd;
    size_t size;
    int n;

    if (!test_db_is_pg()) {
        size = strlen(dir) + strlen(name) + 2;
        loc = malloc(size);
        ck_assert_ptr_nonnull(loc);
        n = snprintf(loc, size, "%s/%s", dir, name);
        ck_assert(n > 0 && (size_t) n < size);
        return loc;
    }
    base = env_of("LIBRO_TEST_PG");
    ck_assert_msg(base != NULL, "LIBRO_TEST_DB=postgresql needs LIBRO_TEST_PG");
    ck_assert_msg(strstr(base, "options=") == NULL,
                  "LIBRO_TEST_PG must not set options= (the fixture sets search_path): %s", base);
    ck_assert_int_eq(getrandom(&rnd, sizeof rnd, 0), (ssize_t) sizeof rnd);
    n = snprintf(schema, sizeof schema, "t_%ld_%u_%08" PRIx32, (long) getpid(), ++counter, rnd);
    ck_assert(n > 0 && (size_t) n < sizeof schema);
    n = snprintf(ddl, sizeof ddl, "CREATE SCHEMA %s", schema);
    ck_assert(n > 0 && (size_t) n < sizeof ddl);
    {
        PGconn *c = pg_connect(base, "test_db_new");

        PQclear(pg_exec(c, ddl, PGRES_COMMAND_OK));
        PQfinish(c);
    }
    size = strlen(base) + sizeof "&" SEARCH_PATH + strlen(schema);
    loc = malloc(size);
    ck_assert_ptr_nonnull(loc);
    n = snprintf(loc, size, "%s%c%s%s", base, strchr(base, '?') != NULL ? '&' : '?', SEARCH_PATH,
                 schema);
    ck_assert(n > 0 && (size_t) n < size);
    return loc;
}

void
test_db_path(char *out, size_t size, const char *dir, const char *name)
{
    char *loc = test_db_new(dir, name);
    int n = snprintf(out, size, "%s", loc);

    free(loc);
    ck_assert_msg(n > 0 && (size_t) n < size, "test_db_path: %zu bytes are too few for %s/%s", size,
                  dir, name);
}

static bool
is_uri(const char *location)
{
    return strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0;
}

void
test_db_sql(const char *location, const char *sql)
{
    if (is_uri(location)) {
        PGconn *c = pg_connect(location, "test_db_sql");

        PQclear(pg_exec(c, sql, PGRES_COMMAND_OK));
        PQfinish(c);
    } else {
        sqlite3 *db = NULL;
        char *msg = NULL;
        int rc;

        ck_assert_int_eq(
            sqlite3_open_v2(location, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
            SQLITE_OK);
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
        ck_assert_msg(rc == SQLITE_OK, "%.200s: %s", sql, msg != NULL ? msg : "?");
        sqlite3_free(msg);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    }
}

int64_t
test_db_changes(const char *location, const char *sql)
{
    int64_t n;

    if (is_uri(location)) {
        PGconn *c = pg_connect(location, "test_db_changes");
        PGresult *res = pg_exec(c, sql, PGRES_COMMAND_OK);
        char *end = NULL;

        errno = 0;
        n = strtoll(PQcmdTuples(res), &end, 10);
        ck_assert_msg(errno == 0 && end != NULL && *end == '\0' && end != PQcmdTuples(res),
                      "%.200s: no row count", sql);
        PQclear(res);
        PQfinish(c);
    } else {
        sqlite3 *db = NULL;
        char *msg = NULL;
        int rc;

        ck_assert_int_eq(sqlite3_open_v2(location, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
        ck_assert_msg(rc == SQLITE_OK, "%.200s: %s", sql, msg != NULL ? msg : "?");
        sqlite3_free(msg);
        n = sqlite3_changes(db);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    }
    return n;
}

int64_t
test_db_int(const char *location, const char *sql)
{
    int64_t v;

    if (is_uri(location)) {
        PGconn *c = pg_connect(location, "test_db_int");
        PGresult *res = pg_exec(c, sql, PGRES_TUPLES_OK);
        char *end = NULL;
        bool have = PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0);

        if (have) {
            errno = 0;
            v = strtoll(PQgetvalue(res, 0, 0), &end, 10);
            have = errno == 0 && end != NULL && *end == '\0';
        }
        PQclear(res);
        PQfinish(c);
        ck_assert_msg(have, "%.200s: no integer", sql);
    } else {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;

        ck_assert_int_eq(sqlite3_open_v2(location, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%.200s: %s", sql,
                      sqlite3_errmsg(db));
        ck_assert_msg(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL,
                      "%.200s: no row", sql);
        v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    }
    return v;
}

/* DROP the schema of `location` (a location of test_db_new) and, when `again`, CREATE it. */
static void
pg_drop_schema(const char *location, bool again)
{
    const char *schema = strstr(location, SEARCH_PATH);
    char sql[256];
    PGconn *c;
    int n;

    ck_assert_msg(schema != NULL, "%s: not a location of test_db_new", location);
    schema += strlen(SEARCH_PATH);
    ck_assert_msg(strspn(schema, "t_0123456789abcdef") == strlen(schema) && strlen(schema) < 64,
                  "%s: not a location of test_db_new", location);
    n = snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE%s%s", schema,
                 again ? "; CREATE SCHEMA " : "", again ? schema : "");
    ck_assert(n > 0 && (size_t) n < sizeof sql);
    c = pg_connect(location, "test_db_remove");
    PQclear(pg_exec(c, sql, PGRES_COMMAND_OK));
    PQfinish(c);
}

bool
test_db_exists(const char *location)
{
    if (is_uri(location)) {
        return test_db_int(location, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                     "current_schema() AND tablename = 'meta'") == 1;
    }
    return access(location, F_OK) == 0;
}

void
test_db_reset(const char *location)
{
    if (is_uri(location)) {
        pg_drop_schema(location, true);
    } else {
        test_db_remove(location);
    }
}

void
test_db_remove(const char *location)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char buf[4096];
    size_t i;
    int n;

    if (location == NULL) {
        return;
    }
    if (is_uri(location)) {
        pg_drop_schema(location, false);
        return;
    }
    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        n = snprintf(buf, sizeof buf, "%s%s", location, suffixes[i]);
        ck_assert(n > 0 && (size_t) n < sizeof buf);
        (void) unlink(buf);
    }
}

bool
test_db_sqlite_only(const char *reason)
{
    if (!test_db_is_pg()) {
        return false;
    }
    printf("SKIP (SQLite only): %s\n", reason);
    return true;
}
