//! Progress of a whole run: a trait the readers and the pipeline call from their threads,
//! and the bar that the binary shows for it on stderr.
//!
//! One bar covers the run: its length is the size of every input file (rules,
//! assignments, group members, target states, every directory file), bytes advance as
//! each file is read, and the phases that read nothing (evaluating, rolling out, writing
//! the report) show their name with the time spent. The bar appears only when stderr is
//! a terminal, `CI` is not set, and the run has lasted a second (a watcher thread shows
//! it then, whatever the phase), so pipes, CI logs and quick runs never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Progress of a run, for a progress bar. Called from reading threads.
pub trait Progress: Sync {
    /// An input starts; `total_bytes` is its size (0 when unknown, as for a pipe).
    fn start(&self, _label: &str, _total_bytes: u64) {}
    /// `bytes` more bytes of the current input were read.
    fn inc(&self, _bytes: u64) {}
    /// The current input is done.
    fn finish(&self) {}
    /// A phase that reads no file starts (`evaluating the rules`, `rolling out`).
    fn phase(&self, _name: &str) {}
    /// A file of `bytes` that the run read without reporting its bytes (rules,
    /// assignments) is done.
    fn advance(&self, _bytes: u64) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// The phases of a run, in order, as the bar names them.
pub mod phase {
    /// Reading and checking the rules.
    pub const RULES: &str = "reading the rules";
    /// Reading assignments, group members and target states.
    pub const INPUTS: &str = "reading assignments and accounts";
    /// Compiling and evaluating the rules on every user.
    pub const EVALUATE: &str = "evaluating the rules";
    /// Running the action table through the stages.
    pub const ROLLOUT: &str = "rolling out the stages";
    /// Comparing two versions of the rules.
    pub const COMPARE: &str = "comparing";
    /// Running the lint's analyses.
    pub const LINT: &str = "linting";
    /// Writing the per-user report.
    pub const REPORT: &str = "writing the report";
    /// Rendering the summary.
    pub const RENDER: &str = "rendering";
}

/// A progress bar on stderr over the whole run, shown only when work lasts more than a
/// second and stderr is a terminal outside CI.
#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
    /// The run is over (the watcher that shows the bar after a second stops); a lock, so
    /// that the bar is never shown after it was cleared.
    done: Arc<Mutex<bool>>,
    /// Bytes of the files read before the current one.
    read: AtomicU64,
    /// Bytes of the current file read.
    current: AtomicU64,
    /// Size of the current file.
    current_total: AtomicU64,
}

/// The size of `paths` together (files that cannot be read count 0).
pub fn total_size<'a>(paths: impl IntoIterator<Item = &'a Path>) -> u64 {
    paths
        .into_iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

impl Bar {
    /// A bar that shows only when `enabled` (stderr is a terminal), over a run that
    /// reads nothing known in advance.
    pub fn new(enabled: bool) -> Bar {
        Bar::for_run(enabled, 0)
    }

    /// A bar over a run whose input files total `total_bytes`.
    pub fn for_run(enabled: bool, total_bytes: u64) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:32!} [{bar:30}] {bytes}/{total_bytes} {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        let done = Arc::new(Mutex::new(false));
        if enabled && std::env::var_os("CI").is_none() {
            // Shown after a second whatever phase the run is in (a phase that reads no
            // file reports nothing to draw on).
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                let start = Instant::now();
                let over = || done.lock().map_or(true, |d| *d);
                while start.elapsed() < Duration::from_secs(1) {
                    if over() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                if let Ok(d) = done.lock() {
                    if !*d {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        bar.enable_steady_tick(Duration::from_millis(200));
                    }
                }
            });
        }
        Bar {
            bar,
            done,
            read: AtomicU64::new(0),
            current: AtomicU64::new(0),
            current_total: AtomicU64::new(0),
        }
    }

    /// A phase that reads no file starts (the [`phase`] names).
    pub fn phase(&self, name: &str) {
        Progress::phase(self, name);
    }

    /// A file of `bytes` that the run read without reporting its bytes (rules,
    /// assignments) is done.
    pub fn advance(&self, bytes: u64) {
        self.read.fetch_add(bytes, Ordering::Relaxed);
        self.sync();
    }

    fn sync(&self) {
        let done = self.read.load(Ordering::Relaxed);
        // A reader may read a file twice (a CSV re-cut): never past the file's size.
        let cur = self
            .current
            .load(Ordering::Relaxed)
            .min(self.current_total.load(Ordering::Relaxed));
        let pos = done + cur;
        if self.bar.length().is_some_and(|l| pos > l) {
            self.bar.set_length(pos);
        }
        self.bar.set_position(pos);
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total_bytes: u64) {
        self.bar.set_message(format!("reading {label}"));
        self.current.store(0, Ordering::Relaxed);
        self.current_total.store(total_bytes, Ordering::Relaxed);
        self.sync();
    }
    fn inc(&self, bytes: u64) {
        self.current.fetch_add(bytes, Ordering::Relaxed);
        self.sync();
    }
    fn finish(&self) {
        let total = self.current_total.swap(0, Ordering::Relaxed);
        self.current.store(0, Ordering::Relaxed);
        self.read.fetch_add(total, Ordering::Relaxed);
        self.sync();
    }
    fn phase(&self, name: &str) {
        self.bar.set_message(name.to_string());
        self.sync();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Ok(mut d) = self.done.lock() {
            *d = true;
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_spans_every_file_and_phase() {
        let bar = Bar::for_run(false, 300);
        bar.phase(phase::RULES);
        bar.advance(100);
        bar.start("users.csv", 200);
        bar.inc(150);
        assert_eq!(bar.bar.position(), 250);
        bar.inc(150);
        assert_eq!(
            bar.bar.position(),
            300,
            "a second pass never runs past the file"
        );
        bar.finish();
        bar.phase(phase::ROLLOUT);
        assert_eq!(bar.bar.position(), 300);
        assert_eq!(bar.bar.message(), phase::ROLLOUT);
    }
}
