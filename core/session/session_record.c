/* session_record.c - deep copies of session records. */
#include "session/session_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LIST_INITIAL_CAP 16

/* Every string field, so copy and free cannot drift from the struct. */
#define STRING_FIELD(name) offsetof(struct gs_session_record, name)
static const size_t string_fields[] = {
        STRING_FIELD(id),
        STRING_FIELD(consumer_id),
        STRING_FIELD(offer_id),
        STRING_FIELD(provider),
        STRING_FIELD(provider_instance_id),
        STRING_FIELD(label),
        STRING_FIELD(gpu_type),
        STRING_FIELD(ssh_host),
        STRING_FIELD(ssh_user),
        STRING_FIELD(ssh_public_key),
        STRING_FIELD(status_reason),
        STRING_FIELD(workload_type),
        STRING_FIELD(storage_policy),
        STRING_FIELD(template_hash_id),
        STRING_FIELD(idempotency_key),
        STRING_FIELD(detail_json),
};
#undef STRING_FIELD

static const char **field_at(struct gs_session_record *rec, size_t offset)
{
        return (const char **)(void *)((char *)rec + offset);
}

void session_record_done(struct gs_session_record *rec)
{
        if (!rec)
                return;
        for (size_t i = 0; i < ARRAY_LEN(string_fields); i++)
                free((void *)*field_at(rec, string_fields[i]));
        memset(rec, 0, sizeof(*rec));
}

int session_record_copy(struct gs_session_record *dst, const struct gs_session_record *src)
{
        *dst = *src;
        dst->struct_size = sizeof(*dst);
        for (size_t i = 0; i < ARRAY_LEN(string_fields); i++)
                *field_at(dst, string_fields[i]) = NULL;
        for (size_t i = 0; i < ARRAY_LEN(string_fields); i++) {
                const char *s =
                        *(const char *const *)(const void *)((const char *)src + string_fields[i]);
                const char **f = field_at(dst, string_fields[i]);

                if (!s)
                        continue;
                *f = strdup(s);
                if (!*f) {
                        session_record_done(dst);
                        return GS_E_NOMEM;
                }
        }
        return 0;
}

int session_record_set(const char **field, const char *value)
{
        char *copy = NULL;

        if (value) {
                copy = strdup(value);
                if (!copy)
                        return GS_E_NOMEM;
        }
        free((void *)*field);
        *field = copy;
        return 0;
}

int session_record_setf(const char **field, const char *fmt, ...)
{
        char buf[GS_STRING_MAX];
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return session_record_set(field, buf);
}

int session_list_add(struct session_list *l, const struct gs_session_record *rec)
{
        struct gs_session_record *items;
        size_t cap;
        int r;

        if (l->count == l->cap) {
                cap = l->cap ? l->cap * 2 : LIST_INITIAL_CAP;
                items = realloc(l->items, cap * sizeof(*items));
                if (!items)
                        return GS_E_NOMEM;
                l->items = items;
                l->cap = cap;
        }
        r = session_record_copy(&l->items[l->count], rec);
        if (r < 0)
                return r;
        l->count++;
        return 0;
}

void session_list_done(struct session_list *l)
{
        for (size_t i = 0; i < l->count; i++)
                session_record_done(&l->items[i]);
        free(l->items);
        memset(l, 0, sizeof(*l));
}
