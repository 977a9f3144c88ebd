/* libro: the error record. Setting it never allocates (style.md §4). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libro/error.h"

libro_code
libro_error_set(libro_error *err, libro_code code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    err->code = code;
    va_start(ap, fmt);
    if (vsnprintf(err->msg, sizeof err->msg, fmt, ap) < 0) {
        err->msg[0] = '\0';
    }
    va_end(ap);
    return code;
}

void
libro_error_prefix(libro_error *err, const char *prefix)
{
    char old[LIBRO_ERROR_MSG_MAX];

    if (err == NULL) {
        return;
    }
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    if (snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old) < 0) {
        err->msg[0] = '\0';
    }
}

void
libro_error_clear(libro_error *err)
{
    if (err != NULL) {
        err->code = LIBRO_OK;
        err->msg[0] = '\0';
    }
}

const char *
libro_code_name(libro_code code)
{
    switch (code) {
    case LIBRO_OK:
        return "ok";
    case LIBRO_ERR_NOMEM:
        return "out_of_memory";
    case LIBRO_ERR_INVALID_ARG:
        return "invalid_argument";
    case LIBRO_ERR_IO:
        return "io";
    case LIBRO_ERR_LIMIT:
        return "too_large";
    case LIBRO_ERR_PARSE:
        return "malformed";
    case LIBRO_ERR_CRYPTO:
        return "crypto";
    case LIBRO_ERR_BAD_SIGNATURE:
        return "bad_signature";
    case LIBRO_ERR_NOT_YET_VALID:
        return "not_yet_valid";
    case LIBRO_ERR_EXPIRED:
        return "expired";
    case LIBRO_ERR_REVOKED:
        return "revoked";
    case LIBRO_ERR_NOT_FOUND:
        return "not_found";
    case LIBRO_ERR_NETWORK:
        return "network";
    case LIBRO_ERR_DENIED:
        return "denied";
    case LIBRO_ERR_ENCODING:
        return "bad_encoding";
    case LIBRO_ERR_UNSUPPORTED:
        return "unsupported";
    case LIBRO_ERR_BAD_KEY:
        return "bad_key";
    case LIBRO_ERR_EXISTS:
        return "exists";
    case LIBRO_ERR_PASSPHRASE:
        return "passphrase";
    case LIBRO_ERR_TIME:
        return "bad_time";
    case LIBRO_ERR_UNTRUSTED:
        return "untrusted";
    case LIBRO_ERR_NO_QR:
        return "no_qr_code";
    case LIBRO_ERR_IMAGE:
        return "bad_image";
    case LIBRO_ERR_SCHEMA:
        return "schema";
    case LIBRO_ERR_PROOF:
        return "bad_proof";
    case LIBRO_ERR_ROLLBACK:
        return "rollback";
    case LIBRO_ERR_CORRUPT:
        return "corrupt";
    case LIBRO_ERR_BUSY:
        return "busy";
    case LIBRO_ERR_FULL:
        return "storage_full";
    case LIBRO_ERR_READONLY:
        return "read_only";
    case LIBRO_ERR_MISSING_LIBRARY:
        return "missing_library";
    case LIBRO_ERR_CONFLICT:
        return "conflict";
    case LIBRO_ERR_UNAVAILABLE:
        return "unavailable";
    }
    return "unknown";
}
