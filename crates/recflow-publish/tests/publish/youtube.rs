//! Resumable uploads, token refresh and playlist inserts against the fake YouTube.

use recflow_fakes::YoutubeFault;
use recflow_publish::{ChunkSize, MemorySessionStore, PublishError};

use crate::support::*;

/// Three full chunks and a short last one.
const SIZE: usize = 3 * CHUNK as usize + 1000;

/// The start offsets of the data chunks the fake saw, in order.
fn chunk_starts(fake: &recflow_fakes::FakeYoutube) -> Vec<u64> {
    fake.requests()
        .iter()
        .filter_map(|r| r.content_range.as_deref())
        .filter(|range| !range.starts_with("bytes */"))
        .filter_map(|range| {
            range
                .strip_prefix("bytes ")?
                .split('-')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[tokio::test]
async fn a_file_is_uploaded_in_several_chunks_and_becomes_one_video() {
    let (fake, uploader, access) = youtube().await;
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();

    let video = uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect("the upload succeeds");

    let videos = fake.videos();
    assert_eq!(videos.len(), 1);
    assert_eq!(video.video_id, videos[0].id);
    assert_eq!(
        video.url,
        format!("https://www.youtube.com/watch?v={}", videos[0].id)
    );
    assert_eq!(videos[0].content, file.content);
    assert_eq!(
        videos[0].resource["snippet"]["title"],
        "Weekly sync 2025-03-03"
    );
    assert_eq!(chunk_starts(&fake), vec![0, CHUNK, 2 * CHUNK, 3 * CHUNK]);
    assert!(
        store.uri().is_some(),
        "the session URI was saved before sending"
    );
}

#[tokio::test]
async fn a_503_mid_upload_resumes_from_the_offset_the_server_reports() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_after(1, 1, YoutubeFault::ServerError(503));
    let file = test_file(SIZE);

    uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload recovers");

    assert_eq!(fake.videos_created(), 1);
    assert_eq!(fake.videos()[0].content, file.content);
    assert_eq!(fake.sessions_started(), 1);
    assert_eq!(fake.status_queries(), 1);
    assert_eq!(
        chunk_starts(&fake),
        vec![0, CHUNK, CHUNK, 2 * CHUNK, 3 * CHUNK]
    );
}

#[tokio::test]
async fn bytes_the_server_did_not_persist_are_sent_again() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_next(1, YoutubeFault::PersistFewer(1000));
    let file = test_file(SIZE);

    uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload completes");

    assert_eq!(fake.videos()[0].content, file.content);
    assert_eq!(chunk_starts(&fake)[..2], [0, CHUNK - 1000]);
}

#[tokio::test]
async fn a_short_final_chunk_persisted_partly_is_completed() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_after(3, 1, YoutubeFault::PersistFewer(10));
    let file = test_file(SIZE);

    uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload completes");

    assert_eq!(fake.videos_created(), 1);
    assert_eq!(fake.videos()[0].content, file.content);
    assert_eq!(chunk_starts(&fake).last(), Some(&(SIZE as u64 - 10)));
}

#[tokio::test]
async fn an_expired_session_is_cleared_and_the_upload_starts_over() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_after(1, 1, YoutubeFault::ExpireSession);
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();

    uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect("the upload completes in a new session");

    assert_eq!(fake.sessions_started(), 2);
    assert_eq!(fake.videos_created(), 1);
    assert_eq!(fake.videos()[0].content, file.content);
    let saved = store.uri().expect("the new session is saved");
    let last_chunk = fake.requests().last().cloned().expect("requests were made");
    assert!(
        saved.ends_with(
            last_chunk
                .query
                .as_deref()
                .and_then(|q| q.split("upload_id=").nth(1))
                .expect("an upload id")
        )
    );
}

#[tokio::test]
async fn a_new_uploader_resumes_the_saved_session_instead_of_starting_over() {
    let (fake, _, _) = youtube().await;
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();
    fake.fail_after(2, 1, YoutubeFault::ServerError(503));
    let first = uploader(&fake, 1)
        .upload(&token_source(&fake), &metadata(), &file.path, &store)
        .await;
    assert!(
        first.is_err_and(|e| e.is_retryable()),
        "the first process gives up"
    );

    let saved = store.uri().expect("the session URI survives");
    let restarted = MemorySessionStore::with_uri(saved);
    let video = uploader(&fake, 5)
        .upload(&token_source(&fake), &metadata(), &file.path, &restarted)
        .await
        .expect("the second process finishes the upload");

    assert_eq!(fake.sessions_started(), 1);
    assert_eq!(fake.videos_created(), 1);
    assert_eq!(fake.videos()[0].id, video.video_id);
    assert_eq!(fake.videos()[0].content, file.content);
    assert_eq!(
        chunk_starts(&fake),
        vec![0, CHUNK, 2 * CHUNK, 2 * CHUNK, 3 * CHUNK]
    );
}

#[tokio::test]
async fn a_finished_session_yields_the_same_video_and_never_a_second_one() {
    let (fake, uploader, access) = youtube().await;
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();

    let first = uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect("the upload succeeds");
    let again = uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect("a rerun finds the finished session");

    assert_eq!(first, again);
    assert_eq!(fake.videos_created(), 1);
    assert_eq!(fake.sessions_started(), 1);
}

#[tokio::test]
async fn quota_exceeded_is_not_retried_and_says_when_it_clears() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_next(1, YoutubeFault::QuotaExceeded);
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();

    let error = uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect_err("the quota is used up");

    assert!(
        matches!(error, PublishError::QuotaExceeded { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(error.reason().contains("quota"));
    assert_eq!(fake.sessions_started(), 0);
    assert_eq!(store.uri(), None);
}

#[tokio::test]
async fn upload_limit_exceeded_on_initiate_is_not_retried() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_next(1, YoutubeFault::UploadLimitExceeded);
    let file = test_file(SIZE);

    let error = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect_err("the channel hit its upload cap");

    assert!(
        matches!(error, PublishError::UploadLimitExceeded { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(error.reason().contains("24 hours"));
    assert_eq!(
        fake.requests().iter().filter(|r| r.status == 400).count(),
        1
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_revoked_credentials_with_googles_words() {
    let (fake, uploader, access) = youtube().await;
    fake.revoke_refresh_token(REFRESH_TOKEN);
    let file = test_file(SIZE);

    let error = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect_err("the token is revoked");

    assert!(
        matches!(error, PublishError::RevokedCredentials { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("Token has been expired or revoked.")
    );
    assert!(!error.is_retryable());
    assert!(!format!("{error:?}").contains(REFRESH_TOKEN));
    assert_eq!(fake.sessions_started(), 0);
}

#[tokio::test]
async fn a_rejected_access_token_is_refreshed_once_and_the_call_repeated() {
    let (fake, uploader, access) = youtube().await;
    access.access_token().await.expect("a first token");
    fake.expire_access_tokens();
    let file = test_file(SIZE);

    uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload succeeds with a fresh token");

    assert_eq!(fake.token_requests(), 2);
    assert_eq!(fake.videos_created(), 1);
}

#[tokio::test]
async fn a_rate_limited_chunk_is_retried_after_a_status_query() {
    let (fake, uploader, access) = youtube().await;
    fake.fail_after(1, 2, YoutubeFault::RateLimitExceeded);
    let file = test_file(SIZE);

    uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload completes");

    assert_eq!(fake.status_queries(), 2);
    assert_eq!(fake.videos()[0].content, file.content);
}

#[tokio::test]
async fn persistent_server_errors_end_in_a_retryable_error_keeping_the_session() {
    let (fake, _, access) = youtube().await;
    fake.fail_after(1, 10, YoutubeFault::ServerError(503));
    let file = test_file(SIZE);
    let store = MemorySessionStore::new();

    let error = uploader(&fake, 3)
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect_err("the server keeps failing");

    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(fake.chunk_requests(), 4);
    assert!(store.uri().is_some());
    assert_eq!(fake.videos_created(), 0);
}

#[tokio::test]
async fn chunk_sizes_that_are_not_multiples_of_256_kib_are_refused_by_config() {
    let error = ChunkSize::new(300_000).expect_err("not a multiple of 256 KiB");

    assert!(matches!(error, PublishError::InvalidInput { .. }));
    assert!(error.reason().contains("256 KiB"));
}

#[tokio::test]
async fn an_empty_file_is_refused_before_any_request() {
    let (fake, uploader, access) = youtube().await;
    let file = test_file(0);

    let error = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect_err("nothing to upload");

    assert!(matches!(error, PublishError::InvalidInput { .. }));
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_video_still_processing_cannot_join_a_playlist_yet() {
    let (fake, uploader, access) = youtube().await;
    fake.add_playlist("PLweekly");
    fake.keep_videos_processing(true);
    let file = test_file(1000);
    let video = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload succeeds");

    let early = uploader
        .add_to_playlist(&access, &video.video_id, "PLweekly")
        .await
        .expect_err("the video is still processing");
    fake.finish_processing(&video.video_id);
    let later = uploader
        .add_to_playlist(&access, &video.video_id, "PLweekly")
        .await;

    assert!(matches!(early, PublishError::NotReady { .. }), "{early:?}");
    assert!(early.is_retryable());
    assert!(later.is_ok_and(|item| !item.is_empty()));
    assert_eq!(fake.playlist_items("PLweekly"), vec![video.video_id]);
}

#[tokio::test]
async fn a_playlist_lookup_finds_an_earlier_insert_of_the_same_video_only() {
    let (fake, uploader, access) = youtube().await;
    fake.add_playlist("PLweekly");
    let file = test_file(1000);
    let store = MemorySessionStore::new();
    let first = uploader
        .upload(&access, &metadata(), &file.path, &store)
        .await
        .expect("the first upload");
    let second = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the second upload");

    let before = uploader
        .playlist_item_of(&access, &first.video_id, "PLweekly")
        .await
        .expect("lookup");
    let item = uploader
        .add_to_playlist(&access, &first.video_id, "PLweekly")
        .await
        .expect("insert");
    let after = uploader
        .playlist_item_of(&access, &first.video_id, "PLweekly")
        .await
        .expect("lookup");
    let other = uploader
        .playlist_item_of(&access, &second.video_id, "PLweekly")
        .await
        .expect("lookup");
    let missing = uploader
        .playlist_item_of(&access, &first.video_id, "PLmissing")
        .await;

    assert_eq!(before, None);
    assert_eq!(after, Some(item));
    assert_eq!(other, None);
    assert!(missing.is_err_and(|e| !e.is_retryable()));
}

#[tokio::test]
async fn an_insert_whose_answer_was_lost_is_not_repeated() {
    let (fake, uploader, access) = youtube().await;
    fake.add_playlist("PLweekly");
    let file = test_file(1000);
    let video = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload succeeds");
    fake.fail_next(1, YoutubeFault::PlaylistInsertedThen503);

    let item = uploader
        .add_to_playlist(&access, &video.video_id, "PLweekly")
        .await;

    assert!(item.is_ok(), "{item:?}");
    assert_eq!(fake.playlist_items("PLweekly"), vec![video.video_id]);
}

#[tokio::test]
async fn an_unknown_playlist_is_a_fatal_error() {
    let (fake, uploader, access) = youtube().await;
    let file = test_file(1000);
    let video = uploader
        .upload(&access, &metadata(), &file.path, &MemorySessionStore::new())
        .await
        .expect("the upload succeeds");

    let error = uploader
        .add_to_playlist(&access, &video.video_id, "PLmissing")
        .await
        .expect_err("no such playlist");

    assert!(!error.is_retryable());
    assert!(error.to_string().contains("playlistNotFound"));
    assert!(fake.playlist_items("PLmissing").is_empty());
}
