//! Measures why newsclf does not use linfa's stock classifiers: fits newsclf's
//! sparse one-vs-rest classifier and linfa-logistic / linfa-bayes on the same
//! TF-IDF features, and prints fit time, test accuracy and the memory the dense
//! matrix that the stock estimators require takes.
//!
//! ```text
//! cargo run --release --example stock_linfa -- TRAIN.csv TEST.csv --features 5000
//! ```
//!
//! Each estimator runs in its own child process (this same program with
//! `--only NAME`), so that a stock fit that takes too long can be stopped after
//! `--cap-secs` seconds and each peak memory figure belongs to one estimator.
//! The children's stderr goes to `/dev/null` (or `--stderr-log FILE`): linfa-bayes
//! 0.8.1 calls `dbg!` on every class histogram while fitting, which floods stderr.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, Predict};
use linfa_bayes::MultinomialNb;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use rayon::prelude::*;

use newsclf::data::{CorpusSpec, LabeledCorpus};
use newsclf::estimators::LinearParams;
use newsclf::features::SparseMatrix;
use newsclf::features::{FeatureConfig, Segmented, Vectorizer};
use newsclf::text::normalize;
use newsclf::text::{Segmenter, SegmenterConfig};

/// Rows and full feature count of newsclf's default features on
/// thucnews_titles/train.csv, for the dense-memory estimate.
const FULL_ROWS: usize = 33_590;
const FULL_FEATURES: usize = 162_382;

const ESTIMATORS: &str = "newsclf,newsclf-1thread,logistic,logistic-iter100,multinomial-nb";

#[derive(Parser, Debug)]
#[command(about = "Compare newsclf's sparse classifier with stock linfa classifiers")]
struct Args {
    /// Training CSV (`text,label`).
    train: PathBuf,
    /// Test CSV (`text,label`).
    test: PathBuf,
    /// Keep the N most frequent word / word-bigram terms (no character n-grams).
    #[arg(long, default_value_t = 5000)]
    features: usize,
    /// Use only the first R training rows.
    #[arg(long)]
    train_rows: Option<usize>,
    /// Stop an estimator's process after this many seconds.
    #[arg(long, default_value_t = 600)]
    cap_secs: u64,
    /// Comma-separated estimators: newsclf, newsclf-1thread, logistic,
    /// logistic-iter<K>, multinomial-nb.
    #[arg(long, value_delimiter = ',', default_value = ESTIMATORS)]
    estimators: Vec<String>,
    /// Append the children's stderr here instead of discarding it.
    #[arg(long)]
    stderr_log: Option<PathBuf>,
    /// Also featurize the train file with newsclf's default features and report
    /// the dense size of that matrix.
    #[arg(long)]
    count_default_features: bool,
    /// Internal: run one estimator and print its RESULT line.
    #[arg(long, hide = true)]
    only: Option<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    match args.only.clone() {
        Some(name) => run_one(&args, &name),
        None => run_all(&args),
    }
}

fn mb(bytes: f64) -> f64 {
    bytes / 1e6
}

fn dense_bytes(rows: usize, cols: usize) -> f64 {
    rows as f64 * cols as f64 * std::mem::size_of::<f64>() as f64
}

/// Peak resident set size of this process, in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb * 1024.0 / 1e6)
}

// ---------------------------------------------------------------- parent

fn run_all(args: &Args) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# stock_linfa: {} threads available", threads);
    println!(
        "train {} | test {} | features {} | train rows {} | cap {} s",
        args.train.display(),
        args.test.display(),
        args.features,
        args.train_rows
            .map_or_else(|| "all".to_string(), |r| r.to_string()),
        args.cap_secs
    );
    let full = dense_bytes(FULL_ROWS, FULL_FEATURES);
    println!(
        "dense f64 {FULL_ROWS} x {FULL_FEATURES} (newsclf default features, thucnews_titles train): \
         {:.0} MB = {:.1} GiB (computed, not allocated)",
        mb(full),
        full / (1u64 << 30) as f64
    );
    if args.count_default_features {
        let corpus = LabeledCorpus::read(&args.train, &CorpusSpec::default())?;
        let docs = segment(&corpus.texts);
        let v = Vectorizer::fit(&FeatureConfig::default(), &docs)?;
        let (rows, cols) = (docs.len(), v.n_features());
        let x = v.transform(&docs);
        let sparse = sparse_bytes(&x);
        println!(
            "measured: default features on {}: {rows} x {cols}, nnz {}; sparse CSR {:.0} MB, \
             dense f64 would be {:.0} MB",
            args.train.display(),
            x.nnz(),
            mb(sparse),
            mb(dense_bytes(rows, cols))
        );
    }

    let exe = std::env::current_exe()?;
    let mut results = Vec::new();
    for name in &args.estimators {
        println!("\n## {name}");
        std::io::stdout().flush()?;
        let mut cmd = Command::new(&exe);
        cmd.arg(&args.train)
            .arg(&args.test)
            .arg("--features")
            .arg(args.features.to_string())
            .arg("--only")
            .arg(name)
            .stdout(Stdio::piped())
            .stdin(Stdio::null());
        if let Some(r) = args.train_rows {
            cmd.arg("--train-rows").arg(r.to_string());
        }
        match &args.stderr_log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("opening {}", path.display()))?;
                cmd.stderr(file);
            }
            None => {
                cmd.stderr(Stdio::null());
            }
        }
        let clock = Instant::now();
        let mut child = cmd.spawn().context("starting a child process")?;
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            let mut result = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("RESULT\t") {
                    result = Some(rest.to_string());
                } else {
                    println!("  {line}");
                }
            }
            result
        });
        let cap = Duration::from_secs(args.cap_secs);
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if clock.elapsed() >= cap {
                child.kill()?;
                child.wait()?;
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let result = reader
            .join()
            .map_err(|_| anyhow!("reader thread panicked"))?;
        match (status, result) {
            (Some(s), Some(r)) if s.success() => results.push(r),
            (Some(s), _) => {
                println!("  FAILED ({s})");
                results.push(format!("{name}\t-\t{}\tfailed\t-\t-\t-", args.features));
            }
            (None, _) => {
                println!(
                    "  STOPPED after {} s (cap) without finishing",
                    args.cap_secs
                );
                results.push(format!(
                    "{name}\t-\t{}\t> {} s (stopped)\t-\t-\t-",
                    args.features, args.cap_secs
                ));
            }
        }
    }

    println!(
        "\n| estimator | train rows | features | fit time | test accuracy | dense train matrix MB | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in results {
        println!("| {} |", r.split('\t').collect::<Vec<_>>().join(" | "));
    }
    Ok(())
}

// ---------------------------------------------------------------- child

fn segment(texts: &[String]) -> Vec<Segmented> {
    let segmenter = Segmenter::new(&SegmenterConfig::default());
    texts
        .par_iter()
        .map(|t| {
            let text = normalize(t);
            let spans = segmenter.segment(&text);
            Segmented { text, spans }
        })
        .collect()
}

fn sparse_bytes(x: &SparseMatrix) -> f64 {
    // u32 index + f32 value per entry, one usize row pointer per row.
    (x.nnz() * 8 + (x.n_rows() + 1) * std::mem::size_of::<usize>()) as f64
}

/// Texts and labels of the first `limit` labelled rows of `corpus` (first head).
fn labelled(corpus: &LabeledCorpus, limit: Option<usize>) -> (Vec<String>, Vec<String>) {
    corpus
        .texts
        .iter()
        .zip(&corpus.labels[0])
        .filter_map(|(text, label)| Some((text.clone(), label.clone()?)))
        .take(limit.unwrap_or(usize::MAX))
        .unzip()
}

/// Label indices into `classes`; a label not in `classes` gets `usize::MAX`,
/// which no model predicts.
fn indices(labels: &[String], classes: &[String]) -> Vec<usize> {
    labels
        .iter()
        .map(|l| classes.binary_search(l).unwrap_or(usize::MAX))
        .collect()
}

fn to_dense(x: &SparseMatrix) -> Array2<f64> {
    let mut d = Array2::zeros((x.n_rows(), x.n_cols()));
    for (i, row) in x.rows().enumerate() {
        for (&j, &v) in row.indices.iter().zip(row.values) {
            d[(i, j as usize)] = f64::from(v);
        }
    }
    d
}

fn accuracy(pred: &Array1<usize>, truth: &[usize]) -> f64 {
    let hits = pred.iter().zip(truth).filter(|(p, t)| p == t).count();
    hits as f64 / truth.len() as f64
}

fn run_one(args: &Args, name: &str) -> Result<()> {
    let spec = CorpusSpec::default();
    let clock = Instant::now();
    let train = LabeledCorpus::read(&args.train, &spec)?;
    let test = LabeledCorpus::read(&args.test, &spec)?;
    let (train_texts, train_labels) = labelled(&train, args.train_rows);
    let (test_texts, test_labels) = labelled(&test, None);
    drop((train, test));
    let mut classes = train_labels.clone();
    classes.sort();
    classes.dedup();
    let y_train = Array1::from(indices(&train_labels, &classes));
    let y_test = indices(&test_labels, &classes);

    let config = FeatureConfig {
        char_ngrams: None,
        max_features: Some(args.features),
        ..FeatureConfig::default()
    };
    let train_docs = segment(&train_texts);
    let test_docs = segment(&test_texts);
    let vectorizer = Vectorizer::fit(&config, &train_docs)?;
    let x_train = vectorizer.transform(&train_docs);
    let x_test = vectorizer.transform(&test_docs);
    drop((train_docs, test_docs));
    let (rows, cols) = (x_train.n_rows(), x_train.n_cols());
    println!(
        "featurized in {:.1} s: train {rows} x {cols} (nnz {}, sparse CSR {:.1} MB), \
         test {} rows, {} classes",
        clock.elapsed().as_secs_f64(),
        x_train.nnz(),
        mb(sparse_bytes(&x_train)),
        x_test.n_rows(),
        classes.len()
    );

    let (fit_secs, pred, dense_mb) = if name.starts_with("newsclf") {
        println!(
            "sparse input; a dense f64 train matrix would be {:.1} MB (not built)",
            mb(dense_bytes(rows, cols))
        );
        let dataset = DatasetBase::new(x_train, y_train);
        let fit = || LinearParams::new().fit(&dataset);
        let clock = Instant::now();
        let model = match name {
            "newsclf" => fit()?,
            "newsclf-1thread" => rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()?
                .install(fit)?,
            _ => bail!("unknown estimator {name}"),
        };
        let secs = clock.elapsed().as_secs_f64();
        // linfa's `Predict` takes sparse records through a dataset.
        let pred: Array1<usize> = model.predict(&DatasetBase::new(x_test, ()));
        (secs, pred, None)
    } else {
        let clock = Instant::now();
        let xd_train = to_dense(&x_train);
        let xd_test = to_dense(&x_test);
        drop((x_train, x_test));
        let dense_mb = mb((xd_train.len() * 8) as f64);
        println!(
            "dense f64 train {rows} x {cols} = {dense_mb:.1} MB, test = {:.1} MB, built in {:.2} s",
            mb((xd_test.len() * 8) as f64),
            clock.elapsed().as_secs_f64()
        );
        let dataset = DatasetBase::new(xd_train, y_train);
        let clock = Instant::now();
        let (secs, pred): (f64, Array1<usize>) = if name == "multinomial-nb" {
            let model = MultinomialNb::<f64, usize>::params().fit(&dataset)?;
            (clock.elapsed().as_secs_f64(), model.predict(&xd_test))
        } else if name == "logistic" {
            let model = MultiLogisticRegression::<f64>::default().fit(&dataset)?;
            (clock.elapsed().as_secs_f64(), model.predict(&xd_test))
        } else if let Some(k) = name.strip_prefix("logistic-iter") {
            let k: u64 = k.parse().with_context(|| format!("estimator {name}"))?;
            let model = MultiLogisticRegression::<f64>::default()
                .max_iterations(k)
                .fit(&dataset)?;
            (clock.elapsed().as_secs_f64(), model.predict(&xd_test))
        } else {
            bail!("unknown estimator {name}");
        };
        (secs, pred, Some(dense_mb))
    };

    let acc = accuracy(&pred, &y_test);
    let rss = peak_rss_mb();
    println!(
        "fit {fit_secs:.2} s, test accuracy {acc:.4} ({} rows), peak RSS {rss:.0} MB",
        y_test.len()
    );
    let dense = dense_mb.map_or_else(|| "none (sparse)".to_string(), |d| format!("{d:.0}"));
    println!("RESULT\t{name}\t{rows}\t{cols}\t{fit_secs:.2} s\t{acc:.4}\t{dense}\t{rss:.0}");
    Ok(())
}
