/* libro_registry: the PostgreSQL store of roundtables: seats and mandates, with the semantics,
 * codes and orders of the SQLite store (sqlite/store_sqlite_mandate.c). Rows, not rules:
 * registry/src/mandate.c decides, inside the transactions the store opens. A failed statement
 * aborts a PostgreSQL transaction, so a taken id or status index is found by ON CONFLICT DO
 * NOTHING and the row count, never by an error. */
#include <string.h>

#include "libro/util.h"
#include "pg_int.h"
#include "registry_int.h"

/* ---- seats -------------------------------------------------------------------------------- */

static const char seat_put_sql[] =
    "INSERT INTO seat (community, name, level, charter, added_at, actor)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community) DO UPDATE SET"
    " name = EXCLUDED.name, level = EXCLUDED.level, charter = EXCLUDED.charter,"
    " added_at = EXCLUDED.added_at, actor = EXCLUDED.actor";

static const char seat_list_sql[] =
    "SELECT community, name, level, charter, added_at, actor FROM seat ORDER BY community";

libro_code
libro_pg__seat_put(void *h, const char *community, const char *name, int level, const char *charter,
                   int64_t added_at, const char *actor, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, community);
    libro_pg__param_text(&p, name);
    libro_pg__param_i64(&p, level);
    libro_pg__param_text(&p, charter);
    libro_pg__param_i64(&p, added_at);
    libro_pg__param_text(&p, actor);
    return libro_pg__exec(h, NULL, seat_put_sql, &p, "seat", err);
}

static libro_code
read_seat(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_seat *e = rec;
    libro_code rc;

    (void) s;
    if ((rc = libro_pg__col_text(&e->community, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->name, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&e->level, res, row, 2, 0, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&e->charter, res, row, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&e->added_at, res, row, 4, err)) != LIBRO_OK) {
        return rc;
    }
    return libro_pg__col_text(&e->actor, res, row, 5, err);
}

static void
seats_free(void *list, size_t n)
{
    libro_seats_free(list, n);
}

libro_code
libro_pg__seat_list(void *h, libro_seat **out, size_t *n, libro_error *err)
{
    return libro_pg__list(h, (void **) out, n, sizeof **out, seat_list_sql, NULL, "seats",
                          read_seat, seats_free, err);
}

/* ---- mandates ----------------------------------------------------------------------------- */

#define MANDATE_COLUMNS                                                                            \
    "id, office, roundtable, roundtable_level, seat, holder, name, voting, issuer, valid_from,"    \
    " valid_until, state, ended_at, end_reason, ended_by, status_set, status_list, status_index,"  \
    " credential, registered_at"

/* The roundtable's order (LIBRO_MQ_AT, LIBRO_MQ_ALL): the chair first, then by seat. */
#define MANDATE_ROUNDTABLE_ORDER                                                                   \
    " ORDER BY CASE office WHEN 2 THEN 0 ELSE 1 END, seat_key, office, valid_from, id"

static const char mandate_get_sql[] = "SELECT " MANDATE_COLUMNS " FROM mandate WHERE id = $1";

/* The insert names every column; a taken id or status index inserts nothing. */
static const char mandate_insert_sql[] =
    "INSERT INTO mandate (state, ended_at, end_reason, ended_by, status_set, id, office,"
    " roundtable, roundtable_level, seat, seat_key, holder, name, voting, issuer, valid_from,"
    " valid_until, status_list, status_index, credential, registered_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text, COALESCE($10::text, ''), $11, $12,"
    " $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT DO NOTHING";

/* Only the end of a mandate ever changes. */
static const char mandate_update_sql[] = "UPDATE mandate SET state = $1, ended_at = $2,"
                                         " end_reason = $3, ended_by = $4, status_set = $5"
                                         " WHERE id = $6";

/* Each query numbers only the parameters it uses (PostgreSQL types each one it is given). */
static const char mq_seat_sql[] = "SELECT " MANDATE_COLUMNS " FROM mandate WHERE office = $1"
                                  " AND seat_key = COALESCE($2::text, '') ORDER BY valid_from, id";
static const char mq_at_sql[] =
    "SELECT " MANDATE_COLUMNS " FROM mandate WHERE valid_from <= $1"
    " AND valid_until >= $1 AND (state = 1 OR ended_at > $1)" MANDATE_ROUNDTABLE_ORDER;
static const char mq_expiring_sql[] = "SELECT " MANDATE_COLUMNS " FROM mandate"
                                      " WHERE valid_until >= $1 AND valid_until <= $2"
                                      " AND state = 1 ORDER BY valid_until, id";
static const char mq_pending_sql[] = "SELECT " MANDATE_COLUMNS " FROM mandate WHERE state <> 1"
                                     " AND status_set = 0 AND ended_at <= $1"
                                     " ORDER BY ended_at, id";
static const char mq_all_sql[] = "SELECT " MANDATE_COLUMNS " FROM mandate" MANDATE_ROUNDTABLE_ORDER;

static libro_code
read_mandate(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_mandate_record *m = rec;
    char *id = NULL;
    int office = 0;
    int state = 0;
    int voting = 0;
    int status_set = 0;
    libro_code rc;

    (void) s;
    memset(m, 0, sizeof *m);
    rc = libro_pg__col_text(&id, res, row, 0, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (id == NULL || strlen(id) != LIBRO_MANDATE_ID_LEN) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "database: a mandate id is malformed");
        goto out;
    }
    memcpy(m->id, id, LIBRO_MANDATE_ID_LEN + 1);
    if ((rc = libro_pg__col_int(&office, res, row, 1, 1, 3, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->roundtable, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&m->roundtable_level, res, row, 3, 0, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->seat, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->holder, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->name, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&voting, res, row, 7, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->issuer, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&m->valid_from, res, row, 9, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&m->valid_until, res, row, 10, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&state, res, row, 11, 1, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&m->ended_at, res, row, 12, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->end_reason, res, row, 13, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->ended_by, res, row, 14, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&status_set, res, row, 15, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&m->status_list, res, row, 16, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&m->status_index, res, row, 17, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&m->credential, res, row, 18, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&m->registered_at, res, row, 19, err)) != LIBRO_OK) {
        goto out;
    }
    m->office = (libro_office) office;
    m->voting = voting != 0;
    m->state = (libro_mandate_state) state;
    m->status_set = status_set != 0;
out:
    if (rc != LIBRO_OK) {
        libro_mandate_record_clear(m);
    }
    libro_free(id);
    return rc;
}

libro_code
libro_pg__mandate_get(void *h, libro_mandate_record *out, const char *id, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    bool found = false;
    libro_code rc;

    libro_pg__param_text(&p, id);
    rc = libro_pg__one(h, out, sizeof *out, &found, mandate_get_sql, &p, "mandate", read_mandate,
                       err);
    if (rc == LIBRO_OK && !found) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no mandate %.71s", id);
    }
    return rc;
}

libro_code
libro_pg__mandate_put(void *h, const libro_mandate_record *m, bool insert, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changes = 0;
    libro_code rc;

    libro_pg__param_i64(&p, (int64_t) m->state);
    libro_pg__param_i64(&p, m->ended_at);
    libro_pg__param_text(&p, m->end_reason);
    libro_pg__param_text(&p, m->ended_by);
    libro_pg__param_i64(&p, m->status_set ? 1 : 0);
    libro_pg__param_text(&p, m->id);
    if (insert) {
        libro_pg__param_i64(&p, (int64_t) m->office);
        libro_pg__param_text(&p, m->roundtable);
        libro_pg__param_i64(&p, m->roundtable_level);
        libro_pg__param_text(&p, m->seat);
        libro_pg__param_text(&p, m->holder);
        libro_pg__param_text(&p, m->name);
        libro_pg__param_i64(&p, m->voting ? 1 : 0);
        libro_pg__param_text(&p, m->issuer);
        libro_pg__param_i64(&p, m->valid_from);
        libro_pg__param_i64(&p, m->valid_until);
        libro_pg__param_i64(&p, m->status_list);
        libro_pg__param_i64(&p, m->status_index);
        libro_pg__param_text(&p, m->credential);
        libro_pg__param_i64(&p, m->registered_at);
    }
    rc = libro_pg__exec_changes(h, &changes, insert ? mandate_insert_sql : mandate_update_sql, &p,
                                "mandate", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (changes == 0 && insert) {
        return libro_error_set(err, LIBRO_ERR_EXISTS, "mandate or status index already registered");
    }
    if (changes == 0) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no mandate %.71s", m->id);
    }
    return LIBRO_OK;
}

static void
mandates_free(void *list, size_t n)
{
    libro_mandate_records_free(list, n);
}

libro_code
libro_pg__mandate_list(void *h, libro_mandate_record **out, size_t *n, libro_store_mandate_query q,
                       int office, const char *seat, int64_t a, int64_t b, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    const char *sql = NULL;

    *out = NULL;
    *n = 0;
    switch (q) {
    case LIBRO_MQ_SEAT:
        sql = mq_seat_sql;
        libro_pg__param_i64(&p, office);
        libro_pg__param_text(&p, seat);
        break;
    case LIBRO_MQ_AT:
        sql = mq_at_sql;
        libro_pg__param_i64(&p, a);
        break;
    case LIBRO_MQ_EXPIRING:
        sql = mq_expiring_sql;
        libro_pg__param_i64(&p, a);
        libro_pg__param_i64(&p, b);
        break;
    case LIBRO_MQ_PENDING:
        sql = mq_pending_sql;
        libro_pg__param_i64(&p, a);
        break;
    case LIBRO_MQ_ALL:
        sql = mq_all_sql;
        break;
    }
    if (sql == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandates: unknown query");
    }
    return libro_pg__list(h, (void **) out, n, sizeof **out, sql, &p, "mandates", read_mandate,
                          mandates_free, err);
}
