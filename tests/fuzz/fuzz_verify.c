/* Verify arbitrary bytes as libro verify reads them (libro_verify_document: a license, a
 * mandate or a law as a compact JWS or as LB2/LB1 text, an agreement as JWS JSON, an LBR
 * reference) against an empty trust store (made once, in a private temporary directory): the
 * envelope, kid, lookup and agreement paths must hold on hostile input. Only LIBRO_OK with a
 * verdict, or no verdict at all, may come back, and no verdict of exit 0 but an agreement's (its
 * parties' own keys sign it: no store is needed for COMPLETE). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libro/verifier.h"

static char dir[] = "/tmp/libro-fuzz-verify-XXXXXX";

/* Leave no store behind: it holds only the two empty subdirectories. */
static void
cleanup(void)
{
    char sub[sizeof dir + 16];

    if (snprintf(sub, sizeof sub, "%s/anchors", dir) > 0) {
        rmdir(sub);
    }
    if (snprintf(sub, sizeof sub, "%s/credentials", dir) > 0) {
        rmdir(sub);
    }
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static libro_trust *t;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(1767225600);
    libro_verification *v = NULL;

    if (t == NULL) {
        if (mkdtemp(dir) == NULL || atexit(cleanup) != 0 ||
            libro_trust_open(&t, dir, NULL) != LIBRO_OK) {
            abort();
        }
    }
    if (libro_verify_document(&v, t, (const char *) data, size, &opt, NULL) == LIBRO_OK &&
        (v == NULL || (libro_outcome_exit_code(v->outcome) == 0 && v->agreement == NULL))) {
        abort(); /* nothing but an agreement verifies against an empty store */
    }
    libro_verification_free(v);
    return 0;
}
