//! The `<dest>.part` file a download grows in: kept across attempts so the next one can resume,
//! published under the final name only when complete.

use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};

use tokio::fs::{File, OpenOptions};
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use crate::durable;

/// Bytes gathered before a disk write; bounds the memory a download holds.
const WRITE_BUFFER_BYTES: usize = 1024 * 1024;

/// An open partial download, positioned at its end.
pub(crate) struct PartFile {
    path: PathBuf,
    file: BufWriter<File>,
    len: u64,
}

impl PartFile {
    /// The part file that belongs to `dest`: `dir/name` → `dir/name.part`.
    pub(crate) fn path_for(dest: &Path) -> PathBuf {
        let mut name = dest.as_os_str().to_owned();
        name.push(".part");
        PathBuf::from(name)
    }

    /// Opens (or creates) the part file at `path`, keeping what an earlier attempt wrote.
    pub(crate) async fn open(path: PathBuf) -> io::Result<PartFile> {
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .await?;
        let len = file.seek(SeekFrom::End(0)).await?;
        Ok(PartFile {
            path,
            file: BufWriter::with_capacity(WRITE_BUFFER_BYTES, file),
            len,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes held so far (written or buffered).
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Throws away what is held and starts again from byte 0.
    pub(crate) async fn restart(&mut self) -> io::Result<()> {
        self.file.flush().await?;
        self.file.get_mut().set_len(0).await?;
        self.file.seek(SeekFrom::Start(0)).await?;
        self.len = 0;
        Ok(())
    }

    /// Appends `bytes`.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes).await?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Hands buffered bytes to the OS, so a later attempt resumes after them.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        self.file.flush().await
    }

    /// Syncs the file and renames it to `dest`.
    pub(crate) async fn publish(mut self, dest: &Path) -> io::Result<()> {
        self.file.flush().await?;
        drop(self.file);
        durable::publish(&self.path, dest).await
    }

    /// Deletes the file: its content is known to be wrong and must not be resumed.
    pub(crate) async fn discard(self) -> io::Result<()> {
        drop(self.file);
        tokio::fs::remove_file(&self.path).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_file_sits_beside_the_destination() {
        assert_eq!(
            PartFile::path_for(Path::new("/data/rec.mp4")),
            Path::new("/data/rec.mp4.part")
        );
    }

    #[tokio::test]
    async fn reopening_continues_after_what_was_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.part");
        let mut first = PartFile::open(path.clone()).await.unwrap();
        first.write(b"hello ").await.unwrap();
        first.flush().await.unwrap();
        drop(first);

        let mut second = PartFile::open(path.clone()).await.unwrap();
        second.write(b"world").await.unwrap();
        second.publish(&dir.path().join("x")).await.unwrap();

        assert_eq!(std::fs::read(dir.path().join("x")).unwrap(), b"hello world");
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn restart_empties_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut part = PartFile::open(dir.path().join("y.part")).await.unwrap();
        part.write(b"stale bytes").await.unwrap();

        part.restart().await.unwrap();
        part.write(b"new").await.unwrap();
        part.publish(&dir.path().join("y")).await.unwrap();

        assert_eq!(std::fs::read(dir.path().join("y")).unwrap(), b"new");
    }
}
