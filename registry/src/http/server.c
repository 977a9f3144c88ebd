/* The registry's HTTP server on libmicrohttpd: the only file that includes microhttpd.h
 * (style.md §2). It gathers each request's facts, streams its body into a capped buffer, and
 * hands the decisions to routes.c.
 *
 * Threading: one internal polling thread per worker (MHD_USE_INTERNAL_POLLING_THREAD with
 * MHD_OPTION_THREAD_POOL_SIZE), not a thread per connection. An idle or slow client then costs
 * a socket and a bounded memory pool, not a thread and its stack, so slow clients cannot
 * exhaust threads before the timeout and the connection limits catch them; and the CPU work
 * (signing a status list) runs on a fixed number of threads. A request takes a registry
 * handle from the server's idle ones on first use (routes.c: opened only when none is idle)
 * and gives it back once answered: a handle serves one request at a time, on one thread at a
 * time, and outlives the connection, so a client that opens a connection per request no
 * longer pays for opening SQLite and parsing the charter each time. Signed writes are made on
 * one more handle, the write queue's thread's (registry/src/writer.h), in groups that share a
 * commit. A worker waits for its write's commit, so at most `threads` writes are in flight;
 * measured on 2 cores (bench_registry --only revoke, 16 connections), 8 or 16 workers or a
 * thread per connection gave no lower p99 than the default 4: the CPU per request bounds the
 * rate there, not the writes in flight (1.3 to 1.7 jobs per commit whatever the count). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../writer.h"
#include "http_int.h"
#include "libro/dl_int.h"
#include "libro/time.h"
#include "libro/util.h"

/* The libmicrohttpd calls of this file, bound when a server starts (libro/dl_int.h): no other
 * libro command loads libmicrohttpd, and with it GnuTLS, p11-kit, nettle and GMP. */
#define MHD_SYMBOLS(X)                                                                             \
    X(add_response_header, MHD_add_response_header)                                                \
    X(create_response_from_buffer, MHD_create_response_from_buffer)                                \
    X(destroy_response, MHD_destroy_response)                                                      \
    X(get_connection_info, MHD_get_connection_info)                                                \
    X(get_connection_values_n, MHD_get_connection_values_n)                                        \
    X(lookup_connection_value, MHD_lookup_connection_value)                                        \
    X(queue_response, MHD_queue_response)                                                          \
    X(quiesce_daemon, MHD_quiesce_daemon)                                                          \
    X(start_daemon, MHD_start_daemon)                                                              \
    X(stop_daemon, MHD_stop_daemon)
LIBRO_DL_DEFINE(mhd, MHD_SYMBOLS, LIBRO_DL_SONAME_MHD, LIBRO_DL_PACKAGE_MHD,
                "to serve the registry over HTTP");

/* libmicrohttpd's per-connection pool: the request line and headers must fit (past it
 * libmicrohttpd refuses the request itself); bodies go to our own capped buffer instead. */
#define CONNECTION_MEMORY_BYTES ((size_t) 32 * 1024)

struct libro_server {
    struct MHD_Daemon *daemon;
    libro_http_ctx ctx;
    uint16_t port;
    bool given_socket; /* serving a duplicate of a caller's listening socket (listen_fd) */
};

/* Per request (req_cls). */
struct req_state {
    libro_http__request req; /* strings borrowed from libmicrohttpd for the request's life */
    libro_http__response resp;
    libro_buf body;
    size_t dropped;          /* body bytes counted past the cap */
    struct timespec started; /* when the headers were complete: the body has a deadline */
    bool too_large;
    bool answered;
};

/* A header value as sent, with its length (libro_http__value_ok judges it). */
static void
record_header(libro_http__request *req, const char *key, const char *value, size_t len)
{
    if (!libro_http__token_ok(key)) {
        req->n_bad_names++;
    }
    if (!libro_http__value_ok(value, len)) {
        req->n_bad_values++;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        if (req->n_host++ == 0) {
            req->host = value;
            req->host_len = len;
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (req->n_content_length++ == 0) {
            req->content_length = value;
            req->content_length_len = len;
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (req->n_transfer_encoding++ == 0) {
            req->transfer_encoding = value;
            req->transfer_encoding_len = len;
        }
    } else if (strcasecmp(key, MHD_HTTP_HEADER_ACCEPT) == 0 && req->accept == NULL) {
        req->accept = value;
        req->accept_len = len;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0 && req->if_none_match == NULL) {
        req->if_none_match = value;
        req->if_none_match_len = len;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE) == 0 && req->content_type == NULL) {
        req->content_type = value;
        req->content_type_len = len;
    }
}

/* The head of a request as libmicrohttpd 0.9 left it, to measure each header value as sent.
 * It parses the head in place: the request line and each header line stay where they were
 * read, ':' and each CR LF become NUL, and the strings it hands over point into the head. So
 * the text of a line runs from its value to two bytes before the next line's name (four
 * before the end of the head: its CR LF and the empty line's). A value that held a NUL is
 * then longer than its string; fewer bytes than a CR LF is a bare LF; a name or value
 * outside the head is a folded line (libmicrohttpd moved it). A NUL just before a bare LF
 * reads as a CR LF and is not seen. libmicrohttpd 1.0 refuses a NUL itself, and lays out
 * the head otherwise: there no length is measured (each is its string's). */
struct head_walk {
    libro_http__request *req;
    uintptr_t start;      /* the method's first byte */
    uintptr_t end;        /* one past the empty line's LF */
    const char *head_end; /* the same, as a pointer */
    bool measured;        /* the head's bounds are known */
    const char *tail;     /* one past the text of the line before: the version, or `value` */
    const char *key;      /* the header whose line runs to the next one, or NULL */
    const char *value;
};

static bool
in_head(const struct head_walk *w, const char *p, size_t n)
{
    uintptr_t a = (uintptr_t) p;

    return a >= w->start && a <= w->end && n <= w->end - a;
}

/* End the line before the one that starts at `next` (or at the end of the head). */
static void
end_line(struct head_walk *w, const char *next)
{
    size_t want = (uintptr_t) next == w->end ? 4 : 2;
    size_t len = w->value == NULL ? 0 : strlen(w->value);
    size_t gap;
    size_t nul = 0;

    if (w->measured && w->tail != NULL && in_head(w, next, 0) &&
        (uintptr_t) next >= (uintptr_t) w->tail) {
        gap = (size_t) ((uintptr_t) next - (uintptr_t) w->tail);
        while (nul < gap && w->tail[nul] == '\0') {
            nul++;
        }
        if (nul == gap && gap < want) {
            w->req->n_bad_lines++; /* a bare LF */
        } else if (gap != want || nul != gap) {
            /* Bytes past the string: the value held a NUL (after a request line, where
             * libmicrohttpd refuses the version first, count it a bad line). */
            if (w->value == NULL) {
                w->req->n_bad_lines++;
            }
            len += gap > want ? gap - want : 1;
        }
    } else if (w->measured) {
        w->req->n_bad_lines++;
    }
    if (w->key != NULL) {
        record_header(w->req, w->key, w->value, len);
    }
    w->key = NULL;
    w->value = NULL;
    w->tail = NULL;
}

static enum MHD_Result
walk_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
            size_t value_size)
{
    struct head_walk *w = cls;

    (void) kind;
    if (key == NULL || value == NULL) {
        return MHD_YES;
    }
    if (!w->measured) {
        record_header(w->req, key, value, value_size);
        return MHD_YES;
    }
    end_line(w, key);
    if (!in_head(w, key, key_size) || !in_head(w, value, value_size) ||
        (uintptr_t) value <= (uintptr_t) key + key_size) {
        w->req->n_bad_lines++; /* folded: libmicrohttpd moved the name or the value */
        record_header(w->req, key, value, value_size);
        return MHD_YES;
    }
    w->key = key;
    w->value = value;
    w->tail = value + value_size;
    return MHD_YES;
}

/* Collect the request's headers into req, each value with its length as sent. */
static void
read_headers(libro_http__request *req, struct MHD_Connection *conn)
{
    struct head_walk w;

    memset(&w, 0, sizeof w);
    w.req = req;
#if MHD_VERSION < 0x01000000
    {
        const union MHD_ConnectionInfo *info =
            mhd.get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);

        if (info != NULL && req->method != NULL && req->version != NULL) {
            w.start = (uintptr_t) req->method;
            w.head_end = req->method + info->header_size;
            w.end = (uintptr_t) w.head_end;
            w.measured = info->header_size <= CONNECTION_MEMORY_BYTES &&
                         in_head(&w, req->version, strlen(req->version));
            w.tail = req->version + strlen(req->version);
        }
    }
#endif
    (void) mhd.get_connection_values_n(conn, MHD_HEADER_KIND, walk_header, &w);
    if (w.measured) {
        end_line(&w, w.head_end);
    }
}

/* The peer's address as 16 bytes (IPv4 mapped into IPv6), the key of its write budget. */
static void
client_address(unsigned char out[16], struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        mhd.get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info == NULL ? NULL : info->client_addr;

    memset(out, 0, 16);
    if (sa != NULL && sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *) (const void *) sa;

        out[10] = 0xff;
        out[11] = 0xff;
        memcpy(out + 12, &v4->sin_addr, 4);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *) (const void *) sa;

        memcpy(out, &v6->sin6_addr, 16);
    }
}

static bool
add_header(struct MHD_Response *m, const char *name, const char *value)
{
    return value == NULL || value[0] == '\0' || mhd.add_response_header(m, name, value) == MHD_YES;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct req_state *st)
{
    libro_http__response *r = &st->resp;
    struct MHD_Response *m;
    enum MHD_Result ret = MHD_NO;
    char retry[16];
    bool ok;

    static char empty[1];

    m = mhd.create_response_from_buffer(
        r->body.len, r->body.data != NULL ? (void *) r->body.data : empty, MHD_RESPMEM_MUST_COPY);
    if (m == NULL) {
        return MHD_NO; /* out of memory: drop the connection */
    }
    ok = add_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type) &&
         add_header(m, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control) &&
         add_header(m, MHD_HTTP_HEADER_ETAG, r->etag) &&
         add_header(m, MHD_HTTP_HEADER_ALLOW, r->allow) &&
         add_header(m, MHD_HTTP_HEADER_VARY, r->vary_accept ? "Accept" : NULL) &&
         add_header(m, "X-Content-Type-Options", "nosniff") &&
         /* The HTML page runs nothing and loads nothing, whatever a holder's name holds. */
         add_header(m, "Content-Security-Policy", "default-src 'none'") &&
         add_header(m, MHD_HTTP_HEADER_CONNECTION, r->close ? "close" : NULL);
    if (ok && r->retry_after > 0) {
        (void) snprintf(retry, sizeof retry, "%d", r->retry_after);
        ok = add_header(m, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    }
    if (ok) {
        ret = mhd.queue_response(conn, r->status, m);
    }
    mhd.destroy_response(m);
    st->answered = ret == MHD_YES;
    return ret;
}

static bool
body_overdue(const struct req_state *st, unsigned timeout_seconds)
{
    struct timespec now;

    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        return false;
    }
    return now.tv_sec - st->started.tv_sec > (time_t) timeout_seconds;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    libro_server *s = cls;
    struct req_state *st = *req_cls;
    libro_registry *reg = NULL;
    libro_error err = LIBRO_ERROR_INIT;

    if (st == NULL) {
        /* First call: the request line and headers only. */
        st = libro_calloc(1, sizeof *st);
        if (st == NULL) {
            return MHD_NO;
        }
        *req_cls = st;
        st->req.method = method;
        st->req.path = url;
        st->req.version = version;
        (void) clock_gettime(CLOCK_MONOTONIC, &st->started);
        client_address(st->req.client, conn);
        read_headers(&st->req, conn);
        /* The query arguments the roundtable routes read (kept escaped, as the path is). */
        st->req.arg_at = mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "at");
        st->req.arg_within = mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "within");
        st->req.arg_run = mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "run");
        st->req.arg_start = mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "start");
        st->req.arg_count = mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "count");
        libro_http__check_headers(&st->resp, &st->req, s->ctx.max_body_bytes);
        if (st->resp.status != 0) {
            return send_response(conn, st);
        }
        return MHD_YES;
    }
    if (st->answered) {
        *upload_data_size = 0; /* answered already; the connection closes after the answer */
        return MHD_YES;
    }
    if (*upload_data_size > 0 && body_overdue(st, s->ctx.timeout_seconds)) {
        /* libmicrohttpd's timeout is idle time, reset by every byte: a body trickled in a byte
         * at a time would hold the connection for days. The whole body gets the timeout. */
        return MHD_NO;
    }
    if (*upload_data_size > 0) {
        /* A chunked body has no declared length: the cap is enforced on what arrives. Past
         * it the bytes are counted and dropped, so that a body that ends soon after still gets
         * its 413 (libmicrohttpd cannot answer in the middle of an upload); one that runs on
         * past twice the cap loses its connection instead of being read to its end. */
        if (!st->too_large &&
            (*upload_data_size > s->ctx.max_body_bytes - st->body.len ||
             libro_buf_append(&st->body, upload_data, *upload_data_size, &err) != LIBRO_OK)) {
            st->too_large = true;
            libro_buf_free(&st->body);
        }
        if (st->too_large) {
            st->dropped += *upload_data_size;
            if (st->dropped > 2 * s->ctx.max_body_bytes) {
                return MHD_NO;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->too_large) {
        libro_http__error(&st->resp, 413, "payload_too_large",
                          "the request body is over the limit");
        st->resp.close = true;
        return send_response(conn, st);
    }
    libro_http__handle(&st->resp, &s->ctx, &reg, &st->req, st->body.data, st->body.len);
    libro_http__release_registry(&s->ctx, reg, &st->resp); /* the answer holds nothing of it */
    return send_response(conn, st);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct req_state *st = *req_cls;

    (void) cls;
    (void) conn;
    (void) toe;
    if (st != NULL) {
        libro_http__response_clear(&st->resp);
        libro_buf_free(&st->body);
        libro_free(st);
        *req_cls = NULL;
    }
}

/* The writer's handle tells memory of each status change its groups commit. */
static void
observe_writes(void *ctx, libro_registry *reg)
{
    libro_http__observe(ctx, reg);
}

/* The base URL a loopback server without one is reached at: its own address and port. Only
 * 127.0.0.1 qualifies: there the URL a client uses is exactly the bound address, while a
 * public server is reached through a name (and a TLS proxy) it cannot know. */
#define DERIVED_BASE_ADDRESS "127.0.0.1"

/* Open the listening socket on `addr` ourselves (as libmicrohttpd would: SO_REUSEADDR, IPv6
 * only for an IPv6 address, the system's backlog), so that its port, an ephemeral one for
 * port 0, is known before libmicrohttpd serves a single request. */
static libro_code
listen_on(int *out, uint16_t *port, const struct sockaddr *addr, socklen_t addr_len,
          const char *address, libro_error *err)
{
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    int on = 1;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    libro_code rc = LIBRO_OK;

    *out = -1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (addr->sa_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(fd, addr, addr_len) != 0 || listen(fd, SOMAXCONN) != 0 ||
        getsockname(fd, (struct sockaddr *) &bound, &bound_len) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "server: cannot listen on %.64s port %u: %s",
                             address, (unsigned) *port, strerror(errno));
        goto out;
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &bound)->sin6_port
                                              : ((struct sockaddr_in *) &bound)->sin_port);
    *out = fd;
    fd = -1; /* moved to caller */
out:
    if (fd >= 0) {
        (void) close(fd);
    }
    return rc;
}

/* Serve on a duplicate of `given`, a listening socket bound to `addr` (any port). */
static libro_code
listen_given(int *out, uint16_t *port, int given, const struct sockaddr *addr, const char *address,
             libro_error *err)
{
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    int listening = 0;
    socklen_t listening_len = sizeof listening;
    bool same;

    *out = -1;
    memset(&bound, 0, sizeof bound);
    if (getsockname(given, (struct sockaddr *) &bound, &bound_len) != 0 ||
        getsockopt(given, SOL_SOCKET, SO_ACCEPTCONN, &listening, &listening_len) != 0 ||
        listening == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: listen_fd is not a listening socket");
    }
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *want = (const struct sockaddr_in *) addr;
        const struct sockaddr_in *have = (const struct sockaddr_in *) &bound;

        same = bound.ss_family == AF_INET && have->sin_addr.s_addr == want->sin_addr.s_addr;
        *port = ntohs(have->sin_port);
    } else {
        const struct sockaddr_in6 *want = (const struct sockaddr_in6 *) addr;
        const struct sockaddr_in6 *have = (const struct sockaddr_in6 *) &bound;

        same = bound.ss_family == AF_INET6 &&
               memcmp(&have->sin6_addr, &want->sin6_addr, sizeof want->sin6_addr) == 0;
        *port = ntohs(have->sin6_port);
    }
    if (!same) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "server: listen_fd is not bound to %.64s", address);
    }
    *out = fcntl(given, F_DUPFD_CLOEXEC, 0);
    if (*out < 0) {
        return libro_error_set(err, LIBRO_ERR_NETWORK, "server: cannot duplicate listen_fd: %s",
                               strerror(errno));
    }
    return LIBRO_OK;
}

/* libmicrohttpd's unescape hook: leave the text as it is. A '%' then reaches the router as
 * itself and matches no route. */
static size_t
keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void) cls;
    (void) c;
    return strlen(s);
}

libro_code
libro_server_start(libro_server **out, const libro_server_options *opt, libro_error *err)
{
    libro_server *s = NULL;
    libro_server_options checked;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    struct sockaddr *addr;
    socklen_t addr_len;
    /* MHD_USE_ITC: a daemon on a kept or given socket is quiesced when it stops. poll(), not
     * epoll: libmicrohttpd 0.9.75's quiesce races each worker's own removal of the listening
     * socket from its epoll set and aborts the process when it loses (MHD_PANIC on ENOENT),
     * while poll() workers are told through the ITC. poll() costs grow with the sockets a
     * worker holds: its share of max_connections (256 by default over 4 threads: 64). */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC;
    char derived[sizeof "http://" DERIVED_BASE_ADDRESS ":65535"];
    int fd = -1;
    libro_code rc;

    if (out == NULL || opt == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "server: NULL argument");
    }
    *out = NULL;
    rc = libro_dl__load(&mhd_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    checked = *opt;
    if (opt->base_url == NULL && opt->listen_address != NULL) {
        if (strcmp(opt->listen_address, DERIVED_BASE_ADDRESS) != 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "server: a base url is required unless listening on "
                                   "127.0.0.1");
        }
        /* Checked as this form now; the port is added once the socket has one. */
        checked.base_url = "http://" DERIVED_BASE_ADDRESS;
    }
    s = libro_calloc(1, sizeof *s);
    if (s == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = libro_http__ctx_init(&s->ctx, &checked, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!s->ctx.read_only) {
        rc = libro_registry_writer_open(&s->ctx.writer, s->ctx.db_path, observe_writes, &s->ctx,
                                        err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    libro_http__wait_to_serve(&s->ctx);
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, opt->listen_address, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(opt->port);
        addr = (struct sockaddr *) &v4;
        addr_len = sizeof v4;
    } else if (inet_pton(AF_INET6, opt->listen_address, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(opt->port);
        addr = (struct sockaddr *) &v6;
        addr_len = sizeof v6;
    } else {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "server: listen address must be a numeric IPv4 or IPv6 address: "
                             "%.64s",
                             opt->listen_address);
        goto out;
    }
    s->port = opt->port;
    s->given_socket = opt->listen_fd >= 0;
    rc = opt->listen_fd >= 0
             ? listen_given(&fd, &s->port, opt->listen_fd, addr, opt->listen_address, err)
             : listen_on(&fd, &s->port, addr, addr_len, opt->listen_address, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (opt->base_url == NULL) {
        /* No worker runs yet: the base URL is final before the first request. */
        (void) snprintf(derived, sizeof derived, "http://" DERIVED_BASE_ADDRESS ":%u",
                        (unsigned) s->port);
        libro_free(s->ctx.base_url);
        s->ctx.base_url = libro_strndup(derived, strlen(derived));
        if (s->ctx.base_url == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    /* Each vararg is cast to exactly the type libmicrohttpd reads for it (style.md §8). Paths
     * are left as sent (keep_escaped): no route needs an escape, and decoding would let
     * "%00" cut a path short and give one resource many names. The listening socket is
     * libmicrohttpd's from here: it closes it when it stops (and when it fails to start,
     * on all but a few of its failure paths: closing it here could close another's). */
    errno = 0;
    s->daemon = mhd.start_daemon(
        flags, s->port, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int) opt->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) opt->max_connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) opt->timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) CONNECTION_MEMORY_BYTES,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) opt->threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, (void *) s, MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, (void *) NULL,
        MHD_OPTION_END);
    fd = -1;
    if (s->daemon == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "server: cannot serve on %.64s port %u%s%s",
                             opt->listen_address, (unsigned) s->port, errno != 0 ? ": " : "",
                             errno != 0 ? strerror(errno) : "");
        goto out;
    }
    *out = s;
    s = NULL; /* moved to caller */
out:
    if (fd >= 0) {
        (void) close(fd);
    }
    libro_server_stop(s);
    return rc;
}

const char *
libro_server_base_url(const libro_server *s)
{
    return s == NULL ? NULL : s->ctx.base_url;
}

uint16_t
libro_server_port(const libro_server *s)
{
    return s == NULL ? 0 : s->port;
}

/* Stop `s` and release it. With `keep`, return its listening socket still open (-1 if
 * none). A daemon on a caller's socket, or one whose socket is kept, is quiesced first:
 * stopping a pool of workers libmicrohttpd would otherwise shut the socket down, which
 * reaches every duplicate of it (the caller's, systemd's). A daemon on its own socket is not:
 * libmicrohttpd closes that itself, and quiescing races its polling thread's epoll set (MHD
 * 0.9.75 aborts with "Failed to remove listen FD from epoll set" when it loses). */
static int
stop_server(libro_server *s, bool keep)
{
    int fd = -1;

    if (s->daemon != NULL) {
        if (keep || s->given_socket) {
            MHD_socket q = mhd.quiesce_daemon(s->daemon);

            fd = q == MHD_INVALID_SOCKET ? -1 : (int) q;
        }
        mhd.stop_daemon(s->daemon); /* joins the workers and closes every connection */
    }
    libro_registry_writer_close(s->ctx.writer); /* no worker is left to submit */
    s->ctx.writer = NULL;
    libro_http__ctx_clear(&s->ctx);
    libro_free(s);
    return fd;
}

libro_code
libro_server_stop_keep_socket(libro_server *s, int *listen_fd, libro_error *err)
{
    if (s == NULL || listen_fd == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "server: NULL argument");
    }
    *listen_fd = stop_server(s, true);
    return *listen_fd < 0
               ? libro_error_set(err, LIBRO_ERR_NETWORK, "server: the listening socket was lost")
               : LIBRO_OK;
}

void
libro_server_stop(libro_server *s)
{
    int fd;

    if (s == NULL) {
        return;
    }
    fd = stop_server(s, false);
    if (fd >= 0) {
        (void) close(fd); /* the duplicate it served; the caller's stays open */
    }
}
