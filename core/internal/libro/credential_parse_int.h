/* libro: the two credential parsers behind libro_credential_parse, for the differential fuzz
 * target and the check suite. Not installed. */
#ifndef LIBRO_CREDENTIAL_PARSE_INT_H
#define LIBRO_CREDENTIAL_PARSE_INT_H

#include "libro/credential.h"

/** The reference parser (credential.c): jansson tree, every credential type, every refusal
 *  with its code and message. Same contract as libro_credential_parse. */
LIBRO_NODISCARD libro_code libro_credential__parse_tree(libro_credential **out, const void *p,
                                                        size_t len, libro_error *err);

/** The lean parser (credential_scan.c): one bounded pass over p[0..len) straight into a
 *  ProfessionalLicense, no tree. *declined true: the document is not a license it accepts
 *  as it stands (another type, or anything the reference would refuse before its content
 *  rules, or a form it does not take); *out is NULL, `err` untouched, and only the reference
 *  may decide. Else the outcome is final and equals the reference's: LIBRO_OK with *out
 *  owned by the caller, or the content rules' refusal (libro_credential_check's, with its
 *  code and message). */
LIBRO_NODISCARD libro_code libro_credential__scan(libro_credential **out, bool *declined,
                                                  const void *p, size_t len, libro_error *err);

/** The content rules the parser applies after the structure (libro_credential_check without
 *  the holder key's point check). */
LIBRO_NODISCARD libro_code libro_credential__check_parsed(const libro_credential *c,
                                                          libro_error *err);

#endif
