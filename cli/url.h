/* url.h - building request paths: percent-encoding of path segments and query values. */
#ifndef GS_CLI_URL_H
#define GS_CLI_URL_H

#include "strbuf.h"

/* Append s with everything but RFC 3986 unreserved characters percent-encoded,
 * so a value can never add a path segment or a query parameter. */
void url_append_encoded(struct strbuf *sb, const char *s);

#endif /* GS_CLI_URL_H */
