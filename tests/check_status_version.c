/* Status list versions and the status observer of the store, on each backend (SQLite's
 * migration 7; PostgreSQL's migration 1): each real change of a status bumps its list's version in
 * the change's transaction, writing the value already there bumps nothing, status_versions returns
 * every version (a second handle on the database sees the first's), and the observer hears a change
 * only after its transaction committed, in order, and never one rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "test_db.h"
#include "test_util.h"

#define MAX_HEARD 32

typedef struct heard {
    libro_store_space space;
    uint32_t list;
    uint32_t index;
    int purpose;
    unsigned value;
    uint64_t version;
} heard;

static char dir[256];
static char db_path[512]; /* test_db_path: a file, or a PostgreSQL schema */
static libro_store store;
static heard log_[MAX_HEARD];
static size_t n_heard;

static void
observe(void *ctx, libro_store_space space, uint32_t list, uint32_t index, int purpose,
        unsigned value, uint64_t version)
{
    ck_assert_ptr_eq(ctx, &store);
    ck_assert_uint_lt(n_heard, MAX_HEARD);
    log_[n_heard++] = (heard){space, list, index, purpose, value, version};
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    static const char *const meta[] = {NULL};

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-sv-XXXXXX",
                              getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_path, sizeof db_path, dir, "registry.db");
    must(libro_store__create(&store, db_path, meta, &err), &err, "create");
    store.ops->set_status_observer(store.h, observe, &store);
    n_heard = 0;
    must(store.ops->begin(store.h, &err), &err, "begin");
    for (uint32_t i = 0; i < 4; i++) {
        must(store.ops->slot_reserve(store.h, LIBRO_SPACE_LICENSES, 0, i, &err), &err, "slot");
        must(store.ops->slot_reserve(store.h, LIBRO_SPACE_LICENSES, 1, i, &err), &err, "slot");
        must(store.ops->slot_reserve(store.h, LIBRO_SPACE_MANDATES, 0, i, &err), &err, "slot");
    }
    must(store.ops->commit(store.h, &err), &err, "commit");
}

static void
teardown(void)
{
    if (store.ops != NULL) {
        store.ops->close(store.h);
    }
    memset(&store, 0, sizeof store);
    test_db_remove(db_path);
    libro_test_rm_rf(dir);
}

/* The version of (space, list, purpose) as status_versions returns it (0: no row). */
static uint64_t
version_of(libro_store *st, libro_store_space space, uint32_t list, int purpose)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_store_status_version *v = NULL;
    size_t n = 0;
    uint64_t found = 0;

    must(st->ops->status_versions(st->h, &v, &n, &err), &err, "status versions");
    for (size_t i = 0; i < n; i++) {
        if (v[i].space == space && v[i].list == list && v[i].purpose == purpose) {
            found = v[i].version;
        }
    }
    libro_free(v);
    return found;
}

static void
set(libro_store_space space, uint32_t list, uint32_t index, int purpose, unsigned value)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->status_set(store.h, space, list, index, purpose, value, &err), &err,
         "status set");
}

static void
assert_heard(size_t i, libro_store_space space, uint32_t list, uint32_t index, int purpose,
             unsigned value, uint64_t version)
{
    ck_assert_uint_lt(i, n_heard);
    ck_assert_int_eq(log_[i].space, space);
    ck_assert_uint_eq(log_[i].list, list);
    ck_assert_uint_eq(log_[i].index, index);
    ck_assert_int_eq(log_[i].purpose, purpose);
    ck_assert_uint_eq(log_[i].value, value);
    ck_assert_uint_eq(log_[i].version, version);
}

START_TEST(test_fresh_has_no_versions)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_store_status_version *v = NULL;
    size_t n = 99;

    must(store.ops->status_versions(store.h, &v, &n, &err), &err, "status versions");
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(store.ops->schema_version(store.h),
                     test_db_is_pg() ? libro_store__pg_latest() : libro_store__sqlite_latest());
    ck_assert_uint_eq(n_heard, 0);
}
END_TEST

/* Heard after COMMIT, in order, with one version per change of the list. */
START_TEST(test_told_after_commit)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 2, LIBRO_STATUS_REVOCATION, 1);
    set(LIBRO_SPACE_LICENSES, 0, 3, LIBRO_STATUS_REVOCATION, 1);
    set(LIBRO_SPACE_LICENSES, 1, 0, LIBRO_STATUS_SUSPENSION, 1);
    ck_assert_uint_eq(n_heard, 0);
    must(store.ops->commit(store.h, &err), &err, "commit");
    ck_assert_uint_eq(n_heard, 3);
    assert_heard(0, LIBRO_SPACE_LICENSES, 0, 2, LIBRO_STATUS_REVOCATION, 1, 1);
    assert_heard(1, LIBRO_SPACE_LICENSES, 0, 3, LIBRO_STATUS_REVOCATION, 1, 2);
    assert_heard(2, LIBRO_SPACE_LICENSES, 1, 0, LIBRO_STATUS_SUSPENSION, 1, 1);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_REVOCATION), 2);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 1, LIBRO_STATUS_SUSPENSION), 1);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_SUSPENSION), 0);

    /* Cleared in a transaction of its own: version 3. */
    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 2, LIBRO_STATUS_REVOCATION, 0);
    must(store.ops->commit(store.h, &err), &err, "commit");
    ck_assert_uint_eq(n_heard, 4);
    assert_heard(3, LIBRO_SPACE_LICENSES, 0, 2, LIBRO_STATUS_REVOCATION, 0, 3);
}
END_TEST

/* A rolled-back change is never heard and leaves the version as it was; the next transaction
 * starts with nothing pending. */
START_TEST(test_rollback_drops)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_REVOCATION, 1);
    store.ops->rollback(store.h);
    ck_assert_uint_eq(n_heard, 0);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_REVOCATION), 0);

    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 0, LIBRO_STATUS_SUSPENSION, 1);
    must(store.ops->commit(store.h, &err), &err, "commit");
    ck_assert_uint_eq(n_heard, 1);
    assert_heard(0, LIBRO_SPACE_LICENSES, 0, 0, LIBRO_STATUS_SUSPENSION, 1, 1);
}
END_TEST

/* Writing the value already there (the registry writes all three statuses on every change)
 * is no change: no version, nothing heard. */
START_TEST(test_same_value_no_change)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_REVOCATION, 0); /* already clear */
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, 0);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, LIBRO_WORD_SURRENDERED);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, LIBRO_WORD_SURRENDERED);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, LIBRO_WORD_LAPSED);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_SUSPENSION, 1);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_SUSPENSION, 1);
    must(store.ops->commit(store.h, &err), &err, "commit");
    ck_assert_uint_eq(n_heard, 3);
    assert_heard(0, LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, LIBRO_WORD_SURRENDERED, 1);
    assert_heard(1, LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_MESSAGE, LIBRO_WORD_LAPSED, 2);
    assert_heard(2, LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_SUSPENSION, 1, 1);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_MESSAGE), 2);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_REVOCATION), 0);
}
END_TEST

/* Mandate list 0 and license list 0 keep their own versions. */
START_TEST(test_spaces_apart)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_MANDATES, 0, 3, LIBRO_STATUS_REVOCATION, 1);
    set(LIBRO_SPACE_MANDATES, 0, 2, LIBRO_STATUS_REVOCATION, 1);
    set(LIBRO_SPACE_LICENSES, 0, 3, LIBRO_STATUS_REVOCATION, 1);
    must(store.ops->commit(store.h, &err), &err, "commit");
    assert_heard(0, LIBRO_SPACE_MANDATES, 0, 3, LIBRO_STATUS_REVOCATION, 1, 1);
    assert_heard(1, LIBRO_SPACE_MANDATES, 0, 2, LIBRO_STATUS_REVOCATION, 1, 2);
    assert_heard(2, LIBRO_SPACE_LICENSES, 0, 3, LIBRO_STATUS_REVOCATION, 1, 1);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_MANDATES, 0, LIBRO_STATUS_REVOCATION), 2);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_REVOCATION), 1);
}
END_TEST

/* A second handle (another process's, as `libro license revoke --db` is) writes: the first
 * reads the new version, and only the writer's observer hears of it. */
START_TEST(test_other_handle_seen)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_store other = {0};

    must(libro_store__open(&other, db_path, false, &err), &err, "open second");
    must(other.ops->begin(other.h, &err), &err, "begin");
    must(other.ops->status_set(other.h, LIBRO_SPACE_LICENSES, 1, 3, LIBRO_STATUS_REVOCATION, 1,
                               &err),
         &err, "status set");
    must(other.ops->commit(other.h, &err), &err, "commit");
    other.ops->close(other.h);
    ck_assert_uint_eq(n_heard, 0);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 1, LIBRO_STATUS_REVOCATION), 1);
}
END_TEST

/* Without an observer nothing is collected; a status_set outside a transaction commits by
 * itself and is heard at once. */
START_TEST(test_observer_off_and_autocommit)
{
    libro_error err = LIBRO_ERROR_INIT;

    store.ops->set_status_observer(store.h, NULL, NULL);
    must(store.ops->begin(store.h, &err), &err, "begin");
    set(LIBRO_SPACE_LICENSES, 0, 0, LIBRO_STATUS_REVOCATION, 1);
    must(store.ops->commit(store.h, &err), &err, "commit");
    ck_assert_uint_eq(n_heard, 0);
    ck_assert_uint_eq(version_of(&store, LIBRO_SPACE_LICENSES, 0, LIBRO_STATUS_REVOCATION), 1);

    store.ops->set_status_observer(store.h, observe, &store);
    set(LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_REVOCATION, 1);
    ck_assert_uint_eq(n_heard, 1);
    assert_heard(0, LIBRO_SPACE_LICENSES, 0, 1, LIBRO_STATUS_REVOCATION, 1, 2);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("status_version");
    TCase *tc = tcase_create("versions");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fresh_has_no_versions);
    tcase_add_test(tc, test_told_after_commit);
    tcase_add_test(tc, test_rollback_drops);
    tcase_add_test(tc, test_same_value_no_change);
    tcase_add_test(tc, test_spaces_apart);
    tcase_add_test(tc, test_other_handle_seen);
    tcase_add_test(tc, test_observer_off_and_autocommit);
    suite_add_tcase(s, tc);
    return s;
}
