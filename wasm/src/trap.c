/* trap.c - prints "about to trap" and then executes wasm `unreachable`. */
#include <stdio.h>

int main(void) {
    printf("about to trap\n");
    fflush(stdout);
    __builtin_trap();
}
