//! `newsclf explain`.

use std::io::Write;

use anyhow::Result;
use newsclf::explain::explain;
use newsclf::report::render_explanation;

use super::args::{EvalFormat, ExplainArgs};
use super::load_model;

pub fn run(args: ExplainArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let why = explain(&model, &args.text, args.top);
    let mut out = std::io::stdout().lock();
    match args.format {
        EvalFormat::Text => write!(out, "{}", render_explanation(&why))?,
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &why)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}
