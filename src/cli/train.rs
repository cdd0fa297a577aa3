//! `newsclf train`.

use std::time::Instant;

use anyhow::Result;
use newsclf::corpus::{CorpusSpec, LabeledCorpus};
use newsclf::features::FeatureConfig;
use newsclf::linear::{LinearParams, Loss};
use newsclf::model::Classifier;
use newsclf::segment::{SegmenterConfig, read_stopwords, read_user_dict};
use newsclf::{TrainConfig, Trainer};

use super::Ui;
use super::args::{LossArg, TrainArgs};

pub fn run(args: TrainArgs, ui: Ui) -> Result<()> {
    let started = Instant::now();
    let config = TrainConfig {
        segmenter: SegmenterConfig {
            hmm: !args.no_hmm,
            user_words: match &args.user_dict {
                Some(p) => read_user_dict(p)?,
                None => Vec::new(),
            },
            stopwords: match &args.stopwords {
                Some(p) => read_stopwords(p)?,
                None => Vec::new(),
            },
        },
        features: FeatureConfig {
            word_ngrams: args.features.word_ngrams,
            char_ngrams: args.features.char_ngrams.0,
            min_df: args.features.min_df,
            max_df: args.features.max_df,
            max_features: args.features.max_features,
            sublinear_tf: !args.features.no_sublinear_tf,
        },
        linear: LinearParams::new()
            .loss(match args.classifier.loss {
                LossArg::Logistic => Loss::Logistic,
                LossArg::Svm => Loss::SquaredHinge,
            })
            .c(args.classifier.c)
            .tol(args.classifier.tol)
            .max_iter(args.classifier.max_iter)
            .seed(args.classifier.seed),
    };
    let spec = CorpusSpec {
        text_col: args.text_col.clone(),
        label_cols: args.label_cols.clone(),
    };
    let clock = Instant::now();
    let corpus = LabeledCorpus::read(&args.data, &spec)?;
    let read_time = clock.elapsed();
    ui.say(format!(
        "read {}: {} rows, {} used, {} skipped",
        corpus.source,
        corpus.rows_read,
        corpus.len(),
        corpus.rejects.rows_dropped()
    ));
    for line in corpus.rejects.summary(20) {
        ui.say(format!("  {line}"));
    }
    let bar = ui.progress(None, "");
    let stage = |s: &str| bar.set_message(s.to_string());
    let fitted = Trainer::new(config).fit_with_progress(&corpus, &args.text_col, &stage);
    bar.finish_and_clear();
    let (model, report) = fitted?;
    let clock = Instant::now();
    model.save(&args.out)?;
    let write_time = clock.elapsed();
    for head in model.heads() {
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
        let Classifier::Linear(linear) = &head.classifier;
        let passes = linear.passes();
        let (lo, hi) = (
            passes.iter().min().copied().unwrap_or(0),
            passes.iter().max().copied().unwrap_or(0),
        );
        ui.say(format!(
            "  {} classifier: {lo}–{hi} passes over the data",
            head.classifier.kind()
        ));
        if hi as usize >= linear.params().max_iter() {
            ui.say(format!(
                "  warning: the solver stopped at --max-iter {hi} before converging; \
                 raise --max-iter or lower --c"
            ));
        }
    }
    let v = model.vectorizer();
    ui.say(format!(
        "vocabulary: {} features ({} word n-grams, {} character n-grams)",
        v.n_features(),
        v.words().len(),
        v.chars().len()
    ));
    let mut steps = vec![format!("read {:.2}s", read_time.as_secs_f64())];
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
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    ui.say(format!(
        "wrote {} ({:.1} MB)",
        args.out.display(),
        size as f64 / 1e6
    ));
    Ok(())
}
