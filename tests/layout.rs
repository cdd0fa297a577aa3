//! The source layout as `docs/design.md` draws it: `src/` holds at most six
//! files beside its stage folders, imports between the top-level modules run
//! one way (text → data → features → estimators → model → evaluation →
//! training → report → serve), and the front ends (the CLI, the Python module
//! and the service) call the crate-root API only.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::root;

/// The stages in the order imports may run: a module may import only the
/// ones before it.
const STAGES: [&str; 9] = [
    "text",
    "data",
    "features",
    "estimators",
    "model",
    "evaluation",
    "training",
    "report",
    "serve",
];

/// Leaf modules any stage may use; they import no stage.
const LEAVES: [&str; 3] = ["error", "atomic_file", "rng"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source lines of `path` that are not comments (doc links are not imports).
fn code_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(str::to_string)
        .collect()
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of every name imported after `prefix` (`crate::`
/// or `newsclf::`), with `{a, b::C}` groups taken apart.
fn first_segments(line: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(group[start..i].trim()).to_string());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(group[start..i].trim()).to_string());
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(after).to_string());
        }
        rest = after;
    }
    out.retain(|s| !s.is_empty() && s != "self");
    out
}

/// Root re-exports of `src/lib.rs`: item name → the module it comes from.
fn root_items() -> BTreeMap<String, String> {
    let lib = fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let mut items = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path = &statement[at + "pub use ".len()..];
        let module = ident(path).to_string();
        let names = match path.find('{') {
            Some(open) => path[open + 1..path.rfind('}').unwrap()].to_string(),
            None => path.rsplit("::").next().unwrap().to_string(),
        };
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            // `run as run_service`: the name it is known by.
            let name = name.rsplit(' ').next().unwrap_or(name);
            items.insert(name.to_string(), module.clone());
        }
    }
    items
}

/// Top-level module → the top-level modules its code imports.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let modules: BTreeSet<String> = STAGES
        .iter()
        .chain(LEAVES.iter())
        .map(|s| s.to_string())
        .collect();
    let items = root_items();
    let mut graph = BTreeMap::new();
    for module in &modules {
        let dir = src.join(module);
        let mut files = Vec::new();
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        let mut deps = BTreeSet::new();
        for file in files {
            for line in code_lines(&file) {
                for first in first_segments(&line, "crate::") {
                    let target = if modules.contains(&first) {
                        first
                    } else if let Some(m) = items.get(&first) {
                        m.clone()
                    } else {
                        continue;
                    };
                    if &target != module {
                        deps.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

#[test]
fn src_has_at_most_six_files_beside_its_stage_folders() {
    let mut files: Vec<String> = fs::read_dir(root().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() <= 6, "{} files in src/: {files:?}", files.len());
    for stage in STAGES {
        assert!(
            root().join("src").join(stage).join("mod.rs").exists(),
            "src/{stage}/mod.rs is missing"
        );
    }
}

#[test]
fn imports_run_one_way_through_the_stages() {
    let graph = import_graph();
    let rank = |m: &str| STAGES.iter().position(|s| *s == m);
    let mut wrong = Vec::new();
    for (module, deps) in &graph {
        for dep in deps {
            let allowed = match (rank(module), rank(dep)) {
                (Some(a), Some(b)) => b < a,
                // A leaf may be used by anyone and uses no stage.
                (Some(_), None) => true,
                (None, _) => dep == "error",
            };
            if !allowed {
                wrong.push(format!("{module} imports {dep}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the stage order: {wrong:?}"
    );
    // The check above is what keeps circles out; it must see the real edges.
    assert!(graph["model"].contains("estimators"), "{graph:?}");
    assert!(graph["training"].contains("evaluation"), "{graph:?}");
    assert!(graph["serve"].contains("model"), "{graph:?}");
}

#[test]
fn the_front_ends_call_the_crate_root_api_only() {
    let mut files = Vec::new();
    rust_files(&root().join("src/cli"), &mut files);
    rust_files(&root().join("python/src"), &mut files);
    let mut serve = Vec::new();
    rust_files(&root().join("src/serve"), &mut serve);
    let stages: BTreeSet<&str> = STAGES.iter().chain(LEAVES.iter()).copied().collect();
    let mut reaching = Vec::new();
    for (file, prefix, own) in files
        .iter()
        .map(|f| (f, "newsclf::", ""))
        .chain(serve.iter().map(|f| (f, "crate::", "serve")))
    {
        for (n, line) in code_lines(file).iter().enumerate() {
            for first in first_segments(line, prefix) {
                let deep = stages.contains(first.as_str()) && first != own;
                if deep && line.contains(&format!("{prefix}{first}::")) {
                    reaching.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        reaching.is_empty(),
        "front ends reaching into a stage instead of the crate root:\n{}",
        reaching.join("\n")
    );
    // It does look: the CLI's imports are seen.
    let train = code_lines(&root().join("src/cli/train.rs")).join("\n");
    assert!(!first_segments(&train, "newsclf::").is_empty());
}

#[test]
fn import_parsing_takes_groups_apart() {
    assert_eq!(
        first_segments(
            "use crate::{Model, text::split_page, data::{A, B}};",
            "crate::"
        ),
        ["Model", "text", "data"]
    );
    assert_eq!(
        first_segments("let x = crate::model::Model::load(p)?;", "crate::"),
        ["model"]
    );
}
