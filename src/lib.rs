//! scopesim: simulate Microsoft Entra ID app-provisioning scoping filters offline.
pub mod diag;
pub mod directory;
pub mod eval;
pub mod schema;
pub mod source;
