/* libro_registry: the PostgreSQL store's tables of reminders (migration 2): the contacts they
 * go to and the reminders sent. Expected outcomes (nothing to delete, a reminder recorded
 * already) are read from row counts, never from a failed statement, which would end the
 * transaction. */
#include "pg_int.h"

libro_code
libro_pg__contact_put(void *h, int kind, const char *subject, const char *email, int64_t at,
                      libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_i64(&p, kind);
    libro_pg__param_text(&p, subject);
    if (email == NULL) {
        rc = libro_pg__exec_changes(h, &changed,
                                    "DELETE FROM contact WHERE kind = $1 AND subject = $2", &p,
                                    "contact", err);
        if (rc == LIBRO_OK && changed == 0) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no contact recorded");
        }
        return rc;
    }
    libro_pg__param_text(&p, email);
    libro_pg__param_i64(&p, at);
    return libro_pg__exec(h, NULL,
                          "INSERT INTO contact (kind, subject, email, updated_at)"
                          " VALUES ($1, $2, $3, $4) ON CONFLICT (kind, subject) DO UPDATE"
                          " SET email = excluded.email, updated_at = excluded.updated_at",
                          &p, "contact", err);
}

libro_code
libro_pg__contact_get(void *h, char **email, int kind, const char *subject, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *email = NULL;
    libro_pg__param_i64(&p, kind);
    libro_pg__param_text(&p, subject);
    rc = libro_pg__exec(h, &res, "SELECT email FROM contact WHERE kind = $1 AND subject = $2", &p,
                        "contact", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no contact recorded")
                 : libro_pg__col_text(email, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

static void
param_key(libro_pg__params *p, int kind, const char *subject, int64_t due, int threshold)
{
    libro_pg__param_i64(p, kind);
    libro_pg__param_text(p, subject);
    libro_pg__param_i64(p, due);
    libro_pg__param_i64(p, threshold);
}

libro_code
libro_pg__reminder_sent(void *h, int kind, const char *subject, int64_t due, int threshold,
                        bool *sent, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *sent = false;
    param_key(&p, kind, subject, due, threshold);
    rc = libro_pg__exec(h, &res,
                        "SELECT 1 FROM reminder_sent WHERE kind = $1 AND subject = $2"
                        " AND due = $3 AND threshold = $4",
                        &p, "reminder", err);
    if (rc == LIBRO_OK) {
        *sent = libro_pg__rows(res) > 0;
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__reminder_put(void *h, int kind, const char *subject, int64_t due, int threshold,
                       const char *to, int64_t at, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    param_key(&p, kind, subject, due, threshold);
    libro_pg__param_text(&p, to);
    libro_pg__param_i64(&p, at);
    rc = libro_pg__exec_changes(h, &changed,
                                "INSERT INTO reminder_sent"
                                " (kind, subject, due, threshold, recipient, sent_at)"
                                " VALUES ($1, $2, $3, $4, $5, $6)"
                                " ON CONFLICT (kind, subject, due, threshold) DO NOTHING",
                                &p, "reminder", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "reminder already sent");
    }
    return rc;
}
