//! jieba's segmentation over the prebuilt [`Lexicon`]: the same blocks, word
//! graph, best route and joining of single characters as
//! `jieba_rs::Jieba::cut`, so that the words are the same (a test compares
//! them on every shared dataset). Runs of characters that no dictionary
//! word covers go to jieba-rs's own HMM, through a `Jieba` with an empty
//! dictionary, which cuts such a run exactly as the full one would.

use std::cell::RefCell;
use std::sync::LazyLock;

use jieba_rs::Jieba;

use super::dictionary::{Edge, Lexicon};

/// jieba's HMM, reached through a `Jieba` that has no words.
static HMM: LazyLock<Jieba> = LazyLock::new(Jieba::empty);

/// jieba's `RE_HAN_DEFAULT`: CJK ideographs, ASCII alphanumerics and `+#&._%-`.
#[inline]
fn is_han_default(c: char) -> bool {
    if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        true
    } else if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
    } else {
        matches!(c,
            '\u{3400}'..='\u{4DBF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2B73F}'
            | '\u{2B740}'..='\u{2B81F}'
            | '\u{2B820}'..='\u{2CEAF}'
            | '\u{2CEB0}'..='\u{2EBEF}'
            | '\u{2F800}'..='\u{2FA1F}'
        )
    }
}

/// One step of the best route: log-probability of the rest of the block
/// and the character after the chosen word.
#[derive(Clone, Copy)]
struct Step {
    prob: f64,
    end: u32,
}

/// Buffers reused from one text to the next.
#[derive(Default)]
struct Scratch {
    /// The block's characters: byte offset within the block and value.
    chars: Vec<(u32, char)>,
    /// Word graph: the `(end, word)` edges of character `i` are
    /// `edges[starts[i]..starts[i + 1]]`.
    edges: Vec<Edge>,
    starts: Vec<u32>,
    route: Vec<Step>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Calls `emit(start, end)` with the byte span of every token of `text`, in
/// order, as `Jieba::cut(text, hmm)` would (punctuation and spaces included).
pub(crate) fn cut(lexicon: &Lexicon, text: &str, hmm: bool, emit: &mut impl FnMut(usize, usize)) {
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        let mut pos = 0;
        while pos < text.len() {
            let rest = &text[pos..];
            let mut iter = rest.char_indices();
            let Some((_, first)) = iter.next() else { break };
            let matched = is_han_default(first);
            let chars = &mut scratch.chars;
            chars.clear();
            chars.push((0, first));
            let mut end = first.len_utf8();
            for (i, c) in iter {
                if is_han_default(c) != matched {
                    break;
                }
                chars.push((i as u32, c));
                end = i + c.len_utf8();
            }
            if matched {
                cut_block(lexicon, &rest[..end], pos, hmm, &mut scratch, emit);
            } else {
                emit_each_char(&scratch.chars, pos, emit);
            }
            pos += end;
        }
    });
}

/// The characters outside blocks are tokens of their own, except `\r\n`.
fn emit_each_char(chars: &[(u32, char)], base: usize, emit: &mut impl FnMut(usize, usize)) {
    let mut i = 0;
    while let Some(&(offset, c)) = chars.get(i) {
        let start = base + offset as usize;
        if c == '\r' && matches!(chars.get(i + 1), Some(&(_, '\n'))) {
            emit(start, start + 2);
            i += 2;
        } else {
            emit(start, start + c.len_utf8());
            i += 1;
        }
    }
}

/// Segments one block of `is_han_default` characters starting at byte `base`.
fn cut_block(
    lexicon: &Lexicon,
    block: &str,
    base: usize,
    hmm: bool,
    scratch: &mut Scratch,
    emit: &mut impl FnMut(usize, usize),
) {
    let Scratch {
        chars,
        edges,
        starts,
        route,
    } = scratch;
    let n = chars.len();
    edges.clear();
    starts.clear();
    // A walk is a chain of dependent loads; the first one of the walk a few
    // positions ahead is started now, to overlap with this one.
    const AHEAD: usize = 3;
    for i in 0..n {
        if let Some(&(_, c)) = chars.get(i + AHEAD) {
            lexicon.prefetch(c);
        }
        starts.push(edges.len() as u32);
        lexicon.prefixes(chars, i, edges);
    }
    starts.push(edges.len() as u32);
    best_route(lexicon, edges, starts, n, route);

    let block_span = Block {
        chars,
        base,
        edges,
        starts,
        route,
        block,
    };
    let mut x = 0;
    let mut left: Option<usize> = None;
    while x < n {
        let y = route[x].end as usize;
        if y - x == 1 && (hmm || chars[x].1.is_ascii_alphanumeric()) {
            left.get_or_insert(x);
        } else {
            if let Some(start) = left.take() {
                block_span.run(start, x, hmm, emit);
            }
            block_span.emit(x, y, emit);
        }
        x = y;
    }
    if let Some(start) = left {
        block_span.run(start, n, hmm, emit);
    }
}

/// The best segmentation of a block: for every character, the step that
/// maximises the summed log-probability of the rest (jieba's `calc`, with
/// its tie-break towards the longer word).
fn best_route(lexicon: &Lexicon, edges: &[Edge], starts: &[u32], n: usize, route: &mut Vec<Step>) {
    route.clear();
    route.resize(
        n + 1,
        Step {
            prob: 0.0,
            end: n as u32,
        },
    );
    let log_total = lexicon.log_total();
    let log1 = 0.0f64 - log_total;
    for idx in (0..n).rev() {
        let mut best: Option<Step> = None;
        for &Edge { end, log_freq, .. } in &edges[starts[idx] as usize..starts[idx + 1] as usize] {
            let prob = log_freq - log_total + route[end as usize].prob;
            match best {
                Some(b) if !(prob > b.prob || (prob == b.prob && end > b.end)) => {}
                _ => best = Some(Step { prob, end }),
            }
        }
        route[idx] = best.unwrap_or(Step {
            prob: log1 + route[idx + 1].prob,
            end: idx as u32 + 1,
        });
    }
}

/// A segmented block, from which tokens are emitted.
struct Block<'a> {
    chars: &'a [(u32, char)],
    base: usize,
    edges: &'a [Edge],
    starts: &'a [u32],
    route: &'a [Step],
    block: &'a str,
}

impl Block<'_> {
    /// Byte offset (in the block) of character `i`, or the block's length.
    fn byte(&self, i: usize) -> usize {
        self.chars
            .get(i)
            .map_or(self.block.len(), |&(o, _)| o as usize)
    }

    fn emit(&self, x: usize, y: usize, emit: &mut impl FnMut(usize, usize)) {
        emit(self.base + self.byte(x), self.base + self.byte(y));
    }

    /// Whether characters `x..y` are one dictionary word.
    fn is_word(&self, x: usize, y: usize) -> bool {
        self.edges[self.starts[x] as usize..self.starts[x + 1] as usize]
            .iter()
            .any(|e| e.end as usize == y)
    }

    /// Emits the run of characters `x..y` that the route left single. Without
    /// the HMM it is a run of ASCII alphanumerics and becomes one word; with
    /// it, a run that is one dictionary word stays single characters and any
    /// other run of two or more goes through the HMM.
    fn run(&self, x: usize, y: usize, hmm: bool, emit: &mut impl FnMut(usize, usize)) {
        if !hmm || y - x == 1 {
            self.emit(x, y, emit);
        } else if self.is_word(x, y) {
            for i in x..y {
                self.emit(i, self.route[i].end as usize, emit);
            }
        } else {
            let (from, to) = (self.byte(x), self.byte(y));
            let start = self.base + from;
            for token in HMM.cut(&self.block[from..to], true) {
                emit(start + token.byte_start, start + token.byte_end);
            }
        }
    }
}

/// The frequency jieba gives a user word that comes without one: enough for
/// the word to beat the pieces it is cut into today (`Jieba::suggest_freq`).
pub(crate) fn suggest_freq(lexicon: &Lexicon, word: &str) -> u64 {
    let log_total = lexicon.log_total();
    let mut log_freq = 0f64;
    cut(lexicon, word, false, &mut |a, b| {
        log_freq = log_freq + (lexicon.freq_or(&word[a..b], 1) as f64).ln() - log_total;
    });
    std::cmp::max(
        (log_freq + log_total).exp() as u64 + 1,
        lexicon.freq_or(word, 1),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn ours(lexicon: &Lexicon, text: &str, hmm: bool) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        cut(lexicon, text, hmm, &mut |a, b| spans.push((a, b)));
        spans
    }

    fn reference(jieba: &Jieba, text: &str, hmm: bool) -> Vec<(usize, usize)> {
        jieba
            .cut(text, hmm)
            .iter()
            .map(|t| (t.byte_start, t.byte_end))
            .collect()
    }

    /// The `text` column of every CSV of every shared dataset.
    fn shared_texts() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let mut files: Vec<_> = std::fs::read_dir(&root)
            .expect("../shared/data is readable")
            .map(|d| d.unwrap().path())
            .filter(|d| d.is_dir())
            .flat_map(|d| std::fs::read_dir(d).unwrap())
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.sort();
        let mut texts = Vec::new();
        for path in files {
            let mut reader = csv::Reader::from_path(&path).unwrap();
            let col = reader.headers().unwrap().iter().position(|h| h == "text");
            for (i, row) in reader.records().enumerate() {
                let row = row.unwrap();
                let where_ = format!("{}:{}", path.display(), i + 2);
                texts.push((where_, row[col.unwrap()].to_string()));
            }
        }
        texts
    }

    #[test]
    fn cuts_every_shared_dataset_as_jieba_rs_does() {
        let jieba = Jieba::new();
        let lexicon = Lexicon::builtin();
        let texts = shared_texts();
        assert!(texts.len() > 150_000, "{} texts", texts.len());
        for (where_, text) in &texts {
            for hmm in [true, false] {
                assert_eq!(
                    ours(&lexicon, text, hmm),
                    reference(&jieba, text, hmm),
                    "{where_} (hmm {hmm}): {text}"
                );
            }
        }
    }

    #[test]
    fn user_words_merge_in_as_jieba_rs_adds_them() {
        let mut jieba = Jieba::new();
        let mut lexicon = Lexicon::builtin();
        // New words with and without a frequency, a dictionary word given a new
        // one, a word added twice, and one that no block can hold.
        let words: [(&str, Option<u64>); 6] = [
            ("滨江湾储能站", Some(100_000)),
            ("碳达峰行动", None),
            ("国家电网", Some(3)),
            ("碳达峰行动", Some(50)),
            ("新能源汽车下乡", None),
            ("a b", Some(7)),
        ];
        for (word, freq) in words {
            let freq = freq.unwrap_or_else(|| suggest_freq(&lexicon, word));
            assert_eq!(
                jieba.add_word(word, Some(freq as usize), None),
                freq as usize
            );
            lexicon.add_word(word, freq);
            assert_eq!(
                suggest_freq(&lexicon, "储能站投运"),
                jieba.suggest_freq("储能站投运") as u64
            );
        }
        for (_, text) in shared_texts().iter().step_by(7) {
            assert_eq!(
                ours(&lexicon, text, true),
                reference(&jieba, text, true),
                "{text}"
            );
        }
        let text = "滨江湾储能站投运，国家电网推进碳达峰行动和新能源汽车下乡。";
        assert_eq!(ours(&lexicon, text, true), reference(&jieba, text, true));
    }
}
