//! `tdverify watch`: the scanner hot folder from the command line. Inspects each complete
//! set as `inspect` does (same engines, same JSON, plus `set`), and lets an administrator
//! point the station at the folder (`--configure`, audited in the store) or show it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tdverify::capture::hot_folder::{
    AfterProcessing, CompleteSet, HotFolder, HotFolderConfig, HotFolderEvent, NamingRule, PRESETS,
    configured_hot_folder,
};
use tdverify::engines::LoadedEngines;
use tdverify::inspect::{InspectInput, run};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};

/// Longest `--once` waits for files still being written.
const ONCE_LIMIT: Duration = Duration::from_secs(60);

/// `tdverify watch`: inspect the scanner's complete sets as they arrive.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The folder to watch (default: the one the administrator configured).
    #[arg(value_name = "FOLDER", conflicts_with_all = ["configure", "show"])]
    folder: Option<PathBuf>,
    /// Inspect the complete sets present now, then exit.
    #[arg(long)]
    once: bool,
    /// Naming rule: a preset (underscore, dash-words, dot-words, card-sides) or a pattern
    /// such as `{stem}_{light:W|UV|IR}.jpg` (with `{side:B|F}` for cards, MRZ side first).
    #[arg(long, value_name = "P")]
    pattern: Option<String>,
    /// After a set is inspected: keep its files (default) or move them (`move:DIR`).
    #[arg(long, value_name = "keep|move:DIR")]
    after: Option<String>,
    /// Also inspect the sets already in the folder when watching starts (always with --once).
    #[arg(long)]
    existing: bool,
    /// Print one JSON line per set: `set` (the file names), `stem`, then what `inspect --json` prints.
    #[arg(long)]
    json: bool,
    /// Administrator: make FOLDER the station's hot folder (with --pattern, --after, --existing).
    #[arg(long, value_name = "FOLDER", requires = "user")]
    configure: Option<PathBuf>,
    /// Administrator: stop watching a hot folder.
    #[arg(long, requires = "user", conflicts_with_all = ["configure", "show"])]
    unset: bool,
    /// Print the station's hot folder setting.
    #[arg(long)]
    show: bool,
    /// The administrator (password in TDVERIFY_PASSWORD).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
}

/// Runs `tdverify watch`.
pub fn run_command(context: &Context, args: WatchArgs) -> ExitCode {
    if let Some(folder) = &args.configure {
        return finish(configure(context, &args, folder));
    }
    if args.unset {
        return finish(unset(context, &args));
    }
    if args.show {
        return finish(show(context, args.json));
    }
    finish(watch(context, &args))
}

fn configure(context: &Context, args: &WatchArgs, folder: &Path) -> Result<(), Failure> {
    let pattern = args.pattern.as_deref().unwrap_or(PRESETS[0].name);
    let rule = NamingRule::parse(pattern).map_err(|e| Failure::input(format!("--pattern: {e}")))?;
    let after =
        AfterProcessing::parse(args.after.as_deref().unwrap_or("keep")).map_err(|e| Failure::input(e.to_string()))?;
    let folder =
        std::path::absolute(folder).map_err(|e| Failure::input(format!("--configure {}: {e}", folder.display())))?;
    if !folder.is_dir() {
        return Err(Failure::input(format!("--configure {}: not a folder; create it first", folder.display())));
    }
    let config = HotFolderConfig { after, process_existing: args.existing, ..HotFolderConfig::new(folder, rule) };
    let store = open_store(&context.data_dir)?;
    let session = super::export::admin_session(&store, args.user.as_deref().unwrap_or_default())?;
    let setting = config.to_setting();
    store.set_hot_folder(&session, Some(&setting))?;
    println!("Hot folder set: {}", setting.describe());
    Ok(())
}

fn unset(context: &Context, args: &WatchArgs) -> Result<(), Failure> {
    let store = open_store(&context.data_dir)?;
    let session = super::export::admin_session(&store, args.user.as_deref().unwrap_or_default())?;
    store.set_hot_folder(&session, None)?;
    println!("No hot folder is watched any more");
    Ok(())
}

fn show(context: &Context, json: bool) -> Result<(), Failure> {
    let setting = tdverify::store::Store::hot_folder_in(&context.data_dir)?;
    if json {
        return print_json(&setting);
    }
    match setting {
        Some(setting) => println!("{}", setting.describe()),
        None => {
            println!("No hot folder configured (an administrator sets one with `tdverify watch --configure FOLDER`)")
        }
    }
    Ok(())
}

fn watch(context: &Context, args: &WatchArgs) -> Result<(), Failure> {
    let configured = configured_hot_folder(&context.data_dir).map_err(|e| Failure::failed(e.to_string()))?;
    let mut config = match (&args.folder, configured) {
        // A folder given by hand keeps its files unless --after says otherwise.
        (Some(folder), configured) => match configured {
            Some(configured) => HotFolderConfig::new(folder.clone(), configured.rule),
            None => HotFolderConfig::new(
                folder.clone(),
                NamingRule::parse(PRESETS[0].name).map_err(|e| Failure::failed(e.to_string()))?,
            ),
        },
        (None, Some(configured)) => configured,
        (None, None) => {
            return Err(Failure::input(
                "give the FOLDER to watch, or have an administrator configure one \
                 (`tdverify watch --configure FOLDER --pattern P --user ADMIN`)",
            ));
        }
    };
    if let Some(pattern) = &args.pattern {
        config.rule = NamingRule::parse(pattern).map_err(|e| Failure::input(format!("--pattern: {e}")))?;
    }
    if let Some(after) = &args.after {
        config.after = AfterProcessing::parse(after).map_err(|e| Failure::input(e.to_string()))?;
    }
    config.process_existing |= args.existing || args.once;
    let mut hot_folder = HotFolder::open(config).map_err(|e| Failure::input(e.to_string()))?;
    let mut loaded = LoadedEngines::load_for_station(&context.resources, &context.data_dir);
    loaded.load_hotlist(&context.data_dir);
    for (what, problem) in [("MRZ reader", loaded.ocr.as_ref().err()), ("face comparison", loaded.face.as_ref().err())]
    {
        if let Some(problem) = problem {
            eprintln!("tdverify watch: {what} unavailable: {problem}");
        }
    }
    if args.once {
        for event in hot_folder.drain(ONCE_LIMIT) {
            handle(event, &loaded, args.json)?;
        }
        return Ok(());
    }
    eprintln!(
        "tdverify watch: watching {} for {} ({}); Ctrl-C to stop",
        hot_folder.config().folder.display(),
        hot_folder.config().rule,
        if hot_folder.uses_events() { "file events" } else { "listing the folder" }
    );
    let stop = stop_when_stdin_closes();
    while !stop.load(Ordering::Relaxed) {
        for event in hot_folder.next_events(Duration::from_millis(250)) {
            handle(event, &loaded, args.json)?;
        }
    }
    Ok(())
}

/// Inspects a set (or reports a problem on standard error).
fn handle(event: HotFolderEvent, loaded: &LoadedEngines, json: bool) -> Result<(), Failure> {
    let set = match event {
        HotFolderEvent::Set(set) => set,
        HotFolderEvent::Problem(problem) => {
            eprintln!("tdverify watch: {}", problem.message);
            return Ok(());
        }
    };
    let names = set.file_names();
    let inspection = inspect_set(set, loaded);
    if json {
        let mut value = super::inspect::inspection_json(&inspection);
        value["set"] = serde_json::json!(names);
        let text = serde_json::to_string(&value).map_err(|e| Failure::failed(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        println!("Set: {}", names.join(", "));
        print!("{}", super::inspect::render_text(&inspection));
        println!();
    }
    Ok(())
}

/// The same inspection `tdverify inspect` runs, on the set's decoded images.
fn inspect_set(set: CompleteSet, loaded: &LoadedEngines) -> tdverify::inspect::Inspection {
    let input = InspectInput {
        captures: set.captures,
        other_side: set.other_side,
        bearer: None,
        typed_mrz: None,
        officer_mrz_fixes: Vec::new(),
        chip: None,
        inspection_date: tdverify::clock::today_utc(),
    };
    run(&input, &loaded.engines(), &|_, _| {})
}

/// A flag raised when standard input reaches its end (a supervising script closed it).
/// A terminal or /dev/null is not watched: there only Ctrl-C stops.
fn stop_when_stdin_closes() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let stdin = std::io::stdin();
    if stdin.is_terminal() || stdin_is_null() {
        return stop;
    }
    let raised = Arc::clone(&stop);
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        raised.store(true, Ordering::Relaxed);
    });
    stop
}

#[cfg(unix)]
fn stdin_is_null() -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata("/dev/stdin").is_ok_and(|m| m.file_type().is_char_device())
}

#[cfg(not(unix))]
fn stdin_is_null() -> bool {
    false
}
