/* session_walk.c - read every matching session, page by page. */
#include "lifecycle/session_walk.h"

#include <string.h>

#include "session/session_store.h"

int session_walk(struct session_service *svc, uint32_t status_mask, const char *provider,
                 struct session_list *ret_list, struct gs_error *err)
{
        struct gs_session_filter f = {.struct_size = sizeof(f),
                                      .status_mask = status_mask,
                                      .provider = provider,
                                      .limit = SESSION_STORE_PAGE};
        struct session_list all, page;
        int r = 0;

        memset(&all, 0, sizeof(all));
        for (;;) {
                size_t got;
                uint64_t total;

                memset(&page, 0, sizeof(page));
                r = session_store_list(session_service_storage(svc), &f, &page, err);
                if (r < 0)
                        break;
                for (size_t i = 0; i < page.count && r == 0; i++)
                        r = session_list_add(&all, &page.items[i]);
                got = page.count;
                total = page.total;
                session_list_done(&page);
                if (r < 0) {
                        (void)gs_error_set(err, r, 0, "out of memory");
                        break;
                }
                f.offset += (uint32_t)got;
                all.total = total;
                if (got < SESSION_STORE_PAGE || f.offset >= total)
                        break;
        }
        if (r < 0) {
                session_list_done(&all);
                return r;
        }
        *ret_list = all;
        return 0;
}
