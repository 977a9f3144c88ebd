/* libro_registry: reminders by e-mail before things expire (docs/operations.md, "Reminders"):
 * licenses before their validUntil and when their renewal window opens, mandates before their
 * term ends, laws before their review date. The registry keeps the contacts they go to,
 * privately (never in a credential, a page, the log or an API answer), and records each
 * reminder claimed and sent, so that each is sent once. */
#ifndef LIBRO_REMINDERS_H
#define LIBRO_REMINDERS_H

#include "libro/registry.h"

/** What a contact and a reminder are about. */
typedef enum libro_reminder_kind {
    LIBRO_REMIND_LICENSE = 1,     /* subject: a license number; to its holder */
    LIBRO_REMIND_MANDATE = 2,     /* subject: a mandate id; to its holder */
    LIBRO_REMIND_LAW_REVIEWS = 3, /* contact subject "": whoever prepares the community's law
                                     reviews; a reminder's subject: the law id */
} libro_reminder_kind;

/** "license", "mandate", "law"; NULL outside the enum. */
LIBRO_API const char *libro_reminder_kind_name(libro_reminder_kind k);

/** Set (email not NULL: insert or replace) or remove (email NULL) the contact of `subject`
 *  (a license number or a mandate id that the registry holds: LIBRO_ERR_NOT_FOUND; NULL or ""
 *  for LIBRO_REMIND_LAW_REVIEWS), in one write transaction. The address must pass
 *  libro_email_check (LIBRO_ERR_INVALID_ARG). Removing a contact that is not there:
 *  LIBRO_ERR_NOT_FOUND. No log leaf: contacts are private. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_contact_set(libro_registry *r,
                                                                libro_reminder_kind kind,
                                                                const char *subject,
                                                                const char *email, int64_t now,
                                                                libro_error *err);
/** The contact of (kind, subject); caller frees *email (libro_free). LIBRO_ERR_NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_contact_get(libro_registry *r, char **email,
                                                                libro_reminder_kind kind,
                                                                const char *subject,
                                                                libro_error *err);

/* The thresholds a run takes: at most this many, each 1..LIBRO_REMINDERS_MAX_DAYS days. */
#define LIBRO_REMINDERS_MAX_THRESHOLDS 8u
#define LIBRO_REMINDERS_MAX_DAYS 3660u
/* The threshold of "the renewal window opens" (a license type's renewalWindowDays). */
#define LIBRO_REMINDER_WINDOW (-1)

/** One reminder due. */
typedef struct libro_reminder {
    libro_reminder_kind kind;
    char *subject;      /* license number, mandate id, law id */
    char *name;         /* holder's name (license, mandate) or the law's title */
    char *what;         /* license type id, the mandate's office ("chair", ...) or "law" */
    int64_t due;        /* validUntil, the term's end, the review date */
    int threshold;      /* days before `due`, or LIBRO_REMINDER_WINDOW */
    int64_t at;         /* when it fell due: due - threshold days (or - the window) */
    int64_t renew_from; /* licenses: when renewal opens (due - the window); else 0 */
    char *requirements; /* licenses: the type's renewal requirements as text ("" for none) */
    char *to;           /* the contact; NULL when none is recorded (then it cannot be sent) */
} libro_reminder;

LIBRO_API void libro_reminders_free(libro_reminder *v, size_t n);

/** The reminders due at `now` and not yet recorded as sent, licenses (by validUntil), then
 *  mandates (by term end), then laws (by review date). `days`: the thresholds (n_days of them,
 *  1..LIBRO_REMINDERS_MAX_THRESHOLDS, each 1..LIBRO_REMINDERS_MAX_DAYS, else
 *  LIBRO_ERR_INVALID_ARG). A subject is due at each threshold t with due - t days <= now <
 *  due, and for a license also once its renewal window has opened (due - window <= now, for
 *  a window > 0); of those that passed, only the last (the latest `at`; the window on a tie)
 *  is returned, and nothing when that one was sent already (one that another run is sending
 *  is returned; a renewal moves `due`, so the next cycle is due anew). Only active licenses (not
 * suspended, expired, revoked, surrendered or lapsed), mandates in office with no successor, and
 * laws in force. Read from one snapshot. Caller frees *out (libro_reminders_free). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_reminders_due(libro_registry *r,
                                                                  libro_reminder **out, size_t *n,
                                                                  const unsigned *days,
                                                                  size_t n_days, int64_t now,
                                                                  libro_error *err);

/** Sends one reminder (the RFC 5322 message of libro_reminder_message); LIBRO_OK once the
 *  server accepted it. */
typedef libro_code (*libro_reminder_send_fn)(void *ctx, const libro_reminder *rem,
                                             libro_error *err);

/* How long a claim on a reminder holds (libro_registry_reminder_send): a claim older than this
 * is taken to be a run that died or hung, and another run takes it over. Far longer than one
 * send may take (LIBRO_SMTP_DEFAULT_TIMEOUT_MS, 30 s). */
#define LIBRO_REMINDER_LEASE_SECONDS 600

/** What libro_registry_reminder_send did, when it returned LIBRO_OK. */
typedef enum libro_reminder_outcome {
    LIBRO_REMINDER_SENT = 1,         /* sent by this call, and recorded as sent */
    LIBRO_REMINDER_ALREADY_SENT = 2, /* recorded as sent before: nothing sent */
    LIBRO_REMINDER_BEING_SENT = 3,   /* another run's claim (younger than the lease) holds
                                        it: nothing sent */
} libro_reminder_outcome;

/** Send `rem` (from libro_registry_reminders_due, with a contact: LIBRO_ERR_INVALID_ARG
 *  without) through `send`, at most once however many runs try at the same time, with no
 *  transaction open while `send` runs, so the registry's writes go on meanwhile:
 *  1. claim it, in a short write transaction: its record is created in state "sending" with
 *     a random claim token and the time `now` (or, when another run's claim is older than
 *     LIBRO_REMINDER_LEASE_SECONDS, that claim is taken over); committed;
 *  2. `send` it, no transaction open;
 *  3. mark it "sent" at `now`, only if the claim is still this call's; committed.
 *  A failed send deletes the claim (its code and message are returned; the next run tries
 *  again). LIBRO_OK with *outcome: LIBRO_REMINDER_SENT, or, with nothing sent,
 *  LIBRO_REMINDER_ALREADY_SENT or LIBRO_REMINDER_BEING_SENT. A reminder is sent at least
 *  once and, barring a crash (or a failed write) between the send and its mark, exactly
 *  once: then the claim stays "sending" and is sent again once the lease has run out (a
 *  failed mark returns the store's code, "sent but not recorded"; a claim taken over during
 *  a send that outlived the lease, LIBRO_ERR_EXISTS; after those two *outcome is
 *  LIBRO_REMINDER_SENT). `now` is the clock at the call, not
 *  the start of a long run: the lease is counted from it. Not inside a group
 *  (LIBRO_ERR_INVALID_ARG). Safe on separate handles at once. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_reminder_send(
    libro_registry *r, libro_reminder_outcome *outcome, const libro_reminder *rem, int64_t now,
    libro_reminder_send_fn send, void *ctx, libro_error *err);

/** The e-mail of `rem` from `from` to rem->to, dated `now`, appended to `out`: the headers
 *  Date, From, To, Subject, Message-ID (random, at the domain of `from`), MIME-Version and
 *  Content-Type (text/plain; charset=UTF-8; 8bit), then a body in plain text saying what
 *  expires when and what to do (for a license: renew from when, the type's requirements).
 *  Lines end CRLF, none over 998 bytes. Header values must be printable ASCII
 *  (LIBRO_ERR_INVALID_ARG: a CR or LF, or anything else, in an address or a subject); names
 *  in the body are UTF-8 with control characters replaced by '?'. */
LIBRO_API LIBRO_NODISCARD libro_code libro_reminder_message(libro_buf *out,
                                                            const libro_reminder *rem,
                                                            const char *from, int64_t now,
                                                            libro_error *err);

/** The subject line of `rem`'s e-mail ("License N-1 expires on 2027-01-01"), appended to
 *  `out`; what --dry-run shows. */
LIBRO_API LIBRO_NODISCARD libro_code libro_reminder_subject(libro_buf *out,
                                                            const libro_reminder *rem,
                                                            libro_error *err);

#endif
