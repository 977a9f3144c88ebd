/* libro_issuer: QR code output, the only user of libqrencode. The symbol is encoded once, copied
 * into a plain matrix (qr_int.h) and drawn as PNG (png_write.c), SVG or terminal text.
 *
 * Mode: QRcode_encodeString with the 8-bit hint and case-sensitive input splits the text into
 * segments of the cheapest mode (ISO/IEC 18004:2015, data encodation): LB2 and LB1 text ("LB2:" +
 * base45) is all alphanumeric-mode characters, 5.5 bits each instead of 8, which is why RFC 9285
 * chose that alphabet. */
#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "libro/qr.h"
#include "libro/util.h"
#include "qr_int.h"

#define MAX_MODULE_PX 64u
#define MAX_QUIET_MODULES 16u
/* ISO/IEC 18004:2015 capacity table: the most any symbol holds is 7089 numeric characters
 * (version 40-L). Longer text cannot fit in any mode, so it is refused before it is copied. */
#define MAX_QR_CHARS 7089u

static libro_code
check_options(QRecLevel *level, const libro_qr_options *opt, libro_qr_format format,
              libro_error *err)
{
    if (format != LIBRO_QR_PNG && format != LIBRO_QR_SVG && format != LIBRO_QR_TERMINAL &&
        format != LIBRO_QR_TERMINAL_INVERTED && format != LIBRO_QR_TERMINAL_COLOR) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: unknown output format %d",
                               (int) format);
    }
    if (opt->version != 1) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: options version %u, expected 1",
                               opt->version);
    }
    switch (opt->ecc) {
    case 'L':
        *level = QR_ECLEVEL_L;
        break;
    case 'M':
        *level = QR_ECLEVEL_M;
        break;
    case 'Q':
        *level = QR_ECLEVEL_Q;
        break;
    case 'H':
        *level = QR_ECLEVEL_H;
        break;
    default:
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "qr: error correction level must be L, M, Q or H");
    }
    if (opt->module_px < 1 || opt->module_px > MAX_MODULE_PX) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: module size %u out of range 1-%u",
                               opt->module_px, MAX_MODULE_PX);
    }
    if (opt->quiet_modules > MAX_QUIET_MODULES) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: quiet zone %u out of range 0-%u",
                               opt->quiet_modules, MAX_QUIET_MODULES);
    }
    return LIBRO_OK;
}

/* Encode `text` in the smallest version that holds it, into a 0/1 matrix the caller frees. */
static libro_code
encode(unsigned char **dark, size_t *size, int *version, const char *text, size_t len,
       QRecLevel level, libro_error *err)
{
    char *copy = NULL;
    QRcode *qr = NULL;
    size_t n;
    size_t i;
    libro_code rc;

    *dark = NULL;
    /* QRcode_encodeString reads a C string (the caller refused NUL bytes). */
    copy = libro_strndup(text, len);
    if (copy == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "qr: out of memory");
        goto out;
    }
    errno = 0;
    qr = QRcode_encodeString(copy, 0, level, QR_MODE_8, 1);
    if (qr == NULL) {
        if (errno == ERANGE) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT,
                                 "qr: %zu characters do not fit a version-40 code at this level",
                                 len);
        } else if (errno == ENOMEM) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "qr: out of memory");
        } else {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: libqrencode refused the text");
        }
        goto out;
    }
    n = (size_t) qr->width;
    *dark = libro_malloc(n * n);
    if (*dark == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "qr: out of memory");
        goto out;
    }
    /* libqrencode: bit 0 of each byte is the module's colour (1 = dark); the other bits only
     * say what the module is for. */
    for (i = 0; i < n * n; i++) {
        (*dark)[i] = qr->data[i] & 1u;
    }
    *size = n;
    *version = qr->version;
    rc = LIBRO_OK;
out:
    QRcode_free(qr);
    libro_free(copy);
    return rc;
}

/* One <path> of unit squares, one subpath per horizontal run of dark modules, in module
 * units; the viewBox includes the quiet zone and width/height scale it to pixels.
 * crispEdges keeps renderers from anti-aliasing the seams between runs. */
static libro_code
render_svg(libro_buf *out, const libro_qr__matrix *m, size_t quiet, size_t module_px,
           libro_error *err)
{
    size_t side = m->size + 2 * quiet;
    size_t y;
    size_t x;
    libro_code rc;

    rc = libro_buf_printf(out, err,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%zu\" "
                          "viewBox=\"0 0 %zu %zu\" shape-rendering=\"crispEdges\">\n"
                          "<rect width=\"%zu\" height=\"%zu\" fill=\"#fff\"/>\n"
                          "<path fill=\"#000\" d=\"",
                          side * module_px, side * module_px, side, side, side, side);
    if (rc != LIBRO_OK) {
        return rc;
    }
    for (y = 0; y < m->size; y++) {
        const unsigned char *row = m->dark + y * m->size;

        for (x = 0; x < m->size;) {
            size_t run = 0;

            while (x + run < m->size && row[x + run] != 0) {
                run++;
            }
            if (run == 0) {
                x++;
                continue;
            }
            rc = libro_buf_printf(out, err, "M%zu %zuh%zuv1h-%zuz", x + quiet, y + quiet, run, run);
            if (rc != LIBRO_OK) {
                return rc;
            }
            x += run;
        }
    }
    return libro_buf_append_str(out, "\"/>\n</svg>\n", err);
}

/* Whether module (x, y) of the quiet-zoned symbol is dark; outside the symbol is light. */
static bool
is_dark(const libro_qr__matrix *m, size_t quiet, size_t x, size_t y)
{
    if (x < quiet || y < quiet || x >= quiet + m->size || y >= quiet + m->size) {
        return false;
    }
    return m->dark[(y - quiet) * m->size + (x - quiet)] != 0;
}

/* Two module rows per line; `ink_dark` says whether glyphs draw dark modules (dark-on-light
 * terminal) or light ones (light-on-dark); `color` wraps each line in black-on-white ANSI
 * colours. A last odd row pairs with a light row below. */
static libro_code
render_terminal(libro_buf *out, const libro_qr__matrix *m, size_t quiet, bool ink_dark, bool color,
                libro_error *err)
{
    static const char *const glyph[4] = {" ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88"};
    size_t side;
    size_t y;
    size_t x;
    libro_code rc;

    if (quiet < LIBRO_QR_TERMINAL_MIN_QUIET) {
        quiet = LIBRO_QR_TERMINAL_MIN_QUIET;
    }
    side = m->size + 2 * quiet;
    for (y = 0; y < side; y += 2) {
        if (color && (rc = libro_buf_append_str(out, "\x1b[30;47m", err)) != LIBRO_OK) {
            return rc;
        }
        for (x = 0; x < side; x++) {
            bool top = is_dark(m, quiet, x, y) == ink_dark;
            bool bottom = (y + 1 < side ? is_dark(m, quiet, x, y + 1) : false) == ink_dark;

            rc = libro_buf_append_str(out, glyph[(top ? 2 : 0) | (bottom ? 1 : 0)], err);
            if (rc != LIBRO_OK) {
                return rc;
            }
        }
        rc = libro_buf_append_str(out, color ? "\x1b[0m\n" : "\n", err);
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    return LIBRO_OK;
}

libro_code
libro_qr_render(libro_buf *out, int *qr_version, const char *text, size_t len,
                libro_qr_format format, const libro_qr_options *opt, libro_error *err)
{
    static const libro_qr_options defaults = LIBRO_QR_OPTIONS_INIT;
    libro_buf rendered = LIBRO_BUF_INIT;
    unsigned char *dark = NULL;
    libro_qr__matrix m = {NULL, 0};
    QRecLevel level = QR_ECLEVEL_M;
    int version = 0;
    libro_code rc;

    if (qr_version != NULL) {
        *qr_version = 0;
    }
    if (out == NULL || (text == NULL && len > 0)) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: NULL argument");
        goto out;
    }
    if (opt == NULL) {
        opt = &defaults;
    }
    rc = check_options(&level, opt, format, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (len == 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: empty text");
        goto out;
    }
    if (len > MAX_QR_CHARS) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT,
                             "qr: %zu characters do not fit a version-40 code at this level", len);
        goto out;
    }
    if (memchr(text, '\0', len) != NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: text holds a NUL byte");
        goto out;
    }
    rc = encode(&dark, &m.size, &version, text, len, level, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    m.dark = dark;
    switch (format) {
    case LIBRO_QR_PNG:
        rc = libro_qr__png(&rendered, &m, opt->quiet_modules, opt->module_px, err);
        break;
    case LIBRO_QR_SVG:
        rc = render_svg(&rendered, &m, opt->quiet_modules, opt->module_px, err);
        break;
    case LIBRO_QR_TERMINAL:
    case LIBRO_QR_TERMINAL_INVERTED:
    case LIBRO_QR_TERMINAL_COLOR:
        rc =
            render_terminal(&rendered, &m, opt->quiet_modules, format != LIBRO_QR_TERMINAL_INVERTED,
                            format == LIBRO_QR_TERMINAL_COLOR, err);
        break;
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* `out` is touched only on success. */
    rc = libro_buf_append(out, rendered.data, rendered.len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (qr_version != NULL) {
        *qr_version = version;
    }
out:
    libro_free(dark);
    libro_buf_free(&rendered);
    return rc;
}
