//! Why a text got its label: for each head, the terms (words, word n-grams,
//! character n-grams, as the features are) whose TF-IDF value times the
//! classifier's margin weight pushed most toward the predicted label and most
//! against it, measured against the runner-up label.
//!
//! For the linear models a contribution is `x_j · (w_label,j − w_runner-up,j)`;
//! for naive Bayes, `x_j · (log p(j | label) − log p(j | runner-up))`. The
//! contributions of all terms, plus the intercepts (or priors), add up to the
//! score margin between the two labels.

use serde::Serialize;

use crate::features::SparseRow;
use crate::features::TermKind;
use crate::model::{Model, Scored};

/// One term's contribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The term: a word, space-joined words, or characters.
    pub term: String,
    /// `word` or `char`.
    pub kind: &'static str,
    /// Its TF-IDF value in the text.
    pub value: f32,
    /// Its push toward the predicted label over the runner-up (negative: against).
    pub contribution: f32,
}

/// The explanation of one head's prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadExplanation<'m> {
    /// The head (label column).
    pub head: &'m str,
    /// The predicted label and its probability.
    pub label: Scored<'m>,
    /// The second most probable label.
    pub runner_up: Scored<'m>,
    /// The terms that pushed most toward the label, largest first.
    pub toward: Vec<Contribution>,
    /// The terms that pushed most against it (toward the runner-up), most negative first.
    pub against: Vec<Contribution>,
}

/// Explains `model`'s prediction of `text` for every head, with at most
/// `top` terms each way.
///
/// ```
/// let model = newsclf::Model::embedded_default().unwrap();
/// let why = newsclf::evaluation::explain(&model, "国际油价大幅上涨，炼厂开工率回升", 3);
/// let topic = &why[0];
/// assert_eq!(topic.label.label, "energy");
/// assert!(topic.toward[0].contribution > 0.0);
/// ```
pub fn explain<'m>(model: &'m Model, text: &str, top: usize) -> Vec<HeadExplanation<'m>> {
    // Segment and featurize once; predict from the same features.
    let features = model.featurize(text);
    let (indices, values): (Vec<u32>, Vec<f32>) = features.iter().copied().unzip();
    let prediction = model.predict_row(SparseRow {
        indices: &indices,
        values: &values,
    });
    model
        .heads()
        .iter()
        .zip(prediction)
        .map(|(head, p)| {
            let label = p.ranked[0];
            let runner_up = p.ranked[1];
            let index = |l: &str| head.labels.iter().position(|x| x == l).unwrap_or(0);
            let (li, oi) = (index(label.label), index(runner_up.label));
            let mut all: Vec<Contribution> = features
                .iter()
                .filter_map(|&(j, value)| {
                    let (kind, term) = model.vectorizer().term(j as usize)?;
                    Some(Contribution {
                        term: term.to_string(),
                        kind: match kind {
                            TermKind::Word => "word",
                            TermKind::Char => "char",
                        },
                        value,
                        contribution: value * head.classifier.margin_weight(j as usize, li, oi),
                    })
                })
                .collect();
            all.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
            let toward: Vec<Contribution> = all
                .iter()
                .filter(|c| c.contribution > 0.0)
                .take(top)
                .cloned()
                .collect();
            let against: Vec<Contribution> = all
                .iter()
                .rev()
                .filter(|c| c.contribution < 0.0)
                .take(top)
                .cloned()
                .collect();
            HeadExplanation {
                head: &head.name,
                label,
                runner_up,
                toward,
                against,
            }
        })
        .collect()
}
