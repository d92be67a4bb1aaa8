//! Turning a rendered title into a safe file name, and a preset's relative directory into
//! path components that cannot leave the outputs root. Pure functions, no I/O.

use std::path::PathBuf;

use crate::error::PublishError;

/// Bytes kept of a file name stem: room for an extension, a ` (999)` suffix and the temporary
/// name's prefix within the usual 255-byte limit.
const MAX_STEM_BYTES: usize = 200;
const MAX_EXTENSION_CHARS: usize = 10;
const FALLBACK_STEM: &str = "recording";

/// A file name stem without separators, NUL, control characters, `..` or leading dots, cut
/// to [`MAX_STEM_BYTES`] on a character boundary; never empty.
pub(crate) fn file_stem(rendered: &str) -> String {
    let replaced: String = rendered
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let mut stem = replaced;
    while stem.contains("..") {
        stem = stem.replace("..", ".");
    }
    let stem = stem
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let stem = cut_bytes(stem, MAX_STEM_BYTES).trim_end_matches(['.', ' ']);
    if stem.is_empty() {
        FALLBACK_STEM.to_owned()
    } else {
        stem.to_owned()
    }
}

/// The extension in lower case, ASCII letters and digits only (`".MP4"` → `"mp4"`).
pub(crate) fn extension(raw: &str) -> Result<String, PublishError> {
    let cleaned: String = raw
        .trim_start_matches('.')
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if cleaned.is_empty() || cleaned.len() > MAX_EXTENSION_CHARS {
        return Err(PublishError::invalid_input(format!(
            "{raw:?} is not a usable file extension"
        )));
    }
    Ok(cleaned)
}

/// The components of `relative_dir` (`/`-separated); refuses absolute paths, `..`, NUL and
/// control characters instead of guessing what was meant.
pub(crate) fn relative_dir(relative_dir: &str) -> Result<PathBuf, PublishError> {
    let refuse =
        |why: &str| PublishError::invalid_input(format!("output directory {relative_dir:?} {why}"));
    if relative_dir.starts_with('/') || relative_dir.starts_with('\\') {
        return Err(refuse("must be relative to the outputs root"));
    }
    let mut path = PathBuf::new();
    for component in relative_dir.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => return Err(refuse("may not contain '..'")),
            c if c.chars().any(|ch| ch == '\0' || ch.is_control()) => {
                return Err(refuse("contains control characters"));
            }
            c => path.push(c),
        }
    }
    Ok(path)
}

/// The name of the `attempt`-th candidate: `stem.ext`, then `stem (2).ext`, ...
pub(crate) fn candidate(stem: &str, extension: &str, attempt: u32) -> String {
    if attempt <= 1 {
        format!("{stem}.{extension}")
    } else {
        format!("{stem} ({attempt}).{extension}")
    }
}

fn cut_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_nul_and_control_characters_are_replaced() {
        assert_eq!(file_stem("a/b\\c\0d\ne"), "a_b_c_d_e");
    }

    #[test]
    fn leading_dots_and_double_dots_are_removed() {
        assert_eq!(file_stem("../../etc/passwd"), "_._etc_passwd");
        assert_eq!(file_stem(".hidden"), "hidden");
        assert_eq!(file_stem("..."), FALLBACK_STEM);
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        let stem = file_stem(&"ж".repeat(300));

        assert!(stem.len() <= MAX_STEM_BYTES);
        assert_eq!(stem.chars().count(), 100);
    }

    #[test]
    fn an_empty_name_gets_a_fallback() {
        assert_eq!(file_stem("   "), FALLBACK_STEM);
    }

    #[test]
    fn extensions_are_normalised_and_bad_ones_refused() {
        assert_eq!(extension(".MP4").ok().as_deref(), Some("mp4"));
        assert!(extension("").is_err());
        assert!(extension("../").is_err());
    }

    #[test]
    fn relative_dirs_may_not_escape() {
        assert_eq!(
            relative_dir("team/2025/").ok(),
            Some(PathBuf::from("team").join("2025"))
        );
        assert!(relative_dir("../outside").is_err());
        assert!(relative_dir("a/../../b").is_err());
        assert!(relative_dir("/etc").is_err());
    }

    #[test]
    fn candidates_count_from_two() {
        assert_eq!(candidate("talk", "mp4", 1), "talk.mp4");
        assert_eq!(candidate("talk", "mp4", 3), "talk (3).mp4");
    }
}
