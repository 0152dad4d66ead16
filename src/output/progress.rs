//! Progress of long reads: a trait the readers call from their threads, and the bar that
//! the binary shows for it on stderr.
//!
//! The bar appears only when stderr is a terminal and the work has lasted a second, so
//! pipes, CI logs and quick runs never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Progress of reading, for a progress bar. Called from reading threads.
pub trait Progress: Sync {
    /// An input starts; `total_bytes` is its size (0 when unknown, as for a pipe).
    fn start(&self, _label: &str, _total_bytes: u64) {}
    /// `bytes` more bytes of the current input were read.
    fn inc(&self, _bytes: u64) {}
    /// The current input is done.
    fn finish(&self) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A progress bar on stderr that appears only when work lasts more than a second and
/// stderr is a terminal.
#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
    enabled: bool,
}

impl Bar {
    /// A bar that shows only when `enabled` (stderr is a terminal).
    pub fn new(enabled: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:12} [{bar:40}] {bytes}/{total_bytes} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
            enabled,
        }
    }

    fn maybe_show(&self) {
        if !self.enabled || self.started.elapsed() < Duration::from_secs(1) {
            return;
        }
        if let Ok(mut shown) = self.shown.lock() {
            if !*shown {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total_bytes: u64) {
        self.bar.set_message(label.to_string());
        self.bar.set_length(total_bytes);
        self.bar.set_position(0);
    }
    fn inc(&self, bytes: u64) {
        self.bar.inc(bytes);
        self.maybe_show();
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
