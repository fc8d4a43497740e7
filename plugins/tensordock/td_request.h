/*
 * td_request.h - TensorDock API v2 request bodies (pure: records -> JSON).
 *
 * POST /instances takes a JSON:API document (wire contract §3.4). The API
 * insists on an ssh_key but does not reliably install it, so every public key
 * is also appended to authorized_keys of root and of "user" by cloud-init
 * runcmd.
 */
#ifndef TD_REQUEST_H
#define TD_REQUEST_H

#include <stdint.h>

#include "td_parse.h"

/* Longest authorized_keys line accepted. */
#define TD_SSH_KEY_MAX GS_STRING_MAX
/* Most public keys installed on one VM. */
#define TD_SSH_KEYS_MAX 16
/* Longest VM name (our label). */
#define TD_VM_NAME_MAX 128
/* Longest OS image id ("ubuntu2204"). */
#define TD_IMAGE_MAX 64

struct td_create_params {
        const char *name;        /* our label */
        const char *image;       /* OS image id */
        const char *location_id; /* UUID */
        const char *gpu;         /* v0Name */
        struct td_resources res;
        const char *const *ssh_keys;
        uint32_t ssh_key_count;
};

/* True for an OS image id: 1..TD_IMAGE_MAX of [a-z0-9._-] (no registry path). */
bool td_is_os_image(const char *s);
/* GS_E_INVAL unless key is one printable authorized_keys line "<type> <base64> [comment]". */
int td_ssh_key_check(const char *key, struct td_perr *perr);
/* Check everything of p but res: label, image, location, GPU, keys. GS_E_INVAL. */
int td_create_check(const struct td_create_params *p, struct td_perr *perr);
/*
 * Build the POST /instances body (td_create_check plus positive res). On
 * success *ret_body is a malloc'd NUL-terminated string the caller free()s.
 * GS_E_INVAL for bad parameters, GS_E_NOMEM.
 */
int td_create_body(const struct td_create_params *p, char **ret_body, struct td_perr *perr);

#endif /* TD_REQUEST_H */
