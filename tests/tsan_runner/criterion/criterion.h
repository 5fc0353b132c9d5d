/*
 * criterion/criterion.h — a stand-in for the part of Criterion 2.4's API
 * that tests/runtime uses, for builds with -fsanitize=thread.
 *
 * Criterion cannot start under ThreadSanitizer (Snaipe/Criterion#274: its
 * BoxFort arena fails with "Could not initialize inheritable arena"). In a
 * TSan build tests/meson.build puts this directory first on the include path
 * and links tests/tsan_runner/runner.c, which provides main(); every other
 * build uses the real Criterion. The test sources are the same in both.
 *
 * Provided:
 * - Test(suite, name, .init, .fini, .signal, .exit_code, .disabled,
 *   .description, .timeout, .data) and TestSuite(name, same options). A test
 *   option that is set overrides the suite's.
 * - cr_assert / cr_expect and their _eq _neq _lt _leq _gt _geq _null
 *   _not_null _str_eq _str_neq _str_empty _str_not_empty _fail forms, each
 *   with an optional printf-style message. The message, when given, must
 *   start with a string literal (it is checked as a printf format).
 * - cr_skip_test, cr_log_info, cr_log_warn, cr_log_error, cr_log.
 *
 * Not provided: ParameterizedTest, Theory, cr_redirect_*, the "new" assertion
 * style (cr_assert(eq(int, a, b))), report hooks.
 *
 * Each test runs in its own forked process (see runner.c). A failed
 * cr_assert* runs the test's .fini and ends that process; a failed cr_expect*
 * marks the test failed and carries on. As with Criterion, assertions belong
 * on the test's own thread.
 */
#ifndef CRITERION_H_
#define CRITERION_H_

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct criterion_test_extra_data {
	int sentinel_; /* lets Test(s, n) expand with no options */
	void (*init)(void);
	void (*fini)(void);
	int signal;
	int exit_code;
	bool disabled;
	const char *description;
	double timeout; /* seconds; 0: none */
	void *data;
};

struct cr_test_ {
	const char *suite;
	const char *name;
	const char *file;
	unsigned line;
	void (*fn)(void);
	const struct criterion_test_extra_data *extra;
	struct cr_test_ *next; /* runner.c's registry */
};

struct cr_suite_ {
	const char *name;
	const struct criterion_test_extra_data *extra;
	struct cr_suite_ *next; /* runner.c's registry */
};

void cr_register_test_(struct cr_test_ *t);
void cr_register_suite_(struct cr_suite_ *s);

/* fmt starts with the marker byte '\1' that the assertion macros prepend;
 * an fmt that is only the marker means "no message: use dflt". */
void cr_assert_failed_(bool fatal, const char *file, unsigned line, const char *dflt,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void cr_skip_test_(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void cr_log_(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- registration ----------------------------------------------------- */

#define CR_TEST_ID_(Suite, Name, Part) cr_t_##Suite##_##Name##_##Part

#define Test(...) CR_TEST_(__VA_ARGS__, .sentinel_ = 0)
#define CR_TEST_(Suite, Name, ...)                                                   \
	static void CR_TEST_ID_(Suite, Name, fn)(void);                              \
	static const struct criterion_test_extra_data CR_TEST_ID_(Suite, Name, extra) = { \
		__VA_ARGS__                                                          \
	};                                                                           \
	static struct cr_test_ CR_TEST_ID_(Suite, Name, test) = {                    \
		#Suite, #Name, __FILE__, __LINE__, CR_TEST_ID_(Suite, Name, fn),     \
		&CR_TEST_ID_(Suite, Name, extra), NULL                               \
	};                                                                           \
	__attribute__((constructor)) static void CR_TEST_ID_(Suite, Name, reg)(void) \
	{                                                                            \
		cr_register_test_(&CR_TEST_ID_(Suite, Name, test));                  \
	}                                                                            \
	static void CR_TEST_ID_(Suite, Name, fn)(void)

#define TestSuite(...) CR_SUITE_(__VA_ARGS__, .sentinel_ = 0)
#define CR_SUITE_(Name, ...)                                                         \
	static const struct criterion_test_extra_data cr_s_##Name##_extra = {        \
		__VA_ARGS__                                                          \
	};                                                                           \
	static struct cr_suite_ cr_s_##Name##_suite = { #Name, &cr_s_##Name##_extra, NULL }; \
	__attribute__((constructor)) static void cr_s_##Name##_reg(void)             \
	{                                                                            \
		cr_register_suite_(&cr_s_##Name##_suite);                            \
	}                                                                            \
	struct cr_suite_ /* swallows the caller's ';' */

/* ---- assertions ------------------------------------------------------- */

#define CR_CHECK_(Fatal, Cond, Dflt, ...)                                            \
	do {                                                                         \
		if (!(Cond))                                                         \
			cr_assert_failed_(Fatal, __FILE__, __LINE__, Dflt, "\1" __VA_ARGS__); \
	} while (0)

#define CR_OP_(Fatal, Op, A, B, ...) \
	CR_CHECK_(Fatal, (A) Op (B), "The expression (" #A ") " #Op " (" #B ") is false.", __VA_ARGS__)
#define CR_STR_OP_(Fatal, Op, A, B, ...)                                             \
	CR_CHECK_(Fatal, strcmp((A), (B)) Op 0,                                      \
	          "The expression (as strings) (" #A ") " #Op " (" #B ") is false.", __VA_ARGS__)

#define cr_assert(Cond, ...) CR_CHECK_(true, Cond, "The expression " #Cond " is false.", __VA_ARGS__)
#define cr_expect(Cond, ...) CR_CHECK_(false, Cond, "The expression " #Cond " is false.", __VA_ARGS__)
#define cr_assert_fail(...) \
	CR_CHECK_(true, 0, "The conditions for this assertion were not met.", __VA_ARGS__)
#define cr_expect_fail(...) \
	CR_CHECK_(false, 0, "The conditions for this assertion were not met.", __VA_ARGS__)

#define cr_assert_eq(A, B, ...) CR_OP_(true, ==, A, B, __VA_ARGS__)
#define cr_assert_neq(A, B, ...) CR_OP_(true, !=, A, B, __VA_ARGS__)
#define cr_assert_lt(A, B, ...) CR_OP_(true, <, A, B, __VA_ARGS__)
#define cr_assert_leq(A, B, ...) CR_OP_(true, <=, A, B, __VA_ARGS__)
#define cr_assert_gt(A, B, ...) CR_OP_(true, >, A, B, __VA_ARGS__)
#define cr_assert_geq(A, B, ...) CR_OP_(true, >=, A, B, __VA_ARGS__)
#define cr_expect_eq(A, B, ...) CR_OP_(false, ==, A, B, __VA_ARGS__)
#define cr_expect_neq(A, B, ...) CR_OP_(false, !=, A, B, __VA_ARGS__)
#define cr_expect_lt(A, B, ...) CR_OP_(false, <, A, B, __VA_ARGS__)
#define cr_expect_leq(A, B, ...) CR_OP_(false, <=, A, B, __VA_ARGS__)
#define cr_expect_gt(A, B, ...) CR_OP_(false, >, A, B, __VA_ARGS__)
#define cr_expect_geq(A, B, ...) CR_OP_(false, >=, A, B, __VA_ARGS__)

#define cr_assert_null(V, ...) \
	CR_CHECK_(true, (V) == NULL, "(" #V ") is not null.", __VA_ARGS__)
#define cr_assert_not_null(V, ...) \
	CR_CHECK_(true, (V) != NULL, "(" #V ") is null.", __VA_ARGS__)
#define cr_expect_null(V, ...) \
	CR_CHECK_(false, (V) == NULL, "(" #V ") is not null.", __VA_ARGS__)
#define cr_expect_not_null(V, ...) \
	CR_CHECK_(false, (V) != NULL, "(" #V ") is null.", __VA_ARGS__)

#define cr_assert_str_eq(A, B, ...) CR_STR_OP_(true, ==, A, B, __VA_ARGS__)
#define cr_assert_str_neq(A, B, ...) CR_STR_OP_(true, !=, A, B, __VA_ARGS__)
#define cr_expect_str_eq(A, B, ...) CR_STR_OP_(false, ==, A, B, __VA_ARGS__)
#define cr_expect_str_neq(A, B, ...) CR_STR_OP_(false, !=, A, B, __VA_ARGS__)
#define cr_assert_str_empty(S, ...) \
	CR_CHECK_(true, *(S) == '\0', "(" #S ") is not empty.", __VA_ARGS__)
#define cr_assert_str_not_empty(S, ...) \
	CR_CHECK_(true, *(S) != '\0', "(" #S ") is empty.", __VA_ARGS__)
#define cr_expect_str_empty(S, ...) \
	CR_CHECK_(false, *(S) == '\0', "(" #S ") is not empty.", __VA_ARGS__)
#define cr_expect_str_not_empty(S, ...) \
	CR_CHECK_(false, *(S) != '\0', "(" #S ") is empty.", __VA_ARGS__)

/* ---- skipping and logging --------------------------------------------- */

#define cr_skip_test(...) cr_skip_test_("\1" __VA_ARGS__)

#define CRITERION_INFO "INFO"
#define CRITERION_IMPORTANT "IMPORTANT"
#define CRITERION_ERROR "ERROR"
#define cr_log(Level, ...) cr_log_(Level, __VA_ARGS__)
#define cr_log_info(...) cr_log_("INFO", __VA_ARGS__)
#define cr_log_warn(...) cr_log_("WARN", __VA_ARGS__)
#define cr_log_error(...) cr_log_("ERROR", __VA_ARGS__)

#endif /* CRITERION_H_ */
