/* libro: the chain rules of docs/credentials.md, in one place. The issuer checks what it is
 * about to sign, the registry what it is asked to record, and the verifier what it is shown,
 * all with these functions, so the three cannot disagree. */
#ifndef LIBRO_RULES_H
#define LIBRO_RULES_H

#include "libro/credential.h"

/** The grant of license type `license_type` in `authorization` (an IssuerAuthorization), or
 *  NULL when it grants no such type (or either argument is NULL). Borrowed from
 *  `authorization`. Thread-safe. */
LIBRO_API const libro_license_grant *libro_grant_find(const libro_credential *authorization,
                                                      const char *license_type);

#endif
