// Only for the fully static musl variant (make -f embedded.mk embedded-musl):
// the Embedded standard library seeds its hash tables with arc4random_buf,
// which glibc (2.36+) has and Debian 12's musl 1.2.3 does not. getrandom(2)
// blocks only until the kernel's pool is initialised, as arc4random does.
#include <stddef.h>
#include <sys/random.h>

void arc4random_buf(void *buffer, size_t length) {
    char *p = buffer;
    while (length > 0) {
        ssize_t n = getrandom(p, length, 0);
        if (n > 0) { p += n; length -= (size_t)n; }
    }
}
