//! `train --memory-limit`: training in bounded memory, on files that do not
//! fit the limit, against training the same rows in memory.

use std::path::{Path, PathBuf};

use crate::util::{eval_json, root, run, s, shared, tempdir, write};

/// `src`'s header, then its rows `times` times, written to `dir/name`.
fn repeated(src: &Path, times: usize, dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    let mut out = format!("{header}\n");
    for _ in 0..times {
        out.push_str(rows);
    }
    write(dir, name, out)
}

/// The number after `prefix` in the line of `stderr` that starts with it.
fn figure(stderr: &str, prefix: &str) -> f64 {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{stderr}"));
    line.trim()
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after {prefix:?} in {line:?}"))
}

/// The `vocabulary: …` line of a training summary.
fn vocabulary(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("vocabulary: "))
        .unwrap_or_else(|| panic!("no vocabulary line in:\n{stderr}"))
}

#[test]
fn a_file_too_large_for_the_limit_trains_within_it_and_nearly_as_well() {
    let dir = tempdir();
    let d = dir.path();
    // 100,770 rows, 6 MB: training in memory takes far more than 16 MB.
    let train = repeated(&shared("thucnews_titles", "train.csv"), 3, d, "x3.csv");
    let test = shared("thucnews_titles", "test.csv");
    let (in_memory, streamed) = (d.join("mem.model"), d.join("lim.model"));
    let mem = run(&["train", "--data", s(&train), "--out", s(&in_memory)]).ok();
    assert!(
        mem.stderr.contains("training in memory: about"),
        "{}",
        mem.stderr
    );
    let lim = run(&[
        "train",
        "--data",
        s(&train),
        "--out",
        s(&streamed),
        "--memory-limit",
        "16M",
    ])
    .ok();
    assert!(
        lim.stderr.contains("streamed within 16 MB: 3 passes"),
        "{}",
        lim.stderr
    );
    // The vocabulary and IDF are exactly those of training in memory.
    assert_eq!(vocabulary(&lim.stderr), vocabulary(&mem.stderr));
    let (mem_peak, lim_peak) = (
        figure(&mem.stderr, "peak memory:"),
        figure(&lim.stderr, "peak memory:"),
    );
    assert!(
        mem_peak > lim_peak + 40.0,
        "in memory {mem_peak} MB, streamed {lim_peak} MB"
    );
    let accuracy = |m: &Path| {
        eval_json(m, &test)["heads"]["label"]["accuracy"]
            .as_f64()
            .unwrap()
    };
    let (a, b) = (accuracy(&in_memory), accuracy(&streamed));
    assert!(
        a > 0.85 && (a - b).abs() < 0.01,
        "in memory {a}, streamed {b}"
    );
    // The provenance counts every row read, repeats included, and names the
    // same file by the same SHA-256.
    let info = |m: &Path| {
        run(&["info", "--model", s(m), "--format", "json"])
            .ok()
            .json()
    };
    let (mem_info, lim_info) = (info(&in_memory), info(&streamed));
    assert_eq!(lim_info["rows"], 100_770);
    assert_eq!(lim_info["data_sha256"], mem_info["data_sha256"]);
}

#[test]
fn bad_rows_are_reported_and_counted_as_in_memory() {
    let dir = tempdir();
    let d = dir.path();
    // 400 rows of the project's corpus on one line each, then three bad rows.
    let text = std::fs::read(root().join("data/news.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records().take(400) {
        let record = record.unwrap();
        let one_line = record[0].replace(['\n', '\r'], " ");
        out.write_record([one_line.as_str(), &record[1], &record[2]])
            .unwrap();
    }
    let mut csv = out.into_inner().unwrap();
    csv.extend_from_slice(
        ",economy,neutral\n一行,economy\n\"未闭合的引号,sports,positive\n".as_bytes(),
    );
    let data = write(d, "bad.csv", csv);
    let args = |out: &str| {
        vec![
            "train".to_string(),
            "--data".into(),
            s(&data).into(),
            "--label-col".into(),
            "topic".into(),
            "--label-col".into(),
            "sentiment".into(),
            "--min-df".into(),
            "1".into(),
            "--out".into(),
            s(&d.join(out)).into(),
        ]
    };
    let read_lines = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.starts_with("read ") || l.starts_with("  "))
            .filter(|l| !l.contains("classifier:"))
            .map(str::to_string)
            .collect()
    };
    let mem_args = args("mem.model");
    let mem = run(&mem_args.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    let mut lim_args = args("lim.model");
    lim_args.extend(["--memory-limit".into(), "16M".into()]);
    let lim = run(&lim_args.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    let (a, b) = (read_lines(&mem.stderr), read_lines(&lim.stderr));
    assert!(
        a[0].contains("3 skipped") || a[0].contains("skipped"),
        "{a:?}"
    );
    assert_eq!(
        a, b,
        "in memory:\n{}\nstreamed:\n{}",
        mem.stderr, lim.stderr
    );
    // --strict stops at the same line.
    lim_args.push("--strict".into());
    let strict = run(&lim_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains("bad.csv:402: empty text"),
        "{}",
        strict.stderr
    );
}

#[test]
fn two_heads_with_label_sets_stream_like_they_train_in_memory() {
    let dir = tempdir();
    let d = dir.path();
    let text = std::fs::read(root().join("data/news.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let mut train = csv::Writer::from_writer(Vec::new());
    let mut test = csv::Writer::from_writer(Vec::new());
    train.write_record(reader.headers().unwrap()).unwrap();
    test.write_record(reader.headers().unwrap()).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if i % 5 == 0 {
            test.write_record(&record).unwrap();
        } else if i % 7 == 0 && &record[2] != "negative" {
            // Known only to be positive or neutral, as finnsp's non_negative rows.
            train
                .write_record([&record[0], &record[1], "positive|neutral"])
                .unwrap();
        } else {
            train.write_record(&record).unwrap();
        }
    }
    let train = write(d, "train.csv", train.into_inner().unwrap());
    let test = write(d, "test.csv", test.into_inner().unwrap());
    let heads = ["--label-col", "topic", "--label-col", "sentiment"];
    for loss in ["svm", "logistic"] {
        let (mem, lim) = (d.join(format!("mem-{loss}")), d.join(format!("lim-{loss}")));
        let base = ["train", "--data", s(&train), "--loss", loss];
        let args: Vec<&str> = base.iter().copied().chain(heads).collect();
        let m = run(&[&args[..], &["--out", s(&mem)]].concat()).ok();
        let l = run(&[&args[..], &["--out", s(&lim), "--memory-limit", "16M"]].concat()).ok();
        let sets = |stderr: &str| -> Vec<String> {
            let lines: Vec<String> = stderr
                .lines()
                .filter(|l| l.contains("known only to be one of several classes"))
                .map(str::to_string)
                .collect();
            assert_eq!(lines.len(), 1, "{stderr}");
            lines
        };
        assert_eq!(sets(&l.stderr), sets(&m.stderr));
        assert_eq!(vocabulary(&l.stderr), vocabulary(&m.stderr));
        let (a, b) = (eval_json(&mem, &test), eval_json(&lim, &test));
        for head in ["topic", "sentiment"] {
            let x = a["heads"][head]["accuracy"].as_f64().unwrap();
            let y = b["heads"][head]["accuracy"].as_f64().unwrap();
            assert!(
                x > 0.7 && (x - y).abs() < 0.02,
                "{loss} {head}: in memory {x}, streamed {y}"
            );
        }
    }
}

#[test]
fn what_cannot_stream_is_refused_with_the_reason() {
    let dir = tempdir();
    let d = dir.path();
    let data = root().join("data/news.csv");
    let out = d.join("m.model");
    let base = [
        "train",
        "--data",
        s(&data),
        "--label-col",
        "topic",
        "--out",
        s(&out),
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|a| a.to_string()).collect()
    };
    let go = |args: Vec<String>| run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    go(with(&["--memory-limit", "8M"])).fails(2, &["--memory-limit 8M is too small", "16M"]);
    go(with(&["--memory-limit", "lots"])).fails(2, &["--memory-limit must be a size such as 64M"]);
    go(with(&["--memory-limit", "64M", "--model", "nb"]))
        .fails(2, &["--memory-limit trains --model linear only, not nb"]);
    let recipe = root().join("data/default_model.recipe");
    run(&[
        "train",
        "--recipe",
        s(&recipe),
        "--out",
        s(&out),
        "--memory-limit",
        "64M",
    ])
    .fails(1, &["--memory-limit streams one --data file"]);
    assert!(!out.exists());
}

#[test]
fn continuing_a_model_streams_like_it_continues_in_memory() {
    let dir = tempdir();
    let d = dir.path();
    let (old, more, _) = crate::util::continuation_case(d);
    let (mem, lim) = (d.join("mem.model"), d.join("lim.model"));
    let base = ["train", "--init", s(&old), "--data", s(&more)];
    let m = run(&[&base[..], &["--out", s(&mem)]].concat()).ok();
    let l = run(&[&base[..], &["--out", s(&lim), "--memory-limit", "16M"]].concat()).ok();
    assert!(
        l.stderr
            .contains("streamed within 16 MB: 2 passes over the file, the vocabulary kept"),
        "{}",
        l.stderr
    );
    for fragment in [
        "continued from",
        "head 'sentiment': no labels for it in the new rows, kept as it was",
        "new classes (started at zero weights): weather",
        "vocabulary kept from the model:",
    ] {
        let line = |stderr: &str| {
            stderr
                .lines()
                .find(|l| l.contains(fragment))
                .map(str::to_string)
        };
        assert!(line(&m.stderr).is_some(), "{fragment}: {}", m.stderr);
        assert_eq!(line(&l.stderr), line(&m.stderr), "{fragment}");
    }
    // Both models label the new rows alike, and the kept head is the old one.
    let labels = |model: &Path, head: &str| -> Vec<String> {
        run(&["predict", "--model", s(model), "--format", "json", s(&more)])
            .ok()
            .json_lines()
            .iter()
            .map(|p| {
                p["predictions"][head]["label"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (a, b) = (labels(&mem, "topic"), labels(&lim, "topic"));
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert!(same * 100 >= a.len() * 97, "{same} of {} alike", a.len());
    assert_eq!(labels(&old, "sentiment"), labels(&lim, "sentiment"));
}
