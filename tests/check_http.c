/* libro_http_fetch (core/src/http_curl.c) against a libmicrohttpd server started inside the
 * test on 127.0.0.1:<ephemeral> (and [::1], and over TLS with a certificate made here), plus
 * the URL policy and the request checks, which need no network. The server runs a thread
 * per connection, so /slow holds only its own request. Fixtures are checked (run in the
 * test's own process): the server's threads do not survive check's fork. */
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libro/http.h"
#include "libro/util.h"
#include "test_util.h"

#define CAP 1024u               /* max_response_bytes of most requests */
#define BIG_LEN (CAP + 1u)      /* /big: one byte over the cap, with Content-Length */
#define CHUNKED_BIG (64u * CAP) /* /chunked-big: no Content-Length, far over the cap */
#define HUGE_HEADER (20u * 1024u)
#define SLOW_STEP_MS 50
#define SLOW_MAX_STEPS 100 /* /slow gives up after 5 s even if nobody stops it */

static struct MHD_Daemon *server;
static uint16_t port;
static atomic_bool stopping;
static char big_body[HUGE_HEADER + 1]; /* 'x' bytes: /big's body and /headers-huge's value */

/* ---- the server ---- */

struct post_state {
    libro_buf body;
};

struct stream {
    size_t left;   /* bytes still to send (/chunked) */
    unsigned slow; /* steps taken (/slow) */
};

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static ssize_t
read_chunked(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    size_t n = s->left < max ? s->left : max;

    (void) pos;
    if (n == 0) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    memset(buf, 'c', n);
    s->left -= n;
    return (ssize_t) n;
}

static ssize_t
read_slow(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;

    (void) pos;
    (void) max;
    if (atomic_load(&stopping) || s->slow++ >= SLOW_MAX_STEPS) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    sleep_ms(SLOW_STEP_MS);
    buf[0] = 's';
    return 1;
}

static void
free_stream(void *cls)
{
    libro_free(cls);
}

static struct MHD_Response *
stream_response(MHD_ContentReaderCallback read, size_t left)
{
    struct stream *s = libro_calloc(1, sizeof *s);

    ck_assert_ptr_nonnull(s);
    s->left = left;
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read, s, free_stream);
}

static struct MHD_Response *
text(const char *body)
{
    return MHD_create_response_from_buffer(strlen(body), (void *) (uintptr_t) body,
                                           MHD_RESPMEM_MUST_COPY);
}

static const char *
header_in(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

    return v != NULL ? v : "";
}

static struct MHD_Response *
route(struct MHD_Connection *c, const char *url, const struct post_state *post, unsigned *status)
{
    struct MHD_Response *r = NULL;
    char line[512];
    int i;

    *status = MHD_HTTP_OK;
    if (strcmp(url, "/ok") == 0) {
        r = text("hello");
        MHD_add_response_header(r, "ETag", "\"abc\"");
        MHD_add_response_header(r, "Content-Type", "text/plain");
    } else if (strcmp(url, "/etag") == 0) {
        if (strcmp(header_in(c, "If-None-Match"), "\"abc\"") == 0) {
            *status = MHD_HTTP_NOT_MODIFIED;
            r = text("");
        } else {
            r = text("fresh");
        }
        MHD_add_response_header(r, "ETag", "\"abc\"");
    } else if (strcmp(url, "/big") == 0) {
        r = MHD_create_response_from_buffer(BIG_LEN, big_body, MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/chunked") == 0) {
        r = stream_response(read_chunked, CAP);
    } else if (strcmp(url, "/chunked-big") == 0) {
        r = stream_response(read_chunked, CHUNKED_BIG);
    } else if (strcmp(url, "/slow") == 0) {
        r = stream_response(read_slow, 0);
    } else if (strcmp(url, "/redirect") == 0) {
        *status = MHD_HTTP_FOUND;
        r = text("moved");
        MHD_add_response_header(r, "Location", "/ok");
    } else if (strcmp(url, "/post") == 0) {
        if (post == NULL || strcmp(header_in(c, "Content-Type"), "application/json") != 0) {
            *status = MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
            r = text("want a JSON POST");
        } else {
            r = MHD_create_response_from_buffer(post->body.len, post->body.data,
                                                MHD_RESPMEM_MUST_COPY);
            MHD_add_response_header(r, "Content-Type", "application/json");
        }
    } else if (strcmp(url, "/headers-huge") == 0) {
        r = text("huge");
        MHD_add_response_header(r, "X-Big", big_body);
    } else if (strcmp(url, "/headers-many") == 0) {
        r = text("many");
        memset(line, 'h', 500);
        line[500] = '\0';
        for (i = 0; i < 40; i++) {
            char name[32]; /* "X-Pad-" and any int */

            snprintf(name, sizeof name, "X-Pad-%d", i);
            MHD_add_response_header(r, name, line);
        }
    } else if (strcmp(url, "/retry") == 0) {
        *status = MHD_HTTP_TOO_MANY_REQUESTS;
        r = text("later");
        MHD_add_response_header(r, "Retry-After", "7");
    } else if (strcmp(url, "/retry-date") == 0) {
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        r = text("later");
        MHD_add_response_header(r, "Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT");
    } else if (strcmp(url, "/odd-headers") == 0) {
        r = text("odd");
        memset(line, 'e', 300);
        line[300] = '\0';
        MHD_add_response_header(r, "ETag", line); /* over 256 bytes */
        MHD_add_response_header(r, "Content-Type", "text/plain");
        MHD_add_response_header(r, "Content-Type", "text/html"); /* sent twice */
        MHD_add_response_header(r, "Retry-After", "0012");
    } else if (strcmp(url, "/echo") == 0) {
        snprintf(line, sizeof line, "ua=%s accept=%s expect=%s", header_in(c, "User-Agent"),
                 header_in(c, "Accept"), header_in(c, "Expect"));
        r = text(line);
    } else if (strcmp(url, "/echo-extra") == 0) {
        snprintf(line, sizeof line, "id=%s ts=%s", header_in(c, "webhook-id"),
                 header_in(c, "webhook-timestamp"));
        r = text(line);
    } else if (strcmp(url, "/empty") == 0) {
        *status = MHD_HTTP_NO_CONTENT;
        r = text("");
    } else {
        *status = MHD_HTTP_NOT_FOUND;
        r = text("no such route");
    }
    return r;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    struct post_state *post = *req_cls;
    struct MHD_Response *r;
    unsigned status;
    enum MHD_Result ok;

    (void) cls;
    (void) version;
    if (strcmp(method, "POST") == 0) {
        if (post == NULL) {
            post = libro_calloc(1, sizeof *post);
            ck_assert_ptr_nonnull(post);
            *req_cls = post;
            return MHD_YES;
        }
        if (*upload_size != 0) {
            ck_assert_int_eq(libro_buf_append(&post->body, upload, *upload_size, NULL), LIBRO_OK);
            *upload_size = 0;
            return MHD_YES;
        }
    }
    r = route(c, url, post, &status);
    ck_assert_ptr_nonnull(r);
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static void
completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    struct post_state *post = *req_cls;

    (void) cls;
    (void) c;
    (void) toe;
    if (post != NULL) {
        libro_buf_free(&post->body);
        libro_free(post);
        *req_cls = NULL;
    }
}

/* Start a daemon on `addr` (127.0.0.1 or ::1), over TLS when key_pem is not NULL. NULL when
 * the address family or TLS is not available here. */
static struct MHD_Daemon *
start(const struct sockaddr *addr, unsigned flags, const char *key_pem, const char *cert_pem,
      uint16_t *bound)
{
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;

    flags |= MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (key_pem != NULL) {
        d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                             addr, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 5,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256u * 1024u),
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_HTTPS_MEM_KEY,
                             key_pem, MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, addr,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 5,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256u * 1024u),
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    }
    if (d == NULL) {
        return NULL;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    ck_assert_ptr_nonnull(info);
    *bound = info->port;
    ck_assert_uint_ne(*bound, 0);
    return d;
}

static struct sockaddr_in
loopback4(void)
{
    struct sockaddr_in sa;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

static void
server_up(void)
{
    struct sockaddr_in sa = loopback4();

    memset(big_body, 'x', sizeof big_body - 1);
    atomic_store(&stopping, false);
    server = start((const struct sockaddr *) &sa, 0, NULL, NULL, &port);
    ck_assert_ptr_nonnull(server);
}

static void
server_down(void)
{
    atomic_store(&stopping, true);
    if (server != NULL) {
        MHD_stop_daemon(server);
        server = NULL;
    }
}

/* ---- client helpers ---- */

static char url_buf[128];

static const char *
at(const char *path)
{
    int n = snprintf(url_buf, sizeof url_buf, "http://127.0.0.1:%u%s", (unsigned) port, path);

    ck_assert(n > 0 && (size_t) n < sizeof url_buf);
    return url_buf;
}

static libro_http_request
get(const char *url)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;

    req.url = url;
    req.max_response_bytes = CAP;
    req.connect_timeout_ms = 2000;
    req.total_timeout_ms = 5000;
    return req;
}

static void
assert_empty(const libro_http_response *r)
{
    ck_assert_int_eq(r->status, 0);
    ck_assert_ptr_null(r->body.data);
    ck_assert_ptr_null(r->etag);
    ck_assert_ptr_null(r->content_type);
    ck_assert_int_eq(r->retry_after, -1);
}

/* ---- against the server ---- */

START_TEST(test_ok)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/ok"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body.len, 5);
    ck_assert_str_eq((const char *) r.body.data, "hello");
    ck_assert_str_eq(r.etag, "\"abc\"");
    ck_assert_str_eq(r.content_type, "text/plain");
    ck_assert_int_eq(r.retry_after, -1);
    libro_http_response_clear(&r);
    assert_empty(&r);
    libro_http_response_clear(&r); /* twice is fine */
    libro_http_response_clear(NULL);
}
END_TEST

START_TEST(test_request_headers)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/echo"));
    char want[128];

    req.accept = "application/vc+jwt";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    snprintf(want, sizeof want, "ua=libro/%s accept=application/vc+jwt expect=", libro_version());
    ck_assert_str_eq((const char *) r.body.data, want);
    libro_http_response_clear(&r);
}
END_TEST

/* Version 2's extra headers (webhooks): sent as given, each line checked first; a version 1
 * request has no such field, so none is read. */
START_TEST(test_extra_headers)
{
    static const char *const two[] = {"webhook-id: msg_7", "webhook-timestamp: 1900000000", NULL};
    static const char *const bad[] = {"webhook-id:msg_7",      "web hook: x", ": x",
                                      "x: a\r\nX-Injected: 1", "x: ",         "x"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/echo-extra"));
    const char *one[2] = {NULL, NULL};

    req.headers = two;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) r.body.data, "id=msg_7 ts=1900000000");
    libro_http_response_clear(&r);
    req.version = 1;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) r.body.data, "id= ts=");
    libro_http_response_clear(&r);
    req.version = LIBRO_HTTP_REQUEST_VERSION;
    for (size_t i = 0; i < LIBRO_NELEM(bad); i++) {
        one[0] = bad[i];
        req.headers = one;
        LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                          "request header");
        assert_empty(&r);
    }
}
END_TEST

/* allow_http lifts the loopback rule of plain http, and only that rule. */
START_TEST(test_allow_http)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get("http://192.0.2.1:9/");

    req.allow_http = true;
    req.connect_timeout_ms = 100;
    req.total_timeout_ms = 200;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err, NULL);
    assert_empty(&r);
    req.url = "http://u:p@192.0.2.1:9/";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_DENIED, &err, "userinfo");
    req.url = "http://192.0.2.1:9/";
    req.version = 1; /* no allow_http in version 1 */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_DENIED, &err, "plain http");
}
END_TEST

START_TEST(test_conditional_get)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/etag"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq((const char *) r.body.data, "fresh");
    libro_http_response_clear(&r);

    req.if_none_match = "\"abc\"";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body.len, 0);
    ck_assert_ptr_nonnull(r.body.data); /* never NULL after LIBRO_OK */
    ck_assert_str_eq((const char *) r.body.data, "");
    ck_assert_str_eq(r.etag, "\"abc\"");
    libro_http_response_clear(&r);

    req.if_none_match = "\"other\"";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/redirect"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq((const char *) r.body.data, "moved");
    ck_assert_ptr_null(r.etag); /* /ok's ETag: not fetched */
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_post)
{
    static const char json[] = "{\"op\":\"revoke\",\"n\":7}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/post"));

    req.method = "POST";
    req.content_type = "application/json";
    req.body = json;
    req.body_len = strlen(json);
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq((const char *) r.body.data, json);
    ck_assert_str_eq(r.content_type, "application/json");
    libro_http_response_clear(&r);

    req.content_type = "text/plain"; /* the server judges: a 4xx is still LIBRO_OK */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 415);
    libro_http_response_clear(&r);

    req.content_type = "application/json"; /* an empty body is a valid POST */
    req.body = NULL;
    req.body_len = 0;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body.len, 0);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_retry_after)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/retry"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 429);
    ck_assert_int_eq(r.retry_after, 7);
    libro_http_response_clear(&r);

    req.url = at("/retry-date"); /* an HTTP-date is not followed */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 503);
    ck_assert_int_eq(r.retry_after, -1);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_odd_headers_dropped)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/odd-headers"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(r.etag);         /* 300 bytes */
    ck_assert_ptr_null(r.content_type); /* sent twice, differently */
    ck_assert_int_eq(r.retry_after, 12);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_head_and_no_content)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/big"));

    /* HEAD: Content-Length describes a body that does not come, so it is no reason to
     * refuse. */
    req.method = "HEAD";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body.len, 0);
    libro_http_response_clear(&r);

    req.method = "GET";
    req.url = at("/empty");
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 204);
    ck_assert_uint_eq(r.body.len, 0);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_proxy_env_ignored_for_loopback)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/ok"));
    libro_code rc;

    /* A proxy that does not exist: a loopback request that used it would fail. */
    ck_assert_int_eq(setenv("http_proxy", "http://127.0.0.1:1", 1), 0);
    ck_assert_int_eq(setenv("all_proxy", "http://127.0.0.1:1", 1), 0);
    rc = libro_http_fetch(&r, &req, &err);
    unsetenv("http_proxy");
    unsetenv("all_proxy");
    LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_ipv6_loopback)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(NULL);
    struct sockaddr_in6 sa;
    struct MHD_Daemon *d;
    uint16_t port6 = 0;
    char url[64];

    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    d = start((const struct sockaddr *) &sa, MHD_USE_IPv6, NULL, NULL, &port6);
    if (d == NULL) {
        fprintf(stderr, "check_http: no IPv6 loopback here, [::1] case not run\n");
        return;
    }
    snprintf(url, sizeof url, "http://[::1]:%u/ok", (unsigned) port6);
    req.url = url;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq((const char *) r.body.data, "hello");
    libro_http_response_clear(&r);
    MHD_stop_daemon(d);
}
END_TEST

/* Every allocation of ours failing in turn (jansson's chaos test): NOMEM, nothing leaked
 * (the Asan run checks), then success. libcurl's own allocations are not ours to fail. */
START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/ok"));
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    for (n = 1; n < 100 && rc == LIBRO_ERR_NOMEM; n++) {
        libro__alloc_fail_after(n);
        rc = libro_http_fetch(&r, &req, &err);
        libro__alloc_fail_after(0);
        if (rc == LIBRO_ERR_NOMEM) {
            assert_empty(&r);
        }
    }
    LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
    ck_assert_uint_gt(n, 2); /* at least one allocation was failed */
    ck_assert_str_eq(r.etag, "\"abc\"");
    libro_http_response_clear(&r);
}
END_TEST

/* ---- limits and failures ---- */

START_TEST(test_body_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/big"));

    /* Content-Length one over the cap: refused before the body is read. */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_LIMIT, &err,
                      "response body of 1025 bytes is over the cap of 1024 bytes");
    assert_empty(&r);
    /* At the cap: accepted. */
    req.max_response_bytes = BIG_LEN;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(r.body.len, BIG_LEN);
    ck_assert_uint_eq(r.body.data[BIG_LEN], '\0');
    libro_http_response_clear(&r);
}
END_TEST

START_TEST(test_chunked_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/chunked"));

    /* No Content-Length: counted while receiving. Exactly the cap is fine... */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(r.body.len, CAP);
    libro_http_response_clear(&r);
    /* ...one byte less is not. */
    req.max_response_bytes = CAP - 1;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_LIMIT, &err,
                      "response body is over the cap of 1023 bytes");
    assert_empty(&r);
    req.url = at("/chunked-big");
    req.max_response_bytes = CAP;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_LIMIT, &err,
                      "response body is over the cap of 1024 bytes");
    assert_empty(&r);
}
END_TEST

START_TEST(test_header_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/headers-huge"));

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_LIMIT, &err,
                      "response headers are over 16384 bytes");
    assert_empty(&r);
    req.url = at("/headers-many"); /* no single line is long; together they are */
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_LIMIT, &err,
                      "response headers are over 16384 bytes");
    assert_empty(&r);
}
END_TEST

START_TEST(test_timeout)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(at("/slow"));
    struct timespec t0;
    struct timespec t1;
    double elapsed;

    req.total_timeout_ms = 300;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err,
                      "http timed out: ");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(elapsed < 2.0, "timeout took %.2f s", elapsed);
    assert_empty(&r);
}
END_TEST

START_TEST(test_connection_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get("http://127.0.0.1:1/");

    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err, "http: ");
    assert_empty(&r);
}
END_TEST

/* ---- replies libmicrohttpd will not send, from a raw socket ---- */

/* A reply is head + unit repeated `count` times + tail. */
static const struct {
    const char *name;
    const char *head;
    const char *unit;
    size_t count;
    const char *tail;
    libro_code want;
    const char *msg; /* LIBRO_OK: the expected body */
} raw[] = {
    {"HTTP/0.9", "", "", 0, "garbage\r\n\r\n", LIBRO_ERR_NETWORK, "HTTP/0.9"},
    {"status 2000", "", "", 0, "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok", LIBRO_ERR_NETWORK,
     "http: "},
    {"one 300 KiB header line", "HTTP/1.1 200 OK\r\nX-A: ", "a", 300u * 1024u,
     "\r\nContent-Length: 2\r\n\r\nok", LIBRO_ERR_LIMIT, "response headers are over 16384"},
    {"2000 interim responses", "", "HTTP/1.1 100 Continue\r\n\r\n", 2000,
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", LIBRO_ERR_LIMIT,
     "response headers are over 16384"},
    {"Content-Length twice", "", "", 0,
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5000\r\n\r\nok", LIBRO_ERR_LIMIT,
     "over the cap"},
    {"Content-Length negative", "", "", 0, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok",
     LIBRO_ERR_NETWORK, "Content-Length"},
    {"body cut short", "", "", 0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok",
     LIBRO_ERR_NETWORK, "http: "},
    {"no length, over the cap", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", "y", CAP + 1, "",
     LIBRO_ERR_LIMIT, "response body is over the cap"},
    {"folded ETag", "", "", 0,
     "HTTP/1.1 200 OK\r\nETag: \"a\"\r\n \"b\"\r\nContent-Length: 2\r\n\r\nok", LIBRO_OK, "ok"},
    {"ETag in a trailer", "", "", 0,
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: ETag\r\n\r\n"
     "2\r\nok\r\n0\r\nETag: \"t\"\r\n\r\n",
     LIBRO_OK, "ok"},
    {"ETag with a control byte", "", "", 0,
     "HTTP/1.1 200 OK\r\nETag: \"a\x01\"\r\nContent-Length: 2\r\n\r\nok", LIBRO_OK, "ok"},
    {"interim then final", "", "", 0,
     "HTTP/1.1 100 Continue\r\nETag: \"interim\"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
     "2\r\n\r\nok",
     LIBRO_OK, "ok"},
};

struct raw_server {
    int fd;
    uint16_t port;
    libro_buf reply;
    pthread_t thread;
};

static void *
raw_serve(void *arg)
{
    struct raw_server *rs = arg;
    struct pollfd pfd = {rs->fd, POLLIN, 0};
    char req[4096];
    size_t got = 0;
    size_t sent = 0;
    int c;

    if (poll(&pfd, 1, 5000) != 1) {
        return NULL;
    }
    c = accept(rs->fd, NULL, NULL);
    if (c < 0) {
        return NULL;
    }
    while (got < sizeof req - 1) {
        ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);

        if (n <= 0) {
            break;
        }
        got += (size_t) n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL) {
            break;
        }
    }
    while (sent < rs->reply.len) {
        /* MSG_NOSIGNAL: the client hangs up mid-reply on purpose in some cases. */
        ssize_t n = send(c, rs->reply.data + sent, rs->reply.len - sent, MSG_NOSIGNAL);

        if (n <= 0) {
            break;
        }
        sent += (size_t) n;
    }
    shutdown(c, SHUT_WR);
    close(c);
    return NULL;
}

START_TEST(test_raw_replies)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(NULL);
    struct raw_server rs = {-1, 0, LIBRO_BUF_INIT, 0};
    struct sockaddr_in sa = loopback4();
    socklen_t sa_len = sizeof sa;
    char url[64];
    size_t i;
    libro_code rc;

    ck_assert_int_eq(libro_buf_append_str(&rs.reply, raw[_i].head, NULL), LIBRO_OK);
    for (i = 0; i < raw[_i].count; i++) {
        ck_assert_int_eq(libro_buf_append_str(&rs.reply, raw[_i].unit, NULL), LIBRO_OK);
    }
    ck_assert_int_eq(libro_buf_append_str(&rs.reply, raw[_i].tail, NULL), LIBRO_OK);
    rs.fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(rs.fd, 0);
    ck_assert_int_eq(bind(rs.fd, (const struct sockaddr *) &sa, sizeof sa), 0);
    ck_assert_int_eq(listen(rs.fd, 1), 0);
    ck_assert_int_eq(getsockname(rs.fd, (struct sockaddr *) &sa, &sa_len), 0);
    rs.port = ntohs(sa.sin_port);
    ck_assert_int_eq(pthread_create(&rs.thread, NULL, raw_serve, &rs), 0);

    snprintf(url, sizeof url, "http://127.0.0.1:%u/", (unsigned) rs.port);
    req.url = url;
    rc = libro_http_fetch(&r, &req, &err);
    pthread_join(rs.thread, NULL);
    close(rs.fd);
    libro_buf_free(&rs.reply);
    ck_assert_msg(rc == raw[_i].want, "%s: got %s (%s)", raw[_i].name, libro_code_name(rc),
                  err.msg);
    if (rc == LIBRO_OK) {
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq((const char *) r.body.data, raw[_i].msg);
        ck_assert_msg(r.etag == NULL, "%s: etag %s", raw[_i].name, r.etag);
    } else {
        ck_assert_msg(strstr(err.msg, raw[_i].msg) != NULL, "%s: message \"%s\"", raw[_i].name,
                      err.msg);
        assert_empty(&r);
    }
    libro_http_response_clear(&r);
}
END_TEST

/* ---- TLS, against a certificate made here ---- */

struct cert {
    char *key_pem;
    char *cert_pem;
};

static char *
bio_text(BIO *b)
{
    char *data = NULL;
    long len = BIO_get_mem_data(b, &data);
    char *copy;

    ck_assert(len > 0);
    copy = libro_strndup(data, (size_t) len);
    ck_assert_ptr_nonnull(copy);
    return copy;
}

static void
add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    ck_assert_ptr_nonnull(ext);
    ck_assert_int_eq(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* A self-signed P-256 certificate for `san` ("IP:127.0.0.1", "DNS:..."), valid for an hour. */
static struct cert
make_cert(const char *san)
{
    struct cert c;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    BIO *kb = BIO_new(BIO_s_mem());
    BIO *cb = BIO_new(BIO_s_mem());

    ck_assert(pkey != NULL && x != NULL && kb != NULL && cb != NULL);
    ck_assert_int_eq(X509_set_version(x, 2), 1);
    ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    ck_assert_int_eq(X509_set_pubkey(x, pkey), 1);
    name = X509_get_subject_name(x);
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *) "libro test", -1, -1, 0),
                     1);
    ck_assert_int_eq(X509_set_issuer_name(x, name), 1);
    add_ext(x, NID_subject_alt_name, san);
    add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
    ck_assert(X509_sign(x, pkey, EVP_sha256()) > 0);
    ck_assert_int_eq(PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert_int_eq(PEM_write_bio_X509(cb, x), 1);
    c.key_pem = bio_text(kb);
    c.cert_pem = bio_text(cb);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(pkey);
    return c;
}

static void
write_temp(char *path, size_t size, const char *text)
{
    int fd;
    FILE *f;

    snprintf(path, size, "/tmp/libro-http-ca-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_tls)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get(NULL);
    struct sockaddr_in sa = loopback4();
    struct cert good;
    struct cert wrong_name;
    struct MHD_Daemon *d;
    uint16_t tls_port = 0;
    char url[64];
    char ca_path[64];
    char wrong_ca_path[64];

    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "check_http: libmicrohttpd without TLS, https cases not run\n");
        return;
    }
    good = make_cert("IP:127.0.0.1");
    wrong_name = make_cert("DNS:registry.invalid");
    write_temp(ca_path, sizeof ca_path, good.cert_pem);
    write_temp(wrong_ca_path, sizeof wrong_ca_path, wrong_name.cert_pem);
    d = start((const struct sockaddr *) &sa, 0, good.key_pem, good.cert_pem, &tls_port);
    ck_assert_ptr_nonnull(d);
    snprintf(url, sizeof url, "https://127.0.0.1:%u/ok", (unsigned) tls_port);
    req.url = url;
    /* Loading the system store is slow under valgrind; a timeout here would hide the
     * verification failure this test is about. */
    req.connect_timeout_ms = 60000;
    req.total_timeout_ms = 60000;

    /* Trusted through ca_file: fine. */
    req.ca_file = ca_path;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq((const char *) r.body.data, "hello");
    libro_http_response_clear(&r);
    /* The system store does not know our CA. */
    req.ca_file = NULL;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err, "tls: ");
    assert_empty(&r);
    /* ca_file replaces the system store rather than adding to it: another CA, refused. */
    req.ca_file = wrong_ca_path;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err, "tls: ");
    /* An unreadable ca_file is a local problem, not a network one. */
    req.ca_file = "/nonexistent/libro-ca.pem";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_IO, &err, "ca_file");
    MHD_stop_daemon(d);

    /* A certificate we trust, but for another name: refused (host verification). */
    d = start((const struct sockaddr *) &sa, 0, wrong_name.key_pem, wrong_name.cert_pem, &tls_port);
    ck_assert_ptr_nonnull(d);
    snprintf(url, sizeof url, "https://127.0.0.1:%u/ok", (unsigned) tls_port);
    req.ca_file = wrong_ca_path;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_NETWORK, &err, "tls: ");
    assert_empty(&r);
    MHD_stop_daemon(d);

    unlink(ca_path);
    unlink(wrong_ca_path);
    libro_free(good.key_pem);
    libro_free(good.cert_pem);
    libro_free(wrong_name.key_pem);
    libro_free(wrong_name.cert_pem);
}
END_TEST

/* ---- the URL policy, no network ---- */

static const struct {
    const char *name;
    const char *url;
    libro_code want;
    const char *msg;
} urls[] = {
    {"https", "https://registry.example/v1/bundle", LIBRO_OK, NULL},
    {"https no path", "https://registry.example", LIBRO_OK, NULL},
    {"https port query", "https://registry.example:8443/v1/log?from=3&to=9", LIBRO_OK, NULL},
    {"https private ip", "https://10.0.0.1/", LIBRO_OK, NULL},
    {"http 127.0.0.1", "http://127.0.0.1/", LIBRO_OK, NULL},
    {"http 127/8 port", "http://127.255.0.9:8080/x", LIBRO_OK, NULL},
    {"http ::1", "http://[::1]:8080/", LIBRO_OK, NULL},
    {"http elsewhere", "http://example.com/", LIBRO_ERR_DENIED, "plain http is allowed only"},
    {"http private ip", "http://10.0.0.1/", LIBRO_ERR_DENIED, "not 10.0.0.1"},
    {"http localhost", "http://localhost/", LIBRO_ERR_DENIED, "not localhost"},
    {"http 128.0.0.1", "http://128.0.0.1/", LIBRO_ERR_DENIED, "plain http"},
    {"http mapped v4", "http://[::ffff:127.0.0.1]/", LIBRO_ERR_DENIED, "plain http"},
    {"http ::2", "http://[::2]/", LIBRO_ERR_DENIED, "plain http"},
    {"ftp", "ftp://example.com/x", LIBRO_ERR_DENIED, "url scheme \"ftp\" is not allowed"},
    {"file", "file:///etc/passwd", LIBRO_ERR_DENIED, "is not allowed"},
    {"javascript", "javascript:alert(1)", LIBRO_ERR_DENIED, "is not allowed"},
    {"uppercase", "HTTPS://example.com/", LIBRO_ERR_DENIED, "lowercase"},
    {"mixed case", "hTtp://127.0.0.1/", LIBRO_ERR_DENIED, "lowercase"},
    {"userinfo", "https://user:pw@example.com/", LIBRO_ERR_DENIED, "userinfo"},
    {"user", "https://user@example.com/", LIBRO_ERR_DENIED, "userinfo"},
    {"empty userinfo", "https://@example.com/", LIBRO_ERR_DENIED, "userinfo"},
    {"loopback userinfo", "http://a@127.0.0.1/", LIBRO_ERR_DENIED, "userinfo"},
    {"fragment", "https://example.com/a#b", LIBRO_ERR_DENIED, "fragment"},
    {"empty fragment", "https://example.com/#", LIBRO_ERR_DENIED, "fragment"},
    {"zone id", "http://[::1%25lo]/", LIBRO_ERR_INVALID_ARG, "zone id"},
    {"encoded host", "https://registry%2eexample/", LIBRO_ERR_INVALID_ARG, "percent"},
    {"space", "https://example.com/a b", LIBRO_ERR_INVALID_ARG, "at offset 21"},
    {"control", "https://example.com/\x01", LIBRO_ERR_INVALID_ARG, "control"},
    {"crlf", "https://example.com/\r\nX-Injected: 1", LIBRO_ERR_INVALID_ARG, "control"},
    {"del", "https://example.com/\x7f", LIBRO_ERR_INVALID_ARG, "control"},
    {"non-ascii", "https://ex\xc3\xa4mple.com/", LIBRO_ERR_INVALID_ARG, "non-ASCII"},
    {"backslash", "https://example.com\\@evil.example/", LIBRO_ERR_INVALID_ARG, "backslash"},
    {"empty", "", LIBRO_ERR_INVALID_ARG, "url is empty"},
    {"no scheme", "example.com/x", LIBRO_ERR_INVALID_ARG, "no scheme"},
    {"no slashes", "https:example.com", LIBRO_ERR_INVALID_ARG, "must start with https://"},
    {"no host", "https:///x", LIBRO_ERR_INVALID_ARG, "url has no host"},
    {"no host query", "https://?x", LIBRO_ERR_INVALID_ARG, "url has no host"},
    {"http 127.1", "http://127.1/", LIBRO_OK, NULL}, /* libcurl reads 127.0.0.1 */
    {"http 127.0.0.1.", "http://127.0.0.1./", LIBRO_ERR_DENIED, "plain http"},
    {"bad port", "https://example.com:99999/", LIBRO_ERR_INVALID_ARG, "url: "},
    {"bad host", "https://exa<mple.com/", LIBRO_ERR_INVALID_ARG, "url: "},
};

START_TEST(test_url_policy)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_code got = libro_http_url_check(urls[_i].url, &err);

    ck_assert_msg(got == urls[_i].want, "%s: got %s (%s)", urls[_i].name, libro_code_name(got),
                  err.msg);
    if (urls[_i].msg != NULL) {
        ck_assert_msg(strstr(err.msg, urls[_i].msg) != NULL, "%s: message \"%s\"", urls[_i].name,
                      err.msg);
    }
}
END_TEST

START_TEST(test_url_length)
{
    libro_error err = LIBRO_ERROR_INIT;
    char *url = libro_malloc(LIBRO_HTTP_MAX_URL_BYTES + 2);
    size_t prefix = strlen("https://registry.example/");

    ck_assert_ptr_nonnull(url);
    memcpy(url, "https://registry.example/", prefix);
    memset(url + prefix, 'a', LIBRO_HTTP_MAX_URL_BYTES + 1 - prefix);
    url[LIBRO_HTTP_MAX_URL_BYTES] = '\0';
    LIBRO_ASSERT_CODE(libro_http_url_check(url, &err), LIBRO_OK, &err, NULL);
    url[LIBRO_HTTP_MAX_URL_BYTES] = 'a';
    url[LIBRO_HTTP_MAX_URL_BYTES + 1] = '\0';
    LIBRO_ASSERT_CODE(libro_http_url_check(url, &err), LIBRO_ERR_LIMIT, &err,
                      "url is longer than 2048 bytes");
    LIBRO_ASSERT_CODE(libro_http_url_check(NULL, &err), LIBRO_ERR_INVALID_ARG, &err, "url is NULL");
    libro_free(url);
}
END_TEST

/* Refused before any connection: these name hosts that are never contacted. */
START_TEST(test_fetch_refuses)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_http_response r = LIBRO_HTTP_RESPONSE_INIT;
    libro_http_request req = get("https://registry.invalid/v1/bundle");

    req.url = "http://example.com/";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_DENIED, &err, "plain http");
    assert_empty(&r);
    req.url = "file:///etc/passwd";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_DENIED, &err, "scheme");
    req.url = NULL;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err, "url is NULL");
    req.url = "https://registry.invalid/v1/bundle";

    req.method = "PUT";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "GET, HEAD or POST");
    req.method = "get";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "GET, HEAD or POST");
    req.method = NULL;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "method is NULL");
    req.method = "GET";

    req.max_response_bytes = 0;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "max_response_bytes");
    req.max_response_bytes = CAP;
    req.version = 3;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err, "version");
    req.version = LIBRO_HTTP_REQUEST_VERSION;
    req.total_timeout_ms = UINT32_MAX;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err, "timeout");
    req.total_timeout_ms = 0;

    req.body = "x";
    req.body_len = 1;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "GET takes no body");
    req.method = "POST";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "needs a content_type");
    req.content_type = "application/json";
    req.body = NULL;
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "body is NULL");
    req.method = "GET";
    req.content_type = NULL;
    req.body_len = 0;

    req.accept = "text/plain\r\nX-Injected: 1";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "accept has a byte outside printable ASCII");
    req.accept = "";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "accept must be 1 to 1024 bytes");
    req.accept = NULL;
    req.if_none_match = "\"a\"\n";
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, &req, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "if_none_match");
    req.if_none_match = NULL;

    LIBRO_ASSERT_CODE(libro_http_fetch(NULL, &req, &err), LIBRO_ERR_INVALID_ARG, &err, "NULL");
    LIBRO_ASSERT_CODE(libro_http_fetch(&r, NULL, &err), LIBRO_ERR_INVALID_ARG, &err, "NULL");
    assert_empty(&r);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("http");
    TCase *policy = tcase_create("policy");
    TCase *fetch = tcase_create("fetch");
    TCase *limits = tcase_create("limits");
    TCase *tls = tcase_create("tls");

    tcase_add_loop_test(policy, test_url_policy, 0, (int) LIBRO_NELEM(urls));
    tcase_add_test(policy, test_url_length);
    tcase_add_test(policy, test_fetch_refuses);
    tcase_add_test(policy, test_allow_http);
    suite_add_tcase(s, policy);

    tcase_add_checked_fixture(fetch, server_up, server_down);
    tcase_add_test(fetch, test_ok);
    tcase_add_test(fetch, test_request_headers);
    tcase_add_test(fetch, test_extra_headers);
    tcase_add_test(fetch, test_conditional_get);
    tcase_add_test(fetch, test_redirect_not_followed);
    tcase_add_test(fetch, test_post);
    tcase_add_test(fetch, test_retry_after);
    tcase_add_test(fetch, test_odd_headers_dropped);
    tcase_add_test(fetch, test_head_and_no_content);
    tcase_add_test(fetch, test_proxy_env_ignored_for_loopback);
    tcase_add_test(fetch, test_ipv6_loopback);
    tcase_add_test(fetch, test_oom);
    suite_add_tcase(s, fetch);

    tcase_add_checked_fixture(limits, server_up, server_down);
    tcase_add_test(limits, test_body_cap);
    tcase_add_test(limits, test_chunked_cap);
    tcase_add_test(limits, test_header_cap);
    tcase_add_test(limits, test_timeout);
    tcase_add_test(limits, test_connection_refused);
    tcase_add_loop_test(limits, test_raw_replies, 0, (int) LIBRO_NELEM(raw));
    suite_add_tcase(s, limits);

    tcase_add_test(tls, test_tls);
    suite_add_tcase(s, tls);
    return s;
}
