/* libro_registry: the PostgreSQL store (design: docs/scaling.md; the store's contract:
 * store.h). One connection per handle, libpq loaded on first use. Every write transaction is
 * SERIALIZABLE and takes the sequencer (an EXCLUSIVE lock on the one-row libro_sequencer
 * table) before any other statement, so that libro's writers in every process run one after
 * another and number the log's leaves without a gap; each statement is prepared once per
 * connection with bound parameters; expected outcomes (EXISTS, NOT_FOUND) are found from row
 * counts, since a failed statement aborts a PostgreSQL transaction. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/dl_int.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "pg_int.h"
#include "registry_int.h"

/* The libpq calls of the store, bound when a store is first opened (libro/dl_int.h): no other
 * file calls libpq, and a SQLite user never maps it. */
#define PQ_SYMBOLS(X)                                                                              \
    X(backend_pid, PQbackendPID)                                                                   \
    X(clear, PQclear)                                                                              \
    X(cmd_status, PQcmdStatus)                                                                     \
    X(cmd_tuples, PQcmdTuples)                                                                     \
    X(connectdb_params, PQconnectdbParams)                                                         \
    X(conninfo_free, PQconninfoFree)                                                               \
    X(conninfo_parse, PQconninfoParse)                                                             \
    X(consume_input, PQconsumeInput)                                                               \
    X(error_message, PQerrorMessage)                                                               \
    X(exec, PQexec)                                                                                \
    X(exec_prepared, PQexecPrepared)                                                               \
    X(finish, PQfinish)                                                                            \
    X(freemem, PQfreemem)                                                                          \
    X(get_isnull, PQgetisnull)                                                                     \
    X(get_length, PQgetlength)                                                                     \
    X(get_value, PQgetvalue)                                                                       \
    X(notifies, PQnotifies)                                                                        \
    X(ntuples, PQntuples)                                                                          \
    X(prepare, PQprepare)                                                                          \
    X(reset, PQreset)                                                                              \
    X(result_error_field, PQresultErrorField)                                                      \
    X(result_status, PQresultStatus)                                                               \
    X(set_notice_processor, PQsetNoticeProcessor)                                                  \
    X(status, PQstatus)                                                                            \
    X(transaction_status, PQtransactionStatus)
LIBRO_DL_DEFINE(pq, PQ_SYMBOLS, LIBRO_DL_SONAME_PQ, LIBRO_DL_PACKAGE_PQ,
                "to use a PostgreSQL registry database");

/* Savepoints by depth: a group's write inside a job inside the group's transaction. */
static const char *const savepoint_sql[LIBRO_STORE_MAX_DEPTH] = {
    "SAVEPOINT s0", "SAVEPOINT s1", "SAVEPOINT s2", "SAVEPOINT s3",
    "SAVEPOINT s4", "SAVEPOINT s5", "SAVEPOINT s6", "SAVEPOINT s7"};
static const char *const release_sql[LIBRO_STORE_MAX_DEPTH] = {
    "RELEASE SAVEPOINT s0", "RELEASE SAVEPOINT s1", "RELEASE SAVEPOINT s2", "RELEASE SAVEPOINT s3",
    "RELEASE SAVEPOINT s4", "RELEASE SAVEPOINT s5", "RELEASE SAVEPOINT s6", "RELEASE SAVEPOINT s7"};
static const char *const undo_sql[LIBRO_STORE_MAX_DEPTH] = {
    "ROLLBACK TO SAVEPOINT s0; RELEASE SAVEPOINT s0",
    "ROLLBACK TO SAVEPOINT s1; RELEASE SAVEPOINT s1",
    "ROLLBACK TO SAVEPOINT s2; RELEASE SAVEPOINT s2",
    "ROLLBACK TO SAVEPOINT s3; RELEASE SAVEPOINT s3",
    "ROLLBACK TO SAVEPOINT s4; RELEASE SAVEPOINT s4",
    "ROLLBACK TO SAVEPOINT s5; RELEASE SAVEPOINT s5",
    "ROLLBACK TO SAVEPOINT s6; RELEASE SAVEPOINT s6",
    "ROLLBACK TO SAVEPOINT s7; RELEASE SAVEPOINT s7"};
_Static_assert(LIBRO_STORE_MAX_DEPTH == 8u, "one savepoint name per depth");

/* The sequencer is taken before any other statement: a serializable transaction's snapshot
 * is fixed by its first query, and taken later the snapshot would predate the previous
 * writer's commit (PostgreSQL's LOCK documentation; SET takes no snapshot). A writer waits for
 * it 5 s at most, as the SQLite store waits for its write lock, then gives up: 55P03, BUSY. */
#define BEGIN_WRITE                                                                                \
    "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL lock_timeout = 5000;"                           \
    " LOCK TABLE libro_sequencer IN EXCLUSIVE MODE"
/* A read-only handle's "write" transaction: its writes fail (25006, READONLY). */
#define BEGIN_WRITE_READ_ONLY "BEGIN ISOLATION LEVEL SERIALIZABLE"
#define BEGIN_READ "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
/* Sent by every write transaction; PostgreSQL delivers it at commit (data_version). */
#define COMMIT_WRITE "NOTIFY libro_change; COMMIT"

/* ---- helpers ------------------------------------------------------------------------------ */

libro_code
libro_pg__nomem(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
}

void
libro_pg__param_text(libro_pg__params *p, const char *v)
{
    if (p->n >= LIBRO_PG_MAX_PARAMS) {
        p->overflow = true;
        return;
    }
    p->values[p->n] = v;
    p->lengths[p->n] = 0;
    p->formats[p->n] = 0;
    p->n++;
}

void
libro_pg__param_i64(libro_pg__params *p, int64_t v)
{
    int len;

    if (p->n >= LIBRO_PG_MAX_PARAMS) {
        p->overflow = true;
        return;
    }
    len = snprintf(p->numbers[p->n], sizeof p->numbers[p->n], "%" PRId64, v);
    if (len < 0 || (size_t) len >= sizeof p->numbers[p->n]) {
        p->overflow = true; /* cannot happen: 20 digits and a sign fit */
        return;
    }
    libro_pg__param_text(p, p->numbers[p->n]);
}

void
libro_pg__param_bytes(libro_pg__params *p, const unsigned char *v, size_t n)
{
    if (p->n >= LIBRO_PG_MAX_PARAMS || n > (size_t) INT32_MAX) {
        p->overflow = true;
        return;
    }
    p->values[p->n] = (const char *) v;
    p->lengths[p->n] = (int) n;
    p->formats[p->n] = 1;
    p->n++;
}

libro_code
libro_pg__code_of(const char *sqlstate)
{
    static const struct {
        const char *state; /* a full SQLSTATE, or a class of two characters */
        libro_code code;
    } map[] = {
        {"40001", LIBRO_ERR_CONFLICT},    {"40P01", LIBRO_ERR_CONFLICT},
        {"08", LIBRO_ERR_UNAVAILABLE},    {"57P01", LIBRO_ERR_UNAVAILABLE},
        {"57P02", LIBRO_ERR_UNAVAILABLE}, {"57P03", LIBRO_ERR_UNAVAILABLE},
        {"53100", LIBRO_ERR_FULL},        {"53200", LIBRO_ERR_BUSY},
        {"53300", LIBRO_ERR_BUSY},        {"55P03", LIBRO_ERR_BUSY},
        {"25006", LIBRO_ERR_READONLY},    {"28", LIBRO_ERR_DENIED},
        {"3D000", LIBRO_ERR_NOT_FOUND},
    };
    size_t i;

    if (sqlstate == NULL || strlen(sqlstate) != 5) {
        return LIBRO_ERR_IO;
    }
    for (i = 0; i < LIBRO_NELEM(map); i++) {
        if (strncmp(sqlstate, map[i].state, strlen(map[i].state)) == 0) {
            return map[i].code;
        }
    }
    return LIBRO_ERR_IO;
}

/* The first line of libpq's message (it ends with a newline, and may hold a DETAIL line). */
static void
first_line(char *out, size_t size, const char *msg)
{
    size_t n = 0;

    if (msg != NULL) {
        while (msg[n] != '\0' && msg[n] != '\n' && n + 1 < size) {
            n++;
        }
        memcpy(out, msg, n);
    }
    out[n] = '\0';
}

static bool
connection_lost(const pg *s)
{
    return s->conn == NULL || pq.status(s->conn) != CONNECTION_OK;
}

libro_code
libro_pg__fail(pg *s, const PGresult *res, const char *what, libro_error *err)
{
    libro_error e = LIBRO_ERROR_INIT;
    const char *state = res != NULL ? pq.result_error_field(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res != NULL ? pq.result_error_field(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[200];
    libro_code code;

    if (connection_lost(s)) {
        first_line(line, sizeof line, s->conn != NULL ? pq.error_message(s->conn) : NULL);
        code = libro_error_set(&e, LIBRO_ERR_UNAVAILABLE,
                               "%s: the database connection was lost: %.160s", what, line);
    } else if (primary != NULL) {
        code = libro_pg__code_of(state);
        first_line(line, sizeof line, primary);
        if (code == LIBRO_ERR_CONFLICT) {
            code = libro_error_set(&e, code,
                                   "%s: the database refused the transaction for a concurrent "
                                   "one: run it again (%.120s, SQLSTATE %s)",
                                   what, line, state);
        } else {
            code = libro_error_set(&e, code, "%s: %.160s (SQLSTATE %s)", what, line,
                                   state != NULL ? state : "none");
        }
    } else {
        first_line(line, sizeof line, pq.error_message(s->conn));
        code = libro_error_set(&e, LIBRO_ERR_IO, "%s: %.160s", what, line);
    }
    /* A group survives a failed statement inside a savepoint (rolled back to), but not a
     * serialization failure, a deadlock or a lost connection (design §2), nor a failure
     * outside every savepoint, which aborts the group's transaction. */
    if (s->group && s->group_lost.code == LIBRO_OK &&
        (code == LIBRO_ERR_CONFLICT || code == LIBRO_ERR_UNAVAILABLE || s->depth == 0)) {
        s->group_lost = e;
    }
    if (err != NULL) {
        *err = e;
    }
    return code;
}

/* Run constant SQL without parameters (transaction control, migrations). */
static libro_code
exec_plain(pg *s, const char *sql, const char *what, libro_error *err)
{
    PGresult *res = pq.exec(s->conn, sql);
    ExecStatusType st = pq.result_status(res);
    libro_code rc = LIBRO_OK;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = libro_pg__fail(s, res, what, err);
    }
    pq.clear(res);
    return rc;
}

/* The name of `sql`'s prepared statement on this connection, preparing it on first use. */
static libro_code
prepared_name(pg *s, char name[24], const char *sql, int nparams, const char *what,
              libro_error *err)
{
    PGresult *res;
    size_t i;
    int len;
    libro_code rc;

    for (i = 0; i < s->prepared_n && s->prepared[i] != sql; i++) {
    }
    len = snprintf(name, 24, "p%zu", i);
    if (len < 0 || len >= 24) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: too many statements", what);
    }
    if (i < s->prepared_n) {
        return LIBRO_OK;
    }
    rc = libro_registry__grow((void **) &s->prepared, &s->prepared_cap, s->prepared_n,
                              sizeof *s->prepared, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    res = pq.prepare(s->conn, name, sql, nparams, NULL);
    if (pq.result_status(res) != PGRES_COMMAND_OK) {
        rc = libro_pg__fail(s, res, what, err);
    } else {
        s->prepared[s->prepared_n++] = sql;
    }
    pq.clear(res);
    return rc;
}

/* Outside a transaction, a connection the server closed while it was idle (a restart, a
 * terminated backend: the server says so before it closes, so reading what has arrived finds
 * it without a round trip) is replaced before the next statement: no transaction is lost. */
static libro_code reconnect(pg *s, libro_error *err);

static libro_code
fresh_connection(pg *s, libro_error *err)
{
    if (s->in_tx) {
        return LIBRO_OK;
    }
    /* Twice: a read stops after the server's last message, the next one finds the close. */
    for (int i = 0; i < 2 && !connection_lost(s); i++) {
        (void) pq.consume_input(s->conn);
    }
    return connection_lost(s) ? reconnect(s, err) : LIBRO_OK;
}

libro_code
libro_pg__exec(pg *s, PGresult **out, const char *sql, const libro_pg__params *params,
               const char *what, libro_error *err)
{
    static const libro_pg__params none = LIBRO_PG_PARAMS_INIT;
    const libro_pg__params *p = params != NULL ? params : &none;
    PGresult *res = NULL;
    ExecStatusType st;
    char name[24];
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (p->overflow) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s: too many parameters", what);
    }
    rc = fresh_connection(s, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = prepared_name(s, name, sql, p->n, what, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    res = pq.exec_prepared(s->conn, name, p->n, p->values, p->lengths, p->formats, 0);
    st = pq.result_status(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = libro_pg__fail(s, res, what, err);
        pq.clear(res);
        return rc;
    }
    if (out != NULL) {
        *out = res;
    } else {
        pq.clear(res);
    }
    return LIBRO_OK;
}

libro_code
libro_pg__exec_changes(pg *s, uint64_t *changes, const char *sql, const libro_pg__params *params,
                       const char *what, libro_error *err)
{
    PGresult *res = NULL;
    libro_code rc = libro_pg__exec(s, &res, sql, params, what, err);

    *changes = rc == LIBRO_OK ? libro_pg__changes(res) : 0;
    libro_pg__clear(res);
    return rc;
}

void
libro_pg__clear(PGresult *res)
{
    if (res != NULL) {
        pq.clear(res);
    }
}

int
libro_pg__rows(const PGresult *res)
{
    return res != NULL ? pq.ntuples(res) : 0;
}

libro_code
libro_pg__alloc_rows(void **out, const PGresult *res, size_t size, libro_error *err)
{
    int rows = libro_pg__rows(res);

    *out = NULL;
    if (rows > 0 && (*out = libro_calloc((size_t) rows, size)) == NULL) {
        return libro_pg__nomem(err);
    }
    return LIBRO_OK;
}

uint64_t
libro_pg__changes(const PGresult *res)
{
    const char *t = res != NULL ? pq.cmd_tuples((PGresult *) (uintptr_t) res) : NULL;
    uint64_t n = 0;

    if (t == NULL || *t == '\0' || libro_parse_u64(&n, t, strlen(t), UINT64_MAX, NULL) != 0) {
        return 0;
    }
    return n;
}

bool
libro_pg__is_null(const PGresult *res, int row, int col)
{
    return pq.get_isnull(res, row, col) != 0;
}

static libro_code
bad_column(int col, libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_IO, "database: unexpected value in column %d", col);
}

libro_code
libro_pg__col_text(char **out, const PGresult *res, int row, int col, libro_error *err)
{
    *out = NULL;
    if (pq.get_isnull(res, row, col) != 0) {
        return LIBRO_OK;
    }
    *out = libro_strndup(pq.get_value(res, row, col), (size_t) pq.get_length(res, row, col));
    return *out == NULL ? libro_pg__nomem(err) : LIBRO_OK;
}

libro_code
libro_pg__col_i64(int64_t *out, const PGresult *res, int row, int col, libro_error *err)
{
    const char *t;
    size_t len;
    uint64_t v = 0;
    bool negative;

    *out = 0;
    if (pq.get_isnull(res, row, col) != 0) {
        return bad_column(col, err);
    }
    t = pq.get_value(res, row, col);
    len = (size_t) pq.get_length(res, row, col);
    negative = len > 0 && t[0] == '-';
    if (negative) {
        t++;
        len--;
    }
    if (libro_parse_u64(&v, t, len, negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX,
                        NULL) != LIBRO_OK) {
        return bad_column(col, err);
    }
    *out = negative ? (int64_t) (0 - v) : (int64_t) v;
    return LIBRO_OK;
}

libro_code
libro_pg__col_u32(uint32_t *out, const PGresult *res, int row, int col, libro_error *err)
{
    int64_t v = 0;
    libro_code rc = libro_pg__col_i64(&v, res, row, col, err);

    *out = 0;
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (v < 0 || v > (int64_t) UINT32_MAX) {
        return libro_error_set(err, LIBRO_ERR_IO, "database: value out of range in column %d", col);
    }
    *out = (uint32_t) v;
    return LIBRO_OK;
}

libro_code
libro_pg__col_int(int *out, const PGresult *res, int row, int col, int min, int max,
                  libro_error *err)
{
    int64_t v = 0;
    libro_code rc = libro_pg__col_i64(&v, res, row, col, err);

    *out = 0;
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (v < min || v > max) {
        return libro_error_set(err, LIBRO_ERR_IO, "database: value out of range in column %d", col);
    }
    *out = (int) v;
    return LIBRO_OK;
}

libro_code
libro_pg__col_bool(bool *out, const PGresult *res, int row, int col, libro_error *err)
{
    const char *t;

    *out = false;
    if (pq.get_isnull(res, row, col) != 0 || pq.get_length(res, row, col) != 1) {
        return bad_column(col, err);
    }
    t = pq.get_value(res, row, col);
    if (t[0] != 't' && t[0] != 'f') {
        return bad_column(col, err);
    }
    *out = t[0] == 't';
    return LIBRO_OK;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* bytea comes as text in the hex format: \x and two lowercase digits a byte. */
libro_code
libro_pg__col_hash32(unsigned char out[32], const PGresult *res, int row, int col, libro_error *err)
{
    const char *t;
    size_t i;

    if (pq.get_isnull(res, row, col) != 0 || pq.get_length(res, row, col) != 66) {
        return bad_column(col, err);
    }
    t = pq.get_value(res, row, col);
    if (t[0] != '\\' || t[1] != 'x') {
        return bad_column(col, err);
    }
    for (i = 0; i < 32; i++) {
        int hi = hex_digit(t[2 + 2 * i]);
        int lo = hex_digit(t[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            return bad_column(col, err);
        }
        out[i] = (unsigned char) (hi * 16 + lo);
    }
    return LIBRO_OK;
}

/* ---- connection --------------------------------------------------------------------------- */

/* The server's notices (a NOTICE from DDL) would go to stderr: a library prints nothing. */
static void
ignore_notice(void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

/* Whether the connection is to a hot standby (a replica, or the host libpq chose among
 * several): it serves reads, and every write transaction is refused at its begin as on a
 * read-only file (pg_begin), rather than with "cannot use serializable mode in a hot
 * standby". */
static libro_code
note_standby(pg *s, libro_error *err)
{
    PGresult *res = pq.exec(s->conn, "SELECT pg_is_in_recovery()");
    libro_code rc = LIBRO_OK;

    if (pq.result_status(res) != PGRES_TUPLES_OK) {
        rc = libro_pg__fail(s, res, "connect", err);
    } else {
        s->standby = pq.ntuples(res) == 1 && strcmp(pq.get_value(res, 0, 0), "t") == 0;
    }
    pq.clear(res);
    return rc;
}

/* What every new connection needs: the handle's read-only mode, and LISTEN again when the
 * handle listened (notifications sent while it was away are lost: the counter moves). */
static libro_code
after_connect(pg *s, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    (void) pq.set_notice_processor(s->conn, ignore_notice, NULL);
    s->prepared_n = 0;
    rc = note_standby(s, err);
    if (rc == LIBRO_OK && s->read_only) {
        rc = exec_plain(s, "SET default_transaction_read_only = on", "read-only mode", err);
    }
    if (rc == LIBRO_OK && s->listening) {
        rc = exec_plain(s, "LISTEN libro_change", "data version", err);
        s->changes_seen++;
    }
    return rc;
}

/* A connection that failed, as a code: libpq has no SQLSTATE for it, so the few failures
 * with their own code are told by the server's words. */
static libro_code
connect_fail(pg *s, const char *what, libro_error *err)
{
    const char *msg = s->conn != NULL ? pq.error_message(s->conn) : "out of memory";
    char line[200];
    libro_code code = LIBRO_ERR_UNAVAILABLE;

    first_line(line, sizeof line, msg);
    if (strstr(msg, "database \"") != NULL && strstr(msg, "does not exist") != NULL) {
        code = LIBRO_ERR_NOT_FOUND;
    } else if (strstr(msg, "authentication failed") != NULL || strstr(msg, "pg_hba.conf") != NULL ||
               strstr(msg, "role \"") != NULL) {
        code = LIBRO_ERR_DENIED;
    }
    return libro_error_set(err, code, "%s: %.64s: %.160s", what, s->location, line);
}

/* Connect again once (PQreset) after the server closed the connection: nothing of a
 * transaction is open on it, so this is safe only where a transaction begins. */
static libro_code
reconnect(pg *s, libro_error *err)
{
    pq.reset(s->conn);
    if (pq.status(s->conn) != CONNECTION_OK) {
        return connect_fail(s, "reconnect", err);
    }
    return after_connect(s, err);
}

/* ---- transactions ------------------------------------------------------------------------- */

/* Begin with `sql`, reconnecting first when the connection is known bad, and once more when
 * the BEGIN itself finds it dead (a server restarted while the handle was idle). */
static libro_code
tx_start(pg *s, const char *sql, libro_error *err)
{
    libro_code rc = LIBRO_OK;
    int attempt;

    if (s->in_tx) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "begin: a transaction is open");
    }
    for (attempt = 0; attempt < 2; attempt++) {
        rc = fresh_connection(s, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        rc = exec_plain(s, sql, "begin", err);
        if (rc == LIBRO_OK) {
            s->in_tx = true;
            s->changes.n = 0;
            return LIBRO_OK;
        }
        if (!connection_lost(s)) {
            break;
        }
    }
    /* BEGIN went through and the lock failed (a statement after it): end what it opened. */
    if (!connection_lost(s) && pq.transaction_status(s->conn) != PQTRANS_IDLE) {
        (void) exec_plain(s, "ROLLBACK", "rollback", NULL);
    }
    return rc;
}

static libro_code
savepoint_begin(pg *s, libro_error *err)
{
    libro_code rc;

    if (s->group_lost.code != LIBRO_OK) {
        return libro_error_set(err, s->group_lost.code, "%s", s->group_lost.msg);
    }
    if (s->depth >= LIBRO_STORE_MAX_DEPTH) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "begin: savepoints nested too deep");
    }
    rc = exec_plain(s, savepoint_sql[s->depth], "begin", err);
    if (rc == LIBRO_OK) {
        s->pending_at[s->depth++] = s->changes.n;
    }
    return rc;
}

static libro_code
pg_begin(void *h, libro_error *err)
{
    pg *s = h;
    libro_code rc;

    if (s->group) {
        return savepoint_begin(s, err);
    }
    if (s->standby) {
        return libro_error_set(err, LIBRO_ERR_READONLY,
                               "begin: %.200s is a hot standby, which is read-only (writes go to "
                               "the primary: target_session_attrs=read-write)",
                               s->location);
    }
    rc = tx_start(s, s->read_only ? BEGIN_WRITE_READ_ONLY : BEGIN_WRITE, err);
    s->write_tx = rc == LIBRO_OK;
    return rc;
}

static libro_code
pg_begin_read(void *h, libro_error *err)
{
    pg *s = h;

    if (s->group) {
        return savepoint_begin(s, err);
    }
    s->write_tx = false;
    return tx_start(s, BEGIN_READ, err);
}

/* COMMIT of a transaction a failed statement aborted answers ROLLBACK, without an error: only
 * a COMMIT that says COMMIT acknowledges the write. */
static libro_code
commit_tx(pg *s, libro_error *err)
{
    bool notify = s->write_tx && !s->read_only && pq.transaction_status(s->conn) == PQTRANS_INTRANS;
    PGresult *res = pq.exec(s->conn, notify ? COMMIT_WRITE : "COMMIT");
    libro_code rc = LIBRO_OK;

    if (pq.result_status(res) != PGRES_COMMAND_OK) {
        rc = libro_pg__fail(s, res, "commit", err);
        if (rc == LIBRO_ERR_UNAVAILABLE) {
            rc = libro_error_set(err, rc,
                                 "commit: the database connection was lost: the outcome of the "
                                 "write is unknown");
        }
    } else if (strcmp(pq.cmd_status(res), "COMMIT") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO,
                             "commit: the database rolled the transaction back after an error "
                             "in it");
    }
    pq.clear(res);
    if (connection_lost(s) || pq.transaction_status(s->conn) == PQTRANS_IDLE) {
        s->in_tx = false;
    }
    return rc;
}

static libro_code
pg_commit(void *h, libro_error *err)
{
    pg *s = h;
    libro_code rc;

    if (s->group) {
        if (s->depth == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: no savepoint is open");
        }
        if (s->group_lost.code != LIBRO_OK) {
            return libro_error_set(err, s->group_lost.code, "%s", s->group_lost.msg);
        }
        rc = exec_plain(s, release_sql[s->depth - 1], "commit", err);
        if (rc == LIBRO_OK) {
            s->depth--;
        }
        return rc;
    }
    if (!s->in_tx) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: no transaction is open");
    }
    rc = commit_tx(s, err);
    if (rc == LIBRO_OK) {
        libro_store__changes_publish(&s->changes);
    }
    return rc;
}

static void
pg_rollback(void *h)
{
    pg *s = h;

    if (s->group) {
        if (s->depth == 0) {
            return;
        }
        if (s->group_lost.code == LIBRO_OK && !connection_lost(s) &&
            exec_plain(s, undo_sql[s->depth - 1], "rollback", NULL) != LIBRO_OK &&
            s->group_lost.code == LIBRO_OK) {
            (void) libro_error_set(&s->group_lost, LIBRO_ERR_IO,
                                   "database: the write group ended early");
        }
        /* The savepoint's status changes are undone: the observer is never told of them. */
        s->changes.n = s->pending_at[--s->depth];
        return;
    }
    if (s->in_tx && !connection_lost(s) && pq.transaction_status(s->conn) != PQTRANS_IDLE) {
        (void) exec_plain(s, "ROLLBACK", "rollback", NULL);
    }
    s->in_tx = false;
    s->write_tx = false;
    s->changes.n = 0;
}

static libro_code
pg_group_begin(void *h, libro_error *err)
{
    pg *s = h;
    libro_code rc;

    if (s->group || s->in_tx) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "begin: a transaction is open");
    }
    rc = pg_begin(s, err);
    if (rc == LIBRO_OK) {
        s->group = true;
        s->depth = 0;
        s->group_lost = (libro_error) LIBRO_ERROR_INIT;
    }
    return rc;
}

static libro_code
pg_group_end(void *h, bool commit, libro_error *err)
{
    pg *s = h;
    libro_code rc = LIBRO_OK;

    if (!s->group) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: no group is open");
    }
    if (s->depth != 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "commit: a savepoint is still open");
        commit = false;
    }
    if (commit && s->group_lost.code != LIBRO_OK) {
        rc = libro_error_set(err, s->group_lost.code, "%s", s->group_lost.msg);
        commit = false;
    }
    s->group = false;
    s->depth = 0;
    if (commit) {
        rc = pg_commit(s, err);
    }
    if (!commit || rc != LIBRO_OK) {
        pg_rollback(s);
    }
    return rc;
}

static int
pg_schema_version(void *h)
{
    return ((pg *) h)->version;
}

/* fsync is the server's business: it panics and recovers rather than go on after a failed
 * one, so a handle never holds a doubt of its own. */
static bool
pg_poisoned(void *h)
{
    (void) h;
    return false;
}

static void
pg_close(void *h)
{
    pg *s = h;

    if (s == NULL) {
        return;
    }
    s->group = false; /* an open group ends with its transaction, rolled back */
    if (s->conn != NULL) {
        pg_rollback(s);
        pq.finish(s->conn);
    }
    libro_free(s->prepared);
    libro_store__changes_free(&s->changes);
    libro_free(s->location);
    libro_free(s);
}

/* The log's head agrees with its leaves: the sequencer's size is the number of leaves, and
 * every index below it is there. The rest (keys, references, checks) the server enforces. */
static libro_code
pg_integrity_check(void *h, libro_error *err)
{
    static const char sql[] = "SELECT q.size, (SELECT count(*) FROM log_leaf),"
                              " (SELECT count(*) FROM log_leaf WHERE idx < q.size)"
                              " FROM libro_sequencer q";
    pg *s = h;
    PGresult *res = NULL;
    int64_t size = 0;
    int64_t leaves = 0;
    int64_t below = 0;
    libro_code rc;

    rc = libro_pg__exec(s, &res, sql, NULL, "integrity check", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (libro_pg__rows(res) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT, "integrity check: the sequencer row is gone");
        goto out;
    }
    if ((rc = libro_pg__col_i64(&size, res, 0, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&leaves, res, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&below, res, 0, 2, err)) != LIBRO_OK) {
        goto out;
    }
    if (size != leaves || below != size) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             "integrity check: the log's head says %" PRId64
                             " leaves, the table holds %" PRId64 " (%" PRId64 " below the head)",
                             size, leaves, below);
    }
out:
    libro_pg__clear(res);
    return rc;
}

/* ---- meta --------------------------------------------------------------------------------- */

static libro_code
pg_meta_get(void *h, char **out, const char *key, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *out = NULL;
    libro_pg__param_text(&p, key);
    rc = libro_pg__exec(h, &res, "SELECT value FROM meta WHERE key = $1", &p, "meta", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "database has no %s", key)
                 : libro_pg__col_text(out, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

static libro_code
pg_meta_put(void *h, const char *key, const char *value, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, key);
    libro_pg__param_text(&p, value);
    return libro_pg__exec(h, NULL,
                          "INSERT INTO meta (key, value) VALUES ($1, $2)"
                          " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          &p, "meta", err);
}

/* ---- license types ------------------------------------------------------------------------ */

static libro_code
pg_type_get(void *h, libro_license_type *out, char **requirements, const char *id, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int from = 0;
    libro_code rc;

    memset(out, 0, sizeof *out);
    *requirements = NULL;
    libro_pg__param_text(&p, id);
    rc = libro_pg__exec(h, &res,
                        "SELECT id, validity_days, renewal_window_days, grace_days, requirements,"
                        " renewal_from FROM license_type WHERE id = $1",
                        &p, "license type", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (libro_pg__rows(res) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "license type %.64s is not defined", id);
        goto out;
    }
    if ((rc = libro_pg__col_text(&out->id, res, 0, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&out->validity_days, res, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&out->renewal_window_days, res, 0, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&out->grace_days, res, 0, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(requirements, res, 0, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&from, res, 0, 5, 0, 1, err)) != LIBRO_OK) {
        goto out;
    }
    out->renewal_from = (libro_renewal_from) from;
out:
    if (rc != LIBRO_OK) {
        libro_license_type_clear(out);
        libro_free(*requirements);
        *requirements = NULL;
    }
    libro_pg__clear(res);
    return rc;
}

static libro_code
pg_type_put(void *h, const libro_license_type *t, const char *requirements, const char *actor,
            libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, t->id);
    libro_pg__param_i64(&p, t->validity_days);
    libro_pg__param_i64(&p, t->renewal_window_days);
    libro_pg__param_i64(&p, t->grace_days);
    libro_pg__param_text(&p, requirements);
    libro_pg__param_text(&p, actor);
    libro_pg__param_i64(&p, (int64_t) t->renewal_from);
    return libro_pg__exec(
        h, NULL,
        "INSERT INTO license_type (id, validity_days, renewal_window_days, grace_days,"
        " requirements, defined_by, renewal_from) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (id) DO UPDATE SET validity_days = excluded.validity_days,"
        " renewal_window_days = excluded.renewal_window_days, grace_days = excluded.grace_days,"
        " requirements = excluded.requirements, defined_by = excluded.defined_by,"
        " renewal_from = excluded.renewal_from",
        &p, "license type", err);
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
read_record(libro_license_record *r, const PGresult *res, int row, libro_error *err)
{
    int state = 0;
    libro_code rc;

    memset(r, 0, sizeof *r);
    if ((rc = libro_pg__col_text(&r->number, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&r->version, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&state, res, row, 2, 1, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&r->license_type, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&r->holder_name, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&r->issuer, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&r->valid_from, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&r->valid_until, res, row, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&r->status_list, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&r->status_index, res, row, 9, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&r->credential, res, row, 10, err)) != LIBRO_OK) {
        libro_license_record_clear(r);
        return rc;
    }
    r->state = (libro_license_state) state;
    return LIBRO_OK;
}

static libro_code
pg_license_get(void *h, libro_license_record *out, const char *number, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    memset(out, 0, sizeof *out);
    libro_pg__param_text(&p, number);
    rc = libro_pg__exec(h, &res, "SELECT " LICENSE_COLUMNS LICENSE_FROM " WHERE l.number = $1", &p,
                        "license", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no license %.64s", number)
                 : read_record(out, res, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

/* The credential of (number, version), stored once. A version's credential does not change:
 * a second write of the same text (a state change of the current version) leaves the row as
 * it is, and another text for a stored version is refused. The outer SELECT sees the
 * statement's snapshot: the row that was there before, when the insert found one. */
static libro_code
credential_put(pg *s, const char *number, uint32_t version, const char *jws, libro_error *err)
{
    static const char sql[] =
        "WITH ins AS (INSERT INTO license_credential (number, version, jws)"
        " VALUES ($1, $2, $3) ON CONFLICT (number, version) DO NOTHING RETURNING 1)"
        " SELECT (SELECT count(*) FROM ins),"
        " (SELECT jws = $3 FROM license_credential WHERE number = $1 AND version = $2)";
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int64_t inserted = 0;
    bool same = false;
    libro_code rc;

    libro_pg__param_text(&p, number);
    libro_pg__param_i64(&p, version);
    libro_pg__param_text(&p, jws);
    rc = libro_pg__exec(s, &res, sql, &p, "credential", err);
    if (rc != LIBRO_OK || (rc = libro_pg__col_i64(&inserted, res, 0, 0, err)) != LIBRO_OK ||
        inserted == 1) {
        goto out;
    }
    rc = libro_pg__col_bool(&same, res, 0, 1, err);
    if (rc == LIBRO_OK && !same) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "license %.64s version %u already has another credential", number,
                             (unsigned) version);
    }
out:
    libro_pg__clear(res);
    return rc;
}

/* A new license row, inserted only when its type is defined and its status index reserved
 * and nothing it must be unique against is taken; the row counts tell which. */
static libro_code
license_insert(pg *s, const libro_pg__params *p, libro_error *err)
{
    static const char sql[] =
        "WITH ins AS (INSERT INTO license (version, state, license_type, holder_name, issuer,"
        " valid_from, valid_until, status_list, status_index, number)"
        " SELECT $1::int8, $2::int4, $3::text, $4::text, $5::text, $6::int8, $7::int8,"
        " $8::int8, $9::int8, $10::text"
        " WHERE EXISTS (SELECT 1 FROM license_type WHERE id = $3)"
        " AND EXISTS (SELECT 1 FROM status_slot WHERE list = $8 AND idx = $9)"
        " ON CONFLICT DO NOTHING RETURNING 1)"
        " SELECT (SELECT count(*) FROM ins), EXISTS (SELECT 1 FROM license_type WHERE id = $3)"
        " AND EXISTS (SELECT 1 FROM status_slot WHERE list = $8 AND idx = $9)";
    PGresult *res = NULL;
    int64_t inserted = 0;
    bool refs = false;
    libro_code rc;

    rc = libro_pg__exec(s, &res, sql, p, "license", err);
    if (rc != LIBRO_OK || (rc = libro_pg__col_i64(&inserted, res, 0, 0, err)) != LIBRO_OK ||
        inserted == 1 || (rc = libro_pg__col_bool(&refs, res, 0, 1, err)) != LIBRO_OK) {
        goto out;
    }
    rc = refs ? libro_error_set(err, LIBRO_ERR_EXISTS,
                                "license number or status index already registered")
              : libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                                "license type undefined or status index not reserved");
out:
    libro_pg__clear(res);
    return rc;
}

/* The search keys of a new license's holder (libro_store__holder_keys), in one statement of
 * fixed text (statements are prepared once): the keys as $2.., NULL past the last. */
static libro_code
holder_keys_put(pg *s, const char *number, const char *name, libro_error *err)
{
    static const char sql[] =
        "INSERT INTO license_holder_key (key, number) SELECT k, $1 FROM unnest(ARRAY[$2, $3,"
        " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17]::text[]) AS k"
        " WHERE k IS NOT NULL";
    size_t starts[LIBRO_STORE_HOLDER_MAX_KEYS];
    size_t n = 0;
    char *lower = NULL;
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    libro_code rc = libro_store__holder_keys(&lower, starts, &n, name, err);

    _Static_assert(LIBRO_STORE_HOLDER_MAX_KEYS == 16, "the statement has 16 keys");
    if (rc == LIBRO_OK && n > 0) {
        libro_pg__param_text(&p, number);
        for (size_t i = 0; i < LIBRO_STORE_HOLDER_MAX_KEYS; i++) {
            libro_pg__param_text(&p, i < n ? lower + starts[i] : NULL);
        }
        rc = libro_pg__exec(s, NULL, sql, &p, "holder key", err);
    }
    libro_free(lower);
    return rc;
}

static libro_code
pg_license_put(void *h, const libro_license_record *r, bool insert, libro_error *err)
{
    static const char update_sql[] =
        "UPDATE license SET version = $1, state = $2, license_type = $3, holder_name = $4,"
        " issuer = $5, valid_from = $6, valid_until = $7, status_list = $8, status_index = $9"
        " WHERE number = $10";
    pg *s = h;
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    if (r->credential == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "license %.64s: no credential",
                               r->number);
    }
    libro_pg__param_i64(&p, r->version);
    libro_pg__param_i64(&p, (int64_t) r->state);
    libro_pg__param_text(&p, r->license_type);
    libro_pg__param_text(&p, r->holder_name);
    libro_pg__param_text(&p, r->issuer);
    libro_pg__param_i64(&p, r->valid_from);
    libro_pg__param_i64(&p, r->valid_until);
    libro_pg__param_i64(&p, r->status_list);
    libro_pg__param_i64(&p, r->status_index);
    libro_pg__param_text(&p, r->number);
    if (insert) {
        rc = license_insert(s, &p, err);
    } else {
        rc = libro_pg__exec_changes(s, &changed, update_sql, &p, "license", err);
        if (rc == LIBRO_OK && changed == 0) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no license %.64s", r->number);
        }
    }
    if (rc == LIBRO_OK) {
        rc = credential_put(s, r->number, r->version, r->credential, err);
    }
    if (rc == LIBRO_OK && insert) {
        rc = holder_keys_put(s, r->number, r->holder_name, err);
    }
    return rc;
}

/* Rows of a license query, for libro_pg__list. */
static libro_code
license_row(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    (void) s;
    return read_record(rec, res, row, err);
}

static void
licenses_free(void *list, size_t n)
{
    libro_license_records_free(list, n);
}

static libro_code
pg_license_due(void *h, libro_license_record **out, size_t *n, libro_license_state state,
               int64_t until, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_i64(&p, (int64_t) state);
    libro_pg__param_i64(&p, until);
    return libro_pg__list(h, (void **) out, n, sizeof **out,
                          "SELECT " LICENSE_COLUMNS LICENSE_FROM " WHERE l.state = $1"
                          " AND l.valid_until < $2 ORDER BY l.valid_until, l.number",
                          &p, "licenses", license_row, licenses_free, err);
}

/* Active licenses with valid_until in [now, until], and expired ones whose type's grace
 * period has not ended at `now`, by valid_until then number (store.h): two ranges of
 * license_expiring, merged in order. libpq holds a whole result in memory, so the walk reads
 * pages of EXPIRING_PAGE rows, each after the last row of the one before, all in one snapshot
 * (the open transaction's, or a read transaction of its own). */
#define EXPIRING_PAGE 1000
#define EXPIRING_WHERE " AND (l.valid_until, l.number) > ($3, $4)"
#define EXPIRING_EXPIRED                                                                           \
    " ON t.id = l.license_type WHERE l.state = 4"                                                  \
    " AND l.valid_until >= $1 - (SELECT COALESCE(MAX(grace_days), 0) FROM license_type)"           \
    " * 86400 AND l.valid_until >= $1 - t.grace_days * 86400" EXPIRING_WHERE                       \
    " ORDER BY 8, 1 LIMIT $5"

static libro_code
expiring_page(pg *s, int64_t now, int64_t until, int64_t *after_until, char **after_number,
              bool with_credential, libro_license_record_fn fn, void *ctx, int *rows,
              libro_error *err)
{
    static const char with_sql[] =
        "SELECT " LICENSE_COLUMNS LICENSE_FROM
        " WHERE l.state = 1 AND l.valid_until BETWEEN $1 AND $2" EXPIRING_WHERE
        " UNION ALL SELECT " LICENSE_COLUMNS LICENSE_FROM " JOIN license_type t" EXPIRING_EXPIRED;
    static const char bare_sql[] =
        "SELECT " LICENSE_COLUMNS_BARE " FROM license l"
        " WHERE l.state = 1 AND l.valid_until BETWEEN $1 AND $2" EXPIRING_WHERE
        " UNION ALL SELECT " LICENSE_COLUMNS_BARE
        " FROM license l JOIN license_type t" EXPIRING_EXPIRED;
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_license_record rec = {0};
    libro_code rc;
    int row;

    *rows = 0;
    libro_pg__param_i64(&p, now);
    libro_pg__param_i64(&p, until);
    libro_pg__param_i64(&p, *after_until);
    libro_pg__param_text(&p, *after_number);
    libro_pg__param_i64(&p, EXPIRING_PAGE);
    rc = libro_pg__exec(s, &res, with_credential ? with_sql : bare_sql, &p, "licenses", err);
    for (row = 0; rc == LIBRO_OK && row < libro_pg__rows(res); row++) {
        rc = read_record(&rec, res, row, err);
        if (rc == LIBRO_OK) {
            rc = fn(ctx, &rec, err);
        }
        if (rc == LIBRO_OK) {
            /* The next page starts after this row. */
            libro_free(*after_number);
            *after_until = rec.valid_until;
            *after_number = rec.number;
            rec.number = NULL;
        }
        libro_license_record_clear(&rec);
    }
    *rows = libro_pg__rows(res);
    libro_pg__clear(res);
    return rc;
}

static libro_code
pg_license_expiring_each(void *h, int64_t now, int64_t until, int64_t after_until,
                         const char *after_number, bool with_credential, libro_license_record_fn fn,
                         void *ctx, libro_error *err)
{
    pg *s = h;
    char *number = libro_strndup(after_number, strlen(after_number));
    bool own_tx = !s->in_tx;
    int rows = EXPIRING_PAGE;
    libro_code rc = LIBRO_OK;

    if (number == NULL) {
        return libro_pg__nomem(err);
    }
    if (own_tx) {
        rc = pg_begin_read(s, err);
    }
    while (rc == LIBRO_OK && rows == EXPIRING_PAGE) {
        rc = expiring_page(s, now, until, &after_until, &number, with_credential, fn, ctx, &rows,
                           err);
    }
    if (own_tx && rc == LIBRO_OK) {
        rc = pg_commit(s, err);
    }
    if (own_tx && rc != LIBRO_OK) {
        pg_rollback(s);
    }
    libro_free(number);
    return rc;
}

static libro_code
pg_license_search_holder(void *h, libro_license_record **out, size_t *n, const char *from,
                         const char *to, size_t limit, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, from);
    libro_pg__param_text(&p, to);
    libro_pg__param_i64(&p, (int64_t) limit);
    return libro_pg__list(h, (void **) out, n, sizeof **out,
                          "SELECT " LICENSE_COLUMNS_BARE " FROM license_holder_key k"
                          " JOIN license l ON l.number = k.number WHERE k.key >= $1"
                          " AND k.key < $2 ORDER BY k.key, k.number LIMIT $3",
                          &p, "licenses", license_row, licenses_free, err);
}

static libro_code
pg_license_counts(void *h, size_t counts[7], libro_error *err)
{
    PGresult *res = NULL;
    libro_code rc;
    int row;

    memset(counts, 0, 7 * sizeof counts[0]);
    rc = libro_pg__exec(h, &res, "SELECT state, COUNT(*) FROM license GROUP BY state", NULL,
                        "counts", err);
    for (row = 0; rc == LIBRO_OK && row < libro_pg__rows(res); row++) {
        int state = 0;
        int64_t count = 0;

        if ((rc = libro_pg__col_int(&state, res, row, 0, 1, 6, err)) == LIBRO_OK &&
            (rc = libro_pg__col_i64(&count, res, row, 1, err)) == LIBRO_OK) {
            counts[state] = (size_t) count;
        }
    }
    libro_pg__clear(res);
    return rc;
}

/* ---- events ------------------------------------------------------------------------------- */

static libro_code
pg_event_append(void *h, const char *number, const libro_store_event *e, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    libro_code rc;

    libro_pg__param_text(&p, number);
    libro_pg__param_i64(&p, e->at);
    libro_pg__param_i64(&p, (int64_t) e->action);
    libro_pg__param_text(&p, e->actor);
    libro_pg__param_text(&p, e->reason == NULL ? "" : e->reason);
    libro_pg__param_i64(&p, (int64_t) e->from);
    libro_pg__param_i64(&p, (int64_t) e->to);
    libro_pg__param_i64(&p, e->version);
    libro_pg__param_text(&p, e->evidence);
    libro_pg__param_i64(&p, (int64_t) e->category);
    rc = libro_pg__exec(h, NULL,
                        "INSERT INTO license_event (number, at, action, actor, reason, from_state,"
                        " to_state, version, evidence, category)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        &p, "event", err);
    /* The event names its version's credential; license_put has stored it (the same text, or
     * the event is refused), unless the caller appends an event for a version it did not
     * put. */
    if (rc == LIBRO_OK && e->credential != NULL) {
        rc = credential_put(h, number, e->version, e->credential, err);
    }
    return rc;
}

static libro_code
event_row(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_license_event *e = rec;
    int action = 0;
    int from = 0;
    int to = 0;
    int category = 0;
    libro_code rc;

    (void) s;
    if ((rc = libro_pg__col_i64(&e->at, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&action, res, row, 1, 1, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->actor, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->reason, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&from, res, row, 4, 0, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&to, res, row, 5, 1, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&e->version, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->evidence, res, row, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->credential, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&category, res, row, 9, 0, 7, err)) != LIBRO_OK) {
        return rc; /* its strings so far are freed with the list */
    }
    e->category = (libro_reason_category) category;
    e->action = (libro_action) action;
    e->from = (libro_license_state) from;
    e->to = (libro_license_state) to;
    return LIBRO_OK;
}

static void
events_free(void *list, size_t n)
{
    libro_license_events_free(list, n);
}

static libro_code
pg_event_list(void *h, libro_license_event **out, size_t *n, const char *number, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, number);
    return libro_pg__list(
        h, (void **) out, n, sizeof **out,
        "SELECT e.at, e.action, e.actor, e.reason, e.from_state, e.to_state, e.version,"
        " e.evidence, c.jws, e.category FROM license_event e LEFT JOIN license_credential c"
        " ON e.action IN (1, 2) AND c.number = e.number AND c.version = e.version"
        " WHERE e.number = $1 ORDER BY e.id",
        &p, "events", event_row, events_free, err);
}

/* ---- status slots and bits ---------------------------------------------------------------- */

/* The stored list number of `list` in `space`. */
static int64_t
stored_list(libro_store_space space, uint32_t list)
{
    return (int64_t) list + (space == LIBRO_SPACE_MANDATES ? LIBRO_PG_MANDATE_LISTS : 0);
}

static libro_code
pg_slot_current(void *h, libro_store_space space, uint32_t *list, uint64_t *used, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int64_t n = 0;
    libro_code rc;

    *list = 0;
    *used = 0;
    libro_pg__param_i64(&p, stored_list(space, 0));
    rc = libro_pg__exec(h, &res,
                        "SELECT list - $1, used FROM status_list_usage"
                        " WHERE list >= $1 AND list < $1 + 4294967296"
                        " ORDER BY list DESC LIMIT 1",
                        &p, "status slots", err);
    if (rc == LIBRO_OK && libro_pg__rows(res) == 1 &&
        (rc = libro_pg__col_u32(list, res, 0, 0, err)) == LIBRO_OK &&
        (rc = libro_pg__col_i64(&n, res, 0, 1, err)) == LIBRO_OK) {
        *used = (uint64_t) n;
    }
    libro_pg__clear(res);
    return rc;
}

static libro_code
pg_slot_reserve(void *h, libro_store_space space, uint32_t list, uint32_t index, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_i64(&p, stored_list(space, list));
    libro_pg__param_i64(&p, index);
    rc = libro_pg__exec_changes(
        h, &changed, "INSERT INTO status_slot (list, idx) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &p, "status slot", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "status index %u of list %u is taken",
                             (unsigned) index, (unsigned) list);
    }
    return rc;
}

static libro_code
pg_slot_state(void *h, libro_store_space space, uint32_t list, uint32_t index, bool *reserved,
              bool *in_use, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *reserved = false;
    *in_use = false;
    libro_pg__param_i64(&p, stored_list(space, list));
    libro_pg__param_i64(&p, index);
    libro_pg__param_i64(&p, list);
    rc = libro_pg__exec(
        h, &res,
        space == LIBRO_SPACE_MANDATES
            ? "SELECT EXISTS (SELECT 1 FROM status_slot WHERE list = $1 AND idx = $2),"
              " EXISTS (SELECT 1 FROM mandate WHERE status_list = $3 AND status_index = $2)"
            : "SELECT EXISTS (SELECT 1 FROM status_slot WHERE list = $1 AND idx = $2),"
              " EXISTS (SELECT 1 FROM license WHERE status_list = $3 AND status_index = $2)",
        &p, "status slot", err);
    if (rc == LIBRO_OK && (rc = libro_pg__col_bool(reserved, res, 0, 0, err)) == LIBRO_OK) {
        rc = libro_pg__col_bool(in_use, res, 0, 1, err);
    }
    libro_pg__clear(res);
    return rc;
}

/* Revocation and suspension are rows of status_bit (value 1), the words rows of
 * status_message ($3 is the value there); value 0 is no row. Each statement changes a row
 * only when the status changes, so that the row count tells a real change. */
static const char *
status_set_sql(int purpose, unsigned value)
{
    if (purpose == LIBRO_STATUS_MESSAGE) {
        return value != 0 ? "INSERT INTO status_message (list, idx, value) VALUES ($1, $2, $3)"
                            " ON CONFLICT (list, idx) DO UPDATE SET value = excluded.value"
                            " WHERE status_message.value <> excluded.value"
                          : "DELETE FROM status_message WHERE list = $1 AND idx = $2";
    }
    return value != 0 ? "INSERT INTO status_bit (list, idx, purpose) VALUES ($1, $2, $3)"
                        " ON CONFLICT DO NOTHING"
                      : "DELETE FROM status_bit WHERE list = $1 AND idx = $2 AND purpose = $3";
}

/* Bump the version of (space, list, purpose) in the open transaction: *version is the new
 * one. */
static libro_code
bump_version(pg *s, libro_store_space space, uint32_t list, int purpose, uint64_t *version,
             libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int64_t v = 0;
    libro_code rc;

    libro_pg__param_i64(&p, (int64_t) space);
    libro_pg__param_i64(&p, list);
    libro_pg__param_i64(&p, purpose);
    rc = libro_pg__exec(s, &res,
                        "INSERT INTO status_version (space, list, purpose, version)"
                        " VALUES ($1, $2, $3, 1) ON CONFLICT (space, list, purpose)"
                        " DO UPDATE SET version = status_version.version + 1 RETURNING version",
                        &p, "status version", err);
    if (rc == LIBRO_OK && (rc = libro_pg__col_i64(&v, res, 0, 0, err)) == LIBRO_OK) {
        *version = (uint64_t) v;
    }
    libro_pg__clear(res);
    return rc;
}

static libro_code
pg_status_set(void *h, libro_store_space space, uint32_t list, uint32_t index, int purpose,
              unsigned value, libro_error *err)
{
    pg *s = h;
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    libro_store__change change = {space, list, index, purpose, value, 0};
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_i64(&p, stored_list(space, list));
    libro_pg__param_i64(&p, index);
    if (purpose != LIBRO_STATUS_MESSAGE || value != 0) {
        libro_pg__param_i64(&p, purpose == LIBRO_STATUS_MESSAGE ? (int64_t) value : purpose);
    }
    rc = libro_pg__exec_changes(s, &changed, status_set_sql(purpose, value), &p, "status bit", err);
    if (rc != LIBRO_OK || changed == 0) {
        return rc;
    }
    rc = bump_version(s, space, list, purpose, &change.version, err);
    if (rc == LIBRO_OK) {
        rc = libro_store__changes_note(&s->changes, &change, s->in_tx, err);
    }
    return rc;
}

static libro_code
status_version_row(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_store_status_version *v = rec;
    int space = 0;
    int64_t version = 0;
    libro_code rc;

    (void) s;
    if ((rc = libro_pg__col_int(&space, res, row, 0, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&v->list, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&v->purpose, res, row, 2, 1, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&version, res, row, 3, err)) != LIBRO_OK) {
        return rc;
    }
    v->space = space == 1 ? LIBRO_SPACE_MANDATES : LIBRO_SPACE_LICENSES;
    v->version = (uint64_t) version;
    return LIBRO_OK;
}

static void
status_versions_free(void *list, size_t n)
{
    (void) n;
    libro_free(list);
}

static libro_code
pg_status_versions(void *h, libro_store_status_version **out, size_t *n, libro_error *err)
{
    return libro_pg__list(h, (void **) out, n, sizeof **out,
                          "SELECT space, list, purpose, version FROM status_version"
                          " ORDER BY space, list, purpose",
                          NULL, "status versions", status_version_row, status_versions_free, err);
}

/* On a standby: the log's size and the sum of the lists' versions as replayed so far (one
 * round trip). Every write that changes what the server keeps in memory appends a log leaf or
 * changes a status, so the count moves whenever either of them did. */
static libro_code
poll_changes(pg *s, libro_error *err)
{
    PGresult *res = NULL;
    int64_t now[2] = {0, 0};
    libro_code rc;

    rc = libro_pg__exec(s, &res,
                        "SELECT q.size, (SELECT coalesce(sum(version), 0) FROM status_version)"
                        " FROM libro_sequencer q",
                        NULL, "data version", err);
    if (rc == LIBRO_OK && libro_pg__rows(res) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT, "data version: the sequencer row is gone");
    }
    if (rc == LIBRO_OK) {
        rc = libro_pg__col_i64(&now[0], res, 0, 0, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_pg__col_i64(&now[1], res, 0, 1, err);
    }
    libro_pg__clear(res);
    if (rc == LIBRO_OK && (now[0] != s->polled[0] || now[1] != s->polled[1])) {
        s->polled[0] = now[0];
        s->polled[1] = now[1];
        s->changes_seen++;
    }
    return rc;
}

/* The count of commits by other connections: each write transaction sends NOTIFY
 * libro_change, which PostgreSQL delivers at commit to every listener; the first call LISTENs.
 * Later calls read what has arrived without a round trip. A lost connection, outside a
 * transaction, is reconnected here (the reconnect raises the count: notifications sent
 * meanwhile are lost). */
static libro_code
pg_data_version(void *h, uint64_t *out, libro_error *err)
{
    pg *s = h;
    PGnotify *note;
    libro_code rc = LIBRO_OK;
    int self;

    *out = 0;
    rc = fresh_connection(s, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!s->listening && !s->polling) {
        /* Inside a transaction LISTEN takes effect at its commit: until then nothing moves,
         * which the caller's next question sees. */
        rc = exec_plain(s, "LISTEN libro_change", "data version", err);
        if (rc == LIBRO_ERR_READONLY && !s->in_tx) {
            /* A hot standby (a read-only server on a replica) cannot LISTEN: ask instead. */
            s->polling = true;
            rc = LIBRO_OK;
        }
        if (rc != LIBRO_OK) {
            return rc;
        }
        s->listening = !s->polling;
    }
    if (s->polling) {
        rc = poll_changes(s, err);
        *out = s->changes_seen;
        return rc;
    }
    if (pq.consume_input(s->conn) != 1) {
        /* The server closed the connection while it was idle: connect again (outside a
         * transaction), which LISTENs again and moves the count. */
        if (s->in_tx || !connection_lost(s)) {
            return libro_pg__fail(s, NULL, "data version", err);
        }
        rc = reconnect(s, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    self = pq.backend_pid(s->conn);
    while ((note = pq.notifies(s->conn)) != NULL) {
        if (note->be_pid != self) {
            s->changes_seen++;
        }
        pq.freemem(note);
    }
    *out = s->changes_seen;
    return LIBRO_OK;
}

static void
pg_set_status_observer(void *h, libro_store_status_observer fn, void *ctx)
{
    pg *s = h;

    s->changes.observer = fn;
    s->changes.ctx = ctx;
    s->changes.n = 0;
}

static libro_code
pg_status_each(void *h, libro_store_space space, uint32_t list, int purpose,
               libro_store_status_fn fn, void *ctx, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;
    int row;

    libro_pg__param_i64(&p, stored_list(space, list));
    if (purpose != LIBRO_STATUS_MESSAGE) {
        libro_pg__param_i64(&p, purpose);
    }
    rc = libro_pg__exec(
        h, &res,
        purpose == LIBRO_STATUS_MESSAGE
            ? "SELECT idx, value FROM status_message WHERE list = $1 ORDER BY idx"
            : "SELECT idx, 1 FROM status_bit WHERE list = $1 AND purpose = $2 ORDER BY idx",
        &p, "status bits", err);
    for (row = 0; rc == LIBRO_OK && row < libro_pg__rows(res); row++) {
        uint32_t index = 0;
        int value = 0;

        if ((rc = libro_pg__col_u32(&index, res, row, 0, err)) == LIBRO_OK &&
            (rc = libro_pg__col_int(&value, res, row, 1, 1, 3, err)) == LIBRO_OK) {
            rc = fn(ctx, index, (unsigned) value, err);
        }
    }
    libro_pg__clear(res);
    return rc;
}

static const libro_store_ops pg_ops = {
    .close = pg_close,
    .poisoned = pg_poisoned,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .group_begin = pg_group_begin,
    .group_end = pg_group_end,
    .schema_version = pg_schema_version,
    .integrity_check = pg_integrity_check,
    .meta_get = pg_meta_get,
    .meta_put = pg_meta_put,
    .type_get = pg_type_get,
    .type_put = pg_type_put,
    .license_get = pg_license_get,
    .license_put = pg_license_put,
    .license_due = pg_license_due,
    .license_expiring_each = pg_license_expiring_each,
    .license_counts = pg_license_counts,
    .license_search_holder = pg_license_search_holder,
    .event_append = pg_event_append,
    .event_list = pg_event_list,
    .slot_current = pg_slot_current,
    .slot_reserve = pg_slot_reserve,
    .slot_state = pg_slot_state,
    .status_set = pg_status_set,
    .status_each = pg_status_each,
    .status_versions = pg_status_versions,
    .set_status_observer = pg_set_status_observer,
    .data_version = pg_data_version,
    .issuer_put = libro_pg__issuer_put,
    .issuer_get = libro_pg__issuer_get,
    .issuer_list = libro_pg__issuer_list,
    .request_record = libro_pg__request_record,
    .request_known = libro_pg__request_known,
    .log_size = libro_pg__log_size,
    .log_leaf_put = libro_pg__log_leaf_put,
    .log_leaf_get = libro_pg__log_leaf_get,
    .log_node_get = libro_pg__log_node_get,
    .log_node_put = libro_pg__log_node_put,
    .contact_put = libro_pg__contact_put,
    .contact_get = libro_pg__contact_get,
    .reminder_sent = libro_pg__reminder_sent,
    .reminder_claim = libro_pg__reminder_claim,
    .reminder_release = libro_pg__reminder_release,
    .webhook_put = libro_pg__webhook_put,
    .webhook_list = libro_pg__webhook_list,
    .webhook_delete = libro_pg__webhook_delete,
    .webhook_expiry_sent = libro_pg__webhook_expiry_sent,
    .webhook_expiry_mark = libro_pg__webhook_expiry_mark,
    .seat_put = libro_pg__seat_put,
    .seat_list = libro_pg__seat_list,
    .mandate_get = libro_pg__mandate_get,
    .mandate_put = libro_pg__mandate_put,
    .mandate_list = libro_pg__mandate_list,
    .agreement_get = libro_pg__agreement_get,
    .agreement_put = libro_pg__agreement_put,
    .agreement_list = libro_pg__agreement_list,
    .process_get = libro_pg__process_get,
    .process_put = libro_pg__process_put,
    .step_put = libro_pg__step_put,
    .step_list = libro_pg__step_list,
    .law_get = libro_pg__law_get,
    .law_put = libro_pg__law_put,
    .law_list = libro_pg__law_list,
};

/* ---- open, create, migrate ---------------------------------------------------------------- */

/* The schema's version: -1 when the schema holds no registry. */
static libro_code
read_version(pg *s, int64_t *version, libro_error *err)
{
    PGresult *res = NULL;
    bool present = false;
    libro_code rc;

    *version = -1;
    rc = libro_pg__exec(s, &res, "SELECT to_regclass('libro_schema_version') IS NOT NULL", NULL,
                        "schema version", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__col_bool(&present, res, 0, 0, err);
    }
    libro_pg__clear(res);
    res = NULL;
    if (rc != LIBRO_OK || !present) {
        return rc;
    }
    rc = libro_pg__exec(s, &res, "SELECT COALESCE(MAX(version), 0) FROM libro_schema_version", NULL,
                        "schema version", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__col_i64(version, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

/* Bring the schema up to date (and, creating, write the meta rows) in one transaction, under
 * an advisory lock of the schema's own, so that many processes starting at once migrate once:
 * the others wait, then find it current. DDL is transactional: on failure nothing is left. */
static libro_code
migrate(pg *s, const char *const *meta, bool creating, libro_error *err)
{
    const int64_t known = (int64_t) libro_pg__migration_count;
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    int64_t current = 0;
    int64_t v;
    size_t i;
    libro_code rc;

    rc = exec_plain(s, "BEGIN", "migration", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    s->in_tx = true;
    rc = libro_pg__exec(
        s, NULL, "SELECT pg_advisory_xact_lock(hashtext('libro schema ' || current_schema()))",
        NULL, "migration lock", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = read_version(s, &current, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (creating && current >= 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "%.200s already holds a registry", s->location);
        goto out;
    }
    if (!creating && current < 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no registry at %.200s", s->location);
        goto out;
    }
    if (current > known) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "database schema version %" PRId64
                             " is newer than this libro knows (%" PRId64 ")",
                             current, known);
        goto out;
    }
    if (current < 0) {
        rc = exec_plain(s,
                        "CREATE TABLE libro_schema_version (version integer PRIMARY KEY,"
                        " applied_at int8 NOT NULL)",
                        "schema version", err);
        current = 0;
    }
    for (v = current + 1; rc == LIBRO_OK && v <= known; v++) {
        const char *const *part = libro_pg__migrations[v - 1];

        for (; rc == LIBRO_OK && *part != NULL; part++) {
            rc = exec_plain(s, *part, "migration", err);
        }
        p.n = 0;
        libro_pg__param_i64(&p, v);
        libro_pg__param_i64(&p, libro_time_now());
        if (rc == LIBRO_OK) {
            rc = libro_pg__exec(s, NULL,
                                "INSERT INTO libro_schema_version (version, applied_at)"
                                " VALUES ($1, $2)",
                                &p, "schema version", err);
        }
    }
    for (i = 0; rc == LIBRO_OK && meta != NULL && meta[i] != NULL; i += 2) {
        rc = pg_meta_put(s, meta[i], meta[i + 1], err);
    }
    if (rc == LIBRO_OK) {
        s->write_tx = false;
        rc = commit_tx(s, err);
    }
out:
    if (rc != LIBRO_OK) {
        pg_rollback(s);
    } else {
        s->version = (int) known;
    }
    return rc;
}

/* A password in the URI would show in the process list (argv) and in every message that
 * names the database. */
static libro_code
refuse_password(const char *uri, libro_error *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = pq.conninfo_parse(uri, &perr);
    libro_code rc = LIBRO_OK;
    PQconninfoOption *o;

    if (opts == NULL) {
        char line[160];

        first_line(line, sizeof line, perr != NULL ? perr : "out of memory");
        if (perr != NULL) {
            pq.freemem(perr);
        }
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "database URI: %.150s", line);
    }
    for (o = opts; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                 "a password in the database URI would show in the process "
                                 "list: use PGPASSFILE, a service file (service=NAME) or "
                                 "PGPASSWORD");
        }
    }
    pq.conninfo_free(opts);
    return rc;
}

static libro_code
connect_store(pg **out, const char *uri, bool read_only, libro_error *err)
{
    static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *values[] = {uri, "libro", NULL};
    pg *s = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_dl__load(&pq_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = refuse_password(uri, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    s = libro_calloc(1, sizeof *s);
    if (s == NULL || (s->location = libro_strndup(uri, strlen(uri))) == NULL) {
        rc = libro_pg__nomem(err);
        goto out;
    }
    s->read_only = read_only;
    s->conn = pq.connectdb_params(keys, values, 1);
    if (s->conn == NULL || pq.status(s->conn) != CONNECTION_OK) {
        rc = connect_fail(s, "connect", err);
        goto out;
    }
    rc = after_connect(s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = s;
    s = NULL; /* moved to caller */
out:
    pg_close(s);
    return rc;
}

libro_code
libro_store__pg_open(libro_store *out, const char *uri, bool read_only, libro_error *err)
{
    pg *s = NULL;
    int64_t current = 0;
    libro_code rc;

    out->ops = NULL;
    out->h = NULL;
    rc = connect_store(&s, uri, read_only, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The common case, a schema already current, is settled by a read without the lock. */
    rc = read_version(s, &current, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (current < 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no registry at %.200s", uri);
        goto out;
    }
    if (current > (int64_t) libro_pg__migration_count) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "database schema version %" PRId64
                             " is newer than this libro knows (%zu)",
                             current, libro_pg__migration_count);
        goto out;
    }
    if (current < (int64_t) libro_pg__migration_count) {
        if (read_only) {
            rc = libro_error_set(err, LIBRO_ERR_READONLY,
                                 "database schema version %" PRId64
                                 " is older than this libro's (%zu): open it writable once "
                                 "to migrate it",
                                 current, libro_pg__migration_count);
            goto out;
        }
        rc = migrate(s, NULL, false, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    s->version = (int) libro_pg__migration_count;
    out->ops = &pg_ops;
    out->h = s;
    s = NULL; /* moved to caller */
out:
    pg_close(s);
    return rc;
}

libro_code
libro_store__pg_create(libro_store *out, const char *uri, const char *const *meta, libro_error *err)
{
    pg *s = NULL;
    libro_code rc;

    out->ops = NULL;
    out->h = NULL;
    rc = connect_store(&s, uri, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = migrate(s, meta, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    out->ops = &pg_ops;
    out->h = s;
    s = NULL; /* moved to caller */
out:
    pg_close(s);
    return rc;
}
