/* shell_word.h - printing words of a suggested command line so a POSIX shell reads them back. */
#ifndef GS_CLI_SHELL_WORD_H
#define GS_CLI_SHELL_WORD_H

#include <stdio.h>

/* word as is when it holds only characters no shell treats specially,
 * otherwise single-quoted (a ' inside becomes '\''). */
void shell_word_print(FILE *out, const char *word);

#endif /* GS_CLI_SHELL_WORD_H */
