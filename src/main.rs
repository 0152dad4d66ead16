//! The `scopesim` command: argument parsing, file I/O, rendering and exit codes.
//!
//! Everything Entra-specific lives in the library; this binary only wires it to the
//! command line (ripgrep's "core" shape).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
