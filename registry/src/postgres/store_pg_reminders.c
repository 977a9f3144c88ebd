/* libro_registry: the PostgreSQL store's tables of reminders (migration 2): the contacts they
 * go to and the reminders claimed and sent. Expected outcomes (nothing to delete, a reminder
 * claimed already, a claim that is not ours) are read from a read first or from row counts,
 * never from a failed statement, which would end the transaction. */
#include <string.h>

#include "libro/util.h"
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
param_key(libro_pg__params *p, const libro_store_reminder_key *k)
{
    libro_pg__param_i64(p, k->kind);
    libro_pg__param_text(p, k->subject);
    libro_pg__param_i64(p, k->due);
    libro_pg__param_i64(p, k->threshold);
}

#define WHERE_KEY " WHERE kind = $1 AND subject = $2 AND due = $3 AND threshold = $4"

/* The row's state ("sending", "sent") and claimed_at; *state NULL when there is none. */
static libro_code
row_state(pg *s, char **state, int64_t *claimed_at, const libro_store_reminder_key *k,
          libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *state = NULL;
    param_key(&p, k);
    rc = libro_pg__exec(s, &res, "SELECT state, claimed_at FROM reminder_sent" WHERE_KEY, &p,
                        "reminder", err);
    if (rc == LIBRO_OK && libro_pg__rows(res) > 0) {
        rc = libro_pg__col_i64(claimed_at, res, 0, 1, err);
        if (rc == LIBRO_OK) {
            rc = libro_pg__col_text(state, res, 0, 0, err);
        }
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__reminder_sent(void *h, const libro_store_reminder_key *k, bool *sent, libro_error *err)
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
libro_pg__reminder_claim(void *h, libro_store_claim *found, const libro_store_reminder_key *k,
                         const char *to, const char *token, int64_t at, int64_t stale_before,
                         libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    char *state = NULL;
    int64_t claimed_at = 0;
    libro_code rc;

    /* Read, then write, inside the caller's write transaction: it holds the sequencer, so no
     * other writer runs between the two; the primary key keeps a claim unique regardless. */
    rc = row_state(h, &state, &claimed_at, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    param_key(&p, k);
    libro_pg__param_text(&p, to);
    libro_pg__param_text(&p, token);
    libro_pg__param_i64(&p, at);
    if (state == NULL) {
        *found = LIBRO_STORE_CLAIMED;
        rc = libro_pg__exec(h, NULL,
                            "INSERT INTO reminder_sent (kind, subject, due, threshold, recipient,"
                            " state, claim_token, claimed_at)"
                            " VALUES ($1, $2, $3, $4, $5, 'sending', $6, $7)",
                            &p, "reminder", err);
    } else if (strcmp(state, "sent") == 0) {
        *found = LIBRO_STORE_CLAIM_SENT;
    } else if (claimed_at >= stale_before) {
        *found = LIBRO_STORE_CLAIM_HELD;
    } else {
        *found = LIBRO_STORE_CLAIM_TAKEN_OVER;
        rc = libro_pg__exec(h, NULL,
                            "UPDATE reminder_sent SET recipient = $5, claim_token = $6,"
                            " claimed_at = $7" WHERE_KEY " AND state = 'sending'",
                            &p, "reminder", err);
    }
out:
    libro_free(state);
    return rc;
}

libro_code
libro_pg__reminder_release(void *h, const libro_store_reminder_key *k, const char *token, bool sent,
                           int64_t at, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    param_key(&p, k);
    libro_pg__param_text(&p, token);
    if (sent) {
        libro_pg__param_i64(&p, at);
    }
    rc = libro_pg__exec_changes(
        h, &changed,
        sent ? "UPDATE reminder_sent SET state = 'sent', sent_at = $6" WHERE_KEY
               " AND state = 'sending' AND claim_token = $5"
             : "DELETE FROM reminder_sent" WHERE_KEY " AND state = 'sending' AND claim_token = $5",
        &p, "reminder", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the claim on the reminder is not ours");
    }
    return rc;
}
