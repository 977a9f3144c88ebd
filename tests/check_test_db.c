/* The fixture of the suites on both backends (test_db.c): each location is new and its own,
 * SQL runs on it and nowhere else, and removal leaves nothing behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_db.h"
#include "test_util.h"

static char dir[256];

static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-testdb-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
    libro_test_rm_rf(dir);
}

/* A location that does not hold the table yet gets it, with one row, and reads it back. */
static void
make_table(const char *loc, int value)
{
    char sql[128];

    ck_assert_int_lt(
        snprintf(sql, sizeof sql, "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (%d)", value),
        (int) sizeof sql);
    test_db_sql(loc, sql);
    ck_assert_int_eq(test_db_int(loc, "SELECT v FROM t"), value);
}

START_TEST(test_locations_are_apart)
{
    char *a = test_db_new(dir, "a.db");
    char *b = test_db_new(dir, "b.db");

    ck_assert_str_ne(a, b);
    if (test_db_is_pg()) {
        ck_assert_ptr_nonnull(strstr(a, "options=-csearch_path%3Dt_"));
        ck_assert_ptr_nonnull(strstr(b, "options=-csearch_path%3Dt_"));
        ck_assert(strncmp(a, getenv("LIBRO_TEST_PG"), strlen(getenv("LIBRO_TEST_PG"))) == 0);
    } else {
        ck_assert_int_eq(strncmp(a, dir, strlen(dir)), 0);
        ck_assert_str_eq(a + strlen(dir), "/a.db");
    }
    /* The same table name in each: one location never sees the other's rows. */
    make_table(a, 7);
    make_table(b, 9);
    ck_assert_int_eq(test_db_int(a, "SELECT count(*) FROM t"), 1);
    ck_assert_int_eq(test_db_int(a, "SELECT v FROM t"), 7);
    test_db_remove(a);
    test_db_remove(b);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_remove_leaves_nothing)
{
    char *a = test_db_new(dir, "a.db");

    make_table(a, 3);
    test_db_remove(a);
    if (test_db_is_pg()) {
        /* The schema went with its tables: the name is free for a new one. */
        char sql[256];
        const char *schema = strstr(a, "%3D") + 3;

        ck_assert_int_lt(snprintf(sql, sizeof sql,
                                  "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", schema),
                         (int) sizeof sql);
        ck_assert_int_eq(test_db_int(getenv("LIBRO_TEST_PG"), sql), 0);
    } else {
        ck_assert_int_ne(access(a, F_OK), 0);
    }
    test_db_remove(a); /* gone already: fine */
    free(a);
}
END_TEST

/* A location holds a registry once it has the meta table; reset empties it, ready for use. */
START_TEST(test_exists_and_reset)
{
    char *a = test_db_new(dir, "a.db");

    ck_assert(!test_db_exists(a));
    test_db_sql(a, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    ck_assert(test_db_exists(a));
    test_db_reset(a);
    ck_assert(!test_db_exists(a));
    make_table(a, 5);
    test_db_remove(a);
    free(a);
}
END_TEST

START_TEST(test_sqlite_only)
{
    ck_assert(test_db_sqlite_only("a case of the fixture's own") == test_db_is_pg());
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("test_db");
    TCase *tc = tcase_create("locations");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_locations_are_apart);
    tcase_add_test(tc, test_remove_leaves_nothing);
    tcase_add_test(tc, test_exists_and_reset);
    tcase_add_test(tc, test_sqlite_only);
    suite_add_tcase(s, tc);
    return s;
}
