//! Colour where it carries meaning: held stages, disables and deletes, errors, warnings.
//!
//! Whether to colour is decided once per stream from `--color`, the conventions
//! `NO_COLOR` (no-color.org: present and not empty turns colour off) and `CLICOLOR_FORCE`
//! (bixense.com/clicolors: not `0` turns it on even in a pipe), and whether the stream is
//! a terminal. Renderers never decide it themselves: they get a [`Paint`] and ask it to
//! wrap text in a [`Tone`], so the same renderer gives plain text for files and pipes.
//! Only our own SGR sequences are ever written: data is escaped before it is painted
//! ([`crate::text::escape_control`]).

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it in a pipe).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether a stream gets colour: `--color always|never` decide; `auto` honours
    /// `NO_COLOR`, then `CLICOLOR_FORCE`, then colours only a terminal (not `TERM=dumb`).
    pub fn resolve(self, is_terminal: bool) -> bool {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if var("NO_COLOR").is_some() {
                    false
                } else if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else {
                    is_terminal && var("TERM").is_none_or(|t| t != "dumb")
                }
            }
        }
    }
}

/// What a piece of text means, and so its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// Loss or danger: disables, deletes, failures, errors (red).
    Danger,
    /// A stage held by the deletion threshold (bold red).
    Held,
    /// Worth a look: warnings, suppressed actions (yellow).
    Warn,
    /// Gains: creates (green).
    Good,
    /// Information: notes, info findings (cyan).
    Info,
    /// Less important: zeros, separators (dim).
    Dim,
    /// Headings (bold).
    Strong,
}

impl Tone {
    fn sgr(self) -> &'static str {
        match self {
            Tone::Danger => "31",
            Tone::Held => "1;31",
            Tone::Warn => "33",
            Tone::Good => "32",
            Tone::Info => "36",
            Tone::Dim => "2",
            Tone::Strong => "1",
        }
    }
}

/// Paints text in a [`Tone`] when colour is on, and leaves it alone otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paint {
    /// Colour is on.
    pub on: bool,
}

impl Paint {
    /// No colour.
    pub const PLAIN: Paint = Paint { on: false };

    /// Colour when `on`.
    pub fn new(on: bool) -> Paint {
        Paint { on }
    }

    /// `text` in `tone` (no tone, or colour off: `text` as it is).
    pub fn paint(self, tone: Option<Tone>, text: &str) -> String {
        match tone {
            Some(t) if self.on && !text.is_empty() => {
                format!("\u{1b}[{}m{text}\u{1b}[0m", t.sgr())
            }
            _ => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_is_plain_when_off_and_sgr_when_on() {
        assert_eq!(Paint::PLAIN.paint(Some(Tone::Danger), "disable"), "disable");
        assert_eq!(
            Paint::new(true).paint(Some(Tone::Danger), "disable"),
            "\u{1b}[31mdisable\u{1b}[0m"
        );
        assert_eq!(Paint::new(true).paint(None, "x"), "x");
        assert!(ColorChoice::Always.resolve(false));
        assert!(!ColorChoice::Never.resolve(true));
    }
}
