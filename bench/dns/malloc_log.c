/* An LD_PRELOAD shim for bench/dns/malloc_profile.py: records the chunk size
 * of every malloc, calloc, realloc and free of the process it is loaded into,
 * in order, and writes them to $MALLOC_LOG_OUT at exit (one uint32 each: the
 * operation in the top 4 bits, 1 allocate, 2 free; the chunk size below).
 * It calls glibc's own allocator (__libc_malloc...), so the program allocates
 * exactly as without it. Not thread-aware: nr-resolve allocates on one thread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* old, size_t size);
extern void __libc_free(void* block);

enum { kAllocate = 1, kFree = 2 };
static const size_t kCapacity = (size_t)1 << 26; /* events: 256 MiB of address space, touched as used */
static uint32_t* events;
static size_t count;

/* glibc's chunk size: the usable size plus the size field. */
static void record(uint32_t op, void* block) {
    if (block == NULL) return;
    if (events == NULL) {
        void* area = mmap(NULL, kCapacity * sizeof *events, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED) return;
        events = area;
    }
    if (count < kCapacity) events[count++] = (op << 28) | (uint32_t)((malloc_usable_size(block) + sizeof(size_t)) & 0x0fffffffu);
}

void* malloc(size_t size) {
    void* block = __libc_malloc(size);
    record(kAllocate, block);
    return block;
}

void* calloc(size_t n, size_t size) {
    void* block = __libc_calloc(n, size);
    record(kAllocate, block);
    return block;
}

void* realloc(void* old, size_t size) {
    record(kFree, old);
    void* block = __libc_realloc(old, size);
    record(kAllocate, block);
    return block;
}

void free(void* block) {
    record(kFree, block);
    __libc_free(block);
}

__attribute__((destructor)) static void write_log(void) {
    const char* path = getenv("MALLOC_LOG_OUT");
    if (path == NULL || events == NULL) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    const char* bytes = (const char*)events;
    size_t left = count * sizeof *events;
    while (left > 0) {
        ssize_t n = write(fd, bytes, left);
        if (n <= 0) break;
        bytes += n;
        left -= (size_t)n;
    }
    close(fd);
}
