/* libro: libraries loaded on first use. zbar, libpng, libjpeg, libcurl, libmicrohttpd and libpq
 * (with the dozens of libraries they pull in), and OpenSSL's libcrypto, are not linked: each
 * adapter lists the symbols it calls once and binds them through libro_dl__load the first time it
 * needs them, so a process that only verifies scanned text never maps them. core/src/dl.c is the
 * only user of dlfcn.h. Not installed. */
#ifndef LIBRO_DL_INT_H
#define LIBRO_DL_INT_H

#include <stdatomic.h>

#include "libro/error.h"

/** The most symbols one library may bind (the loader's table on the stack is this big). */
#define LIBRO_DL_MAX_SYMBOLS 64u

/* A macro's value as a string: LIBRO_DL_STR(PNG_LIBPNG_VER_SONUM) is "16". */
#define LIBRO_DL_STR_(x) #x
#define LIBRO_DL_STR(x) LIBRO_DL_STR_(x)

/* The libraries: the SONAME each adapter was compiled against (libpng's from png.h and
 * libcrypto's from openssl/opensslv.h, which must be included where they are used; libjpeg's in
 * image_jpeg.c, from JPEG_LIB_VERSION), and the Debian 12 package that installs it
 * (scripts/bootstrap.sh installs them, through their -dev packages). */
#define LIBRO_DL_SONAME_ZBAR "libzbar.so.0"
#define LIBRO_DL_PACKAGE_ZBAR "libzbar0"
#define LIBRO_DL_SONAME_PNG                                                                        \
    "libpng" LIBRO_DL_STR(PNG_LIBPNG_VER_DLLNUM) ".so." LIBRO_DL_STR(PNG_LIBPNG_VER_SONUM)
#define LIBRO_DL_PACKAGE_PNG "libpng16-16"
#define LIBRO_DL_PACKAGE_JPEG "libjpeg62-turbo"
#define LIBRO_DL_SONAME_CURL "libcurl.so.4"
#define LIBRO_DL_PACKAGE_CURL "libcurl4"
#define LIBRO_DL_SONAME_CRYPTO "libcrypto.so." LIBRO_DL_STR(OPENSSL_VERSION_MAJOR)
#define LIBRO_DL_PACKAGE_CRYPTO "libssl3"
#define LIBRO_DL_SONAME_MHD "libmicrohttpd.so.12"
#define LIBRO_DL_PACKAGE_MHD "libmicrohttpd12"
#define LIBRO_DL_SONAME_PQ "libpq.so.5"
#define LIBRO_DL_PACKAGE_PQ "libpq5"

/* dlsym answers with an object pointer; POSIX requires that it converts to a function
 * pointer with the same representation, which the loader's copy relies on. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and object pointers differ");

/** One library, described by its adapter as a static object (LIBRO_DL_DEFINE). Only dl.c
 *  writes `table` and `ready`. */
typedef struct libro_dl__lib {
    const char *soname;         /* the exact SONAME built against: "libpng16.so.16" */
    const char *package;        /* the Debian package that installs it: "libpng16-16" */
    const char *purpose;        /* what it is for, in the message: "to read PNG images" */
    const char *const *symbols; /* the names to bind, `count` of them */
    size_t count;               /* 1 .. LIBRO_DL_MAX_SYMBOLS */
    void *table;                /* `count` typed function pointers, in `symbols` order */
    atomic_bool ready;          /* the table is filled */
} libro_dl__lib;

/* LIBRO_DL_DEFINE(name, SYMBOLS, soname, package, purpose) defines, from an X-macro list
 * SYMBOLS(X) of X(field, symbol) pairs, a static table `name` whose `field`s have the exact
 * types of the header's declarations (so every call is type-checked; field names differ from
 * the symbols, so a function-like macro of the same name is never expanded), the names, and
 * `name##_lib` to hand to libro_dl__load. */
#define LIBRO_DL_FIELD(field, symbol) __typeof__(symbol) *field;
#define LIBRO_DL_NAME(field, symbol) #symbol,
#define LIBRO_DL_DEFINE(name, SYMBOLS, soname, package, purpose)                                   \
    LIBRO_DL_DEFINE_TYPED(name, struct {SYMBOLS(LIBRO_DL_FIELD)}, SYMBOLS, soname, package, purpose)
/* The same with the table's type named (`struct x { SYMBOLS(LIBRO_DL_FIELD) }`), for a table
 * that other files of the module read through a pointer (core/src/http_int.h). */
#define LIBRO_DL_DEFINE_TYPED(name, type, SYMBOLS, soname, package, purpose)                       \
    static type name;                                                                              \
    static const char *const name##_symbols[] = {SYMBOLS(LIBRO_DL_NAME)};                          \
    _Static_assert(sizeof name == sizeof name##_symbols, #name ": one pointer per symbol");        \
    static libro_dl__lib name##_lib = {(soname),                                                   \
                                       (package),                                                  \
                                       (purpose),                                                  \
                                       name##_symbols,                                             \
                                       sizeof name##_symbols / sizeof name##_symbols[0],           \
                                       &name,                                                      \
                                       false}

/** Load `lib` and fill its table the first time; later calls cost one atomic load.
 *  LIBRO_OK: every symbol is bound (the library stays loaded for the life of the process).
 *  LIBRO_ERR_MISSING_LIBRARY: the library is not installed, or lacks a symbol (an older or
 *  foreign build); the message names the SONAME, what it is needed for and the Debian
 *  package. Nothing is bound then, and a later call tries again. LIBRO_ERR_INVALID_ARG: a
 *  malformed description. Thread-safe. */
libro_code libro_dl__load(libro_dl__lib *lib, libro_error *err);

#endif
