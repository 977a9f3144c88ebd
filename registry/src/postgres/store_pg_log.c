/* libro_registry: the PostgreSQL store's tables for the signed write API and the log: the
 * issuer authorizations writers sign with, the request ids already seen, and the Merkle log's
 * leaves and perfect-subtree hashes. The log's size is the sequencer's row (libro_sequencer),
 * which every write transaction has locked before its first statement: a leaf is appended at
 * that size and raises it in the same statement, so leaves stay gap-free and totally ordered
 * across processes. */
#include <inttypes.h>
#include <string.h>

#include "libro/util.h"
#include "pg_int.h"
#include "registry_int.h"

/* ---- issuer authorizations ---------------------------------------------------------------- */

libro_code
libro_pg__issuer_put(void *h, const char *kid, const char *issuer, const char *credential,
                     int64_t valid_from, int64_t valid_until, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;

    libro_pg__param_text(&p, kid);
    libro_pg__param_text(&p, issuer);
    libro_pg__param_text(&p, credential);
    libro_pg__param_i64(&p, valid_from);
    libro_pg__param_i64(&p, valid_until);
    return libro_pg__exec(h, NULL,
                          "INSERT INTO issuer_authorization"
                          " (kid, issuer, credential, valid_from, valid_until)"
                          " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kid) DO UPDATE"
                          " SET issuer = excluded.issuer, credential = excluded.credential,"
                          " valid_from = excluded.valid_from, valid_until = excluded.valid_until",
                          &p, "issuer authorization", err);
}

libro_code
libro_pg__issuer_get(void *h, char **credential, const char *kid, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *credential = NULL;
    libro_pg__param_text(&p, kid);
    rc = libro_pg__exec(h, &res, "SELECT credential FROM issuer_authorization WHERE kid = $1", &p,
                        "issuer authorization", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no issuer authorization for this key")
                 : libro_pg__col_text(credential, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__issuer_list(void *h, char ***credentials, size_t *n, libro_error *err)
{
    PGresult *res = NULL;
    char **v = NULL;
    size_t count = 0;
    libro_code rc;
    int rows;

    *credentials = NULL;
    *n = 0;
    rc = libro_pg__exec(h, &res, "SELECT credential FROM issuer_authorization ORDER BY kid", NULL,
                        "issuer authorizations", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rows = libro_pg__rows(res);
    rc = libro_pg__alloc_rows((void **) &v, res, sizeof *v, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (; count < (size_t) rows; count++) {
        rc = libro_pg__col_text(&v[count], res, (int) count, 0, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    *credentials = v;
    *n = count;
    v = NULL; /* moved to caller */
out:
    for (size_t i = 0; v != NULL && i < count; i++) {
        libro_free(v[i]);
    }
    libro_free(v);
    libro_pg__clear(res);
    return rc;
}

/* ---- request ids -------------------------------------------------------------------------- */

libro_code
libro_pg__request_record(void *h, const char *jti, const char *kid, int64_t iat,
                         int64_t forget_before, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    libro_pg__param_i64(&p, forget_before);
    rc = libro_pg__exec(h, NULL, "DELETE FROM request_id WHERE iat < $1", &p, "request ids", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    p.n = 0;
    libro_pg__param_text(&p, jti);
    libro_pg__param_text(&p, kid);
    libro_pg__param_i64(&p, iat);
    rc = libro_pg__exec_changes(h, &changed,
                                "INSERT INTO request_id (jti, kid, iat) VALUES ($1, $2, $3)"
                                " ON CONFLICT DO NOTHING",
                                &p, "request id", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "request id already used (a replay)");
    }
    return rc;
}

libro_code
libro_pg__request_known(void *h, const char *jti, bool *known, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *known = false;
    libro_pg__param_text(&p, jti);
    rc = libro_pg__exec(h, &res, "SELECT 1 FROM request_id WHERE jti = $1", &p, "request id", err);
    if (rc == LIBRO_OK) {
        *known = libro_pg__rows(res) == 1;
    }
    libro_pg__clear(res);
    return rc;
}

/* ---- the log ------------------------------------------------------------------------------ */

libro_code
libro_pg__log_size(void *h, uint64_t *size, libro_error *err)
{
    PGresult *res = NULL;
    int64_t v = 0;
    libro_code rc;

    *size = 0;
    rc = libro_pg__exec(h, &res, "SELECT size FROM libro_sequencer", NULL, "log", err);
    if (rc == LIBRO_OK && libro_pg__rows(res) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT, "log: the sequencer row is gone");
    }
    if (rc == LIBRO_OK && (rc = libro_pg__col_i64(&v, res, 0, 0, err)) == LIBRO_OK) {
        *size = (uint64_t) v;
    }
    libro_pg__clear(res);
    return rc;
}

/* The leaf goes in only at the log's head, which moves with it: the sequencer's row is raised
 * first (only when it says `index`), and the leaf is inserted from that row. The last column
 * is the size before the statement (its snapshot). */
libro_code
libro_pg__log_leaf_put(void *h, uint64_t index, const char *data, libro_error *err)
{
    static const char sql[] =
        "WITH seq AS (UPDATE libro_sequencer SET size = size + 1 WHERE size = $1 RETURNING size),"
        " ins AS (INSERT INTO log_leaf (idx, data) SELECT $1::int8, $2::text FROM seq"
        " ON CONFLICT DO NOTHING RETURNING idx)"
        " SELECT (SELECT count(*) FROM seq), (SELECT count(*) FROM ins),"
        " (SELECT size FROM libro_sequencer)";
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    int64_t moved = 0;
    int64_t inserted = 0;
    int64_t size = 0;
    libro_code rc;

    if (index > (uint64_t) INT64_MAX - 1) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "log: too many leaves");
    }
    libro_pg__param_i64(&p, (int64_t) index);
    libro_pg__param_text(&p, data);
    rc = libro_pg__exec(h, &res, sql, &p, "log leaf", err);
    if (rc != LIBRO_OK || (rc = libro_pg__col_i64(&moved, res, 0, 0, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&inserted, res, 0, 1, err)) != LIBRO_OK ||
        (rc = libro_pg__col_i64(&size, res, 0, 2, err)) != LIBRO_OK) {
        goto out;
    }
    if (moved == 1 && inserted == 1) {
        goto out;
    }
    if (moved == 1) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             "log: leaf %" PRIu64 " exists beyond the log's head", index);
    } else if ((int64_t) index < size) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "log: leaf %" PRIu64 " exists", index);
    } else {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "log: leaf %" PRIu64 " would leave a gap (the log has %" PRId64 ")",
                             index, size);
    }
out:
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__log_leaf_get(void *h, char **data, uint64_t index, libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    *data = NULL;
    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no such leaf");
    }
    libro_pg__param_i64(&p, (int64_t) index);
    rc = libro_pg__exec(h, &res, "SELECT data FROM log_leaf WHERE idx = $1", &p, "log leaf", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no leaf %" PRIu64, index)
                 : libro_pg__col_text(data, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__log_node_get(void *h, unsigned level, uint64_t index, unsigned char out[32],
                       libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    PGresult *res = NULL;
    libro_code rc;

    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: no such node");
    }
    libro_pg__param_i64(&p, level);
    libro_pg__param_i64(&p, (int64_t) index);
    rc = libro_pg__exec(h, &res, "SELECT hash FROM log_node WHERE level = $1 AND idx = $2", &p,
                        "log node", err);
    if (rc == LIBRO_OK) {
        rc = libro_pg__rows(res) == 0
                 ? libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: node %u/%" PRIu64 " is missing",
                                   level, index)
                 : libro_pg__col_hash32(out, res, 0, 0, err);
    }
    libro_pg__clear(res);
    return rc;
}

libro_code
libro_pg__log_node_put(void *h, unsigned level, uint64_t index, const unsigned char hash[32],
                       libro_error *err)
{
    libro_pg__params p = LIBRO_PG_PARAMS_INIT;
    uint64_t changed = 0;
    libro_code rc;

    if (index > (uint64_t) INT64_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "log: too many leaves");
    }
    libro_pg__param_i64(&p, level);
    libro_pg__param_i64(&p, (int64_t) index);
    libro_pg__param_bytes(&p, hash, 32);
    rc = libro_pg__exec_changes(h, &changed,
                                "INSERT INTO log_node (level, idx, hash) VALUES ($1, $2, $3)"
                                " ON CONFLICT DO NOTHING",
                                &p, "log node", err);
    if (rc == LIBRO_OK && changed == 0) {
        rc =
            libro_error_set(err, LIBRO_ERR_EXISTS, "log: node %u/%" PRIu64 " exists", level, index);
    }
    return rc;
}
