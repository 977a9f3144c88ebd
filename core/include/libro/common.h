/* libro: shared macros for every public header. */
#ifndef LIBRO_COMMON_H
#define LIBRO_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIBRO_API __attribute__((visibility("default")))
#define LIBRO_NODISCARD __attribute__((warn_unused_result))
#define LIBRO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define LIBRO_API
#define LIBRO_NODISCARD
#define LIBRO_PRINTF(fmt, args)
#endif

/** Number of elements of a true array (not a pointer). */
#define LIBRO_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** The library's version, "MAJOR.MINOR.PATCH". Never NULL. */
LIBRO_API const char *libro_version(void);

#endif
