use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::rules::MatchingRules;

mod cases;

const ZOOM: Uuid = Uuid::from_u128(0x5001);
const LOCAL: Uuid = Uuid::from_u128(0x5002);

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a fixed UTC time is never ambiguous")
}

fn recording(title: &str, source_id: Uuid) -> RecordingFacts {
    RecordingFacts {
        id: Uuid::from_u128(0xabc),
        source_id,
        title: title.to_owned(),
        start_time: epoch(),
        duration_seconds: 3600,
        meeting_id: None,
        source_name: if source_id == ZOOM { "Zoom" } else { "Local" }.to_owned(),
    }
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

/// An active template numbered `n`, created `n` minutes after the epoch.
fn template(n: u128, priority: i64, rules: MatchingRules) -> CompiledTemplate {
    let created = epoch() + Duration::minutes(i64::try_from(n).expect("small test numbers"));
    CompiledTemplate::compile(Uuid::from_u128(n), priority, created, true, &rules)
        .expect("test rules are valid")
}

fn keywords(words: &[&str]) -> MatchingRules {
    MatchingRules {
        keywords: strings(words),
        ..MatchingRules::default()
    }
}

#[test]
fn source_only_templates_match_every_recording_of_their_sources_in_the_full_matcher() {
    let templates = [template(
        1,
        0,
        MatchingRules {
            source_ids: vec![LOCAL],
            ..MatchingRules::default()
        },
    )];

    let hit = match_recording(&templates, &recording("Untitled", LOCAL));
    let miss = match_recording(&templates, &recording("Untitled", ZOOM));

    assert_eq!(hit.matched, Some(Uuid::from_u128(1)));
    assert_eq!(hit.rule.map(|rule| rule.kind), Some(MatchRuleKind::Source));
    assert!(hit.reason.contains("source \"Local\""), "{}", hit.reason);
    assert_eq!(miss.matched, None);
    assert!(
        miss.reason.contains("takes only other sources"),
        "{}",
        miss.reason
    );
}

#[test]
fn overlapping_templates_go_to_the_lowest_priority_number() {
    let templates = [
        template(1, 20, keywords(&["sync"])),
        template(2, 10, keywords(&["weekly"])),
        template(3, 30, keywords(&["weekly sync"])),
    ];

    let decision = match_recording(&templates, &recording("Weekly sync", ZOOM));

    assert_eq!(decision.matched, Some(Uuid::from_u128(2)));
    assert_eq!(
        decision.rule,
        Some(MatchRule::new(MatchRuleKind::Keyword, "weekly"))
    );
}

#[test]
fn equal_priorities_go_to_the_older_template_whatever_the_slice_order() {
    let newer = template(7, 5, keywords(&["sync"]));
    let older = template(3, 5, keywords(&["sync"]));

    let decision = match_recording(&[newer, older], &recording("Weekly sync", ZOOM));

    assert_eq!(decision.matched, Some(Uuid::from_u128(3)));
}

#[test]
fn equal_priority_and_creation_time_fall_back_to_the_smaller_id() {
    let created = epoch();
    let compile = |n| {
        CompiledTemplate::compile(Uuid::from_u128(n), 0, created, true, &keywords(&["sync"]))
            .expect("valid rules")
    };

    let decision = match_recording(&[compile(9), compile(4)], &recording("sync", ZOOM));

    assert_eq!(decision.matched, Some(Uuid::from_u128(4)));
}

#[test]
fn an_exclusion_passes_the_recording_to_the_next_template() {
    let templates = [
        template(
            1,
            0,
            MatchingRules {
                exclude_keywords: strings(&["draft"]),
                ..keywords(&["sync"])
            },
        ),
        template(2, 1, keywords(&["sync"])),
    ];

    let decision = match_recording(&templates, &recording("Sync draft", ZOOM));

    assert_eq!(decision.matched, Some(Uuid::from_u128(2)));
}

#[test]
fn inactive_templates_are_skipped() {
    let inactive =
        CompiledTemplate::compile(Uuid::from_u128(1), 0, epoch(), false, &keywords(&["sync"]))
            .expect("valid rules");
    let active = template(2, 9, keywords(&["sync"]));

    let decision = match_recording(&[inactive, active], &recording("sync", ZOOM));

    assert_eq!(decision.matched, Some(Uuid::from_u128(2)));
}

#[test]
fn an_inactive_template_still_explains_its_own_verdict() {
    let inactive =
        CompiledTemplate::compile(Uuid::from_u128(1), 0, epoch(), false, &keywords(&["sync"]))
            .expect("valid rules");

    let verdict = explain_template(&inactive, &recording("sync", ZOOM));

    assert!(verdict.matched);
}

#[test]
fn a_match_reason_names_the_rule_and_the_template() {
    let templates = [template(1, 0, keywords(&["standup"])).with_name("Daily")];

    let decision = match_recording(&templates, &recording("Team standup", ZOOM));

    assert_eq!(
        decision.reason,
        "matched keyword \"standup\" of template \"Daily\" (00000000-0000-0000-0000-000000000001)"
    );
}

#[test]
fn a_no_match_reason_lists_why_each_template_passed() {
    let templates = [
        template(
            1,
            0,
            MatchingRules {
                exclude_keywords: strings(&["draft"]),
                ..keywords(&["sync"])
            },
        )
        .with_name("Sync"),
        template(2, 1, keywords(&["retro"])),
    ];

    let decision = match_recording(&templates, &recording("sync draft", ZOOM));

    assert_eq!(decision.matched, None);
    assert_eq!(decision.rule, None);
    assert_eq!(
        decision.reason,
        "no active template matched: excluded by keyword \"draft\" in template \"Sync\" \
         (00000000-0000-0000-0000-000000000001); no rule of template \
         00000000-0000-0000-0000-000000000002 hit"
    );
}

#[test]
fn a_long_no_match_reason_is_summarised() {
    let templates: Vec<_> = (1..=15)
        .map(|n| template(n, 0, keywords(&["never"])))
        .collect();

    let decision = match_recording(&templates, &recording("sync", ZOOM));

    assert_eq!(decision.reason.matches("no rule of").count(), 10);
    assert!(
        decision
            .reason
            .ends_with("; and 5 more templates did not match"),
        "{}",
        decision.reason
    );
}

#[test]
fn no_templates_at_all_is_its_own_reason() {
    let decision = match_recording(&[], &recording("sync", ZOOM));

    assert_eq!(
        decision.reason,
        "no active template matched: there are no active templates"
    );
}

#[test]
fn a_decision_serializes_as_the_recording_match_object() {
    let templates = [template(1, 0, keywords(&["standup"]))];
    let decision = match_recording(&templates, &recording("standup", ZOOM));

    let json = serde_json::to_value(&decision).expect("decisions serialize");

    assert_eq!(json["template_id"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(
        json["rule"],
        serde_json::json!({"kind": "keyword", "value": "standup"})
    );
    assert!(json["reason"].is_string());
}

#[test]
fn a_verdict_for_an_excluded_recording_names_the_exclusion() {
    let rules = MatchingRules {
        exclude_patterns: strings(&["(?i)^wip"]),
        ..keywords(&["sync"])
    };

    let verdict = explain_template(&template(1, 0, rules), &recording("WIP sync", ZOOM));

    assert_eq!(verdict.reason, "excluded by pattern \"(?i)^wip\"");
    assert_eq!(verdict.rule, None);
}

proptest! {
    #[test]
    fn letter_case_never_changes_a_case_insensitive_verdict(
        title in "[a-zA-ZäöüÄÖÜßéÉçÇа-яА-ЯёЁ ]{0,30}",
        keyword in "[a-zäöüßéçа-яё]{1,3}",
    ) {
        let templates = [template(1, 0, keywords(&[&keyword]))];

        let lower = match_recording(&templates, &recording(&title.to_lowercase(), ZOOM));
        let upper = match_recording(&templates, &recording(&title.to_uppercase(), ZOOM));

        prop_assert_eq!(lower.matched, upper.matched);
    }
}
