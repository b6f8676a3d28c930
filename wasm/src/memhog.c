/* memhog.c - allocates 1 MiB blocks forever (never freed), touching every page.
 * stdout: "allocated <N> MiB" after each block.
 * When malloc fails: stderr "malloc failed after <N> MiB", then abort() (traps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (1024 * 1024)

int main(void) {
    unsigned long n = 0;
    for (;;) {
        char *p = malloc(BLOCK);
        if (!p) {
            fprintf(stderr, "malloc failed after %lu MiB\n", n);
            fflush(stderr);
            abort();
        }
        memset(p, 0xA5, BLOCK);
        __asm__ volatile("" : : "r"(p) : "memory"); /* keep the memset */
        n++;
        printf("allocated %lu MiB\n", n);
        fflush(stdout);
    }
}
