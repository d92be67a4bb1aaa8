//! The only door to ffmpeg and ffprobe: every run has a deadline, the child is killed when its
//! future is dropped or the deadline passes, and a failure keeps the tail of stderr.
//!
//! Nothing here knows about media; callers build the arguments and read the output.

use std::ffi::OsStr;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// How much of stderr an error keeps: enough for ffmpeg's last few lines.
const STDERR_TAIL_BYTES: usize = 2048;

/// Why a tool run failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The program could not be started or its pipes could not be read.
    #[error("cannot run {program}; is it installed?")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    /// The program ran past its deadline and was killed.
    #[error("{program} took longer than {} s and was stopped", after.as_secs_f64())]
    Timeout { program: String, after: Duration },
    /// The program ran and exited unsuccessfully.
    #[error("{program} failed ({status}): {stderr_tail}")]
    Failed {
        program: String,
        status: String,
        /// The last ~2 KB of stderr, cut on a character boundary.
        stderr_tail: String,
    },
}

impl Error {
    /// Whether running again later may succeed: a start failure or a timeout may be the
    /// machine's state, while an unsuccessful exit is a verdict on the input.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Spawn { .. } | Error::Timeout { .. })
    }

    /// The tail of the program's stderr, when it ran and failed.
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            Error::Failed { stderr_tail, .. } => Some(stderr_tail),
            _ => None,
        }
    }
}

/// What a successful run printed.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub stdout: Vec<u8>,
    /// All of stderr, lossily decoded; ffmpeg reports filter results (silencedetect) here.
    pub stderr: String,
}

/// Runs `program args…` with no stdin and returns what it printed.
///
/// Output is collected in memory, which suits ffprobe's JSON and ffmpeg run with
/// `-loglevel error` or `-nostats`.
///
/// # Errors
/// [`Error::Spawn`] when the program cannot start, [`Error::Timeout`] when it exceeds `timeout`
/// (it is killed), [`Error::Failed`] when it exits non-zero.
#[tracing::instrument(skip_all, fields(media.program = program, media.timeout_s = timeout.as_secs()), err)]
pub async fn run<I, S>(program: &str, args: I, timeout: Duration) -> Result<Output, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    // TODO: stderr is held whole in memory; a damaged file that makes ffmpeg warn on every
    // packet can make it grow to tens of megabytes before the run ends.
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();

    // Dropping the `output()` future on timeout drops the child, and kill_on_drop kills it.
    let output = tokio::time::timeout(timeout, child)
        .await
        .map_err(|_| Error::Timeout {
            program: program.to_owned(),
            after: timeout,
        })?
        .map_err(|source| Error::Spawn {
            program: program.to_owned(),
            source,
        })?;

    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(Error::Failed {
            program: program.to_owned(),
            status: output.status.to_string(),
            stderr_tail: tail(&stderr, STDERR_TAIL_BYTES).trim().to_owned(),
        });
    }
    Ok(Output {
        stdout: output.stdout,
        stderr,
    })
}

/// The last `max_bytes` (or fewer) of `text`, starting on a character boundary.
fn tail(text: &str, max_bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(max_bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_short_text_whole() {
        assert_eq!(tail("short", 2048), "short");
    }

    #[test]
    fn tail_never_splits_a_character() {
        let text = "ж".repeat(10); // two bytes each

        let kept = tail(&text, 5);

        assert_eq!(kept, "жж");
    }

    #[tokio::test]
    async fn success_returns_stdout_and_stderr() {
        let output = run(
            "sh",
            ["-c", "echo out; echo err >&2"],
            Duration::from_secs(5),
        )
        .await
        .unwrap();

        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, "err\n");
    }

    #[tokio::test]
    async fn failure_is_fatal_and_keeps_only_the_stderr_tail() {
        let script = "head -c 10000 /dev/zero | tr '\\0' a >&2; echo LAST >&2; exit 3";

        let error = run("sh", ["-c", script], Duration::from_secs(5))
            .await
            .unwrap_err();

        let stderr_tail = error.stderr_tail().unwrap();
        assert!(stderr_tail.ends_with("LAST"));
        assert!(stderr_tail.len() <= STDERR_TAIL_BYTES);
        assert!(!error.is_retryable());
    }

    #[tokio::test]
    async fn a_slow_program_is_stopped_and_retryable() {
        let started = std::time::Instant::now();

        let error = run("sleep", ["30"], Duration::from_millis(200))
            .await
            .unwrap_err();

        assert!(matches!(error, Error::Timeout { .. }));
        assert!(error.is_retryable());
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_timed_out_program_is_killed_not_left_running() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("still-alive");
        let script = format!("sleep 1; touch '{}'", marker.display());

        let result = run("sh", ["-c", &script], Duration::from_millis(100)).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;

        assert!(result.is_err());
        assert!(!marker.exists(), "the child outlived its deadline");
    }

    #[tokio::test]
    async fn a_missing_program_is_a_retryable_spawn_error() {
        let error = run("recflow-no-such-program", ["x"], Duration::from_secs(5))
            .await
            .unwrap_err();

        assert!(matches!(error, Error::Spawn { .. }));
        assert!(error.is_retryable());
    }
}
