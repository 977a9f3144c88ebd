/* liblibro: the shared library of libro's public API (packaging/CMakeLists.txt). Its code is
 * the module archives, linked whole; this file only gives the target a source of its own. */
#include "libro/common.h"
