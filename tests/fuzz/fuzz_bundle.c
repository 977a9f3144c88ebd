/* Read arbitrary bytes as a registry's trust bundle (everything libro sync checks before the
 * store and the network): never a crash, a leak or a read past the input. */
#include "../../verifier/src/verify_int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_code rc = libro_sync__parse((const char *) data, size, NULL);

    (void) rc; /* refusing is fine; only a crash, a leak or a bad read is a finding */
    return 0;
}
