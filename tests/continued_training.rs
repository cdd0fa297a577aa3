//! `train --init`: continuing to train a model on new rows.

use std::path::{Path, PathBuf};

use crate::util::{continuation_case, eval_json, run, s, shared, split_corpus, tempdir, write};

/// Rows of a CSV file whose index `keep` accepts, with the header, written to `dir/name`.
fn rows_of(path: &Path, dir: &Path, name: &str, keep: impl Fn(usize) -> bool) -> PathBuf {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(reader.headers().unwrap()).unwrap();
    for (i, record) in reader.records().enumerate() {
        if keep(i) {
            out.write_record(&record.unwrap()).unwrap();
        }
    }
    write(dir, name, out.into_inner().unwrap())
}

/// Test accuracy of `model` on thucnews_titles/test.csv.
fn accuracy(model: &Path) -> f64 {
    let test = shared("thucnews_titles", "test.csv");
    let report = eval_json(model, &test);
    report["heads"]["label"]["accuracy"].as_f64().unwrap()
}

#[test]
fn continuing_on_the_second_half_nearly_matches_training_on_both() {
    let dir = tempdir();
    let d = dir.path();
    let train = shared("thucnews_titles", "train.csv");
    let a = rows_of(&train, d, "a.csv", |i| i % 2 == 0);
    let b = rows_of(&train, d, "b.csv", |i| i % 2 == 1);
    let model = |name: &str| d.join(name);
    run(&["train", "--data", s(&a), "--out", s(&model("a.model"))]).ok();
    run(&["train", "--data", s(&b), "--out", s(&model("b.model"))]).ok();
    run(&[
        "train",
        "--data",
        s(&train),
        "--out",
        s(&model("all.model")),
    ])
    .ok();
    let (a_model, ab_model) = (model("a.model"), model("ab.model"));
    let args = [
        "train",
        "--init",
        s(&a_model),
        "--data",
        s(&b),
        "--out",
        s(&ab_model),
    ];
    let out = run(&args).ok();
    for fragment in [
        "continued from",
        "vocabulary kept from the model:",
        "were not learned",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}: {}", out.stderr);
    }
    let (a, b, ab, all) = (
        accuracy(&model("a.model")),
        accuracy(&model("b.model")),
        accuracy(&model("ab.model")),
        accuracy(&model("all.model")),
    );
    let figures = format!("A {a}, B {b}, A then B {ab}, A+B {all}");
    // Measured: A 0.8857, B 0.8854, A then B 0.9006, A+B 0.9039.
    assert!(all - ab <= 0.015, "{figures}");
    assert!(ab >= a.max(b) + 0.007, "{figures}");
}

#[test]
fn a_new_class_trains_and_a_head_without_its_column_stays() {
    let dir = tempdir();
    let d = dir.path();
    let (old, more, test) = continuation_case(d);
    let new = d.join("new.model");
    // The label columns default to the model's heads the file has.
    let by_header = d.join("by_header.model");
    let run_ok = run(&[
        "train",
        "--init",
        s(&old),
        "--data",
        s(&more),
        "--out",
        s(&by_header),
    ])
    .ok();
    assert!(
        run_ok
            .stderr
            .contains("head 'sentiment': no labels for it in the new rows"),
        "{}",
        run_ok.stderr
    );
    let run_ok = run(&[
        "train",
        "--init",
        s(&old),
        "--data",
        s(&more),
        "--label-col",
        "topic",
        "--out",
        s(&new),
    ])
    .ok();
    for fragment in [
        "head 'sentiment': no labels for it in the new rows, kept as it was",
        "new classes (started at zero weights): weather",
    ] {
        assert!(
            run_ok.stderr.contains(fragment),
            "{fragment}: {}",
            run_ok.stderr
        );
    }
    assert_eq!(
        std::fs::read(&by_header).unwrap(),
        std::fs::read(&new).unwrap()
    );
    // A column with about one value per row is no label column, as for `train`.
    let mut copy = csv::Writer::from_writer(Vec::new());
    copy.write_record(["text", "topic"]).unwrap();
    for record in csv::Reader::from_path(&test).unwrap().records() {
        let r = record.unwrap();
        copy.write_record([&r[0], &r[0]]).unwrap();
    }
    let copy = write(d, "copy.csv", copy.into_inner().unwrap());
    let args = [
        "train",
        "--init",
        s(&old),
        "--data",
        s(&copy),
        "--out",
        s(&new),
    ];
    run(&args).fails(
        1,
        &["does not look like a label column", "--allow-many-classes"],
    );
    let info = run(&["info", "--model", s(&new), "--format", "json"])
        .ok()
        .json();
    let text = info.to_string();
    assert!(text.contains("weather"), "{text}");
    // The kept head predicts exactly as before.
    let predict = |m: &Path| {
        run(&[
            "predict",
            "--model",
            s(m),
            "--format",
            "json",
            "女排三比零战胜对手，球迷欢欣鼓舞",
        ])
        .ok()
        .json_lines()[0]["predictions"]["sentiment"]
            .clone()
    };
    assert_eq!(predict(&old), predict(&new));
}

#[test]
fn settings_that_define_features_and_other_kinds_are_refused() {
    let dir = tempdir();
    let d = dir.path();
    let (train, test) = split_corpus(d);
    let old = d.join("old.model");
    run(&[
        "train",
        "--data",
        s(&train),
        "--label-col",
        "topic",
        "--min-df",
        "1",
        "--out",
        s(&old),
    ])
    .ok();
    let out = d.join("new.model");
    let init = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--init",
            s(&old),
            "--data",
            s(&test),
            "--label-col",
            "topic",
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    init(&["--min-df", "2"]).fails(
        2,
        &[
            "--min-df differs from the model being continued (2 here, 1 there)",
            "train from scratch",
        ],
    );
    init(&["--char-ngrams", "none"]).fails(2, &["--char-ngrams differs"]);
    init(&["--no-hmm"]).fails(2, &["--no-hmm differs", "hmm off here, hmm on there"]);
    init(&["--model", "nb"]).fails(
        2,
        &["--model must be linear to continue a model (linear only), not nb"],
    );
    // The model's own values, and solver settings, are accepted.
    init(&["--min-df", "1", "--c", "1", "--max-iter", "50"]).ok();
    let info = run(&["info", "--model", s(&out), "--format", "json"])
        .ok()
        .json();
    assert!(info.to_string().contains("C=1"), "{info}");
    // Only linear models continue.
    let nb = d.join("nb.model");
    run(&[
        "train",
        "--data",
        s(&train),
        "--label-col",
        "topic",
        "--model",
        "nb",
        "--out",
        s(&nb),
    ])
    .ok();
    run(&[
        "train",
        "--init",
        s(&nb),
        "--data",
        s(&test),
        "--label-col",
        "topic",
        "--out",
        s(&out),
    ])
    .fails(
        2,
        &[
            "the model to continue is nb, not linear",
            "only linear models continue",
        ],
    );
    // A missing model file is named.
    run(&[
        "train",
        "--init",
        "nowhere.model",
        "--data",
        s(&test),
        "--out",
        s(&out),
    ])
    .fails(1, &["nowhere.model"]);
}
