/* A program built against libro-dev (pkg-config libro): it signs a compact JWS with a fresh
 * Ed25519 key through liblibro, verifies it, checks that a changed payload fails, and prints
 * the library's version. Exit 0 when all of that held. scripts/package-test builds and runs
 * it in a fresh Debian root; tests/shared_library_test.sh in the build tree. */
#include <stdio.h>
#include <string.h>

#include "libro/buf.h"
#include "libro/common.h"
#include "libro/error.h"
#include "libro/jws.h"
#include "libro/key.h"

int
main(void)
{
    static const char payload[] = "{\"hello\":\"libro\"}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *key = NULL;
    libro_buf token = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    const unsigned char *got;
    size_t got_len = 0;
    int status = 1;
    char *dot;

    if (libro_key_generate(&key, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_jws_sign_compact(&token, key, "hello#1", "JWT", payload, strlen(payload), &err) !=
            LIBRO_OK ||
        libro_jws_parse(&jws, (const char *) token.data, token.len, &err) != LIBRO_OK ||
        libro_jws_verify(jws, key, &err) != LIBRO_OK) {
        fprintf(stderr, "hello_libro: %s\n", err.msg);
        goto out;
    }
    got = libro_jws_payload(jws, &got_len);
    if (got_len != strlen(payload) || memcmp(got, payload, got_len) != 0) {
        fprintf(stderr, "hello_libro: the verified payload differs\n");
        goto out;
    }
    libro_jws_free(jws);
    jws = NULL;
    /* One character of the payload segment changed: the signature no longer holds. */
    dot = strchr((char *) token.data, '.');
    dot[1] = dot[1] == 'e' ? 'f' : 'e';
    if (libro_jws_parse(&jws, (const char *) token.data, token.len, &err) == LIBRO_OK &&
        libro_jws_verify(jws, key, &err) == LIBRO_OK) {
        fprintf(stderr, "hello_libro: a changed token verified\n");
        goto out;
    }
    printf("liblibro %s: signed and verified a JWS (%zu bytes); a changed one refused: %s\n",
           libro_version(), token.len, err.msg);
    status = 0;
out:
    libro_jws_free(jws);
    libro_buf_free(&token);
    libro_key_free(key);
    return status;
}
