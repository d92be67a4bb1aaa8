//! Automation: the job model and its validation, the scheduler that fires jobs on their
//! schedules, the workers that execute runs, and dry runs.

pub mod dry_run;
pub mod model;
pub mod plan;
pub mod run;
pub mod scheduler;
pub mod worker;
