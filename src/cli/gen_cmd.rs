//! `scopesim gen`: a reproducible synthetic directory, for demos, tests and benchmarks.

use super::Exit;
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::directory::synth::{DEFAULT_JSON_PAGE_SIZE, GenFormat, GenOptions, generate};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of users.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Users files to write: csv (Download users), json (Graph pages), ndjson.
    #[arg(long, value_delimiter = ',', default_value = "csv,json", value_parser = parse_gen_format)]
    pub formats: Vec<GenFormat>,
    /// Users per Graph JSON page (1-999).
    #[arg(long, default_value_t = DEFAULT_JSON_PAGE_SIZE)]
    pub page_size: usize,
}

fn parse_gen_format(s: &str) -> Result<GenFormat, String> {
    s.parse()
        .map_err(|e: scopesim::directory::synth::GenError| e.to_string())
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let opts = GenOptions {
        users: args.users,
        seed: args.seed,
        out_dir: args.out.clone(),
        formats: args.formats.clone(),
        json_page_size: args.page_size,
    };
    match generate(&opts) {
        Ok(summary) => {
            let mut s = format!(
                "generated {} users ({} guests, {} disabled), {} groups, {} assignments in {}\n",
                summary.users,
                summary.guests,
                summary.disabled,
                summary.groups,
                summary.assignments,
                args.out.display()
            );
            for f in &summary.files {
                s.push_str(&format!("  {}\n", f.display()));
            }
            out.stdout(&s)
        }
        Err(e) => out.error(
            Diagnostic::error(Code::Gen, e.to_string())
                .with_help("check the output directory and the options"),
        ),
    }
}
