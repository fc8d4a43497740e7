/*
 * gpu_name.c - canonical GPU model names: one table of models plus a few
 * spelling rules (see gpu_name.h).
 *
 * How a raw name is read:
 *  1. Split on blanks, control characters and the separators '_', '-', '/',
 *     ',', ';', ':', '|', '(', ')', '[', ']'.
 *  2. Whole words that are a form factor (PCIe, SXM, SXM2..SXM6, NVL) or a
 *     memory size ("80GB", "80 GB") go to their own fields; the first of
 *     each kind wins. Memory-type words (HBM3, GDDR6X, ...) are dropped.
 *  3. Leading vendor words go: NVIDIA, GeForce, Tesla, and Quadro or "Q"
 *     when "RTX" follows.
 *  4. The remaining words are squeezed into a key of lower-case letters and
 *     digits ("RTX 4090 D" -> "rtx4090d"), vendor prefixes are dropped from
 *     the key too ("geforcertx4090" -> "rtx4090"), and the key must equal
 *     the key of a table model or of one of its aliases. Exact equality is
 *     what keeps L4/L40/L40S, A10/A100 and RTX 4090/RTX 4090 D apart.
 *  5. A key the table does not know may still end in a glued form factor or
 *     memory size ("h100sxm5", "a10080gb"); those are peeled off and the
 *     rest looked up again.
 * Unknown names keep the words left after step 3, joined by single spaces.
 */
#include "domain/gpu_name.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "gpushop/status.h"

/* At most one token per two bytes of input. */
#define GPU_NAME_TOKENS_MAX (GPU_NAME_RAW_MAX / 2 + 1)
/* Decimal digits of a memory size ("4096"). */
#define GPU_NAME_MEM_DIGITS_MAX 4
/* How many glued suffixes (form factor, memory) step 5 may peel. */
#define GPU_NAME_PEEL_DEPTH 2

struct model {
        const char *name;    /* canonical spelling */
        const char *aliases; /* extra keys, space separated; NULL = none */
};

/* Canonical models. A model's own key comes from its name; list an alias
 * only for spellings whose key differs ("RTX 4080S"). */
static const struct model models[] = {
        /* GeForce, Blackwell */
        {"RTX 5090", NULL},
        {"RTX 5090 D", NULL},
        {"RTX 5080", NULL},
        {"RTX 5070 Ti", NULL},
        {"RTX 5070", NULL},
        {"RTX 5060 Ti", NULL},
        {"RTX 5060", NULL},
        /* GeForce, Ada */
        {"RTX 4090", NULL},
        {"RTX 4090 D", NULL},
        {"RTX 4080 SUPER", "rtx4080s"},
        {"RTX 4080", NULL},
        {"RTX 4070 Ti SUPER", "rtx4070tis"},
        {"RTX 4070 Ti", NULL},
        {"RTX 4070 SUPER", "rtx4070s"},
        {"RTX 4070", NULL},
        {"RTX 4060 Ti", NULL},
        {"RTX 4060", NULL},
        /* GeForce, Ampere */
        {"RTX 3090 Ti", NULL},
        {"RTX 3090", NULL},
        {"RTX 3080 Ti", NULL},
        {"RTX 3080", NULL},
        {"RTX 3070 Ti", NULL},
        {"RTX 3070", NULL},
        {"RTX 3060 Ti", NULL},
        {"RTX 3060", NULL},
        {"RTX 3050", NULL},
        /* GeForce, Turing and Pascal */
        {"RTX 2080 Ti", NULL},
        {"RTX 2080 SUPER", "rtx2080s"},
        {"RTX 2080", NULL},
        {"RTX 2070 SUPER", "rtx2070s"},
        {"RTX 2070", NULL},
        {"RTX 2060 SUPER", "rtx2060s"},
        {"RTX 2060", NULL},
        {"TITAN RTX", NULL},
        {"TITAN V", NULL},
        {"TITAN Xp", NULL},
        {"GTX 1660 Ti", NULL},
        {"GTX 1660 SUPER", "gtx1660s"},
        {"GTX 1660", NULL},
        {"GTX 1650", NULL},
        {"GTX 1080 Ti", NULL},
        {"GTX 1080", NULL},
        {"GTX 1070 Ti", NULL},
        {"GTX 1070", NULL},
        {"GTX 1060", NULL},
        /* Workstation */
        {"RTX PRO 6000", "rtxpro6000ws rtxpro6000s rtxpro6000blackwell"},
        {"RTX 6000 Ada", "rtx6000adageneration"},
        {"RTX 5880 Ada", "rtx5880adageneration"},
        {"RTX 5000 Ada", "rtx5000adageneration"},
        {"RTX 4500 Ada", "rtx4500adageneration"},
        {"RTX 4000 Ada", "rtx4000adageneration"},
        {"RTX A6000", "a6000"},
        {"RTX A5000", "a5000"},
        {"RTX A4500", "a4500"},
        {"RTX A4000", "a4000"},
        {"RTX A2000", "a2000"},
        {"RTX 8000", NULL}, /* Quadro RTX 8000 ("Q RTX 8000") */
        {"RTX 6000", NULL}, /* Quadro RTX 6000: not RTX 6000 Ada, not RTX A6000 */
        {"RTX 5000", NULL},
        {"RTX 4000", NULL},
        /* Data centre */
        {"GB200", NULL},
        {"B200", NULL},
        {"B100", NULL},
        {"GH200", NULL},
        {"H200", NULL},
        {"H100", NULL},
        {"H800", NULL},
        {"H20", NULL},
        {"A100", "rtxa100"},
        {"A800", NULL},
        {"A40", NULL},
        {"A30", NULL},
        {"A16", NULL},
        {"A10G", NULL},
        {"A10", NULL},
        {"A2", NULL},
        {"L40S", NULL},
        {"L40", NULL},
        {"L20", NULL},
        {"L4", NULL},
        {"T4", NULL},
        {"V100", NULL},
        {"P100", NULL},
        {"P40", NULL},
        {"P4", NULL},
        {"K80", NULL},
};

/* Words that name the vendor or product line, dropped when leading. */
static const char *const vendor_words[] = {"nvidia", "geforce", "tesla"};
/* Dropped when leading only if "rtx" follows ("Quadro RTX 8000", "Q RTX 8000"). */
static const char *const rtx_line_words[] = {"quadro", "q"};
/* Memory technology words, and a "GB" not taken by a memory size: not part
 * of the model (a kept "GB" could pair with a number once the words between
 * them are gone, so normalising the model again would change it). */
static const char *const mem_type_words[] = {"hbm2", "hbm2e", "hbm3", "hbm3e",
                                             "gddr6", "gddr6x", "gddr7", "gb"};

struct token {
        const char *s;
        size_t len;
};

static char lower(char c)
{
        return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
        char l = lower(c);

        return is_digit(c) || (l >= 'a' && l <= 'z');
}

static bool is_separator(unsigned char c)
{
        return c <= ' ' || c == 0x7f || strchr("_-/,;:|()[]", c) != NULL;
}

/* Case-insensitive equality of a counted string with a lower-case word. */
static bool eq_word(const char *s, size_t len, const char *word)
{
        size_t i;

        if (strlen(word) != len)
                return false;
        for (i = 0; i < len; i++)
                if (lower(s[i]) != word[i])
                        return false;
        return true;
}

static bool is_word_in(const struct token *t, const char *const *words, size_t n)
{
        size_t i;

        for (i = 0; i < n; i++)
                if (eq_word(t->s, t->len, words[i]))
                        return true;
        return false;
}

/* Form factor of a lower-case word, or NULL. */
static const char *form_factor_of(const char *s, size_t len)
{
        if (eq_word(s, len, "pcie"))
                return GPU_FORM_FACTOR_PCIE;
        if (eq_word(s, len, "nvl"))
                return GPU_FORM_FACTOR_NVL;
        if (eq_word(s, len, "sxm"))
                return GPU_FORM_FACTOR_SXM;
        if (len == 4 && eq_word(s, 3, "sxm") && s[3] >= '2' && s[3] <= '6')
                return GPU_FORM_FACTOR_SXM;
        return NULL;
}

/* Digits of a memory size: 1..GPU_NAME_MEM_DIGITS_MAX, no leading zero, in range. */
static bool parse_mem_digits(const char *s, size_t len, uint32_t *ret_gb)
{
        uint32_t v = 0;
        size_t i;

        if (len == 0 || len > GPU_NAME_MEM_DIGITS_MAX || s[0] == '0')
                return false;
        for (i = 0; i < len; i++) {
                if (!is_digit(s[i]))
                        return false;
                v = v * 10 + (uint32_t)(s[i] - '0');
        }
        if (v > GPU_NAME_MEM_GB_MAX)
                return false;
        *ret_gb = v;
        return true;
}

/* "80gb" as one word. */
static bool mem_word(const struct token *t, uint32_t *ret_gb)
{
        if (t->len < 3 || !eq_word(t->s + t->len - 2, 2, "gb"))
                return false;
        return parse_mem_digits(t->s, t->len - 2, ret_gb);
}

static size_t tokenize(const char *buf, size_t len, struct token *toks, size_t max)
{
        size_t n = 0, i = 0;

        while (i < len && n < max) {
                size_t start;

                while (i < len && is_separator((unsigned char)buf[i]))
                        i++;
                if (i == len)
                        break;
                start = i;
                while (i < len && !is_separator((unsigned char)buf[i]))
                        i++;
                toks[n].s = buf + start;
                toks[n].len = i - start;
                n++;
        }
        return n;
}

/* Does `key` (lower-case alnum) equal the alnum characters of `name`? */
static bool key_matches_name(const char *key, size_t len, const char *name)
{
        size_t k = 0;

        for (; *name; name++) {
                if (!is_alnum(*name))
                        continue;
                if (k == len || key[k] != lower(*name))
                        return false;
                k++;
        }
        return k == len;
}

static bool key_in_aliases(const char *key, size_t len, const char *aliases)
{
        while (aliases && *aliases) {
                size_t n = strcspn(aliases, " ");

                if (n == len && memcmp(aliases, key, len) == 0)
                        return true;
                aliases += n;
                while (*aliases == ' ')
                        aliases++;
        }
        return false;
}

static const struct model *lookup(const char *key, size_t len)
{
        size_t i;

        if (len == 0)
                return NULL;
        for (i = 0; i < sizeof(models) / sizeof(models[0]); i++)
                if (key_matches_name(key, len, models[i].name) ||
                    key_in_aliases(key, len, models[i].aliases))
                        return &models[i];
        return NULL;
}

/* Step 5: look the key up, peeling a glued form factor or memory size off
 * its end when the whole key is unknown. The peeled values are reported only
 * when a model is found. */
static const struct model *resolve(const char *key, size_t len, unsigned depth,
                                   const char **ret_ff, uint32_t *ret_gb)
{
        const struct model *m = lookup(key, len);
        size_t run = 0, ndig, cut;

        if (m || depth == 0)
                return m;

        for (cut = 3; cut <= 4 && cut < len; cut++) {
                const char *ff = form_factor_of(key + len - cut, cut);

                if (!ff)
                        continue;
                m = resolve(key, len - cut, depth - 1, ret_ff, ret_gb);
                if (m) {
                        *ret_ff = ff;
                        return m;
                }
        }

        if (len < 3 || memcmp(key + len - 2, "gb", 2) != 0)
                return NULL;
        while (run < len - 2 && is_digit(key[len - 3 - run]))
                run++;
        /* Fewest memory digits first: the longest known model wins, so
         * "a10080gb" is A100 80GB rather than A10 080GB. */
        for (ndig = 1; ndig <= run && ndig <= GPU_NAME_MEM_DIGITS_MAX; ndig++) {
                size_t prefix = len - 2 - ndig;
                uint32_t gb;

                if (prefix == 0 || !parse_mem_digits(key + prefix, ndig, &gb))
                        continue;
                m = resolve(key, prefix, depth - 1, ret_ff, ret_gb);
                if (m) {
                        *ret_gb = gb;
                        return m;
                }
        }
        return NULL;
}

/* Drop vendor words from the front of a squeezed key. */
static size_t strip_key_vendor(const char *key, size_t len)
{
        size_t off = 0;
        bool again = true;

        while (again) {
                size_t i;

                again = false;
                for (i = 0; i < sizeof(vendor_words) / sizeof(vendor_words[0]); i++) {
                        size_t n = strlen(vendor_words[i]);

                        if (len - off > n && memcmp(key + off, vendor_words[i], n) == 0) {
                                off += n;
                                again = true;
                        }
                }
                for (i = 0; i < sizeof(rtx_line_words) / sizeof(rtx_line_words[0]); i++) {
                        size_t n = strlen(rtx_line_words[i]);

                        if (len - off > n + 3 && memcmp(key + off, rtx_line_words[i], n) == 0 &&
                            memcmp(key + off + n, "rtx", 3) == 0) {
                                off += n;
                                again = true;
                        }
                }
        }
        return off;
}

/* Copy at most dst_size - 1 bytes, cutting on a UTF-8 character boundary. */
static void copy_bounded(char *dst, size_t dst_size, const char *src, size_t len)
{
        if (len >= dst_size) {
                size_t cut = dst_size - 1;

                /* Back off continuation bytes (10xxxxxx) of a cut character;
                 * input that is nothing but such bytes is cut where it falls. */
                while (cut > 0 && ((unsigned char)src[cut] & 0xC0) == 0x80)
                        cut--;
                len = cut > 0 ? cut : dst_size - 1;
        }
        memcpy(dst, src, len);
        dst[len] = '\0';
}

int gpu_name_normalize(const char *raw, struct gpu_name *ret_name)
{
        struct token toks[GPU_NAME_TOKENS_MAX];
        struct token model_toks[GPU_NAME_TOKENS_MAX];
        char key[GPU_NAME_RAW_MAX + 1];
        char joined[GPU_NAME_RAW_MAX + 1];
        struct gpu_name out = {{0}}, again;
        const char *ff = NULL, *peeled_ff = NULL;
        const struct model *m;
        uint32_t mem_gb = 0, peeled_gb = 0;
        bool cut;
        size_t raw_len, ntok, nmodel = 0, first = 0, klen = 0, koff, jlen = 0, i;

        if (!raw || !ret_name)
                return GS_E_INVAL;
        raw_len = strnlen(raw, GPU_NAME_RAW_MAX);
        ntok = tokenize(raw, raw_len, toks, GPU_NAME_TOKENS_MAX);
        if (ntok == 0)
                return GS_E_INVAL;

        /* Step 2: form factor and memory words out, the rest kept in order. */
        for (i = 0; i < ntok; i++) {
                const char *f = form_factor_of(toks[i].s, toks[i].len);
                uint32_t gb;

                if (f) {
                        if (!ff)
                                ff = f;
                        continue;
                }
                if (mem_word(&toks[i], &gb)) {
                        if (!mem_gb)
                                mem_gb = gb;
                        continue;
                }
                if (i + 1 < ntok && eq_word(toks[i + 1].s, toks[i + 1].len, "gb") &&
                    parse_mem_digits(toks[i].s, toks[i].len, &gb)) {
                        if (!mem_gb)
                                mem_gb = gb;
                        i++;
                        continue;
                }
                if (is_word_in(&toks[i], mem_type_words,
                               sizeof(mem_type_words) / sizeof(mem_type_words[0])))
                        continue;
                model_toks[nmodel++] = toks[i];
        }
        if (nmodel == 0) {
                /* Nothing but suffix words ("24GB"): keep them as the model. */
                memcpy(model_toks, toks, ntok * sizeof(toks[0]));
                nmodel = ntok;
                ff = NULL;
                mem_gb = 0;
        }

        /* Step 3: leading vendor words, as long as something remains. */
        while (first + 1 < nmodel) {
                bool vendor = is_word_in(&model_toks[first], vendor_words,
                                         sizeof(vendor_words) / sizeof(vendor_words[0]));
                bool line = is_word_in(&model_toks[first], rtx_line_words,
                                       sizeof(rtx_line_words) / sizeof(rtx_line_words[0])) &&
                            eq_word(model_toks[first + 1].s, model_toks[first + 1].len, "rtx");

                if (!vendor && !line)
                        break;
                first++;
        }

        /* Step 4: squeeze into a key and look it up. */
        for (i = first; i < nmodel; i++) {
                size_t c;

                for (c = 0; c < model_toks[i].len; c++)
                        if (is_alnum(model_toks[i].s[c]))
                                key[klen++] = lower(model_toks[i].s[c]);
        }
        koff = strip_key_vendor(key, klen);
        m = resolve(key + koff, klen - koff, GPU_NAME_PEEL_DEPTH, &peeled_ff, &peeled_gb);

        if (m) {
                copy_bounded(out.model, sizeof(out.model), m->name, strlen(m->name));
                if (!ff)
                        ff = peeled_ff;
                if (!mem_gb)
                        mem_gb = peeled_gb;
        } else {
                for (i = first; i < nmodel; i++) {
                        if (jlen > 0)
                                joined[jlen++] = ' ';
                        memcpy(joined + jlen, model_toks[i].s, model_toks[i].len);
                        jlen += model_toks[i].len;
                }
                cut = jlen >= sizeof(out.model);
                copy_bounded(out.model, sizeof(out.model), joined, jlen);
                /* A cut may leave a trailing blank; idempotence wants none. */
                jlen = strlen(out.model);
                while (jlen > 0 && out.model[jlen - 1] == ' ')
                        out.model[--jlen] = '\0';
                /* A cut also changes the key ("A100@@...@x" cut to "A100@@...@"
                 * is A100): settle on what the cut name normalises to, so that
                 * normalising the model again is a no-op. The cut name fits
                 * the field, so this recursion is one level deep. */
                if (cut && gpu_name_normalize(out.model, &again) == 0)
                        memcpy(out.model, again.model, sizeof(out.model));
        }
        if (ff)
                copy_bounded(out.form_factor, sizeof(out.form_factor), ff, strlen(ff));
        out.mem_gb = mem_gb;

        *ret_name = out;
        return 0;
}
