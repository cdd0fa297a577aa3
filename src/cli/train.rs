//! `newsclf train`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use newsclf::Loss;
use newsclf::Recipe;
use newsclf::train_file_streaming_from;
use newsclf::{CorpusSpec, LabeledCorpus, MultiLineRows, Rejects};
use newsclf::{FileChecks, MemoryLimit, MemoryPlan, memory_plan, train_file_streaming};
use newsclf::{Model, TrainConfig, Trainer};
use newsclf::{ModelKind, TrainSettings};
use newsclf::{TrainReport, check_labels, check_new_labels, evaluation_spec};
use newsclf::{available_memory, megabytes, peak_memory};
use newsclf::{read_stopwords, read_user_dict};

use super::Ui;
use super::args::{InputArgs, LossArg, ModelArg, SettingsArgs, TrainArgs, TrainingData};

pub fn run(args: TrainArgs, ui: Ui) -> Result<()> {
    let started = Instant::now();
    if let Some(init) = &args.init {
        return run_from(init, &args, ui, started);
    }
    let config = train_config(&args.settings)?;
    let spec = corpus_spec(&args.settings, &args.reading)?;
    let in_memory_note = match training_way(&args, ui)? {
        Way::Streaming(limit) => {
            let settings = flag_settings(&args.settings)?;
            return run_streaming(None, &settings, limit, &args, &spec, ui, started);
        }
        Way::InMemory(note) => note,
    };
    let clock = Instant::now();
    let corpus = read_corpus(&args.data, &spec, &args.settings, &args.reading, ui)?;
    let read_time = clock.elapsed();
    if let Some(note) = in_memory_note {
        ui.say(note);
    }
    let bar = ui.progress(None, "");
    let stage = |s: &str| bar.set_message(s.to_string());
    let fitted = Trainer::new(config).fit_with_progress(&corpus, &spec.text_col, &stage);
    bar.finish_and_clear();
    let (model, report) = fitted?;
    save_and_summarize(&args.out, ui, &model, &report, (started, read_time))
}

/// How `train` trains: streaming within a memory limit, or in memory (with
/// what to say once the file is read).
enum Way {
    Streaming(MemoryLimit),
    InMemory(Option<String>),
}

/// Streaming within `--memory-limit`, or within the limit [`memory_plan`]
/// chooses for a `--data` file too large to train in memory (said at once),
/// or in memory.
fn training_way(args: &TrainArgs, ui: Ui) -> Result<Way> {
    let linear = args.settings.classifier.model == ModelArg::Linear;
    let Some(path) = &args.data.data else {
        if args.memory_limit.is_some() {
            bail!(
                "--memory-limit streams one --data file; a recipe's sources are mapped and \
                 balanced in memory: train the recipe without --memory-limit, or write its \
                 rows to one CSV"
            );
        }
        return Ok(Way::InMemory(None));
    };
    if let Some(limit) = args.memory_limit {
        return Ok(Way::Streaming(limit));
    }
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(Way::InMemory(None)); // reading the file names the problem
    };
    match memory_plan(meta.len(), available_memory()) {
        MemoryPlan::Streaming {
            needed,
            available,
            limit,
        } if linear => {
            ui.say(format!(
                "streaming: training {} in memory would need about {} and {} are available; \
                 streaming within a memory limit of {limit} (--memory-limit sets it)",
                path.display(),
                megabytes(needed),
                megabytes(available)
            ));
            Ok(Way::Streaming(limit))
        }
        MemoryPlan::Streaming {
            needed, available, ..
        } => Ok(Way::InMemory(Some(format!(
            "warning: training in memory may need about {} and {} are available; only \
                 --model linear can stream",
            megabytes(needed),
            megabytes(available)
        )))),
        MemoryPlan::InMemory { needed, available } => {
            let available = available.map_or("unknown".into(), megabytes);
            Ok(Way::InMemory(Some(format!(
                "training in memory: about {} needed, {available} available (--memory-limit \
                 streams instead)",
                megabytes(needed)
            ))))
        }
    }
}

/// `train --memory-limit`: trains the `--data` file in bounded memory, or
/// continues `init` on it.
fn run_streaming(
    init: Option<(&Model, &Path)>,
    settings: &TrainSettings,
    limit: MemoryLimit,
    args: &TrainArgs,
    spec: &CorpusSpec,
    ui: Ui,
    started: Instant,
) -> Result<()> {
    let Some(path) = &args.data.data else {
        bail!("--memory-limit streams one --data file");
    };
    let checks = FileChecks {
        strict: args.reading.strict,
        allow_many_classes: args.settings.allow_many_classes,
    };
    let bar = ui.progress(None, "");
    let stage = |s: &str| bar.set_message(s.to_string());
    let trained = match init {
        Some((init, _)) => {
            train_file_streaming_from(init, path, spec, settings, limit, checks, &stage)
        }
        None => train_file_streaming(path, spec, settings, limit, checks, &stage),
    };
    bar.finish_and_clear();
    let (model, report, read) = trained?;
    ui.say(format!(
        "read {}: {} rows, {} used, {} skipped",
        read.source,
        read.rows_read,
        read.rows_used,
        read.rejects.rows_dropped()
    ));
    report_problems(&read.rejects, &read.multi_line, &read.case_clashes, ui);
    if let Some((_, path)) = init {
        ui.say(format!("continued from {}", path.display()));
    }
    save_and_summarize(&args.out, ui, &model, &report, (started, Duration::ZERO))
}

/// `train --init MODEL`: continues training MODEL on the new rows.
fn run_from(init_path: &Path, args: &TrainArgs, ui: Ui, started: Instant) -> Result<()> {
    let init = Model::load(init_path)?;
    let settings = init_settings(&args.settings, &init)?;
    let config = settings.config_from(&init)?;
    config.check()?;
    let mut spec = corpus_spec(&args.settings, &args.reading)?;
    if !args.settings.given("text_col") {
        spec.text_col = init.provenance().text_col.clone();
    }
    if !args.settings.given("label_cols") {
        // The model's heads the file has a column for (a recipe names its own).
        spec.label_cols = match &args.data.data {
            Some(path) => evaluation_spec(&init, path, &spec.text_col, spec.encoding)?.label_cols,
            None => init.heads().iter().map(|h| h.name.clone()).collect(),
        };
    }
    let in_memory_note = match training_way(args, ui)? {
        Way::Streaming(limit) => {
            let init = Some((&init, init_path));
            return run_streaming(init, &settings, limit, args, &spec, ui, started);
        }
        Way::InMemory(note) => note,
    };
    let clock = Instant::now();
    let corpus = read_corpus_unchecked(&args.data, &spec, &args.reading, ui)?;
    if let Some(note) = in_memory_note {
        ui.say(note);
    }
    // A column of one class may continue (the model has the others).
    check_new_labels(&corpus, args.settings.allow_many_classes)?;
    let read_time = clock.elapsed();
    let bar = ui.progress(None, "");
    let stage = |s: &str| bar.set_message(s.to_string());
    let fitted = Trainer::new(config).fit_from(&init, &corpus, &spec.text_col, &stage);
    bar.finish_and_clear();
    let (model, report) = fitted?;
    ui.say(format!("continued from {}", init_path.display()));
    save_and_summarize(&args.out, ui, &model, &report, (started, read_time))
}

/// The settings that continue training `init`: its own, with the flags given
/// on the command line in their place (a segmentation or feature flag that
/// differs from `init` is then refused by [`TrainSettings::config_from`]).
fn init_settings(args: &SettingsArgs, init: &Model) -> Result<TrainSettings> {
    let flags = flag_settings(args)?;
    let mut s = TrainSettings::of_model(init);
    // Each segmentation and feature flag given replaces the model's value.
    macro_rules! given {
        ($($id:literal => $field:ident),* $(,)?) => {
            $(if args.given($id) {
                s.$field = flags.$field;
            })*
        };
    }
    given!(
        "user_dict" => user_words,
        "stopwords" => stopwords,
        "no_hmm" => hmm,
        "simplify" => simplify,
        "word_ngrams" => word_ngrams,
        "char_ngrams" => char_ngrams,
        "min_df" => min_df,
        "max_df" => max_df,
        "max_features" => max_features,
        "no_sublinear_tf" => sublinear_tf,
        "no_l2_norm" => l2_norm,
    );
    Ok(TrainSettings {
        model: flags.model,
        loss: flags.loss,
        c: flags.c,
        tol: flags.tol,
        max_iter: flags.max_iter,
        alpha: flags.alpha,
        max_dense_mb: flags.max_dense_mb,
        seed: flags.seed,
        ..s
    })
}

/// Writes the model and prints what training made and how long each step took.
pub fn save_and_summarize(
    out: &Path,
    ui: Ui,
    model: &Model,
    report: &TrainReport,
    (started, read_time): (Instant, Duration),
) -> Result<()> {
    let clock = Instant::now();
    model.save(out)?;
    let write_time = clock.elapsed();
    summarize(out, ui, model, report, (started, read_time, write_time));
    Ok(())
}

/// The training settings the flags describe, checked (a flag of another
/// classifier kind is refused): called before any data is read, so that a
/// bad setting stops at once.
pub fn train_config(args: &SettingsArgs) -> Result<TrainConfig> {
    let config = flag_settings(args)?.config()?;
    config.check()?;
    Ok(config)
}

/// The settings the flags describe (word lists read), unchecked.
fn flag_settings(args: &SettingsArgs) -> Result<TrainSettings> {
    let c = &args.classifier;
    Ok(TrainSettings {
        simplify: args.simplify,
        hmm: !args.no_hmm,
        user_words: match &args.user_dict {
            Some(p) => read_user_dict(p)?,
            None => Vec::new(),
        },
        stopwords: match &args.stopwords {
            Some(p) => read_stopwords(p)?,
            None => Vec::new(),
        },
        word_ngrams: args.features.word_ngrams,
        char_ngrams: args.features.char_ngrams.0,
        min_df: args.features.min_df,
        max_df: args.features.max_df,
        max_features: args.features.max_features,
        sublinear_tf: !args.features.no_sublinear_tf,
        l2_norm: !args.features.no_l2_norm,
        model: model_kind(c.model),
        loss: c.if_given("loss", loss(c.loss)),
        c: c.c,
        tol: c.if_given("tol", c.tol),
        max_iter: c.max_iter,
        alpha: c.if_given("alpha", c.alpha),
        max_dense_mb: c.if_given("max_dense_mb", c.max_dense_mb),
        seed: c.if_given("seed", c.seed),
    })
}

/// The classifier kind a `--model` value names.
fn model_kind(arg: ModelArg) -> ModelKind {
    match arg {
        ModelArg::Linear => ModelKind::Linear,
        ModelArg::Nb => ModelKind::NaiveBayes,
        ModelArg::LinfaLogistic => ModelKind::LinfaLogistic,
    }
}

/// The loss a `--loss` value names.
pub fn loss(arg: LossArg) -> Loss {
    match arg {
        LossArg::Logistic => Loss::Logistic,
        LossArg::Svm => Loss::SquaredHinge,
        LossArg::Ridge => Loss::Squared,
    }
}

/// The columns and encoding the flags name, checked (before any data is read).
pub fn corpus_spec(args: &SettingsArgs, input: &InputArgs) -> Result<CorpusSpec> {
    let spec = CorpusSpec {
        text_col: args.text_col.clone(),
        label_cols: args.label_cols.clone(),
        encoding: input.encoding,
    };
    spec.validate()?;
    Ok(spec)
}

/// Reads the labeled CSV (or the recipe's sources) and reports what was read
/// and skipped; under `--strict`, anything skipped is an error. Then checks
/// the label columns (before any segmenting).
pub fn read_corpus(
    data: &TrainingData,
    spec: &CorpusSpec,
    settings: &SettingsArgs,
    input: &InputArgs,
    ui: Ui,
) -> Result<LabeledCorpus> {
    let corpus = read_corpus_unchecked(data, spec, input, ui)?;
    check_labels(&corpus, settings.allow_many_classes)?;
    Ok(corpus)
}

/// Like [`read_corpus`] without the check of the label columns (continued
/// training allows a column of one class: the model has the others).
fn read_corpus_unchecked(
    data: &TrainingData,
    spec: &CorpusSpec,
    input: &InputArgs,
    ui: Ui,
) -> Result<LabeledCorpus> {
    let corpus = match (&data.recipe, &data.data) {
        (Some(recipe), _) => read_recipe(recipe, spec, input, ui)?,
        (None, Some(path)) => {
            let corpus = LabeledCorpus::read(path, spec)?;
            if input.strict {
                corpus.ensure_clean()?;
            }
            ui.say(format!(
                "read {}: {} rows, {} used, {} skipped",
                corpus.source,
                corpus.rows_read,
                corpus.len(),
                corpus.rejects.rows_dropped()
            ));
            report_problems(
                &corpus.rejects,
                &corpus.multi_line,
                &corpus.case_clashes(),
                ui,
            );
            corpus
        }
        (None, None) => unreachable!("clap requires --data or --recipe"),
    };
    Ok(corpus)
}

/// Reads a recipe's sources and reports, per source, what was read, left
/// out by the recipe and skipped.
fn read_recipe(
    recipe: &Path,
    spec: &CorpusSpec,
    input: &InputArgs,
    ui: Ui,
) -> Result<LabeledCorpus> {
    let built = Recipe::read(recipe)?.build(&spec.text_col, spec.encoding, input.strict)?;
    for source in &built.sources {
        let left_out: usize = source.left_out.values().sum();
        ui.say(format!(
            "read {}: {} rows, {} used, {} left out by the recipe, {} skipped",
            source.source,
            source.rows_read,
            source.rows_used,
            left_out,
            source.rejects.rows_dropped()
        ));
        if left_out > 0 {
            let list: Vec<String> = source
                .left_out
                .iter()
                .map(|(label, n)| format!("{label} {n}"))
                .collect();
            ui.say(format!("  left out: {}", list.join(", ")));
        }
        report_problems(&source.rejects, &source.multi_line, &[], ui);
    }
    let corpus = built.corpus;
    ui.say(format!(
        "recipe {}: {} rows from {} sources",
        corpus.source,
        corpus.len(),
        built.sources.len()
    ));
    report_problems(
        &Rejects::default(),
        &MultiLineRows::default(),
        &corpus.case_clashes(),
        ui,
    );
    Ok(corpus)
}

/// Lists skipped rows by reason, rows spanning several lines, and labels
/// that differ only in case.
pub fn report_problems(
    rejects: &Rejects,
    multi_line: &MultiLineRows,
    case_clashes: &[String],
    ui: Ui,
) {
    for line in rejects.summary(20) {
        ui.say(format!("  {line}"));
    }
    for (i, line) in multi_line.warning().into_iter().enumerate() {
        ui.say(format!("{}{line}", if i == 0 { "  " } else { "    " }));
    }
    for clash in case_clashes {
        ui.say(format!("  warning: {clash}"));
    }
}

/// Prints what training made and how long each step took.
fn summarize(
    out: &Path,
    ui: Ui,
    model: &Model,
    report: &TrainReport,
    (started, read_time, write_time): (Instant, Duration, Duration),
) {
    let continued = report.continued.as_ref();
    for (h, head) in model.heads().iter().enumerate() {
        if continued.is_some_and(|c| c.kept_heads.contains(&head.name)) {
            ui.say(format!(
                "head '{}': no labels for it in the new rows, kept as it was",
                head.name
            ));
            continue;
        }
        let list: Vec<String> = head
            .labels
            .iter()
            .zip(&head.class_counts)
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        ui.say(format!(
            "head '{}': {} rows, {} classes: {}",
            head.name,
            head.class_counts.iter().sum::<usize>(),
            head.labels.len(),
            list.join(", ")
        ));
        if let Some(sets) = report.label_sets.get(h).filter(|s| !s.is_empty()) {
            let list: Vec<String> = sets.iter().map(|(l, n)| format!("{l} {n}")).collect();
            ui.say(format!(
                "  and {} rows known only to be one of several classes: {}",
                sets.values().sum::<usize>(),
                list.join(", ")
            ));
        }
        let (summary, warning) = head.classifier.fit_summary();
        ui.say(format!(
            "  {} classifier: {summary}",
            head.classifier.kind()
        ));
        if let Some(warning) = warning {
            ui.say(format!("  warning: {warning}"));
        }
        let new_classes =
            continued.and_then(|c| c.new_classes.iter().find(|(n, _)| *n == head.name));
        if let Some((_, classes)) = new_classes {
            ui.say(format!(
                "  new classes (started at zero weights): {}",
                classes.join(", ")
            ));
        }
        if continued.is_some_and(|c| c.new_heads.contains(&head.name)) {
            ui.say("  a new head, trained on the new rows alone");
        }
    }
    let v = model.vectorizer();
    if let Some(c) = continued {
        ui.say(format!(
            "vocabulary kept from the model: {} of the new rows' {} words ({:.1}%) are outside it and were not learned (train from scratch if that grows)",
            c.unknown_words,
            c.words,
            100.0 * c.unknown_words as f64 / c.words.max(1) as f64
        ));
    }
    ui.say(format!(
        "vocabulary: {} features ({} word n-grams, {} character n-grams)",
        v.n_features(),
        v.words().len(),
        v.chars().len()
    ));
    if let Some(s) = &report.streamed {
        let terms = match s.terms_counted {
            Some(n) => format!("{n} terms counted exactly"),
            None => "the vocabulary kept from the model".into(),
        };
        let blocks = if s.blocks == 1 { "block" } else { "blocks" };
        ui.say(format!(
            "streamed within {}: {} passes over the file, {terms}, rows on disk {} in {} {blocks}",
            s.limit,
            s.passes_over_file(),
            megabytes(s.row_bytes),
            s.blocks
        ));
    }
    if let Some(peak) = peak_memory() {
        ui.say(format!("peak memory: {}", megabytes(peak)));
    }
    let mut steps = Vec::new();
    if report.streamed.is_none() {
        steps.push(format!("read {:.2}s", read_time.as_secs_f64()));
    }
    steps.extend(
        report
            .timings
            .iter()
            .map(|(step, d)| format!("{step} {:.2}s", d.as_secs_f64())),
    );
    steps.push(format!("write {:.2}s", write_time.as_secs_f64()));
    ui.say(format!(
        "time: {}; total {:.2}s",
        steps.join(", "),
        started.elapsed().as_secs_f64()
    ));
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    ui.say(format!(
        "wrote {} ({:.1} MB)",
        out.display(),
        size as f64 / 1e6
    ));
}
