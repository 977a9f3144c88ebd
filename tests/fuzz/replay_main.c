/* Replays a fuzz corpus through LLVMFuzzerTestOneInput without libFuzzer, so every build
 * (including the sanitizer build) re-runs the seeds and every minimised crash. Arguments are
 * files or directories; an empty or missing corpus is an error, so the replay cannot pass
 * by testing nothing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/buf.h"
#include "libro/file.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int
replay_file(const char *path, unsigned long *count)
{
    libro_buf in = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    unsigned char *copy;

    if (libro_file_read(&in, path, 1u << 20, false, &err) != LIBRO_OK) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return -1;
    }
    /* An exact-size heap copy, so ASan sees any read past the end. */
    copy = malloc(in.len == 0 ? 1 : in.len);
    if (copy == NULL) {
        libro_buf_free(&in);
        return -1;
    }
    if (in.len > 0) {
        memcpy(copy, in.data, in.len);
    }
    LLVMFuzzerTestOneInput(copy, in.len);
    free(copy);
    libro_buf_free(&in);
    (*count)++;
    return 0;
}

static int
replay_path(const char *path, unsigned long *count)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: not found\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return replay_file(path, count);
    }
    d = opendir(path);
    if (d == NULL) {
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char child[4096];
        int n;

        if (e->d_name[0] == '.') {
            continue;
        }
        n = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        if (n < 0 || (size_t) n >= sizeof child) {
            rc = -1;
            break;
        }
        rc = replay_path(child, count);
    }
    closedir(d);
    return rc;
}

int
main(int argc, char **argv)
{
    unsigned long count = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (replay_path(argv[i], &count) != 0) {
            return 1;
        }
    }
    printf("replayed %lu inputs\n", count);
    return count > 0 ? 0 : 1;
}
