/* libro_registry: the SQLite store's tables of reminders (migration 9): the contacts they go
 * to and the reminders claimed and sent. */
#include <string.h>

#include "libro/util.h"
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

/* Bind the key (kind, subject, due, threshold) as ?1..?4. */
static int
bind_key(sqlite3_stmt *st, const libro_store_reminder_key *k)
{
    int src;

    if ((src = sqlite3_bind_int(st, 1, k->kind)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, k->subject, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, k->due)) != SQLITE_OK) {
        return src;
    }
    return sqlite3_bind_int(st, 4, k->threshold);
}

/* Run `sql` with the key as ?1..?4, then `text`, `text2` and `at` as ?5, ?6 and ?7, as far
 * as it has parameters; *changed: the rows it changed. */
static libro_code
exec_key(sq *s, int *changed, const char *sql, const libro_store_reminder_key *k, const char *text,
         const char *text2, int64_t at, libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;
    int n;

    rc = libro_sq__prepare(s, &st, sql, "reminder", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    n = sqlite3_bind_parameter_count(st);
    if ((src = bind_key(st, k)) != SQLITE_OK ||
        (n >= 5 && (src = sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC)) != SQLITE_OK) ||
        (n >= 6 && (src = sqlite3_bind_text(st, 6, text2, -1, SQLITE_STATIC)) != SQLITE_OK) ||
        (n >= 7 && (src = sqlite3_bind_int64(st, 7, at)) != SQLITE_OK)) {
        rc = libro_sq__bind_fail(s, src, "reminder", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "reminder", err);
    if (rc == LIBRO_OK) {
        *changed = sqlite3_changes(s->db);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* The row's state ("sending", "sent") and claimed_at; *state NULL when there is none. */
static libro_code
row_state(sq *s, char **state, int64_t *claimed_at, const libro_store_reminder_key *k,
          libro_error *err)
{
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *state = NULL;
    rc = libro_sq__prepare(s, &st,
                           "SELECT state, claimed_at FROM reminder_sent WHERE kind = ?1"
                           " AND subject = ?2 AND due = ?3 AND threshold = ?4",
                           "reminder", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = bind_key(st, k)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "reminder", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *claimed_at = sqlite3_column_int64(st, 1);
        rc = libro_sq__col_text(state, st, 0, err);
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "reminder", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__reminder_sent(void *h, const libro_store_reminder_key *k, bool *sent, libro_error *err)
{
    char *state = NULL;
    int64_t claimed_at = 0;
    libro_code rc;

    rc = row_state(h, &state, &claimed_at, k, err);
    *sent = rc == LIBRO_OK && state != NULL && strcmp(state, "sent") == 0;
    libro_free(state);
    return rc;
}

libro_code
libro_sq__reminder_claim(void *h, libro_store_claim *found, const libro_store_reminder_key *k,
                         const char *to, const char *token, int64_t at, int64_t stale_before,
                         libro_error *err)
{
    char *state = NULL;
    int64_t claimed_at = 0;
    int changed = 0;
    libro_code rc;

    /* Read, then write, inside the caller's write transaction (BEGIN IMMEDIATE): no other
     * writer runs between the two, and the primary key keeps a claim unique regardless. */
    rc = row_state(h, &state, &claimed_at, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (state == NULL) {
        *found = LIBRO_STORE_CLAIMED;
        rc = exec_key(h, &changed,
                      "INSERT INTO reminder_sent (kind, subject, due, threshold, recipient, state,"
                      " claim_token, claimed_at) VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6, ?7)",
                      k, to, token, at, err);
    } else if (strcmp(state, "sent") == 0) {
        *found = LIBRO_STORE_CLAIM_SENT;
    } else if (claimed_at >= stale_before) {
        *found = LIBRO_STORE_CLAIM_HELD;
    } else {
        *found = LIBRO_STORE_CLAIM_TAKEN_OVER;
        rc = exec_key(h, &changed,
                      "UPDATE reminder_sent SET recipient = ?5, claim_token = ?6, claimed_at = ?7"
                      " WHERE kind = ?1 AND subject = ?2 AND due = ?3 AND threshold = ?4"
                      " AND state = 'sending'",
                      k, to, token, at, err);
    }
out:
    libro_free(state);
    return rc;
}

libro_code
libro_sq__reminder_release(void *h, const libro_store_reminder_key *k, const char *token, bool sent,
                           int64_t at, libro_error *err)
{
    int changed = 0;
    libro_code rc;

    rc = exec_key(h, &changed,
                  sent ? "UPDATE reminder_sent SET state = 'sent', sent_at = ?7 WHERE kind = ?1"
                         " AND subject = ?2 AND due = ?3 AND threshold = ?4"
                         " AND state = 'sending' AND claim_token = ?6"
                       : "DELETE FROM reminder_sent WHERE kind = ?1 AND subject = ?2"
                         " AND due = ?3 AND threshold = ?4 AND state = 'sending'"
                         " AND claim_token = ?6",
                  k, NULL, token, at, err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the claim on the reminder is not ours");
    }
    return rc;
}
