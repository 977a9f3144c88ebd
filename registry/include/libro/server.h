/* libro_server: the registry's HTTP API, read side (docs/operations.md), on libmicrohttpd. Every
 * route lives under /v1 and is public and cacheable:
 *
 *   GET /v1/health                              {"status":"ok","version":"<libro version>",
 *                                               "database":"ok"}, or 503 with "status":
 *                                               "unavailable" when the database does not answer
 *   GET /v1/status/<list>/<revocation|suspension>
 *                                               the signed BitstringStatusListCredential
 *                                               (application/vc+jwt), with an ETag
 *   GET /v1/licenses/<number>                   the license's record as JSON, or a small HTML
 *                                               page when Accept prefers text/html
 *   GET /v1/mandates/<id>                       a mandate of the roundtable (JSON or HTML)
 *   GET /v1/roundtable[?at=TIME]                the roundtable's members at a time and its
 *                                               seats (JSON, or the page of its members)
 *   GET /v1/roundtable/expiring?within=SECONDS  terms ending soon
 *   GET /v1/status/mandates/<list>/<purpose>    the mandate status lists
 *
 * and the signed writes of docs/formats.md ("Signed API requests", "Roundtable routes").
 * HEAD works wherever GET does. Errors are JSON, {"error":{"code","message"}}, with a stable
 * code: bad_request (400), not_found (404), method_not_allowed (405, with Allow),
 * payload_too_large (413), internal (500). No libmicrohttpd type appears here. */
#ifndef LIBRO_SERVER_H
#define LIBRO_SERVER_H

#include "libro/key.h"
#include "libro/limits.h"

typedef struct libro_server libro_server; /* opaque */

#define LIBRO_SERVER_OPTIONS_VERSION 5u

/** How to serve. Start from LIBRO_SERVER_OPTIONS_INIT and set db_path, registry_key and
 *  base_url (or leave it NULL on 127.0.0.1). Zero limits are invalid (LIBRO_ERR_INVALID_ARG),
 *  not "unlimited". */
typedef struct libro_server_options {
    unsigned version;              /* LIBRO_SERVER_OPTIONS_VERSION */
    const char *db_path;           /* an existing registry database (libro_registry_create) */
    const char *listen_address;    /* a numeric IPv4 or IPv6 address: "127.0.0.1", "::1" */
    uint16_t port;                 /* 0 = an ephemeral port (libro_server_port tells which) */
    bool allow_public;             /* listen on a non-loopback address (else LIBRO_ERR_DENIED) */
    const libro_key *registry_key; /* the key the registry authorization names; borrowed: it
                                      must outlive the server */
    const char *base_url;     /* the registry's public URL, e.g. "https://registry.town-7.example";
                                 status lists are published as <base_url>/v1/status/<list>/<purpose>
                                 (the licenses' statusListCredential). NULL when listening on
                                 127.0.0.1: then http://127.0.0.1:<the bound port>, the URL a
                                 client on this machine reaches it at (libro_server_base_url) */
    unsigned max_connections; /* open connections in all (split evenly among the threads) */
    unsigned max_connections_per_ip; /* open connections from one client address */
    unsigned timeout_seconds;        /* an idle (or too slow) connection is closed after this */
    size_t max_body_bytes;           /* request body cap: 413 past it (at most
                                        LIBRO_MAX_HTTP_BODY_BYTES) */
    unsigned threads;                /* worker threads of the polling pool (1 to 64) */
    uint32_t status_list_seconds;    /* validity of each published status list (60 s to 31 d;
                                        by default 10 d, LIBRO_STATUS_LIST_SECONDS: a week
                                        offline and a margin) */
    unsigned write_rate;  /* signed writes per second from one client address (429 past it) */
    unsigned write_burst; /* ... and how many may come at once */
    int listen_fd;        /* -1: open a socket on listen_address:port. Else a listening TCP
                             socket bound to listen_address (as libro_server_stop_keep_socket
                             hands one back), served through a duplicate: the caller keeps
                             listen_fd; `port` is then the socket's */
    bool read_only;       /* serve reads only, on purpose: the database is opened read-only and
                             every write answers 503 read_only. Without it a database the
                             process cannot write is refused at start (LIBRO_ERR_READONLY) */
    /* Called with one line (no newline, no secret) for each write refused by storage: busy,
       full, read-only, an I/O error, and writes stopped after one. From any worker thread,
       one call at a time per thread: it must be thread-safe. NULL: nothing is logged. */
    void (*log)(void *log_ctx, const char *line);
    void *log_ctx;
    /* Called with one line (no newline) for each request answered or cut off, once it ends:
       "TIME ADDRESS METHOD PATH STATUS BYTES DURATION", e.g. "2026-12-06T17:30:00.123Z
       127.0.0.1 GET /v1/health 200 45 0.412ms". TIME is UTC; PATH is the path as sent without
       its query, bytes outside printable ASCII (and '%', '"', '\\') written %XX, at most 256
       characters (then "..."); STATUS is 0 for a request cut off before an answer; BYTES the
       answer's body. No header, body, query or signature is ever in it. From any worker
       thread: it must be thread-safe. NULL: no request log. */
    void (*request_log)(void *request_log_ctx, const char *line);
    void *request_log_ctx;
} libro_server_options;

#define LIBRO_SERVER_OPTIONS_INIT                                                                  \
    {                                                                                              \
        LIBRO_SERVER_OPTIONS_VERSION, NULL, "127.0.0.1", 0, false, NULL, NULL, 256u, 16u, 30u,     \
            LIBRO_MAX_HTTP_BODY_BYTES, 4u, 864000u, 20u, 40u, -1, false, NULL, NULL, NULL, NULL    \
    }

/** Start serving the registry at opt->db_path on opt->listen_address:opt->port, with worker
 *  threads running until libro_server_stop. Checks first: the options (LIBRO_ERR_INVALID_ARG
 *  for a wrong version, a missing member, a limit of 0, a body cap over
 *  LIBRO_MAX_HTTP_BODY_BYTES, a base_url that is not https:// or http://127.0.0.1, no base_url
 *  on an address other than 127.0.0.1, an address that is not numeric), a non-loopback
 *  address without allow_public
 *  (LIBRO_ERR_DENIED), the database (the codes of libro_registry_open; LIBRO_ERR_READONLY
 *  for one the process cannot write, unless opt->read_only; LIBRO_ERR_IO when SQLite's
 *  integrity check or foreign key check finds a fault; LIBRO_ERR_CORRUPT for a damaged log,
 *  libro_registry_log_audit), and that
 *  registry_key is the key the registry's authorization names (LIBRO_ERR_DENIED); then the
 *  socket (LIBRO_ERR_NETWORK: address in use, permission). A request is answered on a
 *  registry handle kept open between requests (one request, and so one thread, at a time on
 *  each; at most `threads` of them); signed writes on the write queue's own. LIBRO_OK: caller owns
 *  *out (libro_server_stop); else *out is NULL. Does not touch signal dispositions. */
LIBRO_API LIBRO_NODISCARD libro_code libro_server_start(libro_server **out,
                                                        const libro_server_options *opt,
                                                        libro_error *err);

/** The TCP port the server listens on (the ephemeral one when opt->port was 0). */
LIBRO_API uint16_t libro_server_port(const libro_server *s);

/** The base URL the server publishes and expects as the audience of signed requests, without
 *  a trailing '/': opt->base_url, or the one derived from the bound port when that was NULL.
 *  Borrowed: valid until libro_server_stop. NULL for NULL. */
LIBRO_API const char *libro_server_base_url(const libro_server *s);

/** Stop accepting new connections, let the requests already received be answered (waiting
 *  at most opt->timeout_seconds for them), then close every connection, wait for the workers
 *  and release everything. NULL is a no-op. Call from one thread, once, never from a
 *  request. */
LIBRO_API void libro_server_stop(libro_server *s);

/** libro_server_stop, but the listening socket stays open and *listen_fd receives it (the
 *  caller owns it: give it to the next libro_server_start as opt->listen_fd, then close(2)
 *  it): a server restarted so is reached on the same port, with no moment in which another
 *  process could take the port. Connections arriving meanwhile wait in the socket's backlog
 *  for the next server. LIBRO_ERR_INVALID_ARG for a NULL argument (nothing is stopped);
 *  LIBRO_ERR_NETWORK when libmicrohttpd cannot hand the socket back (the server is stopped
 *  all the same, *listen_fd is -1). */
LIBRO_API LIBRO_NODISCARD libro_code libro_server_stop_keep_socket(libro_server *s, int *listen_fd,
                                                                   libro_error *err);

#endif
