//! One regular expression of a template, compiled with size limits so that a pattern such as
//! `(a{1000}){1000}` is refused at save time instead of eating memory. The regex crate never
//! backtracks, so search time is linear; compiled size is the only thing to bound.

use regex::{Regex, RegexBuilder};

use crate::fold::{PreparedTitle, nfc};

/// Largest compiled program accepted for one pattern. Unicode classes are big: `\w{20}` needs
/// most of this, `\w{100}` is refused.
const COMPILED_SIZE_LIMIT: usize = 1 << 20;

/// Largest lazy-DFA cache one pattern may grow while searching.
const DFA_SIZE_LIMIT: usize = 1 << 20;

/// Deepest nesting of groups and repetitions accepted.
const NEST_LIMIT: u32 = 50;

/// A compiled pattern with the text the user wrote.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    written: String,
    regex: Regex,
    case_sensitive: bool,
}

impl Pattern {
    /// Compiles `written` (after NFC, like titles) with the template's case sensitivity.
    ///
    /// # Errors
    ///
    /// Returns a message for the user when the pattern does not parse or compiles too large.
    pub(crate) fn compile(written: &str, case_sensitive: bool) -> Result<Self, String> {
        let regex = RegexBuilder::new(&nfc(written))
            .case_insensitive(!case_sensitive)
            .size_limit(COMPILED_SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .nest_limit(NEST_LIMIT)
            .build()
            .map_err(|err| describe(&err))?;

        Ok(Self {
            written: written.to_owned(),
            regex,
            case_sensitive,
        })
    }

    /// The pattern as the user wrote it.
    pub(crate) fn written(&self) -> &str {
        &self.written
    }

    /// Whether the pattern is found anywhere in the title. Case-insensitive patterns are also
    /// searched in the folded title, so folds the regex crate lacks (İ → i) still apply.
    pub(crate) fn is_found_in(&self, title: &PreparedTitle) -> bool {
        self.regex.is_match(&title.nfc)
            || (!self.case_sensitive && self.regex.is_match(&title.folded))
    }
}

/// Turns a regex error into one line for the user; the crate's own text spans several lines
/// with a caret diagram that a JSON error body renders badly.
fn describe(err: &regex::Error) -> String {
    match err {
        regex::Error::CompiledTooBig(limit) => format!(
            "pattern is too large once compiled (over {} KiB); use fewer or smaller \
             repetitions such as {{1000}} or long Unicode classes",
            limit / 1024
        ),
        regex::Error::Syntax(text) => {
            let reason = text
                .lines()
                .rev()
                .find_map(|line| line.strip_prefix("error: "))
                .unwrap_or("the pattern does not parse");
            format!("invalid regular expression: {reason}")
        }
        other => format!("invalid regular expression: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_becomes_one_line() {
        let message = Pattern::compile("(abc", false).expect_err("an unclosed group is invalid");

        assert_eq!(message, "invalid regular expression: unclosed group");
    }

    #[test]
    fn a_nested_repetition_blowup_is_refused_as_too_large() {
        let message = Pattern::compile("(a{1000}){1000}", true).expect_err("it must not compile");

        assert!(
            message.starts_with("pattern is too large once compiled"),
            "{message}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let pattern = format!("{}a{}", "(".repeat(60), ")".repeat(60));

        let message = Pattern::compile(&pattern, true).expect_err("nesting is limited");

        assert!(
            message.starts_with("invalid regular expression"),
            "{message}"
        );
    }

    #[test]
    fn a_short_unicode_class_repetition_still_compiles() {
        assert!(Pattern::compile(r"\w{20} \d{4}", false).is_ok());
    }

    #[test]
    fn case_insensitive_patterns_also_see_the_folded_title() {
        let pattern = Pattern::compile("istanbul", false).expect("a literal compiles");

        assert!(pattern.is_found_in(&PreparedTitle::new("Trip to İSTANBUL")));
    }

    #[test]
    fn case_sensitive_patterns_see_only_the_title_as_written() {
        let pattern = Pattern::compile("istanbul", true).expect("a literal compiles");

        assert!(!pattern.is_found_in(&PreparedTitle::new("Trip to Istanbul")));
    }
}
