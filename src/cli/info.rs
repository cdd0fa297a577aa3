//! `newsclf info`.

use anyhow::Result;
use newsclf::describe_model;
use newsclf::render_info;

use super::args::InfoArgs;
use super::{load_model, model_source, print_report};

pub fn run(args: InfoArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let (source, bytes) = model_source(args.model.as_deref(), &model);
    let info = describe_model(&model, &source, bytes);
    print_report(args.format, &info, render_info)?;
    Ok(())
}
