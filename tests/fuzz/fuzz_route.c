/* The router's segment cursor (registry/src/http/router.c) over any path: no read past the
 * text, and whatever it matches is of its form: a license number or type id of its alphabet
 * and length, a status purpose that exists, an operation only on a write route, a document
 * only on a document route, an agreement hash of the hash form, a law id that is one path
 * segment (no '/', '?', '%' or '#'). */
#include <stdlib.h>
#include <string.h>

#include "../../registry/src/http/http_int.h"
#include "libro/credential.h"
#include "libro/crypto.h"
#include "libro/statuslist.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_http__route_match m;
    char *path;
    size_t n;

    if (size > 4096) {
        return 0;
    }
    path = malloc(size + 1);
    if (path == NULL) {
        return 0;
    }
    memcpy(path, data, size);
    path[size] = '\0';
    libro_http__match(&m, path);
    n = strlen(m.number);
    if (m.route != LIBRO_HTTP_ROUTE_NONE && !m.malformed &&
        ((m.route == LIBRO_HTTP_ROUTE_LICENSE && !libro_license_number_ok(m.number, n)) ||
         (m.route == LIBRO_HTTP_ROUTE_TYPE && !libro_license_type_id_ok(m.number, n)) ||
         (m.route == LIBRO_HTTP_ROUTE_STATUS &&
          libro_status_purpose_name((libro_status_purpose) m.purpose) == NULL) ||
         (m.route != LIBRO_HTTP_ROUTE_WRITE && m.op != 0) ||
         (n > 0 && strstr(path, m.number) == NULL) ||
         (m.route != LIBRO_HTTP_ROUTE_DOCUMENT && m.doc != 0) ||
         (m.hash[0] != '\0' && !libro_hash_ref_ok(m.hash, strlen(m.hash))) ||
         strpbrk(m.law_id, "/?%#") != NULL ||
         (m.law_id[0] != '\0' && strstr(path, m.law_id) == NULL))) {
        abort();
    }
    free(path);
    return 0;
}
