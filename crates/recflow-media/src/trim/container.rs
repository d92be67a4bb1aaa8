//! Which container a stream-copied cut is written to, decided from ffprobe's codec names.
//!
//! MP4 is what upload targets expect, so it wins whenever it can hold every stream; Matroska
//! holds anything and is the fallback.

use crate::probe::MediaInfo;

/// Video codecs (ffprobe names) that ffmpeg's MP4 muxer stores without `-strict` flags.
const MP4_VIDEO: &[&str] = &["h264", "hevc", "mpeg4", "av1", "vp9"];
/// Audio codecs (ffprobe names) that ffmpeg's MP4 muxer stores without `-strict` flags.
const MP4_AUDIO: &[&str] = &["aac", "mp3", "alac", "ac3", "eac3", "opus"];

/// An output container for a trimmed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// MP4 with video (`.mp4`).
    Mp4,
    /// MP4 with audio only (`.m4a`).
    M4a,
    /// Matroska (`.mkv`), for codecs MP4 cannot hold.
    Matroska,
}

impl Container {
    /// The container that holds `info`'s audio and video codecs as they are.
    pub fn for_media(info: &MediaInfo) -> Container {
        let video_fits = info
            .video_codec
            .as_deref()
            .is_none_or(|codec| MP4_VIDEO.contains(&codec));
        let audio_fits = info
            .audio_codec
            .as_deref()
            .is_none_or(|codec| MP4_AUDIO.contains(&codec));

        match (video_fits && audio_fits, info.has_video) {
            (true, true) => Container::Mp4,
            (true, false) => Container::M4a,
            (false, _) => Container::Matroska,
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Mp4 => "mp4",
            Container::M4a => "m4a",
            Container::Matroska => "mkv",
        }
    }

    /// ffmpeg's muxer name (`-f`), given explicitly because temporary names have no
    /// meaningful extension.
    pub(crate) fn muxer(self) -> &'static str {
        match self {
            Container::Mp4 | Container::M4a => "mp4",
            Container::Matroska => "matroska",
        }
    }

    /// Muxer options: MP4 gets its index moved to the front so players can start streaming.
    pub(crate) fn muxer_args(self) -> &'static [&'static str] {
        // TODO: `+faststart` rewrites the whole output once more (about a fifth of the copy
        // time in BENCHMARKS.md); reserving room for the index up front (`-moov_size`) would
        // avoid that.
        match self {
            Container::Mp4 | Container::M4a => &["-movflags", "+faststart"],
            Container::Matroska => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(video: Option<&str>, audio: Option<&str>) -> MediaInfo {
        MediaInfo {
            duration_seconds: 10.0,
            has_audio: audio.is_some(),
            has_video: video.is_some(),
            format_name: String::new(),
            audio_codec: audio.map(str::to_owned),
            video_codec: video.map(str::to_owned),
        }
    }

    #[test]
    fn zoom_video_stays_mp4() {
        assert_eq!(
            Container::for_media(&media(Some("h264"), Some("aac"))),
            Container::Mp4
        );
    }

    #[test]
    fn zoom_audio_only_becomes_m4a() {
        assert_eq!(
            Container::for_media(&media(None, Some("aac"))),
            Container::M4a
        );
    }

    #[test]
    fn codecs_mp4_cannot_hold_fall_back_to_matroska() {
        assert_eq!(
            Container::for_media(&media(Some("h264"), Some("pcm_s16le"))),
            Container::Matroska
        );
        assert_eq!(
            Container::for_media(&media(Some("vp8"), Some("vorbis"))),
            Container::Matroska
        );
    }

    #[test]
    fn only_mp4_gets_faststart() {
        assert!(Container::Mp4.muxer_args().contains(&"+faststart"));
        assert!(Container::Matroska.muxer_args().is_empty());
    }
}
