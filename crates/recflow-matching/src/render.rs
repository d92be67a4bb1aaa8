//! Rendering titles and descriptions from template text (SPEC §7, `{{ variable }}` syntax) in a
//! sandboxed minijinja environment: no loader, no include/import/extends/macro (those features
//! are compiled out), strict undefined values, a fuel limit on executed instructions and a
//! recursion limit. Platform cutting lives in `title`; this module produces the text.

mod start;

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Output, State, Template, UndefinedBehavior, context};
use thiserror::Error;
use uuid::Uuid;

use crate::FieldError;
use crate::facts::RecordingFacts;
use crate::metadata::DESCRIPTION_TEMPLATE_MAX_CHARS;
use crate::title::{Platform, fit_description, fit_title, truncate_chars};
use start::StartTime;

/// The variables a template may use, in the order error messages list them.
pub const TEMPLATE_VARIABLES: [&str; 6] = [
    "title",
    "start",
    "duration_minutes",
    "source_name",
    "recording_id",
    "meeting_id",
];

/// Functions of the environment a template may call; they are not variables of the recording.
const ENGINE_GLOBALS: [&str; 3] = ["range", "dict", "namespace"];

/// Instructions one render may execute; a title needs a few dozen, loops a few thousand.
const FUEL: u64 = 50_000;

/// Deepest nesting of calls and blocks while rendering.
const RECURSION_LIMIT: usize = 32;

/// Largest rendered text accepted before any platform cut, in bytes.
const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// Why a template could not be rendered. Messages are written for the template's author.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    /// The text is not a valid template.
    #[error("template does not parse: {detail}{}", at_line(*.line))]
    Syntax { detail: String, line: Option<usize> },
    /// The template names variables that do not exist.
    #[error(
        "unknown variable{} {}; allowed variables: {}",
        if names.len() == 1 { "" } else { "s" },
        quoted(names),
        TEMPLATE_VARIABLES.join(", ")
    )]
    UnknownVariables { names: Vec<String> },
    /// The template parsed but failed while running (a bad format string, a type error, too
    /// much work).
    #[error("template failed to render: {detail}{}", at_line(*.line))]
    Render { detail: String, line: Option<usize> },
    /// The template text itself is longer than any template may be.
    #[error("template is {chars} characters long; at most {max} are allowed")]
    TemplateTooLong { chars: usize, max: usize },
    /// The rendered text is unreasonably long.
    #[error("rendered text is {bytes} bytes long; at most {max} are allowed")]
    OutputTooLong { bytes: usize, max: usize },
}

/// The values a template is rendered with.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderVars {
    title: String,
    start: DateTime<Tz>,
    duration_minutes: i64,
    source_name: String,
    recording_id: Uuid,
    meeting_id: Option<String>,
}

impl RenderVars {
    /// Takes the recording's facts and shows its start in the owner's time zone.
    ///
    /// `duration_minutes` is the duration rounded to the nearest minute (90 s → 2, 89 s → 1;
    /// negative durations count as 0).
    pub fn new(facts: &RecordingFacts, owner_timezone: Tz) -> Self {
        Self {
            title: facts.title.clone(),
            start: facts.start_time.with_timezone(&owner_timezone),
            duration_minutes: (facts.duration_seconds.max(0) + 30) / 60,
            source_name: facts.source_name.clone(),
            recording_id: facts.id,
            meeting_id: facts.meeting_id.clone(),
        }
    }

    /// `meeting_id` is `none` when absent: it prints as nothing and is false in `{% if %}`.
    fn to_context(&self) -> Value {
        context! {
            title => self.title.clone(),
            start => StartTime::value(self.start),
            duration_minutes => self.duration_minutes,
            source_name => self.source_name.clone(),
            recording_id => self.recording_id.to_string(),
            meeting_id => self.meeting_id.clone(),
        }
    }
}

/// Renders `template_text` with `vars`, cut to `limit_chars` characters when given (on a
/// grapheme boundary, see [`truncate_chars`]).
///
/// # Errors
///
/// Returns [`RenderError`] when the text does not parse, names an unknown variable, fails while
/// running, or is (or renders) too long.
pub fn render(
    template_text: &str,
    vars: &RenderVars,
    limit_chars: Option<usize>,
) -> Result<String, RenderError> {
    let chars = template_text.chars().count();
    if chars > DESCRIPTION_TEMPLATE_MAX_CHARS {
        return Err(RenderError::TemplateTooLong {
            chars,
            max: DESCRIPTION_TEMPLATE_MAX_CHARS,
        });
    }
    let env = environment();
    let template = checked_template(&env, template_text)?;

    let rendered = template
        .render(vars.to_context())
        .map_err(|err| RenderError::Render {
            detail: describe(&err),
            line: err.line(),
        })?;

    if rendered.len() > MAX_OUTPUT_BYTES {
        return Err(RenderError::OutputTooLong {
            bytes: rendered.len(),
            max: MAX_OUTPUT_BYTES,
        });
    }
    Ok(match limit_chars {
        Some(max) => truncate_chars(&rendered, max).to_owned(),
        None => rendered,
    })
}

/// Renders a title and fits it to `platform` with [`fit_title`] (one line, length limit,
/// YouTube's forbidden characters replaced). An empty result is returned as is; YouTube
/// refuses empty titles, so callers should fall back to the recording's own title.
///
/// # Errors
///
/// As [`render`].
pub fn render_title(
    template_text: &str,
    vars: &RenderVars,
    platform: Platform,
) -> Result<String, RenderError> {
    render(template_text, vars, None).map(|text| fit_title(&text, platform))
}

/// Renders a description and fits it to `platform` with [`fit_description`].
///
/// # Errors
///
/// As [`render`].
pub fn render_description(
    template_text: &str,
    vars: &RenderVars,
    platform: Platform,
) -> Result<String, RenderError> {
    render(template_text, vars, None).map(|text| fit_description(&text, platform))
}

/// Checks template text at save time: it must parse, use only [`TEMPLATE_VARIABLES`], and
/// render for two sample recordings (one with a meeting id, one without), which catches bad
/// `format` strings and type errors before a real recording meets them.
///
/// # Errors
///
/// Returns a [`FieldError`] for `field` with the [`RenderError`] message.
pub fn check_template_text(text: &str, field: &str) -> Result<(), FieldError> {
    let to_field_error = |err: RenderError| FieldError::new(field, err.to_string());
    checked_template(&environment(), text).map_err(to_field_error)?;

    for vars in sample_vars() {
        render(text, &vars, None).map_err(to_field_error)?;
    }
    Ok(())
}

/// The sandbox: builtin filters and tests, `date`/`format` for `start`, nothing that reads
/// files or other templates, and `none` printed as an empty string.
fn environment<'source>() -> Environment<'source> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(format_value);
    env.remove_global("debug");
    env.add_filter("date", start::date_filter);
    env.add_filter("format", start::format_filter);
    env
}

fn format_value(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if value.is_none() {
        return Ok(());
    }
    minijinja::escape_formatter(out, state, value)
}

/// Parses `text` and rejects variables outside [`TEMPLATE_VARIABLES`].
fn checked_template<'env, 'source>(
    env: &'env Environment<'source>,
    text: &'source str,
) -> Result<Template<'env, 'source>, RenderError> {
    let template = env
        .template_from_str(text)
        .map_err(|err| RenderError::Syntax {
            detail: describe(&err),
            line: err.line(),
        })?;

    let unknown: BTreeSet<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !TEMPLATE_VARIABLES.contains(&name.as_str()))
        .filter(|name| !ENGINE_GLOBALS.contains(&name.as_str()))
        .collect();
    if unknown.is_empty() {
        Ok(template)
    } else {
        Err(RenderError::UnknownVariables {
            names: unknown.into_iter().collect(),
        })
    }
}

fn sample_vars() -> [RenderVars; 2] {
    let start = Utc
        .with_ymd_and_hms(2026, 3, 9, 9, 30, 0)
        .single()
        .expect("a fixed UTC time is never ambiguous");
    let with_meeting = RecordingFacts {
        id: Uuid::nil(),
        source_id: Uuid::nil(),
        title: "Weekly sync".to_owned(),
        start_time: start,
        duration_seconds: 3600,
        meeting_id: Some("85012345678".to_owned()),
        source_name: "Zoom".to_owned(),
    };
    let without_meeting = RecordingFacts {
        meeting_id: None,
        ..with_meeting.clone()
    };
    [
        RenderVars::new(&with_meeting, Tz::UTC),
        RenderVars::new(&without_meeting, Tz::UTC),
    ]
}

/// One line for people: the error kind, and the detail when minijinja has one.
fn describe(err: &minijinja::Error) -> String {
    match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|line| format!(" (line {line})"))
        .unwrap_or_default()
}

fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("{name:?}")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests;
