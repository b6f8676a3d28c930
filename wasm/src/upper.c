/* upper.c - upper-cases a whole folder tree: `upper [in-dir] [out-dir]` (defaults /in and /out).
 *
 * For every regular file under <in-dir> (recursing into subdirectories, entries visited in
 * byte order of their names) writes the ASCII upper-cased contents to the same relative path
 * under <out-dir>, creating folders as needed, and prints
 *   upper <relative path> <bytes>
 * then, at the end,
 *   files=<number of files written>
 * Anything that is neither a regular file nor a directory is skipped.
 * exit 0; 3 if <in-dir> is missing or not a directory (stderr `upper: <in-dir>: <strerror>`);
 * 4 if a file cannot be read or written (stderr `upper: <path>: <strerror>`).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define EXIT_NO_INPUT 3
#define EXIT_IO 4

static long files_written;

static int fail(const char *path) {
    fprintf(stderr, "upper: %s: %s\n", path, strerror(errno));
    return EXIT_IO;
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + 1 + lb + 1);
    if (!s) {
        perror("upper: malloc");
        exit(EXIT_IO);
    }
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

/* mkdir -p */
static int make_dirs(const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (char *p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
                free(copy);
                return -1;
            }
            *p = saved;
            if (saved == '\0') break;
        }
    }
    free(copy);
    return 0;
}

/* Copies src to dst upper-cased; returns the byte count or -1 (errno set, *bad = failing path). */
static long upper_copy(const char *src, const char *dst, const char **bad) {
    FILE *in = fopen(src, "rb");
    if (!in) { *bad = src; return -1; }
    FILE *out = fopen(dst, "wb");
    if (!out) { *bad = dst; fclose(in); return -1; }
    char buf[8192];
    long total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
        if (fwrite(buf, 1, n, out) != n) { *bad = dst; total = -1; break; }
        total += (long)n;
    }
    if (total >= 0 && ferror(in)) { *bad = src; total = -1; }
    fclose(in);
    if (fclose(out) != 0 && total >= 0) { *bad = dst; total = -1; }
    return total;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Upper-cases everything under in_root/rel into out_root/rel; rel is "" for the top. */
static int walk(const char *in_root, const char *out_root, const char *rel) {
    char *in_dir = *rel ? join(in_root, rel) : strdup(in_root);
    DIR *dir = opendir(in_dir);
    if (!dir) {
        int rc = fail(in_dir);
        free(in_dir);
        return rc;
    }
    size_t count = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (count == cap) {
            cap *= 2;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) { free(names); names = NULL; break; }
            names = grown;
        }
        names[count++] = strdup(e->d_name);
    }
    closedir(dir);
    if (!names) {
        perror("upper: malloc");
        exit(EXIT_IO);
    }
    qsort(names, count, sizeof *names, by_name);

    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        char *child_rel = *rel ? join(rel, names[i]) : strdup(names[i]);
        char *src = join(in_root, child_rel);
        struct stat st;
        if (lstat(src, &st) != 0) {
            rc = fail(src);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(in_root, out_root, child_rel);
        } else if (S_ISREG(st.st_mode)) {
            char *dst = join(out_root, child_rel);
            char *slash = strrchr(dst, '/');
            *slash = '\0';
            int dirs = make_dirs(dst);
            *slash = '/';
            const char *bad = dst;
            long bytes = dirs == 0 ? upper_copy(src, dst, &bad) : -1;
            if (bytes < 0) {
                rc = fail(bad);
            } else {
                printf("upper %s %ld\n", child_rel, bytes);
                files_written++;
            }
            free(dst);
        }
        free(src);
        free(child_rel);
    }
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
    free(in_dir);
    return rc;
}

int main(int argc, char **argv) {
    const char *in_root = argc > 1 ? argv[1] : "/in";
    const char *out_root = argc > 2 ? argv[2] : "/out";

    struct stat st;
    if (stat(in_root, &st) != 0) {
        fprintf(stderr, "upper: %s: %s\n", in_root, strerror(errno));
        return EXIT_NO_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "upper: %s: not a directory\n", in_root);
        return EXIT_NO_INPUT;
    }
    if (make_dirs(out_root) != 0) return fail(out_root);

    int rc = walk(in_root, out_root, "");
    printf("files=%ld\n", files_written);
    return rc;
}
