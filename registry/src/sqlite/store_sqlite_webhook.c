/* libro_registry: the SQLite store's webhook subscriptions and their delivery state (the
 * webhook table's migration), with the semantics of store.h. */
#include <string.h>

#include "libro/util.h"
#include "sqlite_int.h"

#define WEBHOOK_COLUMNS                                                                            \
    "id, url, licenses, insecure_http, created_at, cursor, attempts, next_at, failing_since,"      \
    " last_error, lease_owner, lease_until, expiring_within, expiry_checked_at"

libro_code
libro_sq__webhook_put(void *h, const libro_webhook *w, bool insert, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    /* An update binds ?2..?5 and ?13 too: SQLite numbers the slots up to the highest, used or
     * not. */
    rc = libro_sq__prepare(
        s, &st,
        insert ? "INSERT INTO webhook (" WEBHOOK_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                 " ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
               : "UPDATE webhook SET cursor = ?6, attempts = ?7, next_at = ?8, failing_since = ?9,"
                 " last_error = ?10, lease_owner = ?11, lease_until = ?12,"
                 " expiry_checked_at = ?14 WHERE id = ?1",
        "webhook", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, w->url, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 3, w->licenses)) != SQLITE_OK ||
        (src = sqlite3_bind_int(st, 4, w->insecure_http ? 1 : 0)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 5, w->created_at)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 6, (sqlite3_int64) w->cursor)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 7, (sqlite3_int64) w->attempts)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 8, w->next_at)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 9, w->failing_since)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 10, w->last_error)) != SQLITE_OK ||
        (src = libro_sq__bind_text_or_null(st, 11, w->lease_owner)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 12, w->lease_until)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 13, (sqlite3_int64) w->expiring_within)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 14, w->expiry_checked_at)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "webhook", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "webhook %.32s exists", w->id);
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "webhook", err);
    } else if (!insert && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no webhook %.32s", w->id);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static libro_code
read_webhook(libro_webhook *w, sqlite3_stmt *st, libro_error *err)
{
    sqlite3_int64 cursor = sqlite3_column_int64(st, 5);
    libro_code rc;

    if ((rc = libro_sq__col_text(&w->id, st, 0, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&w->url, st, 1, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&w->licenses, st, 2, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&w->attempts, st, 6, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&w->last_error, st, 9, err)) != LIBRO_OK ||
        (rc = libro_sq__col_text(&w->lease_owner, st, 10, err)) != LIBRO_OK ||
        (rc = libro_sq__col_u32(&w->expiring_within, st, 12, err)) != LIBRO_OK) {
        return rc;
    }
    if (w->id == NULL || w->url == NULL || cursor < 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "webhook row is malformed");
    }
    w->insecure_http = sqlite3_column_int(st, 3) != 0;
    w->created_at = sqlite3_column_int64(st, 4);
    w->cursor = (uint64_t) cursor;
    w->next_at = sqlite3_column_int64(st, 7);
    w->failing_since = sqlite3_column_int64(st, 8);
    w->lease_until = sqlite3_column_int64(st, 11);
    w->expiry_checked_at = sqlite3_column_int64(st, 13);
    return LIBRO_OK;
}

libro_code
libro_sq__webhook_list(void *h, libro_webhook **out, size_t *n, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_webhook *v = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    rc = libro_sq__prepare(
        s, &st, "SELECT " WEBHOOK_COLUMNS " FROM webhook ORDER BY created_at, id", "webhooks", err);
    while (rc == LIBRO_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2; /* LIBRO_WEBHOOK_MAX at most */
            libro_webhook *nv = libro_realloc(v, ncap * sizeof *nv);

            if (nv == NULL) {
                rc = libro_sq__nomem(err);
                break;
            }
            v = nv;
            cap = ncap;
        }
        memset(&v[count], 0, sizeof v[count]);
        count++;
        rc = read_webhook(&v[count - 1], st, err);
    }
    if (rc == LIBRO_OK && src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "webhooks", err);
    }
    sqlite3_finalize(st);
    if (rc != LIBRO_OK) {
        libro_webhooks_free(v, count);
        return rc;
    }
    *out = v;
    *n = count;
    return LIBRO_OK;
}

/* Run `sql` on webhook_expiry with ?1 id, ?2 license, ?3 valid_until and ?4 now, as many of
 * them as the statement names (the highest it names and those below). *row (when not NULL):
 * it returned a row. EXISTS for a row already there. */
static libro_code
expiry_exec(sq *s, const char *sql, const char *id, const char *license, int64_t valid_until,
            int64_t now, bool *row, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src = SQLITE_OK;
    int slots;

    rc = libro_sq__prepare(s, &st, sql, "webhook expiry", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    slots = sqlite3_bind_parameter_count(st);
    src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (src == SQLITE_OK && slots >= 2) {
        src = libro_sq__bind_text_or_null(st, 2, license);
    }
    if (src == SQLITE_OK && slots >= 3) {
        src = sqlite3_bind_int64(st, 3, valid_until);
    }
    if (src == SQLITE_OK && slots >= 4) {
        src = sqlite3_bind_int64(st, 4, now);
    }
    if (src != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "webhook expiry", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW && row != NULL) {
        *row = true;
    } else if (src == SQLITE_CONSTRAINT_PRIMARYKEY) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "webhook expiry of %.64s was recorded",
                             license != NULL ? license : "");
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "webhook expiry", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__webhook_delete(void *h, const char *id, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, "DELETE FROM webhook WHERE id = ?1", "webhook", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "webhook", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "webhook", err);
    if (rc == LIBRO_OK && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no webhook %.32s", id);
    }
    if (rc == LIBRO_OK) {
        rc = expiry_exec(s, "DELETE FROM webhook_expiry WHERE webhook = ?1", id, NULL, 0, 0, NULL,
                         err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__webhook_expiry_sent(void *h, bool *sent, const char *id, const char *license,
                              int64_t valid_until, libro_error *err)
{
    *sent = false;
    return expiry_exec(h,
                       "SELECT 1 FROM webhook_expiry WHERE webhook = ?1 AND license = ?2"
                       " AND valid_until = ?3",
                       id, license, valid_until, 0, sent, err);
}

libro_code
libro_sq__webhook_expiry_mark(void *h, const char *id, const char *license, int64_t valid_until,
                              int64_t now, libro_error *err)
{
    sq *s = h;
    libro_code rc;

    rc = expiry_exec(s,
                     "INSERT INTO webhook_expiry (webhook, license, valid_until, sent_at)"
                     " VALUES (?1, ?2, ?3, ?4)",
                     id, license, valid_until, now, NULL, err);
    if (rc == LIBRO_OK) {
        rc = expiry_exec(s, "DELETE FROM webhook_expiry WHERE webhook = ?1 AND valid_until < ?4",
                         id, NULL, 0, now, NULL, err);
    }
    return rc;
}
