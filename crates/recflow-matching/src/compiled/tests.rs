use chrono::Utc;
use uuid::Uuid;

use super::*;
use crate::rules::{
    MAX_PATTERN_CHARS, MAX_PATTERNS_PER_LIST, MAX_RULE_TEXT_CHARS, MAX_RULES_PER_LIST,
};

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|error| error.field.as_str()).collect()
}

#[test]
fn rules_with_one_keyword_are_valid() {
    let rules = MatchingRules {
        keywords: strings(&["standup"]),
        ..MatchingRules::default()
    };

    assert!(validate_matching_rules(&rules).is_empty());
}

#[test]
fn rules_with_nothing_to_match_are_rejected_as_a_whole() {
    let rules = MatchingRules {
        exclude_keywords: strings(&["draft"]),
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(fields(&errors), ["matching_rules"]);
    assert!(
        errors[0]
            .message
            .contains("at least one exact title, keyword or pattern")
    );
}

#[test]
fn source_ids_alone_are_enough() {
    let rules = MatchingRules {
        source_ids: vec![Uuid::nil()],
        ..MatchingRules::default()
    };

    assert!(validate_matching_rules(&rules).is_empty());
}

#[test]
fn a_bad_regex_is_reported_at_its_index() {
    let rules = MatchingRules {
        patterns: strings(&["^ok$", "fine", "(unclosed"]),
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(fields(&errors), ["matching_rules.patterns[2]"]);
    assert_eq!(
        errors[0].message,
        "invalid regular expression: unclosed group"
    );
}

#[test]
fn an_oversize_regex_is_reported_as_too_large() {
    let rules = MatchingRules {
        keywords: strings(&["ok"]),
        exclude_patterns: strings(&["(a{1000}){1000}"]),
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(fields(&errors), ["matching_rules.exclude_patterns[0]"]);
    assert!(
        errors[0].message.contains("too large once compiled"),
        "{}",
        errors[0].message
    );
}

#[test]
fn empty_and_blank_texts_are_rejected_in_every_list() {
    let rules = MatchingRules {
        exact_matches: strings(&[""]),
        keywords: strings(&["ok", "  "]),
        patterns: strings(&[""]),
        exclude_keywords: strings(&["\t"]),
        exclude_patterns: strings(&[" "]),
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(
        fields(&errors),
        [
            "matching_rules.exact_matches[0]",
            "matching_rules.keywords[1]",
            "matching_rules.patterns[0]",
            "matching_rules.exclude_keywords[0]",
            "matching_rules.exclude_patterns[0]",
        ]
    );
    assert!(
        errors
            .iter()
            .all(|e| e.message == "must not be empty or only spaces")
    );
}

#[test]
fn over_long_texts_are_rejected_with_their_length() {
    let rules = MatchingRules {
        keywords: vec!["é".repeat(MAX_RULE_TEXT_CHARS + 1)],
        patterns: vec!["a".repeat(MAX_PATTERN_CHARS + 1)],
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(
        fields(&errors),
        ["matching_rules.keywords[0]", "matching_rules.patterns[0]"]
    );
    assert_eq!(errors[0].message, "must be at most 300 characters, got 301");
}

#[test]
fn too_many_patterns_are_refused_without_compiling_them() {
    let rules = MatchingRules {
        patterns: vec!["(".to_owned(); MAX_PATTERNS_PER_LIST + 1],
        ..MatchingRules::default()
    };

    let errors = validate_matching_rules(&rules);

    assert_eq!(fields(&errors), ["matching_rules.patterns"]);
    assert_eq!(errors[0].message, "must have at most 20 entries, got 21");
}

#[test]
fn too_many_source_ids_are_refused() {
    let rules = MatchingRules {
        source_ids: vec![Uuid::nil(); MAX_RULES_PER_LIST + 1],
        ..MatchingRules::default()
    };

    assert_eq!(
        fields(&validate_matching_rules(&rules)),
        ["matching_rules.source_ids"]
    );
}

#[test]
fn compile_returns_the_same_errors_as_validation() {
    let rules = MatchingRules {
        patterns: strings(&["["]),
        ..MatchingRules::default()
    };

    let errors = CompiledTemplate::compile(Uuid::nil(), 0, Utc::now(), true, &rules)
        .expect_err("an invalid pattern cannot compile");

    assert_eq!(errors, validate_matching_rules(&rules));
}

#[test]
fn a_compiled_template_keeps_its_identity() {
    let rules = MatchingRules {
        keywords: strings(&["x"]),
        ..MatchingRules::default()
    };
    let created = Utc::now();

    let template = CompiledTemplate::compile(Uuid::from_u128(7), -3, created, false, &rules)
        .expect("valid rules")
        .with_name("Lectures");

    assert_eq!(template.id(), Uuid::from_u128(7));
    assert_eq!(template.priority(), -3);
    assert_eq!(template.created_at(), created);
    assert!(!template.is_active());
    assert_eq!(template.name(), Some("Lectures"));
}
