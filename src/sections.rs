//! Splitting a newspaper page exported to text into its articles.
//!
//! An article starts at a markdown-style `#` heading. A heading with no body
//! of its own (a kicker such as `# 聚焦冬季保供`) is joined to the next one.
//! Lines broken in mid-sentence are joined back into paragraphs. Short
//! paragraphs that are not article text — photo captions, jump lines
//! (「下转第4版」), editor credits, 「广告」 — are set aside as notes. Text
//! before the first heading (masthead, date line) is the page's front matter.

/// One article of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading (kicker headings joined with `：`).
    pub title: String,
    /// The body paragraphs, line breaks within each paragraph removed.
    pub paragraphs: Vec<String>,
    /// Captions and short notes found among the article's lines.
    pub notes: Vec<String>,
    /// Line of the (first) heading, 1-based.
    pub line: usize,
}

impl Section {
    /// The text to classify: the title followed by the body.
    pub fn text(&self) -> String {
        let mut text = self.title.clone();
        for p in &self.paragraphs {
            text.push('\n');
            text.push_str(p);
        }
        text
    }
}

/// A page split into articles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Paragraphs before the first heading.
    pub front_matter: Vec<String>,
    /// The articles, in page order.
    pub sections: Vec<Section>,
}

fn heading_text(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let rest = trimmed.trim_start_matches('#');
    if rest.len() == trimmed.len() || (trimmed.len() - rest.len()) > 6 {
        return None;
    }
    // `#标题` without a space is common in exports; `#` alone is no heading.
    let title = rest.trim();
    (!title.is_empty()).then_some(title)
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .chars()
        .last()
        .is_some_and(|c| "。！？!?…”」』）)".contains(c))
}

/// Whether a paragraph is a caption, credit, jump line or similar note rather
/// than article text.
pub fn is_note(paragraph: &str) -> bool {
    const MARKERS: [&str; 12] = [
        "图：",
        "图:",
        "图为",
        "图片",
        "▲",
        "广告",
        "下转第",
        "上接第",
        "转第",
        "责编",
        "编辑：",
        "美编",
    ];
    let p = paragraph.trim();
    let n_chars = p.chars().count();
    let starts_with_marker = MARKERS[..6].iter().any(|m| p.starts_with(m));
    let has_jump_or_credit = MARKERS[6..].iter().any(|m| p.contains(m)) && n_chars <= 40;
    let photo_credit = p.ends_with('摄') || p.ends_with("摄）") || p.ends_with("摄)");
    let parenthesised =
        (p.starts_with('（') && p.ends_with('）')) || (p.starts_with('(') && p.ends_with(')'));
    let short_fragment = n_chars <= 20 && !ends_sentence(p);
    (starts_with_marker && n_chars <= 120)
        || has_jump_or_credit
        || (photo_credit && n_chars <= 120)
        || (parenthesised && n_chars <= 60)
        || short_fragment
}

/// Joins the lines of one paragraph: no space between CJK text, one space
/// between two Latin/digit ends.
fn join_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let needs_space = out
            .chars()
            .last()
            .zip(line.chars().next())
            .is_some_and(|(a, b)| a.is_ascii_alphabetic() && b.is_ascii_alphabetic());
        if needs_space {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

fn paragraphs(lines: &[&str]) -> Vec<String> {
    lines
        .split(|l| l.trim().is_empty())
        .filter(|block| !block.is_empty())
        .map(join_lines)
        .collect()
}

/// Splits a page into its articles.
///
/// ```
/// let page = "日报\n# 聚焦\n## 新风电场投运\n本报讯 海上风电场\n今日并网发电。\n\n图为风电场。记者 摄\n# 球队夺冠\n主队3比1获胜。\n";
/// let p = newsclf::sections::split_page(page);
/// assert_eq!(p.sections.len(), 2);
/// assert_eq!(p.sections[0].title, "聚焦：新风电场投运");
/// assert_eq!(p.sections[0].paragraphs, vec!["本报讯 海上风电场今日并网发电。"]);
/// assert_eq!(p.sections[0].notes.len(), 1);
/// ```
pub fn split_page(page: &str) -> Page {
    let lines: Vec<&str> = page.lines().collect();
    let headings: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| heading_text(l).map(|t| (i, t)))
        .collect();
    let first = headings.first().map_or(lines.len(), |h| h.0);
    let mut result = Page {
        front_matter: paragraphs(&lines[..first]),
        sections: Vec::new(),
    };
    let mut pending: Vec<(usize, &str)> = Vec::new();
    for (k, &(at, title)) in headings.iter().enumerate() {
        let end = headings.get(k + 1).map_or(lines.len(), |h| h.0);
        let body = &lines[at + 1..end];
        pending.push((at, title));
        if body.iter().all(|l| l.trim().is_empty()) && k + 1 < headings.len() {
            continue;
        }
        let (mut paras, mut notes) = (Vec::new(), Vec::new());
        for p in paragraphs(body) {
            if is_note(&p) {
                notes.push(p);
            } else {
                paras.push(p);
            }
        }
        result.sections.push(Section {
            title: pending.iter().map(|p| p.1).collect::<Vec<_>>().join("："),
            paragraphs: paras,
            notes,
            line: pending[0].0 + 1,
        });
        pending.clear();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_need_hashes_and_text() {
        assert_eq!(heading_text("# 标题"), Some("标题"));
        assert_eq!(heading_text("###标题 "), Some("标题"));
        assert_eq!(heading_text("#"), None);
        assert_eq!(heading_text("正文 # 不是"), None);
        assert_eq!(heading_text("####### 七个"), None);
    }

    #[test]
    fn notes_are_recognised_and_article_text_is_not() {
        for note in [
            "图为刚刚投运的城东储气站。本报记者 李某 摄",
            "图：选手在比赛中",
            "（下转第4版）",
            "广告",
            "本版责编：周某 美编：郑某",
            "（本版稿件均为本报记者采写）",
        ] {
            assert!(is_note(note), "{note}");
        }
        for text in [
            "本报讯（记者 王某）全市新增三座储气站，冬季用气有保障。",
            "主队3比1获胜。",
        ] {
            assert!(!is_note(text), "{text}");
        }
    }

    #[test]
    fn text_before_the_first_heading_is_front_matter_and_a_page_without_headings_has_no_sections() {
        let p = split_page("滨江日报\n2026年11月24日\n");
        assert_eq!(p.front_matter, vec!["滨江日报2026年11月24日"]);
        assert!(p.sections.is_empty());
    }

    #[test]
    fn latin_words_broken_across_lines_keep_a_space() {
        assert_eq!(
            join_lines(&["the new", "chip", "2026年", "发布"]),
            "the new chip2026年发布"
        );
    }

    #[test]
    fn a_trailing_heading_without_body_is_still_a_section() {
        let p = split_page("# 甲\n正文。\n# 乙\n");
        assert_eq!(p.sections.len(), 2);
        assert_eq!(p.sections[1].title, "乙");
        assert!(p.sections[1].paragraphs.is_empty());
        assert_eq!(p.sections[1].line, 3);
    }
}
