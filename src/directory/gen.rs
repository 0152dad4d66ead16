//! Synthetic directories.
