//! Templates compiled for matching: rule texts normalised once, patterns compiled once, and the
//! checks that decide whether a set of rules may be saved. How a list of templates is searched
//! and explained belongs to `matcher`; this module judges one template.

mod check;
mod pattern;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::FieldError;
use crate::fold::PreparedTitle;
use crate::matcher::{MatchRule, MatchRuleKind};
use crate::rules::MatchingRules;
use check::{Checker, Ends};
use pattern::Pattern;

/// A template ready to be matched against recordings.
#[derive(Debug, Clone)]
pub struct CompiledTemplate {
    id: Uuid,
    priority: i64,
    created_at: DateTime<Utc>,
    is_active: bool,
    name: Option<String>,
    rules: CompiledRules,
}

/// How one template judged one recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Judgement {
    /// A rule hit and nothing excluded the recording.
    Taken(MatchRule),
    /// The template lists source ids and the recording's source is not among them.
    OtherSource,
    /// An exclusion hit; `kind` is `keyword` or `pattern`.
    Excluded { kind: &'static str, value: String },
    /// Nothing excluded the recording, and no rule hit either.
    NoRuleHit,
}

/// The rules of one template after normalisation and compilation.
#[derive(Debug, Clone)]
struct CompiledRules {
    case_sensitive: bool,
    exact_matches: Vec<Needle>,
    keywords: Vec<Needle>,
    patterns: Vec<Pattern>,
    source_ids: Vec<Uuid>,
    exclude_keywords: Vec<Needle>,
    exclude_patterns: Vec<Pattern>,
}

/// A text rule: what the user wrote, and the form compared with a prepared title.
#[derive(Debug, Clone)]
pub(super) struct Needle {
    written: String,
    key: String,
}

impl CompiledTemplate {
    /// Checks and compiles a template's rules.
    ///
    /// # Errors
    ///
    /// Returns every problem found, with paths such as `matching_rules.patterns[2]`; the same
    /// list [`validate_matching_rules`] gives.
    pub fn compile(
        id: Uuid,
        priority: i64,
        created_at: DateTime<Utc>,
        is_active: bool,
        rules: &MatchingRules,
    ) -> Result<Self, Vec<FieldError>> {
        Ok(Self {
            id,
            priority,
            created_at,
            is_active,
            name: None,
            rules: CompiledRules::build(rules)?,
        })
    }

    /// Adds the template's name, used only to make match reasons readable.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The template's id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The template's priority; lower runs first.
    pub fn priority(&self) -> i64 {
        self.priority
    }

    /// When the template was created; breaks priority ties, older first.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Whether the template takes part in matching.
    pub fn is_active(&self) -> bool {
        self.is_active
    }

    /// The name given with [`CompiledTemplate::with_name`], if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The order in which templates are tried: priority, then creation time, then id.
    pub(crate) fn order_key(&self) -> (i64, DateTime<Utc>, Uuid) {
        (self.priority, self.created_at, self.id)
    }

    /// How the template is named in reasons: `template "Weekly" (<id>)` or `template <id>`.
    pub(crate) fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("template \"{name}\" ({})", self.id),
            None => format!("template {}", self.id),
        }
    }

    /// Judges one recording by this template's own rules, ignoring `is_active`.
    pub(crate) fn judge(&self, title: &PreparedTitle, source_id: Uuid) -> Judgement {
        self.rules.judge(title, source_id)
    }
}

/// Checks a template's matching rules as the user wrote them.
///
/// Reports empty or over-long texts, patterns that do not compile or compile too large, lists
/// that are too long, and a template with neither a title rule nor a source restriction (it
/// would match nothing). Paths start with `matching_rules`; an empty list means the rules can
/// be saved.
pub fn validate_matching_rules(rules: &MatchingRules) -> Vec<FieldError> {
    CompiledRules::build(rules).err().unwrap_or_default()
}

impl CompiledRules {
    /// Compiles `rules`, collecting every problem instead of stopping at the first.
    fn build(rules: &MatchingRules) -> Result<Self, Vec<FieldError>> {
        let mut check = Checker::new(rules.case_sensitive);

        let compiled = Self {
            case_sensitive: rules.case_sensitive,
            exact_matches: check.texts("exact_matches", &rules.exact_matches, Ends::Trim),
            keywords: check.texts("keywords", &rules.keywords, Ends::Keep),
            patterns: check.patterns("patterns", &rules.patterns),
            source_ids: check.source_ids(&rules.source_ids),
            exclude_keywords: check.texts("exclude_keywords", &rules.exclude_keywords, Ends::Keep),
            exclude_patterns: check.patterns("exclude_patterns", &rules.exclude_patterns),
        };
        check.require_a_rule(rules);

        check.finish(compiled)
    }

    /// Source first, then exclusions, then inclusions: an exclusion always beats a rule hit.
    fn judge(&self, title: &PreparedTitle, source_id: Uuid) -> Judgement {
        if !self.source_ids.is_empty() && !self.source_ids.contains(&source_id) {
            return Judgement::OtherSource;
        }
        if let Some(judgement) = self.exclusion(title) {
            return judgement;
        }
        self.inclusion(title, source_id)
            .map_or(Judgement::NoRuleHit, Judgement::Taken)
    }

    fn exclusion(&self, title: &PreparedTitle) -> Option<Judgement> {
        let text = title.for_case(self.case_sensitive);

        if let Some(hit) = self.exclude_keywords.iter().find(|k| text.contains(&k.key)) {
            return Some(Judgement::Excluded {
                kind: "keyword",
                value: hit.written.clone(),
            });
        }
        self.exclude_patterns
            .iter()
            .find(|p| p.is_found_in(title))
            .map(|hit| Judgement::Excluded {
                kind: "pattern",
                value: hit.written().to_owned(),
            })
    }

    fn inclusion(&self, title: &PreparedTitle, source_id: Uuid) -> Option<MatchRule> {
        let text = title.for_case(self.case_sensitive);
        let rule = |kind, value: &str| Some(MatchRule::new(kind, value));

        if let Some(hit) = self.exact_matches.iter().find(|e| text.trim() == e.key) {
            return rule(MatchRuleKind::Exact, &hit.written);
        }
        if let Some(hit) = self.keywords.iter().find(|k| text.contains(&k.key)) {
            return rule(MatchRuleKind::Keyword, &hit.written);
        }
        if let Some(hit) = self.patterns.iter().find(|p| p.is_found_in(title)) {
            return rule(MatchRuleKind::Pattern, hit.written());
        }
        let source_only =
            self.exact_matches.is_empty() && self.keywords.is_empty() && self.patterns.is_empty();
        if source_only && !self.source_ids.is_empty() {
            return rule(MatchRuleKind::Source, &source_id.to_string());
        }
        None
    }
}

#[cfg(test)]
mod tests;
