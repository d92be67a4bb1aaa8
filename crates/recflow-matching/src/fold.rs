//! Text normalisation shared by rule compilation and matching: Unicode NFC always, and the
//! case folding described in the crate docs when a template is not case-sensitive. Both sides of
//! every comparison go through the same function, so the folding only has to be consistent.

use unicode_normalization::UnicodeNormalization;

/// Returns `text` in Unicode Normalization Form C.
pub(crate) fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Returns `text` in NFC with every character case-folded (see the crate docs for the rules).
pub(crate) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            // Lowercasing gives "i" plus a combining dot; users typing "istanbul" expect a hit.
            'İ' => folded.push('i'),
            'ß' | 'ẞ' => folded.push_str("ss"),
            'ς' => folded.push('σ'),
            'ſ' => folded.push('s'),
            _ => folded.extend(c.to_lowercase()),
        }
    }
    folded
}

/// A title prepared once per recording, so that every rule of every template compares against
/// the same two strings.
#[derive(Debug)]
pub(crate) struct PreparedTitle {
    /// The title in NFC, for case-sensitive rules.
    pub(crate) nfc: String,
    /// The title in NFC and case-folded, for the others.
    pub(crate) folded: String,
}

impl PreparedTitle {
    pub(crate) fn new(title: &str) -> Self {
        Self {
            nfc: nfc(title),
            folded: fold(title),
        }
    }

    /// The form a template with the given sensitivity compares against.
    pub(crate) fn for_case(&self, case_sensitive: bool) -> &str {
        if case_sensitive {
            &self.nfc
        } else {
            &self.folded
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_fold_to_their_lowercase_letters() {
        assert_eq!(fold("ÄRZTE Über"), "ärzte über");
    }

    #[test]
    fn dotted_capital_i_folds_to_plain_i() {
        assert_eq!(fold("İSTANBUL"), "istanbul");
        assert_eq!(fold("İstanbul"), fold("istanbul"));
    }

    #[test]
    fn dotless_i_stays_distinct() {
        assert_ne!(fold("ıstanbul"), fold("istanbul"));
    }

    #[test]
    fn sharp_s_folds_to_double_s() {
        assert_eq!(fold("Straße"), fold("STRASSE"));
        assert_eq!(fold("STRAẞE"), "strasse");
    }

    #[test]
    fn greek_final_sigma_equals_medial_sigma() {
        assert_eq!(fold("ΟΔΟΣ"), fold("οδος"));
    }

    #[test]
    fn decomposed_accents_equal_composed_ones() {
        assert_eq!(nfc("Cafe\u{301}"), "Café");
        assert_eq!(fold("CAFE\u{301}"), "café");
    }

    #[test]
    fn prepared_title_offers_both_forms() {
        let title = PreparedTitle::new("Daily STANDUP");

        assert_eq!(title.for_case(true), "Daily STANDUP");
        assert_eq!(title.for_case(false), "daily standup");
    }
}
