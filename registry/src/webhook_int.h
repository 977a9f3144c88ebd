/* libro_registry: webhook internals shared by webhook.c, webhook_sender.c and the check suite
 * (not API). */
#ifndef LIBRO_WEBHOOK_INT_H
#define LIBRO_WEBHOOK_INT_H

#include <stdarg.h>
#include <stdatomic.h>

#include "libro/webhook.h"

/* A claim holds a subscription this long; each saved step renews it. An attempt takes at most
 * LIBRO_WEBHOOK_TIMEOUT_MS, so a live process never loses a lease it is using. */
#define LIBRO_WEBHOOK__LEASE_SECONDS 300
/* Events one subscription is sent in one pass, so that one busy endpoint does not hold up
 * the others for long. */
#define LIBRO_WEBHOOK__PASS_EVENTS 64u

/** What a delivery pass needs (all borrowed). */
typedef struct libro_webhook_pass {
    const libro_key *key;     /* the registry key (Ed25519) */
    const char *registry_id;  /* the registry's id, in each event's data */
    const char *owner;        /* this process's lease name */
    unsigned backoff_seconds; /* the first retry's delay */
    const atomic_bool *stop;  /* set: end the pass after the attempt under way (NULL: never) */
    int64_t (*clock)(void);   /* the time of each attempt (NULL: the pass's `now` throughout) */
    void (*log)(void *log_ctx, const char *line);
    void *log_ctx;
} libro_webhook_pass;

/** `prefix` and 16 hex digits from the CSPRNG into out[size] (subscription ids, lease
 *  names). */
LIBRO_NODISCARD libro_code libro_webhook__random_name(char *out, size_t size, const char *prefix,
                                                      libro_error *err);

/** The delay before retry number `attempts` (1: the first): base, doubled each time, at most
 *  LIBRO_WEBHOOK_MAX_BACKOFF. */
int64_t libro_webhook__backoff(unsigned base, uint32_t attempts);

/** The event of log leaf `index` (its JSON, len bytes) as a webhook body, appended to `body`:
 *  *match false (nothing appended) for a leaf that is not a license event or whose license
 *  is not in the space-separated `filter` (NULL: every license). The codes of
 *  libro_watch_leaf_event for a leaf that does not parse. */
LIBRO_NODISCARD libro_code libro_webhook__event(libro_buf *body, bool *match, const char *filter,
                                                const char *leaf, size_t len, uint64_t index,
                                                const char *registry_id, libro_error *err);

/* A webhook-id: "msg_<leaf>" for a log event, "exp_<64 hex digits>" for an expiry. */
#define LIBRO_WEBHOOK__MSG_ID_MAX 69u
/* Expiring licenses read from the store at a time, in a subscription's expiry walk. */
#define LIBRO_WEBHOOK__EXPIRY_PAGE 64u

/** The license.expiring event of `license`, active and valid until `valid_until`, found at
 *  `now`, as a webhook body appended to `body`, and its webhook-id in msg_id: "exp_" and the
 *  SHA-256 (hex) of "<license>.<valid_until>". */
LIBRO_NODISCARD libro_code libro_webhook__expiry_event(libro_buf *body,
                                                       char msg_id[LIBRO_WEBHOOK__MSG_ID_MAX],
                                                       const char *license, int64_t valid_until,
                                                       int64_t now, const char *registry_id,
                                                       libro_error *err);

/** "v1a," and the standard base64 of the Ed25519 signature of "<msg_id>.<ts>.<body>",
 *  appended to `out`. */
LIBRO_NODISCARD libro_code libro_webhook__signature(libro_buf *out, const libro_key *key,
                                                    const char *msg_id, int64_t ts,
                                                    const void *body, size_t len, libro_error *err);

/** One delivery pass at time `now`: if any subscription is due (its cursor behind the log,
 *  or its expiry walk LIBRO_WEBHOOK_EXPIRY_EVERY old; its next attempt due, no other
 *  process's lease on it), claim one at a time (a lease, taken in a transaction) and send it
 *  its events from its cursor, saving the cursor after each success, and the attempt count
 *  and next time after a failure (which ends that subscription's pass); each subscription at
 *  most once a pass. Once its cursor is at the log's end, a subscription with an expiry
 *  horizon walks the expiring licenses (libro_registry__expiring_after, a page at a time) and
 *  sends license.expiring for each of its licenses that libro_watch_expiry_upcoming names
 *  and that was not sent for that validUntil, recording each in the save of its success; a
 *  walk that ends (no failure, no more than LIBRO_WEBHOOK__PASS_EVENTS sent) is stamped. *sent: the
 * events delivered. Store codes; those of libro_watch_leaf_event for a leaf that does not parse. */
LIBRO_NODISCARD libro_code libro_webhook__deliver(libro_registry *r, const libro_webhook_pass *p,
                                                  int64_t now, unsigned *sent, libro_error *err);

#endif
