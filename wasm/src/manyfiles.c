/* manyfiles.c - creates empty files <dir>/f<N> until creating one fails or
 * <max> exist.  manyfiles [dir] [max]  (defaults /out, 100000)
 * stdout: "created <n> files", then "errno=<NAME> <strerror>" when a create
 * failed (NAME is EDQUOT, ENOSPC, EIO or the number), else "errno=none". Exit 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *errname(int e) {
    static char num[16];
    switch (e) {
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EIO: return "EIO";
    default: snprintf(num, sizeof num, "%d", e); return num;
    }
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/out";
    long max = argc > 2 ? atol(argv[2]) : 100000;
    char path[512];
    long n = 0;
    int failed = 0;
    for (; n < max; n++) {
        snprintf(path, sizeof path, "%s/f%ld", dir, n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            failed = errno;
            break;
        }
        close(fd);
    }
    printf("created %ld files\n", n);
    if (failed) {
        printf("errno=%s %s\n", errname(failed), strerror(failed));
    } else {
        printf("errno=none\n");
    }
    return 0;
}
