//! Checks across the Graph pages of one read: the `@odata.nextLink` chain, the user count
//! the first page announces, and users that appear twice.
//!
//! A Graph export is a chain of pages, each pointing at the next with `@odata.nextLink`
//! (an opaque `$skiptoken`), the last one without it. Pages are saved one per file or
//! gathered in an array, and a missing, repeated or shuffled page silently changes who is
//! in scope (S36). A page does not carry its own address, so what can be checked is: the
//! last page must have no next link; only the last page may lack one; no two pages may
//! point at the same next page; `@odata.count` (with `$count=true`) must equal the users
//! read; and no user id may appear twice. Ids are kept as 64-bit hashes (8 bytes a
//! user), across every input of the read.

use crate::diag::{Code, Diagnostic, FileLocation};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// One Graph response page as read.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// The 1-based position of the page in its file.
    pub index: u64,
    /// Its `@odata.nextLink`.
    pub next_link: Option<String>,
    /// Its `@odata.count`.
    pub count: Option<u64>,
    /// Users on the page.
    pub users: u64,
}

/// What carries over from one JSON input to the next.
#[derive(Debug, Default)]
pub(crate) struct JsonState {
    /// Every page read, in order, with its file.
    pages: Vec<(String, Page)>,
    ids: HashSet<u64>,
    duplicates: u64,
    first_duplicate: Option<(String, u64)>,
}

/// The hash a user id is remembered by (ids compare ignoring case, as Entra's do).
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for b in id.bytes() {
        b.to_ascii_lowercase().hash(&mut h);
    }
    h.finish()
}

impl JsonState {
    /// Records the pages and user ids (hashes, in record order) of one input read
    /// cleanly.
    pub(crate) fn add_input(&mut self, shown: &str, pages: Vec<Page>, ids: &[u64]) {
        self.pages
            .extend(pages.into_iter().map(|p| (shown.to_string(), p)));
        for (i, &h) in ids.iter().enumerate() {
            if !self.ids.insert(h) {
                self.duplicates += 1;
                if self.first_duplicate.is_none() {
                    self.first_duplicate = Some((shown.to_string(), i as u64 + 1));
                }
            }
        }
    }

    /// The warnings about the pages read.
    pub(crate) fn finish(&mut self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let pages = std::mem::take(&mut self.pages);
        if let Some((shown, last)) = pages.last() {
            if let Some(link) = &last.next_link {
                out.push(
                    Diagnostic::warning(
                        Code::GraphNextLink,
                        format!(
                            "the last page in `{shown}` has `@odata.nextLink`: the export stops before the end of the user list"
                        ),
                    )
                    .at(FileLocation::file(shown))
                    .with_help(format!(
                        "follow `@odata.nextLink` until a page has none and pass every page file (the missing next page: `{}`)",
                        truncate(link, 120)
                    )),
                );
            }
        }
        // Only the last page may lack a next link.
        let early_ends: Vec<usize> = pages
            .iter()
            .enumerate()
            .take(pages.len().saturating_sub(1))
            .filter(|(_, (_, p))| p.next_link.is_none())
            .map(|(i, _)| i)
            .collect();
        if let Some((shown, p)) = early_ends.first().and_then(|&i| pages.get(i)) {
            let after = pages.len() - 1 - early_ends.first().copied().unwrap_or(0);
            out.push(
                Diagnostic::warning(
                    Code::GraphMissingPage,
                    format!(
                        "page {} of `{shown}` has no `@odata.nextLink`, so it ends its export, yet {after} more page{} follow{}: the pages are out of order or from different exports",
                        p.index,
                        if after == 1 { "" } else { "s" },
                        if after == 1 { "s" } else { "" }
                    ),
                )
                .with_rule("S36")
                .at(FileLocation::file(shown))
                .with_help("pass the pages in the order Graph returned them (the first without `$skiptoken`, each next one from the previous page's `@odata.nextLink`), and one export only"),
            );
        }
        // No two pages may point at the same next page.
        let mut seen: HashMap<&str, (&str, u64)> = HashMap::new();
        for (shown, p) in &pages {
            let Some(link) = p.next_link.as_deref() else {
                continue;
            };
            if let Some((first, index)) = seen.get(link) {
                out.push(
                    Diagnostic::warning(
                        Code::GraphMissingPage,
                        format!(
                            "page {} of `{shown}` points to the same next page as page {index} of `{first}`: a page was passed twice",
                            p.index
                        ),
                    )
                    .with_rule("S36")
                    .at(FileLocation::file(shown))
                    .with_help("pass each page once, in the order Graph returned them"),
                );
                break;
            }
            seen.insert(link, (shown.as_str(), p.index));
        }
        // `@odata.count` (first page, with `$count=true`) against the users read.
        if let Some((shown, counted)) = pages
            .iter()
            .find_map(|(s, p)| p.count.map(|c| (s.as_str(), c)))
        {
            let read: u64 = pages.iter().map(|(_, p)| p.users).sum();
            if read != counted {
                out.push(
                    Diagnostic::warning(
                        Code::GraphMissingPage,
                        format!(
                            "`{shown}` announces {counted} users (`@odata.count`), but the pages read hold {read}: {}",
                            if read < counted {
                                "pages are missing"
                            } else {
                                "pages are repeated or from another export"
                            }
                        ),
                    )
                    .with_rule("S36")
                    .at(FileLocation::file(shown))
                    .with_help("follow `@odata.nextLink` from the first page until a page has none, and pass every page once"),
                );
            }
        }
        if let Some((shown, record)) = self.first_duplicate.take() {
            let n = self.duplicates;
            out.push(
                Diagnostic::warning(
                    Code::GraphDuplicateUsers,
                    format!(
                        "{n} user{} appear{} more than once in the Graph export (the first: user {record} of `{shown}`); each is counted once per appearance",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "s" } else { "" }
                    ),
                )
                .with_rule("S36")
                .at(FileLocation::file(&shown).at_record(record))
                .with_help("a page or a file was passed twice: pass each page once"),
            );
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}
