#include "libro/common.h"

const char *
libro_version(void)
{
    return LIBRO_VERSION_STRING;
}
