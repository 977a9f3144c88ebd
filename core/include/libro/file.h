/* libro: bounded, careful file access. */
#ifndef LIBRO_FILE_H
#define LIBRO_FILE_H

#include "libro/buf.h"

/** Append the contents of `path` ("-" = standard input) to `out`, refusing more than `max`
 *  bytes (LIBRO_ERR_LIMIT). `path` may be a regular file, a pipe or a character device (so
 *  that /dev/stdin and <(...) work); directories and the like are refused. Symbolic links
 *  are refused when `nofollow` is true. On failure `out` is as it was before the call. */
LIBRO_API LIBRO_NODISCARD libro_code libro_file_read(libro_buf *out, const char *path, size_t max,
                                                     bool nofollow, libro_error *err);

/** Narrow p[0..*len) to the text between its surrounding whitespace (space, tab, CR, LF):
 *  *p and *len are moved in place. A token file ends with a newline; the token does not. */
LIBRO_API void libro_text_trim(const char **p, size_t *len);

/** Append the token in file `path` ("-" = standard input) to `out`, without the whitespace
 *  around it: a compact JWS of up to `max` bytes, with at most 64 bytes of whitespace around
 *  it (LIBRO_ERR_LIMIT past that). Codes of libro_file_read. */
LIBRO_API LIBRO_NODISCARD libro_code libro_file_read_token(libro_buf *out, const char *path,
                                                           size_t max, libro_error *err);

/** As libro_file_read with `nofollow`, for a file that must be regular (not a pipe or device;
 *  "-" is not accepted), also returning its permission bits in *mode. The bits come from the
 *  descriptor that was read, so a check on them is about the very bytes returned: a separate
 *  stat() of the path could see another file. */
LIBRO_API LIBRO_NODISCARD libro_code libro_file_read_regular(libro_buf *out, unsigned *mode,
                                                             const char *path, size_t max,
                                                             libro_error *err);

/** Append everything from descriptor `fd`, up to `max` bytes. On failure `out` is as it was
 *  before the call (what was read is wiped). */
LIBRO_API LIBRO_NODISCARD libro_code libro_fd_read(libro_buf *out, int fd, size_t max,
                                                   libro_error *err);

/** Create `path` exclusively (O_EXCL|O_NOFOLLOW, `mode`), write `len` bytes, fsync, close.
 *  LIBRO_ERR_EXISTS if it exists: a key file is never overwritten. On a write error the
 *  partial file is removed. */
LIBRO_API LIBRO_NODISCARD libro_code libro_file_write_new(const char *path, const void *data,
                                                          size_t len, unsigned mode,
                                                          libro_error *err);

/** Replace `path` atomically: write a temporary file beside it, fsync, rename, fsync dir. */
LIBRO_API LIBRO_NODISCARD libro_code libro_file_write_atomic(const char *path, const void *data,
                                                             size_t len, unsigned mode,
                                                             libro_error *err);

#endif
