/* libro_registry internals shared by its files and its check suites (not API). */
#ifndef LIBRO_REGISTRY_INT_H
#define LIBRO_REGISTRY_INT_H

#include "libro/api.h"
#include "libro/limits.h"
#include "libro/registry.h"
#include "store.h"

/* Longest request id (jti) of a signed API request. */
#define LIBRO_REGISTRY_MAX_JTI LIBRO_REQUEST_MAX_JTI

/* Issuer authorizations a handle keeps parsed (libro_registry__issuer_credential). */
#define LIBRO_REGISTRY__AUTH_MEMO 4u

/** One parsed issuer authorization, kept with the exact stored text it was parsed from: a
 *  later read of a row with the same text reuses it, any other text is parsed anew. */
typedef struct libro_registry__auth_memo {
    char *jws;
    libro_credential *cred;
    uint64_t used; /* the handle's tick when last used: the least recent is replaced */
} libro_registry__auth_memo;

struct libro_registry {
    libro_store store;
    char *charter;
    libro_credential *community; /* `charter` parsed once, for the rules of every write */
    char *authorization;
    bool read_only; /* opened read-only on purpose (libro_registry_open_read_only) */
    /* A server keeps its handles for its life and every signed write names its issuer: the
     * row is still read every time, only its parse is kept (rules and windows are checked at
     * each use). */
    libro_registry__auth_memo auth_memo[LIBRO_REGISTRY__AUTH_MEMO];
    uint64_t auth_tick;
    bool grouped; /* a group is open (libro_registry__group_begin): its owner retries it */
};

#define LIBRO_REGISTRY_MAX_EVIDENCE_NAME 64u
/* Evidence items one renewal may record. */
#define LIBRO_REGISTRY_MAX_EVIDENCE 32u
/* Actor and reason strings: UTF-8 without control characters, at most this long. */
#define LIBRO_REGISTRY_MAX_TEXT 200u
/* How far before "now" a renewed credential's validFrom may lie (clock skew between the
 * issuer that signed it and the registry). */
#define LIBRO_REGISTRY_SKEW_SECONDS INT64_C(300)
/* The actor the clock's events (expire, lapse) are recorded under. */
#define LIBRO_REGISTRY_CLOCK_ACTOR "registry"

/** Room for one more element of `size` bytes in *list (of *cap, holding `count`): doubled
 *  when full. LIBRO_ERR_NOMEM (or LIBRO_ERR_LIMIT past SIZE_MAX), *list unchanged. */
LIBRO_NODISCARD libro_code libro_registry__grow(void **list, size_t *cap, size_t count, size_t size,
                                                libro_error *err);

/** Verify the compact JWS `token` with `key` (the codes of libro_jws_parse and
 *  libro_jws_verify); `what` prefixes a failure. */
LIBRO_NODISCARD libro_code libro_registry__verify_token(const char *token, const libro_key *key,
                                                        const char *what, libro_error *err);

/** [a-z0-9_], 1..64 bytes. */
bool libro_registry__evidence_name_ok(const char *p, size_t len);

/** The list pair a reservation goes to: `current` (the highest pair in use, 0 when none),
 *  holding `used` of `entries` indexes. A list is closed once 7/8 of it is used: random probing
 *  needs 1/(1 - fill) attempts on average, so capping the fill bounds the retries (8 on average
 *  at the cap), and the unused eighth keeps every published list a crowd the set bits hide in.
 *  LIBRO_ERR_LIMIT when the pair numbers run out. */
LIBRO_NODISCARD libro_code libro_registry__pick_list(uint32_t *list, uint32_t current,
                                                     uint64_t used, uint64_t entries,
                                                     libro_error *err);

/** A uniformly random index in [0, entries) from the CSPRNG (rejection sampling: no modulo
 *  bias). `entries` must be at least 1. */
LIBRO_NODISCARD libro_code libro_registry__random_index(uint32_t *out, uint32_t entries,
                                                        libro_error *err);

/** libro_registry_reserve_status with lists of `entries` indexes instead of
 *  LIBRO_STATUS_LIST_MIN_ENTRIES, so that the rollover can be tested on small lists. Use one
 *  size per database. */
LIBRO_NODISCARD libro_code libro_registry__reserve(libro_registry *r, const libro_request_id *req,
                                                   uint32_t entries, uint32_t *list,
                                                   uint32_t *index, libro_error *err);

/** libro_registry__reserve in the status lists of `space` (licenses or mandates). */
LIBRO_NODISCARD libro_code libro_registry__reserve_in(libro_registry *r,
                                                      const libro_request_id *req,
                                                      libro_store_space space, uint32_t entries,
                                                      uint32_t *list, uint32_t *index,
                                                      libro_error *err);
/** libro_registry_status_bits in the status lists of `space`. */
LIBRO_NODISCARD libro_code libro_registry__status_bits_in(libro_registry *r,
                                                          libro_store_space space,
                                                          struct libro_bitstring *out,
                                                          uint32_t list, int purpose,
                                                          libro_error *err);
/** How many lists of `space` are in use (0 when no index was ever reserved there, else the
 *  highest list with a reserved index + 1). */
LIBRO_NODISCARD libro_code libro_registry__lists_in_use(libro_registry *r, libro_store_space space,
                                                        uint64_t *count, libro_error *err);
/** Told of each status change (space, list, index, purpose, value) with the list's version
 *  after it (the store's status_versions), once the change's transaction committed, in the
 *  order the changes were made; a rolled-back change is never told. Called on the thread that
 *  committed, while the registry is in use there: it must not call back into `r`. */
typedef libro_store_status_observer libro_registry__status_fn;
/** Install the observer of `r`'s status changes (fn NULL removes it); not while a transaction
 *  is open on `r`. */
void libro_registry__set_status_observer(libro_registry *r, libro_registry__status_fn fn,
                                         void *ctx);
/** Every status list's version (lists never changed have none: version 0); caller frees *out
 *  with libro_free. */
LIBRO_NODISCARD libro_code libro_registry__status_versions(libro_registry *r,
                                                           libro_store_status_version **out,
                                                           size_t *n, libro_error *err);
/** libro_registry_publish_list over `bits` the caller holds (the server's lists in memory)
 *  instead of the registry's: the same rules, checks and codes. */
LIBRO_NODISCARD libro_code libro_registry__publish_bits(
    libro_buf *jws_out, bool *signed_now, libro_published_list *last,
    const struct libro_bitstring *bits, const libro_key *registry_key,
    const libro_credential *authorization, const libro_publish_options *opt, libro_error *err);
/** Whether the list `last` describes is young enough at `now_ms` that publishing the same bits
 *  signs nothing (libro_registry_publish_list's refresh rule); false when none was signed. */
bool libro_registry__published_fresh(const libro_published_list *last, int64_t now_ms);
/** libro_registry__last_list in the status lists of `space`. */
LIBRO_NODISCARD libro_code libro_registry__last_list_in(libro_registry *r, libro_store_space space,
                                                        uint32_t *list, libro_error *err);

/** The credential's status entries name (list, index) of the registry's lists in `space`
 *  (URLs ending "/<list>/<purpose>", or "/mandates/<list>/<purpose>" for a mandate), all three
 *  on a mandate, so that the bits the registry sets are those verifiers read. LIBRO_ERR_DENIED
 *  otherwise. */
LIBRO_NODISCARD libro_code libro_registry__check_entries(const libro_credential *c,
                                                         libro_store_space space, uint32_t list,
                                                         uint32_t index, libro_error *err);

/** Write the three statuses of (list, index) in `space`, inside the caller's write
 *  transaction: the revocation and suspension bits and the message list's word (0 clears
 *  each). Every change writes all three, so they follow the record whatever they were. */
LIBRO_NODISCARD libro_code libro_registry__set_status(libro_registry *r, libro_store_space space,
                                                      uint32_t list, uint32_t index, bool revoked,
                                                      bool suspended, unsigned word,
                                                      libro_error *err);

/** PRAGMA integrity_check (or the backend's equivalent): LIBRO_ERR_IO naming the first
 *  problem. */
LIBRO_NODISCARD libro_code libro_registry__integrity_check(libro_registry *r, libro_error *err);

/** UTF-8 without control characters, `min`..LIBRO_REGISTRY_MAX_TEXT bytes; LIBRO_ERR_INVALID_ARG
 *  naming `what`. */
LIBRO_NODISCARD libro_code libro_registry__text_check(const char *s, const char *what, size_t min,
                                                      libro_error *err);

/** The structural parse of a stored or submitted credential (well-formed vc+jwt, a kid naming
 *  the issuer, a payload libro_credential_parse accepts); the signature is not checked. For
 *  the registry's own records, such as its authorization. Caller frees *out. */
LIBRO_NODISCARD libro_code libro_registry__parse_credential(libro_credential **out,
                                                            const char *token, libro_error *err);

/** The highest status list pair with a reserved index (0 when none): the lists the registry
 *  publishes are 0..*list. */
LIBRO_NODISCARD libro_code libro_registry__last_list(libro_registry *r, uint32_t *list,
                                                     libro_error *err);

/** libro_registry_issuer_authorization's credential, parsed: *out is borrowed from the
 *  handle's memo and stays valid until the handle is closed or this is called again on it. */
LIBRO_NODISCARD libro_code libro_registry__issuer_credential(libro_registry *r,
                                                             const libro_credential **out,
                                                             const char *kid, int64_t now,
                                                             libro_error *err);
/** Forget the handle's parsed issuer authorizations (libro_registry_close). */
void libro_registry__auth_memo_clear(libro_registry *r);
/** Whether a request id is already recorded (a replay, before any other check refuses it, or
 *  after a write failed with LIBRO_ERR_EXISTS: whether the id was what existed). */
LIBRO_NODISCARD libro_code libro_registry__request_known(libro_registry *r, const char *jti,
                                                         bool *known, libro_error *err);
/** Record the request's id in a transaction of its own, with no other change: for a request
 *  that was refused, so that it can never take effect later. LIBRO_ERR_EXISTS when it was
 *  recorded already. */
LIBRO_NODISCARD libro_code libro_registry__spend_request(libro_registry *r,
                                                         const libro_request_id *req,
                                                         libro_error *err);

/** Begin a write transaction (BEGIN IMMEDIATE) and record in it the id of `req`, the request
 *  the write carries out (NULL: none); on failure no transaction is open. The codes of
 *  libro_request_id. */
LIBRO_NODISCARD libro_code libro_registry__write_begin(libro_registry *r,
                                                       const libro_request_id *req,
                                                       libro_error *err);

/** Whether a write of `r` that ended with `rc` on attempt *attempt (0: the first) runs again
 *  from its start (libro_retry__again: after LIBRO_ERR_CONFLICT, at most LIBRO_RETRY_ATTEMPTS
 *  attempts, after a back-off). Never inside a group: a conflict loses the whole group's
 *  transaction, and the group's owner runs it again. */
bool libro_registry__retrying(libro_registry *r, libro_code rc, unsigned *attempt,
                              libro_error *err);
/** Set `rc` to the code of `call` (an expression: one whole write, from its write_begin to its
 *  commit), run again while libro_registry__retrying says so. Each public single write runs
 *  through it: an attempt starts from nothing the failed one left (its transaction, the
 *  request id it spent, are rolled back with it). */
#define LIBRO_REGISTRY__RETRY(rc, r, err, call)                                                    \
    do {                                                                                           \
        unsigned retry_attempt_ = 0;                                                               \
        do {                                                                                       \
            (rc) = (call);                                                                         \
        } while (libro_registry__retrying((r), (rc), &retry_attempt_, (err)));                     \
    } while (0)

/** Append the log leaf `leaf` (a JSON object, borrowed; NULL: LIBRO_ERR_NOMEM, as from a
 *  json_pack that failed) inside the caller's write transaction. */
struct json_t;
LIBRO_NODISCARD libro_code libro_registry__log_leaf(libro_registry *r, struct json_t *leaf,
                                                    libro_error *err);
/** `t` as a JSON string "YYYY-MM-DDTHH:MM:SSZ" (NULL when out of range or out of memory, which
 *  json_pack's "o" then reports). */
struct json_t *libro_registry__time_json(int64_t t);
/** "sha256:" + base64url of the SHA-256 of `s`, as leaves name the credentials they record. */
LIBRO_NODISCARD libro_code libro_registry__digest(char out[64], const char *s, libro_error *err);

/** Inside libro_registry_tick's transaction: set the status bits of mandates replaced by a
 *  successor whose validFrom has come (by `now`), a log leaf each, counted in *changed. */
LIBRO_NODISCARD libro_code libro_registry__tick_mandates(libro_registry *r, int64_t now,
                                                         size_t *changed, libro_error *err);

/** Who signed a roundtable request (docs/formats.md, "Signed API requests"). */
typedef enum libro_registry_signer_kind {
    LIBRO_SIGNER_COMMUNITY = 1, /* the registry's community (the key of its own charter) */
    LIBRO_SIGNER_SEAT = 2,      /* a member community (the key of a seat's charter) */
    LIBRO_SIGNER_PARENT = 3,    /* the parent (the key of the charter above the registry's own) */
    LIBRO_SIGNER_HOLDER = 4,    /* a person, by their did:key */
} libro_registry_signer_kind;

typedef struct libro_registry_signer {
    libro_registry_signer_kind kind;
    char *id;       /* the community id, or the did:key */
    libro_key *key; /* its public key */
} libro_registry_signer;

void libro_registry__signer_clear(libro_registry_signer *s);

/** Resolve the kid of a roundtable request, "<id>#<thumbprint>": a did:key id is a holder (the
 *  key is the did's, and the thumbprint must be its thumbprint); any other id must be the
 *  subject of the registry's own charter, of a seat's charter or of the parent's charter in
 *  the chain, with the thumbprint of that charter's key, and that charter valid at `now`.
 *  LIBRO_ERR_NOT_FOUND for a kid no charter or did names (or a thumbprint of another key),
 *  LIBRO_ERR_EXPIRED / LIBRO_ERR_NOT_YET_VALID for a charter not valid now, LIBRO_ERR_PARSE
 *  for a malformed kid. Caller clears *out. */
LIBRO_NODISCARD libro_code libro_registry__roundtable_signer(libro_registry *r,
                                                             libro_registry_signer *out,
                                                             const char *kid, int64_t now,
                                                             libro_error *err);

/** Append a license event and its log leaf (inside the caller's write transaction). */
LIBRO_NODISCARD libro_code libro_registry__record_event(libro_registry *r, const char *number,
                                                        const libro_store_event *ev,
                                                        libro_error *err);
/** The log leaf of a license type definition (inside the caller's write transaction). */
LIBRO_NODISCARD libro_code libro_registry__log_type(libro_registry *r, const libro_license_type *t,
                                                    const char *requirements, const char *actor,
                                                    libro_error *err);

/** libro_registry_expiring_each, only the licenses after (after_until, after_number) in its
 *  order (by valid_until, then number): the page that follows one that ended there. */
LIBRO_NODISCARD libro_code libro_registry__expiring_after(
    libro_registry *r, int64_t now, int64_t within, int64_t after_until, const char *after_number,
    bool with_credential, libro_license_record_fn fn, void *ctx, libro_error *err);

/** Records collected from a streaming read (libro_registry__records_keep). */
typedef struct libro_registry__records {
    libro_license_record *list;
    size_t count;
    size_t cap;
} libro_registry__records;

/** A libro_license_record_fn that appends a copy of `rec` to the libro_registry__records
 *  `ctx` (on failure too the copies made so far stay there, for
 *  libro_license_records_free(list, count)). LIBRO_ERR_NOMEM. */
LIBRO_NODISCARD libro_code libro_registry__records_keep(void *ctx, const libro_license_record *rec,
                                                        libro_error *err);

/** LIBRO_ERR_NOMEM, "out of memory": the one wording of every registry source file. */
libro_code libro_registry__nomem(libro_error *err);
/** A copy of `s` (NULL for NULL, or when out of memory: the caller tells the two apart). */
char *libro_registry__dup_or_null(const char *s);

#endif
