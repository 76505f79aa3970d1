/* A growable set of int64 ids (small: linear membership test). */
#ifndef KT_IVEC_H
#define KT_IVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kt_ivec {
    int64_t *v;
    size_t n, cap;
} kt_ivec;

bool kt_ivec_has(const kt_ivec *a, int64_t x);
int kt_ivec_push(kt_ivec *a, int64_t x); /* 0 or KT_ENOMEM; duplicates allowed */
int kt_ivec_add(kt_ivec *a, int64_t x);  /* adds x unless present */
void kt_ivec_sort(kt_ivec *a);
void kt_ivec_free(kt_ivec *a);

#endif
