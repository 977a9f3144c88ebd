/* libro: the LB QR transports (docs/formats.md): "LB2:" (or "LB1:") + base45(u8 sig_len ||
 * signature || raw DEFLATE(header_json || 0x00 || payload_json)). The two formats share this
 * frame and differ only in the fixed preset dictionary DEFLATE starts from (schemas/lb1/,
 * schemas/lb2/); the prefix names it. "LB3:" carries a RoundtableMandate field by field (its
 * random parts as raw bytes, the rest DEFLATEd from schemas/lb3/), from which the decoder
 * writes the canonical JSON back. libro writes LB3 for mandates and LB2 for everything else,
 * and reads all three, forever. The decoder rebuilds the exact compact JWS, byte for byte. */
#ifndef LIBRO_LB1_H
#define LIBRO_LB1_H

#include "libro/buf.h"
#include "libro/limits.h"

#define LIBRO_LB1_PREFIX "LB1:"
#define LIBRO_LB2_PREFIX "LB2:"
#define LIBRO_LB3_PREFIX "LB3:"
#define LIBRO_MAX_LB1_TEXT_BYTES 8192u /* the text of one QR code (v40 holds 4296) */
/* Inflate stops past this (DEFLATE bombs): the most a valid frame can hold, a header and a
 * payload at their caps and the separator (9217 bytes), well under the 64 KiB the design
 * allows. A tight bound also keeps each decode's buffers small. */
#define LIBRO_MAX_LB1_INFLATED (LIBRO_MAX_HEADER_BYTES + 1u + LIBRO_MAX_CLAIMS_BYTES)

/* The formats, each a prefix and a dictionary. */
typedef enum libro_lb_format {
    LIBRO_LB1 = 1, /* schemas/lb1/dictionary.txt: credentials before the status words */
    LIBRO_LB2 = 2, /* schemas/lb2/dictionary.txt: with the three status entries */
    LIBRO_LB3 = 3, /* a RoundtableMandate field by field; schemas/lb3/dictionary.txt */
} libro_lb_format;

/* What libro_lb1_encode writes for every credential but a RoundtableMandate (LB3). */
#define LIBRO_LB_CURRENT LIBRO_LB2

/* Both functions: LIBRO_ERR_INVALID_ARG for a NULL buffer, or a NULL input with a length;
 * LIBRO_ERR_NOMEM. */

/** Pack a compact JWS (`jws`, `len`) into text of `format`, appended to `out` (untouched on
 *  failure); LIBRO_ERR_INVALID_ARG for a format not in libro_lb_format. LIBRO_LB3 packs only
 *  a RoundtableMandate as libro writes it (canonical JSON, the header {"alg","kid","typ"}
 *  with kid "<issuer>#<thumbprint>", the three status entries in one list directory):
 *  LIBRO_ERR_UNSUPPORTED for anything else.
 *  The JWS must be at most LIBRO_MAX_TOKEN_BYTES (LIBRO_ERR_LIMIT) and three strict base64url
 *  segments (LIBRO_ERR_PARSE, LIBRO_ERR_ENCODING naming the segment) whose header and payload
 *  fit LIBRO_MAX_HEADER_BYTES and LIBRO_MAX_CLAIMS_BYTES (LIBRO_ERR_LIMIT), hold no NUL byte,
 *  and whose signature is 64 bytes (LIBRO_ERR_PARSE). Text longer than
 *  LIBRO_MAX_LB1_TEXT_BYTES is refused (LIBRO_ERR_LIMIT), so whatever this writes,
 *  libro_lb1_decode reads. Deterministic; thread-safe on distinct buffers. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lb1_encode_format(libro_buf *out, libro_lb_format format,
                                                             const char *jws, size_t len,
                                                             libro_error *err);

/** The text libro prints in QR codes: LB3 for a RoundtableMandate LB3 can carry, else
 *  libro_lb1_encode_format with LIBRO_LB_CURRENT. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lb1_encode(libro_buf *out, const char *jws, size_t len,
                                                      libro_error *err);

/** The format whose prefix `text` starts with (exactly, upper case), or 0 for none. Looks at
 *  the prefix only: the rest may still be refused by libro_lb1_decode. */
LIBRO_API libro_lb_format libro_lb1_format_of(const char *text, size_t len);

/** Unpack LB1, LB2 or LB3 text into the compact JWS it carries, appended to `jws_out`; the
 *  prefix chooses the dictionary (and for LB3 the frame). Strict: the prefix exactly "LB1:",
 *  "LB2:" or "LB3:", strict base45, a signature length of 64, a complete DEFLATE stream with
 *  nothing after it, at most LIBRO_MAX_LB1_INFLATED bytes inflated, exactly one 0x00
 *  separator, a header and payload within LIBRO_MAX_HEADER_BYTES and LIBRO_MAX_CLAIMS_BYTES;
 *  an LB3 frame of kind 1 with every field in its bounds and a mandate libro would write
 *  (docs/formats.md, "LB3"). Each failure has its own message (code LIBRO_ERR_ENCODING,
 *  _LIMIT or _PARSE, and for LB3 the codes of libro_credential_to_json; after the prefix,
 *  "lb1: ", "lb2: " or "lb3: " names the format); `jws_out` is untouched on failure. The signature
 * is not checked here. Any valid RFC 1951 stream is accepted, not only what libro_lb1_encode
 * writes, so the text is not canonical: identify a credential by its JWS, never by its LB text.
 * Thread-safe on distinct buffers. */
LIBRO_API LIBRO_NODISCARD libro_code libro_lb1_decode(libro_buf *jws_out, const char *text,
                                                      size_t len, libro_error *err);

/** SHA-256 of the built-in dictionary of `format`, 64 lowercase hex digits (a constant
 *  string), or NULL for a format not in libro_lb_format. A format's dictionary never changes
 *  (schemas/lb1/README.md, schemas/lb2/README.md). */
LIBRO_API const char *libro_lb1_dictionary_sha256(libro_lb_format format);

#endif
