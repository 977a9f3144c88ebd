/* libro: ResponsibilityAgreement documents (docs/credentials.md, "ResponsibilityAgreement";
 * docs/formats.md, "Agreements: JWS JSON"). An agreement is one payload (the credential, which
 * names every party and its key) signed by each party in the JWS JSON General Serialization
 * (RFC 7515 §7.2.1), one signature per party, each with its own protected header
 * {"alg","kid","typ":"vc+jwt"} where kid is "<party id>#<thumbprint of the party's key>".
 *
 * Because the parties are inside the signed payload, a stripped signature makes the document
 * PARTIAL, never COMPLETE; two signatures by one party count once; a signature by any key
 * that is not a party's, or one that does not verify over this payload, makes it INVALID.
 * The one check is libro_agreement_check: the issuer, the registry and the verifier all use
 * it, so they cannot disagree. */
#ifndef LIBRO_AGREEMENT_H
#define LIBRO_AGREEMENT_H

#include "libro/credential.h"
#include "libro/crypto.h"

/* The media type of each signature's protected header (as every libro credential). */
#define LIBRO_AGREEMENT_TYP "vc+jwt"

/** What libro_agreement_check found in a document that is not INVALID. */
typedef enum libro_agreement_outcome {
    LIBRO_AGREEMENT_COMPLETE = 1, /* every party signed */
    LIBRO_AGREEMENT_PARTIAL = 2,  /* some party has not signed (see signed_by) */
} libro_agreement_outcome;

/** A checked agreement document. Owned by the caller (libro_agreement_free). */
typedef struct libro_agreement {
    libro_agreement_outcome outcome;
    libro_credential *cred;         /* the payload (type LIBRO_CRED_AGREEMENT), parsed strictly */
    char hash[LIBRO_HASH_REF_SIZE]; /* libro_hash_ref of the document's exact bytes */
    size_t n_signed;                /* distinct parties whose signature verified: 0..n_parties */
    bool signed_by[LIBRO_MAX_PARTIES]; /* per party, in the payload's order */
    size_t n_signatures;               /* signatures in the document (a party's twice counts 2) */
} libro_agreement;

/** Release everything `a` owns and `a` itself. NULL is a no-op. */
LIBRO_API void libro_agreement_free(libro_agreement *a);

/** Check the agreement document doc[0..len) (JWS JSON General Serialization), offline: at most
 *  LIBRO_MAX_JWS_JSON_BYTES (LIBRO_ERR_LIMIT); the JWS JSON rules of
 *  libro_jws_json_parse except that 0 signatures are allowed (a draft) and the payload may
 *  reach LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES; the payload a ResponsibilityAgreement
 *  (libro_credential_parse; LIBRO_ERR_SCHEMA, another type too); then each signature i:
 *  typ vc+jwt (LIBRO_ERR_UNSUPPORTED), a kid (LIBRO_ERR_PARSE without one) "<id>#<thumbprint>"
 *  whose id is a party's (LIBRO_ERR_DENIED "signature i: <id> is not a party") and whose
 *  thumbprint is that party's key's (LIBRO_ERR_DENIED "signature i: kid names another key
 *  than party <id>'s"), and that verifies with that party's key over this payload
 *  (LIBRO_ERR_BAD_SIGNATURE). Any such failure is the verdict INVALID, and the function
 *  returns its code with err saying why ("signature 2: ..."). LIBRO_OK: *out holds
 *  COMPLETE or PARTIAL, the parties who signed (a party signing twice counts once) and the
 *  document's hash; the caller owns it (libro_agreement_free). Else *out is NULL. The
 *  validity window and the registry's state are the caller's (a verifier reads them with
 *  the time and its trust store). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_agreement_check(libro_agreement **out, const char *doc,
                                                           size_t len, libro_error *err);

/** The unsigned document of the agreement `c` (a draft): {"payload":"<base64url of the
 *  canonical JSON of c>","signatures":[]}, appended to `out` (untouched on failure).
 *  Checks `c` first (libro_credential_check; the issuer must be the first party's id:
 *  LIBRO_ERR_SCHEMA), and refuses a payload over LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES
 *  (LIBRO_ERR_LIMIT). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_agreement_draft(libro_buf *out,
                                                           const libro_credential *c,
                                                           libro_error *err);

/** Add the signature of `k` (a private key) to the agreement document doc[0..len): the
 *  document must check (libro_agreement_check: its codes, an INVALID one refused); `k`'s
 *  public key must be a party's (LIBRO_ERR_DENIED "this key is no party's"), who has not
 *  signed yet (LIBRO_ERR_EXISTS "<id> has signed already"). The new signature, with kid
 *  "<party id>#<thumbprint>" and typ vc+jwt, goes after the others, and the whole document
 *  is written anew, canonically ({"payload","signatures":[{"protected","signature"},...]},
 *  no whitespace), appended to `out` (untouched on failure). Thread-safe on distinct keys. */
LIBRO_API LIBRO_NODISCARD libro_code libro_agreement_sign(libro_buf *out, const char *doc,
                                                          size_t len, const libro_key *k,
                                                          libro_error *err);

/** The index of the party of `a` whose key is `k` (its public half), or SIZE_MAX for none. */
LIBRO_API size_t libro_agreement_party_of(const libro_agreement *a, const libro_key *k);

#endif
