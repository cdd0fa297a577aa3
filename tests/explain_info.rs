//! `explain`, `info` and `completions`.

use crate::util::{root, run, s, shared, small_corpus, tempdir};

#[test]
fn explain_names_the_terms_behind_each_label() {
    let out = run(&["explain", "--top", "4", "国际油价大幅上涨，炼厂开工率回升"]).ok();
    assert!(out.stdout.contains("== topic: energy"), "{}", out.stdout);
    assert!(
        out.stdout.contains("toward energy (over "),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("油价"), "{}", out.stdout);
    let json = run(&[
        "explain",
        "--top",
        "4",
        "--format",
        "json",
        "国际油价大幅上涨，炼厂开工率回升",
    ])
    .ok()
    .json();
    let heads = json.as_array().unwrap();
    assert_eq!(heads.len(), 2);
    for h in heads {
        let toward = h["toward"].as_array().unwrap();
        let against = h["against"].as_array().unwrap();
        assert!(!toward.is_empty() && toward.len() <= 4);
        assert!(against.len() <= 4);
        let values: Vec<f64> = toward
            .iter()
            .map(|c| c["contribution"].as_f64().unwrap())
            .collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
        assert!(values.iter().all(|&v| v > 0.0));
        assert!(
            against
                .iter()
                .all(|c| c["contribution"].as_f64().unwrap() < 0.0)
        );
        assert_ne!(h["label"]["label"], h["runner_up"]["label"]);
    }
}

#[test]
fn explain_works_for_every_model_kind_and_adds_up_for_naive_bayes() {
    let dir = tempdir();
    let data = small_corpus();
    for kind in ["nb", "linfa-logistic", "linear"] {
        let model = dir.path().join(format!("{kind}.model"));
        run(&[
            "train",
            "--data",
            s(&data),
            "--label-col",
            "topic",
            "--model",
            kind,
            "--out",
            s(&model),
        ])
        .ok();
        let m = newsclf::Model::load(&model).unwrap();
        let text = "女排在亚洲杯决赛中战胜对手，夺得冠军";
        let why = newsclf::evaluation::explain(&m, text, usize::MAX);
        assert_eq!(why[0].label.label, "sports", "{kind}");
        assert!(!why[0].toward.is_empty(), "{kind}");
        if kind == "nb" {
            // Balanced classes: equal priors, so the contributions add up to
            // the log-probability ratio of the label over the runner-up.
            let total: f64 = why[0]
                .toward
                .iter()
                .chain(&why[0].against)
                .map(|c| f64::from(c.contribution))
                .sum();
            let ratio = (f64::from(why[0].label.probability)
                / f64::from(why[0].runner_up.probability))
            .ln();
            assert!(
                (total - ratio).abs() < 1e-2 * ratio.abs().max(1.0),
                "{total} vs {ratio}"
            );
        }
    }
}

#[test]
fn info_describes_the_model() {
    let out = run(&["info"]).ok();
    for fragment in [
        "<embedded default model>",
        "format        version 2",
        "data/default_model.recipe (",
        "'topic': 15 labels",
        "'sentiment': 3 labels",
        "vocabulary",
    ] {
        assert!(out.stdout.contains(fragment), "{fragment}:\n{}", out.stdout);
    }
    let json = run(&["info", "--format", "json"]).ok().json();
    assert!(json["rows"].as_u64().unwrap() > 60_000, "{json}");
    assert_eq!(json["format_version"], 2);
    assert_eq!(json["heads"][0]["labels"].as_array().unwrap().len(), 15);
    let bytes = std::fs::metadata(root().join("models/default.model"))
        .unwrap()
        .len();
    assert_eq!(json["file_bytes"], bytes);
    // A recipe's hash: SHA-256 of the recipe's and its term files' bytes, then each
    // source's SHA-256 (hex).
    let sha = |p: &std::path::Path| newsclf::data::hex_sha256(&std::fs::read(p).unwrap());
    let mut hashed = std::fs::read(root().join("data/default_model.recipe")).unwrap();
    hashed.extend(std::fs::read(root().join("data/energy_terms.txt")).unwrap());
    for source in [
        root().join("data/news.csv"),
        root().join("data/headlines.csv"),
        shared("thucnews_titles", "train.csv"),
        shared("toutiao_titles", "train.csv"),
        shared("finnl", "train.csv"),
        shared("finnsp", "train.csv"),
    ] {
        hashed.extend_from_slice(sha(&source).as_bytes());
    }
    assert_eq!(
        json["data_sha256"].as_str().unwrap(),
        newsclf::data::hex_sha256(&hashed)
    );
}

#[test]
fn completions_are_generated_for_bash_zsh_and_fish() {
    let bash = run(&["completions", "bash"]).ok();
    for word in ["newsclf", "train", "predict", "explain", "--sections"] {
        assert!(bash.stdout.contains(word), "{word}");
    }
    assert!(
        run(&["completions", "zsh"])
            .ok()
            .stdout
            .contains("#compdef newsclf")
    );
    assert!(
        run(&["completions", "fish"])
            .ok()
            .stdout
            .contains("complete -c newsclf")
    );
    run(&["completions", "tcsh"]).fails(2, &["tcsh"]);
}
