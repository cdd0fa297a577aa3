//! Model files that must be refused, atomic writes, and concurrent use of one
//! model.

use sha2::{Digest, Sha256};

use crate::util::{root, run, s, small_corpus, tempdir, write};

/// A model file with a valid header and checksum around `payload`.
fn wrap(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = newsclf::model::MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

#[test]
fn newer_older_and_crafted_model_files_are_refused_quickly() {
    let dir = tempdir();
    let good = std::fs::read(root().join("models/default.model")).unwrap();
    let payload = &good[newsclf::model::HEADER_LEN..];
    let current = newsclf::model::FORMAT_VERSION;

    let newer = write(dir.path(), "newer.model", wrap(current + 1, payload));
    run(&["predict", "--model", s(&newer), "一句话"])
        .fails(1, &["newer.model: model format version", "upgrade newsclf"]);
    let older = write(dir.path(), "older.model", wrap(1, payload));
    run(&["predict", "--model", s(&older), "一句话"]).fails(
        1,
        &["older.model: model format version 1 is too old", "retrain"],
    );

    // A header declaring an exabyte of payload.
    let mut huge = good.clone();
    huge[12..20].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let huge = write(dir.path(), "huge.model", huge);
    run(&["predict", "--model", s(&huge), "一句话"]).fails(1, &["huge.model: truncated or padded"]);

    // A valid checksum around a payload whose first length prefix claims
    // 2^62 bytes: decoding must fail, not allocate.
    let mut crafted = vec![0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F];
    crafted.extend_from_slice(&payload[..64]);
    let crafted = write(dir.path(), "crafted.model", wrap(current, &crafted));
    let clock = std::time::Instant::now();
    run(&["predict", "--model", s(&crafted), "一句话"])
        .fails(1, &["crafted.model: the contents cannot be decoded"]);
    assert!(clock.elapsed().as_secs() < 5);

    // A well-formed payload whose parts disagree: every byte of a real payload
    // flipped in turn near the end (weights, labels) must never panic.
    for at in [payload.len() - 1, payload.len() / 2, 10] {
        let mut bad = payload.to_vec();
        bad[at] ^= 0xA5;
        let path = write(dir.path(), "flipped.model", wrap(current, &bad));
        let out = run(&["predict", "--model", s(&path), "一句话"]);
        assert!(
            out.code == 0 || out.stderr.contains("flipped.model:"),
            "byte {at}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_failed_train_leaves_the_previous_model_in_place() {
    let dir = tempdir();
    let model = dir.path().join("m.model");
    let good = write(
        dir.path(),
        "good.csv",
        "text,label\n油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n",
    );
    run(&[
        "train",
        "--data",
        s(&good),
        "--out",
        s(&model),
        "--min-df",
        "1",
    ])
    .ok();
    let before = std::fs::read(&model).unwrap();
    let one_class = write(dir.path(), "bad.csv", "text,label\n油价上涨,energy\n");
    run(&["train", "--data", s(&one_class), "--out", s(&model)]).fails(1, &["only one class"]);
    assert_eq!(std::fs::read(&model).unwrap(), before);
    // A destination that cannot be replaced (a directory): the error names
    // it, and no temporary file is left behind.
    let blocked = dir.path().join("taken");
    std::fs::create_dir(&blocked).unwrap();
    run(&[
        "train",
        "--data",
        s(&good),
        "--out",
        s(&blocked),
        "--min-df",
        "1",
    ])
    .fails(1, &["taken"]);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["bad.csv", "good.csv", "m.model", "taken"],
        "{names:?}"
    );
}

#[test]
fn many_threads_predicting_at_once_match_the_serial_results() {
    let model = newsclf::Model::embedded_default().unwrap();
    let text = std::fs::read_to_string(small_corpus()).unwrap();
    let texts: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let serial: Vec<String> = texts
        .iter()
        .map(|t| format!("{:?}", model.predict(t)))
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|k| {
                let (model, texts) = (&model, &texts);
                scope.spawn(move || {
                    // Each thread walks the texts from a different start.
                    (0..texts.len())
                        .map(|i| (i + k * 97) % texts.len())
                        .map(|i| (i, format!("{:?}", model.predict(&texts[i]))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, p) in h.join().unwrap() {
                assert_eq!(p, serial[i], "text {i}");
            }
        }
    });
}

#[test]
fn streamed_evaluation_of_a_file_equals_evaluation_in_memory() {
    // 6 copies of the project corpus: 4,860 rows, more than one chunk.
    let dir = tempdir();
    let text = std::fs::read_to_string(small_corpus()).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let mut big = format!("{header}\n");
    for _ in 0..6 {
        big.push_str(body);
    }
    big.push_str(",energy,neutral\n"); // one row to skip
    let path = write(dir.path(), "big.csv", &big);
    let model = newsclf::Model::embedded_default().unwrap();
    let spec = newsclf::data::CorpusSpec {
        label_cols: vec!["topic".into(), "sentiment".into()],
        ..Default::default()
    };
    let streamed =
        newsclf::evaluation::evaluate_file(&model, &path, &spec, false, &|_| {}).unwrap();
    let corpus = newsclf::data::LabeledCorpus::read(&path, &spec).unwrap();
    let in_memory = newsclf::evaluation::evaluate(&model, &corpus);
    assert_eq!(streamed.evaluation, in_memory);
    assert_eq!(streamed.rejects, corpus.rejects);
    assert_eq!(streamed.evaluation.rows_read, 4861);
    assert_eq!(streamed.evaluation.rows_skipped, 1);
    assert_eq!(streamed.evaluation.heads[0].1.rows, 4860);
    // The corpus's multi-paragraph articles, counted over every chunk.
    assert_eq!(streamed.multi_line, corpus.multi_line);
    assert_eq!(streamed.multi_line.count(), 6 * 84);
    let strict = newsclf::evaluation::evaluate_file(&model, &path, &spec, true, &|_| {});
    let (first, last) = corpus.multi_line.spans()[0];
    let message = strict.unwrap_err().to_string();
    assert!(
        message.contains(&format!("big.csv:{first}-{last}: this row spans")),
        "{message}"
    );
    // Without line breaks in the texts, --strict stops at the empty text in
    // the last chunk, named by its line in the file.
    let mut reader = csv::Reader::from_reader(big.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer
            .write_record(record.iter().map(|f| f.replace('\n', " ")))
            .unwrap();
    }
    let flat = write(dir.path(), "flat.csv", writer.into_inner().unwrap());
    let strict = newsclf::evaluation::evaluate_file(&model, &flat, &spec, true, &|_| {});
    let corpus = newsclf::data::LabeledCorpus::read(&flat, &spec).unwrap();
    assert!(corpus.multi_line.is_empty());
    let last_line = corpus.rejects.entries()[0].line;
    let message = strict.unwrap_err().to_string();
    assert!(
        message.contains(&format!("flat.csv:{last_line}: empty text")),
        "{message}"
    );
}
