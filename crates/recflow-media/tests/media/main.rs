//! Integration tests of recflow-media against real ffmpeg output and a local HTTP server.

mod download;
mod probe;
mod support;
mod trim;
