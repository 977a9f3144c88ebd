/* libro: the LBR reference QR (docs/formats.md, "LBR"): "LBR:" + base45(kind || SHA-256),
 * 33 bytes, which names a registered document by its hash (libro/crypto.h, libro_hash_ref)
 * without carrying it. A verifier answers from its synced trust store (the bundle's
 * agreements and laws); the full document verifies from a file. 54 characters of the QR
 * alphanumeric set: QR version 3 at level M. */
#ifndef LIBRO_LBR_H
#define LIBRO_LBR_H

#include "libro/buf.h"
#include "libro/crypto.h"

#define LIBRO_LBR_PREFIX "LBR:"
#define LIBRO_LBR_TEXT_LEN 54u /* "LBR:" and base45 of 33 bytes (16 triples of 3, one of 2) */

/** What a reference names: the kind byte. */
typedef enum libro_lbr_kind {
    LIBRO_LBR_AGREEMENT = 1, /* a ResponsibilityAgreement's JWS JSON document */
    LIBRO_LBR_LAW = 2,       /* a CommunityLaw's compact JWS */
} libro_lbr_kind;

/** Append the reference text for the document of `kind` whose hash is `hash`
 *  ("sha256:<64 lowercase hex>", libro_hash_ref) to `out` (untouched on failure).
 *  LIBRO_ERR_INVALID_ARG for a kind outside the enum, LIBRO_ERR_PARSE for a hash not of the
 *  form. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lbr_encode(libro_buf *out, libro_lbr_kind kind,
                                                      const char *hash, libro_error *err);

/** Read reference text[0..len): exactly LIBRO_LBR_TEXT_LEN bytes (LIBRO_ERR_LIMIT past it,
 *  LIBRO_ERR_PARSE short of it), the prefix "LBR:" exactly (LIBRO_ERR_PARSE), strict base45
 *  (LIBRO_ERR_ENCODING), a known kind (LIBRO_ERR_UNSUPPORTED). On LIBRO_OK *kind and `hash`
 *  (NUL-terminated "sha256:<hex>") are set; else they are untouched. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lbr_decode(libro_lbr_kind *kind,
                                                      char hash[LIBRO_HASH_REF_SIZE],
                                                      const char *text, size_t len,
                                                      libro_error *err);

#endif
