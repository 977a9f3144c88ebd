/* Decode any bytes as an image (PNG, JPEG, PGM/PPM); what decodes must be within the caps,
 * and its last pixel readable (ASan checks the buffer is as large as the sides say). */
#include <stdlib.h>

#include "libro/scan.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_image *img = NULL;
    volatile unsigned char last;

    if (libro_image_decode(&img, data, size, NULL) == LIBRO_OK) {
        if (img->width == 0 || img->height == 0 || img->width > LIBRO_MAX_IMAGE_SIDE ||
            img->height > LIBRO_MAX_IMAGE_SIDE) {
            abort();
        }
        last = img->pixels[(size_t) img->width * img->height - 1];
        (void) last;
    }
    libro_image_free(img);
    return 0;
}
