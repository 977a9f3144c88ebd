/* Suite for the LB1 and LB2 QR transports (core/src/lb1.c): round trips of real signed JWSs in
 * both formats, the pinned dictionaries, a printed LB1 text that must decode forever, frames
 * of one format under the other's prefix, one table of malformed texts with the exact code and
 * message run for both prefixes (frames are built here with zlib and the dictionary files, so
 * each case breaks exactly one rule), the caps at max and max+1, the encoder's refusals, and
 * an OOM loop. */
#define ZLIB_CONST
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/lb1_jws_int.h"
#include "libro/limits.h"
#include "libro/util.h"
#include "test_util.h"

/* SHA-256 of schemas/lb1/dictionary.txt and schemas/lb2/dictionary.txt. They may never
 * change: a new dictionary is a new prefix. */
#define LB1_DICTIONARY_SHA256 "0dc6ac9660346424768607469126fb0d129064992d2f9d30dfa467d3615af755"
#define LB2_DICTIONARY_SHA256 "f603b8782a2bb347c4125f1f1ef5993f90003e98be0a43991a4fca010528e7fa"

#define SIG 64u

static libro_key *ed; /* RFC 8037 A.1 key, from tests/vectors */
static libro_key *ed_pub;
static libro_key *es; /* a fresh P-256 key */
static libro_key *es_pub;
/* Each format: its prefix, its name in messages, its dictionary file's pinned hash and bytes. */
static struct {
    libro_lb_format format;
    const char *prefix;
    const char *name;
    const char *file;
    const char *sha256;
    libro_buf dict;
} fmts[] = {
    {LIBRO_LB1, "LB1:", "lb1", "../../schemas/lb1/dictionary.txt", LB1_DICTIONARY_SHA256,
     LIBRO_BUF_INIT},
    {LIBRO_LB2, "LB2:", "lb2", "../../schemas/lb2/dictionary.txt", LB2_DICTIONARY_SHA256,
     LIBRO_BUF_INIT},
};
#define N_FMTS LIBRO_NELEM(fmts)

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    size_t i;

    libro_test_read(&pem, libro_test_data_dir(), "rfc8037_ed25519.pem");
    must(libro_key_from_pem(&ed, (const char *) pem.data, pem.len, NULL, 0, &err), &err, "pem");
    must(libro_key_public(&ed_pub, ed, &err), &err, "ed pub");
    must(libro_key_generate(&es, LIBRO_ALG_ES256, &err), &err, "es");
    must(libro_key_public(&es_pub, es, &err), &err, "es pub");
    for (i = 0; i < N_FMTS; i++) {
        libro_test_read(&fmts[i].dict, libro_test_data_dir(), fmts[i].file);
    }
    libro_buf_free(&pem);
}

static void
teardown(void)
{
    size_t i;

    libro_key_free(ed);
    libro_key_free(ed_pub);
    libro_key_free(es);
    libro_key_free(es_pub);
    ed = ed_pub = es = es_pub = NULL;
    for (i = 0; i < N_FMTS; i++) {
        libro_buf_free(&fmts[i].dict);
    }
}

/* ---- frames built by hand --------------------------------------------------------------- */

/* Raw DEFLATE (RFC 1951) of p[0..len) with the dictionary of fmts[f], as an independent
 * encoder would write it; `level` 0 gives stored blocks. */
static void
deflate_raw(libro_buf *out, size_t f, const void *p, size_t len, int level)
{
    const libro_buf *dict = &fmts[f].dict;
    libro_error err = LIBRO_ERROR_INIT;
    z_stream zs;
    uLong bound;

    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    ck_assert_int_eq(deflateSetDictionary(&zs, dict->data, (uInt) dict->len), Z_OK);
    bound = deflateBound(&zs, (uLong) len);
    must(libro_buf_reserve(out, bound, &err), &err, "reserve");
    zs.next_in = p;
    zs.avail_in = (uInt) len;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt) bound;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out->len += bound - zs.avail_out;
    ck_assert_int_eq(deflateEnd(&zs), Z_OK);
}

/* fmts[f]'s prefix, base45(sig_len || n_sig bytes || data). */
static void
frame_text(libro_buf *text, size_t f, unsigned sig_len, size_t n_sig, const void *data,
           size_t data_len)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf frame = LIBRO_BUF_INIT;
    unsigned char b = (unsigned char) sig_len;
    size_t i;

    must(libro_buf_append(&frame, &b, 1, &err), &err, "len");
    for (i = 0; i < n_sig; i++) {
        b = (unsigned char) (0xa0 + i % 16);
        must(libro_buf_append(&frame, &b, 1, &err), &err, "sig");
    }
    must(libro_buf_append(&frame, data, data_len, &err), &err, "data");
    must(libro_buf_append_str(text, fmts[f].prefix, &err), &err, "prefix");
    must(libro_base45_encode(text, frame.data, frame.len, &err), &err, "base45");
    libro_buf_free(&frame);
}

/* A text whose frame carries a 64-byte signature and the compressed `plain`, followed by
 * `extra` bytes after the stream, or with the last `cut` bytes of the stream removed. */
static void
plain_text(libro_buf *text, size_t f, const void *plain, size_t len, const char *extra, size_t cut)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf z = LIBRO_BUF_INIT;

    deflate_raw(&z, f, plain, len, 9);
    ck_assert_uint_gt(z.len, cut);
    z.len -= cut;
    if (extra != NULL) {
        must(libro_buf_append_str(&z, extra, &err), &err, "extra");
    }
    frame_text(text, f, SIG, SIG, z.data, z.len);
    libro_buf_free(&z);
}

/* header || 0x00 || payload with `fill` repeated to the given lengths. */
static void
filled_plain(libro_buf *plain, size_t header_len, size_t payload_len)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_buf_reserve(plain, header_len + 1 + payload_len, &err), &err, "reserve");
    memset(plain->data, 'h', header_len);
    plain->data[header_len] = 0;
    memset(plain->data + header_len + 1, 'p', payload_len);
    plain->len = header_len + 1 + payload_len;
}

static void
sign(libro_buf *jws, const libro_key *k, const char *kid, const char *payload, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_jws_sign_compact(jws, k, kid, "vc+jwt", payload, len, &err), &err, "sign");
}

/* ---- round trips ------------------------------------------------------------------------ */

#define LICENSE                                                                                    \
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://w3id.org/libro/v1\"],"      \
    "\"type\":[\"VerifiableCredential\",\"ProfessionalLicense\"],\"issuer\":\"urn:libro:town-3\"," \
    "\"validFrom\":\"2027-01-01T00:00:00Z\",\"validUntil\":\"2027-12-31T23:59:59Z\","              \
    "\"credentialSchema\":{\"id\":\"https://w3id.org/libro/schemas/professional-license.json\","   \
    "\"type\":\"JsonSchema\"},\"credentialSubject\":{\"name\":\"Zoë Ñandú\",\"licenseNumber\":" \
    "\"3\",\"profession\":\"midwife\",\"licenseType\":\"midwifery\",\"scope\":[\"births\"],"       \
    "\"community\":{\"id\":\"urn:libro:town-3\",\"level\":2}}}"

static const struct {
    const char *name;
    const char *payload;
    const char *kid;
} round_trips[] = {
    {"license", LICENSE, "urn:libro:town-3#kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"},
    {"empty object", "{}", NULL},
    {"empty payload", "", "k"},
    {"not JSON at all", "\x01\x02\xff not json", "k"},
    {"RFC 7515 A.1 claims", "{\"iss\":\"joe\",\r\n \"exp\":1300819380}", "joe"},
};

/* libro_lb1__decode_jws of text[0..len) says what libro_lb1_decode then libro_jws_parse say:
 * the same code and message, the same compact JWS in `jws_out` once the LB text decoded, and
 * a parsed JWS with the same header. Returns it (NULL when refused). */
static libro_jws *
lean_agrees(const libro_buf *text, const char *name)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_error err_lean = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf lean = LIBRO_BUF_INIT;
    libro_jws *parsed = NULL;
    libro_jws *fast = NULL;
    libro_code rc;
    libro_code rc_lean;

    rc = libro_lb1_decode(&jws, (const char *) text->data, text->len, &err);
    if (rc == LIBRO_OK) {
        rc = libro_jws_parse(&parsed, (const char *) jws.data, jws.len, &err);
    }
    rc_lean = libro_lb1__decode_jws(&fast, &lean, (const char *) text->data, text->len,
                                    LIBRO_MAX_TOKEN_BYTES, LIBRO_MAX_CLAIMS_BYTES, &err_lean);
    ck_assert_msg(rc_lean == rc && strcmp(err_lean.msg, err.msg) == 0,
                  "%s: lean %s \"%s\", two steps %s \"%s\"", name, libro_code_name(rc_lean),
                  err_lean.msg, libro_code_name(rc), err.msg);
    ck_assert_msg(lean.len == jws.len &&
                      (jws.len == 0 || memcmp(lean.data, jws.data, jws.len) == 0),
                  "%s: the compact JWS differs", name);
    ck_assert((fast == NULL) == (parsed == NULL));
    if (fast != NULL) {
        ck_assert_str_eq(libro_jws_alg(fast), libro_jws_alg(parsed));
        ck_assert_pstr_eq(libro_jws_kid(fast), libro_jws_kid(parsed));
        ck_assert_pstr_eq(libro_jws_typ(fast), libro_jws_typ(parsed));
    }
    libro_jws_free(parsed);
    libro_buf_free(&jws);
    libro_buf_free(&lean);
    return fast;
}

/* Loop tests run each case for each format: _i = case * N_FMTS + format index. */
static void
round_trip(const libro_key *k, const libro_key *pub, int loop)
{
    size_t f = (size_t) loop % N_FMTS;
    size_t i_case = (size_t) loop / N_FMTS;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    const char *name = round_trips[i_case].name;
    const char *p = round_trips[i_case].payload;
    size_t i;

    sign(&jws, k, round_trips[i_case].kid, p, strlen(p));
    must(libro_lb1_encode_format(&text, fmts[f].format, (const char *) jws.data, jws.len, &err),
         &err, "encode");
    ck_assert_uint_ge(text.len, 4);
    ck_assert(memcmp(text.data, fmts[f].prefix, 4) == 0);
    ck_assert_int_eq(libro_lb1_format_of((const char *) text.data, text.len), fmts[f].format);
    for (i = 4; i < text.len; i++) {
        ck_assert_msg(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", text.data[i]) != NULL,
                      "%s: byte %zu not QR alphanumeric", name, i);
    }
    must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_uint_eq(back.len, jws.len);
    ck_assert_msg(memcmp(back.data, jws.data, jws.len) == 0, "%s: JWS differs", name);
    must(
        libro_jws_verify_compact(&payload, (const char *) back.data, back.len, pub, "vc+jwt", &err),
        &err, "verify");
    ck_assert_uint_eq(payload.len, strlen(p));
    /* Straight into the parsed JWS: it verifies, and its payload is the one signed. */
    {
        libro_jws *fast = lean_agrees(&text, name);
        const unsigned char *got;
        size_t got_len;

        ck_assert_ptr_nonnull(fast);
        must(libro_jws_verify(fast, pub, &err), &err, "verify the lean JWS");
        got = libro_jws_payload(fast, &got_len);
        ck_assert_uint_eq(got_len, strlen(p));
        ck_assert(got_len == 0 || memcmp(got, p, got_len) == 0);
        libro_jws_free(fast);
    }
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&back);
    libro_buf_free(&payload);
}

START_TEST(test_round_trip_ed25519)
{
    round_trip(ed, ed_pub, _i);
}
END_TEST

START_TEST(test_round_trip_es256)
{
    round_trip(es, es_pub, _i);
}
END_TEST

/* Headers and payloads of every length modulo 3, of every byte value: the compact JWS rebuilt
 * from the frame (encoded here, not by libsodium) is the one signed, byte for byte. */
START_TEST(test_rebuild_lengths)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char payload[40];
    char kid[8] = "k";

    for (size_t n = 0; n < sizeof payload; n++) {
        libro_buf jws = LIBRO_BUF_INIT;
        libro_buf text = LIBRO_BUF_INIT;
        libro_buf back = LIBRO_BUF_INIT;
        libro_jws *fast;

        for (size_t i = 0; i < n; i++) {
            payload[i] = (unsigned char) (1 + (n * 37 + i * 101) % 255); /* never the separator */
        }
        kid[n % 3 + 1] = '\0'; /* "k", "kk", "kkk": three header lengths */
        kid[n % 3] = 'k';
        sign(&jws, ed, kid, (const char *) payload, n);
        must(
            libro_lb1_encode_format(&text, fmts[_i].format, (const char *) jws.data, jws.len, &err),
            &err, "encode");
        must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
        ck_assert_msg(back.len == jws.len && memcmp(back.data, jws.data, jws.len) == 0,
                      "payload of %zu bytes: JWS differs", n);
        fast = lean_agrees(&text, "lengths");
        must(libro_jws_verify(fast, ed_pub, &err), &err, "verify");
        libro_jws_free(fast);
        libro_buf_free(&jws);
        libro_buf_free(&text);
        libro_buf_free(&back);
    }
}
END_TEST

/* Both functions append, and leave `out` as it was on failure; libro_lb1_encode writes LB2. */
START_TEST(test_appends)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;

    sign(&jws, ed, "k", "{}", 2);
    must(libro_buf_append_str(&text, "x", &err), &err, "x");
    must(libro_lb1_encode(&text, (const char *) jws.data, jws.len, &err), &err, "encode");
    ck_assert(memcmp(text.data + 1, LIBRO_LB2_PREFIX, 4) == 0);
    LIBRO_ASSERT_CODE(libro_lb1_encode(&text, "a.b", 3, &err), LIBRO_ERR_PARSE, &err,
                      "lb2: the JWS does not have three segments");
    must(libro_buf_append_str(&back, "y", &err), &err, "y");
    must(libro_lb1_decode(&back, (const char *) text.data + 1, text.len - 1, &err), &err, "decode");
    LIBRO_ASSERT_CODE(libro_lb1_decode(&back, "LB3:", 4, &err), LIBRO_ERR_PARSE, &err, NULL);
    ck_assert_uint_eq(back.len, jws.len + 1);
    ck_assert(back.data[0] == 'y' && memcmp(back.data + 1, jws.data, jws.len) == 0);
    ck_assert(text.data[0] == 'x');
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&back);
}
END_TEST

/* Encoding is deterministic, and the decoder reads any valid RFC 1951 stream, not only
 * zlib's level-9 output: here stored blocks and level 1. */
START_TEST(test_other_deflate_encoders)
{
    static const char plain[] = "{\"alg\":\"EdDSA\"}\0{\"a\":1}";
    static const int levels[] = {0, 1, 9};
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;

    for (i = 0; i < N_FMTS * LIBRO_NELEM(levels); i++) {
        size_t f = i % N_FMTS;
        int level = levels[i / N_FMTS];
        libro_buf z = LIBRO_BUF_INIT;
        libro_buf text = LIBRO_BUF_INIT;
        libro_buf jws = LIBRO_BUF_INIT;
        libro_buf again = LIBRO_BUF_INIT;

        deflate_raw(&z, f, plain, sizeof plain - 1, level);
        frame_text(&text, f, SIG, SIG, z.data, z.len);
        must(libro_lb1_decode(&jws, (const char *) text.data, text.len, &err), &err, "decode");
        ck_assert_str_eq((const char *) jws.data,
                         "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.oKGio6SlpqeoqaqrrK2ur6ChoqOkpaanqKmqq6y"
                         "trq-goaKjpKWmp6ipqqusra6voKGio6SlpqeoqaqrrK2urw");
        must(
            libro_lb1_encode_format(&again, fmts[f].format, (const char *) jws.data, jws.len, &err),
            &err, "encode");
        if (level == 9) {
            ck_assert_str_eq((const char *) again.data, (const char *) text.data);
        }
        libro_buf_free(&z);
        libro_buf_free(&text);
        libro_buf_free(&jws);
        libro_buf_free(&again);
    }
}
END_TEST

/* The transport carries bytes, not JSON: a header that is not JSON passes and fails at the
 * JWS. */
START_TEST(test_bad_json_inside)
{
    static const char plain[] = "{\"alg\":\"EdDSA\",}\0{}";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_jws *parsed = NULL;

    plain_text(&text, (size_t) _i, plain, sizeof plain - 1, NULL, 0);
    must(libro_lb1_decode(&jws, (const char *) text.data, text.len, &err), &err, "decode");
    LIBRO_ASSERT_CODE(libro_jws_parse(&parsed, (const char *) jws.data, jws.len, &err),
                      LIBRO_ERR_PARSE, &err, "jws: header");
    ck_assert_ptr_null(parsed);
    ck_assert_ptr_null(lean_agrees(&text, "bad header"));
    libro_buf_free(&text);
    libro_buf_free(&jws);
}
END_TEST

/* ---- the dictionary --------------------------------------------------------------------- */

START_TEST(test_dictionary_pinned)
{
    libro_error err = LIBRO_ERROR_INIT;
    const libro_buf *dict = &fmts[_i].dict;
    unsigned char digest[32];
    libro_buf hex = LIBRO_BUF_INIT;
    size_t i;

    ck_assert_str_eq(libro_lb1_dictionary_sha256(fmts[_i].format), fmts[_i].sha256);
    /* The library carries the bytes of the file in the tree. */
    must(libro_sha256(digest, dict->data, dict->len, &err), &err, "sha256");
    must(libro_hex_encode(&hex, digest, sizeof digest, &err), &err, "hex");
    ck_assert_str_eq((const char *) hex.data, fmts[_i].sha256);
    ck_assert_uint_le(dict->len, 4096);
    /* Printable ASCII, no line break (schemas/lb1/README.md). */
    for (i = 0; i < dict->len; i++) {
        ck_assert_msg(dict->data[i] >= 0x20 && dict->data[i] < 0x7f, "byte %zu is 0x%02x", i,
                      dict->data[i]);
    }
    ck_assert_ptr_null(libro_lb1_dictionary_sha256((libro_lb_format) 0));
    ck_assert_ptr_null(libro_lb1_dictionary_sha256((libro_lb_format) 4)); /* LB3: check_lb3 */
    libro_buf_free(&hex);
}
END_TEST

/* The reference license (schemas/examples/professional-license.json) signed as vc+jwt with
 * the RFC 8037 key: how well LB1 and LB2 pack it. check_qr.c turns the text into a QR code. */
START_TEST(test_reference_license_ratio)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf file = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    json_t *root = NULL;
    const char *issuer;
    size_t len[N_FMTS];
    size_t i;

    libro_test_read(&file, libro_test_data_dir(),
                    "../../schemas/examples/professional-license.json");
    must(libro_json__load(&root, (const char *) file.data, file.len, &lim, &err), &err, "load");
    must(libro_json__dump(&payload, root, &err), &err, "dump");
    issuer = json_string_value(json_object_get(root, "issuer"));
    ck_assert_ptr_nonnull(issuer);
    must(libro_key_thumbprint(tp, ed, &err), &err, "thumbprint");
    must(libro_buf_printf(&kid, &err, "%s#%s", issuer, tp), &err, "kid");
    sign(&jws, ed, (const char *) kid.data, (const char *) payload.data, payload.len);
    for (i = 0; i < N_FMTS; i++) {
        text.len = back.len = 0;
        must(libro_lb1_encode_format(&text, fmts[i].format, (const char *) jws.data, jws.len, &err),
             &err, "encode");
        must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
        ck_assert(back.len == jws.len && memcmp(back.data, jws.data, jws.len) == 0);
        fprintf(stderr,
                "%s: reference license: %zu bytes payload, %zu bytes JWS, %zu chars %.3s "
                "(%.1f%% of the JWS)\n",
                fmts[i].name, payload.len, jws.len, text.len, fmts[i].prefix,
                100.0 * (double) text.len / (double) jws.len);
        ck_assert_uint_lt(text.len, jws.len / 2);
        len[i] = text.len;
    }
    /* The point of LB2: a license with its three status entries packs tighter. */
    ck_assert_uint_lt(len[1] + 100, len[0]);
    json_decref(root);
    libro_buf_free(&file);
    libro_buf_free(&payload);
    libro_buf_free(&kid);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&back);
}
END_TEST

/* An LB1 text as libro printed it before LB2 (LICENSE signed with the RFC 8037 key, kid
 * "urn:libro:town-3#k"): it must decode to that JWS, and verify, with every release. */
#define PRINTED_LB1                                                                                \
    "LB1::68H9TU/LOG83RUYAKRNTXUC83UAY7*E6JIF6K7Z.I1QUJ4W2XK+23VLDULA16HP4H..7Q 5SZDW S -R3C0"     \
    "U V:AR72E0NSL60FXIF685FMLJMY%65H7+53E610SSR+PBJCHT8K96HYE*V0JT62RUL7M-47NB2MPEYYNZM9EA6D"     \
    "0AWGQR+0*INK-O31UY9BZE9BQ5GJPL*4+YE3NS YI00"

START_TEST(test_printed_lb1)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;

    sign(&jws, ed, "urn:libro:town-3#k", LICENSE, strlen(LICENSE));
    must(libro_lb1_decode(&back, PRINTED_LB1, strlen(PRINTED_LB1), &err), &err, "decode");
    ck_assert_str_eq((const char *) back.data, (const char *) jws.data);
    must(libro_jws_verify_compact(&payload, (const char *) back.data, back.len, ed_pub, "vc+jwt",
                                  &err),
         &err, "verify");
    ck_assert_str_eq((const char *) payload.data, LICENSE);
    libro_buf_free(&jws);
    libro_buf_free(&back);
    libro_buf_free(&payload);
}
END_TEST

/* A frame made with one format's dictionary under the other's prefix never yields the JWS:
 * the prefix is what chooses the dictionary. Either the stream reaches before the start of
 * the shorter dictionary (refused), or it inflates to other bytes, whose signature fails. */
START_TEST(test_wrong_dictionary)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    size_t f = (size_t) _i;
    size_t other = (f + 1) % N_FMTS;
    libro_code rc;

    sign(&jws, ed, "urn:libro:town-3#k", LICENSE, strlen(LICENSE));
    must(libro_lb1_encode_format(&text, fmts[f].format, (const char *) jws.data, jws.len, &err),
         &err, "encode");
    memcpy(text.data, fmts[other].prefix, 4);
    rc = libro_lb1_decode(&back, (const char *) text.data, text.len, &err);
    if (rc == LIBRO_OK) {
        ck_assert(back.len != jws.len || memcmp(back.data, jws.data, jws.len) != 0);
        ck_assert_int_ne(libro_jws_verify_compact(&payload, (const char *) back.data, back.len,
                                                  ed_pub, "vc+jwt", &err),
                         LIBRO_OK);
    } else {
        ck_assert_msg(strncmp(err.msg, fmts[other].name, 3) == 0, "%s", err.msg);
    }
    fprintf(stderr, "lb1: %.3s frame as %.3s: %s (%s)\n", fmts[f].prefix, fmts[other].prefix,
            libro_code_name(rc), rc == LIBRO_OK ? "another JWS" : err.msg);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&back);
    libro_buf_free(&payload);
}
END_TEST

/* ---- malformed text --------------------------------------------------------------------- */

enum build {
    LITERAL,   /* `text` as is */
    PREFIXED,  /* a valid text with its first four bytes replaced by `text` */
    SIG_LEN,   /* sig_len byte `n`, `n` signature bytes, then a valid stream */
    SHORT,     /* sig_len 64 and only `n` signature bytes */
    GARBAGE,   /* sig_len 64, signature, then `text` as the stream */
    CUT,       /* a valid stream without its last `n` bytes */
    TRAILING,  /* a valid stream followed by `text` */
    PLAIN,     /* `n` bytes of `text` as header || 0x00 || payload, compressed */
    ZEROS,     /* `n` zero bytes compressed: a DEFLATE bomb when `n` is large */
    FILLED,    /* header of `n` bytes, payload of `m` */
    LONG_TEXT, /* the prefix and `n` - 4 '0' characters */
};

static const char valid_plain[] = "{\"alg\":\"EdDSA\"}\0{}";

/* Each case runs under both prefixes: a LITERAL text's "LB1" becomes the format's prefix, and
 * a message's leading "lb1" the format's name, except where `any` says the text is refused
 * before its prefix is known (the message is then the same for both). */
static const struct {
    const char *name;
    enum build build;
    const char *text;
    size_t n;
    size_t m;
    libro_code want;
    const char *msg;
    bool any;
} bad[] = {
    {"empty", LITERAL, "", 0, 0, LIBRO_ERR_PARSE,
     "lb1: text does not start with \"LB2:\", \"LB3:\" or \"LB1:\"", true},
    {"prefix LB4", PREFIXED, "LB4:", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"prefix LB0", PREFIXED, "LB0:", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"lowercase prefix", PREFIXED, "lb1:", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"lowercase prefix 2", PREFIXED, "lb2:", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"prefix without colon", PREFIXED, "LB1 ", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"prefix cut", LITERAL, "LB1", 0, 0, LIBRO_ERR_PARSE, "does not start with", true},
    {"lowercase base45", LITERAL, "LB1:abc", 0, 0, LIBRO_ERR_ENCODING,
     "lb1: base45: invalid character at offset 0", false},
    {"newline", LITERAL, "LB1:000\n", 0, 0, LIBRO_ERR_ENCODING,
     "lb1: base45: invalid character at offset 3", false},
    {"base45 length", LITERAL, "LB1:0000", 0, 0, LIBRO_ERR_ENCODING,
     "lb1: base45: impossible length 4", false},
    {"base45 triple", LITERAL, "LB1:GGW", 0, 0, LIBRO_ERR_ENCODING, "exceeds 65535", false},
    {"base45 pair", LITERAL, "LB1:::", 0, 0, LIBRO_ERR_ENCODING, "exceeds 255", false},
    {"empty frame", LITERAL, "LB1:", 0, 0, LIBRO_ERR_PARSE, "lb1: empty frame", false},
    {"signature length 63", SIG_LEN, NULL, 63, 0, LIBRO_ERR_PARSE,
     "lb1: signature length 63, expected 64", false},
    {"signature length 65", SIG_LEN, NULL, 65, 0, LIBRO_ERR_PARSE,
     "lb1: signature length 65, expected 64", false},
    {"signature length 0", SIG_LEN, NULL, 0, 0, LIBRO_ERR_PARSE,
     "lb1: signature length 0, expected 64", false},
    {"frame is the length byte", SHORT, NULL, 0, 0, LIBRO_ERR_PARSE,
     "lb1: frame shorter than its 64-byte signature", false},
    {"frame shorter than signature", SHORT, NULL, 63, 0, LIBRO_ERR_PARSE,
     "lb1: frame shorter than its 64-byte signature", false},
    {"no compressed data", SHORT, NULL, 64, 0, LIBRO_ERR_PARSE, "lb1: compressed data is truncated",
     false},
    {"truncated by one byte", CUT, NULL, 1, 0, LIBRO_ERR_PARSE, "lb1: compressed data is truncated",
     false},
    {"truncated by half", CUT, NULL, 4, 0, LIBRO_ERR_PARSE, "lb1: compressed data is truncated",
     false},
    {"trailing zero byte", TRAILING, "\x00", 1, 0, LIBRO_ERR_PARSE,
     "lb1: trailing bytes after the compressed data", false},
    {"trailing text", TRAILING, "more", 4, 0, LIBRO_ERR_PARSE,
     "lb1: trailing bytes after the compressed data", false},
    {"reserved block type", GARBAGE, "\xff\xff\xff", 3, 0, LIBRO_ERR_PARSE,
     "lb1: bad compressed data (invalid block type)", false},
    {"stored block length", GARBAGE, "\x01\x05\x00\x00\x00", 5, 0, LIBRO_ERR_PARSE,
     "lb1: bad compressed data (invalid stored block lengths)", false},
    /* A fixed-Huffman block (RFC 1951 §3.2.6) whose first symbol is a match of length 3 at
     * distance 24577, reaching before the start of the dictionary. */
    {"distance too far back", GARBAGE, "\x03\x5e\x00\x00\x00", 5, 0, LIBRO_ERR_PARSE,
     "lb1: bad compressed data (invalid distance too far back)", false},
    {"deflate bomb", ZEROS, NULL, 1u << 20, 0, LIBRO_ERR_LIMIT,
     "lb1: inflated data exceeds 9217 bytes", false},
    {"inflated cap + 1", ZEROS, NULL, LIBRO_MAX_LB1_INFLATED + 1, 0, LIBRO_ERR_LIMIT,
     "lb1: inflated data exceeds 9217 bytes", false},
    /* Exactly the cap inflates; then the payload cap speaks. */
    {"inflated cap", FILLED, NULL, 10, LIBRO_MAX_LB1_INFLATED - 11, LIBRO_ERR_LIMIT,
     "lb1: payload exceeds 8192 bytes", false},
    {"empty stream", PLAIN, "", 0, 0, LIBRO_ERR_PARSE,
     "lb1: no 0x00 separator between header and payload", false},
    {"missing separator", PLAIN, "{\"alg\":\"EdDSA\"}{}", 17, 0, LIBRO_ERR_PARSE,
     "lb1: no 0x00 separator between header and payload", false},
    {"two separators", PLAIN, "{\"alg\":\"EdDSA\"}\0{}\0", 19, 0, LIBRO_ERR_PARSE,
     "lb1: more than one 0x00 separator", false},
    {"separator at the end", PLAIN, "{}\0{}\0", 6, 0, LIBRO_ERR_PARSE,
     "lb1: more than one 0x00 separator", false},
    {"header cap + 1", FILLED, NULL, LIBRO_MAX_HEADER_BYTES + 1, 2, LIBRO_ERR_LIMIT,
     "lb1: header exceeds 1024 bytes", false},
    {"payload cap + 1", FILLED, NULL, 2, LIBRO_MAX_CLAIMS_BYTES + 1, LIBRO_ERR_LIMIT,
     "lb1: payload exceeds 8192 bytes", false},
    {"text cap + 1", LONG_TEXT, NULL, LIBRO_MAX_LB1_TEXT_BYTES + 1, 0, LIBRO_ERR_LIMIT,
     "lb1: text exceeds 8192 bytes", true},
    /* At the cap the text is read, and 8188 base45 characters are an impossible length. */
    {"text cap", LONG_TEXT, NULL, LIBRO_MAX_LB1_TEXT_BYTES, 0, LIBRO_ERR_ENCODING,
     "lb1: base45: impossible length 8188", false},
};

static void
build_bad(libro_buf *text, size_t f, size_t i)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf z = LIBRO_BUF_INIT;
    libro_buf plain = LIBRO_BUF_INIT;

    switch (bad[i].build) {
    case LITERAL:
        must(libro_buf_append_str(text, bad[i].text, &err), &err, "literal");
        if (text->len >= 3 && memcmp(text->data, "LB1", 3) == 0) {
            memcpy(text->data, fmts[f].prefix, 3);
        }
        break;
    case PREFIXED:
        plain_text(text, f, valid_plain, sizeof valid_plain - 1, NULL, 0);
        memcpy(text->data, bad[i].text, 4);
        break;
    case SIG_LEN:
        deflate_raw(&z, f, valid_plain, sizeof valid_plain - 1, 9);
        frame_text(text, f, (unsigned) bad[i].n, bad[i].n, z.data, z.len);
        break;
    case SHORT:
        frame_text(text, f, SIG, bad[i].n, NULL, 0);
        break;
    case GARBAGE:
        frame_text(text, f, SIG, SIG, bad[i].text, bad[i].n);
        break;
    case CUT:
        plain_text(text, f, valid_plain, sizeof valid_plain - 1, NULL, bad[i].n);
        break;
    case TRAILING:
        deflate_raw(&z, f, valid_plain, sizeof valid_plain - 1, 9);
        must(libro_buf_append(&z, bad[i].text, bad[i].n, &err), &err, "trailing");
        frame_text(text, f, SIG, SIG, z.data, z.len);
        break;
    case PLAIN:
        plain_text(text, f, bad[i].text, bad[i].n, NULL, 0);
        break;
    case ZEROS:
        must(libro_buf_reserve(&plain, bad[i].n, &err), &err, "zeros");
        memset(plain.data, 0, bad[i].n);
        plain_text(text, f, plain.data, bad[i].n, NULL, 0);
        break;
    case FILLED:
        filled_plain(&plain, bad[i].n, bad[i].m);
        plain_text(text, f, plain.data, plain.len, NULL, 0);
        break;
    case LONG_TEXT:
        must(libro_buf_append_str(text, fmts[f].prefix, &err), &err, "prefix");
        must(libro_buf_reserve(text, bad[i].n - 4, &err), &err, "long");
        memset(text->data + 4, '0', bad[i].n - 4);
        text->len = bad[i].n;
        break;
    }
    libro_buf_free(&z);
    libro_buf_free(&plain);
}

/* The message `msg` names LB1 ("lb1: ..."); for fmts[f] it names that format, unless `any`. */
static void
want_msg(char want[LIBRO_ERROR_MSG_MAX], size_t f, const char *msg, bool any)
{
    (void) snprintf(want, LIBRO_ERROR_MSG_MAX, "%s", msg);
    if (!any && strncmp(want, "lb1", 3) == 0) {
        memcpy(want, fmts[f].name, 3);
    }
}

START_TEST(test_decode_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    size_t f = (size_t) _i % N_FMTS;
    size_t i = (size_t) _i / N_FMTS;
    char want[LIBRO_ERROR_MSG_MAX];
    libro_code rc;

    build_bad(&text, f, i);
    want_msg(want, f, bad[i].msg, bad[i].any);
    rc = libro_lb1_decode(&out, (const char *) text.data, text.len, &err);
    ck_assert_msg(rc == bad[i].want && strstr(err.msg, want) != NULL,
                  "%s %s: got %s \"%s\", want %s \"%s\"", fmts[f].prefix, bad[i].name,
                  libro_code_name(rc), err.msg, libro_code_name(bad[i].want), want);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_ptr_null(lean_agrees(&text, bad[i].name));
    libro_buf_free(&text);
    libro_buf_free(&out);
}
END_TEST

/* Header and payload at their caps decode; one more byte of either is refused (above). */
START_TEST(test_decode_caps)
{
    libro_lb_format format = fmts[_i].format;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf plain = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;

    filled_plain(&plain, LIBRO_MAX_HEADER_BYTES, LIBRO_MAX_CLAIMS_BYTES);
    plain_text(&text, (size_t) _i, plain.data, plain.len, NULL, 0);
    must(libro_lb1_decode(&jws, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_uint_eq(jws.len, 1366 + 1 + 10923 + 1 + 86);
    ck_assert_ptr_null(lean_agrees(&text, "at the caps")); /* its header is not JSON */
    /* What the decoder reads, the encoder packs. */
    must(libro_lb1_encode_format(&again, format, (const char *) jws.data, jws.len, &err), &err,
         "encode");
    libro_buf_free(&plain);
    libro_buf_free(&text);
    libro_buf_free(&jws);
    libro_buf_free(&again);
}
END_TEST

START_TEST(test_decode_null_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_lb1_decode(NULL, "LB1:", 4, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "lb1: NULL argument");
    LIBRO_ASSERT_CODE(libro_lb1_decode(&out, NULL, 4, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "lb1: NULL argument");
    LIBRO_ASSERT_CODE(libro_lb1_decode(&out, NULL, 0, &err), LIBRO_ERR_PARSE, &err,
                      "does not start with");
    LIBRO_ASSERT_CODE(libro_lb1_encode(NULL, "a.b.c", 5, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "lb2: NULL argument");
    LIBRO_ASSERT_CODE(libro_lb1_encode(&out, NULL, 5, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "lb2: NULL argument");
    LIBRO_ASSERT_CODE(libro_lb1_encode(&out, NULL, 0, &err), LIBRO_ERR_PARSE, &err,
                      "lb2: the JWS does not have three segments");
    LIBRO_ASSERT_CODE(libro_lb1_encode_format(&out, LIBRO_LB1, NULL, 5, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "lb1: NULL argument");
    LIBRO_ASSERT_CODE(libro_lb1_encode_format(&out, (libro_lb_format) 0, "a.b.c", 5, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "lb1: unknown format 0");
    LIBRO_ASSERT_CODE(libro_lb1_encode_format(&out, (libro_lb_format) 4, "a.b.c", 5, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "lb1: unknown format 4");
    LIBRO_ASSERT_CODE(libro_lb1_encode_format(&out, LIBRO_LB3, "a.b.c", 5, &err),
                      LIBRO_ERR_UNSUPPORTED, &err,
                      "lb3: not a compact JWS with a 64-byte signature");
    ck_assert_int_eq(libro_lb1_format_of(NULL, 4), 0);
    ck_assert_int_eq(libro_lb1_format_of("LB2", 3), 0);
    ck_assert_int_eq(libro_lb1_format_of("LB2:", 4), LIBRO_LB2);
    ck_assert_int_eq(libro_lb1_format_of("LB1:", 4), LIBRO_LB1);
    ck_assert_int_eq(libro_lb1_format_of("LB3:", 4), LIBRO_LB3);
    ck_assert_int_eq(libro_lb1_format_of("lb2:", 4), 0);
    ck_assert_ptr_null(out.data);
}
END_TEST

/* ---- the encoder's refusals ------------------------------------------------------------- */

/* 64 and 63 zero bytes in base64url (86 and 84 characters). */
#define SIG63 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SIG64 SIG63 "AA"

static const struct {
    const char *name;
    const char *jws;
    libro_code want;
    const char *msg;
} bad_encode[] = {
    {"empty", "", LIBRO_ERR_PARSE, "lb1: the JWS does not have three segments"},
    {"two segments", "e30.e30", LIBRO_ERR_PARSE, "lb1: the JWS does not have three segments"},
    {"four segments", "e30.e30." SIG64 ".", LIBRO_ERR_PARSE, "does not have three segments"},
    {"padded header", "e30=.e30." SIG64, LIBRO_ERR_ENCODING, "lb1: header: "},
    {"bad payload", "e30.e3!." SIG64, LIBRO_ERR_ENCODING, "lb1: payload: "},
    {"non-canonical signature", "e30.e30.AB", LIBRO_ERR_ENCODING, "lb1: signature: "},
    {"signature length mod 4 = 1", "e30.e30." SIG64 "AAA", LIBRO_ERR_ENCODING, "lb1: signature: "},
    {"signature 0 bytes", "e30.e30.", LIBRO_ERR_PARSE, "lb1: signature is 0 bytes, not 64"},
    {"signature 63 bytes", "e30.e30." SIG63, LIBRO_ERR_PARSE, "lb1: signature is 63 bytes, not 64"},
    {"signature 65 bytes", "e30.e30." SIG64 "A", LIBRO_ERR_PARSE,
     "lb1: signature is 65 bytes, not 64"},
    /* "{}\0" and "\0{}" in base64url. */
    {"NUL in header", "e30A.e30." SIG64, LIBRO_ERR_PARSE, "lb1: header holds a 0x00 byte"},
    {"NUL in payload", "e30.AHt9." SIG64, LIBRO_ERR_PARSE, "lb1: payload holds a 0x00 byte"},
};

START_TEST(test_encode_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    size_t f = (size_t) _i % N_FMTS;
    size_t i = (size_t) _i / N_FMTS;
    char want[LIBRO_ERROR_MSG_MAX];
    libro_code rc = libro_lb1_encode_format(&out, fmts[f].format, bad_encode[i].jws,
                                            strlen(bad_encode[i].jws), &err);

    want_msg(want, f, bad_encode[i].msg, false);
    ck_assert_msg(rc == bad_encode[i].want && strstr(err.msg, want) != NULL, "%s %s: got %s \"%s\"",
                  fmts[f].prefix, bad_encode[i].name, libro_code_name(rc), err.msg);
    ck_assert_ptr_null(out.data);
}
END_TEST

/* A JWS from parts given as raw bytes (any lengths), signature of 64 bytes. */
static void
jws_of(libro_buf *jws, const libro_buf *header, const libro_buf *payload)
{
    libro_error err = LIBRO_ERROR_INIT;
    static const unsigned char sig[SIG];

    must(libro_b64url_encode(jws, header->data, header->len, &err), &err, "h");
    must(libro_buf_append(jws, ".", 1, &err), &err, ".");
    must(libro_b64url_encode(jws, payload->data, payload->len, &err), &err, "p");
    must(libro_buf_append(jws, ".", 1, &err), &err, ".");
    must(libro_b64url_encode(jws, sig, sizeof sig, &err), &err, "s");
}

/* Header and payload caps at max and max+1, the token cap, and a text over the cap. */
START_TEST(test_encode_caps)
{
    static const struct {
        size_t header;
        size_t payload;
        bool random;
        libro_code want;
        const char *msg;
    } cases[] = {
        {LIBRO_MAX_HEADER_BYTES, 2, false, LIBRO_OK, NULL},
        {LIBRO_MAX_HEADER_BYTES + 1, 2, false, LIBRO_ERR_LIMIT, "lb1: header exceeds 1024 bytes"},
        {2, LIBRO_MAX_CLAIMS_BYTES, false, LIBRO_OK, NULL},
        {2, LIBRO_MAX_CLAIMS_BYTES + 1, false, LIBRO_ERR_LIMIT, "lb1: payload exceeds 8192 bytes"},
        /* 12,290 base64url characters: under the token cap, over the LB1 text cap. */
        {2, LIBRO_MAX_CLAIMS_BYTES, true, LIBRO_ERR_LIMIT, "lb1: text would exceed 8192 bytes"},
        /* Over the token cap before anything is decoded. */
        {LIBRO_MAX_CLAIMS_BYTES, LIBRO_MAX_CLAIMS_BYTES, false, LIBRO_ERR_LIMIT,
         "lb1: JWS exceeds 16384 bytes"},
    };
    char want[LIBRO_ERROR_MSG_MAX];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(cases); i++) {
        libro_error err = LIBRO_ERROR_INIT;
        libro_buf header = LIBRO_BUF_INIT;
        libro_buf payload = LIBRO_BUF_INIT;
        libro_buf jws = LIBRO_BUF_INIT;
        libro_buf text = LIBRO_BUF_INIT;
        size_t k;

        filled_plain(&header, cases[i].header, 0);
        header.len--; /* drop the 0x00 */
        filled_plain(&payload, cases[i].payload, 0);
        payload.len--;
        if (cases[i].random) {
            must(libro_random_bytes(payload.data, payload.len, &err), &err, "random");
            for (k = 0; k < payload.len; k++) {
                payload.data[k] |= 1; /* no NUL */
            }
        }
        jws_of(&jws, &header, &payload);
        if (cases[i].msg != NULL) {
            want_msg(want, (size_t) _i, cases[i].msg, false);
        }
        LIBRO_ASSERT_CODE(
            libro_lb1_encode_format(&text, fmts[_i].format, (const char *) jws.data, jws.len, &err),
            cases[i].want, &err, cases[i].msg != NULL ? want : NULL);
        libro_buf_free(&header);
        libro_buf_free(&payload);
        libro_buf_free(&jws);
        libro_buf_free(&text);
    }
}
END_TEST

/* ---- out of memory ---------------------------------------------------------------------- */

/* Fail the 1st, 2nd, ... allocation (ours, zlib's) until the call succeeds; every failure must
 * be LIBRO_ERR_NOMEM with nothing leaked (ASan checks the leak part). */
#define OOM_LOOP(call)                                                                             \
    do {                                                                                           \
        unsigned long n_;                                                                          \
        libro_code rc_ = LIBRO_ERR_NOMEM;                                                          \
        for (n_ = 1; n_ < 1000 && rc_ != LIBRO_OK; n_++) {                                         \
            libro_error e_ = LIBRO_ERROR_INIT;                                                     \
            libro__alloc_fail_after(n_);                                                           \
            rc_ = (call);                                                                          \
            libro__alloc_fail_after(0);                                                            \
            ck_assert_msg(rc_ == LIBRO_OK || rc_ == LIBRO_ERR_NOMEM, "%s at %lu: %s (%s)", #call,  \
                          n_, libro_code_name(rc_), e_.msg);                                       \
        }                                                                                          \
        ck_assert_int_eq(rc_, LIBRO_OK);                                                           \
    } while (0)

static libro_buf oom_jws = LIBRO_BUF_INIT;
static libro_buf oom_text = LIBRO_BUF_INIT;
static libro_lb_format oom_format;

static libro_code
oom_encode(libro_error *err)
{
    libro_buf out = LIBRO_BUF_INIT;
    libro_code rc =
        libro_lb1_encode_format(&out, oom_format, (const char *) oom_jws.data, oom_jws.len, err);

    libro_buf_free(&out);
    return rc;
}

static libro_code
oom_decode(libro_error *err)
{
    libro_buf out = LIBRO_BUF_INIT;
    libro_code rc = libro_lb1_decode(&out, (const char *) oom_text.data, oom_text.len, err);

    libro_buf_free(&out);
    return rc;
}

static libro_code
oom_decode_jws(libro_error *err)
{
    libro_buf out = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    libro_code rc = libro_lb1__decode_jws(&jws, &out, (const char *) oom_text.data, oom_text.len,
                                          LIBRO_MAX_TOKEN_BYTES, LIBRO_MAX_CLAIMS_BYTES, err);

    ck_assert((rc == LIBRO_OK) == (jws != NULL));
    libro_jws_free(jws);
    libro_buf_free(&out);
    return rc;
}

START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;

    oom_format = fmts[_i].format;
    sign(&oom_jws, ed, "urn:libro:town-3#k", LICENSE, strlen(LICENSE));
    must(libro_lb1_encode_format(&oom_text, oom_format, (const char *) oom_jws.data, oom_jws.len,
                                 &err),
         &err, "encode");
    OOM_LOOP(oom_encode(&e_));
    OOM_LOOP(oom_decode(&e_));
    OOM_LOOP(oom_decode_jws(&e_));
    libro_buf_free(&oom_jws);
    libro_buf_free(&oom_text);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("lb1");
    TCase *ok = tcase_create("round_trip");
    TCase *dictionary = tcase_create("dictionary");
    TCase *decode = tcase_create("decode_rejects");
    TCase *encode = tcase_create("encode_rejects");
    TCase *limits = tcase_create("limits");
    TCase *oom = tcase_create("oom");
    TCase *all[] = {ok, dictionary, decode, encode, limits, oom};
    size_t i;

    for (i = 0; i < LIBRO_NELEM(all); i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_loop_test(ok, test_round_trip_ed25519, 0, (int) (N_FMTS * LIBRO_NELEM(round_trips)));
    tcase_add_loop_test(ok, test_round_trip_es256, 0, (int) (N_FMTS * LIBRO_NELEM(round_trips)));
    tcase_add_test(ok, test_appends);
    tcase_add_loop_test(ok, test_rebuild_lengths, 0, (int) N_FMTS);
    tcase_add_test(ok, test_other_deflate_encoders);
    tcase_add_loop_test(ok, test_bad_json_inside, 0, (int) N_FMTS);
    tcase_add_test(ok, test_printed_lb1);

    tcase_add_loop_test(dictionary, test_dictionary_pinned, 0, (int) N_FMTS);
    tcase_add_test(dictionary, test_reference_license_ratio);
    tcase_add_loop_test(dictionary, test_wrong_dictionary, 0, (int) N_FMTS);

    tcase_add_loop_test(decode, test_decode_rejects, 0, (int) (N_FMTS * LIBRO_NELEM(bad)));
    tcase_add_test(decode, test_decode_null_args);

    tcase_add_loop_test(encode, test_encode_rejects, 0, (int) (N_FMTS * LIBRO_NELEM(bad_encode)));

    tcase_add_loop_test(limits, test_decode_caps, 0, (int) N_FMTS);
    tcase_add_loop_test(limits, test_encode_caps, 0, (int) N_FMTS);

    tcase_add_loop_test(oom, test_oom, 0, (int) N_FMTS);
    return s;
}
