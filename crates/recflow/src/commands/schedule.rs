//! `recflow schedule preview`: the preview endpoint's answer, computed offline. The flags are
//! assembled into the endpoint's request body and go through the same parsing and checks, so
//! both give identical results and identical error paths.

use std::process::ExitCode;

use recflow_service::api::extract::parse_json;
use recflow_service::api::schedules::{PreviewRequest, build_preview};
use serde_json::{Value, json};

use crate::cli::ScheduleCommand;

pub fn run(command: ScheduleCommand) -> anyhow::Result<ExitCode> {
    let ScheduleCommand::Preview {
        schedule,
        after,
        count,
        default_timezone,
    } = command;
    let Ok(schedule) = serde_json::from_str::<Value>(&schedule) else {
        eprintln!("recflow: --schedule is not valid JSON");
        return Ok(ExitCode::from(2));
    };
    let body = json!({"schedule": schedule, "after": after, "count": count});

    let result = parse_json::<PreviewRequest>(body.to_string().as_bytes()).and_then(|request| {
        build_preview(
            request.schedule,
            &default_timezone,
            request.after,
            request.count,
        )
    });
    match result {
        Ok(preview) => {
            println!("{}", serde_json::to_string_pretty(&preview)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("recflow: invalid schedule: {error}");
            Ok(ExitCode::from(2))
        }
    }
}
