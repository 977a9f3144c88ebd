/* Helpers the check suites share to build and sign credentials. Each aborts the running check
 * on failure, so a test reads as the steps it takes. */
#ifndef LIBRO_TEST_CREDS_H
#define LIBRO_TEST_CREDS_H

#include "libro/credential.h"
#include "libro/key.h"

/** A copy of `s` (never NULL). */
char *sdup(const char *s);
/** The public half of `k` (caller frees). */
libro_key *public_of(const libro_key *k);
/** `c` signed by `k` as vc+jwt (caller frees with libro_free). */
char *sign(const libro_credential *c, const libro_key *k);
/** The kid "<id>#<thumbprint of k>" into `out`. */
void kid_of(char out[300], const char *id, const libro_key *k);
/** A new credential of `type` with its common members set (`subject` may be NULL). */
libro_credential *new_cred(libro_cred_type type, const char *issuer, const char *subject,
                           const char *name, int64_t from, int64_t until);

#endif
