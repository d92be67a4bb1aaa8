//! Assigning a recording to a template (SPEC §7 "Matching"): active templates in priority
//! order, first match wins, and a sentence saying why, whether something matched or not.
//! Judging a single template's rules lives in `compiled`; this module orders, collects and
//! explains.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::compiled::{CompiledTemplate, Judgement};
use crate::facts::RecordingFacts;
use crate::fold::PreparedTitle;

/// How many non-matching templates a "no match" reason names before summarising the rest.
const MAX_REASON_CLAUSES: usize = 10;

/// Which kind of rule selected a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchRuleKind {
    /// The whole title equals one of `exact_matches`.
    Exact,
    /// The title contains one of `keywords`.
    Keyword,
    /// One of `patterns` was found in the title.
    Pattern,
    /// The template has only `source_ids` and the recording comes from one of them.
    Source,
}

/// The rule that selected a recording: its kind and the text (or source id) that hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "keyword", "value": "standup"}))]
pub struct MatchRule {
    /// Which list the rule came from.
    pub kind: MatchRuleKind,
    /// The rule as the user wrote it; for `source`, the source id.
    #[schema(example = "standup")]
    pub value: String,
}

/// The outcome of matching one recording against all of a user's templates.
///
/// Serialised as `{template_id, rule, reason}`, the `match` object of a recording (SPEC §12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "template_id": "0190a5d2-3c4e-7f00-8000-000000000001",
    "rule": {"kind": "keyword", "value": "standup"},
    "reason": "matched keyword \"standup\" of template \"Daily\" (0190a5d2-3c4e-7f00-8000-000000000001)"
}))]
pub struct MatchDecision {
    /// The template that took the recording, if any.
    #[serde(rename = "template_id")]
    pub matched: Option<Uuid>,
    /// The rule that hit, when a template matched.
    pub rule: Option<MatchRule>,
    /// A sentence for people: what matched, or why every active template passed.
    pub reason: String,
}

/// How one template's own rules judge one recording, for the preview endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "matched": false,
    "rule": null,
    "reason": "excluded by keyword \"draft\""
}))]
pub struct TemplateVerdict {
    /// Whether the template's rules take the recording.
    pub matched: bool,
    /// The rule that hit, when `matched`.
    pub rule: Option<MatchRule>,
    /// A sentence for people saying why.
    pub reason: String,
}

impl MatchRule {
    /// Builds a rule of `kind` with the text that hit.
    pub fn new(kind: MatchRuleKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: value.into(),
        }
    }

    /// The rule in words, e.g. `keyword "standup"` or `source "Zoom" (<id>)`.
    fn describe(&self, recording: &RecordingFacts) -> String {
        match self.kind {
            MatchRuleKind::Exact => format!("exact title {:?}", self.value),
            MatchRuleKind::Keyword => format!("keyword {:?}", self.value),
            MatchRuleKind::Pattern => format!("pattern {:?}", self.value),
            MatchRuleKind::Source => format!("source {:?} ({})", recording.source_name, self.value),
        }
    }
}

/// Finds the template that takes `recording`.
///
/// Active templates are tried by ascending priority, then creation time, then id; the first
/// whose rules take the recording wins (see [`CompiledTemplate`] for how one template judges).
/// Inactive templates are ignored. The order of `templates` does not matter.
pub fn match_recording(
    templates: &[CompiledTemplate],
    recording: &RecordingFacts,
) -> MatchDecision {
    let title = PreparedTitle::new(&recording.title);
    let mut active: Vec<&CompiledTemplate> = templates.iter().filter(|t| t.is_active()).collect();
    active.sort_by_key(|t| t.order_key());

    let mut misses = Vec::new();
    for template in active {
        match template.judge(&title, recording.source_id) {
            Judgement::Taken(rule) => {
                let reason = format!(
                    "matched {} of {}",
                    rule.describe(recording),
                    template.label()
                );
                return MatchDecision {
                    matched: Some(template.id()),
                    rule: Some(rule),
                    reason,
                };
            }
            miss => misses.push(miss_clause(template, &miss)),
        }
    }

    MatchDecision {
        matched: None,
        rule: None,
        reason: no_match_reason(&misses),
    }
}

/// Judges `recording` by `template`'s own rules alone, whether or not the template is active
/// and whatever other templates would do: what the preview endpoint shows.
pub fn explain_template(
    template: &CompiledTemplate,
    recording: &RecordingFacts,
) -> TemplateVerdict {
    let title = PreparedTitle::new(&recording.title);

    match template.judge(&title, recording.source_id) {
        Judgement::Taken(rule) => TemplateVerdict {
            matched: true,
            reason: format!("matched {}", rule.describe(recording)),
            rule: Some(rule),
        },
        Judgement::OtherSource => TemplateVerdict {
            matched: false,
            rule: None,
            reason: format!(
                "the recording's source {:?} ({}) is not one of the template's sources",
                recording.source_name, recording.source_id
            ),
        },
        Judgement::Excluded { kind, value } => TemplateVerdict {
            matched: false,
            rule: None,
            reason: format!("excluded by {kind} {value:?}"),
        },
        Judgement::NoRuleHit => TemplateVerdict {
            matched: false,
            rule: None,
            reason: "no exact title, keyword or pattern of the template hit".to_owned(),
        },
    }
}

fn miss_clause(template: &CompiledTemplate, judgement: &Judgement) -> String {
    let label = template.label();
    match judgement {
        Judgement::OtherSource => format!("{label} takes only other sources"),
        Judgement::Excluded { kind, value } => format!("excluded by {kind} {value:?} in {label}"),
        Judgement::NoRuleHit | Judgement::Taken(_) => format!("no rule of {label} hit"),
    }
}

fn no_match_reason(misses: &[String]) -> String {
    if misses.is_empty() {
        return "no active template matched: there are no active templates".to_owned();
    }

    let shown = misses.len().min(MAX_REASON_CLAUSES);
    let mut reason = format!("no active template matched: {}", misses[..shown].join("; "));
    let hidden = misses.len() - shown;
    if hidden > 0 {
        reason.push_str(&format!("; and {hidden} more templates did not match"));
    }
    reason
}

#[cfg(test)]
mod tests;
