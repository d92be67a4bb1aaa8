//! Template matching and title rendering for recflow (SPEC §7): the rules a template uses to
//! pick recordings, their validation, the matcher that assigns a recording to the first
//! template that wants it, and the sandboxed renderer for titles and descriptions. Pure and
//! I/O-free: no clock, no database, no logging; callers pass everything in.
//!
//! Use it in three steps: validate what a user saves ([`validate_matching_rules`],
//! [`validate_processing`], [`validate_metadata`]), compile each template once
//! ([`CompiledTemplate::compile`]), then call [`match_recording`] per recording and
//! [`render_title`] / [`render_description`] for the matched template.
//!
//! # Text comparison
//!
//! Titles and rule texts are compared in Unicode NFC, so a composed "é" equals "e" followed by a
//! combining accent. Without `case_sensitive`, both sides are also case-folded: each character
//! is lowercased with Unicode's default (non-Turkic) mapping, then `İ` (dotted capital I) folds
//! to a plain `i` (so "İstanbul" matches "istanbul"), `ß`/`ẞ` fold to "ss", final `ς` to `σ` and
//! long `ſ` to `s`. "ÄRZTE" therefore matches "ärzte" and "STRASSE" matches "Straße". Dotless
//! `ı` stays distinct from `i`. Patterns use the regex crate's case-insensitive flag (simple
//! Unicode case folding) and are searched in both the NFC title and the folded title, so the
//! extra folds above hold for patterns as far as a literal can express them.
//!
//! # Known gaps
//!
//! TODO: a pattern written with `ß` does not match a title spelled with "ss" (the regex crate
//! folds one character to one character); keywords and exact titles do match.

mod compiled;
mod facts;
mod fold;
mod matcher;
mod metadata;
mod processing;
mod render;
mod rules;
mod title;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

pub use compiled::{CompiledTemplate, validate_matching_rules};
pub use facts::RecordingFacts;
pub use matcher::{
    MatchDecision, MatchRule, MatchRuleKind, TemplateVerdict, explain_template, match_recording,
};
pub use metadata::{
    DESCRIPTION_TEMPLATE_MAX_CHARS, Metadata, TITLE_TEMPLATE_MAX_CHARS, validate_metadata,
};
pub use processing::{Processing, TrimSettings, validate_processing};
pub use render::{
    RenderError, RenderVars, TEMPLATE_VARIABLES, check_template_text, render, render_description,
    render_title,
};
pub use rules::{
    MAX_PATTERN_CHARS, MAX_PATTERNS_PER_LIST, MAX_RULE_TEXT_CHARS, MAX_RULES_PER_LIST,
    MatchingRules,
};
pub use title::{
    Platform, VK_DESCRIPTION_MAX_CHARS, VK_TITLE_MAX_CHARS, YOUTUBE_DESCRIPTION_MAX_BYTES,
    YOUTUBE_TITLE_MAX_CHARS, fit_description, fit_title, truncate_bytes, truncate_chars,
};

/// One problem with one field of a template, ready for a 422 answer.
///
/// `field` is a path from the template object, such as `matching_rules.patterns[2]`,
/// `processing.trim.min_silence_seconds` or `metadata.title_template`; `message` is written for
/// the person who typed the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Path of the offending field from the template object.
    #[schema(example = "matching_rules.patterns[2]")]
    pub field: String,
    /// What is wrong, in words for the person who wrote the value.
    #[schema(example = "invalid regular expression: unclosed group")]
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn api_types_publish_schemas_with_examples() {
        let schemas = [
            (
                "MatchingRules",
                serde_json::to_value(MatchingRules::schema()),
            ),
            ("TrimSettings", serde_json::to_value(TrimSettings::schema())),
            ("Metadata", serde_json::to_value(Metadata::schema())),
            (
                "MatchDecision",
                serde_json::to_value(MatchDecision::schema()),
            ),
            (
                "TemplateVerdict",
                serde_json::to_value(TemplateVerdict::schema()),
            ),
            ("MatchRule", serde_json::to_value(MatchRule::schema())),
        ];

        for (name, schema) in schemas {
            let schema = schema.expect("schemas serialize to JSON");
            let example = schema.get("examples").or_else(|| schema.get("example"));
            assert!(example.is_some(), "{name} has no example: {schema}");
        }
    }

    #[test]
    fn a_field_error_displays_its_path_first() {
        let error = FieldError::new("matching_rules.keywords[0]", "must not be empty");

        assert_eq!(
            error.to_string(),
            "matching_rules.keywords[0]: must not be empty"
        );
    }
}
