/* The registry's HTTP API, read side: responses, the shared state, the request rules and the
 * record routes (health, license, type), over plain structures. Nothing here sees
 * libmicrohttpd (server.c does). The router is router.c, the HTML pages pages.c, the status
 * list route listcache.c (the lists and the bundle in memory: statusmem.c), the write budgets
 * ratelimit.c. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../registry_int.h"
#include "http_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/time.h"
#include "libro/util.h"

#define MAX_THREADS 64u

static const char type_json[] = "application/json";
/* A license's state changes when the registry acts, and an acknowledged write is in the next
 * read: caches may keep a record but ask again (a 304 when unchanged) before using it. */
static const char license_cache[] = "public, no-cache";
/* A license type changes only when the community redefines it. */
static const char type_cache[] = "public, max-age=60";
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
    (void) snprintf(resp->message, sizeof resp->message, "%s", message);
    root = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    if (root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        set_body_static(resp, "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
    json_decref(root);
}

void
libro_http__internal_error(libro_http__response *resp, const libro_error *err)
{
    if (err != NULL && (err->code == LIBRO_ERR_BUSY || err->code == LIBRO_ERR_CONFLICT ||
                        err->code == LIBRO_ERR_UNAVAILABLE)) {
        libro_http__storage_error(resp, err);
        return;
    }
    /* The cause (a path, an SQLite message) stays out of the answer: it is for operators. */
    libro_http__error(resp, 500, "internal", "the registry cannot answer now");
}

/* The ETag of a body: its quoted hex SHA-256 (a strong validator: same bytes, same tag). */
libro_code
libro_http__etag_of(char out[LIBRO_HTTP_ETAG_MAX], const void *p, size_t len, libro_error *err)
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

/* A W/ prefix is ignored (the weak comparison). */
bool
libro_http__etag_matches(const char *header, const char *etag)
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
        libro_http__etag_of(resp->etag, resp->body.data, resp->body.len, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        return;
    }
    resp->content_type = type;
    resp->cache_control = cache_control;
    resp->status = 200;
    if (libro_http__etag_matches(req->if_none_match, resp->etag)) {
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
    libro_http__mem_clear(ctx);
    for (size_t i = 0; i < ctx->n_idle; i++) {
        libro_registry_close(ctx->idle[i]);
    }
    libro_free(ctx->idle);
    if (ctx->pool_lock_ready) {
        (void) pthread_mutex_destroy(&ctx->pool_lock);
    }
    libro_credential_free(ctx->authorization);
    libro_registry_close(ctx->keeper);
    if (ctx->rate_lock_ready) {
        (void) pthread_mutex_destroy(&ctx->rate_lock);
    }
    libro_free(ctx->db_path);
    libro_free(ctx->base_url);
    libro_free(ctx->issuer_id);
    libro_free(ctx->community_id);
    libro_free(ctx->community_name);
    libro_free(ctx->community_level_name);
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
    if (opt->status_list_seconds < LIBRO_STATUS_LIST_MIN_SECONDS ||
        opt->status_list_seconds > LIBRO_STATUS_LIST_MAX_SECONDS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: status lists must be valid %u to %u seconds",
                               LIBRO_STATUS_LIST_MIN_SECONDS, LIBRO_STATUS_LIST_MAX_SECONDS);
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
    libro_credential *charter = NULL;
    const char *jws;
    libro_code rc = opt->read_only ? libro_registry_open_read_only(&reg, opt->db_path, err)
                                   : libro_registry_open(&reg, opt->db_path, err);

    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The re-check a restart after an I/O error owes (registry_poisoned): SQLite's integrity
     * and foreign key checks, before anything is served. */
    rc = libro_registry__integrity_check(reg, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "server: database check");
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
    /* A damaged log is refused before anything is signed over it (docs/operations.md). */
    rc = libro_registry_log_audit(reg, false, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__parse_credential(&charter, libro_registry_charter(reg), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "server: charter");
        goto out;
    }
    ctx->issuer_id = libro_strndup(auth->subject_id, strlen(auth->subject_id));
    ctx->community_id = libro_strndup(charter->subject_id, strlen(charter->subject_id));
    ctx->community_name = libro_strndup(charter->name, strlen(charter->name));
    ctx->community_level = charter->level;
    {
        char tmp[32];
        const char *level = libro_level_name(charter, tmp, sizeof tmp);

        ctx->community_level_name = libro_strndup(level, strlen(level));
    }
    if (ctx->issuer_id == NULL || ctx->community_id == NULL || ctx->community_name == NULL ||
        ctx->community_level_name == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    ctx->keeper = reg;
    reg = NULL;
    ctx->authorization = auth;
    auth = NULL;
out:
    libro_credential_free(charter);
    libro_credential_free(auth);
    libro_registry_close(reg);
    return rc;
}

void
libro_http__wait_to_serve(const libro_http_ctx *ctx)
{
    struct timespec pause = {0, 1000000L}; /* 1 ms */

    for (int i = 0; i < 200 && libro_time_now_ms() < ctx->not_before_ms; i++) {
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
     * serving only once the clock has passed the millisecond it started in
     * (libro_server_start waits: libro_http__wait_to_serve), so lists and bundles stay
     * strictly newer across a restart without ever being dated ahead of the clock (a list
     * dated ahead would claim changes it lacks). */
    ctx->not_before_ms = libro_time_now_ms() + 1;
    ctx->write_rate = opt->write_rate;
    ctx->write_burst = opt->write_burst;
    ctx->read_only = opt->read_only;
    ctx->log = opt->log;
    ctx->log_ctx = opt->log_ctx;
    if (pthread_mutex_init(&ctx->rate_lock, NULL) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "server: no mutex");
        goto out;
    }
    ctx->rate_lock_ready = true;
    ctx->idle = libro_calloc(opt->threads, sizeof *ctx->idle);
    if (ctx->idle == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    ctx->max_idle = opt->threads;
    if (pthread_mutex_init(&ctx->pool_lock, NULL) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "server: no mutex");
        goto out;
    }
    ctx->pool_lock_ready = true;
    rc = load_identity(ctx, opt, err);
    if (rc == LIBRO_OK) {
        rc = libro_http__mem_init(ctx, opt->threads, err);
    }
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

/* RFC 9110 §5.5: a field value never holds NUL, CR or LF. libmicrohttpd hands values over
 * as C strings: a NUL would end the value this server reads ("chunked\0gzip" as "chunked")
 * where a proxy in front reads on, and a CR or LF would end the line for another reader. */
bool
libro_http__value_ok(const char *value, size_t len)
{
    /* The NUL first: memchr stops at it, and only a string without one in `len` bytes has
     * a byte at value[len] to read. */
    return value == NULL || (memchr(value, '\0', len) == NULL && value[len] == '\0' &&
                             memchr(value, '\r', len) == NULL && memchr(value, '\n', len) == NULL);
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
    if (req->n_bad_values > 0 || !libro_http__value_ok(req->host, req->host_len) ||
        !libro_http__value_ok(req->content_length, req->content_length_len) ||
        !libro_http__value_ok(req->transfer_encoding, req->transfer_encoding_len) ||
        !libro_http__value_ok(req->content_type, req->content_type_len) ||
        !libro_http__value_ok(req->accept, req->accept_len) ||
        !libro_http__value_ok(req->if_none_match, req->if_none_match_len)) {
        refuse(resp, 400, "bad_header", "a header value holds a NUL, CR or LF byte");
        return;
    }
    /* RFC 9112 §2.2, §5.2: a bare LF ends a line here but not for every reader, and a folded
     * line is one header for one reader and two for another (libmicrohttpd 0.9.75 appends it
     * to the name). */
    if (req->n_bad_lines > 0) {
        refuse(resp, 400, "bad_header", "a header line ends in a bare LF or is folded");
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
         libro_parse_u64(&declared, req->content_length, req->content_length_len, UINT64_MAX,
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

/* ---- routes -------------------------------------------------------------------------------- */

libro_code
libro_http__open_registry(libro_http_ctx *ctx, libro_registry **reg, libro_error *err)
{
    libro_code rc;

    if (*reg != NULL) {
        return LIBRO_OK;
    }
    (void) pthread_mutex_lock(&ctx->pool_lock);
    if (ctx->n_idle > 0) {
        *reg = ctx->idle[--ctx->n_idle];
    }
    (void) pthread_mutex_unlock(&ctx->pool_lock);
    if (*reg != NULL) {
        return LIBRO_OK; /* observed since it was opened */
    }
    rc = ctx->read_only ? libro_registry_open_read_only(reg, ctx->db_path, err)
                        : libro_registry_open(reg, ctx->db_path, err);
    if (rc == LIBRO_OK) {
        libro_http__observe(ctx, *reg); /* its writes reach memory without a reload */
    }
    return rc;
}

void
libro_http__release_registry(libro_http_ctx *ctx, libro_registry *reg,
                             const libro_http__response *resp)
{
    if (resp->storage.code == LIBRO_ERR_UNAVAILABLE) {
        /* Closed under the lock (closing a dead connection sends nothing): no request takes
         * one of them meanwhile. */
        (void) pthread_mutex_lock(&ctx->pool_lock);
        while (ctx->n_idle > 0) {
            libro_registry_close(ctx->idle[--ctx->n_idle]);
        }
        (void) pthread_mutex_unlock(&ctx->pool_lock);
        libro_registry_close(reg);
        return;
    }
    if (reg == NULL) {
        return;
    }
    /* A poisoned handle refuses every write until opened anew: the next request opens one
     * (ctx->poisoned still stops every write until a restart). */
    if (!libro_registry_poisoned(reg)) {
        (void) pthread_mutex_lock(&ctx->pool_lock);
        if (ctx->n_idle < ctx->max_idle) {
            ctx->idle[ctx->n_idle++] = reg;
            reg = NULL; /* kept */
        }
        (void) pthread_mutex_unlock(&ctx->pool_lock);
    }
    libro_registry_close(reg);
}

/* GET /v1/health: 200 when a registry handle answers a read of the log's size (the cheapest
 * read every registry has: the last leaf's index), 503 when the database does not (gone,
 * damaged, a PostgreSQL server down), so that a load balancer or systemd's watchdog stops
 * sending requests to this process. The cause goes to the operator's log, never to the
 * client: a public answer says "unavailable" and nothing of the database. */
void
libro_http__health(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_buf line = LIBRO_BUF_INIT;
    uint64_t size = 0;
    libro_code rc = libro_http__open_registry(ctx, reg, &err);
    json_t *root;

    if (rc == LIBRO_OK) {
        rc = (*reg)->store.ops->log_size((*reg)->store.h, &size, &err);
    }
    root = json_pack("{s:s, s:s, s:s}", "status", rc == LIBRO_OK ? "ok" : "unavailable", "version",
                     libro_version(), "database", rc == LIBRO_OK ? "ok" : "unavailable");
    libro_buf_clear(&resp->body);
    if (root == NULL || libro_json__dump(&resp->body, root, &ignored) != LIBRO_OK) {
        libro_http__internal_error(resp, &ignored);
        goto out;
    }
    resp->status = rc == LIBRO_OK ? 200 : 503;
    resp->content_type = type_json;
    resp->cache_control = no_store;
    if (rc != LIBRO_OK) {
        resp->retry_after = 1;
        resp->storage = err; /* a lost connection closes the idle handles too */
        if (ctx->log != NULL &&
            libro_buf_printf(&line, &ignored, "health: database: %s", err.msg) == LIBRO_OK) {
            ctx->log(ctx->log_ctx, (const char *) line.data);
        }
    }
out:
    libro_buf_free(&line);
    json_decref(root);
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
void
libro_http__type(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
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
        root = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", "id", t.id, "validityDays",
                         (json_int_t) t.validity_days, "renewalWindowDays",
                         (json_int_t) t.renewal_window_days, "graceDays", (json_int_t) t.grace_days,
                         "requirements", text.data == NULL ? "" : (const char *) text.data,
                         "renewalFrom", libro_renewal_from_name(t.renewal_from));
    }
    libro_buf_clear(&resp->body);
    if (rc != LIBRO_OK || root == NULL || libro_json__dump(&resp->body, root, &err) != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    libro_http__finish_cacheable(resp, req, type_json, type_cache);
out:
    json_decref(root);
    libro_buf_free(&text);
    libro_license_type_clear(&t);
}

void
libro_http__license(libro_http__response *resp, libro_http_ctx *ctx, libro_registry **reg,
                    const libro_http__request *req, const char *number)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_record r = {0};
    json_t *root = NULL;
    libro_code rc;

    /* A browser gets the public page (public.c). */
    if (libro_http__prefers_html(req->accept)) {
        libro_http__license_page(resp, ctx, reg, req, number);
        resp->vary_accept = true;
        return;
    }
    rc = libro_http__open_registry(ctx, reg, &err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_get(*reg, &r, NULL, NULL, number, &err);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_http__error(resp, 404, "not_found", "no such license");
        goto out;
    }
    libro_buf_clear(&resp->body);
    root = rc == LIBRO_OK ? libro_http__record_json(&r) : NULL;
    if (rc == LIBRO_OK) {
        rc = root == NULL ? libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory")
                          : libro_json__dump(&resp->body, root, &err);
    }
    if (rc != LIBRO_OK) {
        libro_http__internal_error(resp, &err);
        goto out;
    }
    resp->vary_accept = true;
    libro_http__finish_cacheable(resp, req, type_json, license_cache);
out:
    json_decref(root);
    libro_license_record_clear(&r);
}
