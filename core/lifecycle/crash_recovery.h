/*
 * crash_recovery.h - the start-up half of crash safety (ARCHITECTURE §8):
 * sessions an earlier run left `pending` or `provisioning` may never have
 * handed their private key to the client (it lived only in that process's
 * memory), and their verification died with it. Each one created before
 * this process started is stopped (reason `crash_recovery`) and its
 * instance destroyed with the verified destroy, which finds the instance by
 * its label when no id was recorded; the session then ends `failed`.
 * Sessions left `stopping` were already resumed by the session service.
 * Runs on the lifecycle thread during the start-up sweep.
 */
#ifndef GS_CRASH_RECOVERY_H
#define GS_CRASH_RECOVERY_H

#include <stdint.h>

#include "session/session_service.h"

/* Abandon every pending/provisioning session created before boot_ms.
 * Returns how many were abandoned, or a negative status when storage
 * could not be read (logged). */
int crash_recovery_run(struct session_service *svc, int64_t boot_ms);

#endif /* GS_CRASH_RECOVERY_H */
