//! The folder target on a temporary outputs root.

use std::fs;
use std::path::Path;

use recflow_publish::{PublishError, publish_to_folder};

use crate::support::test_file;

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the directory exists")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_file_is_copied_under_its_rendered_name_and_no_temporary_file_remains() {
    let root = tempfile::tempdir().expect("a root");
    let source = test_file(70_000);

    let placed = publish_to_folder(root.path(), "team/2025", "Weekly sync", "mp4", &source.path)
        .await
        .expect("the copy succeeds");

    let dir = root.path().join("team").join("2025");
    assert_eq!(
        placed,
        dir.canonicalize().expect("exists").join("Weekly sync.mp4")
    );
    assert_eq!(fs::read(&placed).expect("readable"), source.content);
    assert_eq!(names_in(&dir), vec!["Weekly sync.mp4"]);
}

#[tokio::test]
async fn an_existing_different_file_is_kept_and_the_new_one_numbered() {
    let root = tempfile::tempdir().expect("a root");
    fs::write(root.path().join("talk.mp4"), b"someone else's file").expect("written");
    let source = test_file(1000);

    let placed = publish_to_folder(root.path(), "", "talk", ".MP4", &source.path)
        .await
        .expect("the copy succeeds");

    assert_eq!(
        placed.file_name().and_then(|n| n.to_str()),
        Some("talk (2).mp4")
    );
    assert_eq!(
        fs::read(root.path().join("talk.mp4")).expect("still there"),
        b"someone else's file"
    );
    assert_eq!(fs::read(&placed).expect("readable"), source.content);
}

#[tokio::test]
async fn publishing_the_same_file_again_reuses_the_existing_copy() {
    let root = tempfile::tempdir().expect("a root");
    let source = test_file(1000);

    let first = publish_to_folder(root.path(), "out", "talk", "mp4", &source.path).await;
    let second = publish_to_folder(root.path(), "out", "talk", "mp4", &source.path).await;

    assert_eq!(first.expect("first copy"), second.expect("second call"));
    assert_eq!(names_in(&root.path().join("out")), vec!["talk.mp4"]);
}

#[tokio::test]
async fn directories_outside_the_root_are_refused() {
    let root = tempfile::tempdir().expect("a root");
    let outside = tempfile::tempdir().expect("another directory");
    std::os::unix::fs::symlink(outside.path(), root.path().join("link")).expect("symlink");
    let source = test_file(10);

    let dotdot = publish_to_folder(root.path(), "../escape", "x", "mp4", &source.path).await;
    let absolute = publish_to_folder(root.path(), "/tmp", "x", "mp4", &source.path).await;
    let via_link = publish_to_folder(root.path(), "link/inner", "x", "mp4", &source.path).await;

    for result in [dotdot, absolute, via_link] {
        assert!(
            matches!(result, Err(PublishError::InvalidInput { .. })),
            "{result:?}"
        );
    }
    assert_eq!(names_in(outside.path()), Vec::<String>::new());
}

#[tokio::test]
async fn hostile_file_names_are_sanitized_and_stay_in_the_directory() {
    let root = tempfile::tempdir().expect("a root");
    let source = test_file(10);

    let placed = publish_to_folder(
        root.path(),
        "out",
        "../../etc/pass\0wd\n",
        "mp4",
        &source.path,
    )
    .await
    .expect("the copy succeeds");

    let out = root.path().join("out").canonicalize().expect("exists");
    assert_eq!(placed.parent(), Some(out.as_path()));
    assert_eq!(
        placed.file_name().and_then(|n| n.to_str()),
        Some("_._etc_pass_wd_.mp4")
    );
}

#[tokio::test]
async fn a_missing_source_is_an_io_error() {
    let root = tempfile::tempdir().expect("a root");

    let error = publish_to_folder(root.path(), "out", "x", "mp4", &root.path().join("missing"))
        .await
        .expect_err("nothing to copy");

    assert!(matches!(error, PublishError::Io { .. }), "{error:?}");
    assert_eq!(names_in(&root.path().join("out")), Vec::<String>::new());
}
