//! The backend-independent storage conformance suite.
//!
//! Each check takes a fresh, empty store. A backend runs them all with
//! [`conformance_tests!`](crate::conformance_tests), so SQLite and PostgreSQL are held to the
//! same behaviour.

use std::sync::Arc;

use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::{
    Credential, Discovered, Error, InputSource, NewToken, NewUser, NextStage, OutputPreset,
    PageRequest, QuotaPatch, QuotaResource, RecordingFilter, SourcePatch, Store, SyncStatus,
    Template, TokenKind, UserPatch, status,
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
            credentials_are_scoped_and_kept_while_in_use,
            concurrent_source_creations_never_pass_the_quota,
            a_sync_cannot_start_twice_unless_the_first_is_stale,
            resync_of_unchanged_recordings_writes_nothing,
            a_deleted_recording_is_never_resurrected,
            only_waiting_recordings_take_new_source_values,
            recordings_are_listed_by_filter_and_owner,
            concurrent_template_creations_never_pass_the_quota,
            deleting_a_template_unbinds_its_recordings,
            presets_are_scoped_to_their_owner,
            upload_stages_ending_together_leave_their_recording_ready,
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

fn credential(user_id: Uuid, name: &str) -> Credential {
    Credential {
        id: Uuid::now_v7(),
        user_id,
        name: name.to_owned(),
        kind: "zoom_s2s".to_owned(),
        secret: vec![1, 2, 3],
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn source(user_id: Uuid, name: &str, credential_id: Option<Uuid>) -> InputSource {
    InputSource {
        id: Uuid::now_v7(),
        user_id,
        name: name.to_owned(),
        kind: "local_folder".to_owned(),
        credential_id,
        config: serde_json::json!({"path": "lectures"}),
        min_duration_seconds: 1200,
        min_size_bytes: 25_000_000,
        process_on_webhook: false,
        webhook_secret: None,
        sync: SyncStatus::default(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn discovered(key: &str, state: &str, title: &str) -> Discovered {
    Discovered {
        source_key: key.to_owned(),
        title: title.to_owned(),
        start_time: Utc::now(),
        duration_seconds: 3600,
        size_bytes: 100_000_000,
        status: state.to_owned(),
        skip_reason: None,
        source_meta: serde_json::json!({"path": key}),
        fingerprint: format!("{key}:{state}:{title}"),
    }
}

pub async fn credentials_are_scoped_and_kept_while_in_use(store: Arc<dyn Store>) {
    let ana = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("ana");
    let bob = store
        .create_user(&new_user("b@example.com"))
        .await
        .expect("bob");
    let cred = store
        .create_credential(&credential(ana.id, "zoom"))
        .await
        .expect("cred");
    store
        .create_source(&source(ana.id, "folder", Some(cred.id)))
        .await
        .expect("source");

    let as_bob = store.get_credential(bob.id, cred.id).await;
    let duplicate = store.create_credential(&credential(ana.id, "zoom")).await;
    let in_use = store.delete_credential(ana.id, cred.id).await;
    store
        .update_credential_secret(ana.id, cred.id, &[9, 9])
        .await
        .expect("rotate");

    assert!(matches!(as_bob, Err(Error::NotFound { .. })));
    assert!(matches!(duplicate, Err(Error::Conflict { .. })));
    assert!(
        matches!(in_use, Err(Error::Conflict { .. })),
        "got {in_use:?}"
    );
    assert_eq!(
        store
            .get_credential(ana.id, cred.id)
            .await
            .expect("get")
            .secret,
        vec![9, 9]
    );
    assert_eq!(store.count_encrypted().await.expect("count"), 1);
}

pub async fn concurrent_source_creations_never_pass_the_quota(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");

    let attempts = (0..30).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .create_source(&source(user.id, &format!("s{i}"), None))
                .await
        })
    });
    let results = futures::future::join_all(attempts).await;

    let created = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(Error::QuotaExceeded { limit: 10, .. }))))
        .count();
    assert_eq!((created, refused), (10, 20));
    let listed = store
        .list_sources(
            user.id,
            PageRequest {
                limit: 100,
                after: None,
            },
        )
        .await;
    assert_eq!(listed.expect("list").items.len(), 10);
    let first = store
        .list_sources(
            user.id,
            PageRequest {
                limit: 1,
                after: None,
            },
        )
        .await;
    store
        .delete_source(user.id, first.expect("l").items[0].id)
        .await
        .expect("delete");
    assert_eq!(
        store
            .get_quotas(user.id)
            .await
            .expect("q")
            .usage
            .input_sources,
        9
    );
}

pub async fn a_sync_cannot_start_twice_unless_the_first_is_stale(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let now = Utc::now();

    store
        .begin_sync(user.id, src.id, now, now - Duration::hours(1))
        .await
        .expect("first");
    let second = store
        .begin_sync(user.id, src.id, now, now - Duration::hours(1))
        .await;
    let takeover = store
        .begin_sync(user.id, src.id, now, now + Duration::seconds(1))
        .await;
    let result = serde_json::json!({"listed": 3});
    store
        .finish_sync(src.id, now, Some(&result), None)
        .await
        .expect("finish");
    let status = store.get_source(user.id, src.id).await.expect("get").sync;

    assert!(matches!(second, Err(Error::Conflict { .. })));
    assert!(
        takeover.is_ok(),
        "a sync started before the stale mark is taken over"
    );
    assert!(!status.syncing);
    assert_eq!(status.last_result, Some(result));
    let patch = SourcePatch {
        name: Some("renamed".to_owned()),
        ..SourcePatch::default()
    };
    let renamed = store
        .update_source(user.id, src.id, &patch)
        .await
        .expect("patch");
    assert_eq!(renamed.name, "renamed");
    assert_eq!(renamed.config, src.config);
}

pub async fn resync_of_unchanged_recordings_writes_nothing(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let items: Vec<_> = (0..450)
        .map(|i| discovered(&format!("k{i}"), status::INITIALIZED, "Standup"))
        .collect();

    let (first, ids) = store
        .upsert_discovered(user.id, src.id, &items)
        .await
        .expect("first");
    let before = store.get_recording(user.id, ids[0]).await.expect("get");
    let (second, again) = store
        .upsert_discovered(user.id, src.id, &items)
        .await
        .expect("again");
    let after = store.get_recording(user.id, ids[0]).await.expect("get");

    assert_eq!((first.new, first.unchanged), (450, 0));
    assert_eq!(ids.len(), 450);
    assert_eq!((second.new, second.updated, second.unchanged), (0, 0, 450));
    assert!(again.is_empty());
    assert_eq!(before.updated_at, after.updated_at);
}

pub async fn a_deleted_recording_is_never_resurrected(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let item = discovered("k1", status::INITIALIZED, "Standup");
    let (_, ids) = store
        .upsert_discovered(user.id, src.id, std::slice::from_ref(&item))
        .await
        .expect("up");

    store
        .delete_recording(user.id, ids[0])
        .await
        .expect("delete");
    let mut changed = item;
    changed.title = "Standup (renamed)".to_owned();
    changed.fingerprint.push('!');
    let (summary, new_ids) = store
        .upsert_discovered(user.id, src.id, &[changed])
        .await
        .expect("again");

    assert_eq!(summary.deleted, 1);
    assert!(new_ids.is_empty());
    assert!(matches!(
        store.get_recording(user.id, ids[0]).await,
        Err(Error::NotFound { .. })
    ));
    let filter = RecordingFilter::default();
    let page = PageRequest {
        limit: 10,
        after: None,
    };
    let listed = store
        .list_recordings(user.id, &filter, page)
        .await
        .expect("list");
    assert!(listed.items.is_empty());
}

pub async fn only_waiting_recordings_take_new_source_values(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let pending = discovered("k1", status::PENDING_SOURCE, "Standup");
    let (_, ids) = store
        .upsert_discovered(user.id, src.id, &[pending])
        .await
        .expect("up");

    let ready = discovered("k1", status::INITIALIZED, "Standup");
    let (summary, _) = store
        .upsert_discovered(user.id, src.id, &[ready])
        .await
        .expect("again");
    let recording = store.get_recording(user.id, ids[0]).await.expect("get");

    assert_eq!(summary.updated, 1);
    assert_eq!(recording.status, status::INITIALIZED);
}

pub async fn recordings_are_listed_by_filter_and_owner(store: Arc<dyn Store>) {
    let ana = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("ana");
    let bob = store
        .create_user(&new_user("b@example.com"))
        .await
        .expect("bob");
    let src = store
        .create_source(&source(ana.id, "folder", None))
        .await
        .expect("source");
    let items = [
        discovered("k1", status::INITIALIZED, "Standup"),
        discovered("k2", status::SKIPPED, "Oops"),
        discovered("k3", status::INITIALIZED, "Lecture"),
    ];
    let (_, ids) = store
        .upsert_discovered(ana.id, src.id, &items)
        .await
        .expect("up");
    let info = serde_json::json!({"reason": "matched"});
    let template = Uuid::now_v7();
    store
        .set_match(ana.id, ids[2], Some(template), &info)
        .await
        .expect("match");

    let all = PageRequest {
        limit: 2,
        after: None,
    };
    let first = store
        .list_recordings(ana.id, &RecordingFilter::default(), all)
        .await
        .expect("l");
    let next = PageRequest {
        limit: 2,
        after: first.next,
    };
    let rest = store
        .list_recordings(ana.id, &RecordingFilter::default(), next)
        .await
        .expect("l");
    let skipped = RecordingFilter {
        status: Some(status::SKIPPED.to_owned()),
        ..RecordingFilter::default()
    };
    let only_skipped = store
        .list_recordings(ana.id, &skipped, all)
        .await
        .expect("l");
    let by_template = RecordingFilter {
        template_id: Some(template),
        ..RecordingFilter::default()
    };
    let matched = store
        .list_recordings(ana.id, &by_template, all)
        .await
        .expect("l");
    let as_bob = store
        .list_recordings(bob.id, &RecordingFilter::default(), all)
        .await
        .expect("l");

    assert_eq!(
        first
            .items
            .iter()
            .map(|r| r.source_key.as_str())
            .collect::<Vec<_>>(),
        ["k3", "k2"]
    );
    assert_eq!(rest.items.len(), 1);
    assert_eq!(only_skipped.items.len(), 1);
    assert_eq!(matched.items[0].match_info, Some(info));
    assert!(as_bob.items.is_empty());
    assert!(matches!(
        store.get_recording(bob.id, ids[0]).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.upsert_discovered(bob.id, src.id, &items).await,
        Err(Error::NotFound { .. })
    ));
}

fn template(user_id: Uuid, name: &str, priority: i64) -> Template {
    Template {
        id: Uuid::now_v7(),
        user_id,
        name: name.to_owned(),
        description: String::new(),
        priority,
        is_active: true,
        matching_rules: serde_json::json!({"keywords": ["standup"]}),
        processing: serde_json::json!({}),
        metadata: serde_json::json!({}),
        output_preset_ids: vec![Uuid::now_v7()],
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

pub async fn concurrent_template_creations_never_pass_the_quota(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let patch = QuotaPatch {
        max_templates: Some(3),
        ..QuotaPatch::default()
    };
    store.update_quotas(user.id, &patch).await.expect("limit");

    let attempts = (0..12).map(|i| {
        let store = Arc::clone(&store);
        let t = template(user.id, &format!("t{i}"), i);
        tokio::spawn(async move { store.create_template(&t).await })
    });
    let results = futures::future::join_all(attempts).await;

    let created = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    assert_eq!(created, 3);
    let all = store.all_templates(user.id).await.expect("all");
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2).all(|w| w[0].priority <= w[1].priority),
        "priority order"
    );
    assert_eq!(all[0].output_preset_ids.len(), 1);
}

pub async fn deleting_a_template_unbinds_its_recordings(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let t = store
        .create_template(&template(user.id, "standups", 1))
        .await
        .expect("template");
    let items = [
        discovered("k1", status::INITIALIZED, "Standup"),
        discovered("k2", status::INITIALIZED, "Other"),
    ];
    let (_, ids) = store
        .upsert_discovered(user.id, src.id, &items)
        .await
        .expect("up");
    store
        .set_match(
            user.id,
            ids[0],
            Some(t.id),
            &serde_json::json!({"rule": "k"}),
        )
        .await
        .expect("m");

    let before = store
        .unmapped_recordings(user.id, None, 10)
        .await
        .expect("unmapped");
    let unbound = store.delete_template(user.id, t.id).await.expect("delete");
    let after = store
        .unmapped_recordings(user.id, None, 10)
        .await
        .expect("unmapped");

    assert_eq!(before.len(), 1);
    assert_eq!(unbound, vec![ids[0]]);
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|r| r.match_info.is_none()));
    assert_eq!(
        store.get_quotas(user.id).await.expect("q").usage.templates,
        0
    );
}

pub async fn presets_are_scoped_to_their_owner(store: Arc<dyn Store>) {
    let ana = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("ana");
    let bob = store
        .create_user(&new_user("b@example.com"))
        .await
        .expect("bob");
    let preset = OutputPreset {
        id: Uuid::now_v7(),
        user_id: ana.id,
        name: "Folder".to_owned(),
        platform: "local_folder".to_owned(),
        credential_id: None,
        settings: serde_json::json!({"path": "out"}),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };

    let created = store.create_preset(&preset).await.expect("create");
    let as_bob = store.get_preset(bob.id, created.id).await;
    let bob_delete = store.delete_preset(bob.id, created.id).await;
    let mut renamed = created.clone();
    renamed.name = "Outbox".to_owned();
    let replaced = store.replace_preset(&renamed).await.expect("replace");

    assert!(matches!(as_bob, Err(Error::NotFound { .. })));
    assert!(matches!(bob_delete, Err(Error::NotFound { .. })));
    assert_eq!(replaced.name, "Outbox");
    assert_eq!(replaced.settings, preset.settings);
}

fn folder_preset(user_id: Uuid, name: &str) -> OutputPreset {
    OutputPreset {
        id: Uuid::now_v7(),
        user_id,
        name: name.to_owned(),
        platform: "local_folder".to_owned(),
        credential_id: None,
        settings: serde_json::json!({"path": name}),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

pub async fn upload_stages_ending_together_leave_their_recording_ready(store: Arc<dyn Store>) {
    let user = store
        .create_user(&new_user("a@example.com"))
        .await
        .expect("create");
    let src = store
        .create_source(&source(user.id, "folder", None))
        .await
        .expect("source");
    let mut presets = Vec::new();
    for name in ["one", "two", "three"] {
        let preset = store
            .create_preset(&folder_preset(user.id, name))
            .await
            .expect("preset");
        presets.push((preset.id, preset.platform));
    }
    let items: Vec<_> = (0..12)
        .map(|i| discovered(&format!("k{i}"), status::INITIALIZED, "Lecture"))
        .collect();
    let (_, ids) = store
        .upsert_discovered(user.id, src.id, &items)
        .await
        .expect("recordings");
    let uploads: Vec<NextStage> = presets
        .iter()
        .map(|(id, _)| NextStage {
            stage: "upload",
            target: id.to_string(),
        })
        .collect();
    let download = NextStage {
        stage: "download",
        target: String::new(),
    };

    let mut statuses = Vec::new();
    for id in &ids {
        let now = Utc::now();
        let lease = now + Duration::minutes(2);
        store
            .start_pipeline(user.id, *id, &presets, &download, now)
            .await
            .expect("start");
        let first = store
            .claim_stage("w0", now, lease)
            .await
            .expect("claim")
            .expect("the download");
        store
            .complete_stage(first.id, "w0", "DOWNLOADED", &uploads, now)
            .await
            .expect("download done");
        let mut claimed = Vec::new();
        for worker in ["w1", "w2", "w3"] {
            let stage = store.claim_stage(worker, now, lease).await.expect("claim");
            claimed.push((worker, stage.expect("an upload stage").id));
        }
        // The three uploads end at the same moment, each in its own transaction.
        let ends = claimed.into_iter().map(|(worker, stage)| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .complete_stage(stage, worker, "UPLOADING", &[], Utc::now())
                    .await
            })
        });
        for end in futures::future::join_all(ends).await {
            assert!(end.expect("task").expect("complete"));
        }
        statuses.push(store.get_recording(user.id, *id).await.expect("get").status);
    }

    assert!(statuses.iter().all(|s| s == "READY"), "{statuses:?}");
}
