//! scopesim: simulate Microsoft Entra ID app-provisioning scoping filters offline.
pub mod directory;
pub mod eval;
