/* libro: the LB1 and LB2 preset dictionaries, compiled in from schemas/lb1/dictionary.txt and
 * schemas/lb2/dictionary.txt. CMake writes their bytes and SHA-256 into lb1_dictionary.c in
 * the build tree (core/CMakeLists.txt), so the library carries exactly the bytes of the files
 * in the source tree. Not installed. */
#ifndef LIBRO_LB1_INT_H
#define LIBRO_LB1_INT_H

#include <stddef.h>

extern const unsigned char libro_lb1__dictionary[];
extern const size_t libro_lb1__dictionary_len;
extern const char libro_lb1__dictionary_sha256[65]; /* lowercase hex, NUL-terminated */

extern const unsigned char libro_lb2__dictionary[];
extern const size_t libro_lb2__dictionary_len;
extern const char libro_lb2__dictionary_sha256[65];

#endif
