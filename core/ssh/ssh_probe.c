/* ssh_probe.c - one command over SSH with libssh, bounded by a deadline. */
#include "ssh/ssh_probe.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ssh/gpu_util.h"

/* Bytes of the command quoted in error messages. */
#define SSH_PROBE_COMMAND_QUOTE_MAX 64
/* Bytes of libssh's own error text kept in a message. */
#define SSH_PROBE_LIBSSH_MSG_MAX 160
#define MS_PER_S 1000
#define STAGE_CONNECT "connecting to"
#define US_PER_MS 1000

/* One call's state; released by probe_done(). */
struct probe {
        const struct ssh_target *t;
        const char *command;
        int64_t timeout_ms;
        int64_t deadline_ms; /* CLOCK_MONOTONIC */
        ssh_session session;
        ssh_channel channel;
        ssh_key owned_key; /* imported from t->private_key_openssh */
        char host_port[SSH_PROBE_HOST_MAX + 16];
        char fingerprint[SSH_PROBE_FINGERPRINT_MAX];
        char stderr_text[SSH_PROBE_STDERR_MAX + 1];
        size_t stderr_used;
};

/* "host:port", or "[v6]:port" for an IPv6 literal. */
static void format_host_port(const struct ssh_target *t, char *buf, size_t len)
{
        (void)snprintf(buf, len, strchr(t->host, ':') ? "[%s]:%u" : "%s:%u", t->host, t->port);
}

/* The first len - 1 bytes of src, NUL-terminated (deliberate truncation for messages). */
static void copy_prefix(char *dst, size_t len, const char *src)
{
        size_t n = strnlen(src, len - 1);

        memcpy(dst, src, n);
        dst[n] = '\0';
}

static int64_t now_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / (MS_PER_S * US_PER_MS);
}

static int64_t remaining_ms(const struct probe *p)
{
        return p->deadline_ms - now_ms();
}

static bool is_host_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '_';
}

static bool is_user_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_';
}

/* Non-empty, at most max, only allowed characters, not starting with '-'. */
static bool is_word(const char *s, size_t max, bool (*ok)(char))
{
        size_t n = 0;

        if (!s || !*s || *s == '-')
                return false;
        for (; *s; s++)
                if (!ok(*s) || ++n > max)
                        return false;
        return true;
}

static int validate(const struct ssh_target *t, const char *command, const char *out,
                    size_t out_len, int64_t timeout_ms, struct gs_error *err)
{
        if (!t || !command || !out || out_len == 0)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_probe_run: NULL argument");
        if (!is_word(t->host, SSH_PROBE_HOST_MAX, is_host_char))
                return gs_error_set(err, GS_E_INVAL, 0, "invalid SSH host");
        if (t->port == 0 || t->port > UINT16_MAX)
                return gs_error_set(err, GS_E_INVAL, 0, "invalid SSH port %u", t->port);
        if (!is_word(t->user, SSH_PROBE_USER_MAX, is_user_char))
                return gs_error_set(err, GS_E_INVAL, 0, "invalid SSH user");
        if (!t->private_key_openssh == !t->key)
                return gs_error_set(err, GS_E_INVAL, 0,
                                    "ssh_probe_run: give exactly one of a key text or a key");
        if (!*command || strlen(command) > SSH_PROBE_COMMAND_MAX)
                return gs_error_set(err, GS_E_INVAL, 0, "invalid SSH command length");
        if (timeout_ms <= 0 || timeout_ms > SSH_PROBE_TIMEOUT_MAX_MS)
                return gs_error_set(err, GS_E_INVAL, 0, "SSH timeout must be 1..%lld ms, not %lld",
                                    (long long)SSH_PROBE_TIMEOUT_MAX_MS, (long long)timeout_ms);
        if (t->seen_host_key && t->seen_host_key_len == 0)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_probe_run: empty seen_host_key");
        return 0;
}

/* libssh's last error, cut to a readable length. */
static const char *libssh_error(const struct probe *p, char *buf, size_t len)
{
        const char *msg = p->session ? ssh_get_error(p->session) : NULL;

        if (!msg || !*msg)
                msg = "connection closed";
        copy_prefix(buf, len, msg);
        return buf;
}

static int timeout_error(const struct probe *p, const char *stage, struct gs_error *err)
{
        return gs_error_set(err, GS_E_TIMEOUT, 0, "timed out after %lld ms %s %s",
                            (long long)p->timeout_ms, stage, p->host_port);
}

/* Map a transport failure during `stage` ("connecting to", ...): out of time -> GS_E_TIMEOUT,
 * else GS_E_IO. A broken handshake is never reported as an authentication failure. */
static int transport_error(const struct probe *p, const char *stage, struct gs_error *err)
{
        char msg[SSH_PROBE_LIBSSH_MSG_MAX];

        libssh_error(p, msg, sizeof(msg));
        if (remaining_ms(p) <= 0 || strstr(msg, "imeout") || strstr(msg, "timed out"))
                return timeout_error(p, stage, err);
        if (strcmp(stage, STAGE_CONNECT) == 0)
                return gs_error_set(err, GS_E_IO, 0, "cannot connect to %s: %s", p->host_port, msg);
        return gs_error_set(err, GS_E_IO, 0, "SSH failure %s %s: %s", stage, p->host_port, msg);
}

/* Give libssh's next blocking call the rest of the budget. */
static int set_budget(struct probe *p, const char *stage, struct gs_error *err)
{
        int64_t rem = remaining_ms(p);
        long sec, usec;

        if (rem <= 0)
                return timeout_error(p, stage, err);
        sec = (long)(rem / MS_PER_S);
        usec = (long)(rem % MS_PER_S) * US_PER_MS;
        if (ssh_options_set(p->session, SSH_OPTIONS_TIMEOUT, &sec) < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_TIMEOUT_USEC, &usec) < 0)
                return gs_error_set(err, GS_E_IO, 0, "cannot set the SSH timeout");
        return 0;
}

static int open_session(struct probe *p, struct gs_error *err)
{
        const struct ssh_target *t = p->t;
        unsigned int port = t->port;
        int verbosity = SSH_LOG_NOLOG;
        bool process_config = false;

        p->session = ssh_new();
        if (!p->session)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        /* No ssh_config, no known_hosts: see the trust-on-first-use note in the header. */
        if (ssh_options_set(p->session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_HOST, t->host) < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_PORT, &port) < 0 ||
            ssh_options_set(p->session, SSH_OPTIONS_USER, t->user) < 0)
                return gs_error_set(err, GS_E_INVAL, 0, "cannot set SSH options for %s",
                                    p->host_port);
        return 0;
}

/* Record the server's fingerprint and compare it with the pinned one. */
static int check_host_key(struct probe *p, struct gs_error *err)
{
        ssh_key server_key = NULL;
        unsigned char *hash = NULL;
        char *fp = NULL;
        size_t hlen = 0;
        int r = 0;

        if (ssh_get_server_publickey(p->session, &server_key) != SSH_OK ||
            ssh_get_publickey_hash(server_key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != SSH_OK ||
            !(fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen))) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot read the host key of %s", p->host_port);
                goto out;
        }
        if ((size_t)snprintf(p->fingerprint, sizeof(p->fingerprint), "%s", fp) >=
            sizeof(p->fingerprint)) {
                r = gs_error_set(err, GS_E_IO, 0, "host key fingerprint of %s too long",
                                 p->host_port);
                goto out;
        }
        if (p->t->pinned_host_key && strcmp(p->t->pinned_host_key, p->fingerprint) != 0)
                r = gs_error_set(err, GS_E_AUTH, 0,
                                 "the host key of %s changed: %s, recorded at first contact %s",
                                 p->host_port, p->fingerprint, p->t->pinned_host_key);
out:
        ssh_string_free_char(fp);
        ssh_clean_pubkey_hash(&hash);
        ssh_key_free(server_key);
        return r;
}

/* The key to authenticate with, imported from text when given as text. */
static int load_key(struct probe *p, struct gs_error *err)
{
        if (p->t->key)
                return 0;
        if (ssh_pki_import_privkey_base64(p->t->private_key_openssh, NULL, NULL, NULL,
                                          &p->owned_key) != SSH_OK ||
            !ssh_key_is_private(p->owned_key))
                return gs_error_set(err, GS_E_INVAL, 0,
                                    "the session private key is not a valid unencrypted "
                                    "OpenSSH private key");
        return 0;
}

static int authenticate(struct probe *p, struct gs_error *err)
{
        ssh_key key = p->t->key ? p->t->key : p->owned_key;
        int r, rc;

        r = set_budget(p, "authenticating to", err);
        if (r < 0)
                return r;
        rc = ssh_userauth_publickey(p->session, NULL, key);
        switch (rc) {
        case SSH_AUTH_SUCCESS:
                return 0;
        case SSH_AUTH_DENIED:
                return gs_error_set(err, GS_E_AUTH, 0,
                                    "the instance refused the session key (user %s at %s)",
                                    p->t->user, p->host_port);
        case SSH_AUTH_PARTIAL:
                return gs_error_set(err, GS_E_AUTH, 0,
                                    "%s accepted the key but asks for further authentication",
                                    p->host_port);
        default:
                return transport_error(p, "authenticating to", err);
        }
}

/* Append what is already buffered on stderr, keeping the first SSH_PROBE_STDERR_MAX bytes. */
static void drain_stderr(struct probe *p)
{
        char scratch[SSH_PROBE_STDERR_MAX];

        for (;;) {
                char *dst = scratch;
                size_t cap = sizeof(scratch);
                int n;

                if (p->stderr_used < SSH_PROBE_STDERR_MAX) {
                        dst = p->stderr_text + p->stderr_used;
                        cap = SSH_PROBE_STDERR_MAX - p->stderr_used;
                }
                n = ssh_channel_read_nonblocking(p->channel, dst, (uint32_t)cap, 1);
                if (n <= 0)
                        break;
                if (dst != scratch)
                        p->stderr_used += (size_t)n;
        }
        p->stderr_text[p->stderr_used] = '\0';
}

/* Read stdout until EOF into out (NUL-terminated). */
static int read_output(struct probe *p, char *out, size_t out_len, struct gs_error *err)
{
        size_t used = 0;
        int r = 0;

        for (;;) {
                char overflow;
                char *dst = used < out_len - 1 ? out + used : &overflow;
                size_t cap = used < out_len - 1 ? out_len - 1 - used : 1;
                int64_t rem = remaining_ms(p);
                int n;

                drain_stderr(p);
                if (rem <= 0) {
                        r = timeout_error(p, "waiting for the command's output from", err);
                        break;
                }
                if (cap > UINT32_MAX)
                        cap = UINT32_MAX;
                n = ssh_channel_read_timeout(p->channel, dst, (uint32_t)cap, 0,
                                             rem > INT32_MAX ? INT32_MAX : (int)rem);
                if (n == SSH_ERROR) {
                        r = transport_error(p, "reading the command's output from", err);
                        break;
                }
                if (n > 0 && dst == &overflow) {
                        r = gs_error_set(err, GS_E_TOOBIG, 0,
                                         "the command printed more than %zu bytes on %s",
                                         out_len - 1, p->host_port);
                        break;
                }
                used += (size_t)(n > 0 ? n : 0);
                if (n == 0 && (ssh_channel_is_eof(p->channel) || ssh_channel_is_closed(p->channel)))
                        break;
        }
        out[used] = '\0';
        drain_stderr(p);
        return r;
}

/* Replace control characters so stderr text is safe in one log line. */
static void sanitize(char *s)
{
        size_t n = strlen(s);

        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        s[i] = ' ';
        while (n > 0 && s[n - 1] == ' ')
                s[--n] = '\0';
}

static int run_command(struct probe *p, char *out, size_t out_len, struct gs_error *err)
{
        char quoted[SSH_PROBE_COMMAND_QUOTE_MAX + 1];
        int r, status;

        r = set_budget(p, "opening a channel to", err);
        if (r < 0)
                return r;
        p->channel = ssh_channel_new(p->session);
        if (!p->channel)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        if (ssh_channel_open_session(p->channel) != SSH_OK)
                return transport_error(p, "opening a channel to", err);
        r = set_budget(p, "starting the command on", err);
        if (r < 0)
                return r;
        if (ssh_channel_request_exec(p->channel, p->command) != SSH_OK)
                return transport_error(p, "starting the command on", err);
        r = read_output(p, out, out_len, err);
        if (r < 0)
                return r;
        r = set_budget(p, "waiting for the command's exit status from", err);
        if (r < 0)
                return r;
        status = ssh_channel_get_exit_status(p->channel);
        copy_prefix(quoted, sizeof(quoted), p->command);
        sanitize(p->stderr_text);
        if (status < 0 && remaining_ms(p) <= 0)
                return timeout_error(p, "waiting for the command's exit status from", err);
        if (status < 0)
                return gs_error_set(err, GS_E_UPSTREAM, 0,
                                    "'%s' ended without an exit status on %s (killed?)%s%s", quoted,
                                    p->host_port, p->stderr_text[0] ? ": " : "", p->stderr_text);
        if (status != 0)
                return gs_error_set(err, GS_E_UPSTREAM, 0, "'%s' exited with status %d on %s%s%s",
                                    quoted, status, p->host_port, p->stderr_text[0] ? ": " : "",
                                    p->stderr_text);
        return 0;
}

/* Release everything without waiting on the network: the budget may be spent. */
static void probe_done(struct probe *p)
{
        if (p->session)
                ssh_set_blocking(p->session, 0);
        if (p->channel) {
                if (ssh_channel_is_open(p->channel))
                        (void)ssh_channel_close(p->channel);
                ssh_channel_free(p->channel);
        }
        if (p->session) {
                ssh_disconnect(p->session);
                ssh_free(p->session);
        }
        ssh_key_free(p->owned_key);
}

int ssh_probe_run(const struct ssh_target *t, const char *command, char *out, size_t out_len,
                  int64_t timeout_ms, struct gs_error *err)
{
        struct probe p = {.t = t, .command = command};
        int r;

        r = validate(t, command, out, out_len, timeout_ms, err);
        if (r < 0)
                return r;
        out[0] = '\0';
        p.timeout_ms = timeout_ms;
        p.deadline_ms = now_ms() + timeout_ms;
        format_host_port(t, p.host_port, sizeof(p.host_port));
        r = load_key(&p, err);
        if (r < 0)
                goto out;
        r = open_session(&p, err);
        if (r < 0)
                goto out;
        r = set_budget(&p, STAGE_CONNECT, err);
        if (r < 0)
                goto out;
        if (ssh_connect(p.session) != SSH_OK) {
                r = transport_error(&p, STAGE_CONNECT, err);
                goto out;
        }
        r = check_host_key(&p, err);
        if (r < 0)
                goto out;
        r = authenticate(&p, err);
        if (r < 0)
                goto out;
        r = run_command(&p, out, out_len, err);
        if (r < 0)
                goto out;
        if (t->seen_host_key)
                (void)snprintf(t->seen_host_key, t->seen_host_key_len, "%s", p.fingerprint);
out:
        probe_done(&p);
        return r;
}

int ssh_probe_gpu_util(const struct ssh_target *t, int64_t timeout_ms, uint32_t *ret_max_util_pct,
                       struct gs_error *err)
{
        char out[SSH_PROBE_GPU_OUT_MAX], excerpt[SSH_PROBE_COMMAND_QUOTE_MAX + 1];
        char host_port[SSH_PROBE_HOST_MAX + 16];
        uint32_t pct;
        int r;

        if (!ret_max_util_pct)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_probe_gpu_util: NULL argument");
        r = ssh_probe_run(t, SSH_PROBE_GPU_UTIL_COMMAND, out, sizeof(out), timeout_ms, err);
        if (r < 0)
                return r;
        if (gpu_util_parse(out, &pct) < 0) {
                copy_prefix(excerpt, sizeof(excerpt), out);
                sanitize(excerpt);
                format_host_port(t, host_port, sizeof(host_port));
                return gs_error_set(err, GS_E_BADRESPONSE, 0,
                                    "unexpected nvidia-smi output on %s: '%s'", host_port, excerpt);
        }
        *ret_max_util_pct = pct;
        return 0;
}
