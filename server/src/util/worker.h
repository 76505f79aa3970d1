/* A worker thread for CPU-heavy jobs that must not stall the event loop (argon2id hashing, the
 * detectors' aside index build, the digest). run() executes on the worker; done() back on the
 * loop thread, called from kt_worker_drain() after the worker woke the loop with the wake
 * function it was given (the app's wake, which is net/'s kt_server_wake). Jobs run one at a
 * time, in order, which also bounds argon2's memory to one hash at a time. A utility: it knows
 * nothing of the network layer, so the layers below net/ may use it. */
#ifndef KT_WORKER_H
#define KT_WORKER_H

typedef struct kt_worker kt_worker;

typedef struct kt_job {
    void (*run)(struct kt_job *job);  /* worker thread */
    void (*done)(struct kt_job *job); /* loop thread; owns and frees the job */
    struct kt_job *next;
} kt_job;

/* wake(wake_arg) is called on the worker thread after each finished job; it must be thread-safe. */
kt_worker *kt_worker_start(void (*wake)(void *arg), void *wake_arg);
/* Queues job (ownership passes to the worker until done() is called). 0 or KT_ENOMEM. */
int kt_worker_submit(kt_worker *w, kt_job *job);
/* Loop thread: calls done() for every finished job. */
void kt_worker_drain(kt_worker *w);
/* Stops the thread after the current job; finished and unstarted jobs get done() called. */
void kt_worker_stop(kt_worker *w);

#endif
