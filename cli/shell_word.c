/* shell_word.c - shell quoting for printed command lines. */
#include "shell_word.h"

#include <string.h>

#define SHELL_SAFE "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-"

void shell_word_print(FILE *out, const char *word)
{
        if (word[0] && strspn(word, SHELL_SAFE) == strlen(word)) {
                fputs(word, out);
                return;
        }
        fputc('\'', out);
        for (const char *p = word; *p; p++) {
                if (*p == '\'')
                        fputs("'\\''", out);
                else
                        fputc(*p, out);
        }
        fputc('\'', out);
}
