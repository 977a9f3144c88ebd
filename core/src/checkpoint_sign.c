/* libro: signing C2SP tlog-checkpoint notes (the format is described in checkpoint.c). Apart
 * from the opener so that a verify-only build (LIBRO_VERIFY_ONLY) carries no signing code. */
#include <string.h>

#include "checkpoint_int.h"
#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/util.h"

/* An origin we sign: non-empty printable ASCII (space allowed), at most the note cap. */
static bool
valid_origin(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < ' ' || s[i] > '~' || i >= LIBRO_MAX_CHECKPOINT_BYTES) {
            return false;
        }
    }
    return i > 0;
}

libro_code
libro_checkpoint_sign(libro_buf *out, const libro_checkpoint *cp, const char *key_name,
                      const libro_key *k, libro_error *err)
{
    libro_buf note = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    unsigned char blob[KEY_ID_BYTES + LIBRO_SIGNATURE_BYTES];
    bool root_ok = false;
    libro_code rc;

    if (out == NULL || cp == NULL || cp->origin == NULL || key_name == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "checkpoint: NULL argument");
    }
    if (!libro_checkpoint__valid_key_name(key_name)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "checkpoint: key name must be printable ascii without space or "
                               "'+'");
    }
    if (!valid_origin(cp->origin)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "checkpoint: origin must be non-empty printable ascii");
    }
    if (libro_key_alg(k) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "checkpoint: notes are signed with ed25519 keys only");
    }
    if (cp->size > LIBRO_MERKLE_MAX_SIZE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "checkpoint: tree size too large");
    }
    rc = libro_checkpoint__empty_tree_root_ok(&root_ok, cp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!root_ok) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "checkpoint: an empty tree needs the empty-tree root");
        goto out;
    }
    /* The note text: origin, size, root, each ending in a newline. */
    rc = libro_buf_printf(&note, err, "%s\n%llu\n", cp->origin, (unsigned long long) cp->size);
    if (rc == LIBRO_OK) {
        rc = libro_b64std_encode(&note, cp->root.bytes, LIBRO_MERKLE_HASH_BYTES, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&note, "\n", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_sign(&sig, k, note.data, note.len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (sig.len != LIBRO_SIGNATURE_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_CRYPTO, "checkpoint: unexpected signature length");
        goto out;
    }
    rc = libro_checkpoint__key_id(blob, key_name, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    memcpy(blob + KEY_ID_BYTES, sig.data, LIBRO_SIGNATURE_BYTES);
    /* The blank line, then "— <name> <base64(key id || signature)>". */
    rc = libro_buf_append_str(&note, "\n" SIG_PREFIX, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&note, key_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&note, " ", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64std_encode(&note, blob, sizeof blob, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&note, "\n", 1, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (note.len > LIBRO_MAX_CHECKPOINT_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "checkpoint: note of %zu bytes exceeds %u",
                             note.len, LIBRO_MAX_CHECKPOINT_BYTES);
        goto out;
    }
    rc = libro_buf_append(out, note.data, note.len, err);
out:
    libro_wipe(blob, sizeof blob);
    libro_buf_free(&sig);
    libro_buf_free(&note);
    return rc;
}
