//! Runs ffmpeg-family programs with a timeout; the child dies with its future.

use std::ffi::OsStr;
use std::time::Duration;

use tokio::process::Command;

/// How much of stderr an error keeps.
const STDERR_TAIL_BYTES: usize = 2000;

/// Why a media tool failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start {program}; is ffmpeg installed?")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{program} took longer than {seconds} s and was stopped")]
    Timeout { program: String, seconds: u64 },
    #[error("{program} failed ({status}): {stderr_tail}")]
    Failed {
        program: String,
        status: String,
        stderr_tail: String,
    },
}

/// Runs `program args…`, returning stdout on success.
///
/// # Errors
/// When the program cannot start, exceeds `timeout` (it is killed) or exits non-zero.
#[tracing::instrument(skip_all, fields(media.program = program), err)]
pub async fn run<I, S>(program: &str, args: I, timeout: Duration) -> Result<Vec<u8>, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(timeout, child).await {
        Ok(result) => result.map_err(|source| Error::Spawn {
            program: program.to_owned(),
            source,
        })?,
        Err(_) => {
            return Err(Error::Timeout {
                program: program.to_owned(),
                seconds: timeout.as_secs(),
            });
        }
    };
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail_start = stderr.len().saturating_sub(STDERR_TAIL_BYTES);
    let tail_start = (tail_start..stderr.len())
        .find(|i| stderr.is_char_boundary(*i))
        .unwrap_or(0);
    Err(Error::Failed {
        program: program.to_owned(),
        status: output.status.to_string(),
        stderr_tail: stderr[tail_start..].trim().to_owned(),
    })
}
