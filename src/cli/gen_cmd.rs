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
    /// Also write a provisioning log consistent with the plan of these rules (`reconcile`).
    #[arg(long, value_name = "RULES")]
    pub logs: Option<PathBuf>,
    /// With --logs: discrepancies of each kind to inject.
    #[arg(long, default_value_t = 0, requires = "logs")]
    pub inject: usize,
    /// With --logs: the app (when the rules have several) and stage (default: the last).
    #[arg(long, requires = "logs")]
    pub app: Option<String>,
    #[arg(long, requires = "logs")]
    pub stage: Option<String>,
    /// With --logs: `ndjson`, or `json` (one array, as the admin center downloads it).
    #[arg(long, default_value = "ndjson", requires = "logs")]
    pub logs_format: String,
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
            let mut s = summary.describe(&args.out);
            if let Some(rules) = &args.logs {
                let logs = scopesim::reconcile::generate::from_args(
                    rules,
                    &args.out,
                    args.seed,
                    args.inject,
                    args.app.clone(),
                    args.stage.clone(),
                    &args.logs_format,
                );
                match logs {
                    Ok(text) => s.push_str(&text),
                    Err(e) => return out.errors(&e),
                }
            }
            out.stdout(&s)
        }
        Err(e) => out.error(
            Diagnostic::error(Code::Gen, e.to_string())
                .with_help("check the output directory and the options"),
        ),
    }
}
