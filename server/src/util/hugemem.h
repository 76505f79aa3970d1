/* Big arrays on huge pages. An index of a million items fills a few hundred MiB of fresh
 * memory in a second or two, and with 4 KiB pages every page costs a fault at its first touch
 * (about 80,000 faults for the similarity index; in a virtual machine a fault costs
 * microseconds) and a TLB entry at every touch after. Where the kernel backs advised memory
 * with 2 MiB pages (Linux's transparent huge pages, "madvise" or "always"), one fault covers
 * 512 pages. Elsewhere these are plain allocations and the advice is nothing. */
#ifndef KT_HUGEMEM_H
#define KT_HUGEMEM_H

#include <stddef.h>

#define KT_HUGE_PAGE ((size_t)2 << 20)

/* Advises huge pages for the pages of [p, p + n) when n is at least KT_HUGE_PAGE: for memory
 * that is about to be filled, such as a big malloc'd array (glibc maps each one of its own;
 * the first and last page of the range may hold a neighbour's bytes, which only changes their
 * page size). Changes no byte. */
void kt_huge_advise(void *p, size_t n);

/* Maps the pages of [p, p + n) writable now, when n is at least KT_HUGE_PAGE
 * (MADV_POPULATE_WRITE, Linux 5.14 and later; elsewhere nothing): for fresh memory that is read
 * before it is written, such as a hash table's slots. A fresh page that is read first is mapped
 * to the shared zero page and faults again at its first write, with a TLB flush on every CPU
 * the process runs on. Changes no byte. */
void kt_huge_prefault(void *p, size_t n);

/* n bytes (rounded up to KT_HUGE_PAGE) aligned to KT_HUGE_PAGE and advised, or NULL; not
 * cleared. Free with free(). */
void *kt_huge_alloc(size_t n);

/* Gives the whole pages inside [p, p + n) back to the kernel (they read as zero after): for a
 * range of a kt_huge_alloc block that will not be used again. */
void kt_huge_release(void *p, size_t n);

#endif
