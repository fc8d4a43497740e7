/*
 * probe_notes.h - the outcome of the last SSH probe of sessions being
 * verified, kept in memory for GET /api/v1/sessions/:id/diagnostics (the
 * outcome is also stored with the session when verification ends). A fixed
 * table: the oldest note is overwritten when it is full. Thread-safe.
 */
#ifndef GS_PROBE_NOTES_H
#define GS_PROBE_NOTES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/session_id.h"
#include "session/session_detail.h"

/* Sessions remembered at once. */
#define PROBE_NOTES_MAX 256

struct probe_note {
        char session_id[SESSION_ID_SIZE];
        int64_t at_ms; /* wall clock */
        bool ok;
        uint32_t attempts; /* probes of this session so far */
        char error[SESSION_DETAIL_ERROR_MAX + 1];
        char stage[32]; /* "waiting_for_instance", "ssh_session_key", ... */
};

struct probe_notes;

struct probe_notes *probe_notes_new(void);
void probe_notes_free(struct probe_notes *n);
/* Record one probe (error NULL or "" when ok); counts attempts per session. */
void probe_notes_record(struct probe_notes *n, const char *session_id, int64_t at_ms, bool ok,
                        const char *stage, const char *error);
/* 0 and a copy of the note, or GS_E_NOTFOUND. */
int probe_notes_get(struct probe_notes *n, const char *session_id, struct probe_note *ret_note);
/* Forget a session (verification ended). */
void probe_notes_forget(struct probe_notes *n, const char *session_id);

#endif /* GS_PROBE_NOTES_H */
