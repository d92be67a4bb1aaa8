//! Fitting rendered text to what each platform accepts (SPEC §7, `protocols/external-apis.md`):
//! YouTube titles ≤ 100 characters without `<` or `>`, descriptions ≤ 5000 bytes; VK names ≤ 128
//! characters, descriptions ≤ 5000 characters.
//!
//! Cuts fall between grapheme clusters (extended, UAX #29), so an accent is never separated
//! from its letter and an emoji sequence is kept whole or dropped whole. Length counts Unicode
//! scalar values, the usual meaning of "characters". YouTube's `<` and `>` become `‹` and `›`
//! (single guillemets): the text keeps its shape and its length. No ellipsis is added.
//!
//! TODO: whether YouTube counts a character outside the Basic Multilingual Plane (most emoji)
//! as one or as two (UTF-16 units) is not verified against the live API; a title of 60 emoji
//! passes our 100-character cut and might still be refused there.

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

/// Longest YouTube video title, in characters.
pub const YOUTUBE_TITLE_MAX_CHARS: usize = 100;

/// Longest YouTube video description, in UTF-8 bytes.
pub const YOUTUBE_DESCRIPTION_MAX_BYTES: usize = 5000;

/// Longest VK video name, in characters.
pub const VK_TITLE_MAX_CHARS: usize = 128;

/// Longest VK video description, in characters.
pub const VK_DESCRIPTION_MAX_CHARS: usize = 5000;

/// A platform that titles and descriptions are published to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// YouTube.
    Youtube,
    /// VK Video.
    Vk,
}

impl Platform {
    /// The longest title the platform accepts, in characters.
    pub fn title_max_chars(self) -> usize {
        match self {
            Platform::Youtube => YOUTUBE_TITLE_MAX_CHARS,
            Platform::Vk => VK_TITLE_MAX_CHARS,
        }
    }
}

/// Fits a rendered title to `platform`: one line (every run of whitespace or control
/// characters becomes one space, ends trimmed), `<`/`>` replaced on YouTube, then cut to the
/// platform's limit without splitting a grapheme, and trimmed again after the cut.
pub fn fit_title(text: &str, platform: Platform) -> String {
    let one_line = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let allowed = match platform {
        Platform::Youtube => replace_angle_brackets(&one_line),
        Platform::Vk => one_line,
    };
    truncate_chars(&allowed, platform.title_max_chars())
        .trim_end()
        .to_owned()
}

/// Fits a rendered description to `platform`: `<`/`>` replaced on YouTube and the text cut to
/// the platform's limit without splitting a grapheme. Line breaks are kept.
pub fn fit_description(text: &str, platform: Platform) -> String {
    match platform {
        Platform::Youtube => {
            let allowed = replace_angle_brackets(text);
            truncate_bytes(&allowed, YOUTUBE_DESCRIPTION_MAX_BYTES).to_owned()
        }
        Platform::Vk => truncate_chars(text, VK_DESCRIPTION_MAX_CHARS).to_owned(),
    }
}

/// The longest prefix of `text` with at most `max_chars` characters that ends on a grapheme
/// boundary. A grapheme that would cross the limit is left out whole.
pub fn truncate_chars(text: &str, max_chars: usize) -> &str {
    let mut chars = 0;
    let mut end = 0;
    for (start, grapheme) in text.grapheme_indices(true) {
        chars += grapheme.chars().count();
        if chars > max_chars {
            break;
        }
        end = start + grapheme.len();
    }
    &text[..end]
}

/// The longest prefix of `text` of at most `max_bytes` UTF-8 bytes that ends on a grapheme
/// boundary.
pub fn truncate_bytes(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let end = text
        .grapheme_indices(true)
        .map(|(start, grapheme)| start + grapheme.len())
        .take_while(|&end| end <= max_bytes)
        .last()
        .unwrap_or(0);
    &text[..end]
}

fn replace_angle_brackets(text: &str) -> String {
    text.replace('<', "‹").replace('>', "›")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_char_cut_is_a_prefix_within_the_limit(text in "\\PC{0,60}", max in 0usize..70) {
            let cut = truncate_chars(&text, max);

            prop_assert!(text.starts_with(cut));
            prop_assert!(cut.chars().count() <= max);
            if text.chars().count() <= max {
                prop_assert_eq!(cut, text.as_str());
            }
        }

        #[test]
        fn a_byte_cut_is_a_prefix_within_the_limit(text in "\\PC{0,60}", max in 0usize..200) {
            let cut = truncate_bytes(&text, max);

            prop_assert!(text.starts_with(cut));
            if text.len() <= max {
                prop_assert_eq!(cut, text.as_str());
            } else {
                prop_assert!(cut.len() <= max);
            }
        }

        #[test]
        fn a_fitted_youtube_title_is_one_line_without_angle_brackets(
            text in "[\\PC\n\r\t<>]{0,300}",
        ) {
            let title = fit_title(&text, Platform::Youtube);

            prop_assert!(title.chars().count() <= YOUTUBE_TITLE_MAX_CHARS);
            prop_assert!(!title.contains(['<', '>', '\n', '\r']));
            prop_assert_eq!(title.trim(), title.as_str());
        }
    }

    #[test]
    fn a_short_title_is_left_alone() {
        assert_eq!(fit_title("Weekly sync", Platform::Youtube), "Weekly sync");
    }

    #[test]
    fn youtube_titles_stop_at_100_characters_and_vk_at_128() {
        let long = "a".repeat(200);

        assert_eq!(fit_title(&long, Platform::Youtube).chars().count(), 100);
        assert_eq!(fit_title(&long, Platform::Vk).chars().count(), 128);
    }

    #[test]
    fn a_two_byte_letter_at_the_limit_is_kept_whole() {
        let title = format!("{}é", "a".repeat(99));

        let fitted = fit_title(&format!("{title}xyz"), Platform::Youtube);

        assert_eq!(fitted, title);
    }

    #[test]
    fn a_decomposed_accent_is_not_split_from_its_letter() {
        let title = format!("{}e\u{301}", "a".repeat(99));

        let fitted = truncate_chars(&title, 100);

        assert_eq!(
            fitted,
            "a".repeat(99),
            "e plus its accent is two characters; both go"
        );
    }

    #[test]
    fn an_emoji_crossing_the_limit_is_dropped_whole() {
        let family = "👨\u{200d}👩\u{200d}👧";
        let title = format!("{}{family}", "a".repeat(98));

        assert_eq!(truncate_chars(&title, 100), "a".repeat(98));
        assert_eq!(truncate_chars(&title, 103), title);
    }

    #[test]
    fn cjk_text_is_cut_at_exactly_the_limit() {
        let title = "会议记录".repeat(30);

        let fitted = fit_title(&title, Platform::Youtube);

        assert_eq!(fitted.chars().count(), 100);
        assert!(title.starts_with(&fitted));
    }

    #[test]
    fn youtube_titles_lose_angle_brackets_but_vk_titles_keep_them() {
        assert_eq!(fit_title("Q&A <live>", Platform::Youtube), "Q&A ‹live›");
        assert_eq!(fit_title("Q&A <live>", Platform::Vk), "Q&A <live>");
    }

    #[test]
    fn titles_become_one_line() {
        assert_eq!(
            fit_title("  Weekly\n\tsync \r\n 2026 ", Platform::Vk),
            "Weekly sync 2026"
        );
    }

    #[test]
    fn a_cut_does_not_leave_a_trailing_space() {
        let title = format!("{} next", "a".repeat(99));

        assert_eq!(fit_title(&title, Platform::Youtube), "a".repeat(99));
    }

    #[test]
    fn youtube_descriptions_are_cut_by_bytes_on_a_character_boundary() {
        let text = "é".repeat(3000);

        let fitted = fit_description(&text, Platform::Youtube);

        assert_eq!(fitted.len(), 5000);
        assert_eq!(fitted.chars().count(), 2500);
    }

    #[test]
    fn vk_descriptions_are_cut_by_characters_and_keep_line_breaks() {
        let text = "line\n".repeat(1200);

        let fitted = fit_description(&text, Platform::Vk);

        assert_eq!(fitted.chars().count(), 5000);
        assert!(fitted.contains('\n'));
    }

    #[test]
    fn platforms_serialize_in_snake_case() {
        let json =
            serde_json::to_string(&[Platform::Youtube, Platform::Vk]).expect("platforms serialize");

        assert_eq!(json, r#"["youtube","vk"]"#);
    }
}
