//! The publishing clients against the fake YouTube and VK over real HTTP, and the folder
//! target on a temporary directory.

mod folder;
mod support;
mod vk;
mod youtube;
