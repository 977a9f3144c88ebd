/* The registry's HTTP API, write side: JWS-signed requests by an authorized issuer key
 * (docs/formats.md, "Signed API requests"). Every check runs before the registry is touched,
 * in an order that leaks nothing to a stranger: the body's form (400), the key (401: unknown,
 * not valid now, bad signature), the claims (401: audience, time; 400: form), the scope (403),
 * and only then the operation, whose request id is recorded in the same transaction as the
 * change (409 on a replay), so a request takes effect at most once. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../registry_int.h"
#include "../writer.h"
#include "http_int.h"
#include "libro/api.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"

static const char type_json[] = "application/json";
static const char no_store[] = "no-store";

/* The request's verified facts. */
typedef struct write_request {
    libro_jws *jws;
    json_t *claims;
    const libro_credential *auth; /* license requests: the signer's IssuerAuthorization,
                                     borrowed from the handle (libro_registry__issuer_credential) */
    libro_registry_signer signer; /* roundtable requests: the community or holder signing */
    libro_request_id id;          /* jti, kid, iat: what a write records */
} write_request;

static void
write_request_clear(write_request *w)
{
    libro_jws_free(w->jws);
    json_decref(w->claims);
    libro_registry__signer_clear(&w->signer);
    memset(w, 0, sizeof *w);
}

/* Whether `op` is about the roundtable (signed by a community's or a holder's key) rather
 * than about licenses (signed by an authorized issuer's key). */
static bool
roundtable_op(libro_http_write op)
{
    return op == LIBRO_HTTP_WRITE_SEAT || op == LIBRO_HTTP_WRITE_MANDATE_RESERVE ||
           op == LIBRO_HTTP_WRITE_MANDATE_REGISTER || op == LIBRO_HTTP_WRITE_MANDATE_END;
}

static void
reply(libro_http__response *resp, unsigned status, json_t *body)
{
    libro_error err = LIBRO_ERROR_INIT;

    libro_buf_clear(&resp->body);
    if (body == NULL || libro_json__dump(&resp->body, body, &err) != LIBRO_OK) {
        libro_http__error(resp, 500, "internal", "the registry cannot answer now");
    } else {
        resp->status = status;
        resp->content_type = type_json;
        resp->cache_control = no_store;
    }
    json_decref(body);
}

/* Whether the request `req` (NULL: none) is recorded: after a write failed with
 * LIBRO_ERR_EXISTS, whether its id was what existed. The id was unknown before the write, so
 * finding it now means a request with the same id won the race: a replay. */
static bool
spent(libro_registry *reg, const libro_request_id *req)
{
    libro_error err = LIBRO_ERROR_INIT;
    bool known = false;

    return req != NULL && libro_registry__request_known(reg, req->jti, &known, &err) == LIBRO_OK &&
           known;
}

/* The answers to storage failures (docs/formats.md, "Signed API requests"), by code. */
static const struct {
    libro_code code;
    unsigned status;
    const char *name;
    const char *message;
} storage_answers[] = {
    /* Nothing changed; another writer held the database past the wait. */
    {LIBRO_ERR_BUSY, 503, "busy", "the registry is busy; try again"},
    {LIBRO_ERR_FULL, 507, "storage_full", "the registry's storage is full; nothing was written"},
    {LIBRO_ERR_READONLY, 503, "read_only", "the registry is serving reads only"},
    /* Nothing changed: the database refused the write for a concurrent one, each of the
     * attempts the registry made. */
    {LIBRO_ERR_CONFLICT, 503, "conflict",
     "the database refused the write for a concurrent one; nothing was written: try again"},
    /* The database could not be reached; a write whose commit was cut off may or may not be
     * in it: its request id tells. */
    {LIBRO_ERR_UNAVAILABLE, 503, "unavailable",
     "the registry's database cannot be reached now; try again"},
    /* The write may or may not be on disk: its request id tells, after a restart. */
    {LIBRO_ERR_IO, 500, "io_error",
     "the registry's storage failed; it takes no writes until restarted"},
};

/* Answer a storage failure `err` and keep it for the log line (log_storage). */
void
libro_http__storage_error(libro_http__response *resp, const libro_error *err)
{
    size_t i = 0;

    while (i + 1 < LIBRO_NELEM(storage_answers) && storage_answers[i].code != err->code) {
        i++; /* anything else is an I/O error: the last row */
    }
    resp->storage = *err;
    /* Worth asking again soon: the lock, the transaction or the connection is the moment's. */
    resp->retry_after = err->code == LIBRO_ERR_BUSY || err->code == LIBRO_ERR_CONFLICT ||
                                err->code == LIBRO_ERR_UNAVAILABLE
                            ? 1
                            : 0;
    libro_http__error(resp, storage_answers[i].status, storage_answers[i].name,
                      storage_answers[i].message);
}

/* The error of a registry call, by its code: what the caller did wrong, or a conflict with the
 * license's state. `req` is the request the call carried out (NULL: none). */
void
libro_http__registry_error(libro_http__response *resp, libro_registry *reg,
                           const libro_request_id *req, const libro_error *err)
{
    switch (err->code) {
    case LIBRO_ERR_NOT_FOUND:
        libro_http__error(resp, 404, "not_found", err->msg);
        return;
    case LIBRO_ERR_EXISTS:
        if (spent(reg, req)) {
            libro_http__error(resp, 409, "replay", "this request id (jti) was already used");
        } else {
            libro_http__error(resp, 409, "exists", err->msg);
        }
        return;
    case LIBRO_ERR_DENIED:
    case LIBRO_ERR_EXPIRED:
        libro_http__error(resp, 409, "conflict", err->msg);
        return;
    case LIBRO_ERR_NOMEM:
    case LIBRO_ERR_CRYPTO:
        libro_http__error(resp, 500, "internal", "the registry cannot answer now");
        return;
    case LIBRO_ERR_BUSY:
    case LIBRO_ERR_CONFLICT:
    case LIBRO_ERR_UNAVAILABLE:
    case LIBRO_ERR_FULL:
    case LIBRO_ERR_READONLY:
    case LIBRO_ERR_IO:
        libro_http__storage_error(resp, err);
        return;
    default:
        libro_http__error(resp, 400, "bad_request", err->msg);
        return;
    }
}

/* ---- claims -------------------------------------------------------------------------------- */

static bool
jti_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < LIBRO_REQUEST_MIN_JTI || n > LIBRO_REQUEST_MAX_JTI) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* The members each operation takes besides aud, iat, jti and op. */
static bool
member_allowed(libro_http_write op, const char *name)
{
    static const char *const common[] = {"aud", "iat", "jti", "op"};

    for (size_t i = 0; i < LIBRO_NELEM(common); i++) {
        if (strcmp(name, common[i]) == 0) {
            return true;
        }
    }
    switch (op) {
    case LIBRO_HTTP_WRITE_RESERVE:
    case LIBRO_HTTP_WRITE_MANDATE_RESERVE:
        return false;
    case LIBRO_HTTP_WRITE_REGISTER:
    case LIBRO_HTTP_WRITE_MANDATE_REGISTER:
        return strcmp(name, "credential") == 0 || strcmp(name, "list") == 0 ||
               strcmp(name, "index") == 0;
    case LIBRO_HTTP_WRITE_SEAT:
        return strcmp(name, "charter") == 0;
    case LIBRO_HTTP_WRITE_MANDATE_END:
        return strcmp(name, "mandate") == 0 || strcmp(name, "how") == 0 ||
               strcmp(name, "reason") == 0;
    case LIBRO_HTTP_WRITE_RENEW:
        return strcmp(name, "license") == 0 || strcmp(name, "credential") == 0 ||
               strcmp(name, "evidence") == 0 || strcmp(name, "reason") == 0;
    case LIBRO_HTTP_QUERY_EXPIRING:
        return strcmp(name, "within") == 0 || strcmp(name, "after") == 0;
    default:
        return strcmp(name, "license") == 0 || strcmp(name, "reason") == 0 ||
               strcmp(name, "category") == 0;
    }
}

/* Check the claims' form and the binding to this registry, this route and this moment. */
static bool
check_claims(libro_http__response *resp, write_request *w, const libro_http_ctx *ctx,
             libro_http_write op, const char *number, int64_t now)
{
    const char *name;
    json_t *v;
    const char *aud;
    const char *want_op = libro_http__write_name(op);
    json_t *o;

    json_object_foreach(w->claims, name, v)
    {
        if (!member_allowed(op, name)) {
            libro_http__error(resp, 400, "bad_request", "the request has an unknown member");
            return false;
        }
    }
    aud = json_string_value(json_object_get(w->claims, "aud"));
    w->id.jti = json_string_value(json_object_get(w->claims, "jti"));
    v = json_object_get(w->claims, "iat");
    o = json_object_get(w->claims, "op");
    if (aud == NULL || w->id.jti == NULL || !json_is_integer(v) || !json_is_string(o)) {
        libro_http__error(resp, 400, "bad_request",
                          "the request needs aud, iat (seconds), jti and op");
        return false;
    }
    if (strcmp(aud, ctx->base_url) != 0) {
        libro_http__error(resp, 401, "wrong_audience", "the request is for another registry");
        return false;
    }
    w->id.iat = (int64_t) json_integer_value(v);
    if (w->id.iat < now - LIBRO_REQUEST_SKEW_SECONDS ||
        w->id.iat > now + LIBRO_REQUEST_SKEW_SECONDS) {
        libro_http__error(resp, 401, "stale_request",
                          "the request's iat is more than 5 minutes from the registry's clock");
        return false;
    }
    if (!jti_ok(w->id.jti)) {
        libro_http__error(resp, 400, "bad_request",
                          "jti must be 16 to 64 characters of [A-Za-z0-9_-]");
        return false;
    }
    if (strcmp(json_string_value(o), want_op) != 0) {
        libro_http__error(resp, 400, "bad_request", "the request's op is not this route's");
        return false;
    }
    if (number != NULL) {
        bool mandate = op == LIBRO_HTTP_WRITE_MANDATE_END;
        const char *named =
            json_string_value(json_object_get(w->claims, mandate ? "mandate" : "license"));

        if (named == NULL || strcmp(named, number) != 0) {
            libro_http__error(resp, 400, "bad_request",
                              mandate ? "the request's mandate is not the one in the path"
                                      : "the request's license is not the one in the path");
            return false;
        }
    }
    return true;
}

/* ---- the signer ---------------------------------------------------------------------------- */

/* The key a request's kid names, the one place kids are resolved: for a license request the
 * key of an issuer authorization the registry holds, for a roundtable request the key of a
 * community charter it holds (its own, a seat's, the parent's) or a holder's did:key. */
static bool
resolve_key(libro_http__response *resp, write_request *w, libro_registry *reg, libro_http_write op,
            int64_t now, const libro_key **key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    *key = NULL;
    if (roundtable_op(op)) {
        rc = libro_registry__roundtable_signer(reg, &w->signer, w->id.kid, now, &err);
        if (rc == LIBRO_OK) {
            *key = w->signer.key;
        }
    } else {
        rc = libro_registry__issuer_credential(reg, &w->auth, w->id.kid, now, &err);
        if (rc == LIBRO_OK) {
            *key = w->auth->subject_key;
        }
    }
    if (rc == LIBRO_ERR_NOT_FOUND || rc == LIBRO_ERR_PARSE) {
        libro_http__error(resp, 401, "unknown_key",
                          roundtable_op(op)
                              ? "the registry knows no community or holder with this key"
                              : "the registry knows no issuer with this key");
        return false;
    }
    if (rc == LIBRO_ERR_EXPIRED || rc == LIBRO_ERR_NOT_YET_VALID) {
        libro_http__error(resp, 401, "unknown_key",
                          roundtable_op(op) ? "the key's charter is not valid now"
                                            : "the key's authorization is not valid now");
        return false;
    }
    if (rc != LIBRO_OK) {
        libro_http__registry_error(resp, reg, NULL, &err);
        return false;
    }
    return true;
}

/* Parse the body, find the signer's key and verify the signature. */
static bool
authenticate(libro_http__response *resp, write_request *w, libro_registry *reg, libro_http_write op,
             const unsigned char *body, size_t len, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *claims = NULL;
    const unsigned char *payload;
    size_t payload_len = 0;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    const libro_key *key = NULL;
    bool ok = false;

    if (libro_jws_parse_ex(&w->jws, (const char *) body, len, LIBRO_MAX_HTTP_BODY_BYTES,
                           LIBRO_MAX_REQUEST_CLAIMS_BYTES, &err) != LIBRO_OK) {
        libro_http__error(resp, 400, "bad_request", err.msg);
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(w->jws), LIBRO_REQUEST_TYP)) {
        libro_http__error(resp, 400, "bad_request", "the request's typ is not " LIBRO_REQUEST_TYP);
        goto out;
    }
    w->id.kid = libro_jws_kid(w->jws);
    if (w->id.kid == NULL) {
        libro_http__error(resp, 401, "unknown_key", "the request names no key (kid)");
        goto out;
    }
    if (!resolve_key(resp, w, reg, op, now, &key)) {
        goto out;
    }
    if (libro_jws_verify(w->jws, key, &err) != LIBRO_OK) {
        libro_http__error(resp, 401, "bad_signature", "the request's signature does not verify");
        goto out;
    }
    payload = libro_jws_payload(w->jws, &payload_len);
    lim.max_bytes = LIBRO_MAX_REQUEST_CLAIMS_BYTES;
    if (libro_json__load(&claims, (const char *) payload, payload_len, &lim, &err) != LIBRO_OK ||
        !json_is_object(claims)) {
        libro_http__error(resp, 400, "bad_request", "the request's payload is not a JSON object");
        goto out;
    }
    w->claims = claims;
    claims = NULL;
    ok = true;
out:
    json_decref(claims);
    return ok;
}

/* Whether `url` is one of this registry's list URLs, <base>/v1/status/<list>/<purpose> (or
 * <base>/v1/status/mandates/<list>/<purpose> for a mandate): the prefix here, the rest
 * ("/<list>/<purpose>" of the reserved list) checked by the registry. */
static bool
our_list_url(const libro_http_ctx *ctx, const char *url, bool mandate)
{
    const char *path = mandate ? "/v1/status/mandates/" : "/v1/status/";
    size_t n = strlen(ctx->base_url);
    const char *rest;

    if (url == NULL || strncmp(url, ctx->base_url, n) != 0 ||
        strncmp(url + n, path, strlen(path)) != 0) {
        return false;
    }
    rest = url + n + strlen(path);
    return strchr(rest, '/') != NULL && strchr(rest, '/') == strrchr(rest, '/');
}

/* The status entries must name this registry's own lists: a license whose entries point
 * elsewhere would have its bits set where no verifier reads them. */
static bool
status_urls_ours(const libro_http_ctx *ctx, const libro_credential *c)
{
    bool mandate = c->type == LIBRO_CRED_MANDATE;

    return c->has_status && our_list_url(ctx, c->status_revocation_list, mandate) &&
           our_list_url(ctx, c->status_suspension_list, mandate) &&
           (c->status_message_list == NULL || our_list_url(ctx, c->status_message_list, mandate));
}

/* A credential the request carries must be the signer's own: signed by the same key and
 * verifying with it, of a type the signer may issue. */

static bool
check_credential(libro_http__response *resp, const libro_http_ctx *ctx, const write_request *w,
                 const char *token)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_jws *jws = NULL;
    bool ok = false;

    if (token == NULL) {
        libro_http__error(resp, 400, "bad_request", "the request carries no credential");
        goto out;
    }
    if (libro_registry__parse_credential(&c, token, &err) != LIBRO_OK ||
        libro_jws_parse(&jws, token, strlen(token), &err) != LIBRO_OK) {
        libro_http__error(resp, 400, "bad_request", err.msg);
        goto out;
    }
    if (c->type != LIBRO_CRED_LICENSE || libro_jws_kid(jws) == NULL ||
        strcmp(libro_jws_kid(jws), w->id.kid) != 0) {
        libro_http__error(resp, 403, "out_of_scope",
                          "the credential is not a license signed by the request's key");
        goto out;
    }
    if (libro_jws_verify(jws, w->auth->subject_key, &err) != LIBRO_OK) {
        libro_http__error(resp, 400, "bad_request", "the credential's signature does not verify");
        goto out;
    }
    /* The chain rules between a license and its issuer's authorization (libro/rules.h), as
     * the issuer checked them before signing and verifiers will: type granted, no longer than
     * the grant, the authorizing community named. Not window nesting (libro_rules_window), on
     * purpose: the registry keeps only the key's newest authorization, and a license signed
     * under an earlier one of the same key may start before it; verifiers try every
     * authorization they hold for the key. */
    if (libro_rules_license_grant(c, w->auth, &err) != LIBRO_OK ||
        libro_rules_license_community(c, w->auth, &err) != LIBRO_OK) {
        libro_http__error(resp, 403, "out_of_scope", err.msg);
        goto out;
    }
    if (!status_urls_ours(ctx, c)) {
        libro_http__error(resp, 409, "conflict",
                          "the license's status entries do not name this registry's lists");
        goto out;
    }
    ok = true;
out:
    libro_jws_free(jws);
    libro_credential_free(c);
    return ok;
}

/* A change to an existing license is in scope when the signer issued it and still holds a
 * grant for its type. */
static bool
check_license_scope(libro_http__response *resp, const write_request *w, libro_registry *reg,
                    const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};
    bool ok = false;

    if (libro_registry_get(reg, &rec, NULL, NULL, number, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, NULL, &err);
        goto out;
    }
    if (strcmp(rec.issuer, w->auth->subject_id) != 0 ||
        libro_grant_find(w->auth, rec.license_type) == NULL) {
        libro_http__error(resp, 403, "out_of_scope", "the license is outside the issuer's scope");
        goto out;
    }
    ok = true;
out:
    libro_license_record_clear(&rec);
    return ok;
}

/* ---- the write queue ----------------------------------------------------------------------- */

/* One write of a request, run by the write queue (registry/src/writer.h) on its own handle,
 * in a group that shares one commit with the writes of other connections; or on the
 * connection's handle when the server has no queue (read-only: the write is refused there).
 * The strings are borrowed from the request, which waits for the write. */
typedef struct write_job {
    libro_http_write op;
    bool spend_only; /* only record the request's id (a refused request) */
    const libro_request_id *req;
    const char *number; /* the license or mandate in the path */
    const char *token;  /* the credential or charter the request carries */
    const char *actor;
    const char *reason;
    libro_reason_category category;
    const libro_evidence *evidence;
    size_t n_evidence;
    libro_mandate_state how;
    int64_t now;
    uint32_t list; /* register: in; reserve: out */
    uint32_t index;
    char id[LIBRO_MANDATE_ID_SIZE]; /* a registered mandate's */
} write_job;

static libro_action action_of(libro_http_write op);

static libro_code
run_write(libro_registry *r, void *ctx, libro_error *err)
{
    write_job *j = ctx;

    if (j->spend_only) {
        return libro_registry__spend_request(r, j->req, err);
    }
    switch (j->op) {
    case LIBRO_HTTP_WRITE_RESERVE:
        return libro_registry_reserve_status(r, j->req, &j->list, &j->index, err);
    case LIBRO_HTTP_WRITE_MANDATE_RESERVE:
        return libro_registry_reserve_mandate_status(r, j->req, &j->list, &j->index, err);
    case LIBRO_HTTP_WRITE_REGISTER:
        return libro_registry_register(r, j->req, j->token, j->list, j->index, j->actor, j->now,
                                       err);
    case LIBRO_HTTP_WRITE_RENEW:
        return libro_registry_renew(r, j->req, j->number, j->token, j->evidence, j->n_evidence,
                                    j->actor, j->reason, j->now, err);
    case LIBRO_HTTP_WRITE_SUSPEND:
    case LIBRO_HTTP_WRITE_REINSTATE:
    case LIBRO_HTTP_WRITE_REVOKE:
    case LIBRO_HTTP_WRITE_SURRENDER:
        return libro_registry_change_categorized(r, j->req, j->number, action_of(j->op),
                                                 j->category, j->actor, j->reason, j->now, err);
    case LIBRO_HTTP_WRITE_SEAT:
        return libro_registry_add_seat(r, j->req, j->token, j->actor, j->now, err);
    case LIBRO_HTTP_WRITE_MANDATE_REGISTER:
        return libro_registry_register_mandate(r, j->req, j->token, j->list, j->index, j->actor,
                                               j->now, j->id, err);
    case LIBRO_HTTP_WRITE_MANDATE_END:
        return libro_registry_end_mandate(r, j->req, j->number, j->how, j->actor, j->reason, j->now,
                                          err);
    case LIBRO_HTTP_QUERY_EXPIRING:
        break;
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "write: not a write");
}

libro_code
libro_http__submit(const libro_http_ctx *ctx, libro_registry *reg,
                   libro_code (*fn)(libro_registry *r, void *job, libro_error *err), void *job,
                   libro_error *err)
{
    if (ctx->writer != NULL) {
        return libro_registry_writer_submit(ctx->writer, fn, job, err);
    }
    return fn(reg, job, err);
}

bool
libro_http__write_poisoned(const libro_http_ctx *ctx, const libro_registry *reg)
{
    return libro_registry_poisoned(reg) || libro_registry_writer_poisoned(ctx->writer);
}

/* Run `j` and wait for its commit: only then is the write acknowledged. */
static libro_code
submit(const libro_http_ctx *ctx, libro_registry *reg, write_job *j, libro_error *err)
{
    return libro_http__submit(ctx, reg, run_write, j, err);
}

/* ---- the operations ------------------------------------------------------------------------ */

/* Reserve a status index (a license's, or with `mandate` a mandate's) and answer with it
 * and the URLs of its three lists. */
static void
do_reserve(libro_http__response *resp, libro_http_ctx *ctx, libro_registry *reg,
           const write_request *w, bool mandate)
{
    libro_error err = LIBRO_ERROR_INIT;
    write_job job = {0};
    uint32_t list = 0;
    uint32_t index = 0;
    const char *sub = mandate ? "mandates/" : "";
    char rev[LIBRO_HTTP_MAX_BASE_URL + 64];
    char sus[LIBRO_HTTP_MAX_BASE_URL + 64];
    char msg[LIBRO_HTTP_MAX_BASE_URL + 64];
    libro_code rc;

    /* Entries from here under an authorization that requires another registry's would be
     * refused by the issuer before signing and by every verifier: say so now. */
    if (!mandate && w->auth != NULL && w->auth->status_registry != NULL &&
        strcmp(w->auth->status_registry, ctx->base_url) != 0) {
        char why[320];

        (void) snprintf(why, sizeof why,
                        "the issuer's statusRegistry is %.100s; this registry is %.100s",
                        w->auth->status_registry, ctx->base_url);
        libro_http__error(resp, 409, "conflict", why);
        return;
    }
    job.op = mandate ? LIBRO_HTTP_WRITE_MANDATE_RESERVE : LIBRO_HTTP_WRITE_RESERVE;
    job.req = &w->id;
    rc = submit(ctx, reg, &job, &err);
    list = job.list;
    index = job.index;
    if (rc != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        return;
    }
    (void) snprintf(rev, sizeof rev, "%s/v1/status/%s%u/revocation", ctx->base_url, sub, list);
    (void) snprintf(sus, sizeof sus, "%s/v1/status/%s%u/suspension", ctx->base_url, sub, list);
    (void) snprintf(msg, sizeof msg, "%s/v1/status/%s%u/message", ctx->base_url, sub, list);
    reply(resp, 201,
          json_pack("{s:I, s:I, s:s, s:s, s:s}", "list", (json_int_t) list, "index",
                    (json_int_t) index, "revocation", rev, "suspension", sus, "message", msg));
}

static bool
get_u32(const json_t *claims, const char *name, uint32_t *out)
{
    json_t *v = json_object_get(claims, name);

    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t) UINT32_MAX) {
        return false;
    }
    *out = (uint32_t) json_integer_value(v);
    return true;
}

static void
license_reply(libro_http__response *resp, libro_registry *reg, unsigned status, const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record rec = {0};

    if (libro_registry_get(reg, &rec, NULL, NULL, number, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, NULL, &err);
        return;
    }
    reply(resp, status,
          json_pack("{s:s, s:I, s:s}", "license", rec.number, "version", (json_int_t) rec.version,
                    "state", libro_license_state_name(rec.state)));
    libro_license_record_clear(&rec);
}

static void
do_register(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
            const write_request *w, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    const char *token = json_string_value(json_object_get(w->claims, "credential"));
    write_job job = {0};

    if (!get_u32(w->claims, "list", &job.list) || !get_u32(w->claims, "index", &job.index)) {
        libro_http__error(resp, 400, "bad_request", "register needs list and index");
        return;
    }
    if (!check_credential(resp, ctx, w, token)) {
        return;
    }
    job.op = LIBRO_HTTP_WRITE_REGISTER;
    job.req = &w->id;
    job.token = token;
    job.actor = w->auth->subject_id;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK ||
        libro_registry__parse_credential(&c, token, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        return;
    }
    license_reply(resp, reg, 201, c->license_number);
    libro_credential_free(c);
}

/* Evidence: an object of non-negative integers, as libro_registry_renew takes it. */
static bool
get_evidence(const json_t *claims, libro_evidence *ev, size_t *n)
{
    json_t *o = json_object_get(claims, "evidence");
    const char *name;
    json_t *v;

    *n = 0;
    if (o == NULL) {
        return true;
    }
    if (!json_is_object(o) || json_object_size(o) > LIBRO_REGISTRY_MAX_EVIDENCE) {
        return false;
    }
    json_object_foreach(o, name, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            return false;
        }
        ev[*n].name = name;
        ev[*n].value = (int64_t) json_integer_value(v);
        (*n)++;
    }
    return true;
}

static void
do_renew(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
         const write_request *w, const char *number, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_evidence ev[LIBRO_REGISTRY_MAX_EVIDENCE];
    write_job job = {0};
    size_t n = 0;
    const char *token = json_string_value(json_object_get(w->claims, "credential"));
    const char *reason = json_string_value(json_object_get(w->claims, "reason"));

    if (!get_evidence(w->claims, ev, &n)) {
        libro_http__error(resp, 400, "bad_request",
                          "evidence must be an object of at most 32 non-negative integers");
        return;
    }
    if (!check_license_scope(resp, w, reg, number) || !check_credential(resp, ctx, w, token)) {
        return;
    }
    job.op = LIBRO_HTTP_WRITE_RENEW;
    job.req = &w->id;
    job.number = number;
    job.token = token;
    job.evidence = ev;
    job.n_evidence = n;
    job.actor = w->auth->subject_id;
    job.reason = reason;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        return;
    }
    license_reply(resp, reg, 200, number);
}

static void
do_change(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
          const write_request *w, libro_http_write op, const char *number, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    write_job job = {0};
    const char *reason = json_string_value(json_object_get(w->claims, "reason"));
    json_t *category = json_object_get(w->claims, "category");

    if (reason == NULL) {
        libro_http__error(resp, 400, "bad_request", "the request needs a reason");
        return;
    }
    /* Optional: absent is LIBRO_CATEGORY_NONE, which the registry records as `other`. */
    if (category != NULL && (!json_is_string(category) ||
                             libro_reason_category_parse(&job.category, json_string_value(category),
                                                         &err) != LIBRO_OK)) {
        libro_http__error(resp, 400, "bad_request",
                          json_is_string(category) ? err.msg : "category must be a string");
        return;
    }
    if (!check_license_scope(resp, w, reg, number)) {
        return;
    }
    job.op = op;
    job.req = &w->id;
    job.number = number;
    job.actor = w->auth->subject_id;
    job.reason = reason;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        return;
    }
    license_reply(resp, reg, 200, number);
}

/* An answer of the expiring query holds licenses up to about this many bytes, and then the
 * place where the next page starts: the clients' answer cap is 16 KiB, and a registry of a
 * million licenses answers in pages instead of one document held in memory. */
#define EXPIRING_PAGE_BYTES (12u * 1024u)
/* What a license's record adds to the answer besides its texts. */
#define EXPIRING_RECORD_BYTES 256u

struct expiring_page {
    const char *issuer; /* the signer's: only its own licenses */
    json_t *list;
    size_t bytes;
    bool full;
    int64_t last_until;
    char last_number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
};

static libro_code
expiring_add(void *ctx, const libro_license_record *rec, libro_error *err)
{
    struct expiring_page *p = ctx;
    size_t size = EXPIRING_RECORD_BYTES + strlen(rec->number) + strlen(rec->license_type) +
                  strlen(rec->holder_name) + strlen(rec->issuer) + strlen(rec->credential);

    if (strcmp(rec->issuer, p->issuer) != 0) {
        return LIBRO_OK;
    }
    if (p->bytes + size > EXPIRING_PAGE_BYTES && json_array_size(p->list) > 0) {
        p->full = true;
        return libro_error_set(err, LIBRO_ERR_LIMIT, "page full"); /* ends the walk */
    }
    if (json_array_append_new(p->list, libro_http__record_json(rec)) != 0) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    p->bytes += size;
    p->last_until = rec->valid_until;
    (void) snprintf(p->last_number, sizeof p->last_number, "%s", rec->number);
    return LIBRO_OK;
}

/* The signer's own licenses due for renewal: active ones expiring within "within" seconds and
 * expired ones still in their grace period, by validUntil then number, a page at a time: an
 * answer that does not hold the last of them names in "next" ({"validUntil": seconds,
 * "number"}) what the request for the next page gives as "after". Each page is read from
 * the database as it stands then. A query changes nothing, so its jti is not recorded: a
 * replay within the iat window returns the same page to whoever could read it the first
 * time. */
static void
do_expiring(libro_http__response *resp, libro_registry *reg, const write_request *w, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct expiring_page page = {w->auth->subject_id, json_array(), 0, false, 0, ""};
    json_t *v = json_object_get(w->claims, "within");
    json_t *after = json_object_get(w->claims, "after");
    json_t *after_until = json_object_get(after, "validUntil");
    const char *after_number = json_string_value(json_object_get(after, "number"));
    json_t *answer = NULL;
    libro_code rc;

    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t) LIBRO_MAX_VALIDITY_DAYS * 86400) {
        libro_http__error(resp, 400, "bad_request", "within: seconds, 0 to 3660 days");
        goto out;
    }
    if (after != NULL &&
        (!json_is_object(after) || json_object_size(after) != 2 || !json_is_integer(after_until) ||
         after_number == NULL || !libro_license_number_ok(after_number, strlen(after_number)))) {
        libro_http__error(resp, 400, "bad_request",
                          "after: {\"validUntil\": seconds, \"number\": a license number}");
        goto out;
    }
    if (page.list == NULL) {
        reply(resp, 200, NULL);
        goto out;
    }
    rc = libro_registry__expiring_after(
        reg, now, (int64_t) json_integer_value(v),
        after == NULL ? INT64_MIN : (int64_t) json_integer_value(after_until),
        after == NULL ? "" : after_number, true, expiring_add, &page, &err);
    if (rc != LIBRO_OK && !(rc == LIBRO_ERR_LIMIT && page.full)) {
        libro_http__registry_error(resp, reg, NULL, &err);
        goto out;
    }
    answer = page.full
                 ? json_pack("{s:O, s:{s:I, s:s}}", "licenses", page.list, "next", "validUntil",
                             (json_int_t) page.last_until, "number", page.last_number)
                 : json_pack("{s:O}", "licenses", page.list);
    reply(resp, 200, answer);
out:
    json_decref(page.list);
}

/* ---- the roundtable ------------------------------------------------------------------------ */

static void
out_of_scope(libro_http__response *resp, const char *message)
{
    libro_http__error(resp, 403, "out_of_scope", message);
}

/* POST /v1/seats: the community's own key adds (or renews) a member's seat. */
static void
do_seat(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
        const write_request *w, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    write_job job = {0};
    libro_credential *c = NULL;
    const char *charter = json_string_value(json_object_get(w->claims, "charter"));

    if (charter == NULL) {
        libro_http__error(resp, 400, "bad_request", "the request carries no charter");
        return;
    }
    if (w->signer.kind != LIBRO_SIGNER_COMMUNITY) {
        out_of_scope(resp, "only the community's own key adds a seat");
        return;
    }
    job.op = LIBRO_HTTP_WRITE_SEAT;
    job.req = &w->id;
    job.token = charter;
    job.actor = w->signer.id;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK ||
        libro_registry__parse_credential(&c, charter, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        return;
    }
    reply(resp, 201, json_pack("{s:s}", "seat", c->subject_id));
    libro_credential_free(c);
}

static void
mandate_reply(libro_http__response *resp, libro_registry *reg, unsigned status, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_mandate_record m = {0};

    if (libro_registry_mandate(reg, &m, id, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, NULL, &err);
        return;
    }
    reply(resp, status,
          json_pack("{s:s, s:s}", "mandate", m.id, "state", libro_mandate_state_name(m.state)));
    libro_mandate_record_clear(&m);
}

/* POST /v1/mandates: the community that signed a mandate registers it, under the key that
 * signed it (the registry checks that the office names that community's key). */
static void
do_mandate_register(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
                    const write_request *w, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_jws *jws = NULL;
    const char *token = json_string_value(json_object_get(w->claims, "credential"));
    write_job job = {0};

    if (!get_u32(w->claims, "list", &job.list) || !get_u32(w->claims, "index", &job.index) ||
        token == NULL) {
        libro_http__error(resp, 400, "bad_request", "register needs credential, list and index");
        goto out;
    }
    if (libro_registry__parse_credential(&c, token, &err) != LIBRO_OK ||
        libro_jws_parse(&jws, token, strlen(token), &err) != LIBRO_OK) {
        libro_http__error(resp, 400, "bad_request", err.msg);
        goto out;
    }
    if (w->signer.kind == LIBRO_SIGNER_HOLDER || c->type != LIBRO_CRED_MANDATE ||
        libro_jws_kid(jws) == NULL || strcmp(libro_jws_kid(jws), w->id.kid) != 0) {
        out_of_scope(resp, "the credential is not a mandate signed by the request's key");
        goto out;
    }
    if (!status_urls_ours(ctx, c)) {
        libro_http__error(resp, 409, "conflict",
                          "the mandate's status entries do not name this registry's lists");
        goto out;
    }
    job.op = LIBRO_HTTP_WRITE_MANDATE_REGISTER;
    job.req = &w->id;
    job.token = token;
    job.actor = w->signer.id;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        goto out;
    }
    mandate_reply(resp, reg, 201, job.id);
out:
    libro_jws_free(jws);
    libro_credential_free(c);
}

/* POST /v1/mandates/<id>/end: a holder resigns their own mandate (signed by their did:key); the
 * community that signed a mandate recalls it (signed by its key). */
static void
do_mandate_end(libro_http__response *resp, const libro_http_ctx *ctx, libro_registry *reg,
               const write_request *w, const char *id, int64_t now)
{
    libro_error err = LIBRO_ERROR_INIT;
    write_job job = {0};
    libro_mandate_record m = {0};
    const char *how = json_string_value(json_object_get(w->claims, "how"));
    const char *reason = json_string_value(json_object_get(w->claims, "reason"));
    libro_mandate_state state;

    if (how == NULL || reason == NULL ||
        (strcmp(how, "resigned") != 0 && strcmp(how, "recalled") != 0)) {
        libro_http__error(resp, 400, "bad_request",
                          "the request needs how (resigned or recalled) and a reason");
        goto out;
    }
    state = strcmp(how, "resigned") == 0 ? LIBRO_MANDATE_RESIGNED : LIBRO_MANDATE_RECALLED;
    if (libro_registry_mandate(reg, &m, id, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, NULL, &err);
        goto out;
    }
    if (state == LIBRO_MANDATE_RESIGNED &&
        (w->signer.kind != LIBRO_SIGNER_HOLDER || strcmp(w->signer.id, m.holder) != 0)) {
        out_of_scope(resp, "only the holder resigns a mandate, signing with its did:key");
        goto out;
    }
    if (state == LIBRO_MANDATE_RECALLED &&
        (w->signer.kind == LIBRO_SIGNER_HOLDER || strcmp(w->signer.id, m.issuer) != 0)) {
        out_of_scope(resp, "only the community that signed a mandate recalls it");
        goto out;
    }
    job.op = LIBRO_HTTP_WRITE_MANDATE_END;
    job.req = &w->id;
    job.number = id;
    job.how = state;
    job.actor = w->signer.id;
    job.reason = reason;
    job.now = now;
    if (submit(ctx, reg, &job, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, reg, &w->id, &err);
        goto out;
    }
    mandate_reply(resp, reg, 200, id);
out:
    libro_mandate_record_clear(&m);
}

/* ---- entry --------------------------------------------------------------------------------- */

/* Whether a Content-Type names `want` (RFC 9110 §8.3: case-insensitive, parameters after
 * ';' and spaces before them allowed), and nothing longer. */
bool
libro_http__media_type_is(const char *value, const char *want)
{
    size_t n = strlen(want);

    if (value == NULL || strncasecmp(value, want, n) != 0) {
        return false;
    }
    value += n;
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    return *value == '\0' || *value == ';';
}

const char *
libro_http__write_name(libro_http_write op)
{
    switch (op) {
    case LIBRO_HTTP_WRITE_RESERVE:
        return "reserve";
    case LIBRO_HTTP_WRITE_REGISTER:
        return "register";
    case LIBRO_HTTP_WRITE_RENEW:
        return "renew";
    case LIBRO_HTTP_WRITE_SUSPEND:
        return "suspend";
    case LIBRO_HTTP_WRITE_REINSTATE:
        return "reinstate";
    case LIBRO_HTTP_WRITE_REVOKE:
        return "revoke";
    case LIBRO_HTTP_WRITE_SURRENDER:
        return "surrender";
    case LIBRO_HTTP_QUERY_EXPIRING:
        return "expiring";
    case LIBRO_HTTP_WRITE_SEAT:
        return "seat";
    case LIBRO_HTTP_WRITE_MANDATE_RESERVE:
        return "mandate-reserve";
    case LIBRO_HTTP_WRITE_MANDATE_REGISTER:
        return "mandate-register";
    case LIBRO_HTTP_WRITE_MANDATE_END:
        return "mandate-end";
    }
    return "";
}

static libro_action
action_of(libro_http_write op)
{
    switch (op) {
    case LIBRO_HTTP_WRITE_SUSPEND:
        return LIBRO_ACTION_SUSPEND;
    case LIBRO_HTTP_WRITE_REINSTATE:
        return LIBRO_ACTION_REINSTATE;
    case LIBRO_HTTP_WRITE_REVOKE:
        return LIBRO_ACTION_REVOKE;
    default:
        return LIBRO_ACTION_SURRENDER;
    }
}

/* One line per write that storage refused: what the operator must know (docs/operations.md,
 * "Storage errors"). The message names the operation and the system's error, never a request's
 * content. */
void
libro_http__log_storage(const libro_http_ctx *ctx, const libro_http__response *resp, const char *op)
{
    char line[LIBRO_ERROR_MSG_MAX + 64];
    const char *code = "io_error";

    if (ctx->log == NULL || resp->storage.code == LIBRO_OK) {
        return;
    }
    for (size_t i = 0; i < LIBRO_NELEM(storage_answers); i++) {
        if (storage_answers[i].code == resp->storage.code) {
            code = storage_answers[i].name;
        }
    }
    if (snprintf(line, sizeof line, "%s refused (%u %s): %s", op, resp->status, code,
                 resp->storage.msg) < 0) {
        return;
    }
    ctx->log(ctx->log_ctx, line);
}

void
libro_http__write(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                  const libro_http__request *req, libro_http_write op, const char *number,
                  const unsigned char *body, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;
    write_request w = {0};
    bool known = false;
    int64_t now = libro_time_now();

    if (!libro_http__media_type_is(req->content_type, LIBRO_REQUEST_MEDIA_TYPE)) {
        libro_http__error(resp, 415, "unsupported_media_type",
                          "send the signed request as " LIBRO_REQUEST_MEDIA_TYPE);
        return;
    }
    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    if (!authenticate(resp, &w, *reg, op, body, len, now) ||
        !check_claims(resp, &w, ctx, op, number, now)) {
        goto out;
    }
    /* After an I/O error on any handle no write is acknowledged, on any handle: what the
     * disk holds is not known until a restart checks it. */
    if (op != LIBRO_HTTP_QUERY_EXPIRING && atomic_load(&ctx->poisoned)) {
        libro_error_set(&err, LIBRO_ERR_IO,
                        "writes stopped after an earlier I/O error; restart the server");
        libro_http__storage_error(resp, &err);
        goto out;
    }
    /* A spent id is a replay whatever else holds now (the transaction checks again). */
    if (libro_registry__request_known(*reg, w.id.jti, &known, &err) != LIBRO_OK) {
        libro_http__registry_error(resp, *reg, NULL, &err);
        goto out;
    }
    if (known) {
        libro_http__error(resp, 409, "replay", "this request id (jti) was already used");
        goto out;
    }
    switch (op) {
    case LIBRO_HTTP_WRITE_RESERVE:
        do_reserve(resp, ctx, *reg, &w, false);
        break;
    case LIBRO_HTTP_WRITE_MANDATE_RESERVE:
        if (w.signer.kind == LIBRO_SIGNER_HOLDER) {
            out_of_scope(resp, "a holder's key does not reserve status indexes");
        } else {
            do_reserve(resp, ctx, *reg, &w, true);
        }
        break;
    case LIBRO_HTTP_WRITE_MANDATE_REGISTER:
        do_mandate_register(resp, ctx, *reg, &w, now);
        break;
    case LIBRO_HTTP_WRITE_MANDATE_END:
        do_mandate_end(resp, ctx, *reg, &w, number, now);
        break;
    case LIBRO_HTTP_WRITE_SEAT:
        do_seat(resp, ctx, *reg, &w, now);
        break;
    case LIBRO_HTTP_WRITE_REGISTER:
        do_register(resp, ctx, *reg, &w, now);
        break;
    case LIBRO_HTTP_WRITE_RENEW:
        do_renew(resp, ctx, *reg, &w, number, now);
        break;
    case LIBRO_HTTP_QUERY_EXPIRING:
        do_expiring(resp, *reg, &w, now);
        break;
    default:
        do_change(resp, ctx, *reg, &w, op, number, now);
        break;
    }
    /* An authenticated request that was refused is spent too: replayed later, after the
     * license changed, it could otherwise take effect (a refused reinstate undoing a later
     * suspension). A successful write recorded its id in its own transaction; a replay's id
     * is recorded already (LIBRO_ERR_EXISTS here). A write storage refused leaves its id
     * unspent: nothing was written (busy, full, read-only, a conflict: the id was rolled back
     * with the write), the database could not be reached, or no write may be made now (an
     * I/O error), and the same request may be sent again. */
    if (resp->status >= 400 && op != LIBRO_HTTP_QUERY_EXPIRING && resp->storage.code == LIBRO_OK) {
        write_job spend = {0};
        libro_code rc;

        spend.spend_only = true;
        spend.req = &w.id;
        rc = submit(ctx, *reg, &spend, &err);
        (void) rc; /* the refusal stands either way; a busy database leaves it unspent */
    }
out:
    /* By this request's write, or a read before it, or any write of the queue. */
    if (libro_http__write_poisoned(ctx, *reg)) {
        atomic_store(&ctx->poisoned, true);
    }
    libro_http__log_storage(ctx, resp, libro_http__write_name(op));
    write_request_clear(&w);
}
