/* libro_registry: a community's record of every license and every change to it
 * (docs/operations.md). Storage sits behind a small interface (registry/src/store.h) with SQLite as
 * the embedded default; every change is one transaction that also records who, when and why. */
#ifndef LIBRO_REGISTRY_H
#define LIBRO_REGISTRY_H

#include "libro/credential.h"
#include "libro/crypto.h"
#include "libro/merkle.h"

typedef struct libro_registry libro_registry; /* opaque; one per thread or process */

/* ---- license types ------------------------------------------------------------------------ */

#define LIBRO_MAX_REQUIREMENTS 8u

/** One renewal requirement on recorded evidence: `evidence` `op` `value`, e.g.
 *  cpd_hours >= 60. Evidence values are non-negative integers. */
typedef struct libro_requirement {
    char *evidence; /* [a-z0-9_], 1-64 bytes */
    char op[3];     /* ">=", ">", "==", "<=", "<" */
    int64_t value;
} libro_requirement;

/** A license type a community defines. */
typedef struct libro_license_type {
    char *id;                     /* as in credentials: [a-z0-9-], 1-64 bytes */
    uint32_t validity_days;       /* 1..LIBRO_MAX_VALIDITY_DAYS */
    uint32_t renewal_window_days; /* renewal allowed from this long before validUntil */
    uint32_t grace_days;          /* ... until this long after it; then the license lapses */
    libro_requirement *requirements;
    size_t n_requirements;
} libro_license_type;

/** Parse requirements text: "cpd_hours >= 60, supervised_hours >= 100" (comma-separated, all
 *  must hold; empty or blank text = none). `text` need not be NUL-terminated; at most 1024
 *  bytes and LIBRO_MAX_REQUIREMENTS items (LIBRO_ERR_LIMIT, as is a name over 64 bytes or a
 *  value over INT64_MAX). Spaces and tabs around tokens are ignored. LIBRO_ERR_PARSE naming
 *  the item ("requirement 2: empty", "requirement 1: expected an operator (>=, >, ==, <=, <)",
 *  "requirement 1: value: number has a leading zero", ...). LIBRO_OK: caller owns *out
 *  (libro_requirements_free; NULL when *n is 0); else *out is NULL and *n 0. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_requirements_parse(libro_requirement **out, size_t *n,
                                                              const char *text, size_t len,
                                                              libro_error *err);
LIBRO_API void libro_requirements_free(libro_requirement *r, size_t n);
/** The text libro_requirements_parse reads, in its one canonical form ("cpd_hours >= 60,
 *  supervised_hours >= 100"; nothing for none), appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_requirements_format(libro_buf *out,
                                                               const libro_requirement *r, size_t n,
                                                               libro_error *err);
LIBRO_API void libro_license_type_clear(libro_license_type *t);

/* ---- the lifecycle ------------------------------------------------------------------------ */

typedef enum libro_license_state {
    LIBRO_STATE_ACTIVE = 1,
    LIBRO_STATE_SUSPENDED = 2,
    LIBRO_STATE_REVOKED = 3,     /* final */
    LIBRO_STATE_EXPIRED = 4,     /* past validUntil, renewable during the grace period */
    LIBRO_STATE_LAPSED = 5,      /* past the grace period: final */
    LIBRO_STATE_SURRENDERED = 6, /* given up by the holder: final */
} libro_license_state;

typedef enum libro_action {
    LIBRO_ACTION_ISSUE = 1,
    LIBRO_ACTION_RENEW = 2,
    LIBRO_ACTION_SUSPEND = 3,
    LIBRO_ACTION_REINSTATE = 4,
    LIBRO_ACTION_REVOKE = 5,
    LIBRO_ACTION_SURRENDER = 6,
    LIBRO_ACTION_EXPIRE = 7, /* done by the registry's clock, not by a person */
    LIBRO_ACTION_LAPSE = 8,
} libro_action;

/** "active", "suspended", ... / "issue", "renew", ... */
LIBRO_API const char *libro_license_state_name(libro_license_state s);
LIBRO_API const char *libro_action_name(libro_action a);

/** The state machine of docs/operations.md, as a pure function (no storage): whether `a` is allowed
 *  on a license in state `s` of type `t` with `valid_until`, at time `now`, and the state it
 *  leads to. LIBRO_ERR_DENIED with the reason ("a revoked license cannot be renewed",
 *  "renewal opens 2029-09-01T00:00:00Z, 90 days before expiry", ...); *next is then `s`.
 *  Clock rules: expire when now >= valid_until; renew from now >= valid_until - window (active)
 *  through now <= valid_until + grace (active or expired); lapse when now > valid_until +
 *  grace. Suspended licenses are neither renewed (reinstate first) nor expired by the clock.
 *  ISSUE is never a transition of an existing license (always DENIED). `t` is needed only for
 *  RENEW and LAPSE (LIBRO_ERR_INVALID_ARG when NULL there); unknown states or actions are
 *  LIBRO_ERR_INVALID_ARG. Times saturate rather than wrap. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lifecycle_next(libro_license_state *next,
                                                          libro_license_state s, libro_action a,
                                                          const libro_license_type *t,
                                                          int64_t valid_until, int64_t now,
                                                          libro_error *err);

/** Evidence recorded with a renewal: name = non-negative integer. */
typedef struct libro_evidence {
    const char *name;
    int64_t value;
} libro_evidence;

/** Check the type's requirements against `evidence`: LIBRO_ERR_DENIED naming the first unmet
 *  one ("requirement cpd_hours >= 60 not met (40 recorded)" / "... (none recorded)"). */
LIBRO_API LIBRO_NODISCARD libro_code libro_requirements_check(const libro_license_type *t,
                                                              const libro_evidence *evidence,
                                                              size_t n, libro_error *err);

/* ---- records ------------------------------------------------------------------------------ */

/** A license as the registry holds it (the latest version). */
typedef struct libro_license_record {
    char *number;
    uint32_t version; /* 1 at issue, +1 per renewal */
    libro_license_state state;
    char *license_type;
    char *holder_name;
    char *issuer; /* the issuer id that signed it */
    int64_t valid_from;
    int64_t valid_until;
    uint32_t status_list;  /* which pair of status lists (revocation, suspension) */
    uint32_t status_index; /* the same index in both */
    char *credential;      /* the latest signed credential (compact JWS) */
} libro_license_record;

/** One recorded change. */
typedef struct libro_license_event {
    int64_t at;
    libro_action action;
    char *actor;              /* who: an issuer id, an operator, "registry" for the clock */
    char *reason;             /* why (may be empty for the clock) */
    libro_license_state from; /* 0 for the issue event */
    libro_license_state to;   /* == from only for a renewal of an active license, whose
                                 version changes */
    uint32_t version;
    char *evidence;   /* renewals: "cpd_hours=60,supervised_hours=120"; else NULL */
    char *credential; /* issue and renew: the credential of `version` (compact JWS), from the
                         registry's database; else NULL (and NULL from a registry's URL) */
} libro_license_event;

/** Called once per license by the streaming reads (libro_registry_expiring_each,
 *  libro_registry_client_expiring_each), in their order. `rec` is borrowed for the call. A
 *  code other than LIBRO_OK stops the walk, which returns it. */
typedef libro_code (*libro_license_record_fn)(void *ctx, const libro_license_record *rec,
                                              libro_error *err);

LIBRO_API void libro_license_record_clear(libro_license_record *r);
LIBRO_API void libro_license_events_free(libro_license_event *e, size_t n);

/* ---- the registry ------------------------------------------------------------------------- */

/** The signed API request a write carries out (docs/formats.md, "Signed API requests"): its
 *  id, the key that signed it and when. Each write function takes one, or NULL for a write
 *  made in-process (the CLI on the database, an operator; the clock's libro_registry_tick
 *  carries out no request and takes none). The request's id is recorded in the write's own
 *  transaction, so that the request takes effect at most once: a jti already recorded fails
 *  the write with LIBRO_ERR_EXISTS ("request id already used (a replay)") before
 *  it changes anything. A jti of 0 or over LIBRO_REQUEST_MAX_JTI bytes (libro/api.h) or a kid
 *  of 0 or over LIBRO_MAX_KID_BYTES is LIBRO_ERR_INVALID_ARG. The strings are borrowed for the
 *  call only. */
typedef struct libro_request_id {
    const char *jti;
    const char *kid;
    int64_t iat; /* ids are kept for twice the iat window after `iat` */
} libro_request_id;

/** Create a registry database at `path` (a new file, mode 0600; LIBRO_ERR_EXISTS rather than
 *  overwrite) for the community whose charter is `charter_jws`, with its registry
 *  authorization `registry_auth_jws`: both must be well-formed vc+jwt credentials of those
 *  types (LIBRO_ERR_SCHEMA otherwise), the authorization issued by the chartered community
 *  (LIBRO_ERR_DENIED). Signatures are not checked here: the operator supplies them. Runs the
 *  migrations; on failure nothing is left at `path`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_create(const char *path,
                                                           const char *charter_jws,
                                                           const char *registry_auth_jws,
                                                           libro_error *err);
/** Open an existing registry (migrating it forward if its schema is older; refusing a newer
 *  one with LIBRO_ERR_UNSUPPORTED). LIBRO_ERR_NOT_FOUND when `path` does not exist,
 *  LIBRO_ERR_IO for a file that is not a registry database. SQLite: WAL, synchronous=FULL,
 *  foreign keys on, a 5 s busy timeout, BEGIN IMMEDIATE for every write. A handle is used by
 *  one thread at a time; several handles (threads or processes) may share one file. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_open(libro_registry **out, const char *path,
                                                         libro_error *err);
/** libro_registry_open for reading only: every write fails with LIBRO_ERR_READONLY, and a
 *  database whose schema is older than this code's is refused (LIBRO_ERR_READONLY) rather
 *  than migrated. For a server started read-only on purpose. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_open_read_only(libro_registry **out,
                                                                   const char *path,
                                                                   libro_error *err);
/* Storage errors of every write: LIBRO_ERR_BUSY (another writer held the lock past the 5 s
 * wait; nothing changed, try again), LIBRO_ERR_FULL (disk, quota or file size limit; nothing
 * changed), LIBRO_ERR_READONLY (a handle opened read-only), LIBRO_ERR_IO (a failed write or
 * fsync: the handle is poisoned, below). A shared database adds LIBRO_ERR_CONFLICT (the
 * database refused the write for a concurrent transaction each of the 8 times it was run;
 * nothing changed, try again; inside a group the write is run once and the group's owner
 * runs the group again) and LIBRO_ERR_UNAVAILABLE (the database cannot be reached; nothing
 * changed, unless the connection was lost during the commit, which the message says: then
 * the request id tells). libro_registry_open refuses a database file the
 * process cannot write (its mode, a read-only mount) with LIBRO_ERR_READONLY. */
/** Whether the handle saw an I/O error (a failed write or fsync). Every later write then
 *  fails with LIBRO_ERR_IO until the registry is opened anew, as the kernel may have dropped
 *  pages a failed fsync did not write: retrying the fsync proves nothing. The write that
 *  failed may or may not have reached the disk; its request id tells after a restart. */
LIBRO_API bool libro_registry_poisoned(const libro_registry *r);
LIBRO_API void libro_registry_close(libro_registry *r);
/** The community charter and registry authorization the registry was created with (borrowed). */
LIBRO_API const char *libro_registry_charter(const libro_registry *r);
LIBRO_API const char *libro_registry_authorization(const libro_registry *r);
/** The schema version of the open database. */
LIBRO_API int libro_registry_schema_version(const libro_registry *r);

/** Define or redefine a license type (a redefinition applies to later actions). Refuses
 *  (LIBRO_ERR_INVALID_ARG) a malformed id, validity outside 1..LIBRO_MAX_VALIDITY_DAYS, a
 *  renewal window longer than the validity, a grace period over LIBRO_MAX_VALIDITY_DAYS, a
 *  malformed requirement. `actor` is recorded with the type. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_define_type(libro_registry *r,
                                                                const libro_request_id *req,
                                                                const libro_license_type *t,
                                                                const char *actor,
                                                                libro_error *err);
/** The type `id` into *out (caller clears with libro_license_type_clear). NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_get_type(libro_registry *r,
                                                             libro_license_type *out,
                                                             const char *id, libro_error *err);

/** Reserve a status index for a license about to be issued: uniformly random among the free
 *  indexes of the current list pair (CSPRNG, rejection sampling; never sequential). Lists have
 *  LIBRO_STATUS_LIST_MIN_ENTRIES entries; once 7/8 of the current pair is reserved the next
 *  pair opens (list + 1): random probing of a nearly full list needs ever more attempts, and
 *  a list kept 1/8 empty still hides each set bit in a crowd. Pairs are numbered from 0. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_reserve_status(libro_registry *r,
                                                                   const libro_request_id *req,
                                                                   uint32_t *list, uint32_t *index,
                                                                   libro_error *err);

/** Record a newly issued license (`credential`: its signed JWS, whose payload must parse as
 *  a ProfessionalLicense of a defined type, and whose status entry, when present, is
 *  (list, index), reserved earlier). The registry trusts its authenticated writers and does
 *  not verify the signature, but requires a well-formed vc+jwt whose kid names the issuer
 *  (codes of libro_jws_parse and libro_credential_parse; LIBRO_ERR_SCHEMA for another
 *  credential type), a defined type (LIBRO_ERR_NOT_FOUND), validUntil - validFrom within the
 *  type's validity (LIBRO_ERR_DENIED), a new number (LIBRO_ERR_EXISTS), and (list, index)
 *  reserved (LIBRO_ERR_DENIED) and unused (LIBRO_ERR_EXISTS). The issue event is recorded at
 *  `now` under `actor`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_register(libro_registry *r,
                                                             const libro_request_id *req,
                                                             const char *credential, uint32_t list,
                                                             uint32_t index, const char *actor,
                                                             int64_t now, libro_error *err);

/** Renew: allowed in the renewal window before expiry or during the grace period, when the
 *  type's requirements hold for `evidence`; `credential` is the new version's signed JWS (same
 *  number, same status index, validity per the type). Records the evidence. The new
 *  credential must name the same number, type and holder name, start no earlier than
 *  now - 5 minutes and run at most the type's validity_days (LIBRO_ERR_DENIED). Evidence
 *  names are [a-z0-9_], 1-64 bytes, each once, values >= 0, at most 32 items
 *  (LIBRO_ERR_INVALID_ARG / LIBRO_ERR_LIMIT). `reason` may be NULL or empty. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_renew(libro_registry *r, const libro_request_id *req, const char *number,
                     const char *credential, const libro_evidence *evidence, size_t n,
                     const char *actor, const char *reason, int64_t now, libro_error *err);

/** Suspend, reinstate, revoke or surrender `number` (LIBRO_ACTION_*). One transaction: the
 *  state change, the status bits, and the event. LIBRO_ERR_DENIED for a forbidden
 *  transition, LIBRO_ERR_NOT_FOUND for an unknown number, LIBRO_ERR_INVALID_ARG for another
 *  action. A person's change needs a non-empty `reason`. The bits follow the state: the
 *  revocation bit is set for revoked and surrendered (both final; a verifier must read a
 *  surrendered license as no longer valid), the suspension bit only while suspended (so
 *  revoking or surrendering a suspended license clears it).
 *  Actors and reasons everywhere: at most 200 bytes of UTF-8 without control characters
 *  (LIBRO_ERR_INVALID_ARG); actors are required. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_change(libro_registry *r,
                                                           const libro_request_id *req,
                                                           const char *number, libro_action action,
                                                           const char *actor, const char *reason,
                                                           int64_t now, libro_error *err);

/** Apply the clock: active licenses past validUntil become expired, expired ones past the
 *  grace period lapse, all in one transaction (a license found past its grace expires and
 *  lapses in the same run: two events). Events are recorded under the actor "registry" with
 *  an empty reason. In the same transaction, mandates replaced by a successor whose validFrom
 *  has come get their status bits (revocation and the word "replaced", a log leaf each).
 *  *changed (may be NULL) receives how many events were recorded, both kinds counted. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_tick(libro_registry *r, int64_t now,
                                                         size_t *changed, libro_error *err);

/** A license and its full history (oldest first), read from one snapshot. `events` and
 *  `n_events` may both be NULL to skip the history. Caller clears *out
 *  (libro_license_record_clear) and frees *events (libro_license_events_free). NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_get(libro_registry *r,
                                                        libro_license_record *out,
                                                        libro_license_event **events,
                                                        size_t *n_events, const char *number,
                                                        libro_error *err);
/** Licenses to chase for renewal, by validUntil: active ones whose validUntil falls in
 *  [now, now + within], and expired ones still in their grace period at `now`. Caller frees
 *  with libro_license_records_free. LIBRO_ERR_INVALID_ARG for a negative `within`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_expiring(libro_registry *r,
                                                             libro_license_record **out, size_t *n,
                                                             int64_t now, int64_t within,
                                                             libro_error *err);
/** libro_registry_expiring, each license handed to `fn` as it is read (one in memory at a
 *  time, from one snapshot). Without `with_credential` the records' credential is NULL, and
 *  the credentials are not read. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_expiring_each(libro_registry *r, int64_t now,
                                                                  int64_t within,
                                                                  bool with_credential,
                                                                  libro_license_record_fn fn,
                                                                  void *ctx, libro_error *err);
LIBRO_API void libro_license_records_free(libro_license_record *r, size_t n);
/** Counts per state: counts[s] for s in libro_license_state (index 0 unused). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_counts(libro_registry *r, size_t counts[7],
                                                           libro_error *err);

/** The bits of status list `list` for `purpose` (1 = revocation, 2 = suspension, 3 =
 *  message), with LIBRO_STATUS_LIST_MIN_ENTRIES statuses of libro_status_purpose_size bits
 *  (for message, libro_status_word values: 1 surrendered, 2 lapsed), for publishing. `*out` is
 * overwritten (not freed first); caller frees with libro_bitstring_free. A list no license uses is
 * all zeros. */
struct libro_bitstring;
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_status_bits(libro_registry *r,
                                                                struct libro_bitstring *out,
                                                                uint32_t list, int purpose,
                                                                libro_error *err);

/* ---- publishing status lists -------------------------------------------------------------- */

/* How long a published list is valid by default: the verifier's default maximum status age
 * (7 days) and three days of margin, so that an employer offline for a week still gets
 * verdicts (docs/credentials.md, "Status from cached lists"). */
#define LIBRO_STATUS_LIST_SECONDS (10u * 86400u)
#define LIBRO_STATUS_LIST_MIN_SECONDS 60u
#define LIBRO_STATUS_LIST_MAX_SECONDS (31u * 86400u)
/* A list whose bits did not change is re-signed once it is this old (or half its window,
 * when that is shorter): what a verifier syncs is at most this stale. */
#define LIBRO_STATUS_LIST_REFRESH_SECONDS 3600u

/** What the publisher last signed for one list and purpose, kept by the caller between calls
 *  (a zeroed value: nothing yet, so the next call signs). */
typedef struct libro_published_list {
    bool used;
    int64_t valid_from_ms; /* of the last list signed: the next one is strictly newer */
    int64_t valid_until;
    unsigned char bits_hash[32]; /* SHA-256 of the bits it carries */
} libro_published_list;

#define LIBRO_PUBLISH_OPTIONS_VERSION 2u

/** Which list to publish, and when. */
typedef struct libro_publish_options {
    unsigned version; /* LIBRO_PUBLISH_OPTIONS_VERSION */
    const char *url;  /* the URL the list is served at: its id (the licenses'
                         statusListCredential) */
    uint32_t list;    /* the list pair */
    int purpose;      /* 1 = revocation, 2 = suspension */
    uint32_t seconds; /* validity, LIBRO_STATUS_LIST_MIN_SECONDS to _MAX_SECONDS */
    int64_t now_ms;   /* the time, milliseconds since the epoch: the list's validFrom */
    bool mandates;    /* a mandate list (libro_registry_mandate_status_bits; its message list
                         carries the mandate words), not a license list */
} libro_publish_options;

#define LIBRO_PUBLISH_OPTIONS_INIT                                                                 \
    {                                                                                              \
        LIBRO_PUBLISH_OPTIONS_VERSION, NULL, 0u, 0, LIBRO_STATUS_LIST_SECONDS, 0, false            \
    }

/** The one publisher of status lists (the server's list cache and `libro registry status`):
 *  the registry's current bits of opt->list for opt->purpose as a signed
 *  BitstringStatusListCredential (libro_status_list_sign), issuer the id `authorization`
 *  names, valid from opt->now_ms for opt->seconds, but never past the authorization's end.
 *  `authorization` must be a RegistryAuthorization naming `registry_key`'s public half
 *  (LIBRO_ERR_DENIED) and valid at now (LIBRO_ERR_NOT_YET_VALID, or LIBRO_ERR_EXPIRED once it
 *  has ended: no list is signed then). With `last` from the previous call: when the bits are
 *  those of the last list and it is younger than LIBRO_STATUS_LIST_REFRESH_SECONDS (or half
 *  its window), nothing is signed (*signed_now false, jws_out untouched); otherwise the new
 *  list must be strictly newer than the last: LIBRO_ERR_TIME when now_ms is not after its
 *  validFrom (try again a millisecond later: a list is never dated ahead of the clock).
 *  LIBRO_OK with *signed_now true: the token is appended to `jws_out` and `last` describes
 *  it. LIBRO_ERR_INVALID_ARG for bad options; the codes of libro_registry_status_bits and
 *  libro_status_list_sign. Not thread-safe on a shared `last` or `r`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_publish_list(
    libro_buf *jws_out, bool *signed_now, libro_published_list *last, libro_registry *r,
    const libro_key *registry_key, const libro_credential *authorization,
    const libro_publish_options *opt, libro_error *err);

/* ---- issuers allowed to write over the API ------------------------------------------------ */

/* libro_registry_authorize_issuer flags. */
/* Record an authorization without statusRegistry: licenses signed with its key need not be on
 * record anywhere to verify (docs/operations.md). Off by default. */
#define LIBRO_AUTHORIZE_ALLOW_UNRECORDED 1u

/** Allow the issuer an IssuerAuthorization names to send signed write requests. The
 *  credential must be well formed (codes of libro_registry_register's parse), an
 *  IssuerAuthorization (LIBRO_ERR_SCHEMA) issued by the registry's community (LIBRO_ERR_DENIED)
 *  whose signature verifies with the community key of the registry's charter (the codes of
 *  libro_jws_verify), and not expired at `now` (LIBRO_ERR_EXPIRED). By default it must require
 *  status entries from this registry: a statusRegistry equal to the url of the registry's own
 *  RegistryAuthorization (any value when that has no url), else LIBRO_ERR_DENIED; with
 *  LIBRO_AUTHORIZE_ALLOW_UNRECORDED in `flags` an authorization without statusRegistry is
 *  recorded too (one naming another registry never is). Replaces an earlier authorization of
 *  the same key; recorded in the log under `actor`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_authorize_issuer(
    libro_registry *r, const libro_request_id *req, const char *authorization, unsigned flags,
    const char *actor, int64_t now, libro_error *err);
/** The authorization of the key `kid` ("<issuer id>#<thumbprint>"), when it is valid at `now`:
 *  LIBRO_ERR_NOT_FOUND (unknown key), LIBRO_ERR_NOT_YET_VALID, LIBRO_ERR_EXPIRED. Caller frees
 *  *authorization (libro_free). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_issuer_authorization(
    libro_registry *r, char **authorization, const char *kid, int64_t now, libro_error *err);
/** Every stored issuer authorization (compact JWS), by kid. Caller frees with
 *  libro_registry_strings_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_issuer_authorizations(libro_registry *r,
                                                                          char ***list, size_t *n,
                                                                          libro_error *err);
LIBRO_API void libro_registry_strings_free(char **list, size_t n);

/* ---- the community's chain, for the trust bundle ---------------------------------------- */

/** Add the charter of the community above the top of the registry's chain (the registry's own
 *  charter at first): `charter` must be a CommunityCharter (LIBRO_ERR_SCHEMA) whose subject
 *  issued the charter below and whose key signed it (LIBRO_ERR_DENIED; the codes of
 *  libro_jws_verify); nothing lies above a self-chartered one (LIBRO_ERR_DENIED); at most nine
 *  charters in all (LIBRO_ERR_LIMIT). Recorded in the log under `actor`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_add_chain(libro_registry *r,
                                                              const libro_request_id *req,
                                                              const char *charter,
                                                              const char *actor, int64_t now,
                                                              libro_error *err);
/** The chain the trust bundle carries: the registry's own charter, then those added above it.
 *  Caller frees with libro_registry_strings_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_chain(libro_registry *r, char ***list,
                                                          size_t *n, libro_error *err);

/* ---- roundtables and mandates (docs/operations.md, "Roundtables and mandates") ------------ */

/* A registry records the mandates of its own community's roundtable (or, at level 0, its
 * circle): every mandate's roundtable id is the registry's community. Who may sign one
 * (docs/credentials.md, "RoundtableMandate"): a member community whose charter was added as a
 * seat signs its representative, the community itself its chair, the parent (the issuer of
 * the registry's own charter, whose charter is in the chain: libro_registry_add_chain) a
 * leader. The rules are core's (libro/rules.h, libro_rules_mandate_*), so the issuer, the
 * registry and the verifier cannot disagree. */

/* A mandate id: "sha256:" and the 64 lowercase hex digits of the SHA-256 of its compact JWS
 * (71 characters); a buffer for one, with its NUL. */
#define LIBRO_MANDATE_ID_LEN 71u
#define LIBRO_MANDATE_ID_SIZE (LIBRO_MANDATE_ID_LEN + 1u)

/** Whether `id` (NUL-terminated) is of the mandate id form above. Thread-safe. */
LIBRO_API bool libro_mandate_id_ok(const char *id);

/** How a mandate stands. Each one ended early is final, and its status bits say so: the
 *  revocation bit, and the message list's word (libro_mandate_word, libro/statuslist.h: the
 *  mandate lists' message lists carry the mandate words, so mandates never share a list with
 *  licenses). */
typedef enum libro_mandate_state {
    LIBRO_MANDATE_ACTIVE = 1,   /* registered and not ended: "in office" during its term (its
                                   term may also lie ahead, or be over: see the times) */
    LIBRO_MANDATE_RESIGNED = 2, /* ended by the holder */
    LIBRO_MANDATE_RECALLED = 3, /* ended by the community that elected or appointed */
    LIBRO_MANDATE_REPLACED = 4, /* ended by a newer mandate for the same seat, at its validFrom */
} libro_mandate_state;

/** "active", "resigned", "recalled", "replaced"; NULL outside the enum. */
LIBRO_API const char *libro_mandate_state_name(libro_mandate_state s);

/** A member community's seat: its charter, signed by the registry's community. */
typedef struct libro_seat {
    char *community; /* the member community's id (the charter's subject) */
    char *name;      /* its name as chartered */
    int level;       /* the registry's level - 1 */
    char *charter;   /* the CommunityCharter (compact JWS) */
    int64_t added_at;
    char *actor; /* who added it */
} libro_seat;

LIBRO_API void libro_seats_free(libro_seat *s, size_t n);

/** A mandate as the registry holds it. */
typedef struct libro_mandate_record {
    char id[LIBRO_MANDATE_ID_SIZE]; /* "sha256:<hex>" */
    libro_office office;
    char *roundtable; /* the roundtable's community: the registry's own */
    int roundtable_level;
    char *seat;   /* the member community (representative) or the parent (leader); NULL for
                     the chair */
    char *holder; /* the holder's did:key */
    char *name;   /* the holder's name */
    bool voting;
    char *issuer; /* the community that signed it */
    int64_t valid_from;
    int64_t valid_until;
    libro_mandate_state state;
    int64_t ended_at;      /* when it ended (or, replaced, ends: the successor's validFrom); 0 while
                              active */
    char *end_reason;      /* why (the reason given; for a replaced one "replaced by <id>"); NULL
                              while active */
    char *ended_by;        /* who ended it (an actor; "registry" for a replacement); NULL while
                              active */
    bool status_set;       /* the status bits of the end are set: at once for a resignation or
                              recall, once ended_at has come for a replacement (libro_registry_tick) */
    uint32_t status_list;  /* a mandate list (libro_registry_mandate_status_bits), not a license
                              list */
    uint32_t status_index; /* the same index in its three lists */
    char *credential;      /* the RoundtableMandate (compact JWS) */
    int64_t registered_at;
} libro_mandate_record;

LIBRO_API void libro_mandate_record_clear(libro_mandate_record *m);
LIBRO_API void libro_mandate_records_free(libro_mandate_record *m, size_t n);

/** Add (or renew) the seat of a member community: `charter` must be a CommunityCharter
 *  (LIBRO_ERR_SCHEMA) issued by the registry's community and signed by its key (the key in
 *  the registry's own charter; LIBRO_ERR_DENIED, the codes of libro_jws_verify), by the chain
 *  rules (libro_rules_under_charter: window, scope, a lower level), of level exactly the
 *  registry's level - 1 (LIBRO_ERR_DENIED), at a registry of level >= 1 (LIBRO_ERR_DENIED: a
 *  tribe has no roundtable), not expired at `now` (LIBRO_ERR_EXPIRED). A charter for a
 *  community that has a seat replaces that seat's charter (a renewed charter, a new key);
 *  an eighth community is refused (libro_rules_roundtable_seats: LIBRO_ERR_DENIED). A log
 *  leaf under `actor`, in the same transaction. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_add_seat(libro_registry *r,
                                                             const libro_request_id *req,
                                                             const char *charter, const char *actor,
                                                             int64_t now, libro_error *err);
/** The seats, by community id. Caller frees with libro_seats_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_seats(libro_registry *r, libro_seat **out,
                                                          size_t *n, libro_error *err);

/** Reserve a status index for a mandate about to be signed, as libro_registry_reserve_status
 *  does for a license, but in the mandate lists (their own numbering from 0, served at
 *  <base_url>/v1/status/mandates/<list>/<revocation|suspension|message>). */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_reserve_mandate_status(libro_registry *r, const libro_request_id *req,
                                      uint32_t *list, uint32_t *index, libro_error *err);

/** Record a signed RoundtableMandate `credential` (compact JWS) at the reserved mandate
 *  (list, index). Unlike a license, its signature is checked here, with the key the office
 *  names: the registry's own charter's for a chair, the seat's charter's for a
 *  representative (LIBRO_ERR_NOT_FOUND: no seat for that community), the parent's charter's
 *  from the chain for a leader (LIBRO_ERR_NOT_FOUND when the chain has none); the codes of
 *  libro_jws_verify. Then, in one transaction: libro_rules_mandate_under (LIBRO_ERR_DENIED
 *  naming the rule), a roundtable that is the registry's community (LIBRO_ERR_DENIED); the
 *  status entries name mandate list `list`, index `index` (reserved: LIBRO_ERR_DENIED;
 *  unused: LIBRO_ERR_EXISTS) and are required; the term limit of the registry's charter
 *  (libro_rules_mandate_term_limit over the holder's consecutive terms in that office and
 *  seat, LIBRO_ERR_DENIED); a new id (LIBRO_ERR_EXISTS). At most one mandate per (office,
 *  seat) is active at a time: every active mandate of the same office and seat whose term
 *  overlaps the new one and starts before it is ended at the new one's validFrom, as
 *  "replaced" (its bits set now when that time has passed, else by libro_registry_tick);
 *  one that starts no earlier than the new one is a conflict (LIBRO_ERR_DENIED: end it
 *  first). Log leaves for the registration and each replacement, under `actor`. *id (may be
 *  NULL) receives the mandate's id. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_register_mandate(
    libro_registry *r, const libro_request_id *req, const char *credential, uint32_t list,
    uint32_t index, const char *actor, int64_t now, char id[LIBRO_MANDATE_ID_SIZE],
    libro_error *err);

/** End mandate `id` early: `how` LIBRO_MANDATE_RESIGNED or LIBRO_MANDATE_RECALLED
 *  (LIBRO_ERR_INVALID_ARG otherwise), with a non-empty `reason` (at most 200 bytes of text).
 *  One transaction: the state, ended_at = `now`, the revocation bit and the word, a log leaf.
 *  LIBRO_ERR_NOT_FOUND; LIBRO_ERR_DENIED for a mandate already ended (a replacement still
 *  ahead may be overtaken: it then ends now, resigned or recalled) or whose term is over at
 *  `now`. Who may end it is the caller's to check (the server: the holder's did:key for a
 *  resignation, the signing community's key for a recall). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_end_mandate(
    libro_registry *r, const libro_request_id *req, const char *id, libro_mandate_state how,
    const char *actor, const char *reason, int64_t now, libro_error *err);

/** The mandate `id` (LIBRO_ERR_INVALID_ARG for an id not of the form; LIBRO_ERR_NOT_FOUND).
 *  Caller clears *out (libro_mandate_record_clear). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_mandate(libro_registry *r,
                                                            libro_mandate_record *out,
                                                            const char *id, libro_error *err);

/** The roundtable at time `at`: the mandates whose term covers `at` (validFrom <= at <=
 *  validUntil) and that had not ended by then (ended_at == 0 or at < ended_at), chair first,
 *  then representatives and leaders by seat. Read from one snapshot. Caller frees with
 *  libro_mandate_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_roundtable(libro_registry *r,
                                                               libro_mandate_record **out,
                                                               size_t *n, int64_t at,
                                                               libro_error *err);

/** Mandates whose term ends within [now, now + within], that have not ended and that no
 *  successor replaces, by validUntil: the elections still to prepare. LIBRO_ERR_INVALID_ARG for a
 * negative `within`. Caller frees with libro_mandate_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_mandates_expiring(libro_registry *r,
                                                                      libro_mandate_record **out,
                                                                      size_t *n, int64_t now,
                                                                      int64_t within,
                                                                      libro_error *err);

/** The bits of mandate status list `list` for `purpose`, as libro_registry_status_bits gives
 *  those of a license list (the message list's values are libro_mandate_word). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_mandate_status_bits(libro_registry *r,
                                                                        struct libro_bitstring *out,
                                                                        uint32_t list, int purpose,
                                                                        libro_error *err);

/* ---- agreements (docs/operations.md, "Agreements") ---------------------------------------- */

/* A registered document's hash, as core computes it for every document the registry records
 * (the mandate id form): "sha256:" and the 64 lowercase hex digits of the SHA-256 of the
 * document's exact bytes (an agreement: its JWS JSON document; a consent step and a law: the
 * compact JWS). A buffer for one, with its NUL. */
#define LIBRO_REGISTRY_HASH_LEN LIBRO_HASH_REF_LEN
#define LIBRO_REGISTRY_HASH_SIZE LIBRO_HASH_REF_SIZE

/** How a registered ResponsibilityAgreement stands (the stored state; see
 *  libro_agreement_record_state for the state at a time). */
typedef enum libro_agreement_state {
    LIBRO_AGREEMENT_IN_FORCE = 1,   /* registered, not ended, not amended */
    LIBRO_AGREEMENT_ENDED = 2,      /* an end was recorded: it takes effect at ends_at (by
                                       notice: the notice given plus the notice days; mutual:
                                       at once) */
    LIBRO_AGREEMENT_SUPERSEDED = 3, /* a newer version that names it in "supersedes" was
                                       registered: final */
} libro_agreement_state;

/** "in force", "ended", "superseded" (as the bundle and the API write them); NULL outside the
 *  enum. */
LIBRO_API const char *libro_agreement_state_name(libro_agreement_state s);

/** How an agreement is ended. */
typedef enum libro_agreement_end {
    LIBRO_AGREEMENT_END_NOTICE = 1, /* one party's signed notice; takes effect after the
                                       agreement's noticeDays */
    LIBRO_AGREEMENT_END_MUTUAL = 2, /* every party signed the end; takes effect at once */
} libro_agreement_end;

/** "notice", "mutual"; NULL outside the enum. */
LIBRO_API const char *libro_agreement_end_name(libro_agreement_end how);

/** One party of a registered agreement (from its signed payload). */
typedef struct libro_agreement_party {
    char *id; /* did:key or another id */
    char *name;
    char *role;
} libro_agreement_party;

/** A registered agreement (one version). */
typedef struct libro_agreement_record {
    char hash[LIBRO_REGISTRY_HASH_SIZE]; /* its id */
    char *title;
    char *community; /* the community whose law frames it */
    libro_agreement_party *parties;
    size_t n_parties;
    int64_t valid_from;
    int64_t valid_until;
    uint32_t notice_days; /* how it may be ended: by notice of this many days, or ... */
    bool mutual_only;     /* ... only mutually (notice_days is then 0) */
    char *supersedes;     /* the version it amends (NULL: the first version) */
    char *superseded_by;  /* the version that amends it (NULL unless superseded) */
    libro_agreement_state state;
    int64_t registered_at;
    int64_t superseded_at;   /* 0 unless superseded */
    libro_agreement_end end; /* 0 unless ended */
    int64_t end_given_at;    /* when the end was recorded (0: not ended) */
    int64_t ends_at;         /* when it takes effect (0: not ended) */
    char *end_by;            /* the party id that gave notice; NULL for a mutual end */
    char *end_reason;        /* the reason the statement gives; NULL unless ended */
    char *end_statement;     /* the signed end statement (JWS JSON); NULL unless ended */
    char *document;          /* the agreement itself (JWS JSON General Serialization) */
} libro_agreement_record;

LIBRO_API void libro_agreement_record_clear(libro_agreement_record *a);
LIBRO_API void libro_agreement_records_free(libro_agreement_record *a, size_t n);
/** The state at `now`: an ENDED agreement whose notice runs until after `now` is still
 *  IN_FORCE; otherwise the stored state. */
LIBRO_API libro_agreement_state libro_agreement_record_state(const libro_agreement_record *a,
                                                             int64_t now);

/* The end statement: a JWS JSON General Serialization document (typ
 * LIBRO_AGREEMENT_END_TYP) whose payload is the JSON object
 *   {"agreement": "<hash>", "end": "notice"|"mutual", "at": "<time>", "reason": "<text>"}
 * signed with the parties' keys under the agreement's kids ("<party id>#<thumbprint>"): by
 * notice one party's signature (that party gives the notice), mutual every party's. */
#define LIBRO_AGREEMENT_END_TYP "libro-agreement-end+json"

/** The payload of an end statement, appended to `out` (the exact bytes every party signs with
 *  libro_jws_json_sign and LIBRO_AGREEMENT_END_TYP). `hash` of the hash form
 *  (LIBRO_ERR_INVALID_ARG), `reason` non-empty text of at most 200 bytes
 *  (LIBRO_ERR_INVALID_ARG). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_agreement_end_payload(libro_buf *out, const char *hash,
                                                                 libro_agreement_end how,
                                                                 int64_t at, const char *reason,
                                                                 libro_error *err);

/** Register a ResponsibilityAgreement `document` (JWS JSON, `len` bytes) that is COMPLETE by
 *  core's agreement check (every named party signed; PARTIAL: LIBRO_ERR_DENIED naming the
 *  missing parties; INVALID: the check's code), framed by the registry's own community
 *  (LIBRO_ERR_DENIED), its validUntil not past at `now` (LIBRO_ERR_EXPIRED; a term that
 *  starts later is accepted), new
 *  (LIBRO_ERR_EXISTS). With "supersedes" it is an amendment: the version it names must be
 *  registered (LIBRO_ERR_NOT_FOUND) and in force at `now` (LIBRO_ERR_DENIED: ended or
 *  superseded), framed by the same community, and every party of the old version must be a
 *  party of the new one (LIBRO_ERR_DENIED naming the one missing): so every party re-signed.
 *  The old version becomes SUPERSEDED. One transaction, a log leaf for the registration and
 *  one for the supersession, under `actor`. *hash (may be NULL) receives the new hash. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_register_agreement(
    libro_registry *r, const libro_request_id *req, const char *document, size_t len,
    const char *actor, int64_t now, char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);

/** End the agreement `hash` with the signed `statement` (JWS JSON, `len` bytes; its format
 *  above): its payload names this agreement and an end its "ending" allows (notice on a
 *  mutualOnly agreement: LIBRO_ERR_DENIED), its "at" not after `now` nor before the
 *  registration, by more than 5 minutes (clocks differ), nor after validUntil; every signature
 * verifies with the key of the party its kid names (LIBRO_ERR_BAD_SIGNATURE; a kid naming no party:
 *  LIBRO_ERR_DENIED); notice: at least one party signed, the notice runs from "at" for the
 *  notice days; mutual: every party signed (LIBRO_ERR_DENIED naming the missing ones) and it
 *  ends at "at". LIBRO_ERR_NOT_FOUND; LIBRO_ERR_DENIED for an agreement already ended or
 *  superseded. One transaction with its log leaf. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_end_agreement(
    libro_registry *r, const libro_request_id *req, const char *hash, const char *statement,
    size_t len, const char *actor, int64_t now, libro_error *err);

/** The agreement `hash` (LIBRO_ERR_INVALID_ARG for a hash not of the form;
 *  LIBRO_ERR_NOT_FOUND) and, when `history` is not NULL, every version of its chain (the
 *  first version through the latest amendment, oldest first, the asked one included), from
 *  one snapshot. Caller clears *out and frees *history (libro_agreement_records_free). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_agreement(libro_registry *r,
                                                              libro_agreement_record *out,
                                                              libro_agreement_record **history,
                                                              size_t *n_history, const char *hash,
                                                              libro_error *err);

/** Every registered agreement, every version, by registration. Caller frees with
 *  libro_agreement_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_agreements(libro_registry *r,
                                                               libro_agreement_record **out,
                                                               size_t *n, libro_error *err);

/* ---- laws by consent (docs/operations.md, "Laws by consent") ------------------------------ */

/** Whether s[0..len) is a law id the registry records: an absolute URI of printable ASCII (1
 *  to 200 bytes, a ':' in it; core's parser checks the rest of the id form) that can stand as
 *  one segment of a URL path, so without '/', '?', '%' or '#'. The one rule for the routes,
 *  the client and the registry. Thread-safe. */
LIBRO_API bool libro_law_id_ok(const char *s, size_t len);

/** How an adopted CommunityLaw stands. Under review (past its review date) is not a stored
 *  state: it is its validUntil against the time. */
typedef enum libro_law_state {
    LIBRO_LAW_IN_FORCE = 1,
    LIBRO_LAW_REPEALED = 2, /* superseded by a newer adopted version of the same law */
} libro_law_state;

/** "in force", "repealed"; NULL outside the enum. */
LIBRO_API const char *libro_law_state_name(libro_law_state s);

/** An adopted law (one version). */
typedef struct libro_law_record {
    char hash[LIBRO_REGISTRY_HASH_SIZE];
    char *id; /* the law's id, stable across versions */
    uint32_t version;
    char *title;
    char *aim;
    char *community;
    int64_t adopted_at;   /* its validFrom */
    int64_t review_at;    /* its validUntil: the review date */
    char *consent_record; /* the hash of the last step of its consent record */
    char *supersedes;     /* the version it replaces (NULL for version 1) */
    char *superseded_by;  /* NULL unless repealed */
    libro_law_state state;
    int64_t repealed_at; /* 0 unless repealed */
    int64_t registered_at;
    char *credential; /* the CommunityLaw (compact JWS) */
} libro_law_record;

LIBRO_API void libro_law_record_clear(libro_law_record *l);
LIBRO_API void libro_law_records_free(libro_law_record *l, size_t n);

/** A recorded consent step. */
typedef struct libro_consent_step_record {
    char hash[LIBRO_REGISTRY_HASH_SIZE];
    char *process; /* the law id */
    uint32_t run;  /* which consent process of that law: 1 for the one that adopted version 1
                      (or is under way towards it), ... */
    uint32_t seq;
    char *kind; /* "propose", "amend", "respond", "rule", "withdraw", "round" */
    char *by;   /* the did:key that signed it */
    int64_t at;
    char *step; /* the compact JWS */
    int64_t registered_at;
} libro_consent_step_record;

LIBRO_API void libro_consent_step_records_free(libro_consent_step_record *s, size_t n);

/** Record consent step `step` (compact JWS, `len` bytes, of core's consent step format) of
 *  the process its payload names. The step's own signature is the authorization
 *  (libro_step_verify: the kid's did:key must be its "by"; its codes, prefixed "consent
 *  step"). Its process must be a law id without '/', '?', '%' or '#' (LIBRO_ERR_INVALID_ARG)
 *  and its "at" no later than `now` + 5 minutes (LIBRO_ERR_DENIED). Then, in one
 *  transaction: a "propose" at seq 0 opens a process when the law has none under way
 *  (LIBRO_ERR_DENIED otherwise), naming in "supersedes" the law's version in force when
 *  there is one and nothing when there is none (LIBRO_ERR_DENIED); any other step continues
 *  the open process (LIBRO_ERR_NOT_FOUND: none). Core's consent state machine
 *  (libro_consent_run) then judges the process with this step last, against the seats the
 *  registry's mandates gave (libro_consent_seat_of): the chain (seq, prev, time order:
 *  LIBRO_ERR_PARSE) and who may act and how (LIBRO_ERR_DENIED), with its reason
 *  ("step 4 (respond): ..."). A log leaf under `actor`. *hash (may be NULL) receives the
 *  step's hash. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_add_step(
    libro_registry *r, const libro_request_id *req, const char *step, size_t len, const char *actor,
    int64_t now, char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);

/** The steps of the law `law_id`'s process `run` (0: its latest process, open or adopted), by
 *  seq. LIBRO_ERR_NOT_FOUND when there is no such process. Caller frees with
 *  libro_consent_step_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_consent_steps(libro_registry *r,
                                                                  libro_consent_step_record **out,
                                                                  size_t *n, const char *law_id,
                                                                  uint32_t run, libro_error *err);

/** The record document of process `run` of law `law_id` (0: the latest), appended to `out`:
 *  {"process": "<law id>", "steps": [compact JWS, by seq], "mandates": [compact JWS of every
 *  mandate in office at some step's time, each once, by id]}, what `libro law record` checks
 *  offline. LIBRO_ERR_NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_law_record(libro_registry *r, libro_buf *out,
                                                               const char *law_id, uint32_t run,
                                                               libro_error *err);

/** Register an adopted CommunityLaw `law` (compact JWS): issued by the registry's community and
 *  signed by its key (the key of the registry's own charter; LIBRO_ERR_SCHEMA for another
 *  credential type, LIBRO_ERR_DENIED for another issuer, the codes of libro_jws_verify); its
 *  law id has an open process (LIBRO_ERR_NOT_FOUND) whose last step's hash is the law's
 *  consentRecord (LIBRO_ERR_DENIED) and which core's state machine finds adoptable
 *  (LIBRO_ERR_DENIED naming what blocks: a standing objection, a missing response); its
 *  version is the law's last version + 1 (1 for the first) and "supersedes" names the
 *  version in force, when there is one (LIBRO_ERR_DENIED). The process is closed, the
 *  version it supersedes becomes REPEALED; log leaves under `actor`. *hash (may be NULL)
 *  receives the law's hash. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_register_law(
    libro_registry *r, const libro_request_id *req, const char *law, const char *actor, int64_t now,
    char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err);

/** The law version `hash` (LIBRO_ERR_INVALID_ARG for a hash not of the form;
 *  LIBRO_ERR_NOT_FOUND). Caller clears *out. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_law(libro_registry *r, libro_law_record *out,
                                                        const char *hash, libro_error *err);

/** Laws: with `all` false the versions in force (one per law id, including those past their
 *  review date, which are under review), by law id; with `all` every adopted version, by law
 *  id then version. Caller frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_laws(libro_registry *r, libro_law_record **out,
                                                         size_t *n, bool all, libro_error *err);

/** Every adopted version of the law `law_id`, by version (LIBRO_ERR_NOT_FOUND: none). Caller
 *  frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_law_versions(libro_registry *r,
                                                                 libro_law_record **out, size_t *n,
                                                                 const char *law_id,
                                                                 libro_error *err);

/** Laws in force whose review date falls before `now` + `within` (those already past it
 *  included: they are under review), by review date. LIBRO_ERR_INVALID_ARG for a negative
 *  `within`. Caller frees with libro_law_records_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_laws_review_due(libro_registry *r,
                                                                    libro_law_record **out,
                                                                    size_t *n, int64_t now,
                                                                    int64_t within,
                                                                    libro_error *err);

/* ---- the log (docs/formats.md): every write is a leaf ---------------------------------------- */

/** What an audit of the log checked (libro_registry_log_audit). */
typedef struct libro_log_audit {
    uint64_t size;           /* the tree's size the audit covers */
    uint64_t from;           /* the first leaf checked (0 for a full audit) */
    uint64_t leaves_checked; /* leaves rehashed from their stored text */
    uint64_t nodes_checked;  /* stored hashes compared with what they cover (leaf hashes too) */
    libro_merkle_hash root;  /* the root of the tree of `size` leaves (a full audit: as
                              * recomputed from every leaf; the empty tree's for size 0) */
} libro_log_audit;

/** Check that the log's stored hashes agree with the leaves they cover: each leaf's text
 *  against its stored hash, each stored subtree hash against its two children, and the root
 *  at the size last audited against the root recorded then. `full`: every leaf and node;
 *  else only the leaves after the size last audited and the nodes over them (the cost is
 *  proportional to the new leaves, plus one root). On success the size and root audited
 *  are recorded in the database (a write transaction) and *out, when not NULL, says what was
 *  checked and the root of the tree it covered. LIBRO_ERR_CORRUPT naming the first leaf or
 *  node that does not match, the leaves it covers and how to recover; the codes of the store.
 *  Nothing is recorded on failure. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_audit(libro_registry *r, bool full,
                                                              libro_log_audit *out,
                                                              libro_error *err);
/** The tree's size and root hash, read from one snapshot, after an audit of the leaves added
 *  since the last one (libro_registry_log_audit with full false): what a checkpoint is
 *  signed over. LIBRO_ERR_CORRUPT for a damaged log. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_head(libro_registry *r, uint64_t *size,
                                                             libro_merkle_hash *root,
                                                             libro_error *err);
/** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves, into `proof` (room
 *  for LIBRO_MERKLE_MAX_PROOF hashes). LIBRO_ERR_NOT_FOUND for a size the log has not
 *  reached, LIBRO_ERR_INVALID_ARG for index >= size. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_inclusion(libro_registry *r,
                                                                  libro_merkle_hash *proof,
                                                                  size_t *n, uint64_t index,
                                                                  uint64_t size, libro_error *err);
/** RFC 9162 consistency proof between the trees of size1 <= size2 leaves. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_consistency(libro_registry *r,
                                                                    libro_merkle_hash *proof,
                                                                    size_t *n, uint64_t size1,
                                                                    uint64_t size2,
                                                                    libro_error *err);
/** Leaf `index` (its JSON text; docs/formats.md). Caller frees *data (libro_free).
 *  LIBRO_ERR_NOT_FOUND. */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_leaf(libro_registry *r, char **data,
                                                             uint64_t index, libro_error *err);
/** The log's size (its leaves), as stored now: no audit, no proof (a reader that only
 *  counts, such as the Atom feed's ETag). */
LIBRO_API LIBRO_NODISCARD libro_code libro_registry_log_size(libro_registry *r, uint64_t *size,
                                                             libro_error *err);

#endif
