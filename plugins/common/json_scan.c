/*
 * json_scan.c - streaming list scanner shared by the provider parsers.
 *
 * A small scanner finds the extent of each value by its nesting alone,
 * skipping string contents; jansson then decodes and checks each extent.
 * Every byte of the body is either structure checked here or part of an
 * extent jansson checked, so a body is accepted exactly when json_loadb()
 * would accept it.
 */
#include "json_scan.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gpushop/plugin.h"

/* Nesting of a member of the root object. */
#define ROOT_DEPTH 1U

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t json_scan_skip_blanks(const struct json_scan *js, size_t pos)
{
        while (pos < js->len && is_blank(js->body[pos]))
                pos++;
        return pos;
}

/* Line and column (1-based) of a byte offset, the way jansson reports them. */
static void where(const struct json_scan *js, size_t off, int *ret_line, int *ret_col)
{
        size_t i, bol = 0;
        int line = 1;

        for (i = 0; i < off && i < js->len; i++) {
                if (js->body[i] == '\n') {
                        bol = i + 1;
                        if (line < INT_MAX)
                                line++;
                }
        }
        *ret_line = line;
        *ret_col = off - bol >= (size_t)INT_MAX ? INT_MAX : (int)(off - bol) + 1;
}

static int clamp_int(size_t v)
{
        return v >= (size_t)INT_MAX ? INT_MAX : (int)v;
}

static int scan_error(struct json_scan *js, size_t off, const char *what)
{
        where(js, off, &js->err.line, &js->err.column);
        js->err.position = clamp_int(off);
        (void)snprintf(js->err.source, sizeof(js->err.source), "<buffer>");
        (void)snprintf(js->err.text, sizeof(js->err.text), "%s", what);
        js->failed = true;
        return GS_E_BADRESPONSE;
}

/* jansson's decoding of body[start, end), or NULL with *ret_r set. */
static json_t *load_extent(struct json_scan *js, size_t start, size_t end, int *ret_r)
{
        json_error_t jerr;
        json_t *v;
        int line, col;

        v = json_loadb(js->body + start, end - start, js->flags | JSON_DECODE_ANY, &jerr);
        if (v) {
                *ret_r = 0;
                return v;
        }
        /* Report the position in the whole body, not in the extent. */
        where(js, start, &line, &col);
        if (jerr.line > 1) {
                jerr.line = line + jerr.line - 1;
        } else {
                jerr.line = line;
                jerr.column = col - 1 + (jerr.column > 0 ? jerr.column : 1);
        }
        jerr.position = clamp_int(start + (size_t)(jerr.position > 0 ? jerr.position : 0));
        js->err = jerr;
        js->failed = true;
        *ret_r = GS_E_BADRESPONSE;
        return NULL;
}

/* body[pos] is '"': *ret_end is just past the closing quote. */
static int skip_string(struct json_scan *js, size_t pos, size_t *ret_end)
{
        size_t i = pos + 1;
        int r;

        while (i < js->len && js->body[i] != '"')
                i += js->body[i] == '\\' ? 2 : 1;
        if (i >= js->len) {
                r = scan_error(js, js->len, "unterminated string");
                goto done;
        }
        *ret_end = i + 1;
        r = 0;
done:
        return r;
}

/* The extent [pos, *ret_end) of one value nested `depth` deep: up to the
 * ',', ']' or '}' that ends it (at *ret_next, or the end of the body),
 * outside strings and nested values, trailing blanks cut. Only the nesting
 * is checked here; jansson checks the bytes. */
static int scan_value(struct json_scan *js, size_t pos, unsigned depth, size_t *ret_end,
                      size_t *ret_next)
{
        size_t i = pos, end;
        unsigned level = 0;
        int r = 0;

        while (i < js->len) {
                char c = js->body[i];

                if (c == '"') {
                        r = skip_string(js, i, &i);
                        if (r < 0)
                                goto done;
                        continue;
                }
                if (c == '{' || c == '[') {
                        if (depth + ++level > JSON_SCAN_DEPTH_MAX) {
                                r = scan_error(js, i, "maximum parsing depth reached");
                                goto done;
                        }
                } else if (c == '}' || c == ']') {
                        if (level == 0)
                                break;
                        level--;
                } else if (c == ',' && level == 0) {
                        break;
                }
                i++;
        }
        if (level > 0) {
                r = scan_error(js, js->len, "unexpected end of input");
                goto done;
        }
        end = i;
        while (end > pos && is_blank(js->body[end - 1]))
                end--;
        if (end == pos) {
                r = scan_error(js, pos, "value expected");
                goto done;
        }
        *ret_end = end;
        *ret_next = i;
done:
        return r;
}

/* body[pos] is the '[' of an array nested `depth` deep (the array itself
 * counted): each entry to fn, *ret_end just past the ']'. */
static int walk_array(struct json_scan *js, size_t pos, unsigned depth, json_scan_fn fn,
                      void *arg, size_t *ret_end)
{
        size_t idx = 0, end, next;
        int r = 0;

        pos = json_scan_skip_blanks(js, pos + 1);
        if (pos < js->len && js->body[pos] == ']') {
                *ret_end = pos + 1;
                goto done;
        }
        for (;;) {
                json_t *e;

                r = scan_value(js, pos, depth, &end, &next);
                if (r < 0)
                        goto done;
                if (next >= js->len) {
                        r = scan_error(js, next, "unexpected end of input");
                        goto done;
                }
                if (js->body[next] == '}') {
                        r = scan_error(js, next, "',' or ']' expected");
                        goto done;
                }
                e = load_extent(js, pos, end, &r);
                if (!e)
                        goto done;
                r = fn(arg, e, idx++);
                json_decref(e);
                if (r != 0)
                        goto done;
                if (js->body[next] == ']') {
                        *ret_end = next + 1;
                        goto done;
                }
                pos = json_scan_skip_blanks(js, next + 1);
        }
done:
        return r;
}

/* Pass 1 entry handler: count. */
static int count_entry(void *arg, json_t *e, size_t idx)
{
        (void)e;
        *(size_t *)arg = idx + 1;
        return 0;
}

/* Whether the key string at body[pos, end) is `name`; fails on a NUL byte. */
static int key_is(struct json_scan *js, size_t pos, size_t end, const char *name, bool *ret_is)
{
        size_t name_len = name ? strlen(name) : 0;
        json_t *k;
        int r;

        k = load_extent(js, pos, end, &r);
        if (!k)
                goto done;
        if (memchr(json_string_value(k), '\0', json_string_length(k))) {
                r = scan_error(js, pos, "NUL byte in object key not supported");
        } else {
                *ret_is = name && json_string_length(k) == name_len &&
                          memcmp(json_string_value(k), name, name_len) == 0;
        }
        json_decref(k);
done:
        return r;
}

/* Where index_object() reports what it found. */
struct found {
        size_t arr;
        size_t count;
        unsigned depth;
};

/* Check the object at body[pos] ('{'), whose members are nested `depth`
 * deep, and find the array at path (npath > 0); *ret_next just past '}'. */
static int index_object(struct json_scan *js, size_t pos, unsigned depth, const char *const *path,
                        size_t npath, struct found *ret, size_t *ret_next)
{
        bool closed;
        int r = 0;

        ret->arr = 0;
        ret->count = 0;
        pos = json_scan_skip_blanks(js, pos + 1);
        closed = pos < js->len && js->body[pos] == '}';
        if (closed)
                pos++;
        while (!closed) {
                size_t kend, vend, next;
                bool is_member = false;
                json_t *v;

                if (pos >= js->len || js->body[pos] != '"') {
                        r = scan_error(js, pos, "string or '}' expected");
                        goto done;
                }
                r = skip_string(js, pos, &kend);
                if (r < 0)
                        goto done;
                r = key_is(js, pos, kend, path[0], &is_member);
                if (r < 0)
                        goto done;
                pos = json_scan_skip_blanks(js, kend);
                if (pos >= js->len || js->body[pos] != ':') {
                        r = scan_error(js, pos, "':' expected");
                        goto done;
                }
                pos = json_scan_skip_blanks(js, pos + 1);
                if (is_member && npath == 1 && pos < js->len && js->body[pos] == '[') {
                        size_t count = 0;

                        r = walk_array(js, pos, depth + 1, count_entry, &count, &next);
                        if (r < 0)
                                goto done;
                        ret->arr = pos;
                        ret->count = count;
                        ret->depth = depth + 1;
                        next = json_scan_skip_blanks(js, next);
                } else if (is_member && npath > 1 && pos < js->len && js->body[pos] == '{') {
                        if (depth + 1 > JSON_SCAN_DEPTH_MAX) {
                                r = scan_error(js, pos, "maximum parsing depth reached");
                                goto done;
                        }
                        r = index_object(js, pos, depth + 1, path + 1, npath - 1, ret, &next);
                        if (r < 0)
                                goto done;
                        next = json_scan_skip_blanks(js, next);
                } else {
                        r = scan_value(js, pos, depth, &vend, &next);
                        if (r < 0)
                                goto done;
                        v = load_extent(js, pos, vend, &r);
                        if (!v)
                                goto done;
                        json_decref(v);
                        if (is_member)
                                ret->arr = 0;
                }
                if (next >= js->len || (js->body[next] != ',' && js->body[next] != '}')) {
                        r = scan_error(js, next, "',' or '}' expected");
                        goto done;
                }
                closed = js->body[next] == '}';
                pos = json_scan_skip_blanks(js, next + 1);
        }
        *ret_next = pos;
done:
        return r;
}

int json_scan_find(struct json_scan *js, size_t pos, const char *const *path, size_t npath,
                   size_t *ret_arr, size_t *ret_count, unsigned *ret_depth)
{
        struct found f = {0};
        size_t next = 0;
        int r;

        *ret_arr = 0;
        *ret_count = 0;
        *ret_depth = 0;
        if (npath == 0 || pos >= js->len || js->body[pos] != '{') {
                r = scan_error(js, pos, "'{' expected");
                goto done;
        }
        r = index_object(js, pos, ROOT_DEPTH, path, npath, &f, &next);
        if (r < 0)
                goto done;
        /* After the root object: blanks only. */
        next = json_scan_skip_blanks(js, next);
        if (next < js->len) {
                r = scan_error(js, next, "end of file expected");
                goto done;
        }
        *ret_arr = f.arr;
        *ret_count = f.count;
        *ret_depth = f.depth;
done:
        return r;
}

int json_scan_walk(struct json_scan *js, size_t arr, unsigned depth, json_scan_fn fn, void *arg)
{
        size_t end;

        return walk_array(js, arr, depth, fn, arg, &end);
}
