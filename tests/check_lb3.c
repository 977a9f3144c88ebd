/* The LB3 QR frame (core/src/lb3.c, docs/formats.md "LB3"): its pinned dictionary, mandates of
 * every office, algorithm and shape packed and unpacked to the same JWS, what stays with LB2
 * (other types, headers and payloads libro would not write, lists without a shared base), and
 * frames refused field by field (crafted with stored DEFLATE blocks, which any RFC 1951
 * decoder reads). */
#include <stdio.h>
#include <string.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_util.h"

/* SHA-256 of schemas/lb3/dictionary.txt: it may never change (a new one is a new prefix). */
#define LB3_DICTIONARY_SHA256 "978a9fbb0306dfb0fce1e10459a119b4f2dd1a13d853f4dcd8406b48cf6c58c7"
#define Y2026 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)
#define HOLDER "did:key:z6MkphCNmVA1nbycSDGU5bCTRvGP5wgBWx5goBV6PUbibuP3"
#define RECORD "sha256:60983a2a14fee4035c6aa0b77efba9ee84ff3a4cbaff70b3e56b7672d588443a"
#define BASE "https://registry.neighborhood-3.example/v1/status/mandates/0/"
#define FIXED 163u /* sig_len, signature, kind, flags, thumbprint, holder, record */

static libro_key *ed;
static libro_key *es;

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_key_generate(&ed, LIBRO_ALG_ED25519, &err), &err, "ed");
    must(libro_key_generate(&es, LIBRO_ALG_ES256, &err), &err, "es");
}

static void
teardown(void)
{
    libro_key_free(es);
    libro_key_free(ed);
}

static void
set_lists(libro_credential *c, const char *base, uint32_t index)
{
    char list[300];

    c->has_status = true;
    c->status_index = index;
    ck_assert(snprintf(list, sizeof list, "%srevocation", base) > 0);
    c->status_revocation_list = sdup(list);
    ck_assert(snprintf(list, sizeof list, "%ssuspension", base) > 0);
    c->status_suspension_list = sdup(list);
    ck_assert(snprintf(list, sizeof list, "%smessage", base) > 0);
    c->status_message_list = sdup(list);
}

/* A mandate of `office`; the issuer follows the office rule. */
static libro_credential *
mandate(libro_office office)
{
    const char *seat = office == LIBRO_OFFICE_REPRESENTATIVE ? "urn:libro:tribe-12"
                       : office == LIBRO_OFFICE_LEADER       ? "urn:libro:town-7"
                                                             : NULL;
    libro_credential *c =
        new_cred(LIBRO_CRED_MANDATE, seat != NULL ? seat : "urn:libro:neighborhood-3", HOLDER,
                 "Jane Doe", Y2026, Y2026 + 1096 * DAY - 1);

    c->office = office;
    c->roundtable_id = sdup("urn:libro:neighborhood-3");
    c->roundtable_level = 1;
    c->seat = seat != NULL ? sdup(seat) : NULL;
    c->voting = office == LIBRO_OFFICE_REPRESENTATIVE;
    c->election_record = sdup(RECORD);
    c->election_date = Y2026 - 46 * DAY;
    c->election_electorate = 1012;
    c->election_result = sdup("elected with 612 of 987 votes");
    set_lists(c, BASE, 40517);
    return c;
}

static void
set(char **field, const char *value)
{
    libro_free(*field);
    *field = value == NULL ? NULL : sdup(value);
}

/* ---- the dictionary --------------------------------------------------------------------- */

START_TEST(test_dictionary_pinned)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf dict = LIBRO_BUF_INIT;
    libro_buf hex = LIBRO_BUF_INIT;
    unsigned char digest[32];
    size_t i;

    libro_test_read(&dict, libro_test_data_dir(), "../../schemas/lb3/dictionary.txt");
    ck_assert_str_eq(libro_lb1_dictionary_sha256(LIBRO_LB3), LB3_DICTIONARY_SHA256);
    must(libro_sha256(digest, dict.data, dict.len, &err), &err, "sha256");
    must(libro_hex_encode(&hex, digest, sizeof digest, &err), &err, "hex");
    ck_assert_str_eq((const char *) hex.data, LB3_DICTIONARY_SHA256);
    for (i = 0; i < dict.len; i++) {
        ck_assert_msg(dict.data[i] >= 0x20 && dict.data[i] < 0x7f, "byte %zu", i);
    }
    libro_buf_free(&hex);
    libro_buf_free(&dict);
}
END_TEST

/* ---- round trips ------------------------------------------------------------------------ */

enum shape {
    S_PLAIN,
    S_SECONDS,      /* times that are not whole days, an election after validFrom */
    S_UTF8,         /* non-ASCII name and result */
    S_CAPS,         /* 200-byte texts, electorate and index at their caps */
    S_INDEX_0,      /* index 0, electorate 1 */
    S_LEADER_APART, /* a leader whose seat is not the issuer: refused by the rules, not by
                     * the frame, which carries what the parser accepts */
    S_OLD,          /* before 1970: negative times */
};

static const struct {
    const char *name;
    libro_office office;
    bool es256;
    enum shape shape;
} trips[] = {
    {"representative", LIBRO_OFFICE_REPRESENTATIVE, false, S_PLAIN},
    {"chair", LIBRO_OFFICE_CHAIR, false, S_PLAIN},
    {"leader", LIBRO_OFFICE_LEADER, false, S_PLAIN},
    {"representative ES256", LIBRO_OFFICE_REPRESENTATIVE, true, S_PLAIN},
    {"chair ES256", LIBRO_OFFICE_CHAIR, true, S_SECONDS},
    {"seconds", LIBRO_OFFICE_REPRESENTATIVE, false, S_SECONDS},
    {"utf-8", LIBRO_OFFICE_LEADER, false, S_UTF8},
    {"caps", LIBRO_OFFICE_REPRESENTATIVE, true, S_CAPS},
    {"index 0", LIBRO_OFFICE_CHAIR, false, S_INDEX_0},
    {"seat apart from issuer", LIBRO_OFFICE_LEADER, false, S_LEADER_APART},
    {"before 1970", LIBRO_OFFICE_REPRESENTATIVE, false, S_OLD},
};

static void
shape(libro_credential *c, enum shape s)
{
    char big[LIBRO_MAX_TEXT_BYTES + 1];

    switch (s) {
    case S_PLAIN:
        break;
    case S_SECONDS:
        c->valid_from += 3661;
        c->valid_until -= 59;
        c->election_date = c->valid_from + 17;
        break;
    case S_UTF8:
        set(&c->name, "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0");
        set(&c->election_result, "\xc3\xa9lu \xe2\x80\x94 appointed by the council");
        break;
    case S_CAPS:
        memset(big, 'N', LIBRO_MAX_TEXT_BYTES);
        big[LIBRO_MAX_TEXT_BYTES] = '\0';
        set(&c->name, big);
        set(&c->election_result, big);
        c->election_electorate = 100000000;
        c->status_index = 8388607;
        break;
    case S_INDEX_0:
        c->status_index = 0;
        c->election_electorate = 1;
        break;
    case S_LEADER_APART:
        set(&c->seat, "urn:libro:town-8");
        break;
    case S_OLD:
        c->valid_from = -DAY * 3650 + 7;
        c->valid_until = c->valid_from + DAY;
        c->election_date = c->valid_from - 86399;
        break;
    }
}

START_TEST(test_round_trip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf lb2 = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_credential *c = mandate(trips[_i].office);
    char *jws;

    shape(c, trips[_i].shape);
    jws = sign(c, trips[_i].es256 ? es : ed);
    must(libro_lb1_encode(&text, jws, strlen(jws), &err), &err, trips[_i].name);
    ck_assert_msg(memcmp(text.data, "LB3:", 4) == 0, "%s: %.4s", trips[_i].name, text.data);
    ck_assert_int_eq(libro_lb1_format_of((const char *) text.data, text.len), LIBRO_LB3);
    must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_str_eq((const char *) back.data, jws);
    /* Always well under what LB2 needs. */
    must(libro_lb1_encode_format(&lb2, LIBRO_LB2, jws, strlen(jws), &err), &err, "lb2");
    ck_assert_uint_lt(text.len, lb2.len);
    if (trips[_i].shape == S_PLAIN) {
        ck_assert_uint_le(text.len, 419); /* QR version 12 at level M */
    }
    libro_free(jws);
    libro_credential_free(c);
    libro_buf_free(&back);
    libro_buf_free(&lb2);
    libro_buf_free(&text);
}
END_TEST

/* ---- what stays with LB2 ---------------------------------------------------------------- */

enum other {
    O_LICENSE,
    O_KID,       /* a kid that is not <issuer>#<thumbprint> */
    O_HEADER,    /* a header with another member order */
    O_NONCANON,  /* a payload libro would write otherwise (member order) */
    O_LISTS,     /* status lists in two directories */
    O_LIST_NAME, /* a revocation list not named revocation */
    O_SIG,       /* a signature that is not 64 bytes */
    O_TWO_DOTS,  /* not three segments */
};

static const struct {
    const char *name;
    enum other o;
    const char *msg;
} others[] = {
    {"license", O_LICENSE, "lb3: not a RoundtableMandate"},
    {"kid", O_KID, "lb3: the header is not the one libro signs with"},
    {"header order", O_HEADER, "lb3: the header is not the one libro signs with"},
    {"payload order", O_NONCANON, "lb3: the mandate does not unpack to the same JWS"},
    {"lists apart", O_LISTS, "lb3: the status lists do not share a base"},
    {"list name", O_LIST_NAME, "lb3: the status lists do not share a base"},
    {"short signature", O_SIG, "lb3: not a compact JWS with a 64-byte signature"},
    {"two segments", O_TWO_DOTS, "lb3: not a compact JWS"},
};

/* A compact JWS of header and payload texts, signed by `ed`. */
static char *
raw_jws(const char *header, const char *payload)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf in = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    must(libro_b64url_encode(&in, header, strlen(header), &err), &err, "h");
    must(libro_buf_append(&in, ".", 1, &err), &err, ".");
    must(libro_b64url_encode(&in, payload, strlen(payload), &err), &err, "p");
    must(libro_key_sign(&sig, ed, in.data, in.len, &err), &err, "sign");
    must(libro_buf_append(&out, in.data, in.len, &err), &err, "out");
    must(libro_buf_append(&out, ".", 1, &err), &err, ".");
    must(libro_b64url_encode(&out, sig.data, sig.len, &err), &err, "s");
    libro_buf_free(&sig);
    libro_buf_free(&in);
    return (char *) libro_buf_detach(&out, NULL);
}

static char *
other_jws(enum other o)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = mandate(LIBRO_OFFICE_REPRESENTATIVE);
    libro_buf payload = LIBRO_BUF_INIT;
    char kid[300];
    char header[400];
    char *jws = NULL;
    char *p;

    kid_of(kid, c->issuer, ed);
    switch (o) {
    case O_LICENSE:
        libro_credential_free(c);
        c = new_cred(LIBRO_CRED_LICENSE, "urn:libro:town-7:board", NULL, "Ada", Y2026, Y2026 + DAY);
        c->license_number = sdup("T7-1");
        c->profession = sdup("nurse");
        c->license_type = sdup("nursing");
        c->scope = libro_calloc(1, sizeof *c->scope);
        ck_assert_ptr_nonnull(c->scope);
        c->scope[0] = sdup("care");
        c->n_scope = 1;
        c->community_id = sdup("urn:libro:town-7");
        c->community_level = 2;
        jws = sign(c, ed);
        break;
    case O_KID:
    case O_HEADER:
        must(libro_credential_to_json(&payload, c, &err), &err, "json");
        ck_assert(snprintf(header, sizeof header,
                           o == O_KID ? "{\"alg\":\"EdDSA\",\"kid\":\"urn:libro:other#%s\","
                                        "\"typ\":\"vc+jwt\"}"
                                      : "{\"kid\":\"%s\",\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\"}",
                           o == O_KID ? strchr(kid, '#') + 1 : kid) > 0);
        jws = raw_jws(header, (const char *) payload.data);
        break;
    case O_NONCANON:
        must(libro_credential_to_json(&payload, c, &err), &err, "json");
        /* {"@context":[...],"type":[...] -> "type" first: the same mandate, other bytes. */
        p = strstr((char *) payload.data,
                   ",\"type\":[\"VerifiableCredential\",\"RoundtableMandate\"]");
        ck_assert_ptr_nonnull(p);
        {
            char moved[4096];
            const char *ty = ",\"type\":[\"VerifiableCredential\",\"RoundtableMandate\"]";

            ck_assert(snprintf(moved, sizeof moved,
                               "{\"type\":[\"VerifiableCredential\","
                               "\"RoundtableMandate\"],%.*s%s",
                               (int) (p - (char *) payload.data - 1), (char *) payload.data + 1,
                               p + strlen(ty)) > 0);
            ck_assert(snprintf(header, sizeof header,
                               "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"vc+jwt\"}", kid) > 0);
            jws = raw_jws(header, moved);
        }
        break;
    case O_LISTS:
        set(&c->status_suspension_list, "https://registry.neighborhood-3.example/v1/status/x/"
                                        "suspension");
        jws = sign(c, ed);
        break;
    case O_LIST_NAME:
        set(&c->status_revocation_list, BASE "revoked");
        jws = sign(c, ed);
        break;
    case O_SIG:
    case O_TWO_DOTS:
        jws = sign(c, ed);
        jws[strlen(jws) - (o == O_SIG ? 4 : 0)] = '\0';
        if (o == O_TWO_DOTS) {
            *strrchr(jws, '.') = '\0';
        }
        break;
    }
    libro_buf_free(&payload);
    libro_credential_free(c);
    return jws;
}

START_TEST(test_stays_lb2)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    char *jws = other_jws(others[_i].o);

    LIBRO_ASSERT_CODE(libro_lb1_encode_format(&text, LIBRO_LB3, jws, strlen(jws), &err),
                      LIBRO_ERR_UNSUPPORTED, &err, others[_i].msg);
    ck_assert_uint_eq(text.len, 0);
    if (others[_i].o != O_SIG && others[_i].o != O_TWO_DOTS) {
        libro_buf back = LIBRO_BUF_INIT;

        must(libro_lb1_encode(&text, jws, strlen(jws), &err), &err, others[_i].name);
        ck_assert_mem_eq(text.data, "LB2:", 4);
        must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "back");
        ck_assert_str_eq((const char *) back.data, jws);
        libro_buf_free(&back);
    }
    libro_free(jws);
    libro_buf_free(&text);
}
END_TEST

/* ---- refused frames --------------------------------------------------------------------- */

/* The fixed bytes of a frame: signature length 64, a zero signature, kind, flags, then the
 * thumbprint, a holder key of the reference did:key and the record's digest. */
static void
fixed(libro_buf *frame, unsigned char sig_len, unsigned char kind, unsigned char flags)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf mc = LIBRO_BUF_INIT;
    libro_buf rec = LIBRO_BUF_INIT;
    unsigned char zero[64] = {0};

    must(libro_buf_append(frame, &sig_len, 1, &err), &err, "sig_len");
    must(libro_buf_append(frame, zero, 64, &err), &err, "sig");
    must(libro_buf_append(frame, &kind, 1, &err), &err, "kind");
    must(libro_buf_append(frame, &flags, 1, &err), &err, "flags");
    must(libro_buf_append(frame, zero, 32, &err), &err, "thumbprint");
    must(libro_multibase_decode(&mc, &HOLDER[8], strlen(HOLDER) - 8, &err), &err, "holder");
    must(libro_buf_append(frame, mc.data + 2, 32, &err), &err, "holder");
    must(libro_hex_decode(&rec, &RECORD[7], 64, &err), &err, "record");
    must(libro_buf_append(frame, rec.data, 32, &err), &err, "record");
    libro_buf_free(&rec);
    libro_buf_free(&mc);
}

/* `fields` (len bytes) as one stored DEFLATE block (RFC 1951 §3.2.4). */
static void
stored(libro_buf *frame, const void *fields, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char head[5] = {0x01, (unsigned char) (len & 0xff), (unsigned char) (len >> 8),
                             (unsigned char) (~len & 0xff), (unsigned char) ((~len >> 8) & 0xff)};

    must(libro_buf_append(frame, head, sizeof head, &err), &err, "stored");
    must(libro_buf_append(frame, fields, len, &err), &err, "fields");
}

/* Valid fields of a representative (flags 0x15): level 1, 2026-01-01 as days, 1096 days, 46
 * days back, electorate 1012, index 40517, then the strings. */
#define V_LEVEL "\x01"
#define V_TIMES "\x98\xff\x04" /* 2 * zigzag(20454) */ "\xa0\x22" /* 2 * zigzag(1096) */ "\xb8\x01"
#define V_NUMBERS "\xf4\x07" /* 1012 */ "\xc5\xbc\x02" /* 40517 */
#define V_STRINGS "urn:libro:tribe-12\0urn:libro:neighborhood-3\0Jane Doe\0elected\0" BASE
#define V_FIELDS V_LEVEL V_TIMES V_NUMBERS V_STRINGS

/* A literal's bytes with the NUL C ends it with (the last string's), or without (FN). */
#define F(lit) lit, sizeof lit
#define FN(lit) lit, sizeof lit - 1

static const struct {
    const char *name;
    unsigned char sig_len, kind, flags;
    const char *fields; /* NULL: none at all (the frame ends after the fixed bytes) */
    size_t len;
    libro_code want;
    const char *msg; /* NULL: accepted */
} frames[] = {
    {"valid", 64, 1, 0x15, F(V_FIELDS), LIBRO_OK, NULL},
    {"signature length 63", 63, 1, 0x15, F(V_FIELDS), LIBRO_ERR_PARSE,
     "lb3: signature length 63, expected 64"},
    {"kind 2", 64, 2, 0x15, F(V_FIELDS), LIBRO_ERR_PARSE, "lb3: unknown kind 2"},
    {"office 0", 64, 1, 0x14, F(V_FIELDS), LIBRO_ERR_PARSE, "lb3: bad flags 0x14"},
    {"reserved bit", 64, 1, 0x95, F(V_FIELDS), LIBRO_ERR_PARSE, "lb3: bad flags 0x95"},
    {"seat apart without seat", 64, 1, 0x25, F(V_FIELDS), LIBRO_ERR_PARSE, "lb3: bad flags 0x25"},
    {"no fields", 64, 1, 0x15, NULL, 0, LIBRO_ERR_PARSE, "lb3: compressed data is truncated"},
    {"empty fields", 64, 1, 0x15, FN(""), LIBRO_ERR_PARSE, "lb3: roundtable level missing"},
    {"level 9", 64, 1, 0x15, F("\x09" V_TIMES V_NUMBERS V_STRINGS), LIBRO_ERR_PARSE,
     "lb3: roundtable level missing or over 8"},
    {"varint padded", 64, 1, 0x15, FN(V_LEVEL "\x98\xff\x84\x00"), LIBRO_ERR_PARSE,
     "lb3: validFrom is not a shortest varint"},
    {"varint too long", 64, 1, 0x15, FN(V_LEVEL "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
     LIBRO_ERR_PARSE, "lb3: validFrom is longer than 9 bytes"},
    {"time out of range", 64, 1, 0x15, FN(V_LEVEL "\xff\xff\xff\xff\xff\xff\xff\x7f"),
     LIBRO_ERR_PARSE, "lb3: validFrom out of range"},
    {"fields end in a time", 64, 1, 0x15, FN(V_LEVEL "\x98\xff"), LIBRO_ERR_PARSE,
     "lb3: fields end inside validFrom"},
    {"term of 0", 64, 1, 0x15, FN(V_LEVEL "\x98\xff\x04\x00"), LIBRO_ERR_PARSE,
     "lb3: the term is not positive"},
    {"electorate too large", 64, 1, 0x15, F(V_LEVEL V_TIMES "\x81\xc2\xd7\x2f\x00"),
     LIBRO_ERR_PARSE, "lb3: electorate or status index too large"},
    {"no NUL", 64, 1, 0x15, FN(V_LEVEL V_TIMES V_NUMBERS "urn:libro:tribe-12"), LIBRO_ERR_PARSE,
     "lb3: fields end inside the issuer"},
    {"empty string", 64, 1, 0x15, F(V_LEVEL V_TIMES V_NUMBERS "\0"), LIBRO_ERR_PARSE,
     "lb3: the issuer is not 1 to 200 bytes"},
    {"trailing byte", 64, 1, 0x15, F(V_FIELDS "\0x"), LIBRO_ERR_PARSE,
     "lb3: trailing bytes after the fields"},
    {"chair with a seat", 64, 1, 0x12, F(V_FIELDS), LIBRO_ERR_SCHEMA,
     "lb3: credential: credentialSubject.seat: present on a chair's mandate"},
    {"representative not voting", 64, 1, 0x11, F(V_FIELDS), LIBRO_ERR_SCHEMA,
     "lb3: credential: credentialSubject.voting: false on a representative's mandate"},
    {"electorate 0", 64, 1, 0x15, F(V_LEVEL V_TIMES "\x00\xc5\xbc\x02" V_STRINGS), LIBRO_ERR_SCHEMA,
     "lb3: credential: credentialSubject.election.electorate: not in 1.."},
    {"name with a control character", 64, 1, 0x15,
     F(V_LEVEL V_TIMES V_NUMBERS
       "urn:libro:tribe-12\0urn:libro:neighborhood-3\0Jane\tDoe\0e\0" BASE),
     LIBRO_ERR_SCHEMA, "lb3: credential: credentialSubject.name: control character"},
};

START_TEST(test_frames)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf frame = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_code rc;

    fixed(&frame, frames[_i].sig_len, frames[_i].kind, frames[_i].flags);
    ck_assert_uint_eq(frame.len, FIXED);
    if (frames[_i].fields != NULL) {
        stored(&frame, frames[_i].fields, frames[_i].len);
    }
    must(libro_buf_append_str(&text, "LB3:", &err), &err, "prefix");
    must(libro_base45_encode(&text, frame.data, frame.len, &err), &err, "base45");
    rc = libro_lb1_decode(&jws, (const char *) text.data, text.len, &err);
    ck_assert_msg(rc == frames[_i].want, "%s: got %d (%s)", frames[_i].name, rc, err.msg);
    if (rc != LIBRO_OK) {
        LIBRO_ASSERT_CODE(rc, frames[_i].want, &err, frames[_i].msg);
        ck_assert_uint_eq(jws.len, 0);
    } else {
        /* What comes out is a JWS of the mandate (its zero signature does not verify). */
        must(libro_credential_parse_unverified(&c, (const char *) jws.data, jws.len, &err), &err,
             "parse");
        ck_assert_int_eq(c->type, LIBRO_CRED_MANDATE);
        ck_assert_str_eq(c->subject_id, HOLDER);
        ck_assert_str_eq(c->election_record, RECORD);
        ck_assert_str_eq(c->seat, "urn:libro:tribe-12");
        ck_assert_str_eq(c->status_message_list, BASE "message");
        ck_assert(c->valid_until == Y2026 + 1096 * DAY - 1);
        ck_assert(c->election_date == Y2026 - 46 * DAY);
        ck_assert_uint_eq(c->status_index, 40517);
    }
    libro_credential_free(c);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&frame);
}
END_TEST

/* Truncated anywhere in its fixed bytes, a valid frame is refused. */
START_TEST(test_truncated)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf frame = LIBRO_BUF_INIT;
    libro_buf cut = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_credential *c = mandate(LIBRO_OFFICE_CHAIR);
    char *token = sign(c, ed);
    size_t n;

    must(libro_lb1_encode(&text, token, strlen(token), &err), &err, "encode");
    must(libro_base45_decode(&frame, (const char *) text.data + 4, text.len - 4, &err), &err,
         "base45");
    for (n = 1; n < frame.len; n++) {
        cut.len = 0;
        must(libro_buf_append_str(&cut, "LB3:", &err), &err, "prefix");
        must(libro_base45_encode(&cut, frame.data, n, &err), &err, "cut");
        ck_assert_msg(libro_lb1_decode(&jws, (const char *) cut.data, cut.len, &err) ==
                          LIBRO_ERR_PARSE,
                      "%zu bytes: %s", n, err.msg);
        ck_assert_uint_eq(jws.len, 0);
    }
    libro_free(token);
    libro_credential_free(c);
    libro_buf_free(&jws);
    libro_buf_free(&cut);
    libro_buf_free(&frame);
    libro_buf_free(&text);
}
END_TEST

/* Out of memory at every allocation of packing and unpacking a mandate: LIBRO_ERR_NOMEM, or
 * the LB3 text (never LB2 because LB3 ran out of memory), and nothing leaks. */
START_TEST(test_oom)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = mandate(LIBRO_OFFICE_LEADER);
    char *token = sign(c, es);
    libro_buf want = LIBRO_BUF_INIT;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    must(libro_lb1_encode(&want, token, strlen(token), &err), &err, "encode");
    for (n = 1; n < 100000 && rc != LIBRO_OK; n++) {
        libro_buf text = LIBRO_BUF_INIT;
        libro_buf back = LIBRO_BUF_INIT;

        libro__alloc_fail_after(n);
        rc = libro_lb1_encode(&text, token, strlen(token), &err);
        if (rc == LIBRO_OK) {
            rc = libro_lb1_decode(&back, (const char *) text.data, text.len, &err);
        }
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
        } else {
            ck_assert_str_eq((const char *) text.data, (const char *) want.data);
            ck_assert_str_eq((const char *) back.data, token);
        }
        libro_buf_free(&back);
        libro_buf_free(&text);
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 10);
    libro_buf_free(&want);
    libro_free(token);
    libro_credential_free(c);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("lb3");
    TCase *tc = tcase_create("lb3");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dictionary_pinned);
    tcase_add_loop_test(tc, test_round_trip, 0, (int) LIBRO_NELEM(trips));
    tcase_add_loop_test(tc, test_stays_lb2, 0, (int) LIBRO_NELEM(others));
    tcase_add_loop_test(tc, test_frames, 0, (int) LIBRO_NELEM(frames));
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_oom);
    suite_add_tcase(s, tc);
    return s;
}
