/* libro: error codes and the caller-owned error record (style.md §4). */
#ifndef LIBRO_ERROR_H
#define LIBRO_ERROR_H

#include "libro/common.h"

/** Every fallible libro function returns one of these; LIBRO_OK is 0, failures are negative. */
typedef enum libro_code {
    LIBRO_OK = 0,
    LIBRO_ERR_NOMEM = -1,         /* allocation failed */
    LIBRO_ERR_INVALID_ARG = -2,   /* caller misuse (NULL where not allowed, bad option) */
    LIBRO_ERR_IO = -3,            /* file or stream error */
    LIBRO_ERR_LIMIT = -4,         /* input exceeds a cap of limits.h */
    LIBRO_ERR_PARSE = -5,         /* malformed structure (JSON, JWS, PEM) */
    LIBRO_ERR_CRYPTO = -6,        /* the crypto library failed for an internal reason */
    LIBRO_ERR_BAD_SIGNATURE = -7, /* a signature does not verify */
    LIBRO_ERR_NOT_YET_VALID = -8,
    LIBRO_ERR_EXPIRED = -9,
    LIBRO_ERR_REVOKED = -10,
    LIBRO_ERR_NOT_FOUND = -11,
    LIBRO_ERR_NETWORK = -12,
    LIBRO_ERR_DENIED = -13,      /* permission refused (file mode, unauthorized key) */
    LIBRO_ERR_ENCODING = -14,    /* bad base64url / base45 / base58 text */
    LIBRO_ERR_UNSUPPORTED = -15, /* an algorithm, key type or header we refuse by policy */
    LIBRO_ERR_BAD_KEY = -16,     /* a key that is malformed, weak or of the wrong type */
    LIBRO_ERR_EXISTS = -17,      /* refusing to overwrite an existing file */
    LIBRO_ERR_PASSPHRASE = -18,  /* passphrase missing or wrong */
    LIBRO_ERR_TIME = -19,        /* invalid date or time value */
    LIBRO_ERR_UNTRUSTED = -20,   /* no chain to a trusted anchor, or a chain rule broken */
    LIBRO_ERR_NO_QR = -21,       /* no libro QR code found in an image */
    LIBRO_ERR_IMAGE = -22,       /* an image that cannot be read (corrupt, unsupported, huge) */
    LIBRO_ERR_SCHEMA = -23,      /* a credential that does not match its schema */
    LIBRO_ERR_PROOF = -24,       /* a Merkle proof that does not verify: a log that forked */
    LIBRO_ERR_ROLLBACK = -25,    /* data older than what is already held (a replayed bundle) */
    LIBRO_ERR_CORRUPT = -26,     /* stored data that disagrees with itself (a damaged log) */
    LIBRO_ERR_BUSY = -27,        /* storage locked by another writer past the wait: try again */
    LIBRO_ERR_FULL = -28,        /* storage full (disk, quota, file size limit): nothing written */
    LIBRO_ERR_READONLY = -29,    /* storage that cannot be written (file mode, read-only mount or
                                    opened read-only on purpose) */
    LIBRO_ERR_MISSING_LIBRARY = -30, /* a library loaded on demand (zbar, libpng, libjpeg,
                                        libcurl) is not installed: the message names its package */
    LIBRO_ERR_CONFLICT = -31,        /* the database refused a transaction for a concurrent one
                                        (serialization failure, deadlock): run it again */
    LIBRO_ERR_UNAVAILABLE = -32,     /* the database cannot be reached (connection lost, server
                                        down or restarting): try later */
} libro_code;

#define LIBRO_ERROR_MSG_MAX 256

/** Filled by a failing call; owned by the caller (usually on the stack). Never allocates. */
typedef struct libro_error {
    libro_code code;
    char msg[LIBRO_ERROR_MSG_MAX]; /* one line, always NUL-terminated */
} libro_error;

#define LIBRO_ERROR_INIT                                                                           \
    {                                                                                              \
        LIBRO_OK,                                                                                  \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/** Record `code` and a formatted message in `err` (which may be NULL) and return `code`.
 *  Messages are one lowercase line; untrusted text only through a bounded "%.64s". */
LIBRO_API libro_code libro_error_set(libro_error *err, libro_code code, const char *fmt, ...)
    LIBRO_PRINTF(3, 4);

/** Prefix the message already in `err` with "prefix: " (truncating). NULL is a no-op. Returns
 *  nothing on purpose: with a NULL `err` there is no code to return, and a LIBRO_OK would turn
 *  a failure into success at a `return libro_error_prefix(...)`. */
LIBRO_API void libro_error_prefix(libro_error *err, const char *prefix);

/** Reset `err` to LIBRO_OK with an empty message. NULL is a no-op. */
LIBRO_API void libro_error_clear(libro_error *err);

/** Stable lowercase name of a code ("bad_signature"), for --json output. Never NULL. */
LIBRO_API const char *libro_code_name(libro_code code);

#endif
