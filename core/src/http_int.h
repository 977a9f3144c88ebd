/* libro_core: what the libcurl adapters share (http_curl.c defines them, smtp_curl.c uses
 * them too). Not API. */
#ifndef LIBRO_HTTP_INT_H
#define LIBRO_HTTP_INT_H

#include <stdbool.h>

/** Whether `host` (as curl_url gives it: an IPv6 literal in brackets) is a loopback address
 *  literal (127.0.0.0/8, ::1). Names are not resolved: "localhost" is not. */
bool libro_http__is_loopback_host(const char *host);

/** Replace every byte of `s` that is not printable ASCII with '?' (curl's error text quotes
 *  the server in places). */
void libro_http__scrub(char *s);

#endif
