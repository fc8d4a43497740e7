/* SSH public key extraction from create requests (ssh_key fields and cloud-init runcmd text). */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define KEY_B64_MIN 16     /* shortest believable key blob */
#define PAYLOAD_B64_MIN 40 /* shortest base64 payload worth decoding */
#define KEY_COMMENT_MAX 256

static const char *const key_types[] = {
        "ssh-ed25519",
        "ssh-rsa",
        "ssh-dss",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
};
#define KEY_TYPES_LEN (sizeof(key_types) / sizeof(key_types[0]))

static bool is_b64(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/' || c == '=';
}

static bool is_comment_end(char c, bool shell)
{
        if (!shell)
                return c == '\0' || c == '\n' || c == '\r';
        return c == '\0' || c == '\'' || c == '"' || c == '\n' || c == '\r' || c == '\\' ||
               c == '>' || c == ';' || c == '|' || c == '&';
}

/* Does keys already hold a line with this type and blob? */
static bool has_key(const struct sim_buf *keys, const char *type_blob, size_t n)
{
        const char *p = keys->data;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);

                if (len >= n && memcmp(p, type_blob, n) == 0 && (len == n || p[n] == ' '))
                        return true;
                p = nl ? nl + 1 : NULL;
        }
        return false;
}

static int b64_val(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* Decodes n base64 characters; returns a NUL-terminated malloc'd string or NULL. */
static char *b64_decode(const char *s, size_t n)
{
        char *out = malloc(n / 4 * 3 + 4);
        uint32_t acc = 0;
        int bits = 0;
        size_t o = 0, i;

        if (!out)
                return NULL;
        for (i = 0; i < n; i++) {
                int v = b64_val(s[i]);

                if (s[i] == '=')
                        break;
                if (v < 0) {
                        free(out);
                        return NULL;
                }
                acc = (acc << 6) | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (char)((acc >> bits) & 0xff);
                }
        }
        out[o] = '\0';
        return out;
}

static int extract(struct sim_buf *keys, const char *text, int depth, bool shell)
{
        const char *p;
        int added = 0;
        size_t t;

        for (t = 0; t < KEY_TYPES_LEN; t++) {
                size_t tl = strlen(key_types[t]);

                for (p = strstr(text, key_types[t]); p; p = strstr(p + 1, key_types[t])) {
                        const char *blob = p + tl, *end, *cend;

                        if (p != text && (is_b64(p[-1]) || p[-1] == '-' || p[-1] == '@'))
                                continue; /* inside a longer token */
                        if (*blob != ' ')
                                continue;
                        while (*blob == ' ')
                                blob++;
                        for (end = blob; is_b64(*end); end++)
                                ;
                        if ((size_t)(end - blob) < KEY_B64_MIN)
                                continue;
                        cend = end;
                        if (*cend == ' ') {
                                while (!is_comment_end(*cend, shell) &&
                                       cend - end < KEY_COMMENT_MAX)
                                        cend++;
                                while (cend > end && cend[-1] == ' ')
                                        cend--;
                        }
                        {
                                struct sim_buf line;
                                int dup;

                                sim_buf_init(&line);
                                (void)sim_buf_append(&line, key_types[t], tl);
                                (void)sim_buf_append(&line, " ", 1);
                                (void)sim_buf_append(&line, blob, (size_t)(end - blob));
                                if (line.oom) {
                                        sim_buf_done(&line);
                                        return added;
                                }
                                dup = has_key(keys, line.data, line.len);
                                if (!dup && sim_keys_count(keys->data) < SIM_KEYS_MAX) {
                                        (void)sim_buf_append(keys, line.data, line.len);
                                        (void)sim_buf_append(keys, end, (size_t)(cend - end));
                                        (void)sim_buf_append(keys, "\n", 1);
                                        added++;
                                }
                                sim_buf_done(&line);
                        }
                }
        }
        if (depth > 0 || (!strstr(text, "base64 -d") && !strstr(text, "base64 --decode")))
                return added;
        /* cloud-init variants that pipe a base64 payload into authorized_keys */
        for (p = text; *p;) {
                const char *s = p, *e;

                while (*s && !is_b64(*s))
                        s++;
                for (e = s; is_b64(*e); e++)
                        ;
                if ((size_t)(e - s) >= PAYLOAD_B64_MIN) {
                        char *dec = b64_decode(s, (size_t)(e - s));

                        if (dec) {
                                added += extract(keys, dec, depth + 1, false);
                                free(dec);
                        }
                }
                p = *e ? e + 1 : e;
        }
        return added;
}

int sim_keys_extract(struct sim_buf *keys, const char *text, bool shell)
{
        if (!text)
                return 0;
        return extract(keys, text, 0, shell);
}

size_t sim_keys_count(const char *keys)
{
        size_t n = 0;

        for (; keys && *keys; keys++)
                if (*keys == '\n')
                        n++;
        return n;
}
