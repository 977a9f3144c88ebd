/* libro: sending one e-mail through an SMTP server (libcurl behind core/src/smtp_curl.c), for
 * the registry's reminders (docs/operations.md, "Reminders"). The server is the operator's own
 * relay; its replies are still treated as hostile (bounded, never printed raw). No libcurl
 * type appears here. */
#ifndef LIBRO_SMTP_H
#define LIBRO_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "libro/error.h"

/* An e-mail address as libro accepts one (RFC 5321 path limits). */
#define LIBRO_EMAIL_MAX_BYTES 254u
#define LIBRO_EMAIL_MAX_LOCAL_BYTES 64u
/* The largest message libro_smtp_send hands over. */
#define LIBRO_SMTP_MAX_MESSAGE_BYTES 65536u
#define LIBRO_SMTP_MAX_URL_BYTES 1024u
/* A user name or password from an auth file. */
#define LIBRO_SMTP_MAX_SECRET_BYTES 256u
#define LIBRO_SMTP_DEFAULT_TIMEOUT_MS 30000u

/** Whether s[0..len) is an address libro sends to or from: 3 to LIBRO_EMAIL_MAX_BYTES bytes
 *  of printable ASCII without spaces, quotes, brackets, parentheses, commas, semicolons,
 *  colons or backslashes (so no CR, LF or other control character can reach a header or an
 *  SMTP command), exactly one '@' with a local part of 1 to LIBRO_EMAIL_MAX_LOCAL_BYTES bytes
 *  before it and a domain after it that neither starts nor ends with '.' nor holds "..".
 *  LIBRO_ERR_INVALID_ARG saying which rule failed ("e-mail address: ..."). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_email_check(const char *s, size_t len, libro_error *err);

#define LIBRO_SMTP_OPTIONS_VERSION 1u

/** One message to send. All pointers are borrowed for the call. */
typedef struct libro_smtp_options {
    unsigned version; /* LIBRO_SMTP_OPTIONS_VERSION */
    /* smtps://host[:port] (TLS from the start) or smtp://host[:port]: to a loopback address
     * plain SMTP is spoken, to any other host STARTTLS is required (the message and the
     * credentials never cross a network in clear). No user, password, path or query in it. */
    const char *url;
    const char *from;     /* the envelope sender (libro_email_check) */
    const char *to;       /* the one recipient (libro_email_check) */
    const char *user;     /* NULL: no authentication; else with `password` */
    const char *password; /* borrowed: the caller wipes it */
    unsigned timeout_ms;  /* the whole exchange; 0 = LIBRO_SMTP_DEFAULT_TIMEOUT_MS */
    const char *ca_file;  /* PEM file of the CAs to trust instead of the system store, or NULL */
} libro_smtp_options;

#define LIBRO_SMTP_OPTIONS_INIT                                                                    \
    {                                                                                              \
        LIBRO_SMTP_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, NULL                          \
    }

/** Send `message` (len bytes: RFC 5322 headers and body, lines ending CRLF; the caller built
 *  it; at most LIBRO_SMTP_MAX_MESSAGE_BYTES) from opt->from to opt->to. TLS 1.2 or newer,
 *  peer and host verified; no proxy, no netrc. LIBRO_OK once the server accepted the message
 *  for delivery (250 after DATA). LIBRO_ERR_INVALID_ARG for a bad option or address,
 *  LIBRO_ERR_LIMIT for a message over the cap, LIBRO_ERR_NETWORK (the connection, TLS, a
 *  refusal of the server: its reply, made printable), LIBRO_ERR_DENIED (authentication
 *  refused), LIBRO_ERR_MISSING_LIBRARY without libcurl. Never says the password.
 *  Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_smtp_send(const libro_smtp_options *opt,
                                                     const char *message, size_t len,
                                                     libro_error *err);

#endif
