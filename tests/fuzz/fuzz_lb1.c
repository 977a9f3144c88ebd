/* Decode LB2 or LB1 text; whatever decodes must re-encode, in its own format and in the one
 * libro writes, with the prefix of that format, and each text must decode to the very same
 * JWS (the JWS is canonical; the DEFLATE inside the text is not, see core/src/lb1.c). The
 * verifier's lean path (libro_lb1__decode_jws) must say what decoding then parsing says. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/lb1_jws_int.h"
#include "libro/limits.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* `jws` re-encoded as `format` decodes to itself. */
static int
round_trips(const libro_buf *jws, libro_lb_format format)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    int ok = libro_lb1_encode_format(&text, format, (const char *) jws->data, jws->len, NULL) ==
                 LIBRO_OK &&
             libro_lb1_format_of((const char *) text.data, text.len) == format &&
             libro_lb1_decode(&again, (const char *) text.data, text.len, NULL) == LIBRO_OK &&
             again.len == jws->len && memcmp(again.data, jws->data, jws->len) == 0;

    libro_buf_free(&text);
    libro_buf_free(&again);
    return ok;
}

static bool
same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The same code, message, compact JWS and header, straight or in two steps. */
static int
lean_agrees(const unsigned char *data, size_t size)
{
    libro_error e1 = LIBRO_ERROR_INIT;
    libro_error e2 = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf lean = LIBRO_BUF_INIT;
    libro_jws *a = NULL;
    libro_jws *b = NULL;
    libro_code r1 = libro_lb1_decode(&jws, (const char *) data, size, &e1);
    libro_code r2 = libro_lb1__decode_jws(&b, &lean, (const char *) data, size,
                                          LIBRO_MAX_TOKEN_BYTES, LIBRO_MAX_CLAIMS_BYTES, &e2);
    int ok;

    if (r1 == LIBRO_OK) {
        r1 = libro_jws_parse(&a, (const char *) jws.data, jws.len, &e1);
    }
    ok = r1 == r2 && strcmp(e1.msg, e2.msg) == 0 && jws.len == lean.len &&
         (jws.len == 0 || memcmp(jws.data, lean.data, jws.len) == 0) &&
         (a == NULL) == (b == NULL) && same_str(libro_jws_alg(a), libro_jws_alg(b)) &&
         same_str(libro_jws_kid(a), libro_jws_kid(b)) &&
         same_str(libro_jws_typ(a), libro_jws_typ(b));
    libro_jws_free(a);
    libro_jws_free(b);
    libro_buf_free(&jws);
    libro_buf_free(&lean);
    return ok;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf jws = LIBRO_BUF_INIT;
    libro_lb_format format = libro_lb1_format_of((const char *) data, size);

    if (libro_lb1_decode(&jws, (const char *) data, size, NULL) == LIBRO_OK &&
        (format == 0 || !round_trips(&jws, format) || !round_trips(&jws, LIBRO_LB_CURRENT))) {
        abort();
    }
    if (!lean_agrees(data, size)) {
        abort();
    }
    libro_buf_free(&jws);
    return 0;
}
