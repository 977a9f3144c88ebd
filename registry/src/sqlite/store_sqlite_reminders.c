/* libro_registry: the SQLite store's tables of reminders (migration 9): the contacts they go
 * to and the reminders sent. */
#include "sqlite_int.h"

libro_code
libro_sq__contact_put(void *h, int kind, const char *subject, const char *email, int64_t at,
                      libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           email != NULL
                               ? "INSERT OR REPLACE INTO contact (kind, subject, email, updated_at)"
                                 " VALUES (?1, ?2, ?3, ?4)"
                               : "DELETE FROM contact WHERE kind = ?1 AND subject = ?2",
                           "contact", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, kind)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (email != NULL &&
         ((src = sqlite3_bind_text(st, 3, email, -1, SQLITE_STATIC)) != SQLITE_OK ||
          (src = sqlite3_bind_int64(st, 4, at)) != SQLITE_OK))) {
        rc = libro_sq__bind_fail(s, src, "contact", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "contact", err);
    if (rc == LIBRO_OK && email == NULL && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no contact recorded");
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__contact_get(void *h, char **email, int kind, const char *subject, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *email = NULL;
    rc = libro_sq__prepare(s, &st, "SELECT email FROM contact WHERE kind = ?1 AND subject = ?2",
                           "contact", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int(st, 1, kind)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "contact", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = libro_sq__col_text(email, st, 0, err);
    } else if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no contact recorded");
    } else {
        rc = libro_sq__db_fail(s, src, "contact", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* Bind (kind, subject, due, threshold) as ?1..?4. */
static int
bind_key(sqlite3_stmt *st, int kind, const char *subject, int64_t due, int threshold)
{
    int src;

    if ((src = sqlite3_bind_int(st, 1, kind)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, due)) != SQLITE_OK) {
        return src;
    }
    return sqlite3_bind_int(st, 4, threshold);
}

libro_code
libro_sq__reminder_sent(void *h, int kind, const char *subject, int64_t due, int threshold,
                        bool *sent, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *sent = false;
    rc = libro_sq__prepare(s, &st,
                           "SELECT 1 FROM reminder_sent WHERE kind = ?1 AND subject = ?2"
                           " AND due = ?3 AND threshold = ?4",
                           "reminder", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = bind_key(st, kind, subject, due, threshold)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "reminder", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *sent = true;
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "reminder", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__reminder_put(void *h, int kind, const char *subject, int64_t due, int threshold,
                       const char *to, int64_t at, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT OR IGNORE INTO reminder_sent"
                           " (kind, subject, due, threshold, recipient, sent_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           "reminder", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = bind_key(st, kind, subject, due, threshold)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 5, to, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 6, at)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "reminder", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "reminder", err);
    if (rc == LIBRO_OK && sqlite3_changes(s->db) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "reminder already sent");
    }
out:
    sqlite3_finalize(st);
    return rc;
}
