/* libro: JSON Web Signatures (RFC 7515), compact and JSON General Serialization, restricted to
 * the algorithms of key.h. The algorithm is always bound to the verifying key, never taken
 * from the header; keys are never taken from the header either. */
#ifndef LIBRO_JWS_H
#define LIBRO_JWS_H

#include "libro/key.h"
#include "libro/limits.h"

/** Sign `payload` as a compact JWS with protected header {"alg","kid","typ"} in that order
 *  (kid and typ omitted when NULL), no whitespace. `alg` comes from the key ("EdDSA" or
 *  "ES256"). Appended to `out`, which is untouched on failure. Refuses what libro_jws_parse
 *  would refuse: a payload over LIBRO_MAX_CLAIMS_BYTES or a kid over LIBRO_MAX_KID_BYTES
 *  (LIBRO_ERR_LIMIT), a header over LIBRO_MAX_HEADER_BYTES (LIBRO_ERR_LIMIT), a kid or typ
 *  that is not UTF-8 (LIBRO_ERR_INVALID_ARG). A public-only key: LIBRO_ERR_BAD_KEY. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_sign_compact(libro_buf *out, const libro_key *k,
                                                            const char *kid, const char *typ,
                                                            const void *payload, size_t len,
                                                            libro_error *err);
/** libro_jws_sign_compact with caps of the caller's choosing: a payload over `max_payload`
 *  or a token over `max_token` is refused (LIBRO_ERR_LIMIT). For documents read with the
 *  same caps by libro_jws_parse_ex (status lists: LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES and
 *  LIBRO_MAX_STATUS_LIST_TOKEN_BYTES). The header caps do not change. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_sign_compact_ex(libro_buf *out, const libro_key *k,
                                                               const char *kid, const char *typ,
                                                               const void *payload, size_t len,
                                                               size_t max_token, size_t max_payload,
                                                               libro_error *err);

typedef struct libro_jws libro_jws; /* a parsed, not yet verified, compact JWS */

/** Parse a compact JWS, in this order: at most LIBRO_MAX_TOKEN_BYTES (LIBRO_ERR_LIMIT);
 *  exactly three segments (LIBRO_ERR_PARSE); each strict base64url, no padding
 *  (LIBRO_ERR_ENCODING, naming the segment); a decoded header of at most
 *  LIBRO_MAX_HEADER_BYTES (LIBRO_ERR_LIMIT) that is one strict JSON object (no duplicate
 *  member, nothing after it: LIBRO_ERR_PARSE); a string "alg" (LIBRO_ERR_PARSE) in {EdDSA,
 *  Ed25519, ES256} (LIBRO_ERR_UNSUPPORTED otherwise); no "crit", no header-supplied key
 *  ("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"), no "b64" other than true (all
 *  LIBRO_ERR_UNSUPPORTED); "kid", "typ", "cty" strings when present (LIBRO_ERR_PARSE), kid
 *  at most LIBRO_MAX_KID_BYTES (LIBRO_ERR_LIMIT); other members ignored (RFC 7515 §4); a
 *  decoded payload of at most LIBRO_MAX_CLAIMS_BYTES (LIBRO_ERR_LIMIT). The signature is NOT
 *  checked here. `token` need not be NUL-terminated. LIBRO_OK: caller owns *out
 *  (libro_jws_free); else *out is NULL. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_parse(libro_jws **out, const char *token, size_t len,
                                                     libro_error *err);
/** libro_jws_parse with the token and payload caps given instead of LIBRO_MAX_TOKEN_BYTES
 *  and LIBRO_MAX_CLAIMS_BYTES (libro_jws_parse is this with those): the token is refused
 *  before anything is decoded when over `max_token`, the payload after decoding when over
 *  `max_payload` (both LIBRO_ERR_LIMIT; its decoded size is at most 3/4 of the token, so
 *  `max_token` bounds the allocation). Everything else (header cap, header policy) is the
 *  same. For the one document bigger than a credential, a status list:
 *  LIBRO_MAX_STATUS_LIST_TOKEN_BYTES and LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES. Caps of 0 are
 *  LIBRO_ERR_INVALID_ARG. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_parse_ex(libro_jws **out, const char *token,
                                                        size_t len, size_t max_token,
                                                        size_t max_payload, libro_error *err);
LIBRO_API void libro_jws_free(libro_jws *jws);

/** Header members (borrowed, NULL when absent): "alg", "kid", "typ". Untrusted until verified:
 *  use kid only to look a key up in a store the caller trusts. */
LIBRO_API const char *libro_jws_alg(const libro_jws *jws);
LIBRO_API const char *libro_jws_kid(const libro_jws *jws);
LIBRO_API const char *libro_jws_typ(const libro_jws *jws);
/** Whether header typ `typ` names the media type `want` (RFC 7515 §4.1.9: "application/" may
 *  be left out of either when the rest has no '/', and media types compare ignoring ASCII
 *  case, RFC 2045 §5.1): "vc+jwt", "VC+JWT" and "application/vc+jwt" are one type. The one
 *  typ rule: every typ check in libro uses it. false when either is NULL. Thread-safe. */
LIBRO_API bool libro_jws_typ_is(const char *typ, const char *want);

/** Verify with `k`: the header alg must be the one bound to the key's type (an Ed25519 key
 *  takes "EdDSA" or "Ed25519", a P-256 key "ES256"; LIBRO_ERR_UNSUPPORTED otherwise), then
 *  the signature over the segments exactly as received, which must be 64 bytes
 *  (LIBRO_ERR_BAD_SIGNATURE). On success the payload becomes readable through
 *  libro_jws_payload; any failure hides it again (it reflects the most recent call). */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_verify(libro_jws *jws, const libro_key *k,
                                                      libro_error *err);
/** The decoded payload (borrowed), only after a successful libro_jws_verify; NULL (and
 *  *len = 0) otherwise. Never NULL once verified, even for an empty payload. */
LIBRO_API const unsigned char *libro_jws_payload(const libro_jws *jws, size_t *len);

/** The payload segment of the compact JWS token[0..len), base64url-decoded WITHOUT any
 *  signature check, appended to `out`: only to learn which key should verify it (a stored
 *  credential's issuer, a bundle's registry) before libro_jws_verify runs, or to tell that a
 *  token is not a license at all (libro verify). Nothing it returns is to be believed.
 * LIBRO_ERR_PARSE without three segments; codes of libro_b64url_decode. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_unverified_payload(libro_buf *out, const char *token,
                                                                  size_t len, libro_error *err);

/** One-shot: parse, check the header alg against `k`, require the header typ to equal `typ`
 *  when `typ` is not NULL (RFC 7515 §4.1.9: case-insensitive, "application/" optional;
 *  LIBRO_ERR_UNSUPPORTED), verify the signature, and append the payload to `payload` (only on
 *  success). */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_verify_compact(libro_buf *payload, const char *token,
                                                              size_t len, const libro_key *k,
                                                              const char *typ, libro_error *err);

/** One signer of a JWS JSON document. */
typedef struct libro_jws_signer {
    const libro_key *key;
    const char *kid; /* may be NULL */
} libro_jws_signer;

/** JWS JSON General Serialization (RFC 7515 §7.2.1): one payload, one signature per signer,
 *  each with its own protected header {"alg","kid","typ"} (as libro_jws_sign_compact), and
 *  members in the order {"payload","signatures"}, each signature {"protected","signature"}.
 *  1..LIBRO_MAX_JWS_SIGNATURES signers (0: LIBRO_ERR_INVALID_ARG, more: LIBRO_ERR_LIMIT). A
 *  document over LIBRO_MAX_JWS_JSON_BYTES is refused (LIBRO_ERR_LIMIT), not produced.
 *  Appended to `out`, which is untouched on failure. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_sign(libro_buf *out,
                                                         const libro_jws_signer *signers,
                                                         size_t n_signers, const char *typ,
                                                         const void *payload, size_t len,
                                                         libro_error *err);

typedef struct libro_jws_json libro_jws_json; /* parsed, not yet verified */

/** Parse a General Serialization document: at most LIBRO_MAX_JWS_JSON_BYTES (LIBRO_ERR_LIMIT),
 *  strict JSON, members "payload" and "signatures" only, 1..LIBRO_MAX_JWS_SIGNATURES entries
 *  (none: LIBRO_ERR_PARSE, more: LIBRO_ERR_LIMIT) each with exactly "protected" and
 *  "signature". An unprotected "header" is LIBRO_ERR_UNSUPPORTED: everything we read must be
 *  signed. Unknown members, which RFC 7515 §7.2.1 would ignore, are LIBRO_ERR_PARSE. Each
 *  protected header is checked as in libro_jws_parse, and the decoded payload is at most
 *  LIBRO_MAX_CLAIMS_BYTES. The flattened syntax (§7.2.2) is LIBRO_ERR_PARSE. LIBRO_OK: caller
 *  owns *out (libro_jws_json_free); else *out is NULL. */
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
/** For each signature, try every key in `keys` whose algorithm matches (NULL entries are
 *  skipped); `verified[i]` says whether signature i verified and `signer[i]` which key index
 *  did (SIZE_MAX if none). Both arrays hold libro_jws_json_count(j) entries. Returns LIBRO_OK
 *  when every signature verified, else LIBRO_ERR_BAD_SIGNATURE naming the first that did not;
 *  the arrays are filled in both cases. Another failure (out of memory, crypto) stops early
 *  with the untried entries false/SIZE_MAX. `signer` may repeat an index when one key signed
 *  twice: callers counting distinct parties must check. */
LIBRO_API LIBRO_NODISCARD libro_code libro_jws_json_verify_all(libro_jws_json *j,
                                                               const libro_key *const *keys,
                                                               size_t n_keys, bool *verified,
                                                               size_t *signer, libro_error *err);
/** The payload, once at least one signature has verified; NULL before. */
LIBRO_API const unsigned char *libro_jws_json_payload(const libro_jws_json *j, size_t *len);

#endif
