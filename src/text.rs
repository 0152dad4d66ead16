//! Text plumbing every stage needs: hex digests and decoding of text files (UTF-8 with
//! or without a byte-order mark, UTF-16 with one).
//!
//! A leaf: it uses nothing else in the crate, so the rules loader, the directory readers
//! and the reports can all share one decoder instead of borrowing each other's.

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Decodes UTF-8 (BOM optional) or BOM-marked UTF-16; on bad UTF-8, the line and column.
pub fn decode_text(bytes: &[u8]) -> Result<String, (u64, u64)> {
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return decode_text(rest);
    }
    let utf16 = |le: bool, rest: &[u8]| -> String {
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return Ok(utf16(true, rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return Ok(utf16(false, rest));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            Err((line, (e.valid_up_to() - line_start) as u64 + 1))
        }
    }
}

/// True for characters that must not reach a terminal raw: C0 controls other than tab
/// and line feed, DEL, C1 controls, and the bidirectional overrides and isolates that can
/// reorder what a reader sees (Trojan Source).
pub fn is_unsafe_for_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character unsafe for a terminal written as `\u{1b}`: what a user
/// value, a CSV header or an app name looks like when printed, so that data from an
/// export can never move the cursor, retitle the window or hide text. CSV and JSON outputs
/// keep values intact; only terminal and HTML renderings use this.
pub fn escape_control(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_for_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_for_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_text_kept() {
        assert_eq!(escape_control("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            escape_control("a\u{1b}]0;pwned\u{7}b"),
            "a\\u{1b}]0;pwned\\u{7}b"
        );
        assert_eq!(escape_control("\u{202e}cod.exe"), "\\u{202e}cod.exe");
        assert_eq!(escape_control("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_control("Zoë ß 漢字"), "Zoë ß 漢字");
    }
}
