/* Suite for the text encodings (core/src/codec_sodium.c, base45.c, base58.c): published
 * vectors, one table of rejected inputs per decoder with the exact code and message,
 * round trips over random lengths, and an OOM loop for every encoder and decoder. */
#include <stdlib.h>
#include <string.h>

#include "libro/encoding.h"
#include "libro/limits.h"
#include "libro/util.h"
#include "test_util.h"

typedef libro_code (*encode_fn)(libro_buf *, const void *, size_t, libro_error *);
typedef libro_code (*decode_fn)(libro_buf *, const char *, size_t, libro_error *);

enum { B64URL, BASE45, BASE58, MULTIBASE, HEX, NCODECS };

static const struct {
    const char *name;
    encode_fn encode;
    decode_fn decode;
    size_t max_text; /* the decoder's cap on text, 0 = none */
} codecs[NCODECS] = {
    [B64URL] = {"base64url", libro_b64url_encode, libro_b64url_decode, 0},
    [BASE45] = {"base45", libro_base45_encode, libro_base45_decode, 0},
    [BASE58] = {"base58btc", libro_base58btc_encode, libro_base58btc_decode, LIBRO_MAX_DID_BYTES},
    [MULTIBASE] = {"multibase", libro_multibase_encode, libro_multibase_decode,
                   LIBRO_MAX_DID_BYTES + 1},
    [HEX] = {"hex", libro_hex_encode, libro_hex_decode, 0},
};

/* raw has an explicit length so that vectors may hold NUL bytes. */
#define VEC(codec, raw, text)                                                                      \
    {                                                                                              \
        codec, raw, sizeof(raw) - 1, text, false                                                   \
    }
#define VEC_DECODE_ONLY(codec, raw, text)                                                          \
    {                                                                                              \
        codec, raw, sizeof(raw) - 1, text, true                                                    \
    }

static const struct {
    int codec;
    const char *raw;
    size_t raw_len;
    const char *text;
    bool decode_only; /* text is accepted but is not what the encoder writes */
} vectors[] = {
    /* RFC 4648 §10, base64url without the '=' padding (RFC 7515 §2). */
    VEC(B64URL, "", ""),
    VEC(B64URL, "f", "Zg"),
    VEC(B64URL, "fo", "Zm8"),
    VEC(B64URL, "foo", "Zm9v"),
    VEC(B64URL, "foob", "Zm9vYg"),
    VEC(B64URL, "fooba", "Zm9vYmE"),
    VEC(B64URL, "foobar", "Zm9vYmFy"),
    /* The two characters that differ from base64 (RFC 4648 §5). */
    VEC(B64URL, "\xfb\xef\xbe", "----"),
    VEC(B64URL, "\xff\xff\xff", "____"),
    VEC(B64URL, "\xfb\xff", "-_8"),
    VEC(B64URL, "\x00", "AA"),
    VEC(B64URL, "\x00\x00\x00\x00", "AAAAAA"),
    /* RFC 7515 §A.1.1's protected header. */
    VEC(B64URL, "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}",
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"),
    /* RFC 9285 §4.3, plus the largest triple and pair. */
    VEC(BASE45, "", ""),
    VEC(BASE45, "AB", "BB8"),
    VEC(BASE45, "Hello!!", "%69 VD92EX0"),
    VEC(BASE45, "base-45", "UJCLQE7W581"),
    VEC(BASE45, "ietf!", "QED8WEX0"),
    VEC(BASE45, "\xff\xff", "FGW"),
    VEC(BASE45, "\xff", "U5"),
    VEC(BASE45, "\x00", "00"),
    VEC(BASE45, "\x00\x00", "000"),
    /* draft-msporny-base58 §5 and the leading-zero rule. */
    VEC(BASE58, "", ""),
    VEC(BASE58, "Hello World!", "2NEpo7TZRRrLZSi2U"),
    VEC(BASE58, "The quick brown fox jumps over the lazy dog.",
        "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"),
    VEC(BASE58, "\x00\x00\x28\x7f\xb4\xcd", "11233QC4"),
    VEC(BASE58, "\x00", "1"),
    VEC(BASE58, "\x00\x00", "11"),
    VEC(BASE58, "\x00\x01", "12"),
    VEC(BASE58, "a", "2g"),
    VEC(BASE58, "\xff\xff\xff\xff", "7YXq9G"),
    VEC(MULTIBASE, "", "z"),
    VEC(MULTIBASE, "Hello World!", "z2NEpo7TZRRrLZSi2U"),
    VEC(MULTIBASE, "\x00\x00\x28\x7f\xb4\xcd", "z11233QC4"),
    /* RFC 4648 §10 base16, lowercase as we write it. */
    VEC(HEX, "", ""),
    VEC(HEX, "f", "66"),
    VEC(HEX, "foobar", "666f6f626172"),
    VEC(HEX, "\x00\xff\x10", "00ff10"),
    VEC_DECODE_ONLY(HEX, "\xde\xad\xbe\xef", "DEADbeef"),
};

static void
check_bytes(const libro_buf *b, const void *want, size_t want_len, const char *what)
{
    ck_assert_msg(b->len == want_len, "%s: length %zu, want %zu", what, b->len, want_len);
    ck_assert_msg(want_len == 0 || memcmp(b->data, want, want_len) == 0, "%s: bytes differ", what);
    ck_assert_msg(b->data != NULL && b->data[b->len] == '\0', "%s: not NUL-terminated", what);
}

START_TEST(test_vectors)
{
    int c = vectors[_i].codec;
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    if (!vectors[_i].decode_only) {
        rc = codecs[c].encode(&b, vectors[_i].raw, vectors[_i].raw_len, &err);
        LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
        check_bytes(&b, vectors[_i].text, strlen(vectors[_i].text), vectors[_i].text);
        libro_buf_free(&b);
    }
    rc = codecs[c].decode(&b, vectors[_i].text, strlen(vectors[_i].text), &err);
    LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
    check_bytes(&b, vectors[_i].raw, vectors[_i].raw_len, vectors[_i].text);
    libro_buf_free(&b);
}
END_TEST

#define BAD(codec, name, text, code, msg)                                                          \
    {                                                                                              \
        codec, name, text, 0, code, msg                                                            \
    }
#define BAD_LEN(codec, name, text, len, code, msg)                                                 \
    {                                                                                              \
        codec, name, text, len, code, msg                                                          \
    }

static const char rocket_text[] = "\xf0\x9f\x9a\x80"
                                  "abc";

static const struct {
    int codec;
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
    libro_code want;
    const char *msg;
} bad[] = {
    BAD(B64URL, "padding", "Zg==", LIBRO_ERR_ENCODING, "base64url: padding not allowed (offset 2)"),
    BAD(B64URL, "single pad", "Zm8=", LIBRO_ERR_ENCODING, "padding not allowed (offset 3)"),
    BAD(B64URL, "newline", "Zm9v\nYg", LIBRO_ERR_ENCODING,
        "base64url: invalid character at offset 4"),
    BAD(B64URL, "space", " Zm9v", LIBRO_ERR_ENCODING, "invalid character at offset 0"),
    BAD(B64URL, "base64 plus", "Zm+v", LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD(B64URL, "base64 slash", "Zm/v", LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD_LEN(B64URL, "NUL byte", "Zm\0v", 4, LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD(B64URL, "non-ASCII", "Zm9v\xc3\xa9", LIBRO_ERR_ENCODING, "invalid character at offset 4"),
    BAD(B64URL, "one char", "Z", LIBRO_ERR_ENCODING, "base64url: impossible length 1"),
    BAD(B64URL, "five chars", "Zm9vY", LIBRO_ERR_ENCODING, "impossible length 5"),
    BAD(B64URL, "trailing bits of one byte", "Zh", LIBRO_ERR_ENCODING,
        "base64url: non-canonical trailing bits at offset 1"),
    BAD(B64URL, "trailing bits of two bytes", "Zm9", LIBRO_ERR_ENCODING,
        "non-canonical trailing bits at offset 2"),
    BAD(B64URL, "trailing bits after a group", "Zm9vZm-", LIBRO_ERR_ENCODING,
        "non-canonical trailing bits at offset 6"),

    BAD(BASE45, "RFC 9285 GGW", "GGW", LIBRO_ERR_ENCODING,
        "base45: triple at offset 0 exceeds 65535"),
    BAD(BASE45, "largest triple", ":::", LIBRO_ERR_ENCODING, "triple at offset 0 exceeds 65535"),
    BAD(BASE45, "second triple", "BB8GGW", LIBRO_ERR_ENCODING, "triple at offset 3 exceeds"),
    BAD(BASE45, "pair 256", "V5", LIBRO_ERR_ENCODING, "base45: pair at offset 0 exceeds 255"),
    BAD(BASE45, "pair after triple", "BB8::", LIBRO_ERR_ENCODING, "pair at offset 3 exceeds 255"),
    BAD(BASE45, "one char", "A", LIBRO_ERR_ENCODING, "base45: impossible length 1"),
    BAD(BASE45, "four chars", "BB8A", LIBRO_ERR_ENCODING, "impossible length 4"),
    BAD(BASE45, "lowercase", "bb8", LIBRO_ERR_ENCODING, "base45: invalid character at offset 0"),
    BAD(BASE45, "equals", "BB8=", LIBRO_ERR_ENCODING, "invalid character at offset 3"),
    BAD(BASE45, "newline", "BB8\n", LIBRO_ERR_ENCODING, "invalid character at offset 3"),
    BAD_LEN(BASE45, "NUL byte",
            "B\0"
            "8",
            3, LIBRO_ERR_ENCODING, "invalid character at offset 1"),

    BAD(BASE58, "zero", "0", LIBRO_ERR_ENCODING, "base58btc: invalid character at offset 0"),
    BAD(BASE58, "capital O", "2NO", LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD(BASE58, "capital I", "I", LIBRO_ERR_ENCODING, "invalid character at offset 0"),
    BAD(BASE58, "small l", "12l", LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD(BASE58, "trailing bang", "2NEpo7TZRRrLZSi2U!", LIBRO_ERR_ENCODING,
        "invalid character at offset 17"),
    BAD(BASE58, "space", " 2N", LIBRO_ERR_ENCODING, "invalid character at offset 0"),
    BAD_LEN(BASE58, "NUL byte", "2\0N", 3, LIBRO_ERR_ENCODING, "invalid character at offset 1"),

    BAD(MULTIBASE, "empty", "", LIBRO_ERR_ENCODING, "multibase: empty string"),
    BAD(MULTIBASE, "base64", "mSGVsbG8", LIBRO_ERR_UNSUPPORTED,
        "multibase: base64 not supported, only base58btc ('z')"),
    BAD(MULTIBASE, "base64url", "uSGVsbG8", LIBRO_ERR_UNSUPPORTED, "base64url not supported"),
    BAD(MULTIBASE, "base16", "f00", LIBRO_ERR_UNSUPPORTED, "base16 not supported"),
    BAD(MULTIBASE, "base32", "bafy", LIBRO_ERR_UNSUPPORTED, "base32 not supported"),
    BAD(MULTIBASE, "base58flickr", "Z2N", LIBRO_ERR_UNSUPPORTED, "base58flickr not supported"),
    BAD(MULTIBASE, "base45", "RBB8", LIBRO_ERR_UNSUPPORTED, "base45 not supported"),
    BAD_LEN(MULTIBASE, "identity", "\0abc", 4, LIBRO_ERR_UNSUPPORTED, "identity not supported"),
    BAD(MULTIBASE, "base256emoji", rocket_text, LIBRO_ERR_UNSUPPORTED,
        "base256emoji not supported"),
    BAD(MULTIBASE, "CIDv0 reserved", "Qm2N", LIBRO_ERR_ENCODING,
        "multibase: unknown prefix byte 0x51"),
    BAD(MULTIBASE, "bare base58", "2NEpo7TZRRrLZSi2U", LIBRO_ERR_ENCODING,
        "unknown prefix byte 0x32"),
    BAD(MULTIBASE, "high byte", "\xff", LIBRO_ERR_ENCODING, "unknown prefix byte 0xff"),
    BAD(MULTIBASE, "bad base58", "z2N0", LIBRO_ERR_ENCODING,
        "multibase: base58btc: invalid character at offset 2"),

    BAD(HEX, "odd", "abc", LIBRO_ERR_ENCODING, "hex: odd length 3"),
    BAD(HEX, "one digit", "0", LIBRO_ERR_ENCODING, "hex: odd length 1"),
    BAD(HEX, "g", "0g", LIBRO_ERR_ENCODING, "hex: invalid character at offset 1"),
    BAD(HEX, "0x prefix", "0x00", LIBRO_ERR_ENCODING, "invalid character at offset 1"),
    BAD(HEX, "space", "00 11", LIBRO_ERR_ENCODING, "invalid character at offset 2"),
    BAD(HEX, "minus", "-1", LIBRO_ERR_ENCODING, "invalid character at offset 0"),
};

START_TEST(test_decode_rejects)
{
    int c = bad[_i].codec;
    size_t len = bad[_i].len != 0 ? bad[_i].len : strlen(bad[_i].text);
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    /* A failed decode leaves what the buffer held untouched. */
    ck_assert_int_eq(libro_buf_append_str(&b, "kept", &err), LIBRO_OK);
    rc = codecs[c].decode(&b, bad[_i].text, len, &err);
    ck_assert_msg(rc == bad[_i].want, "%s %s: got %s \"%s\"", codecs[c].name, bad[_i].name,
                  libro_code_name(rc), err.msg);
    LIBRO_ASSERT_CODE(rc, bad[_i].want, &err, bad[_i].msg);
    check_bytes(&b, "kept", 4, bad[_i].name);
    libro_buf_free(&b);
}
END_TEST

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static unsigned char
rng_byte(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned char) (rng_state >> 32);
}

static void
fill_random(unsigned char *p, size_t len)
{
    size_t i;
    size_t zeros = len % 7 == 0 ? len / 7 : 0; /* leading zeros matter to base58 */

    for (i = 0; i < len; i++) {
        p[i] = i < zeros ? 0 : rng_byte();
    }
}

START_TEST(test_round_trip)
{
    int c = _i;
    unsigned char raw[301];
    size_t len;

    for (len = 0; len < sizeof raw; len++) {
        libro_buf text = LIBRO_BUF_INIT;
        libro_buf back = LIBRO_BUF_INIT;
        libro_buf again = LIBRO_BUF_INIT;
        libro_error err = LIBRO_ERROR_INIT;
        libro_code rc;

        fill_random(raw, len);
        LIBRO_ASSERT_CODE(codecs[c].encode(&text, raw, len, &err), LIBRO_OK, &err, NULL);
        rc = codecs[c].decode(&back, (const char *) text.data, text.len, &err);
        if (codecs[c].max_text != 0 && text.len > codecs[c].max_text) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_LIMIT, &err, "text longer than 128 bytes");
        } else {
            ck_assert_msg(rc == LIBRO_OK, "%s: len %zu: %s", codecs[c].name, len, err.msg);
            check_bytes(&back, raw, len, codecs[c].name);
            /* Canonical: decoding then encoding gives the same text back. */
            LIBRO_ASSERT_CODE(codecs[c].encode(&again, back.data, back.len, &err), LIBRO_OK, &err,
                              NULL);
            check_bytes(&again, text.data, text.len, codecs[c].name);
        }
        libro_buf_free(&text);
        libro_buf_free(&back);
        libro_buf_free(&again);
    }
}
END_TEST

START_TEST(test_appends)
{
    int c = _i;
    libro_buf b = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    size_t text_len;

    /* Encoders and decoders append, and leave what was there. */
    ck_assert_int_eq(libro_buf_append_str(&b, "head:", &err), LIBRO_OK);
    ck_assert_int_eq(codecs[c].encode(&b, "\x00\x01\x02\x03\xfe", 5, &err), LIBRO_OK);
    ck_assert_mem_eq(b.data, "head:", 5);
    text_len = b.len - 5;
    ck_assert_int_eq(codecs[c].decode(&want, (const char *) b.data + 5, text_len, &err), LIBRO_OK);
    ck_assert_int_eq(codecs[c].decode(&want, (const char *) b.data + 5, text_len, &err), LIBRO_OK);
    check_bytes(&want, "\x00\x01\x02\x03\xfe\x00\x01\x02\x03\xfe", 10, codecs[c].name);
    libro_buf_free(&b);
    libro_buf_free(&want);
}
END_TEST

START_TEST(test_null_arguments)
{
    int c = _i;
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(codecs[c].encode(NULL, "a", 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    LIBRO_ASSERT_CODE(codecs[c].encode(&b, NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    LIBRO_ASSERT_CODE(codecs[c].decode(NULL, "a", 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    LIBRO_ASSERT_CODE(codecs[c].decode(&b, NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "NULL argument");
    /* NULL with length 0 is the empty input; err may be NULL. */
    ck_assert_int_eq(codecs[c].encode(&b, NULL, 0, NULL), LIBRO_OK);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_uint_eq(b.len, c == MULTIBASE ? 1 : 0);
    libro_buf_free(&b);
    if (c != MULTIBASE) {
        ck_assert_int_eq(codecs[c].decode(&b, NULL, 0, NULL), LIBRO_OK);
        ck_assert_uint_eq(b.len, 0);
    }
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_encode_size_overflow)
{
    /* The output size is checked before the input is read, so a lying length is safe. */
    static const unsigned char one = 1;
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    static const char *const msgs[NCODECS] = {
        [B64URL] = "base64url: input too large", [BASE45] = "base45: input too large",
        [BASE58] = "base58btc: input too large", [MULTIBASE] = "base58btc: input too large",
        [HEX] = "hex: input too large",
    };

    LIBRO_ASSERT_CODE(codecs[_i].encode(&b, &one, SIZE_MAX, &err), LIBRO_ERR_LIMIT, &err, msgs[_i]);
    ck_assert_uint_eq(b.len, 0);
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_base58_cap)
{
    char text[LIBRO_MAX_DID_BYTES + 2];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    /* At the cap: 128 '1's are 128 zero bytes. One more is refused before any work. */
    memset(text, '1', sizeof text);
    LIBRO_ASSERT_CODE(libro_base58btc_decode(&b, text, LIBRO_MAX_DID_BYTES, &err), LIBRO_OK, &err,
                      NULL);
    ck_assert_uint_eq(b.len, LIBRO_MAX_DID_BYTES);
    libro_buf_free(&b);
    /* The largest number at the cap still fits the scratch space. */
    memset(text, 'z', sizeof text);
    LIBRO_ASSERT_CODE(libro_base58btc_decode(&b, text, LIBRO_MAX_DID_BYTES, &err), LIBRO_OK, &err,
                      NULL);
    ck_assert_uint_eq(b.len, 94);
    ck_assert_uint_eq(b.data[0], 0x38); /* 58^128 - 1 = 0x38... */
    libro_buf_free(&b);
    LIBRO_ASSERT_CODE(libro_base58btc_decode(&b, text, LIBRO_MAX_DID_BYTES + 1, &err),
                      LIBRO_ERR_LIMIT, &err, "base58btc: text longer than 128 bytes");
    ck_assert_ptr_null(b.data);
    /* Multibase: the cap applies to the text after 'z'. */
    text[0] = 'z';
    LIBRO_ASSERT_CODE(libro_multibase_decode(&b, text, LIBRO_MAX_DID_BYTES + 1, &err), LIBRO_OK,
                      &err, NULL);
    libro_buf_free(&b);
    LIBRO_ASSERT_CODE(libro_multibase_decode(&b, text, LIBRO_MAX_DID_BYTES + 2, &err),
                      LIBRO_ERR_LIMIT, &err, "multibase: base58btc: text longer than 128 bytes");
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_did_key)
{
    /* did:key §3.1.4 example: multicodec ed25519-pub (0xed 0x01) + 32-byte key. */
    static const char did[] = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
    libro_buf key = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_multibase_decode(&key, did, strlen(did), &err), LIBRO_OK, &err, NULL);
    libro_test_hex(&want, "ed012e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6");
    check_bytes(&key, want.data, want.len, "did:key");
    LIBRO_ASSERT_CODE(libro_multibase_encode(&text, key.data, key.len, &err), LIBRO_OK, &err, NULL);
    check_bytes(&text, did, strlen(did), "did:key text");
    libro_buf_free(&key);
    libro_buf_free(&text);
    libro_buf_free(&want);
}
END_TEST

START_TEST(test_alphabets)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    libro_buf b = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;

    /* Every base64url character, in order, is 64 values 0..63 packed into 48 bytes. */
    LIBRO_ASSERT_CODE(libro_b64url_decode(&b, b64, 64, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 48);
    ck_assert_uint_eq(b.data[0], 0x00);
    ck_assert_uint_eq(b.data[1], 0x10);
    ck_assert_uint_eq(b.data[47], 0xbf); /* "89-_" = f3 df bf */
    LIBRO_ASSERT_CODE(libro_b64url_encode(&again, b.data, b.len, &err), LIBRO_OK, &err, NULL);
    check_bytes(&again, b64, 64, "base64url alphabet");
    libro_buf_free(&b);
    libro_buf_free(&again);
    /* Each base45 character is its table value (RFC 9285 §4.2) as the low digit of a pair. */
    for (i = 0; i < 45; i++) {
        char pair[2] = {b45[i], '0'};

        LIBRO_ASSERT_CODE(libro_base45_decode(&b, pair, 2, &err), LIBRO_OK, &err, NULL);
        ck_assert_uint_eq(b.len, 1);
        ck_assert_uint_eq(b.data[0], i);
        libro_buf_free(&b);
    }
    /* ... and every other byte value is refused. */
    for (i = 0; i < 256; i++) {
        char pair[2] = {(char) i, '0'};

        if (memchr(b45, (int) i, 45) != NULL) {
            continue;
        }
        LIBRO_ASSERT_CODE(libro_base45_decode(&b, pair, 2, &err), LIBRO_ERR_ENCODING, &err,
                          "base45: invalid character at offset 0");
        ck_assert_uint_eq(b.len, 0);
    }
    /* Each base58 character after a leading '2' is its digit value. */
    for (i = 0; i < 58; i++) {
        char two[2] = {'2', b58[i]};

        LIBRO_ASSERT_CODE(libro_base58btc_decode(&b, two, 2, &err), LIBRO_OK, &err, NULL);
        ck_assert_uint_eq(b.len, 1);
        ck_assert_uint_eq(b.data[0], 58 + i);
        libro_buf_free(&b);
    }
}
END_TEST

/* Fail the 1st, 2nd, ... allocation until the call succeeds; each failure must be
 * LIBRO_ERR_NOMEM with the buffer as it was. LeakSanitizer sees any leak. */
START_TEST(test_oom)
{
    int c = _i / 2;
    bool decode = _i % 2 == 1;
    unsigned char raw[90];
    libro_buf text = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    fill_random(raw, sizeof raw);
    ck_assert_int_eq(codecs[c].encode(&text, raw, sizeof raw, &err), LIBRO_OK);
    for (n = 1; n < 100; n++) {
        libro_buf b = LIBRO_BUF_INIT;

        libro__alloc_fail_after(n);
        if (decode) {
            rc = codecs[c].decode(&b, (const char *) text.data, text.len, &err);
        } else {
            rc = codecs[c].encode(&b, raw, sizeof raw, &err);
        }
        libro__alloc_fail_after(0);
        if (rc == LIBRO_OK) {
            libro_buf_free(&b);
            break;
        }
        LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
        ck_assert_uint_eq(b.len, 0);
        libro_buf_free(&b);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_msg(n > 1, "%s: no allocation was failed", codecs[c].name);
    libro_buf_free(&text);
}
END_TEST

/* Every byte from 0x80 up is outside each alphabet, wherever it stands (libsodium 1.0.18,
 * behind base64url, base64 and hex, would read one as a base64 character). */
START_TEST(test_high_bytes)
{
    static const struct {
        const char *name;
        libro_code (*decode)(libro_buf *, const char *, size_t, libro_error *);
        const char *text; /* '!' is replaced by the byte */
        const char *msg;
    } cases[] = {
        {"base64url", libro_b64url_decode, "AAA!", "base64url: invalid character at offset 3"},
        {"base64url", libro_b64url_decode, "!AAA", "base64url: invalid character at offset 0"},
        {"base64url", libro_b64url_decode, "AAAAAA!A", "invalid character at offset 6"},
        {"base64", libro_b64std_decode, "AAA!", "base64: invalid character at offset 3"},
        {"base64", libro_b64std_decode, "AA!=", "base64: invalid character at offset 2"},
        {"hex", libro_hex_decode, "0!", "hex: invalid character at offset 1"},
        {"hex", libro_hex_decode, "!0", "hex: invalid character at offset 0"},
    };
    unsigned byte;
    size_t i;

    for (byte = 0x80; byte <= 0xff; byte++) {
        for (i = 0; i < LIBRO_NELEM(cases); i++) {
            char text[16];
            char *bang;
            libro_buf b = LIBRO_BUF_INIT;
            libro_error err = LIBRO_ERROR_INIT;
            libro_code rc;

            ck_assert_uint_lt(strlen(cases[i].text), sizeof text);
            memcpy(text, cases[i].text, strlen(cases[i].text) + 1);
            bang = strchr(text, '!');
            *bang = (char) byte;
            rc = cases[i].decode(&b, text, strlen(cases[i].text), &err);
            ck_assert_msg(rc == LIBRO_ERR_ENCODING, "%s %s, byte 0x%02x: got %s", cases[i].name,
                          cases[i].text, byte, libro_code_name(rc));
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_ENCODING, &err, cases[i].msg);
            libro_buf_free(&b);
        }
    }
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("encoding");
    TCase *tc = tcase_create("vectors");

    tcase_add_loop_test(tc, test_vectors, 0, (int) LIBRO_NELEM(vectors));
    tcase_add_test(tc, test_did_key);
    tcase_add_test(tc, test_alphabets);
    tcase_add_loop_test(tc, test_appends, 0, NCODECS);
    suite_add_tcase(s, tc);

    tc = tcase_create("reject");
    tcase_add_loop_test(tc, test_decode_rejects, 0, (int) LIBRO_NELEM(bad));
    tcase_add_loop_test(tc, test_null_arguments, 0, NCODECS);
    tcase_add_test(tc, test_high_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_loop_test(tc, test_encode_size_overflow, 0, NCODECS);
    tcase_add_test(tc, test_base58_cap);
    suite_add_tcase(s, tc);

    tc = tcase_create("round_trip");
    tcase_add_loop_test(tc, test_round_trip, 0, NCODECS);
    suite_add_tcase(s, tc);

    tc = tcase_create("oom");
    tcase_add_loop_test(tc, test_oom, 0, 2 * NCODECS);
    suite_add_tcase(s, tc);
    return s;
}
