// Tries to reach files outside its sandbox; prints one line per attempt:
//   "<what>: blocked (<error>)" or "<what>: OPENED".
// A correct sandbox blocks every attempt; tests assert that no line says OPENED.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_open(const char *what, const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    printf("%s: OPENED\n", what);
    close(fd);
  } else {
    printf("%s: blocked (%s)\n", what, strerror(errno));
  }
}

int main(void) {
  try_open("dotdot", "/../../../../etc/passwd");
  try_open("relative-dotdot", "../../../../etc/passwd");
  try_open("deep-dotdot", "/in/../../../etc/hostname");
  if (symlink("/etc/passwd", "/link-abs") == 0) {
    try_open("symlink-absolute", "/link-abs");
  } else {
    printf("symlink-absolute: blocked (%s)\n", strerror(errno));
  }
  if (symlink("../../../../../../etc/passwd", "/link-rel") == 0) {
    try_open("symlink-relative", "/link-rel");
  } else {
    printf("symlink-relative: blocked (%s)\n", strerror(errno));
  }
  fflush(stdout);
  return 0;
}
