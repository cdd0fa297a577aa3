//! `newsclf info`.

use std::io::Write;

use anyhow::Result;
use newsclf::info::describe;
use newsclf::model::EMBEDDED_NAME;
use newsclf::report::render_info;

use super::args::{EvalFormat, InfoArgs};
use super::load_model;

pub fn run(args: InfoArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let (source, bytes) = match &args.model {
        Some(p) => (
            p.display().to_string(),
            std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        ),
        None => (EMBEDDED_NAME.to_string(), model.to_bytes().len() as u64),
    };
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
