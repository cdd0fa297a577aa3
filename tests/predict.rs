//! `newsclf predict`: inputs, formats and newspaper pages.

use crate::util::{root, run, run_in, s, small_corpus, tempdir, top_sum, write};

#[test]
fn a_newspaper_page_is_split_into_its_articles() {
    let out = run(&[
        "predict",
        "--sections",
        "--input",
        "data/sample_page.md",
        "--format",
        "json",
    ])
    .ok();
    let lines = out.json_lines();
    let got: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["title"].as_str().unwrap().to_string(),
                l["predictions"]["topic"]["label"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let expected = [
        ("中葡外交部举行新一轮政治磋商", "diplomacy"),
        ("聚焦冬季保供：本市新增三座储气站", "energy"),
        ("国内成品油价格今晚起小幅上调", "energy"),
        ("前十月全市外贸出口同比下降", "economy"),
        ("本地企业发布首款车规级智能驾驶芯片", "technology"),
        ("滨江大桥货车侧翻", "society"),
        ("主场0比2不敌临海队", "sports"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((title, topic), (want_title, want_topic)) in got.iter().zip(expected) {
        assert!(title.starts_with(want_title), "{title}");
        assert_eq!(topic, want_topic, "{title}");
    }
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["id"], i as u64 + 1);
        assert!((top_sum(&l["predictions"]["sentiment"]) - 1.0).abs() < 1e-4);
    }
    let table = run(&["predict", "--sections", "--input", "data/sample_page.md"]).ok();
    assert!(table.stdout.starts_with("id"), "{}", table.stdout);
    assert!(table.stdout.contains("聚焦冬季保供"), "{}", table.stdout);
}

#[test]
fn text_files_stdin_and_csv_files_are_read_with_their_line_numbers() {
    let dir = tempdir();
    let txt = write(dir.path(), "in.txt", "国际油价大幅上涨\n\n女排夺得冠军\n");
    let lines = run(&["predict", "--input", s(&txt), "--format", "json"])
        .ok()
        .json_lines();
    let ids: Vec<u64> = lines.iter().map(|l| l["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 3]);

    let piped = run_in(
        &root(),
        &["predict", "--input", "-", "--format", "json"],
        Some("国际油价大幅上涨\n女排夺得冠军\n".as_bytes()),
    )
    .ok()
    .json_lines();
    assert_eq!(piped.len(), 2);
    assert_eq!(piped[0]["predictions"], lines[0]["predictions"]);

    let csv_in = write(
        dir.path(),
        "in.csv",
        "id,body\n1,\"国际油价大幅上涨，\n炼厂成本承压\"\n2,\n3,女排夺得冠军\n",
    );
    let out = run(&[
        "predict",
        "--input",
        s(&csv_in),
        "--text-col",
        "body",
        "--format",
        "csv",
        "--top-k",
        "2",
    ])
    .ok();
    assert!(
        out.stderr.contains("in.csv:4: skipped: empty text"),
        "{}",
        out.stderr
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "id",
            "topic",
            "topic_probability",
            "topic_top",
            "sentiment",
            "sentiment_probability",
            "sentiment_top"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "2");
    assert_eq!(&rows[1][0], "5");
    assert_eq!(rows[0][3].split(';').count(), 2);
}

#[test]
fn json_predictions_have_the_documented_shape() {
    let lines = run(&[
        "predict",
        "--format",
        "json",
        "--top-k",
        "2",
        "央行下调存款准备金率",
    ])
    .ok()
    .json_lines();
    let p = &lines[0];
    assert_eq!(p["id"], 1);
    assert!(p.get("title").is_none());
    for head in ["topic", "sentiment"] {
        let h = &p["predictions"][head];
        assert_eq!(h["top"].as_array().unwrap().len(), 2);
        let prob = h["probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&prob));
        assert_eq!(h["top"][0]["probability"].as_f64().unwrap(), prob);
    }
    // Every class listed: the probabilities sum to 1.
    let all = run(&[
        "predict",
        "--format",
        "json",
        "--top-k",
        "99",
        "央行下调存款准备金率",
    ])
    .ok()
    .json_lines();
    assert_eq!(
        all[0]["predictions"]["topic"]["top"]
            .as_array()
            .unwrap()
            .len(),
        15
    );
    assert!((top_sum(&all[0]["predictions"]["topic"]) - 1.0).abs() < 1e-4);
}

#[test]
fn predict_and_eval_give_identical_output_whatever_the_thread_count() {
    let run_with = |threads: &str, args: &[&str]| {
        let mut all = vec!["--threads", threads];
        all.extend_from_slice(args);
        run(&all).ok().stdout
    };
    let small = small_corpus();
    let predict = [
        "predict",
        "--input",
        s(&small),
        "--text-col",
        "text",
        "--format",
        "json",
        "--top-k",
        "9",
    ];
    let one = run_with("1", &predict);
    assert_eq!(one.lines().count(), 810);
    assert_eq!(one, run_with("2", &predict));
    let eval = ["eval", "--data", s(&small), "--format", "json"];
    assert_eq!(run_with("1", &eval), run_with("2", &eval));
}

#[test]
fn a_stream_gets_its_answers_before_it_ends() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsclf"))
        .args(["predict", "--input", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("newsclf starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all("国际油价大幅上涨，炼油企业成本承压\n".as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = tx.send(line);
    });
    // The input is still open: the answer must come without waiting for its end.
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("an answer while the input stays open");
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["predictions"]["topic"]["label"], "energy");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
