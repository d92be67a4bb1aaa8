//! Fake upstream services for recflow's tests and benchmarks: real HTTP servers on
//! 127.0.0.1 that behave like the platforms as written in `shared/protocols/external-apis.md`,
//! failures included. Test support only: never linked into the service binary.

pub mod vk;
pub mod youtube;
pub mod zoom;

pub use vk::{FakeVk, FakeVkVideo, VkFault, VkRequest};
pub use youtube::{FakeVideo, FakeYoutube, YoutubeFault, YoutubeRequest};
pub use zoom::{FakeFile, FakeMeeting, FakeZoom, Fault, Media, RetryAfter, SeenRequest};
