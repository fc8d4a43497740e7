/*
 * config_load.c - reads an INI file through inih and the line-counting reader
 * into a cfg_doc, recording every parse error with its line.
 */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_doc.h"
#include "config/config_errors.h"
#include "config/config_expand.h"
#include "config/ini_reader.h"

_Static_assert(CFG_MAX_LINE == INI_MAX_LINE, "CFG_MAX_LINE must match inih's INI_MAX_LINE");

/* Debian's build has no line argument in the handler: lines come from on_line(). */
_Static_assert(INI_HANDLER_LINENO == 0, "the handler below has no line argument");

/* Current-section markers beside real section indexes. */
#define SECTION_NONE ((size_t)-1) /* before the first header */
#define SECTION_BAD ((size_t)-2)  /* after a malformed header: records dropped */
/* Room for expansion messages (they name at most a variable). */
#define LOAD_MSG_MAX 256

struct load_ctx {
        struct cfg_doc *doc;
        struct cfg_errors *errs;
        int line;               /* line being parsed */
        bool expect_handler;    /* the line is "key = value"-like */
        bool handled;           /* inih called the handler for it */
        size_t section;         /* index, SECTION_NONE or SECTION_BAD */
        int first_syntax_error; /* first line inih itself flags, 0 if none */
        bool records_full;
        bool sections_full;
        bool nomem;
};

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void syntax_error(struct load_ctx *c, int line, const char *msg)
{
        cfg_errors_add(c->errs, c->doc->path, line, NULL, "%s", msg);
        if (c->first_syntax_error == 0)
                c->first_syntax_error = line;
}

/* The previous line was meant for the handler and inih did not call it. */
static void finish_line(struct load_ctx *c)
{
        if (c->expect_handler && !c->handled)
                syntax_error(c, c->line, "syntax error: expected 'key = value', a [section] "
                                         "or a comment");
        c->expect_handler = false;
        c->handled = false;
}

/* "[name]" as inih reads it: up to ']' or an inline ';' comment after a space. */
static void parse_header(struct load_ctx *c, const char *text)
{
        const char *p = text + 1;
        bool was_space = false;
        char name[CFG_MAX_LINE];
        size_t len, start = 0;
        int r;

        while (*p && *p != ']' && !(was_space && *p == ';')) {
                was_space = is_space(*p);
                p++;
        }
        c->section = SECTION_BAD;
        if (*p != ']') {
                syntax_error(c, c->line, "section header without closing ']'");
                return;
        }
        len = (size_t)(p - (text + 1));
        memcpy(name, text + 1, len);
        name[len] = '\0';
        while (len > 0 && is_space(name[len - 1]))
                name[--len] = '\0';
        while (is_space(name[start]))
                start++;
        if (name[start] == '\0') {
                cfg_errors_add(c->errs, c->doc->path, c->line, NULL, "empty section name '[]'");
                return;
        }
        r = cfg_doc_add_section(c->doc, name + start, c->line, &c->section);
        if (r == GS_E_NOMEM) {
                c->nomem = true;
        } else if (r < 0 && !c->sections_full) {
                cfg_errors_add(c->errs, c->doc->path, c->line, NULL,
                               "too many sections (limit is %d)", CFG_MAX_SECTIONS);
                c->sections_full = true;
        }
}

static void on_line(void *ctx, int line, const char *text, enum ini_reader_status status)
{
        struct load_ctx *c = ctx;

        finish_line(c);
        c->line = line;
        if (status == INI_READER_TOO_LONG) {
                cfg_errors_add(c->errs, c->doc->path, line, NULL,
                               "line too long (limit is %d bytes including the line ending)",
                               CFG_MAX_LINE);
                return;
        }
        if (status == INI_READER_NUL) {
                cfg_errors_add(c->errs, c->doc->path, line, NULL, "line contains a NUL byte");
                return;
        }
        if (text[0] == '\0' || text[0] == ';' || text[0] == '#')
                return;
        if (text[0] == '[') {
                parse_header(c, text);
                return;
        }
        c->expect_handler = true;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
        struct load_ctx *c = user;
        const char *sec;
        char msg[LOAD_MSG_MAX];
        char *expanded = NULL;
        int r;

        (void)section; /* ours, from on_line(): inih truncates long names */
        c->handled = true;
        if (c->nomem)
                return 0;
        if (c->section == SECTION_BAD)
                return 1;
        if (c->section == SECTION_NONE) {
                cfg_errors_add(c->errs, c->doc->path, c->line, NULL,
                               "key '%s' is outside any [section]", name);
                return 1;
        }
        sec = c->doc->sections[c->section].name;
        if (name[0] == '\0') {
                cfg_errors_add(c->errs, c->doc->path, c->line, sec, "missing key name before '='");
                return 1;
        }
        r = cfg_expand(value, &expanded, msg, sizeof(msg));
        if (r == GS_E_NOMEM) {
                c->nomem = true;
                return 0;
        }
        if (r < 0) {
                cfg_errors_add(c->errs, c->doc->path, c->line, sec, "key '%s': %s", name, msg);
                return 1;
        }
        r = cfg_doc_add_record_take(c->doc, c->section, name, expanded, c->line);
        if (r >= 0)
                c->doc->records[c->doc->record_count - 1].from_env = strstr(value, "${") != NULL;
        if (r == GS_E_NOMEM) {
                c->nomem = true;
                return 0;
        }
        if (r < 0 && !c->records_full) {
                cfg_errors_add(c->errs, c->doc->path, c->line, sec,
                               "too many keys in the file (limit is %d)", CFG_MAX_RECORDS);
                c->records_full = true;
        }
        return 1;
}

/* Parse `len` bytes of `text` into a new document named `name`. */
static int load_text(const char *name, const char *text, size_t len, struct cfg_doc **ret_doc,
                     struct cfg_errors *errs)
{
        struct load_ctx c = {.errs = errs, .section = SECTION_NONE};
        struct ini_reader rd;
        int r;

        c.doc = cfg_doc_new(name);
        if (!c.doc)
                return GS_E_NOMEM;
        ini_reader_init(&rd, text, len, on_line, &c);
        r = ini_parse_stream(ini_reader_read, &rd, on_key, &c);
        finish_line(&c);
        if (c.nomem || r == -2) {
                r = GS_E_NOMEM;
                goto fail;
        }
        /* Every error inih can return is one on_line()/on_key() saw first;
         * this is the backstop should a future inih flag something else. */
        if (r < 0)
                cfg_errors_add(errs, name, 0, NULL, "INI parser failed (status %d)", r);
        else if (r > 0 && r != c.first_syntax_error)
                cfg_errors_add(errs, name, r, NULL, "syntax error");
        *ret_doc = c.doc;
        return 0;
fail:
        cfg_doc_free(c.doc);
        return r;
}

int cfg_doc_load_string(const char *name, const char *text, struct cfg_doc **ret_doc,
                        struct cfg_errors *errs)
{
        size_t len;

        if (!text || !ret_doc)
                return GS_E_INVAL;
        if (!name)
                name = "<string>";
        len = strnlen(text, CFG_MAX_FILE_BYTES + 1);
        if (len > CFG_MAX_FILE_BYTES) {
                cfg_errors_add(errs, name, 0, NULL, "larger than %d bytes", CFG_MAX_FILE_BYTES);
                return GS_E_TOOBIG;
        }
        return load_text(name, text, len, ret_doc, errs);
}

int cfg_doc_load(const char *path, struct cfg_doc **ret_doc, struct cfg_errors *errs)
{
        FILE *f = NULL;
        char *buf = NULL;
        size_t len;
        int r;

        if (!path || !ret_doc)
                return GS_E_INVAL;
        buf = malloc(CFG_MAX_FILE_BYTES + 1);
        if (!buf)
                return GS_E_NOMEM;
        f = fopen(path, "rb");
        if (!f) {
                cfg_errors_add(errs, path, 0, NULL, "cannot open: %s", strerror(errno));
                r = GS_E_IO;
                goto out;
        }
        len = fread(buf, 1, CFG_MAX_FILE_BYTES + 1, f);
        if (ferror(f)) {
                cfg_errors_add(errs, path, 0, NULL, "cannot read: %s", strerror(errno));
                r = GS_E_IO;
                goto out;
        }
        if (len > CFG_MAX_FILE_BYTES) {
                cfg_errors_add(errs, path, 0, NULL, "larger than %d bytes", CFG_MAX_FILE_BYTES);
                r = GS_E_TOOBIG;
                goto out;
        }
        r = load_text(path, buf, len, ret_doc, errs);
out:
        if (f)
                fclose(f);
        free(buf);
        return r;
}
