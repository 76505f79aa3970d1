/* The one visibility function and the permission table. */
#include "auth/acl.h"
#include "test_clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

static void what_is_stored_with_an_event_is_a_reference_never_an_audience(void **state)
{
    (void)state;
    int64_t orgs[] = {1, 2}, persons[] = {3};
    kt_vis vis = {.item = 4,
                  .under = true,
                  .min_role = KT_ROLE_SECRETARIS,
                  .confidential = true,
                  .n_orgs = 2,
                  .orgs = orgs,
                  .n_persons = 1,
                  .persons = persons};
    char *text = kt_vis_dump(&vis);
    assert_non_null(text);
    assert_null(strstr(text, "orgs"));
    assert_null(strstr(text, "persons"));
    assert_null(strstr(text, "confidential"));
    kt_vis back;
    assert_int_equal(kt_vis_parse(text, &back), 0);
    assert_int_equal(back.item, 4);
    assert_true(back.under);
    assert_int_equal(back.min_role, KT_ROLE_SECRETARIS);
    assert_false(back.confidential);
    kt_vis_clear(&back);
    free(text);
    /* a row written by an older version with its audience: the audience is not believed */
    assert_int_equal(
        kt_vis_parse("{\"item\":9,\"confidential\":true,\"orgs\":[1],\"persons\":[]}", &back), 0);
    assert_int_equal(back.item, 9);
    assert_false(back.confidential);
    assert_int_equal(back.n_orgs, 0);
    kt_vis_clear(&back);
    kt_vis open = {0};
    assert_null(kt_vis_dump(&open));
    assert_int_equal(kt_vis_parse("[1]", &back), -2);
}

static void members_outside_the_audience_see_a_placeholder_guests_nothing(void **state)
{
    (void)state;
    int64_t orgs[] = {10}, mine[] = {7}, other[] = {8};
    kt_vis item = {.item = 7, .confidential = true, .n_orgs = 1, .orgs = orgs};
    kt_vis under = item;
    under.under = true; /* an action or message of the item */
    kt_viewer in = member(1, 10, KT_ROLE_LID), out = member(2, 20, KT_ROLE_VOORZITTER);
    kt_viewer guest_in = member(3, 10, KT_ROLE_GAST), guest_out = member(4, 20, KT_ROLE_GAST);
    kt_viewer guest_other = member(5, 10, KT_ROLE_GAST);
    guest_in.n_items = guest_out.n_items = 1;
    guest_in.items = guest_out.items = mine;
    guest_other.n_items = 1;
    guest_other.items = other;
    kt_viewer none = member(6, 10, KT_ROLE_NONE), observer = member(7, 20, KT_ROLE_WAARNEMER);
    assert_int_equal(kt_acl_sight(&in, &item), KT_SIGHT_FULL);
    assert_int_equal(kt_acl_sight(&out, &item), KT_SIGHT_PLACEHOLDER); /* the chair too */
    assert_int_equal(kt_acl_sight(&observer, &item), KT_SIGHT_PLACEHOLDER);
    assert_int_equal(kt_acl_sight(&out, &under), KT_SIGHT_NONE);
    assert_int_equal(kt_acl_sight(&in, &under), KT_SIGHT_FULL);
    assert_int_equal(kt_acl_sight(&guest_in, &item), KT_SIGHT_FULL);
    assert_int_equal(kt_acl_sight(&guest_out, &item), KT_SIGHT_NONE);
    assert_int_equal(kt_acl_sight(&guest_other, &item), KT_SIGHT_NONE);
    assert_int_equal(kt_acl_sight(&none, &item), KT_SIGHT_NONE); /* org in audience, no member */
    kt_vis wide = {.agenda_wide = true};
    assert_int_equal(kt_acl_sight(&guest_in, &wide), KT_SIGHT_NONE);
    assert_int_equal(kt_acl_sight(&out, &wide), KT_SIGHT_FULL);
    /* a guest limited to no items at all (their items were removed) is still limited */
    kt_viewer emptied = member(8, 10, KT_ROLE_GAST);
    emptied.n_items = 0;
    kt_vis open = {.item = 9};
    assert_int_equal(kt_acl_sight(&emptied, &open), KT_SIGHT_NONE);
    assert_true(kt_acl_in_audience(1, 10, &item));
    assert_false(kt_acl_in_audience(2, 20, &item));
    assert_true(kt_acl_in_audience(2, 20, &open));
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
        cmocka_unit_test(what_is_stored_with_an_event_is_a_reference_never_an_audience),
        cmocka_unit_test(members_outside_the_audience_see_a_placeholder_guests_nothing),
        cmocka_unit_test(permissions_follow_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
