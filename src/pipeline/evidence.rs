//! What a result was computed from: every input file by role, path, SHA-256 and record
//! count, the scopesim version and the options that change results. Reports print it so
//! that an auditor can tell exactly which exports a plan or a reconciliation stands on.

use crate::directory::InputInfo;
use serde::Serialize;
use serde_json::Value;

/// One input file, stated in reports.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    /// Role: `rules`, `directory`, `assignments`, `group-members`, `target-state`.
    pub role: String,
    /// Path as given.
    pub path: String,
    /// SHA-256 of the bytes (for rules: of every text read, see `LoadedRules::sha256`).
    pub sha256: String,
    /// Records read, when meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

impl InputRef {
    /// From a reader's evidence.
    pub fn from_info(role: &str, info: &InputInfo) -> InputRef {
        InputRef {
            role: role.to_string(),
            path: info.path.clone(),
            sha256: info.sha256.clone(),
            records: Some(info.records),
        }
    }
}

/// What a report was computed from.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// scopesim version.
    pub scopesim_version: String,
    /// Every input file.
    pub inputs: Vec<InputRef>,
    /// Options that change results.
    pub options: Value,
}
