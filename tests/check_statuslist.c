/* Suite for core/src/statuslist.c and gzip.c (W3C Bitstring Status List v1.0): bit order, the
 * encodedList codec and its caps, the spec's own example, the status list credential (sign,
 * verify, parse), libro_status_list_check, the credentialStatus entries of licenses
 * (credential.c), and an OOM loop. GZIP inputs the encoder never writes (bombs, two members,
 * corrupt trailers) are made here with zlib, as check_lb1.c does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "libro/credential.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "test_util.h"

#define MIN_ENTRIES LIBRO_STATUS_LIST_MIN_ENTRIES
#define MIN_BYTES (MIN_ENTRIES / 8u)
#define MAX_BYTES (LIBRO_STATUS_LIST_MAX_ENTRIES / 8u)
#define LIST_URL "https://registry.town-7.example/v1/status/1/revocation"
#define REGISTRY "urn:libro:town-7:registry"
#define T2026 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

/* Example 3 of Bitstring Status List v1.0 §2.2: 16,384 zero bytes (131,072 unset bits). */
#define SPEC_EXAMPLE "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

/* A deterministic generator, so failures reproduce (xorshift64*). */
static uint64_t
next_random(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C(2685821657736338717);
}

/* ---- bit order ------------------------------------------------------------------------- */

START_TEST(test_bit_order)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring b;
    size_t i;

    must(libro_bitstring_new(&b, MIN_ENTRIES, &err), &err, "new");
    ck_assert_uint_eq(b.n_entries, MIN_ENTRIES);
    for (i = 0; i < MIN_BYTES; i++) {
        ck_assert_uint_eq(b.bits[i], 0);
    }
    libro_bitstring_set(&b, 0, true); /* §2.2: index 0 is the left-most bit */
    ck_assert_uint_eq(b.bits[0], 0x80);
    libro_bitstring_set(&b, 7, true);
    ck_assert_uint_eq(b.bits[0], 0x81);
    libro_bitstring_set(&b, 8, true);
    ck_assert_uint_eq(b.bits[1], 0x80);
    libro_bitstring_set(&b, 131071, true); /* the right-most bit */
    ck_assert_uint_eq(b.bits[MIN_BYTES - 1], 0x01);
    ck_assert(libro_bitstring_get(&b, 0));
    ck_assert(libro_bitstring_get(&b, 7));
    ck_assert(libro_bitstring_get(&b, 8));
    ck_assert(libro_bitstring_get(&b, 131071));
    ck_assert(!libro_bitstring_get(&b, 1));
    ck_assert(!libro_bitstring_get(&b, 9));
    ck_assert(!libro_bitstring_get(&b, 131070));
    /* Out of range: reads false, writes nothing. */
    ck_assert(!libro_bitstring_get(&b, 131072));
    libro_bitstring_set(&b, 131072, true);
    libro_bitstring_set(NULL, 0, true);
    ck_assert(!libro_bitstring_get(NULL, 0));
    libro_bitstring_set(&b, 7, false);
    ck_assert_uint_eq(b.bits[0], 0x80);
    libro_bitstring_set(&b, 7, false); /* clearing twice is a no-op */
    ck_assert_uint_eq(b.bits[0], 0x80);
    libro_bitstring_free(&b);
    ck_assert_ptr_null(b.bits);
    ck_assert_uint_eq(b.n_entries, 0);
    libro_bitstring_free(&b); /* twice is fine */
    libro_bitstring_free(NULL);
}
END_TEST

static const struct {
    size_t n;
    const char *msg;
} bad_sizes[] = {
    {0, "statuslist: 0 entries is not a multiple of 8 in 8..8388608"},
    {7, "statuslist: 7 entries is not a multiple of 8 in 8..8388608"},
    {131073, "statuslist: 131073 entries is not a multiple of 8 in 8..8388608"},
    {LIBRO_STATUS_LIST_MAX_ENTRIES + 8u,
     "statuslist: 8388616 entries is not a multiple of 8 in 8..8388608"},
};

START_TEST(test_new_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    static unsigned char junk = 0xff;
    libro_bitstring b = {&junk, 3};

    LIBRO_ASSERT_CODE(libro_bitstring_new(&b, bad_sizes[_i].n, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    ck_assert_str_eq(err.msg, bad_sizes[_i].msg);
    ck_assert_ptr_null(b.bits);
    ck_assert_uint_eq(b.n_entries, 0);
}
END_TEST

START_TEST(test_names)
{
    libro_error err = LIBRO_ERROR_INIT;

    ck_assert_str_eq(libro_status_purpose_name(LIBRO_STATUS_REVOCATION), "revocation");
    ck_assert_str_eq(libro_status_purpose_name(LIBRO_STATUS_SUSPENSION), "suspension");
    ck_assert_str_eq(libro_status_purpose_name(LIBRO_STATUS_MESSAGE), "message");
    ck_assert_ptr_null(libro_status_purpose_name((libro_status_purpose) 0));
    ck_assert_ptr_null(libro_status_purpose_name((libro_status_purpose) 4));
    ck_assert_uint_eq(libro_status_purpose_size(LIBRO_STATUS_REVOCATION), 1);
    ck_assert_uint_eq(libro_status_purpose_size(LIBRO_STATUS_SUSPENSION), 1);
    ck_assert_uint_eq(libro_status_purpose_size(LIBRO_STATUS_MESSAGE), 2);
    ck_assert_uint_eq(libro_status_purpose_size((libro_status_purpose) 4), 0);
    ck_assert_str_eq(libro_status_word_message(LIBRO_WORD_ACTIVE), "active");
    ck_assert_str_eq(libro_status_word_message(LIBRO_WORD_SURRENDERED), "surrendered");
    ck_assert_str_eq(libro_status_word_message(LIBRO_WORD_LAPSED), "lapsed");
    ck_assert_str_eq(libro_status_word_message(LIBRO_WORD_UNDEFINED), "undefined");
    ck_assert_ptr_null(libro_status_word_message(4));
    LIBRO_ASSERT_CODE(libro_bitstring_new(NULL, 8, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: out is NULL");
}
END_TEST

/* ---- encode / decode round trips ----------------------------------------------------------- */

enum pattern { NONE, FEW, ALL, RANDOM, ALTERNATE };

/* statusSize 2 (§3.2 step 11, §3.3 step 2): status i is bits 2i and 2i + 1, the first the
 * more significant, so index 0 = 1 is 01xx xxxx and index 0 = 2 is 10xx xxxx. */
START_TEST(test_values)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring b;
    size_t last = MIN_ENTRIES - 1; /* of 2 * MIN_ENTRIES bits */

    must(libro_bitstring_new(&b, 2 * MIN_ENTRIES, &err), &err, "new");
    libro_bitstring_set_value(&b, 0, 2, LIBRO_WORD_SURRENDERED);
    ck_assert_uint_eq(b.bits[0], 0x40);
    libro_bitstring_set_value(&b, 0, 2, LIBRO_WORD_LAPSED);
    ck_assert_uint_eq(b.bits[0], 0x80);
    libro_bitstring_set_value(&b, 1, 2, 3);
    ck_assert_uint_eq(b.bits[0], 0xb0);
    libro_bitstring_set_value(&b, 3, 2, 1);
    ck_assert_uint_eq(b.bits[0], 0xb1);
    libro_bitstring_set_value(&b, 4, 2, 2);
    ck_assert_uint_eq(b.bits[1], 0x80);
    libro_bitstring_set_value(&b, last, 2, 1); /* the right-most two bits */
    ck_assert_uint_eq(b.bits[2 * MIN_BYTES - 1], 0x01);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 0, 2), 2);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 1, 2), 3);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 2, 2), 0);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 3, 2), 1);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 4, 2), 2);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, last, 2), 1);
    /* The same bits as statusSize 1 and 8. */
    ck_assert(libro_bitstring_get(&b, 0) && !libro_bitstring_get(&b, 1));
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 0, 1), 1);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 0, 8), 0xb1);
    /* Clearing. */
    libro_bitstring_set_value(&b, 1, 2, 0);
    ck_assert_uint_eq(b.bits[0], 0x81);
    /* Out of range: reads 0, writes nothing. */
    ck_assert_uint_eq(libro_bitstring_get_value(&b, last + 1, 2), 0);
    libro_bitstring_set_value(&b, last + 1, 2, 3);
    libro_bitstring_set_value(&b, SIZE_MAX / 2 + 1, 2, 3); /* index * 2 would wrap */
    ck_assert_uint_eq(libro_bitstring_get_value(&b, SIZE_MAX / 2 + 1, 2), 0);
    libro_bitstring_set_value(&b, 2, 2, 4); /* a value wider than the status */
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 2, 2), 0);
    libro_bitstring_set_value(&b, 2, 0, 0);
    libro_bitstring_set_value(&b, 2, 9, 1);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 2, 0), 0);
    ck_assert_uint_eq(libro_bitstring_get_value(&b, 0, 9), 0);
    ck_assert_uint_eq(libro_bitstring_get_value(NULL, 0, 2), 0);
    libro_bitstring_set_value(NULL, 0, 2, 1);
    ck_assert_uint_eq(b.bits[0], 0x81);
    ck_assert_uint_eq(b.bits[1], 0x80);
    libro_bitstring_free(&b);
}
END_TEST

static const struct {
    const char *name;
    size_t n;
    enum pattern p;
} trips[] = {
    {"empty (no bit set)", MIN_ENTRIES, NONE},
    {"a few bits", MIN_ENTRIES, FEW},
    {"all bits", MIN_ENTRIES, ALL},
    {"random", MIN_ENTRIES, RANDOM},
    {"alternating", MIN_ENTRIES, ALTERNATE},
    {"largest list, few bits", LIBRO_STATUS_LIST_MAX_ENTRIES, FEW},
    {"largest list, alternating", LIBRO_STATUS_LIST_MAX_ENTRIES, ALTERNATE},
    {"largest list, all bits", LIBRO_STATUS_LIST_MAX_ENTRIES, ALL},
    {"4 x the minimum, random", 4 * MIN_ENTRIES, RANDOM},
    {"twice the minimum, all", 2 * MIN_ENTRIES, ALL},
};

static void
fill(libro_bitstring *b, enum pattern p, uint64_t seed)
{
    static const size_t few[] = {0, 1, 7, 8, 1000, 94567, 131071};
    size_t i;

    switch (p) {
    case NONE:
        break;
    case FEW:
        for (i = 0; i < LIBRO_NELEM(few); i++) {
            libro_bitstring_set(b, few[i], true);
        }
        libro_bitstring_set(b, b->n_entries - 1, true);
        break;
    case ALL:
        memset(b->bits, 0xff, b->n_entries / 8);
        break;
    case RANDOM:
        for (i = 0; i < b->n_entries / 8; i++) {
            b->bits[i] = (unsigned char) (next_random(&seed) >> 56);
        }
        break;
    case ALTERNATE:
        memset(b->bits, 0x55, b->n_entries / 8);
        break;
    }
}

START_TEST(test_round_trip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_bitstring b;
    libro_bitstring back;

    must(libro_bitstring_new(&b, trips[_i].n, &err), &err, "new");
    fill(&b, trips[_i].p, UINT64_C(0x9e3779b97f4a7c15) + (uint64_t) _i);
    must(libro_bitstring_encode(&text, &b, &err), &err, trips[_i].name);
    ck_assert_uint_eq(text.data[0], 'u');
    ck_assert_uint_le(text.len, LIBRO_STATUS_LIST_MAX_ENCODED_BYTES);
    must(libro_bitstring_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_uint_eq(back.n_entries, b.n_entries);
    ck_assert(memcmp(back.bits, b.bits, b.n_entries / 8) == 0);
    /* Deterministic: the same bits give the same text. */
    must(libro_bitstring_encode(&again, &back, &err), &err, "encode again");
    ck_assert_str_eq((const char *) again.data, (const char *) text.data);
    fprintf(stderr, "statuslist: %s: %zu entries, encodedList %zu chars\n", trips[_i].name,
            b.n_entries, text.len);
    libro_bitstring_free(&back);
    libro_bitstring_free(&b);
    libro_buf_free(&again);
    libro_buf_free(&text);
}
END_TEST

/* Example 3 of §2.2, the only encodedList the spec shows: 131,072 unset bits. */
START_TEST(test_spec_example)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_bitstring b;
    size_t i;

    must(libro_bitstring_decode(&b, SPEC_EXAMPLE, strlen(SPEC_EXAMPLE), &err), &err, "decode");
    ck_assert_uint_eq(b.n_entries, 131072);
    for (i = 0; i < b.n_entries; i++) {
        ck_assert(!libro_bitstring_get(&b, i));
    }
    libro_bitstring_free(&b);
}
END_TEST

START_TEST(test_encode_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_bitstring empty = {NULL, 0};
    unsigned char one = 0;
    libro_bitstring odd = {&one, 7};
    libro_bitstring b;

    LIBRO_ASSERT_CODE(libro_bitstring_encode(&out, &empty, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: bad bitstring");
    LIBRO_ASSERT_CODE(libro_bitstring_encode(&out, &odd, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: bad bitstring");
    LIBRO_ASSERT_CODE(libro_bitstring_encode(&out, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: bad bitstring");
    must(libro_bitstring_new(&b, 8, &err), &err, "new");
    LIBRO_ASSERT_CODE(libro_bitstring_encode(NULL, &b, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: bad bitstring");
    /* Appends: what was in `out` stays. */
    must(libro_buf_append_str(&out, "x", &err), &err, "append");
    must(libro_bitstring_encode(&out, &b, &err), &err, "encode 8");
    ck_assert(out.len > 2 && out.data[0] == 'x' && out.data[1] == 'u');
    libro_bitstring_free(&b);
    LIBRO_ASSERT_CODE(libro_bitstring_decode(NULL, "u", 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    LIBRO_ASSERT_CODE(libro_bitstring_decode(&b, NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    libro_buf_free(&out);
}
END_TEST

/* ---- decode negatives ------------------------------------------------------------------------ */

/* One GZIP member of `n` bytes of `byte`, deflated in blocks so that a bomb needs no buffer of
 * its inflated size. */
static void
gzip_fill(libro_buf *out, unsigned char byte, size_t n)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char in[65536];
    unsigned char chunk[65536];
    z_stream zs;
    int flush;

    memset(in, byte, sizeof in);
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    do {
        size_t take = n < sizeof in ? n : sizeof in;

        n -= take;
        flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
        zs.next_in = in;
        zs.avail_in = (uInt) take;
        do {
            zs.next_out = chunk;
            zs.avail_out = sizeof chunk;
            ck_assert_int_ne(deflate(&zs, flush), Z_STREAM_ERROR);
            must(libro_buf_append(out, chunk, sizeof chunk - zs.avail_out, &err), &err, "gz");
        } while (zs.avail_out == 0);
    } while (flush != Z_FINISH);
    ck_assert_int_eq(deflateEnd(&zs), Z_OK);
}

/* 'u' + base64url of p[0..len). */
static void
to_text(libro_buf *out, const void *p, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_buf_append_str(out, "u", &err), &err, "u");
    must(libro_b64url_encode(out, p, len, &err), &err, "b64");
}

enum mutation {
    LITERAL,         /* `text` as given */
    PLAIN,           /* a valid member of `n` zero bytes */
    CRC,             /* flip a bit of the CRC-32 */
    ISIZE,           /* flip a bit of ISIZE */
    TRUNCATE,        /* drop the last 4 bytes */
    TRUNCATE_DATA,   /* keep only the header and 3 bytes of data */
    TWO_MEMBERS,     /* the member twice */
    TRAILING,        /* one 0x00 after the member */
    FLAGS,           /* a reserved FLG bit */
    BAD_DEFLATE,     /* BTYPE 11 in the first block */
    ZLIB_WRAPPER,    /* RFC 1950, not 1952 */
    PADDED,          /* base64url with '=' padding */
    LONG_TEXT,       /* 'u' + 'A' * n */
    STANDARD_BASE64, /* '+' and '/' for '-' and '_' */
};

static const struct {
    const char *name;
    enum mutation m;
    const char *text;
    size_t n;
    libro_code want;
    const char *msg;
} bad[] = {
    {"empty", LITERAL, "", 0, LIBRO_ERR_ENCODING, "statuslist: encodedList is empty"},
    {"no 'u' prefix (StatusList2021 style)", LITERAL, &SPEC_EXAMPLE[1], 0, LIBRO_ERR_ENCODING,
     "statuslist: encodedList has no multibase prefix 'u'"},
    {"base58btc prefix", LITERAL, "z3yZe7d", 0, LIBRO_ERR_UNSUPPORTED,
     "statuslist: encodedList multibase prefix 'z' is not 'u' (base64url)"},
    {"base64 prefix", LITERAL,
     "mH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", 0,
     LIBRO_ERR_UNSUPPORTED, "statuslist: encodedList multibase prefix 'm' is not 'u' (base64url)"},
    {"base64urlpad prefix", LITERAL, "UH4sI", 0, LIBRO_ERR_UNSUPPORTED,
     "statuslist: encodedList multibase prefix 'U' is not 'u' (base64url)"},
    {"bad base64url character", LITERAL, "uH4sI*AAA", 0, LIBRO_ERR_ENCODING,
     "statuslist: encodedList: "},
    {"base64 alphabet", STANDARD_BASE64, NULL, 0, LIBRO_ERR_ENCODING, "statuslist: encodedList: "},
    {"padding", PADDED, NULL, 0, LIBRO_ERR_ENCODING, "statuslist: encodedList: "},
    {"non-canonical last char", LITERAL, "uH4sIAB", 0, LIBRO_ERR_ENCODING,
     "statuslist: encodedList: "},
    {"only the prefix", LITERAL, "u", 0, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: not GZIP data (RFC 1952: 1f 8b 08, deflate)"},
    {"not gzip", LITERAL, "uaGVsbG8gd29ybGQ", 0, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: not GZIP data (RFC 1952: 1f 8b 08, deflate)"},
    {"zlib, not gzip", ZLIB_WRAPPER, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: not GZIP data (RFC 1952: 1f 8b 08, deflate)"},
    {"corrupt CRC", CRC, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: bad data (incorrect data check)"},
    {"corrupt ISIZE", ISIZE, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: bad data (incorrect length check)"},
    {"truncated trailer", TRUNCATE, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: data is truncated"},
    {"truncated data", TRUNCATE_DATA, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: data is truncated"},
    {"two gzip members", TWO_MEMBERS, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: more than one member"},
    {"trailing byte", TRAILING, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: trailing bytes after the member"},
    {"reserved header flag", FLAGS, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: bad data (unknown header flags set)"},
    {"bad deflate block", BAD_DEFLATE, NULL, MIN_BYTES, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: bad data (invalid block type)"},
    {"too small (0 bytes)", PLAIN, NULL, 0, LIBRO_ERR_PARSE,
     "statuslist: encodedList: 0 bytes of bits, fewer than 16384 (131072 entries)"},
    {"too small (16383 bytes)", PLAIN, NULL, MIN_BYTES - 1, LIBRO_ERR_PARSE,
     "statuslist: encodedList: 16383 bytes of bits, fewer than 16384 (131072 entries)"},
    {"too large (1 MiB + 1)", PLAIN, NULL, MAX_BYTES + 1, LIBRO_ERR_LIMIT,
     "statuslist: encodedList: gzip: inflated data exceeds 1048576 bytes"},
    {"gzip bomb (64 MiB)", PLAIN, NULL, 64u * 1024u * 1024u, LIBRO_ERR_LIMIT,
     "statuslist: encodedList: gzip: inflated data exceeds 1048576 bytes"},
    {"text past the cap", LONG_TEXT, NULL, LIBRO_STATUS_LIST_MAX_ENCODED_BYTES, LIBRO_ERR_LIMIT,
     "statuslist: encodedList longer than 262144 bytes"},
    /* At the text cap: the length passes, the content is then judged (zeros: not GZIP). */
    {"text at the cap", LONG_TEXT, NULL, LIBRO_STATUS_LIST_MAX_ENCODED_BYTES - 1, LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: not GZIP data (RFC 1952: 1f 8b 08, deflate)"},
};

static void
make_bad(libro_buf *text, size_t i)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf gz = LIBRO_BUF_INIT;
    libro_buf tmp = LIBRO_BUF_INIT;
    size_t k;

    if (bad[i].m == LITERAL) {
        must(libro_buf_append_str(text, bad[i].text, &err), &err, "literal");
        return;
    }
    if (bad[i].m == LONG_TEXT) {
        must(libro_buf_append_str(text, "u", &err), &err, "u");
        for (k = 0; k < bad[i].n; k++) {
            must(libro_buf_append(text, "A", 1, &err), &err, "A");
        }
        return;
    }
    gzip_fill(&gz, 0, bad[i].n != 0 ? bad[i].n : (bad[i].m == PLAIN ? 0 : MIN_BYTES));
    switch (bad[i].m) {
    case CRC:
        gz.data[gz.len - 8] ^= 0x01;
        break;
    case ISIZE:
        gz.data[gz.len - 1] ^= 0x80;
        break;
    case TRUNCATE:
        gz.len -= 4;
        break;
    case TRUNCATE_DATA:
        gz.len = 13;
        break;
    case TWO_MEMBERS:
        must(libro_buf_append(&tmp, gz.data, gz.len, &err), &err, "dup");
        must(libro_buf_append(&gz, tmp.data, tmp.len, &err), &err, "twice");
        break;
    case TRAILING:
        must(libro_buf_append(&gz, "", 1, &err), &err, "nul");
        break;
    case FLAGS:
        gz.data[3] |= 0x20; /* FLG bit 5, reserved (RFC 1952 §2.3.1) */
        break;
    case BAD_DEFLATE:
        gz.data[10] = 0x07; /* BFINAL 1, BTYPE 11: reserved (RFC 1951 §3.2.3) */
        break;
    case ZLIB_WRAPPER:
        gz.data[0] = 0x78;
        gz.data[1] = 0x9c;
        break;
    default:
        break;
    }
    to_text(text, gz.data, gz.len);
    if (bad[i].m == PADDED) {
        must(libro_buf_append_str(text, "==", &err), &err, "pad");
    }
    if (bad[i].m == STANDARD_BASE64) {
        for (k = 1; k < text->len; k++) {
            if (text->data[k] == '-') {
                text->data[k] = '+';
            }
        }
        ck_assert_ptr_nonnull(strchr((const char *) text->data, '+'));
    }
    libro_buf_free(&tmp);
    libro_buf_free(&gz);
}

START_TEST(test_decode_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    static unsigned char junk = 0xff;
    libro_bitstring b = {&junk, 8};
    libro_code rc;

    make_bad(&text, (size_t) _i);
    rc = libro_bitstring_decode(&b, (const char *) text.data, text.len, &err);
    ck_assert_msg(rc == bad[_i].want && strncmp(err.msg, bad[_i].msg, strlen(bad[_i].msg)) == 0,
                  "%s: got %s (%s), want %s (%s)", bad[_i].name, libro_code_name(rc), err.msg,
                  libro_code_name(bad[_i].want), bad[_i].msg);
    ck_assert_ptr_null(b.bits);
    ck_assert_uint_eq(b.n_entries, 0);
    libro_buf_free(&text);
}
END_TEST

/* The inflated-size bounds, each at the bound (accepted) and one past it (refused above). */
static const size_t inflated_ok[] = {MIN_BYTES, MIN_BYTES + 1, MAX_BYTES};

START_TEST(test_decode_bounds)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf gz = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_bitstring b;

    gzip_fill(&gz, 0xa5, inflated_ok[_i]);
    to_text(&text, gz.data, gz.len);
    must(libro_bitstring_decode(&b, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_uint_eq(b.n_entries, inflated_ok[_i] * 8);
    ck_assert(libro_bitstring_get(&b, 0));  /* 0xa5 = 1010 0101 */
    ck_assert(!libro_bitstring_get(&b, 1)); /* MSB first */
    ck_assert(libro_bitstring_get(&b, b.n_entries - 1));
    libro_bitstring_free(&b);
    libro_buf_free(&text);
    libro_buf_free(&gz);
}
END_TEST

/* ---- the status list credential ------------------------------------------------------------- */

static libro_key *
test_key(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_key *key = NULL;

    libro_test_read(&pem, libro_test_data_dir(), "rfc8037_ed25519.pem");
    must(libro_key_from_pem(&key, (const char *) pem.data, pem.len, NULL, 0, &err), &err, "pem");
    libro_buf_free(&pem);
    return key;
}

static void
sample_list(libro_status_list *s, libro_status_purpose purpose)
{
    libro_error err = LIBRO_ERROR_INIT;

    memset(s, 0, sizeof *s);
    s->id = libro_strndup(LIST_URL, strlen(LIST_URL));
    s->issuer = libro_strndup(REGISTRY, strlen(REGISTRY));
    ck_assert(s->id != NULL && s->issuer != NULL);
    s->valid_from = T2026;
    s->valid_until = T2026 + 7 * 86400;
    s->purpose = purpose;
    must(libro_bitstring_new(&s->bits, MIN_ENTRIES, &err), &err, "new");
}

/* The exact payload for LIST_URL with `encoded` as encodedList. */
#define PAYLOAD_HEAD                                                                               \
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"id\":\"" LIST_URL "\","            \
    "\"type\":[\"VerifiableCredential\",\"BitstringStatusListCredential\"],"                       \
    "\"issuer\":\"" REGISTRY "\",\"validFrom\":\"2026-01-01T00:00:00.000Z\","                      \
    "\"validUntil\":\"2026-01-08T00:00:00Z\",\"credentialSubject\":{\"id\":\"" LIST_URL            \
    "#list\",\"type\":\"BitstringStatusList\",\"statusPurpose\":\""

#define MESSAGES                                                                                   \
    "[{\"status\":\"0x0\",\"message\":\"active\"},{\"status\":\"0x1\",\"message\":"                \
    "\"surrendered\"},{\"status\":\"0x2\",\"message\":\"lapsed\"},{\"status\":\"0x3\","            \
    "\"message\":\"undefined\"}]"
#define MESSAGE_PAYLOAD(encoded)                                                                   \
    PAYLOAD_HEAD "message\",\"encodedList\":\"" encoded                                            \
                 "\",\"statusSize\":2,\"statusMessage\":" MESSAGES "}}"

START_TEST(test_sign_verify_parse)
{
    static const uint32_t set[] = {0, 1, 7, 8, 1000, 94567, 131071};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf encoded = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_buf header = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_status_purpose purpose = _i == 0 ? LIBRO_STATUS_REVOCATION : LIBRO_STATUS_SUSPENSION;
    libro_key *key = test_key();
    const char *dot;
    size_t i;
    bool bit;

    sample_list(&s, purpose);
    for (i = 0; i < LIBRO_NELEM(set); i++) {
        libro_bitstring_set(&s.bits, set[i], true);
    }
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign");
    must(libro_jws_verify_compact(&payload, (const char *) jws.data, jws.len, key, "vc+jwt", &err),
         &err, "verify");
    /* The payload, byte for byte, members in the order of the header's comment. */
    must(libro_bitstring_encode(&encoded, &s.bits, &err), &err, "encode");
    must(libro_buf_printf(&want, &err, "%s%s\",\"encodedList\":\"%s\"}}", PAYLOAD_HEAD,
                          libro_status_purpose_name(purpose), (const char *) encoded.data),
         &err, "want");
    ck_assert_str_eq((const char *) payload.data, (const char *) want.data);
    /* The protected header: vc+jwt, kid "<issuer>#<thumbprint>". */
    dot = strchr((const char *) jws.data, '.');
    ck_assert_ptr_nonnull(dot);
    must(libro_b64url_decode(&header, (const char *) jws.data, (size_t) (dot - (char *) jws.data),
                             &err),
         &err, "header");
    must(libro_kid_for(&kid, REGISTRY, key, &err), &err, "kid");
    ck_assert_ptr_nonnull(strstr((const char *) header.data, "\"typ\":\"vc+jwt\""));
    ck_assert_ptr_nonnull(strstr((const char *) header.data, (const char *) kid.data));
    /* And back. */
    must(libro_status_list_parse(&back, payload.data, payload.len, &err), &err, "parse");
    ck_assert_str_eq(back.id, LIST_URL);
    ck_assert_str_eq(back.issuer, REGISTRY);
    ck_assert_int_eq(back.valid_from, s.valid_from);
    ck_assert_int_eq(back.valid_until, s.valid_until);
    ck_assert_int_eq(back.purpose, purpose);
    ck_assert_uint_eq(back.bits.n_entries, MIN_ENTRIES);
    ck_assert(memcmp(back.bits.bits, s.bits.bits, MIN_BYTES) == 0);
    for (i = 0; i < LIBRO_NELEM(set); i++) {
        must(libro_status_list_check(&bit, &back, set[i], &err), &err, "check set");
        ck_assert(bit);
    }
    must(libro_status_list_check(&bit, &back, 2, &err), &err, "check unset");
    ck_assert(!bit);
    libro_status_list_free(&back);
    libro_status_list_free(&s);
    libro_status_list_free(&s); /* zeroed: twice is fine */
    libro_status_list_free(NULL);
    libro_key_free(key);
    libro_buf_free(&kid);
    libro_buf_free(&header);
    libro_buf_free(&want);
    libro_buf_free(&encoded);
    libro_buf_free(&payload);
    libro_buf_free(&jws);
}
END_TEST

/* `doc` = `base` with its first `from` replaced by `to`. */
static void
edit_doc(libro_buf *doc, const char *base, const char *from, const char *to, const char *name)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *at = strstr(base, from);

    ck_assert_msg(at != NULL, "%s: \"%s\" not in the document", name, from);
    must(libro_buf_append(doc, base, (size_t) (at - base), &err), &err, "doc");
    must(libro_buf_append_str(doc, to, &err), &err, "doc");
    must(libro_buf_append_str(doc, at + strlen(from), &err), &err, "doc");
}

/* A message list: statusSize 2 over 2 * 131,072 bits (§3.2: the length divided by statusSize
 * is at least the minimum), the payload with statusSize and statusMessage after encodedList,
 * read back word by word. */
START_TEST(test_message_list)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf encoded = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_key *key = test_key();
    unsigned value = 9;
    bool bit = true;

    sample_list(&s, LIBRO_STATUS_MESSAGE);
    libro_bitstring_free(&s.bits);
    must(libro_bitstring_new(&s.bits, 2 * MIN_ENTRIES, &err), &err, "new");
    libro_bitstring_set_value(&s.bits, 94567, 2, LIBRO_WORD_SURRENDERED);
    libro_bitstring_set_value(&s.bits, 131071, 2, LIBRO_WORD_LAPSED);
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign");
    must(libro_jws_verify_compact(&payload, (const char *) jws.data, jws.len, key, "vc+jwt", &err),
         &err, "verify");
    must(libro_bitstring_encode(&encoded, &s.bits, &err), &err, "encode");
    must(libro_buf_printf(&want, &err, MESSAGE_PAYLOAD("%s"), (const char *) encoded.data), &err,
         "want");
    ck_assert_str_eq((const char *) payload.data, (const char *) want.data);
    must(libro_status_list_parse(&back, payload.data, payload.len, &err), &err, "parse");
    ck_assert_int_eq(back.purpose, LIBRO_STATUS_MESSAGE);
    ck_assert_uint_eq(back.bits.n_entries, 2 * MIN_ENTRIES);
    must(libro_status_list_value(&value, &back, 94567, &err), &err, "value");
    ck_assert_uint_eq(value, LIBRO_WORD_SURRENDERED);
    must(libro_status_list_value(&value, &back, 131071, &err), &err, "value");
    ck_assert_uint_eq(value, LIBRO_WORD_LAPSED);
    must(libro_status_list_value(&value, &back, 94568, &err), &err, "value");
    ck_assert_uint_eq(value, LIBRO_WORD_ACTIVE);
    value = 9;
    LIBRO_ASSERT_CODE(libro_status_list_value(&value, &back, 131072, &err), LIBRO_ERR_PARSE, &err,
                      "statuslist: index 131072 outside the list's 131072 entries");
    ck_assert_uint_eq(value, 0);
    LIBRO_ASSERT_CODE(libro_status_list_check(&bit, &back, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: a message list has statusSize 2: read its values");
    ck_assert(!bit);
    LIBRO_ASSERT_CODE(libro_status_list_value(NULL, &back, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    libro_status_list_free(&back);
    /* The same reader serves one-bit lists. */
    s.purpose = LIBRO_STATUS_REVOCATION;
    must(libro_status_list_value(&value, &s, 2 * 94567 + 1, &err), &err, "revocation value");
    ck_assert_uint_eq(value, 1);
    /* 131,072 bits are 65,536 statuses of 2 bits: too few for a message list, either way. */
    libro_buf_free(&jws);
    s.purpose = LIBRO_STATUS_MESSAGE;
    libro_bitstring_free(&s.bits);
    must(libro_bitstring_new(&s.bits, MIN_ENTRIES, &err), &err, "new");
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, key, &err), LIBRO_ERR_SCHEMA, &err,
                      "statuslist: credentialSubject.encodedList: not a bitstring of");
    ck_assert_uint_eq(jws.len, 0);
    libro_status_list_free(&s);
    libro_key_free(key);
    libro_buf_free(&want);
    libro_buf_free(&encoded);
    libro_buf_free(&payload);
    libro_buf_free(&jws);
}
END_TEST

/* A mandate message list carries the mandate words: signed with them, read back with them
 * (words says which), and refused on a list of another purpose or with unknown words. */
START_TEST(test_mandate_message_list)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_key *key = test_key();
    unsigned value = 9;

    sample_list(&s, LIBRO_STATUS_MESSAGE);
    libro_bitstring_free(&s.bits);
    must(libro_bitstring_new(&s.bits, 2 * MIN_ENTRIES, &err), &err, "new");
    libro_bitstring_set_value(&s.bits, 40517, 2, LIBRO_WORD_REPLACED);
    s.words = LIBRO_WORDS_MANDATE;
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign");
    must(libro_jws_verify_compact(&payload, (const char *) jws.data, jws.len, key, "vc+jwt", &err),
         &err, "verify");
    ck_assert_ptr_nonnull(
        strstr((const char *) payload.data,
               "\"statusMessage\":[{\"status\":\"0x0\",\"message\":\"in office\"},"
               "{\"status\":\"0x1\",\"message\":\"resigned\"},{\"status\":\"0x2\","
               "\"message\":\"recalled\"},{\"status\":\"0x3\",\"message\":"
               "\"replaced\"}]}}"));
    must(libro_status_list_parse(&back, payload.data, payload.len, &err), &err, "parse");
    ck_assert_int_eq(back.words, LIBRO_WORDS_MANDATE);
    must(libro_status_list_value(&value, &back, 40517, &err), &err, "value");
    ck_assert_uint_eq(value, LIBRO_WORD_REPLACED);
    ck_assert_str_eq(libro_status_words_message(back.words, value), "replaced");
    libro_status_list_free(&back);
    libro_buf_free(&jws);
    s.words = (libro_status_words) 2;
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, key, &err), LIBRO_ERR_SCHEMA, &err,
                      "statuslist: credentialSubject.statusMessage: words set on a list that is "
                      "not a message list, or unknown words");
    s.words = LIBRO_WORDS_MANDATE;
    s.purpose = LIBRO_STATUS_REVOCATION;
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, key, &err), LIBRO_ERR_SCHEMA, &err,
                      "statuslist: credentialSubject.statusMessage: words set on a list");
    ck_assert_uint_eq(jws.len, 0);
    libro_status_list_free(&s);
    libro_key_free(key);
    libro_buf_free(&payload);
    libro_buf_free(&jws);
}
END_TEST

/* libro_status_list_check: §3.2 RANGE_ERROR at and past the end. */
START_TEST(test_check_range)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list s;
    libro_status_list empty;
    bool bit = true;

    sample_list(&s, LIBRO_STATUS_REVOCATION);
    libro_bitstring_set(&s.bits, 131071, true);
    must(libro_status_list_check(&bit, &s, 131071, &err), &err, "last");
    ck_assert(bit);
    LIBRO_ASSERT_CODE(libro_status_list_check(&bit, &s, 131072, &err), LIBRO_ERR_PARSE, &err, NULL);
    ck_assert_str_eq(err.msg, "statuslist: index 131072 outside the list's 131072 entries");
    ck_assert(!bit);
    LIBRO_ASSERT_CODE(libro_status_list_check(&bit, &s, UINT32_MAX, &err), LIBRO_ERR_PARSE, &err,
                      "statuslist: index 4294967295 outside the list's 131072 entries");
    LIBRO_ASSERT_CODE(libro_status_list_check(NULL, &s, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    LIBRO_ASSERT_CODE(libro_status_list_check(&bit, NULL, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    memset(&empty, 0, sizeof empty);
    LIBRO_ASSERT_CODE(libro_status_list_check(&bit, &empty, 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: list has no bitstring");
    libro_status_list_free(&s);
}
END_TEST

/* What sign refuses: never a credential parse would refuse. */
enum sign_edit {
    BAD_ID,
    ID_HTTP,
    BAD_ISSUER,
    EQUAL_TIMES,
    YEAR_10000,
    MILLIS_1000,
    NO_PURPOSE,
    SMALL,
    NONE_E
};

static const struct {
    const char *name;
    enum sign_edit e;
    libro_code want;
    const char *msg;
} bad_sign[] = {
    {"id not a URL", BAD_ID, LIBRO_ERR_SCHEMA, "statuslist: id: not an absolute URI"},
    {"id plain http", ID_HTTP, LIBRO_ERR_SCHEMA,
     "statuslist: id: not an https URL (or http://127.0.0.1)"},
    {"issuer with '#'", BAD_ISSUER, LIBRO_ERR_SCHEMA,
     "statuslist: issuer: character not allowed in an id"},
    {"empty window", EQUAL_TIMES, LIBRO_ERR_SCHEMA, "statuslist: validUntil: not after validFrom"},
    {"year 10000", YEAR_10000, LIBRO_ERR_TIME,
     "statuslist: validUntil: outside the years 0001-9999"},
    {"millis 1000", MILLIS_1000, LIBRO_ERR_SCHEMA,
     "statuslist: validFrom: milliseconds not below 1000"},
    {"no purpose", NO_PURPOSE, LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusPurpose: not revocation, suspension or message"},
    {"list under the minimum", SMALL, LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.encodedList: not a bitstring of 131072 to 8388608 entries"},
};

START_TEST(test_sign_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_key *key = test_key();

    sample_list(&s, LIBRO_STATUS_REVOCATION);
    switch (bad_sign[_i].e) {
    case BAD_ID:
        s.id[5] = '\0'; /* "https" */
        break;
    case ID_HTTP:
        memmove(s.id + 4, s.id + 5, strlen(s.id + 5) + 1);
        break;
    case BAD_ISSUER:
        s.issuer[10] = '#'; /* "urn:libro:#own-7:registry" */
        break;
    case EQUAL_TIMES:
        s.valid_until = s.valid_from;
        break;
    case YEAR_10000:
        s.valid_until = INT64_C(253402300800);
        break;
    case MILLIS_1000:
        s.valid_from_millis = 1000;
        break;
    case NO_PURPOSE:
        s.purpose = (libro_status_purpose) 0;
        break;
    case SMALL:
        libro_bitstring_free(&s.bits);
        must(libro_bitstring_new(&s.bits, MIN_ENTRIES - 8, &err), &err, "small");
        break;
    case NONE_E:
        break;
    }
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, key, &err), bad_sign[_i].want, &err,
                      bad_sign[_i].msg);
    ck_assert_uint_eq(jws.len, 0);
    libro_status_list_free(&s);
    libro_key_free(key);
}
END_TEST

/* Status lists have their own JWS caps (limits.h): 20,000 revoked licenses among 131,072
 * (about 40 KiB of encodedList, five times the credential payload cap) sign and read back
 * with libro_jws_parse_ex; a list of 2^21 random bits (a 256 KiB GZIP member, over 340 KiB
 * of text) outgrows the status list payload cap: refused, never truncated. */
START_TEST(test_sign_payload_cap)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_jws *parsed = NULL;
    libro_key *key = test_key();
    const unsigned char *p;
    size_t p_len;
    uint64_t seed = 42;
    size_t i;

    sample_list(&s, LIBRO_STATUS_REVOCATION);
    for (i = 0; i < 20000; i++) {
        libro_bitstring_set(&s.bits, (size_t) (next_random(&seed) % MIN_ENTRIES), true);
    }
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign 20000 bits");
    ck_assert_uint_gt(jws.len, LIBRO_MAX_TOKEN_BYTES);
    LIBRO_ASSERT_CODE(libro_jws_parse(&parsed, (const char *) jws.data, jws.len, &err),
                      LIBRO_ERR_LIMIT, &err, "jws: token larger than 16384 bytes");
    must(libro_jws_parse_ex(&parsed, (const char *) jws.data, jws.len,
                            LIBRO_MAX_STATUS_LIST_TOKEN_BYTES, LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES,
                            &err),
         &err, "parse_ex");
    must(libro_jws_verify(parsed, key, &err), &err, "verify");
    p = libro_jws_payload(parsed, &p_len);
    must(libro_status_list_parse(&back, p, p_len, &err), &err, "parse");
    ck_assert_mem_eq(back.bits.bits, s.bits.bits, MIN_BYTES);
    libro_status_list_free(&back);
    libro_jws_free(parsed);
    libro_status_list_free(&s);

    libro_buf_clear(&jws);
    sample_list(&s, LIBRO_STATUS_REVOCATION);
    libro_bitstring_free(&s.bits);
    must(libro_bitstring_new(&s.bits, 2u * 1024u * 1024u, &err), &err, "new 2^21");
    for (i = 0; i < s.bits.n_entries / 8; i++) {
        s.bits.bits[i] = (unsigned char) (next_random(&seed) >> 56);
    }
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, key, &err), LIBRO_ERR_LIMIT, &err,
                      "jws: payload larger than 266240 bytes");
    ck_assert_uint_eq(jws.len, 0);
    LIBRO_ASSERT_CODE(libro_status_list_sign(NULL, &s, key, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    LIBRO_ASSERT_CODE(libro_status_list_sign(&jws, &s, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
    libro_buf_free(&jws);
    libro_status_list_free(&s);
    libro_key_free(key);
}
END_TEST

/* ---- status list parse negatives ------------------------------------------------------------- */

#define GOOD_PAYLOAD PAYLOAD_HEAD "revocation\",\"encodedList\":\"" SPEC_EXAMPLE "\"}}"

/* A list credential libro refuses to read: one edit of a good one. */
struct bad_list {
    const char *name;
    const char *from; /* NULL: `to` is the whole document */
    const char *to;
    libro_code want;
    const char *msg;
};

static const struct bad_list bad_lists[] = {
    {"not JSON", NULL, "{", LIBRO_ERR_PARSE, "statuslist: "},
    {"array", NULL, "[]", LIBRO_ERR_SCHEMA, "statuslist: : not an object"},
    {"trailing", "}}", "}}x", LIBRO_ERR_PARSE, "statuslist: "},
    {"duplicate member", "\"issuer\":", "\"issuer\":\"urn:x:y\",\"issuer\":", LIBRO_ERR_PARSE,
     "statuslist: "},
    {"extra member", "\"issuer\":", "\"proof\":{},\"issuer\":", LIBRO_ERR_SCHEMA,
     "statuslist: proof: unexpected member"},
    {"missing validUntil", "\"validUntil\":\"2026-01-08T00:00:00Z\",", "", LIBRO_ERR_SCHEMA,
     "statuslist: validUntil: missing"},
    {"context two entries", "credentials/v2\"]", "credentials/v2\",\"https://w3id.org/libro/v1\"]",
     LIBRO_ERR_SCHEMA, "statuslist: @context: not an array of 1 entry"},
    {"context v1", "https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1",
     LIBRO_ERR_SCHEMA,
     "statuslist: @context[0]: expected \"https://www.w3.org/ns/credentials/v2\""},
    {"type StatusList2021", "\"BitstringStatusListCredential\"", "\"StatusList2021Credential\"",
     LIBRO_ERR_SCHEMA, "statuslist: type[1]: expected \"BitstringStatusListCredential\""},
    {"type string", "[\"VerifiableCredential\",\"BitstringStatusListCredential\"]",
     "\"BitstringStatusListCredential\"", LIBRO_ERR_SCHEMA,
     "statuslist: type: not an array of 2 entries"},
    {"id plain http", "\"id\":\"https://", "\"id\":\"http://", LIBRO_ERR_SCHEMA,
     "statuslist: id: not an https URL (or http://127.0.0.1)"},
    {"id number", "\"id\":\"" LIST_URL "\",", "\"id\":7,", LIBRO_ERR_SCHEMA,
     "statuslist: id: not a string"},
    {"issuer relative", "\"issuer\":\"" REGISTRY, "\"issuer\":\"registry", LIBRO_ERR_SCHEMA,
     "statuslist: issuer: not an absolute URI"},
    {"validFrom one fraction digit", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.0Z",
     LIBRO_ERR_TIME, "statuslist: validFrom: not of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z"},
    {"validFrom four fraction digits", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.0000Z",
     LIBRO_ERR_TIME, "statuslist: validFrom: not of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z"},
    {"validFrom fraction not digits", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.1a3Z",
     LIBRO_ERR_TIME, "statuslist: validFrom: not of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z"},
    {"validFrom comma", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00,123Z", LIBRO_ERR_TIME,
     "statuslist: validFrom: not of the form YYYY-MM-DDTHH:MM:SS[.mmm]Z"},
    {"validFrom leap second ms", "2026-01-01T00:00:00.000Z", "2026-12-31T23:59:60.500Z",
     LIBRO_ERR_TIME, "statuslist: validFrom: leap second not accepted"},
    {"validUntil fraction", "2026-01-08T00:00:00Z", "2026-01-08T00:00:00.000Z", LIBRO_ERR_TIME,
     "statuslist: validUntil: not of the form YYYY-MM-DDTHH:MM:SSZ"},
    {"validFrom feb 30", "2026-01-01T00:00:00.000Z", "2026-02-30T00:00:00Z", LIBRO_ERR_TIME,
     "statuslist: validFrom: not a valid date and time"},
    {"validUntil leap second", "2026-01-08T00:00:00Z", "2026-12-31T23:59:60Z", LIBRO_ERR_TIME,
     "statuslist: validUntil: leap second not accepted"},
    {"window inverted", "2026-01-08T00:00:00Z", "2025-01-08T00:00:00Z", LIBRO_ERR_SCHEMA,
     "statuslist: validUntil: not after validFrom"},
    {"subject string", "\"credentialSubject\":{", "\"credentialSubject\":\"x\",\"y\":{",
     LIBRO_ERR_SCHEMA, "statuslist: y: unexpected member"},
    {"subject id other list", "revocation#list", "suspension#list", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.id: not the credential id + \"#list\""},
    {"subject id no fragment", "revocation#list", "revocation", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.id: not the credential id + \"#list\""},
    {"subject type", "\"BitstringStatusList\"", "\"StatusList2021\"", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.type: expected \"BitstringStatusList\""},
    {"purpose message without statusSize", "\"statusPurpose\":\"revocation\"",
     "\"statusPurpose\":\"message\"", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusSize: missing"},
    {"statusSize on a revocation list", "\"encodedList\":", "\"statusSize\":1,\"encodedList\":",
     LIBRO_ERR_SCHEMA, "statuslist: credentialSubject.statusSize: unexpected member"},
    {"purpose refresh", "\"statusPurpose\":\"revocation\"", "\"statusPurpose\":\"refresh\"",
     LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusPurpose: not \"revocation\", \"suspension\" or "
     "\"message\""},
    {"purpose array", "\"statusPurpose\":\"revocation\"",
     "\"statusPurpose\":[\"revocation\",\"suspension\"]", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusPurpose: not \"revocation\", \"suspension\" or "
     "\"message\""},
    {"subject ttl", "\"encodedList\":", "\"ttl\":1000,\"encodedList\":", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.ttl: unexpected member"},
    {"subject missing encodedList", ",\"encodedList\":\"" SPEC_EXAMPLE "\"", "", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.encodedList: missing"},
    {"encodedList number", "\"" SPEC_EXAMPLE "\"", "7", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.encodedList: not a string"},
    {"encodedList no prefix", "\"uH4sI", "\"H4sI", LIBRO_ERR_ENCODING,
     "statuslist: encodedList has no multibase prefix 'u'"},
    {"encodedList corrupt", "VKsAQAAA", "VKsAQAAB", LIBRO_ERR_PARSE,
     "statuslist: encodedList: gzip: bad data (incorrect length check)"},
};

/* Edits of a good message list (statusSize 2), but the first: a whole document. */
static const struct bad_list bad_message_lists[] = {
    {"message list of 16 KiB: 65536 statuses", NULL, MESSAGE_PAYLOAD(SPEC_EXAMPLE), LIBRO_ERR_PARSE,
     "statuslist: encodedList: 65536 statuses of 2 bits, fewer than 131072"},
    {"statusSize 1", "\"statusSize\":2", "\"statusSize\":1", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusSize: not the integer 2"},
    {"statusSize text", "\"statusSize\":2", "\"statusSize\":\"2\"", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusSize: not the integer 2"},
    {"statusSize missing", "\"statusSize\":2,", "", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusSize: missing"},
    {"statusMessages (the prose's plural)", "\"statusMessage\"", "\"statusMessages\"",
     LIBRO_ERR_SCHEMA, "statuslist: credentialSubject.statusMessages: unexpected member"},
    {"a message changed", "\"lapsed\"", "\"expired\"", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusMessage: not libro's messages"},
    {"two messages",
     ",{\"status\":\"0x2\",\"message\":\"lapsed\"},{\"status\":\"0x3\","
     "\"message\":\"undefined\"}",
     "", LIBRO_ERR_SCHEMA,
     "statuslist: credentialSubject.statusMessage: not an array of 4 entries (statusSize 2)"},
};

static void
parse_rejects(const struct bad_list *c, bool message)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf good = LIBRO_BUF_INIT;
    libro_buf encoded = LIBRO_BUF_INIT;
    static char junk[] = "x";
    libro_status_list s = {
        junk, NULL, 1, 2, LIBRO_STATUS_REVOCATION, {NULL, 0}, 0, LIBRO_WORDS_LICENSE};
    libro_bitstring bits;
    const char *base = GOOD_PAYLOAD;
    libro_code rc;

    if (message) {
        must(libro_bitstring_new(&bits, 2 * MIN_ENTRIES, &err), &err, "bits");
        must(libro_bitstring_encode(&encoded, &bits, &err), &err, "encode");
        libro_bitstring_free(&bits);
        must(libro_buf_printf(&good, &err, MESSAGE_PAYLOAD("%s"), (const char *) encoded.data),
             &err, "good");
        must(libro_status_list_parse(&s, good.data, good.len, &err), &err, "the good one parses");
        libro_status_list_free(&s);
        base = (const char *) good.data;
    }
    if (c->from == NULL) {
        must(libro_buf_append_str(&doc, c->to, &err), &err, "doc");
    } else {
        edit_doc(&doc, base, c->from, c->to, c->name);
    }
    rc = libro_status_list_parse(&s, doc.data, doc.len, &err);
    ck_assert_msg(rc == c->want && strncmp(err.msg, c->msg, strlen(c->msg)) == 0, "%s: got %s (%s)",
                  c->name, libro_code_name(rc), err.msg);
    ck_assert_ptr_null(s.id);
    ck_assert_ptr_null(s.bits.bits);
    libro_buf_free(&encoded);
    libro_buf_free(&good);
    libro_buf_free(&doc);
}

START_TEST(test_parse_rejects)
{
    parse_rejects(&bad_lists[_i], false);
}
END_TEST

START_TEST(test_message_list_rejects)
{
    parse_rejects(&bad_message_lists[_i], true);
}
END_TEST

START_TEST(test_parse_good)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list s;
    const char *doc = GOOD_PAYLOAD;

    must(libro_status_list_parse(&s, doc, strlen(doc), &err), &err, "parse");
    ck_assert_int_eq(s.purpose, LIBRO_STATUS_REVOCATION);
    ck_assert_uint_eq(s.bits.n_entries, MIN_ENTRIES);
    libro_status_list_free(&s);
    LIBRO_ASSERT_CODE(libro_status_list_parse(NULL, doc, strlen(doc), &err), LIBRO_ERR_INVALID_ARG,
                      &err, "statuslist: NULL argument");
    LIBRO_ASSERT_CODE(libro_status_list_parse(&s, NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "statuslist: NULL argument");
}
END_TEST

/* validFrom to the millisecond: written with three digits, read back; a list signed before
 * milliseconds (whole seconds) still reads, as millisecond 0. */
START_TEST(test_valid_from_millis)
{
    static const char old_form[] = "\"validFrom\":\"2026-01-01T00:00:00Z\"";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_key *key = test_key();
    const char *at;
    const char *good = GOOD_PAYLOAD;

    sample_list(&s, LIBRO_STATUS_SUSPENSION);
    s.valid_from_millis = 7;
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign");
    must(libro_jws_verify_compact(&payload, (const char *) jws.data, jws.len, key, "vc+jwt", &err),
         &err, "verify");
    ck_assert_ptr_nonnull(strstr((const char *) payload.data,
                                 "\"validFrom\":\"2026-01-01T00:00:00.007Z\","
                                 "\"validUntil\":\"2026-01-08T00:00:00Z\""));
    must(libro_status_list_parse(&back, payload.data, payload.len, &err), &err, "parse");
    ck_assert_int_eq(back.valid_from, T2026);
    ck_assert_uint_eq(back.valid_from_millis, 7);
    libro_status_list_free(&back);
    s.valid_from_millis = 999;
    libro_buf_clear(&jws);
    libro_buf_clear(&payload);
    must(libro_status_list_sign(&jws, &s, key, &err), &err, "sign 999");
    must(libro_jws_verify_compact(&payload, (const char *) jws.data, jws.len, key, "vc+jwt", &err),
         &err, "verify 999");
    must(libro_status_list_parse(&back, payload.data, payload.len, &err), &err, "parse 999");
    ck_assert_uint_eq(back.valid_from_millis, 999);
    libro_status_list_free(&back);
    /* The form of lists signed before: whole seconds. */
    at = strstr(good, "\"validFrom\":");
    ck_assert_ptr_nonnull(at);
    must(libro_buf_append(&doc, good, (size_t) (at - good), &err), &err, "doc");
    must(libro_buf_append_str(&doc, old_form, &err), &err, "doc");
    must(libro_buf_append_str(&doc, at + strlen(old_form) + 4, &err), &err, "doc");
    must(libro_status_list_parse(&back, doc.data, doc.len, &err), &err, "parse old form");
    ck_assert_int_eq(back.valid_from, T2026);
    ck_assert_uint_eq(back.valid_from_millis, 0);
    libro_status_list_free(&back);
    libro_status_list_free(&s);
    libro_buf_free(&doc);
    libro_buf_free(&payload);
    libro_buf_free(&jws);
    libro_key_free(key);
}
END_TEST

/* ---- credentialStatus in licenses ------------------------------------------------------------ */

static void
read_example(libro_buf *out, const char *name)
{
    char path[128];
    int n = snprintf(path, sizeof path, "../../schemas/examples/%s.json", name);

    ck_assert(n > 0 && (size_t) n < sizeof path);
    libro_test_read(out, libro_test_data_dir(), path);
}

#define BASE "https://registry.town-7.example/v1/status/1/"
#define REV_ID BASE "revocation#94567"
#define SUS_ID BASE "suspension#94567"
/* One entry of the example's credentialStatus, for list URL `list`. */
#define ENTRY(purpose, list)                                                                       \
    "{\"id\":\"" list                                                                              \
    "#94567\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"" purpose                  \
    "\",\"statusListIndex\":\"94567\",\"statusListCredential\":\"" list "\"}"
#define REV_ENTRY ENTRY("revocation", BASE "revocation")
#define SUS_ENTRY ENTRY("suspension", BASE "suspension")
/* The third entry: the five members, then statusSize 2 and the four messages (§2.1). */
#define MSG_ENTRY_AT(list)                                                                         \
    "{\"id\":\"" list "#94567\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":"          \
    "\"message\",\"statusListIndex\":\"94567\",\"statusListCredential\":\"" list                   \
    "\",\"statusSize\":2,\"statusMessage\":" MESSAGES "}"
#define MSG_ENTRY MSG_ENTRY_AT(BASE "message")

START_TEST(test_license_status)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf two = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    const char *at;

    read_example(&text, "professional-license");
    must(libro_credential_parse(&c, text.data, text.len, &err), &err, "parse");
    ck_assert(c->has_status);
    ck_assert_uint_eq(c->status_index, 94567);
    ck_assert_str_eq(c->status_revocation_list,
                     "https://registry.town-7.example/v1/status/1/revocation");
    ck_assert_str_eq(c->status_suspension_list,
                     "https://registry.town-7.example/v1/status/1/suspension");
    ck_assert_str_eq(c->status_message_list, "https://registry.town-7.example/v1/status/1/message");
    must(libro_credential_to_json(&out, c, &err), &err, "to_json");
    ck_assert_str_eq((const char *) out.data, (const char *) text.data);
    libro_credential_free(c);
    /* A license issued before the status words (two entries) still reads and writes back. */
    at = strstr((const char *) text.data, "," MSG_ENTRY);
    ck_assert_ptr_nonnull(at);
    must(libro_buf_append(&two, text.data, (size_t) (at - (const char *) text.data), &err), &err,
         "two");
    must(libro_buf_append_str(&two, at + strlen("," MSG_ENTRY), &err), &err, "two");
    must(libro_credential_parse(&c, two.data, two.len, &err), &err, "parse two entries");
    ck_assert(c->has_status);
    ck_assert_ptr_null(c->status_message_list);
    libro_buf_free(&out);
    must(libro_credential_to_json(&out, c, &err), &err, "to_json two entries");
    ck_assert_str_eq((const char *) out.data, (const char *) two.data);
    libro_buf_free(&two);
    libro_credential_free(c);
    libro_buf_free(&out);
    libro_buf_free(&text);
}
END_TEST

/* An IssuerAuthorization built with status, written, read back. */
START_TEST(test_issuer_auth_status)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_credential *back = NULL;
    static const char rev[] = "http://127.0.0.1:8080/v1/status/2/revocation";
    static const char sus[] = "http://127.0.0.1:8080/v1/status/2/suspension";

    read_example(&text, "issuer-authorization");
    must(libro_credential_parse(&c, text.data, text.len, &err), &err, "parse");
    ck_assert(!c->has_status);
    c->has_status = true;
    c->status_index = 8388607;
    c->status_revocation_list = libro_strndup(rev, strlen(rev));
    c->status_suspension_list = libro_strndup(sus, strlen(sus));
    must(libro_credential_to_json(&out, c, &err), &err, "to_json");
    ck_assert_ptr_nonnull(strstr(
        (const char *) out.data,
        ",\"credentialStatus\":[{\"id\":\"http://127.0.0.1:8080/v1/status/2/revocation#8388607\","
        "\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
        "\"statusListIndex\":\"8388607\",\"statusListCredential\":\"http://127.0.0.1:8080/v1/"
        "status/2/revocation\"},{\"id\":\"http://127.0.0.1:8080/v1/status/2/suspension#8388607\","
        "\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"suspension\","
        "\"statusListIndex\":\"8388607\",\"statusListCredential\":\"http://127.0.0.1:8080/v1/"
        "status/2/suspension\"}]}"));
    must(libro_credential_parse(&back, out.data, out.len, &err), &err, "parse back");
    ck_assert(back->has_status);
    ck_assert_uint_eq(back->status_index, 8388607);
    ck_assert_str_eq(back->status_revocation_list, rev);
    ck_assert_str_eq(back->status_suspension_list, sus);
    must(libro_credential_to_json(&again, back, &err), &err, "to_json again");
    ck_assert_str_eq((const char *) again.data, (const char *) out.data);
    libro_credential_free(back);
    libro_credential_free(c);
    libro_buf_free(&again);
    libro_buf_free(&out);
    libro_buf_free(&text);
}
END_TEST

static const struct {
    const char *name;
    const char *example;
    const char *from;
    const char *to;
    libro_code want;
    const char *msg;
} bad_status[] = {
    {"index out of range", "professional-license", "\"statusListIndex\":\"94567\"",
     "\"statusListIndex\":\"8388608\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusListIndex: not a decimal index below 8388608"},
    {"index leading zero", "professional-license", "\"statusListIndex\":\"94567\"",
     "\"statusListIndex\":\"094567\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusListIndex: not a decimal index below 8388608"},
    {"index signed", "professional-license", "\"statusListIndex\":\"94567\"",
     "\"statusListIndex\":\"+94567\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusListIndex: not a decimal index below 8388608"},
    {"index a number", "professional-license", "\"statusListIndex\":\"94567\"",
     "\"statusListIndex\":94567", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusListIndex: not a string"},
    {"entries swapped", "professional-license", "\"statusPurpose\":\"revocation\"",
     "\"statusPurpose\":\"suspension\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusPurpose: expected \"revocation\""},
    {"second not suspension", "professional-license", "\"statusPurpose\":\"suspension\"",
     "\"statusPurpose\":\"refresh\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].statusPurpose: expected \"suspension\""},
    {"different indexes", "professional-license",
     "suspension#94567\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"suspension\","
     "\"statusListIndex\":\"94567\"",
     "suspension#94568\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"suspension\","
     "\"statusListIndex\":\"94568\"",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].statusListIndex: not the revocation "
     "entry's index"},
    {"wrong type", "professional-license", "\"BitstringStatusListEntry\"",
     "\"StatusList2021Entry\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].type: expected \"BitstringStatusListEntry\""},
    {"missing member", "professional-license", "\"statusListIndex\":\"94567\",", "",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[0].statusListIndex: missing"},
    {"extra member", "professional-license", "\"statusListIndex\":\"94567\",",
     "\"statusListIndex\":\"94567\",\"statusSize\":1,", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusSize: unexpected member"},
    {"list URL plain http", "professional-license", REV_ENTRY,
     ENTRY("revocation", "http://registry.town-7.example/v1/status/1/revocation"), LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusListCredential: not an https URL (or "
     "http://127.0.0.1)"},
    {"list URL with fragment", "professional-license", SUS_ENTRY,
     ENTRY("suspension", BASE "suspension#x"), LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].statusListCredential: character not allowed in an id"},
    {"list URL not a URL", "professional-license",
     "\"statusListCredential\":\"https://registry.town-7.example/v1/status/1/revocation\"",
     "\"statusListCredential\":\"urn:x\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].id: not statusListCredential + \"#\" + statusListIndex"},
    {"id without index", "professional-license", REV_ID, "https://registry.town-7.example/v1/x",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].id: not statusListCredential + \"#\" + statusListIndex"},
    {"id is the list", "professional-license", SUS_ID,
     "https://registry.town-7.example/v1/status/1/suspension", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].id: not statusListCredential + \"#\" + statusListIndex"},
    {"same list twice", "professional-license", SUS_ENTRY, ENTRY("suspension", BASE "revocation"),
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].statusListCredential: the same list as the revocation "
     "entry's"},
    {"one entry", "professional-license", REV_ENTRY "," SUS_ENTRY "," MSG_ENTRY, REV_ENTRY,
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: expected 2 or 3 entries (revocation, suspension, message)"},
    {"third not message", "professional-license", MSG_ENTRY, SUS_ENTRY, LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusSize: missing"},
    {"four entries", "professional-license", MSG_ENTRY, MSG_ENTRY "," MSG_ENTRY, LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: expected 2 or 3 entries (revocation, suspension, message)"},
    {"empty array", "professional-license", REV_ENTRY "," SUS_ENTRY "," MSG_ENTRY, "",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: expected 2 or 3 entries (revocation, suspension, message)"},
    {"message first", "professional-license", REV_ENTRY "," SUS_ENTRY "," MSG_ENTRY,
     MSG_ENTRY "," REV_ENTRY "," SUS_ENTRY, LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0].statusSize: unexpected member"},
    {"message purpose twice", "professional-license", SUS_ENTRY, MSG_ENTRY, LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[1].statusSize: unexpected member"},
    {"statusSize 1", "professional-license", "\"statusSize\":2", "\"statusSize\":1",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusSize: not the integer 2"},
    {"statusSize 3", "professional-license", "\"statusSize\":2", "\"statusSize\":3",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusSize: not the integer 2"},
    {"statusSize text", "professional-license", "\"statusSize\":2", "\"statusSize\":\"2\"",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusSize: not the integer 2"},
    {"statusSize real", "professional-license", "\"statusSize\":2", "\"statusSize\":2.0",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusSize: not the integer 2"},
    {"statusMessage missing", "professional-license", ",\"statusMessage\":" MESSAGES, "",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus[2].statusMessage: missing"},
    {"statusReference", "professional-license", "\"statusSize\":2",
     "\"statusReference\":\"https://x.example/\",\"statusSize\":2", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusReference: unexpected member"},
    {"messages three", "professional-license", ",{\"status\":\"0x3\",\"message\":\"undefined\"}",
     "", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not an array of 4 entries (statusSize 2)"},
    {"messages object", "professional-license", MESSAGES, "{}", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not an array of 4 entries (statusSize 2)"},
    {"message revoked", "professional-license", "\"surrendered\"", "\"revoked\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages 0x0 active, 0x1 "
     "surrendered, 0x2 lapsed, 0x3 undefined"},
    {"messages swapped", "professional-license", "\"0x1\",\"message\":\"surrendered\"",
     "\"0x1\",\"message\":\"lapsed\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages"},
    {"status decimal", "professional-license", "\"0x2\"", "\"2\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages"},
    {"status upper case", "professional-license", "\"0x2\"", "\"0X2\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages"},
    {"message extra member", "professional-license", "\"message\":\"lapsed\"",
     "\"message\":\"lapsed\",\"lang\":\"en\"", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusMessage: not libro's messages"},
    {"message list = revocation list", "professional-license", MSG_ENTRY,
     MSG_ENTRY_AT(BASE "revocation"), LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusListCredential: the same list as another entry's"},
    {"message index differs", "professional-license",
     "message#94567\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
     "\"statusListIndex\":\"94567\"",
     "message#94568\",\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"message\","
     "\"statusListIndex\":\"94568\"",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].statusListIndex: not the revocation entry's index"},
    {"message id not derived", "professional-license", "message#94567", "message#1",
     LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2].id: not statusListCredential + \"#\" + statusListIndex"},
    {"message on an authorization", "issuer-authorization", "1096}]}}",
     "1096}]},\"credentialStatus\":[" REV_ENTRY "," SUS_ENTRY "," MSG_ENTRY "]}", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[2]: a message entry is only on a ProfessionalLicense"},
    {"entry not an object", "professional-license", REV_ENTRY, "7", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus[0]: not an object"},
    {"not an array", "professional-license", "[" REV_ENTRY "," SUS_ENTRY "," MSG_ENTRY "]", "{}",
     LIBRO_ERR_SCHEMA, "credential: credentialStatus: not an array"},
    {"on a charter", "community-charter", "]}}", "]},\"credentialStatus\":[]}", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: unexpected member"},
    {"on a registry authorization", "registry-authorization", "\"}}",
     "\"},\"credentialStatus\":[]}", LIBRO_ERR_SCHEMA,
     "credential: credentialStatus: unexpected member"},
};

START_TEST(test_license_status_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf base = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_code rc;

    read_example(&base, bad_status[_i].example);
    edit_doc(&doc, (const char *) base.data, bad_status[_i].from, bad_status[_i].to,
             bad_status[_i].name);
    rc = libro_credential_parse(&c, doc.data, doc.len, &err);
    ck_assert_msg(rc == bad_status[_i].want &&
                      strncmp(err.msg, bad_status[_i].msg, strlen(bad_status[_i].msg)) == 0,
                  "%s: got %s (%s)", bad_status[_i].name, libro_code_name(rc), err.msg);
    ck_assert_ptr_null(c);
    libro_buf_free(&doc);
    libro_buf_free(&base);
}
END_TEST

/* libro_credential_check on built structures: what to_json refuses to write. */
enum status_edit { S_INDEX, S_SAME, S_HTTP, S_NULL_LIST, S_STRAY, S_CHARTER };

static const struct {
    const char *name;
    enum status_edit e;
    const char *msg;
} bad_built[] = {
    {"index 8388608", S_INDEX,
     "credential: credentialStatus[0].statusListIndex: not below 8388608"},
    {"same list", S_SAME,
     "credential: credentialStatus[1].statusListCredential: the same list as the revocation "
     "entry's"},
    {"http list", S_HTTP,
     "credential: credentialStatus[1].statusListCredential: not an https URL (or "
     "http://127.0.0.1)"},
    {"missing list", S_NULL_LIST, "credential: credentialStatus[0].statusListCredential: missing"},
    {"members without has_status", S_STRAY,
     "credential: credentialStatus: status members set while has_status is false"},
    {"charter with status", S_CHARTER,
     "credential: credentialStatus: not a member of CommunityCharter"},
};

START_TEST(test_check_status)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    char *tmp;

    read_example(&text,
                 bad_built[_i].e == S_CHARTER ? "community-charter" : "professional-license");
    must(libro_credential_parse(&c, text.data, text.len, &err), &err, "parse");
    switch (bad_built[_i].e) {
    case S_INDEX:
        c->status_index = LIBRO_STATUS_LIST_MAX_ENTRIES;
        break;
    case S_SAME:
        memcpy(c->status_suspension_list + strlen(c->status_suspension_list) - 10, "revocation",
               10);
        break;
    case S_HTTP:
        tmp = c->status_suspension_list;
        memmove(tmp + 4, tmp + 5, strlen(tmp + 5) + 1);
        break;
    case S_NULL_LIST:
        libro_free(c->status_revocation_list);
        c->status_revocation_list = NULL;
        break;
    case S_STRAY:
        c->has_status = false;
        break;
    case S_CHARTER:
        c->has_status = true;
        break;
    }
    LIBRO_ASSERT_CODE(libro_credential_check(c, &err), LIBRO_ERR_SCHEMA, &err, bad_built[_i].msg);
    LIBRO_ASSERT_CODE(libro_credential_to_json(&out, c, &err), LIBRO_ERR_SCHEMA, &err,
                      bad_built[_i].msg);
    ck_assert_uint_eq(out.len, 0);
    libro_credential_free(c);
    libro_buf_free(&text);
}
END_TEST

/* ---- OOM ------------------------------------------------------------------------------------ */

/* Everything above in one pass, failing the 1st, 2nd, ... allocation until it gets through. */
static char *
copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n); /* libc: the injected failures must hit the code under test only */

    ck_assert_ptr_nonnull(p);
    memcpy(p, s, n);
    return p;
}

static libro_code
everything(const libro_key *key, const libro_buf *lic, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_status_list back;
    libro_bitstring b;
    libro_credential *c = NULL;
    libro_code rc;

    memset(&s, 0, sizeof s);
    memset(&back, 0, sizeof back);
    memset(&b, 0, sizeof b);
    s.id = copy(LIST_URL);
    s.issuer = copy(REGISTRY);
    s.valid_from = T2026;
    s.valid_until = T2026 + 86400;
    s.purpose = LIBRO_STATUS_SUSPENSION;
    rc = libro_bitstring_new(&s.bits, MIN_ENTRIES, err);
    if (rc == LIBRO_OK) {
        libro_bitstring_set(&s.bits, 94567, true);
        rc = libro_bitstring_encode(&text, &s.bits, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_bitstring_decode(&b, (const char *) text.data, text.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_status_list_sign(&jws, &s, key, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_verify_compact(&out, (const char *) jws.data, jws.len, key, "vc+jwt", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_status_list_parse(&back, out.data, out.len, err);
    }
    if (rc == LIBRO_OK) {
        ck_assert(libro_bitstring_get(&back.bits, 94567));
        rc = libro_credential_parse(&c, lic->data, lic->len, err);
    }
    if (rc == LIBRO_OK) {
        libro_buf_clear(&out);
        rc = libro_credential_to_json(&out, c, err);
    }
    if (rc == LIBRO_OK) {
        ck_assert_str_eq((const char *) out.data, (const char *) lic->data);
    }
    free(s.id);
    free(s.issuer);
    s.id = NULL;
    s.issuer = NULL;
    libro_bitstring_free(&s.bits);
    libro_status_list_free(&back);
    libro_bitstring_free(&b);
    libro_credential_free(c);
    libro_buf_free(&out);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    return rc;
}

START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf lic = LIBRO_BUF_INIT;
    libro_key *key = test_key();
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    read_example(&lic, "professional-license");
    for (n = 1; n < 20000 && rc != LIBRO_OK; n++) {
        libro__alloc_fail_after(n);
        rc = everything(key, &lic, &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, NULL);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 20);
    libro_key_free(key);
    libro_buf_free(&lic);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("statuslist");
    TCase *bits = tcase_create("bits");
    TCase *codec = tcase_create("codec");
    TCase *limits = tcase_create("limits");
    TCase *cred = tcase_create("credential");
    TCase *status = tcase_create("license_status");
    TCase *oom = tcase_create("oom");

    tcase_set_timeout(codec, 60);
    tcase_set_timeout(limits, 60);
    tcase_set_timeout(oom, 300);
    tcase_add_test(bits, test_bit_order);
    tcase_add_loop_test(bits, test_new_rejects, 0, (int) LIBRO_NELEM(bad_sizes));
    tcase_add_test(bits, test_names);
    tcase_add_test(bits, test_values);
    tcase_add_loop_test(codec, test_round_trip, 0, (int) LIBRO_NELEM(trips));
    tcase_add_test(codec, test_spec_example);
    tcase_add_test(codec, test_encode_args);
    tcase_add_loop_test(limits, test_decode_rejects, 0, (int) LIBRO_NELEM(bad));
    tcase_add_loop_test(limits, test_decode_bounds, 0, (int) LIBRO_NELEM(inflated_ok));
    tcase_add_loop_test(cred, test_sign_verify_parse, 0, 2);
    tcase_add_test(cred, test_check_range);
    tcase_add_test(cred, test_message_list);
    tcase_add_test(cred, test_mandate_message_list);
    tcase_add_loop_test(cred, test_sign_rejects, 0, (int) LIBRO_NELEM(bad_sign));
    tcase_add_test(cred, test_sign_payload_cap);
    tcase_add_loop_test(cred, test_parse_rejects, 0, (int) LIBRO_NELEM(bad_lists));
    tcase_add_loop_test(cred, test_message_list_rejects, 0, (int) LIBRO_NELEM(bad_message_lists));
    tcase_add_test(cred, test_parse_good);
    tcase_add_test(cred, test_valid_from_millis);
    tcase_add_test(status, test_license_status);
    tcase_add_test(status, test_issuer_auth_status);
    tcase_add_loop_test(status, test_license_status_rejects, 0, (int) LIBRO_NELEM(bad_status));
    tcase_add_loop_test(status, test_check_status, 0, (int) LIBRO_NELEM(bad_built));
    tcase_add_test(oom, test_oom);
    suite_add_tcase(s, bits);
    suite_add_tcase(s, codec);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, cred);
    suite_add_tcase(s, status);
    suite_add_tcase(s, oom);
    return s;
}
