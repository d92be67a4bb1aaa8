//! The single-template table: how one template's rules judge one title, case by case.

use uuid::Uuid;

use super::*;

struct Case {
    name: &'static str,
    rules: MatchingRules,
    title: &'static str,
    source: Uuid,
    expected: Option<(MatchRuleKind, &'static str)>,
}

fn single_template_cases() -> Vec<Case> {
    use MatchRuleKind::{Exact, Keyword, Pattern, Source};
    let exact = |t: &[&str]| MatchingRules {
        exact_matches: strings(t),
        ..MatchingRules::default()
    };
    let pattern = |p: &[&str]| MatchingRules {
        patterns: strings(p),
        ..MatchingRules::default()
    };
    let sensitive = |rules: MatchingRules| MatchingRules {
        case_sensitive: true,
        ..rules
    };
    let case = |name, rules, title, expected| Case {
        name,
        rules,
        title,
        source: ZOOM,
        expected,
    };

    vec![
        case(
            "keyword is a substring",
            keywords(&["standup"]),
            "Daily standup #4",
            Some((Keyword, "standup")),
        ),
        case(
            "keyword ignores case",
            keywords(&["STANDUP"]),
            "daily standup",
            Some((Keyword, "STANDUP")),
        ),
        case(
            "keyword misses",
            keywords(&["retro"]),
            "Daily standup",
            None,
        ),
        case(
            "umlauts fold",
            keywords(&["ärzte"]),
            "ÄRZTE-Fortbildung",
            Some((Keyword, "ärzte")),
        ),
        case(
            "dotted capital I folds",
            keywords(&["istanbul"]),
            "İSTANBUL meetup",
            Some((Keyword, "istanbul")),
        ),
        case(
            "sharp s folds to ss",
            keywords(&["strasse"]),
            "Straßenbau",
            Some((Keyword, "strasse")),
        ),
        case(
            "cyrillic folds",
            keywords(&["планёрка"]),
            "ПЛАНЁРКА отдела",
            Some((Keyword, "планёрка")),
        ),
        case(
            "decomposed accent equals composed",
            keywords(&["cafe\u{301}"]),
            "Café talk",
            Some((Keyword, "cafe\u{301}")),
        ),
        case(
            "case sensitive keyword misses other case",
            sensitive(keywords(&["Standup"])),
            "daily standup",
            None,
        ),
        case(
            "case sensitive keyword hits same case",
            sensitive(keywords(&["Standup"])),
            "Daily Standup",
            Some((Keyword, "Standup")),
        ),
        case(
            "exact needs the whole title",
            exact(&["Weekly sync"]),
            "Weekly sync extra",
            None,
        ),
        case(
            "exact ignores surrounding spaces",
            exact(&["  Weekly sync "]),
            " Weekly sync\t",
            Some((Exact, "  Weekly sync ")),
        ),
        case(
            "exact ignores case",
            exact(&["weekly SYNC"]),
            "Weekly Sync",
            Some((Exact, "weekly SYNC")),
        ),
        case(
            "case sensitive exact misses other case",
            sensitive(exact(&["weekly sync"])),
            "Weekly sync",
            None,
        ),
        case(
            "pattern searches anywhere",
            pattern(&[r"lecture \d+"]),
            "CS101: Lecture 7 (recap)",
            Some((Pattern, r"lecture \d+")),
        ),
        case(
            "anchored pattern needs a full match",
            pattern(&[r"^Lecture \d+$"]),
            "CS101: Lecture 7",
            None,
        ),
        case(
            "anchored pattern hits a full match",
            pattern(&[r"^Lecture \d+$"]),
            "lecture 12",
            Some((Pattern, r"^Lecture \d+$")),
        ),
        case(
            "case sensitive pattern misses other case",
            sensitive(pattern(&["Lecture"])),
            "lecture 1",
            None,
        ),
        case(
            "pattern sees the dotted capital I fold",
            pattern(&["^istanbul"]),
            "İstanbul trip",
            Some((Pattern, "^istanbul")),
        ),
        case(
            "pattern with unicode class",
            pattern(&[r"^\p{Cyrillic}+ \d{4}$"]),
            "Совещание 2026",
            Some((Pattern, r"^\p{Cyrillic}+ \d{4}$")),
        ),
        case(
            "exact beats keyword in the same template",
            MatchingRules {
                keywords: strings(&["sync"]),
                ..exact(&["Weekly sync"])
            },
            "Weekly sync",
            Some((Exact, "Weekly sync")),
        ),
        case(
            "exclusion keyword beats an inclusion",
            MatchingRules {
                exclude_keywords: strings(&["draft"]),
                ..keywords(&["standup"])
            },
            "Standup (DRAFT)",
            None,
        ),
        case(
            "exclusion pattern beats an exact title",
            MatchingRules {
                exclude_patterns: strings(&[r"\btest\b"]),
                ..exact(&["Test run"])
            },
            "Test run",
            None,
        ),
        case(
            "exclusion that misses lets the rule hit",
            MatchingRules {
                exclude_keywords: strings(&["draft"]),
                ..keywords(&["standup"])
            },
            "Standup final",
            Some((Keyword, "standup")),
        ),
        Case {
            name: "source filter rejects another source",
            rules: MatchingRules {
                source_ids: vec![ZOOM],
                ..keywords(&["standup"])
            },
            title: "Standup",
            source: LOCAL,
            expected: None,
        },
        case(
            "source filter lets its source through to the rules",
            MatchingRules {
                source_ids: vec![ZOOM],
                ..keywords(&["standup"])
            },
            "Standup",
            Some((Keyword, "standup")),
        ),
        case(
            "source filter still needs a rule to hit",
            MatchingRules {
                source_ids: vec![ZOOM],
                ..keywords(&["standup"])
            },
            "Retro",
            None,
        ),
        case(
            "source-only template takes any title of its source",
            MatchingRules {
                source_ids: vec![ZOOM],
                ..MatchingRules::default()
            },
            "Anything at all",
            Some((Source, "00000000-0000-0000-0000-000000005001")),
        ),
        case(
            "source-only template still honours exclusions",
            MatchingRules {
                source_ids: vec![ZOOM],
                exclude_keywords: strings(&["private"]),
                ..MatchingRules::default()
            },
            "Private call",
            None,
        ),
    ]
}

#[test]
fn each_template_judges_titles_by_its_own_rules() {
    for case in single_template_cases() {
        let template = template(1, 0, case.rules);

        let verdict = explain_template(&template, &recording(case.title, case.source));

        let got = verdict
            .rule
            .as_ref()
            .map(|rule| (rule.kind, rule.value.as_str()));
        assert_eq!(
            got, case.expected,
            "case {:?}: {}",
            case.name, verdict.reason
        );
        assert_eq!(
            verdict.matched,
            case.expected.is_some(),
            "case {:?}",
            case.name
        );
    }
}
