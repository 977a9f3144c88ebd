/* libro_registry: an employer's watch of the licenses it employs (libro-watch(1)). The
 * registry's log says what changed: each leaf of type "license" becomes an employer-facing
 * event (libro_watch_leaf_event), and libro_watch_run reads only the leaves added since the
 * last run, after checking that the log it reads extends the one it saw (the checkpoint's
 * signature by the registry key, then a consistency proof), and says which rostered
 * licenses expire soon. */
#ifndef LIBRO_WATCH_H
#define LIBRO_WATCH_H

#include "libro/buf.h"
#include "libro/key.h"
#include "libro/registry.h"

/* The most lines a roster may have (comments and blank lines count). */
#define LIBRO_WATCH_MAX_ROSTER_LINES 10000u
/* The largest roster file read. */
#define LIBRO_WATCH_MAX_ROSTER_BYTES (1024u * 1024u)
/* The largest state file read (a roster's worth of licenses). */
#define LIBRO_WATCH_MAX_STATE_BYTES (4u * 1024u * 1024u)
/* The largest leaf read from a registry (a license leaf is a few hundred bytes). */
#define LIBRO_WATCH_MAX_LEAF_BYTES (64u * 1024u)
/* The most leaves one page of GET /v1/log/leaves?start=N&count=M holds. */
#define LIBRO_LOG_MAX_PAGE 256u
/* The largest such page a reader takes. */
#define LIBRO_LOG_MAX_PAGE_BYTES (4u * 1024u * 1024u)
/* A reason category word ("administrative" is the longest of today's seven). */
#define LIBRO_WATCH_MAX_CATEGORY_BYTES 32u

typedef enum libro_watch_kind {
    LIBRO_WATCH_CHANGE = 1,   /* a license leaf of the log: `action` happened `at` */
    LIBRO_WATCH_UPCOMING = 2, /* an active license whose validUntil is within the window */
    LIBRO_WATCH_BASELINE = 3, /* first sight of a rostered license: its state now */
    LIBRO_WATCH_NOT_FOUND = 4 /* first sight of a rostered number the registry does not hold */
} libro_watch_kind;

/** One thing an employer is told. */
typedef struct libro_watch_event {
    libro_watch_kind kind;
    char license[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
    libro_action action; /* CHANGE: the leaf's action; else 0 */
    int64_t at;          /* CHANGE: the leaf's time; else the time of the run */
    /* CHANGE: the leaf's reason category (conduct, competence, ...), "" when it has none */
    char category[LIBRO_WATCH_MAX_CATEGORY_BYTES + 1];
    libro_license_state state; /* the state after (CHANGE: the leaf's "to"); 0 for NOT_FOUND */
    uint32_t version;          /* CHANGE: the leaf's version; else the record's (0: unknown) */
    uint64_t leaf;             /* CHANGE: the leaf's index in the log; else 0 */
    int64_t valid_until;       /* UPCOMING, BASELINE: the record's; else 0 */
} libro_watch_event;

/** The words of `k`: "change", "upcoming-expiry", "baseline", "not-found"; NULL for others. */
LIBRO_API const char *libro_watch_kind_name(libro_watch_kind k);

/** The "upcoming expiry" rule of libro watch and the webhooks' license.expiring: whether a
 *  license in `state`, valid until `valid_until` (0: unknown), is to be told as expiring soon at
 *  `now` with a horizon of `within` seconds: it is active and its validUntil is at most
 *  `within` after `now`. Thread-safe. */
LIBRO_API bool libro_watch_expiry_upcoming(libro_license_state state, int64_t valid_until,
                                           int64_t now, int64_t within);

/** Turn leaf[0..len) (a log leaf's exact text, docs/formats.md "The registry log"), leaf
 *  `index` of the log, into an employer event. *relevant is false (and *out zeroed) for a
 *  leaf of another type than "license"; for a license leaf it is true and *out is the
 *  CHANGE: the license number, the action, `at`, the category when the leaf carries one, the
 *  state after ("to") and the version. At most LIBRO_WATCH_MAX_LEAF_BYTES (LIBRO_ERR_LIMIT);
 *  LIBRO_ERR_PARSE for text that is not a JSON object with a string "type", or a license
 *  leaf whose license, action, to, at, version or category is missing or not of its form (an
 *  unknown action or state word, a number outside the number rule, a category that is not
 *  a lowercase word). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_watch_leaf_event(libro_watch_event *out, bool *relevant,
                                                            const char *leaf, size_t len,
                                                            uint64_t index, libro_error *err);

/** Parse a roster: text[0..len), one license number per line; blank lines and lines whose
 *  first non-blank character is '#' are skipped, spaces and tabs around a number (and a CR
 *  before the newline) are ignored, and a number given twice counts once. At most
 *  LIBRO_WATCH_MAX_ROSTER_LINES lines and LIBRO_WATCH_MAX_ROSTER_BYTES (LIBRO_ERR_LIMIT);
 *  LIBRO_ERR_PARSE "line N: not a license number ([A-Za-z0-9._-], at most 64)". LIBRO_OK:
 *  caller frees *out (libro_watch_roster_free), sorted, *n of them (0 for an empty roster). */
LIBRO_API LIBRO_NODISCARD libro_code libro_watch_roster_parse(char ***out, size_t *n,
                                                              const char *text, size_t len,
                                                              libro_error *err);
LIBRO_API void libro_watch_roster_free(char **numbers, size_t n);

#define LIBRO_WATCH_OPTIONS_VERSION 1u

/** What a run watches, and where it keeps what it saw. */
typedef struct libro_watch_options {
    unsigned version;           /* LIBRO_WATCH_OPTIONS_VERSION */
    const char *url;            /* the registry's base URL (https://, or http:// to loopback) */
    const char *registry;       /* its id: the checkpoint's origin and key name */
    const libro_key *key;       /* its key, which signs the checkpoints (from the trust store) */
    const char *const *numbers; /* the roster (libro_watch_roster_parse) */
    size_t n_numbers;
    const char *state_path; /* the state file (libro_watch_state_path) */
    int64_t within;         /* seconds: an active license whose validUntil is within this
                               of `now` is an upcoming expiry */
    int64_t now;            /* the time of the run */
    const char *ca_file;    /* PEM CAs instead of the system's, or NULL */
} libro_watch_options;

#define LIBRO_WATCH_OPTIONS_INIT                                                                   \
    {                                                                                              \
        LIBRO_WATCH_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, NULL                   \
    }

/** What a run found. */
typedef struct libro_watch_result {
    bool first;                /* no state before: the events are the baseline */
    uint64_t from;             /* the log's size at the last run (0 on the first) */
    uint64_t to;               /* ... and now, at the checkpoint verified */
    libro_watch_event *events; /* in the order found: changes by leaf, then expiries */
    size_t n_events;
} libro_watch_result;

LIBRO_API void libro_watch_result_clear(libro_watch_result *r);

/** The default state file of a roster watched at `url`: `<dir>/watch/<sha256 hex of the URL
 *  (trailing '/' dropped), a newline and the roster's absolute path>.json` appended to `out`,
 *  the directory created (0700) when missing. `dir` is the trust store's directory.
 *  LIBRO_ERR_IO, LIBRO_ERR_NOMEM. */
LIBRO_API LIBRO_NODISCARD libro_code libro_watch_state_path(libro_buf *out, const char *dir,
                                                            const char *url,
                                                            const char *roster_path,
                                                            libro_error *err);

/** Run one watch, in this order:
 *  1. read the state file (absent: a first run; damaged: LIBRO_ERR_PARSE naming it);
 *  2. fetch GET <url>/v1/log/checkpoint and open it with opt->key under opt->registry
 *     (libro_checkpoint_open's codes: LIBRO_ERR_UNTRUSTED, LIBRO_ERR_BAD_SIGNATURE, ...);
 *  3. when the state saw a tree: a smaller one now is LIBRO_ERR_ROLLBACK, and the tree seen
 *     must be a prefix of this one by the consistency proof the registry serves
 *     (LIBRO_ERR_PROOF: the log forked);
 *  4. read only the leaves added since (GET /v1/log/leaves?start=N&count=M, a page of
 *     at most LIBRO_LOG_MAX_PAGE at a time), each appended to the right
 *     edge of the tree kept in the state, whose root must then be the checkpoint's
 *     (LIBRO_ERR_PROOF: the leaves served are not the log's); a license leaf of a rostered
 *     number is a CHANGE (libro_watch_leaf_event), and a renewal or issue re-reads the
 *     license's record for its new validUntil;
 *  5. a rostered number the state has not seen (all of them on a first run) is read from
 *     GET /v1/licenses/<number>: a BASELINE, or NOT_FOUND when the registry has none;
 *  6. an active license whose validUntil lies within opt->within of opt->now, not told
 *     before for that validUntil, is an UPCOMING expiry;
 *  7. the state (tree size, root, right edge, each license's state and validUntil) is
 *     written atomically (mode 0600).
 *  Nothing is written on failure, so the next run reports the same changes again.
 *  LIBRO_ERR_NETWORK for transport failures and unexpected answers. LIBRO_OK: caller clears
 *  *out (libro_watch_result_clear). */
LIBRO_API LIBRO_NODISCARD libro_code libro_watch_run(libro_watch_result *out,
                                                     const libro_watch_options *opt,
                                                     libro_error *err);

#endif
