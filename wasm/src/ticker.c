/* ticker.c - ticker [lines] [ms] (defaults 5, 200): for i = 1..lines prints "tick <i>" to stdout
 * and "tock <i>" to stderr, then sleeps ms milliseconds (nanosleep: WASI poll_oneoff, so no CPU is
 * spent while it sleeps); then prints "ticker done" and exits 0. Output to follow while it runs. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long lines = argc > 1 ? atol(argv[1]) : 5;
    long ms = argc > 2 ? atol(argv[2]) : 200;
    struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
    for (long i = 1; i <= lines; i++) {
        printf("tick %ld\n", i);
        fflush(stdout);
        fprintf(stderr, "tock %ld\n", i);
        if (ms > 0) {
            nanosleep(&pause, NULL);
        }
    }
    printf("ticker done\n");
    return 0;
}
