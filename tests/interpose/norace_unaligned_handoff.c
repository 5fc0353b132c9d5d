/* norace_unaligned_handoff: unaligned 8-byte words (each across two
 * granules) written by a thread and read by main after a mutex handoff,
 * then written by main: every part is ordered, so the quick check of each
 * part (interpose/tsan_abi.c's gocrace_access_split) stores it without a
 * report, and main's narrower reads of bytes its own words cover are
 * seen in them.
 */
#include "e2e.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

_Alignas(8) unsigned char buf[64];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ready;
volatile uint64_t sink;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (int i = 1; i + 8 <= 64; i += 8) {
		uint64_t w = (uint64_t)i * 0x0101010101010101u;
		memcpy(buf + i, &w, sizeof w);
	}
	ready = 1;
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	for (int done = 0; !done;) {
		pthread_mutex_lock(&mu);
		done = ready;
		pthread_mutex_unlock(&mu);
	}
	uint64_t sum = 0;
	for (int i = 1; i + 8 <= 64; i += 8) {
		uint64_t w;
		memcpy(&w, buf + i, sizeof w);
		sum += w;
		w = ~w;
		memcpy(buf + i, &w, sizeof w);
		uint16_t h;
		memcpy(&h, buf + i + 1, sizeof h);
		sum += h;
	}
	sink = sum;
	pthread_join(t, NULL);
	return 0;
}
