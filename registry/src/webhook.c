/* libro_registry: webhook subscriptions and their delivery (libro/webhook.h, docs/operations.md
 * "Webhooks"). The log is the outbox: a subscription keeps a cursor into it, and a delivery
 * pass reads the leaves after it, so that no write ever waits for a receiver. Each matching
 * license leaf becomes one event, POSTed with the Standard Webhooks headers and an Ed25519
 * signature (v1a) by the registry key. The store transactions here are short (a claim, a
 * step of the cursor): no HTTP request is made while one is open. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/watch.h"
#include "registry_int.h"
#include "webhook_int.h"

void
libro_webhook_clear(libro_webhook *w)
{
    if (w == NULL) {
        return;
    }
    libro_free(w->id);
    libro_free(w->url);
    libro_free(w->licenses);
    libro_free(w->last_error);
    libro_free(w->lease_owner);
    memset(w, 0, sizeof *w);
}

void
libro_webhooks_free(libro_webhook *w, size_t n)
{
    for (size_t i = 0; w != NULL && i < n; i++) {
        libro_webhook_clear(&w[i]);
    }
    libro_free(w);
}

const char *
libro_webhook_state(const libro_webhook *w, int64_t now)
{
    if (w->failing_since != 0 && now - w->failing_since >= LIBRO_WEBHOOK_FAILING_AFTER) {
        return "failing";
    }
    return w->attempts > 0 ? "retrying" : "ok";
}

int64_t
libro_webhook__backoff(unsigned base, uint32_t attempts)
{
    int64_t delay = base == 0 ? 1 : (int64_t) base;

    for (uint32_t i = 1; i < attempts && delay < LIBRO_WEBHOOK_MAX_BACKOFF; i++) {
        delay *= 2;
    }
    return delay < LIBRO_WEBHOOK_MAX_BACKOFF ? delay : LIBRO_WEBHOOK_MAX_BACKOFF;
}

/* ---- subscriptions ------------------------------------------------------------------------ */

/* The URL policy of libro_http_url_check, except that `insecure_http` allows plain http to
 * any host: such a URL is checked as its https twin, for every other rule. */
static libro_code
check_url(const char *url, bool insecure_http, libro_error *err)
{
    libro_buf twin = LIBRO_BUF_INIT;
    libro_code rc;

    if (url == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook url is missing");
    }
    if (!insecure_http || strncmp(url, "http://", 7) != 0) {
        return libro_http_url_check(url, err);
    }
    rc = libro_buf_printf(&twin, err, "https://%s", url + 7);
    if (rc == LIBRO_OK) {
        rc = libro_http_url_check((const char *) twin.data, err);
    }
    libro_buf_free(&twin);
    return rc;
}

/* The numbers, checked and unique, joined by single spaces (NULL for none). */
static libro_code
join_licenses(char **out, const char *const *licenses, size_t n, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    if (n > LIBRO_WEBHOOK_MAX_LICENSES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "a webhook follows at most %u licenses",
                               LIBRO_WEBHOOK_MAX_LICENSES);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        const char *num = licenses[i];

        if (num == NULL ||
            !libro_license_number_ok(num, strnlen(num, LIBRO_MAX_LICENSE_NUMBER_BYTES + 1))) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                 "license number \"%.64s\" is malformed", num == NULL ? "" : num);
            break;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(licenses[j], num) == 0) {
                rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "license %.64s is named twice",
                                     num);
                break;
            }
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(&b, err, "%s%s", i == 0 ? "" : " ", num);
        }
    }
    if (rc == LIBRO_OK && n > 0) {
        *out = (char *) b.data;
        b.data = NULL; /* moved to caller */
    }
    libro_buf_free(&b);
    return rc;
}

libro_code
libro_webhook__random_name(char *out, size_t size, const char *prefix, libro_error *err)
{
    unsigned char raw[8];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_code rc = libro_random_bytes(raw, sizeof raw, err);
    int n;

    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, raw, sizeof raw, err);
    }
    if (rc == LIBRO_OK) {
        n = snprintf(out, size, "%s%s", prefix, (const char *) hex.data);
        if (n < 0 || (size_t) n >= size) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: name too long");
        }
    }
    libro_buf_free(&hex);
    return rc;
}

static libro_code
commit_or_rollback(libro_registry *r, libro_code rc, libro_error *err)
{
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

static libro_code
add_once(libro_registry *r, libro_webhook *w, libro_error *err)
{
    libro_webhook *all = NULL;
    size_t n = 0;
    libro_code rc = libro_registry__write_begin(r, NULL, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->webhook_list(r->store.h, &all, &n, err);
    if (rc == LIBRO_OK && n >= LIBRO_WEBHOOK_MAX) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "the registry holds %u webhooks already",
                             LIBRO_WEBHOOK_MAX);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->log_size(r->store.h, &w->cursor, err);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->webhook_put(r->store.h, w, true, err);
    }
    libro_webhooks_free(all, n);
    return commit_or_rollback(r, rc, err);
}

libro_code
libro_webhook_add(char **id, libro_registry *r, const char *url, const char *const *licenses,
                  size_t n, bool insecure_http, unsigned expiring_within, int64_t now,
                  libro_error *err)
{
    char idtext[LIBRO_WEBHOOK_ID_MAX + 1];
    libro_webhook w;
    libro_code rc;

    memset(&w, 0, sizeof w);
    if (id == NULL || r == NULL || (licenses == NULL && n > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: NULL argument");
    }
    *id = NULL;
    if (expiring_within > LIBRO_WEBHOOK_MAX_EXPIRING_DAYS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "webhook: the expiry horizon is 0 to %u days",
                               LIBRO_WEBHOOK_MAX_EXPIRING_DAYS);
    }
    rc = check_url(url, insecure_http, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "webhook url");
        return rc;
    }
    rc = join_licenses(&w.licenses, licenses, n, err);
    if (rc == LIBRO_OK) {
        rc = libro_webhook__random_name(idtext, sizeof idtext, "wh_", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    w.id = idtext;
    w.url = libro_strndup(url, strlen(url));
    if (w.url == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    w.insecure_http = insecure_http;
    w.expiring_within = expiring_within;
    w.created_at = now;
    LIBRO_REGISTRY__RETRY(rc, r, err, add_once(r, &w, err));
    if (rc == LIBRO_OK) {
        *id = libro_strndup(idtext, strlen(idtext));
        if (*id == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
out:
    libro_free(w.url);
    libro_free(w.licenses);
    return rc;
}

libro_code
libro_webhook_list(libro_webhook **out, size_t *n, libro_registry *r, libro_error *err)
{
    if (out == NULL || n == NULL || r == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: NULL argument");
    }
    return r->store.ops->webhook_list(r->store.h, out, n, err);
}

static libro_code
remove_once(libro_registry *r, const char *id, libro_error *err)
{
    libro_code rc = libro_registry__write_begin(r, NULL, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->webhook_delete(r->store.h, id, err);
    return commit_or_rollback(r, rc, err);
}

libro_code
libro_webhook_remove(libro_registry *r, const char *id, libro_error *err)
{
    libro_code rc;

    if (r == NULL || id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: NULL argument");
    }
    LIBRO_REGISTRY__RETRY(rc, r, err, remove_once(r, id, err));
    return rc;
}

libro_code
libro_webhook_public_key(libro_buf *out, const libro_key *key, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || key == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: NULL argument");
    }
    if (libro_key_alg(key) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "webhooks are signed with Ed25519 (v1a): the registry key is %s",
                               libro_alg_name(libro_key_alg(key)));
    }
    rc = libro_key_raw_public(&raw, key, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, "whpk_", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64std_encode(out, raw.data, raw.len, err);
    }
    libro_buf_free(&raw);
    return rc;
}

/* ---- events ------------------------------------------------------------------------------- */

/* Whether `number` is one of the space-separated `list`. */
static bool
follows(const char *list, const char *number)
{
    size_t len = strlen(number);
    const char *p = list;

    while (p != NULL && *p != '\0') {
        size_t word = strcspn(p, " ");

        if (word == len && strncmp(p, number, len) == 0) {
            return true;
        }
        p += word;
        p += *p == ' ' ? 1 : 0;
    }
    return false;
}

/* The event type of a license action: "license." and its past participle. */
static const char *
event_type(libro_action action)
{
    switch (action) {
    case LIBRO_ACTION_ISSUE:
        return "license.issued";
    case LIBRO_ACTION_RENEW:
        return "license.renewed";
    case LIBRO_ACTION_SUSPEND:
        return "license.suspended";
    case LIBRO_ACTION_REINSTATE:
        return "license.reinstated";
    case LIBRO_ACTION_REVOKE:
        return "license.revoked";
    case LIBRO_ACTION_SURRENDER:
        return "license.surrendered";
    case LIBRO_ACTION_EXPIRE:
        return "license.expired";
    case LIBRO_ACTION_LAPSE:
        return "license.lapsed";
    }
    return NULL;
}

libro_code
libro_webhook__event(libro_buf *body, bool *match, const char *filter, const char *leaf, size_t len,
                     uint64_t index, const char *registry_id, libro_error *err)
{
    libro_watch_event ev;
    char at[LIBRO_TIME_TEXT_MAX];
    json_t *out = NULL;
    json_t *data = NULL;
    const char *type;
    bool relevant = false;
    libro_code rc;

    *match = false;
    /* The employer's event of the leaf, as libro watch reads it (watch.c). */
    rc = libro_watch_leaf_event(&ev, &relevant, leaf, len, index, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    type = relevant ? event_type(ev.action) : NULL;
    if (type == NULL || (filter != NULL && !follows(filter, ev.license))) {
        return LIBRO_OK;
    }
    rc = libro_time_format(at, ev.at, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* What an employer may see: never the actor or the free-text reason (it may name people
     * or health), as the public pages. */
    data = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "license", ev.license, "action",
                     libro_action_name(ev.action), "status", libro_license_state_name(ev.state),
                     "version", (json_int_t) ev.version, "registry",
                     registry_id != NULL ? registry_id : "", "leaf", (json_int_t) index);
    if (data != NULL && ev.category[0] != '\0' &&
        json_object_set_new(data, "category", json_string(ev.category)) != 0) {
        json_decref(data);
        data = NULL;
    }
    out = data == NULL ? NULL
                       : json_pack("{s:s, s:s, s:o}", "type", type, "timestamp", at, "data", data);
    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    rc = libro_json__dump(body, out, err);
    *match = rc == LIBRO_OK;
    json_decref(out);
    return rc;
}

libro_code
libro_webhook__expiry_event(libro_buf *body, char msg_id[LIBRO_WEBHOOK__MSG_ID_MAX],
                            const char *license, int64_t valid_until, int64_t now,
                            const char *registry_id, libro_error *err)
{
    unsigned char digest[32];
    char at[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_buf key = LIBRO_BUF_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    json_t *out = NULL;
    libro_code rc;

    /* The id names (license, validUntil) alone: every subscription and every retry sends the
     * same one, and a renewal (a new validUntil) makes a new one. */
    rc = libro_buf_printf(&key, err, "%s.%" PRId64, license, valid_until);
    if (rc == LIBRO_OK) {
        rc = libro_sha256(digest, key.data, key.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, digest, sizeof digest, err);
    }
    if (rc == LIBRO_OK &&
        snprintf(msg_id, LIBRO_WEBHOOK__MSG_ID_MAX, "exp_%s", (const char *) hex.data) !=
            (int) LIBRO_WEBHOOK__MSG_ID_MAX - 1) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "webhook: expiry id");
    }
    if (rc == LIBRO_OK) {
        rc = libro_time_format(at, now, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_time_format(until, valid_until, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    out = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "type", "license.expiring", "timestamp",
                    at, "data", "license", license, "validUntil", until, "status",
                    libro_license_state_name(LIBRO_STATE_ACTIVE), "registry",
                    registry_id != NULL ? registry_id : "");
    if (out == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_json__dump(body, out, err);
out:
    json_decref(out);
    libro_buf_free(&hex);
    libro_buf_free(&key);
    return rc;
}

libro_code
libro_webhook__signature(libro_buf *out, const libro_key *key, const char *msg_id, int64_t ts,
                         const void *body, size_t len, libro_error *err)
{
    libro_buf content = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_printf(&content, err, "%s.%" PRId64 ".", msg_id, ts);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&content, body, len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_sign(&sig, key, content.data, content.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, "v1a,", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64std_encode(out, sig.data, sig.len, err);
    }
    libro_buf_free(&sig);
    libro_buf_free(&content);
    return rc;
}

/* ---- delivery ----------------------------------------------------------------------------- */

/* One POST of `body` to w->url. LIBRO_OK for a 2xx; else the reason in err (the status, or
 * why no answer came). The response body is read up to LIBRO_WEBHOOK_MAX_RESPONSE bytes and
 * dropped. */
static libro_code
post(const libro_webhook *w, const libro_key *key, const char *msg_id, int64_t ts,
     const libro_buf *body, libro_error *err)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_buf id_h = LIBRO_BUF_INIT;
    libro_buf ts_h = LIBRO_BUF_INIT;
    libro_buf sig_h = LIBRO_BUF_INIT;
    const char *headers[4] = {NULL, NULL, NULL, NULL};
    libro_code rc = libro_buf_printf(&id_h, err, "webhook-id: %s", msg_id);

    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&ts_h, err, "webhook-timestamp: %" PRId64, ts);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&sig_h, "webhook-signature: ", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_webhook__signature(&sig_h, key, msg_id, ts, body->data, body->len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    headers[0] = (const char *) id_h.data;
    headers[1] = (const char *) ts_h.data;
    headers[2] = (const char *) sig_h.data;
    req.method = "POST";
    req.url = w->url;
    req.content_type = "application/json";
    req.body = body->data;
    req.body_len = body->len;
    req.max_response_bytes = LIBRO_WEBHOOK_MAX_RESPONSE;
    req.connect_timeout_ms = LIBRO_WEBHOOK_TIMEOUT_MS;
    req.total_timeout_ms = LIBRO_WEBHOOK_TIMEOUT_MS;
    req.headers = headers;
    req.allow_http = w->insecure_http;
    rc = libro_http_fetch(&resp, &req, err);
    if (rc == LIBRO_OK && (resp.status < 200 || resp.status > 299)) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "the endpoint answered %ld", resp.status);
    }
out:
    libro_http_response_clear(&resp);
    libro_buf_free(&sig_h);
    libro_buf_free(&ts_h);
    libro_buf_free(&id_h);
    return rc;
}

/* Find w->id in `all` (NULL when it is gone). */
static libro_webhook *
find(libro_webhook *all, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].id, id) == 0) {
            return &all[i];
        }
    }
    return NULL;
}

static libro_code
set_text(char **dst, const char *src, libro_error *err)
{
    libro_free(*dst);
    *dst = NULL;
    if (src != NULL && (*dst = libro_strndup(src, strlen(src))) == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return LIBRO_OK;
}

/* A license.expiring sent, to record with the save after it (libro_store_ops
 * webhook_expiry_mark). */
typedef struct expiry_sent {
    const char *license;
    int64_t valid_until;
} expiry_sent;

/* Write w's delivery state, and `mark` (NULL: none) as sent, if this pass still holds its
 * lease (*held false otherwise: it was removed, or another process took it after the lease
 * ran out). `keep_lease` renews it, else it is let go. */
static libro_code
save_once(libro_registry *r, const libro_webhook *w, const libro_webhook_pass *p, int64_t now,
          bool keep_lease, const expiry_sent *mark, bool *held, libro_error *err)
{
    libro_webhook *all = NULL;
    libro_webhook *row;
    size_t n = 0;
    libro_code rc = libro_registry__write_begin(r, NULL, err);

    *held = false;
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->webhook_list(r->store.h, &all, &n, err);
    row = rc == LIBRO_OK ? find(all, n, w->id) : NULL;
    if (row != NULL && row->lease_owner != NULL && strcmp(row->lease_owner, p->owner) == 0) {
        *held = true;
        row->cursor = w->cursor;
        row->attempts = w->attempts;
        row->next_at = w->next_at;
        row->failing_since = w->failing_since;
        row->expiry_checked_at = w->expiry_checked_at;
        rc = set_text(&row->last_error, w->last_error, err);
        if (rc == LIBRO_OK) {
            rc = set_text(&row->lease_owner, keep_lease ? p->owner : NULL, err);
        }
        row->lease_until = keep_lease ? now + LIBRO_WEBHOOK__LEASE_SECONDS : 0;
        if (rc == LIBRO_OK) {
            rc = r->store.ops->webhook_put(r->store.h, row, false, err);
        }
        if (rc == LIBRO_OK && mark != NULL) {
            rc = r->store.ops->webhook_expiry_mark(r->store.h, w->id, mark->license,
                                                   mark->valid_until, now, err);
        }
    }
    libro_webhooks_free(all, n);
    return commit_or_rollback(r, rc, err);
}

static libro_code
save(libro_registry *r, const libro_webhook *w, const libro_webhook_pass *p, int64_t now,
     bool keep_lease, const expiry_sent *mark, bool *held, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, save_once(r, w, p, now, keep_lease, mark, held, err));
    return rc;
}

/* Whether w's expiring licenses are to be walked at `now`: it has a horizon and its last walk
 * ended LIBRO_WEBHOOK_EXPIRY_EVERY ago or more (or never). */
static bool
expiry_due(const libro_webhook *w, int64_t now)
{
    return w->expiring_within > 0 &&
           (w->expiry_checked_at == 0 || now - w->expiry_checked_at >= LIBRO_WEBHOOK_EXPIRY_EVERY);
}

static bool
due(const libro_webhook *w, const libro_webhook_pass *p, uint64_t size, int64_t now)
{
    bool leased =
        w->lease_owner != NULL && w->lease_until > now && strcmp(w->lease_owner, p->owner) != 0;

    return (w->cursor < size || expiry_due(w, now)) && w->next_at <= now && !leased;
}

/* The ids this pass has delivered to already: each subscription at most once a pass, so that
 * a log that keeps growing does not keep the pass going. */
typedef struct handled {
    char (*ids)[LIBRO_WEBHOOK_ID_MAX + 1];
    size_t n;
} handled;

static bool
was_handled(const handled *h, const char *id)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->ids[i], id) == 0) {
            return true;
        }
    }
    return false;
}

/* Take the lease of the first due subscription this pass has not handled: *found, and *out
 * its copy (caller clears). One at a time, so that a lease is never held, unused, while
 * other subscriptions' endpoints are waited on. */
static libro_code
claim_once(libro_registry *r, libro_webhook *out, bool *found, const handled *h,
           const libro_webhook_pass *p, int64_t now, libro_error *err)
{
    libro_webhook *all = NULL;
    size_t n = 0;
    uint64_t size = 0;
    libro_code rc = libro_registry__write_begin(r, NULL, err);

    *found = false;
    memset(out, 0, sizeof *out);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->log_size(r->store.h, &size, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->webhook_list(r->store.h, &all, &n, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n && !*found; i++) {
        if (!due(&all[i], p, size, now) || was_handled(h, all[i].id)) {
            continue;
        }
        rc = set_text(&all[i].lease_owner, p->owner, err);
        all[i].lease_until = now + LIBRO_WEBHOOK__LEASE_SECONDS;
        if (rc == LIBRO_OK) {
            rc = r->store.ops->webhook_put(r->store.h, &all[i], false, err);
        }
        if (rc == LIBRO_OK) {
            *out = all[i];
            memset(&all[i], 0, sizeof all[i]); /* moved to *out */
            *found = true;
        }
    }
    libro_webhooks_free(all, n);
    rc = commit_or_rollback(r, rc, err);
    if (rc != LIBRO_OK) {
        libro_webhook_clear(out);
        *found = false;
    }
    return rc;
}

/* A quick read first: most passes find nothing due and take no write lock. */
static libro_code
anything_due(bool *any, libro_registry *r, const libro_webhook_pass *p, int64_t now,
             libro_error *err)
{
    libro_webhook *all = NULL;
    size_t n = 0;
    uint64_t size = 0;
    libro_code rc = r->store.ops->log_size(r->store.h, &size, err);

    *any = false;
    if (rc == LIBRO_OK) {
        rc = r->store.ops->webhook_list(r->store.h, &all, &n, err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < n && !*any; i++) {
        *any = due(&all[i], p, size, now);
    }
    libro_webhooks_free(all, n);
    return rc;
}

static void say(const libro_webhook_pass *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const libro_webhook_pass *p, const char *fmt, ...)
{
    char line[400];
    va_list ap;

    if (p->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    if (vsnprintf(line, sizeof line, fmt, ap) >= 0) {
        p->log(p->log_ctx, line);
    }
    va_end(ap);
}

static bool
stopping(const libro_webhook_pass *p)
{
    return p->stop != NULL && atomic_load(p->stop);
}

/* The state of one subscription's pass: how many it sent, whether its lease still holds and
 * whether an attempt failed (which ends the pass). */
typedef struct pass_state {
    unsigned posted;
    bool held;
    bool failed;
} pass_state;

/* One attempt at `body` as msg_id, at the time it is made (*now): the log event at w's cursor
 * (`mark` NULL) or the expiry `mark`. A success moves the cursor on (a log event), resets the
 * failure state and saves w with `mark` (its lease kept); a failure counts the attempt,
 * schedules the next with back-off and saves w with its lease let go (ps->failed). */
static libro_code
attempt(libro_registry *r, libro_webhook *w, const libro_webhook_pass *p, int64_t *now,
        const char *msg_id, const libro_buf *body, const expiry_sent *mark, pass_state *ps,
        unsigned *sent, libro_error *err)
{
    libro_error why = LIBRO_ERROR_INIT;
    libro_code rc;

    ps->posted++;
    /* Each attempt, and the lease renewed after it, at the time it is made: a pass that
     * waited on slow endpoints must not send stale timestamps or let its lease lapse. */
    *now = p->clock != NULL ? p->clock() : *now;
    if (post(w, p->key, msg_id, *now, body, &why) == LIBRO_OK) {
        (*sent)++;
        w->cursor += mark == NULL ? 1 : 0; /* a log event: the next leaf */
        w->attempts = 0;
        w->next_at = 0;
        w->failing_since = 0;
        rc = set_text(&w->last_error, NULL, err);
        return rc == LIBRO_OK ? save(r, w, p, *now, true, mark, &ps->held, err) : rc;
    }
    ps->failed = true;
    w->attempts = w->attempts < UINT32_MAX ? w->attempts + 1 : w->attempts;
    w->next_at = *now + libro_webhook__backoff(p->backoff_seconds, w->attempts);
    w->failing_since = w->failing_since != 0 ? w->failing_since : *now;
    rc = set_text(&w->last_error, why.msg, err);
    say(p, "webhook %s: event %s failed (attempt %" PRIu32 "): %s; next attempt in %" PRId64 " s",
        w->id, msg_id, w->attempts, why.msg, w->next_at - *now);
    return rc == LIBRO_OK ? save(r, w, p, *now, false, NULL, &ps->held, err) : rc;
}

/* w's log events from its cursor on, until the log's end (as it was at the start), a failure,
 * or LIBRO_WEBHOOK__PASS_EVENTS sent. *at_end: the cursor reached that end. */
static libro_code
deliver_log(libro_registry *r, libro_webhook *w, const libro_webhook_pass *p, int64_t *now,
            pass_state *ps, bool *at_end, unsigned *sent, libro_error *err)
{
    libro_buf body = LIBRO_BUF_INIT;
    libro_error why = LIBRO_ERROR_INIT;
    char msg_id[LIBRO_WEBHOOK__MSG_ID_MAX];
    char *leaf = NULL;
    uint64_t size = 0;
    bool match = false;
    libro_code rc = r->store.ops->log_size(r->store.h, &size, err);

    while (rc == LIBRO_OK && ps->held && !ps->failed && w->cursor < size &&
           ps->posted < LIBRO_WEBHOOK__PASS_EVENTS && !stopping(p)) {
        libro_free(leaf);
        leaf = NULL;
        body.len = 0;
        rc = r->store.ops->log_leaf_get(r->store.h, &leaf, w->cursor, err);
        if (rc == LIBRO_OK) {
            rc = libro_webhook__event(&body, &match, w->licenses, leaf, strlen(leaf), w->cursor,
                                      p->registry_id, &why);
            /* A leaf this version cannot read (a newer action word) holds up no one. */
            if (rc == LIBRO_ERR_PARSE || rc == LIBRO_ERR_LIMIT) {
                say(p, "webhook %s: log leaf %" PRIu64 " skipped: %s", w->id, w->cursor, why.msg);
                rc = LIBRO_OK;
                match = false;
            } else if (rc != LIBRO_OK && err != NULL) {
                *err = why;
            }
        }
        if (rc != LIBRO_OK) {
            break;
        }
        if (!match) {
            w->cursor++;
            continue;
        }
        (void) snprintf(msg_id, sizeof msg_id, "msg_%" PRIu64, w->cursor);
        rc = attempt(r, w, p, now, msg_id, &body, NULL, ps, sent, err);
    }
    *at_end = rc == LIBRO_OK && w->cursor >= size;
    libro_free(leaf);
    libro_buf_free(&body);
    return rc;
}

/* One page of the expiring licenses a subscription is told of. */
typedef struct expiry_page {
    const libro_webhook *w;
    int64_t now;
    int64_t within;
    struct {
        char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
        int64_t valid_until;
    } due[LIBRO_WEBHOOK__EXPIRY_PAGE];
    size_t n_due;
    size_t seen;
    bool full; /* the page stopped the walk */
    int64_t last_until;
    char last_number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
} expiry_page;

static libro_code
expiry_collect(void *ctx, const libro_license_record *rec, libro_error *err)
{
    expiry_page *pg = ctx;
    size_t len = strnlen(rec->number, LIBRO_MAX_LICENSE_NUMBER_BYTES + 1);

    if (pg->seen == LIBRO_WEBHOOK__EXPIRY_PAGE) {
        pg->full = true;
        return LIBRO_ERR_LIMIT; /* ends the walk: the page is full */
    }
    if (len > LIBRO_MAX_LICENSE_NUMBER_BYTES) {
        return libro_error_set(err, LIBRO_ERR_IO, "license number too long in the store");
    }
    pg->seen++;
    pg->last_until = rec->valid_until;
    memcpy(pg->last_number, rec->number, len + 1);
    if (libro_watch_expiry_upcoming(rec->state, rec->valid_until, pg->now, pg->within) &&
        (pg->w->licenses == NULL || follows(pg->w->licenses, rec->number))) {
        memcpy(pg->due[pg->n_due].number, rec->number, len + 1);
        pg->due[pg->n_due].valid_until = rec->valid_until;
        pg->n_due++;
    }
    return LIBRO_OK;
}

/* The license.expiring events of one page not sent before. */
static libro_code
send_page(libro_registry *r, libro_webhook *w, const libro_webhook_pass *p, int64_t *now,
          const expiry_page *pg, pass_state *ps, unsigned *sent, libro_error *err)
{
    libro_buf body = LIBRO_BUF_INIT;
    char msg_id[LIBRO_WEBHOOK__MSG_ID_MAX];
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; rc == LIBRO_OK && i < pg->n_due && ps->held && !ps->failed &&
                       ps->posted < LIBRO_WEBHOOK__PASS_EVENTS && !stopping(p);
         i++) {
        expiry_sent mark = {pg->due[i].number, pg->due[i].valid_until};
        bool was_sent = false;

        rc = r->store.ops->webhook_expiry_sent(r->store.h, &was_sent, w->id, mark.license,
                                               mark.valid_until, err);
        if (rc != LIBRO_OK || was_sent) {
            continue;
        }
        body.len = 0;
        rc = libro_webhook__expiry_event(&body, msg_id, mark.license, mark.valid_until, pg->now,
                                         p->registry_id, err);
        if (rc == LIBRO_OK) {
            rc = attempt(r, w, p, now, msg_id, &body, &mark, ps, sent, err);
        }
    }
    libro_buf_free(&body);
    return rc;
}

/* Walk the expiring licenses of w's horizon at `now`, a page at a time, sending those due;
 * stamp the walk when it ended with nothing left to send. */
static libro_code
deliver_expiring(libro_registry *r, libro_webhook *w, const libro_webhook_pass *p, int64_t *now,
                 pass_state *ps, unsigned *sent, libro_error *err)
{
    expiry_page *pg = libro_calloc(1, sizeof *pg);
    int64_t after_until = INT64_MIN;
    char after_number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1] = "";
    int64_t started = *now;
    libro_code rc = LIBRO_OK;

    if (pg == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (;;) {
        memset(pg, 0, sizeof *pg);
        pg->w = w;
        pg->now = started;
        pg->within = (int64_t) w->expiring_within * 86400;
        rc = libro_registry__expiring_after(r, started, pg->within, after_until, after_number,
                                            false, expiry_collect, pg, err);
        if (rc == LIBRO_ERR_LIMIT && pg->full) {
            rc = LIBRO_OK;
        }
        if (rc == LIBRO_OK) {
            rc = send_page(r, w, p, now, pg, ps, sent, err);
        }
        if (rc != LIBRO_OK || !ps->held || ps->failed || stopping(p) || !pg->full ||
            ps->posted >= LIBRO_WEBHOOK__PASS_EVENTS) {
            break;
        }
        after_until = pg->last_until;
        memcpy(after_number, pg->last_number, sizeof after_number);
    }
    if (rc == LIBRO_OK && ps->held && !ps->failed && !stopping(p) && !pg->full &&
        ps->posted < LIBRO_WEBHOOK__PASS_EVENTS) {
        w->expiry_checked_at = started;
    }
    libro_free(pg);
    return rc;
}

/* Deliver w's log events from its cursor on, then (at the log's end) its expiring licenses,
 * at most LIBRO_WEBHOOK__PASS_EVENTS in all; a failure ends it. */
static libro_code
deliver_one(libro_registry *r, libro_webhook *w, const libro_webhook_pass *p, int64_t now,
            unsigned *sent, libro_error *err)
{
    pass_state ps = {0, true, false};
    bool at_end = false;
    libro_code rc = deliver_log(r, w, p, &now, &ps, &at_end, sent, err);

    if (rc == LIBRO_OK && at_end && ps.held && !ps.failed && !stopping(p) &&
        ps.posted < LIBRO_WEBHOOK__PASS_EVENTS && expiry_due(w, now)) {
        rc = deliver_expiring(r, w, p, &now, &ps, sent, err);
    }
    if (rc == LIBRO_OK && ps.held && !ps.failed) {
        /* The cursor past skipped leaves and the walk's stamp; let go. */
        rc = save(r, w, p, now, false, NULL, &ps.held, err);
    }
    return rc;
}

libro_code
libro_webhook__deliver(libro_registry *r, const libro_webhook_pass *p, int64_t now, unsigned *sent,
                       libro_error *err)
{
    handled done = {NULL, 0};
    libro_webhook mine;
    bool any = false;
    bool found = true;
    libro_code rc;

    *sent = 0;
    memset(&mine, 0, sizeof mine);
    rc = anything_due(&any, r, p, now, err);
    if (rc != LIBRO_OK || !any) {
        return rc;
    }
    done.ids = libro_calloc(LIBRO_WEBHOOK_MAX, sizeof *done.ids);
    if (done.ids == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    while (rc == LIBRO_OK && found && done.n < LIBRO_WEBHOOK_MAX && !stopping(p)) {
        now = p->clock != NULL ? p->clock() : now;
        LIBRO_REGISTRY__RETRY(rc, r, err, claim_once(r, &mine, &found, &done, p, now, err));
        if (rc == LIBRO_OK && found) {
            (void) snprintf(done.ids[done.n++], sizeof done.ids[0], "%s", mine.id);
            rc = deliver_one(r, &mine, p, now, sent, err);
        }
        libro_webhook_clear(&mine);
    }
    libro_free(done.ids);
    return rc;
}
