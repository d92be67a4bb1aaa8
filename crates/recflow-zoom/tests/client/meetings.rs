//! Per-meeting lookups: UUIDs with `/` and `//` reach the meeting only when double-encoded.

use recflow_fakes::FakeMeeting;
use recflow_zoom::{NoTokenStore, encode_uuid_path};

use crate::support::*;

const AWKWARD_UUIDS: [&str; 3] = [
    "/xY7zq//Pb2QmuoKj4854875==",
    "ab//cd+ef==",
    "kq8Uy1y2TmS0pZ3Xw9AbCQ==",
];

#[tokio::test]
async fn uuids_with_slashes_are_double_encoded_and_found() {
    let zoom = start().await;
    for uuid in AWKWARD_UUIDS {
        zoom.fake.add_meeting(
            FakeMeeting::new("Weekly sync", at("2025-03-10T09:00:00Z"))
                .uuid(uuid)
                .mp4_segments(1, 10),
        );
    }

    for uuid in AWKWARD_UUIDS {
        let meeting = zoom
            .client
            .get_meeting_recordings("cred-1", &s2s(), &NoTokenStore, uuid)
            .await
            .unwrap_or_else(|e| panic!("{uuid} not found: {e}"));
        assert_eq!(meeting.uuid, uuid);
    }
    let paths: Vec<_> = zoom
        .fake
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/v2/meetings/"))
        .collect();
    assert!(paths.contains(&format!(
        "/v2/meetings/{}/recordings",
        encode_uuid_path(AWKWARD_UUIDS[0])
    )));
    assert!(paths[0].starts_with("/v2/meetings/%252F"), "{paths:?}");
}

#[tokio::test]
async fn a_unknown_meeting_is_not_found_and_not_retryable() {
    let zoom = start().await;

    let error = zoom
        .client
        .get_meeting_recordings("cred-1", &s2s(), &NoTokenStore, "missing==")
        .await
        .expect_err("no such meeting");

    assert!(error.is_not_found());
    assert!(!error.is_retryable());
    assert!(matches!(
        error,
        recflow_zoom::ZoomError::Upstream {
            code: Some(3301),
            ..
        }
    ));
}

#[tokio::test]
async fn a_numeric_meeting_id_finds_the_latest_instance() {
    let zoom = start().await;
    zoom.fake.add_meeting(
        FakeMeeting::new("Weekly", at("2025-03-03T09:00:00Z"))
            .meeting_id(81234567890)
            .uuid("old=="),
    );
    zoom.fake.add_meeting(
        FakeMeeting::new("Weekly", at("2025-03-10T09:00:00Z"))
            .meeting_id(81234567890)
            .uuid("new=="),
    );

    let meeting = zoom
        .client
        .get_meeting_recordings("cred-1", &s2s(), &NoTokenStore, "81234567890")
        .await
        .expect("found");

    assert_eq!(meeting.uuid, "new==");
}
