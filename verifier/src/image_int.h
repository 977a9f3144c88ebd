/* libro_verifier: what the image adapters share (image.c, image_png.c, image_jpeg.c,
 * image_pnm.c). Each adapter is the only file that includes its library's header. */
#ifndef LIBRO_IMAGE_INT_H
#define LIBRO_IMAGE_INT_H

#include "libro/scan.h"

/** Check `width` x `height` against LIBRO_MAX_IMAGE_SIDE and LIBRO_MAX_IMAGE_PIXELS before
 *  anything is allocated: LIBRO_ERR_IMAGE for an empty image, LIBRO_ERR_LIMIT over a cap, each
 *  message starting with "`format`: ". 64-bit inputs, so a header's raw values are checked
 *  before any narrowing. */
libro_code libro_image__check_size(const char *format, uint64_t width, uint64_t height,
                                   libro_error *err);

/** Allocate an image of `width` x `height` (checked as above); pixels uninitialised. */
libro_code libro_image__new(libro_image **out, const char *format, uint64_t width, uint64_t height,
                            libro_error *err);

/** Luma of an 8-bit RGB sample (ITU-R BT.601 weights, rounded). */
unsigned char libro_image__luma(unsigned r, unsigned g, unsigned b);

/* The decoders: `p`/`len` is the whole file, already identified by its magic bytes. On
 * success *out is the caller's; on failure it is NULL and nothing is left allocated. */
libro_code libro_image__decode_png(libro_image **out, const unsigned char *p, size_t len,
                                   libro_error *err);
libro_code libro_image__decode_jpeg(libro_image **out, const unsigned char *p, size_t len,
                                    libro_error *err);
libro_code libro_image__decode_pnm(libro_image **out, const unsigned char *p, size_t len,
                                   libro_error *err);

#endif
