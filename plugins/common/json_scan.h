/*
 * json_scan.h - find a list inside a JSON body and decode it one entry at a
 * time, so that at most one entry's jansson tree exists at once.
 */
#ifndef GS_PLUGINS_JSON_SCAN_H
#define GS_PLUGINS_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Nesting of a body, the root counted, as jansson's own limit. */
#define JSON_SCAN_DEPTH_MAX JSON_PARSER_MAX_DEPTH
/* An entry handler's "stop cleanly" (0 = go on, < 0 = fail). */
#define JSON_SCAN_STOP 1

/* One scan of body[0, len); err holds the first malformation found, its
 * line, column and position counted in the whole body. */
struct json_scan {
        const char *body;
        size_t len;
        size_t flags; /* jansson decoding flags of every value */
        bool failed;  /* err is set (the call returned GS_E_BADRESPONSE) */
        json_error_t err;
};

typedef int (*json_scan_fn)(void *arg, json_t *e, size_t idx);

/* Offset of the first non-blank byte at or after pos (len when none). */
size_t json_scan_skip_blanks(const struct json_scan *js, size_t pos);

/*
 * Pass 1: check the whole body, whose root object starts at body[pos], and
 * find the array at path[0].path[1]... (the last member of a name wins, as
 * in jansson). *ret_arr is the offset of its '[' (0 when absent or of another
 * type), *ret_count its entries, *ret_depth the nesting of an entry.
 * GS_E_BADRESPONSE with js->failed when the body is malformed.
 */
int json_scan_find(struct json_scan *js, size_t pos, const char *const *path, size_t npath,
                   size_t *ret_arr, size_t *ret_count, unsigned *ret_depth);

/* Pass 2: each entry of the array at body[arr] to fn, decoded on its own;
 * fn's non-zero return ends the walk and is returned. */
int json_scan_walk(struct json_scan *js, size_t arr, unsigned depth, json_scan_fn fn, void *arg);

#endif
