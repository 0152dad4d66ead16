//! scopesim: simulate Microsoft Entra ID app-provisioning scoping filters offline.
//!
//! The library is the whole product; the `scopesim` binary only parses arguments, reads
//! files and renders results. Data flows one way, one module per stage:
//!
//! ```text
//! rules text --(rules::parse, rules::graph_json)--> rules::RuleSet with spans
//!            --(rules::check)--> diagnostics
//!            --(eval::compile, against the directory's columns)--> eval::Plan (Send + Sync)
//! export     --(directory::read_directory)--> directory::Directory (columns, row groups)
//!            --(eval::evaluate, in parallel)--> eval::Outcomes (bit sets per clause/filter/stage)
//!            --(rollout::simulate)--> rollout::Rollout (actions per app and stage)
//!            --(report, review)--> tables, CSV, JSON, HTML; lint, diff, tests
//! ```
//!
//! Every Entra rule the simulation depends on is numbered in the semantics contract
//! (S1–S30) and cited where it is implemented.
//!
//! # Example: parse, compile, evaluate one user
//!
//! ```
//! use scopesim::directory::from_rows;
//! use scopesim::eval::{EvalOptions, compile, evaluate};
//! use scopesim::rules::load::load_text;
//!
//! let rules = load_text(
//!     "example.scope",
//!     r#"app "Salesforce" {
//!          scope all
//!          filter "Employees" {
//!            employeeType NOT EQUALS "Contractor"
//!            country REGEX MATCH '^(DE|FR)$'
//!          }
//!        }"#,
//!     None,
//! );
//! assert!(rules.diagnostics.is_empty());
//! let dir = from_rows([
//!     vec![("userPrincipalName", "anna@contoso.com"), ("employeeType", "Employee"), ("country", "DE")],
//!     // NOT EQUALS is false on null (S6): a blank employeeType falls out of scope
//!     vec![("userPrincipalName", "ben@contoso.com"), ("employeeType", ""), ("country", "DE")],
//! ]);
//! let plan = compile(&rules.rules, &dir, EvalOptions::default()).expect("valid rules");
//! let outcomes = evaluate(&plan, &dir);
//! assert!(outcomes.scoping(0).get(0));
//! assert!(!outcomes.scoping(0).get(1));
//! ```

pub mod audit;
pub mod diag;
pub mod directory;
pub mod eval;
pub mod exports;
pub mod mapping;
pub mod output;
pub mod pipeline;
pub mod reconcile;
pub mod regex;
pub mod report;
pub mod review;
pub mod rollout;
pub mod rules;
pub mod schema;
pub mod source;
pub mod text;
pub mod value;
