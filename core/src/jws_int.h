/* libro: what jws.c (compact) and jws_json.c (General Serialization) share: the protected
 * header policy, the alg-to-key binding, strict segment decoding and header building. Not
 * installed. */
#ifndef LIBRO_JWS_INT_H
#define LIBRO_JWS_INT_H

#include "libro/jws.h"

/** A protected header that passed libro_jws__header_check. `alg_name` points to a static
 *  string ("EdDSA", "Ed25519" or "ES256"); kid and typ are owned copies or NULL. */
typedef struct libro_jws__header {
    libro_alg alg;
    const char *alg_name;
    char *kid;
    char *typ;
} libro_jws__header;

#define LIBRO_JWS__HEADER_INIT                                                                     \
    {                                                                                              \
        (libro_alg) 0, NULL, NULL, NULL                                                            \
    }

/** Decode the base64url text p[0..len) into `out` (which must be empty), failing with
 *  LIBRO_ERR_ENCODING naming `what` ("header", "payload", "signature", ...). */
LIBRO_NODISCARD libro_code libro_jws__decode(libro_buf *out, const char *p, size_t len,
                                             const char *what, libro_error *err);

/** Apply the protected-header policy of jws.h to the decoded header p[0..len): at most
 *  LIBRO_MAX_HEADER_BYTES, one strict JSON object, "alg" in the accepted set, no "crit", no
 *  header-supplied key, no "b64" other than true, string kid/typ/cty. `label` names the
 *  header in messages ("header", "signature 2 header"). Fills *out on success only. */
LIBRO_NODISCARD libro_code libro_jws__header_check(libro_jws__header *out, const unsigned char *p,
                                                   size_t len, const char *label, libro_error *err);
/** The policy of libro_jws__header_check read from a JSON tree: the reference, and what
 *  decides every header the plain path declines. */
LIBRO_NODISCARD libro_code libro_jws__header_check_tree(libro_jws__header *out,
                                                        const unsigned char *p, size_t len,
                                                        const char *label, libro_error *err);
/** The plain path of libro_jws__header_check: a header that is a flat object of at most the
 *  members alg, kid, typ and cty, each once, each a string of printable ASCII without '"' or
 *  '\\', no whitespace, alg accepted and kid within LIBRO_MAX_KID_BYTES, fills *out as the
 *  tree would (*declined false); anything else sets *declined and leaves *out alone (the tree
 *  decides it). LIBRO_ERR_NOMEM only. */
LIBRO_NODISCARD libro_code libro_jws__header_plain(libro_jws__header *out, bool *declined,
                                                   const unsigned char *p, size_t len,
                                                   libro_error *err);
/** Release what libro_jws__header_check filled in; the header becomes empty. */
void libro_jws__header_free(libro_jws__header *h);

/** LIBRO_OK when `k` may verify a signature whose header names `h->alg`; else
 *  LIBRO_ERR_UNSUPPORTED (the key, not the header, decides the algorithm). */
LIBRO_NODISCARD libro_code libro_jws__alg_matches(const libro_jws__header *h, const libro_key *k,
                                                  libro_error *err);

/** Verify `sig` over the signing input `si` with `k` after libro_jws__alg_matches: the length
 *  must be LIBRO_SIGNATURE_BYTES, then the key decides (LIBRO_ERR_BAD_SIGNATURE). */
LIBRO_NODISCARD libro_code libro_jws__verify_sig(const libro_jws__header *h, const libro_key *k,
                                                 const unsigned char *si, size_t si_len,
                                                 const libro_buf *sig, libro_error *err);

/** Append base64url({"alg":...,"kid":...,"typ":...}) for a signature by `k` (kid and typ
 *  omitted when NULL). Fails with LIBRO_ERR_INVALID_ARG on a kid or typ that is not UTF-8
 *  or is too long, and LIBRO_ERR_LIMIT when the header would exceed LIBRO_MAX_HEADER_BYTES. */
LIBRO_NODISCARD libro_code libro_jws__header_b64(libro_buf *out, const libro_key *k,
                                                 const char *kid, const char *typ,
                                                 libro_error *err);

/** Sign `si` with `k` and append base64url(signature) to `out`. `si` may point into `out`: it
 *  is read before `out` grows. */
LIBRO_NODISCARD libro_code libro_jws__sign_b64(libro_buf *out, const libro_key *k,
                                               const unsigned char *si, size_t si_len,
                                               libro_error *err);

/** The parsed compact JWS token[0..len) when its three segments are already known decoded:
 *  the caller built `token` by encoding header, payload and sig (base64url, canonical), and
 *  si_len is the offset of its second '.', so decoding the token again would give these very
 *  bytes (lb1.c decodes LB text this way). The checks of libro_jws_parse_ex, its codes and
 *  messages, in its order: the token cap, the header policy, the payload cap. */
LIBRO_NODISCARD libro_code libro_jws__from_decoded(libro_jws **out, const char *token, size_t len,
                                                   size_t si_len, const unsigned char *header,
                                                   size_t header_len, const unsigned char *payload,
                                                   size_t payload_len, const unsigned char *sig,
                                                   size_t sig_len, size_t max_token,
                                                   size_t max_payload, libro_error *err);

/** Copy at most 32 bytes of untrusted `s` for a message: printable ASCII other than '"' and
 *  '\\' is kept, anything else becomes '?', so an error stays one line and cannot forge
 *  quoting. */
void libro_jws__printable(char out[33], const char *s, size_t len);

/** Replace control bytes in err->msg by '?'. jansson quotes the input near a syntax error,
 *  and that text may hold control bytes; our messages are one line. NULL is a no-op. */
void libro_jws__one_line(libro_error *err);

/** libro_jws_json_parse with the decoded payload capped at `max_payload` instead of
 *  LIBRO_MAX_CLAIMS_BYTES, and, when `allow_unsigned`, an empty "signatures" accepted (an
 *  agreement's draft, libro/agreement.h). Everything else is the same. */
LIBRO_NODISCARD libro_code libro_jws__json_parse(libro_jws_json **out, const char *p, size_t len,
                                                 size_t max_payload, bool allow_unsigned,
                                                 libro_error *err);
/** The decoded payload, NOT verified (the agreement check reads the parties from it to know
 *  which keys must verify); never NULL for a parsed document. */
const libro_buf *libro_jws__json_payload_unverified(const libro_jws_json *j);
/** The parts as received, to write a document anew with one more signature: the payload's
 *  base64url, signature i's protected header base64url and its decoded signature (i below
 *  libro_jws_json_count). */
const libro_buf *libro_jws__json_payload_b64(const libro_jws_json *j);
const libro_buf *libro_jws__json_protected_b64(const libro_jws_json *j, size_t i);
const libro_buf *libro_jws__json_signature(const libro_jws_json *j, size_t i);

#endif
