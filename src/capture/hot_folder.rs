//! The scanner hot folder: a document scanner or full-page reader writes one image per
//! light (and per side of a card) into a folder; this module finds the complete sets there
//! and hands each one over once, decoded, as soon as its last file is fully written.
//!
//! How a file's light, side and document are told from its name is the [`NamingRule`]: a
//! preset or a pattern such as `{stem}_{light:W|UV|IR|COAX}.jpg`. A set is complete with its
//! white, UV and IR images; a coaxial image (the optional fourth light word) joins it when it
//! has started to arrive by then, so a scanner without coaxial light never makes a set wait.
//! A file counts as written when
//! its size and modification time stayed the same over two looks at least
//! [`STABLE_AFTER`] apart and it decodes; one that stays undecodable is reported once and
//! left alone until it changes. File events (`notify`) wake the watcher at once; the folder
//! is also listed on a timer, and only listed where events do not arrive (network shares).
//! Files are never moved or deleted unless the administrator chose `move:DIR`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use tdverify_core::{Capture, Light};

use super::import::{ImportError, import_file};

/// A file is taken as fully written once two looks this far apart saw the same size and time.
pub const STABLE_AFTER: Duration = Duration::from_millis(150);
/// How long a card's MRZ side waits for its other side to start arriving.
pub const OTHER_SIDE_GRACE: Duration = Duration::from_millis(400);
/// How long a card's half-arrived other side is waited for before the set goes without it.
pub const OTHER_SIDE_PATIENCE: Duration = Duration::from_secs(10);
/// How long a written file may stay undecodable before it is reported (slow writers pause).
pub const UNDECODABLE_AFTER: Duration = Duration::from_millis(1000);
/// Between looks at the folder while files are arriving.
const BUSY_POLL: Duration = Duration::from_millis(150);
/// Between looks when idle and file events arrive (a safety net for missed events).
const IDLE_POLL_WITH_EVENTS: Duration = Duration::from_secs(2);
/// Between looks when idle and the folder is only listed (network shares).
const IDLE_POLL_LISTING: Duration = Duration::from_millis(300);
/// Files written this recently when watching starts are taken as arriving, not as old sets.
const FRESH_AT_START: Duration = Duration::from_secs(2);
/// The lights a set needs, in the order the pattern's `{light:…}` words name them.
const SET_LIGHTS: [Light; 3] = [Light::White, Light::Uv, Light::Ir];
/// Every light a file name can carry: the set's lights, then coaxial (the optional fourth
/// word), which joins a set without being needed (few scanners have coaxial light).
const NAMED_LIGHTS: [Light; 4] = [Light::White, Light::Uv, Light::Ir, Light::Coaxial];
/// Longest pattern accepted.
const MAX_PATTERN_CHARS: usize = 200;

/// A named naming rule for a common scanner layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The name the CLI and the settings use.
    pub name: &'static str,
    /// The pattern it stands for.
    pub pattern: &'static str,
    /// An example file name, for the administrator choosing one.
    pub example: &'static str,
}

/// The presets, the first being the default.
pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "underscore",
        pattern: "{stem}_{light:W|UV|IR|COAX}.jpg",
        example: "scan0001_W.jpg, scan0001_UV.jpg, scan0001_IR.jpg (scan0001_COAX.jpg with coaxial light)",
    },
    Preset {
        name: "dash-words",
        pattern: "{stem}-{light:white|uv|ir}.png",
        example: "doc-white.png, doc-uv.png, doc-ir.png",
    },
    Preset {
        name: "dot-words",
        pattern: "{stem}.{light:white|uv|ir|coaxial}.png",
        example: "doc.white.png, doc.uv.png, doc.ir.png (doc.coaxial.png with coaxial light)",
    },
    Preset {
        name: "card-sides",
        pattern: "{stem}_{side:B|F}_{light:W|UV|IR|COAX}.jpg",
        example: "card7_B_W.jpg … card7_F_IR.jpg (B: the side with the MRZ; card7_B_COAX.jpg with coaxial light)",
    },
];

/// Why a naming pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Nothing was given.
    #[error(
        "the naming rule is empty: give a preset ({}) or a pattern such as {{stem}}_{{light:W|UV|IR}}.jpg",
        preset_names()
    )]
    Empty,
    /// Longer than any real file name rule.
    #[error("the naming rule is longer than {MAX_PATTERN_CHARS} characters")]
    TooLong,
    /// A `{` without its `}`.
    #[error("the `{{` at character {0} is not closed with `}}`")]
    Unclosed(usize),
    /// A `}` without its `{`.
    #[error("the `}}` at character {0} closes nothing")]
    StrayClose(usize),
    /// A placeholder other than stem, light and side.
    #[error("unknown placeholder {{{0}}}: use {{stem}}, {{light}} and optionally {{side}}")]
    UnknownPlaceholder(String),
    /// A placeholder given twice.
    #[error("{{{0}}} appears more than once")]
    Repeated(&'static str),
    /// `{stem}` or `{light}` missing.
    #[error("the pattern needs {{{0}}}")]
    Missing(&'static str),
    /// Two placeholders side by side cannot be told apart.
    #[error("{{{0}}} and {{{1}}} touch: put a separator such as `_` between them")]
    Touching(&'static str, &'static str),
    /// A word list of the wrong length or with bad words.
    #[error("{{{placeholder}:…}}: {reason}")]
    Words {
        /// light or side.
        placeholder: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A folder separator in the pattern: the rule names files inside the folder.
    #[error("the pattern names files inside the folder: it cannot contain `/` or `\\`")]
    PathSeparator,
}

fn preset_names() -> String {
    PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Stem,
    Light,
    Side,
}

/// How a file's name tells its document (`{stem}`), light and side: parsed and validated
/// once, then matched against every file name in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingRule {
    text: String,
    parts: Vec<Part>,
    /// White, UV, IR and, when given, coaxial.
    light_words: Vec<String>,
    side_words: Option<Vec<String>>,
}

/// What a file name says under a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRole {
    /// The document's part of the name, shared by every file of its set.
    pub stem: String,
    /// The light.
    pub light: Light,
    /// 0 for the side with the MRZ (the first `{side}` word), 1 for the other side.
    pub side: usize,
}

impl NamingRule {
    /// Parses a preset's name or a pattern. Placeholders: `{stem}` (the document),
    /// `{light}` or `{light:W|UV|IR|COAX}` (the words for white, UV, IR and optionally
    /// coaxial, in that order; default `white|uv|ir|coaxial`), and for two-sided cards `{side}` or `{side:B|F}` (the side
    /// with the MRZ first; default `back|front`). Text around them must match, ignoring case.
    pub fn parse(text: &str) -> Result<NamingRule, PatternError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        if let Some(preset) = PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(text)) {
            return NamingRule::parse(preset.pattern);
        }
        if text.chars().count() > MAX_PATTERN_CHARS {
            return Err(PatternError::TooLong);
        }
        if text.contains(['/', '\\']) {
            return Err(PatternError::PathSeparator);
        }
        let mut parts = Vec::new();
        let mut light_words = None;
        let mut side_words = None;
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' => {
                    let mut inner = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        if c == '{' {
                            break;
                        }
                        inner.push(c);
                    }
                    if !closed {
                        return Err(PatternError::Unclosed(char_position(text, at)));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    let (name, words) = match inner.split_once(':') {
                        Some((name, words)) => (name.trim(), Some(words)),
                        None => (inner.trim(), None),
                    };
                    let part = match name {
                        "stem" if words.is_none() => Part::Stem,
                        "light" => {
                            if light_words.is_some() {
                                return Err(PatternError::Repeated("light"));
                            }
                            light_words = Some(parse_words("light", words.unwrap_or("white|uv|ir|coaxial"))?);
                            Part::Light
                        }
                        "side" => {
                            if side_words.is_some() {
                                return Err(PatternError::Repeated("side"));
                            }
                            side_words = Some(parse_words("side", words.unwrap_or("back|front"))?);
                            Part::Side
                        }
                        _ => return Err(PatternError::UnknownPlaceholder(inner.clone())),
                    };
                    if part == Part::Stem && parts.contains(&Part::Stem) {
                        return Err(PatternError::Repeated("stem"));
                    }
                    if let Some(previous) = parts.last().and_then(placeholder_name) {
                        return Err(PatternError::Touching(previous, placeholder_name(&part).unwrap_or("?")));
                    }
                    parts.push(part);
                }
                '}' => return Err(PatternError::StrayClose(char_position(text, at))),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        if !parts.contains(&Part::Stem) {
            return Err(PatternError::Missing("stem"));
        }
        let Some(light_words) = light_words else { return Err(PatternError::Missing("light")) };
        Ok(NamingRule { text: text.to_owned(), parts, light_words, side_words })
    }

    /// The pattern as given (a preset's pattern when a preset was named).
    pub fn pattern(&self) -> &str {
        &self.text
    }

    /// The preset this rule is, if any.
    pub fn preset(&self) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.pattern == self.text)
    }

    /// Whether the rule names a coaxial image (a fourth light word).
    pub fn names_coaxial(&self) -> bool {
        self.light_words.len() == NAMED_LIGHTS.len()
    }

    /// Whether the rule names two sides (cards).
    pub fn has_sides(&self) -> bool {
        self.side_words.is_some()
    }

    /// What `file_name` is under this rule, or `None` when the rule does not name it.
    /// Where several readings fit, the longest stem wins (`a_b_W.jpg` is stem `a_b`).
    pub fn classify(&self, file_name: &str) -> Option<FileRole> {
        let mut found = Found::default();
        if self.match_parts(0, file_name, 0, &mut found) {
            let stem = found.stem?;
            let light = NAMED_LIGHTS[found.light?];
            Some(FileRole { stem, light, side: found.side.unwrap_or(0) })
        } else {
            None
        }
    }

    /// The file name this rule gives a document's image (tests, benchmarks, the examples shown);
    /// `None` for a coaxial image when the rule has no coaxial word.
    pub fn file_name(&self, stem: &str, light: Light, side: usize) -> Option<String> {
        let light_index = NAMED_LIGHTS.iter().position(|l| *l == light)?;
        let light_word = self.light_words.get(light_index)?;
        let mut name = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => name.push_str(text),
                Part::Stem => name.push_str(stem),
                Part::Light => name.push_str(light_word),
                Part::Side => name.push_str(self.side_words.as_ref()?.get(side.min(1))?),
            }
        }
        Some(name)
    }

    fn match_parts(&self, index: usize, name: &str, at: usize, found: &mut Found) -> bool {
        let Some(part) = self.parts.get(index) else { return at == name.len() };
        let rest = &name[at..];
        match part {
            Part::Literal(text) => {
                starts_with_ignoring_case(rest, text) && self.match_parts(index + 1, name, at + text.len(), found)
            }
            Part::Light => self.match_words(&self.light_words, index, name, at, found, |f, i| f.light = Some(i)),
            Part::Side => match &self.side_words {
                Some(words) => self.match_words(words, index, name, at, found, |f, i| f.side = Some(i)),
                None => false,
            },
            Part::Stem => {
                let ends: Vec<usize> = rest.char_indices().map(|(i, _)| at + i).skip(1).chain([name.len()]).collect();
                for end in ends.into_iter().rev() {
                    if self.match_parts(index + 1, name, end, found) {
                        found.stem = Some(name[at..end].to_owned());
                        return true;
                    }
                }
                false
            }
        }
    }

    fn match_words(
        &self,
        words: &[String],
        index: usize,
        name: &str,
        at: usize,
        found: &mut Found,
        record: impl Fn(&mut Found, usize),
    ) -> bool {
        for (i, word) in words.iter().enumerate() {
            if starts_with_ignoring_case(&name[at..], word) && self.match_parts(index + 1, name, at + word.len(), found)
            {
                record(found, i);
                return true;
            }
        }
        false
    }
}

impl std::fmt::Display for NamingRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Default)]
struct Found {
    stem: Option<String>,
    light: Option<usize>,
    side: Option<usize>,
}

fn placeholder_name(part: &Part) -> Option<&'static str> {
    match part {
        Part::Literal(_) => None,
        Part::Stem => Some("stem"),
        Part::Light => Some("light"),
        Part::Side => Some("side"),
    }
}

fn char_position(text: &str, byte: usize) -> usize {
    text[..byte].chars().count() + 1
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// The words of `{light:…}` (three, or four with coaxial) or `{side:…}` (two).
fn parse_words(placeholder: &'static str, list: &str) -> Result<Vec<String>, PatternError> {
    let bad = |reason: String| PatternError::Words { placeholder, reason };
    let words: Vec<String> = list.split('|').map(|w| w.trim().to_owned()).collect();
    let (what, counts) = if placeholder == "light" {
        ("three words, for white, UV and IR, and optionally a fourth for coaxial", 3..=4)
    } else {
        ("two words, the side with the MRZ first", 2..=2)
    };
    if !counts.contains(&words.len()) {
        return Err(bad(format!("give {what}, separated by `|` (got {})", words.len())));
    }
    for word in &words {
        if word.is_empty() {
            return Err(bad("a word is empty".to_owned()));
        }
        if word.chars().any(|c| c.is_control() || matches!(c, '{' | '}' | ':')) {
            return Err(bad(format!("`{word}` has a character a file name word cannot have")));
        }
    }
    for (i, word) in words.iter().enumerate() {
        if words[..i].iter().any(|other| other.eq_ignore_ascii_case(word)) {
            return Err(bad(format!("`{word}` is given twice")));
        }
    }
    Ok(words)
}

/// What happens to a set's files once it was handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterProcessing {
    /// Leave them where the scanner wrote them (the default).
    Keep,
    /// Move them into this folder (created when missing).
    MoveTo(PathBuf),
}

impl AfterProcessing {
    /// Parses `keep` or `move:DIR`.
    pub fn parse(text: &str) -> Result<AfterProcessing, HotFolderError> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("keep") {
            return Ok(AfterProcessing::Keep);
        }
        match text.split_once(':') {
            Some((word, dir)) if word.eq_ignore_ascii_case("move") && !dir.trim().is_empty() => {
                Ok(AfterProcessing::MoveTo(PathBuf::from(dir.trim())))
            }
            _ => Err(HotFolderError::After(text.to_owned())),
        }
    }

    /// The text form `parse` reads.
    pub fn as_text(&self) -> String {
        match self {
            AfterProcessing::Keep => "keep".to_owned(),
            AfterProcessing::MoveTo(dir) => format!("move:{}", dir.display()),
        }
    }
}

/// How changes in the folder are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// File events where the file system sends them, listing on network shares.
    Auto,
    /// File events (plus a slow listing as a safety net).
    Events,
    /// Listing only.
    Listing,
}

/// Everything the watcher needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotFolderConfig {
    /// The folder the scanner writes into.
    pub folder: PathBuf,
    /// How files are named.
    pub rule: NamingRule,
    /// What happens to a set's files afterwards.
    pub after: AfterProcessing,
    /// Whether sets already present when watching starts are handed over too.
    pub process_existing: bool,
    /// How changes are noticed.
    pub mode: WatchMode,
}

impl HotFolderConfig {
    /// A configuration that keeps files, ignores old sets and picks the watch mode itself.
    pub fn new(folder: impl Into<PathBuf>, rule: NamingRule) -> HotFolderConfig {
        HotFolderConfig {
            folder: folder.into(),
            rule,
            after: AfterProcessing::Keep,
            process_existing: false,
            mode: WatchMode::Auto,
        }
    }

    /// Reads the administrator's setting (as the store keeps it), validating the rule.
    pub fn from_setting(setting: &tdverify_store::HotFolderSetting) -> Result<HotFolderConfig, HotFolderError> {
        let rule = NamingRule::parse(&setting.pattern)?;
        Ok(HotFolderConfig {
            folder: PathBuf::from(&setting.folder),
            rule,
            after: AfterProcessing::parse(&setting.after)?,
            process_existing: setting.process_existing,
            mode: WatchMode::Auto,
        })
    }

    /// The setting the store keeps for this configuration.
    pub fn to_setting(&self) -> tdverify_store::HotFolderSetting {
        tdverify_store::HotFolderSetting {
            folder: self.folder.display().to_string(),
            pattern: self.rule.pattern().to_owned(),
            after: self.after.as_text(),
            process_existing: self.process_existing,
        }
    }
}

/// The hot folder the administrator configured for the station in `data_dir`, read without
/// the passphrase; `None` when there is none.
pub fn configured_hot_folder(data_dir: &Path) -> Result<Option<HotFolderConfig>, HotFolderError> {
    let setting = tdverify_store::Store::hot_folder_in(data_dir).map_err(|e| HotFolderError::Setting(e.to_string()))?;
    setting.as_ref().map(HotFolderConfig::from_setting).transpose()
}

/// Why the hot folder cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum HotFolderError {
    /// The folder does not exist or is not a folder.
    #[error(
        "the hot folder {0} does not exist or is not a folder; create it or point the station at the scanner's folder"
    )]
    NotAFolder(PathBuf),
    /// Listing or moving failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The naming rule is not valid.
    #[error("naming rule: {0}")]
    Pattern(#[from] PatternError),
    /// The after-processing action is not valid.
    #[error("after processing: `{0}` is neither `keep` nor `move:DIR`")]
    After(String),
    /// The stored setting could not be read.
    #[error("the station's hot folder setting: {0}")]
    Setting(String),
}

/// One image of a complete set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetFile {
    /// Where it is now (in the move-to folder when files are moved).
    pub path: PathBuf,
    /// Its light.
    pub light: Light,
    /// 0 for the MRZ side, 1 for the other side.
    pub side: usize,
}

/// A document's complete set of images, decoded.
#[derive(Debug, Clone)]
pub struct CompleteSet {
    /// The document's part of the file names.
    pub stem: String,
    /// The files, MRZ side first, each side in white, UV, IR order, then coaxial when there.
    pub files: Vec<SetFile>,
    /// The MRZ side's images (a coaxial one last, when the scanner wrote one).
    pub captures: Vec<Capture>,
    /// The other side's images (cards), empty otherwise.
    pub other_side: Vec<Capture>,
}

impl CompleteSet {
    /// The file names, as the CLI prints them.
    pub fn file_names(&self) -> Vec<String> {
        self.files.iter().map(|f| file_name_of(&f.path)).collect()
    }
}

/// Something the administrator should know about the folder (each said once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotFolderProblem {
    /// The file concerned, if one.
    pub path: Option<PathBuf>,
    /// What is wrong and what to do.
    pub message: String,
}

/// What the watcher reports.
#[derive(Debug, Clone)]
pub enum HotFolderEvent {
    /// A complete set, to inspect.
    Set(CompleteSet),
    /// A problem (an undecodable file, an incomplete set with `--once`, a failed move).
    Problem(HotFolderProblem),
}

/// A set found in the folder by name alone (the administrator's "test the rule").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetListing {
    /// The document's part of the file names.
    pub stem: String,
    /// The files present.
    pub files: Vec<String>,
    /// The files still missing for the set to be complete.
    pub missing: Vec<String>,
}

/// The sets the rule finds in `folder` now, by name only (nothing decoded), and how many
/// files the rule does not name.
pub fn sets_present(folder: &Path, rule: &NamingRule) -> Result<(Vec<SetListing>, usize), HotFolderError> {
    let mut groups: BTreeMap<String, BTreeMap<(usize, usize), String>> = BTreeMap::new();
    let mut unnamed = 0;
    for (path, _) in list_files(folder)? {
        let name = file_name_of(&path);
        match rule.classify(&name) {
            Some(role) => {
                groups.entry(role.stem.clone()).or_default().insert((role.side, light_index(role.light)), name);
            }
            None => unnamed += 1,
        }
    }
    let sides = if rule.has_sides() { 2 } else { 1 };
    let listings = groups
        .into_iter()
        .map(|(stem, files)| {
            let mut missing = Vec::new();
            let other_side_started = files.keys().any(|(side, _)| *side == 1);
            for side in 0..sides {
                if side == 1 && !other_side_started {
                    continue;
                }
                for (index, light) in SET_LIGHTS.iter().enumerate() {
                    if !files.contains_key(&(side, index)) {
                        missing.extend(rule.file_name(&stem, *light, side));
                    }
                }
            }
            SetListing { stem, files: files.into_values().collect(), missing }
        })
        .collect();
    Ok((listings, unnamed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    size: u64,
    modified: Option<SystemTime>,
}

#[derive(Debug)]
struct Tracked {
    role: FileRole,
    fingerprint: Fingerprint,
    /// When this fingerprint was first seen.
    since: Instant,
    /// Looks that saw this fingerprint.
    looks: u32,
    /// When this fingerprint first failed to decode.
    undecodable_since: Option<Instant>,
}

impl Tracked {
    fn stable(&self, now: Instant) -> bool {
        self.looks >= 2 && now.duration_since(self.since) >= STABLE_AFTER
    }
}

/// Watches one folder and reports each complete set once. Synchronous: call
/// [`HotFolder::next_events`] in a loop, or use [`HotFolderWatch`] for a background thread.
pub struct HotFolder {
    config: HotFolderConfig,
    tracked: HashMap<PathBuf, Tracked>,
    /// Per stem, the fingerprints of the files of the set last handed over.
    processed: HashMap<String, HashMap<PathBuf, Fingerprint>>,
    /// Undecodable files already reported, with the fingerprint they had.
    reported: HashMap<PathBuf, Fingerprint>,
    wake: Option<(notify::RecommendedWatcher, mpsc::Receiver<()>)>,
    listing_failed: bool,
}

impl HotFolder {
    /// Starts watching. Sets already complete in the folder are remembered as done unless
    /// `process_existing` is set (files written in the last two seconds count as new).
    pub fn open(config: HotFolderConfig) -> Result<HotFolder, HotFolderError> {
        if !config.folder.is_dir() {
            return Err(HotFolderError::NotAFolder(config.folder.clone()));
        }
        let use_events = match config.mode {
            WatchMode::Events => true,
            WatchMode::Listing => false,
            WatchMode::Auto => !is_network_share(&config.folder),
        };
        let wake = if use_events { start_events(&config.folder) } else { None };
        let mut folder = HotFolder {
            config,
            tracked: HashMap::new(),
            processed: HashMap::new(),
            reported: HashMap::new(),
            wake,
            listing_failed: false,
        };
        let files = list_files(&folder.config.folder)?;
        if !folder.config.process_existing {
            folder.remember_existing_sets(&files);
        }
        Ok(folder)
    }

    /// Whether file events wake the watcher (otherwise the folder is only listed).
    pub fn uses_events(&self) -> bool {
        self.wake.is_some()
    }

    /// The configuration watched.
    pub fn config(&self) -> &HotFolderConfig {
        &self.config
    }

    fn remember_existing_sets(&mut self, files: &[(PathBuf, Fingerprint)]) {
        let now = SystemTime::now();
        let mut groups: HashMap<String, HashMap<PathBuf, (FileRole, Fingerprint)>> = HashMap::new();
        for (path, fingerprint) in files {
            if let Some(role) = self.config.rule.classify(&file_name_of(path)) {
                groups.entry(role.stem.clone()).or_default().insert(path.clone(), (role, *fingerprint));
            }
        }
        for (stem, files) in groups {
            let mrz_side = files.values().filter(|(role, _)| role.side == 0 && is_set_light(role.light)).count();
            let fresh = files
                .values()
                .any(|(_, f)| f.modified.is_none_or(|m| now.duration_since(m).unwrap_or_default() < FRESH_AT_START));
            if mrz_side == SET_LIGHTS.len() && !fresh {
                self.processed.insert(stem, files.into_iter().map(|(path, (_, f))| (path, f)).collect());
            }
        }
    }

    /// Looks at the folder once and returns the sets that became complete (decoded, and
    /// moved when so configured) and problems not reported before.
    pub fn look(&mut self) -> Vec<HotFolderEvent> {
        let now = Instant::now();
        let mut events = Vec::new();
        let files = match list_files(&self.config.folder) {
            Ok(files) => {
                self.listing_failed = false;
                files
            }
            Err(e) => {
                if !self.listing_failed {
                    self.listing_failed = true;
                    events.push(HotFolderEvent::Problem(HotFolderProblem {
                        path: Some(self.config.folder.clone()),
                        message: e.to_string(),
                    }));
                }
                return events;
            }
        };
        let mut present = HashMap::new();
        for (path, fingerprint) in files {
            let Some(role) = self.config.rule.classify(&file_name_of(&path)) else { continue };
            match self.tracked.get_mut(&path) {
                Some(tracked) if tracked.fingerprint == fingerprint => tracked.looks += 1,
                _ => {
                    self.tracked.insert(
                        path.clone(),
                        Tracked { role: role.clone(), fingerprint, since: now, looks: 1, undecodable_since: None },
                    );
                }
            }
            present.insert(path, ());
        }
        self.tracked.retain(|path, _| present.contains_key(path));
        self.reported.retain(|path, _| present.contains_key(path));

        let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        for (path, tracked) in &self.tracked {
            groups.entry(tracked.role.stem.clone()).or_default().push(path.clone());
        }
        for (stem, paths) in groups {
            if let Some(set) = self.complete_set(&stem, &paths, now, &mut events) {
                events.push(HotFolderEvent::Set(set));
            }
        }
        events
    }

    /// Whether files are still arriving or being checked (a set may complete soon).
    pub fn busy(&self) -> bool {
        let now = Instant::now();
        self.tracked.iter().any(|(path, t)| {
            let done = self.processed.get(&t.role.stem).is_some_and(|files| files.get(path) == Some(&t.fingerprint));
            let reported = self.reported.get(path) == Some(&t.fingerprint);
            !done
                && !reported
                && (!t.stable(now) || t.undecodable_since.is_some() || self.waits_for_other_side(&t.role.stem, now))
        })
    }

    fn waits_for_other_side(&self, stem: &str, now: Instant) -> bool {
        if !self.config.rule.has_sides() {
            return false;
        }
        let files: Vec<&Tracked> = self.tracked.values().filter(|t| t.role.stem == stem).collect();
        // Only a complete MRZ side waits for the other side; an incomplete one waits for the scanner.
        let mrz_side = files.iter().filter(|t| t.role.side == 0 && is_set_light(t.role.light)).count();
        let newest = files.iter().map(|t| t.since).max();
        mrz_side == SET_LIGHTS.len() && newest.is_some_and(|newest| now.duration_since(newest) < OTHER_SIDE_PATIENCE)
    }

    /// Waits up to `timeout` for something to report, looking often while files arrive.
    pub fn next_events(&mut self, timeout: Duration) -> Vec<HotFolderEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let events = self.look();
            if !events.is_empty() {
                return events;
            }
            let now = Instant::now();
            if now >= deadline {
                return events;
            }
            let pause = if self.busy() {
                BUSY_POLL
            } else if self.wake.is_some() {
                IDLE_POLL_WITH_EVENTS
            } else {
                IDLE_POLL_LISTING
            };
            let pause = pause.min(deadline - now);
            match &self.wake {
                Some((_, receiver)) => {
                    if receiver.recv_timeout(pause).is_ok() {
                        // Let a burst of events settle into one look.
                        while receiver.try_recv().is_ok() {}
                    }
                }
                None => std::thread::sleep(pause),
            }
        }
    }

    /// `--once`: hands over every complete set now in the folder (waiting while files are
    /// still being written, at most `limit`), then reports the sets left incomplete.
    pub fn drain(&mut self, limit: Duration) -> Vec<HotFolderEvent> {
        let started = Instant::now();
        let mut events = Vec::new();
        loop {
            events.extend(self.look());
            if !self.busy() || started.elapsed() >= limit {
                break;
            }
            std::thread::sleep(BUSY_POLL);
        }
        if let Ok((listings, _)) = sets_present(&self.config.folder, &self.config.rule) {
            for listing in
                listings.into_iter().filter(|l| !l.missing.is_empty() && !self.processed.contains_key(&l.stem))
            {
                events.push(HotFolderEvent::Problem(HotFolderProblem {
                    path: None,
                    message: format!("set {} is incomplete: {} missing", listing.stem, listing.missing.join(", ")),
                }));
            }
        }
        events
    }

    fn complete_set(
        &mut self,
        stem: &str,
        paths: &[PathBuf],
        now: Instant,
        events: &mut Vec<HotFolderEvent>,
    ) -> Option<CompleteSet> {
        let mut by_slot: BTreeMap<(usize, usize), PathBuf> = BTreeMap::new();
        for path in paths {
            let role = &self.tracked.get(path)?.role;
            by_slot.insert((role.side, light_index(role.light)), path.clone());
        }
        let mrz_side = by_slot.keys().filter(|(side, light)| *side == 0 && *light < SET_LIGHTS.len()).count();
        if mrz_side < SET_LIGHTS.len() {
            return None;
        }
        // A coaxial image joins the set when it has started to arrive by the time the set's
        // white, UV and IR images are written (so the set waits for it to be written, but
        // never for one that may not come); one already reported undecodable is left out.
        by_slot.retain(|(_, light), path| {
            *light < SET_LIGHTS.len()
                || self.reported.get(path).is_none_or(|f| self.tracked.get(path).map(|t| &t.fingerprint) != Some(f))
        });
        if !by_slot.values().all(|p| self.tracked.get(p).is_some_and(|t| t.stable(now))) {
            return None;
        }
        // A set handed over before comes again only once every MRZ-side image was rewritten
        // (a coaxial image arriving or rewritten alone does not bring it back).
        if let Some(done) = self.processed.get(stem) {
            let all_rewritten =
                by_slot.iter().filter(|((side, light), _)| *side == 0 && *light < SET_LIGHTS.len()).all(|(_, path)| {
                    done.get(path).is_none_or(|f| Some(f) != self.tracked.get(path).map(|t| &t.fingerprint))
                });
            if !all_rewritten {
                return None;
            }
        }
        if self.config.rule.has_sides() {
            let other = by_slot.keys().filter(|(side, light)| *side == 1 && *light < SET_LIGHTS.len()).count();
            let newest = by_slot.values().filter_map(|p| self.tracked.get(p)).map(|t| t.since).max()?;
            let quiet = now.duration_since(newest);
            let ready = match other {
                0 => quiet >= OTHER_SIDE_GRACE,
                n if n == SET_LIGHTS.len() => true,
                _ => quiet >= OTHER_SIDE_PATIENCE,
            };
            if !ready {
                return None;
            }
        }
        // Files already reported undecodable wait until they change.
        if by_slot
            .values()
            .any(|p| self.reported.get(p).is_some_and(|f| self.tracked.get(p).map(|t| &t.fingerprint) == Some(f)))
        {
            return None;
        }
        let mut files = Vec::new();
        let mut captures = Vec::new();
        let mut other_side = Vec::new();
        for ((side, light_index), path) in &by_slot {
            let light = NAMED_LIGHTS[*light_index];
            match import_file(path, light) {
                Ok(capture) => {
                    if let Some(tracked) = self.tracked.get_mut(path) {
                        tracked.undecodable_since = None;
                    }
                    if *side == 0 {
                        captures.push(capture)
                    } else {
                        other_side.push(capture)
                    }
                    files.push(SetFile { path: path.clone(), light, side: *side });
                }
                Err(ImportError::Io { .. }) => return None,
                Err(error) => {
                    let tracked = self.tracked.get_mut(path)?;
                    let since = *tracked.undecodable_since.get_or_insert(now);
                    if now.duration_since(since) >= UNDECODABLE_AFTER {
                        self.reported.insert(path.clone(), tracked.fingerprint);
                        tracked.undecodable_since = None;
                        let what_next = if light == Light::Coaxial {
                            "goes without this coaxial image"
                        } else {
                            "waits until this file is written again"
                        };
                        events.push(HotFolderEvent::Problem(HotFolderProblem {
                            path: Some(path.clone()),
                            message: format!("hot folder: {error}; set {stem} {what_next}"),
                        }));
                    }
                    return None;
                }
            }
        }
        let fingerprints =
            by_slot.values().filter_map(|p| Some((p.clone(), self.tracked.get(p)?.fingerprint))).collect();
        self.processed.insert(stem.to_owned(), fingerprints);
        if let AfterProcessing::MoveTo(target) = &self.config.after {
            let target = if target.is_absolute() { target.clone() } else { self.config.folder.join(target) };
            for file in &mut files {
                match move_into(&file.path, &target) {
                    Ok(moved) => file.path = moved,
                    Err(e) => events.push(HotFolderEvent::Problem(HotFolderProblem {
                        path: Some(file.path.clone()),
                        message: e.to_string(),
                    })),
                }
            }
        }
        for (side, side_captures) in [(0, &mut captures), (1, &mut other_side)] {
            for capture in side_captures.iter_mut() {
                if let Some(file) = files.iter().find(|f| f.side == side && f.light == capture.light) {
                    capture.source = tdverify_core::CaptureSource::File(file.path.clone());
                }
            }
        }
        Some(CompleteSet { stem: stem.to_owned(), files, captures, other_side })
    }
}

/// A hot folder watched on a background thread (the GUI): poll [`HotFolderWatch::try_next`]
/// each frame. Dropping it stops the thread within a quarter of a second.
pub struct HotFolderWatch {
    receiver: mpsc::Receiver<HotFolderEvent>,
    stop: Arc<AtomicBool>,
    folder: PathBuf,
}

impl HotFolderWatch {
    /// Starts watching on a thread; `wake` is called after each event is queued (the GUI
    /// passes a repaint request so the window notices at once).
    pub fn start(config: HotFolderConfig, wake: impl Fn() + Send + 'static) -> Result<HotFolderWatch, HotFolderError> {
        let folder = config.folder.clone();
        let mut hot_folder = HotFolder::open(config)?;
        let (sender, receiver) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("hot-folder".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    for event in hot_folder.next_events(Duration::from_millis(250)) {
                        if sender.send(event).is_err() {
                            return;
                        }
                        wake();
                    }
                }
            })
            .map_err(|source| HotFolderError::Io { action: "start watching", path: folder.clone(), source })?;
        Ok(HotFolderWatch { receiver, stop, folder })
    }

    /// The next event, if one is waiting.
    pub fn try_next(&self) -> Option<HotFolderEvent> {
        self.receiver.try_recv().ok()
    }

    /// The folder watched.
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

impl Drop for HotFolderWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn light_index(light: Light) -> usize {
    NAMED_LIGHTS.iter().position(|l| *l == light).unwrap_or(0)
}

/// Whether a set needs an image under `light` (white, UV and IR do; coaxial joins when there).
fn is_set_light(light: Light) -> bool {
    SET_LIGHTS.contains(&light)
}

fn file_name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn list_files(folder: &Path) -> Result<Vec<(PathBuf, Fingerprint)>, HotFolderError> {
    let io = |source| HotFolderError::Io { action: "list the hot folder", path: folder.to_path_buf(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let Ok(entry) = entry else { continue };
        // A file may vanish between listing and looking: it is simply not there.
        let Ok(metadata) = entry.metadata() else { continue };
        if metadata.is_file() {
            files.push((entry.path(), Fingerprint { size: metadata.len(), modified: metadata.modified().ok() }));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Moves `file` into `folder` under a free name; copies and removes across file systems.
fn move_into(file: &Path, folder: &Path) -> Result<PathBuf, HotFolderError> {
    fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> HotFolderError + 'a {
        move |source| HotFolderError::Io { action, path: path.to_path_buf(), source }
    }
    std::fs::create_dir_all(folder).map_err(io("create the move-to folder", folder))?;
    let name = file_name_of(file);
    let mut target = folder.join(&name);
    let mut counter = 1;
    while target.exists() {
        let stem = Path::new(&name).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let extension = Path::new(&name).extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
        target = folder.join(format!("{stem}-{counter}{extension}"));
        counter += 1;
    }
    if std::fs::rename(file, &target).is_err() {
        std::fs::copy(file, &target).map_err(io("copy", file))?;
        std::fs::remove_file(file).map_err(io("remove after copying", file))?;
    }
    Ok(target)
}

fn start_events(folder: &Path) -> Option<(notify::RecommendedWatcher, mpsc::Receiver<()>)> {
    use notify::Watcher;
    let (sender, receiver) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |_event: notify::Result<notify::Event>| {
        let _ = sender.send(());
    })
    .map_err(|e| tracing::warn!("hot folder: no file events ({e}); listing the folder instead"))
    .ok()?;
    watcher
        .watch(folder, notify::RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!("hot folder: no file events for {} ({e}); listing it instead", folder.display()))
        .ok()?;
    Some((watcher, receiver))
}

/// Whether `folder` is on a network file system, where file events do not arrive.
#[cfg(target_os = "linux")]
fn is_network_share(folder: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    const NETWORK_FILE_SYSTEMS: [u32; 6] = [
        0x6969,      // NFS
        0x517B,      // SMB
        0xFF53_4D42, // CIFS
        0xFE53_4D42, // SMB2
        0x6573_5546, // FUSE (sshfs and other user-space mounts)
        0x0102_1997, // 9P
    ];
    let Ok(path) = std::ffi::CString::new(folder.as_os_str().as_bytes()) else { return false };
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `path` is a NUL-terminated string and `stat` is written by statfs before it is read.
    let result = unsafe { libc::statfs(path.as_ptr(), stat.as_mut_ptr()) };
    if result != 0 {
        return false;
    }
    // SAFETY: statfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    NETWORK_FILE_SYSTEMS.contains(&(stat.f_type as u32))
}

/// Whether `folder` is on a network file system (other systems: assume events arrive).
#[cfg(not(target_os = "linux"))]
fn is_network_share(_folder: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse_and_name_their_files() {
        for preset in PRESETS {
            let rule = NamingRule::parse(preset.name).unwrap();
            assert_eq!(rule.pattern(), preset.pattern);
            assert_eq!(rule.preset(), Some(&preset));
            for side in 0..if rule.has_sides() { 2 } else { 1 } {
                let lights = if rule.names_coaxial() { &NAMED_LIGHTS[..] } else { &SET_LIGHTS[..] };
                for &light in lights {
                    let name = rule.file_name("scan 0001", light, side).unwrap();
                    assert_eq!(
                        rule.classify(&name),
                        Some(FileRole { stem: "scan 0001".into(), light, side }),
                        "{name}"
                    );
                }
            }
        }
    }

    #[test]
    fn presets_name_a_coaxial_image_where_the_scanner_style_fits() {
        let coaxial_names: Vec<Option<String>> =
            PRESETS.iter().map(|p| NamingRule::parse(p.name).unwrap().file_name("scan1", Light::Coaxial, 0)).collect();
        assert_eq!(
            coaxial_names,
            [Some("scan1_COAX.jpg".into()), None, Some("scan1.coaxial.png".into()), Some("scan1_B_COAX.jpg".into())]
        );
        let rule = NamingRule::parse("{stem}_{light:W|UV|IR|Coaxial}.tif").unwrap();
        assert!(rule.names_coaxial());
        assert_eq!(
            rule.classify("p7_COAXIAL.TIF"),
            Some(FileRole { stem: "p7".into(), light: Light::Coaxial, side: 0 })
        );
        let without = NamingRule::parse("{stem}_{light:W|UV|IR}.tif").unwrap();
        assert!(!without.names_coaxial());
        assert_eq!(without.classify("p7_COAXIAL.tif"), None);
        assert_eq!(without.file_name("p7", Light::Coaxial, 0), None);
        let default_words = NamingRule::parse("{stem}-{light}.png").unwrap();
        assert_eq!(default_words.classify("d-coaxial.png").map(|r| r.light), Some(Light::Coaxial));
        let five = NamingRule::parse("{stem}_{light:W|UV|IR|CX|X}.jpg").unwrap_err();
        assert!(five.to_string().contains("optionally a fourth for coaxial"), "{five}");
        let same = NamingRule::parse("{stem}_{light:W|UV|IR|ir}.jpg").unwrap_err();
        assert!(same.to_string().contains("twice"), "{same}");
    }

    #[test]
    fn names_match_ignoring_case_with_the_longest_stem() {
        let rule = NamingRule::parse("{stem}_{light:W|UV|IR}.jpg").unwrap();
        assert_eq!(rule.classify("a_b_UV.JPG"), Some(FileRole { stem: "a_b".into(), light: Light::Uv, side: 0 }));
        assert_eq!(rule.classify("doc_ir.jpg").map(|r| r.light), Some(Light::Ir));
        assert_eq!(rule.classify("doc_X.jpg"), None);
        assert_eq!(rule.classify("_W.jpg"), None, "a stem is never empty");
        assert_eq!(rule.classify("doc_W.jpg.part"), None);
        let cards = NamingRule::parse("card-sides").unwrap();
        assert_eq!(cards.classify("id7_F_IR.jpg"), Some(FileRole { stem: "id7".into(), light: Light::Ir, side: 1 }));
        assert_eq!(cards.classify("id7_B_W.jpg").map(|r| r.side), Some(0));
        let fixtures = NamingRule::parse("{stem}.{light}.png").unwrap();
        assert_eq!(fixtures.classify("0004-zza.white.png").map(|r| r.stem), Some("0004-zza".into()));
        let sides = NamingRule::parse("{side}/{stem}").unwrap_err();
        assert_eq!(sides, PatternError::PathSeparator);
    }

    #[test]
    fn bad_patterns_get_clear_errors() {
        let cases: [(&str, PatternError); 9] = [
            ("", PatternError::Empty),
            ("{stem}_{light.jpg", PatternError::Unclosed(8)),
            ("{stem}}_{light}", PatternError::StrayClose(7)),
            ("{stem}_{colour}.jpg", PatternError::UnknownPlaceholder("colour".into())),
            ("{stem}_{light}_{light}.jpg", PatternError::Repeated("light")),
            ("{light}.jpg", PatternError::Missing("stem")),
            ("{stem}.jpg", PatternError::Missing("light")),
            ("{stem}{light}.jpg", PatternError::Touching("stem", "light")),
            ("{stem}_{stem}_{light}", PatternError::Repeated("stem")),
        ];
        for (pattern, expected) in cases {
            assert_eq!(NamingRule::parse(pattern), Err(expected), "{pattern}");
        }
        let words = NamingRule::parse("{stem}_{light:W|UV}.jpg").unwrap_err();
        assert!(words.to_string().contains("three words"), "{words}");
        let twice = NamingRule::parse("{stem}_{light:W|w|IR}.jpg").unwrap_err();
        assert!(twice.to_string().contains("twice"), "{twice}");
        assert!(PatternError::Empty.to_string().contains("underscore"));
    }

    #[test]
    fn after_processing_parses() {
        assert_eq!(AfterProcessing::parse("keep").unwrap(), AfterProcessing::Keep);
        assert_eq!(AfterProcessing::parse("move:/srv/done").unwrap(), AfterProcessing::MoveTo("/srv/done".into()));
        assert_eq!(
            AfterProcessing::parse(&AfterProcessing::MoveTo("x y".into()).as_text()).unwrap(),
            AfterProcessing::MoveTo("x y".into())
        );
        assert!(AfterProcessing::parse("delete").is_err());
        assert!(AfterProcessing::parse("move:").is_err());
    }

    /// A noisy PNG (so it does not compress to nothing and takes a while to write).
    fn png_bytes(width: u32, height: u32, seed: u32) -> Vec<u8> {
        let mut state = seed | 1;
        let image = image::RgbImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            image::Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
            .expect("encode a PNG");
        bytes
    }

    fn write_set(folder: &Path, rule: &NamingRule, stem: &str, side: usize, seed: u32) {
        for (i, light) in SET_LIGHTS.into_iter().enumerate() {
            let name = rule.file_name(stem, light, side).expect("a file name");
            std::fs::write(folder.join(name), png_bytes(120, 80, seed + i as u32)).expect("write an image");
        }
    }

    /// Events until the first set, or everything seen within `limit`.
    fn events_until_set(folder: &mut HotFolder, limit: Duration) -> (Option<CompleteSet>, Vec<HotFolderProblem>) {
        let started = Instant::now();
        let mut problems = Vec::new();
        while started.elapsed() < limit {
            for event in folder.next_events(Duration::from_millis(100)) {
                match event {
                    HotFolderEvent::Set(set) => return (Some(set), problems),
                    HotFolderEvent::Problem(problem) => problems.push(problem),
                }
            }
        }
        (None, problems)
    }

    fn open(folder: &Path, pattern: &str) -> HotFolder {
        HotFolder::open(HotFolderConfig::new(folder, NamingRule::parse(pattern).expect("a rule")))
            .expect("open the folder")
    }

    #[test]
    fn a_complete_set_is_handed_over_decoded_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "dash-words");
        let rule = watcher.config().rule.clone();
        write_set(dir.path(), &rule, "doc 1", 0, 7);
        std::fs::write(dir.path().join("notes.txt"), "not an image the rule names").unwrap();
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(5));
        let set = set.expect("the set appears");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(set.stem, "doc 1");
        assert_eq!(set.file_names(), ["doc 1-white.png", "doc 1-uv.png", "doc 1-ir.png"]);
        assert_eq!(set.captures.iter().map(|c| c.light).collect::<Vec<_>>(), SET_LIGHTS);
        assert!(set.captures.iter().all(|c| c.image.width() == 120));
        assert!(set.other_side.is_empty());
        let (again, _) = events_until_set(&mut watcher, Duration::from_millis(800));
        assert!(again.is_none(), "a set is handed over once");
        assert!(dir.path().join("doc 1-ir.png").is_file(), "files are kept unless told otherwise");
    }

    #[test]
    fn files_written_slowly_in_chunks_are_not_taken_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "underscore");
        let rule = watcher.config().rule.clone();
        let folder = dir.path().to_path_buf();
        let writer = std::thread::spawn(move || {
            for (i, light) in SET_LIGHTS.into_iter().enumerate() {
                let bytes = png_bytes(400, 300, 40 + i as u32);
                let path = folder.join(rule.file_name("slow", light, 0).unwrap());
                let mut file = std::fs::File::create(&path).unwrap();
                for chunk in bytes.chunks(bytes.len() / 8 + 1) {
                    std::io::Write::write_all(&mut file, chunk).unwrap();
                    std::io::Write::flush(&mut file).unwrap();
                    std::thread::sleep(Duration::from_millis(60));
                }
            }
            Instant::now()
        });
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(10));
        let seen = Instant::now();
        let finished = writer.join().unwrap();
        let set = set.expect("the set appears once written");
        assert!(seen >= finished, "the set was taken before its last file was complete");
        assert!(problems.is_empty(), "half-written files are waited for, not reported: {problems:?}");
        assert!(set.captures.iter().all(|c| (c.image.width(), c.image.height()) == (400, 300)));
    }

    #[test]
    fn an_undecodable_file_is_reported_once_and_taken_when_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "dot-words");
        let rule = watcher.config().rule.clone();
        write_set(dir.path(), &rule, "bad", 0, 3);
        let broken = dir.path().join("bad.ir.png");
        std::fs::write(&broken, b"\x89PNG\r\n\x1a\n but the rest is not an image").unwrap();
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(3));
        assert!(set.is_none(), "a set with an undecodable file is not handed over");
        assert_eq!(problems.len(), 1, "reported once: {problems:?}");
        assert_eq!(problems[0].path.as_deref(), Some(broken.as_path()));
        assert!(problems[0].message.contains("not a readable image"), "{}", problems[0].message);
        std::fs::write(&broken, png_bytes(120, 80, 99)).unwrap();
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(5));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(set.expect("taken once rewritten").stem, "bad");
    }

    #[test]
    fn a_rewritten_set_is_handed_over_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "underscore");
        let rule = watcher.config().rule.clone();
        write_set(dir.path(), &rule, "again", 0, 1);
        assert!(events_until_set(&mut watcher, Duration::from_secs(5)).0.is_some());
        // One rewritten file is a scanner still at work, not a new set.
        std::fs::write(dir.path().join("again_W.jpg"), png_bytes(90, 60, 5)).unwrap();
        assert!(events_until_set(&mut watcher, Duration::from_millis(800)).0.is_none());
        for light in ["UV", "IR"] {
            std::fs::write(dir.path().join(format!("again_{light}.jpg")), png_bytes(90, 60, 6)).unwrap();
        }
        let set = events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("the rewritten set");
        assert!(set.captures.iter().all(|c| c.image.width() == 90));
    }

    #[test]
    fn sets_present_at_start_wait_for_process_existing() {
        let dir = tempfile::tempdir().unwrap();
        let rule = NamingRule::parse("underscore").unwrap();
        write_set(dir.path(), &rule, "old", 0, 2);
        let long_ago = SystemTime::now() - Duration::from_secs(600);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            std::fs::File::options().write(true).open(entry.unwrap().path()).unwrap().set_modified(long_ago).unwrap();
        }
        let mut watcher = open(dir.path(), "underscore");
        assert!(events_until_set(&mut watcher, Duration::from_millis(600)).0.is_none());
        let config = HotFolderConfig { process_existing: true, ..HotFolderConfig::new(dir.path(), rule) };
        let mut watcher = HotFolder::open(config).unwrap();
        assert_eq!(events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("processed").stem, "old");
    }

    #[test]
    fn a_card_waits_for_its_other_side_and_files_move_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let done = dir.path().join("done");
        let rule = NamingRule::parse("card-sides").unwrap();
        let config = HotFolderConfig {
            after: AfterProcessing::MoveTo(done.clone()),
            ..HotFolderConfig::new(dir.path(), rule.clone())
        };
        let mut watcher = HotFolder::open(config).unwrap();
        write_set(dir.path(), &rule, "card", 1, 10);
        write_set(dir.path(), &rule, "card", 0, 20);
        let set = events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("the card");
        assert_eq!(set.captures.len(), 3);
        assert_eq!(set.other_side.len(), 3);
        assert_eq!(set.file_names()[0], "card_B_W.jpg", "the MRZ side first");
        assert!(set.files.iter().all(|f| f.path.starts_with(&done) && f.path.is_file()), "{:?}", set.files);
        assert!(!dir.path().join("card_B_W.jpg").exists());
        let (listing, unnamed) = sets_present(dir.path(), &rule).unwrap();
        assert!(listing.is_empty() && unnamed == 0);
    }

    fn write_coaxial(folder: &Path, rule: &NamingRule, stem: &str, side: usize, seed: u32) -> PathBuf {
        let path = folder.join(rule.file_name(stem, Light::Coaxial, side).expect("a coaxial name"));
        std::fs::write(&path, png_bytes(120, 80, seed)).expect("write the coaxial image");
        path
    }

    #[test]
    fn a_coaxial_image_present_when_the_set_completes_joins_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "underscore");
        let rule = watcher.config().rule.clone();
        write_set(dir.path(), &rule, "pass", 0, 30);
        write_coaxial(dir.path(), &rule, "pass", 0, 34);
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(5));
        let set = set.expect("the set appears");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(set.file_names(), ["pass_W.jpg", "pass_UV.jpg", "pass_IR.jpg", "pass_COAX.jpg"]);
        assert_eq!(set.captures.iter().map(|c| c.light).collect::<Vec<_>>(), NAMED_LIGHTS);
        let coaxial_source = &set.captures[3].source;
        assert_eq!(coaxial_source, &tdverify_core::CaptureSource::File(dir.path().join("pass_COAX.jpg")));
    }

    #[test]
    fn a_set_without_a_coaxial_image_does_not_wait_for_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "underscore");
        let rule = watcher.config().rule.clone();
        assert!(rule.names_coaxial());
        write_set(dir.path(), &rule, "plain", 0, 50);
        let written = Instant::now();
        let set = events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("the set appears");
        let waited = written.elapsed();
        assert_eq!(set.captures.iter().map(|c| c.light).collect::<Vec<_>>(), SET_LIGHTS);
        // The stability wait (two looks STABLE_AFTER apart) and no more: well under a second.
        assert!(waited < Duration::from_millis(1500), "the set waited {waited:?} for a coaxial image");

        // A coaxial image arriving after the set was handed over does not bring the set back…
        write_coaxial(dir.path(), &rule, "plain", 0, 55);
        assert!(events_until_set(&mut watcher, Duration::from_millis(800)).0.is_none());
        // …and a rescan of the three lights comes again with the coaxial image now there.
        for (i, light) in SET_LIGHTS.into_iter().enumerate() {
            let name = rule.file_name("plain", light, 0).unwrap();
            std::fs::write(dir.path().join(name), png_bytes(90, 60, 60 + i as u32)).unwrap();
        }
        let again = events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("the rescanned set");
        assert_eq!(again.captures.iter().map(|c| c.light).collect::<Vec<_>>(), NAMED_LIGHTS);
        assert_eq!(again.captures[0].image.width(), 90);
    }

    #[test]
    fn an_undecodable_coaxial_image_is_reported_once_and_the_set_goes_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = open(dir.path(), "dot-words");
        let rule = watcher.config().rule.clone();
        write_set(dir.path(), &rule, "glossy", 0, 70);
        let broken = dir.path().join("glossy.coaxial.png");
        std::fs::write(&broken, b"\x89PNG\r\n\x1a\n cut short").unwrap();
        let (set, problems) = events_until_set(&mut watcher, Duration::from_secs(5));
        let set = set.expect("the set goes without its coaxial image");
        assert_eq!(set.captures.iter().map(|c| c.light).collect::<Vec<_>>(), SET_LIGHTS);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path.as_deref(), Some(broken.as_path()));
        assert!(problems[0].message.contains("goes without this coaxial image"), "{}", problems[0].message);
    }

    #[test]
    fn each_side_of_a_card_keeps_its_own_coaxial_image() {
        let dir = tempfile::tempdir().unwrap();
        let rule = NamingRule::parse("card-sides").unwrap();
        let mut watcher = HotFolder::open(HotFolderConfig::new(dir.path(), rule.clone())).unwrap();
        write_set(dir.path(), &rule, "id", 1, 80);
        let back = write_coaxial(dir.path(), &rule, "id", 1, 84);
        write_set(dir.path(), &rule, "id", 0, 90);
        let front = write_coaxial(dir.path(), &rule, "id", 0, 94);
        let set = events_until_set(&mut watcher, Duration::from_secs(5)).0.expect("the card");
        assert_eq!(set.captures.iter().map(|c| c.light).collect::<Vec<_>>(), NAMED_LIGHTS);
        assert_eq!(set.other_side.iter().map(|c| c.light).collect::<Vec<_>>(), NAMED_LIGHTS);
        assert_eq!(set.captures[3].source, tdverify_core::CaptureSource::File(front));
        assert_eq!(set.other_side[3].source, tdverify_core::CaptureSource::File(back));
        assert_eq!(set.files.len(), 8);
    }

    #[test]
    fn the_rule_test_lists_sets_and_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let rule = NamingRule::parse("underscore").unwrap();
        write_set(dir.path(), &rule, "full", 0, 1);
        std::fs::write(dir.path().join("half_W.jpg"), b"x").unwrap();
        std::fs::write(dir.path().join("readme.txt"), b"x").unwrap();
        let (listing, unnamed) = sets_present(dir.path(), &rule).unwrap();
        assert_eq!(unnamed, 1);
        assert_eq!(listing.len(), 2);
        assert_eq!(listing[0].stem, "full");
        assert!(listing[0].missing.is_empty());
        assert_eq!(listing[1].missing, ["half_UV.jpg", "half_IR.jpg"], "a coaxial image is never missing");
        assert!(matches!(
            HotFolder::open(HotFolderConfig::new(dir.path().join("nope"), rule)),
            Err(HotFolderError::NotAFolder(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_pattern_text_parses_or_fails_cleanly(text in "[{}a-z_|:./W-]{0,40}", name in "[a-zA-Z_.]{0,30}") {
            if let Ok(rule) = NamingRule::parse(&text) {
                let _ = rule.classify(&name);
            }
        }

        #[test]
        fn generated_names_classify_back(stem in "[A-Za-z0-9][A-Za-z0-9 _.-]{0,20}", light in 0usize..4, side in 0usize..2, preset in 0usize..4) {
            let rule = NamingRule::parse(PRESETS[preset].name).unwrap();
            let side = if rule.has_sides() { side } else { 0 };
            let light = if rule.names_coaxial() { NAMED_LIGHTS[light] } else { SET_LIGHTS[light % 3] };
            let name = rule.file_name(&stem, light, side).unwrap();
            let role = rule.classify(&name).unwrap();
            proptest::prop_assert_eq!(role.light, light);
            proptest::prop_assert_eq!(role.side, side);
            proptest::prop_assert_eq!(rule.file_name(&role.stem, role.light, role.side).unwrap(), name);
        }
    }
}
