/* libro: the LB3 QR frame (docs/formats.md, "LB3"): a RoundtableMandate field by field.
 *
 *   text  = "LB3:" base45(frame)
 *   frame = u8 64 || signature (64) || u8 kind (1: RoundtableMandate) || u8 flags
 *           || thumbprint (32) || holder key (32) || election record (32)
 *           || raw DEFLATE(fields) from schemas/lb3/dictionary.txt
 *   flags = office (bits 0-1: 1 representative, 2 chair, 3 leader) | voting (bit 2)
 *           | ES256 (bit 3, else EdDSA) | seat (bit 4) | seat differs from issuer (bit 5)
 *   fields = u8 roundtable level || time validFrom || span || back || varint electorate
 *           || varint statusListIndex || issuer NUL || roundtable id NUL || [seat NUL]
 *           || name NUL || result NUL || status base NUL
 *
 * LB2 compresses the JSON as text: each value between two runs of the template costs a
 * dictionary match, and the random parts (signature, thumbprint, did:key, record hash) cost
 * more as text than as bytes. A mandate carries more of both than a license, and LB2 packs the
 * reference mandate into 729 characters, QR version 17. Here the random parts travel as raw
 * bytes, the structure not at all, and only the texts and numbers are DEFLATEd: 337
 * characters, version 11. The decoder rebuilds the payload with the one canonical writer
 * (libro_credential_to_json) and the header as libro signs it, so what it returns is the JWS
 * byte for byte; the packer only writes a frame it has unpacked to the same JWS.
 *
 * Numbers: varint is unsigned LEB128, at most 9 bytes, no padding byte (a last byte of 0
 * after the first). A time t is varint(2 * zigzag(t / 86400)) when t is a whole day, else
 * varint(2 * zigzag(t) + 1); span is validUntil + 1 - validFrom and back validFrom - election
 * date, written the same way. */
#include <string.h>

#include "lb1_int.h"
#include "libro/credential.h"
#include "libro/encoding.h"
#include "libro/jws.h"
#include "libro/key.h"
#include "libro/lb1.h"
#include "libro/limits.h"
#include "libro/statuslist.h"
#include "libro/util.h"

#define KIND_MANDATE 1u
#define RAW_BYTES 32u                                /* thumbprint, holder key, record */
#define HEAD_BYTES (1u + LIBRO_SIGNATURE_BYTES + 2u) /* sig_len, signature, kind, flags */
#define FIELDS_OFFSET (HEAD_BYTES + 3u * RAW_BYTES)
/* The longest fields: a level, three times and two numbers, six strings of at most 200 bytes
 * and their NULs. Inflate stops past it. */
#define MAX_FIELDS (1u + 5u * 9u + 6u * (LIBRO_MAX_ID_BYTES + 1u))
#define MAX_VARINT_BYTES 9u
#define DAY INT64_C(86400)
/* A time's magnitude is kept below 2^40 seconds (or days), so nothing below overflows; the
 * credential check then refuses anything outside the years 0001-9999. */
#define MAX_MAGNITUDE (UINT64_C(1) << 40)

#define FLAG_VOTING 0x04u
#define FLAG_ES256 0x08u
#define FLAG_SEAT 0x10u
#define FLAG_SEAT_APART 0x20u
#define FLAG_RESERVED 0xc0u

static const char did_prefix[] = "did:key:";
static const char record_prefix[] = "sha256:";
static const unsigned char ed25519_multicodec[2] = {0xed, 0x01};
static const char *const purposes[3] = {"revocation", "suspension", "message"};

/* ---- numbers ---------------------------------------------------------------------------- */

static uint64_t
zigzag(int64_t v)
{
    return v < 0 ? (((uint64_t) - (v + 1)) << 1) | 1u : (uint64_t) v << 1;
}

static int64_t
unzigzag(uint64_t u)
{
    return (u & 1u) != 0 ? -(int64_t) (u >> 1) - 1 : (int64_t) (u >> 1);
}

static libro_code
put_varint(libro_buf *out, uint64_t u, libro_error *err)
{
    unsigned char b[MAX_VARINT_BYTES + 1];
    size_t n = 0;

    do {
        b[n] = (unsigned char) (u & 0x7fu);
        u >>= 7;
        if (u != 0) {
            b[n] |= 0x80u;
        }
        n++;
    } while (u != 0 && n < sizeof b);
    return libro_buf_append(out, b, n, err);
}

/* Times libro accepts are far inside the magnitude bound, so a whole day stays exact. */
static libro_code
put_time(libro_buf *out, int64_t t, libro_error *err)
{
    return t % DAY == 0 ? put_varint(out, zigzag(t / DAY) << 1, err)
                        : put_varint(out, (zigzag(t) << 1) | 1u, err);
}

/* A reader over the inflated fields. */
struct reader {
    const unsigned char *p;
    size_t len;
    size_t at;
};

static libro_code
get_varint(uint64_t *out, struct reader *r, const char *what, libro_error *err)
{
    uint64_t u = 0;
    size_t n;

    for (n = 0; n < MAX_VARINT_BYTES; n++) {
        unsigned char b;

        if (r->at >= r->len) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: fields end inside %s", what);
        }
        b = r->p[r->at++];
        if (n > 0 && b == 0) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: %s is not a shortest varint", what);
        }
        u |= (uint64_t) (b & 0x7fu) << (7 * n);
        if ((b & 0x80u) == 0) {
            *out = u;
            return LIBRO_OK;
        }
    }
    return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: %s is longer than %u bytes", what,
                           MAX_VARINT_BYTES);
}

static libro_code
get_time(int64_t *out, struct reader *r, const char *what, libro_error *err)
{
    uint64_t u = 0;
    int64_t v;
    libro_code rc = get_varint(&u, r, what, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((u >> 1) >= MAX_MAGNITUDE) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: %s out of range", what);
    }
    v = unzigzag(u >> 1);
    *out = (u & 1u) != 0 ? v : v * DAY;
    return LIBRO_OK;
}

/* A NUL-terminated string of 1 to LIBRO_MAX_ID_BYTES bytes, copied. */
static libro_code
get_string(char **out, struct reader *r, const char *what, libro_error *err)
{
    const unsigned char *nul = r->at < r->len ? memchr(r->p + r->at, 0, r->len - r->at) : NULL;
    size_t n;

    if (nul == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: fields end inside %s", what);
    }
    n = (size_t) (nul - (r->p + r->at));
    if (n == 0 || n > LIBRO_MAX_ID_BYTES) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: %s is not 1 to %u bytes", what,
                               LIBRO_MAX_ID_BYTES);
    }
    *out = libro_strndup((const char *) r->p + r->at, n);
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    r->at += n + 1;
    return LIBRO_OK;
}

static libro_code
put_string(libro_buf *out, const char *s, libro_error *err)
{
    return libro_buf_append(out, s, strlen(s) + 1, err); /* with its NUL */
}

/* ---- the header ------------------------------------------------------------------------- */

/* The protected header libro signs with (jws_sign.c): {"alg","kid","typ"}, no whitespace.
 * Ids hold no '"' or '\' and thumbprints are base64url, so no character needs escaping. */
static libro_code
write_header(libro_buf *out, bool es256, const char *issuer, const char *thumbprint,
             libro_error *err)
{
    return libro_buf_printf(out, err, "{\"alg\":\"%s\",\"kid\":\"%s#%s\",\"typ\":\"vc+jwt\"}",
                            es256 ? "ES256" : "EdDSA", issuer, thumbprint);
}

/* ---- unpack ----------------------------------------------------------------------------- */

/* The fields after the raw parts, into `c` (a new mandate). */
static libro_code
read_fields(libro_credential *c, char **base, bool seat_apart, const struct reader *in,
            libro_error *err)
{
    struct {
        char **to;
        const char *what;
    } texts[] = {{NULL, "the issuer"}, {NULL, "the roundtable id"},
                 {NULL, "the seat"},   {NULL, "the name"},
                 {NULL, "the result"}, {NULL, "the status lists' base"}};
    struct reader r = *in;
    size_t i;
    int64_t span = 0;
    int64_t back = 0;
    uint64_t electorate = 0;
    uint64_t index = 0;
    libro_code rc;

    if (r.len == 0 || r.p[0] > LIBRO_MAX_LEVEL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: roundtable level missing or over 8");
    }
    c->roundtable_level = r.p[r.at++];
    rc = get_time(&c->valid_from, &r, "validFrom", err);
    if (rc == LIBRO_OK) {
        rc = get_time(&span, &r, "the term", err);
    }
    if (rc == LIBRO_OK && span <= 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: the term is not positive");
    }
    if (rc == LIBRO_OK) {
        rc = get_time(&back, &r, "the election date", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_varint(&electorate, &r, "the electorate", err);
    }
    if (rc == LIBRO_OK) {
        rc = get_varint(&index, &r, "the status index", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Bounded above: both stay far inside int64 and uint32; the check refuses the rest. */
    if (electorate > LIBRO_MAX_ELECTORATE || index >= LIBRO_STATUS_LIST_MAX_ENTRIES) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lb3: electorate or status index too large");
    }
    c->valid_until = c->valid_from + span - 1;
    c->election_date = c->valid_from - back;
    c->election_electorate = (uint32_t) electorate;
    c->status_index = (uint32_t) index;
    /* The texts in frame order, the seat only when it is not the issuer. */
    texts[0].to = &c->issuer;
    texts[1].to = &c->roundtable_id;
    texts[2].to = seat_apart ? &c->seat : NULL;
    texts[3].to = &c->name;
    texts[4].to = &c->election_result;
    texts[5].to = base;
    for (i = 0; rc == LIBRO_OK && i < LIBRO_NELEM(texts); i++) {
        if (texts[i].to != NULL) {
            rc = get_string(texts[i].to, &r, texts[i].what, err);
        }
    }
    if (rc == LIBRO_OK && r.at != r.len) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: trailing bytes after the fields");
    }
    return rc;
}

/* "did:key:z..." of an Ed25519 public key, "sha256:<hex>" of a digest, and the three lists. */
static libro_code
raw_members(libro_credential *c, const unsigned char *holder, const unsigned char *record,
            const char *base, libro_error *err)
{
    unsigned char mc[sizeof ed25519_multicodec + RAW_BYTES];
    libro_buf text = LIBRO_BUF_INIT;
    char **lists[3];
    size_t i;
    libro_code rc;

    memcpy(mc, ed25519_multicodec, sizeof ed25519_multicodec);
    memcpy(mc + sizeof ed25519_multicodec, holder, RAW_BYTES);
    rc = libro_buf_append_str(&text, did_prefix, err);
    if (rc == LIBRO_OK) {
        rc = libro_multibase_encode(&text, mc, sizeof mc, err);
    }
    if (rc == LIBRO_OK) {
        c->subject_id = libro_strndup((const char *) text.data, text.len);
        text.len = 0;
        rc = libro_buf_append_str(&text, record_prefix, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&text, record, RAW_BYTES, err);
    }
    if (rc == LIBRO_OK) {
        c->election_record = libro_strndup((const char *) text.data, text.len);
    }
    lists[0] = &c->status_revocation_list;
    lists[1] = &c->status_suspension_list;
    lists[2] = &c->status_message_list;
    for (i = 0; rc == LIBRO_OK && i < 3; i++) {
        text.len = 0;
        rc = libro_buf_printf(&text, err, "%s%s", base, purposes[i]);
        if (rc == LIBRO_OK) {
            *lists[i] = libro_strndup((const char *) text.data, text.len);
        }
    }
    if (rc == LIBRO_OK &&
        (c->subject_id == NULL || c->election_record == NULL || c->status_revocation_list == NULL ||
         c->status_suspension_list == NULL || c->status_message_list == NULL)) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    libro_buf_free(&text);
    return rc;
}

libro_code
libro_lb3__unpack(libro_buf *jws, const unsigned char *frame, size_t len, libro_error *err)
{
    libro_buf fields = LIBRO_BUF_INIT;
    libro_buf header = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf tp = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    struct reader r;
    char *base = NULL;
    const unsigned char *raw = frame + HEAD_BYTES;
    unsigned flags;
    libro_code rc;

    if (frame[0] != LIBRO_SIGNATURE_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: signature length %u, expected %u",
                             (unsigned) frame[0], LIBRO_SIGNATURE_BYTES);
        goto out;
    }
    if (len < FIELDS_OFFSET) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: frame shorter than its %u fixed bytes",
                             FIELDS_OFFSET);
        goto out;
    }
    if (frame[HEAD_BYTES - 2] != KIND_MANDATE) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: unknown kind %u",
                             (unsigned) frame[HEAD_BYTES - 2]);
        goto out;
    }
    flags = frame[HEAD_BYTES - 1];
    if ((flags & FLAG_RESERVED) != 0 || (flags & 3u) == 0 ||
        ((flags & FLAG_SEAT) == 0 && (flags & FLAG_SEAT_APART) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lb3: bad flags 0x%02x", flags);
        goto out;
    }
    rc = libro_lb1__inflate(&fields, "lb3", libro_lb3__dictionary, libro_lb3__dictionary_len,
                            MAX_FIELDS, frame + FIELDS_OFFSET, len - FIELDS_OFFSET, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_credential_new(&c, LIBRO_CRED_MANDATE, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    c->office = (libro_office) (flags & 3u);
    c->voting = (flags & FLAG_VOTING) != 0;
    c->has_status = true;
    r.p = fields.data;
    r.len = fields.len;
    r.at = 0;
    rc = read_fields(c, &base, (flags & FLAG_SEAT_APART) != 0, &r, err);
    if (rc == LIBRO_OK && (flags & (FLAG_SEAT | FLAG_SEAT_APART)) == FLAG_SEAT) {
        c->seat = libro_strndup(c->issuer, strlen(c->issuer));
        if (c->seat == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
    if (rc == LIBRO_OK) {
        rc = raw_members(c, raw + RAW_BYTES, raw + 2 * RAW_BYTES, base, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&tp, raw, RAW_BYTES, err);
    }
    /* The one canonical writer, which checks the mandate's rules first. */
    if (rc == LIBRO_OK) {
        rc = libro_credential_to_json(&payload, c, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "lb3");
        }
    }
    if (rc == LIBRO_OK) {
        rc = write_header(&header, (flags & FLAG_ES256) != 0, c->issuer, (const char *) tp.data,
                          err);
    }
    if (rc == LIBRO_OK &&
        (header.len > LIBRO_MAX_HEADER_BYTES || payload.len > LIBRO_MAX_CLAIMS_BYTES)) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "lb3: header or payload over its cap");
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&out, header.data, header.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, ".", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&out, payload.data, payload.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, ".", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&out, frame + 1, LIBRO_SIGNATURE_BYTES, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(jws, out.data, out.len, err);
    }
out:
    libro_free(base);
    libro_credential_free(c);
    libro_buf_free(&out);
    libro_buf_free(&tp);
    libro_buf_free(&payload);
    libro_buf_free(&header);
    libro_buf_free(&fields);
    return rc;
}

/* ---- pack ------------------------------------------------------------------------------- */

static libro_code
unsupported(libro_error *err, const char *why)
{
    return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "lb3: %s", why);
}

/* The raw parts of `c`: the holder's key, the record's digest; and the three lists' base. */
static libro_code
take_raw(unsigned char holder[RAW_BYTES], unsigned char record[RAW_BYTES], const char **base,
         size_t *base_len, const libro_credential *c, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    const size_t dl = sizeof did_prefix - 1;
    const size_t rl = sizeof record_prefix - 1;
    const size_t pl = strlen(purposes[0]);
    size_t n;
    size_t i;
    libro_code rc;

    rc = libro_multibase_decode(&b, c->subject_id + dl, strlen(c->subject_id) - dl, NULL);
    if (rc == LIBRO_ERR_NOMEM) {
        goto out;
    }
    if (rc != LIBRO_OK || b.len != sizeof ed25519_multicodec + RAW_BYTES ||
        memcmp(b.data, ed25519_multicodec, sizeof ed25519_multicodec) != 0) {
        rc = unsupported(err, "the holder is not an Ed25519 did:key");
        goto out;
    }
    memcpy(holder, b.data + sizeof ed25519_multicodec, RAW_BYTES);
    b.len = 0;
    rc = libro_hex_decode(&b, c->election_record + rl, strlen(c->election_record) - rl, NULL);
    if (rc == LIBRO_ERR_NOMEM) {
        goto out;
    }
    if (rc != LIBRO_OK || b.len != RAW_BYTES) {
        rc = unsupported(err, "the election record is not a SHA-256");
        goto out;
    }
    memcpy(record, b.data, RAW_BYTES);
    /* The lists: one base, then revocation, suspension, message. */
    n = strlen(c->status_revocation_list);
    if (n <= pl || strcmp(c->status_revocation_list + n - pl, purposes[0]) != 0) {
        rc = unsupported(err, "the status lists do not share a base");
        goto out;
    }
    *base = c->status_revocation_list;
    *base_len = n - pl;
    for (i = 1; i < 3; i++) {
        const char *list = i == 1 ? c->status_suspension_list : c->status_message_list;

        if (strncmp(list, *base, *base_len) != 0 || strcmp(list + *base_len, purposes[i]) != 0) {
            rc = unsupported(err, "the status lists do not share a base");
            goto out;
        }
    }
    rc = LIBRO_OK;
out:
    libro_buf_free(&b);
    return rc;
}

/* The header must be the one write_header gives for the mandate's issuer: its alg and the
 * thumbprint in its kid are what the frame keeps. */
static libro_code
take_header(bool *es256, unsigned char tp[RAW_BYTES], const libro_buf *header, const char *issuer,
            libro_error *err)
{
    libro_buf want = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    const char *kid_tp;
    libro_code rc = LIBRO_ERR_UNSUPPORTED;
    int i;

    for (i = 0; i < 2 && rc == LIBRO_ERR_UNSUPPORTED; i++) {
        want.len = 0;
        rc = write_header(&want, i == 1, issuer, "", err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* `want` with an empty thumbprint: the header is it with 43 characters inserted. */
        kid_tp = (const char *) header->data + (want.len - strlen("\",\"typ\":\"vc+jwt\"}"));
        if (header->len != want.len + LIBRO_THUMBPRINT_LEN ||
            memcmp(header->data, want.data, want.len - strlen("\",\"typ\":\"vc+jwt\"}")) != 0 ||
            memcmp(kid_tp + LIBRO_THUMBPRINT_LEN, "\",\"typ\":\"vc+jwt\"}",
                   strlen("\",\"typ\":\"vc+jwt\"}")) != 0) {
            rc = LIBRO_ERR_UNSUPPORTED;
            continue;
        }
        raw.len = 0;
        rc = libro_b64url_decode(&raw, kid_tp, LIBRO_THUMBPRINT_LEN, NULL);
        if (rc == LIBRO_ERR_NOMEM) {
            goto out;
        }
        if (rc != LIBRO_OK || raw.len != RAW_BYTES) {
            rc = LIBRO_ERR_UNSUPPORTED;
            continue;
        }
        memcpy(tp, raw.data, RAW_BYTES);
        *es256 = i == 1;
    }
    if (rc == LIBRO_ERR_UNSUPPORTED) {
        rc = unsupported(err, "the header is not the one libro signs with");
    }
out:
    libro_buf_free(&raw);
    libro_buf_free(&want);
    return rc;
}

/* The fields, DEFLATEd, after the fixed bytes of `frame`. */
static libro_code
put_fields(libro_buf *frame, const libro_credential *c, const char *base, size_t base_len,
           bool seat_apart, libro_error *err)
{
    libro_buf f = LIBRO_BUF_INIT;
    unsigned char level = (unsigned char) c->roundtable_level;
    const char *texts[] = {c->issuer, c->roundtable_id, seat_apart ? c->seat : NULL, c->name,
                           c->election_result};
    size_t i;
    libro_code rc = libro_buf_append(&f, &level, 1, err);

    if (rc == LIBRO_OK) {
        rc = put_time(&f, c->valid_from, err);
    }
    if (rc == LIBRO_OK) {
        rc = put_time(&f, c->valid_until - c->valid_from + 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = put_time(&f, c->valid_from - c->election_date, err);
    }
    if (rc == LIBRO_OK) {
        rc = put_varint(&f, c->election_electorate, err);
    }
    if (rc == LIBRO_OK) {
        rc = put_varint(&f, c->status_index, err);
    }
    for (i = 0; rc == LIBRO_OK && i < LIBRO_NELEM(texts); i++) {
        if (texts[i] != NULL) {
            rc = put_string(&f, texts[i], err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&f, base, base_len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&f, "", 1, err); /* its NUL */
    }
    if (rc == LIBRO_OK) {
        rc = libro_lb1__deflate(frame, "lb3", libro_lb3__dictionary, libro_lb3__dictionary_len,
                                f.data, f.len, err);
    }
    libro_buf_free(&f);
    return rc;
}

libro_code
libro_lb3__pack(libro_buf *frame, const char *jws, size_t len, libro_error *err)
{
    libro_buf header = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    unsigned char tp[RAW_BYTES];
    unsigned char holder[RAW_BYTES];
    unsigned char record[RAW_BYTES];
    unsigned char head[2];
    const char *dot1 = len > 0 ? memchr(jws, '.', len) : NULL;
    const char *dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - jws)) : NULL;
    const char *base = NULL;
    size_t base_len = 0;
    bool es256 = false;
    bool seat_apart;
    libro_code rc;

    if (len > LIBRO_MAX_TOKEN_BYTES || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t) (dot2 + 1 - jws)) != NULL) {
        rc = unsupported(err, "not a compact JWS");
        goto out;
    }
    rc = libro_b64url_decode(&header, jws, (size_t) (dot1 - jws), NULL);
    if (rc == LIBRO_OK) {
        rc = libro_b64url_decode(&payload, dot1 + 1, (size_t) (dot2 - dot1 - 1), NULL);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_decode(&sig, dot2 + 1, len - (size_t) (dot2 + 1 - jws), NULL);
    }
    if (rc == LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, rc, "out of memory");
        goto out;
    }
    if (rc != LIBRO_OK || sig.len != LIBRO_SIGNATURE_BYTES) {
        rc = unsupported(err, "not a compact JWS with a 64-byte signature");
        goto out;
    }
    rc = libro_credential_parse(&c, payload.data, payload.len, NULL);
    if (rc == LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, rc, "out of memory");
        goto out;
    }
    if (rc != LIBRO_OK || c->type != LIBRO_CRED_MANDATE) {
        rc = unsupported(err, "not a RoundtableMandate");
        goto out;
    }
    rc = take_header(&es256, tp, &header, c->issuer, err);
    if (rc == LIBRO_OK) {
        rc = take_raw(holder, record, &base, &base_len, c, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    seat_apart = c->seat != NULL && strcmp(c->seat, c->issuer) != 0;
    head[0] = KIND_MANDATE;
    head[1] = (unsigned char) ((unsigned) c->office | (c->voting ? FLAG_VOTING : 0u) |
                               (es256 ? FLAG_ES256 : 0u) | (c->seat != NULL ? FLAG_SEAT : 0u) |
                               (seat_apart ? FLAG_SEAT_APART : 0u));
    rc = libro_buf_append(&out, (const unsigned char[]){LIBRO_SIGNATURE_BYTES}, 1, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, sig.data, sig.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, head, sizeof head, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, tp, sizeof tp, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, holder, sizeof holder, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&out, record, sizeof record, err);
    }
    if (rc == LIBRO_OK) {
        rc = put_fields(&out, c, base, base_len, seat_apart, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Only a frame that gives back this very JWS: anything the fields cannot say (a payload
     * libro would write otherwise) stays with LB2. */
    rc = libro_lb3__unpack(&back, out.data, out.len, NULL);
    if (rc == LIBRO_ERR_NOMEM) {
        rc = libro_error_set(err, rc, "out of memory");
        goto out;
    }
    if (rc != LIBRO_OK || back.len != len || memcmp(back.data, jws, len) != 0) {
        rc = unsupported(err, "the mandate does not unpack to the same JWS");
        goto out;
    }
    rc = libro_buf_append(frame, out.data, out.len, err);
out:
    libro_credential_free(c);
    libro_buf_free(&back);
    libro_buf_free(&out);
    libro_buf_free(&sig);
    libro_buf_free(&payload);
    libro_buf_free(&header);
    return rc;
}
