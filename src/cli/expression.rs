//! `scopesim expression`: evaluate one attribute-mapping expression on given values, like
//! Graph's parseExpression, without a tenant.

use super::Exit;
use super::common::FixedArgs;
use super::output::Out;
use scopesim::mapping::parse_expression::{ExpressionFormat, inputs, parse_expression, render};

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
    #[command(flatten)]
    pub fixed: FixedArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExpressionFormat::Human)]
    pub format: ExpressionFormat,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let (values, ctx, now_source) = match inputs(
        &args.set,
        &args.set_list,
        args.fixed.now.as_deref(),
        args.fixed.seed,
    ) {
        Ok(i) => i,
        Err(d) => return out.error(d),
    };
    let tested = parse_expression(&args.expression, &values, &ctx, now_source);
    out.diagnostics(&tested.all_diagnostics(), &tested.sources);
    let printed = out.stdout(&render(&tested, args.format));
    if tested.succeeded() {
        printed
    } else {
        Exit::Error
    }
}
