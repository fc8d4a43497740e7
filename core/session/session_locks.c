/* session_locks.c - per-session-id locks on a small list under one mutex. */
#include "session/session_locks.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/session_id.h"
#include "gpushop/status.h"

struct lock_entry {
        struct lock_entry *next;
        char id[SESSION_ID_SIZE];
        bool held;
        unsigned waiters;
        pthread_cond_t cond;
};

struct session_locks {
        pthread_mutex_t mutex;
        struct lock_entry *head;
};

struct session_locks *session_locks_new(void)
{
        struct session_locks *l = calloc(1, sizeof(*l));

        if (!l)
                return NULL;
        pthread_mutex_init(&l->mutex, NULL);
        return l;
}

void session_locks_free(struct session_locks *l)
{
        struct lock_entry *e, *next;

        if (!l)
                return;
        for (e = l->head; e; e = next) {
                next = e->next;
                pthread_cond_destroy(&e->cond);
                free(e);
        }
        pthread_mutex_destroy(&l->mutex);
        free(l);
}

static struct lock_entry *find(struct session_locks *l, const char *id)
{
        for (struct lock_entry *e = l->head; e; e = e->next)
                if (strcmp(e->id, id) == 0)
                        return e;
        return NULL;
}

int session_locks_acquire(struct session_locks *l, const char *id)
{
        struct lock_entry *e;

        if (!l || !id || strlen(id) >= SESSION_ID_SIZE)
                return GS_E_INVAL;
        pthread_mutex_lock(&l->mutex);
        e = find(l, id);
        if (!e) {
                e = calloc(1, sizeof(*e));
                if (!e) {
                        pthread_mutex_unlock(&l->mutex);
                        return GS_E_NOMEM;
                }
                memcpy(e->id, id, strlen(id) + 1);
                pthread_cond_init(&e->cond, NULL);
                e->next = l->head;
                l->head = e;
        }
        while (e->held) {
                e->waiters++;
                pthread_cond_wait(&e->cond, &l->mutex);
                e->waiters--;
        }
        e->held = true;
        pthread_mutex_unlock(&l->mutex);
        return 0;
}

void session_locks_release(struct session_locks *l, const char *id)
{
        struct lock_entry **pp, *e;

        if (!l || !id)
                return;
        pthread_mutex_lock(&l->mutex);
        for (pp = &l->head; (e = *pp) && strcmp(e->id, id) != 0; pp = &e->next)
                ;
        if (e) {
                e->held = false;
                if (e->waiters) {
                        pthread_cond_signal(&e->cond);
                } else {
                        *pp = e->next;
                        pthread_cond_destroy(&e->cond);
                        free(e);
                }
        }
        pthread_mutex_unlock(&l->mutex);
}
