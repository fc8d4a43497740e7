/*
 * session_body.h - a POST /api/v1/sessions body (a decoded JSON object) into
 * a struct session_request: each member named by
 * session_request_field_parse(), of the JSON type
 * session_request_field_type() gives, null read as absent. The rules on the
 * values themselves are session_request_validate()'s (core/domain).
 *
 * Used by the sessions API and by the fuzz target fuzz_session_request, so
 * the fuzzer exercises this exact decoding. Stateless, thread-safe.
 */
#ifndef GS_SESSION_BODY_H
#define GS_SESSION_BODY_H

#include <jansson.h>

#include "domain/session_request.h"

/*
 * Fill *ret_req from the members of doc (strings borrowed from doc, which
 * must outlive *ret_req). 0 on success; -1 with err->field and err->msg
 * naming the first unknown member or the first member of the wrong type
 * (*ret_req is then left untouched). The caller has already refused
 * duplicate keys (JSON_REJECT_DUPLICATES) and non-objects.
 */
int session_body_decode(const json_t *doc, struct session_request *ret_req,
                        struct session_request_error *err);

#endif /* GS_SESSION_BODY_H */
