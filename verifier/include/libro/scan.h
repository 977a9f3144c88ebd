/* libro_verifier: read a libro QR code from an image (zbar) or from scanned text. */
#ifndef LIBRO_SCAN_H
#define LIBRO_SCAN_H

#include "libro/buf.h"

#define LIBRO_MAX_IMAGE_FILE_BYTES (32u * 1024u * 1024u) /* an image file */
#define LIBRO_MAX_IMAGE_PIXELS (40u * 1000u * 1000u)     /* width x height after decoding */
#define LIBRO_MAX_IMAGE_SIDE 16384u                      /* width or height */

/** An 8-bit grayscale image, rows top to bottom, no padding. */
typedef struct libro_image {
    unsigned width;
    unsigned height;
    unsigned char *pixels; /* width * height bytes; owned */
} libro_image;

/** Decode an image file (PNG, JPEG, binary PPM P6 or PGM P5; detected by content, not name)
 *  into grayscale. Every size is bounded before allocation (file, sides, pixel count); a
 *  corrupt or truncated file is LIBRO_ERR_IMAGE with the reason. Caller frees with
 *  libro_image_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_image_load(libro_image **out, const char *path,
                                                      libro_error *err);
/** Same from memory. */
LIBRO_API LIBRO_NODISCARD libro_code libro_image_decode(libro_image **out, const void *p,
                                                        size_t len, libro_error *err);
/** Write `img` as a grayscale PNG (tests and tools). */
LIBRO_API LIBRO_NODISCARD libro_code libro_image_png(libro_buf *out, const libro_image *img,
                                                     libro_error *err);
LIBRO_API void libro_image_free(libro_image *img);

/** Find QR codes in `img` (zbar, QR symbology only, binary mode) and return the text of the
 *  one libro code (starting "LB1:", "LB2:", "LB3:" or "LBR:", or a compact JWS), appended to
 *  `text_out`.
 *  LIBRO_ERR_NO_QR when there is none (or only codes that are not libro's, named in the
 *  message); LIBRO_ERR_PARSE "more than one libro QR code" when there are several. */
LIBRO_API LIBRO_NODISCARD libro_code libro_scan_image(libro_buf *text_out, const libro_image *img,
                                                      libro_error *err);

/** Turn scanned or pasted text into a compact JWS: "LB1:..." (and LB2, LB3) is unpacked
 *  (libro_lb1_decode); a compact JWS (up to a CommunityLaw's LIBRO_MAX_LAW_TOKEN_BYTES) is
 *  taken as is, and so is an "LBR:..." reference, which names a document without carrying
 *  it (libro_verify_document reads it). Surrounding whitespace is ignored. */
LIBRO_API LIBRO_NODISCARD libro_code libro_scan_text(libro_buf *jws_out, const char *text,
                                                     size_t len, libro_error *err);

#endif
