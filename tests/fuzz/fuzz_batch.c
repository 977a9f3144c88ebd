/* A batch file (libro issue license --batch) read and every record parsed and checked, as
 * libro_issuer_issue_batch does before it issues: each record is reported once, in order,
 * with a message naming its line exactly when it failed, and a file read to its end reports
 * as many records as it counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../issuer/src/issuer_int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

struct seen {
    size_t n;
    size_t last_line;
};

static libro_code
check_line(void *ctx, const libro_batch_line *l, libro_error *err)
{
    struct seen *s = ctx;
    char prefix[40];

    (void) err;
    s->n++;
    if (l->line <= s->last_line || l->done != s->n || l->done > l->total || l->issued != NULL ||
        (l->code == LIBRO_OK) != (l->message == NULL) ||
        snprintf(prefix, sizeof prefix, "line %zu: ", l->line) <= 0 ||
        (l->message != NULL && strncmp(l->message, prefix, strlen(prefix)) != 0)) {
        abort();
    }
    s->last_line = l->line;
    return LIBRO_OK;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_batch_report rep;
    struct seen s = {0, 0};
    libro_code rc = libro_issuer__batch_scan(&rep, data, size, check_line, &s, NULL);

    if (rc == LIBRO_OK && (s.n != rep.total || rep.issued + rep.failed != rep.total)) {
        abort();
    }
    return 0;
}
