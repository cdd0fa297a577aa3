//! Splitting a newspaper page exported to text into its articles.
//!
//! An article starts at a markdown-style heading of the page's top level (`#`,
//! or `##` on a page with no `#` heading). Deeper headings inside an article
//! (`##`, `###` …) are its sub-headings: they stay in its text and are listed
//! in [`Section::subheadings`]. A heading with no body of its own (a kicker or
//! column tag such as `# 聚焦冬季保供`, `# 今日聚焦`) is joined to the title
//! under it. Lines broken in mid-sentence are joined back into paragraphs. Short
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
    /// The article's sub-headings, in order (their text is also in `paragraphs`).
    pub subheadings: Vec<String>,
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

/// The level (number of `#`) and text of a heading line.
fn heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let rest = trimmed.trim_start_matches('#');
    let level = trimmed.len() - rest.len();
    if level == 0 || level > 6 {
        return None;
    }
    // `#标题` without a space is common in exports; `#` alone is no heading.
    let title = rest.trim();
    (!title.is_empty()).then_some((level, title))
}

/// A heading this short above the title is a kicker or column tag
/// (「今日聚焦」「聚焦冬季保供」), not the title of an article.
const KICKER_MAX_CHARS: usize = 8;

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
/// let page = "日报\n# 聚焦\n## 新风电场投运\n本报讯 海上风电场\n今日并网发电。\n\n图为风电场。记者 摄\n\
///             ### 年发电量可供百万户\n风电场全年可发电40亿千瓦时。\n# 球队夺冠\n主队3比1获胜。\n";
/// let p = newsclf::text::split_page(page);
/// assert_eq!(p.sections.len(), 2);
/// assert_eq!(p.sections[0].title, "聚焦：新风电场投运");
/// assert_eq!(p.sections[0].subheadings, vec!["年发电量可供百万户"]);
/// assert_eq!(p.sections[0].paragraphs[0], "本报讯 海上风电场今日并网发电。");
/// assert_eq!(p.sections[0].notes.len(), 1);
/// ```
pub fn split_page(page: &str) -> Page {
    let lines: Vec<&str> = page.lines().collect();
    let headings: Vec<(usize, usize, &str)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| heading(l).map(|(level, t)| (i, level, t)))
        .collect();
    let first = headings.first().map_or(lines.len(), |h| h.0);
    let mut result = Page {
        front_matter: paragraphs(&lines[..first]),
        sections: Vec::new(),
    };
    let article_level = headings.iter().map(|h| h.1).min().unwrap_or(1);
    let mut current: Option<Draft> = None;
    for (k, &(at, level, text)) in headings.iter().enumerate() {
        let end = headings.get(k + 1).map_or(lines.len(), |h| h.0);
        match current.as_mut() {
            Some(draft) if !draft.has_body && (level == article_level || draft.is_kicker()) => {
                draft.title.push(text);
            }
            Some(draft) if level > article_level => {
                draft.section.subheadings.push(text.to_string());
                draft.section.paragraphs.push(text.to_string());
                draft.has_body = true;
            }
            _ => {
                if let Some(done) = current.take() {
                    result.sections.push(done.finish());
                }
                current = Some(Draft::new(at, text));
            }
        }
        if let Some(draft) = current.as_mut() {
            draft.add_body(&lines[at + 1..end]);
        }
    }
    if let Some(done) = current {
        result.sections.push(done.finish());
    }
    result
}

/// An article being assembled from its headings and body lines.
struct Draft<'a> {
    title: Vec<&'a str>,
    section: Section,
    has_body: bool,
}

impl<'a> Draft<'a> {
    fn new(at: usize, title: &'a str) -> Self {
        Draft {
            title: vec![title],
            section: Section {
                title: String::new(),
                paragraphs: Vec::new(),
                subheadings: Vec::new(),
                notes: Vec::new(),
                line: at + 1,
            },
            has_body: false,
        }
    }

    /// Whether the title so far is one short heading: a kicker above the real title.
    fn is_kicker(&self) -> bool {
        self.title.len() == 1 && self.title[0].chars().count() <= KICKER_MAX_CHARS
    }

    fn add_body(&mut self, body: &[&str]) {
        for p in paragraphs(body) {
            if is_note(&p) {
                self.section.notes.push(p);
            } else {
                self.section.paragraphs.push(p);
            }
        }
        self.has_body |= body.iter().any(|l| !l.trim().is_empty());
    }

    fn finish(mut self) -> Section {
        self.section.title = self.title.join("：");
        self.section
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_need_hashes_and_text() {
        assert_eq!(heading("# 标题"), Some((1, "标题")));
        assert_eq!(heading("###标题 "), Some((3, "标题")));
        assert_eq!(heading("#"), None);
        assert_eq!(heading("正文 # 不是"), None);
        assert_eq!(heading("####### 七个"), None);
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
    fn sub_headings_stay_in_their_article_and_are_listed() {
        let page = "# 停火谈判陷入僵局\n本报讯 第三轮谈判结束。\n## 撤军时间表成分歧\n双方立场相去甚远。\n\
                    ### 前线交火持续\n多地交火并未停止。\n# 核电机组重新并网\n本报讯 机组完成大修。\n";
        let p = split_page(page);
        assert_eq!(p.sections.len(), 2);
        let first = &p.sections[0];
        assert_eq!(first.title, "停火谈判陷入僵局");
        assert_eq!(first.subheadings, ["撤军时间表成分歧", "前线交火持续"]);
        assert_eq!(
            first.text(),
            "停火谈判陷入僵局\n本报讯 第三轮谈判结束。\n撤军时间表成分歧\n双方立场相去甚远。\n\
             前线交火持续\n多地交火并未停止。"
        );
        assert_eq!(p.sections[1].title, "核电机组重新并网");
        assert_eq!(p.sections[1].line, 7);
    }

    #[test]
    fn a_page_without_top_level_headings_uses_its_highest_level() {
        let page =
            "## 甲文标题在此\n甲文正文。\n### 甲文小标题\n甲文续。\n## 乙文标题在此\n乙文正文。\n";
        let p = split_page(page);
        let titles: Vec<&str> = p.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["甲文标题在此", "乙文标题在此"]);
        assert_eq!(p.sections[0].subheadings, ["甲文小标题"]);
    }

    #[test]
    fn a_kicker_joins_the_title_under_it_at_any_level() {
        // A column tag above a deeper title, and a kicker at the article level.
        let page = "# 今日聚焦\n## 储气站全部投运 冬季用气有保障\n正文。\n## 管网改造完成\n续文。\n\
                    # 聚焦\n# 新风电场并网\n正文。\n";
        let p = split_page(page);
        assert_eq!(p.sections.len(), 2);
        assert_eq!(
            p.sections[0].title,
            "今日聚焦：储气站全部投运 冬季用气有保障"
        );
        assert_eq!(p.sections[0].subheadings, ["管网改造完成"]);
        assert_eq!(p.sections[1].title, "聚焦：新风电场并网");
        assert_eq!(p.sections[1].line, 6);
    }

    #[test]
    fn a_long_title_directly_followed_by_a_sub_heading_keeps_it_as_a_sub_heading() {
        let page = "# 外长就地区安全问题表态出现变化\n## 从拒绝接触到愿意对话\n正文。\n";
        let p = split_page(page);
        assert_eq!(p.sections[0].title, "外长就地区安全问题表态出现变化");
        assert_eq!(p.sections[0].subheadings, ["从拒绝接触到愿意对话"]);
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
