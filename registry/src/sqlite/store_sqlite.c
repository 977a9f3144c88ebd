/* libro_registry: the SQLite store, the only file that includes sqlite3.h. WAL with
 * synchronous=FULL (a committed change survives power loss), foreign keys on, a busy timeout
 * so that concurrent writers queue instead of failing, BEGIN IMMEDIATE for every write
 * transaction, and statements prepared with bound parameters only: no SQL is built from text. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libro/buf.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "sqlite_int.h"

#define BUSY_TIMEOUT_MS 5000
/* SQLite's default automatic checkpoint size, in WAL frames (pages). */
#define WAL_CHECKPOINT_FRAMES 1000

/* ---- migrations ----------------------------------------------------------------------------
 * migrations[i] brings the schema from version i to i + 1, in one transaction with the row
 * that records it. Append; never edit a migration that has shipped. */

static const char migration_1[] =
    "CREATE TABLE meta ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "CREATE TABLE license_type ("
    " id TEXT PRIMARY KEY,"
    " validity_days INTEGER NOT NULL CHECK (validity_days >= 1),"
    " renewal_window_days INTEGER NOT NULL CHECK (renewal_window_days >= 0),"
    " grace_days INTEGER NOT NULL CHECK (grace_days >= 0),"
    " requirements TEXT NOT NULL,"
    " defined_by TEXT NOT NULL);"
    "CREATE TABLE status_slot ("
    " list INTEGER NOT NULL CHECK (list >= 0),"
    " idx INTEGER NOT NULL CHECK (idx >= 0),"
    " PRIMARY KEY (list, idx)) WITHOUT ROWID;"
    "CREATE TABLE status_bit ("
    " list INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " purpose INTEGER NOT NULL CHECK (purpose IN (1, 2)),"
    " PRIMARY KEY (list, purpose, idx),"
    " FOREIGN KEY (list, idx) REFERENCES status_slot (list, idx)) WITHOUT ROWID;"
    "CREATE TABLE license ("
    " number TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL CHECK (version >= 1),"
    " state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 6),"
    " license_type TEXT NOT NULL REFERENCES license_type (id),"
    " holder_name TEXT NOT NULL,"
    " issuer TEXT NOT NULL,"
    " valid_from INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL,"
    " status_list INTEGER NOT NULL,"
    " status_index INTEGER NOT NULL,"
    " credential TEXT NOT NULL,"
    " UNIQUE (status_list, status_index),"
    " FOREIGN KEY (status_list, status_index) REFERENCES status_slot (list, idx));"
    "CREATE INDEX license_due ON license (state, valid_until);"
    "CREATE TABLE license_event ("
    " id INTEGER PRIMARY KEY,"
    " number TEXT NOT NULL REFERENCES license (number),"
    " at INTEGER NOT NULL,"
    " action INTEGER NOT NULL CHECK (action BETWEEN 1 AND 8),"
    " actor TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " from_state INTEGER NOT NULL CHECK (from_state BETWEEN 0 AND 6),"
    " to_state INTEGER NOT NULL CHECK (to_state BETWEEN 1 AND 6),"
    " version INTEGER NOT NULL,"
    " evidence TEXT,"
    " credential TEXT);"
    "CREATE INDEX license_event_number ON license_event (number, id);";

/* 2: the issuers allowed to write over the API, the request ids seen (replays), and the
 * append-only log: its leaves and the hashes of its perfect subtrees (libro/merkle.h). */
static const char migration_2[] = "CREATE TABLE issuer_authorization ("
                                  " kid TEXT PRIMARY KEY,"
                                  " issuer TEXT NOT NULL,"
                                  " credential TEXT NOT NULL,"
                                  " valid_from INTEGER NOT NULL,"
                                  " valid_until INTEGER NOT NULL);"
                                  "CREATE TABLE request_id ("
                                  " jti TEXT PRIMARY KEY,"
                                  " kid TEXT NOT NULL,"
                                  " iat INTEGER NOT NULL) WITHOUT ROWID;"
                                  "CREATE INDEX request_id_iat ON request_id (iat);"
                                  "CREATE TABLE log_leaf ("
                                  " idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
                                  " data TEXT NOT NULL);"
                                  "CREATE TABLE log_node ("
                                  " level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),"
                                  " idx INTEGER NOT NULL CHECK (idx >= 0),"
                                  " hash BLOB NOT NULL CHECK (length(hash) = 32),"
                                  " PRIMARY KEY (level, idx)) WITHOUT ROWID;";

/* 3: how many indexes each list pair has reserved, kept by a trigger, so that a reservation
 * (and every read that asks which lists exist) costs an index lookup instead of a count over
 * the current list's 100,000-odd slots. */
static const char migration_3[] =
    "CREATE TABLE status_list_usage ("
    " list INTEGER PRIMARY KEY CHECK (list >= 0),"
    " used INTEGER NOT NULL CHECK (used >= 0));"
    "INSERT INTO status_list_usage (list, used)"
    " SELECT list, COUNT(*) FROM status_slot GROUP BY list;"
    "CREATE TRIGGER status_slot_counted AFTER INSERT ON status_slot BEGIN"
    " INSERT INTO status_list_usage (list, used) VALUES (NEW.list, 1)"
    " ON CONFLICT (list) DO UPDATE SET used = used + 1;"
    " END;";

/* 4: the status words (docs/formats.md, "Status words"): the message list's value of each
 * index whose word is not "active" (0): 1 surrendered, 2 lapsed. Licenses already surrendered
 * or lapsed get their word, so an older database publishes the same lists as a new one. */
static const char migration_4[] =
    "CREATE TABLE status_message ("
    " list INTEGER NOT NULL,"
    " idx INTEGER NOT NULL,"
    " value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 3),"
    " PRIMARY KEY (list, idx),"
    " FOREIGN KEY (list, idx) REFERENCES status_slot (list, idx)) WITHOUT ROWID;"
    "INSERT INTO status_message (list, idx, value)"
    " SELECT status_list, status_index, CASE state WHEN 6 THEN 1 ELSE 2 END"
    " FROM license WHERE state IN (5, 6);";

/* 5: roundtables (issue 9, docs/operations.md "Roundtables and mandates"): the seats (member
 * communities' charters) and the mandates. Mandate status lists share the slot and status
 * tables with license lists, numbered from 2^32 there (LIBRO_SQ_MANDATE_LISTS) so that each
 * kind keeps its own numbering from 0 and its message lists their own words. seat_key is the
 * seat, or '' for the chair, so that one index serves the per-seat questions. */
static const char migration_5[] =
    "CREATE TABLE seat ("
    " community TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 7),"
    " charter TEXT NOT NULL,"
    " added_at INTEGER NOT NULL,"
    " actor TEXT NOT NULL);"
    "CREATE TABLE mandate ("
    " id TEXT PRIMARY KEY,"
    " office INTEGER NOT NULL CHECK (office BETWEEN 1 AND 3),"
    " roundtable TEXT NOT NULL,"
    " roundtable_level INTEGER NOT NULL,"
    " seat TEXT,"
    " seat_key TEXT NOT NULL,"
    " holder TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " voting INTEGER NOT NULL CHECK (voting IN (0, 1)),"
    " issuer TEXT NOT NULL,"
    " valid_from INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL,"
    " state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),"
    " ended_at INTEGER NOT NULL,"
    " end_reason TEXT,"
    " ended_by TEXT,"
    " status_set INTEGER NOT NULL CHECK (status_set IN (0, 1)),"
    " status_list INTEGER NOT NULL CHECK (status_list >= 0),"
    " status_index INTEGER NOT NULL CHECK (status_index >= 0),"
    " credential TEXT NOT NULL,"
    " registered_at INTEGER NOT NULL,"
    " UNIQUE (status_list, status_index));"
    "CREATE INDEX mandate_seat ON mandate (office, seat_key, valid_from);"
    "CREATE INDEX mandate_until ON mandate (valid_until);";

/* 6: agreements and laws by consent (issue 10, docs/operations.md "Agreements", "Laws by
 * consent"). An agreement row per version, its parties beside it; one amendment per version
 * (supersedes UNIQUE). A law id's consent processes are numbered runs, each open until a law
 * names its last step; steps are unique per (law, run, seq), and a law version per (law,
 * version). */
static const char migration_6[] =
    "CREATE TABLE agreement ("
    " hash TEXT PRIMARY KEY,"
    " title TEXT NOT NULL,"
    " community TEXT NOT NULL,"
    " valid_from INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL,"
    " notice_days INTEGER NOT NULL CHECK (notice_days >= 0),"
    " mutual_only INTEGER NOT NULL CHECK (mutual_only IN (0, 1)),"
    " supersedes TEXT UNIQUE,"
    " superseded_by TEXT,"
    " state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 3),"
    " registered_at INTEGER NOT NULL,"
    " superseded_at INTEGER NOT NULL,"
    " end_how INTEGER NOT NULL CHECK (end_how BETWEEN 0 AND 2),"
    " end_given_at INTEGER NOT NULL,"
    " ends_at INTEGER NOT NULL,"
    " end_by TEXT,"
    " end_reason TEXT,"
    " end_statement TEXT,"
    " document TEXT NOT NULL);"
    "CREATE TABLE agreement_party ("
    " agreement TEXT NOT NULL REFERENCES agreement (hash),"
    " position INTEGER NOT NULL CHECK (position >= 0),"
    " id TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " PRIMARY KEY (agreement, position));"
    "CREATE INDEX agreement_party_id ON agreement_party (id);"
    "CREATE TABLE consent_process ("
    " law_id TEXT NOT NULL,"
    " run INTEGER NOT NULL CHECK (run >= 1),"
    " open INTEGER NOT NULL CHECK (open IN (0, 1)),"
    " opened_at INTEGER NOT NULL,"
    " law TEXT,"
    " PRIMARY KEY (law_id, run));"
    "CREATE TABLE consent_step ("
    " hash TEXT PRIMARY KEY,"
    " law_id TEXT NOT NULL,"
    " run INTEGER NOT NULL,"
    " seq INTEGER NOT NULL CHECK (seq >= 0),"
    " kind TEXT NOT NULL,"
    " by_id TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " step TEXT NOT NULL,"
    " registered_at INTEGER NOT NULL,"
    " UNIQUE (law_id, run, seq),"
    " FOREIGN KEY (law_id, run) REFERENCES consent_process (law_id, run));"
    "CREATE TABLE law ("
    " hash TEXT PRIMARY KEY,"
    " law_id TEXT NOT NULL,"
    " version INTEGER NOT NULL CHECK (version >= 1),"
    " title TEXT NOT NULL,"
    " aim TEXT NOT NULL,"
    " community TEXT NOT NULL,"
    " adopted_at INTEGER NOT NULL,"
    " review_at INTEGER NOT NULL,"
    " consent_record TEXT NOT NULL,"
    " supersedes TEXT,"
    " superseded_by TEXT,"
    " state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 2),"
    " repealed_at INTEGER NOT NULL,"
    " registered_at INTEGER NOT NULL,"
    " credential TEXT NOT NULL,"
    " UNIQUE (law_id, version));"
    "CREATE INDEX law_review ON law (state, review_at);";

/* 7: a version per status list (space 0 licenses, 1 mandates; list as numbered in its space;
 * purpose), bumped by each change of one of its statuses in the same transaction, so that a
 * server holding the lists in memory notices writes by other processes with one small read.
 * A list never changed has no row: version 0. */
static const char migration_7[] = "CREATE TABLE status_version ("
                                  " space INTEGER NOT NULL CHECK (space IN (0, 1)),"
                                  " list INTEGER NOT NULL CHECK (list >= 0),"
                                  " purpose INTEGER NOT NULL CHECK (purpose BETWEEN 1 AND 3),"
                                  " version INTEGER NOT NULL CHECK (version >= 1),"
                                  " PRIMARY KEY (space, list, purpose)) WITHOUT ROWID;";

/* 8 (issue 13): each version's credential is stored once, in license_credential, which the
 * license row (its current version) and the issue and renew events (theirs) both name by
 * (number, version), instead of a copy in the license row and another in the event: half the
 * bytes per license. The license row's copy is taken first (it is the current version), then
 * the events' copies of earlier versions. One index serves `expiring` and the clock's due
 * licenses: by state, then valid_until, then number, the order both answer in, so that either
 * reads one range of it in order and sorts nothing (it replaces license_due, its prefix). */
static const char migration_8[] =
    "CREATE TABLE license_credential ("
    " number TEXT NOT NULL REFERENCES license (number),"
    " version INTEGER NOT NULL CHECK (version >= 1),"
    " jws TEXT NOT NULL,"
    " PRIMARY KEY (number, version));"
    "INSERT INTO license_credential (number, version, jws)"
    " SELECT number, version, credential FROM license;"
    "INSERT OR IGNORE INTO license_credential (number, version, jws)"
    " SELECT number, version, credential FROM license_event"
    " WHERE action IN (1, 2) AND credential IS NOT NULL ORDER BY id;"
    "ALTER TABLE license DROP COLUMN credential;"
    "ALTER TABLE license_event DROP COLUMN credential;"
    "DROP INDEX license_due;"
    "CREATE INDEX license_expiring ON license (state, valid_until, number);";

/* 9 (issue 12, rules): each event's reason category (libro_reason_category; 0 none, as
 * every earlier event reads), and whether a license type's renewals run from the old
 * validUntil (0, keeping the days left) or from the time of renewal (1). */
static const char migration_9[] =
    "ALTER TABLE license_event ADD COLUMN category INTEGER NOT NULL DEFAULT 0"
    " CHECK (category BETWEEN 0 AND 7);"
    "ALTER TABLE license_type ADD COLUMN renewal_from INTEGER NOT NULL DEFAULT 0"
    " CHECK (renewal_from IN (0, 1));";

/* 10 (issue 12): the public search by holder name (registry/src/search.c): each license under
 * the keys of its holder's name, every word start to the end with ASCII letters lowercased
 * (SQLite's lower() touches only those), at most 16, so that a search is one range of the
 * primary key. Older licenses get theirs here, by the rule libro_store__holder_keys applies to
 * new ones: a key begins the name and follows each space or hyphen, none is empty. */
static const char migration_10[] =
    "CREATE TABLE license_holder_key ("
    " key TEXT NOT NULL,"
    " number TEXT NOT NULL REFERENCES license (number),"
    " PRIMARY KEY (key, number)) WITHOUT ROWID;"
    "WITH RECURSIVE k (number, rest, n) AS ("
    " SELECT number, lower(holder_name), 1 FROM license"
    " UNION ALL SELECT number, substr(rest, CASE WHEN instr(rest, ' ') = 0 THEN instr(rest, '-')"
    " WHEN instr(rest, '-') = 0 THEN instr(rest, ' ')"
    " ELSE min(instr(rest, ' '), instr(rest, '-')) END + 1), n + 1"
    " FROM k WHERE n < 16 AND (instr(rest, ' ') > 0 OR instr(rest, '-') > 0))"
    " INSERT INTO license_holder_key (key, number) SELECT rest, number FROM k WHERE rest <> '';";

/* 11 (issue 12, reminders): the e-mail contacts reminders go to, private to the registry (no
 * log leaf names them), and the reminders claimed and sent, one row each, so that each is
 * sent once: a run claims a reminder (state 'sending', its random claim_token, claimed_at),
 * commits, sends with no transaction open, then marks it 'sent' (sent_at) if the claim is
 * still its own. A renewal (a new valid_until, `due`) makes the next cycle's reminders new
 * rows. `threshold` is days before `due`, or -1 for "the renewal window opens". */
static const char migration_11[] = "CREATE TABLE contact ("
                                   " kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
                                   " subject TEXT NOT NULL,"
                                   " email TEXT NOT NULL,"
                                   " updated_at INTEGER NOT NULL,"
                                   " PRIMARY KEY (kind, subject)) WITHOUT ROWID;"
                                   "CREATE TABLE reminder_sent ("
                                   " kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
                                   " subject TEXT NOT NULL,"
                                   " due INTEGER NOT NULL,"
                                   " threshold INTEGER NOT NULL CHECK (threshold >= -1),"
                                   " recipient TEXT NOT NULL,"
                                   " state TEXT NOT NULL CHECK (state IN ('sending', 'sent')),"
                                   " claim_token TEXT NOT NULL,"
                                   " claimed_at INTEGER NOT NULL,"
                                   " sent_at INTEGER,"
                                   " CHECK ((state = 'sent') = (sent_at IS NOT NULL)),"
                                   " PRIMARY KEY (kind, subject, due, threshold)) WITHOUT ROWID;";

/* 12 (issue 12): webhook subscriptions and their delivery state (libro/webhook.h): the log is
 * the outbox, so a row holds where its delivery stands in the log (cursor), the failed
 * attempts at that event and when the next is due, and the lease of the process delivering
 * it, so that several servers on one database never deliver one subscription at once. The
 * upcoming expiries (license.expiring) are not in the log: a subscription's horizon in days
 * and when its last walk of the expiring licenses ended, and webhook_expiry holds each
 * (subscription, license, validUntil) sent, so that each is sent once. */
static const char migration_12[] =
    "CREATE TABLE webhook ("
    " id TEXT PRIMARY KEY,"
    " url TEXT NOT NULL,"
    " licenses TEXT,"
    " insecure_http INTEGER NOT NULL CHECK (insecure_http IN (0, 1)),"
    " created_at INTEGER NOT NULL,"
    " cursor INTEGER NOT NULL CHECK (cursor >= 0),"
    " attempts INTEGER NOT NULL CHECK (attempts >= 0),"
    " next_at INTEGER NOT NULL,"
    " failing_since INTEGER NOT NULL,"
    " last_error TEXT,"
    " lease_owner TEXT,"
    " lease_until INTEGER NOT NULL,"
    " expiring_within INTEGER NOT NULL"
    "  CHECK (expiring_within BETWEEN 0 AND 3660),"
    " expiry_checked_at INTEGER NOT NULL);"
    "CREATE TABLE webhook_expiry ("
    " webhook TEXT NOT NULL,"
    " license TEXT NOT NULL,"
    " valid_until INTEGER NOT NULL,"
    " sent_at INTEGER NOT NULL,"
    " PRIMARY KEY (webhook, license, valid_until));";

static const char *const migrations[] = {migration_1, migration_2,  migration_3,  migration_4,
                                         migration_5, migration_6,  migration_7,  migration_8,
                                         migration_9, migration_10, migration_11, migration_12};
/* How many there are: the schema version of a new database (tests read it). */
const size_t libro_sq__migration_count = LIBRO_NELEM(migrations);

/* ---- helpers ------------------------------------------------------------------------------ */

libro_code
libro_sq__nomem(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
}

/* Which system call SQLite saw fail, for the operator's log line. */
static const char *
ioerr_name(int rc)
{
    switch (rc) {
    case SQLITE_IOERR_FSYNC:
    case SQLITE_IOERR_DIR_FSYNC:
        return "fsync failed";
    case SQLITE_IOERR_WRITE:
        return "write failed";
    case SQLITE_IOERR_READ:
    case SQLITE_IOERR_SHORT_READ:
        return "read failed";
    case SQLITE_IOERR_TRUNCATE:
        return "truncate failed";
    default:
        return "other";
    }
}

static libro_code db_fail(sq *s, int rc, const char *what, libro_error *err);

libro_code
libro_sq__db_fail(sq *s, int rc, const char *what, libro_error *err)
{
    libro_error e = LIBRO_ERROR_INIT;
    libro_code code = db_fail(s, rc, what, &e);

    /* The first error after which SQLite ended a group's transaction is the group's. */
    if (s != NULL && s->db != NULL && s->group && s->group_lost.code == LIBRO_OK &&
        sqlite3_get_autocommit(s->db) != 0) {
        s->group_lost = e;
    }
    if (err != NULL) {
        *err = e;
    }
    return code;
}

static libro_code
db_fail(sq *s, int rc, const char *what, libro_error *err)
{
    int primary = rc & 0xff;
    const char *msg = s != NULL && s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

    switch (primary) {
    case SQLITE_NOMEM:
        return libro_sq__nomem(err);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return libro_error_set(err, LIBRO_ERR_BUSY, "%s: database is busy", what);
    case SQLITE_FULL:
        return libro_error_set(err, LIBRO_ERR_FULL, "%s: database or disk is full", what);
    case SQLITE_READONLY:
        return libro_error_set(err, LIBRO_ERR_READONLY, "%s: database is read-only", what);
    case SQLITE_NOTADB:
        return libro_error_set(err, LIBRO_ERR_IO, "%s: not a registry database", what);
    case SQLITE_IOERR:
        if (s != NULL) {
            s->poisoned = true;
        }
        return libro_error_set(err, LIBRO_ERR_IO, "%s: disk I/O error (%s)", what, ioerr_name(rc));
    default:
        return libro_error_set(err, LIBRO_ERR_IO, "%s: %.120s", what, msg);
    }
}

libro_code
libro_sq__prepare(sq *s, sqlite3_stmt **st, const char *sql, const char *what, libro_error *err)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return libro_sq__db_fail(s, rc, what, err);
    }
    return LIBRO_OK;
}

libro_code
libro_sq__bind_fail(sq *s, int rc, const char *what, libro_error *err)
{
    return libro_sq__db_fail(s, rc, what, err);
}

/* Run a statement that returns no rows to its end. */
libro_code
libro_sq__step_done(sq *s, sqlite3_stmt *st, const char *what, libro_error *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        while (rc == SQLITE_ROW) {
            rc = sqlite3_step(st);
        }
    }
    if (rc != SQLITE_DONE) {
        return libro_sq__db_fail(s, rc, what, err);
    }
    return LIBRO_OK;
}

static libro_code
exec1(sq *s, const char *sql, const char *what, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc = libro_sq__prepare(s, &st, sql, what, err);

    if (rc == LIBRO_OK) {
        rc = libro_sq__step_done(s, st, what, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Run every statement of a constant script (a migration). */
static libro_code
exec_script(sq *s, const char *sql, const char *what, libro_error *err)
{
    const char *p = sql;
    libro_code rc = LIBRO_OK;

    while (rc == LIBRO_OK && *p != '\0') {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int src = sqlite3_prepare_v2(s->db, p, -1, &st, &tail);

        if (src != SQLITE_OK) {
            rc = libro_sq__db_fail(s, src, what, err);
        } else if (st != NULL) {
            rc = libro_sq__step_done(s, st, what, err);
        }
        sqlite3_finalize(st);
        if (tail == NULL || tail == p) {
            break;
        }
        p = tail;
    }
    return rc;
}

libro_code
libro_sq__col_text(char **out, sqlite3_stmt *st, int col, libro_error *err)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);

    *out = NULL;
    if (t == NULL) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? LIBRO_OK : libro_sq__nomem(err);
    }
    *out = libro_strndup((const char *) t, (size_t) n);
    return *out == NULL ? libro_sq__nomem(err) : LIBRO_OK;
}

/* A stored integer that must fit in uint32 (versions, list and index numbers, days). */
libro_code
libro_sq__col_u32(uint32_t *out, sqlite3_stmt *st, int col, libro_error *err)
{
    sqlite3_int64 v = sqlite3_column_int64(st, col);

    if (v < 0 || v > (sqlite3_int64) UINT32_MAX) {
        *out = 0;
        return libro_error_set(err, LIBRO_ERR_IO, "database: value out of range in column %d", col);
    }
    *out = (uint32_t) v;
    return LIBRO_OK;
}

/* ---- transactions ------------------------------------------------------------------------- */

/* Inside a group, whether SQLite ended the outer transaction (a failed statement may: a full
 * disk, an I/O error); the savepoints went with it, and the group can commit nothing. */
static bool
group_gone(const sq *s)
{
    return s->group && sqlite3_get_autocommit(s->db) != 0;
}

/* The error of a group whose transaction SQLite ended early: the one that ended it. */
static libro_code
group_lost(const sq *s, libro_error *err)
{
    if (s->group_lost.code != LIBRO_OK) {
        return libro_error_set(err, s->group_lost.code, "%s", s->group_lost.msg);
    }
    return libro_error_set(err, LIBRO_ERR_IO, "database: the write group ended early");
}

static libro_code
refuse_poisoned(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_IO,
                           "database: writes stopped after an I/O error; restart to re-check");
}

/* One savepoint name for every depth: RELEASE and ROLLBACK TO act on the innermost one of
 * that name, and savepoints here are strictly nested. */
static libro_code
savepoint_begin(sq *s, libro_error *err)
{
    libro_code rc;

    if (s->poisoned) {
        return refuse_poisoned(err);
    }
    if (group_gone(s)) {
        return group_lost(s, err);
    }
    if (s->depth >= LIBRO_STORE_MAX_DEPTH) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "begin: savepoints nested too deep");
    }
    rc = exec1(s, "SAVEPOINT libro", "begin", err);
    if (rc == LIBRO_OK) {
        s->pending_at[s->depth++] = s->changes.n;
    }
    return rc;
}

static libro_code
sq_begin(void *h, libro_error *err)
{
    sq *s = h;
    libro_code rc;

    if (s->group) {
        return savepoint_begin(s, err);
    }
    if (s->poisoned) {
        return refuse_poisoned(err);
    }
    rc = exec1(s, "BEGIN IMMEDIATE", "begin", err);

    s->in_tx = rc == LIBRO_OK;
    s->changes.n = 0;
    return rc;
}

static libro_code
sq_begin_read(void *h, libro_error *err)
{
    sq *s = h;
    libro_code rc;

    if (s->group) {
        return savepoint_begin(s, err);
    }
    rc = exec1(s, "BEGIN", "begin", err);
    s->in_tx = rc == LIBRO_OK;
    return rc;
}

static libro_code
sq_commit(void *h, libro_error *err)
{
    sq *s = h;
    libro_code rc;

    if (s->group) {
        if (s->depth == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: no savepoint is open");
        }
        /* A savepoint released after SQLite ended the group would start a new transaction
         * in autocommit: its changes would be committed alone, outside the group. */
        rc = group_gone(s) ? group_lost(s, err) : exec1(s, "RELEASE libro", "commit", err);
        if (rc == LIBRO_OK) {
            s->depth--;
        }
        return rc;
    }
    rc = exec1(s, "COMMIT", "commit", err);
    if (rc == LIBRO_OK) {
        s->in_tx = false;
        libro_store__changes_publish(&s->changes);
    }
    return rc;
}

static void
sq_rollback(void *h)
{
    sq *s = h;

    if (s->group) {
        if (s->depth == 0) {
            return;
        }
        if (!group_gone(s)) {
            (void) exec1(s, "ROLLBACK TO libro", "rollback", NULL);
            (void) exec1(s, "RELEASE libro", "rollback", NULL);
        }
        /* The savepoint's status changes are undone: the observer is never told of them. */
        s->changes.n = s->pending_at[--s->depth];
        return;
    }
    /* A failed COMMIT (busy) leaves the transaction open; a failed statement may already have
     * ended it (sqlite3_get_autocommit tells). */
    if (s->in_tx && sqlite3_get_autocommit(s->db) == 0) {
        (void) exec1(s, "ROLLBACK", "rollback", NULL);
    }
    s->in_tx = false;
    s->changes.n = 0;
}

static libro_code
sq_group_begin(void *h, libro_error *err)
{
    sq *s = h;
    libro_code rc;

    if (s->group || s->in_tx) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "begin: a transaction is open");
    }
    rc = sq_begin(s, err);
    if (rc == LIBRO_OK) {
        s->group = true;
        s->depth = 0;
        s->group_lost = (libro_error) LIBRO_ERROR_INIT;
    }
    return rc;
}

static libro_code
sq_group_end(void *h, bool commit, libro_error *err)
{
    sq *s = h;
    libro_code rc = LIBRO_OK;

    if (!s->group) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: no group is open");
    }
    if (s->depth != 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: a savepoint is still open");
        commit = false;
    }
    if (commit && group_gone(s)) {
        rc = group_lost(s, err);
        commit = false;
    }
    s->group = false;
    s->depth = 0;
    if (commit) {
        rc = sq_commit(s, err);
    }
    if (!commit || rc != LIBRO_OK) {
        sq_rollback(s);
    }
    return rc;
}

static int
sq_schema_version(void *h)
{
    return ((sq *) h)->version;
}

static bool
sq_poisoned(void *h)
{
    return ((sq *) h)->poisoned;
}

static void
sq_close(void *h)
{
    sq *s = h;

    if (s == NULL) {
        return;
    }
    s->group = false; /* an open group ends with its transaction, rolled back */
    sq_rollback(s);
    sqlite3_finalize(s->data_version);
    sqlite3_close(s->db); /* every other statement is finalized where it was prepared */
    libro_store__changes_free(&s->changes);
    libro_free(s);
}

static libro_code
sq_integrity_check(void *h, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, "PRAGMA integrity_check", "integrity check", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "integrity check", err);
        goto out;
    }
    if (sqlite3_column_text(st, 0) == NULL ||
        strcmp((const char *) sqlite3_column_text(st, 0), "ok") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "integrity check: %.120s",
                             (const char *) sqlite3_column_text(st, 0));
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = libro_sq__prepare(s, &st, "PRAGMA foreign_key_check", "foreign key check", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "foreign key check: table %.64s has a dangling row",
                             (const char *) sqlite3_column_text(st, 0));
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "foreign key check", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- meta --------------------------------------------------------------------------------- */

static libro_code
sq_meta_get(void *h, char **out, const char *key, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *out = NULL;
    rc = libro_sq__prepare(s, &st, "SELECT value FROM meta WHERE key = ?1", "meta", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "meta", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "database has no %s", key);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "meta", err);
        goto out;
    }
    rc = libro_sq__col_text(out, st, 0, err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_meta_put(void *h, const char *key, const char *value, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                           "meta", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "meta", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "meta", err);
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- license types ------------------------------------------------------------------------ */

static libro_code
sq_type_get(void *h, libro_license_type *out, char **requirements, const char *id, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    uint32_t from = 0;
    libro_code rc;
    int src;

    memset(out, 0, sizeof *out);
    *requirements = NULL;
    rc =
        libro_sq__prepare(s, &st,
                          "SELECT id, validity_days, renewal_window_days, grace_days, requirements,"
                          " renewal_from FROM license_type WHERE id = ?1",
                          "license type", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "license type", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "license type %.64s is not defined", id);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "license type", err);
        goto out;
    }
    if ((rc = libro_sq__col_text(&out->id, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&out->validity_days, st, 1, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&out->renewal_window_days, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&out->grace_days, st, 3, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(requirements, st, 4, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&from, st, 5, err)) != LIBRO_OK) {
        goto out;
    }
    out->renewal_from = (libro_renewal_from) from;
out:
    if (rc != LIBRO_OK) {
        libro_license_type_clear(out);
        libro_free(*requirements);
        *requirements = NULL;
    }
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_type_put(void *h, const libro_license_type *t, const char *requirements, const char *actor,
            libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(
        s, &st,
        "INSERT OR REPLACE INTO license_type (id, validity_days, renewal_window_days,"
        " grace_days, requirements, defined_by, renewal_from)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        "license type", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, t->validity_days)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, t->renewal_window_days)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 4, t->grace_days)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 5, requirements, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 7, (sqlite3_int64) t->renewal_from)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "license type", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "license type", err);
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- licenses ----------------------------------------------------------------------------- */

#define LICENSE_COLUMNS                                                                            \
    "l.number, l.version, l.state, l.license_type, l.holder_name, l.issuer, l.valid_from,"         \
    " l.valid_until, l.status_list, l.status_index, c.jws"
/* A license row and its current version's credential. */
#define LICENSE_FROM                                                                               \
    " FROM license l JOIN license_credential c ON c.number = l.number AND c.version = l.version"
/* The same columns without the credential (NULL in its place), for answers that show none. */
#define LICENSE_COLUMNS_BARE                                                                       \
    "l.number, l.version, l.state, l.license_type, l.holder_name, l.issuer, l.valid_from,"         \
    " l.valid_until, l.status_list, l.status_index, NULL"

static libro_code
read_record(libro_license_record *r, sqlite3_stmt *st, libro_error *err)
{
    uint32_t state = 0;
    libro_code rc;

    memset(r, 0, sizeof *r);
    if ((rc = libro_sq__col_text(&r->number, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&r->version, st, 1, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&state, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&r->license_type, st, 3, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&r->holder_name, st, 4, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&r->issuer, st, 5, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&r->status_list, st, 8, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&r->status_index, st, 9, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&r->credential, st, 10, err)) != LIBRO_OK) {
        libro_license_record_clear(r);
        return rc;
    }
    r->state = (libro_license_state) state;
    r->valid_from = sqlite3_column_int64(st, 6);
    r->valid_until = sqlite3_column_int64(st, 7);
    return LIBRO_OK;
}

static libro_code
sq_license_get(void *h, libro_license_record *out, const char *number, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    memset(out, 0, sizeof *out);
    rc = libro_sq__prepare(s, &st, "SELECT " LICENSE_COLUMNS LICENSE_FROM " WHERE l.number = ?1",
                           "license", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "license", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no license %.64s", number);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "license", err);
        goto out;
    }
    rc = read_record(out, st, err);
out:
    sqlite3_finalize(st);
    return rc;
}

/* `sql` prepared with (number, version, jws) bound as ?1, ?2, ?3. */
static libro_code
credential_stmt(sq *s, sqlite3_stmt **st, const char *sql, const char *number, uint32_t version,
                const char *jws, libro_error *err)
{
    libro_code rc = libro_sq__prepare(s, st, sql, "credential", err);
    int src;

    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((src = sqlite3_bind_text(*st, 1, number, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(*st, 2, version)) != SQLITE_OK ||
        (src = sqlite3_bind_text(*st, 3, jws, -1, SQLITE_STATIC)) != SQLITE_OK) {
        return libro_sq__bind_fail(s, src, "credential", err);
    }
    return LIBRO_OK;
}

/* The credential of (number, version), stored once. A version's credential does not change:
 * a second write of the same text (a state change of the current version) leaves the row as
 * it is, and another text for a stored version is refused. */
static libro_code
credential_put(sq *s, const char *number, uint32_t version, const char *jws, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = credential_stmt(s, &st,
                         "INSERT INTO license_credential (number, version, jws)"
                         " VALUES (?1, ?2, ?3) ON CONFLICT (number, version) DO NOTHING",
                         number, version, jws, err);
    if (rc == LIBRO_OK) {
        rc = libro_sq__step_done(s, st, "credential", err);
    }
    if (rc != LIBRO_OK || sqlite3_changes(s->db) == 1) {
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = credential_stmt(s, &st,
                         "SELECT jws = ?3 FROM license_credential"
                         " WHERE number = ?1 AND version = ?2",
                         number, version, jws, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "credential", err);
        goto out;
    }
    if (sqlite3_column_int(st, 0) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "license %.64s version %u already has another credential", number,
                             (unsigned) version);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* The search keys of a new license's holder (libro_store__holder_keys). */
static libro_code
holder_keys_put(sq *s, const char *number, const char *name, libro_error *err)
{
    size_t starts[LIBRO_STORE_HOLDER_MAX_KEYS];
    size_t n = 0;
    char *lower = NULL;
    sqlite3_stmt *st = NULL;
    libro_code rc = libro_store__holder_keys(&lower, starts, &n, name, err);

    if (rc == LIBRO_OK) {
        rc = libro_sq__prepare(s, &st,
                               "INSERT INTO license_holder_key (key, number) VALUES (?1, ?2)",
                               "holder key", err);
    }
    for (size_t i = 0; i < n && rc == LIBRO_OK; i++) {
        int src;

        if ((src = sqlite3_reset(st)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 1, lower + starts[i], -1, SQLITE_STATIC)) != SQLITE_OK ||
            (src = sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC)) != SQLITE_OK) {
            rc = libro_sq__bind_fail(s, src, "holder key", err);
            break;
        }
        rc = libro_sq__step_done(s, st, "holder key", err);
    }
    sqlite3_finalize(st);
    libro_free(lower);
    return rc;
}

static libro_code
sq_license_put(void *h, const libro_license_record *r, bool insert, libro_error *err)
{
    static const char insert_sql[] =
        "INSERT INTO license (version, state, license_type, holder_name, issuer, valid_from,"
        " valid_until, status_list, status_index, number)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    static const char update_sql[] =
        "UPDATE license SET version = ?1, state = ?2, license_type = ?3, holder_name = ?4,"
        " issuer = ?5, valid_from = ?6, valid_until = ?7, status_list = ?8, status_index = ?9"
        " WHERE number = ?10";
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    if (r->credential == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "license %.64s: no credential",
                               r->number);
    }
    rc = libro_sq__prepare(s, &st, insert ? insert_sql : update_sql, "license", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, r->version)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, (sqlite3_int64) r->state)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 3, r->license_type, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 4, r->holder_name, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 5, r->issuer, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 6, r->valid_from)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 7, r->valid_until)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 8, r->status_list)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 9, r->status_index)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 10, r->number, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "license", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "license number or status index already registered");
        goto out;
    }
    if (src == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "license type undefined or status index not reserved");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "license", err);
        goto out;
    }
    if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no license %.64s", r->number);
        goto out;
    }
    rc = credential_put(s, r->number, r->version, r->credential, err);
    if (rc == LIBRO_OK && insert) {
        rc = holder_keys_put(s, r->number, r->holder_name, err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* Collect every row of `st` (bound, not yet stepped) as records. */
static libro_code
read_records(sq *s, sqlite3_stmt *st, libro_license_record **out, size_t *n, libro_error *err)
{
    libro_license_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc = LIBRO_OK;
    int src;

    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap == 0 ? 16 : cap * 2;
            libro_license_record *grown = libro_realloc(list, ncap * sizeof *list);

            if (grown == NULL) {
                rc = libro_sq__nomem(err);
                goto out;
            }
            list = grown;
            cap = ncap;
        }
        rc = read_record(&list[count], st, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        count++;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "licenses", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
out:
    libro_license_records_free(list, count);
    return rc;
}

static libro_code
sq_license_search_holder(void *h, libro_license_record **out, size_t *n, const char *from,
                         const char *to, size_t limit, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT " LICENSE_COLUMNS_BARE " FROM license_holder_key k"
                           " JOIN license l ON l.number = k.number WHERE k.key >= ?1"
                           " AND k.key < ?2 ORDER BY k.key, k.number LIMIT ?3",
                           "licenses", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, (sqlite3_int64) limit)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "licenses", err);
        goto out;
    }
    rc = read_records(s, st, out, n, err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_license_due(void *h, libro_license_record **out, size_t *n, libro_license_state state,
               int64_t until, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT " LICENSE_COLUMNS LICENSE_FROM " WHERE l.state = ?1"
                           " AND l.valid_until < ?2 ORDER BY l.valid_until, l.number",
                           "licenses", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, (sqlite3_int64) state)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, until)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "licenses", err);
        goto out;
    }
    rc = read_records(s, st, out, n, err);
out:
    sqlite3_finalize(st);
    return rc;
}

/* Active licenses with valid_until in [now, until], and expired ones whose type's grace
 * period has not ended at `now`, by valid_until then number: two ranges of license_expiring
 * (state 1 from now to until; state 4 from now minus the longest grace period on, then each
 * row against its own type's), each read in the index's order and merged by SQLite without a
 * sort, one row in memory at a time. One statement: one snapshot. */
static libro_code
sq_license_expiring_each(void *h, int64_t now, int64_t until, int64_t after_until,
                         const char *after_number, bool with_credential, libro_license_record_fn fn,
                         void *ctx, libro_error *err)
{
    static const char with_sql[] =
        "SELECT " LICENSE_COLUMNS LICENSE_FROM
        " WHERE l.state = 1 AND l.valid_until BETWEEN ?1 AND ?2"
        " AND (l.valid_until, l.number) > (?3, ?4)"
        " UNION ALL SELECT " LICENSE_COLUMNS LICENSE_FROM " JOIN license_type t"
        " ON t.id = l.license_type WHERE l.state = 4"
        " AND l.valid_until >= ?1 - (SELECT COALESCE(MAX(grace_days), 0) FROM license_type)"
        " * 86400 AND l.valid_until >= ?1 - t.grace_days * 86400"
        " AND (l.valid_until, l.number) > (?3, ?4) ORDER BY 8, 1";
    static const char bare_sql[] =
        "SELECT " LICENSE_COLUMNS_BARE " FROM license l"
        " WHERE l.state = 1 AND l.valid_until BETWEEN ?1 AND ?2"
        " AND (l.valid_until, l.number) > (?3, ?4)"
        " UNION ALL SELECT " LICENSE_COLUMNS_BARE " FROM license l JOIN license_type t"
        " ON t.id = l.license_type WHERE l.state = 4"
        " AND l.valid_until >= ?1 - (SELECT COALESCE(MAX(grace_days), 0) FROM license_type)"
        " * 86400 AND l.valid_until >= ?1 - t.grace_days * 86400"
        " AND (l.valid_until, l.number) > (?3, ?4) ORDER BY 8, 1";
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_license_record rec = {0};
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, with_credential ? with_sql : bare_sql, "licenses", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, now)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, until)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, after_until)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 4, after_number, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "licenses", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        rc = read_record(&rec, st, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        rc = fn(ctx, &rec, err);
        libro_license_record_clear(&rec);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "licenses", err);
    }
out:
    libro_license_record_clear(&rec);
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_license_counts(void *h, size_t counts[7], libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    memset(counts, 0, 7 * sizeof counts[0]);
    rc = libro_sq__prepare(s, &st, "SELECT state, COUNT(*) FROM license GROUP BY state", "counts",
                           err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 state = sqlite3_column_int64(st, 0);

        if (state >= 1 && state <= 6) {
            counts[state] = (size_t) sqlite3_column_int64(st, 1);
        }
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "counts", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- events ------------------------------------------------------------------------------- */

static libro_code
sq_event_append(void *h, const char *number, const libro_store_event *e, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(
        s, &st,
        "INSERT INTO license_event (number, at, action, actor, reason, from_state,"
        " to_state, version, evidence, category)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        "event", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, e->at)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, (sqlite3_int64) e->action)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 4, e->actor, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 5, e->reason == NULL ? "" : e->reason, -1, SQLITE_STATIC)) !=
            SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 6, (sqlite3_int64) e->from)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 7, (sqlite3_int64) e->to)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 8, e->version)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 9, e->evidence, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 10, (sqlite3_int64) e->category)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "event", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "event", err);
    /* The event names its version's credential; license_put has stored it (the same text, or
     * the event is refused), unless the caller appends an event for a version it did not
     * put. */
    if (rc == LIBRO_OK && e->credential != NULL) {
        rc = credential_put(s, number, e->version, e->credential, err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_event_list(void *h, libro_license_event **out, size_t *n, const char *number, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_license_event *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(
        s, &st,
        "SELECT e.at, e.action, e.actor, e.reason, e.from_state, e.to_state, e.version,"
        " e.evidence, c.jws, e.category FROM license_event e LEFT JOIN license_credential c"
        " ON e.action IN (1, 2) AND c.number = e.number AND c.version = e.version"
        " WHERE e.number = ?1 ORDER BY e.id",
        "events", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "events", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        libro_license_event *e;
        uint32_t action = 0;
        uint32_t from = 0;
        uint32_t to = 0;
        uint32_t category = 0;

        if (count == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2;
            libro_license_event *grown = libro_realloc(list, ncap * sizeof *list);

            if (grown == NULL) {
                rc = libro_sq__nomem(err);
                goto out;
            }
            list = grown;
            cap = ncap;
        }
        e = &list[count];
        memset(e, 0, sizeof *e);
        count++;
        e->at = sqlite3_column_int64(st, 0);
        if ((rc = libro_sq__col_u32(&action, st, 1, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->actor, st, 2, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->reason, st, 3, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&from, st, 4, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&to, st, 5, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&e->version, st, 6, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->evidence, st, 7, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->credential, st, 8, err)) != LIBRO_OK ||
            (rc = libro_sq__col_u32(&category, st, 9, err)) != LIBRO_OK) {
            goto out;
        }
        e->category = (libro_reason_category) category;
        e->action = (libro_action) action;
        e->from = (libro_license_state) from;
        e->to = (libro_license_state) to;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "events", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
out:
    libro_license_events_free(list, count);
    sqlite3_finalize(st);
    return rc;
}

/* ---- status slots and bits ---------------------------------------------------------------- */

/* The stored list number of `list` in `space`. */
static sqlite3_int64
stored_list(libro_store_space space, uint32_t list)
{
    return (sqlite3_int64) list + (space == LIBRO_SPACE_MANDATES ? LIBRO_SQ_MANDATE_LISTS : 0);
}

static libro_code
sq_slot_current(void *h, libro_store_space space, uint32_t *list, uint64_t *used, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    sqlite3_int64 base = stored_list(space, 0);
    libro_code rc;
    int src;

    *list = 0;
    *used = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT list - ?1, used FROM status_list_usage"
                           " WHERE list >= ?1 AND list < ?1 + 4294967296"
                           " ORDER BY list DESC LIMIT 1",
                           "status slots", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_int64(st, 1, base);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "status slots", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = libro_sq__col_u32(list, st, 0, err);
        *used = (uint64_t) sqlite3_column_int64(st, 1);
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "status slots", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_slot_reserve(void *h, libro_store_space space, uint32_t list, uint32_t index, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, "INSERT INTO status_slot (list, idx) VALUES (?1, ?2)",
                           "status slot", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, stored_list(space, list))) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, index)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "status slot", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "status index %u of list %u is taken",
                             (unsigned) index, (unsigned) list);
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "status slot", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_slot_state(void *h, libro_store_space space, uint32_t list, uint32_t index, bool *reserved,
              bool *in_use, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *reserved = false;
    *in_use = false;
    rc = libro_sq__prepare(
        s, &st,
        space == LIBRO_SPACE_MANDATES
            ? "SELECT EXISTS (SELECT 1 FROM status_slot WHERE list = ?1 AND idx = ?2),"
              " EXISTS (SELECT 1 FROM mandate WHERE status_list = ?3 AND status_index = ?2)"
            : "SELECT EXISTS (SELECT 1 FROM status_slot WHERE list = ?1 AND idx = ?2),"
              " EXISTS (SELECT 1 FROM license WHERE status_list = ?3 AND status_index = ?2)",
        "status slot", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, stored_list(space, list))) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, index)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, list)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "status slot", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "status slot", err);
        goto out;
    }
    *reserved = sqlite3_column_int(st, 0) != 0;
    *in_use = sqlite3_column_int(st, 1) != 0;
out:
    sqlite3_finalize(st);
    return rc;
}

/* Revocation and suspension are rows of status_bit (value 1), the words rows of
 * status_message (?3 is the value there); value 0 is no row. Each statement changes a row
 * only when the status changes, so that sqlite3_changes tells a real change. */
static const char *
status_set_sql(int purpose, unsigned value)
{
    if (purpose == LIBRO_STATUS_MESSAGE) {
        return value != 0 ? "INSERT INTO status_message (list, idx, value) VALUES (?1, ?2, ?3)"
                            " ON CONFLICT (list, idx) DO UPDATE SET value = excluded.value"
                            " WHERE value != excluded.value"
                          : "DELETE FROM status_message WHERE list = ?1 AND idx = ?2";
    }
    return value != 0 ? "INSERT OR IGNORE INTO status_bit (list, idx, purpose) VALUES (?1, ?2, ?3)"
                      : "DELETE FROM status_bit WHERE list = ?1 AND idx = ?2 AND purpose = ?3";
}

/* Bump the version of (space, list, purpose) in the open transaction: *version is the new
 * one. */
static libro_code
bump_version(sq *s, libro_store_space space, uint32_t list, int purpose, uint64_t *version,
             libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT INTO status_version (space, list, purpose, version)"
                           " VALUES (?1, ?2, ?3, 1) ON CONFLICT (space, list, purpose)"
                           " DO UPDATE SET version = version + 1 RETURNING version",
                           "status version", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, (int) space)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, list)) != SQLITE_OK ||
        (src = sqlite3_bind_int(st, 3, purpose)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "status version", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "status version", err);
        goto out;
    }
    *version = (uint64_t) sqlite3_column_int64(st, 0);
    rc = libro_sq__step_done(s, st, "status version", err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_status_set(void *h, libro_store_space space, uint32_t list, uint32_t index, int purpose,
              unsigned value, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_store__change change = {space, list, index, purpose, value, 0};
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, status_set_sql(purpose, value), "status bit", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, stored_list(space, list))) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, index)) != SQLITE_OK ||
        (sqlite3_bind_parameter_count(st) == 3 &&
         (src = sqlite3_bind_int(st, 3, purpose == LIBRO_STATUS_MESSAGE ? (int) value : purpose)) !=
             SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "status bit", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "status bit", err);
    if (rc != LIBRO_OK || sqlite3_changes(s->db) == 0) {
        goto out;
    }
    rc = bump_version(s, space, list, purpose, &change.version, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_store__changes_note(&s->changes, &change, s->in_tx, err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_status_versions(void *h, libro_store_status_version **out, size_t *n, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_store_status_version *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT space, list, purpose, version FROM status_version"
                           " ORDER BY space, list, purpose",
                           "status versions", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        libro_store_status_version *v;

        rc = libro_registry__grow((void **) &list, &cap, count, sizeof *list, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        v = &list[count];
        v->space = sqlite3_column_int(st, 0) == 1 ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES;
        rc = libro_sq__col_u32(&v->list, st, 1, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        v->purpose = sqlite3_column_int(st, 2);
        v->version = (uint64_t) sqlite3_column_int64(st, 3);
        count++;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "status versions", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
out:
    libro_free(list);
    sqlite3_finalize(st);
    return rc;
}

static libro_code
sq_data_version(void *h, uint64_t *out, libro_error *err)
{
    sq *s = h;
    libro_code rc = LIBRO_OK;
    int src;

    *out = 0;
    if (s->data_version == NULL) {
        rc = libro_sq__prepare(s, &s->data_version, "PRAGMA data_version", "data version", err);
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    src = sqlite3_step(s->data_version);
    if (src == SQLITE_ROW) {
        *out = (uint64_t) sqlite3_column_int64(s->data_version, 0);
        src = sqlite3_step(s->data_version);
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "data version", err);
    }
    (void) sqlite3_reset(s->data_version);
    return rc;
}

static void
sq_set_status_observer(void *h, libro_store_status_observer fn, void *ctx)
{
    sq *s = h;

    s->changes.observer = fn;
    s->changes.ctx = ctx;
    s->changes.n = 0;
}

static libro_code
sq_status_each(void *h, libro_store_space space, uint32_t list, int purpose,
               libro_store_status_fn fn, void *ctx, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(
        s, &st,
        purpose == LIBRO_STATUS_MESSAGE
            ? "SELECT idx, value FROM status_message WHERE list = ?1 ORDER BY idx"
            : "SELECT idx, 1 FROM status_bit WHERE list = ?1 AND purpose = ?2 ORDER BY idx",
        "status bits", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, stored_list(space, list))) != SQLITE_OK ||
        (sqlite3_bind_parameter_count(st) == 2 &&
         (src = sqlite3_bind_int(st, 2, purpose)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "status bits", err);
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t index = 0;

        rc = libro_sq__col_u32(&index, st, 0, err);
        if (rc == LIBRO_OK) {
            rc = fn(ctx, index, (unsigned) sqlite3_column_int(st, 1), err);
        }
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "status bits", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static const libro_store_ops sqlite_ops = {
    .close = sq_close,
    .poisoned = sq_poisoned,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .group_begin = sq_group_begin,
    .group_end = sq_group_end,
    .schema_version = sq_schema_version,
    .integrity_check = sq_integrity_check,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .type_get = sq_type_get,
    .type_put = sq_type_put,
    .license_get = sq_license_get,
    .license_put = sq_license_put,
    .license_due = sq_license_due,
    .license_expiring_each = sq_license_expiring_each,
    .license_counts = sq_license_counts,
    .license_search_holder = sq_license_search_holder,
    .event_append = sq_event_append,
    .event_list = sq_event_list,
    .slot_current = sq_slot_current,
    .slot_reserve = sq_slot_reserve,
    .slot_state = sq_slot_state,
    .status_set = sq_status_set,
    .status_each = sq_status_each,
    .status_versions = sq_status_versions,
    .set_status_observer = sq_set_status_observer,
    .data_version = sq_data_version,
    .issuer_put = libro_sq__issuer_put,
    .issuer_get = libro_sq__issuer_get,
    .issuer_list = libro_sq__issuer_list,
    .request_record = libro_sq__request_record,
    .request_known = libro_sq__request_known,
    .log_size = libro_sq__log_size,
    .log_leaf_put = libro_sq__log_leaf_put,
    .log_leaf_get = libro_sq__log_leaf_get,
    .log_node_get = libro_sq__log_node_get,
    .log_node_put = libro_sq__log_node_put,
    .contact_put = libro_sq__contact_put,
    .contact_get = libro_sq__contact_get,
    .reminder_sent = libro_sq__reminder_sent,
    .reminder_claim = libro_sq__reminder_claim,
    .reminder_release = libro_sq__reminder_release,
    .webhook_put = libro_sq__webhook_put,
    .webhook_list = libro_sq__webhook_list,
    .webhook_delete = libro_sq__webhook_delete,
    .webhook_expiry_sent = libro_sq__webhook_expiry_sent,
    .webhook_expiry_mark = libro_sq__webhook_expiry_mark,
    .seat_put = libro_sq__seat_put,
    .seat_list = libro_sq__seat_list,
    .mandate_get = libro_sq__mandate_get,
    .mandate_put = libro_sq__mandate_put,
    .mandate_list = libro_sq__mandate_list,
    .agreement_get = libro_sq__agreement_get,
    .agreement_put = libro_sq__agreement_put,
    .agreement_list = libro_sq__agreement_list,
    .process_get = libro_sq__process_get,
    .process_put = libro_sq__process_put,
    .step_put = libro_sq__step_put,
    .step_list = libro_sq__step_list,
    .law_get = libro_sq__law_get,
    .law_put = libro_sq__law_put,
    .law_list = libro_sq__law_list,
};

/* ---- open, create, migrate ---------------------------------------------------------------- */

/* Bring the schema up to date in one write transaction. The schema_version table itself is
 * created here (not by a migration) because the runner must read it before any migration. */
static libro_code
migrate(sq *s, libro_error *err)
{
    const int known = (int) LIBRO_NELEM(migrations);
    sqlite3_stmt *st = NULL;
    sqlite3_int64 current = 0;
    libro_code rc;
    int src;
    int v;

    /* The common case, a database already current, is settled by a read: the server opens a
     * handle per connection, and taking the write lock for each would queue every new
     * connection behind the writers. */
    if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == known) {
        sqlite3_finalize(st);
        s->version = known;
        return LIBRO_OK;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = sq_begin(s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = exec1(s,
               "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
               " applied_at INTEGER NOT NULL)",
               "schema version", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_sq__prepare(s, &st, "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                           "schema version", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "schema version", err);
        goto out;
    }
    current = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (current > known || current < 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "database schema version %lld is newer than this libro knows (%d)",
                             (long long) current, known);
        goto out;
    }
    for (v = (int) current + 1; v <= known; v++) {
        rc = exec_script(s, migrations[v - 1], "migration", err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        rc = libro_sq__prepare(s, &st,
                               "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                               "schema version", err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if ((src = sqlite3_bind_int(st, 1, v)) != SQLITE_OK ||
            (src = sqlite3_bind_int64(st, 2, libro_time_now())) != SQLITE_OK) {
            rc = libro_sq__bind_fail(s, src, "schema version", err);
            goto out;
        }
        rc = libro_sq__step_done(s, st, "schema version", err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = sq_commit(s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    s->version = known;
out:
    sqlite3_finalize(st);
    if (rc != LIBRO_OK) {
        sq_rollback(s);
    }
    return rc;
}

/* Waiting for the write lock: poll every millisecond for the first 20, then every 5, until
 * BUSY_TIMEOUT_MS. SQLite's own busy timeout sleeps up to 100 ms at a time once a wait grows,
 * which lets a writer that could have gone in 1 ms later wait a tenth of a second: the p99 of
 * concurrent revocations over HTTP (bench_registry). */
static int
busy_wait(void *ctx, int attempts)
{
    long waited_ms = attempts < 20 ? attempts : 20 + (long) (attempts - 20) * 5;
    struct timespec pause = {0, attempts < 20 ? 1000000L : 5000000L};

    (void) ctx;
    if (waited_ms >= BUSY_TIMEOUT_MS) {
        return 0; /* give up: SQLITE_BUSY, reported as "database is busy" */
    }
    (void) nanosleep(&pause, NULL);
    return 1;
}

/* SQLite's own automatic checkpoint ignores a failure, and a failed checkpoint fsync of the
 * database file is the PostgreSQL case: the kernel may have dropped the pages it could not
 * write. The commit that triggered it stands (it is in the synced WAL, which SQLite keeps
 * until a checkpoint succeeds), but the handle stops taking writes. */
static int
wal_checkpoint(void *ctx, sqlite3 *db, const char *name, int frames)
{
    sq *s = ctx;

    if (frames >= WAL_CHECKPOINT_FRAMES) {
        int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

        if ((rc & 0xff) == SQLITE_IOERR) {
            s->poisoned = true;
        }
    }
    return SQLITE_OK;
}

static libro_code
configure(sq *s, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    src = sqlite3_busy_handler(s->db, busy_wait, NULL);
    if (src != SQLITE_OK) {
        return libro_sq__db_fail(s, src, "busy timeout", err);
    }
    (void) sqlite3_wal_hook(s->db, wal_checkpoint, s);
    /* journal_mode answers with the mode now in force, which is not WAL when it cannot be
     * (a read-only directory): refuse rather than run without it. */
    rc = libro_sq__prepare(s, &st, "PRAGMA journal_mode = WAL", "journal mode", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "journal mode", err);
        goto out;
    }
    if (sqlite3_column_text(st, 0) == NULL ||
        strcmp((const char *) sqlite3_column_text(st, 0), "wal") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "journal mode: WAL is not available");
        goto out;
    }
    rc = exec1(s, "PRAGMA synchronous = FULL", "synchronous", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = exec1(s, "PRAGMA foreign_keys = ON", "foreign keys", err);
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
open_db(libro_store *out, const char *path, bool read_only, libro_error *err)
{
    sq *s = NULL;
    libro_code rc;
    int src;

    out->ops = NULL;
    out->h = NULL;
    s = libro_calloc(1, sizeof *s);
    if (s == NULL) {
        rc = libro_sq__nomem(err);
        goto out;
    }
    /* NOFOLLOW: a registry path that is a symlink is refused, like key files. */
    src = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (src != SQLITE_OK) {
        rc = libro_sq__db_fail(s, src, "open", err);
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    /* SQLite opens a file it may not write for reading instead: say so now rather than fail
     * at the first write (or at the WAL set-up) with a vaguer error. */
    if (!read_only && sqlite3_db_readonly(s->db, "main") == 1) {
        rc = libro_error_set(err, LIBRO_ERR_READONLY,
                             "%.64s cannot be written (file mode or a read-only mount)", path);
        goto out;
    }
    rc = configure(s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (read_only) {
        /* The file stays open read-write, so that SQLite can keep the WAL index (-shm) as
         * for any reader; the handle refuses every change. */
        rc = exec1(s, "PRAGMA query_only = ON", "query only", err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = migrate(s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    out->ops = &sqlite_ops;
    out->h = s;
    s = NULL; /* moved to caller */
out:
    sq_close(s);
    return rc;
}

libro_code
libro_store__sqlite_open(libro_store *out, const char *path, bool read_only, libro_error *err)
{
    struct stat st;

    out->ops = NULL;
    out->h = NULL;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no registry at %.64s", path);
        }
        return libro_error_set(err, LIBRO_ERR_IO, "%.64s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.64s: not a regular file", path);
    }
    return open_db(out, path, read_only, err);
}

/* Remove what a failed create left: the file and SQLite's companions. */
static void
remove_partial(const char *path)
{
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    libro_buf name = LIBRO_BUF_INIT;
    size_t i;

    (void) unlink(path);
    for (i = 0; i < LIBRO_NELEM(suffixes); i++) {
        libro_buf_clear(&name);
        if (libro_buf_printf(&name, NULL, "%s%s", path, suffixes[i]) == LIBRO_OK) {
            (void) unlink((const char *) name.data);
        }
    }
    libro_buf_free(&name);
}

libro_code
libro_store__sqlite_create(libro_store *out, const char *path, const char *const *meta,
                           libro_error *err)
{
    libro_code rc;
    size_t i;
    int fd;

    out->ops = NULL;
    out->h = NULL;
    /* O_EXCL: never overwrite; 0600: the database holds who did what, for the operator only.
     * SQLite gives its -wal and -shm files the database file's mode. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return libro_error_set(err, LIBRO_ERR_EXISTS, "%.64s exists: refusing to overwrite",
                                   path);
        }
        return libro_error_set(err, LIBRO_ERR_IO, "%.64s: %s", path, strerror(errno));
    }
    if (close(fd) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.64s: %s", path, strerror(errno));
        remove_partial(path);
        return rc;
    }
    rc = open_db(out, path, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = sq_begin(out->h, err);
    for (i = 0; rc == LIBRO_OK && meta != NULL && meta[i] != NULL; i += 2) {
        rc = sq_meta_put(out->h, meta[i], meta[i + 1], err);
    }
    if (rc == LIBRO_OK) {
        rc = sq_commit(out->h, err);
    }
out:
    if (rc != LIBRO_OK) {
        if (out->h != NULL) {
            sq_close(out->h); /* rolls back */
            out->ops = NULL;
            out->h = NULL;
        }
        remove_partial(path);
    }
    return rc;
}
