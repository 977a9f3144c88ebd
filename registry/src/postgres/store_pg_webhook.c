/* libro_registry: the PostgreSQL store's webhook subscriptions and their delivery state, with
 * the semantics, codes and order of the SQLite store (sqlite/store_sqlite_webhook.c). */
#include <string.h>

#include "libro/util.h"
#include "pg_int.h"
#include "registry_int.h"

#define WEBHOOK_COLUMNS                                                                            \
    "id, url, licenses, insecure_http, created_at, cursor, attempts, next_at, failing_since,"      \
    " last_error, lease_owner, lease_until, expiring_within, expiry_checked_at"

static const char webhook_insert_sql[] =
    "INSERT INTO webhook (" WEBHOOK_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING";
static const char webhook_update_sql[] =
    "UPDATE webhook SET cursor = $2, attempts = $3, next_at = $4, failing_since = $5,"
    " last_error = $6, lease_owner = $7, lease_until = $8, expiry_checked_at = $9 WHERE id = $1";
static const char webhook_list_sql[] =
    "SELECT " WEBHOOK_COLUMNS " FROM webhook ORDER BY created_at, id";
static const char webhook_delete_sql[] = "DELETE FROM webhook WHERE id = $1";
static const char expiry_forget_all_sql[] = "DELETE FROM webhook_expiry WHERE webhook = $1";
static const char expiry_sent_sql[] = "SELECT 1 FROM webhook_expiry WHERE webhook = $1"
                                      " AND license = $2 AND valid_until = $3";
static const char expiry_mark_sql[] =
    "INSERT INTO webhook_expiry (webhook, license, valid_until, sent_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT DO NOTHING";
static const char expiry_forget_sql[] =
    "DELETE FROM webhook_expiry WHERE webhook = $1 AND valid_until < $2";

libro_code
libro_pg__webhook_put(void *h, const libro_webhook *w, bool insert, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_text(&p, w->id);
    if (insert) {
        libro_pg__param_text(&p, w->url);
        libro_pg__param_text(&p, w->licenses);
        libro_pg__param_i64(&p, w->insecure_http ? 1 : 0);
        libro_pg__param_i64(&p, w->created_at);
    }
    libro_pg__param_i64(&p, (int64_t) w->cursor);
    libro_pg__param_i64(&p, (int64_t) w->attempts);
    libro_pg__param_i64(&p, w->next_at);
    libro_pg__param_i64(&p, w->failing_since);
    libro_pg__param_text(&p, w->last_error);
    libro_pg__param_text(&p, w->lease_owner);
    libro_pg__param_i64(&p, w->lease_until);
    if (insert) {
        libro_pg__param_i64(&p, (int64_t) w->expiring_within);
    }
    libro_pg__param_i64(&p, w->expiry_checked_at);
    rc = libro_pg__exec_changes(h, &changed, insert ? webhook_insert_sql : webhook_update_sql, &p,
                                "webhook", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = insert ? libro_error_set(err, LIBRO_ERR_EXISTS, "webhook %.32s exists", w->id)
                    : libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no webhook %.32s", w->id);
    }
    return rc;
}

static libro_code
read_webhook(pg *s, void *rec, const PGresult *res, int row, libro_error *err)
{
    libro_webhook *w = rec;
    int insecure = 0;
    int64_t cursor = 0;
    int64_t attempts = 0;
    libro_code rc;

    (void) s;
    if ((rc = libro_pg__col_text(&w->id, res, row, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&w->url, res, row, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&w->licenses, res, row, 2, err)) != LIBRO_OK ||
        (rc = libro_pg__col_int(&insecure, res, row, 3, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&w->created_at, res, row, 4, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&cursor, res, row, 5, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&attempts, res, row, 6, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&w->next_at, res, row, 7, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&w->failing_since, res, row, 8, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&w->last_error, res, row, 9, err)) != LIBRO_OK ||
        (rc = libro_pg__col_text(&w->lease_owner, res, row, 10, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&w->lease_until, res, row, 11, err)) != LIBRO_OK ||
        (rc = libro_pg__col_u32(&w->expiring_within, res, row, 12, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&w->expiry_checked_at, res, row, 13, err)) != LIBRO_OK) {
        return rc;
    }
    if (w->id == NULL || w->url == NULL || cursor < 0 || attempts < 0 || attempts > UINT32_MAX) {
        return libro_error_set(err, LIBRO_ERR_IO, "webhook row is malformed");
    }
    w->insecure_http = insecure != 0;
    w->cursor = (uint64_t) cursor;
    w->attempts = (uint32_t) attempts;
    return LIBRO_OK;
}

static void
webhooks_free(void *list, size_t n)
{
    libro_webhooks_free(list, n);
}

libro_code
libro_pg__webhook_list(void *h, libro_webhook **out, size_t *n, libro_error *err)
{
    return libro_pg__list(h, (void **) out, n, sizeof **out, webhook_list_sql, NULL, "webhooks",
                          read_webhook, webhooks_free, err);
}

libro_code
libro_pg__webhook_delete(void *h, const char *id, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_text(&p, id);
    rc = libro_pg__exec_changes(h, &changed, webhook_delete_sql, &p, "webhook", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no webhook %.32s", id);
    }
    if (rc == LIBRO_OK) {
        rc = libro_pg__exec_changes(h, &changed, expiry_forget_all_sql, &p, "webhook expiry", err);
    }
    return rc;
}

libro_code
libro_pg__webhook_expiry_sent(void *h, bool *sent, const char *id, const char *license,
                              int64_t valid_until, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *sent = false;
    libro_pg__param_text(&p, id);
    libro_pg__param_text(&p, license);
    libro_pg__param_i64(&p, valid_until);
    rc = libro_pg__exec(h, &res, expiry_sent_sql, &p, "webhook expiry", err);
    if (rc == LIBRO_OK) {
        *sent = libro_pg__rows(res) > 0;
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__webhook_expiry_mark(void *h, const char *id, const char *license, int64_t valid_until,
                              int64_t now, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    libro_pg__params q = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_text(&p, id);
    libro_pg__param_text(&p, license);
    libro_pg__param_i64(&p, valid_until);
    libro_pg__param_i64(&p, now);
    rc = libro_pg__exec_changes(h, &changed, expiry_mark_sql, &p, "webhook expiry", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc =
            libro_error_set(err, LIBRO_ERR_EXISTS, "webhook expiry of %.64s was recorded", license);
    }
    if (rc == LIBRO_OK) {
        libro_pg__param_text(&q, id);
        libro_pg__param_i64(&q, now);
        rc = libro_pg__exec_changes(h, &changed, expiry_forget_sql, &q, "webhook expiry", err);
    }
    return rc;
}
