//! Users tab: the accounts with their state, a form to create one, and per account the
//! changes the CLI's `tdverify users` makes (the same store calls).

use eframe::egui;

use super::{labelled_field, show_message};
use crate::i18n::Translator;
use crate::store::{Role, Session, Store, UserInfo};

/// Accounts, the new-user form and the per-user changes.
#[derive(Default)]
pub struct UsersTab {
    /// The accounts as last read, and for whom they were read.
    users: Option<(String, Vec<UserInfo>)>,
    /// New user's login name.
    pub new_name: String,
    /// New user's role.
    pub new_role: Option<Role>,
    /// New user's password.
    pub new_password: String,
    /// The same password again.
    pub new_password_again: String,
    /// The account whose password is being reset, with the new password twice.
    pub reset: Option<(String, String, String)>,
    /// The last action's outcome.
    pub message: Option<Result<String, String>>,
}

/// Words for a role in the user's language.
pub(crate) fn role_label(tr: &Translator, role: Role) -> String {
    tr.tr(&format!("admin-role-{}", role.as_str()))
}

impl UsersTab {
    /// Forgets the list so it is read again (after a change).
    fn reload(&mut self) {
        self.users = None;
    }

    pub(super) fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store, session: &Session) {
        if self.users.as_ref().is_none_or(|(reader, _)| reader != session.username()) {
            match store.list_users(session) {
                Ok(users) => self.users = Some((session.username().to_string(), users)),
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                    return;
                }
            }
        }
        let users = self.users.as_ref().map(|(_, users)| users.clone()).unwrap_or_default();
        let mut outcome: Option<Result<String, String>> = None;
        egui::Grid::new("admin-users").striped(true).num_columns(6).spacing([14.0, 6.0]).show(ui, |ui| {
            for id in
                ["admin-user-name", "admin-user-role", "admin-user-state", "admin-user-lock", "admin-user-last-login"]
            {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
            }
            ui.label("");
            ui.end_row();
            for user in &users {
                ui.label(&user.username);
                let mut role = user.role;
                egui::ComboBox::from_id_salt(("admin-user-role", &user.username))
                    .selected_text(role_label(tr, role))
                    .show_ui(ui, |ui| {
                        for candidate in Role::ALL {
                            ui.selectable_value(&mut role, candidate, role_label(tr, candidate));
                        }
                    })
                    .response
                    .on_hover_text(tr.tr_args("admin-user-role-of", &[("user", user.username.clone())]));
                if role != user.role {
                    outcome = Some(
                        store
                            .update_user(session, &user.username, Some(role), None, false)
                            .map(|()| {
                                tr.tr_args(
                                    "admin-user-role-changed",
                                    &[("user", user.username.clone()), ("role", role_label(tr, role))],
                                )
                            })
                            .map_err(|e| e.to_string()),
                    );
                }
                ui.label(tr.tr(if user.active { "admin-user-active" } else { "admin-user-disabled" }));
                match &user.locked_until {
                    Some(until) => ui.colored_label(
                        ui.visuals().warn_fg_color,
                        tr.tr_args("admin-user-locked", &[("until", until.clone())]),
                    ),
                    None => ui.label(""),
                };
                ui.label(user.last_login.clone().unwrap_or_else(|| tr.tr("admin-user-never")));
                ui.horizontal(|ui| {
                    let (toggle_id, active) =
                        if user.active { ("admin-user-disable", false) } else { ("admin-user-enable", true) };
                    if ui.button(tr.tr(toggle_id)).on_hover_text(user.username.clone()).clicked() {
                        outcome = Some(
                            store
                                .update_user(session, &user.username, None, Some(active), false)
                                .map(|()| tr.tr_args(&format!("{toggle_id}-done"), &[("user", user.username.clone())]))
                                .map_err(|e| e.to_string()),
                        );
                    }
                    if user.locked_until.is_some() && ui.button(tr.tr("admin-user-unlock")).clicked() {
                        outcome = Some(
                            store
                                .update_user(session, &user.username, None, None, true)
                                .map(|()| tr.tr_args("admin-user-unlocked", &[("user", user.username.clone())]))
                                .map_err(|e| e.to_string()),
                        );
                    }
                    if ui.button(tr.tr("admin-user-reset")).clicked() {
                        self.reset = Some((user.username.clone(), String::new(), String::new()));
                    }
                });
                ui.end_row();
            }
        });
        if let Some((name, first, second)) = &mut self.reset {
            ui.add_space(8.0);
            ui.label(egui::RichText::new(tr.tr_args("admin-user-reset-title", &[("user", name.clone())])).strong());
            labelled_field(ui, &tr.tr("admin-user-new-password"), first, 240.0, true);
            labelled_field(ui, &tr.tr("admin-user-password-again"), second, 240.0, true);
            let mut close = false;
            ui.horizontal(|ui| {
                if ui.button(tr.tr("admin-user-reset-save")).clicked() {
                    outcome = Some(if first != second {
                        Err(tr.tr("admin-user-passwords-differ"))
                    } else {
                        store
                            .reset_password(session, name, first)
                            .map(|()| tr.tr_args("admin-user-reset-done", &[("user", name.clone())]))
                            .map_err(|e| e.to_string())
                    });
                    close = outcome.as_ref().is_some_and(Result::is_ok);
                }
                if ui.button(tr.tr("admin-cancel")).clicked() {
                    close = true;
                }
            });
            if close {
                self.reset = None;
            }
        }
        ui.add_space(12.0);
        ui.label(egui::RichText::new(tr.tr("admin-user-create-title")).strong());
        egui::Grid::new("admin-new-user").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let label = ui.label(tr.tr("admin-user-new-name"));
            ui.add(egui::TextEdit::singleline(&mut self.new_name).desired_width(240.0)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("admin-user-new-role"));
            let role = self.new_role.get_or_insert(Role::Officer);
            egui::ComboBox::from_id_salt("admin-new-user-role")
                .selected_text(role_label(tr, *role))
                .show_ui(ui, |ui| {
                    for candidate in Role::ALL {
                        ui.selectable_value(role, candidate, role_label(tr, candidate));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            for (id, value) in [
                ("admin-user-new-password", &mut self.new_password),
                ("admin-user-password-again", &mut self.new_password_again),
            ] {
                let label = ui.label(tr.tr(id));
                ui.add(egui::TextEdit::singleline(value).password(true).desired_width(240.0)).labelled_by(label.id);
                ui.end_row();
            }
        });
        ui.label(
            egui::RichText::new(
                tr.tr_args("admin-user-password-rule", &[("chars", crate::store::MIN_PASSWORD_CHARS.to_string())]),
            )
            .weak(),
        );
        let ready = !self.new_name.trim().is_empty() && !self.new_password.is_empty();
        if ui.add_enabled(ready, egui::Button::new(tr.tr("admin-user-create"))).clicked() {
            let role = self.new_role.unwrap_or(Role::Officer);
            let name = self.new_name.trim().to_string();
            outcome = Some(if self.new_password != self.new_password_again {
                Err(tr.tr("admin-user-passwords-differ"))
            } else {
                store
                    .create_user(session, &name, &self.new_password, role)
                    .map(|()| {
                        tr.tr_args("admin-user-created", &[("user", name.clone()), ("role", role_label(tr, role))])
                    })
                    .map_err(|e| e.to_string())
            });
            if outcome.as_ref().is_some_and(Result::is_ok) {
                self.new_name.clear();
                self.new_password.clear();
                self.new_password_again.clear();
            }
        }
        if let Some(outcome) = outcome {
            self.message = Some(outcome);
            self.reload();
        }
        show_message(ui, &self.message);
    }
}
