//! Publishing a finished file under its final name so that a crash leaves either the old
//! state or the complete new file, never a torn one.

use std::io;
use std::path::{Path, PathBuf};

/// Flushes `temporary` to disk, renames it to `target` and flushes the directory entry.
///
/// Both paths must be in the same directory (a rename across file systems is not atomic).
pub(crate) async fn publish(temporary: &Path, target: &Path) -> io::Result<()> {
    let temporary = temporary.to_path_buf();
    let target = target.to_path_buf();
    tokio::task::spawn_blocking(move || publish_blocking(&temporary, &target))
        .await
        .map_err(io::Error::other)?
}

fn publish_blocking(temporary: &Path, target: &Path) -> io::Result<()> {
    std::fs::File::open(temporary)?.sync_all()?;
    std::fs::rename(temporary, target)?;
    sync_directory(target)
}

/// Makes the rename itself durable; a no-op where directories cannot be opened (Windows).
fn sync_directory(file: &Path) -> io::Result<()> {
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if cfg!(unix) {
        std::fs::File::open(directory)?.sync_all()?;
    }
    Ok(())
}

/// A sibling of `target` that stays hidden and is obviously unfinished:
/// `dir/name.mp4` → `dir/.name.mp4.<suffix>`.
pub(crate) fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Deletes a temporary file when dropped, unless it was [`Self::keep`]-ed.
pub(crate) struct RemoveOnDrop {
    path: Option<PathBuf>,
}

impl RemoveOnDrop {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path: Some(path) }
    }

    /// The file has been renamed away or must survive; do not delete anything.
    pub(crate) fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Best effort: the file may never have been created.
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sibling_is_a_hidden_name_in_the_same_directory() {
        let path = sibling(Path::new("/data/rec/a.mp4"), "trimming");

        assert_eq!(path, Path::new("/data/rec/.a.mp4.trimming"));
    }

    #[tokio::test]
    async fn publish_replaces_the_target_with_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let temporary = dir.path().join(".out.tmp");
        let target = dir.path().join("out");
        std::fs::write(&temporary, b"new").unwrap();
        std::fs::write(&target, b"old").unwrap();

        publish(&temporary, &target).await.unwrap();

        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(!temporary.exists());
    }

    #[test]
    fn remove_on_drop_deletes_unless_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dropped = dir.path().join("dropped");
        let kept = dir.path().join("kept");
        std::fs::write(&dropped, b"x").unwrap();
        std::fs::write(&kept, b"x").unwrap();

        drop(RemoveOnDrop::new(dropped.clone()));
        RemoveOnDrop::new(kept.clone()).keep();

        assert!(!dropped.exists());
        assert!(kept.exists());
    }
}
