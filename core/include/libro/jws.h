/* libro: JSON Web Signatures (RFC 7515), compact and JSON General Serialization, restricted to
 * the algorithms of key.h. The algorithm is always bound to the verifying key, never taken
 * from the header; keys are never taken from the header either. */
#ifndef LIBRO_JWS_H
#define LIBRO_JWS_H

#include "libro/key.h"
#include "libro/limits.h"

/** Sign `payload` as a compact JWS with protected header {"alg","kid","typ"} in that order
 *  (kid and typ omitted when NULL). `alg` comes from the key. Appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_sign_compact(libro_buf *out, const libro_key *k,
                                                            const char *kid, const char *typ,
                                                            const void *payload, size_t len,
                                                            libro_error *err);

typedef struct libro_jws libro_jws; /* a parsed, not yet verified, compact JWS */

/** Parse a compact JWS: total size cap, exactly three strict base64url segments, a protected
 *  header of at most LIBRO_MAX_HEADER_BYTES that is a strict JSON object with a string "alg"
 *  in {EdDSA, Ed25519, ES256}, no "crit", no unknown member type surprises, and a payload of
 *  at most LIBRO_MAX_CLAIMS_BYTES. The signature is NOT checked here. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_parse(libro_jws **out, const char *token,
                                                     size_t len, libro_error *err);
LIBRO_API void libro_jws_free(libro_jws *jws);

/** Header members (borrowed, NULL when absent): "alg", "kid", "typ". Untrusted until verified:
 *  use kid only to look a key up in a store the caller trusts. */
LIBRO_API const char *libro_jws_alg(const libro_jws *jws);
LIBRO_API const char *libro_jws_kid(const libro_jws *jws);
LIBRO_API const char *libro_jws_typ(const libro_jws *jws);

/** Verify with `k`: the header alg must be the one bound to the key's type
 *  (LIBRO_ERR_UNSUPPORTED otherwise), then the signature (LIBRO_ERR_BAD_SIGNATURE). On success
 *  the payload becomes readable through libro_jws_payload. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_verify(libro_jws *jws, const libro_key *k,
                                                      libro_error *err);
/** The decoded payload, only after a successful libro_jws_verify; NULL before. */
LIBRO_API const unsigned char *libro_jws_payload(const libro_jws *jws, size_t *len);

/** One-shot: parse, verify with `k`, require typ == `typ` when `typ` is not NULL, and append
 *  the payload to `payload`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_verify_compact(libro_buf *payload, const char *token,
                                                              size_t len, const libro_key *k,
                                                              const char *typ, libro_error *err);

/** One signer of a JWS JSON document. */
typedef struct libro_jws_signer {
    const libro_key *key;
    const char *kid; /* may be NULL */
} libro_jws_signer;

/** JWS JSON General Serialization (RFC 7515 §7.2.1): one payload, one signature per signer,
 *  each with its own protected header {"alg","kid","typ"}. Appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_sign(libro_buf *out,
                                                         const libro_jws_signer *signers,
                                                         size_t n_signers, const char *typ,
                                                         const void *payload, size_t len,
                                                         libro_error *err);

typedef struct libro_jws_json libro_jws_json; /* parsed, not yet verified */

/** Parse a General Serialization document: at most LIBRO_MAX_JWS_JSON_BYTES, members "payload"
 *  and "signatures" only, 1..LIBRO_MAX_JWS_SIGNATURES entries each with "protected" and
 *  "signature" (an unprotected "header" is rejected: everything we read must be signed), each
 *  protected header checked as in libro_jws_parse. The flattened syntax is not accepted. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_parse(libro_jws_json **out, const char *p,
                                                          size_t len, libro_error *err);
LIBRO_API void libro_jws_json_free(libro_jws_json *j);
LIBRO_API size_t libro_jws_json_count(const libro_jws_json *j);
/** Header members of signature `i` (borrowed, NULL when absent or i out of range). */
LIBRO_API const char *libro_jws_json_alg(const libro_jws_json *j, size_t i);
LIBRO_API const char *libro_jws_json_kid(const libro_jws_json *j, size_t i);
LIBRO_API const char *libro_jws_json_typ(const libro_jws_json *j, size_t i);
/** Verify signature `i` with `k` (alg bound to key as in libro_jws_verify). */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_verify(libro_jws_json *j, size_t i,
                                                           const libro_key *k, libro_error *err);
/** For each signature, try every key in `keys` whose algorithm matches; `verified[i]` says
 *  whether signature i verified and `signer[i]` which key index did (SIZE_MAX if none).
 *  Returns LIBRO_OK when every signature verified, else LIBRO_ERR_BAD_SIGNATURE naming the
 *  first that did not; the arrays are filled in both cases. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_verify_all(libro_jws_json *j,
                                                               const libro_key *const *keys,
                                                               size_t n_keys, bool *verified,
                                                               size_t *signer, libro_error *err);
/** The payload, once at least one signature has verified; NULL before. */
LIBRO_API const unsigned char *libro_jws_json_payload(const libro_jws_json *j, size_t *len);

#endif
