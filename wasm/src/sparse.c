/* sparse.c - tries three ways to make a file of <mib> MiB (default 1024) while
 * writing almost nothing: seek past the end and write one byte, ftruncate, and
 * posix_fallocate.  sparse [path] [mib]  (default /out/sparse.bin)
 * stdout, one line each: "seek-write: ok" or "seek-write: <NAME>",
 * "ftruncate: ok|<NAME>", "fallocate: ok|<NAME>" (NAME is ENOSPC, EDQUOT, EIO
 * or the number), then "size=<st_size of the file>". Exit 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void report(const char *what, int rc, int err) {
    if (rc == 0) {
        printf("%s: ok\n", what);
    } else {
        printf("%s: %s\n", what, errname(err));
    }
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/out/sparse.bin";
    long long size = (argc > 2 ? atoll(argv[2]) : 1024) * 1024LL * 1024LL;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("open: %s\n", errname(errno));
        return 0;
    }
    int rc = 0;
    if (lseek(fd, (off_t)(size - 1), SEEK_SET) < 0) {
        rc = -1;
    } else if (write(fd, "x", 1) != 1) {
        rc = -1;
    }
    report("seek-write", rc, errno);
    rc = ftruncate(fd, (off_t)(2 * size));
    report("ftruncate", rc, errno);
    rc = posix_fallocate(fd, 0, (off_t)(3 * size));
    report("fallocate", rc == 0 ? 0 : -1, rc);
    struct stat st;
    if (fstat(fd, &st) == 0) {
        printf("size=%lld\n", (long long)st.st_size);
    }
    close(fd);
    return 0;
}
