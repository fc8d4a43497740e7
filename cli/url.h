/* url.h - building request paths: percent-encoding of path segments and query values. */
#ifndef GS_CLI_URL_H
#define GS_CLI_URL_H

#include "strbuf.h"

/* Append s with everything but RFC 3986 unreserved characters percent-encoded,
 * so a value can never add a path segment or a query parameter. */
void url_append_encoded(struct strbuf *sb, const char *s);
/* Append the query parameter "name=value" (value encoded), after "?" or, once
 * sb holds a "?", after "&". Nothing when value is NULL. */
void url_append_query(struct strbuf *sb, const char *name, const char *value);

#endif /* GS_CLI_URL_H */
