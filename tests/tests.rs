//! One integration-test binary (faster to link), with a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod cli;
mod common;
mod docs;
mod properties;
mod regex_dotnet;
mod review;
mod rollout;
mod semantics;
