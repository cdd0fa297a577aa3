//! Writes seed corpora for the fuzz targets (not committed: regenerate them).
//!
//! `cargo run --release --example make_seeds -- corpus` from `fuzz/` fills
//! `corpus/<target>/` with:
//! - model_loading: `models/default.model`, truncated and byte-flipped copies
//!   of it, and small model files of every classifier kind trained here;
//! - model_payload: the payloads (bytes after the header) of the same models;
//! - segment_featurize: texts from `data/news.csv` and a few odd strings;
//! - csv_reading: a spec selector byte followed by small CSV files.

use std::fs;
use std::path::{Path, PathBuf};

use newsclf::data::{CorpusSpec, LabeledCorpus};
use newsclf::estimators::ClassifierParams;
use newsclf::estimators::DenseLogisticParams;
use newsclf::estimators::NaiveBayesParams;
use newsclf::estimators::{LinearParams, Loss};
use newsclf::features::FeatureConfig;
use newsclf::model::HEADER_LEN;
use newsclf::text::NormalizeConfig;
use newsclf::text::{SegmenterConfig, UserWord};
use newsclf::{TrainConfig, Trainer};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

/// A small xorshift generator: the seeds are the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let real = fs::read(root.join("models/default.model")).expect("models/default.model");
    let news = fs::read(root.join("data/news.csv")).expect("data/news.csv");

    // model_loading: the real file, truncations, byte flips.
    let loading = out.join("model_loading");
    write(&loading, "default.model", &real);
    for cut in [
        0,
        1,
        8,
        12,
        20,
        51,
        52,
        53,
        1000,
        real.len() / 2,
        real.len() - 1,
    ] {
        write(&loading, &format!("truncated-{cut}"), &real[..cut]);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..8 {
        let mut flipped = real.clone();
        let at = if i < 4 {
            i * 5
        } else {
            HEADER_LEN + rng.next() as usize % (real.len() - HEADER_LEN)
        };
        flipped[at] ^= 1 << (rng.next() % 8);
        write(&loading, &format!("flipped-{at}"), &flipped);
    }
    let payload = out.join("model_payload");
    write(&payload, "default.payload", &real[HEADER_LEN..]);

    // Small models of every kind, trained on the first rows of data/news.csv.
    let spec = CorpusSpec {
        text_col: "text".into(),
        label_cols: vec!["topic".into(), "sentiment".into()],
        ..CorpusSpec::default()
    };
    let corpus = LabeledCorpus::from_bytes("news.csv", &news, &spec).unwrap();
    let mut small = corpus.clone();
    let keep = 40.min(small.len());
    small.texts.truncate(keep);
    small.lines.truncate(keep);
    for l in &mut small.labels {
        l.truncate(keep);
    }
    let kinds: Vec<(&str, ClassifierParams)> = vec![
        ("svm", ClassifierParams::Linear(LinearParams::new())),
        (
            "logistic",
            ClassifierParams::Linear(LinearParams::new().loss(Loss::Logistic)),
        ),
        (
            "ridge",
            ClassifierParams::Linear(LinearParams::new().loss(Loss::Squared)),
        ),
        ("nb", ClassifierParams::NaiveBayes(NaiveBayesParams::new())),
        (
            "linfa",
            ClassifierParams::LinfaLogistic(DenseLogisticParams::new()),
        ),
    ];
    for (i, (name, classifier)) in kinds.into_iter().enumerate() {
        let features = FeatureConfig {
            word_ngrams: if i % 2 == 0 { (1, 2) } else { (1, 3) },
            char_ngrams: match i % 3 {
                0 => Some((1, 2)),
                1 => Some((2, 3)),
                _ => None,
            },
            min_df: 1,
            max_features: Some(40),
            sublinear_tf: i % 2 == 0,
            l2_norm: i != 3,
            ..FeatureConfig::default()
        };
        let config = TrainConfig {
            normalize: NormalizeConfig {
                simplify: i % 2 == 1,
            },
            segmenter: SegmenterConfig {
                hmm: i != 2,
                user_words: vec![UserWord {
                    word: "基因编辑".into(),
                    freq: Some(1000),
                    tag: Some("n".into()),
                }],
                stopwords: vec!["的".into(), "了".into()],
            },
            features,
            classifier,
        };
        let (model, _) = Trainer::new(config).fit(&small, "text").unwrap();
        let bytes = model.to_bytes();
        write(&loading, &format!("small-{name}.model"), &bytes);
        write(
            &payload,
            &format!("small-{name}.payload"),
            &bytes[HEADER_LEN..],
        );
    }

    // segment_featurize: real texts and odd strings.
    let seg = out.join("segment_featurize");
    for (i, text) in corpus.texts.iter().take(60).enumerate() {
        write(&seg, &format!("news-{i}"), text.as_bytes());
    }
    let odd: &[&str] = &[
        "",
        " ",
        "\u{feff}\u{200b}\t\r\n",
        "臺灣的電價上漲，經濟部說明",
        "ＡＢＣ１２３　全角",
        "😀🇨🇳中文emoji混排",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中",
        "1234567890.5%，-3.14e10",
        "e\u{301}\u{0}\u{7f}\u{10ffff}",
    ];
    for (i, text) in odd.iter().enumerate() {
        write(&seg, &format!("odd-{i}"), text.as_bytes());
    }

    // csv_reading: selector byte + CSV.
    let csv = out.join("csv_reading");
    let head: Vec<&[u8]> = news.split(|&b| b == b'\n').take(12).collect();
    let mut sample = head.join(&b'\n');
    sample.push(b'\n');
    let files: Vec<(u8, Vec<u8>)> = vec![
        (
            0,
            b"text,label\n\xe5\x9b\xbd\xe9\x99\x85,energy\n\"a,\"\"b\"\"\",x\n,y\nz,\n".to_vec(),
        ),
        (
            0,
            b"\xEF\xBB\xBFtext,label\r\nfoo,bar\r\n\r\nbaz,qux,extra\r\n".to_vec(),
        ),
        (1, sample),
        (
            1,
            b"text,topic,sentiment\na,,\nb,x,\nc,,y\n\xff\xfe,x,y\n".to_vec(),
        ),
        (2, "正文,类别\n油价上涨,能源\n".as_bytes().to_vec()),
        (0, b"label,text,label\n1,2,3\n".to_vec()),
        // GBK: "text,label\n国际油价,能源\n" (selector 3: encoding gbk).
        (
            3,
            b"text,label\n\xb9\xfa\xbc\xca\xd3\xcd\xbc\xdb,\xc4\xdc\xd4\xb4\n".to_vec(),
        ),
        (
            6,
            b"text,label\n\x81\x30\x81\x30,x\n\xe5\x9b\xbd,y\n\"open,z\n".to_vec(),
        ),
        // Rows spanning several lines (LF, CRLF and CR inside quotes), a
        // quoted blank line, and a quote closing late.
        (
            0,
            b"text,label\r\n\"a\nb\",x\r\n\"c\r\n\r\nd\",y\r\n\" \n \"\n\"e\rf\",z\n\"g,x\nh,\"y\"\n".to_vec(),
        ),
    ];
    for (i, (selector, body)) in files.into_iter().enumerate() {
        let mut bytes = vec![selector];
        bytes.extend_from_slice(&body);
        write(&csv, &format!("csv-{i}"), &bytes);
    }
    println!("seeds written under {}", out.display());
}
