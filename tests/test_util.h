/* Helpers shared by the check suites. */
#ifndef LIBRO_TEST_UTIL_H
#define LIBRO_TEST_UTIL_H

#include <check.h>
#include <stddef.h>

#include "libro/buf.h"
#include "libro/error.h"

/** Exit status ctest reads as "skipped". */
#define LIBRO_TEST_SKIP 77

/** Each check_<name>.c defines this. */
Suite *libro_test_suite(void);

/** Directory of the standards vectors (../shared/vectors, or $LIBRO_VECTORS_DIR), or NULL
 *  when absent. When NULL, the caller should call libro_test_skip() with what it skipped. */
const char *libro_test_vectors_dir(void);
/** Directory of the project's own fixtures (tests/vectors). */
const char *libro_test_data_dir(void);

/** Record, loudly on stderr, that a vector file was skipped. A suite whose only tests were
 *  skipped then exits LIBRO_TEST_SKIP. */
void libro_test_skip(const char *what);
const char *libro_test_skipped_reason(void);

/** Read `dir`/`name` into `out` (at most 64 MiB); ck_abort on failure. */
void libro_test_read(libro_buf *out, const char *dir, const char *name);

/** rm -r of a test's own temporary tree (no links are followed: lstat, then unlink); an
 *  absent `path` is a no-op, any other failure aborts the check. */
void libro_test_rm_rf(const char *path);

/** Decode lowercase/uppercase hex into `out`; ck_abort on bad input. */
void libro_test_hex(libro_buf *out, const char *hex);

/** SQL that takes a registry database back before issue 12's migrations (reason categories, a
 *  type's renewal_from, the holder-name keys, reminders' contacts and claims, webhooks), to schema
 * 8's layout. */
#define LIBRO_TEST_SQL_UNDO_AFTER_8                                                                \
    "DROP TABLE webhook_expiry;"                                                                   \
    "DROP TABLE webhook;"                                                                          \
    "DROP TABLE reminder_sent;"                                                                    \
    "DROP TABLE contact;"                                                                          \
    "DROP TABLE license_holder_key;"                                                               \
    "ALTER TABLE license_event DROP COLUMN category;"                                              \
    "ALTER TABLE license_type DROP COLUMN renewal_from;"                                           \
    "DELETE FROM schema_version WHERE version > 8;"

/** SQL that takes a registry database of schema 8 back to schema 7's layout, as an older libro
 *  wrote it: each license's current credential in its row, each version's in its issue or
 *  renew event, no license_credential, the index license_due. For the migration tests. */
#define LIBRO_TEST_SQL_UNDO_8                                                                      \
    LIBRO_TEST_SQL_UNDO_AFTER_8                                                                    \
    "ALTER TABLE license ADD COLUMN credential TEXT NOT NULL DEFAULT '';"                          \
    "UPDATE license SET credential = (SELECT jws FROM license_credential c"                        \
    " WHERE c.number = license.number AND c.version = license.version);"                           \
    "ALTER TABLE license_event ADD COLUMN credential TEXT;"                                        \
    "UPDATE license_event SET credential = (SELECT jws FROM license_credential c"                  \
    " WHERE c.number = license_event.number AND c.version = license_event.version)"                \
    " WHERE action IN (1, 2);"                                                                     \
    "DROP TABLE license_credential;"                                                               \
    "DROP INDEX license_expiring;"                                                                 \
    "CREATE INDEX license_due ON license (state, valid_until);"                                    \
    "DELETE FROM schema_version WHERE version >= 8;"

/** ck_assert that `rc` is LIBRO_OK, naming `what`, the code and the message. */
void must(libro_code rc, const libro_error *err, const char *what);

/** Assert `rc` equals `want` and, when `msg_part` is not NULL, that err->msg contains it. */
#define LIBRO_ASSERT_CODE(rc, want, err, msg_part)                                                 \
    libro_test_assert_code((rc), (want), (err), (msg_part), __FILE__, __LINE__)
void libro_test_assert_code(libro_code rc, libro_code want, const libro_error *err,
                            const char *msg_part, const char *file, int line);

#endif
