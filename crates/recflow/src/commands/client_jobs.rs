//! `recflow jobs …` and `recflow recordings list`: client commands talking to the API.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::cli::{JobsCommand, RecordingsCommand};
use crate::client::{Client, cell, print_table};

/// How long `jobs run --wait` waits for a run to end.
const WAIT_LIMIT: Duration = Duration::from_secs(30 * 60);

pub async fn jobs(command: JobsCommand, client: &Client) -> anyhow::Result<ExitCode> {
    match command {
        JobsCommand::List { json } => {
            let page = client.get("/api/v1/automation/jobs?limit=200").await?;
            if json {
                return print_json(&page["items"]);
            }
            let rows: Vec<Vec<String>> = items(&page)
                .iter()
                .map(|j| {
                    vec![
                        cell(&j["id"]),
                        cell(&j["name"]),
                        cell(&j["human_readable"]),
                        cell(&j["is_active"]),
                        cell(&j["next_run_at"]),
                        cell(&j["run_count"]),
                    ]
                })
                .collect();
            print_table(
                &["ID", "NAME", "SCHEDULE", "ACTIVE", "NEXT RUN", "RUNS"],
                &rows,
            );
        }
        JobsCommand::Create {
            name,
            source_id,
            schedule,
            template_ids,
            sync_days,
            overlap,
            json,
        } => {
            let schedule: Value =
                serde_json::from_str(&schedule).context("--schedule is not valid JSON")?;
            let mut body = json!({"name": name, "source_id": source_id, "schedule": schedule, "template_ids": template_ids});
            if let Some(days) = sync_days {
                body["sync_config"] = json!({"sync_days": days});
            }
            if let Some(overlap) = overlap {
                body["policy"] = json!({"overlap": overlap});
            }
            let job = client.post("/api/v1/automation/jobs", &body).await?;
            if json {
                return print_json(&job);
            }
            println!(
                "created job {} — {}; next run {}",
                cell(&job["id"]),
                cell(&job["human_readable"]),
                cell(&job["next_run_at"])
            );
        }
        JobsCommand::Run {
            id,
            dry_run,
            wait,
            json,
        } => return run(client, &id, dry_run, wait, json).await,
        JobsCommand::Runs { id, json } => {
            let page = client
                .get(&format!("/api/v1/automation/jobs/{id}/runs?limit=200"))
                .await?;
            if json {
                return print_json(&page["items"]);
            }
            let rows: Vec<Vec<String>> = items(&page)
                .iter()
                .map(|r| {
                    let counts = &r["counts"];
                    let summary = format!(
                        "listed {} new {} matched {}",
                        cell(&counts["listed"]),
                        cell(&counts["new"]),
                        cell(&counts["matched"])
                    );
                    vec![
                        cell(&r["id"]),
                        cell(&r["scheduled_for"]),
                        cell(&r["trigger"]),
                        cell(&r["status"]),
                        summary,
                        cell(&r["reason"]),
                    ]
                })
                .collect();
            print_table(
                &[
                    "RUN",
                    "SCHEDULED FOR",
                    "TRIGGER",
                    "STATUS",
                    "COUNTS",
                    "REASON",
                ],
                &rows,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn recordings(command: RecordingsCommand, client: &Client) -> anyhow::Result<ExitCode> {
    let RecordingsCommand::List {
        source_id,
        status,
        json,
    } = command;
    let mut path = "/api/v1/recordings?limit=200".to_owned();
    if let Some(source_id) = source_id {
        path.push_str(&format!("&source_id={source_id}"));
    }
    if let Some(status) = status {
        path.push_str(&format!("&status={}", status.to_uppercase()));
    }
    let page = client.get(&path).await?;
    if json {
        return print_json(&page["items"]);
    }
    let rows: Vec<Vec<String>> = items(&page)
        .iter()
        .map(|r| {
            let why = explanation(r);
            vec![
                cell(&r["id"]),
                cell(&r["title"]),
                cell(&r["start_time"]),
                cell(&r["duration_seconds"]),
                cell(&r["status"]),
                why,
            ]
        })
        .collect();
    print_table(&["ID", "TITLE", "START", "SECONDS", "STATUS", "WHY"], &rows);
    Ok(ExitCode::SUCCESS)
}

async fn run(
    client: &Client,
    id: &str,
    dry_run: bool,
    wait: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if dry_run {
        let preview = client
            .post(
                &format!("/api/v1/automation/jobs/{id}/run?dry_run=true"),
                &json!({}),
            )
            .await?;
        if json {
            return print_json(&preview);
        }
        let rows: Vec<Vec<String>> = preview["recordings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                vec![
                    cell(&r["title"]),
                    cell(&r["state"]),
                    cell(&r["would"]),
                    cell(&r["reason"]),
                ]
            })
            .collect();
        print_table(&["TITLE", "STATE", "WOULD", "REASON"], &rows);
        println!(
            "{} new, {} matched, {} minutes to process (dry run: nothing was changed)",
            cell(&preview["estimated_new_recordings"]),
            cell(&preview["estimated_matched_recordings"]),
            cell(&preview["estimated_duration_minutes"])
        );
        return Ok(ExitCode::SUCCESS);
    }
    let started = client
        .post(&format!("/api/v1/automation/jobs/{id}/run"), &json!({}))
        .await?;
    let run_id = started["run_id"]
        .as_str()
        .context("the server did not return a run id")?
        .to_owned();
    if !wait {
        if json {
            return print_json(&started);
        }
        println!("started run {run_id}");
        return Ok(ExitCode::SUCCESS);
    }
    let finished = wait_for(client, &run_id).await?;
    if json {
        return print_json(&finished);
    }
    println!(
        "run {run_id}: {} — {}",
        cell(&finished["status"]),
        cell(&finished["reason"])
    );
    Ok(if finished["status"] == "succeeded" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Polls a run until it ends, showing progress on a terminal.
async fn wait_for(client: &Client, run_id: &str) -> anyhow::Result<Value> {
    let tty = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    loop {
        let run = client
            .get(&format!("/api/v1/automation/runs/{run_id}"))
            .await?;
        let status = run["status"].as_str().unwrap_or_default();
        if !["queued", "running"].contains(&status) {
            if tty {
                eprintln!();
            }
            return Ok(run);
        }
        if started.elapsed() > WAIT_LIMIT {
            bail!(
                "run {run_id} is still {status} after {} minutes",
                WAIT_LIMIT.as_secs() / 60
            );
        }
        if tty {
            eprint!("\r{status} … {} s", started.elapsed().as_secs());
            let _ = std::io::stderr().flush();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Why a recording is where it is: its failure, its skip reason, or its match explanation.
fn explanation(recording: &Value) -> String {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    text(&recording["failure"]["reason"])
        .map(|reason| format!("failed: {reason}"))
        .or_else(|| text(&recording["skip_reason"]).map(|reason| format!("skipped: {reason}")))
        .or_else(|| text(&recording["match"]["reason"]))
        .unwrap_or_else(|| "-".to_owned())
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

fn print_json(value: &Value) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(ExitCode::SUCCESS)
}
