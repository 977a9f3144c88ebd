/* libro_issuer: build and sign credentials (docs/credentials.md). */
#ifndef LIBRO_ISSUER_H
#define LIBRO_ISSUER_H

#include "libro/agreement.h"
#include "libro/consent.h"
#include "libro/credential.h"
#include "libro/lbr.h"
#include "libro/limits.h"
#include "libro/qr.h"
#include "libro/registry_client.h"

/** Sign `c` as a vc+jwt compact JWS with `signer` (kid "<c->issuer>#<thumbprint>"), appended
 *  to `jws_out` (untouched on failure). Checks `c` against its schema first
 *  (libro_credential_check: LIBRO_ERR_SCHEMA and the codes it names), reads the payload back
 *  with libro_credential_parse as a self-check, and, for a self-chartered CommunityCharter
 *  (issuer = subject id), requires the signer to be the charter's own key (LIBRO_ERR_DENIED).
 *  A public-only signer: LIBRO_ERR_BAD_KEY. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_sign(libro_buf *jws_out,
                                                       const libro_credential *c,
                                                       const libro_key *signer, libro_error *err);

/** Check that a license may be issued under `authorization` (an IssuerAuthorization whose
 *  subject the license's issuer is), itself issued by the community of `community_charter`:
 *  same issuer id, signer key = the authorized key, the authorization's issuer = the
 *  charter's subject, then the chain rules of libro/rules.h that a verifier applies
 *  (libro_rules_license_under, then libro_rules_license_level): the license's community = the
 *  authorizing community, license type granted, validUntil - validFrom no longer than the
 *  type's validityDays, the window inside the authorization's, and its communityLevel = the
 *  charter's level, checked in that order. LIBRO_ERR_DENIED with the reason ("issuer: " + the
 *  rule's); LIBRO_ERR_INVALID_ARG for NULL arguments or credentials of the wrong types. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_check_license(
    const libro_credential *license, const libro_credential *authorization,
    const libro_credential *community_charter, const libro_key *signer, libro_error *err);

/** Check that `authorization` (IssuerAuthorization or RegistryAuthorization) or a child
 *  charter may be signed under `community_charter` (the signer's own charter): issuer = the
 *  charter's subject, signer key = its key, then the chain rules of libro/rules.h
 *  (libro_rules_under_charter): window inside the charter's, license types within its
 *  allowedLicenseTypes, a child's level below its level. LIBRO_ERR_DENIED with the reason
 *  ("issuer: " + the rule's); LIBRO_ERR_INVALID_ARG for NULL arguments, a license as `c` (see
 *  libro_issuer_check_license) or a `community_charter` that is not a charter. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_check_under_charter(
    const libro_credential *c, const libro_credential *community_charter, const libro_key *signer,
    libro_error *err);

/* ---- the issuer's workflows ---------------------------------------------------------------- */

/** An issuer: its signing key, its IssuerAuthorization and the CommunityCharter of the
 *  community that signed that authorization. Opaque; one thread at a time. */
typedef struct libro_issuer libro_issuer;

/** Open an issuer from its signing key `signer` (borrowed: it must outlive the handle) and
 *  the texts of its IssuerAuthorization and its community's charter (compact JWS, surrounding
 *  whitespace allowed, at most LIBRO_MAX_TOKEN_BYTES). Both are parsed without a signature
 *  check (the issuer's own files: verifiers check the chain) and type-checked:
 * LIBRO_ERR_INVALID_ARG unless they are an IssuerAuthorization and a CommunityCharter,
 * LIBRO_ERR_DENIED unless the authorization was signed by that community. Codes of
 * libro_credential_parse_unverified. LIBRO_OK: caller owns *out (libro_issuer_free). */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_open(libro_issuer **out, const libro_key *signer,
                                                       const char *authorization, size_t auth_len,
                                                       const char *charter, size_t charter_len,
                                                       libro_error *err);
/** libro_issuer_open with the two credentials read from files (errors name the file). */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_open_files(libro_issuer **out,
                                                             const libro_key *signer,
                                                             const char *authorization_path,
                                                             const char *charter_path,
                                                             libro_error *err);
LIBRO_API void libro_issuer_free(libro_issuer *is);
/** The issuer's IssuerAuthorization and its community's charter (borrowed). */
LIBRO_API const libro_credential *libro_issuer_authorization(const libro_issuer *is);
LIBRO_API const libro_credential *libro_issuer_charter(const libro_issuer *is);

/** Connect to the registry `target` (a database path or a URL, libro_registry_client_open)
 *  as this issuer: requests signed with its key under its authorization's kid; in-process
 *  changes recorded under `actor` (NULL: the issuer's id). Caller closes *out before
 *  freeing `is`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_registry_open(libro_registry_client **out,
                                                                const libro_issuer *is,
                                                                const char *target,
                                                                const char *actor,
                                                                libro_error *err);

/** A signed license: what libro_issuer_issue_license and libro_issuer_renew return. */
typedef struct libro_issued {
    libro_buf jws;             /* the compact JWS (no newline) */
    libro_credential *license; /* what was signed */
    bool registered;           /* recorded in a registry */
    uint32_t status_list;      /* when registered by libro_issuer_issue_license: the status */
    uint32_t status_index;     /* list pair and index reserved for it */
    uint32_t version;          /* 1 for a new license; a renewal's new version number */
} libro_issued;

#define LIBRO_ISSUED_INIT                                                                          \
    {                                                                                              \
        LIBRO_BUF_INIT, NULL, false, 0, 0, 0                                                       \
    }

/** Release what `out` holds and zero it (LIBRO_ISSUED_INIT). NULL is a no-op. */
LIBRO_API void libro_issued_clear(libro_issued *out);

#define LIBRO_LICENSE_OPTIONS_VERSION 1u

/** What a new license says. Times are Unix seconds. */
typedef struct libro_license_options {
    unsigned version;       /* LIBRO_LICENSE_OPTIONS_VERSION */
    const char *holder;     /* the holder's name (required) */
    const char *holder_did; /* the holder's did:key, or NULL */
    const char *number;     /* the license number (required) */
    const char *profession; /* required */
    const char *license_type;
    const char *const *scope; /* 1 or more entries */
    size_t n_scope;
    int64_t valid_from;  /* 0: now */
    int64_t valid_until; /* 0: from `days`, else the default */
    uint32_t days;       /* 0: the default; not with valid_until */
    /* With a registry database: where its status lists are served (<base>/<list>/revocation
     * and .../suspension). Over HTTP the registry names its own lists; when this is given
     * too, they must be the same. */
    const char *status_url_base;
} libro_license_options;

#define LIBRO_LICENSE_OPTIONS_INIT                                                                 \
    {                                                                                              \
        LIBRO_LICENSE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL        \
    }

/** Issue a license: build it from `opt`, check it (libro_issuer_check_license), sign it and,
 *  with a `registry` (NULL for none), record it there. Validity: from `valid_from` (default
 *  now); by default for the shorter of the grant's validityDays and the registry type's
 *  validity, cut at the end of the authorization and of the charter. An explicit
 *  `valid_until` or `days` is checked, never cut: LIBRO_ERR_DENIED when it runs past the
 *  grant, the registry's type, the authorization or the charter. With a registry the type
 *  must be defined there (LIBRO_ERR_NOT_FOUND); then the sequence is: reserve a status index,
 *  put the status entries in the license (from `status_url_base` in-process, the
 *  reservation's URLs over HTTP), check, sign, register. An index reserved for a license the
 *  registry then refuses stays unused. In-process the sequence is one transaction, run again
 *  (up to 8 times in all) when a shared database refuses it for a concurrent one
 *  (LIBRO_ERR_CONFLICT after the last; inside a caller's group, the caller runs its group
 *  again). LIBRO_OK: *out (zeroed on entry; caller clears with
 *  libro_issued_clear) holds the JWS and the license. On failure *out is empty: there is
 *  nothing to write. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_issue_license(libro_issued *out, libro_issuer *is,
                                                                libro_registry_client *registry,
                                                                const libro_license_options *opt,
                                                                libro_error *err);

/* ---- many licenses from one file ---------------------------------------------------------- */

/** A batch file's bounds: a longer line is refused alone (its error names it); a file of more
 *  records is refused whole, before anything is issued. */
#define LIBRO_BATCH_MAX_LINE_BYTES 4096u
#define LIBRO_BATCH_MAX_LINES 1000000u
/** Lines that share one transaction (one commit) with a local database, by default. */
#define LIBRO_BATCH_DEFAULT_GROUP 256u

#define LIBRO_BATCH_OPTIONS_VERSION 1u

/** What libro_issuer_issue_batch takes besides the file. */
typedef struct libro_batch_options {
    unsigned version;            /* LIBRO_BATCH_OPTIONS_VERSION */
    const char *status_url_base; /* as libro_license_options (a registry database) */
    /* Validity for the lines that give none, as libro_license_options. */
    int64_t valid_from;
    int64_t valid_until;
    uint32_t days;
    /* With a local database: lines per transaction (0: LIBRO_BATCH_DEFAULT_GROUP). Over
     * HTTP each license is committed by the registry before it answers. */
    size_t group;
} libro_batch_options;

#define LIBRO_BATCH_OPTIONS_INIT                                                                   \
    {                                                                                              \
        LIBRO_BATCH_OPTIONS_VERSION, NULL, 0, 0, 0, 0                                              \
    }

/** The outcome of one line of a batch, handed to the caller's libro_batch_fn once the license
 *  is committed (or the line has failed). Everything is borrowed for the call. */
typedef struct libro_batch_line {
    size_t line;                /* its line number in the file, from 1 */
    size_t done;                /* records reported so far, this one included */
    size_t total;               /* records in the file */
    const char *number;         /* the license number the line names, or NULL */
    libro_code code;            /* LIBRO_OK: issued (and registered) */
    const char *message;        /* else why, one line */
    const libro_issued *issued; /* LIBRO_OK: the license */
} libro_batch_line;

/** Called once per record, in the file's order. A code other than LIBRO_OK stops the batch
 *  (libro_issuer_issue_batch returns it); licenses already committed stay issued. */
typedef libro_code (*libro_batch_fn)(void *ctx, const libro_batch_line *line, libro_error *err);

/** What a batch did. */
typedef struct libro_batch_report {
    size_t total;  /* records in the file */
    size_t issued; /* lines issued and committed */
    size_t failed; /* lines refused or failed */
} libro_batch_report;

/** Issue a license per record of the file at `path` with `registry` (required), as
 *  libro_issuer_issue_license would from the record's fields. The file is CSV with a header
 *  line, or JSON lines (one object per line) when its first byte (after a UTF-8 BOM) is '{'.
 *  Fields (CSV header names / JSON members): holder, number, profession, type, scope (CSV:
 *  items separated by ';'; JSON: a string or an array of strings) required; holder_did /
 *  holderDid, valid_from / validFrom, valid_until / validUntil (RFC 3339), days optional.
 *  Blank lines are skipped; a CSV field may be quoted ("" inside for a quote) but spans no
 *  line. Every field is checked (strict UTF-8, no control character, a known name, the
 *  right type); a line that breaks a rule fails alone, with its line number. With a local
 *  database the lines go in groups of opt->group, each license in a savepoint of the group
 *  (a line that fails is undone alone), and a line is reported only once its group is
 *  committed (a failed commit fails every line of the group). A group a shared database
 *  refused for a concurrent transaction (LIBRO_ERR_CONFLICT at a line or at its commit) kept
 *  nothing and is read and issued again, up to 8 times in all; then each of its lines fails
 *  with LIBRO_ERR_CONFLICT. Before anything is issued the
 *  file is read once: LIBRO_ERR_LIMIT for more than LIBRO_BATCH_MAX_LINES records,
 *  LIBRO_ERR_PARSE for an empty file or a CSV header with an unknown, repeated or missing column,
 *  LIBRO_ERR_NOT_FOUND / LIBRO_ERR_IO for the file. LIBRO_OK once every record was reported
 *  (report->failed says how many failed); else the code of the file, the storage or `fn`.
 *  `report` is filled in either case. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_issue_batch(
    libro_batch_report *report, libro_issuer *is, libro_registry_client *registry, const char *path,
    const libro_batch_options *opt, libro_batch_fn fn, void *ctx, libro_error *err);

#define LIBRO_RENEWAL_OPTIONS_VERSION 1u

typedef struct libro_renewal_options {
    unsigned version;   /* LIBRO_RENEWAL_OPTIONS_VERSION */
    const char *number; /* the license to renew (required) */
    const libro_evidence *evidence;
    size_t n_evidence;
    const char *reason; /* recorded; may be NULL */
} libro_renewal_options;

#define LIBRO_RENEWAL_OPTIONS_INIT                                                                 \
    {                                                                                              \
        LIBRO_RENEWAL_OPTIONS_VERSION, NULL, NULL, 0, NULL                                         \
    }

/** Renew license `opt->number` in `registry`: its next version (same number, holder, type,
 *  scope and status entries as the registry's copy) valid from now for the shorter of the
 *  type's validity and the grant's, cut at the end of the authorization and of the charter,
 *  checked, signed and recorded with the evidence. The registry checks the renewal window,
 *  the grace period, the state and the type's requirements (LIBRO_ERR_DENIED). A license of
 *  another community is refused (LIBRO_ERR_DENIED); LIBRO_ERR_NOT_FOUND for an unknown
 *  number. LIBRO_OK: *out (zeroed on entry) holds the new version (out->version its number);
 *  on failure it is empty. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_renew(libro_issued *out, libro_issuer *is,
                                                        libro_registry_client *registry,
                                                        const libro_renewal_options *opt,
                                                        libro_error *err);

/** The LB2 QR transport of the compact JWS token[0..len) (trailing newlines ignored): its
 *  LB2 text appended to `text_out` and its QR code as a PNG appended to `png_out` (`opt` as
 *  for libro_qr_render; NULL: level M). *qr_version (may be NULL) receives the QR version.
 *  Codes of libro_lb1_encode and libro_qr_render, after which both buffers are untouched;
 *  LIBRO_ERR_NOMEM. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_qr(libro_buf *png_out, libro_buf *text_out,
                                                     int *qr_version, const char *token, size_t len,
                                                     const libro_qr_options *opt, libro_error *err);

#define LIBRO_CHARTER_OPTIONS_VERSION 2u /* 1: the same without the roundtable terms */

/** A CommunityCharter to sign. */
typedef struct libro_charter_options {
    unsigned version;   /* LIBRO_CHARTER_OPTIONS_VERSION */
    const char *issuer; /* the parent community's id; NULL: self-chartered (issuer = id) */
    /* The parent's own charter (compact JWS), required with `issuer`: the child is checked
     * under it (libro_issuer_check_under_charter). Not with a self charter. */
    const char *parent_charter;
    size_t parent_charter_len;
    const char *id;
    const char *name;
    int level;
    const char *level_name;         /* or NULL */
    const libro_key *community_key; /* its public half is used; NULL for a self charter:
                                       the signer's */
    const char *const *allowed;
    size_t n_allowed;
    int64_t valid_from;
    int64_t valid_until;
    /* The charter's "roundtable" member (docs/credentials.md): the terms in years of the
     * offices of this community's roundtable and circle, each 1 .. the seed term or 0 (the
     * seed), and the most terms one holder serves back to back in one seat (1 ..
     * LIBRO_MAX_TERMS_IN_ROW, or 0: no limit). All 0: no member. */
    unsigned representative_term_years;
    unsigned chair_term_years;
    unsigned leader_term_years;
    unsigned consecutive_terms;
} libro_charter_options;

#define LIBRO_CHARTER_OPTIONS_INIT                                                                 \
    {                                                                                              \
        LIBRO_CHARTER_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, 0, 0, 0, 0, \
            0, 0, 0                                                                                \
    }

/** Build, check and sign a CommunityCharter with `signer`: a child charter under the parent's
 *  (LIBRO_ERR_DENIED with the reason), a self charter by the community's own key. The JWS is
 *  appended to `jws_out`; the caller owns *charter_out (may be NULL). LIBRO_ERR_INVALID_ARG
 *  for a missing parent charter or community key. Codes of libro_issuer_sign (LIBRO_ERR_SCHEMA
 *  for roundtable terms outside what the charter's level allows). */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_issue_charter(libro_buf *jws_out,
                                                                libro_credential **charter_out,
                                                                const libro_key *signer,
                                                                const libro_charter_options *opt,
                                                                libro_error *err);

#define LIBRO_AUTHORIZATION_OPTIONS_VERSION 2u /* 1: the same without status_registry */

/** An IssuerAuthorization or RegistryAuthorization to sign. */
typedef struct libro_authorization_options {
    unsigned version;     /* LIBRO_AUTHORIZATION_OPTIONS_VERSION */
    libro_cred_type type; /* LIBRO_CRED_ISSUER_AUTH or LIBRO_CRED_REGISTRY_AUTH */
    const char *charter;  /* the signing community's own charter (compact JWS) */
    size_t charter_len;
    const char *id;
    const char *name;
    const libro_key *subject_key; /* its public half is used */
    /* IssuerAuthorization: the license types granted, each with its longest validity. */
    const libro_license_grant *grants;
    size_t n_grants;
    const char *url; /* RegistryAuthorization: where it serves, or NULL */
    int64_t valid_from;
    int64_t valid_until;
    /* IssuerAuthorization: statusRegistry, the base URL of the registry whose status lists
     * every license under it must name (docs/credentials.md), or NULL for none. */
    const char *status_registry;
} libro_authorization_options;

#define LIBRO_AUTHORIZATION_OPTIONS_INIT                                                           \
    {                                                                                              \
        LIBRO_AUTHORIZATION_OPTIONS_VERSION, LIBRO_CRED_ISSUER_AUTH, NULL, 0, NULL, NULL, NULL,    \
            NULL, 0, NULL, 0, 0, NULL                                                              \
    }

/** Build, check under the signing community's charter (libro_issuer_check_under_charter)
 *  and sign an authorization. The JWS is appended to `jws_out`; the caller owns
 *  *authorization_out (may be NULL). LIBRO_ERR_INVALID_ARG for another `type` or a charter
 *  that is not a CommunityCharter; the codes of libro_issuer_sign. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_issue_authorization(
    libro_buf *jws_out, libro_credential **authorization_out, const libro_key *signer,
    const libro_authorization_options *opt, libro_error *err);

/* ---- roundtables and mandates (docs/credentials.md, "RoundtableMandate") ------------------- */

#define LIBRO_MANDATE_OPTIONS_VERSION 1u

/** A RoundtableMandate to issue. The roundtable and the seat come from the two charters: the
 *  roundtable is `roundtable_charter`'s community (its id and level), and the seat is the
 *  signing community (`signer_charter`'s subject), except for a chair, who has none. */
typedef struct libro_mandate_options {
    unsigned version; /* LIBRO_MANDATE_OPTIONS_VERSION */
    libro_office office;
    const char *holder;     /* the holder's name (required) */
    const char *holder_did; /* the holder's did:key (required: their member key) */
    /* The signing community's own charter (compact JWS; its key must be the signer's): a
     * member community for its representative, the roundtable's community for its chair,
     * the parent for a leader. */
    const char *signer_charter;
    size_t signer_charter_len;
    /* The roundtable's community's charter: the parent's for a representative, the member's
     * (signed by the parent) for a leader; NULL for a chair (the signer's own). */
    const char *roundtable_charter;
    size_t roundtable_charter_len;
    int64_t valid_from;          /* 0: now */
    int64_t valid_until;         /* 0: the longest term the rules allow, cut at the signer charter's
                                    end; an explicit end is checked, never cut */
    const char *election_record; /* "sha256:<64 lowercase hex>" (required) */
    int64_t election_date;       /* required */
    uint32_t electorate;         /* 1..LIBRO_MAX_ELECTORATE */
    const char *election_result; /* text, 1..200 bytes */
    /* The registry of the roundtable's community: a database path (in-process, changes
     * recorded under `actor`, NULL: the signing community's id; its mandate lists served
     * under `status_url_base`, <base>/<list>/revocation ...) or its URL (requests signed by
     * the signer as "<signing community>#<thumbprint>"; the registry names the lists). */
    const char *registry;
    const char *actor;
    const char *status_url_base;
} libro_mandate_options;

#define LIBRO_MANDATE_OPTIONS_INIT                                                                 \
    {                                                                                              \
        LIBRO_MANDATE_OPTIONS_VERSION, (libro_office) 0, NULL, NULL, NULL, 0, NULL, 0, 0, 0, NULL, \
            0, 0, NULL, NULL, NULL, NULL                                                           \
    }

/** Issue a mandate: build it from `opt`, check it under the two charters (the signer key is
 *  the signer charter's community key, then libro_rules_mandate_under: office, signer, term,
 *  window; LIBRO_ERR_DENIED with the rule's reason, prefixed "issuer: "), then with the
 *  registry: reserve a mandate status index, put the three status entries in, check, sign
 *  with `signer`, register (the registry applies the same rules, the term limit and the one
 *  active mandate per seat: an earlier one is replaced). A mandate always has status entries,
 *  so `opt->registry` is required (LIBRO_ERR_INVALID_ARG, as for a missing member or a
 *  holder that is not a did:key); `status_url_base` with a database. An index reserved for a
 *  mandate the registry then refuses stays unused. LIBRO_OK: *out (zeroed on entry; clear
 *  with libro_issued_clear) holds the JWS, the mandate (out->license) and its status index,
 *  and `id` (may be NULL) its id "sha256:<hex>" as the registry recorded it. On failure *out
 *  is empty. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_issue_mandate(libro_issued *out,
                                                                char id[LIBRO_MANDATE_ID_SIZE],
                                                                const libro_key *signer,
                                                                const libro_mandate_options *opt,
                                                                libro_error *err);

/** Add (or renew) a member community's seat in the roundtable of the registry `target` (a
 *  database path or a URL): `charter` (compact JWS) is the member's CommunityCharter, signed
 *  by the registry's community. Over HTTP the request is signed by `community_key` (the
 *  registry's community key, kid "<charter's issuer>#<thumbprint>"; may be NULL with a
 *  database); in-process recorded under `actor` (NULL: the charter's issuer). Codes of
 *  libro_registry_client_add_seat and of reading the charter. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_add_seat(const char *target,
                                                           const libro_key *community_key,
                                                           const char *charter, size_t charter_len,
                                                           const char *actor, libro_error *err);

/** End mandate `id` early in the registry `target`: `how` LIBRO_MANDATE_RESIGNED or
 *  LIBRO_MANDATE_RECALLED, for `reason`. Over HTTP the request is signed by `key` as the
 *  registry expects: for a resignation the holder's own key (kid "<its did:key>#<thumbprint>";
 *  LIBRO_ERR_DENIED when the mandate names another holder), for a recall the key of the
 *  community that signed the mandate (kid "<mandate's issuer>#<thumbprint>"), the mandate read
 *  first from the registry. In-process `key` may be NULL and the change is recorded under
 *  `actor` (required there). Codes of libro_registry_client_end_mandate. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_end_mandate(const char *target,
                                                              const libro_key *key, const char *id,
                                                              libro_mandate_state how,
                                                              const char *reason, const char *actor,
                                                              libro_error *err);

/* ---- laws by consent (docs/credentials.md, "CommunityLaw"; docs/operations.md, "Laws by
 * consent") ------------------------------------------------------------------------------- */

#define LIBRO_LAW_STEP_OPTIONS_VERSION 1u

/** One step of a law's consent process (libro/consent.h), as its member takes it. The step's
 *  `at` is the clock; its seq and prev follow the registry's record. Strings are borrowed. */
typedef struct libro_law_step_options {
    unsigned version;     /* LIBRO_LAW_STEP_OPTIONS_VERSION */
    const char *registry; /* the community's registry: a database path or a URL (required) */
    const char *law;      /* the law's id: the process (required) */
    libro_step_kind kind;
    /* propose, amend: the version's title, aim, text and review date (amend: NULL or 0 keeps
     * the current version's, the text excepted) */
    const char *title;
    const char *aim;
    const char *text;
    int64_t review_date;
    const char *supersedes;     /* propose: the law version it would replace, or NULL */
    const char *const *answers; /* amend: the objections it answers (step hashes) */
    size_t n_answers;
    bool object;           /* respond: an objection (else consent) */
    const char *reason;    /* respond with an objection, rule: why */
    const char *harm;      /* respond with an objection: how it harms the aim */
    const char *objection; /* rule, withdraw: the objection's step hash */
    bool ruled_out;        /* rule: "out" (else "valid") */
} libro_law_step_options;

#define LIBRO_LAW_STEP_OPTIONS_INIT                                                                \
    {                                                                                              \
        LIBRO_LAW_STEP_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, 0, false,  \
            NULL, NULL, NULL, false                                                                \
    }

/** A recorded step. */
typedef struct libro_law_step_result {
    libro_buf jws;                    /* the step (compact JWS) */
    char hash[LIBRO_HASH_REF_SIZE];   /* its hash: how a ruling or a withdrawal names it */
    char by[LIBRO_MAX_DID_BYTES + 1]; /* the member's did:key */
    libro_step_kind kind;
    uint32_t seq;
    uint32_t version; /* the version and round the step belongs to (after it) */
    uint32_t round;
} libro_law_step_result;

#define LIBRO_LAW_STEP_RESULT_INIT                                                                 \
    {                                                                                              \
        LIBRO_BUF_INIT, {0}, {0}, 0, 0, 0, 0                                                       \
    }

LIBRO_API void libro_law_step_result_clear(libro_law_step_result *res);

/** Take a step of the consent process of `opt->law` with the member's key `member` (private,
 *  Ed25519: its did:key is the step's "by"), and record it in the registry `opt->registry`.
 *  A proposal is step 0; every other step reads the process's record first (the latest
 *  process of that law), names the hash of its last step as "prev" and the next seq, and a
 *  response the current version and round. The registry decides whether the member may act
 *  (core's state machine against the mandates at the step's time): its refusal's code and
 *  message (over HTTP "registry: <code>: <message>"). A step core's format refuses (an
 *  objection without its reason or harm) is refused before anything is sent
 *  (LIBRO_ERR_SCHEMA). LIBRO_ERR_NOT_FOUND: no process to continue. LIBRO_OK: *out (zeroed
 *  on entry; libro_law_step_result_clear) holds the recorded step. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_law_step(libro_law_step_result *out,
                                                           const libro_key *member,
                                                           const libro_law_step_options *opt,
                                                           libro_error *err);

#define LIBRO_LAW_ADOPT_OPTIONS_VERSION 1u

typedef struct libro_law_adopt_options {
    unsigned version;     /* LIBRO_LAW_ADOPT_OPTIONS_VERSION */
    const char *registry; /* the community's registry: a database path or a URL (required) */
    const char *actor;    /* in-process: who records it (NULL: the community's id) */
    const char *law;      /* the law's id (required) */
    const char *charter;  /* the community's own CommunityCharter (required) */
    size_t charter_len;
} libro_law_adopt_options;

#define LIBRO_LAW_ADOPT_OPTIONS_INIT                                                               \
    {                                                                                              \
        LIBRO_LAW_ADOPT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0                                 \
    }

/** Adopt the law `opt->law` once its consent process allows it: read the process's record
 *  from the registry, run core's state machine over it with the roundtable the registry's
 *  mandates give (LIBRO_ERR_DENIED "the process is not adoptable: ..." naming the standing
 *  objection or the missing response), build the CommunityLaw from its current version (the
 *  text, aim, review date as validUntil, the round's members and the chair, the record's
 *  hash, the version after the law's last one, the proposal's supersedes), sign it with the
 *  community key `community_key` (the key of `opt->charter`: LIBRO_ERR_DENIED otherwise) and
 *  register it (over HTTP a request signed by that key). LIBRO_OK: *out (zeroed on entry;
 *  libro_issued_clear) holds the law (out->license, type LIBRO_CRED_LAW) and its JWS, and
 *  `hash` the law's hash. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_adopt_law(libro_issued *out,
                                                            char hash[LIBRO_HASH_REF_SIZE],
                                                            const libro_key *community_key,
                                                            const libro_law_adopt_options *opt,
                                                            libro_error *err);

/** Fetch the consent record of the law `law_id` from the registry `registry` (a database
 *  path or a URL): the record document of its latest process, appended to `record`, and,
 *  when that process adopted a version of the law (one whose consentRecord is the hash of
 *  the record's last step), that law's compact JWS appended to `law` (left as it was while
 *  the process is under way). What is fetched is checked by the verifier
 *  (libro_verify_record), not here. Codes of libro_registry_client_law_record and
 *  libro_consent_record_parse. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_law_record(libro_buf *record, libro_buf *law,
                                                             const char *registry,
                                                             const char *law_id, libro_error *err);
/* ---- responsibility agreements (docs/credentials.md, "ResponsibilityAgreement") ---------- */

/** One party of an agreement to draft. */
typedef struct libro_agreement_party_options {
    const char *id;       /* NULL: the did:key of `key` (which must then be Ed25519) */
    const char *name;     /* required */
    const char *role;     /* required */
    const libro_key *key; /* the key this party signs with: its public half is written */
    const char *const *responsibilities; /* 1..LIBRO_MAX_RESPONSIBILITIES texts */
    size_t n_responsibilities;
} libro_agreement_party_options;

#define LIBRO_AGREEMENT_OPTIONS_VERSION 1u

/** What an agreement says: for a draft everything but what `spec` gives; for an amendment
 *  only what changes (NULL / 0 / false: as in the version amended). */
typedef struct libro_agreement_options {
    unsigned version; /* LIBRO_AGREEMENT_OPTIONS_VERSION */
    /* A JSON description of the agreement (docs/credentials.md, "Agreements in practice"):
     * {"title","community":{"id","level"},"parties":[{"id"?,"name","role","responsibilities",
     * and one of "publicKeyJwk", "did" (a did:key) or "key" (a public or private key file,
     * relative to `spec_dir`)}],"ending":{"noticeDays":N}|{"mutualOnly":true},
     * "validFrom"?,"validUntil"?}. The members below override what it says; `parties`
     * replaces its parties. NULL: none. */
    const char *spec;
    size_t spec_len;
    const char *spec_dir; /* where its "key" files are ("." when NULL) */
    const char *title;
    const char *community_id;
    int community_level; /* -1: not given */
    const libro_agreement_party_options *parties;
    size_t n_parties;
    uint32_t notice_days; /* 1..LIBRO_MAX_NOTICE_DAYS, or 0 */
    bool mutual_only;     /* not with notice_days */
    int64_t valid_from;   /* 0: now (a draft), the old version's (an amendment) */
    int64_t valid_until;  /* 0: from `days`, else the old version's (an amendment) */
    uint32_t days;        /* 0 or 1..36600; not with valid_until */
} libro_agreement_options;

#define LIBRO_AGREEMENT_OPTIONS_INIT                                                               \
    {                                                                                              \
        LIBRO_AGREEMENT_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, -1, NULL, 0, 0, false, 0, 0, 0 \
    }

/** Draft an agreement: build the ResponsibilityAgreement from `opt` (and its spec), issuer =
 *  the first party (the drafter), and write the unsigned document (libro_agreement_draft: a
 *  JWS JSON document with no signature yet), appended to `out`. LIBRO_ERR_INVALID_ARG naming
 *  what is missing (title, community, parties, ending, the end of the term), LIBRO_ERR_PARSE /
 *  LIBRO_ERR_SCHEMA for a spec that is not what the docs describe (naming the member), and the
 *  codes of libro_agreement_draft (LIBRO_ERR_SCHEMA for two parties with one key or id). The
 *  caller owns *cred_out (may be NULL). */
LIBRO_API LIBRO_NODISCARD libro_code
libro_issuer_agreement_draft(libro_buf *out, libro_credential **cred_out,
                             const libro_agreement_options *opt, libro_error *err);

/** Amend the agreement doc[0..len) (its COMPLETE document, as registered): a new draft whose
 *  members are the old version's with `changes` applied (given parties replace the old
 *  ones), "supersedes" the old document's hash, and no signature: every party signs it
 *  anew. LIBRO_ERR_DENIED for an old document that is not COMPLETE; the codes of
 *  libro_agreement_check and of libro_issuer_agreement_draft. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_issuer_agreement_amend(libro_buf *out, libro_credential **cred_out, const char *doc,
                             size_t len, const libro_agreement_options *changes, libro_error *err);

/** Add the signature of `key` (a party's private key) to the agreement doc[0..len) (a draft or
 *  a partly signed document): libro_agreement_sign, appended to `out`. *after (may be NULL;
 *  caller frees with libro_agreement_free) receives the check of the new document: who has
 *  signed, who has not. Codes of libro_agreement_sign. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_agreement_sign(libro_buf *out,
                                                                 libro_agreement **after,
                                                                 const char *doc, size_t len,
                                                                 const libro_key *key,
                                                                 libro_error *err);

/** "Ann Example, Bob Example": the names of the parties of `a` who have not signed, appended
 *  to `out` ("" when every party signed). */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_agreement_missing(libro_buf *out,
                                                                    const libro_agreement *a,
                                                                    libro_error *err);

/** Register the agreement doc[0..len) in the registry `target`: a database path (the change
 *  recorded under `actor`, NULL: the drafter) or a URL (the document is the request: the
 *  parties' signatures authorize it). Checked first: LIBRO_ERR_DENIED for a PARTIAL document
 *  naming the parties missing, the check's code for an INVALID one. An amendment (its
 *  "supersedes") supersedes the version it names there. `hash` (may be NULL) receives the
 *  document's hash. Codes of libro_registry_client_register_agreement. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_agreement_register(char hash[LIBRO_HASH_REF_SIZE],
                                                                     const char *target,
                                                                     const char *actor,
                                                                     const char *doc, size_t len,
                                                                     libro_error *err);

#define LIBRO_AGREEMENT_END_OPTIONS_VERSION 1u

/** Ending an agreement: one party's notice, or every party's mutual end. */
typedef struct libro_agreement_end_options {
    unsigned version;     /* LIBRO_AGREEMENT_END_OPTIONS_VERSION */
    const char *document; /* the agreement (its COMPLETE JWS JSON document) */
    size_t document_len;
    const libro_key *key;    /* the signing party's private key */
    libro_agreement_end how; /* LIBRO_AGREEMENT_END_NOTICE or LIBRO_AGREEMENT_END_MUTUAL */
    const char *reason;      /* required for a new statement */
    int64_t at;              /* the statement's time; 0: now */
    /* A statement other parties signed already (mutual): this party's signature is added to
     * it. NULL: a new statement. */
    const char *statement;
    size_t statement_len;
    /* Where to record the end: a database path (under `actor`, NULL: the drafter) or a URL
     * (the statement is the request). NULL: only sign. A mutual end is recorded once every
     * party signed. */
    const char *target;
    const char *actor;
} libro_agreement_end_options;

#define LIBRO_AGREEMENT_END_OPTIONS_INIT                                                           \
    {                                                                                              \
        LIBRO_AGREEMENT_END_OPTIONS_VERSION, NULL, 0, NULL, (libro_agreement_end) 0, NULL, 0,      \
            NULL, 0, NULL, NULL                                                                    \
    }

/** What libro_issuer_agreement_end did. */
typedef struct libro_agreement_end_result {
    libro_buf statement;            /* the end statement with this party's signature */
    char hash[LIBRO_HASH_REF_SIZE]; /* the agreement's */
    size_t n_signed;                /* parties whose signature the statement carries */
    size_t n_parties;
    bool recorded; /* the registry recorded the end */
} libro_agreement_end_result;

/** Release what `res` holds. NULL is a no-op. */
LIBRO_API void libro_agreement_end_result_clear(libro_agreement_end_result *res);

/** Sign an end statement (registry.h, LIBRO_AGREEMENT_END_TYP) for the agreement
 *  opt->document with opt->key, a party's key (LIBRO_ERR_DENIED otherwise): a new one saying
 *  {"agreement","end","at","reason"}, or opt->statement with this party's signature added
 *  (LIBRO_ERR_DENIED when it names another agreement or another end or carries a signature
 *  under a kid of no party, LIBRO_ERR_UNSUPPORTED for a signature whose typ is not
 *  LIBRO_AGREEMENT_END_TYP, LIBRO_ERR_EXISTS when this party signed it already,
 *  LIBRO_ERR_BAD_SIGNATURE for a signature in it that does not verify with its party's
 *  key). An agreement that may end only mutually takes no notice
 *  (LIBRO_ERR_DENIED). Then, with a target, record it (a mutual end once every party
 *  signed). *res (zeroed on entry; clear with libro_agreement_end_result_clear) holds the
 *  statement, also when recording failed. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_agreement_end(
    libro_agreement_end_result *res, const libro_agreement_end_options *opt, libro_error *err);

/** The LBR reference QR of the registered document `hash` of `kind` (libro/lbr.h): its text
 *  appended to `text_out` and, when `png_out` is not NULL, its QR code as a PNG (level M);
 *  *qr_version (may be NULL) the QR version. Codes of libro_lbr_encode and libro_qr_render. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_reference_qr(libro_buf *png_out,
                                                               libro_buf *text_out, int *qr_version,
                                                               libro_lbr_kind kind,
                                                               const char *hash, libro_error *err);

/* ---- a community's registry ---------------------------------------------------------------- */

/** The parts of libro_issuer_registry_init: what it created (libro_registry_init_result
 *  .created) and what it needs but was not given (.needs): one bit each. */
typedef enum libro_registry_init_part {
    LIBRO_REGISTRY_INIT_COMMUNITY_KEY = 1u << 0, /* community_key_path (the file) */
    LIBRO_REGISTRY_INIT_REGISTRY_KEY = 1u << 1,  /* registry_key_path (the file) */
    LIBRO_REGISTRY_INIT_CHARTER = 1u << 2,       /* the charter file */
    LIBRO_REGISTRY_INIT_AUTHORIZATION = 1u << 3, /* the authorization file */
    LIBRO_REGISTRY_INIT_ID = 1u << 4,            /* the members a created charter needs */
    LIBRO_REGISTRY_INIT_NAME = 1u << 5,
    LIBRO_REGISTRY_INIT_LEVEL = 1u << 6,
    LIBRO_REGISTRY_INIT_ALLOWED = 1u << 7,
    LIBRO_REGISTRY_INIT_REGISTRY_ID = 1u << 8, /* the members a created authorization needs */
    LIBRO_REGISTRY_INIT_REGISTRY_NAME = 1u << 9,
    LIBRO_REGISTRY_INIT_URL = 1u << 10,
} libro_registry_init_part;

#define LIBRO_REGISTRY_INIT_PARTS 11 /* how many bits libro_registry_init_part has */

#define LIBRO_REGISTRY_INIT_OPTIONS_VERSION 1u

/** What libro_issuer_registry_init uses or creates. Paths are borrowed for the call. */
typedef struct libro_registry_init_options {
    unsigned version;               /* LIBRO_REGISTRY_INIT_OPTIONS_VERSION */
    const char *db_path;            /* the registry database: a new file (required) */
    const char *charter_path;       /* the community's charter: used if present (required) */
    const char *authorization_path; /* the RegistryAuthorization: used if present (required) */
    /* The community's key: signs what is created (created if absent); needed unless both
     * credentials exist. Its passphrase (or NULL): decrypts it, or encrypts a new one. */
    const char *community_key_path;
    const char *passphrase;
    size_t passphrase_len;
    /* The registry's key: a created authorization names it (created if absent; an existing
     * file may be a public key). Needed when the authorization is created. */
    const char *registry_key_path;
    /* A created charter: self-chartered, issuer = id. */
    const char *id;
    const char *name;
    int level;              /* 0 (tribe) to 8 (world); -1: not given */
    const char *level_name; /* or NULL */
    const char *const *allowed;
    size_t n_allowed;
    /* A created authorization. */
    const char *registry_id;
    const char *registry_name;
    const char *url;
    uint32_t days; /* validity of what is created; 0: charter 3650, authorization 1825 days */
    int64_t now;   /* Unix seconds; 0: the clock */
} libro_registry_init_options;

#define LIBRO_REGISTRY_INIT_OPTIONS_INIT                                                           \
    {                                                                                              \
        LIBRO_REGISTRY_INIT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL,    \
            -1, NULL, NULL, 0, NULL, NULL, NULL, 0, 0                                              \
    }

/** What libro_issuer_registry_init did, or what it lacked. */
typedef struct libro_registry_init_result {
    unsigned created; /* libro_registry_init_part bits: the files created */
    unsigned needs;   /* on LIBRO_ERR_INVALID_ARG: the parts to add, or 0 */
    /* The registry's charter and RegistryAuthorization (both on LIBRO_OK); after a failure
     * once a file was written (created != 0), as far as they were read or made. */
    libro_credential *charter;
    libro_credential *authorization;
} libro_registry_init_result;

#define LIBRO_REGISTRY_INIT_RESULT_INIT                                                            \
    {                                                                                              \
        0, 0, NULL, NULL                                                                           \
    }

/** "<charter_path> does not exist: creating the charter needs a, b and c" and the same for
 *  the authorization ("; " between them), appended to `out`, for the parts in `needs`
 *  (libro_registry_init_result.needs). `names` gives each part's name by its bit number
 *  (LIBRO_REGISTRY_INIT_PARTS entries: a CLI's option names); NULL: the option members'.
 *  The community key is named once, with the first file that needs it. */
LIBRO_API LIBRO_NODISCARD libro_code
libro_registry_init_needs_text(libro_buf *out, const libro_registry_init_options *opt,
                               unsigned needs, const char *const *names, libro_error *err);

/** Release what `res` holds and zero it. NULL is a no-op. */
LIBRO_API void libro_registry_init_result_clear(libro_registry_init_result *res);

/** Create a community's registry (libro_registry_create) at `opt->db_path` from its charter
 *  and its RegistryAuthorization, creating whatever of them is missing: the community key and
 *  the registry key (Ed25519 files of mode 0600), a self-chartered charter
 *  (libro_issuer_issue_charter: id, name, level, allowed; from now for `days`) and the
 *  registry authorization signed by the community key (libro_issuer_issue_authorization:
 *  registry_id, registry_name, url; cut at the end of the charter). No existing file is ever
 *  overwritten: LIBRO_ERR_EXISTS for an existing database. Everything is checked and signed
 *  before any file is written, so a refusal leaves no file behind:
 *  LIBRO_ERR_INVALID_ARG when something needed is missing (res->needs says what; the message
 *  names the members), LIBRO_ERR_DENIED when an existing charter names another key than the
 *  community key, LIBRO_ERR_PASSPHRASE for an encrypted community key without its passphrase
 *  (or a wrong one), LIBRO_ERR_BAD_KEY for an encrypted registry key file, and the codes of
 *  the calls named. *res (zeroed on entry; clear it with libro_registry_init_result_clear)
 *  says which files were created, also on a failure after the first write. */
LIBRO_API LIBRO_NODISCARD libro_code libro_issuer_registry_init(
    libro_registry_init_result *res, const libro_registry_init_options *opt, libro_error *err);

#endif
