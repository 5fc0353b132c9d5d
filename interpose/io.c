/*
 * io.c — file descriptors as synchronisation, and the buffers of I/O
 * calls as accesses (TSan's model of them).
 *
 * Edges. Data written to a pipe, socket, eventfd or file and read back by
 * another thread orders the writer's past before the reader's future: a
 * pointer sent through a pipe, an eventfd wake-up, an epoll registration
 * whose data the waiter uses. So each descriptor the program creates has
 * a key (an address the detector keeps a clock at), and every write-like
 * call release-merges into its key before the real call, every read-like
 * call acquires it after a successful one:
 *   pipe, pipe2, socketpair  one new key, shared by both ends;
 *   eventfd, epoll_create*   a new key each (epoll_ctl ADD and MOD
 *                            release into the epoll descriptor's key,
 *                            epoll_wait and epoll_pwait acquire it when
 *                            they return events; and a write on a
 *                            descriptor the instance watches releases
 *                            into it too, below, "Readiness");
 *   socket, accept*, connect one key for every socket, as in TSan,
 *                            but TCP ones: a TCP connection's two ends
 *                            share a key of their own (below, "TCP
 *                            connections"); connect releases the shared
 *                            key, accept acquires it;
 *   open*, creat*,           one key for every file;
 *   mk*stemp*, fopen*,
 *   tmpfile*
 *   dup, dup2, dup3, fcntl   the new descriptor shares the old one's key;
 *   (F_DUPFD*)
 *   close, fclose, pclose,   the descriptor forgets its key (a key no
 *   closedir, close_range,   descriptor holds any more is forgotten).
 *   closefrom
 * poll, ppoll, select and pselect acquire the key of each descriptor they
 * report ready (below, "Readiness").
 * The _FORTIFY_SOURCE variants (__read_chk, __open_2, ...) are the same.
 * A descriptor the runtime did not see created (inherited, or from a
 * call not listed) has no key and orders nothing, as in TSan.
 *
 * Accesses. A write-like call reads its buffers (all count bytes, before
 * the release: the kernel has copied them before any reader can see
 * them), a read-like call writes the bytes it received (after the
 * acquire), at the call's line.
 *
 * The descriptor itself: each has a word (its slot's key) that every use
 * reads and close writes, so a close racing with another thread's use is
 * a race, located at "file descriptor N" (TSan's). fstat's use is
 * libcout.c's (gocrace_fd_use).
 *
 * Not modelled: stdio's FILE streams as edges (glibc reads and writes
 * them by internal names; their buffers are stdio.c's), aio.
 *
 * State: the descriptor table (fd → key index), mmapped on first use and
 * published once (a release CAS, acquire loads); its entries, and the keys'
 * reference counts and free list, are written under keys_lock (taken with
 * the guard raised: a handler that closes a descriptor waits, and reset in
 * a fork child, whose holder is gone). The entries are read without the
 * lock (relaxed): a read or write racing with the close of its own
 * descriptor is the program's bug, and at worst misses or adds one edge.
 * A key is forgotten, under the lock, before it goes back on the free
 * list.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- keys --------------------------------------------------------------- */

/* A key is an index into key_refs; its address there is the detector's
 * sync address (runtime memory: never a program's object). 0: no key;
 * the shared keys are never counted or freed; past KEYS live keys a
 * new descriptor shares KEY_OVERFLOW (more order than there is, never a
 * false race). */
enum {
	KEY_NONE, KEY_SOCKETS, KEY_FILES, KEY_OVERFLOW,
	KEY_STREAM, /* a TCP end not paired yet: KEY_SOCKETS's clock ("TCP connections") */
	KEY_FIRST_OWN, KEYS = 1 << 16
};

static uint32_t key_refs[KEYS];      /* keys_lock */
/* The epoll instance that last added an own key's descriptor to watch
 * it for reading (epoll_ctl ADD or MOD; DEL and the key's end clear it),
 * as a link: the instance's key in the low 16 bits, that key's generation
 * (key_gen) in the high ones; KEY_NONE for none. A write-like call on the
 * key releases into the instance's key too, while the generation still
 * matches: once the instance's key is forgotten (its descriptor closed)
 * and handed out again, the link is dead, and would otherwise order
 * writes before a stranger's reads. Relaxed: a link read a little late
 * (a write racing with its epoll_ctl) is the program's own race. */
static _Atomic uint32_t key_polled[KEYS];
/* Each key's generation: counts the times it was forgotten (keys_lock;
 * read relaxed by release_key, see key_polled). */
static _Atomic uint32_t key_gen[KEYS];
static uint32_t key_free[KEYS];      /* keys_lock: freed keys, a stack */
static uint32_t nfree;               /* keys_lock */
static uint32_t key_next = KEY_FIRST_OWN; /* keys_lock */
static atomic_int keys_lock;

#define FD_MAX (1 << 20)

/* One descriptor: its key, and where it was made. The key word's first
 * byte also stands for the descriptor itself: a use reads it, a close
 * writes it, so a close racing with another thread's use is a race
 * (TSan's), reported at "file descriptor N" (gocrace_fd_describe). Its
 * shadow starts afresh when the number is made again or closed. */
typedef struct fd_slot {
	_Atomic uint32_t key;
	det_ctx made_at; /* keys_lock */
} fd_slot;

static _Atomic(fd_slot *) fd_table; /* FD_MAX slots, mmapped once */

static inline const void *key_addr(uint32_t k)
{
	return &key_refs[k == KEY_STREAM ? KEY_SOCKETS : k];
}

static inline bool key_counted(uint32_t k)
{
	return k >= KEY_FIRST_OWN;
}

/* The table, mapped on first use (NULL if that fails: no edges then). */
static fd_slot *table(void)
{
	fd_slot *t = atomic_load_explicit(&fd_table, memory_order_acquire);
	if (GOCRACE_LIKELY(t != NULL))
		return t;
	void *m = mmap(NULL, FD_MAX * sizeof *t, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	fd_slot *none = NULL;
	if (!atomic_compare_exchange_strong_explicit(&fd_table, &none, m, memory_order_acq_rel,
	                                             memory_order_acquire)) {
		munmap(m, FD_MAX * sizeof *t);
		return none;
	}
	return m;
}

/* fd's slot, NULL past the table or before it exists. */
static fd_slot *slot_of(int fd)
{
	fd_slot *t = atomic_load_explicit(&fd_table, memory_order_acquire);
	if (t == NULL || fd < 0 || fd >= FD_MAX)
		return NULL;
	return &t[fd];
}

/* fd's key, KEY_NONE for a descriptor the runtime did not see made. */
static uint32_t key_of(int fd)
{
	fd_slot *s = slot_of(fd);
	return s != NULL ? atomic_load_explicit(&s->key, memory_order_relaxed) : KEY_NONE;
}

bool gocrace_fd_describe(uintptr_t addr, int *fd, det_ctx *made_at)
{
	fd_slot *t = atomic_load_explicit(&fd_table, memory_order_acquire);
	if (t == NULL || addr < (uintptr_t)t || addr >= (uintptr_t)(t + FD_MAX))
		return false;
	size_t i = (addr - (uintptr_t)t) / sizeof *t;
	*fd = (int)i;
	*made_at = t[i].made_at;
	return true;
}

/* A new key with no references (keys_lock held). */
static uint32_t key_new_locked(void)
{
	if (nfree > 0)
		return key_free[--nfree];
	if (key_next < KEYS)
		return key_next++;
	return KEY_OVERFLOW;
}

static void conn_forget_locked(uint32_t k);

static void forget_key(uint32_t k)
{
	conn_forget_locked(k);
	gocrace_forget(key_addr(k), 1);
	/* relaxed: see key_polled */
	atomic_store_explicit(&key_polled[k], KEY_NONE, memory_order_relaxed);
	atomic_fetch_add_explicit(&key_gen[k], 1, memory_order_relaxed);
}

/* The link to epoll instance key ep, in its current generation. */
static uint32_t poll_link(uint32_t ep)
{
	return ep | (atomic_load_explicit(&key_gen[ep], memory_order_relaxed) & 0xffff) << 16;
}

/* Drops one reference to k (keys_lock held). A key no descriptor holds
 * is forgotten before it can be handed out again. */
static void key_unref_locked(uint32_t k)
{
	if (!key_counted(k) || --key_refs[k] != 0)
		return;
	forget_key(k);
	key_free[nfree++] = k;
}

/* fd now holds k, made at made_at (its old key, if any, is dropped). The
 * caller holds a reference to k for it, and the guard. */
static void fd_set_locked(int fd, uint32_t k, det_ctx made_at)
{
	fd_slot *t = table();
	if (t == NULL || fd < 0 || fd >= FD_MAX) {
		key_unref_locked(k);
		return;
	}
	uint32_t old = atomic_exchange_explicit(&t[fd].key, k, memory_order_relaxed);
	t[fd].made_at = made_at;
	det_reset_range((uintptr_t)&t[fd].key, 1);
	if (old != KEY_NONE)
		key_unref_locked(old);
}

/* Where t is, at pc (0 without a thread), with the guard raised. */
static det_ctx made_here(det_thread *t, uintptr_t pc)
{
	return t != NULL ? det_ctx_current(t, pc) : 0;
}

/* The n descriptors fds[] (the ends of one pipe, say), made by t at pc,
 * share one key: a new own one when own, else the shared key k. */
static void fds_made(det_thread *t, const int *fds, int n, bool own, uint32_t k, uintptr_t pc)
{
	gocrace_guard();
	det_ctx at = made_here(t, pc);
	gocrace_spin_take(&keys_lock);
	if (own) {
		k = key_new_locked();
		if (key_counted(k))
			key_refs[k] = (uint32_t)n;
	}
	for (int i = 0; i < n; i++)
		fd_set_locked(fds[i], k, at);
	gocrace_spin_drop(&keys_lock);
	gocrace_unguard();
}

static void fd_made(det_thread *t, int fd, bool own, uint32_t k, uintptr_t pc)
{
	fds_made(t, &fd, 1, own, k, pc);
}

/* fd is closed by t at pc: a write of its word (not when t is NULL: by
 * the runtime, or by a call that may close a number the runtime saw
 * closed and made again unseen), then its key loses a reference. */
static void fd_closed(det_thread *t, int fd, uintptr_t pc)
{
	fd_slot *s = slot_of(fd);
	if (s == NULL)
		return;
	if (t != NULL)
		gocrace_range_access(t, &s->key, 1, pc, DET_WRITE);
	gocrace_guard();
	det_reset_range((uintptr_t)&s->key, 1);
	gocrace_spin_take(&keys_lock);
	uint32_t old = atomic_exchange_explicit(&s->key, KEY_NONE, memory_order_relaxed);
	if (old != KEY_NONE)
		key_unref_locked(old);
	gocrace_spin_drop(&keys_lock);
	gocrace_unguard();
}

/* newfd is a copy of oldfd (dup) made by t at pc: it shares oldfd's key,
 * read under the lock (a close of oldfd at the same time may have just
 * dropped it). */
static void fd_copied(det_thread *t, int oldfd, int newfd, uintptr_t pc)
{
	if (key_of(oldfd) == KEY_NONE && key_of(newfd) == KEY_NONE)
		return;
	gocrace_guard();
	det_ctx at = made_here(t, pc);
	gocrace_spin_take(&keys_lock);
	uint32_t k = key_of(oldfd);
	if (k == KEY_NONE) {
		/* whatever newfd was, it is not that any more */
		fd_slot *s = slot_of(newfd);
		uint32_t old = s != NULL ? atomic_exchange_explicit(&s->key, KEY_NONE,
		                                                    memory_order_relaxed)
		                         : KEY_NONE;
		if (old != KEY_NONE)
			key_unref_locked(old);
	} else {
		if (key_counted(k))
			key_refs[k]++;
		fd_set_locked(newfd, k, at);
	}
	gocrace_spin_drop(&keys_lock);
	gocrace_unguard();
}

/* ---- TCP connections ---------------------------------------------------- */

/* The two ends of a TCP connection share a key of their own: the key of
 * its pair of addresses (getsockname and getpeername on each end; the
 * pair is the same from both ends, whichever way round), so that a
 * handoff on one connection orders nothing on another. (TSan gives every
 * socket one key; so did goc-race.) An end is paired at connect and at
 * accept, or, when the connection was not up then (a non-blocking
 * connect), at its first use once it is; until then it is KEY_STREAM,
 * which is KEY_SOCKETS's clock. A paired end's write releases into its
 * key alone; its read acquires its key and KEY_SOCKETS, so that a write
 * an unpaired end made (one not up yet when it wrote, or not seen made)
 * is still ordered before it. Unix and datagram sockets keep KEY_SOCKETS:
 * the ends of two connections to one Unix path have the same addresses.
 *
 * conns: connection id (conn_id) → key, open addressing; id 0 is an
 * empty entry, CONN_GONE one whose key was forgotten. keys_lock. */
enum { CONNS = 4096, CONN_GONE = 1 };
static struct {
	uint64_t id;
	uint32_t key;
} conns[CONNS];
/* The connection each key stands for (0: none). Written under keys_lock,
 * read relaxed by acquire_key. */
static _Atomic uint64_t key_conn[KEYS];

/* An IPv4 or IPv6 address and port as 18 bytes, IPv4 as IPv4-mapped IPv6
 * (an end accepted on a dual-stack socket sees its peer so); false for
 * another family. (Builtins, inlined: libc's names are the runtime's
 * wrappers, which would record the copies.) */
static bool conn_addr(const struct sockaddr_storage *a, unsigned char out[18])
{
	__builtin_memset(out, 0, 18);
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		out[10] = out[11] = 0xff;
		__builtin_memcpy(out + 12, &in->sin_addr, 4);
		__builtin_memcpy(out + 16, &in->sin_port, 2);
		return true;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
		__builtin_memcpy(out, &in6->sin6_addr, 16);
		__builtin_memcpy(out + 16, &in6->sin6_port, 2);
		return true;
	}
	return false;
}

static uint64_t conn_hash(const unsigned char b[18])
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (int i = 0; i < 18; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* fd's connection id, the same from both ends; 0 when fd is not a
 * connected IPv4 or IPv6 socket. Raw system calls: the wrappers are the
 * program's, and would record their buffers. */
static uint64_t conn_id(int fd)
{
	struct sockaddr_storage a, b;
	socklen_t al = sizeof a, bl = sizeof b;
	unsigned char na[18], nb[18];
	if (syscall(SYS_getsockname, fd, &a, &al) != 0 ||
	    syscall(SYS_getpeername, fd, &b, &bl) != 0 || !conn_addr(&a, na) || !conn_addr(&b, nb))
		return 0;
	uint64_t ha = conn_hash(na), hb = conn_hash(nb);
	uint64_t id = (ha < hb ? ha : hb) * 0x9e3779b97f4a7c15ull ^ (ha < hb ? hb : ha);
	return id > CONN_GONE ? id : id + 2;
}

/* Whether fd is a TCP socket (IPv4 or IPv6, stream). */
static bool conn_tcp(int fd)
{
	int type;
	socklen_t tl = sizeof type;
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	return syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	       type == SOCK_STREAM && syscall(SYS_getsockname, fd, &a, &al) == 0 &&
	       (a.ss_family == AF_INET || a.ss_family == AF_INET6);
}

/* k is gone: its connection too (keys_lock held). */
static void conn_forget_locked(uint32_t k)
{
	uint64_t id = atomic_load_explicit(&key_conn[k], memory_order_relaxed);
	if (id == 0)
		return;
	atomic_store_explicit(&key_conn[k], 0, memory_order_relaxed);
	for (uint32_t n = 0, i = (uint32_t)(id >> 52) & (CONNS - 1); n < CONNS;
	     n++, i = (i + 1) & (CONNS - 1))
		if (conns[i].id == id) {
			conns[i].id = CONN_GONE;
			return;
		}
}

/* The key of connection id, made if new, with one more reference
 * (keys_lock held); KEY_STREAM when there is no room. */
static uint32_t conn_key_locked(uint64_t id)
{
	uint32_t i = (uint32_t)(id >> 52) & (CONNS - 1), free_at = CONNS;
	for (uint32_t n = 0; n < CONNS; n++, i = (i + 1) & (CONNS - 1)) {
		if (conns[i].id == id) {
			key_refs[conns[i].key]++;
			return conns[i].key;
		}
		if (conns[i].id <= CONN_GONE && free_at == CONNS)
			free_at = i;
		if (conns[i].id == 0)
			break;
	}
	if (free_at == CONNS)
		return KEY_STREAM;
	uint32_t k = key_new_locked();
	if (!key_counted(k))
		return KEY_STREAM;
	key_refs[k] = 1;
	conns[free_at].id = id;
	conns[free_at].key = k;
	atomic_store_explicit(&key_conn[k], id, memory_order_relaxed);
	return k;
}

/* fd, an end still KEY_STREAM, paired if its connection is up: its key
 * now (KEY_STREAM if not; whatever it became if it was closed or made
 * again meanwhile, KEY_NONE among them). Takes the guard and keys_lock. */
static uint32_t conn_pair(int fd)
{
	int err = errno; /* the program's */
	uint64_t id = conn_id(fd);
	errno = err;
	if (id == 0)
		return KEY_STREAM;
	gocrace_guard();
	gocrace_spin_take(&keys_lock);
	fd_slot *s = slot_of(fd);
	uint32_t k = s != NULL ? atomic_load_explicit(&s->key, memory_order_relaxed) : KEY_NONE;
	if (k == KEY_STREAM) { /* not closed or made again meanwhile */
		k = conn_key_locked(id);
		atomic_store_explicit(&s->key, k, memory_order_relaxed);
	}
	gocrace_spin_drop(&keys_lock);
	gocrace_unguard();
	return k;
}

void gocrace_io_fork_child(void)
{
	atomic_store_explicit(&keys_lock, 0, memory_order_relaxed);
}

/* ---- edges and buffers ------------------------------------------------- */

/* A use of fd by t at pc (a read of its word), then the release into its
 * key: a write-like call's. */
static void release_key(det_thread *t, int fd, uintptr_t pc)
{
	fd_slot *s = slot_of(fd);
	uint32_t k = s != NULL ? atomic_load_explicit(&s->key, memory_order_relaxed) : KEY_NONE;
	if (k == KEY_NONE)
		return;
	if (GOCRACE_UNLIKELY(k == KEY_STREAM) && (k = conn_pair(fd)) == KEY_NONE)
		return; /* closed meanwhile */
	gocrace_range_access(t, &s->key, 1, pc, DET_READ);
	gocrace_release_merge(t, key_addr(k));
	/* relaxed: see key_polled */
	uint32_t link = atomic_load_explicit(&key_polled[k], memory_order_relaxed);
	uint32_t ep = link & 0xffff;
	if (ep != KEY_NONE && poll_link(ep) == link)
		gocrace_release_merge(t, key_addr(ep));
}

/* The acquire of fd's key, then the use: a read-like call's. */
static void acquire_key(det_thread *t, int fd, uintptr_t pc)
{
	fd_slot *s = slot_of(fd);
	uint32_t k = s != NULL ? atomic_load_explicit(&s->key, memory_order_relaxed) : KEY_NONE;
	if (k == KEY_NONE)
		return;
	if (GOCRACE_UNLIKELY(k == KEY_STREAM) && (k = conn_pair(fd)) == KEY_NONE)
		return; /* closed meanwhile */
	gocrace_acquire(t, key_addr(k));
	/* a paired end: also what unpaired ends wrote ("TCP connections") */
	if (atomic_load_explicit(&key_conn[k], memory_order_relaxed) != 0)
		gocrace_acquire(t, key_addr(KEY_SOCKETS));
	gocrace_range_access(t, &s->key, 1, pc, DET_READ);
}

void gocrace_fd_use(int fd, uintptr_t pc)
{
	det_thread *t = gocrace_thr();
	fd_slot *s = t != NULL ? slot_of(fd) : NULL;
	if (s == NULL || atomic_load_explicit(&s->key, memory_order_relaxed) == KEY_NONE)
		return;
	int err = errno;
	gocrace_range_access(t, &s->key, 1, pc, DET_READ);
	errno = err;
}

/* A write-like call on fd by t at pc: its buffer was read, then the
 * release. */
static void before_write(det_thread *t, int fd, const void *buf, size_t n, uintptr_t pc)
{
	if (n != 0)
		gocrace_range_access(t, buf, n, pc, DET_READ);
	release_key(t, fd, pc);
}

/* A read-like call on fd that returned r: the acquire, then n received
 * bytes written at buf. */
static void after_read(det_thread *t, int fd, ssize_t r, void *buf, size_t n, uintptr_t pc)
{
	if (r < 0)
		return;
	acquire_key(t, fd, pc);
	if (n != 0)
		gocrace_range_access(t, buf, n, pc, DET_WRITE);
}

/* The iovecs' buffers: read (write-like calls, all of them) or written
 * (read-like, the first got bytes). */
static void iov_access(det_thread *t, const struct iovec *iov, int cnt, size_t got,
                       uintptr_t pc, unsigned flags)
{
	if (gocrace_in_libgoc(pc) || cnt <= 0)
		return;
	gocrace_access(t, iov, (size_t)cnt * sizeof *iov, pc, DET_READ);
	for (int i = 0; i < cnt && got > 0; i++) {
		size_t n = iov[i].iov_len < got ? iov[i].iov_len : got;
		if (n != 0)
			gocrace_access(t, iov[i].iov_base, n, pc, flags);
		got -= n;
	}
}

static void before_writev(det_thread *t, int fd, const struct iovec *iov, int cnt, uintptr_t pc)
{
	iov_access(t, iov, cnt, SIZE_MAX, pc, DET_READ);
	release_key(t, fd, pc);
}

static void after_readv(det_thread *t, int fd, ssize_t r, const struct iovec *iov, int cnt,
                        uintptr_t pc)
{
	if (r < 0)
		return;
	acquire_key(t, fd, pc);
	iov_access(t, iov, cnt, (size_t)r, pc, DET_WRITE);
}

/* ---- reads and writes ---------------------------------------------------- */

/* The wrappers are named io_NAME and exported as the symbol they stand
 * for (GOCRACE_RESOLVE_AS). */

#define WRITE_WRAPPER(name, sym, params, args)                                \
	GOCRACE_REAL(ssize_t, io_##name, int, const void *, size_t params);       \
	GOCRACE_EXPORT ssize_t io_##name(int fd, const void *buf, size_t n params) \
		__asm__(sym);                                                         \
	ssize_t io_##name(int fd, const void *buf, size_t n params)               \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		det_thread *t = gocrace_thr();                                        \
		if (t != NULL)                                                        \
			before_write(t, fd, buf, n, GOCRACE_CALLER_PC());                 \
		return real_io_##name(fd, buf, n args);                               \
	}

#define READ_WRAPPER(name, sym, params, args)                                 \
	GOCRACE_REAL(ssize_t, io_##name, int, void *, size_t params);             \
	GOCRACE_EXPORT ssize_t io_##name(int fd, void *buf, size_t n params)      \
		__asm__(sym);                                                         \
	ssize_t io_##name(int fd, void *buf, size_t n params)                     \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		det_thread *t = gocrace_thr();                                        \
		ssize_t r = real_io_##name(fd, buf, n args);                          \
		/* MSG_TRUNC: r may be more than was stored */                    \
		if (t != NULL)                                                        \
			after_read(t, fd, r, buf, r <= 0 ? 0 : (size_t)r < n ? (size_t)r : n, \
			           GOCRACE_CALLER_PC());                                  \
		return r;                                                             \
	}

WRITE_WRAPPER(write, "write", , )
WRITE_WRAPPER(pwrite, "pwrite", P_(off_t off), P_(off))
WRITE_WRAPPER(pwrite64, "pwrite64", P_(off_t off), P_(off))
WRITE_WRAPPER(send, "send", P_(int flags), P_(flags))
WRITE_WRAPPER(sendto, "sendto", P_(int flags, const struct sockaddr *to, socklen_t tolen),
              P_(flags, to, tolen))
READ_WRAPPER(read, "read", , )
READ_WRAPPER(pread, "pread", P_(off_t off), P_(off))
READ_WRAPPER(pread64, "pread64", P_(off_t off), P_(off))
READ_WRAPPER(recv, "recv", P_(int flags), P_(flags))
READ_WRAPPER(recvfrom, "recvfrom", P_(int flags, struct sockaddr *from, socklen_t *fromlen),
             P_(flags, from, fromlen))
/* _FORTIFY_SOURCE's (the real one checks buflen) */
READ_WRAPPER(read_chk, "__read_chk", P_(size_t buflen), P_(buflen))
READ_WRAPPER(pread_chk, "__pread_chk", P_(off_t off, size_t buflen), P_(off, buflen))
READ_WRAPPER(pread64_chk, "__pread64_chk", P_(off_t off, size_t buflen), P_(off, buflen))
READ_WRAPPER(recv_chk, "__recv_chk", P_(size_t buflen, int flags), P_(buflen, flags))
READ_WRAPPER(recvfrom_chk, "__recvfrom_chk",
             P_(size_t buflen, int flags, struct sockaddr *from, socklen_t *fromlen),
             P_(buflen, flags, from, fromlen))

#define WRITEV_WRAPPER(name, sym, params, args)                               \
	GOCRACE_REAL(ssize_t, io_##name, int, const struct iovec *, int params);  \
	GOCRACE_EXPORT ssize_t io_##name(int fd, const struct iovec *iov,         \
	                                 int cnt params) __asm__(sym);            \
	ssize_t io_##name(int fd, const struct iovec *iov, int cnt params)        \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		det_thread *t = gocrace_thr();                                        \
		if (t != NULL)                                                        \
			before_writev(t, fd, iov, cnt, GOCRACE_CALLER_PC());              \
		return real_io_##name(fd, iov, cnt args);                             \
	}

#define READV_WRAPPER(name, sym, params, args)                                \
	GOCRACE_REAL(ssize_t, io_##name, int, const struct iovec *, int params);  \
	GOCRACE_EXPORT ssize_t io_##name(int fd, const struct iovec *iov,         \
	                                 int cnt params) __asm__(sym);            \
	ssize_t io_##name(int fd, const struct iovec *iov, int cnt params)        \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		det_thread *t = gocrace_thr();                                        \
		ssize_t r = real_io_##name(fd, iov, cnt args);                        \
		if (t != NULL)                                                        \
			after_readv(t, fd, r, iov, cnt, GOCRACE_CALLER_PC());             \
		return r;                                                             \
	}

WRITEV_WRAPPER(writev, "writev", , )
WRITEV_WRAPPER(pwritev, "pwritev", P_(off_t off), P_(off))
WRITEV_WRAPPER(pwritev64, "pwritev64", P_(off_t off), P_(off))
READV_WRAPPER(readv, "readv", , )
READV_WRAPPER(preadv, "preadv", P_(off_t off), P_(off))
READV_WRAPPER(preadv64, "preadv64", P_(off_t off), P_(off))

GOCRACE_REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
GOCRACE_REAL(ssize_t, recvmsg, int, struct msghdr *, int);

GOCRACE_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	GOCRACE_RESOLVE(sendmsg);
	det_thread *t = gocrace_thr();
	if (t != NULL && msg != NULL)
		before_writev(t, fd, msg->msg_iov, (int)msg->msg_iovlen, GOCRACE_CALLER_PC());
	return real_sendmsg(fd, msg, flags);
}

GOCRACE_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	GOCRACE_RESOLVE(recvmsg);
	det_thread *t = gocrace_thr();
	ssize_t r = real_recvmsg(fd, msg, flags);
	if (t != NULL && msg != NULL)
		after_readv(t, fd, r, msg->msg_iov, (int)msg->msg_iovlen, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_REAL(int, sendmmsg, int, struct mmsghdr *, unsigned, int);
GOCRACE_REAL(int, recvmmsg, int, struct mmsghdr *, unsigned, int, struct timespec *);

GOCRACE_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned n, int flags)
{
	GOCRACE_RESOLVE(sendmmsg);
	det_thread *t = gocrace_thr();
	if (t != NULL && vec != NULL) {
		uintptr_t pc = GOCRACE_CALLER_PC();
		for (unsigned i = 0; i < n; i++)
			iov_access(t, vec[i].msg_hdr.msg_iov, (int)vec[i].msg_hdr.msg_iovlen, SIZE_MAX,
			           pc, DET_READ);
		before_write(t, fd, NULL, 0, pc);
	}
	return real_sendmmsg(fd, vec, n, flags);
}

GOCRACE_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned n, int flags,
                            struct timespec *timeout)
{
	GOCRACE_RESOLVE(recvmmsg);
	det_thread *t = gocrace_thr();
	int r = real_recvmmsg(fd, vec, n, flags, timeout);
	if (t != NULL && r > 0) {
		uintptr_t pc = GOCRACE_CALLER_PC();
		after_read(t, fd, 0, NULL, 0, pc);
		for (int i = 0; i < r; i++) {
			gocrace_access(t, &vec[i].msg_len, sizeof vec[i].msg_len, pc, DET_WRITE);
			iov_access(t, vec[i].msg_hdr.msg_iov, (int)vec[i].msg_hdr.msg_iovlen,
			           vec[i].msg_len, pc, DET_WRITE);
		}
	}
	return r;
}

/* glibc's eventfd_read and eventfd_write read and write by internal
 * names: their own edges. */
GOCRACE_REAL(int, eventfd_read, int, eventfd_t *);
GOCRACE_REAL(int, eventfd_write, int, eventfd_t);

GOCRACE_EXPORT int eventfd_write(int fd, eventfd_t value)
{
	GOCRACE_RESOLVE(eventfd_write);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		before_write(t, fd, NULL, 0, GOCRACE_CALLER_PC());
	return real_eventfd_write(fd, value);
}

GOCRACE_EXPORT int eventfd_read(int fd, eventfd_t *value)
{
	GOCRACE_RESOLVE(eventfd_read);
	det_thread *t = gocrace_thr();
	int r = real_eventfd_read(fd, value);
	if (t != NULL && r == 0)
		after_read(t, fd, 0, value, sizeof *value, GOCRACE_CALLER_PC());
	return r;
}

/* ---- epoll ------------------------------------------------------------- */

GOCRACE_REAL(int, epoll_ctl, int, int, int, struct epoll_event *);
GOCRACE_REAL(int, epoll_wait, int, struct epoll_event *, int, int);
GOCRACE_REAL(int, epoll_pwait, int, struct epoll_event *, int, int, const sigset_t *);

/* Readiness: an epoll instance that watches a descriptor with a key of
 * its own (a pipe, socketpair, eventfd or epoll) for reading is linked to
 * that key (key_polled), so that a write on it also releases into the
 * instance's key, and an epoll_wait that reports events acquires it: a
 * program may act on the readiness alone, without reading (the kernel
 * orders the write before it). A watch for writing only is not linked:
 * writability says nothing of anyone's write. One instance per key, the
 * last to add it; the shared keys (every socket, every file) are never
 * linked, which would order every socket write before every epoll_wait.
 * An instance that watches for both orders every write on the descriptor
 * before any event it reports, a writable one too. */
#define EPOLL_READ_INTEREST (EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND | EPOLLRDHUP)

static void epoll_link(int epfd, int op, int fd, uint32_t events)
{
	uint32_t k = key_of(fd);
	if (!key_counted(k))
		return;
	uint32_t ep = key_of(epfd);
	if (ep == KEY_NONE)
		return;
	uint32_t link = poll_link(ep);
	/* relaxed: see key_polled */
	if (op == EPOLL_CTL_DEL || !(events & EPOLL_READ_INTEREST))
		atomic_compare_exchange_strong_explicit(&key_polled[k], &link, KEY_NONE,
		                                        memory_order_relaxed, memory_order_relaxed);
	else
		atomic_store_explicit(&key_polled[k], link, memory_order_relaxed);
}

GOCRACE_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	GOCRACE_RESOLVE(epoll_ctl);
	det_thread *t = gocrace_thr();
	if (t != NULL && (op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD)) {
		gocrace_access(t, ev, sizeof *ev, GOCRACE_CALLER_PC(), DET_READ);
		before_write(t, epfd, NULL, 0, GOCRACE_CALLER_PC());
	}
	uint32_t events = ev != NULL ? ev->events : 0; /* before: ev may be the program's to change */
	int r = real_epoll_ctl(epfd, op, fd, ev);
	if (t != NULL && r == 0)
		epoll_link(epfd, op, fd, events);
	return r;
}

static void after_epoll(det_thread *t, int epfd, int r, struct epoll_event *evs, uintptr_t pc)
{
	if (r > 0)
		after_read(t, epfd, 0, evs, (size_t)r * sizeof *evs, pc);
}

GOCRACE_EXPORT int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	GOCRACE_RESOLVE(epoll_wait);
	det_thread *t = gocrace_thr();
	int r = real_epoll_wait(epfd, evs, max, timeout);
	if (t != NULL)
		after_epoll(t, epfd, r, evs, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout,
                               const sigset_t *mask)
{
	GOCRACE_RESOLVE(epoll_pwait);
	det_thread *t = gocrace_thr();
	int r = real_epoll_pwait(epfd, evs, max, timeout, mask);
	if (t != NULL)
		after_epoll(t, epfd, r, evs, GOCRACE_CALLER_PC());
	return r;
}

/* Readiness, without epoll: poll, ppoll, select and pselect. Each
 * descriptor they report readable (or hung up, or with urgent data) is
 * acquired, as a read of it would be: the kernel orders the write that
 * made it so before the readiness, and a program may act on that alone.
 * Writability says nothing of anyone's write (a pipe's empty write end is
 * always writable) and orders nothing. TSan models none of these calls.
 * Accesses, as the kernel makes them: poll reads each entry's fd and
 * events before the call and writes its revents after it; select reads
 * and writes its sets' first nfds bits, at most FD_SETSIZE (a program may
 * pass getdtablesize() with ordinary sets: the kernel reads no further
 * than its own descriptor table). */
#define POLL_READ_READY (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND | POLLRDHUP | POLLHUP)

static void before_poll(det_thread *t, struct pollfd *fds, nfds_t n, uintptr_t pc)
{
	for (nfds_t i = 0; i < n; i++)
		gocrace_range_access(t, &fds[i], offsetof(struct pollfd, revents), pc, DET_READ);
}

static void after_poll(det_thread *t, struct pollfd *fds, nfds_t n, int r, uintptr_t pc)
{
	if (r < 0)
		return;
	for (nfds_t i = 0; i < n; i++) {
		gocrace_range_access(t, &fds[i].revents, sizeof fds[i].revents, pc, DET_WRITE);
		if (fds[i].revents & POLL_READ_READY)
			acquire_key(t, fds[i].fd, pc);
	}
}

#define POLL_WRAPPER(name, params, args)                                      \
	GOCRACE_REAL(int, name, struct pollfd *, nfds_t params);                  \
	GOCRACE_EXPORT int name(struct pollfd *fds, nfds_t n params)              \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		uintptr_t pc = GOCRACE_CALLER_PC();                                   \
		if (t != NULL)                                                        \
			before_poll(t, fds, n, pc);                                       \
		int r = real_##name(fds, n args);                                     \
		if (t != NULL) {                                                      \
			int err = errno;                                                  \
			after_poll(t, fds, n, r, pc);                                     \
			errno = err;                                                      \
		}                                                                     \
		return r;                                                             \
	}

POLL_WRAPPER(poll, P_(int timeout), P_(timeout))
POLL_WRAPPER(ppoll, P_(const struct timespec *timeout, const sigset_t *mask), P_(timeout, mask))
POLL_WRAPPER(__poll_chk, P_(int timeout, size_t fdslen), P_(timeout, fdslen))
POLL_WRAPPER(__ppoll_chk, P_(const struct timespec *timeout, const sigset_t *mask, size_t fdslen),
             P_(timeout, mask, fdslen))

/* The bytes of an fd_set that hold its first n bits (at most FD_SETSIZE). */
static size_t fdset_bytes(int n)
{
	size_t bits = 8 * sizeof(__fd_mask);
	size_t m = n <= 0 ? 0 : (size_t)n < FD_SETSIZE ? (size_t)n : FD_SETSIZE;
	return (m + bits - 1) / bits * sizeof(__fd_mask);
}

static void fdsets_access(det_thread *t, int n, fd_set *sets[3], uintptr_t pc, unsigned how)
{
	size_t bytes = fdset_bytes(n);
	for (int k = 0; k < 3; k++)
		if (sets[k] != NULL && bytes != 0)
			gocrace_range_access(t, sets[k], bytes, pc, how);
}

/* Bit fd of set (not FD_ISSET: a program may pass sets larger than
 * FD_SETSIZE, which the fortified macro refuses). */
static bool fd_bit(const fd_set *set, int fd)
{
	size_t bits = 8 * sizeof(__fd_mask);
	const __fd_mask *w = (const __fd_mask *)(const void *)set;
	return set != NULL && (w[(size_t)fd / bits] >> ((size_t)fd % bits) & 1) != 0;
}

/* select returned r bits set in all: its sets are read only up to the
 * last of them (they lie below the kernel's table, within the caller's
 * sets, whatever nfds said). */
static void after_select(det_thread *t, int n, fd_set *sets[3], int r, uintptr_t pc)
{
	if (r < 0)
		return;
	fdsets_access(t, n, sets, pc, DET_WRITE);
	for (int fd = 0; fd < n && r > 0; fd++) {
		bool readable = fd_bit(sets[0], fd), writable = fd_bit(sets[1], fd),
		     exception = fd_bit(sets[2], fd);
		r -= readable + writable + exception;
		if (readable || exception)
			acquire_key(t, fd, pc);
	}
}

#define SELECT_WRAPPER(name, params, args)                                    \
	GOCRACE_REAL(int, name, int, fd_set *, fd_set *, fd_set * params);        \
	GOCRACE_EXPORT int name(int n, fd_set *rd_set, fd_set *wr_set,            \
	                        fd_set *ex_set params)                            \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		uintptr_t pc = GOCRACE_CALLER_PC();                                   \
		fd_set *sets[3] = { rd_set, wr_set, ex_set };                         \
		if (t != NULL)                                                        \
			fdsets_access(t, n, sets, pc, DET_READ);                          \
		int r = real_##name(n, rd_set, wr_set, ex_set args);                  \
		if (t != NULL) {                                                      \
			int err = errno;                                                  \
			after_select(t, n, sets, r, pc);                                  \
			errno = err;                                                      \
		}                                                                     \
		return r;                                                             \
	}

SELECT_WRAPPER(select, P_(struct timeval *timeout), P_(timeout))
SELECT_WRAPPER(pselect, P_(const struct timespec *timeout, const sigset_t *mask),
               P_(timeout, mask))

/* ---- making and closing descriptors -------------------------------------- */

GOCRACE_REAL(int, pipe, int[2]);
GOCRACE_REAL(int, pipe2, int[2], int);
GOCRACE_REAL(int, socketpair, int, int, int, int[2]);
GOCRACE_REAL(int, eventfd, unsigned, int);
GOCRACE_REAL(int, epoll_create, int);
GOCRACE_REAL(int, epoll_create1, int);
GOCRACE_REAL(int, socket, int, int, int);
GOCRACE_REAL(int, accept, int, struct sockaddr *, socklen_t *);
GOCRACE_REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
GOCRACE_REAL(int, connect, int, const struct sockaddr *, socklen_t);
GOCRACE_REAL(int, dup, int);
GOCRACE_REAL(int, dup2, int, int);
GOCRACE_REAL(int, dup3, int, int, int);
GOCRACE_REAL(int, close, int);

GOCRACE_EXPORT int pipe(int fds[2])
{
	GOCRACE_RESOLVE(pipe);
	int r = real_pipe(fds);
	det_thread *t = r == 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fds_made(t, fds, 2, true, KEY_NONE, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int pipe2(int fds[2], int flags)
{
	GOCRACE_RESOLVE(pipe2);
	int r = real_pipe2(fds, flags);
	det_thread *t = r == 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fds_made(t, fds, 2, true, KEY_NONE, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int socketpair(int domain, int type, int proto, int fds[2])
{
	GOCRACE_RESOLVE(socketpair);
	int r = real_socketpair(domain, type, proto, fds);
	det_thread *t = r == 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fds_made(t, fds, 2, true, KEY_NONE, GOCRACE_CALLER_PC());
	return r;
}

/* A call that makes one descriptor (its result) with a key of its own. */
#define MAKE_OWN_WRAPPER(name, params, args)                                  \
	GOCRACE_EXPORT int name(params)                                           \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		int fd = real_##name(args);                                           \
		det_thread *t = fd >= 0 ? gocrace_thr() : NULL;                       \
		if (t != NULL)                                                        \
			fd_made(t, fd, true, KEY_NONE, GOCRACE_CALLER_PC());              \
		return fd;                                                            \
	}

MAKE_OWN_WRAPPER(eventfd, unsigned initval P_(int flags), initval P_(flags))
MAKE_OWN_WRAPPER(epoll_create, int size, size)
MAKE_OWN_WRAPPER(epoll_create1, int flags, flags)

GOCRACE_EXPORT int socket(int domain, int type, int proto)
{
	GOCRACE_RESOLVE(socket);
	int fd = real_socket(domain, type, proto);
	det_thread *t = fd >= 0 ? gocrace_thr() : NULL;
	bool tcp = (domain == AF_INET || domain == AF_INET6) &&
	           (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM;
	if (t != NULL)
		fd_made(t, fd, false, tcp ? KEY_STREAM : KEY_SOCKETS, GOCRACE_CALLER_PC());
	return fd;
}

/* connect → accept: the connecting side's past happens before the
 * accepted connection's first use (TSan's edge). */
GOCRACE_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	GOCRACE_RESOLVE(connect);
	det_thread *t = gocrace_thr();
	if (t != NULL)
		gocrace_release_merge(t, key_addr(KEY_SOCKETS));
	int r = real_connect(fd, addr, len);
	int err = errno; /* the program's, whatever the table does */
	if (t != NULL && (r == 0 || err == EINPROGRESS)) {
		/* a socket made unseen is classified here */
		uint32_t k = key_of(fd) == KEY_STREAM || conn_tcp(fd) ? KEY_STREAM : KEY_SOCKETS;
		fd_made(t, fd, false, k, GOCRACE_CALLER_PC());
		if (k == KEY_STREAM && r == 0)
			conn_pair(fd);
	}
	errno = err;
	return r;
}

static int accepted(int fd, uintptr_t pc)
{
	if (fd < 0)
		return fd;
	det_thread *t = gocrace_thr();
	if (t != NULL) {
		gocrace_acquire(t, key_addr(KEY_SOCKETS));
		int err = errno;
		bool tcp = conn_tcp(fd);
		errno = err;
		fd_made(t, fd, false, tcp ? KEY_STREAM : KEY_SOCKETS, pc);
		if (tcp)
			conn_pair(fd);
	}
	return fd;
}

GOCRACE_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	GOCRACE_RESOLVE(accept);
	return accepted(real_accept(fd, addr, len), GOCRACE_CALLER_PC());
}

GOCRACE_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	GOCRACE_RESOLVE(accept4);
	return accepted(real_accept4(fd, addr, len, flags), GOCRACE_CALLER_PC());
}

/* fcntl's F_DUPFD and F_DUPFD_CLOEXEC are dups. Its third argument is an
 * int or a pointer, as cmd says: passed on as a whole register. */
#define FCNTL_WRAPPER(name, sym)                                              \
	GOCRACE_REAL(int, io_##name, int, int, unsigned long);                    \
	GOCRACE_EXPORT int io_##name(int fd, int cmd, ...) __asm__(sym);          \
	int io_##name(int fd, int cmd, ...)                                       \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		va_list ap;                                                           \
		va_start(ap, cmd);                                                    \
		unsigned long arg = va_arg(ap, unsigned long);                        \
		va_end(ap);                                                           \
		int r = real_io_##name(fd, cmd, arg);                                 \
		det_thread *t = r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)  \
			? gocrace_thr() : NULL;                                           \
		if (t != NULL)                                                        \
			fd_copied(t, fd, r, GOCRACE_CALLER_PC());                         \
		return r;                                                             \
	}

FCNTL_WRAPPER(fcntl, "fcntl")
FCNTL_WRAPPER(fcntl64, "fcntl64")

GOCRACE_EXPORT int dup(int fd)
{
	GOCRACE_RESOLVE(dup);
	int r = real_dup(fd);
	det_thread *t = r >= 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fd_copied(t, fd, r, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int dup2(int fd, int to)
{
	GOCRACE_RESOLVE(dup2);
	int r = real_dup2(fd, to);
	det_thread *t = r >= 0 && r != fd ? gocrace_thr() : NULL;
	if (t != NULL)
		fd_copied(t, fd, r, GOCRACE_CALLER_PC());
	return r;
}

GOCRACE_EXPORT int dup3(int fd, int to, int flags)
{
	GOCRACE_RESOLVE(dup3);
	int r = real_dup3(fd, to, flags);
	det_thread *t = r >= 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fd_copied(t, fd, r, GOCRACE_CALLER_PC());
	return r;
}

/* Forgotten before the real close: once it returns, another thread may
 * get the same number from a new call. Also under the guard (the
 * runtime's own descriptors have no key; a program's closed by the
 * runtime is no access). */
GOCRACE_EXPORT int close(int fd)
{
	GOCRACE_RESOLVE(close);
	if (key_of(fd) != KEY_NONE)
		fd_closed(gocrace_thr(), fd, GOCRACE_CALLER_PC());
	return real_close(fd);
}

/* Every descriptor in [first, last] the table knows is closed, at pc. */
static void fds_closed(unsigned first, unsigned last, uintptr_t pc)
{
	if (atomic_load_explicit(&fd_table, memory_order_acquire) == NULL)
		return;
	det_thread *t = gocrace_thr();
	for (unsigned fd = first; fd <= last && fd < FD_MAX; fd++)
		if (key_of((int)fd) != KEY_NONE)
			fd_closed(t, (int)fd, pc);
}

GOCRACE_REAL(int, close_range, unsigned, unsigned, int);
GOCRACE_REAL(void, closefrom, int);

GOCRACE_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	GOCRACE_RESOLVE(close_range);
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		fds_closed(first, last, GOCRACE_CALLER_PC());
	return real_close_range(first, last, flags);
}

GOCRACE_EXPORT void closefrom(int lowfd)
{
	GOCRACE_RESOLVE(closefrom);
	fds_closed(lowfd < 0 ? 0 : (unsigned)lowfd, ~0u, GOCRACE_CALLER_PC());
	real_closefrom(lowfd);
}

/* fclose, pclose and closedir close their descriptor by glibc's internal
 * name. Its key is dropped, but the close is no write of its word: many
 * streams' descriptors are made unseen (popen, opendir, fdopen's
 * callers' own), so the number may have been another descriptor the
 * runtime saw, closed unseen meanwhile (a false race with that one's
 * uses). fopen's and tmpfile's are seen, but a stream does not say which
 * call made it. */
GOCRACE_REAL(int, fclose, FILE *);
GOCRACE_REAL(int, pclose, FILE *);
GOCRACE_REAL(int, closedir, DIR *);

static void stream_closing(FILE *f)
{
	int err = errno; /* fileno fails with EBADF on a memory stream */
	int fd = f != NULL ? fileno(f) : -1;
	errno = err;
	if (key_of(fd) != KEY_NONE)
		fd_closed(NULL, fd, 0);
}

GOCRACE_EXPORT int fclose(FILE *f)
{
	GOCRACE_RESOLVE(fclose);
	stream_closing(f);
	return real_fclose(f);
}

GOCRACE_EXPORT int pclose(FILE *f)
{
	GOCRACE_RESOLVE(pclose);
	stream_closing(f);
	return real_pclose(f);
}

GOCRACE_EXPORT int closedir(DIR *d)
{
	GOCRACE_RESOLVE(closedir);
	int err = errno;
	int fd = dirfd(d);
	errno = err;
	if (key_of(fd) != KEY_NONE)
		fd_closed(NULL, fd, 0);
	return real_closedir(d);
}

/* Files: open's mode is there only with O_CREAT or O_TMPFILE. */
static inline bool has_mode(int flags)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

static int file_made(int fd, uintptr_t pc)
{
	det_thread *t = fd >= 0 ? gocrace_thr() : NULL;
	if (t != NULL)
		fd_made(t, fd, false, KEY_FILES, pc);
	return fd;
}

/* A call that makes a file's descriptor (its result), exported as sym;
 * params and args are the parenthesised parameter and argument lists. */
#define FILE_WRAPPER(name, sym, params, args)                                 \
	static int (*real_io_##name) params;                                      \
	GOCRACE_EXPORT int io_##name params __asm__(sym);                         \
	int io_##name params                                                      \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		int fd = real_io_##name args;                                         \
		return file_made(fd, GOCRACE_CALLER_PC());                            \
	}

/* open and openat: their mode is passed on when there is one. */
#define OPEN_WRAPPER(name, sym, params, args)                                 \
	static int (*real_io_##name) params;                                      \
	GOCRACE_EXPORT int io_##name params __asm__(sym);                         \
	int io_##name params                                                      \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		mode_t mode = 0;                                                      \
		if (has_mode(flags)) {                                                \
			va_list ap;                                                       \
			va_start(ap, flags);                                              \
			mode = (mode_t)va_arg(ap, int);                                   \
			va_end(ap);                                                       \
		}                                                                     \
		int fd = real_io_##name args;                                         \
		return file_made(fd, GOCRACE_CALLER_PC());                            \
	}

OPEN_WRAPPER(open, "open", (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(open64, "open64", (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(openat, "openat", (int dir, const char *path, int flags, ...),
             (dir, path, flags, mode))
OPEN_WRAPPER(openat64, "openat64", (int dir, const char *path, int flags, ...),
             (dir, path, flags, mode))
/* _FORTIFY_SOURCE's, for a call without a mode */
FILE_WRAPPER(open_2, "__open_2", (const char *path, int flags), (path, flags))
FILE_WRAPPER(open64_2, "__open64_2", (const char *path, int flags), (path, flags))
FILE_WRAPPER(openat_2, "__openat_2", (int dir, const char *path, int flags),
             (dir, path, flags))
FILE_WRAPPER(openat64_2, "__openat64_2", (int dir, const char *path, int flags),
             (dir, path, flags))
FILE_WRAPPER(creat, "creat", (const char *path, mode_t mode), (path, mode))
FILE_WRAPPER(creat64, "creat64", (const char *path, mode_t mode), (path, mode))
/* temporary files (TSan has no key for these: a handoff through one was a
 * false race) */
FILE_WRAPPER(mkstemp, "mkstemp", (char *tmpl), (tmpl))
FILE_WRAPPER(mkstemp64, "mkstemp64", (char *tmpl), (tmpl))
FILE_WRAPPER(mkostemp, "mkostemp", (char *tmpl, int flags), (tmpl, flags))
FILE_WRAPPER(mkostemp64, "mkostemp64", (char *tmpl, int flags), (tmpl, flags))
FILE_WRAPPER(mkstemps, "mkstemps", (char *tmpl, int suffixlen), (tmpl, suffixlen))
FILE_WRAPPER(mkstemps64, "mkstemps64", (char *tmpl, int suffixlen), (tmpl, suffixlen))
FILE_WRAPPER(mkostemps, "mkostemps", (char *tmpl, int suffixlen, int flags),
             (tmpl, suffixlen, flags))
FILE_WRAPPER(mkostemps64, "mkostemps64", (char *tmpl, int suffixlen, int flags),
             (tmpl, suffixlen, flags))

/* A stream that opens a file: its descriptor, made by glibc's internal
 * open, is a file's (as TSan's fopen and tmpfile). */
static FILE *stream_made(FILE *f, uintptr_t pc)
{
	if (f != NULL) {
		int err = errno;
		file_made(fileno(f), pc);
		errno = err;
	}
	return f;
}

/* A call that opens a stream on a file (its result), exported as sym. */
#define STREAM_WRAPPER(name, sym, params, args)                               \
	static FILE *(*real_io_##name) params;                                    \
	GOCRACE_EXPORT FILE *io_##name params __asm__(sym);                       \
	FILE *io_##name params                                                    \
	{                                                                         \
		GOCRACE_RESOLVE_AS(io_##name, sym);                               \
		return stream_made(real_io_##name args, GOCRACE_CALLER_PC());         \
	}

STREAM_WRAPPER(fopen, "fopen", (const char *path, const char *mode), (path, mode))
STREAM_WRAPPER(fopen64, "fopen64", (const char *path, const char *mode), (path, mode))
STREAM_WRAPPER(tmpfile, "tmpfile", (void), ())
STREAM_WRAPPER(tmpfile64, "tmpfile64", (void), ())
