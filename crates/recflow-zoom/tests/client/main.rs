//! Integration tests of the Zoom client against the fake Zoom over real HTTP on 127.0.0.1.

mod listing;
mod meetings;
mod retries;
mod support;
mod tokens;
mod webhook;
