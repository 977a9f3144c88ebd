#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/encoding.h"
#include "libro/file.h"
#include "test_util.h"

static const char *skipped;

/* Where the standards vectors are looked for: $LIBRO_VECTORS_DIR, else ../shared/vectors. */
static const char *
vectors_dir_wanted(void)
{
    const char *env = getenv("LIBRO_VECTORS_DIR");

    return env != NULL && env[0] != '\0' ? env : LIBRO_SHARED_VECTORS;
}

const char *
libro_test_vectors_dir(void)
{
    const char *dir = vectors_dir_wanted();
    struct stat st;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return NULL;
    }
    return dir;
}

const char *
libro_test_data_dir(void)
{
    return LIBRO_TEST_DATA;
}

void
libro_test_skip(const char *what)
{
    fprintf(stderr,
            "\n*** SKIPPED: %s: standards vectors not found (looked in %s; set "
            "LIBRO_VECTORS_DIR) ***\n\n",
            what, vectors_dir_wanted());
    skipped = what;
}

const char *
libro_test_skipped_reason(void)
{
    return skipped;
}

void
libro_test_read(libro_buf *out, const char *dir, const char *name)
{
    char path[4096];
    libro_error err = LIBRO_ERROR_INIT;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);

    ck_assert_msg(n > 0 && (size_t) n < sizeof path, "path too long");
    ck_assert_msg(libro_file_read(out, path, 64u << 20, false, &err) == LIBRO_OK, "%s: %s", path,
                  err.msg);
}

void
libro_test_hex(libro_buf *out, const char *hex)
{
    libro_error err = LIBRO_ERROR_INIT;

    ck_assert_msg(libro_hex_decode(out, hex, strlen(hex), &err) == LIBRO_OK, "hex: %s", err.msg);
}

void
libro_test_assert_code(libro_code rc, libro_code want, const libro_error *err, const char *msg_part,
                       const char *file, int line)
{
    ck_assert_msg(rc == want, "%s:%d: got %s (%d) \"%s\", want %s (%d)", file, line,
                  libro_code_name(rc), rc, err != NULL ? err->msg : "", libro_code_name(want),
                  want);
    if (msg_part != NULL && err != NULL) {
        ck_assert_msg(strstr(err->msg, msg_part) != NULL, "%s:%d: message \"%s\" lacks \"%s\"",
                      file, line, err->msg, msg_part);
    }
}

void
libro_test_rm_rf(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    char sub[512];

    if (lstat(path, &st) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        d = opendir(path);
        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            ck_assert_int_lt(snprintf(sub, sizeof sub, "%s/%s", path, de->d_name),
                             (int) sizeof sub);
            libro_test_rm_rf(sub);
        }
        closedir(d);
        ck_assert_int_eq(rmdir(path), 0);
    } else {
        ck_assert_int_eq(unlink(path), 0);
    }
}
