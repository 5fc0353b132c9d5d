/* norace_sync_object_lifetime: every pthread object used by a thread and
 * then destroyed by main (and its memory freed), each destroy ordered
 * after the thread's last use of the object by that object alone: the
 * read an unlock, post or barrier arrival makes of the object comes
 * before its release, and a signal made before the unlock is ordered by
 * the mutex. The thread runs first (e2e), and main acquires the objects
 * in the order the thread released them, so a read recorded after its
 * release would be reported.
 */
#include "e2e.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

struct obj {
	pthread_rwlock_t rw;
	pthread_spinlock_t sp;
	sem_t sem;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_barrier_t bar;
	int refs, done, value;
};

static struct obj *o;

static void *worker(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&o->rw);
	int v = o->value;
	pthread_rwlock_unlock(&o->rw);
	pthread_spin_lock(&o->sp);
	o->value = v + 1;
	pthread_spin_unlock(&o->sp);
	sem_post(&o->sem);
	/* drop a reference, and signal before unlocking */
	pthread_mutex_lock(&o->mu);
	o->refs--;
	o->done = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	e2e_post(1);
	pthread_barrier_wait(&o->bar);
	return NULL;
}

int main(void)
{
	o = calloc(1, sizeof *o);
	pthread_rwlock_init(&o->rw, NULL);
	pthread_spin_init(&o->sp, PTHREAD_PROCESS_PRIVATE);
	sem_init(&o->sem, 0, 0);
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	pthread_barrier_init(&o->bar, NULL, 2);
	o->refs = 2;
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_detach(t);
	e2e_wait(1);
	pthread_rwlock_wrlock(&o->rw);
	pthread_rwlock_unlock(&o->rw);
	pthread_rwlock_destroy(&o->rw);
	pthread_spin_lock(&o->sp);
	pthread_spin_unlock(&o->sp);
	pthread_spin_destroy(&o->sp);
	sem_wait(&o->sem);
	sem_destroy(&o->sem);
	pthread_mutex_lock(&o->mu);
	while (!o->done)
		pthread_cond_wait(&o->cv, &o->mu);
	int last = --o->refs == 0;
	pthread_mutex_unlock(&o->mu);
	pthread_cond_destroy(&o->cv);
	if (last)
		pthread_mutex_destroy(&o->mu);
	pthread_barrier_wait(&o->bar);
	pthread_barrier_destroy(&o->bar);
	free(o);
	return 0;
}
