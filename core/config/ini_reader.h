/*
 * ini_reader.h - the line reader handed to inih's ini_parse_stream().
 *
 * It serves one physical line per call from an in-memory text, so inih's own
 * line count always equals ours, and tells a callback what it found before
 * inih sees the line:
 *  - a line whose bytes before '\n' do not fit inih's buffer (INI_MAX_LINE,
 *    including the terminating NUL) is reported as too long and handed to
 *    inih as an empty line: the rest of it is skipped, never parsed as a new
 *    line, and no truncated value reaches the handler;
 *  - a line holding a NUL byte is reported and blanked the same way;
 *  - a UTF-8 BOM on line 1 and the leading white space of every line are
 *    removed. Indented lines are therefore ordinary lines: inih's multi-line
 *    continuation (which would glue "  port = 1" onto the previous key) is
 *    never triggered.
 */
#ifndef GS_INI_READER_H
#define GS_INI_READER_H

#include <stddef.h>

enum ini_reader_status {
        INI_READER_OK,       /* `text` is what inih gets */
        INI_READER_TOO_LONG, /* blanked: longer than the buffer */
        INI_READER_NUL       /* blanked: holds a NUL byte */
};

/* Called once per physical line, before inih parses it. `text` is the line as
 * inih will see it (empty for a blanked line), valid for the call only. */
typedef void (*ini_reader_line_fn)(void *ctx, int line, const char *text,
                                   enum ini_reader_status status);

struct ini_reader {
        const char *pos;            /* next unread byte */
        const char *end;            /* one past the last byte */
        int line;                   /* number of the line last served */
        ini_reader_line_fn on_line; /* may be NULL */
        void *ctx;
};

void ini_reader_init(struct ini_reader *rd, const char *text, size_t len,
                     ini_reader_line_fn on_line, void *ctx);
/* The ini_reader callback: `stream` is a struct ini_reader. fgets() contract:
 * returns `str`, or NULL at the end of the text. */
char *ini_reader_read(char *str, int num, void *stream);

#endif /* GS_INI_READER_H */
