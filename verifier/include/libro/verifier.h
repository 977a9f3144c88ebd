/* libro_verifier: the trust store and the offline verification of libro-verify(1). */
#ifndef LIBRO_VERIFIER_H
#define LIBRO_VERIFIER_H

#include "libro/agreement.h"
#include "libro/consent.h"
#include "libro/credential.h"
#include "libro/lbr.h"
#include "libro/statuslist.h"

/* ---- trust store ------------------------------------------------------------------------- */

typedef struct libro_trust libro_trust; /* opaque: a trust store loaded in memory */

typedef enum libro_trust_kind {
    LIBRO_TRUST_ANCHOR = 1,      /* a pinned, self-chartered community */
    LIBRO_TRUST_CREDENTIAL = 2,  /* a charter or an authorization, trusted only through a chain */
    LIBRO_TRUST_STATUS_LIST = 3, /* a cached BitstringStatusListCredential (type is 0) */
} libro_trust_kind;

/** One entry, for listing. Strings are borrowed from the store. For a status list: type 0,
 *  subject_id its id (the URL), name its purpose ("revocation" / "suspension"), issuer the
 *  registry, thumbprint that of the key its kid names (the registry's). */
typedef struct libro_trust_entry {
    libro_trust_kind kind;
    libro_cred_type type;
    const char *subject_id;
    const char *name;
    const char *issuer;
    const char *thumbprint; /* of the subject's key */
    int64_t valid_from;
    int64_t valid_until;
    const char *file;             /* where it is stored */
    libro_status_purpose purpose; /* status lists only; 0 otherwise */
} libro_trust_entry;

/** The default trust directory: $XDG_DATA_HOME/libro, else $HOME/.local/share/libro, appended
 *  to `out`. A variable that is unset, empty or not an absolute path is skipped (XDG base
 *  directory spec); LIBRO_ERR_NOT_FOUND when neither gives one. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_default_dir(libro_buf *out, libro_error *err);

/** Load the store in `dir` (NULL: libro_trust_default_dir), creating it and any missing parents
 *  with mode 0700. Layout: `anchors/<thumbprint>.jws`, `credentials/<sha256 hex of the token>.jws`
 *  and `status/<sha256 hex of the list's id>.jws`, one compact JWS each, and `seen`
 *  (libro_trust_seen_ms: absent, or one RFC 3339 time; damaged: LIBRO_ERR_PARSE). The store and
 *  both subdirectories must belong to the caller (or root) and be writable by nobody else
 *  (LIBRO_ERR_DENIED): whoever can write there can pin an anchor. Every `*.jws` is read (hidden
 *  files and other names are ignored) and must be a regular file, not a symbolic link, at most
 *  LIBRO_MAX_TOKEN_BYTES (status lists: LIBRO_MAX_STATUS_LIST_TOKEN_BYTES), a strict compact JWS
 *  with typ vc+jwt and a kid whose id is the payload's issuer, a credential of the right type
 *  (anchors: a self-chartered CommunityCharter whose self-signature verifies; status/: a
 *  BitstringStatusListCredential, its signature checked when a verification uses it), and stored
 *  under the name its contents give. Any failure is an error naming the file: a store is never
 *  half-read in silence. At most 10000 entries (LIBRO_ERR_LIMIT). Caller owns *out
 *  (libro_trust_free). A loaded store is read-only for libro_verify_license, which may run on it
 *  from several threads at once; add and remove need exclusive access. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_open(libro_trust **out, const char *dir,
                                                      libro_error *err);
LIBRO_API void libro_trust_free(libro_trust *t);

/** Pin an anchor: `jws` must be a self-chartered CommunityCharter (issuer = subject id, kid
 *  naming its own key) whose signature verifies with its own publicKeyJwk
 *  (LIBRO_ERR_INVALID_ARG for another credential, LIBRO_ERR_BAD_SIGNATURE). When
 *  `expect_thumbprint` is not NULL it must equal that key's thumbprint, the out-of-band check
 *  (LIBRO_ERR_DENIED, nothing written). Written atomically (mode 0644) as
 *  anchors/<thumbprint>.jws: one anchor per key, so a renewed self-charter replaces the one
 *  pinned before. `thumbprint_out` (may be NULL; at least LIBRO_THUMBPRINT_LEN + 1 bytes)
 *  receives the pinned key's thumbprint, or "" on failure. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_add_anchor(libro_trust *t, const char *jws,
                                                            size_t len,
                                                            const char *expect_thumbprint,
                                                            char *thumbprint_out, libro_error *err);
/** Add a CommunityCharter of a child community, an IssuerAuthorization or a
 *  RegistryAuthorization (compact JWS). Its signature is checked when it is used in a chain
 *  (its signer may arrive later); here it must parse strictly, and be one of those types
 *  (LIBRO_ERR_INVALID_ARG otherwise, also for a self-chartered charter: pin that with
 *  libro_trust_add_anchor). Written atomically (mode 0644) as credentials/<sha256 hex>.jws, so
 *  re-adding the same credential is a no-op and a renewed one is kept beside the old.
 *
 *  Also takes a BitstringStatusListCredential (at most LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
 *  parsed with libro_status_list_parse). The registry that signed it must be known first: a
 *  RegistryAuthorization in the store whose subject id is the list's issuer and whose key
 *  has the kid's thumbprint (LIBRO_ERR_NOT_FOUND), and the list's signature must verify with
 *  that key (LIBRO_ERR_BAD_SIGNATURE); whether that authorization is trusted is decided when
 *  a license is verified. Written as status/<sha256 hex of the list id>.jws: one list per
 *  id, replacing the one stored unless the new one's validFrom is older (a rollback:
 *  LIBRO_ERR_DENIED, nothing written). Re-adding the same bytes is a no-op. A list
 *  taken (or already held) moves libro_trust_seen_ms forward to its validFrom. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_add(libro_trust *t, const char *jws, size_t len,
                                                     libro_error *err);
/** Remove every entry whose subject id or subject key thumbprint equals `which` (status
 *  lists: whose id, or the thumbprint of the key that signed them; unlink,
 *  then fsync of the directory); *removed (may be NULL) receives how many, also when an
 *  unlink fails part way (LIBRO_ERR_IO). LIBRO_ERR_NOT_FOUND when none matched. Entries
 *  listed before may move: list again afterwards. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_remove(libro_trust *t, const char *which,
                                                        size_t *removed, libro_error *err);
/** The newest trusted time the store has seen, in milliseconds since the epoch (0: none
 *  yet): the greatest of the `issued` of every trust bundle synced into it and the validFrom
 *  of every status list added to it, each counted only once its signature verified, and
 *  never later than this computer's clock when it was seen. It only moves forward, and is
 *  kept in the file "seen" of the store (one RFC 3339 time, written atomically). A
 *  verification at the current time refuses to answer when the clock is before it (see
 *  libro_verify_license). */
LIBRO_API int64_t libro_trust_seen_ms(const libro_trust *t);

/** Entries, anchors first, then the credentials, then the status lists, each in file name
 *  order. */
LIBRO_API size_t libro_trust_count(const libro_trust *t);
/** Entry `i` (< libro_trust_count); strings borrowed until the store changes or is freed. An
 *  `i` out of range zeroes *out. */
LIBRO_API void libro_trust_get(const libro_trust *t, size_t i, libro_trust_entry *out);

/* ---- the registries' index of agreements and laws ------------------------------------------ */

/** The state a registry records for an agreement or a law it registered (docs/formats.md,
 *  "Trust bundle": the bundle's `agreements` and `laws`). */
typedef enum libro_doc_state {
    LIBRO_DOC_IN_FORCE = 1,   /* "in force" */
    LIBRO_DOC_ENDED = 2,      /* "ended": an agreement ended by notice or by all its parties */
    LIBRO_DOC_SUPERSEDED = 3, /* "superseded": an agreement replaced by an amended version */
    LIBRO_DOC_REPEALED = 4,   /* "repealed": a law replaced by a newer version, or repealed */
} libro_doc_state;

/** "in force", "ended", "superseded", "repealed" (the words of the bundle); NULL outside the
 *  enum. */
LIBRO_API const char *libro_doc_state_name(libro_doc_state s);

/** What one synced registry says of a document. Strings are borrowed from the store. */
typedef struct libro_doc_entry {
    bool law;                   /* a CommunityLaw; false: a ResponsibilityAgreement */
    libro_doc_state state;      /* as of `since` */
    int64_t since;              /* when the state took effect, or takes effect (an agreement ended
                                 * by notice ends when the notice runs out) */
    const char *registry;       /* the registry's id */
    const char *url;            /* its base URL, as synced */
    const char *community;      /* the community that authorized it */
    const char *key_thumbprint; /* of the registry key that signed the bundle */
    int64_t synced_ms;          /* the issued of the bundle it came with */
} libro_doc_entry;

/** The entries of the synced indexes for the agreement (`law` false) or law whose hash is
 *  `hash` ("sha256:" and 64 lowercase hex digits of the document's bytes, docs/formats.md),
 *  one per registry that lists it, at most `cap` of them into out[]. Returns how many there
 *  are (which may exceed `cap`); 0 when none (or a NULL argument). What the entries say is
 *  as trusted as the registry was when its bundle was synced: libro_verify_document checks
 *  that the registry still chains to an anchor before it uses an entry. */
LIBRO_API size_t libro_trust_doc_find(libro_doc_entry *out, size_t cap, const libro_trust *t,
                                      bool law, const char *hash);

/* ---- verification ------------------------------------------------------------------------ */

typedef enum libro_outcome {
    LIBRO_VALID = 0,
    LIBRO_INVALID = 1, /* malformed, or a bad signature */
    LIBRO_EXPIRED = 2,
    LIBRO_NOT_YET_VALID = 3,
    LIBRO_REVOKED = 4,
    LIBRO_SUSPENDED = 5,
    LIBRO_UNTRUSTED = 6, /* no chain to a pinned anchor, or a chain rule broken */
    LIBRO_STATUS_UNKNOWN = 7,
    LIBRO_NO_QR = 8,
    LIBRO_SURRENDERED = 9, /* the message list says "surrendered" (a revoked bit, not discipline) */
    LIBRO_LAPSED = 10,     /* expired, and the message list says "lapsed" (not renewed in time) */
    LIBRO_ENDED = 11, /* a RoundtableMandate ended early: its revocation bit is set (the message
                       * list says resigned, recalled or replaced, when it can be read); an
                       * agreement its registry records as ended */
    /* Agreements and laws (docs/credentials.md, "What a verifier checks"): */
    LIBRO_COMPLETE = 12,     /* an agreement every party signed */
    LIBRO_PARTIAL = 13,      /* an agreement some party has not signed yet */
    LIBRO_SUPERSEDED = 14,   /* an agreement its registry records as replaced by an amendment */
    LIBRO_IN_FORCE = 15,     /* a law adopted by its community, before its review date */
    LIBRO_UNDER_REVIEW = 16, /* a law past its review date (validUntil) */
    LIBRO_REPEALED = 17,     /* a law its registry records as repealed or replaced */
} libro_outcome;

/** "VALID", "INVALID", "EXPIRED", "NOT YET VALID", ... */
LIBRO_API const char *libro_outcome_name(libro_outcome o);
/** The exit status libro-verify(1) gives the outcome: 0, 1, 3, 3, 4, 5, 6, 7, 8, and for the
 *  status words SURRENDERED 4 (as revoked: no longer valid, final) and LAPSED 3 (as expired);
 *  a mandate's ENDED 4 (as revoked). Agreements and laws: COMPLETE and IN FORCE 0, PARTIAL 9,
 *  ENDED, SUPERSEDED and REPEALED 4, UNDER REVIEW 3. */
LIBRO_API int libro_outcome_exit_code(libro_outcome o);

/** Options. Fields are only ever appended, each with a new version: a caller built for
 *  version 1 (the first four fields) still works, and gets the defaults of what came later. */
typedef struct libro_verify_options {
    unsigned version;   /* 3 (1: without max_status_age; 2: without at) */
    int64_t now;        /* verification time, within years 0001-9999 */
    int64_t skew;       /* seconds of clock skew allowed at each window edge: 0-86400
                         * (default 300) */
    unsigned max_links; /* links from the license (link 1) to the anchor: 1-11 (default 10) */
    /* version 2 */
    int64_t max_status_age; /* seconds: status data older than this is not used, 1 to
                             * LIBRO_VERIFY_MAX_STATUS_AGE (default 7 days) */
    /* version 3 */
    bool at; /* `now` is a moment asked about (libro verify --at), not this computer's clock:
              * no clock check, and `note` says the status data is as of the last sync.
              * false (the default, and for versions 1 and 2): `now` is the clock. */
} libro_verify_options;

#define LIBRO_VERIFY_DEFAULT_MAX_STATUS_AGE (7 * 86400)
#define LIBRO_VERIFY_MAX_STATUS_AGE (366 * 86400)
/* Status data older than this is used, with a warning in the verification. */
#define LIBRO_VERIFY_STATUS_WARN_AGE 86400

#define LIBRO_VERIFY_OPTIONS_INIT(now)                                                             \
    {                                                                                              \
        3, (now), 300, 10, LIBRO_VERIFY_DEFAULT_MAX_STATUS_AGE, false                              \
    }

/** One link of a verified (or partly verified) chain, from the license up: the license
 *  itself is link 0 (subject_id = the holder's did:key, NULL when the license names none),
 *  then its IssuerAuthorization, then charters up to the pinned anchor. Only links whose
 *  signature verified are listed. Strings are owned by the verification. */
typedef struct libro_chain_link {
    libro_cred_type type;
    char *subject_id;
    char *name;
    char *issuer;
    int level;        /* charters: the community's level; others: -1 */
    char *level_name; /* charters: the name to show */
    int64_t valid_from;
    int64_t valid_until;
    bool anchor; /* the pinned anchor that ends the chain */
} libro_chain_link;

/** What a verification found. Always filled, whatever the outcome: `license` once its
 *  signature verified with a key from the store, `chain` as far as the walk got (for
 *  UNTRUSTED, the attempt that got furthest), community names once the authorizing
 *  community's charter or anchor verified. */
typedef struct libro_verification {
    libro_outcome outcome;
    char reason[LIBRO_ERROR_MSG_MAX]; /* one line; empty when VALID */
    /* INVALID because the token says it is something other than a license (a charter, an
     * authorization, a status list, a trust bundle); reason is "not a license: ...". */
    bool not_a_license;
    libro_credential *license; /* NULL when it could not be read */
    char *community_name;      /* the issuing community, when the chain reached it */
    char *community_level_name;
    libro_chain_link *chain;
    size_t n_chain;
    /* Status (docs/credentials.md, "Status from cached lists"). status_checked: the license has
     * credentialStatus and both of its lists were found in the store, authenticated and read;
     * revoked, suspended, status_age and status_from are then what they said. False: the license
     * has no status entries, or the verification stopped before (or at) the lists. */
    bool status_checked;
    bool revoked;   /* the revocation bit is set */
    bool suspended; /* the suspension bit is set */
    /* The message list (the license's third status entry), read only when it decides the
     * word: a revoked or expired license. word_checked: it was found, authenticated, valid
     * now and read; word is then its libro_status_word at the license's index. */
    bool word_checked;
    unsigned word;
    int64_t status_age;                /* now - validFrom of the older list, >= 0 */
    int64_t status_from;               /* validFrom of the older list */
    char warning[LIBRO_ERROR_MSG_MAX]; /* empty, or one line: status data older than 24 h */
    char note[LIBRO_ERROR_MSG_MAX];    /* with opt->at: one line saying that status data is as
                                        * of the last sync; empty otherwise */
    /* A RoundtableMandate (docs/credentials.md): `mandate` once its signature verified with a
     * community key from the store, `license` then staying NULL; the status members above
     * are its own, and `word` one of the mandate words (libro_mandate_word). The names of its
     * communities come from their verified charters in the store, each once the chain walk
     * reached it: `roundtable_name` the roundtable's (the circle's, for a leader: known when
     * the chain is complete), `seat_name` the seat's (the member community that sends a
     * representative, the parent that appoints a leader; NULL for a chair). */
    libro_credential *mandate;
    char *roundtable_name;
    char *seat_name;
    /* Agreements and laws (libro_verify_document). `hash` is the document's (libro_hash_ref of
     * its exact bytes) or the one an LBR reference names ("" otherwise). `agreement`: an
     * agreement document core's check read (COMPLETE or PARTIAL; NULL when INVALID), its
     * framing community then in community_name (when the store holds its charter) with
     * community_trusted saying whether that charter chains to a pinned anchor now (and
     * community_why why not): shown, never part of the verdict, since the parties' own keys
     * sign. `law`: a CommunityLaw once its signature verified with its community's key, the
     * community in community_name. `reference`: the kind an LBR reference names (0: not a
     * reference). `registered`: a registry the store synced, still chaining to a pinned anchor
     * now (and for a document, one of the document's own community), lists the hash:
     * reg_state since reg_since (a state that takes effect later is shown, not yet applied),
     * as of its bundle of reg_synced_ms; reg_note says why there is no state otherwise. */
    char hash[LIBRO_HASH_REF_SIZE];
    libro_agreement *agreement;
    libro_credential *law;
    libro_lbr_kind reference;
    bool community_trusted;
    char community_why[LIBRO_ERROR_MSG_MAX];
    bool registered;
    libro_doc_state reg_state;
    int64_t reg_since;
    int64_t reg_synced_ms;
    char *reg_registry;
    char *reg_url;
    char *reg_community;
    char reg_note[LIBRO_ERROR_MSG_MAX];
} libro_verification;

/** Release the verification and all it owns. NULL is a no-op. */
LIBRO_API void libro_verification_free(libro_verification *v);

/** Verify a compact JWS license (or roundtable mandate: below) offline against `t` (libro-verify(1)
 * with the chain rules of docs/credentials.md), in this order, the first failure giving the
 * outcome: unless opt->at, the clock: opt->now + skew before libro_trust_seen_ms(t) means this
 *  computer's clock was set back past data the store has already seen -> STATUS UNKNOWN
 *  "this computer's clock (...) is before data already seen (...); set the clock right",
 *  with no license read; then the envelope (libro_jws_parse, typ vc+jwt, a well-formed kid) ->
 * INVALID; an IssuerAuthorization in the store for the kid's id and thumbprint -> UNTRUSTED "no
 * trusted issuer authorization for <kid>"; the signature with that key -> INVALID; the claims (only
 *  now read): a ProfessionalLicense whose issuer is the kid's id -> INVALID; the chain up to a
 *  pinned anchor (rules 1-6) -> UNTRUSTED naming the failing link; last, the license's own
 *  window at opt->now +- skew -> EXPIRED / NOT YET VALID; then, for a license with
 *  credentialStatus, its two status lists from the store (docs/credentials.md "Status"):
 *  each found by its statusListCredential URL, signed by a RegistryAuthorization's key that
 *  chains to a pinned anchor through the license's authorizing community, valid at now +-
 *  skew, holding the index -> else STATUS UNKNOWN naming the list; the revocation bit ->
 *  REVOKED (final, whatever the list's age); a list older than max_status_age -> STATUS
 *  UNKNOWN "status data is N days old (maximum M)"; the suspension bit -> SUSPENDED; older
 *  than LIBRO_VERIFY_STATUS_WARN_AGE -> VALID with `warning` set. A forged or unauthorized
 *  list is never evidence either way: STATUS UNKNOWN. A license whose chain is broken is
 *  UNTRUSTED whatever its dates. A token that fails before the chain and says it is not a
 *  license (typ libro-bundle+jwt or libro-request+jwt, or a payload "type" without
 *  ProfessionalLicense, read unverified only for this), or a verified credential of another
 *  type, is INVALID "not a license: ..." with not_a_license set instead, whichever of those
 *  steps it failed at.
 *
 *  A RoundtableMandate goes through the same steps (docs/credentials.md, "The chain of a
 *  mandate"): its kid resolves to a community's key (an anchor or a charter in the store,
 *  -> UNTRUSTED "no trusted charter or anchor for <kid>, the community that signed the
 *  mandate"); after the signature, a mandate signed with an issuer's key or a license with a
 *  community's is UNTRUSTED the same way; link 2 is the signer's charter (or anchor), and
 *  libro_rules_mandate_under applies with the signer's charter and the roundtable's (for a
 *  representative the charter above the signer's, link 3; for a chair the signer's own; for
 *  a leader the circle's charter signed by the parent, found in the store, valid now and
 *  under the parent's) -> UNTRUSTED with the broken rule; then its term -> EXPIRED / NOT YET
 *  VALID; then its three status lists, authenticated through the roundtable's community
 *  (whose registry records its mandates), the message list carrying the mandate words: the
 *  revocation bit -> ENDED "mandate ended: resigned|recalled|replaced (message list of
 *  ...)" or, when the word cannot be read, "mandate ended (revocation list of ...); word
 *  unknown: ...", and the rest as for a license. The mandate is in (*out)->mandate.
 *
 *  A CommunityLaw (docs/credentials.md) too: its kid resolves to its community's key (an
 *  anchor or a charter; a token over LIBRO_MAX_TOKEN_BYTES whose unverified payload names
 *  the type is read with the law caps, LIBRO_MAX_LAW_TOKEN_BYTES), its issuer is the kid's
 *  id, link 2 is that community's charter of the level the law names, chained to a pinned
 *  anchor -> UNTRUSTED; then a registry of its community that says it was repealed (or
 *  replaced) -> REPEALED; before its validFrom -> NOT YET VALID; past its validUntil (the
 *  review date) -> UNDER REVIEW; else IN FORCE. The law is in (*out)->law, its hash in
 *  (*out)->hash.
 *  `opt` NULL: LIBRO_VERIFY_OPTIONS_INIT(libro_time_now()).
 *  Returns LIBRO_OK whenever a verdict was reached (valid or not: see (*out)->outcome; caller
 *  owns *out, libro_verification_free); an error code only when no verdict could be formed
 *  (LIBRO_ERR_NOMEM, LIBRO_ERR_CRYPTO, LIBRO_ERR_INVALID_ARG for NULL arguments or options
 *  out of range), *out then NULL. Reads `t` only. */
LIBRO_API LIBRO_NODISCARD libro_code libro_verify_license(libro_verification **out,
                                                          const libro_trust *t, const char *jws,
                                                          size_t len,
                                                          const libro_verify_options *opt,
                                                          libro_error *err);

/** Verify what doc[0..len) holds, offline against `t` (libro-verify(1)), by its form
 *  (surrounding whitespace ignored):
 *  - a JSON object: a ResponsibilityAgreement document (JWS JSON General Serialization,
 *    docs/credentials.md): core's check (libro_agreement_check) -> INVALID with its reason,
 *    or PARTIAL "k of n parties signed; not yet: <names>" (exit 9); for a COMPLETE one the
 *    state of the registry (below) -> ENDED / SUPERSEDED "agreement ended <since> (registry
 *    <id>, synced <time>)", then its term at opt->now +- skew -> EXPIRED / NOT YET VALID,
 *    else COMPLETE. Its framing community is walked up to a pinned anchor (community_name,
 *    community_trusted, chain), which the verdict does not depend on: the parties sign with
 *    their own keys, which no community vouches for;
 *  - "LBR:" text: the reference (libro_lbr_decode -> INVALID): the registry state of the
 *    document it names, ENDED / SUPERSEDED / REPEALED, IN FORCE, or STATUS UNKNOWN "not in
 *    the trust store: sync its registry (libro sync URL)" when no trusted registry lists it;
 *  - "LB2:" or "LB1:" text (libro/lb1.h): decoded straight into the JWS it carries, the
 *    signing input encoded once and nothing decoded twice, then verified as that compact
 *    JWS would be by libro_verify_license; text that does not decode is INVALID with the
 *    reason libro_lb1_decode gives;
 *  - anything else: a compact JWS, libro_verify_license (a license, a mandate or a
 *    CommunityLaw); "LB3:" text is not taken here (libro_scan_text decodes it).
 *  The registry state comes from the indexes libro_trust_sync kept: an entry counts only while
 *  its registry chains to a pinned anchor now (as a status list's registry must), and for a
 *  document only a registry of the document's own community (an agreement's framing
 *  community, a law's issuer) speaks for it; among several, a final state in effect (since at
 *  or before opt->now) wins, then the latest sync. A state dated later (an agreement ended by
 *  notice ends when the notice runs out) is shown (registered, reg_state, reg_since) and not
 *  yet applied. Codes and ownership as libro_verify_license. */
LIBRO_API LIBRO_NODISCARD libro_code libro_verify_document(libro_verification **out,
                                                           const libro_trust *t, const char *doc,
                                                           size_t len,
                                                           const libro_verify_options *opt,
                                                           libro_error *err);

/** The sentence a person reads for the mandate of `v` (docs/credentials.md, "What a verifier
 *  says"), appended to `out`: "Jane Doe represents Tribe 12 at the roundtable of Neighborhood
 *  3 (voting), 2026-01-01 to 2028-12-31"; a chair "Jane Doe chairs the roundtable of
 *  Neighborhood 3 (chair, no vote), ..."; a leader "Jane Doe leads for Neighborhood 3 in the
 *  circle of Tribe 12 (no vote), ..." (the parent that appoints, then the circle). The
 *  communities by the names of their verified charters (roundtable_name, seat_name), by
 *  their ids when the walk did not reach them; the dates are the term's, in UTC. It states
 *  what the mandate says, not whether it holds: show it with a VALID outcome only.
 *  LIBRO_ERR_INVALID_ARG when `v` holds no mandate; LIBRO_ERR_NOMEM. */
LIBRO_API LIBRO_NODISCARD libro_code libro_mandate_sentence(libro_buf *out,
                                                            const libro_verification *v,
                                                            libro_error *err);

/* ---- the consent record of a law (docs/credentials.md, "The consent record") ------------- */

/** What libro_verify_record found. The steps, mandates and state are filled as far as the
 *  check got, so that a reader can print what was read (libro law record). */
typedef struct libro_record_check {
    bool ok; /* every check passed (and, with a law, the law is what the record adopted) */
    char reason[LIBRO_ERROR_MSG_MAX]; /* the first failure, naming the step or mandate */
    size_t bad_step;                  /* index of the step that failed, or SIZE_MAX */
    size_t bad_mandate;               /* index of the mandate that failed, or SIZE_MAX */
    libro_consent_record *record;     /* the document, parsed (NULL when it could not be) */
    libro_step **steps;               /* record->n_steps entries; NULL where not verified */
    char (*hashes)[LIBRO_HASH_REF_SIZE];
    size_t n_steps;
    libro_verification **mandates; /* record->n_mandates verifications (NULL past a failure) */
    int64_t *mandates_at;          /* the time each mandate was verified at */
    size_t n_mandates;
    bool ran;                  /* the state machine ran over the steps: `state` holds */
    libro_consent_state state; /* its result (adoptable, version, round, standing objections) */
    libro_verification *law;   /* the law given, verified (libro_verify_license); or NULL */
} libro_record_check;

/** Release `r` and all it owns. NULL is a no-op. */
LIBRO_API void libro_record_check_free(libro_record_check *r);

/** Check a law's consent record offline (libro law record): the record document
 *  record[0..record_len) (libro_consent_record_parse), then in this order, the first failure
 *  giving ok false and the reason: every step's signature by its member's own key
 *  (libro_step_verify: "step N: ..."); every mandate (compact JWS RoundtableMandates), each
 *  verified with libro_verify_license as of the last step's time clamped into its own term
 *  (opt->at set: the question is whether the member sat then, and ending early is the
 *  registry's to record, not the term's), which must reach a verified chain to a pinned anchor
 *  (INVALID, UNTRUSTED, EXPIRED or NOT YET VALID fail: "mandate N: ..."), all of the same
 *  roundtable (the law's community when a law is given); the state machine
 *  (libro_consent_run) over the steps with the seats those mandates give, in the record's
 *  order -> "step N (kind): ..." for the first step refused, naming it (a tampered step
 *  breaks its signature or the chain of hashes after it). When `law` is not NULL (a compact
 *  JWS), it must verify (libro_verify_license: IN FORCE, UNDER REVIEW or REPEALED) and be
 *  what the record adopted (libro_consent_check_law: its consentRecord the hash of the last
 *  step, its id the process, its text, aim, review date and roundtable the last version's):
 *  "law: ...". Without a law, ok means the record is sound as far as it goes (see
 *  state.adoptable). LIBRO_OK whenever a result was formed (caller owns *out,
 *  libro_record_check_free); LIBRO_ERR_NOMEM, LIBRO_ERR_CRYPTO, LIBRO_ERR_INVALID_ARG
 *  otherwise (*out NULL). Reads `t` only. */
LIBRO_API LIBRO_NODISCARD libro_code libro_verify_record(
    libro_record_check **out, const libro_trust *t, const char *record, size_t record_len,
    const char *law, size_t law_len, const libro_verify_options *opt, libro_error *err);

/* ---- sync (docs/formats.md): a registry's trust bundle into the store --------------------- */

typedef struct libro_sync_options {
    unsigned version;    /* 1 */
    const char *ca_file; /* PEM CAs to trust instead of the system store, or NULL */
} libro_sync_options;

#define LIBRO_SYNC_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, NULL                                                                                    \
    }

/** What a sync did. */
typedef struct libro_sync_report {
    bool not_modified;      /* the registry had nothing newer (HTTP 304) */
    int64_t issued;         /* the bundle's issued time */
    size_t status_lists;    /* lists the bundle carried */
    size_t authorizations;  /* authorizations it carried */
    uint64_t log_size;      /* leaves of the registry's log at its checkpoint */
    uint64_t log_grew_from; /* ... and at the checkpoint synced before (0 the first time) */
    int64_t issued_ms;      /* the bundle's issued time to the millisecond (bundles are
                               ordered by it: docs/formats.md) */
    size_t members;         /* member communities' charters (seats) it carried */
    size_t agreements;      /* entries of its index of agreements (0 when absent) */
    size_t laws;            /* ... and of laws */
} libro_sync_report;

/** Fetch the trust bundle of the registry at `url` (its base URL: https://..., or http:// to
 *  loopback; libro_http_fetch's limits, at most LIBRO_MAX_BUNDLE_TOKEN_BYTES, conditional on
 *  the ETag of the last sync) and bring `t` up to date, in this order: the bundle's form
 *  (LIBRO_ERR_PARSE, LIBRO_ERR_LIMIT); its signature by the key of the RegistryAuthorization
 *  it carries for its own registry, whose url must be `url` (LIBRO_ERR_UNTRUSTED,
 *  LIBRO_ERR_BAD_SIGNATURE); not older than the last sync of `url` (LIBRO_ERR_ROLLBACK); its
 *  charters and authorizations added, and the registry's authorization chaining to a pinned
 *  anchor now (LIBRO_ERR_UNTRUSTED); its `members` (the charters of the member communities
 *  that hold the seats of its community's roundtable; absent in older bundles) each checked
 *  (issued by the registry's community, signed by its key, under
 *  its charter by the chain rules, and that charter chaining to a pinned anchor now) and
 *  added, the first that fails refusing the sync (LIBRO_ERR_UNTRUSTED "member N: ..."); its log
 * checkpoint signed by the registry key and consistent with the last one synced, by the proof the
 * registry serves (LIBRO_ERR_PROOF; a smaller tree: LIBRO_ERR_ROLLBACK); its status lists added by
 * libro_trust_add's rules (an older list: LIBRO_ERR_ROLLBACK). Then the state of this sync is
 * written atomically (sync/<sha256 hex of the URL>.json) and libro_trust_seen_ms moved forward to
 * the bundle's issued (also on a 304, to the issued synced before). LIBRO_ERR_NETWORK for transport
 *  failures and non-200 answers. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_sync(libro_trust *t, const char *url,
                                                      const libro_sync_options *opt,
                                                      libro_sync_report *report, libro_error *err);

/** The key of the registry last synced from `url` (its base URL as given to libro_trust_sync,
 *  without a trailing '/'), for a reader of its log (libro watch): the key of the
 *  RegistryAuthorization the store holds for the registry and key that signed the bundle,
 *  that authorization still chaining to a pinned anchor at `now`. *key and *registry (its id)
 *  are borrowed from the store until it changes or is freed. LIBRO_ERR_NOT_FOUND when no
 *  registry was synced from `url` ("run 'libro sync URL' first"), LIBRO_ERR_UNTRUSTED when
 *  its authorization is missing or no longer chains. Needs exclusive access to `t`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_trust_registry_key(const libro_key **key,
                                                              const char **registry, libro_trust *t,
                                                              const char *url, int64_t now,
                                                              libro_error *err);

#endif
