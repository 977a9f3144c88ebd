/* libro: the LB1, LB2 and LB3 preset dictionaries, compiled in from
 * schemas/lb<n>/dictionary.txt, and what lb1.c and lb3.c share. CMake writes the bytes and
 * SHA-256 into lb1_dictionary.c in the build tree (core/CMakeLists.txt), so the library
 * carries exactly the bytes of the files in the source tree. Not installed. */
#ifndef LIBRO_LB1_INT_H
#define LIBRO_LB1_INT_H

#include <stddef.h>

extern const unsigned char libro_lb1__dictionary[];
extern const size_t libro_lb1__dictionary_len;
extern const char libro_lb1__dictionary_sha256[65]; /* lowercase hex, NUL-terminated */

extern const unsigned char libro_lb2__dictionary[];
extern const size_t libro_lb2__dictionary_len;
extern const char libro_lb2__dictionary_sha256[65];

extern const unsigned char libro_lb3__dictionary[];
extern const size_t libro_lb3__dictionary_len;
extern const char libro_lb3__dictionary_sha256[65];

#include "libro/buf.h"

/** Raw DEFLATE (RFC 1951) of p[0..len) starting from the preset dictionary, level 9, appended
 *  to `out` (lb1.c, the one user of zlib). `name` ("lb2", ...) starts the messages. */
libro_code libro_lb1__deflate(libro_buf *out, const char *name, const unsigned char *dict,
                              size_t dict_len, const unsigned char *p, size_t len,
                              libro_error *err);
/** Inflate the raw DEFLATE stream p[0..len) from the preset dictionary into `out` (empty on
 *  entry): the whole stream and nothing after it (LIBRO_ERR_PARSE), at most `cap` bytes
 *  (LIBRO_ERR_LIMIT, found without inflating more than one byte past it). */
libro_code libro_lb1__inflate(libro_buf *out, const char *name, const unsigned char *dict,
                              size_t dict_len, size_t cap, const unsigned char *p, size_t len,
                              libro_error *err);

/** LB3 (lb3.c): the frame of compact JWS jws[0..len) when it is a RoundtableMandate libro
 *  can pack field by field (docs/formats.md, "LB3"), appended to `frame`; the frame is checked
 *  to unpack to the same JWS. LIBRO_ERR_UNSUPPORTED when the JWS is anything else (then LB2
 *  carries it); LIBRO_ERR_NOMEM. */
libro_code libro_lb3__pack(libro_buf *frame, const char *jws, size_t len, libro_error *err);
/** The compact JWS an LB3 frame carries, appended to `jws` (untouched on failure). Strict:
 *  LIBRO_ERR_PARSE / LIBRO_ERR_LIMIT with "lb3: ..." for a frame libro_lb3__pack could not
 *  have written, the codes of libro_credential_to_json for fields that make no mandate. */
libro_code libro_lb3__unpack(libro_buf *jws, const unsigned char *frame, size_t len,
                             libro_error *err);

#endif
