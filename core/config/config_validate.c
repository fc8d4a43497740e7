/*
 * config_validate.c - checks one section's records against a declared key
 * table and builds its struct gs_config (see cfg_section_validate()).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_doc.h"
#include "config/config_errors.h"
#include "config/config_expand.h"
#include "config/config_keys.h"
#include "config/config_store.h"
#include "config/config_value.h"

/* Longest plugin name accepted in `plugin = ...`. */
#define CFG_MAX_PLUGIN_NAME 64
/* Longest absolute plugin path. */
#define CFG_MAX_PLUGIN_PATH 4096

/* One declared key as validation sees it. */
struct decl {
        struct gs_config_key key;
        bool broken;      /* bad declaration: known, but never parsed or filled */
        bool bad_default; /* default_value does not validate: not applied */
        bool is_plugin;   /* the reserved `plugin` key */
        int first_line;   /* first line setting it in the file, 0 = none */
};

struct vctx {
        struct cfg_errors *errs;
        const char *file;
        const char *section;
        int header_line; /* first header of the section, 0 if absent */
        size_t errors;   /* errors added by this validation */
};

static void verr(struct vctx *v, int line, const char *fmt, ...) GS_PRINTF(3, 4);

static void verr(struct vctx *v, int line, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        cfg_errors_addv(v->errs, v->file, line, v->section, fmt, ap);
        va_end(ap);
        v->errors++;
}

bool cfg_plugin_ref_is_valid(const char *s)
{
        size_t n = 0;

        if (s[0] == '/') {
                n = strlen(s);
                return n > 3 && n < CFG_MAX_PLUGIN_PATH && strcmp(s + n - 3, ".so") == 0;
        }
        for (; s[n]; n++) {
                char c = s[n];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                        return false;
        }
        return n > 0 && n <= CFG_MAX_PLUGIN_NAME;
}

/* Copy and check the table; *ret_decl gets room for one more (the plugin key). */
static int load_table(struct vctx *v, const struct gs_config_key *keys, size_t key_size,
                      struct decl **ret_decl, size_t *ret_count)
{
        char msg[CFG_VALUE_MSG_MAX];
        struct cfg_parsed parsed;
        struct decl *d;
        size_t n = 0;

        if (keys && key_size < CFG_MIN_KEY_SIZE) {
                verr(v, v->header_line, "key table: stride %zu is smaller than %zu bytes",
                     key_size, (size_t)CFG_MIN_KEY_SIZE);
                return GS_E_CONFIG;
        }
        d = calloc(CFG_MAX_KEYS + 1, sizeof(*d));
        if (!d)
                return GS_E_NOMEM;
        for (; keys; n++) {
                if (n == CFG_MAX_KEYS) {
                        verr(v, v->header_line,
                             "key table: more than %d keys, or no NULL terminator", CFG_MAX_KEYS);
                        free(d);
                        return GS_E_CONFIG;
                }
                cfg_keys_load(keys, key_size, n, &d[n].key);
                if (!d[n].key.name)
                        break;
        }
        for (size_t i = 0; i < n; i++) {
                const struct gs_config_key *k = &d[i].key;

                if (cfg_key_check(k, msg, sizeof(msg)) < 0) {
                        verr(v, v->header_line, "%s", msg);
                        d[i].broken = true;
                        continue;
                }
                for (size_t j = 0; j < i; j++) {
                        if (!d[j].broken && strcmp(d[j].key.name, k->name) == 0) {
                                verr(v, v->header_line, "key table: key '%s' declared twice",
                                     k->name);
                                d[i].broken = true;
                        }
                }
                if (d[i].broken || !k->default_value)
                        continue;
                if (cfg_value_parse(k, k->default_value, &parsed, msg, sizeof(msg)) < 0) {
                        verr(v, v->header_line, "default of key '%s' is invalid: %s", k->name,
                             msg);
                        d[i].bad_default = true;
                }
        }
        *ret_decl = d;
        *ret_count = n;
        return 0;
}

static size_t find_decl(const struct decl *d, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (d[i].key.name && strcmp(d[i].key.name, name) == 0)
                        return i;
        return n;
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": the declared names sorted, into buf. */
static int known_list(const struct decl *d, size_t n, char *buf, size_t len)
{
        const char **names = calloc(n ? n : 1, sizeof(*names));
        size_t used = 0;

        if (!names)
                return GS_E_NOMEM;
        for (size_t i = 0; i < n; i++)
                names[i] = d[i].key.name;
        qsort(names, n, sizeof(*names), cmp_names);
        buf[0] = '\0';
        for (size_t i = 0; i < n && used < len; i++) {
                int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);

                if (w < 0)
                        break;
                used += (size_t)w;
        }
        if (n == 0)
                snprintf(buf, len, "none");
        free(names);
        return 0;
}

/*
 * Check `text` for decl i and store it. `env` names the environment variable
 * it came from (NULL for the file or a default); `line` is where to report.
 */
static int set_value(struct vctx *v, struct decl *d, struct gs_config *cfg, size_t i,
                     const char *text, int line, int src_line, const char *env)
{
        char msg[CFG_VALUE_MSG_MAX];
        char from[CFG_VALUE_MSG_MAX];
        struct cfg_parsed p = {0};
        const char *store = text;
        size_t len = strlen(text);

        from[0] = '\0';
        if (env)
                snprintf(from, sizeof(from), " (from environment variable %s)", env);
        if (len > CFG_VALUE_MAX) {
                verr(v, line, "value of key '%s' is longer than %d bytes%s", d->key.name,
                     CFG_VALUE_MAX, from);
                return 0;
        }
        if ((d->key.flags & GS_CFG_REQUIRED) && text[0] == '\0') {
                verr(v, line, "required key '%s' is empty%s", d->key.name, from);
                return 0;
        }
        if (d->is_plugin) {
                if (!cfg_plugin_ref_is_valid(text)) {
                        verr(v, line,
                             "'%.*s' is not a plugin name (a-z, 0-9, '_', '-') or an absolute "
                             "path to a .so",
                             CFG_QUOTE_MAX, text);
                        return 0;
                }
        } else if (cfg_value_parse(&d->key, text, &p, msg, sizeof(msg)) < 0) {
                verr(v, line, "%s%s", msg, from);
                return 0;
        }
        if (!d->is_plugin && d->key.type == GS_CFG_ENUM) {
                store = p.word;
                len = p.word_len;
        }
        return cfg_config_set(cfg, i, store, len, d->is_plugin ? 0 : p.num, src_line);
}

static int check_records(struct vctx *v, const struct cfg_doc *doc, size_t sidx,
                         struct decl *d, size_t n, struct gs_config *cfg)
{
        char known[CFG_ERROR_MAX];
        bool have_known = false;
        int r;

        for (size_t ri = 0; sidx != CFG_NO_SECTION && ri < doc->record_count; ri++) {
                const struct cfg_record *rec = &doc->records[ri];
                size_t i;

                if (rec->section != sidx)
                        continue;
                i = find_decl(d, n, rec->key);
                if (i == n) {
                        if (!have_known) {
                                r = known_list(d, n, known, sizeof(known));
                                if (r < 0)
                                        return r;
                                have_known = true;
                        }
                        verr(v, rec->line, "unknown key '%s' (known: %s)", rec->key, known);
                        continue;
                }
                if (d[i].first_line) {
                        verr(v, rec->line, "key '%s' set twice (lines %d and %d)", rec->key,
                             d[i].first_line, rec->line);
                        continue;
                }
                d[i].first_line = rec->line;
                if (d[i].broken)
                        continue;
                r = set_value(v, &d[i], cfg, i, rec->value, rec->line, rec->line, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Keys the file did not set: environment, then default, else required? */
static int fill_absent(struct vctx *v, struct decl *d, size_t n, struct gs_config *cfg)
{
        char hint[CFG_VALUE_MSG_MAX];
        int r;

        for (size_t i = 0; i < n; i++) {
                const struct gs_config_key *k = &d[i].key;
                const char *env = k->env ? getenv(k->env) : NULL;

                if (d[i].first_line || d[i].broken)
                        continue;
                if (env && env[0]) {
                        r = set_value(v, &d[i], cfg, i, env, v->header_line, 0, k->env);
                } else if (k->default_value && !d[i].bad_default) {
                        r = set_value(v, &d[i], cfg, i, k->default_value, v->header_line, 0,
                                      NULL);
                } else {
                        hint[0] = '\0';
                        if (k->env && k->env[0])
                                snprintf(hint, sizeof(hint), " (or set %s)", k->env);
                        if (k->flags & GS_CFG_REQUIRED)
                                verr(v, v->header_line, "missing required key '%s'%s", k->name,
                                     hint);
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int cfg_section_validate(const struct cfg_doc *doc, const char *section,
                         const struct gs_config_key *keys, size_t key_size,
                         struct gs_config **ret_cfg, struct cfg_errors *errs)
{
        struct vctx v = {.errs = errs, .section = section};
        struct gs_config *cfg = NULL;
        struct decl *d = NULL;
        size_t n = 0, sidx;
        int r;

        if (!doc || !section || !ret_cfg)
                return GS_E_INVAL;
        v.file = doc->path;
        sidx = cfg_doc_find_section(doc, section);
        v.header_line = sidx == CFG_NO_SECTION ? 0 : doc->sections[sidx].line;

        r = load_table(&v, keys, key_size, &d, &n);
        if (r < 0)
                goto fail;
        if (cfg_section_takes_plugin(section)) {
                d[n].key.name = CFG_PLUGIN_KEY;
                d[n].key.type = GS_CFG_STRING;
                d[n].is_plugin = true;
                n++;
        }
        r = GS_E_NOMEM;
        cfg = cfg_config_new(section, n);
        if (!cfg)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                r = cfg_config_declare(cfg, i, d[i].key.name ? d[i].key.name : "",
                                       d[i].key.type, d[i].key.flags);
                if (r < 0)
                        goto fail;
        }
        r = check_records(&v, doc, sidx, d, n, cfg);
        if (r < 0)
                goto fail;
        r = fill_absent(&v, d, n, cfg);
        if (r < 0)
                goto fail;
        if (v.errors > 0) {
                r = GS_E_CONFIG;
                goto fail;
        }
        free(d);
        *ret_cfg = cfg;
        return 0;
fail:
        free(d);
        cfg_config_free(cfg);
        return r;
}
