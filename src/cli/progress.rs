//! Progress on standard error for long command-line work (scans, vault exports, imports,
//! verifications, migrations, key rotations, audit verification).
//!
//! Owns when a bar is shown and what it may say. A bar is drawn only when standard error is
//! a terminal, and only once the work has lasted about a second (`PHIGATE_PROGRESS_DELAY_MS`,
//! default 1000; 0 draws at once), so quick commands and anything piped or logged stay
//! byte-for-byte as they were. It says counts, bytes, rates and elapsed time under a fixed
//! label, never a file name or any input text (either can hold PHI). It is cleared when the
//! work ends, before the command prints its summary.

use std::io::{IsTerminal, Read, Write};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long work runs before its bar appears, unless `PHIGATE_PROGRESS_DELAY_MS` says.
const DEFAULT_DELAY: Duration = Duration::from_millis(1000);

/// How often a shown bar is redrawn (its spinner and rate move even without new counts).
const TICK: Duration = Duration::from_millis(120);

/// A bar for one piece of work; [`Progress::finish`] (or dropping it) removes it.
pub(crate) struct Progress {
    bar: ProgressBar,
    /// Dropped or sent to, it tells the reveal thread the work is over.
    stop: Option<mpsc::Sender<()>>,
    reveal: Option<JoinHandle<()>>,
}

impl Progress {
    /// Bytes through a reader or writer, against a total when one is known.
    pub(crate) fn bytes(label: &'static str, total: Option<u64>) -> Progress {
        let template = match total {
            Some(_) => {
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {elapsed})"
            }
            None => "{spinner} {prefix} {bytes} ({bytes_per_sec}, {elapsed})",
        };
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::hidden()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        };
        Progress::start(bar, label, template)
    }

    /// Work with nothing to count: a spinner and the time it has taken.
    pub(crate) fn spinner(label: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Progress::start(bar, label, "{spinner} {prefix} ({elapsed})")
    }

    fn start(bar: ProgressBar, label: &'static str, template: &str) -> Progress {
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label);
        let mut p = Progress {
            bar,
            stop: None,
            reveal: None,
        };
        if !std::io::stderr().is_terminal() {
            return p;
        }
        let delay = reveal_delay();
        if delay.is_zero() {
            show(&p.bar);
            return p;
        }
        let (tx, rx) = mpsc::channel::<()>();
        let bar = p.bar.clone();
        let spawned = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                // Only a timeout shows it: a message or a dropped sender means the work ended.
                if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(delay) {
                    show(&bar);
                }
            });
        // Without the thread there is no bar; the work itself goes on regardless.
        if let Ok(handle) = spawned {
            p.stop = Some(tx);
            p.reveal = Some(handle);
        }
        p
    }

    /// A reader that counts the bytes read through it.
    pub(crate) fn reader<R: Read>(&self, r: R) -> indicatif::ProgressBarIter<R> {
        self.bar.wrap_read(r)
    }

    /// A writer that counts the bytes written through it.
    pub(crate) fn writer<W: Write>(&self, w: W) -> indicatif::ProgressBarIter<W> {
        self.bar.wrap_write(w)
    }

    /// Ends the work: a bar not yet shown never will be; a shown one is cleared.
    pub(crate) fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.reveal.take() {
            // The thread only waits and draws; once it is done nothing else can show the bar.
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end();
    }
}

/// Draws the bar now (the steady tick's first draw would come a tick later), then keeps it
/// moving.
fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.tick();
    bar.enable_steady_tick(TICK);
}

/// `PHIGATE_PROGRESS_DELAY_MS`, or the default second.
fn reveal_delay() -> Duration {
    std::env::var("PHIGATE_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_DELAY, Duration::from_millis)
}

/// The size of a regular file (a bar's total), or nothing for a pipe or terminal.
pub(crate) fn file_len(path: Option<&std::path::Path>) -> Option<u64> {
    let p = path.filter(|p| p.as_os_str() != "-")?;
    let meta = std::fs::metadata(p).ok()?;
    meta.is_file().then_some(meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pass_through_readers_and_writers_unchanged() {
        let p = Progress::bytes("test", Some(11));
        let mut out = Vec::new();
        std::io::copy(&mut p.reader(&b"hello world"[..]), &mut out).expect("copy");
        assert_eq!(out, b"hello world");
        let mut w = p.writer(Vec::new());
        w.write_all(b"abc").expect("write");
        assert_eq!(p.bar.position(), 14);
        p.finish();
    }
}
