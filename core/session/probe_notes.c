/* probe_notes.c - a small fixed table of last-probe outcomes. */
#include "session/probe_notes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpushop/status.h"

struct probe_notes {
        pthread_mutex_t mutex;
        struct probe_note notes[PROBE_NOTES_MAX]; /* session_id "" = free */
};

struct probe_notes *probe_notes_new(void)
{
        struct probe_notes *n = calloc(1, sizeof(*n));

        if (n)
                pthread_mutex_init(&n->mutex, NULL);
        return n;
}

void probe_notes_free(struct probe_notes *n)
{
        if (!n)
                return;
        pthread_mutex_destroy(&n->mutex);
        free(n);
}

static struct probe_note *find(struct probe_notes *n, const char *id)
{
        for (size_t i = 0; i < PROBE_NOTES_MAX; i++)
                if (strcmp(n->notes[i].session_id, id) == 0)
                        return &n->notes[i];
        return NULL;
}

/* A free slot, else the oldest note. */
static struct probe_note *slot(struct probe_notes *n)
{
        struct probe_note *oldest = &n->notes[0];

        for (size_t i = 0; i < PROBE_NOTES_MAX; i++) {
                if (!n->notes[i].session_id[0])
                        return &n->notes[i];
                if (n->notes[i].at_ms < oldest->at_ms)
                        oldest = &n->notes[i];
        }
        return oldest;
}

void probe_notes_record(struct probe_notes *n, const char *session_id, int64_t at_ms, bool ok,
                        const char *stage, const char *error)
{
        struct probe_note *p;

        if (!n || !session_id || !session_id[0] || strlen(session_id) >= SESSION_ID_SIZE)
                return;
        pthread_mutex_lock(&n->mutex);
        p = find(n, session_id);
        if (!p) {
                p = slot(n);
                memset(p, 0, sizeof(*p));
                memcpy(p->session_id, session_id, strlen(session_id) + 1);
        }
        p->at_ms = at_ms;
        p->ok = ok;
        p->attempts++;
        (void)snprintf(p->stage, sizeof(p->stage), "%s", stage ? stage : "");
        (void)snprintf(p->error, sizeof(p->error), "%s", error ? error : "");
        pthread_mutex_unlock(&n->mutex);
}

int probe_notes_get(struct probe_notes *n, const char *session_id, struct probe_note *ret_note)
{
        struct probe_note *p;
        int r = GS_E_NOTFOUND;

        if (!n || !session_id || !session_id[0])
                return GS_E_INVAL;
        pthread_mutex_lock(&n->mutex);
        p = find(n, session_id);
        if (p) {
                *ret_note = *p;
                r = 0;
        }
        pthread_mutex_unlock(&n->mutex);
        return r;
}

void probe_notes_forget(struct probe_notes *n, const char *session_id)
{
        struct probe_note *p;

        if (!n || !session_id || !session_id[0])
                return;
        pthread_mutex_lock(&n->mutex);
        p = find(n, session_id);
        if (p)
                memset(p, 0, sizeof(*p));
        pthread_mutex_unlock(&n->mutex);
}
