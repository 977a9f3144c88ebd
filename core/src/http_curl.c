/* libro: the HTTP client adapter (libcurl). With smtp_curl.c the only files with curl/curl.h.
 *
 * Threat model: the server, anything on the path to it, and every byte it sends are hostile.
 * So: one parse of the URL (curl_url), handed to the transfer as the same CURLU object, so
 * the policy check and the connection cannot disagree about the host; only the URL's own
 * scheme is enabled; no redirect, cookie, netrc, authentication or content decoding; TLS
 * 1.2+ with peer and host verification; header and body caps enforced in the callbacks,
 * which abort the transfer the moment a cap is crossed. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"
#include "libro/dl_int.h"
#include "libro/http.h"
#include "libro/util.h"

LIBRO_DL_DEFINE_TYPED(lc, struct libro_http__curl, LIBRO_CURL_SYMBOLS, LIBRO_DL_SONAME_CURL,
                      LIBRO_DL_PACKAGE_CURL,
                      "for network access (sync, registry requests, webhooks, e-mail)");

#define LOW_SPEED_BYTES_PER_S 100L
#define LOW_SPEED_SECONDS 10L
#define MAX_TIMEOUT_MS ((unsigned) INT32_MAX)
#define MAX_RETRY_AFTER ((uint64_t) INT32_MAX)

/* libcurl's global state is initialised once per process (after libcurl is loaded) and never
 * cleaned up: cleanup is not thread-safe, and a library cannot know when its caller's last
 * transfer ended. These two statics are written only inside pthread_once. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init_once(void)
{
    curl_init_rc = lc.global_init(CURL_GLOBAL_DEFAULT);
}

static libro_code
curl_ready(libro_error *err)
{
    const curl_version_info_data *info;
    libro_code rc = libro_dl__load(&lc_lib, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (pthread_once(&curl_once, curl_init_once) != 0 || curl_init_rc != CURLE_OK) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "libcurl cannot be initialised");
    }
    info = lc.version_info(CURLVERSION_NOW);
    /* CURLOPT_PROTOCOLS_STR came in 7.85.0 (an older runtime refuses the option): say so
     * plainly, whatever libcurl the program happens to load. */
    if (info == NULL || info->version_num < 0x075500) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "libcurl %.32s is older than 7.85.0",
                               info != NULL && info->version != NULL ? info->version : "?");
    }
    return LIBRO_OK;
}

libro_code
libro_http__curl(const struct libro_http__curl **fns, libro_error *err)
{
    libro_code rc = curl_ready(err);

    *fns = rc == LIBRO_OK ? &lc : NULL;
    return rc;
}

/* ---- URL policy ---- */

struct url_plan {
    CURLU *url;
    bool https;
    bool loopback;
};

bool
libro_http__is_loopback_host(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    char inner[INET6_ADDRSTRLEN + 1];
    size_t len = strlen(host);

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        if (len - 2 >= sizeof inner) {
            return false;
        }
        memcpy(inner, host + 1, len - 2);
        inner[len - 2] = '\0';
        return inet_pton(AF_INET6, inner, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
    }
    /* inet_pton accepts only the dotted quad; curl_url has already rewritten other IPv4
     * spellings (127.1, 0x7f.0.0.1) to it, so this is the address curl will connect to. */
    return inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

/* True when `part` is present in `u` (a user, a password, a zone id). */
static bool
has_part(CURLU *u, CURLUPart part)
{
    char *value = NULL;
    CURLUcode uc = lc.url_get(u, part, &value, 0);
    bool present = uc == CURLUE_OK && value != NULL;

    lc.free(value);
    return present;
}

/* Checks that need no parser: length, bytes, scheme, userinfo, fragment. Sets *https. */
static libro_code
check_url_text(bool *https, const char *url, libro_error *err)
{
    size_t len;
    size_t i;
    size_t scheme_len;
    size_t authority_len;
    const char *authority;

    if (url == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url is NULL");
    }
    len = strnlen(url, LIBRO_HTTP_MAX_URL_BYTES + 1);
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url is empty");
    }
    if (len > LIBRO_HTTP_MAX_URL_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "url is longer than %u bytes",
                               LIBRO_HTTP_MAX_URL_BYTES);
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char) url[i];

        if (c <= 0x20 || c >= 0x7f) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "url has a space, control or non-ASCII byte at offset %zu", i);
        }
        /* WHATWG parsers read '\' as '/' in http(s) URLs, libcurl does not: refuse the
         * ambiguity rather than pick a side. */
        if (c == '\\') {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url has a backslash at offset %zu",
                                   i);
        }
    }
    scheme_len = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    if (scheme_len == 0 || url[scheme_len] != ':') {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url has no scheme");
    }
    if (scheme_len == 5 && strncmp(url, "https", 5) == 0) {
        *https = true;
    } else if (scheme_len == 4 && strncmp(url, "http", 4) == 0) {
        *https = false;
    } else if ((scheme_len == 5 && strncasecmp(url, "https", 5) == 0) ||
               (scheme_len == 4 && strncasecmp(url, "http", 4) == 0)) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "url scheme must be lowercase");
    } else {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "url scheme \"%.*s\" is not allowed (https, or http to loopback)",
                               (int) (scheme_len < 16 ? scheme_len : 16), url);
    }
    if (strncmp(url + scheme_len, "://", 3) != 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url must start with %s://",
                               *https ? "https" : "http");
    }
    if (strchr(url, '#') != NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "url has a fragment");
    }
    authority = url + scheme_len + 3;
    authority_len = strcspn(authority, "/?");
    /* libcurl reads "https:///host" as https://host/ and decodes %2e in a host name; a
     * URL whose text and parse disagree about the host is refused, not interpreted. */
    if (authority_len == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "url has no host");
    }
    if (memchr(authority, '@', authority_len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "url has userinfo (user:password@)");
    }
    if (memchr(authority, '%', authority_len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "url host has percent-encoding or an IPv6 zone id");
    }
    return LIBRO_OK;
}

static libro_code
plan_url(struct url_plan *plan, const char *url, bool allow_http, libro_error *err)
{
    CURLU *u = NULL;
    CURLUcode uc;
    char *host = NULL;
    libro_code rc;

    plan->url = NULL;
    plan->https = false;
    plan->loopback = false;
    rc = check_url_text(&plan->https, url, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    u = lc.url();
    if (u == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    uc = lc.url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        rc = libro_error_set(err,
                             uc == CURLUE_OUT_OF_MEMORY ? LIBRO_ERR_NOMEM : LIBRO_ERR_INVALID_ARG,
                             "url: %.64s", lc.url_strerror(uc));
        goto out;
    }
    /* The text checks above already refuse these; ask the parser too, in case it reads
     * the authority differently. */
    if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
        has_part(u, CURLUPART_OPTIONS)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "url has userinfo (user:password@)");
        goto out;
    }
    if (has_part(u, CURLUPART_FRAGMENT)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "url has a fragment");
        goto out;
    }
    if (has_part(u, CURLUPART_ZONEID)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "url has an IPv6 zone id");
        goto out;
    }
    uc = lc.url_get(u, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK || host == NULL || host[0] == '\0') {
        rc = libro_error_set(err,
                             uc == CURLUE_OUT_OF_MEMORY ? LIBRO_ERR_NOMEM : LIBRO_ERR_INVALID_ARG,
                             "url has no host");
        goto out;
    }
    plan->loopback = libro_http__is_loopback_host(host);
    if (!plan->https && !plan->loopback && !allow_http) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "plain http is allowed only to 127.0.0.0/8 or [::1], not %.64s", host);
        goto out;
    }
    plan->url = u;
    u = NULL; /* moved to the plan */
out:
    lc.free(host);
    lc.url_cleanup(u);
    return rc;
}

libro_code
libro_http_url_check(const char *url, libro_error *err)
{
    struct url_plan plan = {NULL, false, false};
    libro_code rc = curl_ready(err);

    if (rc == LIBRO_OK) {
        rc = plan_url(&plan, url, false, err);
        lc.url_cleanup(plan.url);
    }
    return rc;
}

/* ---- response handling ---- */

enum field_state { FIELD_ABSENT, FIELD_SET, FIELD_BAD };

/* One response header we keep. A value that is empty, too long, not printable ASCII, sent
 * twice or folded onto a continuation line is FIELD_BAD and reads as NULL. */
struct field {
    enum field_state state;
    char value[LIBRO_HTTP_MAX_HEADER_VALUE_BYTES + 1];
};

struct transfer {
    CURL *curl;
    libro_error *err;
    libro_code rc; /* why a callback aborted the transfer (LIBRO_OK: it did not) */
    bool no_body;  /* HEAD: Content-Length describes a body that will not come */
    bool headers_done;
    size_t max_body;
    size_t header_bytes;
    libro_buf *body;
    struct field etag;
    struct field content_type;
    struct field retry_after;
    struct field *last; /* the field the previous header line set, for obs-fold */
};

static void
field_set(struct field *f, const char *p, size_t len)
{
    size_t i;

    while (len > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }
    if (f->state != FIELD_ABSENT || len == 0 || len > LIBRO_HTTP_MAX_HEADER_VALUE_BYTES) {
        f->state = FIELD_BAD;
        return;
    }
    for (i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e) {
            f->state = FIELD_BAD;
            return;
        }
    }
    memcpy(f->value, p, len);
    f->value[len] = '\0';
    f->state = FIELD_SET;
}

static bool
header_is(const char *line, size_t name_len, const char *name)
{
    return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

static void
new_response(struct transfer *t)
{
    t->etag.state = FIELD_ABSENT;
    t->content_type.state = FIELD_ABSENT;
    t->retry_after.state = FIELD_ABSENT;
    t->last = NULL;
}

/* The blank line after a response's headers: refuse a declared body over the cap before any
 * of it is read. Nothing is allocated on the strength of a declared length: the buffer grows
 * only with bytes that actually arrive. */
static bool
end_of_headers(struct transfer *t)
{
    long status = 0;
    curl_off_t declared = -1;

    if (lc.easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
        status = 0;
    }
    if (status < 200) {
        return true; /* an interim 1xx: the real response follows */
    }
    t->headers_done = true;
    if (t->no_body || status == 204 || status == 304) {
        return true;
    }
    if (lc.easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared) != CURLE_OK ||
        declared < 0) {
        return true; /* unknown (chunked, or until close): the write callback counts */
    }
    if ((uint64_t) declared > (uint64_t) t->max_body) {
        t->rc = libro_error_set(t->err, LIBRO_ERR_LIMIT,
                                "response body of %lld bytes is over the cap of %zu bytes",
                                (long long) declared, t->max_body);
        return false;
    }
    return true;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
    struct transfer *t = arg;
    size_t len = size * n; /* size is always 1 */
    size_t end = len;
    const char *colon;

    if (len > LIBRO_HTTP_MAX_RESPONSE_HEADER_BYTES - t->header_bytes) {
        t->rc = libro_error_set(t->err, LIBRO_ERR_LIMIT, "response headers are over %u bytes",
                                LIBRO_HTTP_MAX_RESPONSE_HEADER_BYTES);
        return 0;
    }
    t->header_bytes += len;
    if (t->headers_done) {
        return len; /* trailers: counted against the cap, never trusted */
    }
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        new_response(t);
        return len;
    }
    while (end > 0 && (p[end - 1] == '\n' || p[end - 1] == '\r')) {
        end--;
    }
    if (end == 0) {
        return end_of_headers(t) ? len : 0;
    }
    if (p[0] == ' ' || p[0] == '\t') {
        if (t->last != NULL) {
            t->last->state = FIELD_BAD; /* obs-fold: the value is ambiguous */
        }
        return len;
    }
    t->last = NULL;
    colon = memchr(p, ':', end);
    if (colon == NULL) {
        return len;
    }
    if (header_is(p, (size_t) (colon - p), "etag")) {
        t->last = &t->etag;
    } else if (header_is(p, (size_t) (colon - p), "content-type")) {
        t->last = &t->content_type;
    } else if (header_is(p, (size_t) (colon - p), "retry-after")) {
        t->last = &t->retry_after;
    }
    if (t->last != NULL) {
        field_set(t->last, colon + 1, end - (size_t) (colon + 1 - p));
    }
    return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
    struct transfer *t = arg;
    size_t len = size * n; /* size is always 1 */

    if (len > t->max_body - t->body->len) {
        t->rc = libro_error_set(t->err, LIBRO_ERR_LIMIT,
                                "response body is over the cap of %zu bytes", t->max_body);
        return 0;
    }
    t->rc = libro_buf_append(t->body, p, len, t->err);
    return t->rc == LIBRO_OK ? len : 0;
}

static libro_code
field_dup(char **out, const struct field *f, libro_error *err)
{
    *out = NULL;
    if (f->state != FIELD_SET) {
        return LIBRO_OK;
    }
    *out = libro_strndup(f->value, strlen(f->value));
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return LIBRO_OK;
}

/* delta-seconds (RFC 9110 §10.2.3) = 1*DIGIT; an HTTP-date or anything else is -1. Leading
 * zeros are allowed by the grammar; values past INT32_MAX are clamped to it. */
static long
retry_after_seconds(const struct field *f)
{
    const char *p = f->value;
    size_t len;
    uint64_t v = 0;
    libro_code rc;

    if (f->state != FIELD_SET) {
        return -1;
    }
    len = strlen(p);
    if (strspn(p, "0123456789") != len) {
        return -1;
    }
    while (len > 1 && p[0] == '0') {
        p++;
        len--;
    }
    rc = libro_parse_u64(&v, p, len, MAX_RETRY_AFTER, NULL);
    if (rc == LIBRO_ERR_LIMIT) {
        return (long) MAX_RETRY_AFTER;
    }
    return rc == LIBRO_OK ? (long) v : -1;
}

/* ---- the request ---- */

/* An outgoing header value: printable ASCII (no CR/LF header injection), bounded. */
static libro_code
check_header_value(const char *what, const char *v, libro_error *err)
{
    size_t len;
    size_t i;

    len = strnlen(v, LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES + 1);
    if (len == 0 || len > LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s must be 1 to %u bytes", what,
                               LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES);
    }
    for (i = 0; i < len; i++) {
        if (v[i] < 0x20 || v[i] > 0x7e) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "%s has a byte outside printable ASCII", what);
        }
    }
    return LIBRO_OK;
}

/* The fields of version 2, absent from a version 1 request. */
static const char *const *
extra_headers(const libro_http_request *req)
{
    return req->version >= 2u ? req->headers : NULL;
}

static bool
allows_http(const libro_http_request *req)
{
    return req->version >= 2u && req->allow_http;
}

/* "Name: value": a token name (RFC 9110 §5.6.2, letters, digits and '-' here) and a value as
 * check_header_value wants it. */
static libro_code
check_extra_header(const char *line, libro_error *err)
{
    size_t name_len =
        strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

    if (name_len == 0 || name_len > 64 || line[name_len] != ':' || line[name_len + 1] != ' ') {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a request header must be \"Name: value\"");
    }
    return check_header_value("request header", line + name_len + 2, err);
}

static libro_code
check_request(bool *post, bool *head, const libro_http_request *req, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    if (req->version != LIBRO_HTTP_REQUEST_VERSION && req->version != 1u) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "http request version %u is not %u",
                               req->version, LIBRO_HTTP_REQUEST_VERSION);
    }
    if (req->method == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "http method is NULL");
    }
    *post = strcmp(req->method, "POST") == 0;
    *head = strcmp(req->method, "HEAD") == 0;
    if (!*post && !*head && strcmp(req->method, "GET") != 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "http method must be GET, HEAD or POST, not %.16s", req->method);
    }
    if (req->max_response_bytes == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "max_response_bytes is 0");
    }
    if (req->connect_timeout_ms > MAX_TIMEOUT_MS || req->total_timeout_ms > MAX_TIMEOUT_MS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "http timeout is over %u ms",
                               MAX_TIMEOUT_MS);
    }
    if (*post) {
        if (req->content_type == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "POST needs a content_type");
        }
        if (req->body == NULL && req->body_len != 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "body is NULL");
        }
        if ((uint64_t) req->body_len > (uint64_t) INT64_MAX) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "body is too large");
        }
    } else if (req->content_type != NULL || req->body != NULL || req->body_len != 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s takes no body", req->method);
    }
    if (req->accept != NULL) {
        rc = check_header_value("accept", req->accept, err);
    }
    if (rc == LIBRO_OK && req->content_type != NULL) {
        rc = check_header_value("content_type", req->content_type, err);
    }
    if (rc == LIBRO_OK && req->if_none_match != NULL) {
        rc = check_header_value("if_none_match", req->if_none_match, err);
    }
    for (size_t i = 0;
         rc == LIBRO_OK && extra_headers(req) != NULL && extra_headers(req)[i] != NULL; i++) {
        rc = check_extra_header(extra_headers(req)[i], err);
    }
    return rc;
}

static libro_code
add_header(struct curl_slist **list, const char *name, const char *value, libro_error *err)
{
    char line[LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES + 32];
    struct curl_slist *grown;
    int n = snprintf(line, sizeof line, "%s: %s", name, value);

    if (n < 0 || (size_t) n >= sizeof line) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s header is too long", name);
    }
    grown = lc.slist_append(*list, line);
    if (grown == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    *list = grown;
    return LIBRO_OK;
}

static libro_code
build_headers(struct curl_slist **out, const libro_http_request *req, libro_error *err)
{
    struct curl_slist *list = NULL;
    struct curl_slist *grown;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    if (req->accept != NULL) {
        rc = add_header(&list, "Accept", req->accept, err);
    }
    if (rc == LIBRO_OK && req->content_type != NULL) {
        rc = add_header(&list, "Content-Type", req->content_type, err);
    }
    if (rc == LIBRO_OK && req->if_none_match != NULL) {
        rc = add_header(&list, "If-None-Match", req->if_none_match, err);
    }
    for (size_t i = 0;
         rc == LIBRO_OK && extra_headers(req) != NULL && extra_headers(req)[i] != NULL; i++) {
        grown = lc.slist_append(list, extra_headers(req)[i]);
        if (grown == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        } else {
            list = grown;
        }
    }
    if (rc == LIBRO_OK) {
        /* No "Expect: 100-continue" for large POSTs: one round trip, one response. */
        grown = lc.slist_append(list, "Expect:");
        if (grown == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        } else {
            list = grown;
        }
    }
    if (rc != LIBRO_OK) {
        lc.slist_free_all(list);
        return rc;
    }
    *out = list;
    return LIBRO_OK;
}

/* Options every transfer gets. Any failure means this libcurl lacks something we rely on
 * (a protocol allow-list, TLS 1.2), so the request is refused, not sent weaker. */
static CURLcode
configure(CURL *h, const struct url_plan *plan, const libro_http_request *req, struct transfer *t,
          struct curl_slist *headers, char *errbuf, const char *user_agent)
{
    const char *scheme = plan->https ? "https" : "http";
    long connect_ms = req->connect_timeout_ms != 0 ? (long) req->connect_timeout_ms
                                                   : (long) LIBRO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
    long total_ms = req->total_timeout_ms != 0 ? (long) req->total_timeout_ms
                                               : (long) LIBRO_HTTP_DEFAULT_TOTAL_TIMEOUT_MS;
    const CURLcode set[] = {
        lc.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf),
        lc.easy_setopt(h, CURLOPT_CURLU, plan->url),
        lc.easy_setopt(h, CURLOPT_PROTOCOLS_STR, scheme),
        lc.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, scheme),
        lc.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L),
        lc.easy_setopt(h, CURLOPT_MAXREDIRS, 0L),
        lc.easy_setopt(h, CURLOPT_NOSIGNAL, 1L),
        lc.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms),
        lc.easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms),
        lc.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES_PER_S),
        lc.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_SECONDS),
        lc.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L),
        lc.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L),
        lc.easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2),
        lc.easy_setopt(h, CURLOPT_NETRC, (long) CURL_NETRC_IGNORED),
        lc.easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L),
        lc.easy_setopt(h, CURLOPT_TRANSFER_ENCODING, 0L),
        lc.easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L),
        lc.easy_setopt(h, CURLOPT_FORBID_REUSE, 1L),
        lc.easy_setopt(h, CURLOPT_USERAGENT, user_agent),
        lc.easy_setopt(h, CURLOPT_HTTPHEADER, headers),
        lc.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header),
        lc.easy_setopt(h, CURLOPT_HEADERDATA, t),
        lc.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body),
        lc.easy_setopt(h, CURLOPT_WRITEDATA, t),
    };
    size_t i;
    CURLcode cc = CURLE_OK;

    for (i = 0; i < LIBRO_NELEM(set); i++) {
        if (set[i] != CURLE_OK) {
            return set[i];
        }
    }
    if (req->ca_file != NULL) {
        /* Exactly these CAs: without clearing CAPATH, Debian's /etc/ssl/certs would still
         * be trusted alongside them. */
        cc = lc.easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
        if (cc == CURLE_OK) {
            cc = lc.easy_setopt(h, CURLOPT_CAPATH, NULL);
        }
    }
    if (cc == CURLE_OK && plan->loopback) {
        cc = lc.easy_setopt(h, CURLOPT_NOPROXY, "*");
    }
    if (cc == CURLE_OK && strcmp(req->method, "HEAD") == 0) {
        cc = lc.easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (cc == CURLE_OK && strcmp(req->method, "POST") == 0) {
        cc = lc.easy_setopt(h, CURLOPT_POST, 1L);
        if (cc == CURLE_OK) {
            cc = lc.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
        }
        if (cc == CURLE_OK) {
            /* POSTFIELDS is not copied; req->body outlives the transfer. */
            cc = lc.easy_setopt(h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        }
    } else if (cc == CURLE_OK) {
        cc = lc.easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    return cc;
}

/* curl's error text quotes the server in places (certificate names): keep it printable. */
void
libro_http__scrub(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e) {
            *s = '?';
        }
    }
}

/* The scheme was settled before the transfer, so every failure of curl_easy_perform is the
 * network's or the server's: CURLE_UNSUPPORTED_PROTOCOL there means an HTTP/0.9 or otherwise
 * malformed reply, not our policy. */
static libro_code
transfer_error(CURLcode cc, bool in_headers, char *errbuf, libro_error *err)
{
    const char *why;
    libro_code code;

    errbuf[CURL_ERROR_SIZE - 1] = '\0';
    libro_http__scrub(errbuf);
    why = errbuf[0] != '\0' ? errbuf : lc.easy_strerror(cc);
    switch (cc) {
    case CURLE_OUT_OF_MEMORY:
        /* libcurl reports a header line over its own 100 KiB limit as out of memory; it
         * never reaches on_header, so our cap cannot speak first. */
        if (in_headers) {
            return libro_error_set(err, LIBRO_ERR_LIMIT,
                                   "response headers are over %u bytes (one line over "
                                   "libcurl's limit, or out of memory)",
                                   LIBRO_HTTP_MAX_RESPONSE_HEADER_BYTES);
        }
        code = LIBRO_ERR_NOMEM;
        break;
    case CURLE_URL_MALFORMAT:
        code = LIBRO_ERR_INVALID_ARG;
        break;
    case CURLE_SSL_CACERT_BADFILE:
        return libro_error_set(err, LIBRO_ERR_IO, "ca_file cannot be read: %.160s", why);
    case CURLE_OPERATION_TIMEDOUT:
        return libro_error_set(err, LIBRO_ERR_NETWORK, "http timed out: %.160s", why);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return libro_error_set(err, LIBRO_ERR_NETWORK, "tls: %.160s", why);
    default:
        code = LIBRO_ERR_NETWORK;
        break;
    }
    return libro_error_set(err, code, "http: %.160s", why);
}

void
libro_http_response_clear(libro_http_response *r)
{
    if (r == NULL) {
        return;
    }
    libro_buf_free(&r->body);
    libro_free(r->etag);
    libro_free(r->content_type);
    r->status = 0;
    r->etag = NULL;
    r->content_type = NULL;
    r->retry_after = -1;
}

libro_code
libro_http_fetch(libro_http_response *out, const libro_http_request *req, libro_error *err)
{
    struct url_plan plan = {NULL, false, false};
    struct transfer t;
    struct curl_slist *headers = NULL;
    CURL *h = NULL;
    char errbuf[CURL_ERROR_SIZE];
    char user_agent[64];
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    bool post = false;
    bool head = false;
    CURLcode cc;
    libro_code rc;
    int n;

    memset(&t, 0, sizeof t);
    errbuf[0] = '\0';
    if (out == NULL || req == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "http: out or req is NULL");
        goto out;
    }
    *out = resp;
    rc = check_request(&post, &head, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = curl_ready(err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = plan_url(&plan, req->url, allows_http(req), err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (plan.https && (lc.version_info(CURLVERSION_NOW)->features & CURL_VERSION_SSL) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "this libcurl has no TLS support");
        goto out;
    }
    rc = build_headers(&headers, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The body is never NULL after LIBRO_OK, even when empty (HEAD, 304). */
    rc = libro_buf_reserve(&resp.body, 0, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    n = snprintf(user_agent, sizeof user_agent, "libro/%s", libro_version());
    if (n < 0 || (size_t) n >= sizeof user_agent) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "libro version is too long");
        goto out;
    }
    h = lc.easy_init();
    if (h == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "libcurl handle: out of memory");
        goto out;
    }
    t.curl = h;
    t.err = err;
    t.rc = LIBRO_OK;
    t.no_body = head;
    t.max_body = req->max_response_bytes;
    t.body = &resp.body;
    new_response(&t);
    cc = configure(h, &plan, req, &t, headers, errbuf, user_agent);
    if (cc != CURLE_OK) {
        rc = libro_error_set(err,
                             cc == CURLE_OUT_OF_MEMORY ? LIBRO_ERR_NOMEM : LIBRO_ERR_UNSUPPORTED,
                             "libcurl option refused: %.64s", lc.easy_strerror(cc));
        goto out;
    }
    cc = lc.easy_perform(h);
    if (t.rc != LIBRO_OK) {
        rc = t.rc; /* a callback aborted the transfer; err already says why */
        goto out;
    }
    if (cc != CURLE_OK) {
        rc = transfer_error(cc, !t.headers_done, errbuf, err);
        goto out;
    }
    if (lc.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status) != CURLE_OK || resp.status < 100 ||
        resp.status > 999) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "http: no status code in the response");
        goto out;
    }
    rc = field_dup(&resp.etag, &t.etag, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = field_dup(&resp.content_type, &t.content_type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    resp.retry_after = retry_after_seconds(&t.retry_after);
    *out = resp;
    resp = (libro_http_response) LIBRO_HTTP_RESPONSE_INIT; /* moved to caller */
out:
    libro_http_response_clear(&resp);
    /* Each is made only once libcurl is loaded; before that the table is empty. */
    if (h != NULL) {
        lc.easy_cleanup(h);
    }
    if (headers != NULL) {
        lc.slist_free_all(headers);
    }
    if (plan.url != NULL) {
        lc.url_cleanup(plan.url);
    }
    return rc;
}
