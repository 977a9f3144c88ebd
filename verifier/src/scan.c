/* libro_verifier: finding the libro QR code in an image (zbar; the only file that includes
 * zbar.h) and turning scanned text into a compact JWS. */
#include <string.h>
#include <zbar.h>

#include "image_int.h"
#include "libro/dl_int.h"
#include "libro/lb1.h"
#include "libro/lbr.h"
#include "libro/limits.h"
#include "libro/util.h"

/* The zbar calls of this file, bound on first use (libro/dl_int.h). */
#define ZBAR_SYMBOLS(X)                                                                            \
    X(image_create, zbar_image_create)                                                             \
    X(image_destroy, zbar_image_destroy)                                                           \
    X(image_first_symbol, zbar_image_first_symbol)                                                 \
    X(image_scanner_create, zbar_image_scanner_create)                                             \
    X(image_scanner_destroy, zbar_image_scanner_destroy)                                           \
    X(image_scanner_set_config, zbar_image_scanner_set_config)                                     \
    X(image_set_data, zbar_image_set_data)                                                         \
    X(image_set_format, zbar_image_set_format)                                                     \
    X(image_set_size, zbar_image_set_size)                                                         \
    X(scan_image, zbar_scan_image)                                                                 \
    X(symbol_get_data, zbar_symbol_get_data)                                                       \
    X(symbol_get_data_length, zbar_symbol_get_data_length)                                         \
    X(symbol_get_type, zbar_symbol_get_type)                                                       \
    X(symbol_next, zbar_symbol_next)
LIBRO_DL_DEFINE(zb, ZBAR_SYMBOLS, LIBRO_DL_SONAME_ZBAR, LIBRO_DL_PACKAGE_ZBAR,
                "to find QR codes in images");

/* The longest compact JWS libro verifies: a CommunityLaw (a license's is shorter; the
 * verifier holds each type to its own cap). */
#define SCAN_MAX_JWS                                                                               \
    (LIBRO_MAX_LAW_TOKEN_BYTES > LIBRO_MAX_TOKEN_BYTES ? LIBRO_MAX_LAW_TOKEN_BYTES                 \
                                                       : LIBRO_MAX_TOKEN_BYTES)
/* Scanned text longer than this is neither an LB text nor a token: refuse before looking. */
#define SCAN_MAX_TEXT                                                                              \
    (SCAN_MAX_JWS > LIBRO_MAX_LB1_TEXT_BYTES ? SCAN_MAX_JWS : LIBRO_MAX_LB1_TEXT_BYTES)
/* Full size, then half and quarter size while no libro code is found (see half_size). */
#define SCAN_PASSES 3u
/* A version-1 code is 21 modules wide: a smaller image cannot hold a QR code. */
#define SCAN_MIN_SIDE 21u

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Surrounding whitespace (a pasted line, a QR code made with a newline). It cannot eat part of
 * an LB text: base45's last character is never a space (at most 'W', RFC 9285 §4). */
static void
trim(const char **p, size_t *len)
{
    while (*len > 0 && is_space((*p)[0])) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*p)[*len - 1])) {
        (*len)--;
    }
}

/* LB2, LB3 or LB1 text: the transport knows its prefixes. */
static bool
is_lb(const char *p, size_t len)
{
    return libro_lb1_format_of(p, len) != 0;
}

/* An LBR reference (libro/lbr.h): its prefix only; libro_lbr_decode checks the rest. */
static bool
is_lbr(const char *p, size_t len)
{
    return len >= sizeof LIBRO_LBR_PREFIX - 1 &&
           memcmp(p, LIBRO_LBR_PREFIX, sizeof LIBRO_LBR_PREFIX - 1) == 0;
}

/* The shape of a compact JWS only (RFC 7515 §7.1); libro_jws_* checks the rest. */
static bool
looks_like_jws(const char *p, size_t len)
{
    size_t dots = 0;
    size_t i;

    if (len == 0 || len > SCAN_MAX_JWS) {
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c == '.') {
            dots++;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_')) {
            return false;
        }
    }
    return dots == 2;
}

/* What one zbar pass found. `code` holds the libro text, trimmed. */
struct scan_result {
    libro_buf code;
    unsigned n_qr; /* QR symbols decoded, libro's or not */
    bool conflict; /* two different libro codes */
};

static libro_code
collect(struct scan_result *res, const zbar_image_t *zimg, libro_error *err)
{
    const zbar_symbol_t *sym;
    libro_code rc = LIBRO_OK;

    for (sym = zb.image_first_symbol(zimg); sym != NULL; sym = zb.symbol_next(sym)) {
        const char *text = zb.symbol_get_data(sym);
        size_t len = zb.symbol_get_data_length(sym);

        if (zb.symbol_get_type(sym) != ZBAR_QRCODE || text == NULL) {
            continue;
        }
        res->n_qr++;
        trim(&text, &len);
        if (!is_lb(text, len) && !is_lbr(text, len) && !looks_like_jws(text, len)) {
            continue;
        }
        if (res->code.len == 0) {
            rc = libro_buf_append(&res->code, text, len, err);
            if (rc != LIBRO_OK) {
                break;
            }
        } else if (res->code.len != len || memcmp(res->code.data, text, len) != 0) {
            /* The same code seen twice (or printed twice) is one code; a second, different one
             * leaves us no way to tell which the holder meant. */
            res->conflict = true;
        }
    }
    return rc;
}

/* One zbar pass over `img`. */
static libro_code
scan_pass(struct scan_result *res, zbar_image_scanner_t *scanner, const libro_image *img,
          libro_error *err)
{
    zbar_image_t *zimg;
    libro_code rc;

    zimg = zb.image_create();
    if (zimg == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    zb.image_set_format(zimg, zbar_fourcc('Y', '8', '0', '0'));
    zb.image_set_size(zimg, img->width, img->height);
    /* No cleanup handler: the pixels stay ours, and zbar only reads them. */
    zb.image_set_data(zimg, img->pixels, (unsigned long) img->width * img->height, NULL);
    if (zb.scan_image(scanner, zimg) < 0) {
        rc = libro_error_set(err, LIBRO_ERR_IMAGE, "zbar: the image could not be scanned");
    } else {
        rc = collect(res, zimg, err);
    }
    /* Destroying the image drops its reference to the symbol set zbar made for it. */
    zb.image_destroy(zimg);
    return rc;
}

/* A half-size copy, each pixel the mean of a 2x2 block. zbar misses codes whose modules are
 * many pixels wide and soft-edged (phone photos: blur, sensor noise, JPEG ringing); averaging
 * sharpens the edges relative to the module and cuts the noise. Measured on 126 images of LB1
 * codes (version 13) with blur, noise and clutter, zbar found the code in 62 at full size, in
 * 106 adding the half-size pass and in 114 adding the quarter-size one; each pass costs about
 * a quarter of the one before. */
static libro_code
half_size(libro_image **out, const libro_image *img, libro_error *err)
{
    libro_image *half;
    unsigned x;
    unsigned y;
    libro_code rc;

    rc = libro_image__new(&half, "image", img->width / 2, img->height / 2, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    for (y = 0; y < half->height; y++) {
        const unsigned char *r0 = img->pixels + (size_t) 2 * y * img->width;
        const unsigned char *r1 = r0 + img->width;
        unsigned char *dst = half->pixels + (size_t) y * half->width;

        for (x = 0; x < half->width; x++) {
            unsigned sum = r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1];

            dst[x] = (unsigned char) ((sum + 2) / 4);
        }
    }
    *out = half;
    return LIBRO_OK;
}

static libro_code
new_scanner(zbar_image_scanner_t **out, libro_error *err)
{
    zbar_image_scanner_t *scanner = zb.image_scanner_create();

    *out = NULL;
    if (scanner == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    /* QR only: every other symbology is a chance to misread noise as a barcode. Binary mode
     * returns the code's bytes as they are; without it zbar guesses a character set and may
     * convert them. */
    if (zb.image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) != 0 ||
        zb.image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) != 0 ||
        zb.image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) != 0) {
        zb.image_scanner_destroy(scanner);
        return libro_error_set(err, LIBRO_ERR_IMAGE, "zbar: cannot configure the QR scanner");
    }
    *out = scanner;
    return LIBRO_OK;
}

libro_code
libro_scan_image(libro_buf *text_out, const libro_image *img, libro_error *err)
{
    struct scan_result res = {LIBRO_BUF_INIT, 0, false};
    zbar_image_scanner_t *scanner = NULL;
    libro_image *small = NULL;
    const libro_image *cur = img;
    unsigned n_qr = 0;
    unsigned pass;
    libro_code rc;

    if (text_out == NULL || img == NULL || img->pixels == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "scan image: NULL argument");
    }
    rc = libro_image__check_size("image", img->width, img->height, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_dl__load(&zb_lib, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = new_scanner(&scanner, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (pass = 0; pass < SCAN_PASSES && res.code.len == 0; pass++) {
        if (pass > 0) {
            libro_image *next;

            if (cur->width / 2 < SCAN_MIN_SIDE || cur->height / 2 < SCAN_MIN_SIDE) {
                break;
            }
            rc = half_size(&next, cur, err);
            if (rc != LIBRO_OK) {
                goto out;
            }
            libro_image_free(small);
            small = next;
            cur = small;
        }
        res.n_qr = 0;
        rc = scan_pass(&res, scanner, cur, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* Passes see the same codes again: report the largest count, not the sum. */
        if (res.n_qr > n_qr) {
            n_qr = res.n_qr;
        }
    }
    if (res.conflict) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "more than one libro QR code in the image");
        goto out;
    }
    if (res.code.len == 0 && n_qr == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NO_QR, "no QR code found in the image");
        goto out;
    }
    if (res.code.len == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NO_QR,
                             "no libro QR code in the image: found %u QR code%s, none of them "
                             "libro's",
                             n_qr, n_qr == 1 ? "" : "s");
        goto out;
    }
    rc = libro_buf_append(text_out, res.code.data, res.code.len, err);
out:
    libro_image_free(small);
    if (scanner != NULL) {
        zb.image_scanner_destroy(scanner);
    }
    libro_buf_free(&res.code);
    return rc;
}

libro_code
libro_scan_text(libro_buf *jws_out, const char *text, size_t len, libro_error *err)
{
    if (jws_out == NULL || (text == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "scan text: NULL argument");
    }
    trim(&text, &len);
    if (len > SCAN_MAX_TEXT) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "scanned text of %zu bytes, over %u", len,
                               SCAN_MAX_TEXT);
    }
    if (is_lb(text, len)) {
        return libro_lb1_decode(jws_out, text, len, err);
    }
    if (is_lbr(text, len)) {
        /* A reference names a document and carries none: libro_verify_document reads it,
         * once it is known to be one (exact length, strict base45, a known kind). */
        libro_lbr_kind kind;
        char hash[LIBRO_HASH_REF_SIZE];
        libro_code rc = libro_lbr_decode(&kind, hash, text, len, err);

        return rc != LIBRO_OK ? rc : libro_buf_append(jws_out, text, len, err);
    }
    if (looks_like_jws(text, len)) {
        return libro_buf_append(jws_out, text, len, err);
    }
    return libro_error_set(
        err, LIBRO_ERR_PARSE,
        "not a libro QR payload (expected LB2:, LB3:, LB1:, LBR: or a compact JWS)");
}
