/* libro_core: what the libcurl adapters share (http_curl.c defines them, smtp_curl.c uses
 * them too). Not API. */
#ifndef LIBRO_HTTP_INT_H
#define LIBRO_HTTP_INT_H

#include <curl/curl.h>
#include <stdbool.h>

#include "libro/dl_int.h"
#include "libro/error.h"

/** Whether `host` (as curl_url gives it: an IPv6 literal in brackets) is a loopback address
 *  literal (127.0.0.0/8, ::1). Names are not resolved: "localhost" is not. */
bool libro_http__is_loopback_host(const char *host);

/** Replace every byte of `s` that is not printable ASCII with '?' (curl's error text quotes
 *  the server in places). */
void libro_http__scrub(char *s);

/* The libcurl calls of libro_core (http_curl.c and smtp_curl.c, one table), bound on first
 * use (libro/dl_int.h): a process that never
 * opens a connection never loads libcurl and its TLS, HTTP/2, IDN, LDAP and SSH libraries.
 * Field names are not the symbols: curl.h makes curl_easy_setopt and curl_easy_getinfo
 * type-checking macros under GCC, and those must not expand at a call through the table. */
#define LIBRO_CURL_SYMBOLS(X)                                                                      \
    X(easy_cleanup, curl_easy_cleanup)                                                             \
    X(easy_getinfo, curl_easy_getinfo)                                                             \
    X(easy_init, curl_easy_init)                                                                   \
    X(easy_perform, curl_easy_perform)                                                             \
    X(easy_setopt, curl_easy_setopt)                                                               \
    X(easy_strerror, curl_easy_strerror)                                                           \
    X(free, curl_free)                                                                             \
    X(global_init, curl_global_init)                                                               \
    X(slist_append, curl_slist_append)                                                             \
    X(slist_free_all, curl_slist_free_all)                                                         \
    X(url, curl_url)                                                                               \
    X(url_cleanup, curl_url_cleanup)                                                               \
    X(url_get, curl_url_get)                                                                       \
    X(url_set, curl_url_set)                                                                       \
    X(url_strerror, curl_url_strerror)                                                             \
    X(version_info, curl_version_info)
struct libro_http__curl {
    LIBRO_CURL_SYMBOLS(LIBRO_DL_FIELD)
};

/** libcurl's functions in *fns: loaded, curl_global_init run once per process (never cleaned
 *  up), and the runtime checked to be 7.85.0 or later. LIBRO_ERR_MISSING_LIBRARY when libcurl
 *  is not installed, LIBRO_ERR_UNSUPPORTED when it cannot be used (*fns NULL). Thread-safe. */
libro_code libro_http__curl(const struct libro_http__curl **fns, libro_error *err);

#endif
