/* Suite for the core utilities: libro_buf, libro_parse_u64, the error record and code names,
 * and the careful file functions (caps, symlinks, modes, atomic replace). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/buf.h"
#include "libro/error.h"
#include "libro/file.h"
#include "libro/util.h"
#include "test_util.h"

/* ---- libro_buf ---- */

START_TEST(test_buf_append)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    char big[1000];

    LIBRO_ASSERT_CODE(libro_buf_append(&b, "ab", 2, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_buf_append_str(&b, "cd", &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_buf_append(&b, NULL, 0, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 4);
    ck_assert_str_eq((const char *) b.data, "abcd");
    /* Growth keeps the contents and the trailing NUL. */
    memset(big, 'x', sizeof big);
    LIBRO_ASSERT_CODE(libro_buf_append(&b, big, sizeof big, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 1004);
    ck_assert_uint_ge(b.cap, 1005);
    ck_assert_mem_eq(b.data, "abcdxx", 6);
    ck_assert_uint_eq(b.data[1004], '\0');
    libro_buf_clear(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_uint_eq(b.data[0], '\0');
    libro_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_printf)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    int i;

    LIBRO_ASSERT_CODE(libro_buf_printf(&b, &err, "%s=%d", "n", 42), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) b.data, "n=42");
    /* Past the first 64-byte allocation. */
    for (i = 0; i < 20; i++) {
        LIBRO_ASSERT_CODE(libro_buf_printf(&b, &err, ",%08x", (unsigned) i), LIBRO_OK, &err, NULL);
    }
    ck_assert_uint_eq(b.len, 4 + 20 * 9);
    ck_assert_uint_eq(strlen((const char *) b.data), b.len);
    ck_assert_str_eq((const char *) b.data + b.len - 9, ",00000013");
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reserve)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_buf_reserve(&b, 0, &err), LIBRO_OK, &err, NULL);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_uint_ge(b.cap, 1);
    LIBRO_ASSERT_CODE(libro_buf_reserve(&b, 100, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_ge(b.cap, 101);
    /* len + extra + 1 would wrap around: refused before any allocation. */
    LIBRO_ASSERT_CODE(libro_buf_reserve(&b, SIZE_MAX, &err), LIBRO_ERR_LIMIT, &err,
                      "buffer size overflow");
    ck_assert_int_eq(libro_buf_append(&b, "abc", 3, &err), LIBRO_OK);
    LIBRO_ASSERT_CODE(libro_buf_reserve(&b, SIZE_MAX - 3, &err), LIBRO_ERR_LIMIT, &err,
                      "buffer size overflow");
    LIBRO_ASSERT_CODE(libro_buf_append(&b, "x", SIZE_MAX - 3, &err), LIBRO_ERR_LIMIT, &err,
                      "buffer size overflow");
    ck_assert_uint_eq(b.len, 3);
    LIBRO_ASSERT_CODE(libro_buf_reserve(NULL, 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "buffer is NULL");
    LIBRO_ASSERT_CODE(libro_buf_append(NULL, "a", 1, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "buffer is NULL");
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_buf_detach_and_free)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char *p;
    size_t len = 99;

    /* Detaching an empty buffer gives NULL and length 0. */
    ck_assert_ptr_null(libro_buf_detach(&b, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(libro_buf_append_str(&b, "secret", &err), LIBRO_OK);
    p = libro_buf_detach(&b, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq((const char *) p, "secret");
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    libro_free(p);
    /* A NULL length is allowed. */
    ck_assert_int_eq(libro_buf_append_str(&b, "x", &err), LIBRO_OK);
    p = libro_buf_detach(&b, NULL);
    libro_free(p);
    /* Free and clear accept NULL and empty buffers, and free twice is harmless. */
    libro_buf_free(NULL);
    libro_buf_clear(NULL);
    libro_buf_clear(&b);
    libro_buf_free(&b);
    libro_buf_free(&b);
    libro_free(NULL);
}
END_TEST

START_TEST(test_buf_oom)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    char big[201];

    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(libro_buf_append_str(&b, "kept", &err), LIBRO_OK);
    libro__alloc_fail_after(1);
    LIBRO_ASSERT_CODE(libro_buf_append(&b, big, sizeof big - 1, &err), LIBRO_ERR_NOMEM, &err,
                      "out of memory");
    libro__alloc_fail_after(0);
    /* The failed growth left the buffer as it was. */
    ck_assert_uint_eq(b.len, 4);
    ck_assert_str_eq((const char *) b.data, "kept");
    libro__alloc_fail_after(1);
    LIBRO_ASSERT_CODE(libro_buf_printf(&b, &err, "%s", big), LIBRO_ERR_NOMEM, &err,
                      "out of memory");
    libro__alloc_fail_after(0);
    ck_assert_str_eq((const char *) b.data, "kept");
    libro_buf_free(&b);
}
END_TEST

/* ---- libro_parse_u64 ---- */

static const struct {
    const char *text;
    uint64_t max;
    libro_code want;
    uint64_t value;
    const char *msg;
} numbers[] = {
    {"", UINT64_MAX, LIBRO_ERR_PARSE, 0, "number is empty"},
    {"0", UINT64_MAX, LIBRO_OK, 0, NULL},
    {"0", 0, LIBRO_OK, 0, NULL},
    {"1", 0, LIBRO_ERR_LIMIT, 0, "number exceeds 0"},
    {"7", UINT64_MAX, LIBRO_OK, 7, NULL},
    {"00", UINT64_MAX, LIBRO_ERR_PARSE, 0, "number has a leading zero"},
    {"01", UINT64_MAX, LIBRO_ERR_PARSE, 0, "number has a leading zero"},
    {"12a", UINT64_MAX, LIBRO_ERR_PARSE, 0, "number has a non-digit at offset 2"},
    {"-1", UINT64_MAX, LIBRO_ERR_PARSE, 0, "non-digit at offset 0"},
    {"+1", UINT64_MAX, LIBRO_ERR_PARSE, 0, "non-digit at offset 0"},
    {" 1", UINT64_MAX, LIBRO_ERR_PARSE, 0, "non-digit at offset 0"},
    {"1 ", UINT64_MAX, LIBRO_ERR_PARSE, 0, "non-digit at offset 1"},
    {"1e3", UINT64_MAX, LIBRO_ERR_PARSE, 0, "non-digit at offset 1"},
    {"0x10", UINT64_MAX, LIBRO_ERR_PARSE, 0, "leading zero"},
    {"100", 100, LIBRO_OK, 100, NULL},
    {"101", 100, LIBRO_ERR_LIMIT, 0, "number exceeds 100"},
    {"1000", 100, LIBRO_ERR_LIMIT, 0, "number exceeds 100"},
    {"18446744073709551615", UINT64_MAX, LIBRO_OK, UINT64_MAX, NULL},
    {"18446744073709551616", UINT64_MAX, LIBRO_ERR_LIMIT, 0, "number exceeds 18446744073709551615"},
    {"18446744073709551620", UINT64_MAX, LIBRO_ERR_LIMIT, 0, "number exceeds"},
    {"99999999999999999999", UINT64_MAX, LIBRO_ERR_LIMIT, 0, "number exceeds"},
    {"184467440737095516150", UINT64_MAX, LIBRO_ERR_LIMIT, 0, "number exceeds"},
    {"18446744073709551614", UINT64_MAX - 1, LIBRO_OK, UINT64_MAX - 1, NULL},
    {"18446744073709551615", UINT64_MAX - 1, LIBRO_ERR_LIMIT, 0, "number exceeds"},
    {"9223372036854775807", INT64_MAX, LIBRO_OK, INT64_MAX, NULL},
    {"9223372036854775808", INT64_MAX, LIBRO_ERR_LIMIT, 0, "number exceeds 9223372036854775807"},
};

START_TEST(test_parse_u64)
{
    uint64_t v = 12345;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc =
        libro_parse_u64(&v, numbers[_i].text, strlen(numbers[_i].text), numbers[_i].max, &err);

    ck_assert_msg(rc == numbers[_i].want, "\"%s\" max %llu: got %s \"%s\"", numbers[_i].text,
                  (unsigned long long) numbers[_i].max, libro_code_name(rc), err.msg);
    LIBRO_ASSERT_CODE(rc, numbers[_i].want, &err, numbers[_i].msg);
    ck_assert_msg(v == numbers[_i].value, "\"%s\": got %llu", numbers[_i].text,
                  (unsigned long long) v);
}
END_TEST

START_TEST(test_parse_u64_not_nul_terminated)
{
    uint64_t v = 0;
    libro_error err = LIBRO_ERROR_INIT;

    /* Only len bytes are read: "12" of "123". */
    LIBRO_ASSERT_CODE(libro_parse_u64(&v, "123", 2, UINT64_MAX, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(v, 12);
}
END_TEST

/* ---- libro_error ---- */

START_TEST(test_error_set)
{
    libro_error err = LIBRO_ERROR_INIT;
    char long_text[600];
    size_t i;

    ck_assert_int_eq(libro_error_set(&err, LIBRO_ERR_PARSE, "bad %s at %d", "thing", 7),
                     LIBRO_ERR_PARSE);
    ck_assert_int_eq(err.code, LIBRO_ERR_PARSE);
    ck_assert_str_eq(err.msg, "bad thing at 7");
    /* A NULL record is allowed and still returns the code. */
    ck_assert_int_eq(libro_error_set(NULL, LIBRO_ERR_IO, "x"), LIBRO_ERR_IO);
    /* Long messages are truncated and stay NUL-terminated. */
    for (i = 0; i < sizeof long_text - 1; i++) {
        long_text[i] = (char) ('a' + i % 26);
    }
    long_text[sizeof long_text - 1] = '\0';
    libro_error_set(&err, LIBRO_ERR_LIMIT, "%s", long_text);
    ck_assert_uint_eq(strlen(err.msg), LIBRO_ERROR_MSG_MAX - 1);
    ck_assert_mem_eq(err.msg, long_text, LIBRO_ERROR_MSG_MAX - 1);
    libro_error_clear(&err);
    ck_assert_int_eq(err.code, LIBRO_OK);
    ck_assert_str_eq(err.msg, "");
    libro_error_clear(NULL);
}
END_TEST

START_TEST(test_error_prefix)
{
    libro_error err = LIBRO_ERROR_INIT;
    char long_prefix[300];

    libro_error_set(&err, LIBRO_ERR_NOT_FOUND, "no such file");
    libro_error_prefix(&err, "key.pem");
    ck_assert_int_eq(err.code, LIBRO_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, "key.pem: no such file");
    libro_error_prefix(&err, "load");
    ck_assert_int_eq(err.code, LIBRO_ERR_NOT_FOUND);
    ck_assert_str_eq(err.msg, "load: key.pem: no such file");
    /* A prefix longer than the record truncates, still NUL-terminated. */
    memset(long_prefix, 'p', sizeof long_prefix - 1);
    long_prefix[sizeof long_prefix - 1] = '\0';
    libro_error_prefix(&err, long_prefix);
    ck_assert_int_eq(err.code, LIBRO_ERR_NOT_FOUND);
    ck_assert_uint_eq(strlen(err.msg), LIBRO_ERROR_MSG_MAX - 1);
    ck_assert_mem_eq(err.msg, long_prefix, LIBRO_ERROR_MSG_MAX - 1);
    /* A long message behind a short prefix keeps its start. */
    memset(long_prefix, 'm', sizeof long_prefix - 1);
    libro_error_set(&err, LIBRO_ERR_IO, "%s", long_prefix);
    libro_error_prefix(&err, "f");
    ck_assert_int_eq(err.code, LIBRO_ERR_IO);
    ck_assert_uint_eq(strlen(err.msg), LIBRO_ERROR_MSG_MAX - 1);
    ck_assert_mem_eq(err.msg, "f: mmm", 6);
    libro_error_prefix(NULL, "no record"); /* a no-op, not a crash */
}
END_TEST

static const struct {
    libro_code code;
    const char *name;
} code_names[] = {
    {LIBRO_OK, "ok"},
    {LIBRO_ERR_NOMEM, "out_of_memory"},
    {LIBRO_ERR_INVALID_ARG, "invalid_argument"},
    {LIBRO_ERR_IO, "io"},
    {LIBRO_ERR_LIMIT, "too_large"},
    {LIBRO_ERR_PARSE, "malformed"},
    {LIBRO_ERR_CRYPTO, "crypto"},
    {LIBRO_ERR_BAD_SIGNATURE, "bad_signature"},
    {LIBRO_ERR_NOT_YET_VALID, "not_yet_valid"},
    {LIBRO_ERR_EXPIRED, "expired"},
    {LIBRO_ERR_REVOKED, "revoked"},
    {LIBRO_ERR_NOT_FOUND, "not_found"},
    {LIBRO_ERR_NETWORK, "network"},
    {LIBRO_ERR_DENIED, "denied"},
    {LIBRO_ERR_ENCODING, "bad_encoding"},
    {LIBRO_ERR_UNSUPPORTED, "unsupported"},
    {LIBRO_ERR_BAD_KEY, "bad_key"},
    {LIBRO_ERR_EXISTS, "exists"},
    {LIBRO_ERR_PASSPHRASE, "passphrase"},
    {LIBRO_ERR_TIME, "bad_time"},
    {LIBRO_ERR_UNTRUSTED, "untrusted"},
    {LIBRO_ERR_NO_QR, "no_qr_code"},
    {LIBRO_ERR_IMAGE, "bad_image"},
    {LIBRO_ERR_SCHEMA, "schema"},
    {LIBRO_ERR_PROOF, "bad_proof"},
    {LIBRO_ERR_ROLLBACK, "rollback"},
    {LIBRO_ERR_CORRUPT, "corrupt"},
    {LIBRO_ERR_BUSY, "busy"},
    {LIBRO_ERR_FULL, "storage_full"},
    {LIBRO_ERR_READONLY, "read_only"},
    {LIBRO_ERR_MISSING_LIBRARY, "missing_library"},
    {LIBRO_ERR_CONFLICT, "conflict"},
    {LIBRO_ERR_UNAVAILABLE, "unavailable"},
};

START_TEST(test_code_names)
{
    size_t i;
    size_t j;

    for (i = 0; i < LIBRO_NELEM(code_names); i++) {
        ck_assert_str_eq(libro_code_name(code_names[i].code), code_names[i].name);
        /* Names are stable API for --json: unique, lowercase, no spaces. */
        for (j = 0; code_names[i].name[j] != '\0'; j++) {
            char c = code_names[i].name[j];

            ck_assert((c >= 'a' && c <= 'z') || c == '_');
        }
        for (j = i + 1; j < LIBRO_NELEM(code_names); j++) {
            ck_assert_str_ne(code_names[i].name, code_names[j].name);
        }
    }
    /* The table above covers every code from LIBRO_OK down to the last one. */
    for (i = 0; i < LIBRO_NELEM(code_names); i++) {
        ck_assert_int_eq(code_names[i].code, -(int) i);
    }
    ck_assert_str_eq(libro_code_name((libro_code) 1), "unknown");
    ck_assert_str_eq(libro_code_name((libro_code) (-(int) LIBRO_NELEM(code_names))), "unknown");
}
END_TEST

/* ---- files ---- */

static char tmpdir[64];

static void
tmpdir_setup(void)
{
    static const char template[] = "/tmp/libro-check-util-XXXXXX";

    memcpy(tmpdir, template, sizeof template);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Removes the directory's entries (one level: the tests make no deeper ones). */
static void
tmpdir_teardown(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;

    if (d == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno == EISDIR) {
            (void) unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
        }
    }
    closedir(d);
    (void) rmdir(tmpdir);
}

static const char *
tmp_path(char *out, size_t size, const char *name)
{
    int n = snprintf(out, size, "%s/%s", tmpdir, name);

    ck_assert(n > 0 && (size_t) n < size);
    return out;
}

static void
make_file(const char *path, size_t len)
{
    FILE *f = fopen(path, "wb");
    size_t i;

    ck_assert_ptr_nonnull(f);
    for (i = 0; i < len; i++) {
        ck_assert_int_ne(fputc('a' + (int) (i % 26), f), EOF);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static unsigned
file_mode(const char *path)
{
    struct stat st;

    ck_assert_int_eq(lstat(path, &st), 0);
    return (unsigned) (st.st_mode & 07777);
}

START_TEST(test_file_read_cap)
{
    char path[PATH_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    tmp_path(path, sizeof path, "data");
    make_file(path, 5000);
    /* At the cap. */
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 5000, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 5000);
    ck_assert_mem_eq(b.data, "abcdef", 6);
    ck_assert_uint_eq(b.data[4999], 'a' + 4999 % 26);
    libro_buf_free(&b);
    /* One byte past it. */
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 4999, true, &err), LIBRO_ERR_LIMIT, &err,
                      "larger than 4999 bytes");
    ck_assert_uint_eq(b.len, 0);
    libro_buf_free(&b);
    /* Empty file. */
    tmp_path(path, sizeof path, "empty");
    make_file(path, 0);
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 0, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 0);
    libro_buf_free(&b);
}
END_TEST

/* A token file: the token without the whitespace around it, whitespace-only and empty files,
 * and the cap: the token's bytes plus at most 64 of whitespace. */
START_TEST(test_file_read_token)
{
    static const struct {
        const char *name, *text;
        size_t max;
        libro_code want;
        const char *token;
    } cases[] = {
        {"newline", "e30.e30.sig\n", 11, LIBRO_OK, "e30.e30.sig"},
        {"around", " \t\r\ne30.e30.sig \r\n", 11, LIBRO_OK, "e30.e30.sig"},
        {"inside kept", "a b\n", 3, LIBRO_OK, "a b"},
        {"only whitespace", " \n\t", 0, LIBRO_OK, ""},
        {"empty", "", 0, LIBRO_OK, ""},
    };
    char path[PATH_MAX];
    size_t i;

    for (i = 0; i < LIBRO_NELEM(cases); i++) {
        libro_buf b = LIBRO_BUF_INIT;
        libro_error err = LIBRO_ERROR_INIT;
        char name[32];

        ck_assert_int_gt(snprintf(name, sizeof name, "token%zu", i), 0);
        tmp_path(path, sizeof path, name);
        LIBRO_ASSERT_CODE(
            libro_file_write_new(path, cases[i].text, strlen(cases[i].text), 0600, &err), LIBRO_OK,
            &err, NULL);
        LIBRO_ASSERT_CODE(libro_file_read_token(&b, path, cases[i].max, &err), cases[i].want, &err,
                          NULL);
        ck_assert_msg(b.len == strlen(cases[i].token), "%s: %zu bytes", cases[i].name, b.len);
        ck_assert(b.len == 0 || memcmp(b.data, cases[i].token, b.len) == 0);
        libro_buf_free(&b);
    }
    /* At the cap with all 64 bytes of slack, then one byte past it. */
    {
        libro_buf b = LIBRO_BUF_INIT;
        libro_error err = LIBRO_ERROR_INIT;

        tmp_path(path, sizeof path, "at-cap");
        make_file(path, 10 + 64);
        LIBRO_ASSERT_CODE(libro_file_read_token(&b, path, 10, &err), LIBRO_OK, &err, NULL);
        ck_assert_uint_eq(b.len, 74);
        libro_buf_free(&b);
        tmp_path(path, sizeof path, "past-cap");
        make_file(path, 10 + 64 + 1);
        LIBRO_ASSERT_CODE(libro_file_read_token(&b, path, 10, &err), LIBRO_ERR_LIMIT, &err,
                          "larger than 74 bytes");
        ck_assert_uint_eq(b.len, 0);
    }
}
END_TEST

START_TEST(test_fd_read_cap)
{
    int fds[2];
    char chunk[3000];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    /* A pipe has no size up front, so the cap is enforced while reading. */
    memset(chunk, 'p', sizeof chunk);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], chunk, sizeof chunk), (ssize_t) sizeof chunk);
    ck_assert_int_eq(close(fds[1]), 0);
    LIBRO_ASSERT_CODE(libro_fd_read(&b, fds[0], sizeof chunk, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, sizeof chunk);
    ck_assert_int_eq(close(fds[0]), 0);
    libro_buf_free(&b);

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], chunk, sizeof chunk), (ssize_t) sizeof chunk);
    ck_assert_int_eq(close(fds[1]), 0);
    /* What the buffer held before survives a failed read, and nothing read is left in it. */
    ck_assert_int_eq(libro_buf_append_str(&b, "keep", &err), LIBRO_OK);
    LIBRO_ASSERT_CODE(libro_fd_read(&b, fds[0], sizeof chunk - 1, &err), LIBRO_ERR_LIMIT, &err,
                      "input exceeds 2999 bytes");
    ck_assert_uint_eq(b.len, 4);
    ck_assert_str_eq((const char *) b.data, "keep");
    ck_assert_int_eq(close(fds[0]), 0);
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_file_read_refusals)
{
    char path[PATH_MAX];
    char link[PATH_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    tmp_path(path, sizeof path, "missing");
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 100, true, &err), LIBRO_ERR_NOT_FOUND, &err,
                      "missing: no such file");
    /* A symbolic link is refused with nofollow, and followed without it. */
    tmp_path(path, sizeof path, "target");
    make_file(path, 10);
    tmp_path(link, sizeof link, "link");
    ck_assert_int_eq(symlink(path, link), 0);
    LIBRO_ASSERT_CODE(libro_file_read(&b, link, 100, true, &err), LIBRO_ERR_DENIED, &err,
                      "link: is a symbolic link");
    ck_assert_uint_eq(b.len, 0);
    LIBRO_ASSERT_CODE(libro_file_read(&b, link, 100, false, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 10);
    libro_buf_free(&b);
    /* A directory is not a file. */
    LIBRO_ASSERT_CODE(libro_file_read(&b, tmpdir, 100, true, &err), LIBRO_ERR_IO, &err,
                      "not a regular file");
    ck_assert_uint_eq(b.len, 0);
    libro_buf_free(&b);
}
END_TEST

START_TEST(test_file_write_new)
{
    char path[PATH_MAX];
    char link[PATH_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    tmp_path(path, sizeof path, "key.pem");
    LIBRO_ASSERT_CODE(libro_file_write_new(path, "private", 7, 0600, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(file_mode(path), 0600);
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 100, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 7);
    ck_assert_mem_eq(b.data, "private", 7);
    libro_buf_free(&b);
    /* Never overwritten. */
    LIBRO_ASSERT_CODE(libro_file_write_new(path, "other", 5, 0600, &err), LIBRO_ERR_EXISTS, &err,
                      "key.pem: exists, not overwriting");
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 100, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_mem_eq(b.data, "private", 7);
    libro_buf_free(&b);
    /* Not even through a dangling symbolic link, whose target must not appear. */
    tmp_path(path, sizeof path, "elsewhere");
    tmp_path(link, sizeof link, "dangling");
    ck_assert_int_eq(symlink(path, link), 0);
    LIBRO_ASSERT_CODE(libro_file_write_new(link, "x", 1, 0600, &err), LIBRO_ERR_EXISTS, &err,
                      "exists, not overwriting");
    ck_assert_int_eq(access(path, F_OK), -1);
    /* A mode stricter than the umask is exact. */
    tmp_path(path, sizeof path, "owner-read-only");
    LIBRO_ASSERT_CODE(libro_file_write_new(path, "", 0, 0400, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(file_mode(path), 0400);
    /* A missing directory is an I/O error. */
    tmp_path(path, sizeof path, "no-such-dir/key.pem");
    LIBRO_ASSERT_CODE(libro_file_write_new(path, "x", 1, 0600, &err), LIBRO_ERR_IO, &err,
                      "No such file or directory");
}
END_TEST

static size_t
count_entries(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

START_TEST(test_file_write_atomic)
{
    char path[PATH_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    tmp_path(path, sizeof path, "bundle.json");
    LIBRO_ASSERT_CODE(libro_file_write_atomic(path, "{\"v\":1}", 7, 0644, &err), LIBRO_OK, &err,
                      NULL);
    /* Replacing works where write_new refuses, and leaves no temporary file behind. */
    LIBRO_ASSERT_CODE(libro_file_write_atomic(path, "{\"v\":2,\"x\":0}", 13, 0600, &err), LIBRO_OK,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_file_read(&b, path, 100, true, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(b.len, 13);
    ck_assert_mem_eq(b.data, "{\"v\":2,\"x\":0}", 13);
    ck_assert_uint_eq(file_mode(path), 0600);
    ck_assert_uint_eq(count_entries(), 1);
    libro_buf_free(&b);
    /* A missing directory fails cleanly. */
    tmp_path(path, sizeof path, "no-such-dir/bundle.json");
    LIBRO_ASSERT_CODE(libro_file_write_atomic(path, "x", 1, 0600, &err), LIBRO_ERR_IO, &err,
                      "No such file or directory");
    ck_assert_uint_eq(count_entries(), 1);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("buf");

    tcase_add_test(tc, test_buf_append);
    tcase_add_test(tc, test_buf_printf);
    tcase_add_test(tc, test_buf_detach_and_free);
    suite_add_tcase(s, tc);

    tc = tcase_create("buf_limits");
    tcase_add_test(tc, test_buf_reserve);
    tcase_add_test(tc, test_buf_oom);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse_u64");
    tcase_add_loop_test(tc, test_parse_u64, 0, (int) LIBRO_NELEM(numbers));
    tcase_add_test(tc, test_parse_u64_not_nul_terminated);
    suite_add_tcase(s, tc);

    tc = tcase_create("error");
    tcase_add_test(tc, test_error_set);
    tcase_add_test(tc, test_error_prefix);
    tcase_add_test(tc, test_code_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, test_file_read_cap);
    tcase_add_test(tc, test_file_read_token);
    tcase_add_test(tc, test_fd_read_cap);
    tcase_add_test(tc, test_file_read_refusals);
    tcase_add_test(tc, test_file_write_new);
    tcase_add_test(tc, test_file_write_atomic);
    suite_add_tcase(s, tc);
    return s;
}
