/* Fault injection for the tests (fault.c): the flags' environment variables. */
#ifndef LIBRO_TEST_FAULT_H
#define LIBRO_TEST_FAULT_H

#include <stdbool.h>

#define LIBRO_FAULT_FSYNC_ENV "LIBRO_FAULT_FSYNC"
#define LIBRO_FAULT_ENOSPC_ENV "LIBRO_FAULT_ENOSPC"
#define LIBRO_FAULT_FSYNC_SUFFIX_ENV "LIBRO_FAULT_FSYNC_SUFFIX"

/** Whether the flag file the environment variable `env` names exists. */
bool libro_fault_on(const char *env);

#endif
