//! Helpers shared by the integration tests: running the binary, locating the
//! shared datasets, and temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path of the project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the shared datasets (`../shared/data/<name>/<file>`), which must exist.
pub fn shared(name: &str, file: &str) -> PathBuf {
    let path = root().join("../shared/data").join(name).join(file);
    assert!(
        path.exists(),
        "{} is missing: the tests need ../shared/data beside the project",
        path.display()
    );
    path
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "newsclf panicked:\n{}",
            run.stderr
        );
        run
    }

    /// Asserts success and returns self.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success, stderr:\n{}", self.stderr);
        self
    }

    /// Asserts the exit code and that stderr contains every fragment.
    pub fn fails(self, code: i32, fragments: &[&str]) -> Run {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        for f in fragments {
            assert!(
                self.stderr.contains(f),
                "stderr lacks {f:?}:\n{}",
                self.stderr
            );
        }
        self
    }

    /// stdout parsed as JSON lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// stdout parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).expect("stdout is one JSON value")
    }
}

/// Runs `newsclf` with `args` in `dir`, feeding `stdin`.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsclf"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsclf starts");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    Run::from(child.wait_with_output().expect("newsclf runs"))
}

/// Runs `newsclf` with `args` in the project root.
pub fn run(args: &[&str]) -> Run {
    run_in(&root(), args, None)
}

/// A fresh temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// `path` as `&str`.
pub fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// Probabilities of one head in a JSON prediction's `top` list.
pub fn top_sum(head: &serde_json::Value) -> f64 {
    head["top"]
        .as_array()
        .expect("top is a list")
        .iter()
        .map(|t| t["probability"].as_f64().expect("probability"))
        .sum()
}

/// Rows of `data/news.csv` in [`small_corpus`]: its first, hand-written part.
pub const SMALL_CORPUS_ROWS: usize = 810;

/// A CSV of the first 810 rows of `data/news.csv` (6 topics × 135 rows, each
/// balanced across the three tones): small enough that tests which train,
/// cross-validate and tune many times stay quick. Written once per test run.
pub fn small_corpus() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let text = std::fs::read(root().join("data/news.csv")).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_slice());
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(reader.headers().unwrap()).unwrap();
        for record in reader.records().take(SMALL_CORPUS_ROWS) {
            out.write_record(&record.unwrap()).unwrap();
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("news_small_{}.csv", std::process::id()));
        std::fs::write(&path, out.into_inner().unwrap()).unwrap();
        path
    })
    .clone()
}

/// Splits the small project corpus into 4/5 train, 1/5 held out, by row position.
pub fn split_corpus(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let text = std::fs::read(small_corpus()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let header = reader.headers().unwrap().clone();
    let mut train = csv::Writer::from_writer(Vec::new());
    let mut test = csv::Writer::from_writer(Vec::new());
    train.write_record(&header).unwrap();
    test.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        if i % 5 == 0 {
            test.write_record(&record).unwrap();
        } else {
            train.write_record(&record).unwrap();
        }
    }
    (
        write(dir, "train.csv", train.into_inner().unwrap()),
        write(dir, "test.csv", test.into_inner().unwrap()),
    )
}

/// `newsclf eval --model MODEL --data DATA --format json`, parsed (it must succeed).
pub fn eval_json(model: &Path, data: &Path) -> serde_json::Value {
    run(&[
        "eval",
        "--model",
        s(model),
        "--data",
        s(data),
        "--format",
        "json",
    ])
    .ok()
    .json()
}

/// A case of continued training, in `dir`: a model with heads `topic` and
/// `sentiment` trained on the small corpus's 4/5 split, and new rows for it
/// (the held-out fifth, its topic only, with a new topic, `weather`, on every
/// tenth row). Returns the model, the new rows and the held-out fifth.
pub fn continuation_case(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (train, test) = split_corpus(dir);
    let old = dir.join("old.model");
    let heads = ["--label-col", "topic", "--label-col", "sentiment"];
    run(&[
        &["train", "--data", s(&train), "--out", s(&old)][..],
        &heads,
    ]
    .concat())
    .ok();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["text", "topic"]).unwrap();
    for (i, record) in csv::Reader::from_path(&test).unwrap().records().enumerate() {
        let r = record.unwrap();
        out.write_record([&r[0], if i % 10 == 0 { "weather" } else { &r[1] }])
            .unwrap();
    }
    let more = write(dir, "more.csv", out.into_inner().unwrap());
    (old, more, test)
}

/// The first of `names` on `PATH`.
pub fn on_path(names: &[&str], package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "none of {} on PATH: this test runs it; install it with `apt-get install {package}` (.ci/run does)",
        names.join(", ")
    );
}
