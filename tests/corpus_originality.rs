//! The project's own corpora (`data/*.csv`) are written for the project, never copied from
//! the public datasets it may train on: no row equals a public text, and none shares a run
//! of [`RUN`] characters with one (spaces and punctuation aside).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;

use crate::util::root;

/// Shortest shared run taken as a copy. Shorter runs are stock phrases of news writing:
/// 「美国商品期货交易委员会（CFTC）数据显示」 is 19 characters without its brackets.
const RUN: usize = 20;

/// The text's letters and digits: a copy with other quotes or spacing still matches.
fn content(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn texts(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "text")
        .unwrap_or_else(|| panic!("{} has no text column", path.display()));
    reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect()
}

#[test]
fn no_row_of_the_projects_corpora_is_copied_from_the_public_datasets() {
    let public_dir = root().join("../shared/data");
    // Runs are kept as 64-bit hashes: the public texts hold millions of them.
    let hasher = RandomState::new();
    let mut runs: HashSet<u64> = HashSet::new();
    let mut whole: HashSet<String> = HashSet::new();
    let mut public_files = 0;
    for folder in std::fs::read_dir(&public_dir).unwrap() {
        for file in std::fs::read_dir(folder.unwrap().path())
            .into_iter()
            .flatten()
        {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                public_files += 1;
                for text in texts(&path) {
                    let chars = content(&text);
                    runs.extend(chars.windows(RUN).map(|w| hasher.hash_one(w)));
                    whole.insert(chars.into_iter().collect());
                }
            }
        }
    }
    assert!(
        public_files >= 10,
        "expected the shared datasets in {}",
        public_dir.display()
    );

    let mut corpora = 0;
    let mut copied = Vec::new();
    for file in std::fs::read_dir(root().join("data")).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        corpora += 1;
        for (i, text) in texts(&path).iter().enumerate() {
            let chars = content(text);
            let string: String = chars.iter().collect();
            if whole.contains(&string)
                || chars
                    .windows(RUN)
                    .any(|w| runs.contains(&hasher.hash_one(w)))
            {
                copied.push(format!("{}:{}: {text}", path.display(), i + 2));
            }
        }
    }
    assert!(
        corpora >= 2,
        "data/news.csv and data/headlines.csv are checked"
    );
    assert!(
        copied.is_empty(),
        "rows sharing {RUN}+ characters with a public text:\n{}",
        copied.join("\n")
    );
}
