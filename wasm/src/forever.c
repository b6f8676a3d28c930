/* forever.c - prints "looping forever" and then spins forever on a volatile
 * counter (pure CPU, no I/O, no sleeping). Used to test timeouts/interruption. */
#include <stdio.h>

int main(void) {
    printf("looping forever\n");
    fflush(stdout);
    volatile unsigned long long counter = 0;
    for (;;) {
        counter++;
    }
}
