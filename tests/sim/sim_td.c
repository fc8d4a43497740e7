/* The TensorDock dialect: /td/api/v2 routes, query/Bearer auth, JSON:API bodies and quirks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define TD_STORAGE_MIN_GB 100
#define TD_RUNCMD_MAX 256
#define TD_STALE_BODY "{\"status\":400,\"error\":\"No available nodes found\"}"

static bool td_route(struct sim_req *req)
{
        const char *p = req->path, *m = req->method;

        req->route = ROUTE_OTHER;
        if (strcmp(p, "/locations") == 0 && strcmp(m, "GET") == 0) {
                req->route = ROUTE_LIST_OFFERS;
        } else if (strcmp(p, "/instances") == 0) {
                if (strcmp(m, "GET") == 0)
                        req->route = ROUTE_LIST;
                else if (strcmp(m, "POST") == 0)
                        req->route = ROUTE_CREATE;
        } else if (strncmp(p, "/instances/", 11) == 0 && p[11] && !strchr(p + 11, '/') &&
                   strlen(p + 11) < sizeof(req->param)) {
                (void)snprintf(req->param, sizeof(req->param), "%s", p + 11);
                if (strcmp(m, "GET") == 0)
                        req->route = ROUTE_GET;
                else if (strcmp(m, "DELETE") == 0)
                        req->route = ROUTE_DESTROY;
        }
        return req->route != ROUTE_OTHER;
}

static bool td_auth_ok(const struct sim_req *req)
{
        if (req->route == ROUTE_LIST_OFFERS) {
                const char *k = sim_req_arg(req, "api_key"), *t = sim_req_arg(req, "api_token");

                if (k && t && strcmp(k, sim.td_auth_id) == 0 && strcmp(t, sim.td_token) == 0)
                        return true;
        }
        return sim_route_bearer_ok(req, sim.td_token);
}

static void td_error(struct sim_reply *r, unsigned int status, const char *detail)
{
        const char *msg;

        switch (status) {
        case 401:
                msg = "Invalid API credentials";
                break;
        case 403:
                msg = detail ? detail : "Forbidden";
                break;
        case 404:
                msg = detail ? detail : "Not found";
                break;
        case 429:
                msg = "Rate limit exceeded. Please try again later.";
                break;
        case 502:
                sim_reply_text(r, status, "<html>Bad Gateway</html>");
                return;
        default:
                msg = status >= 500 ? "Internal server error" : detail ? detail : "Bad request";
                break;
        }
        sim_reply_json(r, status, json_pack("{s:s}", "error", msg));
}

static void td_stale(struct sim_reply *r, const struct sim_req *req)
{
        (void)req;
        sim_reply_text(r, 200, TD_STALE_BODY);
}

static const char *td_canned(enum sim_route route)
{
        switch (route) {
        case ROUTE_LIST_OFFERS:
                return "{\"data\":{\"locations\":[{\"id\":\"8dd95ff0-dff9-489c-9b02-b38a366b6ab1\","
                       "\"city\":\"Chubbuck\",\"stateprovince\":\"Idaho\","
                       "\"country\":\"United States\",\"tier\":1,\"gpus\":[{\"v0Name\":"
                       "\"geforcertx4090-pcie-24gb\",\"displayName\":"
                       "\"NVIDIA GeForce RTX 4090 PCIe 24GB\",\"max_count\":4,"
                       "\"price_per_hr\":0.3966}]}]}}";
        case ROUTE_CREATE:
                return "{\"data\":{\"type\":\"virtualmachine\","
                       "\"id\":\"468b716a-6747-4cbe-9f13-afc153a21c14\",\"name\":\"shopper-x\","
                       "\"status\":\"running\"}}";
        case ROUTE_GET:
                return "{\"type\":\"virtualmachine\","
                       "\"id\":\"468b716a-6747-4cbe-9f13-afc153a21c14\","
                       "\"name\":\"shopper-x\",\"status\":\"running\",\"ipAddress\":\"127.0.0.1\","
                       "\"portForwards\":[{\"internal_port\":22,\"external_port\":20456}],"
                       "\"rateHourly\":0.272999}";
        case ROUTE_LIST:
                return "{\"data\":[{\"id\":\"468b716a-6747-4cbe-9f13-afc153a21c14\","
                       "\"name\":\"shopper-x\",\"status\":\"running\"}]}";
        case ROUTE_DESTROY:
                return "{\"data\":{\"type\":\"success\",\"attributes\":"
                       "{\"message\":\"Instance deleted successfully\"}}}";
        default:
                return "{\"data\":{}}";
        }
}

static const char *td_wrong_types(enum sim_route route)
{
        switch (route) {
        case ROUTE_LIST_OFFERS:
                return "{\"data\":{\"locations\":[{\"id\":42,\"city\":[\"Chubbuck\"],"
                       "\"tier\":\"one\","
                       "\"gpus\":{\"v0Name\":\"geforcertx4090-pcie-24gb\",\"max_count\":\"4\","
                       "\"price_per_hr\":\"0.39\"}}]}}";
        case ROUTE_CREATE:
                return "{\"data\":{\"type\":\"virtualmachine\",\"id\":12345,\"name\":false,"
                       "\"status\":7}}";
        case ROUTE_GET:
                return "{\"type\":\"virtualmachine\",\"id\":42,\"status\":true,"
                       "\"ipAddress\":17494145,\"portForwards\":\"22:20456\","
                       "\"rateHourly\":\"cheap\"}";
        case ROUTE_LIST:
                return "{\"data\":\"instances\"}";
        default:
                return "{\"data\":\"deleted\"}";
        }
}

static json_t *instance_json(const struct sim_instance *inst)
{
        bool up = inst->phase == SIM_PHASE_RUNNING;
        char created[32];
        time_t t = (time_t)(inst->created_ms / 1000);
        struct tm tm;
        json_t *pf;

        (void)gmtime_r(&t, &tm);
        (void)strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        pf = up ? json_pack("[{s:s,s:i,s:i}]", "protocol", "tcp", "internal_port", 22,
                            "external_port", inst->ssh_port > 0 ? inst->ssh_port : 22)
                : json_array();
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o?,s:f,s:s,s:s,s:i,s:i,s:i,s:i,s:f,s:s,s:s}",
                         "type", "virtualmachine", "id", inst->id, "name", inst->label, "status",
                         sim_instance_state(inst), "ipAddress", up ? "127.0.0.1" : "",
                         "portForwards", pf, "rateHourly", (double)inst->rate_uusd_per_hour / 1e6,
                         "ssh_user", sim.user, "gpu_model", inst->gpu_name, "gpu_count",
                         (int)inst->gpu_count, "vcpus", (int)inst->vcpus, "ram_gb",
                         (int)inst->ram_gb, "storage_gb", (int)inst->storage_gb, "price_per_hour",
                         (double)inst->price_uusd_per_hour / 1e6, "created_at", created,
                         "location_id", inst->location_id);
}

static bool is_uuid(const char *s)
{
        size_t i;

        if (strlen(s) != 36)
                return false;
        for (i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;

                if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return false;
        }
        return true;
}

static void add_issue(json_t *issues, const char *code, const char *msg, const char *p1,
                      const char *p2, const char *p3)
{
        json_t *path = json_array();

        if (p1)
                (void)json_array_append_new(path, json_string(p1));
        if (p2)
                (void)json_array_append_new(path, json_string(p2));
        if (p3)
                (void)json_array_append_new(path, json_string(p3));
        (void)json_array_append_new(
                issues, json_pack("{s:s,s:s,s:o}", "code", code, "message", msg, "path", path));
}

static json_int_t int_or(json_t *v, json_int_t dflt)
{
        return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static bool forwards_ssh(json_t *attrs)
{
        json_t *pf = json_object_get(attrs, "port_forwards"), *el;
        size_t i;

        json_array_foreach(pf, i, el)
        {
                if (int_or(json_object_get(el, "internal_port"), 0) == 22)
                        return true;
        }
        return false;
}

static void create(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance_spec spec = {.provider = SIM_TD, .vast_offer = -1, .td_gpu = -1};
        json_t *body = NULL, *data, *attrs, *res, *gpus, *issues = json_array(), *runcmd, *el;
        const char *name, *loc, *image, *v0 = NULL, *sshkey;
        struct sim_instance *inst;
        struct sim_td_gpu *g;
        struct sim_buf keys;
        json_int_t count = 0;
        json_error_t jerr;
        size_t i;

        sim_buf_init(&keys);
        if (!issues) {
                td_error(r, 500, NULL);
                return;
        }
        body = json_loadb(req->body, req->body_len, 0, &jerr);
        data = json_object_get(body, "data");
        attrs = json_object_get(data, "attributes");
        if (!json_is_object(body))
                add_issue(issues, "invalid_type", "Expected a JSON object", NULL, NULL, NULL);
        else if (!json_is_object(data) || !json_is_object(attrs))
                add_issue(issues, "required", "data.attributes is required", "data", "attributes",
                          NULL);
        if (json_array_size(issues) > 0) {
                sim_reply_json(r, 400, issues);
                issues = NULL;
                goto out;
        }
        name = json_string_value(json_object_get(attrs, "name"));
        loc = json_string_value(json_object_get(attrs, "location_id"));
        image = json_string_value(json_object_get(attrs, "image"));
        sshkey = json_string_value(json_object_get(attrs, "ssh_key"));
        res = json_object_get(attrs, "resources");
        gpus = json_object_get(res, "gpus");
        if (!name || !name[0])
                add_issue(issues, "required", "Name is required", "data", "attributes", "name");
        else if (strlen(name) > SIM_LABEL_MAX)
                add_issue(issues, "too_big", "Name is too long", "data", "attributes", "name");
        if (!loc)
                add_issue(issues, "required", "Location ID is required", "data", "attributes",
                          "location_id");
        else if (!is_uuid(loc))
                add_issue(issues, "invalid", "Invalid location_id format", "data", "attributes",
                          "location_id");
        if (!image || !image[0])
                add_issue(issues, "required", "Image is required", "data", "attributes", "image");
        if (!json_is_object(res)) {
                add_issue(issues, "required", "Resources are required", "data", "attributes",
                          "resources");
        } else {
                if (int_or(json_object_get(res, "vcpu_count"), 0) < 1)
                        add_issue(issues, "invalid", "vcpu_count must be at least 1", "data",
                                  "attributes", "resources");
                if (int_or(json_object_get(res, "ram_gb"), 0) < 1)
                        add_issue(issues, "invalid", "ram_gb must be at least 1", "data",
                                  "attributes", "resources");
                if (int_or(json_object_get(res, "storage_gb"), 0) < TD_STORAGE_MIN_GB)
                        add_issue(issues, "invalid", "Storage must be at least 100 GB", "data",
                                  "attributes", "resources");
                if (!json_is_object(gpus) || json_object_size(gpus) == 0) {
                        add_issue(issues, "required",
                                  "Location-based deployment requires at least one GPU", "data",
                                  "attributes", "resources");
                } else if (json_object_size(gpus) > 1) {
                        add_issue(issues, "invalid", "Only one GPU model per instance", "data",
                                  "attributes", "resources");
                } else {
                        json_object_foreach(gpus, v0, el)
                        {
                                count = int_or(json_object_get(el, "count"), 0);
                                break;
                        }
                        if (count < 1)
                                add_issue(issues, "invalid", "GPU count must be at least 1", "data",
                                          "attributes", "resources");
                }
        }
        if (!sshkey && !json_object_get(attrs, "ssh_key_id"))
                add_issue(issues, "required", "SSH key is required", "data", "attributes",
                          "ssh_key");
        else if (sshkey && sim_keys_extract(&keys, sshkey, false) == 0)
                add_issue(issues, "invalid", "Invalid SSH public key", "data", "attributes",
                          "ssh_key");
        if (json_array_size(issues) > 0) {
                sim_reply_json(r, 400, issues);
                issues = NULL;
                goto out;
        }
        if (strncmp(image, "ubuntu", 6) == 0 &&
            !json_is_true(json_object_get(attrs, "useDedicatedIp")) && !forwards_ssh(attrs)) {
                td_error(r, 400, "SSH port (22) must be forwarded for Ubuntu VMs");
                goto out;
        }
        runcmd = json_object_get(json_object_get(attrs, "cloud_init"), "runcmd");
        json_array_foreach(runcmd, i, el)
        {
                if (i >= TD_RUNCMD_MAX)
                        break;
                if (json_is_string(el))
                        (void)sim_keys_extract(&keys, json_string_value(el), true);
        }
        spec.label = name;
        spec.keys = keys.data ? keys.data : "";
        spec.image = image;
        spec.gpu_count = (uint32_t)count;
        spec.vcpus = (uint32_t)int_or(json_object_get(res, "vcpu_count"), 0);
        spec.ram_gb = (uint32_t)int_or(json_object_get(res, "ram_gb"), 0);
        spec.storage_gb = (uint32_t)int_or(json_object_get(res, "storage_gb"), 0);
        sim_lock();
        g = sim_catalog_td_find(&sim.catalog, loc, v0);
        if (g && !g->rented_by && (uint64_t)count <= g->max_count)
                spec.td_gpu = g - sim.catalog.td;
        inst = sim_route_rent(req, r, &spec);
        if (!inst)
                goto out;
        sim_reply_json(r, 200,
                       json_pack("{s:{s:s,s:s,s:s,s:s}}", "data", "type", "virtualmachine", "id",
                                 inst->id, "name", inst->label, "status",
                                 sim_instance_state(inst)));
        sim_unlock();
out:
        json_decref(issues);
        json_decref(body);
        sim_buf_done(&keys);
}

static void get_one(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance *inst;
        json_t *j;

        inst = sim_route_lock_live(req, r);
        if (!inst)
                return;
        j = instance_json(inst);
        sim_unlock();
        sim_reply_json(r, 200, j);
}

static json_t *attributes_shape(json_t *flat)
{
        json_t *id = json_incref(json_object_get(flat, "id"));

        (void)json_object_del(flat, "id");
        (void)json_object_del(flat, "type");
        return json_pack("{s:s,s:o,s:o}", "type", "virtualmachine", "id", id, "attributes", flat);
}

/* instance_json in the JSON:API shape (sim.td_list_shape 2) */
static json_t *instance_json_attrs(const struct sim_instance *inst)
{
        json_t *j = instance_json(inst);

        return j ? attributes_shape(j) : NULL;
}

static void list_all(struct sim_req *req, struct sim_reply *r)
{
        json_t *arr;
        int shape;

        (void)req;
        sim_lock();
        shape = sim.td_list_shape;
        arr = sim_route_collect(SIM_TD, shape == 2 ? instance_json_attrs : instance_json);
        sim_unlock();
        if (shape == 0)
                sim_reply_json(r, 200, json_pack("{s:o?}", "data", arr));
        else
                sim_reply_json(r, 200, json_pack("{s:{s:o?}}", "data", "instances", arr));
}

static void list_offers(struct sim_req *req, struct sim_reply *r)
{
        (void)req;
        sim_route_listing(r, &sim_td_dialect, sim_catalog_td_listing);
}

static void not_found(struct sim_req *req, struct sim_reply *r)
{
        (void)req;
        td_error(r, 404, "Not found");
}

const struct sim_dialect sim_td_dialect = {
        .route = td_route,
        .auth_ok = td_auth_ok,
        .handlers = {[ROUTE_LIST_OFFERS] = list_offers, [ROUTE_CREATE] = create,
                     [ROUTE_GET] = get_one, [ROUTE_LIST] = list_all,
                     [ROUTE_DESTROY] = sim_route_destroy, [ROUTE_OTHER] = not_found},
        .error = td_error,
        .stale = td_stale,
        .canned = td_canned,
        .wrong_types = td_wrong_types,
        .instance_not_found = "Instance not found",
};
