/* libro_registry: the storage interface the lifecycle code uses (docs/operations.md). SQLite
 * (sqlite/store_sqlite.c) is the embedded default; PostgreSQL (postgres/store_pg.c), chosen
 * by a postgresql:// database argument (store.c), implements the same table of functions. The store
 * knows rows, not rules: every check of the lifecycle is made by registry.c inside a transaction
 * the store opens. */
#ifndef LIBRO_REGISTRY_STORE_H
#define LIBRO_REGISTRY_STORE_H

#include "libro/registry.h"
#include "libro/webhook.h"

/* Keys of the meta table. */
#define LIBRO_STORE_META_CHARTER "charter"
#define LIBRO_STORE_META_AUTHORIZATION "registry_authorization"

/** An event to append: the public libro_license_event with borrowed strings, plus the
 *  credential the event issued (issue, renew; else NULL). The store keeps each version's
 *  credential once (the license row's version shares it), and event_list returns it with
 *  its issue or renew event. */
typedef struct libro_store_event {
    int64_t at;
    libro_action action;
    const char *actor;
    const char *reason; /* NULL is stored as "" */
    libro_license_state from;
    libro_license_state to;
    uint32_t version;
    const char *evidence;           /* NULL allowed */
    const char *credential;         /* NULL allowed */
    libro_reason_category category; /* LIBRO_CATEGORY_NONE: none (stored as 0) */
} libro_store_event;

/** Status lists come in two spaces, each numbered from 0: license lists and mandate lists
 *  (a mandate's message list carries other words, so the two never share a list). */
typedef enum libro_store_space {
    LIBRO_SPACE_LICENSES = 0,
    LIBRO_SPACE_MANDATES = 1,
} libro_store_space;

/** Which mandates mandate_list returns. */
typedef enum libro_store_mandate_query {
    LIBRO_MQ_SEAT = 1, /* of `office` and `seat` (NULL: the chair), by valid_from */
    LIBRO_MQ_AT,       /* whose term covers `a` and not ended by then, by office then seat */
    LIBRO_MQ_EXPIRING, /* active (not ended, no successor registered), valid_until in [a, b],
                          by valid_until */
    LIBRO_MQ_PENDING,  /* ended but without their status bits, with ended_at <= a */
    LIBRO_MQ_ALL,      /* every mandate, chair first, then by seat, office and valid_from (the
                          roundtable's order, as LIBRO_MQ_AT) */
} libro_store_mandate_query;

/** Which laws law_list returns. */
typedef enum libro_store_law_query {
    LIBRO_LQ_IN_FORCE = 1, /* in force, by law id */
    LIBRO_LQ_ALL,          /* every version, by law id then version */
    LIBRO_LQ_ID,           /* every version of `law_id`, by version */
    LIBRO_LQ_REVIEW,       /* in force with review_at <= `a`, by review_at then law id */
} libro_store_law_query;

/** One status list's version: bumped by status_set in the transaction of each change, so that
 *  a reader that saw `version` knows whether the list changed since (a list never changed has
 *  no row and reads as version 0). */
typedef struct libro_store_status_version {
    libro_store_space space;
    uint32_t list;
    int purpose;
    uint64_t version;
} libro_store_status_version;

/** Told of one status change (list, index) of `space` for `purpose` to `value`, after the
 *  transaction that made it committed, with the list's version after the change. */
typedef void (*libro_store_status_observer)(void *ctx, libro_store_space space, uint32_t list,
                                            uint32_t index, int purpose, unsigned value,
                                            uint64_t version);

/* A status change made inside an open transaction, held for the observer until the transaction
 * commits (both stores). */
typedef struct libro_store__change {
    libro_store_space space;
    uint32_t list;
    uint32_t index;
    int purpose;
    unsigned value;
    uint64_t version;
} libro_store__change;

/* The open transaction's status changes, in order, and who is told of them once it committed
 * (observer NULL: changes are not collected). */
typedef struct libro_store__changes {
    libro_store_status_observer observer;
    void *ctx;
    libro_store__change *v;
    size_t n;
    size_t cap;
} libro_store__changes;

/** Hold `x` until the transaction commits when `in_tx`, else tell the observer at once (the
 *  statement committed by itself). */
LIBRO_NODISCARD libro_code libro_store__changes_note(libro_store__changes *c,
                                                     const libro_store__change *x, bool in_tx,
                                                     libro_error *err);
/** Tell the observer of the held changes, in the order they were made, and forget them. */
void libro_store__changes_publish(libro_store__changes *c);
void libro_store__changes_free(libro_store__changes *c);

/** Called by status_each once per index whose status is not 0, with that status. */
typedef libro_code (*libro_store_status_fn)(void *ctx, uint32_t index, unsigned value,
                                            libro_error *err);

/* Every function takes the backend's handle `h` first. Codes: LIBRO_ERR_IO for the backend's
 * failures, LIBRO_ERR_BUSY (the write lock not had in time), LIBRO_ERR_NOMEM, and those named
 * below; PostgreSQL adds LIBRO_ERR_CONFLICT (a serialization failure or a deadlock: the whole
 * transaction must run again; a group is lost with it) and LIBRO_ERR_UNAVAILABLE (the
 * connection was lost: the next begin connects again). Outputs are
 * owned by the caller and released with the public _clear/_free of their type. */
/* Savepoints a group may hold open at once (a job, the write inside it, and room). */
#define LIBRO_STORE_MAX_DEPTH 8u

/* The key of one reminder (registry/src/reminders.c): `kind` a libro_reminder_kind,
 * `subject` a license number, mandate id or law id, `due` the date it is about, `threshold`
 * days before it or -1 for "the renewal window opens". */
typedef struct libro_store_reminder_key {
    int kind;
    const char *subject;
    int64_t due;
    int threshold;
} libro_store_reminder_key;

/* What reminder_claim found (store ops). */
typedef enum libro_store_claim {
    LIBRO_STORE_CLAIMED = 1,
    LIBRO_STORE_CLAIM_TAKEN_OVER = 2,
    LIBRO_STORE_CLAIM_SENT = 3,
    LIBRO_STORE_CLAIM_HELD = 4,
} libro_store_claim;

typedef struct libro_store_ops {
    void (*close)(void *h);
    /* A write transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE),
     * so that a read-check-write sequence cannot be interleaved with another writer's. The
     * status changes of a transaction are held until its commit, which hands them to the
     * status observer once COMMIT succeeded; rollback drops them. */
    libro_code (*begin)(void *h, libro_error *err);
    /* A read transaction: one consistent snapshot for several reads. */
    libro_code (*begin_read)(void *h, libro_error *err);
    libro_code (*commit)(void *h, libro_error *err);
    void (*rollback)(void *h); /* no-op outside a transaction */
    /* A group: one write transaction (BEGIN IMMEDIATE) that several writes share, for the
     * write queue (writer.h) and the issuing of a license with a local database. Until
     * group_end, begin and begin_read open a savepoint, commit releases it and rollback
     * rolls back to it (at most LIBRO_STORE_MAX_DEPTH deep), so that each write stands or
     * falls alone; group_end commits (`commit`) or rolls back what the released savepoints
     * hold, with one commit (one fsync). LIBRO_ERR_INVALID_ARG when a transaction is open
     * already (group_begin) or a savepoint is still open (group_end, which rolls back). */
    libro_code (*group_begin)(void *h, libro_error *err);
    libro_code (*group_end)(void *h, bool commit, libro_error *err);
    int (*schema_version)(void *h);
    /* Whether a write or fsync failed with an I/O error on this handle: then begin refuses
     * (LIBRO_ERR_IO) until the store is opened anew. */
    bool (*poisoned)(void *h);
    libro_code (*integrity_check)(void *h, libro_error *err);

    /* NOT_FOUND when `key` is absent. */
    libro_code (*meta_get)(void *h, char **out, const char *key, libro_error *err);
    libro_code (*meta_put)(void *h, const char *key, const char *value, libro_error *err);

    /* The type without its requirements, and the requirements as stored text. NOT_FOUND. */
    libro_code (*type_get)(void *h, libro_license_type *out, char **requirements, const char *id,
                           libro_error *err);
    /* Insert or replace. */
    libro_code (*type_put)(void *h, const libro_license_type *t, const char *requirements,
                           const char *actor, libro_error *err);

    /* NOT_FOUND. */
    libro_code (*license_get)(void *h, libro_license_record *out, const char *number,
                              libro_error *err);
    /* `insert`: a new row (EXISTS when the number or the status index is taken); else update
     * the row of r->number (NOT_FOUND). */
    libro_code (*license_put)(void *h, const libro_license_record *r, bool insert,
                              libro_error *err);
    /* Licenses in `state` with valid_until <= `until`, by valid_until then number. */
    libro_code (*license_due)(void *h, libro_license_record **out, size_t *n,
                              libro_license_state state, int64_t until, libro_error *err);
    /* Active licenses with valid_until in [now, until], and expired ones whose type's grace
     * period has not ended at `now`; by valid_until then number, each handed to `fn` as it is
     * read (borrowed for the call; a code other than LIBRO_OK stops the walk and is
     * returned). Without `with_credential` the records' credential is NULL. Only those
     * after (after_until, after_number) in that order: a page that follows the one that ended
     * there (INT64_MIN and "" for the first). */
    libro_code (*license_expiring_each)(void *h, int64_t now, int64_t until, int64_t after_until,
                                        const char *after_number, bool with_credential,
                                        libro_license_record_fn fn, void *ctx, libro_error *err);
    libro_code (*license_counts)(void *h, size_t counts[7], libro_error *err);
    /* Licenses whose holder name has a search key (libro_store__holder_keys) in
     * [`from`, `to`) byte by byte, by key then number, at most `limit` rows, without their
     * credential (NULL). A license appears once per key in the range: the caller keeps the
     * first. license_put stores the keys of a new license's holder (a holder's name never
     * changes: an update stores none). */
    libro_code (*license_search_holder)(void *h, libro_license_record **out, size_t *n,
                                        const char *from, const char *to, size_t limit,
                                        libro_error *err);

    /* Append to the history of license `number`. */
    libro_code (*event_append)(void *h, const char *number, const libro_store_event *e,
                               libro_error *err);
    /* Oldest first; an issue or renew event with the credential of its version. */
    libro_code (*event_list)(void *h, libro_license_event **out, size_t *n, const char *number,
                             libro_error *err);

    /* Status lists, in `space` (each space numbers its lists from 0). */
    /* The highest list pair with a reserved index and how many it has (0, 0 when none). */
    libro_code (*slot_current)(void *h, libro_store_space space, uint32_t *list, uint64_t *used,
                               libro_error *err);
    /* EXISTS when (list, index) is already reserved. */
    libro_code (*slot_reserve)(void *h, libro_store_space space, uint32_t list, uint32_t index,
                               libro_error *err);
    /* Whether (list, index) is reserved, and whether a license (a mandate) uses it. */
    libro_code (*slot_state)(void *h, libro_store_space space, uint32_t list, uint32_t index,
                             bool *reserved, bool *in_use, libro_error *err);
    /* Set the status of (list, index) for `purpose` (libro_status_purpose): 0 or 1 for
     * revocation and suspension, a libro_status_word (libro_mandate_word) for message; 0
     * clears it. A real change bumps the list's version (status_versions) in the same
     * transaction; writing the value already there changes nothing. */
    libro_code (*status_set)(void *h, libro_store_space space, uint32_t list, uint32_t index,
                             int purpose, unsigned value, libro_error *err);
    /* Every list's version (only lists changed at least once; caller frees *out with
     * libro_free). */
    libro_code (*status_versions)(void *h, libro_store_status_version **out, size_t *n,
                                  libro_error *err);
    /* A number that changes when another handle (of this process or another) committed a
     * change to the database since this handle last asked (SQLite: PRAGMA data_version, which
     * reads no page when nothing was committed). Only comparable with this handle's own. */
    libro_code (*data_version)(void *h, uint64_t *out, libro_error *err);
    /* Who is told of this handle's committed status changes (fn NULL: nobody). */
    void (*set_status_observer)(void *h, libro_store_status_observer fn, void *ctx);
    /* The statuses of `list` for `purpose` that are not 0, by index. */
    libro_code (*status_each)(void *h, libro_store_space space, uint32_t list, int purpose,
                              libro_store_status_fn fn, void *ctx, libro_error *err);

    /* Seats: insert, or replace the row of the same community. */
    libro_code (*seat_put)(void *h, const char *community, const char *name, int level,
                           const char *charter, int64_t added_at, const char *actor,
                           libro_error *err);
    /* Every seat, by community. */
    libro_code (*seat_list)(void *h, libro_seat **out, size_t *n, libro_error *err);
    /* Mandates. NOT_FOUND. */
    libro_code (*mandate_get)(void *h, libro_mandate_record *out, const char *id, libro_error *err);
    /* `insert`: a new row (EXISTS when the id or the status index is taken); else update the
     * row of m->id (its state, end and status_set; NOT_FOUND). */
    libro_code (*mandate_put)(void *h, const libro_mandate_record *m, bool insert,
                              libro_error *err);
    libro_code (*mandate_list)(void *h, libro_mandate_record **out, size_t *n,
                               libro_store_mandate_query q, int office, const char *seat, int64_t a,
                               int64_t b, libro_error *err);

    /* Agreements. NOT_FOUND. The parties come with the row. */
    libro_code (*agreement_get)(void *h, libro_agreement_record *out, const char *hash,
                                libro_error *err);
    /* `insert`: a new row and its parties (EXISTS when the hash is taken, or when another
     * version already supersedes the same one); else update the row of a->hash (its state,
     * supersession and end; NOT_FOUND). */
    libro_code (*agreement_put)(void *h, const libro_agreement_record *a, bool insert,
                                libro_error *err);
    /* Every agreement, by registration. */
    libro_code (*agreement_list)(void *h, libro_agreement_record **out, size_t *n,
                                 libro_error *err);
    /* The consent process `run` of `law_id` (0: the highest run): its run, whether it is open
     * and the law it adopted (NULL while none). NOT_FOUND. */
    libro_code (*process_get)(void *h, const char *law_id, uint32_t run, uint32_t *run_out,
                              bool *open, char **law, libro_error *err);
    /* `insert`: a new process (EXISTS); else set `open` and `law` of the row (NOT_FOUND). */
    libro_code (*process_put)(void *h, const char *law_id, uint32_t run, bool open,
                              int64_t opened_at, const char *law, bool insert, libro_error *err);
    /* A new step (EXISTS when its hash or its (law, run, seq) is taken). */
    libro_code (*step_put)(void *h, const libro_consent_step_record *s, libro_error *err);
    /* The steps of process `run` of `law_id`, by seq (none: *n is 0). */
    libro_code (*step_list)(void *h, libro_consent_step_record **out, size_t *n, const char *law_id,
                            uint32_t run, libro_error *err);
    /* Laws. NOT_FOUND. */
    libro_code (*law_get)(void *h, libro_law_record *out, const char *hash, libro_error *err);
    /* `insert`: a new row (EXISTS when the hash or the (law id, version) is taken); else
     * update the row of l->hash (its state and supersession; NOT_FOUND). */
    libro_code (*law_put)(void *h, const libro_law_record *l, bool insert, libro_error *err);
    libro_code (*law_list)(void *h, libro_law_record **out, size_t *n, libro_store_law_query q,
                           const char *law_id, int64_t a, libro_error *err);

    /* IssuerAuthorization credentials by kid (insert or replace), for the signed write API. */
    libro_code (*issuer_put)(void *h, const char *kid, const char *issuer, const char *credential,
                             int64_t valid_from, int64_t valid_until, libro_error *err);
    /* NOT_FOUND. */
    libro_code (*issuer_get)(void *h, char **credential, const char *kid, libro_error *err);
    /* Every stored authorization, by kid (caller frees each string and the array). */
    libro_code (*issuer_list)(void *h, char ***credentials, size_t *n, libro_error *err);

    /* Record a signed request's id: EXISTS when `jti` was seen (a replay). Ids whose iat is
     * before `forget_before` are deleted first: their requests are refused as stale anyway. */
    libro_code (*request_record)(void *h, const char *jti, const char *kid, int64_t iat,
                                 int64_t forget_before, libro_error *err);
    /* Whether `jti` is recorded. */
    libro_code (*request_known)(void *h, const char *jti, bool *known, libro_error *err);

    /* The append-only log: leaves 0..size-1 and the hashes of its perfect subtrees (level,
     * index) as libro/merkle.h names them. Node reads of an absent node: NOT_FOUND. */
    libro_code (*log_size)(void *h, uint64_t *size, libro_error *err);
    libro_code (*log_leaf_put)(void *h, uint64_t index, const char *data, libro_error *err);
    libro_code (*log_leaf_get)(void *h, char **data, uint64_t index, libro_error *err);
    libro_code (*log_node_get)(void *h, unsigned level, uint64_t index, unsigned char out[32],
                               libro_error *err);
    libro_code (*log_node_put)(void *h, unsigned level, uint64_t index,
                               const unsigned char hash[32], libro_error *err);

    /* Reminders (registry/src/reminders.c). A contact is the e-mail address reminders about
     * (kind, subject) go to (kind a libro_reminder_kind; subject a license number, a mandate
     * id, or "" for the law reviews); it is private: never in a credential, a log leaf or an
     * answer. With `email` NULL, delete it (NOT_FOUND when there is none); else insert or
     * replace it, stamped `at`. */
    libro_code (*contact_put)(void *h, int kind, const char *subject, const char *email, int64_t at,
                              libro_error *err);
    /* NOT_FOUND. */
    libro_code (*contact_get)(void *h, char **email, int kind, const char *subject,
                              libro_error *err);
    /* A reminder is one row of `reminder_sent`, keyed by (kind, subject, due, threshold):
     * claimed (state 'sending', with the claimer's random token and the claim's time), then
     * sent (state 'sent', with the time). The claim is taken and released each in a short
     * write transaction of its own, and the message is sent between them with none open, so
     * the write lock is never held across a send (registry/src/reminders.c). */
    /* Whether the reminder is recorded as sent (a claim in state 'sending' is not). */
    libro_code (*reminder_sent)(void *h, const libro_store_reminder_key *k, bool *sent,
                                libro_error *err);
    /* In the caller's write transaction: claim the reminder for sending to `to` by `token`
     * at `at`. *found says what it found: no row (a row in state 'sending' is inserted:
     * CLAIMED); a row in state 'sending' whose claim was made before `stale_before` (a run
     * that died or hung: its lease has run out), taken over (the row gets `to`, `token` and
     * `at`: CLAIM_TAKEN_OVER); a row in state 'sent' (SENT) or one another claim made at or
     * after `stale_before` holds (CLAIM_HELD), left as they are. */
    libro_code (*reminder_claim)(void *h, libro_store_claim *found,
                                 const libro_store_reminder_key *k, const char *to,
                                 const char *token, int64_t at, int64_t stale_before,
                                 libro_error *err);
    /* In the caller's write transaction: end the claim `token` holds on the reminder, when
     * its row is still in state 'sending' with that token: `sent` marks it 'sent' at `at`,
     * else the row is deleted (a failed send: the next run claims it anew). NOT_FOUND when
     * the claim is not (any longer) that token's: another run took it over. */
    libro_code (*reminder_release)(void *h, const libro_store_reminder_key *k, const char *token,
                                   bool sent, int64_t at, libro_error *err);
    /* Webhook subscriptions (libro/webhook.h). `insert`: a new row (EXISTS when the id is
     * taken); else update the delivery state of the row of w->id (cursor, attempts, next_at,
     * failing_since, last_error, lease_owner, lease_until, expiry_checked_at; NOT_FOUND). */
    libro_code (*webhook_put)(void *h, const libro_webhook *w, bool insert, libro_error *err);
    /* Every subscription, by created_at then id (caller frees with libro_webhooks_free). */
    libro_code (*webhook_list)(void *h, libro_webhook **out, size_t *n, libro_error *err);
    /* With its webhook_expiry records. NOT_FOUND. */
    libro_code (*webhook_delete)(void *h, const char *id, libro_error *err);
    /* Whether license.expiring of (`id`, `license`, `valid_until`) was sent (*sent). */
    libro_code (*webhook_expiry_sent)(void *h, bool *sent, const char *id, const char *license,
                                      int64_t valid_until, libro_error *err);
    /* Record it sent at `now` (EXISTS when it was already), and forget those of `id` whose
     * valid_until is before `now`: the expiring walk never finds them again. */
    libro_code (*webhook_expiry_mark)(void *h, const char *id, const char *license,
                                      int64_t valid_until, int64_t now, libro_error *err);
} libro_store_ops;

typedef struct libro_store {
    const libro_store_ops *ops;
    void *h;
} libro_store;

/** How many migrations each store has: the schema version a new database reaches (SQLite's
 *  numbering, PostgreSQL's own), so that tests need not spell the number. */
extern const size_t libro_sq__migration_count;
extern const size_t libro_pg__migration_count;

/** Create a new SQLite database at `path` (O_EXCL, mode 0600: LIBRO_ERR_EXISTS when the file
 *  exists), migrate it to the current schema, write `meta` (key, value, key, value, ...,
 *  NULL), and return it open. On failure nothing is left at `path`. */
LIBRO_NODISCARD libro_code libro_store__sqlite_create(libro_store *out, const char *path,
                                                      const char *const *meta, libro_error *err);
/** Open an existing SQLite database, migrating it forward; LIBRO_ERR_UNSUPPORTED for a schema
 *  newer than this code, LIBRO_ERR_NOT_FOUND when `path` does not exist. `read_only`: every
 *  write fails with LIBRO_ERR_READONLY (PRAGMA query_only), and a database whose schema
 *  is older than this code's is refused (LIBRO_ERR_READONLY) rather than migrated. */
LIBRO_NODISCARD libro_code libro_store__sqlite_open(libro_store *out, const char *path,
                                                    bool read_only, libro_error *err);

/** Create a registry in the current schema (search_path) of the PostgreSQL database that the
 *  libpq connection URI `uri` names: the tables and the `meta` rows in one transaction
 *  (nothing is left on failure). LIBRO_ERR_EXISTS when the schema holds a registry already;
 *  LIBRO_ERR_INVALID_ARG for a URI with a password; LIBRO_ERR_UNAVAILABLE when the server
 *  cannot be reached; LIBRO_ERR_MISSING_LIBRARY without libpq. */
LIBRO_NODISCARD libro_code libro_store__pg_create(libro_store *out, const char *uri,
                                                  const char *const *meta, libro_error *err);
/** Open the registry of `uri`, migrating it forward under an advisory lock (many processes
 *  starting at once migrate once). LIBRO_ERR_NOT_FOUND when the schema holds no registry,
 *  LIBRO_ERR_UNSUPPORTED for a newer schema; `read_only` as libro_store__sqlite_open (the
 *  session's default_transaction_read_only). */
LIBRO_NODISCARD libro_code libro_store__pg_open(libro_store *out, const char *uri, bool read_only,
                                                libro_error *err);

/** Whether `location` names a PostgreSQL database (a postgresql:// or postgres:// URI) rather
 *  than a SQLite file. */
bool libro_store__is_pg(const char *location);
/** Create a registry database at `location`: libro_store__pg_create for a PostgreSQL URI,
 *  else libro_store__sqlite_create. */
LIBRO_NODISCARD libro_code libro_store__create(libro_store *out, const char *location,
                                               const char *const *meta, libro_error *err);
/** Open the registry database at `location`, PostgreSQL or SQLite as libro_store__create. */
LIBRO_NODISCARD libro_code libro_store__open(libro_store *out, const char *location, bool read_only,
                                             libro_error *err);

/* At most this many search keys per holder name (registry/src/search.c). */
#define LIBRO_STORE_HOLDER_MAX_KEYS 16u

/** The search keys of a holder's name (docs/operations.md, "Public pages"): *lower receives
 *  `name` with its ASCII letters lowercased (caller frees with libro_free), starts[0..*n) the
 *  byte offsets in it where a key begins: 0 and after each space or hyphen, at most
 *  LIBRO_STORE_HOLDER_MAX_KEYS, none at the end. Key i is the rest of *lower from starts[i].
 *  The same rule as the migrations that index older databases. */
LIBRO_NODISCARD libro_code libro_store__holder_keys(char **lower, size_t starts[], size_t *n,
                                                    const char *name, libro_error *err);

#endif
