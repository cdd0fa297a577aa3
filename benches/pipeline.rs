//! Micro-benchmarks of the prediction pipeline's stages, so that a
//! regression in one of them shows: segmentation, featurization, scoring.
//!
//! Trains a model on `../shared/data/thucnews_titles/train.csv` once, then
//! measures each stage on 2,000 titles of its `test.csv`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsclf::Trainer;
use newsclf::data::{CorpusSpec, LabeledCorpus};
use newsclf::features::SparseMatrix;

fn corpus(file: &str) -> LabeledCorpus {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/thucnews_titles")
        .join(file);
    LabeledCorpus::read(&path, &CorpusSpec::default()).expect("../shared/data is readable")
}

fn stages(c: &mut Criterion) {
    let (model, _) = Trainer::default()
        .fit(&corpus("train.csv"), "text")
        .expect("training succeeds");
    let texts: Vec<String> = corpus("test.csv").texts.into_iter().take(2000).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let segmented: Vec<_> = texts.iter().map(|t| model.segment(t)).collect();
    let mut rows = SparseMatrix::new(model.vectorizer().n_features());
    for doc in &segmented {
        rows.push_row(model.vectorizer().transform_one(doc));
    }

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("segment", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| model.segment(t).spans.len())
                .sum::<usize>()
        })
    });
    group.bench_function("featurize", |b| {
        b.iter(|| {
            segmented
                .iter()
                .map(|d| model.vectorizer().transform_one(d).len())
                .sum::<usize>()
        })
    });
    group.bench_function("score", |b| {
        b.iter(|| {
            rows.rows()
                .map(|r| model.predict_row(r)[0].best().probability)
                .sum::<f32>()
        })
    });
    group.bench_function("predict", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| model.predict(t)[0].best().probability)
                .sum::<f32>()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = stages
}
criterion_main!(benches);
