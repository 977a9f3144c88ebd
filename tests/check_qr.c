/* Suite for QR output (issuer/src/qr.c, png_write.c): PNG, SVG and terminal renderings, the
 * version chosen against the ISO/IEC 18004 capacity table, option bounds, the version-40 limit,
 * an OOM loop, and the reference license: signed, packed as LB2 (and as LB1, for comparison),
 * drawn at level M and read back with zbar (libro_scan_image). */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/scan.h"
#include "libro/util.h"
#include "test_util.h"

/* The reference license, with its three status entries, must fit this version at level M as
 * LB2 text (docs/formats.md)... */
#define REFERENCE_MAX_VERSION 14
/* ... which LB1, whose dictionary predates the status words (statusSize 2 and the four
 * statusMessage objects Bitstring Status List v1.0 §2.1 requires), misses by two versions
 * (docs/formats.md, "LB2 and LB1"). LB1 stays readable, so this is measured too. */
#define REFERENCE_LB1_MAX_VERSION 16
/* The reference mandate (schemas/examples/roundtable-mandate.json), signed the same way, must
 * fit this version at level M (issue 9). */
#define MANDATE_MAX_VERSION 12

static size_t
modules(int version)
{
    return 17 + 4 * (size_t) version; /* ISO/IEC 18004: 21x21 at version 1, +4 per version */
}

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* A sample LB1 text (the shape matters, not the signature). */
#define LB1_TEXT                                                                                   \
    "LB1:6BF$6U3D9/G0C%H9*F4 G/Q4ZW4 QDB4J.E1:JT8R50T%VOXCF9TFQT6SC4RMM6*BQ.6W/8C+QLX8$7TZP2.2F0"  \
    "EC9Q8UIK%DEF-KT6D17EJ7DMPUO.R%:5MO0-9U-7G4VCPT5C40%AA:J0M-HUTS2W8:UR2Q0D*AC.LM0L"

/* ---- PNG -------------------------------------------------------------------------------- */

/* Decode with libpng's simplified API and check size, colours and the quiet zone. */
static void
check_png(const libro_buf *png, int version, const libro_qr_options *opt)
{
    size_t side = (modules(version) + 2 * opt->quiet_modules) * opt->module_px;
    png_image img;
    unsigned char *px;
    size_t q = opt->quiet_modules * opt->module_px;
    size_t i;

    ck_assert_uint_gt(png->len, 33);
    ck_assert(memcmp(png->data, "\x89PNG\r\n\x1a\n", 8) == 0);
    ck_assert(memcmp(png->data + 12, "IHDR", 4) == 0);
    ck_assert_uint_eq(be32(png->data + 16), side); /* width */
    ck_assert_uint_eq(be32(png->data + 20), side); /* height */
    ck_assert_uint_eq(png->data[24], 8);           /* bit depth */
    ck_assert_uint_eq(png->data[25], 0);           /* colour type: grayscale */

    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    ck_assert(png_image_begin_read_from_memory(&img, png->data, png->len) != 0);
    img.format = PNG_FORMAT_GRAY;
    px = malloc(PNG_IMAGE_SIZE(img));
    ck_assert_ptr_nonnull(px);
    ck_assert(png_image_finish_read(&img, NULL, px, 0, NULL) != 0);
    ck_assert_uint_eq(img.width, side);
    for (i = 0; i < side * side && (px[i] == 0 || px[i] == 255); i++) {
    }
    ck_assert_uint_eq(i, side * side); /* black and white only */
    for (i = 0; i < q; i++) {
        ck_assert_uint_eq(px[i * side + side / 2], 255);              /* quiet zone, top */
        ck_assert_uint_eq(px[(side / 2) * side + side - 1 - i], 255); /* right */
    }
    /* The top-left finder pattern's outer ring starts right after the quiet zone. */
    ck_assert_uint_eq(px[q * side + q], 0);
    ck_assert_uint_eq(px[(q + opt->module_px - 1) * side + q + 7 * opt->module_px - 1], 0);
    free(px);
}

static const struct {
    const char *name;
    const char *text;
    char ecc;
    unsigned module_px;
    unsigned quiet;
} renders[] = {
    {"short text, defaults", "hello", 'M', 8, 4},
    {"LB1 text, defaults", LB1_TEXT, 'M', 8, 4},
    {"LB1 text, 1 px, no quiet zone", LB1_TEXT, 'L', 1, 0},
    {"LB1 text, largest options", LB1_TEXT, 'H', 64, 16},
    {"UTF-8 text", "Zo\xc3\xab \xc3\x91\x61nd\xc3\xba", 'Q', 3, 2},
};

START_TEST(test_png)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    int version = -1;
    const char *text = renders[_i].text;

    opt.ecc = renders[_i].ecc;
    opt.module_px = renders[_i].module_px;
    opt.quiet_modules = renders[_i].quiet;
    must(libro_qr_render(&out, &version, text, strlen(text), LIBRO_QR_PNG, &opt, &err), &err,
         renders[_i].name);
    ck_assert_int_ge(version, 1);
    ck_assert_int_le(version, 40);
    check_png(&out, version, &opt);
    libro_buf_free(&out);
}
END_TEST

/* ---- SVG -------------------------------------------------------------------------------- */

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

START_TEST(test_svg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    int version = -1;
    const char *text = renders[_i].text;
    char want[128];
    size_t side;
    const char *svg;

    opt.ecc = renders[_i].ecc;
    opt.module_px = renders[_i].module_px;
    opt.quiet_modules = renders[_i].quiet;
    must(libro_qr_render(&out, &version, text, strlen(text), LIBRO_QR_SVG, &opt, &err), &err,
         renders[_i].name);
    svg = (const char *) out.data;
    side = modules(version) + 2 * opt.quiet_modules;
    ck_assert(strncmp(svg, "<svg ", 5) == 0);
    ck_assert_uint_eq(count(svg, "<svg"), 1);
    ck_assert_uint_eq(count(svg, "</svg>"), 1);
    ck_assert_uint_eq(count(svg, "<path "), 1);
    ck_assert_uint_eq(count(svg, "<rect "), 1);
    ck_assert_uint_eq(count(svg, "shape-rendering=\"crispEdges\""), 1);
    ck_assert(snprintf(want, sizeof want, "viewBox=\"0 0 %zu %zu\"", side, side) > 0);
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert(snprintf(want, sizeof want, "width=\"%zu\" height=\"%zu\"", side * opt.module_px,
                       side * opt.module_px) > 0);
    ck_assert_ptr_nonnull(strstr(svg, want));
    /* The finder pattern's top row: 7 dark modules right after the quiet zone. */
    ck_assert(snprintf(want, sizeof want, "M%u %uh7v1h-7z", opt.quiet_modules, opt.quiet_modules) >
              0);
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert(strcmp(svg + out.len - 7, "</svg>\n") == 0);
    ck_assert_uint_eq(strlen(svg), out.len);
    libro_buf_free(&out);
}
END_TEST

/* ---- terminal --------------------------------------------------------------------------- */

#define UPPER "\xe2\x96\x80"
#define LOWER "\xe2\x96\x84"
#define FULL "\xe2\x96\x88"

/* Split into lines, each `side` glyphs of " ", UPPER, LOWER or FULL; returns the line count. */
static size_t
terminal_lines(const libro_buf *out, size_t side)
{
    const char *p = (const char *) out->data;
    const char *end = p + out->len;
    size_t lines = 0;

    ck_assert_uint_gt(out->len, 0);
    ck_assert(end[-1] == '\n');
    while (p < end) {
        size_t glyphs = 0;

        while (*p != '\n') {
            if (*p == ' ') {
                p++;
            } else {
                ck_assert(strncmp(p, UPPER, 3) == 0 || strncmp(p, LOWER, 3) == 0 ||
                          strncmp(p, FULL, 3) == 0);
                p += 3;
            }
            glyphs++;
        }
        ck_assert_uint_eq(glyphs, side);
        p++;
        lines++;
    }
    return lines;
}

START_TEST(test_terminal)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf inv = LIBRO_BUF_INIT;
    int version = -1;
    const char *text = renders[_i].text;
    size_t side;
    size_t q;

    opt.ecc = renders[_i].ecc;
    opt.module_px = renders[_i].module_px;
    opt.quiet_modules = renders[_i].quiet;
    /* A terminal code always has a quiet zone of at least 4 modules. */
    q = opt.quiet_modules > LIBRO_QR_TERMINAL_MIN_QUIET ? opt.quiet_modules
                                                        : LIBRO_QR_TERMINAL_MIN_QUIET;
    must(libro_qr_render(&out, &version, text, strlen(text), LIBRO_QR_TERMINAL, &opt, &err), &err,
         renders[_i].name);
    must(libro_qr_render(&inv, NULL, text, strlen(text), LIBRO_QR_TERMINAL_INVERTED, &opt, &err),
         &err, renders[_i].name);
    side = modules(version) + 2 * q;
    ck_assert_uint_eq(terminal_lines(&out, side), (side + 1) / 2);
    ck_assert_uint_eq(terminal_lines(&inv, side), (side + 1) / 2);
    /* Dark on light: the quiet zone is blank; inverted: it is drawn. */
    ck_assert(out.data[0] == ' ');
    ck_assert(strncmp((const char *) inv.data, FULL, 3) == 0);
    libro_buf_free(&out);
    libro_buf_free(&inv);
}
END_TEST

/* What a terminal shows of `out`, as an image zbar reads: each character cell one module wide
 * and two high (its upper and lower half), `px` pixels a module. ANSI colour sequences are
 * read for what they draw: black on white (SGR 30;47) makes the glyphs dark on a light
 * cell; without colours a glyph is `glyph_dark` on the terminal's own background. */
static libro_image *
terminal_image(const libro_buf *out, bool glyph_dark, unsigned px)
{
    const char *p = (const char *) out->data;
    const char *end = p + out->len;
    unsigned cols = 0;
    unsigned rows = 0;
    unsigned x = 0;
    unsigned char ink = glyph_dark ? 0 : 255;
    libro_image *img = libro_calloc(1, sizeof *img);

    ck_assert_ptr_nonnull(img);
    img->width = 0;
    /* First pass: the size (cells per line, lines). */
    for (const char *q = p; q < end; q++) {
        if (*q == '\x1b') {
            q = strchr(q, 'm');
            ck_assert_ptr_nonnull(q);
        } else if (*q == '\n') {
            cols = x > cols ? x : cols;
            x = 0;
            rows++;
        } else if ((unsigned char) *q != 0x96 && (unsigned char) *q != 0xe2) {
            x++; /* ' ', or the last byte of a block glyph */
        }
    }
    img->width = cols * px;
    img->height = rows * 2 * px;
    img->pixels = libro_calloc((size_t) img->width * img->height, 1);
    ck_assert_ptr_nonnull(img->pixels);
    x = 0;
    rows = 0;
    while (p < end) {
        bool top = false;
        bool bottom = false;

        if (*p == '\x1b') {
            ck_assert(strncmp(p, "\x1b[30;47m", 8) == 0 || strncmp(p, "\x1b[0m", 4) == 0);
            if (strncmp(p, "\x1b[30;47m", 8) == 0) {
                ink = 0; /* black glyphs on a white cell */
            }
            p = strchr(p, 'm') + 1;
            continue;
        }
        if (*p == '\n') {
            x = 0;
            rows++;
            p++;
            continue;
        }
        if (*p != ' ') {
            top = strncmp(p, UPPER, 3) == 0 || strncmp(p, FULL, 3) == 0;
            bottom = strncmp(p, LOWER, 3) == 0 || strncmp(p, FULL, 3) == 0;
            p += 3;
        } else {
            p++;
        }
        for (unsigned dy = 0; dy < 2 * px; dy++) {
            bool drawn = dy < px ? top : bottom;

            memset(img->pixels + (size_t) (rows * 2 * px + dy) * img->width + (size_t) x * px,
                   drawn ? ink : 255 - ink, px);
        }
        x++;
    }
    return img;
}

/* The code a terminal shows scans (zbar, as `libro verify` reads images): in colour, plain
 * on a light terminal, and inverted on a dark one (whose light modules are the glyphs). */
START_TEST(test_terminal_scans)
{
    static const libro_qr_format formats[] = {LIBRO_QR_TERMINAL_COLOR, LIBRO_QR_TERMINAL,
                                              LIBRO_QR_TERMINAL_INVERTED};
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;

    opt.quiet_modules = 0; /* raised to 4 */
    for (size_t i = 0; i < LIBRO_NELEM(formats); i++) {
        libro_buf out = LIBRO_BUF_INIT;
        libro_buf scanned = LIBRO_BUF_INIT;
        libro_image *img;

        must(libro_qr_render(&out, NULL, LB1_TEXT, strlen(LB1_TEXT), formats[i], &opt, &err), &err,
             "render");
        /* A dark terminal draws glyphs light: the inverted code's glyphs are its light modules. */
        img = terminal_image(&out, formats[i] != LIBRO_QR_TERMINAL_INVERTED, 4);
        must(libro_scan_image(&scanned, img, &err), &err, "scan the terminal's code");
        ck_assert_str_eq((const char *) scanned.data, LB1_TEXT);
        if (formats[i] == LIBRO_QR_TERMINAL_COLOR) {
            ck_assert(strncmp((const char *) out.data, "\x1b[30;47m", 8) == 0);
            ck_assert(strncmp((const char *) out.data + out.len - 5, "\x1b[0m\n", 5) == 0);
        }
        libro_image_free(img);
        libro_buf_free(&scanned);
        libro_buf_free(&out);
    }
}
END_TEST

/* ---- versions and limits ---------------------------------------------------------------- */

/* ISO/IEC 18004:2015 capacity table: alphanumeric characters at level M. */
static const struct {
    int version;
    size_t max_chars;
} capacity_m[] = {
    {1, 20}, {2, 38}, {10, 311}, {11, 366}, {12, 419}, {13, 483}, {14, 528}, {15, 600}, {40, 3391},
};

/* "LB1:" then base45-looking characters (digits and letters, no long digit runs). */
static void
lb1_like(libro_buf *text, size_t len)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    libro_error err = LIBRO_ERROR_INIT;
    size_t i;

    must(libro_buf_reserve(text, len, &err), &err, "reserve");
    memcpy(text->data, "LB1:", len < 4 ? len : 4);
    for (i = 4; i < len; i++) {
        text->data[i] = (unsigned char) alphabet[(i * 7) % 45];
    }
    text->len = len;
    text->data[len] = '\0';
}

/* Alphanumeric text fills each version exactly as the table says: the encoder picked
 * alphanumeric mode and the smallest version. */
START_TEST(test_capacity)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    int version = 0;
    size_t n = capacity_m[_i].max_chars;

    lb1_like(&text, n);
    must(libro_qr_render(&out, &version, (const char *) text.data, n, LIBRO_QR_SVG, NULL, &err),
         &err, "at capacity");
    ck_assert_int_eq(version, capacity_m[_i].version);
    libro_buf_free(&text);
    lb1_like(&text, n + 1);
    if (capacity_m[_i].version == 40) {
        LIBRO_ASSERT_CODE(libro_qr_render(&out, &version, (const char *) text.data, n + 1,
                                          LIBRO_QR_SVG, NULL, &err),
                          LIBRO_ERR_LIMIT, &err,
                          "qr: 3392 characters do not fit a version-40 code at this level");
        ck_assert_int_eq(version, 0);
    } else {
        libro_buf_clear(&out);
        must(libro_qr_render(&out, &version, (const char *) text.data, n + 1, LIBRO_QR_SVG, NULL,
                             &err),
             &err, "capacity + 1");
        ck_assert_int_eq(version, capacity_m[_i].version + 1);
    }
    libro_buf_free(&text);
    libro_buf_free(&out);
}
END_TEST

START_TEST(test_too_long)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    int version = 7;

    /* 2954 bytes of lowercase text: over the 8-bit capacity of 40-L (2953). */
    must(libro_buf_reserve(&text, 8000, &err), &err, "reserve");
    memset(text.data, 'a', 8000);
    opt.ecc = 'L';
    LIBRO_ASSERT_CODE(
        libro_qr_render(&out, &version, (const char *) text.data, 2954, LIBRO_QR_PNG, &opt, &err),
        LIBRO_ERR_LIMIT, &err, "qr: 2954 characters do not fit a version-40 code");
    ck_assert_int_eq(version, 0);
    must(libro_qr_render(&out, &version, (const char *) text.data, 2953, LIBRO_QR_SVG, &opt, &err),
         &err, "2953 bytes at L");
    ck_assert_int_eq(version, 40);
    libro_buf_clear(&out);
    /* Longer than any QR code can hold: refused before libqrencode sees it. */
    LIBRO_ASSERT_CODE(
        libro_qr_render(&out, &version, (const char *) text.data, 8000, LIBRO_QR_PNG, &opt, &err),
        LIBRO_ERR_LIMIT, &err, "qr: 8000 characters do not fit");
    ck_assert_uint_eq(out.len, 0);
    libro_buf_free(&text);
    libro_buf_free(&out);
}
END_TEST

static const struct {
    const char *name;
    unsigned version;
    char ecc;
    unsigned module_px;
    unsigned quiet;
    int format;
    const char *msg;
} bad_options[] = {
    {"options version 0", 0, 'M', 8, 4, LIBRO_QR_PNG, "qr: options version 0, expected 1"},
    {"options version 2", 2, 'M', 8, 4, LIBRO_QR_PNG, "qr: options version 2, expected 1"},
    {"ecc X", 1, 'X', 8, 4, LIBRO_QR_PNG, "qr: error correction level must be L, M, Q or H"},
    {"ecc lowercase", 1, 'm', 8, 4, LIBRO_QR_SVG, "qr: error correction level must be"},
    {"ecc NUL", 1, '\0', 8, 4, LIBRO_QR_SVG, "qr: error correction level must be"},
    {"module 0 px", 1, 'M', 0, 4, LIBRO_QR_PNG, "qr: module size 0 out of range 1-64"},
    {"module 65 px", 1, 'M', 65, 4, LIBRO_QR_SVG, "qr: module size 65 out of range 1-64"},
    {"quiet 17", 1, 'M', 8, 17, LIBRO_QR_TERMINAL, "qr: quiet zone 17 out of range 0-16"},
    {"format 0", 1, 'M', 8, 4, 0, "qr: unknown output format 0"},
    {"format 6", 1, 'M', 8, 4, 6, "qr: unknown output format 6"},
};

START_TEST(test_bad_options)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    int version = 3;

    opt.version = bad_options[_i].version;
    opt.ecc = bad_options[_i].ecc;
    opt.module_px = bad_options[_i].module_px;
    opt.quiet_modules = bad_options[_i].quiet;
    LIBRO_ASSERT_CODE(libro_qr_render(&out, &version, "x", 1,
                                      (libro_qr_format) bad_options[_i].format, &opt, &err),
                      LIBRO_ERR_INVALID_ARG, &err, bad_options[_i].msg);
    ck_assert_int_eq(version, 0);
    ck_assert_ptr_null(out.data);
}
END_TEST

START_TEST(test_bad_args)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_qr_render(NULL, NULL, "x", 1, LIBRO_QR_PNG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "qr: NULL argument");
    LIBRO_ASSERT_CODE(libro_qr_render(&out, NULL, NULL, 1, LIBRO_QR_PNG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "qr: NULL argument");
    LIBRO_ASSERT_CODE(libro_qr_render(&out, NULL, NULL, 0, LIBRO_QR_PNG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "qr: empty text");
    LIBRO_ASSERT_CODE(libro_qr_render(&out, NULL, "", 0, LIBRO_QR_SVG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "qr: empty text");
    LIBRO_ASSERT_CODE(libro_qr_render(&out, NULL, "a\0b", 3, LIBRO_QR_SVG, NULL, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "qr: text holds a NUL byte");
    ck_assert_ptr_null(out.data);
    /* Appends to what `out` holds. */
    must(libro_buf_append_str(&out, "x", &err), &err, "x");
    must(libro_qr_render(&out, NULL, "a", 1, LIBRO_QR_SVG, NULL, &err), &err, "append");
    ck_assert(strncmp((const char *) out.data, "x<svg ", 6) == 0);
    libro_buf_free(&out);
}
END_TEST

/* ---- out of memory ---------------------------------------------------------------------- */

/* libqrencode allocates with malloc, out of our reach; ours and libpng's allocations fail in
 * turn. Every failure must be LIBRO_ERR_NOMEM with nothing leaked (ASan). */
static libro_code
oom_render(libro_qr_format format, libro_error *err)
{
    libro_buf out = LIBRO_BUF_INIT;
    libro_code rc = libro_qr_render(&out, NULL, LB1_TEXT, strlen(LB1_TEXT), format, NULL, err);

    libro_buf_free(&out);
    return rc;
}

START_TEST(test_oom)
{
    static const libro_qr_format formats[] = {LIBRO_QR_PNG, LIBRO_QR_SVG, LIBRO_QR_TERMINAL};
    size_t i;

    for (i = 0; i < LIBRO_NELEM(formats); i++) {
        unsigned long n;
        libro_code rc = LIBRO_ERR_NOMEM;

        for (n = 1; n < 10000 && rc != LIBRO_OK; n++) {
            libro_error e = LIBRO_ERROR_INIT;

            libro__alloc_fail_after(n);
            rc = oom_render(formats[i], &e);
            libro__alloc_fail_after(0);
            ck_assert_msg(rc == LIBRO_OK || rc == LIBRO_ERR_NOMEM, "format %d at %lu: %s (%s)",
                          (int) formats[i], n, libro_code_name(rc), e.msg);
        }
        ck_assert_int_eq(rc, LIBRO_OK);
    }
}
END_TEST

/* ---- the reference license -------------------------------------------------------------- */

/* How much of the example's credentialStatus is kept. */
enum keep { KEEP_NONE, KEEP_TWO, KEEP_ALL };

/* schemas/examples/professional-license.json (its credentialStatus, or its third entry,
 * removed unless `keep` is KEEP_ALL) signed as vc+jwt with the RFC 8037 test key, kid
 * "<issuer>#<thumbprint>", packed in `format` and drawn at level M; zbar reads the PNG back to
 * the same JWS. Returns the version. */
static int
example_version(const char *what, const char *example, enum keep keep, libro_lb_format format)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_buf file = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_buf scanned = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    libro_image *img = NULL;
    libro_key *key = NULL;
    libro_credential *parsed = NULL;
    json_t *root = NULL;
    const char *issuer;
    int version = 0;

    libro_test_read(&pem, libro_test_data_dir(), "rfc8037_ed25519.pem");
    must(libro_key_from_pem(&key, (const char *) pem.data, pem.len, NULL, 0, &err), &err, "pem");
    libro_test_read(&file, libro_test_data_dir(), example);
    must(libro_json__load(&root, (const char *) file.data, file.len, &lim, &err), &err, "load");
    ck_assert_ptr_nonnull(json_object_get(root, "credentialStatus"));
    ck_assert_uint_eq(json_array_size(json_object_get(root, "credentialStatus")), 3);
    if (keep == KEEP_NONE) {
        ck_assert_int_eq(json_object_del(root, "credentialStatus"), 0);
    } else if (keep == KEEP_TWO) {
        ck_assert_int_eq(json_array_remove(json_object_get(root, "credentialStatus"), 2), 0);
    }
    must(libro_json__dump(&payload, root, &err), &err, "dump");
    /* What is measured is a license libro accepts. */
    must(libro_credential_parse(&parsed, payload.data, payload.len, &err), &err, "parse");
    ck_assert(parsed->has_status == (keep != KEEP_NONE));
    ck_assert((parsed->status_message_list != NULL) == (keep == KEEP_ALL));
    issuer = json_string_value(json_object_get(root, "issuer"));
    ck_assert_ptr_nonnull(issuer);
    must(libro_key_thumbprint(tp, key, &err), &err, "thumbprint");
    must(libro_buf_printf(&kid, &err, "%s#%s", issuer, tp), &err, "kid");
    must(libro_jws_sign_compact(&jws, key, (const char *) kid.data, "vc+jwt", payload.data,
                                payload.len, &err),
         &err, "sign");
    /* Format 0: what libro prints (libro_lb1_encode: LB3 for a mandate, else LB2). */
    if (format == 0) {
        must(libro_lb1_encode(&text, (const char *) jws.data, jws.len, &err), &err, "lb");
    } else {
        must(libro_lb1_encode_format(&text, format, (const char *) jws.data, jws.len, &err), &err,
             "lb");
    }
    must(libro_qr_render(&png, &version, (const char *) text.data, text.len, LIBRO_QR_PNG, &opt,
                         &err),
         &err, "qr");
    check_png(&png, version, &opt);
    fprintf(stderr, "qr: %s: %zu bytes JSON, %zu chars %.3s, QR version %d at level M\n", what,
            payload.len, text.len, (const char *) text.data, version);
    must(libro_image_decode(&img, png.data, png.len, &err), &err, "image");
    must(libro_scan_image(&scanned, img, &err), &err, "scan");
    ck_assert_str_eq((const char *) scanned.data, (const char *) text.data);
    must(libro_scan_text(&back, (const char *) scanned.data, scanned.len, &err), &err, "unpack");
    ck_assert_str_eq((const char *) back.data, (const char *) jws.data);
    libro_image_free(img);
    libro_credential_free(parsed);
    json_decref(root);
    libro_key_free(key);
    libro_buf_free(&pem);
    libro_buf_free(&file);
    libro_buf_free(&payload);
    libro_buf_free(&kid);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&png);
    libro_buf_free(&scanned);
    libro_buf_free(&back);
    return version;
}

static int
reference_version(const char *what, enum keep keep, libro_lb_format format)
{
    return example_version(what, "../../schemas/examples/professional-license.json", keep, format);
}

/* The example carries its three status entries (docs/credentials.md, "Status"): the target,
 * as libro writes it. Its index (94567) has 5 digits; a 7-digit index adds 3 characters per
 * entry. */
START_TEST(test_reference_license)
{
    ck_assert_int_le(reference_version("reference license", KEEP_ALL, LIBRO_LB_CURRENT),
                     REFERENCE_MAX_VERSION);
}
END_TEST

/* The same as LB1: what libro wrote before LB2. */
/* The reference mandate, schemas/examples/roundtable-mandate.json, signed like the license:
 * libro prints it as LB3 (docs/formats.md, "LB3"), which fits the target; LB2, measured for
 * comparison, would need version 17. */
START_TEST(test_reference_mandate)
{
    static const char mandate[] = "../../schemas/examples/roundtable-mandate.json";

    ck_assert_int_le(example_version("reference mandate", mandate, KEEP_ALL, (libro_lb_format) 0),
                     MANDATE_MAX_VERSION);
    ck_assert_int_eq(example_version("reference mandate as LB3", mandate, KEEP_ALL, LIBRO_LB3),
                     example_version("reference mandate", mandate, KEEP_ALL, (libro_lb_format) 0));
    ck_assert_int_gt(example_version("reference mandate as LB2", mandate, KEEP_ALL, LIBRO_LB2),
                     MANDATE_MAX_VERSION);
}
END_TEST

START_TEST(test_reference_license_lb1)
{
    ck_assert_int_le(reference_version("reference license as LB1", KEEP_ALL, LIBRO_LB1),
                     REFERENCE_LB1_MAX_VERSION);
}
END_TEST

/* With the two entries of a license issued before the status words (both formats: such
 * licenses were printed as LB1, are reprinted as LB2). */
START_TEST(test_reference_license_two_entries)
{
    ck_assert_int_le(
        reference_version("reference license with two status entries", KEEP_TWO, LIBRO_LB_CURRENT),
        REFERENCE_MAX_VERSION);
    ck_assert_int_le(
        reference_version("reference license with two status entries as LB1", KEEP_TWO, LIBRO_LB1),
        REFERENCE_MAX_VERSION);
}
END_TEST

/* Without credentialStatus, for comparison (what the status entries cost). */
START_TEST(test_reference_license_without_status)
{
    ck_assert_int_le(reference_version("reference license without credentialStatus", KEEP_NONE,
                                       LIBRO_LB_CURRENT),
                     REFERENCE_MAX_VERSION);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("qr");
    TCase *render = tcase_create("render");
    TCase *limits = tcase_create("limits");
    TCase *reject = tcase_create("rejects");
    TCase *oom = tcase_create("oom");
    TCase *reference = tcase_create("reference");

    suite_add_tcase(s, render);
    suite_add_tcase(s, limits);
    suite_add_tcase(s, reject);
    suite_add_tcase(s, oom);
    suite_add_tcase(s, reference);
    tcase_add_loop_test(render, test_png, 0, (int) LIBRO_NELEM(renders));
    tcase_add_loop_test(render, test_svg, 0, (int) LIBRO_NELEM(renders));
    tcase_add_loop_test(render, test_terminal, 0, (int) LIBRO_NELEM(renders));
    tcase_add_test(render, test_terminal_scans);
    tcase_add_loop_test(limits, test_capacity, 0, (int) LIBRO_NELEM(capacity_m));
    tcase_add_test(limits, test_too_long);
    tcase_add_loop_test(reject, test_bad_options, 0, (int) LIBRO_NELEM(bad_options));
    tcase_add_test(reject, test_bad_args);
    tcase_add_test(oom, test_oom);
    tcase_add_test(reference, test_reference_license);
    tcase_add_test(reference, test_reference_license_lb1);
    tcase_add_test(reference, test_reference_mandate);
    tcase_add_test(reference, test_reference_license_two_entries);
    tcase_add_test(reference, test_reference_license_without_status);
    return s;
}
