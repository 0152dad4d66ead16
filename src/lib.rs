//! scopesim: simulate Microsoft Entra ID app-provisioning scoping filters offline.
pub mod diag;
pub mod directory;
pub mod eval;
pub mod report;
pub mod review;
pub mod rollout;
pub mod rules;
pub mod schema;
pub mod source;
