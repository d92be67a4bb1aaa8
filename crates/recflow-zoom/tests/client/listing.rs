//! Listing: month windows, paging, several segments, processing files, expired cursors.

use std::collections::HashSet;

use chrono::Duration;
use recflow_fakes::{FakeFile, FakeMeeting, Fault, Media};
use recflow_zoom::{Meeting, NoTokenStore};

use crate::support::*;

async fn list(zoom: &TestZoom, from: &str, to: &str) -> Vec<Meeting> {
    zoom.client
        .list_recordings("cred-1", &s2s(), &NoTokenStore, "me", day(from), day(to))
        .await
        .expect("listing works")
}

fn query_of(request: &recflow_fakes::SeenRequest) -> String {
    request.query.clone().unwrap_or_default()
}

#[tokio::test]
async fn a_three_month_range_is_asked_month_by_month_with_both_dates_and_page_size_300() {
    let zoom = start().await;
    for start in [
        "2025-01-15T10:00:00Z",
        "2025-02-15T10:00:00Z",
        "2025-03-15T10:00:00Z",
    ] {
        zoom.fake
            .add_meeting(FakeMeeting::new("Lecture", at(start)).mp4_segments(1, 1000));
    }

    let meetings = list(&zoom, "2025-01-01", "2025-03-31").await;

    let list_requests: Vec<_> = zoom
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/recordings"))
        .collect();
    assert_eq!(meetings.len(), 3);
    assert!(list_requests.len() >= 3);
    for request in &list_requests {
        let query = query_of(request);
        assert!(
            query.contains("from=2025-0") && query.contains("to=2025-0"),
            "{query}"
        );
        assert!(query.contains("page_size=300"), "{query}");
    }
    assert!(query_of(&list_requests[1]).contains("from=2025-02-01&to=2025-02-28"));
}

#[tokio::test]
async fn every_page_is_followed_to_the_last_one() {
    let zoom = start().await;
    zoom.fake
        .generate_meetings(650, at("2025-03-01T00:00:00Z"), Duration::minutes(60), 1000);

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    assert_eq!(meetings.len(), 650);
    assert_eq!(zoom.fake.list_calls(), 3);
    let uuids: HashSet<_> = meetings.iter().map(|m| &m.uuid).collect();
    assert_eq!(uuids.len(), 650);
}

#[tokio::test]
async fn an_expired_page_token_restarts_the_window_without_duplicates() {
    let zoom = start().await;
    zoom.fake
        .generate_meetings(700, at("2025-03-01T00:00:00Z"), Duration::minutes(30), 1000);
    zoom.fake.fail_next(1, Fault::ExpirePageToken);

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    let uuids: HashSet<_> = meetings.iter().map(|m| &m.uuid).collect();
    assert_eq!(meetings.len(), 700);
    assert_eq!(uuids.len(), 700);
    assert_eq!(
        zoom.fake.list_calls(),
        2 + 3,
        "two pages, then the window again from page one"
    );
}

#[tokio::test]
async fn a_page_token_expiring_twice_in_one_window_is_an_error() {
    let zoom = start().await;
    zoom.fake
        .generate_meetings(400, at("2025-03-01T00:00:00Z"), Duration::minutes(30), 1000);
    zoom.fake.fail_next(2, Fault::ExpirePageToken);

    let result = zoom
        .client
        .list_recordings(
            "cred-1",
            &s2s(),
            &NoTokenStore,
            "me",
            day("2025-03-01"),
            day("2025-03-31"),
        )
        .await;

    assert!(
        matches!(
            result,
            Err(recflow_zoom::ZoomError::Upstream { status: 400, .. })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_meeting_recorded_in_several_segments_keeps_every_mp4() {
    let zoom = start().await;
    let uuid = zoom.fake.add_meeting(
        FakeMeeting::new("Weekly sync", at("2025-03-03T09:00:00Z"))
            .duration_minutes(47)
            .mp4_segments(3, 5000),
    );

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    let segments = meetings[0].video_segments();
    let ids: HashSet<_> = segments.iter().filter_map(|s| s.id.clone()).collect();
    assert_eq!(meetings[0].uuid, uuid);
    assert_eq!(segments.len(), 3);
    assert_eq!(ids.len(), 3);
    assert!(
        segments
            .windows(2)
            .all(|pair| pair[0].recording_start < pair[1].recording_start)
    );
    assert!(segments.iter().all(|s| s.is_ready() && s.file_size == 5000));
}

#[tokio::test]
async fn files_still_processing_are_listed_but_not_ready() {
    let zoom = start().await;
    zoom.fake.add_meeting(
        FakeMeeting::new("Lecture 7", at("2025-03-28T16:00:00Z"))
            .file(FakeFile::processing())
            .file(FakeFile::m4a(Media::Bytes(vec![1; 10]))),
    );

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    let processing = meetings[0].processing_files();
    assert_eq!(processing.len(), 1);
    assert_eq!(processing[0].file_type, "");
    assert_eq!(processing[0].recording_end, None);
    assert!(meetings[0].files.iter().any(|f| f.is_ready()));
}

#[tokio::test]
async fn meetings_without_recording_files_have_no_files() {
    let zoom = start().await;
    zoom.fake.add_meeting(
        FakeMeeting::new("Too short", at("2025-03-05T08:00:00Z")).without_recording_files(),
    );

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    assert_eq!(meetings.len(), 1);
    assert!(meetings[0].files.is_empty());
}

#[tokio::test]
async fn only_meetings_started_inside_the_range_are_returned_oldest_first() {
    let zoom = start().await;
    for start in [
        "2025-02-28T23:59:00Z",
        "2025-03-10T10:00:00Z",
        "2025-03-02T10:00:00Z",
        "2025-04-01T00:00:00Z",
    ] {
        zoom.fake.add_meeting(FakeMeeting::new("m", at(start)));
    }

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    let starts: Vec<_> = meetings.iter().map(|m| m.start_time).collect();
    assert_eq!(
        starts,
        vec![at("2025-03-02T10:00:00Z"), at("2025-03-10T10:00:00Z")]
    );
}

#[tokio::test]
async fn trashed_meetings_are_not_listed() {
    let zoom = start().await;
    let kept = zoom
        .fake
        .add_meeting(FakeMeeting::new("kept", at("2025-03-02T10:00:00Z")));
    let trashed = zoom
        .fake
        .add_meeting(FakeMeeting::new("trashed", at("2025-03-03T10:00:00Z")));
    zoom.fake.trash_meeting(&trashed);

    let meetings = list(&zoom, "2025-03-01", "2025-03-31").await;

    assert_eq!(
        meetings.iter().map(|m| m.uuid.clone()).collect::<Vec<_>>(),
        vec![kept]
    );
}
