/* Parse RFC 3339; an accepted instant must format and parse back to itself, and text already
 * in our canonical form ("YYYY-MM-DDTHH:MM:SSZ", no leap second) must format identically.
 * To the millisecond: the same text is accepted, within that second, and its millisecond
 * form parses back to itself. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libro/time.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char text[LIBRO_TIME_TEXT_MAX];
    char text_ms[LIBRO_TIME_MS_TEXT_MAX];
    int64_t t = 0;
    int64_t back = 0;
    int64_t ms = 0;
    bool ok_s = libro_time_parse(&t, (const char *) data, size, NULL) == LIBRO_OK;
    bool ok_ms = libro_time_parse_ms(&ms, (const char *) data, size, NULL) == LIBRO_OK;

    if (ok_s != ok_ms ||
        (ok_ms &&
         (ms < t * 1000 || ms > t * 1000 + 999 ||
          libro_time_format_ms(text_ms, ms, NULL) != LIBRO_OK ||
          libro_time_parse_ms(&back, text_ms, strlen(text_ms), NULL) != LIBRO_OK || back != ms))) {
        abort();
    }
    if (ok_s && (libro_time_format(text, t, NULL) != LIBRO_OK ||
                 libro_time_parse(&back, text, strlen(text), NULL) != LIBRO_OK || back != t ||
                 (size == 20 && data[10] == 'T' && data[19] == 'Z' && data[17] != '6' &&
                  memcmp(text, data, size) != 0))) {
        abort();
    }
    return 0;
}
