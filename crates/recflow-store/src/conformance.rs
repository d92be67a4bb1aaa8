//! The backend-independent storage conformance suite.
//!
//! Each check takes a fresh, empty store. A backend runs them all with
//! [`conformance_tests!`](crate::conformance_tests), so SQLite and PostgreSQL are held to the
//! same behaviour.

use std::sync::Arc;

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::{
    Error, NewToken, NewUser, PageRequest, QuotaPatch, QuotaResource, Store, TokenKind, UserPatch,
};

/// Generates one `#[tokio::test]` per check, each on the store `$make` builds.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            user_is_created_with_default_quotas,
            duplicate_email_is_a_conflict,
            users_are_listed_in_pages,
            user_patch_changes_only_given_fields,
            token_authenticates_its_enabled_owner,
            revoked_expired_or_disabled_tokens_do_not_authenticate,
            tokens_of_another_user_cannot_be_revoked,
            quota_patch_changes_only_given_limits,
            concurrent_reservations_never_pass_the_limit,
            released_quota_can_be_reserved_again,
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $make.await;
                $crate::conformance::$name(store).await;
            }
        )*
    };
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        password_hash: Some("hash".to_owned()),
        display_name: "Someone".to_owned(),
        timezone: "Europe/Berlin".to_owned(),
        is_admin: false,
    }
}

fn new_token(user_id: Uuid, hash: &str) -> NewToken {
    NewToken {
        user_id,
        name: "cli".to_owned(),
        kind: TokenKind::Personal,
        prefix: "rf_abcd".to_owned(),
        token_hash: hash.to_owned(),
        expires_at: None,
    }
}

pub async fn user_is_created_with_default_quotas(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");

    let fetched = store.get_user(user.id).await.expect("get");
    let by_email = store
        .find_user_by_email("a@example.com")
        .await
        .expect("by email");
    let quotas = store.get_quotas(user.id).await.expect("quotas");

    assert_eq!(fetched, user);
    assert_eq!(by_email.id, user.id);
    assert_eq!(user.timezone, "Europe/Berlin");
    assert_eq!(quotas.limits.max_automation_jobs, 5);
    assert_eq!(quotas.limits.min_automation_interval_hours, 1);
    assert_eq!(quotas.usage.automation_jobs, 0);
    assert_eq!(
        store.password_hash(user.id).await.expect("hash").as_deref(),
        Some("hash")
    );
    assert_eq!(store.count_users().await.expect("count"), 1);
}

pub async fn duplicate_email_is_a_conflict(store: Arc<dyn Store>) {
    store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("first");

    let second = store.create_user(&new_user("a@example.com")).await;

    assert!(
        matches!(second, Err(Error::Conflict { .. })),
        "got {second:?}"
    );
    assert_eq!(store.count_users().await.expect("count"), 1);
}

pub async fn users_are_listed_in_pages(store: Arc<dyn Store>) {
    for i in 0..5 {
        store
            .create_user(&new_user(&format!("u{i}@example.com")))
            .await
            .expect("create");
    }

    let first = store
        .list_users(PageRequest {
            limit: 2,
            after: None,
        })
        .await
        .expect("p1");
    let second = store
        .list_users(PageRequest {
            limit: 2,
            after: first.next,
        })
        .await
        .expect("p2");
    let third = store
        .list_users(PageRequest {
            limit: 2,
            after: second.next,
        })
        .await
        .expect("p3");

    let emails: Vec<_> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p.items.iter().map(|u| u.email.clone()))
        .collect();
    assert_eq!(
        emails,
        (0..5)
            .map(|i| format!("u{i}@example.com"))
            .collect::<Vec<_>>()
    );
    assert!(third.next.is_none());
}

pub async fn user_patch_changes_only_given_fields(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");

    let patch = UserPatch {
        timezone: Some("Asia/Tokyo".to_owned()),
        ..UserPatch::default()
    };
    let updated = store.update_user(user.id, &patch).await.expect("update");
    let missing = store.update_user(Uuid::now_v7(), &patch).await;

    assert_eq!(updated.timezone, "Asia/Tokyo");
    assert_eq!(updated.display_name, user.display_name);
    assert!(!updated.is_admin);
    assert!(matches!(missing, Err(Error::NotFound { .. })));
}

pub async fn token_authenticates_its_enabled_owner(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let token = store
        .create_token(&new_token(user.id, "h1"))
        .await
        .expect("token");

    let (found, owner) = store.authenticate("h1", Utc::now()).await.expect("auth");
    store
        .touch_token(token.id, Utc::now())
        .await
        .expect("touch");
    let listed = store
        .list_tokens(
            user.id,
            PageRequest {
                limit: 10,
                after: None,
            },
        )
        .await;

    assert_eq!(found.id, token.id);
    assert_eq!(owner.id, user.id);
    let listed = listed.expect("list");
    assert_eq!(listed.items.len(), 1);
    assert!(listed.items[0].last_used_at.is_some());
}

pub async fn revoked_expired_or_disabled_tokens_do_not_authenticate(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let other = store
        .create_user(&new_user("b@example.com"))
        .await
        .expect("create");
    let revoked = store
        .create_token(&new_token(user.id, "revoked"))
        .await
        .expect("token");
    let mut expiring = new_token(user.id, "expired");
    expiring.expires_at = Some(Utc::now() - Duration::seconds(1));
    store.create_token(&expiring).await.expect("token");
    store
        .create_token(&new_token(other.id, "disabled"))
        .await
        .expect("token");

    store
        .revoke_token(user.id, revoked.id)
        .await
        .expect("revoke");
    let disable = UserPatch {
        disabled: Some(true),
        ..UserPatch::default()
    };
    store
        .update_user(other.id, &disable)
        .await
        .expect("disable");

    for hash in ["revoked", "expired", "disabled", "unknown"] {
        let result = store.authenticate(hash, Utc::now()).await;
        assert!(
            matches!(result, Err(Error::NotFound { .. })),
            "{hash} authenticated"
        );
    }
}

pub async fn tokens_of_another_user_cannot_be_revoked(store: Arc<dyn Store>) {
    let owner = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let intruder = store
        .create_user(&new_user("b@example.com"))
        .await
        .expect("create");
    let token = store
        .create_token(&new_token(owner.id, "h1"))
        .await
        .expect("token");

    let result = store.revoke_token(intruder.id, token.id).await;

    assert!(matches!(result, Err(Error::NotFound { .. })));
    assert!(store.authenticate("h1", Utc::now()).await.is_ok());
}

pub async fn quota_patch_changes_only_given_limits(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");

    let patch = QuotaPatch {
        min_automation_interval_hours: Some(0),
        ..QuotaPatch::default()
    };
    let quotas = store.update_quotas(user.id, &patch).await.expect("update");
    let missing = store.update_quotas(Uuid::now_v7(), &patch).await;

    assert_eq!(quotas.limits.min_automation_interval_hours, 0);
    assert_eq!(quotas.limits.max_automation_jobs, 5);
    assert!(matches!(missing, Err(Error::NotFound { .. })));
}

pub async fn concurrent_reservations_never_pass_the_limit(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");

    let attempts = (0..50).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .reserve_quota(user.id, QuotaResource::AutomationJobs, 1)
                .await
        })
    });
    let results = futures::future::join_all(attempts).await;

    let granted = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(Error::QuotaExceeded { limit: 5, .. }))))
        .count();
    assert_eq!((granted, refused), (5, 45));
    let quotas = store.get_quotas(user.id).await.expect("quotas");
    assert_eq!(quotas.usage.automation_jobs, 5);
}

pub async fn released_quota_can_be_reserved_again(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let patch = QuotaPatch {
        max_templates: Some(1),
        ..QuotaPatch::default()
    };
    store.update_quotas(user.id, &patch).await.expect("limit");

    store
        .reserve_quota(user.id, QuotaResource::Templates, 1)
        .await
        .expect("first");
    let full = store
        .reserve_quota(user.id, QuotaResource::Templates, 1)
        .await;
    store
        .release_quota(user.id, QuotaResource::Templates, 1)
        .await
        .expect("release");
    store
        .release_quota(user.id, QuotaResource::Templates, 1)
        .await
        .expect("below zero");
    let again = store
        .reserve_quota(user.id, QuotaResource::Templates, 1)
        .await;

    assert!(matches!(full, Err(Error::QuotaExceeded { .. })));
    assert!(again.is_ok(), "got {again:?}");
    assert_eq!(
        store.get_quotas(user.id).await.expect("q").usage.templates,
        1
    );
}
