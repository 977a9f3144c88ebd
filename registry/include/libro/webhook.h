/* libro_registry: webhooks, signed push notifications of license changes (docs/operations.md,
 * "Webhooks"). The registry operator subscribes URLs (every license, or a list of numbers);
 * `libro registry serve` runs one delivery thread that reads the log after each
 * subscription's cursor (the log is the outbox: no write waits for a delivery) and POSTs each
 * matching license event, signed by the Standard Webhooks scheme (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1a,<base64 Ed25519>`) with the registry key.
 * A 2xx moves the cursor on; anything else is retried with exponential back-off. It also
 * sends license.expiring, once per (subscription, license, validUntil), when a followed
 * license is active and within the subscription's horizon of its validUntil (looked for at
 * most once every LIBRO_WEBHOOK_EXPIRY_EVERY seconds per subscription). */
#ifndef LIBRO_WEBHOOK_H
#define LIBRO_WEBHOOK_H

#include "libro/buf.h"
#include "libro/key.h"
#include "libro/registry.h"

/* "wh_" and 16 lowercase hex digits. */
#define LIBRO_WEBHOOK_ID_MAX 19u
/* License numbers one subscription may name. */
#define LIBRO_WEBHOOK_MAX_LICENSES 1000u
/* Subscriptions one registry may hold. */
#define LIBRO_WEBHOOK_MAX 1000u
/* The first retry waits this long by default, each next one twice as long, up to
 * LIBRO_WEBHOOK_MAX_BACKOFF. */
#define LIBRO_WEBHOOK_BACKOFF_SECONDS 5u
#define LIBRO_WEBHOOK_MAX_BACKOFF 3600u
/* Failing this long without a success: the subscription reads as failing (still retried). */
#define LIBRO_WEBHOOK_FAILING_AFTER 86400
/* The default horizon of license.expiring, and the largest, in days. */
#define LIBRO_WEBHOOK_EXPIRING_DAYS 30u
#define LIBRO_WEBHOOK_MAX_EXPIRING_DAYS 3660u
/* A subscription's expiring licenses are walked at most this often (seconds). */
#define LIBRO_WEBHOOK_EXPIRY_EVERY 60
/* One attempt's whole time (connect included), and the most of a response body read. */
#define LIBRO_WEBHOOK_TIMEOUT_MS 10000u
#define LIBRO_WEBHOOK_MAX_RESPONSE 4096u

/** One subscription and its delivery state. */
typedef struct libro_webhook {
    char *id;              /* "wh_..." */
    char *url;             /* https://..., or http:// (loopback, or insecure_http) */
    char *licenses;        /* the license numbers it follows, separated by single spaces; NULL:
                              every license */
    bool insecure_http;    /* plain http to a host other than loopback was allowed */
    int64_t created_at;    /* seconds since the epoch */
    uint64_t cursor;       /* the next log leaf to consider (the log's size when created) */
    uint32_t attempts;     /* failed attempts at the event at `cursor` (0: none) */
    int64_t next_at;       /* no attempt before this time (0: at once) */
    int64_t failing_since; /* the first failure since the last success (0: none) */
    char *last_error;      /* the last failure, one line, or NULL */
    char *lease_owner;     /* the delivering process's lease, or NULL */
    int64_t lease_until;
    uint32_t expiring_within;  /* days: license.expiring this long before validUntil (0: none) */
    int64_t expiry_checked_at; /* when its last walk of the expiring licenses ended (0: never) */
} libro_webhook;

LIBRO_API void libro_webhook_clear(libro_webhook *w);
LIBRO_API void libro_webhooks_free(libro_webhook *w, size_t n);

/** "ok", "retrying" (attempts > 0), or "failing" (failing for LIBRO_WEBHOOK_FAILING_AFTER or
 *  more at `now`). */
LIBRO_API const char *libro_webhook_state(const libro_webhook *w, int64_t now);

/** Subscribe `url` to the changes of `licenses` (n of them, each a license number; n == 0:
 *  every license) from now on: the cursor starts at the log's size. `expiring_within` days
 *  (0: none; at most LIBRO_WEBHOOK_MAX_EXPIRING_DAYS, else LIBRO_ERR_INVALID_ARG): each
 *  active license of the subscription whose validUntil comes that close is sent once as
 *  license.expiring (once per validUntil). *id receives the new id
 *  (caller frees with libro_free). The URL must pass libro_http_url_check, except that
 *  `insecure_http` allows plain http to any host; LIBRO_ERR_INVALID_ARG or LIBRO_ERR_DENIED
 *  with the reason otherwise, LIBRO_ERR_LIMIT past LIBRO_WEBHOOK_MAX_LICENSES or
 *  LIBRO_WEBHOOK_MAX, LIBRO_ERR_INVALID_ARG for a malformed or repeated number. */
LIBRO_API LIBRO_NODISCARD libro_code libro_webhook_add(char **id, libro_registry *r,
                                                       const char *url, const char *const *licenses,
                                                       size_t n, bool insecure_http,
                                                       unsigned expiring_within, int64_t now,
                                                       libro_error *err);

/** Every subscription, oldest first. Caller frees with libro_webhooks_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_webhook_list(libro_webhook **out, size_t *n,
                                                        libro_registry *r, libro_error *err);

/** Remove subscription `id`: LIBRO_ERR_NOT_FOUND when there is none. */
LIBRO_API LIBRO_NODISCARD libro_code libro_webhook_remove(libro_registry *r, const char *id,
                                                          libro_error *err);

/** The public key receivers verify with, as Standard Webhooks writes one: "whpk_" and the
 *  standard base64 of the raw Ed25519 public key (appended to `out`). LIBRO_ERR_UNSUPPORTED
 *  for a key that is not Ed25519. */
LIBRO_API LIBRO_NODISCARD libro_code libro_webhook_public_key(libro_buf *out, const libro_key *key,
                                                              libro_error *err);

/** How a delivery thread runs. Start from LIBRO_WEBHOOK_SENDER_OPTIONS_INIT. */
typedef struct libro_webhook_sender_options {
    unsigned version;         /* LIBRO_WEBHOOK_SENDER_OPTIONS_VERSION */
    const char *db_path;      /* the registry database (its own handle is opened) */
    const libro_key *key;     /* the registry key (Ed25519); borrowed: outlives the sender */
    unsigned backoff_seconds; /* the first retry's delay (1 to LIBRO_WEBHOOK_MAX_BACKOFF) */
    unsigned poll_ms;         /* how often the log is looked at (50 to 60000) */
    /* One line per failed attempt and per thread error (no URL credentials, no secret). */
    void (*log)(void *log_ctx, const char *line);
    void *log_ctx;
} libro_webhook_sender_options;

#define LIBRO_WEBHOOK_SENDER_OPTIONS_VERSION 1u
#define LIBRO_WEBHOOK_SENDER_OPTIONS_INIT                                                          \
    {                                                                                              \
        LIBRO_WEBHOOK_SENDER_OPTIONS_VERSION, NULL, NULL, LIBRO_WEBHOOK_BACKOFF_SECONDS, 1000u,    \
            NULL, NULL                                                                             \
    }

typedef struct libro_webhook_sender libro_webhook_sender; /* opaque */

/** Start the delivery thread: LIBRO_ERR_INVALID_ARG for bad options, LIBRO_ERR_UNSUPPORTED
 *  for a key that is not Ed25519, the codes of libro_registry_open. LIBRO_OK: caller owns
 *  *out (libro_webhook_sender_stop). */
LIBRO_API LIBRO_NODISCARD libro_code libro_webhook_sender_start(
    libro_webhook_sender **out, const libro_webhook_sender_options *opt, libro_error *err);

/** Stop the thread (an attempt under way ends within its timeout) and release it. NULL is a
 *  no-op. */
LIBRO_API void libro_webhook_sender_stop(libro_webhook_sender *s);

#endif
