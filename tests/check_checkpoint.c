/* Suite for core/src/checkpoint.c (C2SP tlog-checkpoint in a C2SP signed note) and its
 * base64 (codec_sodium.c): an interoperability vector (the note, key id and signature computed
 * independently with Python's hashlib and cryptography for the RFC 8032 test key), round
 * trips, tampering, keys and foreign signature lines, the byte and line caps, strict
 * parsing, misuse, and an OOM loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/key.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

#define LOG "registry.town-7.example/log"
#define EM "\xe2\x80\x94" /* U+2014 */
/* The root of the seven leaves "leaf 0".."leaf 6" (check_merkle.c), in base64. */
#define ROOT7_HEX "5a61fc2b54f9cfa71774f2432143dd40c6cb2b11947faf65a7d3da5cb65199c8"
#define ROOT7_B64 "WmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg="
/* The RFC 8032 §7.1 TEST 1 key (tests/vectors/rfc8037_ed25519.pem), its public half. */
#define RFC_PUB_HEX "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
/* SHA-256(LOG || 0x0A || 0x01 || RFC_PUB)[:4], and the whole note for {LOG, 7, ROOT7} signed
 * by that key under the name LOG, both from Python (hashlib, cryptography's Ed25519). */
#define INTEROP_KEY_ID_HEX "46b22765"
#define INTEROP_NOTE                                                                               \
    LOG "\n7\n" ROOT7_B64 "\n\n" EM " " LOG " RrInZduer9PSbe+vg3GXVTAmhfpqChGVbPPkfXX/0fIbABHj17"  \
        "zRMDp5WyaCpLp5HM92VD3Gyx47QKq+uGbhaXUlhAo=\n"

static libro_key *
rfc_key(void)
{
    libro_buf pem = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    libro_test_read(&pem, libro_test_data_dir(), "rfc8037_ed25519.pem");
    must(libro_key_from_pem(&k, (const char *) pem.data, pem.len, NULL, 0, &err), &err, "pem");
    libro_buf_free(&pem);
    return k;
}

static libro_key *
fresh_key(libro_alg alg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, alg, &err), &err, "generate");
    return k;
}

static void
root7(libro_merkle_hash *h)
{
    libro_buf raw = LIBRO_BUF_INIT;

    libro_test_hex(&raw, ROOT7_HEX);
    memcpy(h->bytes, raw.data, LIBRO_MERKLE_HASH_BYTES);
    libro_buf_free(&raw);
}

/* The signed-note key id, by hand: SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
static void
key_id_by_hand(unsigned char id[4], const char *name, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pre = LIBRO_BUF_INIT;
    unsigned char digest[32];

    must(libro_buf_append_str(&pre, name, &err), &err, "name");
    must(libro_buf_append(&pre, "\n\x01", 2, &err), &err, "separator");
    must(libro_key_raw_public(&pre, k, &err), &err, "public key");
    must(libro_sha256(digest, pre.data, pre.len, &err), &err, "sha256");
    memcpy(id, digest, 4);
    libro_buf_free(&pre);
}

/* Append "— <name> <base64(key id || signature of text)>\n" to `out`. */
static void
append_sig_line(libro_buf *out, const char *text, size_t text_len, const char *name,
                const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf blob = LIBRO_BUF_INIT;
    unsigned char id[4];

    key_id_by_hand(id, name, k);
    must(libro_buf_append(&blob, id, sizeof id, &err), &err, "id");
    must(libro_key_sign(&blob, k, text, text_len, &err), &err, "sign");
    must(libro_buf_printf(out, &err, EM " %s ", name), &err, "line");
    must(libro_b64std_encode(out, blob.data, blob.len, &err), &err, "base64");
    must(libro_buf_append(out, "\n", 1, &err), &err, "newline");
    libro_buf_free(&blob);
}

/* A note whose text is `body` (any text at all), signed by `k` under `name`. */
static void
make_note(libro_buf *out, const char *body, const char *name, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_buf_append_str(out, body, &err), &err, "body");
    must(libro_buf_append(out, "\n", 1, &err), &err, "blank line");
    append_sig_line(out, body, strlen(body), name, k);
}

/* A line by a key nobody trusts, with a signature of random bytes. */
static void
append_foreign_line(libro_buf *out, const char *name, size_t sig_len)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char blob[128];

    ck_assert_uint_le(sig_len, sizeof blob);
    must(libro_random_bytes(blob, sig_len, &err), &err, "random");
    must(libro_buf_printf(out, &err, EM " %s ", name), &err, "line");
    must(libro_b64std_encode(out, blob, sig_len, &err), &err, "base64");
    must(libro_buf_append(out, "\n", 1, &err), &err, "newline");
}

static libro_code
open_note(libro_checkpoint *cp, const libro_buf *note, const char *origin, const char *name,
          const libro_key *k, libro_error *err)
{
    return libro_checkpoint_open(cp, (const char *) note->data, note->len, origin, name, k, err);
}

/* ---- interoperability ------------------------------------------------------------------ */

START_TEST(test_interop_vector)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_key *pub = public_of(k);
    char origin[] = LOG;
    libro_checkpoint cp = {origin, 7, {{0}}};
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf blob = LIBRO_BUF_INIT;
    unsigned char id[4];
    const char *b64;

    /* The key is the one the vector was made with. */
    must(libro_key_raw_public(&raw, k, &err), &err, "public key");
    libro_test_hex(&want, RFC_PUB_HEX);
    ck_assert_mem_eq(raw.data, want.data, 32);
    /* The key id by hand is Python's, and is what the note carries. */
    key_id_by_hand(id, LOG, k);
    libro_buf_free(&want);
    libro_test_hex(&want, INTEROP_KEY_ID_HEX);
    ck_assert_mem_eq(id, want.data, 4);
    root7(&cp.root);
    must(libro_checkpoint_sign(&note, &cp, LOG, k, &err), &err, "sign");
    ck_assert_str_eq((const char *) note.data, INTEROP_NOTE);
    b64 = strstr((const char *) note.data, EM " " LOG " ");
    ck_assert_ptr_nonnull(b64);
    b64 += strlen(EM " " LOG " ");
    must(libro_b64std_decode(&blob, b64, strlen(b64) - 1, &err), &err, "signature base64");
    ck_assert_uint_eq(blob.len, 4 + 64);
    ck_assert_mem_eq(blob.data, id, 4);
    /* And Python's note opens with the public key alone. */
    LIBRO_ASSERT_CODE(
        libro_checkpoint_open(&got, INTEROP_NOTE, strlen(INTEROP_NOTE), LOG, LOG, pub, &err),
        LIBRO_OK, &err, NULL);
    ck_assert_str_eq(got.origin, LOG);
    ck_assert_uint_eq(got.size, 7);
    ck_assert_mem_eq(got.root.bytes, cp.root.bytes, 32);
    libro_checkpoint_clear(&got);
    ck_assert_ptr_null(got.origin);
    libro_checkpoint_clear(NULL);
    libro_buf_free(&blob);
    libro_buf_free(&raw);
    libro_buf_free(&want);
    libro_buf_free(&note);
    libro_key_free(pub);
    libro_key_free(k);
}
END_TEST

/* ---- round trips ----------------------------------------------------------------------- */

static const struct {
    const char *origin;
    const char *key_name;
    uint64_t size;
} trips[] = {
    {LOG, LOG, 7},
    {"example.com/behind-the-sofa", "example.com/behind-the-sofa", 20852163},
    {"a log with spaces", "k", 1},
    {LOG, "another-name", 0},
    {"~!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}", "~!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}", 2},
    {LOG, LOG, LIBRO_MERKLE_MAX_SIZE},
};

START_TEST(test_round_trip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_key *pub = public_of(k);
    const char *name = trips[_i].key_name;
    char origin[64];
    libro_checkpoint cp;
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;

    ck_assert_uint_lt(strlen(trips[_i].origin), sizeof origin);
    memcpy(origin, trips[_i].origin, strlen(trips[_i].origin) + 1);
    cp.origin = origin;
    cp.size = trips[_i].size;
    if (cp.size == 0) {
        must(libro_merkle_empty_root(&cp.root, &err), &err, "empty root");
    } else {
        root7(&cp.root);
        cp.root.bytes[0] ^= (unsigned char) _i;
    }
    /* The note is appended to what `out` holds. */
    must(libro_buf_append_str(&note, "kept", &err), &err, "prefix");
    must(libro_checkpoint_sign(&note, &cp, name, k, &err), &err, "sign");
    ck_assert_mem_eq(note.data, "kept", 4);
    ck_assert_uint_le(note.len - 4, LIBRO_MAX_CHECKPOINT_BYTES);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, (const char *) note.data + 4, note.len - 4,
                                            origin, name, pub, &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_str_eq(got.origin, origin);
    ck_assert_uint_eq(got.size, cp.size);
    ck_assert_mem_eq(got.root.bytes, cp.root.bytes, 32);
    libro_checkpoint_clear(&got);
    libro_buf_free(&note);
    libro_key_free(pub);
    libro_key_free(k);
}
END_TEST

/* A UTF-8 origin and extension lines: accepted on opening (libro only signs ASCII). */
START_TEST(test_open_extensions_and_utf8)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;

    make_note(&note, "caf\xc3\xa9.example/log\n7\n" ROOT7_B64 "\nextension one\n\xe2\x9c\x93 two\n",
              LOG, k);
    LIBRO_ASSERT_CODE(open_note(&got, &note, "caf\xc3\xa9.example/log", LOG, k, &err), LIBRO_OK,
                      &err, NULL);
    ck_assert_str_eq(got.origin, "caf\xc3\xa9.example/log");
    ck_assert_uint_eq(got.size, 7);
    libro_checkpoint_clear(&got);
    libro_buf_free(&note);
    libro_key_free(k);
}
END_TEST

/* ---- tampering and keys ---------------------------------------------------------------- */

#define BAD_SIG_MSG "checkpoint: signature by " LOG " does not verify"

static const struct {
    const char *name;
    const char *from, *to; /* the first occurrence of `from` in the note becomes `to` */
    libro_code want;
    const char *msg;
} tampers[] = {
    {"size", "\n7\n", "\n8\n", LIBRO_ERR_BAD_SIGNATURE, BAD_SIG_MSG},
    {"root", "\nWmH8", "\nXmH8", LIBRO_ERR_BAD_SIGNATURE, BAD_SIG_MSG},
    {"origin", "registry.town-7", "registry.town-8", LIBRO_ERR_BAD_SIGNATURE, BAD_SIG_MSG},
    /* Byte 14 of the decoded line: in the signature, past the key id. */
    {"signature", " RrInZduer9PSbe+vg3GX", " RrInZduer9PSbe+vg3GY", LIBRO_ERR_BAD_SIGNATURE,
     BAD_SIG_MSG},
    /* Byte 2: the key id. The line becomes another key's, ignored, and none is ours. */
    {"key id", " RrIn", " RrIo", LIBRO_ERR_UNTRUSTED, "checkpoint: no signature by key " LOG},
};

START_TEST(test_tampered)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    char note[sizeof INTEROP_NOTE];
    char *at;
    size_t from_len = strlen(tampers[_i].from);

    memcpy(note, INTEROP_NOTE, sizeof note);
    at = strstr(note, tampers[_i].from);
    ck_assert_ptr_nonnull(at);
    ck_assert_uint_eq(strlen(tampers[_i].to), from_len);
    memcpy(at, tampers[_i].to, from_len);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, note, strlen(note), LOG, LOG, k, &err),
                      tampers[_i].want, &err, tampers[_i].msg);
    ck_assert_ptr_null(got.origin);
    libro_key_free(k);
}
END_TEST

START_TEST(test_keys_and_names)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_key *other = fresh_key(LIBRO_ALG_ED25519);
    libro_key *p256 = fresh_key(LIBRO_ALG_ES256);
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;

    must(libro_buf_append_str(&note, INTEROP_NOTE, &err), &err, "note");
    /* Another key under the same name: its key id differs, so no line is its. */
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, other, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "no signature by key");
    /* The right key under another name. */
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, "registry.town-7.example/log2", k, &err),
                      LIBRO_ERR_UNTRUSTED, &err, "no signature by key");
    /* The right key and name, another log. */
    LIBRO_ASSERT_CODE(open_note(&got, &note, "registry.town-8.example/log", LOG, k, &err),
                      LIBRO_ERR_UNTRUSTED, &err,
                      "checkpoint: origin \"" LOG "\" is not the expected log");
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG "x", LOG, k, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "is not the expected log");
    LIBRO_ASSERT_CODE(open_note(&got, &note, "registry.town-7.example/lo", LOG, k, &err),
                      LIBRO_ERR_UNTRUSTED, &err, "is not the expected log");
    /* P-256 keys neither sign nor open notes here. */
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, p256, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "ed25519 keys only");
    ck_assert_ptr_null(got.origin);
    libro_buf_free(&note);
    libro_key_free(p256);
    libro_key_free(other);
    libro_key_free(k);
}
END_TEST

/* Lines by other keys are ignored (signed-note), wherever they are; every line by ours must
 * verify. */
START_TEST(test_foreign_lines)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_key *witness = fresh_key(LIBRO_ALG_ED25519);
    libro_key *impostor = fresh_key(LIBRO_ALG_ED25519);
    const char *text = LOG "\n7\n" ROOT7_B64 "\n";
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    unsigned char id[4];
    unsigned char blob[68];

    /* A witness cosigns before and after; an impostor signs under our name (its id differs);
     * a line carries our id under another name. All ignored. */
    must(libro_buf_append_str(&note, text, &err), &err, "text");
    must(libro_buf_append(&note, "\n", 1, &err), &err, "blank");
    append_sig_line(&note, text, strlen(text), "witness.example/w1", witness);
    append_sig_line(&note, text, strlen(text), LOG, impostor);
    append_foreign_line(&note, "ratchet.example/cosign", 76); /* a tlog-cosignature shape */
    append_sig_line(&note, text, strlen(text), LOG, k);
    append_sig_line(&note, text, strlen(text), "witness.example/w1", witness);
    key_id_by_hand(id, LOG, k);
    memcpy(blob, id, 4);
    memset(blob + 4, 0x11, 64);
    must(libro_buf_append_str(&note, EM " someone.else/log ", &err), &err, "line");
    must(libro_b64std_encode(&note, blob, sizeof blob, &err), &err, "base64");
    must(libro_buf_append(&note, "\n", 1, &err), &err, "newline");
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_OK, &err, NULL);
    libro_checkpoint_clear(&got);
    /* The witness's own view of the same note. */
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, "witness.example/w1", witness, &err), LIBRO_OK,
                      &err, NULL);
    libro_checkpoint_clear(&got);
    /* A second line by our key (name and id) that does not verify spoils the note. */
    libro_buf_clear(&note);
    must(libro_buf_append_str(&note, INTEROP_NOTE, &err), &err, "note");
    must(libro_buf_append_str(&note, EM " " LOG " ", &err), &err, "line");
    must(libro_b64std_encode(&note, blob, sizeof blob, &err), &err, "base64");
    must(libro_buf_append(&note, "\n", 1, &err), &err, "newline");
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "does not verify");
    /* Only foreign lines: untrusted. */
    libro_buf_clear(&note);
    make_note(&note, text, "witness.example/w1", witness);
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_ERR_UNTRUSTED, &err,
                      "checkpoint: no signature by key " LOG);
    ck_assert_ptr_null(got.origin);
    libro_buf_free(&note);
    libro_key_free(impostor);
    libro_key_free(witness);
    libro_key_free(k);
}
END_TEST

/* ---- caps ------------------------------------------------------------------------------ */

/* A note of exactly `len` bytes: the checkpoint text, one extension line padding it out,
 * our signature. */
static void
note_of_length(libro_buf *note, size_t len, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf body = LIBRO_BUF_INIT;
    size_t pad = 1;
    size_t base;

    for (;;) {
        size_t i;

        libro_buf_clear(&body);
        libro_buf_clear(note);
        must(libro_buf_append_str(&body, LOG "\n7\n" ROOT7_B64 "\n", &err), &err, "text");
        for (i = 0; i < pad; i++) {
            must(libro_buf_append(&body, "x", 1, &err), &err, "pad");
        }
        must(libro_buf_append(&body, "\n", 1, &err), &err, "newline");
        make_note(note, (const char *) body.data, LOG, k);
        if (note->len == len) {
            break;
        }
        base = note->len - pad;
        ck_assert_uint_lt(base, len);
        pad = len - base;
    }
    libro_buf_free(&body);
}

START_TEST(test_byte_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    libro_checkpoint cp;
    libro_buf origin = LIBRO_BUF_INIT;
    size_t i;

    note_of_length(&note, LIBRO_MAX_CHECKPOINT_BYTES, k);
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_OK, &err, NULL);
    libro_checkpoint_clear(&got);
    note_of_length(&note, LIBRO_MAX_CHECKPOINT_BYTES + 1, k);
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_ERR_LIMIT, &err,
                      "checkpoint: note of 4097 bytes exceeds 4096");
    /* Signing refuses to write what opening would refuse to read. */
    for (i = 0; i < 4000; i++) {
        must(libro_buf_append(&origin, "o", 1, &err), &err, "origin");
    }
    cp.origin = (char *) origin.data;
    cp.size = 7;
    root7(&cp.root);
    libro_buf_clear(&note);
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, k, &err), LIBRO_ERR_LIMIT, &err,
                      "exceeds 4096");
    ck_assert_uint_eq(note.len, 0); /* untouched */
    libro_buf_free(&origin);
    libro_buf_free(&note);
    libro_key_free(k);
}
END_TEST

START_TEST(test_signature_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    size_t i;

    /* Ours plus 15 others: the 16 signed-note says a verifier must accept. */
    must(libro_buf_append_str(&note, INTEROP_NOTE, &err), &err, "note");
    for (i = 1; i < LIBRO_MAX_CHECKPOINT_SIGNATURES; i++) {
        append_foreign_line(&note, "witness.example/w", 68);
    }
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_OK, &err, NULL);
    libro_checkpoint_clear(&got);
    append_foreign_line(&note, "witness.example/w", 68);
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), LIBRO_ERR_LIMIT, &err,
                      "checkpoint: more than 16 signature lines");
    libro_buf_free(&note);
    libro_key_free(k);
}
END_TEST

/* ---- strict parsing -------------------------------------------------------------------- */

#define SIG_OK EM " " LOG " RrInZduer9PSbe+vg3GXVTAmhfpqChGVbPPkfXX/0fIbABHj17zRMDp5WyaCpLp5HM9"
#define SIG_OK2 "2VD3Gyx47QKq+uGbhaXUlhAo="

enum kind {
    RAW,   /* the note as written (framing errors come before any signature check) */
    BODY,  /* a note text that the test signs properly, so the text parser is reached */
    EXTRA, /* lines appended to the interop note */
};

static const struct {
    const char *name;
    enum kind kind;
    const char *text;
    libro_code want;
    const char *msg;
} bad[] = {
    {"empty", RAW, "", LIBRO_ERR_PARSE, "checkpoint: missing final newline"},
    {"no final newline", RAW, LOG "\n7\n" ROOT7_B64 "\n\n" SIG_OK SIG_OK2, LIBRO_ERR_PARSE,
     "checkpoint: missing final newline"},
    {"no blank line", RAW, LOG "\n7\n" ROOT7_B64 "\n" SIG_OK SIG_OK2 "\n", LIBRO_ERR_PARSE,
     "checkpoint: no blank line between text and signatures"},
    {"crlf", RAW, LOG "\r\n7\r\n" ROOT7_B64 "\r\n\r\n" SIG_OK SIG_OK2 "\r\n", LIBRO_ERR_PARSE,
     "checkpoint: line 1: control character"},
    {"cr in signature line", RAW, LOG "\n7\n" ROOT7_B64 "\n\n" SIG_OK SIG_OK2 "\r\n",
     LIBRO_ERR_PARSE, "checkpoint: line 5: control character"},
    {"tab", RAW, LOG "\t\n7\n" ROOT7_B64 "\n\n" SIG_OK SIG_OK2 "\n", LIBRO_ERR_PARSE,
     "control character"},
    {"invalid utf-8", RAW, LOG "\xff\n7\n" ROOT7_B64 "\n\n" SIG_OK SIG_OK2 "\n", LIBRO_ERR_PARSE,
     "checkpoint: line 1: not valid UTF-8"},
    {"no signature lines", RAW, LOG "\n7\n" ROOT7_B64 "\n\n", LIBRO_ERR_PARSE,
     "checkpoint: no signature lines"},
    {"blank line only", RAW, "\n", LIBRO_ERR_PARSE, "no blank line"},
    {"hyphen not em dash", EXTRA, "- w.example/w AAAAAAAA\n", LIBRO_ERR_PARSE,
     "checkpoint: signature line 2 does not start with an em dash"},
    {"no space after em dash", EXTRA, EM "w.example/w AAAAAAAA\n", LIBRO_ERR_PARSE,
     "does not start with an em dash"},
    {"no signature", EXTRA, EM " w.example/w\n", LIBRO_ERR_PARSE,
     "checkpoint: signature line 2 has no signature"},
    {"empty name", EXTRA, EM "  AAAAAAAA\n", LIBRO_ERR_PARSE,
     "checkpoint: signature line 2: bad key name"},
    {"plus in name", EXTRA, EM " w.example/w+1 AAAAAAAA\n", LIBRO_ERR_PARSE, "bad key name"},
    {"two spaces", EXTRA, EM " w.example/w  AAAAAAA\n", LIBRO_ERR_PARSE,
     "checkpoint: signature line 2: base64: invalid character at offset 0"},
    {"unpadded signature", EXTRA, EM " w.example/w AAAAAAA\n", LIBRO_ERR_PARSE,
     "base64: length 7 is not a multiple of 4"},
    {"url-safe signature", EXTRA, EM " w.example/w AAAAAA_-\n", LIBRO_ERR_PARSE,
     "base64: invalid character at offset 6"},
    {"non-canonical signature", EXTRA, EM " w.example/w AAAAAAB=\n", LIBRO_ERR_PARSE,
     "base64: non-canonical trailing bits"},
    {"signature of 4 bytes", EXTRA, EM " w.example/w AAAAAA==\n", LIBRO_ERR_PARSE,
     "signature too short"},
    {"trailing space", EXTRA, EM " w.example/w AAAAAAAA \n", LIBRO_ERR_PARSE, "base64: length 9"},
    /* The text, reached only once the signature verifies. */
    {"leading zero size", BODY, LOG "\n07\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE,
     "checkpoint: bad tree size"},
    {"signed size", BODY, LOG "\n+7\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE, "bad tree size"},
    {"negative size", BODY, LOG "\n-1\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE, "bad tree size"},
    {"hex size", BODY, LOG "\n0x7\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE, "bad tree size"},
    {"size with space", BODY, LOG "\n7 \n" ROOT7_B64 "\n", LIBRO_ERR_PARSE, "bad tree size"},
    {"size 2^63", BODY, LOG "\n9223372036854775808\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE,
     "bad tree size"},
    {"size 2^64", BODY, LOG "\n18446744073709551616\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE,
     "bad tree size"},
    {"non-canonical root", BODY, LOG "\n7\nWmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmch=\n",
     LIBRO_ERR_PARSE, "checkpoint: root hash is not 32 bytes of padded base64"},
    {"unpadded root", BODY, LOG "\n7\nWmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg\n",
     LIBRO_ERR_PARSE, "root hash is not 32 bytes"},
    {"33-byte root", BODY, LOG "\n7\nWmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcgA\n",
     LIBRO_ERR_PARSE, "root hash is not 32 bytes"},
    {"31-byte root", BODY, LOG "\n7\nWmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZR\n", LIBRO_ERR_PARSE,
     "root hash is not 32 bytes"},
    {"url-safe root", BODY, LOG "\n7\nWmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmc_=\n",
     LIBRO_ERR_PARSE, "root hash is not 32 bytes"},
    {"hex root", BODY, LOG "\n7\n" ROOT7_HEX "\n", LIBRO_ERR_PARSE, "root hash is not 32 bytes"},
    {"two lines", BODY, LOG "\n7\n", LIBRO_ERR_PARSE,
     "checkpoint: text needs origin, tree size and root hash lines"},
    {"empty origin", BODY, "\n7\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE,
     "checkpoint: text line 1 is empty"},
    {"empty extension line", BODY, LOG "\n7\n" ROOT7_B64 "\n\nextension\n", LIBRO_ERR_PARSE,
     "checkpoint: text line 4 is empty"},
    {"size 0, root not the empty tree's", BODY, LOG "\n0\n" ROOT7_B64 "\n", LIBRO_ERR_PARSE,
     "checkpoint: tree size 0 with a root other than the empty tree's"},
};

START_TEST(test_parse_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;

    switch (bad[_i].kind) {
    case RAW:
        must(libro_buf_append_str(&note, bad[_i].text, &err), &err, "note");
        break;
    case BODY:
        make_note(&note, bad[_i].text, LOG, k);
        break;
    case EXTRA:
        must(libro_buf_append_str(&note, INTEROP_NOTE, &err), &err, "note");
        must(libro_buf_append_str(&note, bad[_i].text, &err), &err, "extra");
        break;
    }
    LIBRO_ASSERT_CODE(open_note(&got, &note, LOG, LOG, k, &err), bad[_i].want, &err, bad[_i].msg);
    ck_assert_ptr_null(got.origin);
    libro_buf_free(&note);
    libro_key_free(k);
}
END_TEST

/* A NUL byte is a control character, and the note is not read as a C string. */
START_TEST(test_nul_byte)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_checkpoint got;
    char note[sizeof INTEROP_NOTE];

    memcpy(note, INTEROP_NOTE, sizeof note);
    note[5] = '\0';
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, note, sizeof note - 1, LOG, LOG, k, &err),
                      LIBRO_ERR_PARSE, &err, "checkpoint: line 1: control character");
    /* The length bounds the read: the NUL after the note is not part of it. */
    LIBRO_ASSERT_CODE(
        libro_checkpoint_open(&got, INTEROP_NOTE, sizeof INTEROP_NOTE, LOG, LOG, k, &err),
        LIBRO_ERR_PARSE, &err, "checkpoint: missing final newline");
    libro_key_free(k);
}
END_TEST

/* ---- misuse ---------------------------------------------------------------------------- */

START_TEST(test_sign_rejects)
{
    static const char *const bad_names[] = {"",          "has space",   "plus+sign",
                                            "tab\there", "caf\xc3\xa9", "del\x7f"};
    static const char *const bad_origins[] = {"", "two\nlines", "caf\xc3\xa9", "cr\r", "del\x7f"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_key *pub = public_of(k);
    libro_key *p256 = fresh_key(LIBRO_ALG_ES256);
    char origin[] = LOG;
    libro_checkpoint cp = {origin, 7, {{0}}};
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    size_t i;

    root7(&cp.root);
    for (i = 0; i < LIBRO_NELEM(bad_names); i++) {
        LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, bad_names[i], k, &err),
                          LIBRO_ERR_INVALID_ARG, &err,
                          "checkpoint: key name must be printable ascii without space or '+'");
        LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, INTEROP_NOTE, strlen(INTEROP_NOTE), LOG,
                                                bad_names[i], k, &err),
                          LIBRO_ERR_INVALID_ARG, &err, "key name must be printable ascii");
    }
    for (i = 0; i < LIBRO_NELEM(bad_origins); i++) {
        libro_checkpoint c = cp;
        char copy[16];

        ck_assert_uint_lt(strlen(bad_origins[i]), sizeof copy);
        memcpy(copy, bad_origins[i], strlen(bad_origins[i]) + 1);
        c.origin = copy;
        LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &c, LOG, k, &err), LIBRO_ERR_INVALID_ARG,
                          &err, "checkpoint: origin must be non-empty printable ascii");
    }
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, p256, &err), LIBRO_ERR_UNSUPPORTED,
                      &err, "checkpoint: notes are signed with ed25519 keys only");
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, pub, &err), LIBRO_ERR_BAD_KEY, &err,
                      NULL);
    cp.size = LIBRO_MERKLE_MAX_SIZE + 1;
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "checkpoint: tree size too large");
    cp.size = 0;
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "checkpoint: an empty tree needs the empty-tree root");
    cp.size = 7;
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(NULL, &cp, LOG, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, NULL, LOG, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, NULL, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, NULL, &err), LIBRO_ERR_INVALID_ARG,
                      &err, NULL);
    cp.origin = NULL;
    LIBRO_ASSERT_CODE(libro_checkpoint_sign(&note, &cp, LOG, k, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    ck_assert_uint_eq(note.len, 0); /* nothing written by any failure */
    /* Opening: arguments. */
    LIBRO_ASSERT_CODE(libro_checkpoint_open(NULL, INTEROP_NOTE, 10, LOG, LOG, k, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, NULL, 10, LOG, LOG, k, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, INTEROP_NOTE, 10, NULL, LOG, k, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, INTEROP_NOTE, 10, "", LOG, k, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, INTEROP_NOTE, 10, LOG, NULL, k, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, INTEROP_NOTE, 10, LOG, LOG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_checkpoint_open(&got, NULL, 0, LOG, LOG, k, &err), LIBRO_ERR_PARSE,
                      &err, "missing final newline");
    libro_buf_free(&note);
    libro_key_free(p256);
    libro_key_free(pub);
    libro_key_free(k);
}
END_TEST

/* ---- base64std ------------------------------------------------------------------------- */

START_TEST(test_b64std)
{
    static const struct {
        const char *raw, *text;
    } rfc4648[] = {
        /* RFC 4648 §10. */
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    static const struct {
        const char *text, *msg;
    } rejects[] = {
        {"Zg", "base64: length 2 is not a multiple of 4"},
        {"Zg=", "length 3"},
        {"Zh==", "base64: non-canonical trailing bits at offset 1"},
        {"Zm9=", "non-canonical trailing bits at offset 2"},
        {"Z===", "base64: misplaced padding at offset 1"},
        {"====", "misplaced padding at offset 0"},
        {"Zg==Zg==", "misplaced padding at offset 2"},
        {"Zm=v", "misplaced padding at offset 2"},
        {"Zm9v\n", "length 5"},
        {"Zm 9", "base64: invalid character at offset 2"},
        {"-_-_", "invalid character at offset 0"},
    };
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    unsigned char all[256];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(rfc4648); i++) {
        libro_buf_clear(&out);
        must(libro_b64std_encode(&out, rfc4648[i].raw, strlen(rfc4648[i].raw), &err), &err,
             "encode");
        ck_assert_str_eq((const char *) out.data, rfc4648[i].text);
        libro_buf_clear(&out);
        must(libro_b64std_decode(&out, rfc4648[i].text, strlen(rfc4648[i].text), &err), &err,
             "decode");
        ck_assert_uint_eq(out.len, strlen(rfc4648[i].raw));
        ck_assert_str_eq((const char *) out.data, rfc4648[i].raw);
    }
    for (i = 0; i < LIBRO_NELEM(rejects); i++) {
        libro_buf_clear(&out);
        must(libro_buf_append_str(&out, "kept", &err), &err, "prefix");
        LIBRO_ASSERT_CODE(libro_b64std_decode(&out, rejects[i].text, strlen(rejects[i].text), &err),
                          LIBRO_ERR_ENCODING, &err, rejects[i].msg);
        ck_assert_uint_eq(out.len, 4);
    }
    /* Every byte value, every length mod 3, and '+' and '/' in the text. */
    for (i = 0; i < sizeof all; i++) {
        all[i] = (unsigned char) (255 - i);
    }
    for (i = 0; i <= sizeof all; i++) {
        libro_buf text = LIBRO_BUF_INIT;

        libro_buf_clear(&out);
        must(libro_b64std_encode(&text, all, i, &err), &err, "encode");
        must(libro_b64std_decode(&out, (const char *) text.data, text.len, &err), &err, "decode");
        ck_assert_uint_eq(out.len, i);
        ck_assert(i == 0 || memcmp(out.data, all, i) == 0);
        libro_buf_free(&text);
    }
    LIBRO_ASSERT_CODE(libro_b64std_encode(NULL, "a", 1, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_b64std_encode(&out, NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_b64std_decode(&out, NULL, 4, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    libro_buf_free(&out);
}
END_TEST

/* ---- out of memory --------------------------------------------------------------------- */

static libro_code
sign_and_open(const libro_key *k, const libro_merkle_hash *root, libro_error *err)
{
    char origin[] = LOG;
    libro_checkpoint cp = {origin, 7, *root};
    libro_checkpoint got;
    libro_buf note = LIBRO_BUF_INIT;
    libro_code rc;

    memset(&got, 0, sizeof got);
    rc = libro_checkpoint_sign(&note, &cp, LOG, k, err);
    if (rc == LIBRO_OK) {
        rc = open_note(&got, &note, LOG, LOG, k, err);
    }
    if (rc == LIBRO_OK) {
        ck_assert_str_eq((const char *) note.data, INTEROP_NOTE);
        ck_assert_str_eq(got.origin, LOG);
    }
    libro_checkpoint_clear(&got);
    libro_buf_free(&note);
    return rc;
}

START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = rfc_key();
    libro_merkle_hash root;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    root7(&root);
    for (n = 1; n < 1000 && rc != LIBRO_OK; n++) {
        libro__alloc_fail_after(n);
        rc = sign_and_open(k, &root, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 5);
    libro_key_free(k);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *notes = tcase_create("notes");
    TCase *limits = tcase_create("limits");
    TCase *encoding = tcase_create("encoding");
    TCase *oom = tcase_create("oom");

    tcase_add_test(notes, test_interop_vector);
    tcase_add_loop_test(notes, test_round_trip, 0, (int) LIBRO_NELEM(trips));
    tcase_add_test(notes, test_open_extensions_and_utf8);
    tcase_add_loop_test(notes, test_tampered, 0, (int) LIBRO_NELEM(tampers));
    tcase_add_test(notes, test_keys_and_names);
    tcase_add_test(notes, test_foreign_lines);
    tcase_add_test(limits, test_byte_cap);
    tcase_add_test(limits, test_signature_cap);
    tcase_add_loop_test(limits, test_parse_rejects, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(limits, test_nul_byte);
    tcase_add_test(limits, test_sign_rejects);
    tcase_add_test(encoding, test_b64std);
    tcase_add_test(oom, test_oom);
    suite_add_tcase(s, notes);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, encoding);
    suite_add_tcase(s, oom);
    return s;
}
