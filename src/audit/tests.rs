//! The precedence of the audit's classes: every combination of facts gets exactly the
//! first class whose own description holds (the descriptions are written here a second
//! time, independently of `classify`).

use super::*;

/// Each class's description on its own (module documentation), `ToCreate` excluded.
fn descriptions(f: &Facts) -> Vec<Class> {
    let now = f.removal == Removal::Now;
    let untouched = f.removal == Removal::No;
    let mut v = Vec::new();
    if now && f.held {
        v.push(Class::Held);
    }
    if (now && !f.held) || f.removal == Removal::Earlier || (f.managed && !f.active) {
        v.push(Class::WillRemove);
    }
    if !f.has_user {
        v.push(Class::Orphan);
    }
    if f.has_user && f.user_inactive && f.active && untouched {
        v.push(Class::EnabledButDisabled);
    }
    if f.managed && f.active && untouched {
        v.push(Class::Kept);
    }
    if !f.managed && untouched {
        v.push(Class::Unmanaged);
    }
    v
}

fn all_facts() -> Vec<Facts> {
    let mut out = Vec::new();
    for bits in 0u32..(1 << 7) {
        for removal in [Removal::No, Removal::Now, Removal::Earlier] {
            let b = |i: u32| bits & (1 << i) != 0;
            out.push(Facts {
                owned: b(0),
                has_user: b(1),
                provisionable: b(2),
                managed: b(3),
                removal,
                held: b(4),
                active: b(5),
                user_inactive: b(6),
            });
        }
    }
    out
}

#[test]
fn every_account_gets_exactly_the_first_class_that_describes_it() {
    for f in all_facts() {
        let got = classify(&f);
        if f.owned && f.provisionable {
            assert_eq!(got, None, "{f:?}: provisioned by the rules, not listed");
            continue;
        }
        let d = descriptions(&f);
        assert!(!d.is_empty(), "{f:?}: no class describes it");
        let first = d.iter().min().copied();
        assert_eq!(got, first, "{f:?}: descriptions {d:?}");
    }
}

const BASE: Facts = Facts {
    owned: true,
    has_user: true,
    provisionable: false,
    managed: true,
    removal: Removal::No,
    held: false,
    active: true,
    user_inactive: false,
};

#[test]
fn s27_a_disable_at_a_held_stage_is_held_not_will_remove() {
    let f = Facts {
        removal: Removal::Now,
        held: true,
        ..BASE
    };
    assert_eq!(classify(&f), Some(Class::Held));
    assert_eq!(
        classify(&Facts { held: false, ..f }),
        Some(Class::WillRemove)
    );
    // A held stage does not make untouched accounts held.
    assert_eq!(classify(&Facts { held: true, ..BASE }), Some(Class::Kept));
}

#[test]
fn s31_a_pre_existing_account_without_a_user_is_an_orphan_not_unmanaged() {
    let f = Facts {
        owned: false,
        has_user: false,
        managed: false,
        ..BASE
    };
    assert_eq!(descriptions(&f), vec![Class::Orphan, Class::Unmanaged]);
    assert_eq!(classify(&f), Some(Class::Orphan));
    // A managed account whose user is gone and that Entra deletes is will_remove.
    let gone = Facts {
        managed: true,
        removal: Removal::Now,
        ..f
    };
    assert_eq!(classify(&gone), Some(Class::WillRemove));
}

#[test]
fn s25_an_active_account_of_a_disabled_user_is_enabled_but_disabled_before_kept_or_unmanaged() {
    let kept = Facts {
        user_inactive: true,
        ..BASE
    };
    assert_eq!(classify(&kept), Some(Class::EnabledButDisabled));
    let unmanaged = Facts {
        managed: false,
        ..kept
    };
    assert_eq!(classify(&unmanaged), Some(Class::EnabledButDisabled));
    // A disabled account of a disabled user grants nothing: unmanaged stays unmanaged.
    assert_eq!(
        classify(&Facts {
            active: false,
            ..unmanaged
        }),
        Some(Class::Unmanaged)
    );
}

#[test]
fn s31_a_managed_disabled_account_is_will_remove_and_an_unmanaged_one_stays_unmanaged() {
    let f = Facts {
        active: false,
        ..BASE
    };
    assert_eq!(classify(&f), Some(Class::WillRemove));
    assert_eq!(
        classify(&Facts {
            managed: false,
            ..f
        }),
        Some(Class::Unmanaged)
    );
}

#[test]
fn s26_an_account_the_rules_provision_is_not_listed_unless_it_is_not_the_users_own() {
    let p = Facts {
        provisionable: true,
        ..BASE
    };
    assert_eq!(classify(&p), None);
    // A second account of a provisioned user (or one matching fails for) is listed.
    assert_eq!(
        classify(&Facts {
            owned: false,
            managed: false,
            ..p
        }),
        Some(Class::Unmanaged)
    );
}

#[test]
fn classes_that_need_review_are_the_ones_entra_does_not_fix() {
    let review: Vec<&str> = Class::ALL
        .iter()
        .filter(|c| c.needs_review())
        .map(|c| c.as_str())
        .collect();
    assert_eq!(
        review,
        [
            "held",
            "orphan",
            "enabled_but_disabled",
            "kept",
            "unmanaged"
        ]
    );
}
