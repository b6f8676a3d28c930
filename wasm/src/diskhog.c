/* diskhog.c - writes 1 MiB blocks of 0x5A to a file until a write fails or
 * <mib> MiB are written.  diskhog [path] [mib]  (defaults /out/hog.bin, 1200)
 * stdout: "wrote <bytes> bytes", then "errno=<NAME> <strerror>" when a write
 * failed (NAME is ENOSPC, EDQUOT, EIO or the number), else "errno=none".
 * Exit 0 either way: the runner, not the program, decides the job failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (1024 * 1024)

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
    const char *path = argc > 1 ? argv[1] : "/out/hog.bin";
    long mib = argc > 2 ? atol(argv[2]) : 1200;
    static char block[BLOCK];
    memset(block, 0x5A, sizeof block);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("wrote 0 bytes\nerrno=%s %s\n", errname(errno), strerror(errno));
        return 0;
    }
    long long total = 0;
    int failed = 0;
    for (long i = 0; i < mib && !failed; i++) {
        size_t off = 0;
        while (off < BLOCK) {
            ssize_t n = write(fd, block + off, BLOCK - off);
            if (n < 0) {
                failed = errno;
                break;
            }
            off += (size_t)n;
            total += n;
        }
    }
    printf("wrote %lld bytes\n", total);
    if (failed) {
        printf("errno=%s %s\n", errname(failed), strerror(failed));
    } else {
        printf("errno=none\n");
    }
    close(fd);
    return 0;
}
