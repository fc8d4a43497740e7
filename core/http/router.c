/* router.c - segment-wise matching of request paths against route patterns. */
#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Match `path` against `pattern`; parameters point into `scratch` (a copy of
 * path whose '/' separators are replaced by NULs as segments are cut). */
static bool match_one(const char *pattern, const char *path, char *scratch, const char **params,
                      size_t *ret_count)
{
        const char *p = pattern;
        size_t off = 0;
        size_t count = 0;

        while (*p == '/' && path[off] == '/') {
                const char *pend;
                size_t plen, slen;

                p++;
                off++;
                pend = strchr(p, '/');
                plen = pend ? (size_t)(pend - p) : strlen(p);
                slen = strcspn(path + off, "/");
                if (p[0] == ':') {
                        if (slen == 0 || count >= HTTP_MAX_PATH_PARAMS)
                                return false;
                        params[count++] = scratch + off;
                } else if (plen != slen || strncmp(p, path + off, plen) != 0) {
                        return false;
                }
                p += plen;
                off += slen;
        }
        if (*p != '\0' || path[off] != '\0')
                return false;
        /* Terminate parameter segments in the scratch copy. */
        for (size_t i = 0; i < count; i++) {
                char *seg = (char *)params[i];

                seg[strcspn(seg, "/")] = '\0';
        }
        *ret_count = count;
        return true;
}

enum router_result router_match(const struct route *routes, size_t count, const char *method,
                                const char *path, char *scratch, size_t scratch_len,
                                size_t *ret_index, const char **params, size_t *ret_param_count,
                                char *allow, size_t allow_len)
{
        const char *tmp[HTTP_MAX_PATH_PARAMS];
        size_t len = strlen(path);
        size_t tmp_count;
        bool path_known = false;
        size_t used = 0;

        if (len + 1 > scratch_len)
                return ROUTER_NOT_FOUND;
        if (allow_len)
                allow[0] = '\0';
        for (size_t i = 0; i < count; i++) {
                memcpy(scratch, path, len + 1);
                if (!match_one(routes[i].pattern, path, scratch, tmp, &tmp_count))
                        continue;
                if (strcmp(routes[i].method, method) == 0) {
                        memcpy(params, tmp, sizeof(tmp[0]) * tmp_count);
                        *ret_param_count = tmp_count;
                        *ret_index = i;
                        return ROUTER_MATCH;
                }
                path_known = true;
                if (allow_len > used) {
                        int w = snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "",
                                         routes[i].method);

                        if (w > 0)
                                used += (size_t)w < allow_len - used ? (size_t)w
                                                                     : allow_len - used - 1;
                }
        }
        return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
