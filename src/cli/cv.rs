//! `newsclf cv`.

use anyhow::Result;
use newsclf::Trainer;
use newsclf::render_cv;
use newsclf::{Folds, cross_validate};

use super::args::CvArgs;
use super::train::{corpus_spec, read_corpus, train_config};
use super::{Ui, print_report};

pub fn run(args: CvArgs, ui: Ui) -> Result<()> {
    let trainer = Trainer::new(train_config(&args.settings)?);
    Folds::check(args.folds)?;
    let spec = corpus_spec(&args.settings, &args.reading)?;
    let corpus = read_corpus(&args.data, &spec, &args.settings, &args.reading, ui)?;
    let bar = ui.progress(None, "");
    let report = cross_validate(&trainer, &corpus, args.folds, args.fold_seed, &|s| {
        bar.set_message(s.to_string())
    });
    bar.finish_and_clear();
    let report = report?;
    print_report(args.format, &report, render_cv)?;
    Ok(())
}
