/* libro: the LB1 and LB2 QR transports (docs/formats.md), the only user of zlib.
 *
 *   text  = "LB2:" base45(frame)  or  "LB1:" base45(frame)         (RFC 9285)
 *   frame = u8 sig_len(64) || signature || raw DEFLATE(header_json || 0x00 || payload_json)
 *
 * DEFLATE is RFC 1951 without a zlib or gzip wrapper, with the fixed preset dictionary the
 * prefix names (schemas/lb2/dictionary.txt, schemas/lb1/dictionary.txt) as the history before
 * the first byte: one code path, the dictionary chosen by the prefix. The encoder writes LB2;
 * LB1 stays readable for every code printed before LB2. "LB3:" text carries a
 * RoundtableMandate field by field (lb3.c); this file reads its prefix and base45, encodes
 * and decodes its DEFLATE, and libro_lb1_encode writes it for every mandate it can carry. The
 * decoder accepts any valid RFC 1951 stream, not only what zlib writes: the encoder's settings are
 * not part of the format, so another implementation (or zlib-ng) can produce LB1 text libro reads.
 * What the signature covers is the rebuilt compact JWS, which is canonical (strict base64url); the
 * LB1 wrapper itself is not, so never identify a credential by its LB1 text.
 *
 * Untrusted input is bounded before each step: the text length, then strict base45, then the
 * frame layout, then an inflate that stops one byte past LIBRO_MAX_LB1_INFLATED (a DEFLATE
 * stream expands up to about 1032:1: RFC 1951 §3.2.5 matches of 258 bytes in two bits), then
 * the header and payload caps of limits.h. */
/* next_in as a pointer to const, so no cast discards our input's const. */
#define ZLIB_CONST
#include <string.h>
#include <zlib.h>

#include "jws_int.h"
#include "lb1_int.h"
#include "libro/encoding.h"
#include "libro/key.h"
#include "libro/lb1.h"
#include "libro/lb1_jws_int.h"
#include "libro/limits.h"
#include "libro/util.h"

#define PREFIX_LEN (sizeof LIBRO_LB1_PREFIX - 1)         /* both prefixes are 4 characters */
#define SIG_OFFSET 1u                                    /* after the u8 sig_len */
#define DATA_OFFSET (SIG_OFFSET + LIBRO_SIGNATURE_BYTES) /* where DEFLATE starts */
#define SEPARATOR 0x00

/* A format: its prefix, its name in error messages, its dictionary. */
struct lb_format {
    libro_lb_format format;
    const char *prefix;
    const char *name;
    const unsigned char *dict;
    const size_t *dict_len;
    const char *sha256;
};

static const struct lb_format formats[] = {
    {LIBRO_LB1, LIBRO_LB1_PREFIX, "lb1", libro_lb1__dictionary, &libro_lb1__dictionary_len,
     libro_lb1__dictionary_sha256},
    {LIBRO_LB2, LIBRO_LB2_PREFIX, "lb2", libro_lb2__dictionary, &libro_lb2__dictionary_len,
     libro_lb2__dictionary_sha256},
    /* Its frame is lb3.c's; the dictionary here only for libro_lb1_dictionary_sha256. */
    {LIBRO_LB3, LIBRO_LB3_PREFIX, "lb3", libro_lb3__dictionary, &libro_lb3__dictionary_len,
     libro_lb3__dictionary_sha256},
};

_Static_assert(sizeof LIBRO_LB2_PREFIX == sizeof LIBRO_LB1_PREFIX &&
                   sizeof LIBRO_LB3_PREFIX == sizeof LIBRO_LB1_PREFIX,
               "prefixes of one length");

static const struct lb_format *
find_format(libro_lb_format format)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(formats); i++) {
        if (formats[i].format == format) {
            return &formats[i];
        }
    }
    return NULL;
}

/* Case-sensitive: QR alphanumeric mode has no lowercase letters, and "lb2:" would be a second
 * spelling of the same text. */
static const struct lb_format *
find_prefix(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(formats); i++) {
        if (len >= PREFIX_LEN && memcmp(text, formats[i].prefix, PREFIX_LEN) == 0) {
            return &formats[i];
        }
    }
    return NULL;
}

libro_lb_format
libro_lb1_format_of(const char *text, size_t len)
{
    const struct lb_format *f = text == NULL ? NULL : find_prefix(text, len);

    return f != NULL ? f->format : (libro_lb_format) 0;
}

const char *
libro_lb1_dictionary_sha256(libro_lb_format format)
{
    const struct lb_format *f = find_format(format);

    return f != NULL ? f->sha256 : NULL;
}

/* zlib allocates through our allocator, so the OOM tests reach its failures too. */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void) opaque;
    /* zlib needs no zeroed memory (its own default allocator is malloc-like on most builds)
     * and zeroing a 32 KiB window per decode shows in the verification rate. */
    if (size != 0 && items > SIZE_MAX / size) {
        return Z_NULL;
    }
    return libro_malloc((size_t) items * size);
}

static void
z_free(voidpf opaque, voidpf p)
{
    (void) opaque;
    libro_free(p);
}

/* zlib fails only for want of memory, or when misused (Z_STREAM_ERROR), which is our bug. */
static libro_code
z_failure(const char *name, int zrc, const char *what, libro_error *err)
{
    if (zrc == Z_MEM_ERROR) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "%s: out of memory", name);
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s: %s failed (%d)", name, what, zrc);
}

static void
z_init(z_stream *zs)
{
    memset(zs, 0, sizeof *zs);
    zs->zalloc = z_alloc;
    zs->zfree = z_free;
    zs->opaque = Z_NULL;
}

/* Compress `p` with the dictionary, appended to `out`. Level 9 and zlib's default memLevel
 * (8) and strategy gave the smallest output for our credentials (schemas/lb1/README.md). */
libro_code
libro_lb1__deflate(libro_buf *out, const char *name, const unsigned char *dict, size_t dict_len,
                   const unsigned char *p, size_t len, libro_error *err)
{
    z_stream zs;
    bool started = false;
    uLong bound;
    int zrc;
    libro_code rc;

    z_init(&zs);
    zrc = deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        rc = z_failure(name, zrc, "deflateInit2", err);
        goto out;
    }
    started = true;
    zrc = deflateSetDictionary(&zs, dict, (uInt) dict_len);
    if (zrc != Z_OK) {
        rc = z_failure(name, zrc, "deflateSetDictionary", err);
        goto out;
    }
    /* The caller keeps `len` within the header and payload caps, far below uInt's range. */
    bound = deflateBound(&zs, (uLong) len);
    rc = libro_buf_reserve(out, (size_t) bound, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    zs.next_in = p;
    zs.avail_in = (uInt) len;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt) bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        rc = z_failure(name, zrc, "deflate", err);
        goto out;
    }
    out->len += (size_t) bound - zs.avail_out;
    out->data[out->len] = '\0';
    rc = LIBRO_OK;
out:
    if (started) {
        (void) deflateEnd(&zs);
    }
    return rc;
}

/* Inflate p[0..len) into `out` (empty on entry), which must hold the whole stream and
 * nothing after it. The output room is one byte over the cap, so that a stream of exactly
 * LIBRO_MAX_LB1_INFLATED bytes is accepted and anything longer is caught without ever
 * inflating more than one byte past the cap. */
libro_code
libro_lb1__inflate(libro_buf *out, const char *name, const unsigned char *dict, size_t dict_len,
                   size_t cap, const unsigned char *p, size_t len, libro_error *err)
{
    const size_t room = cap + 1;
    z_stream zs;
    bool started = false;
    size_t produced;
    int zrc;
    libro_code rc;

    z_init(&zs);
    rc = libro_buf_reserve(out, room, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    zrc = inflateInit2(&zs, -MAX_WBITS);
    if (zrc != Z_OK) {
        rc = z_failure(name, zrc, "inflateInit2", err);
        goto out;
    }
    started = true;
    /* A raw stream has no FDICT flag (RFC 1950 §2.2) to ask for the dictionary, so it is set
     * up front, before any input. */
    zrc = inflateSetDictionary(&zs, dict, (uInt) dict_len);
    if (zrc != Z_OK) {
        /* Allocates the window, so it can fail for memory. */
        rc = z_failure(name, zrc, "inflateSetDictionary", err);
        goto out;
    }
    zs.next_in = p;
    zs.avail_in = (uInt) len; /* at most the frame, bounded by the text cap */
    zs.next_out = out->data;
    zs.avail_out = (uInt) room;
    for (;;) {
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END) {
            break;
        }
        if (zrc == Z_MEM_ERROR) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "%s: out of memory", name);
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            /* Z_DATA_ERROR: zlib's reason is a fixed string ("invalid block type", ...). */
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "%s: bad compressed data (%.64s)", name,
                                 zs.msg != NULL ? zs.msg : "unknown error");
            goto out;
        }
        if (zs.avail_out == 0) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "%s: inflated data exceeds %zu bytes", name,
                                 cap);
            goto out;
        }
        if (zs.avail_in == 0 || zrc == Z_BUF_ERROR) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "%s: compressed data is truncated", name);
            goto out;
        }
    }
    produced = room - zs.avail_out;
    if (produced > cap) {
        rc =
            libro_error_set(err, LIBRO_ERR_LIMIT, "%s: inflated data exceeds %zu bytes", name, cap);
        goto out;
    }
    if (zs.avail_in != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "%s: trailing bytes after the compressed data",
                             name);
        goto out;
    }
    out->len = produced;
    out->data[out->len] = '\0';
    rc = LIBRO_OK;
out:
    if (started) {
        (void) inflateEnd(&zs);
    }
    return rc;
}

/* Split a compact JWS into its three segments, without decoding them. */
static libro_code
split3(const char *seg[3], size_t seg_len[3], const struct lb_format *f, const char *jws,
       size_t len, libro_error *err)
{
    const char *end = jws + len;
    const char *p = jws;
    size_t i;

    for (i = 0; i < 3; i++) {
        const char *dot = p == end ? NULL : memchr(p, '.', (size_t) (end - p));

        if ((i < 2) != (dot != NULL)) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "%s: the JWS does not have three segments",
                                   f->name);
        }
        seg[i] = p;
        seg_len[i] = dot != NULL ? (size_t) (dot - p) : (size_t) (end - p);
        p = dot != NULL ? dot + 1 : end;
    }
    return LIBRO_OK;
}

static libro_code
decode_segment(libro_buf *out, const struct lb_format *f, const char *p, size_t len,
               const char *what, libro_error *err)
{
    libro_code rc = libro_b64url_decode(out, p, len, err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, what);
        libro_error_prefix(err, f->name);
    }
    return rc;
}

/* The caps both directions share: what the encoder writes, the decoder must accept. */
static libro_code
check_parts(const struct lb_format *f, size_t header_len, size_t payload_len, libro_error *err)
{
    if (header_len > LIBRO_MAX_HEADER_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: header exceeds %u bytes", f->name,
                               LIBRO_MAX_HEADER_BYTES);
    }
    if (payload_len > LIBRO_MAX_CLAIMS_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: payload exceeds %u bytes", f->name,
                               LIBRO_MAX_CLAIMS_BYTES);
    }
    return LIBRO_OK;
}

/* Decode the three segments of a compact JWS into `header`, `payload` and `sig`, refusing
 * anything the frame cannot carry or the decoder would refuse. */
static libro_code
unpack_jws(libro_buf *header, libro_buf *payload, libro_buf *sig, const struct lb_format *f,
           const char *jws, size_t len, libro_error *err)
{
    const char *seg[3];
    size_t seg_len[3];
    libro_code rc;

    if (len > LIBRO_MAX_TOKEN_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: JWS exceeds %u bytes", f->name,
                               LIBRO_MAX_TOKEN_BYTES);
    }
    rc = split3(seg, seg_len, f, jws, len, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = decode_segment(header, f, seg[0], seg_len[0], "header", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = decode_segment(payload, f, seg[1], seg_len[1], "payload", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = decode_segment(sig, f, seg[2], seg_len[2], "signature", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = check_parts(f, header->len, payload->len, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (sig->len != LIBRO_SIGNATURE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: signature is %zu bytes, not %u", f->name,
                               sig->len, LIBRO_SIGNATURE_BYTES);
    }
    /* The 0x00 separator is unambiguous only because JSON text never holds a raw NUL. */
    if (header->len > 0 && memchr(header->data, SEPARATOR, header->len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: header holds a 0x00 byte", f->name);
    }
    if (payload->len > 0 && memchr(payload->data, SEPARATOR, payload->len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: payload holds a 0x00 byte", f->name);
    }
    return LIBRO_OK;
}

/* frame = u8 64 || sig || DEFLATE(header || 0x00 || payload), appended to `frame`. */
static libro_code
pack_frame(libro_buf *frame, const struct lb_format *f, const libro_buf *header,
           const libro_buf *payload, const libro_buf *sig, libro_error *err)
{
    libro_buf plain = LIBRO_BUF_INIT;
    const unsigned char sig_len = LIBRO_SIGNATURE_BYTES;
    const unsigned char sep = SEPARATOR;
    libro_code rc;

    rc = libro_buf_append(&plain, header->data, header->len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(&plain, &sep, 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(&plain, payload->data, payload->len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(frame, &sig_len, 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(frame, sig->data, sig->len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_lb1__deflate(frame, f->name, f->dict, *f->dict_len, plain.data, plain.len, err);
out:
    libro_buf_free(&plain);
    return rc;
}

libro_code
libro_lb1_encode_format(libro_buf *out, libro_lb_format format, const char *jws, size_t len,
                        libro_error *err)
{
    const struct lb_format *f = find_format(format);
    libro_buf header = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf frame = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_code rc;

    if (f == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lb1: unknown format %d", (int) format);
        goto out;
    }
    if (out == NULL || (jws == NULL && len > 0)) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s: NULL argument", f->name);
        goto out;
    }
    if (f->format == LIBRO_LB3) {
        rc = libro_lb3__pack(&frame, jws == NULL ? "" : jws, len, err);
    } else {
        rc = unpack_jws(&header, &payload, &sig, f, jws == NULL ? "" : jws, len, err);
        if (rc == LIBRO_OK) {
            rc = pack_frame(&frame, f, &header, &payload, &sig, err);
        }
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append_str(&text, f->prefix, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_base45_encode(&text, frame.data, frame.len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Never write what libro_lb1_decode refuses. */
    if (text.len > LIBRO_MAX_LB1_TEXT_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "%s: text would exceed %u bytes", f->name,
                             LIBRO_MAX_LB1_TEXT_BYTES);
        goto out;
    }
    /* `out` is touched only on success. */
    rc = libro_buf_append(out, text.data, text.len, err);
out:
    libro_buf_free(&text);
    libro_buf_free(&frame);
    libro_buf_free(&sig);
    libro_buf_free(&payload);
    libro_buf_free(&header);
    return rc;
}

libro_code
libro_lb1_encode(libro_buf *out, const char *jws, size_t len, libro_error *err)
{
    /* A mandate has its own, much shorter frame (its QR code fits version 12 at level M,
     * docs/formats.md "LB3"); everything else, and anything LB3 cannot carry, is LB2. */
    libro_code rc = LIBRO_ERR_UNSUPPORTED;

    if (out != NULL && jws != NULL) {
        rc = libro_lb1_encode_format(out, LIBRO_LB3, jws, len, err);
    }
    if (rc == LIBRO_ERR_UNSUPPORTED) {
        rc = libro_lb1_encode_format(out, LIBRO_LB_CURRENT, jws, len, err);
    }
    return rc;
}

/* Check the inflated `plain` = header || 0x00 || payload and find the separator. */
static libro_code
split_plain(size_t *header_len, const struct lb_format *f, const libro_buf *plain, libro_error *err)
{
    const unsigned char *sep = plain->len == 0 ? NULL : memchr(plain->data, SEPARATOR, plain->len);
    size_t payload_len;

    if (sep == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "%s: no 0x00 separator between header and payload", f->name);
    }
    *header_len = (size_t) (sep - plain->data);
    payload_len = plain->len - *header_len - 1;
    if (payload_len > 0 && memchr(sep + 1, SEPARATOR, payload_len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: more than one 0x00 separator", f->name);
    }
    return check_parts(f, *header_len, payload_len, err);
}

/* Base64url (RFC 4648 §5) without padding of p[0..len) written at w, returning the end. The
 * bytes are a credential's public header, payload and signature, so a table lookup (not
 * libsodium's constant-time encoder) will do; what it writes is canonical (the unused low
 * bits of the last character zero), as libro_b64url_decode requires: check_lb1 and
 * fuzz_lb1 decode every text it builds with it. */
static char *
b64url_public(char *w, const unsigned char *p, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i = 0;
    unsigned long v;

    for (; len - i >= 3; i += 3) {
        v = (unsigned long) p[i] << 16 | (unsigned long) p[i + 1] << 8 | p[i + 2];
        *w++ = alphabet[v >> 18];
        *w++ = alphabet[v >> 12 & 63];
        *w++ = alphabet[v >> 6 & 63];
        *w++ = alphabet[v & 63];
    }
    if (len - i == 2) {
        v = (unsigned long) p[i] << 16 | (unsigned long) p[i + 1] << 8;
        *w++ = alphabet[v >> 18];
        *w++ = alphabet[v >> 12 & 63];
        *w++ = alphabet[v >> 6 & 63];
    } else if (len - i == 1) {
        v = (unsigned long) p[i] << 16;
        *w++ = alphabet[v >> 18];
        *w++ = alphabet[v >> 12 & 63];
    }
    return w;
}

/* Characters of the unpadded base64url of `len` bytes. */
static size_t
b64url_len(size_t len)
{
    return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

/* RFC 7515 §7.1: rebuild the exact compact serialization the signer produced, appended to
 * `jws` (empty on entry). The parts are bounded (the caps of check_parts), so the sum does
 * not overflow. */
static libro_code
rebuild_jws(libro_buf *jws, const libro_buf *plain, size_t header_len, const unsigned char *sig,
            libro_error *err)
{
    size_t payload_len = plain->len - header_len - 1;
    size_t n = b64url_len(header_len) + 1 + b64url_len(payload_len) + 1 +
               b64url_len(LIBRO_SIGNATURE_BYTES);
    char *w;
    libro_code rc;

    rc = libro_buf_reserve(jws, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = (char *) jws->data + jws->len;
    w = b64url_public(w, plain->data, header_len);
    *w++ = '.';
    w = b64url_public(w, plain->data + header_len + 1, payload_len);
    *w++ = '.';
    w = b64url_public(w, sig, LIBRO_SIGNATURE_BYTES);
    jws->len += n;
    jws->data[jws->len] = '\0';
    return LIBRO_OK;
}

/* The LB text[0..len) unpacked: its format in *fp; for LB3, the compact JWS in `lb3_jws`;
 * otherwise the frame (the signature at SIG_OFFSET) and the inflated `plain` with the header's
 * length, checked as libro_lb1_decode says. */
static libro_code
unpack_text(const struct lb_format **fp, libro_buf *frame, libro_buf *plain, size_t *header_len,
            libro_buf *lb3_jws, const char *text, size_t len, libro_error *err)
{
    const struct lb_format *f;
    libro_code rc;

    *fp = NULL;
    if (len > LIBRO_MAX_LB1_TEXT_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "lb1: text exceeds %u bytes",
                               LIBRO_MAX_LB1_TEXT_BYTES);
    }
    f = text == NULL ? NULL : find_prefix(text, len);
    if (f == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "lb1: text does not start with \"%s\", \"%s\" or \"%s\"",
                               LIBRO_LB2_PREFIX, LIBRO_LB3_PREFIX, LIBRO_LB1_PREFIX);
    }
    *fp = f;
    rc = libro_base45_decode(frame, text + PREFIX_LEN, len - PREFIX_LEN, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, f->name);
        return rc;
    }
    if (frame->len == 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: empty frame", f->name);
    }
    if (f->format == LIBRO_LB3) {
        return libro_lb3__unpack(lb3_jws, frame->data, frame->len, err);
    }
    /* Both algorithms libro accepts sign with 64 bytes (docs/formats.md). */
    if (frame->data[0] != LIBRO_SIGNATURE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: signature length %u, expected %u",
                               f->name, (unsigned) frame->data[0], LIBRO_SIGNATURE_BYTES);
    }
    if (frame->len < DATA_OFFSET) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "%s: frame shorter than its %u-byte signature",
                               f->name, LIBRO_SIGNATURE_BYTES);
    }
    rc = libro_lb1__inflate(plain, f->name, f->dict, *f->dict_len, LIBRO_MAX_LB1_INFLATED,
                            frame->data + DATA_OFFSET, frame->len - DATA_OFFSET, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    return split_plain(header_len, f, plain, err);
}

libro_code
libro_lb1_decode(libro_buf *jws_out, const char *text, size_t len, libro_error *err)
{
    libro_buf frame = LIBRO_BUF_INIT;
    libro_buf plain = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    size_t header_len = 0;
    const struct lb_format *f = NULL;
    libro_code rc;

    if (jws_out == NULL || (text == NULL && len > 0)) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lb1: NULL argument");
        goto out;
    }
    rc = unpack_text(&f, &frame, &plain, &header_len, &jws, text, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (f->format != LIBRO_LB3) {
        rc = rebuild_jws(&jws, &plain, header_len, frame.data + SIG_OFFSET, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    /* `jws_out` is touched only on success. */
    rc = libro_buf_append(jws_out, jws.data, jws.len, err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&plain);
    libro_buf_free(&frame);
    return rc;
}

libro_code
libro_lb1__decode_jws(libro_jws **out, libro_buf *jws_out, const char *text, size_t len,
                      size_t max_token, size_t max_payload, libro_error *err)
{
    libro_buf frame = LIBRO_BUF_INIT;
    libro_buf plain = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    size_t header_len = 0;
    size_t payload_len;
    size_t si_len;
    const struct lb_format *f = NULL;
    libro_code rc;

    if (out == NULL || jws_out == NULL || (text == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lb1: NULL argument");
    }
    *out = NULL;
    rc = unpack_text(&f, &frame, &plain, &header_len, &jws, text, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (f->format == LIBRO_LB3) {
        rc = libro_buf_append(jws_out, jws.data, jws.len, err);
        if (rc == LIBRO_OK) {
            rc = libro_jws_parse_ex(out, (const char *) jws_out->data, jws_out->len, max_token,
                                    max_payload, err);
        }
        goto out;
    }
    /* The signing input is encoded once, here, and nothing is decoded again: the JWS is
     * built from the very bytes it encodes. */
    rc = rebuild_jws(&jws, &plain, header_len, frame.data + SIG_OFFSET, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(jws_out, jws.data, jws.len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    payload_len = plain.len - header_len - 1;
    /* The signing input ends at the second '.', the last: base64url holds none. */
    for (si_len = jws.len; si_len > 0 && jws.data[si_len - 1] != '.'; si_len--) {
    }
    si_len = si_len > 0 ? si_len - 1 : 0;
    rc = libro_jws__from_decoded(out, (const char *) jws.data, jws.len, si_len, plain.data,
                                 header_len, plain.data + header_len + 1, payload_len,
                                 frame.data + SIG_OFFSET, LIBRO_SIGNATURE_BYTES, max_token,
                                 max_payload, err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&plain);
    libro_buf_free(&frame);
    return rc;
}
