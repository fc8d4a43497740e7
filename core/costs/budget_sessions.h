/*
 * budget_sessions.h - the budget monitor's stop function (budget_stop_fn)
 * bound to the session service: moves the session to stopping with the
 * `budget` reason (SESSION_EV_BUDGET) and starts its verified destruction,
 * through session_ops_stop. Thread-safe.
 */
#ifndef GS_BUDGET_SESSIONS_H
#define GS_BUDGET_SESSIONS_H

/* ctx is the struct session_service *. 0 when the session is stopping (or
 * cannot be stopped now: gone, pending, already stopping), else a GS_E_*. */
int budget_sessions_stop(void *ctx, const char *session_id, const char *consumer_id);

#endif /* GS_BUDGET_SESSIONS_H */
