/*
 * lookup.c — a read-mostly lookup table: main fills a 32 KiB table
 * (2^12 int64), then 2T threads each sum the whole of it N times, with
 * nothing ordering them after their creation. Each granule is then
 * touched by one write (main's, which happens before every read) and 2T
 * unordered reads: with the default T = 2, five accesses for a granule's
 * four cells (TSan's and goc-race's), so a detector must choose what it
 * forgets; a choice two readers keep making against each other costs a
 * full check on every read. Beside that, the cost of finding an access
 * in a cell other than the first.
 *
 * Unit of work: one pass of every reader (2T * 2^12 reads).
 * HB: pthread_create and pthread_join only.
 * Checksum: 2T * N * M(M-1)/2, M = 2^12.
 */
#include "race.h"

#define M (1 << 12) /* table elements */

struct part {
	const int64_t *tab;
	int64_t passes, sum;
};

static void *reader(void *arg)
{
	struct part *p = arg;
	int64_t s = 0;

	for (int64_t n = 0; n < p->passes; n++) {
		for (int64_t j = 0; j < M; j++)
			s += p->tab[j];
		/* Keep each pass a pass: no folding of N passes into one. */
		__asm__ volatile("" ::: "memory");
	}
	p->sum = s;
	return NULL;
}

int main(int argc, char **argv)
{
	int64_t n = race_arg("lookup", argc, argv, 1, 200000);
	int64_t t = race_arg("lookup", argc, argv, 2, 2);
	int64_t readers = 2 * t;
	int64_t *tab = race_calloc("lookup", M, sizeof *tab);
	struct part *parts = race_calloc("lookup", (size_t)readers, sizeof *parts);
	pthread_t *tid = race_calloc("lookup", (size_t)readers, sizeof *tid);

	for (int64_t j = 0; j < M; j++)
		tab[j] = j;
	for (int64_t k = 0; k < readers; k++)
		parts[k] = (struct part){ tab, n, 0 };
	race_start("lookup", tid, readers, reader, parts, sizeof *parts);
	race_join(tid, readers);

	int64_t sum = 0;
	for (int64_t k = 0; k < readers; k++)
		sum += parts[k].sum;
	char extra[32];
	snprintf(extra, sizeof extra, "readers=%" PRId64, readers);
	race_check("lookup", n, t, extra, sum, readers * n * ((int64_t)M * (M - 1) / 2));
	free(tid);
	free(parts);
	free(tab);
	return 0;
}
