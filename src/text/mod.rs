//! Stage 1, text: bytes to clean text and words. Decoding ([`TextEncoding`]),
//! normalisation ([`normalize`]), jieba's segmentation over a dictionary
//! prebuilt at compile time ([`Segmenter`], user dictionaries and stopwords) and newspaper pages split into their articles
//! ([`split_page`]). Imports nothing of the other stages.

mod cut;
mod dictionary;
mod encoding;
mod normalize;
mod sections;
mod segment;

pub use encoding::{TextEncoding, looks_like_gb18030};
pub use normalize::{NormalizeConfig, normalize, normalize_into};
pub use sections::{Page, Section, is_note, split_page};
pub use segment::{
    MAX_USER_FREQ, Segmenter, SegmenterConfig, UserWord, read_stopwords, read_user_dict,
};
