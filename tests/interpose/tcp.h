/*
 * tcp.h — the TCP fixtures' scaffolding: a listening socket on loopback
 * and connections to it, each end's descriptor kept.
 */
#ifndef GOC_TESTS_TCP_H
#define GOC_TESTS_TCP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

/* A listening socket on family's loopback (AF_INET6: dual stack, so that
 * IPv4 clients reach it too), its address in *sa; exits 77 when it
 * cannot be had (no such family here). */
static int tcp_listen(int family, struct sockaddr_storage *sa)
{
	int lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0)
		exit(77);
	socklen_t len;
	*sa = (struct sockaddr_storage){.ss_family = (sa_family_t)family};
	if (family == AF_INET6) {
		int off = 0;
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		((struct sockaddr_in6 *)sa)->sin6_addr = in6addr_any;
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)sa)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(struct sockaddr_in);
	}
	if (bind(lfd, (struct sockaddr *)sa, len) != 0 || listen(lfd, 8) != 0 ||
	    getsockname(lfd, (struct sockaddr *)sa, &len) != 0)
		exit(77);
	return lfd;
}

/* A connection from an IPv4 client (type: SOCK_STREAM, maybe with
 * SOCK_NONBLOCK) to lfd at port: *c the client's end, *s the accepted
 * one. A non-blocking connect may still be on its way. */
static void tcp_connect(int lfd, in_port_t port, int type, int *c, int *s)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = port,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	*c = socket(AF_INET, type, 0);
	if (*c < 0 || (connect(*c, (struct sockaddr *)&to, sizeof to) != 0 && !(type & SOCK_NONBLOCK)))
		exit(77);
	*s = accept(lfd, NULL, NULL);
	if (*s < 0)
		exit(77);
}

/* sa's port, either family. */
static in_port_t tcp_port(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
	                                 : ((const struct sockaddr_in *)sa)->sin_port;
}

#endif
