/* Internals shared by the issuer's workflow files (not API). */
#ifndef LIBRO_ISSUER_INT_H
#define LIBRO_ISSUER_INT_H

#include "libro/credential.h"

/* A copy of `src` into *dst (NULL copies as NULL). */
libro_code libro_issuer__dup(char **dst, const char *src, libro_error *err);
/* Copies of src[0..n) into a new array *dst; *n_dst counts those made (freed with the
 * credential that owns them). */
libro_code libro_issuer__dup_list(char ***dst, size_t *n_dst, const char *const *src, size_t n,
                                  libro_error *err);
/* Parse one of the issuer's own credentials (compact JWS p[0..len), whitespace around it
 * allowed) without a signature check. */
libro_code libro_issuer__parse_own(libro_credential **out, const char *p, size_t len,
                                   libro_error *err);

#endif
