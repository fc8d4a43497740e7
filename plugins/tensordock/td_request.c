/*
 * td_request.c - TensorDock API v2 request bodies (pure: records -> JSON).
 */
#include "td_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Key types accepted at the start of an authorized_keys line. */
static const char *const key_types[] = {"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-sha2-"};

/* Accounts whose authorized_keys get every key: the image's login user and root. */
static const struct {
        const char *home;
        const char *owner;
} accounts[] = {
        {"/home/user", "user:user"},
        {"/root", "root:root"},
};

bool td_is_os_image(const char *s)
{
        size_t n;

        if (!s || s[0] == '\0')
                return false;
        for (n = 0; s[n] != '\0'; n++) {
                char c = s[n];

                if (n >= TD_IMAGE_MAX)
                        return false;
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                      c == '_'))
                        return false;
        }
        return true;
}

static bool is_base64_char(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/' || c == '=';
}

int td_ssh_key_check(const char *key, struct td_perr *perr)
{
        const char *p;
        size_t i, n;
        bool typed = false;

        if (!key || key[0] == '\0') {
                td_perr_set(perr, "SSH public key is empty");
                return GS_E_INVAL;
        }
        n = strnlen(key, TD_SSH_KEY_MAX + 1);
        if (n > TD_SSH_KEY_MAX) {
                td_perr_set(perr, "SSH public key is longer than %d bytes", TD_SSH_KEY_MAX);
                return GS_E_INVAL;
        }
        for (i = 0; i < n; i++) {
                if (key[i] < 0x20 || key[i] > 0x7e) {
                        td_perr_set(perr, "SSH public key contains a control or non-ASCII byte");
                        return GS_E_INVAL;
                }
        }
        for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
                if (strncmp(key, key_types[i], strlen(key_types[i])) == 0)
                        typed = true;
        p = strchr(key, ' ');
        if (!typed || !p || !is_base64_char(p[1])) {
                td_perr_set(perr, "SSH public key is not an authorized_keys line "
                               "'<type> <base64> [comment]'");
                return GS_E_INVAL;
        }
        for (p++; *p != '\0' && *p != ' '; p++) {
                if (!is_base64_char(*p)) {
                        td_perr_set(perr, "SSH public key data is not base64");
                        return GS_E_INVAL;
                }
        }
        return 0;
}

/* Growable string; on allocation failure `failed` is set and appends stop. */
struct sbuf {
        char *s;
        size_t len, cap;
        bool failed;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
        char *grown;
        size_t cap;

        if (b->failed)
                return;
        if (b->len + n + 1 > b->cap) {
                cap = (b->len + n + 1) * 2;
                grown = realloc(b->s, cap);
                if (!grown) {
                        b->failed = true;
                        return;
                }
                b->s = grown;
                b->cap = cap;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
        sb_add(b, s, strlen(s));
}

/* Append s as one single-quoted shell word (' becomes '\''). */
static void sb_quoted(struct sbuf *b, const char *s)
{
        sb_str(b, "'");
        for (; *s != '\0'; s++) {
                if (*s == '\'')
                        sb_str(b, "'\\''");
                else
                        sb_add(b, s, 1);
        }
        sb_str(b, "'");
}

/* Append the command string to runcmd; false on allocation failure. */
static bool runcmd_add(json_t *runcmd, struct sbuf *b)
{
        bool ok = !b->failed && json_array_append_new(runcmd, json_string(b->s)) == 0;

        b->len = 0;
        if (b->s)
                b->s[0] = '\0';
        return ok;
}

/* cloud-init runcmd installing every key for every account. */
static json_t *build_runcmd(const char *const *keys, uint32_t count)
{
        struct sbuf b = {0};
        json_t *runcmd = json_array();
        size_t a;
        uint32_t k;

        if (!runcmd)
                goto fail;
        for (a = 0; a < sizeof(accounts) / sizeof(accounts[0]); a++) {
                const char *home = accounts[a].home;

                sb_str(&b, "mkdir -p ");
                sb_str(&b, home);
                sb_str(&b, "/.ssh && chmod 700 ");
                sb_str(&b, home);
                sb_str(&b, "/.ssh");
                if (!runcmd_add(runcmd, &b))
                        goto fail;

                sb_str(&b, "printf '%s\\n'");
                for (k = 0; k < count; k++) {
                        sb_str(&b, " ");
                        sb_quoted(&b, keys[k]);
                }
                sb_str(&b, " >> ");
                sb_str(&b, home);
                sb_str(&b, "/.ssh/authorized_keys");
                if (!runcmd_add(runcmd, &b))
                        goto fail;

                sb_str(&b, "chmod 600 ");
                sb_str(&b, home);
                sb_str(&b, "/.ssh/authorized_keys && chown -R ");
                sb_str(&b, accounts[a].owner);
                sb_str(&b, " ");
                sb_str(&b, home);
                sb_str(&b, "/.ssh");
                if (!runcmd_add(runcmd, &b))
                        goto fail;
        }
        free(b.s);
        return runcmd;
fail:
        free(b.s);
        json_decref(runcmd);
        return NULL;
}

static bool is_vm_name(const char *s)
{
        size_t n;

        if (!s || s[0] == '\0')
                return false;
        for (n = 0; s[n] != '\0'; n++)
                if (n >= TD_VM_NAME_MAX || s[n] < 0x20 || s[n] > 0x7e)
                        return false;
        return true;
}

int td_create_check(const struct td_create_params *p, struct td_perr *perr)
{
        uint32_t k;
        int r;

        if (!p) {
                td_perr_set(perr, "create parameters missing");
                return GS_E_INVAL;
        }
        if (!is_vm_name(p->name)) {
                td_perr_set(perr, "label must be 1..%d printable ASCII characters", TD_VM_NAME_MAX);
                return GS_E_INVAL;
        }
        if (!td_is_os_image(p->image)) {
                td_perr_set(perr, "image is not a TensorDock OS image id");
                return GS_E_INVAL;
        }
        if (!p->location_id || !td_is_uuid(p->location_id, strlen(p->location_id)) ||
            !td_is_gpu_name(p->gpu)) {
                td_perr_set(perr, "location or GPU name invalid");
                return GS_E_INVAL;
        }
        if (p->ssh_key_count == 0 || !p->ssh_keys) {
                td_perr_set(perr, "at least one SSH public key is required");
                return GS_E_INVAL;
        }
        if (p->ssh_key_count > TD_SSH_KEYS_MAX) {
                td_perr_set(perr, "at most %d SSH public keys are accepted", TD_SSH_KEYS_MAX);
                return GS_E_INVAL;
        }
        for (k = 0; k < p->ssh_key_count; k++) {
                r = td_ssh_key_check(p->ssh_keys[k], perr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int td_create_body(const struct td_create_params *p, char **ret_body, struct td_perr *perr)
{
        json_t *runcmd, *root;
        char *body;
        int r;

        if (!p || !ret_body) {
                td_perr_set(perr, "create body: NULL argument");
                return GS_E_INVAL;
        }
        r = td_create_check(p, perr);
        if (r < 0)
                return r;
        if (p->res.gpu_count == 0 || p->res.vcpus == 0 || p->res.ram_gb == 0 ||
            p->res.storage_gb == 0) {
                td_perr_set(perr, "GPU count, vCPUs, RAM and storage must all be positive");
                return GS_E_INVAL;
        }
        runcmd = build_runcmd(p->ssh_keys, p->ssh_key_count);
        if (!runcmd) {
                td_perr_set(perr, "out of memory");
                return GS_E_NOMEM;
        }
        /* "o" steals runcmd, also when packing fails. */
        root = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s,"
                         " s:{s:I, s:I, s:I, s:{s:{s:I}}},"
                         " s:b, s:s, s:{s:o}}}}",
                         "data", "type", "virtualmachine", "attributes",
                         "name", p->name, "type", "virtualmachine", "image", p->image,
                         "location_id", p->location_id,
                         "resources", "vcpu_count", (json_int_t)p->res.vcpus,
                         "ram_gb", (json_int_t)p->res.ram_gb,
                         "storage_gb", (json_int_t)p->res.storage_gb,
                         "gpus", p->gpu, "count", (json_int_t)p->res.gpu_count,
                         "useDedicatedIp", 1, "ssh_key", p->ssh_keys[0],
                         "cloud_init", "runcmd", runcmd);
        if (!root) {
                td_perr_set(perr, "out of memory");
                return GS_E_NOMEM;
        }
        body = json_dumps(root, JSON_COMPACT);
        json_decref(root);
        if (!body) {
                td_perr_set(perr, "out of memory");
                return GS_E_NOMEM;
        }
        *ret_body = body;
        return 0;
}
