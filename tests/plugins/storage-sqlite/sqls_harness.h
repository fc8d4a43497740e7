/*
 * sqls_harness.h - test harness for the storage-sqlite plugin: loads the real
 * built storage-sqlite.so with dlopen() and drives it through a fake
 * gs_host_api (config backed by a key/value array, copying sinks, an error
 * object that keeps status and message).
 */
#ifndef SQLS_HARNESS_H
#define SQLS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <gpushop/plugin.h>

#define TH_CFG_MAX 8     /* key/values per fake config section */
#define TH_SINK_MAX 2048 /* records one sink keeps */
#define TH_PATH_MAX 4096

/* The fake host's opaque objects, defined here so tests can read them. */
struct gs_error {
        int status;
        int http_status;
        int64_t retry_after;
        char msg[GS_ERROR_MSG_MAX];
};

struct gs_config {
        size_t n;
        const char *key[TH_CFG_MAX];
        const char *value[TH_CFG_MAX];
};

/* Sinks keep deep copies (strings strdup'd) until th_*_sink_reset(). */
struct gs_session_sink {
        size_t n;
        size_t limit; /* 0 = TH_SINK_MAX */
        struct gs_session_record rec[TH_SINK_MAX];
};

struct gs_cost_sink {
        size_t n;
        struct gs_cost_row row[TH_SINK_MAX];
};

struct gs_event_sink {
        size_t n;
        struct gs_event ev[TH_SINK_MAX];
};

struct gs_token_sink {
        size_t n;
        struct gs_token_record tok[64];
};

struct gs_string_sink {
        size_t n;
        char value[GS_STRING_MAX];
};

/* One opened plugin instance with its config and last error. */
struct th_db {
        void *inst;
        struct gs_config cfg;
        struct gs_error err;
        char dir[TH_PATH_MAX];  /* temporary directory, "" for :memory: */
        char path[TH_PATH_MAX]; /* database path */
};

extern const struct gs_host_api th_api;
extern int64_t th_now;  /* what now_ms() returns */
extern int th_warnings; /* log lines at GS_LOG_WARNING or worse */

/* dlopen the plugin once per process; th_unload closes it. */
void th_load(void);
void th_unload(void);
const struct gs_plugin_info *th_info(void);
const struct gs_storage_ops *th_ops(void);

/* A fresh temporary directory (mkdtemp) and its recursive removal. */
void th_tmpdir(char *buf, size_t size);
void th_rmrf(const char *dir);
/* buf = dir + "/" + rel; fails the test on truncation. */
void th_join(char *buf, size_t size, const char *dir, const char *rel);

/* Config helpers; th_open() calls init with db->cfg, th_close() shutdown. */
void th_config_set(struct gs_config *cfg, const char *key, const char *value);
int th_open(struct th_db *db);
void th_close(struct th_db *db);
/* Typical fixtures: an in-memory database, or a file under a fresh tmpdir. */
void th_open_memory(struct th_db *db);
void th_open_file(struct th_db *db, const char *relpath);
void th_cleanup(struct th_db *db); /* th_close + remove the tmpdir */

void th_session_sink_reset(struct gs_session_sink *sink);
void th_cost_sink_reset(struct gs_cost_sink *sink);
void th_event_sink_reset(struct gs_event_sink *sink);
void th_token_sink_reset(struct gs_token_sink *sink);

/* Emit-and-compare helpers. */
const struct gs_cost_row *th_cost_find(const struct gs_cost_sink *sink, const char *provider,
                                       const char *gpu_type);

#endif /* SQLS_HARNESS_H */
