//! Text encodings of directory exports, decoded while streaming, and the file hash taken on
//! the way.
//!
//! Exports come as UTF-8 with or without a BOM (Entra, PowerShell 7, `-Encoding UTF8`) or
//! as UTF-16 with a BOM (Windows PowerShell 5.1 `-Encoding Unicode`, and `Out-File`'s
//! default). Files reach gigabytes, so nothing here holds a whole file: [`HashingReader`]
//! hashes the raw bytes as they are read (the SHA-256 that reports cite, without a second
//! read) and reports progress, and [`Decoder`] turns the byte stream into UTF-8 on the fly,
//! so that every reader downstream sees one encoding. UTF-16 is transcoded by
//! `encoding_rs` (as ripgrep's searcher does), which also finds unpaired surrogates; they
//! become U+FFFD and are counted so that the reader can warn. UTF-8 itself passes through
//! untouched and is validated by the readers, block by block, where the line and column of
//! a bad byte are known. UTF-32 (`FF FE 00 00`, `00 00 FE FF`) is recognised and refused
//! with a message, rather than misread as UTF-16 with NUL characters.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::input::{Progress, io_error};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// The encoding a file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without BOM (or plain ASCII).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian, with BOM.
    Utf16Le,
    /// UTF-16 big-endian, with BOM.
    Utf16Be,
    /// UTF-32 little-endian (BOM `FF FE 00 00`): recognised, not read.
    Utf32Le,
    /// UTF-32 big-endian (BOM `00 00 FE FF`): recognised, not read.
    Utf32Be,
}

impl Encoding {
    /// The name recorded in [`super::InputInfo::encoding`].
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Utf32Le => "utf-32le",
            Encoding::Utf32Be => "utf-32be",
        }
    }

    /// The encoding announced by a byte-order mark at the start of `bytes`, and the BOM's
    /// length; plain UTF-8 when there is none. UTF-32 is tested before UTF-16: its
    /// little-endian BOM starts with UTF-16's.
    pub fn sniff(bytes: &[u8]) -> (Encoding, usize) {
        if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
            (Encoding::Utf8Bom, 3)
        } else if bytes.starts_with(&[0xff, 0xfe, 0, 0]) {
            (Encoding::Utf32Le, 4)
        } else if bytes.starts_with(&[0, 0, 0xfe, 0xff]) {
            (Encoding::Utf32Be, 4)
        } else if bytes.starts_with(&[0xff, 0xfe]) {
            (Encoding::Utf16Le, 2)
        } else if bytes.starts_with(&[0xfe, 0xff]) {
            (Encoding::Utf16Be, 2)
        } else {
            (Encoding::Utf8, 0)
        }
    }

    fn utf16(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Utf16Le => Some(encoding_rs::UTF_16LE),
            Encoding::Utf16Be => Some(encoding_rs::UTF_16BE),
            _ => None,
        }
    }
}

/// True when bytes without a BOM look like UTF-16 (NUL in every other byte of ASCII text).
pub fn looks_like_bomless_utf16(bytes: &[u8]) -> bool {
    let sample = bytes.get(..bytes.len().min(512) & !1).unwrap_or(&[]);
    if sample.len() < 8 {
        return false;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    even_nul * 10 >= pairs * 9 || odd_nul * 10 >= pairs * 9
}

/// The error for a file without a BOM that looks like UTF-16.
pub(crate) fn bomless_utf16_error(shown: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Encoding,
        format!("`{shown}` looks like UTF-16 without a byte-order mark"),
    )
    .at(FileLocation::file(shown).at_line(1))
    .with_help("re-export with `-Encoding UTF8`, or save the file as UTF-16 with a BOM")
}

/// The warning for unpaired UTF-16 surrogates read as U+FFFD.
pub(crate) fn replaced_warning(shown: &str, replaced: u64) -> Diagnostic {
    Diagnostic::warning(
        Code::Encoding,
        format!(
            "`{shown}` has {replaced} unpaired UTF-16 surrogate{}, read as U+FFFD",
            if replaced == 1 { "" } else { "s" }
        ),
    )
    .at(FileLocation::file(shown))
    .with_help("re-export the file; values with those characters may not match rules")
}

/// Reads from `inner`, hashing every byte (SHA-256), counting them and reporting progress.
pub struct HashingReader<'p, R> {
    inner: R,
    /// `None` for a run that shows no evidence (see [`HashingReader::unhashed`]).
    hasher: Option<Sha256>,
    bytes: u64,
    progress: &'p dyn Progress,
}

impl<'p, R: Read> HashingReader<'p, R> {
    /// Wraps a reader.
    pub fn new(inner: R, progress: &'p dyn Progress) -> Self {
        HashingReader {
            inner,
            hasher: Some(Sha256::new()),
            bytes: 0,
            progress,
        }
    }

    /// Does not hash: [`HashingReader::finish`] then gives an empty hash.
    pub fn unhashed(mut self) -> Self {
        self.hasher = None;
        self
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Lowercase hex SHA-256 of the bytes read (empty when not hashed), and their count.
    pub fn finish(self) -> (String, u64) {
        let hash = self
            .hasher
            .map_or_else(String::new, |h| crate::text::hex(&h.finalize()));
        (hash, self.bytes)
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let (Some(h), Some(read)) = (self.hasher.as_mut(), buf.get(..n)) {
            h.update(read);
        }
        self.bytes += n as u64;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Size of the raw buffer used when transcoding UTF-16.
const RAW_BUF: usize = 1 << 16;

/// Turns a byte stream (UTF-8, or UTF-16 with a BOM) into UTF-8, dropping the BOM.
///
/// UTF-8 passes through untouched (its validity is checked by the readers, which know
/// where they are in the file). UTF-16 is transcoded by `encoding_rs`; an unpaired
/// surrogate becomes U+FFFD and is counted in [`Decoder::replaced`].
pub struct Decoder<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read ahead while sniffing the BOM, not yet handed out.
    head: Vec<u8>,
    head_pos: usize,
    utf16: Option<Utf16>,
    replaced: u64,
}

/// The state of a UTF-16 transcoding.
struct Utf16 {
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_pos: usize,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Decoder<R> {
    /// Sniffs the BOM (reading up to 4 bytes) and starts decoding. UTF-32 is detected
    /// and reported by [`Decoder::encoding`]; reading it yields nothing.
    pub fn new(mut inner: R) -> io::Result<Self> {
        let mut head = [0u8; 4];
        let mut got = 0;
        while let Some(rest) = head.get_mut(got..) {
            if rest.is_empty() {
                break;
            }
            match inner.read(rest) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let head = head.get(..got).unwrap_or(&[]);
        let (encoding, bom) = Encoding::sniff(head);
        let rest = head.get(bom..).unwrap_or(&[]).to_vec();
        let utf16 = encoding.utf16().map(|e| Utf16 {
            decoder: e.new_decoder_without_bom_handling(),
            raw: rest.clone(),
            raw_pos: 0,
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            done: false,
        });
        Ok(Decoder {
            inner,
            encoding,
            head: if utf16.is_some() { Vec::new() } else { rest },
            head_pos: 0,
            utf16,
            replaced: 0,
        })
    }

    /// The encoding found.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Unpaired UTF-16 surrogates replaced by U+FFFD so far.
    pub fn replaced(&self) -> u64 {
        self.replaced
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The wrapped reader, borrowed.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Decodes more UTF-16 into `u.out`; false at the end of the input.
    fn refill_utf16(inner: &mut R, u: &mut Utf16, replaced: &mut u64) -> io::Result<bool> {
        u.out.clear();
        u.out_pos = 0;
        loop {
            if u.done {
                return Ok(false);
            }
            if u.raw_pos >= u.raw.len() && !u.eof {
                u.raw.clear();
                u.raw_pos = 0;
                u.raw.resize(RAW_BUF, 0);
                let n = loop {
                    match inner.read(&mut u.raw) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                u.raw.truncate(n);
                u.eof = n == 0;
            }
            let input = u.raw.get(u.raw_pos..).unwrap_or(&[]);
            let room = u
                .decoder
                .max_utf8_buffer_length_without_replacement(input.len())
                .unwrap_or(input.len() * 3 + 16)
                .max(16);
            u.out.resize(room, 0);
            let last = u.eof;
            let mut written = 0;
            let mut consumed = 0;
            loop {
                let (result, read, wrote) = u.decoder.decode_to_utf8_without_replacement(
                    input.get(consumed..).unwrap_or(&[]),
                    u.out.get_mut(written..).unwrap_or(&mut []),
                    last,
                );
                consumed += read;
                written += wrote;
                match result {
                    encoding_rs::DecoderResult::InputEmpty => break,
                    encoding_rs::DecoderResult::OutputFull => {
                        u.out.resize(u.out.len() * 2 + 16, 0);
                    }
                    encoding_rs::DecoderResult::Malformed(_, _) => {
                        *replaced += 1;
                        if u.out.len() < written + 3 {
                            u.out.resize(written + 3 + 16, 0);
                        }
                        let mut tmp = [0u8; 3];
                        let fffd = char::REPLACEMENT_CHARACTER.encode_utf8(&mut tmp);
                        if let Some(dst) = u.out.get_mut(written..written + 3) {
                            dst.copy_from_slice(fffd.as_bytes());
                        }
                        written += 3;
                    }
                }
            }
            u.raw_pos += consumed;
            u.out.truncate(written);
            if last {
                u.done = true;
            }
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match &mut self.utf16 {
            None => {
                if let Some(pending) = self.head.get(self.head_pos..).filter(|p| !p.is_empty()) {
                    let n = pending.len().min(buf.len());
                    if let (Some(dst), Some(src)) = (buf.get_mut(..n), pending.get(..n)) {
                        dst.copy_from_slice(src);
                    }
                    self.head_pos += n;
                    return Ok(n);
                }
                if matches!(self.encoding, Encoding::Utf32Le | Encoding::Utf32Be) {
                    return Ok(0);
                }
                self.inner.read(buf)
            }
            Some(u) => {
                if u.out_pos >= u.out.len()
                    && !Self::refill_utf16(&mut self.inner, u, &mut self.replaced)?
                {
                    return Ok(0);
                }
                let pending = u.out.get(u.out_pos..).unwrap_or(&[]);
                let n = pending.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), pending.get(..n)) {
                    dst.copy_from_slice(src);
                }
                u.out_pos += n;
                Ok(n)
            }
        }
    }
}

/// Opens a decoded, hashed stream over `raw`: the reader every text input goes through.
/// UTF-32 is refused here, with a message that says how to re-export.
pub(crate) fn open<'p, R: Read>(
    raw: R,
    progress: &'p dyn Progress,
    shown: &str,
) -> Result<Decoder<HashingReader<'p, R>>, Errors> {
    open_hashed(raw, progress, shown, true)
}

/// [`open`], hashing the bytes only when `hash` (a run that shows no evidence skips it).
pub(crate) fn open_hashed<'p, R: Read>(
    raw: R,
    progress: &'p dyn Progress,
    shown: &str,
    hash: bool,
) -> Result<Decoder<HashingReader<'p, R>>, Errors> {
    let reader = HashingReader::new(raw, progress);
    let reader = if hash { reader } else { reader.unhashed() };
    let dec = Decoder::new(reader).map_err(|e| Errors::from(vec![io_error(shown, &e)]))?;
    match dec.encoding() {
        Encoding::Utf32Le | Encoding::Utf32Be => Err(Errors::from(vec![
            Diagnostic::error(
                Code::Encoding,
                format!(
                    "`{shown}` is {} (its byte-order mark says so), which scopesim does not read",
                    if dec.encoding() == Encoding::Utf32Le {
                        "UTF-32 little-endian"
                    } else {
                        "UTF-32 big-endian"
                    }
                ),
            )
            .at(FileLocation::file(shown).at_line(1).at_column(1))
            .with_help(
                "re-export with `-Encoding utf8` (PowerShell), or save the file as UTF-8 or UTF-16",
            ),
        ])),
        _ => Ok(dec),
    }
}

/// Fills `buf` from `r` until it holds `len` bytes or the input ends; returns true at the
/// end of input.
pub fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, len: usize) -> io::Result<bool> {
    while buf.len() < len {
        let start = buf.len();
        buf.resize(len, 0);
        let got = r.read(buf.get_mut(start..).unwrap_or(&mut []));
        match got {
            Ok(0) => {
                buf.truncate(start);
                return Ok(true);
            }
            Ok(n) => buf.truncate(start + n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(start),
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::input::NoProgress;

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xff, 0xfe]
        } else {
            vec![0xfe, 0xff]
        };
        for u in text.encode_utf16() {
            out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    fn decode_all(bytes: &[u8], chunk: usize) -> (String, Encoding, u64) {
        // A reader that hands out `chunk` bytes at a time, to cross every boundary.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut d = Decoder::new(Trickle(bytes, chunk)).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0u8; if chunk % 2 == 0 { 7 } else { 1 }];
        loop {
            let n = d.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (String::from_utf8(out).unwrap(), d.encoding(), d.replaced())
    }

    #[test]
    fn utf16_both_byte_orders_decode_across_any_boundary() {
        let text = "Id,Name\r\n\"1\",\"Jörg 😀 Müller\"\r\n";
        for le in [true, false] {
            for chunk in [1, 2, 3, 5, 64] {
                let (got, enc, replaced) = decode_all(&utf16(text, le), chunk);
                assert_eq!(got, text, "le={le} chunk={chunk}");
                assert_eq!(
                    enc,
                    if le {
                        Encoding::Utf16Le
                    } else {
                        Encoding::Utf16Be
                    }
                );
                assert_eq!(replaced, 0);
            }
        }
    }

    #[test]
    fn utf8_bom_is_dropped_and_plain_utf8_passes_through() {
        let (got, enc, _) = decode_all(b"\xef\xbb\xbfa,b\n", 2);
        assert_eq!((got.as_str(), enc), ("a,b\n", Encoding::Utf8Bom));
        let (got, enc, _) = decode_all(b"ab", 1);
        assert_eq!((got.as_str(), enc), ("ab", Encoding::Utf8));
        let (got, enc, _) = decode_all(b"abcdef", 64);
        assert_eq!((got.as_str(), enc), ("abcdef", Encoding::Utf8));
        let (got, _, _) = decode_all(b"", 1);
        assert_eq!(got, "");
    }

    #[test]
    fn unpaired_surrogates_are_replaced_and_counted() {
        let mut bytes = vec![0xff, 0xfe];
        for u in [0x41u16, 0xd800, 0x42, 0xdc00, 0x43] {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (got, _, replaced) = decode_all(&bytes, 3);
        assert_eq!(got, "A\u{fffd}B\u{fffd}C");
        assert_eq!(replaced, 2);
        // An odd trailing byte is one replacement too.
        let mut odd = utf16("ab", true);
        odd.push(0x41);
        let (got, _, replaced) = decode_all(&odd, 64);
        assert_eq!((got.as_str(), replaced), ("ab\u{fffd}", 1));
    }

    #[test]
    fn utf32_is_recognised_not_misread_as_utf16() {
        let mut le = vec![0xff, 0xfe, 0, 0];
        for c in "Id\n".chars() {
            le.extend_from_slice(&(c as u32).to_le_bytes());
        }
        let mut be = vec![0, 0, 0xfe, 0xff];
        for c in "Id\n".chars() {
            be.extend_from_slice(&(c as u32).to_be_bytes());
        }
        assert_eq!(Encoding::sniff(&le), (Encoding::Utf32Le, 4));
        assert_eq!(Encoding::sniff(&be), (Encoding::Utf32Be, 4));
        for bytes in [le, be] {
            let errs = match open(&bytes[..], &NoProgress, "u.csv") {
                Err(e) => e,
                Ok(_) => panic!("UTF-32 was accepted"),
            };
            assert_eq!(errs[0].code, "encoding");
            assert!(errs[0].message.contains("UTF-32"), "{}", errs[0].message);
            assert!(errs[0].help.as_deref().unwrap().contains("UTF-8"));
        }
    }

    #[test]
    fn hashing_reader_hashes_what_passes() {
        let mut r = HashingReader::new(&b"abc"[..], &NoProgress);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        let (hash, n) = r.finish();
        assert_eq!(n, 3);
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bomless_utf16_is_recognised() {
        let bytes = utf16("userPrincipalName,displayName\r\n", true);
        assert!(looks_like_bomless_utf16(&bytes[2..]));
        assert!(!looks_like_bomless_utf16(
            b"userPrincipalName,displayName\r\n"
        ));
    }
}
