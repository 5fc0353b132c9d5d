/* race_unaligned_second_granule: an unaligned 4-byte read (bytes 6..9 of
 * buf) whose first granule's part main has read before (seen) and whose
 * second races with T1's write of byte 8. The read is checked a granule
 * at a time (the unaligned hook's inline seen tests, then the quick check
 * of each part, interpose/tsan_abi.c's gocrace_access_split); the race in
 * the second part sends the whole read to the full check, which reports
 * it at the read's line.
 * expect-location: global buf
 */
#include "e2e.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

_Alignas(8) unsigned char buf[16];
volatile uint32_t sink;

static void *worker(void *arg)
{
	(void)arg;
	buf[8] = 1; /* race */ /* prev: T1 write size 1 */
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	pthread_t t;
	uint32_t v;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	uint16_t head;
	memcpy(&head, buf + 6, sizeof head); /* the next read's first part: seen */
	sink = head;
	memcpy(&v, buf + 6, sizeof v); /* race */ /* cur: T0 read size 4 */
	sink = v;
	e2e_post(2);
	pthread_join(t, NULL);
	return 0;
}
