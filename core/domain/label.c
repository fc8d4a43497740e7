/* label.c - formatting and parsing of provider labels. */
#include "domain/label.h"

#include <stdio.h>
#include <string.h>

#include "gpushop/status.h"

static bool alnum_lower(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return n > 0;
}

int label_format(const char *deployment_id, const char *session_id, char *out, size_t out_len)
{
        int w;

        if (!deployment_id || !session_id || !deployment_id[0] || !session_id[0] ||
            strchr(deployment_id, '-'))
                return GS_E_INVAL;
        w = snprintf(out, out_len, "%s%s-%s", LABEL_PREFIX, deployment_id, session_id);
        if (w < 0 || (size_t)w >= out_len)
                return GS_E_INVAL;
        return 0;
}

bool label_parse(const char *label, char *ret_deployment, size_t dep_len, char *ret_session,
                 size_t sess_len)
{
        size_t plen = strlen(LABEL_PREFIX);
        const char *dep, *dash, *sess;
        size_t dlen, slen;

        if (!label || strncmp(label, LABEL_PREFIX, plen) != 0)
                return false;
        dep = label + plen;
        dash = strchr(dep, '-');
        if (!dash)
                return false;
        dlen = (size_t)(dash - dep);
        sess = dash + 1;
        slen = strlen(sess);
        if (dlen > LABEL_DEPLOYMENT_MAX || !alnum_lower(dep, dlen) || slen > LABEL_SESSION_MAX ||
            strncmp(sess, "sess-", 5) != 0 || !alnum_lower(sess + 5, slen - 5))
                return false;
        if (dlen + 1 > dep_len || slen + 1 > sess_len)
                return false;
        memcpy(ret_deployment, dep, dlen);
        ret_deployment[dlen] = '\0';
        memcpy(ret_session, sess, slen + 1);
        return true;
}

bool label_is_ours(const char *label, const char *deployment_id)
{
        char dep[LABEL_DEPLOYMENT_MAX + 1], sess[LABEL_SESSION_MAX + 1];

        return deployment_id && deployment_id[0] &&
               label_parse(label, dep, sizeof(dep), sess, sizeof(sess)) &&
               strcmp(dep, deployment_id) == 0;
}
