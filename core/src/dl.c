/* libro: the loader of libraries used on demand (see libro/dl_int.h); the only file that
 * includes dlfcn.h. One lock serialises first loads; afterwards `ready` (release/acquire)
 * is all a caller reads. A library once loaded is never closed: the adapters keep its
 * addresses, and libcurl's global state cannot be cleaned up safely in a library. */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "libro/dl_int.h"
#include "libro/util.h"

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* dlerror's text names the file and the reason ("cannot open shared object file: No such
 * file or directory"); only its last line is kept, bounded by the message size. */
static const char *
dl_reason(void)
{
    const char *why = dlerror();

    return why != NULL ? why : "unknown reason";
}

static libro_code
load_locked(libro_dl__lib *lib, libro_error *err)
{
    void *addrs[LIBRO_DL_MAX_SYMBOLS];
    void *handle;
    size_t i;

    /* RTLD_NOW: every symbol the library itself needs is resolved here, so a broken install
     * fails now with a message, not later inside a call. RTLD_LOCAL: its names stay out of
     * the global scope. */
    (void) dlerror();
    handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        return libro_error_set(err, LIBRO_ERR_MISSING_LIBRARY,
                               "%s, needed %s, cannot be loaded (install the Debian package %s): "
                               "%.96s",
                               lib->soname, lib->purpose, lib->package, dl_reason());
    }
    for (i = 0; i < lib->count; i++) {
        (void) dlerror();
        addrs[i] = dlsym(handle, lib->symbols[i]);
        if (addrs[i] == NULL) {
            /* Left loaded: dlclose of a library whose constructors ran is not worth the
             * risk, and the next attempt finds it already mapped. */
            return libro_error_set(err, LIBRO_ERR_MISSING_LIBRARY,
                                   "%s, needed %s, has no %s (install the Debian package %s "
                                   "of this system)",
                                   lib->soname, lib->purpose, lib->symbols[i], lib->package);
        }
    }
    /* Pointer by pointer into the typed table (LIBRO_DL_DEFINE checks it holds exactly
     * `count` of them); `ready` publishes it. */
    memcpy(lib->table, addrs, lib->count * sizeof addrs[0]);
    atomic_store_explicit(&lib->ready, true, memory_order_release);
    return LIBRO_OK;
}

libro_code
libro_dl__load(libro_dl__lib *lib, libro_error *err)
{
    libro_code rc;

    if (lib == NULL || lib->soname == NULL || lib->package == NULL || lib->purpose == NULL ||
        lib->symbols == NULL || lib->table == NULL || lib->count == 0 ||
        lib->count > LIBRO_DL_MAX_SYMBOLS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "dl load: bad library description");
    }
    if (atomic_load_explicit(&lib->ready, memory_order_acquire)) {
        return LIBRO_OK;
    }
    /* A default mutex fails to lock only when misused (EDEADLK and EAGAIN belong to the
     * error-checking and recursive kinds), and load_locked never re-enters. */
    (void) pthread_mutex_lock(&load_lock);
    /* Another thread may have finished while this one waited. */
    rc = LIBRO_OK;
    if (!atomic_load_explicit(&lib->ready, memory_order_relaxed)) {
        rc = load_locked(lib, err);
    }
    (void) pthread_mutex_unlock(&load_lock);
    return rc;
}
