/* libro_registry: the append-only log (docs/formats.md, "The registry log"). Every write the
 * registry makes (a license event, a license type, an issuer authorization) is a leaf, appended in
 * the same transaction as the write itself, so the log and the tables can never disagree. Leaves
 * are compact JSON (docs/formats.md, "The registry log"); the tree is RFC 6962 (libro/merkle.h)
 * over the hashes the store keeps for each perfect subtree. Also here: the bookkeeping of
 * signed requests that every write transaction starts with. */
#include <string.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/retry_int.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"

/* ---- signed requests ---------------------------------------------------------------------- */

libro_code
libro_registry__write_begin(libro_registry *r, const libro_request_id *req, libro_error *err)
{
    size_t jti_len = 0;
    size_t kid_len = 0;
    libro_code rc;

    if (req != NULL) {
        jti_len = req->jti == NULL ? 0 : strnlen(req->jti, LIBRO_REGISTRY_MAX_JTI + 1);
        kid_len = req->kid == NULL ? 0 : strnlen(req->kid, LIBRO_MAX_KID_BYTES + 1);
        if (jti_len == 0 || jti_len > LIBRO_REGISTRY_MAX_JTI || kid_len == 0 ||
            kid_len > LIBRO_MAX_KID_BYTES) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "request: bad jti or kid");
        }
    }
    rc = r->store.ops->begin(r->store.h, err);
    if (rc != LIBRO_OK || req == NULL) {
        return rc;
    }
    /* Ids are kept while a request with them could still arrive: its iat is at most
     * LIBRO_REGISTRY_SKEW_SECONDS from the clock, so an id twice that old is harmless. */
    rc = r->store.ops->request_record(r->store.h, req->jti, req->kid, req->iat,
                                      req->iat - 2 * LIBRO_REGISTRY_SKEW_SECONDS, err);
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

bool
libro_registry__retrying(libro_registry *r, libro_code rc, unsigned *attempt, libro_error *err)
{
    return rc == LIBRO_ERR_CONFLICT && r != NULL && !r->grouped &&
           libro_retry__again(rc, attempt, err);
}

libro_code
libro_registry__request_known(libro_registry *r, const char *jti, bool *known, libro_error *err)
{
    return r->store.ops->request_known(r->store.h, jti, known, err);
}

static libro_code
spend_request_once(libro_registry *r, const libro_request_id *req, libro_error *err)
{
    libro_code rc;

    if (req == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "request: NULL argument");
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
        if (rc != LIBRO_OK) {
            r->store.ops->rollback(r->store.h);
        }
    }
    return rc;
}

libro_code
libro_registry__spend_request(libro_registry *r, const libro_request_id *req, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, spend_request_once(r, req, err));
    return rc;
}

/* ---- appending ---------------------------------------------------------------------------- */

static libro_code
node_get(void *ctx, unsigned level, uint64_t index, libro_merkle_hash *out, libro_error *err)
{
    libro_registry *r = ctx;

    return r->store.ops->log_node_get(r->store.h, level, index, out->bytes, err);
}

static libro_code
node_put(void *ctx, unsigned level, uint64_t index, const libro_merkle_hash *h, libro_error *err)
{
    libro_registry *r = ctx;

    return r->store.ops->log_node_put(r->store.h, level, index, h->bytes, err);
}

/* Append `leaf` (its JSON) inside the caller's write transaction. */
static libro_code
log_append(libro_registry *r, json_t *leaf, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_merkle_hash hash;
    uint64_t size = 0;
    libro_code rc;

    if (leaf == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    rc = libro_json__dump(&text, leaf, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->log_size(r->store.h, &size, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_merkle_leaf_hash(&hash, text.data, text.len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_merkle_append(size, &hash, node_get, node_put, r, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->log_leaf_put(r->store.h, size, (const char *) text.data, err);
out:
    libro_buf_free(&text);
    return rc;
}

libro_code
libro_registry__log_leaf(libro_registry *r, json_t *leaf, libro_error *err)
{
    return log_append(r, leaf, err);
}

/* "sha256:" + base64url of the SHA-256 of `s`: leaves name credentials by digest, so that the
 * log stays small and a leaf can be checked against the credential a holder shows. */
static libro_code
digest_of(char out[64], const char *s, libro_error *err)
{
    unsigned char d[32];
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = libro_sha256(d, s, strlen(s), err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, "sha256:", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&b, d, sizeof d, err);
    }
    if (rc == LIBRO_OK) {
        memcpy(out, b.data, b.len + 1); /* 7 + 43 + NUL */
    }
    libro_buf_free(&b);
    return rc;
}

libro_code
libro_registry__digest(char out[64], const char *s, libro_error *err)
{
    return digest_of(out, s, err);
}

static json_t *
time_value(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    return libro_time_format(text, t, NULL) == LIBRO_OK ? json_string(text) : NULL;
}

libro_code
libro_registry__record_event(libro_registry *r, const char *number, const libro_store_event *ev,
                             libro_error *err)
{
    char digest[64];
    json_t *leaf = NULL;
    libro_code rc;

    rc = r->store.ops->event_append(r->store.h, number, ev, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    leaf = json_pack("{s:s, s:o, s:s, s:s, s:o, s:s, s:I, s:s, s:s}", "type", "license", "at",
                     time_value(ev->at), "license", number, "action", libro_action_name(ev->action),
                     "from",
                     ev->from == 0 ? json_null() : json_string(libro_license_state_name(ev->from)),
                     "to", libro_license_state_name(ev->to), "version", (json_int_t) ev->version,
                     "actor", ev->actor, "reason", ev->reason == NULL ? "" : ev->reason);
    if (leaf != NULL && ev->evidence != NULL &&
        json_object_set_new(leaf, "evidence", json_string(ev->evidence)) != 0) {
        json_decref(leaf);
        leaf = NULL;
    }
    if (leaf != NULL && ev->credential != NULL) {
        rc = digest_of(digest, ev->credential, err);
        if (rc != LIBRO_OK) {
            json_decref(leaf);
            return rc;
        }
        if (json_object_set_new(leaf, "credential", json_string(digest)) != 0) {
            json_decref(leaf);
            leaf = NULL;
        }
    }
    rc = log_append(r, leaf, err);
    json_decref(leaf);
    return rc;
}

libro_code
libro_registry__log_type(libro_registry *r, const libro_license_type *t, const char *requirements,
                         const char *actor, libro_error *err)
{
    json_t *leaf = json_pack(
        "{s:s, s:o, s:s, s:I, s:I, s:I, s:s, s:s}", "type", "licenseType", "at",
        time_value(libro_time_now()), "id", t->id, "validityDays", (json_int_t) t->validity_days,
        "renewalWindowDays", (json_int_t) t->renewal_window_days, "graceDays",
        (json_int_t) t->grace_days, "requirements", requirements, "actor", actor);
    libro_code rc = log_append(r, leaf, err);

    json_decref(leaf);
    return rc;
}

/* ---- issuer authorizations ---------------------------------------------------------------- */

/* The community's key, from the registry's charter. */
static libro_code
community_key(libro_credential **charter, const libro_registry *r, libro_error *err)
{
    libro_code rc = libro_registry__parse_credential(charter, r->charter, err);

    if (rc == LIBRO_OK && (*charter)->subject_key == NULL) {
        libro_credential_free(*charter);
        *charter = NULL;
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "charter names no community key");
    }
    return rc;
}

/* Whether statusRegistry `reg` names the registry whose url is url[0..n): the same base URL,
 * or, for a registry authorized at http://127.0.0.1 with no port (a test registry on this
 * machine, served on a port the system picks), http://127.0.0.1:<port>. */
static bool
names_registry(const char *reg, const char *url, size_t n)
{
    static const char loopback[] = "http://127.0.0.1";
    const char *port;

    if (strlen(reg) == n && strncmp(reg, url, n) == 0) {
        return true;
    }
    if (n != sizeof loopback - 1 || strncmp(url, loopback, n) != 0 || strncmp(reg, url, n) != 0 ||
        reg[n] != ':') {
        return false;
    }
    port = reg + n + 1;
    return *port >= '1' && *port <= '9' && strlen(port) <= 5 &&
           strspn(port, "0123456789") == strlen(port);
}

/* The registry's status policy for an issuer authorization (docs/operations.md): it must
 * require status entries from a registry (statusRegistry), so that a license signed with its
 * key but never recorded does not verify, unless the operator allowed an unrecorded one
 * (LIBRO_AUTHORIZE_ALLOW_UNRECORDED); and the registry it names must be this one, the base URL
 * of its RegistryAuthorization's url: this registry would record licenses whose entries every
 * verifier then refuses. A registry authorization without a url cannot tell, and accepts. */
static libro_code
check_status_registry(const libro_registry *r, const libro_credential *auth, unsigned flags,
                      libro_error *err)
{
    libro_credential *own = NULL;
    size_t n;
    libro_code rc;

    if (auth->status_registry == NULL) {
        if ((flags & LIBRO_AUTHORIZE_ALLOW_UNRECORDED) != 0) {
            return LIBRO_OK;
        }
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the issuer authorization requires no status entries "
                               "(statusRegistry): a license signed with its key and never "
                               "recorded would verify; have it issued with --status-registry "
                               "naming this registry, or allow that with --allow-unrecorded");
    }
    if (r->authorization == NULL) {
        return LIBRO_OK;
    }
    rc = libro_registry__parse_credential(&own, r->authorization, err);
    if (rc != LIBRO_OK || own->url == NULL) {
        goto out;
    }
    n = strlen(own->url);
    while (n > 0 && own->url[n - 1] == '/') {
        n--;
    }
    if (!names_registry(auth->status_registry, own->url, n)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "issuer authorization requires status entries from %.100s, not from "
                             "this registry (%.100s)",
                             auth->status_registry, own->url);
    }
out:
    libro_credential_free(own);
    return rc;
}

/* Check `jws` is an IssuerAuthorization the registry's community signed, not expired at
 * `now`, within the chain rules and the registry's status policy; *kid receives the kid the
 * authorized issuer signs with. */
static libro_code
check_issuer_authorization(libro_credential **out, libro_buf *kid, const libro_registry *r,
                           const char *jws, unsigned flags, int64_t now, libro_error *err)
{
    libro_credential *charter = NULL;
    libro_credential *auth = NULL;
    libro_jws *parsed = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_registry__parse_credential(&auth, jws, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (auth->type != LIBRO_CRED_ISSUER_AUTH) {
        rc =
            libro_error_set(err, LIBRO_ERR_SCHEMA, "credential is a %s, not an IssuerAuthorization",
                            libro_cred_type_name(auth->type));
        goto out;
    }
    rc = community_key(&charter, r, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_rules_issued_by(auth, charter, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws_parse(&parsed, jws, strlen(jws), err);
    if (rc == LIBRO_OK) {
        rc = libro_jws_verify(parsed, charter->subject_key, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "issuer authorization");
        goto out;
    }
    if (now > auth->valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "issuer authorization has expired");
        goto out;
    }
    /* The chain rules a verifier applies to this link (libro/rules.h): recorded, and later
     * served in trust bundles, only what verifiers accept. */
    rc = libro_rules_under_charter(auth, charter, err);
    if (rc == LIBRO_OK) {
        rc = check_status_registry(r, auth, flags, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_kid_for(kid, auth->subject_id, auth->subject_key, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = auth;
    auth = NULL;
out:
    libro_jws_free(parsed);
    libro_credential_free(charter);
    libro_credential_free(auth);
    return rc;
}

static libro_code
authorize_issuer_once(libro_registry *r, const libro_request_id *req, const char *authorization,
                      unsigned flags, const char *actor, int64_t now, libro_error *err)
{
    libro_credential *auth = NULL;
    libro_buf kid = LIBRO_BUF_INIT;
    char digest[64];
    json_t *leaf = NULL;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || authorization == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "authorize: NULL argument");
    }
    rc = libro_registry__text_check(actor, "actor", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = check_issuer_authorization(&auth, &kid, r, authorization, flags, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = digest_of(digest, authorization, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->issuer_put(r->store.h, (const char *) kid.data, auth->subject_id,
                                  authorization, auth->valid_from, auth->valid_until, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    leaf =
        json_pack("{s:s, s:o, s:s, s:s, s:s}", "type", "issuerAuthorization", "at", time_value(now),
                  "kid", (const char *) kid.data, "credential", digest, "actor", actor);
    rc = log_append(r, leaf, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    in_tx = rc != LIBRO_OK;
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    json_decref(leaf);
    libro_buf_free(&kid);
    libro_credential_free(auth);
    return rc;
}

libro_code
libro_registry_authorize_issuer(libro_registry *r, const libro_request_id *req,
                                const char *authorization, unsigned flags, const char *actor,
                                int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err,
                          authorize_issuer_once(r, req, authorization, flags, actor, now, err));
    return rc;
}

/* The stored authorization of `kid` as JWS and parsed, when valid at `now`. */
static libro_code
issuer_authorization(libro_registry *r, char **jws, libro_credential **cred, const char *kid,
                     int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc;

    *jws = NULL;
    *cred = NULL;
    rc = r->store.ops->issuer_get(r->store.h, jws, kid, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry__parse_credential(&c, *jws, err);
    }
    if (rc == LIBRO_OK && now < c->valid_from) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_YET_VALID, "issuer authorization is not yet valid");
    } else if (rc == LIBRO_OK && now > c->valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "issuer authorization has expired");
    }
    if (rc != LIBRO_OK) {
        libro_credential_free(c);
        libro_free(*jws);
        *jws = NULL;
        return rc;
    }
    *cred = c;
    return LIBRO_OK;
}

libro_code
libro_registry_issuer_authorization(libro_registry *r, char **authorization, const char *kid,
                                    int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc;

    if (r == NULL || authorization == NULL || kid == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer authorization: NULL argument");
    }
    rc = issuer_authorization(r, authorization, &c, kid, now, err);
    libro_credential_free(c);
    return rc;
}

/* The memo entry parsed from exactly `jws`, or NULL. */
static libro_registry__auth_memo *
auth_memo_find(libro_registry *r, const char *jws)
{
    for (size_t i = 0; i < LIBRO_REGISTRY__AUTH_MEMO; i++) {
        libro_registry__auth_memo *m = &r->auth_memo[i];

        if (m->jws != NULL && strcmp(m->jws, jws) == 0) {
            return m;
        }
    }
    return NULL;
}

/* The entry to fill next: an empty one, else the least recently used, emptied. */
static libro_registry__auth_memo *
auth_memo_victim(libro_registry *r)
{
    libro_registry__auth_memo *v = &r->auth_memo[0];

    for (size_t i = 0; i < LIBRO_REGISTRY__AUTH_MEMO; i++) {
        libro_registry__auth_memo *m = &r->auth_memo[i];

        if (m->jws == NULL) {
            return m;
        }
        if (m->used < v->used) {
            v = m;
        }
    }
    libro_free(v->jws);
    libro_credential_free(v->cred);
    memset(v, 0, sizeof *v);
    return v;
}

void
libro_registry__auth_memo_clear(libro_registry *r)
{
    for (size_t i = 0; i < LIBRO_REGISTRY__AUTH_MEMO; i++) {
        libro_free(r->auth_memo[i].jws);
        libro_credential_free(r->auth_memo[i].cred);
        memset(&r->auth_memo[i], 0, sizeof r->auth_memo[i]);
    }
}

libro_code
libro_registry__issuer_credential(libro_registry *r, const libro_credential **out, const char *kid,
                                  int64_t now, libro_error *err)
{
    libro_registry__auth_memo *m;
    char *jws = NULL;
    libro_code rc;

    *out = NULL;
    /* The row is read every time (an authorization replaced or removed counts at once); only
     * the parse of the same text is reused. */
    rc = r->store.ops->issuer_get(r->store.h, &jws, kid, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    m = auth_memo_find(r, jws);
    if (m == NULL) {
        m = auth_memo_victim(r);
        rc = libro_registry__parse_credential(&m->cred, jws, err);
        if (rc != LIBRO_OK) {
            libro_free(jws);
            return rc;
        }
        m->jws = jws;
        jws = NULL; /* moved to the memo */
    }
    libro_free(jws);
    m->used = ++r->auth_tick;
    if (now < m->cred->valid_from) {
        return libro_error_set(err, LIBRO_ERR_NOT_YET_VALID,
                               "issuer authorization is not yet valid");
    }
    if (now > m->cred->valid_until) {
        return libro_error_set(err, LIBRO_ERR_EXPIRED, "issuer authorization has expired");
    }
    *out = m->cred;
    return LIBRO_OK;
}

libro_code
libro_registry_issuer_authorizations(libro_registry *r, char ***list, size_t *n, libro_error *err)
{
    if (r == NULL || list == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer authorizations: NULL argument");
    }
    return r->store.ops->issuer_list(r->store.h, list, n, err);
}

void
libro_registry_strings_free(char **list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++) {
        libro_free(list[i]);
    }
    libro_free(list);
}

/* ---- reading the log ---------------------------------------------------------------------- */

/* ---- auditing the log --------------------------------------------------------------------- */

/* The size last audited and the root over it: "<size> <root in base64url>". */
#define META_LOG_AUDITED "log_audited"
#define DAMAGED "the registry log is damaged: "
#define RECOVER "; restore the database from a backup (docs/operations.md)"

typedef struct audit_mark {
    uint64_t size;
    libro_merkle_hash root;
} audit_mark;

static libro_code
mark_read(audit_mark *m, libro_registry *r, libro_error *err)
{
    libro_buf root = LIBRO_BUF_INIT;
    char *text = NULL;
    const char *sp;
    libro_code rc = r->store.ops->meta_get(r->store.h, &text, META_LOG_AUDITED, err);

    memset(m, 0, sizeof *m);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        rc = LIBRO_OK;
        goto out;
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    sp = strchr(text, ' ');
    if (sp == NULL ||
        libro_parse_u64(&m->size, text, (size_t) (sp - text), LIBRO_MERKLE_MAX_SIZE, NULL) !=
            LIBRO_OK ||
        libro_b64url_decode(&root, sp + 1, strlen(sp + 1), NULL) != LIBRO_OK ||
        root.len != sizeof m->root.bytes) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             DAMAGED "its audit record is unreadable" RECOVER);
        goto out;
    }
    memcpy(m->root.bytes, root.data, sizeof m->root.bytes);
out:
    libro_buf_free(&root);
    libro_free(text);
    return rc;
}

/* Record that the tree of `size` leaves with `root` was audited, unless a later audit already
 * recorded more (the log only grows, so the root of a size never changes). A registry opened
 * read-only on purpose records nothing: it takes no writes, so its log does not grow, and each
 * audit checks again only what the last recorded audit did not cover. */
static libro_code
mark_write_once(libro_registry *r, uint64_t size, const libro_merkle_hash *root, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    audit_mark have;
    libro_code rc;

    if (r->read_only) {
        return LIBRO_OK;
    }
    rc = r->store.ops->begin(r->store.h, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = mark_read(&have, r, err);
    if (rc == LIBRO_OK && have.size < size) {
        rc = libro_buf_printf(&text, err, "%llu ", (unsigned long long) size);
        if (rc == LIBRO_OK) {
            rc = libro_b64url_encode(&text, root->bytes, sizeof root->bytes, err);
        }
        if (rc == LIBRO_OK) {
            rc =
                r->store.ops->meta_put(r->store.h, META_LOG_AUDITED, (const char *) text.data, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
    libro_buf_free(&text);
    return rc;
}

static libro_code
mark_write(libro_registry *r, uint64_t size, const libro_merkle_hash *root, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, mark_write_once(r, size, root, err));
    return rc;
}

/* A stored node read for the audit: one that is missing is damage, not "not found". */
static libro_code
audit_node(libro_registry *r, unsigned level, uint64_t index, libro_merkle_hash *out,
           libro_error *err)
{
    libro_code rc = node_get(r, level, index, out, err);

    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = libro_error_set(
            err, LIBRO_ERR_CORRUPT,
            DAMAGED "node %u/%llu over leaves %llu..%llu is missing or unreadable" RECOVER, level,
            (unsigned long long) index, (unsigned long long) (index << level),
            (unsigned long long) (((index + 1) << level) - 1));
    }
    return rc;
}

static libro_code
node_mismatch(unsigned level, uint64_t index, libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_CORRUPT,
                           DAMAGED "node %u/%llu over leaves %llu..%llu does not match" RECOVER,
                           level, (unsigned long long) index, (unsigned long long) (index << level),
                           (unsigned long long) (((index + 1) << level) - 1));
}

/* Leaves [from, size) against their stored hashes, then every stored node over any of them
 * against its two children, level by level: the children were checked first (a level below,
 * or in an earlier audit when they lie wholly before `from`), so each node is known good
 * when the level above reads it. */
static libro_code
audit_range(libro_registry *r, uint64_t from, uint64_t size, libro_log_audit *rep, libro_error *err)
{
    libro_merkle_hash want;
    libro_merkle_hash have;
    libro_code rc = LIBRO_OK;

    for (uint64_t i = from; rc == LIBRO_OK && i < size; i++) {
        char *text = NULL;

        rc = r->store.ops->log_leaf_get(r->store.h, &text, i, err);
        if (rc == LIBRO_ERR_NOT_FOUND) {
            rc = libro_error_set(err, LIBRO_ERR_CORRUPT, DAMAGED "leaf %llu is missing" RECOVER,
                                 (unsigned long long) i);
        }
        if (rc == LIBRO_OK) {
            rc = libro_merkle_leaf_hash(&want, text, strlen(text), err);
        }
        libro_free(text);
        if (rc == LIBRO_OK) {
            rc = audit_node(r, 0, i, &have, err);
        }
        if (rc == LIBRO_OK && !libro_ct_equal(want.bytes, have.bytes, sizeof want.bytes)) {
            rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                                 DAMAGED "leaf %llu does not match its stored hash" RECOVER,
                                 (unsigned long long) i);
        }
        rep->leaves_checked++;
        rep->nodes_checked++;
    }
    for (unsigned level = 1; rc == LIBRO_OK && level < 64 && (size >> level) > 0; level++) {
        for (uint64_t j = from >> level; rc == LIBRO_OK && j < (size >> level); j++) {
            libro_merkle_hash left;
            libro_merkle_hash right;

            rc = audit_node(r, level - 1, 2 * j, &left, err);
            if (rc == LIBRO_OK) {
                rc = audit_node(r, level - 1, 2 * j + 1, &right, err);
            }
            if (rc == LIBRO_OK) {
                rc = libro_merkle_node_hash(&want, &left, &right, err);
            }
            if (rc == LIBRO_OK) {
                rc = audit_node(r, level, j, &have, err);
            }
            if (rc == LIBRO_OK && !libro_ct_equal(want.bytes, have.bytes, sizeof want.bytes)) {
                rc = node_mismatch(level, j, err);
            }
            rep->nodes_checked++;
        }
    }
    return rc;
}

/* The root over the size last audited, from the stored nodes of that tree's right edge,
 * against the root recorded then: a node on that edge damaged since is found without
 * reading the tree below it. */
static libro_code
audit_old_root(libro_registry *r, const audit_mark *mark, libro_log_audit *rep, libro_error *err)
{
    libro_merkle_hash root;
    libro_code rc;

    if (mark->size == 0) {
        return LIBRO_OK;
    }
    rc = libro_merkle_root(&root, mark->size, node_get, r, err);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             DAMAGED "a node over leaves 0..%llu is missing or unreadable" RECOVER,
                             (unsigned long long) (mark->size - 1));
    }
    if (rc == LIBRO_OK && !libro_ct_equal(root.bytes, mark->root.bytes, sizeof root.bytes)) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             DAMAGED "the root over leaves 0..%llu is not the one audited" RECOVER,
                             (unsigned long long) (mark->size - 1));
    }
    for (uint64_t n = mark->size; n != 0; n &= n - 1) {
        rep->nodes_checked++; /* one stored node per set bit of the size */
    }
    return rc;
}

/* One snapshot: the audit, then the root of the tree it covered. *mark_stale says whether the
 * record of the last audit is behind what was just checked. */
static libro_code
audit_snapshot(libro_registry *r, bool full, libro_log_audit *rep, libro_merkle_hash *root,
               bool *mark_stale, libro_error *err)
{
    audit_mark mark;
    uint64_t size = 0;
    libro_code rc = r->store.ops->begin_read(r->store.h, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    memset(rep, 0, sizeof *rep);
    rc = mark_read(&mark, r, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->log_size(r->store.h, &size, err);
    }
    if (rc == LIBRO_OK && mark.size > size) {
        rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                             DAMAGED "it has %llu leaves, fewer than the %llu audited" RECOVER,
                             (unsigned long long) size, (unsigned long long) mark.size);
    }
    rep->size = size;
    rep->from = full ? 0 : mark.size;
    /* Incrementally, the old edge first: the new nodes are built on it. In full, the nodes
     * first: a damaged one is then named, not only the root above it. */
    if (rc == LIBRO_OK && !full) {
        rc = audit_old_root(r, &mark, rep, err);
    }
    if (rc == LIBRO_OK) {
        rc = audit_range(r, rep->from, size, rep, err);
    }
    if (rc == LIBRO_OK && full) {
        rc = audit_old_root(r, &mark, rep, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_merkle_root(root, size, node_get, r, err);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
    *mark_stale = size > mark.size;
    return rc;
}

static libro_code
audit(libro_registry *r, bool full, libro_log_audit *rep, uint64_t *size, libro_merkle_hash *root,
      libro_error *err)
{
    bool stale = false;
    libro_code rc = audit_snapshot(r, full, rep, root, &stale, err);

    if (rc == LIBRO_OK && stale) {
        rc = mark_write(r, rep->size, root, err);
    }
    if (rc == LIBRO_OK) {
        *size = rep->size;
    }
    return rc;
}

libro_code
libro_registry_log_audit(libro_registry *r, bool full, libro_log_audit *out, libro_error *err)
{
    libro_log_audit rep = {0};
    libro_merkle_hash root;
    uint64_t size = 0;
    libro_code rc;

    if (r == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log audit: NULL argument");
    }
    rc = audit(r, full, &rep, &size, &root, err);
    if (rc == LIBRO_OK) {
        rep.root = root;
    }
    if (out != NULL) {
        *out = rep;
    }
    return rc;
}

libro_code
libro_registry_log_head(libro_registry *r, uint64_t *size, libro_merkle_hash *root,
                        libro_error *err)
{
    libro_log_audit rep = {0};

    if (r == NULL || size == NULL || root == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log: NULL argument");
    }
    return audit(r, false, &rep, size, root, err);
}

/* The tree's size now, to refuse proofs about a size it never had. */
static libro_code
require_size(libro_registry *r, uint64_t size, libro_error *err)
{
    uint64_t have = 0;
    libro_code rc = r->store.ops->log_size(r->store.h, &have, err);

    if (rc == LIBRO_OK && size > have) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "log: the tree has %llu leaves, not %llu",
                             (unsigned long long) have, (unsigned long long) size);
    }
    return rc;
}

libro_code
libro_registry_log_inclusion(libro_registry *r, libro_merkle_hash *proof, size_t *n, uint64_t index,
                             uint64_t size, libro_error *err)
{
    libro_code rc;

    if (r == NULL || proof == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log: NULL argument");
    }
    rc = require_size(r, size, err);
    if (rc == LIBRO_OK) {
        rc = libro_merkle_inclusion_proof(proof, n, index, size, node_get, r, err);
    }
    return rc;
}

libro_code
libro_registry_log_consistency(libro_registry *r, libro_merkle_hash *proof, size_t *n,
                               uint64_t size1, uint64_t size2, libro_error *err)
{
    libro_code rc;

    if (r == NULL || proof == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log: NULL argument");
    }
    rc = require_size(r, size2, err);
    if (rc == LIBRO_OK) {
        rc = libro_merkle_consistency_proof(proof, n, size1, size2, node_get, r, err);
    }
    return rc;
}

libro_code
libro_registry_log_leaf(libro_registry *r, char **data, uint64_t index, libro_error *err)
{
    if (r == NULL || data == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log: NULL argument");
    }
    return r->store.ops->log_leaf_get(r->store.h, data, index, err);
}

libro_code
libro_registry_log_size(libro_registry *r, uint64_t *size, libro_error *err)
{
    if (r == NULL || size == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "log: NULL argument");
    }
    return r->store.ops->log_size(r->store.h, size, err);
}

/* ---- the community's chain ---------------------------------------------------------------- */

#define META_CHAIN "chain" /* a JSON array of the charters above the registry's own */
/* Levels run 0..8: a chain holds at most nine charters, the registry's own included. */
#define MAX_CHAIN_CHARTERS 9

/* The charters above the registry's own, as stored (a new, empty array when none). */
static libro_code
load_chain(json_t **out, libro_registry *r, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    char *text = NULL;
    libro_code rc = r->store.ops->meta_get(r->store.h, &text, META_CHAIN, err);

    *out = NULL;
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        *out = json_array();
        return *out == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        lim.max_bytes = (size_t) MAX_CHAIN_CHARTERS * LIBRO_MAX_TOKEN_BYTES;
        rc = libro_json__load(out, text, strlen(text), &lim, err);
    }
    libro_free(text);
    return rc;
}

libro_code
libro_registry_chain(libro_registry *r, char ***list, size_t *n, libro_error *err)
{
    json_t *chain = NULL;
    char **v = NULL;
    size_t count = 0;
    libro_code rc;

    if (r == NULL || list == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "chain: NULL argument");
    }
    *list = NULL;
    *n = 0;
    rc = load_chain(&chain, r, err);
    if (rc == LIBRO_OK) {
        v = libro_calloc(json_array_size(chain) + 1, sizeof *v);
        rc = v == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
    }
    for (size_t i = 0; rc == LIBRO_OK && i <= json_array_size(chain); i++) {
        const char *s = i == 0 ? r->charter : json_string_value(json_array_get(chain, i - 1));

        v[i] = s == NULL ? NULL : libro_strndup(s, strlen(s));
        if (v[i] == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        } else {
            count++;
        }
    }
    json_decref(chain);
    if (rc != LIBRO_OK) {
        libro_registry_strings_free(v, count);
        return rc;
    }
    *list = v;
    *n = count;
    return LIBRO_OK;
}

static libro_code
add_chain_once(libro_registry *r, const libro_request_id *req, const char *charter,
               const char *actor, int64_t now, libro_error *err)
{
    libro_credential *parent = NULL;
    libro_credential *below = NULL;
    libro_jws *below_jws = NULL;
    json_t *chain = NULL;
    json_t *leaf = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    const char *top;
    char digest[64];
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || charter == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "chain: NULL argument");
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = libro_registry__parse_credential(&parent, charter, err)) != LIBRO_OK) {
        goto out;
    }
    if (parent->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "credential is a %s, not a CommunityCharter",
                             libro_cred_type_name(parent->type));
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = load_chain(&chain, r, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (json_array_size(chain) + 1 >= MAX_CHAIN_CHARTERS) {
        rc =
            libro_error_set(err, LIBRO_ERR_LIMIT, "chain: at most %d charters", MAX_CHAIN_CHARTERS);
        goto out;
    }
    /* The new charter must be the one that chartered the top of the chain known so far: its
     * subject issued that charter, and its key signed it. */
    top = json_array_size(chain) == 0
              ? r->charter
              : json_string_value(json_array_get(chain, json_array_size(chain) - 1));
    if ((rc = libro_registry__parse_credential(&below, top, err)) != LIBRO_OK ||
        (rc = libro_jws_parse(&below_jws, top, strlen(top), err)) != LIBRO_OK) {
        goto out;
    }
    if (strcmp(below->issuer, below->subject_id) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "chain: %.64s is self-chartered (an anchor): nothing lies above it",
                             below->subject_id);
        goto out;
    }
    rc = libro_rules_issued_by(below, parent, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "chain");
        goto out;
    }
    rc = libro_jws_verify(below_jws, parent->subject_key, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "chain: the charter below");
        goto out;
    }
    /* The chain rules between the two charters, as a verifier walking up applies them. */
    rc = libro_rules_under_charter(below, parent, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "chain");
        goto out;
    }
    if (json_array_append_new(chain, json_string(charter)) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = libro_json__dump(&text, chain, err)) != LIBRO_OK ||
        (rc = r->store.ops->meta_put(r->store.h, META_CHAIN, (const char *) text.data, err)) !=
            LIBRO_OK ||
        (rc = digest_of(digest, charter, err)) != LIBRO_OK) {
        goto out;
    }
    leaf = json_pack("{s:s, s:o, s:s, s:s, s:s}", "type", "charter", "at", time_value(now),
                     "community", parent->subject_id, "credential", digest, "actor", actor);
    rc = log_append(r, leaf, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
        in_tx = rc != LIBRO_OK;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    json_decref(leaf);
    json_decref(chain);
    libro_buf_free(&text);
    libro_jws_free(below_jws);
    libro_credential_free(below);
    libro_credential_free(parent);
    return rc;
}

libro_code
libro_registry_add_chain(libro_registry *r, const libro_request_id *req, const char *charter,
                         const char *actor, int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, add_chain_once(r, req, charter, actor, now, err));
    return rc;
}
