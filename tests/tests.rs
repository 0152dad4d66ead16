//! One integration-test binary (faster to link), with a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod architecture;
mod audit;
mod browser;
mod cli;
mod common;
mod docs;
mod fuzz_corpus;
mod mapping;
mod outputs;
mod payloads;
mod properties;
mod reconcile;
mod regex_dotnet;
mod reliability;
mod render;
mod review;
mod rollout;
mod schema;
mod semantics;
