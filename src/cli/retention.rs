//! `tdverify retention …`: how long the case store keeps cases. `show` gives the period
//! and how many cases are past it; `set` changes it (an administrator, `--user`,
//! password in `TDVERIFY_PASSWORD`), and when the new period would destroy cases it
//! says how many and asks for `--yes` first, because every opening of the store purges
//! the expired cases; `purge` destroys the expired cases now. All of it is audited by
//! the store.

use std::process::ExitCode;

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};

/// `tdverify retention`.
#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    command: RetentionCommand,
    /// The administrator doing it (password in TDVERIFY_PASSWORD).
    #[arg(long = "user", value_name = "NAME", global = true)]
    admin: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum RetentionCommand {
    /// The retention period and how many cases are past it.
    Show {
        /// Print JSON: `{retention_days, expired_cases}` (`retention_days` null: kept until deleted).
        #[arg(long)]
        json: bool,
    },
    /// Set the period: a number of days, or `keep` to keep cases until they are deleted.
    Set {
        /// Days (1 to 36500) or `keep`.
        period: String,
        /// Confirm a period that destroys cases (the command says how many first).
        #[arg(long)]
        yes: bool,
    },
    /// Destroy the cases past the period now (keys and rows overwritten; audited per case).
    Purge,
}

/// The longest period accepted, as on the Administration screen (100 years).
const MAX_DAYS: u32 = 36_500;

fn parse_period(text: &str) -> Result<Option<u32>, Failure> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("keep") {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(Failure::input(format!(
            "retention period {text:?}: give a number of days from 1 to {MAX_DAYS}, or keep"
        ))),
    }
}

/// Runs `tdverify retention …`.
pub fn run(context: &Context, args: RetentionArgs) -> ExitCode {
    finish((|| {
        let Some(admin) = args.admin.as_deref() else {
            return Err(Failure::input("--user NAME is needed: an administrator manages retention"));
        };
        // Checked before the store is opened so a typo costs no password.
        let period = match &args.command {
            RetentionCommand::Set { period, .. } => Some(parse_period(period)?),
            _ => None,
        };
        let store = open_store(&context.data_dir)?;
        let session = super::export::admin_session(&store, admin)?;
        match args.command {
            RetentionCommand::Show { json } => {
                let days = store.retention_days()?;
                let expired = store.expired_case_count(&session)?;
                if json {
                    return print_json(&serde_json::json!({ "retention_days": days, "expired_cases": expired }));
                }
                match days {
                    Some(days) => println!("cases are kept {days} days; {expired} case(s) past it"),
                    None => println!("cases are kept until they are deleted (no retention period)"),
                }
            }
            RetentionCommand::Set { yes, .. } => {
                let days = period.flatten();
                let doomed = match days {
                    Some(days) => store.cases_older_than(&session, days)?,
                    None => 0,
                };
                if doomed > 0 && !yes {
                    return Err(Failure::input(format!(
                        "{doomed} case(s) are older than {} days and would be destroyed the next time the store \
                         opens; nothing changed. Run again with --yes to set the period",
                        days.unwrap_or_default()
                    )));
                }
                store.set_retention_days(&session, days)?;
                match days {
                    Some(days) if doomed > 0 => {
                        let purged = store.purge_expired(&session)?.purged;
                        println!("cases are now kept {days} days; {purged} older case(s) destroyed");
                    }
                    Some(days) => println!("cases are now kept {days} days; none is older"),
                    None => println!("cases are now kept until they are deleted"),
                }
            }
            RetentionCommand::Purge => {
                let purged = store.purge_expired(&session)?.purged;
                println!("{purged} expired case(s) destroyed");
            }
        }
        Ok(())
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_in_range_or_keep() {
        assert_eq!(parse_period("30").ok(), Some(Some(30)));
        assert_eq!(parse_period(" KEEP ").ok(), Some(None));
        for bad in ["0", "-3", "36501", "a year", "", "1.5"] {
            let failure = parse_period(bad).err().map(|f| (f.code, f.message));
            assert!(matches!(failure, Some((2, ref m)) if m.contains("1 to 36500")), "{bad:?}: {failure:?}");
        }
    }
}
