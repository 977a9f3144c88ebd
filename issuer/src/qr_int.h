/* libro_issuer: what qr.c (libqrencode) hands to png_write.c (libpng), so that each file
 * includes one dependency's header. Not installed. */
#ifndef LIBRO_QR_INT_H
#define LIBRO_QR_INT_H

#include "libro/buf.h"

/** A QR symbol as a plain matrix: `size` x `size` modules, row-major, 1 = dark, 0 = light. */
typedef struct libro_qr__matrix {
    const unsigned char *dark;
    size_t size;
} libro_qr__matrix;

/** Render `m` as an 8-bit grayscale PNG (dark 0, light 255) with `quiet` light modules on
 *  each side and `module_px` pixels per module, appended to `out` (untouched on failure).
 *  The caller bounds the image: at most (177 + 2*16) * 64 pixels a side. */
LIBRO_NODISCARD libro_code libro_qr__png(libro_buf *out, const libro_qr__matrix *m, size_t quiet,
                                         size_t module_px, libro_error *err);

#endif
