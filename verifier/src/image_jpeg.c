/* libro_verifier: the libjpeg(-turbo) adapter, the only file in verifier/ that includes
 * jpeglib.h.
 *
 * libjpeg's default error_exit calls exit(); ours longjmps back to the one setjmp frame,
 * run_decode(), whose only local is a pointer set before setjmp, so no variable a longjmp
 * returns to can be clobbered (C11 7.13.2.1p3). Everything else lives in the job struct and is
 * released at the caller's `out:` label. */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t declared first */
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "image_int.h"
#include "libro/dl_int.h"
#include "libro/util.h"

/* The libjpeg calls of this file, bound on first use (libro/dl_int.h). libjpeg-turbo's
 * SONAME follows the API it was built to emulate (JPEG_LIB_VERSION). */
#define JPEG_SYMBOLS(X)                                                                            \
    X(create_decompress, jpeg_CreateDecompress)                                                    \
    X(destroy_decompress, jpeg_destroy_decompress)                                                 \
    X(finish_decompress, jpeg_finish_decompress)                                                   \
    X(mem_src, jpeg_mem_src)                                                                       \
    X(read_header, jpeg_read_header)                                                               \
    X(read_scanlines, jpeg_read_scanlines)                                                         \
    X(start_decompress, jpeg_start_decompress)                                                     \
    X(std_error, jpeg_std_error)
#if JPEG_LIB_VERSION == 62
#define JPEG_SONAME "libjpeg.so.62"
#elif JPEG_LIB_VERSION == 70
#define JPEG_SONAME "libjpeg.so.7"
#elif JPEG_LIB_VERSION == 80
#define JPEG_SONAME "libjpeg.so.8"
#else
#error "unknown libjpeg API version: add its SONAME here"
#endif
LIBRO_DL_DEFINE(jl, JPEG_SYMBOLS, JPEG_SONAME, LIBRO_DL_PACKAGE_JPEG, "to read JPEG images");

/* A progressive file may hold any number of scans and each one re-reads the whole
 * coefficient buffer: thousands of tiny scans make a small file take minutes (the attack
 * libjpeg-turbo's TJFLAG_LIMITSCANS stops at 500 too). Real encoders write about ten. */
#define JPEG_MAX_SCANS 500
/* A backstop for libjpeg's whole-image coefficient buffers (progressive and multi-scan
 * files): within the pixel cap a 4:4:4 color file needs at most 240 MB (CMYK cannot be
 * turned into gray and is refused earlier); past this libjpeg fails with "Backing store not
 * supported". */
#define JPEG_MAX_MEMORY (256L * 1024L * 1024L)

struct jpeg_job {
    struct jpeg_error_mgr mgr; /* first: libjpeg hands us a pointer to it */
    struct jpeg_progress_mgr progress;
    struct jpeg_decompress_struct cinfo;
    jmp_buf jump;
    char why[JMSG_LENGTH_MAX];
    libro_code code; /* what the longjmp reports */
    const unsigned char *p;
    size_t len;
    libro_image *img;
    libro_error *err;
};

static void
on_jpeg_error(j_common_ptr cinfo)
{
    struct jpeg_job *job = (struct jpeg_job *) (void *) cinfo->err;

    (*cinfo->err->format_message)(cinfo, job->why);
    job->code = LIBRO_ERR_IMAGE;
    longjmp(job->jump, 1);
}

/* libjpeg turns truncated or corrupt entropy data into a warning and goes on with gray or
 * garbled pixels; for a QR code that is a wrong image, not a degraded one, so those warnings
 * end the decode. The rest (stray bytes between markers, common in camera files) are
 * harmless and silenced, as a library must not print. */
static void
on_jpeg_message(j_common_ptr cinfo, int level)
{
    int code = cinfo->err->msg_code;

    if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER ||
                      code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC)) {
        on_jpeg_error(cinfo);
    }
}

static void
on_jpeg_progress(j_common_ptr cinfo)
{
    struct jpeg_job *job = (struct jpeg_job *) (void *) cinfo->err;

    if (cinfo->is_decompressor && job->cinfo.input_scan_number > JPEG_MAX_SCANS) {
        (void) libro_error_set(job->err, LIBRO_ERR_LIMIT, "jpeg: more than %d scans",
                               JPEG_MAX_SCANS);
        job->code = LIBRO_ERR_LIMIT;
        longjmp(job->jump, 1);
    }
}

/* The libjpeg calls of a decode; an error longjmps out of here to run_decode. */
static libro_code
decode_body(struct jpeg_job *job)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    libro_code rc;

    jl.create_decompress(cinfo, JPEG_LIB_VERSION, sizeof *cinfo);
    cinfo->mem->max_memory_to_use = JPEG_MAX_MEMORY;
    job->progress.progress_monitor = on_jpeg_progress;
    cinfo->progress = &job->progress;
    /* The whole file is in memory and capped at LIBRO_MAX_IMAGE_FILE_BYTES. */
    jl.mem_src(cinfo, job->p, (unsigned long) job->len);
    (void) jl.read_header(cinfo, TRUE);
    /* Before jpeg_start_decompress, which allocates by the header's dimensions. */
    rc = libro_image__check_size("jpeg", cinfo->image_width, cinfo->image_height, job->err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    cinfo->out_color_space = JCS_GRAYSCALE;
    cinfo->scale_num = 1;
    cinfo->scale_denom = 1;
    (void) jl.start_decompress(cinfo);
    if (cinfo->output_components != 1 || cinfo->output_width != cinfo->image_width ||
        cinfo->output_height != cinfo->image_height) {
        return libro_error_set(job->err, LIBRO_ERR_IMAGE, "jpeg: unexpected output layout");
    }
    rc = libro_image__new(&job->img, "jpeg", cinfo->output_width, cinfo->output_height, job->err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = job->img->pixels + (size_t) cinfo->output_scanline * cinfo->output_width;

        if (jl.read_scanlines(cinfo, &row, 1) != 1) {
            /* Only a suspending data source returns 0 lines; ours never suspends. */
            return libro_error_set(job->err, LIBRO_ERR_IMAGE, "jpeg: truncated file");
        }
    }
    /* Reads up to EOI, so a file cut after its last scanline is refused too. */
    (void) jl.finish_decompress(cinfo);
    return LIBRO_OK;
}

/* The setjmp frame; its one local is set before setjmp and never changed. */
static libro_code
run_decode(struct jpeg_job *job)
{
    if (setjmp(job->jump) != 0) {
        if (job->code == LIBRO_ERR_IMAGE) {
            return libro_error_set(job->err, LIBRO_ERR_IMAGE, "jpeg: %s", job->why);
        }
        return job->code; /* the message is already set */
    }
    return decode_body(job);
}

libro_code
libro_image__decode_jpeg(libro_image **out, const unsigned char *p, size_t len, libro_error *err)
{
    struct jpeg_job job;
    libro_code rc;

    *out = NULL;
    memset(&job, 0, sizeof job);
    rc = libro_dl__load(&jl_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    job.p = p;
    job.len = len;
    job.err = err;
    job.cinfo.err = jl.std_error(&job.mgr);
    job.mgr.error_exit = on_jpeg_error;
    job.mgr.emit_message = on_jpeg_message;
    rc = run_decode(&job);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = job.img;
    job.img = NULL; /* moved to caller */
out:
    /* Safe on a zeroed or half-created object (it checks cinfo.mem). */
    jl.destroy_decompress(&job.cinfo);
    libro_image_free(job.img);
    return rc;
}
