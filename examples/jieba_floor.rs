//! The speed floor for `predict`: raw jieba-rs segmentation of the same texts,
//! with nothing else done. Used by `bench/compare.sh`.
//!
//! ```text
//! cargo run --release --example jieba_floor -- FILE.csv [--text-col text] [--threads N]
//! ```
//! Prints one JSON object: dictionary load time, segmentation time, documents,
//! bytes and throughput, and the same for newsclf's own segmenter (whose
//! words are the same; it filters punctuation, so it yields fewer).

use std::time::Instant;

use jieba_rs::Jieba;
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .expect("usage: jieba_floor FILE.csv [--text-col text] [--threads N]");
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let text_col = flag("--text-col").unwrap_or_else(|| "text".into());
    let threads: usize = flag("--threads").map_or(1, |t| t.parse().expect("--threads N"));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("thread pool");

    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let col = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == text_col)
        .expect("text column");
    let texts: Vec<String> = reader
        .records()
        .map(|r| r.expect("valid row")[col].to_string())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();

    let clock = Instant::now();
    let jieba = Jieba::new();
    let load = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let words: usize = texts.par_iter().map(|t| jieba.cut(t, true).len()).sum();
    let segment = clock.elapsed().as_secs_f64();
    // The same texts through newsclf's own segmenter (prebuilt dictionary,
    // same words), for comparison.
    let clock = Instant::now();
    let ours = newsclf::text::Segmenter::new(&Default::default());
    let ours_load = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let _: usize = texts.par_iter().map(|t| ours.segment(t).len()).sum();
    let ours_segment = clock.elapsed().as_secs_f64();
    println!(
        "{{\"threads\": {threads}, \"documents\": {}, \"bytes\": {bytes}, \"words\": {words}, \
         \"dict_load_s\": {load:.4}, \"segment_s\": {segment:.4}, \"docs_per_s\": {:.1}, \"mb_per_s\": {:.3}, \
         \"newsclf_load_s\": {ours_load:.4}, \"newsclf_segment_s\": {ours_segment:.4}, \"newsclf_mb_per_s\": {:.3}}}",
        texts.len(),
        texts.len() as f64 / segment,
        bytes as f64 / 1e6 / segment,
        bytes as f64 / 1e6 / ours_segment
    );
}
