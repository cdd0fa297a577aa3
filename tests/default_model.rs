//! The shipped default model: current format, embedded in the binary, and
//! right on clear cases.

use newsclf::Model;
use newsclf::model::{FORMAT_VERSION, MAGIC};

use crate::util::{root, run_in, tempdir};

const CLEAR: [(&str, &str); 10] = [
    ("外交部宣布两国元首将举行会谈并签署联合声明", "diplomacy"),
    (
        "国家电网新建特高压输电线路正式投运，风电光伏外送能力提升",
        "energy",
    ),
    (
        "前三季度社会消费品零售总额同比增长，居民消费持续回暖",
        "economy",
    ),
    (
        "我国科研团队研制出新一代人工智能芯片，算力大幅提升",
        "technology",
    ),
    (
        "暴雨导致城区多处积水，消防救援人员连夜转移被困群众",
        "society",
    ),
    ("中国女排在世界联赛中三比零战胜对手夺得冠军", "sports"),
    ("海军两艘新型驱逐舰在南海开展实弹射击训练", "military"),
    (
        "今年高考报名人数再创新高，多地公布志愿填报时间",
        "education",
    ),
    ("多地下调首套房贷款利率，新房成交面积环比回升", "realty"),
    (
        "新片上映首周票房突破五亿元，主演亮相首映礼",
        "entertainment",
    ),
];

#[test]
fn the_shipped_file_has_the_current_format_and_matches_the_embedded_copy() {
    let bytes = std::fs::read(root().join("models/default.model")).unwrap();
    assert_eq!(&bytes[..8], MAGIC);
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    let from_file = Model::load(root().join("models/default.model")).unwrap();
    let embedded = Model::embedded_default().unwrap();
    assert_eq!(
        embedded.to_bytes(),
        bytes,
        "the binary embeds models/default.model"
    );
    assert_eq!(
        from_file.to_bytes(),
        bytes,
        "save → load → save is byte-identical"
    );
    let heads: Vec<&str> = embedded.heads().iter().map(|h| h.name.as_str()).collect();
    assert_eq!(heads, ["topic", "sentiment"]);
    assert_eq!(
        embedded.provenance().data_source,
        "data/default_model.recipe"
    );
    let topics = &embedded.heads()[0].labels;
    for label in [
        "diplomacy",
        "military",
        "economy",
        "energy",
        "technology",
        "society",
        "sports",
        "entertainment",
        "education",
        "realty",
    ] {
        assert!(topics.iter().any(|l| l == label), "{label}: {topics:?}");
    }
    assert_eq!(
        embedded.heads()[1].labels,
        ["negative", "neutral", "positive"]
    );
}

#[test]
fn the_default_model_classifies_clear_topics() {
    let model = Model::embedded_default().unwrap();
    for (text, topic) in CLEAR {
        let p = model.predict(text);
        assert_eq!(p[0].best().label, topic, "{text}: {p:?}");
    }
    let good = model.predict("中国女排在世界联赛中三比零战胜对手夺得冠军");
    assert_eq!(good[1].best().label, "positive");
    let bad = model.predict("货车侧翻致两人受伤，交通一度中断");
    assert_eq!(bad[1].best().label, "negative");
}

#[test]
fn predict_uses_the_embedded_model_from_any_directory() {
    let dir = tempdir();
    let texts: Vec<&str> = CLEAR.iter().map(|c| c.0).collect();
    let mut args = vec!["predict", "--format", "json"];
    args.extend(&texts);
    let lines = run_in(dir.path(), &args, None).ok().json_lines();
    assert_eq!(lines.len(), CLEAR.len());
    for (line, (_, topic)) in lines.iter().zip(CLEAR) {
        assert_eq!(line["predictions"]["topic"]["label"], topic, "{line}");
    }
}

#[test]
fn a_page_of_four_articles_with_sub_headings_comes_out_as_four_labeled_rows() {
    let lines = run_in(
        &root(),
        &[
            "predict",
            "--sections",
            "--input",
            "data/four_article_page.md",
            "--format",
            "json",
        ],
        None,
    )
    .ok()
    .json_lines();
    let got: Vec<(&str, &str, usize)> = lines
        .iter()
        .map(|l| {
            (
                l["predictions"]["topic"]["label"].as_str().unwrap(),
                l["predictions"]["sentiment"]["label"].as_str().unwrap(),
                l["subheadings"].as_array().unwrap().len(),
            )
        })
        .collect();
    let topics: Vec<&str> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        topics,
        ["diplomacy", "energy", "diplomacy", "economy"],
        "{got:?}"
    );
    assert_eq!(got[0].1, "negative", "stalled ceasefire talks: {got:?}");
    assert_eq!(got[3].1, "positive", "high-growth firms: {got:?}");
    let subheadings: Vec<usize> = got.iter().map(|g| g.2).collect();
    assert_eq!(subheadings, [3, 2, 2, 3]);
}
