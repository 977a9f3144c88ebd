/* Fault injection for the tests: a failing fsync and a full disk, as the kernel reports them.
 * Built as a shared library for LD_PRELOAD (the e2e tests run the real server under it) and
 * linked into check_store, whose own definitions then take SQLite's calls.
 *
 *   LIBRO_FAULT_FSYNC=FILE    while FILE exists, fsync and fdatasync fail with EIO
 *   LIBRO_FAULT_ENOSPC=FILE   while FILE exists, pwrite and pwrite64 fail with ENOSPC
 *   LIBRO_FAULT_FSYNC_SUFFIX=S  only an fsync of a file whose path ends in S fails (".db": the
 *                             database at a checkpoint, not its WAL at a commit)
 *
 * A flag file rather than a call count: the test turns the fault on and off between requests
 * to a running server, at the moment it chooses, however many syncs the server made before. */
#define _GNU_SOURCE
/* pwrite and pwrite64 are both defined here: without this, <unistd.h> renames the first. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"

/* The project builds with hidden visibility; these must take the calls of other objects. */
#define FAULT_API __attribute__((visibility("default")))

bool
libro_fault_on(const char *env)
{
    const char *flag = getenv(env);
    struct stat st;

    return flag != NULL && flag[0] != '\0' && stat(flag, &st) == 0;
}

/* Whether the fsync fault applies to `fd`: every file, or those LIBRO_FAULT_FSYNC_SUFFIX names. */
static bool
fsync_fails(int fd)
{
    const char *suffix = getenv(LIBRO_FAULT_FSYNC_SUFFIX_ENV);
    char link[64];
    char path[4096];
    ssize_t n;
    size_t len;

    if (!libro_fault_on(LIBRO_FAULT_FSYNC_ENV)) {
        return false;
    }
    if (suffix == NULL || suffix[0] == '\0') {
        return true;
    }
    if (snprintf(link, sizeof link, "/proc/self/fd/%d", fd) < 0) {
        return false;
    }
    n = readlink(link, path, sizeof path - 1);
    if (n < 0) {
        return false;
    }
    path[n] = '\0';
    len = strlen(suffix);
    return (size_t) n >= len && strcmp(path + n - len, suffix) == 0;
}

static void *
next_symbol(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);

    if (p == NULL) {
        abort(); /* a test harness without the libc it wraps cannot answer truthfully */
    }
    return p;
}

FAULT_API int
fsync(int fd)
{
    static int (*real)(int);

    if (fsync_fails(fd)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        *(void **) &real = next_symbol("fsync");
    }
    return real(fd);
}

FAULT_API int
fdatasync(int fd)
{
    static int (*real)(int);

    if (fsync_fails(fd)) {
        errno = EIO;
        return -1;
    }
    if (real == NULL) {
        *(void **) &real = next_symbol("fdatasync");
    }
    return real(fd);
}

FAULT_API ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);

    if (libro_fault_on(LIBRO_FAULT_ENOSPC_ENV)) {
        errno = ENOSPC;
        return -1;
    }
    if (real == NULL) {
        *(void **) &real = next_symbol("pwrite");
    }
    return real(fd, buf, n, off);
}

FAULT_API ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off64_t);

    if (libro_fault_on(LIBRO_FAULT_ENOSPC_ENV)) {
        errno = ENOSPC;
        return -1;
    }
    if (real == NULL) {
        *(void **) &real = next_symbol("pwrite64");
    }
    return real(fd, buf, n, off);
}
