/* The registry's HTTP API, read side: request rules and routes over plain structures. Nothing
 * here sees libmicrohttpd (server.c does); everything here decides. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/merkle.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

#define MIN_STATUS_LIST_SECONDS 60u
#define MAX_STATUS_LIST_SECONDS (31u * 86400u)
#define MAX_THREADS 64u

static const char type_json[] = "application/json";
static const char type_html[] = "text/html; charset=utf-8";
static const char type_vc_jwt[] = "application/vc+jwt";
/* Status lists: verifiers may keep one five minutes; a fresh one is at most that old. */
static const char status_cache[] = "public, max-age=300";
/* A license's state changes when the registry acts; a minute of staleness is the price of
 * being cacheable at all. */
static const char license_cache[] = "public, max-age=60";
static const char no_store[] = "no-store";

/* ---- responses ----------------------------------------------------------------------------- */

void
libro_http__response_clear(libro_http__response *resp)
{
    libro_buf_free(&resp->body);
    memset(resp, 0, sizeof *resp);
}

static void
set_body_static(libro_http__response *resp, const char *text)
{
    libro_buf_clear(&resp->body);
    /* Only reached when memory is short; an empty body is still a valid answer. */
    if (libro_buf_append_str(&resp->body, text, NULL) != LIBRO_OK) {
        libro_buf_clear(&resp->body);
    }
}

void
libro_http__error(libro_http__response *resp, unsigned status, const char *code,
                  const char *message)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *root;

    resp->status = status;
    resp->content_type = type_json;
    resp->cache_control = no_store;
    resp->etag[0] = '\0';
    resp->vary_accept = false;
    libro_buf_clear(&resp->body);
    root = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    if (root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        set_body_static(resp, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
    json_decref(root);
}

void
libro_http__internal_error(libro_http__response *resp)
{
    /* The cause (a path, an SQLite message) stays out of the answer: it is for operators. */
    libro_http__error(resp, 500, "internal", "the registry cannot answer now");
}

/* The ETag of a body: its quoted hex SHA-256 (a strong validator: same bytes, same tag). */
static libro_code
etag_of(char out[LIBRO_HTTP_ETAG_MAX], const void *p, size_t len, libro_error *err)
{
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_code rc = libro_sha256(digest, p, len, err);

    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, digest, sizeof digest, err);
    }
    if (rc == LIBRO_OK) {
        out[0] = '"';
        memcpy(out + 1, hex.data, 64);
        out[65] = '"';
        out[66] = '\0';
    }
    libro_buf_free(&hex);
    return rc;
}

/* If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly (a W/
 * prefix is ignored). */
static bool
etag_matches(const char *header, const char *etag)
{
    const char *p = header;
    size_t elen = strlen(etag);

    if (header == NULL || etag[0] == '\0') {
        return false;
    }
    while (*p != '\0') {
        const char *end;

        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '*') {
            return true;
        }
        if (strncmp(p, "W/", 2) == 0) {
            p += 2;
        }
        if (*p != '"') {
            return false;
        }
        end = strchr(p + 1, '"');
        if (end == NULL) {
            return false;
        }
        if ((size_t) (end + 1 - p) == elen && memcmp(p, etag, elen) == 0) {
            return true;
        }
        p = end + 1;
    }
    return false;
}

/* Set a cacheable 200 (or 304 when the client holds this body already). */
void
libro_http__finish_cacheable(libro_http__response *resp, const libro_http__request *req,
                             const char *type, const char *cache_control)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (resp->etag[0] == '\0' &&
        etag_of(resp->etag, resp->body.data, resp->body.len, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        return;
    }
    resp->content_type = type;
    resp->cache_control = cache_control;
    resp->status = 200;
    if (etag_matches(req->if_none_match, resp->etag)) {
        resp->status = 304;
        libro_buf_clear(&resp->body);
    }
}

/* ---- options and shared state -------------------------------------------------------------- */

bool
libro_http__is_loopback(const char *addr)
{
    unsigned char v4[4];
    unsigned char v6[16];
    static const unsigned char v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    if (addr == NULL) {
        return false;
    }
    if (inet_pton(AF_INET, addr, v4) == 1) {
        return v4[0] == 127;
    }
    return inet_pton(AF_INET6, addr, v6) == 1 && memcmp(v6, v6_loopback, sizeof v6) == 0;
}

/* https://..., or http:// to 127.0.0.1 only (the RegistryAuthorization url rule), printable
 * ASCII without quotes, spaces or '#'. */
static bool
base_url_ok(const char *url, size_t len)
{
    size_t i;

    if (len == 0 || len > LIBRO_HTTP_MAX_BASE_URL) {
        return false;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) url[i];

        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '\\' || c == '<' || c == '>') {
            return false;
        }
    }
    if (strncmp(url, "https://", 8) == 0) {
        return len > 8;
    }
    return strncmp(url, "http://127.0.0.1", 16) == 0 &&
           (url[16] == '\0' || url[16] == ':' || url[16] == '/');
}

void
libro_http__ctx_clear(libro_http_ctx *ctx)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(ctx->cache); i++) {
        libro_buf_free(&ctx->cache[i].body);
    }
    libro_buf_free(&ctx->bundle);
    libro_registry_close(ctx->keeper);
    if (ctx->lock_ready) {
        (void) pthread_mutex_destroy(&ctx->lock);
    }
    if (ctx->rate_lock_ready) {
        (void) pthread_mutex_destroy(&ctx->rate_lock);
    }
    libro_free(ctx->db_path);
    libro_free(ctx->base_url);
    libro_free(ctx->issuer_id);
    memset(ctx, 0, sizeof *ctx);
}

static libro_code
check_options(const libro_server_options *opt, libro_error *err)
{
    if (opt == NULL || opt->version != LIBRO_SERVER_OPTIONS_VERSION) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "server: options version must be %u",
                               LIBRO_SERVER_OPTIONS_VERSION);
    }
    if (opt->db_path == NULL || opt->registry_key == NULL || opt->base_url == NULL ||
        opt->listen_address == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: db_path, registry_key, base_url and listen_address are "
                               "required");
    }
    if (!libro_key_has_private(opt->registry_key)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: the registry key has no private half");
    }
    if (libro_key_alg(opt->registry_key) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "server: the registry key must be Ed25519 (log checkpoints are "
                               "Ed25519 signed notes)");
    }
    if (opt->max_connections == 0 || opt->max_connections_per_ip == 0 ||
        opt->timeout_seconds == 0 || opt->max_body_bytes == 0 ||
        opt->max_body_bytes > LIBRO_MAX_HTTP_BODY_BYTES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: connection limits and timeout must be at least 1, the "
                               "body cap 1 to %u bytes",
                               LIBRO_MAX_HTTP_BODY_BYTES);
    }
    if (opt->write_rate == 0 || opt->write_burst == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: the write rate and burst must be at least 1");
    }
    if (opt->threads == 0 || opt->threads > MAX_THREADS || opt->threads > opt->max_connections) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: threads must be 1 to %u and at most max_connections",
                               MAX_THREADS);
    }
    if (opt->status_list_seconds < MIN_STATUS_LIST_SECONDS ||
        opt->status_list_seconds > MAX_STATUS_LIST_SECONDS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: status lists must be valid %u to %u seconds",
                               MIN_STATUS_LIST_SECONDS, MAX_STATUS_LIST_SECONDS);
    }
    if (!base_url_ok(opt->base_url, strlen(opt->base_url))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: base url must be https://... or http://127.0.0.1..., at "
                               "most %u bytes: %.64s",
                               LIBRO_HTTP_MAX_BASE_URL, opt->base_url);
    }
    if (!opt->allow_public && !libro_http__is_loopback(opt->listen_address)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "server: %.64s is not a loopback address (serving the network "
                               "must be asked for)",
                               opt->listen_address);
    }
    return LIBRO_OK;
}

/* The registry's id and key come from the authorization it was created with; a server that
 * signs with another key would publish lists no verifier accepts. */
static libro_code
load_identity(libro_http_ctx *ctx, const libro_server_options *opt, libro_error *err)
{
    libro_registry *reg = NULL;
    libro_credential *auth = NULL;
    const char *jws;
    libro_code rc = libro_registry_open(&reg, opt->db_path, err);

    if (rc != LIBRO_OK) {
        goto out;
    }
    jws = libro_registry_authorization(reg);
    if (jws == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "server: the registry has no authorization");
        goto out;
    }
    rc = libro_registry__parse_credential(&auth, jws, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "server: registry authorization");
        goto out;
    }
    if (auth->type != LIBRO_CRED_REGISTRY_AUTH || auth->subject_key == NULL ||
        !libro_key_equal_public(auth->subject_key, opt->registry_key)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "server: the key is not the one the registry authorization names "
                             "for %.64s",
                             auth->subject_id);
        goto out;
    }
    ctx->authorization_until = auth->valid_until;
    ctx->issuer_id = libro_strndup(auth->subject_id, strlen(auth->subject_id));
    if (ctx->issuer_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    ctx->keeper = reg;
    reg = NULL;
out:
    libro_credential_free(auth);
    libro_registry_close(reg);
    return rc;
}

void
libro_http__wait_to_serve(const libro_http_ctx *ctx)
{
    struct timespec pause = {0, 10000000L}; /* 10 ms */

    for (int i = 0; i < 200 && libro_time_now() < ctx->not_before; i++) {
        (void) nanosleep(&pause, NULL);
    }
}

libro_code
libro_http__ctx_init(libro_http_ctx *ctx, const libro_server_options *opt, libro_error *err)
{
    size_t url_len;
    libro_code rc;

    memset(ctx, 0, sizeof *ctx);
    rc = check_options(opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    url_len = strlen(opt->base_url);
    while (url_len > 0 && opt->base_url[url_len - 1] == '/') {
        url_len--;
    }
    ctx->db_path = libro_strndup(opt->db_path, strlen(opt->db_path));
    ctx->base_url = libro_strndup(opt->base_url, url_len);
    if (ctx->db_path == NULL || ctx->base_url == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    ctx->registry_key = opt->registry_key;
    ctx->status_list_seconds = opt->status_list_seconds;
    ctx->max_body_bytes = opt->max_body_bytes;
    ctx->timeout_seconds = opt->timeout_seconds;
    /* Whatever an earlier process served was dated at most its own clock: the server starts
     * serving only once the clock has passed the second it started in (libro_server_start
     * waits: libro_http__wait_to_serve), so lists and bundles stay strictly newer across
     * a restart without ever being dated ahead of the clock (a list dated ahead would claim
     * changes it lacks). */
    ctx->not_before = libro_time_now() + 1;
    ctx->write_rate = opt->write_rate;
    ctx->write_burst = opt->write_burst;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "server: no mutex");
        goto out;
    }
    ctx->lock_ready = true;
    if (pthread_mutex_init(&ctx->rate_lock, NULL) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "server: no mutex");
        goto out;
    }
    ctx->rate_lock_ready = true;
    rc = load_identity(ctx, opt, err);
out:
    if (rc != LIBRO_OK) {
        libro_http__ctx_clear(ctx);
    }
    return rc;
}

/* ---- request rules ------------------------------------------------------------------------- */

static void
refuse(libro_http__response *resp, unsigned status, const char *code, const char *message)
{
    libro_http__error(resp, status, code, message);
    resp->close = true; /* whatever follows on this connection is not to be trusted */
}

bool
libro_http__token_ok(const char *s)
{
    static const char specials[] = "!#$%&'*+-.^_`|~";
    const char *p;

    if (s == NULL || *s == '\0') {
        return false;
    }
    for (p = s; *p != '\0'; p++) {
        char c = *p;

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr(specials, c) != NULL)) {
            return false;
        }
    }
    return true;
}

void
libro_http__check_headers(libro_http__response *resp, const libro_http__request *req,
                          size_t max_body)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t declared = 0;
    bool v11;
    bool bodiless;

    resp->status = 0;
    if (req->method == NULL || req->path == NULL || req->version == NULL) {
        refuse(resp, 400, "bad_request", "malformed request line");
        return;
    }
    v11 = strcmp(req->version, "HTTP/1.1") == 0;
    if (!v11 && strcmp(req->version, "HTTP/1.0") != 0) {
        refuse(resp, 400, "bad_request", "only HTTP/1.0 and HTTP/1.1 are served");
        return;
    }
    if (req->n_bad_names > 0) {
        refuse(resp, 400, "bad_request", "a header name that is not a token");
        return;
    }
    /* RFC 9112 §3.2: a 1.1 request without Host, or any with more than one, is a 400. */
    if ((v11 && req->n_host == 0) || req->n_host > 1) {
        refuse(resp, 400, "bad_request",
               req->n_host == 0 ? "an HTTP/1.1 request needs a Host header"
                                : "more than one Host header");
        return;
    }
    /* Two framings, or two lengths, and a proxy in front may pick the other one than we do:
     * request smuggling (RFC 9112 §6.3, §11.2). Refuse rather than choose. */
    if (req->n_content_length > 1) {
        refuse(resp, 400, "bad_request", "more than one Content-Length header");
        return;
    }
    if (req->n_content_length > 0 && req->n_transfer_encoding > 0) {
        refuse(resp, 400, "bad_request", "Content-Length and Transfer-Encoding together");
        return;
    }
    /* RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing. */
    if (!v11 && req->n_transfer_encoding > 0) {
        refuse(resp, 400, "bad_request", "Transfer-Encoding in an HTTP/1.0 request");
        return;
    }
    if (req->n_transfer_encoding > 1 ||
        (req->n_transfer_encoding == 1 &&
         (req->transfer_encoding == NULL || strcasecmp(req->transfer_encoding, "chunked") != 0))) {
        refuse(resp, 400, "bad_request", "Transfer-Encoding other than chunked");
        return;
    }
    if (req->n_content_length == 1 &&
        (req->content_length == NULL ||
         libro_parse_u64(&declared, req->content_length, strlen(req->content_length), UINT64_MAX,
                         &ignored) != LIBRO_OK)) {
        refuse(resp, 400, "bad_request", "malformed Content-Length");
        return;
    }
    bodiless = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (bodiless && (declared > 0 || req->n_transfer_encoding > 0)) {
        refuse(resp, 400, "bad_request", "a GET or HEAD request carries no body");
        return;
    }
    if (declared > max_body) {
        refuse(resp, 413, "payload_too_large", "the request body is over the limit");
        return;
    }
}

/* ---- content negotiation ------------------------------------------------------------------- */

/* The q of a media range's parameters p[0..len): 0..1000, 1000 when absent (RFC 9110 §12.4.2). */
static unsigned
parse_q(const char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t start;
        size_t j;
        unsigned q;
        unsigned scale = 100;

        while (i < len && (p[i] == ';' || p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        start = i;
        while (i < len && p[i] != ';') {
            i++;
        }
        if (i - start < 3 || (p[start] != 'q' && p[start] != 'Q') || p[start + 1] != '=') {
            continue;
        }
        j = start + 2;
        if (p[j] != '0' && p[j] != '1') {
            return 0;
        }
        q = (unsigned) (p[j] - '0') * 1000u;
        j++;
        if (j < i && p[j] == '.') {
            for (j++; j < i && p[j] >= '0' && p[j] <= '9' && scale > 0; j++) {
                q += (unsigned) (p[j] - '0') * scale;
                scale /= 10;
            }
        }
        return q > 1000 ? 1000 : q;
    }
    return 1000;
}

static bool
range_is(const char *p, size_t len, const char *want)
{
    return strlen(want) == len && strncasecmp(p, want, len) == 0;
}

/* Whether `accept` ranks text/html above application/json (the most specific range naming
 * each decides its q). No Accept, or a tie: JSON. */
static bool
prefers_html(const char *accept)
{
    int html_spec = 0;
    int json_spec = 0;
    unsigned html_q = 0;
    unsigned json_q = 0;
    const char *p = accept;

    if (accept == NULL) {
        return false;
    }
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t item_len = end == NULL ? strlen(p) : (size_t) (end - p);
        const char *semi = memchr(p, ';', item_len);
        size_t type_len = semi == NULL ? item_len : (size_t) (semi - p);
        unsigned q;
        int hs = 0;
        int js = 0;

        while (type_len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            item_len--;
            type_len--;
        }
        while (type_len > 0 && (p[type_len - 1] == ' ' || p[type_len - 1] == '\t')) {
            type_len--;
        }
        q = semi == NULL ? 1000 : parse_q(semi, item_len - (size_t) (semi - p));
        if (range_is(p, type_len, "text/html")) {
            hs = 3;
        } else if (range_is(p, type_len, "text/*")) {
            hs = 2;
        } else if (range_is(p, type_len, "application/json")) {
            js = 3;
        } else if (range_is(p, type_len, "application/*")) {
            js = 2;
        } else if (range_is(p, type_len, "*/*")) {
            hs = 1;
            js = 1;
        }
        if (hs > html_spec) {
            html_spec = hs;
            html_q = q;
        }
        if (js > json_spec) {
            json_spec = js;
            json_q = q;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return html_q > json_q;
}

/* ---- routes -------------------------------------------------------------------------------- */

libro_code
libro_http__open_registry(libro_http_ctx *ctx, libro_registry **reg, libro_error *err)
{
    if (*reg != NULL) {
        return LIBRO_OK;
    }
    return libro_registry_open(reg, ctx->db_path, err);
}

static void
route_health(libro_http__response *resp)
{
    libro_error err = LIBRO_ERROR_INIT;
    json_t *root = json_pack("{s:s, s:s}", "status", "ok", "version", libro_version());

    libro_buf_clear(&resp->body);
    if (root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
    } else {
        resp->status = 200;
        resp->content_type = type_json;
        resp->cache_control = no_store;
    }
    json_decref(root);
}

static libro_http_cache_entry *
cache_slot(libro_http_ctx *ctx, uint32_t list, int purpose)
{
    libro_http_cache_entry *oldest = &ctx->cache[0];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(ctx->cache); i++) {
        libro_http_cache_entry *e = &ctx->cache[i];

        if (e->used && e->list == list && e->purpose == purpose) {
            return e;
        }
        if (!e->used || (oldest->used && e->stamp < oldest->stamp)) {
            oldest = e;
        }
    }
    libro_buf_free(&oldest->body);
    memset(oldest, 0, sizeof *oldest);
    oldest->list = list;
    oldest->purpose = purpose;
    return oldest;
}

/* Sign the list anew into `e` (the caller holds ctx->lock). `bits` is consumed. */
static libro_code
sign_list(libro_http_cache_entry *e, libro_http_ctx *ctx, libro_bitstring *bits,
          const unsigned char hash[32], int64_t now, libro_error *err)
{
    libro_status_list s = {0};
    libro_buf id = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_code rc;

    s.bits = *bits;
    memset(bits, 0, sizeof *bits);
    s.purpose = (libro_status_purpose) e->purpose;
    s.valid_from = now;
    s.valid_until = now + (int64_t) ctx->status_list_seconds;
    /* No list outlives the authorization of the key that signs it: a verifier would refuse it
     * then anyway, and an honest date says when to fetch the next. */
    if (s.valid_until > ctx->authorization_until) {
        s.valid_until = ctx->authorization_until;
    }
    if (s.valid_until <= s.valid_from) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "the registry authorization has ended");
        goto out;
    }
    rc = libro_buf_printf(&id, err, "%s/v1/status/%u/%s", ctx->base_url, (unsigned) e->list,
                          libro_status_purpose_name(s.purpose));
    if (rc != LIBRO_OK) {
        goto out;
    }
    s.id = (char *) libro_buf_detach(&id, NULL);
    s.issuer = libro_strndup(ctx->issuer_id, strlen(ctx->issuer_id));
    if (s.id == NULL || s.issuer == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_status_list_sign(&jws, &s, ctx->registry_key, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = etag_of(e->etag, jws.data, jws.len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    libro_buf_free(&e->body);
    e->body = jws;
    memset(&jws, 0, sizeof jws); /* moved to the cache */
    memcpy(e->bits_hash, hash, sizeof e->bits_hash);
    e->valid_from = s.valid_from;
    e->valid_until = s.valid_until;
    e->used = true;
out:
    if (rc != LIBRO_OK) {
        e->used = false;
    }
    libro_buf_free(&jws);
    libro_buf_free(&id);
    libro_status_list_free(&s);
    return rc;
}

libro_code
libro_http__current_list(libro_http_ctx *ctx, libro_registry *reg, uint32_t list, int purpose,
                         libro_buf *out, char etag[LIBRO_HTTP_ETAG_MAX], libro_error *err)
{
    libro_bitstring bits = {NULL, 0};
    unsigned char hash[32];
    libro_http_cache_entry *e;
    int64_t now;
    libro_code rc;

    /* The bits are read under the lock: two workers reading before and after a revocation
     * must not sign in the opposite order, or the older bits would carry the newer date. */
    if (pthread_mutex_lock(&ctx->lock) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "server: lock failed");
    }
    rc = libro_registry_status_bits(reg, &bits, list, purpose, err);
    if (rc == LIBRO_OK) {
        rc = libro_sha256(hash, bits.bits, bits.n_entries / 8, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Regenerate when the bits changed, or when half of the cached list's own window has
     * passed: a verifier then always receives a list with room to cache it. A list changes
     * at most once a second: verifiers keep a list only when its validFrom is strictly newer
     * than theirs, so a change within the second of the cached list is served from the next
     * second on, rather than dating a list ahead of the clock. */
    now = libro_time_now();
    e = cache_slot(ctx, list, purpose);
    if (!e->used || ((memcmp(e->bits_hash, hash, sizeof hash) != 0 ||
                      now >= e->valid_from + (e->valid_until - e->valid_from) / 2) &&
                     now > e->valid_from)) {
        rc = sign_list(e, ctx, &bits, hash, now, err);
    }
    if (rc == LIBRO_OK) {
        e->stamp = ++ctx->clock;
        libro_buf_clear(out);
        rc = libro_buf_append(out, e->body.data, e->body.len, err);
        memcpy(etag, e->etag, LIBRO_HTTP_ETAG_MAX);
    }
out:
    (void) pthread_mutex_unlock(&ctx->lock);
    libro_bitstring_free(&bits);
    return rc;
}

static void
route_status(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
             const libro_http__request *req, uint32_t list, int purpose)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint32_t last = 0;

    if (libro_http__open_registry(ctx, reg, &err) != LIBRO_OK ||
        libro_registry__last_list(*reg, &last, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        return;
    }
    if (list > last) {
        libro_http__error(resp, 404, "not_found", "no such status list");
        return;
    }
    if (libro_http__current_list(ctx, *reg, list, purpose, &resp->body, resp->etag, &err) !=
        LIBRO_OK) {
        libro_http__internal_error(resp);
        return;
    }
    libro_http__finish_cacheable(resp, req, type_vc_jwt, status_cache);
}

static libro_code
append_html_text(libro_buf *b, const char *s, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (; *s != '\0' && rc == LIBRO_OK; s++) {
        switch (*s) {
        case '<':
            rc = libro_buf_append_str(b, "&lt;", err);
            break;
        case '>':
            rc = libro_buf_append_str(b, "&gt;", err);
            break;
        case '&':
            rc = libro_buf_append_str(b, "&amp;", err);
            break;
        case '"':
            rc = libro_buf_append_str(b, "&quot;", err);
            break;
        case '\'':
            rc = libro_buf_append_str(b, "&#39;", err);
            break;
        default:
            rc = libro_buf_append(b, s, 1, err);
            break;
        }
    }
    return rc;
}

static libro_code
license_html(libro_buf *b, const libro_license_record *r, const char *from, const char *until,
             libro_error *err)
{
    const char *const rows[][2] = {
        {"Holder", r->holder_name},
        {"State", libro_license_state_name(r->state)},
        {"License type", r->license_type},
        {"Issuer", r->issuer},
        {"Valid from", from},
        {"Valid until", until},
    };
    size_t i;
    libro_code rc = libro_buf_append_str(b,
                                         "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                                         "charset=\"utf-8\"><title>License ",
                                         err);

    if (rc == LIBRO_OK) {
        rc = append_html_text(b, r->number, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "</title></head>\n<body><h1>License ", err);
    }
    if (rc == LIBRO_OK) {
        rc = append_html_text(b, r->number, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, "</h1>\n<dl>\n<dt>Version</dt><dd>%u</dd>\n",
                              (unsigned) r->version);
    }
    for (i = 0; i < LIBRO_NELEM(rows) && rc == LIBRO_OK; i++) {
        rc = libro_buf_printf(b, err, "<dt>%s</dt><dd>", rows[i][0]);
        if (rc == LIBRO_OK) {
            rc = append_html_text(b, rows[i][1] == NULL ? "" : rows[i][1], err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "</dd>\n", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b,
                                  "</dl>\n<p>A record of the registry, not a credential: verify "
                                  "the license itself with <code>libro verify</code>.</p>\n"
                                  "</body></html>\n",
                                  err);
    }
    return rc;
}

json_t *
libro_http__record_json(const libro_license_record *r)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(from, r->valid_from, NULL) != LIBRO_OK ||
        libro_time_format(until, r->valid_until, NULL) != LIBRO_OK) {
        return NULL;
    }
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "number", r->number,
                     "version", (json_int_t) r->version, "state",
                     libro_license_state_name(r->state), "type", r->license_type, "holder",
                     r->holder_name, "issuer", r->issuer, "validFrom", from, "validUntil", until,
                     "statusList", (json_int_t) r->status_list, "statusIndex",
                     (json_int_t) r->status_index, "credential", r->credential);
}

/* GET /v1/types/<id>: a license type as the community defined it (public: what a renewal
 * takes is no secret). */
static void
route_type(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
           const libro_http__request *req, const char *id)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {0};
    libro_buf text = LIBRO_BUF_INIT;
    json_t *root = NULL;
    libro_code rc = libro_http__open_registry(ctx, reg, &err);

    if (rc == LIBRO_OK) {
        rc = libro_registry_get_type(*reg, &t, id, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such license type");
        goto out;
    }
    if (rc == LIBRO_OK) {
        rc = libro_requirements_format(&text, t.requirements, t.n_requirements, &err);
    }
    if (rc == LIBRO_OK) {
        root = json_pack("{s:s, s:I, s:I, s:I, s:s}", "id", t.id, "validityDays",
                         (json_int_t) t.validity_days, "renewalWindowDays",
                         (json_int_t) t.renewal_window_days, "graceDays", (json_int_t) t.grace_days,
                         "requirements", text.data == NULL ? "" : (const char *) text.data);
    }
    libro_buf_clear(&resp->body);
    if (rc != LIBRO_OK || root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        goto out;
    }
    libro_http__finish_cacheable(resp, req, type_json, license_cache);
out:
    json_decref(root);
    libro_buf_free(&text);
    libro_license_type_clear(&t);
}

static void
route_license(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
              const libro_http__request *req, const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record r = {0};
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    json_t *root = NULL;
    bool html = prefers_html(req->accept);
    libro_code rc;

    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_get(*reg, &r, NULL, NULL, number, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such license");
        goto out;
    }
    if (rc != LIBRO_OK || libro_time_format(from, r.valid_from, &err) != LIBRO_OK ||
        libro_time_format(until, r.valid_until, &err) != LIBRO_OK) {
        libro_http__internal_error(resp);
        goto out;
    }
    libro_buf_clear(&resp->body);
    if (html) {
        rc = license_html(&resp->body, &r, from, until, &err);
    } else {
        root = libro_http__record_json(&r);
        rc = root == NULL ? LIBRO_ERR_NOMEM : libro_json__dump(&resp->body, root, &err);
    }
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp);
        goto out;
    }
    resp->vary_accept = true;
    libro_http__finish_cacheable(resp, req, html ? type_html : type_json, license_cache);
out:
    json_decref(root);
    libro_license_record_clear(&r);
}

enum route {
    ROUTE_NONE,
    ROUTE_HEALTH,
    ROUTE_STATUS,
    ROUTE_LICENSE,
    ROUTE_BUNDLE,
    ROUTE_CHECKPOINT,
    ROUTE_INCLUSION,
    ROUTE_CONSISTENCY,
    ROUTE_LEAF,
    ROUTE_WRITE,
    ROUTE_TYPE,
};

/* A matched path and its parameters. */
typedef struct route_match {
    enum route route;
    bool malformed; /* the route matched but a parameter is not of its form: 400 */
    const char *usage;
    uint32_t list;
    int purpose;
    char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
    uint64_t a;
    uint64_t b;
    libro_http_write op;
} route_match;

/* Two decimal numbers "<a>/<b>" (or one, when b is NULL) making up all of `rest`. */
static bool
parse_numbers(const char *rest, uint64_t *a, uint64_t *b)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *slash = strchr(rest, '/');

    if (b == NULL) {
        return slash == NULL &&
               libro_parse_u64(a, rest, strlen(rest), LIBRO_MERKLE_MAX_SIZE, &ignored) == LIBRO_OK;
    }
    return slash != NULL && strchr(slash + 1, '/') == NULL &&
           libro_parse_u64(a, rest, (size_t) (slash - rest), LIBRO_MERKLE_MAX_SIZE, &ignored) ==
               LIBRO_OK &&
           libro_parse_u64(b, slash + 1, strlen(slash + 1), LIBRO_MERKLE_MAX_SIZE, &ignored) ==
               LIBRO_OK;
}

static void
match_status(route_match *m, const char *rest)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *slash = strchr(rest, '/');
    uint64_t n = 0;

    m->usage = "want /v1/status/<list number>/<revocation|suspension|message>";
    if (slash == NULL || strchr(slash + 1, '/') != NULL) {
        return;
    }
    m->route = ROUTE_STATUS;
    if (libro_parse_u64(&n, rest, (size_t) (slash - rest), UINT32_MAX, &ignored) != LIBRO_OK) {
        m->malformed = true;
        return;
    }
    m->list = (uint32_t) n;
    if (strcmp(slash + 1, "revocation") == 0) {
        m->purpose = LIBRO_STATUS_REVOCATION;
    } else if (strcmp(slash + 1, "suspension") == 0) {
        m->purpose = LIBRO_STATUS_SUSPENSION;
    } else if (strcmp(slash + 1, "message") == 0) {
        m->purpose = LIBRO_STATUS_MESSAGE;
    } else {
        m->malformed = true;
    }
}

/* /v1/licenses/<number> and /v1/licenses/<number>/<operation>. */
static void
match_license(route_match *m, const char *rest)
{
    static const struct {
        const char *name;
        libro_http_write op;
    } ops[] = {{"renew", LIBRO_HTTP_WRITE_RENEW},
               {"suspend", LIBRO_HTTP_WRITE_SUSPEND},
               {"reinstate", LIBRO_HTTP_WRITE_REINSTATE},
               {"revoke", LIBRO_HTTP_WRITE_REVOKE},
               {"surrender", LIBRO_HTTP_WRITE_SURRENDER}};
    const char *slash = strchr(rest, '/');
    size_t len = slash == NULL ? strlen(rest) : (size_t) (slash - rest);

    m->usage = "want /v1/licenses/<number> ([A-Za-z0-9._-], 1 to 64 bytes)";
    if (slash == NULL) {
        m->route = ROUTE_LICENSE;
    } else {
        for (size_t i = 0; i < LIBRO_NELEM(ops); i++) {
            if (strcmp(slash + 1, ops[i].name) == 0) {
                m->route = ROUTE_WRITE;
                m->op = ops[i].op;
            }
        }
        if (m->route == ROUTE_NONE) {
            return;
        }
    }
    if (!libro_license_number_ok(rest, len)) {
        m->malformed = true;
        return;
    }
    memcpy(m->number, rest, len);
    m->number[len] = '\0';
}

static void
match_log(route_match *m, const char *rest)
{
    if (strcmp(rest, "checkpoint") == 0) {
        m->route = ROUTE_CHECKPOINT;
    } else if (strncmp(rest, "inclusion/", 10) == 0) {
        m->route = ROUTE_INCLUSION;
        m->usage = "want /v1/log/inclusion/<leaf index>/<tree size>";
        m->malformed = !parse_numbers(rest + 10, &m->a, &m->b);
    } else if (strncmp(rest, "consistency/", 12) == 0) {
        m->route = ROUTE_CONSISTENCY;
        m->usage = "want /v1/log/consistency/<older size>/<newer size>";
        m->malformed = !parse_numbers(rest + 12, &m->a, &m->b);
    } else if (strncmp(rest, "leaves/", 7) == 0) {
        m->route = ROUTE_LEAF;
        m->usage = "want /v1/log/leaves/<leaf index>";
        m->malformed = !parse_numbers(rest + 7, &m->a, NULL);
    }
}

/* Match the path: ROUTE_NONE (404), or a route whose parameters are filled in. */
static void
match(route_match *m, const char *path)
{
    memset(m, 0, sizeof *m);
    if (strcmp(path, "/v1/health") == 0) {
        m->route = ROUTE_HEALTH;
    } else if (strcmp(path, "/v1/bundle") == 0) {
        m->route = ROUTE_BUNDLE;
    } else if (strcmp(path, "/v1/reservations") == 0) {
        m->route = ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_RESERVE;
    } else if (strcmp(path, "/v1/licenses") == 0) {
        m->route = ROUTE_WRITE;
        m->op = LIBRO_HTTP_WRITE_REGISTER;
    } else if (strcmp(path, "/v1/queries/expiring") == 0) {
        m->route = ROUTE_WRITE; /* a signed request, though it changes nothing */
        m->op = LIBRO_HTTP_QUERY_EXPIRING;
    } else if (strncmp(path, "/v1/types/", 10) == 0) {
        m->route = ROUTE_TYPE;
        m->usage = "want /v1/types/<id> ([a-z0-9-], 1 to 64 bytes)";
        m->malformed = !libro_license_type_id_ok(path + 10, strlen(path + 10));
        if (!m->malformed) {
            memcpy(m->number, path + 10, strlen(path + 10) + 1);
        }
    } else if (strncmp(path, "/v1/status/", 11) == 0) {
        match_status(m, path + 11);
    } else if (strncmp(path, "/v1/licenses/", 13) == 0) {
        match_license(m, path + 13);
    } else if (strncmp(path, "/v1/log/", 8) == 0) {
        match_log(m, path + 8);
    }
}

/* A monotonic clock in milliseconds, for the write budgets. */
static int64_t
monotonic_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
libro_http__rate_take(libro_http_ctx *ctx, const unsigned char client[16], int64_t now_ms)
{
    libro_http_bucket *b = NULL;
    libro_http_bucket *oldest = &ctx->buckets[0];
    bool ok;

    if (pthread_mutex_lock(&ctx->rate_lock) != 0) {
        return false;
    }
    for (size_t i = 0; i < LIBRO_NELEM(ctx->buckets) && b == NULL; i++) {
        libro_http_bucket *e = &ctx->buckets[i];

        if (e->used && memcmp(e->client, client, 16) == 0) {
            b = e;
        } else if (!e->used || (oldest->used && e->last_ms < oldest->last_ms)) {
            oldest = e;
        }
    }
    if (b == NULL) {
        /* A new client starts with a full burst; the slot it takes is the one idle longest. */
        b = oldest;
        b->used = true;
        memcpy(b->client, client, 16);
        b->tokens = (double) ctx->write_burst;
        b->last_ms = now_ms;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double) (now_ms - b->last_ms) * (double) ctx->write_rate / 1000.0;
        if (b->tokens > (double) ctx->write_burst) {
            b->tokens = (double) ctx->write_burst;
        }
        b->last_ms = now_ms;
    }
    ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    }
    (void) pthread_mutex_unlock(&ctx->rate_lock);
    return ok;
}

static bool
method_allowed(libro_http__response *resp, const libro_http__request *req, bool write)
{
    bool read_method = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

    if (write && strcmp(req->method, "POST") != 0) {
        libro_http__error(resp, 405, "method_not_allowed", "send a signed request with POST");
        resp->allow = "POST";
        return false;
    }
    if (!write && !read_method) {
        libro_http__error(resp, 405, "method_not_allowed", "this resource is read-only");
        resp->allow = "GET, HEAD";
        return false;
    }
    return true;
}

void
libro_http__handle(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                   const libro_http__request *req, const unsigned char *body, size_t body_len)
{
    route_match m;
    const char *p;

    for (p = req->path; *p != '\0'; p++) {
        /* libmicrohttpd has percent-decoded the path: control bytes and non-ASCII stop here. */
        if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f) {
            libro_http__error(resp, 400, "bad_request", "malformed path");
            return;
        }
    }
    if (req->path[0] != '/') {
        libro_http__error(resp, 400, "bad_request", "malformed path");
        return;
    }
    match(&m, req->path);
    if (m.route == ROUTE_NONE) {
        libro_http__error(resp, 404, "not_found", "no such resource");
        return;
    }
    if (!method_allowed(resp, req, m.route == ROUTE_WRITE)) {
        return;
    }
    if (m.malformed) {
        libro_http__error(resp, 400, "bad_request", m.usage);
        return;
    }
    if (m.route == ROUTE_WRITE && !libro_http__rate_take(ctx, req->client, monotonic_ms())) {
        libro_http__error(resp, 429, "rate_limited", "too many writes from this address");
        resp->retry_after = 1;
        return;
    }
    switch (m.route) {
    case ROUTE_HEALTH:
        route_health(resp);
        break;
    case ROUTE_STATUS:
        route_status(resp, ctx, reg, req, m.list, m.purpose);
        break;
    case ROUTE_LICENSE:
        route_license(resp, ctx, reg, req, m.number);
        break;
    case ROUTE_BUNDLE:
        libro_http__bundle(resp, ctx, reg, req);
        break;
    case ROUTE_TYPE:
        route_type(resp, ctx, reg, req, m.number);
        break;
    case ROUTE_CHECKPOINT:
        libro_http__checkpoint(resp, ctx, reg, req);
        break;
    case ROUTE_INCLUSION:
    case ROUTE_CONSISTENCY:
        libro_http__proof(resp, ctx, reg, req, m.route == ROUTE_INCLUSION, m.a, m.b);
        break;
    case ROUTE_LEAF:
        libro_http__leaf(resp, ctx, reg, req, m.a);
        break;
    case ROUTE_WRITE:
        /* Only the routes under /v1/licenses/<number>/ name a license. */
        libro_http__write(resp, ctx, reg, req, m.op, m.number[0] == '\0' ? NULL : m.number, body,
                          body_len);
        break;
    case ROUTE_NONE:
        break;
    }
}
