//! What happens to a matched recording's media before upload (SPEC §7 `processing`): today only
//! silence trimming. Defaults and range checks live here; running ffmpeg does not.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

/// Processing steps of a template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Processing {
    /// Cutting the silent start and end of the recording.
    pub trim: TrimSettings,
}

/// How leading and trailing silence is found and cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(example = json!({
    "enabled": true,
    "silence_threshold_db": -40.0,
    "min_silence_seconds": 2.0,
    "padding_before_seconds": 5.0,
    "padding_after_seconds": 5.0
}))]
pub struct TrimSettings {
    /// Whether to trim at all.
    #[schema(default = true)]
    pub enabled: bool,
    /// Audio quieter than this counts as silence, in dBFS (-100 to 0).
    #[schema(default = -40.0, minimum = -100.0, maximum = 0.0)]
    pub silence_threshold_db: f64,
    /// Shortest quiet stretch that counts as silence, in seconds (0.1 to 600).
    #[schema(default = 2.0, minimum = 0.1, maximum = 600.0)]
    pub min_silence_seconds: f64,
    /// Seconds of the silence kept before the first sound (0 to 600).
    #[schema(default = 5.0, minimum = 0.0, maximum = 600.0)]
    pub padding_before_seconds: f64,
    /// Seconds of the silence kept after the last sound (0 to 600).
    #[schema(default = 5.0, minimum = 0.0, maximum = 600.0)]
    pub padding_after_seconds: f64,
}

impl Default for TrimSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            silence_threshold_db: -40.0,
            min_silence_seconds: 2.0,
            padding_before_seconds: 5.0,
            padding_after_seconds: 5.0,
        }
    }
}

/// Checks that every trim number is finite and inside its range, even when trimming is off, so
/// that switching it on later cannot start from nonsense.
///
/// Returns one [`FieldError`] per bad number, with paths such as
/// `processing.trim.min_silence_seconds`; an empty list means the settings are acceptable.
pub fn validate_processing(processing: &Processing) -> Vec<FieldError> {
    let trim = &processing.trim;
    let checks = [
        (
            "silence_threshold_db",
            trim.silence_threshold_db,
            -100.0,
            0.0,
            "dB",
        ),
        (
            "min_silence_seconds",
            trim.min_silence_seconds,
            0.1,
            600.0,
            "seconds",
        ),
        (
            "padding_before_seconds",
            trim.padding_before_seconds,
            0.0,
            600.0,
            "seconds",
        ),
        (
            "padding_after_seconds",
            trim.padding_after_seconds,
            0.0,
            600.0,
            "seconds",
        ),
    ];

    checks
        .into_iter()
        .filter(|(_, value, min, max, _)| !(value.is_finite() && (*min..=*max).contains(value)))
        .map(|(name, value, min, max, unit)| {
            FieldError::new(
                format!("processing.trim.{name}"),
                format!("must be between {min} and {max} {unit}, got {value}"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_object_gets_the_documented_defaults() {
        let processing: Processing =
            serde_json::from_str("{}").expect("an empty object is a valid processing block");

        assert_eq!(processing.trim, TrimSettings::default());
        assert!(processing.trim.enabled);
        assert_eq!(processing.trim.silence_threshold_db, -40.0);
        assert_eq!(processing.trim.min_silence_seconds, 2.0);
        assert_eq!(processing.trim.padding_before_seconds, 5.0);
        assert_eq!(processing.trim.padding_after_seconds, 5.0);
    }

    #[test]
    fn default_settings_are_valid() {
        assert!(validate_processing(&Processing::default()).is_empty());
    }

    #[test]
    fn out_of_range_numbers_are_reported_with_their_paths() {
        let processing = Processing {
            trim: TrimSettings {
                silence_threshold_db: 3.0,
                min_silence_seconds: 0.0,
                padding_before_seconds: -1.0,
                padding_after_seconds: 601.0,
                ..TrimSettings::default()
            },
        };

        let fields: Vec<String> = validate_processing(&processing)
            .into_iter()
            .map(|e| e.field)
            .collect();

        assert_eq!(
            fields,
            [
                "processing.trim.silence_threshold_db",
                "processing.trim.min_silence_seconds",
                "processing.trim.padding_before_seconds",
                "processing.trim.padding_after_seconds",
            ]
        );
    }

    #[test]
    fn the_range_message_names_the_bounds_and_the_value() {
        let processing = Processing {
            trim: TrimSettings {
                silence_threshold_db: -120.0,
                ..TrimSettings::default()
            },
        };

        let errors = validate_processing(&processing);

        assert_eq!(errors[0].message, "must be between -100 and 0 dB, got -120");
    }

    #[test]
    fn not_a_number_is_rejected() {
        let processing = Processing {
            trim: TrimSettings {
                min_silence_seconds: f64::NAN,
                ..TrimSettings::default()
            },
        };

        assert_eq!(validate_processing(&processing).len(), 1);
    }

    #[test]
    fn unknown_trim_fields_are_rejected() {
        let parsed = serde_json::from_str::<Processing>(r#"{"trim": {"threshold": -30}}"#);

        assert!(parsed.is_err());
    }
}
