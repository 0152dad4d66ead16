//! One integration-test binary (faster to link), with a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod architecture;
mod cli;
mod common;
mod docs;
mod fuzz_corpus;
mod mapping;
mod payloads;
mod properties;
mod reliability;
mod review;
mod rollout;
mod schema;
mod semantics;
