//! Media tools: every ffmpeg and ffprobe call goes through [`process`], which enforces a
//! timeout, kills the child when dropped and keeps the tail of stderr for error messages.

pub mod probe;
pub mod process;
