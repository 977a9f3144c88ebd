/* Parse RFC 3339; an accepted instant must format and parse back to itself, and text already
 * in our canonical form ("YYYY-MM-DDTHH:MM:SSZ", no leap second) must format identically. */
#include <stdlib.h>
#include <string.h>

#include "libro/time.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char text[LIBRO_TIME_TEXT_MAX];
    int64_t t;
    int64_t back = 0;

    if (libro_time_parse(&t, (const char *) data, size, NULL) == LIBRO_OK &&
        (libro_time_format(text, t, NULL) != LIBRO_OK ||
         libro_time_parse(&back, text, strlen(text), NULL) != LIBRO_OK || back != t ||
         (size == 20 && data[10] == 'T' && data[19] == 'Z' && data[17] != '6' &&
          memcmp(text, data, size) != 0))) {
        abort();
    }
    return 0;
}
