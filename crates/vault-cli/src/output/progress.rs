//! Progress bars for long work (tree walks, audit logs, imports): drawn on stderr only when stderr
//! is a terminal and `-q` was not given; otherwise every call is a no-op.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar or spinner that may be hidden.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar of `total` steps (bytes, records, secrets), or a spinner when `total` is unknown.
    pub(crate) fn new(total: Option<u64>, message: &str, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = match total {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        if visible {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let template = if total.is_some() {
                "{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})"
            } else {
                "{spinner} {msg} {pos}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_message(message.to_string());
        Progress { bar }
    }

    /// The underlying bar (hidden when not drawing), for callbacks on other threads.
    pub(crate) fn bar(&self) -> ProgressBar {
        self.bar.clone()
    }

    /// Advance the bar by `n` units (files, lines or bytes, as the caller counts).
    pub(crate) fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Remove the bar from the screen.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
