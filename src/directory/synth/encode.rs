//! Hand-rolled CSV and JSON encoders writing into a reusable `Vec<u8>`.
//!
//! Both encoders are total (every `&str` is encoded correctly), not merely correct for
//! the values the word lists happen to contain.

use super::user::{CSV_COLUMNS, Record, col};

/// Graph v1.0 property names, in the order written; also the `$select` list.
pub(crate) const GRAPH_SELECT: &str = "id,userPrincipalName,displayName,givenName,surname,mail,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,officeLocation,city,postalCode,businessPhones,mobilePhone,companyName,employeeId,employeeType,onPremisesExtensionAttributes,otherMails";

/// Append `s` as one CSV field: quoted only when it contains a comma, quote, CR or LF,
/// or starts or ends with a space or tab; quotes are doubled (RFC 4180).
#[inline]
pub(crate) fn csv_field(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let edge_space = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t'));
    let needs_quotes = edge_space(b.first())
        || edge_space(b.last())
        || b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'));
    if !needs_quotes {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    let mut parts = b.split(|&c| c == b'"');
    if let Some(first) = parts.next() {
        out.extend_from_slice(first);
    }
    for part in parts {
        out.extend_from_slice(b"\"\"");
        out.extend_from_slice(part);
    }
    out.push(b'"');
}

/// Append `s` as a JSON string literal (quotes included).
#[inline]
pub(crate) fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(b.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xF)]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(b.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// A JSON string, or `null` for a blank value.
#[inline]
fn json_str_or_null(out: &mut Vec<u8>, s: &str) {
    if s.is_empty() {
        out.extend_from_slice(b"null");
    } else {
        json_str(out, s);
    }
}

/// The header line of `users.csv`.
pub(crate) fn csv_header(out: &mut Vec<u8>) {
    for (i, name) in CSV_COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(name.as_bytes());
    }
    out.push(b'\n');
}

/// One `users.csv` row, LF-terminated.
#[inline]
pub(crate) fn csv_row(out: &mut Vec<u8>, r: &Record) {
    for c in 0..CSV_COLUMNS.len() {
        if c > 0 {
            out.push(b',');
        }
        if c == col::ACCOUNT_ENABLED {
            out.extend_from_slice(match r.enabled {
                Some(true) => b"True",
                Some(false) => b"False",
                None => b"",
            });
        } else {
            csv_field(out, r.col(c));
        }
    }
    out.push(b'\n');
}

const EXT_3_TO_15_NULL: &[u8] = b",\"extensionAttribute3\":null,\"extensionAttribute4\":null,\"extensionAttribute5\":null,\"extensionAttribute6\":null,\"extensionAttribute7\":null,\"extensionAttribute8\":null,\"extensionAttribute9\":null,\"extensionAttribute10\":null,\"extensionAttribute11\":null,\"extensionAttribute12\":null,\"extensionAttribute13\":null,\"extensionAttribute14\":null,\"extensionAttribute15\":null}";

/// One user as a Microsoft Graph v1.0 `user` object (no trailing newline).
#[inline]
pub(crate) fn graph_user(out: &mut Vec<u8>, r: &Record) {
    let field = |out: &mut Vec<u8>, name: &[u8], c: usize| {
        out.push(b'"');
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":");
        json_str_or_null(out, r.col(c));
        out.push(b',');
    };
    out.push(b'{');
    field(out, b"id", col::OBJECT_ID);
    field(out, b"userPrincipalName", col::UPN);
    field(out, b"displayName", col::DISPLAY_NAME);
    field(out, b"givenName", col::GIVEN_NAME);
    field(out, b"surname", col::SURNAME);
    field(out, b"mail", col::MAIL);
    field(out, b"userType", col::USER_TYPE);
    field(out, b"jobTitle", col::JOB_TITLE);
    field(out, b"department", col::DEPARTMENT);
    out.extend_from_slice(b"\"accountEnabled\":");
    out.extend_from_slice(match r.enabled {
        Some(true) => b"true,",
        Some(false) => b"false,",
        None => b"null,",
    });
    field(out, b"usageLocation", col::USAGE_LOCATION);
    field(out, b"streetAddress", col::STREET_ADDRESS);
    field(out, b"state", col::STATE);
    field(out, b"country", col::COUNTRY);
    field(out, b"officeLocation", col::OFFICE);
    field(out, b"city", col::CITY);
    field(out, b"postalCode", col::POSTAL_CODE);
    out.extend_from_slice(b"\"businessPhones\":[");
    let phone = r.col(col::TELEPHONE);
    if !phone.is_empty() {
        json_str(out, phone);
    }
    out.extend_from_slice(b"],");
    field(out, b"mobilePhone", col::MOBILE);
    field(out, b"companyName", col::COMPANY_NAME);
    field(out, b"employeeId", col::EMPLOYEE_ID);
    field(out, b"employeeType", col::EMPLOYEE_TYPE);
    out.extend_from_slice(b"\"onPremisesExtensionAttributes\":{\"extensionAttribute1\":");
    json_str_or_null(out, r.col(col::EXT1));
    out.extend_from_slice(b",\"extensionAttribute2\":");
    json_str_or_null(out, r.col(col::EXT2));
    out.extend_from_slice(EXT_3_TO_15_NULL);
    out.extend_from_slice(b",\"otherMails\":[");
    let other = r.col(col::ALTERNATE_EMAIL);
    if !other.is_empty() {
        json_str(out, other);
    }
    out.extend_from_slice(b"]}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(s: &str) -> String {
        let mut v = Vec::new();
        csv_field(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    fn json(s: &str) -> String {
        let mut v = Vec::new();
        json_str(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv(""), "");
        assert_eq!(csv("Sales"), "Sales");
        assert_eq!(csv("Zoë"), "Zoë");
        assert_eq!(csv("Sales "), "\"Sales \"");
        assert_eq!(csv(" "), "\" \"");
        assert_eq!(csv("Contoso, Inc."), "\"Contoso, Inc.\"");
        assert_eq!(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("a\nb"), "\"a\nb\"");
        assert_eq!(csv("O'Brien"), "O'Brien");
    }

    #[test]
    fn json_escaping_round_trips() {
        for s in [
            "",
            "plain",
            "José Zoë Łukasz Søren",
            "quote \" backslash \\ slash /",
            "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "emoji 🚀 and \u{2028}",
        ] {
            let encoded = json(s);
            let back: String = serde_json::from_str(&encoded).unwrap();
            assert_eq!(back, s, "{encoded}");
        }
        assert_eq!(json("a\u{1}b"), "\"a\\u0001b\"");
    }
}
