/* libro: growable byte buffer. Contents are wiped on clear and free, so a buffer may hold a
 * PEM or a signature input without leaving copies behind in freed memory. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libro/buf.h"
#include "libro/util.h"

libro_code
libro_buf_reserve(libro_buf *b, size_t extra, libro_error *err)
{
    size_t need;
    size_t cap;
    unsigned char *grown;

    if (b == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "buffer is NULL");
    }
    if (extra > SIZE_MAX - b->len - 1) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "buffer size overflow");
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return LIBRO_OK;
    }
    cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    /* Grow by copy, not realloc: realloc may leave the old bytes in freed memory. */
    grown = libro_malloc(cap);
    if (grown == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    if (b->data != NULL) {
        memcpy(grown, b->data, b->len);
        libro_secret_free(b->data, b->cap);
    }
    grown[b->len] = '\0';
    b->data = grown;
    b->cap = cap;
    return LIBRO_OK;
}

libro_code
libro_buf_append(libro_buf *b, const void *p, size_t len, libro_error *err)
{
    libro_code rc = libro_buf_reserve(b, len, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (len > 0) {
        memcpy(b->data + b->len, p, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_buf_append_str(libro_buf *b, const char *s, libro_error *err)
{
    return libro_buf_append(b, s, strlen(s), err);
}

libro_code
libro_buf_printf(libro_buf *b, libro_error *err, const char *fmt, ...)
{
    va_list ap;
    int n;
    libro_code rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "bad format");
    }
    rc = libro_buf_reserve(b, (size_t) n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    va_start(ap, fmt);
    n = vsnprintf((char *) b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= b->cap - b->len) {
        b->data[b->len] = '\0';
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "bad format");
    }
    b->len += (size_t) n;
    return LIBRO_OK;
}

void
libro_buf_clear(libro_buf *b)
{
    if (b == NULL || b->data == NULL) {
        return;
    }
    libro_wipe(b->data, b->cap);
    b->len = 0;
}

void
libro_buf_free(libro_buf *b)
{
    if (b == NULL) {
        return;
    }
    libro_secret_free(b->data, b->cap);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

unsigned char *
libro_buf_detach(libro_buf *b, size_t *len)
{
    unsigned char *data = b->data;

    if (len != NULL) {
        *len = b->len;
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return data;
}
