//! `newsclf explain`.

use anyhow::Result;
use newsclf::explain;
use newsclf::render_explanation;

use super::args::ExplainArgs;
use super::{load_model, print_report};

pub fn run(args: ExplainArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let why = explain(&model, &args.text, args.top);
    print_report(args.format, &why, |v| render_explanation(v))?;
    Ok(())
}
