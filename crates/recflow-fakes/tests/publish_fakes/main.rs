//! Tests that the fake YouTube and VK behave like the real services on the wire, using plain
//! HTTP requests.

mod vk;
mod youtube;
