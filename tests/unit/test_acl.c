/* The one visibility function and the permission table. */
#include "test_clock.h"
#include "auth/acl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

static kt_viewer member(int64_t person, int64_t org, kt_role role)
{
    return (kt_viewer){.person = person, .org = org, .role = role, .n_items = -1};
}

static void open_events_reach_every_member_and_nobody_else(void **state)
{
    (void)state;
    kt_viewer m = member(1, 10, KT_ROLE_WAARNEMER), out = member(2, 10, KT_ROLE_NONE);
    assert_true(kt_acl_visible(&m, NULL));
    assert_false(kt_acl_visible(&out, NULL));
    kt_vis item = {.item = 5};
    assert_true(kt_acl_visible(&m, &item));
    assert_false(kt_acl_visible(&out, &item));
}

static void confidential_items_reach_listed_orgs_and_persons_only(void **state)
{
    (void)state;
    int64_t orgs[] = {10}, persons[] = {3};
    kt_vis vis = {.item = 7,
                  .confidential = true,
                  .n_orgs = 1,
                  .orgs = orgs,
                  .n_persons = 1,
                  .persons = persons};
    kt_viewer listed_org = member(1, 10, KT_ROLE_LID);
    kt_viewer listed_person = member(3, 20, KT_ROLE_LID);
    kt_viewer chair_elsewhere = member(4, 20, KT_ROLE_VOORZITTER);
    kt_viewer admin = member(5, 20, KT_ROLE_LID);
    admin.admin = true;
    kt_viewer outsider_of_org = member(6, 10, KT_ROLE_NONE);
    assert_true(kt_acl_visible(&listed_org, &vis));
    assert_true(kt_acl_visible(&listed_person, &vis));
    assert_false(kt_acl_visible(&chair_elsewhere, &vis));
    assert_false(kt_acl_visible(&admin, &vis));
    assert_false(kt_acl_visible(&outsider_of_org, &vis));
}

static void guests_see_only_their_items(void **state)
{
    (void)state;
    int64_t items[] = {7};
    kt_viewer guest = member(1, 10, KT_ROLE_GAST);
    guest.n_items = 1;
    guest.items = items;
    kt_vis mine = {.item = 7}, other = {.item = 8};
    assert_true(kt_acl_visible(&guest, &mine));
    assert_false(kt_acl_visible(&guest, &other));
    assert_true(kt_acl_visible(&guest, NULL));
}

static void own_membership_events_reach_the_subject(void **state)
{
    (void)state;
    kt_vis vis = {.subject = 9};
    kt_viewer removed = member(9, 1, KT_ROLE_NONE), stranger = member(8, 1, KT_ROLE_NONE);
    assert_true(kt_acl_visible(&removed, &vis));
    assert_false(kt_acl_visible(&stranger, &vis));
}

static void vis_round_trips_through_json(void **state)
{
    (void)state;
    int64_t orgs[] = {1, 2}, persons[] = {3};
    kt_vis vis = {.item = 4,
                  .confidential = true,
                  .n_orgs = 2,
                  .orgs = orgs,
                  .n_persons = 1,
                  .persons = persons};
    char *text = kt_vis_dump(&vis);
    assert_non_null(text);
    kt_vis back;
    assert_int_equal(kt_vis_parse(text, &back), 0);
    assert_int_equal(back.item, 4);
    assert_true(back.confidential);
    assert_int_equal(back.n_orgs, 2);
    assert_int_equal(back.orgs[1], 2);
    assert_int_equal(back.persons[0], 3);
    kt_vis_clear(&back);
    free(text);
    kt_vis open = {0};
    assert_null(kt_vis_dump(&open));
    assert_int_equal(kt_vis_parse("[1]", &back), -2);
}

static void permissions_follow_roles(void **state)
{
    (void)state;
    kt_viewer w = member(1, 1, KT_ROLE_WAARNEMER), g = member(1, 1, KT_ROLE_GAST);
    kt_viewer l = member(1, 1, KT_ROLE_LID), s = member(1, 1, KT_ROLE_SECRETARIS);
    kt_viewer n = member(1, 1, KT_ROLE_NONE), a = member(1, 1, KT_ROLE_NONE);
    a.admin = true;
    assert_true(kt_acl_allows(&w, KT_PERM_READ));
    assert_false(kt_acl_allows(&w, KT_PERM_PARTICIPATE));
    assert_true(kt_acl_allows(&g, KT_PERM_PARTICIPATE));
    assert_false(kt_acl_allows(&l, KT_PERM_EDIT));
    assert_true(kt_acl_allows(&s, KT_PERM_EDIT));
    assert_false(kt_acl_allows(&n, KT_PERM_READ));
    assert_true(kt_acl_allows(&a, KT_PERM_MANAGE));
    assert_false(kt_acl_allows(&a, KT_PERM_READ));
    assert_false(kt_acl_allows(&s, KT_PERM_ADMIN));
    assert_int_equal(kt_role_parse("vaste_vervanger"), KT_ROLE_VASTE_VERVANGER);
    assert_int_equal(kt_role_parse("koning"), KT_ROLE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_events_reach_every_member_and_nobody_else),
        cmocka_unit_test(confidential_items_reach_listed_orgs_and_persons_only),
        cmocka_unit_test(guests_see_only_their_items),
        cmocka_unit_test(own_membership_events_reach_the_subject),
        cmocka_unit_test(vis_round_trips_through_json),
        cmocka_unit_test(permissions_follow_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
