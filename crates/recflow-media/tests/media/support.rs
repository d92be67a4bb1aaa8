//! Test helpers: media files made by ffmpeg on the spot, and a fake Zoom download host.

pub mod fixtures;
pub mod server;
