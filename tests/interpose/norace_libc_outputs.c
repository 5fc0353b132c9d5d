/* norace_libc_outputs: every libc call whose output buffer or struct
 * interpose/libcout.c models, called by two threads, each on its own
 * buffers (the thread first, then main, unordered: a write recorded on
 * anything the two share would be reported), with each result checked;
 * and one buffer, a line read by getline, handed from the thread to main
 * through a semaphore (ordered). No report.
 */
#define _LARGEFILE64_SOURCE 1
#include "e2e.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* glibc's pre-2.33 stat entry points, still exported (version 1: the
 * kernel's struct stat on x86-64) */
extern int __xstat(int, const char *, struct stat *);
extern int __lxstat(int, const char *, struct stat *);
extern int __fxstat(int, int, struct stat *);
extern int __xstat64(int, const char *, struct stat64 *);
extern int __lxstat64(int, const char *, struct stat64 *);
extern int __fxstat64(int, int, struct stat64 *);

static sem_t ready;
static char input[] = "handed over\n";
static char *handed;
static size_t handed_cap;

/* Each call on the caller's own buffers; 0 when every result is sane. */
static int exercise(void)
{
	int bad = 0;

	char text[] = "one\ntwo;three";
	FILE *f = fmemopen(text, sizeof text - 1, "r");
	char *line = NULL;
	size_t cap = 0;
	bad |= f == NULL;
	if (f != NULL) {
		bad |= getline(&line, &cap, f) != 4 || strcmp(line, "one\n") != 0;
		bad |= getdelim(&line, &cap, ';', f) != 4 || strcmp(line, "two;") != 0;
		/* the exported getline, not the headers' inline __getdelim */
		ssize_t (*volatile gl)(char **, size_t *, FILE *) = getline;
		bad |= gl(&line, &cap, f) != 5 || strcmp(line, "three") != 0;
		fclose(f);
	}
	free(line);

	int seen = 0;
	DIR *d = opendir("/");
	bad |= d == NULL;
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			seen |= strcmp(e->d_name, ".") == 0;
		closedir(d);
	}
	d = opendir("/");
	if (d != NULL) {
		struct dirent64 *e;
		while ((e = readdir64(d)) != NULL)
			seen |= (strcmp(e->d_name, "..") == 0) << 1;
		closedir(d);
	}
	bad |= seen != 3;

	struct stat st;
	struct stat64 st64;
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	bad |= fd < 0;
	bad |= stat("/", &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= lstat("/", &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= fstatat(AT_FDCWD, "/", &st, 0) != 0 || !S_ISDIR(st.st_mode);
	bad |= stat64("/", &st64) != 0 || !S_ISDIR(st64.st_mode);
	bad |= lstat64("/", &st64) != 0 || !S_ISDIR(st64.st_mode);
	bad |= fstat64(fd, &st64) != 0 || !S_ISDIR(st64.st_mode);
	bad |= fstatat64(AT_FDCWD, "/", &st64, 0) != 0 || !S_ISDIR(st64.st_mode);
	bad |= __xstat(1, "/", &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= __lxstat(1, "/", &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= __fxstat(1, fd, &st) != 0 || !S_ISDIR(st.st_mode);
	bad |= __xstat64(1, "/", &st64) != 0 || !S_ISDIR(st64.st_mode);
	bad |= __lxstat64(1, "/", &st64) != 0 || !S_ISDIR(st64.st_mode);
	bad |= __fxstat64(1, fd, &st64) != 0 || !S_ISDIR(st64.st_mode);
	close(fd);

	char cwd[4096], real[4096];
	bad |= getcwd(cwd, sizeof cwd) != cwd;
	bad |= realpath(".", real) != real || strcmp(cwd, real) != 0;
	char *mine = getcwd(NULL, 0);
	bad |= mine == NULL || strcmp(mine, cwd) != 0;
	free(mine);
	mine = realpath("/", NULL);
	bad |= mine == NULL || strcmp(mine, "/") != 0;
	free(mine);

	struct utsname u;
	char host[256];
	bad |= uname(&u) != 0 || strcmp(u.sysname, "Linux") != 0;
	bad |= gethostname(host, sizeof host) != 0 || strcmp(host, u.nodename) != 0;

	time_t now, again;
	struct timespec ts;
	struct timeval tv;
	struct timezone tz;
	struct rlimit rl;
	struct rlimit64 rl64;
	now = time(NULL);
	bad |= time(&again) < now || again < now;
	bad |= clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < now;
	bad |= gettimeofday(&tv, NULL) != 0 || tv.tv_sec < now;
	bad |= gettimeofday(&tv, &tz) != 0 || tv.tv_sec < now;
	bad |= getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == 0;
	bad |= getrlimit64(RLIMIT_NOFILE, &rl64) != 0 || rl64.rlim_cur != rl.rlim_cur;

	time_t epoch = 0;
	struct tm tm;
	char when[64], fmt[] = "%Y-%m-%d";
	bad |= gmtime_r(&epoch, &tm) != &tm || tm.tm_year != 70 || tm.tm_mday != 1;
	bad |= asctime_r(&tm, when) != when || strcmp(when, "Thu Jan  1 00:00:00 1970\n") != 0;
	bad |= strftime(when, sizeof when, fmt, &tm) != 10 || strcmp(when, "1970-01-01") != 0;
	bad |= localtime_r(&now, &tm) != &tm || tm.tm_year < 100;
	bad |= ctime_r(&now, when) != when || strlen(when) != 25;

	pthread_attr_t attr;
	void *lo;
	size_t size;
	bad |= pthread_getattr_np(pthread_self(), &attr) != 0 ||
	       pthread_attr_getstack(&attr, &lo, &size) != 0 || size == 0;
	pthread_attr_destroy(&attr);
	return bad;
}

static void *worker(void *arg)
{
	(void)arg;
	int bad = exercise();
	FILE *f = fmemopen(input, sizeof input - 1, "r");
	if (f == NULL || getline(&handed, &handed_cap, f) != 12)
		bad = 1;
	if (f != NULL)
		fclose(f);
	sem_post(&ready);
	e2e_post(1);
	return (void *)(long)bad;
}

int main(void)
{
	sem_init(&ready, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	e2e_wait(1);
	int bad = exercise();
	sem_wait(&ready);
	bad |= handed == NULL || handed_cap < 13 || strcmp(handed, "handed over\n") != 0;
	handed[0] = 0;
	void *r;
	pthread_join(t, &r);
	free(handed);
	return bad || r != NULL ? 1 : 0;
}
