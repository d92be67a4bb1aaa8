//! Turning the lists of a user's rules into compiled form while collecting every problem with
//! its field path, so a 422 answer can list them all at once. Matching itself is not done here.

use uuid::Uuid;

use super::{Needle, Pattern};
use crate::FieldError;
use crate::fold::{fold, nfc};
use crate::rules::{
    MAX_PATTERN_CHARS, MAX_PATTERNS_PER_LIST, MAX_RULE_TEXT_CHARS, MAX_RULES_PER_LIST,
    MatchingRules,
};

/// Whether a text rule keeps its surrounding spaces (keywords, where " AI " can be meant) or
/// loses them (exact titles, compared with the trimmed title).
#[derive(Debug, Clone, Copy)]
pub(super) enum Ends {
    Keep,
    Trim,
}

/// Compiles lists of one template's rules and remembers what was wrong.
#[derive(Debug)]
pub(super) struct Checker {
    case_sensitive: bool,
    errors: Vec<FieldError>,
}

impl Checker {
    pub(super) fn new(case_sensitive: bool) -> Self {
        Self {
            case_sensitive,
            errors: Vec::new(),
        }
    }

    /// Normalises a list of text rules, reporting empty and over-long entries.
    pub(super) fn texts(&mut self, list: &str, texts: &[String], ends: Ends) -> Vec<Needle> {
        if !self.list_fits(list, texts.len(), MAX_RULES_PER_LIST) {
            return Vec::new();
        }

        let mut out = Vec::with_capacity(texts.len());
        for (index, written) in texts.iter().enumerate() {
            if let Err(message) = check_text(written, MAX_RULE_TEXT_CHARS) {
                self.report(list, index, message);
                continue;
            }
            let key = if self.case_sensitive {
                nfc(written)
            } else {
                fold(written)
            };
            let key = match ends {
                Ends::Keep => key,
                Ends::Trim => key.trim().to_owned(),
            };
            out.push(Needle {
                written: written.clone(),
                key,
            });
        }
        out
    }

    /// Compiles a list of patterns, reporting empty, over-long and invalid entries. A list over
    /// the limit is not compiled at all: compiling is the expensive part.
    pub(super) fn patterns(&mut self, list: &str, texts: &[String]) -> Vec<Pattern> {
        if !self.list_fits(list, texts.len(), MAX_PATTERNS_PER_LIST) {
            return Vec::new();
        }

        let mut out = Vec::with_capacity(texts.len());
        for (index, written) in texts.iter().enumerate() {
            let compiled = check_text(written, MAX_PATTERN_CHARS)
                .and_then(|()| Pattern::compile(written, self.case_sensitive));
            match compiled {
                Ok(pattern) => out.push(pattern),
                Err(message) => self.report(list, index, message),
            }
        }
        out
    }

    pub(super) fn source_ids(&mut self, ids: &[Uuid]) -> Vec<Uuid> {
        self.list_fits("source_ids", ids.len(), MAX_RULES_PER_LIST);
        ids.to_vec()
    }

    /// A template with neither a title rule nor a source restriction would match nothing.
    pub(super) fn require_a_rule(&mut self, rules: &MatchingRules) {
        if !rules.has_title_rules() && rules.source_ids.is_empty() {
            self.errors.push(FieldError::new(
                "matching_rules",
                "add at least one exact title, keyword or pattern, or list source_ids to take \
                 every recording of those sources",
            ));
        }
    }

    /// `compiled` when nothing was wrong, else every problem found.
    pub(super) fn finish<T>(self, compiled: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(compiled)
        } else {
            Err(self.errors)
        }
    }

    /// Reports a list longer than `max`; returns whether the list is within the limit.
    fn list_fits(&mut self, list: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.errors.push(FieldError::new(
                format!("matching_rules.{list}"),
                format!("must have at most {max} entries, got {len}"),
            ));
        }
        len <= max
    }

    fn report(&mut self, list: &str, index: usize, message: String) {
        let field = format!("matching_rules.{list}[{index}]");
        self.errors.push(FieldError::new(field, message));
    }
}

fn check_text(text: &str, max_chars: usize) -> Result<(), String> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        Err("must not be empty or only spaces".to_owned())
    } else if chars > max_chars {
        Err(format!(
            "must be at most {max_chars} characters, got {chars}"
        ))
    } else {
        Ok(())
    }
}
