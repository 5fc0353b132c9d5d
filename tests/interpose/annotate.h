/*
 * annotate.h — what the annotation fixtures call: ThreadSanitizer's own
 * public header (custom mutexes, fibers; clang 14's and clang 19's
 * resource directories both have it) and the dynamic annotations of
 * tsan-abi.md §2.5, which no installed header declares. `goc-race cc` links
 * them against the no-op hooks library; under goc-race run the preload
 * runtime's definitions (interpose/annotations.c) take their place.
 */
#ifndef GOC_TESTS_ANNOTATE_H
#define GOC_TESTS_ANNOTATE_H

#include <sanitizer/tsan_interface.h>
#include <stdint.h>

void AnnotateHappensBefore(const char *f, int l, const volatile void *addr);
void AnnotateHappensAfter(const char *f, int l, const volatile void *addr);
void AnnotateBenignRaceSized(const char *f, int l, const volatile void *mem, uintptr_t size,
                             const char *desc);
void AnnotateIgnoreWritesBegin(const char *f, int l);
void AnnotateIgnoreWritesEnd(const char *f, int l);
void AnnotateIgnoreSyncBegin(const char *f, int l);
void AnnotateIgnoreSyncEnd(const char *f, int l);

#endif
