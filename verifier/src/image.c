/* libro_verifier: image files in, 8-bit grayscale out. The format is told by the magic bytes
 * (a file name proves nothing), and every size is capped before the decoder allocates. */
#include <string.h>

#include "image_int.h"
#include "libro/file.h"
#include "libro/util.h"

libro_code
libro_image__check_size(const char *format, uint64_t width, uint64_t height, libro_error *err)
{
    if (width == 0 || height == 0) {
        return libro_error_set(err, LIBRO_ERR_IMAGE, "%s: empty image (%llux%llu pixels)", format,
                               (unsigned long long) width, (unsigned long long) height);
    }
    if (width > LIBRO_MAX_IMAGE_SIDE || height > LIBRO_MAX_IMAGE_SIDE) {
        return libro_error_set(
            err, LIBRO_ERR_LIMIT, "%s: image of %llux%llu pixels, over the %u-pixel side limit",
            format, (unsigned long long) width, (unsigned long long) height, LIBRO_MAX_IMAGE_SIDE);
    }
    /* Both sides are at most 2^14 here, so the product cannot overflow. */
    if (width * height > LIBRO_MAX_IMAGE_PIXELS) {
        return libro_error_set(
            err, LIBRO_ERR_LIMIT, "%s: image of %llux%llu pixels, over the %u-pixel limit", format,
            (unsigned long long) width, (unsigned long long) height, LIBRO_MAX_IMAGE_PIXELS);
    }
    return LIBRO_OK;
}

libro_code
libro_image__new(libro_image **out, const char *format, uint64_t width, uint64_t height,
                 libro_error *err)
{
    libro_image *img = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_image__check_size(format, width, height, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    img = libro_calloc(1, sizeof *img);
    if (img == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    img->width = (unsigned) width;
    img->height = (unsigned) height;
    img->pixels = libro_malloc((size_t) (width * height));
    if (img->pixels == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = img;
    img = NULL; /* moved to caller */
out:
    libro_image_free(img);
    return rc;
}

unsigned char
libro_image__luma(unsigned r, unsigned g, unsigned b)
{
    /* BT.601 in 16-bit fixed point; the weights sum to 65536, so 255 stays 255. */
    return (unsigned char) ((19595u * r + 38470u * g + 7471u * b + 32768u) >> 16);
}

void
libro_image_free(libro_image *img)
{
    if (img == NULL) {
        return;
    }
    libro_free(img->pixels);
    libro_free(img);
}

static bool
starts_with(const unsigned char *p, size_t len, const char *magic, size_t magic_len)
{
    return len >= magic_len && memcmp(p, magic, magic_len) == 0;
}

/* Formats we recognise only to name them in the refusal. */
static const char *
other_format(const unsigned char *p, size_t len)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *name;
    } known[] = {
        {"GIF87a", 6, "GIF"}, {"GIF89a", 6, "GIF"},       {"BM", 2, "BMP"},
        {"II*\0", 4, "TIFF"}, {"MM\0*", 4, "TIFF"},       {"\0\0\1\0", 4, "ICO"},
        {"%PDF", 4, "PDF"},   {"\xff\x0a", 2, "JPEG XL"}, {"<svg", 4, "SVG"},
        {"<?xml", 5, "XML"},
    };
    size_t i;

    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0) {
        return "WebP";
    }
    if (len >= 12 && memcmp(p + 4, "ftyp", 4) == 0) {
        return "HEIF/AVIF";
    }
    for (i = 0; i < LIBRO_NELEM(known); i++) {
        if (starts_with(p, len, known[i].magic, known[i].len)) {
            return known[i].name;
        }
    }
    return NULL;
}

libro_code
libro_image_decode(libro_image **out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *b = p;
    const char *other;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "image decode: NULL argument");
    }
    *out = NULL;
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_IMAGE, "empty image file");
    }
    if (len > LIBRO_MAX_IMAGE_FILE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "image file of %zu bytes, over %u", len,
                               LIBRO_MAX_IMAGE_FILE_BYTES);
    }
    if (starts_with(b, len, "\x89PNG\r\n\x1a\n", 8)) {
        return libro_image__decode_png(out, b, len, err);
    }
    /* SOI, then the first marker's 0xff: every JPEG (JFIF, Exif, raw) starts so. */
    if (starts_with(b, len, "\xff\xd8\xff", 3)) {
        return libro_image__decode_jpeg(out, b, len, err);
    }
    if (len >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7') {
        return libro_image__decode_pnm(out, b, len, err);
    }
    other = other_format(b, len);
    if (other != NULL) {
        return libro_error_set(err, LIBRO_ERR_IMAGE,
                               "unsupported image format %s (use PNG, JPEG, PGM or PPM)", other);
    }
    return libro_error_set(err, LIBRO_ERR_IMAGE,
                           "unknown image format (expected PNG, JPEG, PGM or PPM)");
}

libro_code
libro_image_load(libro_image **out, const char *path, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "image load: NULL argument");
    }
    *out = NULL;
    /* Symbolic links are fine: an image is public input, not a key file. */
    rc = libro_file_read(&raw, path, LIBRO_MAX_IMAGE_FILE_BYTES, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_image_decode(out, raw.data, raw.len, err);
out:
    libro_buf_free(&raw);
    return rc;
}
