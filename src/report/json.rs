//! The JSON shape of one classified document, shared by `predict --format
//! json` and the HTTP service (`newsclf serve`):
//! `{"id", "title"?, "subheadings"?, "predictions": {"<head>": {"label",
//! "probability", "top": [{"label", "probability"}, …]}}}`.

use serde::{Serialize, Serializer};

use crate::model::{Prediction, Scored};

/// One document's predictions, ready to serialize.
#[derive(Debug, Serialize)]
pub struct DocumentJson<'a> {
    /// The document's position (argument, line or article number; 1-based).
    pub id: u64,
    /// The article title, for page sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// The article's sub-headings, for page sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subheadings: Option<&'a [String]>,
    /// Every head's label, probability and `top_k` most probable labels.
    pub predictions: HeadsJson<'a>,
}

impl<'a> DocumentJson<'a> {
    /// A plain document (no title): `id` and predictions with `top_k` labels per head.
    pub fn new(id: u64, prediction: &'a Prediction<'a>, top_k: usize) -> Self {
        DocumentJson {
            id,
            title: None,
            subheadings: None,
            predictions: HeadsJson { prediction, top_k },
        }
    }

    /// An article of a page: its title and sub-headings are included.
    pub fn article(self, title: &'a str, subheadings: &'a [String]) -> Self {
        DocumentJson {
            title: Some(title),
            subheadings: Some(subheadings),
            ..self
        }
    }
}

/// The heads of one prediction, serialized as an object in model order.
#[derive(Debug)]
pub struct HeadsJson<'a> {
    prediction: &'a Prediction<'a>,
    top_k: usize,
}

#[derive(Serialize)]
struct HeadJson<'a> {
    label: &'a str,
    probability: f32,
    top: &'a [Scored<'a>],
}

impl Serialize for HeadsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.prediction.iter().map(|p| {
            let best = p.best();
            let head = HeadJson {
                label: best.label,
                probability: best.probability,
                top: p.top(self.top_k),
            };
            (p.head, head)
        }))
    }
}
