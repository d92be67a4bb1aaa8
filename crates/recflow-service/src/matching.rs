//! Binding recordings to templates: compiles an account's templates, asks the matcher, and
//! stores each decision with its explanation. A decision equal to the stored one is not
//! written again, so re-matching unchanged data touches nothing.

use std::collections::{HashMap, HashSet};

use recflow_matching::{
    CompiledTemplate, MatchDecision, MatchingRules, RecordingFacts, match_recording,
};
use recflow_store::{Recording, Store, Template};
use serde_json::Value;
use uuid::Uuid;

/// Most unmapped recordings re-matched in one pass after a template change.
const REMATCH_BATCH: u32 = 1000;

/// Compiles templates whose rules were validated when saved. A template that no longer
/// compiles (e.g. after a regex-engine upgrade) is left out and logged, not fatal.
pub fn compile(templates: &[Template]) -> Vec<CompiledTemplate> {
    templates
        .iter()
        .filter_map(|t| {
            let rules: MatchingRules = serde_json::from_value(t.matching_rules.clone()).ok()?;
            match CompiledTemplate::compile(t.id, t.priority, t.created_at, t.is_active, &rules) {
                Ok(compiled) => Some(compiled.with_name(t.name.clone())),
                Err(errors) => {
                    tracing::warn!(template.id = %t.id, problems = errors.len(), "stored template does not compile; skipped");
                    None
                }
            }
        })
        .collect()
}

/// The facts the matcher and the renderer see of a recording.
pub fn facts(recording: &Recording, source_name: &str) -> RecordingFacts {
    RecordingFacts {
        id: recording.id,
        source_id: recording.source_id,
        title: recording.title.clone(),
        start_time: recording.start_time,
        duration_seconds: recording.duration_seconds,
        meeting_id: recording
            .source_meta
            .get("meeting_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        source_name: source_name.to_owned(),
    }
}

/// Source names of the account, for facts.
async fn source_names(
    store: &dyn Store,
    user_id: Uuid,
) -> recflow_store::Result<HashMap<Uuid, String>> {
    let mut names = HashMap::new();
    let mut after = None;
    loop {
        let page = store
            .list_sources(user_id, recflow_store::PageRequest { limit: 200, after })
            .await?;
        names.extend(page.items.into_iter().map(|s| (s.id, s.name)));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(names),
        }
    }
}

/// Matches `recordings` against `templates` and stores the decisions that changed.
async fn decide_and_store(
    store: &dyn Store,
    user_id: Uuid,
    templates: &[CompiledTemplate],
    recordings: &[Recording],
) -> recflow_store::Result<usize> {
    let names = source_names(store, user_id).await?;
    let mut changed = Vec::new();
    for recording in recordings {
        let name = names.get(&recording.source_id).map_or("", String::as_str);
        let decision = match_recording(templates, &facts(recording, name));
        let info = serde_json::to_value(&decision).unwrap_or(Value::Null);
        if recording.template_id != decision.matched || recording.match_info.as_ref() != Some(&info)
        {
            changed.push((recording.id, decision.matched, info));
        }
    }
    store.set_matches(user_id, &changed).await?;
    Ok(changed.len())
}

/// Matches recordings a sync has just created.
///
/// # Errors
/// Store failures.
pub async fn match_new(
    store: &dyn Store,
    user_id: Uuid,
    new_ids: &[Uuid],
) -> recflow_store::Result<usize> {
    let Some(first) = new_ids.iter().min().copied() else {
        return Ok(0);
    };
    let wanted: HashSet<Uuid> = new_ids.iter().copied().collect();
    let limit = u32::try_from(new_ids.len())
        .unwrap_or(u32::MAX)
        .saturating_add(REMATCH_BATCH);
    let recordings: Vec<Recording> = store
        .unmapped_recordings(user_id, Some(first), limit)
        .await?
        .into_iter()
        .filter(|r| wanted.contains(&r.id))
        .collect();
    let templates = compile(&store.all_templates(user_id).await?);
    decide_and_store(store, user_id, &templates, &recordings).await
}

/// Re-matches the account's unmapped recordings, after a template was created, changed or
/// deleted.
///
/// # Errors
/// Store failures.
pub async fn rematch_unmapped(store: &dyn Store, user_id: Uuid) -> recflow_store::Result<usize> {
    let templates = compile(&store.all_templates(user_id).await?);
    let recordings = store
        .unmapped_recordings(user_id, None, REMATCH_BATCH)
        .await?;
    decide_and_store(store, user_id, &templates, &recordings).await
}

/// What would happen to `recording` with `templates` (for dry runs and previews); writes
/// nothing.
pub fn decide(
    templates: &[CompiledTemplate],
    recording: &Recording,
    source_name: &str,
) -> MatchDecision {
    match_recording(templates, &facts(recording, source_name))
}
