/* libro_issuer: PNG output of a QR matrix, the issuer's only user of libpng.
 *
 * libpng reports errors by longjmp to the setjmp in write_png(). Everything that must be
 * released is created by libro_qr__png() before that call and released after it returns, and
 * write_png() keeps nothing in locals that it reads after a longjmp (C11 7.13.2.1p3), so no
 * variable needs to be volatile and no error path leaks. libpng allocates through our
 * allocator, so the OOM tests reach its failures too. */
#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "libro/dl_int.h"
#include "libro/util.h"
#include "qr_int.h"

/* The libpng calls of this file, bound on first use (libro/dl_int.h): a process that never
 * writes a PNG never loads libpng. */
#define PNG_SYMBOLS(X)                                                                             \
    X(create_info_struct, png_create_info_struct)                                                  \
    X(create_write_struct_2, png_create_write_struct_2)                                            \
    X(destroy_write_struct, png_destroy_write_struct)                                              \
    X(error, png_error)                                                                            \
    X(get_error_ptr, png_get_error_ptr)                                                            \
    X(get_io_ptr, png_get_io_ptr)                                                                  \
    X(get_mem_ptr, png_get_mem_ptr)                                                                \
    X(jump, png_longjmp)                                                                           \
    X(set_IHDR, png_set_IHDR)                                                                      \
    X(set_longjmp_fn, png_set_longjmp_fn)                                                          \
    X(set_write_fn, png_set_write_fn)                                                              \
    X(write_end, png_write_end)                                                                    \
    X(write_info, png_write_info)                                                                  \
    X(write_row, png_write_row)
LIBRO_DL_DEFINE(lp, PNG_SYMBOLS, LIBRO_DL_SONAME_PNG, LIBRO_DL_PACKAGE_PNG, "to write PNG images");

#define LIGHT 255u
#define DARK 0u

/* Shared by the callbacks (through libpng's error, io and mem pointers) and write_png(). */
struct png_ctx {
    libro_buf *out;
    libro_code code; /* what the next png_error means */
    char msg[128];   /* libpng's reason, copied by on_error */
};

static void
on_error(png_structp png, png_const_charp msg)
{
    struct png_ctx *ctx = lp.get_error_ptr(png);
    size_t n = msg == NULL ? 0 : strnlen(msg, sizeof ctx->msg - 1);

    if (n > 0) {
        memcpy(ctx->msg, msg, n);
    }
    ctx->msg[n] = '\0';
    lp.jump(png, 1);
}

static void
on_warning(png_structp png, png_const_charp msg)
{
    /* Warnings are about optional chunks we never write; nothing to report. */
    (void) png;
    (void) msg;
}

static void
on_write(png_structp png, png_bytep data, size_t len)
{
    struct png_ctx *ctx = lp.get_io_ptr(png);

    if (libro_buf_append(ctx->out, data, len, NULL) != LIBRO_OK) {
        ctx->code = LIBRO_ERR_NOMEM;
        lp.error(png, "out of memory");
    }
}

static void
on_flush(png_structp png)
{
    (void) png;
}

static png_voidp
on_malloc(png_structp png, png_alloc_size_t n)
{
    void *p = libro_malloc(n);

    if (p == NULL) {
        struct png_ctx *ctx = lp.get_mem_ptr(png);

        ctx->code = LIBRO_ERR_NOMEM;
    }
    return p;
}

static void
on_free(png_structp png, png_voidp p)
{
    (void) png;
    libro_free(p);
}

/* One pixel row of module row `my` (quiet zone included) into `row`. */
static void
fill_row(unsigned char *row, const libro_qr__matrix *m, size_t quiet, size_t module_px, size_t my)
{
    size_t side = m->size + 2 * quiet;
    size_t mx;

    if (my < quiet || my >= quiet + m->size) {
        memset(row, LIGHT, side * module_px);
        return;
    }
    for (mx = 0; mx < side; mx++) {
        bool dark = mx >= quiet && mx < quiet + m->size &&
                    m->dark[(my - quiet) * m->size + (mx - quiet)] != 0;

        memset(row + mx * module_px, dark ? DARK : LIGHT, module_px);
    }
}

static void
write_rows(png_structp png, unsigned char *row, const libro_qr__matrix *m, size_t quiet,
           size_t module_px)
{
    size_t side = m->size + 2 * quiet;
    size_t my;
    size_t k;

    for (my = 0; my < side; my++) {
        fill_row(row, m, quiet, module_px, my);
        for (k = 0; k < module_px; k++) {
            lp.write_row(png, row);
        }
    }
}

static libro_code
write_png(png_structp png, png_infop info, struct png_ctx *ctx, unsigned char *row,
          const libro_qr__matrix *m, size_t quiet, size_t module_px, libro_error *err)
{
    png_uint_32 px = (png_uint_32) ((m->size + 2 * quiet) * module_px);

    if (setjmp(*lp.set_longjmp_fn(png, longjmp, sizeof(jmp_buf))) != 0) {
        if (ctx->code == LIBRO_ERR_NOMEM) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "png: out of memory");
        }
        return libro_error_set(err, ctx->code, "png: %s", ctx->msg);
    }
    lp.set_write_fn(png, ctx, on_write, on_flush);
    lp.set_IHDR(png, info, px, px, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    lp.write_info(png, info);
    write_rows(png, row, m, quiet, module_px);
    lp.write_end(png, NULL);
    return LIBRO_OK;
}

libro_code
libro_qr__png(libro_buf *out, const libro_qr__matrix *m, size_t quiet, size_t module_px,
              libro_error *err)
{
    struct png_ctx ctx;
    libro_buf png_bytes = LIBRO_BUF_INIT;
    png_structp png = NULL;
    png_infop info = NULL;
    unsigned char *row = NULL;
    libro_code rc;

    memset(&ctx, 0, sizeof ctx);
    ctx.out = &png_bytes;
    /* libpng fails only for want of memory or for our own misuse, which would be a bug. */
    ctx.code = LIBRO_ERR_INVALID_ARG;
    rc = libro_dl__load(&lp_lib, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    row = libro_malloc((m->size + 2 * quiet) * module_px);
    if (row == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "png: out of memory");
        goto out;
    }
    png = lp.create_write_struct_2(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning, &ctx,
                                   on_malloc, on_free);
    if (png == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "png: out of memory");
        goto out;
    }
    info = lp.create_info_struct(png);
    if (info == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "png: out of memory");
        goto out;
    }
    rc = write_png(png, info, &ctx, row, m, quiet, module_px, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* `out` is touched only on success. */
    rc = libro_buf_append(out, png_bytes.data, png_bytes.len, err);
out:
    if (png != NULL) { /* else libpng may not even be loaded */
        lp.destroy_write_struct(&png, &info);
    }
    libro_free(row);
    libro_buf_free(&png_bytes);
    return rc;
}
