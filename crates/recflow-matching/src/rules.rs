//! The matching rules of a template as a user writes them (SPEC §7): plain serde data with the
//! documented defaults and size limits. Checking and compiling the rules is `compiled`'s job;
//! nothing here looks at a recording.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Most entries accepted in one list of exact titles, keywords or source ids.
pub const MAX_RULES_PER_LIST: usize = 100;

/// Most entries accepted in `patterns` and in `exclude_patterns`; each compiled pattern may use
/// up to a megabyte, so this list is kept shorter than the others.
pub const MAX_PATTERNS_PER_LIST: usize = 20;

/// Longest exact title or keyword, in characters.
pub const MAX_RULE_TEXT_CHARS: usize = 300;

/// Longest regular expression, in characters.
pub const MAX_PATTERN_CHARS: usize = 500;

/// Which recordings a template wants.
///
/// A recording is taken when its source is allowed (`source_ids` empty or containing it), no
/// exclusion hits, and an exact title, keyword or pattern hits. A template with `source_ids`
/// and no title rules takes every recording of those sources that no exclusion rejects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(example = json!({
    "exact_matches": ["Weekly sync"],
    "keywords": ["standup"],
    "patterns": ["^Lecture \\d+"],
    "source_ids": [],
    "exclude_keywords": ["draft"],
    "exclude_patterns": [],
    "case_sensitive": false
}))]
pub struct MatchingRules {
    /// Titles that match when the whole title equals one of them (surrounding spaces ignored).
    #[schema(example = json!(["Weekly sync"]))]
    pub exact_matches: Vec<String>,
    /// Texts that match anywhere inside the title.
    #[schema(example = json!(["standup"]))]
    pub keywords: Vec<String>,
    /// Regular expressions (Rust `regex` syntax) searched anywhere in the title; anchor them
    /// with `^` and `$` to require a whole-title match.
    #[schema(example = json!(["^Lecture \\d+"]))]
    pub patterns: Vec<String>,
    /// Input sources this template accepts; empty means every source.
    pub source_ids: Vec<Uuid>,
    /// Texts that reject a recording when found in its title, whatever else matches.
    #[schema(example = json!(["draft"]))]
    pub exclude_keywords: Vec<String>,
    /// Regular expressions that reject a recording when found in its title.
    pub exclude_patterns: Vec<String>,
    /// Compare letters case-sensitively; off by default.
    #[schema(default = false)]
    pub case_sensitive: bool,
}

impl MatchingRules {
    /// Whether the template selects by title at all (an exact title, keyword or pattern).
    pub fn has_title_rules(&self) -> bool {
        !(self.exact_matches.is_empty() && self.keywords.is_empty() && self.patterns.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_their_defaults() {
        let rules: MatchingRules = serde_json::from_str(r#"{"keywords": ["standup"]}"#)
            .expect("a rules object with one field is valid JSON for the type");

        assert_eq!(rules.keywords, vec!["standup".to_owned()]);
        assert!(rules.exact_matches.is_empty());
        assert!(!rules.case_sensitive);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let parsed = serde_json::from_str::<MatchingRules>(r#"{"keyword": ["standup"]}"#);

        let message = parsed
            .expect_err("a misspelt field must not be ignored")
            .to_string();
        assert!(message.contains("unknown field `keyword`"), "{message}");
    }

    #[test]
    fn source_ids_alone_are_not_title_rules() {
        let rules = MatchingRules {
            source_ids: vec![Uuid::nil()],
            exclude_keywords: vec!["draft".into()],
            ..MatchingRules::default()
        };

        assert!(!rules.has_title_rules());
    }
}
