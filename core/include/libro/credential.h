/* libro: the credential types of docs/credentials.md as C structures, with a strict parser
 * (the C side of the JSON Schemas in schemas/) and a canonical writer. */
#ifndef LIBRO_CREDENTIAL_H
#define LIBRO_CREDENTIAL_H

#include "libro/buf.h"
#include "libro/key.h"

typedef enum libro_cred_type {
    LIBRO_CRED_LICENSE = 1,       /* ProfessionalLicense */
    LIBRO_CRED_CHARTER = 2,       /* CommunityCharter */
    LIBRO_CRED_ISSUER_AUTH = 3,   /* IssuerAuthorization */
    LIBRO_CRED_REGISTRY_AUTH = 4, /* RegistryAuthorization */
    LIBRO_CRED_MANDATE = 5,       /* RoundtableMandate */
    LIBRO_CRED_AGREEMENT = 6,     /* ResponsibilityAgreement (libro/agreement.h) */
    LIBRO_CRED_LAW = 7,           /* CommunityLaw (libro/consent.h) */
} libro_cred_type;

/** The office a RoundtableMandate gives (docs/credentials.md, "RoundtableMandate"). */
typedef enum libro_office {
    LIBRO_OFFICE_REPRESENTATIVE = 1, /* "representative": a member community's delegate */
    LIBRO_OFFICE_CHAIR = 2,          /* "chair": elected by the whole community, no vote */
    LIBRO_OFFICE_LEADER = 3,         /* "leader": appointed by the parent into a circle */
} libro_office;

#define LIBRO_MAX_ID_BYTES 200u             /* an issuer, community or subject id */
#define LIBRO_MAX_TEXT_BYTES 200u           /* names, professions, scope entries */
#define LIBRO_MAX_LIST_ENTRIES 32u          /* scope, allowed and granted license types */
#define LIBRO_MAX_LEVEL 8                   /* levels are 0 (tribe) .. 8 (world) */
#define LIBRO_MAX_VALIDITY_DAYS 3660u       /* longest license type validity */
#define LIBRO_MAX_LICENSE_NUMBER_BYTES 64u  /* [A-Za-z0-9._-] */
#define LIBRO_MAX_TYPE_ID_BYTES 64u         /* a license type id: [a-z0-9-] */
#define LIBRO_MAX_ELECTORATE 100000000u     /* election.electorate: 1 .. this */
#define LIBRO_ELECTION_RECORD_LEN 71u       /* "sha256:" + 64 lowercase hex digits */
#define LIBRO_MAX_TERMS_IN_ROW 10u          /* roundtable.consecutiveTerms: 1 .. this */
#define LIBRO_MIN_PARTIES 2u                /* parties of a ResponsibilityAgreement: 2 .. */
#define LIBRO_MAX_PARTIES 16u               /* ... this */
#define LIBRO_MAX_RESPONSIBILITIES 32u      /* responsibilities of one party: 1 .. this */
#define LIBRO_MAX_RESPONSIBILITY_BYTES 500u /* one responsibility's text */
#define LIBRO_MAX_NOTICE_DAYS 3650u         /* ending.noticeDays: 1 .. this */
#define LIBRO_MAX_AIM_BYTES 2000u           /* a law's (or a proposal's) aim */
#define LIBRO_MAX_LAW_TEXT_BYTES 16384u     /* a law's (or a proposal's) text: 1 .. this */
#define LIBRO_MAX_LAW_VERSION 1000u         /* a CommunityLaw's version: 1 .. this */
#define LIBRO_MAX_LAW_MEMBERS 16u           /* a law's roundtable: 1 .. this members */

/** One license type an IssuerAuthorization grants. */
typedef struct libro_license_grant {
    char *id;               /* license type id */
    uint32_t validity_days; /* longest validity of a license of this type */
} libro_license_grant;

/** One party of a ResponsibilityAgreement (credentialSubject.parties[i]). */
typedef struct libro_party {
    char *id;                /* an id (docs/credentials.md); a did:key names the party's key */
    char *name;              /* text, 1..200 bytes */
    char *role;              /* text, 1..200 bytes ("tenant", "owner", ...) */
    libro_key *key;          /* publicKeyJwk: the key this party signs with (public half) */
    char **responsibilities; /* what the party accepts: 1..LIBRO_MAX_RESPONSIBILITIES
                              * distinct texts of 1..LIBRO_MAX_RESPONSIBILITY_BYTES */
    size_t n_responsibilities;
} libro_party;

/** One member of a CommunityLaw's roundtable at adoption (credentialSubject.roundtable[i]). */
typedef struct libro_law_member {
    char *id;            /* the member's did:key (Ed25519) */
    char *name;          /* text, 1..200 bytes */
    char *seat;          /* the seat's community id; NULL exactly for the chair */
    libro_office office; /* representative or chair (a leader sits in a circle, not here) */
} libro_law_member;

/** A parsed or to-be-written credential. Members not used by `type` are NULL / 0. All strings
 *  are owned by the structure (libro_credential_free releases them). */
typedef struct libro_credential {
    libro_cred_type type;
    char *issuer; /* the signer's id */
    int64_t valid_from;
    int64_t valid_until;
    char *subject_id; /* license: holder's did:key or NULL; others: the subject's id */
    char *name;       /* license: holder's name; others: the subject's name */

    /* ProfessionalLicense */
    char *license_number;
    char *profession;
    char *license_type;
    char **scope;
    size_t n_scope;
    char *community_id;
    int community_level;

    /* CommunityCharter */
    int level;
    char *level_name; /* as written; NULL when absent (see libro_level_name) */
    char **allowed_types;
    size_t n_allowed;

    /* CommunityCharter: its optional "roundtable" member (the terms of the offices of this
     * community's roundtable and circle, docs/credentials.md). Each is 0 when absent; the
     * member is written when any is not 0, and then has at least one. Each term in years
     * lies in 1 .. the seed term (libro_rules_seed_term_years: representatives 3 at level
     * 1, 5 above; chair 4; leader 5); a level-0 charter (a tribe has no roundtable) sets no
     * representative or chair term, a level-8 one (no parent above) no leader term.
     * consecutive_terms: 1 .. LIBRO_MAX_TERMS_IN_ROW, the most terms one holder may serve
     * back to back in one seat. */
    unsigned rt_representative_years; /* representativeTermYears */
    unsigned rt_chair_years;          /* chairTermYears */
    unsigned rt_leader_years;         /* leaderTermYears */
    unsigned rt_consecutive_terms;    /* consecutiveTerms */

    /* RoundtableMandate: the holder is subject_id (required: their did:key, Ed25519) and
     * name. issuer is the community whose key signs: the seat for a representative and a
     * leader, the roundtable's community for the chair. */
    libro_office office;
    char *roundtable_id;   /* credentialSubject.roundtable.id: the roundtable's community */
    int roundtable_level;  /* credentialSubject.roundtable.level: 0..8 (1..8 but a leader's) */
    char *seat;            /* the sending community's id; NULL exactly for a chair */
    bool voting;           /* true exactly for a representative */
    char *election_record; /* "sha256:<64 lowercase hex>": the election or appointment
                            * record's hash (LIBRO_ELECTION_RECORD_LEN bytes) */
    int64_t election_date; /* election.date */
    uint32_t election_electorate; /* election.electorate: 1..LIBRO_MAX_ELECTORATE */
    char *election_result;        /* election.result: text, 1..200 bytes */

    /* CommunityCharter, IssuerAuthorization, RegistryAuthorization */
    libro_key *subject_key; /* publicKeyJwk */

    /* ResponsibilityAgreement (docs/credentials.md): issuer is the first party's id (the
     * drafter), subject_id and name are NULL; community_id and community_level are
     * credentialSubject.community (whose law frames it); validFrom..validUntil is the term.
     * CommunityLaw: issuer is the community (community_id), subject_id the law's id (stable
     * across versions), name NULL. Both: title, and supersedes (optional). */
    char *title;          /* text, 1..200 bytes */
    char *supersedes;     /* "sha256:<64 lowercase hex>" (LIBRO_HASH_REF_LEN) or NULL: the
                           * agreement version this one amends, the law version this one
                           * replaces */
    libro_party *parties; /* LIBRO_MIN_PARTIES..LIBRO_MAX_PARTIES, distinct ids and keys */
    size_t n_parties;
    uint32_t notice_days; /* ending.noticeDays: 1..LIBRO_MAX_NOTICE_DAYS, or 0 with */
    bool mutual_only;     /* ending.mutualOnly: true (then notice_days is 0) */

    /* CommunityLaw: the community key signs once the roundtable consented (libro/consent.h);
     * validFrom is the adoption, validUntil the review date. */
    uint32_t law_version;      /* version: 1..LIBRO_MAX_LAW_VERSION */
    char *aim;                 /* text, 1..LIBRO_MAX_AIM_BYTES: the circle's aim it serves */
    char *text;                /* text, 1..LIBRO_MAX_LAW_TEXT_BYTES (line breaks allowed) */
    libro_law_member *members; /* roundtable: 1..LIBRO_MAX_LAW_MEMBERS, distinct ids */
    size_t n_members;
    char *consent_record; /* consentRecord: the hash of the record's last step */

    /* IssuerAuthorization */
    libro_license_grant *grants;
    size_t n_grants;
    /* statusRegistry: the URL base of the registry whose status lists every license under
     * this authorization must name (<statusRegistry>/v1/status/...); NULL when absent. */
    char *status_registry;

    /* RegistryAuthorization */
    char *url; /* NULL when absent */

    /* credentialStatus (ProfessionalLicense, IssuerAuthorization: optional; RoundtableMandate:
     * required, with three entries): two BitstringStatusListEntry objects (W3C Bitstring
     * Status List v1.0 §2.1), revocation then suspension, and on a license or a mandate a
     * third, purpose message (statusSize 2, libro's statusMessage: the license words on a
     * license, the mandate words on a mandate, libro/statuslist.h and docs/credentials.md,
     * "Status"), with one index in every list. The
     * entry ids are derived ("<list URL>#<index>"), so they have no member here. When
     * has_status is false the four members below are NULL / 0. */
    bool has_status;
    uint32_t status_index;        /* statusListIndex, below LIBRO_STATUS_LIST_MAX_ENTRIES */
    char *status_revocation_list; /* statusListCredential of the revocation entry: a URL */
    char *status_suspension_list; /* ... of the suspension entry: another URL */
    char *status_message_list;    /* ... of the message entry: a third URL; NULL for a license
                                   * issued with two entries, and on an authorization;
                                   * required on a mandate */
} libro_credential;

/** Whether p[0..len) is a license number: [A-Za-z0-9._-], 1 to LIBRO_MAX_LICENSE_NUMBER_BYTES
 *  bytes (docs/credentials.md). The one rule for every module. Thread-safe. */
LIBRO_API bool libro_license_number_ok(const char *p, size_t len);
/** Whether p[0..len) is a license type id: [a-z0-9-], 1 to LIBRO_MAX_TYPE_ID_BYTES bytes. */
LIBRO_API bool libro_license_type_id_ok(const char *p, size_t len);

/** "ProfessionalLicense", "CommunityCharter", ... (NULL for a value outside the enum). */
LIBRO_API const char *libro_cred_type_name(libro_cred_type type);
/** The file stem of the type's schema: "professional-license", ... (NULL outside the enum). */
LIBRO_API const char *libro_cred_schema_name(libro_cred_type type);
/** The default name of a level (tribe, neighborhood, town, world) or NULL (levels 3-7). */
LIBRO_API const char *libro_level_default_name(int level);
/** The name to show for a charter: its levelName, else the default, else "level N" written
 *  into `tmp` (at least 16 bytes). */
LIBRO_API const char *libro_level_name(const libro_credential *charter, char *tmp, size_t tmp_len);

/** "representative", "chair", "leader"; NULL for a value outside the enum. */
LIBRO_API const char *libro_office_name(libro_office office);
/** The office named p[0..len) (exactly one of the names above): true and *out set, else
 *  false and *out untouched. */
LIBRO_API bool libro_office_from_name(libro_office *out, const char *p, size_t len);

/** A new, zeroed credential of `type`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_credential_new(libro_credential **out,
                                                          libro_cred_type type, libro_error *err);
/** Release everything the structure owns. NULL is a no-op. */
LIBRO_API void libro_credential_free(libro_credential *c);

/** Parse a credential payload p[0..len) strictly: bounded JSON (LIBRO_MAX_CLAIMS_BYTES; a
 *  ResponsibilityAgreement LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES, a CommunityLaw
 *  LIBRO_MAX_LAW_PAYLOAD_BYTES), the
 *  common envelope and the members of its type exactly as docs/credentials.md lists them, no
 *  others, then the rules of libro_credential_check. credentialStatus, allowed on licenses
 *  and issuer authorizations and required on mandates (three entries, the message entry with
 *  the mandate words), is an array of two entries of exactly five members:
 *  statusPurpose "revocation" then "suspension", type "BitstringStatusListEntry",
 *  statusListIndex canonical decimal (no sign, no leading zero) below
 *  LIBRO_STATUS_LIST_MAX_ENTRIES and the same in all, and id exactly statusListCredential +
 *  "#" + statusListIndex; a license may have a third, statusPurpose "message", with those five
 *  and exactly "statusSize":2 and libro's "statusMessage" array (libro/statuslist.h).
 * LIBRO_ERR_SCHEMA with the JSON path of the problem ("credential: credentialSubject.scope[2]:
 * empty string"; structure is checked before content), LIBRO_ERR_PARSE / LIBRO_ERR_LIMIT for bad
 * JSON, LIBRO_ERR_TIME for a timestamp not of the form "YYYY-MM-DDTHH:MM:SSZ" (the only one
 * accepted, so that every accepted document re-serializes to itself) or not a real date,
 * LIBRO_ERR_BAD_KEY for a publicKeyJwk the JWK importer refuses (a private "d" included) or a
 * holder did:key that is not of the Ed25519 form. The holder's key point is not validated here (it
 * costs as much as a signature check and a reader does not use the key): libro_credential_check
 *  does it, so issuers never sign for an invalid holder key, and any later signature check
 *  by that key validates it on import. LIBRO_OK: caller owns *out (libro_credential_free);
 *  else *out is NULL. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_credential_parse(libro_credential **out, const void *p,
                                                            size_t len, libro_error *err);

/** libro_credential_parse of the payload of the compact JWS token[0..len), read WITHOUT any
 *  signature check (libro_jws_unverified_payload): to find who signed a stored or submitted
 *  credential before verifying it, or to read one's own records. Codes of both. */
LIBRO_API LIBRO_NODISCARD libro_code libro_credential_parse_unverified(libro_credential **out,
                                                                       const char *token,
                                                                       size_t len,
                                                                       libro_error *err);

/** Check the members of `c` against its schema's rules (what the parser enforces), so that a
 *  builder never signs what a verifier would refuse: ids, texts (UTF-8, no control
 *  characters, 1..200 bytes), codes, lists (1..32 distinct), levels, validity days, url,
 *  validFrom < validUntil, the status members (index below LIBRO_STATUS_LIST_MAX_ENTRIES, two
 *  or, on a license, three different list URLs, https or http://127.0.0.1; on a mandate
 *  exactly three), a charter's roundtable terms, a mandate's office shape as far as the
 *  schema states it (office known; seat absent exactly for a chair; voting true exactly for a
 *  representative; roundtable level 1..8, 0..7 for a leader; election members), and members
 *  `type` does not use left NULL / 0 (the status members too, when has_status is false). The
 *  relations between a mandate and the charters of its communities (who may sign, the length
 *  of the term) are libro/rules.h's. LIBRO_ERR_SCHEMA;
 *  LIBRO_ERR_TIME for a time outside the years 0001-9999; LIBRO_ERR_BAD_KEY for a holder
 *  did:key that is not a valid key. */
LIBRO_API LIBRO_NODISCARD libro_code libro_credential_check(const libro_credential *c,
                                                            libro_error *err);

/** Write `c` as compact JSON with members in the order of docs/credentials.md, appended to
 *  `out`, credentialStatus (when has_status) last, after credentialSubject, each entry as
 *  {"id","type","statusPurpose","statusListIndex","statusListCredential"} (the message entry
 *  then "statusSize","statusMessage"). Checks the
 *  parser's rules first (so whatever parses writes back; the holder key's point is checked
 *  by libro_credential_check, which issuers run before signing). publicKeyJwk is written as
 * {"kty","crv","x"} (and "y" for P-256), public half only. */
LIBRO_API LIBRO_NODISCARD libro_code libro_credential_to_json(libro_buf *out,
                                                              const libro_credential *c,
                                                              libro_error *err);

/** The key id a credential's signer uses: "<issuer>#<thumbprint of k>", appended to `out`.
 *  LIBRO_ERR_INVALID_ARG when `issuer` is not an id (docs/credentials.md). */
LIBRO_API LIBRO_NODISCARD libro_code libro_kid_for(libro_buf *out, const char *issuer,
                                                   const libro_key *k, libro_error *err);
/** Split a kid "<id>#<thumbprint>" into its parts (borrowed from `kid`): the id is
 *  kid[0..*id_len), the thumbprint the NUL-terminated rest. LIBRO_ERR_PARSE when there is no
 *  '#', an empty id, or a thumbprint that is not 43 base64url characters (canonical: the
 *  last one's unused bits zero). */
LIBRO_API LIBRO_NODISCARD libro_code libro_kid_split(const char *kid, size_t *id_len,
                                                     const char **thumbprint, libro_error *err);

#endif
