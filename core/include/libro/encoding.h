/* libro: strict text encodings. Decoders take (p, len), never rely on a NUL, and reject
 * anything that would not be re-encoded to exactly the same text (hex decode also takes
 * uppercase). Every function here appends to the caller's `out` (on success out->data is
 * never NULL and stays NUL-terminated); on failure `out` holds the same bytes as before.
 * Besides the codes named below: LIBRO_ERR_INVALID_ARG for a NULL `out`, or a NULL `p` with
 * `len` > 0 (NULL with 0 is the empty input); LIBRO_ERR_NOMEM; LIBRO_ERR_LIMIT when an
 * encoder's output size would overflow size_t. All are thread-safe on distinct buffers. */
#ifndef LIBRO_ENCODING_H
#define LIBRO_ENCODING_H

#include "libro/buf.h"

/** base64url without padding (RFC 4648 §5, as JOSE uses it). Appends to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_b64url_encode(libro_buf *out, const void *p, size_t len,
                                                         libro_error *err);
/** Strict decode: alphabet A-Z a-z 0-9 - _ only, no padding, no whitespace, length mod 4 != 1,
 *  and unused trailing bits zero (non-canonical text is rejected, RFC 4648 §3.5).
 *  LIBRO_ERR_ENCODING, the message naming the first offending offset. */
LIBRO_API LIBRO_NODISCARD libro_code libro_b64url_decode(libro_buf *out, const char *p, size_t len,
                                                         libro_error *err);

/** base45 (RFC 9285), the QR alphanumeric-mode encoding. Appends to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_base45_encode(libro_buf *out, const void *p, size_t len,
                                                         libro_error *err);
/** Strict decode: characters of the RFC 9285 table only, length mod 3 != 1, triples at most
 *  65535 and pairs at most 255. LIBRO_ERR_ENCODING. */
LIBRO_API LIBRO_NODISCARD libro_code libro_base45_decode(libro_buf *out, const char *p, size_t len,
                                                         libro_error *err);

/** base58btc (Bitcoin alphabet), leading zero bytes as '1'. Appends to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_base58btc_encode(libro_buf *out, const void *p,
                                                            size_t len, libro_error *err);
/** Strict decode: alphabet only (LIBRO_ERR_ENCODING). Base conversion is quadratic, so text
 *  longer than LIBRO_MAX_DID_BYTES is refused up front with LIBRO_ERR_LIMIT. */
LIBRO_API LIBRO_NODISCARD libro_code libro_base58btc_decode(libro_buf *out, const char *p,
                                                            size_t len, libro_error *err);

/** Multibase with the base58btc prefix 'z' (the only base did:key uses). */
LIBRO_API LIBRO_NODISCARD libro_code libro_multibase_encode(libro_buf *out, const void *p,
                                                            size_t len, libro_error *err);
/** Decode a multibase string. 'z' + base58btc is decoded as above (the cap applies to the
 *  text after 'z'). Another prefix of the multibase table (base64, base16, ...) is
 *  LIBRO_ERR_UNSUPPORTED; an empty string or an unknown prefix is LIBRO_ERR_ENCODING. */
LIBRO_API LIBRO_NODISCARD libro_code libro_multibase_decode(libro_buf *out, const char *p,
                                                            size_t len, libro_error *err);

/** Lowercase hex (used for fingerprints and test vectors). Decode is strict: even length,
 *  [0-9a-fA-F] only. */
LIBRO_API LIBRO_NODISCARD libro_code libro_hex_encode(libro_buf *out, const void *p, size_t len,
                                                      libro_error *err);
LIBRO_API LIBRO_NODISCARD libro_code libro_hex_decode(libro_buf *out, const char *p, size_t len,
                                                      libro_error *err);

/** Standard base64 with padding (RFC 4648 §4), as C2SP signed notes use it. Appends to
 *  `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_b64std_encode(libro_buf *out, const void *p, size_t len,
                                                         libro_error *err);
/** Strict decode: alphabet A-Z a-z 0-9 + / only, length a multiple of 4, '=' padding exactly
 *  where RFC 4648 §4 puts it (one or two at the very end, none elsewhere), no whitespace, and
 *  unused trailing bits zero (RFC 4648 §3.5). LIBRO_ERR_ENCODING, the message naming the
 *  first offending offset. */
LIBRO_API LIBRO_NODISCARD libro_code libro_b64std_decode(libro_buf *out, const char *p, size_t len,
                                                         libro_error *err);

#endif
