/*
 * e2e.h — what every end-to-end fixture shares: a step counter that orders
 * the fixture's threads without the detector seeing it.
 *
 * e2e_order.c is compiled WITHOUT -fsanitize=thread and calls nothing the
 * runtime intercepts (a spin on an atomic the detector never sees, with
 * sched_yield), so e2e_post/e2e_wait create no happens-before edge:
 * a race fixture can make one access run strictly before the other and
 * still be a race, and a norace fixture can force the interleaving whose
 * edge it checks. No sleeping anywhere.
 */
#ifndef GOC_TESTS_E2E_H
#define GOC_TESTS_E2E_H

#ifdef __cplusplus
extern "C" {
#endif

/* Step n is reached (steps only grow). */
void e2e_post(int n);
/* Waits until step n (or a later one) was reached. */
void e2e_wait(int n);

#ifdef __cplusplus
}
#endif

#endif
