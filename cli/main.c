#include <stdio.h>
#include "libro/common.h"
int main(void) { printf("libro %s\n", libro_version()); return 0; }
