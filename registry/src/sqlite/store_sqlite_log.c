/* libro_registry: the SQLite store's tables for the signed write API and the log: the issuer
 * authorizations writers sign with, the request ids already seen, and the Merkle log's leaves
 * and perfect-subtree hashes (migration 2). */
#include <string.h>

#include "libro/util.h"
#include "sqlite_int.h"

/* ---- issuer authorizations ---------------------------------------------------------------- */

libro_code
libro_sq__issuer_put(void *h, const char *kid, const char *issuer, const char *credential,
                     int64_t valid_from, int64_t valid_until, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st,
                           "INSERT OR REPLACE INTO issuer_authorization"
                           " (kid, issuer, credential, valid_from, valid_until)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           "issuer authorization", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, issuer, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 3, credential, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 4, valid_from)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 5, valid_until)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "issuer authorization", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "issuer authorization", err);
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__issuer_get(void *h, char **credential, const char *kid, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *credential = NULL;
    rc = libro_sq__prepare(s, &st, "SELECT credential FROM issuer_authorization WHERE kid = ?1",
                           "issuer authorization", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "issuer authorization", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = libro_sq__col_text(credential, st, 0, err);
    } else if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no issuer authorization for this key");
    } else {
        rc = libro_sq__db_fail(s, src, "issuer authorization", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

static void
free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        libro_free(v[i]);
    }
    libro_free(v);
}

libro_code
libro_sq__issuer_list(void *h, char ***credentials, size_t *n, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    char **v = NULL;
    size_t count = 0;
    size_t cap = 0;
    libro_code rc;
    int src;

    *credentials = NULL;
    *n = 0;
    rc = libro_sq__prepare(s, &st, "SELECT credential FROM issuer_authorization ORDER BY kid",
                           "issuer authorizations", err);
    while (rc == LIBRO_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap == 0 ? 8 : cap * 2; /* a few hundred at most */
            char **nv = libro_realloc(v, ncap * sizeof *nv);

            if (nv == NULL) {
                rc = libro_sq__nomem(err);
                break;
            }
            v = nv;
            cap = ncap;
        }
        rc = libro_sq__col_text(&v[count], st, 0, err);
        if (rc == LIBRO_OK) {
            count++;
        }
    }
    if (rc == LIBRO_OK && src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "issuer authorizations", err);
    }
    sqlite3_finalize(st);
    if (rc != LIBRO_OK) {
        free_strings(v, count);
        return rc;
    }
    *credentials = v;
    *n = count;
    return LIBRO_OK;
}

/* ---- request ids -------------------------------------------------------------------------- */

libro_code
libro_sq__request_record(void *h, const char *jti, const char *kid, int64_t iat,
                         int64_t forget_before, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    rc = libro_sq__prepare(s, &st, "DELETE FROM request_id WHERE iat < ?1", "request ids", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, forget_before)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "request ids", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "request ids", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = libro_sq__prepare(s, &st, "INSERT INTO request_id (jti, kid, iat) VALUES (?1, ?2, ?3)",
                           "request id", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, kid, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 3, iat)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "request id", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "request id already used (a replay)");
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "request id", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__request_known(void *h, const char *jti, bool *known, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *known = false;
    rc = libro_sq__prepare(s, &st, "SELECT 1 FROM request_id WHERE jti = ?1", "request id", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "request id", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *known = true;
    } else if (src != SQLITE_DONE) {
        rc = libro_sq__db_fail(s, src, "request id", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- the log ------------------------------------------------------------------------------ */

libro_code
libro_sq__log_size(void *h, uint64_t *size, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *size = 0;
    rc = libro_sq__prepare(s, &st, "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaf", "log", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *size = (uint64_t) sqlite3_column_int64(st, 0);
    } else {
        rc = libro_sq__db_fail(s, src, "log", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__log_leaf_put(void *h, uint64_t index, const char *data, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "log: too many leaves");
    }
    rc = libro_sq__prepare(s, &st, "INSERT INTO log_leaf (idx, data) VALUES (?1, ?2)", "log leaf",
                           err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, (sqlite3_int64) index)) != SQLITE_OK ||
        (src = sqlite3_bind_text(st, 2, data, -1, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "log leaf", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "log leaf", err);
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__log_leaf_get(void *h, char **data, uint64_t index, libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    *data = NULL;
    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no such leaf");
    }
    rc = libro_sq__prepare(s, &st, "SELECT data FROM log_leaf WHERE idx = ?1", "log leaf", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, (sqlite3_int64) index)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "log leaf", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = libro_sq__col_text(data, st, 0, err);
    } else if (src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no leaf %llu",
                             (unsigned long long) index);
    } else {
        rc = libro_sq__db_fail(s, src, "log leaf", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__log_node_get(void *h, unsigned level, uint64_t index, unsigned char out[32],
                       libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no such node");
    }
    rc = libro_sq__prepare(s, &st, "SELECT hash FROM log_node WHERE level = ?1 AND idx = ?2",
                           "log node", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, level)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, (sqlite3_int64) index)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "log node", err);
        goto out;
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(out, sqlite3_column_blob(st, 0), 32);
    } else if (src == SQLITE_ROW || src == SQLITE_DONE) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: node %u/%llu is missing", level,
                             (unsigned long long) index);
    } else {
        rc = libro_sq__db_fail(s, src, "log node", err);
    }
out:
    sqlite3_finalize(st);
    return rc;
}

libro_code
libro_sq__log_node_put(void *h, unsigned level, uint64_t index, const unsigned char hash[32],
                       libro_error *err)
{
    sq *s = h;
    sqlite3_stmt *st = NULL;
    libro_code rc;
    int src;

    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "log: too many leaves");
    }
    rc = libro_sq__prepare(s, &st, "INSERT INTO log_node (level, idx, hash) VALUES (?1, ?2, ?3)",
                           "log node", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((src = sqlite3_bind_int64(st, 1, level)) != SQLITE_OK ||
        (src = sqlite3_bind_int64(st, 2, (sqlite3_int64) index)) != SQLITE_OK ||
        (src = sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC)) != SQLITE_OK) {
        rc = libro_sq__bind_fail(s, src, "log node", err);
        goto out;
    }
    rc = libro_sq__step_done(s, st, "log node", err);
out:
    sqlite3_finalize(st);
    return rc;
}
