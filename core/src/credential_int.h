/* libro: the id and URL rules of credential.c, shared with statuslist.c so that a status list
 * credential and the credentialStatus entries that point at it accept the same URLs. Not
 * installed. */
#ifndef LIBRO_CREDENTIAL_INT_H
#define LIBRO_CREDENTIAL_INT_H

#include "libro/common.h"

/** NULL when `s` is an id (docs/credentials.md: an absolute URI of at most 200 bytes without
 *  space, '#', '"' or '\'), else the reason, a static one-line string. */
const char *libro_credential__id_problem(const char *s);
/** NULL when `s` is an id and an https URL (or http://127.0.0.1), else the reason. */
const char *libro_credential__url_problem(const char *s);

#endif
