/* libro_issuer: QR code output (libqrencode) as PNG (libpng), SVG or terminal text. */
#ifndef LIBRO_QR_H
#define LIBRO_QR_H

#include "libro/buf.h"

/** Terminal output draws two module rows per line with the UTF-8 half blocks U+2580 (upper),
 *  U+2584 (lower), U+2588 (full) and spaces, one column per module, each line ending in '\n'.
 *  LIBRO_QR_TERMINAL draws the dark modules as glyphs: it is right for dark text on a light
 *  background (and for printing). On a light-on-dark terminal that code shows inverted, which
 *  not every scanner reads (ISO/IEC 18004:2015 leaves reading reflectance-reversed symbols
 *  optional): use LIBRO_QR_TERMINAL_INVERTED there, which draws the light modules and the
 *  quiet zone. LIBRO_QR_TERMINAL_COLOR needs neither guess: it draws the dark modules in black
 *  on an explicit white background (ANSI SGR 30;47 at the start of each line, SGR 0 at its
 *  end, before the '\n'), so the code is dark-on-light whatever the terminal's own colours,
 *  as scanners read best. Every terminal format has a quiet zone of at least 4 modules (a
 *  smaller quiet_modules is raised to 4): a scanner needs it to find the code. */
typedef enum libro_qr_format {
    LIBRO_QR_PNG = 1,               /* 8-bit grayscale PNG */
    LIBRO_QR_SVG = 2,               /* one <path>, scalable */
    LIBRO_QR_TERMINAL = 3,          /* dark-on-light terminal text (see above) */
    LIBRO_QR_TERMINAL_INVERTED = 4, /* light-on-dark terminal text */
    LIBRO_QR_TERMINAL_COLOR = 5,    /* black on white with ANSI colours: any terminal */
} libro_qr_format;

/** The least quiet zone of terminal output, in modules (ISO/IEC 18004's 4). */
#define LIBRO_QR_TERMINAL_MIN_QUIET 4u

typedef struct libro_qr_options {
    unsigned version;       /* 1 */
    char ecc;               /* 'L', 'M' (default), 'Q' or 'H' */
    unsigned module_px;     /* PNG/SVG pixels per module, 1-64 (default 8) */
    unsigned quiet_modules; /* quiet zone in modules, 0-16 (default 4, as ISO/IEC 18004) */
} libro_qr_options;

#define LIBRO_QR_OPTIONS_INIT                                                                      \
    {                                                                                              \
        1, 'M', 8, 4                                                                               \
    }

/** Encode `text` (LB2 and LB1 text are all QR alphanumeric characters, so it is encoded in that
 * mode) in the smallest QR version that holds it at the chosen level, and render it as `format`,
 *  appended to `out` (untouched on failure). `opt` may be NULL for the defaults; terminal
 *  output ignores module_px. *qr_version (may be NULL) receives the QR version used (1-40).
 *  LIBRO_ERR_LIMIT when the text does not fit a version-40 code. LIBRO_ERR_INVALID_ARG for a
 *  NULL `out`, an empty text or one holding a NUL byte, an unknown format, or an option out of
 *  range (the message names it). LIBRO_ERR_NOMEM. Thread-safe on distinct buffers. */
LIBRO_API LIBRO_NODISCARD libro_code libro_qr_render(libro_buf *out, int *qr_version,
                                                     const char *text, size_t len,
                                                     libro_qr_format format,
                                                     const libro_qr_options *opt, libro_error *err);

#endif
