//! Tests that the fake Zoom behaves like Zoom on the wire, using plain HTTP requests.

mod downloads;
mod oauth;
mod rest;
mod support;
