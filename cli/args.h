/*
 * args.h - command-line handling shared by the commands: the usage-error
 * messages ("gpu-shopper PROG: ... (try --help)" on stderr) and the parser of
 * commands whose only option is -c/--consumer-id. Nothing is allocated: the
 * strings handed back are the caller's argv.
 */
#ifndef GS_CLI_ARGS_H
#define GS_CLI_ARGS_H

#include "gpushop/plugin.h" /* GS_PRINTF */

/* What the parsers return after printing the usage text for -h/--help. */
#define ARGS_HELP (-1)

/* Print "gpu-shopper PROG: MESSAGE (try --help)"; returns CLI_ERR_USAGE. */
int args_error(const char *prog, const char *fmt, ...) GS_PRINTF(2, 3);
/* The message for what getopt_long returned as c (':' missing value, else an
 * unknown option), naming argv[optind - 1]; returns CLI_ERR_USAGE. */
int args_bad_option(const char *prog, int c, char *const *argv);
/* Parse [-c|--consumer-id ID] [-h|--help] and no arguments. CLI_OK with
 * *ret_consumer (NULL when not given); ARGS_HELP after printing usage on
 * stdout; CLI_ERR_USAGE after a message. The consumer id is not checked. */
int args_consumer_only(int argc, char **argv, const char *prog, const char *usage,
                       const char **ret_consumer);

#endif /* GS_CLI_ARGS_H */
