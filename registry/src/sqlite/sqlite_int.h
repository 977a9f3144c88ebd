/* The SQLite store's internals shared by its files (store_sqlite.c: open, migrations, licenses
 * and status; store_sqlite_log.c: issuers, request ids, the log). Every statement is prepared
 * with bound parameters; no SQL is built from text. */
#ifndef LIBRO_SQLITE_INT_H
#define LIBRO_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

typedef struct sq {
    sqlite3 *db;
    int version;
    bool in_tx;
    libro_store__changes changes; /* the open transaction's status changes */
    sqlite3_stmt *data_version;   /* PRAGMA data_version, prepared on first use */
    /* An I/O error (a failed write or fsync, SQLITE_IOERR_*) was seen: what the disk holds is
     * no longer known, as the kernel may have dropped the pages a failed fsync did not write.
     * Every later write transaction is refused until the database is opened anew (and
     * checked): a retried fsync that succeeds proves nothing (PostgreSQL's fsyncgate). */
    bool poisoned;
    /* A group of write transactions under one commit (store.h, group_begin): while `group`
     * is set the outer transaction is open, and begin, commit and rollback are savepoints,
     * `depth` of them open. `group_lost` keeps the error that made SQLite end the outer
     * transaction early (a full disk, an I/O error): the group then commits nothing. */
    bool group;
    unsigned depth;
    size_t pending_at[LIBRO_STORE_MAX_DEPTH]; /* changes.n when each savepoint opened */
    libro_error group_lost;
} sq;

libro_code libro_sq__nomem(libro_error *err);
/** SQLite's code `rc` as a libro code naming `what`: LIBRO_ERR_BUSY (busy, locked),
 *  LIBRO_ERR_FULL (disk or quota full), LIBRO_ERR_READONLY (read-only file, mount or handle),
 *  LIBRO_ERR_NOMEM, else LIBRO_ERR_IO; an SQLITE_IOERR poisons `s` (when not NULL). */
libro_code libro_sq__db_fail(sq *s, int rc, const char *what, libro_error *err);
libro_code libro_sq__prepare(sq *s, sqlite3_stmt **st, const char *sql, const char *what,
                             libro_error *err);
libro_code libro_sq__bind_fail(sq *s, int rc, const char *what, libro_error *err);
/** Bind text `v`, or SQL NULL when `v` is NULL (an SQLite code). */
int libro_sq__bind_text_or_null(sqlite3_stmt *st, int col, const char *v);
/** Run a statement that returns no rows to its end. */
libro_code libro_sq__step_done(sq *s, sqlite3_stmt *st, const char *what, libro_error *err);
/** A text column, copied (NULL for SQL NULL). */
libro_code libro_sq__col_text(char **out, sqlite3_stmt *st, int col, libro_error *err);
/** A stored integer that must fit in uint32. */
libro_code libro_sq__col_u32(uint32_t *out, sqlite3_stmt *st, int col, libro_error *err);

/* The operations of store_sqlite_log.c, for the table in store_sqlite.c. */
libro_code libro_sq__issuer_put(void *h, const char *kid, const char *issuer,
                                const char *credential, int64_t valid_from, int64_t valid_until,
                                libro_error *err);
libro_code libro_sq__issuer_get(void *h, char **credential, const char *kid, libro_error *err);
libro_code libro_sq__issuer_list(void *h, char ***credentials, size_t *n, libro_error *err);
libro_code libro_sq__request_record(void *h, const char *jti, const char *kid, int64_t iat,
                                    int64_t forget_before, libro_error *err);
libro_code libro_sq__request_known(void *h, const char *jti, bool *known, libro_error *err);
libro_code libro_sq__log_size(void *h, uint64_t *size, libro_error *err);
libro_code libro_sq__log_leaf_put(void *h, uint64_t index, const char *data, libro_error *err);
libro_code libro_sq__log_leaf_get(void *h, char **data, uint64_t index, libro_error *err);
libro_code libro_sq__log_node_get(void *h, unsigned level, uint64_t index, unsigned char out[32],
                                  libro_error *err);
libro_code libro_sq__log_node_put(void *h, unsigned level, uint64_t index,
                                  const unsigned char hash[32], libro_error *err);

/* The operations of store_sqlite_webhook.c: webhook subscriptions. */
libro_code libro_sq__webhook_put(void *h, const libro_webhook *w, bool insert, libro_error *err);
libro_code libro_sq__webhook_list(void *h, libro_webhook **out, size_t *n, libro_error *err);
libro_code libro_sq__webhook_delete(void *h, const char *id, libro_error *err);
libro_code libro_sq__webhook_expiry_sent(void *h, bool *sent, const char *id, const char *license,
                                         int64_t valid_until, libro_error *err);
libro_code libro_sq__webhook_expiry_mark(void *h, const char *id, const char *license,
                                         int64_t valid_until, int64_t now, libro_error *err);

/* Where mandate status lists start in the stored list numbers (license lists are 0..2^32-1). */
#define LIBRO_SQ_MANDATE_LISTS INT64_C(4294967296)

/* The operations of store_sqlite_mandate.c: seats and mandates. */
libro_code libro_sq__seat_put(void *h, const char *community, const char *name, int level,
                              const char *charter, int64_t added_at, const char *actor,
                              libro_error *err);
libro_code libro_sq__seat_list(void *h, libro_seat **out, size_t *n, libro_error *err);
libro_code libro_sq__mandate_get(void *h, libro_mandate_record *out, const char *id,
                                 libro_error *err);
libro_code libro_sq__mandate_put(void *h, const libro_mandate_record *m, bool insert,
                                 libro_error *err);
libro_code libro_sq__mandate_list(void *h, libro_mandate_record **out, size_t *n,
                                  libro_store_mandate_query q, int office, const char *seat,
                                  int64_t a, int64_t b, libro_error *err);

/* The operations of store_sqlite_law.c: agreements, consent processes and steps, laws. */
libro_code libro_sq__agreement_get(void *h, libro_agreement_record *out, const char *hash,
                                   libro_error *err);
libro_code libro_sq__agreement_put(void *h, const libro_agreement_record *a, bool insert,
                                   libro_error *err);
libro_code libro_sq__agreement_list(void *h, libro_agreement_record **out, size_t *n,
                                    libro_error *err);
libro_code libro_sq__process_get(void *h, const char *law_id, uint32_t run, uint32_t *run_out,
                                 bool *open, char **law, libro_error *err);
libro_code libro_sq__process_put(void *h, const char *law_id, uint32_t run, bool open,
                                 int64_t opened_at, const char *law, bool insert, libro_error *err);
libro_code libro_sq__step_put(void *h, const libro_consent_step_record *s, libro_error *err);
libro_code libro_sq__step_list(void *h, libro_consent_step_record **out, size_t *n,
                               const char *law_id, uint32_t run, libro_error *err);
libro_code libro_sq__law_get(void *h, libro_law_record *out, const char *hash, libro_error *err);
libro_code libro_sq__law_put(void *h, const libro_law_record *l, bool insert, libro_error *err);
libro_code libro_sq__law_list(void *h, libro_law_record **out, size_t *n, libro_store_law_query q,
                              const char *law_id, int64_t a, libro_error *err);

/* The operations of store_sqlite_reminders.c: contacts and reminders sent. */
libro_code libro_sq__contact_put(void *h, int kind, const char *subject, const char *email,
                                 int64_t at, libro_error *err);
libro_code libro_sq__contact_get(void *h, char **email, int kind, const char *subject,
                                 libro_error *err);
libro_code libro_sq__reminder_sent(void *h, const libro_store_reminder_key *k, bool *sent,
                                   libro_error *err);
libro_code libro_sq__reminder_claim(void *h, libro_store_claim *found,
                                    const libro_store_reminder_key *k, const char *to,
                                    const char *token, int64_t at, int64_t stale_before,
                                    libro_error *err);
libro_code libro_sq__reminder_release(void *h, const libro_store_reminder_key *k, const char *token,
                                      bool sent, int64_t at, libro_error *err);

#endif
