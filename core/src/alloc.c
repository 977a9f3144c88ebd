/* libro: the allocator, with a fault-injection hook for the OOM tests (jansson's chaos test). */
#include <stdlib.h>
#include <string.h>

#include "libro/util.h"

/* Test-only state: 0 = never fail. Not thread-safe, by design: only the OOM loop sets it. */
static unsigned long fail_countdown;

void
libro__alloc_fail_after(unsigned long n)
{
    fail_countdown = n;
}

static bool
injected_failure(void)
{
    if (fail_countdown == 0) {
        return false;
    }
    fail_countdown--;
    return fail_countdown == 0;
}

void *
libro_malloc(size_t n)
{
    if (injected_failure()) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *
libro_calloc(size_t count, size_t size)
{
    if (injected_failure()) {
        return NULL;
    }
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *
libro_realloc(void *p, size_t n)
{
    if (injected_failure()) {
        return NULL;
    }
    return realloc(p, n == 0 ? 1 : n);
}

void
libro_free(void *p)
{
    free(p);
}

char *
libro_strndup(const char *s, size_t len)
{
    char *copy;

    if (len == SIZE_MAX) {
        return NULL;
    }
    copy = libro_malloc(len + 1);
    if (copy == NULL) {
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}
