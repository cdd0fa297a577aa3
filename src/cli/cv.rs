//! `newsclf cv`.

use std::io::Write;

use anyhow::Result;
use newsclf::Trainer;
use newsclf::cross_validation::cross_validate;
use newsclf::report::render_cv;

use super::Ui;
use super::args::{CvArgs, EvalFormat};
use super::train::{corpus_spec, read_corpus, train_config};

pub fn run(args: CvArgs, ui: Ui) -> Result<()> {
    let trainer = Trainer::new(train_config(&args.settings)?);
    let corpus = read_corpus(
        &args.data,
        &corpus_spec(&args.settings, &args.reading),
        &args.reading,
        ui,
    )?;
    let bar = ui.progress(None, "");
    let report = cross_validate(&trainer, &corpus, args.folds, args.fold_seed, &|s| {
        bar.set_message(s.to_string())
    });
    bar.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    match args.format {
        EvalFormat::Text => write!(out, "{}", render_cv(&report))?,
        EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}
