/* gpu-market-sim: shared types and the interfaces between the simulator's files. */
#ifndef GS_SIM_H
#define GS_SIM_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#if defined(__GNUC__)
#define SIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIM_PRINTF(f, a)
#endif

/* Limits (every user-controllable resource has one). */
#define SIM_OFFERS_MAX 100000
#define SIM_OFFERS_DEFAULT 200
#define SIM_BODY_MAX (1024 * 1024) /* request body cap */
#define SIM_LABEL_MAX 256
#define SIM_KEYS_MAX 32          /* authorized keys per instance */
#define SIM_KEY_LEN_MAX 16384    /* one authorized_keys line */
#define SIM_INSTANCES_MAX 100000 /* ever created, ledger included */
#define SIM_FAULTS_MAX 256
#define SIM_HANG_CAP_MS 600000 /* a hang never outlives this */
#define SIM_HANG_DEFAULT_MS 300000
#define SIM_DELAY_CAP_MS 600000
#define SIM_HUGE_DEFAULT_BYTES (8 * 1024 * 1024)
#define SIM_HUGE_MAX_BYTES (256 * 1024 * 1024)
#define SIM_READY_DEFAULT_MS 1000
#define SIM_THREADS_DEFAULT 4
#define SIM_THREADS_MAX 64
#define SIM_REQLOG_MAX 2048 /* ring of recent provider requests */
#define SIM_REQLOG_Q_MAX 1024
#define SIM_ERRTEXT_MAX 512
#define SIM_SSHD_TRIES 5
#define SIM_SSHD_READY_MS 5000
#define SIM_PATH_MAX 1024

enum sim_provider {
        SIM_VAST,
        SIM_TD,
        _SIM_PROVIDER_MAX,
        _SIM_PROVIDER_INVALID = -1,
};

#define SIM_ROUTE_MAP(X)                                                                           \
        X(ROUTE_LIST_OFFERS, "list_offers")                                                        \
        X(ROUTE_CREATE, "create")                                                                  \
        X(ROUTE_GET, "get")                                                                        \
        X(ROUTE_LIST, "list")                                                                      \
        X(ROUTE_DESTROY, "destroy")                                                                \
        X(ROUTE_ATTACH_SSH, "attach_ssh")                                                          \
        X(ROUTE_BALANCE, "balance")                                                                \
        X(ROUTE_OTHER, "other")

#define SIM_ROUTE_ENUM_(name, str) name,
/* clang-format off */
enum sim_route {
        SIM_ROUTE_MAP(SIM_ROUTE_ENUM_)
        _SIM_ROUTE_MAX,
        _SIM_ROUTE_INVALID = -1,
};
/* clang-format on */
#undef SIM_ROUTE_ENUM_

const char *sim_provider_name(enum sim_provider p);
enum sim_provider sim_provider_from_name(const char *s);
const char *sim_route_name(enum sim_route r);
enum sim_route sim_route_from_name(const char *s);

/* ---- sim_clock.c: time ---- */
int64_t sim_now_ms(void);  /* wall clock, ms since the epoch (ledger) */
int64_t sim_mono_ms(void); /* monotonic ms (deadlines) */

/* ---- sim_rng.c: splitmix64, the only randomness source ---- */
struct sim_rng {
        uint64_t state;
};

void sim_rng_init(struct sim_rng *rng, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *rng);
uint64_t sim_rng_below(struct sim_rng *rng, uint64_t n); /* uniform in [0, n), n > 0 */
void sim_rng_uuid(struct sim_rng *rng, char out[37]);    /* UUID v4 text */

/* ---- sim_buf.c: growable text buffer and shared immutable blobs ---- */
struct sim_buf {
        char *data;
        size_t len;
        size_t cap;
        bool oom;
};

void sim_buf_init(struct sim_buf *b);
void sim_buf_done(struct sim_buf *b);
int sim_buf_reserve(struct sim_buf *b, size_t extra);
int sim_buf_append(struct sim_buf *b, const char *s, size_t n);
int sim_buf_puts(struct sim_buf *b, const char *s);
int sim_buf_printf(struct sim_buf *b, const char *fmt, ...) SIM_PRINTF(2, 3);
int sim_buf_json_str(struct sim_buf *b, const char *s);  /* quoted, escaped */
int sim_buf_money(struct sim_buf *b, uint64_t uusd);     /* 0.4123 from 412300 */
char *sim_buf_steal(struct sim_buf *b, size_t *ret_len); /* NUL-terminated; buffer reset */

struct sim_blob {
        atomic_uint refs;
        size_t len;
        char data[];
};

struct sim_blob *sim_blob_from_buf(struct sim_buf *b); /* takes the buffer's text */
struct sim_blob *sim_blob_ref(struct sim_blob *blob);
void sim_blob_unref(struct sim_blob *blob);

/* ---- sim_models.c: the static GPU model and location tables ---- */
struct sim_gpu_model {
        const char *key;           /* our short name, for docs */
        const char *vast_names[3]; /* raw Vast.ai spellings; [0] NULL = not on Vast */
        const char *td_v0name;     /* NULL = not on TensorDock */
        const char *td_display;
        uint32_t vram_mb;     /* Vast gpu_ram (MB per GPU) */
        uint32_t base_uusd;   /* typical on-demand price per GPU per hour */
        uint32_t weight;      /* relative frequency */
        uint32_t max_count;   /* largest gpu count offered */
        uint32_t compute_cap; /* x100 */
        const char *arch;
        uint32_t tdp_w;
};

struct sim_vast_geo {
        const char *geolocation; /* as Vast prints it */
        const char *country;     /* 2-letter code ("" when unknown) */
        uint32_t weight;
};

struct sim_td_city {
        const char *city;
        const char *stateprovince;
        const char *country;
};

extern const struct sim_gpu_model sim_gpu_models[];
extern const size_t sim_gpu_models_len;
extern const struct sim_vast_geo sim_vast_geos[];
extern const size_t sim_vast_geos_len;
extern const struct sim_td_city sim_td_cities[];
extern const size_t sim_td_cities_len;
extern const char *const sim_cpu_names[];
extern const size_t sim_cpu_names_len;

/* ---- sim_catalog.c: the deterministic offer catalogue ---- */
struct sim_instance;

struct sim_vast_offer {
        uint64_t id;
        uint32_t machine_id;
        uint32_t host_id;
        const struct sim_gpu_model *model;
        const char *gpu_name;
        uint32_t num_gpus;
        uint32_t gpu_ram_mb;
        uint64_t dph_total_uusd;
        uint64_t dph_base_uusd;
        uint64_t min_bid_uusd;
        uint64_t storage_cost_uusd; /* $/GB/month in micro-USD */
        uint64_t inet_cost_uusd;    /* $/GB */
        const struct sim_vast_geo *geo;
        uint32_t reliability_e7; /* reliability2 x 1e7 */
        uint32_t cuda_x10;       /* cuda_max_good x 10 */
        const char *driver_version;
        const char *cpu_name;
        uint32_t cpu_cores;
        uint32_t cpu_ram_mb;
        uint32_t disk_space_gb;
        uint32_t inet_up;
        uint32_t inet_down;
        bool verified;
        bool static_ip;
        char *json; /* immutable listing fragment */
        size_t json_len;
        struct sim_instance *rented_by; /* under the state lock */
};

struct sim_td_gpu {
        uint32_t location; /* index into locations */
        const struct sim_gpu_model *model;
        const char *display_name;
        uint32_t max_count;
        uint64_t price_uusd; /* per GPU per hour */
        char *json;
        size_t json_len;
        struct sim_instance *rented_by;
};

struct sim_td_location {
        char id[37];
        const struct sim_td_city *city;
        uint32_t tier;
        uint32_t first_gpu;
        uint32_t n_gpus;
        uint32_t max_vcpus;
        uint32_t max_ram_gb;
        uint32_t max_storage_gb;
        uint64_t per_vcpu_uusd; /* per vCPU per hour */
        uint64_t per_gb_ram_uusd;
        uint64_t per_gb_storage_uusd_e3; /* per GB storage per hour, in nano-USD */
        char *json_head;                 /* `{"id":...,"gpus":[` */
        size_t json_head_len;
};

struct sim_catalog {
        uint64_t seed;
        struct sim_vast_offer *vast;
        size_t n_vast;
        struct sim_td_location *locs;
        size_t n_locs;
        struct sim_td_gpu *td;
        size_t n_td;
        /* listing caches, rebuilt when rent_gen moves (under the state lock) */
        uint64_t rent_gen;
        struct sim_blob *vast_cache;
        uint64_t vast_cache_gen;
        struct sim_blob *td_cache;
        uint64_t td_cache_gen;
};

int sim_catalog_build(struct sim_catalog *cat, uint64_t seed, size_t n_offers);
void sim_catalog_done(struct sim_catalog *cat);
struct sim_vast_offer *sim_catalog_vast_find(struct sim_catalog *cat, uint64_t id);
struct sim_td_gpu *sim_catalog_td_find(struct sim_catalog *cat, const char *location_id,
                                       const char *v0name);
struct sim_blob *sim_catalog_vast_listing(struct sim_catalog *cat); /* under lock; owned ref */
struct sim_blob *sim_catalog_td_listing(struct sim_catalog *cat);   /* under lock; owned ref */

/* ---- sim_vastq.c: the Vast.ai `q=` search filter ---- */
struct sim_vastq;

int sim_vastq_parse(const char *q, size_t len, struct sim_vastq **ret, char *errbuf, size_t errlen);
void sim_vastq_free(struct sim_vastq *q);
bool sim_vastq_match(const struct sim_vastq *q, const struct sim_vast_offer *o);
size_t sim_vastq_limit(const struct sim_vastq *q); /* 0 = none */

/* ---- sim_keys.c: authorized_keys extraction ---- */
/* Appends every `ssh-ed25519 ...`/`ssh-rsa ...` style key found in text (and in base64 payloads
 * piped to `base64 -d`) to keys, one per line, without duplicates. Returns the number added.
 * shell: text is a shell command, so quotes, redirections and separators end a key comment;
 * otherwise (an ssh_key field) only a line break does. */
int sim_keys_extract(struct sim_buf *keys, const char *text, bool shell);
size_t sim_keys_count(const char *keys);

/* ---- sim_instance.c: instances, their life cycle and the ledger ---- */
enum sim_phase {
        SIM_PHASE_LOADING,  /* waiting for ready_at */
        SIM_PHASE_SPAWNING, /* the ticker is starting its sshd */
        SIM_PHASE_RUNNING,
        SIM_PHASE_DEAD, /* destroyed or vanished */
};

struct sim_instance {
        enum sim_provider provider;
        uint64_t seq;
        char id[40];
        bool foreign;               /* made by the control API, not rented from an offer */
        long vast_offer;            /* index or -1 */
        long td_gpu;                /* index or -1 */
        char offer_id[96];          /* provider offer id (Vast ask id / TD location-v0name) */
        char shopper_offer_id[128]; /* vastai-<id> / tensordock-<loc>-<v0> */
        char *label;
        char *keys; /* authorized_keys text */
        char *image;
        int64_t created_ms;
        int64_t destroyed_ms; /* -1 while alive */
        int64_t ready_at_mono;
        int64_t running_ms;     /* wall time it became running, -1 before */
        const char *end_reason; /* "destroy" | "vanish" | "reset" | NULL */
        enum sim_phase phase;
        char *forced_state; /* reported instead of the natural state when set */
        pid_t sshd_pid;
        int ssh_port;
        char dir[SIM_PATH_MAX];
        uint32_t gpu_count;
        const char *gpu_name;
        uint32_t gpu_ram_mb;
        uint64_t price_uusd_per_hour; /* the offer's advertised price */
        uint64_t rate_uusd_per_hour;  /* what the provider charges (TD adds CPU/RAM/disk) */
        int gpu_util;
        uint32_t vcpus;
        uint32_t ram_gb;
        uint32_t storage_gb;
        uint32_t disk_gb;
        char location_id[37];
        uint32_t machine_id;
        const char *geolocation;
        bool sshd_failed;
};

struct sim_instance_spec {
        enum sim_provider provider;
        bool foreign;
        long vast_offer;
        long td_gpu;
        const char *label;
        const char *keys;
        const char *image;
        uint32_t gpu_count;
        uint32_t vcpus;
        uint32_t ram_gb;
        uint32_t storage_gb;
        uint32_t disk_gb;
        const char *state;            /* foreign only: initial forced state */
        uint64_t price_uusd_per_hour; /* foreign only */
};

/* All under the state lock. */
int sim_instance_create(const struct sim_instance_spec *spec, struct sim_instance **ret,
                        char *errbuf, size_t errlen);
/* p = _SIM_PROVIDER_INVALID searches both providers */
struct sim_instance *sim_instance_find(enum sim_provider p, const char *id);
void sim_instance_end(struct sim_instance *inst, const char *reason, pid_t *ret_pid);
const char *sim_instance_state(const struct sim_instance *inst);
int sim_instance_add_keys(struct sim_instance *inst, const char *keys);
int sim_instance_set_util(struct sim_instance *inst, const int *util, size_t n);
uint64_t sim_instance_billed_ms(const struct sim_instance *inst, int64_t now_ms);
json_t *sim_instance_ledger_json(const struct sim_instance *inst, int64_t now_ms);
json_t *sim_instance_debug_json(const struct sim_instance *inst, int64_t now_ms);
void sim_instance_reset_all(pid_t **ret_pids, size_t *ret_n);
void sim_instance_free_all(void);

/* ---- sim_sshd.c: real OpenSSH endpoints ---- */
int sim_sshd_setup(const char *state_dir, bool with_ssh, char *errbuf, size_t errlen);
int sim_sshd_write_file(const char *dir, const char *name, const char *text);
int sim_sshd_spawn(const char *inst_dir, pid_t *ret_pid, int *ret_port, char *errbuf,
                   size_t errlen);
void sim_sshd_kill(pid_t pid);
int sim_rmtree(const char *path);

/* ---- sim_fault.c: fault injection rules ---- */
enum sim_fault_kind {
        SIM_FAULT_STATUS,
        SIM_FAULT_DELAY,
        SIM_FAULT_HANG,
        SIM_FAULT_MALFORMED,
        SIM_FAULT_WRONG_TYPES,
        SIM_FAULT_HUGE,
        SIM_FAULT_STALE,
        SIM_FAULT_DESTROY_FAIL,
        _SIM_FAULT_KIND_MAX,
};

enum sim_fault_stage {
        SIM_STAGE_DELAY,    /* delay rules */
        SIM_STAGE_HANG,     /* hang rules */
        SIM_STAGE_RESPONSE, /* everything that replaces the answer */
};

struct sim_fault {
        uint64_t id;
        int provider; /* -1 = any */
        int route;    /* -1 = any */
        enum sim_fault_kind kind;
        int status;
        int retry_after;   /* seconds, -1 = no header */
        int64_t ms;        /* delay / hang cap */
        int64_t remaining; /* -1 = unlimited */
        uint64_t hits;
        size_t bytes; /* huge */
        bool silent;  /* destroy_fail: answer success but keep the instance */
        char *body;   /* status: body override */
};

int sim_fault_add(json_t *spec, uint64_t *ret_id, char *errbuf, size_t errlen);
bool sim_fault_take(enum sim_provider p, enum sim_route r, enum sim_fault_stage stage,
                    struct sim_fault *ret); /* copy; the caller frees ret->body */
bool sim_fault_exists(uint64_t id);
int sim_fault_remove(uint64_t id);
void sim_fault_clear(void);
json_t *sim_fault_list_json(void);

/* ---- sim_http.c: MHD, routing and replies ---- */
struct sim_reply {
        unsigned int status;
        char *body; /* owned, malloc'd */
        size_t len;
        struct sim_blob *blob; /* or a shared blob (owned reference) */
        int retry_after;       /* -1 = none */
        bool close;            /* drop the connection without an answer */
};

struct sim_req {
        void *conn; /* struct MHD_Connection * */
        const char *method;
        const char *url;
        const char *path; /* url after the provider prefix */
        enum sim_provider provider;
        enum sim_route route;
        char param[128]; /* path id */
        const char *body;
        size_t body_len;
        bool body_too_large;
};

void sim_reply_json(struct sim_reply *r, unsigned int status, json_t *j); /* steals j */
void sim_reply_text(struct sim_reply *r, unsigned int status, const char *text);
void sim_reply_printf(struct sim_reply *r, unsigned int status, const char *fmt, ...)
        SIM_PRINTF(3, 4);
void sim_reply_blob(struct sim_reply *r, unsigned int status, struct sim_blob *blob);
const char *sim_req_arg(const struct sim_req *req, const char *key);
const char *sim_req_header(const struct sim_req *req, const char *key);
int sim_http_start(uint16_t port, unsigned int threads, uint16_t *ret_port, char *errbuf,
                   size_t errlen);
void sim_http_stop(void);
void sim_http_wake_due(int64_t now_mono, int64_t *next_deadline);               /* under lock */
void sim_http_release_all(void);                                                /* under lock */
void sim_reqlog_add(const struct sim_req *req, unsigned int status);            /* under lock */
json_t *sim_reqlog_json(const char *route, const char *provider, size_t limit); /* under lock */
void sim_reqlog_clear(void);                                                    /* under lock */

/* ---- provider dialects: sim_vast.c, sim_td.c ---- */
typedef void (*sim_route_fn)(struct sim_req *req, struct sim_reply *r);

struct sim_dialect {
        bool (*route)(struct sim_req *req); /* fill route/param from method + path */
        bool (*auth_ok)(const struct sim_req *req);
        sim_route_fn handlers[_SIM_ROUTE_MAX]; /* [ROUTE_OTHER] (required) answers the rest */
        void (*error)(struct sim_reply *r, unsigned int status, const char *detail);
        void (*stale)(struct sim_reply *r, const struct sim_req *req);
        const char *(*canned)(enum sim_route route); /* success-shaped body */
        const char *(*wrong_types)(enum sim_route route);
        const char *instance_not_found; /* 404 detail for an unknown or dead instance id */
};

extern const struct sim_dialect sim_vast_dialect;
extern const struct sim_dialect sim_td_dialect;
const struct sim_dialect *sim_dialect_of(enum sim_provider p);

void sim_control_handle(struct sim_req *req, struct sim_reply *r);

/* ---- sim_route.c: request handling shared by the dialects ----
 * Each works for req->provider and answers through that dialect's error, stale
 * and canned replies. Called from the MHD worker threads. Functions that return
 * an instance hold the state lock on success (the caller releases it); on NULL
 * the lock is released and r holds the answer. */

/* answer req with the dialect's handler of req->route */
void sim_route_handle(const struct sim_dialect *d, struct sim_req *req, struct sim_reply *r);
bool sim_route_bearer_ok(const struct sim_req *req, const char *token);
/* a catalogue listing blob (taken under the lock), or the dialect's 500 */
void sim_route_listing(struct sim_reply *r, const struct sim_dialect *d,
                       struct sim_blob *(*listing)(struct sim_catalog *cat));
/* lock, then req->param's live instance of req->provider; NULL: the dialect's 404 */
struct sim_instance *sim_route_lock_live(const struct sim_req *req, struct sim_reply *r);
/* under lock: a new array of to_json() of p's live instances (NULL when out of memory) */
json_t *sim_route_collect(enum sim_provider p, json_t *(*to_json)(const struct sim_instance *inst));
/* under lock: create spec's instance; its offer index < 0 (gone or taken) answers stale,
 * a failed create 500; on NULL the lock is released */
struct sim_instance *sim_route_rent(const struct sim_req *req, struct sim_reply *r,
                                    const struct sim_instance_spec *spec);
/* the whole destroy route: the dialect's 404, or end the instance and answer canned */
void sim_route_destroy(struct sim_req *req, struct sim_reply *r);

/* ---- sim_ticker.c: the background thread (state progression, resumes, reaping) ---- */
int sim_ticker_start(void);
void sim_ticker_stop(void);
void sim_ticker_kick(void); /* under lock: something new is due */

/* ---- global state (sim_main.c) ---- */
struct sim_state {
        pthread_mutex_t lock;
        pthread_cond_t cond; /* the ticker waits on it */
        struct sim_catalog catalog;
        char state_dir[SIM_PATH_MAX];
        char sshd_path[SIM_PATH_MAX];
        char user[64];
        char vast_key[256];
        char td_auth_id[256];
        char td_token[256];
        int64_t ready_after_ms;
        int64_t ready_after_default_ms;
        bool with_ssh;
        bool stopping;
        int td_list_shape; /* 0 array, 1 nested, 2 attributes */
        uint64_t request_counts[_SIM_PROVIDER_MAX][_SIM_ROUTE_MAX];
        uint64_t next_vast_contract;
        uint64_t next_seq;
        struct sim_rng id_rng; /* TensorDock instance UUIDs */
        struct sim_instance **instances;
        size_t n_instances;
        size_t cap_instances;
};

extern struct sim_state sim;

void sim_lock(void);
void sim_unlock(void);

#endif
