//! Finding one user of a directory by the identifier an administrator types.
//!
//! `scopesim explain --user`, a test case's `user_ref` and anything else that names one
//! user accept a userPrincipalName or an objectId, ignoring ASCII letter case (UPNs are
//! case-insensitive in Entra), and on a miss offer the closest UPNs so a typo is fixed in
//! one step. It lives with the directory so that every consumer (report, review, cli)
//! finds users the same way.

use super::Directory;

impl Directory {
    /// The row of the user whose objectId or userPrincipalName is `key` (ignoring ASCII
    /// case); otherwise the three closest UPNs (by edit distance, ignoring case).
    pub fn find_user(&self, key: &str) -> Result<usize, Vec<String>> {
        let cols: Vec<usize> = ["objectId", "userPrincipalName"]
            .iter()
            .filter_map(|c| self.column(c))
            .collect();
        for row in 0..self.len() {
            if cols.iter().any(|&c| {
                self.value(row, c)
                    .is_some_and(|v| v.eq_ignore_ascii_case(key))
            }) {
                return Ok(row);
            }
        }
        let lower = key.to_lowercase();
        let mut scored: Vec<(usize, String)> = Vec::new();
        if let Some(c) = self.column("userPrincipalName") {
            for row in 0..self.len() {
                if let Some(v) = self.value(row, c) {
                    scored.push((
                        strsim::levenshtein(&v.to_lowercase(), &lower),
                        v.to_string(),
                    ));
                }
            }
        }
        scored.sort();
        scored.dedup();
        Err(scored.into_iter().take(3).map(|(_, v)| v).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::directory::from_rows;

    #[test]
    fn users_are_found_by_object_id_or_upn_ignoring_case() {
        let d = from_rows([
            vec![
                ("objectId", "1a"),
                ("userPrincipalName", "alice@contoso.com"),
            ],
            vec![("objectId", "2b"), ("userPrincipalName", "bob@contoso.com")],
            vec![
                ("objectId", "3c"),
                ("userPrincipalName", "carol@contoso.com"),
            ],
        ]);
        assert_eq!(d.find_user("ALICE@contoso.com"), Ok(0));
        assert_eq!(d.find_user("2B"), Ok(1));
        let close = d.find_user("bobb@contoso.com").unwrap_err();
        assert_eq!(close[0], "bob@contoso.com");
        assert_eq!(close.len(), 3);
    }
}
