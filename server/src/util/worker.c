#include "util/worker.h"

#include "util/err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct kt_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    kt_job *todo_head, *todo_tail, *done;
    bool stopping;
    void (*wake)(void *arg);
    void *wake_arg;
};

static void *worker_main(void *arg)
{
    kt_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->todo_head && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->stopping)
            break;
        kt_job *job = w->todo_head;
        w->todo_head = job->next;
        if (!w->todo_head)
            w->todo_tail = NULL;
        pthread_mutex_unlock(&w->lock);
        job->run(job);
        pthread_mutex_lock(&w->lock);
        job->next = w->done;
        w->done = job;
        if (w->wake)
            w->wake(w->wake_arg);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

kt_worker *kt_worker_start(void (*wake)(void *arg), void *wake_arg)
{
    kt_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->wake = wake;
    w->wake_arg = wake_arg;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w)) {
        free(w);
        return NULL;
    }
    return w;
}

int kt_worker_submit(kt_worker *w, kt_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->todo_tail)
        w->todo_tail->next = job;
    else
        w->todo_head = job;
    w->todo_tail = job;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

void kt_worker_drain(kt_worker *w)
{
    pthread_mutex_lock(&w->lock);
    kt_job *done = w->done;
    w->done = NULL;
    pthread_mutex_unlock(&w->lock);
    /* Finished jobs come out newest first: reverse to keep submission order. */
    kt_job *ordered = NULL;
    while (done) {
        kt_job *next = done->next;
        done->next = ordered;
        ordered = done;
        done = next;
    }
    while (ordered) {
        kt_job *next = ordered->next;
        ordered->done(ordered);
        ordered = next;
    }
}

void kt_worker_stop(kt_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    kt_worker_drain(w);
    kt_job *job = w->todo_head;
    while (job) {
        kt_job *next = job->next;
        job->done(job);
        job = next;
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
}
