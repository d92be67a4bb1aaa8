//! API integration tests: the real server on port 0 against a fresh database per test.
//! `RECFLOW_TEST_DATABASE=postgres` runs them on PostgreSQL (one new database each), anything
//! else on a fresh SQLite file.

mod accounts;
mod automation_setup;
mod bad_input;
mod end_to_end;
mod helpers;
mod jobs;
mod media;
mod operations;
mod pipeline;
mod publishing;
mod schedules;
mod scheduling;
mod sources;
mod zoom;
