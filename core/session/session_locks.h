/*
 * session_locks.h - one in-process lock per session id, so the actors of one
 * daemon (HTTP requests, the verification and destroy workers) take turns on
 * a session's read-modify-write; storage compare-and-set still decides
 * between processes. Entries exist only while held or awaited, so memory is
 * bounded by the sessions being worked on. Thread-safe.
 */
#ifndef GS_SESSION_LOCKS_H
#define GS_SESSION_LOCKS_H

struct session_locks;

/* NULL on OOM. */
struct session_locks *session_locks_new(void);
/* Every lock must have been released. NULL-safe. */
void session_locks_free(struct session_locks *l);
/* Block until the calling thread holds id's lock (not recursive). 0 or
 * GS_E_NOMEM / GS_E_INVAL (an id longer than a session id). */
int session_locks_acquire(struct session_locks *l, const char *id);
/* Release a lock acquired with session_locks_acquire(). */
void session_locks_release(struct session_locks *l, const char *id);

#endif /* GS_SESSION_LOCKS_H */
