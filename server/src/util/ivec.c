#include "util/ivec.h"

#include "util/err.h"

#include <stdlib.h>

bool kt_ivec_has(const kt_ivec *a, int64_t x)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i] == x)
            return true;
    return false;
}

int kt_ivec_push(kt_ivec *a, int64_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        int64_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return KT_ENOMEM;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

int kt_ivec_add(kt_ivec *a, int64_t x)
{
    return kt_ivec_has(a, x) ? 0 : kt_ivec_push(a, x);
}

static int cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

void kt_ivec_sort(kt_ivec *a)
{
    if (a->n > 1)
        qsort(a->v, a->n, sizeof *a->v, cmp);
}

void kt_ivec_free(kt_ivec *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}
