#include <time.h>

#include "libro/common.h"

/* libro counts time in int64 seconds; a 32-bit time_t anywhere would break in 2038. */
_Static_assert(sizeof(time_t) >= 8, "libro needs a 64-bit time_t (build with _TIME_BITS=64)");

const char *
libro_version(void)
{
    return LIBRO_VERSION_STRING;
}
