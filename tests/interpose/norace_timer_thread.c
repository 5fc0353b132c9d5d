/* norace_timer_thread: a timer_create(SIGEV_THREAD) timer fired three
 * times. glibc runs each notify call on a thread it creates itself; what
 * main set up before timer_create, and what a notify call did before main
 * re-armed the timer (a semaphore to main, then timer_settime), happen
 * before the next call. Regressions: the notify threads were threads the
 * runtime never saw start, ordered with nothing (false races); and
 * libunwind's mask save and restore, through glibc, unblocked signal 32
 * in glibc's timer thread, so the second expiry killed the process.
 * Exits 1 when a value is wrong. */
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static long setup, count;
static sem_t fired;

static void notify(union sigval v)
{
	count += setup + (long)v.sival_int;
	sem_post(&fired);
}

int main(void)
{
	sem_init(&fired, 0, 0);
	setup = 10;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = notify;
	ev.sigev_value.sival_int = 1;
	timer_t t;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0)
		return 1;
	struct itimerspec once = {{0, 0}, {0, 2 * 1000 * 1000}};
	for (int i = 0; i < 3; i++) {
		if (timer_settime(t, 0, &once, NULL) != 0)
			return 1;
		sem_wait(&fired);
	}
	timer_delete(t);
	return count == 33 ? 0 : 1;
}
