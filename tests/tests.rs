//! One integration-test binary (faster to link), with a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod cli;
mod common;
mod docs;
mod properties;
mod reconcile;
mod review;
mod rollout;
mod semantics;
