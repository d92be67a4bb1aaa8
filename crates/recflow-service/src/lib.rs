//! recflow's service: the HTTP API, the long-running roles and the wiring between them and the
//! storage backends. The binary crate only parses flags and calls into here.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod automation;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod database;
pub mod login_limiter;
pub mod matching;
pub mod media;
pub mod pipeline;
pub mod roles;
pub mod secrets;
pub mod server;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod token_cache;
