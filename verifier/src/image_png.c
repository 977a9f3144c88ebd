/* libro_verifier: the libpng adapter, the only file in verifier/ that includes png.h.
 *
 * libpng reports errors by longjmp. Each libpng session runs in one small function whose
 * only local is a pointer to a job struct set before setjmp; everything libpng or the
 * error path touches lives in that struct, so nothing a longjmp returns to can be a
 * clobbered register copy (C11 7.13.2.1p3). What the session allocates is recorded in the
 * job and released by the caller's one `out:` label, whichever way the session ended. */
#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "image_int.h"
#include "libro/dl_int.h"
#include "libro/util.h"

/* The libpng calls of this file, bound on first use (libro/dl_int.h). */
#define PNG_SYMBOLS(X)                                                                             \
    X(create_info_struct, png_create_info_struct)                                                  \
    X(create_read_struct, png_create_read_struct)                                                  \
    X(create_write_struct, png_create_write_struct)                                                \
    X(destroy_read_struct, png_destroy_read_struct)                                                \
    X(destroy_write_struct, png_destroy_write_struct)                                              \
    X(error, png_error)                                                                            \
    X(get_bit_depth, png_get_bit_depth)                                                            \
    X(get_channels, png_get_channels)                                                              \
    X(get_color_type, png_get_color_type)                                                          \
    X(get_error_ptr, png_get_error_ptr)                                                            \
    X(get_image_height, png_get_image_height)                                                      \
    X(get_image_width, png_get_image_width)                                                        \
    X(get_io_ptr, png_get_io_ptr)                                                                  \
    X(get_rowbytes, png_get_rowbytes)                                                              \
    X(jump, png_longjmp)                                                                           \
    X(read_end, png_read_end)                                                                      \
    X(read_image, png_read_image)                                                                  \
    X(read_info, png_read_info)                                                                    \
    X(read_update_info, png_read_update_info)                                                      \
    X(set_IHDR, png_set_IHDR)                                                                      \
    X(set_expand, png_set_expand)                                                                  \
    X(set_interlace_handling, png_set_interlace_handling)                                          \
    X(set_keep_unknown_chunks, png_set_keep_unknown_chunks)                                        \
    X(set_longjmp_fn, png_set_longjmp_fn)                                                          \
    X(set_read_fn, png_set_read_fn)                                                                \
    X(set_rgb_to_gray_fixed, png_set_rgb_to_gray_fixed)                                            \
    X(set_scale_16, png_set_scale_16)                                                              \
    X(set_user_limits, png_set_user_limits)                                                        \
    X(set_write_fn, png_set_write_fn)                                                              \
    X(write_end, png_write_end)                                                                    \
    X(write_info, png_write_info)                                                                  \
    X(write_row, png_write_row)
LIBRO_DL_DEFINE(lp, PNG_SYMBOLS, LIBRO_DL_SONAME_PNG, LIBRO_DL_PACKAGE_PNG,
                "to read and write PNG images");

/* png_jmpbuf through the table: png.h's macro names png_set_longjmp_fn itself. */
#define PNG_JMPBUF(png) (*lp.set_longjmp_fn((png), longjmp, sizeof(jmp_buf)))

struct png_job {
    png_structp png;
    png_infop info;
    const unsigned char *p; /* reading: the file */
    size_t len;
    size_t off;
    libro_buf *out; /* writing: appended to */
    libro_code rc;  /* set by our callbacks before they call png_error */
    char why[160];  /* libpng's reason, for "png: <reason>" */
    libro_image *img;
    size_t channels;
    unsigned char *data; /* decoded samples, `channels` bytes a pixel */
    png_bytep *rows;
    libro_error *err;
};

static void
copy_reason(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void
on_png_error(png_structp png, png_const_charp msg)
{
    struct png_job *job = lp.get_error_ptr(png);

    copy_reason(job->why, sizeof job->why, msg != NULL ? msg : "unknown error");
    lp.jump(png, 1);
}

/* libpng warns about ancillary-chunk trouble it recovers from; a library must not print. */
static void
on_png_warning(png_structp png, png_const_charp msg)
{
    (void) png;
    (void) msg;
}

static void
read_mem(png_structp png, png_bytep dst, size_t n)
{
    struct png_job *job = lp.get_io_ptr(png);

    if (n > job->len - job->off) {
        lp.error(png, "truncated file");
    }
    memcpy(dst, job->p + job->off, n);
    job->off += n;
}

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* The file's own IHDR, read before libpng sees it, so that an oversized image is refused with
 * our LIMIT message (past png_set_user_limits, libpng says only "Invalid IHDR data") before
 * libpng allocates anything. */
static libro_code
precheck_ihdr(const unsigned char *p, size_t len, libro_error *err)
{
    if (len < 8 + 8 + 13 || memcmp(p + 12, "IHDR", 4) != 0) {
        return LIBRO_OK; /* libpng will name what is wrong */
    }
    return libro_image__check_size("png", be32(p + 16), be32(p + 20), err);
}

/* The libpng calls of a decode; a libpng error longjmps out of here to run_decode. Sets
 * job->channels: 1 (gray) or 2 (gray + alpha when the file has transparency), 8 bits each. */
static libro_code
decode_body(struct png_job *job)
{
    png_uint_32 width;
    png_uint_32 height;
    libro_code rc;
    size_t y;

    lp.set_user_limits(job->png, LIBRO_MAX_IMAGE_SIDE, LIBRO_MAX_IMAGE_SIDE);
    /* Skip every chunk but IHDR, PLTE, tRNS, IDAT and IEND (num_chunks < 0 means that),
     * unread. libpng allocates a text or profile chunk's declared length before reading it,
     * and in 1.6.39 a chunk over png_set_chunk_malloc_max is only a warning: an 80-byte file
     * declaring a 350 MB zTXt made it allocate 350 MB (found by fuzz_image). Nothing else
     * matters for a gray QR code: gamma, color profiles and bKGD only move grays. */
    lp.set_keep_unknown_chunks(job->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    lp.set_read_fn(job->png, job, read_mem);
    lp.read_info(job->png, job->info);
    width = lp.get_image_width(job->png, job->info);
    height = lp.get_image_height(job->png, job->info);
    rc = libro_image__check_size("png", width, height, job->err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Palette to RGB, gray below 8 bits to 8, tRNS to an alpha channel, 16 bits to 8 (scaled,
     * not truncated), then color to gray: what is left is G or GA, 8 bits each. */
    lp.set_expand(job->png);
    lp.set_scale_16(job->png);
    if ((lp.get_color_type(job->png, job->info) & PNG_COLOR_MASK_COLOR) != 0) {
        /* BT.601 weights (x 100000), as JPEG's Y and our PPM reader use: one gray per color. */
        lp.set_rgb_to_gray_fixed(job->png, PNG_ERROR_ACTION_NONE, 29900, 58700);
    }
    (void) lp.set_interlace_handling(job->png);
    lp.read_update_info(job->png, job->info);
    job->channels = lp.get_channels(job->png, job->info);
    if ((job->channels != 1 && job->channels != 2) || lp.get_bit_depth(job->png, job->info) != 8 ||
        lp.get_rowbytes(job->png, job->info) != job->channels * width) {
        return libro_error_set(job->err, LIBRO_ERR_IMAGE, "png: unexpected sample layout");
    }
    /* Sizes were capped above: at most 2 x 40M bytes, no overflow. */
    job->data = libro_malloc(job->channels * width * height);
    job->rows = libro_malloc(height * sizeof *job->rows);
    if (job->data == NULL || job->rows == NULL) {
        return libro_error_set(job->err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (y = 0; y < height; y++) {
        job->rows[y] = job->data + y * job->channels * width;
    }
    /* The whole image at once: interlaced files need every row for each pass. */
    lp.read_image(job->png, job->rows);
    /* Up to IEND: the trailing chunks carry nothing we use, but a file cut after its pixel
     * data is still a truncated file. */
    lp.read_end(job->png, NULL);
    return LIBRO_OK;
}

/* The setjmp frame of a decode. Its one local (job) is set before setjmp and never changed. */
static libro_code
run_decode(struct png_job *job)
{
    if (setjmp(PNG_JMPBUF(job->png)) != 0) {
        return libro_error_set(job->err, LIBRO_ERR_IMAGE, "png: %s", job->why);
    }
    return decode_body(job);
}

/* Gray + alpha to gray in place, composited on white: a transparent background must read as
 * the light quiet zone around a QR code, not as black. */
static void
composite_on_white(unsigned char *data, size_t pixels)
{
    size_t i;

    for (i = 0; i < pixels; i++) {
        unsigned g = data[2 * i];
        unsigned a = data[2 * i + 1];

        data[i] = (unsigned char) ((g * a + 255u * (255u - a) + 127u) / 255u);
    }
}

libro_code
libro_image__decode_png(libro_image **out, const unsigned char *p, size_t len, libro_error *err)
{
    struct png_job job;
    libro_code rc;
    size_t pixels;
    unsigned char *shrunk;

    memset(&job, 0, sizeof job);
    job.p = p;
    job.len = len;
    job.err = err;
    *out = NULL;
    rc = precheck_ihdr(p, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_dl__load(&lp_lib, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    job.png = lp.create_read_struct(PNG_LIBPNG_VER_STRING, &job, on_png_error, on_png_warning);
    if (job.png != NULL) {
        job.info = lp.create_info_struct(job.png);
    }
    if (job.png == NULL || job.info == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = run_decode(&job);
    if (rc != LIBRO_OK) {
        goto out;
    }
    job.img = libro_calloc(1, sizeof *job.img);
    if (job.img == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    job.img->width = lp.get_image_width(job.png, job.info);
    job.img->height = lp.get_image_height(job.png, job.info);
    pixels = (size_t) job.img->width * job.img->height;
    if (job.channels == 2) {
        composite_on_white(job.data, pixels);
        /* Give back the alpha half; keeping the larger block is harmless if this fails. */
        shrunk = libro_realloc(job.data, pixels);
        if (shrunk != NULL) {
            job.data = shrunk;
        }
    }
    job.img->pixels = job.data;
    job.data = NULL; /* moved into the image */
    *out = job.img;
    job.img = NULL; /* moved to caller */
out:
    if (job.png != NULL) { /* else libpng may not even be loaded */
        lp.destroy_read_struct(&job.png, &job.info, NULL);
    }
    libro_free(job.rows);
    libro_free(job.data);
    libro_image_free(job.img);
    return rc;
}

/* ---- writing --------------------------------------------------------------------------- */

static void
write_mem(png_structp png, png_bytep src, size_t n)
{
    struct png_job *job = lp.get_io_ptr(png);

    job->rc = libro_buf_append(job->out, src, n, job->err);
    if (job->rc != LIBRO_OK) {
        lp.error(png, "out of memory");
    }
}

static void
flush_mem(png_structp png)
{
    (void) png;
}

static void
encode_body(struct png_job *job, const libro_image *img)
{
    size_t y;

    lp.set_write_fn(job->png, job, write_mem, flush_mem);
    lp.set_IHDR(job->png, job->info, img->width, img->height, 8, PNG_COLOR_TYPE_GRAY,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    lp.write_info(job->png, job->info);
    for (y = 0; y < img->height; y++) {
        lp.write_row(job->png, img->pixels + y * img->width);
    }
    lp.write_end(job->png, NULL);
}

/* The setjmp frame of an encode; its locals are set before setjmp and never changed. */
static libro_code
run_encode(struct png_job *job, const libro_image *img)
{
    if (setjmp(PNG_JMPBUF(job->png)) != 0) {
        if (job->rc != LIBRO_OK) {
            return job->rc; /* our write callback already said why */
        }
        return libro_error_set(job->err, LIBRO_ERR_IMAGE, "png: %s", job->why);
    }
    encode_body(job, img);
    return LIBRO_OK;
}

libro_code
libro_image_png(libro_buf *out, const libro_image *img, libro_error *err)
{
    struct png_job job;
    libro_code rc;
    size_t start;

    if (out == NULL || img == NULL || img->pixels == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "image png: NULL argument");
    }
    rc = libro_image__check_size("png", img->width, img->height, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_dl__load(&lp_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    start = out->len;
    memset(&job, 0, sizeof job);
    job.out = out;
    job.err = err;
    job.png = lp.create_write_struct(PNG_LIBPNG_VER_STRING, &job, on_png_error, on_png_warning);
    if (job.png != NULL) {
        job.info = lp.create_info_struct(job.png);
    }
    if (job.png == NULL || job.info == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = run_encode(&job, img);
out:
    if (rc != LIBRO_OK && out->data != NULL) {
        /* Leave the caller's buffer as it was, without half a PNG in it. */
        libro_wipe(out->data + start, out->len - start);
        out->len = start;
    }
    lp.destroy_write_struct(&job.png, &job.info);
    return rc;
}
