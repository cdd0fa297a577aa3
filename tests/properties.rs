//! Property tests (proptest) of the library's invariants: probabilities form a
//! ranked distribution, a document's features do not depend on its batch, and
//! a model survives save → load (and retraining) unchanged.

use std::sync::OnceLock;

use newsclf::Model;
use newsclf::data::{CorpusSpec, LabeledCorpus};
use newsclf::estimators::ClassifierParams;
use newsclf::estimators::DenseLogisticParams;
use newsclf::estimators::NaiveBayesParams;
use newsclf::estimators::{LinearParams, Loss};
use newsclf::features::FeatureConfig;
use newsclf::features::SparseMatrix;
use newsclf::training::{TrainConfig, Trainer};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::util::tempdir;

/// Settings shared by every property: no regression files are written beside
/// the tests (a failure prints its shrunk input instead).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The embedded default model, loaded once for the whole test binary.
fn default_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::embedded_default().expect("the embedded model loads"))
}

/// Characters common in news headlines.
const NEWS_CHARS: &str = "国际油价大幅上涨风电光伏装机再创新高电网迎峰度冬保供主队三比一取胜\
    女排夺得联赛冠军马拉松周日开跑外交部宣布两元首会谈签署联合声明经济增长科技芯片暴雨交通中断\
    的了是在和有不这市场企业政府发展记者表示";

/// One fragment of a generated text.
fn piece() -> impl Strategy<Value = String> {
    let chinese = vec(select(NEWS_CHARS.chars().collect::<Vec<_>>()), 1..8)
        .prop_map(|cs| cs.into_iter().collect::<String>());
    let punctuation = select(vec![
        "，", "。", "！", "？", "、", "；", "：", "“", "”", "（", "）", "《", "》", "—", "…", ",",
        ".", "!", "?", ";", ":", "\"", "'", "(", ")", "-", "%", "#",
    ]);
    let whitespace = select(vec![
        " ", "  ", "\t", "\n", "\r\n", "\u{3000}", "\u{a0}", "\u{2028}",
    ]);
    let emoji = select(vec!["😀", "🚀", "👍🏽", "🇨🇳", "❤️", "👨‍👩‍👧", "🀄"]);
    let control = prop_oneof![
        prop::char::range('\0', '\u{1f}'),
        prop::char::range('\u{7f}', '\u{9f}'),
        select(vec![
            '\u{200b}', '\u{200d}', '\u{feff}', '\u{202e}', '\u{fffd}'
        ]),
    ]
    .prop_map(String::from);
    prop_oneof![
        6 => chinese,
        2 => "[a-zA-Z0-9]{1,8}",
        1 => "[Ａ-Ｚａ-ｚ０-９]{1,4}",
        2 => punctuation.prop_map(String::from),
        2 => whitespace.prop_map(String::from),
        1 => emoji.prop_map(String::from),
        1 => control,
        1 => any::<String>(),
    ]
}

/// Arbitrary text: mostly news-like mixtures, some arbitrary Unicode, some
/// long repetitions.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => vec(piece(), 0..12).prop_map(|ps| ps.concat()),
        2 => any::<String>(),
        1 => (piece(), 1..300usize).prop_map(|(p, n)| p.repeat(n)),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    /// Every head of the default model returns each of its labels once, with
    /// finite probabilities in [0, 1] summing to 1, most probable first
    /// (ties in class order).
    #[test]
    fn probabilities_form_a_ranked_distribution(text in text()) {
        let model = default_model();
        let prediction = model.predict(&text);
        prop_assert_eq!(prediction.len(), model.heads().len());
        for (head, p) in model.heads().iter().zip(&prediction) {
            prop_assert_eq!(p.head, head.name.as_str());
            let mut got: Vec<&str> = p.ranked.iter().map(|s| s.label).collect();
            let mut want: Vec<&str> = head.labels.iter().map(String::as_str).collect();
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want, "labels of head {}", &head.name);
            for s in &p.ranked {
                prop_assert!(
                    s.probability.is_finite() && (0.0..=1.0).contains(&s.probability),
                    "{}: {} has probability {}", &head.name, s.label, s.probability
                );
            }
            let sum: f32 = p.ranked.iter().map(|s| s.probability).sum();
            prop_assert!((sum - 1.0).abs() <= 1e-4, "{}: sum {} in {:?}", &head.name, sum, p);
            let class = |label: &str| head.labels.iter().position(|l| l == label);
            for w in p.ranked.windows(2) {
                prop_assert!(
                    w[0].probability > w[1].probability
                        || (w[0].probability == w[1].probability
                            && class(w[0].label) < class(w[1].label)),
                    "{}: not ranked: {:?}", &head.name, p.ranked
                );
            }
        }
    }
}

/// A batch of texts, extra texts, a permutation of all of them, and how many
/// filler documents to put in front of the permuted batch (enough, sometimes,
/// to cross the vectorizer's 1024-document parallel parts).
fn batches() -> impl Strategy<Value = (Vec<String>, Vec<String>, Vec<usize>, usize)> {
    (vec(text(), 1..8), vec(text(), 0..4), 0..1500usize).prop_flat_map(|(texts, extra, pad)| {
        let n = texts.len() + extra.len();
        (
            Just(texts),
            Just(extra),
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            Just(pad),
        )
    })
}

/// Row `r` of `m` as sorted `(feature, value)` pairs, as [`Model::featurize`] gives them.
fn pairs(m: &SparseMatrix, r: usize) -> Vec<(u32, f32)> {
    let row = m.row(r);
    row.indices
        .iter()
        .copied()
        .zip(row.values.iter().copied())
        .collect()
}

proptest! {
    #![proptest_config(config(128))]

    /// A text's features and prediction are the same alone, in its batch, and
    /// at another place of a shuffled, extended batch.
    #[test]
    fn features_do_not_depend_on_the_batch((texts, extra, perm, pad) in batches()) {
        let model = default_model();
        let vectorizer = model.vectorizer();
        let docs: Vec<_> = texts.iter().map(|t| model.segment(t)).collect();
        let batch = vectorizer.transform(&docs);
        prop_assert_eq!(batch.n_rows(), texts.len());

        let all: Vec<&String> = texts.iter().chain(&extra).collect();
        let mut other_texts: Vec<&String> = (0..pad).map(|k| all[k % all.len()]).collect();
        other_texts.extend(perm.iter().map(|&k| all[k]));
        let other_docs: Vec<_> = other_texts.iter().map(|t| model.segment(t)).collect();
        let other = vectorizer.transform(&other_docs);
        prop_assert_eq!(other.n_rows(), other_texts.len());

        let predicted = model.predict_batch(&texts);
        let other_predicted = model.predict_batch(&other_texts);
        for (i, text) in texts.iter().enumerate() {
            let alone = model.featurize(text);
            prop_assert_eq!(&pairs(&batch, i), &alone, "text {}: {:?}", i, text);
            let j = pad + perm.iter().position(|&k| k == i).expect("i is permuted");
            prop_assert_eq!(&pairs(&other, j), &alone, "text {} at {}: {:?}", i, j, text);

            let single = model.predict(text);
            prop_assert_eq!(&predicted[i], &single, "text {}: {:?}", i, text);
            prop_assert_eq!(&other_predicted[j], &single, "text {} at {}: {:?}", i, j, text);
        }
    }
}

/// Topic vocabularies of the generated corpora.
const TOPIC_WORDS: [[&str; 7]; 3] = [
    ["油价", "电网", "风电", "光伏", "储能", "煤炭", "天然气"],
    ["女排", "冠军", "联赛", "比赛", "球队", "进球", "马拉松"],
    ["出口", "消费", "增长", "投资", "股市", "物价", "贸易"],
];
const TOPICS: [&str; 3] = ["energy", "sports", "economy"];

/// Words of any topic.
const NOISE_WORDS: [&str; 12] = [
    "今天",
    "记者",
    "表示",
    "我们",
    "新华社",
    "报道",
    "2024",
    "gdp",
    "的",
    "了",
    "已经",
    "本市",
];

/// One generated row: topic words, noise words, a separator, and a tone.
#[derive(Debug, Clone)]
struct RowSpec {
    topic: usize,
    words: Vec<usize>,
    noise: Vec<usize>,
    separator: &'static str,
    positive: bool,
}

/// A small corpus as CSV (`text,topic,tone`): 2–3 topics, every topic and
/// both tones present, each row a few topic words plus noise.
fn corpus_csv() -> impl Strategy<Value = String> {
    let row = (
        0..3usize,
        vec(0..7usize, 1..5),
        vec(0..NOISE_WORDS.len(), 0..3),
        select(vec!["", " ", "，", "。"]),
        any::<bool>(),
    )
        .prop_map(|(topic, words, noise, separator, positive)| RowSpec {
            topic,
            words,
            noise,
            separator,
            positive,
        });
    (2..=3usize, vec(row, 3..14)).prop_map(|(n_topics, mut rows)| {
        for (r, row) in rows.iter_mut().enumerate() {
            row.topic = if r < n_topics {
                r
            } else {
                row.topic % n_topics
            };
            if r < 2 {
                row.positive = r == 0;
            }
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(["text", "topic", "tone"]).unwrap();
        for row in &rows {
            let words: Vec<&str> = row
                .words
                .iter()
                .map(|&w| TOPIC_WORDS[row.topic][w])
                .chain(row.noise.iter().map(|&w| NOISE_WORDS[w]))
                .collect();
            let tone = if row.positive { "positive" } else { "negative" };
            out.write_record([words.join(row.separator).as_str(), TOPICS[row.topic], tone])
                .unwrap();
        }
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    })
}

/// Every classifier kind, with default settings.
fn classifier() -> impl Strategy<Value = ClassifierParams> {
    prop_oneof![
        Just(ClassifierParams::Linear(LinearParams::default())),
        Just(ClassifierParams::Linear(
            LinearParams::default().loss(Loss::Logistic)
        )),
        Just(ClassifierParams::Linear(
            LinearParams::default().loss(Loss::Squared)
        )),
        Just(ClassifierParams::NaiveBayes(NaiveBayesParams::default())),
        Just(ClassifierParams::LinfaLogistic(
            DenseLogisticParams::default()
        )),
    ]
}

/// Trains a model on `csv` with `min_df = 1`.
fn train(csv: &str, classifier: &ClassifierParams) -> Model {
    let spec = CorpusSpec {
        text_col: "text".into(),
        label_cols: vec!["topic".into(), "tone".into()],
        ..CorpusSpec::default()
    };
    let corpus = LabeledCorpus::from_bytes("generated.csv", csv.as_bytes(), &spec)
        .expect("the generated corpus reads");
    let config = TrainConfig {
        features: FeatureConfig {
            min_df: 1,
            ..FeatureConfig::default()
        },
        classifier: classifier.clone(),
        ..TrainConfig::default()
    };
    Trainer::new(config)
        .fit(&corpus, "text")
        .expect("the generated corpus trains")
        .0
}

proptest! {
    #![proptest_config(config(16))]

    /// A trained model reloaded from its bytes, and from a saved file, predicts
    /// exactly as the original and encodes to the same bytes.
    #[test]
    fn save_load_predicts_identically(
        csv in corpus_csv(),
        classifier in classifier(),
        probes in vec(text(), 1..6),
    ) {
        let model = train(&csv, &classifier);
        let bytes = model.to_bytes();
        let from_bytes = Model::from_bytes(&bytes, "x").expect("the bytes decode");
        let dir = tempdir();
        let path = dir.path().join("m.model");
        model.save(&path).expect("the model saves");
        let from_file = Model::load(&path).expect("the saved model loads");
        prop_assert_eq!(std::fs::read(&path).unwrap(), bytes.clone());

        let corpus_texts: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect();
        for probe in probes.into_iter().chain(corpus_texts) {
            let want = model.predict(&probe);
            prop_assert_eq!(&from_bytes.predict(&probe), &want, "probe {:?}", probe);
            prop_assert_eq!(&from_file.predict(&probe), &want, "probe {:?}", probe);
        }
        prop_assert!(from_bytes.to_bytes() == bytes, "from_bytes → to_bytes differs");
        prop_assert!(from_file.to_bytes() == bytes, "load → to_bytes differs");
    }
}

proptest! {
    #![proptest_config(config(8))]

    /// Training the same corpus twice gives byte-identical models.
    #[test]
    fn training_is_deterministic(csv in corpus_csv(), classifier in classifier()) {
        let first = train(&csv, &classifier).to_bytes();
        let second = train(&csv, &classifier).to_bytes();
        prop_assert!(first == second, "two trainings differ on\n{}", csv);
    }
}
