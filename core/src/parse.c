/* libro: strict decimal numbers from text (instead of atoi/strtol). */
#include "libro/util.h"

libro_code
libro_parse_u64(uint64_t *out, const char *p, size_t len, uint64_t max, libro_error *err)
{
    uint64_t v = 0;
    size_t i;

    *out = 0;
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "number is empty");
    }
    if (len > 1 && p[0] == '0') {
        return libro_error_set(err, LIBRO_ERR_PARSE, "number has a leading zero");
    }
    for (i = 0; i < len; i++) {
        unsigned d;

        if (p[i] < '0' || p[i] > '9') {
            return libro_error_set(err, LIBRO_ERR_PARSE, "number has a non-digit at offset %zu", i);
        }
        d = (unsigned) (p[i] - '0');
        if (d > max || v > (max - d) / 10) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "number exceeds %llu",
                                   (unsigned long long) max);
        }
        v = v * 10 + d;
    }
    *out = v;
    return LIBRO_OK;
}
