/* libro: laws adopted by sociocratic consent (docs/credentials.md, "The consent record";
 * docs/formats.md, "Consent steps"). A law's process is a chain of steps, each a compact JWS
 * (typ "libro-consent+jwt") signed by the member who took it with their own Ed25519 key
 * (kid "<did:key>#<thumbprint>"), each naming the hash of the one before. The state machine
 * (libro_consent_run) is pure: given the steps and the roundtable's members with the times
 * their mandates ran, it says whether the proposal may be adopted, or which step is refused
 * and why. The registry runs it before recording a step, the verifier over a whole record,
 * so they cannot disagree. */
#ifndef LIBRO_CONSENT_H
#define LIBRO_CONSENT_H

#include "libro/credential.h"
#include "libro/crypto.h"

#define LIBRO_CONSENT_TYP "libro-consent+jwt" /* a step's protected header typ */
#define LIBRO_MAX_REASON_BYTES                                                                     \
    2000u                                           /* an objection's reason or harm, a ruling's   \
                                                       reason: 1 .. this */
#define LIBRO_MAX_STEPS 2000u                       /* steps in one process: seq 0 .. this - 1 */
#define LIBRO_MAX_RECORD_MANDATES 256u              /* mandates in one record document */
#define LIBRO_MAX_RECORD_BYTES (8u * 1024u * 1024u) /* a record document */
#define LIBRO_MAX_ANSWERS 64u                       /* objections one amendment names */
#define LIBRO_MAX_ROUNDS 1000u                      /* version and round numbers: 1 .. this */

/** A step's kind ("kind" member). */
typedef enum libro_step_kind {
    LIBRO_STEP_PROPOSE = 1,  /* "propose": seq 0 only, by a voting member: version 1 */
    LIBRO_STEP_AMEND = 2,    /* "amend": by a voting member: the next version, round 1 */
    LIBRO_STEP_RESPOND = 3,  /* "respond": consent or a reasoned objection */
    LIBRO_STEP_RULE = 4,     /* "rule": the chair on an objection's form */
    LIBRO_STEP_WITHDRAW = 5, /* "withdraw": an objection by its author */
    LIBRO_STEP_ROUND = 6,    /* "round": the chair opens the next round of this version */
} libro_step_kind;

typedef enum libro_response {
    LIBRO_RESPONSE_CONSENT = 1, /* "consent" */
    LIBRO_RESPONSE_OBJECT = 2,  /* "object": reason and harm required */
} libro_response;

typedef enum libro_ruling {
    LIBRO_RULING_VALID = 1, /* "valid": the objection is reasoned and tied to the aim */
    LIBRO_RULING_OUT = 2,   /* "out": it is not; it no longer blocks */
} libro_ruling;

/** A step's payload. Members its kind does not use are NULL / 0. Strings are owned (freed by
 *  libro_step_free). */
typedef struct libro_step {
    char *process; /* the law's id (an id, docs/credentials.md) */
    uint32_t seq;  /* 0, 1, 2 ... below LIBRO_MAX_STEPS */
    char *prev;    /* the hash of step seq-1 (LIBRO_HASH_REF_LEN); NULL exactly at seq 0 */
    int64_t at;    /* when the step was taken */
    char *by;      /* the did:key (Ed25519) of the member who signed it */
    libro_step_kind kind;
    /* propose, amend */
    char *title;         /* 1..200 bytes */
    char *aim;           /* 1..LIBRO_MAX_AIM_BYTES */
    char *text;          /* 1..LIBRO_MAX_LAW_TEXT_BYTES (line feeds allowed) */
    int64_t review_date; /* reviewDate: after `at` */
    char *supersedes;    /* propose only, optional: the hash of the law version it replaces */
    char **answers;      /* amend: 0..LIBRO_MAX_ANSWERS distinct hashes of objection steps */
    size_t n_answers;
    /* respond, round */
    uint32_t version;        /* 1..LIBRO_MAX_ROUNDS */
    uint32_t round;          /* 1..LIBRO_MAX_ROUNDS */
    libro_response response; /* respond */
    char *harm;              /* respond with an objection: how it harms the aim */
    /* respond (an objection), rule */
    char *reason; /* 1..LIBRO_MAX_REASON_BYTES */
    /* rule, withdraw */
    char *objection;     /* the hash of the objection's step */
    libro_ruling ruling; /* rule */
} libro_step;

/** Release everything `s` owns and `s` itself. NULL is a no-op. */
LIBRO_API void libro_step_free(libro_step *s);
/** "propose", "amend", ...; NULL outside the enum. */
LIBRO_API const char *libro_step_kind_name(libro_step_kind kind);

/** Parse a step payload p[0..len) strictly: at most LIBRO_MAX_LAW_PAYLOAD_BYTES
 *  (LIBRO_ERR_LIMIT), one JSON object without duplicate members (LIBRO_ERR_PARSE), the
 *  members of its kind exactly (docs/formats.md) in any order: LIBRO_ERR_SCHEMA with the
 *  member's path ("step: reason: required with an objection", "step: prev: absent exactly
 *  at seq 0"); LIBRO_ERR_TIME for a time not of the form "YYYY-MM-DDTHH:MM:SSZ";
 *  LIBRO_ERR_BAD_KEY for a `by` that is not an Ed25519 did:key. LIBRO_OK: caller owns *out
 *  (libro_step_free); else *out is NULL. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_step_parse(libro_step **out, const void *p, size_t len,
                                                      libro_error *err);

/** Write `s` as compact JSON, members in the order process, seq, prev, at, by, kind, then
 *  the kind's (docs/formats.md), appended to `out` (untouched on failure). Checks what the
 *  parser checks first, so whatever it writes parses back to the same bytes. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_step_to_json(libro_buf *out, const libro_step *s,
                                                        libro_error *err);

/** Sign `s` with `k`, whose did:key must be s->by (LIBRO_ERR_DENIED): the compact JWS with
 *  header {"alg":"EdDSA","kid":"<by>#<thumbprint>","typ":"libro-consent+jwt"} over
 *  libro_step_to_json, appended to `out`. Thread-safe on distinct keys. */
LIBRO_API LIBRO_NODISCARD libro_code libro_step_sign(libro_buf *out, const libro_step *s,
                                                     const libro_key *k, libro_error *err);

/** Read the step token[0..len) and check its signature: at most LIBRO_MAX_LAW_TOKEN_BYTES
 *  (LIBRO_ERR_LIMIT), the compact JWS rules of libro_jws_parse_ex, typ libro-consent+jwt
 *  (LIBRO_ERR_UNSUPPORTED), a kid "<did>#<thumbprint>" (LIBRO_ERR_PARSE) whose did names
 *  an Ed25519 key with that thumbprint (LIBRO_ERR_DENIED otherwise), the signature by that
 *  key (LIBRO_ERR_BAD_SIGNATURE), then the payload (libro_step_parse) whose `by` must be
 *  the kid's did (LIBRO_ERR_DENIED). Whether that member could act then is the state
 *  machine's. LIBRO_OK: caller owns *out; `hash` (may be NULL) gets libro_hash_ref of the
 *  token. Else *out is NULL. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_step_verify(libro_step **out,
                                                       char hash[LIBRO_HASH_REF_SIZE],
                                                       const char *token, size_t len,
                                                       libro_error *err);

/** One member's seat in the roundtable for a span of time, as the mandates say (a mandate's
 *  validFrom until its validUntil, or until it ended early). A member may have several rows
 *  (a renewed mandate). The voting rows, in the order of the array, are the recorded order
 *  in which members respond (their seats' order in the roundtable). All borrowed. */
typedef struct libro_consent_seat {
    const char *did;     /* the member's did:key */
    libro_office office; /* LIBRO_OFFICE_REPRESENTATIVE (votes), _CHAIR; a _LEADER row is
                          * ignored (a circle's leader takes no part in a roundtable's law) */
    int64_t from;        /* first second the member sits */
    int64_t until;       /* last second the member sits (inclusive) */
} libro_consent_seat;

/** The seat the RoundtableMandate `mandate` gives (one rule for the registry and the
 *  verifier): did its holder (borrowed from `mandate`), office its office, from its
 *  validFrom, until its validUntil, or, when it ended early (`ended` > 0: resigned, recalled,
 *  replaced at that time), the second before `ended` (a member no longer sits from the
 *  moment the mandate ends). LIBRO_ERR_INVALID_ARG for a NULL argument or another type;
 *  LIBRO_ERR_TIME for an `ended` outside validFrom+1..validUntil. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_seat_of(libro_consent_seat *out,
                                                           const libro_credential *mandate,
                                                           int64_t ended, libro_error *err);

/** The state of a process after the steps it accepted. Owned by the caller, released with
 *  libro_consent_state_free (the struct itself may live on the stack: LIBRO_CONSENT_STATE_INIT). */
typedef struct libro_consent_state {
    size_t n_accepted;       /* steps accepted, from the first: all of them unless one
                              * was refused */
    bool refused;            /* a step was refused: the one at index n_accepted */
    libro_code refused_code; /* LIBRO_ERR_DENIED (who may act, when), LIBRO_ERR_PARSE (the
                              * chain: process, seq, prev, time order) */
    char refused_reason[LIBRO_ERROR_MSG_MAX]; /* "step 4 (respond): ..." one line */
    bool adoptable;      /* every member of the last round of the last version has
                          * responded and no objection stands */
    uint32_t version;    /* the current version (1 after the proposal; 0 before) */
    uint32_t round;      /* the current round of that version */
    size_t version_step; /* index of the propose or amend step of the version */
    char record_hash[LIBRO_HASH_REF_SIZE]; /* the hash of the last accepted step ("" none) */
    size_t *standing;                      /* indices of the objection steps that stand (in this
                                            * round of this version, not ruled out, not withdrawn) */
    size_t n_standing;
    const char **pending; /* did:keys (borrowed from the seats) of the round's
                           * members who have not responded and still sit, in order */
    size_t n_pending;
    const char **round_members; /* did:keys of the voting members at the round's opening,
                                 * in the recorded order (borrowed from the seats) */
    size_t n_round_members;
    const char *chair; /* the chair at the round's opening (borrowed) or NULL */
} libro_consent_state;

#define LIBRO_CONSENT_STATE_INIT                                                                   \
    {                                                                                              \
        0, false, LIBRO_OK, {0}, false, 0, 0, 0, {0}, NULL, 0, NULL, 0, NULL, 0, NULL              \
    }

/** Release the arrays `st` owns; *st becomes LIBRO_CONSENT_STATE_INIT. NULL is a no-op. */
LIBRO_API void libro_consent_state_free(libro_consent_state *st);

/** Run the process: steps[0..n_steps) (parsed and verified: libro_step_verify) with their
 *  hashes hashes[0..n_steps) (libro_hash_ref of each token), against the roundtable's
 *  seats[0..n_seats). Steps are taken in order until the first one refused:
 *  - the chain: step i has seq i, the process of step 0, prev = hashes[i-1] (absent at 0),
 *    an `at` no earlier than the step before's (LIBRO_ERR_PARSE);
 *  - who may act, from the seats at the step's `at` (LIBRO_ERR_DENIED): a proposal (seq 0
 *    only) or an amendment by a voting member; a response by a member of the round (the
 *    voting members at the round's opening: the propose, amend or round step), still seated,
 *    not the chair ("the chair takes part in no round"), once per round, in the recorded
 *    order (members whose seat ended are passed over), for the current version and round; a
 *    ruling by the chair on a standing objection of this round, once; a withdrawal by the
 *    objection's author of a standing objection; a new round by the chair, numbered one
 *    more, when every member of this round has responded; an amendment naming only
 *    objections of the version it replaces. An amendment voids every response to earlier
 *    versions and starts round 1 of the new version.
 *  *st is filled in every case (LIBRO_CONSENT_STATE_INIT first; release with
 *  libro_consent_state_free): the state after the accepted steps, and the refusal. Returns
 *  LIBRO_OK when the steps were judged (a refusal included), LIBRO_ERR_INVALID_ARG for NULL
 *  arguments, LIBRO_ERR_NOMEM. Pure: no clock, no I/O. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_run(libro_consent_state *st,
                                                       const libro_step *const *steps,
                                                       const char *const *hashes, size_t n_steps,
                                                       const libro_consent_seat *seats,
                                                       size_t n_seats, libro_error *err);

/** Whether the process `st` (after libro_consent_run over `steps` and their `hashes`, which
 *  may be NULL) can be adopted now: LIBRO_OK, or LIBRO_ERR_DENIED with the first reason in
 *  this order: a refused step ("the record does not hold: ..."), no proposal, an objection
 *  that stands (its step hash when `hashes` is given, and its author), a member of the round
 *  who has not responded, and a member of the round who left before responding ("the chair
 *  opens a new round"). The one wording of why a process is not adoptable. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_adoptable(const libro_consent_state *st,
                                                             const libro_step *const *steps,
                                                             const char *const *hashes,
                                                             size_t n_steps, libro_error *err);

/** Whether the CommunityLaw `law` is what the process adopted: the process accepted every
 *  step and is adoptable (LIBRO_ERR_DENIED "the process is not adoptable: ..."); the law's
 *  consentRecord is st->record_hash; its id the process; its title, aim and text the current
 *  version's, its validUntil the version's reviewDate, its supersedes the proposal's; its
 *  validFrom no earlier than the last step's `at`; its roundtable the round's members (ids,
 *  in order, office representative) then the chair (when there is one). LIBRO_ERR_DENIED
 *  naming the first member that differs. `steps` as given to libro_consent_run. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_check_law(const libro_credential *law,
                                                             const libro_consent_state *st,
                                                             const libro_step *const *steps,
                                                             size_t n_steps, libro_error *err);

/** A consent record document (docs/formats.md, "Consent record"): {"process": "<law id>",
 *  "steps": [<compact JWS>, ...], "mandates": [<compact JWS>, ...]}, the steps in order and
 *  the mandates of every member who acted or sat, so that the record verifies offline. */
typedef struct libro_consent_record {
    char *process;
    char **steps; /* 1..LIBRO_MAX_STEPS tokens, each at most LIBRO_MAX_LAW_TOKEN_BYTES */
    size_t n_steps;
    char **mandates; /* 0..LIBRO_MAX_RECORD_MANDATES tokens, each at most LIBRO_MAX_TOKEN_BYTES */
    size_t n_mandates;
} libro_consent_record;

/** Release everything `r` owns and `r` itself. NULL is a no-op. */
LIBRO_API void libro_consent_record_free(libro_consent_record *r);

/** Parse a record document p[0..len) strictly: at most LIBRO_MAX_RECORD_BYTES
 *  (LIBRO_ERR_LIMIT), one JSON object of exactly those three members (LIBRO_ERR_PARSE, or
 *  LIBRO_ERR_SCHEMA with the path), the counts and token sizes above (LIBRO_ERR_LIMIT).
 *  Nothing is verified here: libro_step_verify each step, then libro_consent_run. LIBRO_OK:
 *  caller owns *out (libro_consent_record_free); else *out is NULL. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_record_parse(libro_consent_record **out,
                                                                const void *p, size_t len,
                                                                libro_error *err);

/** Write `r` as compact JSON {"process","steps","mandates"}, appended to `out` (untouched on
 *  failure); refuses what the parser refuses. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_consent_record_to_json(libro_buf *out,
                                                                  const libro_consent_record *r,
                                                                  libro_error *err);

#endif
