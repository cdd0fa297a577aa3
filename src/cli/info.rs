//! `newsclf info`.

use std::io::Write;

use anyhow::Result;
use newsclf::info::describe;
use newsclf::report::render_info;

use super::args::{EvalFormat, InfoArgs};
use super::{load_model, model_source};

pub fn run(args: InfoArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let (source, bytes) = model_source(args.model.as_deref(), &model);
    let info = describe(&model, &source, bytes);
    let mut out = std::io::stdout().lock();
    match args.format {
        EvalFormat::Text => write!(out, "{}", render_info(&info))?,
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &info)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}
