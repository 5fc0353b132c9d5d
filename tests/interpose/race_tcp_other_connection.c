/* race_tcp_other_connection: two TCP connections over loopback. T1
 * writes data and sends on connection 1; main, after T1's send only by
 * e2e_wait (no edge), sends and receives on connection 2 and reads data.
 * Connection 2 orders nothing of connection 1's: a race. (With one key
 * for every socket, as TSan has, main's receive acquired T1's send and
 * hid it.)
 * expect-location: global data
 */
#include "e2e.h"
#include "tcp.h"

#include <pthread.h>

int data;
static int c1, s1, c2, s2;

static void *worker(void *arg)
{
	(void)arg;
	data = 4; /* race */ /* prev: T1 write */
	send(c1, "w", 1, 0);
	e2e_post(1);
	e2e_wait(2);
	return NULL;
}

int main(void)
{
	struct sockaddr_storage sa;
	int lfd = tcp_listen(AF_INET, &sa);
	tcp_connect(lfd, tcp_port(&sa), SOCK_STREAM, &c1, &s1);
	tcp_connect(lfd, tcp_port(&sa), SOCK_STREAM, &c2, &s2);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	char c;
	send(c2, "m", 1, 0);
	recv(s2, &c, 1, 0);
	int v = data; /* race */ /* cur: T0 read */
	e2e_post(2);
	pthread_join(t, NULL);
	recv(s1, &c, 1, 0);
	return v == 4 ? 0 : 1;
}
