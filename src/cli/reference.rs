//! `tdverify reference …`: the document templates the station checks against. `list`
//! shows the bundled and the imported ones, `validate` checks a template pack whole and
//! lists every problem, `import` installs a valid pack as an administrator (`--user`,
//! password in `TDVERIFY_PASSWORD`), audited, as the Administration screen does;
//! `versions` lists the earlier versions of an imported template that packs replaced,
//! and `restore` puts one back in use.

use std::path::PathBuf;
use std::process::ExitCode;

use tdverify::reference_station::{ReferenceImportError, imported_library_dir, reference_rows};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};

/// `tdverify reference`.
#[derive(Debug, clap::Args)]
pub struct ReferenceArgs {
    #[command(subcommand)]
    command: ReferenceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ReferenceCommand {
    /// List the templates: key, document, country, first issued, bundled or imported.
    List {
        /// Print JSON: `{templates: [{key, document, country, first_issued, imported}], problems}`.
        #[arg(long)]
        json: bool,
    },
    /// Check a template pack (a folder of `<ISSUER>/<document>/template.toml`) without installing it.
    Validate {
        /// The pack folder.
        pack: PathBuf,
    },
    /// Install a template pack (validated whole first); a template replaces the one of the same key,
    /// which is kept as an earlier version.
    Import {
        /// The pack folder.
        pack: PathBuf,
        /// The administrator installing it (password in TDVERIFY_PASSWORD).
        #[arg(long = "user", value_name = "NAME")]
        admin: Option<String>,
    },
    /// The earlier versions of an imported template, newest first, by revision.
    Versions {
        /// The template key, e.g. UTO/passport.
        key: String,
        /// Print JSON: `[{revision, replaced_at}]`.
        #[arg(long)]
        json: bool,
    },
    /// Put an earlier version of an imported template back in use (the one in use is kept).
    Restore {
        /// The template key, e.g. UTO/passport.
        key: String,
        /// The revision (see `reference versions KEY`).
        revision: String,
        /// The administrator doing it (password in TDVERIFY_PASSWORD).
        #[arg(long = "user", value_name = "NAME")]
        admin: Option<String>,
    },
}

/// Runs `tdverify reference …`.
pub fn run(context: &Context, args: ReferenceArgs) -> ExitCode {
    finish(match args.command {
        ReferenceCommand::List { json } => list(context, json),
        ReferenceCommand::Validate { pack } => validate(&pack).map(|keys| {
            println!("{}: valid, {} template(s): {}", pack.display(), keys.len(), keys.join(", "));
        }),
        ReferenceCommand::Import { pack, admin } => import(context, &pack, admin.as_deref()),
        ReferenceCommand::Versions { key, json } => versions(context, &key, json),
        ReferenceCommand::Restore { key, revision, admin } => restore(context, &key, &revision, admin.as_deref()),
    })
}

fn list(context: &Context, json: bool) -> Result<(), Failure> {
    let (rows, problems) =
        reference_rows(&context.resources.reference_library, &imported_library_dir(&context.data_dir));
    if json {
        return print_json(&serde_json::json!({ "templates": rows, "problems": problems }));
    }
    for row in &rows {
        println!(
            "{:<24} {:<28} {:<4} {:<6} {:<12} {}",
            row.key,
            row.document,
            row.country,
            row.first_issued.map(|y| y.to_string()).unwrap_or_else(|| "-".into()),
            row.revision,
            if row.imported { "imported (used)" } else { "bundled" }
        );
    }
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(())
}

fn validate(pack: &std::path::Path) -> Result<Vec<String>, Failure> {
    tdverify::reference_station::validate(pack).map_err(|problems| {
        Failure::input(format!("{}: {} problem(s):\n  {}", pack.display(), problems.len(), problems.join("\n  ")))
    })
}

fn import(context: &Context, pack: &std::path::Path, admin: Option<&str>) -> Result<(), Failure> {
    let Some(admin) = admin else {
        return Err(Failure::input("say who installs the pack: --user ADMIN (password in TDVERIFY_PASSWORD)"));
    };
    // Validated before anyone logs in, so a broken pack costs no password.
    validate(pack)?;
    let store = open_store(&context.data_dir)?;
    let session = super::export::admin_session(&store, admin)?;
    match tdverify::reference_station::import_pack(&store, &session, &context.data_dir, pack) {
        Ok(report) => {
            let named =
                |keys: &[String]| if keys.is_empty() { String::new() } else { format!(" ({})", keys.join(", ")) };
            println!(
                "installed {}: {} added{}, {} replaced{}; inspections use them from now on",
                pack.display(),
                report.added.len(),
                named(&report.added),
                report.replaced.len(),
                named(&report.replaced)
            );
            Ok(())
        }
        Err(e) => Err(import_failure(e)),
    }
}

fn import_failure(error: ReferenceImportError) -> Failure {
    match error {
        ReferenceImportError::Store(e) => e.into(),
        ReferenceImportError::Pack(e) => {
            Failure::input(format!("not installed:\n  {}", tdverify::reference_station::pack_problems(e).join("\n  ")))
        }
        e @ ReferenceImportError::NoSuchVersion { .. } => Failure::input(e.to_string()),
        e @ (ReferenceImportError::NotAudited(_) | ReferenceImportError::History { .. }) => {
            Failure::failed(e.to_string())
        }
    }
}

fn versions(context: &Context, key: &str, json: bool) -> Result<(), Failure> {
    let versions = tdverify::reference_station::template_versions(&context.data_dir, key);
    if json {
        return print_json(&versions);
    }
    if versions.is_empty() {
        println!("no earlier version of {key}: none was replaced by a pack");
    }
    for version in &versions {
        println!("{}  replaced {}", version.revision, version.replaced_at);
    }
    Ok(())
}

fn restore(context: &Context, key: &str, revision: &str, admin: Option<&str>) -> Result<(), Failure> {
    let Some(admin) = admin else {
        return Err(Failure::input("say who restores it: --user ADMIN (password in TDVERIFY_PASSWORD)"));
    };
    let store = open_store(&context.data_dir)?;
    let session = super::export::admin_session(&store, admin)?;
    tdverify::reference_station::restore_version(&store, &session, &context.data_dir, key, revision)
        .map_err(import_failure)?;
    println!("{key} revision {revision} is in use again; the version it replaced is kept");
    Ok(())
}
