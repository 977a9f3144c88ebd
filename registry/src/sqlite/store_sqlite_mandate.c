/* libro_registry: the SQLite store of roundtables (migration 5): seats and mandates. Rows, not
 * rules: registry/src/mandate.c decides, inside the transactions the store opens. */
#include <string.h>

#include "libro/util.h"
#include "sqlite_int.h"

/* ---- seats -------------------------------------------------------------------------------- */

libro_code
libro_sq__seat_put(void *h, const char *community, const char *name, int level, const char *charter,
                   int64_t added_at, const char *actor, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT OR REPLACE INTO seat (community, name, level, charter, added_at,"
                           " actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "seat", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, community, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int(st, 3, level)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 4, charter, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 5, added_at)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "seat", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "seat", err);
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__seat_list(void *h, libro_seat **out, size_t *n, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_seat *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st,
                           "SELECT community, name, level, charter, added_at, actor FROM seat"
                           " ORDER BY community",
                           "seats", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        libro_seat *e;

        if (count == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2;
            libro_seat *grown = libro_realloc(list, ncap * sizeof *list);

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
        if ((rc = libro_sq__col_text(&e->community, st, 0, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->name, st, 1, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->charter, st, 3, err)) != LIBRO_OK ||
            (rc = libro_sq__col_text(&e->actor, st, 5, err)) != LIBRO_OK) {
            goto out;
        }
        e->level = sqlite3_column_int(st, 2);
        e->added_at = sqlite3_column_int64(st, 4);
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "seats", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_seats_free(list, count);
    sqlite3_finalize(st);
    return rc;
}

/* ---- mandates ----------------------------------------------------------------------------- */

#define MANDATE_COLUMNS                                                                            \
    "id, office, roundtable, roundtable_level, seat, holder, name, voting, issuer, valid_from,"    \
    " valid_until, state, ended_at, end_reason, ended_by, status_set, status_list, status_index,"  \
    " credential, registered_at"

static libro_code
read_mandate(libro_mandate_record *m, sqlite3_stmt *st, libro_error *err)
{
    const unsigned char *id = sqlite3_column_text(st, 0);
    uint32_t state = 0;
    libro_code rc;

    memset(m, 0, sizeof *m);
    if (id == NULL || strlen((const char *) id) != LIBRO_MANDATE_ID_LEN) {
        return libro_error_set(err, LIBRO_ERR_IO, "database: a mandate id is malformed");
    }
    memcpy(m->id, id, LIBRO_MANDATE_ID_LEN + 1);
    if ((rc = libro_sq__col_text(&m->roundtable, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->seat, st, 4, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->holder, st, 5, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->name, st, 6, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->issuer, st, 8, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&state, st, 11, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->end_reason, st, 13, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->ended_by, st, 14, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&m->status_list, st, 16, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&m->status_index, st, 17, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&m->credential, st, 18, err)) != LIBRO_OK) {
        libro_mandate_record_clear(m);
        return rc;
    }
    m->office = (libro_office) sqlite3_column_int(st, 1);
    m->roundtable_level = sqlite3_column_int(st, 3);
    m->voting = sqlite3_column_int(st, 7) != 0;
    m->valid_from = sqlite3_column_int64(st, 9);
    m->valid_until = sqlite3_column_int64(st, 10);
    m->state = (libro_mandate_state) state;
    m->ended_at = sqlite3_column_int64(st, 12);
    m->status_set = sqlite3_column_int(st, 15) != 0;
    m->registered_at = sqlite3_column_int64(st, 19);
    return LIBRO_OK;
}

libro_code
libro_sq__mandate_get(void *h, libro_mandate_record *out, const char *id, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    memset(out, 0, sizeof *out);
    rc = libro_sq__prepare(s, &st, "SELECT " MANDATE_COLUMNS " FROM mandate WHERE id = ?1",
                           "mandate", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "mandate", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no mandate %.71s", id);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = libro_sq__db_fail(s, src, "mandate", err);
        goto out;
    }
    rc = read_mandate(out, st, err);
out:
    sqlite3_finalize(st);
    return rc;
}

int
libro_sq__bind_text_or_null(sqlite3_stmt *st, int col, const char *v)
{
    return v == NULL ? sqlite3_bind_null(st, col)
                     : sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
}

libro_code
libro_sq__mandate_put(void *h, const libro_mandate_record *m, bool insert, libro_error *err)
{
    static const char insert_sql[] =
        "INSERT INTO mandate (state, ended_at, end_reason, ended_by, status_set, id, office,"
        " roundtable, roundtable_level, seat, seat_key, holder, name, voting, issuer, valid_from,"
        " valid_until, status_list, status_index, credential, registered_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, COALESCE(?10, ''), ?11, ?12, ?13, ?14,"
        " ?15, ?16, ?17, ?18, ?19, ?20)";
    /* Only the end of a mandate ever changes. */
    static const char update_sql[] = "UPDATE mandate SET state = ?1, ended_at = ?2,"
                                     " end_reason = ?3, ended_by = ?4, status_set = ?5"
                                     " WHERE id = ?6";
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, insert ? insert_sql : update_sql, "mandate", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, (int) m->state)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, m->ended_at)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 3, m->end_reason)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 4, m->ended_by)) != SQLITE_OK ||
        (src = sqlite3_bind_int(st, 5, m->status_set ? 1 : 0)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 6, m->id, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "mandate", err);
        goto out;
    }
    if (insert &&
        ((src = sqlite3_bind_int(st, 7, m->office)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 8, m->roundtable, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int(st, 9, m->roundtable_level)) != SQLITE_OK ||
         (src = libro_sq__bind_text_or_null(st, 10, m->seat)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 11, m->holder, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 12, m->name, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int(st, 13, m->voting ? 1 : 0)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 14, m->issuer, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 15, m->valid_from)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 16, m->valid_until)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 17, m->status_list)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 18, m->status_index)) != SQLITE_OK ||
         (src = sqlite3_bind_text(st, 19, m->credential, -1, SQLITE_STATIC)) != SQLITE_OK ||
         (src = sqlite3_bind_int64(st, 20, m->registered_at)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "mandate", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY || src == SQLITE_CONSTRAINT_UNIQUE) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "mandate or status index already registered");
        goto out;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "mandate", err);
        goto out;
    }
    if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no mandate %.71s", m->id);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static const char *
query_sql(libro_store_mandate_query q)
{
    switch (q) {
    case LIBRO_MQ_SEAT:
        return "SELECT " MANDATE_COLUMNS " FROM mandate WHERE office = ?1"
               " AND seat_key = COALESCE(?2, '') ORDER BY valid_from, id";
    case LIBRO_MQ_AT:
        return "SELECT " MANDATE_COLUMNS " FROM mandate WHERE valid_from <= ?3"
               " AND valid_until >= ?3 AND (state = 1 OR ended_at > ?3)"
               " ORDER BY CASE office WHEN 2 THEN 0 ELSE 1 END, seat_key, office, valid_from, id";
    case LIBRO_MQ_EXPIRING:
        return "SELECT " MANDATE_COLUMNS " FROM mandate WHERE valid_until >= ?3"
               " AND valid_until <= ?4 AND state = 1 ORDER BY valid_until, id";
    case LIBRO_MQ_ALL:
        return "SELECT " MANDATE_COLUMNS " FROM mandate"
               " ORDER BY CASE office WHEN 2 THEN 0 ELSE 1 END, seat_key, office, valid_from, id";
    case LIBRO_MQ_PENDING:
        return "SELECT " MANDATE_COLUMNS " FROM mandate WHERE state <> 1 AND status_set = 0"
               " AND ended_at <= ?3 ORDER BY ended_at, id";
    }
    return NULL;
}

libro_code
libro_sq__mandate_list(void *h, libro_mandate_record **out, size_t *n, libro_store_mandate_query q,
                       int office, const char *seat, int64_t a, int64_t b, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_mandate_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    const char *sql = query_sql(q);
    libro_code rc;
    int src;

    *out = NULL;
    *n = 0;
    if (sql == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandates: unknown query");
    }
    rc = libro_sq__prepare(s, &st, sql, "mandates", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Each query names only some of the parameters; the others are bound and unused. */
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);

        src = SQLITE_OK;
        if (name != NULL && strcmp(name, "?1") == 0) {
            src = sqlite3_bind_int(st, i, office);
        } else if (name != NULL && strcmp(name, "?2") == 0) {
            src = libro_sq__bind_text_or_null(st, i, seat);
        } else if (name != NULL && strcmp(name, "?3") == 0) {
            src = sqlite3_bind_int64(st, i, a);
        } else if (name != NULL && strcmp(name, "?4") == 0) {
            src = sqlite3_bind_int64(st, i, b);
        }
        if (src != SQLITE_OK) {
            rc = libro_sq__bind_fail(s, src, "mandates", err);
            goto out;
        }
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2;
            libro_mandate_record *grown = libro_realloc(list, ncap * sizeof *list);

            if (grown == NULL) {
                rc = libro_sq__nomem(err);
                goto out;
            }
            list = grown;
            cap = ncap;
        }
        rc = read_mandate(&list[count], st, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        count++;
    }
    if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "mandates", err);
        goto out;
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_mandate_records_free(list, count);
    sqlite3_finalize(st);
    return rc;
}
