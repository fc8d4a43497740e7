/* principal.c - role names and consumer scoping of a request's principal. */
#include "auth/principal.h"

#include <string.h>

static const char *const role_names[] = {
        [GS_ROLE_ADMIN] = "admin",
        [GS_ROLE_CONSUMER] = "consumer",
        [GS_ROLE_VIEWER] = "viewer",
};

bool principal_allows_consumer(const struct principal *p, const char *consumer_id)
{
        size_t want;
        const char *c;

        if (!p || !consumer_id)
                return false;
        if (p->role != GS_ROLE_CONSUMER)
                return p->role == GS_ROLE_ADMIN || p->role == GS_ROLE_VIEWER;
        want = strlen(consumer_id);
        for (c = p->consumers; *c;) {
                size_t len = strcspn(c, ",");

                if (len == want && strncmp(c, consumer_id, len) == 0)
                        return true;
                c += len;
                if (*c == ',')
                        c++;
        }
        return false;
}

const char *principal_role_name(int role)
{
        if (role < GS_ROLE_ADMIN || role > GS_ROLE_VIEWER)
                return NULL;
        return role_names[role];
}

int principal_role_parse(const char *name)
{
        for (int r = GS_ROLE_ADMIN; name && r <= GS_ROLE_VIEWER; r++)
                if (strcmp(name, role_names[r]) == 0)
                        return r;
        return -1;
}
