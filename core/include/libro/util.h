/* libro: allocation, secret hygiene and number parsing shared by every module. */
#ifndef LIBRO_UTIL_H
#define LIBRO_UTIL_H

#include "libro/error.h"

/** Our allocator; every libro-owned block is released with libro_free(). Fail like malloc. */
LIBRO_API void *libro_malloc(size_t n);
LIBRO_API void *libro_calloc(size_t count, size_t size);
LIBRO_API void *libro_realloc(void *p, size_t n);
LIBRO_API void libro_free(void *p);
/** Copy `len` bytes of `s` into a new NUL-terminated string; NULL when out of memory. */
LIBRO_API char *libro_strndup(const char *s, size_t len);

/** Wipe `len` bytes so that the compiler cannot elide it. */
LIBRO_API void libro_wipe(void *p, size_t len);
/** Wipe then free `len` bytes of `p`. NULL is a no-op. */
LIBRO_API void libro_secret_free(void *p, size_t len);
/** Constant-time equality of two `len`-byte regions (digests, tokens, MACs). */
LIBRO_API bool libro_ct_equal(const void *a, const void *b, size_t len);

/** Parse the decimal text p[0..len) into *out. Digits only (no sign, space or leading
 *  zero unless the value is 0), at most `max`. LIBRO_ERR_PARSE or LIBRO_ERR_LIMIT. */
LIBRO_API LIBRO_NODISCARD libro_code libro_parse_u64(uint64_t *out, const char *p, size_t len,
                                                     uint64_t max, libro_error *err);

/** Test hook: make the Nth allocation from now fail (1 = the next one); 0 disables.
 *  Only for the OOM tests of the check suites; not thread-safe. */
LIBRO_API void libro__alloc_fail_after(unsigned long n);

#endif
