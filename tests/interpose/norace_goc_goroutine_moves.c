/* norace_goc_goroutine_moves: a goroutine's own accesses are ordered by
 * program order even when it moves between worker threads. Two goroutines
 * play ping-pong over unbuffered channels many times (each block and
 * wake-up may resume it on another worker); each writes only its own
 * global and a local on its own stack around every exchange. */
#include <goc/goc.h>

enum { ROUNDS = 500 };

static goc_chan *ping, *pong;
static goc_waitgroup wg;
int mine_a, mine_b;

static void player_a(void *arg)
{
	(void)arg;
	volatile int local = 0;
	for (int i = 0; i < ROUNDS; i++) {
		mine_a++;
		local++;
		goc_chan_send(ping, &i);
		goc_chan_recv(pong, NULL);
		mine_a++;
		local++;
		if (i % 7 == 0)
			goc_yield();
	}
	mine_a += local;
	goc_waitgroup_done(&wg);
}

static void player_b(void *arg)
{
	(void)arg;
	volatile int local = 0;
	for (int i = 0; i < ROUNDS; i++) {
		int v;
		mine_b++;
		goc_chan_recv(ping, &v);
		local += v;
		mine_b++;
		goc_chan_send(pong, &v);
	}
	mine_b += local;
	goc_waitgroup_done(&wg);
}

int main(void)
{
	ping = goc_chan_new(sizeof(int), 0);
	pong = goc_chan_new(sizeof(int), 0);
	goc_waitgroup_add(&wg, 2);
	goc_go(player_a, NULL);
	goc_go(player_b, NULL);
	goc_waitgroup_wait(&wg);
	goc_chan_free(ping);
	goc_chan_free(pong);
	return mine_a == 4 * ROUNDS && mine_b == 2 * ROUNDS + ROUNDS * (ROUNDS - 1) / 2 ? 0 : 1;
}
