/* libro_registry_client: one interface over a registry database (in-process) and a registry
 * URL (signed requests over HTTP). Over HTTP each call builds its request's claims, signs them
 * (libro-request+jwt), POSTs them and reads the registry's JSON answer; a request id (jti) is
 * 144 random bits, so a retry is a new request and a replay is the attacker's, never ours. */
#include <string.h>

#include "libro/api.h"
#include "libro/consent.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/registry_client.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "writer.h"

/* The registry's answers are small JSON documents. */
#define MAX_ANSWER_BYTES (16u * 1024u)

struct libro_registry_client {
    libro_registry *local; /* in-process, or NULL */
    char *url;             /* base URL without a trailing slash, or NULL */
    const libro_key *signer;
    char *kid;
    char *actor;
    char *ca_file;
    unsigned groups; /* groups open in-process: the first is the transaction, the others
                        savepoints in it */
};

static libro_code
nomem(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
}

static bool
is_url(const char *target)
{
    return strncmp(target, "https://", 8) == 0 || strncmp(target, "http://", 7) == 0;
}

static char *
dup_or_null(const char *s)
{
    return s == NULL ? NULL : libro_strndup(s, strlen(s));
}

libro_code
libro_registry_client_open(libro_registry_client **out, const char *target, const libro_key *signer,
                           const char *kid, const char *actor, const char *ca_file,
                           libro_error *err)
{
    libro_registry_client *c;
    size_t len;
    libro_code rc;

    if (out == NULL || target == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry client: NULL argument");
    }
    *out = NULL;
    c = libro_calloc(1, sizeof *c);
    if (c == NULL) {
        return nomem(err);
    }
    if (is_url(target)) {
        if ((signer == NULL) != (kid == NULL)) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "a signing key needs its kid");
            goto out;
        }
        rc = libro_http_url_check(target, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        len = strlen(target);
        while (len > 0 && target[len - 1] == '/') {
            len--;
        }
        c->url = libro_strndup(target, len);
        c->kid = dup_or_null(kid);
        c->ca_file = dup_or_null(ca_file);
        if (c->url == NULL || (kid != NULL && c->kid == NULL) ||
            (ca_file != NULL && c->ca_file == NULL)) {
            rc = nomem(err);
            goto out;
        }
        c->signer = signer;
    } else {
        if (actor == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "a registry database needs an actor");
            goto out;
        }
        c->actor = dup_or_null(actor);
        if (c->actor == NULL) {
            rc = nomem(err);
            goto out;
        }
        rc = libro_registry_open(&c->local, target, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    *out = c;
    c = NULL;
    rc = LIBRO_OK;
out:
    libro_registry_client_close(c);
    return rc;
}

void
libro_registry_client_close(libro_registry_client *c)
{
    if (c == NULL) {
        return;
    }
    libro_registry_close(c->local);
    libro_free(c->url);
    libro_free(c->kid);
    libro_free(c->actor);
    libro_free(c->ca_file);
    libro_free(c);
}

bool
libro_registry_client_remote(const libro_registry_client *c)
{
    return c != NULL && c->url != NULL;
}

libro_code
libro_registry_client_group_begin(libro_registry_client *c, libro_error *err)
{
    libro_code rc;

    if (c == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry client: NULL argument");
    }
    if (c->local == NULL) {
        return LIBRO_OK;
    }
    /* A group inside a group (a license issued by a batch that groups its lines) is a
     * savepoint of the outer one: its end keeps or undoes its own writes alone. */
    rc = c->groups == 0 ? libro_registry__group_begin(c->local, err)
                        : c->local->store.ops->begin(c->local->store.h, err);
    c->groups += rc == LIBRO_OK;
    return rc;
}

bool
libro_registry_client_grouped(const libro_registry_client *c)
{
    return c != NULL && c->groups > 0;
}

libro_code
libro_registry_client_group_end(libro_registry_client *c, bool commit, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    if (c == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry client: NULL argument");
    }
    if (c->local == NULL) {
        return LIBRO_OK;
    }
    if (c->groups == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry client: no group is open");
    }
    c->groups--;
    if (c->groups == 0) {
        return libro_registry__group_end(c->local, commit, err);
    }
    if (commit) {
        rc = c->local->store.ops->commit(c->local->store.h, err);
    }
    if (!commit || rc != LIBRO_OK) {
        c->local->store.ops->rollback(c->local->store.h);
    }
    return rc;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

/* The libro code an HTTP refusal maps to (libro/registry_client.h). */
static libro_code
code_of(long status, const char *code)
{
    switch (status) {
    case 400:
        return LIBRO_ERR_INVALID_ARG;
    case 401:
        return LIBRO_ERR_UNTRUSTED;
    case 403:
        return LIBRO_ERR_DENIED;
    case 404:
        return LIBRO_ERR_NOT_FOUND;
    case 409: /* "conflict": the lifecycle or the request refuses; "exists", "replay" */
        return strcmp(code, "conflict") == 0 ? LIBRO_ERR_DENIED : LIBRO_ERR_EXISTS;
    case 413:
        return LIBRO_ERR_LIMIT;
    case 503: /* storage: the codes a local registry gives for the same failure */
        return strcmp(code, "busy") == 0          ? LIBRO_ERR_BUSY
               : strcmp(code, "read_only") == 0   ? LIBRO_ERR_READONLY
               : strcmp(code, "conflict") == 0    ? LIBRO_ERR_CONFLICT
               : strcmp(code, "unavailable") == 0 ? LIBRO_ERR_UNAVAILABLE
                                                  : LIBRO_ERR_NETWORK;
    case 507:
        return LIBRO_ERR_FULL;
    case 500:
        return strcmp(code, "io_error") == 0 ? LIBRO_ERR_IO : LIBRO_ERR_NETWORK;
    default:
        return LIBRO_ERR_NETWORK;
    }
}

/* Turn a non-2xx answer into an error naming the registry's code and message (untrusted text:
 * bounded by libro_error_set's "%.64s"/"%.120s" and never printed raw elsewhere). */
static libro_code
refusal(const libro_http_response *resp, libro_error *err)
{
    json_t *root = NULL;
    const char *code = "unknown";
    const char *message = "";
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_code rc;

    if (libro_json__load(&root, (const char *) resp->body.data, resp->body.len, &lim, NULL) ==
        LIBRO_OK) {
        json_t *e = json_object_get(root, "error");

        if (json_is_string(json_object_get(e, "code"))) {
            code = json_string_value(json_object_get(e, "code"));
        }
        if (json_is_string(json_object_get(e, "message"))) {
            message = json_string_value(json_object_get(e, "message"));
        }
    }
    rc = libro_error_set(err, code_of(resp->status, code), "registry: %ld %.40s: %.120s",
                         resp->status, code, message);
    json_decref(root);
    return rc;
}

/* A fresh request id: 18 random bytes, 24 base64url characters. */
static libro_code
new_jti(libro_buf *out, libro_error *err)
{
    unsigned char r[18];
    libro_code rc = libro_random_bytes(r, sizeof r, err);

    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(out, r, sizeof r, err);
    }
    return rc;
}

/* POST `body` (`len` bytes of `type`) to `url` and read the JSON answer into *answer (caller
 * decrefs). */
static libro_code
send_post(json_t **answer, libro_registry_client *c, const char *url, const char *type,
          const void *body, size_t len, libro_error *err)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_code rc;

    *answer = NULL;
    req.method = "POST";
    req.url = url;
    req.accept = "application/json";
    req.content_type = type;
    req.body = body;
    req.body_len = len;
    req.max_response_bytes = MAX_ANSWER_BYTES;
    req.ca_file = c->ca_file;
    rc = libro_http_fetch(&resp, &req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (resp.status != 200 && resp.status != 201) {
        rc = refusal(&resp, err);
        goto out;
    }
    rc = libro_json__load(answer, (const char *) resp.body.data, resp.body.len, &lim, err);
    if (rc == LIBRO_OK && !json_is_object(*answer)) {
        json_decref(*answer);
        *answer = NULL;
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry: the answer is not a JSON object");
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "registry answer");
    }
out:
    libro_http_response_clear(&resp);
    return rc;
}

/* Sign `claims` (aud, iat, jti added here), POST them to `path`, and read the JSON answer into
 * *answer (caller decrefs). `claims` is consumed. */
static libro_code
post(json_t **answer, libro_registry_client *c, const char *path, json_t *claims, libro_error *err)
{
    libro_buf jti = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_buf url = LIBRO_BUF_INIT;
    libro_code rc;

    *answer = NULL;
    if (claims == NULL) {
        return nomem(err);
    }
    if (c->signer == NULL) {
        json_decref(claims);
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "writing to a registry URL needs the issuer's key (--key)");
    }
    rc = new_jti(&jti, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (json_object_set_new(claims, "aud", json_string(c->url)) != 0 ||
        json_object_set_new(claims, "iat", json_integer((json_int_t) libro_time_now())) != 0 ||
        json_object_set_new(claims, "jti", json_string((const char *) jti.data)) != 0) {
        rc = nomem(err);
        goto out;
    }
    if ((rc = libro_json__dump(&payload, claims, err)) != LIBRO_OK ||
        (rc = libro_jws_sign_compact_ex(&token, c->signer, c->kid, LIBRO_REQUEST_TYP, payload.data,
                                        payload.len, LIBRO_MAX_HTTP_BODY_BYTES,
                                        LIBRO_MAX_REQUEST_CLAIMS_BYTES, err)) != LIBRO_OK ||
        (rc = libro_buf_printf(&url, err, "%s%s", c->url, path)) != LIBRO_OK) {
        goto out;
    }
    rc = send_post(answer, c, (const char *) url.data, LIBRO_REQUEST_MEDIA_TYPE, token.data,
                   token.len, err);
out:
    libro_buf_free(&url);
    libro_buf_free(&token);
    libro_buf_free(&payload);
    libro_buf_free(&jti);
    json_decref(claims);
    return rc;
}

/* GET `path` and read its JSON answer (at most `max` bytes) into *answer (caller decrefs). */
static libro_code
get_json_max(json_t **answer, libro_registry_client *c, const char *path, size_t max,
             libro_error *err)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf url = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_printf(&url, err, "%s%s", c->url, path);

    *answer = NULL;
    if (rc == LIBRO_OK) {
        req.url = (const char *) url.data;
        req.accept = "application/json";
        req.max_response_bytes = max;
        req.ca_file = c->ca_file;
        rc = libro_http_fetch(&resp, &req, err);
    }
    if (rc == LIBRO_OK && resp.status != 200) {
        rc = refusal(&resp, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_json__load(answer, (const char *) resp.body.data, resp.body.len, &lim, err);
    }
    if (rc == LIBRO_OK && !json_is_object(*answer)) {
        json_decref(*answer);
        *answer = NULL;
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry: the answer is not a JSON object");
    }
    libro_http_response_clear(&resp);
    libro_buf_free(&url);
    return rc;
}

static libro_code
get_json(json_t **answer, libro_registry_client *c, const char *path, libro_error *err)
{
    return get_json_max(answer, c, path, MAX_ANSWER_BYTES, err);
}

static libro_code
state_from_name(libro_license_state *out, const char *name)
{
    for (int s = LIBRO_STATE_ACTIVE; s <= LIBRO_STATE_SURRENDERED; s++) {
        if (name != NULL && strcmp(name, libro_license_state_name((libro_license_state) s)) == 0) {
            *out = (libro_license_state) s;
            return LIBRO_OK;
        }
    }
    return LIBRO_ERR_PARSE;
}

static libro_code
text_member(char **out, const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));

    if (s == NULL) {
        return LIBRO_ERR_PARSE;
    }
    *out = libro_strndup(s, strlen(s));
    return *out == NULL ? LIBRO_ERR_NOMEM : LIBRO_OK;
}

static libro_code
u32_member(uint32_t *out, const json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);

    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t) UINT32_MAX) {
        return LIBRO_ERR_PARSE;
    }
    *out = (uint32_t) json_integer_value(v);
    return LIBRO_OK;
}

static libro_code
time_member(int64_t *out, const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));

    return s == NULL ? LIBRO_ERR_PARSE : libro_time_parse(out, s, strlen(s), NULL);
}

/* A record as the API shows it (routes.c, libro_http__record_json). */
static libro_code
record_from_json(libro_license_record *r, const json_t *o, libro_error *err)
{
    libro_code rc;

    memset(r, 0, sizeof *r);
    if ((rc = text_member(&r->number, o, "number")) != LIBRO_OK ||
        (rc = u32_member(&r->version, o, "version")) != LIBRO_OK ||
        (rc = state_from_name(&r->state, json_string_value(json_object_get(o, "state")))) !=
            LIBRO_OK ||
        (rc = text_member(&r->license_type, o, "type")) != LIBRO_OK ||
        (rc = text_member(&r->holder_name, o, "holder")) != LIBRO_OK ||
        (rc = text_member(&r->issuer, o, "issuer")) != LIBRO_OK ||
        (rc = time_member(&r->valid_from, o, "validFrom")) != LIBRO_OK ||
        (rc = time_member(&r->valid_until, o, "validUntil")) != LIBRO_OK ||
        (rc = u32_member(&r->status_list, o, "statusList")) != LIBRO_OK ||
        (rc = u32_member(&r->status_index, o, "statusIndex")) != LIBRO_OK ||
        (rc = text_member(&r->credential, o, "credential")) != LIBRO_OK) {
        libro_license_record_clear(r);
        return rc == LIBRO_ERR_NOMEM ? nomem(err)
                                     : libro_error_set(err, LIBRO_ERR_PARSE,
                                                       "registry answer: malformed license record");
    }
    return LIBRO_OK;
}

/* ---- operations ---------------------------------------------------------------------------- */

/* A license number goes into a URL path: only the characters of its form ([A-Za-z0-9._-]),
 * and never "." or ".." alone. */
static libro_code
number_for_path(const char *number, libro_error *err)
{
    if (!libro_license_number_ok(number, strnlen(number, LIBRO_MAX_LICENSE_NUMBER_BYTES + 1)) ||
        strcmp(number, ".") == 0 || strcmp(number, "..") == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed license number");
    }
    return LIBRO_OK;
}

static libro_code
copy_url(char **out, const json_t *answer, const char *name, libro_error *err)
{
    const char *s = json_string_value(json_object_get(answer, name));

    if (s == NULL || libro_http_url_check(s, NULL) != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: %s is not a URL", name);
    }
    *out = libro_strndup(s, strlen(s));
    return *out == NULL ? nomem(err) : LIBRO_OK;
}

/* Reserve a license's (or with `mandate` a mandate's) status index. */
static libro_code
reserve(libro_registry_client *c, bool mandate, uint32_t *list, uint32_t *index, char **revocation,
        char **suspension, char **message, libro_error *err)
{
    char **urls[] = {revocation, suspension, message};
    static const char *const names[] = {"revocation", "suspension", "message"};
    json_t *answer = NULL;
    json_t *l;
    json_t *i;
    libro_code rc;
    size_t k;

    if (c == NULL || list == NULL || index == NULL || revocation == NULL || suspension == NULL ||
        message == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reserve: NULL argument");
    }
    for (k = 0; k < sizeof urls / sizeof urls[0]; k++) {
        *urls[k] = NULL;
    }
    if (c->local != NULL) {
        return mandate ? libro_registry_reserve_mandate_status(c->local, NULL, list, index, err)
                       : libro_registry_reserve_status(c->local, NULL, list, index, err);
    }
    rc = post(&answer, c, mandate ? "/v1/mandates/reservations" : "/v1/reservations",
              json_pack("{s:s}", "op", mandate ? "mandate-reserve" : "reserve"), err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    l = json_object_get(answer, "list");
    i = json_object_get(answer, "index");
    if (!json_is_integer(l) || !json_is_integer(i) || json_integer_value(l) < 0 ||
        json_integer_value(l) > (json_int_t) UINT32_MAX || json_integer_value(i) < 0 ||
        json_integer_value(i) >= (json_int_t) LIBRO_STATUS_LIST_MAX_ENTRIES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: bad list or index");
        goto out;
    }
    *list = (uint32_t) json_integer_value(l);
    *index = (uint32_t) json_integer_value(i);
    for (k = 0; rc == LIBRO_OK && k < sizeof urls / sizeof urls[0]; k++) {
        rc = copy_url(urls[k], answer, names[k], err);
    }
out:
    if (rc != LIBRO_OK) {
        for (k = 0; k < sizeof urls / sizeof urls[0]; k++) {
            libro_free(*urls[k]);
            *urls[k] = NULL;
        }
    }
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_reserve(libro_registry_client *c, uint32_t *list, uint32_t *index,
                              char **revocation, char **suspension, char **message,
                              libro_error *err)
{
    return reserve(c, false, list, index, revocation, suspension, message, err);
}

libro_code
libro_registry_client_register(libro_registry_client *c, const char *credential, uint32_t list,
                               uint32_t index, libro_error *err)
{
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || credential == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_register(c->local, NULL, credential, list, index, c->actor,
                                       libro_time_now(), err);
    }
    rc = post(&answer, c, "/v1/licenses",
              json_pack("{s:s, s:s, s:I, s:I}", "op", "register", "credential", credential, "list",
                        (json_int_t) list, "index", (json_int_t) index),
              err);
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_renew(libro_registry_client *c, const char *number, const char *credential,
                            const libro_evidence *evidence, size_t n, const char *reason,
                            libro_error *err)
{
    json_t *answer = NULL;
    json_t *ev = NULL;
    json_t *claims = NULL;
    libro_buf path = LIBRO_BUF_INIT;
    libro_code rc;

    if (c == NULL || number == NULL || credential == NULL || (n > 0 && evidence == NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "renew: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_renew(c->local, NULL, number, credential, evidence, n, c->actor,
                                    reason, libro_time_now(), err);
    }
    rc = number_for_path(number, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    ev = json_object();
    for (size_t i = 0; ev != NULL && i < n; i++) {
        if (json_object_set_new(ev, evidence[i].name, json_integer(evidence[i].value)) != 0) {
            json_decref(ev);
            ev = NULL;
        }
    }
    claims = ev == NULL ? NULL
                        : json_pack("{s:s, s:s, s:s, s:o}", "op", "renew", "license", number,
                                    "credential", credential, "evidence", ev);
    if (claims != NULL && reason != NULL && reason[0] != '\0' &&
        json_object_set_new(claims, "reason", json_string(reason)) != 0) {
        json_decref(claims);
        claims = NULL;
    }
    rc = libro_buf_printf(&path, err, "/v1/licenses/%s/renew", number);
    if (rc == LIBRO_OK) {
        rc = post(&answer, c, (const char *) path.data, claims, err);
        claims = NULL; /* consumed */
    }
    json_decref(claims);
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_change(libro_registry_client *c, const char *number, libro_action action,
                             const char *reason, libro_error *err)
{
    return libro_registry_client_change_categorized(c, number, action, LIBRO_CATEGORY_NONE, reason,
                                                    err);
}

libro_code
libro_registry_client_change_categorized(libro_registry_client *c, const char *number,
                                         libro_action action, libro_reason_category category,
                                         const char *reason, libro_error *err)
{
    json_t *answer = NULL;
    json_t *claims = NULL;
    libro_buf path = LIBRO_BUF_INIT;
    const char *op = libro_action_name(action);
    const char *word = libro_reason_category_name(category);
    libro_code rc;

    if (c == NULL || number == NULL || reason == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "change: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_change_categorized(c->local, NULL, number, action, category, c->actor,
                                                 reason, libro_time_now(), err);
    }
    if (category != LIBRO_CATEGORY_NONE && word == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "change: unknown reason category %d",
                               (int) category);
    }
    if (action != LIBRO_ACTION_SUSPEND && action != LIBRO_ACTION_REINSTATE &&
        action != LIBRO_ACTION_REVOKE && action != LIBRO_ACTION_SURRENDER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "change: action must be suspend, reinstate, revoke or surrender");
    }
    rc = number_for_path(number, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&path, err, "/v1/licenses/%s/%s", number, op);
    }
    if (rc == LIBRO_OK) {
        claims = json_pack("{s:s, s:s, s:s}", "op", op, "license", number, "reason", reason);
        if (claims != NULL && word != NULL &&
            json_object_set_new(claims, "category", json_string(word)) != 0) {
            json_decref(claims);
            claims = NULL;
        }
        rc = post(&answer, c, (const char *) path.data, claims, err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_get(libro_registry_client *c, libro_license_record *out, const char *number,
                          libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || out == NULL || number == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "get: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (c->local != NULL) {
        return libro_registry_get(c->local, out, NULL, NULL, number, err);
    }
    rc = number_for_path(number, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&path, err, "/v1/licenses/%s", number);
    }
    if (rc == LIBRO_OK) {
        rc = get_json(&answer, c, (const char *) path.data, err);
    }
    if (rc == LIBRO_OK) {
        rc = record_from_json(out, answer, err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_get_type(libro_registry_client *c, libro_license_type *out, const char *id,
                               libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    json_t *from;
    const char *req;
    libro_code rc;

    if (c == NULL || out == NULL || id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "get type: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (c->local != NULL) {
        return libro_registry_get_type(c->local, out, id, err);
    }
    if (!libro_license_type_id_ok(id, strnlen(id, LIBRO_MAX_TYPE_ID_BYTES + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed license type id");
    }
    rc = libro_buf_printf(&path, err, "/v1/types/%s", id);
    if (rc == LIBRO_OK) {
        rc = get_json(&answer, c, (const char *) path.data, err);
    }
    req = rc == LIBRO_OK ? json_string_value(json_object_get(answer, "requirements")) : NULL;
    if (rc == LIBRO_OK &&
        (req == NULL || text_member(&out->id, answer, "id") != LIBRO_OK ||
         u32_member(&out->validity_days, answer, "validityDays") != LIBRO_OK ||
         u32_member(&out->renewal_window_days, answer, "renewalWindowDays") != LIBRO_OK ||
         u32_member(&out->grace_days, answer, "graceDays") != LIBRO_OK)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed license type");
    }
    if (rc == LIBRO_OK && strcmp(out->id, id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: another license type");
    }
    /* Absent from a registry older than the rule: its renewals ran from expiry or later. */
    from = rc == LIBRO_OK ? json_object_get(answer, "renewalFrom") : NULL;
    if (from != NULL && json_is_string(from) && strcmp(json_string_value(from), "now") == 0) {
        out->renewal_from = LIBRO_RENEWAL_FROM_NOW;
    } else if (from != NULL &&
               (!json_is_string(from) || strcmp(json_string_value(from), "expiry") != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed renewalFrom");
    }
    if (rc == LIBRO_OK) {
        rc = libro_requirements_parse(&out->requirements, &out->n_requirements, req, strlen(req),
                                      err);
    }
    if (rc != LIBRO_OK) {
        libro_license_type_clear(out);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_expiring(libro_registry_client *c, libro_license_record **out, size_t *n,
                               int64_t within, libro_error *err)
{
    libro_registry__records l = {NULL, 0, 0};
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_expiring(c->local, out, n, libro_time_now(), within, err);
    }
    rc =
        libro_registry_client_expiring_each(c, within, true, libro_registry__records_keep, &l, err);
    if (rc != LIBRO_OK) {
        libro_license_records_free(l.list, l.count);
        return rc;
    }
    *out = l.list;
    *n = l.count;
    return LIBRO_OK;
}

/* One page of the signed expiring query (after *after_until, after_number when `more`),
 * each license handed to `fn`; *more and the cursor then say where the next page starts. A
 * page must move forward, past the cursor it was asked from: a registry that answers the
 * same page again would never end. */
static libro_code
expiring_page(libro_registry_client *c, int64_t within, bool with_credential, bool *more,
              int64_t *after_until, char *after_number, size_t number_size,
              libro_license_record_fn fn, void *ctx, libro_error *err)
{
    json_t *answer = NULL;
    json_t *claims = json_pack("{s:s, s:I}", "op", "expiring", "within", (json_int_t) within);
    json_t *list;
    json_t *next;
    libro_license_record rec = {0};
    libro_code rc;

    if (claims != NULL && *more &&
        json_object_set_new(claims, "after",
                            json_pack("{s:I, s:s}", "validUntil", (json_int_t) *after_until,
                                      "number", after_number)) != 0) {
        json_decref(claims);
        claims = NULL;
    }
    rc = post(&answer, c, "/v1/queries/expiring", claims, err);
    list = rc == LIBRO_OK ? json_object_get(answer, "licenses") : NULL;
    next = rc == LIBRO_OK ? json_object_get(answer, "next") : NULL;
    if (rc == LIBRO_OK && !json_is_array(list)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no list of licenses");
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(list); i++) {
        rc = record_from_json(&rec, json_array_get(list, i), err);
        if (rc == LIBRO_OK && *more &&
            (rec.valid_until < *after_until ||
             (rec.valid_until == *after_until && strcmp(rec.number, after_number) <= 0))) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE,
                                 "registry answer: a page that does not move forward");
        }
        if (rc == LIBRO_OK && !with_credential) {
            libro_free(rec.credential);
            rec.credential = NULL;
        }
        if (rc == LIBRO_OK) {
            rc = fn(ctx, &rec, err);
        }
        libro_license_record_clear(&rec);
    }
    if (rc == LIBRO_OK && next != NULL) {
        json_t *until = json_object_get(next, "validUntil");
        const char *number = json_string_value(json_object_get(next, "number"));

        if (json_array_size(list) == 0 || !json_is_integer(until) || number == NULL ||
            !libro_license_number_ok(number, strlen(number)) ||
            (*more && ((int64_t) json_integer_value(until) < *after_until ||
                       ((int64_t) json_integer_value(until) == *after_until &&
                        strcmp(number, after_number) <= 0)))) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: a malformed next page");
        } else {
            *after_until = (int64_t) json_integer_value(until);
            (void) snprintf(after_number, number_size, "%s", number);
        }
    }
    *more = rc == LIBRO_OK && next != NULL;
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_expiring_each(libro_registry_client *c, int64_t within, bool with_credential,
                                    libro_license_record_fn fn, void *ctx, libro_error *err)
{
    char after_number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1] = "";
    int64_t after_until = 0;
    bool more = false;
    libro_code rc;

    if (c == NULL || fn == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_expiring_each(c->local, libro_time_now(), within, with_credential, fn,
                                            ctx, err);
    }
    /* A page at a time, each after the last license of the one before. */
    do {
        rc = expiring_page(c, within, with_credential, &more, &after_until, after_number,
                           sizeof after_number, fn, ctx, err);
    } while (rc == LIBRO_OK && more);
    return rc;
}

/* ---- roundtables and mandates -------------------------------------------------------------- */

/* The roundtable's answers carry mandates and seat charters (each credential a few KiB; at most
 * seven seats and their members). */
#define MAX_ROUNDTABLE_ANSWER_BYTES (256u * 1024u)

libro_code
libro_registry_client_add_seat(libro_registry_client *c, const char *charter, libro_error *err)
{
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || charter == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "seat: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_add_seat(c->local, NULL, charter, c->actor, libro_time_now(), err);
    }
    rc = post(&answer, c, "/v1/seats", json_pack("{s:s, s:s}", "op", "seat", "charter", charter),
              err);
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_reserve_mandate(libro_registry_client *c, uint32_t *list, uint32_t *index,
                                      char **revocation, char **suspension, char **message,
                                      libro_error *err)
{
    return reserve(c, true, list, index, revocation, suspension, message, err);
}

/* The mandate id an answer names, checked, into id (may be NULL). */
static libro_code
answer_id(char id[LIBRO_MANDATE_ID_SIZE], const json_t *answer, libro_error *err)
{
    const char *s = json_string_value(json_object_get(answer, "mandate"));

    if (!libro_mandate_id_ok(s)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no mandate id");
    }
    if (id != NULL) {
        memcpy(id, s, LIBRO_MANDATE_ID_SIZE);
    }
    return LIBRO_OK;
}

libro_code
libro_registry_client_register_mandate(libro_registry_client *c, const char *credential,
                                       uint32_t list, uint32_t index,
                                       char id[LIBRO_MANDATE_ID_SIZE], libro_error *err)
{
    json_t *answer = NULL;
    libro_code rc;

    if (id != NULL) {
        id[0] = '\0';
    }
    if (c == NULL || credential == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register mandate: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_register_mandate(c->local, NULL, credential, list, index, c->actor,
                                               libro_time_now(), id, err);
    }
    rc = post(&answer, c, "/v1/mandates",
              json_pack("{s:s, s:s, s:I, s:I}", "op", "mandate-register", "credential", credential,
                        "list", (json_int_t) list, "index", (json_int_t) index),
              err);
    if (rc == LIBRO_OK) {
        rc = answer_id(id, answer, err);
    }
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_end_mandate(libro_registry_client *c, const char *id, libro_mandate_state how,
                                  const char *reason, libro_error *err)
{
    json_t *answer = NULL;
    libro_buf path = LIBRO_BUF_INIT;
    libro_code rc;

    if (c == NULL || id == NULL || reason == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end mandate: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_end_mandate(c->local, NULL, id, how, c->actor, reason,
                                          libro_time_now(), err);
    }
    if (how != LIBRO_MANDATE_RESIGNED && how != LIBRO_MANDATE_RECALLED) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "end mandate: a mandate ends early as resigned or recalled");
    }
    if (!libro_mandate_id_ok(id)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed mandate id");
    }
    rc = libro_buf_printf(&path, err, "/v1/mandates/%s/end", id);
    if (rc == LIBRO_OK) {
        rc = post(&answer, c, (const char *) path.data,
                  json_pack("{s:s, s:s, s:s, s:s}", "op", "mandate-end", "mandate", id, "how",
                            libro_mandate_state_name(how), "reason", reason),
                  err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

static libro_code
text_or_null_member(char **out, const json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);

    *out = NULL;
    if (json_is_null(v)) {
        return LIBRO_OK;
    }
    return text_member(out, o, name);
}

static libro_code
mandate_state_from_name(libro_mandate_state *out, const char *name)
{
    for (int s = LIBRO_MANDATE_ACTIVE; s <= LIBRO_MANDATE_REPLACED; s++) {
        if (name != NULL && strcmp(name, libro_mandate_state_name((libro_mandate_state) s)) == 0) {
            *out = (libro_mandate_state) s;
            return LIBRO_OK;
        }
    }
    return LIBRO_ERR_PARSE;
}

/* A mandate as the API shows it (http/roundtable.c, libro_http__mandate_json). */
static libro_code
mandate_from_json(libro_mandate_record *m, const json_t *o, libro_error *err)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *office = json_string_value(json_object_get(o, "office"));
    json_t *level = json_object_get(o, "roundtableLevel");
    json_t *ended = json_object_get(o, "endedAt");
    libro_code rc = LIBRO_OK;

    memset(m, 0, sizeof *m);
    if (!libro_mandate_id_ok(id) || office == NULL ||
        !libro_office_from_name(&m->office, office, strlen(office)) || !json_is_integer(level) ||
        json_integer_value(level) < 0 || json_integer_value(level) > LIBRO_MAX_LEVEL ||
        !json_is_boolean(json_object_get(o, "voting")) ||
        !json_is_boolean(json_object_get(o, "statusSet"))) {
        rc = LIBRO_ERR_PARSE;
    }
    if (rc == LIBRO_OK) {
        memcpy(m->id, id, LIBRO_MANDATE_ID_SIZE);
        m->roundtable_level = (int) json_integer_value(level);
        m->voting = json_is_true(json_object_get(o, "voting"));
        m->status_set = json_is_true(json_object_get(o, "statusSet"));
    }
    if (rc != LIBRO_OK || (rc = text_member(&m->roundtable, o, "roundtable")) != LIBRO_OK ||
        (rc = text_or_null_member(&m->seat, o, "seat")) != LIBRO_OK ||
        (rc = text_member(&m->holder, o, "holder")) != LIBRO_OK ||
        (rc = text_member(&m->name, o, "name")) != LIBRO_OK ||
        (rc = text_member(&m->issuer, o, "issuer")) != LIBRO_OK ||
        (rc = time_member(&m->valid_from, o, "validFrom")) != LIBRO_OK ||
        (rc = time_member(&m->valid_until, o, "validUntil")) != LIBRO_OK ||
        (rc = mandate_state_from_name(&m->state, json_string_value(json_object_get(o, "state")))) !=
            LIBRO_OK ||
        (rc = json_is_null(ended) ? LIBRO_OK : time_member(&m->ended_at, o, "endedAt")) !=
            LIBRO_OK ||
        (rc = text_or_null_member(&m->end_reason, o, "endReason")) != LIBRO_OK ||
        (rc = text_or_null_member(&m->ended_by, o, "endedBy")) != LIBRO_OK ||
        (rc = u32_member(&m->status_list, o, "statusList")) != LIBRO_OK ||
        (rc = u32_member(&m->status_index, o, "statusIndex")) != LIBRO_OK ||
        (rc = time_member(&m->registered_at, o, "registeredAt")) != LIBRO_OK ||
        (rc = text_member(&m->credential, o, "credential")) != LIBRO_OK) {
        libro_mandate_record_clear(m);
        return rc == LIBRO_ERR_NOMEM
                   ? nomem(err)
                   : libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed mandate");
    }
    return LIBRO_OK;
}

libro_code
libro_registry_client_mandate(libro_registry_client *c, libro_mandate_record *out, const char *id,
                              libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || out == NULL || id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandate: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (c->local != NULL) {
        return libro_registry_mandate(c->local, out, id, err);
    }
    if (!libro_mandate_id_ok(id)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed mandate id");
    }
    rc = libro_buf_printf(&path, err, "/v1/mandates/%s", id);
    if (rc == LIBRO_OK) {
        rc = get_json(&answer, c, (const char *) path.data, err);
    }
    if (rc == LIBRO_OK) {
        rc = mandate_from_json(out, answer, err);
    }
    if (rc == LIBRO_OK && strcmp(out->id, id) != 0) {
        libro_mandate_record_clear(out);
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: another mandate");
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

/* GET `path` and read its "mandates" array. */
static libro_code
get_mandates(libro_registry_client *c, const char *path, json_t **answer,
             libro_mandate_record **out, size_t *n, libro_error *err)
{
    json_t *list;
    libro_mandate_record *recs = NULL;
    size_t count = 0;
    libro_code rc = get_json_max(answer, c, path, MAX_ROUNDTABLE_ANSWER_BYTES, err);

    list = rc == LIBRO_OK ? json_object_get(*answer, "mandates") : NULL;
    if (rc == LIBRO_OK && !json_is_array(list)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no list of mandates");
    }
    if (rc == LIBRO_OK && json_array_size(list) > 0) {
        recs = libro_calloc(json_array_size(list), sizeof *recs);
        rc = recs == NULL ? nomem(err) : LIBRO_OK;
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(list); i++) {
        rc = mandate_from_json(&recs[i], json_array_get(list, i), err);
        count += rc == LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        *out = recs;
        *n = count;
    } else {
        libro_mandate_records_free(recs, count);
    }
    return rc;
}

libro_code
libro_registry_client_roundtable(libro_registry_client *c, libro_mandate_record **out, size_t *n,
                                 int64_t at, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "roundtable: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_roundtable(c->local, out, n, at, err);
    }
    rc = libro_time_format(text, at, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&path, err, "/v1/roundtable?at=%s", text);
    }
    if (rc == LIBRO_OK) {
        rc = get_mandates(c, (const char *) path.data, &answer, out, n, err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_mandates_expiring(libro_registry_client *c, libro_mandate_record **out,
                                        size_t *n, int64_t within, libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_mandates_expiring(c->local, out, n, libro_time_now(), within, err);
    }
    if (within < 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "expiring: negative interval");
    }
    rc = libro_buf_printf(&path, err, "/v1/roundtable/expiring?within=%lld", (long long) within);
    if (rc == LIBRO_OK) {
        rc = get_mandates(c, (const char *) path.data, &answer, out, n, err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_seats(libro_registry_client *c, libro_seat **out, size_t *n, libro_error *err)
{
    json_t *answer = NULL;
    json_t *list;
    libro_seat *seats = NULL;
    size_t count = 0;
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "seats: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_seats(c->local, out, n, err);
    }
    rc = get_json_max(&answer, c, "/v1/roundtable", MAX_ROUNDTABLE_ANSWER_BYTES, err);
    list = rc == LIBRO_OK ? json_object_get(answer, "seats") : NULL;
    if (rc == LIBRO_OK && !json_is_array(list)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no list of seats");
    }
    if (rc == LIBRO_OK && json_array_size(list) > 0) {
        seats = libro_calloc(json_array_size(list), sizeof *seats);
        rc = seats == NULL ? nomem(err) : LIBRO_OK;
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(list); i++) {
        const json_t *o = json_array_get(list, i);
        json_t *level = json_object_get(o, "level");

        count++;
        if (!json_is_integer(level) || json_integer_value(level) < 0 ||
            json_integer_value(level) > LIBRO_MAX_LEVEL ||
            text_member(&seats[i].community, o, "community") != LIBRO_OK ||
            text_member(&seats[i].name, o, "name") != LIBRO_OK ||
            text_member(&seats[i].charter, o, "charter") != LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed seat");
        } else {
            seats[i].level = (int) json_integer_value(level);
        }
    }
    if (rc == LIBRO_OK) {
        *out = seats;
        *n = count;
    } else {
        libro_seats_free(seats, count);
    }
    json_decref(answer);
    return rc;
}

/* ---- agreements and laws ------------------------------------------------------------------ */

/* Answers that carry agreements (each document up to 64 KiB, with its history), laws (each up
 * to 40 KiB) and consent records (LIBRO_MAX_RECORD_BYTES). */
#define MAX_DOCUMENT_ANSWER_BYTES (4u * 1024u * 1024u)

/* The media type of a JWS JSON document (RFC 7515 §9.2). */
#define JOSE_JSON_MEDIA_TYPE "application/jose+json"

/* POST a signed document as the request itself to `path`: its own signatures authorize it. */
static libro_code
post_document(json_t **answer, libro_registry_client *c, const char *path, const char *type,
              const char *doc, libro_error *err)
{
    libro_buf url = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_printf(&url, err, "%s%s", c->url, path);

    *answer = NULL;
    if (rc == LIBRO_OK) {
        rc = send_post(answer, c, (const char *) url.data, type, doc, strlen(doc), err);
    }
    libro_buf_free(&url);
    return rc;
}

/* The hash an answer names under `name`, checked, into out (may be NULL). */
static libro_code
answer_hash(char out[LIBRO_REGISTRY_HASH_SIZE], const json_t *answer, const char *name,
            libro_error *err)
{
    const char *s = json_string_value(json_object_get(answer, name));

    if (s == NULL || !libro_hash_ref_ok(s, strlen(s))) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no %s hash", name);
    }
    if (out != NULL) {
        memcpy(out, s, LIBRO_REGISTRY_HASH_SIZE);
    }
    return LIBRO_OK;
}

/* A law id goes into a URL path: only the registry's form (libro_law_id_ok). */
static libro_code
law_id_for_path(const char *id, libro_error *err)
{
    if (id == NULL || !libro_law_id_ok(id, strnlen(id, LIBRO_MAX_ID_BYTES + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed law id");
    }
    return LIBRO_OK;
}

libro_code
libro_registry_client_register_agreement(libro_registry_client *c, const char *document,
                                         char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    json_t *answer = NULL;
    libro_code rc;

    if (hash != NULL) {
        hash[0] = '\0';
    }
    if (c == NULL || document == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register agreement: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_register_agreement(c->local, NULL, document, strlen(document),
                                                 c->actor, libro_time_now(), hash, err);
    }
    rc = post_document(&answer, c, "/v1/agreements", JOSE_JSON_MEDIA_TYPE, document, err);
    if (rc == LIBRO_OK) {
        rc = answer_hash(hash, answer, "agreement", err);
    }
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_end_agreement(libro_registry_client *c, const char *hash,
                                    const char *statement, libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (c == NULL || statement == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end agreement: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_end_agreement(c->local, NULL, hash, statement, strlen(statement),
                                            c->actor, libro_time_now(), err);
    }
    if (hash == NULL || !libro_hash_ref_ok(hash, strnlen(hash, LIBRO_HASH_REF_LEN + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed agreement hash");
    }
    rc = libro_buf_printf(&path, err, "/v1/agreements/%s/end", hash);
    if (rc == LIBRO_OK) {
        rc = post_document(&answer, c, (const char *) path.data, JOSE_JSON_MEDIA_TYPE, statement,
                           err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

static libro_code
opt_text(char **out, const json_t *o, const char *name)
{
    return json_object_get(o, name) == NULL ? LIBRO_OK : text_member(out, o, name);
}

static libro_code
opt_time(int64_t *out, const json_t *o, const char *name)
{
    return json_object_get(o, name) == NULL ? LIBRO_OK : time_member(out, o, name);
}

static libro_code
hash_member(char out[LIBRO_REGISTRY_HASH_SIZE], const json_t *o, const char *name)
{
    return answer_hash(out, o, name, NULL) == LIBRO_OK ? LIBRO_OK : LIBRO_ERR_PARSE;
}

static libro_code
agreement_state_from_name(libro_agreement_state *out, const char *name)
{
    for (int s = LIBRO_AGREEMENT_IN_FORCE; s <= LIBRO_AGREEMENT_SUPERSEDED; s++) {
        if (name != NULL &&
            strcmp(name, libro_agreement_state_name((libro_agreement_state) s)) == 0) {
            *out = (libro_agreement_state) s;
            return LIBRO_OK;
        }
    }
    return LIBRO_ERR_PARSE;
}

static libro_code
agreement_parties_from_json(libro_agreement_record *a, const json_t *list)
{
    size_t n = json_array_size(list);

    if (!json_is_array(list) || n == 0 || n > LIBRO_MAX_PARTIES) {
        return LIBRO_ERR_PARSE;
    }
    a->parties = libro_calloc(n, sizeof *a->parties);
    if (a->parties == NULL) {
        return LIBRO_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(list, i);
        libro_code rc;

        a->n_parties++;
        if ((rc = text_member(&a->parties[i].id, o, "id")) != LIBRO_OK ||
            (rc = text_member(&a->parties[i].name, o, "name")) != LIBRO_OK ||
            (rc = text_member(&a->parties[i].role, o, "role")) != LIBRO_OK) {
            return rc;
        }
    }
    return LIBRO_OK;
}

/* An agreement as the API shows it (http/agreements.c, libro_http__agreement_json). */
static libro_code
agreement_from_json(libro_agreement_record *a, const json_t *o, libro_error *err)
{
    const json_t *ending = json_object_get(o, "ending");
    const json_t *end = json_object_get(o, "end");
    const char *how = json_string_value(json_object_get(end, "how"));
    libro_code rc;

    memset(a, 0, sizeof *a);
    if ((rc = hash_member(a->hash, o, "hash")) != LIBRO_OK ||
        (rc = text_member(&a->title, o, "title")) != LIBRO_OK ||
        (rc = text_member(&a->community, o, "community")) != LIBRO_OK ||
        (rc = agreement_parties_from_json(a, json_object_get(o, "parties"))) != LIBRO_OK ||
        (rc = time_member(&a->valid_from, o, "validFrom")) != LIBRO_OK ||
        (rc = time_member(&a->valid_until, o, "validUntil")) != LIBRO_OK ||
        (rc = agreement_state_from_name(
             &a->state, json_string_value(json_object_get(o, "state")))) != LIBRO_OK ||
        (rc = time_member(&a->registered_at, o, "registeredAt")) != LIBRO_OK ||
        (rc = opt_text(&a->supersedes, o, "supersedes")) != LIBRO_OK ||
        (rc = opt_text(&a->superseded_by, o, "supersededBy")) != LIBRO_OK ||
        (rc = opt_time(&a->superseded_at, o, "supersededAt")) != LIBRO_OK ||
        (rc = text_member(&a->document, o, "document")) != LIBRO_OK) {
        goto out;
    }
    if (json_is_true(json_object_get(ending, "mutualOnly"))) {
        a->mutual_only = true;
    } else if ((rc = u32_member(&a->notice_days, ending, "noticeDays")) != LIBRO_OK) {
        goto out;
    }
    if (end != NULL) {
        a->end = how != NULL && strcmp(how, "mutual") == 0   ? LIBRO_AGREEMENT_END_MUTUAL
                 : how != NULL && strcmp(how, "notice") == 0 ? LIBRO_AGREEMENT_END_NOTICE
                                                             : (libro_agreement_end) 0;
        if (a->end == 0 || (rc = time_member(&a->end_given_at, end, "givenAt")) != LIBRO_OK ||
            (rc = time_member(&a->ends_at, end, "takesEffect")) != LIBRO_OK ||
            (rc = opt_text(&a->end_by, end, "by")) != LIBRO_OK ||
            (rc = text_member(&a->end_reason, end, "reason")) != LIBRO_OK ||
            (rc = text_member(&a->end_statement, end, "statement")) != LIBRO_OK) {
            rc = rc == LIBRO_OK ? LIBRO_ERR_PARSE : rc;
            goto out;
        }
    }
out:
    if (rc != LIBRO_OK) {
        libro_agreement_record_clear(a);
        return rc == LIBRO_ERR_NOMEM
                   ? nomem(err)
                   : libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed agreement");
    }
    return LIBRO_OK;
}

libro_code
libro_registry_client_agreement(libro_registry_client *c, libro_agreement_record *out,
                                libro_agreement_record **history, size_t *n_history,
                                const char *hash, libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    json_t *list;
    libro_agreement_record *h = NULL;
    size_t count = 0;
    libro_code rc;

    if (history != NULL) {
        *history = NULL;
    }
    if (n_history != NULL) {
        *n_history = 0;
    }
    if (c == NULL || out == NULL || (history != NULL && n_history == NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (c->local != NULL) {
        return libro_registry_agreement(c->local, out, history, n_history, hash, err);
    }
    if (hash == NULL || !libro_hash_ref_ok(hash, strnlen(hash, LIBRO_HASH_REF_LEN + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "malformed agreement hash");
    }
    rc = libro_buf_printf(&path, err, "/v1/agreements/%s", hash);
    if (rc == LIBRO_OK) {
        rc = get_json_max(&answer, c, (const char *) path.data, MAX_DOCUMENT_ANSWER_BYTES, err);
    }
    if (rc == LIBRO_OK) {
        rc = agreement_from_json(out, json_object_get(answer, "agreement"), err);
    }
    if (rc == LIBRO_OK && strcmp(out->hash, hash) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: another agreement");
    }
    list = json_object_get(answer, "history");
    if (rc == LIBRO_OK && history != NULL) {
        if (!json_is_array(list) || json_array_size(list) == 0) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no history");
        } else {
            h = libro_calloc(json_array_size(list), sizeof *h);
            rc = h == NULL ? nomem(err) : LIBRO_OK;
        }
        for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(list); i++) {
            rc = agreement_from_json(&h[i], json_array_get(list, i), err);
            count += rc == LIBRO_OK;
        }
        if (rc == LIBRO_OK) {
            *history = h;
            *n_history = count;
            h = NULL; /* moved to caller */
            count = 0;
        }
    }
    if (rc != LIBRO_OK) {
        libro_agreement_record_clear(out);
    }
    libro_agreement_records_free(h, count);
    json_decref(answer);
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_add_step(libro_registry_client *c, const char *step,
                               char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    libro_step *s = NULL;
    libro_buf path = LIBRO_BUF_INIT;
    json_t *answer = NULL;
    libro_code rc;

    if (hash != NULL) {
        hash[0] = '\0';
    }
    if (c == NULL || step == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent step: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_add_step(c->local, NULL, step, strlen(step), c->actor,
                                       libro_time_now(), hash, err);
    }
    /* The route names the process: read it from the step (checked here, and again there). */
    rc = libro_step_verify(&s, NULL, step, strlen(step), err);
    if (rc == LIBRO_OK) {
        rc = law_id_for_path(s->process, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&path, err, "/v1/laws/%s/steps", s->process);
    }
    if (rc == LIBRO_OK) {
        rc = post_document(&answer, c, (const char *) path.data, LIBRO_REQUEST_MEDIA_TYPE, step,
                           err);
    }
    if (rc == LIBRO_OK) {
        rc = answer_hash(hash, answer, "step", err);
    }
    json_decref(answer);
    libro_buf_free(&path);
    libro_step_free(s);
    return rc;
}

libro_code
libro_registry_client_register_law(libro_registry_client *c, const char *law,
                                   char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    json_t *answer = NULL;
    libro_code rc;

    if (hash != NULL) {
        hash[0] = '\0';
    }
    if (c == NULL || law == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register law: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_register_law(c->local, NULL, law, c->actor, libro_time_now(), hash,
                                           err);
    }
    rc = post_document(&answer, c, "/v1/laws", LIBRO_REQUEST_MEDIA_TYPE, law, err);
    if (rc == LIBRO_OK) {
        rc = answer_hash(hash, answer, "law", err);
    }
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_law_record(libro_registry_client *c, libro_buf *out, const char *law_id,
                                 uint32_t run, libro_error *err)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_consent_record *doc = NULL;
    libro_buf url = LIBRO_BUF_INIT;
    libro_code rc;

    if (c == NULL || out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law record: NULL argument");
    }
    if (c->local != NULL) {
        return libro_registry_law_record(c->local, out, law_id, run, err);
    }
    rc = law_id_for_path(law_id, err);
    if (rc == LIBRO_OK) {
        rc = run == 0 ? libro_buf_printf(&url, err, "%s/v1/laws/%s/record", c->url, law_id)
                      : libro_buf_printf(&url, err, "%s/v1/laws/%s/record?run=%u", c->url, law_id,
                                         (unsigned) run);
    }
    if (rc == LIBRO_OK) {
        req.url = (const char *) url.data;
        req.accept = "application/json";
        req.max_response_bytes = LIBRO_MAX_RECORD_BYTES;
        req.ca_file = c->ca_file;
        rc = libro_http_fetch(&resp, &req, err);
    }
    if (rc == LIBRO_OK && resp.status != 200) {
        rc = refusal(&resp, err);
    }
    /* Only a record document of the form is passed on; its signatures are the reader's. */
    if (rc == LIBRO_OK) {
        rc = libro_consent_record_parse(&doc, resp.body.data, resp.body.len, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "registry answer");
        }
    }
    if (rc == LIBRO_OK && strcmp(doc->process, law_id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: the record of another law");
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, resp.body.data, resp.body.len, err);
    }
    libro_consent_record_free(doc);
    libro_http_response_clear(&resp);
    libro_buf_free(&url);
    return rc;
}

/* A law as the API shows it (http/laws.c, libro_http__law_json). */
static libro_code
law_from_json(libro_law_record *l, const json_t *o, libro_error *err)
{
    const char *state = json_string_value(json_object_get(o, "state"));
    libro_code rc;

    memset(l, 0, sizeof *l);
    if ((rc = hash_member(l->hash, o, "hash")) != LIBRO_OK ||
        (rc = text_member(&l->id, o, "id")) != LIBRO_OK ||
        (rc = u32_member(&l->version, o, "version")) != LIBRO_OK ||
        (rc = text_member(&l->title, o, "title")) != LIBRO_OK ||
        (rc = text_member(&l->aim, o, "aim")) != LIBRO_OK ||
        (rc = text_member(&l->community, o, "community")) != LIBRO_OK ||
        (rc = time_member(&l->adopted_at, o, "adoptedAt")) != LIBRO_OK ||
        (rc = time_member(&l->review_at, o, "reviewDate")) != LIBRO_OK ||
        (rc = text_member(&l->consent_record, o, "consentRecord")) != LIBRO_OK ||
        (rc = opt_text(&l->supersedes, o, "supersedes")) != LIBRO_OK ||
        (rc = opt_text(&l->superseded_by, o, "supersededBy")) != LIBRO_OK ||
        (rc = opt_time(&l->repealed_at, o, "repealedAt")) != LIBRO_OK ||
        (rc = time_member(&l->registered_at, o, "registeredAt")) != LIBRO_OK ||
        (rc = text_member(&l->credential, o, "credential")) != LIBRO_OK) {
        goto out;
    }
    if (state != NULL && strcmp(state, libro_law_state_name(LIBRO_LAW_IN_FORCE)) == 0) {
        l->state = LIBRO_LAW_IN_FORCE;
    } else if (state != NULL && strcmp(state, libro_law_state_name(LIBRO_LAW_REPEALED)) == 0) {
        l->state = LIBRO_LAW_REPEALED;
    } else {
        rc = LIBRO_ERR_PARSE;
    }
out:
    if (rc != LIBRO_OK) {
        libro_law_record_clear(l);
        return rc == LIBRO_ERR_NOMEM
                   ? nomem(err)
                   : libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: malformed law");
    }
    return LIBRO_OK;
}

/* GET `path` and read its array `name` of laws. */
static libro_code
get_laws(libro_registry_client *c, const char *path, const char *name, libro_law_record **out,
         size_t *n, libro_error *err)
{
    json_t *answer = NULL;
    json_t *list;
    libro_law_record *recs = NULL;
    size_t count = 0;
    libro_code rc = get_json_max(&answer, c, path, MAX_DOCUMENT_ANSWER_BYTES, err);

    list = rc == LIBRO_OK ? json_object_get(answer, name) : NULL;
    if (rc == LIBRO_OK && !json_is_array(list)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "registry answer: no list of laws");
    }
    if (rc == LIBRO_OK && json_array_size(list) > 0) {
        recs = libro_calloc(json_array_size(list), sizeof *recs);
        rc = recs == NULL ? nomem(err) : LIBRO_OK;
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(list); i++) {
        rc = law_from_json(&recs[i], json_array_get(list, i), err);
        count += rc == LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        *out = recs;
        *n = count;
    } else {
        libro_law_records_free(recs, count);
    }
    json_decref(answer);
    return rc;
}

libro_code
libro_registry_client_laws(libro_registry_client *c, libro_law_record **out, size_t *n,
                           libro_error *err)
{
    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "laws: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_laws(c->local, out, n, false, err);
    }
    return get_laws(c, "/v1/laws", "laws", out, n, err);
}

libro_code
libro_registry_client_law_versions(libro_registry_client *c, libro_law_record **out, size_t *n,
                                   const char *law_id, libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law versions: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_law_versions(c->local, out, n, law_id, err);
    }
    rc = law_id_for_path(law_id, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&path, err, "/v1/laws/%s", law_id);
    }
    if (rc == LIBRO_OK) {
        rc = get_laws(c, (const char *) path.data, "versions", out, n, err);
    }
    if (rc == LIBRO_OK && *n == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.100s has been adopted", law_id);
    }
    libro_buf_free(&path);
    return rc;
}

libro_code
libro_registry_client_laws_review_due(libro_registry_client *c, libro_law_record **out, size_t *n,
                                      int64_t within, libro_error *err)
{
    libro_buf path = LIBRO_BUF_INIT;
    libro_code rc;

    if (c == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "review due: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (c->local != NULL) {
        return libro_registry_laws_review_due(c->local, out, n, libro_time_now(), within, err);
    }
    if (within < 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "review due: negative interval");
    }
    rc = libro_buf_printf(&path, err, "/v1/laws/review-due?within=%lld", (long long) within);
    if (rc == LIBRO_OK) {
        rc = get_laws(c, (const char *) path.data, "laws", out, n, err);
    }
    libro_buf_free(&path);
    return rc;
}
