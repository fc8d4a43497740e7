/* The Vast.ai dialect: /vast/api/v0 routes, Bearer/api_key auth, bodies and error shapes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define VAST_SEG_MAX 6
#define VAST_SEG_LEN 128
#define VAST_CREDIT "1000.0"
#define VAST_RUNTYPE "ssh_proxy"
#define VAST_FAKE_PORT 22

static const char vast_429_body[] =
        "{\"message\": \"The action could not be performed because there were too many requests "
        "by the client.\\n\\nAPI requests too frequent: endpoint threshold=4.5*1.0\\n\\n\", "
        "\"code\": \"429 Too Many Requests\"}";

/* One-entry cache of the last filtered search (the inventory poller repeats its query). */
static struct {
        char *q;
        uint64_t gen;
        struct sim_blob *blob;
} last_search;

struct segs {
        char s[VAST_SEG_MAX][VAST_SEG_LEN];
        int n;
        bool trailing_slash;
};

static bool split_path(const char *path, struct segs *out)
{
        const char *p = path;

        out->n = 0;
        out->trailing_slash = false;
        if (*p != '/')
                return false;
        while (*p == '/') {
                const char *start = ++p;
                size_t len;

                while (*p && *p != '/')
                        p++;
                len = (size_t)(p - start);
                if (len == 0) {
                        if (*p == '\0') {
                                out->trailing_slash = true;
                                break;
                        }
                        return false; /* "//" */
                }
                if (out->n == VAST_SEG_MAX || len >= VAST_SEG_LEN)
                        return false;
                memcpy(out->s[out->n], start, len);
                out->s[out->n][len] = '\0';
                out->n++;
        }
        return true;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

static bool vast_route(struct sim_req *req)
{
        struct segs sg;
        const char *m = req->method;

        req->route = ROUTE_OTHER;
        if (!split_path(req->path, &sg) || !sg.trailing_slash)
                return false;
        if (sg.n == 1 && strcmp(sg.s[0], "bundles") == 0 &&
            (strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0))
                req->route = ROUTE_LIST_OFFERS;
        else if (sg.n == 2 && strcmp(sg.s[0], "asks") == 0 && strcmp(m, "PUT") == 0)
                req->route = ROUTE_CREATE;
        else if (sg.n == 1 && strcmp(sg.s[0], "instances") == 0 && strcmp(m, "GET") == 0)
                req->route = ROUTE_LIST;
        else if (sg.n == 2 && strcmp(sg.s[0], "instances") == 0 && strcmp(m, "GET") == 0)
                req->route = ROUTE_GET;
        else if (sg.n == 2 && strcmp(sg.s[0], "instances") == 0 && strcmp(m, "DELETE") == 0)
                req->route = ROUTE_DESTROY;
        else if (sg.n == 3 && strcmp(sg.s[0], "instances") == 0 && strcmp(sg.s[2], "ssh") == 0 &&
                 strcmp(m, "POST") == 0)
                req->route = ROUTE_ATTACH_SSH;
        else if (sg.n == 2 && strcmp(sg.s[0], "users") == 0 && strcmp(sg.s[1], "current") == 0 &&
                 strcmp(m, "GET") == 0)
                req->route = ROUTE_BALANCE;
        if (req->route == ROUTE_OTHER)
                return false;
        if (sg.n >= 2)
                (void)snprintf(req->param, sizeof(req->param), "%s", sg.s[1]);
        return true;
}

static bool vast_auth_ok(const struct sim_req *req)
{
        const char *k = sim_req_arg(req, "api_key");

        if (sim_route_bearer_ok(req, sim.vast_key))
                return true;
        return k && strcmp(k, sim.vast_key) == 0;
}

/* The JSON error body of a status. */
struct vast_error_kind {
        unsigned int status;
        const char *code;
        const char *msg; /* when there is no detail */
        bool fixed;      /* msg even when there is a detail */
};

static const struct vast_error_kind vast_errors[] = {
        {400, "invalid_args", "Invalid arguments.", false},
        {401, "auth_error", "Invalid user key", true},
        {403, "forbidden", "Forbidden.", false},
        {404, "not_found", "Not found.", false},
};
static const struct vast_error_kind vast_server_error = {0, "server_error",
                                                         "Internal server error.", false};
static const struct vast_error_kind vast_request_error = {0, "request_error", "Request failed.",
                                                          false};

static void vast_error(struct sim_reply *r, unsigned int status, const char *detail)
{
        const struct vast_error_kind *e = status >= 500 ? &vast_server_error : &vast_request_error;
        size_t i;

        if (status == 429) {
                sim_reply_text(r, status, vast_429_body);
                return;
        }
        if (status == 502 || status == 503 || status == 504) {
                const char *t = status == 502   ? "502 Bad Gateway"
                                : status == 503 ? "503 Service Temporarily Unavailable"
                                                : "504 Gateway Time-out";

                sim_reply_printf(r, status,
                                 "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n"
                                 "<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                 "</body>\r\n</html>\r\n",
                                 t, t);
                return;
        }
        for (i = 0; i < sizeof(vast_errors) / sizeof(vast_errors[0]); i++)
                if (vast_errors[i].status == status)
                        e = &vast_errors[i];
        sim_reply_json(r, status,
                       json_pack("{s:b,s:s,s:s}", "success", 0, "error", e->code, "msg",
                                 detail && !e->fixed ? detail : e->msg));
}

static void vast_stale(struct sim_reply *r, const struct sim_req *req)
{
        const char *id = all_digits(req->param) ? req->param : "0";

        sim_reply_printf(r, 400,
                         "{\"success\":false,\"error\":\"invalid_args\",\"msg\":\"error 404/3603: "
                         "no_such_ask  Instance type by id %s is not available.\",\"ask_id\":%s}",
                         id, id);
}

static const char *vast_canned(enum sim_route route)
{
        switch (route) {
        case ROUTE_LIST_OFFERS:
                return "{\"offers\":[{\"id\":1,\"gpu_name\":\"RTX 4090\",\"num_gpus\":1,"
                       "\"gpu_ram\":24564,\"dph_total\":0.4,\"rentable\":true,\"rented\":false,"
                       "\"reliability2\":0.99,\"cuda_max_good\":12.4,"
                       "\"geolocation\":\"California, US\"}]}";
        case ROUTE_CREATE:
                return "{\"success\":true,\"new_contract\":12345678}";
        case ROUTE_GET:
                return "{\"instances\":{\"id\":12345678,\"actual_status\":\"running\","
                       "\"ssh_host\":\"127.0.0.1\",\"ssh_port\":22,\"label\":\"x\"}}";
        case ROUTE_LIST:
                return "{\"instances\":[{\"id\":12345678,\"label\":\"shopper-x\","
                       "\"actual_status\":\"running\",\"dph_total\":0.5}]}";
        case ROUTE_BALANCE:
                return "{\"credit\":" VAST_CREDIT "}";
        default:
                return "{\"success\":true}";
        }
}

static const char *vast_wrong_types(enum sim_route route)
{
        switch (route) {
        case ROUTE_LIST_OFFERS:
                return "{\"offers\":[{\"id\":\"abc\",\"gpu_name\":4090,\"num_gpus\":\"one\","
                       "\"gpu_ram\":\"24GB\",\"dph_total\":\"cheap\",\"rentable\":\"yes\","
                       "\"rented\":0,\"reliability2\":[0.99],\"cuda_max_good\":\"12.4\","
                       "\"geolocation\":{\"country\":\"US\"}}]}";
        case ROUTE_CREATE:
                return "{\"success\":\"true\",\"new_contract\":\"12345678\"}";
        case ROUTE_GET:
                return "{\"instances\":[{\"id\":\"12345678\",\"actual_status\":7,"
                       "\"ssh_port\":\"22\",\"ssh_host\":22,\"start_date\":\"yesterday\"}]}";
        case ROUTE_LIST:
                return "{\"instances\":{\"id\":\"12345678\",\"label\":7}}";
        case ROUTE_DESTROY:
                return "{\"success\":\"maybe\"}";
        case ROUTE_BALANCE:
                return "{\"credit\":\"lots\"}";
        default:
                return "{\"success\":1}";
        }
}

static json_t *instance_json(const struct sim_instance *inst)
{
        bool up = inst->phase == SIM_PHASE_RUNNING;
        int port = inst->ssh_port > 0 ? inst->ssh_port : VAST_FAKE_PORT;
        const char *state = sim_instance_state(inst);
        json_t *j = json_object(), *ports = json_object();
        char hostport[16];
        bool cur_running;

        if (!j || !ports) {
                json_decref(j);
                json_decref(ports);
                return NULL;
        }
        (void)snprintf(hostport, sizeof(hostport), "%d", port);
        if (up)
                (void)json_object_set_new(
                        ports, "22/tcp",
                        json_pack("[{s:s,s:s}]", "HostIp", "127.0.0.1", "HostPort", hostport));
        (void)json_object_set_new(j, "id", json_integer(strtoll(inst->id, NULL, 10)));
        (void)json_object_set_new(j, "machine_id", json_integer(inst->machine_id));
        (void)json_object_set_new(j, "host_id", json_integer(100000 + inst->machine_id / 4));
        (void)json_object_set_new(j, "label",
                                  inst->label[0] ? json_string(inst->label) : json_null());
        (void)json_object_set_new(j, "actual_status", json_string(state));
        (void)json_object_set_new(j, "intended_status", json_string("running"));
        cur_running = strcmp(state, "running") == 0 || strcmp(state, "loading") == 0;
        (void)json_object_set_new(j, "cur_state", json_string(cur_running ? "running" : "stopped"));
        (void)json_object_set_new(j, "next_state", json_string("running"));
        (void)json_object_set_new(
                j, "status_msg",
                json_string(up ? "success, running gpu-market-sim" : "Pulling image (simulated)"));
        (void)json_object_set_new(j, "ssh_host", up ? json_string("127.0.0.1") : json_null());
        (void)json_object_set_new(j, "ssh_port", up ? json_integer(port) : json_null());
        (void)json_object_set_new(j, "ssh_idx", json_string("0"));
        (void)json_object_set_new(j, "ssh_user", json_string(sim.user));
        (void)json_object_set_new(j, "public_ipaddr", json_string("127.0.0.1"));
        (void)json_object_set_new(j, "ports", ports);
        (void)json_object_set_new(j, "direct_port_count", json_integer(1));
        (void)json_object_set_new(j, "gpu_name", json_string(inst->gpu_name));
        (void)json_object_set_new(j, "num_gpus", json_integer(inst->gpu_count));
        (void)json_object_set_new(j, "gpu_ram", json_integer(inst->gpu_ram_mb));
        (void)json_object_set_new(j, "gpu_util", json_real(inst->gpu_util));
        (void)json_object_set_new(j, "dph_total",
                                  json_real((double)inst->price_uusd_per_hour / 1e6));
        (void)json_object_set_new(j, "start_date", json_real((double)inst->created_ms / 1000.0));
        (void)json_object_set_new(j, "image_uuid", json_string(inst->image));
        (void)json_object_set_new(j, "image_runtype", json_string(VAST_RUNTYPE));
        (void)json_object_set_new(j, "disk_space", json_real(inst->disk_gb ? inst->disk_gb : 10));
        (void)json_object_set_new(j, "geolocation", json_string(inst->geolocation));
        (void)json_object_set_new(j, "jupyter_url", json_null());
        (void)json_object_set_new(j, "jupyter_token", json_string(""));
        return j;
}

static void list_offers(struct sim_req *req, struct sim_reply *r)
{
        const char *qtext = sim_req_arg(req, "q");
        size_t qlen, i, limit, n = 0;
        char err[SIM_ERRTEXT_MAX];
        struct sim_vastq *q = NULL;
        struct sim_buf b;
        bool first = true;

        if (strcmp(req->method, "POST") == 0 && req->body_len > 0)
                qtext = req->body;
        if (!qtext || !qtext[0]) {
                sim_route_listing(r, &sim_vast_dialect, sim_catalog_vast_listing);
                return;
        }
        qlen = strlen(qtext);
        if (sim_vastq_parse(qtext, qlen, &q, err, sizeof(err)) < 0) {
                vast_error(r, 400, err);
                return;
        }
        sim_lock();
        if (last_search.blob && last_search.gen == sim.catalog.rent_gen &&
            strcmp(last_search.q, qtext) == 0) {
                sim_reply_blob(r, 200, sim_blob_ref(last_search.blob));
                sim_unlock();
                sim_vastq_free(q);
                return;
        }
        limit = sim_vastq_limit(q);
        sim_buf_init(&b);
        (void)sim_buf_puts(&b, "{\"offers\":[");
        for (i = 0; i < sim.catalog.n_vast && (!limit || n < limit); i++) {
                const struct sim_vast_offer *o = &sim.catalog.vast[i];

                if (o->rented_by || !sim_vastq_match(q, o))
                        continue;
                if (!first)
                        (void)sim_buf_append(&b, ",", 1);
                (void)sim_buf_append(&b, o->json, o->json_len);
                first = false;
                n++;
        }
        (void)sim_buf_puts(&b, "]}");
        sim_reply_blob(r, 200, sim_blob_from_buf(&b));
        if (r->blob) {
                char *copy = strdup(qtext);

                if (copy) {
                        free(last_search.q);
                        sim_blob_unref(last_search.blob);
                        last_search.q = copy;
                        last_search.gen = sim.catalog.rent_gen;
                        last_search.blob = sim_blob_ref(r->blob);
                }
        }
        sim_unlock();
        sim_vastq_free(q);
        if (!r->blob)
                vast_error(r, 500, "out of memory");
}

static json_t *parse_body(const struct sim_req *req, struct sim_reply *r)
{
        json_error_t jerr;
        json_t *j;
        char msg[SIM_ERRTEXT_MAX];

        j = json_loadb(req->body, req->body_len, 0, &jerr);
        if (!j || !json_is_object(j)) {
                (void)snprintf(msg, sizeof(msg), "request body must be a JSON object%s%s",
                               j ? "" : ": ", j ? "" : jerr.text);
                json_decref(j);
                vast_error(r, 400, msg);
                return NULL;
        }
        return j;
}

static void create(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance_spec spec = {.provider = SIM_VAST, .vast_offer = -1, .td_gpu = -1};
        struct sim_vast_offer *o;
        struct sim_instance *inst;
        struct sim_buf keys;
        json_t *body, *v;
        const char *label;

        if (!all_digits(req->param)) {
                vast_error(r, 400, "ask id must be an integer");
                return;
        }
        body = parse_body(req, r);
        if (!body)
                return;
        label = json_string_value(json_object_get(body, "label"));
        if (label && strlen(label) > SIM_LABEL_MAX) {
                json_decref(body);
                vast_error(r, 400, "label too long");
                return;
        }
        sim_buf_init(&keys);
        v = json_object_get(body, "ssh_key");
        if (json_is_string(v))
                (void)sim_keys_extract(&keys, json_string_value(v), false);
        spec.label = label;
        spec.keys = keys.data ? keys.data : "";
        spec.image = json_string_value(json_object_get(body, "image"));
        v = json_object_get(body, "disk");
        if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) < 1e6)
                spec.disk_gb = (uint32_t)json_number_value(v);
        sim_lock();
        o = sim_catalog_vast_find(&sim.catalog, strtoull(req->param, NULL, 10));
        if (o && !o->rented_by)
                spec.vast_offer = o - sim.catalog.vast;
        inst = sim_route_rent(req, r, &spec);
        if (!inst)
                goto out;
        sim_reply_printf(r, 200, "{\"success\":true,\"new_contract\":%s}", inst->id);
        sim_unlock();
out:
        sim_buf_done(&keys);
        json_decref(body);
}

static void get_one(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance *inst;
        json_t *j;

        sim_lock();
        inst = sim_instance_find(SIM_VAST, req->param);
        if (!inst) {
                sim_unlock();
                vast_error(r, 404, sim_vast_dialect.instance_not_found);
                return;
        }
        if (inst->phase == SIM_PHASE_DEAD) {
                sim_unlock();
                sim_reply_text(r, 200, "{\"instances\":null}");
                return;
        }
        j = instance_json(inst);
        sim_unlock();
        sim_reply_json(r, 200, json_pack("{s:o?}", "instances", j));
}

static void list_all(struct sim_req *req, struct sim_reply *r)
{
        json_t *arr;

        (void)req;
        sim_lock();
        arr = sim_route_collect(SIM_VAST, instance_json);
        sim_unlock();
        sim_reply_json(r, 200, json_pack("{s:o?}", "instances", arr));
}

static void attach_ssh(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance *inst;
        json_t *body;
        const char *key;
        bool looks_like_key;
        int added;

        body = parse_body(req, r);
        if (!body)
                return;
        key = json_string_value(json_object_get(body, "ssh_key"));
        if (!key) {
                json_decref(body);
                vast_error(r, 400, "ssh_key is required");
                return;
        }
        inst = sim_route_lock_live(req, r);
        if (!inst) {
                json_decref(body);
                return;
        }
        added = sim_instance_add_keys(inst, key);
        sim_unlock();
        looks_like_key = strstr(key, "ssh-") || strstr(key, "ecdsa-");
        json_decref(body);
        if (added < 0)
                vast_error(r, 500, "cannot store key");
        else if (added == 0 && !looks_like_key)
                vast_error(r, 400, "Invalid ssh key.");
        else
                sim_reply_text(r, 200, "{\"success\":true}");
}

static void balance(struct sim_req *req, struct sim_reply *r)
{
        (void)req;
        sim_reply_text(r, 200,
                       "{\"id\":1,\"username\":\"gpu-market-sim\","
                       "\"email\":\"sim@example.invalid\",\"credit\":" VAST_CREDIT
                       ",\"balance\":0.0,\"has_billing\":true}");
}

static void not_found(struct sim_req *req, struct sim_reply *r)
{
        struct segs sg;

        if (split_path(req->path, &sg) && !sg.trailing_slash && sg.n > 0)
                vast_error(r, 404, "Not found (Vast.ai paths end with a slash).");
        else
                vast_error(r, 404, "Not found.");
}

const struct sim_dialect sim_vast_dialect = {
        .route = vast_route,
        .auth_ok = vast_auth_ok,
        .handlers = {[ROUTE_LIST_OFFERS] = list_offers, [ROUTE_CREATE] = create,
                     [ROUTE_GET] = get_one, [ROUTE_LIST] = list_all,
                     [ROUTE_DESTROY] = sim_route_destroy, [ROUTE_ATTACH_SSH] = attach_ssh,
                     [ROUTE_BALANCE] = balance, [ROUTE_OTHER] = not_found},
        .error = vast_error,
        .stale = vast_stale,
        .canned = vast_canned,
        .wrong_types = vast_wrong_types,
        .instance_not_found = "Instance not found.",
};
