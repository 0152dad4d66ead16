//! Compiled evaluation of scoping filters.
pub mod dotnet_regex;
pub mod value;
