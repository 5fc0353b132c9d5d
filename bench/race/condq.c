/*
 * condq.c — the producer/consumer of chan.c on pthreads: max(T-1, 1)
 * producer threads put their share of the int64 values 0..N-1 into one
 * bounded ring of capacity 100 guarded by a mutex and two condition
 * variables (not_full, not_empty); the main thread takes N values out and
 * sums them. Every tool understands these primitives, Valgrind's included,
 * so this is the channel workload all five legs can run.
 *
 * Unit of work: one value put and taken.
 * HB: unlock before the next lock of mu (the ring's slots and counters are
 * all under mu); create/join.
 * Checksum: N(N-1)/2.
 */
#include "race.h"

#define CAP 100

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t not_full, not_empty;
	int64_t buf[CAP]; /* protected by mu, as are head and len */
	int64_t head, len;
};

struct job {
	struct queue *q;
	int64_t lo, hi;
};

static void put(struct queue *q, int64_t v)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == CAP)
		pthread_cond_wait(&q->not_full, &q->mu);
	q->buf[(q->head + q->len) % CAP] = v;
	q->len++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

static int64_t take(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == 0)
		pthread_cond_wait(&q->not_empty, &q->mu);
	int64_t v = q->buf[q->head];
	q->head = (q->head + 1) % CAP;
	q->len--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	return v;
}

static void *producer(void *arg)
{
	struct job *j = arg;

	for (int64_t v = j->lo; v < j->hi; v++)
		put(j->q, v);
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("condq", argc, argv, 1, 1000000);
	int64_t t = race_arg("condq", argc, argv, 2, 2);
	int64_t np = t > 1 ? t - 1 : 1, sum = 0;
	struct queue *q = race_calloc("condq", 1, sizeof *q);
	struct job *jobs = race_calloc("condq", (size_t)np, sizeof *jobs);
	pthread_t *tid = race_calloc("condq", (size_t)np, sizeof *tid);

	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	for (int64_t p = 0; p < np; p++)
		jobs[p] = (struct job){ q, n * p / np, n * (p + 1) / np };
	race_start("condq", tid, np, producer, jobs, sizeof *jobs);
	for (int64_t i = 0; i < n; i++)
		sum += take(q);
	race_join(tid, np);
	race_check("condq", n, t, "", sum, n * (n - 1) / 2);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->mu);
	free(tid);
	free(jobs);
	free(q);
	return 0;
}
