/*
 * session_record.h - owned deep copies of storage session records, and lists
 * of them. The SDK's struct gs_session_record has borrowed `const char *`
 * fields; a record filled by these functions owns every string (malloc'd)
 * and is released with session_record_done(). Not thread-safe: a record
 * belongs to one thread at a time.
 */
#ifndef GS_SESSION_RECORD_H
#define GS_SESSION_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Deep copy src into *dst (which is overwritten, not freed). 0 or GS_E_NOMEM
 * (then *dst is empty). */
int session_record_copy(struct gs_session_record *dst, const struct gs_session_record *src);
/* Free every string and zero the record. NULL-safe. */
void session_record_done(struct gs_session_record *rec);
/* Replace one owned string field of a record with a copy of value (NULL
 * clears it). 0 or GS_E_NOMEM (the field is then unchanged). */
int session_record_set(const char **field, const char *value);
/* As session_record_set() with a formatted value (truncated to GS_STRING_MAX - 1). */
int session_record_setf(const char **field, const char *fmt, ...) GS_PRINTF(2, 3);

struct session_list {
        struct gs_session_record *items; /* owned records */
        size_t count;
        size_t cap;
        uint64_t total; /* matches ignoring limit/offset */
};

/* Append a deep copy. 0 or GS_E_NOMEM. */
int session_list_add(struct session_list *l, const struct gs_session_record *rec);
/* Free every record and the array; the list is empty afterwards. */
void session_list_done(struct session_list *l);

#endif /* GS_SESSION_RECORD_H */
