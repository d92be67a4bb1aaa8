//! The video resource sent when an upload starts, cut to YouTube's limits (title 100
//! characters without `<` or `>`, description 5000 bytes) so a long rendered title never fails
//! the upload.

use serde_json::{Value, json};

/// Who may watch the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Privacy {
    Private,
    #[default]
    Unlisted,
    Public,
}

impl Privacy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Unlisted => "unlisted",
            Self::Public => "public",
        }
    }
}

/// Title, description and settings of the video to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoMetadata {
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    /// YouTube category, "27" (Education) by default in presets.
    pub category_id: String,
    pub privacy: Privacy,
    pub made_for_kids: bool,
}

const MAX_TITLE_CHARS: usize = 100;
const MAX_DESCRIPTION_BYTES: usize = 5000;

impl VideoMetadata {
    /// The `videos.insert` body for `part=snippet,status`.
    pub(crate) fn to_resource(&self) -> Value {
        json!({
            "snippet": {
                "title": clean_title(&self.title),
                "description": cut_bytes(&self.description, MAX_DESCRIPTION_BYTES),
                "tags": self.tags,
                "categoryId": self.category_id,
            },
            "status": {
                "privacyStatus": self.privacy.as_str(),
                "selfDeclaredMadeForKids": self.made_for_kids,
            },
        })
    }
}

fn clean_title(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '<' => '(',
            '>' => ')',
            other => other,
        })
        .take(MAX_TITLE_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    // YouTube rejects an empty title (invalidTitle).
    if trimmed.is_empty() {
        "Recording".to_owned()
    } else {
        trimmed.to_owned()
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

    fn metadata(title: &str, description: &str) -> VideoMetadata {
        VideoMetadata {
            title: title.into(),
            description: description.into(),
            tags: vec!["meeting".into()],
            category_id: "27".into(),
            privacy: Privacy::Unlisted,
            made_for_kids: false,
        }
    }

    #[test]
    fn titles_are_cut_to_100_characters_without_angle_brackets() {
        let long = "я".repeat(150);

        let resource = metadata(&format!("<b>{long}"), "").to_resource();
        let title = resource["snippet"]["title"].as_str().expect("title");

        assert_eq!(title.chars().count(), 100);
        assert!(title.starts_with("(b)"));
        assert_eq!(resource["status"]["privacyStatus"], "unlisted");
    }

    #[test]
    fn descriptions_are_cut_to_5000_bytes_on_a_character_boundary() {
        let resource = metadata("t", &"ё".repeat(3000)).to_resource();
        let description = resource["snippet"]["description"].as_str().expect("text");

        assert!(description.len() <= 5000);
        assert_eq!(description.chars().count(), 2500);
    }

    #[test]
    fn an_empty_title_gets_a_placeholder() {
        let resource = metadata("  ", "").to_resource();

        assert_eq!(resource["snippet"]["title"], "Recording");
    }
}
