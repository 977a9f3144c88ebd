/* libro: LB text straight into a parsed JWS (core's lb1.c), for the verifier's lean path.
 * Not installed. */
#ifndef LIBRO_LB1_JWS_INT_H
#define LIBRO_LB1_JWS_INT_H

#include "libro/buf.h"
#include "libro/jws.h"

/** libro_lb1_decode and then libro_jws_parse_ex(max_token, max_payload) of what it decoded, in
 *  one step: for LB1 and LB2 text the header, payload and signature the frame carries become
 *  the parsed JWS as they are, and only the signing input is encoded (base64url), once; LB3
 *  text is decoded, then parsed. The compact JWS is appended to `jws_out` as soon as the LB
 *  text decoded, whether or not it then parses (its refusals read it again). The same
 *  refusals, codes and messages as the two steps: `jws_out` untouched when the LB text is
 *  refused, and *out NULL unless LIBRO_OK (caller frees with libro_jws_free). */
LIBRO_NODISCARD libro_code libro_lb1__decode_jws(libro_jws **out, libro_buf *jws_out,
                                                 const char *text, size_t len, size_t max_token,
                                                 size_t max_payload, libro_error *err);

#endif
