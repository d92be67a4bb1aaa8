//! The local-folder target: copy a processed recording under the outputs root with its
//! rendered name. The copy is written under a temporary name in the target directory, synced,
//! then linked into place, so readers never see half a file; an existing different file is
//! never replaced (the new one becomes `name (2).ext`), and an identical one is reused.

mod sanitize;

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use tracing::{info, instrument};

use crate::error::PublishError;

/// Candidate names tried before giving up (`name.ext` … `name (1000).ext`).
const MAX_CANDIDATES: u32 = 1000;

/// Copies `source` to `root/relative_dir/<file_name>.<extension>` and returns the final path.
///
/// `file_name` is the rendered name without extension; it is sanitized (no separators, NUL,
/// control characters, `..` or leading dots; length capped). If a different file already has
/// the name, ` (2)`, ` (3)`, … is appended; if the same content is already there (a rerun),
/// that path is returned without copying again.
///
/// # Errors
///
/// [`PublishError::InvalidInput`] when `relative_dir` is absolute, contains `..`, or resolves
/// outside `root` (through a symlink); [`PublishError::Io`] when reading or writing fails.
#[instrument(skip_all, fields(upstream.platform = "folder"), err)]
pub async fn publish_to_folder(
    root: &Path,
    relative_dir: &str,
    file_name: &str,
    extension: &str,
    source: &Path,
) -> Result<PathBuf, PublishError> {
    let dir = sanitize::relative_dir(relative_dir)?;
    let stem = sanitize::file_stem(file_name);
    let extension = sanitize::extension(extension)?;
    let (root, source) = (root.to_owned(), source.to_owned());
    let placed =
        tokio::task::spawn_blocking(move || place(&root, &dir, &stem, &extension, &source))
            .await
            .map_err(|error| {
                PublishError::io("finish copying", Path::new(""), io::Error::other(error))
            })??;
    info!(path = %placed.display(), "published to folder");
    Ok(placed)
}

fn place(
    root: &Path,
    dir: &Path,
    stem: &str,
    extension: &str,
    source: &Path,
) -> Result<PathBuf, PublishError> {
    let target_dir = inside_root(root, dir)?;
    let temp = target_dir.join(format!(".{stem}.{}.partial", rand::random::<u32>()));
    copy_synced(source, &temp)?;
    let placed = link_into_place(&temp, &target_dir, stem, extension, source);
    // The temporary name goes whether linking worked or not.
    let _ = fs::remove_file(&temp);
    let placed = placed?;
    sync_dir(&target_dir)?;
    Ok(placed)
}

/// Creates `root/dir` one component at a time, checking after each that, symlinks resolved,
/// it is still under `root`: nothing is ever created outside the root.
fn inside_root(root: &Path, dir: &Path) -> Result<PathBuf, PublishError> {
    let root = root
        .canonicalize()
        .map_err(|error| PublishError::io("open the outputs root", root, error))?;
    let mut current = root.clone();
    for component in dir.components() {
        current.push(component);
        match fs::create_dir(&current) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(PublishError::io("create the directory", &current, error)),
        }
        current = current
            .canonicalize()
            .map_err(|error| PublishError::io("resolve the directory", &current, error))?;
        if !current.starts_with(&root) || !current.is_dir() {
            return Err(PublishError::invalid_input(format!(
                "output directory {} leaves the outputs root or is not a directory",
                dir.display()
            )));
        }
    }
    Ok(current)
}

fn copy_synced(source: &Path, temp: &Path) -> Result<(), PublishError> {
    let mut from = File::open(source).map_err(|error| PublishError::io("open", source, error))?;
    let mut to = File::options()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(|error| PublishError::io("create", temp, error))?;
    io::copy(&mut from, &mut to).map_err(|error| PublishError::io("copy to", temp, error))?;
    to.sync_all()
        .map_err(|error| PublishError::io("sync", temp, error))
}

/// Gives `temp` the first free candidate name. A hard link never replaces an existing file,
/// so two publishers racing for one name cannot overwrite each other.
fn link_into_place(
    temp: &Path,
    dir: &Path,
    stem: &str,
    extension: &str,
    source: &Path,
) -> Result<PathBuf, PublishError> {
    for attempt in 1..=MAX_CANDIDATES {
        let target = dir.join(sanitize::candidate(stem, extension, attempt));
        if target.exists() {
            if same_content(&target, source)? {
                return Ok(target);
            }
            continue;
        }
        match fs::hard_link(temp, &target) {
            Ok(()) => return Ok(target),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            // Some file systems have no hard links; `exists` was checked just above.
            // TODO: this fallback can overwrite a file created in the instant between the check
            // and the rename; use renameat2(RENAME_NOREPLACE) where it exists.
            Err(_) => {
                fs::rename(temp, &target)
                    .map_err(|error| PublishError::io("rename into", &target, error))?;
                return Ok(target);
            }
        }
    }
    Err(PublishError::invalid_input(format!(
        "{MAX_CANDIDATES} files named like {stem:?} already exist"
    )))
}

fn same_content(existing: &Path, source: &Path) -> Result<bool, PublishError> {
    let read_len = |path: &Path| {
        fs::metadata(path)
            .map(|m| m.len())
            .map_err(|error| PublishError::io("inspect", path, error))
    };
    if read_len(existing)? != read_len(source)? {
        return Ok(false);
    }
    let open =
        |path: &Path| File::open(path).map_err(|error| PublishError::io("open", path, error));
    let (mut a, mut b) = (open(existing)?, open(source)?);
    let (mut buf_a, mut buf_b) = (vec![0_u8; 64 * 1024], vec![0_u8; 64 * 1024]);
    loop {
        let n = a
            .read(&mut buf_a)
            .map_err(|error| PublishError::io("read", existing, error))?;
        if n == 0 {
            return Ok(true);
        }
        b.read_exact(&mut buf_b[..n])
            .map_err(|error| PublishError::io("read", source, error))?;
        if buf_a[..n] != buf_b[..n] {
            return Ok(false);
        }
    }
}

/// Makes the new directory entry durable (Linux needs the directory synced after a link).
fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|error| PublishError::io("sync the directory", dir, error))
}
