/* The registry check suites on both backends (design: issue 11 §4). LIBRO_TEST_DB selects the
 * backend: unset or "sqlite" is SQLite (a file), "postgresql" is PostgreSQL, on a fresh schema
 * of the cluster whose base URI is $LIBRO_TEST_PG (scripts/pg-cluster env DIR prints it). */
#ifndef LIBRO_TEST_DB_H
#define LIBRO_TEST_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** True when the suite runs on PostgreSQL (LIBRO_TEST_DB=postgresql). */
bool test_db_is_pg(void);

/** Called by test_main before the suite: LIBRO_TEST_DB=postgresql without LIBRO_TEST_PG
 *  prints why and exits 77 (skipped), or 1 under LIBRO_TEST_STRICT; an unknown LIBRO_TEST_DB
 *  exits 1. */
void test_db_require(void);

/** A new registry location: `dir`/`name` on SQLite (nothing is created), or on PostgreSQL
 *  $LIBRO_TEST_PG with `options=-csearch_path%3Dt_<pid>_<n>_<random>` on a schema created
 *  now, empty: what `libro_registry_create` (or `libro registry init`) takes. The caller frees
 *  it with free(). ck_abort on failure. */
char *test_db_new(const char *dir, const char *name);

/** test_db_new into the caller's buffer `out` of `size` bytes (ck_abort when it is too
 *  small), for suites that keep the location in a fixed array. */
void test_db_path(char *out, size_t size, const char *dir, const char *name);

/** Run `sql` (one or more statements) on `location`: sqlite3_exec on the file, or libpq on
 *  the location's schema. ck_abort, naming the SQL and the error, on failure. */
void test_db_sql(const char *location, const char *sql);

/** Run the one statement `sql` on `location` and return how many rows it changed
 *  (sqlite3_changes, or PostgreSQL's command tag); ck_abort on failure. */
int64_t test_db_changes(const char *location, const char *sql);

/** The first column of the first row `sql` returns on `location`, as an integer; ck_abort
 *  when there is no row, the value is NULL or the statement fails. */
int64_t test_db_int(const char *location, const char *sql);

/** Remove what test_db_new made: the file and its -wal, -shm and -journal on SQLite, the
 *  schema (CASCADE) on PostgreSQL. A location that is gone already is fine. */
void test_db_remove(const char *location);

/** True when `location` holds a registry (or anything else): the file exists on SQLite, the
 *  schema has the table `meta` on PostgreSQL. */
bool test_db_exists(const char *location);

/** Make `location` as test_db_new left it: the files removed on SQLite; on PostgreSQL the
 *  schema dropped with all it holds and created again, empty. */
void test_db_reset(const char *location);

/** On PostgreSQL print "SKIP (SQLite only): `reason`" and return true: a case that only
 *  makes sense on a SQLite file (file mode, a damaged file, sqlite3 pokes, fsync faults)
 *  then returns. False on SQLite. */
bool test_db_sqlite_only(const char *reason);

#endif
