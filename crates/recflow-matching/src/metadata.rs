//! How a template names what it publishes (SPEC §7 `metadata`): the title and description
//! templates and per-platform extras, with their save-time checks. Rendering them is
//! `render`'s job.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::render::check_template_text;

/// Longest title template, in characters. Titles are cut to 100–128 characters anyway; the
/// room is for `{% if %}` logic.
pub const TITLE_TEMPLATE_MAX_CHARS: usize = 500;

/// Longest description template, in characters.
pub const DESCRIPTION_TEMPLATE_MAX_CHARS: usize = 10_000;

/// What a published video is called and described as.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(example = json!({
    "title_template": "{{ title }} — {{ start | date }}",
    "description_template": "Recorded {{ start | format(\"%d.%m.%Y %H:%M\") }}, {{ duration_minutes }} min.",
    "youtube": null,
    "vk": null
}))]
pub struct Metadata {
    /// Template of the published title; absent means the recording's own title.
    pub title_template: Option<String>,
    /// Template of the published description, if the template sets one.
    pub description_template: Option<String>,
    /// Extra YouTube fields, as a JSON object.
    // TODO: SPEC §7 does not list the fields of `youtube` and `vk`; they are free-form JSON
    // objects until the upload code settles which overrides it reads.
    #[schema(value_type = Option<Object>)]
    pub youtube: Option<serde_json::Value>,
    /// Extra VK fields, as a JSON object.
    #[schema(value_type = Option<Object>)]
    pub vk: Option<serde_json::Value>,
}

/// Checks a template's metadata: both templates non-blank, within their length limits, parsing
/// and using only known variables (see [`check_template_text`]); `youtube` and `vk` JSON
/// objects when present. Paths start with `metadata`; an empty list means it can be saved.
pub fn validate_metadata(metadata: &Metadata) -> Vec<FieldError> {
    let templates = [
        (
            "title_template",
            &metadata.title_template,
            TITLE_TEMPLATE_MAX_CHARS,
        ),
        (
            "description_template",
            &metadata.description_template,
            DESCRIPTION_TEMPLATE_MAX_CHARS,
        ),
    ];
    let mut errors: Vec<FieldError> = templates
        .into_iter()
        .filter_map(|(name, text, max)| {
            let text = text.as_deref()?;
            check_template(text, &format!("metadata.{name}"), max).err()
        })
        .collect();

    for (name, extra) in [("youtube", &metadata.youtube), ("vk", &metadata.vk)] {
        if extra.as_ref().is_some_and(|value| !value.is_object()) {
            errors.push(FieldError::new(
                format!("metadata.{name}"),
                "must be a JSON object",
            ));
        }
    }
    errors
}

fn check_template(text: &str, field: &str, max_chars: usize) -> Result<(), FieldError> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        let message = "must not be empty; leave it out to keep the recording's own text";
        return Err(FieldError::new(field, message));
    }
    if chars > max_chars {
        let message = format!("must be at most {max_chars} characters, got {chars}");
        return Err(FieldError::new(field, message));
    }
    check_template_text(text, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn empty_metadata_is_valid() {
        assert!(validate_metadata(&Metadata::default()).is_empty());
    }

    #[test]
    fn templates_with_known_variables_are_valid() {
        let metadata = Metadata {
            title_template: Some("{{ title }} — {{ start | date }}".to_owned()),
            description_template: Some("{{ duration_minutes }} min, {{ source_name }}".to_owned()),
            youtube: Some(serde_json::json!({"tags": ["lecture"]})),
            vk: None,
        };

        assert!(validate_metadata(&metadata).is_empty());
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let metadata = Metadata {
            title_template: Some("{{ speaker }}".to_owned()),
            description_template: Some("{% if %}".to_owned()),
            youtube: Some(serde_json::json!(["not", "an", "object"])),
            vk: Some(serde_json::json!("nope")),
        };

        let errors = validate_metadata(&metadata);

        assert_eq!(
            fields(&errors),
            [
                "metadata.title_template",
                "metadata.description_template",
                "metadata.youtube",
                "metadata.vk"
            ]
        );
        assert!(
            errors[0].message.contains("\"speaker\""),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.starts_with("template does not parse"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn a_blank_title_template_is_rejected() {
        let metadata = Metadata {
            title_template: Some("  ".to_owned()),
            ..Metadata::default()
        };

        let errors = validate_metadata(&metadata);

        assert_eq!(fields(&errors), ["metadata.title_template"]);
        assert!(errors[0].message.starts_with("must not be empty"));
    }

    #[test]
    fn an_over_long_title_template_is_rejected_with_its_length() {
        let text = "x".repeat(TITLE_TEMPLATE_MAX_CHARS + 1);
        let metadata = Metadata {
            title_template: Some(text),
            ..Metadata::default()
        };

        let errors = validate_metadata(&metadata);

        assert_eq!(errors[0].message, "must be at most 500 characters, got 501");
    }

    #[test]
    fn unknown_metadata_fields_are_rejected() {
        let parsed = serde_json::from_str::<Metadata>(r#"{"title": "{{ title }}"}"#);

        assert!(parsed.is_err());
    }
}
