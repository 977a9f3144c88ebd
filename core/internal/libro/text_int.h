/* libro: the text rule of credentials, shared with the registry (actors, reasons). Not
 * installed. */
#ifndef LIBRO_TEXT_INT_H
#define LIBRO_TEXT_INT_H

#include "libro/common.h"

/** NULL when s[0..len) is strict UTF-8 (no overlong forms, surrogates or values past
 *  U+10FFFF) without C0 or C1 control characters or DEL, else the reason ("control
 *  character", "not valid UTF-8"), a static one-line string. */
const char *libro__text_problem(const unsigned char *s, size_t len);

#endif
