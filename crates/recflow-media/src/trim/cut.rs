//! Cutting the planned part out of a recording by stream copy, written under a temporary name
//! and renamed into place when complete.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::durable::{self, RemoveOnDrop};
use crate::process;
use crate::trim::{Container, Error, TrimPlan};

/// Fixed part of the cut's ffmpeg deadline: start-up and a slow disk.
const CUT_BASE_TIMEOUT: Duration = Duration::from_secs(120);
/// Stream copy is bound by the disk; this much per media second is a generous ceiling.
const CUT_SECONDS_PER_MEDIA_SECOND: f64 = 0.25;

/// Carries out `plan` on `input` and returns the path of the file to publish.
///
/// For [`TrimPlan::Cut`] the cut is written next to `output`, with `output`'s extension
/// replaced by the plan's [`Container`], and renamed into place when complete.
/// [`TrimPlan::Keep`] writes nothing and returns `input`.
///
/// # Errors
/// [`Error::EntirelySilent`] for [`TrimPlan::AllSilent`]; [`Error::Tool`] when ffmpeg cannot
/// read or cut the file (fatal, with its stderr tail); [`Error::Io`] when the result cannot be
/// put in place.
#[tracing::instrument(skip_all, fields(media.path = %input.display()), err)]
pub async fn apply(input: &Path, output: &Path, plan: &TrimPlan) -> Result<PathBuf, Error> {
    let (start, end, container) = match *plan {
        TrimPlan::Keep { .. } => return Ok(input.to_path_buf()),
        TrimPlan::AllSilent => return Err(Error::EntirelySilent),
        TrimPlan::Cut {
            start_seconds,
            end_seconds,
            container,
        } => (start_seconds, end_seconds, container),
    };

    let target = output.with_extension(container.extension());
    let temporary = durable::sibling(&target, "trimming");
    let cleanup = RemoveOnDrop::new(temporary.clone());

    let args = cut_args(input, &temporary, start, end, container);
    let timeout = CUT_BASE_TIMEOUT
        + Duration::from_secs_f64((end - start).max(0.0) * CUT_SECONDS_PER_MEDIA_SECOND);
    process::run("ffmpeg", &args, timeout).await?;

    durable::publish(&temporary, &target)
        .await
        .map_err(|source| Error::Io {
            path: target.clone(),
            source,
        })?;
    cleanup.keep();
    tracing::info!(media.output = %target.display(), media.start_s = start, media.end_s = end, "recording trimmed");
    Ok(target)
}

/// ffmpeg arguments for a stream-copied cut of `start..end` seconds into `container`.
fn cut_args(
    input: &Path,
    temporary: &Path,
    start: f64,
    end: f64,
    container: Container,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["-hide_banner", "-nostdin", "-loglevel", "error"]
        .into_iter()
        .map(Into::into)
        .collect();
    if start > 0.0 {
        args.extend(["-ss".into(), format!("{start:.3}").into()]);
    }
    args.extend(["-i".into(), input.as_os_str().to_owned()]);
    // A `-t` that reaches past the end is harmless, so the plan need not know the duration.
    args.extend(["-t".into(), format!("{:.3}", end - start).into()]);
    // Video and audio only: data and subtitle tracks often have no place in the other
    // container.
    // TODO: subtitle tracks are dropped from cut files; Zoom keeps captions in separate VTT
    // files, so nothing is lost for Zoom recordings today.
    let copy = [
        "-map",
        "0:v?",
        "-map",
        "0:a?",
        "-c",
        "copy",
        "-avoid_negative_ts",
        "make_zero",
        "-f",
    ];
    args.extend(copy.into_iter().map(Into::into));
    args.push(container.muxer().into());
    args.extend(container.muxer_args().iter().map(Into::into));
    args.extend(["-y".into(), temporary.as_os_str().to_owned()]);
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trim::KeepReason;

    #[test]
    fn a_cut_seeks_before_the_input_and_copies_streams() {
        let args = cut_args(
            Path::new("in.mp4"),
            Path::new(".out"),
            3.0,
            23.0,
            Container::Mp4,
        );

        let args: Vec<_> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let position = |flag: &str| args.iter().position(|a| a == flag).unwrap();
        assert!(position("-ss") < position("-i"));
        assert_eq!(args[position("-t") + 1], "20.000");
        assert_eq!(args[position("-c") + 1], "copy");
        assert_eq!(args[position("-f") + 1], "mp4");
        assert!(args.contains(&"+faststart".to_owned()));
    }

    #[test]
    fn a_cut_from_the_start_does_not_seek() {
        let args = cut_args(
            Path::new("in"),
            Path::new(".out"),
            0.0,
            10.0,
            Container::Matroska,
        );

        assert!(!args.iter().any(|a| a == "-ss"));
        assert!(args.iter().any(|a| a == "matroska"));
    }

    #[tokio::test]
    async fn keep_publishes_the_input_untouched() {
        let plan = TrimPlan::Keep {
            reason: KeepReason::NoSilence,
        };

        let path = apply(
            Path::new("/nowhere/in.mp4"),
            Path::new("/nowhere/out.mp4"),
            &plan,
        )
        .await
        .unwrap();

        assert_eq!(path, Path::new("/nowhere/in.mp4"));
    }

    #[tokio::test]
    async fn all_silent_is_a_fatal_error_a_person_can_read() {
        let error = apply(Path::new("in"), Path::new("out"), &TrimPlan::AllSilent)
            .await
            .unwrap_err();

        assert_eq!(error.to_string(), "the recording is entirely silent");
        assert!(!error.is_retryable());
    }
}
