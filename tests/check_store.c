/* Storage errors of the registry (registry/src/sqlite): SQLite's codes mapped to busy, full,
 * read-only and I/O error, and the handle an I/O error poisons. The faults are real: this
 * suite links tests/fault/fault.c, whose fsync, fdatasync and pwrite64 take SQLite's calls and
 * fail (EIO, ENOSPC) while a flag file exists; a second handle holds the write lock for busy;
 * a read-only open and a file the process cannot write for read-only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "../registry/src/sqlite/sqlite_int.h"
#include "fault/fault.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define VF INT64_C(1796083200) /* 2026-12-01T00:00:00Z */
#define COMMUNITY "urn:libro:town-7"
#define NOBODY 65534

static char dir[256];
static char db_path[300];
static char fsync_flag[300];
static char enospc_flag[300];
static libro_registry *reg;

/* ------------------------------------------------------------------ the mapping */

static const struct {
    int sqlite;
    libro_code want;
    const char *msg;
    bool poisons;
} mapping[] = {
    {SQLITE_BUSY, LIBRO_ERR_BUSY, "commit: database is busy", false},
    {SQLITE_BUSY_SNAPSHOT, LIBRO_ERR_BUSY, "commit: database is busy", false},
    {SQLITE_LOCKED, LIBRO_ERR_BUSY, "commit: database is busy", false},
    {SQLITE_FULL, LIBRO_ERR_FULL, "commit: database or disk is full", false},
    {SQLITE_READONLY, LIBRO_ERR_READONLY, "commit: database is read-only", false},
    {SQLITE_READONLY_DBMOVED, LIBRO_ERR_READONLY, "commit: database is read-only", false},
    {SQLITE_IOERR_FSYNC, LIBRO_ERR_IO, "commit: disk I/O error (fsync failed)", true},
    {SQLITE_IOERR_WRITE, LIBRO_ERR_IO, "commit: disk I/O error (write failed)", true},
    {SQLITE_IOERR, LIBRO_ERR_IO, "commit: disk I/O error (other)", true},
    {SQLITE_NOTADB, LIBRO_ERR_IO, "commit: not a registry database", false},
    {SQLITE_CORRUPT, LIBRO_ERR_IO, "commit: database disk image is malformed", false},
    {SQLITE_NOMEM, LIBRO_ERR_NOMEM, "out of memory", false},
};

START_TEST(test_mapping)
{
    libro_error err = LIBRO_ERROR_INIT;
    sq s = {0};
    libro_code got = libro_sq__db_fail(&s, mapping[_i].sqlite, "commit", &err);

    ck_assert_msg(got == mapping[_i].want, "sqlite %d: got %d (%s)", mapping[_i].sqlite, got,
                  err.msg);
    ck_assert_str_eq(err.msg, mapping[_i].msg);
    ck_assert_int_eq(s.poisoned, mapping[_i].poisons);
}
END_TEST

/* ------------------------------------------------------------------ a registry to fault */

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_key *town_key = NULL;
    libro_key *registry_key = NULL;
    libro_credential *c;
    char *charter_jws;
    char *auth_jws;

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-store-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_gt(snprintf(db_path, sizeof db_path, "%s/registry.db", dir), 0);
    ck_assert_int_gt(snprintf(fsync_flag, sizeof fsync_flag, "%s/fsync.flag", dir), 0);
    ck_assert_int_gt(snprintf(enospc_flag, sizeof enospc_flag, "%s/enospc.flag", dir), 0);
    ck_assert_int_eq(setenv(LIBRO_FAULT_FSYNC_ENV, fsync_flag, 1), 0);
    ck_assert_int_eq(setenv(LIBRO_FAULT_ENOSPC_ENV, enospc_flag, 1), 0);
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    c = new_cred(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", VF - 365 * DAY,
                 VF + 3650 * DAY);
    c->level = 2;
    c->subject_key = public_of(town_key);
    c->allowed_types = libro_calloc(1, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup("nursing-general");
    c->n_allowed = 1;
    charter_jws = sign(c, town_key);
    libro_credential_free(c);
    c = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Town 7 Registry",
                 VF - 365 * DAY, VF + 3650 * DAY);
    c->subject_key = public_of(registry_key);
    c->url = sdup("https://registry.town-7.example");
    auth_jws = sign(c, town_key);
    libro_credential_free(c);
    must(libro_registry_create(db_path, charter_jws, auth_jws, &err), &err, "create");
    must(libro_registry_open(&reg, db_path, &err), &err, "open");
    libro_free(auth_jws);
    libro_free(charter_jws);
    libro_key_free(registry_key);
    libro_key_free(town_key);
}

static void
teardown(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[340];

    libro_registry_close(reg);
    reg = NULL;
    (void) unlink(fsync_flag);
    (void) unlink(enospc_flag);
    (void) unsetenv(LIBRO_FAULT_FSYNC_ENV);
    (void) unsetenv(LIBRO_FAULT_ENOSPC_ENV);
    (void) unsetenv(LIBRO_FAULT_FSYNC_SUFFIX_ENV);
    for (size_t i = 0; i < LIBRO_NELEM(suffixes); i++) {
        ck_assert_int_gt(snprintf(name, sizeof name, "%s%s", db_path, suffixes[i]), 0);
        (void) unlink(name);
    }
    (void) rmdir(dir);
}

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

/* A write: define (or redefine) license type `id`. */
static libro_code
define(libro_registry *r, const char *id, libro_error *err)
{
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_code rc;

    t.id = sdup(id);
    rc = libro_registry_define_type(r, NULL, &t, "ops", err);
    libro_free(t.id);
    return rc;
}

static bool
has_type(libro_registry *r, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {0};
    libro_code rc = libro_registry_get_type(r, &t, id, &err);

    libro_license_type_clear(&t);
    ck_assert_msg(rc == LIBRO_OK || rc == LIBRO_ERR_NOT_FOUND, "get type %s: %s", id, err.msg);
    return rc == LIBRO_OK;
}

/* ------------------------------------------------------------------ faults */

START_TEST(test_fsync_poisons)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(define(reg, "before", &err), &err, "a write before the fault");
    ck_assert(!libro_registry_poisoned(reg));
    flag(fsync_flag, true);
    LIBRO_ASSERT_CODE(define(reg, "during", &err), LIBRO_ERR_IO, &err,
                      "commit: disk I/O error (fsync failed)");
    ck_assert(libro_registry_poisoned(reg));
    /* The disk answers again; the handle still refuses: a retried fsync proves nothing. */
    flag(fsync_flag, false);
    LIBRO_ASSERT_CODE(define(reg, "after", &err), LIBRO_ERR_IO, &err,
                      "database: writes stopped after an I/O error; restart to re-check");
    ck_assert(has_type(reg, "before")); /* reads go on */
    ck_assert(!has_type(reg, "after"));
    /* Opened anew (and checked), the registry holds what was acknowledged and takes writes. */
    libro_registry_close(reg);
    reg = NULL;
    must(libro_registry_open(&reg, db_path, &err), &err, "reopen");
    ck_assert(!libro_registry_poisoned(reg));
    must(libro_registry__integrity_check(reg, &err), &err, "integrity check");
    ck_assert(has_type(reg, "before"));
    ck_assert(!has_type(reg, "after"));
    must(define(reg, "after", &err), &err, "a write after reopening");
    ck_assert(has_type(reg, "after"));
}
END_TEST

/* A checkpoint's fsync of the database file fails while every commit's fsync of the WAL
 * succeeds: the writes stay acknowledged (the synced WAL holds them), the handle is poisoned. */
START_TEST(test_checkpoint_fsync_poisons)
{
    libro_error err = LIBRO_ERROR_INIT;
    char id[32];
    int acked = 0;

    ck_assert_int_eq(setenv(LIBRO_FAULT_FSYNC_SUFFIX_ENV, "/registry.db", 1), 0);
    flag(fsync_flag, true);
    while (!libro_registry_poisoned(reg) && acked < 5000) {
        ck_assert_int_gt(snprintf(id, sizeof id, "type-%d", acked), 0);
        must(define(reg, id, &err), &err, "a commit whose WAL fsync succeeds");
        acked++;
    }
    ck_assert_msg(libro_registry_poisoned(reg), "no checkpoint in %d writes", acked);
    ck_assert_int_gt(acked, 10); /* a checkpoint waits for the WAL to grow */
    LIBRO_ASSERT_CODE(define(reg, "after", &err), LIBRO_ERR_IO, &err,
                      "database: writes stopped after an I/O error; restart to re-check");
    flag(fsync_flag, false);
    ck_assert_int_eq(unsetenv(LIBRO_FAULT_FSYNC_SUFFIX_ENV), 0);
    libro_registry_close(reg);
    reg = NULL;
    must(libro_registry_open(&reg, db_path, &err), &err, "reopen");
    must(libro_registry__integrity_check(reg, &err), &err, "integrity check");
    for (int i = 0; i < acked; i++) {
        ck_assert_int_gt(snprintf(id, sizeof id, "type-%d", i), 0);
        ck_assert_msg(has_type(reg, id), "acknowledged %s lost", id);
    }
    ck_assert(!has_type(reg, "after"));
}
END_TEST

START_TEST(test_full_is_not_poison)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(define(reg, "before", &err), &err, "a write before the disk fills");
    flag(enospc_flag, true);
    LIBRO_ASSERT_CODE(define(reg, "during", &err), LIBRO_ERR_FULL, &err,
                      "database or disk is full");
    ck_assert(!libro_registry_poisoned(reg));
    ck_assert(!has_type(reg, "during")); /* nothing of the refused write */
    /* Space freed: the same handle writes again. */
    flag(enospc_flag, false);
    must(define(reg, "after", &err), &err, "a write after space is freed");
    ck_assert(has_type(reg, "before"));
    ck_assert(has_type(reg, "after"));
}
END_TEST

START_TEST(test_busy)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *other = NULL;

    must(libro_registry_open(&other, db_path, &err), &err, "second handle");
    must(libro_registry__write_begin(other, NULL, &err), &err, "hold the write lock");
    /* The 5 s wait runs out: busy, nothing changed, the handle is fine. */
    LIBRO_ASSERT_CODE(define(reg, "waited", &err), LIBRO_ERR_BUSY, &err, "begin: database is busy");
    ck_assert(!libro_registry_poisoned(reg));
    other->store.ops->rollback(other->store.h);
    libro_registry_close(other);
    must(define(reg, "waited", &err), &err, "the lock released");
}
END_TEST

START_TEST(test_read_only_open)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *ro = NULL;

    must(define(reg, "before", &err), &err, "a write");
    must(libro_registry_open_read_only(&ro, db_path, &err), &err, "open read-only");
    ck_assert(has_type(ro, "before"));
    LIBRO_ASSERT_CODE(define(ro, "refused", &err), LIBRO_ERR_READONLY, &err,
                      "database is read-only");
    ck_assert(!libro_registry_poisoned(ro));
    libro_registry_close(ro);
    ck_assert(!has_type(reg, "refused"));
}
END_TEST

/* A database whose schema is older than the code's is not migrated by a read-only open. */
START_TEST(test_read_only_no_migration)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *ro = NULL;
    sqlite3 *db = NULL;

    libro_registry_close(reg);
    reg = NULL;
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "DELETE FROM schema_version WHERE version ="
                                  " (SELECT MAX(version) FROM schema_version)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
    LIBRO_ASSERT_CODE(libro_registry_open_read_only(&ro, db_path, &err), LIBRO_ERR_READONLY, &err,
                      "database is read-only");
    ck_assert_ptr_null(ro);
}
END_TEST

/* A database file the process may not write: refused at open, not at the first write. Root
 * writes any file whatever its mode, so the check runs in a child that, under root, first
 * becomes nobody (as a service account would be); without root the file's mode does it. */
START_TEST(test_unwritable_file_refused)
{
    pid_t pid;
    int status = 0;

    libro_registry_close(reg); /* a clean close: no -wal or -shm left */
    reg = NULL;
    ck_assert_int_eq(chmod(dir, 0755), 0);
    ck_assert_int_eq(chmod(db_path, 0444), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_registry *r = NULL;
        libro_code rc;

        if (geteuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)) {
            _exit(3);
        }
        rc = libro_registry_open(&r, db_path, &err);
        libro_registry_close(r);
        _exit(rc == LIBRO_ERR_READONLY &&
                      strstr(err.msg, "cannot be written (file mode or a read-only mount)") != NULL
                  ? 0
                  : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the unwritable database was not refused as read-only (child status %d)", status);
    ck_assert_int_eq(chmod(db_path, 0600), 0);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("store");
    TCase *map = tcase_create("mapping");
    TCase *faults = tcase_create("faults");

    tcase_add_loop_test(map, test_mapping, 0, (int) LIBRO_NELEM(mapping));
    tcase_add_checked_fixture(faults, setup, teardown);
    tcase_set_timeout(faults, 60);
    tcase_add_test(faults, test_fsync_poisons);
    tcase_add_test(faults, test_checkpoint_fsync_poisons);
    tcase_add_test(faults, test_full_is_not_poison);
    tcase_add_test(faults, test_busy);
    tcase_add_test(faults, test_read_only_open);
    tcase_add_test(faults, test_read_only_no_migration);
    tcase_add_test(faults, test_unwritable_file_refused);
    suite_add_tcase(s, map);
    suite_add_tcase(s, faults);
    return s;
}
