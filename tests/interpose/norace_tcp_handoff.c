/* norace_tcp_handoff: data handed over TCP connections, each send
 * ordering what its thread wrote before the receive at the other end,
 * whatever else the connections do:
 *   - a blocking connection, client to server (both ends paired with
 *     their connection's key at connect and accept);
 *   - a non-blocking connect, server to client: the client's end is
 *     paired at its first receive, and must find the server end's key;
 *   - an IPv4 client of a dual-stack IPv6 server (the accepted end sees
 *     its addresses as IPv4-mapped IPv6), server to client.
 * A third connection carries traffic of its own meanwhile. Exits 77 (a
 * skip) when loopback TCP cannot be had.
 */
#include "e2e.h"
#include "tcp.h"

#include <poll.h>
#include <pthread.h>

int one, two, three;
static int c1, s1, c2, s2, c3, s3, c4, s4;

static void *worker(void *arg)
{
	(void)arg;
	one = 1;
	send(c1, "1", 1, 0);
	two = 2;
	send(s2, "2", 1, 0);
	three = 3;
	send(s3, "3", 1, 0);
	send(c4, "x", 1, 0);
	return NULL;
}

int main(void)
{
	struct sockaddr_storage sa, sa6;
	int lfd = tcp_listen(AF_INET, &sa);
	tcp_connect(lfd, tcp_port(&sa), SOCK_STREAM, &c1, &s1);
	tcp_connect(lfd, tcp_port(&sa), SOCK_STREAM | SOCK_NONBLOCK, &c2, &s2);
	tcp_connect(lfd, tcp_port(&sa), SOCK_STREAM, &c4, &s4);
	int lfd6 = tcp_listen(AF_INET6, &sa6);
	tcp_connect(lfd6, tcp_port(&sa6), SOCK_STREAM, &c3, &s3);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	char c;
	int sum = 0;
	if (recv(s1, &c, 1, 0) == 1)
		sum += one;
	struct pollfd p = {.fd = c2, .events = POLLIN};
	while (recv(c2, &c, 1, 0) != 1)
		poll(&p, 1, -1);
	sum += two;
	if (recv(c3, &c, 1, 0) == 1)
		sum += three;
	recv(s4, &c, 1, 0);
	pthread_join(t, NULL);
	return sum == 6 ? 0 : 1;
}
