//! Text encodings of directory exports, decoded while streaming, and the file hash taken on
//! the way.
//!
//! Exports come as UTF-8 with or without a BOM (Entra, PowerShell 7, `-Encoding UTF8`) or
//! as UTF-16 with a BOM (Windows PowerShell 5.1 `-Encoding Unicode`, and `Out-File`'s
//! default). Files reach gigabytes, so nothing here holds a whole file: [`HashingReader`]
//! hashes the raw bytes as they are read (the SHA-256 that reports cite, without a second
//! read) and reports progress, and [`Decoder`] turns the byte stream into UTF-8 on the fly,
//! so that every reader downstream sees one encoding. UTF-8 itself is validated by the
//! readers, block by block, where the line and column of a bad byte are known.

use super::read::Progress;
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
}

impl Encoding {
    /// The name recorded in [`super::InputInfo::encoding`].
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    /// The encoding announced by a byte-order mark at the start of `bytes`, and the BOM's
    /// length; plain UTF-8 when there is none.
    pub fn sniff(bytes: &[u8]) -> (Encoding, usize) {
        if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
            (Encoding::Utf8Bom, 3)
        } else if bytes.starts_with(&[0xff, 0xfe]) {
            (Encoding::Utf16Le, 2)
        } else if bytes.starts_with(&[0xfe, 0xff]) {
            (Encoding::Utf16Be, 2)
        } else {
            (Encoding::Utf8, 0)
        }
    }
}

/// True when bytes without a BOM look like UTF-16 (NUL in every other byte of ASCII text).
pub fn looks_like_bomless_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(512) & !1];
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

/// Reads from `inner`, hashing every byte (SHA-256), counting them and reporting progress.
pub struct HashingReader<'p, R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    progress: &'p dyn Progress,
}

impl<'p, R: Read> HashingReader<'p, R> {
    /// Wraps a reader.
    pub fn new(inner: R, progress: &'p dyn Progress) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress,
        }
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Lowercase hex SHA-256 of the bytes read, and their count.
    pub fn finish(self) -> (String, u64) {
        (crate::text::hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        self.bytes += n as u64;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Size of the raw buffer used when transcoding UTF-16.
const RAW_BUF: usize = 1 << 16;

/// Turns a byte stream (any [`Encoding`]) into UTF-8, dropping the BOM.
///
/// UTF-8 passes through untouched (its validity is checked by the readers, which know
/// where they are in the file). UTF-16 is transcoded; an unpaired surrogate becomes
/// U+FFFD and is counted in [`Decoder::replaced`], so the reader can warn about it.
pub struct Decoder<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read ahead (BOM sniffing) or raw UTF-16 not yet transcoded.
    raw: Vec<u8>,
    raw_pos: usize,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
    replaced: u64,
    eof: bool,
    /// Decoded bytes that did not fit a tiny caller buffer.
    spill: [u8; 4],
    spill_pos: usize,
    spill_len: usize,
}

impl<R: Read> Decoder<R> {
    /// Sniffs the BOM (reading up to 3 bytes) and starts decoding.
    pub fn new(mut inner: R) -> io::Result<Self> {
        let mut head = [0u8; 3];
        let mut got = 0;
        while got < head.len() {
            let n = inner.read(&mut head[got..])?;
            if n == 0 {
                break;
            }
            got += n;
        }
        let head = &head[..got];
        let (encoding, bom) = Encoding::sniff(head);
        let raw = head.get(bom..).unwrap_or(&[]).to_vec();
        Ok(Decoder {
            inner,
            encoding,
            raw,
            raw_pos: 0,
            high: None,
            replaced: 0,
            eof: false,
            spill: [0; 4],
            spill_pos: 0,
            spill_len: 0,
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

    fn read_utf16(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let le = self.encoding == Encoding::Utf16Le;
        loop {
            let mut written = 0;
            // Transcode what is buffered while at least one full character (4 bytes) fits.
            while out.len() - written >= 4 {
                let Some(pair) = self.raw.get(self.raw_pos..self.raw_pos + 2) else {
                    break;
                };
                let unit = if le {
                    u16::from_le_bytes([pair[0], pair[1]])
                } else {
                    u16::from_be_bytes([pair[0], pair[1]])
                };
                self.raw_pos += 2;
                let ch = match (self.high.take(), unit) {
                    (None, 0xd800..=0xdbff) => {
                        self.high = Some(unit);
                        continue;
                    }
                    (Some(h), 0xdc00..=0xdfff) => {
                        let c =
                            0x10000 + ((u32::from(h) - 0xd800) << 10) + (u32::from(unit) - 0xdc00);
                        char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)
                    }
                    (Some(_), _) => {
                        // The pending high surrogate had no pair; this unit starts afresh.
                        self.replaced += 1;
                        self.raw_pos -= 2;
                        char::REPLACEMENT_CHARACTER
                    }
                    (None, 0xdc00..=0xdfff) => {
                        self.replaced += 1;
                        char::REPLACEMENT_CHARACTER
                    }
                    (None, u) => {
                        char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER)
                    }
                };
                written += ch.encode_utf8(&mut out[written..]).len();
            }
            if written > 0 || out.len() < 4 {
                return Ok(written);
            }
            // Refill: keep an odd trailing byte, read more.
            let rest = self.raw.get(self.raw_pos..).unwrap_or(&[]).to_vec();
            if self.eof {
                if self.high.take().is_some() || !rest.is_empty() {
                    self.replaced += 1;
                    self.raw.clear();
                    self.raw_pos = 0;
                    let n = char::REPLACEMENT_CHARACTER.encode_utf8(out).len();
                    return Ok(n);
                }
                return Ok(0);
            }
            self.raw.clear();
            self.raw.extend_from_slice(&rest);
            self.raw_pos = 0;
            let start = self.raw.len();
            self.raw.resize(start + RAW_BUF, 0);
            let n = self.inner.read(&mut self.raw[start..])?;
            self.raw.truncate(start + n);
            if n == 0 {
                self.eof = true;
            }
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => {
                if self.raw_pos < self.raw.len() {
                    let pending = &self.raw[self.raw_pos..];
                    let n = pending.len().min(buf.len());
                    buf[..n].copy_from_slice(&pending[..n]);
                    self.raw_pos += n;
                    return Ok(n);
                }
                self.inner.read(buf)
            }
            Encoding::Utf16Le | Encoding::Utf16Be => {
                if self.spill_pos < self.spill_len {
                    let n = (self.spill_len - self.spill_pos).min(buf.len());
                    buf[..n].copy_from_slice(&self.spill[self.spill_pos..self.spill_pos + n]);
                    self.spill_pos += n;
                    return Ok(n);
                }
                if buf.len() < 4 {
                    // Too small for one character: decode one into the spill buffer.
                    let mut tmp = [0u8; 4];
                    let n = self.read_utf16(&mut tmp)?;
                    let k = n.min(buf.len());
                    buf[..k].copy_from_slice(&tmp[..k]);
                    self.spill = tmp;
                    self.spill_pos = k;
                    self.spill_len = n;
                    return Ok(k);
                }
                self.read_utf16(buf)
            }
        }
    }
}

/// Fills `buf` from `r` until it holds `len` bytes or the input ends; returns true at the
/// end of input.
pub fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, len: usize) -> io::Result<bool> {
    while buf.len() < len {
        let start = buf.len();
        buf.resize(len, 0);
        match r.read(&mut buf[start..]) {
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

/// Line (1-based, counting from `first_line`) and byte column (1-based) of offset `pos`
/// in `text`.
pub fn line_col(text: &[u8], pos: usize, first_line: u64) -> (u64, u64) {
    let before = &text[..pos.min(text.len())];
    let line = first_line + memchr::memchr_iter(b'\n', before).count() as u64;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, (before.len() - line_start) as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::read::NoProgress;

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

    #[test]
    fn line_and_byte_column() {
        assert_eq!(line_col(b"ab\ncd\nef", 7, 1), (3, 2));
        assert_eq!(line_col(b"ab\ncd\nef", 0, 5), (5, 1));
    }
}
