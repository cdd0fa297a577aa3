//! Model kinds (`--model`), cross-validation (`cv`), grid search (`tune`) and
//! the feature and normalisation flags, on the project corpus.

use crate::util::{eval_json, run, s, small_corpus, split_corpus, tempdir};

fn corpus() -> String {
    small_corpus().display().to_string()
}

/// Trains on 4/5 of the project corpus with `flags` and returns the held-out
/// topic accuracy.
fn held_out_topic_accuracy(flags: &[&str]) -> f64 {
    let dir = tempdir();
    let (train, test) = split_corpus(dir.path());
    let model = dir.path().join("m.model");
    let mut args = vec![
        "train",
        "--data",
        s(&train),
        "--label-col",
        "topic",
        "--out",
        s(&model),
    ];
    args.extend_from_slice(flags);
    run(&args).ok();
    let report = eval_json(&model, &test);
    report["heads"]["topic"]["accuracy"].as_f64().unwrap()
}

#[test]
fn every_model_kind_learns_the_topics() {
    for (flags, floor) in [
        (&["--model", "linear"][..], 0.75),
        (&["--model", "linear", "--loss", "ridge"][..], 0.75),
        (&["--model", "nb", "--alpha", "0.1"][..], 0.65),
        (&["--model", "linfa-logistic", "--c", "10"][..], 0.65),
    ] {
        let accuracy = held_out_topic_accuracy(flags);
        assert!(accuracy >= floor, "{flags:?}: held-out accuracy {accuracy}");
    }
}

#[test]
fn linfa_logistic_refuses_data_too_large_for_its_dense_matrix() {
    let dir = tempdir();
    let model = dir.path().join("m.model");
    run(&[
        "train",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--model",
        "linfa-logistic",
        "--max-dense-mb",
        "1",
        "--out",
        s(&model),
    ])
    .fails(1, &["linfa-logistic needs a dense 810 ×", "--model linear"]);
    assert!(!model.exists());
}

fn cv(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["cv", "--data"];
    let data = corpus();
    all.push(&data);
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    run(&all).ok().json()
}

#[test]
fn cv_reports_every_fold_of_every_head_and_is_repeatable() {
    let args = [
        "--label-col",
        "topic",
        "--label-col",
        "sentiment",
        "--folds",
        "3",
    ];
    let report = cv(&args);
    assert_eq!(report["folds"], 3);
    assert_eq!(report["rows"], 810);
    let heads = report["heads"].as_array().unwrap();
    assert_eq!(heads.len(), 2);
    for head in heads {
        let folds = head["folds"].as_array().unwrap();
        assert_eq!(folds.len(), 3);
        let accs: Vec<f64> = folds
            .iter()
            .map(|f| f["accuracy"].as_f64().unwrap())
            .collect();
        let mean = accs.iter().sum::<f64>() / 3.0;
        assert!((head["accuracy"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
        assert!(head["accuracy"]["std"].as_f64().unwrap() >= 0.0);
        assert!(mean > 0.6, "{}: {mean}", head["name"]);
    }
    assert_eq!(report, cv(&args), "same folds and seed, same figures");
    let other_seed = cv(&[
        "--label-col",
        "topic",
        "--label-col",
        "sentiment",
        "--folds",
        "3",
        "--fold-seed",
        "7",
    ]);
    assert_ne!(report, other_seed);

    let text = run(&[
        "cv",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--folds",
        "3",
    ])
    .ok();
    assert!(text.stdout.contains("accuracy  0."), "{}", text.stdout);
    assert!(text.stdout.contains(" ± "), "{}", text.stdout);
}

#[test]
fn cv_refuses_impossible_fold_counts() {
    run(&[
        "cv",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--folds",
        "1",
    ])
    .fails(2, &["invalid setting: --folds must be at least 2, got 1"]);
    run(&[
        "cv",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--folds",
        "5000",
    ])
    .fails(1, &["810 rows cannot be split into 5000 folds"]);
}

#[test]
fn tune_prints_the_grid_trains_the_best_and_records_it() {
    let dir = tempdir();
    let model = dir.path().join("tuned.model");
    let out = run(&[
        "tune",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--out",
        s(&model),
        "--folds",
        "3",
        "--grid-loss",
        "svm",
        "--grid-c",
        "0.05,1",
        "--grid-char-ngrams",
        "1-2",
        "--grid-min-df",
        "1",
        "--format",
        "json",
    ])
    .ok();
    let record = out.json();
    let trials = record["trials"].as_array().unwrap();
    assert_eq!(trials.len(), 2);
    let chosen = record["chosen"].as_u64().unwrap() as usize;
    let best = trials
        .iter()
        .map(|t| t["accuracy"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert_eq!(trials[chosen]["accuracy"].as_f64().unwrap(), best);
    let chosen_settings = trials[chosen]["settings"].as_str().unwrap();
    assert!(out.stderr.contains(chosen_settings), "{}", out.stderr);

    let loaded = newsclf::Model::load(&model).unwrap();
    let tuning = loaded
        .provenance()
        .tuning
        .as_ref()
        .expect("tuning recorded");
    assert_eq!(tuning.trials.len(), 2);
    assert_eq!(tuning.chosen, chosen);
    assert_eq!(
        loaded.provenance().classifier.describe(),
        chosen_settings.split(", char").next().unwrap()
    );
}

#[test]
fn tune_only_searches_the_linear_classifier() {
    let dir = tempdir();
    run(&[
        "tune",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--model",
        "nb",
        "--out",
        s(&dir.path().join("m.model")),
    ])
    .fails(2, &["--model linear"]);
}

#[test]
fn feature_and_normalisation_flags_are_stored_in_the_model() {
    let dir = tempdir();
    let model = dir.path().join("m.model");
    run(&[
        "train",
        "--data",
        &corpus(),
        "--label-col",
        "topic",
        "--word-ngrams",
        "1",
        "--char-ngrams",
        "none",
        "--min-df",
        "1",
        "--max-df",
        "0.5",
        "--max-features",
        "500",
        "--no-sublinear-tf",
        "--no-l2-norm",
        "--simplify",
        "--out",
        s(&model),
    ])
    .ok();
    let m = newsclf::Model::load(&model).unwrap();
    let f = m.feature_config();
    assert_eq!(f.word_ngrams, (1, 1));
    assert_eq!(f.char_ngrams, None);
    assert_eq!((f.min_df, f.max_df, f.max_features), (1, 0.5, Some(500)));
    assert!(!f.sublinear_tf && !f.l2_norm);
    assert_eq!(m.vectorizer().n_features(), 500);
    assert!(m.normalize_config().simplify);
    // Traditional and simplified spellings of a text get the same features.
    assert_eq!(
        m.featurize("國家能源局發布風電裝機數據"),
        m.featurize("国家能源局发布风电装机数据")
    );
    assert!(!m.featurize("国家能源局发布风电装机数据").is_empty());
}
