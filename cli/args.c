/* args.c - usage errors and the -c/--consumer-id parser (see args.h). */
#include "args.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int args_error(const char *prog, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "gpu-shopper %s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(" (try --help)\n", stderr);
        return CLI_ERR_USAGE;
}

int args_bad_option(const char *prog, int c, char *const *argv)
{
        return args_error(prog, "%s '%s'", c == ':' ? "missing value for" : "unknown option",
                          argv[optind - 1]);
}

int args_consumer_only(int argc, char **argv, const char *prog, const char *usage,
                       const char **ret_consumer)
{
        static const struct option opts[] = {
                {"consumer-id", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *consumer = NULL;
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(usage, stdout);
                        return ARGS_HELP;
                }
                if (c != 'c')
                        return args_bad_option(prog, c, argv);
                consumer = optarg;
        }
        if (optind < argc)
                return args_error(prog, "unexpected argument '%s'", argv[optind]);
        *ret_consumer = consumer;
        return CLI_OK;
}
