//! `scopesim expression`: evaluate one attribute-mapping expression on given values, like
//! Graph's parseExpression, without a tenant.

use super::Exit;
use super::output::Out;
use scopesim::mapping::parse_expression::{inputs, parse_expression, render_human, render_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The parsed expression, its result and the fixed inputs used.
    Human,
    /// Graph's parseExpressionResponse fields, plus the fixed inputs and notes.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The expression, as in the mapping editor: `Append([userPrincipalName], ".test")`.
    pub expression: String,
    /// A source attribute's value: `--set mail=john@contoso.com` (repeatable; `--set mail=`
    /// is the empty string; an attribute not set is NULL).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// A multi-valued attribute: `--set-list proxyAddresses=SMTP:a@x.com,smtp:b@x.com`.
    #[arg(long = "set-list", value_name = "NAME=A,B")]
    pub set_list: Vec<String>,
    /// The time `Now()` returns (ISO 8601, such as 2024-05-01T12:00:00Z); without it,
    /// the system clock, and the output says so.
    #[arg(long)]
    pub now: Option<String>,
    /// The seed `Guid()` and `RandomString()` draw from (default 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let (values, ctx, now_source) =
        match inputs(&args.set, &args.set_list, args.now.as_deref(), args.seed) {
            Ok(i) => i,
            Err(d) => return out.error(d),
        };
    let tested = parse_expression(&args.expression, &values, &ctx, now_source);
    out.diagnostics(&tested.all_diagnostics(), &tested.sources);
    let text = match args.format {
        Format::Human => render_human(&tested),
        Format::Json => format!("{:#}\n", render_json(&tested)),
    };
    let printed = out.stdout(&text);
    if tested.succeeded() {
        printed
    } else {
        Exit::Error
    }
}
