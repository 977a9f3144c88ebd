/* libro: GZIP (RFC 1952) members through zlib, for the encodedList of a Bitstring Status List
 * (statuslist.c). lb1.c keeps its own raw-DEFLATE adapter: one adapter per purpose, so that
 * neither format's settings can leak into the other. Not installed. */
#ifndef LIBRO_GZIP_INT_H
#define LIBRO_GZIP_INT_H

#include "libro/buf.h"

/** Compress p[0..len) into one GZIP member (zlib's header: no name, MTIME 0, so the output
 *  depends on the input only), appended to `out`; on failure `out` keeps its old bytes.
 *  LIBRO_ERR_NOMEM; LIBRO_ERR_INVALID_ARG for input past zlib's 32-bit counters. */
LIBRO_NODISCARD libro_code libro_gzip__compress(libro_buf *out, const void *p, size_t len,
                                                libro_error *err);

/** Strict decode of exactly one GZIP member into `out` (which must be empty): the magic bytes
 *  and method 8 (LIBRO_ERR_PARSE "gzip: not GZIP data"), a valid DEFLATE stream, CRC-32 and
 *  ISIZE checked by zlib (LIBRO_ERR_PARSE naming zlib's reason, e.g. "incorrect data
 *  check"), no second member and no trailing byte (LIBRO_ERR_PARSE), and at most `max_out`
 *  inflated bytes (LIBRO_ERR_LIMIT: inflation stops one byte past the cap, so a bomb costs
 *  max_out + 1 bytes of memory, never more). Truncated input is LIBRO_ERR_PARSE. The output
 *  buffer grows by doubling, so memory follows the real size, not a size the input claims.
 *  LIBRO_ERR_NOMEM. On failure `out` is empty. */
LIBRO_NODISCARD libro_code libro_gzip__decompress(libro_buf *out, const void *p, size_t len,
                                                  size_t max_out, libro_error *err);

#endif
