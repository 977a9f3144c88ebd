/* The PostgreSQL store's internals shared by its files (store_pg.c: connection, transactions,
 * errors, migrations, licenses and status; store_pg_log.c: issuers, request ids, the log;
 * store_pg_mandate.c: seats and mandates; store_pg_law.c: agreements, processes, steps and
 * laws). This directory is the only place that includes libpq-fe.h, and libpq is loaded on
 * first use (libro/dl_int.h): only store_pg.c calls it, the other files go through the helpers
 * below. Every statement has bound parameters; none is built from text. */
#ifndef LIBRO_PG_INT_H
#define LIBRO_PG_INT_H

#include <libpq-fe.h>

#include "store.h"

/* One store handle: one connection. */
typedef struct pg {
    PGconn *conn;
    char *location; /* the URI as given (it holds no password), for messages */
    bool read_only;
    int version;
    bool standby;  /* the connection is to a hot standby: write transactions are refused */
    bool in_tx;    /* a transaction (or a group) is open */
    bool write_tx; /* ... and it is a write transaction */
    libro_store__changes changes; /* the open transaction's status changes */
    /* The statements prepared on this connection: prepared[i] is the SQL text (a constant,
     * compared by address) of the statement named "s<i>". Emptied by a reconnect, so that each
     * is prepared again on its next use. */
    const char **prepared;
    size_t prepared_n;
    size_t prepared_cap;
    /* data_version: LISTEN libro_change has been sent on this connection; the count of
     * notifications (and reconnects) seen. On a hot standby, which refuses LISTEN, `polling`
     * is set and each call reads `polled` instead (the log's size and the sum of the status
     * lists' versions, as replayed): the count moves when either did. */
    bool listening;
    bool polling;
    int64_t polled[2];
    uint64_t changes_seen;
    /* A group (store.h, group_begin): while `group` is set the outer transaction is open and
     * begin, commit and rollback are savepoints, `depth` of them open. `group_lost` keeps the
     * error after which the group can commit nothing (a serialization failure, a deadlock, a
     * lost connection). */
    bool group;
    unsigned depth;
    size_t pending_at[LIBRO_STORE_MAX_DEPTH]; /* changes.n when each savepoint opened */
    libro_error group_lost;
} pg;

/* Where mandate status lists start in the stored list numbers (license lists are 0..2^32-1),
 * as in the SQLite store. */
#define LIBRO_PG_MANDATE_LISTS INT64_C(4294967296)

/* The most parameters one statement binds. */
#define LIBRO_PG_MAX_PARAMS 24

/** The parameters of one statement, filled in order ($1, $2, ...) by the libro_pg__param_*
 *  calls; the values are borrowed (text) or kept here (numbers). Start with
 *  LIBRO_PG_PARAMS_INIT. More than LIBRO_PG_MAX_PARAMS: the statement is refused
 *  (LIBRO_ERR_INVALID_ARG) when run. */
typedef struct libro_pg__params {
    int n;
    bool overflow;
    const char *values[LIBRO_PG_MAX_PARAMS];
    int lengths[LIBRO_PG_MAX_PARAMS];
    int formats[LIBRO_PG_MAX_PARAMS];
    char numbers[LIBRO_PG_MAX_PARAMS][24];
} libro_pg__params;

#define LIBRO_PG_PARAMS_INIT                                                                       \
    {                                                                                              \
        0                                                                                          \
    }

/** Text `v` (borrowed until the statement ran), or SQL NULL when `v` is NULL. */
void libro_pg__param_text(libro_pg__params *p, const char *v);
/** An integer (int8, int4 or a 0/1 flag column). */
void libro_pg__param_i64(libro_pg__params *p, int64_t v);
/** `n` bytes (bytea), sent in binary; borrowed. */
void libro_pg__param_bytes(libro_pg__params *p, const unsigned char *v, size_t n);

libro_code libro_pg__nomem(libro_error *err);

/** The libro code of an SQLSTATE (design: 40001, 40P01 CONFLICT; 08xxx, 57P01..03
 *  UNAVAILABLE; 53100 FULL; 53200, 53300 and 55P03 (a lock not granted within lock_timeout)
 *  BUSY; 25006 READONLY; 28xxx DENIED; 3D000 NOT_FOUND; else IO). */
libro_code libro_pg__code_of(const char *sqlstate);

/** The failure of the last call on `s` (result `res`, NULL when there is none) while doing
 *  `what`, as a libro code with the server's message and SQLSTATE; a lost connection is
 *  LIBRO_ERR_UNAVAILABLE. Inside a group, a conflict or a lost connection loses the group. */
libro_code libro_pg__fail(pg *s, const PGresult *res, const char *what, libro_error *err);

/** Run `sql` (a constant: prepared once per connection on first use, and again after a
 *  reconnect) with `params` (NULL: none). LIBRO_OK: *out (when not NULL) holds the result, to
 *  release with libro_pg__clear; rows and changed rows are read from it. Else *out is NULL and
 *  the code is libro_pg__fail's. A failed statement ends the transaction (PostgreSQL aborts
 *  it): expected outcomes are found with row counts (ON CONFLICT DO NOTHING), never errors. */
libro_code libro_pg__exec(pg *s, PGresult **out, const char *sql, const libro_pg__params *params,
                          const char *what, libro_error *err);
/** libro_pg__exec, and how many rows the statement inserted, updated or deleted. */
libro_code libro_pg__exec_changes(pg *s, uint64_t *changes, const char *sql,
                                  const libro_pg__params *params, const char *what,
                                  libro_error *err);
void libro_pg__clear(PGresult *res);
/** The rows of a result. */
int libro_pg__rows(const PGresult *res);
/** A result's rows as a zeroed array of `size`-byte records (*out NULL when there are none),
 *  for the caller to fill and free with libro_free. */
libro_code libro_pg__alloc_rows(void **out, const PGresult *res, size_t size, libro_error *err);
/** The rows an INSERT, UPDATE or DELETE changed (PQcmdTuples), 0 for others. */
uint64_t libro_pg__changes(const PGresult *res);

/* Column getters (text format results). Each fails with LIBRO_ERR_IO naming the column when
 * the value is not what the schema allows. */
bool libro_pg__is_null(const PGresult *res, int row, int col);
/** A text column, copied (NULL for SQL NULL). */
libro_code libro_pg__col_text(char **out, const PGresult *res, int row, int col, libro_error *err);
libro_code libro_pg__col_i64(int64_t *out, const PGresult *res, int row, int col, libro_error *err);
/** A stored integer that must fit in uint32 (versions, list and index numbers, days). */
libro_code libro_pg__col_u32(uint32_t *out, const PGresult *res, int row, int col,
                             libro_error *err);
/** An integer column of a small range (states, levels, 0/1 flags), in [min, max]. */
libro_code libro_pg__col_int(int *out, const PGresult *res, int row, int col, int min, int max,
                             libro_error *err);
/** A boolean column (SQL boolean: t or f). */
libro_code libro_pg__col_bool(bool *out, const PGresult *res, int row, int col, libro_error *err);
/** A bytea column of exactly 32 bytes. */
libro_code libro_pg__col_hash32(unsigned char out[32], const PGresult *res, int row, int col,
                                libro_error *err);

/** The migrations (store_pg_schema.c): libro_pg__migrations[i], a NULL-terminated list of
 *  scripts run in order, brings the schema from version i to i + 1; run in one transaction
 *  with the row that records it in libro_schema_version. */
extern const char *const *const libro_pg__migrations[];
extern const size_t libro_pg__migration_count;

/* The operations of store_pg_log.c, for the table in store_pg.c. */
libro_code libro_pg__issuer_put(void *h, const char *kid, const char *issuer,
                                const char *credential, int64_t valid_from, int64_t valid_until,
                                libro_error *err);
libro_code libro_pg__issuer_get(void *h, char **credential, const char *kid, libro_error *err);
libro_code libro_pg__issuer_list(void *h, char ***credentials, size_t *n, libro_error *err);
libro_code libro_pg__request_record(void *h, const char *jti, const char *kid, int64_t iat,
                                    int64_t forget_before, libro_error *err);
libro_code libro_pg__request_known(void *h, const char *jti, bool *known, libro_error *err);
libro_code libro_pg__log_size(void *h, uint64_t *size, libro_error *err);
libro_code libro_pg__log_leaf_put(void *h, uint64_t index, const char *data, libro_error *err);
libro_code libro_pg__log_leaf_get(void *h, char **data, uint64_t index, libro_error *err);
libro_code libro_pg__log_node_get(void *h, unsigned level, uint64_t index, unsigned char out[32],
                                  libro_error *err);
libro_code libro_pg__log_node_put(void *h, unsigned level, uint64_t index,
                                  const unsigned char hash[32], libro_error *err);

/** Read row `row` of `res` into the zeroed record `rec`; on failure the record may hold what
 *  was read so far (the list's free releases it). */
typedef libro_code (*libro_pg__row_fn)(pg *s, void *rec, const PGresult *res, int row,
                                       libro_error *err);
/** Free `n` records of a list and the list (the type's _records_free). */
typedef void (*libro_pg__list_free_fn)(void *list, size_t n);
/** Run `sql` with `params` and read each row of its result with `read` into a new array of
 *  `size`-byte records: LIBRO_OK, *out (NULL when there is no row) and *n, owned by the
 *  caller (`free_list`); else *out is NULL and *n is 0 (store_pg_law.c). */
libro_code libro_pg__list(pg *s, void **out, size_t *n, size_t size, const char *sql,
                          const libro_pg__params *params, const char *what, libro_pg__row_fn read,
                          libro_pg__list_free_fn free_list, libro_error *err);

/** Run `sql` with `params` and read the first row of its result with `read` into `rec` (of
 *  `size` bytes, zeroed first; `read` clears it when it fails). *found: whether there was a
 *  row (store_pg_law.c). */
libro_code libro_pg__one(pg *s, void *rec, size_t size, bool *found, const char *sql,
                         const libro_pg__params *params, const char *what, libro_pg__row_fn read,
                         libro_error *err);

/* The operations of store_pg_webhook.c: webhook subscriptions. */
libro_code libro_pg__webhook_put(void *h, const libro_webhook *w, bool insert, libro_error *err);
libro_code libro_pg__webhook_list(void *h, libro_webhook **out, size_t *n, libro_error *err);
libro_code libro_pg__webhook_delete(void *h, const char *id, libro_error *err);
libro_code libro_pg__webhook_expiry_sent(void *h, bool *sent, const char *id, const char *license,
                                         int64_t valid_until, libro_error *err);
libro_code libro_pg__webhook_expiry_mark(void *h, const char *id, const char *license,
                                         int64_t valid_until, int64_t now, libro_error *err);

/* The operations of store_pg_mandate.c: seats and mandates. */
libro_code libro_pg__seat_put(void *h, const char *community, const char *name, int level,
                              const char *charter, int64_t added_at, const char *actor,
                              libro_error *err);
libro_code libro_pg__seat_list(void *h, libro_seat **out, size_t *n, libro_error *err);
libro_code libro_pg__mandate_get(void *h, libro_mandate_record *out, const char *id,
                                 libro_error *err);
libro_code libro_pg__mandate_put(void *h, const libro_mandate_record *m, bool insert,
                                 libro_error *err);
libro_code libro_pg__mandate_list(void *h, libro_mandate_record **out, size_t *n,
                                  libro_store_mandate_query q, int office, const char *seat,
                                  int64_t a, int64_t b, libro_error *err);

/* The operations of store_pg_law.c: agreements, consent processes and steps, laws. */
libro_code libro_pg__agreement_get(void *h, libro_agreement_record *out, const char *hash,
                                   libro_error *err);
libro_code libro_pg__agreement_put(void *h, const libro_agreement_record *a, bool insert,
                                   libro_error *err);
libro_code libro_pg__agreement_list(void *h, libro_agreement_record **out, size_t *n,
                                    libro_error *err);
libro_code libro_pg__process_get(void *h, const char *law_id, uint32_t run, uint32_t *run_out,
                                 bool *open, char **law, libro_error *err);
libro_code libro_pg__process_put(void *h, const char *law_id, uint32_t run, bool open,
                                 int64_t opened_at, const char *law, bool insert, libro_error *err);
libro_code libro_pg__step_put(void *h, const libro_consent_step_record *s, libro_error *err);
libro_code libro_pg__step_list(void *h, libro_consent_step_record **out, size_t *n,
                               const char *law_id, uint32_t run, libro_error *err);
libro_code libro_pg__law_get(void *h, libro_law_record *out, const char *hash, libro_error *err);
libro_code libro_pg__law_put(void *h, const libro_law_record *l, bool insert, libro_error *err);
libro_code libro_pg__law_list(void *h, libro_law_record **out, size_t *n, libro_store_law_query q,
                              const char *law_id, int64_t a, libro_error *err);

/* The operations of store_pg_reminders.c: contacts and reminders sent. */
libro_code libro_pg__contact_put(void *h, int kind, const char *subject, const char *email,
                                 int64_t at, libro_error *err);
libro_code libro_pg__contact_get(void *h, char **email, int kind, const char *subject,
                                 libro_error *err);
libro_code libro_pg__reminder_sent(void *h, const libro_store_reminder_key *k, bool *sent,
                                   libro_error *err);
libro_code libro_pg__reminder_claim(void *h, libro_store_claim *found,
                                    const libro_store_reminder_key *k, const char *to,
                                    const char *token, int64_t at, int64_t stale_before,
                                    libro_error *err);
libro_code libro_pg__reminder_release(void *h, const libro_store_reminder_key *k, const char *token,
                                      bool sent, int64_t at, libro_error *err);

#endif
