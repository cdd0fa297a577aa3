//! Bad input: a clear message naming the file and line, a non-zero exit where
//! the job cannot be done, never a panic, never a row dropped unreported.

use crate::util::{run, s, tempdir, write};

fn train(data: &std::path::Path, out: &std::path::Path) -> crate::util::Run {
    run(&["train", "--data", s(data), "--out", s(out), "--min-df", "1"])
}

const GOOD_ROWS: &str = "油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n";

#[test]
fn empty_text_empty_label_and_malformed_rows_are_skipped_and_reported() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "d.csv",
        format!("text,label\n{GOOD_ROWS},energy\n风电,\n坏,行,多\n  \n\"未闭合,sports\n"),
    );
    let model = dir.path().join("m.model");
    let out = train(&data, &model).ok();
    for fragment in [
        "8 rows, 4 used, 4 skipped",
        "empty text: 1 × row skipped (line 6)",
        "empty label in column 'label': 1 × row skipped (line 7)",
        "malformed row: 3 fields where the header has 2",
        "(line 8)",
        "unbalanced quote",
        "(line 10)",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
    assert!(model.exists());
}

#[test]
fn a_wrong_column_name_is_an_error_listing_the_columns() {
    let dir = tempdir();
    let data = write(dir.path(), "d.csv", format!("text,label\n{GOOD_ROWS}"));
    let out = dir.path().join("m.model");
    run(&[
        "train",
        "--data",
        s(&data),
        "--out",
        s(&out),
        "--label-col",
        "topic",
    ])
    .fails(
        1,
        &[
            "d.csv:1: no column 'topic'",
            "columns: text, label",
            "--label-col",
        ],
    );
    assert!(!out.exists());
}

/// "油价上涨", "电网投运", "球队获胜", "女排夺冠" with their labels, in GBK.
#[test]
fn a_stopword_line_with_a_space_inside_stops_training_at_its_line() {
    let dir = tempdir();
    let data = write(dir.path(), "d.csv", format!("text,label\n{GOOD_ROWS}"));
    let stop = write(dir.path(), "stop.txt", "的\n了 吗\n");
    let out = dir.path().join("m.model");
    let stop_line = format!("{}:2: `了 吗` is not one word", stop.display());
    run(&[
        "train",
        "--data",
        s(&data),
        "--stopwords",
        s(&stop),
        "--out",
        s(&out),
    ])
    .fails(1, &[&stop_line, "a line of its own"]);
    assert!(!out.exists());
}

fn gbk_rows() -> Vec<u8> {
    let mut bytes = b"text,label\n".to_vec();
    for row in [
        &b"\xd3\xcd\xbc\xdb\xc9\xcf\xd5\xc7,energy\n"[..],
        b"\xb5\xe7\xcd\xf8\xcd\xb6\xd4\xcb,energy\n",
        b"\xc7\xf2\xb6\xd3\xbb\xf1\xca\xa4,sports\n",
        b"\xc5\xae\xc5\xc5\xb6\xe1\xb9\xda,sports\n",
    ] {
        bytes.extend_from_slice(row);
    }
    bytes
}

#[test]
fn a_gbk_file_is_refused_naming_its_encoding_and_read_with_the_flag() {
    let dir = tempdir();
    let data = write(dir.path(), "gbk.csv", gbk_rows());
    let model = dir.path().join("m.model");
    train(&data, &model).fails(
        1,
        &[
            "gbk.csv:2, column 'text'",
            "looks like GBK/GB18030",
            "--encoding gb18030",
        ],
    );
    assert!(!model.exists());
    for encoding in ["gbk", "gb18030"] {
        let out = run(&[
            "train",
            "--data",
            s(&data),
            "--out",
            s(&model),
            "--min-df",
            "1",
            "--encoding",
            encoding,
        ])
        .ok();
        assert!(
            out.stderr.contains("4 rows, 4 used, 0 skipped"),
            "{}",
            out.stderr
        );
        let p = run(&[
            "predict",
            "--model",
            s(&model),
            "--format",
            "json",
            "油价上涨",
        ])
        .ok()
        .json_lines();
        assert_eq!(p[0]["predictions"]["label"]["label"], "energy");
    }
    // The same for a text file to classify, and a page.
    let lines = write(dir.path(), "lines.txt", &gbk_rows()[11..]);
    run(&["predict", "--input", s(&lines)]).fails(1, &["lines.txt:1:", "--encoding gb18030"]);
    let out = run(&[
        "predict",
        "--input",
        s(&lines),
        "--encoding",
        "gbk",
        "--format",
        "json",
    ])
    .ok();
    assert_eq!(out.json_lines().len(), 4);
    let mut page = b"# ".to_vec();
    page.extend_from_slice(&gbk_rows()[11..]);
    let page = write(dir.path(), "page.md", page);
    run(&["predict", "--sections", "--input", s(&page)])
        .fails(1, &["page.md:1:", "--encoding gb18030"]);
    run(&[
        "predict",
        "--sections",
        "--input",
        s(&page),
        "--encoding",
        "gb18030",
    ])
    .ok();
    // Asking for GBK on a UTF-8 file with Chinese text says so.
    let utf8 = write(dir.path(), "u.csv", format!("text,label\n{GOOD_ROWS}"));
    let out = run(&[
        "train",
        "--data",
        s(&utf8),
        "--out",
        s(&model),
        "--encoding",
        "gbk",
    ]);
    assert!(
        out.stderr.contains("valid UTF-8: drop --encoding"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bom_and_crlf_line_ends_are_accepted() {
    let dir = tempdir();
    let body = format!("text,label\n{GOOD_ROWS}").replace('\n', "\r\n");
    let data = write(dir.path(), "bom.csv", format!("\u{feff}{body}"));
    let model = dir.path().join("m.model");
    let out = train(&data, &model).ok();
    assert!(
        out.stderr.contains("4 rows, 4 used, 0 skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("2 classes: energy 2, sports 2"),
        "{}",
        out.stderr
    );
    let lines = write(
        dir.path(),
        "crlf.txt",
        "\u{feff}油价上涨\r\n\r\n女排夺冠\r\n",
    );
    let p = run(&[
        "predict",
        "--model",
        s(&model),
        "--input",
        s(&lines),
        "--format",
        "csv",
    ])
    .ok();
    let mut reader = csv::Reader::from_reader(p.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[1][0]), ("1", "3"));
}

#[test]
fn unbalanced_quotes_name_the_lines_they_swallowed() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "q.csv",
        format!("text,label\n{GOOD_ROWS}\"未闭合的引号,sports\n后面一行,energy\n最后一行,sports\n"),
    );
    let out = train(&data, &dir.path().join("m.model")).ok();
    assert!(out.stderr.contains("unbalanced quote"), "{}", out.stderr);
    assert!(out.stderr.contains("every line up to 8"), "{}", out.stderr);
    assert!(out.stderr.contains("(line 6)"), "{}", out.stderr);
}

/// 600 one-line titles (lines 2-601) in three classes, where line 201 opens a
/// quote it never closes and line 401 has an extra, quoted field: the quote
/// runs on to line 401, and lines 201-401 come back as one row of two fields.
fn stray_quote_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from("text,label\n");
    for i in 0..600 {
        let line = i + 2;
        let label = ["energy", "sports", "economy"][i % 3];
        match line {
            201 => text.push_str("\"未闭合的引号,sports\n"),
            401 => text.push_str(&format!("第{i}条新闻标题,\"附加字段\",{label}\n")),
            _ => text.push_str(&format!("第{i}条新闻标题 {label},{label}\n")),
        }
    }
    write(dir, "stray.csv", text)
}

#[test]
fn a_stray_quote_that_merges_rows_is_reported_with_its_line_span() {
    let dir = tempdir();
    let data = stray_quote_file(dir.path());
    let model = dir.path().join("m.model");
    let spans = [
        "1 row spans several lines (a quoted field with line breaks), used as read",
        "the quote opened on its first line closes too late: fix it there",
        "\n    lines 201-401\n",
    ];
    let out = train(&data, &model).ok();
    assert!(
        out.stderr.contains("read ")
            && out
                .stderr
                .contains("stray.csv: 400 rows, 400 used, 0 skipped"),
        "{}",
        out.stderr
    );
    for fragment in spans {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
    // The same warning from eval, cv and tune, and from predict on the CSV.
    let eval = run(&["eval", "--model", s(&model), "--data", s(&data)]).ok();
    let cv = run(&["cv", "--data", s(&data), "--folds", "2", "--min-df", "1"]).ok();
    let tune = run(&[
        "tune",
        "--data",
        s(&data),
        "--out",
        s(&dir.path().join("t.model")),
        "--folds",
        "2",
        "--grid-loss",
        "svm",
        "--grid-c",
        "1",
        "--grid-char-ngrams",
        "1-2",
        "--grid-min-df",
        "1",
    ])
    .ok();
    for out in [&eval, &cv, &tune] {
        for fragment in spans {
            assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
        }
    }
    let predict = run(&[
        "predict",
        "--model",
        s(&model),
        "--input",
        s(&data),
        "--format",
        "csv",
    ])
    .ok();
    assert!(
        predict
            .stderr
            .contains("stray.csv: warning: 1 row spans several lines"),
        "{}",
        predict.stderr
    );
    assert!(
        predict.stderr.contains("\n  lines 201-401\n"),
        "{}",
        predict.stderr
    );
    // --strict stops there, naming the file and the span.
    let stop = [
        "stray.csv:201-401: this row spans lines 201 to 401",
        "close the quote opened on line 201",
        "--strict stops at the first row that spans several lines",
    ];
    let strict = dir.path().join("strict.model");
    run(&["train", "--data", s(&data), "--out", s(&strict), "--strict"]).fails(1, &stop);
    assert!(!strict.exists());
    run(&["cv", "--data", s(&data), "--strict"]).fails(1, &stop);
    run(&["eval", "--model", s(&model), "--data", s(&data), "--strict"]).fails(1, &stop);
    let out = run(&[
        "predict",
        "--model",
        s(&model),
        "--input",
        s(&data),
        "--format",
        "csv",
        "--strict",
    ])
    .fails(1, &stop);
    // The rows before the stop were classified (a header and lines 2-200).
    assert_eq!(out.stdout.lines().count(), 200);
}

#[test]
fn texts_with_paragraphs_are_used_and_counted_without_a_flood() {
    let dir = tempdir();
    let mut text = String::from("text,label\n");
    for i in 0..12 {
        let label = ["energy", "sports"][i % 2];
        text.push_str(&format!("\"第{i}篇 {label} 第一段。\n第二段。\",{label}\n"));
    }
    let data = write(dir.path(), "paragraphs.csv", text);
    let out = train(&data, &dir.path().join("m.model")).ok();
    for fragment in [
        "12 rows, 12 used, 0 skipped",
        "12 rows span several lines (quoted fields with line breaks), used as read",
        "right for texts with paragraphs",
        "\n    lines 2-3, 4-5, 6-7, 8-9, 10-11, 12-13, 14-15, 16-17, 18-19, 20-21, … 2 more\n",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
    assert_eq!(
        out.stderr.matches("\n    lines ").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_header_and_duplicate_columns_are_errors() {
    let dir = tempdir();
    let m = dir.path().join("m.model");
    let no_header = write(dir.path(), "nh.csv", GOOD_ROWS);
    train(&no_header, &m).fails(
        1,
        &[
            "nh.csv:1: no column 'text'",
            "columns: 油价上涨, energy",
            "--text-col",
        ],
    );
    let dup = write(
        dir.path(),
        "dup.csv",
        "text,label,label\n油价上涨,energy,x\n",
    );
    train(&dup, &m).fails(
        1,
        &[
            "dup.csv:1: column 'label' appears 2 times",
            "columns 2 and 3",
        ],
    );
    assert!(!m.exists());
}

#[test]
fn labels_are_trimmed_and_case_clashes_are_reported() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "case.csv",
        format!("text,label\n{GOOD_ROWS}风电并网, energy \n篮球联赛,Sports\n雨天,   \n"),
    );
    let model = dir.path().join("m.model");
    let out = train(&data, &model).ok();
    for fragment in [
        "7 rows, 6 used, 1 skipped",
        "empty label in column 'label': 1 × row skipped (line 8)",
        "energy 3",
        "labels 'Sports' (1 rows) and 'sports' (2 rows) differ only in case",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
}

#[test]
fn strict_turns_every_skip_into_a_stop() {
    let dir = tempdir();
    let m = dir.path().join("m.model");
    let skipping = write(
        dir.path(),
        "s.csv",
        format!("text,label\n{GOOD_ROWS},energy\n"),
    );
    run(&["train", "--data", s(&skipping), "--out", s(&m), "--strict"])
        .fails(1, &["s.csv:6: empty text", "--strict"]);
    assert!(!m.exists());
    let topics = write(
        dir.path(),
        "t.csv",
        "text,topic\n油价上涨,energy\n,energy\n",
    );
    run(&["eval", "--data", s(&topics), "--strict"]).fails(1, &["t.csv:3: empty text"]);
    run(&["cv", "--data", s(&skipping), "--strict"]).fails(1, &["s.csv:6: empty text"]);
    let case = write(
        dir.path(),
        "c.csv",
        format!("text,label\n{GOOD_ROWS}篮球联赛,Sports\n"),
    );
    run(&["train", "--data", s(&case), "--out", s(&m), "--strict"])
        .fails(1, &["differ only in case", "--strict"]);
    // predict prints what came before the bad row, then stops.
    let lines = write(
        dir.path(),
        "l.txt",
        b"\xe6\xb2\xb9\n\xff\xfe\x00\n\xe7\x90\x83\n",
    );
    let out = run(&[
        "predict",
        "--input",
        s(&lines),
        "--strict",
        "--format",
        "json",
    ])
    .fails(1, &["l.txt:2:", "not valid UTF-8", "--strict"]);
    assert_eq!(out.json_lines().len(), 1);
    let out = run(&["predict", "--input", s(&lines), "--format", "json"]).ok();
    assert_eq!(out.json_lines().len(), 2);
    assert!(out.stderr.contains("l.txt:2: skipped"), "{}", out.stderr);
}

#[test]
fn hostile_text_still_gives_valid_json_and_csv() {
    let dir = tempdir();
    let mut long = String::new();
    while long.len() < 10_000_000 {
        long.push_str("国家能源局发布风电光伏新增装机数据经济增长市场价格");
    }
    let texts = [
        "控制\u{1}字符\u{7}与\u{1b}[31m转义",
        "表情😀🚀与中文混排 mixed English текст العربية",
        "\"引号\",逗号,\t制表符",
        &long,
    ];
    let mut csv_in = csv::Writer::from_writer(Vec::new());
    csv_in.write_record(["text"]).unwrap();
    for t in texts {
        csv_in.write_record([t]).unwrap();
    }
    let csv_in = write(dir.path(), "hostile.csv", csv_in.into_inner().unwrap());
    let json = run(&["predict", "--input", s(&csv_in), "--format", "json"]).ok();
    assert_eq!(json.json_lines().len(), texts.len());
    let out = run(&["predict", "--input", s(&csv_in), "--format", "csv"]).ok();
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    assert_eq!(reader.records().map(Result::unwrap).count(), texts.len());
    // Binary garbage and empty lines in a text file: skipped and reported, not fatal.
    let mut garbage = b"\n\n".to_vec();
    garbage.extend_from_slice(&[0xFF, 0x00, 0xC3, 0x28, 0xA0, 0xA1, b'\n']);
    garbage.extend_from_slice("油价上涨\n".as_bytes());
    let garbage = write(dir.path(), "garbage.txt", garbage);
    let out = run(&["predict", "--input", s(&garbage), "--format", "json"]).ok();
    assert_eq!(out.json_lines().len(), 1);
    assert!(
        out.stderr.contains("garbage.txt:3: skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 input rows skipped"),
        "{}",
        out.stderr
    );
}

#[test]
fn empty_files_header_only_files_and_single_classes_are_errors() {
    let dir = tempdir();
    let m = dir.path().join("m.model");
    let empty = write(dir.path(), "empty.csv", "");
    train(&empty, &m).fails(1, &["empty.csv: the file is empty"]);
    let header = write(dir.path(), "header.csv", "text,label\n");
    train(&header, &m).fails(1, &["header.csv: the file has a header but no data rows"]);
    let single = write(
        dir.path(),
        "one.csv",
        "text,label\n油价上涨,energy\n电网投运,energy\n",
    );
    train(&single, &m).fails(
        1,
        &["one.csv: column 'label' has only one class ('energy')"],
    );
    let missing =
        train(&dir.path().join("missing.csv"), &m).fails(1, &["missing.csv", "No such file"]);
    assert_eq!(
        missing.stderr.matches("No such file").count(),
        1,
        "{}",
        missing.stderr
    );
    assert!(!m.exists());
}

#[test]
fn unreadable_foreign_and_damaged_models_are_refused() {
    let dir = tempdir();
    let foreign = write(dir.path(), "foreign.model", "text,label\n");
    run(&["predict", "--model", s(&foreign), "一句话"])
        .fails(1, &["foreign.model: not a newsclf model file", "text file"]);
    let good = std::fs::read(crate::util::root().join("models/default.model")).unwrap();
    let truncated = write(dir.path(), "cut.model", &good[..good.len() / 2]);
    run(&["eval", "--model", s(&truncated), "--data", "data/news.csv"])
        .fails(1, &["cut.model: truncated"]);
    let mut flipped = good.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x40;
    let flipped = write(dir.path(), "flip.model", flipped);
    run(&["predict", "--model", s(&flipped), "一句话"]).fails(1, &["flip.model: damaged"]);
    run(&[
        "predict",
        "--model",
        s(&dir.path().join("none.model")),
        "一句话",
    ])
    .fails(1, &["none.model", "No such file"]);
}

#[test]
fn eval_reports_labels_the_model_never_saw() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "d.csv",
        "text,topic\n国际油价大幅上涨,energy\n明日有小雨气温下降,weather\n",
    );
    let report = run(&["eval", "--data", s(&data), "--format", "json"]).ok();
    assert!(
        report.stderr.contains("has no column 'sentiment'"),
        "{}",
        report.stderr
    );
    let json = report.json();
    assert_eq!(json["heads"]["topic"]["unknown_labels"]["weather"], 1);
    let labels = json["heads"]["topic"]["confusion_matrix"]["labels"]
        .as_array()
        .unwrap();
    assert_eq!(labels.last().unwrap(), "weather");
}

#[test]
fn a_label_column_that_is_not_a_label_is_refused_before_any_work() {
    let dir = tempdir();
    let m = dir.path().join("m.model");
    // The text column named as the label column: refused before the file
    // is opened (it does not exist), like any bad setting.
    let missing = dir.path().join("missing.csv");
    for command in [
        &["train", "--out", s(&m)][..],
        &["cv"],
        &["tune", "--out", s(&m)],
    ] {
        let mut args = command.to_vec();
        args.extend_from_slice(&["--data", s(&missing), "--label-col", "text"]);
        let out = run(&args).fails(
            2,
            &[
                "newsclf: error: invalid setting: --label-col 'text' is the text column \
                 (--text-col text): a label column holds each row's class, not its text; \
                 pass the column that holds the labels to --label-col",
            ],
        );
        assert!(!out.stderr.contains("missing.csv"), "{}", out.stderr);
    }
    run(&["eval", "--data", s(&missing), "--text-col", "topic"]).fails(
        2,
        &["invalid setting: --text-col 'topic' is the label column of the model's head 'topic'"],
    );
    // A column with nearly one value per row: 40 classes in 40 rows.
    let mut text = String::from("text,label,id\n");
    for i in 0..40 {
        let label = ["energy", "sports"][i % 2];
        text.push_str(&format!("第{i}条 {label} 新闻,{label},稿件{i}\n"));
    }
    let data = write(dir.path(), "ids.csv", text);
    let refused = [
        "ids.csv: column 'id' has 40 classes in 40 rows, more than one class per two rows",
        "it does not look like a label column",
        "pass the column that holds the labels to --label-col, or add --allow-many-classes",
    ];
    let out = run(&[
        "train",
        "--data",
        s(&data),
        "--out",
        s(&m),
        "--label-col",
        "id",
    ])
    .fails(1, &refused);
    // Refused right after reading: nothing was segmented or fitted.
    assert!(
        out.stderr.contains("40 rows, 40 used, 0 skipped"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("head 'id'"), "{}", out.stderr);
    assert!(!m.exists());
    run(&["cv", "--data", s(&data), "--label-col", "id"]).fails(1, &refused);
    // With several heads, the head at fault is named.
    run(&[
        "train",
        "--data",
        s(&data),
        "--out",
        s(&m),
        "--label-col",
        "label",
        "--label-col",
        "id",
    ])
    .fails(1, &refused);
    // Exactly one class per two rows is still a label column; more needs the flag.
    let out = run(&[
        "train",
        "--data",
        s(&data),
        "--out",
        s(&m),
        "--label-col",
        "id",
        "--min-df",
        "1",
        "--allow-many-classes",
    ])
    .ok();
    assert!(
        out.stderr.contains("head 'id': 40 rows, 40 classes"),
        "{}",
        out.stderr
    );
    let mut half = String::from("text,label\n");
    for i in 0..40 {
        half.push_str(&format!("第{i}条新闻,类{}\n", i / 2));
    }
    let half = write(dir.path(), "half.csv", half);
    train(&half, &m).ok();
}

#[test]
fn bad_settings_stop_before_any_data_is_read() {
    // The data file does not exist: a settings message proves it was never
    // opened (and on a file of any size the stop is as quick).
    let dir = tempdir();
    let data = dir.path().join("huge.csv");
    let out = dir.path().join("m.model");
    let train = |flags: &[&str]| {
        let mut args = vec!["train", "--data", s(&data), "--out", s(&out)];
        args.extend_from_slice(flags);
        run(&args)
    };
    for (flags, message) in [
        (
            &["--c", "nan"][..],
            "--c must be a positive finite number, got NaN",
        ),
        (
            &["--c", "-1"],
            "--c must be a positive finite number, got -1",
        ),
        (&["--c", "0"], "--c must be a positive finite number, got 0"),
        (
            &["--tol", "0"],
            "--tol must be a positive finite number, got 0",
        ),
        (
            &["--tol", "inf"],
            "--tol must be a positive finite number, got inf",
        ),
        (&["--max-iter", "0"], "--max-iter must be at least 1"),
        (
            &["--max-df", "2"],
            "--max-df must be a fraction in (0, 1], got 2",
        ),
        (
            &["--max-df", "0"],
            "--max-df must be a fraction in (0, 1], got 0",
        ),
        (&["--min-df", "0"], "--min-df must be at least 1"),
        (
            &["--max-features", "0"],
            "--max-features must be at least 1",
        ),
        (
            &["--word-ngrams", "1-4"],
            "--word-ngrams must be MIN-MAX with 1 <= MIN <= MAX <= 3, got 1-4",
        ),
        (
            &["--char-ngrams", "2-9"],
            "--char-ngrams must be MIN-MAX with 1 <= MIN <= MAX <= 3, got 2-9",
        ),
        (
            &["--model", "nb", "--alpha", "0"],
            "--alpha (naive Bayes smoothing) must be a positive finite number, got 0",
        ),
        (
            &["--model", "linfa-logistic", "--max-dense-mb", "0"],
            "--max-dense-mb (the dense matrix budget) must be at least 1",
        ),
        (
            &["--model", "linfa-logistic", "--c", "1e-320"],
            "--c is too small for linfa-logistic (1/C overflows), got 1e-320",
        ),
        // A flag of another classifier kind, even with a good value (or the
        // default one), is refused.
        (
            &["--model", "nb", "--c", "nan"],
            "--c applies to --model linear or linfa-logistic, not nb; drop --c",
        ),
        (
            &["--model", "nb", "--max-iter", "3"],
            "--max-iter applies to --model linear or linfa-logistic, not nb; drop --max-iter",
        ),
        (
            &["--model", "nb", "--tol", "0.1"],
            "--tol applies to --model linear, not nb; drop --tol",
        ),
        (
            &["--model", "linfa-logistic", "--loss", "svm"],
            "--loss applies to --model linear, not linfa-logistic; drop --loss",
        ),
        (
            &["--model", "linfa-logistic", "--seed", "1"],
            "--seed applies to --model linear, not linfa-logistic; drop --seed",
        ),
        (
            &["--alpha", "1"],
            "--alpha applies to --model nb, not linear; drop --alpha",
        ),
        (
            &["--model", "nb", "--max-dense-mb", "9"],
            "--max-dense-mb applies to --model linfa-logistic, not nb; drop --max-dense-mb",
        ),
    ] {
        let run = train(flags).fails(2, &[&format!("newsclf: error: invalid setting: {message}")]);
        assert!(
            !run.stderr.contains("huge.csv"),
            "{flags:?}: {}",
            run.stderr
        );
    }
    // cv and tune: the same checks, and the folds and the grid.
    let cv = |flags: &[&str]| {
        let mut args = vec!["cv", "--data", s(&data)];
        args.extend_from_slice(flags);
        run(&args)
    };
    cv(&["--max-df", "2"]).fails(2, &["invalid setting: --max-df must be a fraction"]);
    cv(&["--folds", "1"]).fails(2, &["invalid setting: --folds must be at least 2, got 1"]);
    cv(&["--model", "nb", "--c", "1"]).fails(
        2,
        &["invalid setting: --c applies to --model linear or linfa-logistic, not nb; drop --c"],
    );
    let tune = |flags: &[&str]| {
        let mut args = vec!["tune", "--data", s(&data), "--out", s(&out)];
        args.extend_from_slice(flags);
        run(&args)
    };
    tune(&["--c", "nan"]).fails(
        2,
        &["invalid setting: --c must be a positive finite number, got NaN"],
    );
    tune(&["--folds", "0"]).fails(2, &["invalid setting: --folds must be at least 2, got 0"]);
    tune(&["--max-dense-mb", "9"]).fails(
        2,
        &["invalid setting: --max-dense-mb applies to --model linfa-logistic, not linear"],
    );
    tune(&["--grid-c", "1,-2"]).fails(
        2,
        &["invalid setting: in --grid-c: --c must be a positive finite number, got -2"],
    );
    tune(&["--grid-min-df", "1,0"]).fails(
        2,
        &["invalid setting: in --grid-min-df: --min-df must be at least 1"],
    );
    tune(&["--grid-char-ngrams", "1-4"]).fails(
        2,
        &["invalid setting: in --grid-char-ngrams: --char-ngrams must be MIN-MAX"],
    );
    // Values clap refuses: exit 2 too, naming the flag.
    train(&["--min-df", "-1"]).fails(2, &["invalid value '-1' for '--min-df <N>'"]);
    train(&["--word-ngrams", "3-1"]).fails(2, &["'--word-ngrams <RANGE>'", "1 <= MIN <= MAX"]);
    assert!(!out.exists());
    // With good settings, the missing file is what is reported.
    train(&[]).fails(1, &["huge.csv", "No such file"]);
}

#[test]
fn usage_errors_exit_with_two() {
    run(&["train", "--data"]).fails(2, &["--data"]);
    run(&["predict", "--format", "xml", "x"]).fails(2, &["xml"]);
    run(&["frobnicate"]).fails(2, &["frobnicate"]);
    run(&["predict", "--top-k", "0", "x"]).fails(2, &["top-k"]);
}

#[test]
fn predict_on_an_empty_stream_prints_only_the_header() {
    // Without texts or --input, a stdin that is not a terminal is read.
    let out = run(&["predict"]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(lines[0].starts_with("id"), "{}", out.stdout);
}
