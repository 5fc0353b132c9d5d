/* norace_goc_errgroup: goc_errgroup_go happens before its task starts, and
 * every task's return happens before goc_errgroup_wait returns. Main
 * writes each task's input before starting it; the tasks read it and
 * write their output; main reads and writes the outputs after wait. */
#include <goc/goc.h>

enum { TASKS = 4 };

typedef struct job {
	int in, out;
} job;

static job jobs[TASKS];

static int square(void *arg)
{
	job *j = arg;
	j->out = j->in * j->in;
	return 0;
}

int main(void)
{
	goc_errgroup *g = goc_errgroup_new();
	for (int i = 0; i < TASKS; i++) {
		jobs[i].in = i + 1;
		goc_errgroup_go(g, square, &jobs[i]);
	}
	int err = goc_errgroup_wait(g);
	int sum = 0;
	for (int i = 0; i < TASKS; i++) {
		sum += jobs[i].out;
		jobs[i].out = 0;
	}
	goc_errgroup_free(g);
	return err == 0 && sum == 30 ? 0 : 1;
}
