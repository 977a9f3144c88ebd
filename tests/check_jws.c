/* JWS (RFC 7515), compact and JSON General Serialization: the RFC 8037 A.4 and RFC 7515 A.3
 * examples, round trips for both algorithms, every refusal of the header policy with its exact
 * code and message, the caps at max and max+1, and an OOM loop. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/src/jws_int.h"
#include "libro/encoding.h"
#include "libro/jws.h"
#include "libro/util.h"
#include "test_util.h"

/* RFC 8037 Appendix A.1: the Ed25519 public key x (the private seed is in
 * tests/vectors/rfc8037_ed25519.pem, built from the A.1 "d"). */
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_PAYLOAD "Example of Ed25519 signing"
/* RFC 8037 Appendix A.4, as published (and as OpenSSL computes it from the A.1 key). */
#define RFC8037_TOKEN                                                                              \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-"        \
    "09PGcvMg3A"                                                                                   \
    "IbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

/* RFC 7515 Appendix A.3: ES256 over the A.1 claims, with the A.3 public key. */
#define RFC7515_A3_JWK                                                                             \
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","     \
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define RFC7515_A3_TOKEN                                                                           \
    "eyJhbGciOiJFUzI1NiJ9."                                                                        \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"                     \
    "bS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-"                                      \
    "F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfK"                                                      \
    "TUJqPP3-Kg6NU1Q"
#define RFC7515_A3_PAYLOAD                                                                         \
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"

/* Keys shared by the tests (set up per test by the checked fixture). */
static libro_key *ed_rfc;     /* RFC 8037 private key */
static libro_key *ed_rfc_pub; /* RFC 8037 public key from "x" */
static libro_key *es_rfc_pub; /* RFC 7515 A.3 public key */
static libro_key *ed;         /* fresh Ed25519 */
static libro_key *ed_pub;
static libro_key *ed2; /* another fresh Ed25519 */
static libro_key *ed2_pub;
static libro_key *es; /* fresh P-256 */
static libro_key *es_pub;

static void
keys_setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;

    libro_test_read(&pem, libro_test_data_dir(), "rfc8037_ed25519.pem");
    must(libro_key_from_pem(&ed_rfc, (const char *) pem.data, pem.len, NULL, 0, &err), &err,
         "rfc 8037 pem");
    must(libro_b64url_decode(&raw, RFC8037_X, strlen(RFC8037_X), &err), &err, "x");
    must(libro_key_from_raw_public(&ed_rfc_pub, LIBRO_ALG_ED25519, raw.data, raw.len, &err), &err,
         "rfc 8037 x");
    must(libro_key_from_jwk(&es_rfc_pub, RFC7515_A3_JWK, strlen(RFC7515_A3_JWK), &err), &err,
         "rfc 7515 jwk");
    must(libro_key_generate(&ed, LIBRO_ALG_ED25519, &err), &err, "ed");
    must(libro_key_public(&ed_pub, ed, &err), &err, "ed pub");
    must(libro_key_generate(&ed2, LIBRO_ALG_ED25519, &err), &err, "ed2");
    must(libro_key_public(&ed2_pub, ed2, &err), &err, "ed2 pub");
    must(libro_key_generate(&es, LIBRO_ALG_ES256, &err), &err, "es");
    must(libro_key_public(&es_pub, es, &err), &err, "es pub");
    libro_buf_free(&pem);
    libro_buf_free(&raw);
}

static void
keys_teardown(void)
{
    libro_key **all[] = {&ed_rfc, &ed_rfc_pub, &es_rfc_pub, &ed,    &ed_pub,
                         &ed2,    &ed2_pub,    &es,         &es_pub};
    size_t i;

    for (i = 0; i < LIBRO_NELEM(all); i++) {
        libro_key_free(*all[i]);
        *all[i] = NULL;
    }
}

static void
b64(libro_buf *out, const void *p, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_b64url_encode(out, p, len, &err), &err, "b64url encode");
}

/* A token from a header given as JSON text, a payload, and a signature made with `k` (NULL:
 * 64 zero bytes). Lets the tests craft headers the signer would never write. */
static void
craft(libro_buf *tok, const char *header, const void *payload, size_t len, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    static const unsigned char zero[64];

    b64(tok, header, strlen(header));
    must(libro_buf_append(tok, ".", 1, &err), &err, "dot");
    b64(tok, payload, len);
    if (k != NULL) {
        must(libro_key_sign(&sig, k, tok->data, tok->len, &err), &err, "sign");
    } else {
        must(libro_buf_append(&sig, zero, sizeof zero, &err), &err, "zero sig");
    }
    must(libro_buf_append(tok, ".", 1, &err), &err, "dot");
    b64(tok, sig.data, sig.len);
    libro_buf_free(&sig);
}

/* A header {"alg":"EdDSA","pad":"xxx..."} of exactly `len` bytes. */
static void
padded_header(libro_buf *out, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;
    static const char pre[] = "{\"alg\":\"EdDSA\",\"pad\":\"";
    size_t fixed = sizeof pre - 1 + 2;
    size_t i;

    ck_assert(len >= fixed);
    must(libro_buf_append_str(out, pre, &err), &err, "pad");
    for (i = 0; i < len - fixed; i++) {
        must(libro_buf_append(out, "x", 1, &err), &err, "pad");
    }
    must(libro_buf_append_str(out, "\"}", &err), &err, "pad");
    ck_assert_uint_eq(out->len, len);
}

/* ---- the RFC examples --------------------------------------------------------------------- */

START_TEST(test_rfc8037_a4_sign)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;

    /* Ed25519 is deterministic (RFC 8032 §5.1.6), so the exact token must come out. */
    must(libro_jws_sign_compact(&tok, ed_rfc, NULL, NULL, RFC8037_PAYLOAD, strlen(RFC8037_PAYLOAD),
                                &err),
         &err, "sign");
    ck_assert_str_eq((const char *) tok.data, RFC8037_TOKEN);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_rfc8037_a4_verify)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    const unsigned char *p;
    size_t len;

    must(libro_jws_parse(&jws, RFC8037_TOKEN, strlen(RFC8037_TOKEN), &err), &err, "parse");
    ck_assert_str_eq(libro_jws_alg(jws), "EdDSA");
    ck_assert_ptr_null(libro_jws_kid(jws));
    ck_assert_ptr_null(libro_jws_typ(jws));
    must(libro_jws_verify(jws, ed_rfc_pub, &err), &err, "verify");
    p = libro_jws_payload(jws, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(len, strlen(RFC8037_PAYLOAD));
    ck_assert(memcmp(p, RFC8037_PAYLOAD, len) == 0);
    /* The private key verifies too (it holds the public half). */
    must(libro_jws_verify(jws, ed_rfc, &err), &err, "verify with private");
    libro_jws_free(jws);
}
END_TEST

/* The A.4 token with the last 22 signature characters altered (R intact, S wrong). */
START_TEST(test_rfc8037_altered_s)
{
    static const char bad[] =
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGc"
        "vMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPl9g7_ePd1ZdSY5Y9Ag";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&payload, bad, strlen(bad), ed_rfc_pub, NULL, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "jws: signature does not verify");
    ck_assert_uint_eq(payload.len, 0);
}
END_TEST

/* RFC 9864 §2.2: "Ed25519" is the fully specified name for the same algorithm. */
START_TEST(test_alg_ed25519_name)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    craft(&tok, "{\"alg\":\"Ed25519\"}", "hi", 2, ed_rfc);
    must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_rfc_pub, NULL,
                                  &err),
         &err, "verify");
    ck_assert_uint_eq(payload.len, 2);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

START_TEST(test_rfc7515_a3_verify)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    const unsigned char *p;
    size_t len;

    must(libro_jws_parse(&jws, RFC7515_A3_TOKEN, strlen(RFC7515_A3_TOKEN), &err), &err, "parse");
    ck_assert_str_eq(libro_jws_alg(jws), "ES256");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    must(libro_jws_verify(jws, es_rfc_pub, &err), &err, "verify");
    p = libro_jws_payload(jws, &len);
    ck_assert_uint_eq(len, strlen(RFC7515_A3_PAYLOAD));
    ck_assert(memcmp(p, RFC7515_A3_PAYLOAD, len) == 0);
    /* The same token under a different P-256 key, and under an Ed25519 key. */
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, es_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "jws: signature does not verify (ES256)");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, ed_pub, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "jws: header alg ES256 does not match the key (ed25519)");
    libro_jws_free(jws);
}
END_TEST

/* ---- round trips -------------------------------------------------------------------------- */

static void
check_header_segment(const libro_buf *tok, const char *want)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf hdr = LIBRO_BUF_INIT;
    const char *dot = memchr(tok->data, '.', tok->len);

    ck_assert_ptr_nonnull(dot);
    must(libro_b64url_decode(&hdr, (const char *) tok->data,
                             (size_t) (dot - (const char *) tok->data), &err),
         &err, "header");
    ck_assert_str_eq((const char *) hdr.data, want);
    libro_buf_free(&hdr);
}

static const struct {
    const char *name;
    const char *kid;
    const char *typ;
    const char *rest; /* the header after {"alg":"..." */
} round_trips[] = {
    {"kid and typ", "did:example:town#abc", "vc+jwt",
     ",\"kid\":\"did:example:town#abc\",\"typ\":\"vc+jwt\"}"},
    {"kid only", "k1", NULL, ",\"kid\":\"k1\"}"},
    {"typ only", NULL, "JWT", ",\"typ\":\"JWT\"}"},
    {"neither", NULL, NULL, "}"},
    {"escaped", "a\"b\\c/\xc3\xa9\x01", NULL, ",\"kid\":\"a\\\"b\\\\c/\xc3\xa9\\u0001\"}"},
};

static void
round_trip(const libro_key *priv, const libro_key *pub, const char *jose, int i)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    libro_buf want = LIBRO_BUF_INIT;
    static const char claims[] = "{\"iss\":\"did:example:town\",\"exp\":1}";

    must(libro_jws_sign_compact(&tok, priv, round_trips[i].kid, round_trips[i].typ, claims,
                                strlen(claims), &err),
         &err, round_trips[i].name);
    must(libro_buf_printf(&want, &err, "{\"alg\":\"%s\"%s", jose, round_trips[i].rest), &err,
         "want");
    check_header_segment(&tok, (const char *) want.data);
    must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
    ck_assert_str_eq(libro_jws_alg(jws), jose);
    if (round_trips[i].kid != NULL) {
        ck_assert_str_eq(libro_jws_kid(jws), round_trips[i].kid);
    } else {
        ck_assert_ptr_null(libro_jws_kid(jws));
    }
    if (round_trips[i].typ != NULL) {
        ck_assert_str_eq(libro_jws_typ(jws), round_trips[i].typ);
    } else {
        ck_assert_ptr_null(libro_jws_typ(jws));
    }
    must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, pub,
                                  round_trips[i].typ, &err),
         &err, "verify");
    ck_assert_uint_eq(payload.len, strlen(claims));
    ck_assert(memcmp(payload.data, claims, payload.len) == 0);
    libro_jws_free(jws);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
    libro_buf_free(&want);
}

START_TEST(test_round_trip_ed25519)
{
    round_trip(ed, ed_pub, "EdDSA", _i);
}
END_TEST

START_TEST(test_round_trip_es256)
{
    round_trip(es, es_pub, "ES256", _i);
}
END_TEST

START_TEST(test_empty_payload)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = 99;

    must(libro_jws_sign_compact(&tok, ed, NULL, NULL, NULL, 0, &err), &err, "sign");
    must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    ck_assert_uint_eq(len, 0);
    must(libro_jws_verify(jws, ed_pub, &err), &err, "verify");
    ck_assert_ptr_nonnull(libro_jws_payload(jws, &len)); /* NULL means "not verified" only */
    ck_assert_uint_eq(len, 0);
    libro_jws_free(jws);
    libro_buf_free(&tok);
}
END_TEST

/* The segment `seg` as the payload of a token: libro_jws_parse decodes it exactly as
 * libro_b64url_decode does (jws.c decodes public segments with its own table lookup, falling
 * back to libsodium's strict decoder only to say why it refuses one): the same refusal with
 * the same message, or the same bytes, read back after the signature verified. */
static void
segment_agrees(const char *seg, size_t len)
{
    libro_error want = LIBRO_ERROR_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf ref = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    char msg[LIBRO_ERROR_MSG_MAX];
    const unsigned char *got;
    size_t got_len;
    libro_code rc = libro_b64url_decode(&ref, seg, len, &want);

    if (rc != LIBRO_OK) {
        must(libro_buf_append_str(&tok, "eyJhbGciOiJFZERTQSJ9.", &err), &err, "header");
        must(libro_buf_append(&tok, seg, len, &err), &err, "segment");
        must(libro_buf_append_str(&tok, ".AAAA", &err), &err, "signature");
        ck_assert_int_gt(snprintf(msg, sizeof msg, "jws: payload: %s", want.msg), 0);
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), rc, &err,
                          msg);
        ck_assert_str_eq(err.msg, msg);
    } else {
        /* Canonical: signing the decoded bytes writes `seg` again. */
        must(libro_jws_sign_compact(&tok, ed, NULL, NULL, ref.data, ref.len, &err), &err, "sign");
        must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
        must(libro_jws_verify(jws, ed_pub, &err), &err, "verify");
        got = libro_jws_payload(jws, &got_len);
        ck_assert_uint_eq(got_len, ref.len);
        ck_assert(got_len == 0 || memcmp(got, ref.data, got_len) == 0);
    }
    libro_jws_free(jws);
    libro_buf_free(&ref);
    libro_buf_free(&tok);
}

/* Every text of up to four characters over a mix of alphabet characters (values with low bits
 * set and clear, '-' and '_') and refused ones ('=', '+', '/', ' ', 0x80), then payloads of
 * every length modulo 4 and byte values. */
START_TEST(test_segment_decoding)
{
    static const char mix[] = "AQgw-_=+/ \x80";
    const size_t m = sizeof mix - 1;
    char seg[4];
    unsigned char bytes[48];
    libro_error err = LIBRO_ERROR_INIT;

    for (size_t len = 0; len <= sizeof seg; len++) {
        size_t total = 1;

        for (size_t i = 0; i < len; i++) {
            total *= m;
        }
        for (size_t k = 0; k < total; k++) {
            size_t x = k;

            for (size_t i = 0; i < len; i++) {
                seg[i] = mix[x % m];
                x /= m;
            }
            segment_agrees(seg, len);
        }
    }
    for (size_t n = 0; n < sizeof bytes; n++) {
        libro_buf text = LIBRO_BUF_INIT;

        for (size_t i = 0; i < n; i++) {
            bytes[i] = (unsigned char) (n * 53 + i * 197);
        }
        must(libro_b64url_encode(&text, bytes, n, &err), &err, "encode");
        segment_agrees((const char *) text.data, text.len);
        libro_buf_free(&text);
    }
}
END_TEST

/* Members we do not understand are ignored (RFC 7515 §4), including b64 true (RFC 7797). */
START_TEST(test_header_extra_members)
{
    static const char *const headers[] = {
        "{\"alg\":\"EdDSA\",\"b64\":true}",
        "{\"alg\":\"EdDSA\",\"cty\":\"json\",\"x-private\":{\"a\":[1,2,null]}}",
        "{ \"alg\" : \"EdDSA\" ,\n\t\"kid\":\"\"}",
    };
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    craft(&tok, headers[_i], "x", 1, ed);
    must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub, NULL, &err),
         &err, headers[_i]);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

/* ---- what parse refuses ------------------------------------------------------------------- */

/* Either a literal token, or a header to craft one with (payload "{}", zero signature). */
static const struct {
    const char *name;
    const char *token;
    const char *header;
    libro_code want;
    const char *msg;
} bad_parse[] = {
    {"empty", "", NULL, LIBRO_ERR_PARSE, "jws: expected 3 segments, found 1"},
    {"one segment", "eyJhbGciOiJFZERTQSJ9", NULL, LIBRO_ERR_PARSE,
     "jws: expected 3 segments, found 1"},
    {"two segments", "eyJhbGciOiJFZERTQSJ9.e30", NULL, LIBRO_ERR_PARSE,
     "jws: expected 3 segments, found 2"},
    {"four segments", "eyJhbGciOiJFZERTQSJ9.e30.AAAA.AAAA", NULL, LIBRO_ERR_PARSE,
     "jws: expected 3 segments, found 4"},
    {"jwe shape", "a.b.c.d.e", NULL, LIBRO_ERR_PARSE, "jws: expected 3 segments, found 5"},
    {"only dots", "..", NULL, LIBRO_ERR_PARSE, "jws: header: json:"},
    {"bad base64 header", "eyJhbGciOiJFZERTQSJ9*.e30.AAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: header: base64url: invalid character at offset 20"},
    {"bad base64 payload", "eyJhbGciOiJFZERTQSJ9.e3 0.AAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: payload: base64url: invalid character"},
    {"bad base64 signature", "eyJhbGciOiJFZERTQSJ9.e30.AA+A", NULL, LIBRO_ERR_ENCODING,
     "jws: signature: base64url: invalid character"},
    {"standard alphabet", "eyJhbGciOiJFZERTQSJ9.e30.AA/A", NULL, LIBRO_ERR_ENCODING,
     "jws: signature: base64url"},
    {"padding header", "eyJhbGciOiJFZERTQSJ9=.e30.AAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: header: base64url: padding not allowed"},
    {"padding payload", "eyJhbGciOiJFZERTQSJ9.e30=.AAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: payload: base64url: padding not allowed"},
    {"padding signature", "eyJhbGciOiJFZERTQSJ9.e30.AA==", NULL, LIBRO_ERR_ENCODING,
     "jws: signature: base64url: padding not allowed"},
    {"non-canonical bits", "eyJhbGciOiJFZERTQSJ9.e31.AAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: payload: base64url: non-canonical"},
    {"impossible length", "eyJhbGciOiJFZERTQSJ9.e30.AAAAA", NULL, LIBRO_ERR_ENCODING,
     "jws: signature: base64url: impossible length"},
    {"alg none", NULL, "{\"alg\":\"none\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"none\" not accepted"},
    {"alg NONE", NULL, "{\"alg\":\"NONE\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"NONE\" not accepted"},
    {"alg HS256", NULL, "{\"alg\":\"HS256\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"HS256\" not accepted"},
    {"alg RS256", NULL, "{\"alg\":\"RS256\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"RS256\" not accepted"},
    {"alg PS256", NULL, "{\"alg\":\"PS256\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"PS256\" not accepted"},
    {"alg ES384", NULL, "{\"alg\":\"ES384\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"ES384\" not accepted"},
    {"alg ES512", NULL, "{\"alg\":\"ES512\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"ES512\" not accepted"},
    {"alg ES256K", NULL, "{\"alg\":\"ES256K\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"ES256K\" not accepted"},
    {"alg Ed448", NULL, "{\"alg\":\"Ed448\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"Ed448\" not accepted"},
    {"alg lowercase", NULL, "{\"alg\":\"eddsa\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"eddsa\" not accepted"},
    {"alg with space", NULL, "{\"alg\":\"EdDSA \"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"EdDSA \" not accepted"},
    {"alg empty", NULL, "{\"alg\":\"\"}", LIBRO_ERR_UNSUPPORTED, "jws: header alg \"\" not"},
    {"alg control bytes", NULL, "{\"alg\":\"a\\nb\\\"c\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header alg \"a?b?c\" not accepted"},
    {"alg long", NULL,
     "{\"alg\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}",
     LIBRO_ERR_UNSUPPORTED, "jws: header alg \"01234567890123456789012345678901\" not"},
    {"missing alg", NULL, "{\"kid\":\"k\"}", LIBRO_ERR_PARSE, "jws: header lacks \"alg\""},
    {"empty header object", NULL, "{}", LIBRO_ERR_PARSE, "jws: header lacks \"alg\""},
    {"alg number", NULL, "{\"alg\":1}", LIBRO_ERR_PARSE, "jws: header \"alg\" is not a string"},
    {"alg null", NULL, "{\"alg\":null}", LIBRO_ERR_PARSE, "jws: header \"alg\" is not a string"},
    {"alg array", NULL, "{\"alg\":[\"EdDSA\"]}", LIBRO_ERR_PARSE,
     "jws: header \"alg\" is not a string"},
    {"crit", NULL, "{\"alg\":\"EdDSA\",\"crit\":[\"exp\"],\"exp\":1}", LIBRO_ERR_UNSUPPORTED,
     "jws: header \"crit\" not accepted"},
    {"crit empty", NULL, "{\"alg\":\"EdDSA\",\"crit\":[]}", LIBRO_ERR_UNSUPPORTED,
     "jws: header \"crit\" not accepted"},
    {"crit b64", NULL, "{\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]}",
     LIBRO_ERR_UNSUPPORTED, "jws: header \"crit\" not accepted"},
    {"jwk", NULL,
     "{\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}}",
     LIBRO_ERR_UNSUPPORTED, "jws: header key member \"jwk\" not accepted"},
    {"jku", NULL, "{\"alg\":\"EdDSA\",\"jku\":\"https://example.com/jwks\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"jku\" not accepted"},
    {"x5u", NULL, "{\"alg\":\"EdDSA\",\"x5u\":\"https://example.com/c\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"x5u\" not accepted"},
    {"x5c", NULL, "{\"alg\":\"EdDSA\",\"x5c\":[\"MIIB\"]}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"x5c\" not accepted"},
    {"x5t", NULL, "{\"alg\":\"EdDSA\",\"x5t\":\"abc\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"x5t\" not accepted"},
    {"x5t#S256", NULL, "{\"alg\":\"EdDSA\",\"x5t#S256\":\"abc\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"x5t#S256\" not accepted"},
    {"jwk null", NULL, "{\"alg\":\"EdDSA\",\"jwk\":null}", LIBRO_ERR_UNSUPPORTED,
     "jws: header key member \"jwk\" not accepted"},
    {"b64 false", NULL, "{\"alg\":\"EdDSA\",\"b64\":false}", LIBRO_ERR_UNSUPPORTED,
     "jws: header \"b64\" other than true not accepted"},
    {"b64 string", NULL, "{\"alg\":\"EdDSA\",\"b64\":\"true\"}", LIBRO_ERR_UNSUPPORTED,
     "jws: header \"b64\" other than true not accepted"},
    {"kid number", NULL, "{\"alg\":\"EdDSA\",\"kid\":7}", LIBRO_ERR_PARSE,
     "jws: header \"kid\" is not a string"},
    {"kid object", NULL, "{\"alg\":\"EdDSA\",\"kid\":{}}", LIBRO_ERR_PARSE,
     "jws: header \"kid\" is not a string"},
    {"typ number", NULL, "{\"alg\":\"EdDSA\",\"typ\":1}", LIBRO_ERR_PARSE,
     "jws: header \"typ\" is not a string"},
    {"cty bool", NULL, "{\"alg\":\"EdDSA\",\"cty\":true}", LIBRO_ERR_PARSE,
     "jws: header \"cty\" is not a string"},
    {"header array", NULL, "[\"alg\",\"EdDSA\"]", LIBRO_ERR_PARSE,
     "jws: header is not a json object"},
    {"header string", NULL, "\"EdDSA\"", LIBRO_ERR_PARSE, "jws: header: json:"},
    {"header empty", NULL, "", LIBRO_ERR_PARSE, "jws: header: json:"},
    {"header duplicate alg", NULL, "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", LIBRO_ERR_PARSE,
     "jws: header: json: duplicate object key"},
    {"header duplicate alg none", NULL, "{\"alg\":\"EdDSA\",\"alg\":\"none\"}", LIBRO_ERR_PARSE,
     "duplicate object key"},
    {"header trailing garbage", NULL, "{\"alg\":\"EdDSA\"}x", LIBRO_ERR_PARSE,
     "jws: header: json: end of file expected"},
    {"header two objects", NULL, "{\"alg\":\"EdDSA\"}{}", LIBRO_ERR_PARSE,
     "jws: header: json: end of file expected"},
    {"header truncated", NULL, "{\"alg\":\"EdDSA\"", LIBRO_ERR_PARSE, "jws: header: json:"},
    {"header nul escape", NULL, "{\"alg\":\"EdDSA\",\"kid\":\"a\\u0000b\"}", LIBRO_ERR_PARSE,
     "jws: header: json:"},
    {"header bad utf-8", NULL, "{\"alg\":\"EdDSA\",\"kid\":\"\xc3\x28\"}", LIBRO_ERR_PARSE,
     "jws: header: json:"},
    {"header lone surrogate", NULL, "{\"alg\":\"EdDSA\",\"kid\":\"\\ud800\"}", LIBRO_ERR_PARSE,
     "jws: header: json:"},
    {"header too deep", NULL, "{\"alg\":\"EdDSA\",\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}",
     LIBRO_ERR_LIMIT, "jws: header: json: nesting deeper than 16"},
    {"header bom", NULL, "\xef\xbb\xbf{\"alg\":\"EdDSA\"}", LIBRO_ERR_PARSE, "jws: header: json:"},
};

START_TEST(test_parse_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = (libro_jws *) &err; /* must be reset to NULL */
    libro_code got;

    if (bad_parse[_i].token != NULL) {
        must(libro_buf_append_str(&tok, bad_parse[_i].token, &err), &err, "copy");
    } else {
        craft(&tok, bad_parse[_i].header, "{}", 2, NULL);
    }
    got = libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err);
    ck_assert_msg(got == bad_parse[_i].want, "%s: got %s (%s)", bad_parse[_i].name,
                  libro_code_name(got), err.msg);
    ck_assert_msg(strstr(err.msg, bad_parse[_i].msg) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  bad_parse[_i].name, err.msg, bad_parse[_i].msg);
    ck_assert_ptr_null(jws);
    /* Every message: one line, starting "jws: ". */
    ck_assert_msg(strncmp(err.msg, "jws: ", 5) == 0, "%s", err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    libro_buf_free(&tok);
}
END_TEST

/* A header with raw control bytes: jansson quotes them; the message stays one line. */
START_TEST(test_parse_message_one_line)
{
    static const char header[] = "{\"alg\":\"EdDSA\",\"kid\":\"a\nb\r\x01\"}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t i;

    craft(&tok, header, "{}", 2, NULL);
    LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                      LIBRO_ERR_PARSE, &err, "jws: header: json:");
    for (i = 0; err.msg[i] != '\0'; i++) {
        ck_assert_msg((unsigned char) err.msg[i] >= 0x20, "control byte in \"%s\"", err.msg);
    }
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_parse_null_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws *jws = NULL;
    libro_buf b = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_jws_parse(NULL, "a.b.c", 5, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "jws: NULL argument");
    LIBRO_ASSERT_CODE(libro_jws_parse(&jws, NULL, 5, &err), LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_parse(&jws, NULL, 0, &err), LIBRO_ERR_PARSE, &err, "found 1");
    LIBRO_ASSERT_CODE(libro_jws_verify(NULL, ed_pub, &err), LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(NULL, ed, NULL, NULL, "x", 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&b, NULL, NULL, NULL, "x", 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&b, ed, NULL, NULL, NULL, 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(NULL, RFC8037_TOKEN, 5, ed_pub, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&b, RFC8037_TOKEN, 5, NULL, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    ck_assert_ptr_null(libro_jws_alg(NULL));
    ck_assert_ptr_null(libro_jws_kid(NULL));
    ck_assert_ptr_null(libro_jws_typ(NULL));
    ck_assert_ptr_null(libro_jws_payload(NULL, NULL));
    libro_jws_free(NULL);
    /* A NULL error record is allowed everywhere. */
    ck_assert_int_eq(libro_jws_parse(&jws, "", 0, NULL), LIBRO_ERR_PARSE);
    ck_assert_int_eq(libro_jws_parse(&jws, "e30.e30.", 8, NULL), LIBRO_ERR_PARSE);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* ---- caps, at max and max + 1 ------------------------------------------------------------- */

START_TEST(test_header_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf hdr = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = LIBRO_MAX_HEADER_BYTES + (size_t) _i; /* _i: 0 at the cap, 1 past it */

    padded_header(&hdr, len);
    craft(&tok, (const char *) hdr.data, "{}", 2, ed);
    if (_i == 0) {
        must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub, NULL,
                                      &err),
             &err, "header at cap");
    } else {
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: header larger than 1024 bytes");
        ck_assert_ptr_null(jws);
    }
    libro_buf_free(&hdr);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

START_TEST(test_payload_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf big = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = LIBRO_MAX_CLAIMS_BYTES + (size_t) _i;

    must(libro_buf_reserve(&big, len, &err), &err, "reserve");
    memset(big.data, 'p', len);
    big.len = len;
    if (_i == 0) {
        must(libro_jws_sign_compact(&tok, ed, "k", "vc+jwt", big.data, big.len, &err), &err,
             "sign at cap");
        must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub, "vc+jwt",
                                      &err),
             &err, "verify at cap");
        ck_assert_uint_eq(payload.len, len);
    } else {
        /* The signer refuses, and a crafted token is refused at parse. */
        LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed, NULL, NULL, big.data, big.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: payload larger than 8192 bytes");
        ck_assert_uint_eq(tok.len, 0);
        craft(&tok, "{\"alg\":\"EdDSA\"}", big.data, big.len, ed);
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: payload larger than 8192 bytes");
        ck_assert_ptr_null(jws);
    }
    libro_buf_free(&big);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

/* No valid token reaches 16 KiB (1 KiB header + 8 KiB payload encode to about 12 KiB), so the
 * cap is met with an oversized signature segment: parse accepts its length, verify does not. */
START_TEST(test_token_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t want = LIBRO_MAX_TOKEN_BYTES + (size_t) _i;
    /* "eyJhbGciOiJFZERTQSJ9" + ".e30" + "." = 25 bytes; the rest is signature. The remainder
     * mod 4 must not be 1, so the payload is widened by one character when needed. */
    const char *prefix = "eyJhbGciOiJFZERTQSJ9.e30.";
    size_t sig_len = want - strlen(prefix);

    if (sig_len % 4 == 1) {
        prefix = "eyJhbGciOiJFZERTQSJ9.e30A.";
        sig_len--;
    }
    must(libro_buf_append_str(&tok, prefix, &err), &err, "prefix");
    must(libro_buf_reserve(&tok, sig_len, &err), &err, "reserve");
    memset(tok.data + tok.len, 'A', sig_len);
    tok.len += sig_len;
    tok.data[tok.len] = '\0';
    ck_assert_uint_eq(tok.len, want);
    if (_i == 0) {
        must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "token at cap");
        LIBRO_ASSERT_CODE(libro_jws_verify(jws, ed_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                          "jws: signature is ");
        ck_assert_ptr_null(libro_jws_payload(jws, NULL));
    } else {
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: token larger than 16384 bytes");
    }
    libro_jws_free(jws);
    libro_buf_free(&tok);
}
END_TEST

/* The caps of libro_jws_parse_ex and libro_jws_sign_compact_ex, at the status list caps (the
 * payload at max and max + 1), a token one byte past its cap, and caps of 0. */
START_TEST(test_ex_caps)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf big = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES + (size_t) _i;
    size_t p_len = 0;

    must(libro_buf_reserve(&big, len, &err), &err, "reserve");
    memset(big.data, 'p', len);
    big.len = len;
    if (_i == 0) {
        must(libro_jws_sign_compact_ex(&tok, ed, "k", "vc+jwt", big.data, big.len,
                                       LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                       LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
             &err, "sign at cap");
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: token larger than 16384 bytes");
        must(libro_jws_parse_ex(&jws, (const char *) tok.data, tok.len,
                                LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
             &err, "parse at cap");
        must(libro_jws_verify(jws, ed_pub, &err), &err, "verify at cap");
        ck_assert_ptr_nonnull(libro_jws_payload(jws, &p_len));
        ck_assert_uint_eq(p_len, len);
        libro_jws_free(jws);
        jws = NULL;
        /* The same token, one byte of token cap short. */
        LIBRO_ASSERT_CODE(libro_jws_parse_ex(&jws, (const char *) tok.data, tok.len, tok.len - 1,
                                             LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: token larger than");
        LIBRO_ASSERT_CODE(libro_jws_parse_ex(&jws, (const char *) tok.data, tok.len, 0, 1, &err),
                          LIBRO_ERR_INVALID_ARG, &err, "a cap of 0 bytes");
        LIBRO_ASSERT_CODE(libro_jws_sign_compact_ex(&big, ed, NULL, NULL, "x", 1, 1, 0, &err),
                          LIBRO_ERR_INVALID_ARG, &err, "a cap of 0 bytes");
        LIBRO_ASSERT_CODE(libro_jws_sign_compact_ex(&big, ed, NULL, NULL, "x", 1, 10, 10, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: token would exceed 10 bytes");
    } else {
        LIBRO_ASSERT_CODE(libro_jws_sign_compact_ex(&tok, ed, NULL, NULL, big.data, big.len,
                                                    LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                                    LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: payload larger than 266240 bytes");
        ck_assert_uint_eq(tok.len, 0);
        craft(&tok, "{\"alg\":\"EdDSA\"}", big.data, big.len, ed);
        LIBRO_ASSERT_CODE(libro_jws_parse_ex(&jws, (const char *) tok.data, tok.len,
                                             LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                                             LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: payload larger than 266240 bytes");
    }
    ck_assert_ptr_null(jws);
    libro_buf_free(&big);
    libro_buf_free(&tok);
}
END_TEST

START_TEST(test_kid_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf hdr = LIBRO_BUF_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = LIBRO_MAX_KID_BYTES + (size_t) _i;

    must(libro_buf_reserve(&kid, len, &err), &err, "reserve");
    memset(kid.data, 'k', len);
    kid.len = len;
    kid.data[len] = '\0';
    must(
        libro_buf_printf(&hdr, &err, "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", (const char *) kid.data),
        &err, "header");
    craft(&tok, (const char *) hdr.data, "{}", 2, NULL);
    if (_i == 0) {
        must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "kid at cap");
        ck_assert_uint_eq(strlen(libro_jws_kid(jws)), len);
        libro_jws_free(jws);
        libro_buf_clear(&tok);
        must(libro_jws_sign_compact(&tok, ed, (const char *) kid.data, NULL, "x", 1, &err), &err,
             "sign kid at cap");
    } else {
        LIBRO_ASSERT_CODE(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err),
                          LIBRO_ERR_LIMIT, &err, "jws: header \"kid\" longer than 512 bytes");
        libro_buf_clear(&tok);
        LIBRO_ASSERT_CODE(
            libro_jws_sign_compact(&tok, ed, (const char *) kid.data, NULL, "x", 1, &err),
            LIBRO_ERR_LIMIT, &err, "jws: kid longer than 512 bytes");
        ck_assert_uint_eq(tok.len, 0);
    }
    libro_buf_free(&kid);
    libro_buf_free(&hdr);
    libro_buf_free(&tok);
}
END_TEST

/* ---- what verify refuses ------------------------------------------------------------------ */

START_TEST(test_signature_length)
{
    static const size_t lens[] = {0, 1, 63, 65, 128};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    char want[64];
    unsigned char bytes[128];

    memset(bytes, 0x5a, sizeof bytes);
    b64(&tok, "{\"alg\":\"EdDSA\"}", 15);
    must(libro_buf_append_str(&tok, ".e30.", &err), &err, "dots");
    b64(&tok, bytes, lens[_i]);
    must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
    ck_assert_int_gt(snprintf(want, sizeof want, "jws: signature is %zu bytes, want 64", lens[_i]),
                     0);
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, ed_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err, want);
    ck_assert_ptr_null(libro_jws_payload(jws, NULL));
    libro_jws_free(jws);
    libro_buf_free(&tok);
    libro_buf_free(&sig);
}
END_TEST

START_TEST(test_wrong_key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    must(libro_jws_sign_compact(&tok, ed2, "k2", NULL, "{}", 2, &err), &err, "sign");
    LIBRO_ASSERT_CODE(
        libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub, NULL, &err),
        LIBRO_ERR_BAD_SIGNATURE, &err, "jws: signature does not verify (EdDSA)");
    ck_assert_uint_eq(payload.len, 0);
    libro_buf_clear(&tok);
    must(libro_jws_sign_compact(&tok, es, "k2", NULL, "{}", 2, &err), &err, "sign");
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len,
                                               es_rfc_pub, NULL, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "jws: signature does not verify (ES256)");
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

/* Any change to the signed text breaks the signature: header, payload, or the signature. */
START_TEST(test_tampered)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    size_t positions[3];
    const char *first;
    const char *second;

    must(libro_jws_sign_compact(&tok, ed, "kid-1", "vc+jwt", "{\"a\":1}", 7, &err), &err, "sign");
    first = memchr(tok.data, '.', tok.len);
    second = memchr(first + 1, '.', tok.len - (size_t) (first + 1 - (const char *) tok.data));
    positions[0] = 5;
    positions[1] = (size_t) (first - (const char *) tok.data) + 2;
    positions[2] = (size_t) (second - (const char *) tok.data) + 2;
    /* Swap a letter for another that keeps the base64url canonical and the header JSON. */
    tok.data[positions[_i]] = tok.data[positions[_i]] == 'A' ? 'B' : 'A';
    ck_assert_int_ne(
        libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub, NULL, &err),
        LIBRO_OK);
    ck_assert_uint_eq(payload.len, 0);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

static const struct {
    const char *name;
    int signer; /* 0 ed, 1 es */
    const char *header;
    int verifier; /* 0 ed_pub, 1 es_pub */
    const char *msg;
} mismatches[] = {
    {"ES256 header, Ed25519 key", 1, "{\"alg\":\"ES256\"}", 0,
     "jws: header alg ES256 does not match the key (ed25519)"},
    {"EdDSA header, P-256 key", 0, "{\"alg\":\"EdDSA\"}", 1,
     "jws: header alg EdDSA does not match the key (es256)"},
    {"Ed25519 header, P-256 key", 0, "{\"alg\":\"Ed25519\"}", 1,
     "jws: header alg Ed25519 does not match the key (es256)"},
    /* An ES256 signature relabelled EdDSA: the key still decides. */
    {"relabelled", 1, "{\"alg\":\"EdDSA\"}", 1,
     "jws: header alg EdDSA does not match the key (es256)"},
};

START_TEST(test_alg_key_mismatch)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    const libro_key *signer = mismatches[_i].signer == 0 ? ed : es;
    const libro_key *verifier = mismatches[_i].verifier == 0 ? ed_pub : es_pub;

    craft(&tok, mismatches[_i].header, "{}", 2, signer);
    must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, verifier, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      mismatches[_i].msg);
    ck_assert_ptr_null(libro_jws_payload(jws, NULL));
    LIBRO_ASSERT_CODE(
        libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, verifier, NULL, &err),
        LIBRO_ERR_UNSUPPORTED, &err, mismatches[_i].msg);
    libro_jws_free(jws);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

/* verify_compact's typ: RFC 7515 §4.1.9 comparison (case-insensitive, "application/"
 * optional), checked before the signature. */
static const struct {
    const char *header_typ; /* NULL: no typ member */
    const char *want;
    libro_code code;
    const char *msg;
} typs[] = {
    {"vc+jwt", "vc+jwt", LIBRO_OK, NULL},
    {"VC+JWT", "vc+jwt", LIBRO_OK, NULL},
    {"application/vc+jwt", "vc+jwt", LIBRO_OK, NULL},
    {"vc+jwt", "Application/VC+jwt", LIBRO_OK, NULL},
    {"jwt", "vc+jwt", LIBRO_ERR_UNSUPPORTED, "jws: typ \"jwt\" is not vc+jwt"},
    {"vc+jwt ", "vc+jwt", LIBRO_ERR_UNSUPPORTED, "jws: typ \"vc+jwt \" is not vc+jwt"},
    {"application/", "vc+jwt", LIBRO_ERR_UNSUPPORTED, "is not vc+jwt"},
    {"text/vc+jwt", "vc+jwt", LIBRO_ERR_UNSUPPORTED, "jws: typ \"text/vc+jwt\" is not vc+jwt"},
    {"application/a/vc+jwt", "a/vc+jwt", LIBRO_ERR_UNSUPPORTED, "is not a/vc+jwt"},
    {NULL, "vc+jwt", LIBRO_ERR_UNSUPPORTED, "jws: header lacks \"typ\" (want vc+jwt)"},
};

START_TEST(test_typ)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    must(libro_jws_sign_compact(&tok, ed, NULL, typs[_i].header_typ, "{}", 2, &err), &err, "sign");
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub,
                                               typs[_i].want, &err),
                      typs[_i].code, &err, typs[_i].msg);
    ck_assert_uint_eq(payload.len, typs[_i].code == LIBRO_OK ? 2 : 0);
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

/* The typ check comes before the signature: a forged token with the wrong typ says typ. */
START_TEST(test_typ_before_signature)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    craft(&tok, "{\"alg\":\"EdDSA\",\"typ\":\"jwt\"}", "{}", 2, NULL);
    LIBRO_ASSERT_CODE(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub,
                                               "vc+jwt", &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "jws: typ \"jwt\" is not vc+jwt");
    libro_buf_free(&tok);
    libro_buf_free(&payload);
}
END_TEST

START_TEST(test_payload_after_verify_only)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t len = 42;

    must(libro_jws_sign_compact(&tok, ed, NULL, NULL, "{\"x\":1}", 7, &err), &err, "sign");
    must(libro_jws_parse(&jws, (const char *) tok.data, tok.len, &err), &err, "parse");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    ck_assert_uint_eq(len, 0);
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, ed2_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "jws: signature does not verify");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, es_pub, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "does not match the key");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    must(libro_jws_verify(jws, ed_pub, &err), &err, "verify");
    ck_assert_ptr_nonnull(libro_jws_payload(jws, &len));
    ck_assert_uint_eq(len, 7);
    ck_assert_ptr_nonnull(libro_jws_payload(jws, NULL));
    /* The payload reflects the most recent verification. */
    LIBRO_ASSERT_CODE(libro_jws_verify(jws, ed2_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err, "jws:");
    ck_assert_ptr_null(libro_jws_payload(jws, &len));
    libro_jws_free(jws);
    libro_buf_free(&tok);
}
END_TEST

/* ---- what sign refuses -------------------------------------------------------------------- */

START_TEST(test_sign_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;
    libro_buf typ = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed, "\xc3\x28", NULL, "x", 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws: kid is not utf-8");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed, NULL, "\xed\xa0\x80", "x", 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws: typ is not utf-8");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed, NULL, "\xc0\xaf", "x", 1, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws: typ is not utf-8");
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed_pub, NULL, NULL, "x", 1, &err),
                      LIBRO_ERR_BAD_KEY, &err, "jws: ");
    /* {"alg":"EdDSA","typ":"ttt..."}: 1000 t's make exactly 1024 bytes, the cap; one more
     * and the header is refused rather than produced. */
    must(libro_buf_reserve(&typ, 1001, &err), &err, "reserve");
    memset(typ.data, 't', 1001);
    typ.len = 1000;
    typ.data[1000] = '\0';
    must(libro_jws_sign_compact(&tok, ed, NULL, (const char *) typ.data, "x", 1, &err), &err,
         "header at cap");
    must(libro_jws_verify_compact(&payload, (const char *) tok.data, tok.len, ed_pub,
                                  (const char *) typ.data, &err),
         &err, "verify header at cap");
    libro_buf_clear(&tok);
    typ.data[1000] = 't';
    typ.data[1001] = '\0';
    typ.len = 1001;
    LIBRO_ASSERT_CODE(libro_jws_sign_compact(&tok, ed, NULL, (const char *) typ.data, "x", 1, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: header would exceed 1024 bytes");
    ck_assert_uint_eq(tok.len, 0);
    libro_buf_free(&tok);
    libro_buf_free(&typ);
    libro_buf_free(&payload);
}
END_TEST

/* Appending: sign adds to what the buffer holds. */
START_TEST(test_sign_appends)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf tok = LIBRO_BUF_INIT;

    must(libro_buf_append_str(&tok, "token=", &err), &err, "prefix");
    must(libro_jws_sign_compact(&tok, ed_rfc, NULL, NULL, RFC8037_PAYLOAD, strlen(RFC8037_PAYLOAD),
                                &err),
         &err, "sign");
    ck_assert_str_eq((const char *) tok.data, "token=" RFC8037_TOKEN);
    libro_buf_free(&tok);
}
END_TEST

/* ---- JWS JSON General Serialization -------------------------------------------------------- */

static const char json_payload[] = "{\"law\":\"quiet hours\",\"v\":1}";

static void
sign_three(libro_buf *doc)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_jws_signer signers[] = {{ed, "party-a"}, {es, "party-b"}, {ed2, NULL}};

    must(libro_jws_json_sign(doc, signers, LIBRO_NELEM(signers), "law+jws", json_payload,
                             strlen(json_payload), &err),
         &err, "json sign");
}

START_TEST(test_json_sign_verify_all)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    const libro_key *keys[] = {es_pub, ed_pub, ed2_pub};
    bool verified[3];
    size_t signer[3];
    const unsigned char *p;
    size_t len;

    sign_three(&doc);
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "parse");
    ck_assert_uint_eq(libro_jws_json_count(j), 3);
    ck_assert_str_eq(libro_jws_json_alg(j, 0), "EdDSA");
    ck_assert_str_eq(libro_jws_json_alg(j, 1), "ES256");
    ck_assert_str_eq(libro_jws_json_alg(j, 2), "EdDSA");
    ck_assert_str_eq(libro_jws_json_kid(j, 0), "party-a");
    ck_assert_str_eq(libro_jws_json_kid(j, 1), "party-b");
    ck_assert_ptr_null(libro_jws_json_kid(j, 2));
    ck_assert_str_eq(libro_jws_json_typ(j, 2), "law+jws");
    ck_assert_ptr_null(libro_jws_json_alg(j, 3));
    ck_assert_ptr_null(libro_jws_json_kid(j, 3));
    ck_assert_ptr_null(libro_jws_json_typ(j, 3));
    ck_assert_ptr_null(libro_jws_json_payload(j, &len));
    must(libro_jws_json_verify_all(j, keys, LIBRO_NELEM(keys), verified, signer, &err), &err,
         "verify all");
    ck_assert(verified[0] && verified[1] && verified[2]);
    ck_assert_uint_eq(signer[0], 1);
    ck_assert_uint_eq(signer[1], 0);
    ck_assert_uint_eq(signer[2], 2);
    p = libro_jws_json_payload(j, &len);
    ck_assert_uint_eq(len, strlen(json_payload));
    ck_assert(memcmp(p, json_payload, len) == 0);
    libro_jws_json_free(j);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_json_verify_one)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;

    sign_three(&doc);
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "parse");
    LIBRO_ASSERT_CODE(libro_jws_json_verify(j, 0, es_pub, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "jws: header alg EdDSA does not match the key (es256)");
    LIBRO_ASSERT_CODE(libro_jws_json_verify(j, 0, ed2_pub, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "jws: signature does not verify");
    ck_assert_ptr_null(libro_jws_json_payload(j, NULL));
    LIBRO_ASSERT_CODE(libro_jws_json_verify(j, 3, ed_pub, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "jws:");
    LIBRO_ASSERT_CODE(libro_jws_json_verify(j, 0, NULL, &err), LIBRO_ERR_INVALID_ARG, &err, "jws:");
    must(libro_jws_json_verify(j, 1, es_pub, &err), &err, "verify 1");
    ck_assert_ptr_nonnull(libro_jws_json_payload(j, NULL));
    libro_jws_json_free(j);
    libro_buf_free(&doc);
}
END_TEST

/* Flip one character of the second signature value. */
static void
tamper_second_signature(libro_buf *doc)
{
    const char *key = "\"signature\":\"";
    char *at = strstr((char *) doc->data, key);

    ck_assert_ptr_nonnull(at);
    at = strstr(at + 1, key);
    ck_assert_ptr_nonnull(at);
    at += strlen(key) + 3;
    *at = *at == 'A' ? 'B' : 'A';
}

START_TEST(test_json_tampered)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    const libro_key *keys[] = {ed_pub, es_pub, ed2_pub};
    bool verified[3];
    size_t signer[3];

    sign_three(&doc);
    tamper_second_signature(&doc);
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "parse");
    LIBRO_ASSERT_CODE(libro_jws_json_verify_all(j, keys, LIBRO_NELEM(keys), verified, signer, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err,
                      "jws: signature 1 (kid \"party-b\") not verified by any key");
    ck_assert(verified[0] && !verified[1] && verified[2]);
    ck_assert_uint_eq(signer[0], 0);
    ck_assert_uint_eq(signer[1], SIZE_MAX);
    ck_assert_uint_eq(signer[2], 2);
    /* The payload is readable: signatures 0 and 2 vouch for it. */
    ck_assert_ptr_nonnull(libro_jws_json_payload(j, NULL));
    libro_jws_json_free(j);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_json_unknown_key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    const libro_key *keys[] = {ed2_pub};
    bool verified[3];
    size_t signer[3];

    sign_three(&doc);
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "parse");
    LIBRO_ASSERT_CODE(libro_jws_json_verify_all(j, keys, LIBRO_NELEM(keys), verified, signer, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err,
                      "jws: signature 0 (kid \"party-a\") not verified by any key");
    ck_assert(!verified[0] && !verified[1] && verified[2]);
    ck_assert_uint_eq(signer[0], SIZE_MAX);
    ck_assert_uint_eq(signer[1], SIZE_MAX);
    ck_assert_uint_eq(signer[2], 0);
    /* No keys at all. */
    LIBRO_ASSERT_CODE(libro_jws_json_verify_all(j, NULL, 0, verified, signer, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "jws: signature 0");
    ck_assert(!verified[0] && !verified[1] && !verified[2]);
    ck_assert_ptr_null(libro_jws_json_payload(j, NULL));
    LIBRO_ASSERT_CODE(libro_jws_json_verify_all(j, keys, 1, NULL, signer, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    libro_jws_json_free(j);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_json_max_signatures)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    libro_jws_signer signers[LIBRO_MAX_JWS_SIGNATURES + 1];
    const libro_key *keys[] = {ed_pub};
    bool verified[LIBRO_MAX_JWS_SIGNATURES];
    size_t signer[LIBRO_MAX_JWS_SIGNATURES];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(signers); i++) {
        signers[i].key = ed;
        signers[i].kid = "k";
    }
    must(libro_jws_json_sign(&doc, signers, LIBRO_MAX_JWS_SIGNATURES, NULL, "{}", 2, &err), &err,
         "sign max");
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "parse max");
    ck_assert_uint_eq(libro_jws_json_count(j), LIBRO_MAX_JWS_SIGNATURES);
    must(libro_jws_json_verify_all(j, keys, 1, verified, signer, &err), &err, "verify max");
    libro_jws_json_free(j);
    libro_buf_clear(&doc);
    LIBRO_ASSERT_CODE(
        libro_jws_json_sign(&doc, signers, LIBRO_MAX_JWS_SIGNATURES + 1, NULL, "{}", 2, &err),
        LIBRO_ERR_LIMIT, &err, "jws: more than 64 signers");
    LIBRO_ASSERT_CODE(libro_jws_json_sign(&doc, signers, 0, NULL, "{}", 2, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws: no signers");
    ck_assert_uint_eq(doc.len, 0);
    libro_buf_free(&doc);
}
END_TEST

START_TEST(test_json_sign_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf typ = LIBRO_BUF_INIT;
    libro_jws_signer signers[LIBRO_MAX_JWS_SIGNATURES];
    static char big[LIBRO_MAX_CLAIMS_BYTES + 1];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(signers); i++) {
        signers[i].key = ed;
        signers[i].kid = NULL;
    }
    signers[1].key = NULL;
    LIBRO_ASSERT_CODE(libro_jws_json_sign(&doc, signers, 2, NULL, "{}", 2, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws: signer 1 has no key");
    signers[1].key = ed;
    LIBRO_ASSERT_CODE(libro_jws_json_sign(&doc, signers, 1, NULL, big, sizeof big, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: payload larger than 8192 bytes");
    LIBRO_ASSERT_CODE(libro_jws_json_sign(&doc, NULL, 1, NULL, "{}", 2, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "jws:");
    /* 64 headers of about 1 KiB each cannot fit in 64 KiB: refused rather than produced. */
    must(libro_buf_reserve(&typ, 900, &err), &err, "reserve");
    memset(typ.data, 't', 900);
    typ.len = 900;
    typ.data[900] = '\0';
    LIBRO_ASSERT_CODE(libro_jws_json_sign(&doc, signers, LIBRO_MAX_JWS_SIGNATURES,
                                          (const char *) typ.data, "{}", 2, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: json serialization would exceed 65536 bytes");
    ck_assert_uint_eq(doc.len, 0);
    libro_buf_free(&doc);
    libro_buf_free(&typ);
}
END_TEST

/* Documents around a valid protected header ("eyJhbGciOiJFZERTQSJ9") and signature. */
#define P "\"eyJhbGciOiJFZERTQSJ9\""
#define S "\"AAAA\""
#define SIG "{\"protected\":" P ",\"signature\":" S "}"

static const struct {
    const char *name;
    const char *doc;
    libro_code want;
    const char *msg;
} bad_json[] = {
    {"empty", "", LIBRO_ERR_PARSE, "jws: json:"},
    {"not json", "eyJhbGciOiJFZERTQSJ9.e30.AAAA", LIBRO_ERR_PARSE, "jws: json:"},
    {"array", "[" SIG "]", LIBRO_ERR_PARSE, "jws: json serialization is not an object"},
    {"flattened", "{\"payload\":\"e30\",\"protected\":" P ",\"signature\":" S "}", LIBRO_ERR_PARSE,
     "jws: flattened json serialization not accepted"},
    {"flattened header only", "{\"payload\":\"e30\",\"header\":{\"alg\":\"EdDSA\"}}",
     LIBRO_ERR_PARSE, "jws: flattened json serialization not accepted (member \"header\""},
    {"unprotected header",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P
     ",\"header\":{\"kid\":\"a\"},\"signature\":" S "}]}",
     LIBRO_ERR_UNSUPPORTED, "jws: signature 0: unprotected header not accepted"},
    {"unprotected header second",
     "{\"payload\":\"e30\",\"signatures\":[" SIG ",{\"header\":{},\"protected\":" P
     ",\"signature\":" S "}]}",
     LIBRO_ERR_UNSUPPORTED, "jws: signature 1: unprotected header not accepted"},
    {"zero signatures", "{\"payload\":\"e30\",\"signatures\":[]}", LIBRO_ERR_PARSE,
     "jws: \"signatures\" is empty"},
    {"signatures not array", "{\"payload\":\"e30\",\"signatures\":" SIG "}", LIBRO_ERR_PARSE,
     "jws: \"signatures\" is not an array"},
    {"no signatures", "{\"payload\":\"e30\"}", LIBRO_ERR_PARSE,
     "jws: json serialization lacks \"signatures\""},
    {"no payload", "{\"signatures\":[" SIG "]}", LIBRO_ERR_PARSE,
     "jws: json serialization lacks \"payload\""},
    {"payload not string", "{\"payload\":{},\"signatures\":[" SIG "]}", LIBRO_ERR_PARSE,
     "jws: json serialization \"payload\" is not a string"},
    {"payload bad base64", "{\"payload\":\"e30=\",\"signatures\":[" SIG "]}", LIBRO_ERR_ENCODING,
     "jws: payload: base64url: padding not allowed"},
    {"duplicate payload", "{\"payload\":\"e30\",\"payload\":\"e30\",\"signatures\":[" SIG "]}",
     LIBRO_ERR_PARSE, "jws: json: duplicate object key"},
    {"duplicate signatures",
     "{\"payload\":\"e30\",\"signatures\":[" SIG "],\"signatures\":[" SIG "]}", LIBRO_ERR_PARSE,
     "jws: json: duplicate object key"},
    {"duplicate protected",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P ",\"protected\":" P
     ",\"signature\":" S "}]}",
     LIBRO_ERR_PARSE, "jws: json: duplicate object key"},
    {"unknown member", "{\"payload\":\"e30\",\"signatures\":[" SIG "],\"x\":1}", LIBRO_ERR_PARSE,
     "jws: json serialization has unexpected member \"x\""},
    {"unknown signature member",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P ",\"signature\":" S ",\"x\":1}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 has unexpected member \"x\""},
    {"signature not object", "{\"payload\":\"e30\",\"signatures\":[" SIG ",\"x\"]}",
     LIBRO_ERR_PARSE, "jws: signature 1 is not an object"},
    {"no protected", "{\"payload\":\"e30\",\"signatures\":[{\"signature\":" S "}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 lacks \"protected\""},
    {"no signature", "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P "}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 lacks \"signature\""},
    {"protected not string",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":{\"alg\":\"EdDSA\"},\"signature\":" S
     "}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 \"protected\" is not a string"},
    {"signature not string",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P ",\"signature\":7}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 \"signature\" is not a string"},
    {"protected bad base64",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":\"e30=\",\"signature\":" S "}]}",
     LIBRO_ERR_ENCODING, "jws: signature 0 protected header: base64url: padding"},
    {"signature bad base64",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":" P ",\"signature\":\"AA+A\"}]}",
     LIBRO_ERR_ENCODING, "jws: signature 0: base64url: invalid character"},
    {"protected alg none",
     "{\"payload\":\"e30\",\"signatures\":[" SIG ",{\"protected\":\"eyJhbGciOiJub25lIn0\","
     "\"signature\":\"\"}]}",
     LIBRO_ERR_UNSUPPORTED, "jws: signature 1 header alg \"none\" not accepted"},
    {"protected jwk",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":"
     "\"eyJhbGciOiJFZERTQSIsImp3ayI6e319\",\"signature\":" S "}]}",
     LIBRO_ERR_UNSUPPORTED, "jws: signature 0 header key member \"jwk\" not accepted"},
    {"protected empty",
     "{\"payload\":\"e30\",\"signatures\":[{\"protected\":\"\",\"signature\":" S "}]}",
     LIBRO_ERR_PARSE, "jws: signature 0 header: json:"},
    {"trailing garbage", "{\"payload\":\"e30\",\"signatures\":[" SIG "]} x", LIBRO_ERR_PARSE,
     "jws: json: end of file expected"},
};

START_TEST(test_json_parse_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_jws_json *j = (libro_jws_json *) &err;
    libro_code got = libro_jws_json_parse(&j, bad_json[_i].doc, strlen(bad_json[_i].doc), &err);

    ck_assert_msg(got == bad_json[_i].want, "%s: got %s (%s)", bad_json[_i].name,
                  libro_code_name(got), err.msg);
    ck_assert_msg(strstr(err.msg, bad_json[_i].msg) != NULL, "%s: message \"%s\" lacks \"%s\"",
                  bad_json[_i].name, err.msg, bad_json[_i].msg);
    ck_assert_ptr_null(j);
    ck_assert_msg(strncmp(err.msg, "jws: ", 5) == 0, "%s", err.msg);
}
END_TEST

START_TEST(test_json_limits)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf big = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    size_t i;

    /* More than 64 signatures. */
    must(libro_buf_append_str(&doc, "{\"payload\":\"e30\",\"signatures\":[", &err), &err, "doc");
    for (i = 0; i <= LIBRO_MAX_JWS_SIGNATURES; i++) {
        must(libro_buf_append_str(&doc, i == 0 ? SIG : "," SIG, &err), &err, "doc");
    }
    must(libro_buf_append_str(&doc, "]}", &err), &err, "doc");
    LIBRO_ASSERT_CODE(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: more than 64 signatures");
    /* Larger than 64 KiB: refused before any parsing. */
    libro_buf_clear(&doc);
    must(libro_buf_reserve(&doc, LIBRO_MAX_JWS_JSON_BYTES + 1, &err), &err, "reserve");
    memset(doc.data, ' ', LIBRO_MAX_JWS_JSON_BYTES + 1);
    doc.len = LIBRO_MAX_JWS_JSON_BYTES + 1;
    LIBRO_ASSERT_CODE(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: json serialization larger than 65536 bytes");
    /* Exactly 64 KiB of whitespace after a valid document is fine. */
    libro_buf_clear(&doc);
    must(libro_buf_append_str(&doc, "{\"payload\":\"e30\",\"signatures\":[" SIG "]}", &err), &err,
         "doc");
    must(libro_buf_reserve(&doc, LIBRO_MAX_JWS_JSON_BYTES - doc.len, &err), &err, "reserve");
    memset(doc.data + doc.len, ' ', LIBRO_MAX_JWS_JSON_BYTES - doc.len);
    doc.len = LIBRO_MAX_JWS_JSON_BYTES;
    must(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err), &err, "64 KiB");
    libro_jws_json_free(j);
    j = NULL;
    /* A payload past the claims cap. */
    must(libro_buf_reserve(&big, LIBRO_MAX_CLAIMS_BYTES + 1, &err), &err, "reserve");
    memset(big.data, 'q', LIBRO_MAX_CLAIMS_BYTES + 1);
    big.len = LIBRO_MAX_CLAIMS_BYTES + 1;
    libro_buf_clear(&doc);
    must(libro_buf_append_str(&doc, "{\"payload\":\"", &err), &err, "doc");
    b64(&doc, big.data, big.len);
    must(libro_buf_append_str(&doc, "\",\"signatures\":[" SIG "]}", &err), &err, "doc");
    LIBRO_ASSERT_CODE(libro_jws_json_parse(&j, (const char *) doc.data, doc.len, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: payload larger than 8192 bytes");
    ck_assert_ptr_null(j);
    LIBRO_ASSERT_CODE(libro_jws_json_parse(NULL, "{}", 2, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "jws:");
    ck_assert_uint_eq(libro_jws_json_count(NULL), 0);
    ck_assert_ptr_null(libro_jws_json_payload(NULL, NULL));
    libro_jws_json_free(NULL);
    libro_buf_free(&doc);
    libro_buf_free(&big);
}
END_TEST

/* ---- out of memory ------------------------------------------------------------------------- */

/* Fail the 1st, 2nd, ... allocation until the operation succeeds; every failure must be
 * LIBRO_ERR_NOMEM with nothing leaked (ASan checks the leak part). */
#define OOM_LOOP(call)                                                                             \
    do {                                                                                           \
        unsigned long n_;                                                                          \
        libro_code rc_ = LIBRO_ERR_NOMEM;                                                          \
        for (n_ = 1; n_ < 10000 && rc_ != LIBRO_OK; n_++) {                                        \
            libro_error e_ = LIBRO_ERROR_INIT;                                                     \
            libro__alloc_fail_after(n_);                                                           \
            rc_ = (call);                                                                          \
            libro__alloc_fail_after(0);                                                            \
            ck_assert_msg(rc_ == LIBRO_OK || rc_ == LIBRO_ERR_NOMEM, "%s at %lu: %s (%s)", #call,  \
                          n_, libro_code_name(rc_), e_.msg);                                       \
        }                                                                                          \
        ck_assert_int_eq(rc_, LIBRO_OK);                                                           \
    } while (0)

static libro_code
oom_sign(libro_error *err)
{
    libro_buf tok = LIBRO_BUF_INIT;
    libro_code rc = libro_jws_sign_compact(&tok, ed, "kid", "vc+jwt", "{}", 2, err);

    libro_buf_free(&tok);
    return rc;
}

static libro_code
oom_parse_verify(libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_code rc = libro_jws_verify_compact(&payload, RFC8037_TOKEN, strlen(RFC8037_TOKEN),
                                             ed_rfc_pub, NULL, err);

    libro_buf_free(&payload);
    return rc;
}

static libro_code
oom_json(libro_error *err)
{
    libro_buf doc = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    const libro_jws_signer signers[] = {{ed, "a"}, {es, "b"}};
    const libro_key *keys[] = {ed_pub, es_pub};
    bool verified[2];
    size_t signer[2];
    libro_code rc = libro_jws_json_sign(&doc, signers, 2, "t", "{}", 2, err);

    if (rc == LIBRO_OK) {
        rc = libro_jws_json_parse(&j, (const char *) doc.data, doc.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_json_verify_all(j, keys, 2, verified, signer, err);
    }
    libro_jws_json_free(j);
    libro_buf_free(&doc);
    return rc;
}

/* The plain header path reads libro's own headers without a tree and agrees with the tree on
 * every header it takes; what it declines, the tree decides (with its own messages). */
START_TEST(test_header_plain)
{
    static const struct {
        const char *json;
        bool plain; /* taken by the plain path */
        libro_code tree;
    } cases[] = {
        {"{\"alg\":\"EdDSA\",\"kid\":\"urn:libro:t#abc\",\"typ\":\"vc+jwt\"}", true, LIBRO_OK},
        {"{\"typ\":\"vc+jwt\",\"alg\":\"ES256\"}", true, LIBRO_OK},
        {"{\"alg\":\"Ed25519\",\"cty\":\"x\",\"kid\":\"\"}", true, LIBRO_OK},
        {"{\"alg\":\"EdDSA\", \"kid\":\"a\"}", false, LIBRO_OK},
        {"{\"alg\":\"EdDSA\",\"kid\":\"a\\u0041\"}", false, LIBRO_OK},
        {"{\"alg\":\"EdDSA\",\"kid\":\"\xc3\xa9\"}", false, LIBRO_OK},
        {"{\"alg\":\"EdDSA\",\"x\":\"y\"}", false, LIBRO_OK},
        {"{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", false, LIBRO_ERR_PARSE},
        {"{\"alg\":\"none\"}", false, LIBRO_ERR_UNSUPPORTED},
        {"{\"kid\":\"a\"}", false, LIBRO_ERR_PARSE},
        {"{\"alg\":\"EdDSA\",\"crit\":\"b64\"}", false, LIBRO_ERR_UNSUPPORTED},
        {"{\"alg\":\"EdDSA\",\"jku\":\"x\"}", false, LIBRO_ERR_UNSUPPORTED},
        {"{\"alg\":\"EdDSA\",\"kid\":\"a\"", false, LIBRO_ERR_PARSE},
        {"{\"alg\":\"EdDSA\",\"kid\":\"a\"}x", false, LIBRO_ERR_PARSE},
        {"{\"alg\":\"EdDSA\",}", false, LIBRO_ERR_PARSE},
        {"{\"alg\":\"EdDSA\"\"kid\":\"a\"}", false, LIBRO_ERR_PARSE},
        {"{}", false, LIBRO_ERR_PARSE},
        {"[]", false, LIBRO_ERR_PARSE},
    };
    char long_kid[LIBRO_MAX_KID_BYTES + 64];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const unsigned char *p = (const unsigned char *) cases[i].json;
        size_t n = strlen(cases[i].json);
        libro_error e1 = LIBRO_ERROR_INIT;
        libro_error e2 = LIBRO_ERROR_INIT;
        libro_jws__header plain = LIBRO_JWS__HEADER_INIT;
        libro_jws__header tree = LIBRO_JWS__HEADER_INIT;
        bool declined = true;

        ck_assert_int_eq(libro_jws__header_plain(&plain, &declined, p, n, &e1), LIBRO_OK);
        ck_assert_msg(declined == !cases[i].plain, "case %zu: plain path %s", i,
                      declined ? "declined" : "took it");
        ck_assert_msg(libro_jws__header_check_tree(&tree, p, n, "header", &e2) == cases[i].tree,
                      "case %zu: tree said %s", i, e2.msg);
        if (!declined) {
            ck_assert_int_eq(plain.alg, tree.alg);
            ck_assert_str_eq(plain.alg_name, tree.alg_name);
            ck_assert(plain.kid == NULL ? tree.kid == NULL : strcmp(plain.kid, tree.kid) == 0);
            ck_assert(plain.typ == NULL ? tree.typ == NULL : strcmp(plain.typ, tree.typ) == 0);
        }
        libro_jws__header_free(&plain);
        libro_jws__header_free(&tree);
    }

    /* A kid over the limit is the tree's to refuse, with its message. */
    {
        libro_error e = LIBRO_ERROR_INIT;
        libro_jws__header h = LIBRO_JWS__HEADER_INIT;
        bool declined = false;
        int n = snprintf(long_kid, sizeof long_kid, "{\"alg\":\"EdDSA\",\"kid\":\"%0*d\"}",
                         (int) LIBRO_MAX_KID_BYTES + 1, 7);

        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(libro_jws__header_plain(&h, &declined, (const unsigned char *) long_kid,
                                                 (size_t) n, &e),
                         LIBRO_OK);
        ck_assert(declined);
        LIBRO_ASSERT_CODE(
            libro_jws__header_check(&h, (const unsigned char *) long_kid, (size_t) n, "header", &e),
            LIBRO_ERR_LIMIT, &e, "longer than 512 bytes");
    }
}
END_TEST

START_TEST(test_oom)
{
    OOM_LOOP(oom_sign(&e_));
    OOM_LOOP(oom_parse_verify(&e_));
    OOM_LOOP(oom_json(&e_));
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("jws");
    TCase *rfc = tcase_create("rfc");
    TCase *ok = tcase_create("round_trip");
    TCase *parse = tcase_create("parse_rejects");
    TCase *limits = tcase_create("limits");
    TCase *verify = tcase_create("verify_rejects");
    TCase *json = tcase_create("json");
    TCase *oom = tcase_create("oom");
    TCase *all[] = {rfc, ok, parse, limits, verify, json, oom};
    size_t i;

    for (i = 0; i < LIBRO_NELEM(all); i++) {
        tcase_add_checked_fixture(all[i], keys_setup, keys_teardown);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(rfc, test_rfc8037_a4_sign);
    tcase_add_test(rfc, test_rfc8037_a4_verify);
    tcase_add_test(rfc, test_rfc8037_altered_s);
    tcase_add_test(rfc, test_alg_ed25519_name);
    tcase_add_test(rfc, test_rfc7515_a3_verify);

    tcase_add_loop_test(ok, test_round_trip_ed25519, 0, (int) LIBRO_NELEM(round_trips));
    tcase_add_loop_test(ok, test_round_trip_es256, 0, (int) LIBRO_NELEM(round_trips));
    tcase_add_test(ok, test_empty_payload);
    tcase_add_test(ok, test_segment_decoding);
    tcase_add_loop_test(ok, test_header_extra_members, 0, 3);
    tcase_add_test(ok, test_sign_appends);

    tcase_add_loop_test(parse, test_parse_rejects, 0, (int) LIBRO_NELEM(bad_parse));
    tcase_add_test(parse, test_parse_message_one_line);
    tcase_add_test(parse, test_parse_null_args);
    tcase_add_test(parse, test_header_plain);

    tcase_add_loop_test(limits, test_header_cap, 0, 2);
    tcase_add_loop_test(limits, test_payload_cap, 0, 2);
    tcase_add_loop_test(limits, test_token_cap, 0, 2);
    tcase_add_loop_test(limits, test_ex_caps, 0, 2);
    tcase_add_loop_test(limits, test_kid_cap, 0, 2);

    tcase_add_loop_test(verify, test_signature_length, 0, 5);
    tcase_add_test(verify, test_wrong_key);
    tcase_add_loop_test(verify, test_tampered, 0, 3);
    tcase_add_loop_test(verify, test_alg_key_mismatch, 0, (int) LIBRO_NELEM(mismatches));
    tcase_add_loop_test(verify, test_typ, 0, (int) LIBRO_NELEM(typs));
    tcase_add_test(verify, test_typ_before_signature);
    tcase_add_test(verify, test_payload_after_verify_only);
    tcase_add_test(verify, test_sign_rejects);

    tcase_add_test(json, test_json_sign_verify_all);
    tcase_add_test(json, test_json_verify_one);
    tcase_add_test(json, test_json_tampered);
    tcase_add_test(json, test_json_unknown_key);
    tcase_add_test(json, test_json_max_signatures);
    tcase_add_test(json, test_json_sign_rejects);
    tcase_add_loop_test(json, test_json_parse_rejects, 0, (int) LIBRO_NELEM(bad_json));
    tcase_add_test(json, test_json_limits);

    tcase_add_test(oom, test_oom);
    return s;
}
