#include "util/hugemem.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

static size_t page_size(void)
{
#if defined(__linux__)
    static size_t ps;
    if (!ps) {
        long v = sysconf(_SC_PAGESIZE);
        ps = v > 0 ? (size_t)v : 4096;
    }
    return ps;
#else
    return 4096;
#endif
}

void kt_huge_advise(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (!p || n < KT_HUGE_PAGE)
        return;
    size_t ps = page_size();
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(ps - 1);
    uintptr_t b = ((uintptr_t)p + n + ps - 1) & ~(uintptr_t)(ps - 1);
    (void)madvise((void *)a, b - a, MADV_HUGEPAGE); /* only advice: an error changes nothing */
#else
    (void)p;
    (void)n;
#endif
}

void kt_huge_prefault(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    if (!p || n < KT_HUGE_PAGE)
        return;
    size_t ps = page_size();
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(ps - 1);
    uintptr_t b = ((uintptr_t)p + n + ps - 1) & ~(uintptr_t)(ps - 1);
    (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* older kernels: EINVAL, no harm */
#else
    (void)p;
    (void)n;
#endif
}

void *kt_huge_alloc(size_t n)
{
    size_t size = (n + KT_HUGE_PAGE - 1) & ~(KT_HUGE_PAGE - 1);
    void *p = aligned_alloc(KT_HUGE_PAGE, size ? size : KT_HUGE_PAGE);
    kt_huge_advise(p, size);
    return p;
}

void kt_huge_release(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
    size_t ps = page_size();
    uintptr_t a = ((uintptr_t)p + ps - 1) & ~(uintptr_t)(ps - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)(ps - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_DONTNEED);
#else
    (void)p;
    (void)n;
#endif
}
