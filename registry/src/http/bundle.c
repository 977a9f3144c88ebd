/* The registry's HTTP API: the trust bundle (docs/formats.md) and the log's reads. A bundle is
 * everything a verifier needs from this registry to work offline, signed by the registry key:
 * the community's charter, the registry and issuer authorizations, the current status lists
 * and the latest log checkpoint (docs/formats.md, "Trust bundle"). It is kept in memory
 * (libro_http_mem) and served from there without a database read until the database changed
 * or a list it holds was signed again; then its parts are read again and it is re-signed only
 * when they changed (a status list is re-signed when its bits change or it is due), so its
 * ETag is stable and a verifier that syncs often mostly gets 304. */
#include <string.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/api.h"
#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

static const char type_json[] = "application/json";
static const char type_bundle[] = "application/jose";
static const char type_note[] = "text/plain; charset=utf-8";
/* Read your writes: a cache may keep the bundle but revalidates it (a 304 when unchanged)
 * before each use, so a sync after an acknowledged write gets it. */
static const char bundle_cache[] = "public, no-cache";
/* A proof or leaf about fixed sizes never changes. */
static const char immutable_cache[] = "public, max-age=31536000, immutable";
static const char no_cache[] = "no-cache";

/* The signed checkpoint of the tree of `size` leaves with `root`. */
static libro_code
sign_checkpoint(libro_buf *out, const libro_http_ctx *ctx, uint64_t size,
                const libro_merkle_hash *root, libro_error *err)
{
    libro_checkpoint cp = {0};

    cp.origin = ctx->issuer_id; /* borrowed: never cleared */
    cp.size = size;
    cp.root = *root;
    return libro_checkpoint_sign(out, &cp, ctx->issuer_id, ctx->registry_key, err);
}

/* A failure to answer with a signed checkpoint: a damaged log is 503 log_damaged (the
 * registry signs nothing over it until the operator restores it, docs/operations.md), any
 * other failure 500. */
static void
checkpoint_failed(libro_http__response *resp, const libro_http_ctx *ctx, const libro_error *err)
{
    if (err->code == LIBRO_ERR_CORRUPT) {
        /* The operator must hear of it: one line per refused signing, naming the damage
         * (leaf or node, never a key), as storage errors are logged (docs/operations.md). */
        if (ctx->log != NULL) {
            ctx->log(ctx->log_ctx, err->msg);
        }
        libro_http__error(resp, 503, "log_damaged",
                          "the registry log is damaged: nothing is signed over it until the "
                          "registry is restored");
    } else {
        libro_http__internal_error(resp, err);
    }
}

/* What a bundle holds, read once per request: the current status lists (JSON strings), the
 * chain and the registry and issuer authorizations (JSON strings), and the log's head. */
typedef struct bundle_parts {
    json_t *lists;
    json_t *chain;
    json_t *authorizations;
    json_t *members; /* the seats' charters */
    json_t *index;   /* {"agreements": [...], "laws": [...]}: the states of the documents */
    uint64_t log_size;
    libro_merkle_hash log_root;
} bundle_parts;

static void
parts_clear(bundle_parts *p)
{
    json_decref(p->lists);
    json_decref(p->chain);
    json_decref(p->authorizations);
    json_decref(p->members);
    json_decref(p->index);
    memset(p, 0, sizeof *p);
}

/* Add `s` to the array `a` and to the digested text `all`. */
static libro_code
append_string(json_t *a, const char *s, libro_buf *all, libro_error *err)
{
    if (json_array_append_new(a, json_string(s)) != 0) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return libro_buf_append_str(all, s, err);
}

static libro_code
append_strings(json_t *a, char **v, size_t n, libro_buf *all, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        rc = append_string(a, v[i], all, err);
    }
    return rc;
}

/* Append the signed lists of `space` in use (three per list number) to p->lists and their
 * ETags to `all`. */
static libro_code
gather_lists(bundle_parts *p, libro_buf *all, libro_http_ctx *ctx, libro_registry *reg,
             libro_store_space space, libro_error *err)
{
    libro_buf list = LIBRO_BUF_INIT;
    char etag[LIBRO_HTTP_ETAG_MAX];
    uint64_t count = 0;
    bool not_modified = false;
    libro_code rc;

    rc = libro_registry__lists_in_use(reg, space, &count, err);
    /* License lists are published from list 0 on even before the first reservation. */
    if (rc == LIBRO_OK && count == 0 && space == LIBRO_SPACE_LICENSES) {
        count = 1;
    }
    for (uint64_t l = 0; rc == LIBRO_OK && l < count; l++) {
        for (int purpose = 1; rc == LIBRO_OK && purpose <= LIBRO_STATUS_MESSAGE; purpose++) {
            rc = libro_http__current_list(ctx, space == LIBRO_SPACE_MANDATES, (uint32_t) l, purpose,
                                          NULL, &list, etag, &not_modified, err);
            if (rc == LIBRO_OK &&
                json_array_append_new(p->lists, json_stringn((const char *) list.data, list.len)) !=
                    0) {
                rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
            }
            if (rc == LIBRO_OK) {
                rc = libro_buf_append_str(all, etag, err);
            }
        }
    }
    libro_buf_free(&list);
    return rc;
}

/* Append {"hash","state","since"} to `a`. */
static libro_code
append_state(json_t *a, const char *hash, const char *state, int64_t since, libro_error *err)
{
    json_t *o = json_pack("{s:s, s:s, s:o}", "hash", hash, "state", state, "since",
                          libro_registry__time_json(since));

    if (o == NULL || json_array_append_new(a, o) != 0) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return LIBRO_OK;
}

/* The index of agreements and laws (docs/formats.md, "Trust bundle"): each registered
 * document's state and since when, so that a verifier shows it offline. Each array
 * only when not empty; the whole text goes into `all`. */
static libro_code
gather_index(bundle_parts *p, libro_buf *all, libro_registry *reg, libro_error *err)
{
    libro_agreement_record *a = NULL;
    libro_law_record *l = NULL;
    size_t n_a = 0;
    size_t n_l = 0;
    json_t *agreements = json_array();
    json_t *laws = json_array();
    libro_code rc = agreements == NULL || laws == NULL
                        ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory")
                        : LIBRO_OK;

    if (rc == LIBRO_OK) {
        rc = libro_registry_agreements(reg, &a, &n_a, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n_a; i++) {
        /* The stored state: an end by notice still running is "ended" since the time it takes
         * effect, later than now, which a verifier reads as in force until then (the
         * bundle's entries are exactly {"hash","state","since"}, docs/formats.md). */
        libro_agreement_state st = a[i].state;
        int64_t since = st == LIBRO_AGREEMENT_SUPERSEDED ? a[i].superseded_at
                        : st == LIBRO_AGREEMENT_ENDED    ? a[i].ends_at
                                                         : a[i].registered_at;

        rc = append_state(agreements, a[i].hash, libro_agreement_state_name(st), since, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_laws(reg, &l, &n_l, true, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n_l; i++) {
        rc = append_state(laws, l[i].hash, libro_law_state_name(l[i].state),
                          l[i].state == LIBRO_LAW_REPEALED ? l[i].repealed_at : l[i].registered_at,
                          err);
    }
    if (rc == LIBRO_OK) {
        p->index = json_object();
        if (p->index == NULL ||
            (n_a > 0 && json_object_set(p->index, "agreements", agreements) != 0) ||
            (n_l > 0 && json_object_set(p->index, "laws", laws) != 0)) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_json__dump(all, p->index, err);
    }
    json_decref(agreements);
    json_decref(laws);
    libro_agreement_records_free(a, n_a);
    libro_law_records_free(l, n_l);
    return rc;
}

/* Read the parts and a digest of all of them: the bundle is re-signed only when it changes
 * (every status list is re-signed before it runs out, so its ETag changes then too). No
 * signature is made here: a request that gets the cached bundle (or 304) costs none. */
static libro_code
gather(bundle_parts *p, unsigned char digest[32], libro_http_ctx *ctx, libro_registry *reg,
       libro_error *err)
{
    libro_buf all = LIBRO_BUF_INIT;
    char **auths = NULL;
    char **charters = NULL;
    libro_seat *seats = NULL;
    size_t n_auths = 0;
    size_t n_charters = 0;
    size_t n_seats = 0;
    libro_code rc;

    p->lists = json_array();
    p->chain = json_array();
    p->authorizations = json_array();
    p->members = json_array();
    if (p->lists == NULL || p->chain == NULL || p->authorizations == NULL || p->members == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    rc = gather_lists(p, &all, ctx, reg, LIBRO_SPACE_LICENSES, err);
    if (rc == LIBRO_OK) {
        rc = gather_lists(p, &all, ctx, reg, LIBRO_SPACE_MANDATES, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_seats(reg, &seats, &n_seats, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n_seats; i++) {
        rc = append_string(p->members, seats[i].charter, &all, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_chain(reg, &charters, &n_charters, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_issuer_authorizations(reg, &auths, &n_auths, err);
    }
    if (rc == LIBRO_OK) {
        rc = append_strings(p->chain, charters, n_charters, &all, err);
    }
    if (rc == LIBRO_OK) {
        rc = append_string(p->authorizations, libro_registry_authorization(reg), &all, err);
    }
    if (rc == LIBRO_OK) {
        rc = append_strings(p->authorizations, auths, n_auths, &all, err);
    }
    if (rc == LIBRO_OK) {
        rc = gather_index(p, &all, reg, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_log_head(reg, &p->log_size, &p->log_root, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&all, err, "%llu", (unsigned long long) p->log_size);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&all, p->log_root.bytes, sizeof p->log_root.bytes, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_sha256(digest, all.data, all.len, err);
    }
    libro_registry_strings_free(auths, n_auths);
    libro_registry_strings_free(charters, n_charters);
    libro_seats_free(seats, n_seats);
    libro_buf_free(&all);
    return rc;
}

static libro_code
sign_bundle(libro_buf *out, libro_http_ctx *ctx, const bundle_parts *p, int64_t now_ms,
            libro_error *err)
{
    char issued[LIBRO_TIME_MS_TEXT_MAX];
    libro_buf note = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    json_t *root = NULL;
    libro_code rc;

    rc = libro_time_format_ms(issued, now_ms, err);
    if (rc == LIBRO_OK) {
        rc = sign_checkpoint(&note, ctx, p->log_size, &p->log_root, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    root = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:s%}", "type", "LibroTrustBundle",
                     "registry", ctx->issuer_id, "url", ctx->base_url, "issued", issued, "chain",
                     p->chain, "authorizations", p->authorizations, "statusLists", p->lists,
                     "checkpoint", (const char *) note.data, note.len);
    /* The seats' charters, when the roundtable has any: a bundle without seats keeps the
     * form verifiers read before roundtables (docs/formats.md, "Trust bundle"). */
    if (root != NULL && json_array_size(p->members) > 0 &&
        json_object_set(root, "members", p->members) != 0) {
        json_decref(root);
        root = NULL;
    }
    /* The agreements and laws, likewise only when there are some. */
    if (root != NULL && json_object_update(root, p->index) != 0) {
        json_decref(root);
        root = NULL;
    }
    if (root == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_json__dump(&payload, root, err);
    if (rc == LIBRO_OK) {
        rc = libro_kid_for(&kid, ctx->issuer_id, ctx->registry_key, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_sign_compact_ex(
            out, ctx->registry_key, (const char *) kid.data, LIBRO_BUNDLE_TYP, payload.data,
            payload.len, LIBRO_MAX_BUNDLE_TOKEN_BYTES, LIBRO_MAX_BUNDLE_PAYLOAD_BYTES, err);
    }
out:
    json_decref(root);
    libro_buf_free(&kid);
    libro_buf_free(&payload);
    libro_buf_free(&note);
    return rc;
}

/* Whether every list the bundle carries is in memory, signed and not due (shared lock held):
 * else the bundle is gathered again, which signs those lists. */
static bool
lists_servable(libro_http_mem *m, int64_t now_ms)
{
    for (size_t s = 0; s < 2; s++) {
        uint64_t count = s == LIBRO_SPACE_LICENSES && m->in_use[s] == 0 ? 1 : m->in_use[s];
        size_t want = (size_t) count * 3;

        if (count > SIZE_MAX / 3 || want > m->n_lists[s]) {
            return false;
        }
        for (size_t i = 0; i < want; i++) {
            const libro_http_mlist *l = &m->lists[s][i];

            if (!l->loaded || l->stale || l->dirty || l->body.len == 0 ||
                !libro_registry__published_fresh(&l->pub, now_ms)) {
                return false;
            }
        }
    }
    return true;
}

/* Answer from the bundle in memory when nothing it holds changed since it was gathered: no
 * database read. *served false: gather it. */
static libro_code
bundle_from_memory(libro_http__response *resp, libro_http_ctx *ctx, const libro_http__request *req,
                   bool *served, libro_error *err)
{
    libro_http_mem *m = &ctx->mem;
    libro_code rc = LIBRO_OK;

    *served = false;
    if (pthread_rwlock_rdlock(&m->lock) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "server: lock failed");
    }
    if (m->bundle.len > 0 && m->bundle_epoch == m->epoch && m->bundle_gen == m->signed_gen &&
        lists_servable(m, libro_time_now_ms())) {
        *served = true;
        memcpy(resp->etag, m->bundle_etag, sizeof resp->etag);
        libro_buf_clear(&resp->body);
        if (!libro_http__etag_matches(req->if_none_match, m->bundle_etag)) {
            rc = libro_buf_append(&resp->body, m->bundle.data, m->bundle.len, err);
        }
    }
    (void) pthread_rwlock_unlock(&m->lock);
    return rc;
}

/* Keep the bundle of `parts` (gathered at `epoch` and `gen`): signed again only when its
 * digest changed, and never over a newer one another worker kept meanwhile. The exclusive
 * lock held. */
static libro_code
keep_bundle(libro_http_ctx *ctx, const bundle_parts *parts, const unsigned char digest[32],
            uint64_t epoch, uint64_t gen, libro_error *err)
{
    libro_http_mem *m = &ctx->mem;
    libro_code rc = LIBRO_OK;
    int64_t now_ms;

    if (m->bundle.len > 0 && (m->bundle_epoch > epoch || m->bundle_gen > gen)) {
        return LIBRO_OK;
    }
    /* A verifier keeps only a strictly newer bundle: one that changed within the millisecond
     * of the kept one is dated the next millisecond (never ahead of the clock), so the change
     * is in this answer already (read your writes). */
    if (m->bundle.len == 0 || memcmp(m->bundle_digest, digest, 32) != 0) {
        now_ms = libro_http__clock_after(m->bundle_issued_ms);
        libro_buf_clear(&m->bundle);
        rc = now_ms > m->bundle_issued_ms
                 ? sign_bundle(&m->bundle, ctx, parts, now_ms, err)
                 : libro_error_set(err, LIBRO_ERR_TIME, "the clock is behind the last bundle");
        if (rc == LIBRO_OK) {
            rc = libro_http__etag_of(m->bundle_etag, m->bundle.data, m->bundle.len, err);
        }
        if (rc != LIBRO_OK) {
            libro_buf_clear(&m->bundle);
            return rc;
        }
        memcpy(m->bundle_digest, digest, 32);
        m->bundle_issued_ms = now_ms;
    }
    m->bundle_epoch = epoch;
    m->bundle_gen = gen;
    return LIBRO_OK;
}

void
libro_http__bundle(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req)
{
    libro_http_mem *m = &ctx->mem;
    libro_error err = LIBRO_ERROR_INIT;
    bundle_parts parts = {0};
    unsigned char digest[32];
    uint64_t epoch;
    uint64_t gen;
    bool served = false;
    libro_code rc;

    if (libro_http__mem_sync(ctx, &err) != LIBRO_OK ||
        bundle_from_memory(resp, ctx, req, &served, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    if (served) {
        libro_http__finish_cacheable(resp, req, type_bundle, bundle_cache);
        goto out;
    }
    /* What memory holds before the parts are read: a change while they are read leaves the
     * kept bundle behind it, so the next read gathers again. */
    if (pthread_rwlock_rdlock(&m->lock) != 0) {
        libro_http__internal_error(resp, NULL);
        goto out;
    }
    epoch = m->epoch;
    gen = m->signed_gen;
    (void) pthread_rwlock_unlock(&m->lock);
    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK ||
        gather(&parts, digest, ctx, *reg, &err) != LIBRO_OK) {
        checkpoint_failed(resp, ctx, &err);
        goto out;
    }
    if (pthread_rwlock_wrlock(&m->lock) != 0) {
        libro_http__internal_error(resp, NULL);
        goto out;
    }
    rc = keep_bundle(ctx, &parts, digest, epoch, gen, &err);
    if (rc == LIBRO_OK) {
        memcpy(resp->etag, m->bundle_etag, sizeof resp->etag);
        libro_buf_clear(&resp->body);
        rc = libro_buf_append(&resp->body, m->bundle.data, m->bundle.len, &err);
    }
    (void) pthread_rwlock_unlock(&m->lock);
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    libro_http__finish_cacheable(resp, req, type_bundle, bundle_cache);
out:
    parts_clear(&parts);
}

void
libro_http__checkpoint(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                       const libro_http__request *req)
{
    libro_error err = LIBRO_ERROR_INIT;

    uint64_t size = 0;
    libro_merkle_hash root;

    libro_buf_clear(&resp->body);
    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK ||
        libro_registry_log_head(*reg, &size, &root, &err) != LIBRO_OK ||
        sign_checkpoint(&resp->body, ctx, size, &root, &err) != LIBRO_OK) {
        checkpoint_failed(resp, ctx, &err);
        return;
    }
    libro_http__finish_cacheable(resp, req, type_note, no_cache);
}

static json_t *
proof_json(const libro_merkle_hash *proof, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        libro_buf b = LIBRO_BUF_INIT;

        if (libro_b64std_encode(&b, proof[i].bytes, sizeof proof[i].bytes, NULL) != LIBRO_OK ||
            json_array_append_new(a, json_stringn((const char *) b.data, b.len)) != 0) {
            json_decref(a);
            a = NULL;
        }
        libro_buf_free(&b);
    }
    return a;
}

/* GET /v1/log/inclusion/<index>/<size> and /v1/log/consistency/<size1>/<size2>: the hashes in
 * standard base64, lowest level first (RFC 9162). */
void
libro_http__proof(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                  const libro_http__request *req, bool inclusion, uint64_t a, uint64_t b)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_merkle_hash proof[LIBRO_MERKLE_MAX_PROOF];
    size_t n = 0;
    json_t *root;
    libro_code rc;

    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    rc = inclusion ? libro_registry_log_inclusion(*reg, proof, &n, a, b, &err)
                   : libro_registry_log_consistency(*reg, proof, &n, a, b, &err);
    if (rc == LIBRO_ERR_NOT_FOUND || rc == LIBRO_ERR_INVALID_ARG) {
        libro_http__error(resp, rc == LIBRO_ERR_NOT_FOUND ? 404 : 400,
                          rc == LIBRO_ERR_NOT_FOUND ? "not_found" : "bad_request", err.msg);
        return;
    }
    root = rc == LIBRO_OK ? json_pack("{s:o}", "proof", proof_json(proof, n)) : NULL;
    libro_buf_clear(&resp->body);
    if (root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        json_decref(root);
        libro_http__internal_error(resp, &err);
        return;
    }
    json_decref(root);
    libro_http__finish_cacheable(resp, req, type_json, immutable_cache);
}

/* GET /v1/log/leaves/<index>: the leaf's JSON text, the bytes its hash covers. */
void
libro_http__leaf(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                 const libro_http__request *req, uint64_t index)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *data = NULL;
    libro_code rc;

    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    rc = libro_registry_log_leaf(*reg, &data, index, &err);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such leaf");
        return;
    }
    libro_buf_clear(&resp->body);
    if (rc != LIBRO_OK || libro_buf_append_str(&resp->body, data, &err) != LIBRO_OK) {
        libro_free(data);
        libro_http__internal_error(resp, &err);
        return;
    }
    libro_free(data);
    libro_http__finish_cacheable(resp, req, type_json, immutable_cache);
}
