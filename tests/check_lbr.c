/* The LBR reference QR (core/src/lbr.c): round trips for both kinds, the exact text of a known
 * hash, every refusal with its code and message, and the QR version the text needs at level M
 * (at most 12 by the issue; measured with the renderer libro prints codes with). */
#include <stdio.h>
#include <string.h>

#include "libro/encoding.h"
#include "libro/lbr.h"
#include "libro/qr.h"
#include "test_util.h"

#define HASH_ZERO "sha256:0000000000000000000000000000000000000000000000000000000000000000"
#define HASH_ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

START_TEST(test_round_trip)
{
    static const libro_lbr_kind kinds[] = {LIBRO_LBR_AGREEMENT, LIBRO_LBR_LAW};
    static const char *const hashes[] = {HASH_ZERO, HASH_ABC};
    libro_error err = LIBRO_ERROR_INIT;
    size_t k;
    size_t h;

    for (k = 0; k < 2; k++) {
        for (h = 0; h < 2; h++) {
            libro_buf text = LIBRO_BUF_INIT;
            libro_lbr_kind kind = (libro_lbr_kind) 0;
            char back[LIBRO_HASH_REF_SIZE];

            must(libro_lbr_encode(&text, kinds[k], hashes[h], &err), &err, "encode");
            ck_assert_uint_eq(text.len, LIBRO_LBR_TEXT_LEN);
            ck_assert_int_eq(memcmp(text.data, "LBR:", 4), 0);
            must(libro_lbr_decode(&kind, back, (const char *) text.data, text.len, &err), &err,
                 "decode");
            ck_assert_int_eq(kind, kinds[k]);
            ck_assert_str_eq(back, hashes[h]);
            libro_buf_free(&text);
        }
    }
}
END_TEST

/* The kind byte leads: the text of an agreement's reference to the SHA-256 of "abc" is
 * fixed (RFC 9285 base45 of 01 ba 78 16 ...). */
START_TEST(test_known_text)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;

    must(libro_lbr_encode(&text, LIBRO_LBR_AGREEMENT, HASH_ABC, &err), &err, "encode");
    libro_test_hex(&raw, "01ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    must(libro_buf_append_str(&want, "LBR:", &err), &err, "prefix");
    must(libro_base45_encode(&want, raw.data, raw.len, &err), &err, "base45");
    ck_assert_str_eq((const char *) text.data, (const char *) want.data);
    libro_buf_free(&want);
    libro_buf_free(&raw);
    libro_buf_free(&text);
}
END_TEST

/* A reference of kind byte `kind`, built by hand. */
static void
with_kind(libro_buf *out, unsigned char kind)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char raw[33] = {0};

    raw[0] = kind;
    must(libro_buf_append_str(out, "LBR:", &err), &err, "prefix");
    must(libro_base45_encode(out, raw, sizeof raw, &err), &err, "base45");
}

START_TEST(test_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf good = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_lbr_kind kind = LIBRO_LBR_LAW;
    char hash[LIBRO_HASH_REF_SIZE] = "untouched";

    must(libro_lbr_encode(&good, LIBRO_LBR_LAW, HASH_ABC, &err), &err, "encode");
    /* lower-case prefix, another prefix, short, long */
    must(libro_buf_append(&text, good.data, good.len, &err), &err, "copy");
    text.data[0] = 'l';
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_PARSE, &err, "lbr: does not start with \"LBR:\"");
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, "LB2:ABC", 7, &err), LIBRO_ERR_PARSE, &err,
                      "lbr: does not start with \"LBR:\"");
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) good.data, good.len - 1, &err),
                      LIBRO_ERR_PARSE, &err, "lbr: shorter than 54 characters");
    libro_buf_clear(&text);
    must(libro_buf_append(&text, good.data, good.len, &err), &err, "copy");
    must(libro_buf_append_str(&text, "0", &err), &err, "one more");
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_LIMIT, &err, "lbr: longer than 54 characters");
    /* a character outside base45; a triple past 65535 */
    libro_buf_clear(&text);
    must(libro_buf_append(&text, good.data, good.len, &err), &err, "copy");
    text.data[10] = 'a';
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_ENCODING, &err, "lbr: ");
    memcpy(text.data + 4, ":::", 3);
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_ENCODING, &err, "lbr: ");
    /* kinds 0 and 3 */
    libro_buf_clear(&text);
    with_kind(&text, 0);
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "lbr: unknown kind 0x00");
    libro_buf_clear(&text);
    with_kind(&text, 3);
    LIBRO_ASSERT_CODE(libro_lbr_decode(&kind, hash, (const char *) text.data, text.len, &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "lbr: unknown kind 0x03");
    ck_assert_int_eq(kind, LIBRO_LBR_LAW);
    ck_assert_str_eq(hash, "untouched");
    /* the encoder's refusals */
    libro_buf_clear(&text);
    LIBRO_ASSERT_CODE(libro_lbr_encode(&text, (libro_lbr_kind) 3, HASH_ABC, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "lbr: unknown kind 3");
    LIBRO_ASSERT_CODE(libro_lbr_encode(&text, LIBRO_LBR_LAW, "sha256:BA78", &err), LIBRO_ERR_PARSE,
                      &err, "hash: not \"sha256:\" and 64 lowercase hex digits");
    LIBRO_ASSERT_CODE(libro_lbr_encode(&text, LIBRO_LBR_LAW, NULL, &err), LIBRO_ERR_INVALID_ARG,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_lbr_decode(NULL, hash, "LBR:", 4, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    ck_assert_uint_eq(text.len, 0);
    libro_buf_free(&text);
    libro_buf_free(&good);
}
END_TEST

/* The QR version an LBR reference needs at level M: version 3 (77 alphanumeric characters),
 * well within the 12. */
START_TEST(test_qr_version)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf svg = LIBRO_BUF_INIT;
    int version = 0;

    must(libro_lbr_encode(&text, LIBRO_LBR_AGREEMENT, HASH_ABC, &err), &err, "encode");
    must(libro_qr_render(&svg, &version, (const char *) text.data, text.len, LIBRO_QR_SVG, &opt,
                         &err),
         &err, "render");
    fprintf(stderr, "lbr: %zu characters, QR version %d at level M\n", text.len, version);
    ck_assert_int_eq(version, 3);
    ck_assert_int_le(version, 12);
    libro_buf_free(&svg);
    libro_buf_free(&text);
}
END_TEST

START_TEST(test_hash_ref)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char d[32];
    char ref[LIBRO_HASH_REF_SIZE];

    must(libro_hash_ref(ref, "abc", 3, &err), &err, "hash");
    ck_assert_str_eq(ref, HASH_ABC);
    ck_assert(libro_hash_ref_ok(HASH_ABC, strlen(HASH_ABC)));
    ck_assert(!libro_hash_ref_ok(HASH_ABC, strlen(HASH_ABC) - 1));
    ck_assert(!libro_hash_ref_ok("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
                                 "20015ad",
                                 71));
    ck_assert(!libro_hash_ref_ok("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
                                 "20015ad",
                                 71));
    must(libro_hash_ref_decode(d, HASH_ABC, strlen(HASH_ABC), &err), &err, "decode");
    ck_assert_uint_eq(d[0], 0xba);
    ck_assert_uint_eq(d[31], 0xad);
    LIBRO_ASSERT_CODE(libro_hash_ref_decode(d, "sha256:", 7, &err), LIBRO_ERR_PARSE, &err,
                      "hash: not");
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("lbr");
    TCase *tc = tcase_create("lbr");

    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_known_text);
    tcase_add_test(tc, test_rejects);
    tcase_add_test(tc, test_qr_version);
    tcase_add_test(tc, test_hash_ref);
    suite_add_tcase(s, tc);
    return s;
}
