/*
 * session.h - what the session commands (provision, sessions, done, extend,
 * shutdown, ssh) share: a session's API path, fetching it, the status words,
 * and showing a session as details or as the ssh command that reaches it.
 */
#ifndef GS_CLI_SESSION_H
#define GS_CLI_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

#define SESSIONS_PATH "/api/v1/sessions"

#define SESSION_STATUS_RUNNING "running"
#define SESSION_STATUS_FAILED "failed"
#define SESSION_STATUS_STOPPING "stopping"
#define SESSION_STATUS_STOPPED "stopped"

/* "/api/v1/sessions/<id, percent-encoded><suffix>" (suffix may be ""); NULL
 * when out of memory. Caller frees. */
char *session_path(const char *id, const char *suffix);
/* The session object of an API response: its "session" member, or the
 * response itself when that is a session; NULL otherwise. Borrowed. */
const json_t *session_of(const json_t *response);
/* A non-empty string member, or NULL. */
const char *session_str(const json_t *s, const char *key);
/* GET the session; cli_call's exit codes (404 -> CLI_ERR_NOTFOUND). */
int session_fetch(const struct cli *cli, const char *id, json_t **ret_response);
/* The status is one a session never leaves (stopped, failed). */
bool session_is_final(const json_t *s);
/* Key/value lines: id, consumer, status and reason, provider, GPU, price,
 * cost so far, the times, and the ssh endpoint when known. */
void session_print_details(const json_t *s, FILE *out);
/* True when host, port and user are known; then prints
 * "ssh -i KEY -p PORT USER@HOST" (KEY = key_path or a placeholder). */
bool session_print_ssh_command(const json_t *s, const char *key_path, FILE *out);

#endif /* GS_CLI_SESSION_H */
