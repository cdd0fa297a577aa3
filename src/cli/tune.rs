//! `newsclf tune`.

use std::time::Instant;

use anyhow::Result;
use newsclf::Folds;
use newsclf::render_tuning;
use newsclf::{Grid, tune};

use super::args::TuneArgs;
use super::train::{corpus_spec, loss, read_corpus, save_and_summarize, train_config};
use super::{Ui, print_report};

pub fn run(args: TuneArgs, ui: Ui) -> Result<()> {
    let started = Instant::now();
    let base = train_config(&args.settings)?;
    let grid = Grid {
        losses: args.grid_loss.iter().map(|&l| loss(l)).collect(),
        cs: args.grid_c.clone(),
        char_ngrams: args.grid_char_ngrams.iter().map(|r| r.0).collect(),
        min_dfs: args.grid_min_df.clone(),
    };
    // Every setting and grid value is checked before the data is read.
    let trials = grid.configs(&base)?.len() as u64;
    Folds::check(args.folds)?;
    let spec = corpus_spec(&args.settings, &args.reading)?;
    let clock = Instant::now();
    let corpus = read_corpus(&args.data, &spec, &args.settings, &args.reading, ui)?;
    let read_time = clock.elapsed();
    let bar = ui.progress(Some(trials), "settings");
    bar.set_message(format!("{}-fold cross-validation", args.folds));
    let tuned = tune(
        &base,
        &grid,
        &corpus,
        args.folds,
        args.fold_seed,
        &|done, _| bar.set_position(done as u64),
    );
    bar.finish_and_clear();
    let tuned = tuned?;
    print_report(args.format, &tuned.record, render_tuning)?;
    ui.say(format!(
        "training the best settings on all {} rows: {}",
        corpus.len(),
        tuned.record.trials[tuned.record.chosen].settings
    ));
    let bar = ui.progress(None, "");
    let fitted = tuned.fit(&corpus, &spec.text_col, &|s| bar.set_message(s.to_string()));
    bar.finish_and_clear();
    let (model, report) = fitted?;
    save_and_summarize(&args.out, ui, &model, &report, (started, read_time))
}
