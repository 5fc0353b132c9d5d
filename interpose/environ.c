/*
 * environ.c — the process environment as one object: getenv against
 * setenv is a race glibc does not prevent (setenv, unsetenv, putenv and
 * clearenv take glibc's environment lock; getenv takes none, and may read
 * an array that setenv is replacing or freeing), and one neither TSan nor
 * Helgrind reports.
 *
 *   getenv, secure_getenv    a read of the environment
 *   setenv, unsetenv,        after a real call that succeeded (a
 *   putenv, clearenv         refused name changes nothing), as one step:
 *                            the environment lock taken (an acquire of
 *                            it), a write of the environment, the lock
 *                            given back (a release): two updates never
 *                            race with each other, as glibc's lock orders
 *                            them; an update and a getenv with nothing
 *                            between them do
 *
 * The environment is one byte of the runtime's (env_object), accessed
 * under the external-object tag GOCRACE_TAG_ENVIRONMENT, so the report is
 * titled "DATA RACE on environment" and names the two calls' lines (and
 * gives no location: the byte is the runtime's, not the program's).
 * Calls from libgoc's own code are not checked. Not modelled: the strings
 * getenv returned, which a later update may free (their reads are the
 * program's own, unseen as environment reads), putenv's string, which
 * stays part of the environment, and programs that read `environ`
 * directly.
 *
 * State: env_object and env_lock, whose addresses are all that is used;
 * model_lock.
 */
#include "internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

static char env_object, env_lock;
/* Makes each update's model (acquire, write, release) one step: the
 * updates themselves are ordered inside glibc, where no acquire can be
 * placed. Taken with the guard raised (gocrace_spin_take: acquire, paired
 * with gocrace_spin_drop's release); reset in a fork child. */
static atomic_int model_lock;

GOCRACE_REAL(char *, getenv, const char *);
GOCRACE_REAL(char *, secure_getenv, const char *);
GOCRACE_REAL(int, setenv, const char *, const char *, int);
GOCRACE_REAL(int, unsetenv, const char *);
GOCRACE_REAL(int, putenv, char *);
GOCRACE_REAL(int, clearenv, void);

void gocrace_environ_fork_child(void)
{
	/* relaxed: the child has one thread, and its holder is gone */
	atomic_store_explicit(&model_lock, 0, memory_order_relaxed);
}

static void env_read(uintptr_t pc)
{
	gocrace_tagged_access(gocrace_thr(), &env_object, GOCRACE_TAG_ENVIRONMENT, pc, DET_READ);
}

/* An update made at pc, after the real call: the environment lock taken,
 * the write, the lock given back, as one step (model_lock), so that two
 * updates are ordered one after the other, as glibc's lock orders them;
 * errno kept. */
static void env_updated(det_thread *t, uintptr_t pc)
{
	if (t == NULL)
		return;
	int err = errno;
	gocrace_guard();
	gocrace_spin_take(&model_lock);
	gocrace_acquire(t, &env_lock);
	gocrace_tagged_access(t, &env_object, GOCRACE_TAG_ENVIRONMENT, pc, DET_WRITE);
	gocrace_release(t, &env_lock);
	gocrace_spin_drop(&model_lock);
	gocrace_unguard();
	errno = err;
}

GOCRACE_EXPORT char *getenv(const char *name)
{
	GOCRACE_RESOLVE(getenv);
	env_read(GOCRACE_CALLER_PC());
	return real_getenv(name);
}

GOCRACE_EXPORT char *secure_getenv(const char *name)
{
	GOCRACE_RESOLVE(secure_getenv);
	env_read(GOCRACE_CALLER_PC());
	return real_secure_getenv(name);
}

/* An update: the real call, then its model when it succeeded. */
#define UPDATE_WRAPPER(name, params, args)                                    \
	GOCRACE_EXPORT int name params                                            \
	{                                                                         \
		GOCRACE_RESOLVE(name);                                                \
		det_thread *t = gocrace_thr();                                        \
		int r = real_##name args;                                             \
		if (r == 0)                                                           \
			env_updated(t, GOCRACE_CALLER_PC());                              \
		return r;                                                             \
	}

UPDATE_WRAPPER(setenv, (const char *name, const char *value, int overwrite),
               (name, value, overwrite))
UPDATE_WRAPPER(unsetenv, (const char *name), (name))
UPDATE_WRAPPER(putenv, (char *string), (string))
UPDATE_WRAPPER(clearenv, (void), ())
