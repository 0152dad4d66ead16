//! Writing files so that a failure never leaves a half-written or clobbered file behind.
//!
//! An output is written to a temporary file in the destination's directory and renamed
//! over the destination only when the whole run has succeeded ([`stage`], then
//! [`Staged::commit`]); a run that fails, or is interrupted, removes its temporary files
//! and leaves every destination as it was. Files are what a colleague can read: a new
//! file gets the permissions the umask allows (0644 typically), an overwritten file keeps
//! its mode. A path that is a symbolic link is written through (the link stays, its target
//! is replaced); a path that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
//! written directly, as the user meant. Files are not fsynced: the guarantee is
//! "complete or absent", at page-cache speed.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files not yet committed, for removal when the process is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn register(p: &Path) {
    if let Ok(mut v) = PENDING.lock() {
        v.push(p.to_path_buf());
    }
}

fn unregister(p: &Path) {
    if let Ok(mut v) = PENDING.lock() {
        v.retain(|x| x != p);
    }
}

/// Removes every temporary file not yet committed (called when SIGINT or SIGTERM
/// arrives, just before the process exits).
pub fn remove_pending() {
    if let Ok(mut v) = PENDING.lock() {
        for p in v.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Where writing `path` really goes: through symbolic links to their target.
pub fn resolve(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(target) => {
                    p = match p.parent() {
                        Some(parent) if target.is_relative() => parent.join(target),
                        _ => target,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    p
}

/// True when `path` exists and is not a regular file (a device, a FIFO, a socket).
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// An output written but not yet in place.
#[derive(Debug)]
pub struct Staged {
    tmp: Option<tempfile::TempPath>,
    dest: PathBuf,
}

impl Staged {
    /// Puts the output in place (renames it over the destination).
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(tmp) = self.tmp.take() {
            let path = tmp.to_path_buf();
            let r = tmp.persist(&self.dest).map_err(|e| e.error);
            unregister(&path);
            r?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            unregister(tmp);
        }
    }
}

/// Writes the output for `path` (to a temporary file beside it, or directly to a device)
/// and returns it staged: nothing is at `path` until [`Staged::commit`]. On error, or when
/// the result is dropped uncommitted, the temporary file is removed.
pub fn stage<F>(path: &Path, write: F) -> io::Result<Staged>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let dest = resolve(path);
    if is_special(&dest) {
        let f = std::fs::OpenOptions::new().write(true).open(&dest)?;
        let mut w = BufWriter::with_capacity(1 << 16, f);
        write(&mut w)?;
        w.flush()?;
        return Ok(Staged { tmp: None, dest });
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let existing = std::fs::metadata(&dest).ok().map(|m| m.permissions());
    let tmp = new_temp(&dir)?;
    register(tmp.path());
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        write(&mut w)?;
        w.flush()?;
        drop(w);
        if let Some(p) = existing {
            // Overwriting keeps the file's mode (set explicitly: not subject to umask).
            tmp.as_file().set_permissions(p)?;
        }
        Ok(())
    })();
    let tmp = tmp.into_temp_path();
    if let Err(e) = result {
        unregister(&tmp);
        return Err(e);
    }
    Ok(Staged {
        tmp: Some(tmp),
        dest,
    })
}

/// A temporary file in `dir` created with mode 0666 less the umask (as `File::create`
/// would), not tempfile's default 0600.
fn new_temp(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".scopesim-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// A writer that hashes what passes through it (SHA-256), so that a report states the
/// hash of the very bytes it wrote.
pub struct Hashing<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W> Hashing<W> {
    /// Hashes what is written to `inner`.
    pub fn new(inner: W) -> Hashing<W> {
        Hashing {
            inner,
            hasher: <sha2::Sha256 as sha2::Digest>::new(),
        }
    }

    /// The SHA-256 of everything written, hex.
    pub fn hex(self) -> String {
        crate::text::hex(&sha2::Digest::finalize(self.hasher))
    }
}

/// [`stage`], with the SHA-256 (hex) of the bytes written.
pub fn stage_hashed<F>(path: &Path, write: F) -> io::Result<(Staged, String)>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let mut hex = String::new();
    let staged = stage(path, |w| {
        let mut h = Hashing::new(w);
        write(&mut h)?;
        hex = h.hex();
        Ok(())
    })?;
    Ok((staged, hex))
}

/// Writes `path` atomically and at once: [`stage`] then [`Staged::commit`].
pub fn write_atomic<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    stage(path, write)?.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_writes_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let r = write_atomic(&p, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(r.is_err());
        assert!(!p.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temporary file removed"
        );
        write_atomic(&p, |w| w.write_all(b"ok")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"ok");
    }

    #[test]
    fn staged_outputs_appear_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.csv");
        std::fs::write(&p, b"old").unwrap();
        let s = stage(&p, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        drop(s);
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        stage(&p, |w| w.write_all(b"new"))
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn files_honour_the_umask_and_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.csv");
        write_atomic(&fresh, |w| w.write_all(b"x")).unwrap();
        // What File::create gives under this process's umask.
        let probe = dir.path().join("probe");
        std::fs::File::create(&probe).unwrap();
        let want = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let got = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, want, "new files get 0666 less the umask, not 0600");
        let kept = dir.path().join("kept.csv");
        std::fs::write(&kept, b"x").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&kept, |w| w.write_all(b"y")).unwrap();
        assert_eq!(
            std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_written_through_and_devices_directly() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        write_atomic(Path::new("/dev/null"), |w| w.write_all(b"gone")).unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device_like()
        );
    }

    #[cfg(unix)]
    trait CharDevice {
        fn is_char_device_like(&self) -> bool;
    }

    #[cfg(unix)]
    impl CharDevice for std::fs::FileType {
        fn is_char_device_like(&self) -> bool {
            use std::os::unix::fs::FileTypeExt;
            self.is_char_device()
        }
    }
}
