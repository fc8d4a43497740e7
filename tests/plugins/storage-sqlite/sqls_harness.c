/*
 * sqls_harness.c - the fake host for storage-sqlite tests. See sqls_harness.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "sqls_harness.h"

#define TH_NOW_DEFAULT INT64_C(1700000000000)

int64_t th_now = TH_NOW_DEFAULT;
int th_warnings;

static void *plugin_handle;
static const struct gs_plugin_info *plugin_info;

/* ------------------------------------------------------------------------ */
/* Host functions.                                                          */

static void fake_log(struct gs_host *h, int level, const char *fmt, ...) GS_PRINTF(3, 4);
static void fake_log(struct gs_host *h, int level, const char *fmt, ...)
{
        va_list ap;

        (void)h;
        if (level <= GS_LOG_WARNING)
                th_warnings++;
        if (!getenv("TH_VERBOSE"))
                return;
        va_start(ap, fmt);
        (void)fprintf(stderr, "[storage-sqlite] <%d> ", level);
        (void)vfprintf(stderr, fmt, ap);
        (void)fputc('\n', stderr);
        va_end(ap);
}

static int fake_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
        GS_PRINTF(4, 5);
static int fake_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return status;
        err->status = status;
        err->http_status = http_status;
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return status;
}

static void fake_error_set_retry_after(struct gs_error *err, int64_t seconds)
{
        if (err)
                err->retry_after = seconds;
}

/* The declared default of `key`, walking the key table by config_key_size
 * as the core does; NULL for undeclared keys. */
static const struct gs_config_key *declared_key(const char *key)
{
        const struct gs_storage_ops *ops = th_ops();
        const char *p = (const char *)ops->config_keys;
        const struct gs_config_key *k;

        for (;; p += ops->config_key_size) {
                k = (const struct gs_config_key *)(const void *)p;
                if (!k->name)
                        return NULL;
                if (strcmp(k->name, key) == 0)
                        return k;
        }
}

static const char *fake_config_str(const struct gs_config *cfg, const char *key)
{
        const struct gs_config_key *k = declared_key(key);
        size_t i;

        if (!k)
                return NULL; /* the core only hands out declared keys */
        for (i = 0; i < cfg->n; i++) {
                if (strcmp(cfg->key[i], key) == 0)
                        return cfg->value[i];
        }
        return k->default_value;
}

static int fake_config_int(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        const char *v = fake_config_str(cfg, key);
        char *end = NULL;
        long long n;

        if (!v)
                return GS_E_NOTFOUND;
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno || end == v || *end)
                return GS_E_INVAL;
        *ret_value = n;
        return 0;
}

static int fake_config_bool(const struct gs_config *cfg, const char *key, int *ret_value)
{
        const char *v = fake_config_str(cfg, key);

        if (!v)
                return GS_E_NOTFOUND;
        *ret_value = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
        return 0;
}

/* "250ms", "30s", "5m", "12h"; a bare number is milliseconds. */
static int fake_config_duration_ms(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        const char *v = fake_config_str(cfg, key);
        char *end = NULL;
        long long n;
        int64_t mult;

        if (!v)
                return GS_E_NOTFOUND;
        errno = 0;
        n = strtoll(v, &end, 10);
        if (errno || end == v)
                return GS_E_INVAL;
        if (strcmp(end, "") == 0 || strcmp(end, "ms") == 0)
                mult = 1;
        else if (strcmp(end, "s") == 0)
                mult = 1000;
        else if (strcmp(end, "m") == 0)
                mult = 60000;
        else if (strcmp(end, "h") == 0)
                mult = 3600000;
        else
                return GS_E_INVAL;
        *ret_value = n * mult;
        return 0;
}

static int fake_config_price_uusd(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        (void)cfg;
        (void)key;
        (void)ret_value;
        return GS_E_INVAL; /* storage-sqlite declares no price keys */
}

static int fake_offer_emit(struct gs_offer_sink *sink, const struct gs_offer *offer)
{
        (void)sink;
        (void)offer;
        return GS_E_INVAL;
}

static int fake_instance_emit(struct gs_instance_sink *sink, const struct gs_instance_info *info)
{
        (void)sink;
        (void)info;
        return GS_E_INVAL;
}

static char *dup_or_null(const char *s)
{
        char *d;

        if (!s)
                return NULL;
        d = strdup(s);
        assert_non_null(d);
        return d;
}

static void free_const(const char *s)
{
        free((void *)(uintptr_t)s);
}

/* The string members of gs_session_record. */
static const size_t session_strings[] = {
        offsetof(struct gs_session_record, id),
        offsetof(struct gs_session_record, consumer_id),
        offsetof(struct gs_session_record, offer_id),
        offsetof(struct gs_session_record, provider),
        offsetof(struct gs_session_record, provider_instance_id),
        offsetof(struct gs_session_record, label),
        offsetof(struct gs_session_record, gpu_type),
        offsetof(struct gs_session_record, ssh_host),
        offsetof(struct gs_session_record, ssh_user),
        offsetof(struct gs_session_record, ssh_public_key),
        offsetof(struct gs_session_record, status_reason),
        offsetof(struct gs_session_record, workload_type),
        offsetof(struct gs_session_record, storage_policy),
        offsetof(struct gs_session_record, template_hash_id),
        offsetof(struct gs_session_record, idempotency_key),
        offsetof(struct gs_session_record, detail_json),
};
#define SESSION_STRING_COUNT (sizeof(session_strings) / sizeof(session_strings[0]))

static int fake_session_emit(struct gs_session_sink *sink, const struct gs_session_record *rec)
{
        size_t limit = sink->limit ? sink->limit : TH_SINK_MAX;
        struct gs_session_record *dst;
        const char *src_str;
        char *copy;
        size_t i;

        if (!rec || rec->struct_size != sizeof(*rec) || !rec->id)
                return GS_E_INVAL;
        if (sink->n >= limit)
                return GS_E_TOOBIG;
        dst = &sink->rec[sink->n++];
        *dst = *rec;
        for (i = 0; i < SESSION_STRING_COUNT; i++) {
                memcpy(&src_str, (const char *)rec + session_strings[i], sizeof(src_str));
                copy = dup_or_null(src_str);
                memcpy((char *)dst + session_strings[i], &copy, sizeof(copy));
        }
        return 0;
}

static int fake_cost_emit(struct gs_cost_sink *sink, const struct gs_cost_row *row)
{
        struct gs_cost_row *dst;

        if (!row || row->struct_size != sizeof(*row) || !row->provider || !row->gpu_type)
                return GS_E_INVAL;
        if (sink->n >= TH_SINK_MAX)
                return GS_E_TOOBIG;
        dst = &sink->row[sink->n++];
        *dst = *row;
        dst->provider = dup_or_null(row->provider);
        dst->gpu_type = dup_or_null(row->gpu_type);
        return 0;
}

static int fake_event_emit(struct gs_event_sink *sink, const struct gs_event *ev)
{
        struct gs_event *dst;

        if (!ev || ev->struct_size != sizeof(*ev) || !ev->kind)
                return GS_E_INVAL;
        if (sink->n >= TH_SINK_MAX)
                return GS_E_TOOBIG;
        dst = &sink->ev[sink->n++];
        *dst = *ev;
        dst->kind = dup_or_null(ev->kind);
        dst->actor = dup_or_null(ev->actor);
        dst->session_id = dup_or_null(ev->session_id);
        dst->detail_json = dup_or_null(ev->detail_json);
        return 0;
}

static int fake_token_emit(struct gs_token_sink *sink, const struct gs_token_record *tok)
{
        struct gs_token_record *dst;

        if (!tok || tok->struct_size != sizeof(*tok) || !tok->id || !tok->secret_hash)
                return GS_E_INVAL;
        if (sink->n >= sizeof(sink->tok) / sizeof(sink->tok[0]))
                return GS_E_TOOBIG;
        dst = &sink->tok[sink->n++];
        *dst = *tok;
        dst->id = dup_or_null(tok->id);
        dst->secret_hash = dup_or_null(tok->secret_hash);
        dst->consumers = dup_or_null(tok->consumers);
        dst->label = dup_or_null(tok->label);
        dst->created_by = dup_or_null(tok->created_by);
        return 0;
}

static int fake_string_emit(struct gs_string_sink *sink, const char *value)
{
        size_t len;

        if (!value)
                return GS_E_INVAL;
        len = strlen(value);
        if (len >= sizeof(sink->value))
                return GS_E_TOOBIG;
        memcpy(sink->value, value, len + 1);
        sink->n++;
        return 0;
}

static int64_t fake_now_ms(struct gs_host *h)
{
        (void)h;
        return th_now;
}

const struct gs_host_api th_api = {
        .struct_size = sizeof(struct gs_host_api),
        .abi_major = GS_ABI_MAJOR,
        .abi_minor = GS_ABI_MINOR,
        .log = fake_log,
        .error_set = fake_error_set,
        .error_set_retry_after = fake_error_set_retry_after,
        .config_str = fake_config_str,
        .config_int = fake_config_int,
        .config_bool = fake_config_bool,
        .config_duration_ms = fake_config_duration_ms,
        .config_price_uusd = fake_config_price_uusd,
        .offer_emit = fake_offer_emit,
        .instance_emit = fake_instance_emit,
        .session_emit = fake_session_emit,
        .cost_emit = fake_cost_emit,
        .event_emit = fake_event_emit,
        .string_emit = fake_string_emit,
        .now_ms = fake_now_ms,
        .token_emit = fake_token_emit,
};

/* ------------------------------------------------------------------------ */
/* Plugin loading.                                                          */

void th_load(void)
{
        gs_plugin_entry_fn entry;
        void *sym;

        if (plugin_handle)
                return;
        plugin_handle = dlopen(GS_STORAGE_SQLITE_SO, RTLD_NOW | RTLD_LOCAL);
        if (!plugin_handle) {
                (void)fprintf(stderr, "dlopen %s: %s\n", GS_STORAGE_SQLITE_SO, dlerror());
                abort();
        }
        sym = dlsym(plugin_handle, GS_PLUGIN_ENTRY_SYMBOL);
        if (!sym) {
                (void)fprintf(stderr, "dlsym: %s\n", dlerror());
                abort();
        }
        memcpy(&entry, &sym, sizeof(entry));
        plugin_info = entry();
        if (!plugin_info || plugin_info->magic != GS_PLUGIN_MAGIC ||
            plugin_info->kind != GS_PLUGIN_STORAGE) {
                (void)fprintf(stderr, "%s: not a storage plugin\n", GS_STORAGE_SQLITE_SO);
                abort();
        }
}

void th_unload(void)
{
        if (plugin_handle)
                (void)dlclose(plugin_handle);
        plugin_handle = NULL;
        plugin_info = NULL;
}

const struct gs_plugin_info *th_info(void)
{
        th_load();
        return plugin_info;
}

const struct gs_storage_ops *th_ops(void)
{
        return th_info()->ops;
}

/* ------------------------------------------------------------------------ */
/* Files and fixtures.                                                      */

void th_tmpdir(char *buf, size_t size)
{
        const char *base = getenv("TMPDIR");
        int n;

        n = snprintf(buf, size, "%s/gs-sqls-XXXXXX", base && *base ? base : "/tmp");
        assert_true(n > 0 && (size_t)n < size);
        assert_non_null(mkdtemp(buf));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        (void)sb;
        (void)flag;
        (void)ftw;
        return remove(path);
}

void th_rmrf(const char *dir)
{
        if (dir && *dir)
                (void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void th_join(char *buf, size_t size, const char *dir, const char *rel)
{
        int n = snprintf(buf, size, "%s/%s", dir, rel);

        assert_true(n > 0 && (size_t)n < size);
}

void th_config_set(struct gs_config *cfg, const char *key, const char *value)
{
        size_t i;

        for (i = 0; i < cfg->n; i++) {
                if (strcmp(cfg->key[i], key) == 0) {
                        cfg->value[i] = value;
                        return;
                }
        }
        assert_true(cfg->n < TH_CFG_MAX);
        cfg->key[cfg->n] = key;
        cfg->value[cfg->n] = value;
        cfg->n++;
}

int th_open(struct th_db *db)
{
        memset(&db->err, 0, sizeof(db->err));
        return th_ops()->init(&th_api, NULL, &db->cfg, &db->inst, &db->err);
}

void th_close(struct th_db *db)
{
        th_ops()->shutdown(db->inst);
        db->inst = NULL;
}

void th_open_memory(struct th_db *db)
{
        int r;

        memset(db, 0, sizeof(*db));
        (void)snprintf(db->path, sizeof(db->path), ":memory:");
        th_config_set(&db->cfg, "path", db->path);
        r = th_open(db);
        if (r < 0)
                fail_msg("init: %d %s", r, db->err.msg);
}

void th_open_file(struct th_db *db, const char *relpath)
{
        int r;

        memset(db, 0, sizeof(*db));
        th_tmpdir(db->dir, sizeof(db->dir));
        th_join(db->path, sizeof(db->path), db->dir, relpath);
        th_config_set(&db->cfg, "path", db->path);
        r = th_open(db);
        if (r < 0)
                fail_msg("init: %d %s", r, db->err.msg);
}

void th_cleanup(struct th_db *db)
{
        th_close(db);
        th_rmrf(db->dir);
        db->dir[0] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Sinks.                                                                   */

void th_session_sink_reset(struct gs_session_sink *sink)
{
        const char *str;
        size_t i;
        size_t j;

        for (i = 0; i < sink->n; i++) {
                for (j = 0; j < SESSION_STRING_COUNT; j++) {
                        memcpy(&str, (const char *)&sink->rec[i] + session_strings[j], sizeof(str));
                        free_const(str);
                }
        }
        sink->n = 0;
}

void th_cost_sink_reset(struct gs_cost_sink *sink)
{
        size_t i;

        for (i = 0; i < sink->n; i++) {
                free_const(sink->row[i].provider);
                free_const(sink->row[i].gpu_type);
        }
        sink->n = 0;
}

void th_event_sink_reset(struct gs_event_sink *sink)
{
        size_t i;

        for (i = 0; i < sink->n; i++) {
                free_const(sink->ev[i].kind);
                free_const(sink->ev[i].actor);
                free_const(sink->ev[i].session_id);
                free_const(sink->ev[i].detail_json);
        }
        sink->n = 0;
}

void th_token_sink_reset(struct gs_token_sink *sink)
{
        for (size_t i = 0; i < sink->n; i++) {
                free_const(sink->tok[i].id);
                free_const(sink->tok[i].secret_hash);
                free_const(sink->tok[i].consumers);
                free_const(sink->tok[i].label);
                free_const(sink->tok[i].created_by);
        }
        sink->n = 0;
}

const struct gs_cost_row *th_cost_find(const struct gs_cost_sink *sink, const char *provider,
                                       const char *gpu_type)
{
        size_t i;

        for (i = 0; i < sink->n; i++) {
                if (strcmp(sink->row[i].provider, provider) == 0 &&
                    strcmp(sink->row[i].gpu_type, gpu_type) == 0)
                        return &sink->row[i];
        }
        return NULL;
}
