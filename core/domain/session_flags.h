/*
 * session_flags.h - the core-defined bits of gs_session_record.flags
 * (stored as is). Append new bits; never renumber one.
 */
#ifndef GS_SESSION_FLAGS_H
#define GS_SESSION_FLAGS_H

#include <stdint.h>

/* The client asked for auto_retry (fall back to a comparable offer). */
#define SESSION_FLAG_AUTO_RETRY (UINT32_C(1) << 0)
/* An admin overrode the hard maximum (detail_json "hard_max_override"). */
#define SESSION_FLAG_HARD_MAX_OVERRIDE (UINT32_C(1) << 1)

#endif /* GS_SESSION_FLAGS_H */
