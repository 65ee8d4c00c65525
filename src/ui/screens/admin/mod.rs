//! The Administration screen: one tab per thing an administrator looks after (users,
//! retention, CSCAs, reference templates, trusted keys, the station) and the audit log for
//! the auditor. Each tab is a plain struct with its form fields; what a role may not do is
//! not shown. Every change goes through a store call that checks the permission and
//! writes the audit entry in the same transaction (CSCA and template files through
//! `Store::record_csca_change` / `record_reference_import` after the files are written).

mod audit;
mod csca;
mod keys;
mod reference;
mod retention;
mod station;
mod users;

use eframe::egui;

pub use audit::AuditTab;
pub use csca::{CscaRow, CscaTab, remove_csca_certificate};
pub use keys::KeysTab;
pub use reference::ReferenceTab;
pub use retention::RetentionTab;
pub use station::StationTab;
pub use users::UsersTab;

use crate::i18n::Translator;
use crate::resources::Resources;
use crate::settings::Settings;
use crate::store::{Permission, Session, Store};

/// The tabs of the Administration screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTab {
    /// Accounts and roles.
    Users,
    /// How long cases are kept, and the purge.
    Retention,
    /// CSCA master lists and certificates for passive authentication.
    Csca,
    /// Document templates of the reference library.
    Reference,
    /// Keys trusted for SLTD bundles, trend bundles and training sessions.
    Keys,
    /// Station id and detection-point defaults.
    Station,
    /// The audit log and its hash chain (Auditor).
    Audit,
}

impl AdminTab {
    /// Display order.
    pub const ALL: [AdminTab; 7] = [
        AdminTab::Users,
        AdminTab::Retention,
        AdminTab::Csca,
        AdminTab::Reference,
        AdminTab::Keys,
        AdminTab::Station,
        AdminTab::Audit,
    ];

    fn label_id(self) -> &'static str {
        match self {
            AdminTab::Users => "admin-tab-users",
            AdminTab::Retention => "admin-tab-retention",
            AdminTab::Csca => "admin-tab-csca",
            AdminTab::Reference => "admin-tab-reference",
            AdminTab::Keys => "admin-tab-keys",
            AdminTab::Station => "admin-tab-station",
            AdminTab::Audit => "admin-tab-audit",
        }
    }

    /// The permission a session needs to see the tab (the store checks it again on every call).
    pub fn permission(self) -> Permission {
        match self {
            AdminTab::Users => Permission::ManageUsers,
            AdminTab::Retention => Permission::ManageRetention,
            AdminTab::Csca | AdminTab::Keys => Permission::ManageTrust,
            AdminTab::Reference | AdminTab::Station => Permission::ManageStation,
            AdminTab::Audit => Permission::ReadAudit,
        }
    }

    /// The tabs a session may see, in display order.
    pub fn visible_to(session: &Session) -> Vec<AdminTab> {
        AdminTab::ALL.into_iter().filter(|tab| session.may(tab.permission())).collect()
    }
}

/// State of the Administration screen: the tab shown and each tab's form.
#[derive(Default)]
pub struct AdminScreen {
    /// The tab shown (`None` until the first frame picks the first one the role may see).
    pub tab: Option<AdminTab>,
    /// Accounts.
    pub users: UsersTab,
    /// Retention period and purge.
    pub retention: RetentionTab,
    /// CSCA trust store.
    pub csca: CscaTab,
    /// Reference templates.
    pub reference: ReferenceTab,
    /// Trusted publisher keys.
    pub keys: KeysTab,
    /// Station id and defaults.
    pub station: StationTab,
    /// Audit log viewer.
    pub audit: AuditTab,
}

impl AdminScreen {
    /// Draws the screen for whoever is logged in on the Cases screen (`desk`).
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &Resources,
        settings: &Settings,
        desk: Option<(&Store, &Session)>,
    ) {
        ui.heading(tr.tr("admin-title"));
        let Some((store, session)) = desk else {
            ui.label(tr.tr("admin-login-first"));
            return;
        };
        let visible = AdminTab::visible_to(session);
        if visible.is_empty() {
            ui.label(tr.tr_args("admin-no-rights", &[("user", session.username().to_string())]));
            return;
        }
        let tab = match self.tab.filter(|tab| visible.contains(tab)) {
            Some(tab) => tab,
            None => visible[0],
        };
        self.tab = Some(tab);
        ui.horizontal(|ui| {
            for candidate in &visible {
                if ui.selectable_label(tab == *candidate, tr.tr(candidate.label_id())).clicked() {
                    self.tab = Some(*candidate);
                }
            }
        });
        ui.separator();
        let data_dir = settings.data_dir.as_path();
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match tab {
            AdminTab::Users => self.users.show(ui, tr, store, session),
            AdminTab::Retention => self.retention.show(ui, tr, store, session),
            AdminTab::Csca => self.csca.show(ui, tr, data_dir, store, session),
            AdminTab::Reference => self.reference.show(ui, tr, resources, data_dir, store, session),
            AdminTab::Keys => self.keys.show(ui, tr, store, session),
            AdminTab::Station => self.station.show(ui, tr, settings, store),
            AdminTab::Audit => self.audit.show(ui, tr, store, session),
        });
    }
}

/// Shows the outcome of the last action: plain when it worked, in the error colour when not.
pub(crate) fn show_message(ui: &mut egui::Ui, message: &Option<Result<String, String>>) {
    match message {
        Some(Ok(text)) => {
            ui.label(text);
        }
        Some(Err(text)) => {
            ui.colored_label(ui.visuals().error_fg_color, text);
        }
        None => {}
    }
}

/// A single-line text field with a label in front that names it for screen readers and tests.
pub(crate) fn labelled_field(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, password: bool) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).password(password).desired_width(width)).labelled_by(label.id);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Role, StoreOptions};

    #[test]
    fn each_role_sees_only_the_tabs_its_permissions_allow() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::initialize(dir.path(), "TEST-ONLY passphrase", StoreOptions::test_only_fast()).unwrap();
        store.create_first_admin("admin", "TEST-ONLY password 1").unwrap();
        let admin = store.login("admin", "TEST-ONLY password 1").unwrap();
        for role in [Role::Officer, Role::Auditor, Role::Supervisor] {
            store.create_user(&admin, role.as_str(), "TEST-ONLY password 1", role).unwrap();
        }
        let login = |name: &str| store.login(name, "TEST-ONLY password 1").unwrap();
        assert_eq!(
            AdminTab::visible_to(&admin),
            vec![
                AdminTab::Users,
                AdminTab::Retention,
                AdminTab::Csca,
                AdminTab::Reference,
                AdminTab::Keys,
                AdminTab::Station
            ]
        );
        assert_eq!(AdminTab::visible_to(&login("auditor")), vec![AdminTab::Audit]);
        assert!(AdminTab::visible_to(&login("officer")).is_empty());
        assert!(AdminTab::visible_to(&login("supervisor")).is_empty());
        assert_eq!(AdminTab::visible_to(&store.station_session()).len(), AdminTab::ALL.len());
    }
}
