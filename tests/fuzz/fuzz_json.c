/* The bounded JSON checker every document from outside passes through (core/src/json.c). */
#include "libro/json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_code rc = libro_json_check((const char *) data, size, NULL, NULL);

    (void) rc;
    return 0;
}
