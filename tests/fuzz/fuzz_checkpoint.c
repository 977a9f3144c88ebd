/* Open arbitrary bytes as a checkpoint note. The first byte picks the mode: even, the rest is
 * the whole note; odd, the rest is a note text that gets a valid signature line (RFC 8032
 * TEST 1 key), so the text parser past the signature check is reached too. Whatever opens
 * must sign again and open to the same checkpoint. */
#include <stdlib.h>
#include <string.h>

#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"

#define NAME "registry.town-7.example/log"
#define PEM                                                                                        \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"                           \
    "-----END PRIVATE KEY-----\n"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* "\n— NAME base64(key id || signature of text)\n" after the text. */
static libro_code
sign_text(libro_buf *note, const libro_key *k)
{
    libro_buf blob = LIBRO_BUF_INIT;
    unsigned char digest[32];
    libro_code rc = libro_buf_append_str(&blob, NAME "\n\x01", NULL);

    rc = rc == LIBRO_OK ? libro_key_raw_public(&blob, k, NULL) : rc;
    rc = rc == LIBRO_OK ? libro_sha256(digest, blob.data, blob.len, NULL) : rc;
    libro_buf_clear(&blob);
    rc = rc == LIBRO_OK ? libro_buf_append(&blob, digest, 4, NULL) : rc;
    rc = rc == LIBRO_OK ? libro_key_sign(&blob, k, note->data, note->len, NULL) : rc;
    rc = rc == LIBRO_OK ? libro_buf_append_str(note, "\n\xe2\x80\x94 " NAME " ", NULL) : rc;
    rc = rc == LIBRO_OK ? libro_b64std_encode(note, blob.data, blob.len, NULL) : rc;
    rc = rc == LIBRO_OK ? libro_buf_append(note, "\n", 1, NULL) : rc;
    libro_buf_free(&blob);
    return rc;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static libro_key *k;
    libro_buf note = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_checkpoint cp = {NULL, 0, {{0}}};
    libro_checkpoint back = {NULL, 0, {{0}}};

    if (size == 0) {
        return 0;
    }
    if ((k == NULL && libro_key_from_pem(&k, PEM, strlen(PEM), NULL, 0, NULL) != LIBRO_OK) ||
        libro_buf_reserve(&note, size, NULL) != LIBRO_OK ||
        libro_buf_append(&note, data + 1, size - 1, NULL) != LIBRO_OK ||
        ((data[0] & 1) != 0 && sign_text(&note, k) != LIBRO_OK)) {
        abort();
    }
    if (libro_checkpoint_open(&cp, (const char *) note.data, note.len, NAME, NAME, k, NULL) ==
            LIBRO_OK &&
        (libro_checkpoint_sign(&again, &cp, NAME, k, NULL) != LIBRO_OK ||
         libro_checkpoint_open(&back, (const char *) again.data, again.len, NAME, NAME, k, NULL) !=
             LIBRO_OK ||
         strcmp(back.origin, NAME) != 0 || back.size != cp.size ||
         memcmp(back.root.bytes, cp.root.bytes, sizeof cp.root.bytes) != 0)) {
        abort();
    }
    libro_checkpoint_clear(&cp);
    libro_checkpoint_clear(&back);
    libro_buf_free(&again);
    libro_buf_free(&note);
    return 0;
}
