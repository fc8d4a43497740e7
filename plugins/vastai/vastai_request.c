/*
 * vastai_request.c - JSON sent to Vast.ai: search query, create body,
 * attach-key body.
 */
#include "vastai_request.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PPM 1e6
#define UUSD_PER_USD 1e6
#define CUDA_MILLI 1e3
/* Significant digits of reals we send: 0.95 goes out as 0.95, not
 * 0.94999999999999996; enough for a price of 99999.999999. */
#define VAST_DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12))
/* How Vast spells a model that we call by its canonical name: the name
 * itself plus these prefixes or suffixes ("Tesla V100", "A100 SXM4",
 * "Q RTX 8000", "RTX PRO 6000 WS"). */
static const char *const name_prefixes[] = {"Tesla ", "Q "};
static const char *const name_suffixes[] = {" PCIE", " SXM", " SXM2", " SXM4", " SXM5",
                                            " NVL", " WS", " S"};
#define VAST_NAME_VARIANTS_MAX 16
#define VAST_VARIANT_MAX (VAST_LABEL_MAX + 16)

int vast_check_text(const char *s, size_t max)
{
        size_t i;

        if (!s || s[0] == '\0')
                return GS_E_INVAL;
        for (i = 0; s[i]; i++)
                if (i >= max || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return GS_E_INVAL;
        return 0;
}

int vast_check_id(const char *s)
{
        size_t i;

        if (!s || s[0] == '\0' || s[0] == '0')
                return GS_E_INVAL;
        for (i = 0; s[i]; i++)
                if (i >= VAST_ID_DIGITS_MAX || s[i] < '0' || s[i] > '9')
                        return GS_E_INVAL;
        return 0;
}

/* Add one operator object {"op": v} under key; steals v. */
static int add_op(json_t *q, const char *key, const char *op, json_t *v)
{
        json_t *o;

        if (!v)
                return GS_E_NOMEM;
        o = json_object();
        if (!o) {
                json_decref(v);
                return GS_E_NOMEM;
        }
        /* json_object_set_new() steals its value even when it fails. */
        if (json_object_set_new(o, op, v) < 0) {
                json_decref(o);
                return GS_E_NOMEM;
        }
        return json_object_set_new(q, key, o) < 0 ? GS_E_NOMEM : 0;
}

static int append_name(json_t *arr, const char *a, const char *b, const char *c)
{
        char buf[VAST_VARIANT_MAX];
        size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
        size_t i;

        if (na + nb + nc >= sizeof(buf))
                return 0;
        memcpy(buf, a, na);
        memcpy(buf + na, b, nb);
        memcpy(buf + na + nb, c, nc);
        buf[na + nb + nc] = '\0';
        for (i = 0; i < json_array_size(arr); i++)
                if (strcmp(json_string_value(json_array_get(arr, i)), buf) == 0)
                        return 0;
        if (json_array_size(arr) >= VAST_NAME_VARIANTS_MAX)
                return 0;
        return json_array_append_new(arr, json_string(buf)) < 0 ? GS_E_NOMEM : 0;
}

/* The canonical name and the spellings Vast uses for it. */
static json_t *name_variants(const char *name)
{
        char glued[VAST_VARIANT_MAX];
        json_t *arr = json_array();
        const char *sp;
        size_t i, n = strlen(name);
        int r = 0;

        if (!arr)
                return NULL;
        r |= append_name(arr, "", name, "");
        for (i = 0; i < sizeof(name_prefixes) / sizeof(name_prefixes[0]); i++)
                r |= append_name(arr, name_prefixes[i], name, "");
        for (i = 0; i < sizeof(name_suffixes) / sizeof(name_suffixes[0]); i++)
                r |= append_name(arr, "", name, name_suffixes[i]);
        /* "RTX 6000 Ada" -> "RTX 6000Ada", "RTX 4090 D" -> "RTX 4090D" */
        sp = strrchr(name, ' ');
        if (sp && n < sizeof(glued)) {
                size_t head = (size_t)(sp - name);

                memcpy(glued, name, head);
                memcpy(glued + head, sp + 1, n - head);
                r |= append_name(arr, "", glued, "");
        }
        /* "RTX 4080 SUPER" -> "RTX 4080S" */
        if (n > 6 && n < sizeof(glued) && strcmp(name + n - 6, " SUPER") == 0) {
                memcpy(glued, name, n - 6);
                glued[n - 6] = '\0';
                r |= append_name(arr, "", glued, "S");
        }
        /* "TITAN RTX" -> "Titan RTX" */
        if (strncmp(name, "TITAN ", 6) == 0)
                r |= append_name(arr, "Titan ", name + 6, "");
        if (r != 0) {
                json_decref(arr);
                return NULL;
        }
        return arr;
}

static int dump(json_t *root, char **ret_json)
{
        char *s = json_dumps(root, VAST_DUMP_FLAGS);

        if (!s)
                return GS_E_NOMEM;
        *ret_json = s;
        return 0;
}

int vast_query_json(const struct vast_query *q, char **ret_json)
{
        json_t *root;
        int r = GS_E_NOMEM;

        if (!q || !ret_json || q->min_reliability_ppm > PPM)
                return GS_E_INVAL;
        if (q->gpu_name && vast_check_text(q->gpu_name, VAST_LABEL_MAX) < 0)
                return GS_E_INVAL;
        root = json_object();
        if (!root)
                goto done;
        if (json_object_set_new(root, "type", json_string("on-demand")) < 0)
                goto done;
        r = add_op(root, "rentable", "eq", json_true());
        if (r < 0)
                goto done;
        r = add_op(root, "reliability2", "gte", json_real(q->min_reliability_ppm / PPM));
        if (r < 0)
                goto done;
        if (q->gpu_name) {
                json_t *names = name_variants(q->gpu_name);

                r = names ? add_op(root, "gpu_name", "in", names) : GS_E_NOMEM;
                if (r < 0)
                        goto done;
        }
        if (q->min_gpu_count > 0) {
                r = add_op(root, "num_gpus", "gte", json_integer(q->min_gpu_count));
                if (r < 0)
                        goto done;
        }
        if (q->min_vram_mib > 0 && q->min_vram_mib <= INT64_MAX) {
                /* gpu_ram is per GPU in MiB ("MB" in Vast's words). */
                r = add_op(root, "gpu_ram", "gte", json_integer((json_int_t)q->min_vram_mib));
                if (r < 0)
                        goto done;
        }
        if (q->max_price_uusd_per_hour > 0) {
                r = add_op(root, "dph_total", "lte",
                           json_real((double)q->max_price_uusd_per_hour / UUSD_PER_USD));
                if (r < 0)
                        goto done;
        }
        if (q->min_cuda_milli > 0) {
                r = add_op(root, "cuda_max_good", "gte", json_real(q->min_cuda_milli / CUDA_MILLI));
                if (r < 0)
                        goto done;
        }
        r = dump(root, ret_json);
done:
        json_decref(root);
        return r;
}

/* json_string() is NULL for invalid UTF-8 as well as for OOM. */
static int set_str(json_t *o, const char *key, const char *value)
{
        json_t *v = json_string(value);

        if (!v)
                return GS_E_INVAL;
        return json_object_set_new(o, key, v) < 0 ? GS_E_NOMEM : 0;
}

int vast_create_json(const struct vast_create_body *b, char **ret_json)
{
        json_t *root = NULL;
        int r = GS_E_INVAL;

        if (!b || !ret_json || vast_check_text(b->label, VAST_LABEL_MAX) < 0 ||
            b->disk_gb == 0 || b->disk_gb > VAST_DISK_GB_MAX)
                goto done;
        if (b->template_hash_id ? vast_check_text(b->template_hash_id, VAST_TEMPLATE_MAX) < 0
                                : vast_check_text(b->image, VAST_IMAGE_MAX) < 0)
                goto done;
        if (b->ssh_key && vast_check_text(b->ssh_key, VAST_SSH_KEY_MAX) < 0)
                goto done;
        root = json_object();
        r = GS_E_NOMEM;
        if (!root)
                goto done;
        r = set_str(root, "client_id", "me");
        if (r == 0 && b->template_hash_id)
                r = set_str(root, "template_hash_id", b->template_hash_id);
        else if (r == 0)
                r = set_str(root, "image", b->image);
        if (r == 0)
                r = set_str(root, "label", b->label);
        /* SSH through Vast's proxy (ssh_host:ssh_port of the instance). */
        if (r == 0)
                r = set_str(root, "runtype", "ssh_proxy");
        if (r == 0 && b->ssh_key)
                r = set_str(root, "ssh_key", b->ssh_key);
        if (r == 0 && json_object_set_new(root, "disk", json_integer(b->disk_gb)) < 0)
                r = GS_E_NOMEM;
        if (r == 0)
                r = dump(root, ret_json);
done:
        json_decref(root);
        return r;
}

int vast_ssh_key_json(const char *ssh_key, char **ret_json)
{
        json_t *root;
        int r;

        if (!ret_json || vast_check_text(ssh_key, VAST_SSH_KEY_MAX) < 0)
                return GS_E_INVAL;
        root = json_object();
        if (!root)
                return GS_E_NOMEM;
        r = set_str(root, "ssh_key", ssh_key);
        if (r == 0)
                r = dump(root, ret_json);
        json_decref(root);
        return r;
}
