//! `tdverify users …`: accounts, for an administrator (`--user NAME`, password in
//! `TDVERIFY_PASSWORD`; `--admin NAME` is the older spelling). A new or reset password
//! comes from `TDVERIFY_NEW_PASSWORD` or is typed at the prompt, never on the command line.
//! Every change is audited by the store.

use std::process::ExitCode;

use tdverify::store::Role;

use super::Context;
use super::cases::{Failure, finish, open_store, print_json, secret_from_env_or_prompt};

/// Environment variable holding a new user's password for `users add` and `reset-password`.
const NEW_PASSWORD_VAR: &str = "TDVERIFY_NEW_PASSWORD";

/// `tdverify users`: accounts (administrator).
#[derive(Debug, clap::Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
    /// The administrator doing it (password in TDVERIFY_PASSWORD).
    #[arg(long = "user", visible_alias = "admin", value_name = "NAME", global = true)]
    admin: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum UsersCommand {
    /// Create an account (its password from TDVERIFY_NEW_PASSWORD or the terminal).
    Add {
        /// The new user's login name.
        name: String,
        /// officer, expert, trainer, supervisor, auditor or admin.
        #[arg(long)]
        role: String,
    },
    /// List accounts: name, role, active or disabled, last login, lock.
    List {
        /// Print JSON: `[{username, role, active, failed_logins, locked_until, last_login}]`.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: its user can no longer log in (cases and audit entries stay).
    Disable {
        /// The login name.
        name: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The login name.
        name: String,
    },
    /// Lift a lock left by wrong passwords.
    Unlock {
        /// The login name.
        name: String,
    },
    /// Set a new password for a user who forgot theirs (from TDVERIFY_NEW_PASSWORD or the terminal).
    ResetPassword {
        /// The login name.
        name: String,
    },
    /// Change a user's role.
    Role {
        /// The login name.
        name: String,
        /// officer, expert, trainer, supervisor, auditor or admin.
        role: String,
    },
}

fn parse_role(text: &str) -> Result<Role, Failure> {
    Role::parse(text.trim()).ok_or_else(|| {
        Failure::input(format!("role {text:?}: use officer, expert, trainer, supervisor, auditor or admin"))
    })
}

fn new_password(name: &str) -> Result<String, Failure> {
    secret_from_env_or_prompt(NEW_PASSWORD_VAR, &format!("New password for {}: ", name.trim()), "the new password")
}

/// Runs `tdverify users …`.
pub fn run(context: &Context, args: UsersArgs) -> ExitCode {
    finish((|| {
        let Some(admin) = args.admin.as_deref() else {
            return Err(Failure::input("--user NAME is needed: an administrator manages accounts"));
        };
        // Checked before the store is opened so a typo in the role costs no password.
        let role = match &args.command {
            UsersCommand::Add { role, .. } | UsersCommand::Role { role, .. } => Some(parse_role(role)?),
            _ => None,
        };
        let store = open_store(&context.data_dir)?;
        let session = super::export::admin_session(&store, admin)?;
        match args.command {
            UsersCommand::Add { name, .. } => {
                let role = role.ok_or_else(|| Failure::input("--role is needed"))?;
                let password = new_password(&name)?;
                store.create_user(&session, &name, &password, role)?;
                println!("User {} created with role {}", name.trim(), role.as_str());
            }
            UsersCommand::List { json } => {
                let users = store.list_users(&session)?;
                if json {
                    return print_json(&users);
                }
                for user in &users {
                    let lock =
                        user.locked_until.as_deref().map(|until| format!(", locked until {until}")).unwrap_or_default();
                    let last_login = user.last_login.as_deref().unwrap_or("never");
                    println!(
                        "{:<24} {:<11} {:<8} last login {last_login}{lock}",
                        user.username,
                        user.role.as_str(),
                        if user.active { "active" } else { "disabled" }
                    );
                }
            }
            UsersCommand::Disable { name } => {
                store.update_user(&session, name.trim(), None, Some(false), false)?;
                println!("User {} disabled", name.trim());
            }
            UsersCommand::Enable { name } => {
                store.update_user(&session, name.trim(), None, Some(true), false)?;
                println!("User {} enabled", name.trim());
            }
            UsersCommand::Unlock { name } => {
                store.update_user(&session, name.trim(), None, None, true)?;
                println!("User {} unlocked", name.trim());
            }
            UsersCommand::ResetPassword { name } => {
                let password = new_password(&name)?;
                store.reset_password(&session, name.trim(), &password)?;
                println!("Password of {} reset", name.trim());
            }
            UsersCommand::Role { name, .. } => {
                let role = role.ok_or_else(|| Failure::input("the role is needed"))?;
                store.update_user(&session, name.trim(), Some(role), None, false)?;
                println!("User {} now has role {}", name.trim(), role.as_str());
            }
        }
        Ok(())
    })())
}
