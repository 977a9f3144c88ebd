/* libro: GZIP members (RFC 1952) through zlib's gzip mode (windowBits 15 + 16), which writes
 * and checks the header, the CRC-32 and ISIZE itself. What zlib leaves to us is strictness:
 * inflate() stops at the end of the first member, so a second member or any trailing byte is
 * found here, and the output is bounded here (a DEFLATE stream expands up to about 1032:1,
 * RFC 1951 §3.2.5, so the caller's cap, not the input size, bounds memory). */
/* next_in as a pointer to const, so no cast discards our input's const. */
#define ZLIB_CONST
#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "gzip_int.h"
#include "libro/util.h"

#define GZIP_WBITS (MAX_WBITS + 16) /* zlib: +16 selects the gzip wrapper, and only it */
#define FIRST_ROOM (16u * 1024u)    /* first output block: the smallest status list */

/* zlib allocates through our allocator, so the OOM tests reach its failures too. */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void) opaque;
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

static void
z_init(z_stream *zs)
{
    memset(zs, 0, sizeof *zs);
    zs->zalloc = z_alloc;
    zs->zfree = z_free;
    zs->opaque = Z_NULL;
}

/* zlib fails only for want of memory, or when misused (Z_STREAM_ERROR), which is our bug. */
static libro_code
z_failure(int zrc, const char *what, libro_error *err)
{
    if (zrc == Z_MEM_ERROR) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "gzip: %s failed (%d)", what, zrc);
}

libro_code
libro_gzip__compress(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    libro_buf tmp = LIBRO_BUF_INIT;
    z_stream zs;
    bool started = false;
    uLong bound;
    int zrc;
    libro_code rc;

    z_init(&zs);
    if (out == NULL || (p == NULL && len > 0) || len > UINT_MAX / 2) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "gzip: bad argument");
        goto out;
    }
    /* Z_RLE: a status list is long runs of zero bits with a few set, which run-length
     * matching compresses within a few percent of level 9 in a fortieth of the time
     * (bench_registry: 100,000 licenses, 1% revoked). The registry re-signs a list whenever
     * a bit changes, on the request that finds it changed, so the time counts. None of this
     * is part of the format: any GZIP stream decodes. */
    zrc = deflateInit2(&zs, 9, Z_DEFLATED, GZIP_WBITS, 8, Z_RLE);
    if (zrc != Z_OK) {
        rc = z_failure(zrc, "deflateInit2", err);
        goto out;
    }
    started = true;
    bound = deflateBound(&zs, (uLong) len); /* includes the gzip header and trailer */
    rc = libro_buf_reserve(&tmp, (size_t) bound, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    zs.next_in = p;
    zs.avail_in = (uInt) len;
    zs.next_out = tmp.data;
    zs.avail_out = (uInt) bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        rc = z_failure(zrc, "deflate", err);
        goto out;
    }
    rc = libro_buf_append(out, tmp.data, (size_t) bound - zs.avail_out, err);
out:
    if (started) {
        (void) deflateEnd(&zs);
    }
    libro_buf_free(&tmp);
    return rc;
}

/* Make room for more output: double what was produced (out->len), never past `limit` bytes
 * in all. libro_buf grows by copy, so out->len must count every byte zlib wrote. */
static libro_code
grow(libro_buf *out, z_stream *zs, size_t limit, libro_error *err)
{
    size_t want = out->len == 0 ? FIRST_ROOM : out->len * 2;
    libro_code rc;

    if (want > limit) {
        want = limit;
    }
    rc = libro_buf_reserve(out, want - out->len, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    zs->next_out = out->data + out->len;
    zs->avail_out = (uInt) (want - out->len);
    return LIBRO_OK;
}

libro_code
libro_gzip__decompress(libro_buf *out, const void *p, size_t len, size_t max_out, libro_error *err)
{
    static const unsigned char magic[3] = {0x1f, 0x8b, 0x08}; /* ID1 ID2 CM=deflate (§2.3.1) */
    const unsigned char *in = p;
    z_stream zs;
    bool started = false;
    bool owned = false; /* `out` is ours to empty on failure */
    size_t limit;
    int zrc;
    libro_code rc;

    z_init(&zs);
    if (out == NULL || out->len != 0 || (p == NULL && len > 0) || len > UINT_MAX / 2 ||
        max_out >= UINT_MAX / 2) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "gzip: bad argument");
        goto out;
    }
    owned = true;
    limit = max_out + 1; /* one byte past the cap tells "too long" from "exactly the cap" */
    if (len < sizeof magic || memcmp(in, magic, sizeof magic) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             "gzip: not GZIP data (RFC 1952: 1f 8b 08, deflate)");
        goto out;
    }
    zrc = inflateInit2(&zs, GZIP_WBITS);
    if (zrc != Z_OK) {
        rc = z_failure(zrc, "inflateInit2", err);
        goto out;
    }
    started = true;
    zs.next_in = in;
    zs.avail_in = (uInt) len;
    for (;;) {
        if (zs.avail_out == 0) {
            if (out->len >= limit) {
                rc = libro_error_set(err, LIBRO_ERR_LIMIT, "gzip: inflated data exceeds %zu bytes",
                                     max_out);
                goto out;
            }
            rc = grow(out, &zs, limit, err);
            if (rc != LIBRO_OK) {
                goto out;
            }
        }
        zrc = inflate(&zs, Z_NO_FLUSH);
        out->len = (size_t) (zs.next_out - out->data);
        if (zrc == Z_STREAM_END) {
            break;
        }
        if (zrc == Z_MEM_ERROR) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            /* Z_DATA_ERROR: zlib's reason is one of its fixed strings ("incorrect data check"
             * for a bad CRC-32, "incorrect length check" for a bad ISIZE, ...). */
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "gzip: bad data (%.64s)",
                                 zs.msg != NULL ? zs.msg : "unknown error");
            goto out;
        }
        if (zs.avail_out != 0 && (zs.avail_in == 0 || zrc == Z_BUF_ERROR)) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "gzip: data is truncated");
            goto out;
        }
    }
    if (out->len > max_out) {
        rc =
            libro_error_set(err, LIBRO_ERR_LIMIT, "gzip: inflated data exceeds %zu bytes", max_out);
        goto out;
    }
    if (zs.avail_in != 0) {
        /* RFC 1952 §2.2 allows a series of members; an encodedList is one bitstring, and a
         * second member would be data a reader that stops at the first never sees. */
        rc = libro_error_set(err, LIBRO_ERR_PARSE,
                             zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b
                                 ? "gzip: more than one member"
                                 : "gzip: trailing bytes after the member");
        goto out;
    }
    out->data[out->len] = '\0';
    rc = LIBRO_OK;
out:
    if (started) {
        (void) inflateEnd(&zs);
    }
    if (rc != LIBRO_OK && owned) {
        libro_buf_free(out);
    }
    return rc;
}
