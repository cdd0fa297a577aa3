//! Command-line flags, each defined once.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use newsclf::MemoryLimit;
use newsclf::TextEncoding;

/// Classify Chinese news text by topic and sentiment.
#[derive(Debug, Parser)]
#[command(
    name = "newsclf",
    version,
    about = "Classify Chinese news text by topic and sentiment",
    long_about = "Classify Chinese news text by topic and sentiment.\n\n\
        Train a model on your own labeled CSV (one classifier per label column), classify \
        texts, files, streams or whole newspaper pages, and evaluate a model on held-out data.\n\n\
        Exit codes: 0 success, 1 the job failed, 2 usage error.",
    after_help = "Examples:\n  \
        newsclf predict \"国家电网今冬新增储气能力一千万立方米\"\n  \
        newsclf predict --sections --input data/sample_page.md\n  \
        newsclf train --data data/news.csv --label-col topic --label-col sentiment --out models/my.model\n  \
        newsclf eval --model models/my.model --data test.csv"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads for segmentation, features and fitting (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing on stderr but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

impl Cli {
    /// Parses `args` (the program name first), noting which classifier
    /// flags with a default were given (see [`ClassifierArgs::given`]).
    pub fn parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let format = |e: clap::Error| e.format(&mut Cli::command());
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches).map_err(format)?;
        if let (Some(settings), Some((_, sub))) = (cli.command.settings_mut(), matches.subcommand())
        {
            settings.note_given(sub);
        }
        Ok(cli)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model from a labeled CSV file (or continue training one: --init).
    #[command(after_help = "Examples:\n  \
        newsclf train --data data/news.csv --label-col topic --label-col sentiment --out models/default.model\n  \
        newsclf train --data train.csv --out models/titles.model --user-dict words.txt --stopwords stop.txt\n  \
        newsclf train --init models/titles.model --data more.csv --out models/titles2.model")]
    Train(TrainArgs),
    /// Classify texts, a file, standard input or a newspaper page.
    #[command(after_help = "Examples:\n  \
        newsclf predict \"央行宣布下调存款准备金率\" \"女排三比零战胜对手\"\n  \
        newsclf predict --input articles.txt --format json\n  \
        newsclf predict --model models/my.model --input news.csv --text-col body --format csv\n  \
        cat articles.txt | newsclf predict --input -\n  \
        newsclf predict --sections --input data/sample_page.md")]
    Predict(PredictArgs),
    /// Evaluate a model on a labeled CSV file.
    #[command(after_help = "Examples:\n  \
        newsclf eval --model models/my.model --data test.csv\n  \
        newsclf eval --model models/my.model --data test.csv --report report.html\n  \
        newsclf eval --data data/news.csv --format json")]
    Eval(EvalArgs),
    /// Cross-validate training settings on a labeled CSV file.
    #[command(
        after_help = "Prints, per label column, the mean ± standard deviation of accuracy, \
        macro-F1 and log loss over K stratified folds. Each fold's features and classifier are \
        fitted on the other folds only. Takes every flag of `train` except --out.\n\n\
        Examples:\n  \
        newsclf cv --data train.csv --folds 5\n  \
        newsclf cv --data train.csv --char-ngrams 1-3 --c 1 --format json"
    )]
    Cv(CvArgs),
    /// Pick training settings by cross-validation over a small grid, then train with the best.
    #[command(
        after_help = "Every combination of the --grid-* values is cross-validated \
        (the corpus is segmented once); the table is printed best first, and the settings \
        with the highest mean accuracy are trained on all the data and written to --out. \
        The model records the whole table (see the JSON output of `tune`). Other flags \
        (segmentation, word n-grams, ...) are fixed for the whole grid.\n\n\
        Examples:\n  \
        newsclf tune --data train.csv --out models/tuned.model\n  \
        newsclf tune --data train.csv --out m.model --grid-c 0.1,0.3,1,3 --grid-loss svm --folds 3"
    )]
    Tune(TuneArgs),
    /// Show why a text got its labels: the terms that pushed toward and against them.
    #[command(
        after_help = "For each head: the predicted label, the runner-up, and the N terms \
        (words, word n-grams or character n-grams) whose TF-IDF value times the classifier's \
        weight pushed most toward the label over the runner-up, and most against it.\n\n\
        Examples:\n  \
        newsclf explain \"国际油价大幅上涨，炼厂开工率回升\"\n  \
        newsclf explain --model models/my.model --top 10 --format json \"女排三比零战胜对手\""
    )]
    Explain(ExplainArgs),
    /// Describe a model file: version, heads and labels, features, training data.
    #[command(after_help = "Examples:\n  \
        newsclf info\n  \
        newsclf info --model models/my.model --format json")]
    Info(InfoArgs),
    /// Run an HTTP service (and a web page) that classifies texts and pages.
    #[command(
        after_help = "Routes: POST /v1/classify {\"texts\": [...], \"top_k\": 3}, POST /v1/page \
        {\"markdown\": \"...\"}, POST /v1/explain {\"text\": \"...\", \"top\": 10}, GET /v1/model, \
        POST /v1/admin/reload, GET /healthz, GET /metrics, GET /openapi.json, and the web page at /.\n\n\
        SIGHUP reloads the model file (a file that fails to load is refused; the old model keeps \
        serving). SIGTERM or Ctrl-C finishes the requests in flight, then exits 0. One JSON line \
        per request goes to stderr (never the texts); --quiet turns it off (the line with the \
        address stays).\n\n\
        Examples:\n  \
        newsclf serve\n  \
        newsclf serve --model models/my.model --addr 127.0.0.1:9000\n  \
        NEWSCLF_API_KEY=secret newsclf serve --max-concurrent 32 --timeout-ms 2000"
    )]
    Serve(ServeArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:\n  \
        newsclf completions bash > ~/.local/share/bash-completion/completions/newsclf\n  \
        newsclf completions zsh > ~/.zfunc/_newsclf\n  \
        newsclf completions fish > ~/.config/fish/completions/newsclf.fish")]
    Completions(CompletionsArgs),
}

impl Command {
    /// The training settings of `train`, `cv` and `tune`.
    fn settings_mut(&mut self) -> Option<&mut SettingsArgs> {
        match self {
            Command::Train(a) => Some(&mut a.settings),
            Command::Cv(a) => Some(&mut a.settings),
            Command::Tune(a) => Some(&mut a.settings),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Model file (default: the model built into newsclf).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The text to explain.
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// Terms to show each way.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Model file (default: the model built into newsclf).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Model file, reloaded on SIGHUP (default: the model built into newsclf).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Address to listen on (port 0: a free port; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: std::net::SocketAddr,
    /// Largest request body (413 past it).
    #[arg(long, default_value_t = 2 * 1024 * 1024, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub max_body_bytes: u64,
    /// Most texts per request, or articles per page (413 past it).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub max_texts: u64,
    /// Most characters per text or article (413 past it).
    #[arg(long, default_value_t = 100_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub max_chars: u64,
    /// Classification requests answered at once; more get 429 at once instead of queueing.
    #[arg(long, default_value_t = 128, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub max_concurrent: u64,
    /// Time to answer a classification request, reading its body included (past it:
    /// 408 while the body is still arriving, 503 after).
    #[arg(long, default_value_t = 10_000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub timeout_ms: u64,
    /// Time a client has to send a request's headers; slower connections are closed.
    #[arg(long, default_value_t = 10_000, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub header_timeout_ms: u64,
    /// Require `Authorization: Bearer KEY` on /v1/* and /metrics, and turn on
    /// POST /v1/admin/reload. Prefer the environment variable: arguments are
    /// visible to other users of the machine.
    #[arg(
        long,
        env = "NEWSCLF_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        help_heading = "Access"
    )]
    pub api_key: Option<String>,
    /// Allow browser pages from this origin (or `*`) to call the service (CORS is off by default).
    #[arg(long, value_name = "ORIGIN", help_heading = "Access")]
    pub cors_origin: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: TrainingData,
    /// Where to write the model file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Continue training this model on the new rows instead of starting from scratch.
    ///
    /// --model linear only. Each classifier starts from MODEL's weights and, on the
    /// rows of --data or --recipe, moves only as far as the new rows ask; the
    /// calibration is refitted on the new rows. MODEL's
    /// vocabulary and IDF stay fixed: its weights are indexed by those features,
    /// and a fixed feature space keeps old and new rows comparable. Words new in the
    /// new rows are not learned (the summary counts them): train from scratch when
    /// the vocabulary drifts. New labels are allowed (a new class starts at zero
    /// weights). Each head of MODEL whose column the new rows have continues; the
    /// others stay as they were (by default the label columns are MODEL's heads:
    /// give --label-col for the ones the file has). Segmentation and feature flags
    /// come from MODEL (one that differs is refused); classifier flags (--c,
    /// --max-iter, --tol, --loss, --seed) default to MODEL's.
    #[arg(long, value_name = "MODEL")]
    pub init: Option<PathBuf>,
    /// Train in bounded memory: the rows are never all held, whatever the file's size.
    ///
    /// SIZE is e.g. 64M, 512M or 2G (at least 16M). Memory stays within SIZE plus
    /// the tokenizer and the model being built (its vocabulary and weights). The
    /// file is read three times (classes and a sketch of the terms; exact counts
    /// of the terms kept; featurized rows, written to a temporary file in $TMPDIR,
    /// about 8 bytes per term of each row), then the classifier is fitted one block
    /// of rows at a time. The vocabulary and IDF are those of training in memory;
    /// the weights are the same problem's solution, within the solver's tolerance.
    ///
    /// Without the flag, a --data file that would need more than half the
    /// machine's available memory (or of what a container's memory limit leaves)
    /// is trained this way, with a quarter of it as the limit; the summary says
    /// which way was taken. --model linear and --data only (not --recipe); with
    /// --init, the model's vocabulary is kept and the file is read twice.
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<MemoryLimit>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub reading: InputArgs,
}

#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    pub data: TrainingData,
    /// Number of folds (stratified by the first label column).
    #[arg(
        long,
        default_value_t = 5,
        value_name = "K",
        allow_negative_numbers = true
    )]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 42, value_name = "SEED")]
    pub fold_seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub reading: InputArgs,
}

#[derive(Debug, Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub data: TrainingData,
    /// Where to write the model trained with the best settings.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Number of cross-validation folds per grid point.
    #[arg(
        long,
        default_value_t = 5,
        value_name = "K",
        allow_negative_numbers = true
    )]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 42, value_name = "SEED")]
    pub fold_seed: u64,
    /// Losses to try.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "svm,ridge",
        help_heading = "Grid"
    )]
    pub grid_loss: Vec<LossArg>,
    /// Values of C to try.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.25,0.5,1",
        value_name = "C,...",
        allow_hyphen_values = true,
        help_heading = "Grid"
    )]
    pub grid_c: Vec<f64>,
    /// Character n-gram ranges to try (`none` for none).
    #[arg(long, value_delimiter = ',', default_value = "1-2,1-3", value_name = "RANGE,...", value_parser = parse_optional_range, help_heading = "Grid")]
    pub grid_char_ngrams: Vec<OptionalRange>,
    /// Minimum document frequencies to try.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2",
        value_name = "N,...",
        allow_hyphen_values = true,
        help_heading = "Grid"
    )]
    pub grid_min_df: Vec<usize>,
    /// Output format of the grid table.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub reading: InputArgs,
}

/// How input files are read (shared by every command that reads data).
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Encoding of the input file: utf-8 (a BOM is accepted), gbk or gb18030.
    /// A GBK/GB18030 file read as UTF-8 is recognised and refused with this hint.
    #[arg(long, default_value = "utf-8", value_name = "ENCODING")]
    pub encoding: TextEncoding,
    /// Stop with exit code 1 at the first row that would be skipped (and at
    /// labels that differ only in case), instead of skipping and reporting it.
    #[arg(long)]
    pub strict: bool,
}

/// Where training rows come from: one labeled CSV, or a recipe of several.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct TrainingData {
    /// Labeled CSV file (UTF-8, with a header line).
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// A recipe: several labeled CSV files with their labels mapped onto one
    /// label set per head (see data/default_model.recipe). Replaces --data and
    /// --label-col.
    #[arg(long, value_name = "FILE")]
    pub recipe: Option<PathBuf>,
}

/// Everything that decides how a model is trained (shared by train, cv and tune).
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Column holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_col: String,
    /// Column holding a label; repeat for several heads (e.g. topic and sentiment).
    #[arg(long = "label-col", default_value = "label", value_name = "NAME")]
    pub label_cols: Vec<String>,
    /// Train even when a label column has more classes than half its rows
    /// (refused by default: it usually means --label-col names the wrong column).
    #[arg(long)]
    pub allow_many_classes: bool,
    /// jieba user dictionary: one `word [frequency] [tag]` per line.
    #[arg(long, value_name = "FILE", help_heading = "Segmentation")]
    pub user_dict: Option<PathBuf>,
    /// Stopword list: one word per line.
    #[arg(long, value_name = "FILE", help_heading = "Segmentation")]
    pub stopwords: Option<PathBuf>,
    /// Do not use jieba's HMM for words missing from the dictionary.
    #[arg(long, help_heading = "Segmentation")]
    pub no_hmm: bool,
    /// Convert traditional characters to simplified ones before segmenting
    /// (they are kept as written by default).
    #[arg(long, help_heading = "Segmentation")]
    pub simplify: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub classifier: ClassifierArgs,
    /// The flags of columns, segmentation and features given on the command
    /// line (by their ids; see [`SettingsArgs::GIVEN`]).
    #[arg(skip)]
    pub given: Vec<&'static str>,
}

impl SettingsArgs {
    /// The flags whose source `train --init` needs: one not given takes the
    /// value of the model being continued.
    const GIVEN: [&'static str; 13] = [
        "text_col",
        "label_cols",
        "user_dict",
        "stopwords",
        "no_hmm",
        "simplify",
        "word_ngrams",
        "char_ngrams",
        "min_df",
        "max_df",
        "max_features",
        "no_sublinear_tf",
        "no_l2_norm",
    ];

    /// Records which flags `matches` (the subcommand's) got from the command line.
    fn note_given(&mut self, matches: &ArgMatches) {
        self.given = Self::GIVEN
            .into_iter()
            .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
            .collect();
        self.classifier.note_given(matches);
    }

    /// Whether the flag `id` (one of [`SettingsArgs::GIVEN`]) was given.
    pub fn given(&self, id: &str) -> bool {
        self.given.contains(&id)
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Features")]
pub struct FeatureArgs {
    /// Word n-gram lengths, `MIN-MAX` or `N`.
    #[arg(long, default_value = "1-2", value_name = "RANGE", value_parser = parse_range)]
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths, `MIN-MAX`, `N`, or `none`.
    #[arg(long, default_value = "1-2", value_name = "RANGE", value_parser = parse_optional_range)]
    pub char_ngrams: OptionalRange,
    /// Keep terms that occur in at least this many training documents.
    #[arg(
        long,
        default_value_t = 2,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub min_df: usize,
    /// Drop terms that occur in more than this fraction of training documents.
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "FRACTION",
        allow_negative_numbers = true
    )]
    pub max_df: f64,
    /// Keep at most this many terms of each kind (words, characters).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_features: Option<usize>,
    /// Use raw term counts instead of 1 + ln(count).
    #[arg(long)]
    pub no_sublinear_tf: bool,
    /// Do not scale each row's word and character blocks to unit length.
    #[arg(long)]
    pub no_l2_norm: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LossArg {
    /// Linear SVM with squared hinge loss (one-vs-rest), calibrated probabilities.
    Svm,
    /// Logistic regression (one-vs-rest), calibrated probabilities.
    Logistic,
    /// Ridge classification: least squares on ±1 targets (one-vs-rest), calibrated probabilities.
    Ridge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Sparse linear classifier (SVM or logistic loss): accurate and fast at any size.
    Linear,
    /// Multinomial naive Bayes: one pass over the data, a quick baseline.
    Nb,
    /// linfa-logistic's multinomial logistic regression on dense features:
    /// small data only (refused when the dense matrix would exceed --max-dense-mb).
    LinfaLogistic,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Classifier")]
pub struct ClassifierArgs {
    /// Classifier kind.
    #[arg(long, value_enum, default_value = "linear")]
    pub model: ModelArg,
    /// Loss of the linear classifier.
    #[arg(long, value_enum, default_value = "svm")]
    pub loss: LossArg,
    /// Inverse regularisation strength of `linear` and `linfa-logistic`:
    /// larger fits the training data more closely [default: 0.25 for linear, 1 for linfa-logistic].
    #[arg(long = "c", value_name = "C", allow_negative_numbers = true)]
    pub c: Option<f64>,
    /// Stopping tolerance of the linear solver.
    #[arg(
        long,
        default_value_t = 0.1,
        value_name = "TOL",
        allow_negative_numbers = true
    )]
    pub tol: f64,
    /// Maximum passes over the data per class (linear), or L-BFGS iterations
    /// (linfa-logistic) [default: 200 for linear, 100 for linfa-logistic].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_iter: Option<usize>,
    /// Additive smoothing of naive Bayes.
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "ALPHA",
        allow_negative_numbers = true
    )]
    pub alpha: f64,
    /// Memory budget of linfa-logistic's dense feature matrix, in MB.
    #[arg(
        long,
        default_value_t = 1024,
        value_name = "MB",
        allow_negative_numbers = true
    )]
    pub max_dense_mb: usize,
    /// Seed of the solver's row order; the same seed gives the same model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The flags above with a default that were given on the command line
    /// (by their ids: `loss`, `tol`, `alpha`, `max_dense_mb`, `seed`).
    #[arg(skip)]
    pub given: Vec<&'static str>,
}

impl ClassifierArgs {
    /// The flags with a default: only these need their source looked up
    /// (`--c` and `--max-iter` are `None` unless given).
    const DEFAULTED: [&'static str; 5] = ["loss", "tol", "alpha", "max_dense_mb", "seed"];

    /// Records which of the flags with a default `matches` (the
    /// subcommand's) got from the command line.
    fn note_given(&mut self, matches: &ArgMatches) {
        self.given = Self::DEFAULTED
            .into_iter()
            .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
            .collect();
    }

    /// `value` if the flag `id` was given on the command line, else `None`
    /// (the classifier kind's default).
    pub fn if_given<T>(&self, id: &str, value: T) -> Option<T> {
        self.given.contains(&id).then_some(value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PredictFormat {
    /// Aligned columns for reading.
    Table,
    /// One JSON object per document, one per line.
    Json,
    /// CSV with a header.
    Csv,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model file (default: the model built into newsclf).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Texts to classify.
    #[arg(value_name = "TEXT", conflicts_with = "input")]
    pub texts: Vec<String>,
    /// Read documents from FILE: `.csv` files by their text column, others one
    /// document per line; `-` reads standard input.
    #[arg(long, short, value_name = "FILE|-")]
    pub input: Option<PathBuf>,
    /// CSV column holding the text (default: the one the model was trained on).
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PredictFormat,
    /// Show the N most probable labels per head (default: 1 in tables, 3 otherwise).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub top_k: Option<u64>,
    /// The input is a newspaper page: split it into articles at `#` headings
    /// and label each article.
    #[arg(long)]
    pub sections: bool,
    #[command(flatten)]
    pub reading: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// A readable report.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model file (default: the model built into newsclf).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Labeled CSV file; every head whose label column it has is evaluated.
    #[arg(long, value_name = "FILE.csv")]
    pub data: PathBuf,
    /// Column holding the text (default: the one the model was trained on).
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    /// Also write the evaluation as one self-contained HTML page: per head the
    /// figures, a confusion-matrix heatmap, per-class bars, the most confident
    /// mistakes with their explanation, and the model's settings.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub reading: InputArgs,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let parse = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{s}` is not a range: use MIN-MAX (e.g. 1-3) or N"))
    };
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => {
            let n = parse(s)?;
            (n, n)
        }
    };
    if lo == 0 || lo > hi {
        return Err(format!("`{s}`: need 1 <= MIN <= MAX"));
    }
    Ok((lo, hi))
}

/// An n-gram range that may be switched off with `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalRange(pub Option<(usize, usize)>);

fn parse_optional_range(s: &str) -> Result<OptionalRange, String> {
    if s.eq_ignore_ascii_case("none") {
        Ok(OptionalRange(None))
    } else {
        parse_range(s).map(|r| OptionalRange(Some(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn given_flags_are_told_from_defaults() {
        let given = |flags: &[&str]| {
            let mut args = vec!["newsclf", "cv", "--data", "x.csv"];
            args.extend_from_slice(flags);
            let cli = Cli::parse_args(args).unwrap();
            let Command::Cv(a) = cli.command else {
                panic!("expected cv");
            };
            a.settings.classifier.given
        };
        assert!(given(&[]).is_empty());
        // A value equal to the default is still given.
        assert_eq!(given(&["--tol", "0.1", "--seed", "42"]), ["tol", "seed"]);
        assert_eq!(
            given(&["--loss", "svm", "--alpha", "1", "--max-dense-mb", "9"]),
            ["loss", "alpha", "max_dense_mb"]
        );
        let cli = Cli::parse_args(["newsclf", "info"]).unwrap();
        assert!(matches!(cli.command, Command::Info(_)));
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("1-3"), Ok((1, 3)));
        assert_eq!(parse_range("2"), Ok((2, 2)));
        assert!(parse_range("3-1").is_err());
        assert!(parse_range("x").is_err());
        assert_eq!(parse_optional_range("none"), Ok(OptionalRange(None)));
    }
}
