//! Rendering predictions as a table, JSON lines or CSV. Rendering is a pure
//! function of one document, so batches are rendered in parallel and written
//! in order.

use anyhow::Result;
use newsclf::Document;
use newsclf::DocumentJson;
use newsclf::{Head, Prediction};
use newsclf::{pad, truncate};
use unicode_width::UnicodeWidthStr;

use super::args::PredictFormat;

/// How predictions are rendered.
pub struct Renderer {
    format: PredictFormat,
    top_k: usize,
    titles: bool,
    heads: Vec<String>,
    cell_width: usize,
}

impl Renderer {
    pub fn new(format: PredictFormat, top_k: usize, titles: bool, heads: &[Head]) -> Self {
        let label_width = heads
            .iter()
            .flat_map(|h| h.labels.iter().map(|l| l.width()))
            .max()
            .unwrap_or(5);
        Renderer {
            format,
            top_k,
            titles,
            heads: heads.iter().map(|h| h.name.clone()).collect(),
            cell_width: (label_width + 7) * top_k + 2 * (top_k - 1),
        }
    }

    /// The header line(s), if the format has one.
    pub fn header(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        match self.format {
            PredictFormat::Json => {}
            PredictFormat::Table => {
                let mut line = pad("id", 6);
                for h in &self.heads {
                    line.push_str(&pad(h, self.cell_width));
                    line.push_str("  ");
                }
                line.push_str(if self.titles { "title" } else { "text" });
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            PredictFormat::Csv => {
                let mut row = vec!["id".to_string()];
                if self.titles {
                    row.push("title".into());
                }
                for h in &self.heads {
                    row.push(h.clone());
                    row.push(format!("{h}_probability"));
                    if self.top_k > 1 {
                        row.push(format!("{h}_top"));
                    }
                }
                csv_record(&mut out, &row)?;
            }
        }
        Ok(out)
    }

    /// Appends the rendering of one document's prediction to `out`.
    pub fn render(&self, doc: &Document, prediction: &Prediction, out: &mut Vec<u8>) -> Result<()> {
        match self.format {
            PredictFormat::Json => {
                let mut line = DocumentJson::new(doc.id, prediction, self.top_k);
                if let Some(title) = &doc.title {
                    line = line.article(title, &doc.subheadings);
                }
                serde_json::to_writer(&mut *out, &line)?;
                out.push(b'\n');
            }
            PredictFormat::Table => {
                let mut line = pad(&doc.id.to_string(), 6);
                for p in prediction {
                    let cells: Vec<String> = p
                        .top(self.top_k)
                        .iter()
                        .map(|s| format!("{} {:.3}", s.label, s.probability))
                        .collect();
                    line.push_str(&pad(&cells.join(", "), self.cell_width));
                    line.push_str("  ");
                }
                let text = doc.title.as_deref().unwrap_or(&doc.text);
                line.push_str(&truncate(text, 40));
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            PredictFormat::Csv => {
                let mut row = vec![doc.id.to_string()];
                if self.titles {
                    row.push(doc.title.clone().unwrap_or_default());
                }
                for p in prediction {
                    row.push(p.best().label.to_string());
                    row.push(fixed6(p.best().probability));
                    if self.top_k > 1 {
                        let top: Vec<String> = p
                            .top(self.top_k)
                            .iter()
                            .map(|s| format!("{}:{}", s.label, fixed6(s.probability)))
                            .collect();
                        row.push(top.join(";"));
                    }
                }
                csv_record(out, &row)?;
            }
        }
        Ok(())
    }
}

/// A probability with six decimals, formatted without floating-point
/// formatting machinery (which dominated CSV output time).
fn fixed6(p: f32) -> String {
    let micros = (f64::from(p.clamp(0.0, 1.0)) * 1e6).round() as u32;
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

/// Appends one CSV record, quoted as needed.
fn csv_record(out: &mut Vec<u8>, row: &[String]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(row)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fixed6;

    #[test]
    fn probabilities_have_six_decimals() {
        assert_eq!(fixed6(0.784538), "0.784538");
        assert_eq!(fixed6(1.0), "1.000000");
        assert_eq!(fixed6(0.0000004), "0.000000");
        assert_eq!(fixed6(0.05), "0.050000");
    }
}
