//! video.save → upload host → video.addToAlbum against the fake VK, with VK's failures.

use recflow_fakes::VkFault;
use std::time::Duration;

use recflow_publish::{CaptchaKind, MemorySessionStore, PublishError, VkClient, VkConfig, VkVideo};

use crate::support::*;

const GROUP: i64 = 200_000_001;
const ALBUM: i64 = 51;

#[tokio::test]
async fn a_community_upload_lands_in_the_album() {
    let (fake, client) = vk().await;
    fake.add_album(-GROUP, ALBUM);
    let file = test_file(300_000);

    let video = client
        .upload(VK_TOKEN, &vk_video(Some(GROUP), Some(ALBUM)), &file.path)
        .await
        .expect("the upload succeeds");

    let videos = fake.videos();
    assert_eq!(videos.len(), 1);
    let stored = &videos[0];
    assert_eq!(stored.owner_id, -GROUP);
    assert_eq!(stored.content.as_deref(), Some(file.content.as_slice()));
    assert_eq!(video.video_id, format!("{}_{}", -GROUP, stored.video_id));
    assert_eq!(video.url, format!("https://vk.com/video{}", video.video_id));
    assert_eq!(
        fake.album_videos(-GROUP, ALBUM),
        vec![(-GROUP, stored.video_id)]
    );
    assert_eq!(fake.videos_saved(), 1);
}

#[tokio::test]
async fn a_user_page_upload_carries_its_privacy_and_a_cut_name() {
    let (fake, client) = vk().await;
    let file = test_file(1000);
    let video = VkVideo {
        name: "й".repeat(200),
        privacy_view: Some("only_me".into()),
        ..vk_video(None, None)
    };

    client
        .upload(VK_TOKEN, &video, &file.path)
        .await
        .expect("the upload succeeds");

    let stored = &fake.videos()[0];
    assert_eq!(stored.owner_id, VK_USER);
    assert_eq!(stored.privacy_view.as_deref(), Some("only_me"));
    assert_eq!(stored.name.chars().count(), 128);
}

#[tokio::test]
async fn concurrent_uploads_with_one_token_stay_under_three_requests_per_second() {
    let (fake, client) = vk().await;
    fake.add_album(-GROUP, ALBUM);
    let file = test_file(1000);
    let video = vk_video(Some(GROUP), Some(ALBUM));

    let uploads = (0..4).map(|_| {
        let (client, video, path) = (client.clone(), video.clone(), file.path.clone());
        async move { client.upload(VK_TOKEN, &video, &path).await }
    });
    let results = futures::future::join_all(uploads).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fake.rate_limited_calls(), 0);
    assert!(fake.max_calls_per_second(VK_TOKEN) <= 3);
    assert_eq!(fake.album_videos(-GROUP, ALBUM).len(), 4);
}

#[tokio::test]
async fn error_6_is_waited_out_and_retried() {
    let (fake, client) = vk().await;
    fake.fail_next(2, VkFault::TooManyRequests);
    let file = test_file(1000);

    client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect("the upload succeeds after waiting");

    let sixes = fake
        .requests()
        .iter()
        .filter(|r| r.error_code == Some(6))
        .count();
    assert_eq!(sixes, 2);
    assert_eq!(fake.videos_saved(), 1);
    assert_eq!(fake.videos_uploaded(), 1);
}

#[tokio::test]
async fn both_captcha_forms_pause_the_target_with_captcha_required() {
    let (fake, client) = vk().await;
    fake.fail_next(1, VkFault::Captcha);
    fake.fail_next(1, VkFault::CaptchaRedirect);
    let file = test_file(1000);

    let image = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect_err("a captcha is asked");
    let redirect = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect_err("a captcha is asked");

    assert!(matches!(
        image,
        PublishError::CaptchaRequired {
            kind: CaptchaKind::Image { .. }
        }
    ));
    assert!(matches!(
        redirect,
        PublishError::CaptchaRequired {
            kind: CaptchaKind::Redirect
        }
    ));
    assert!(!image.is_retryable() && !redirect.is_retryable());
    assert!(redirect.reason().contains("captcha"));
    assert_eq!(fake.videos_saved(), 0);
}

#[tokio::test]
async fn a_revoked_token_is_fatal() {
    let (fake, client) = vk().await;
    fake.revoke_token(VK_TOKEN);
    let file = test_file(1000);

    let error = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect_err("the token is revoked");

    assert!(
        matches!(error, PublishError::RevokedCredentials { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn too_fast_from_the_upload_host_is_retried() {
    let (fake, client) = vk().await;
    fake.fail_next(1, VkFault::TooFast);
    let file = test_file(1000);

    client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect("the upload succeeds on the second try");

    let uploads: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "upload")
        .map(|r| r.error_code)
        .collect();
    assert_eq!(uploads, vec![Some(-12), None]);
    assert_eq!(fake.videos_saved(), 1);
}

#[tokio::test]
async fn an_expired_upload_url_is_replaced_by_a_new_video_save() {
    let (fake, client) = vk().await;
    fake.fail_next(1, VkFault::ExpiredUploadUrl);
    let file = test_file(1000);

    let video = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect("the upload succeeds with a fresh URL");

    assert_eq!(fake.videos_saved(), 2);
    assert_eq!(fake.videos_uploaded(), 1);
    let uploaded = fake.videos().into_iter().find(|v| v.content.is_some());
    let uploaded = uploaded.expect("one video has content");
    assert_eq!(
        video.video_id,
        format!("{}_{}", uploaded.owner_id, uploaded.video_id)
    );
}

#[tokio::test]
async fn an_attempt_after_a_crash_uploads_into_the_video_the_first_one_created() {
    let (fake, client) = vk().await;
    let file = test_file(2000);
    let session = MemorySessionStore::new();

    // The first attempt's file reached VK, but its result was lost with the process.
    let first = client
        .upload_resumable(VK_TOKEN, &vk_video(None, None), &file.path, &session)
        .await
        .expect("the first upload");
    let saved_url = session.uri();
    let second = client
        .upload_resumable(VK_TOKEN, &vk_video(None, None), &file.path, &session)
        .await
        .expect("the attempt after the crash");

    assert!(
        saved_url.is_some(),
        "the upload URL is saved before the file is sent"
    );
    assert_eq!(second.video_id, first.video_id);
    assert_eq!(fake.videos_saved(), 1, "no second video.save");
    assert_eq!(fake.videos().len(), 1);
}

#[tokio::test]
async fn a_saved_upload_url_that_expired_is_replaced() {
    let (fake, _) = vk().await;
    fake.set_upload_url_ttl(Duration::from_secs(3));
    let config = VkConfig {
        upload_url_margin: Duration::from_secs(2),
        ..VkConfig::default()
    };
    let client = VkClient::with_config(http(), fake.api_url(), config);
    let file = test_file(2000);
    let session = MemorySessionStore::new();
    client
        .upload_resumable(VK_TOKEN, &vk_video(None, None), &file.path, &session)
        .await
        .expect("the first upload");

    tokio::time::sleep(Duration::from_millis(1200)).await;
    client
        .upload_resumable(VK_TOKEN, &vk_video(None, None), &file.path, &session)
        .await
        .expect("a later attempt");

    // The saved URL is too close to its expiry to use, so a fresh video.save is made.
    assert_eq!(fake.videos_saved(), 2);
}

#[tokio::test]
async fn an_album_that_already_holds_the_video_counts_as_success() {
    let (fake, client) = vk().await;
    fake.add_album(VK_USER, ALBUM);
    let file = test_file(1000);
    client
        .upload(VK_TOKEN, &vk_video(None, Some(ALBUM)), &file.path)
        .await
        .expect("the upload succeeds");
    let stored = fake.videos()[0].clone();

    let again = client
        .add_to_album(VK_TOKEN, None, ALBUM, stored.owner_id, stored.video_id)
        .await;

    assert!(again.is_ok(), "{again:?}");
    assert!(fake.requests().iter().any(|r| r.error_code == Some(800)));
    assert_eq!(fake.album_videos(VK_USER, ALBUM).len(), 1);
}

#[tokio::test]
async fn access_denied_is_fatal_and_never_shows_an_echoed_token() {
    let (fake, client) = vk().await;
    fake.echo_token_in_errors(true);
    fake.fail_next(1, VkFault::AccessDenied(204));
    let file = test_file(1000);

    let error = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await
        .expect_err("access is denied");

    assert!(
        matches!(
            error,
            PublishError::AccessDenied {
                code: Some(204),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(error.reason().contains("Access denied"));
    assert!(!format!("{error:?} {}", error.reason()).contains(VK_TOKEN));
}

#[tokio::test]
async fn flood_control_and_daily_limits_are_retryable_later() {
    let (fake, client) = vk().await;
    fake.fail_next(1, VkFault::FloodControl);
    fake.fail_next(1, VkFault::RateLimitReached);
    let file = test_file(1000);

    let flood = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await;
    let daily = client
        .upload(VK_TOKEN, &vk_video(None, None), &file.path)
        .await;

    for result in [flood, daily] {
        let error = result.expect_err("the limit holds");
        assert!(
            matches!(error, PublishError::RateLimited { .. }),
            "{error:?}"
        );
        assert!(error.is_retryable());
    }
}

#[tokio::test]
async fn a_negative_group_id_is_refused_before_any_call() {
    let (fake, client) = vk().await;
    let file = test_file(1000);

    let error = client
        .upload(VK_TOKEN, &vk_video(Some(-GROUP), None), &file.path)
        .await
        .expect_err("group ids are positive");

    assert!(matches!(error, PublishError::InvalidInput { .. }));
    assert!(fake.requests().is_empty());
}
