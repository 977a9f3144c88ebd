/* libro: a growable byte buffer owned by the caller. */
#ifndef LIBRO_BUF_H
#define LIBRO_BUF_H

#include "libro/error.h"

/** `data` is NULL or holds `len` bytes followed by a NUL (not counted), so text can be
 *  printed directly. Release with libro_buf_free(), which wipes the bytes. */
typedef struct libro_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
} libro_buf;

#define LIBRO_BUF_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/** Ensure room for `extra` more bytes (plus the trailing NUL). */
LIBRO_API LIBRO_NODISCARD libro_code libro_buf_reserve(libro_buf *b, size_t extra,
                                                       libro_error *err);
/** Append `len` bytes. */
LIBRO_API LIBRO_NODISCARD libro_code libro_buf_append(libro_buf *b, const void *p, size_t len,
                                                      libro_error *err);
/** Append a NUL-terminated string (without its NUL). */
LIBRO_API LIBRO_NODISCARD libro_code libro_buf_append_str(libro_buf *b, const char *s,
                                                          libro_error *err);
/** Append formatted text. */
LIBRO_API LIBRO_NODISCARD libro_code libro_buf_printf(libro_buf *b, libro_error *err,
                                                      const char *fmt, ...) LIBRO_PRINTF(3, 4);
/** Set len to 0, wiping the old contents; keeps the allocation. */
LIBRO_API void libro_buf_clear(libro_buf *b);
/** Wipe and release; `*b` becomes LIBRO_BUF_INIT. NULL is a no-op. */
LIBRO_API void libro_buf_free(libro_buf *b);
/** Take the bytes out of `b` (caller frees with libro_free); `b` becomes empty. */
LIBRO_API unsigned char *libro_buf_detach(libro_buf *b, size_t *len);

#endif
