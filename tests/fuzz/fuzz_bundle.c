/* Read arbitrary bytes as the trust bundle libro sync fetched from the seeds' registry, through
 * sync's own checks (libro_sync__check_bundle) as after an earlier sync of a one-leaf log, with
 * a network that refuses: never a crash, a leak or a read past the input. */
#include "../../verifier/src/sync_int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static libro_code
no_network(libro_http_response *resp, const char *url, const char *etag, size_t max,
           const libro_sync_options *opt, libro_error *err)
{
    (void) resp;
    (void) url;
    (void) etag;
    (void) max;
    (void) opt;
    return libro_error_set(err, LIBRO_ERR_NETWORK, "fuzzing: no network");
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_sync__state last = {.has_log = true, .size = 1};
    libro_sync__checked c;

    /* The seeds' url and a clock a day after they were issued (2026-11-27T00:00:00Z, in
     * milliseconds). */
    if (libro_sync__check_bundle(&c, (const char *) data, size, "http://127.0.0.1:18080", &last,
                                 INT64_C(1795737600000), no_network, NULL, NULL) == LIBRO_OK) {
        libro_sync__checked_clear(&c);
    }
    return 0;
}
