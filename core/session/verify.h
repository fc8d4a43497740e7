/*
 * verify.h - background verification of a new instance (ARCHITECTURE §7
 * step 7): poll the provider until the instance reports an SSH endpoint, then
 * connect over real SSH with the session key (kept in memory only until the
 * verification ends, then wiped) and with the management key; both working
 * -> running (started_at, expires_at from it). Transient provider states wait;
 * a terminal provider state, repeated key refusals or the verification
 * timeout -> stopping, and the destroy worker ends the session failed with a
 * reason the user can act on. An instance that vanishes (confirmed) -> failed.
 * Runs on the service's workers.
 */
#ifndef GS_VERIFY_H
#define GS_VERIFY_H

#include "session/session_service.h"

/* The command run over SSH to prove the instance is usable. */
#define VERIFY_COMMAND "true"
/* Bytes of output read from it. */
#define VERIFY_OUTPUT_MAX 256

/* Start verifying session id, which must be provisioning with its instance
 * id stored; private_key is copied (and wiped when the job ends).
 * 0 or GS_E_NOMEM. */
int verify_start(struct session_service *svc, const char *id, const char *private_key);

#endif /* GS_VERIFY_H */
