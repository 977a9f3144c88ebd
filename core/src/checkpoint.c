/* libro: C2SP tlog-checkpoint notes (c2sp.org/tlog-checkpoint) in C2SP signed notes
 * (c2sp.org/signed-note), Ed25519 only (signature type 0x01).
 *
 * Opening follows style.md §8 and the signed-note rule that a note's text "MUST be ignored
 * unless the note is signed by a trusted key": bound, then frame (UTF-8, lines, blank line,
 * signature lines), then verify, and only then read the text. */
#include <string.h>

#include "checkpoint_int.h"
#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/text_int.h"
#include "libro/util.h"

/* The root line: 32 bytes are 44 characters of padded base64. */
#define ROOT_B64_LEN 44u

void
libro_checkpoint_clear(libro_checkpoint *cp)
{
    if (cp == NULL) {
        return;
    }
    libro_free(cp->origin);
    memset(cp, 0, sizeof *cp);
}

/* A note key name we sign with or look for: printable ASCII without space or '+' (the
 * signed-note rule, narrowed to ASCII), at most the note cap. */
bool
libro_checkpoint__valid_key_name(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '+' || i >= LIBRO_MAX_CHECKPOINT_BYTES) {
            return false;
        }
    }
    return i > 0;
}

/* signed-note's recommended key id for Ed25519:
 * SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]. */
libro_code
libro_checkpoint__key_id(unsigned char id[KEY_ID_BYTES], const char *name, const libro_key *k,
                         libro_error *err)
{
    static const unsigned char sep[2] = {'\n', SIG_TYPE_ED25519};
    libro_buf pub = LIBRO_BUF_INIT;
    libro_buf pre = LIBRO_BUF_INIT;
    unsigned char digest[32];
    libro_code rc;

    rc = libro_key_raw_public(&pub, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (pub.len != 32) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "checkpoint: not an ed25519 key");
        goto out;
    }
    rc = libro_buf_append_str(&pre, name, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&pre, sep, sizeof sep, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&pre, pub.data, pub.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_sha256(digest, pre.data, pre.len, err);
    }
    if (rc == LIBRO_OK) {
        memcpy(id, digest, KEY_ID_BYTES);
    }
out:
    libro_buf_free(&pre);
    libro_buf_free(&pub);
    return rc;
}

/* A size-0 checkpoint must carry the empty tree's root (C2SP tlog-witness), so that a
 * consistency proof from it (libro_merkle_verify_consistency) means something. */
libro_code
libro_checkpoint__empty_tree_root_ok(bool *ok, const libro_checkpoint *cp, libro_error *err)
{
    libro_merkle_hash empty;
    libro_code rc;

    *ok = true;
    if (cp->size != 0) {
        return LIBRO_OK;
    }
    rc = libro_merkle_empty_root(&empty, err);
    if (rc == LIBRO_OK) {
        *ok = libro_ct_equal(empty.bytes, cp->root.bytes, LIBRO_MERKLE_HASH_BYTES);
    }
    return rc;
}

/* Every line ends in a newline and is strict UTF-8 without control characters (signed-note:
 * no ASCII control character but newline, so no CR, tab or NUL either). */
static libro_code
check_lines(const unsigned char *s, size_t len, libro_error *err)
{
    size_t start = 0;
    size_t line = 1;

    if (len == 0 || s[len - 1] != '\n') {
        return libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: missing final newline");
    }
    while (start < len) {
        const unsigned char *nl = memchr(s + start, '\n', len - start);
        size_t end = (size_t) (nl - s);
        const char *problem = libro__text_problem(s + start, end - start);

        if (problem != NULL) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: line %zu: %s", line, problem);
        }
        start = end + 1;
        line++;
    }
    return LIBRO_OK;
}

/* The length of the note text: everything before the last blank line (signed-note: "the
 * text is separated from the signatures by the last empty line"). 0 when there is none. */
static size_t
text_length(const unsigned char *s, size_t len)
{
    size_t j;

    /* s[len - 1] is the final newline, so a blank line starts at most at len - 1. */
    for (j = len - 1; j > 0; j--) {
        if (s[j] == '\n' && s[j - 1] == '\n') {
            return j;
        }
    }
    return 0;
}

/* One signature line s[0..len) (without its newline): "— <name> <base64>". */
static libro_code
split_signature(const unsigned char *s, size_t len, size_t line, const unsigned char **name,
                size_t *name_len, libro_buf *blob, libro_error *err)
{
    const unsigned char *space;
    libro_error sub = LIBRO_ERROR_INIT;

    if (len < SIG_PREFIX_LEN || memcmp(s, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "checkpoint: signature line %zu does not start with an em dash",
                               line);
    }
    *name = s + SIG_PREFIX_LEN;
    space = memchr(*name, ' ', len - SIG_PREFIX_LEN);
    if (space == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "checkpoint: signature line %zu has no signature", line);
    }
    *name_len = (size_t) (space - *name);
    if (*name_len == 0 || memchr(*name, '+', *name_len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: signature line %zu: bad key name",
                               line);
    }
    libro_buf_clear(blob);
    if (libro_b64std_decode(blob, (const char *) space + 1, (size_t) (s + len - space - 1), &sub) !=
        LIBRO_OK) {
        if (sub.code == LIBRO_ERR_NOMEM) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "checkpoint: out of memory");
        }
        return libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: signature line %zu: %s", line,
                               sub.msg);
    }
    if (blob->len <= KEY_ID_BYTES) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "checkpoint: signature line %zu: signature too short", line);
    }
    return LIBRO_OK;
}

/* Check the signature lines s[start..len) against the one trusted key: every line by it
 * must verify, and there must be one. */
static libro_code
check_signatures(const unsigned char *s, size_t len, size_t text_len, const char *key_name,
                 const libro_key *k, libro_error *err)
{
    libro_buf blob = LIBRO_BUF_INIT;
    unsigned char id[KEY_ID_BYTES];
    size_t want_len = strlen(key_name);
    size_t start = text_len + 1;
    size_t count = 0;
    size_t matched = 0;
    bool bad = false;
    libro_code rc;

    rc = libro_checkpoint__key_id(id, key_name, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (start >= len) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: no signature lines");
        goto out;
    }
    while (start < len) {
        const unsigned char *nl = memchr(s + start, '\n', len - start);
        size_t end = (size_t) (nl - s);
        const unsigned char *name = NULL;
        size_t name_len = 0;

        if (++count > LIBRO_MAX_CHECKPOINT_SIGNATURES) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "checkpoint: more than %u signature lines",
                                 LIBRO_MAX_CHECKPOINT_SIGNATURES);
            goto out;
        }
        rc = split_signature(s + start, end - start, count, &name, &name_len, &blob, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* signed-note: a line is ours only when both the name and the key id match; a line
         * matching one of them is another key's and is ignored. */
        if (name_len == want_len && memcmp(name, key_name, want_len) == 0 &&
            memcmp(blob.data, id, KEY_ID_BYTES) == 0) {
            matched++;
            rc = libro_key_verify(k, s, text_len, blob.data + KEY_ID_BYTES, blob.len - KEY_ID_BYTES,
                                  err);
            if (rc == LIBRO_ERR_BAD_SIGNATURE) {
                bad = true;
            } else if (rc != LIBRO_OK) {
                goto out;
            }
        }
        start = end + 1;
    }
    if (bad) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE,
                             "checkpoint: signature by %.64s does not verify", key_name);
    } else if (matched == 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNTRUSTED, "checkpoint: no signature by key %.64s",
                             key_name);
    } else {
        rc = LIBRO_OK;
    }
out:
    libro_buf_free(&blob);
    return rc;
}

/* The verified text s[0..len) (ending in a newline): origin, size, root, extensions. */
static libro_code
parse_text(libro_checkpoint *out, const unsigned char *s, size_t len, libro_error *err)
{
    libro_buf root = LIBRO_BUF_INIT;
    libro_error sub = LIBRO_ERROR_INIT;
    const unsigned char *line[3] = {NULL, NULL, NULL};
    size_t line_len[3] = {0, 0, 0};
    size_t start = 0;
    size_t i = 0;
    bool root_ok = false;
    libro_code rc = LIBRO_OK;

    for (i = 0; start < len; i++) {
        const unsigned char *nl = memchr(s + start, '\n', len - start);
        size_t end = (size_t) (nl - s);

        /* tlog-checkpoint: every line, extension lines included, is non-empty. */
        if (end == start) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "checkpoint: text line %zu is empty", i + 1);
            goto out;
        }
        if (i < 3) {
            line[i] = s + start;
            line_len[i] = end - start;
        }
        start = end + 1;
    }
    if (i < 3) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "checkpoint: text needs origin, tree size and root hash lines");
        goto out;
    }
    if (libro_parse_u64(&out->size, (const char *) line[1], line_len[1], LIBRO_MERKLE_MAX_SIZE,
                        &sub) != LIBRO_OK) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "checkpoint: bad tree size (decimal, no leading zero, at most "
                             "2^63 - 1)");
        goto out;
    }
    if (line_len[2] != ROOT_B64_LEN ||
        libro_b64std_decode(&root, (const char *) line[2], line_len[2], &sub) != LIBRO_OK ||
        root.len != LIBRO_MERKLE_HASH_BYTES) {
        if (sub.code == LIBRO_ERR_NOMEM) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "checkpoint: out of memory");
        } else {
            rc = libro_error_set(err, LIBRO_ERR_PARSE,
                                 "checkpoint: root hash is not 32 bytes of padded base64");
        }
        goto out;
    }
    memcpy(out->root.bytes, root.data, LIBRO_MERKLE_HASH_BYTES);
    rc = libro_checkpoint__empty_tree_root_ok(&root_ok, out, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!root_ok) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "checkpoint: tree size 0 with a root other than the empty tree's");
        goto out;
    }
    out->origin = libro_strndup((const char *) line[0], line_len[0]);
    if (out->origin == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "checkpoint: out of memory");
        goto out;
    }
out:
    libro_buf_free(&root);
    return rc;
}

libro_code
libro_checkpoint_open(libro_checkpoint *out, const char *note, size_t len, const char *origin,
                      const char *key_name, const libro_key *k, libro_error *err)
{
    const unsigned char *s = (const unsigned char *) note;
    libro_checkpoint cp;
    size_t text_len;
    libro_code rc;

    memset(&cp, 0, sizeof cp);
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    if (out == NULL || (note == NULL && len > 0) || origin == NULL || origin[0] == '\0' ||
        key_name == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "checkpoint: NULL or empty argument");
    }
    if (!libro_checkpoint__valid_key_name(key_name)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "checkpoint: key name must be printable ascii without space or "
                               "'+'");
    }
    if (libro_key_alg(k) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "checkpoint: notes are verified with ed25519 keys only");
    }
    if (len > LIBRO_MAX_CHECKPOINT_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "checkpoint: note of %zu bytes exceeds %u",
                               len, LIBRO_MAX_CHECKPOINT_BYTES);
    }
    rc = check_lines(s, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    text_len = text_length(s, len);
    if (text_len == 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "checkpoint: no blank line between text and signatures");
        goto out;
    }
    rc = check_signatures(s, len, text_len, key_name, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = parse_text(&cp, s, text_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strcmp(cp.origin, origin) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNTRUSTED,
                             "checkpoint: origin \"%.64s\" is not the expected log", cp.origin);
        goto out;
    }
    *out = cp;
    memset(&cp, 0, sizeof cp); /* moved to caller */
out:
    libro_checkpoint_clear(&cp);
    return rc;
}
