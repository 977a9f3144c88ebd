/* libro_verifier: binary PGM (P5) and PPM (P6), parsed here: the format is a short text header
 * and raw samples, too little to need a library and easy to bound exactly. Netpbm's rules:
 * magic, width, height, maxval separated by whitespace and '#' comments, then one whitespace
 * byte, then exactly width x height samples of one byte each (maxval below 256). */
#include <string.h>

#include "image_int.h"
#include "libro/util.h"

/* Wider than any allowed side, so a large header value is reported as a size, not a typo. */
#define PNM_MAX_NUMBER 1000000000000ull

static bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Skip whitespace and comments, then read one decimal number at p[*off]. */
static libro_code
read_number(uint64_t *v, const unsigned char *p, size_t len, size_t *off, const char *what,
            libro_error *err)
{
    libro_error why = LIBRO_ERROR_INIT;
    size_t start;
    libro_code rc;

    while (*off < len && (is_space(p[*off]) || p[*off] == '#')) {
        if (p[*off] == '#') {
            while (*off < len && p[*off] != '\n' && p[*off] != '\r') {
                (*off)++;
            }
        } else {
            (*off)++;
        }
    }
    start = *off;
    while (*off < len && is_digit(p[*off])) {
        (*off)++;
    }
    if (*off == start) {
        return libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: header: expected the %s", what);
    }
    if (*off < len && !is_space(p[*off]) && p[*off] != '#') {
        return libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: header: bad %s", what);
    }
    rc = libro_parse_u64(v, (const char *) p + start, *off - start, PNM_MAX_NUMBER, &why);
    if (rc == LIBRO_ERR_LIMIT) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "pnm: header: %s too large", what);
    }
    if (rc != LIBRO_OK) {
        return libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: header: bad %s", what); /* 0-prefixed */
    }
    return LIBRO_OK;
}

static libro_code
refuse_kind(unsigned char kind, libro_error *err)
{
    switch (kind) {
    case '2':
    case '3':
        return libro_error_set(err, LIBRO_ERR_IMAGE,
                               "pnm: ASCII P%c is not supported (use binary P5 or P6)", kind);
    case '1':
    case '4':
        return libro_error_set(err, LIBRO_ERR_IMAGE,
                               "pnm: P%c bitmaps are not supported (use P5 or P6)", kind);
    default:
        return libro_error_set(err, LIBRO_ERR_IMAGE,
                               "pnm: P%c (PAM) is not supported (use P5 or P6)", kind);
    }
}

libro_code
libro_image__decode_pnm(libro_image **out, const unsigned char *p, size_t len, libro_error *err)
{
    libro_image *img = NULL;
    uint64_t width;
    uint64_t height;
    uint64_t maxval;
    size_t channels;
    size_t off = 2;
    size_t need;
    size_t i;
    libro_code rc;

    *out = NULL;
    if (p[1] != '5' && p[1] != '6') {
        rc = refuse_kind(p[1], err);
        goto out;
    }
    channels = p[1] == '6' ? 3 : 1;
    if (len <= off || !is_space(p[off])) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: header: bad magic");
        goto out;
    }
    rc = read_number(&width, p, len, &off, "width", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = read_number(&height, p, len, &off, "height", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Bound before anything else is read or allocated. */
    rc = libro_image__check_size("pnm", width, height, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = read_number(&maxval, p, len, &off, "maxval", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (maxval == 0 || maxval > 65535) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: maxval %llu out of range 1-65535",
                             (unsigned long long) maxval);
        goto out;
    }
    if (maxval > 255) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE,
                             "pnm: 16-bit samples (maxval %llu) are not supported",
                             (unsigned long long) maxval);
        goto out;
    }
    /* Exactly one whitespace byte ends the header; the samples follow it. */
    if (off >= len || !is_space(p[off])) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: header: no pixel data");
        goto out;
    }
    off++;
    need = (size_t) (width * height) * channels; /* at most 3 x 40M */
    if (len - off < need) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: truncated pixel data (%zu of %zu bytes)",
                             len - off, need);
        goto out;
    }
    if (len - off > need) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: %zu byte%s after the pixel data",
                             len - off - need, len - off - need == 1 ? "" : "s");
        goto out;
    }
    rc = libro_image__new(&img, "pnm", width, height, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p += off;
    for (i = 0; i < (size_t) (width * height); i++, p += channels) {
        unsigned v;

        if (p[0] > maxval || p[channels - 1] > maxval || p[channels / 2] > maxval) {
            rc = libro_error_set(err, LIBRO_ERR_IMAGE, "pnm: sample above maxval %llu",
                                 (unsigned long long) maxval);
            goto out;
        }
        v = channels == 3 ? libro_image__luma(p[0], p[1], p[2]) : p[0];
        /* Rescale to 0-255, rounded; maxval 255 leaves the sample as it is. */
        img->pixels[i] = (unsigned char) ((v * 255u + (unsigned) maxval / 2) / (unsigned) maxval);
    }
    *out = img;
    img = NULL; /* moved to caller */
out:
    libro_image_free(img);
    return rc;
}
