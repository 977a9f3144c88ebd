/* libro: file access with caps and the hygiene of signify: regular files only, O_NOFOLLOW
 * where asked, new files O_EXCL, atomic replacement through rename. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/crypto.h"
#include "libro/file.h"
#include "libro/util.h"

libro_code
libro_fd_read(libro_buf *out, int fd, size_t max, libro_error *err)
{
    unsigned char chunk[4096];
    size_t total = 0;
    size_t start_len = out->len;
    libro_code rc;

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = libro_error_set(err, LIBRO_ERR_IO, "read: %s", strerror(errno));
            goto out;
        }
        if (n == 0) {
            break;
        }
        if ((size_t) n > max - total) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "input exceeds %zu bytes", max);
            goto out;
        }
        total += (size_t) n;
        rc = libro_buf_append(out, chunk, (size_t) n, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = LIBRO_OK;
out:
    if (rc != LIBRO_OK && out->data != NULL) {
        /* Leave the caller's buffer as it was, and no partial secret behind. */
        libro_wipe(out->data + start_len, out->len - start_len);
        out->len = start_len;
        out->data[start_len] = '\0';
    }
    libro_wipe(chunk, sizeof chunk);
    return rc;
}

/* Open, check and read one path. `regular_only` refuses pipes and devices; `mode` (may be
 * NULL) receives the permission bits of the descriptor read. */
static libro_code
read_path(libro_buf *out, unsigned *mode, const char *path, size_t max, bool nofollow,
          bool regular_only, libro_error *err)
{
    struct stat st;
    int fd = -1;
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    bool special;
    libro_code rc;

    if (nofollow) {
        flags |= O_NOFOLLOW;
    }
    fd = open(path, flags);
    if (fd < 0) {
        if (errno == ELOOP && nofollow) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED, "%.200s: is a symbolic link", path);
        } else if (errno == ENOENT) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "%.200s: no such file", path);
        } else {
            rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
        }
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
        goto out;
    }
    special = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode);
    if (!S_ISREG(st.st_mode) && (regular_only || !special)) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: not a regular file", path);
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t) st.st_size > (uintmax_t) max) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "%.200s: larger than %zu bytes", path, max);
        goto out;
    }
    if (mode != NULL) {
        *mode = (unsigned) (st.st_mode & 07777);
    }
    rc = libro_fd_read(out, fd, max, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

libro_code
libro_file_read(libro_buf *out, const char *path, size_t max, bool nofollow, libro_error *err)
{
    if (strcmp(path, "-") == 0) {
        return libro_fd_read(out, STDIN_FILENO, max, err);
    }
    return read_path(out, NULL, path, max, nofollow, false, err);
}

void
libro_text_trim(const char **p, size_t *len)
{
    while (*len > 0 && strchr(" \t\r\n", (*p)[0]) != NULL) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && strchr(" \t\r\n", (*p)[*len - 1]) != NULL) {
        (*len)--;
    }
}

libro_code
libro_file_read_token(libro_buf *out, const char *path, size_t max, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    const char *p;
    size_t len;
    /* A little whitespace around a maximal token is allowed (a trailing newline at least). */
    libro_code rc = libro_file_read(&raw, path, max + 64, false, err);

    if (rc == LIBRO_OK) {
        p = (const char *) raw.data;
        len = raw.len;
        libro_text_trim(&p, &len);
        rc = libro_buf_append(out, p, len, err);
    }
    libro_buf_free(&raw);
    return rc;
}

libro_code
libro_file_read_regular(libro_buf *out, unsigned *mode, const char *path, size_t max,
                        libro_error *err)
{
    *mode = 0;
    return read_path(out, mode, path, max, true, true, err);
}

static libro_code
write_all(int fd, const void *data, size_t len, const char *path, libro_error *err)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return libro_error_set(err, LIBRO_ERR_IO, "%.200s: write: %s", path,
                                   n < 0 ? strerror(errno) : "no progress");
        }
        p += n;
        len -= (size_t) n;
    }
    if (fsync(fd) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: fsync: %s", path, strerror(errno));
    }
    return LIBRO_OK;
}

libro_code
libro_file_write_new(const char *path, const void *data, size_t len, unsigned mode,
                     libro_error *err)
{
    int fd;
    libro_code rc;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t) mode);
    if (fd < 0) {
        if (errno == EEXIST) {
            return libro_error_set(err, LIBRO_ERR_EXISTS, "%.200s: exists, not overwriting", path);
        }
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", path, strerror(errno));
    }
    /* Make the mode exactly what the caller asked for, whatever the umask: a key file must
     * be 0600 even under a permissive umask, and a public file readable under a strict one. */
    if (fchmod(fd, (mode_t) mode) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: chmod: %s", path, strerror(errno));
        goto out_unlink;
    }
    rc = write_all(fd, data, len, path, err);
    if (rc != LIBRO_OK) {
        goto out_unlink;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: close: %s", path, strerror(errno));
        goto out_unlink;
    }
    return LIBRO_OK;
out_unlink:
    if (fd >= 0) {
        close(fd);
    }
    unlink(path);
    return rc;
}

static libro_code
fsync_parent(const char *path, libro_error *err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n;
    int fd;
    int r;

    if (slash == NULL) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        n = slash == path ? 1 : (size_t) (slash - path);
        if (n >= sizeof dir) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "path too long");
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: %s", dir, strerror(errno));
    }
    r = fsync(fd);
    close(fd);
    if (r != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "%.200s: fsync: %s", dir, strerror(errno));
    }
    return LIBRO_OK;
}

libro_code
libro_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                        libro_error *err)
{
    char tmp[PATH_MAX];
    unsigned char rnd[8];
    int n;
    libro_code rc;

    rc = libro_random_bytes(rnd, sizeof rnd, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    n = snprintf(tmp, sizeof tmp, "%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1],
                 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    if (n < 0 || (size_t) n >= sizeof tmp) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "path too long");
    }
    rc = libro_file_write_new(tmp, data, len, mode, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (rename(tmp, path) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "%.200s: rename: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return fsync_parent(path, err);
}
