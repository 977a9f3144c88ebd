/* libro: a small, hardened HTTP client (libcurl behind core/src/http_curl.c). Used by
 * `libro sync` to fetch a registry's trust bundle and log proofs, and by issuer commands
 * that send signed write requests. Everything a server sends back is treated as hostile:
 * bodies and headers are capped, redirects are never followed, only https (and plain http
 * to a loopback literal) is spoken, and TLS is verified. No libcurl type appears here. */
#ifndef LIBRO_HTTP_H
#define LIBRO_HTTP_H

#include "libro/buf.h"
#include "libro/error.h"

#define LIBRO_HTTP_REQUEST_VERSION 2u /* 2 added headers and allow_http; 1 is still taken */

#define LIBRO_HTTP_MAX_URL_BYTES 2048u              /* libro_http_url_check */
#define LIBRO_HTTP_MAX_RESPONSE_HEADER_BYTES 16384u /* all response header lines together */
#define LIBRO_HTTP_MAX_HEADER_VALUE_BYTES 256u      /* etag, content_type of the response */
#define LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES 1024u   /* accept, content_type, if_none_match */
#define LIBRO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define LIBRO_HTTP_DEFAULT_TOTAL_TIMEOUT_MS 30000u

/** One request. Start from LIBRO_HTTP_REQUEST_INIT, then set method, url and
 *  max_response_bytes. All pointers are borrowed for the duration of the call. */
typedef struct libro_http_request {
    unsigned version;         /* LIBRO_HTTP_REQUEST_VERSION */
    const char *method;       /* "GET", "HEAD" or "POST" */
    const char *url;          /* must pass libro_http_url_check */
    const char *accept;       /* Accept header, or NULL */
    const char *content_type; /* POST only, required there: the body's Content-Type */
    const void *body;         /* POST only: body_len bytes (NULL when body_len is 0) */
    size_t body_len;
    const char *if_none_match;   /* an ETag for a conditional request, or NULL */
    size_t max_response_bytes;   /* body cap, required (> 0): LIBRO_ERR_LIMIT past it */
    unsigned connect_timeout_ms; /* 0 = LIBRO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS */
    unsigned total_timeout_ms;   /* whole request; 0 = LIBRO_HTTP_DEFAULT_TOTAL_TIMEOUT_MS */
    const char *ca_file;         /* PEM file of the CAs to trust *instead of* the system store (a
                                    private registry CA), or NULL for the system store */
    const char *const *headers;  /* more request headers, "Name: value" each (a token name,
                                    a printable value), NULL-terminated; or NULL */
    bool allow_http;             /* plain http to any host, not only loopback (a webhook its
                                    operator allowed so); https is unaffected */
} libro_http_request;

#define LIBRO_HTTP_REQUEST_INIT                                                                    \
    {                                                                                              \
        LIBRO_HTTP_REQUEST_VERSION, "GET", NULL, NULL, NULL, NULL, 0, NULL, 0, 0, 0, NULL, NULL,   \
            false                                                                                  \
    }

/** What came back. Owned by the caller; release with libro_http_response_clear(). */
typedef struct libro_http_response {
    long status;        /* 200, 304, 404, ...; a 3xx is returned as is, never followed */
    libro_buf body;     /* the body as received (no Content-Encoding is requested or undone);
                           body.data is never NULL after LIBRO_OK and is NUL-terminated */
    char *etag;         /* the ETag value as sent (quotes included), or NULL */
    char *content_type; /* the Content-Type value as sent, or NULL */
    long retry_after;   /* Retry-After in seconds (delta-seconds form only, at most
                           2147483647), or -1 when absent or in any other form */
} libro_http_response;

#define LIBRO_HTTP_RESPONSE_INIT                                                                   \
    {                                                                                              \
        0, LIBRO_BUF_INIT, NULL, NULL, -1                                                          \
    }

/** Release what `r` holds and reset it to LIBRO_HTTP_RESPONSE_INIT. NULL is a no-op. */
LIBRO_API void libro_http_response_clear(libro_http_response *r);

/** Perform one request, with no redirect followed, no cookie, no authentication, no
 *  decompression and a fresh connection. Outgoing header values must be printable ASCII
 *  of at most LIBRO_HTTP_MAX_REQUEST_HEADER_BYTES.
 *
 *  Response rules: all header lines together at most LIBRO_HTTP_MAX_RESPONSE_HEADER_BYTES;
 *  a body of at most req->max_response_bytes, checked against Content-Length before any of
 *  it is read (except for HEAD, 1xx, 204 and 304, which carry none) and again while
 *  receiving. ETag and Content-Type are kept only when they are printable ASCII, non-empty,
 *  at most LIBRO_HTTP_MAX_HEADER_VALUE_BYTES and sent once; otherwise they read NULL (so a
 *  caller that requires a media type refuses the response). A transfer slower than
 *  100 bytes/s for 10 s is aborted.
 *
 *  Proxies: for https, libcurl's usual environment variables apply (https_proxy,
 *  HTTPS_PROXY, all_proxy, no_proxy), so sync works behind a corporate proxy; TLS to the
 *  registry is still end to end and verified. A loopback host never goes through a proxy.
 *
 *  LIBRO_OK whenever an HTTP response arrived, whatever its status (the caller judges 4xx
 *  and 5xx): *out then holds it. Else *out is empty and err says why:
 *  LIBRO_ERR_INVALID_ARG (a bad request field, a wrong version, bad URL syntax),
 *  LIBRO_ERR_DENIED (the URL policy, see libro_http_url_check), LIBRO_ERR_LIMIT (URL too
 *  long, headers or body over their caps), LIBRO_ERR_NETWORK (DNS, connect, TLS handshake
 *  or certificate, timeout, a malformed reply; with libcurl's reason in the message),
 *  LIBRO_ERR_IO (ca_file unreadable), LIBRO_ERR_UNSUPPORTED (libcurl older than 7.85 or
 *  missing a required feature), LIBRO_ERR_NOMEM.
 *
 *  Thread-safe: each call has its own handles; libcurl is initialised once per process
 *  and never cleaned up. */
LIBRO_API LIBRO_NODISCARD libro_code libro_http_fetch(libro_http_response *out,
                                                      const libro_http_request *req,
                                                      libro_error *err);

/** The URL policy of libro_http_fetch, alone, so a caller can check a URL before doing
 *  work. Accepted: https://host[:port][/path][?query], or http:// only to a loopback
 *  literal: an address in 127.0.0.0/8 (as libcurl reads it, so 127.1 counts) or [::1].
 *  The scheme in lowercase; no userinfo (user:pass@), no fragment.
 *
 *  LIBRO_ERR_LIMIT: longer than LIBRO_HTTP_MAX_URL_BYTES. LIBRO_ERR_INVALID_ARG: NULL,
 *  empty, a byte outside printable ASCII (space, control, non-ASCII: write IDNs in
 *  punycode), a backslash (browsers and libcurl read it differently), an empty host
 *  ("https:///x", which libcurl would read as https://x/), a '%' in the host (libcurl
 *  decodes it; it also rules out IPv6 zone ids), or not a URL libcurl can parse.
 *  LIBRO_ERR_DENIED: a well-formed URL the policy refuses (another scheme, http to a
 *  non-loopback host such as "localhost" or 10.0.0.1, userinfo, fragment); the message
 *  says which rule. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_http_url_check(const char *url, libro_error *err);

#endif
