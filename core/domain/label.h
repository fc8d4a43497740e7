/*
 * label.h - the provider label that ties an instance to this deployment and
 * one session: "gs-<deployment id>-<session id>". Pure; thread-safe.
 */
#ifndef GS_LABEL_H
#define GS_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#define LABEL_PREFIX "gs-"
#define LABEL_DEPLOYMENT_MAX 32
#define LABEL_SESSION_MAX 80
#define LABEL_MAX (sizeof(LABEL_PREFIX) + LABEL_DEPLOYMENT_MAX + LABEL_SESSION_MAX + 1)

/* Write the label; GS_E_INVAL when an id is empty, has a '-' in the
 * deployment part, or does not fit. */
int label_format(const char *deployment_id, const char *session_id, char *out, size_t out_len);

/* Split a label. Returns false for anything that is not exactly
 * gs-<deployment ([a-z0-9]+)>-<session id (sess-[a-z0-9]+)>. Outputs are
 * written only on success. */
bool label_parse(const char *label, char *ret_deployment, size_t dep_len, char *ret_session,
                 size_t sess_len);

/* Does `label` belong to `deployment_id`? (Another deployment's labels, and
 * labels that are not ours at all, are never touched.) */
bool label_is_ours(const char *label, const char *deployment_id);

#endif /* GS_LABEL_H */
