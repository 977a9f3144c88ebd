/* The chain rules of docs/credentials.md (libro/rules.h): one copy, used by the issuer, the
 * registry and the verifier. */
#include <string.h>

#include "libro/rules.h"

const libro_license_grant *
libro_grant_find(const libro_credential *authorization, const char *license_type)
{
    size_t i;

    if (authorization == NULL || license_type == NULL) {
        return NULL;
    }
    for (i = 0; i < authorization->n_grants; i++) {
        if (strcmp(authorization->grants[i].id, license_type) == 0) {
            return &authorization->grants[i];
        }
    }
    return NULL;
}
