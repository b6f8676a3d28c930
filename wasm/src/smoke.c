/* smoke.c - exercises args, env, stdin, preopened file I/O, stderr and exit codes.
 *
 * stdout, in order:
 *   argc=<argc>
 *   argv[<i>]=<arg>            (one per argument, including argv[0])
 *   env GREETING=<value>       or  env GREETING=(unset)
 *   stdin=<all of stdin, trailing newline stripped>
 *   input=<contents of /in/data.txt, trailing newline stripped>  or  input=(none)
 * file: /out/result.txt = upper-cased input + "\n", or "NO INPUT\n" without input
 * stderr: "smoke: done"  (or "write-failed: <strerror>" and exit 4)
 * exit code: atoi($EXIT_CODE) if set, else 0
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static char *read_all(FILE *f, size_t *out_len) {
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); return NULL; }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    buf[len] = '\0';
    *out_len = len;
    return buf;
}

static void strip_newline(char *s, size_t *len) {
    if (*len > 0 && s[*len - 1] == '\n') s[--(*len)] = '\0';
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);

    const char *greeting = getenv("GREETING");
    printf("env GREETING=%s\n", greeting ? greeting : "(unset)");

    size_t in_len = 0;
    char *in = read_all(stdin, &in_len);
    if (!in) { in = calloc(1, 1); in_len = 0; }
    strip_newline(in, &in_len);
    printf("stdin=%s\n", in);
    fflush(stdout);

    char *data = NULL;
    size_t data_len = 0;
    FILE *df = fopen("/in/data.txt", "rb");
    if (df) {
        data = read_all(df, &data_len);
        fclose(df);
    }
    if (data) {
        strip_newline(data, &data_len);
        printf("input=%s\n", data);
    } else {
        printf("input=(none)\n");
    }
    fflush(stdout);

    struct stat st;
    if (stat("/out", &st) != 0) mkdir("/out", 0755);

    FILE *of = fopen("/out/result.txt", "wb");
    if (!of) {
        fprintf(stderr, "write-failed: %s\n", strerror(errno));
        return 4;
    }
    int ok = 1;
    if (data) {
        for (size_t i = 0; i < data_len; i++) data[i] = (char)toupper((unsigned char)data[i]);
        if (fwrite(data, 1, data_len, of) != data_len) ok = 0;
        if (fputc('\n', of) == EOF) ok = 0;
    } else {
        if (fputs("NO INPUT\n", of) == EOF) ok = 0;
    }
    if (fclose(of) != 0) ok = 0;
    if (!ok) {
        fprintf(stderr, "write-failed: %s\n", strerror(errno));
        return 4;
    }

    fprintf(stderr, "smoke: done\n");
    fflush(stderr);

    const char *ec = getenv("EXIT_CODE");
    return ec ? atoi(ec) : 0;
}
