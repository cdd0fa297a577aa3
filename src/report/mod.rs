//! Stage 8, report: what a person or a program reads. Text tables for
//! `eval`, `cv`, `tune`, `explain` and `info` ([`render_text`] and the other
//! `render_*`), the self-contained HTML evaluation report ([`render_html`]),
//! and the JSON shape of one classified document ([`DocumentJson`]) that the
//! CLI and the service share.

mod html;
mod json;
mod text;

pub use html::{MISTAKES_SHOWN, TERMS_SHOWN, TEXT_SHOWN, escape, render_html, write_html};
pub use json::{DocumentJson, HeadsJson};
pub use text::{
    pad, pad_left, render_cv, render_explanation, render_info, render_text, render_tuning, truncate,
};
