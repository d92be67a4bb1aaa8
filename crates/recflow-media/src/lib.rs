//! recflow's media stage: downloading recordings ([`download`]) and trimming their silent
//! start and end ([`trim`]) with ffmpeg, which runs only through [`process`].
//!
//! Every error says whether a later attempt may succeed (`is_retryable`); the retry policy
//! itself belongs to the job that calls in here.

pub mod download;
pub mod probe;
pub mod process;
pub mod trim;

mod durable;
